#!/bin/bash
# interop-gnutls.sh -- SignedData both ways between cachet and GnuTLS's
# certtool: cachet's messages pass `certtool --p7-verify`, and messages from
# `certtool --p7-sign` / `--p7-detached-sign` verify with cachet.
. "$(dirname "$0")/cli-lib.sh"

require certtool python3

printf 'Interop with GnuTLS\r\nline two \000\377\r\n' >in.txt

# gnutls_verify MSG [CONTENT]: certtool --p7-verify against the test root;
# succeeds only when certtool exits 0 and says "Signature status: ok" and
# nothing failed.  Encapsulated content is written to gt.out.
gnutls_verify()
{
	local msg=$1 content=${2:-}
	local -a extra
	rm -f gt.out
	if [ -n "$content" ]; then
		extra=(--load-data "$content")
	else
		extra=(--p7-show-data --outfile gt.out)
	fi
	certtool --p7-verify --inder --load-ca-certificate "$ROOT" --infile "$msg" "${extra[@]}" >gt.log 2>&1
	local rc=$?
	cat gt.log
	[ $rc -eq 0 ] || { echo "certtool exit $rc"; return 1; }
	grep -q 'Signature status: ok' gt.log || return 1
	! grep -qi 'fail' gt.log
}

# ---------------------------------------------------------------- cachet -> certtool
# RSA-PSS only with SHA-256: certtool 3.7 fails RSA-PSS with SHA-384 or
# SHA-512 whoever made the message (OpenSSL's too), reporting RSA-PSS-SHA256;
# interop-openssl.sh covers those.
while IFS='|' read -r u opts; do
	[ -n "$u" ] || continue
	for mode in encapsulated detached; do
		name="cachet $u${opts:+ $opts} $mode"
		sopts=() dflag=()
		read -r -a sopts <<<"$opts"
		[ $mode = detached ] && dflag=(--detached)
		ok "$name: sign with --chain" -- sign_as "$u" c.p7 --chain "$CHAIN" "${sopts[@]}" "${dflag[@]}"
		if [ $mode = detached ]; then
			ok "$name: certtool --p7-verify --load-data: Signature status: ok" -- gnutls_verify c.p7 in.txt
		else
			ok "$name: certtool --p7-verify: Signature status: ok" -- gnutls_verify c.p7
			ok "$name: certtool --p7-show-data gives the input" -- same_file gt.out in.txt
		fi
	done
done <<'EOF'
alice|
alice|--pss
bob|--pss
carol|
dave|
grace|
erin|
alice|--digest sha512
EOF
ok "cachet RSA + ECDSA + Ed25519 signers: certtool verifies" -- \
	eval 'cachet sign --format der -i in.txt -o multi.p7 --chain "$CHAIN" --signer "$PKI/bob.crt.pem" --key "$PKI/bob.key.pem" \
		--signer "$PKI/carol.crt.pem" --key "$PKI/carol.key.pem" --signer "$PKI/erin.crt.pem" --key "$PKI/erin.key.pem" &&
		gnutls_verify multi.p7 && [ "$(grep -c "Signature status: ok" gt.log)" -eq 3 ]'
ok "cachet --skid (erin): certtool verifies" -- \
	eval 'sign_as erin skid.p7 --skid --chain "$CHAIN" && gnutls_verify skid.p7'

# Controls: certtool must reject damage, or its "ok" above means nothing.
sign_as carol t.p7 --chain "$CHAIN" >/dev/null 2>&1
python3 "$DERUTIL" offsets t.p7 >t.off 2>/dev/null
python3 "$DERUTIL" flip t.p7 "$(python3 -c 'import json; d = json.load(open("t.off")); print(d["eContent"])')" t-bad.p7 >/dev/null 2>&1
ok "control: certtool rejects a cachet message with a changed content byte" -- eval '! gnutls_verify t-bad.p7'
sign_as erin td.p7 --detached --chain "$CHAIN" >/dev/null 2>&1
printf 'not the content\n' >other.txt
ok "control: certtool rejects a detached cachet message with other content" -- eval '! gnutls_verify td.p7 other.txt'
ok "control: certtool rejects a cachet message under the wrong trust anchor" -- \
	eval '! certtool --p7-verify --inder --load-ca-certificate "$PKI/bob.crt.pem" --infile t.p7'

# ---------------------------------------------------------------- certtool -> cachet
# certtool's messages carry at most the signer's certificate: the chain
# comes from --certs.
# cachet_verify_gt NAME MSG DETACHED(yes|no) SIGALG DIGEST [MORE CERTS]
cachet_verify_gt()
{
	local name=$1 msg=$2 det=$3 sigalg=$4 dig=$5
	shift 5
	local -a c=() more=()
	[ "$det" = yes ] && c=(--content in.txt)
	for x in "$@"; do more+=(--certs "$x"); done
	rm -f cv.out
	ok "$name: cachet verifies" -- \
		eval '"$CACHET" verify -i "$msg" "${c[@]}" --trust "$ROOT" --certs "$CHAIN" "${more[@]}" -o cv.out --json >cv.json'
	ok "$name: cachet reports $sigalg with $dig" -- \
		eval 'report_is cv.json signer:0:signatureAlgorithm "$sigalg" && report_is cv.json signer:0:digestAlgorithm "$dig" && report_is cv.json result valid'
	ok "$name: cachet -o gives the input" -- same_file cv.out in.txt
}

# user|hash option|signatureAlgorithm|digest
while IFS='|' read -r u hopt sigalg dig; do
	[ -n "$u" ] || continue
	for op in --p7-sign --p7-detached-sign; do
		name="certtool $op $u${hopt:+ $hopt}"
		hflag=()
		read -r -a hflag <<<"$hopt"
		ok "$name: certtool signs (--p7-include-cert --p7-time)" -- \
			certtool $op --p7-include-cert --p7-time "${hflag[@]}" --load-certificate "$PKI/$u.crt.pem" \
			--load-privkey "$PKI/$u.key.pem" --infile in.txt --outder --outfile g.p7
		cachet_verify_gt "$name" g.p7 "$([ $op = --p7-detached-sign ] && echo yes || echo no)" "$sigalg" "$dig"
	done
done <<'EOF'
alice||rsaEncryption|sha256
alice|--hash SHA384|rsaEncryption|sha384
bob|--hash SHA512|rsaEncryption|sha512
carol||ecdsa-with-SHA256|sha256
carol|--hash SHA384|ecdsa-with-SHA384|sha384
dave|--hash SHA384|ecdsa-with-SHA384|sha384
grace|--hash SHA512|ecdsa-with-SHA512|sha512
erin||Ed25519|sha512
EOF

# Other shapes certtool makes.
ok "certtool without --p7-time (no signedAttrs): cachet verifies" -- \
	eval 'certtool --p7-sign --p7-include-cert --load-certificate "$PKI/carol.crt.pem" --load-privkey "$PKI/carol.key.pem" \
		--infile in.txt --outder --outfile nt.p7 && "$CACHET" verify -i nt.p7 --trust "$ROOT" --certs "$CHAIN" -o cv.out >/dev/null && cmp -s cv.out in.txt'
ok "certtool PEM output (BEGIN PKCS7): cachet verifies" -- \
	eval 'certtool --p7-sign --p7-include-cert --load-certificate "$PKI/alice.crt.pem" --load-privkey "$PKI/alice.key.pem" \
		--infile in.txt --outfile g.pem && head -n1 g.pem | grep -q "BEGIN PKCS7" &&
		"$CACHET" verify -i g.pem --trust "$ROOT" --certs "$CHAIN" -o cv.out >/dev/null && cmp -s cv.out in.txt'
ok "certtool --no-p7-include-cert: cachet verifies given the signer certificate" -- \
	eval 'certtool --p7-sign --no-p7-include-cert --load-certificate "$PKI/dave.crt.pem" --load-privkey "$PKI/dave.key.pem" \
		--infile in.txt --outder --outfile ni.p7 &&
		"$CACHET" verify -i ni.p7 --trust "$ROOT" --certs "$CHAIN" --certs "$PKI/dave.crt.pem" -o cv.out >/dev/null && cmp -s cv.out in.txt'
ok "certtool detached, no signedAttrs, other content: CACHET_E_BAD_SIGNATURE" -- \
	eval 'certtool --p7-detached-sign --p7-include-cert --load-certificate "$PKI/erin.crt.pem" --load-privkey "$PKI/erin.key.pem" \
		--infile in.txt --outder --outfile gd.p7 && "$CACHET" verify -i gd.p7 --content other.txt --trust "$ROOT" --certs "$CHAIN" --json >cv.json; [ $? -eq 1 ] &&
		report_is cv.json check:0:signature:code CACHET_E_BAD_SIGNATURE'
ok "certtool detached (--p7-time) with other content: CACHET_E_DIGEST_MISMATCH" -- \
	eval 'certtool --p7-detached-sign --p7-time --p7-include-cert --load-certificate "$PKI/erin.crt.pem" --load-privkey "$PKI/erin.key.pem" \
		--infile in.txt --outder --outfile gd.p7 && "$CACHET" verify -i gd.p7 --content other.txt --trust "$ROOT" --certs "$CHAIN" --json >cv.json; [ $? -eq 1 ] &&
		report_is cv.json check:0:message-digest:code CACHET_E_DIGEST_MISMATCH'

# Pure Ed25519 without signedAttrs signs the content itself (RFC 8419
# section 3.1): cachet keeps up to 1 MiB of content for it and reports a
# larger one as unverifiable (CACHET_E_SIZE_LIMIT), never as valid.
head -c $((1 << 20)) /dev/urandom >mib.bin
{ cat mib.bin; printf 'one byte too many'; } >mib-plus.bin
for f in mib mib-plus; do
	certtool --p7-detached-sign --p7-include-cert --load-certificate "$PKI/erin.crt.pem" \
		--load-privkey "$PKI/erin.key.pem" --infile $f.bin --outder --outfile $f.p7 >/dev/null 2>&1
done
ok "certtool pure Ed25519 (no signedAttrs) over 1 MiB: cachet verifies" -- \
	verify_json pe.json 0 -i mib.p7 --content mib.bin --trust "$ROOT" --certs "$CHAIN"
ok "certtool pure Ed25519 over 1 MiB + 17 bytes: not valid (exit 3)" -- \
	verify_json pe.json 3 -i mib-plus.p7 --content mib-plus.bin --trust "$ROOT" --certs "$CHAIN"
ok "... the signature check says CACHET_E_SIZE_LIMIT" -- \
	report_is pe.json check:0:signature:code CACHET_E_SIZE_LIMIT
ok "... and -o gets nothing" -- \
	eval '! "$CACHET" verify -i mib-plus.p7 --content mib-plus.bin --trust "$ROOT" --certs "$CHAIN" -o pe.out >/dev/null 2>&1 && [ ! -e pe.out ]'

done_testing
