/* ri-kekri.c -- KEKRecipientInfo (RFC 5652 section 6.2.3).
 *
 *   KEKRecipientInfo ::= SEQUENCE {
 *     version CMSVersion,  -- always set to 4
 *     kekid KEKIdentifier,
 *     keyEncryptionAlgorithm KeyEncryptionAlgorithmIdentifier,
 *     encryptedKey EncryptedKey }
 *
 *   KEKIdentifier ::= SEQUENCE {
 *     keyIdentifier OCTET STRING,
 *     date GeneralizedTime OPTIONAL,
 *     other OtherKeyAttribute OPTIONAL }
 *
 * A previously distributed key-encryption key, used with AES key wrap
 * (RFC 3394, RFC 3565 section 2.3.2) or AES key wrap with padding (RFC
 * 5649).  The caller's KEKs are matched by keyIdentifier; a KEK given
 * without an identifier is tried when its length fits the wrap
 * algorithm.  date and other are read and described, not used to choose
 * a key.
 */
#include "ri-int.h"

#include "ber.h"

#define RULE_WRAP "RFC 3565 section 2.3.2"
#define RULE_WRAP_PAD "RFC 5649 section 6"

typedef struct {
	unsigned version;
	cbuf_t keyid;
	cbuf_t date;	/* GeneralizedTime text, when present */
	char other[128]; /* OtherKeyAttribute.keyAttrId, when present */
	ri_alg_t kea;
	size_t keklen;	/* 0: not a supported wrap */
	bool is_pad;
	cbuf_t ek;
} kekri_t;

static void kekri_free(kekri_t *k)
{
	_cachet_buf_free(&k->keyid);
	_cachet_buf_free(&k->date);
	_cachet_buf_free(&k->ek);
}

static size_t wrap_len(cachet_alg_id_t id, bool *pad)
{
	*pad = false;
	switch (id) {
	case CACHET_ALG_AES128_WRAP_PAD:
		*pad = true;
		/* fall through */
	case CACHET_ALG_AES128_WRAP:
		return 16;
	case CACHET_ALG_AES192_WRAP_PAD:
		*pad = true;
		/* fall through */
	case CACHET_ALG_AES192_WRAP:
		return 24;
	case CACHET_ALG_AES256_WRAP_PAD:
		*pad = true;
		/* fall through */
	case CACHET_ALG_AES256_WRAP:
		return 32;
	default:
		return 0;
	}
}

/* Structure only: an unknown or unsupported keyEncryptionAlgorithm is
 * not an error here (open reports it once a KEK matches; describe shows
 * it). */
static int kekri_parse(const ri_t *ri, kekri_t *k, cachet_diag_t *diag)
{
	char where[256];
	int ret;

	memset(k, 0, sizeof(*k));
	/* "version is the syntax version number.  It MUST always be 4." */
	CHECK(_cachet_ri_version(ri, 4, RULE_KEKRI, &k->version, diag));
	ret = _cachet_asn1_read(ri->node, "kekri.kekid.keyIdentifier", &k->keyid);
	if (ret < 0) {
		ret = _cachet_ri_missing(ri, "kekid.keyIdentifier", RULE_KEKRI, diag);
		goto cleanup;
	}
	ret = _cachet_asn1_read(ri->node, "kekri.kekid.date", &k->date);
	ENSURE(ret == 0 || ret == CACHET_E_END, CACHET_E_MALFORMED, RULE_KEKRI,
	       _cachet_ri_where(ri, "kekid.date", where, sizeof(where)),
	       "date cannot be read");
	ret = _cachet_asn1_read_oid(ri->node, "kekri.kekid.other.keyAttrId", k->other,
				    sizeof(k->other));
	if (ret < 0)
		k->other[0] = '\0';

	ret = _cachet_ri_alg(ri->node, ri->der, ri->len, "kekri.keyEncryptionAlgorithm", &k->kea);
	if (ret < 0) {
		ret = _cachet_ri_missing(ri, "keyEncryptionAlgorithm", RULE_KEKRI, diag);
		goto cleanup;
	}
	k->keklen = k->kea.alg != NULL ? wrap_len(k->kea.alg->id, &k->is_pad) : 0;
	ret = _cachet_asn1_read(ri->node, "kekri.encryptedKey", &k->ek);
	if (ret < 0) {
		ret = _cachet_ri_missing(ri, "encryptedKey", RULE_KEKRI, diag);
		goto cleanup;
	}
	ret = 0;
cleanup:
	return ret;
}

/* The algorithm is usable: a supported wrap with absent parameters (RFC
 * 3565 section 2.3.2 and RFC 5649 section 6: "the parameters field MUST
 * be absent"; NULL, as OpenSSL 1.x wrote it, is read too). */
static int kekri_check_alg(const ri_t *ri, const kekri_t *k, cachet_diag_t *diag)
{
	char where[256];
	int ret = 0;

	_cachet_ri_where(ri, "keyEncryptionAlgorithm", where, sizeof(where));
	ENSURE(k->kea.alg != NULL, CACHET_E_UNKNOWN_OID, RULE_KEKRI, where,
	       "key-encryption algorithm %s is not known", k->kea.oid);
	ENSURE(k->keklen != 0, CACHET_E_UNSUPPORTED, "RFC 8551 section 2.7", where,
	       "%s is not a key wrap Cachet supports (AES key wrap, with or without padding)",
	       k->kea.alg->name);
	ENSURE(_cachet_ri_params_is_absent_or_null(&k->kea), CACHET_E_BAD_PARAMS,
	       k->is_pad ? RULE_WRAP_PAD : RULE_WRAP, where, "%s with parameters",
	       k->kea.alg->name);
cleanup:
	return ret;
}

/* Printable text of a key identifier when it is all ASCII. */
static bool is_text(const cbuf_t *b)
{
	size_t i;

	if (b->size == 0 || b->size > 64)
		return false;
	for (i = 0; i < b->size; i++)
		if (b->data[i] < 0x20 || b->data[i] > 0x7e || b->data[i] == '"')
			return false;
	return true;
}

int _cachet_ri_kekri_describe(const ri_t *ri, cachet_ri_info_t *info, cachet_diag_t *diag)
{
	char hex[160], more[200];
	kekri_t k;
	int ret = kekri_parse(ri, &k, diag);

	info->version = k.version;
	if (k.kea.oid[0] != '\0')
		snprintf(info->alg, sizeof(info->alg), "%s", _cachet_ri_alg_name(&k.kea));
	if (k.keyid.data != NULL || ret == 0) {
		_cachet_ri_hex(k.keyid.data, k.keyid.size, hex, sizeof(hex));
		more[0] = '\0';
		if (is_text(&k.keyid))
			snprintf(more, sizeof(more), " (\"%.*s\")", (int)k.keyid.size,
				 (const char *)k.keyid.data);
		snprintf(info->rid, sizeof(info->rid), "kekid=%s%s", hex, more);
		if (k.date.size > 0) {
			snprintf(more, sizeof(more), "date=%.*s", (int)(k.date.size < 32 ? k.date.size : 32),
				 (const char *)k.date.data);
			_cachet_ri_append(info->rid, sizeof(info->rid), more);
		}
		if (k.other[0] != '\0') {
			snprintf(more, sizeof(more), "other=%s", _cachet_oid_name(k.other));
			_cachet_ri_append(info->rid, sizeof(info->rid), more);
		}
	}
	kekri_free(&k);
	return ret;
}

/* One KEK: unwrap into CEK. */
static int try_kek(const ri_t *ri, const kekri_t *k, const cachet_ri_kek_t *kek,
		   const cachet_ri_keys_t *keys, size_t ceklen, uint8_t *cek,
		   cachet_diag_t *diag)
{
	uint8_t buf[CACHET_CEK_MAX + 16];
	size_t outlen = 0;
	int ret;

	if (!k->is_pad) {
		/* RFC 3394: the wrapped key is CEKLEN + 8 octets. */
		if (!_cachet_add_ok(ceklen, 8, k->ek.size) || k->ek.size != ceklen + 8)
			return _cachet_ri_unwrap_failed(ri, keys, "encryptedKey length", diag);
		ret = _cachet_aes_kw_unwrap(kek->kek, kek->keklen, k->ek.data, k->ek.size, cek,
					    ceklen, &outlen, NULL);
		if (ret < 0 || outlen != ceklen)
			return _cachet_ri_unwrap_failed(ri, keys, "AES key unwrap (integrity check)",
							diag);
		return 0;
	}
	/* RFC 5649: CEKLEN rounded up to 8, plus 8; the padded key data
	 * passes through BUF, which the length check keeps large enough. */
	if (!_cachet_add_ok(k->ek.size, 0, sizeof(buf) + 8) || k->ek.size < 16) {
		return _cachet_ri_unwrap_failed(ri, keys, "encryptedKey length", diag);
	}
	ret = _cachet_aes_kwp_unwrap(kek->kek, kek->keklen, k->ek.data, k->ek.size, buf,
				     sizeof(buf), &outlen, NULL);
	if (ret < 0 || outlen != ceklen)
		ret = _cachet_ri_unwrap_failed(ri, keys, "AES key unwrap with padding", diag);
	else
		memcpy(cek, buf, ceklen);
	WIPE_BUFFER(buf);
	return ret;
}

int _cachet_ri_kekri_open(const ri_t *ri, const cachet_ri_keys_t *keys, size_t ceklen,
			  uint8_t *cek, cachet_diag_t *diag)
{
	bool by_id = false;
	char where[256];
	int ret, last = CACHET_E_END;
	size_t i;
	kekri_t k;

	CHECK(kekri_parse(ri, &k, diag));
	/* A KEK named by its identifier is the one meant: its algorithm
	 * and length must fit, and that is reported. */
	for (i = 0; i < keys->nkek; i++) {
		const cachet_ri_kek_t *kek = &keys->kek[i];

		if (kek->kek == NULL || kek->id == NULL || kek->idlen != k.keyid.size ||
		    memcmp(kek->id, k.keyid.data, k.keyid.size) != 0)
			continue;
		by_id = true;
		CHECK(kekri_check_alg(ri, &k, diag));
		/* RFC 3565 section 2.3.2 / RFC 5649 section 6: the wrap's
		 * OID names the KEK size. */
		ENSURE(kek->keklen == k.keklen, CACHET_E_BAD_KEY,
		       k.is_pad ? RULE_WRAP_PAD : RULE_WRAP,
		       _cachet_ri_where(ri, "kekid", where, sizeof(where)),
		       "the KEK with this identifier has %zu octets; %s needs %zu", kek->keklen,
		       k.kea.alg->name, k.keklen);
		last = try_kek(ri, &k, kek, keys, ceklen, cek, diag);
		if (last == 0) {
			ret = 0;
			goto cleanup;
		}
	}
	/* KEKs without an identifier: any whose length fits. */
	if (!by_id && kekri_check_alg(ri, &k, NULL) == 0) {
		for (i = 0; i < keys->nkek; i++) {
			const cachet_ri_kek_t *kek = &keys->kek[i];

			if (kek->kek == NULL || kek->id != NULL || kek->keklen != k.keklen)
				continue;
			last = try_kek(ri, &k, kek, keys, ceklen, cek, diag);
			if (last == 0) {
				ret = 0;
				goto cleanup;
			}
		}
	}
	ret = last;
cleanup:
	kekri_free(&k);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Producing */

int _cachet_ri_make_kekri(cbuf_t *out, const uint8_t *id, size_t idlen, const uint8_t *kek,
			  size_t keklen, bool pad, const uint8_t *cek, size_t ceklen,
			  cachet_diag_t *diag)
{
	static const char *const path = "KEKRecipientInfo";
	uint8_t ek[CACHET_CEK_MAX + 16];
	size_t off = out != NULL ? out->size : 0, p, eklen = 0;
	cachet_alg_id_t alg;
	int ret;

	ENSURE(out != NULL && (id != NULL || idlen == 0) && kek != NULL && cek != NULL &&
		       ceklen >= 1 && ceklen <= CACHET_CEK_MAX,
	       CACHET_E_INVALID_ARG, RULE_KEKRI, path, "missing KEK or CEK");
	ENSURE(keklen == 16 || keklen == 24 || keklen == 32, CACHET_E_BAD_KEY, RULE_WRAP, path,
	       "a KEK of %zu octets (16, 24 or 32)", keklen);
	/* RFC 3394 wraps whole 64-bit blocks, at least two of them; other
	 * lengths take RFC 5649. */
	if (ceklen % 8 != 0 || ceklen < 16)
		pad = true;
	if (pad)
		alg = keklen == 16 ? CACHET_ALG_AES128_WRAP_PAD
		      : keklen == 24 ? CACHET_ALG_AES192_WRAP_PAD
				     : CACHET_ALG_AES256_WRAP_PAD;
	else
		alg = keklen == 16 ? CACHET_ALG_AES128_WRAP
		      : keklen == 24 ? CACHET_ALG_AES192_WRAP
				     : CACHET_ALG_AES256_WRAP;

	/* version: "It MUST always be 4." */
	CHECK(_cachet_der_small_uint(out, 4));
	p = out->size;
	CHECK(_cachet_der_append(out, BER_TAG_OCTET_STRING, id, idlen));
	CHECK(_cachet_der_wrap(out, p, 0x30)); /* KEKIdentifier */
	p = out->size;
	CHECK(_cachet_der_oid(out, _cachet_alg_by_id(alg)->oid)); /* parameters absent */
	CHECK(_cachet_der_wrap(out, p, 0x30));
	if (pad)
		CHECK(_cachet_aes_kwp_wrap(kek, keklen, cek, ceklen, ek, sizeof(ek), &eklen, diag));
	else
		CHECK(_cachet_aes_kw_wrap(kek, keklen, cek, ceklen, ek, sizeof(ek), &eklen, diag));
	CHECK(_cachet_der_append(out, BER_TAG_OCTET_STRING, ek, eklen));
	/* kekri [2] IMPLICIT KEKRecipientInfo */
	CHECK(_cachet_der_wrap(out, off, 0xa2));
	ret = 0;
cleanup:
	if (ret < 0 && out != NULL)
		out->size = off;
	WIPE_BUFFER(ek);
	return ret;
}
