#!/bin/bash
# interop-nss.sh -- EnvelopedData both ways between cachet and NSS
# `cmsutil` (libnss3-tools): what cachet encrypts, `cmsutil -D` decrypts
# to the same bytes; what `cmsutil -E` encrypts, cachet decrypts to the
# same bytes.
#
# The NSS database is made in the test's temporary directory: an empty
# password, the test PKI's root and intermediate CA, and alice's, bob's
# and carol's certificates and keys imported from PKCS #12 files made
# here with `openssl pkcs12 -export`.
#
# What NSS 3.87 (Debian 12) cannot do is said in a TAP comment and is
# covered by tests/interop-openssl-enc.sh and the shared vectors instead:
# RSAES-OAEP ("SEC_ERROR_UNSUPPORTED_KEYALG"), ECDH key agreement
# (cmsutil -E cannot make a KeyAgreeRecipientInfo, -D rejects one),
# AuthEnvelopedData/AES-GCM ("SEC_ERROR_UNRECOGNIZED_OID"), KEK and
# password recipients (cmsutil has no option for them).
. "$(dirname "$0")/cli-lib.sh"

require certutil pk12util cmsutil openssl python3

DB=sql:$TMP/nssdb
mkdir -p "$TMP/nssdb"
ok "NSS: certutil -N makes a database with an empty password" -- \
	certutil -N -d "$DB" --empty-password
for u in alice bob carol; do
	ok "NSS: import $u's certificate and key (openssl pkcs12 -export | pk12util -i)" -- \
		eval 'openssl pkcs12 -export -in "$PKI/$u.crt.pem" -inkey "$PKI/$u.key.pem" -name "$u" \
			-passout pass:p12-pass -out "$u.p12" &&
		pk12util -i "$u.p12" -d "$DB" -W p12-pass -K ""'
done
ok "NSS: import the test root (trusted) and the intermediate CA" -- \
	eval 'certutil -A -d "$DB" -n cachet-root -t "C,C,C" -i "$PKI/root-ca.crt.pem" &&
		certutil -A -d "$DB" -n cachet-int -t ",," -i "$PKI/int-ca.crt.pem"'
ok "NSS: alice's key is in the database" -- \
	eval 'certutil -K -d "$DB" | grep -q alice'

SIZES="0 1 15 16 17 1048576"
python3 - <<'EOF'
import os
for n in (0, 1, 15, 16, 17):
    open("m%d.bin" % n, "wb").write(bytes((i * 37 + 13) & 0xFF for i in range(n)))
open("m1048576.bin", "wb").write(os.urandom(1048576))
EOF

# nss_dec SIZE: cmsutil -D decrypts c.der to mSIZE.bin.
nss_dec()
{
	rm -f n.out
	cmsutil -D -d "$DB" -i c.der -o n.out && cmp "m$1.bin" n.out
}

# ---------------------------------------------------------------- cachet -> NSS
while IFS='|' read -r name copts; do
	[ -n "$name" ] || continue
	read -r -a ca <<<"$copts"
	for sz in $SIZES; do
		rm -f c.der
		ok "cachet $name ($sz octets): cachet encrypt" -- \
			"$CACHET" encrypt --format der -i "m$sz.bin" -o c.der "${ca[@]}" &&
			ok "cachet $name ($sz octets): cmsutil -D recovers the input" -- nss_dec "$sz"
	done
done <<EOF
RSA v1.5 AES-128-CBC to alice|--to $PKI/alice.crt.pem --cipher aes-128-cbc
RSA v1.5 AES-192-CBC to bob|--to $PKI/bob.crt.pem --cipher aes-192-cbc
RSA v1.5 AES-256-CBC to alice|--to $PKI/alice.crt.pem --cipher aes-256-cbc
EOF
for x in "--skid:subjectKeyIdentifier rid" ":alice and bob"; do
	opt=${x%%:*}
	name=${x#*:}
	rm -f c.der
	if [ -n "$opt" ]; then
		ok "cachet $name ($opt, AES-256-CBC): encrypt" -- \
			"$CACHET" encrypt --format der -i m17.bin -o c.der --to "$PKI/bob.crt.pem" "$opt" --cipher aes-256-cbc
	else
		ok "cachet $name (AES-128-CBC): encrypt" -- \
			"$CACHET" encrypt --format der -i m17.bin -o c.der --to "$PKI/alice.crt.pem" --to "$PKI/bob.crt.pem" --cipher aes-128-cbc
	fi
	ok "cachet $name: cmsutil -D recovers the input" -- nss_dec 17
done
rm -f c.der
ok "cachet --format pem: cmsutil -D (after removing the armour) recovers the input" -- \
	eval '"$CACHET" encrypt --format der -i m17.bin -o c.pem --to "$PKI/alice.crt.pem" --cipher aes-128-cbc --format pem &&
		python3 "$top_srcdir/tests/envutil.py" der c.pem c.der && nss_dec 17'

# Control: NSS must notice the wrong database entry too.
"$CACHET" encrypt --format der -i m17.bin -o ctl.der --to "$PKI/alice.crt.pem" --cipher aes-128-cbc >/dev/null 2>&1
certutil -N -d "sql:$TMP/emptydb" --empty-password >/dev/null 2>&1 || { mkdir -p "$TMP/emptydb" && certutil -N -d "sql:$TMP/emptydb" --empty-password >/dev/null 2>&1; }
ok "control: cmsutil -D without alice's key fails" -- \
	eval '! cmsutil -D -d "sql:$TMP/emptydb" -i ctl.der -o /dev/null'

diag "not run: cachet --oaep, ECDH (carol, dave), AES-GCM, KEK and password recipients ->" \
	"NSS 3.87 cmsutil: unsupported there (see tests/interop-openssl-enc.sh)"

# ---------------------------------------------------------------- NSS -> cachet
# cachet_dec SIZE USER: cachet decrypts n.der to mSIZE.bin with USER's key.
cachet_dec()
{
	rm -f c.out
	"$CACHET" decrypt -i n.der -o c.out --cert "$PKI/$2.crt.pem" --key "$PKI/$2.key.pem" &&
		cmp "m$1.bin" c.out
}
for r in alice bob; do
	for sz in $SIZES; do
		rm -f n.der
		ok "cmsutil -E -r $r@example.org ($sz octets)" -- \
			cmsutil -E -d "$DB" -r "$r@example.org" -i "m$sz.bin" -o n.der &&
			ok "cmsutil -E -r $r@example.org ($sz octets): cachet recovers the input" -- cachet_dec "$sz" "$r"
	done
done
rm -f n.der
ok "cmsutil -E -r alice,bob (by nickname)" -- \
	cmsutil -E -d "$DB" -r alice,bob -i m17.bin -o n.der
ok "cmsutil -E -r alice,bob: cachet opens it with bob's key" -- cachet_dec 17 bob
ok "cmsutil -E -r alice,bob: cachet opens it with alice's key" -- cachet_dec 17 alice
ok "cmsutil -E -r alice,bob: cachet with carol's key fails with exit 1 and no output" -- \
	eval 'rm -f c.out; rc_is 1 "$CACHET" decrypt -i n.der -o c.out --cert "$PKI/carol.crt.pem" --key "$PKI/carol.key.pem" 2>/dev/null && [ ! -e c.out ]'
ok "cmsutil -E: cachet -v names the content cipher" -- \
	eval '"$CACHET" decrypt -v -i n.der -o c.out --cert "$PKI/bob.crt.pem" --key "$PKI/bob.key.pem" 2>v.txt && grep -qi "aes" v.txt'

diag "not run: NSS -> cachet with EC, OAEP or AES-GCM: cmsutil -E (NSS 3.87) makes RSA" \
	"PKCS #1 v1.5 + AES-CBC EnvelopedData only; the Thunderbird (NSS-made) vectors" \
	"cover more (tests/vectors-enveloped.sh)"

done_testing
