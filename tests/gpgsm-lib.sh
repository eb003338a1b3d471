# gpgsm-lib.sh -- sourced after cli-lib.sh by the tests that talk to GnuPG's
# gpgsm (tests/interop-gpgsm.sh, tests/interop-smime-*.sh): a throwaway
# GNUPGHOME under the test's temporary directory, set up to run unattended
# (loopback pinentry with the passphrase on fd 3, status lines on fd 4,
# CRL/OCSP checks and dirmngr off), killed and removed on exit.
# shellcheck shell=bash

GNUPGHOME=$(mktemp -d "$TMP/gnupg.XXXXXX") || {
	echo "Bail out! cannot create GNUPGHOME"
	exit 99
}
export GNUPGHOME
trap 'gpgconf --homedir "$GNUPGHOME" --kill all >/dev/null 2>&1; rm -rf "$TMP"' EXIT
chmod 700 "$GNUPGHOME"
P12PASS=p12-pass
printf '%s\n' "$P12PASS" >"$TMP/pass"
printf 'allow-loopback-pinentry\n' >"$GNUPGHOME/gpg-agent.conf"
printf 'disable-crl-checks\ndisable-ocsp\ndisable-dirmngr\n' >"$GNUPGHOME/gpgsm.conf"

# gs ARGS...: gpgsm, unattended; its status lines go to gs.status, its
# messages to gs.err (and the test log).
gs()
{
	gpgsm --homedir "$GNUPGHOME" --batch --no-tty --pinentry-mode loopback \
		--passphrase-fd 3 --disable-crl-checks --disable-dirmngr \
		--status-fd 4 "$@" 3<"$TMP/pass" 4>"$TMP/gs.status" 2>"$TMP/gs.err"
	local rc=$?
	cat "$TMP/gs.err" >&2
	return $rc
}

_lacks=0
# peer_case NAME PATTERN COMMAND...: a case the peer may lack.  COMMAND
# passing is a passed test point; failing with PATTERN (an ERE) in the
# peer's messages or status is "peer lacks feature: NAME" with that
# evidence, neither a pass nor a silent skip; any other failure is a
# failed test point.
peer_case()
{
	local name=$1 pat=$2
	shift 2
	rm -f "$TMP/gs.err" "$TMP/gs.status"
	"$@" >"$TMP/_log" 2>&1
	local st=$?
	if [ $st -eq 0 ]; then
		tap_result 0 "$name"
	elif cat "$TMP/_log" "$TMP/gs.err" "$TMP/gs.status" 2>/dev/null | grep -Eq "$pat"; then
		_lacks=$((_lacks + 1))
		diag "peer lacks feature: $name -- the peer says:"
		cat "$TMP/_log" "$TMP/gs.err" "$TMP/gs.status" 2>/dev/null | grep -E "$pat" | head -3 |
			while IFS= read -r l; do diag "    $l"; done
	else
		tap_result 1 "$name"
		diag_file "$TMP/_log"
	fi
}

# mk_p12 USER: USER's certificate and key as a PKCS #12 file gpgsm 2.2
# reads (the legacy 3DES/SHA-1 form), USER.p12.
mk_p12()
{
	openssl pkcs12 -export -in "$PKI/$1.crt.pem" -inkey "$PKI/$1.key.pem" -name "$1" \
		-keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 \
		-passout "pass:$P12PASS" -out "$1.p12"
}

# gs_import_key USER: import USER's key into the gpgsm home through a
# PKCS #12 file.  gpgsm 2.2.40's PKCS #12 reader fails on some files
# openssl makes ("data error at shrouded_key_bag.decrypted-text"), which
# one depends on the random salt and IV: a fresh file is tried, up to
# five, and a retry is said in a TAP comment.  An RSA key only (gpgsm
# 2.2 reads no EC key from PKCS #12).
gs_import_key()
{
	local n
	for n in 1 2 3 4 5; do
		mk_p12 "$1" && gs --import "$1.p12" && return 0
		diag "gpgsm refused $1's PKCS #12 file (attempt $n): $(grep -m1 'data error\|error parsing' "$TMP/gs.err")"
	done
	return 1
}
