#!/bin/bash
# certdir.sh -- the certificate directory: `cachet certs --import` (signed
# and certificates-only messages, RFC 8551 sections 3.8 and 2.5.3),
# `cachet encrypt --to ADDRESS` (lookup and preference, RFC 8550 section
# 3) and the recipient checks at encryption time (RFC 8550 sections
# 4.4.2, 4.4.4).  Certificates for one address with different key usages
# and validity are made here with certtool under the test PKI's
# intermediate CA; decryption with the matching key (and openssl cms)
# shows which certificate a lookup chose.
. "$(dirname "$0")/cli-lib.sh"

require openssl certtool
KEYPREF_SIGN=$(dirname "$CACHET")/../tests/keypref-sign
[ -x "$KEYPREF_SIGN" ]
tap_result $? "the keypref-sign helper is built"
IDS=$top_srcdir/vectors/identities

printf 'To: alice@example.org\nSubject: t\n\nhello alice\n' >in.txt

# mkcert NAME EMAIL USAGE... [-- ACTIVATION EXPIRATION]: a certificate
# NAME.crt.pem (key NAME.key.pem) for EMAIL issued by the test PKI's
# int-ca, with the certtool template keywords USAGE.
mkcert()
{
	local name=$1 email=$2 act="2025-01-01 00:00:00" exp="2045-01-01 00:00:00"
	shift 2
	{
		echo "cn = \"$name\""
		echo 'organization = "Cachet Test"'
		echo "email = \"$email\""
		echo "serial = $((0x3000 + ${#name} * 16 + RANDOM % 16))"
		while [ $# -gt 0 ]; do
			if [ "$1" = -- ]; then
				act=$2
				exp=$3
				break
			fi
			echo "$1"
			shift
		done
		echo "activation_date = \"$act\""
		echo "expiration_date = \"$exp\""
	} >"$name.tmpl"
	certtool --generate-privkey --key-type rsa --bits 2048 --outfile "$name.key.pem" 2>/dev/null &&
		certtool --generate-certificate --load-privkey "$name.key.pem" \
			--load-ca-certificate "$PKI/int-ca.crt.pem" --load-ca-privkey "$PKI/int-ca.key.pem" \
			--template "$name.tmpl" --outfile "$name.crt.pem" 2>/dev/null
}

ok "certtool makes alice's encryption-only certificate (keyEncipherment)" -- \
	mkcert aenc alice@example.org encryption_key email_protection_key
ok "certtool makes an expired encryption-only certificate for alice" -- \
	mkcert aold alice@example.org encryption_key email_protection_key -- "2020-01-01 00:00:00" "2021-01-01 00:00:00"

# decrypts_as USER-CERT USER-KEY MSG: cachet decrypts MSG with that key.
decrypts_as()
{
	"$CACHET" decrypt --format der -i "$3" -o dec.out --cert "$1" --key "$2" && grep -q 'hello alice' dec.out
}

# --- import from a signed message ---------------------------------------
sign_as alice signed.p7m --chain "$CHAIN"
tap_result $? "alice signs a message carrying her chain"
ok "--import takes the certificates of a verified signed message" -- \
	cachet certs --import -i signed.p7m --cert-dir d1 --trust "$ROOT"
ok "the directory is created with mode 0700" -- test "$(stat -c %a d1)" = 700
alice_name=$(openssl x509 -in "$PKI/alice.crt.pem" -outform DER | sha256sum | cut -c1-64).pem
ok "alice's certificate is stored under the SHA-256 of its DER" -- test -f "d1/$alice_name"
ok "the stored file is alice's certificate" -- \
	cmp <(openssl x509 -in "d1/$alice_name" -outform DER) <(openssl x509 -in "$PKI/alice.crt.pem" -outform DER)
ok "alice, int-ca and root-ca: three files" -- test "$(ls d1 | wc -l)" = 3
ls -l --time-style=+%s.%N d1 >before.ls
cachet certs --import -i signed.p7m --cert-dir d1 --trust "$ROOT" >again.out
tap_result $? "importing the same message again succeeds"
ok "... and adds nothing (idempotent)" -- grep -q '^0 certificates added' again.out
ls -l --time-style=+%s.%N d1 >after.ls
ok "... and leaves every file untouched" -- cmp before.ls after.ls

# --- a failing verification imports nothing ------------------------------
rc_is 1 cachet certs --import -i signed.p7m --cert-dir bad1 --trust "$IDS/ca.crt.pem" 2>bad1.err
tap_result $? "a message whose signer does not chain to --trust fails (exit 1)"
ok "... naming the reason" -- stderr_has bad1.err CACHET_E_CERT_UNTRUSTED
ok "... and imports nothing" -- test ! -e bad1
python3 - signed.p7m tampered.p7m <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
d[-40] ^= 1  # inside the SignerInfo's signature value, the last field
open(sys.argv[2], 'wb').write(d)
PY
rc_is 1 cachet certs --import -i tampered.p7m --cert-dir bad2 --trust "$ROOT" 2>bad2.err
tap_result $? "a message with a broken signature fails (exit 1)"
ok "... as CACHET_E_BAD_SIGNATURE" -- stderr_has bad2.err CACHET_E_BAD_SIGNATURE
ok "... and imports nothing" -- test ! -e bad2

# --- import from a certs-only message ------------------------------------
# [rfc8550-4-certs-only]
cachet certs --make -o enc.p7c aenc.crt.pem "$PKI/int-ca.crt.pem"
tap_result $? "a certs-only message with alice's encryption certificate"
ok "--import takes a certs-only message whose certificates validate" -- \
	cachet certs --import -i enc.p7c --cert-dir d1 --trust "$ROOT"
ok "... one new file" -- test "$(ls d1 | wc -l)" = 4
cachet certs --make -o self.p7c "$IDS/selfsigned.crt.pem" aenc.crt.pem
rc_is 1 cachet certs --import -i self.p7c --cert-dir d4 --trust "$ROOT" 2>self.err
tap_result $? "a certs-only message with an untrusted certificate fails (exit 1)"
ok "... names the failing check" -- grep -q certificate-path self.err
ok "... and imports nothing, not even the valid one" -- test ! -e d4

# --- S/MIME messages ---------------------------------------------------------
printf 'From: alice@example.org\nTo: bob@example.org\nSubject: s\n\nhello bob\n' >mail.eml
"$CACHET" sign -i mail.eml -o ms.eml --signer "$PKI/alice.crt.pem" --key "$PKI/alice.key.pem" --chain "$CHAIN"
tap_result $? "alice signs an S/MIME message (multipart/signed)"
ok "--import takes the certificates of a verified multipart/signed message" -- \
	cachet certs --import -i ms.eml --cert-dir s1 --trust "$ROOT"
ok "... alice's among them" -- test -f "s1/$alice_name"
"$CACHET" sign --opaque -i mail.eml -o mo.eml --signer "$PKI/alice.crt.pem" --key "$PKI/alice.key.pem" --chain "$CHAIN"
ok "--import takes an application/pkcs7-mime signed-data message" -- \
	cachet certs --import -i mo.eml --cert-dir s2 --trust "$ROOT"
ok "... the same three files" -- test "$(ls s2 | wc -l)" = 3
cachet certs --make --format smime -o co.eml aenc.crt.pem "$PKI/int-ca.crt.pem"
ok "--import takes an S/MIME certs-only message (smime.p7c)" -- \
	cachet certs --import -i co.eml --cert-dir s3 --trust "$ROOT"
ok "... both of its certificates" -- test "$(ls s3 | wc -l)" = 2
sed 's/hello bob/hello bOb/' ms.eml >ms-bad.eml
rc_is 1 cachet certs --import -i ms-bad.eml --cert-dir s4 --trust "$ROOT" 2>s4.err
tap_result $? "a changed multipart/signed message fails (exit 1)"
ok "... as CACHET_E_DIGEST_MISMATCH, with the layer report" -- \
	sh -c 'grep -q "\[CACHET_E_DIGEST_MISMATCH\]" s4.err && grep -q "multipart/signed" s4.err'
ok "... and imports nothing" -- test ! -e s4

# --- lookup by address ----------------------------------------------------
ok "encrypt --to alice@example.org finds a certificate" -- \
	cachet encrypt --format der -i in.txt -o e1.p7m --to alice@example.org --cert-dir d1
ok "the dedicated encryption certificate wins over the dual-use one (its key decrypts)" -- \
	decrypts_as aenc.crt.pem aenc.key.pem e1.p7m
rc_is 1 decrypts_as "$PKI/alice.crt.pem" "$PKI/alice.key.pem" e1.p7m 2>/dev/null
tap_result $? "... and alice's dual-use key does not"
ok "openssl cms -decrypt reads it with the chosen key" -- \
	openssl cms -decrypt -inform DER -in e1.p7m -recip aenc.crt.pem -inkey aenc.key.pem -out ossl.out
ok "... to the same content" -- grep -q 'hello alice' ossl.out
ok "the domain compares without regard to case" -- \
	cachet encrypt --format der -i in.txt -o e2.p7m --to alice@EXAMPLE.ORG --cert-dir d1
rc_is 5 cachet encrypt --format der -i in.txt -o e3.p7m --to Alice@example.org --cert-dir d1 2>e3.err
tap_result $? "the local part compares exactly (Alice@ finds nothing, exit 5)"
rc_is 5 cachet encrypt --format der -i in.txt -o none.p7m --to nobody@example.org --cert-dir d1 2>none.err
tap_result $? "an address with no certificate fails with exit 5"
ok "... naming the address and the directory" -- grep -q "nobody@example.org in d1" none.err
ok "... with CACHET_E_CERT_NOT_FOUND" -- stderr_has none.err CACHET_E_CERT_NOT_FOUND
ok "... and writes no output file" -- test ! -e none.p7m
ok "... nor a temporary one" -- no_temp_left .
ok "a file named like an address is still a file" -- \
	sh -c 'cp "$1" ./x@y && "$CACHET" encrypt --format der -i in.txt -o e4.p7m --to ./x@y' _ "$PKI/bob.crt.pem"

# --- expired certificates are passed over --------------------------------
mkdir d3 && cp "$PKI/alice.crt.pem" d3/alice.pem && cp aold.crt.pem d3/old.pem
tap_result $? "a directory with alice's certificate and an expired encryption-only one"
ok "lookup passes over the expired one (alice's own key decrypts)" -- \
	sh -c '"$CACHET" encrypt --format der -i in.txt -o e5.p7m --to alice@example.org --cert-dir d3 &&
		"$CACHET" decrypt --format der -i e5.p7m -o - --cert "$1" --key "$2" | grep -q "hello alice"' _ \
	"$PKI/alice.crt.pem" "$PKI/alice.key.pem"
rm d3/alice.pem
rc_is 5 cachet encrypt --format der -i in.txt -o e6.p7m --to alice@example.org --cert-dir d3 2>e6.err
tap_result $? "with only the expired one left, nothing is found (exit 5)"
ok "... and the error says it expired" -- grep -q 'old.pem: expired' e6.err

# --- SMIMEEncryptionKeyPreference ---------------------------------------
# RFC 8551 section 2.5.3: alice prefers her dual-use certificate: a
# preference beats the dedicated certificate.
ok "keypref-sign makes a message whose keypref names alice's certificate" -- \
	"$KEYPREF_SIGN" "$PKI/alice.crt.pem" "$PKI/alice.key.pem" "$PKI/alice.crt.pem" kp.p7m "$CHAIN"
ok "cachet verify reports the preference" -- \
	sh -c '"$CACHET" verify --format der -i kp.p7m --trust "$1" -o /dev/null 2>&1 | grep -q "encryption-key-preference: the signer prefers"' _ "$ROOT"
V=${CACHET_VECTORS:-}
ok "RFC 4134 4.10's preference (issuerAndSerialNumber, a certificate not carried) decodes" -- \
	sh -c '"$CACHET" verify --format der -i "$1/rfc4134/4.10.bin" --trust "$1/rfc4134/CarlDSSSelf.cer" \
		--at 2010-01-01 --legacy -o /dev/null 2>&1 |
		grep -q "encryption-key-preference: SMIMEEncryptionKeyPreference (issuerAndSerialNumber) names a certificate that is not at hand"' _ "$V"
ok "--import records it" -- cachet certs --import -i kp.p7m --cert-dir d1 --trust "$ROOT"
ok "prefs names alice's certificate for alice@example.org" -- \
	grep -qx "alice@example.org ${alice_name%.pem}" d1/prefs
ok "lookup now prefers it over the dedicated certificate (alice's key decrypts)" -- \
	sh -c '"$CACHET" encrypt --format der -i in.txt -o e7.p7m --to alice@example.org --cert-dir d1 &&
		"$CACHET" decrypt --format der -i e7.p7m -o - --cert "$1" --key "$2" | grep -q "hello alice"' _ \
	"$PKI/alice.crt.pem" "$PKI/alice.key.pem"
ok "a keypref naming the encryption certificate moves the preference" -- \
	"$KEYPREF_SIGN" "$PKI/alice.crt.pem" "$PKI/alice.key.pem" aenc.crt.pem kp2.p7m "$CHAIN"
ok "... imported" -- cachet certs --import -i kp2.p7m --cert-dir d1 --trust "$ROOT"
ok "... one line for the address remains" -- test "$(grep -c '^alice@example.org ' d1/prefs)" = 1
ok "... and lookup follows it" -- \
	sh -c '"$CACHET" encrypt --format der -i in.txt -o e8.p7m --to alice@example.org --cert-dir d1 &&
		"$CACHET" decrypt --format der -i e8.p7m -o - --cert aenc.crt.pem --key aenc.key.pem | grep -q "hello alice"'

printf 'not a certificate\n' >d1/junk.pem && printf '# a comment\nno hex here\nalice@example.org zz\n' >>d1/prefs
tap_result $? "a junk .pem file and junk prefs lines"
ok "... are ignored by the lookup" -- \
	sh -c '"$CACHET" encrypt --format der -i in.txt -o e9.p7m --to alice@example.org --cert-dir d1 &&
		"$CACHET" decrypt --format der -i e9.p7m -o - --cert aenc.crt.pem --key aenc.key.pem | grep -q "hello alice"'
ok "... and a later import keeps the comment" -- \
	sh -c '"$CACHET" certs --import -i kp.p7m --cert-dir d1 --trust "$1" && grep -qx "# a comment" d1/prefs' _ "$ROOT"

# --- checks at encryption time --------------------------------------------
rc_is 1 cachet encrypt --format der -i in.txt -o r1.p7m --to "$IDS/valid.crt.pem" 2>r1.err
tap_result $? "a certificate without keyEncipherment is refused (exit 1)"
ok "... with CACHET_E_CERT_KEY_USAGE and the rule" -- \
	sh -c 'grep -q "\[CACHET_E_CERT_KEY_USAGE\]" r1.err && grep -q "RFC 8550 section 4.4.2" r1.err'
ok "... and no output file" -- test ! -e r1.p7m
mkcert srv srv@example.org encryption_key tls_www_server
tap_result $? "certtool makes a certificate with extendedKeyUsage serverAuth only"
rc_is 1 cachet encrypt --format der -i in.txt -o r2.p7m --to srv.crt.pem 2>r2.err
tap_result $? "a certificate without emailProtection is refused (exit 1)"
ok "... with CACHET_E_CERT_EXT_KEY_USAGE" -- stderr_has r2.err CACHET_E_CERT_EXT_KEY_USAGE
rc_is 1 cachet encrypt --format der -i in.txt -o r3.p7m --to aold.crt.pem 2>r3.err
tap_result $? "an expired certificate is refused (exit 1)"
ok "... with CACHET_E_CERT_EXPIRED" -- stderr_has r3.err CACHET_E_CERT_EXPIRED
ok "--no-cert-check encrypts to it anyway" -- \
	cachet encrypt --format der -i in.txt -o r4.p7m --to aold.crt.pem --no-cert-check
ok "the test PKI's users still pass the checks (bob, carol)" -- \
	cachet encrypt --format der -i in.txt -o r5.p7m --to "$PKI/bob.crt.pem" --to "$PKI/carol.crt.pem"

# --- the HOME default -------------------------------------------------------
mkdir home
ok "--import without --cert-dir fills \$HOME/.cachet/certs" -- \
	env HOME="$TMP/home" "$CACHET" certs --import -i signed.p7m --trust "$ROOT"
ok "... created with mode 0700" -- test "$(stat -c %a home/.cachet/certs)" = 700
ok "encrypt --to without --cert-dir looks there" -- \
	sh -c 'HOME="$1/home" "$CACHET" encrypt --format der -i in.txt -o h1.p7m --to alice@example.org &&
		"$CACHET" decrypt --format der -i h1.p7m -o - --cert "$2" --key "$3" | grep -q "hello alice"' _ \
	"$TMP" "$PKI/alice.crt.pem" "$PKI/alice.key.pem"
rc_is 2 env -u HOME "$CACHET" encrypt --format der -i in.txt -o h2.p7m --to alice@example.org 2>h2.err
tap_result $? "without HOME and --cert-dir an address is a usage error (exit 2)"
ok "... that says so" -- grep -q 'HOME is not set' h2.err

# --- usage ------------------------------------------------------------------
rc_is 2 cachet certs --import --cert-dir d1 2>/dev/null
tap_result $? "--import without -i is a usage error"
rc_is 2 cachet certs --extract -i signed.p7m --trust "$ROOT" 2>/dev/null
tap_result $? "--trust outside --import is a usage error"

done_testing
