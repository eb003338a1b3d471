/* ri-kari.c -- KeyAgreeRecipientInfo (RFC 5652 section 6.2.2).
 *
 *   KeyAgreeRecipientInfo ::= SEQUENCE {
 *     version CMSVersion,  -- always set to 3
 *     originator [0] EXPLICIT OriginatorIdentifierOrKey,
 *     ukm [1] EXPLICIT UserKeyingMaterial OPTIONAL,
 *     keyEncryptionAlgorithm KeyEncryptionAlgorithmIdentifier,
 *     recipientEncryptedKeys RecipientEncryptedKeys }
 *
 * Ephemeral-static ECDH on P-256, P-384 and P-521 with the X9.63 KDF
 * (RFC 5753 sections 3.1 and 7.2), and X25519 / X448 with HKDF or the
 * X9.63 KDF (RFC 8418 section 2).  The key-encryption algorithm is one
 * of the key-agreement schemes; its parameters are the KeyWrapAlgorithm,
 * AES key wrap (RFC 3394, RFC 3565 section 2.3.2).  The KEK comes from
 *
 *   KDF(Z, DER(ECC-CMS-SharedInfo { keyInfo = KeyWrapAlgorithm,
 *                                   entityUInfo = ukm (when present),
 *                                   suppPubInfo = KEK length in bits }))
 *
 * (RFC 5753 section 7.2; RFC 8418 sections 2.1 and 2.2, where HKDF's salt
 * is the ukm when present).  keyInfo is the KeyWrapAlgorithm exactly as
 * the message carries it: OpenSSL 1.x wrote the AES wraps with NULL
 * parameters and derived its KEK over that encoding, so reading it back
 * verbatim is what interoperates (and for a conforming message it is the
 * absent-parameters form the RFCs describe).
 *
 * Static-static originators (issuerAndSerialNumber / subjectKeyIdentifier,
 * RFC 6278) are outside S/MIME 4.0: read and described, and refused with
 * CACHET_E_UNSUPPORTED when one of our keys matches.
 */
#include "ri-int.h"

#include "ber.h"

#define RULE_ECDH "RFC 5753 section 3.1.1"
#define RULE_XDH "RFC 8418 section 3.2"
#define RULE_SHARED "RFC 5753 section 7.2"
#define RULE_WRAP "RFC 3565 section 2.3.2"

typedef struct {
	unsigned version;
	char originator[32];	 /* the OriginatorIdentifierOrKey alternative */
	bool has_key;		 /* originatorKey */
	ri_alg_t oalg;		 /* originatorKey.algorithm */
	cachet_alg_id_t curve;	 /* of the originator's key */
	cbuf_t pub;		 /* ECPoint, or the raw X25519/X448 key */
	bool has_ukm;
	cbuf_t ukm;
	ri_alg_t kea;		 /* the key-agreement scheme */
	asn1_node wrapnode;
	ri_alg_t wrap;		 /* KeyWrapAlgorithm (points into kea.params) */
	size_t keklen;
	unsigned nrek;
} kari_t;

static void kari_free(kari_t *k)
{
	_cachet_buf_free(&k->pub);
	_cachet_buf_free(&k->ukm);
	_cachet_asn1_delete(&k->wrapnode, false);
}

/* The curve of an uncompressed ECPoint from its length (RFC 5480 section
 * 2.2: 04 || X || Y). */
static cachet_alg_id_t ec_curve_of_point(const uint8_t *p, size_t n)
{
	if (n < 1 || p[0] != 0x04)
		return CACHET_ALG_NONE;
	switch (n) {
	case 65:
		return CACHET_ALG_P256;
	case 97:
		return CACHET_ALG_P384;
	case 133:
		return CACHET_ALG_P521;
	default:
		return CACHET_ALG_NONE;
	}
}

static const char *curve_name(cachet_alg_id_t c)
{
	const cachet_alg_t *a = _cachet_alg_by_id(c);

	return a != NULL ? a->name : "?";
}

/* originatorKey: OriginatorPublicKey { algorithm, publicKey BIT STRING }. */
static int parse_originator_key(const ri_t *ri, kari_t *k, cachet_diag_t *diag)
{
	const uint8_t *raw, *v;
	size_t rawlen, vlen, tot;
	uint8_t ident;
	char where[256];
	int ret;

	_cachet_ri_where(ri, "originator.originatorKey", where, sizeof(where));
	ret = _cachet_ri_alg(ri->node, ri->der, ri->len, "kari.originator.originatorKey.algorithm",
			     &k->oalg);
	if (ret < 0)
		return _cachet_ri_missing(ri, "originator.originatorKey.algorithm", RULE_KARI, diag);
	ret = _cachet_ri_raw(ri->node, ri->der, ri->len, "kari.originator.originatorKey.publicKey",
			     &raw, &rawlen);
	if (ret < 0)
		return _cachet_ri_missing(ri, "originator.originatorKey.publicKey", RULE_KARI, diag);
	/* A BIT STRING of whole octets (unused-bits octet 0). */
	ret = _cachet_der_parse(raw, rawlen, &ident, &v, &vlen, &tot);
	ENSURE(ret == 0 && ident == BER_TAG_BIT_STRING && tot == rawlen && vlen >= 2 && v[0] == 0,
	       CACHET_E_MALFORMED, RULE_KARI, where,
	       "publicKey is not a DER BIT STRING of whole octets");
	CHECK(_cachet_buf_append(&k->pub, v + 1, vlen - 1));

	ENSURE(k->oalg.alg != NULL, CACHET_E_UNKNOWN_OID, RULE_KARI, where,
	       "originator key algorithm %s is not known", k->oalg.oid);
	switch (k->oalg.alg->id) {
	case CACHET_ALG_EC_PUBLIC_KEY:
		/* "The parameters associated with id-ecPublicKey MUST be
		 * absent, ECParameters, or NULL ... If the parameters are
		 * ECParameters, then they MUST be namedCurve" (RFC 5753
		 * section 3.1.1); "If ECParameters is present, its value
		 * MUST match the recipient's ECParameters" (section 7.1.2).
		 * The point: uncompressed is read, compressed is not (MAY),
		 * hybrid never (MUST NOT; section 7.2).
		 * [rfc5753-3.1.1-params] [rfc5753-3.1.1-namedcurve]
		 * [rfc5753-7.1.2-accept-absent-ecparameters]
		 * [rfc5753-7.1.2-ecparameters-match] [rfc5753-7.1.2-null-optional]
		 * [rfc5753-7.2-uncompressed] [rfc5753-7.2-compressed-may]
		 * [rfc5753-7.2-no-hybrid] */
		ENSURE(k->pub.size < 1 || (k->pub.data[0] != 0x02 && k->pub.data[0] != 0x03),
		       CACHET_E_UNSUPPORTED, "RFC 5753 section 7.2", where,
		       "compressed EC points are not supported (MAY, RFC 5753 section 7.2)");
		k->curve = ec_curve_of_point(k->pub.data, k->pub.size);
		ENSURE(k->curve != CACHET_ALG_NONE, CACHET_E_BAD_KEY, "RFC 5480 section 2.2", where,
		       "an ECPoint of %zu octets is no uncompressed point on P-256, P-384 "
		       "or P-521",
		       k->pub.size);
		if (!_cachet_ri_params_is_absent_or_null(&k->oalg)) {
			char oid[128];
			const cachet_alg_t *c = NULL;

			ret = _cachet_der_parse(k->oalg.params, k->oalg.plen, &ident, &v, &vlen, &tot);
			if (ret == 0 && ident == BER_TAG_OID && tot == k->oalg.plen &&
			    _cachet_oid_to_str(v, vlen, oid, sizeof(oid)) == 0)
				c = _cachet_alg_by_oid(oid);
			ENSURE(c != NULL && c->kind == ALG_KIND_CURVE, CACHET_E_BAD_PARAMS, RULE_ECDH,
			       where, "id-ecPublicKey parameters are neither absent, NULL nor a "
				      "known namedCurve");
			ENSURE(c->id == k->curve, CACHET_E_BAD_PARAMS, "RFC 5753 section 7.1.2",
			       where, "namedCurve %s does not match the %s point", c->name,
			       curve_name(k->curve));
		}
		break;
	case CACHET_ALG_X25519:
	case CACHET_ALG_X448:
		/* RFC 8410 section 3: "the parameters MUST be absent";
		 * RFC 8418 section 3.2: "When using X25519, the public key
		 * contains exactly 32 octets ... When using X448, the public
		 * key contains exactly 56 octets".
		 * [rfc8418-3.2-originator-x25519] [rfc8418-3.2-octet-string] */
		k->curve = k->oalg.alg->id;
		ENSURE(k->oalg.params == NULL, CACHET_E_BAD_PARAMS, "RFC 8410 section 3", where,
		       "%s with parameters", k->oalg.alg->name);
		ENSURE(k->pub.size == (k->curve == CACHET_ALG_X25519 ? 32u : 56u),
		       CACHET_E_BAD_KEY, RULE_XDH, where, "%s public key of %zu octets",
		       k->oalg.alg->name, k->pub.size);
		break;
	default:
		FAIL(CACHET_E_UNSUPPORTED, RULE_ECDH, where,
		     "%s is not an originator key algorithm Cachet supports", k->oalg.alg->name);
	}
	ret = 0;
cleanup:
	return ret;
}

static bool is_hkdf(cachet_alg_id_t id)
{
	return id == CACHET_ALG_ECDH_HKDF_SHA256 || id == CACHET_ALG_ECDH_HKDF_SHA384 ||
	       id == CACHET_ALG_ECDH_HKDF_SHA512;
}

static size_t wrap_key_len(cachet_alg_id_t id)
{
	switch (id) {
	case CACHET_ALG_AES128_WRAP:
		return 16;
	case CACHET_ALG_AES192_WRAP:
		return 24;
	case CACHET_ALG_AES256_WRAP:
	case CACHET_ALG_CMS3DES_WRAP: /* legacy, a 3DES CEK (RFC 3370 section 4.3.1) */
		return id == CACHET_ALG_AES256_WRAP ? 32 : 24;
	default:
		return 0;
	}
}

/* The structure: version, the originator's alternative, ukm, the
 * algorithm identifiers as read, the number of RecipientEncryptedKeys.
 * Whether Cachet supports the algorithms is kari_check's question, so
 * that describe can list every rid first and open can say END for a
 * KeyAgreeRecipientInfo that is not ours. */
static int kari_parse(const ri_t *ri, kari_t *k, cachet_diag_t *diag)
{
	char where[256];
	cbuf_t ch = {0};
	int ret;

	memset(k, 0, sizeof(*k));
	/* "version is the syntax version number.  It MUST always be 3."
	 * [rfc5753-3.1.1-version] [rfc8418-3.2-version] */
	CHECK(_cachet_ri_version(ri, 3, RULE_KARI, &k->version, diag));

	ret = _cachet_asn1_read(ri->node, "kari.originator", &ch);
	if (ret < 0 || ch.size == 0 || ch.size >= sizeof(k->originator)) {
		ret = _cachet_ri_missing(ri, "originator", RULE_KARI, diag);
		goto cleanup;
	}
	memcpy(k->originator, ch.data, ch.size);
	k->originator[ch.size] = '\0';
	k->has_key = strcmp(k->originator, "originatorKey") == 0;

	ret = _cachet_asn1_read(ri->node, "kari.ukm", &k->ukm);
	if (ret == 0)
		k->has_ukm = true;
	else if (ret != CACHET_E_END)
		FAIL(CACHET_E_MALFORMED, RULE_KARI, _cachet_ri_where(ri, "ukm", where, sizeof(where)),
		     "ukm cannot be read");

	ret = _cachet_ri_alg(ri->node, ri->der, ri->len, "kari.keyEncryptionAlgorithm", &k->kea);
	if (ret < 0) {
		ret = _cachet_ri_missing(ri, "keyEncryptionAlgorithm", RULE_KARI, diag);
		goto cleanup;
	}
	if (k->kea.params != NULL) {
		_cachet_ri_where(ri, "keyEncryptionAlgorithm.parameters", where, sizeof(where));
		CHECK(_cachet_asn1_decode("CachetAlgs.AlgorithmIdentifier", k->kea.params, k->kea.plen,
					  false, &k->wrapnode, where, "RFC 5753 section 7.1.4", diag));
		ret = _cachet_ri_alg(k->wrapnode, k->kea.params, k->kea.plen, "", &k->wrap);
		ENSURE(ret == 0, CACHET_E_MALFORMED, "RFC 5753 section 7.1.4", where,
		       "the KeyWrapAlgorithm does not decode");
		k->keklen = k->wrap.alg != NULL ? wrap_key_len(k->wrap.alg->id) : 0;
	}

	CHECK(_cachet_asn1_count(ri->node, "kari.recipientEncryptedKeys", &k->nrek));
	_cachet_ri_where(ri, "recipientEncryptedKeys", where, sizeof(where));
	ENSURE(k->nrek >= 1, CACHET_E_MALFORMED, RULE_KARI, where,
	       "no RecipientEncryptedKey");
	ENSURE(k->nrek <= CACHET_MAX_RECIPIENTS, CACHET_E_COUNT_LIMIT, RULE_KARI, where,
	       "%u RecipientEncryptedKeys, Cachet reads at most %d", k->nrek,
	       CACHET_MAX_RECIPIENTS);
	ret = 0;
cleanup:
	_cachet_buf_free(&ch);
	return ret;
}

/* What Cachet can use: an ephemeral originatorKey it supports, a
 * key-agreement scheme whose parameters are an AES key wrap. */
static int kari_check(const ri_t *ri, kari_t *k, cachet_diag_t *diag)
{
	char where[256];
	int ret;

	/* The dhSinglePass schemes are ephemeral-static: "originator MUST
	 * be the alternative originatorKey" (RFC 5753 section 3.1.1; RFC
	 * 8418 section 2 likewise).  Static-static agreement (RFC 6278) is
	 * outside S/MIME 4.0 (RFC 8551 section 2.3) and refused as such.
	 * [rfc5753-3.1.1-originatorkey] [rfc8418-3.2-originatorkey] */
	ENSURE(k->has_key, CACHET_E_UNSUPPORTED, RULE_ECDH,
	       _cachet_ri_where(ri, "originator", where, sizeof(where)),
	       "the originator is identified by %s (static-static key agreement, RFC 6278); "
	       "S/MIME 4.0 key agreement is ephemeral-static, with an originatorKey",
	       k->originator);
	if (k->curve == CACHET_ALG_NONE)
		CHECK(parse_originator_key(ri, k, diag));
	/* keyEncryptionAlgorithm: a key-agreement scheme whose parameters
	 * are the KeyWrapAlgorithm (RFC 5753 section 7.1.4, RFC 8418
	 * section 2).  1-Pass ECMQV is known and refused (OPTIONAL, RFC 5753
	 * section 8); the cofactorDH schemes are read (for P-256, P-384
	 * and P-521 the cofactor is 1).  [rfc5753-3.1.1-kea]
	 * [rfc5753-8-cofactor-optional] [rfc5753-8-mqv-optional] */
	_cachet_ri_where(ri, "keyEncryptionAlgorithm", where, sizeof(where));
	ENSURE(k->kea.alg != NULL, CACHET_E_UNKNOWN_OID, "RFC 5753 section 7.1.4", where,
	       "key-agreement algorithm %s is not known", k->kea.oid);
	ENSURE(k->kea.alg->kind == ALG_KIND_KEY_AGREE, CACHET_E_UNSUPPORTED,
	       "RFC 5753 section 7.1.4", where, "%s is not a key-agreement scheme",
	       k->kea.alg->name);
	ENSURE(!(k->kea.alg->flags & ALG_F_UNSUPPORTED), CACHET_E_UNSUPPORTED,
	       k->kea.alg->rule, where, "%s is known but not supported (ECDH and X25519/X448 are)",
	       k->kea.alg->name);
	ENSURE(k->kea.params != NULL, CACHET_E_BAD_PARAMS, "RFC 5753 section 7.1.4", where,
	       "%s without its KeyWrapAlgorithm", k->kea.alg->name);
	ENSURE(k->keklen != 0, k->wrap.alg ? CACHET_E_UNSUPPORTED : CACHET_E_UNKNOWN_OID,
	       "RFC 8551 section 2.7", where,
	       "key wrap %s is not supported (aes128-wrap, aes192-wrap, aes256-wrap; "
	       "id-alg-CMS3DESwrap with the legacy policy)",
	       _cachet_ri_alg_name(&k->wrap));
	/* RFC 3565 section 2.3.2: "the parameters field MUST be absent";
	 * NULL is what OpenSSL 1.x wrote and is read too. */
	ENSURE(_cachet_ri_params_is_absent_or_null(&k->wrap), CACHET_E_BAD_PARAMS, RULE_WRAP,
	       where, "%s with parameters", k->wrap.alg->name);
	ret = 0;
cleanup:
	return ret;
}

static void kari_alg_text(const kari_t *k, char *buf, size_t n)
{
	char extra[96] = "";

	if (k->has_key && k->curve != CACHET_ALG_NONE)
		snprintf(extra, sizeof(extra), ", ephemeral %s key", curve_name(k->curve));
	else if (k->originator[0] != '\0' && !k->has_key)
		snprintf(extra, sizeof(extra), ", static originator by %s (not supported)",
			 k->originator);
	snprintf(buf, n, "%s + %s%s", k->kea.oid[0] ? _cachet_ri_alg_name(&k->kea) : "?",
		 k->wrap.oid[0] ? _cachet_ri_alg_name(&k->wrap) : "?", extra);
	if (k->has_ukm) {
		size_t l = strlen(buf);

		snprintf(buf + l, n - l, ", ukm of %zu octets", k->ukm.size);
	}
}

static const char *rek_node(unsigned i, const char *what, char *buf, size_t n)
{
	snprintf(buf, n, "recipientEncryptedKeys.?%u.%s", i, what);
	return buf;
}

int _cachet_ri_kari_describe(const ri_t *ri, cachet_ri_info_t *info, cachet_diag_t *diag)
{
	char name[96], text[384];
	ri_rid_t rid;
	unsigned i;
	kari_t k;
	int ret = kari_parse(ri, &k, diag);

	info->version = k.version;
	if (ret < 0)
		goto cleanup;
	for (i = 1; i <= k.nrek; i++) {
		CHECK(_cachet_ri_rid_read(ri, rek_node(i, "rid", name, sizeof(name)), "rKeyId", &rid,
					  RULE_KARI, diag));
		_cachet_ri_rid_text(&rid, text, sizeof(text));
		_cachet_ri_rid_free(&rid);
		_cachet_ri_append(info->rid, sizeof(info->rid), text);
	}
	/* Static-static is described, not refused. */
	ret = k.has_key ? kari_check(ri, &k, diag) : 0;
cleanup:
	if (k.kea.oid[0] != '\0')
		kari_alg_text(&k, info->alg, sizeof(info->alg));
	kari_free(&k);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The KEK, shared by both directions (a pure helper) */

/* DER ECC-CMS-SharedInfo (RFC 5753 section 7.2) into OUT. */
static int shared_info(cbuf_t *out, const uint8_t *keyinfo, size_t kilen, const uint8_t *ukm,
		       size_t ukmlen, bool has_ukm, size_t keklen)
{
	uint8_t bits[4];
	size_t off = out->size, p;
	uint32_t b = (uint32_t)keklen * 8u;
	int ret;

	/* keyInfo: "the object identifier of the key-encryption algorithm
	 * (used to wrap the CEK) and associated parameters" */
	CHECK(_cachet_buf_append(out, keyinfo, kilen));
	if (has_ukm) {
		/* entityUInfo [0] EXPLICIT: "the octet string ukm" */
		p = out->size;
		CHECK(_cachet_der_append(out, BER_TAG_OCTET_STRING, ukm, ukmlen));
		CHECK(_cachet_der_wrap(out, p, 0xa0));
	}
	/* suppPubInfo [2] EXPLICIT: "the length of the generated KEK, in
	 * bits, represented as a 32-bit number" */
	bits[0] = (uint8_t)(b >> 24);
	bits[1] = (uint8_t)(b >> 16);
	bits[2] = (uint8_t)(b >> 8);
	bits[3] = (uint8_t)b;
	p = out->size;
	CHECK(_cachet_der_append(out, BER_TAG_OCTET_STRING, bits, sizeof(bits)));
	CHECK(_cachet_der_wrap(out, p, 0xa2));
	CHECK(_cachet_der_wrap(out, off, 0x30));
cleanup:
	return ret;
}

/* KEK (KEKLEN octets) from the shared secret Z with the scheme SCHEME:
 * the X9.63 KDF over Z || counter || SharedInfo (RFC 5753 section 7.2,
 * RFC 8418 section 2.1), or HKDF with the ukm as salt and SharedInfo as
 * info (RFC 8418 section 2.2).  The ukm, when present, is processed
 * [rfc5753-3.1.1-ukm-must-process] [rfc8418-9-ukm]. */
static int derive_kek(const cachet_alg_t *scheme, const uint8_t *z, size_t zlen,
		      const uint8_t *keyinfo, size_t kilen, const uint8_t *ukm, size_t ukmlen,
		      bool has_ukm, uint8_t *kek, size_t keklen)
{
	cbuf_t info = {0};
	int ret;

	CHECK(shared_info(&info, keyinfo, kilen, ukm, ukmlen, has_ukm, keklen));
	if (is_hkdf(scheme->id))
		/* "if ukm is provided, then salt = ukm, else salt is not
		 * provided" (RFC 8418 section 2.2) */
		ret = _cachet_hkdf(scheme->hash, has_ukm ? ukm : NULL, has_ukm ? ukmlen : 0, z,
				   zlen, info.data, info.size, kek, keklen, NULL);
	else
		ret = _cachet_kdf_x963(scheme->hash, z, zlen, info.data, info.size, kek, keklen,
				       NULL);
cleanup:
	_cachet_buf_free(&info);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Opening */

/* Does private key KEY fit the originator's curve? */
static bool key_fits(const kari_t *k, const cachet_privkey_t *key)
{
	switch (_cachet_privkey_type(key)) {
	case CACHET_PK_EC:
		return _cachet_privkey_curve(key) == k->curve;
	case CACHET_PK_X25519:
		return k->curve == CACHET_ALG_X25519;
	case CACHET_PK_X448:
		return k->curve == CACHET_ALG_X448;
	default:
		return false;
	}
}

/* One attempt: recipient key KEY for RecipientEncryptedKey I. */
static int try_key(const ri_t *ri, const kari_t *k, unsigned i, const cachet_privkey_t *key,
		   const cachet_ri_keys_t *keys, size_t ceklen, uint8_t *cek,
		   cachet_diag_t *diag)
{
	uint8_t z[CACHET_KEX_SECRET_MAX], kek[32];
	char node[96], full[128];
	size_t zlen = 0, outlen = 0;
	cbuf_t ek = {0};
	int ret;

	snprintf(full, sizeof(full), "kari.%s", rek_node(i, "encryptedKey", node, sizeof(node)));
	ret = _cachet_asn1_read(ri->node, full, &ek);
	if (ret < 0) {
		ret = _cachet_ri_missing(ri, rek_node(i, "encryptedKey", node, sizeof(node)),
					 RULE_KARI, diag);
		goto cleanup;
	}
	/* RFC 3394 wraps the CEK into CEKLEN + 8 octets, RFC 3217 a 3DES
	 * key into 40: anything else cannot unwrap to the key the content
	 * cipher needs. */
	if (k->wrap.alg->id == CACHET_ALG_CMS3DES_WRAP ? ceklen != 24 || ek.size != CACHET_DES3_KW_LEN
						       : !_cachet_add_ok(ceklen, 8, ek.size) || ek.size != ceklen + 8) {
		ret = _cachet_ri_unwrap_failed(ri, keys, "encryptedKey length", diag);
		goto cleanup;
	}
	/* An off-curve point (CACHET_E_BAD_KEY) or an all-zero XDH result
	 * are unwrap failures like any other (ri.h). */
	ret = _cachet_kex_derive(key, k->pub.data, k->pub.size, z, sizeof(z), &zlen, NULL);
	if (ret < 0) {
		ret = _cachet_ri_unwrap_failed(ri, keys, "key agreement with the originator key",
					       diag);
		goto cleanup;
	}
	ret = derive_kek(k->kea.alg, z, zlen, k->wrap.raw, k->wrap.rawlen, k->ukm.data,
			 k->ukm.size, k->has_ukm, kek, k->keklen);
	if (ret < 0) {
		ret = _cachet_ri_unwrap_failed(ri, keys, "key derivation", diag);
		goto cleanup;
	}
	if (k->wrap.alg->id == CACHET_ALG_CMS3DES_WRAP) {
		ret = _cachet_des3_kw_unwrap(kek, ek.data, ek.size, cek);
		if (ret < 0)
			ret = _cachet_ri_unwrap_failed(ri, keys, "Triple-DES key unwrap (checksum or parity)",
						       diag);
		goto cleanup;
	}
	ret = _cachet_aes_kw_unwrap(kek, k->keklen, ek.data, ek.size, cek, ceklen, &outlen, NULL);
	if (ret < 0 || outlen != ceklen)
		ret = _cachet_ri_unwrap_failed(ri, keys, "AES key unwrap (integrity check)", diag);
cleanup:
	WIPE_BUFFER(z);
	WIPE_BUFFER(kek);
	_cachet_buf_free(&ek);
	return ret;
}

int _cachet_ri_kari_open(const ri_t *ri, const cachet_ri_keys_t *keys, size_t ceklen,
			 uint8_t *cek, cachet_diag_t *diag)
{
	bool matched = false, wrong_key = false;
	char name[96], where[256];
	int ret, last = CACHET_E_END;
	ri_rid_t rid;
	unsigned i;
	size_t j;
	kari_t k;

	CHECK(kari_parse(ri, &k, diag));
	for (i = 1; i <= k.nrek; i++) {
		CHECK(_cachet_ri_rid_read(ri, rek_node(i, "rid", name, sizeof(name)), "rKeyId", &rid,
					  RULE_KARI, diag));
		for (j = 0; j < keys->nck; j++) {
			const cachet_ri_certkey_t *ck = &keys->ck[j];

			if (ck->key == NULL || !_cachet_ri_rid_matches(&rid, ck->crt))
				continue;
			/* A RecipientEncryptedKey is ours: now what Cachet
			 * cannot do is worth a frame. */
			if (!matched) {
				matched = true;
				ret = kari_check(ri, &k, diag);
				if (ret < 0) {
					_cachet_ri_rid_free(&rid);
					goto cleanup;
				}
			}
			/* "The originator MUST use an ephemeral public/private
			 * key pair that is generated on the same elliptic curve
			 * as the public key of the recipient" (RFC 8418 section
			 * 2); a key on another curve cannot be the one meant.
			 * [rfc8418-2-ephemeral-same-curve] */
			if (!key_fits(&k, ck->key)) {
				wrong_key = true;
				continue;
			}
			/* RFC 5753 section 8 / RFC 8551 section 2.7: the SHA-1
			 * KDF only for old messages, by policy. */
			if ((k.kea.alg->flags & ALG_F_LEGACY) && !keys->allow_legacy) {
				_cachet_ri_rid_free(&rid);
				FAIL(CACHET_E_WEAK_ALGORITHM, "RFC 8551 section 2.7",
				     _cachet_ri_where(ri, "keyEncryptionAlgorithm", where,
						      sizeof(where)),
				     "%s (a SHA-1 KDF) is accepted only with the legacy policy",
				     k.kea.alg->name);
			}
			/* RFC 8551 section 2.7 lists only the AES key wraps;
			 * Triple-DES key wrap (RFC 3370 section 4.3.1) for old
			 * messages, by policy. */
			if ((k.wrap.alg->flags & ALG_F_LEGACY) && !keys->allow_legacy) {
				_cachet_ri_rid_free(&rid);
				FAIL(CACHET_E_WEAK_ALGORITHM, "RFC 8551 section 2.7",
				     _cachet_ri_where(ri, "keyEncryptionAlgorithm", where,
						      sizeof(where)),
				     "%s is accepted only with the legacy policy", k.wrap.alg->name);
			}
			last = try_key(ri, &k, i, ck->key, keys, ceklen, cek, diag);
			if (last != CACHET_E_DECRYPT_FAILED) { /* 0, or not an unwrap failure */
				_cachet_ri_rid_free(&rid);
				ret = last;
				goto cleanup;
			}
		}
		_cachet_ri_rid_free(&rid);
	}
	if (last == CACHET_E_DECRYPT_FAILED) {
		ret = last;
		goto cleanup;
	}
	ENSURE(!(matched && wrong_key), CACHET_E_KEY_MISMATCH, "RFC 8418 section 2",
	       _cachet_ri_where(ri, "recipientEncryptedKeys", where, sizeof(where)),
	       "the matching certificate's key is not on the originator key's curve (%s)",
	       curve_name(k.curve));
	ret = CACHET_E_END;
cleanup:
	kari_free(&k);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Producing */

/* The scheme per curve (ri.h): RFC 5753 section 8 pairs P-256 with the
 * SHA-256 KDF, P-384 with SHA-384 and P-521 with SHA-512; RFC 8418
 * section 2 pairs X25519 with HKDF-SHA-256 and X448 with HKDF-SHA-512. */
static cachet_alg_id_t scheme_for(cachet_alg_id_t curve)
{
	switch (curve) {
	case CACHET_ALG_P256:
		return CACHET_ALG_ECDH_STD_SHA256KDF;
	case CACHET_ALG_P384:
		return CACHET_ALG_ECDH_STD_SHA384KDF;
	case CACHET_ALG_P521:
		return CACHET_ALG_ECDH_STD_SHA512KDF;
	case CACHET_ALG_X25519:
		return CACHET_ALG_ECDH_HKDF_SHA256;
	case CACHET_ALG_X448:
		return CACHET_ALG_ECDH_HKDF_SHA512;
	default:
		return CACHET_ALG_NONE;
	}
}

static cachet_alg_id_t pub_curve(const cachet_pubkey_t *pub)
{
	switch (_cachet_pubkey_type(pub)) {
	case CACHET_PK_EC:
		return _cachet_pubkey_curve(pub);
	case CACHET_PK_X25519:
		return CACHET_ALG_X25519;
	case CACHET_PK_X448:
		return CACHET_ALG_X448;
	default:
		return CACHET_ALG_NONE;
	}
}

/* One RecipientEncryptedKey for R with the ephemeral key E. */
static int put_rek(cbuf_t *out, const cachet_kari_recip_t *r, const cachet_ephem_t *e,
		   const cachet_alg_t *scheme, const cbuf_t *keyinfo, const uint8_t *ukm,
		   size_t ukmlen, const uint8_t *cek, size_t ceklen, cachet_diag_t *diag)
{
	static const char *const path = "KeyAgreeRecipientInfo.recipientEncryptedKeys";
	uint8_t z[CACHET_KEX_SECRET_MAX], kek[32], ek[CACHET_CEK_MAX + 8];
	size_t off = out->size, zlen = 0, eklen = 0;
	cbuf_t id = {0}, ser = {0};
	int ret;

	if (r->flags & CACHET_RI_SKID) {
		/* rKeyId [0] IMPLICIT RecipientKeyIdentifier { subjectKeyIdentifier } */
		size_t s = out->size;

		ret = _cachet_crt_skid(r->crt, &id);
		ENSURE(ret == 0, CACHET_E_BAD_CERT, RULE_KARI, path,
		       "the recipient certificate has no subjectKeyIdentifier");
		CHECK(_cachet_der_append(out, BER_TAG_OCTET_STRING, id.data, id.size));
		CHECK(_cachet_der_wrap(out, s, 0xa0));
	} else {
		size_t s = out->size;

		CHECK(_cachet_crt_iasn(r->crt, &id, &ser));
		CHECK(_cachet_buf_append(out, id.data, id.size));
		CHECK(_cachet_der_uint(out, ser.data, ser.size));
		CHECK(_cachet_der_wrap(out, s, 0x30));
	}
	CHECK(_cachet_kex_derive_ephem(e, r->pub, z, sizeof(z), &zlen, diag));
	CHECK(derive_kek(scheme, z, zlen, keyinfo->data, keyinfo->size, ukm, ukmlen, ukm != NULL,
			 kek, ceklen));
	CHECK(_cachet_aes_kw_wrap(kek, ceklen, cek, ceklen, ek, sizeof(ek), &eklen, diag));
	CHECK(_cachet_der_append(out, BER_TAG_OCTET_STRING, ek, eklen));
	CHECK(_cachet_der_wrap(out, off, 0x30));
cleanup:
	WIPE_BUFFER(z);
	WIPE_BUFFER(kek);
	_cachet_buf_free(&id);
	_cachet_buf_free(&ser);
	return ret;
}

int _cachet_ri_make_kari(cbuf_t *out, const cachet_kari_recip_t *r, size_t n,
			 const uint8_t *ukm, size_t ukmlen, const uint8_t *cek, size_t ceklen,
			 cachet_diag_t *diag)
{
	static const char *const path = "KeyAgreeRecipientInfo";
	size_t off = out != NULL ? out->size : 0, p, q, i;
	const cachet_alg_t *scheme;
	cachet_alg_id_t curve, wrap;
	cbuf_t keyinfo = {0};
	cachet_ephem_t e;
	int ret;

	memset(&e, 0, sizeof(e));
	ENSURE(out != NULL && r != NULL && n >= 1 && cek != NULL && (ukm != NULL || ukmlen == 0),
	       CACHET_E_INVALID_ARG, RULE_KARI, path, "missing recipients or CEK");
	ENSURE(n <= CACHET_MAX_RECIPIENTS, CACHET_E_COUNT_LIMIT, RULE_KARI, path,
	       "%zu recipients in one KeyAgreeRecipientInfo (at most %d)", n,
	       CACHET_MAX_RECIPIENTS);
	/* The KEK is as long as the CEK (ri.h): AES key wrap needs 16, 24
	 * or 32 octets. */
	wrap = ceklen == 16 ? CACHET_ALG_AES128_WRAP
	       : ceklen == 24 ? CACHET_ALG_AES192_WRAP
	       : ceklen == 32 ? CACHET_ALG_AES256_WRAP
			      : CACHET_ALG_NONE;
	ENSURE(wrap != CACHET_ALG_NONE, CACHET_E_INVALID_ARG, RULE_WRAP, path,
	       "a CEK of %zu octets (16, 24 or 32 for AES key wrap)", ceklen);
	ENSURE(r[0].pub != NULL && r[0].crt != NULL, CACHET_E_INVALID_ARG, RULE_KARI, path,
	       "recipient 0 has no certificate or key");
	curve = pub_curve(r[0].pub);
	ENSURE(scheme_for(curve) != CACHET_ALG_NONE, CACHET_E_KEY_MISMATCH, RULE_KARI, path,
	       "key agreement needs a P-256, P-384, P-521, X25519 or X448 recipient key");
	for (i = 1; i < n; i++) {
		ENSURE(r[i].pub != NULL && r[i].crt != NULL, CACHET_E_INVALID_ARG, RULE_KARI, path,
		       "recipient %zu has no certificate or key", i);
		/* One ephemeral key serves every RecipientEncryptedKey, so
		 * every recipient is on its curve (RFC 8418 section 2, RFC
		 * 5753 section 3.1.2).  [rfc8418-2-ephemeral-same-curve] */
		ENSURE(pub_curve(r[i].pub) == curve, CACHET_E_KEY_MISMATCH, "RFC 8418 section 2",
		       path, "recipient %zu is not on %s like recipient 0", i, curve_name(curve));
	}
	scheme = _cachet_alg_by_id(scheme_for(curve));
	CHECK(_cachet_ephem_generate(&e, curve, diag));

	/* version: "It MUST always be 3." */
	CHECK(_cachet_der_small_uint(out, 3));
	/* originator [0] EXPLICIT { originatorKey [1] IMPLICIT
	 * OriginatorPublicKey { algorithm, publicKey } }.  id-ecPublicKey:
	 * "Implementations SHOULD generate absent parameters" (RFC 5753
	 * section 7.1.2); id-X25519/id-X448: absent (RFC 8410 section 3).
	 * [rfc5753-7.1.2-generate-absent] [rfc5753-3.1.1-ecpoint]
	 * [rfc8418-3.2-ephemeral-key] */
	p = out->size;
	q = out->size;
	CHECK(_cachet_der_oid(out, _cachet_alg_by_id(curve == CACHET_ALG_X25519 || curve == CACHET_ALG_X448
							     ? curve
							     : CACHET_ALG_EC_PUBLIC_KEY)
					   ->oid));
	CHECK(_cachet_der_wrap(out, q, 0x30));
	{
		/* publicKey BIT STRING: no unused bits, then the ECPoint or
		 * the raw X25519/X448 key (RFC 5753 section 3.1.1, RFC 8418
		 * section 3.2). */
		uint8_t bs[1 + CACHET_KEX_PUB_MAX];

		bs[0] = 0;
		memcpy(bs + 1, e.pub, e.pub_len);
		CHECK(_cachet_der_append(out, BER_TAG_BIT_STRING, bs, 1 + e.pub_len));
	}
	CHECK(_cachet_der_wrap(out, p, 0xa1));
	CHECK(_cachet_der_wrap(out, p, 0xa0));
	if (ukm != NULL) {
		/* ukm [1] EXPLICIT UserKeyingMaterial; RFC 5753 section 3.1.1:
		 * "message originators SHOULD include the ukm" -- the caller
		 * chooses. */
		q = out->size;
		CHECK(_cachet_der_append(out, BER_TAG_OCTET_STRING, ukm, ukmlen));
		CHECK(_cachet_der_wrap(out, q, 0xa1));
	}
	/* keyEncryptionAlgorithm { scheme, KeyWrapAlgorithm { aesN-wrap } }
	 * with the wrap's parameters absent (RFC 3565 section 2.3.2). */
	CHECK(_cachet_der_oid(&keyinfo, _cachet_alg_by_id(wrap)->oid));
	CHECK(_cachet_der_wrap(&keyinfo, 0, 0x30));
	q = out->size;
	CHECK(_cachet_der_oid(out, scheme->oid));
	CHECK(_cachet_buf_append(out, keyinfo.data, keyinfo.size));
	CHECK(_cachet_der_wrap(out, q, 0x30));
	/* recipientEncryptedKeys */
	q = out->size;
	for (i = 0; i < n; i++)
		CHECK(put_rek(out, &r[i], &e, scheme, &keyinfo, ukm, ukmlen, cek, ceklen, diag));
	CHECK(_cachet_der_wrap(out, q, 0x30));
	/* kari [1] IMPLICIT KeyAgreeRecipientInfo */
	CHECK(_cachet_der_wrap(out, off, 0xa1));
	ret = 0;
cleanup:
	if (ret < 0 && out != NULL)
		out->size = off;
	/* "The ephemeral key pair MUST be used for a single CMS-protected
	 * content type, and then it MUST be discarded" (RFC 8418 section 2).
	 * [rfc8418-2-ephemeral-single] */
	_cachet_ephem_wipe(&e);
	_cachet_buf_free(&keyinfo);
	return ret;
}
