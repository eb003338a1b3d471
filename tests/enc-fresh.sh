#!/bin/bash
# enc-fresh.sh -- what must be new in every encrypted message, seen from
# outside: the content-encryption key (unwrapped here by openssl from the
# KEKRecipientInfo, under the KEK the test chose) and the key-agreement
# originator's ephemeral key (read from the KeyAgreeRecipientInfo), for
# P-256 and an X25519 recipient made here with openssl.  Also: one CEK
# serves every recipient of a message (each of them opens it).
. "$(dirname "$0")/cli-lib.sh"

require python3 openssl

printf 'The same text, encrypted twice.\n' >in.txt
KEK=000102030405060708090a0b0c0d0e0f

# An X25519 recipient issued by the test root (key agreement only).
printf 'subjectKeyIdentifier=hash\nkeyUsage=critical,keyAgreement\n' >x.ext
ok "setup: an X25519 recipient certificate (openssl, issued by the test root)" -- \
	eval 'openssl genpkey -algorithm X25519 -out x.key &&
		openssl pkey -in x.key -pubout -out x.pub &&
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout csr.key \
			-subj "/O=Cachet Test/CN=Xavier" -out x.csr &&
		openssl x509 -req -in x.csr -CA "$ROOT" -CAkey "$PKI/root-ca.key.pem" -set_serial 4242 \
			-days 3650 -extfile x.ext -force_pubkey x.pub -out x.crt'

# parts MSG: one line per RecipientInfo: "kari ORIGINATOR-KEY-HEX" or
# "kekri ENCRYPTED-KEY-HEX" (others: the kind).
parts()
{
	python3 - "$top_srcdir/tests" "$1" <<'PYEOF'
import sys
sys.path.insert(0, sys.argv[1])
import derutil as d
root = d.parse(d.read_input(sys.argv[2]))
body = root.children[1].children[0]
ris = [c for c in body.children if c.is_univ(17)][0]
for ri in ris.children:
    if ri.is_ctx(1):
        key = ri.children[1].children[0].children[1]
        print("kari", bytes(key.content[1:]).hex())
    elif ri.is_ctx(2):
        print("kekri", bytes(ri.children[3].content).hex())
    else:
        print("other")
PYEOF
}

# cek MSG: the CEK, unwrapped by openssl (AES key wrap, RFC 3394) from
# the KEKRecipientInfo.
cek()
{
	parts "$1" | sed -n 's/^kekri //p' | xxd -r -p >"$1.wrapped" &&
		openssl enc -d -id-aes128-wrap -K "$KEK" -iv a6a6a6a6a6a6a6a6 -in "$1.wrapped" | xxd -p
}

# The same checks for AuthEnvelopedData (AES-128-GCM, the default) and
# EnvelopedData (AES-128-CBC).
for cipher in aes-128-gcm aes-128-cbc; do
	ct=AuthEnvelopedData
	[ $cipher = aes-128-cbc ] && ct=EnvelopedData
	for n in 1 2; do
		ok "$ct message $n to carol (P-256), dave (P-384), Xavier (X25519) and a KEK: encrypts" -- \
			cachet encrypt --format der --cipher $cipher -i in.txt -o m$n.p7 \
				--to "$PKI/carol.crt.pem" --to "$PKI/dave.crt.pem" --to x.crt \
				--kek "$KEK" --kek-id fresh
	done
	ok "$ct: each message has three KeyAgreeRecipientInfos (one per curve) and one KEKRecipientInfo" -- \
		eval '[ "$(parts m1.p7 | cut -d" " -f1 | sort | uniq -c | awk "{ printf \"%s %s \", \$1, \$2 }")" = "3 kari 1 kekri " ]'

	# [rfc8418-3-cek-random] [rfc8418-5-cek-random]: a fresh random CEK
	# for each message.
	ok "$ct: openssl unwraps a 16-octet CEK from each message's KEKRecipientInfo" -- \
		eval '[ "$(cek m1.p7 | tr -d "\n" | wc -c)" = 32 ] && [ "$(cek m2.p7 | tr -d "\n" | wc -c)" = 32 ]'
	ok "$ct: the two messages have different CEKs" -- \
		eval '[ "$(cek m1.p7)" != "$(cek m2.p7)" ]'

	# [rfc8418-2-ephemeral-single] [rfc8418-2-ephemeral-same-curve]: a new
	# ephemeral key per message, on the recipient's curve (65 octets for
	# P-256, 97 for P-384, 32 for X25519).
	ok "$ct: the originator's ephemeral keys have the recipients' curves (65, 97 and 32 octets)" -- \
		eval '[ "$(parts m1.p7 | sed -n "s/^kari //p" | awk "{ print length(\$0) / 2 }" | sort -n | tr "\n" " ")" = "32 65 97 " ]'
	ok "$ct: no ephemeral key of message 1 comes back in message 2" -- \
		eval '! grep -qxFf <(parts m1.p7 | sed -n "s/^kari //p") <(parts m2.p7 | sed -n "s/^kari //p")'
	ok "$ct: ... nor twice within one message" -- \
		eval '[ "$(parts m1.p7 | sed -n "s/^kari //p" | sort -u | wc -l)" = 3 ]'

	# [rfc8418-3-same-cek] [rfc8418-5-same-cek]: every recipient unwraps
	# the one CEK the content is under (a wrong one fails the GCM tag or,
	# with CBC, the padding or the text).
	for who in carol dave; do
		ok "$ct: message 1 opens with $who's key" -- \
			eval 'cachet decrypt -i m1.p7 -o out.txt --cert "$PKI/$who.crt.pem" --key "$PKI/$who.key.pem" >/dev/null &&
				same_file in.txt out.txt'
	done
	ok "$ct: message 1 opens with Xavier's X25519 key" -- \
		eval 'cachet decrypt -i m1.p7 -o out.txt --cert x.crt --key x.key >/dev/null && same_file in.txt out.txt'
	ok "$ct: message 1 opens with the KEK" -- \
		eval 'cachet decrypt -i m1.p7 -o out.txt --kek "$KEK" --kek-id fresh >/dev/null && same_file in.txt out.txt'
	ok "$ct: the content type is id-ct-authEnvelopedData or id-envelopedData as the cipher says" -- \
		eval 'python3 -c "import sys; sys.path.insert(0, sys.argv[1]); import derutil as d
oid = d.decode_oid(d.parse(d.read_input(sys.argv[2])).children[0].content)
sys.exit(oid != {\"AuthEnvelopedData\": \"1.2.840.113549.1.9.16.1.23\", \"EnvelopedData\": \"1.2.840.113549.1.7.3\"}[sys.argv[3]])" \
			"$top_srcdir/tests" m1.p7 $ct'
done

done_testing
