#!/bin/sh
# make-pki.sh -- the X25519 and X448 recipients of the interop matrix
# (conformance/interop.py): xena (X25519) and yuri (X448), issued by the
# test PKI's intermediate CA (../pki/int-ca), keyUsage keyAgreement,
# extendedKeyUsage emailProtection, valid 7000 days from the run (OpenSSL 3.0 has
# no -not_before).  FICTIONAL TEST IDENTITIES: the keys are public.
# Run from anywhere; needs OpenSSL 3.0 (x509 -new -force_pubkey).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
pki=$here/../pki
out=$here/pki
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
serial=8193  # 0x2001
for id in xena:X25519 yuri:X448; do
	name=${id%%:*}
	alg=${id#*:}
	cap=$(printf '%s' "$name" | sed 's/^./\U&/')
	[ -f "$out/$name.key.pem" ] || openssl genpkey -algorithm "$alg" -out "$out/$name.key.pem"
	openssl pkey -in "$out/$name.key.pem" -pubout -out "$tmp/$name.pub.pem"
	cat >"$tmp/$name.cnf" <<CNF
[ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, keyAgreement
extendedKeyUsage = emailProtection
subjectAltName = email:$name@example.org
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
	openssl x509 -new -subj "/CN=$cap/O=Cachet Test" -force_pubkey "$tmp/$name.pub.pem" \
		-CA "$pki/int-ca.crt.pem" -CAkey "$pki/int-ca.key.pem" -sha384 \
		-set_serial "$serial" -days 7000 \
		-extfile "$tmp/$name.cnf" -extensions ext -out "$out/$name.crt.pem"
	openssl verify -CAfile "$pki/root-ca.crt.pem" -untrusted "$pki/int-ca.crt.pem" \
		"$out/$name.crt.pem" >/dev/null
	serial=$((serial + 1))
done
openssl version >"$out/TOOL-VERSION"
