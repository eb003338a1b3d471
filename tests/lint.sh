#!/bin/bash
# lint.sh -- cachet lint (src/lib/lint.c, src/tool/cmd-lint.c): messages
# made by cachet are clean; messages broken on purpose (by editing
# cachet's output, or made by openssl with the options that leave
# something out, or edited with tests/derutil.py) give the finding with
# the right registry id and the exit status its level calls for, and the
# unedited message does not; a bare CMS object is described as what it
# is (no made-up MIME header); --json parses; every rule's id is in
# the registry; lint over every message in the vectors directory never
# crashes and exits 0, 1 or 3 only; the findings for a few chosen vectors
# are diffed against tests/lint-golden/*.txt (made with
# tests/lint.sh --regen GOLDEN_DIR and reviewed).
#
# Environment: as tests/cli-lib.sh, plus CACHET_VECTORS (configure
# --with-vectors=DIR).

REGEN=
if [ "${1:-}" = "--regen" ]; then
	mkdir -p "$2" || exit 99
	REGEN=$(cd "$2" && pwd) # before cli-lib.sh moves to a scratch directory
fi

. "$(dirname "$0")/cli-lib.sh"

require openssl python3

VEC=${CACHET_VECTORS:-$top_srcdir/../shared/vectors}
GOLDEN=$top_srcdir/tests/lint-golden
ALICE_CRT=$PKI/alice.crt.pem
ALICE_KEY=$PKI/alice.key.pem

# lint_rc WANT FILE [ARGS...]: run cachet lint, keeping its output in
# FILE.out, true when it exits WANT.
lint_rc()
{
	local want=$1 f=$2
	shift 2
	"$CACHET" lint -i "$f" "$@" >"$f.out" 2>"$f.err"
	local st=$?
	[ "$st" -eq "$want" ] || { echo "exit $st, want $want" >&2; cat "$f.out" "$f.err" >&2; return 1; }
}

# has_id FILE ID LEVEL: the text output names ID at LEVEL.
has_id()
{
	grep -q "^$3 $2 " "$1.out" || { echo "no '$3 $2' in:" >&2; cat "$1.out" >&2; return 1; }
}

# no_id FILE ID
no_id()
{
	! grep -q " $2 " "$1.out" || { echo "unexpected $2 in:" >&2; cat "$1.out" >&2; return 1; }
}

# edit FILE OUT PYTHON-REGEX REPLACEMENT: a message edited as bytes.
edit()
{
	python3 - "$1" "$2" "$3" "$4" <<'EOF'
import re, sys
data = open(sys.argv[1], "rb").read()
new, n = re.subn(sys.argv[3].encode(), sys.argv[4].encode(), data, count=1)
if n != 1:
    sys.exit("pattern not found: " + sys.argv[3])
open(sys.argv[2], "wb").write(new)
EOF
}

printf 'From: alice@example.com\r\nTo: bob@example.com\r\nSubject: lint\r\n\r\nHello, lint.\r\n' >m.txt
printf 'Subject: caf\303\251\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nCaf\303\251 cr\303\250me\r\n' >u.txt

# --- messages made by cachet: clean --------------------------------
cachet sign -i m.txt -o signed.eml --signer "$ALICE_CRT" --key "$ALICE_KEY" --signing-time 2026-01-01T00:00:00Z
cachet sign -i m.txt -o opaque.eml --opaque --signer "$ALICE_CRT" --key "$ALICE_KEY" --signing-time 2026-01-01T00:00:00Z
cachet sign -i m.txt -o signed.der --format der --signer "$ALICE_CRT" --key "$ALICE_KEY" --signing-time 2026-01-01T00:00:00Z
cachet sign -i m.txt -o signed.pem --format pem --signer "$ALICE_CRT" --key "$ALICE_KEY" --signing-time 2026-01-01T00:00:00Z
cachet encrypt -i m.txt -o gcm.eml --to "$PKI/bob.crt.pem"

for f in signed.eml opaque.eml signed.der signed.pem gcm.eml; do
	ok "clean: cachet's $f: exit 0, no finding" -- eval 'lint_rc 0 '$f' && grep -q "^0 findings, 0 at MUST level" '$f'.out'
done
ok "clean: multipart/signed with --trust: exit 0, no finding, no note on the path" -- \
	eval 'lint_rc 0 signed.eml --trust "$ROOT" --certs "$CHAIN" && grep -q "^0 findings" signed.eml.out && ! grep -q "path not checked" signed.eml.out'
ok "clean: without --trust the unchecked path is a note, not a finding" -- \
	eval 'lint_rc 0 signed.eml && grep -q "^note: .*certificate path not checked" signed.eml.out'
ok "clean: enveloped with the key: exit 0, inner layer reached" -- \
	eval 'lint_rc 0 gcm.eml --cert "$PKI/bob.crt.pem" --key "$PKI/bob.key.pem" && grep -q "^0 findings, 0 at MUST level, in 1 layer" gcm.eml.out && ! grep -q "not decrypted" gcm.eml.out'

# --- broken on purpose ----------------------------------------------
# [rfc8551-3.5.3.2-micalg-values]
edit signed.eml micalg-wrong.eml 'micalg=sha-256' 'micalg=sha-512'
ok "micalg naming another digest: rfc8551-3.5.3.2-micalg-values, SHOULD, exit 0" -- \
	eval 'lint_rc 0 micalg-wrong.eml && has_id micalg-wrong.eml rfc8551-3.5.3.2-micalg-values SHOULD && grep -q "Content-Type.micalg" micalg-wrong.eml.out'
edit signed.eml micalg-none.eml ' micalg=sha-256;' ''
ok "micalg missing: rfc8551-3.5.3.2-micalg-values" -- \
	eval 'lint_rc 0 micalg-none.eml && has_id micalg-none.eml rfc8551-3.5.3.2-micalg-values SHOULD'

# [rfc8551-3.2-smime-type]
edit opaque.eml no-smime-type.eml ' smime-type=signed-data;' ''
ok "smime-type missing: rfc8551-3.2-smime-type, SHOULD, exit 0" -- \
	eval 'lint_rc 0 no-smime-type.eml && has_id no-smime-type.eml rfc8551-3.2-smime-type SHOULD'

# [rfc8551-3.2.1-extension] [rfc8551-3.2.1-name]
edit opaque.eml wrong-name.eml 'name=smime.p7m' 'name=smime.txt'
ok "wrong file name: rfc8551-3.2.1-extension, SHOULD" -- \
	eval 'lint_rc 0 wrong-name.eml && has_id wrong-name.eml rfc8551-3.2.1-extension SHOULD && grep -q "smime.txt" wrong-name.eml.out'
edit opaque.eml p7s-name.eml 'name=smime.p7m' 'name=smime.p7s'
ok "signed-data named .p7s: rfc8551-3.2.1-extension" -- \
	eval 'lint_rc 0 p7s-name.eml && has_id p7s-name.eml rfc8551-3.2.1-extension SHOULD'
edit opaque.eml no-name0.eml '; name=smime.p7m' ''
edit no-name0.eml no-name.eml 'Content-Disposition: attachment; filename=smime.p7m\r\n' ''
ok "no file name at all: rfc8551-3.2.1-name" -- \
	eval 'lint_rc 0 no-name.eml && has_id no-name.eml rfc8551-3.2.1-name SHOULD'

# The signature part of a multipart/signed: smime.p7s (RFC 8551 section
# 3.2.1, the table; section 3.5.3.1).  Its header is not signed, so the
# edits leave the signature valid.
# [rfc8551-3.2.1-extension] [rfc8551-3.2.1-filename]
ok "cachet's multipart/signed names its signature part smime.p7s: no file-name finding" -- \
	eval 'grep -q "name=smime.p7s" signed.eml && no_id signed.eml rfc8551-3.2.1-extension &&
		no_id signed.eml rfc8551-3.2.1-filename'
edit signed.eml sig-p7m0.eml 'name=smime\.p7s' 'name=smime.p7m'
edit sig-p7m0.eml sig-p7m.eml 'filename=smime\.p7s' 'filename=smime.p7m'
ok "signature part named smime.p7m: rfc8551-3.2.1-extension at part[1], SHOULD, exit 0" -- \
	eval 'lint_rc 0 sig-p7m.eml && has_id sig-p7m.eml rfc8551-3.2.1-extension SHOULD &&
		grep -q "multipart/signed) > part\[1\]" sig-p7m.eml.out && grep -q "should be .p7s" sig-p7m.eml.out'
edit signed.eml sig-odd.eml 'filename=smime\.p7s' 'filename=signature.asc'
ok "signature part with name=smime.p7s and another filename=: name= decides, no finding" -- \
	eval 'lint_rc 0 sig-odd.eml && no_id sig-odd.eml rfc8551-3.2.1-extension'
edit signed.eml sig-fnonly.eml '; name=smime\.p7s' ''
ok "signature part with only filename=smime.p7s: no file-name finding" -- \
	eval 'lint_rc 0 sig-fnonly.eml && no_id sig-fnonly.eml rfc8551-3.2.1-filename &&
		no_id sig-fnonly.eml rfc8551-3.2.1-extension'
edit sig-fnonly.eml sig-noname.eml 'Content-Disposition: attachment; filename=smime\.p7s\r\n' ''
ok "signature part with neither name= nor filename=: rfc8551-3.2.1-filename, SHOULD, exit 0" -- \
	eval 'lint_rc 0 sig-noname.eml && has_id sig-noname.eml rfc8551-3.2.1-filename SHOULD &&
		grep -q "part\[1\]" sig-noname.eml.out && no_id sig-noname.eml rfc8551-3.2.1-name'

# [rfc8551-3.1.3-7bit]
cachet sign -i u.txt -o binary.eml --binary --signer "$ALICE_CRT" --key "$ALICE_KEY"
ok "8bit signed part (sign --binary): rfc8551-3.1.3-7bit, MUST, exit 1" -- \
	eval 'lint_rc 1 binary.eml && has_id binary.eml rfc8551-3.1.3-7bit MUST && grep -q "part\[0\]" binary.eml.out'
cachet sign -i u.txt -o qp.eml --signer "$ALICE_CRT" --key "$ALICE_KEY"
ok "the same body signed with a 7-bit encoding: no rfc8551-3.1.3-7bit" -- \
	eval 'lint_rc 0 qp.eml && no_id qp.eml rfc8551-3.1.3-7bit'
# The transfer encoding edited to 8bit after signing (as a careless relay
# or stack would): the signature breaks, the finding stays.
python3 - qp.eml edited-8bit.eml <<'EOF'
import base64, quopri, re, sys
data = open(sys.argv[1], "rb").read()
m = re.search(rb"Content-Transfer-Encoding: (quoted-printable|base64)\r\n\r\n(.*?)\r\n--", data, re.S)
if not m:
    sys.exit("no quoted-printable or base64 part")
dec = quopri.decodestring if m.group(1) == b"quoted-printable" else base64.b64decode
body = dec(m.group(2))
new = data[:m.start()] + b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body + b"\r\n--" + data[m.end():]
open(sys.argv[2], "wb").write(new)
EOF
ok "7-bit transfer encoding edited into 8bit: rfc8551-3.1.3-7bit, exit 1" -- \
	eval 'lint_rc 1 edited-8bit.eml && has_id edited-8bit.eml rfc8551-3.1.3-7bit MUST'

# [rfc8551-3.1.2-transfer-encode]: inside an opaque signed layer 7-bit is
# not a MUST, but it is the rule (RFC 8551 section 3.1.2).
cachet sign -i u.txt -o opaque-8bit.eml --opaque --binary --signer "$ALICE_CRT" --key "$ALICE_KEY"
ok "opaque signed-data over an 8bit entity (sign --opaque --binary): rfc8551-3.1.2-transfer-encode, SHOULD, exit 0" -- \
	eval 'lint_rc 0 opaque-8bit.eml && has_id opaque-8bit.eml rfc8551-3.1.2-transfer-encode SHOULD &&
		grep -q "SignedData.encapContentInfo.eContent" opaque-8bit.eml.out &&
		grep -q "labelled 8bit" opaque-8bit.eml.out'
cachet sign -i u.txt -o opaque-qp.eml --opaque --signer "$ALICE_CRT" --key "$ALICE_KEY"
ok "the same entity signed opaque with a 7-bit encoding: no rfc8551-3.1.2-transfer-encode" -- \
	eval 'lint_rc 0 opaque-qp.eml && no_id opaque-qp.eml rfc8551-3.1.2-transfer-encode'
ok "multipart/signed over 8-bit text: rfc8551-3.1.3-7bit, not rfc8551-3.1.2-transfer-encode" -- \
	no_id binary.eml rfc8551-3.1.2-transfer-encode
# 8-bit octets and no Content-Transfer-Encoding at all (7bit presumed),
# signed by openssl, given as DER.
printf 'Content-Type: text/plain; charset=utf-8\r\n\r\nCaf\303\251\r\n' >raw8.txt
openssl cms -sign -nodetach -binary -in raw8.txt -signer "$ALICE_CRT" -inkey "$ALICE_KEY" -outform DER -out raw8.der 2>/dev/null
ok "openssl, 8-bit entity without Content-Transfer-Encoding (DER input): rfc8551-3.1.2-transfer-encode, 7bit presumed" -- \
	eval 'lint_rc 0 raw8.der && has_id raw8.der rfc8551-3.1.2-transfer-encode SHOULD && grep -q "7bit presumed" raw8.der.out'
printf 'Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 8bit\r\n\r\nCafe\r\n' >ascii8.txt
openssl cms -sign -nodetach -binary -in ascii8.txt -signer "$ALICE_CRT" -inkey "$ALICE_KEY" -outform DER -out ascii8.der 2>/dev/null
ok "labelled 8bit but every octet 7-bit: no rfc8551-3.1.2-transfer-encode" -- \
	eval 'lint_rc 0 ascii8.der && no_id ascii8.der rfc8551-3.1.2-transfer-encode'
# Section 3.1.2 is about MIME entities; this eContent is none.
printf 'Caf\303\251, not MIME\r\n' >notmime.txt
openssl cms -sign -nodetach -binary -in notmime.txt -signer "$ALICE_CRT" -inkey "$ALICE_KEY" -outform DER -out notmime.der 2>/dev/null
ok "8-bit eContent that is not a MIME entity: no rfc8551-3.1.2-transfer-encode" -- \
	eval 'lint_rc 0 notmime.der && no_id notmime.der rfc8551-3.1.2-transfer-encode'

# [rfc8551-2.1-digest-strength]
openssl cms -sign -in m.txt -signer "$ALICE_CRT" -inkey "$ALICE_KEY" -md sha1 -out sha1.eml 2>/dev/null
ok "openssl -md sha1: rfc8551-2.1-digest-strength, RECOMMENDED, exit 0" -- \
	eval 'lint_rc 0 sha1.eml && has_id sha1.eml rfc8551-2.1-digest-strength RECOMMENDED'

# [rfc8551-2.5-send-attributes] [rfc8551-2.5-send-signingcertificate]
openssl cms -sign -in m.txt -signer "$ALICE_CRT" -inkey "$ALICE_KEY" -nosmimecap -out nocap.eml 2>/dev/null
ok "openssl -nosmimecap: rfc8551-2.5-send-attributes (SMIMECapabilities), SHOULD" -- \
	eval 'lint_rc 0 nocap.eml && has_id nocap.eml rfc8551-2.5-send-attributes SHOULD && grep -q "no SMIMECapabilities attribute" nocap.eml.out'
ok "openssl without ESS: rfc8551-2.5-send-signingcertificate (no signingCertificateV2)" -- \
	eval 'has_id nocap.eml rfc8551-2.5-send-signingcertificate SHOULD'
ok "cachet's own signature has signingCertificateV2 and SMIMECapabilities" -- \
	eval 'no_id signed.eml rfc8551-2.5-send-signingcertificate && no_id signed.eml rfc8551-2.5-send-attributes'
openssl cms -sign -in m.txt -signer "$ALICE_CRT" -inkey "$ALICE_KEY" -noattr -nodetach -outform DER -out noattr.der 2>/dev/null
ok "openssl -noattr (DER input): rfc8551-2.5-send-attributes at the SignerInfo" -- \
	eval 'lint_rc 0 noattr.der && has_id noattr.der rfc8551-2.5-send-attributes SHOULD && grep -q "CMS input" noattr.der.out'

# [rfc5652-5.3-signedattrs-minimum]
python3 - signed.der no-ct.der <<'EOF'
import sys, os
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
import derutil as d
root = d.parse(d.read_input(sys.argv[1]))
si = d.signer_infos(d.signed_data(root)).children[0]
sa = d.signer_parts(si)["signedAttrs"]
sa.children = [a for a in sa.children if d.decode_oid(a.children[0].content) != "1.2.840.113549.1.9.3"]
open(sys.argv[2], "wb").write(d.encode(root))
EOF
ok "contentType attribute removed: rfc5652-5.3-signedattrs-minimum, MUST, exit 1" -- \
	eval 'lint_rc 1 no-ct.der && has_id no-ct.der rfc5652-5.3-signedattrs-minimum MUST && grep -q "content-type attribute is missing" no-ct.der.out'

# [rfc5652-5.3-signedattrs-der]: signedAttrs in reverse SET OF order are
# not DER (X.690 section 11.6).
python3 - signed.der nonder.der <<'EOF'
import sys, os
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
import derutil as d
root = d.parse(d.read_input(sys.argv[1]))
sa = d.signer_parts(d.signer_infos(d.signed_data(root)).children[0])["signedAttrs"]
sa.children.reverse()
open(sys.argv[2], "wb").write(d.encode(root))
EOF
ok "non-DER signedAttrs: rfc5652-5.3-signedattrs-der, MUST, exit 1" -- \
	eval 'lint_rc 1 nonder.der && has_id nonder.der rfc5652-5.3-signedattrs-der MUST'
ok "non-DER signedAttrs: cachet verify fails signed-attrs-der with CACHET_E_NOT_DER" -- \
	eval 'rc_is 1 cachet verify --format der -i nonder.der --trust "$ROOT" --certs "$CHAIN" >nonder.rep 2>&1;
		grep -q "signed-attrs-der" nonder.rep && grep -q "CACHET_E_NOT_DER" nonder.rep'

# [rfc8551-2.7.1.2-aes256-gcm]
cachet encrypt -i m.txt -o cbc.eml --to "$PKI/bob.crt.pem" --cipher aes-128-cbc
ok "EnvelopedData with AES-128-CBC: rfc8551-2.7.1.2-aes256-gcm, SHOULD, exit 0" -- \
	eval 'lint_rc 0 cbc.eml && has_id cbc.eml rfc8551-2.7.1.2-aes256-gcm SHOULD && grep -q "aes128-CBC" cbc.eml.out'
ok "AuthEnvelopedData with AES-GCM: no CBC finding" -- no_id gcm.eml rfc8551-2.7.1.2-aes256-gcm

# [rfc5084-3.2-gcm-icv-match] [rfc5084-3.1-ccm-icv-match]: an
# authenticated-encryption cipher written into EnvelopedData, which has no
# mac field for its tag (AuthEnvelopedData only: RFC 5083, RFC 5084
# section 3, RFC 8103 section 3).  Made from cachet's AES-128-CBC
# EnvelopedData by rewriting contentEncryptionAlgorithm, with the
# parameters such a cipher carries.
cachet encrypt -i m.txt -o cbc.der --format der --to "$PKI/bob.crt.pem" --cipher aes-128-cbc
# aead_env IN OUT OID gcm|ccm|chacha|cbc (OUT *.eml: wrapped in MIME)
aead_env()
{
	python3 - "$@" <<'EOF'
import base64, os, sys
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
import derutil as d

src, out, oid, kind = sys.argv[1:5]
root = d.parse(d.read_input(src))
if d.decode_oid(root.children[0].content) != "1.2.840.113549.1.7.3":
    sys.exit("not EnvelopedData")
env = root.children[1].children[0]
eci = [c for c in env.children if c.is_univ(16)][-1]
alg = eci.children[1]
iv = bytes(alg.children[1].content)
alg.children[0].new_content = d.encode_oid(oid)
if kind == "chacha":  # AEADChaCha20Poly1305Nonce (RFC 8103 section 3)
    params = d.tlv(0x04, iv[:12])
elif kind == "cbc":  # the IV as it was (RFC 3565 section 4.1)
    params = d.tlv(0x04, iv)
else:  # GCMParameters / CCMParameters: nonce, ICV length 16 (RFC 5084)
    params = d.tlv(0x30, d.tlv(0x04, iv[:12]) + d.tlv(0x02, b"\x10"))
alg.children[1] = d.parse(bytearray(params))
der = d.encode(root)
if out.endswith(".eml"):
    der = (b"Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n"
           b"Content-Transfer-Encoding: base64\r\n"
           b"Content-Disposition: attachment; filename=smime.p7m\r\n\r\n"
           + base64.encodebytes(der).replace(b"\n", b"\r\n"))
open(out, "wb").write(der)
EOF
}
aead_env cbc.der gcm-env.eml 2.16.840.1.101.3.4.1.46 gcm
aead_env cbc.der chacha-env.der 1.2.840.113549.1.9.16.3.18 chacha
aead_env cbc.der ccm-env.eml 2.16.840.1.101.3.4.1.7 ccm
aead_env cbc.der cbc-again.eml 2.16.840.1.101.3.4.1.2 cbc
ok "AES-256-GCM inside EnvelopedData: rfc5084-3.2-gcm-icv-match, MUST, exit 1" -- \
	eval 'lint_rc 1 gcm-env.eml && has_id gcm-env.eml rfc5084-3.2-gcm-icv-match MUST &&
		grep -q "aes256-GCM in EnvelopedData" gcm-env.eml.out &&
		grep -q "EnvelopedData.encryptedContentInfo.contentEncryptionAlgorithm" gcm-env.eml.out &&
		no_id gcm-env.eml rfc8551-2.7.1.2-aes256-gcm'
ok "ChaCha20-Poly1305 inside EnvelopedData (DER input): rfc5084-3.2-gcm-icv-match, exit 1" -- \
	eval 'lint_rc 1 chacha-env.der && has_id chacha-env.der rfc5084-3.2-gcm-icv-match MUST &&
		grep -q "RFC 8103 section 3" chacha-env.der.out'
ok "AES-CCM inside EnvelopedData: rfc5084-3.1-ccm-icv-match, MUST, exit 1" -- \
	eval 'lint_rc 1 ccm-env.eml && has_id ccm-env.eml rfc5084-3.1-ccm-icv-match MUST &&
		grep -q "aes128-CCM" ccm-env.eml.out && grep -q "CACHET_E_UNSUPPORTED" ccm-env.eml.out'
ok "AES-GCM inside EnvelopedData, with the recipient's key: the finding stays (the decryptor refuses it)" -- \
	eval 'lint_rc 1 gcm-env.eml --cert "$PKI/bob.crt.pem" --key "$PKI/bob.key.pem" &&
		has_id gcm-env.eml rfc5084-3.2-gcm-icv-match MUST'
ok "the same rewrite back to AES-128-CBC: no AEAD finding, exit 0" -- \
	eval 'lint_rc 0 cbc-again.eml && no_id cbc-again.eml rfc5084-3.2-gcm-icv-match &&
		no_id cbc-again.eml rfc5084-3.1-ccm-icv-match && has_id cbc-again.eml rfc8551-2.7.1.2-aes256-gcm SHOULD'
cachet encrypt -i m.txt -o chacha.eml --to "$PKI/bob.crt.pem" --cipher chacha20-poly1305
ok "AuthEnvelopedData with AES-GCM or ChaCha20-Poly1305: no AEAD finding" -- \
	eval 'lint_rc 0 chacha.eml && no_id chacha.eml rfc5084-3.2-gcm-icv-match &&
		no_id gcm.eml rfc5084-3.2-gcm-icv-match'

# --- several findings in one: layers, JSON --------------------------
cachet sign -i m.txt -o inner.eml --signer "$ALICE_CRT" --key "$ALICE_KEY"
openssl cms -sign -in m.txt -signer "$ALICE_CRT" -inkey "$ALICE_KEY" -nosmimecap -md sha1 -out bad.eml 2>/dev/null
edit bad.eml bad2.eml 'micalg="?sha-?1"?' 'micalg=sha-256'
ok "--json parses and has id, level, section, path, text per finding" -- python3 -c '
import json, subprocess, sys
r = subprocess.run([sys.argv[1], "lint", "-i", "bad2.eml", "--json"], capture_output=True)
if r.returncode != 0:
    sys.exit("exit %d" % r.returncode)
j = json.loads(r.stdout)
ids = [f["id"] for f in j["findings"]]
for f in j["findings"]:
    for k in ("id", "level", "section", "path", "text"):
        assert isinstance(f[k], str) and f[k], (k, f)
for want in ("rfc8551-2.1-digest-strength", "rfc8551-2.5-send-attributes", "rfc8551-3.5.3.2-micalg-values"):
    assert want in ids, (want, ids)
assert j["count"] == len(j["findings"]) and j["must"] == 0 and j["layers"] == 1, j
assert isinstance(j["notes"], list)
' "$CACHET"
ok "--json with a MUST finding: exit 1, must counts it" -- python3 -c '
import json, subprocess, sys
r = subprocess.run([sys.argv[1], "lint", "-i", "no-ct.der", "--json"], capture_output=True)
assert r.returncode == 1, r.returncode
j = json.loads(r.stdout)
assert j["must"] == 1 and j["cms_input"] is True, j
assert j["findings"][0]["path"].endswith("SignedData.signerInfos[0].signedAttrs"), j
' "$CACHET"

# --- the rules: every id is in the registry ------------------------
"$CACHET" lint --list >rules.txt
ok "lint --list names at least 10 rules" -- test "$(wc -l <rules.txt)" -ge 10
missing=
while read -r id level _; do
	f=$top_srcdir/conformance/${id%%-*}.req
	awk -v id="$id" -v lv="$level" '$1 == "id:" && $2 == id { hit = 1; next }
		hit && $1 == "level:" { sub(/^level: */, ""); exit !($0 == lv) } END { if (!hit) exit 1 }' "$f" ||
		missing="$missing $id($level)"
done <rules.txt
ok "every rule's id exists in conformance/*.req with the same level" -- eval '[ -z "$missing" ] || { echo "not in the registry:$missing" >&2; false; }'
undocumented=
while read -r id level _; do
	grep -qxF ".It Li $id Pq $level" "$top_srcdir/doc/cachet-lint.1" || undocumented="$undocumented $id"
done <rules.txt
ok "every rule is documented in doc/cachet-lint.1 with its level" -- \
	eval '[ -z "$undocumented" ] || { echo "not in the man page:$undocumented" >&2; false; }'

# --- unreadable input: exit 3 ---------------------------------------
printf 'not a message at all' >garbage.txt
: >empty.txt
printf '\060\202\377\377\006\011' >truncated.der
cp m.txt plain.eml
for f in garbage.txt empty.txt truncated.der plain.eml "$ALICE_CRT"; do
	ok "unreadable or not S/MIME: $(basename "$f"): exit 3" -- rc_is 3 "$CACHET" lint -i "$f"
done
ok "usage error: exit 2" -- rc_is 2 "$CACHET" lint -i m.txt --no-such-option

# --- a bare CMS object is described as what it is ------------------
# It has no MIME header: neither the findings, the notes, the JSON nor
# the error chain may speak of an application/pkcs7-mime entity.
python3 -c 'import sys
body = bytes.fromhex("06092a864886f70d010701a0050403616263")
sys.stdout.buffer.write(b"\x30" + bytes([len(body)]) + body)' >data.der
# bare_as_is FILE...: text and JSON name "layer 1 (CMS)" and no media type.
bare_as_is()
{
	local f
	for f in "$@"; do
		"$CACHET" lint -i "$f" >bare.out 2>&1
		"$CACHET" lint -i "$f" --json >>bare.out 2>&1
		grep -q "layer 1 (CMS)" bare.out || { echo "$f: no layer 1 (CMS)" >&2; return 1; }
		! grep -n "pkcs7-mime" bare.out || { echo "in $f" >&2; return 1; }
	done
}
ok "bare CMS (DER and PEM): no application/pkcs7-mime in the findings, notes or JSON" -- \
	bare_as_is signed.der signed.pem noattr.der raw8.der chacha-env.der
ok "bare CMS, truncated: the error chain names the CMS input, not application/pkcs7-mime" -- \
	eval 'rc_is 3 "$CACHET" lint -i truncated.der 2>bare.err; cat bare.err >&2;
		grep -q "CMS input: the input is not a CMS ContentInfo" bare.err && ! grep -q "pkcs7-mime" bare.err'
ok "bare CMS of type id-data: the error chain names the CMS input, not application/pkcs7-mime" -- \
	eval 'rc_is 3 "$CACHET" lint -i data.der 2>bare.err; cat bare.err >&2;
		grep -q "CMS input: CMS content type id-data is not an S/MIME layer" bare.err &&
		! grep -q "pkcs7-mime" bare.err'
printf 'Content-Type: application/pkcs7-mime; smime-type=signed-data\r\nContent-Transfer-Encoding: base64\r\n\r\nMAMCAQA=\r\n' >notcms.eml
ok "control: an application/pkcs7-mime entity whose body is not CMS names its media type" -- \
	eval 'rc_is 3 "$CACHET" lint -i notcms.eml 2>bare.err; cat bare.err >&2;
		grep -q "application/pkcs7-mime: the body is not a CMS ContentInfo" bare.err'

# --- every vector: never a crash, exit 0, 1 or 3 --------------------
if [ -d "$VEC" ]; then
	bad=0 total=0
	while IFS= read -r f; do
		total=$((total + 1))
		"$CACHET" lint -i "$f" >vec.out 2>vec.err
		st=$?
		if ! { [ $st -eq 0 ] || [ $st -eq 1 ] || [ $st -eq 3 ]; } ||
			grep -q -e 'Sanitizer' -e 'runtime error' vec.err; then
			bad=$((bad + 1))
			echo "${f#"$VEC"/}: exit $st" >&2
			head -5 vec.err >&2
		fi
	done < <(find "$VEC" -type f \( -name '*.eml' -o -name '*.message' -o -name '*.p7[mscbz]' \
		-o -name '*.cms' -o -name '*.der' -o -name '*.pem' -o -name '*.bin' -o -name '*.sig' \
		-o -name '*.env' -o -name '*.msg' \) | LC_ALL=C sort)
	ok "lint over every message in the vectors ($total files): exit 0, 1 or 3, no sanitizer report" -- \
		eval '[ "$total" -gt 100 ] && [ "$bad" -eq 0 ]'

	# Golden findings for chosen vectors (reviewed once, then diffed):
	# one line each, the vector and then lint's other arguments, whose
	# file names are relative to the vectors directory too.
	RK=rfc9216-examples-cms/certs-and-keys
	while read -r v args; do
		g=$(printf '%s' "$v" | tr '/' '_').txt
		a=()
		for x in $args; do
			case $x in -*) a+=("$x") ;; *) a+=("$VEC/$x") ;; esac
		done
		"$CACHET" lint -i "$VEC/$v" "${a[@]}" >golden.out 2>/dev/null </dev/null
		echo "exit $?" >>golden.out
		if [ -n "$REGEN" ]; then
			cp golden.out "$REGEN/$g"
		fi
		ok "golden: $v" -- diff -u "$GOLDEN/$g" golden.out </dev/null
	done <<EOF
gnupg-gpgsm/text-1.osig.pem
openssl/80-test_cms_data/no_md_attr.cms
openssl/smime-eml/SignedInvalidMappingFromanyPolicyTest7.eml
autocrypt-protected-headers/smime-onepart-signed.eml
autocrypt-protected-headers/smime-multipart-signed.eml
autocrypt-protected-headers/smime-enc+legacy-disp.eml
thunderbird/smime/alice.plain.sig.SHA256.opaque.dave.dsig.SHA256.multipart.eml
bouncycastle/smime/outlook_2010_beta_sime_msg.eml
bouncycastle/smime/3nnn_smime.eml
rfc4134/4.2.bin
rfc9216-examples-cms/binary-files/authEnvelopedForBobChaCha20Poly1305.p7m --cert $RK/lamps-bob.encrypt.crt --key $RK/lamps-bob.decrypt.p8.pem
rfc9216-examples-cms/pem-encoded/encryptedForBobRSAOaep.pem --cert $RK/lamps-bob.encrypt.crt --key $RK/lamps-bob.decrypt.p8.pem
heimdal-hx509/test-enveloped-rc2-40
EOF
else
	tap_result 1 "the vectors directory $VEC exists (configure --with-vectors=DIR)"
fi

done_testing
