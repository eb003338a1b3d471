#!/bin/bash
# keys.sh -- private keys for cachet sign, decrypt and verify: --pass-file,
# the password prompt on a terminal, and PKCS#12 bundles (--p12).
#
# Data: the RFC 9216 identities in $CACHET_VECTORS/rfc9216-keys (the .p12
# files of sections 4.5, 5.5, 7.5 and 8.5; passwords alice, bob, carlos,
# dana per its README), the PEM-armoured PKCS#12 of the Autocrypt
# protected-headers examples (password "bob"), and the test PKI's
# encrypted PKCS#8 key (vectors/pki, password alice-test-pass).
# Needs python3 (a pseudo-terminal for the prompt) and openssl (the peer
# that verifies).  A missing tool or vector is a failure, not a skip.
. "$(dirname "$0")/cli-lib.sh"

require python3 openssl
VEC=${CACHET_VECTORS:-$top_srcdir/../shared/vectors}
K=$VEC/rfc9216-keys
AC=$VEC/autocrypt-protected-headers
for f in "$K/alice.p12" "$K/bob.p12" "$K/carlos.p12" "$K/dana.p12" "$K/ca-rsa.cert.pem" \
	"$K/ca-ed25519.cert.pem" "$AC/bob.p12" "$AC/smime-enc+legacy-disp.eml"; do
	[ -f "$f" ] || {
		tap_result 1 "vector $f is present (set CACHET_VECTORS)"
		done_testing
	}
done
printf 'The quick brown fox\r\njumps over the lazy dog.\r\n' >in.txt

# --- passwords for an encrypted PKCS#8 key ------------------------------
P8=$PKI/alice.key.p8enc.pem
printf 'alice-test-pass\n' >pw.txt
printf 'alice-test-pass\r\nsecond line\n' >pw-crlf.txt
printf 'wrong\n' >pw-wrong.txt
ok "encrypted PKCS#8: --pass-file (first line, newline dropped) signs" -- \
	bash -c '"$CACHET" sign -i in.txt -o p8.der --signer "$1/alice.crt.pem" --key "$2" \
		--pass-file pw.txt --format der &&
	"$CACHET" verify -i p8.der --trust "$1/root-ca.crt.pem" --certs "$1/chain.pem" --format der >/dev/null' \
	_ "$PKI" "$P8"
ok "encrypted PKCS#8: a CRLF line end and a second line are not part of the password" -- \
	"$CACHET" sign -i in.txt -o p8b.der --signer "$PKI/alice.crt.pem" --key "$P8" \
	--pass-file pw-crlf.txt --format der
ok "encrypted PKCS#8: a wrong --pass-file fails with CACHET_E_BAD_KEY, exit 3" -- \
	bash -c '"$CACHET" sign -i in.txt -o x.der --signer "$1/alice.crt.pem" --key "$2" \
		--pass-file pw-wrong.txt --format der 2>err; [ $? -eq 3 ] && grep -q "CACHET_E_BAD_KEY" err &&
		grep -q "wrong password" err && [ ! -e x.der ]' _ "$PKI" "$P8"
ok "encrypted PKCS#8 without a password, stdin not a terminal: CACHET_E_NEED_PASSWORD, exit 2" -- \
	bash -c '"$CACHET" sign -i in.txt -o x.der --signer "$1/alice.crt.pem" --key "$2" \
		--format der </dev/null 2>err; [ $? -eq 2 ] && grep -q "CACHET_E_NEED_PASSWORD" err' _ "$PKI" "$P8"
ok "--pass and --pass-file together are a usage error (exit 2)" -- \
	rc_is 2 "$CACHET" sign -i in.txt -o x.der --signer "$PKI/alice.crt.pem" --key "$P8" \
	--pass a --pass-file pw.txt --format der
ok "a missing --pass-file is an I/O error (exit 4)" -- \
	rc_is 4 "$CACHET" sign -i in.txt -o x.der --signer "$PKI/alice.crt.pem" --key "$P8" \
	--pass-file no-such-file --format der
prompt_signs()
{
	on_tty alice-test-pass "$CACHET" sign -i in.txt -o tty.der --signer "$PKI/alice.crt.pem" \
		--key "$P8" --format der &&
		"$CACHET" verify -i tty.der --trust "$PKI/root-ca.crt.pem" --certs "$PKI/chain.pem" \
			--format der >/dev/null
}
ok "encrypted PKCS#8 on a terminal: a prompt without echo; the typed password signs" -- prompt_signs
ok "encrypted PKCS#8 on a terminal with a wrong typed password: exit 3" -- \
	rc_is 3 on_tty not-the-password "$CACHET" sign -i in.txt -o tty2.der \
	--signer "$PKI/alice.crt.pem" --key "$P8" --format der
no_prompt()
{
	rc_is 98 on_tty unused "$CACHET" sign -i in.txt -o plain.der --signer "$PKI/alice.crt.pem" \
		--key "$PKI/alice.key.pem" --format der && [ -s plain.der ]
}
ok "an unencrypted key on a terminal: no prompt, it signs" -- no_prompt
ok "decrypt: --pass-file opens the encrypted PKCS#8 key" -- \
	bash -c '"$CACHET" encrypt -i in.txt -o p8e.der --to "$1/alice.crt.pem" --format der &&
	"$CACHET" decrypt -i p8e.der -o p8e.out --cert "$1/alice.crt.pem" --key "$2" \
		--pass-file pw.txt --format der && cmp in.txt p8e.out' _ "$PKI" "$P8"

# --- PKCS#12 (RFC 7292): the RFC 9216 bundles ---------------------------
# Each holds a signing and an encryption identity and the CA; the signing
# one signs, the chain goes into the message, and openssl verifies it.
for who in alice bob; do
	ok "$who.p12 (RSA): sign with --p12/--pass; cachet verifies" -- \
		bash -c '"$CACHET" sign -i in.txt -o "$2.sig" --p12 "$1/$2.p12" --pass "$2" --format der &&
		"$CACHET" verify -i "$2.sig" --trust "$1/ca-rsa.cert.pem" --format der >"$2.rep"' \
		_ "$K" "$who"
	ok "$who.p12: openssl cms -verify accepts the signature" -- \
		openssl cms -verify -inform DER -in "$who.sig" -CAfile "$K/ca-rsa.cert.pem" \
		-purpose any -out "$who.out"
	ok "$who.p12: the signer is the signing certificate (not the encryption one)" -- \
		bash -c 'openssl cms -verify -inform DER -in "$2.sig" -CAfile "$1/ca-rsa.cert.pem" \
			-purpose any -signer "$2.signer.pem" -out /dev/null 2>/dev/null &&
		cmp <(openssl x509 -in "$2.signer.pem" -outform DER) \
			<(openssl x509 -in "$1/$2.sign.cert.pem" -outform DER)' _ "$K" "$who"
	ok "$who.p12: the bundle's other certificates (CA, encryption cert) are in the message" -- \
		bash -c 'openssl cms -cmsout -print -inform DER -in "$2.sig" >"$2.txt" &&
		n=$(grep -c "^        cert_info:" "$2.txt"); [ "$n" -eq 3 ]' _ "$K" "$who"
	ok "$who.p12: encrypt to the encryption certificate, decrypt with --p12" -- \
		bash -c '"$CACHET" encrypt -i in.txt -o "$2.env" --to "$1/$2.encrypt.cert.pem" --format der &&
		"$CACHET" decrypt -i "$2.env" -o "$2.dec" --p12 "$1/$2.p12" --pass "$2" --format der &&
		cmp in.txt "$2.dec"' _ "$K" "$who"
done
for who in carlos dana; do
	# (OpenSSL 3.0 cannot verify Ed25519 SignerInfos with signed
	# attributes, "eddsa_digest_signverify_init: invalid digest"; the
	# RSA bundles above are the openssl cross-check.)
	ok "$who.p12 (Ed25519 signing, X25519 encryption): signs; cachet verifies" -- \
		bash -c '"$CACHET" sign -i in.txt -o "$2.sig" --p12 "$1/$2.p12" --pass "$2" --format der &&
		"$CACHET" verify -i "$2.sig" --trust "$1/ca-ed25519.cert.pem" --format der >/dev/null' \
		_ "$K" "$who"
	ok "$who.p12: X25519 key agreement decrypts with --p12" -- \
		bash -c '"$CACHET" encrypt -i in.txt -o "$2.env" --to "$1/$2.encrypt.cert.pem" --format der &&
		"$CACHET" decrypt -i "$2.env" -o "$2.dec" --p12 "$1/$2.p12" --pass "$2" --format der &&
		cmp in.txt "$2.dec"' _ "$K" "$who"
done
printf 'alice\n' >alice.pw
ok "alice.p12 with --pass-file" -- \
	"$CACHET" sign -i in.txt -o alice2.sig --p12 "$K/alice.p12" --pass-file alice.pw --format der
ok "alice.p12 on a terminal: the prompt takes the password" -- \
	on_tty alice "$CACHET" sign -i in.txt -o alice3.sig --p12 "$K/alice.p12" --format der
ok "a wrong PKCS#12 password: CACHET_E_BAD_KEY naming the MAC, exit 3, no output" -- \
	bash -c '"$CACHET" sign -i in.txt -o bad.sig --p12 "$1/alice.p12" --pass bob --format der 2>err
		[ $? -eq 3 ] && grep -q "CACHET_E_BAD_KEY" err && grep -q "MAC does not verify" err &&
		[ ! -e bad.sig ]' _ "$K"
ok "a wrong PKCS#12 password on decrypt: exit 3, not a decryption failure" -- \
	bash -c '"$CACHET" decrypt -i alice.env -o bad.dec --p12 "$1/alice.p12" --pass bob --format der 2>err
		[ $? -eq 3 ] && grep -q "CACHET_E_BAD_KEY" err && [ ! -e bad.dec ]' _ "$K"
ok "PKCS#12 without a password, stdin not a terminal: CACHET_E_NEED_PASSWORD, exit 2" -- \
	bash -c '"$CACHET" sign -i in.txt -o bad.sig --p12 "$1/alice.p12" --format der </dev/null 2>err
		[ $? -eq 2 ] && grep -q "CACHET_E_NEED_PASSWORD" err' _ "$K"
ok "bob.p12 does not open a message for alice (exit 1)" -- \
	rc_is 1 "$CACHET" decrypt -i alice.env -o x.dec --p12 "$K/bob.p12" --pass bob --format der
head -c 700 "$K/alice.p12" >trunc.p12
ok "a truncated PKCS#12 file: exit 3, no crash" -- \
	rc_is 3 "$CACHET" sign -i in.txt -o x.sig --p12 trunc.p12 --pass alice --format der
ok "a certificate is not a PKCS#12 file: exit 3" -- \
	rc_is 3 "$CACHET" sign -i in.txt -o x.sig --p12 "$K/ca-rsa.cert.pem" --pass alice --format der

# --- bundles openssl makes: PBES2/AES with a SHA-256 MAC, and one with an
# empty password (no prompt: the empty password opens it) --------------
openssl pkcs12 -export -in "$PKI/alice.crt.pem" -inkey "$PKI/alice.key.pem" \
	-certfile "$PKI/chain.pem" -passout pass:p12-pass -out modern.p12 2>/dev/null
openssl pkcs12 -export -in "$PKI/alice.crt.pem" -inkey "$PKI/alice.key.pem" \
	-passout pass: -out empty.p12 2>/dev/null
openssl pkcs12 -export -in "$PKI/bob.crt.pem" -nokeys -passout pass:p12-pass \
	-out nokey.p12 2>/dev/null
ok "an openssl PKCS#12 (PBES2, AES-256-CBC, HMAC-SHA-256): signs with its chain, verifies" -- \
	bash -c '"$CACHET" sign -i in.txt -o modern.sig --p12 modern.p12 --pass p12-pass --format der &&
		"$CACHET" verify -i modern.sig --trust "$1/root-ca.crt.pem" --format der >/dev/null' _ "$PKI"
ok "a PKCS#12 with an empty password opens without a password or prompt" -- \
	bash -c '"$CACHET" sign -i in.txt -o empty.sig --p12 empty.p12 --format der </dev/null'
ok "a PKCS#12 with no private key: CACHET_E_KEY_MISMATCH, exit 2" -- \
	bash -c '"$CACHET" sign -i in.txt -o x.sig --p12 nokey.p12 --pass p12-pass --format der 2>err
		[ $? -eq 2 ] && grep -q "CACHET_E_KEY_MISMATCH" err && grep -q "no private key" err'

# --- a PEM-armoured PKCS#12 ("-----BEGIN PKCS12-----") ------------------
ok "Autocrypt bob.p12 (PEM armour): decrypts the S/MIME example to the inner message" -- \
	bash -c '"$CACHET" decrypt -i "$1/smime-enc+legacy-disp.eml" -o ac.out --p12 "$1/bob.p12" \
		--pass bob --format smime --legacy &&
		cmp <(tr -d "\r" <ac.out) <(tr -d "\r" <"$1/smime-enc+legacy-disp.inner")' _ "$AC"
ok "Autocrypt bob.p12: signs, and the message verifies with its CA" -- \
	bash -c '"$CACHET" sign -i in.txt -o ac.sig --p12 "$1/bob.p12" --pass bob --format der &&
		openssl cms -verify -inform DER -in ac.sig -CAfile "$1/sample-ca.pem" -purpose any \
			-out /dev/null' _ "$AC"
ok "Autocrypt bob.p12 with a wrong password: exit 3" -- \
	rc_is 3 "$CACHET" decrypt -i "$AC/smime-enc+legacy-disp.eml" -o x.out --p12 "$AC/bob.p12" \
	--pass alice --format smime --legacy
ok "verify --format smime takes --p12 for an encrypted layer" -- \
	bash -c '"$CACHET" verify -i "$1/smime-sign+enc.eml" -o vs.out --p12 "$1/bob.p12" --pass bob \
		--trust "$1/sample-ca.pem" --format smime --legacy --at 2019-11-28 >/dev/null' _ "$AC"

done_testing
