/* ri-ktri.c -- KeyTransRecipientInfo (RFC 5652 section 6.2.1).
 *
 *   KeyTransRecipientInfo ::= SEQUENCE {
 *     version CMSVersion,  -- always set to 0 or 2
 *     rid RecipientIdentifier,
 *     keyEncryptionAlgorithm KeyEncryptionAlgorithmIdentifier,
 *     encryptedKey EncryptedKey }
 *
 * Key transport with RSA: rsaEncryption, RSAES-PKCS1-v1_5 (RFC 3370
 * section 4.2.1), and id-RSAES-OAEP with RSAES-OAEP-params (RFC 3560,
 * RFC 4055 section 4.1).  The recipient key must be an rsaEncryption key:
 * an id-RSASSA-PSS key must not encrypt (RFC 4055 section 1.2).
 *
 * PKCS#1 v1.5 is opened with implicit rejection (RFC 3218 section 2.3,
 * STYLE 14): _cachet_rsa_pkcs1_decrypt fills the CEK with random octets
 * and overwrites them only for a valid padding; nothing here looks at
 * which happened.  A wrong key shows when the content fails to decrypt,
 * or, where a random key happens to give valid CBC padding, when the
 * decryptor looks at the mask it is handed (_cachet_ri_open_masked).
 */
#include "ri-int.h"

#include "ber.h"

#define RULE_OAEP "RFC 4055 section 4.1"
#define RULE_V15 "RFC 3370 section 4.2.1"

typedef struct {
	unsigned version;
	ri_rid_t rid;
	ri_alg_t kea;	      /* keyEncryptionAlgorithm */
	bool is_oaep;
	cachet_oaep_params_t oaep;
	cbuf_t label;	      /* OAEP pSourceFunc label */
	cbuf_t ek;	      /* encryptedKey */
} ktri_t;

static void ktri_free(ktri_t *k)
{
	_cachet_ri_rid_free(&k->rid);
	_cachet_buf_free(&k->label);
	_cachet_buf_free(&k->ek);
}

/* The OAEP hash functions (RFC 4055 section 2.1). */
static bool is_oaep_hash(const cachet_alg_t *a)
{
	if (a == NULL || a->kind != ALG_KIND_DIGEST)
		return false;
	switch (a->id) {
	case CACHET_ALG_SHA1:
	case CACHET_ALG_SHA224:
	case CACHET_ALG_SHA256:
	case CACHET_ALG_SHA384:
	case CACHET_ALG_SHA512:
		return true;
	default:
		return false;
	}
}

/* A hash AlgorithmIdentifier NAME of NODE: one of the OAEP hashes, with
 * NULL or absent parameters ("All implementations MUST accept both NULL
 * and absent parameters as legal and equivalent encodings", RFC 4055
 * section 2.1). */
static int oaep_hash(asn1_node node, const uint8_t *der, size_t len, const char *name,
		     cachet_alg_id_t *hash, const char *where, cachet_diag_t *diag)
{
	ri_alg_t a;
	int ret = 0;

	ret = _cachet_ri_alg(node, der, len, name, &a);
	ENSURE(ret == 0, CACHET_E_BAD_PARAMS, RULE_OAEP, where, "%s does not decode", name);
	ENSURE(is_oaep_hash(a.alg), a.alg ? CACHET_E_UNSUPPORTED : CACHET_E_UNKNOWN_OID,
	       "RFC 4055 section 2.1", where, "%s %s is not an RSAES-OAEP hash", name,
	       _cachet_ri_alg_name(&a));
	ENSURE(_cachet_ri_params_is_absent_or_null(&a), CACHET_E_BAD_PARAMS,
	       "RFC 4055 section 2.1", where, "%s %s has parameters other than NULL", name,
	       a.alg->name);
	*hash = a.alg->id;
cleanup:
	return ret;
}

/* RSAES-OAEP-params (RFC 4055 section 4.1, RFC 8017 appendix A.2.1); the
 * absent fields take their DEFAULTs: SHA-1, MGF1 with SHA-1, an empty
 * label. */
static int parse_oaep(const ri_t *ri, ktri_t *k, cachet_diag_t *diag)
{
	asn1_node pn = NULL, mn = NULL, ln = NULL;
	ri_alg_t h, mgf, ps;
	char where[256];
	int ret;

	_cachet_ri_where(ri, "keyEncryptionAlgorithm.parameters", where, sizeof(where));
	k->oaep.hash = CACHET_ALG_SHA1;
	k->oaep.mgf_hash = CACHET_ALG_SHA1;
	/* "The parameters MUST be present when used in the algorithm
	 * identifier associated with an encrypted value" (section 4.1).
	 * [rfc3560-3-params] */
	ENSURE(k->kea.params != NULL, CACHET_E_BAD_PARAMS, RULE_OAEP, where,
	       "id-RSAES-OAEP without RSAES-OAEP-params");
	CHECK(_cachet_asn1_decode("CachetAlgs.RSAES-OAEP-params", k->kea.params, k->kea.plen,
				  false, &pn, where, RULE_OAEP, diag));
	/* hashFunc [0] DEFAULT sha1Identifier: absent or id-sha1 is SHA-1
	 * [rfc3560-3-hashfunc-read] [rfc3560-3-hashfunc-sha1] */
	if (_cachet_ri_alg(pn, k->kea.params, k->kea.plen, "hashFunc", &h) == 0)
		CHECK(oaep_hash(pn, k->kea.params, k->kea.plen, "hashFunc", &k->oaep.hash, where,
				diag));
	/* maskGenFunc [1] DEFAULT mgf1SHA1Identifier; "Implementations MUST
	 * support MGF1" and nothing else is defined.  [rfc3560-3-mgf1]
	 * [rfc3560-3-mgf-read] [rfc3560-3-mgf1-sha1] */
	ret = _cachet_ri_alg(pn, k->kea.params, k->kea.plen, "maskGenFunc", &mgf);
	if (ret == 0) {
		ENSURE(mgf.alg != NULL && mgf.alg->id == CACHET_ALG_MGF1,
		       mgf.alg ? CACHET_E_UNSUPPORTED : CACHET_E_UNKNOWN_OID, RULE_OAEP, where,
		       "maskGenFunc %s is not MGF1", _cachet_ri_alg_name(&mgf));
		ENSURE(mgf.params != NULL, CACHET_E_BAD_PARAMS, "RFC 4055 section 2.2", where,
		       "MGF1 without its hash algorithm");
		CHECK(_cachet_asn1_decode("CachetAlgs.AlgorithmIdentifier", mgf.params, mgf.plen,
					  false, &mn, where, "RFC 4055 section 2.2", diag));
		CHECK(oaep_hash(mn, mgf.params, mgf.plen, "", &k->oaep.mgf_hash, where, diag));
	} else {
		ENSURE(ret == CACHET_E_END, CACHET_E_BAD_PARAMS, RULE_OAEP, where,
		       "maskGenFunc does not decode");
	}
	/* pSourceFunc [2] DEFAULT pSpecifiedEmptyIdentifier; "Compliant
	 * implementations MUST NOT use any value other than id-pSpecified
	 * for pSourceFunc."  [rfc3560-3-pspecified] [rfc3560-3-psource-read]
	 * [rfc3560-3-empty-p] */
	ret = _cachet_ri_alg(pn, k->kea.params, k->kea.plen, "pSourceFunc", &ps);
	if (ret == 0) {
		ENSURE(ps.alg != NULL && ps.alg->id == CACHET_ALG_PSPECIFIED, CACHET_E_BAD_PARAMS,
		       RULE_OAEP, where, "pSourceFunc %s is not id-pSpecified",
		       _cachet_ri_alg_name(&ps));
		ENSURE(ps.params != NULL, CACHET_E_BAD_PARAMS, "RFC 8017 appendix A.2.1", where,
		       "id-pSpecified without its OCTET STRING");
		CHECK(_cachet_asn1_decode("CachetAlgs.PSpecifiedParameter", ps.params, ps.plen,
					  false, &ln, where, "RFC 8017 appendix A.2.1", diag));
		ret = _cachet_asn1_read(ln, "", &k->label);
		ENSURE(ret == 0 || ret == CACHET_E_END, CACHET_E_BAD_PARAMS,
		       "RFC 8017 appendix A.2.1", where, "the label cannot be read");
	} else {
		ENSURE(ret == CACHET_E_END, CACHET_E_BAD_PARAMS, RULE_OAEP, where,
		       "pSourceFunc does not decode");
	}
	k->oaep.label = k->label.size > 0 ? k->label.data : NULL;
	k->oaep.label_len = k->label.size;
	ret = 0;
cleanup:
	_cachet_asn1_delete(&pn, false);
	_cachet_asn1_delete(&mn, false);
	_cachet_asn1_delete(&ln, false);
	return ret;
}

static int ktri_parse(const ri_t *ri, ktri_t *k, cachet_diag_t *diag)
{
	char where[256];
	int ret;

	memset(k, 0, sizeof(*k));
	CHECK(_cachet_ri_rid_read(ri, "rid", "subjectKeyIdentifier", &k->rid, RULE_KTRI, diag));
	/* "If the RecipientIdentifier is the CHOICE issuerAndSerialNumber,
	 * then the version MUST be 0.  If the RecipientIdentifier is
	 * subjectKeyIdentifier, then the version MUST be 2." (6.2.1) */
	CHECK(_cachet_ri_version(ri, k->rid.is_skid ? 2 : 0, RULE_KTRI, &k->version, diag));

	_cachet_ri_where(ri, "keyEncryptionAlgorithm", where, sizeof(where));
	ret = _cachet_ri_alg(ri->node, ri->der, ri->len, "ktri.keyEncryptionAlgorithm", &k->kea);
	if (ret < 0) {
		ret = _cachet_ri_missing(ri, "keyEncryptionAlgorithm", RULE_KTRI, diag);
		goto cleanup;
	}
	ENSURE(k->kea.alg != NULL, CACHET_E_UNKNOWN_OID, RULE_KTRI, where,
	       "key-transport algorithm %s is not known", k->kea.oid);
	switch (k->kea.alg->id) {
	case CACHET_ALG_RSA:
		/* "The AlgorithmIdentifier parameters field MUST be present,
		 * and the parameters field MUST contain NULL" (RFC 3370
		 * section 4.2.1); absent is accepted too, as for the
		 * signature use (RFC 5754 section 3.2). */
		ENSURE(_cachet_ri_params_is_absent_or_null(&k->kea), CACHET_E_BAD_PARAMS, RULE_V15,
		       where, "rsaEncryption parameters other than NULL");
		break;
	case CACHET_ALG_RSAES_OAEP:
		k->is_oaep = true;
		CHECK(parse_oaep(ri, k, diag));
		break;
	default:
		FAIL(CACHET_E_UNSUPPORTED, RULE_KTRI, where,
		     "%s is not a key-transport algorithm Cachet supports", k->kea.alg->name);
	}
	ret = _cachet_asn1_read(ri->node, "ktri.encryptedKey", &k->ek);
	if (ret < 0) {
		ret = _cachet_ri_missing(ri, "encryptedKey", RULE_KTRI, diag);
		goto cleanup;
	}
	ret = 0;
cleanup:
	return ret;
}

static const char *hash_name(cachet_alg_id_t id)
{
	const cachet_alg_t *a = _cachet_alg_by_id(id);

	return a != NULL ? a->name : "?";
}

static void ktri_alg_text(const ktri_t *k, char *buf, size_t n)
{
	if (!k->is_oaep) {
		snprintf(buf, n, "%s (RSAES-PKCS1-v1_5)", _cachet_ri_alg_name(&k->kea));
		return;
	}
	if (k->label.size > 0)
		snprintf(buf, n, "rsaesOaep(%s,mgf1-%s,label of %zu octets)",
			 hash_name(k->oaep.hash), hash_name(k->oaep.mgf_hash), k->label.size);
	else
		snprintf(buf, n, "rsaesOaep(%s,mgf1-%s)", hash_name(k->oaep.hash),
			 hash_name(k->oaep.mgf_hash));
}

int _cachet_ri_ktri_describe(const ri_t *ri, cachet_ri_info_t *info, cachet_diag_t *diag)
{
	ktri_t k;
	int ret = ktri_parse(ri, &k, diag);

	info->version = k.version;
	if (k.rid.issuer != NULL || k.rid.is_skid)
		_cachet_ri_rid_text(&k.rid, info->rid, sizeof(info->rid));
	if (k.kea.oid[0] != '\0')
		ktri_alg_text(&k, info->alg, sizeof(info->alg));
	ktri_free(&k);
	return ret;
}

int _cachet_ri_ktri_open(const ri_t *ri, const cachet_ri_keys_t *keys, size_t ceklen,
			 uint8_t *cek, uint8_t *valid, cachet_diag_t *diag)
{
	const cachet_privkey_t *key = NULL;
	cachet_pk_type_t wrong = CACHET_PK_NONE;
	char where[256];
	size_t i, outlen = 0;
	ktri_t k;
	int ret;

	CHECK(ktri_parse(ri, &k, diag));
	/* The certificate the rid names, with an RSA key. */
	for (i = 0; i < keys->nck && key == NULL; i++) {
		const cachet_ri_certkey_t *ck = &keys->ck[i];
		cachet_pk_type_t t;

		if (ck->key == NULL || !_cachet_ri_rid_matches(&k.rid, ck->crt))
			continue;
		t = _cachet_privkey_type(ck->key);
		if (t == CACHET_PK_RSA)
			key = ck->key;
		else
			wrong = t;
	}
	_cachet_ri_where(ri, "rid", where, sizeof(where));
	if (key == NULL && wrong == CACHET_PK_NONE) {
		ret = CACHET_E_END;
		goto cleanup;
	}
	/* "id-RSASSA-PSS ... MUST NOT be used for encryption" (RFC 4055
	 * section 1.2); key transport needs an rsaEncryption key. */
	ENSURE(key != NULL, CACHET_E_KEY_MISMATCH,
	       wrong == CACHET_PK_RSA_PSS ? "RFC 4055 section 1.2" : RULE_KTRI, where,
	       "the matching certificate's key is not an RSA encryption key");

	if (!k.is_oaep) {
		/* Implicit rejection: 0 whatever the padding held (*VALID
		 * says it, for the content decryption's verdict); the only
		 * failure seen here is a ciphertext that is not the modulus
		 * length (public). */
		ret = _cachet_rsa_pkcs1_decrypt_masked(key, k.ek.data, k.ek.size, cek, ceklen, valid,
						       diag);
		if (ret == CACHET_E_DECRYPT_FAILED)
			ret = _cachet_ri_unwrap_failed(ri, keys,
						       "encryptedKey is not as long as the modulus",
						       diag);
		goto cleanup;
	}
	ret = _cachet_rsa_oaep_decrypt(key, &k.oaep, k.ek.data, k.ek.size, cek, ceklen, &outlen,
				       diag);
	if (ret == CACHET_E_DECRYPT_FAILED) {
		ret = _cachet_ri_unwrap_failed(ri, keys, "RSAES-OAEP decryption", diag);
		goto cleanup;
	}
	if (ret < 0)
		goto cleanup;
	/* A valid OAEP message of another length is no oracle (anyone can
	 * make one with the public key), but it is not this CEK. */
	if (outlen != ceklen)
		ret = _cachet_ri_unwrap_failed(ri, keys,
					       "the transported key is not as long as the "
					       "content-encryption algorithm needs",
					       diag);
cleanup:
	ktri_free(&k);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Producing */

static int put_alg_null(cbuf_t *b, cachet_alg_id_t id)
{
	size_t off = b->size;
	int ret;

	CHECK(_cachet_der_oid(b, _cachet_alg_by_id(id)->oid));
	CHECK(_cachet_der_append(b, BER_TAG_NULL, NULL, 0));
	CHECK(_cachet_der_wrap(b, off, 0x30));
cleanup:
	return ret;
}

/* RSAES-OAEP-params with SHA-256 and MGF1-SHA-256, written out (they are
 * not the DEFAULTs); the empty label is the DEFAULT and "Implementations
 * that perform encryption MUST omit the pSourceFunc field when a zero
 * length P value is used" (RFC 4055 section 4.1) [rfc3560-3-omit-psource].
 * The hash identifiers carry NULL as RFC 4055's sha256Identifier does
 * (section 2.1). */
static int put_oaep_alg(cbuf_t *b)
{
	size_t off = b->size, p, q;
	int ret;

	CHECK(_cachet_der_oid(b, _cachet_alg_by_id(CACHET_ALG_RSAES_OAEP)->oid));
	p = b->size;
	q = b->size;
	CHECK(put_alg_null(b, CACHET_ALG_SHA256));
	CHECK(_cachet_der_wrap(b, q, 0xa0)); /* hashFunc [0] EXPLICIT */
	q = b->size;
	{
		size_t m = b->size;

		CHECK(_cachet_der_oid(b, _cachet_alg_by_id(CACHET_ALG_MGF1)->oid));
		CHECK(put_alg_null(b, CACHET_ALG_SHA256));
		CHECK(_cachet_der_wrap(b, m, 0x30));
	}
	CHECK(_cachet_der_wrap(b, q, 0xa1)); /* maskGenFunc [1] EXPLICIT */
	CHECK(_cachet_der_wrap(b, p, 0x30)); /* RSAES-OAEP-params */
	CHECK(_cachet_der_wrap(b, off, 0x30));
cleanup:
	return ret;
}

int _cachet_ri_make_ktri(cbuf_t *out, gnutls_x509_crt_t crt, const cachet_pubkey_t *pub,
			 unsigned flags, const uint8_t *cek, size_t ceklen, cachet_diag_t *diag)
{
	static const char *const path = "KeyTransRecipientInfo";
	bool skid = (flags & CACHET_RI_SKID) != 0, oaep = (flags & CACHET_RI_OAEP) != 0;
	cachet_datum_t ct = {NULL, 0};
	cbuf_t id = {0}, ser = {0};
	size_t off = out != NULL ? out->size : 0;
	cachet_pk_type_t t;
	int ret;

	ENSURE(out != NULL && crt != NULL && pub != NULL && cek != NULL && ceklen >= 1 &&
		       ceklen <= CACHET_CEK_MAX,
	       CACHET_E_INVALID_ARG, RULE_KTRI, path, "missing recipient, key or CEK");
	t = _cachet_pubkey_type(pub);
	/* RFC 4055 section 1.2: an id-RSASSA-PSS key MUST NOT encrypt.
	 * [rfc3560-2.2-rsa-key] */
	ENSURE(t == CACHET_PK_RSA, CACHET_E_KEY_MISMATCH,
	       t == CACHET_PK_RSA_PSS ? "RFC 4055 section 1.2" : RULE_KTRI, path,
	       "key transport needs an RSA (rsaEncryption) recipient key");

	/* version: 0 with issuerAndSerialNumber, 2 with subjectKeyIdentifier
	 * (section 6.2.1).  [rfc3560-2.2-ktri-version]
	 * [rfc3560-2.2-version-iasn] [rfc3560-2.2-version-skid] */
	CHECK(_cachet_der_small_uint(out, skid ? 2 : 0));
	if (skid) {
		ret = _cachet_crt_skid(crt, &id);
		ENSURE(ret == 0, CACHET_E_BAD_CERT, RULE_KTRI, path,
		       "the recipient certificate has no subjectKeyIdentifier");
		CHECK(_cachet_der_append(out, 0x80, id.data, id.size)); /* [0] IMPLICIT */
	} else {
		size_t s = out->size;

		CHECK(_cachet_crt_iasn(crt, &id, &ser));
		CHECK(_cachet_buf_append(out, id.data, id.size));
		CHECK(_cachet_der_uint(out, ser.data, ser.size));
		CHECK(_cachet_der_wrap(out, s, 0x30));
	}
	if (oaep) {
		const cachet_oaep_params_t p = {CACHET_ALG_SHA256, CACHET_ALG_SHA256, NULL, 0};

		/* [rfc3560-2.2-rsa-1024] "The RSA public key MUST be at least
		 * 1024 bits in length." */
		ENSURE(_cachet_pubkey_bits(pub) >= 1024, CACHET_E_POLICY, "RFC 3560 section 2.2", path,
		       "RSAES-OAEP needs an RSA key of at least 1024 bits, not %u",
		       _cachet_pubkey_bits(pub));

		CHECK(put_oaep_alg(out));
		CHECK(_cachet_rsa_oaep_encrypt(pub, &p, cek, ceklen, &ct, diag));
	} else {
		/* RFC 3370 section 4.2.1: rsaEncryption with NULL. */
		CHECK(put_alg_null(out, CACHET_ALG_RSA));
		CHECK(_cachet_rsa_pkcs1_encrypt(pub, cek, ceklen, &ct, diag));
	}
	CHECK(_cachet_der_append(out, BER_TAG_OCTET_STRING, ct.data, ct.size));
	CHECK(_cachet_der_wrap(out, off, 0x30));
	ret = 0;
cleanup:
	if (ret < 0 && out != NULL)
		out->size = off;
	cachet_free(ct.data);
	_cachet_buf_free(&id);
	_cachet_buf_free(&ser);
	return ret;
}
