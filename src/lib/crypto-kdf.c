/* crypto-kdf.c -- key derivation and key agreement.
 *
 * HMAC (RFC 2104), the ANSI X9.63 KDF (SEC 1 section 3.6.1, used by RFC
 * 5753 section 7.2), HKDF (RFC 5869) and PBKDF2 (RFC 8018 section 5.2)
 * are written on cachet_hash_t rather than on nettle's hmac/hkdf/pbkdf2
 * helpers: those keep key-dependent blocks (U_i, T_i, padded keys) in
 * stack buffers they never clear, while here every such buffer is the
 * library's own and is wiped.
 *
 * Key agreement: ECDH on P-256, P-384 and P-521 (RFC 5753, SEC 1 section
 * 3.3.1: the shared secret is the x-coordinate of d * Q) with nettle's
 * ecc_point_mul, after checking that the peer's point is on the curve
 * (ecc_point_set; the cofactor of these curves is 1, so that is full
 * public-key validation, SP 800-56A section 5.6.2.3.3); X25519 and X448
 * (RFC 7748, RFC 8418) with nettle's curve25519_mul / curve448_mul,
 * rejecting an all-zero result (RFC 7748 section 6).
 */
#include "crypto-enc.h"
#include "pki-key.h"

#include <nettle/bignum.h>
#include <nettle/curve25519.h>
#include <nettle/curve448.h>
#include <nettle/ecc.h>

#define PATH_KDF "keyDerivationAlgorithm"
#define PATH_KA "keyEncryptionAlgorithm"
#define PATH_ORIG "originator"
#define RULE_X963 "RFC 5753 section 7.2"
#define RULE_HKDF "RFC 5869 section 2"
#define RULE_PBKDF2 "RFC 8018 section 5.2"
#define RULE_ECDH "RFC 5753 section 3.1"
#define RULE_XDH "RFC 8418 section 2"
#define HMAC_BLOCK_MAX 128

/* ------------------------------------------------------------------ */
/* HMAC */

static size_t hash_block_size(cachet_alg_id_t id)
{
	switch (id) {
	case CACHET_ALG_SHA1:
	case CACHET_ALG_SHA224:
	case CACHET_ALG_SHA256:
		return 64;
	case CACHET_ALG_SHA384:
	case CACHET_ALG_SHA512:
		return 128;
	default:
		return 0;
	}
}

int _cachet_hmac_init(cachet_hmac_t *m, cachet_alg_id_t hash,
		      const uint8_t *key, size_t keylen)
{
	uint8_t k0[HMAC_BLOCK_MAX], pad[HMAC_BLOCK_MAX];
	size_t bs = hash_block_size(hash), i;
	int ret;

	if (m == NULL || (key == NULL && keylen > 0))
		return CACHET_E_INVALID_ARG;
	memset(m, 0, sizeof(*m));
	if (bs == 0)
		return CACHET_E_UNSUPPORTED;
	memset(k0, 0, sizeof(k0));
	/* RFC 2104 section 2: a key longer than the block is hashed; K0 is
	 * the key padded with zeros to the block size. */
	if (keylen > bs) {
		ret = _cachet_hash_once(hash, key, keylen, k0);
		if (ret < 0)
			goto cleanup;
	} else if (keylen > 0) {
		memcpy(k0, key, keylen);
	}
	for (i = 0; i < bs; i++)
		pad[i] = k0[i] ^ 0x36;
	ret = _cachet_hash_init(&m->inner, hash);
	if (ret < 0)
		goto cleanup;
	_cachet_hash_update(&m->inner, pad, bs);
	for (i = 0; i < bs; i++)
		pad[i] = k0[i] ^ 0x5c;
	ret = _cachet_hash_init(&m->outer, hash);
	if (ret < 0)
		goto cleanup;
	_cachet_hash_update(&m->outer, pad, bs);
	m->work = m->inner;
	m->hlen = _cachet_hash_size(hash);
	ret = 0;
cleanup:
	if (ret < 0)
		WIPE_OBJ(m);
	WIPE_BUFFER(k0);
	WIPE_BUFFER(pad);
	return ret;
}

void _cachet_hmac_reset(cachet_hmac_t *m)
{
	m->work = m->inner;
}

void _cachet_hmac_update(cachet_hmac_t *m, const uint8_t *p, size_t n)
{
	_cachet_hash_update(&m->work, p, n);
}

void _cachet_hmac_final(cachet_hmac_t *m, uint8_t *out)
{
	uint8_t ih[CACHET_MAX_DIGEST];

	_cachet_hash_final(&m->work, ih);
	m->work = m->outer;
	_cachet_hash_update(&m->work, ih, m->hlen);
	_cachet_hash_final(&m->work, out);
	m->work = m->inner;
	WIPE_BUFFER(ih);
}

void _cachet_hmac_wipe(cachet_hmac_t *m)
{
	if (m != NULL)
		WIPE_OBJ(m);
}

/* ------------------------------------------------------------------ */
/* ANSI X9.63 KDF */

static bool x963_hash_ok(cachet_alg_id_t h)
{
	return h == CACHET_ALG_SHA1 || h == CACHET_ALG_SHA224 ||
	       h == CACHET_ALG_SHA256 || h == CACHET_ALG_SHA384 ||
	       h == CACHET_ALG_SHA512;
}

int _cachet_kdf_x963(cachet_alg_id_t hash, const uint8_t *z, size_t zlen,
		     const uint8_t *info, size_t infolen, uint8_t *out,
		     size_t outlen, cachet_diag_t *diag)
{
	uint8_t d[CACHET_MAX_DIGEST], cnt[4];
	cachet_hash_t h;
	size_t hlen, done = 0, take;
	uint32_t counter = 1;
	int ret;

	memset(&h, 0, sizeof(h));
	ENSURE(out != NULL && (z != NULL || zlen == 0) &&
		       (info != NULL || infolen == 0),
	       CACHET_E_INVALID_ARG, RULE_X963, PATH_KDF,
	       "missing KDF input or output");
	ENSURE(x963_hash_ok(hash), CACHET_E_UNSUPPORTED, RULE_X963, PATH_KDF,
	       "X9.63 KDF with an unsupported hash");
	hlen = _cachet_hash_size(hash);
	/* SEC 1 section 3.6.1 step 1: keydatalen < hashlen * (2^32 - 1). */
	ENSURE(outlen >= 1 &&
		       (uint64_t)outlen < (uint64_t)hlen * UINT64_C(0xffffffff),
	       CACHET_E_INVALID_ARG, RULE_X963, PATH_KDF,
	       "KDF output of %zu octets", outlen);
	/* step 4: K_i = Hash(Z || Counter || SharedInfo), Counter a 32-bit
	 * big-endian integer from 1; K is their concatenation, truncated. */
	while (done < outlen) {
		CHECK(_cachet_hash_init(&h, hash));
		cnt[0] = (uint8_t)(counter >> 24);
		cnt[1] = (uint8_t)(counter >> 16);
		cnt[2] = (uint8_t)(counter >> 8);
		cnt[3] = (uint8_t)counter;
		_cachet_hash_update(&h, z, zlen);
		_cachet_hash_update(&h, cnt, sizeof(cnt));
		_cachet_hash_update(&h, info, infolen);
		_cachet_hash_final(&h, d);
		take = outlen - done < hlen ? outlen - done : hlen;
		memcpy(out + done, d, take);
		done += take;
		counter++;
	}
	ret = 0;
cleanup:
	if (ret < 0 && out != NULL)
		cachet_wipe(out, outlen);
	WIPE_OBJ(&h);
	WIPE_BUFFER(d);
	return ret;
}

/* ------------------------------------------------------------------ */
/* HKDF */

static int hkdf_hash_check(cachet_alg_id_t hash, cachet_diag_t *diag)
{
	int ret = 0;

	ENSURE(hash == CACHET_ALG_SHA256 || hash == CACHET_ALG_SHA384 ||
		       hash == CACHET_ALG_SHA512,
	       CACHET_E_UNSUPPORTED, "RFC 8619 section 2", PATH_KDF,
	       "HKDF with a hash other than SHA-256, SHA-384 or SHA-512");
cleanup:
	return ret;
}

int _cachet_hkdf_extract(cachet_alg_id_t hash, const uint8_t *salt,
			 size_t saltlen, const uint8_t *ikm, size_t ikmlen,
			 uint8_t *prk, size_t *prklen, cachet_diag_t *diag)
{
	uint8_t zeros[CACHET_MAX_DIGEST];
	cachet_hmac_t m;
	size_t hlen;
	int ret;

	memset(&m, 0, sizeof(m));
	ENSURE(prk != NULL && prklen != NULL && (salt != NULL || saltlen == 0) &&
		       (ikm != NULL || ikmlen == 0),
	       CACHET_E_INVALID_ARG, RULE_HKDF, PATH_KDF,
	       "missing HKDF input or output");
	*prklen = 0;
	CHECK(hkdf_hash_check(hash, diag));
	hlen = _cachet_hash_size(hash);
	/* RFC 5869 section 2.2: "if not provided, [salt] is set to a string
	 * of HashLen zeros"; PRK = HMAC-Hash(salt, IKM). */
	memset(zeros, 0, sizeof(zeros));
	if (saltlen == 0)
		CHECK(_cachet_hmac_init(&m, hash, zeros, hlen));
	else
		CHECK(_cachet_hmac_init(&m, hash, salt, saltlen));
	_cachet_hmac_update(&m, ikm, ikmlen);
	_cachet_hmac_final(&m, prk);
	*prklen = hlen;
	ret = 0;
cleanup:
	_cachet_hmac_wipe(&m);
	return ret;
}

int _cachet_hkdf_expand(cachet_alg_id_t hash, const uint8_t *prk,
			size_t prklen, const uint8_t *info, size_t infolen,
			uint8_t *out, size_t outlen, cachet_diag_t *diag)
{
	uint8_t t[CACHET_MAX_DIGEST];
	cachet_hmac_t m;
	size_t hlen = 0, done = 0, take;
	uint8_t ctr;
	int ret;

	memset(&m, 0, sizeof(m));
	ENSURE(prk != NULL && out != NULL && (info != NULL || infolen == 0),
	       CACHET_E_INVALID_ARG, RULE_HKDF, PATH_KDF,
	       "missing HKDF input or output");
	CHECK(hkdf_hash_check(hash, diag));
	hlen = _cachet_hash_size(hash);
	/* RFC 5869 section 2.3: PRK of at least HashLen octets; L <= 255
	 * HashLen. */
	ENSURE(prklen >= hlen, CACHET_E_INVALID_ARG, "RFC 5869 section 2.3",
	       PATH_KDF, "PRK of %zu octets, at least %zu needed", prklen,
	       hlen);
	ENSURE(outlen >= 1 && outlen <= 255 * hlen, CACHET_E_INVALID_ARG,
	       "RFC 5869 section 2.3", PATH_KDF,
	       "HKDF output of %zu octets (1..%zu)", outlen, 255 * hlen);
	CHECK(_cachet_hmac_init(&m, hash, prk, prklen));
	/* T(i) = HMAC-Hash(PRK, T(i-1) | info | i), T(0) empty. */
	for (ctr = 1; done < outlen; ctr++) {
		_cachet_hmac_reset(&m);
		if (ctr > 1)
			_cachet_hmac_update(&m, t, hlen);
		_cachet_hmac_update(&m, info, infolen);
		_cachet_hmac_update(&m, &ctr, 1);
		_cachet_hmac_final(&m, t);
		take = outlen - done < hlen ? outlen - done : hlen;
		memcpy(out + done, t, take);
		done += take;
	}
	ret = 0;
cleanup:
	_cachet_hmac_wipe(&m);
	WIPE_BUFFER(t);
	return ret;
}

int _cachet_hkdf(cachet_alg_id_t hash, const uint8_t *salt, size_t saltlen,
		 const uint8_t *ikm, size_t ikmlen, const uint8_t *info,
		 size_t infolen, uint8_t *out, size_t outlen,
		 cachet_diag_t *diag)
{
	uint8_t prk[CACHET_MAX_DIGEST];
	size_t prklen = 0;
	int ret;

	CHECK(_cachet_hkdf_extract(hash, salt, saltlen, ikm, ikmlen, prk,
				   &prklen, diag));
	CHECK(_cachet_hkdf_expand(hash, prk, prklen, info, infolen, out,
				  outlen, diag));
	ret = 0;
cleanup:
	WIPE_BUFFER(prk);
	return ret;
}

/* ------------------------------------------------------------------ */
/* PBKDF2 */

int _cachet_pbkdf2(cachet_alg_id_t hash, const uint8_t *pw, size_t pwlen,
		   const uint8_t *salt, size_t saltlen,
		   unsigned long iterations, unsigned long max_iterations,
		   uint8_t *out, size_t outlen, cachet_diag_t *diag)
{
	uint8_t u[CACHET_MAX_DIGEST], t[CACHET_MAX_DIGEST], idx[4];
	cachet_hmac_t m;
	size_t hlen = 0, done = 0, take, i;
	unsigned long j;
	uint32_t block = 1;
	int ret;

	memset(&m, 0, sizeof(m));
	ENSURE(out != NULL && (pw != NULL || pwlen == 0) &&
		       (salt != NULL || saltlen == 0),
	       CACHET_E_INVALID_ARG, RULE_PBKDF2, PATH_KDF,
	       "missing PBKDF2 input or output");
	/* RFC 8018 section 5.2 / RFC 3370 section 4.4.1: PBKDF2 with HMAC
	 * over SHA-1, SHA-256, SHA-384 or SHA-512. */
	ENSURE(hash == CACHET_ALG_SHA1 || hash == CACHET_ALG_SHA256 ||
		       hash == CACHET_ALG_SHA384 || hash == CACHET_ALG_SHA512,
	       CACHET_E_UNSUPPORTED, "RFC 8018 appendix B.1", PATH_KDF,
	       "PBKDF2 with an unsupported PRF");
	/* "c iteration count, a positive integer" */
	ENSURE(iterations >= 1, CACHET_E_BAD_PARAMS, RULE_PBKDF2, PATH_KDF,
	       "PBKDF2 iteration count 0");
	ENSURE(iterations <= max_iterations, CACHET_E_POLICY, RULE_PBKDF2,
	       PATH_KDF, "PBKDF2 iteration count %lu above the limit %lu",
	       iterations, max_iterations);
	hlen = _cachet_hash_size(hash);
	/* step 1: "If dkLen > (2^32 - 1) * hLen, output 'derived key too
	 * long'". */
	ENSURE(outlen >= 1 &&
		       (uint64_t)outlen <= (uint64_t)hlen * UINT64_C(0xffffffff),
	       CACHET_E_INVALID_ARG, RULE_PBKDF2, PATH_KDF,
	       "derived key of %zu octets", outlen);
	CHECK(_cachet_hmac_init(&m, hash, pw, pwlen));
	/* steps 3-5: T_i = U_1 ^ ... ^ U_c, U_1 = PRF(P, S || INT(i)),
	 * U_j = PRF(P, U_{j-1}); DK = T_1 || T_2 || ..., truncated. */
	while (done < outlen) {
		idx[0] = (uint8_t)(block >> 24);
		idx[1] = (uint8_t)(block >> 16);
		idx[2] = (uint8_t)(block >> 8);
		idx[3] = (uint8_t)block;
		_cachet_hmac_reset(&m);
		_cachet_hmac_update(&m, salt, saltlen);
		_cachet_hmac_update(&m, idx, sizeof(idx));
		_cachet_hmac_final(&m, u);
		memcpy(t, u, hlen);
		for (j = 1; j < iterations; j++) {
			_cachet_hmac_update(&m, u, hlen);
			_cachet_hmac_final(&m, u);
			for (i = 0; i < hlen; i++)
				t[i] ^= u[i];
		}
		take = outlen - done < hlen ? outlen - done : hlen;
		memcpy(out + done, t, take);
		done += take;
		block++;
	}
	ret = 0;
cleanup:
	_cachet_hmac_wipe(&m);
	WIPE_BUFFER(u);
	WIPE_BUFFER(t);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Key agreement */

/* Octets of a field element / scalar: ceil(bits / 8). */
static size_t ec_field_len(cachet_alg_id_t curve)
{
	switch (curve) {
	case CACHET_ALG_P256:
		return 32;
	case CACHET_ALG_P384:
		return 48;
	case CACHET_ALG_P521:
		return 66;
	default:
		return 0;
	}
}

static size_t xdh_len(cachet_alg_id_t curve)
{
	return curve == CACHET_ALG_X25519 ? CURVE25519_SIZE
	       : curve == CACHET_ALG_X448 ? CURVE448_SIZE
					  : 0;
}

static void ecc_point_wipe_clear(struct ecc_point *pt, const struct ecc_curve *ecc)
{
	/* an ecc_point holds 2 * ecc_size() limbs (x and y) */
	cachet_wipe(pt->p, 2 * (size_t)ecc_size(ecc) * sizeof(mp_limb_t));
	ecc_point_clear(pt);
}

static void ecc_scalar_wipe_clear(struct ecc_scalar *s,
				  const struct ecc_curve *ecc)
{
	cachet_wipe(s->p, (size_t)ecc_size(ecc) * sizeof(mp_limb_t));
	ecc_scalar_clear(s);
}

/* Decode PEER, an ECPoint, into PT (already initialised on the curve). */
static int ec_peer_load(struct ecc_point *pt, size_t flen, const uint8_t *peer,
			size_t peerlen, cachet_diag_t *diag)
{
	mpz_t x, y;
	int ret;

	mpz_init(x);
	mpz_init(y);
	ENSURE(peer != NULL && peerlen >= 1, CACHET_E_BAD_KEY,
	       "RFC 5480 section 2.2", PATH_ORIG, "empty EC public key");
	/* RFC 5480 section 2.2: "The uncompressed form MUST be supported";
	 * the compressed forms are optional, and Cachet refuses them. */
	ENSURE(peer[0] != 0x02 && peer[0] != 0x03, CACHET_E_UNSUPPORTED,
	       "RFC 5480 section 2.2", PATH_ORIG,
	       "compressed EC points are not supported");
	ENSURE(peer[0] == 0x04 && peerlen == 1 + 2 * flen, CACHET_E_BAD_KEY,
	       "RFC 5480 section 2.2", PATH_ORIG,
	       "EC public key of %zu octets starting 0x%02x; expected an "
	       "uncompressed point of %zu octets",
	       peerlen, peer[0], 1 + 2 * flen);
	nettle_mpz_set_str_256_u(x, flen, peer + 1);
	nettle_mpz_set_str_256_u(y, flen, peer + 1 + flen);
	/* ecc_point_set checks 0 <= x, y < p and the curve equation; with
	 * cofactor 1 that completes SP 800-56A section 5.6.2.3.3. */
	ENSURE(ecc_point_set(pt, x, y) == 1, CACHET_E_BAD_KEY,
	       "SP 800-56A section 5.6.2.3.3", PATH_ORIG,
	       "the peer's EC public key is not a point on the curve");
	ret = 0;
cleanup:
	mpz_clear(x);
	mpz_clear(y);
	return ret;
}

/* Z = x-coordinate of S * P, FLEN octets. */
static void ec_shared_x(const struct ecc_curve *ecc, const struct ecc_scalar *s,
			const struct ecc_point *p, uint8_t *z, size_t flen)
{
	struct ecc_point r;
	mpz_t x, y;

	mpz_init(x);
	mpz_init(y);
	ecc_point_init(&r, ecc);
	ecc_point_mul(&r, s, p);
	ecc_point_get(&r, x, y);
	nettle_mpz_get_str_256(flen, z, x);
	_cachet_mpz_wipe(x);
	_cachet_mpz_wipe(y);
	mpz_clear(x);
	mpz_clear(y);
	ecc_point_wipe_clear(&r, ecc);
}

/* ECDH with the big-endian scalar PRIV against the point P. */
static int ec_derive_bytes(cachet_alg_id_t curve, const uint8_t *priv,
			   size_t privlen, const struct ecc_point *p, uint8_t *z,
			   cachet_diag_t *diag)
{
	const struct ecc_curve *ecc = _cachet_ecc_curve(curve);
	size_t flen = ec_field_len(curve);
	struct ecc_scalar s;
	bool has_s = false;
	mpz_t d;
	int ret;

	mpz_init(d);
	ENSURE(ecc != NULL && privlen == flen, CACHET_E_BAD_KEY, RULE_ECDH,
	       PATH_KA, "EC private key of %zu octets, expected %zu", privlen,
	       flen);
	ecc_scalar_init(&s, ecc);
	has_s = true;
	nettle_mpz_set_str_256_u(d, privlen, priv);
	/* SEC 1 section 3.2.1: 1 <= d < n */
	ENSURE(ecc_scalar_set(&s, d) == 1, CACHET_E_BAD_KEY, RULE_ECDH,
	       PATH_KA, "EC private scalar out of range");
	ec_shared_x(ecc, &s, p, z, flen);
	ret = 0;
cleanup:
	if (has_s)
		ecc_scalar_wipe_clear(&s, ecc);
	_cachet_mpz_wipe(d);
	mpz_clear(d);
	return ret;
}

static int xdh(cachet_alg_id_t curve, const uint8_t *priv, size_t privlen,
	       const uint8_t *peer, size_t peerlen, uint8_t *z,
	       cachet_diag_t *diag)
{
	size_t n = xdh_len(curve), i;
	uint32_t acc = 0;
	int ret;

	ENSURE(priv != NULL && privlen == n, CACHET_E_BAD_KEY, RULE_XDH,
	       PATH_KA, "XDH private key of %zu octets, expected %zu",
	       privlen, n);
	ENSURE(peer != NULL && peerlen == n, CACHET_E_BAD_KEY,
	       "RFC 8410 section 4", PATH_ORIG,
	       "XDH public key of %zu octets, expected %zu", peerlen, n);
	if (curve == CACHET_ALG_X25519)
		curve25519_mul(z, priv, peer);
	else
		curve448_mul(z, priv, peer);
	/* RFC 7748 section 6.1: "check whether the shared secret is the
	 * all-zero value and abort if so" (a low-order peer key); RFC 8418
	 * section 2 makes it a MUST [rfc8418-2-all-zero].  The OR
	 * runs over every octet; only its final value is examined, and
	 * that outcome is the function's result. */
	for (i = 0; i < n; i++)
		acc |= z[i];
	if (_cachet_ct_is_zero(acc) != 0) {
		cachet_wipe(z, n);
		ret = CACHET_E_DECRYPT_FAILED;
		goto cleanup;
	}
	ret = 0;
cleanup:
	return ret;
}

int _cachet_kex_raw(cachet_alg_id_t curve, const uint8_t *priv,
		    size_t privlen, const uint8_t *peer, size_t peerlen,
		    uint8_t *z, size_t zcap, size_t *zlen, cachet_diag_t *diag)
{
	const struct ecc_curve *ecc = _cachet_ecc_curve(curve);
	size_t need = ecc != NULL ? ec_field_len(curve) : xdh_len(curve);
	struct ecc_point pt;
	bool has_pt = false;
	int ret;

	ENSURE(z != NULL && zlen != NULL && priv != NULL, CACHET_E_INVALID_ARG,
	       RULE_ECDH, PATH_KA, "missing key or output");
	*zlen = 0;
	ENSURE(need != 0, CACHET_E_UNSUPPORTED, "RFC 8551 section 2.2",
	       PATH_KA, "key agreement on an unsupported curve");
	ENSURE(zcap >= need, CACHET_E_INVALID_ARG, RULE_ECDH, PATH_KA,
	       "shared-secret buffer of %zu octets, %zu needed", zcap, need);
	if (ecc != NULL) {
		ecc_point_init(&pt, ecc);
		has_pt = true;
		CHECK(ec_peer_load(&pt, need, peer, peerlen, diag));
		CHECK(ec_derive_bytes(curve, priv, privlen, &pt, z, diag));
	} else {
		CHECK(xdh(curve, priv, privlen, peer, peerlen, z, diag));
	}
	*zlen = need;
	ret = 0;
cleanup:
	if (has_pt)
		ecc_point_clear(&pt);
	return ret;
}

int _cachet_kex_derive(const cachet_privkey_t *k, const uint8_t *peer,
		       size_t peerlen, uint8_t *z, size_t zcap, size_t *zlen,
		       cachet_diag_t *diag)
{
	struct ecc_point pt;
	bool has_pt = false;
	size_t flen;
	int ret;

	ENSURE(k != NULL && z != NULL && zlen != NULL, CACHET_E_INVALID_ARG,
	       RULE_ECDH, PATH_KA, "missing key or output");
	*zlen = 0;
	ENSURE(!_cachet_privkey_is_token(k), CACHET_E_UNSUPPORTED, RULE_ECDH, PATH_KA,
	       "key agreement with a key on a PKCS#11 token is not supported "
	       "(the token signs and does RSA key transport only)");
	switch (k->type) {
	case CACHET_PK_EC:
		flen = ec_field_len(k->curve);
		ENSURE(k->has_ec && flen != 0, CACHET_E_UNSUPPORTED, RULE_ECDH,
		       PATH_KA, "EC key agreement on an unsupported curve");
		ENSURE(zcap >= flen, CACHET_E_INVALID_ARG, RULE_ECDH, PATH_KA,
		       "shared-secret buffer of %zu octets, %zu needed", zcap,
		       flen);
		ecc_point_init(&pt, k->ecc);
		has_pt = true;
		CHECK(ec_peer_load(&pt, flen, peer, peerlen, diag));
		ec_shared_x(k->ecc, &k->ec_priv, &pt, z, flen);
		*zlen = flen;
		break;
	case CACHET_PK_X25519:
		CHECK(_cachet_kex_raw(CACHET_ALG_X25519, k->ed_priv, k->ed_len,
				      peer, peerlen, z, zcap, zlen, diag));
		break;
	case CACHET_PK_X448:
		CHECK(_cachet_kex_raw(CACHET_ALG_X448, k->ed_priv, k->ed_len,
				      peer, peerlen, z, zcap, zlen, diag));
		break;
	default:
		FAIL(CACHET_E_KEY_MISMATCH, "RFC 5753 section 3", PATH_KA,
		     "the private key cannot do key agreement");
	}
	ret = 0;
cleanup:
	if (has_pt)
		ecc_point_clear(&pt);
	return ret;
}

int _cachet_kex_derive_ephem(const cachet_ephem_t *e,
			     const cachet_pubkey_t *peer, uint8_t *z,
			     size_t zcap, size_t *zlen, cachet_diag_t *diag)
{
	size_t flen;
	int ret;

	ENSURE(e != NULL && peer != NULL && z != NULL && zlen != NULL,
	       CACHET_E_INVALID_ARG, RULE_ECDH, PATH_KA,
	       "missing key or output");
	*zlen = 0;
	switch (e->curve) {
	case CACHET_ALG_P256:
	case CACHET_ALG_P384:
	case CACHET_ALG_P521:
		ENSURE(peer->type == CACHET_PK_EC && peer->has_ec &&
			       peer->curve == e->curve,
		       CACHET_E_KEY_MISMATCH, RULE_ECDH, PATH_KA,
		       "the recipient's key is not on the ephemeral key's "
		       "curve");
		flen = ec_field_len(e->curve);
		ENSURE(zcap >= flen, CACHET_E_INVALID_ARG, RULE_ECDH, PATH_KA,
		       "shared-secret buffer of %zu octets, %zu needed", zcap,
		       flen);
		/* The certificate's point was checked to be on the curve
		 * when it was read (pki-key.c, ecc_point_set). */
		CHECK(ec_derive_bytes(e->curve, e->priv, e->priv_len, &peer->ec,
				      z, diag));
		*zlen = flen;
		break;
	case CACHET_ALG_X25519:
	case CACHET_ALG_X448:
		ENSURE(peer->type == (e->curve == CACHET_ALG_X25519
					      ? CACHET_PK_X25519
					      : CACHET_PK_X448),
		       CACHET_E_KEY_MISMATCH, RULE_XDH, PATH_KA,
		       "the recipient's key is not on the ephemeral key's "
		       "curve");
		CHECK(_cachet_kex_raw(e->curve, e->priv, e->priv_len, peer->raw,
				      peer->raw_len, z, zcap, zlen, diag));
		break;
	default:
		FAIL(CACHET_E_UNSUPPORTED, "RFC 8551 section 2.2", PATH_KA,
		     "key agreement on an unsupported curve");
	}
	ret = 0;
cleanup:
	return ret;
}

static int ephem_generate_ec(cachet_ephem_t *e, cachet_alg_id_t curve,
			     cachet_diag_t *diag)
{
	const struct ecc_curve *ecc = _cachet_ecc_curve(curve);
	size_t flen = ec_field_len(curve);
	struct ecc_scalar s;
	struct ecc_point q;
	int rnd_failed = 0;
	mpz_t d, x, y;
	int ret;

	mpz_init(d);
	mpz_init(x);
	mpz_init(y);
	ecc_scalar_init(&s, ecc);
	ecc_point_init(&q, ecc);
	/* SEC 1 section 3.2.1: d uniform in [1, n - 1], Q = d G. */
	ecc_scalar_random(&s, &rnd_failed, _cachet_nettle_random);
	ENSURE(!rnd_failed, CACHET_E_RANDOM, "", PATH_ORIG,
	       "random generator failed while making an ephemeral key");
	ecc_point_mul_g(&q, &s);
	ecc_scalar_get(&s, d);
	nettle_mpz_get_str_256(flen, e->priv, d);
	e->priv_len = flen;
	ecc_point_get(&q, x, y);
	/* RFC 5480 section 2.2: uncompressed, 0x04 || X || Y. */
	e->pub[0] = 0x04;
	nettle_mpz_get_str_256(flen, e->pub + 1, x);
	nettle_mpz_get_str_256(flen, e->pub + 1 + flen, y);
	e->pub_len = 1 + 2 * flen;
	ret = 0;
cleanup:
	ecc_scalar_wipe_clear(&s, ecc);
	ecc_point_clear(&q);
	_cachet_mpz_wipe(d);
	mpz_clear(d);
	mpz_clear(x);
	mpz_clear(y);
	return ret;
}

int _cachet_ephem_generate(cachet_ephem_t *e, cachet_alg_id_t curve,
			   cachet_diag_t *diag)
{
	size_t n;
	int ret;

	ENSURE(e != NULL, CACHET_E_INVALID_ARG, "", PATH_ORIG,
	       "no place for the ephemeral key");
	memset(e, 0, sizeof(*e));
	switch (curve) {
	case CACHET_ALG_P256:
	case CACHET_ALG_P384:
	case CACHET_ALG_P521:
		CHECK(ephem_generate_ec(e, curve, diag));
		break;
	case CACHET_ALG_X25519:
	case CACHET_ALG_X448:
		/* RFC 7748 section 6: a random private key; clamping happens
		 * inside the scalar multiplication. */
		n = xdh_len(curve);
		ret = _cachet_random(e->priv, n);
		ENSURE(ret == 0, CACHET_E_RANDOM, "", PATH_ORIG,
		       "random generator failed while making an ephemeral "
		       "key");
		if (curve == CACHET_ALG_X25519)
			curve25519_mul_g(e->pub, e->priv);
		else
			curve448_mul_g(e->pub, e->priv);
		e->priv_len = n;
		e->pub_len = n;
		break;
	default:
		FAIL(CACHET_E_UNSUPPORTED, "RFC 8551 section 2.2", PATH_ORIG,
		     "no ephemeral keys on this curve");
	}
	e->curve = curve;
	ret = 0;
cleanup:
	if (ret < 0 && e != NULL)
		WIPE_OBJ(e);
	return ret;
}

void _cachet_ephem_wipe(cachet_ephem_t *e)
{
	if (e != NULL)
		WIPE_OBJ(e);
}
