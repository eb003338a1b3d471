#!/bin/bash
# interop-certs.sh -- certificates-only messages both ways: OpenSSL
# (`openssl pkcs7 -print_certs`, `openssl cms -cmsout -certsout`) and
# GnuTLS (`certtool --p7-info`) read Cachet's; Cachet reads the ones
# `openssl crl2pkcs7 -nocrl -certfile`, `openssl crl2pkcs7` with a CRL
# and `certtool --p7-generate` make.  Certificates are compared as sets of
# SHA-256 fingerprints.  A missing tool is a failure.
. "$(dirname "$0")/cli-lib.sh"

require openssl certtool python3

fprs()
{
	python3 -c '
import base64, hashlib, re, sys
data = open(sys.argv[1], "rb").read()
for b in sorted({hashlib.sha256(base64.b64decode(b"".join(m.split()))).hexdigest()
                 for m in re.findall(rb"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", data, re.S)}):
    print(b)' "$1"
}

ALL=(root-ca int-ca alice bob carol dave erin frank grace)
: >all.pem
for u in "${ALL[@]}"; do cat "$PKI/$u.crt.pem" >>all.pem; done
fprs all.pem >want-all.txt
fprs "$PKI/alice.crt.pem" >want-1.txt

# Cachet -> OpenSSL and GnuTLS, for 1 and for all certificates, DER and PEM.
for set in 1 all; do
	if [ $set = 1 ]; then src=$PKI/alice.crt.pem; else src=all.pem; fi
	ok "cachet certs --make ($set)" -- cachet certs --make -o c-$set.p7c "$src"
	ok "cachet certs --make --format pem ($set)" -- cachet certs --make --format pem -o c-$set.pem "$src"

	openssl pkcs7 -inform DER -in c-$set.p7c -print_certs -out o.pem 2>err.txt
	tap_result $? "openssl pkcs7 -print_certs reads Cachet's DER ($set)"
	fprs o.pem >got.txt
	ok "... the same certificates ($set)" -- cmp want-$set.txt got.txt

	# Cachet's PEM label is "CMS" (RFC 7468 section 9), which openssl cms
	# reads; openssl pkcs7 and certtool want the PKCS #7 label "PKCS7".
	rm -f o.pem
	openssl cms -cmsout -inform PEM -in c-$set.pem -certsout o.pem -noout 2>err.txt
	tap_result $? "openssl cms reads Cachet's PEM (label CMS) ($set)"
	fprs o.pem >got.txt
	ok "... the same certificates ($set)" -- cmp want-$set.txt got.txt

	rm -f o.pem
	openssl cms -cmsout -inform DER -in c-$set.p7c -certsout o.pem -noout 2>err.txt
	tap_result $? "openssl cms -certsout reads Cachet's DER ($set)"
	fprs o.pem >got.txt
	ok "... the same certificates ($set)" -- cmp want-$set.txt got.txt

	# openssl re-encodes what it parsed as DER: a DER input comes back
	# byte for byte (definite lengths, sorted SET OF).
	openssl cms -cmsout -inform DER -in c-$set.p7c -outform DER -out re.der 2>err.txt
	ok "openssl's DER re-encoding is byte-identical ($set)" -- same_file re.der c-$set.p7c

	certtool --p7-info --inder --infile c-$set.p7c >ct.txt 2>err.txt
	tap_result $? "certtool --p7-info reads Cachet's DER ($set)"
	fprs ct.txt >got.txt
	ok "... the same certificates ($set)" -- cmp want-$set.txt got.txt
	ok "... and no signers" -- grep -q 'Signers:' ct.txt
	sed 's/-----\(BEGIN\|END\) CMS-----/-----\1 PKCS7-----/' c-$set.pem >relabel.pem
	certtool --p7-info --infile relabel.pem >ct.txt 2>err.txt
	tap_result $? "certtool --p7-info reads Cachet's PEM body under the PKCS7 label ($set)"
	fprs ct.txt >got.txt
	ok "... the same certificates ($set)" -- cmp want-$set.txt got.txt
done

# OpenSSL -> Cachet.
ok "openssl crl2pkcs7 -nocrl -certfile (all)" -- \
	openssl crl2pkcs7 -nocrl -certfile all.pem -outform DER -out o-all.p7c
cachet certs --extract -i o-all.p7c -o got.pem
tap_result $? "cachet reads openssl's crl2pkcs7 DER"
fprs got.pem >got.txt
ok "... the same certificates" -- cmp want-all.txt got.txt
cachet certs --extract -i o-all.p7c --json >o.json
ok "... certs-only, no finding but perhaps DER order" -- python3 -c '
import json
d = json.load(open("o.json"))
assert d["certs_only"] is True
bad = [f["name"] for f in d["findings"] if f["name"] not in ("certificates-order",)]
assert not bad, bad'
openssl crl2pkcs7 -nocrl -certfile all.pem -out o-all.pem
ok "cachet reads openssl's crl2pkcs7 PEM (label PKCS7)" -- cachet certs --extract -i o-all.pem -o got2.pem
fprs got2.pem >got.txt
ok "... the same certificates" -- cmp want-all.txt got.txt

# A CRL made by openssl with the test root, through both.
cat >ca.cnf <<CNF
[ ca ]
default_ca = test
[ test ]
database = $TMP/index.txt
crlnumber = $TMP/crlnumber
default_md = sha256
default_crl_days = 30
CNF
: >index.txt
echo 01 >crlnumber
ok "openssl ca -gencrl with the test root" -- openssl ca -config ca.cnf -gencrl \
	-cert "$PKI/root-ca.crt.pem" -keyfile "$PKI/root-ca.key.pem" -out root.crl
openssl crl2pkcs7 -in root.crl -certfile "$PKI/alice.crt.pem" -outform DER -out o-crl.p7c
cachet certs --extract -i o-crl.p7c --crls -o got.pem
tap_result $? "cachet reads openssl's crl2pkcs7 with a CRL"
ok "... the certificate and the CRL" -- sh -c 'grep -c "BEGIN CERTIFICATE" got.pem | grep -qx 1 && grep -c "BEGIN X509 CRL" got.pem | grep -qx 1'
ok "cachet certs --make with --crl" -- cachet certs --make -o c-crl.p7c --crl root.crl "$PKI/alice.crt.pem"
openssl pkcs7 -inform DER -in c-crl.p7c -print_certs -noout >o.txt 2>err.txt
tap_result $? "openssl pkcs7 reads Cachet's message with a CRL"
ok "... and finds the CRL" -- grep -q 'Cachet Test Root CA' o.txt
openssl crl -in root.crl -outform DER -out root.crl.der
openssl pkcs7 -inform DER -in c-crl.p7c -print_certs -out o.pem 2>/dev/null
openssl crl2pkcs7 -in root.crl -nocrl -certfile "$PKI/alice.crt.pem" -outform DER -out /dev/null
python3 -c '
import sys, subprocess
# the CRL inside Cachet s message is byte-identical to the input CRL
d = open("c-crl.p7c","rb").read(); c = open("root.crl.der","rb").read()
sys.exit(0 if c in d else 1)'
tap_result $? "... byte-identical to the CRL given"

# GnuTLS -> Cachet.
ok "certtool --p7-generate (all)" -- certtool --p7-generate --load-certificate all.pem --outder --outfile g-all.p7b
cachet certs --extract -i g-all.p7b -o got.pem
tap_result $? "cachet reads certtool's PKCS #7"
fprs got.pem >got.txt
ok "... the same certificates" -- cmp want-all.txt got.txt
certtool --p7-generate --load-certificate all.pem --outfile g-all.pem 2>/dev/null
ok "cachet reads certtool's PEM" -- cachet certs --extract -i g-all.pem -o got3.pem
fprs got3.pem >got.txt
ok "... the same certificates" -- cmp want-all.txt got.txt

done_testing
