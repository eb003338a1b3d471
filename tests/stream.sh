#!/bin/bash
# stream.sh -- sign, verify, encrypt and decrypt stream the content: peak
# memory for a 64 MiB input stays under 32 MiB and within 4 MiB of the
# peak for a 1 MiB input, and the content comes back intact.
#
# Peak RSS comes from GNU time (`/usr/bin/time -f %M`, in KiB; Debian
# package "time").  No timing is asserted.
. "$(dirname "$0")/cli-lib.sh"

GNU_TIME=${GNU_TIME:-/usr/bin/time}
LIMIT_KIB=$((32 * 1024))
SLACK_KIB=$((4 * 1024))

if ! "$GNU_TIME" -f %M -o /dev/null true 2>/dev/null; then
	tap_result 1 "GNU time is installed as $GNU_TIME (Debian package: time)"
	done_testing
fi
require cmp head

head -c $((64 << 20)) /dev/urandom >big.bin
head -c $((1 << 20)) /dev/urandom >small.bin
ok "made the 64 MiB and 1 MiB inputs" -- \
	eval '[ "$(stat -c %s big.bin)" -eq $((64 << 20)) ] && [ "$(stat -c %s small.bin)" -eq $((1 << 20)) ]'

# peak NAME COMMAND...: run COMMAND under GNU time; its exit status is
# kept in rc.NAME and its peak RSS (KiB) in rss.NAME.
peak()
{
	local name=$1
	shift
	"$GNU_TIME" -f %M -o "rss.$name" "$@"
	echo $? >"rc.$name"
}

# Measure one operation on both sizes.  OP is a function taking SIZE
# (big|small); it runs the command through `peak`.
measure()
{
	local op=$1 what=$2
	"$op" small >/dev/null 2>"err.$op.small"
	"$op" big >/dev/null 2>"err.$op.big"
	local s b
	s=$(tail -n1 "rss.$op.small" 2>/dev/null) b=$(tail -n1 "rss.$op.big" 2>/dev/null)
	diag "$what: peak RSS ${s:-?} KiB for 1 MiB, ${b:-?} KiB for 64 MiB"
	ok "$what: 1 MiB input exits 0" -- test "$(cat "rc.$op.small" 2>/dev/null)" = 0
	ok "$what: 64 MiB input exits 0" -- test "$(cat "rc.$op.big" 2>/dev/null)" = 0
	ok "$what: peak RSS for 64 MiB (${b:-?} KiB) is under 32 MiB" -- \
		test "${b:-999999999}" -lt $LIMIT_KIB
	ok "$what: peak RSS for 64 MiB is within 4 MiB of 1 MiB's (${b:-?} vs ${s:-?} KiB)" -- \
		test $(( ${b:-999999999} - ${s:-0} )) -le $SLACK_KIB -a $(( ${s:-999999999} - ${b:-0} )) -le $SLACK_KIB
}

sign_encap() { peak sign_encap.$1 "$CACHET" sign --format der -i $1.bin -o $1.p7 --chain "$CHAIN" --signer "$PKI/carol.crt.pem" --key "$PKI/carol.key.pem"; }
sign_det() { peak sign_det.$1 "$CACHET" sign --format der -i $1.bin -o $1.det.p7 --detached --signer "$PKI/alice.crt.pem" --key "$PKI/alice.key.pem" --chain "$CHAIN"; }
verify_encap() { rm -f $1.out; peak verify_encap.$1 "$CACHET" verify -i $1.p7 --trust "$ROOT" -o $1.out; }
verify_det() { rm -f $1.det.out; peak verify_det.$1 "$CACHET" verify -i $1.det.p7 --content $1.bin --trust "$ROOT" -o $1.det.out; }
verify_pipe() { rm -f $1.pipe.out; peak verify_pipe.$1 "$CACHET" verify -i - --trust "$ROOT" -o $1.pipe.out <$1.p7; }

measure sign_encap "sign, encapsulated (ECDSA P-256)"
ok "sign, encapsulated: the 64 MiB message is larger than its content" -- \
	test "$(stat -c %s big.p7)" -gt $((64 << 20))
measure sign_det "sign, detached (RSA)"
ok "sign, detached: the 64 MiB message is small (no content inside)" -- \
	test "$(stat -c %s big.det.p7)" -lt 65536

# Verification keeps at most the first 1 MiB of content (for a pure
# EdDSA signer without signedAttrs), so its peak is flat too.
measure verify_encap "verify, encapsulated, -o file"
ok "verify, encapsulated: -o content equals the 64 MiB input" -- same_file big.out big.bin
ok "verify, encapsulated: -o content equals the 1 MiB input" -- same_file small.out small.bin
rm -f big.out
measure verify_det "verify, detached (--content), -o file"
ok "verify, detached: -o content equals the 64 MiB input" -- same_file big.det.out big.bin
ok "verify, detached: -o content equals the 1 MiB input" -- same_file small.det.out small.bin
rm -f big.det.out
measure verify_pipe "verify, encapsulated, message from stdin"
ok "verify from stdin: -o content equals the 64 MiB input" -- same_file big.pipe.out big.bin
rm -f big.pipe.out big.p7 big.det.p7

# Encryption streams too: the content goes through in chunks, and the
# decryptor keeps AuthEnvelopedData ciphertext only up to 1 MiB (for
# authAttrs that may follow it), so the peak stays flat.
enc_gcm() { peak enc_gcm.$1 "$CACHET" encrypt --format der -i $1.bin -o $1.gcm --to "$PKI/alice.crt.pem" --to "$PKI/carol.crt.pem"; }
dec_gcm() { rm -f $1.gcm.out; peak dec_gcm.$1 "$CACHET" decrypt -i $1.gcm -o $1.gcm.out --cert "$PKI/carol.crt.pem" --key "$PKI/carol.key.pem"; }
enc_cbc() { peak enc_cbc.$1 "$CACHET" encrypt --format der -i $1.bin -o $1.cbc --cipher aes-256-cbc --to "$PKI/alice.crt.pem"; }
dec_cbc() { rm -f $1.cbc.out; peak dec_cbc.$1 "$CACHET" decrypt -i $1.cbc -o $1.cbc.out --cert "$PKI/alice.crt.pem" --key "$PKI/alice.key.pem"; }
measure enc_gcm "encrypt, AES-128-GCM to RSA and P-256 recipients"
ok "encrypt, AES-128-GCM: the 64 MiB message is larger than its content" -- \
	test "$(stat -c %s big.gcm)" -gt $((64 << 20))
measure dec_gcm "decrypt, AES-128-GCM (P-256 recipient)"
ok "decrypt, AES-128-GCM: the output equals the 64 MiB input" -- same_file big.gcm.out big.bin
rm -f big.gcm big.gcm.out
measure enc_cbc "encrypt, AES-256-CBC to an RSA recipient"
measure dec_cbc "decrypt, AES-256-CBC (RSA recipient)"
ok "decrypt, AES-256-CBC: the output equals the 64 MiB input" -- same_file big.cbc.out big.bin
ok "decrypt, AES-256-CBC: the output equals the 1 MiB input" -- same_file small.cbc.out small.bin

done_testing
