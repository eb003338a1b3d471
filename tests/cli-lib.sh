# cli-lib.sh -- shared setup and TAP helpers for the shell tests of the
# cachet command-line tool.  Sourced (not run) by tests/cli.sh,
# tests/negative.sh, tests/interop-*.sh and tests/stream.sh.
#
# Environment (set by `make check`; for a manual run from a built tree
# the defaults are derived from this file's location):
#   CACHET          the cachet binary
#   CACHET_PKI_DIR  the test PKI (vectors/pki)
#   top_srcdir      the source tree
#
# The plan line is printed at the end (`1..N`), so a script that dies
# half-way is reported by the TAP driver as an error, never as a pass.

set -u

_cli_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$_cli_here/.." && pwd)}"
: "${CACHET:=$top_srcdir/src/cachet}"
: "${CACHET_PKI_DIR:=$top_srcdir/vectors/pki}"
# Absolute paths: the tests run in a temporary directory.
_cli_abs()
{
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*/*) printf '%s/%s\n' "$(cd "$(dirname "$1")" 2>/dev/null && pwd || echo "$PWD/$(dirname "$1")")" "$(basename "$1")" ;;
	*) command -v "$1" 2>/dev/null || printf '%s/%s\n' "$PWD" "$1" ;;
	esac
}
top_srcdir=$(_cli_abs "$top_srcdir/.")
top_srcdir=${top_srcdir%/.}
CACHET=$(_cli_abs "$CACHET")
CACHET_PKI_DIR=$(_cli_abs "$CACHET_PKI_DIR/.")
CACHET_PKI_DIR=${CACHET_PKI_DIR%/.}
export CACHET CACHET_PKI_DIR top_srcdir
PKI=$CACHET_PKI_DIR
DERUTIL="$top_srcdir/tests/derutil.py"
export DERUTIL
export PYTHONDONTWRITEBYTECODE=1  # never write into the source tree
ROOT=$PKI/root-ca.crt.pem
CHAIN=$PKI/chain.pem

TMP=$(mktemp -d "${TMPDIR:-/tmp}/cachet-test.XXXXXX") || {
	echo "Bail out! cannot create a temporary directory"
	exit 99
}
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 99

_tap_n=0
_tap_failed=0

# tap_result STATUS DESCRIPTION: one test point, ok when STATUS is 0.
tap_result()
{
	local st=$1
	shift
	_tap_n=$((_tap_n + 1))
	if [ "$st" -eq 0 ]; then
		echo "ok $_tap_n - $*"
	else
		echo "not ok $_tap_n - $*"
		_tap_failed=$((_tap_failed + 1))
	fi
}

# ok DESCRIPTION -- COMMAND...: a test point that passes when COMMAND
# exits 0.
ok()
{
	local desc=$1
	shift
	[ "${1:-}" = "--" ] && shift
	"$@" >"$TMP/_log" 2>&1
	local st=$?
	tap_result $st "$desc"
	[ $st -eq 0 ] || diag_file "$TMP/_log"
	return $st
}

diag()
{
	local line
	printf '%s\n' "$@" | while IFS= read -r line; do echo "# $line"; done
}

# diag_file FILE [N]: show a file's last N (8) lines as TAP comments.
diag_file()
{
	[ -s "$1" ] && tail -n "${2:-8}" "$1" | sed 's/^/#   /'
	return 0
}

# require TOOL...: a missing tool is a failure, not a skip.
require()
{
	local t
	for t in "$@"; do
		if ! command -v "$t" >/dev/null 2>&1; then
			tap_result 1 "required tool '$t' is installed"
			done_testing
		fi
	done
}

done_testing()
{
	echo "1..$_tap_n"
	[ "$_tap_failed" -eq 0 ] || diag "$_tap_failed of $_tap_n test points failed"
	exit 0
}

# rc_is EXPECTED COMMAND...: true when COMMAND exits with EXPECTED.
rc_is()
{
	local want=$1
	shift
	"$@"
	[ $? -eq "$want" ]
}

# on_tty PASSWORD COMMAND...: run COMMAND with its standard input,
# output and error on a pseudo-terminal; type PASSWORD and a newline
# once a "Password for" or "PIN for" prompt appears.  Fails when the
# password shows up on the terminal (it must not be echoed) or when no
# prompt came; otherwise exits as COMMAND did.
on_tty()
{
	python3 - "$@" <<'EOF'
import os, pty, select, sys
pw = sys.argv[1].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
out, typed = b"", False
while True:
    r, _, _ = select.select([fd], [], [], 30)
    if not r:
        break
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
    if not typed and (b"Password for" in out or b"PIN for" in out):
        os.write(fd, pw + b"\n")
        typed, mark = True, len(out)
_, st = os.waitpid(pid, 0)
sys.stderr.write(out.decode(errors="replace"))
if not typed:
    sys.stderr.write("no prompt\n")
    sys.exit(98)
if pw in out[mark:]:
    sys.stderr.write("the password was echoed\n")
    sys.exit(99)
sys.exit(os.waitstatus_to_exitcode(st))
EOF
}

# Helpers over files --------------------------------------------------

# cachet: run the tool under test.
cachet() { "$CACHET" "$@"; }

# jq_report JSON QUERY: one field of a verify --json report (see derutil.py).
jq_report() { python3 "$DERUTIL" report "$1" "$2"; }

# report_is JSON QUERY VALUE
report_is()
{
	local got
	got=$(jq_report "$1" "$2") || return 1
	[ "$got" = "$3" ] || { echo "$2: got '$got', want '$3'" >&2; return 1; }
}

# verify_json JSON RC VERIFY-ARGS...: `cachet verify --json`, the report
# kept in JSON; true when the exit status is RC.
verify_json()
{
	local js=$1 want=$2
	shift 2
	"$CACHET" verify --json "$@" >"$js"
	local rc=$?
	[ $rc -eq "$want" ] || { echo "exit $rc, want $want" >&2; return 1; }
}

# same_file A B
same_file() { cmp -s "$1" "$2"; }

# stderr_has FILE CODE: the file holds the [CODE] marker cachet prints
# on stderr for an error.
stderr_has() { grep -q "\\[$2\\]" "$1"; }

# no_temp_left DIR: out_open's temporary files (.NAME.XXXXXX) are gone.
no_temp_left()
{
	[ -z "$(find "$1" -maxdepth 1 -name '.*.??????' -print -quit)" ]
}

# sign_as USER OUT [OPTIONS...]: sign in.txt (a later -i in OPTIONS wins)
# as USER of the test PKI.
sign_as()
{
	local u=$1 out=$2
	shift 2
	"$CACHET" sign --format der -i in.txt -o "$out" --signer "$PKI/$u.crt.pem" \
		--key "$PKI/$u.key.pem" "$@"
}

# Judging reports -----------------------------------------------------

# failed_checks JSON [SIGNER] CHECK=CODE...: the signer's verdict is
# invalid, its code and the report's code are one of the CODEs, and the
# failed checks are exactly the CHECKs, each with its CODE.
failed_checks()
{
	python3 - "$@" <<'EOF'
import json, sys
args = sys.argv[1:]
r = json.load(open(args.pop(0)))
i = int(args.pop(0)) if args and args[0].isdigit() else 0
want = dict(a.split("=", 1) for a in args)
s = r["signers"][i]
got = {c["name"]: c["code"] for c in s["checks"] if c["status"] == "fail"}
assert got == want, "failed checks %s, want %s" % (got, want)
assert s["verdict"] == "invalid", s["verdict"]
assert s["code"] in want.values(), s["code"]
assert r["result"] == "invalid", r["result"]
assert r["code"] in [x["code"] for x in r["signers"] if x["code"]], r["code"]
EOF
}

# check_has JSON CHECK CODE: signer 0's CHECK failed with CODE (other
# checks may fail too).
check_has()
{
	report_is "$1" "check:0:$2:status" fail && report_is "$1" "check:0:$2:code" "$3"
}

# resign MSG OUT KEY DIGEST: OUT is MSG with signer 0's signature made
# anew by openssl over its (edited) signedAttrs with KEY and DIGEST
# (sha256, sha384...): RSA PKCS#1 v1.5 or ECDSA, as the key is.  An
# edited attribute then fails on its own, not through the signature.
resign()
{
	python3 "$DERUTIL" signed-attrs "$1" "$TMP/_sa.der" &&
		openssl dgst -"$4" -sign "$3" -out "$TMP/_sig.bin" "$TMP/_sa.der" &&
		python3 "$DERUTIL" set-signature "$1" "$TMP/_sig.bin" "$2"
}
