#!/bin/bash
# negative.sh -- damaged and hostile messages: each must fail with its own
# error code.  Messages are made by cachet, then edited with derutil.py,
# which finds every offset by walking the BER, so nothing is hard-coded.
. "$(dirname "$0")/cli-lib.sh"

require python3 openssl

printf 'Negative tests: a short text to sign.\n' >in.txt

# ---------------------------------------------------------------- helpers

# offset MSG.off EXPR: evaluate a Python expression over the offsets JSON
# (d) written by `derutil.py offsets`.
offset()
{
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# flip_at MSG OFFSET OUT [MASK]
flip_at() { python3 "$DERUTIL" flip "$@"; }

# parse_error RC CODES ERR COMMAND...: exit RC and one of the
# |-separated [CODES] on stderr.
parse_error()
{
	local want=$1 codes=$2 err=$3
	shift 3
	"$@" >/dev/null 2>"$err"
	local rc=$?
	[ $rc -eq "$want" ] || { echo "exit $rc, want $want" >&2; cat "$err" >&2; return 1; }
	grep -Eq "\\[($codes)\\]" "$err" || { cat "$err" >&2; return 1; }
}

# ---------------------------------------------------------------- base messages
# RSA PKCS#1 v1.5, RSA-PSS, ECDSA P-256 and Ed25519 signers, each with
# the chain in the message.
SIGNERS="alice alice-pss carol erin"
for s in $SIGNERS; do
	u=${s%-pss} extra=()
	[ "$s" != "$u" ] && extra=(--pss)
	ok "$s: base message signs" -- sign_as "$u" "$s.p7" --chain "$CHAIN" "${extra[@]}"
	ok "$s: base message verifies (the damage below is the only fault)" -- \
		verify_json "$s.json" 0 -i "$s.p7" --trust "$ROOT"
	ok "$s: derutil finds the signer's parts" -- \
		eval 'python3 "$DERUTIL" offsets "$s.p7" >"$s.off"'
done

# ---------------------------------------------------------------- content
for s in $SIGNERS; do
	flip_at "$s.p7" "$(offset "$s.off" 'd["eContent"] + d["eContentLength"] // 2')" c.p7
	ok "$s: flipped content byte: exit 1" -- verify_json c.json 1 -i c.p7 --trust "$ROOT"
	ok "$s: flipped content byte: only message-digest fails, CACHET_E_DIGEST_MISMATCH" -- \
		failed_checks c.json message-digest=CACHET_E_DIGEST_MISMATCH
done

# Detached: the message is intact, one byte of the content changes.
sign_as carol det.p7 --detached --chain "$CHAIN" >/dev/null 2>&1
python3 - <<'EOF'
data = bytearray(open("in.txt", "rb").read())
data[len(data) // 2] ^= 0x20
open("in-flipped.txt", "wb").write(data)
EOF
ok "detached: the original content verifies" -- verify_json d.json 0 -i det.p7 --content in.txt --trust "$ROOT"
ok "detached, one content byte changed: exit 1" -- \
	verify_json d.json 1 -i det.p7 --content in-flipped.txt --trust "$ROOT"
ok "detached, one content byte changed: CACHET_E_DIGEST_MISMATCH on message-digest" -- \
	failed_checks d.json message-digest=CACHET_E_DIGEST_MISMATCH
head -c -1 in.txt >in-short.txt
ok "detached, content one byte short: CACHET_E_DIGEST_MISMATCH" -- \
	eval 'verify_json d.json 1 -i det.p7 --content in-short.txt --trust "$ROOT" &&
		failed_checks d.json message-digest=CACHET_E_DIGEST_MISMATCH'

# ---------------------------------------------------------------- signature value
# The last byte: inside the RSA integer, the ECDSA s, or Ed25519's S.
for s in $SIGNERS; do
	flip_at "$s.p7" "$(offset "$s.off" 'd["signature"] + d["signatureLength"] - 1')" sig.p7
	ok "$s: flipped signature byte: exit 1" -- verify_json sig.json 1 -i sig.p7 --trust "$ROOT"
	ok "$s: flipped signature byte: only signature fails, CACHET_E_BAD_SIGNATURE" -- \
		failed_checks sig.json signature=CACHET_E_BAD_SIGNATURE
	flip_at "$s.p7" "$(offset "$s.off" 'd["signature"] + d["signatureLength"] // 3')" sig.p7 0x80
	ok "$s: another signature byte (high bit): CACHET_E_BAD_SIGNATURE" -- \
		eval 'verify_json sig.json 1 -i sig.p7 --trust "$ROOT" && failed_checks sig.json signature=CACHET_E_BAD_SIGNATURE'
done

# An ECDSA signature value is itself DER (ECDSA-Sig-Value, RFC 5753
# section 2.1.1 / RFC 3279 section 2.2.3).  Damage to that encoding is
# still "the signature value does not verify" for this one signer: the
# report must come out, and the other signers must still be judged.
flip_at carol.p7 "$(offset carol.off 'd["signature"] + 3')" ecsig.p7
ok "carol: damaged ECDSA-Sig-Value (length of r): exit 1 with a report" -- \
	verify_json ecsig.json 1 -i ecsig.p7 --trust "$ROOT"
ok "carol: damaged ECDSA-Sig-Value: the signature check fails with CACHET_E_BAD_SIGNATURE" -- \
	failed_checks ecsig.json signature=CACHET_E_BAD_SIGNATURE
cachet sign --format der -i in.txt -o two.p7 --chain "$CHAIN" \
	--signer "$PKI/alice.crt.pem" --key "$PKI/alice.key.pem" \
	--signer "$PKI/carol.crt.pem" --key "$PKI/carol.key.pem" >/dev/null 2>&1
# Which SignerInfo is the ECDSA one (SET OF sorts them): the short signature.
ecsig=$(for i in 0 1; do
	python3 "$DERUTIL" offsets two.p7 $i >two.off && offset two.off 'd["signature"] if d["signatureLength"] < 100 else ""'
done | grep -v '^$')
flip_at two.p7 $((${ecsig:-0} + 3)) two-bad.p7
ok "RSA + ECDSA signers, damaged ECDSA-Sig-Value: exit 1 with a report" -- \
	verify_json two.json 1 -i two-bad.p7 --trust "$ROOT"
ok "... the ECDSA signer fails on signature, the RSA signer stays valid" -- \
	python3 - two.json <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
v = {s["identity"].split(",")[0]: s for s in r["signers"]}
assert v["CN=Alice"]["verdict"] == "valid"
assert v["CN=Carol"]["verdict"] == "invalid"
fails = {c["name"]: c["code"] for c in v["CN=Carol"]["checks"] if c["status"] == "fail"}
assert fails == {"signature": "CACHET_E_BAD_SIGNATURE"}, fails
EOF

# ---------------------------------------------------------------- signed attributes
# derutil picks one byte per attribute whose change keeps the value well
# formed: the contentType OID's last arc, the last seconds digit of
# signingTime, the digest OID in CMSAlgorithmProtection (turned into
# another SHA-2 OID), a byte of messageDigest, a capability OID, and a
# byte of the signingCertificateV2 certHash.  Every change breaks the
# signature; some break a check of their own first.
while IFS='|' read -r attr expect; do
	[ -n "$attr" ] || continue
	for s in $SIGNERS; do
		read -r o m < <(offset "$s.off" "' '.join(map(str, d['attrs']['$attr']['flip']))")
		flip_at "$s.p7" "${o:-0}" attr.p7 "${m:-1}"
		# shellcheck disable=SC2086
		ok "$s: $attr changed: exit 1 and failed checks exactly: $expect" -- \
			eval 'verify_json attr.json 1 -i attr.p7 --trust "$ROOT" && failed_checks attr.json $expect'
	done
done <<'EOF'
contentType|content-type-attr=CACHET_E_ATTR_MISMATCH signature=CACHET_E_BAD_SIGNATURE
signingTime|signature=CACHET_E_BAD_SIGNATURE
cmsAlgorithmProtection|algorithm-protection=CACHET_E_ALG_PROTECTION signature=CACHET_E_BAD_SIGNATURE
messageDigest|message-digest=CACHET_E_DIGEST_MISMATCH signature=CACHET_E_BAD_SIGNATURE
smimeCapabilities|signature=CACHET_E_BAD_SIGNATURE
signingCertificateV2|signing-certificate=CACHET_E_ATTR_MISMATCH signature=CACHET_E_BAD_SIGNATURE
EOF
ok "the six signed attributes were all found in a cachet message" -- \
	offset alice.off 'sorted(d["attrs"]) == sorted(["contentType", "signingTime", "cmsAlgorithmProtection", "messageDigest", "smimeCapabilities", "signingCertificateV2"]) or sys.exit(1)'

# ---------------------------------------------------------------- duplicated attributes
# RFC 5652 sections 11.1-11.3: signedAttrs MUST NOT hold more than one
# content-type, message-digest or signing-time attribute; RFC 8551 section
# 2.5.2, RFC 5035 section 3 and RFC 6211 section 2 say the same of
# SMIMECapabilities, signingCertificateV2 and CMSAlgorithmProtection.  The copy is
# inserted next to the original (so the SET stays in DER order); the
# signature cannot be redone, so it fails as well.
while IFS='|' read -r attr check; do
	[ -n "$attr" ] || continue
	ok "duplicated $attr: the edited message parses" -- \
		python3 "$DERUTIL" dup-attr alice.p7 "$attr" dup.p7
	ok "duplicated $attr: exit 1" -- verify_json dup.json 1 -i dup.p7 --trust "$ROOT"
	ok "duplicated $attr: $check fails with CACHET_E_ATTR_DUPLICATE" -- \
		check_has dup.json "$check" CACHET_E_ATTR_DUPLICATE
	ok "duplicated $attr: signature fails too (CACHET_E_BAD_SIGNATURE)" -- \
		check_has dup.json signature CACHET_E_BAD_SIGNATURE
done <<'EOF'
messageDigest|message-digest
contentType|content-type-attr
signingTime|signing-time
smimeCapabilities|smime-capabilities
signingCertificateV2|signing-certificate
cmsAlgorithmProtection|algorithm-protection
EOF

# ---------------------------------------------------------------- attributes with two values
# RFC 5652 sections 11.1-11.3 and RFC 8551 section 2.5.2: content-type,
# message-digest, signing-time and SMIMECapabilities each have exactly one
# value.  The first value is given twice; the signature then fails too.
while IFS='|' read -r attr check; do
	[ -n "$attr" ] || continue
	ok "$attr with two values: the edited message parses" -- \
		python3 "$DERUTIL" dup-value alice.p7 "$attr" twov.p7
	ok "$attr with two values: exit 3" -- verify_json twov.json 3 -i twov.p7 --trust "$ROOT"
	ok "$attr with two values: $check fails with CACHET_E_MALFORMED (exactly one value)" -- \
		eval 'check_has twov.json "$check" CACHET_E_MALFORMED &&
			grep -q "must hold exactly one value, not 2" twov.json'
done <<'EOF'
messageDigest|message-digest
contentType|content-type-attr
signingTime|signing-time
smimeCapabilities|smime-capabilities
EOF

# ---------------------------------------------------------------- attributes re-signed
# derutil.py edits alice's SignerInfo and signs it again with her key
# (`resign`: RSA PKCS #1 v1.5 with SHA-256 through openssl), so the
# signature holds and the edit is the only fault.  PKCS #1 v1.5 is
# deterministic: re-signing the message unchanged gives the same bytes.
ok "derutil resign: alice's message signed again is byte for byte the same" -- \
	eval 'python3 "$DERUTIL" resign alice.p7 "$PKI/alice.key.pem" resigned.p7 && same_file alice.p7 resigned.p7'

# The attributes that are signed attributes only, copied into
# unsignedAttrs (outside the signature, so no re-signing is needed).
# [rfc5652-11.1-signed-only] [rfc5652-11.2-signed-only] [rfc8551-2.5.2-smimecap-signed]
for attr in contentType messageDigest smimeCapabilities; do
	ok "$attr also among the unsigned attributes: exit 1 and failed checks exactly: unsigned-attrs=CACHET_E_ATTR_MISMATCH" -- \
		eval 'python3 "$DERUTIL" unsigned-copy alice.p7 "$attr" unsig.p7 &&
			verify_json unsig.json 1 -i unsig.p7 --trust "$ROOT" &&
			failed_checks unsig.json unsigned-attrs=CACHET_E_ATTR_MISMATCH &&
			grep -q "must be a signed attribute, not an unsigned one" unsig.json'
done

# SMIMEEncryptionKeyPreference (RFC 8551 section 2.5.3) naming alice's
# certificate by issuerAndSerialNumber ([0] IMPLICIT), added to her
# signedAttrs: the signed message is valid; copied into unsignedAttrs,
# given twice or with two values, it fails its rule.
keypref=$(python3 - "$top_srcdir/tests" "$PKI/alice.crt.pem" <<'PYEOF'
import sys
sys.path.insert(0, sys.argv[1])
import derutil as d
tbs = d.parse(d.read_input(sys.argv[2])).children[0]
serial, issuer = tbs.children[1], tbs.children[3]
print(d.tlv(0xa0, d.encode(issuer) + d.encode(serial)).hex())
PYEOF
)
ok "keypref: alice's message with an SMIMEEncryptionKeyPreference naming her certificate verifies" -- \
	eval 'python3 "$DERUTIL" add-signed alice.p7 encrypKeyPref "$keypref" kp0.p7 &&
		python3 "$DERUTIL" resign kp0.p7 "$PKI/alice.key.pem" kp.p7 &&
		verify_json kp.json 0 -i kp.p7 --trust "$ROOT" &&
		report_is kp.json check:0:encryption-key-preference:status info &&
		grep -q "the signer prefers encrypted mail for CN=Alice" kp.json'
# [rfc8551-2.5.3-keypref-signed]
ok "keypref also among the unsigned attributes: exit 1 and failed checks exactly: unsigned-attrs=CACHET_E_ATTR_MISMATCH" -- \
	eval 'python3 "$DERUTIL" unsigned-copy kp.p7 encrypKeyPref kpu.p7 &&
		verify_json kpu.json 1 -i kpu.p7 --trust "$ROOT" &&
		failed_checks kpu.json unsigned-attrs=CACHET_E_ATTR_MISMATCH'
# [rfc8551-2.5.3-keypref-single]
ok "keypref given twice, re-signed: exit 1 and failed checks exactly: encryption-key-preference=CACHET_E_ATTR_DUPLICATE" -- \
	eval 'python3 "$DERUTIL" dup-attr kp.p7 encrypKeyPref kpd0.p7 &&
		python3 "$DERUTIL" resign kpd0.p7 "$PKI/alice.key.pem" kpd.p7 &&
		verify_json kpd.json 1 -i kpd.p7 --trust "$ROOT" &&
		failed_checks kpd.json encryption-key-preference=CACHET_E_ATTR_DUPLICATE'
# [rfc8551-2.5.3-keypref-one-value]
ok "keypref with two values, re-signed: failed checks exactly: encryption-key-preference=CACHET_E_MALFORMED (exactly one value)" -- \
	eval 'python3 "$DERUTIL" dup-value kp.p7 encrypKeyPref kpv0.p7 &&
		python3 "$DERUTIL" resign kpv0.p7 "$PKI/alice.key.pem" kpv.p7 &&
		verify_json kpv.json 3 -i kpv.p7 --trust "$ROOT" &&
		failed_checks kpv.json encryption-key-preference=CACHET_E_MALFORMED &&
		grep -q "must hold exactly one value, not 2" kpv.json'

# [rfc5652-11.4-countersignature-unsigned]: a countersignature (its value
# a SignerInfo: alice's own) among the signed attributes, re-signed.
ok "countersignature as a signed attribute, re-signed: exit 1 and failed checks exactly: countersignature=CACHET_E_ATTR_MISMATCH" -- \
	eval 'cs=$(python3 -c "import sys; sys.path.insert(0, sys.argv[1]); import derutil as d
r = d.parse(d.read_input(sys.argv[2]))
print(d.encode(d.signer_infos(d.signed_data(r)).children[0]).hex())" "$top_srcdir/tests" alice.p7) &&
		python3 "$DERUTIL" add-signed alice.p7 countersignature "$cs" cs0.p7 &&
		python3 "$DERUTIL" resign cs0.p7 "$PKI/alice.key.pem" cs.p7 &&
		verify_json cs.json 1 -i cs.p7 --trust "$ROOT" &&
		failed_checks cs.json countersignature=CACHET_E_ATTR_MISMATCH'

# [rfc5652-5.3-signedattrs-non-data]: without signedAttrs the content type
# must be id-data.  alice's SignerInfo without signedAttrs, signed again
# over the content: valid; with eContentType id-ct-TSTInfo (SignedData
# version 3; eContentType is not signed then), the signer fails.
ok "no signedAttrs, re-signed over the content: valid (signed-attrs-present info)" -- \
	eval 'python3 "$DERUTIL" drop-signed alice.p7 na0.p7 &&
		python3 "$DERUTIL" resign na0.p7 "$PKI/alice.key.pem" na.p7 &&
		verify_json na.json 0 -i na.p7 --trust "$ROOT" &&
		report_is na.json check:0:signed-attrs-present:status info'
ok "no signedAttrs and eContentType id-ct-TSTInfo: exit 1 and failed checks exactly: signed-attrs-present=CACHET_E_ATTR_MISSING" -- \
	eval 'python3 "$DERUTIL" set-content-type na.p7 1.2.840.113549.1.9.16.1.4 nat.p7 &&
		verify_json nat.json 1 -i nat.p7 --trust "$ROOT" &&
		failed_checks nat.json signed-attrs-present=CACHET_E_ATTR_MISSING &&
		grep -q "signedAttrs are absent but eContentType is" nat.json'

# [rfc8551-3.2-other-contents]: other contents are carried under another
# eContentType: id-ct-TSTInfo, named by the content-type attribute as well
# (SignedData version 3), re-signed, verifies; the type is reported and
# the content released.
ok "eContentType id-ct-TSTInfo with a matching content-type attribute, re-signed: valid, the type reported, the content released" -- \
	eval 'python3 "$DERUTIL" set-content-type alice.p7 1.2.840.113549.1.9.16.1.4 oc0.p7 &&
		python3 "$DERUTIL" resign oc0.p7 "$PKI/alice.key.pem" oc.p7 &&
		verify_json oc.json 0 -i oc.p7 --trust "$ROOT" -o oc.out && same_file oc.out in.txt &&
		python3 -c "import json, sys; j = json.load(open(sys.argv[1]))
assert j[\"contentType\"] == \"1.2.840.113549.1.9.16.1.4\", j[\"contentType\"]" oc.json &&
		report_is oc.json check:0:content-type-attr:status pass'

# ---------------------------------------------------------------- unknown SignerInfo version
# RFC 5652 section 5.1: "MUST gracefully handle unimplemented versions of
# SignerInfo" [rfc5652-5.1-unknown-signerinfo-version]: alice's SignerInfo
# gets version 5; alice fails alone, bob is still judged (and valid).
ok "two signers, alice's SignerInfo version 1 made 5: the edited message parses" -- \
	eval 'cachet sign --format der -i in.txt -o twosv.p7 --signer "$PKI/alice.crt.pem" \
		--key "$PKI/alice.key.pem" --signer "$PKI/bob.crt.pem" --key "$PKI/bob.key.pem" \
		--chain "$CHAIN" &&
		off=$(python3 -c "import sys; sys.path.insert(0, sys.argv[1]); import derutil as d
r = d.parse(d.read_input(\"twosv.p7\"))
print(d.signer_infos(d.signed_data(r)).children[0].children[0].cstart)" "$top_srcdir/tests") &&
		python3 "$DERUTIL" flip twosv.p7 "$off" twosv5.p7 4'
ok "... alice's signer fails signer-info-version with CACHET_E_BAD_VERSION" -- \
	eval 'verify_json twosv5.json 3 -i twosv5.p7 --trust "$ROOT" &&
		report_is twosv5.json signer:0:code CACHET_E_BAD_VERSION &&
		report_is twosv5.json check:0:signer-info-version:code CACHET_E_BAD_VERSION'
ok "... and bob's signer is judged all the same: valid" -- \
	report_is twosv5.json signer:1:verdict valid

# ---------------------------------------------------------------- digestAlgorithms
# [rfc5652-5.3-digest-listed]: a signer's digest SHOULD be listed in
# digestAlgorithms.  Cachet lists each (alice sha256, dave sha384); a
# message that leaves one out still verifies, with an info check.
cat >dalgs.py <<'PYEOF'
import sys, os
sys.path.insert(0, sys.argv[1])
import derutil as d
r = d.parse(d.read_input(sys.argv[2]))
das = d.signed_data(r).children[1]
oids = [d.decode_oid(a.children[0].content) for a in das.children]
if len(sys.argv) > 3:
    das.children = [a for a in das.children if d.decode_oid(a.children[0].content) != sys.argv[4]]
    open(sys.argv[3], "wb").write(d.encode(r))
print(" ".join(sorted(oids)))
PYEOF
ok "alice (sha256) and dave (sha384) sign: digestAlgorithms lists both" -- \
	eval 'cachet sign --format der -i in.txt -o dalgs.p7 --signer "$PKI/alice.crt.pem" \
		--key "$PKI/alice.key.pem" --signer "$PKI/dave.crt.pem" --key "$PKI/dave.key.pem" \
		--chain "$CHAIN" &&
		[ "$(python3 dalgs.py "$top_srcdir/tests" dalgs.p7)" = "2.16.840.1.101.3.4.2.1 2.16.840.1.101.3.4.2.2" ]'
ok "sha384 left out of digestAlgorithms: both signers still valid, a digest-listed info check" -- \
	eval 'python3 dalgs.py "$top_srcdir/tests" dalgs.p7 dalgs-1.p7 2.16.840.1.101.3.4.2.2 >/dev/null &&
		verify_json dalgs.json 0 -i dalgs-1.p7 --trust "$ROOT" &&
		python3 -c "
import json
j = json.load(open(\"dalgs.json\"))
c = [k for s in j[\"signers\"] for k in s[\"checks\"] if k[\"name\"] == \"digest-listed\"]
assert len(c) == 1 and c[0][\"status\"] == \"info\" and \"sha384\" in c[0][\"detail\"], c"'

# ---------------------------------------------------------------- no signers
ok "empty SignerInfos: the edited message parses" -- \
	python3 "$DERUTIL" empty-signers alice.p7 nosig.p7
ok "empty SignerInfos: exit 1" -- verify_json nosig.json 1 -i nosig.p7 --trust "$ROOT"
ok "empty SignerInfos: code CACHET_E_NOT_SIGNED, result not-signed, no signers" -- \
	eval 'report_is nosig.json code CACHET_E_NOT_SIGNED && report_is nosig.json result not-signed && report_is nosig.json signers 0'
ok "empty SignerInfos: check signer-infos fails with CACHET_E_NOT_SIGNED" -- \
	eval 'report_is nosig.json top:signer-infos:status fail && report_is nosig.json top:signer-infos:code CACHET_E_NOT_SIGNED'
ok "empty SignerInfos: -o gets no content" -- \
	eval '! "$CACHET" verify -i nosig.p7 --trust "$ROOT" -o nosig.out >/dev/null 2>&1 && [ ! -e nosig.out ]'

# ---------------------------------------------------------------- trailing data
# Anything after the ContentInfo, whatever it looks like.
while IFS='|' read -r name bytes; do
	[ -n "$name" ] || continue
	{ cat alice.p7; printf "$bytes"; } >trail.p7
	ok "trailing $name: exit 3, CACHET_E_TRAILING_DATA" -- \
		parse_error 3 CACHET_E_TRAILING_DATA trail.err cachet verify -i trail.p7 --trust "$ROOT"
done <<'EOF'
text|garbage
empty SEQUENCE|\x30\x00
newline|\n
CR LF|\r\n
one zero byte|\x00
end-of-contents octets|\x00\x00
truncated header|\x30\x82
EOF
cat alice.p7 alice.p7 >trail.p7
ok "trailing second copy of the message: exit 3, CACHET_E_TRAILING_DATA" -- \
	parse_error 3 CACHET_E_TRAILING_DATA trail.err cachet verify -i trail.p7 --trust "$ROOT"
sign_as carol trail.p7 --detached >/dev/null 2>&1
printf 'x' >>trail.p7
ok "trailing byte after a detached message: exit 3, CACHET_E_TRAILING_DATA" -- \
	parse_error 3 CACHET_E_TRAILING_DATA trail.err cachet verify -i trail.p7 --content in.txt --trust "$ROOT" --certs "$CHAIN"

# ---------------------------------------------------------------- truncation
# Cut at fixed small lengths, at the structure's landmarks, and in the
# closing end-of-contents octets.
cuts=$(offset alice.off '" ".join(str(x) for x in sorted({0, 1, 2, 4, 13, 17, d["eContent"] - 1, d["eContent"] + 1, (d["eContent"] + d["signerInfos"]) // 2, d["signerInfos"], d["signerInfos"] + 3, d["signedAttrs"] + 10, d["signature"] + 1, d["signature"] + d["signatureLength"] - 1, d["size"] - 4, d["size"] - 2, d["size"] - 1}))')
for n in $cuts; do
	head -c "$n" alice.p7 >cut.p7
	# (The one-byte cut is "0", 0x30: printable, yet not to be taken for PEM.)
	ok "truncated to $n bytes: exit 3, CACHET_E_TRUNCATED or CACHET_E_MALFORMED" -- \
		parse_error 3 'CACHET_E_TRUNCATED|CACHET_E_MALFORMED' cut.err cachet verify -i cut.p7 --trust "$ROOT"
done
sign_as bob detcut.p7 --detached --chain "$CHAIN" >/dev/null 2>&1
size=$(stat -c %s detcut.p7)
for n in $((size / 3)) $((size - 1)); do
	head -c "$n" detcut.p7 >cut.p7
	ok "detached message truncated to $n of $size bytes: exit 3" -- \
		parse_error 3 'CACHET_E_TRUNCATED|CACHET_E_MALFORMED' cut.err cachet verify -i cut.p7 --content in.txt --trust "$ROOT"
done
head -c 300 alice.p7 >cut.p7
ok "truncated input through stdin: exit 3" -- \
	parse_error 3 'CACHET_E_TRUNCATED|CACHET_E_MALFORMED' cut.err eval '"$CACHET" verify -i - --trust "$ROOT" <cut.p7'
ok "inspect on truncated input: exit 3" -- \
	parse_error 3 'CACHET_E_TRUNCATED|CACHET_E_MALFORMED' cut.err cachet inspect -i cut.p7

# ---------------------------------------------------------------- wrong trust anchors
# An impostor root with the real root's name but its own key, an
# unrelated CA, and an end-entity certificate of another user.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout impostor.key \
	-out impostor.pem -days 3650 -subj "/O=Cachet Test/CN=Cachet Test Root CA" \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign >/dev/null 2>&1
openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 3650 \
	-subj "/O=Elsewhere/CN=Unrelated Root" -addext basicConstraints=critical,CA:TRUE >/dev/null 2>&1
ok "openssl made the impostor root with the real root's subject" -- \
	eval '[ "$(openssl x509 -in impostor.pem -noout -subject -nameopt RFC2253)" = "$(openssl x509 -in "$ROOT" -noout -subject -nameopt RFC2253)" ]'
for anchor in impostor.pem other.pem "$PKI/bob.crt.pem"; do
	what=$(basename "$anchor")
	for s in alice carol; do
		ok "$s, trust anchor $what: exit 1" -- verify_json wt.json 1 -i "$s.p7" --trust "$anchor"
		ok "$s, trust anchor $what: only certificate-path fails, CACHET_E_CERT_UNTRUSTED" -- \
			failed_checks wt.json certificate-path=CACHET_E_CERT_UNTRUSTED
	done
done
ok "no trust anchor and no chain (--no-certs + signer cert): CACHET_E_CERT_UNTRUSTED" -- \
	eval 'sign_as carol nc.p7 --no-certs && verify_json wt.json 1 -i nc.p7 --trust "$PKI/dave.crt.pem" --certs "$PKI/carol.crt.pem" &&
		failed_checks wt.json certificate-path=CACHET_E_CERT_UNTRUSTED'

# ---------------------------------------------------------------- ECDSA algorithm identifiers
# RFC 5753 section 2.1.1 [rfc5753-2.1.1-sigalg-hash]: the hash named by
# the ECDSA signature algorithm MUST be the digestAlgorithm.  carol's
# SignerInfo (sha256) gets ecdsa-with-SHA384 (in the SignerInfo and in
# CMSAlgorithmProtection) and is signed anew over SHA-384, so only the
# pairing is at fault.
ok "carol: ecdsa-with-SHA384 beside digestAlgorithm sha256 (signed anew): exit 3, only signature-algorithm fails, CACHET_E_BAD_PARAMS" -- \
	eval 'python3 "$DERUTIL" set-sigalg carol.p7 300a06082a8648ce3d040303 ecmix0.p7 &&
		resign ecmix0.p7 ecmix.p7 "$PKI/carol.key.pem" sha384 &&
		verify_json ecmix.json 3 -i ecmix.p7 --trust "$ROOT" &&
		failed_checks ecmix.json signature-algorithm=CACHET_E_BAD_PARAMS &&
		grep -q "ecdsa-with-SHA384 does not match digestAlgorithm sha256" ecmix.json'
ok "... and the same message with matching names (ecdsa-with-SHA256, signed anew) is valid" -- \
	eval 'python3 "$DERUTIL" set-sigalg carol.p7 300a06082a8648ce3d040302 ecmix0.p7 &&
		resign ecmix0.p7 ecmix.p7 "$PKI/carol.key.pem" sha256 &&
		verify_json ecmix.json 0 -i ecmix.p7 --trust "$ROOT"'
# RFC 5753 section 7.1.3 [rfc5753-7.1.3-null-legacy]: ecdsa-with-SHA256
# with NULL parameters, the legacy form of [CMS-ECC], is read (with a
# finding); the parameters MUST be absent otherwise (RFC 5758).
ok "carol: ecdsa-with-SHA256 with NULL parameters (legacy form): valid, with a signature-algorithm-parameters finding" -- \
	eval 'python3 "$DERUTIL" set-sigalg carol.p7 300c06082a8648ce3d0403020500 ecnull0.p7 &&
		resign ecnull0.p7 ecnull.p7 "$PKI/carol.key.pem" sha256 &&
		verify_json ecnull.json 0 -i ecnull.p7 --trust "$ROOT" &&
		report_is ecnull.json check:0:signature-algorithm-parameters:status info'

# ---------------------------------------------------------------- eContentType
# eContentType is not signed; changed from id-data, it contradicts the
# content-type attribute, and a version 1 SignedData may only carry id-data
# (RFC 5652 section 5.1).
flip_at alice.p7 "$(offset alice.off 'd["eContentType"] + d["eContentTypeLength"] - 1')" ect.p7
ok "eContentType changed (id-data to 1.2.840.113549.1.7.0) in a version 1 SignedData: exit 3, CACHET_E_BAD_VERSION" -- \
	parse_error 3 CACHET_E_BAD_VERSION ect.err cachet verify -i ect.p7 --trust "$ROOT"

done_testing
