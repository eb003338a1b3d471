/* ri.h -- the RecipientInfo kinds (RFC 5652 section 6.2) between the
 * content-type modules (cms-env.c) and the primitives (crypto-enc.h).
 *
 *   ri-ktri.c   KeyTransRecipientInfo: RSAES-PKCS1-v1_5 and RSAES-OAEP
 *               (RFC 5652 section 6.2.1, RFC 3370 section 4.2, RFC 3560)
 *   ri-kari.c   KeyAgreeRecipientInfo: ECDH ephemeral-static with the
 *               X9.63 KDF (RFC 5753), X25519/X448 with HKDF (RFC 8418)
 *   ri-kekri.c  KEKRecipientInfo: AES key wrap (RFC 3394, RFC 5649)
 *   ri-pwri.c   PasswordRecipientInfo: PBKDF2 + id-alg-PWRI-KEK (RFC 3211)
 *   ri.c        the dispatcher (_cachet_ri_open, _cachet_ri_describe)
 *
 * Producing: each _cachet_ri_make_* appends the DER of one RecipientInfo
 * CHOICE value (for ktri the bare SEQUENCE, for the others the [n]
 * IMPLICIT-tagged SEQUENCE) to OUT.
 *
 * Consuming: _cachet_ri_open takes the DER of one RecipientInfo as
 * captured from the message and the keys the caller holds.  Every
 * failure to unwrap is CACHET_E_DECRYPT_FAILED with no diagnostic frame
 * unless KEYS->debug is set (crypto-enc.h, RFC 3218).  Structural errors
 * (malformed DER, unknown algorithms) have their own codes and frames:
 * they depend only on public data.
 */
#ifndef CACHET_RI_H
#define CACHET_RI_H

#include "crypto-enc.h"
#include "pki.h"

/* RecipientInfo kinds, in the order of the CHOICE (RFC 5652 section 6.2). */
typedef enum {
	CACHET_RI_KTRI = 0,
	CACHET_RI_KARI = 1,  /* [1] */
	CACHET_RI_KEKRI = 2, /* [2] */
	CACHET_RI_PWRI = 3,  /* [3] */
	CACHET_RI_ORI = 4,   /* [4]: read and described, never opened */
} cachet_ri_kind_t;

/* Largest content-encryption key (AES-256, ChaCha20). */
#define CACHET_CEK_MAX 32
/* RecipientInfos per message (Cachet's bound). */
#define CACHET_MAX_RECIPIENTS 256
/* PBKDF2 iteration count accepted when reading (RFC 3211 section 2.1
 * leaves it open; the bound keeps a hostile message from burning CPU).
 * Cachet writes CACHET_PWRI_ITERATIONS unless told otherwise. */
#define CACHET_PWRI_MAX_ITERATIONS 10000000ul
#define CACHET_PWRI_ITERATIONS 100000ul

/* ------------------------------------------------------------------ */
/* Producing */

/* RSA key transport to the certificate CRT (its public key PUB, type
 * CACHET_PK_RSA).  OAEP: RSAES-OAEP with SHA-256, MGF1-SHA-256 and an
 * empty label (RFC 8551 section 2.3, RFC 3560 section 3); otherwise
 * rsaEncryption (PKCS#1 v1.5) with NULL parameters.  SKID: rid is the
 * subjectKeyIdentifier (version 2) instead of issuerAndSerialNumber
 * (version 0), RFC 5652 section 6.2.1. */
#define CACHET_RI_OAEP (1u << 0)
#define CACHET_RI_SKID (1u << 1)
CACHET_INTERNAL int _cachet_ri_make_ktri(cbuf_t *out, gnutls_x509_crt_t crt,
					 const cachet_pubkey_t *pub,
					 unsigned flags, const uint8_t *cek,
					 size_t ceklen, cachet_diag_t *diag);

/* One recipient of a KeyAgreeRecipientInfo. */
typedef struct {
	gnutls_x509_crt_t crt;
	const cachet_pubkey_t *pub; /* CACHET_PK_EC, _X25519 or _X448 */
	unsigned flags;		    /* CACHET_RI_SKID: rKeyId instead of IASN */
} cachet_kari_recip_t;

/* Key agreement to the N recipients (all on the same curve), sharing one
 * ephemeral key generated here (RFC 5652 section 6.2.2: one
 * KeyAgreeRecipientInfo, several RecipientEncryptedKeys).  Scheme: for
 * P-256 dhSinglePass-stdDH-sha256kdf-scheme, P-384 ...sha384kdf,
 * P-521 ...sha512kdf (RFC 5753 section 8); X25519 ...hkdf-sha256,
 * X448 ...hkdf-sha512 (RFC 8418 section 2).  The key-wrap algorithm is
 * AES key wrap (RFC 3394) with a KEK as long as the CEK (16 -> aes128-wrap,
 * 24 -> aes192-wrap, 32 -> aes256-wrap).  UKM (may be NULL/0) is sent as
 * ukm and enters the KDF's SharedInfo (RFC 5753 section 7.2). */
CACHET_INTERNAL int _cachet_ri_make_kari(cbuf_t *out,
					 const cachet_kari_recip_t *r,
					 size_t n, const uint8_t *ukm,
					 size_t ukmlen, const uint8_t *cek,
					 size_t ceklen, cachet_diag_t *diag);

/* KEK recipient: KEKIdentifier.keyIdentifier = ID; the wrap is AES key
 * wrap with the KEK's size (RFC 3394, RFC 3565 section 2.3.2), or AES key
 * wrap with padding (RFC 5649) when CEKLEN is not a multiple of 8 or PAD
 * is set.  KEK: 16, 24 or 32 octets. */
CACHET_INTERNAL int _cachet_ri_make_kekri(cbuf_t *out, const uint8_t *id,
					  size_t idlen, const uint8_t *kek,
					  size_t keklen, bool pad,
					  const uint8_t *cek, size_t ceklen,
					  cachet_diag_t *diag);

/* Password recipient (RFC 3211): PBKDF2 (RFC 8018) with a random 16-octet
 * salt, ITERATIONS (0: CACHET_PWRI_ITERATIONS) and hmacWithSHA256; the KEK
 * is as long as the CEK and used with id-alg-PWRI-KEK over AES-CBC of
 * that size (RFC 3211 section 2.3). */
CACHET_INTERNAL int _cachet_ri_make_pwri(cbuf_t *out, const uint8_t *pw,
					 size_t pwlen, unsigned long iterations,
					 const uint8_t *cek, size_t ceklen,
					 cachet_diag_t *diag);

/* ------------------------------------------------------------------ */
/* Consuming */

typedef struct {
	gnutls_x509_crt_t crt; /* the recipient's certificate */
	const cachet_privkey_t *key;
} cachet_ri_certkey_t;

typedef struct {
	const uint8_t *id; /* KEKIdentifier.keyIdentifier; NULL: try any */
	size_t idlen;
	const uint8_t *kek;
	size_t keklen;
} cachet_ri_kek_t;

typedef struct {
	const cachet_ri_certkey_t *ck; /* key transport and key agreement */
	size_t nck;
	const cachet_ri_kek_t *kek;
	size_t nkek;
	const uint8_t *const *pw; /* passwords */
	const size_t *pwlen;
	size_t npw;
	unsigned long max_iterations; /* 0: CACHET_PWRI_MAX_ITERATIONS */
	bool allow_legacy; /* SHA-1 KDFs, PBKDF2 with HMAC-SHA-1 */
	bool debug;	   /* record why an unwrap failed (never by default) */
} cachet_ri_keys_t;

/* What a RecipientInfo says, for reports and inspect. */
typedef struct {
	cachet_ri_kind_t kind;
	unsigned version;
	/* key transport / key agreement / key wrap / KDF algorithms by name
	 * (e.g. "rsaesOaep(sha256,mgf1-sha256)", "dhSinglePass-stdDH-sha256kdf-scheme
	 * + aes128-wrap", "PBKDF2(hmacWithSHA256, 100000 iterations) +
	 * id-alg-PWRI-KEK(aes256-CBC)") */
	char alg[160];
	/* who it is for: "issuer=CN=...,serial=0a1b" / "skid=..." /
	 * "kekid=..." / "password"; for kari, every RecipientEncryptedKey's rid
	 * separated by "; " (truncated with "..." past the buffer) */
	char rid[384];
} cachet_ri_info_t;

/* Parse and describe the RecipientInfo DER (one CHOICE value, as captured
 * from RecipientInfos).  CACHET_E_MALFORMED / CACHET_E_BAD_VERSION /
 * CACHET_E_UNKNOWN_OID (and CACHET_E_UNSUPPORTED, CACHET_E_BAD_PARAMS for
 * an algorithm Cachet knows but cannot use) with a frame at PATH for what
 * is wrong.  INFO is filled as far as reading got, on failure too (an
 * unknown OID appears in dotted form), so inspect can still show it.  An
 * ori is described by its oriType; a static-static kari is described
 * (and refused by _cachet_ri_open). */
CACHET_INTERNAL int _cachet_ri_describe(const uint8_t *der, size_t len,
					cachet_ri_info_t *info, const char *path,
					cachet_diag_t *diag);

/* Recover the content-encryption key from the RecipientInfo DER with the
 * keys in KEYS.  CEKLEN is the key length the content-encryption
 * algorithm needs (known before this call: the caller reads
 * encryptedContentInfo.contentEncryptionAlgorithm first).
 *
 *  0                        CEK holds CEKLEN octets.  For RSA PKCS#1
 *                           v1.5 these may be random (implicit rejection,
 *                           RFC 3218 section 2.3): the content decryption
 *                           reveals a wrong key, never this call.
 *  CACHET_E_END             no key in KEYS matches this RecipientInfo
 *                           (rid, rKeyId, kekid or kind) -- public
 *                           information, no frame needed.  Always for
 *                           an ori.  Matching: ktri and kari compare the
 *                           rid with KEYS->ck[i].crt (issuer DER and
 *                           serial, or the subjectKeyIdentifier
 *                           extension); kekri compares keyIdentifier
 *                           with KEYS->kek[i].id, and a KEK without id
 *                           is tried when its length fits the wrap;
 *                           pwri tries every password (without a
 *                           keyDerivationAlgorithm, each password as
 *                           long as the KEK cipher's key is the KEK).
 *  CACHET_E_KEY_MISMATCH    the rid matched, but the key cannot serve
 *                           (not RSA for ktri, RSASSA-PSS, another
 *                           curve for kari); CACHET_E_BAD_KEY: a KEK
 *                           named by its id whose length does not fit
 *                           the wrap.  With a frame.
 *  CACHET_E_DECRYPT_FAILED  a key matched but unwrapping failed
 *                           (integrity check, length, padding, point off
 *                           the curve...).  No frame unless KEYS->debug.
 *  CACHET_E_POLICY / CACHET_E_WEAK_ALGORITHM  e.g. PBKDF2 iterations above
 *                           the bound, a SHA-1 KDF without allow_legacy.
 *  other                    malformed or unsupported structure, with a
 *                           frame at PATH.
 * CEK is wiped on every non-zero return; every intermediate (shared
 * secret, KEK, KDF output, decrypted key block) is wiped on every path. */
CACHET_INTERNAL int _cachet_ri_open(const uint8_t *der, size_t len,
				    const cachet_ri_keys_t *keys,
				    size_t ceklen, uint8_t *cek,
				    const char *path, cachet_diag_t *diag);
/* The same, and *VALID: 0xff, or 0x00 when a KeyTransRecipientInfo with
 * RSAES-PKCS1-v1_5 returned 0 with its random key (implicit rejection,
 * RFC 3218 section 2.3).  The content decryptor looks at it only after
 * the whole content, so that the failure comes where a wrong key's
 * would, with the same code: a random key gives valid CBC padding about
 * once in 256, and must not then pass for a decryption. */
CACHET_INTERNAL int _cachet_ri_open_masked(const uint8_t *der, size_t len,
					   const cachet_ri_keys_t *keys,
					   size_t ceklen, uint8_t *cek,
					   uint8_t *valid, const char *path,
					   cachet_diag_t *diag);

#endif /* CACHET_RI_H */
