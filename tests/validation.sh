#!/bin/bash
# validation.sh -- certificate validation in `cachet verify` (RFC 8550
# sections 3 and 4, RFC 5280 section 6, revocation from CRLs and OCSP
# responses given offline).
#
# Each identity of vectors/identities (made by vectors/make-identities.sh)
# signs a message; `cachet verify --format der --trust ca.crt.pem` must
# give the verdict its rule says: the valid ones pass every certificate-*
# check, each negative one fails exactly ITS named check with ITS code and
# exit status 1.  Every run validates at 2030-06-01 (--at), inside the
# identities' fixed 2020..2050 windows, so the verdicts do not age.  The
# RFC 9216 chains (CACHET_VECTORS) validate, directly and cross-signed.
# A missing tool or vectors directory is a failure, not a skip.
. "$(dirname "$0")/cli-lib.sh"

require python3 openssl

ID=$top_srcdir/vectors/identities
CA=$ID/ca.crt.pem
AT=2030-06-01T00:00:00Z
printf 'validation test message\n' >in.txt

# sign_id NAME: in.txt signed by identity NAME into NAME.p7 (DER).
sign_id()
{
	"$CACHET" sign --format der -i in.txt -o "$1.p7" --signer "$ID/$1.crt.pem" --key "$ID/$1.key.pem"
}

# vjson NAME RC ARGS...: verify NAME.p7 at $AT trusting the test CA; the
# JSON report goes to NAME.json (or to $OUT when set); true when the exit
# status is RC.
vjson()
{
	local name=$1 rc=$2
	shift 2
	verify_json "${OUT:-$name.json}" "$rc" --format der -i "$name.p7" --trust "$CA" --at "$AT" "$@"
}

# only_fails JSON [CHECK=CODE]: the certificate-* checks of signer 0 that
# failed are exactly the ones given (none: all passed and the verdict is
# valid), each with its code; the signer's verdict is the first failure.
only_fails()
{
	python3 - "$@" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
want = dict(a.split("=", 1) for a in sys.argv[2:])
s = r["signers"][0]
names = [c["name"] for c in s["checks"]]
for n in ("certificate-path", "certificate-validity", "certificate-basic-constraints",
          "certificate-key-usage", "certificate-extended-key-usage", "certificate-key-size",
          "certificate-critical-extensions", "certificate-email", "certificate-revocation"):
    assert names.count(n) == 1, "check %s appears %d times" % (n, names.count(n))
got = {c["name"]: c["code"] for c in s["checks"] if c["status"] == "fail"}
assert got == want, "failed checks %s, want %s" % (got, want)
if want:
    assert s["verdict"] == "invalid" and s["code"] in want.values(), (s["verdict"], s["code"])
else:
    assert s["verdict"] == "valid" and r["result"] == "valid", (s["verdict"], r["result"])
EOF
}

# detail_has JSON CHECK STATUS TEXT...: CHECK has STATUS and its detail
# holds every TEXT.
detail_has()
{
	python3 - "$@" <<'EOF'
import json, sys
js, name, status = sys.argv[1:4]
c = [c for c in json.load(open(js))["signers"][0]["checks"] if c["name"] == name]
assert len(c) == 1, "no check %s" % name
assert c[0]["status"] == status, "%s is %s, want %s" % (name, c[0]["status"], status)
for t in sys.argv[4:]:
    assert t in c[0]["detail"], "%r not in %r" % (t, c[0]["detail"])
EOF
}

for f in ca.crt.pem ca.crl.pem chain.pem valid.ocsp.der revoked-ocsp.ocsp.der; do
	[ -s "$ID/$f" ]
	tap_result $? "identity file $f is there"
done

ids="valid enc chained expired notyet noeku noku mismatch weak critext undernotca undersubca revoked-crl revoked-ocsp selfsigned"
for n in $ids; do
	ok "$n signs a message" -- sign_id "$n"
done

# ---------------------------------------------------------------- valid
ok "valid: every certificate check passes" -- eval '
	vjson valid 0 --email valid@example.org && only_fails valid.json'
ok "valid: revocation not checked without CRL or OCSP response (info)" -- \
	detail_has valid.json certificate-revocation info "no network access"
ok "valid: the address check passes" -- \
	detail_has valid.json certificate-email pass "valid@example.org"
ok "valid: without --email the address check is skipped" -- eval '
	OUT=noemail.json vjson valid 0 && detail_has noemail.json certificate-email skip'
ok "valid: the domain compares without regard to case (RFC 5280 4.2.1.6)" -- eval '
	OUT=case.json vjson valid 0 --email valid@EXAMPLE.org && only_fails case.json'
ok "valid: the local part compares exactly" -- eval '
	OUT=lcase.json vjson valid 1 --email VALID@example.org &&
	only_fails lcase.json certificate-email=CACHET_E_CERT_EMAIL_MISMATCH'
ok "chained: passes with the intermediate from --certs" -- eval '
	vjson chained 0 --certs "$ID/chain.pem" && only_fails chained.json &&
	detail_has chained.json certificate-path pass "path of 2 certificates"'
mkdir certdir && cp "$ID/int-ca.crt.pem" certdir/ && printf 'not a certificate\n' >certdir/junk.txt
ok "chained: passes with the intermediate from --cert-dir (junk skipped)" -- eval '
	OUT=cdir.json vjson chained 0 --cert-dir certdir && only_fails cdir.json'
ok "chained: without the intermediate the path is untrusted" -- eval '
	OUT=noint.json vjson chained 1 &&
	only_fails noint.json certificate-path=CACHET_E_CERT_UNTRUSTED'

# ------------------------------------------------ one check per identity
neg()
{
	local name=$1 check=$2 code=$3
	shift 3
	extra=("$@")
	ok "$name: fails $check with $code, exit 1" -- eval '
		vjson "$name" 1 "${extra[@]}" && only_fails "$name.json" "$check=$code"'
}
neg expired certificate-validity CACHET_E_CERT_EXPIRED
neg notyet certificate-validity CACHET_E_CERT_NOT_YET_VALID
neg noeku certificate-extended-key-usage CACHET_E_CERT_EXT_KEY_USAGE
neg noku certificate-key-usage CACHET_E_CERT_KEY_USAGE
neg enc certificate-key-usage CACHET_E_CERT_KEY_USAGE
neg mismatch certificate-email CACHET_E_CERT_EMAIL_MISMATCH --email mismatch@example.org
neg weak certificate-key-size CACHET_E_WEAK_KEY
neg critext certificate-critical-extensions CACHET_E_CERT_CRITICAL_EXTENSION
neg undernotca certificate-basic-constraints CACHET_E_CERT_BASIC_CONSTRAINTS --certs "$ID/notca.crt.pem"
neg undersubca certificate-basic-constraints CACHET_E_CERT_BASIC_CONSTRAINTS --certs "$ID/chain.pem" \
	--certs "$ID/subca.crt.pem"
neg selfsigned certificate-path CACHET_E_CERT_UNTRUSTED
neg revoked-crl certificate-revocation CACHET_E_CERT_REVOKED --crl "$ID/ca.crl.pem"
neg revoked-ocsp certificate-revocation CACHET_E_CERT_REVOKED --ocsp-response "$ID/revoked-ocsp.ocsp.der"

ok "expired: the message names the date" -- \
	detail_has expired.json certificate-validity fail "expired" "2021-01-01T00:00:00Z"
ok "notyet: the message names the date" -- \
	detail_has notyet.json certificate-validity fail "not yet valid" "2045-01-01T00:00:00Z"
ok "noeku: the message names the purpose seen" -- \
	detail_has noeku.json certificate-extended-key-usage fail "serverAuth" "emailProtection"
ok "noku: the message names the missing usages" -- \
	detail_has noku.json certificate-key-usage fail "digitalSignature" "nonRepudiation"
ok "mismatch: the message names both addresses" -- \
	detail_has mismatch.json certificate-email fail "mismatch@example.org" "mallory@example.net"
ok "mismatch: the certificate's own address passes" -- eval '
	OUT=mm.json vjson mismatch 0 --email mallory@example.net && only_fails mm.json'
ok "weak: the message names the size and --legacy" -- \
	detail_has weak.json certificate-key-size fail "1024-bit" "--legacy"
ok "weak: --legacy accepts it with a warning (RFC 8550 section 6)" -- eval '
	OUT=weakl.json vjson weak 0 --legacy && only_fails weakl.json &&
	detail_has weakl.json certificate-key-size info "WARNING"'
ok "critext: the message names the extension" -- \
	detail_has critext.json certificate-critical-extensions fail "1.3.6.1.4.1.55555.1.1"
ok "undernotca: the message names the issuer that is not a CA" -- \
	detail_has undernotca.json certificate-basic-constraints fail "Not A CA" "cA is FALSE"
ok "undersubca: the message names the pathLenConstraint broken" -- \
	detail_has undersubca.json certificate-basic-constraints fail "Validation Intermediate CA" \
	"pathLenConstraint 0"
ok "selfsigned: the message says untrusted root" -- \
	detail_has selfsigned.json certificate-path fail "untrusted root"
ok "selfsigned: trusted as its own anchor it passes" -- eval '
	"$CACHET" verify --json --format der -i selfsigned.p7 --trust "$ID/selfsigned.crt.pem" --at "$AT" >ss.json &&
	only_fails ss.json'

# RFC 8398: the SmtpUTF8Mailbox compares with the local part exact and
# the domain in U-labels or A-labels alike; rfc822Name holds A-labels.
sign_id intl
intl()
{
	local want=$1 addr=$2
	"$CACHET" verify --json --format der -i intl.p7 --trust "$CA" --at "$AT" --email "$addr" >intl.json
	if [ "$want" = pass ]; then only_fails intl.json; else
		only_fails intl.json certificate-email=CACHET_E_CERT_EMAIL_MISMATCH; fi
}
ok "intl: SmtpUTF8Mailbox jörg@bücher.example matches (RFC 8398)" -- eval '
	intl pass "jörg@bücher.example" && detail_has intl.json certificate-email pass SmtpUTF8Mailbox'
ok "intl: the same mailbox with the domain in A-labels matches" -- intl pass "jörg@xn--bcher-kva.example"
ok "intl: an rfc822Name in A-labels matches its U-label form" -- eval '
	intl pass "info@bücher.example" && detail_has intl.json certificate-email pass rfc822Name'
ok "intl: jorg is not jörg" -- intl fail "jorg@bücher.example"
ok "intl: the UTF-8 local part compares exactly (Jörg is not jörg)" -- intl fail "Jörg@bücher.example"

# ---------------------------------------------------------------- revocation
ok "revoked-crl: date and reason keyCompromise from the CRL" -- \
	detail_has revoked-crl.json certificate-revocation fail "2025-03-01T12:00:00Z" keyCompromise CRL
ok "revoked-ocsp: date and reason keyCompromise from the OCSP response" -- \
	detail_has revoked-ocsp.json certificate-revocation fail "2025-04-01T12:00:00Z" keyCompromise OCSP
ok "revoked-crl: without the CRL it passes (status not known)" -- eval '
	OUT=rc0.json vjson revoked-crl 0 && only_fails rc0.json'
ok "revoked-crl: the CRL before the revocation date does not revoke" -- eval '
	"$CACHET" verify --json --format der -i revoked-crl.p7 --trust "$CA" --at 2025-02-01T00:00:00Z \
		--crl "$ID/ca.crl.pem" >early.json; only_fails early.json'
mkdir crldir && cp "$ID/ca.crl.pem" crldir/ && printf 'junk\n' >crldir/README
ok "revoked-crl: found through --crl-dir (junk skipped)" -- eval '
	OUT=rcd.json vjson revoked-crl 1 --crl-dir crldir &&
	only_fails rcd.json certificate-revocation=CACHET_E_CERT_REVOKED'
ok "valid: a current CRL without it passes the revocation check" -- eval '
	OUT=vcrl.json vjson valid 0 --crl "$ID/ca.crl.pem" && only_fails vcrl.json &&
	detail_has vcrl.json certificate-revocation pass "not revoked"'
ok "valid: a good OCSP response passes the revocation check" -- eval '
	OUT=vocsp.json vjson valid 0 --ocsp-response "$ID/valid.ocsp.der" &&
	detail_has vocsp.json certificate-revocation pass "not revoked"'
ok "valid: another certificate's OCSP response does not count" -- eval '
	OUT=vother.json vjson valid 0 --ocsp-response "$ID/revoked-ocsp.ocsp.der" &&
	detail_has vother.json certificate-revocation info'
ok "--require-revocation-check without status fails" -- eval '
	OUT=req.json vjson valid 1 --require-revocation-check &&
	only_fails req.json certificate-revocation=CACHET_E_CERT_REVOCATION_UNKNOWN'
ok "--require-revocation-check with a good OCSP response passes" -- eval '
	OUT=req2.json vjson valid 0 --require-revocation-check --ocsp-response "$ID/valid.ocsp.der"'
ok "--require-revocation-check with the CRL passes" -- eval '
	OUT=req3.json vjson valid 0 --require-revocation-check --crl "$ID/ca.crl.pem"'
ok "--require-revocation-check: a CRL not yet current does not count" -- eval '
	"$CACHET" verify --json --format der -i valid.p7 --trust "$CA" --at 2024-06-01T00:00:00Z \
		--crl "$ID/ca.crl.pem" --require-revocation-check >stale.json;
	only_fails stale.json certificate-revocation=CACHET_E_CERT_REVOCATION_UNKNOWN &&
	detail_has stale.json certificate-revocation fail "not current"'
# A response whose signature does not verify is not used (RFC 6960
# section 4.2.2.2): flip one octet inside its signature value.
python3 - "$ID/revoked-ocsp.ocsp.der" bad.ocsp.der <<'EOF'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
# The BIT STRING of the BasicOCSPResponse signature: the last 03 82 01 01 00
# (a 2048-bit RSA signature) before the certificates.
i = d.rfind(b"\x03\x82\x01\x01\x00")
assert i > 0
d[i + 40] ^= 0x01
open(sys.argv[2], "wb").write(d)
EOF
ok "an OCSP response with a broken signature is not used" -- eval '
	OUT=badsig.json vjson revoked-ocsp 1 --ocsp-response bad.ocsp.der --require-revocation-check &&
	only_fails badsig.json certificate-revocation=CACHET_E_CERT_REVOCATION_UNKNOWN &&
	detail_has badsig.json certificate-revocation fail "RFC 6960 section 4.2.2.2"'
printf 'garbage' >bad.crl
ok "a CRL file that is not a CRL is refused (exit 3, CACHET_E_MALFORMED)" -- eval '
	rc_is 3 "$CACHET" verify --format der -i valid.p7 --trust "$CA" --crl bad.crl 2>crl.err &&
	stderr_has crl.err CACHET_E_MALFORMED'
head -c 100 "$ID/valid.ocsp.der" >trunc.der
ok "a truncated OCSP response is refused (exit 3, CACHET_E_MALFORMED)" -- eval '
	rc_is 3 "$CACHET" verify --format der -i valid.p7 --trust "$CA" --ocsp-response trunc.der 2>ocsp.err &&
	stderr_has ocsp.err CACHET_E_MALFORMED'
ok "--system-trust: the test CA is not a system anchor" -- eval '
	"$CACHET" verify --json --format der -i valid.p7 --system-trust --at "$AT" >sys.json;
	only_fails sys.json certificate-path=CACHET_E_CERT_UNTRUSTED'
ok "the text report names every certificate check" -- eval '
	"$CACHET" verify --format der -i valid.p7 --trust "$CA" --at "$AT" >valid.txt &&
	for c in path validity basic-constraints key-usage extended-key-usage key-size \
		critical-extensions email revocation; do grep -q "certificate-$c:" valid.txt || exit 1; done'

# ---------------------------------------------------------------- RFC 9216
V=${CACHET_VECTORS:-}
K=$V/rfc9216-keys
if [ -z "$V" ] || [ ! -f "$K/ca-rsa.cert.pem" ]; then
	tap_result 1 "the RFC 9216 keys are there (CACHET_VECTORS='$V')"
else
	for u in alice bob carlos dana; do
		"$CACHET" sign --format der -i in.txt -o "$u.p7" --signer "$K/$u.sign.cert.pem" \
			--key "$K/$u.sign.key.pem"
		for anchor in ca-rsa ca-ed25519; do
			ok "RFC 9216: $u's signing certificate validates to $anchor (cross-signed CA as intermediate)" -- eval '
				"$CACHET" verify --json --format der -i "$u.p7" --trust "$K/$anchor.cert.pem" \
					--certs "$K/ca-rsa.cross.cert.pem" --certs "$K/ca-ed25519.cross.cert.pem" \
					--email "$u@smime.example" --at "$AT" >"$u-$anchor.json" &&
				only_fails "$u-$anchor.json"'
		done
		ok "RFC 9216: $u without the other CA's cross certificate validates only to its own" -- eval '
			"$CACHET" verify --json --format der -i "$u.p7" --trust "$K/ca-rsa.cert.pem" \
				--trust "$K/ca-ed25519.cert.pem" --at "$AT" >"$u-both.json" && only_fails "$u-both.json"'
	done
fi

# ---------------------------------------------------------------- BouncyCastle
# The validator.* messages (2006, SHA-1 and RSA-1024: --legacy) at the
# time the manifest names.  Their multipart/signed digest fails for a
# reason of its own (bare LF, see tests/vectors-smime-exceptions.md
# canon-lf); the certificate checks are judged all the same, and each
# message must fail exactly the certificate check the manifest's verdict
# is about.
B=$V/bouncycastle/smime
# smime_cert_fails JSON [CHECK=CODE...]: the failed certificate-* checks
# of the first signed layer's first signer are exactly these.
smime_cert_fails()
{
	python3 - "$@" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
want = dict(a.split("=", 1) for a in sys.argv[2:])
v = [l for l in r["layers"] if "verify" in l][0]["verify"]
s = v["signers"][0]
got = {c["name"]: c["code"] for c in s["checks"]
       if c["status"] == "fail" and c["name"].startswith("certificate-")}
assert got == want, "failed certificate checks %s, want %s" % (got, want)
EOF
}
if [ ! -f "$B/validator.root.crt" ]; then
	tap_result 1 "the BouncyCastle validator messages are there"
else
	bc()
	{
		local m=$1
		shift
		bcargs=("$@")
		ok "BouncyCastle validator.$m: certificate verdict ${bcargs[*]:-valid}" -- eval '
			"$CACHET" verify --json --format smime -i "$B/validator.$m.eml" --trust "$B/validator.root.crt" \
				--at 2006-09-04 --legacy --email arminha@student.ethz.ch --crl "$B/validator.revoked.crl" \
				>"bc-$m.json" 2>/dev/null;
			smime_cert_fails "bc-$m.json" "${bcargs[@]}"'
	}
	bc validMail
	bc longValidity
	bc shortKey
	bc expired certificate-validity=CACHET_E_CERT_EXPIRED
	bc notYetValid certificate-validity=CACHET_E_CERT_NOT_YET_VALID
	bc keyUsage certificate-key-usage=CACHET_E_CERT_KEY_USAGE
	bc extKeyUsage certificate-extended-key-usage=CACHET_E_CERT_EXT_KEY_USAGE
	bc noEmail certificate-email=CACHET_E_CERT_EMAIL_MISMATCH
	bc revoked certificate-revocation=CACHET_E_CERT_REVOKED
	ok "BouncyCastle validator.shortKey: the 512-bit key is a warning under --legacy" -- \
		grep -q "WARNING weak key accepted by the legacy policy: 512-bit" bc-shortKey.json
fi

# ------------------------------------------------ addresses and keyUsage
# Three more signers issued here by the test CA (P-256, emailProtection):
# one without a keyUsage extension (RFC 8550 section 4.4.2: presume
# digitalSignature and nonRepudiation), one whose only address is the
# PKCS #9 emailAddress in the subject, one with no address at all
# (section 3: recognise and accept it).
cat >extra.cnf <<'EOF'
[ v_noku ]
basicConstraints = critical, CA:FALSE
extendedKeyUsage = emailProtection
subjectAltName = email:nokuext@example.org
[ v_plain ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection
EOF
# extra_id NAME SUBJECT SECTION [GENPKEY-OPTIONS...]: NAME.crt and NAME.key
# (P-256 unless the options say otherwise) issued by the test CA, and
# NAME.p7 signed with them.
extra_id()
{
	local name=$1 subj=$2 sect=$3
	shift 3
	[ $# -gt 0 ] || set -- -algorithm EC -pkeyopt ec_paramgen_curve:P-256
	openssl genpkey "$@" -out "$name.key" 2>/dev/null &&
	openssl req -new -key "$name.key" -subj "$subj" -out "$name.csr" 2>/dev/null &&
	openssl x509 -req -in "$name.csr" -CA "$CA" -CAkey "$ID/ca.key.pem" -set_serial "0x$(openssl rand -hex 8)" \
		-days 7300 -extfile extra.cnf -extensions "$sect" -out "$name.crt" 2>/dev/null &&
	"$CACHET" sign --format der -i in.txt -o "$name.p7" --signer "$name.crt" --key "$name.key"
}
# [rfc8550-4.4.2-ku-absent]
ok "nokuext: a signer without a keyUsage extension passes certificate-key-usage (RFC 8550 section 4.4.2)" -- eval '
	extra_id nokuext "/O=Cachet Test/CN=No Key Usage Signer" v_noku &&
	vjson nokuext 0 --email nokuext@example.org && only_fails nokuext.json &&
	detail_has nokuext.json certificate-key-usage pass "no keyUsage extension"'
# [rfc8550-3-dn-email]
ok "dnemail: the emailAddress in the subject is the signer's address (RFC 8550 section 3)" -- eval '
	extra_id dnemail "/O=Cachet Test/CN=DN Address Signer/emailAddress=dnemail@example.org" v_plain &&
	vjson dnemail 0 --email dnemail@example.org && only_fails dnemail.json &&
	detail_has dnemail.json certificate-email pass "dnemail@example.org"'
# [rfc8550-3-no-email-accept]
ok "noaddr: a signer certificate without any address validates (RFC 8550 section 3)" -- eval '
	extra_id noaddr "/O=Cachet Test/CN=No Address Signer" v_plain &&
	vjson noaddr 0 && only_fails noaddr.json'

# ------------------------------------------------ RSA keys over 4096 bits
# [rfc8550-4.3-rsa-large]: RFC 8550 section 4.3, for receiving agents,
# "4096 < key size : MAY"; Cachet takes them (no upper bound).
ok "big: a signer with an RSA-4608 key validates, certificate-key-size passes (RFC 8550 section 4.3)" -- eval '
	extra_id big "/O=Cachet Test/CN=Big RSA Signer" v_plain -algorithm RSA -pkeyopt rsa_keygen_bits:4608 &&
	vjson big 0 && only_fails big.json && detail_has big.json certificate-key-size pass &&
	detail_has big.json signature pass "4608-bit key"'

# ------------------------------------------------ subjectKeyIdentifier shared
# [rfc8551-2.6-skid-duplicates]: RFC 8551 section 2.6, "Implementations
# MUST be prepared for multiple certificates for potentially different
# entities to have the same value for subjectKeyIdentifier".  Two signers
# whose certificates carry the same subjectKeyIdentifier sign with --skid;
# whichever certificate is met first, the one whose key verifies is the
# signer's.
cat >>extra.cnf <<'EOF'
[ v_skida ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection
subjectAltName = email:skida@example.org
subjectKeyIdentifier = 5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A
[ v_skidb ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection
subjectAltName = email:skidb@example.org
subjectKeyIdentifier = 5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A:5A
EOF
# signer_is JSON CN: signer 0 is valid and its certificate is CN's.
signer_is()
{
	python3 - "$@" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["signers"][0]
assert s["verdict"] == "valid" and s["identity"].startswith("CN=%s," % sys.argv[2]), (s["verdict"], s["identity"])
PYEOF
}
ok "skid: two signers' certificates with the same subjectKeyIdentifier are issued" -- eval '
	extra_id skida "/O=Cachet Test/CN=Skid A" v_skida && extra_id skidb "/O=Cachet Test/CN=Skid B" v_skidb &&
	cat skidb.crt skida.crt >b-first.pem && cat skida.crt skidb.crt >a-first.pem &&
	"$CACHET" sign --format der -i in.txt -o skida.p7 --signer skida.crt --key skida.key --skid --no-certs &&
	"$CACHET" sign --format der -i in.txt -o skidb.p7 --signer skidb.crt --key skidb.key --skid --no-certs'
for s in a b; do
	for order in a-first b-first; do
		ok "skid: the message of Skid ${s^^}, certificates given $order: valid, signed by Skid ${s^^}" -- eval '
			vjson skid$s 0 --certs $order.pem && signer_is skid$s.json "Skid ${s^^}"'
	done
done
ok "skid: Skid A's message carrying both certificates: valid, signed by Skid A" -- eval '
	"$CACHET" sign --format der -i in.txt -o skidab.p7 --signer skida.crt --key skida.key --skid --chain skidb.crt &&
	vjson skidab 0 && signer_is skidab.json "Skid A"'
ok "skid: Skid A's message with only Skid B's certificate fails the signature" -- eval '
	vjson skida 1 --certs skidb.crt && report_is skida.json check:0:signature:code CACHET_E_BAD_SIGNATURE'

# ---------------------------------------------------------------- man page
MAN=$top_srcdir/doc/cachet-verify.1
for o in --crl --crl-dir --ocsp-response --require-revocation-check --system-trust --cert-dir --email; do
	ok "cachet verify --help and the man page name $o" -- eval '
		"$CACHET" verify --help | grep -q -e "\[$o[] ]" && grep -q -e "^\.It Fl ${o#-} " -e "^\.It Fl ${o#-}\$" "$MAN"'
done
for c in path validity basic-constraints key-usage extended-key-usage key-size critical-extensions \
	email revocation; do
	ok "the man page documents check certificate-$c" -- grep -q "^\.It certificate-$c\$" "$MAN"
done

done_testing
