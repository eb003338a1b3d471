#!/bin/bash
# inspect.sh -- golden-output tests of `cachet inspect`: a message made
# deterministically (RSA PKCS #1 v1.5, fixed signingTime) is dumped as text
# and JSON and diffed against the reviewed files in tests/golden/.
# Regenerate after a reviewed change: tests/inspect.sh --regen
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=${top_srcdir:-$here/..}
CACHET=${CACHET:-$top/src/cachet}
PKI=${CACHET_PKI_DIR:-$top/vectors/pki}
golden=$here/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }

printf 'Golden content for cachet inspect.\r\n' >"$tmp/content.txt"
"$CACHET" sign --format der -i "$tmp/content.txt" -o "$tmp/alice.p7m" --signer "$PKI/alice.crt.pem" \
	--key "$PKI/alice.key.pem" --chain "$PKI/chain.pem" --signing-time 2026-01-02T03:04:05
ok $? "sign the golden message"
"$CACHET" sign --format der -i "$tmp/content.txt" -o "$tmp/alice-det.pem" --detached --skid --format pem \
	--signer "$PKI/alice.crt.pem" --key "$PKI/alice.key.pem" --no-certs --signing-time 2026-01-02T03:04:05
ok $? "sign the golden detached PEM message"

for case in "alice.p7m:alice.txt:" "alice.p7m:alice.json:--json" "alice-det.pem:alice-det.txt:"; do
	IFS=: read -r in out flag <<<"$case"
	"$CACHET" inspect -i "$tmp/$in" $flag >"$tmp/$out" 2>"$tmp/err"
	rc=$?
	if [ "${1:-}" = --regen ]; then
		cp "$tmp/$out" "$golden/inspect-$out"
	fi
	ok $rc "inspect $flag $in exits 0"
	diff -u "$golden/inspect-$out" "$tmp/$out" >"$tmp/diff" 2>&1
	r=$?
	[ $r -eq 0 ] || sed 's/^/# /' "$tmp/diff" | head -40
	ok $r "inspect $flag $in matches tests/golden/inspect-$out"
done
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/alice.json"
ok $? "inspect --json output is valid JSON"

# Encrypted content types from third-party vectors (read in place): every
# RecipientInfo kind, the content-encryption parameters, attributes.
# CASE: golden-name:vector-path:flag
V=${CACHET_VECTORS:-}
for case in \
	"rfc4134-5.1.txt:rfc4134/5.1.bin:" \
	"rfc4134-5.2.txt:rfc4134/5.2.bin:" \
	"rfc4134-7.2.txt:rfc4134/7.2.bin:" \
	"rfc9216-x25519.txt:rfc9216-examples-cms/binary-files/authEnvelopedForDanaX25519HKDF.p7m:" \
	"rfc9216-x25519.json:rfc9216-examples-cms/binary-files/authEnvelopedForDanaX25519HKDF.p7m:--json" \
	"rfc9216-chacha.txt:rfc9216-examples-cms/pem-encoded/authEnvelopedForBobChaCha20Poly1305.pem:" \
	"rfc9216-bob-dana.txt:rfc9216-examples-cms/binary-files/encryptedForBobAndDana.p7m:" \
	"rfc9216-kekri.txt:rfc9216-examples-cms/binary-files/encryptedKekri.p7m:" \
	"rustcrypto-pwri.txt:rustcrypto-cms/enveloped_data_pwri.bin:" \
	"rustcrypto-multi.json:rustcrypto-cms/enveloped_data_multi.bin:--json"; do
	IFS=: read -r out in flag <<<"$case"
	if [ -z "$V" ] || [ ! -f "$V/$in" ]; then
		# A missing vector is a failure, never a skip.
		n=$((n + 1))
		echo "not ok $n - $in is in the vectors (CACHET_VECTORS=${V:-unset})"
		continue
	fi
	"$CACHET" inspect -i "$V/$in" $flag >"$tmp/$out" 2>"$tmp/err"
	rc=$?
	if [ "${1:-}" = --regen ]; then
		cp "$tmp/$out" "$golden/inspect-$out"
	fi
	ok $rc "inspect $flag $in exits 0"
	diff -u "$golden/inspect-$out" "$tmp/$out" >"$tmp/diff" 2>&1
	r=$?
	[ $r -eq 0 ] || sed 's/^/# /' "$tmp/diff" | head -40
	ok $r "inspect $flag $in matches tests/golden/inspect-$out"
	case $out in
	*.json)
		python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/$out"
		ok $? "inspect --json $in is valid JSON"
		;;
	esac
done

# A truncated message: the dump stops at the fault with exit status 3.
head -c 500 "$tmp/alice.p7m" >"$tmp/trunc.p7m"
"$CACHET" inspect -i "$tmp/trunc.p7m" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 3 ] && grep -q CACHET_E_TRUNCATED "$tmp/err"
ok $? "inspect of a truncated message exits 3 naming CACHET_E_TRUNCATED (got $rc)"
echo "1..$n"
exit $fail
