#!/bin/bash
# interop-openssl-enc.sh -- EnvelopedData, AuthEnvelopedData and
# EncryptedData both ways between cachet and `openssl cms` (OpenSSL 3.0):
# what cachet encrypts, openssl decrypts to the same bytes, and what
# openssl encrypts, cachet decrypts to the same bytes.  Every case runs
# over contents of 0, 1, 15, 16 and 17 octets (around the AES block) and
# 1 MiB of random data.
#
# What OpenSSL 3.0 cannot do is said in a TAP comment; the shared
# third-party vectors (tests/vectors-enveloped.sh) cover it instead:
#   - X25519/X448 key agreement in CMS (RFC 8418): openssl 3.0 neither
#     encrypts to an X25519 certificate nor decrypts such a recipient;
#     covered by rfc9216-examples-cms authEnvelopedForDanaX25519HKDF and
#     encryptedForBobAndDana;
#   - ChaCha20-Poly1305 AuthEnvelopedData (RFC 8103): "unsupported content
#     encryption algorithm"; covered by authEnvelopedForBobChaCha20Poly1305.
. "$(dirname "$0")/cli-lib.sh"

require openssl python3

# The contents: sizes around the AES block, binary bytes, and 1 MiB.
SIZES="0 1 15 16 17 1048576"
python3 - <<'EOF'
import os
for n in (0, 1, 15, 16, 17):
    open("m%d.bin" % n, "wb").write(bytes((i * 37 + 13) & 0xFF for i in range(n)))
open("m1048576.bin", "wb").write(os.urandom(1048576))
EOF

# A P-521 recipient with the keyAgreement key usage (grace of the test PKI
# has none), made here: self-signed, only used as a recipient.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-521 -nodes \
	-keyout p521.key -out p521.crt -days 30 -subj "/CN=P-521 recipient" \
	-addext "keyUsage=critical,keyAgreement" >/dev/null 2>&1 ||
	tap_result 1 "openssl makes a P-521 keyAgreement certificate"

KEK16=000102030405060708090a0b0c0d0e0f
KEK24=${KEK16}1011121314151617
KEK32=${KEK16}101112131415161718191a1b1c1d1e1f
PW='correct horse battery staple'

# enc_ok NAME SIZE CACHET-ENCRYPT-ARGS...: encrypt mSIZE.bin to c.der.
enc_ok()
{
	local name=$1 sz=$2
	shift 2
	rm -f c.der
	ok "$name ($sz octets): cachet encrypt" -- \
		"$CACHET" encrypt --format der -i "m$sz.bin" -o c.der "$@"
}

# ossl_dec SIZE OPENSSL-ARGS...: openssl decrypts c.der to mSIZE.bin.
ossl_dec()
{
	local sz=$1
	shift
	rm -f o.out
	openssl cms -binary -in c.der -out o.out "$@" && cmp "m$sz.bin" o.out
}

# ossl_dec_ok NAME SIZE OPENSSL-ARGS...
ossl_dec_ok()
{
	local name=$1
	shift
	ok "$name ($1 octets): openssl recovers the input" -- ossl_dec "$@"
}

# ---------------------------------------------------------------- cachet -> openssl
# name|cachet encrypt options|openssl options (-decrypt etc.)
while IFS='|' read -r name copts oopts; do
	[ -n "$name" ] || continue
	read -r -a ca <<<"$copts"
	read -r -a oa <<<"$oopts"
	for sz in $SIZES; do
		enc_ok "cachet $name" "$sz" "${ca[@]}" && \
			ossl_dec_ok "cachet $name" "$sz" -inform DER "${oa[@]}"
	done
done <<EOF
RSA v1.5 AES-128-GCM (default)|--to $PKI/alice.crt.pem|-decrypt -recip $PKI/alice.crt.pem -inkey $PKI/alice.key.pem
RSA v1.5 AES-256-GCM|--to $PKI/bob.crt.pem --cipher aes-256-gcm|-decrypt -recip $PKI/bob.crt.pem -inkey $PKI/bob.key.pem
RSA v1.5 AES-128-CBC|--to $PKI/alice.crt.pem --cipher aes-128-cbc|-decrypt -recip $PKI/alice.crt.pem -inkey $PKI/alice.key.pem
RSA v1.5 AES-192-CBC|--to $PKI/bob.crt.pem --cipher aes-192-cbc|-decrypt -recip $PKI/bob.crt.pem -inkey $PKI/bob.key.pem
RSA v1.5 AES-256-CBC|--to $PKI/alice.crt.pem --cipher aes-256-cbc|-decrypt -recip $PKI/alice.crt.pem -inkey $PKI/alice.key.pem
RSA-OAEP AES-128-CBC|--to $PKI/alice.crt.pem --oaep --cipher aes-128-cbc|-decrypt -recip $PKI/alice.crt.pem -inkey $PKI/alice.key.pem
RSA-OAEP AES-256-GCM|--to $PKI/bob.crt.pem --oaep --cipher aes-256-gcm|-decrypt -recip $PKI/bob.crt.pem -inkey $PKI/bob.key.pem
RSA --skid AES-128-CBC|--to $PKI/alice.crt.pem --skid --cipher aes-128-cbc|-decrypt -recip $PKI/alice.crt.pem -inkey $PKI/alice.key.pem
ECDH P-256 AES-128-CBC|--to $PKI/carol.crt.pem --cipher aes-128-cbc|-decrypt -recip $PKI/carol.crt.pem -inkey $PKI/carol.key.pem
ECDH P-256 AES-128-GCM|--to $PKI/carol.crt.pem|-decrypt -recip $PKI/carol.crt.pem -inkey $PKI/carol.key.pem
ECDH P-384 AES-256-CBC|--to $PKI/dave.crt.pem --cipher aes-256-cbc|-decrypt -recip $PKI/dave.crt.pem -inkey $PKI/dave.key.pem
ECDH P-384 AES-256-GCM|--to $PKI/dave.crt.pem --cipher aes-256-gcm|-decrypt -recip $PKI/dave.crt.pem -inkey $PKI/dave.key.pem
ECDH P-521 AES-256-CBC|--to $TMP/p521.crt --cipher aes-256-cbc|-decrypt -recip $TMP/p521.crt -inkey $TMP/p521.key
KEK AES-128 AES-128-CBC|--kek $KEK16 --kek-id kek-one --cipher aes-128-cbc|-decrypt -secretkey $KEK16 -secretkeyid 6b656b2d6f6e65
KEK AES-256 AES-256-GCM|--kek $KEK32 --kek-id hex:0a0b0c0d|-decrypt -secretkey $KEK32 -secretkeyid 0a0b0c0d
KEK AES-192 AES-192-CBC|--kek $KEK24 --kek-id k24 --cipher aes-192-cbc|-decrypt -secretkey $KEK24 -secretkeyid 6b3234
EncryptedData AES-128-CBC|--content-key $KEK16 --cipher aes-128-cbc|-EncryptedData_decrypt -secretkey $KEK16
EncryptedData AES-256-CBC|--content-key $KEK32 --cipher aes-256-cbc|-EncryptedData_decrypt -secretkey $KEK32
EOF

# Password recipients (openssl reads the password from the command line;
# a few PBKDF2 iterations keep the 1 MiB runs quick).
for c in aes-128-cbc aes-256-gcm; do
	for sz in $SIZES; do
		enc_ok "cachet password $c" "$sz" --password "$PW" --iterations 2000 --cipher "$c" && \
			ossl_dec_ok "cachet password $c" "$sz" -inform DER -decrypt -pwri_password "$PW"
	done
done
enc_ok "cachet --password-file, default iterations" 17 --password-file <(printf '%s' "$PW") --cipher aes-128-cbc &&
	ossl_dec_ok "cachet --password-file, default iterations" 17 -inform DER -decrypt -pwri_password "$PW"

# Several recipients of different kinds in one message: each opens it.
enc_ok "cachet alice+carol+dave+KEK+password" 17 --to "$PKI/alice.crt.pem" \
	--to "$PKI/carol.crt.pem" --to "$PKI/dave.crt.pem" --kek "$KEK16" --kek-id multi \
	--password "$PW" --iterations 2000 --cipher aes-256-cbc
cp c.der multi.der
for who in alice carol dave; do
	ossl_dec_ok "cachet 5 recipients, opened by $who" 17 -inform DER -decrypt \
		-recip "$PKI/$who.crt.pem" -inkey "$PKI/$who.key.pem"
done
ossl_dec_ok "cachet 5 recipients, opened by the KEK" 17 -inform DER -decrypt -secretkey "$KEK16" -secretkeyid 6d756c7469
ossl_dec_ok "cachet 5 recipients, opened by the password" 17 -inform DER -decrypt -pwri_password "$PW"
ok "cachet 5 recipients: openssl lists 5 RecipientInfos (ktri, kari x2, kekri, pwri)" -- \
	eval 'openssl cms -cmsout -print -inform DER -in multi.der > multi.txt &&
		[ "$(grep -c "d.ktri:\|d.kari:\|d.kekri:\|d.pwri:" multi.txt)" -eq 5 ]'

# PEM output.
for sz in 0 17; do
	enc_ok "cachet --format pem" "$sz" --to "$PKI/alice.crt.pem" --format pem && \
		ok "cachet --format pem ($sz octets): the armour says CMS" -- grep -q -e '-----BEGIN CMS-----' c.der && \
		ossl_dec_ok "cachet --format pem" "$sz" -inform PEM -decrypt -recip "$PKI/alice.crt.pem" -inkey "$PKI/alice.key.pem"
done

diag "not run: cachet --to X25519/X448 certificate -> openssl: OpenSSL 3.0 has no" \
	"X25519/X448 KeyAgreeRecipientInfo (RFC 8418); covered by the RFC 9216 vectors" \
	"(tests/vectors-enveloped.sh: authEnvelopedForDanaX25519HKDF, encryptedForBobAndDana)"
diag "not run: cachet --cipher chacha20-poly1305 -> openssl: OpenSSL 3.0 CMS has no" \
	"ChaCha20-Poly1305 (RFC 8103); covered by authEnvelopedForBobChaCha20Poly1305"
# What openssl refuses must still be what cachet made: check the OID.
enc_ok "cachet ChaCha20-Poly1305" 17 --to "$PKI/alice.crt.pem" --cipher chacha20-poly1305 && \
	ok "cachet ChaCha20-Poly1305: an AuthEnvelopedData with id-alg-AEADChaCha20Poly1305" -- \
	eval 'python3 "$top_srcdir/tests/envutil.py" parts c.der > p.json &&
		grep -q "\"type\": \"authEnvelopedData\"" p.json &&
		grep -q "\"alg\": \"1.2.840.113549.1.9.16.3.18\"" p.json'

# Controls: openssl must notice damage, or its successes mean little.
"$CACHET" encrypt --format der -i m17.bin -o ctl.der --to "$PKI/alice.crt.pem" >/dev/null 2>&1
off=$(python3 "$top_srcdir/tests/envutil.py" ct-offset ctl.der 0 2>/dev/null)
python3 "$top_srcdir/tests/envutil.py" flip ctl.der "${off:-0}" ctl-bad.der >/dev/null 2>&1
ok "control: openssl rejects a cachet AES-GCM message with a changed ciphertext byte" -- \
	eval '! openssl cms -decrypt -binary -inform DER -in ctl-bad.der -recip "$PKI/alice.crt.pem" -inkey "$PKI/alice.key.pem" -out /dev/null'
ok "control: openssl cannot open a cachet message for alice with bob's key" -- \
	eval '! openssl cms -decrypt -binary -inform DER -in ctl.der -recip "$PKI/bob.crt.pem" -inkey "$PKI/bob.key.pem" -out /dev/null'

# ---------------------------------------------------------------- openssl -> cachet
# cachet_dec SIZE CACHET-DECRYPT-ARGS...: cachet decrypts o.der to mSIZE.bin.
cachet_dec()
{
	local sz=$1
	shift
	rm -f c.out
	"$CACHET" decrypt -i o.der -o c.out "$@" && cmp "m$sz.bin" c.out
}

# cachet_dec_ok NAME SIZE CACHET-DECRYPT-ARGS...
cachet_dec_ok()
{
	local name=$1
	shift
	ok "$name ($1 octets): cachet recovers the input" -- cachet_dec "$@"
}

# name|openssl options|cachet decrypt options
while IFS='|' read -r name oopts copts; do
	[ -n "$name" ] || continue
	read -r -a oa <<<"$oopts"
	read -r -a ca <<<"$copts"
	for sz in $SIZES; do
		rm -f o.der
		ok "openssl $name ($sz octets): openssl cms -encrypt" -- \
			openssl cms -binary -in "m$sz.bin" -outform DER -out o.der "${oa[@]}" &&
			cachet_dec_ok "openssl $name" "$sz" "${ca[@]}"
	done
done <<EOF
RSA v1.5 AES-128-CBC|-encrypt -aes-128-cbc $PKI/alice.crt.pem|--cert $PKI/alice.crt.pem --key $PKI/alice.key.pem
RSA v1.5 AES-192-CBC|-encrypt -aes-192-cbc $PKI/bob.crt.pem|--cert $PKI/bob.crt.pem --key $PKI/bob.key.pem
RSA v1.5 AES-256-CBC|-encrypt -aes-256-cbc $PKI/alice.crt.pem|--cert $PKI/alice.crt.pem --key $PKI/alice.key.pem
RSA v1.5 AES-128-GCM (authEnveloped)|-encrypt -aes-128-gcm $PKI/alice.crt.pem|--cert $PKI/alice.crt.pem --key $PKI/alice.key.pem
RSA v1.5 AES-256-GCM (authEnveloped)|-encrypt -aes-256-gcm $PKI/bob.crt.pem|--cert $PKI/bob.crt.pem --key $PKI/bob.key.pem
RSA-OAEP SHA-1 defaults AES-128-CBC|-encrypt -aes-128-cbc -recip $PKI/alice.crt.pem -keyopt rsa_padding_mode:oaep|--cert $PKI/alice.crt.pem --key $PKI/alice.key.pem
RSA-OAEP SHA-256 AES-256-GCM|-encrypt -aes-256-gcm -recip $PKI/bob.crt.pem -keyopt rsa_padding_mode:oaep -keyopt rsa_oaep_md:sha256 -keyopt rsa_mgf1_md:sha256|--cert $PKI/bob.crt.pem --key $PKI/bob.key.pem
RSA -keyid (subjectKeyIdentifier rid)|-encrypt -aes-128-cbc -keyid $PKI/alice.crt.pem|--cert $PKI/alice.crt.pem --key $PKI/alice.key.pem
ECDH P-256 sha256kdf AES-128-CBC|-encrypt -aes-128-cbc -recip $PKI/carol.crt.pem -keyopt ecdh_kdf_md:sha256|--cert $PKI/carol.crt.pem --key $PKI/carol.key.pem
ECDH P-256 sha256kdf AES-128-GCM|-encrypt -aes-128-gcm -recip $PKI/carol.crt.pem -keyopt ecdh_kdf_md:sha256|--cert $PKI/carol.crt.pem --key $PKI/carol.key.pem
ECDH P-384 sha384kdf AES-256-CBC|-encrypt -aes-256-cbc -recip $PKI/dave.crt.pem -keyopt ecdh_kdf_md:sha384|--cert $PKI/dave.crt.pem --key $PKI/dave.key.pem
ECDH P-384 sha384kdf AES-256-GCM|-encrypt -aes-256-gcm -recip $PKI/dave.crt.pem -keyopt ecdh_kdf_md:sha384|--cert $PKI/dave.crt.pem --key $PKI/dave.key.pem
ECDH P-521 sha512kdf AES-256-CBC|-encrypt -aes-256-cbc -recip $TMP/p521.crt -keyopt ecdh_kdf_md:sha512|--cert $TMP/p521.crt --key $TMP/p521.key
ECDH P-256 default sha1kdf|-encrypt -aes-128-cbc $PKI/carol.crt.pem|--cert $PKI/carol.crt.pem --key $PKI/carol.key.pem
KEK AES-128 (-secretkey)|-encrypt -aes-128-cbc -secretkey $KEK16 -secretkeyid 6b6579|--kek $KEK16 --kek-id key
KEK AES-256 binary id|-encrypt -aes-256-gcm -secretkey $KEK32 -secretkeyid 00ff10ee|--kek $KEK32 --kek-id hex:00ff10ee
password (-pwri_password, PBKDF2 with HMAC-SHA-1)|-encrypt -aes-128-cbc -pwri_password opensesame|--password opensesame
EncryptedData AES-128-CBC|-EncryptedData_encrypt -aes-128-cbc -secretkey $KEK16|--content-key $KEK16
EncryptedData AES-256-CBC|-EncryptedData_encrypt -aes-256-cbc -secretkey $KEK32|--content-key $KEK32
3DES-CBC (--legacy)|-encrypt -des3 $PKI/alice.crt.pem|--cert $PKI/alice.crt.pem --key $PKI/alice.key.pem --legacy
EOF

# Other shapes openssl makes.
for sz in 0 17 1048576; do
	ok "openssl -stream (indefinite lengths, chunked content) ($sz octets)" -- \
		openssl cms -encrypt -binary -stream -aes-256-cbc -in "m$sz.bin" -outform DER -out o.der "$PKI/bob.crt.pem" &&
		cachet_dec_ok "openssl -stream" "$sz" --cert "$PKI/bob.crt.pem" --key "$PKI/bob.key.pem"
	ok "openssl -outform PEM ($sz octets)" -- \
		openssl cms -encrypt -binary -aes-128-gcm -in "m$sz.bin" -outform PEM -out o.der "$PKI/alice.crt.pem" &&
		cachet_dec_ok "openssl -outform PEM" "$sz" --cert "$PKI/alice.crt.pem" --key "$PKI/alice.key.pem"
done
ok "openssl alice+carol+bob: opened by carol (P-256 kari between two ktri)" -- \
	eval 'openssl cms -encrypt -binary -aes-256-cbc -in m17.bin -outform DER -out o.der -recip "$PKI/alice.crt.pem" -recip "$PKI/carol.crt.pem" -keyopt ecdh_kdf_md:sha256 -recip "$PKI/bob.crt.pem" &&
		"$CACHET" decrypt -i o.der -o c.out --cert "$PKI/carol.crt.pem" --key "$PKI/carol.key.pem" && cmp m17.bin c.out'
ok "openssl alice+carol+bob: cachet with two key pairs (dave's, bob's) opens via bob" -- \
	eval '"$CACHET" decrypt -i o.der -o c.out --cert "$PKI/dave.crt.pem" --key "$PKI/dave.key.pem" --cert "$PKI/bob.crt.pem" --key "$PKI/bob.key.pem" && cmp m17.bin c.out'
ok "openssl encrypted alice key (PKCS #8 PBES2): cachet --pass opens" -- \
	eval 'openssl cms -encrypt -binary -aes-128-cbc -in m17.bin -outform DER -out o.der "$PKI/alice.crt.pem" &&
		"$CACHET" decrypt -i o.der -o c.out --cert "$PKI/alice.crt.pem" --key "$PKI/alice.key.p8enc.pem" --pass alice-test-pass && cmp m17.bin c.out'

# Policy on openssl's defaults: a SHA-1 X9.63 KDF (openssl's default for
# EC; an RFC 5753 section 8 suite) and PBKDF2 with HMAC-SHA-1 (openssl's
# PWRI default, RFC 8018's default PRF) are read under the default policy
# -- SHA-1's collisions do not touch these uses; 3DES needs --legacy
# (cachet-decrypt(1)).
openssl cms -encrypt -binary -aes-128-cbc -in m17.bin -outform DER -out sha1kdf.der "$PKI/carol.crt.pem" 2>/dev/null
rm -f c.out
ok "openssl EC default (dhSinglePass-stdDH-sha1kdf): cachet opens it without --legacy" -- \
	eval '"$CACHET" decrypt -i sha1kdf.der -o c.out --cert "$PKI/carol.crt.pem" --key "$PKI/carol.key.pem" 2>err.txt && cmp m17.bin c.out'
openssl cms -encrypt -binary -des3 -in m17.bin -outform DER -out des3.der "$PKI/alice.crt.pem" 2>/dev/null
rm -f c.out
ok "openssl -des3: cachet without --legacy refuses (exit 1), no output" -- \
	eval 'rc_is 1 "$CACHET" decrypt -i des3.der -o c.out --cert "$PKI/alice.crt.pem" --key "$PKI/alice.key.pem" 2>err.txt && [ ! -e c.out ]'

openssl cms -encrypt -binary -aes-128-cbc -pwri_password opensesame -in m17.bin -outform DER -out pwsha1.der 2>/dev/null
rm -f c.out
ok "openssl -pwri_password (PBKDF2 with hmacWithSHA1): cachet opens it without --legacy" -- \
	eval '"$CACHET" decrypt -i pwsha1.der -o c.out --password opensesame 2>err.txt && cmp m17.bin c.out'

diag "not run: openssl -> cachet with X25519/X448 recipients or ChaCha20-Poly1305:" \
	"OpenSSL 3.0 cannot make them (see the RFC 9216 vectors)"
diag "not run: openssl -pwri_password with an AES-GCM content cipher: OpenSSL 3.0" \
	"refuses to make it (\"cipher parameter initialisation error\"); cachet -> openssl" \
	"covers a password recipient in AuthEnvelopedData"

done_testing
