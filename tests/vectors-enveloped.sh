#!/bin/sh
# vectors-enveloped.sh -- TAP test: every third-party EnvelopedData,
# AuthEnvelopedData and EncryptedData vector gets the result
# tests/vectors-enveloped.tsv records for it from `cachet decrypt`.
#
# Environment (set by make check):
#   CACHET          the built cachet binary
#   CACHET_VECTORS  the third-party vectors directory (configure
#                   --with-vectors=DIR)
#   CACHET_PKI_DIR  the test PKI (vectors/pki), for keys that match no
#                   recipient
#   top_srcdir      the source tree
#
# The table's columns are described in its header.  The test also reads
# the vectors' manifest.tsv: every row of kind "enveloped" or
# "authenveloped", and every "other" row that is an EncryptedData, must
# be in the table, and a row whose result differs from the manifest's
# "expected" must name its exception (explained in
# tests/vectors-exceptions.md).
#
# S/MIME messages (.eml, format smime) are unwrapped here with python3's
# email module (tests/envutil.py mime): cachet decrypt reads CMS DER or
# PEM only in this issue.  PKCS #12 files are converted with openssl into
# a temporary directory: nothing is copied into the source tree.
#
# A missing vectors directory, python3 or openssl fails the test; it is
# not skipped.

LC_ALL=C
export LC_ALL
PYTHONDONTWRITEBYTECODE=1
export PYTHONDONTWRITEBYTECODE

top_srcdir=${top_srcdir:-`cd "\`dirname "$0"\`/.." && pwd`}
CACHET=${CACHET:-$top_srcdir/src/cachet}
VEC=${CACHET_VECTORS:-$top_srcdir/../shared/vectors}
PKI=${CACHET_PKI_DIR:-$top_srcdir/vectors/pki}
TABLE=$top_srcdir/tests/vectors-enveloped.tsv
MANIFEST=$VEC/manifest.tsv
ENVUTIL=$top_srcdir/tests/envutil.py

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
for t in python3 openssl; do
	if ! command -v $t > /dev/null 2>&1; then
		echo "1..1"
		echo "not ok 1 - required tool '$t' is not installed"
		exit 1
	fi
done

tmp=`mktemp -d "${TMPDIR:-/tmp}/cachet-vecenv.XXXXXX"` || exit 1
trap 'rm -rf "$tmp"' 0 1 2 13 15

grep -v '^#' "$TABLE" | awk -F '\t' 'NR > 1 && NF > 0' > "$tmp/rows"

# Manifest rows that must be covered.
awk -F '\t' 'NR > 1 && ($3 == "enveloped" || $3 == "authenveloped" ||
	($3 == "other" && $5 ~ /EncryptedData/)) { print $1 }' \
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
	echo "not ok $n - $m: encrypted vector in manifest.tsv but not in tests/vectors-enveloped.tsv"
done

. "$top_srcdir/tests/vectors-lib.sh"






while IFS='	' read -r path input args want_rc want_code expect exception note; do
	n=`expr $n + 1`
	why=
	# The input: the file itself, or the CMS object out of an S/MIME message.
	case $input in
	cms) in=$VEC/$path ;;
	mime|mime:*)
		pt=pkcs7-mime
		case $input in mime:*) pt=${input#mime:} ;; esac
		in=$tmp/in-$n.der
		python3 "$ENVUTIL" mime "$VEC/$path" "$in" "$pt" 2> "$tmp/err" ||
			why="cannot extract the $pt part: `cat "$tmp/err"`" ;;
	*) why="unknown input kind '$input'" ;;
	esac

	set -- decrypt --format der -i "$in" -o "$tmp/out-$n"
	prev=
	for a in $args; do
		case $prev in
		--cert|--key|--password-file) set -- "$@" "`path_arg "$a"`" ;;
		--p12)
			pairs=`p12_pairs "${a%:*}" "${a##*:}"`
			test -n "$pairs" || why="${why:+$why, }cannot convert ${a%:*}"
			set -- "$@" $pairs ;;
		*) test "$a" = "--p12" || set -- "$@" "$a" ;;
		esac
		prev=$a
	done

	rc=x
	if test -z "$why"; then
		"$CACHET" "$@" < /dev/null > "$tmp/stdout" 2> "$tmp/err"
		rc=$?
		code=`sed -n 's/.*\[\(CACHET_E_[A-Z0-9_]*\)\].*/\1/p' "$tmp/err" | head -n 1`
		test -n "$code" || code=-
		in_list "$rc" "$want_rc" || why="expected exit $want_rc got $rc"
		if test "$want_code" != "-" && ! in_list "$code" "$want_code"; then
			why="${why:+$why, }expected code $want_code got $code"
		fi
		if test "$rc" = 0; then
			if test ! -f "$tmp/out-$n"; then
				why="${why:+$why, }exit 0 but no output file"
			else
				f=`check_expect "$expect" "$tmp/out-$n"`
				test -z "$f" || why="${why:+$why, }$f"
			fi
		elif test -e "$tmp/out-$n"; then
			why="${why:+$why, }failed (exit $rc) but left an output file"
		fi
	fi

	mexp=`manifest_expected "$path"`
	if test -z "$note"; then
		why="${why:+$why, }the table row does not have eight tab-separated fields"
	elif test -z "$mexp"; then
		why="${why:+$why, }not in manifest.tsv"
	elif test "$exception" = "-"; then
		case $mexp:$want_rc in
		valid:0|invalid:1|invalid:3|invalid:1\|3|n/a:*) ;;
		*) why="${why:+$why, }result exit $want_rc contradicts manifest '$mexp' without an exception" ;;
		esac
	fi
	name=$path
	case $exception in
	"extra run"*) name="$path (extra run: `echo "$args" | cut -c1-60`)" ;;
	esac
	if test -z "$why"; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name: $why"
		echo "#   cachet $*" | sed "s|$VEC/||g; s|$tmp/||g"
		sed 's/^/#   /' "$tmp/err" | head -n 5
	fi
	rm -f "$tmp/out-$n" "$tmp/in-$n.der"
done < "$tmp/rows"
exit 0
