/* crypto-enc.h -- the primitives under EnvelopedData, AuthEnvelopedData,
 * EncryptedData and the RecipientInfo kinds.
 *
 * crypto-cipher.c  content encryption: AES-CBC, AES-GCM, ChaCha20-Poly1305
 *                  (both directions), 3DES-CBC and RC2-CBC (decrypt only)
 * crypto-kw.c      AES key wrap (RFC 3394) and with padding (RFC 5649)
 * crypto-rsaenc.c  RSAES-PKCS1-v1_5 and RSAES-OAEP
 * crypto-kdf.c     X9.63 KDF, HKDF, PBKDF2, HMAC; ECDH on P-256/384/521,
 *                  X25519 and X448; ephemeral keys
 *
 * Rules shared by these files:
 *  - Encryption and decryption are separate functions and separate handle
 *    types; they share only pure helpers (doc/HACKING, "Names and shape").
 *  - Every decryption, unwrapping or padding failure returns
 *    CACHET_E_DECRYPT_FAILED and records no diagnostic frame, so neither the
 *    code nor the diagnostic chain tells which step failed (RFC 3218).  The
 *    caller (the content-type module) records the one frame it wants.
 *    Usage errors (wrong key or IV length, unsupported algorithm, too small
 *    an output buffer) have their own codes and frames.
 *  - Keys, shared secrets, KDF outputs, intermediate buffers and Nettle
 *    contexts are wiped on every path out.  Nettle's and GMP's own stack
 *    temporaries are outside the library's reach.
 *  - Secret-dependent decisions are computed with the masks below (0 or
 *    all ones), never with branches or secret-indexed memory accesses, and
 *    turned into a branch only at one marked point, when the outcome is
 *    public anyway (the function's result).  tests/ct/ proves this under
 *    valgrind for the functions marked "constant time" here.
 *
 * These files call Nettle directly rather than through crypto-nettle.c
 * (a deviation from STYLE 22, kept small): the only Nettle 3 / Nettle 4
 * difference they meet, the length argument of the AEAD digest
 * functions, is handled by one macro in crypto-cipher.c and follows
 * CACHET_NETTLE_DIGEST_NO_LENGTH like crypto-nettle.c.  Hashes go through
 * cachet_hash_t (crypto-nettle.c).
 */
#ifndef CACHET_CRYPTO_ENC_H
#define CACHET_CRYPTO_ENC_H

#include "crypto.h"

/* ------------------------------------------------------------------ */
/* Constant-time helpers.  A mask is 0 or 0xffffffff. */

/* Hide X from the optimiser, so that it cannot turn mask arithmetic back
 * into a branch. */
static inline uint32_t _cachet_ct_barrier(uint32_t x)
{
#if defined(__GNUC__)
	__asm__("" : "+r"(x));
#endif
	return x;
}

/* All ones when X is 0. */
static inline uint32_t _cachet_ct_is_zero(uint32_t x)
{
	/* The top bit of ~x & (x - 1) is set only for x == 0. */
	return _cachet_ct_barrier((uint32_t)0 - ((~x & (x - 1)) >> 31));
}

static inline uint32_t _cachet_ct_eq(uint32_t a, uint32_t b)
{
	return _cachet_ct_is_zero(a ^ b);
}

/* All ones when A < B (any 32-bit values: the 64-bit difference borrows
 * exactly when A < B). */
static inline uint32_t _cachet_ct_lt(uint32_t a, uint32_t b)
{
	return _cachet_ct_barrier(
		(uint32_t)0 - (uint32_t)(((uint64_t)a - (uint64_t)b) >> 63));
}

/* A where MASK is all ones, B where it is 0. */
static inline uint32_t _cachet_ct_select(uint32_t mask, uint32_t a, uint32_t b)
{
	return (a & mask) | (b & ~mask);
}

/* All ones when the N bytes at A and B are equal (constant time in the
 * contents; N is public). */
CACHET_INTERNAL uint32_t _cachet_ct_memeq(const uint8_t *a, const uint8_t *b,
					  size_t n);

/* ------------------------------------------------------------------ */
/* Content encryption (crypto-cipher.c) */

/* Largest block any mode buffers (ChaCha20-Poly1305 works in 64-octet
 * steps in Nettle).  An update writes at most INLEN + CACHET_CIPHER_SLACK
 * octets, a final at most CACHET_CIPHER_SLACK. */
#define CACHET_CIPHER_SLACK 64
#define CACHET_AEAD_TAG_MAX 16
/* Longest AES-GCM nonce accepted.  RFC 5084 section 3.2 allows any
 * length; the bound is Cachet's. */
#define CACHET_GCM_NONCE_MAX 64

typedef struct {
	cachet_alg_id_t alg;  /* CACHET_ALG_AES{128,192,256}_{CBC,GCM},
				 CACHET_ALG_CHACHA20_POLY1305,
				 CACHET_ALG_DES_EDE3_CBC, CACHET_ALG_RC2_CBC */
	const uint8_t *key;
	size_t key_len;
	const uint8_t *iv;    /* CBC: the IV (one block); AEAD: the nonce */
	size_t iv_len;
	size_t tag_len;	      /* AEAD: ICV length; 0 means the default (12 for
				 AES-GCM, RFC 5084 section 3.2; 16 for
				 ChaCha20-Poly1305, RFC 8439 section 2.8) */
	unsigned long rc2_version; /* RC2 only: rc2ParameterVersion */
} cachet_cipher_params_t;

typedef struct cachet_encryptor_st cachet_encryptor_t;
typedef struct cachet_decryptor_st cachet_decryptor_t;

/* Map RC2CBCParameter.rc2ParameterVersion to effective key bits (RFC 3370
 * section 5.2, RFC 2268 section 6): 160 -> 40, 120 -> 64, 58 -> 128, and
 * 256..1024 stand for themselves.  Other values: CACHET_E_UNSUPPORTED. */
CACHET_INTERNAL int _cachet_rc2_ekb(unsigned long version, unsigned *ekb);

/* Start encrypting.  3DES and RC2 are decrypt-only: CACHET_E_UNSUPPORTED.
 * Wrong key length: CACHET_E_BAD_KEY; wrong IV, nonce or tag length:
 * CACHET_E_BAD_PARAMS. */
CACHET_INTERNAL int _cachet_encryptor_init(cachet_encryptor_t **e,
					   const cachet_cipher_params_t *p,
					   cachet_diag_t *diag);
/* AEAD only: the additional authenticated data (AuthEnvelopedData's
 * DER-encoded authAttrs, RFC 5083 section 2.2), in one call, before any
 * update. */
CACHET_INTERNAL int _cachet_encryptor_aad(cachet_encryptor_t *e,
					  const uint8_t *aad, size_t len);
/* Encrypt IN (any length, any split).  Writes *OUTLEN <= INLEN +
 * CACHET_CIPHER_SLACK octets to OUT (OUTCAP octets, not overlapping IN);
 * the rest is held until the next call. */
CACHET_INTERNAL int _cachet_encryptor_update(cachet_encryptor_t *e,
					     const uint8_t *in, size_t inlen,
					     uint8_t *out, size_t outcap,
					     size_t *outlen);
/* Finish: the held octets (CBC: with PKCS#7 padding, RFC 5652 section
 * 6.3) go to OUT; for an AEAD the tag (*TAGLEN octets, the configured ICV
 * length) goes to TAG (TAGCAP octets).  The handle is spent afterwards. */
CACHET_INTERNAL int _cachet_encryptor_final(cachet_encryptor_t *e,
					    uint8_t *out, size_t outcap,
					    size_t *outlen, uint8_t *tag,
					    size_t tagcap, size_t *taglen);
/* Wipes and frees (NULL-safe). */
CACHET_INTERNAL void _cachet_encryptor_free(cachet_encryptor_t *e);

/* Start decrypting.  Same parameter rules as the encryptor; 3DES-CBC and
 * RC2-CBC are accepted here. */
CACHET_INTERNAL int _cachet_decryptor_init(cachet_decryptor_t **d,
					   const cachet_cipher_params_t *p,
					   cachet_diag_t *diag);
CACHET_INTERNAL int _cachet_decryptor_aad(cachet_decryptor_t *d,
					  const uint8_t *aad, size_t len);
/* Decrypt IN (any length, any split), writing *OUTLEN <= INLEN +
 * CACHET_CIPHER_SLACK octets to OUT.
 *
 * THE OCTETS WRITTEN HERE ARE NOT YET AUTHENTICATED (AEAD) OR CHECKED
 * (CBC padding).  The caller must hold them uncommitted -- in a buffer
 * or temporary file nobody else sees -- until _cachet_decryptor_final()
 * returns 0, and wipe and discard them when it does not (STYLE 16).
 * CBC holds back the last block, so the padding never reaches the
 * caller. */
CACHET_INTERNAL int _cachet_decryptor_update(cachet_decryptor_t *d,
					     const uint8_t *in, size_t inlen,
					     uint8_t *out, size_t outcap,
					     size_t *outlen);
/* Finish.  AEAD: TAG/TAGLEN is the received ICV, which must be exactly
 * the configured length; it is compared in constant time.  CBC: TAG must
 * be NULL and TAGLEN 0; the padding is checked in constant time.  Returns
 * 0 and writes the last plaintext octets (at most CACHET_CIPHER_SLACK) only
 * when everything checks out; otherwise CACHET_E_DECRYPT_FAILED for every
 * cause (a bad tag, bad padding, a ciphertext that is not a whole number
 * of blocks), with OUT wiped and *OUTLEN 0.  The handle is spent
 * afterwards. */
CACHET_INTERNAL int _cachet_decryptor_final(cachet_decryptor_t *d,
					    const uint8_t *tag, size_t taglen,
					    uint8_t *out, size_t outcap,
					    size_t *outlen);
/* AEAD only: the tag that the ciphertext fed so far gives (*TAGLEN, the
 * configured length, into TAG of TAGCAP octets), checking nothing, and
 * the plaintext of the held octets discarded.  It lets a caller prove
 * that two passes read the same ciphertext: the second pass's decryptor
 * must then finish with this tag (_cachet_decryptor_final compares it in
 * constant time).  The handle is spent afterwards. */
CACHET_INTERNAL int _cachet_decryptor_tag(cachet_decryptor_t *d,
					  uint8_t *tag, size_t tagcap,
					  size_t *taglen);
CACHET_INTERNAL void _cachet_decryptor_free(cachet_decryptor_t *d);

/* Raw CBC without padding, in one call, for the RFC 3211 key wrap of
 * PasswordRecipientInfo (section 2.3: two CBC passes over the formatted
 * key, and their reversal).  ALG: CACHET_ALG_AES{128,192,256}_CBC, and
 * for decryption also CACHET_ALG_DES_EDE3_CBC.  KEYLEN and IVLEN must be
 * the algorithm's; LEN must be a whole number of blocks (8 or 16 octets).
 * OUT (LEN octets) may be IN.  A weak 3DES key is
 * CACHET_E_DECRYPT_FAILED without a frame; usage errors have frames.
 * Key schedules and chaining values are wiped. */
CACHET_INTERNAL int _cachet_cbc_raw_encrypt(cachet_alg_id_t alg,
					    const uint8_t *key, size_t keylen,
					    const uint8_t *iv, size_t ivlen,
					    const uint8_t *in, size_t len,
					    uint8_t *out, cachet_diag_t *diag);
CACHET_INTERNAL int _cachet_cbc_raw_decrypt(cachet_alg_id_t alg,
					    const uint8_t *key, size_t keylen,
					    const uint8_t *iv, size_t ivlen,
					    const uint8_t *in, size_t len,
					    uint8_t *out, cachet_diag_t *diag);

/* Constant time.  Check the PKCS#7 padding of the last plaintext block
 * BLK (BS octets, 8 or 16): returns all ones when valid and sets *KEEP to
 * the number of content octets in the block; returns 0 and sets *KEEP to 0
 * when not.  Exposed for tests/ct. */
CACHET_INTERNAL uint32_t _cachet_cbc_unpad(const uint8_t *blk, size_t bs,
					   size_t *keep);

/* Constant time.  All ones when the first N octets of the computed tag
 * A and the received tag B agree (nettle memeql_sec). */
CACHET_INTERNAL uint32_t _cachet_tag_check(const uint8_t *a, const uint8_t *b,
					   size_t n);

/* ------------------------------------------------------------------ */
/* AES key wrap (crypto-kw.c).  KEK: 16, 24 or 32 octets. */

/* Largest key data wrapped or unwrapped (Cachet's bound; RFC 5649 allows
 * up to 2^32 octets). */
#define CACHET_KW_MAX 4096

/* RFC 3394: IN is a multiple of 8 octets, at least 16; OUT gets INLEN + 8
 * octets. */
CACHET_INTERNAL int _cachet_aes_kw_wrap(const uint8_t *kek, size_t keklen,
					const uint8_t *in, size_t inlen,
					uint8_t *out, size_t outcap,
					size_t *outlen, cachet_diag_t *diag);
/* RFC 3394 section 2.2.3: the integrity check is constant time (nettle
 * memeql_sec).  OUT gets INLEN - 8 octets, or is wiped on failure. */
CACHET_INTERNAL int _cachet_aes_kw_unwrap(const uint8_t *kek, size_t keklen,
					  const uint8_t *in, size_t inlen,
					  uint8_t *out, size_t outcap,
					  size_t *outlen, cachet_diag_t *diag);
/* The Triple-DES key unwrap of RFC 3217 section 3.2 (id-alg-CMS3DESwrap,
 * RFC 3370 section 4.3.1), decrypt only, for old messages: KEK is 24
 * octets, IN 40 octets, and CEK gets the 24-octet Triple-DES key.  The
 * checksum and parity checks are constant time and fail as one
 * (CACHET_E_DECRYPT_FAILED, CEK wiped). */
#define CACHET_DES3_KW_LEN 40
CACHET_INTERNAL int _cachet_des3_kw_unwrap(const uint8_t *kek,
					   const uint8_t *in, size_t inlen,
					   uint8_t *cek);
/* Its last steps, for the constant-time test: all ones when the 32
 * octets CEK || ICV carry the right checksum and every key octet has odd
 * parity, else 0. */
CACHET_INTERNAL uint32_t _cachet_des3_kw_check(const uint8_t *cekicv);
/* RFC 5649: IN is 1..CACHET_KW_MAX octets; OUT gets the length rounded up
 * to a multiple of 8, plus 8. */
CACHET_INTERNAL int _cachet_aes_kwp_wrap(const uint8_t *kek, size_t keklen,
					 const uint8_t *in, size_t inlen,
					 uint8_t *out, size_t outcap,
					 size_t *outlen, cachet_diag_t *diag);
/* RFC 5649 section 3 and 4.2: the AIV, MLI and padding checks are
 * constant time and fail as one.  OUT needs INLEN - 8 octets of room
 * (the padded key data passes through it); *OUTLEN is the MLI. */
CACHET_INTERNAL int _cachet_aes_kwp_unwrap(const uint8_t *kek, size_t keklen,
					   const uint8_t *in, size_t inlen,
					   uint8_t *out, size_t outcap,
					   size_t *outlen, cachet_diag_t *diag);

/* The RFC 5649 unwrapping core over any 128-bit block cipher (DECRYPT
 * with CTX), for tests/ct, which drive it with a table-free toy cipher.
 * IN is (n + 1) * 8 octets with 1 <= n; OUT receives the n * 8 octets of
 * padded key data whatever the outcome.  Constant time: returns all ones
 * and sets *MLI when the AIV checks pass, else 0 and *MLI = 0.  The
 * caller validates the lengths. */
CACHET_INTERNAL uint32_t _cachet_kwp_unwrap_core(const void *ctx,
						 void (*decrypt)(const void *,
								 size_t,
								 uint8_t *,
								 const uint8_t *),
						 const uint8_t *in, size_t inlen,
						 uint8_t *out, size_t *mli);
/* The matching wrap (any IN length 1..CACHET_KW_MAX; OUT gets
 * (ceil(INLEN / 8) + 1) * 8 octets). */
CACHET_INTERNAL void _cachet_kwp_wrap_core(const void *ctx,
					   void (*encrypt)(const void *, size_t,
							   uint8_t *,
							   const uint8_t *),
					   const uint8_t *in, size_t inlen,
					   uint8_t *out);

/* ------------------------------------------------------------------ */
/* RSA encryption (crypto-rsaenc.c).  Keys of type CACHET_PK_RSA only
 * (an id-RSASSA-PSS key must not encrypt: RFC 4055 section 1.2). */

/* RSAES-PKCS1-v1_5 (RFC 8017 section 7.2.1).  OUT is allocated: k octets,
 * k the modulus length (free with cachet_free). */
CACHET_INTERNAL int _cachet_rsa_pkcs1_encrypt(const cachet_pubkey_t *k,
					      const uint8_t *in, size_t inlen,
					      cachet_datum_t *out,
					      cachet_diag_t *diag);
/* RSAES-PKCS1-v1_5 decryption with implicit rejection (RFC 3218 section
 * 2.3, STYLE 14).  OUT (OUTLEN octets, the key length the caller expects
 * from contentEncryptionAlgorithm) is first filled with random octets;
 * nettle's rsa_sec_decrypt overwrites it only when the padding is valid
 * and the message has exactly OUTLEN octets.  The outcome is never
 * examined: for a ciphertext of the modulus length the function returns
 * 0 whatever it held, and a wrong key shows up later, when the content
 * fails to decrypt or authenticate.  Constant time in the key and the
 * padding.
 * Errors: CACHET_E_DECRYPT_FAILED when INLEN is not the modulus length;
 * CACHET_E_INVALID_ARG when OUTLEN is 0 or above k - 11;
 * CACHET_E_KEY_MISMATCH for a non-RSA key; CACHET_E_RANDOM. */
CACHET_INTERNAL int _cachet_rsa_pkcs1_decrypt(const cachet_privkey_t *k,
					      const uint8_t *in, size_t inlen,
					      uint8_t *out, size_t outlen,
					      cachet_diag_t *diag);
/* The same, and *VALID (never NULL) becomes 0xff when OUT came from a
 * valid padding, 0x00 when it is the random key -- set without a branch,
 * for the caller to look at only once the content has been processed
 * (a random key can give valid CBC padding). */
CACHET_INTERNAL int _cachet_rsa_pkcs1_decrypt_masked(const cachet_privkey_t *k,
						     const uint8_t *in, size_t inlen,
						     uint8_t *out, size_t outlen,
						     uint8_t *valid,
						     cachet_diag_t *diag);

/* RSAES-OAEP-params (RFC 4055 section 4.1, RFC 8017 appendix A.2.1). */
typedef struct {
	cachet_alg_id_t hash;	  /* SHA-1, SHA-224, SHA-256, SHA-384, SHA-512 */
	cachet_alg_id_t mgf_hash; /* MGF1's hash, from the same list */
	const uint8_t *label;	  /* pSourceFunc id-pSpecified; NULL/0 = empty */
	size_t label_len;
} cachet_oaep_params_t;

/* RSAES-OAEP-ENCRYPT (RFC 8017 section 7.1.1).  OUT is allocated (k
 * octets).  A message longer than k - 2hLen - 2: CACHET_E_INVALID_ARG. */
CACHET_INTERNAL int _cachet_rsa_oaep_encrypt(const cachet_pubkey_t *k,
					     const cachet_oaep_params_t *p,
					     const uint8_t *in, size_t inlen,
					     cachet_datum_t *out,
					     cachet_diag_t *diag);
/* RSAES-OAEP-DECRYPT (RFC 8017 section 7.1.2).  The private operation is
 * nettle's blinded rsa_compute_root_tr; the decoding is
 * _cachet_oaep_unpad.  Every failure, including a message longer than
 * OUTCAP, is CACHET_E_DECRYPT_FAILED with OUT wiped. */
CACHET_INTERNAL int _cachet_rsa_oaep_decrypt(const cachet_privkey_t *k,
					     const cachet_oaep_params_t *p,
					     const uint8_t *in, size_t inlen,
					     uint8_t *out, size_t outcap,
					     size_t *outlen,
					     cachet_diag_t *diag);
/* EME-OAEP encoding with a given SEED (hLen octets) into EM (K octets),
 * RFC 8017 section 7.1.1 step 2.  K >= 2hLen + 2 and INLEN <= K - 2hLen
 * - 2 are the caller's to check.  Exposed for tests. */
CACHET_INTERNAL int _cachet_oaep_pad(const cachet_oaep_params_t *p,
				     const uint8_t *in, size_t inlen,
				     const uint8_t *seed, uint8_t *em,
				     size_t k);
/* Constant time.  EME-OAEP decoding (RFC 8017 section 7.1.2 step 3) of
 * EM (K octets, K >= 2hLen + 2), unmasked in place, in one pass with no
 * branch or memory access that depends on EM.  Returns all ones when
 * valid, with *OFF the offset of M in EM (M runs to the end); returns 0
 * with *OFF = K when not.  Exposed for tests/ct. */
CACHET_INTERNAL uint32_t _cachet_oaep_unpad(const cachet_oaep_params_t *p,
					    uint8_t *em, size_t k,
					    size_t *off);

/* ------------------------------------------------------------------ */
/* Key derivation and key agreement (crypto-kdf.c) */

/* HMAC (RFC 2104) over SHA-1, SHA-224, SHA-256, SHA-384 or SHA-512,
 * written over cachet_hash_t so that every intermediate can be wiped. */
typedef struct {
	cachet_hash_t inner; /* after (K0 ^ ipad) */
	cachet_hash_t outer; /* after (K0 ^ opad) */
	cachet_hash_t work;
	size_t hlen;
} cachet_hmac_t;

CACHET_INTERNAL int _cachet_hmac_init(cachet_hmac_t *m, cachet_alg_id_t hash,
				      const uint8_t *key, size_t keylen);
/* Start a new message with the same key. */
CACHET_INTERNAL void _cachet_hmac_reset(cachet_hmac_t *m);
CACHET_INTERNAL void _cachet_hmac_update(cachet_hmac_t *m, const uint8_t *p,
					 size_t n);
/* Write hlen octets and reset for the next message. */
CACHET_INTERNAL void _cachet_hmac_final(cachet_hmac_t *m, uint8_t *out);
CACHET_INTERNAL void _cachet_hmac_wipe(cachet_hmac_t *m);

/* ANSI X9.63 KDF (SEC 1 section 3.6.1, RFC 5753 section 7.2):
 * Hash(Z || counter || SharedInfo) for counter = 1, 2, ...  HASH: SHA-1,
 * SHA-224, SHA-256, SHA-384 or SHA-512. */
CACHET_INTERNAL int _cachet_kdf_x963(cachet_alg_id_t hash, const uint8_t *z,
				     size_t zlen, const uint8_t *info,
				     size_t infolen, uint8_t *out,
				     size_t outlen, cachet_diag_t *diag);

/* HKDF (RFC 5869) over SHA-256, SHA-384 or SHA-512.  SALT may be NULL/0
 * (hLen zero octets, RFC 5869 section 2.2).  PRK gets hLen octets (at
 * most CACHET_MAX_DIGEST); OUTLEN <= 255 hLen. */
CACHET_INTERNAL int _cachet_hkdf_extract(cachet_alg_id_t hash,
					 const uint8_t *salt, size_t saltlen,
					 const uint8_t *ikm, size_t ikmlen,
					 uint8_t *prk, size_t *prklen,
					 cachet_diag_t *diag);
CACHET_INTERNAL int _cachet_hkdf_expand(cachet_alg_id_t hash,
					const uint8_t *prk, size_t prklen,
					const uint8_t *info, size_t infolen,
					uint8_t *out, size_t outlen,
					cachet_diag_t *diag);
CACHET_INTERNAL int _cachet_hkdf(cachet_alg_id_t hash, const uint8_t *salt,
				 size_t saltlen, const uint8_t *ikm,
				 size_t ikmlen, const uint8_t *info,
				 size_t infolen, uint8_t *out, size_t outlen,
				 cachet_diag_t *diag);

/* PBKDF2 (RFC 8018 section 5.2) with HMAC over HASH (SHA-1, SHA-256,
 * SHA-384, SHA-512; the digest id, not the hmacWith* id).  ITERATIONS
 * must be 1..MAX_ITERATIONS: a larger count is CACHET_E_POLICY (the bound
 * keeps a hostile PasswordRecipientInfo from burning CPU). */
CACHET_INTERNAL int _cachet_pbkdf2(cachet_alg_id_t hash, const uint8_t *pw,
				   size_t pwlen, const uint8_t *salt,
				   size_t saltlen, unsigned long iterations,
				   unsigned long max_iterations, uint8_t *out,
				   size_t outlen, cachet_diag_t *diag);

/* Largest shared secret (P-521 x-coordinate), private key and encoded
 * public key (P-521 uncompressed point). */
#define CACHET_KEX_SECRET_MAX 66
#define CACHET_KEX_PRIV_MAX 66
#define CACHET_KEX_PUB_MAX 133

/* An ephemeral key pair (the originator's key in KeyAgreeRecipientInfo). */
typedef struct {
	cachet_alg_id_t curve; /* CACHET_ALG_P256/P384/P521/X25519/X448 */
	size_t priv_len;
	uint8_t priv[CACHET_KEX_PRIV_MAX]; /* big-endian scalar, or raw XDH key */
	size_t pub_len;
	/* ECPoint, uncompressed (RFC 5480 section 2.2), or the raw X25519 /
	 * X448 public key (RFC 8410 section 3) */
	uint8_t pub[CACHET_KEX_PUB_MAX];
} cachet_ephem_t;

CACHET_INTERNAL int _cachet_ephem_generate(cachet_ephem_t *e,
					   cachet_alg_id_t curve,
					   cachet_diag_t *diag);
CACHET_INTERNAL void _cachet_ephem_wipe(cachet_ephem_t *e);

/* The recipient's side: static private key K and the originator's
 * public key PEER, encoded as in cachet_ephem_t.pub.  Z gets the shared
 * secret (the x-coordinate for the NIST curves, RFC 5753 section 7.1.4 /
 * SEC 1 section 3.3.1; the XDH output for X25519 and X448, RFC 8418
 * section 2).  A peer point off the curve is CACHET_E_BAD_KEY; an
 * all-zero XDH output is CACHET_E_DECRYPT_FAILED (RFC 7748 section 6). */
CACHET_INTERNAL int _cachet_kex_derive(const cachet_privkey_t *k,
				       const uint8_t *peer, size_t peerlen,
				       uint8_t *z, size_t zcap, size_t *zlen,
				       cachet_diag_t *diag);
/* The originator's side: ephemeral key E and the recipient's public key
 * PEER (from its certificate). */
CACHET_INTERNAL int _cachet_kex_derive_ephem(const cachet_ephem_t *e,
					     const cachet_pubkey_t *peer,
					     uint8_t *z, size_t zcap,
					     size_t *zlen, cachet_diag_t *diag);
/* The same on raw keys: PRIV as in cachet_ephem_t.priv, PEER encoded as
 * in cachet_ephem_t.pub.  Used by the two above and the tests. */
CACHET_INTERNAL int _cachet_kex_raw(cachet_alg_id_t curve, const uint8_t *priv,
				    size_t privlen, const uint8_t *peer,
				    size_t peerlen, uint8_t *z, size_t zcap,
				    size_t *zlen, cachet_diag_t *diag);

#endif /* CACHET_CRYPTO_ENC_H */
