#!/bin/bash
# interop-gpgsm.sh -- SignedData and EnvelopedData both ways between cachet
# and GnuPG's gpgsm, at the CMS level:
#   - what cachet signs, `gpgsm --verify` accepts (GOODSIG and VALIDSIG
#     with the signer's fingerprint in its status output), and a tampered
#     copy it rejects (BADSIG);
#   - what `gpgsm --sign` makes (opaque and detached, DER and armoured),
#     `cachet verify --trust root-ca` accepts, naming the signer, and
#     rejects once tampered;
#   - what cachet encrypts, `gpgsm --decrypt` decrypts to the same bytes;
#   - what `gpgsm --encrypt` makes, `cachet decrypt` decrypts to the same
#     bytes.
# Contents: empty, a short text with CR LF and 1 MiB of random bytes.
#
# gpgsm runs in a throwaway home (GNUPGHOME under the test's temporary
# directory): its gpg-agent allows loopback pinentry, every gpgsm call
# gets the passphrase on a file descriptor, CRL and OCSP checks and
# dirmngr are off, the test root is trusted through trustlist.txt, and the
# certificates and the keys of alice and bob are imported from PKCS #12
# files made here (`openssl pkcs12 -export` with the legacy 3DES/SHA-1
# protection: gpgsm 2.2 cannot read OpenSSL 3's default PBES2 with
# hmacWithSHA256).  The agent is killed and the home removed on exit.
#
# What gpgsm cannot do is not counted as a pass and not skipped quietly:
# the case still runs, and when gpgsm fails with the error it is known to
# give for the missing feature, a TAP comment "peer lacks feature: ..."
# quotes that error; any other failure is a failed test point, and a
# gpgsm that does it is a passed one.  gpgsm 2.2.40 (Debian 12) lacks:
#   - AuthEnvelopedData / AES-GCM: "error getting IV: Buffer too short";
#   - RSAES-OAEP: "error getting encrypted session key";
#   - a subjectKeyIdentifier recipient (cachet --skid): "recp 0 - error
#     getting info: General error";
#   - signing an empty content opaquely: "cannot sign an empty message";
#   - ECDH (KeyAgreeRecipientInfo): refuses to encrypt to a keyAgreement
#     certificate ("Wrong key usage") and cannot decrypt one ("Invalid
#     session key");
#   - PKCS #12 import of EC keys: gpgsm segfaults.  carol's and dave's
#     keys go to the agent as gpg-agent S-expression files instead, so
#     ECDSA signing is still tested both ways.
# gpgsm's ECDSA signatures carry NULL parameters in signatureAlgorithm,
# which RFC 5754 section 3.3 forbids.  The field is not signed, so cachet
# accepts them and reports the deviation as an informational check
# (signature-algorithm-parameters, doc/design.md); the test expects that
# check exactly when the NULL is there (looked up in the DER), and openssl
# must verify the same message too.
#
# gpgsm-made third-party vectors (CACHET_VECTORS/gnupg-gpgsm) are run by
# tests/vectors.sh and tests/vectors-enveloped.sh; here only a check that
# every one of them that is a message has a row there.
#
# Extending to S/MIME (.eml): the per-format helpers (mk_sig, gs_verify,
# cachet_check) take a FORMAT word (der, pem); an "eml" format is a new
# branch in each, and a row in the tables below.
#
# Under ASan (CACHET_UNDER_ASAN) nothing changes: only cachet is
# instrumented, gpgsm and gpg-agent are the system's.
. "$(dirname "$0")/cli-lib.sh"

require gpgsm gpg-agent gpgconf openssl python3

. "$_cli_here/gpgsm-lib.sh"

diag "$(gpgsm --version | head -1); $(gpgsm --version | sed -n 's/^libksba/libksba/p')"

# fpr USER: the SHA-1 fingerprint of USER's certificate, as gpgsm prints it.
fpr() { openssl x509 -in "$PKI/$1.crt.pem" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g'; }

# ---------------------------------------------------------------- the gpgsm home
ok "gpgsm home: gpg-agent starts for it" -- \
	gpgconf --homedir "$GNUPGHOME" --launch gpg-agent
ok "gpgsm home: import the test root and intermediate CA" -- \
	gs --import "$PKI/root-ca.crt.pem" "$PKI/int-ca.crt.pem"
ok "gpgsm home: trust the test root (trustlist.txt, flag S)" -- \
	eval 'printf "%s S\n" "$(fpr root-ca)" >"$GNUPGHOME/trustlist.txt"'
for u in alice bob carol dave; do
	ok "gpgsm home: import $u's certificate" -- gs --import "$PKI/$u.crt.pem"
done
ok "gpgsm home: the certificates validate against the trusted root" -- \
	eval 'gpgsm --batch --with-validation -k alice@example.org carol@example.org >val.txt 2>&1 &&
		[ "$(grep -c "certificate is good" val.txt)" -ge 2 ] && ! grep -q "not trusted" val.txt'

# has_secret USER: the agent holds USER's key.
has_secret() { gpgsm --batch -K "$1@example.org" 2>/dev/null | grep -qi "Subject: .*CN=$1/" ; }
for u in alice bob; do
	ok "gpgsm home: import $u's key (openssl pkcs12 -export | gpgsm --import)" -- \
		eval 'gs_import_key $u && has_secret $u'
done

# ec_agent_key USER: put USER's EC key into the agent as an unprotected
# S-expression file (private-keys-v1.d/KEYGRIP.key).
ec_agent_key()
{
	local grip
	grip=$(gpgsm --batch --with-colons --with-keygrip -k "$1@example.org" | awk -F: '$1 == "grp" { print $10; exit }')
	[ -n "$grip" ] || return 1
	mkdir -p "$GNUPGHOME/private-keys-v1.d"
	openssl pkey -in "$PKI/$1.key.pem" -noout -text | python3 -c '
import re, sys
t = sys.stdin.read()
def blk(name):
    m = re.search(r"^%s:\s*\n((?:[ \t]+[0-9a-f:]+\n)+)" % name, t, re.M)
    return bytes.fromhex(re.sub(r"[\s:]", "", m.group(1)))
curve = {"prime256v1": "NIST P-256", "secp384r1": "NIST P-384",
         "secp521r1": "NIST P-521"}[re.search(r"ASN1 OID: (\S+)", t).group(1)]
def a(b): return b"%d:" % len(b) + b
sys.stdout.buffer.write(b"(" + a(b"private-key") + b"(" + a(b"ecc") +
    b"(" + a(b"curve") + a(curve.encode()) + b")(" + a(b"q") + a(blk("pub")) +
    b")(" + a(b"d") + a(blk("priv")) + b")))")
' >"$GNUPGHOME/private-keys-v1.d/$grip.key"
}
for u in carol dave; do
	peer_case "gpgsm home: import $u's EC key from PKCS #12" \
		'Segmentation fault|error parsing or decrypting the PKCS#12' \
		eval 'mk_p12 $u && gs --import $u.p12 && has_secret $u'
	has_secret $u ||
		ok "gpgsm home: $u's EC key as a gpg-agent key file instead" -- \
			eval 'ec_agent_key $u && has_secret $u'
done

# ---------------------------------------------------------------- contents
printf 'Interop with gpgsm\r\nline two\r\n' >m.txt
: >m0.bin
python3 -c 'import os, sys; sys.stdout.buffer.write(os.urandom(1048576))' >m1M.bin
CONTENTS="m0.bin m.txt m1M.bin"
size() { wc -c <"$1" | tr -d ' '; }

# tamper FILE NEEDLE-FILE: flip a bit of the first occurrence of the first
# 8 octets of NEEDLE-FILE in FILE (the encapsulated content).
tamper()
{
	python3 - "$1" "$2" <<'EOF'
import sys
buf = bytearray(open(sys.argv[1], "rb").read())
needle = open(sys.argv[2], "rb").read()[:8]
i = buf.find(needle)
if not needle or i < 0:
    sys.exit("content not found")
buf[i + 3] ^= 0x01
open(sys.argv[1], "wb").write(buf)
EOF
}

# ---------------------------------------------------------------- cachet signs -> gpgsm verifies
# gs_verify FORMAT MSG CONTENT|- USER: gpgsm --verify succeeds with GOODSIG
# and VALIDSIG for USER; an encapsulated content comes out as gs.out.
gs_verify()
{
	local fmt=$1 msg=$2 content=$3 u=$4 f
	f=$(fpr "$u")
	rm -f gs.out
	case $fmt in
	der | pem) ;;
	*) echo "unknown format $fmt" >&2; return 1 ;;
	esac
	if [ "$content" = - ]; then
		gs -o gs.out --verify "$msg" || return 1
	else
		gs --verify "$msg" "$content" || return 1
	fi
	cat gs.status
	grep -q "^\[GNUPG:\] GOODSIG $f " gs.status &&
		grep -q "^\[GNUPG:\] VALIDSIG $f " gs.status &&
		! grep -q "^\[GNUPG:\] BADSIG" gs.status
}
# gs_rejects MSG CONTENT|-: gpgsm --verify fails with BADSIG, no GOODSIG.
gs_rejects()
{
	if [ "$2" = - ]; then
		gs -o /dev/null --verify "$1" && return 1
	else
		gs --verify "$1" "$2" && return 1
	fi
	cat gs.status
	grep -q "^\[GNUPG:\] BADSIG" gs.status && ! grep -q "^\[GNUPG:\] GOODSIG" gs.status
}

# user|cachet sign options|format
while IFS='|' read -r u sopts fmt; do
	[ -n "$u" ] || continue
	read -r -a so <<<"$sopts"
	for c in $CONTENTS; do
		for mode in encapsulated detached; do
			name="cachet $u ${sopts:+${sopts//$PKI\//} }$fmt $mode, $(size $c) octets"
			dflag=()
			[ $mode = detached ] && dflag=(--detached)
			rm -f c.sig
			ok "$name: cachet sign --format der --chain" -- \
				"$CACHET" sign --format der -i "$c" -o c.sig --signer "$PKI/$u.crt.pem" \
				--chain "$CHAIN" --format "$fmt" "${so[@]}" "${dflag[@]}" || continue
			if [ $mode = detached ]; then
				ok "$name: gpgsm --verify: GOODSIG, VALIDSIG" -- gs_verify "$fmt" c.sig "$c" "$u"
			else
				ok "$name: gpgsm --verify: GOODSIG, VALIDSIG, same content" -- \
					eval 'gs_verify "$fmt" c.sig - "$u" && cmp "$c" gs.out'
			fi
			# Tampering: the detached content, or the encapsulated one.
			[ "$c" = m.txt ] || continue
			if [ $mode = detached ]; then
				ok "$name: gpgsm rejects a tampered content (BADSIG)" -- \
					eval 'cp m.txt t.txt && tamper t.txt m.txt && gs_rejects c.sig t.txt'
			elif [ "$fmt" = der ]; then
				ok "$name: gpgsm rejects a tampered message (BADSIG)" -- \
					eval 'cp c.sig t.sig && tamper t.sig m.txt && gs_rejects t.sig -'
			fi
		done
	done
done <<EOF
alice|--key $PKI/alice.key.pem --digest sha256|der
alice|--key $PKI/alice.key.pem --digest sha256|pem
alice|--key $PKI/alice.key.p8enc.pem --pass alice-test-pass --digest sha256|der
bob|--key $PKI/bob.key.pem --digest sha512|der
carol|--key $PKI/carol.key.pem --digest sha256|der
dave|--key $PKI/dave.key.pem --digest sha384|der
EOF
rm -f c.sig
ok "cachet alice --pss detached: gpgsm --verify: GOODSIG, VALIDSIG" -- \
	eval '"$CACHET" sign --format der -i m.txt -o c.sig --detached --signer "$PKI/alice.crt.pem" --key "$PKI/alice.key.pem" --pss --chain "$CHAIN" &&
		gs_verify der c.sig m.txt alice'

# ---------------------------------------------------------------- gpgsm signs -> cachet verifies
# cachet_check MSG CONTENT|- USER WANT ORIG: cachet verify --json against
# the test root; WANT is valid (with USER named as signer 0 and, for an
# encapsulated content, ORIG out as c.out) or CODE/EXIT: the CACHET_E_*
# code of the report and signer 0, and the exit status (no content out).
cachet_check()
{
	local msg=$1 content=$2 u=$3 want=$4 orig=$5 rc=0 ca=()
	[ "$content" = - ] || ca=(--content "$content")
	[ "$want" = valid ] || rc=${want#*/}
	rm -f c.out
	verify_json v.json $rc -i "$msg" "${ca[@]}" -o c.out --trust "$ROOT" || return 1
	if [ "$want" = valid ]; then
		report_is v.json result valid &&
			report_is v.json signer:0:identity "CN=${u^},O=Cachet Test <$u@example.org>" || return 1
		[ "$content" != - ] || cmp "$orig" c.out
	else
		report_is v.json code "${want%/*}" && report_is v.json signer:0:code "${want%/*}" &&
			report_is v.json signer:0:identity "CN=${u^},O=Cachet Test <$u@example.org>" && [ ! -e c.out ]
	fi
}
# ossl_verify MSG CONTENT|-: openssl cms -verify against the test root.
ossl_verify()
{
	local ca=()
	[ "$2" = - ] || ca=(-content "$2")
	openssl cms -verify -binary -inform DER -in "$1" "${ca[@]}" -CAfile "$ROOT" -out /dev/null
}
# null_reported MSG CONTENT|- yes|no: cachet's report has the
# signature-algorithm-parameters finding (yes) or not (no).
null_reported()
{
	local ca=() found=no
	[ "$2" = - ] || ca=(--content "$2")
	"$CACHET" verify -i "$1" "${ca[@]}" --trust "$ROOT" >nr.out 2>&1 || true
	grep -q 'signature-algorithm-parameters' nr.out && found=yes
	[ "$found" = "$3" ]
}
# ecdsa_null MSG: the last ecdsa-with-SHA* AlgorithmIdentifier in the DER
# (the SignerInfo's signatureAlgorithm) has NULL parameters.
ecdsa_null()
{
	python3 - "$1" <<'EOF'
import sys
buf = open(sys.argv[1], "rb").read()
oid = bytes.fromhex("06082a8648ce3d0403")
i = buf.rfind(oid)
sys.exit(0 if i >= 0 and buf[i + len(oid) + 1:i + len(oid) + 3] == b"\x05\x00" else 1)
EOF
}

# user|gpgsm options|format
while IFS='|' read -r u gopts fmt; do
	[ -n "$u" ] || continue
	read -r -a go <<<"$gopts"
	aflag=()
	[ "$fmt" = pem ] && aflag=(--armor)
	for m in $CONTENTS; do
		for mode in opaque detached; do
			name="gpgsm -u $u ${gopts:+$gopts }$fmt $mode, $(size $m) octets"
			dflag=()
			[ $mode = detached ] && dflag=(--detach-sign)
			rm -f g.sig
			if [ ! -s "$m" ] && [ $mode = opaque ]; then
				peer_case "$name: gpgsm --sign" 'cannot sign an empty message' \
					gs -u "$u@example.org" "${go[@]}" "${aflag[@]}" -o g.sig --sign "$m"
				grep -q 'cannot sign an empty message' gs.err && continue
			else
				ok "$name: gpgsm --sign" -- \
					gs -u "$u@example.org" "${go[@]}" "${aflag[@]}" "${dflag[@]}" -o g.sig --sign "$m" ||
					continue
			fi
			content=-
			[ $mode = detached ] && content=$m
			want=valid
			case $u in carol | dave)
				null=no
				ecdsa_null g.sig && null=yes
				[ "$null" = yes ] && [ "$m" = m.txt ] &&
					diag "peer deviation: $name: signatureAlgorithm ecdsa-with-SHA* with NULL parameters (RFC 5754 section 3.3: MUST omit)"
				ok "$name: cachet reports NULL signatureAlgorithm parameters exactly when present ($null)" -- \
					null_reported g.sig "$content" "$null"
				[ "$m" = m.txt ] &&
					ok "$name: openssl cms -verify accepts it" -- ossl_verify g.sig "$content"
				;;
			esac
			ok "$name: cachet verify: ${want/#valid/valid, signer $u}" -- cachet_check g.sig "$content" "$u" "$want" "$m"
			[ "$m" = m.txt ] && [ "$want" = valid ] || continue
			if [ $mode = detached ]; then
				ok "$name: cachet rejects a tampered content (CACHET_E_DIGEST_MISMATCH)" -- \
					eval 'cp m.txt t.txt && tamper t.txt m.txt && cachet_check g.sig t.txt "$u" CACHET_E_DIGEST_MISMATCH/1 m.txt'
			elif [ "$fmt" = der ]; then
				ok "$name: cachet rejects a tampered message (CACHET_E_DIGEST_MISMATCH)" -- \
					eval 'cp g.sig t.sig && tamper t.sig m.txt && cachet_check t.sig - "$u" CACHET_E_DIGEST_MISMATCH/1 m.txt'
			fi
		done
	done
done <<EOF
alice||der
alice|--digest-algo sha256|der
alice|--digest-algo sha256|pem
bob|--digest-algo sha512|der
carol|--digest-algo sha256|der
dave||der
EOF

# ---------------------------------------------------------------- cachet encrypts -> gpgsm decrypts
# gs_dec CONTENT: gpgsm --decrypt c.enc gives CONTENT.
gs_dec()
{
	rm -f gs.out
	gs -o gs.out --decrypt c.enc && grep -q "^\[GNUPG:\] DECRYPTION_OKAY" gs.status && cmp "$1" gs.out
}
for c in $CONTENTS; do
	for cipher in aes-128-cbc aes-192-cbc aes-256-cbc; do
		name="cachet to bob, RSA v1.5, $cipher, $(size $c) octets"
		rm -f c.enc
		ok "$name: cachet encrypt" -- \
			"$CACHET" encrypt --format der -i "$c" -o c.enc --to "$PKI/bob.crt.pem" --cipher $cipher &&
			ok "$name: gpgsm --decrypt gives the same bytes" -- gs_dec "$c"
	done
done
rm -f c.enc
ok "cachet to alice and bob, PEM, AES-256-CBC: encrypt" -- \
	"$CACHET" encrypt --format der -i m.txt -o c.enc --to "$PKI/alice.crt.pem" --to "$PKI/bob.crt.pem" --cipher aes-256-cbc --format pem &&
	ok "cachet to alice and bob, PEM, AES-256-CBC: gpgsm --decrypt gives the same bytes" -- gs_dec m.txt
rm -f c.enc
ok "cachet to bob, --skid, AES-128-CBC: encrypt" -- \
	"$CACHET" encrypt --format der -i m.txt -o c.enc --to "$PKI/bob.crt.pem" --skid --cipher aes-128-cbc &&
	peer_case "cachet to bob, --skid (subjectKeyIdentifier rid): gpgsm --decrypt gives the same bytes" \
		'error getting info: General error' gs_dec m.txt

# What gpgsm 2.2 may lack; cachet's own message is checked first (cachet
# and openssl decrypt it), so a gpgsm failure is the peer's.
# name|cachet encrypt options|user|pattern of gpgsm's known error
while IFS='|' read -r name eopts u pat; do
	[ -n "$name" ] || continue
	read -r -a eo <<<"$eopts"
	rm -f c.enc
	ok "$name: cachet encrypt" -- "$CACHET" encrypt --format der -i m.txt -o c.enc --to "$PKI/$u.crt.pem" "${eo[@]}" || continue
	ok "$name: cachet and openssl decrypt it (control)" -- \
		eval '"$CACHET" decrypt -i c.enc -o self.out --cert "$PKI/$u.crt.pem" --key "$PKI/$u.key.pem" && cmp m.txt self.out &&
			openssl cms -decrypt -binary -inform DER -in c.enc -recip "$PKI/$u.crt.pem" -inkey "$PKI/$u.key.pem" -out o.out && cmp m.txt o.out'
	peer_case "$name: gpgsm --decrypt gives the same bytes" "$pat" gs_dec m.txt
done <<EOF
cachet to bob, AuthEnvelopedData AES-128-GCM|--cipher aes-128-gcm|bob|error getting IV|Buffer too short
cachet to bob, AuthEnvelopedData AES-256-GCM|--cipher aes-256-gcm|bob|error getting IV|Buffer too short
cachet to bob, RSAES-OAEP, AES-128-CBC|--oaep --cipher aes-128-cbc|bob|error getting encrypted session key
cachet to carol, ECDH P-256, AES-128-CBC|--cipher aes-128-cbc|carol|Invalid session key|should not have been used for encryption
cachet to dave, ECDH P-384, AES-256-CBC|--cipher aes-256-cbc|dave|Invalid session key|should not have been used for encryption
EOF

# ---------------------------------------------------------------- gpgsm encrypts -> cachet decrypts
# cachet_dec USER CONTENT [OPTIONS]: cachet decrypts g.enc with USER's key to CONTENT.
cachet_dec()
{
	local u=$1 c=$2
	shift 2
	rm -f c.out
	"$CACHET" decrypt -i g.enc -o c.out --cert "$PKI/$u.crt.pem" --key "$PKI/$u.key.pem" "$@" &&
		cmp "$c" c.out
}
# name|gpgsm options|content cipher cachet -v names
while IFS='|' read -r name gopts want; do
	[ -n "$name" ] || continue
	read -r -a go <<<"$gopts"
	for c in $CONTENTS; do
		rm -f g.enc
		ok "gpgsm -r bob $name, $(size $c) octets: gpgsm --encrypt" -- \
			gs "${go[@]}" -r bob@example.org -o g.enc --encrypt "$c" &&
			ok "gpgsm -r bob $name, $(size $c) octets: cachet decrypt gives the same bytes" -- cachet_dec bob "$c"
	done
	ok "gpgsm -r bob $name: cachet -v names $want" -- \
		eval '"$CACHET" decrypt -v -i g.enc -o c.out --cert "$PKI/bob.crt.pem" --key "$PKI/bob.key.pem" 2>v.txt && grep -qi "content encryption: *$want" v.txt'
done <<EOF
(default cipher)||aes128-CBC
--cipher-algo AES192|--cipher-algo AES192|aes192-CBC
--cipher-algo AES256|--cipher-algo AES256|aes256-CBC
EOF
rm -f g.enc
ok "gpgsm -r alice -r bob --armor: gpgsm --encrypt" -- \
	gs --armor -r alice@example.org -r bob@example.org -o g.enc --encrypt m.txt &&
	ok "gpgsm -r alice -r bob --armor: cachet decrypts with alice's and with bob's key" -- \
		eval 'cachet_dec alice m.txt && cachet_dec bob m.txt'
ok "gpgsm -r alice -r bob: cachet with carol's key fails with exit 1 and no output" -- \
	eval 'rm -f c.out; rc_is 1 "$CACHET" decrypt -i g.enc -o c.out --cert "$PKI/carol.crt.pem" --key "$PKI/carol.key.pem" && [ ! -e c.out ]'
rm -f g.enc
ok "gpgsm -r bob --cipher-algo 3DES: gpgsm --encrypt" -- \
	gs --cipher-algo 3DES -r bob@example.org -o g.enc --encrypt m.txt &&
	ok "gpgsm -r bob --cipher-algo 3DES: cachet refuses it (CACHET_E_WEAK_ALGORITHM), decrypts it with --legacy" -- \
		eval 'rm -f c.out; rc_is 1 "$CACHET" decrypt -i g.enc -o c.out --cert "$PKI/bob.crt.pem" --key "$PKI/bob.key.pem" 2>e.txt &&
			[ ! -e c.out ] && stderr_has e.txt CACHET_E_WEAK_ALGORITHM && cachet_dec bob m.txt --legacy'
rm -f g.enc
peer_case "gpgsm -r carol (ECDH P-256): cachet decrypt gives the same bytes" \
	'Wrong key usage|not usable for encryption' \
	eval 'gs -r carol@example.org -o g.enc --encrypt m.txt && cachet_dec carol m.txt'

# ---------------------------------------------------------------- gpgsm-made third-party vectors
# Run by tests/vectors.sh and tests/vectors-enveloped.sh; every one that
# is a message must have a row there (a missing vectors directory is a
# failure, as in those scripts).
VEC=${CACHET_VECTORS:-$top_srcdir/../shared/vectors}
ok "third-party vectors: $VEC/manifest.tsv is there" -- test -f "$VEC/manifest.tsv" &&
	while IFS=$'\t' read -r path _ kind _; do
		case $path in gnupg-gpgsm/*) ;; *) continue ;; esac
		case $kind in
		signed) tab=vectors-signed.tsv ;;
		enveloped | authenveloped | encrypted) tab=vectors-enveloped.tsv ;;
		*) continue ;;
		esac
		ok "third-party vector $path ($kind): has a row in tests/$tab" -- \
			eval 'cut -f1 "$top_srcdir/tests/$tab" | grep -qxF "$path"'
	done <"$VEC/manifest.tsv"

[ "$_lacks" -eq 0 ] || diag "$_lacks case(s): peer lacks feature (not counted as passes)"
ok "gpgsm home: gpgconf --kill all stops its agent" -- \
	gpgconf --homedir "$GNUPGHOME" --kill all
done_testing
