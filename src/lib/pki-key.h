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

#include <gnutls/abstract.h>

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
	/* A key on a PKCS#11 token (pki-token.c), used through GnuTLS's
	 * private-key API.  When set, none of the Nettle members above is:
	 * has_rsa, has_ec and has_dsa stay false, so no Nettle path can
	 * mistake it for a key it holds. */
	struct cachet_token_st *token;
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

/* Load the private key GnuTLS parsed (PEM/DER file, PKCS#12 bag) into
 * Nettle structures. */
CACHET_INTERNAL int _cachet_privkey_from_x509(cachet_privkey_t **out,
					      gnutls_x509_privkey_t xk,
					      cachet_diag_t *diag);
/* The public key GnuTLS holds, as Cachet's (PATH names it in errors). */
CACHET_INTERNAL int _cachet_pubkey_from_gnutls(cachet_pubkey_t **out,
					       gnutls_pubkey_t pk,
					       const char *path,
					       cachet_diag_t *diag);
/* True when A and B are the same public key. */
CACHET_INTERNAL bool _cachet_pubkey_equal(const cachet_pubkey_t *a,
					  const cachet_pubkey_t *b);

/* pki-token.c: a PKCS#11 token key */
CACHET_INTERNAL void _cachet_token_free(struct cachet_token_st *t);
CACHET_INTERNAL const cachet_pubkey_t *
_cachet_token_pub(const struct cachet_token_st *t);

/* pki-p12.c: the keys and certificates of a PKCS#12 bundle. */
typedef struct {
	cachet_privkey_t *key;
	size_t cert_index; /* its certificate in cachet_p12_t.cert */
	bool is_signer_ok;	   /* keyUsage digitalSignature/nonRepudiation or none */
	bool is_recipient_ok;  /* keyUsage keyEncipherment/keyAgreement or none */
} cachet_p12_pair_t;

typedef struct {
	cachet_p12_pair_t *pair; /* every key, with its certificate */
	size_t npair;
	cbuf_t *cert; /* every certificate (DER), in the file's order */
	size_t ncert;
} cachet_p12_t;

/* Read DATA (DER, or PEM "PKCS12") with PASSWORD (NULL: none given).
 * CACHET_E_NEED_PASSWORD when a password is needed and PASSWORD is NULL;
 * CACHET_E_BAD_KEY for a wrong one (the MAC or a bag does not decrypt);
 * CACHET_E_KEY_MISMATCH when no key has its certificate in the file. */
CACHET_INTERNAL int _cachet_p12_read(cachet_p12_t *p, const cachet_datum_t *data,
				     const char *password, cachet_diag_t *diag);
CACHET_INTERNAL void _cachet_p12_free(cachet_p12_t *p); /* wipes the keys */

/* The Nettle curve for a CACHET_ALG_P* id, or NULL. */
CACHET_INTERNAL const struct ecc_curve *_cachet_ecc_curve(cachet_alg_id_t id);

#endif /* CACHET_PKI_KEY_H */
