#!/bin/bash
# pkcs11.sh -- keys on a PKCS#11 token (SoftHSM2) for cachet sign and
# decrypt: --key 'pkcs11:...' through GnuTLS, the PIN from --pass,
# --pass-file, the URI's pin-value or a prompt.
#
# A token is made in a temporary directory (SOFTHSM2_CONF points at a
# configuration there, so no system token is touched); p11tool generates
# an RSA-2048 and a P-256 key on it (sensitive, never extractable) and a
# CA held in a file certifies their public keys.  Signatures are checked
# by cachet and by `openssl cms -verify`; an RSA message is decrypted on
# the token.
#
# Environment: SOFTHSM2_MODULE, the SoftHSM2 PKCS#11 module (default
# /usr/lib/softhsm/libsofthsm2.so, Debian's softhsm2 package).  Needs
# softhsm2-util, p11tool, certtool (gnutls-bin) and openssl.  A missing
# tool or module is a failure, not a skip.
. "$(dirname "$0")/cli-lib.sh"

require softhsm2-util p11tool certtool openssl python3
MOD=${SOFTHSM2_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
[ -f "$MOD" ] || {
	tap_result 1 "the SoftHSM2 module $MOD exists (set SOFTHSM2_MODULE)"
	done_testing
}

mkdir -p tokens
cat >softhsm2.conf <<EOF
directories.tokendir = $TMP/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
EOF
export SOFTHSM2_CONF=$TMP/softhsm2.conf
# p11tool's own PIN (never cachet's: cachet gets it from its options).
p11() { GNUTLS_PIN=1234 p11tool --provider "$MOD" "$@"; }
TOK="pkcs11:token=cachet"
RSA_URI="$TOK;object=rsa-key;type=private"
EC_URI="$TOK;object=ec-key;type=private"

setup()
{
	softhsm2-util --init-token --free --label cachet --pin 1234 --so-pin 5678 &&
		p11 --login --generate-privkey rsa --bits 2048 --label rsa-key --id 01 "$TOK" &&
		p11 --login --generate-privkey ecdsa --curve secp256r1 --label ec-key --id 02 "$TOK" &&
		p11 --export-pubkey "$TOK;object=rsa-key;type=public" --outfile rsa.pub &&
		p11 --export-pubkey "$TOK;object=ec-key;type=public" --outfile ec.pub &&
		certtool --generate-privkey --key-type ecdsa --outfile ca.key &&
		printf 'cn = "Cachet Token Test CA"\nca\ncert_signing_key\nexpiration_days = 30\n' >ca.tmpl &&
		certtool --generate-self-signed --load-privkey ca.key --template ca.tmpl --outfile ca.pem &&
		printf 'cn = "Token User"\nemail = "token@example.org"\nsigning_key\nencryption_key\nemail_protection_key\nexpiration_days = 30\n' >ee.tmpl &&
		printf 'cn = "Token User"\nemail = "token@example.org"\nsigning_key\nkey_agreement\nemail_protection_key\nexpiration_days = 30\n' >ka.tmpl &&
		for k in rsa ec; do
			certtool --generate-certificate --load-pubkey $k.pub --load-ca-certificate ca.pem \
				--load-ca-privkey ca.key --template ee.tmpl --outfile $k.pem || return 1
		done &&
		certtool --generate-certificate --load-pubkey ec.pub --load-ca-certificate ca.pem \
			--load-ca-privkey ca.key --template ka.tmpl --outfile ec-ka.pem
}
ok "a SoftHSM2 token with an RSA-2048 and a P-256 key, certified by a test CA" -- setup ||
	done_testing

printf 'Signed on a token.\r\n' >in.txt
printf '1234\n' >pin.txt
# tsign OUT URI CERT [OPTIONS...]: sign in.txt with a token key.
tsign()
{
	local out=$1 uri=$2 cert=$3
	shift 3
	"$CACHET" sign -i in.txt -o "$out" --key "$uri" --signer "$cert" \
		--pkcs11-module "$MOD" --format der "$@"
}
both_verify()
{
	"$CACHET" verify -i "$1" --trust ca.pem --format der >"$1.rep" &&
		openssl cms -verify -inform DER -in "$1" -CAfile ca.pem -purpose any -out "$1.out" &&
		cmp in.txt "$1.out"
}

# --- the key never leaves the token -------------------------------------
keys_stay()
{
	p11 --login --list-all-privkeys "$TOK" >list.txt || return 1
	[ "$(grep -c 'CKA_SENSITIVE' list.txt)" -eq 2 ] &&
		[ "$(grep -c 'CKA_NEVER_EXTRACTABLE' list.txt)" -eq 2 ] &&
		! grep -q 'CKA_EXTRACTABLE' list.txt
}
ok "both private keys are sensitive and never extractable on the token" -- keys_stay

# --- signing ---------------------------------------------------------------
ok "RSA PKCS#1 v1.5 on the token (--pass): cachet and openssl verify" -- \
	bash -c "$(declare -f tsign both_verify); MOD='$MOD'; tsign rsa.sig '$RSA_URI' rsa.pem --pass 1234 && both_verify rsa.sig"
ok "RSA signature algorithm is sha256WithRSAEncryption" -- \
	bash -c 'openssl cms -cmsout -print -inform DER -in rsa.sig | grep -q "sha256WithRSAEncryption"'
ok "RSASSA-PSS on the token (--pss): cachet and openssl verify" -- \
	bash -c "$(declare -f tsign both_verify); MOD='$MOD'; tsign pss.sig '$RSA_URI' rsa.pem --pss --pass 1234 && both_verify pss.sig"
ok "the PSS signature carries RSASSA-PSS parameters" -- \
	bash -c 'openssl cms -cmsout -print -inform DER -in pss.sig | grep -q "rsassaPss"'
ok "ECDSA P-256 on the token (--pass-file): cachet and openssl verify" -- \
	bash -c "$(declare -f tsign both_verify); MOD='$MOD'; tsign ec.sig '$EC_URI' ec.pem --pass-file pin.txt && both_verify ec.sig"
ok "ECDSA with SHA-384 on the token: cachet and openssl verify" -- \
	bash -c "$(declare -f tsign both_verify); MOD='$MOD'; tsign ec384.sig '$EC_URI' ec.pem --digest sha384 --pass 1234 && both_verify ec384.sig"
# The ECDSA signature value is DER Ecdsa-Sig-Value with minimal INTEGERs,
# the form the Nettle path writes: a SEQUENCE of two INTEGERs, each with
# no superfluous leading octet.
ecdsa_der()
{
	python3 "$DERUTIL" offsets ec.sig >ec.json &&
		python3 - ec.sig ec.json <<'EOF'
import json, sys
m = open(sys.argv[1], "rb").read()
o = json.load(open(sys.argv[2]))
b = m[o["signature"]:o["signature"] + o["signatureLength"]]
assert len(b) > 8 and b[0] == 0x30 and b[1] == len(b) - 2, "not one DER SEQUENCE"
i = 2
for _ in range(2):
    assert b[i] == 0x02, "not an INTEGER"
    n = b[i + 1]
    v = b[i + 2:i + 2 + n]
    assert 0 < n <= 33 and len(v) == n, "bad INTEGER length"
    assert not (v[0] == 0 and n > 1 and v[1] < 0x80), "non-minimal INTEGER"
    assert v[0] < 0x80, "negative INTEGER"
    i += 2 + n
assert i == len(b), "trailing octets"
EOF
}
ok "the token's ECDSA signature is DER Ecdsa-Sig-Value with minimal INTEGERs" -- ecdsa_der
ok "the PIN from the URI's pin-value" -- \
	bash -c "$(declare -f tsign both_verify); MOD='$MOD'; tsign pv.sig '$RSA_URI;pin-value=1234' rsa.pem </dev/null && both_verify pv.sig"
ok "a wrong PIN: CACHET_E_BAD_KEY naming the PIN, exit 3, no output" -- \
	bash -c "$(declare -f tsign); MOD='$MOD'; tsign bad.sig '$RSA_URI' rsa.pem --pass 9999 2>err; [ \$? -eq 3 ] && grep -q CACHET_E_BAD_KEY err && grep -q 'refused the PIN' err && [ ! -e bad.sig ]"
ok "no PIN, stdin not a terminal: CACHET_E_NEED_PASSWORD, exit 2" -- \
	bash -c "$(declare -f tsign); MOD='$MOD'; tsign bad.sig '$RSA_URI' rsa.pem </dev/null 2>err; [ \$? -eq 2 ] && grep -q CACHET_E_NEED_PASSWORD err"
ok "the token key with another key's certificate: CACHET_E_KEY_MISMATCH, exit 2" -- \
	bash -c "$(declare -f tsign); MOD='$MOD'; tsign bad.sig '$RSA_URI' ec.pem --pass 1234 2>err; [ \$? -eq 2 ] && grep -q CACHET_E_KEY_MISMATCH err"
ok "a URI that names no key: CACHET_E_BAD_KEY, exit 3" -- \
	bash -c "$(declare -f tsign); MOD='$MOD'; tsign bad.sig '$TOK;object=none;type=private' rsa.pem --pass 1234 2>err; [ \$? -eq 3 ] && grep -q CACHET_E_BAD_KEY err"
ok "a module that does not exist: exit 4" -- \
	rc_is 4 "$CACHET" sign -i in.txt -o bad.sig --key "$RSA_URI" --signer rsa.pem --pass 1234 \
	--pkcs11-module "$TMP/no-such-module.so" --format der
pin_prompt()
{
	on_tty 1234 "$CACHET" sign -i in.txt -o tty.sig --key "$RSA_URI" --signer rsa.pem \
		--pkcs11-module "$MOD" --format der && both_verify tty.sig
}
ok "no PIN on a terminal: a PIN prompt without echo; the typed PIN signs" -- pin_prompt

# --- decryption on the token ----------------------------------------------
tdecrypt()
{
	local in=$1 out=$2
	shift 2
	"$CACHET" decrypt -i "$in" -o "$out" --cert rsa.pem --key "$RSA_URI" \
		--pkcs11-module "$MOD" --format der "$@"
}
ok "RSA key transport (PKCS#1 v1.5): the token decrypts, the content is the same" -- \
	bash -c "$(declare -f tdecrypt); MOD='$MOD'; RSA_URI='$RSA_URI';
		\"\$CACHET\" encrypt -i in.txt -o env.der --to rsa.pem --format der &&
		tdecrypt env.der env.out --pass 1234 && cmp in.txt env.out"
ok "EnvelopedData (AES-256-CBC) opens on the token with --pass-file" -- \
	bash -c "$(declare -f tdecrypt); MOD='$MOD'; RSA_URI='$RSA_URI';
		\"\$CACHET\" encrypt -i in.txt -o cbc.der --to rsa.pem --cipher aes-256-cbc --format der &&
		tdecrypt cbc.der cbc.out --pass-file pin.txt && cmp in.txt cbc.out"
openssl cms -encrypt -binary -aes-128-cbc -in in.txt -outform DER -out ossl.der rsa.pem
ok "a message openssl encrypted to the token certificate decrypts on the token" -- \
	bash -c "$(declare -f tdecrypt); MOD='$MOD'; RSA_URI='$RSA_URI';
		tdecrypt ossl.der ossl.out --pass 1234 && cmp in.txt ossl.out"
# A damaged encryptedKey: the token rejects the padding, Cachet carries
# on with a random key, and only the content decryption fails -- with
# the one decryption error, exit 1 (RFC 3218 section 2.3).
damage_ek()
{
	python3 - env.der bad-ek.der <<'EOF'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
i = b.find(b"\x04\x82\x01\x00")  # the 256-octet encryptedKey OCTET STRING
assert i > 0, "no 2048-bit encryptedKey found"
b[i + 4 + 100] ^= 0x01
open(sys.argv[2], "wb").write(b)
EOF
}
ok "a damaged encryptedKey: CACHET_E_DECRYPT_FAILED, exit 1, no output" -- \
	bash -c "$(declare -f damage_ek tdecrypt); MOD='$MOD'; RSA_URI='$RSA_URI';
		damage_ek && { tdecrypt bad-ek.der bad-ek.out --pass 1234 2>err; [ \$? -eq 1 ]; } &&
		grep -q CACHET_E_DECRYPT_FAILED err && [ ! -e bad-ek.out ]"
ok "RSAES-OAEP with a token key: CACHET_E_UNSUPPORTED naming GnuTLS, exit 3" -- \
	bash -c "$(declare -f tdecrypt); MOD='$MOD'; RSA_URI='$RSA_URI';
		\"\$CACHET\" encrypt -i in.txt -o oaep.der --to rsa.pem --oaep --format der &&
		{ tdecrypt oaep.der oaep.out --pass 1234 2>err; [ \$? -eq 3 ]; } &&
		grep -q CACHET_E_UNSUPPORTED err && grep -q 'GnuTLS' err && [ ! -e oaep.out ]"
ok "an EC key on a token cannot decrypt (no ECDH on tokens): CACHET_E_UNSUPPORTED, exit 3" -- \
	bash -c "\"\$CACHET\" encrypt -i in.txt -o ka.der --to ec-ka.pem --format der &&
		{ \"\$CACHET\" decrypt -i ka.der -o ka.out --cert ec-ka.pem --key '$EC_URI' --pass 1234 \
			--pkcs11-module '$MOD' --format der 2>err; [ \$? -eq 3 ]; } &&
		grep -q CACHET_E_UNSUPPORTED err && [ ! -e ka.out ]"
ok "the private keys are still on the token, still not extractable" -- keys_stay

done_testing
