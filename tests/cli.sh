#!/bin/bash
# cli.sh -- round trips through `cachet sign` and `cachet verify` for every
# key type of the test PKI, and the command-line contract: options, exit
# statuses, JSON report fields, stdin/stdout, encrypted keys, and atomic
# output files.
. "$(dirname "$0")/cli-lib.sh"

require python3

# Content with CR LF, NUL and high bytes, so any rewriting shows.
printf 'Content-Type: text/plain\r\n\r\nCachet CLI test \000\001\377 line\r\n' >in.txt

# ---------------------------------------------------------------- helpers

# stdout_matches REGEX COMMAND...: COMMAND exits 0 and a stdout line
# matches REGEX (extended).
stdout_matches()
{
	local re=$1
	shift
	"$@" >_out || return 1
	grep -Eq -- "$re" _out
}

# valid_report JSON SIGALG DIGEST DETACHED(true|false) [NSIGNERS]
valid_report()
{
	python3 - "$@" <<'EOF'
import json, sys
path, sigalg, digest, detached = sys.argv[1:5]
n = int(sys.argv[5]) if len(sys.argv) > 5 else 1
r = json.load(open(path))
assert r["result"] == "valid" and r["code"] is None, (r["result"], r["code"])
assert r["detached"] == (detached == "true"), r["detached"]
s = r["signers"]
assert len(s) == n, len(s)
for x in s:
    assert x["verdict"] == "valid" and x["code"] is None, x["verdict"]
    assert all(c["status"] != "fail" for c in x["checks"])
if n == 1:
    assert s[0]["signatureAlgorithm"] == sigalg, s[0]["signatureAlgorithm"]
    assert s[0]["digestAlgorithm"] == digest, s[0]["digestAlgorithm"]
EOF
}

# fails_with RC CODE ERRFILE COMMAND...: exit RC and [CODE] on stderr.
fails_with()
{
	local want=$1 code=$2 err=$3
	shift 3
	"$@" 2>"$err"
	local rc=$?
	[ $rc -eq "$want" ] || { echo "exit $rc, want $want" >&2; cat "$err" >&2; return 1; }
	stderr_has "$err" "$code" || { cat "$err" >&2; return 1; }
}

# ---------------------------------------------------------------- --help
ok "cachet --help exits 0 and prints the usage" -- \
	stdout_matches '^Usage: cachet COMMAND' cachet --help
ok "cachet --version exits 0 and prints the version" -- \
	stdout_matches '^cachet [0-9]+\.[0-9]+\.[0-9]+' cachet --version
for cmd in sign verify inspect; do
	ok "cachet $cmd --help exits 0 and prints its usage" -- \
		stdout_matches "^Usage: cachet $cmd " cachet $cmd --help
done

# ---------------------------------------------------------------- round trips
# roundtrip NAME USER "OPTS" SIGALG DIGEST MODE [SIGN_EXTRA...]
# Encapsulated messages carry the chain (--chain); detached ones leave it
# out and the verifier gets it with --certs.
roundtrip()
{
	local name=$1 u=$2 opts=$3 sigalg=$4 dig=$5 mode=$6
	shift 6
	local msg="rt-$u-$RANDOM.p7"
	local -a sopts vopts
	read -r -a sopts <<<"$opts"
	if [ "$mode" = detached ]; then
		sopts+=(--detached)
		vopts=(--content in.txt --certs "$CHAIN")
	else
		sopts+=(--chain "$CHAIN")
		vopts=()
	fi
	rm -f rt.out
	ok "$name: sign" -- sign_as "$u" "$msg" "${sopts[@]}" "$@"
	ok "$name: verify exits 0" -- \
		verify_json rt.json 0 -i "$msg" "${vopts[@]}" --trust "$ROOT" -o rt.out
	ok "$name: report says valid, $sigalg, $dig" -- \
		valid_report rt.json "$sigalg" "$dig" "$([ "$mode" = detached ] && echo true || echo false)"
	ok "$name: content written with -o equals the input" -- same_file rt.out in.txt
}

# user:options:signatureAlgorithm:digestAlgorithm.  Default digests:
# SHA-384 for P-384, SHA-512 for P-521 and Ed25519, SHAKE256 (id-shake256-len) for Ed448
# (RFC 8551 section 2.1, RFC 8419 section 3).
while IFS=: read -r u opts sigalg dig; do
	[ -n "$u" ] || continue
	for mode in encapsulated detached; do
		roundtrip "$u${opts:+ $opts} $mode" "$u" "$opts" "$sigalg" "$dig" "$mode"
	done
done <<'EOF'
alice::sha256WithRSAEncryption:sha256
alice:--pss:rsassaPss:sha256
bob::sha256WithRSAEncryption:sha256
bob:--pss:rsassaPss:sha256
carol::ecdsa-with-SHA256:sha256
dave::ecdsa-with-SHA384:sha384
grace::ecdsa-with-SHA512:sha512
erin::Ed25519:sha512
frank::Ed448:shake256-len
EOF

# ---------------------------------------------------------------- --digest
while IFS=: read -r u opts d sigalg; do
	[ -n "$u" ] || continue
	roundtrip "$u${opts:+ $opts} --digest $d" "$u" "$opts" "$sigalg" "$d" encapsulated --digest "$d"
done <<'EOF'
alice::sha384:sha384WithRSAEncryption
alice::sha512:sha512WithRSAEncryption
alice:--pss:sha384:rsassaPss
alice:--pss:sha512:rsassaPss
carol::sha384:ecdsa-with-SHA384
carol::sha512:ecdsa-with-SHA512
dave::sha512:ecdsa-with-SHA512
EOF
roundtrip "bob --digest sha384 detached" bob "" sha384WithRSAEncryption sha384 detached --digest sha384

ok "--digest md5 is a usage error (exit 2)" -- rc_is 2 sign_as alice bad.p7 --digest md5
ok "Ed25519 with --digest sha256 is refused (RFC 8419 section 3.1)" -- \
	fails_with 1 CACHET_E_POLICY ed.err sign_as erin ed.p7 --digest sha256
ok "... and writes no output" -- test ! -e ed.p7

# ---------------------------------------------------------------- --skid
for u in alice carol; do
	sign_as $u skid-$u.p7 --skid --chain "$CHAIN" >/dev/null 2>&1
	ok "--skid ($u): verifies" -- verify_json skid.json 0 -i skid-$u.p7 --trust "$ROOT"
	ok "--skid ($u): sid is the subjectKeyIdentifier" -- \
		stdout_matches '^subjectKeyIdentifier [0-9a-f]{40}$' jq_report skid.json signer:0:sid
	ok "--skid ($u): SignerInfo version 3 is checked and passes" -- \
		report_is skid.json check:0:signer-info-version:status pass
done

# ---------------------------------------------------------------- --no-certs
sign_as carol nocerts.p7 --no-certs >/dev/null 2>&1
ok "--no-certs: verify without --certs fails (exit 1)" -- \
	verify_json nc.json 1 -i nocerts.p7 --trust "$ROOT"
ok "--no-certs: the message holds no certificate" -- \
	python3 -c 'import json; assert json.load(open("nc.json"))["certificates"] == 0'
ok "--no-certs: CACHET_E_NO_SIGNER_CERT on check signer-certificate" -- \
	report_is nc.json check:0:signer-certificate:code CACHET_E_NO_SIGNER_CERT
ok "--no-certs: verify with --certs (signer, chain) succeeds" -- \
	verify_json nc.json 0 -i nocerts.p7 --trust "$ROOT" --certs "$PKI/carol.crt.pem" --certs "$CHAIN"
ok "--no-certs: the signer certificate without the chain is untrusted" -- \
	verify_json nc.json 1 -i nocerts.p7 --trust "$ROOT" --certs "$PKI/carol.crt.pem"
ok "... with CACHET_E_CERT_UNTRUSTED on check certificate-path" -- \
	report_is nc.json check:0:certificate-path:code CACHET_E_CERT_UNTRUSTED

# ---------------------------------------------------------------- several signers
multi_args=()
for u in alice bob carol dave grace erin frank; do
	multi_args+=(--signer "$PKI/$u.crt.pem" --key "$PKI/$u.key.pem")
done
all_seven()
{
	python3 - "$1" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
ids = sorted(s["identity"].split(",")[0] for s in r["signers"])
want = sorted("CN=" + n for n in ["Alice", "Bob", "Carol", "Dave", "Grace", "Erin", "Frank"])
assert ids == want, ids
EOF
}
for mode in encapsulated detached; do
	dflag=() cflag=()
	[ $mode = detached ] && { dflag=(--detached); cflag=(--content in.txt); }
	ok "7 signers in one message ($mode): sign" -- \
		cachet sign --format der -i in.txt -o multi.p7 "${multi_args[@]}" --chain "$CHAIN" "${dflag[@]}"
	ok "7 signers ($mode): verify exits 0" -- \
		verify_json multi.json 0 -i multi.p7 "${cflag[@]}" --trust "$ROOT" -o multi.out
	ok "7 signers ($mode): every signer valid" -- \
		valid_report multi.json - - "$([ $mode = detached ] && echo true || echo false)" 7
	ok "7 signers ($mode): each identity reported once" -- all_seven multi.json
	ok "7 signers ($mode): -o content equals the input" -- same_file multi.out in.txt
done
pss_mix()
{
	python3 - "$1" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
algs = sorted(s["signatureAlgorithm"] for s in r["signers"])
assert algs == ["ecdsa-with-SHA256", "rsassaPss"], algs
EOF
}
ok "RSA + ECDSA signers with --pss: sign" -- \
	cachet sign --format der -i in.txt -o mpss.p7 --pss --chain "$CHAIN" \
	--signer "$PKI/alice.crt.pem" --key "$PKI/alice.key.pem" \
	--signer "$PKI/carol.crt.pem" --key "$PKI/carol.key.pem"
ok "RSA + ECDSA signers with --pss: verifies" -- verify_json mpss.json 0 -i mpss.p7 --trust "$ROOT"
ok "RSA + ECDSA signers with --pss: RSA uses PSS, ECDSA is unaffected" -- pss_mix mpss.json

# ---------------------------------------------------------------- --format pem
for mode in encapsulated detached; do
	dflag=() cflag=()
	[ $mode = detached ] && { dflag=(--detached); cflag=(--content in.txt); }
	rm -f pem.out
	ok "--format pem ($mode): sign" -- sign_as bob pem.pem --format pem --chain "$CHAIN" "${dflag[@]}"
	ok "--format pem ($mode): CMS PEM armour" -- \
		eval 'head -n1 pem.pem | grep -qx -- "-----BEGIN CMS-----" && tail -n1 pem.pem | grep -qx -- "-----END CMS-----"'
	ok "--format pem ($mode): the body decodes to BER that parses to its end" -- \
		python3 "$DERUTIL" offsets pem.pem
	ok "--format pem ($mode): verifies" -- \
		verify_json pem.json 0 -i pem.pem "${cflag[@]}" --trust "$ROOT" -o pem.out
	ok "--format pem ($mode): -o recovers the content" -- same_file pem.out in.txt
done
sign_as alice fmt1.p7 --signing-time 2030-01-01 >/dev/null 2>&1
sign_as alice fmt2.p7 --signing-time 2030-01-01 --format der >/dev/null 2>&1
ok "--format der is the default: same bytes as without --format" -- same_file fmt1.p7 fmt2.p7
ok "--format der output starts with a SEQUENCE tag" -- \
	test "$(head -c1 fmt1.p7 | od -An -tx1 | tr -d ' ')" = 30

# ---------------------------------------------------------------- stdin and stdout
ok "sign -i - -o -: content from a pipe, message to stdout" -- \
	eval 'cat in.txt | "$CACHET" sign --format der -i - -o - --signer "$PKI/dave.crt.pem" --key "$PKI/dave.key.pem" --chain "$CHAIN" >pipe.p7'
ok "sign -o -: the message on stdout parses to its end" -- python3 "$DERUTIL" offsets pipe.p7
ok "verify -i - reads the message from stdin" -- \
	eval '"$CACHET" verify -i - --trust "$ROOT" -o pipe.out <pipe.p7 >/dev/null'
ok "... and -o gets the content" -- same_file pipe.out in.txt
sign_as carol pd.p7 --detached >/dev/null 2>&1
ok "verify --content - reads detached content from stdin" -- \
	eval 'cat in.txt | "$CACHET" verify -i pd.p7 --content - --trust "$ROOT" --certs "$CHAIN" >/dev/null'
ok "sign | verify in one pipeline" -- \
	eval 'cat in.txt | "$CACHET" sign --format der -i - -o - --signer "$PKI/erin.crt.pem" --key "$PKI/erin.key.pem" |
		"$CACHET" verify -i - --trust "$ROOT" --certs "$CHAIN" | grep -qx "Result: VALID"'
ok "verify -i - --content - is a usage error (exit 2)" -- \
	rc_is 2 cachet verify -i - --content - --trust "$ROOT" </dev/null
# `verify --help`: "CONTENT_OUT receives the signed content only when every
# signer verified".  With -o - the content is held back until the verdict,
# and the report goes to stderr so stdout carries the content alone.
ok "verify -o -: exits 0" -- \
	eval '"$CACHET" verify -i pipe.p7 --trust "$ROOT" -o - >stdout.out 2>stderr.out'
ok "verify -o -: stdout holds exactly the content" -- same_file stdout.out in.txt
ok "verify -o -: the report goes to stderr" -- grep -qx "Result: VALID" stderr.out
python3 "$DERUTIL" offsets pipe.p7 >pipe.off 2>/dev/null
python3 "$DERUTIL" flip pipe.p7 \
	"$(python3 -c 'import json; d = json.load(open("pipe.off")); print(d["signature"] + d["signatureLength"] - 1)' 2>/dev/null)" \
	pipe-bad.p7 >/dev/null 2>&1
ok "verify -o - with a bad signature exits 1" -- \
	rc_is 1 eval '"$CACHET" verify -i pipe-bad.p7 --trust "$ROOT" -o - >stdout.out 2>stderr.out'
ok "verify -o - with a bad signature: nothing on stdout" -- test ! -s stdout.out
ok "verify -o - with a bad signature: the report (on stderr) says INVALID" -- \
	grep -qx "Result: INVALID" stderr.out
ok "verify -o - --json: stdout is the content, stderr the JSON report" -- \
	eval '"$CACHET" verify -i pipe.p7 --trust "$ROOT" -o - --json >stdout.out 2>stderr.out &&
		cmp -s stdout.out in.txt && report_is stderr.out result valid'

# ---------------------------------------------------------------- JSON report
sign_as alice js.p7 --chain "$CHAIN" >/dev/null 2>&1
ok "verify --json exits 0" -- verify_json js.json 0 -i js.p7 --trust "$ROOT"
ok "verify --json: the report parses and has every documented field" -- \
	python3 - js.json <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
for k in ("result", "code", "signers", "checks"):
    assert k in r, k
assert r["result"] == "valid" and r["code"] is None
assert len(r["signers"]) == 1
s = r["signers"][0]
for k in ("identity", "sid", "digestAlgorithm", "signatureAlgorithm", "verdict", "code", "checks"):
    assert k in s, k
assert s["verdict"] == "valid" and s["code"] is None
names = set()
for c in s["checks"]:
    assert set(c) >= {"name", "status", "code", "rule", "detail"}, c
    assert c["status"] in ("pass", "fail", "skip", "info"), c
    assert c["code"] is None, c
    assert isinstance(c["rule"], str) and isinstance(c["detail"], str)
    assert c["status"] != "fail"
    names.add(c["name"])
for n in ("signature", "message-digest", "content-type-attr", "certificate-path",
          "signer-certificate", "algorithm-protection", "signing-certificate"):
    assert n in names, n
EOF
ok "verify --json on an untrusted signer exits 1" -- \
	verify_json jsf.json 1 -i js.p7 --trust "$PKI/bob.crt.pem"
ok "verify --json on a failure: invalid, and the codes are CACHET_E_ names" -- \
	python3 - jsf.json <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["result"] == "invalid" and r["code"] == "CACHET_E_CERT_UNTRUSTED", r["code"]
s = r["signers"][0]
assert s["verdict"] == "invalid" and s["code"] == "CACHET_E_CERT_UNTRUSTED"
fails = [c for c in s["checks"] if c["status"] == "fail"]
assert [c["name"] for c in fails] == ["certificate-path"], fails
assert fails[0]["code"] == "CACHET_E_CERT_UNTRUSTED"
EOF
ok "verify text report ends with Result: VALID" -- \
	eval '"$CACHET" verify -i js.p7 --trust "$ROOT" | tail -n1 | grep -qx "Result: VALID"'
ok "verify text report marks a failure [FAIL] and ends with Result: INVALID" -- \
	eval '"$CACHET" verify -i js.p7 --trust "$PKI/bob.crt.pem" >t.txt; grep -q "\[FAIL\] certificate-path" t.txt && tail -n1 t.txt | grep -qx "Result: INVALID"'
ok "inspect --json parses; offset 0 holds id-signedData" -- \
	eval '"$CACHET" inspect -i js.p7 --json | python3 -c "
import json, sys
t = json.load(sys.stdin)
n = t[0] if isinstance(t, list) else t
assert n[\"offset\"] == 0 and \"signedData\" in n[\"children\"][0][\"value\"]"'
ok "inspect (text) names the signed attributes" -- \
	eval '"$CACHET" inspect -i js.p7 >insp.txt && grep -q id-messageDigest insp.txt && grep -q id-contentType insp.txt'

# ---------------------------------------------------------------- usage errors
usage_err()
{
	ok "usage error exits 2: $1" -- rc_is 2 "${@:2}"
}
usage_err "no command" cachet
usage_err "unknown command" cachet frobnicate
usage_err "unknown sign option" sign_as alice u.p7 --no-such-option
usage_err "unknown verify option" cachet verify -i js.p7 --trust "$ROOT" --no-such-option
usage_err "--signer without --key" cachet sign --format der -i in.txt -o u.p7 --signer "$PKI/alice.crt.pem"
usage_err "sign without --signer" cachet sign --format der -i in.txt -o u.p7
usage_err "--format xml" sign_as alice u.p7 --format xml
usage_err "encrypt --format xml" cachet encrypt --format der -i in.txt -o u.p7 --to "$PKI/bob.crt.pem" --format xml
usage_err "compress --format xml" cachet compress -i in.txt -o u.p7 --format xml
usage_err "verify --format xml" cachet verify -i js.p7 --trust "$ROOT" --format xml
usage_err "decrypt --format xml" cachet decrypt -i js.p7 -o u.txt --password pw --format xml
usage_err "--signing-time garbage" sign_as alice u.p7 --signing-time yesterday
usage_err "verify --at garbage" cachet verify -i js.p7 --trust "$ROOT" --at soon
usage_err "extra positional argument" cachet verify -i js.p7 --trust "$ROOT" extra
ok "detached message without --content: exit 2, CACHET_E_NO_CONTENT" -- \
	fails_with 2 CACHET_E_NO_CONTENT nc.err cachet verify -i pd.p7 --trust "$ROOT" --certs "$CHAIN"
ok "no output file is left by the usage errors" -- test ! -e u.p7

# ---------------------------------------------------------------- I/O errors
ok "sign: missing input file exits 4" -- \
	rc_is 4 sign_as alice io.p7 -i nonexistent.txt
ok "... and creates no output" -- test ! -e io.p7
ok "verify: missing input file exits 4" -- \
	rc_is 4 cachet verify -i nonexistent.p7 --trust "$ROOT"
ok "verify: missing --content file exits 4" -- \
	rc_is 4 cachet verify -i pd.p7 --content nonexistent.txt --trust "$ROOT" --certs "$CHAIN"
ok "sign: missing key file exits 4" -- \
	rc_is 4 cachet sign --format der -i in.txt -o io.p7 --signer "$PKI/alice.crt.pem" --key nonexistent.pem
ok "verify: missing --trust file exits 4" -- \
	rc_is 4 cachet verify -i js.p7 --trust nonexistent.pem
ok "inspect: missing input file exits 4" -- \
	rc_is 4 cachet inspect -i nonexistent.p7
ok "sign: output into a missing directory exits 4" -- \
	rc_is 4 sign_as alice no/such/dir/out.p7

# ---------------------------------------------------------------- encrypted key
enc_sign()
{
	"$CACHET" sign --format der -i in.txt -o "$1" --signer "$PKI/alice.crt.pem" --key "$PKI/alice.key.p8enc.pem" "${@:2}"
}
ok "encrypted PKCS#8 key with the right --pass signs" -- enc_sign enc.p7 --pass alice-test-pass
ok "... and the message verifies" -- cachet verify -i enc.p7 --trust "$ROOT" --certs "$CHAIN"
# A missing password is CACHET_E_NEED_PASSWORD (usage, exit 2; no prompt
# since stdin is not a terminal), a wrong one CACHET_E_BAD_KEY (exit 3).
for p in "wrong --pass:3:CACHET_E_BAD_KEY:--pass=not-the-password" \
	"no --pass:2:CACHET_E_NEED_PASSWORD:" "empty --pass:3:CACHET_E_BAD_KEY:--pass="; do
	what=${p%%:*} rest=${p#*:}
	want=${rest%%:*} rest=${rest#*:}
	code=${rest%%:*} arg=${rest#*:}
	# A crash would be exit >= 128, a silent success 0: both fail here.
	ok "encrypted key, $what: exit $want with $code" -- \
		fails_with "$want" "$code" encbad.err enc_sign encbad.p7 ${arg:+"$arg"} </dev/null
	ok "encrypted key, $what: no output file" -- test ! -e encbad.p7
done

# ---------------------------------------------------------------- key mismatch
for pair in alice:bob carol:dave erin:frank dave:carol bob:erin frank:grace; do
	c=${pair%%:*} k=${pair#*:}
	ok "$c's certificate with $k's key: exit 2, CACHET_E_KEY_MISMATCH" -- \
		fails_with 2 CACHET_E_KEY_MISMATCH mm.err \
		cachet sign --format der -i in.txt -o mm.p7 --signer "$PKI/$c.crt.pem" --key "$PKI/$k.key.pem"
	ok "$c's certificate with $k's key: no output" -- test ! -e mm.p7
done
ok "one mismatched pair among good signers fails the whole sign" -- \
	fails_with 2 CACHET_E_KEY_MISMATCH mm.err \
	cachet sign --format der -i in.txt -o mm.p7 --signer "$PKI/alice.crt.pem" --key "$PKI/alice.key.pem" \
	--signer "$PKI/carol.crt.pem" --key "$PKI/bob.key.pem"
ok "... and writes no output" -- test ! -e mm.p7

# ---------------------------------------------------------------- --signing-time, --at
ok "--signing-time: sign" -- sign_as alice st.p7 --signing-time 2030-01-02T03:04:05Z
ok "--signing-time: verifies" -- verify_json st.json 0 -i st.p7 --trust "$ROOT" --certs "$CHAIN"
ok "--signing-time is what signingTime says" -- \
	stdout_matches 'UTCTime 300102030405Z' jq_report st.json check:0:signing-time:detail
ok "--signing-time after 2049 is a GeneralizedTime (RFC 5652 section 11.3)" -- \
	eval 'sign_as alice st50.p7 --signing-time 2050-01-02 && "$CACHET" verify -i st50.p7 --trust "$ROOT" --certs "$CHAIN" --json >st50.json &&
		jq_report st50.json check:0:signing-time:detail | grep -q "GeneralizedTime 20500102000000Z"'
sign_as alice st2.p7 --signing-time 2030-01-02T03:04:05Z >/dev/null 2>&1
ok "a fixed --signing-time makes RSA PKCS#1 v1.5 output reproducible" -- same_file st.p7 st2.p7
# [rfc8551-2.5.1-utctime-yy]: a UTCTime year YY of 50 or more is 19YY,
# one under 50 is 20YY; the report gives the date it read beside the
# encoded text.
while IFS='|' read -r when enc read_as; do
	[ -n "$when" ] || continue
	ok "--signing-time $when: UTCTime $enc, read back as $read_as (RFC 8551 section 2.5.1)" -- \
		eval 'sign_as alice yy.p7 --signing-time "$when" &&
			verify_json yy.json 0 -i yy.p7 --trust "$ROOT" --certs "$CHAIN" &&
			jq_report yy.json check:0:signing-time:detail | grep -qF "UTCTime $enc, $read_as"'
done <<'EOF'
1950-01-01T00:00:00Z|500101000000Z|1950-01-01 00:00:00 UTC
1999-07-04T12:30:00Z|990704123000Z|1999-07-04 12:30:00 UTC
2000-02-29T00:00:01Z|000229000001Z|2000-02-29 00:00:01 UTC
2049-12-31T23:59:59Z|491231235959Z|2049-12-31 23:59:59 UTC
EOF
ok "--signing-time 2050-01-02: GeneralizedTime, read back as 2050-01-02 00:00:00 UTC" -- \
	eval 'jq_report st50.json check:0:signing-time:detail | grep -qF "GeneralizedTime 20500102000000Z, 2050-01-02 00:00:00 UTC"'
ok "verify --at after the certificates expire: exit 1" -- \
	verify_json at.json 1 -i st.p7 --trust "$ROOT" --certs "$CHAIN" --at 2050-01-01
ok "... CACHET_E_CERT_EXPIRED" -- report_is at.json code CACHET_E_CERT_EXPIRED
ok "verify --at before the certificates are valid: exit 1" -- \
	verify_json at.json 1 -i st.p7 --trust "$ROOT" --certs "$CHAIN" --at 2024-06-01T12:00:00Z
ok "... CACHET_E_CERT_NOT_YET_VALID" -- report_is at.json code CACHET_E_CERT_NOT_YET_VALID
ok "verify --at @SECONDS inside the validity period: valid" -- \
	verify_json at.json 0 -i st.p7 --trust "$ROOT" --certs "$CHAIN" --at @1900000000

# ---------------------------------------------------------------- empty content
: >empty.txt
for mode in encapsulated detached; do
	dflag=() cflag=()
	[ $mode = detached ] && { dflag=(--detached); cflag=(--content empty.txt); }
	rm -f empty.out
	ok "empty content ($mode): sign" -- \
		cachet sign --format der -i empty.txt -o empty.p7 "${dflag[@]}" --signer "$PKI/carol.crt.pem" --key "$PKI/carol.key.pem"
	ok "empty content ($mode): verify" -- \
		cachet verify -i empty.p7 "${cflag[@]}" --trust "$ROOT" --certs "$CHAIN" -o empty.out
	ok "empty content ($mode): -o gives an empty file" -- eval '[ -f empty.out ] && [ ! -s empty.out ]'
done

# ---------------------------------------------------------------- output atomicity
# atom-bad.p7: a good message with the last byte of its signature value
# changed.
sign_as alice atom.p7 --chain "$CHAIN" >/dev/null 2>&1
python3 "$DERUTIL" offsets atom.p7 >atom.off 2>/dev/null
sigoff=$(python3 -c 'import json; d = json.load(open("atom.off")); print(d["signature"] + d["signatureLength"] - 1)' 2>/dev/null)
python3 "$DERUTIL" flip atom.p7 "${sigoff:-0}" atom-bad.p7 >/dev/null 2>&1
mkdir -p out
printf 'precious old contents\n' >out/old.txt
cp out/old.txt old.saved
cp out/old.txt out/sig.p7

ok "atomicity: the tampered message fails to verify (exit 1)" -- \
	rc_is 1 cachet verify -i atom-bad.p7 --trust "$ROOT" -o out/new.txt
ok "atomicity: failed verify does not create -o OUT" -- test ! -e out/new.txt
ok "atomicity: bad signature: exit 1" -- \
	rc_is 1 cachet verify -i atom-bad.p7 --trust "$ROOT" -o out/old.txt
ok "atomicity: bad signature leaves an existing OUT byte-identical" -- same_file out/old.txt old.saved
ok "atomicity: wrong detached content: exit 1" -- \
	rc_is 1 cachet verify -i pd.p7 --content js.json --trust "$ROOT" --certs "$CHAIN" -o out/old.txt
ok "atomicity: wrong detached content leaves an existing OUT byte-identical" -- same_file out/old.txt old.saved
head -c 200 atom.p7 >atom-trunc.p7
ok "atomicity: truncated input: exit 3" -- \
	rc_is 3 cachet verify -i atom-trunc.p7 --trust "$ROOT" -o out/old.txt
ok "atomicity: truncated input leaves an existing OUT byte-identical" -- same_file out/old.txt old.saved
ok "atomicity: untrusted signer: exit 1" -- \
	rc_is 1 cachet verify -i atom.p7 --trust "$PKI/bob.crt.pem" -o out/old.txt
ok "atomicity: untrusted signer leaves an existing OUT byte-identical" -- same_file out/old.txt old.saved
ok "atomicity: failed sign (wrong --pass) exits 3" -- rc_is 3 enc_sign out/sig.p7 --pass wrong
ok "atomicity: failed sign leaves an existing OUT byte-identical" -- same_file out/sig.p7 old.saved
ok "atomicity: no temporary file is left behind" -- no_temp_left out
ok "atomicity: a successful verify replaces OUT" -- \
	cachet verify -i atom.p7 --trust "$ROOT" -o out/old.txt
ok "atomicity: ... with the content" -- same_file out/old.txt in.txt
ok "atomicity: no temporary file after success either" -- no_temp_left out

# ---------------------------------------------------------------- non-regular outputs
# An output that exists and is not a regular file (a FIFO here, /dev/null in
# practice) is written in place, never replaced by a renamed temporary file.
mkfifo out.fifo
# A bounded reader: with the bug nothing would ever open the FIFO to write.
(timeout 20 cat out.fifo >fifo.got) &
reader=$!
ok "sign -o FIFO exits 0" -- cachet sign --format der -i "$PKI/MANIFEST" -o out.fifo \
	--signer "$PKI/alice.crt.pem" --key "$PKI/alice.key.pem"
wait $reader
ok "the FIFO is still a FIFO" -- test -p out.fifo
ok "the message went through the FIFO and verifies" -- \
	cachet verify -i fifo.got --trust "$ROOT" --certs "$PKI/chain.pem"
ok "no temporary file was left beside the FIFO" -- sh -c '! ls -a | grep -q "^\.out\.fifo\."'

# ---------------------------------------------------------------- encodings the RFCs fix
# [rfc5652-11.3-midnight]: midnight is "YYMMDD000000Z".
ok "sign --signing-time at midnight: signingTime is UTCTime 260501000000Z (RFC 5652 section 11.3)" -- \
	eval 'cachet sign --format der -i in.txt -o midnight.p7 --signer "$PKI/alice.crt.pem" \
		--key "$PKI/alice.key.pem" --signing-time 2026-05-01T00:00:00Z &&
		cachet inspect -i midnight.p7 | grep -q "UTCTime (13 bytes) 260501000000Z"'
# [rfc5084-3.2-gcm-nonce-12]: a 12-octet nonce is RECOMMENDED.
ok "encrypt with AES-GCM writes a 12-octet nonce and a 16-octet ICV (RFC 5084 section 3.2)" -- \
	eval 'cachet encrypt --format der -i in.txt -o nonce.der --to "$PKI/bob.crt.pem" --cipher aes-256-gcm &&
		cachet inspect -i nonce.der | grep -q "nonce 12 bytes, ICV 16 bytes"'

# ---------------------------------------------------------------- SMIMECapabilities
# RFC 8551 section 2.5.2, on the attribute cachet writes: caps.py prints
# each capability of signer 0 (OID, then its parameters in hex if any).
cat >caps.py <<'PYEOF'
import sys
sys.path.insert(0, sys.argv[1])
import derutil as d
r = d.parse(d.read_input(sys.argv[2]))
sa = d.signer_parts(d.signer_infos(d.signed_data(r)).children[0])["signedAttrs"]
caps = [v for n, _, _, v in d.attributes(sa) if n == "smimeCapabilities"][0].children[0]
for cap in caps.children:
    oid = d.decode_oid(cap.children[0].content)
    print(" ".join([oid] + [d.encode(p).hex() for p in cap.children[1:]]))
PYEOF
# contentEncryptionAlgorithm of an EnvelopedData or AuthEnvelopedData: the
# SEQUENCE after recipientInfos.
cat >cea.py <<'PYEOF'
import sys
sys.path.insert(0, sys.argv[1])
import derutil as d
ed = d.parse(d.read_input(sys.argv[2])).children[1].children[0]
i = [k for k, c in enumerate(ed.children) if c.is_univ(17)][0]
print(d.decode_oid(ed.children[i + 1].children[1].children[0].content))
PYEOF
ok "SMIMECapabilities: caps.py reads the capabilities of cachet's signature" -- \
	eval 'python3 caps.py "$top_srcdir/tests" st.p7 >caps.txt && [ -s caps.txt ]'
# [rfc8551-2.5.2-smimecap-params-omitted] [rfc8551-2.5.2-smimecap-no-null]
ok "SMIMECapabilities: every capability is its OID alone, no parameters and no NULL (RFC 8551 section 2.5.2)" -- \
	eval '[ -s caps.txt ] && ! grep -q " " caps.txt'
# [rfc8551-2.5.2-smimecap-params]: the ciphers cachet offers have one key
# size per OID, so no parameters are needed to tell two instances apart;
# each is listed once.
ok "SMIMECapabilities: each capability is a fixed-size cipher, listed once (no parameters needed to tell instances apart)" -- \
	python3 - caps.txt <<'PYEOF'
import sys
fixed = {"2.16.840.1.101.3.4.1.%d" % n for n in (2, 22, 42, 6, 26, 46)} | {"1.2.840.113549.1.9.16.3.18"}
caps = [l.split()[0] for l in open(sys.argv[1])]
assert caps and set(caps) <= fixed, caps
assert len(set(caps)) == len(caps), caps
PYEOF
# [rfc8551-2.5.2-smimecap-order]: the capabilities of one category
# (signature, content encryption, key wrap, key encipherment or key
# agreement) stand together; an OID of no known category fails.
ok "SMIMECapabilities: the capabilities of each category stand together (RFC 8551 section 2.5.2)" -- \
	python3 - caps.txt <<'PYEOF'
import sys
cat = {}
for n in (2, 22, 42, 6, 26, 46):
    cat["2.16.840.1.101.3.4.1.%d" % n] = "content encryption"
cat["1.2.840.113549.1.9.16.3.18"] = "content encryption"
for n in (5, 25, 45):
    cat["2.16.840.1.101.3.4.1.%d" % n] = "key wrap"
for o in ("1.2.840.113549.1.1.11", "1.2.840.113549.1.1.12", "1.2.840.113549.1.1.13",
          "1.2.840.113549.1.1.10", "1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3",
          "1.2.840.10045.4.3.4", "1.3.101.112", "1.3.101.113"):
    cat[o] = "signature"
for o in ("1.2.840.113549.1.1.1", "1.2.840.113549.1.1.7"):
    cat[o] = "key encipherment"
for o in ("1.3.132.1.11.1", "1.3.132.1.11.2", "1.3.132.1.11.3", "1.2.840.113549.1.9.16.3.19",
          "1.2.840.113549.1.9.16.3.20"):
    cat[o] = "key agreement"
seq = [cat[l.split()[0]] for l in open(sys.argv[1])]
runs = [c for i, c in enumerate(seq) if i == 0 or seq[i - 1] != c]
assert seq and len(runs) == len(set(runs)), seq
PYEOF
# [rfc8551-2.5.2-smimecap-same-oid]: each cipher `cachet encrypt` writes is
# announced with the OID of the AlgorithmIdentifier it writes.
for c in aes-128-gcm aes-256-gcm chacha20-poly1305 aes-128-cbc aes-192-cbc aes-256-cbc; do
	ok "SMIMECapabilities: --cipher $c is announced with its contentEncryptionAlgorithm OID" -- \
		eval 'cachet encrypt --format der -i in.txt -o cap.der --to "$PKI/bob.crt.pem" --cipher $c &&
			oid=$(python3 cea.py "$top_srcdir/tests" cap.der) && [ -n "$oid" ] && grep -qx "$oid" caps.txt'
done

# ---------------------------------------------------------------- demo
ok "cachet demo exits 0" -- eval 'TMPDIR="$TMP" cachet demo >demo.out'
ok "cachet demo mails alice to bob: a .eml that bob opens, both layers OK" -- \
	eval 'grep -q "S/MIME message: 2 layers, OK" demo.out &&
		grep -q "matches the signer certificate" demo.out &&
		eml=`ls "$TMP"/cachet-demo-*/alice-to-bob.eml` &&
		grep -q "smime-type=authEnveloped-data" "$eml" &&
		grep -q "^From: Alice <alice@example.org>" "$eml" &&
		cachet verify --format smime -i "$eml" --trust "$ROOT" \
			--cert "$PKI/bob.crt.pem" --key "$PKI/bob.key.pem" -o demo.inner >/dev/null &&
		grep -q "caf=C3=A9" demo.inner'
ok "cachet demo protects the headers: Subject [...] outside, the real one inside, signed too" -- \
	eval 'eml=`ls "$TMP"/cachet-demo-*/alice-to-bob.eml` &&
		grep -q "^Subject: \[\.\.\.\]" "$eml" &&
		grep -q "Subject: Cachet demo: signed, then encrypted \[obscured outside" demo.out &&
		grep -q "secure header fields (RFC 7508, relaxed): 5 fields, as in the message header" demo.out'

done_testing
