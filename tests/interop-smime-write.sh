#!/bin/bash
# interop-smime-write.sh -- the S/MIME messages cachet writes (`--format
# smime`, RFC 8551 section 3) against other implementations:
#   - multipart/signed and opaque signed-data, RSA (alice) and ECDSA
#     (carol): `openssl smime -verify` and `openssl cms -verify` against
#     the test root give back exactly the canonical inner entity; a
#     tampered first part fails; `gpgsm --verify` (RSA) gives GOODSIG and
#     VALIDSIG for alice (the multipart taken apart by python3 into the
#     first part's octets and the signature's DER, since gpgsm reads CMS,
#     not MIME);
#   - enveloped-data (AES-CBC) and authEnveloped-data (AES-GCM) to alice:
#     `openssl cms -decrypt` and `openssl smime -decrypt` (CBC), and
#     `gpgsm --decrypt` (CBC) give back the entity;
#   - compressed-data: `openssl cms -cmsout -print` parses it;
#   - a 64 MiB sign in flat memory (peak RSS, as tests/stream.sh).
#
# What a peer cannot do is not counted as a pass and not skipped quietly
# (as in tests/interop-gpgsm.sh): when it fails with the error it is known
# to give for the missing feature, a TAP comment "peer lacks feature: ..."
# quotes it; any other failure is a failed test point.  Known:
#   - `openssl smime` is PKCS #7 only: AuthEnvelopedData is "wrong content
#     type" (openssl cms decrypts it, and that is a test point);
#   - gpgsm 2.2 lacks AES-GCM ("error getting IV: Buffer too short");
#   - Debian 12's OpenSSL has no zlib: `openssl cms -uncompress` fails
#     with "unsupported compression algorithm" (tests/compress.sh).
#
# gpgsm runs unattended in a throwaway GNUPGHOME under the test's
# temporary directory, set up the way tests/interop-gpgsm.sh does it
# (loopback pinentry, CRL/OCSP/dirmngr off, the root trusted through
# trustlist.txt, alice's key from a legacy-protected PKCS #12 file).
# Needs openssl, gpgsm, gpg-agent, gpgconf, python3 and GNU time; a
# missing one is a failure.
. "$(dirname "$0")/cli-lib.sh"

require openssl gpgsm gpg-agent gpgconf python3 cmp

. "$_cli_here/gpgsm-lib.sh"

# smime_part MSG WHAT OUT: take an S/MIME message apart without any MIME
# library: WHAT is "first" (the first part of a multipart/signed, exactly
# its octets: RFC 2046 section 5.1.1), "sig" (the second part's base64
# decoded) or "body" (an application/pkcs7-mime body's base64 decoded).
cat >split.py <<'EOF'
import base64, re, sys
msg = open(sys.argv[1], "rb").read()
what, out = sys.argv[2], sys.argv[3]
head, _, body = msg.partition(b"\r\n\r\n")
unfolded = re.sub(rb"\r\n[ \t]+", b" ", head)
if what == "body":
    data = base64.b64decode(b"".join(body.split()), validate=True)
else:
    b = re.search(rb'boundary="([^"]+)"', unfolded).group(1)
    parts = body.split(b"\r\n--" + b)
    # parts[0] is the preamble up to the first delimiter
    first = parts[1][2:]      # after the CRLF that ends the delimiter line
    assert parts[1][:2] == b"\r\n" and parts[3][:2] == b"--", "two parts and a close delimiter"
    if what == "first":
        data = first
    else:
        h2, _, b2 = parts[2][2:].partition(b"\r\n\r\n")
        assert b"application/pkcs7-signature" in h2
        data = base64.b64decode(b"".join(b2.split()), validate=True)
open(out, "wb").write(data)
EOF
smime_part() { python3 split.py "$@"; }

# Input: a mail message with LF line ends, 8-bit text and fields of both
# kinds; cachet makes the entity canonical and quoted-printable.
printf 'From: Alice <alice@example.org>\nTo: Bob <bob@example.org>\nSubject: interop\nContent-Type: text/plain; charset=utf-8\n\nHello from cachet, caf\xc3\xa9 and cr\xc3\xa8me.\nFrom the start of a line.\n' >in.eml

# ---------------------------------------------------------------- signing -> openssl
for u in alice carol; do
	for mode in detached opaque; do
		name="$u $mode"
		ok "$name: cachet sign --format smime" -- \
			cachet sign --format smime --$mode -i in.eml -o $u.$mode.eml --signer "$PKI/$u.crt.pem" \
			--key "$PKI/$u.key.pem" --chain "$CHAIN"
		if [ $mode = detached ]; then
			ok "$name: the first part (taken apart by python3) is the canonical entity" -- \
				eval "smime_part $u.$mode.eml first entity.$u && grep -q 'Content-Transfer-Encoding: quoted-printable' entity.$u && ! grep -q \$'[^\r]\$' entity.$u"
		fi
		ok "$name: openssl smime -verify gives back the entity" -- \
			eval "openssl smime -verify -in $u.$mode.eml -CAfile '$ROOT' -out o1.$u.$mode && cmp o1.$u.$mode entity.$u"
		ok "$name: openssl cms -verify gives back the entity" -- \
			eval "openssl cms -verify -in $u.$mode.eml -CAfile '$ROOT' -out o2.$u.$mode && cmp o2.$u.$mode entity.$u"
	done
	# One octet of the signed text changed: both must refuse.
	sed 's/cr=C3=A8me/cr=C3=A9me/' $u.detached.eml >$u.tampered.eml
	ok "$u detached, tampered: the change is there" -- eval "! cmp -s $u.detached.eml $u.tampered.eml"
	ok "$u detached, tampered: openssl smime -verify fails" -- \
		eval "! openssl smime -verify -in $u.tampered.eml -CAfile '$ROOT' -out /dev/null"
	ok "$u detached, tampered: openssl cms -verify fails" -- \
		eval "! openssl cms -verify -in $u.tampered.eml -CAfile '$ROOT' -out /dev/null"
done
ok "ECDSA with SHA-384: micalg=sha-384 and openssl verifies" -- \
	eval "cachet sign --format smime -i in.eml -o c384.eml --signer '$PKI/carol.crt.pem' --key '$PKI/carol.key.pem' --chain '$CHAIN' --digest sha384 &&
		grep -q 'micalg=sha-384' c384.eml && openssl smime -verify -in c384.eml -CAfile '$ROOT' -out /dev/null"
ok "headerless binary input: openssl verifies, the entity is base64" -- \
	eval "head -c 5000 /dev/urandom >rand.bin && cachet sign --format smime -i rand.bin -o rand.eml --signer '$PKI/alice.crt.pem' --key '$PKI/alice.key.pem' --chain '$CHAIN' &&
		openssl smime -verify -in rand.eml -CAfile '$ROOT' -out rand.ent && grep -q '^Content-Transfer-Encoding: base64' rand.ent &&
		python3 -c 'import base64,sys; d=open(\"rand.ent\",\"rb\").read().split(b\"\r\n\r\n\",1)[1]; sys.exit(base64.b64decode(b\"\".join(d.split()))!=open(\"rand.bin\",\"rb\").read())'"

# ---------------------------------------------------------------- the gpgsm home
fpr() { openssl x509 -in "$PKI/$1.crt.pem" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g'; }
ok "gpgsm home: gpg-agent starts for it" -- gpgconf --homedir "$GNUPGHOME" --launch gpg-agent
ok "gpgsm home: import the test root, intermediate CA and alice" -- \
	gs --import "$PKI/root-ca.crt.pem" "$PKI/int-ca.crt.pem" "$PKI/alice.crt.pem"
ok "gpgsm home: trust the test root (trustlist.txt, flag S)" -- \
	eval 'printf "%s S\n" "$(fpr root-ca)" >"$GNUPGHOME/trustlist.txt"'
ok "gpgsm home: import alice's key (legacy PKCS #12, as interop-gpgsm.sh)" -- \
	gs_import_key alice

# ---------------------------------------------------------------- signing -> gpgsm
F=$(fpr alice)
gs_good() { grep -q "^\[GNUPG:\] GOODSIG $F " gs.status && grep -q "^\[GNUPG:\] VALIDSIG $F " gs.status; }
ok "alice detached: gpgsm --verify the signature part over the first part: GOODSIG, VALIDSIG" -- \
	eval "smime_part alice.detached.eml sig alice.p7s && gs --verify alice.p7s entity.alice && gs_good"
ok "alice detached, tampered: gpgsm --verify says BADSIG" -- \
	eval "smime_part alice.tampered.eml first bad.ent && ! gs --verify alice.p7s bad.ent && grep -q '^\[GNUPG:\] BADSIG' gs.status"
ok "alice opaque: gpgsm --verify the pkcs7-mime body: GOODSIG, VALIDSIG, the entity inside" -- \
	eval "smime_part alice.opaque.eml body alice.p7m && gs -o gs.out --verify alice.p7m && gs_good && cmp gs.out entity.alice"

# ---------------------------------------------------------------- encryption
for cipher in aes-128-cbc aes-256-cbc aes-128-gcm aes-256-gcm; do
	name="encrypt $cipher"
	ok "$name: cachet encrypt --format smime" -- \
		cachet encrypt --format smime --cipher $cipher -i in.eml -o enc.$cipher.eml --to "$PKI/alice.crt.pem"
	case $cipher in *gcm) st=authEnveloped-data ;; *) st=enveloped-data ;; esac
	ok "$name: smime-type=$st, outer fields kept" -- \
		eval "grep -q 'smime-type=$st' enc.$cipher.eml && head -3 enc.$cipher.eml | grep -q '^Subject: interop'"
	ok "$name: openssl cms -decrypt gives back the entity" -- \
		eval "openssl cms -decrypt -in enc.$cipher.eml -recip '$PKI/alice.crt.pem' -inkey '$PKI/alice.key.pem' -out d1.$cipher && cmp d1.$cipher entity.alice"
	peer_case "$name: openssl smime -decrypt gives back the entity" 'wrong content type' \
		eval "openssl smime -decrypt -in enc.$cipher.eml -recip '$PKI/alice.crt.pem' -inkey '$PKI/alice.key.pem' -out d2.$cipher && cmp d2.$cipher entity.alice"
	peer_case "$name: gpgsm --decrypt gives back the entity" 'error getting IV|Buffer too short' \
		eval "smime_part enc.$cipher.eml body enc.$cipher.der && gs -o d3.$cipher --decrypt enc.$cipher.der && cmp d3.$cipher entity.alice"
done
ok "encrypt: --content-key without recipients is refused (no smime-type for EncryptedData)" -- \
	rc_is 3 cachet encrypt --format smime --cipher aes-128-cbc --content-key 000102030405060708090a0b0c0d0e0f -i in.eml -o ed.eml

# ---------------------------------------------------------------- compression
ok "compress: cachet compress --format smime" -- cachet compress --format smime -i in.eml -o z.eml
ok "compress: smime-type=compressed-data, name=smime.p7z" -- \
	eval "grep -q 'smime-type=compressed-data' z.eml && grep -q 'filename=smime.p7z' z.eml"
ok "compress: openssl cms -cmsout -print parses it (compressedData, zlib, id-data)" -- \
	eval "openssl cms -cmsout -print -in z.eml >z.print && grep -q 'compressedData' z.print && grep -q 'zlib' z.print && grep -q 'pkcs7-data' z.print"
peer_case "compress: openssl cms -uncompress gives back the entity" 'unsupported compression algorithm' \
	eval "openssl cms -uncompress -in z.eml -out z.out && cmp z.out entity.alice"
ok "compress: python3's zlib inflates the body's eContent to the entity" -- \
	eval "smime_part z.eml body z.der && python3 - z.der entity.alice <<'EOF'
import sys, zlib
der = open(sys.argv[1], 'rb').read()
# eContent [0] holds a constructed OCTET STRING (24 80): collect its
# segments (04 len ...) and inflate them.
j = der.find(b'\x24\x80') + 2
seg = b''
while der[j] == 0x04:
    n = der[j + 1]; k = j + 2
    if n & 0x80:
        m = n & 0x7f; n = int.from_bytes(der[k:k + m], 'big'); k += m
    seg += der[k:k + n]; j = k + n
sys.exit(zlib.decompress(seg) != open(sys.argv[2], 'rb').read())
EOF"

# ---------------------------------------------------------------- 8-bit leaves
# A multipart with an 8bit UTF-8 text part and a binary attachment: each
# leaf gets its own 7-bit encoding; openssl verifies the result and
# python's email package decodes the parts back to the original octets.
printf 'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nna\303\257ve caf\303\251 text, mostly ASCII\n--b\nContent-Type: application/octet-stream\n\n\000\001\377binary\n--b--\n' >mixed8.eml
ok "a multipart with 8-bit leaves: signed, openssl smime -verify accepts it" -- \
	eval 'cachet sign --format smime -i mixed8.eml -o mixed8.s.eml --signer "$PKI/alice.crt.pem" \
		--key "$PKI/alice.key.pem" --chain "$CHAIN" &&
		openssl smime -verify -in mixed8.s.eml -CAfile "$ROOT" -out mixed8.out 2>/dev/null'
ok "... the leaves decode back to the original octets (quoted-printable, base64)" -- \
	python3 -c '
import email, sys
m = email.message_from_bytes(open("mixed8.out", "rb").read())
parts = [p for p in m.walk() if not p.is_multipart()]
assert [p["Content-Transfer-Encoding"] for p in parts] == ["quoted-printable", "base64"], parts
assert parts[0].get_payload(decode=True) == "naïve café text, mostly ASCII".encode()
assert parts[1].get_payload(decode=True) == b"\x00\x01\xffbinary"'

# ---------------------------------------------------------------- memory
GNU_TIME=${GNU_TIME:-/usr/bin/time}
if ! "$GNU_TIME" -f %M -o /dev/null true 2>/dev/null; then
	tap_result 1 "GNU time is installed as $GNU_TIME (Debian package: time)"
	done_testing
fi
head -c $((64 << 20)) /dev/urandom >big.bin
head -c $((1 << 20)) /dev/urandom >small.bin
for s in small big; do
	"$GNU_TIME" -f %M -o rss.$s "$CACHET" sign --format smime -i $s.bin -o $s.eml \
		--signer "$PKI/alice.crt.pem" --key "$PKI/alice.key.pem" --chain "$CHAIN" 2>err.$s
	echo $? >rc.$s
done
rs=$(tail -n1 rss.small) rb=$(tail -n1 rss.big)
diag "sign --format smime: peak RSS $rs KiB for 1 MiB, $rb KiB for 64 MiB"
ok "64 MiB sign --format smime exits 0" -- test "$(cat rc.big)" = 0
ok "64 MiB sign --format smime: the message holds the base64 entity (over 85 MiB)" -- \
	test "$(stat -c %s big.eml)" -gt $((85 << 20))
ok "64 MiB sign --format smime: peak RSS ($rb KiB) under 32 MiB" -- test "${rb:-999999999}" -lt $((32 * 1024))
ok "64 MiB sign --format smime: peak RSS within 4 MiB of 1 MiB's ($rb vs $rs KiB)" -- \
	test $(( ${rb:-999999999} - ${rs:-0} )) -le 4096
ok "64 MiB sign --format smime: openssl smime -verify accepts it" -- \
	openssl smime -verify -in big.eml -CAfile "$ROOT" -out /dev/null
rm -f big.bin big.eml

done_testing
