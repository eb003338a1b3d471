#!/bin/bash
# certs.sh -- `cachet certs`: --make and --extract, their outputs, every
# documented exit status, and that a failure leaves no output file behind
# (neither the target nor out_open's temporary).
. "$(dirname "$0")/cli-lib.sh"

require openssl python3

# fpr FILE...: the sorted SHA-256 fingerprints of the certificates in the
# PEM/DER files, as openssl computes them (the independent oracle).
fpr()
{
	local f
	for f in "$@"; do
		python3 - "$f" <<'PY'
import base64, re, subprocess, sys
data = open(sys.argv[1], 'rb').read()
blocks = re.findall(rb'-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----', data, re.S)
ders = [base64.b64decode(b"".join(b.split())) for b in blocks] if blocks else [data]
for d in ders:
    out = subprocess.run(['openssl', 'x509', '-inform', 'DER', '-noout', '-fingerprint', '-sha256'],
                         input=d, capture_output=True, check=True).stdout.decode()
    print(out.strip().split('=', 1)[1].replace(':', '').lower())
PY
	done | sort -u
}

# --make: DER by default, several inputs, duplicates once.
ok "--make writes a message from PEM and DER inputs" -- \
	cachet certs --make -o all.p7c "$PKI/alice.crt.pem" "$PKI/bob.crt.der" "$CHAIN" "$PKI/alice.crt.der"
ok "the message is DER (openssl asn1parse -strictpem absent: DER parse)" -- \
	openssl asn1parse -inform DER -in all.p7c -noout
ok "openssl lists the 4 distinct certificates" -- \
	test "$(openssl pkcs7 -inform DER -in all.p7c -print_certs -noout | grep -c '^subject=')" = 4
fpr "$PKI/alice.crt.pem" "$PKI/bob.crt.der" "$CHAIN" >want.fpr
cachet certs --extract -i all.p7c -o got.pem
tap_result $? "--extract writes a PEM bundle by default"
fpr got.pem >got.fpr
ok "the bundle holds exactly the given certificates (SHA-256 fingerprints)" -- cmp want.fpr got.fpr

# --format pem, and reading it back.
ok "--make --format pem" -- cachet certs --make --format pem -o all.pem "$PKI/alice.crt.pem" "$CHAIN"
ok "the PEM label is CMS" -- grep -q -- '-----BEGIN CMS-----' all.pem
ok "--extract reads PEM" -- cachet certs --extract -i all.pem -o got2.pem
ok "... the same 3 certificates" -- test "$(grep -c 'BEGIN CERTIFICATE' got2.pem)" = 3

# DER output: one certificate only.
cachet certs --make -o one.p7c "$PKI/bob.crt.pem"
ok "--extract --format der with one certificate" -- cachet certs --extract -i one.p7c -o one.der --format der
ok "... is that certificate's DER" -- same_file one.der "$PKI/bob.crt.der"
rc_is 2 cachet certs --extract -i all.p7c -o many.der --format der 2>err.txt
tap_result $? "--format der with 4 certificates: exit 2"
ok "... says why" -- grep -q 'exactly one' err.txt
ok "... and leaves no file" -- test ! -e many.der
ok "... nor a temporary" -- no_temp_left .

# Listing: -v and --json.
cachet certs --extract -i all.p7c -v >list.txt
tap_result $? "-v lists the certificates"
ok "... subject, issuer, serial, validity, fingerprint" -- \
	grep -q 'subject:    CN=Alice' list.txt
ok "... with the SHA-256 fingerprint openssl computes" -- \
	grep -q "$(fpr "$PKI/alice.crt.der" | sed 's/../&:/g; s/:$//')" list.txt
cachet certs --extract -i all.p7c --json >list.json
tap_result $? "--json"
ok "... is JSON with 4 certificates and certs_only true" -- python3 -c '
import json, sys
d = json.load(open("list.json"))
assert d["certs_only"] is True and len(d["certificates"]) == 4
assert all(len(c["sha256"]) == 64 for c in d["certificates"])'
rc_is 2 cachet certs --extract -i all.p7c -v -o - >/dev/null 2>&1
tap_result $? "-v with -o - (both to standard output): exit 2"

# A signed message: its certificates, noted as signed; --strict is happy.
printf 'hello\n' >in.txt
sign_as alice signed.p7m --chain "$CHAIN"
ok "extract from a signed message" -- cachet certs --extract -i signed.p7m -o s.pem --strict
ok "... 3 certificates" -- test "$(grep -c 'BEGIN CERTIFICATE' s.pem)" = 3
cachet certs --extract -i signed.p7m --json >s.json
ok "... noted as having a SignerInfo" -- python3 -c '
import json
d = json.load(open("s.json"))
assert d["certs_only"] is False and d["signer_infos"] == 1
assert any(f["name"] == "signer-infos" for f in d["findings"])'

# --strict: a certs-only message with eContent, built here in python.
python3 - "$PKI/bob.crt.der" <<'PY'
import sys
def tlv(t, c):
    n = len(c)
    if n < 0x80: h = bytes([t, n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, 'big'); h = bytes([t, 0x80 | len(b)]) + b
    return h + c
cert = open(sys.argv[1], 'rb').read()
data = bytes.fromhex('06092a864886f70d010701'); signed = bytes.fromhex('06092a864886f70d010702')
eci = tlv(0x30, data + tlv(0xa0, tlv(0x04, b'x')))
sd = tlv(0x30, tlv(0x02, b'\x01') + tlv(0x31, b'') + eci + tlv(0xa0, cert) + tlv(0x31, b''))
open('econtent.p7c', 'wb').write(tlv(0x30, signed + tlv(0xa0, sd)))
PY
ok "eContent in a certs-only message: extracted without --strict" -- \
	cachet certs --extract -i econtent.p7c -o e1.pem
rc_is 3 cachet certs --extract -i econtent.p7c -o e2.pem --strict 2>err.txt
tap_result $? "... --strict: exit 3"
ok "... naming the rule" -- grep -q 'RFC 8551 section 3.8' err.txt
ok "... and no output file" -- test ! -e e2.pem

# Exit statuses: usage (2), malformed (3), I/O (4); no output on failure.
rc_is 2 cachet certs >/dev/null 2>&1
tap_result $? "no mode: exit 2"
rc_is 2 cachet certs --make --extract -o x.p7c "$PKI/bob.crt.pem" 2>/dev/null
tap_result $? "two modes: exit 2"
rc_is 2 cachet certs --make "$PKI/bob.crt.pem" 2>/dev/null
tap_result $? "--make without -o: exit 2"
rc_is 2 cachet certs --make -o x.p7c 2>/dev/null
tap_result $? "--make without CERT: exit 2"
rc_is 2 cachet certs --make -o x.p7c --format xml "$PKI/bob.crt.pem" 2>/dev/null
tap_result $? "unknown format: exit 2"
rc_is 2 cachet certs --extract -i all.p7c -o x.pem "$PKI/bob.crt.pem" 2>/dev/null
tap_result $? "--extract with CERT operands: exit 2"
ok "no output after usage errors" -- test ! -e x.p7c -a ! -e x.pem
ok "--help: exit 0" -- cachet certs --help
printf 'not a certificate' >junk.crt
echo previous >keep.p7c
rc_is 3 cachet certs --make -o keep.p7c "$PKI/bob.crt.pem" junk.crt 2>err.txt
tap_result $? "--make with a bad certificate: exit 3"
ok "... names CACHET_E_BAD_CERT" -- stderr_has err.txt CACHET_E_BAD_CERT
ok "... the existing output is untouched" -- test "$(cat keep.p7c)" = previous
ok "... no temporary left" -- no_temp_left .
head -c 100 all.p7c >trunc.p7c
rc_is 3 cachet certs --extract -i trunc.p7c -o t.pem 2>err.txt
tap_result $? "--extract of a truncated message: exit 3"
ok "... no output file" -- test ! -e t.pem
rc_is 3 cachet certs --extract -i junk.crt -o t.pem 2>/dev/null
tap_result $? "--extract of junk: exit 3"
rc_is 4 cachet certs --extract -i does-not-exist -o t.pem 2>/dev/null
tap_result $? "--extract of a missing file: exit 4"
rc_is 4 cachet certs --make -o x.p7c does-not-exist 2>/dev/null
tap_result $? "--make of a missing file: exit 4"
rc_is 4 cachet certs --make -o no-such-dir/x.p7c "$PKI/bob.crt.pem" 2>/dev/null
tap_result $? "--make into a missing directory: exit 4"
ok "stdin and stdout" -- sh -c "'$CACHET' certs --extract <all.p7c | grep -c 'BEGIN CERTIFICATE' | grep -qx 4"

# RFC 8551 section 3.8: a certs-only S/MIME message.
ok "--make --format smime: application/pkcs7-mime certs-only, smime.p7c" -- \
	eval 'cachet certs --make --format smime -o co.eml "$PKI/chain.pem" "$PKI/alice.crt.pem" &&
		grep -q "^MIME-Version: 1.0" co.eml &&
		grep -q "^Content-Type: application/pkcs7-mime; smime-type=certs-only; name=smime.p7c" co.eml &&
		grep -q "^Content-Disposition: attachment; filename=smime.p7c" co.eml'
ok "... openssl smime reads its three certificates" -- \
	eval 'test "$(openssl smime -pk7out -in co.eml | openssl pkcs7 -print_certs -noout | grep -c "^subject")" = 3'
ok "... cachet reads it back as a certs-only layer" -- \
	eval 'cachet verify --format smime -i co.eml --trust "$PKI/root-ca.crt.pem" >co.rep 2>&1;
		grep -q "layer 1: certs-only" co.rep && grep -q "3 certificates, 0 CRLs, 0 SignerInfos" co.rep'
rc_is 2 cachet certs --extract --format smime -i co.eml -o x.pem 2>/dev/null
tap_result $? "--extract --format smime: exit 2 (verify --format smime reads S/MIME)"

done_testing
