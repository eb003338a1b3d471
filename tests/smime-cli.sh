#!/bin/bash
# smime-cli.sh -- the S/MIME message is the default form of cachet sign,
# verify, encrypt and decrypt (RFC 8551 section 3):
#   - sign writes multipart/signed (section 3.5.3: protocol, micalg,
#     smime.p7s) by default and with --detached, application/pkcs7-mime;
#     smime-type=signed-data (section 3.5.2) with --opaque; --format der
#     and pem keep the CMS forms (encapsulated unless --detached);
#   - verify and decrypt without --format read DER (a SEQUENCE first),
#     PEM ("-----BEGIN") or an S/MIME message, from a file or a pipe;
#     --format overrides the detection;
#   - encrypt writes authEnveloped-data (AEAD) or enveloped-data (CBC);
#     decrypt writes the inner MIME entity;
#   - compress/decompress --format smime round trip (section 3.6);
#   - --binary on encrypt and compress leaves 8-bit octets as they are,
#     without it the entity gets a 7-bit transfer encoding (section 3.1.2);
#   - sign --no-certs writes a signature without certificates;
#   - openssl reads the default outputs.
# Needs openssl and python3; a missing tool is a failure.
. "$(dirname "$0")/cli-lib.sh"

require openssl python3 cmp

# A mail message with LF line ends and 8-bit text in its body.
printf 'From: Alice <alice@example.org>\nTo: Bob <bob@example.org>\nSubject: defaults\nContent-Type: text/plain; charset=utf-8\n\nBonjour, caf\xc3\xa9 cr\xc3\xa8me.\nA second line.\n' >in.eml
printf 'plain octets for CMS\n' >in.txt

alice=(--signer "$PKI/alice.crt.pem" --key "$PKI/alice.key.pem" --chain "$CHAIN")
dec_alice=(--cert "$PKI/alice.crt.pem" --key "$PKI/alice.key.pem")

# header_of MSG: the header block of MSG, folded lines joined (RFC 5322
# section 2.2.3), one field a line, CR removed.
cat >hdr.py <<'EOF'
import re, sys
msg = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n")
head = msg.split(b"\n\n", 1)[0]
sys.stdout.write(re.sub(rb"\n[ \t]+", b" ", head).decode("latin-1") + "\n")
EOF
header_of() { python3 hdr.py "$1"; }
# has_8bit FILE: FILE holds an octet over 0x7f.
has_8bit() { python3 -c 'import sys; sys.exit(0 if any(b > 127 for b in open(sys.argv[1], "rb").read()) else 1)' "$1"; }
# first_octet FILE: the first octet in hex.
first_octet() { od -An -tx1 -N1 "$1" | tr -d ' \n'; }

# ---------------------------------------------------------------- sign
ok "sign, no --format: exits 0" -- cachet sign -i in.eml -o det.eml "${alice[@]}"
ok "sign default: multipart/signed with protocol and micalg=sha-256 (RFC 8551 section 3.5.3)" -- \
	eval "header_of det.eml | grep -i '^Content-Type: multipart/signed;' | grep -q 'protocol=\"application/pkcs7-signature\"' &&
		header_of det.eml | grep -i '^Content-Type:' | grep -q 'micalg=sha-256'"
ok "sign default: the signature part is smime.p7s, the outer fields stay" -- \
	eval "grep -q 'name=smime.p7s' det.eml && grep -q 'application/pkcs7-signature' det.eml && head -3 det.eml | grep -q '^Subject: defaults'"
ok "sign --detached: multipart/signed as well" -- \
	eval "cachet sign --detached -i in.eml -o det2.eml ${alice[*]@Q} && header_of det2.eml | grep -qi '^Content-Type: multipart/signed'"
ok "sign --opaque: application/pkcs7-mime; smime-type=signed-data (RFC 8551 section 3.5.2)" -- \
	eval "cachet sign --opaque -i in.eml -o opq.eml ${alice[*]@Q} &&
		header_of opq.eml | grep -i '^Content-Type: application/pkcs7-mime' | grep -q 'smime-type=signed-data' &&
		! grep -q 'multipart/signed' opq.eml"
ok "sign --format der: a DER SignedData (first octet 30), content encapsulated" -- \
	eval "cachet sign --format der -i in.txt -o enc.der ${alice[*]@Q} && test \"\$(first_octet enc.der)\" = 30 &&
		cachet verify -i enc.der --trust '$ROOT' -o enc.content >/dev/null && cmp enc.content in.txt"
ok "sign --format der --detached: verifies only with --content" -- \
	eval "cachet sign --format der --detached -i in.txt -o detd.der ${alice[*]@Q} &&
		! cachet verify -i detd.der --trust '$ROOT' >/dev/null 2>&1 &&
		cachet verify -i detd.der --content in.txt --trust '$ROOT' >/dev/null"
ok "sign --format pem --opaque: CMS PEM armour" -- \
	eval "cachet sign --format pem --opaque -i in.txt -o enc.pem ${alice[*]@Q} && head -1 enc.pem | grep -q '^-----BEGIN CMS-----'"
ok "sign --binary --format der: usage error (exit 2)" -- \
	rc_is 2 cachet sign --binary --format der -i in.txt -o bad.der "${alice[@]}"
ok "sign --binary --format der: no output file" -- test ! -e bad.der

# ---------------------------------------------------------------- verify
ok "verify, no --format, multipart/signed: passes and gives the entity" -- \
	eval "cachet verify -i det.eml --trust '$ROOT' -o det.ent >det.rep && grep -q 'A second line' det.ent &&
		head -1 det.ent | grep -qi '^Content-Type: text/plain'"
ok "verify, no --format, opaque signed-data: passes, the same entity" -- \
	eval "cachet verify -i opq.eml --trust '$ROOT' -o opq.ent >/dev/null && cmp opq.ent det.ent"
ok "verify autodetects DER (file)" -- eval "cachet verify -i enc.der --trust '$ROOT' >/dev/null"
ok "verify autodetects PEM (file)" -- eval "cachet verify -i enc.pem --trust '$ROOT' -o pem.content >/dev/null && cmp pem.content in.txt"
ok "verify autodetects S/MIME (file)" -- eval "cachet verify -i det.eml --trust '$ROOT' | grep -q 'multipart/signed'"
ok "verify autodetects DER from a pipe, nothing lost" -- \
	eval "cat enc.der | cachet verify -i - --trust '$ROOT' -o pipe.content >/dev/null && cmp pipe.content in.txt"
ok "verify autodetects PEM from a pipe, nothing lost" -- \
	eval "cat enc.pem | cachet verify -i - --trust '$ROOT' -o pipe2.content >/dev/null && cmp pipe2.content in.txt"
ok "verify autodetects S/MIME from a pipe, nothing lost" -- \
	eval "cat det.eml | cachet verify -i - --trust '$ROOT' -o pipe.ent >/dev/null && cmp pipe.ent det.ent"
ok "verify --format der on an S/MIME message: the given form wins (exit 3)" -- \
	rc_is 3 cachet verify --format der -i det.eml --trust "$ROOT"
ok "verify --format smime on DER: the given form wins (exit 3)" -- \
	rc_is 3 cachet verify --format smime -i enc.der --trust "$ROOT"
ok "verify --content with a detected S/MIME message: usage error (exit 2)" -- \
	rc_is 2 cachet verify -i det.eml --content in.txt --trust "$ROOT"
ok "verify --cert/--key with a detected DER input: usage error (exit 2)" -- \
	rc_is 2 cachet verify -i enc.der --trust "$ROOT" "${dec_alice[@]}"
sed 's/A second line/A second lime/' det.eml >tampered.eml
ok "verify a tampered multipart/signed: exit 1, CACHET_E_DIGEST_MISMATCH, no output" -- \
	eval "cachet verify -i tampered.eml --trust '$ROOT' -o t.ent >/dev/null 2>t.err; test \$? = 1 &&
		stderr_has t.err CACHET_E_DIGEST_MISMATCH && test ! -e t.ent && no_temp_left ."

# ---------------------------------------------------------------- --no-certs
ok "sign --no-certs (S/MIME): exits 0" -- cachet sign --no-certs -i in.eml -o nc.eml --signer "$PKI/alice.crt.pem" --key "$PKI/alice.key.pem"
ok "sign --no-certs: the SignedData holds no certificate" -- \
	eval "openssl smime -pk7out -in nc.eml -out nc.p7 &&
		openssl pkcs7 -in nc.p7 -print_certs -out nc.certs && ! grep -q CERTIFICATE nc.certs"
ok "sign (certificates in): the SignedData holds alice's" -- \
	eval "openssl smime -pk7out -in det.eml -out det.p7 && openssl pkcs7 -in det.p7 -print_certs | grep -q 'CN *= *Alice'"
ok "verify --no-certs message without --certs: CACHET_E_NO_SIGNER_CERT (exit 1)" -- \
	eval "cachet verify -i nc.eml --trust '$ROOT' >/dev/null 2>nc.err; test \$? = 1 && stderr_has nc.err CACHET_E_NO_SIGNER_CERT"
ok "verify --no-certs message with --certs: passes" -- \
	eval "cat '$PKI/alice.crt.pem' '$CHAIN' >alice-chain.pem && cachet verify -i nc.eml --trust '$ROOT' --certs alice-chain.pem >/dev/null"

# ---------------------------------------------------------------- encrypt, decrypt
ok "encrypt, no --format: exits 0" -- cachet encrypt -i in.eml -o gcm.eml --to "$PKI/alice.crt.pem"
ok "encrypt default (aes-128-gcm): smime-type=authEnveloped-data (RFC 8551 section 3.4)" -- \
	eval "header_of gcm.eml | grep -i '^Content-Type: application/pkcs7-mime' | grep -q 'smime-type=authEnveloped-data' &&
		grep -q 'name=smime.p7m' gcm.eml && head -3 gcm.eml | grep -q '^Subject: defaults'"
ok "encrypt --cipher aes-256-cbc: smime-type=enveloped-data (RFC 8551 section 3.3)" -- \
	eval "cachet encrypt --cipher aes-256-cbc -i in.eml -o cbc.eml --to '$PKI/alice.crt.pem' &&
		header_of cbc.eml | grep -i '^Content-Type: application/pkcs7-mime' | grep -q 'smime-type=enveloped-data'"
ok "decrypt, no --format: the inner MIME entity" -- \
	eval "cachet decrypt -i gcm.eml -o gcm.ent ${dec_alice[*]@Q} && head -1 gcm.ent | grep -qi '^Content-Type: text/plain' &&
		grep -q 'A second line' gcm.ent && ! grep -q '^Subject:' gcm.ent"
ok "decrypt enveloped-data: the same entity" -- \
	eval "cachet decrypt -i cbc.eml -o cbc.ent ${dec_alice[*]@Q} && cmp cbc.ent gcm.ent"
ok "decrypt -v names the detected form" -- \
	eval "cachet decrypt -v -i gcm.eml -o /dev/null ${dec_alice[*]@Q} 2>v.err && grep -q '^Input: S/MIME (detected)' v.err"
ok "encrypt --format der and pem: CMS (first octet 30, PEM armour)" -- \
	eval "cachet encrypt --format der -i in.txt -o e.der --to '$PKI/alice.crt.pem' && test \"\$(first_octet e.der)\" = 30 &&
		cachet encrypt --format pem -i in.txt -o e.pem --to '$PKI/alice.crt.pem' && head -1 e.pem | grep -q '^-----BEGIN CMS-----'"
ok "decrypt autodetects DER (file)" -- eval "cachet decrypt -i e.der -o d1 ${dec_alice[*]@Q} && cmp d1 in.txt"
ok "decrypt autodetects PEM (file)" -- eval "cachet decrypt -i e.pem -o d2 ${dec_alice[*]@Q} && cmp d2 in.txt"
ok "decrypt autodetects S/MIME (file)" -- eval "cachet decrypt -v -i cbc.eml -o d3 ${dec_alice[*]@Q} 2>d3.err && cmp d3 gcm.ent"
ok "decrypt autodetects DER from a pipe" -- eval "cat e.der | cachet decrypt -i - -o d4 ${dec_alice[*]@Q} && cmp d4 in.txt"
ok "decrypt autodetects PEM from a pipe" -- eval "cat e.pem | cachet decrypt -i - -o d5 ${dec_alice[*]@Q} && cmp d5 in.txt"
ok "decrypt autodetects S/MIME from a pipe" -- eval "cat gcm.eml | cachet decrypt -i - -o d6 ${dec_alice[*]@Q} && cmp d6 gcm.ent"
ok "decrypt --format der on an S/MIME message: exit 3, no output" -- \
	eval "cachet decrypt --format der -i gcm.eml -o d7 ${dec_alice[*]@Q} 2>/dev/null; test \$? = 3 && test ! -e d7"
ok "decrypt --trust with a detected DER input: usage error (exit 2)" -- \
	rc_is 2 cachet decrypt -i e.der -o d8 "${dec_alice[@]}" --trust "$ROOT"
ok "decrypt with bob's key: exit 1, CACHET_E_DECRYPT_FAILED, no output" -- \
	eval "cachet decrypt -i gcm.eml -o d9 --cert '$PKI/bob.crt.pem' --key '$PKI/bob.key.pem' 2>d9.err; test \$? = 1 &&
		stderr_has d9.err CACHET_E_DECRYPT_FAILED && test ! -e d9 && no_temp_left ."
ok "encrypt --content-key without --format: usage error (EncryptedData has no S/MIME form)" -- \
	rc_is 2 cachet encrypt -i in.txt -o ck.eml --content-key 000102030405060708090a0b0c0d0e0f --cipher aes-128-cbc
ok "encrypt --content-key --format der: EncryptedData, decrypt autodetects it" -- \
	eval "cachet encrypt --format der -i in.txt -o ck.der --content-key 000102030405060708090a0b0c0d0e0f --cipher aes-128-cbc &&
		cachet decrypt -i ck.der -o ck.out --content-key 000102030405060708090a0b0c0d0e0f && cmp ck.out in.txt"

# ---------------------------------------------------------------- --binary (RFC 8551 section 3.1.2)
ok "encrypt without --binary: the entity is quoted-printable, 7-bit" -- \
	eval "grep -q '^Content-Transfer-Encoding: quoted-printable' gcm.ent && ! has_8bit gcm.ent"
ok "encrypt --binary: the 8-bit octets stay, no transfer encoding added" -- \
	eval "cachet encrypt --binary -i in.eml -o bin.eml --to '$PKI/alice.crt.pem' &&
		cachet decrypt -i bin.eml -o bin.ent ${dec_alice[*]@Q} && has_8bit bin.ent &&
		grep -q \$'caf\\xc3\\xa9' bin.ent && ! grep -q 'quoted-printable' bin.ent"
ok "encrypt --binary --format der: usage error (exit 2)" -- \
	rc_is 2 cachet encrypt --binary --format der -i in.txt -o bb.der --to "$PKI/alice.crt.pem"
ok "compress --format smime: smime-type=compressed-data (RFC 8551 section 3.6)" -- \
	eval "cachet compress --format smime -i in.eml -o z.eml &&
		header_of z.eml | grep -i '^Content-Type: application/pkcs7-mime' | grep -q 'smime-type=compressed-data'"
ok "decompress --format smime: the inner entity (quoted-printable, as encrypt made it)" -- \
	eval "cachet decompress --format smime -i z.eml -o z.ent && cmp z.ent gcm.ent"
ok "decompress --format smime from a pipe to stdout" -- \
	eval "cat z.eml | cachet decompress --format smime -i - -o - >z2.ent && cmp z2.ent gcm.ent"
ok "compress --binary --format smime: the 8-bit octets stay" -- \
	eval "cachet compress --format smime --binary -i in.eml -o zb.eml && cachet decompress --format smime -i zb.eml -o zb.ent &&
		has_8bit zb.ent && cmp zb.ent bin.ent"
ok "compress --binary without --format smime: usage error (exit 2)" -- \
	rc_is 2 cachet compress --binary -i in.eml -o zz.der
ok "decompress (CMS by default) of an S/MIME message: exit 3, no output" -- \
	eval "cachet decompress -i z.eml -o z3 2>/dev/null; test \$? = 3 && test ! -e z3"
ok "decompress --format smime of a message without S/MIME layer: exit 3, no output" -- \
	eval "cachet decompress --format smime -i in.eml -o z4 2>/dev/null; test \$? = 3 && test ! -e z4"
ok "decompress --format smime --max-size: usage error (exit 2)" -- \
	rc_is 2 cachet decompress --format smime --max-size 10 -i z.eml -o z5

# ---------------------------------------------------------------- openssl reads the defaults
ok "openssl smime -verify of the default sign output gives the entity" -- \
	eval "openssl smime -verify -in det.eml -CAfile '$ROOT' -out o.ent 2>/dev/null && cmp o.ent det.ent"
ok "openssl cms -verify of sign --opaque gives the entity" -- \
	eval "openssl cms -verify -in opq.eml -CAfile '$ROOT' -out o2.ent 2>/dev/null && cmp o2.ent det.ent"
ok "openssl cms -decrypt of the default encrypt output gives the entity" -- \
	eval "openssl cms -decrypt -in gcm.eml -recip '$PKI/alice.crt.pem' -inkey '$PKI/alice.key.pem' -out o3.ent && cmp o3.ent gcm.ent"
ok "openssl smime -sign output: cachet verify (no --format) passes" -- \
	eval "openssl smime -sign -in in.txt -signer '$PKI/alice.crt.pem' -inkey '$PKI/alice.key.pem' -certfile '$CHAIN' -out os.eml &&
		cachet verify -i os.eml --trust '$ROOT' >/dev/null"

done_testing
