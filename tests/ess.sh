#!/bin/bash
# ess.sh -- the signing-certificate attributes of RFC 5035: what cachet
# writes (signingCertificateV2), and how it judges SigningCertificateV2
# and SigningCertificate (v1) values made here by hand.  Each edited
# message is signed anew with openssl (resign in cli-lib.sh), so the
# attribute is the only fault: the signature itself verifies.  Values
# are built by an independent encoder (essval.py below: hashlib and
# derutil.py over the PEM certificates), never by cachet.
. "$(dirname "$0")/cli-lib.sh"

require python3 openssl

printf 'ESS tests: a short text to sign.\n' >in.txt
ALICE_KEY=$PKI/alice.key.pem
INTER=$PKI/int-ca.crt.pem

# essval.py VERSION ALGFIELD HASH ISSUERSERIAL CERT [CERT...]: the DER
# (hex) of a SigningCertificateV2 (VERSION v2) or SigningCertificate (v1)
# with one identifier per CERT.  ALGFIELD is the hashAlgorithm written
# in each ESSCertIDv2 (absent, sha256, sha512); HASH the function that
# makes certHash (sha1, sha256, sha512).  ISSUERSERIAL for the first
# identifier: none, ok, serial (the serial number plus one) or issuer
# (the certificate's subject in place of its issuer); the others get ok.
cat >essval.py <<'PYEOF'
import hashlib, sys
sys.path.insert(0, sys.argv[1])
import derutil as d

ALGS = {"sha256": "300b0609608648016503040201", "sha512": "300b0609608648016503040203"}


def tlv(tag, body):
    return bytes([tag]) + d.enc_len(len(body)) + body


def integer(n):
    b = n.to_bytes(n.bit_length() // 8 + 1, "big", signed=True)
    while len(b) > 1 and ((b[0] == 0 and b[1] < 0x80) or (b[0] == 0xFF and b[1] >= 0x80)):
        b = b[1:]
    return tlv(0x02, b)


def issuer_serial(der, mode):
    tbs = d.parse(bytearray(der)).children[0].children
    i = 1 if tbs[0].is_ctx(0) else 0
    serial = int.from_bytes(bytes(tbs[i].content), "big", signed=True)
    name = d.encode(tbs[i + 2] if mode != "issuer" else tbs[i + 4])
    if mode == "serial":
        serial += 1
    return tlv(0x30, tlv(0x30, tlv(0xA4, name)) + integer(serial))


version, algfield, hashfn, mode = sys.argv[2:6]
ids = b""
for k, path in enumerate(sys.argv[6:]):
    der = bytes(d.read_input(path))
    body = b"" if algfield == "absent" else bytes.fromhex(ALGS[algfield])
    body += tlv(0x04, hashlib.new(hashfn, der).digest())
    m = mode if k == 0 else "ok"
    if m != "none":
        body += issuer_serial(der, m)
    ids += tlv(0x30, body)
print(tlv(0x30, tlv(0x30, ids)).hex())
PYEOF
essval() { python3 essval.py "$top_srcdir/tests" "$@"; }

# attr_hex MSG NAME: the DER (hex) of signer 0's signed attribute NAME's
# first value.
attr_hex()
{
	python3 - "$top_srcdir/tests" "$1" "$2" <<'PYEOF'
import sys
sys.path.insert(0, sys.argv[1])
import derutil as d
root = d.parse(d.read_input(sys.argv[2]))
sa = d.signer_parts(d.signer_infos(d.signed_data(root)).children[0])["signedAttrs"]
for name, _, _, values in d.attributes(sa):
    if name == sys.argv[3]:
        print(d.encode(values.children[0]).hex())
PYEOF
}

# ---------------------------------------------------------------- what cachet writes
ok "alice signs (RSA, SHA-256)" -- sign_as alice a.p7 --chain "$CHAIN"
ok "cachet's message verifies" -- verify_json a.json 0 -i a.p7 --trust "$ROOT"
# [rfc5035-2-v2-not-sha1] [rfc5035-3-issuerserial-should]
# [rfc5035-4-issuer-directoryname]: one ESSCertIDv2, hashAlgorithm left
# out (the DEFAULT id-sha256), certHash the SHA-256 of the whole signer
# certificate, issuerSerial its issuer as a directoryName and its serial.
ok "signingCertificateV2 as written is one ESSCertIDv2 without hashAlgorithm (SHA-256 by default), the signer certificate's SHA-256 and its issuerSerial (issuer as directoryName)" -- \
	eval '[ "$(attr_hex a.p7 signingCertificateV2)" = "$(essval v2 absent sha256 ok "$PKI/alice.crt.pem")" ]'
ok "signingCertificateV2 is a signed attribute with one value; there is no signingCertificate (v1, SHA-1)" -- \
	python3 - "$top_srcdir/tests" a.p7 <<'PYEOF'
import sys
sys.path.insert(0, sys.argv[1])
import derutil as d
root = d.parse(d.read_input(sys.argv[2]))
si = d.signer_infos(d.signed_data(root)).children[0]
attrs = [(n, len(v.children)) for n, _, _, v in d.attributes(d.signer_parts(si)["signedAttrs"])]
assert attrs.count(("signingCertificateV2", 1)) == 1, attrs
assert "signingCertificate" not in [n for n, _ in attrs], attrs
assert not si.children[-1].is_ctx(1), "unsignedAttrs present"
PYEOF
ok "the re-signing helper: an unchanged message signed anew verifies" -- \
	eval 'resign a.p7 r.p7 "$ALICE_KEY" sha256 && verify_json r.json 0 -i r.p7 --trust "$ROOT"'

# ---------------------------------------------------------------- values that pass
# edited DESCRIPTION NAME ARGS...: a.p7 with attribute NAME set to the
# essval ARGS value, signed anew, in e.p7 (e.json: its report).
edited()
{
	local name=$1
	shift
	python3 "$DERUTIL" set-attr a.p7 "$name" e0.p7 "$(essval "$@")" &&
		resign e0.p7 e.p7 "$ALICE_KEY" sha256
}
passes()
{
	verify_json e.json 0 -i e.p7 --trust "$ROOT" &&
		report_is e.json check:0:signing-certificate:status pass
}
fails_mismatch()
{
	verify_json e.json 1 -i e.p7 --trust "$ROOT" &&
		failed_checks e.json signing-certificate=CACHET_E_ATTR_MISMATCH
}

# [rfc5035-3-issuerserial-may-omit]
ok "ESSCertIDv2 without issuerSerial (MAY be omitted): valid, signing-certificate passes" -- \
	eval 'edited signingCertificateV2 v2 absent sha256 none "$PKI/alice.crt.pem" && passes'
ok "ESSCertIDv2 with hashAlgorithm sha512 and a SHA-512 certHash: valid" -- \
	eval 'edited signingCertificateV2 v2 sha512 sha512 ok "$PKI/alice.crt.pem" && passes'
ok "ESSCertIDv2 with a second identifier (the intermediate CA) after the signer's: valid" -- \
	eval 'edited signingCertificateV2 v2 absent sha256 ok "$PKI/alice.crt.pem" "$INTER" && passes'

# ---------------------------------------------------------------- values that fail
# [rfc5035-3-hash-mismatch-invalid]
ok "ESSCertIDv2 without hashAlgorithm but a SHA-512 certHash (absent means SHA-256): only signing-certificate fails, CACHET_E_ATTR_MISMATCH" -- \
	eval 'edited signingCertificateV2 v2 absent sha512 ok "$PKI/alice.crt.pem" && fails_mismatch'
ok "ESSCertIDv2 naming the signer's issuer's certificate: the certificate hash does not match" -- \
	eval 'edited signingCertificateV2 v2 absent sha256 none "$INTER" && fails_mismatch &&
		grep -q "certificate hash in the attribute does not match" e.json'
# [rfc5035-3-first-cert]
ok "ESSCertIDv2 with the intermediate CA first and the signer second: the first identifier must be the signer's (CACHET_E_ATTR_MISMATCH)" -- \
	eval 'edited signingCertificateV2 v2 absent sha256 ok "$INTER" "$PKI/alice.crt.pem" && fails_mismatch'
# [rfc5035-4-issuer-directoryname]
ok "ESSCertIDv2 issuerSerial with the serial number plus one: CACHET_E_ATTR_MISMATCH naming the serial number" -- \
	eval 'edited signingCertificateV2 v2 absent sha256 serial "$PKI/alice.crt.pem" && fails_mismatch &&
		grep -q "names another serial number" e.json'
ok "ESSCertIDv2 issuerSerial with the signer's subject as issuer: CACHET_E_ATTR_MISMATCH naming the issuer" -- \
	eval 'edited signingCertificateV2 v2 absent sha256 issuer "$PKI/alice.crt.pem" && fails_mismatch &&
		grep -q "names another issuer" e.json'

# ---------------------------------------------------------------- SigningCertificate (v1)
# v1: certHash is SHA-1 (RFC 5035 section 5); cachet reads it
# [rfc5035-2-recognize-both], both attributes judged independently.
v1()
{
	python3 "$DERUTIL" del-attr a.p7 signingCertificateV2 v0.p7 &&
		python3 "$DERUTIL" set-attr v0.p7 signingCertificate e0.p7 "$(essval v1 absent "$@")" &&
		resign e0.p7 e.p7 "$ALICE_KEY" sha256
}
ok "signingCertificate (v1) with a SHA-1 certHash and issuerSerial, no v2: valid, signing-certificate passes" -- \
	eval 'v1 sha1 ok "$PKI/alice.crt.pem" && passes &&
		grep -q "signingCertificate names the signer certificate" e.json'
# [rfc5035-5-issuerserial-may-omit]
ok "signingCertificate (v1) without issuerSerial (MAY be omitted): valid" -- \
	eval 'v1 sha1 none "$PKI/alice.crt.pem" && passes'
# [rfc5035-5-hash-mismatch-invalid]
ok "signingCertificate (v1) with a SHA-256 certHash (v1 is SHA-1): CACHET_E_ATTR_MISMATCH" -- \
	eval 'v1 sha256 ok "$PKI/alice.crt.pem" && fails_mismatch'
# [rfc5035-5-first-cert]
ok "signingCertificate (v1) with the intermediate CA first: CACHET_E_ATTR_MISMATCH" -- \
	eval 'v1 sha1 ok "$INTER" "$PKI/alice.crt.pem" && fails_mismatch'
ok "signingCertificate (v1) issuerSerial with another serial number: CACHET_E_ATTR_MISMATCH" -- \
	eval 'v1 sha1 serial "$PKI/alice.crt.pem" && fails_mismatch'
ok "signingCertificate (v1) and signingCertificateV2, both right: valid, each judged" -- \
	eval 'python3 "$DERUTIL" set-attr a.p7 signingCertificate e0.p7 "$(essval v1 absent sha1 ok "$PKI/alice.crt.pem")" &&
		resign e0.p7 e.p7 "$ALICE_KEY" sha256 && passes &&
		python3 -c "import json, sys
c = [x[\"status\"] for x in json.load(open(sys.argv[1]))[\"signers\"][0][\"checks\"] if x[\"name\"] == \"signing-certificate\"]
assert c == [\"pass\", \"pass\"], c" e.json'
ok "signingCertificate (v1) wrong beside a right signingCertificateV2: judged independently, CACHET_E_ATTR_MISMATCH" -- \
	eval 'python3 "$DERUTIL" set-attr a.p7 signingCertificate e0.p7 "$(essval v1 absent sha1 ok "$INTER")" &&
		resign e0.p7 e.p7 "$ALICE_KEY" sha256 && fails_mismatch'

# ---------------------------------------------------------------- instances and values
# [rfc5035-3-single-value] [rfc5035-3-not-zero-or-multiple]
# [rfc5035-5-single-value] [rfc5035-5-not-zero-or-multiple]
for name in signingCertificateV2 signingCertificate; do
	val=$(essval v2 absent sha256 ok "$PKI/alice.crt.pem")
	[ $name = signingCertificate ] && val=$(essval v1 absent sha1 ok "$PKI/alice.crt.pem")
	ok "$name with no value (empty attrValues): signing-certificate fails with CACHET_E_MALFORMED" -- \
		eval 'python3 "$DERUTIL" set-attr a.p7 $name e0.p7 && resign e0.p7 e.p7 "$ALICE_KEY" sha256 &&
			verify_json e.json 3 -i e.p7 --trust "$ROOT" &&
			check_has e.json signing-certificate CACHET_E_MALFORMED &&
			grep -q "must hold exactly one value, not 0" e.json &&
			report_is e.json check:0:signature:status pass'
	ok "$name with two values: signing-certificate fails with CACHET_E_MALFORMED" -- \
		eval 'python3 "$DERUTIL" set-attr a.p7 $name e0.p7 "$val" "$val" &&
			resign e0.p7 e.p7 "$ALICE_KEY" sha256 &&
			verify_json e.json 3 -i e.p7 --trust "$ROOT" &&
			check_has e.json signing-certificate CACHET_E_MALFORMED &&
			grep -q "must hold exactly one value, not 2" e.json &&
			report_is e.json check:0:signature:status pass'
	# [rfc5035-3-no-multiple-instances] [rfc5035-5-no-multiple-instances]
	ok "$name twice among the signed attributes: CACHET_E_ATTR_DUPLICATE" -- \
		eval 'python3 "$DERUTIL" set-attr a.p7 $name e0.p7 "$val" &&
			python3 "$DERUTIL" dup-attr e0.p7 $name e1.p7 &&
			resign e1.p7 e.p7 "$ALICE_KEY" sha256 &&
			verify_json e.json 1 -i e.p7 --trust "$ROOT" &&
			failed_checks e.json signing-certificate=CACHET_E_ATTR_DUPLICATE'
	# [rfc5035-3-signed-not-unsigned] [rfc5035-5-signed-not-unsigned]
	ok "$name also among the unsigned attributes: unsigned-attrs fails with CACHET_E_ATTR_MISMATCH, the signature still verifies" -- \
		eval 'python3 "$DERUTIL" set-attr a.p7 $name e0.p7 "$val" &&
			resign e0.p7 e1.p7 "$ALICE_KEY" sha256 &&
			python3 "$DERUTIL" unsigned-copy e1.p7 $name e.p7 &&
			verify_json e.json 1 -i e.p7 --trust "$ROOT" &&
			failed_checks e.json unsigned-attrs=CACHET_E_ATTR_MISMATCH &&
			grep -q "must be a signed attribute, not an unsigned one" e.json'
done

done_testing
