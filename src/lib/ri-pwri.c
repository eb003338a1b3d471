/* ri-pwri.c -- PasswordRecipientInfo (RFC 5652 section 6.2.4, RFC 3211).
 *
 *   PasswordRecipientInfo ::= SEQUENCE {
 *     version CMSVersion,   -- always set to 0
 *     keyDerivationAlgorithm [0] KeyDerivationAlgorithmIdentifier
 *                                OPTIONAL,
 *     keyEncryptionAlgorithm KeyEncryptionAlgorithmIdentifier,
 *     encryptedKey EncryptedKey }
 *
 * keyDerivationAlgorithm: PBKDF2 (RFC 8018 section 5.2, RFC 3370 section
 * 4.4.1) with a specified salt, an iteration count bounded by policy, and
 * HMAC-SHA-256/384/512 (HMAC-SHA-1, the DEFAULT, only with the legacy
 * policy).  When it is absent, "the KEK is supplied from an external
 * source" (RFC 3211 section 1.2.1): Cachet then uses each password whose
 * length is the KEK cipher's key length as the KEK itself.
 *
 * keyEncryptionAlgorithm: id-alg-PWRI-KEK, whose parameters are the
 * AlgorithmIdentifier of the KEK cipher in CBC mode (RFC 3211 section
 * 2.2): AES-128/192/256-CBC with a 16-octet IV, or 3DES-CBC with an
 * 8-octet IV under the legacy policy.
 *
 * The key wrap (RFC 3211 section 2.3): count octet || check value (the
 * complement of the first three CEK octets) || CEK || random padding, to
 * a multiple of the block size and at least two blocks; CBC-encrypted
 * twice, the second pass chained on from the first.  Unwrapping reverses
 * the passes and checks the count and check value in constant time
 * (_cachet_pwri_check).  Lengths taken from the message are checked by
 * addition against public bounds before any copy (the CVE-2025-9230
 * lesson, STYLE 17), and every failure is the one
 * CACHET_E_DECRYPT_FAILED.
 */
#include "ri-int.h"

#include "ber.h"

#define RULE_3211 "RFC 3211 section 2.3"
#define RULE_PBKDF2 "RFC 8018 appendix A.2"
/* The wrapped key Cachet reads: two blocks at least (RFC 3211 section
 * 2.3.1), and no more than a CEK of CACHET_CEK_MAX with its header and a
 * generous padding. */
#define PWRI_EK_MAX 128

/* The KEK ciphers (RFC 3211 section 2.2: "conforming implementations
 * MUST include Triple-DES in CBC mode and MAY include other algorithms
 * such as AES" [rfc3211-2.2-kek-3des] [rfc3211-2.2-kek-others]).  CBC
 * only: no keystream generator, no ECB [rfc3211-2.2-no-ksg]
 * [rfc3211-2.2-no-ecb]. */
typedef struct {
	cachet_alg_id_t id;
	size_t keylen;
	size_t block;
} kek_cipher_t;

static const kek_cipher_t kek_ciphers[] = {
	{CACHET_ALG_AES128_CBC, 16, 16},
	{CACHET_ALG_AES192_CBC, 24, 16},
	{CACHET_ALG_AES256_CBC, 32, 16},
	{CACHET_ALG_DES_EDE3_CBC, 24, 8},
};

typedef struct {
	unsigned version;
	bool has_kdf;
	ri_alg_t kdf;		   /* keyDerivationAlgorithm */
	asn1_node pbnode;	   /* PBKDF2-params */
	cbuf_t salt;
	unsigned long iterations;
	unsigned long keylength;   /* 0: absent */
	ri_alg_t prf;		   /* prf, when present */
	cachet_alg_id_t prf_id;	   /* CACHET_ALG_HMAC_*; HMAC_SHA1 by DEFAULT */
	ri_alg_t kea;		   /* id-alg-PWRI-KEK */
	asn1_node kcnode;	   /* its parameters */
	ri_alg_t kc;		   /* the KEK cipher */
	const kek_cipher_t *cipher;
	cbuf_t iv;
	cbuf_t ek;
} pwri_t;

static void pwri_free(pwri_t *p)
{
	_cachet_asn1_delete(&p->pbnode, false);
	_cachet_asn1_delete(&p->kcnode, false);
	_cachet_buf_free(&p->salt);
	_cachet_buf_free(&p->iv);
	_cachet_buf_free(&p->ek);
}

static const kek_cipher_t *kek_cipher(const cachet_alg_t *a)
{
	size_t i;

	if (a == NULL)
		return NULL;
	for (i = 0; i < sizeof(kek_ciphers) / sizeof(kek_ciphers[0]); i++)
		if (kek_ciphers[i].id == a->id)
			return &kek_ciphers[i];
	return NULL;
}

static cachet_alg_id_t prf_hash(cachet_alg_id_t prf)
{
	const cachet_alg_t *a = _cachet_alg_by_id(prf);

	return a != NULL ? a->hash : CACHET_ALG_NONE;
}

/* PBKDF2-params (RFC 8018 appendix A.2). */
static int parse_pbkdf2(const ri_t *ri, pwri_t *p, cachet_diag_t *diag)
{
	char where[256], choice[32];
	cbuf_t ch = {0};
	int ret;

	_cachet_ri_where(ri, "keyDerivationAlgorithm.parameters", where, sizeof(where));
	ENSURE(p->kdf.params != NULL, CACHET_E_BAD_PARAMS, RULE_PBKDF2, where,
	       "PBKDF2 without PBKDF2-params");
	CHECK(_cachet_asn1_decode("CachetAlgs.PBKDF2-params", p->kdf.params, p->kdf.plen, false,
				  &p->pbnode, where, RULE_PBKDF2, diag));
	ret = _cachet_asn1_read(p->pbnode, "salt", &ch);
	ENSURE(ret == 0 && ch.size > 0 && ch.size < sizeof(choice), CACHET_E_MALFORMED, RULE_PBKDF2,
	       where, "the salt cannot be read");
	memcpy(choice, ch.data, ch.size);
	choice[ch.size] = '\0';
	/* "otherSource ... reserved for future versions" (RFC 8018
	 * appendix A.2). */
	ENSURE(strcmp(choice, "specified") == 0, CACHET_E_UNSUPPORTED, RULE_PBKDF2, where,
	       "a salt from %s is not supported", choice);
	ret = _cachet_asn1_read(p->pbnode, "salt.specified", &p->salt);
	ENSURE(ret == 0, CACHET_E_MALFORMED, RULE_PBKDF2, where, "the salt cannot be read");
	ret = _cachet_asn1_read_uint(p->pbnode, "iterationCount", &p->iterations);
	if (ret == CACHET_E_SIZE_LIMIT)
		p->iterations = (unsigned long)-1; /* beyond any bound: the policy says no */
	else
		ENSURE(ret == 0 && p->iterations >= 1, CACHET_E_MALFORMED, RULE_PBKDF2, where,
		       "iterationCount is not an INTEGER (1..MAX)");
	ret = _cachet_asn1_read_uint(p->pbnode, "keyLength", &p->keylength);
	if (ret == CACHET_E_END)
		p->keylength = 0;
	else
		ENSURE(ret == 0 && p->keylength >= 1, CACHET_E_MALFORMED, RULE_PBKDF2, where,
		       "keyLength is not an INTEGER (1..MAX)");
	/* prf DEFAULT algid-hmacWithSHA1 */
	p->prf_id = CACHET_ALG_HMAC_SHA1;
	ret = _cachet_ri_alg(p->pbnode, p->kdf.params, p->kdf.plen, "prf", &p->prf);
	if (ret == 0) {
		ENSURE(p->prf.alg != NULL, CACHET_E_UNKNOWN_OID, RULE_PBKDF2, where,
		       "PBKDF2 prf %s is not known", p->prf.oid);
		ENSURE(p->prf.alg->kind == ALG_KIND_MAC && p->prf.alg->hash != CACHET_ALG_NONE,
		       CACHET_E_UNSUPPORTED, RULE_PBKDF2, where,
		       "%s is not a PBKDF2 prf Cachet supports", p->prf.alg->name);
		/* RFC 8018 appendix B.1: the parameters are NULL (absent is
		 * seen as well). */
		ENSURE(_cachet_ri_params_is_absent_or_null(&p->prf), CACHET_E_BAD_PARAMS,
		       "RFC 8018 appendix B.1", where, "%s with parameters other than NULL",
		       p->prf.alg->name);
		p->prf_id = p->prf.alg->id;
	} else {
		ENSURE(ret == CACHET_E_END, CACHET_E_MALFORMED, RULE_PBKDF2, where,
		       "prf cannot be read");
	}
	ret = 0;
cleanup:
	_cachet_buf_free(&ch);
	return ret;
}

static int pwri_parse(const ri_t *ri, pwri_t *p, cachet_diag_t *diag)
{
	char where[256];
	int ret;

	memset(p, 0, sizeof(*p));
	/* "version is the syntax version number.  It MUST always be 0."
	 * [rfc3211-1.2.1-version] */
	CHECK(_cachet_ri_version(ri, 0, RULE_PWRI, &p->version, diag));

	_cachet_ri_where(ri, "keyDerivationAlgorithm", where, sizeof(where));
	ret = _cachet_ri_alg(ri->node, ri->der, ri->len, "pwri.keyDerivationAlgorithm", &p->kdf);
	ENSURE(ret == 0 || ret == CACHET_E_END, CACHET_E_MALFORMED, RULE_PWRI, where,
	       "keyDerivationAlgorithm cannot be read");
	p->has_kdf = ret == 0;
	if (p->has_kdf) {
		/* "Conforming implementations MUST include PBKDF2" (RFC
		 * 3211 section 2.1), and Cachet has nothing else.
		 * [rfc3211-2.1-pbkdf2] */
		ENSURE(p->kdf.alg != NULL, CACHET_E_UNKNOWN_OID, "RFC 3211 section 2.1", where,
		       "key derivation algorithm %s is not known", p->kdf.oid);
		ENSURE(p->kdf.alg->id == CACHET_ALG_PBKDF2, CACHET_E_UNSUPPORTED,
		       "RFC 3211 section 2.1", where, "%s is not PBKDF2", p->kdf.alg->name);
		CHECK(parse_pbkdf2(ri, p, diag));
	}

	_cachet_ri_where(ri, "keyEncryptionAlgorithm", where, sizeof(where));
	ret = _cachet_ri_alg(ri->node, ri->der, ri->len, "pwri.keyEncryptionAlgorithm", &p->kea);
	if (ret < 0) {
		ret = _cachet_ri_missing(ri, "keyEncryptionAlgorithm", RULE_PWRI, diag);
		goto cleanup;
	}
	ENSURE(p->kea.alg != NULL, CACHET_E_UNKNOWN_OID, "RFC 3211 section 2.2", where,
	       "key-encryption algorithm %s is not known", p->kea.oid);
	/* [rfc3211-2.2-pwri-kek] */
	ENSURE(p->kea.alg->id == CACHET_ALG_PWRI_KEK, CACHET_E_UNSUPPORTED,
	       "RFC 3211 section 2.2", where, "%s is not id-alg-PWRI-KEK", p->kea.alg->name);
	/* "The AlgorithmIdentifier parameters field for this algorithm
	 * contains the KEK encryption algorithm" (RFC 3211 section 2.2);
	 * there is no default. */
	ENSURE(p->kea.params != NULL, CACHET_E_BAD_PARAMS, "RFC 3211 section 2.2", where,
	       "id-alg-PWRI-KEK without the KEK encryption algorithm");
	CHECK(_cachet_asn1_decode("CachetAlgs.AlgorithmIdentifier", p->kea.params, p->kea.plen,
				  false, &p->kcnode, where, "RFC 3211 section 2.2", diag));
	ret = _cachet_ri_alg(p->kcnode, p->kea.params, p->kea.plen, "", &p->kc);
	ENSURE(ret == 0, CACHET_E_BAD_PARAMS, "RFC 3211 section 2.2", where,
	       "the KEK encryption algorithm does not decode");
	p->cipher = kek_cipher(p->kc.alg);
	ENSURE(p->cipher != NULL, p->kc.alg ? CACHET_E_UNSUPPORTED : CACHET_E_UNKNOWN_OID,
	       "RFC 3211 section 2.2", where,
	       "KEK cipher %s is not supported (AES-CBC; 3DES-CBC with the legacy policy)",
	       _cachet_ri_alg_name(&p->kc));
	{
		/* The CBC IV: AES-IV ::= OCTET STRING (SIZE(16)) (RFC 3565
		 * section 4.1), 3DES "exactly 8 octets" (RFC 3370 section
		 * 5.1). */
		asn1_node ivn = NULL;

		ret = -1;
		if (p->kc.params != NULL &&
		    _cachet_asn1_decode("CachetAlgs.IV", p->kc.params, p->kc.plen, false, &ivn,
					where, p->kc.alg->rule, NULL) == 0)
			ret = _cachet_asn1_read(ivn, "", &p->iv);
		_cachet_asn1_delete(&ivn, false);
		ENSURE(ret == 0 && p->iv.size == p->cipher->block, CACHET_E_BAD_PARAMS,
		       p->kc.alg->rule, where, "%s needs an IV of %zu octets", p->kc.alg->name,
		       p->cipher->block);
	}
	/* keyLength, when present, is the KEK's (RFC 8018 appendix A.2). */
	if (p->has_kdf && p->keylength != 0)
		ENSURE(p->keylength == p->cipher->keylen, CACHET_E_BAD_PARAMS, RULE_PBKDF2,
		       _cachet_ri_where(ri, "keyDerivationAlgorithm.parameters", where,
					sizeof(where)),
		       "keyLength %lu, but %s needs %zu octets", p->keylength, p->kc.alg->name,
		       p->cipher->keylen);

	ret = _cachet_asn1_read(ri->node, "pwri.encryptedKey", &p->ek);
	if (ret < 0) {
		ret = _cachet_ri_missing(ri, "encryptedKey", RULE_PWRI, diag);
		goto cleanup;
	}
	ret = 0;
cleanup:
	return ret;
}

int _cachet_ri_pwri_describe(const ri_t *ri, cachet_ri_info_t *info, cachet_diag_t *diag)
{
	char kdf[96] = "";
	pwri_t p;
	int ret = pwri_parse(ri, &p, diag);

	info->version = p.version;
	if (p.has_kdf && p.kdf.alg != NULL && p.kdf.alg->id == CACHET_ALG_PBKDF2 &&
	    p.iterations != 0)
		snprintf(kdf, sizeof(kdf), "PBKDF2(%s, %lu iterations)",
			 _cachet_alg_by_id(p.prf_id)->name, p.iterations);
	else if (p.has_kdf)
		snprintf(kdf, sizeof(kdf), "%s", _cachet_ri_alg_name(&p.kdf));
	else
		snprintf(kdf, sizeof(kdf), "no key derivation (KEK given directly)");
	if (p.kea.oid[0] != '\0')
		snprintf(info->alg, sizeof(info->alg), "%s + %s(%s)", kdf,
			 _cachet_ri_alg_name(&p.kea),
			 p.kc.oid[0] != '\0' ? _cachet_ri_alg_name(&p.kc) : "?");
	else
		snprintf(info->alg, sizeof(info->alg), "%s", kdf);
	snprintf(info->rid, sizeof(info->rid), "password");
	pwri_free(&p);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The key wrap of RFC 3211 section 2.3 */

uint32_t _cachet_pwri_check(const uint8_t *blk, size_t n, size_t ceklen)
{
	uint32_t good;

	(void)n; /* 4 + ceklen <= n is the caller's check */
	/* 1a: "If the CEK byte count is ... greater than the wrapped CEK
	 * length or not valid for the CEK algorithm ... the KEK was
	 * invalid": the count must be the length the content cipher needs,
	 * which the caller has checked to fit in the block. */
	good = _cachet_ct_eq(blk[0], (uint32_t)ceklen);
	/* 1b: "If the bitwise complement of the key check value doesn't
	 * match the first three bytes of the key, the KEK was invalid." */
	good &= _cachet_ct_eq((uint32_t)(blk[1] ^ blk[4]), 0xffu);
	good &= _cachet_ct_eq((uint32_t)(blk[2] ^ blk[5]), 0xffu);
	good &= _cachet_ct_eq((uint32_t)(blk[3] ^ blk[6]), 0xffu);
	return _cachet_ct_barrier(good);
}

/* Unwrap EK (EKLEN octets, a whole number of blocks, at least two) with
 * KEK into CEK.  Key unwrapping, RFC 3211 section 2.3.2:
 *  1. Using the n-1'th ciphertext block as the IV, decrypt the n'th.
 *  2. Using the decrypted n'th block as the IV, decrypt the 1st ...
 *     n-1'th blocks.  This strips the outer layer of encryption.
 *  3. Decrypt the inner layer of encryption using the KEK (and the IV
 *     of the AlgorithmIdentifier). */
static int pwri_unwrap(const pwri_t *p, const uint8_t *kek, const uint8_t *ek, size_t eklen,
		       uint8_t *cek, size_t ceklen)
{
	uint8_t tmp[PWRI_EK_MAX], last[16];
	size_t bs = p->cipher->block, n = eklen / bs;
	uint32_t good;
	int ret;

	/* The caller checked bs | eklen, 2 bs <= eklen <= PWRI_EK_MAX and
	 * 4 + ceklen <= eklen. */
	CHECK(_cachet_cbc_raw_decrypt(p->cipher->id, kek, p->cipher->keylen, ek + (n - 2) * bs, bs,
				      ek + (n - 1) * bs, bs, last, NULL));
	CHECK(_cachet_cbc_raw_decrypt(p->cipher->id, kek, p->cipher->keylen, last, bs, ek,
				      (n - 1) * bs, tmp, NULL));
	memcpy(tmp + (n - 1) * bs, last, bs);
	CHECK(_cachet_cbc_raw_decrypt(p->cipher->id, kek, p->cipher->keylen, p->iv.data, bs, tmp,
				      eklen, tmp, NULL));
	good = _cachet_pwri_check(tmp, eklen, ceklen);
	memcpy(cek, tmp + 4, ceklen);
	/* Declassification point: the verdict becomes the result. */
	ret = good != 0 ? 0 : CACHET_E_DECRYPT_FAILED;
cleanup:
	if (ret < 0)
		cachet_wipe(cek, ceklen);
	WIPE_BUFFER(tmp);
	WIPE_BUFFER(last);
	return ret;
}

int _cachet_ri_pwri_open(const ri_t *ri, const cachet_ri_keys_t *keys, size_t ceklen,
			 uint8_t *cek, cachet_diag_t *diag)
{
	unsigned long max = keys->max_iterations ? keys->max_iterations
						 : CACHET_PWRI_MAX_ITERATIONS;
	uint8_t kek[32];
	char where[256];
	size_t i, bs;
	bool tried = false;
	pwri_t p;
	int ret;

	CHECK(pwri_parse(ri, &p, diag));
	if (keys->npw == 0 || keys->pw == NULL || keys->pwlen == NULL) {
		ret = CACHET_E_END;
		goto cleanup;
	}
	/* Policy, before any work. */
	ENSURE(!(p.kc.alg->flags & ALG_F_LEGACY) || keys->allow_legacy, CACHET_E_WEAK_ALGORITHM,
	       "RFC 8551 section 2.7",
	       _cachet_ri_where(ri, "keyEncryptionAlgorithm", where, sizeof(where)),
	       "KEK cipher %s is accepted only with the legacy policy", p.kc.alg->name);
	if (p.has_kdf) {
		_cachet_ri_where(ri, "keyDerivationAlgorithm", where, sizeof(where));
		/* The bound keeps a hostile message from burning CPU (ri.h). */
		ENSURE(p.iterations <= max, CACHET_E_POLICY, "RFC 8018 section 4.2", where,
		       "PBKDF2 with %lu iterations, above the bound of %lu", p.iterations, max);
		/* hmacWithSHA1 is PBKDF2's DEFAULT prf (RFC 8018 appendix
		 * A.2) and what OpenSSL 3.0 writes: read under every policy
		 * (SHA-1's collisions do not touch HMAC), never written. */
	}
	/* Public length checks, by addition: a whole number of blocks, at
	 * least two (RFC 3211 section 2.3.1), within Cachet's bound, and
	 * room for the 4-octet header and the CEK. */
	bs = p.cipher->block;
	if (p.ek.size % bs != 0 || !_cachet_add_ok(bs, bs, p.ek.size) ||
	    p.ek.size > PWRI_EK_MAX || !_cachet_add_ok(4, ceklen, p.ek.size)) {
		ret = _cachet_ri_unwrap_failed(ri, keys, "encryptedKey length", diag);
		goto cleanup;
	}
	ret = CACHET_E_END;
	for (i = 0; i < keys->npw; i++) {
		const uint8_t *pw = keys->pw[i];
		size_t pwlen = keys->pwlen[i];

		if (pw == NULL && pwlen != 0)
			continue;
		if (p.has_kdf) {
			ret = _cachet_pbkdf2(prf_hash(p.prf_id), pw, pwlen, p.salt.data, p.salt.size,
					     p.iterations, max, kek, p.cipher->keylen, diag);
			if (ret < 0)
				goto cleanup;
		} else {
			/* No key derivation: the password is the KEK. */
			if (pwlen != p.cipher->keylen)
				continue;
			memcpy(kek, pw, pwlen);
		}
		tried = true;
		ret = pwri_unwrap(&p, kek, p.ek.data, p.ek.size, cek, ceklen);
		WIPE_BUFFER(kek);
		if (ret == 0)
			goto cleanup;
	}
	if (tried)
		ret = _cachet_ri_unwrap_failed(ri, keys, "RFC 3211 key unwrap (count or check value)",
					       diag);
	else
		ret = CACHET_E_END;
cleanup:
	WIPE_BUFFER(kek);
	pwri_free(&p);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Producing */

int _cachet_ri_make_pwri(cbuf_t *out, const uint8_t *pw, size_t pwlen, unsigned long iterations,
			 const uint8_t *cek, size_t ceklen, cachet_diag_t *diag)
{
	static const char *const path = "PasswordRecipientInfo";
	uint8_t salt[16], iv[16], kek[32], blk[64];
	size_t off = out != NULL ? out->size : 0, p, q, n, k;
	cachet_alg_id_t cipher;
	uint8_t it[8];
	size_t itlen = 0;
	unsigned long v;
	int ret;

	ENSURE(out != NULL && (pw != NULL || pwlen == 0) && cek != NULL, CACHET_E_INVALID_ARG,
	       RULE_PWRI, path, "missing password or CEK");
	if (iterations == 0)
		iterations = CACHET_PWRI_ITERATIONS;
	ENSURE(iterations <= CACHET_PWRI_MAX_ITERATIONS, CACHET_E_POLICY, "RFC 8018 section 4.2",
	       path, "%lu iterations are more than any Cachet reader accepts (%lu)", iterations,
	       CACHET_PWRI_MAX_ITERATIONS);
	/* The KEK is as long as the CEK (ri.h): AES-CBC of that size. */
	cipher = ceklen == 16 ? CACHET_ALG_AES128_CBC
		 : ceklen == 24 ? CACHET_ALG_AES192_CBC
		 : ceklen == 32 ? CACHET_ALG_AES256_CBC
				: CACHET_ALG_NONE;
	ENSURE(cipher != CACHET_ALG_NONE, CACHET_E_INVALID_ARG, RULE_3211, path,
	       "a CEK of %zu octets (16, 24 or 32)", ceklen);
	ENSURE(_cachet_random(salt, sizeof(salt)) == 0 && _cachet_random(iv, sizeof(iv)) == 0,
	       CACHET_E_RANDOM, "", path, "random generator failed");
	CHECK(_cachet_pbkdf2(CACHET_ALG_SHA256, pw, pwlen, salt, sizeof(salt), iterations,
			     iterations, kek, ceklen, diag));

	/* Key formatting (RFC 3211 section 2.3.1): "1. A one-byte count of
	 * the number of bytes in the CEK.  2. A check value containing the
	 * bitwise complement of the first three bytes of the CEK.  3. The
	 * CEK.  4. Enough random padding data to make the CEK data block a
	 * multiple of the KEK block length and at least two KEK cipher blocks
	 * long". */
	n = (4 + ceklen + 15) / 16 * 16;
	if (n < 32)
		n = 32;
	blk[0] = (uint8_t)ceklen;
	blk[1] = (uint8_t)~cek[0];
	blk[2] = (uint8_t)~cek[1];
	blk[3] = (uint8_t)~cek[2];
	memcpy(blk + 4, cek, ceklen);
	ENSURE(_cachet_random(blk + 4 + ceklen, n - 4 - ceklen) == 0, CACHET_E_RANDOM, "", path,
	       "random generator failed");
	/* Key wrapping: "1. Encrypt the padded key using the KEK.  2. Without
	 * resetting the IV (that is, using the last ciphertext block as the
	 * IV), encrypt the encrypted padded key a second time." */
	CHECK(_cachet_cbc_raw_encrypt(cipher, kek, ceklen, iv, 16, blk, n, blk, diag));
	{
		uint8_t chain[16];

		memcpy(chain, blk + n - 16, 16);
		ret = _cachet_cbc_raw_encrypt(cipher, kek, ceklen, chain, 16, blk, n, blk, diag);
		WIPE_BUFFER(chain);
		CHECK(ret);
	}

	/* version: "It MUST always be 0." [rfc3211-1.2.1-version] */
	CHECK(_cachet_der_small_uint(out, 0));
	/* keyDerivationAlgorithm [0] IMPLICIT { id-PBKDF2, PBKDF2-params {
	 * salt, iterationCount, keyLength, prf hmacWithSHA256 NULL } } */
	p = out->size;
	CHECK(_cachet_der_oid(out, _cachet_alg_by_id(CACHET_ALG_PBKDF2)->oid));
	q = out->size;
	CHECK(_cachet_der_append(out, BER_TAG_OCTET_STRING, salt, sizeof(salt)));
	for (v = iterations; v != 0; v >>= 8)
		itlen++;
	for (v = iterations, k = itlen; k > 0; k--, v >>= 8)
		it[k - 1] = (uint8_t)v;
	CHECK(_cachet_der_uint(out, it, itlen));
	CHECK(_cachet_der_small_uint(out, ceklen));
	{
		size_t r = out->size;

		CHECK(_cachet_der_oid(out, _cachet_alg_by_id(CACHET_ALG_HMAC_SHA256)->oid));
		/* RFC 8018 appendix B.1.2: parameters NULL */
		CHECK(_cachet_der_append(out, BER_TAG_NULL, NULL, 0));
		CHECK(_cachet_der_wrap(out, r, 0x30));
	}
	CHECK(_cachet_der_wrap(out, q, 0x30));
	CHECK(_cachet_der_wrap(out, p, 0xa0));
	/* keyEncryptionAlgorithm { id-alg-PWRI-KEK, { aesN-CBC, IV } } */
	p = out->size;
	CHECK(_cachet_der_oid(out, _cachet_alg_by_id(CACHET_ALG_PWRI_KEK)->oid));
	q = out->size;
	CHECK(_cachet_der_oid(out, _cachet_alg_by_id(cipher)->oid));
	CHECK(_cachet_der_append(out, BER_TAG_OCTET_STRING, iv, sizeof(iv)));
	CHECK(_cachet_der_wrap(out, q, 0x30));
	CHECK(_cachet_der_wrap(out, p, 0x30));
	CHECK(_cachet_der_append(out, BER_TAG_OCTET_STRING, blk, n));
	/* pwri [3] IMPLICIT PasswordRecipientInfo */
	CHECK(_cachet_der_wrap(out, off, 0xa3));
	ret = 0;
cleanup:
	if (ret < 0 && out != NULL)
		out->size = off;
	WIPE_BUFFER(kek);
	WIPE_BUFFER(blk);
	return ret;
}
