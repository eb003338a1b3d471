/* pki-key.c -- private keys and certificate public keys.
 *
 * GnuTLS parses the containers (PEM/DER; PKCS#1, SEC1, PKCS#8 and
 * encrypted PKCS#8 for private keys, RFC 5958 and RFC 8018; X.509
 * SubjectPublicKeyInfo for certificates, RFC 5280 section 4.1.2.7) and
 * hands over raw numbers, which are loaded into Nettle structures.  Every
 * GnuTLS datum that held private material is wiped before it is freed.
 */
#include "pki-key.h"
#include "tasn1.h"

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <nettle/bignum.h>
#include <nettle/curve25519.h>
#include <nettle/curve448.h>
#include <nettle/eddsa.h>

#define KEY_PATH "key"
#define CRT_PATH "certificate.subjectPublicKeyInfo"
#define RULE_PKCS8 "RFC 5958 section 2"
#define RULE_SPKI "RFC 5280 section 4.1.2.7"
#define RULE_P8ENC "RFC 5958 section 3, RFC 8018 section 6.2"

/* ------------------------------------------------------------------ */
/* Helpers */

static void datum_free_secret(gnutls_datum_t *d)
{
	if (d->data != NULL) {
		gnutls_memset(d->data, 0, d->size);
		gnutls_free(d->data);
	}
	d->data = NULL;
	d->size = 0;
}

static void datum_free(gnutls_datum_t *d)
{
	gnutls_free(d->data);
	d->data = NULL;
	d->size = 0;
}

static void mpz_from_datum(mpz_t x, const gnutls_datum_t *d)
{
	nettle_mpz_set_str_256_u(x, d->size, d->data);
}

static cachet_alg_id_t curve_from_gnutls(gnutls_ecc_curve_t c)
{
	switch (c) {
	case GNUTLS_ECC_CURVE_SECP256R1:
		return CACHET_ALG_P256;
	case GNUTLS_ECC_CURVE_SECP384R1:
		return CACHET_ALG_P384;
	case GNUTLS_ECC_CURVE_SECP521R1:
		return CACHET_ALG_P521;
	default:
		return CACHET_ALG_NONE;
	}
}

static bool looks_like_pem(const cachet_datum_t *d)
{
	static const char begin[] = "-----BEGIN ";
	size_t i, n = sizeof(begin) - 1;

	if (d->size < n)
		return false;
	for (i = 0; i + n <= d->size; i++) {
		if (memcmp(d->data + i, begin, n) == 0)
			return true;
	}
	return false;
}

/* Load an EC public point from raw affine coordinates. */
static int ec_point_load(struct ecc_point *pt, const gnutls_datum_t *x,
			 const gnutls_datum_t *y)
{
	mpz_t mx, my;
	int ok;

	mpz_init(mx);
	mpz_init(my);
	mpz_from_datum(mx, x);
	mpz_from_datum(my, y);
	/* ecc_point_set checks that the point is on the curve */
	ok = ecc_point_set(pt, mx, my);
	mpz_clear(mx);
	mpz_clear(my);
	return ok ? 0 : CACHET_E_BAD_KEY;
}

static bool ec_point_equal(const struct ecc_point *a,
			   const struct ecc_point *b)
{
	mpz_t ax, ay, bx, by;
	bool eq;

	mpz_init(ax);
	mpz_init(ay);
	mpz_init(bx);
	mpz_init(by);
	ecc_point_get(a, ax, ay);
	ecc_point_get(b, bx, by);
	eq = mpz_cmp(ax, bx) == 0 && mpz_cmp(ay, by) == 0;
	mpz_clear(ax);
	mpz_clear(ay);
	mpz_clear(bx);
	mpz_clear(by);
	return eq;
}

/* ------------------------------------------------------------------ */
/* Private keys */

static int priv_load_rsa(cachet_privkey_t *k, gnutls_x509_privkey_t xk,
			 cachet_diag_t *diag)
{
	gnutls_datum_t m = { NULL, 0 }, e = { NULL, 0 }, d = { NULL, 0 };
	gnutls_datum_t p = { NULL, 0 }, q = { NULL, 0 }, u = { NULL, 0 };
	mpz_t t;
	int rc, ret;

	mpz_init(t);
	rc = gnutls_x509_privkey_export_rsa_raw2(xk, &m, &e, &d, &p, &q, &u,
						 NULL, NULL);
	ENSURE(rc >= 0, CACHET_E_BAD_KEY, "RFC 8017 appendix A.1.2", KEY_PATH,
	       "cannot read the RSA key: %s", gnutls_strerror(rc));

	rsa_public_key_init(&k->rsa_pub);
	rsa_private_key_init(&k->rsa_priv);
	k->has_rsa = true;
	mpz_from_datum(k->rsa_pub.n, &m);
	mpz_from_datum(k->rsa_pub.e, &e);
	mpz_from_datum(k->rsa_priv.d, &d);
	mpz_from_datum(k->rsa_priv.p, &p);
	mpz_from_datum(k->rsa_priv.q, &q);

	/* Derive the CRT values (Nettle: a = d mod (p-1), b = d mod (q-1),
	 * c = q^-1 mod p) rather than rely on the exporter's conventions. */
	ENSURE(mpz_cmp_ui(k->rsa_priv.p, 1) > 0 &&
		       mpz_cmp_ui(k->rsa_priv.q, 1) > 0,
	       CACHET_E_BAD_KEY, "RFC 8017 section 3.2", KEY_PATH,
	       "RSA prime factor out of range");
	mpz_sub_ui(t, k->rsa_priv.p, 1);
	mpz_fdiv_r(k->rsa_priv.a, k->rsa_priv.d, t);
	mpz_sub_ui(t, k->rsa_priv.q, 1);
	mpz_fdiv_r(k->rsa_priv.b, k->rsa_priv.d, t);
	ENSURE(mpz_invert(k->rsa_priv.c, k->rsa_priv.q, k->rsa_priv.p) != 0,
	       CACHET_E_BAD_KEY, "RFC 8017 section 3.2", KEY_PATH,
	       "RSA factors are not coprime");
	mpz_mul(t, k->rsa_priv.p, k->rsa_priv.q);
	ENSURE(mpz_cmp(t, k->rsa_pub.n) == 0, CACHET_E_BAD_KEY,
	       "RFC 8017 section 3.2", KEY_PATH,
	       "RSA modulus is not the product of the primes");

	ENSURE(rsa_public_key_prepare(&k->rsa_pub) == 1 &&
		       rsa_private_key_prepare(&k->rsa_priv) == 1,
	       CACHET_E_BAD_KEY, "RFC 8017 section 3", KEY_PATH,
	       "unusable RSA key");
	k->bits = (unsigned)mpz_sizeinbase(k->rsa_pub.n, 2);
	ret = 0;
cleanup:
	_cachet_mpz_wipe(t);
	mpz_clear(t);
	datum_free(&m);
	datum_free(&e);
	datum_free_secret(&d);
	datum_free_secret(&p);
	datum_free_secret(&q);
	datum_free_secret(&u);
	return ret;
}

static int priv_load_ecc(cachet_privkey_t *k, gnutls_x509_privkey_t xk,
			 cachet_diag_t *diag)
{
	gnutls_ecc_curve_t gc = GNUTLS_ECC_CURVE_INVALID;
	gnutls_datum_t x = { NULL, 0 }, y = { NULL, 0 }, d = { NULL, 0 };
	struct ecc_point check;
	bool has_check = false;
	mpz_t z;
	int rc, ret;

	mpz_init(z);
	rc = gnutls_x509_privkey_export_ecc_raw(xk, &gc, &x, &y, &d);
	ENSURE(rc >= 0, CACHET_E_BAD_KEY, "RFC 5915 section 3", KEY_PATH,
	       "cannot read the EC key: %s", gnutls_strerror(rc));

	switch (gc) {
	case GNUTLS_ECC_CURVE_ED25519:
	case GNUTLS_ECC_CURVE_ED448:
	case GNUTLS_ECC_CURVE_X25519:
	case GNUTLS_ECC_CURVE_X448: {
		size_t n = (gc == GNUTLS_ECC_CURVE_ED25519 ||
			    gc == GNUTLS_ECC_CURVE_X25519)
				   ? 32
				   : gc == GNUTLS_ECC_CURVE_ED448 ? 57 : 56;

		/* RFC 8410 section 7: CurvePrivateKey is the raw key. */
		ENSURE(d.size == n, CACHET_E_BAD_KEY, "RFC 8410 section 7",
		       KEY_PATH, "private key of %u octets, expected %zu",
		       d.size, n);
		memcpy(k->ed_priv, d.data, n);
		k->ed_len = n;
		if (gc == GNUTLS_ECC_CURVE_ED25519) {
			k->type = CACHET_PK_ED25519;
			k->bits = 256;
			ed25519_sha512_public_key(k->ed_pub, k->ed_priv);
		} else if (gc == GNUTLS_ECC_CURVE_ED448) {
			k->type = CACHET_PK_ED448;
			k->bits = 456;
			ed448_shake256_public_key(k->ed_pub, k->ed_priv);
		} else if (gc == GNUTLS_ECC_CURVE_X25519) {
			k->type = CACHET_PK_X25519;
			k->bits = 255;
			curve25519_mul_g(k->ed_pub, k->ed_priv);
		} else {
			k->type = CACHET_PK_X448;
			k->bits = 448;
			curve448_mul_g(k->ed_pub, k->ed_priv);
		}
		break;
	}
	default:
		k->curve = curve_from_gnutls(gc);
		k->ecc = _cachet_ecc_curve(k->curve);
		ENSURE(k->ecc != NULL, CACHET_E_UNSUPPORTED,
		       "RFC 8551 section 2.2", KEY_PATH,
		       "EC curve %s is not supported",
		       gnutls_ecc_curve_get_name(gc) ? gnutls_ecc_curve_get_name(gc)
						     : "(unknown)");
		k->type = CACHET_PK_EC;
		ecc_scalar_init(&k->ec_priv, k->ecc);
		ecc_point_init(&k->ec_pub, k->ecc);
		k->has_ec = true;
		k->bits = ecc_bit_size(k->ecc);
		mpz_from_datum(z, &d);
		/* RFC 5915 section 3 / SEC 1: 1 <= d < n */
		ENSURE(ecc_scalar_set(&k->ec_priv, z) == 1, CACHET_E_BAD_KEY,
		       "RFC 5915 section 3", KEY_PATH,
		       "EC private scalar out of range");
		/* Derive the public point; a stored one must agree. */
		ecc_point_mul_g(&k->ec_pub, &k->ec_priv);
		if (x.size > 0 && y.size > 0) {
			ecc_point_init(&check, k->ecc);
			has_check = true;
			ENSURE(ec_point_load(&check, &x, &y) == 0 &&
				       ec_point_equal(&check, &k->ec_pub),
			       CACHET_E_BAD_KEY, "RFC 5915 section 3",
			       KEY_PATH,
			       "EC public key does not match the private key");
		}
		break;
	}
	ret = 0;
cleanup:
	if (has_check)
		ecc_point_clear(&check);
	_cachet_mpz_wipe(z);
	mpz_clear(z);
	datum_free(&x);
	datum_free(&y);
	datum_free_secret(&d);
	return ret;
}

static int priv_load_dsa(cachet_privkey_t *k, gnutls_x509_privkey_t xk,
			 cachet_diag_t *diag)
{
	gnutls_datum_t p = { NULL, 0 }, q = { NULL, 0 }, g = { NULL, 0 };
	gnutls_datum_t y = { NULL, 0 }, x = { NULL, 0 };
	int rc, ret;

	rc = gnutls_x509_privkey_export_dsa_raw(xk, &p, &q, &g, &y, &x);
	ENSURE(rc >= 0, CACHET_E_BAD_KEY, "RFC 3279 section 2.3.2", KEY_PATH,
	       "cannot read the DSA key: %s", gnutls_strerror(rc));
	/* Only the public part is kept: DSA is verify-only. */
	dsa_params_init(&k->dsa);
	mpz_init(k->dsa_y);
	k->has_dsa = true;
	mpz_from_datum(k->dsa.p, &p);
	mpz_from_datum(k->dsa.q, &q);
	mpz_from_datum(k->dsa.g, &g);
	mpz_from_datum(k->dsa_y, &y);
	k->bits = (unsigned)mpz_sizeinbase(k->dsa.p, 2);
	ret = 0;
cleanup:
	datum_free(&p);
	datum_free(&q);
	datum_free(&g);
	datum_free(&y);
	datum_free_secret(&x);
	return ret;
}

void _cachet_privkey_free(cachet_privkey_t *k)
{
	if (k == NULL)
		return;
	if (k->has_rsa) {
		_cachet_mpz_wipe(k->rsa_priv.d);
		_cachet_mpz_wipe(k->rsa_priv.p);
		_cachet_mpz_wipe(k->rsa_priv.q);
		_cachet_mpz_wipe(k->rsa_priv.a);
		_cachet_mpz_wipe(k->rsa_priv.b);
		_cachet_mpz_wipe(k->rsa_priv.c);
		rsa_private_key_clear(&k->rsa_priv);
		rsa_public_key_clear(&k->rsa_pub);
	}
	if (k->has_ec) {
		cachet_wipe(k->ec_priv.p,
			    (size_t)ecc_size(k->ecc) * sizeof(mp_limb_t));
		ecc_scalar_clear(&k->ec_priv);
		ecc_point_clear(&k->ec_pub);
	}
	if (k->has_dsa) {
		dsa_params_clear(&k->dsa);
		mpz_clear(k->dsa_y);
	}
	_cachet_token_free(k->token);
	WIPE_OBJ(k);
	cachet_free(k);
}

int _cachet_privkey_from_x509(cachet_privkey_t **out, gnutls_x509_privkey_t xk,
			      cachet_diag_t *diag)
{
	cachet_privkey_t *k = NULL;
	unsigned bits = 0;
	int alg, ret;

	ENSURE(out != NULL && xk != NULL, CACHET_E_INVALID_ARG, "", KEY_PATH,
	       "no key");
	*out = NULL;
	k = _cachet_calloc(1, sizeof(*k));
	ENSURE(k != NULL, CACHET_E_NOMEM, "", KEY_PATH, "out of memory");
	alg = gnutls_x509_privkey_get_pk_algorithm2(xk, &bits);
	switch (alg) {
	case GNUTLS_PK_RSA:
	case GNUTLS_PK_RSA_PSS:
		k->type = alg == GNUTLS_PK_RSA ? CACHET_PK_RSA
					       : CACHET_PK_RSA_PSS;
		CHECK(priv_load_rsa(k, xk, diag));
		break;
	case GNUTLS_PK_ECDSA:
	case GNUTLS_PK_EDDSA_ED25519:
	case GNUTLS_PK_EDDSA_ED448:
	case GNUTLS_PK_ECDH_X25519:
	case GNUTLS_PK_ECDH_X448:
		CHECK(priv_load_ecc(k, xk, diag));
		break;
	case GNUTLS_PK_DSA:
		k->type = CACHET_PK_DSA;
		CHECK(priv_load_dsa(k, xk, diag));
		break;
	default:
		FAIL(CACHET_E_UNSUPPORTED, RULE_PKCS8, KEY_PATH,
		     "unsupported private key algorithm %s",
		     alg >= 0 && gnutls_pk_get_name((gnutls_pk_algorithm_t)alg)
			     ? gnutls_pk_get_name((gnutls_pk_algorithm_t)alg)
			     : "(unknown)");
	}
	*out = k;
	k = NULL;
	ret = 0;
cleanup:
	_cachet_privkey_free(k);
	return ret;
}

int _cachet_privkey_import(cachet_privkey_t **out, const cachet_datum_t *data,
			   const char *password, cachet_diag_t *diag)
{
	gnutls_x509_privkey_t xk = NULL;
	gnutls_datum_t in;
	int rc, ret;

	ENSURE(out != NULL && data != NULL && data->data != NULL &&
		       data->size > 0 && data->size <= CACHET_MAX_BOUNDED,
	       CACHET_E_INVALID_ARG, "", KEY_PATH, "no key data");
	*out = NULL;
	in.data = data->data;
	in.size = (unsigned)data->size;

	rc = gnutls_x509_privkey_init(&xk);
	ENSURE(rc >= 0, CACHET_E_NOMEM, "", KEY_PATH, "gnutls: %s",
	       gnutls_strerror(rc));
	rc = gnutls_x509_privkey_import2(
		xk, &in,
		looks_like_pem(data) ? GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER,
		password, password == NULL ? GNUTLS_PKCS_PLAIN : 0);
	/* An encrypted PKCS#8 (RFC 5958 section 3) whose PBES2 decryption
	 * (RFC 8018 section 6.2.2) failed: wrong or missing password. */
	if (rc == GNUTLS_E_DECRYPTION_FAILED ||
	    rc == GNUTLS_E_INVALID_PASSWORD) {
		if (password == NULL)
			FAIL(CACHET_E_NEED_PASSWORD, RULE_P8ENC, KEY_PATH,
			     "the key is encrypted and no password was given");
		FAIL(CACHET_E_BAD_KEY, RULE_P8ENC, KEY_PATH,
		     "cannot decrypt the key: wrong password or corrupt data "
		     "(%s)", gnutls_strerror(rc));
	}
	ENSURE(rc >= 0, CACHET_E_BAD_KEY, RULE_PKCS8, KEY_PATH,
	       "cannot read the private key: %s", gnutls_strerror(rc));
	CHECK(_cachet_privkey_from_x509(out, xk, diag));
	ret = 0;
cleanup:
	if (xk != NULL)
		gnutls_x509_privkey_deinit(xk);
	return ret;
}

cachet_pk_type_t _cachet_privkey_type(const cachet_privkey_t *k)
{
	return k != NULL ? k->type : CACHET_PK_NONE;
}

cachet_alg_id_t _cachet_privkey_curve(const cachet_privkey_t *k)
{
	return k != NULL ? k->curve : CACHET_ALG_NONE;
}

unsigned _cachet_privkey_bits(const cachet_privkey_t *k)
{
	return k != NULL ? k->bits : 0;
}

/* ------------------------------------------------------------------ */
/* Certificate public keys */

static int pub_load_ecc(cachet_pubkey_t *k, gnutls_pubkey_t pk,
			cachet_diag_t *diag)
{
	gnutls_ecc_curve_t gc = GNUTLS_ECC_CURVE_INVALID;
	gnutls_datum_t x = { NULL, 0 }, y = { NULL, 0 };
	size_t n = 0;
	int rc, ret;

	rc = gnutls_pubkey_export_ecc_raw2(pk, &gc, &x, &y,
					   GNUTLS_EXPORT_FLAG_NO_LZ);
	ENSURE(rc >= 0, CACHET_E_BAD_CERT, RULE_SPKI, CRT_PATH,
	       "cannot read the EC public key: %s", gnutls_strerror(rc));
	switch (gc) {
	case GNUTLS_ECC_CURVE_ED25519:
		k->type = CACHET_PK_ED25519;
		k->bits = 256;
		n = ED25519_KEY_SIZE;
		break;
	case GNUTLS_ECC_CURVE_ED448:
		k->type = CACHET_PK_ED448;
		k->bits = 456;
		n = ED448_KEY_SIZE;
		break;
	case GNUTLS_ECC_CURVE_X25519:
		k->type = CACHET_PK_X25519;
		k->bits = 255;
		n = CURVE25519_SIZE;
		break;
	case GNUTLS_ECC_CURVE_X448:
		k->type = CACHET_PK_X448;
		k->bits = 448;
		n = CURVE448_SIZE;
		break;
	default:
		k->curve = curve_from_gnutls(gc);
		k->ecc = _cachet_ecc_curve(k->curve);
		ENSURE(k->ecc != NULL, CACHET_E_UNSUPPORTED,
		       "RFC 5480 section 2.1.1.1", CRT_PATH,
		       "EC curve %s is not supported",
		       gnutls_ecc_curve_get_name(gc) ? gnutls_ecc_curve_get_name(gc)
						     : "(unknown)");
		k->type = CACHET_PK_EC;
		ecc_point_init(&k->ec, k->ecc);
		k->has_ec = true;
		k->bits = ecc_bit_size(k->ecc);
		/* RFC 5480 section 2.2: the point must be on the curve */
		ENSURE(ec_point_load(&k->ec, &x, &y) == 0, CACHET_E_BAD_CERT,
		       "RFC 5480 section 2.2", CRT_PATH,
		       "EC public key is not a point on the curve");
		break;
	}
	if (n != 0) {
		/* RFC 8410 section 4: the raw key octets (GnuTLS exports
		 * EdDSA/XDH keys as stored, not as integers). */
		ENSURE(x.size == n, CACHET_E_BAD_CERT, "RFC 8410 section 4",
		       CRT_PATH, "public key of %u octets, expected %zu",
		       x.size, n);
		memcpy(k->raw, x.data, n);
		k->raw_len = n;
	}
	ret = 0;
cleanup:
	datum_free(&x);
	datum_free(&y);
	return ret;
}

void _cachet_pubkey_free(cachet_pubkey_t *k)
{
	if (k == NULL)
		return;
	if (k->has_rsa)
		rsa_public_key_clear(&k->rsa);
	if (k->has_ec)
		ecc_point_clear(&k->ec);
	if (k->has_dsa) {
		dsa_params_clear(&k->dsa);
		mpz_clear(k->dsa_y);
	}
	cachet_free(k);
}

int _cachet_pubkey_from_crt(cachet_pubkey_t **out, gnutls_x509_crt_t crt,
			    cachet_diag_t *diag)
{
	gnutls_pubkey_t pk = NULL;
	char oid[128];
	size_t oid_size = sizeof(oid);
	int rc, ret;

	ENSURE(out != NULL && crt != NULL, CACHET_E_INVALID_ARG, "", CRT_PATH,
	       "no certificate");
	*out = NULL;
	rc = gnutls_pubkey_init(&pk);
	ENSURE(rc >= 0, CACHET_E_NOMEM, "", CRT_PATH, "gnutls: %s",
	       gnutls_strerror(rc));
	rc = gnutls_pubkey_import_x509(pk, crt, 0);
	if (rc < 0) {
		if (gnutls_x509_crt_get_pk_oid(crt, oid, &oid_size) < 0)
			strcpy(oid, "(unreadable)");
		FAIL(rc == GNUTLS_E_UNKNOWN_PK_ALGORITHM ||
				     rc == GNUTLS_E_UNIMPLEMENTED_FEATURE
			     ? CACHET_E_UNSUPPORTED
			     : CACHET_E_BAD_CERT,
		     RULE_SPKI, CRT_PATH,
		     "cannot read the public key (%s): %s",
		     _cachet_oid_name(oid), gnutls_strerror(rc));
	}
	ret = _cachet_pubkey_from_gnutls(out, pk, CRT_PATH, diag);
	if (ret == CACHET_E_UNSUPPORTED) {
		oid_size = sizeof(oid);
		if (gnutls_x509_crt_get_pk_oid(crt, oid, &oid_size) < 0)
			strcpy(oid, "(unreadable)");
		FAIL(CACHET_E_UNSUPPORTED, RULE_SPKI, CRT_PATH,
		     "unsupported public key algorithm %s",
		     _cachet_oid_name(oid));
	}
cleanup:
	if (pk != NULL)
		gnutls_pubkey_deinit(pk);
	return ret;
}

int _cachet_pubkey_from_gnutls(cachet_pubkey_t **out, gnutls_pubkey_t pk,
			       const char *path, cachet_diag_t *diag)
{
	gnutls_datum_t a = { NULL, 0 }, b = { NULL, 0 };
	gnutls_datum_t c = { NULL, 0 }, d = { NULL, 0 };
	cachet_pubkey_t *k = NULL;
	unsigned bits = 0;
	int rc, alg, ret;

	ENSURE(out != NULL && pk != NULL, CACHET_E_INVALID_ARG, "", CRT_PATH,
	       "no public key");
	*out = NULL;
	k = _cachet_calloc(1, sizeof(*k));
	ENSURE(k != NULL, CACHET_E_NOMEM, "", CRT_PATH, "out of memory");
	alg = gnutls_pubkey_get_pk_algorithm(pk, &bits);
	switch (alg) {
	case GNUTLS_PK_RSA:
	case GNUTLS_PK_RSA_PSS:
		/* RFC 4055 section 1.2: an id-RSASSA-PSS key is PSS-only */
		k->type = alg == GNUTLS_PK_RSA ? CACHET_PK_RSA
					       : CACHET_PK_RSA_PSS;
		rc = gnutls_pubkey_export_rsa_raw2(pk, &a, &b,
						   GNUTLS_EXPORT_FLAG_NO_LZ);
		ENSURE(rc >= 0, CACHET_E_BAD_CERT, "RFC 3279 section 2.3.1",
		       CRT_PATH, "cannot read the RSA public key: %s",
		       gnutls_strerror(rc));
		rsa_public_key_init(&k->rsa);
		k->has_rsa = true;
		mpz_from_datum(k->rsa.n, &a);
		mpz_from_datum(k->rsa.e, &b);
		ENSURE(rsa_public_key_prepare(&k->rsa) == 1, CACHET_E_BAD_CERT,
		       "RFC 3279 section 2.3.1", CRT_PATH,
		       "unusable RSA public key");
		k->bits = (unsigned)mpz_sizeinbase(k->rsa.n, 2);
		break;
	case GNUTLS_PK_ECDSA:
	case GNUTLS_PK_EDDSA_ED25519:
	case GNUTLS_PK_EDDSA_ED448:
	case GNUTLS_PK_ECDH_X25519:
	case GNUTLS_PK_ECDH_X448:
		CHECK(pub_load_ecc(k, pk, diag));
		break;
	case GNUTLS_PK_DSA:
		k->type = CACHET_PK_DSA;
		rc = gnutls_pubkey_export_dsa_raw2(pk, &a, &b, &c, &d,
						   GNUTLS_EXPORT_FLAG_NO_LZ);
		ENSURE(rc >= 0, CACHET_E_BAD_CERT, "RFC 3279 section 2.3.2",
		       CRT_PATH, "cannot read the DSA public key: %s",
		       gnutls_strerror(rc));
		dsa_params_init(&k->dsa);
		mpz_init(k->dsa_y);
		k->has_dsa = true;
		mpz_from_datum(k->dsa.p, &a);
		mpz_from_datum(k->dsa.q, &b);
		mpz_from_datum(k->dsa.g, &c);
		mpz_from_datum(k->dsa_y, &d);
		k->bits = (unsigned)mpz_sizeinbase(k->dsa.p, 2);
		break;
	default:
		ret = CACHET_E_UNSUPPORTED;
		_cachet_diag_push(diag, ret, path, RULE_SPKI,
				  "unsupported public key algorithm %s",
				  alg >= 0 && gnutls_pk_get_name((gnutls_pk_algorithm_t)alg)
					  ? gnutls_pk_get_name((gnutls_pk_algorithm_t)alg)
					  : "(unknown)");
		goto cleanup;
	}
	*out = k;
	k = NULL;
	ret = 0;
cleanup:
	_cachet_pubkey_free(k);
	datum_free(&a);
	datum_free(&b);
	datum_free(&c);
	datum_free(&d);
	return ret;
}

int _cachet_pubkey_dsa_inherit(cachet_pubkey_t **out, const uint8_t *spki,
			       size_t len, const cachet_pubkey_t *params,
			       cachet_diag_t *diag)
{
	asn1_node n = NULL, yn = NULL;
	cbuf_t bits = { 0 }, y = { 0 };
	cachet_pubkey_t *k = NULL;
	char oid[128];
	int ret;

	ENSURE(out != NULL && spki != NULL && params != NULL,
	       CACHET_E_INVALID_ARG, "", CRT_PATH, "no key to inherit from");
	*out = NULL;
	/* RFC 3279 section 2.3.2: the issuer's parameters apply only when
	 * the issuer's own key is a DSA key that has them. */
	ENSURE(params->type == CACHET_PK_DSA && params->has_dsa,
	       CACHET_E_BAD_CERT, "RFC 3279 section 2.3.2", CRT_PATH,
	       "the issuer's key has no DSA domain parameters to inherit");
	CHECK(_cachet_asn1_decode("CachetAlgs.SubjectPublicKeyInfo", spki, len,
				  false, &n, CRT_PATH, RULE_SPKI, diag));
	CHECK(_cachet_asn1_read_oid(n, "algorithm.algorithm", oid,
				    sizeof(oid)));
	const cachet_alg_t *a = _cachet_alg_by_oid(oid);
	ENSURE(a != NULL && a->id == CACHET_ALG_DSA, CACHET_E_BAD_CERT,
	       "RFC 3279 section 2.3.2", CRT_PATH,
	       "%s is not id-dsa", _cachet_oid_name(oid));
	ENSURE(!_cachet_asn1_present(n, "algorithm.parameters"),
	       CACHET_E_BAD_CERT, "RFC 3279 section 2.3.2", CRT_PATH,
	       "the DSA key has its own domain parameters");
	CHECK(_cachet_asn1_read(n, "subjectPublicKey", &bits));
	CHECK(_cachet_asn1_decode("CachetAlgs.Dss-Pub-Key", bits.data,
				  bits.size, true, &yn, CRT_PATH,
				  "RFC 3279 section 2.3.2", diag));
	CHECK(_cachet_asn1_read(yn, "", &y));
	ENSURE(y.size > 0 && (y.data[0] & 0x80) == 0, CACHET_E_BAD_CERT,
	       "RFC 3279 section 2.3.2", CRT_PATH, "DSA public key Y is not positive");

	k = _cachet_calloc(1, sizeof(*k));
	ENSURE(k != NULL, CACHET_E_NOMEM, "", CRT_PATH, "out of memory");
	k->type = CACHET_PK_DSA;
	dsa_params_init(&k->dsa);
	mpz_init(k->dsa_y);
	k->has_dsa = true;
	mpz_set(k->dsa.p, params->dsa.p);
	mpz_set(k->dsa.q, params->dsa.q);
	mpz_set(k->dsa.g, params->dsa.g);
	nettle_mpz_set_str_256_u(k->dsa_y, y.size, y.data);
	k->bits = (unsigned)mpz_sizeinbase(k->dsa.p, 2);
	*out = k;
	k = NULL;
	ret = 0;
cleanup:
	_cachet_pubkey_free(k);
	_cachet_asn1_delete(&n, false);
	_cachet_asn1_delete(&yn, false);
	_cachet_buf_free(&bits);
	_cachet_buf_free(&y);
	return ret;
}

cachet_pk_type_t _cachet_pubkey_type(const cachet_pubkey_t *k)
{
	return k != NULL ? k->type : CACHET_PK_NONE;
}

cachet_alg_id_t _cachet_pubkey_curve(const cachet_pubkey_t *k)
{
	return k != NULL ? k->curve : CACHET_ALG_NONE;
}

unsigned _cachet_pubkey_bits(const cachet_pubkey_t *k)
{
	return k != NULL ? k->bits : 0;
}

/* ------------------------------------------------------------------ */

static bool is_rsa_type(cachet_pk_type_t t)
{
	return t == CACHET_PK_RSA || t == CACHET_PK_RSA_PSS;
}

bool _cachet_pubkey_equal(const cachet_pubkey_t *a, const cachet_pubkey_t *b)
{
	if (a == NULL || b == NULL)
		return false;
	if (is_rsa_type(a->type) && is_rsa_type(b->type))
		return a->has_rsa && b->has_rsa &&
		       mpz_cmp(a->rsa.n, b->rsa.n) == 0 &&
		       mpz_cmp(a->rsa.e, b->rsa.e) == 0;
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case CACHET_PK_EC:
		return a->has_ec && b->has_ec && a->curve == b->curve &&
		       ec_point_equal(&a->ec, &b->ec);
	case CACHET_PK_ED25519:
	case CACHET_PK_ED448:
	case CACHET_PK_X25519:
	case CACHET_PK_X448:
		return a->raw_len == b->raw_len && a->raw_len > 0 &&
		       memcmp(a->raw, b->raw, a->raw_len) == 0;
	default:
		return false;
	}
}

bool _cachet_key_is_pair(const cachet_privkey_t *priv,
			 const cachet_pubkey_t *pub)
{
	if (priv == NULL || pub == NULL)
		return false;
	/* A token key is matched through the public half the token holds. */
	if (priv->token != NULL)
		return _cachet_pubkey_equal(_cachet_token_pub(priv->token), pub);
	/* An rsaEncryption private key may sit behind an id-RSASSA-PSS
	 * certificate and the other way round: the numbers decide. */
	if (is_rsa_type(priv->type) && is_rsa_type(pub->type))
		return priv->has_rsa && pub->has_rsa &&
		       mpz_cmp(priv->rsa_pub.n, pub->rsa.n) == 0 &&
		       mpz_cmp(priv->rsa_pub.e, pub->rsa.e) == 0;
	if (priv->type != pub->type)
		return false;
	switch (priv->type) {
	case CACHET_PK_EC:
		return priv->has_ec && pub->has_ec &&
		       priv->curve == pub->curve &&
		       ec_point_equal(&priv->ec_pub, &pub->ec);
	case CACHET_PK_ED25519:
	case CACHET_PK_ED448:
	case CACHET_PK_X25519:
	case CACHET_PK_X448:
		return priv->ed_len == pub->raw_len && pub->raw_len > 0 &&
		       memcmp(priv->ed_pub, pub->raw, pub->raw_len) == 0;
	case CACHET_PK_DSA:
		return priv->has_dsa && pub->has_dsa &&
		       mpz_cmp(priv->dsa.p, pub->dsa.p) == 0 &&
		       mpz_cmp(priv->dsa.q, pub->dsa.q) == 0 &&
		       mpz_cmp(priv->dsa.g, pub->dsa.g) == 0 &&
		       mpz_cmp(priv->dsa_y, pub->dsa_y) == 0;
	default:
		return false;
	}
}
