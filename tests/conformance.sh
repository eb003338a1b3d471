#!/bin/sh
# conformance.sh -- the requirement registry (conformance/*.req) against
# the RFC texts ($CACHET_RFC_DIR), this run's test logs and the code's
# citations, one TAP point per requirement (conformance/check.py --tap);
# then the checker's own negative case (conformance/selftest/), which must
# report each planted fault.  Run from the top build directory, after the
# other tests (conformance/conformance.mk orders the logs).

: "${top_srcdir:=.}"
: "${CONFORMANCE_PY:=python3}"
CHECK="$top_srcdir/conformance/check.py"
SELF="$top_srcdir/conformance/selftest"

tmp=`mktemp -d "${TMPDIR:-/tmp}/cachet-conformance.XXXXXX"` || exit 1
trap 'rm -rf "$tmp"' 0 1 2 13 15

if ! command -v "$CONFORMANCE_PY" >/dev/null 2>&1; then
	echo "1..1"
	echo "not ok 1 - required tool '$CONFORMANCE_PY' is not installed"
	exit 0
fi

# The real registry.  Its points go out as they are, without their plan.
"$CONFORMANCE_PY" "$CHECK" --tap --registry "$top_srcdir/conformance" \
	--srcdir "$top_srcdir" --builddir . >"$tmp/real" 2>"$tmp/real.err"
real_rc=$?

# The planted faults: each must be reported, and the one sound entry not.
"$CONFORMANCE_PY" "$CHECK" --registry "$SELF" --srcdir "$SELF" \
	--builddir "$SELF" --cite-dir "$SELF/src" --vectors '' \
	>"$tmp/self.out" 2>"$tmp/self.err"
self_rc=$?

nreal=`grep -c '^\(not \)\{0,1\}ok ' "$tmp/real"`
echo "1..`expr $nreal + 10`"
grep -v '^1\.\.' "$tmp/real"
if test $nreal -eq 0; then
	sed 's/^/# /' "$tmp/real.err"
fi
n=$nreal

point()
{
	n=`expr $n + 1`
	if "$@"; then echo "ok $n - $desc"; else echo "not ok $n - $desc"; fi
}
has() { grep -q -- "$1" "$tmp/self.err"; }

desc="the real registry checks out (check.py exit $real_rc)"; point test $real_rc -eq 0
desc="selftest: the checker fails on the planted faults (exit $self_rc)"; point test $self_rc -eq 1
desc="selftest: a fake quote is reported"
point has 'rfc8551-2.1-fake-quote: the quote does not occur in rfc8551.txt'
desc="selftest: evidence naming no test point is reported"
point has "rfc8551-2.1-no-such-point: evidence 'tests/fake.py: no such description': no test point"
desc="selftest: evidence naming a missing test file is reported"
point has "rfc8551-2.1-no-such-test: evidence 'tests/missing.sh: x': no test tests/missing.sh"
desc="selftest: an entry with neither test nor exception is reported"
point has 'rfc8551-2.1-bare: neither a test nor an exception'
desc="selftest: a failing test point is reported"
point has "rfc8551-2.1-failing: evidence 'tests/fake.py: sha-512' fails"
desc="selftest: a citation of an unknown id is reported"
point has 'cites \[rfc8551-2.1-no-such-id\], which is not in the registry'
desc="selftest: a keyword sentence without an entry in a section declared complete is reported"
point has 'section 2.1 is declared complete but this keyword sentence has no entry: It is RECOMMENDED'
desc="selftest: the sound entry and the known citation raise nothing"
point eval "! grep -q 'rfc8551-2\.1-sound\|rfc8551-2\.1-sha256-verify' '$tmp/self.err'"
if test $self_rc -ne 1; then
	sed 's/^/# /' "$tmp/self.out" "$tmp/self.err"
fi
exit 0
