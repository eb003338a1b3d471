# common.sh -- shared by bench.sh and bench-enc.sh (sourced, not run).
#
# Before sourcing, a script sets CACHET, NETTLE_CEILING and OPENSSL (or
# leaves the defaults below).  After sourcing it has:
#   BENCH_SIZES   the sizes to run (CACHET_BENCH_QUICK=1 drops 1 GiB from
#                 the default)
#   $work         a fresh directory, removed on exit
#   timed, mbs, ratio, speedup, ms, human, best_ceiling, check_tools
#
# Environment:
#   BENCH_SIZES        input sizes in bytes (default "1024 67108864
#                      1073741824"; with CACHET_BENCH_QUICK=1 "1024 67108864")
#   CACHET_BENCH_QUICK 1: skip the 1 GiB input (a run of a few minutes)
#   BENCH_REPEAT       runs per figure for inputs under 1 MiB (default 20;
#                      the best time is kept); larger inputs run once
#   BENCH_TMPDIR       where inputs and outputs go (default $TMPDIR or /tmp)
#   OPENSSL            the openssl binary (default: openssl)
#   GNU_TIME           GNU time (default /usr/bin/time)

CACHET=${CACHET:-src/cachet}
PKI=${PKI:-vectors/pki}
NETTLE_CEILING=${NETTLE_CEILING:-bench/nettle-ceiling}
OPENSSL=${OPENSSL:-openssl}
if [ "${CACHET_BENCH_QUICK:-0}" = 1 ]; then
	BENCH_SIZES=${BENCH_SIZES:-1024 67108864}
else
	BENCH_SIZES=${BENCH_SIZES:-1024 67108864 1073741824}
fi
BENCH_REPEAT=${BENCH_REPEAT:-20}
GNU_TIME=${GNU_TIME:-/usr/bin/time}

# check_tools NAME TOOL...: every TOOL must be executable, and openssl
# must be on the path.
check_tools() {
	_name=$1
	shift
	for _tool in "$@" "$GNU_TIME"; do
		[ -x "$_tool" ] || { echo "$_name: $_tool is missing (Debian: apt-get install time for /usr/bin/time)" >&2; exit 1; }
	done
	command -v "$OPENSSL" >/dev/null || { echo "$_name: no $OPENSSL" >&2; exit 1; }
}

# In a build tree src/cachet is a libtool wrapper script, which costs
# ~20 ms a run in the shell.  Run the real binary it wraps instead, with
# the uninstalled library on the search path (CACHET_LIBDIR, default
# src/lib/.libs beside it).
if head -c 4096 "$CACHET" 2>/dev/null | grep -q 'libtool'; then
	_dir=$(dirname "$CACHET")
	_real=$_dir/.libs/$(basename "$CACHET")
	if [ -x "$_real" ]; then
		CACHET=$_real
		LD_LIBRARY_PATH=${CACHET_LIBDIR:-$_dir/lib/.libs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
		export LD_LIBRARY_PATH
	fi
fi

work=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/cachet-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' HUP INT PIPE TERM

now_ns() { date +%s%N; }

# timed NAME REPS CMD...: run CMD REPS times; sets T_<NAME> (best seconds)
# and M_<NAME> (highest peak RSS, KiB).  Output goes to /dev/null; a
# failing run sets T_<NAME> to FAIL.
timed() {
	name=$1
	reps=$2
	shift 2
	best=""
	rss=0
	i=0
	while [ "$i" -lt "$reps" ]; do
		t0=$(now_ns)
		if "$GNU_TIME" -f '%M' -o "$work/time.out" "$@" >/dev/null 2>"$work/err.out"; then
			t1=$(now_ns)
		else
			echo "bench: failed: $*" >&2
			sed 's/^/  /' "$work/err.out" >&2
			eval "T_$name=FAIL M_$name=0"
			return 0
		fi
		t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", (b - a) / 1e9 }')
		m=$(tail -n 1 "$work/time.out")
		if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$t
		fi
		[ "$m" -gt "$rss" ] && rss=$m
		i=$((i + 1))
	done
	eval "T_$name=$best M_$name=$rss"
}

mbs() { # SIZE SECONDS -> MB/s
	case $2 in
	FAIL) echo FAIL ;;
	*) awk -v s="$1" -v t="$2" 'BEGIN { r = s / 1e6 / t; printf (r < 10 ? "%.3f" : "%.1f"), r }' ;;
	esac
}
best_ceiling() { # [ALG]: the best of three Nettle measurements, MB/s
	for _ in 1 2 3; do "$NETTLE_CEILING" 64 3 "${1:-sha256}" | tail -n 1; done | sort -g | tail -n 1
}
ratio() { # A B -> A/B as a percentage
	case "$1$2" in *FAIL*|*-*) echo "-" ;; *) awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", 100 * a / b }' ;; esac
}
speedup() { # SIZE CACHET-SECONDS OPENSSL-SECONDS -> Cachet/OpenSSL speed
	case "$2$3" in *FAIL*) echo "-" ;; *) awk -v a="$2" -v b="$3" 'BEGIN { printf "%.0f%%", 100 * b / a }' ;; esac
}
ms() {
	case $1 in FAIL) echo FAIL ;; *) awk -v t="$1" 'BEGIN { printf "%.1f", t * 1000 }' ;; esac
}
human() {
	awk -v s="$1" 'BEGIN {
		if (s >= 1073741824) printf "%g GiB", s / 1073741824;
		else if (s >= 1048576) printf "%g MiB", s / 1048576;
		else if (s >= 1024) printf "%g KiB", s / 1024;
		else printf "%d B", s }'
}
