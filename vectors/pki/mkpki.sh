#!/bin/bash
# mkpki.sh - generate (or re-issue) the Cachet test PKI.
#
# Writes every output into the directory that holds this script, whatever
# the current working directory is.  The outputs are committed; tests use
# the committed files and never run this script.
#
# Usage:
#   ./mkpki.sh           re-use existing private keys, re-issue all certificates
#   ./mkpki.sh --fresh   generate brand-new private keys, then issue everything
#
# Keys are kept by default so that other test vectors encrypted to or signed
# by these identities stay valid when the certificates are re-issued.
#
# Requires GnuTLS certtool (package gnutls-bin) and openssl.  certtool does
# all key generation and issuance; openssl is only used as an independent
# second verifier and to inspect the results.
#
# THESE ARE FICTIONAL TEST IDENTITIES.  The private keys are public.
# Never trust any of these certificates for anything real.

# ok() always succeeds, so "check && ok || fail" is safe here.
# shellcheck disable=SC2015,SC2001
set -eu
set -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE"

FRESH=0
case "${1:-}" in
    "") ;;
    --fresh) FRESH=1 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "usage: $0 [--fresh]" >&2; exit 2 ;;
esac

for tool in certtool openssl; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "mkpki.sh: $tool not found (apt-get install -y gnutls-bin openssl)" >&2
        exit 1
    }
done

CERTTOOL_VERSION=$(certtool --version | head -1)
OPENSSL_VERSION=$(openssl version)

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

NOT_BEFORE="2025-01-01 00:00:00 UTC"
NOT_AFTER="2045-12-31 23:59:59 UTC"
ORG="Cachet Test"
DOMAIN="example.org"

USERS="alice bob carol dave erin frank grace"

user_cn()      { echo "$1" | sed 's/^./\U&/'; }
user_serial()  {
    case "$1" in
        alice) echo 0x1001 ;; bob)   echo 0x1002 ;; carol) echo 0x1003 ;;
        dave)  echo 0x1004 ;; erin)  echo 0x1005 ;; frank) echo 0x1006 ;;
        grace) echo 0x1007 ;;
    esac
}
# certtool --generate-privkey arguments per identity
key_args() {
    case "$1" in
        root-ca) echo "--key-type rsa --bits 3072" ;;
        int-ca)  echo "--key-type ecdsa --curve secp384r1" ;;
        alice)   echo "--key-type rsa --bits 2048" ;;
        bob)     echo "--key-type rsa --bits 3072" ;;
        carol)   echo "--key-type ecdsa --curve secp256r1" ;;
        dave)    echo "--key-type ecdsa --curve secp384r1" ;;
        erin)    echo "--key-type ed25519" ;;
        frank)   echo "--key-type ed448" ;;
        grace)   echo "--key-type ecdsa --curve secp521r1" ;;
    esac
}
# human-readable key type, used in the MANIFEST and in the checks below
key_desc() {
    case "$1" in
        root-ca) echo "RSA-3072" ;;
        int-ca)  echo "ECDSA P-384" ;;
        alice)   echo "RSA-2048" ;;
        bob)     echo "RSA-3072" ;;
        carol)   echo "ECDSA P-256" ;;
        dave)    echo "ECDSA P-384" ;;
        erin)    echo "Ed25519" ;;
        frank)   echo "Ed448" ;;
        grace)   echo "ECDSA P-521" ;;
    esac
}
# the "Public Key Algorithm" / size line openssl x509 -text prints
key_openssl_pattern() {
    case "$1" in
        root-ca|bob) echo "Public-Key: (3072 bit)" ;;
        alice)       echo "Public-Key: (2048 bit)" ;;
        int-ca|dave) echo "NIST CURVE: P-384" ;;
        carol)       echo "NIST CURVE: P-256" ;;
        grace)       echo "NIST CURVE: P-521" ;;
        erin)        echo "Public Key Algorithm: ED25519" ;;
        frank)       echo "Public Key Algorithm: ED448" ;;
    esac
}
# keyUsage bits beyond digitalSignature + nonRepudiation (certtool template lines)
extra_ku() {
    case "$1" in
        alice|bob)  echo "encryption_key" ;;   # keyEncipherment
        carol|dave) echo "key_agreement" ;;    # keyAgreement
        *)          echo "" ;;                 # Ed25519, Ed448, P-521: signature only
    esac
}
expected_ku() {
    case "$1" in
        alice|bob)  echo "Digital Signature, Non Repudiation, Key Encipherment" ;;
        carol|dave) echo "Digital Signature, Non Repudiation, Key Agreement" ;;
        *)          echo "Digital Signature, Non Repudiation" ;;
    esac
}

# ---------------------------------------------------------------- keys

if [ "$FRESH" = 1 ]; then
    rm -f ./*.key.pem ./*.key.p8enc.pem
fi

genkey() {
    local name=$1
    if [ -s "$name.key.pem" ]; then
        return 0
    fi
    echo "generating $(key_desc "$name") key for $name"
    # shellcheck disable=SC2046
    certtool --generate-privkey $(key_args "$name") \
        --pkcs8 --password "" --no-text \
        --outfile "$TMP/$name.key.pem" </dev/null 2>/dev/null
    grep -q -- "-----BEGIN PRIVATE KEY-----" "$TMP/$name.key.pem"
    mv "$TMP/$name.key.pem" "$name.key.pem"
    chmod 0644 "$name.key.pem"
}

for n in root-ca int-ca $USERS; do
    genkey "$n"
done

# --------------------------------------------------------- certificates

cat >"$TMP/root-ca.tmpl" <<EOF
cn = "Cachet Test Root CA"
organization = "$ORG"
serial = 0x01
activation_date = "$NOT_BEFORE"
expiration_date = "$NOT_AFTER"
ca
cert_signing_key
crl_signing_key
EOF

cat >"$TMP/int-ca.tmpl" <<EOF
cn = "Cachet Test Intermediate CA"
organization = "$ORG"
serial = 0x02
activation_date = "$NOT_BEFORE"
expiration_date = "$NOT_AFTER"
ca
path_len = 0
cert_signing_key
crl_signing_key
EOF

echo "issuing root-ca"
certtool --generate-self-signed \
    --load-privkey root-ca.key.pem \
    --template "$TMP/root-ca.tmpl" --hash SHA256 --no-text \
    --outfile root-ca.crt.pem </dev/null 2>"$TMP/log" || { cat "$TMP/log" >&2; exit 1; }

echo "issuing int-ca"
certtool --generate-certificate \
    --load-privkey int-ca.key.pem \
    --load-ca-certificate root-ca.crt.pem --load-ca-privkey root-ca.key.pem \
    --template "$TMP/int-ca.tmpl" --hash SHA256 --no-text \
    --outfile int-ca.crt.pem </dev/null 2>"$TMP/log" || { cat "$TMP/log" >&2; exit 1; }

for u in $USERS; do
    echo "issuing $u ($(key_desc "$u"))"
    {
        echo "cn = \"$(user_cn "$u")\""
        echo "organization = \"$ORG\""
        echo "serial = $(user_serial "$u")"
        echo "activation_date = \"$NOT_BEFORE\""
        echo "expiration_date = \"$NOT_AFTER\""
        echo "email = \"$u@$DOMAIN\""
        echo "signing_key"
        echo "non_repudiation"
        extra_ku "$u"
        echo "email_protection_key"
    } >"$TMP/$u.tmpl"
    certtool --generate-certificate \
        --load-privkey "$u.key.pem" \
        --load-ca-certificate int-ca.crt.pem --load-ca-privkey int-ca.key.pem \
        --template "$TMP/$u.tmpl" --hash SHA384 --no-text \
        --outfile "$u.crt.pem" </dev/null 2>"$TMP/log" || { cat "$TMP/log" >&2; exit 1; }
done

for n in root-ca int-ca $USERS; do
    certtool --certificate-info --infile "$n.crt.pem" --outder \
        --outfile "$n.crt.der" 2>/dev/null
done

cat int-ca.crt.pem root-ca.crt.pem >chain.pem

# Alice's key as encrypted PKCS#8 (PBES2, AES-256-CBC).  Re-made only when
# missing or when it no longer decrypts to alice.key.pem.
P8PASS="alice-test-pass"
if ! openssl pkey -in alice.key.p8enc.pem -passin "pass:$P8PASS" 2>/dev/null \
        | cmp -s - <(openssl pkey -in alice.key.pem); then
    echo "encrypting alice key (PKCS#8 PBES2 AES-256-CBC)"
    certtool --to-p8 --load-privkey alice.key.pem \
        --pkcs-cipher aes-256 --password "$P8PASS" --no-text \
        --outfile alice.key.p8enc.pem </dev/null 2>/dev/null
fi

# ------------------------------------------------------------- MANIFEST

GEN_DATE=$(date -u +%Y-%m-%d)
P8ITER=$(openssl asn1parse -in alice.key.p8enc.pem \
    | awk '/:PBKDF2/ { k = 1 } k && / INTEGER / { sub(/.*:/, ""); print; exit }')
P8ITER=$((16#$P8ITER))
{
    cat <<EOF
Cachet test PKI
===============

FICTIONAL TEST IDENTITIES.  Every private key in this directory is public.
None of these certificates may ever be trusted for anything real.

Generated by mkpki.sh on $GEN_DATE (UTC) with:
  $CERTTOOL_VERSION
  $OPENSSL_VERSION

Hierarchy: root-ca (self-signed) -> int-ca (pathlen:0) -> end-entity users.
All subjects are CN=<Name>,O=$ORG (no emailAddress attribute in any DN).
Validity of every certificate: $NOT_BEFORE .. $NOT_AFTER.
root-ca (self-signed) and int-ca are signed by root-ca with
sha256WithRSAEncryption; every user certificate is signed by int-ca with
ecdsa-with-SHA384.
alice.key.p8enc.pem uses PBES2 with PBKDF2 (HMAC-SHA256, $P8ITER
iterations) and AES-256-CBC; the password is alice-test-pass.
Private keys are unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY").
Regenerate with ./mkpki.sh (keeps keys, re-issues certificates) or
./mkpki.sh --fresh (new keys too); the script verifies everything it makes.
Re-issuing changes the bytes of every user certificate even with the same
keys, because int-ca's ECDSA signatures are randomized; root-ca.crt.*,
int-ca.crt.* and chain.pem come out identical while their keys are kept.

Files (name | what | key type | expected use):
EOF
    printf '%s\n' \
        "mkpki.sh | generator script (certtool; openssl for verification) | - | regenerates this directory" \
        "MANIFEST | this file | - | provenance and file list" \
        "chain.pem | int-ca certificate followed by root-ca certificate (PEM) | RSA-3072 + ECDSA P-384 | chain/untrusted bundle for path building" \
        "root-ca.crt.pem | Cachet Test Root CA certificate, serial 0x01 (PEM) | RSA-3072 | trust anchor; CA:TRUE, keyCertSign+cRLSign" \
        "root-ca.crt.der | same certificate (DER) | RSA-3072 | trust anchor" \
        "root-ca.key.pem | root CA private key, PKCS#8 | RSA-3072 | re-issuing int-ca only" \
        "int-ca.crt.pem | Cachet Test Intermediate CA certificate, serial 0x02 (PEM) | ECDSA P-384 | intermediate; CA:TRUE pathlen:0, keyCertSign+cRLSign" \
        "int-ca.crt.der | same certificate (DER) | ECDSA P-384 | intermediate" \
        "int-ca.key.pem | intermediate CA private key, PKCS#8 | ECDSA P-384 | re-issuing user certificates only"
    for u in $USERS; do
        use="S/MIME signing"
        case "$u" in
            alice|bob) use="S/MIME signing + RSA key transport (KeyTransRecipientInfo)" ;;
            carol|dave) use="S/MIME signing + ECDH key agreement (KeyAgreeRecipientInfo)" ;;
        esac
        printf '%s\n' \
            "$u.crt.pem | $(user_cn "$u") <$u@$DOMAIN> end-entity certificate, serial $(user_serial "$u") (PEM) | $(key_desc "$u") | $use; KU: $(expected_ku "$u"); EKU emailProtection" \
            "$u.crt.der | same certificate (DER) | $(key_desc "$u") | as $u.crt.pem" \
            "$u.key.pem | $(user_cn "$u")'s private key, unencrypted PKCS#8 | $(key_desc "$u") | $use"
        if [ "$u" = alice ]; then
            echo "alice.key.p8enc.pem | alice.key.pem as encrypted PKCS#8 (PBES2, AES-256-CBC), password: alice-test-pass | RSA-2048 | tests of encrypted key loading"
        fi
    done
} >MANIFEST

# ---------------------------------------------------------- verification

FAIL=0
fail() { echo "FAIL: $*" >&2; FAIL=1; }
ok()   { echo "ok: $*"; }

# extension block of one certificate, as openssl prints it
exts() {
    openssl x509 -in "$1" -noout -ext \
        basicConstraints,keyUsage,extendedKeyUsage,subjectAltName,subjectKeyIdentifier,authorityKeyIdentifier \
        2>/dev/null
}
# value line following an extension heading; argument 2 is the heading text
ext_value() {
    awk -v h="$2" 'found { sub(/^ +/, ""); print; exit } index($0, h) { found = 1 }' <<<"$1"
}
expect_ext() {   # cert-name heading expected-value
    local v
    v=$(ext_value "$EXT" "$2")
    if [ "$v" = "$3" ]; then ok "$1 $2: $v"; else fail "$1 $2: got '$v', want '$3'"; fi
}
expect_critical() {   # cert-name heading
    if grep -q "$2: critical" <<<"$EXT"; then ok "$1 $2 is critical"; else fail "$1 $2 not critical"; fi
}
expect_absent() {
    if grep -q "$2" <<<"$EXT"; then fail "$1 has unexpected $2"; else ok "$1 has no $2"; fi
}

common_checks() {   # name subject serial-hex
    local n=$1 txt
    txt=$(openssl x509 -in "$n.crt.pem" -noout -text)
    grep -q "Version: 3 (0x2)" <<<"$txt" || fail "$n not X.509v3"
    [ "$(openssl x509 -in "$n.crt.pem" -noout -subject -nameopt RFC2253)" = "subject=$2" ] \
        && ok "$n subject $2" || fail "$n subject: $(openssl x509 -in "$n.crt.pem" -noout -subject -nameopt RFC2253)"
    [ "$(openssl x509 -in "$n.crt.pem" -noout -serial)" = "serial=$3" ] \
        && ok "$n serial $3" || fail "$n serial: $(openssl x509 -in "$n.crt.pem" -noout -serial)"
    [ "$(openssl x509 -in "$n.crt.pem" -noout -startdate)" = "notBefore=Jan  1 00:00:00 2025 GMT" ] \
        || fail "$n notBefore"
    [ "$(openssl x509 -in "$n.crt.pem" -noout -enddate)" = "notAfter=Dec 31 23:59:59 2045 GMT" ] \
        || fail "$n notAfter"
    grep -qF "$(key_openssl_pattern "$n")" <<<"$txt" \
        && ok "$n key $(key_desc "$n")" || fail "$n key type is not $(key_desc "$n")"
    # private key matches certificate
    cmp -s <(openssl x509 -in "$n.crt.pem" -noout -pubkey) <(openssl pkey -in "$n.key.pem" -pubout) \
        && ok "$n key matches cert" || fail "$n key does not match cert"
    head -1 "$n.key.pem" | grep -qx -- "-----BEGIN PRIVATE KEY-----" || fail "$n.key.pem is not unencrypted PKCS#8"
    # DER is the same certificate
    cmp -s "$n.crt.der" <(openssl x509 -in "$n.crt.pem" -outform DER) \
        && ok "$n.crt.der matches PEM" || fail "$n.crt.der differs from PEM"
}

echo
echo "== verifying root-ca"
common_checks root-ca "CN=Cachet Test Root CA,O=$ORG" 01
EXT=$(exts root-ca.crt.pem)
expect_ext root-ca "X509v3 Basic Constraints" "CA:TRUE"
expect_critical root-ca "X509v3 Basic Constraints"
expect_ext root-ca "X509v3 Key Usage" "Certificate Sign, CRL Sign"
expect_critical root-ca "X509v3 Key Usage"
grep -q "X509v3 Subject Key Identifier" <<<"$EXT" && ok "root-ca has SKI" || fail "root-ca lacks SKI"
grep -q "sha256WithRSAEncryption" <(openssl x509 -in root-ca.crt.pem -noout -text) || fail "root-ca sig alg"
openssl verify -x509_strict -CAfile root-ca.crt.pem root-ca.crt.pem >/dev/null && ok "root-ca self-signature" \
    || fail "root-ca self-signature"

echo "== verifying int-ca"
common_checks int-ca "CN=Cachet Test Intermediate CA,O=$ORG" 02
EXT=$(exts int-ca.crt.pem)
expect_ext int-ca "X509v3 Basic Constraints" "CA:TRUE, pathlen:0"
expect_ext int-ca "X509v3 Key Usage" "Certificate Sign, CRL Sign"
grep -q "X509v3 Subject Key Identifier" <<<"$EXT" && ok "int-ca has SKI" || fail "int-ca lacks SKI"
ROOT_SKI=$(ext_value "$(exts root-ca.crt.pem)" "X509v3 Subject Key Identifier")
INT_SKI=$(ext_value "$EXT" "X509v3 Subject Key Identifier")
[ "$(ext_value "$EXT" "X509v3 Authority Key Identifier")" = "$ROOT_SKI" ] \
    && ok "int-ca AKI = root SKI" || fail "int-ca AKI does not match root SKI"
openssl verify -x509_strict -CAfile root-ca.crt.pem int-ca.crt.pem >/dev/null && ok "int-ca openssl verify" \
    || fail "int-ca openssl verify"

for u in $USERS; do
    echo "== verifying $u"
    serial=$(user_serial "$u"); serial=${serial#0x}
    common_checks "$u" "CN=$(user_cn "$u"),O=$ORG" "$serial"
    EXT=$(exts "$u.crt.pem")
    expect_ext "$u" "X509v3 Basic Constraints" "CA:FALSE"
    expect_ext "$u" "X509v3 Key Usage" "$(expected_ku "$u")"
    expect_ext "$u" "X509v3 Extended Key Usage" "E-mail Protection"
    expect_ext "$u" "X509v3 Subject Alternative Name" "email:$u@$DOMAIN"
    grep -q "X509v3 Subject Key Identifier" <<<"$EXT" && ok "$u has SKI" || fail "$u lacks SKI"
    [ "$(ext_value "$EXT" "X509v3 Authority Key Identifier")" = "$INT_SKI" ] \
        && ok "$u AKI = int-ca SKI" || fail "$u AKI does not match int-ca SKI"
    grep -q "ecdsa-with-SHA384" <(openssl x509 -in "$u.crt.pem" -noout -text) || fail "$u sig alg"

    # GnuTLS: the chain as given, and against the root as the only trust anchor
    cat "$u.crt.pem" chain.pem >"$TMP/$u.chain.pem"
    if certtool --verify-chain --infile "$TMP/$u.chain.pem" >"$TMP/log" 2>&1; then
        ok "$u certtool --verify-chain"
    else
        cat "$TMP/log" >&2; fail "$u certtool --verify-chain"
    fi
    cat "$u.crt.pem" int-ca.crt.pem >"$TMP/$u.path.pem"
    if certtool --verify --load-ca-certificate root-ca.crt.pem --infile "$TMP/$u.path.pem" \
            --verify-email "$u@$DOMAIN" --verify-purpose 1.3.6.1.5.5.7.3.4 >"$TMP/log" 2>&1; then
        ok "$u certtool --verify (email, emailProtection)"
    else
        cat "$TMP/log" >&2; fail "$u certtool --verify"
    fi

    # OpenSSL: independent path validation, S/MIME purposes and email match
    if openssl verify -x509_strict -CAfile root-ca.crt.pem -untrusted int-ca.crt.pem \
            "$u.crt.pem" >"$TMP/log" 2>&1; then
        ok "$u openssl verify"
    else
        cat "$TMP/log" >&2; fail "$u openssl verify"
    fi
    purposes="smimesign"
    case "$u" in alice|bob) purposes="smimesign smimeencrypt" ;; esac
    for p in $purposes; do
        if openssl verify -x509_strict -CAfile root-ca.crt.pem -untrusted int-ca.crt.pem \
                -purpose "$p" -verify_email "$u@$DOMAIN" "$u.crt.pem" >"$TMP/log" 2>&1; then
            ok "$u openssl verify -purpose $p -verify_email"
        else
            cat "$TMP/log" >&2; fail "$u openssl verify -purpose $p"
        fi
    done
done

echo "== verifying chain.pem and alice.key.p8enc.pem"
cmp -s chain.pem <(cat int-ca.crt.pem root-ca.crt.pem) && ok "chain.pem = int-ca + root-ca" \
    || fail "chain.pem content"
[ "$(grep -c -- '-----BEGIN CERTIFICATE-----' chain.pem)" = 2 ] || fail "chain.pem cert count"
head -1 alice.key.p8enc.pem | grep -qx -- "-----BEGIN ENCRYPTED PRIVATE KEY-----" \
    || fail "alice.key.p8enc.pem header"
P8ASN1=$(openssl asn1parse -in alice.key.p8enc.pem 2>/dev/null)
grep -q ":PBES2" <<<"$P8ASN1" && grep -q ":PBKDF2" <<<"$P8ASN1" && grep -q ":aes-256-cbc" <<<"$P8ASN1" \
    && ok "alice.key.p8enc.pem is PBES2/PBKDF2/AES-256-CBC" || fail "alice.key.p8enc.pem algorithms"
cmp -s <(openssl pkey -in alice.key.p8enc.pem -passin "pass:$P8PASS") <(openssl pkey -in alice.key.pem) \
    && ok "alice.key.p8enc.pem decrypts (openssl) to alice.key.pem" || fail "alice.key.p8enc.pem (openssl)"
cmp -s <(certtool --key-info --pkcs8 --password "$P8PASS" --infile alice.key.p8enc.pem --no-text 2>/dev/null \
            | openssl pkey) <(openssl pkey -in alice.key.pem) \
    && ok "alice.key.p8enc.pem decrypts (certtool) to alice.key.pem" || fail "alice.key.p8enc.pem (certtool)"
if openssl pkey -in alice.key.p8enc.pem -passin pass:wrong-pass >/dev/null 2>&1; then
    fail "alice.key.p8enc.pem accepts a wrong password"
fi

echo
if [ "$FAIL" != 0 ]; then
    echo "mkpki.sh: VERIFICATION FAILED" >&2
    exit 1
fi
echo "mkpki.sh: all checks passed"
