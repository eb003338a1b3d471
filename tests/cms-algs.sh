#!/bin/bash
# cms-algs.sh -- the algorithm identifiers and parameters of RFC 3560
# (RSAES-OAEP), RFC 4056 (RSASSA-PSS), RFC 8103 (ChaCha20-Poly1305),
# RFC 8419 (EdDSA) and RFC 3211 (PasswordRecipientInfo): what cachet
# writes, read back with derutil.py's walker, and edited messages that
# must be read or refused as those RFCs say.
#
# openssl supplies the independent parts: RSAES-OAEP ciphertexts with the
# default (SHA-1) parameters, the CEK behind cachet's own RSAES-OAEP
# (pkeyutl), RSASSA-PSS keys and certificates whose key carries
# RSASSA-PSS-params, and a 768-bit RSA recipient.  python3's hashlib
# recomputes the EdDSA messageDigest attributes.  The registry entries
# these test points are evidence for are in conformance/rfc3560.req,
# rfc4056.req, rfc8103.req, rfc8419.req and rfc3211.req.
. "$(dirname "$0")/cli-lib.sh"

require python3 openssl

printf 'Algorithm parameters: a short text to sign and encrypt.\n' >in.txt
ALICE=(--cert "$PKI/alice.crt.pem" --key "$PKI/alice.key.pem")

# alg.py COMMAND ...: the DER walking and editing of this test (derutil.py
# parses; the edits re-encode definite lengths, indefinite ones are kept).
cat >alg.py <<'PYEOF'
import base64, hashlib, os, sys
sys.path.insert(0, os.environ["top_srcdir"] + "/tests")
import derutil as d

def load(path):
    return d.parse(d.read_input(path))

def node(hexstr):
    return d.parse(bytearray.fromhex(hexstr))

def save(root, path):
    open(path, "wb").write(d.encode(root))

def oid(n):
    return d.decode_oid(n.content)

def hexof(n):
    return d.encode(n).hex()

def inner(root):
    """The EnvelopedData / AuthEnvelopedData / SignedData SEQUENCE."""
    return root.children[1].children[0]

def recipient_infos(root):
    return [c for c in inner(root).children if c.is_univ(17)][0]

def ktri(root):
    return [c for c in recipient_infos(root).children if c.is_univ(16)][0]

def pwri(root):
    return [c for c in recipient_infos(root).children if c.is_ctx(3)][0]

def enc_content_info(root):
    # the SEQUENCE after the RecipientInfos SET
    kids = inner(root).children
    i = [k for k, c in enumerate(kids) if c.is_univ(17)][0]
    return kids[i + 1]

def set_params(alg, params_hex):
    """Give AlgorithmIdentifier ALG the parameters PARAMS_HEX ("none": absent)."""
    alg.children = alg.children[:1] + ([] if params_hex == "none" else [node(params_hex)])

def signer(root):
    return d.signer_infos(d.signed_data(root)).children[0]

def signer_alg(si, which):
    """digestAlgorithm or signatureAlgorithm of SignerInfo SI."""
    algs = [c for c in si.children if c.is_univ(16)]
    return algs[1] if which == "digest" else algs[2]

def attr_value(si, attr_oid):
    attrs = [c for c in si.children if c.is_ctx(0)][0]
    for a in attrs.children:
        if oid(a.children[0]) == attr_oid:
            return a.children[1].children[0]
    raise SystemExit("no attribute " + attr_oid)

def content_of(root):
    eci = d.signed_data(root).children[2]
    oct_ = eci.children[1].children[0]
    if oct_.cons:
        return b"".join(bytes(c.content) for c in oct_.children)
    return bytes(oct_.content)

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "kea":                      # MSG: ktri keyEncryptionAlgorithm
    print(hexof(ktri(load(args[0])).children[2]))
elif cmd == "originator":             # MSG: how many certificates originatorInfo holds
    oi = [c for c in inner(load(args[0])).children if c.is_ctx(0)]
    certs = [c for c in oi[0].children if c.is_ctx(0)] if oi else []
    print(len(certs[0].children) if certs else "none")
elif cmd == "ek":                     # MSG OUT: ktri encryptedKey
    open(args[1], "wb").write(bytes(ktri(load(args[0])).children[3].content))
elif cmd == "set-kea":                # MSG PARAMS OUT
    r = load(args[0]); set_params(ktri(r).children[2], args[1]); save(r, args[2])
elif cmd == "cea":                    # MSG: contentEncryptionAlgorithm
    print(hexof(enc_content_info(load(args[0])).children[1]))
elif cmd == "cea-shape":              # MSG: OID, parameters' tag and length
    a = enc_content_info(load(args[0])).children[1]
    p = a.children[1] if len(a.children) > 1 else None
    print(oid(a.children[0]), "none" if p is None else "%02x %d" % (p.tag_bytes[0], p.clen))
elif cmd == "set-cea":                # MSG PARAMS OUT
    r = load(args[0]); set_params(enc_content_info(r).children[1], args[1]); save(r, args[2])
elif cmd == "pwri":                   # MSG: version kdf-oid kea-oid kek-cipher-oid iv-octets
    p = pwri(load(args[0]))
    kdf, kea = p.children[1], p.children[2]
    kc = kea.children[1]
    print(int.from_bytes(p.children[0].content, "big"), oid(kdf.children[0]), oid(kea.children[0]),
          oid(kc.children[0]), len(kc.children[1].content))
elif cmd == "set-pwri-kek":           # MSG CIPHER-OID-HEX OUT: the KEK cipher's OID
    r = load(args[0])
    kc = pwri(r).children[2].children[1]
    kc.children[0] = node("06%02x" % (len(args[1]) // 2) + args[1])
    save(r, args[2])
elif cmd == "smimecaps":              # MSG: each SMIMECapability, hex
    v = attr_value(signer(load(args[0])), "1.2.840.113549.1.9.15")
    print(" ".join(hexof(c) for c in v.children))
elif cmd == "signer-alg":             # MSG digest|signature
    print(hexof(signer_alg(signer(load(args[0])), args[1])))
elif cmd == "digest-algs":            # MSG: the digestAlgorithms SET
    print(" ".join(hexof(c) for c in d.signed_data(load(args[0])).children[1].children))
elif cmd == "set-signer-alg":         # MSG digest|signature ALG-HEX OUT
    r = load(args[0]); si = signer(r)
    old = signer_alg(si, args[1])
    si.children[si.children.index(old)] = node(args[2])
    save(r, args[3])
elif cmd == "md-is":                  # MSG sha512|shake256: messageDigest is that hash of the content
    r = load(args[0])
    md = bytes(attr_value(signer(r), "1.2.840.113549.1.9.4").content)
    c = content_of(r)
    want = hashlib.sha512(c).digest() if args[1] == "sha512" else hashlib.shake_256(c).digest(64)
    sys.exit(0 if md == want and len(md) == 64 else 1)
elif cmd == "spki":                   # SPKI-DER PARAMS OUT.pem: the key with other parameters
    k = load(args[0])
    set_params(k.children[0], args[1])
    b = base64.encodebytes(d.encode(k)).decode()
    open(args[2], "w").write("-----BEGIN PUBLIC KEY-----\n" + b + "-----END PUBLIC KEY-----\n")
elif cmd == "crt-spki":               # CRT ALG-OID PARAMS OUT: the certificate's key algorithm replaced
    r = load(args[0])
    tbs = r.children[0]
    spki = [c for c in tbs.children if c.is_univ(16) and c.children and c.children[0].is_univ(16)
            and c.children[-1].is_univ(3)][0]
    alg = spki.children[0]
    alg.children[0] = node("06%02x" % (len(args[1]) // 2) + args[1])
    set_params(alg, args[2])
    save(r, args[3])
elif cmd == "swap-cert":              # MSG OLD-CRT NEW-CRT-DER OUT
    r = load(args[0])
    old = bytes(d.read_input(args[1]))
    new = open(args[2], "rb").read()
    certs = [c for c in d.signed_data(r).children if c.is_ctx(0)][0]
    n = 0
    for i, c in enumerate(certs.children):
        if d.encode(c) == old:
            certs.children[i] = d.parse(bytearray(new)); n += 1
    if n != 1:
        raise SystemExit("certificate not found")
    save(r, args[3])
else:
    raise SystemExit("unknown command " + cmd)
PYEOF
alg() { python3 alg.py "$@"; }
export top_srcdir

# tlv-free spellings of the identifiers (DER, hex)
SHA1=2b0e03021a
SHA256=608648016503040201
SHA384=608648016503040202
SHA512=608648016503040203
SHAKE256=60864801650304020c
SHAKE256LEN=608648016503040212
MGF1=2a864886f70d010108
PSPEC=2a864886f70d010109

# der TAG HEX...: one TLV (short lengths: the values here are small)
der() { local t=$1; shift; local v; v=$(printf '%s' "$@"); printf '%s%02x%s' "$t" $((${#v} / 2)) "$v"; }
oid() { der 06 "$1"; }

# ---------------------------------------------------------------- RFC 3560: RSAES-OAEP
# What cachet writes: id-RSAES-OAEP with RSAES-OAEP-params holding
# hashFunc SHA-256 and MGF1 with SHA-256 (not the DEFAULTs, so present,
# each hash with NULL as RFC 4055's sha256Identifier has it) and no
# pSourceFunc: the empty label is the DEFAULT, which is omitted.
"$CACHET" encrypt --format der -i in.txt -o oaep1.der --oaep --cipher aes-128-cbc --to "$PKI/alice.crt.pem" >/dev/null 2>&1
"$CACHET" encrypt --format der -i in.txt -o oaep2.der --oaep --cipher aes-128-cbc --to "$PKI/alice.crt.pem" >/dev/null 2>&1
want=$(der 30 "$(oid 2a864886f70d010107)" \
	"$(der 30 "$(der a0 "$(der 30 "$(oid $SHA256)" 0500)")" \
		"$(der a1 "$(der 30 "$(oid $MGF1)" "$(der 30 "$(oid $SHA256)" 0500)")")")")
ok "cachet --oaep: keyEncryptionAlgorithm is id-RSAES-OAEP {hashFunc SHA-256, maskGenFunc MGF1-SHA-256}, pSourceFunc omitted" -- \
	eval '[ "$(alg kea oaep1.der)" = "$want" ]'
# The CEK: openssl pkeyutl decrypts cachet's encryptedKey with RSAES-OAEP
# (SHA-256, MGF1-SHA-256, empty label) -- the parameters are the ones
# cachet names -- and two messages carry two different keys.
cek_of()
{
	alg ek "$1" "$1.ek" && openssl pkeyutl -decrypt -inkey "$PKI/alice.key.pem" -in "$1.ek" \
		-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 |
		od -An -tx1 | tr -d ' \n'
}
ok "two cachet --oaep messages: openssl pkeyutl recovers a 16-octet CEK from each, and they differ" -- \
	eval 'c1=$(cek_of oaep1.der) && c2=$(cek_of oaep2.der) && [ ${#c1} -eq 32 ] && [ ${#c2} -eq 32 ] && [ "$c1" != "$c2" ]'

# openssl's RSAES-OAEP with its defaults (SHA-1): RSAES-OAEP-params is an
# empty SEQUENCE.  The same ciphertext under explicit spellings of the
# same defaults must decrypt; other parameters must be refused.
ok "openssl RSAES-OAEP with default parameters: openssl cms -encrypt" -- \
	openssl cms -encrypt -in in.txt -binary -outform DER -out ossl.der -aes128 \
	-recip "$PKI/alice.crt.pem" -keyopt rsa_padding_mode:oaep
ok "openssl RSAES-OAEP defaults: RSAES-OAEP-params is an empty SEQUENCE (hashFunc, maskGenFunc, pSourceFunc absent)" -- \
	eval '[ "$(alg kea ossl.der)" = "$(der 30 "$(oid 2a864886f70d010107)" 3000)" ]'
ok "openssl RSAES-OAEP defaults (absent fields): cachet decrypts" -- \
	eval '"$CACHET" decrypt -i ossl.der -o o.out "${ALICE[@]}" && cmp o.out in.txt'
explicit=$(der 30 "$(der a0 "$(der 30 "$(oid $SHA1)" 0500)")" \
	"$(der a1 "$(der 30 "$(oid $MGF1)" "$(der 30 "$(oid $SHA1)" 0500)")")" \
	"$(der a2 "$(der 30 "$(oid $PSPEC)" 0400)")")
ok "RSAES-OAEP-params with explicit id-sha1, id-mgf1 with id-sha1 and id-pSpecified with an empty P: cachet decrypts" -- \
	eval 'alg set-kea ossl.der "$explicit" explicit.der && "$CACHET" decrypt -i explicit.der -o o.out "${ALICE[@]}" && cmp o.out in.txt'
hashonly=$(der 30 "$(der a0 "$(der 30 "$(oid $SHA1)")")")
ok "RSAES-OAEP-params with hashFunc id-sha1 (parameters absent) and the rest absent: cachet decrypts" -- \
	eval 'alg set-kea ossl.der "$hashonly" hashonly.der && "$CACHET" decrypt -i hashonly.der -o o.out "${ALICE[@]}" && cmp o.out in.txt'
# refused: exit 3 and the error named
refused()
{
	local code=$1
	shift
	"$CACHET" decrypt "$@" -o r.out >/dev/null 2>r.err
	local rc=$?
	[ $rc -eq 3 ] || { echo "exit $rc, want 3" >&2; cat r.err >&2; return 1; }
	grep -Eq "\\[($code)\\]" r.err || { cat r.err >&2; return 1; }
	[ ! -e r.out ]
}
ok "id-RSAES-OAEP without parameters: refused (CACHET_E_BAD_PARAMS)" -- \
	eval 'alg set-kea ossl.der none noparams.der && refused CACHET_E_BAD_PARAMS -i noparams.der "${ALICE[@]}"'
other_p=$(der 30 "$(der a2 "$(der 30 "$(oid $MGF1)" 0400)")")
ok "pSourceFunc other than id-pSpecified: refused (CACHET_E_BAD_PARAMS)" -- \
	eval 'alg set-kea ossl.der "$other_p" otherp.der && refused CACHET_E_BAD_PARAMS -i otherp.der "${ALICE[@]}"'
other_mgf=$(der 30 "$(der a1 "$(der 30 "$(oid $PSPEC)" "$(der 30 "$(oid $SHA1)" 0500)")")")
ok "maskGenFunc other than MGF1: refused (CACHET_E_UNSUPPORTED)" -- \
	eval 'alg set-kea ossl.der "$other_mgf" othermgf.der && refused "CACHET_E_UNSUPPORTED|CACHET_E_BAD_PARAMS" -i othermgf.der "${ALICE[@]}"'

# originatorInfo beside an RSAES-OAEP recipient (RFC 3560 section 2.1:
# not used by RSAES-OAEP, but it MAY be there for other recipients).
ok "cachet --oaep --originator-certs: originatorInfo holds the certificate, alice decrypts" -- \
	eval '"$CACHET" encrypt --format der -i in.txt -o orig.der --oaep --to "$PKI/alice.crt.pem" \
			--originator-certs "$PKI/bob.crt.pem" &&
		[ "$(alg originator orig.der)" = 1 ] && [ "$(alg originator oaep1.der)" = none ] &&
		"$CACHET" decrypt -i orig.der -o o.out "${ALICE[@]}" && cmp o.out in.txt'

# A 768-bit RSA recipient: below the 1024 bits RFC 3560 section 2.2 asks.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:768 -out small.key >/dev/null 2>&1
openssl req -new -x509 -key small.key -subj '/O=Cachet Test/CN=Small' -days 3650 -out small.crt >/dev/null 2>&1
ok "a 768-bit RSA recipient: cachet encrypt --oaep refuses (CACHET_E_POLICY), writes nothing" -- \
	eval '! "$CACHET" encrypt --format der -i in.txt -o small.der --oaep --to small.crt 2>small.err &&
		grep -q "\\[CACHET_E_POLICY\\]" small.err && grep -q "1024" small.err && [ ! -e small.der ]'
# A certificate whose key is id-RSAES-OAEP (RFC 3560 section 4): cachet
# has no use for it (no RSAES-OAEP-only keys), so it is refused.
ok "a recipient certificate with an id-RSAES-OAEP key: cachet encrypt refuses it (CACHET_E_UNSUPPORTED, even with --no-cert-check)" -- \
	eval 'alg crt-spki "$PKI/alice.crt.der" 2a864886f70d010107 3000 oaepkey.crt &&
		! "$CACHET" encrypt --format der -i in.txt -o oaepkey.der --oaep --to oaepkey.crt 2>/dev/null &&
		! "$CACHET" encrypt --format der -i in.txt -o oaepkey.der --oaep --no-cert-check --to oaepkey.crt 2>oaepkey.err &&
		grep -q "\\[CACHET_E_UNSUPPORTED\\]" oaepkey.err && [ ! -e oaepkey.der ]'

# ---------------------------------------------------------------- RFC 4056: RSASSA-PSS
pss_params() # HASH MGF-HASH SALT [TRAILER]
{
	local t=""
	[ -n "${4:-}" ] && t=$(der a3 "$(der 02 "$(printf %02x "$4")")")
	der 30 "$(der a0 "$(der 30 "$(oid "$1")" 0500)")" \
		"$(der a1 "$(der 30 "$(oid $MGF1)" "$(der 30 "$(oid "$2")" 0500)")")" \
		"$(der a2 "$(der 02 "$(printf %02x "$3")")")" "$t"
}
for dg in sha256:$SHA256:32 sha384:$SHA384:48; do
	IFS=: read -r name h salt <<<"$dg"
	"$CACHET" sign --format der -i in.txt -o "pss-$name.p7" --pss --digest "$name" --chain "$CHAIN" \
		--signer "$PKI/alice.crt.pem" --key "$PKI/alice.key.pem" >/dev/null 2>&1
	ok "cachet --pss --digest $name: signatureAlgorithm is id-RSASSA-PSS with RSASSA-PSS-params {$name, MGF1-$name, salt $salt}" -- \
		eval '[ "$(alg signer-alg pss-$name.p7 signature)" = "$(der 30 "$(oid 2a864886f70d01010a)" "$(pss_params $h $h $salt)")" ]'
	ok "cachet --pss --digest $name: the SignerInfo digestAlgorithm is $name, and digestAlgorithms lists it" -- \
		eval '[ "$(alg signer-alg pss-$name.p7 digest)" = "$(der 30 "$(oid $h)")" ] &&
			[ "$(alg digest-algs pss-$name.p7)" = "$(der 30 "$(oid $h)")" ]'
done
ok "cachet --pss: the message verifies" -- verify_json pss.json 0 -i pss-sha256.p7 --trust "$ROOT"
# Edited signatureAlgorithm (outside the signature; the
# CMSAlgorithmProtection attribute then differs as well).
ok "RSASSA-PSS hashAlgorithm SHA-384 under digestAlgorithm SHA-256: signature-algorithm fails (CACHET_E_BAD_PARAMS)" -- \
	eval 'alg set-signer-alg pss-sha256.p7 signature "$(der 30 "$(oid 2a864886f70d01010a)" "$(pss_params $SHA384 $SHA256 32)")" psshash.p7 &&
		verify_json psshash.json 3 -i psshash.p7 --trust "$ROOT" &&
		report_is psshash.json check:0:signature-algorithm:code CACHET_E_BAD_PARAMS'
ok "id-RSASSA-PSS without RSASSA-PSS-params: signature-algorithm fails (CACHET_E_BAD_PARAMS)" -- \
	eval 'alg set-signer-alg pss-sha256.p7 signature "$(der 30 "$(oid 2a864886f70d01010a)")" pssnone.p7 &&
		! verify_json pssnone.json 0 -i pssnone.p7 --trust "$ROOT" &&
		report_is pssnone.json check:0:signature-algorithm:code CACHET_E_BAD_PARAMS'

# Certificates whose key is id-RSASSA-PSS with parameters (RFC 4056
# section 3): one RSA-PSS key without restrictions, certified by the test
# root under keys that carry other RSASSA-PSS-params (openssl x509
# -force_pubkey).  cachet signs with SHA-256, MGF1-SHA-256 and a 32-octet
# salt whatever the certificate says; the verifier holds the signature
# against the certificate's parameters.
openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -out pss.key >/dev/null 2>&1
openssl pkey -in pss.key -pubout -outform DER -out pss.spki >/dev/null 2>&1
openssl req -new -key pss.key -subj '/O=Cachet Test/CN=Pat' -out pss.csr >/dev/null 2>&1
printf 'keyUsage=critical,digitalSignature\nextendedKeyUsage=emailProtection\nsubjectAltName=email:pat@example.org\n' >pss.ext
serial=$((0x4000))
pss_cert() # NAME PARAMS-HEX|none
{
	serial=$((serial + 1))
	alg spki pss.spki "$2" "$1.pub.pem" &&
		openssl x509 -req -in pss.csr -CA "$ROOT" -CAkey "$PKI/root-ca.key.pem" -set_serial $serial \
			-days 3650 -extfile pss.ext -force_pubkey "$1.pub.pem" -out "$1.crt" >/dev/null 2>&1 &&
		"$CACHET" sign --format der -i in.txt -o "$1.p7" --pss --signer "$1.crt" --key pss.key >/dev/null
}
while IFS='|' read -r name params verdict desc; do
	[ -n "$name" ] || continue
	p=$(eval "echo $params")
	ok "RSA-PSS key $desc: certificate made, cachet signs" -- pss_cert "$name" "$p"
	if [ "$verdict" = pass ]; then
		ok "RSA-PSS key $desc: the signature check passes" -- \
			eval 'verify_json "$name.json" 0 -i "$name.p7" --trust "$ROOT" --certs "$name.crt" &&
				report_is "$name.json" check:0:signature:status pass'
	else
		ok "RSA-PSS key $desc: the signature check fails (CACHET_E_BAD_SIGNATURE, RFC 4056 section 3)" -- \
			eval 'verify_json "$name.json" 1 -i "$name.p7" --trust "$ROOT" --certs "$name.crt" &&
				report_is "$name.json" check:0:signature:code CACHET_E_BAD_SIGNATURE &&
				report_is "$name.json" check:0:signature:rule "RFC 4056 section 3"'
	fi
done <<'EOF'
nopar|none|pass|without parameters (no restriction)
same|$(pss_params $SHA256 $SHA256 32)|pass|with SHA-256, MGF1-SHA-256, salt 32 (as cachet signs)
salt20|$(pss_params $SHA256 $SHA256 20)|pass|with salt 20: cachet's salt of 32 is greater or equal
salt64|$(pss_params $SHA256 $SHA256 64)|fail|with salt 64: cachet's salt of 32 is shorter
hash384|$(pss_params $SHA384 $SHA384 32)|fail|with hashAlgorithm SHA-384: not the signature's SHA-256
mgfsha1|$(pss_params $SHA256 $SHA1 32)|fail|with MGF1-SHA-1: not the signature's MGF1-SHA-256
defaults|$(der 30 "$(der a2 "$(der 02 20)")")|fail|with the DEFAULT hash (SHA-1, absent): not the signature's SHA-256
EOF
# trailerField: only 1 (trailerFieldBC) is defined, and no tool makes a
# key with another; the certificate of "same" is rewritten with
# trailerField 2 (its issuer's signature no longer holds) and put in
# place of the signer's certificate in same.p7.
ok "RSA-PSS key with trailerField 2 (the signature's is 1): the signature check fails" -- \
	eval 'alg crt-spki same.crt 2a864886f70d01010a "$(pss_params $SHA256 $SHA256 32 2)" trailer2.der &&
		alg swap-cert same.p7 same.crt trailer2.der trailer2.p7 &&
		verify_json trailer2.json 1 -i trailer2.p7 --trust "$ROOT" &&
		report_is trailer2.json check:0:signature:status fail'

# ---------------------------------------------------------------- RFC 8103: ChaCha20-Poly1305
CHACHA=2a864886f70d0109100312
"$CACHET" encrypt --format der -i in.txt -o cc1.der --oaep --cipher chacha20-poly1305 --to "$PKI/alice.crt.pem" >/dev/null 2>&1
"$CACHET" encrypt --format der -i in.txt -o cc2.der --oaep --cipher chacha20-poly1305 --to "$PKI/alice.crt.pem" >/dev/null 2>&1
ok "cachet ChaCha20-Poly1305: contentEncryptionAlgorithm is id-alg-AEADChaCha20Poly1305 with a 12-octet AEADChaCha20Poly1305Nonce" -- \
	eval '[ "$(alg cea-shape cc1.der)" = "1.2.840.113549.1.9.16.3.18 04 12" ]'
ok "two ChaCha20-Poly1305 messages: different nonces and different 32-octet CEKs (openssl pkeyutl)" -- \
	eval '[ "$(alg cea cc1.der)" != "$(alg cea cc2.der)" ] && c1=$(cek_of cc1.der) && c2=$(cek_of cc2.der) &&
		[ ${#c1} -eq 64 ] && [ ${#c2} -eq 64 ] && [ "$c1" != "$c2" ]'
ok "ChaCha20-Poly1305 control: cachet decrypts its message" -- \
	eval '"$CACHET" decrypt -i cc1.der -o o.out "${ALICE[@]}" && cmp o.out in.txt'
ok "ChaCha20-Poly1305 without parameters: refused (CACHET_E_BAD_PARAMS)" -- \
	eval 'alg set-cea cc1.der none ccnone.der && refused CACHET_E_BAD_PARAMS -i ccnone.der "${ALICE[@]}"'
ok "ChaCha20-Poly1305 with an 8-octet nonce: refused (CACHET_E_BAD_PARAMS)" -- \
	eval 'alg set-cea cc1.der 04080001020304050607 cc8.der && refused CACHET_E_BAD_PARAMS -i cc8.der "${ALICE[@]}"'
ok "ChaCha20-Poly1305 with a NULL where the nonce goes: refused (CACHET_E_MALFORMED)" -- \
	eval 'alg set-cea cc1.der 0500 ccnull.der && refused "CACHET_E_MALFORMED|CACHET_E_BAD_PARAMS" -i ccnull.der "${ALICE[@]}"'
# SMIMECapabilities (RFC 8103 section 4): the capability is the OID with
# the parameters omitted.
"$CACHET" sign --format der -i in.txt -o caps.p7 --signer "$PKI/alice.crt.pem" --key "$PKI/alice.key.pem" >/dev/null 2>&1
ok "cachet's SMIMECapabilities announce ChaCha20-Poly1305 as 300d060b2a864886f70d0109100312 (parameters omitted)" -- \
	eval 'alg smimecaps caps.p7 | tr " " "\n" | grep -qx "$(der 30 "$(oid $CHACHA)")"'

# ---------------------------------------------------------------- RFC 8419: EdDSA
sign_as erin ed25519.p7 --chain "$CHAIN" >/dev/null 2>&1
sign_as frank ed448.p7 --chain "$CHAIN" >/dev/null 2>&1
ok "Ed25519 (erin): digestAlgorithm id-sha512 with absent parameters, in the SignerInfo and in digestAlgorithms" -- \
	eval '[ "$(alg signer-alg ed25519.p7 digest)" = "$(der 30 "$(oid $SHA512)")" ] &&
		[ "$(alg digest-algs ed25519.p7)" = "$(der 30 "$(oid $SHA512)")" ]'
ok "Ed25519 (erin): signatureAlgorithm id-Ed25519 with absent parameters" -- \
	eval '[ "$(alg signer-alg ed25519.p7 signature)" = "$(der 30 "$(oid 2b6570)")" ]'
ok "Ed25519 (erin): the messageDigest attribute is SHA-512 of the content (python hashlib)" -- \
	alg md-is ed25519.p7 sha512
ok "Ed448 (frank): digestAlgorithm id-shake256-len with the parameter 512, in the SignerInfo and in digestAlgorithms" -- \
	eval '[ "$(alg signer-alg ed448.p7 digest)" = "$(der 30 "$(oid $SHAKE256LEN)" 02020200)" ] &&
		[ "$(alg digest-algs ed448.p7)" = "$(der 30 "$(oid $SHAKE256LEN)" 02020200)" ]'
ok "Ed448 (frank): signatureAlgorithm id-Ed448 with absent parameters" -- \
	eval '[ "$(alg signer-alg ed448.p7 signature)" = "$(der 30 "$(oid 2b6571)")" ]'
ok "Ed448 (frank): the messageDigest attribute is SHAKE256 of the content, 512 bits (python hashlib)" -- \
	alg md-is ed448.p7 shake256
ok "Ed25519 and Ed448: both messages verify" -- \
	eval 'verify_json e1.json 0 -i ed25519.p7 --trust "$ROOT" && verify_json e2.json 0 -i ed448.p7 --trust "$ROOT"'
# Edited SignerInfo digestAlgorithm (the CMSAlgorithmProtection attribute
# then differs as well; the digest-algorithm check must fail on its own).
while IFS='|' read -r msg alg desc; do
	[ -n "$msg" ] || continue
	a=$(eval "echo $alg")
	ok "$desc: digest-algorithm fails (CACHET_E_BAD_PARAMS)" -- \
		eval 'alg set-signer-alg $msg.p7 digest "$a" ed-edit.p7 &&
			! verify_json ed-edit.json 0 -i ed-edit.p7 --trust "$ROOT" &&
			report_is ed-edit.json check:0:digest-algorithm:status fail &&
			report_is ed-edit.json check:0:digest-algorithm:code CACHET_E_BAD_PARAMS'
done <<'EOF'
ed448|$(der 30 "$(oid $SHAKE256)" 02020200)|Ed448 with signed attributes and id-shake256 (not id-shake256-len)
ed448|$(der 30 "$(oid $SHAKE256LEN)" 02020100)|Ed448 with id-shake256-len and the parameter 256
ed448|$(der 30 "$(oid $SHAKE256LEN)")|Ed448 with id-shake256-len without its parameter
ed25519|$(der 30 "$(oid $SHA256)")|Ed25519 with id-sha256
ed25519|$(der 30 "$(oid $SHA512)" 020100)|Ed25519 with id-sha512 and an INTEGER parameter
EOF
ok "Ed25519 with id-sha512 and NULL parameters: valid, with an info check naming RFC 8419 section 2.3" -- \
	eval 'alg set-signer-alg ed25519.p7 digest "$(der 30 "$(oid $SHA512)" 0500)" ed-null.p7 &&
		verify_json ed-null.json 0 -i ed-null.p7 --trust "$ROOT" &&
		report_is ed-null.json check:0:digest-algorithm-parameters:status info &&
		report_is ed-null.json check:0:digest-algorithm-parameters:rule "RFC 8419 section 2.3"'

# ---------------------------------------------------------------- RFC 3211: PWRI
"$CACHET" encrypt --format der -i in.txt -o pw.der --password pwri-test-password --iterations 1000 \
	--cipher aes-128-cbc >/dev/null 2>&1
ok "cachet --password: PasswordRecipientInfo version 0, PBKDF2, id-alg-PWRI-KEK with aes128-CBC and a 16-octet IV" -- \
	eval '[ "$(alg pwri pw.der)" = "0 1.2.840.113549.1.5.12 1.2.840.113549.1.9.16.3.9 2.16.840.1.101.3.4.1.2 16" ]'
ok "cachet --password: the password opens it" -- \
	eval '"$CACHET" decrypt -i pw.der -o o.out --password pwri-test-password && cmp o.out in.txt'
# Key-encryption ciphers other than CBC (RFC 3211 section 2.2: no
# keystream generator, no ECB): the KEK cipher's OID is changed.
while IFS='|' read -r name o; do
	[ -n "$name" ] || continue
	ok "pwri with $name as the KEK cipher: refused" -- \
		eval 'alg set-pwri-kek pw.der $o pwk.der &&
			refused "CACHET_E_UNKNOWN_OID|CACHET_E_UNSUPPORTED" -i pwk.der --password pwri-test-password'
done <<'EOF'
AES-128-ECB|608648016503040101
AES-128-OFB|608648016503040103
AES-128-CFB|608648016503040104
EOF

done_testing
