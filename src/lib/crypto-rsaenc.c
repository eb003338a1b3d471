/* crypto-rsaenc.c -- RSA key transport: RSAES-PKCS1-v1_5 and RSAES-OAEP
 * (RFC 8017 section 7, RFC 3370 section 4.2.1, RFC 3560 / RFC 4055).
 *
 * PKCS#1 v1.5 decryption never reports a padding failure.  It follows RFC
 * 3218 section 2.3 ("random CEK"): the output starts as random octets and
 * nettle's rsa_sec_decrypt, which is side-channel silent, replaces them
 * only when the padding is valid and the message has the expected length.
 * Neither this file nor its caller looks at the outcome, so a bad
 * ciphertext becomes a wrong CEK and fails later, at content decryption,
 * exactly like a good ciphertext for another recipient.
 *
 * Nettle 3.8 has no OAEP.  Encoding follows RFC 8017 section 7.1.1 on
 * cachet_hash_t.  Decoding runs the blinded private operation
 * (rsa_compute_root_tr) and then _cachet_oaep_unpad, which unmasks and
 * checks EM in one pass over masks -- no branch and no memory access
 * depends on EM -- and yields one verdict.  Every failure is
 * CACHET_E_DECRYPT_FAILED with no diagnostic, so Manger's attack has no
 * "first octet not zero" signal to measure.
 *
 * What is not constant time, and why (see tests/ct/README): nettle's
 * rsa_compute_root_tr returns an mpz, and GMP's normalisation of it (in
 * nettle, before this file sees the number) and nettle_mpz_get_str_256
 * skip high zero limbs, so the time taken may depend on whether the top
 * limb of EM is zero.  For a valid EM that happens with probability
 * 2^-56; it is not the 8-bit condition Manger's attack needs.  When
 * configure finds nettle's own OAEP (3.10 and later), that is the better
 * path; this file is the Nettle 3.8 one.
 */
#include "crypto-enc.h"
#include "pki-key.h"

#include <nettle/bignum.h>
#include <nettle/rsa.h>

#define PATH_KT "keyEncryptionAlgorithm"
#define RULE_V15 "RFC 8017 section 7.2"
#define RULE_OAEP "RFC 8017 section 7.1"
/* RFC 8017 section 7.2.1: PS is at least 8 octets, plus 00 02 .. 00. */
#define V15_OVERHEAD 11

/* ------------------------------------------------------------------ */
/* Helpers */

/* RFC 4055 section 1.2: an id-RSASSA-PSS key "MUST only be used for
 * RSASSA-PSS"; key transport needs an rsaEncryption key. */
static int rsa_kt_check(bool present, cachet_pk_type_t type, bool has_rsa,
			const char *rule, cachet_diag_t *diag)
{
	int ret = 0;

	ENSURE(present && type == CACHET_PK_RSA && has_rsa, CACHET_E_KEY_MISMATCH,
	       present && type == CACHET_PK_RSA_PSS ? "RFC 4055 section 1.2" : rule,
	       PATH_KT, "RSA key transport needs an rsaEncryption key");
cleanup:
	return ret;
}


/* I2OSP(X, LEN) into a new datum. */

/* ------------------------------------------------------------------ */
/* RSAES-PKCS1-v1_5 */

int _cachet_rsa_pkcs1_encrypt(const cachet_pubkey_t *k, const uint8_t *in,
			      size_t inlen, cachet_datum_t *out,
			      cachet_diag_t *diag)
{
	int rnd_failed = 0;
	mpz_t c;
	int ret;

	mpz_init(c);
	ENSURE(out != NULL && (in != NULL || inlen == 0), CACHET_E_INVALID_ARG,
	       RULE_V15, PATH_KT, "missing input or output");
	out->data = NULL;
	out->size = 0;
	CHECK(rsa_kt_check(k != NULL, k ? k->type : CACHET_PK_NONE, k && k->has_rsa, RULE_V15, diag));
	/* RFC 8017 section 7.2.1 step 1: mLen <= k - 11. */
	ENSURE(_cachet_add_ok(inlen, V15_OVERHEAD, k->rsa.size),
	       CACHET_E_INVALID_ARG, "RFC 8017 section 7.2.1", PATH_KT,
	       "message of %zu octets too long for a %zu-octet modulus", inlen,
	       k->rsa.size);
	ENSURE(rsa_encrypt(&k->rsa, &rnd_failed, _cachet_nettle_random, inlen,
			   in, c) == 1,
	       CACHET_E_CRYPTO, RULE_V15, PATH_KT, "RSA encryption failed");
	ENSURE(!rnd_failed, CACHET_E_RANDOM, "", PATH_KT,
	       "random generator failed while padding");
	CHECK(_cachet_mpz_put(c, k->rsa.size, out));
	ret = 0;
cleanup:
	mpz_clear(c);
	return ret;
}

int _cachet_rsa_pkcs1_decrypt(const cachet_privkey_t *k, const uint8_t *in,
			      size_t inlen, uint8_t *out, size_t outlen,
			      cachet_diag_t *diag)
{
	uint8_t valid;
	return _cachet_rsa_pkcs1_decrypt_masked(k, in, inlen, out, outlen, &valid, diag);
}

int _cachet_rsa_pkcs1_decrypt_masked(const cachet_privkey_t *k, const uint8_t *in,
				     size_t inlen, uint8_t *out, size_t outlen,
				     uint8_t *valid, cachet_diag_t *diag)
{
	int rnd_failed = 0;
	mpz_t c;
	int ret;

	*valid = 0;
	mpz_init(c);
	ENSURE(in != NULL && out != NULL, CACHET_E_INVALID_ARG, RULE_V15,
	       PATH_KT, "missing input or output");
	/* A key on a PKCS#11 token: the token unpads (pki-token.c). */
	if (_cachet_privkey_is_token(k)) {
		ret = _cachet_token_pkcs1_decrypt(k, in, inlen, out, outlen, valid, diag);
		goto cleanup;
	}
	CHECK(rsa_kt_check(k != NULL, k ? k->type : CACHET_PK_NONE, k && k->has_rsa, RULE_V15, diag));
	ENSURE(outlen >= 1 &&
		       _cachet_add_ok(outlen, V15_OVERHEAD, k->rsa_pub.size),
	       CACHET_E_INVALID_ARG, "RFC 8017 section 7.2.2", PATH_KT,
	       "expected key of %zu octets cannot come from a %zu-octet "
	       "modulus",
	       outlen, k->rsa_pub.size);
	/* RFC 8017 section 7.2.2 step 1: C must be k octets.  Its length
	 * is public. */
	if (inlen != k->rsa_pub.size) {
		ret = CACHET_E_DECRYPT_FAILED;
		goto cleanup;
	}
	/* RFC 3218 section 2.3: start from a random key... */
	CHECK(_cachet_random(out, outlen));
	nettle_mpz_set_str_256_u(c, inlen, in);
	/* ...which rsa_sec_decrypt overwrites (cnd_memcpy) only for valid
	 * padding around exactly OUTLEN octets.  Its result is deliberately
	 * kept as a mask only: no branch, no error code, no diagnostic
	 * depends on it here.  A ciphertext >= n also leaves the random key
	 * in place. */
	*valid = (uint8_t)(0u - (unsigned)(rsa_sec_decrypt(&k->rsa_pub, &k->rsa_priv, &rnd_failed,
							   _cachet_nettle_random, outlen, out, c) & 1));
	/* A failed random generator weakened the blinding; this says
	 * nothing about the padding. */
	if (rnd_failed) {
		cachet_wipe(out, outlen);
		ret = CACHET_E_RANDOM;
		goto cleanup;
	}
	ret = 0;
cleanup:
	mpz_clear(c);
	return ret;
}

/* ------------------------------------------------------------------ */
/* RSAES-OAEP */

static bool oaep_hash_ok(cachet_alg_id_t h)
{
	/* RFC 4055 section 4.1 / RFC 8017 appendix B.1. */
	return h == CACHET_ALG_SHA1 || h == CACHET_ALG_SHA224 ||
	       h == CACHET_ALG_SHA256 || h == CACHET_ALG_SHA384 ||
	       h == CACHET_ALG_SHA512;
}

static int oaep_check(const cachet_oaep_params_t *p, size_t *hlen,
		      cachet_diag_t *diag)
{
	int ret = 0;

	ENSURE(p != NULL && (p->label != NULL || p->label_len == 0),
	       CACHET_E_INVALID_ARG, RULE_OAEP, PATH_KT,
	       "missing RSAES-OAEP parameters");
	ENSURE(oaep_hash_ok(p->hash), CACHET_E_UNSUPPORTED,
	       "RFC 4055 section 4.1", PATH_KT ".parameters.hashFunc",
	       "RSAES-OAEP hash %s is not supported",
	       _cachet_alg_by_id(p->hash) ? _cachet_alg_by_id(p->hash)->name
					  : "(none)");
	ENSURE(oaep_hash_ok(p->mgf_hash), CACHET_E_UNSUPPORTED,
	       "RFC 4055 section 4.1", PATH_KT ".parameters.maskGenFunc",
	       "MGF1 hash %s is not supported",
	       _cachet_alg_by_id(p->mgf_hash)
		       ? _cachet_alg_by_id(p->mgf_hash)->name
		       : "(none)");
	*hlen = _cachet_hash_size(p->hash);
cleanup:
	return ret;
}

/* OUT ^= MGF1(SEED, OUTLEN) over HASH (RFC 8017 appendix B.2.1).  The mask
 * is XORed in block by block, so it never sits in memory whole. */
static int mgf1_xor(cachet_alg_id_t hash, const uint8_t *seed, size_t seedlen,
		    uint8_t *out, size_t outlen)
{
	uint8_t d[CACHET_MAX_DIGEST], cnt[4];
	cachet_hash_t h;
	size_t hlen = _cachet_hash_size(hash), done = 0, take, i;
	uint32_t counter = 0;
	int ret = 0;

	while (done < outlen) {
		ret = _cachet_hash_init(&h, hash);
		if (ret < 0)
			break;
		cnt[0] = (uint8_t)(counter >> 24);
		cnt[1] = (uint8_t)(counter >> 16);
		cnt[2] = (uint8_t)(counter >> 8);
		cnt[3] = (uint8_t)counter;
		_cachet_hash_update(&h, seed, seedlen);
		_cachet_hash_update(&h, cnt, sizeof(cnt));
		_cachet_hash_final(&h, d);
		take = outlen - done < hlen ? outlen - done : hlen;
		for (i = 0; i < take; i++)
			out[done + i] ^= d[i];
		done += take;
		counter++;
	}
	WIPE_OBJ(&h);
	WIPE_BUFFER(d);
	return ret;
}

int _cachet_oaep_pad(const cachet_oaep_params_t *p, const uint8_t *in,
		     size_t inlen, const uint8_t *seed, uint8_t *em, size_t k)
{
	size_t hlen = _cachet_hash_size(p->hash);
	size_t dblen = k - hlen - 1;
	uint8_t *mseed = em + 1, *db = em + 1 + hlen;
	int ret;

	/* RFC 8017 section 7.1.1 step 2:
	 * b. lHash = Hash(L)
	 * c./d. DB = lHash || PS || 0x01 || M */
	ret = _cachet_hash_once(p->hash, p->label, p->label_len, db);
	if (ret < 0)
		return ret;
	memset(db + hlen, 0, dblen - hlen - inlen - 1);
	db[dblen - inlen - 1] = 0x01;
	if (inlen > 0)
		memcpy(db + dblen - inlen, in, inlen);
	/* e.-f. maskedDB = DB ^ MGF(seed, k - hLen - 1) */
	memcpy(mseed, seed, hlen);
	ret = mgf1_xor(p->mgf_hash, seed, hlen, db, dblen);
	if (ret < 0)
		return ret;
	/* g.-h. maskedSeed = seed ^ MGF(maskedDB, hLen)
	 * i. EM = 0x00 || maskedSeed || maskedDB */
	ret = mgf1_xor(p->mgf_hash, db, dblen, mseed, hlen);
	em[0] = 0x00;
	return ret;
}

uint32_t _cachet_oaep_unpad(const cachet_oaep_params_t *p, uint8_t *em,
			    size_t k, size_t *off)
{
	uint8_t lhash[CACHET_MAX_DIGEST];
	size_t hlen = _cachet_hash_size(p->hash), dblen, i;
	uint8_t *seed = em + 1, *db;
	uint32_t good, found, bad, idx, is0, is1, b;

	*off = k;
	/* Public preconditions (hash supported, k >= 2hLen + 2) are the
	 * caller's; a violation here is a plain failure. */
	if (hlen == 0 || k < 2 * hlen + 2 ||
	    _cachet_hash_once(p->hash, p->label, p->label_len, lhash) < 0)
		return 0;
	dblen = k - hlen - 1;
	db = em + 1 + hlen;

	/* RFC 8017 section 7.1.2 step 3:
	 * c.-d. seed = maskedSeed ^ MGF(maskedDB, hLen)
	 * e.-f. DB = maskedDB ^ MGF(seed, k - hLen - 1) */
	if (mgf1_xor(p->mgf_hash, db, dblen, seed, hlen) < 0 ||
	    mgf1_xor(p->mgf_hash, seed, hlen, db, dblen) < 0) {
		WIPE_BUFFER(lhash);
		return 0;
	}

	/* g. DB = lHash' || PS || 0x01 || M; all of these must hold, and
	 * are folded into one mask:
	 *   Y = 0; lHash' = lHash; PS is zeros up to a 0x01. */
	good = _cachet_ct_is_zero(em[0]);
	good &= _cachet_ct_memeq(db, lhash, hlen);
	found = 0;
	bad = 0;
	idx = 0;
	for (i = hlen; i < dblen; i++) {
		b = db[i];
		is0 = _cachet_ct_is_zero(b);
		is1 = _cachet_ct_eq(b, 1);
		/* the first 0x01 ends PS; M starts after it */
		idx = _cachet_ct_select(~found & is1, (uint32_t)(i + 1), idx);
		/* before it, only zeros */
		bad |= ~found & ~is0 & ~is1;
		found |= is1;
	}
	good &= found & ~bad;
	good = _cachet_ct_barrier(good);
	*off = (size_t)_cachet_ct_select(good, (uint32_t)(1 + hlen) + idx,
					 (uint32_t)k);
	WIPE_BUFFER(lhash);
	return good;
}

int _cachet_rsa_oaep_encrypt(const cachet_pubkey_t *k,
			     const cachet_oaep_params_t *p, const uint8_t *in,
			     size_t inlen, cachet_datum_t *out,
			     cachet_diag_t *diag)
{
	uint8_t seed[CACHET_MAX_DIGEST];
	uint8_t *em = NULL;
	size_t hlen = 0, kb = 0;
	mpz_t m, c;
	int ret;

	mpz_init(m);
	mpz_init(c);
	ENSURE(out != NULL && (in != NULL || inlen == 0), CACHET_E_INVALID_ARG,
	       RULE_OAEP, PATH_KT, "missing input or output");
	out->data = NULL;
	out->size = 0;
	CHECK(rsa_kt_check(k != NULL, k ? k->type : CACHET_PK_NONE, k && k->has_rsa, RULE_OAEP, diag));
	CHECK(oaep_check(p, &hlen, diag));
	kb = k->rsa.size;
	/* RFC 8017 section 7.1.1 step 1.b: mLen <= k - 2hLen - 2. */
	ENSURE(_cachet_add_ok(inlen, 2 * hlen + 2, kb), CACHET_E_INVALID_ARG,
	       "RFC 8017 section 7.1.1", PATH_KT,
	       "message of %zu octets too long for RSAES-OAEP with a "
	       "%zu-octet modulus and a %zu-octet hash",
	       inlen, kb, hlen);
	em = _cachet_malloc(kb);
	ENSURE(em != NULL, CACHET_E_NOMEM, "", PATH_KT, "out of memory");
	/* step 2.d: a random octet string seed of length hLen */
	CHECK(_cachet_random(seed, hlen));
	CHECK(_cachet_oaep_pad(p, in, inlen, seed, em, kb));
	/* step 3: RSAEP.  EM < 256^(k-1) <= n since EM starts with 00. */
	nettle_mpz_set_str_256_u(m, kb, em);
	mpz_powm(c, m, k->rsa.e, k->rsa.n);
	CHECK(_cachet_mpz_put(c, kb, out));
	ret = 0;
cleanup:
	if (em != NULL)
		cachet_wipe(em, kb);
	cachet_free(em);
	WIPE_BUFFER(seed);
	_cachet_mpz_wipe(m);
	mpz_clear(m);
	mpz_clear(c);
	return ret;
}

int _cachet_rsa_oaep_decrypt(const cachet_privkey_t *k,
			     const cachet_oaep_params_t *p, const uint8_t *in,
			     size_t inlen, uint8_t *out, size_t outcap,
			     size_t *outlen, cachet_diag_t *diag)
{
	uint8_t *em = NULL;
	size_t hlen = 0, kb = 0, off = 0, mlen;
	int rnd_failed = 0;
	uint32_t good;
	mpz_t c, m;
	int ret;

	mpz_init(c);
	mpz_init(m);
	ENSURE(in != NULL && out != NULL && outlen != NULL,
	       CACHET_E_INVALID_ARG, RULE_OAEP, PATH_KT,
	       "missing input or output");
	*outlen = 0;
	ENSURE(!_cachet_privkey_is_token(k), CACHET_E_UNSUPPORTED, RULE_OAEP, PATH_KT,
	       "RSAES-OAEP with a key on a PKCS#11 token is not supported: GnuTLS 3.7.9 "
	       "decrypts on a token only with PKCS#1 v1.5 (CKM_RSA_PKCS), "
	       "gnutls_privkey_decrypt_data has no OAEP parameters");
	CHECK(rsa_kt_check(k != NULL, k ? k->type : CACHET_PK_NONE, k && k->has_rsa, RULE_OAEP, diag));
	CHECK(oaep_check(p, &hlen, diag));
	kb = k->rsa_pub.size;
	/* RFC 8017 section 7.1.2 step 1: C is k octets and k >= 2hLen + 2,
	 * else "decryption error".  Both lengths are public. */
	if (inlen != kb || !_cachet_add_ok(2 * hlen, 2, kb)) {
		ret = CACHET_E_DECRYPT_FAILED;
		goto cleanup;
	}
	nettle_mpz_set_str_256_u(c, inlen, in);
	/* step 2: RSADP requires 0 <= c < n (c is public). */
	if (mpz_cmp(c, k->rsa_pub.n) >= 0) {
		ret = CACHET_E_DECRYPT_FAILED;
		goto cleanup;
	}
	em = _cachet_malloc(kb);
	ENSURE(em != NULL, CACHET_E_NOMEM, "", PATH_KT, "out of memory");
	/* Blinded, CRT result checked against the public key. */
	if (rsa_compute_root_tr(&k->rsa_pub, &k->rsa_priv, &rnd_failed,
				_cachet_nettle_random, m, c) != 1) {
		ret = CACHET_E_DECRYPT_FAILED;
		goto cleanup;
	}
	ENSURE(!rnd_failed, CACHET_E_RANDOM, "", PATH_KT,
	       "random generator failed while blinding");
	nettle_mpz_get_str_256(kb, em, m);
	good = _cachet_oaep_unpad(p, em, kb, &off);
	/* Declassification point: the verdict becomes the result, and on
	 * success the message length becomes the (public) output length. */
	if (good == 0) {
		ret = CACHET_E_DECRYPT_FAILED;
		goto cleanup;
	}
	mlen = kb - off; /* off <= kb by construction */
	if (mlen > outcap) {
		ret = CACHET_E_DECRYPT_FAILED;
		goto cleanup;
	}
	if (mlen > 0)
		memcpy(out, em + off, mlen);
	*outlen = mlen;
	ret = 0;
cleanup:
	if (ret == CACHET_E_DECRYPT_FAILED && out != NULL)
		cachet_wipe(out, outcap);
	if (em != NULL)
		cachet_wipe(em, kb);
	cachet_free(em);
	_cachet_mpz_wipe(m);
	mpz_clear(m);
	mpz_clear(c);
	return ret;
}
