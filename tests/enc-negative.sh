#!/bin/bash
# enc-negative.sh -- cachet decrypt on damaged and wrong input.
#
# Every cryptographic failure -- a changed ciphertext, tag, nonce or
# wrapped key, inserted authAttrs, bad CBC padding, the wrong private
# key, password or KEK -- must exit 1 with one and the same message
# (RFC 3218: no oracle), and --debug-decrypt must add the detail.
# Structural damage -- truncation, trailing bytes, an AEAD inside
# EnvelopedData, CBC inside AuthEnvelopedData, a content type that is not
# encrypted -- must exit 3.  In every case no output file appears, an
# existing output file is left byte for byte as it was, and no temporary
# file is left behind.
#
# Messages are made by cachet itself, then edited with tests/envutil.py
# (byte flips at parsed offsets; re-encoded DER for the structural edits).
. "$(dirname "$0")/cli-lib.sh"

require python3 openssl

ENVUTIL="$top_srcdir/tests/envutil.py"
# (quiet: a failed edit shows as "the damaged message was made")
envutil() { python3 "$ENVUTIL" "$@" 2>/dev/null; }
# part FILE KEY: one field of `envutil.py parts` (first of a list).
part()
{
	envutil parts "$1" | python3 -c 'import json, sys
d = json.load(sys.stdin); v = d.get(sys.argv[1])
print(v[0] if isinstance(v, list) else ("" if v is None else v))' "$2" 2>/dev/null
}

KEK=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
CK=0f0e0d0c0b0a09080706050403020100
PW=negative-test-password
# 100 octets: seven AES blocks of CBC ciphertext with the padding.
python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(100)))' > in.bin

ALICE=(--cert "$PKI/alice.crt.pem" --key "$PKI/alice.key.pem")
CAROL=(--cert "$PKI/carol.crt.pem" --key "$PKI/carol.key.pem")
BOB=(--cert "$PKI/bob.crt.pem" --key "$PKI/bob.key.pem")

mk()
{
	local out=$1
	shift
	ok "setup: cachet encrypt $*" -- "$CACHET" encrypt --format der -i in.bin -o "$out" "$@"
}
mk gcm.der --to "$PKI/alice.crt.pem"
mk cbc.der --to "$PKI/alice.crt.pem" --cipher aes-128-cbc
mk chacha.der --to "$PKI/alice.crt.pem" --cipher chacha20-poly1305
mk kari.der --to "$PKI/carol.crt.pem" --cipher aes-256-gcm
mk kek.der --kek "$KEK" --kek-id neg --cipher aes-256-gcm
mk pw.der --password "$PW" --iterations 1000 --cipher aes-128-cbc
mk pwgcm.der --password "$PW" --iterations 1000
mk ed.der --content-key "$CK" --cipher aes-128-cbc

# Controls: the untouched messages open.
for m in gcm cbc chacha; do
	ok "control: $m.der opens with alice's key" -- \
		eval '"$CACHET" decrypt -i '$m'.der -o ctl.out "${ALICE[@]}" && cmp in.bin ctl.out'
done
ok "control: kari.der opens with carol's key" -- \
	eval '"$CACHET" decrypt -i kari.der -o ctl.out "${CAROL[@]}" && cmp in.bin ctl.out'
ok "control: kek.der opens with the KEK" -- \
	eval '"$CACHET" decrypt -i kek.der -o ctl.out --kek "$KEK" --kek-id neg && cmp in.bin ctl.out'
ok "control: pw.der and pwgcm.der open with the password" -- \
	eval '"$CACHET" decrypt -i pw.der -o ctl.out --password "$PW" && cmp in.bin ctl.out &&
		"$CACHET" decrypt -i pwgcm.der -o ctl.out --password "$PW" && cmp in.bin ctl.out'
ok "control: ed.der opens with the content key" -- \
	eval '"$CACHET" decrypt -i ed.der -o ctl.out --content-key "$CK" && cmp in.bin ctl.out'
rm -f ctl.out

mkdir -p errs msgs
CRYPTO_CASES=()

# neg NAME WANT MSG DECRYPT-ARGS...: decrypt MSG (copied to msg.der, so
# that every message has the same name) twice: to a new file and over an
# existing one.  Both must exit WANT, the new file must not appear, the
# existing one must keep its bytes, no temporary file may stay.
neg()
{
	local name=$1 want=$2 msg=$3
	shift 3
	local rc1 rc2
	if [ ! -e "$msg" ]; then
		tap_result 1 "$name: the damaged message was made"
		return
	fi
	rm -f msg.der
	cp "$msg" msg.der
	cp "$msg" "msgs/$name"
	rm -f new.out
	printf 'an existing output file\n' > old.out
	cp old.out old.ref
	"$CACHET" decrypt -i msg.der -o new.out "$@" >/dev/null 2>"errs/$name.new"
	rc1=$?
	"$CACHET" decrypt -i msg.der -o old.out "$@" >/dev/null 2>"errs/$name.old"
	rc2=$?
	tap_result $([ "$rc1" -eq "$want" ] && [ "$rc2" -eq "$want" ]; echo $?) \
		"$name: exit $want (got $rc1, $rc2)"
	[ "$rc1" -eq "$want" ] || diag_file "errs/$name.new" 3
	tap_result $([ ! -e new.out ]; echo $?) "$name: no output file appears"
	tap_result $(cmp -s old.out old.ref; echo $?) "$name: an existing output file is left untouched"
	tap_result $(no_temp_left .; echo $?) "$name: no temporary file is left"
	if [ "$want" -eq 1 ]; then
		CRYPTO_CASES+=("$name")
	else
		tap_result $(grep -q '\[CACHET_E_[A-Z_0-9]*\]' "errs/$name.new" &&
			! grep -q '\[CACHET_E_DECRYPT_FAILED\]' "errs/$name.new"; echo $?) \
			"$name: a structural error code, not the decryption failure"
	fi
}

# flipped SRC OFFSET OUT [MASK]
flipped() { envutil flip "$1" "$2" "$3" "${4:-0x01}"; }

# ---------------------------------------------------------------- crypto failures (exit 1)
for m in gcm chacha; do
	flipped $m.der "$(envutil ct-offset $m.der 0)" $m-ct.der
	neg "$m: changed ciphertext byte" 1 $m-ct.der "${ALICE[@]}"
	flipped $m.der "$(envutil ct-offset $m.der -1)" $m-ct2.der 0x80
	neg "$m: changed last ciphertext byte" 1 $m-ct2.der "${ALICE[@]}"
	flipped $m.der "$(part $m.der mac_off)" $m-tag.der
	neg "$m: changed tag (mac)" 1 $m-tag.der "${ALICE[@]}"
	flipped $m.der "$(( $(part $m.der mac_off) + $(part $m.der mac_len) - 1 ))" $m-tag2.der
	neg "$m: changed last tag byte" 1 $m-tag2.der "${ALICE[@]}"
	flipped $m.der "$(part $m.der iv_off)" $m-iv.der
	neg "$m: changed nonce" 1 $m-iv.der "${ALICE[@]}"
	flipped $m.der "$(( $(part $m.der ek_offs) + 20 ))" $m-ek.der
	neg "$m: changed RSA encryptedKey" 1 $m-ek.der "${ALICE[@]}"
	neg "$m: bob's key for alice's message" 1 $m.der "${BOB[@]}"
done
# The CLI writes no authAttrs: insert a well-formed one (content-type
# id-data) that the tag does not cover.
envutil add-authattrs gcm.der gcm-aa.der
neg "gcm: authAttrs added after the tag was made" 1 gcm-aa.der "${ALICE[@]}"

# CBC: the byte of the last-but-one block under the last padding byte;
# xor 0x80 makes the padding length > 16, so the check always fails.
flipped cbc.der "$(envutil ct-offset cbc.der -17)" cbc-pad.der 0x80
neg "cbc: bad padding (changed ciphertext)" 1 cbc-pad.der "${ALICE[@]}"
neg "cbc: bob's key for alice's message" 1 cbc.der "${BOB[@]}"
neg "cbc: carol's key for alice's message" 1 cbc.der "${CAROL[@]}"

flipped kari.der "$(( $(part kari.der ek_offs) + 3 ))" kari-ek.der
neg "kari: changed wrapped key (AES key wrap)" 1 kari-ek.der "${CAROL[@]}"
flipped kari.der "$(part kari.der mac_off)" kari-tag.der
neg "kari: changed tag" 1 kari-tag.der "${CAROL[@]}"
neg "kari: alice's key for carol's message" 1 kari.der "${ALICE[@]}"

neg "kekri: wrong KEK" 1 kek.der --kek "${KEK%??}00" --kek-id neg
neg "kekri: wrong KEK, no --kek-id" 1 kek.der --kek "${KEK%??}00"
neg "kekri: right KEK under another id" 1 kek.der --kek "$KEK" --kek-id other
flipped kek.der "$(( $(part kek.der ek_offs) + 5 ))" kek-ek.der
neg "kekri: changed wrapped key" 1 kek-ek.der --kek "$KEK" --kek-id neg

neg "pwri: wrong password (CBC)" 1 pw.der --password "$PW-x"
neg "pwri: wrong password (GCM)" 1 pwgcm.der --password "wrong"
flipped pw.der "$(( $(part pw.der ek_offs) + 2 ))" pw-ek.der
neg "pwri: changed encryptedKey" 1 pw-ek.der --password "$PW"

# EncryptedData has no integrity: a wrong key fails only on the padding.
# Pick a wrong key whose padding openssl, too, finds bad, so the case is
# deterministic.
wrong=
for k in 0f0e0d0c0b0a09080706050403020101 ffeeddccbbaa99887766554433221100 \
	 00000000000000000000000000000000 11111111111111111111111111111111; do
	if ! openssl cms -EncryptedData_decrypt -inform DER -in ed.der -secretkey "$k" -out /dev/null 2>/dev/null; then
		wrong=$k
		break
	fi
done
neg "EncryptedData: wrong content key (bad padding)" 1 ed.der --content-key "${wrong:-$CK}"
flipped ed.der "$(envutil ct-offset ed.der -17)" ed-pad.der 0x80
neg "EncryptedData: bad padding (changed ciphertext)" 1 ed-pad.der --content-key "$CK"

# One message for all of them (RFC 3218 section 2.3: no oracle): every
# crypto failure on messages of one content type says exactly the same;
# across content types only the line naming the type may differ, so the
# first line is the same everywhere.
declare -A type_first=()
first=${CRYPTO_CASES[0]}
for c in "${CRYPTO_CASES[@]}"; do
	t=$(envutil ctype "msgs/$c")
	ref=${type_first[$t]:-}
	if [ -z "$ref" ]; then
		type_first[$t]=$c
		ref=$c
	fi
	tap_result $(cmp -s "errs/$ref.new" "errs/$c.new" && cmp -s "errs/$ref.new" "errs/$c.old"; echo $?) \
		"uniform message ($t): '$c' says exactly what '$ref' says"
	cmp -s "errs/$ref.new" "errs/$c.new" || { diag "'$ref':"; diag_file "errs/$ref.new" 3; diag "'$c':"; diag_file "errs/$c.new" 3; }
	tap_result $(cmp -s <(head -n 1 "errs/$first.new") <(head -n 1 "errs/$c.new"); echo $?) \
		"uniform message: '$c' has the same first line as '$first'"
done
tap_result $(grep -q '\[CACHET_E_DECRYPT_FAILED\]' "errs/$first.new"; echo $?) \
	"uniform message: it names CACHET_E_DECRYPT_FAILED"
tap_result $([ "$(wc -l < "errs/$first.new")" -le 2 ]; echo $?) \
	"uniform message: at most two lines, no detail"
diag "the uniform message:"
diag_file "errs/$first.new" 3

# --debug-decrypt adds why.
dbg()
{
	local name=$1 msg=$2
	shift 2
	rm -f new.out
	"$CACHET" decrypt --debug-decrypt -i "$msg" -o new.out "$@" >/dev/null 2>"errs/dbg-$name"
	local rc=$?
	tap_result $([ $rc -eq 1 ] && [ ! -e new.out ]; echo $?) "--debug-decrypt $name: still exit 1, no output"
	tap_result $(! cmp -s "errs/dbg-$name" "errs/$first.new" &&
		[ "$(wc -c < "errs/dbg-$name")" -gt "$(wc -c < "errs/$first.new")" ]; echo $?) \
		"--debug-decrypt $name: more than the uniform message"
}
dbg "tag" gcm-tag.der "${ALICE[@]}"
dbg "padding" cbc-pad.der "${ALICE[@]}"
dbg "password" pw.der --password "$PW-x"
dbg "wrong key" cbc.der "${BOB[@]}"
tap_result $(! cmp -s errs/dbg-tag errs/dbg-padding && ! cmp -s errs/dbg-tag errs/dbg-password; echo $?) \
	"--debug-decrypt: a bad tag, bad padding and a wrong password give different details"
diag "--debug-decrypt on a bad tag says:"
diag_file errs/dbg-tag 4

# ---------------------------------------------------------------- structural (exit 3)
size=$(wc -c < gcm.der)
for cut in 1 10 40 $((size / 2)) $((size - 20)) $((size - 1)); do
	head -c "$cut" gcm.der > cut.der
	neg "truncated after $cut of $size octets" 3 cut.der "${ALICE[@]}"
done
csize=$(wc -c < cbc.der)
head -c $(( $(envutil ct-offset cbc.der -1) )) cbc.der > cut-cbc.der
neg "CBC: truncated inside the encrypted content" 3 cut-cbc.der "${ALICE[@]}"
{ cat gcm.der; printf '\0\0trailing'; } > trail.der
neg "trailing garbage after the ContentInfo" 3 trail.der "${ALICE[@]}"
{ cat gcm.der; printf '\0'; } > trail1.der
neg "one trailing zero octet" 3 trail1.der "${ALICE[@]}"
envutil to-enveloped gcm.der aead-in-env.der
neg "AES-GCM inside EnvelopedData" 3 aead-in-env.der "${ALICE[@]}"
envutil to-enveloped chacha.der chacha-in-env.der
neg "ChaCha20-Poly1305 inside EnvelopedData" 3 chacha-in-env.der "${ALICE[@]}"
envutil to-authenveloped cbc.der cbc-in-authenv.der
neg "AES-CBC inside AuthEnvelopedData" 3 cbc-in-authenv.der "${ALICE[@]}"
"$CACHET" sign --format der -i in.bin -o signed.der --signer "$PKI/alice.crt.pem" --key "$PKI/alice.key.pem" >/dev/null 2>&1
neg "a SignedData is not encrypted" 3 signed.der "${ALICE[@]}"
head -c 300 /dev/urandom | tr '\060' '\061' > garbage.der
neg "random bytes" 3 garbage.der "${ALICE[@]}"
: > empty.der
neg "empty input" 3 empty.der "${ALICE[@]}"
printf '0' > onebyte.der
neg "one-octet input" 3 onebyte.der "${ALICE[@]}"

# ---------------------------------------------------------------- encrypt refuses
# refused WANT(A|B) NAME COMMAND-ARGS...: cachet exits WANT, r.der does not
# appear.
refused()
{
	local want=$1 name=$2 rc
	shift 2
	rm -f r.der
	"$CACHET" "$@" >/dev/null 2>r.err
	rc=$?
	tap_result $(echo "$want" | tr '|' '\n' | grep -qx "$rc" && [ ! -e r.der ]; echo $?) \
		"$name: exit $want (got $rc), no output"
	echo "$want" | tr '|' '\n' | grep -qx "$rc" || diag_file r.err 3
}
refused 1 "encrypt --to grace (P-521 without the keyAgreement key usage; RFC 8550 section 4.4.2): refused by policy" \
	encrypt -i in.bin -o r.der --to "$PKI/grace.crt.pem"
refused "1|3" "encrypt --to erin (Ed25519: a signature-only key type)" \
	encrypt -i in.bin -o r.der --to "$PKI/erin.crt.pem"
refused 2 "encrypt --cipher rot13: usage error" \
	encrypt -i in.bin -o r.der --to "$PKI/alice.crt.pem" --cipher rot13
refused 2 "encrypt --content-key with an AEAD (EncryptedData is CBC only): usage error" \
	encrypt -i in.bin -o r.der --content-key "$CK" --cipher aes-128-gcm
refused "2|3" "encrypt --kek of 15 octets" \
	encrypt -i in.bin -o r.der --kek 000102030405060708090a0b0c0d0e --kek-id x
refused 2 "encrypt with no recipient at all: usage error" \
	encrypt -i in.bin -o r.der
refused 2 "decrypt with no key, password, KEK or content key: usage error" \
	decrypt -i gcm.der -o r.der
refused 4 "decrypt of a missing input file: I/O error" \
	decrypt -i no-such-file.der -o r.der "${ALICE[@]}"
refused 4 "decrypt into a directory that does not exist: I/O error" \
	decrypt -i gcm.der -o no-such-dir/r.der "${ALICE[@]}"

# RFC 5652 section 6.2: a RecipientInfo of a version Cachet does not know
# is passed over, not fatal, when another one is for the caller's key
# [rfc5652-6.2-graceful-alternatives].  bob's ktri (the first) gets
# version 3, which no ktri has.
ok "an EnvelopedData to bob and alice, bob's ktri version changed to 3" -- \
	eval 'cachet encrypt --format der -i in.bin -o tworis.der --to "$PKI/bob.crt.pem" \
		--to "$PKI/alice.crt.pem" --cipher aes-128-cbc &&
		off=$(python3 "$DERUTIL" dump tworis.der | awk "\$2==\"UNIV\" && \$3==2 {n++; if (n==2) {print \$1; exit}}") &&
		[ -n "$off" ] && python3 "$DERUTIL" flip tworis.der $((off + 2)) tworis-v3.der 3'
ok "... alice still decrypts it: the unknown version is skipped (RFC 5652 section 6.2)" -- \
	eval 'cachet decrypt --format der -i tworis-v3.der -o tworis.out "${ALICE[@]}" && cmp tworis.out in.bin'
refused 3 "... bob, whose RecipientInfo it was, gets CACHET_E_BAD_VERSION" \
	decrypt --format der -i tworis-v3.der -o r.der --cert "$PKI/bob.crt.pem" --key "$PKI/bob.key.pem"

done_testing
