#!/bin/sh
# vectors-smime.sh -- TAP test: every third-party S/MIME message (format
# "smime" in the vectors' manifest.tsv) is opened by `cachet verify
# --format smime` or `cachet decrypt --format smime`, and the result is
# compared with tests/vectors-smime.tsv, layer by layer.
#
# Environment (set by make check):
#   CACHET          the built cachet binary
#   CACHET_VECTORS  the third-party vectors directory (--with-vectors=DIR)
#   CACHET_PKI_DIR  the test PKI (vectors/pki)
#   top_srcdir      the source tree
#
# Each table row gives the command, its arguments, the expected exit
# status and CACHET_E_* code, the expected layers (kind=verdict, outside
# in, as the report lists them) and checks of the innermost entity.  Every
# manifest row of format "smime" must have a table row (a missing one is a
# failure), and a row whose verdict differs from the manifest's "expected"
# must name an exception explained in tests/vectors-smime-exceptions.md.
#
# Argument words: --trust/--certs/--cert/--key FILE (vectors-relative, or
# PKI/NAME for vectors/pki), --p12 FILE:PASS (converted with openssl into
# a temporary directory; PEM-armoured PKCS #12 is un-armoured first),
# --pin-embedded (the certificates carried by the message, taken out with
# openssl, are the trust anchors: for vectors that ship no CA), --at TIME,
# --legacy.  Nothing is copied into the source tree.
#
# A missing vectors directory, python3 or openssl fails; nothing is
# skipped.

LC_ALL=C
export LC_ALL
PYTHONDONTWRITEBYTECODE=1
export PYTHONDONTWRITEBYTECODE

top_srcdir=${top_srcdir:-`cd "\`dirname "$0"\`/.." && pwd`}
CACHET=${CACHET:-$top_srcdir/src/cachet}
VEC=${CACHET_VECTORS:-$top_srcdir/../shared/vectors}
PKI=${CACHET_PKI_DIR:-$top_srcdir/vectors/pki}
TABLE=$top_srcdir/tests/vectors-smime.tsv
EXC=$top_srcdir/tests/vectors-smime-exceptions.md
MANIFEST=$VEC/manifest.tsv
ENVUTIL=$top_srcdir/tests/envutil.py

if test ! -d "$VEC" || test ! -f "$MANIFEST"; then
	echo "1..1"
	echo "not ok 1 - vectors directory '$VEC' with manifest.tsv not found" \
	     "(set CACHET_VECTORS or configure --with-vectors=DIR)"
	exit 1
fi
if test ! -f "$TABLE" || test ! -f "$EXC" || test ! -x "$CACHET"; then
	echo "1..1"
	echo "not ok 1 - need $TABLE, $EXC and an executable CACHET ($CACHET)"
	exit 1
fi
for t in python3 openssl; do
	if ! command -v $t > /dev/null 2>&1; then
		echo "1..1"
		echo "not ok 1 - required tool '$t' is not installed"
		exit 1
	fi
done

tmp=`mktemp -d "${TMPDIR:-/tmp}/cachet-vecsmime.XXXXXX"` || exit 1
trap 'rm -rf "$tmp"' 0 1 2 13 15

grep -v '^#' "$TABLE" | awk -F '\t' 'NR > 1 && NF > 0' > "$tmp/rows"
awk -F '\t' 'NR > 1 && $4 == "smime" { print $1 }' "$MANIFEST" > "$tmp/wanted"
cut -f1 "$tmp/rows" > "$tmp/have"
missing=`awk 'NR == FNR { have[$0] = 1; next } !($0 in have)' "$tmp/have" "$tmp/wanted"`

nrows=`wc -l < "$tmp/rows"`
nmiss=0
for m in $missing; do nmiss=`expr $nmiss + 1`; done
echo "1..`expr $nrows + $nmiss`"

n=0
fails=0
for m in $missing; do
	n=`expr $n + 1`
	fails=`expr $fails + 1`
	echo "not ok $n - $m: smime vector in manifest.tsv but not in tests/vectors-smime.tsv"
done

. "$top_srcdir/tests/vectors-lib.sh"



# The certificates a message carries, as a PEM bundle (for --pin-embedded).
pin_embedded()
{
	openssl smime -pk7out -in "$VEC/$1" 2> /dev/null |
		openssl pkcs7 -print_certs 2> /dev/null |
		grep -v -e '^subject=' -e '^issuer=' -e '^$' > "$tmp/pin-$n.pem"
	test -s "$tmp/pin-$n.pem" && echo "$tmp/pin-$n.pem"
}



# The layers of a text report: "kind=VERDICT,..." outside in.
layers_of()
{
	awk '/^layer [0-9]+: / { k = $3 }
	     /^  verdict: / { printf "%s%s=%s", sep, k, $2; sep = "," }
	     END { print "" }' "$1"
}


nexc=0
nasexp=0
while IFS='	' read -r path cmd args want_rc want_code want_layers expect exception note; do
	n=`expr $n + 1`
	why=
	case $cmd in
	verify|decrypt) ;;
	*) why="unknown command '$cmd'" ;;
	esac
	set -- "$cmd" --format smime -i "$VEC/$path" -o "$tmp/out-$n"
	test "$cmd" = decrypt && set -- "$@" -v
	prev=
	for a in $args; do
		case $prev in
		--trust|--certs|--cert|--key) set -- "$@" "`path_arg "$a"`" ;;
		--p12)
			pairs=`p12_pairs "${a%:*}" "${a##*:}"`
			test -n "$pairs" || why="${why:+$why, }cannot convert ${a%:*}"
			set -- "$@" $pairs ;;
		*)
			case $a in
			--p12) ;;
			--pin-embedded)
				pin=`pin_embedded "$path"`
				if test -n "$pin"; then
					set -- "$@" --trust "$pin"
				else
					why="${why:+$why, }no certificate to pin in the message"
				fi ;;
			*) set -- "$@" "$a" ;;
			esac ;;
		esac
		prev=$a
	done
	rm -f "$tmp/out-$n"
	# verify prints the report on stdout, decrypt -v on stderr; errors
	# ("cachet CMD: sentence [CACHET_E_...]") always go to stderr.
	"$CACHET" "$@" > "$tmp/stdout" 2> "$tmp/stderr"
	rc=$?
	cat "$tmp/stdout" "$tmp/stderr" > "$tmp/report"
	code=`grep -o "^cachet $cmd: .*\[CACHET_E_[A-Z_0-9]*\]" "$tmp/stderr" | head -1 |
		sed 's/.*\[\(CACHET_E_[A-Z_0-9]*\)\]$/\1/'`
	test -n "$code" || code=-
	got_layers=`layers_of "$tmp/report"`
	test -n "$got_layers" || got_layers=-

	in_list "$rc" "$want_rc" || why="${why:+$why, }exit $rc, expected $want_rc"
	in_list "$code" "$want_code" || why="${why:+$why, }code $code, expected $want_code"
	test "$want_layers" = "-" || test "$got_layers" = "$want_layers" ||
		why="${why:+$why, }layers $got_layers, expected $want_layers"
	if test "$rc" = 0; then
		test -f "$tmp/out-$n" || why="${why:+$why, }no output on success"
		r=`check_expect "$expect" "$tmp/out-$n"`
		test -z "$r" || why="${why:+$why, }$r"
	else
		test -f "$tmp/out-$n" && why="${why:+$why, }output left behind after a failure"
		# Only the report checks apply to a failure.
		rspec=`echo "$expect" | tr ';' '\n' | grep '^report:' | tr '\n' ';' | sed 's/;$//'`
		if test -n "$rspec"; then
			r=`check_expect "$rspec" /dev/null`
			test -z "$r" || why="${why:+$why, }$r"
		fi
	fi

	# The verdict against the manifest: a difference needs a named,
	# documented exception; a named exception must be needed.
	mexp=`manifest_expected "$path"`
	verdict=invalid
	test "$rc" = 0 && verdict=valid
	if test "$mexp" = valid || test "$mexp" = invalid; then
		if test "$verdict" != "$mexp"; then
			if test "$exception" = "-" || test -z "$exception"; then
				why="${why:+$why, }manifest says $mexp, Cachet $verdict, and no exception is named"
			elif ! grep -qF -e "$exception" "$EXC"; then
				why="${why:+$why, }exception '$exception' is not explained in vectors-smime-exceptions.md"
			else
				nexc=`expr $nexc + 1`
			fi
		else
			test "$exception" = "-" ||
				why="${why:+$why, }exception '$exception' named but the verdict agrees with the manifest"
			nasexp=`expr $nasexp + 1`
		fi
	else
		test "$exception" = "-" || grep -qF -e "$exception" "$EXC" ||
			why="${why:+$why, }exception '$exception' is not explained in vectors-smime-exceptions.md"
	fi

	if test -z "$why"; then
		echo "ok $n - $path: $cmd exit $rc $code layers $got_layers${exception:+ }`test "$exception" = - || echo "[$exception]"`"
	else
		fails=`expr $fails + 1`
		echo "not ok $n - $path: $why"
		sed 's/^/# /' "$tmp/report" | head -40
	fi
done < "$tmp/rows"
echo "# verdicts as the manifest expects: $nasexp; documented exceptions: $nexc"
test $fails = 0
