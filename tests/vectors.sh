#!/bin/sh
# vectors.sh -- TAP test: every third-party SignedData vector gets the
# verdict tests/vectors-signed.tsv records for it.
#
# Environment (set by make check):
#   CACHET          the built cachet binary
#   CACHET_VECTORS  the third-party vectors directory (configure
#                   --with-vectors=DIR; default ../shared/vectors next to
#                   the source tree)
#   top_srcdir      the source tree
#
# The table has one row per vector (a few vectors have another row, an
# "extra run" under other conditions): path, cachet arguments, expected exit
# status, expected CACHET_E_* code ("-" when valid; "A,B" when the report's
# overall code is A and B must also be among its failed checks), exception
# (why the verdict differs from the manifest; "-" when it does not) and a
# note.
# In the arguments, the values of --trust, --certs and --content are paths
# relative to the vectors directory.  FILE@OFFSET+LENGTH names a
# certificate embedded in FILE (LENGTH bytes from byte OFFSET of its DER,
# under the PEM armour for a PEM file): it is cut out into a temporary
# directory first, so no trust anchor has to be copied out of a vector.
#
# The test also reads the vectors' manifest.tsv: every SignedData row
# (kind "signed" or "certsonly", or "other" when it is a signedData; format
# der or pem) must be in the table, and a row
# whose verdict differs from the manifest's must name its exception.
# A missing vectors directory fails the test; it is not skipped.

LC_ALL=C
export LC_ALL

top_srcdir=${top_srcdir:-`cd "\`dirname "$0"\`/.." && pwd`}
CACHET=${CACHET:-$top_srcdir/src/cachet}
VEC=${CACHET_VECTORS:-$top_srcdir/../shared/vectors}
TABLE=$top_srcdir/tests/vectors-signed.tsv
MANIFEST=$VEC/manifest.tsv

if test ! -d "$VEC" || test ! -f "$MANIFEST"; then
	echo "1..1"
	echo "not ok 1 - vectors directory '$VEC' with manifest.tsv not found" \
	     "(set CACHET_VECTORS or configure --with-vectors=DIR)"
	exit 1
fi
if test ! -f "$TABLE" || test ! -x "$CACHET"; then
	echo "1..1"
	echo "not ok 1 - need $TABLE and an executable CACHET ($CACHET)"
	exit 1
fi

tmp=`mktemp -d "${TMPDIR:-/tmp}/cachet-vectors.XXXXXX"` || exit 1
trap 'rm -rf "$tmp"' 0 1 2 13 15

# The table's rows (comments and the header left out).
grep -v '^#' "$TABLE" | awk -F '\t' 'NR > 1 && NF > 0' > "$tmp/rows"

# Manifest rows that must be covered: SignedData in DER or PEM (kind
# "signed", "certsonly", or "other" described as a signedData), not the
# S/MIME (.eml) messages.
awk -F '\t' 'NR > 1 && ($4 == "der" || $4 == "pem") && $1 !~ /\.eml$/ &&
	($3 == "signed" || $3 == "certsonly" ||
	 ($3 == "other" && tolower($5) ~ /signeddata/)) { print $1 }' \
	"$MANIFEST" > "$tmp/wanted"
cut -f1 "$tmp/rows" > "$tmp/have"
missing=`awk 'NR == FNR { have[$0] = 1; next } !($0 in have)' "$tmp/have" "$tmp/wanted"`

nrows=`wc -l < "$tmp/rows"`
nmiss=0
for m in $missing; do nmiss=`expr $nmiss + 1`; done
echo "1..`expr $nrows + $nmiss`"

n=0
for m in $missing; do
	n=`expr $n + 1`
	echo "not ok $n - $m: SignedData vector in manifest.tsv but not in tests/vectors-signed.tsv"
done

# The manifest's verdict for a path ("valid", "invalid" or "n/a").
manifest_expected()
{
	awk -F '\t' -v p="$1" '$1 == p { print $7; exit }' "$MANIFEST"
}

# Resolve one file argument: a path in the vectors directory, or an
# embedded certificate FILE@OFFSET+LENGTH cut out into $tmp.
resolve()
{
	case $1 in
	*@*+*)
		file=`echo "$1" | sed 's/@.*//'`
		off=`echo "$1" | sed 's/.*@//; s/+.*//'`
		len=`echo "$1" | sed 's/.*+//'`
		out=$tmp/cert-$n-$off.der
		src=$VEC/$file
		if grep -q -e '-----BEGIN ' "$src"; then
			# Offsets count in the DER under the (first) PEM armour.
			awk '/^-----BEGIN /{on=1; next} /^-----END /{exit} on' "$src" |
				base64 -d > "$tmp/pem-$n.der" || return 1
			src=$tmp/pem-$n.der
		fi
		dd if="$src" of="$out" bs=1 skip="$off" count="$len" 2>/dev/null
		echo "$out"
		;;
	*)
		echo "$VEC/$1"
		;;
	esac
}

while IFS='	' read -r path args want_rc want_code exception note; do
	n=`expr $n + 1`
	set -- verify --format der -i "$VEC/$path" --json
	prev=
	for a in $args; do
		case $prev in
		--trust|--certs|--content) set -- "$@" "`resolve "$a"`" ;;
		*) set -- "$@" "$a" ;;
		esac
		prev=$a
	done
	"$CACHET" "$@" < /dev/null > "$tmp/out" 2> "$tmp/err"
	rc=$?
	# The report's overall code is the last "code" of the JSON; without a
	# report (malformed or unsupported input) it is the [CACHET_E_*] name
	# on stderr.
	code=`sed -n -e 's/.*"code":null}[[:space:]]*$/-/p' \
		-e 's/.*"code":"\([A-Z0-9_]*\)"}[[:space:]]*$/\1/p' "$tmp/out"`
	if test -z "$code"; then
		code=`sed -n 's/.*\[\(CACHET_E_[A-Z0-9_]*\)\].*/\1/p' "$tmp/err" | head -n 1`
	fi
	test -n "$code" || code=-

	why=
	if test "$rc" != "$want_rc"; then
		why="expected exit $want_rc got $rc"
	fi
	# CODE[,CODE...]: the first is the overall code, the others must be
	# among the codes of the report's failed checks as well.
	want_first=`echo "$want_code" | sed 's/,.*//'`
	if test "$code" != "$want_first"; then
		why="${why:+$why, }expected code $want_first got $code"
	fi
	for c in `echo "$want_code" | sed 's/^[^,]*//; s/,/ /g'`; do
		grep -q "\"status\":\"fail\",\"code\":\"$c\"" "$tmp/out" ||
			why="${why:+$why, }expected a failed check with code $c"
	done
	# The verdict must agree with the manifest unless the row says why not.
	mexp=`manifest_expected "$path"`
	if test -z "$note"; then
		why="${why:+$why, }the table row does not have six tab-separated fields"
	elif test -z "$mexp"; then
		why="${why:+$why, }not in manifest.tsv"
	elif test "$exception" = "-"; then
		case $mexp:$want_rc in
		valid:0|invalid:[13]|n/a:*) ;;
		*) why="${why:+$why, }verdict exit $want_rc contradicts manifest '$mexp' without an exception" ;;
		esac
	fi
	name=$path
	case $exception in
	"extra run"*) name="$path (extra run)" ;;
	esac
	if test -z "$why"; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name: $why"
		sed 's/^/# /' "$tmp/err"
		grep -o '"name":"[a-z-]*","status":"fail","code":"[A-Z_0-9]*","rule":"[^"]*","detail":"[^"]*"' \
			"$tmp/out" | sed 's/^/# /'
	fi
done < "$tmp/rows"
exit 0
