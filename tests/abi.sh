#!/bin/sh
# abi.sh -- the shared library exports exactly the global symbols listed in
# src/lib/libcachet.map, each under its version node, and nothing else.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
lib=${CACHET_LIBDIR:-src/lib/.libs}/libcachet.so
map=$top/src/lib/libcachet.map
n=0
fail=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }

[ -f "$lib" ]
ok $? "the shared library exists ($lib)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Listed: every name between "global:" and "local:", semicolon-separated.
sed -n '/global:/,/local:/p' "$map" | sed 's,/\*.*\*/,,g; s/global://; s/local://' |
	tr ';' '\n' | tr -d ' \t' | grep -v '^$' | sort -u >"$tmp/listed"
nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ {print $3}' | sed 's/@.*//' | sort -u >"$tmp/exported"
[ -s "$tmp/listed" ]
ok $? "the map lists symbols ($(wc -l <"$tmp/listed"))"
extra=$(comm -13 "$tmp/listed" "$tmp/exported")
[ -z "$extra" ]
ok $? "nothing is exported that the map does not list${extra:+: $extra}"
missing=$(comm -23 "$tmp/listed" "$tmp/exported")
[ -z "$missing" ]
ok $? "everything the map lists is exported${missing:+: $missing}"
bad=$(grep -v '^cachet_' "$tmp/exported")
[ -z "$bad" ]
ok $? "every exported symbol has the cachet_ prefix${bad:+: $bad}"
nm -D --defined-only "$lib" | grep -q ' cachet_sign_run@@CACHET_0_1$'
ok $? "symbols carry the CACHET_0_1 version"
echo "1..$n"
exit $fail
