#!/bin/sh
# make-identities.sh -- generate the test identities for certificate
# validation (RFC 8550, RFC 5280 section 6) into vectors/identities/.
#
# Usage: vectors/make-identities.sh [OUTDIR]   (default: the identities
# directory next to this script).  Needs OpenSSL 3 (`openssl ca` for the
# fixed validity windows and the CRL, `openssl ocsp` as an offline
# index-based responder).  Keys are new on every run; everything else
# (names, serials, validity windows, extensions, CRL dates, revocation
# dates and reasons) is fixed, so the tests' verdicts do not depend on the
# run.  The output is committed; run this only to change the set, and
# record the tool version in identities/README.
#
# Validity windows are fixed and long (2020-01-01 .. 2050-01-01) so the
# tests stay stable for years; they validate at --at 2030-06-01 anyway.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/identities}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/cachet-ids.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

START=20200101000000Z
END=20500101000000Z

cat >ca.cnf <<'EOF'
[ ca ]
default_ca = testca
[ testca ]
dir = .
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
organizationName = optional
commonName = supplied
emailAddress = optional
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = placeholder

# --- extensions, one section per identity kind ---------------------
[ v_root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v_int ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
# A CA under int-ca: breaks int-ca's pathLenConstraint 0 (RFC 5280
# section 4.2.1.9).
[ v_subca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
# RFC 8550 section 4.4.2: signing needs digitalSignature or
# nonRepudiation; section 4.4.4: emailProtection.
[ v_sign ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection
subjectAltName = email:$ENV::EMAIL
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v_enc ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, keyEncipherment
extendedKeyUsage = emailProtection
subjectAltName = email:$ENV::EMAIL
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v_noeku ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = serverAuth
subjectAltName = email:$ENV::EMAIL
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v_critext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection
subjectAltName = email:$ENV::EMAIL
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
# A private arc nobody implements, marked critical (RFC 5280 4.2).
1.3.6.1.4.1.55555.1.1 = critical, DER:05:00
[ v_notca ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyCertSign
extendedKeyUsage = emailProtection
subjectAltName = email:$ENV::EMAIL
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
# RFC 8398: an internationalised mailbox as SmtpUTF8Mailbox, and an
# ASCII local part at the same domain in A-labels as rfc822Name.
[ v_intl ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection
# GeneralNames { otherName SmtpUTF8Mailbox UTF8String "j\u00f6rg@b\u00fccher.example",
# rfc822Name "info@xn--bcher-kva.example" } in DER (OpenSSL 3.0's config
# re-encodes UTF-8 values as if they were Latin-1).
2.5.29.17 = DER:3041a02306082b06010505070809a0170c156ac3b672674062c3bc636865722e6578616d706c65811a696e666f40786e2d2d62636865722d6b76612e6578616d706c65
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v_ocsp ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v_self ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection
subjectAltName = email:$ENV::EMAIL
subjectKeyIdentifier = hash
EOF

mkdir newcerts
: >index.txt
echo 1000 >serial
echo 1000 >crlnumber
export EMAIL=unused@example.org

key() # NAME BITS
{
	openssl genpkey -quiet -algorithm RSA -pkeyopt "rsa_keygen_bits:$2" -out "$1.key.pem"
}

# issue NAME CN EXT ISSUER [START END]: a certificate for NAME's key.
issue()
{
	openssl req -new -config ca.cnf -key "$1.key.pem" -subj "/O=Cachet Validation Test/CN=$2" \
		-out "$1.csr" 2>/dev/null
	openssl ca -batch -config ca.cnf -notext -md sha256 -preserveDN \
		-cert "$4.crt.pem" -keyfile "$4.key.pem" \
		-startdate "${5:-$START}" -enddate "${6:-$END}" \
		-extfile ca.cnf -extensions "$3" -in "$1.csr" -out "$1.crt.pem" 2>/dev/null
}

# The root: self-signed, through `openssl ca -selfsign` for the dates.
key ca 2048
openssl req -new -config ca.cnf -key ca.key.pem -subj "/O=Cachet Validation Test/CN=Validation Root CA" -out ca.csr
openssl ca -batch -config ca.cnf -notext -md sha256 -selfsign -preserveDN \
	-cert ca.csr -keyfile ca.key.pem -startdate $START -enddate $END \
	-extfile ca.cnf -extensions v_root -in ca.csr -out ca.crt.pem 2>/dev/null

key int-ca 2048
issue int-ca "Validation Intermediate CA" v_int ca

# name CN EXT ISSUER EMAIL [BITS START END]
id()
{
	key "$1" "${6:-2048}"
	EMAIL=$5 issue "$1" "$2" "$3" "$4" "${7:-$START}" "${8:-$END}"
}

id valid      "Valid Signer"            v_sign    ca     valid@example.org
id enc        "Encryption Only"         v_enc     ca     enc@example.org
id chained    "Chained Signer"          v_sign    int-ca chained@example.org
id expired    "Expired Signer"          v_sign    ca     expired@example.org 2048 20200101000000Z 20210101000000Z
id notyet     "Not Yet Valid Signer"    v_sign    ca     notyet@example.org  2048 20450101000000Z $END
id noeku      "Server Auth Only"        v_noeku   ca     noeku@example.org
id noku       "Encipherment Only Signer" v_enc    ca     noku@example.org
id mismatch   "Address Mismatch"        v_sign    ca     mallory@example.net
id weak       "Weak Key Signer"         v_sign    ca     weak@example.org    1024
id critext    "Unknown Critical Extension" v_critext ca  critext@example.org
id notca      "Not A CA"                v_notca   ca     notca@example.org
id undernotca "Issued By Not A CA"      v_sign    notca  undernotca@example.org
id intl       "Internationalised Mailbox" v_intl  ca     unused@example.org
key subca 2048
issue subca "Validation Sub CA" v_subca int-ca
id undersubca "Issued Below pathLen 0"  v_sign    subca  undersubca@example.org
id revoked-crl  "Revoked In CRL"        v_sign    ca     revoked-crl@example.org
id revoked-ocsp "Revoked By OCSP"       v_sign    ca     revoked-ocsp@example.org
id ocsp       "Validation OCSP Responder" v_ocsp  ca     ocsp@example.org

# The untrusted self-signed signer (its own issuer; no trust anchor knows it).
key selfsigned 2048
openssl req -new -config ca.cnf -key selfsigned.key.pem \
	-subj "/O=Cachet Validation Test/CN=Self Signed Signer" -out selfsigned.csr
EMAIL=selfsigned@example.org openssl ca -batch -config ca.cnf -notext -md sha256 -selfsign \
	-preserveDN -cert selfsigned.csr -keyfile selfsigned.key.pem -startdate $START -enddate $END \
	-extfile ca.cnf -extensions v_self -in selfsigned.csr -out selfsigned.crt.pem 2>/dev/null

# Revocation with fixed dates: edit the database the way `openssl ca
# -revoke` would, with a revocation time that does not depend on the run
# (RFC 5280 section 5.3.1 reasonCode keyCompromise).
serial_of() { openssl x509 -in "$1.crt.pem" -noout -serial | sed 's/serial=//'; }
revoke() # NAME WHEN
{
	s=$(serial_of "$1")
	awk -F '\t' -v OFS='\t' -v s="$s" -v w="$2,keyCompromise" \
		'$4 == s { $1 = "R"; $3 = w } { print }' index.txt >index.new
	mv index.new index.txt
}
revoke revoked-crl 250301120000Z
openssl ca -gencrl -config ca.cnf -cert ca.crt.pem -keyfile ca.key.pem -md sha256 \
	-crl_lastupdate 20250302000000Z -crl_nextupdate 20491231000000Z -out ca.crl.pem
# The CRL lists revoked-crl only; the OCSP responder knows both.
revoke revoked-ocsp 250401120000Z

# OCSP responses from the offline index-based responder (RFC 6960),
# signed by the delegated responder (id-kp-OCSPSigning).  thisUpdate is
# the run's time; nextUpdate 9000 days later.
ocsp() # NAME
{
	openssl ocsp -issuer ca.crt.pem -cert "$1.crt.pem" -no_nonce -reqout "$1.ocsp-req.der" >/dev/null
	openssl ocsp -index index.txt -CA ca.crt.pem -rsigner ocsp.crt.pem -rkey ocsp.key.pem \
		-reqin "$1.ocsp-req.der" -respout "$1.ocsp.der" -ndays 9000 >/dev/null 2>&1
}
ocsp valid
ocsp revoked-ocsp
ocsp revoked-crl

rm -f "$out"/*.pem "$out"/*.der
for f in ca int-ca valid enc chained expired notyet noeku noku mismatch weak critext \
	notca undernotca subca undersubca intl revoked-crl revoked-ocsp ocsp selfsigned; do
	cp "$f.crt.pem" "$f.key.pem" "$out/"
done
cp ca.crl.pem valid.ocsp.der revoked-ocsp.ocsp.der revoked-crl.ocsp.der "$out/"
cat int-ca.crt.pem >"$out/chain.pem"
openssl version >"$out/TOOL-VERSION"
echo "identities written to $out"
