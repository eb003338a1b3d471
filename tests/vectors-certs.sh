#!/bin/bash
# vectors-certs.sh -- `cachet certs --extract` on the third-party vectors
# (CACHET_VECTORS): every manifest row of kind `certsonly`, and every
# `signed` one in DER or PEM, gives exactly the certificates an independent
# tool finds in it (compared as sets of SHA-256 fingerprints: Cachet keeps
# a repeated certificate once).  The oracle is the first of
# `openssl cms -certsout`, `openssl pkcs7 -print_certs` and
# `certtool --p7-info` that reads the vector; where none does, the
# extraction must succeed and every certificate must load in openssl.
# Where the manifest states a count ("(N certs)"), it must match too.
# A missing vectors directory or tool is a failure, not a skip.
. "$(dirname "$0")/cli-lib.sh"

require openssl certtool python3

V=${CACHET_VECTORS:-}
if [ -z "$V" ] || [ ! -f "$V/manifest.tsv" ]; then
	tap_result 1 "the vectors directory is there (CACHET_VECTORS='$V')"
	done_testing
fi

# Vectors Cachet refuses on purpose, with the exit status and code it
# gives: the same verdict tests/vectors-signed.tsv records for them.
declare -A refused=(
	["openssl/misc/pkcs7-1.pem"]="3 CACHET_E_TRAILING_DATA"
)

# fprs FILE: sorted unique SHA-256 fingerprints of the PEM CERTIFICATE
# blocks in FILE.
fprs()
{
	python3 -c '
import base64, hashlib, re, sys
data = open(sys.argv[1], "rb").read()
for b in sorted({hashlib.sha256(base64.b64decode(b"".join(m.split()))).hexdigest()
                 for m in re.findall(rb"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", data, re.S)}):
    print(b)' "$1"
}

# oracle IN INFORM OUT: the certificates of IN as PEM in OUT; fails when
# no tool reads IN.
oracle()
{
	local in=$1 inf=$2 out=$3
	rm -f "$out"
	openssl cms -cmsout -inform "$inf" -in "$in" -certsout "$out" -noout >/dev/null 2>&1 &&
		{ [ -f "$out" ] || : >"$out"; } && { echo "openssl cms"; return 0; }
	openssl pkcs7 -inform "$inf" -in "$in" -print_certs -out "$out" >/dev/null 2>&1 &&
		{ echo "openssl pkcs7"; return 0; }
	local der=()
	[ "$inf" = DER ] && der=(--inder)
	certtool --p7-info "${der[@]}" --infile "$in" >"$out" 2>/dev/null &&
		grep -q 'Number of certificates' "$out" && { echo "certtool"; return 0; }
	return 1
}

nrows=0
while IFS=$'\t' read -r path source kind format algs with expected result; do
	case $kind in certsonly | signed) ;; *) continue ;; esac
	case $format in der) inf=DER ;; pem) inf=PEM ;; *) continue ;; esac
	nrows=$((nrows + 1))
	in="$V/$path"
	# A vector of bare, indented base64 without armour (the manifest's
	# "no PEM armour") is decoded first, as OpenSSL's own test does.
	if [[ $algs == *"no PEM armour"* ]]; then
		grep -v -- '-----' "$in" | base64 -d -i >bare.der 2>/dev/null
		in=$TMP/bare.der
		inf=DER
	fi
	if [ -n "${refused[$path]:-}" ]; then
		read -r want_rc want_code <<<"${refused[$path]}"
		rm -f c.pem
		"$CACHET" certs --extract -i "$in" -o c.pem 2>err.txt
		rc=$?
		[ $rc -eq "$want_rc" ] && stderr_has err.txt "$want_code" && [ ! -e c.pem ]
		tap_result $? "$path: refused with exit $want_rc and $want_code"
		continue
	fi
	rm -f c.pem
	"$CACHET" certs --extract -i "$in" -o c.pem 2>err.txt
	rc=$?
	[ -f c.pem ] || : >c.pem
	if [ $rc -ne 0 ]; then
		tap_result 1 "$path ($kind): cachet certs --extract exit $rc"
		diag_file err.txt 4
		continue
	fi
	fprs c.pem >got.txt
	if tool=$(oracle "$in" "$inf" o.pem); then
		fprs o.pem >want.txt
		cmp -s want.txt got.txt
		tap_result $? "$path ($kind): $(wc -l <got.txt) certificates, as $tool finds"
		cmp -s want.txt got.txt || diag "want:" "$(cat want.txt)" "got:" "$(cat got.txt)"
	else
		# No tool reads it: each extracted certificate must still load.
		st=0
		python3 -c '
import re, sys
d = open(sys.argv[1]).read()
for i, b in enumerate(re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", d, re.S)):
    open("one-%d.pem" % i, "w").write(b + "\n")' c.pem
		for f in one-*.pem; do
			[ -e "$f" ] || continue
			openssl x509 -in "$f" -noout 2>/dev/null || st=1
		done
		rm -f one-*.pem
		tap_result $st "$path ($kind): $(wc -l <got.txt) certificates load in openssl (no tool reads the message)"
	fi
	# The manifest's own count, where it states one.
	if [[ $result =~ \(([0-9]+)\ certs?[:\)] ]]; then
		[ "$(wc -l <got.txt)" -eq "${BASH_REMATCH[1]}" ]
		tap_result $? "$path: the manifest's count (${BASH_REMATCH[1]})"
	fi
done < <(tail -n +2 "$V/manifest.tsv")

[ "$nrows" -gt 0 ]
tap_result $? "the manifest has SignedData rows ($nrows)"
done_testing
