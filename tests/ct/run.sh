#!/bin/sh
# run.sh -- run the constant-time tests under valgrind's memcheck (TAP).
#
# Each program marks its secrets undefined (tests/ct/ct.h); memcheck then
# reports any branch or memory address computed from them, and
# --error-exitcode turns that into a failure.  Valgrind is required: a
# missing valgrind fails every test.  In the sanitizer build
# (CACHET_UNDER_ASAN set) valgrind cannot run, so the programs run
# natively and only their functional checks count; the output says so.
#
# Programs are looked up in $CT_BUILDDIR (default: tests/ct under the
# current directory, which is the build tree when make check runs this).

progs="ct-pkcs1 ct-oaep ct-kw ct-tag ct-cbcpad ct-pwri"
dir=${CT_BUILDDIR:-tests/ct}
: "${CACHET_PKI_DIR:=${top_srcdir:-.}/vectors/pki}"
export CACHET_PKI_DIR

set -- $progs
echo "1..$#"

mode=valgrind
if test -n "${CACHET_UNDER_ASAN:-}"; then
	mode=native
	echo "# CACHET_UNDER_ASAN is set: running natively, without valgrind;"
	echo "# only the functional results are checked here (valgrind and"
	echo "# AddressSanitizer do not mix).  Constant time is proven by the"
	echo "# valgrind run of the ordinary build."
elif ! command -v valgrind >/dev/null 2>&1; then
	mode=missing
	echo "# valgrind not found: the constant-time tests cannot run (a failure, STYLE 15)"
fi

log=$(mktemp "${TMPDIR:-/tmp}/ct-run.XXXXXX") || exit 1
trap 'rm -f "$log"' EXIT INT TERM

n=0
for p in $progs; do
	n=$((n + 1))
	if test "$mode" = missing; then
		echo "not ok $n - $p: valgrind is required"
		continue
	fi
	if test ! -x "$dir/$p"; then
		echo "not ok $n - $p: $dir/$p not built"
		continue
	fi
	if test "$mode" = valgrind; then
		valgrind -q --error-exitcode=1 --track-origins=yes \
			"$dir/$p" >"$log" 2>&1
		rc=$?
	else
		"$dir/$p" >"$log" 2>&1
		rc=$?
	fi
	case $rc in
	0)
		echo "ok $n - $p ($mode): $(tail -n 1 "$log")" ;;
	1)
		if test "$mode" = valgrind &&
			grep -q 'uninitialised' "$log"; then
			echo "not ok $n - $p: memcheck found a secret-dependent branch or access"
		elif test "$mode" = valgrind; then
			echo "not ok $n - $p: valgrind failed (see below)"
		else
			echo "not ok $n - $p: exit status 1 (sanitizer report?)"
		fi
		sed 's/^/# /' "$log" ;;
	2)
		echo "not ok $n - $p: functional check failed"
		sed 's/^/# /' "$log" ;;
	*)
		echo "not ok $n - $p: exit status $rc"
		sed 's/^/# /' "$log" ;;
	esac
done
