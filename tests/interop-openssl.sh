#!/bin/bash
# interop-openssl.sh -- SignedData both ways between cachet and
# `openssl cms`: cachet's messages verify with openssl (and the content it
# recovers is the input), openssl's messages verify with cachet.
. "$(dirname "$0")/cli-lib.sh"

require openssl python3

# Binary content with CR LF: -binary keeps openssl from canonicalising it.
printf 'Interop with OpenSSL\r\nline two \000\377\r\n' >in.txt

# ossl_verify MSG [CONTENT]: openssl cms -verify against the test root;
# the recovered content goes to ossl.out.
ossl_verify()
{
	local msg=$1 content=${2:-}
	rm -f ossl.out
	if [ -n "$content" ]; then
		openssl cms -verify -binary -inform DER -in "$msg" -CAfile "$ROOT" \
			-content "$content" -out ossl.out
	else
		openssl cms -verify -binary -inform DER -in "$msg" -CAfile "$ROOT" -out ossl.out
	fi
}

# ---------------------------------------------------------------- cachet -> openssl
while IFS=: read -r u opts; do
	[ -n "$u" ] || continue
	for mode in encapsulated detached; do
		name="cachet $u${opts:+ $opts} $mode"
		dflag=() sopts=()
		read -r -a sopts <<<"$opts"
		[ $mode = detached ] && dflag=(--detached)
		ok "$name: sign with --chain" -- \
			sign_as "$u" c.p7 --chain "$CHAIN" "${sopts[@]}" "${dflag[@]}"
		if [ $mode = detached ]; then
			ok "$name: openssl cms -verify -content succeeds" -- ossl_verify c.p7 in.txt
		else
			ok "$name: openssl cms -verify succeeds" -- ossl_verify c.p7
		fi
		ok "$name: openssl -out recovers the input" -- same_file ossl.out in.txt
	done
done <<'EOF'
alice:
alice:--pss
bob:
bob:--pss
carol:
dave:
alice:--digest sha384
alice:--pss --digest sha512
carol:--digest sha512
EOF

# Several signers, PEM output, subjectKeyIdentifier.
ok "cachet RSA + ECDSA signers: sign" -- \
	cachet sign --format der -i in.txt -o multi.p7 --chain "$CHAIN" \
	--signer "$PKI/bob.crt.pem" --key "$PKI/bob.key.pem" \
	--signer "$PKI/dave.crt.pem" --key "$PKI/dave.key.pem"
ok "cachet RSA + ECDSA signers: openssl verifies both" -- ossl_verify multi.p7
ok "cachet RSA + ECDSA signers: openssl sees two signers" -- \
	eval 'openssl cms -cmsout -print -inform DER -in multi.p7 -noout >multi.txt 2>&1 ||
		openssl cms -cmsout -print -inform DER -in multi.p7 >multi.txt; [ "$(grep -c "signatureAlgorithm:" multi.txt)" -eq 2 ]'
ok "cachet --skid (carol): openssl verifies" -- \
	eval 'sign_as carol skid.p7 --skid --chain "$CHAIN" && ossl_verify skid.p7 && cmp -s ossl.out in.txt'
ok "cachet --format pem (alice): openssl -inform PEM verifies" -- \
	eval 'sign_as alice pem.pem --format pem --chain "$CHAIN" &&
		openssl cms -verify -binary -inform PEM -in pem.pem -CAfile "$ROOT" -out ossl.out && cmp -s ossl.out in.txt'
# (openssl cms does not take intermediates from -certfile: they go in -CAfile)
ok "cachet --no-certs (carol): openssl verifies with -certfile" -- \
	eval 'sign_as carol nc.p7 --no-certs &&
		openssl cms -verify -binary -inform DER -in nc.p7 -CAfile "$CHAIN" -certfile "$PKI/carol.crt.pem" -out ossl.out && cmp -s ossl.out in.txt'

# openssl must notice damage too, or its "success" above would mean
# nothing.
sign_as alice t.p7 --chain "$CHAIN" >/dev/null 2>&1
python3 "$DERUTIL" offsets t.p7 >t.off 2>/dev/null
python3 "$DERUTIL" flip t.p7 "$(python3 -c 'import json; d = json.load(open("t.off")); print(d["eContent"])')" t-bad.p7 >/dev/null 2>&1
ok "control: openssl rejects a cachet message with a changed content byte" -- \
	eval '! ossl_verify t-bad.p7'
ok "control: openssl rejects a cachet message under the wrong trust anchor" -- \
	eval '! openssl cms -verify -binary -inform DER -in t.p7 -CAfile "$PKI/bob.crt.pem" -out /dev/null'

# ---------------------------------------------------------------- openssl -> cachet
# cachet_verify_ossl NAME MSG DETACHED(yes|no) SIGALG DIGEST
cachet_verify_ossl()
{
	local name=$1 msg=$2 det=$3 sigalg=$4 dig=$5
	local -a c=()
	[ "$det" = yes ] && c=(--content in.txt)
	rm -f cv.out
	ok "$name: cachet verifies" -- \
		eval '"$CACHET" verify -i "$msg" "${c[@]}" --trust "$ROOT" -o cv.out --json >cv.json'
	ok "$name: cachet reports $sigalg with $dig" -- \
		eval 'report_is cv.json signer:0:signatureAlgorithm "$sigalg" && report_is cv.json signer:0:digestAlgorithm "$dig" && report_is cv.json result valid'
	ok "$name: cachet -o gives the input" -- same_file cv.out in.txt
}

# user|openssl options|signatureAlgorithm|digest.  OpenSSL names RSA
# PKCS#1 v1.5 rsaEncryption in signatureAlgorithm (RFC 5754 allows it).
while IFS='|' read -r u oopts sigalg dig; do
	[ -n "$u" ] || continue
	for mode in nodetach detached; do
		name="openssl $u${oopts:+ $oopts} $mode"
		mflag=()
		[ $mode = nodetach ] && mflag=(-nodetach)
		# shellcheck disable=SC2086
		ok "$name: openssl cms -sign" -- \
			openssl cms -sign -binary -in in.txt -signer "$PKI/$u.crt.pem" -inkey "$PKI/$u.key.pem" \
			-certfile "$CHAIN" -outform DER -out o.p7 "${mflag[@]}" $oopts
		cachet_verify_ossl "$name" o.p7 "$([ $mode = detached ] && echo yes || echo no)" "$sigalg" "$dig"
	done
done <<'EOF'
alice||rsaEncryption|sha256
bob|-md sha384|rsaEncryption|sha384
alice|-md sha512|rsaEncryption|sha512
alice|-keyopt rsa_padding_mode:pss|rsassaPss|sha256
bob|-keyopt rsa_padding_mode:pss -md sha384|rsassaPss|sha384
alice|-keyopt rsa_padding_mode:pss -keyopt rsa_pss_saltlen:digest -md sha512|rsassaPss|sha512
carol||ecdsa-with-SHA256|sha256
carol|-md sha384|ecdsa-with-SHA384|sha384
dave|-md sha384|ecdsa-with-SHA384|sha384
dave|-md sha512|ecdsa-with-SHA512|sha512
grace|-md sha512|ecdsa-with-SHA512|sha512
EOF

# Other shapes openssl makes.
ok "openssl without -certfile: cachet needs --certs chain.pem, then verifies" -- \
	eval 'openssl cms -sign -binary -nodetach -in in.txt -signer "$PKI/carol.crt.pem" -inkey "$PKI/carol.key.pem" -outform DER -out nochain.p7 &&
		! "$CACHET" verify -i nochain.p7 --trust "$ROOT" >/dev/null &&
		"$CACHET" verify -i nochain.p7 --trust "$ROOT" --certs "$CHAIN" -o cv.out >/dev/null && cmp -s cv.out in.txt'
ok "openssl -keyid (subjectKeyIdentifier sid): cachet verifies" -- \
	eval 'openssl cms -sign -binary -nodetach -keyid -in in.txt -signer "$PKI/alice.crt.pem" -inkey "$PKI/alice.key.pem" -certfile "$CHAIN" -outform DER -out keyid.p7 &&
		"$CACHET" verify -i keyid.p7 --trust "$ROOT" --json >cv.json && jq_report cv.json signer:0:sid | grep -q "^subjectKeyIdentifier"'
ok "openssl -outform PEM: cachet verifies" -- \
	eval 'openssl cms -sign -binary -nodetach -in in.txt -signer "$PKI/dave.crt.pem" -inkey "$PKI/dave.key.pem" -certfile "$CHAIN" -outform PEM -out o.pem &&
		"$CACHET" verify -i o.pem --trust "$ROOT" -o cv.out >/dev/null && cmp -s cv.out in.txt'
ok "openssl -stream -indef (indefinite lengths): cachet verifies" -- \
	eval 'openssl cms -sign -binary -nodetach -stream -indef -in in.txt -signer "$PKI/bob.crt.pem" -inkey "$PKI/bob.key.pem" -certfile "$CHAIN" -outform DER -out indef.p7 &&
		"$CACHET" verify -i indef.p7 --trust "$ROOT" -o cv.out >/dev/null && cmp -s cv.out in.txt'
ok "openssl two signers (RSA, ECDSA): cachet verifies both" -- \
	eval 'openssl cms -sign -binary -nodetach -in in.txt -signer "$PKI/alice.crt.pem" -inkey "$PKI/alice.key.pem" \
		-signer "$PKI/carol.crt.pem" -inkey "$PKI/carol.key.pem" -certfile "$CHAIN" -outform DER -out two.p7 &&
		"$CACHET" verify -i two.p7 --trust "$ROOT" --json >cv.json && report_is cv.json signers 2 && report_is cv.json result valid'
ok "openssl -noattr (no signedAttrs): cachet verifies" -- \
	eval 'openssl cms -sign -binary -nodetach -noattr -in in.txt -signer "$PKI/alice.crt.pem" -inkey "$PKI/alice.key.pem" -certfile "$CHAIN" -outform DER -out noattr.p7 &&
		"$CACHET" verify -i noattr.p7 --trust "$ROOT" -o cv.out >/dev/null && cmp -s cv.out in.txt'
ok "openssl detached message with other content: cachet says CACHET_E_DIGEST_MISMATCH" -- \
	eval 'openssl cms -sign -binary -in in.txt -signer "$PKI/carol.crt.pem" -inkey "$PKI/carol.key.pem" -certfile "$CHAIN" -outform DER -out od.p7 &&
		printf "other\n" >other.txt && "$CACHET" verify -i od.p7 --content other.txt --trust "$ROOT" --json >cv.json; [ $? -eq 1 ] &&
		report_is cv.json check:0:message-digest:code CACHET_E_DIGEST_MISMATCH'

done_testing
