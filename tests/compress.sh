#!/bin/bash
# compress.sh -- CompressedData (RFC 3274) end to end: the third-party
# vectors of kind "compressed", interoperability with openssl cms and an
# independent reader and writer (python3's zlib over tests/derutil.py's
# BER parser), the command line's failure behaviour, and a 64 MiB round
# trip in flat memory.
#
# Vectors: every manifest.tsv row of kind "compressed" must be listed in
# tests/vectors-compressed.tsv and give the result recorded there; a row
# the manifest calls valid must decompress to its content.
#
# OpenSSL: Debian 12's OpenSSL 3.0 is built without zlib (`openssl version
# -a` shows no "zlib" option; `openssl cms -compress` fails with
# "unsupported compression algorithm").  The test then says so in its
# output, checks that openssl still parses Cachet's CompressedData
# (`-cmsout -print`) and refuses to uncompress it for that reason only,
# and the openssl-made direction rests on the shared vectors and on the
# independent python3 writer.  With a zlib-enabled openssl both
# directions run against openssl itself.
#
# Needs python3, openssl, cmp and GNU time; a missing one is a failure.
. "$(dirname "$0")/cli-lib.sh"

require python3 openssl cmp head
VEC=${CACHET_VECTORS:-$top_srcdir/../shared/vectors}
TABLE=$top_srcdir/tests/vectors-compressed.tsv
GNU_TIME=${GNU_TIME:-/usr/bin/time}

# ---------------------------------------------------------------- vectors
if [ ! -f "$VEC/manifest.tsv" ]; then
	tap_result 1 "vectors directory '$VEC' with manifest.tsv (set CACHET_VECTORS or configure --with-vectors=DIR)"
	done_testing
fi
awk -F'\t' 'NR > 1 && $3 == "compressed" { print $1 "\t" $7 }' "$VEC/manifest.tsv" >manifest.rows
ok "the manifest lists at least one compressed vector" -- test -s manifest.rows
while IFS=$'\t' read -r path expected; do
	row=$(awk -F'\t' -v p="$path" '$1 == p' "$TABLE")
	if [ -z "$row" ]; then
		tap_result 1 "$path (manifest: $expected) is listed in tests/vectors-compressed.tsv"
		continue
	fi
	result=$(printf '%s\n' "$row" | cut -f2)
	content=$(printf '%s\n' "$row" | cut -f3)
	if [ "$expected" = valid ] && [ "$result" != ok ]; then
		tap_result 1 "$path: the manifest says valid, the table says $result"
		continue
	fi
	rm -f vec.out
	"$CACHET" decompress -i "$VEC/$path" -o vec.out -v 2>vec.err
	rc=$?
	if [ "$result" = ok ]; then
		ok "$path decompresses (exit 0)" -- test $rc -eq 0
		ok "$path gives $content" -- same_file vec.out "$VEC/$content"
	else
		ok "$path fails with $result" -- eval "[ $rc -ne 0 ] && stderr_has vec.err $result && [ ! -e vec.out ]"
	fi
	diag_file vec.err 6
done <manifest.rows
# The table lists nothing the manifest does not.
grep -v '^#' "$TABLE" | cut -f1 | sort >table.paths
cut -f1 manifest.rows | sort >manifest.paths
ok "tests/vectors-compressed.tsv lists exactly the manifest's compressed vectors" -- cmp table.paths manifest.paths

# ---------------------------------------------------------------- inputs
printf 'Hello, CompressedData.\r\n' >hello.txt
python3 -c 'import sys; sys.stdout.write("".join("line %d of a very repetitive text\n" % i for i in range(20000)))' >text.txt
head -c 100000 /dev/urandom >rand.bin
: >empty.bin

# An independent reader of CompressedData: BER through derutil.py, the
# zlib stream through python3's zlib.  Checks the fields RFC 3274 fixes.
cat >pyread.py <<'PY'
import sys, zlib
sys.path.insert(0, sys.argv[1])
import derutil
buf = open(sys.argv[2], "rb").read()
root = derutil.parse(buf)
oid = lambda n: derutil.decode_oid(n.content)
assert oid(root.children[0]) == "1.2.840.113549.1.9.16.1.9", "contentType"
cd = root.children[1].children[0]
assert cd.children[0].content == b"\x00", "version 0"
alg = cd.children[1]
assert oid(alg.children[0]) == "1.2.840.113549.1.9.16.3.8", "zlibCompress"
assert len(alg.children) == 1, "parameters omitted (RFC 3274 section 2)"
eci = cd.children[2]
assert oid(eci.children[0]) == sys.argv[4], "eContentType"
z = b"".join(p.content for p in derutil.primitives(eci.children[1]))
d = zlib.decompressobj()
out = d.decompress(z) + d.flush()
assert d.eof and not d.unused_data, "one whole zlib stream"
assert out == open(sys.argv[3], "rb").read(), "content"
PY
# An independent writer: zlib stream by python3's zlib (level 9), DER by
# hand with definite lengths; PARAMS "null" writes NULL parameters.
cat >pywrite.py <<'PY'
import sys, zlib
def tlv(t, v):
    n = len(v)
    if n < 0x80: l = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big"); l = bytes([0x80 | len(b)]) + b
    return bytes([t]) + l + v
CT = bytes.fromhex("2a864886f70d0109100109")
ZL = bytes.fromhex("2a864886f70d0109100308")
DATA = bytes.fromhex("2a864886f70d010701")
content = open(sys.argv[1], "rb").read()
params = tlv(5, b"") if len(sys.argv) > 3 and sys.argv[3] == "null" else b""
alg = tlv(0x30, tlv(6, ZL) + params)
eci = tlv(0x30, tlv(6, DATA) + tlv(0xa0, tlv(4, zlib.compress(content, 9))))
cd = tlv(0x30, tlv(2, b"\x00") + alg + eci)
open(sys.argv[2], "wb").write(tlv(0x30, tlv(6, CT) + tlv(0xa0, cd)))
PY

# ---------------------------------------------------------------- round trips and peers
for f in hello.txt text.txt rand.bin empty.bin; do
	ok "compress $f" -- cachet compress -i $f -o $f.p7z
	ok "decompress $f back" -- eval "cachet decompress -i $f.p7z -o $f.out && cmp $f $f.out"
	ok "an independent reader (derutil.py + python3 zlib) reads cachet's $f" -- \
		python3 pyread.py "$top_srcdir/tests" $f.p7z $f 1.2.840.113549.1.7.1
	ok "cachet reads an independent writer's $f (python3 zlib level 9, DER)" -- \
		eval "python3 pywrite.py $f $f.py.der && cachet decompress -i $f.py.der -o $f.py.out && cmp $f $f.py.out"
done
ok "cachet reads NULL parameters (RFC 3274 section 2: MAY)" -- \
	eval "python3 pywrite.py hello.txt hello.null.der null && cachet decompress -i hello.null.der -o hello.null.out && cmp hello.txt hello.null.out"
ok "text.txt compresses to less than a tenth" -- test "$(stat -c %s text.txt.p7z)" -lt "$(( $(stat -c %s text.txt) / 10 ))"

# openssl: does this build have zlib?
ossl_version=$(openssl version)
openssl cms -compress -in hello.txt -outform DER -out ossl.p7z 2>ossl.err
ossl_rc=$?
if [ $ossl_rc -eq 0 ]; then
	diag "$ossl_version has zlib: interop runs against openssl in both directions"
	for f in hello.txt text.txt rand.bin; do
		ok "openssl cms -compress $f" -- openssl cms -compress -in $f -binary -outform DER -out $f.ossl
		ok "cachet decompresses openssl's $f" -- \
			eval "cachet decompress -i $f.ossl -o $f.ossl.out && cmp $f $f.ossl.out"
		ok "openssl cms -uncompress reads cachet's $f" -- \
			eval "openssl cms -uncompress -binary -inform DER -in $f.p7z -out $f.ossl2 && cmp $f $f.ossl2"
	done
else
	# Evidence, printed with the test point: the version, its build
	# options, and openssl's own error.
	diag "$ossl_version: openssl cms -compress exits $ossl_rc:" "$(head -c 300 ossl.err)" \
		"build options: $(openssl version -o 2>/dev/null || openssl version -a | grep options)"
	ok "this OpenSSL ($ossl_version) is built WITHOUT zlib: openssl cms -compress fails with 'unsupported compression algorithm'; the openssl->cachet direction is covered by the shared vectors and the python3 writer" -- \
		grep -q 'unsupported compression algorithm' ossl.err
	ok "openssl cms -cmsout -print parses cachet's CompressedData (version 0, zlibCompress, id-data)" -- \
		eval "openssl cms -cmsout -print -inform DER -in text.txt.p7z >ossl.print && grep -q 'version: 0' ossl.print && grep -q 'id-smime-alg-zlibCompress\|zlib' ossl.print && grep -q 'pkcs7-data' ossl.print"
	ok "openssl cms -uncompress on cachet's message fails only for want of zlib" -- \
		eval "! openssl cms -uncompress -inform DER -in hello.txt.p7z -out /dev/null 2>ossl2.err && grep -q 'unsupported compression algorithm' ossl2.err"
	diag_file ossl2.err 3
	ok "the shared vectors hold at least one openssl-independent compressed message that decompressed above" -- \
		test -s manifest.rows
fi

# ---------------------------------------------------------------- CLI behaviour
ok "PEM output (--format pem)" -- eval "cachet compress -i hello.txt -o hello.pem --format pem && head -1 hello.pem | grep -q -- '-----BEGIN CMS-----'"
ok "PEM input decompresses" -- eval "cachet decompress -i hello.pem -o hello.pem.out && cmp hello.txt hello.pem.out"
ok "stdin to stdout both ways" -- eval "cachet compress -i - -o - <text.txt | cachet decompress -i - -o - >text.pipe && cmp text.txt text.pipe"
ok "--content-type is written as eContentType and reported back" -- \
	eval "cachet compress -i hello.txt -o hello.sd.p7z --content-type 1.2.840.113549.1.7.2 && python3 pyread.py '$top_srcdir/tests' hello.sd.p7z hello.txt 1.2.840.113549.1.7.2 && cachet decompress -i hello.sd.p7z -o hello.sd.out --json 2>sd.json && python3 -c 'import json,sys; j=json.load(open(\"sd.json\")); sys.exit(j[\"content_type\"] != \"id-signedData\")'"
ok "-v describes the message on stderr" -- \
	eval "cachet decompress -i hello.txt.p7z -o v.out -v 2>v.err && grep -q 'CompressedData (version 0)' v.err && grep -q 'zlibCompress' v.err"
ok "--json is JSON with the sizes" -- \
	eval "cachet decompress -i text.txt.p7z -o j.out --json 2>j.err && python3 -c 'import json,sys; j=json.load(open(\"j.err\")); sys.exit(not (j[\"version\"] == 0 and j[\"content_octets\"] == $(stat -c %s text.txt)))'"
ok "cachet inspect summarises CompressedData" -- \
	eval "cachet inspect -i text.txt.p7z >insp.txt && grep -q '^CompressedData:' insp.txt && grep -q 'compressionAlgorithm zlibCompress' insp.txt && grep -q 'eContentType id-data' insp.txt"
ok "cachet inspect --json summarises CompressedData" -- \
	eval "cachet inspect --json -i text.txt.p7z >insp.json && python3 -c 'import json,sys; j=json.load(open(\"insp.json\")); s=j[0][\"summary\"]; sys.exit(not (s[\"contentType\"] == \"CompressedData\" and s[\"version\"] == 0 and s[\"compressedSize\"] > 0))'"

# Failures: nothing left behind, an existing output untouched.
python3 - text.txt.p7z bad.p7z <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[len(b) // 2] ^= 0x20   # inside the zlib stream
open(sys.argv[2], "wb").write(b)
PY
ok "a corrupt zlib stream: exit 3, CACHET_E_MALFORMED" -- eval "rc_is 3 cachet decompress -i bad.p7z -o bad.out 2>bad.err && stderr_has bad.err CACHET_E_MALFORMED"
ok "... and no output file" -- test ! -e bad.out
ok "... and no temporary file" -- no_temp_left .
echo "keep me" >kept.out
ok "a corrupt message leaves an existing output untouched" -- \
	eval "rc_is 3 cachet decompress -i bad.p7z -o kept.out 2>/dev/null && [ \"\$(cat kept.out)\" = 'keep me' ]"
ok "a corrupt message to stdout writes nothing there" -- \
	eval "rc_is 3 cachet decompress -i bad.p7z -o - >bad.stdout 2>/dev/null && [ ! -s bad.stdout ]"
head -c 300 text.txt.p7z >cut.p7z
ok "a cut message: exit 3, CACHET_E_TRUNCATED, no output" -- \
	eval "rc_is 3 cachet decompress -i cut.p7z -o cut.out 2>cut.err && stderr_has cut.err CACHET_E_TRUNCATED && [ ! -e cut.out ]"
ok "--max-size below the content: exit 3, CACHET_E_SIZE_LIMIT, no output" -- \
	eval "rc_is 3 cachet decompress -i text.txt.p7z -o max.out --max-size 1000 2>max.err && stderr_has max.err CACHET_E_SIZE_LIMIT && [ ! -e max.out ] && no_temp_left ."
ok "--max-size equal to the content passes" -- \
	eval "cachet decompress -i text.txt.p7z -o max2.out --max-size $(stat -c %s text.txt) && cmp text.txt max2.out"
ok "--max-size 0 means no bound" -- eval "cachet decompress -i text.txt.p7z -o max3.out --max-size 0 && cmp text.txt max3.out"
ok "--max-size with a non-number is a usage error (exit 2)" -- rc_is 2 cachet decompress -i text.txt.p7z -o x.out --max-size 12k
ok "a SignedData is not CompressedData: exit 3" -- \
	eval "sign_as alice sd.p7m -i hello.txt && rc_is 3 cachet decompress -i sd.p7m -o sd.out 2>sd.err && stderr_has sd.err CACHET_E_UNSUPPORTED_CONTENT && [ ! -e sd.out ]"
ok "compress --content-type that is no OID: exit 2, no output" -- \
	eval "rc_is 2 cachet compress -i hello.txt -o ct.out --content-type 1.2.x 2>/dev/null && [ ! -e ct.out ] && no_temp_left ."
ok "compress --format other: exit 2" -- rc_is 2 cachet compress -i hello.txt -o f.out --format ber
ok "compress of a missing input: exit 4, no output" -- \
	eval "rc_is 4 cachet compress -i no-such-file -o miss.out 2>/dev/null && [ ! -e miss.out ]"
ok "decompress without -o: exit 2" -- rc_is 2 cachet decompress -i hello.txt.p7z
ok "compress --help exits 0" -- cachet compress --help
ok "decompress --help exits 0" -- cachet decompress --help

# ---------------------------------------------------------------- 64 MiB in flat memory
if ! "$GNU_TIME" -f %M -o /dev/null true 2>/dev/null; then
	tap_result 1 "GNU time is installed as $GNU_TIME (Debian package: time)"
	done_testing
fi
head -c $((64 << 20)) /dev/urandom >big.bin
head -c $((1 << 20)) /dev/urandom >small.bin
rss() { tail -n1 "$1" 2>/dev/null; }
for s in small big; do
	"$GNU_TIME" -f %M -o rss.c.$s "$CACHET" compress -i $s.bin -o $s.p7z
	echo $? >rc.c.$s
	"$GNU_TIME" -f %M -o rss.d.$s "$CACHET" decompress -i $s.p7z -o $s.out --max-size 0
	echo $? >rc.d.$s
done
for op in c d; do
	what=$([ $op = c ] && echo compress || echo decompress)
	s=$(rss rss.$op.small) b=$(rss rss.$op.big)
	diag "$what: peak RSS ${s:-?} KiB for 1 MiB, ${b:-?} KiB for 64 MiB"
	ok "$what 64 MiB exits 0" -- test "$(cat rc.$op.big)" = 0
	ok "$what: peak RSS for 64 MiB (${b:-?} KiB) is under 32 MiB" -- test "${b:-999999999}" -lt $((32 * 1024))
	ok "$what: peak RSS for 64 MiB is within 4 MiB of 1 MiB's (${b:-?} vs ${s:-?} KiB)" -- \
		test $(( ${b:-999999999} - ${s:-0} )) -le 4096 -a $(( ${s:-999999999} - ${b:-0} )) -le 4096
done
ok "the 64 MiB content comes back intact" -- cmp big.bin big.out
rm -f big.bin big.out big.p7z
# A bomb: 64 MiB of zeros in about 64 KiB stops at --max-size.
head -c $((64 << 20)) /dev/zero | "$CACHET" compress -i - -o bomb.p7z
ok "64 MiB of zeros compress to under 128 KiB" -- test "$(stat -c %s bomb.p7z)" -lt 131072
"$GNU_TIME" -f %M -o rss.bomb "$CACHET" decompress -i bomb.p7z -o bomb.out --max-size 1048576 2>bomb.err
rc=$?
ok "the bomb stops at --max-size 1 MiB (exit 3, CACHET_E_SIZE_LIMIT, no output)" -- \
	eval "[ $rc -eq 3 ] && stderr_has bomb.err CACHET_E_SIZE_LIMIT && [ ! -e bomb.out ]"
ok "the default bound (1 GiB) lets the 64 MiB of zeros through" -- \
	eval "cachet decompress -i bomb.p7z -o bomb2.out && [ \$(stat -c %s bomb2.out) -eq $((64 << 20)) ]"
done_testing
