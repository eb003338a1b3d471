/* crypto.h -- the algorithm registry and the cryptographic adapter.
 *
 * registry.c      one table: OID <-> id, name, kind, parameter rule, RFC.
 * crypto-nettle.c every Nettle call (hashes, signatures, randomness);
 *                 dependency differences (Nettle 3.8 vs 4) live there only.
 * pki-key.c       private keys and certificate public keys, read through
 *                 GnuTLS and handed to Nettle as raw numbers.
 */
#ifndef CACHET_CRYPTO_H
#define CACHET_CRYPTO_H

#include "internal.h"

#include <gnutls/x509.h>

/* Algorithm identifiers inside the library (not the ABI). */
typedef enum {
	CACHET_ALG_NONE = 0,
	/* digests */
	CACHET_ALG_MD5,
	CACHET_ALG_SHA1,
	CACHET_ALG_SHA224,
	CACHET_ALG_SHA256,
	CACHET_ALG_SHA384,
	CACHET_ALG_SHA512,
	CACHET_ALG_SHAKE256,
	CACHET_ALG_SHAKE256_LEN, /* id-shake256-len (RFC 8419 section 2.3) */
	/* signature algorithms as they appear in SignerInfo.signatureAlgorithm */
	CACHET_ALG_RSA,		/* rsaEncryption: PKCS#1 v1.5, hash from digestAlgorithm */
	CACHET_ALG_RSA_SHA1,	/* sha1WithRSAEncryption */
	CACHET_ALG_RSA_SHA224,
	CACHET_ALG_RSA_SHA256,
	CACHET_ALG_RSA_SHA384,
	CACHET_ALG_RSA_SHA512,
	CACHET_ALG_RSA_PSS,	/* id-RSASSA-PSS, RFC 4056 */
	CACHET_ALG_ECDSA_SHA1,
	CACHET_ALG_ECDSA_SHA224,
	CACHET_ALG_ECDSA_SHA256,
	CACHET_ALG_ECDSA_SHA384,
	CACHET_ALG_ECDSA_SHA512,
	CACHET_ALG_EC_PUBLIC_KEY, /* id-ecPublicKey as a signature alg (seen in the wild) */
	CACHET_ALG_ED25519,
	CACHET_ALG_ED448,
	CACHET_ALG_DSA,
	CACHET_ALG_DSA_SHA1,
	CACHET_ALG_DSA_SHA224,
	CACHET_ALG_DSA_SHA256,
	/* curves */
	CACHET_ALG_P256,
	CACHET_ALG_P384,
	CACHET_ALG_P521,
	CACHET_ALG_X25519,
	CACHET_ALG_X448,
	/* content types (RFC 5652 sections 4-9, RFC 5083, RFC 3274) */
	CACHET_ALG_CT_DATA,
	CACHET_ALG_CT_SIGNED,
	CACHET_ALG_CT_ENVELOPED,
	CACHET_ALG_CT_DIGESTED,
	CACHET_ALG_CT_ENCRYPTED,
	CACHET_ALG_CT_AUTHENTICATED,
	CACHET_ALG_CT_AUTHENVELOPED,
	CACHET_ALG_CT_COMPRESSED,
	CACHET_ALG_CT_RECEIPT,
	/* attributes */
	CACHET_ALG_AT_CONTENT_TYPE,
	CACHET_ALG_AT_MESSAGE_DIGEST,
	CACHET_ALG_AT_SIGNING_TIME,
	CACHET_ALG_AT_COUNTERSIGNATURE,
	CACHET_ALG_AT_SMIME_CAPABILITIES,
	CACHET_ALG_AT_ENC_KEY_PREF,
	CACHET_ALG_AT_SIGNING_CERT,
	CACHET_ALG_AT_SIGNING_CERT_V2,
	CACHET_ALG_AT_ALG_PROTECTION,
	CACHET_ALG_AT_CONTENT_HINTS,
	CACHET_ALG_AT_RECEIPT_REQUEST,
	CACHET_ALG_AT_MS_ENC_KEY_PREF, /* Microsoft's 1.3.6.1.4.1.311.16.4 */
	CACHET_ALG_AT_SECURE_HEADERS,  /* RFC 7508 SecureHeaderFields */
	/* content encryption, key wrap, key transport (issue-3 ground) */
	CACHET_ALG_AES128_CBC,
	CACHET_ALG_AES192_CBC,
	CACHET_ALG_AES256_CBC,
	CACHET_ALG_AES128_GCM,
	CACHET_ALG_AES192_GCM,
	CACHET_ALG_AES256_GCM,
	CACHET_ALG_CHACHA20_POLY1305,
	CACHET_ALG_DES_EDE3_CBC,
	CACHET_ALG_RC2_CBC,
	CACHET_ALG_AES128_WRAP,
	CACHET_ALG_AES192_WRAP,
	CACHET_ALG_AES256_WRAP,
	CACHET_ALG_AES128_WRAP_PAD,
	CACHET_ALG_AES192_WRAP_PAD,
	CACHET_ALG_AES256_WRAP_PAD,
	CACHET_ALG_RSAES_OAEP,
	CACHET_ALG_MGF1,
	CACHET_ALG_PBKDF2,
	CACHET_ALG_HMAC_SHA1,
	CACHET_ALG_HMAC_SHA256,
	CACHET_ALG_HMAC_SHA384,
	CACHET_ALG_HMAC_SHA512,
	CACHET_ALG_PWRI_KEK,
	CACHET_ALG_ZLIB,
	/* key agreement schemes (RFC 5753 section 7.1.4, RFC 8418 section 2);
	 * the hash column is the KDF's hash */
	CACHET_ALG_ECDH_STD_SHA1KDF,
	CACHET_ALG_ECDH_STD_SHA224KDF,
	CACHET_ALG_ECDH_STD_SHA256KDF,
	CACHET_ALG_ECDH_STD_SHA384KDF,
	CACHET_ALG_ECDH_STD_SHA512KDF,
	CACHET_ALG_ECDH_COF_SHA1KDF,
	CACHET_ALG_ECDH_COF_SHA224KDF,
	CACHET_ALG_ECDH_COF_SHA256KDF,
	CACHET_ALG_ECDH_COF_SHA384KDF,
	CACHET_ALG_ECDH_COF_SHA512KDF,
	CACHET_ALG_ECDH_HKDF_SHA256,
	CACHET_ALG_ECDH_HKDF_SHA384,
	CACHET_ALG_ECDH_HKDF_SHA512,
	CACHET_ALG_PSPECIFIED,	/* id-pSpecified (RSAES-OAEP pSourceFunc) */
	/* known, not supported: named in errors as such */
	CACHET_ALG_CMS3DES_WRAP,
	CACHET_ALG_CMSRC2_WRAP,
	CACHET_ALG_MQV_SHA1KDF,
	CACHET_ALG_MQV_SHA224KDF,
	CACHET_ALG_MQV_SHA256KDF,
	CACHET_ALG_MQV_SHA384KDF,
	CACHET_ALG_MQV_SHA512KDF,
	CACHET_ALG_AES128_CFB,
	CACHET_ALG_AES192_CFB,
	CACHET_ALG_AES256_CFB,
	CACHET_ALG_AES128_CCM,
	CACHET_ALG_AES192_CCM,
	CACHET_ALG_AES256_CCM,
	CACHET_ALG_HMAC_SHA224,
	CACHET_ALG__COUNT
} cachet_alg_id_t;

typedef enum {
	ALG_KIND_DIGEST,
	ALG_KIND_SIGNATURE,
	ALG_KIND_CURVE,
	ALG_KIND_CONTENT_TYPE,
	ALG_KIND_ATTRIBUTE,
	ALG_KIND_CIPHER,
	ALG_KIND_KEY_WRAP,
	ALG_KIND_KEY_TRANSPORT,
	ALG_KIND_MGF,
	ALG_KIND_KDF,
	ALG_KIND_MAC,
	ALG_KIND_COMPRESSION,
	ALG_KIND_KEY_AGREE,
	ALG_KIND_PSOURCE,
} cachet_alg_kind_t;

/* What AlgorithmIdentifier.parameters may hold. */
typedef enum {
	ALG_PARAMS_ANY,		 /* not checked here (e.g. not an AlgorithmIdentifier) */
	ALG_PARAMS_ABSENT,	 /* MUST be absent (e.g. Ed25519, RFC 8410 section 3) */
	ALG_PARAMS_NULL,	 /* MUST be NULL */
	ALG_PARAMS_ABSENT_OR_NULL, /* either (digests, RFC 5754 section 2) */
	ALG_PARAMS_REQUIRED,	 /* MUST be present, parsed by the module */
} cachet_params_rule_t;

/* Flags of a registry row. */
#define ALG_F_LEGACY (1u << 0)	    /* needs a policy switch (SHA-1, DSA, ...) */
#define ALG_F_VERIFY_ONLY (1u << 1) /* never produced */
#define ALG_F_UNSUPPORTED (1u << 2) /* known, but Cachet does not support it */
#define ALG_F_AEAD (1u << 3)	    /* authenticated encryption: AuthEnvelopedData only */

typedef struct {
	cachet_alg_id_t id;
	const char *oid;   /* dotted form, as libtasn1 reads it */
	const char *name;  /* short name shown to users ("sha256", "ecdsa-with-SHA256") */
	cachet_alg_kind_t kind;
	cachet_params_rule_t params;
	cachet_alg_id_t hash; /* for signature algorithms bound to one hash */
	unsigned flags;
	const char *rule; /* defining standard, e.g. "RFC 5754 section 2" */
} cachet_alg_t;

CACHET_INTERNAL const cachet_alg_t *_cachet_alg_by_oid(const char *oid);
CACHET_INTERNAL const cachet_alg_t *_cachet_alg_by_id(cachet_alg_id_t id);
/* The registry's name for OID, or OID itself when unknown. */
CACHET_INTERNAL const char *_cachet_oid_name(const char *oid);
/* Check PARAMS (the DER of AlgorithmIdentifier.parameters, or NULL/0 when
 * absent) against ALG's rule; records a diagnostic at PATH on failure. */
CACHET_INTERNAL int _cachet_alg_check_params(const cachet_alg_t *alg,
					     const uint8_t *params, size_t len,
					     const char *path,
					     cachet_diag_t *diag);
/* Iterate the table: row I, NULL past the end. */
CACHET_INTERNAL const cachet_alg_t *_cachet_alg_at(size_t i);

/* ---- hashes ---- */
#define CACHET_MAX_DIGEST 64

typedef struct {
	const void *nh; /* const struct nettle_hash * */
	cachet_alg_id_t id;
	/* big enough for any Nettle hash context; aligned */
	union {
		uint64_t align;
		uint8_t bytes[512];
	} ctx;
} cachet_hash_t;

/* 0, or CACHET_E_UNSUPPORTED for a non-digest id. */
CACHET_INTERNAL int _cachet_hash_init(cachet_hash_t *h, cachet_alg_id_t id);
CACHET_INTERNAL void _cachet_hash_update(cachet_hash_t *h, const uint8_t *p,
					 size_t n);
/* Write the digest (size _cachet_hash_size) to OUT and reset the context. */
CACHET_INTERNAL void _cachet_hash_final(cachet_hash_t *h, uint8_t *out);
CACHET_INTERNAL size_t _cachet_hash_size(cachet_alg_id_t id);
CACHET_INTERNAL int _cachet_hash_once(cachet_alg_id_t id, const uint8_t *p,
				      size_t n, uint8_t *out);

/* ---- randomness ---- */
CACHET_INTERNAL int _cachet_random(uint8_t *buf, size_t n);
/* A nettle_random_func over _cachet_random (CTX unused). */
CACHET_INTERNAL void _cachet_nettle_random(void *ctx, size_t n, uint8_t *dst);

/* ---- keys ---- */
typedef enum {
	CACHET_PK_NONE = 0,
	CACHET_PK_RSA,
	CACHET_PK_RSA_PSS, /* an id-RSASSA-PSS SubjectPublicKeyInfo */
	CACHET_PK_DSA,
	CACHET_PK_EC,	   /* with curve: CACHET_ALG_P256/P384/P521 */
	CACHET_PK_ED25519,
	CACHET_PK_ED448,
	CACHET_PK_X25519,
	CACHET_PK_X448,
} cachet_pk_type_t;

typedef struct cachet_privkey_st cachet_privkey_t;
typedef struct cachet_pubkey_st cachet_pubkey_t;

/* Read a private key: PEM or DER; PKCS#1, SEC1, PKCS#8, or encrypted
 * PKCS#8 with PASSWORD (may be NULL). */
CACHET_INTERNAL int _cachet_privkey_import(cachet_privkey_t **k,
					   const cachet_datum_t *data,
					   const char *password,
					   cachet_diag_t *diag);
/* A private key on a PKCS#11 token named by URL (RFC 7512), opened
 * through GnuTLS with PIN (may be NULL: the URI's pin-value or
 * pin-source, or none).  The key stays on the token (pki-token.c).
 * CACHET_E_NEED_PASSWORD when the token wants a PIN and none was given,
 * CACHET_E_BAD_KEY when it refused the PIN or has no such key. */
CACHET_INTERNAL int _cachet_privkey_import_url(cachet_privkey_t **k,
					       const char *url,
					       const char *pin,
					       cachet_diag_t *diag);
CACHET_INTERNAL bool _cachet_privkey_is_token(const cachet_privkey_t *k);
/* RSA PKCS#1 v1.5 key transport on the token, with the contract of
 * _cachet_rsa_pkcs1_decrypt_masked (a random OUT unless the token gives
 * OUTLEN octets, *VALID saying which; no error for bad padding). */
CACHET_INTERNAL int _cachet_token_pkcs1_decrypt(const cachet_privkey_t *k,
						const uint8_t *in, size_t inlen,
						uint8_t *out, size_t outlen,
						uint8_t *valid,
						cachet_diag_t *diag);
/* DER Ecdsa-Sig-Value (RFC 5753 section 7.2) from big-endian R and S,
 * written as _cachet_pk_sign writes it (free OUT with cachet_free). */
CACHET_INTERNAL int _cachet_ecdsa_sig_encode(const uint8_t *r, size_t rlen,
					     const uint8_t *s, size_t slen,
					     cachet_datum_t *out);
CACHET_INTERNAL void _cachet_privkey_free(cachet_privkey_t *k); /* wipes */
CACHET_INTERNAL cachet_pk_type_t _cachet_privkey_type(const cachet_privkey_t *k);
CACHET_INTERNAL cachet_alg_id_t _cachet_privkey_curve(const cachet_privkey_t *k);
CACHET_INTERNAL unsigned _cachet_privkey_bits(const cachet_privkey_t *k);

/* The public key of a certificate. */
CACHET_INTERNAL int _cachet_pubkey_from_crt(cachet_pubkey_t **k,
					    gnutls_x509_crt_t crt,
					    cachet_diag_t *diag);
/* A DSA key whose SubjectPublicKeyInfo (DER in SPKI) omits the domain
 * parameters: Y from SPKI, p, q and g from PARAMS, the key of the
 * certificate's issuer (RFC 3279 section 2.3.2, RFC 3370 section 3.1). */
CACHET_INTERNAL int _cachet_pubkey_dsa_inherit(cachet_pubkey_t **k,
					       const uint8_t *spki, size_t len,
					       const cachet_pubkey_t *params,
					       cachet_diag_t *diag);
CACHET_INTERNAL void _cachet_pubkey_free(cachet_pubkey_t *k);
CACHET_INTERNAL cachet_pk_type_t _cachet_pubkey_type(const cachet_pubkey_t *k);
CACHET_INTERNAL cachet_alg_id_t _cachet_pubkey_curve(const cachet_pubkey_t *k);
CACHET_INTERNAL unsigned _cachet_pubkey_bits(const cachet_pubkey_t *k);
/* True when the private key belongs to the public key. */
CACHET_INTERNAL bool _cachet_key_is_pair(const cachet_privkey_t *priv,
					 const cachet_pubkey_t *pub);

/* ---- signatures ---- */
typedef struct {
	cachet_pk_type_t scheme;   /* CACHET_PK_RSA (PKCS#1 v1.5), CACHET_PK_RSA_PSS,
				      CACHET_PK_EC (ECDSA), CACHET_PK_ED25519,
				      CACHET_PK_ED448, CACHET_PK_DSA */
	cachet_alg_id_t hash;	   /* the digest signed (RSA, PSS, ECDSA, DSA) */
	cachet_alg_id_t mgf_hash;  /* PSS: MGF1's hash */
	size_t salt_len;	   /* PSS */
} cachet_sigparams_t;

/* Sign IN: the digest for RSA, PSS, ECDSA and DSA; the whole message for
 * EdDSA (pure mode, RFC 8419).  The ECDSA signature is written as DER
 * ECDSA-Sig-Value.  SIG is allocated (free with cachet_free). */
CACHET_INTERNAL int _cachet_pk_sign(const cachet_privkey_t *k,
				    const cachet_sigparams_t *p,
				    const uint8_t *in, size_t inlen,
				    cachet_datum_t *sig, cachet_diag_t *diag);
/* 0 when valid, CACHET_E_BAD_SIGNATURE when not, other codes for unusable
 * keys, parameters or signature encodings (the ECDSA/DSA signature must
 * be DER: RFC 5753 section 7.2 / RFC 3279). */
CACHET_INTERNAL int _cachet_pk_verify(const cachet_pubkey_t *k,
				      const cachet_sigparams_t *p,
				      const uint8_t *in, size_t inlen,
				      const uint8_t *sig, size_t siglen,
				      cachet_diag_t *diag);

/* The token's signature, in the format _cachet_pk_sign writes. */
CACHET_INTERNAL int _cachet_token_sign(const cachet_privkey_t *k,
				       const cachet_sigparams_t *p,
				       const uint8_t *in, size_t inlen,
				       cachet_datum_t *sig, cachet_diag_t *diag);

#endif /* CACHET_CRYPTO_H */
