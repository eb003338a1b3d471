/* pki-key.h -- key structures shared by pki-key.c and crypto-nettle.c.
 *
 * Keys are read through GnuTLS and held as Nettle structures.  Only these
 * two modules look inside; everybody else goes through crypto.h.
 */
#ifndef CACHET_PKI_KEY_H
#define CACHET_PKI_KEY_H

#include "crypto.h"

#include <nettle/dsa.h>
#include <nettle/ecc.h>
#include <nettle/ecc-curve.h>
#include <nettle/rsa.h>

/* Largest raw EdDSA / XDH key (Ed448: 57 bytes, RFC 8032 section 5.2.5). */
#define CACHET_EDDSA_MAX 57

struct cachet_privkey_st {
	cachet_pk_type_t type;
	cachet_alg_id_t curve; /* CACHET_ALG_P256/P384/P521, else NONE */
	unsigned bits;
	/* which members below are initialised */
	bool has_rsa;
	bool has_ec;
	bool has_dsa;
	/* RSA and RSA-PSS */
	struct rsa_public_key rsa_pub;
	struct rsa_private_key rsa_priv;
	/* ECDSA */
	const struct ecc_curve *ecc;
	struct ecc_scalar ec_priv;
	struct ecc_point ec_pub;
	/* DSA (public part only: DSA keys are never used for signing) */
	struct dsa_params dsa;
	mpz_t dsa_y;
	/* Ed25519 / Ed448 */
	size_t ed_len;
	uint8_t ed_priv[CACHET_EDDSA_MAX];
	uint8_t ed_pub[CACHET_EDDSA_MAX];
};

struct cachet_pubkey_st {
	cachet_pk_type_t type;
	cachet_alg_id_t curve;
	unsigned bits;
	bool has_rsa;
	bool has_ec;
	bool has_dsa;
	struct rsa_public_key rsa;
	const struct ecc_curve *ecc;
	struct ecc_point ec;
	struct dsa_params dsa;
	mpz_t dsa_y;
	/* Ed25519 / Ed448 / X25519 / X448 raw public key */
	size_t raw_len;
	uint8_t raw[CACHET_EDDSA_MAX];
};

/* Wipe the limbs GMP holds for X and set it to 0 (X stays initialised).
 * GMP frees without clearing, so secrets are wiped before mpz_clear. */
CACHET_INTERNAL void _cachet_mpz_wipe(mpz_t x);
/* X as LEN big-endian octets, left-padded (allocated; free: cachet_free).
 * CACHET_E_INTERNAL when X is negative or does not fit. */
CACHET_INTERNAL int _cachet_mpz_put(const mpz_t x, size_t len, cachet_datum_t *out);

/* The Nettle curve for a CACHET_ALG_P* id, or NULL. */
CACHET_INTERNAL const struct ecc_curve *_cachet_ecc_curve(cachet_alg_id_t id);

#endif /* CACHET_PKI_KEY_H */
