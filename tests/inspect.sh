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
"$CACHET" sign -i "$tmp/content.txt" -o "$tmp/alice.p7m" --signer "$PKI/alice.crt.pem" \
	--key "$PKI/alice.key.pem" --chain "$PKI/chain.pem" --signing-time 2026-01-02T03:04:05
ok $? "sign the golden message"
"$CACHET" sign -i "$tmp/content.txt" -o "$tmp/alice-det.pem" --detached --skid --format pem \
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

# A truncated message: the dump stops at the fault with exit status 3.
head -c 500 "$tmp/alice.p7m" >"$tmp/trunc.p7m"
"$CACHET" inspect -i "$tmp/trunc.p7m" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 3 ] && grep -q CACHET_E_TRUNCATED "$tmp/err"
ok $? "inspect of a truncated message exits 3 naming CACHET_E_TRUNCATED (got $rc)"
echo "1..$n"
exit $fail
