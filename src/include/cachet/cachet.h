/* cachet.h -- public interface of libcachet, an S/MIME 4.0 and CMS library.
 *
 * Conventions (doc/HACKING):
 *  - Every function that can fail returns 0 or a negative CACHET_E_* code.
 *  - Handles are opaque; each has an init/deinit pair; deinit accepts NULL,
 *    wipes any secret the handle holds and frees it.
 *  - A `const cachet_datum_t *` argument is borrowed input.  A
 *    `cachet_datum_t *` output is allocated by the library and released
 *    with cachet_free() (or cachet_free_secret() for key material).
 *  - The library never writes to stdout or stderr.  Failures are explained
 *    through a cachet_diag_t the caller passes in.
 */
#ifndef CACHET_CACHET_H
#define CACHET_CACHET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(CACHET_BUILDING) && defined(__GNUC__)
#define CACHET_API __attribute__((visibility("default")))
#else
#define CACHET_API
#endif

#ifdef __GNUC__
#define CACHET_MUST_CHECK __attribute__((warn_unused_result))
#else
#define CACHET_MUST_CHECK
#endif

#define CACHET_VERSION_MAJOR 0
#define CACHET_VERSION_MINOR 1
#define CACHET_VERSION_PATCH 0

/* Error codes.  Keep in step with the table in src/lib/errors.c. */
enum {
	CACHET_E_OK = 0,
	/* usage */
	CACHET_E_INVALID_ARG = -1,
	CACHET_E_BAD_STATE = -2,
	/* malformed input */
	CACHET_E_MALFORMED = -10,
	CACHET_E_TRUNCATED = -11,
	CACHET_E_TRAILING_DATA = -12,
	CACHET_E_NOT_DER = -13,
	CACHET_E_DEPTH_LIMIT = -14,
	CACHET_E_SIZE_LIMIT = -15,
	CACHET_E_COUNT_LIMIT = -16,
	CACHET_E_BAD_PEM = -17,
	CACHET_E_BAD_VERSION = -18,
	CACHET_E_BAD_PARAMS = -19,
	CACHET_E_BAD_KEY = -20,
	CACHET_E_BAD_CERT = -21,
	/* the key is encrypted (or on a token that wants a PIN) and no
	 * password was given: ask for one and try again.  Since: 0.1 */
	CACHET_E_NEED_PASSWORD = -22,
	/* unsupported */
	CACHET_E_UNKNOWN_OID = -30,
	CACHET_E_UNSUPPORTED = -31,
	CACHET_E_UNSUPPORTED_CONTENT = -32,
	/* policy */
	CACHET_E_POLICY = -40,
	CACHET_E_WEAK_ALGORITHM = -41,
	/* verification */
	CACHET_E_VERIFY_FAILED = -50,
	CACHET_E_NOT_SIGNED = -51,
	CACHET_E_BAD_SIGNATURE = -52,
	CACHET_E_DIGEST_MISMATCH = -53,
	CACHET_E_NO_SIGNER_CERT = -54,
	CACHET_E_CERT_UNTRUSTED = -55,
	CACHET_E_CERT_EXPIRED = -56,
	CACHET_E_CERT_NOT_YET_VALID = -57,
	CACHET_E_ATTR_MISSING = -58,
	CACHET_E_ATTR_DUPLICATE = -59,
	CACHET_E_ATTR_MISMATCH = -60,
	CACHET_E_ALG_PROTECTION = -61,
	CACHET_E_NO_CONTENT = -62,
	CACHET_E_KEY_MISMATCH = -63,
	/* decryption (one code on purpose: no oracle) */
	CACHET_E_DECRYPT_FAILED = -70,
	/* I/O and resources */
	CACHET_E_IO = -80,
	CACHET_E_NOMEM = -81,
	CACHET_E_END = -82,
	CACHET_E_RANDOM = -83,
	/* internal */
	CACHET_E_INTERNAL = -90,
	CACHET_E_CRYPTO = -91,
	CACHET_E_TASN1 = -92,
	CACHET_E_GNUTLS = -93,
	/* certificate validation (RFC 8550, RFC 5280); since 0.1 */
	CACHET_E_CERT_REVOKED = -110,
	CACHET_E_CERT_REVOCATION_UNKNOWN = -111,
	CACHET_E_CERT_KEY_USAGE = -112,
	CACHET_E_CERT_EXT_KEY_USAGE = -113,
	CACHET_E_CERT_BASIC_CONSTRAINTS = -114,
	CACHET_E_CERT_CRITICAL_EXTENSION = -115,
	CACHET_E_CERT_EMAIL_MISMATCH = -116,
	CACHET_E_WEAK_KEY = -117,
	/* certificate directory; since 0.1 */
	CACHET_E_CERT_NOT_FOUND = -118,
};

/* Error categories (cachet_error_category). */
typedef enum {
	CACHET_CAT_NONE = 0,
	CACHET_CAT_USAGE,
	CACHET_CAT_MALFORMED,
	CACHET_CAT_UNSUPPORTED,
	CACHET_CAT_POLICY,
	CACHET_CAT_VERIFY_FAILED,
	CACHET_CAT_DECRYPT_FAILED,
	CACHET_CAT_IO,
	CACHET_CAT_RESOURCE,
	CACHET_CAT_INTERNAL,
} cachet_category_t;

/* One English sentence describing CODE (never NULL). */
CACHET_API const char *cachet_strerror(int code);
/* The symbolic name, e.g. "CACHET_E_DIGEST_MISMATCH" (never NULL). */
CACHET_API const char *cachet_strerror_name(int code);
CACHET_API cachet_category_t cachet_error_category(int code);
CACHET_API const char *cachet_category_name(cachet_category_t cat);

/* Library version string, e.g. "0.1.0". */
CACHET_API const char *cachet_version(void);

/* ------------------------------------------------------------------ */
/* Buffers */

typedef struct {
	uint8_t *data;
	size_t size;
} cachet_datum_t;

/* Free a library-allocated buffer (NULL-safe). */
CACHET_API void cachet_free(void *p);
/* Wipe and free a datum holding secret bytes; resets it to empty. */
CACHET_API void cachet_free_secret(cachet_datum_t *d);
/* Overwrite N bytes at P with zeros in a way the compiler keeps. */
CACHET_API void cachet_wipe(void *p, size_t n);

/* ------------------------------------------------------------------ */
/* Diagnostics: a short chain of frames explaining a failure. */

typedef struct cachet_diag_st cachet_diag_t;

CACHET_API CACHET_MUST_CHECK int cachet_diag_init(cachet_diag_t **diag);
CACHET_API void cachet_diag_deinit(cachet_diag_t *diag);
CACHET_API void cachet_diag_clear(cachet_diag_t *diag);
CACHET_API size_t cachet_diag_count(const cachet_diag_t *diag);
/* Frame I (0 is the innermost, first recorded).  Any out-pointer may be
 * NULL; strings stay valid until the next change to DIAG.  PATH is the
 * location in the message ("SignedData.signerInfos[0]..."), RULE the
 * standard's rule ("RFC 5652 section 11.2"), DETAIL free text. */
CACHET_API CACHET_MUST_CHECK int cachet_diag_get(const cachet_diag_t *diag,
						 size_t i, int *code,
						 const char **path,
						 const char **rule,
						 const char **detail);

/* ------------------------------------------------------------------ */
/* Sources and sinks */

typedef struct cachet_source_st cachet_source_t;
typedef struct cachet_sink_st cachet_sink_t;

/* Read up to LEN bytes into BUF; return the count, 0 at end, or < 0. */
typedef long (*cachet_read_fn)(void *opaque, uint8_t *buf, size_t len);
/* Write all LEN bytes; return 0 or < 0. */
typedef int (*cachet_write_fn)(void *opaque, const uint8_t *buf, size_t len);

/* The memory source borrows DATA; it must outlive the source. */
CACHET_API CACHET_MUST_CHECK int cachet_source_init_mem(cachet_source_t **src,
							const uint8_t *data,
							size_t size);
/* The fd is not closed by deinit. */
CACHET_API CACHET_MUST_CHECK int cachet_source_init_fd(cachet_source_t **src,
						       int fd);
CACHET_API CACHET_MUST_CHECK int cachet_source_init_cb(cachet_source_t **src,
						       cachet_read_fn fn,
						       void *opaque);
CACHET_API void cachet_source_deinit(cachet_source_t *src);

/* A growing memory buffer; take its bytes with cachet_sink_take_mem. */
CACHET_API CACHET_MUST_CHECK int cachet_sink_init_mem(cachet_sink_t **snk);
CACHET_API CACHET_MUST_CHECK int cachet_sink_init_fd(cachet_sink_t **snk,
						     int fd);
CACHET_API CACHET_MUST_CHECK int cachet_sink_init_cb(cachet_sink_t **snk,
						     cachet_write_fn fn,
						     void *opaque);
/* Move the bytes collected by a memory sink into OUT (free: cachet_free). */
CACHET_API CACHET_MUST_CHECK int cachet_sink_take_mem(cachet_sink_t *snk,
						      cachet_datum_t *out);
CACHET_API CACHET_MUST_CHECK int cachet_sink_flush(cachet_sink_t *snk);
CACHET_API void cachet_sink_deinit(cachet_sink_t *snk);

/* ------------------------------------------------------------------ */
/* Signing (RFC 5652 section 5, RFC 8551 section 2) */

typedef struct cachet_sign_st cachet_sign_t;

/* Digest algorithms by name. */
typedef enum {
	CACHET_DIGEST_DEFAULT = 0, /* SHA-256, or SHA-512 for Ed25519 */
	CACHET_DIGEST_SHA224,
	CACHET_DIGEST_SHA256,
	CACHET_DIGEST_SHA384,
	CACHET_DIGEST_SHA512,
} cachet_digest_t;

/* Flags for cachet_sign_add_signer. */
#define CACHET_SIGNER_PSS (1u << 0)	/* RSASSA-PSS instead of PKCS#1 v1.5 */
#define CACHET_SIGNER_SKID (1u << 1)	/* sid = subjectKeyIdentifier */
#define CACHET_SIGNER_NO_ATTRS (1u << 2) /* no signedAttrs (not S/MIME) */

/* Flags for cachet_sign_run. */
#define CACHET_SIGN_DETACHED (1u << 0) /* leave eContent out */
#define CACHET_SIGN_NO_CERTS (1u << 1) /* leave the certificates out */
#define CACHET_SIGN_PEM (1u << 2)      /* PEM armour ("CMS") on output */

CACHET_API CACHET_MUST_CHECK int cachet_sign_init(cachet_sign_t **s);
CACHET_API void cachet_sign_deinit(cachet_sign_t *s);
/* Add a signer: CERT is an X.509 certificate (PEM or DER), KEY its private
 * key (PEM or DER; PKCS#1, SEC1 or PKCS#8, encrypted PKCS#8 with PASSWORD,
 * which may be NULL). */
CACHET_API CACHET_MUST_CHECK int
cachet_sign_add_signer(cachet_sign_t *s, const cachet_datum_t *cert,
		       const cachet_datum_t *key, const char *password,
		       cachet_digest_t digest, unsigned flags,
		       cachet_diag_t *diag);
/* Add a signer from a PKCS#12 bundle P12 (DER, or PEM armour "PKCS12";
 * RFC 7292) protected by PASSWORD (NULL: none given).  Each private key
 * is paired with the certificate in the bundle that holds its public key
 * (names and localKeyId are not trusted for this); the first pair whose
 * certificate allows signing (no keyUsage, or digitalSignature or
 * nonRepudiation) signs, and every other certificate in the bundle (the
 * chain) goes into the certificates field.  Errors:
 * CACHET_E_NEED_PASSWORD when the bundle is protected and PASSWORD is
 * NULL, CACHET_E_BAD_KEY for a wrong password or a damaged bundle,
 * CACHET_E_KEY_MISMATCH when no key has a certificate fit for signing.
 * Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int
cachet_sign_add_signer_p12(cachet_sign_t *s, const cachet_datum_t *p12,
			   const char *password, cachet_digest_t digest,
			   unsigned flags, cachet_diag_t *diag);
/* Add a signer whose private key stays on a PKCS#11 token: URL is a
 * PKCS#11 URI (RFC 7512, "pkcs11:token=...;object=...;type=private"),
 * opened through GnuTLS's PKCS#11 support; PIN logs in (NULL: the URI's
 * pin-value or pin-source, if any).  CERT is the key's certificate (PEM or
 * DER).  RSA (PKCS#1 v1.5 and, with CACHET_SIGNER_PSS, RSASSA-PSS) and
 * ECDSA keys; the token signs the digest and the signature is checked
 * with the public key before it is used.  Errors: CACHET_E_NEED_PASSWORD
 * when the token wants a PIN and none was given, CACHET_E_BAD_KEY when it
 * refused the PIN or has no key matching URL, CACHET_E_KEY_MISMATCH when
 * the key is not CERT's.  Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int
cachet_sign_add_signer_pkcs11(cachet_sign_t *s, const cachet_datum_t *cert,
			      const char *url, const char *pin,
			      cachet_digest_t digest, unsigned flags,
			      cachet_diag_t *diag);
/* Load the PKCS#11 module at PATH (a shared object) for the URIs given
 * to the *_pkcs11 functions.  Without a call GnuTLS loads the modules
 * p11-kit is configured with; after one, only the modules named this way
 * are used.  Process-wide: call it before other threads use PKCS#11.
 * CACHET_E_IO when the module cannot be loaded.  Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int cachet_pkcs11_add_module(const char *path,
							  cachet_diag_t *diag);
/* Add extra certificates (PEM with one or several, or one DER) to the
 * certificates field, e.g. the signer's chain. */
CACHET_API CACHET_MUST_CHECK int cachet_sign_add_certs(cachet_sign_t *s,
						       const cachet_datum_t *certs,
						       cachet_diag_t *diag);
/**
 * cachet_sign_add_attribute:
 * @s: the signing handle
 * @attr: a DER Attribute, SEQUENCE { attrType, attrValues SET OF }
 *   (RFC 5652 section 5.3); borrowed, copied before the call returns
 * @diag: where to put the reason for a refusal (may be NULL)
 *
 * Add a signed attribute that every signer of @s signs, whether it was
 * added before or after this call: the attributes are kept on the handle
 * and each SignerInfo puts them into its signedAttrs at cachet_sign_run(),
 * sorted into the DER SET OF with the ones Cachet writes.  Used for
 * example for the SecureHeaderFields attribute of RFC 7508.
 *
 * Refused with %CACHET_E_INVALID_ARG and a diagnostic frame: an attribute
 * type Cachet writes itself (contentType, messageDigest, signingTime,
 * SMIMECapabilities, signingCertificateV2, CMSAlgorithmProtection), a
 * countersignature (RFC 5652 section 11.4), a second attribute of a type
 * already added, more than one value in an attribute that holds one
 * (SMIMEEncryptionKeyPreference, RFC 8551 section 2.5.3;
 * SecureHeaderFields, RFC 7508 section 4; signingCertificate), and any
 * attribute while a signer added with %CACHET_SIGNER_NO_ATTRS is on the
 * handle (cachet_sign_add_signer() then refuses such a signer too).  An attribute that is not DER is
 * %CACHET_E_NOT_DER; more than 16 is %CACHET_E_COUNT_LIMIT.
 *
 * Returns: 0 or a negative %CACHET_E_* code.
 *
 * Since: 0.1
 */
CACHET_API CACHET_MUST_CHECK int
cachet_sign_add_attribute(cachet_sign_t *s, const cachet_datum_t *attr,
			  cachet_diag_t *diag);
/* Fix signingTime (for reproducible output); default: now. */
CACHET_API CACHET_MUST_CHECK int cachet_sign_set_time(cachet_sign_t *s,
						      time_t t);
/* Stream CONTENT through and write a ContentInfo(SignedData) to OUT. */
CACHET_API CACHET_MUST_CHECK int cachet_sign_run(cachet_sign_t *s,
						 cachet_source_t *content,
						 cachet_sink_t *out,
						 unsigned flags,
						 cachet_diag_t *diag);

/* ------------------------------------------------------------------ */
/* Verification */

typedef struct cachet_verify_st cachet_verify_t;
typedef struct cachet_report_st cachet_report_t;

/* Outcome of one named check. */
typedef enum {
	CACHET_CHECK_PASS = 0,
	CACHET_CHECK_FAIL,
	CACHET_CHECK_SKIP, /* not applicable, or not reached */
	CACHET_CHECK_INFO, /* a finding reported without a verdict */
} cachet_check_status_t;

/* Policy switches (cachet_verify_set_policy). */
#define CACHET_POLICY_ALLOW_SHA1 (1u << 0) /* SHA-1 digests and signatures */
#define CACHET_POLICY_ALLOW_DSA (1u << 1)  /* DSA signatures */
#define CACHET_POLICY_NO_CHAIN (1u << 2)   /* skip certificate path checks */
/* Decrypt-only legacy ciphers for old messages: 3DES-CBC, RC2-CBC (RFC
 * 3370 section 5), SHA-1 key-agreement KDFs, PBKDF2 with HMAC-SHA-1. */
#define CACHET_POLICY_ALLOW_LEGACY_CIPHERS (1u << 3)
/* Decryption: record why an unwrap or content decryption failed in the
 * diagnostic chain.  Off by default: the detail is an oracle (RFC 3218
 * section 2.3); for debugging interoperability only. */
#define CACHET_POLICY_DEBUG_DECRYPT (1u << 4)
/* Accept certificate keys under the minimum sizes (RSA and DSA < 2048
 * bits, EC < 256 bits; RFC 8550 sections 4.3 and 6) with a warning in
 * the certificate-key-size check instead of failing it.  Since: 0.1 */
#define CACHET_POLICY_ALLOW_WEAK_KEYS (1u << 5)
/* Fail the certificate-revocation check (CACHET_E_CERT_REVOCATION_UNKNOWN)
 * when no CRL or OCSP response given gives the status of a certificate
 * of the path.  Since: 0.1 */
#define CACHET_POLICY_REQUIRE_REVOCATION (1u << 6)
#define CACHET_POLICY_LEGACY                                                  \
	(CACHET_POLICY_ALLOW_SHA1 | CACHET_POLICY_ALLOW_DSA |                 \
	 CACHET_POLICY_ALLOW_LEGACY_CIPHERS | CACHET_POLICY_ALLOW_WEAK_KEYS)

CACHET_API CACHET_MUST_CHECK int cachet_verify_init(cachet_verify_t **v);
CACHET_API void cachet_verify_deinit(cachet_verify_t *v);
/* Trust anchors: PEM (one or more) or DER certificates. */
CACHET_API CACHET_MUST_CHECK int cachet_verify_add_trust(cachet_verify_t *v,
							 const cachet_datum_t *certs,
							 cachet_diag_t *diag);
/* Extra certificates to find signers and intermediates in (not trusted). */
CACHET_API CACHET_MUST_CHECK int cachet_verify_add_certs(cachet_verify_t *v,
							 const cachet_datum_t *certs,
							 cachet_diag_t *diag);
/* Validation time; default: now. */
CACHET_API CACHET_MUST_CHECK int cachet_verify_set_time(cachet_verify_t *v,
							time_t t);
/* Certificate validation (RFC 8550 section 4, RFC 5280 section 6).  Each
 * rule is a named check on every signer: certificate-path,
 * certificate-validity, certificate-basic-constraints,
 * certificate-key-usage, certificate-extended-key-usage,
 * certificate-key-size, certificate-critical-extensions,
 * certificate-email, certificate-revocation.  No network access is ever
 * attempted. */
/* Add CRLs (PEM with "X509 CRL" blocks, or one DER CRL) for the
 * certificate-revocation check: a CRL counts for the certificates its
 * issuer issued when its signature verifies with that issuer's key and
 * the validation time lies between thisUpdate and nextUpdate (RFC 5280
 * section 6.3.3; delta CRLs and issuing distribution points are not
 * processed).  CACHET_E_MALFORMED for a CRL that cannot be read.
 * Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int cachet_verify_add_crl(cachet_verify_t *v,
						       const cachet_datum_t *crl,
						       cachet_diag_t *diag);
/* Add an OCSPResponse (DER, or PEM "OCSP RESPONSE") for the
 * certificate-revocation check.  It answers for the certificate whose
 * CertID (issuer name hash, issuer key hash, serial) its SingleResponse
 * names, when it is signed by that certificate's issuer or by a
 * responder the issuer certified with id-kp-OCSPSigning, and is current
 * at the validation time (RFC 6960 sections 4.1.1, 4.2.2.1, 4.2.2.2).
 * Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int cachet_verify_add_ocsp_response(cachet_verify_t *v,
								 const cachet_datum_t *resp,
								 cachet_diag_t *diag);
/* Trust the system's store of trust anchors as well (GnuTLS's
 * configured one) when building paths.  Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int cachet_verify_add_system_trust(cachet_verify_t *v);
/* The address the signer must hold (the message's From or Sender, RFC
 * 8550 section 3): a subjectAltName rfc822Name, or an emailAddress in
 * the subject of older certificates; the local part compares exactly,
 * the domain without regard to case.  NULL clears it (the
 * certificate-email check is then skipped).  Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int cachet_verify_set_email(cachet_verify_t *v,
							 const char *addr);
CACHET_API CACHET_MUST_CHECK int cachet_verify_set_policy(cachet_verify_t *v,
							  unsigned policy);
/* Verify the SignedData read from IN.  DETACHED is the content for a
 * detached signature (NULL otherwise).  The encapsulated content is
 * written to CONTENT_OUT when not NULL; the caller must not use it unless
 * the call returns 0 (the CLI writes it to a temporary file and renames it
 * into place only then).  REPORT receives a report whenever the message
 * could be parsed, also when verification failed.  Returns 0 when every
 * signer verified, CACHET_E_NOT_SIGNED when there is no SignerInfo, a
 * verification code (the first failing signer's) otherwise. */
CACHET_API CACHET_MUST_CHECK int cachet_verify_run(cachet_verify_t *v,
						   cachet_source_t *in,
						   cachet_source_t *detached,
						   cachet_sink_t *content_out,
						   cachet_report_t **report,
						   cachet_diag_t *diag);

CACHET_API void cachet_report_deinit(cachet_report_t *r);
CACHET_API size_t cachet_report_signer_count(const cachet_report_t *r);
/* Overall result of signer I: 0 or the CACHET_E_* code of its failure. */
CACHET_API int cachet_report_signer_result(const cachet_report_t *r, size_t i);
CACHET_API size_t cachet_report_check_count(const cachet_report_t *r,
					    size_t signer);
/* Check J of SIGNER.  NAME is stable ("signature", "message-digest",
 * "content-type-attr", ...); RULE names the standard; DETAIL explains. */
CACHET_API CACHET_MUST_CHECK int
cachet_report_check_get(const cachet_report_t *r, size_t signer, size_t j,
			const char **name, cachet_check_status_t *status,
			int *code, const char **rule, const char **detail);
/* Render the whole report as text or JSON (free OUT with cachet_free). */
CACHET_API CACHET_MUST_CHECK int cachet_report_text(const cachet_report_t *r,
						    cachet_datum_t *out);
CACHET_API CACHET_MUST_CHECK int cachet_report_json(const cachet_report_t *r,
						    cachet_datum_t *out);

/* ------------------------------------------------------------------ */
/* Encryption: EnvelopedData (RFC 5652 section 6), AuthEnvelopedData (RFC
 * 5083), EncryptedData (RFC 5652 section 8) */

typedef struct cachet_encrypt_st cachet_encrypt_t;

/* Content-encryption algorithms.  The AEADs make AuthEnvelopedData, CBC
 * makes EnvelopedData (RFC 8551 section 2.7); EncryptedData is CBC. */
typedef enum {
	CACHET_CIPHER_DEFAULT = 0, /* AES-128-GCM (RFC 8551 section 2.7) */
	CACHET_CIPHER_AES128_GCM,
	CACHET_CIPHER_AES256_GCM,
	CACHET_CIPHER_CHACHA20_POLY1305,
	CACHET_CIPHER_AES128_CBC,
	CACHET_CIPHER_AES192_CBC,
	CACHET_CIPHER_AES256_CBC,
} cachet_cipher_t;

/* Flags for cachet_encrypt_add_recipient. */
#define CACHET_RECIPIENT_OAEP (1u << 0) /* RSA: RSAES-OAEP (SHA-256) */
#define CACHET_RECIPIENT_SKID (1u << 1) /* rid = subjectKeyIdentifier */

/* Flags for cachet_encrypt_run. */
#define CACHET_ENCRYPT_PEM (1u << 0) /* PEM armour ("CMS") on output */

/* Where cachet_encrypt_add_attribute puts an attribute. */
typedef enum {
	CACHET_ATTR_UNPROTECTED = 0, /* unprotectedAttrs / unauthAttrs */
	CACHET_ATTR_AUTHENTICATED,   /* authAttrs (AuthEnvelopedData only) */
} cachet_attr_place_t;

CACHET_API CACHET_MUST_CHECK int cachet_encrypt_init(cachet_encrypt_t **e);
CACHET_API void cachet_encrypt_deinit(cachet_encrypt_t *e);
CACHET_API CACHET_MUST_CHECK int cachet_encrypt_set_cipher(cachet_encrypt_t *e,
							   cachet_cipher_t c);
/* A recipient by certificate (PEM or DER): RSA keys get a
 * KeyTransRecipientInfo, EC (P-256/384/521), X25519 and X448 keys a
 * KeyAgreeRecipientInfo (recipients on one curve share an ephemeral key). */
CACHET_API CACHET_MUST_CHECK int
cachet_encrypt_add_recipient(cachet_encrypt_t *e, const cachet_datum_t *cert,
			     unsigned flags, cachet_diag_t *diag);
/* A PasswordRecipientInfo (RFC 3211, PBKDF2-HMAC-SHA-256); ITERATIONS 0
 * picks the default. */
CACHET_API CACHET_MUST_CHECK int
cachet_encrypt_add_password(cachet_encrypt_t *e, const uint8_t *pw,
			    size_t pwlen, unsigned long iterations,
			    cachet_diag_t *diag);
/* A KEKRecipientInfo: KEK of 16, 24 or 32 octets named by ID. */
CACHET_API CACHET_MUST_CHECK int
cachet_encrypt_add_kek(cachet_encrypt_t *e, const cachet_datum_t *id,
		       const cachet_datum_t *kek, cachet_diag_t *diag);
/* EncryptedData instead: no recipients, the content-encryption key is
 * given (16, 24 or 32 octets, matching a CBC cipher). */
CACHET_API CACHET_MUST_CHECK int
cachet_encrypt_set_content_key(cachet_encrypt_t *e, const cachet_datum_t *key,
			       cachet_diag_t *diag);
/* Certificates for originatorInfo (PEM or DER). */
CACHET_API CACHET_MUST_CHECK int
cachet_encrypt_add_originator_certs(cachet_encrypt_t *e,
				    const cachet_datum_t *certs,
				    cachet_diag_t *diag);
/* An Attribute (DER SEQUENCE { attrType, attrValues }).  When authAttrs
 * hold no content-type attribute, cachet_encrypt_run adds one (id-data;
 * RFC 5652 section 11.1, RFC 5083 section 2.1). */
CACHET_API CACHET_MUST_CHECK int
cachet_encrypt_add_attribute(cachet_encrypt_t *e, cachet_attr_place_t place,
			     const cachet_datum_t *attr, cachet_diag_t *diag);
/* Stream CONTENT through and write the ContentInfo to OUT. */
CACHET_API CACHET_MUST_CHECK int cachet_encrypt_run(cachet_encrypt_t *e,
						    cachet_source_t *content,
						    cachet_sink_t *out,
						    unsigned flags,
						    cachet_diag_t *diag);

/* ------------------------------------------------------------------ */
/* Decryption */

typedef struct cachet_decrypt_st cachet_decrypt_t;

CACHET_API CACHET_MUST_CHECK int cachet_decrypt_init(cachet_decrypt_t **d);
CACHET_API void cachet_decrypt_deinit(cachet_decrypt_t *d);
/* A recipient certificate and its private key (PEM or DER; PASSWORD for
 * an encrypted PKCS#8 key, may be NULL). */
CACHET_API CACHET_MUST_CHECK int
cachet_decrypt_add_key(cachet_decrypt_t *d, const cachet_datum_t *cert,
		       const cachet_datum_t *key, const char *password,
		       cachet_diag_t *diag);
/* Every key of the PKCS#12 bundle P12 (as for cachet_sign_add_signer_p12)
 * whose certificate allows encryption (no keyUsage, or keyEncipherment or
 * keyAgreement), each with its certificate.  Errors as there;
 * CACHET_E_KEY_MISMATCH when no key fits.  Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int
cachet_decrypt_add_p12(cachet_decrypt_t *d, const cachet_datum_t *p12,
		       const char *password, cachet_diag_t *diag);
/* A recipient certificate CERT whose RSA private key stays on a PKCS#11
 * token (URL and PIN as for cachet_sign_add_signer_pkcs11).  The token
 * decrypts RSA PKCS#1 v1.5 key transport and removes the padding itself
 * (its timing is the token's); Cachet substitutes a random key unless the
 * token returns one of the expected length, so a bad padding still shows
 * only as CACHET_E_DECRYPT_FAILED.  RSAES-OAEP and key agreement with a
 * token key are CACHET_E_UNSUPPORTED (GnuTLS 3.7.9 offers neither).
 * Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int
cachet_decrypt_add_pkcs11(cachet_decrypt_t *d, const cachet_datum_t *cert,
			  const char *url, const char *pin,
			  cachet_diag_t *diag);
CACHET_API CACHET_MUST_CHECK int cachet_decrypt_add_password(cachet_decrypt_t *d,
							     const uint8_t *pw,
							     size_t pwlen);
/* A KEK; ID (may be NULL) restricts it to KEKRecipientInfos with that
 * keyIdentifier. */
CACHET_API CACHET_MUST_CHECK int
cachet_decrypt_add_kek(cachet_decrypt_t *d, const cachet_datum_t *id,
		       const cachet_datum_t *kek, cachet_diag_t *diag);
/* The content-encryption key of an EncryptedData. */
CACHET_API CACHET_MUST_CHECK int
cachet_decrypt_set_content_key(cachet_decrypt_t *d, const cachet_datum_t *key,
			       cachet_diag_t *diag);
/* CACHET_POLICY_* (ALLOW_LEGACY_CIPHERS, DEBUG_DECRYPT). */
CACHET_API CACHET_MUST_CHECK int cachet_decrypt_set_policy(cachet_decrypt_t *d,
							   unsigned policy);
/* Decrypt the EnvelopedData, AuthEnvelopedData or EncryptedData read from
 * IN and write the content to OUT.  THE CONTENT WRITTEN TO OUT IS NOT
 * AUTHENTIC UNTIL THIS RETURNS 0: the caller must hold it uncommitted (the
 * CLI writes a temporary file and renames it into place only then) and
 * discard it on any other result.  Every cryptographic failure -- a wrong
 * key, a bad tag, bad padding -- is CACHET_E_DECRYPT_FAILED. */
CACHET_API CACHET_MUST_CHECK int cachet_decrypt_run(cachet_decrypt_t *d,
						    cachet_source_t *in,
						    cachet_sink_t *out,
						    cachet_diag_t *diag);
/* What the last run found (content type, algorithms, every RecipientInfo
 * and which one opened, attributes), as text or JSON (flags:
 * CACHET_INSPECT_JSON).  Free OUT with cachet_free. */
CACHET_API CACHET_MUST_CHECK int cachet_decrypt_summary(const cachet_decrypt_t *d,
							unsigned flags,
							cachet_datum_t *out);

/* ------------------------------------------------------------------ */
/* Compression: CompressedData (RFC 3274) with zlib (RFC 1950) */

/* Flags for cachet_compress_run. */
#define CACHET_COMPRESS_PEM (1u << 0) /* PEM armour ("CMS") on output */

/* Stream CONTENT through zlib and write a ContentInfo(CompressedData) to
 * OUT: version 0, id-alg-zlibCompress without parameters, the compressed
 * octets as eContent (indefinite-length BER, OCTET STRING segments).
 * CONTENT_TYPE is the eContentType as a dotted OID ("1.2.840.113549.1.7.2"
 * to compress a SignedData); NULL means id-data.  Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int cachet_compress_run(cachet_source_t *content,
						     cachet_sink_t *out,
						     const char *content_type,
						     unsigned flags,
						     cachet_diag_t *diag);

typedef struct cachet_decompress_st cachet_decompress_t;

/* The default of cachet_decompress_set_max_size: 1 GiB. */
#define CACHET_DECOMPRESS_DEFAULT_MAX_SIZE ((uint64_t)1 << 30)

CACHET_API CACHET_MUST_CHECK int cachet_decompress_init(cachet_decompress_t **d);
CACHET_API void cachet_decompress_deinit(cachet_decompress_t *d);
/* The most octets a run may write (the bound against decompression
 * bombs); 0 means no bound.  Default CACHET_DECOMPRESS_DEFAULT_MAX_SIZE.
 * A run that would write more stops with CACHET_E_SIZE_LIMIT, having
 * written at most MAX octets.  Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int cachet_decompress_set_max_size(cachet_decompress_t *d,
								uint64_t max);
/* Read the CompressedData from IN (DER, BER or PEM) and write the
 * decompressed content to OUT, in flat memory.  Errors: a zlib stream
 * that is corrupt (header, data, Adler-32) or followed by other octets
 * inside eContent is CACHET_E_MALFORMED, one that ends early
 * CACHET_E_TRUNCATED, an algorithm other than zlib CACHET_E_UNKNOWN_OID
 * or CACHET_E_UNSUPPORTED, absent eContent CACHET_E_NO_CONTENT.  The
 * content written before a failure is incomplete: discard it.  A version
 * other than 0 is reported in the summary, not refused.  Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int cachet_decompress_run(cachet_decompress_t *d,
						       cachet_source_t *in,
						       cachet_sink_t *out,
						       cachet_diag_t *diag);
/* The eContentType of the last run (dotted OID, valid until the next run
 * or deinit), or NULL when no run read it.  Since: 0.1 */
CACHET_API const char *cachet_decompress_content_type(const cachet_decompress_t *d);
/* What the last run found (version, algorithm, content type, sizes,
 * findings) as text or JSON (flags: CACHET_INSPECT_JSON).  Free OUT with
 * cachet_free.  Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int cachet_decompress_summary(const cachet_decompress_t *d,
							   unsigned flags,
							   cachet_datum_t *out);
/* Certificates-only messages (RFC 8551 section 3.8; RFC 5652 sections 5.1
 * and 5.2): a SignedData with no SignerInfo and no eContent that carries
 * certificates and/or CRLs. */

typedef struct cachet_certs_st cachet_certs_t;

/* Flags for cachet_certs_make and cachet_certs_write. */
#define CACHET_CERTS_PEM (1u << 0)	 /* PEM: "CMS" armour, or a bundle */
#define CACHET_CERTS_WITH_CRLS (1u << 1) /* cachet_certs_write: CRLs too */

/* Write a certificates-only ContentInfo(SignedData) to OUT.  CERTS are
 * NCERTS inputs, each PEM (one or more CERTIFICATE blocks) or one DER
 * certificate; CRLS likewise with "X509 CRL" blocks (may be NULL when
 * NCRLS is 0).  Every object is checked; byte-equal duplicates are kept
 * once; the output is DER with both sets in DER SET OF order, or its PEM
 * armour with CACHET_CERTS_PEM.  At least one certificate or CRL.
 * Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int
cachet_certs_make(const cachet_datum_t *certs, size_t ncerts,
		  const cachet_datum_t *crls, size_t ncrls, cachet_sink_t *out,
		  unsigned flags, cachet_diag_t *diag);
/* Read any SignedData (certificates-only or signed; BER, DER or PEM)
 * from IN and collect its X.509 certificates and CRLs into a new handle
 * *CERTS (free with cachet_certs_deinit).  Signatures are NOT verified.
 * The eContent of a signed message is skipped as it streams past.  What
 * a strict reader notes (SignerInfos present, eContent present, a
 * version other than RFC 5652 section 5.1 computes, sets not in DER
 * order, duplicates, other certificate formats) becomes a finding; only
 * malformed or oversized input fails.  Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int cachet_certs_extract(cachet_certs_t **certs,
						      cachet_source_t *in,
						      cachet_diag_t *diag);
CACHET_API void cachet_certs_deinit(cachet_certs_t *certs);
CACHET_API size_t cachet_certs_count(const cachet_certs_t *certs);
/* Certificate I's DER.  DER is borrowed: it points into CERTS, stays
 * valid until cachet_certs_deinit and must not be freed. */
CACHET_API CACHET_MUST_CHECK int cachet_certs_get(const cachet_certs_t *certs,
						  size_t i, cachet_datum_t *der);
CACHET_API size_t cachet_certs_crl_count(const cachet_certs_t *certs);
/* CRL I's DER (borrowed, as for cachet_certs_get). */
CACHET_API CACHET_MUST_CHECK int
cachet_certs_crl_get(const cachet_certs_t *certs, size_t i, cachet_datum_t *der);
/* SignerInfos in the message: 0 for a certificates-only message. */
CACHET_API size_t cachet_certs_signer_count(const cachet_certs_t *certs);
CACHET_API size_t cachet_certs_finding_count(const cachet_certs_t *certs);
/* Finding I.  NAME is stable ("signer-infos", "econtent",
 * "signed-data-version", "certificates-order", ...); CODE is 0 or the
 * CACHET_E_* a strict reader would have failed with; strings stay valid
 * until cachet_certs_deinit.  Any out-pointer may be NULL. */
CACHET_API CACHET_MUST_CHECK int
cachet_certs_finding_get(const cachet_certs_t *certs, size_t i,
			 const char **name, int *code, const char **rule,
			 const char **detail);
/* Describe every certificate (subject, issuer, serial, validity, SHA-256
 * fingerprint), CRL and finding as text or JSON (flags:
 * CACHET_INSPECT_JSON).  Free OUT with cachet_free. */
CACHET_API CACHET_MUST_CHECK int cachet_certs_describe(const cachet_certs_t *certs,
						       unsigned flags,
						       cachet_datum_t *out);
/* Write the certificates to OUT: a PEM bundle with CACHET_CERTS_PEM
 * (CRLs after them with CACHET_CERTS_WITH_CRLS), else DER, which needs
 * exactly one object (CACHET_E_INVALID_ARG otherwise). */
CACHET_API CACHET_MUST_CHECK int cachet_certs_write(const cachet_certs_t *certs,
						    cachet_sink_t *out,
						    unsigned flags,
						    cachet_diag_t *diag);

/* ------------------------------------------------------------------ */
/* Producing S/MIME messages (RFC 8551 section 3)
 *
 * MSG is an RFC 5322 message or a MIME entity: a header block, an empty
 * line, the body.  Header fields other than Content-* and MIME-Version
 * (From, To, Subject, Date, Message-ID, ...) stay on the outer message
 * byte for byte (their line ends made CRLF); the Content-* fields go into
 * the protected inner entity, which gets Content-Type text/plain when it
 * has none; MIME-Version: 1.0 is written once, outside.  Input whose
 * first line is neither empty nor "name:" (the colon within the first 64
 * octets) has no header block: all of it is the body of a text/plain
 * entity (charset us-ascii, or utf-8 for well-formed UTF-8), or of an
 * application/octet-stream one when it holds NULs or is not UTF-8.
 *
 * The inner entity is canonicalised (CRLF line ends, section 3.1.1) and,
 * without CACHET_SMIME_BINARY, a body with 8-bit octets, NULs or lines
 * over 998 octets gets quoted-printable (mostly-text text/x) or base64
 * (section 3.1.2); in a multipart each leaf that needs it gets its own
 * (RFC 2045 section 6.4: a multipart cannot be encoded as a whole), and
 * a message entity that would need it is CACHET_E_UNSUPPORTED.
 * A body declared base64 or quoted-printable that is not 7-bit is
 * CACHET_E_MALFORMED.  The whole output uses CRLF line ends.  Memory
 * stays flat: the entity is held in memory up to 1 MiB and in an
 * unlinked temporary file beyond.  On failure OUT holds a partial
 * message: discard it.  Since: 0.1 */
#define CACHET_SMIME_OPAQUE (1u << 0) /* sign: application/pkcs7-mime; smime-type=signed-data (RFC 8551 section 3.5.2) instead of multipart/signed (section 3.5.3) */
#define CACHET_SMIME_BINARY (1u << 1) /* leave 8-bit or binary content as it is (no 7-bit transfer encoding, section 3.1.2) */
/* Header protection (RFC 9788), sign and encrypt: the outer header fields
 * other than Content-*, MIME-Version and trace fields (Received,
 * Return-Path, DKIM-Signature, ARC-*, Authentication-Results) are copied
 * into the header of the inner entity (the cryptographic payload), whose
 * Content-Type gets hp="clear" (sign) or hp="cipher" (encrypt).  With
 * hp="cipher" the outer header follows the baseline header
 * confidentiality policy: Subject is written as "[...]" outside, and an
 * HP-Outer field inside records every outer field as sent.  A message
 * without header fields is CACHET_E_INVALID_ARG. */
#define CACHET_SMIME_PROTECT_HEADERS (1u << 2)
/* sign only: the signed message is to be encrypted next (sign, then
 * cachet_smime_encrypt without CACHET_SMIME_PROTECT_HEADERS): hp="cipher"
 * and the confidential outer header already on the signed message.
 * Implies CACHET_SMIME_PROTECT_HEADERS. */
#define CACHET_SMIME_HP_CIPHER (1u << 3)
/* sign only: a SecureHeaderFields signed attribute (RFC 7508) over the
 * outer header fields From, Sender, Reply-To, To, Cc, Subject, Date,
 * Message-ID, In-Reply-To and References that are present, relaxed
 * canonicalisation (section 4.3); status "modified" for the Subject that
 * CACHET_SMIME_HP_CIPHER obscures, "duplicated" otherwise.  A message
 * without any of them is CACHET_E_INVALID_ARG. */
#define CACHET_SMIME_SECURE_HEADERS (1u << 4)
#define CACHET_SMIME_NO_CERTS (1u << 5) /* sign: leave the certificates out of the SignedData (optional, RFC 5652 section 5.1) */

/* Sign MSG with the signers of S: multipart/signed; protocol=
 * "application/pkcs7-signature"; micalg= the signers' digests
 * (section 3.5.3.2), the first part the inner entity exactly as signed,
 * the second the detached SignedData (smime.p7s, base64).  With
 * CACHET_SMIME_OPAQUE: application/pkcs7-mime; smime-type=signed-data
 * (smime.p7m, base64).  With CACHET_SMIME_NO_CERTS the SignedData
 * carries no certificates (as CACHET_SIGN_NO_CERTS): the recipient must
 * already hold the signer's.  Flags: CACHET_SMIME_OPAQUE,
 * CACHET_SMIME_BINARY, CACHET_SMIME_NO_CERTS, CACHET_SMIME_PROTECT_HEADERS,
 * CACHET_SMIME_HP_CIPHER, CACHET_SMIME_SECURE_HEADERS.  Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int cachet_smime_sign(cachet_sign_t *s, cachet_source_t *msg,
						   cachet_sink_t *out, unsigned flags,
						   cachet_diag_t *diag);
/* Encrypt MSG for the recipients of E: application/pkcs7-mime;
 * smime-type=authEnveloped-data (AEAD ciphers) or enveloped-data (CBC)
 * (sections 3.3, 3.4), smime.p7m, base64.  An EncryptedData (a content
 * key without recipients) has no S/MIME type: CACHET_E_UNSUPPORTED.
 * Flags: CACHET_SMIME_BINARY, CACHET_SMIME_PROTECT_HEADERS.  Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int cachet_smime_encrypt(cachet_encrypt_t *e, cachet_source_t *msg,
						      cachet_sink_t *out, unsigned flags,
						      cachet_diag_t *diag);
/* Compress MSG: application/pkcs7-mime; smime-type=compressed-data
 * (section 3.6), smime.p7z, base64.  Flags: CACHET_SMIME_BINARY.
 * Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int cachet_smime_compress(cachet_source_t *msg, cachet_sink_t *out,
						       unsigned flags, cachet_diag_t *diag);
/* A certificates-only message (RFC 8551 section 3.8): the SignedData of
 * cachet_certs_make as application/pkcs7-mime; smime-type=certs-only;
 * name=smime.p7c, base64, after MIME-Version.  Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int cachet_smime_certs(const cachet_datum_t *certs, size_t ncerts,
						    const cachet_datum_t *crls, size_t ncrls,
						    cachet_sink_t *out, cachet_diag_t *diag);

/* Reading S/MIME messages (RFC 8551 section 3) */

typedef struct cachet_smime_st cachet_smime_t;

/* Flags for cachet_smime_open. */
#define CACHET_SMIME_NEED_SIGNED (1u << 8)    /* fail (CACHET_E_NOT_SIGNED) without a signed layer */
#define CACHET_SMIME_NEED_ENCRYPTED (1u << 9) /* fail (CACHET_E_UNSUPPORTED_CONTENT) without an
					       * enveloped or authEnveloped layer */

CACHET_API CACHET_MUST_CHECK int cachet_smime_init(cachet_smime_t **sm);
CACHET_API void cachet_smime_deinit(cachet_smime_t *sm);
/* Trust and policy for signed layers (V is borrowed: it must outlive the
 * runs).  Without it, a signed layer fails with CACHET_E_INVALID_ARG.
 * Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int cachet_smime_set_verify(cachet_smime_t *sm,
							 cachet_verify_t *v);
/* Keys for enveloped and authEnveloped layers (D is borrowed).  Without
 * it, an encrypted layer fails with CACHET_E_INVALID_ARG.  Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int cachet_smime_set_decrypt(cachet_smime_t *sm,
							  cachet_decrypt_t *d);
/* Read the RFC 5322 message or MIME entity MSG and unwrap its S/MIME
 * layers from the outside in: multipart/signed (the first part digested
 * exactly as received), application/pkcs7-mime (and x-pkcs7-mime, and
 * application/octet-stream named *.p7m) with smime-type signed-data,
 * enveloped-data, authEnveloped-data, compressed-data or certs-only (a
 * missing smime-type is recognised by the CMS content type and reported).
 * Each layer's output is held in memory up to 1 MiB and in an unlinked
 * temporary file beyond, and read as the next layer's input; at most
 * eight layers (CACHET_E_DEPTH_LIMIT).  The innermost MIME entity
 * (header and body) is written to OUT (may be NULL) only when every layer
 * checked out and the call returns 0; nothing is written otherwise.
 * Returns 0, or the first failing layer's code (a verification code, one
 * CACHET_E_DECRYPT_FAILED for any decryption failure, CACHET_E_MALFORMED
 * ...).  A From or Sender that is none of the signer certificate's
 * addresses is a warning in the report (RFC 8550 section 3; set the
 * verifier's address with cachet_verify_set_email to make it fail); a
 * layer whose SecureHeaderFields differ from the message header fails
 * (CACHET_E_ATTR_MISMATCH, RFC 7508 section 4.5.2).  A message with no S/MIME layer is CACHET_E_UNSUPPORTED_CONTENT.
 * FLAGS: CACHET_SMIME_NEED_*.  Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int cachet_smime_open(cachet_smime_t *sm, cachet_source_t *msg,
						   cachet_sink_t *out, unsigned flags,
						   cachet_diag_t *diag);
/* What the last cachet_smime_open found, as text or JSON (flags:
 * CACHET_INSPECT_JSON): every layer outside-in with its MIME type and
 * parameters, whether micalg names the signers' digests, its verdict and
 * the embedded verify report or decrypt summary; the outer From compared
 * with the signers' addresses (RFC 8550 section 3); after a failed
 * multipart/signed signature, what in the signed part could explain it
 * and which usual repair would have matched (never accepted); header
 * protection (RFC 9788 hp=, the protected-headers="v1" draft, a
 * message/rfc822 payload): every protected field and its state outside
 * (same, obscured, removed, altered, absent), with findings for outer
 * fields changed after sending.  Free OUT
 * with cachet_free.  CACHET_E_BAD_STATE before any run.  Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int cachet_smime_report(const cachet_smime_t *sm, unsigned flags,
						     cachet_datum_t *out);

/* ------------------------------------------------------------------ */
/* Recipient certificates and the certificate directory
 *
 * A certificate directory holds one certificate per file, named by the
 * lowercase hex SHA-256 of its DER with ".pem" appended, PEM encoded
 * ("CERTIFICATE"); every regular file whose name ends in ".pem" is read,
 * so certificates may also be copied in by hand.  An optional file
 * "prefs" records the certificate each address prefers for encryption
 * (RFC 8551 section 2.5.3): one line per address, the address, one space
 * and the hex SHA-256 of the preferred certificate's DER; lines starting
 * with '#' are comments.  Files are replaced atomically (a temporary file
 * renamed into place). */

/* Check that the certificate CERT (PEM or DER, exactly one) can receive
 * encrypted mail at time AT (0: now): it is within its validity period
 * (RFC 5280 section 4.1.2.5; %CACHET_E_CERT_EXPIRED,
 * %CACHET_E_CERT_NOT_YET_VALID), its keyUsage, when present, includes
 * keyEncipherment for an RSA key and keyAgreement for an EC, X25519 or
 * X448 key, and its key is of such a type (RFC 8550 section 4.4.2;
 * %CACHET_E_CERT_KEY_USAGE), and its extendedKeyUsage, when present,
 * includes emailProtection or anyExtendedKeyUsage (RFC 8550 section
 * 4.4.4; %CACHET_E_CERT_EXT_KEY_USAGE).  The path to a trust anchor is
 * not checked.  Returns: 0 or a negative %CACHET_E_* code, with a
 * diagnostic frame naming the rule.  Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int cachet_recipient_cert_check(const cachet_datum_t *cert,
							     time_t at,
							     cachet_diag_t *diag);

/* Find the certificate to encrypt to ADDR in the certificate directory
 * DIR.  A candidate holds ADDR among its addresses (every subjectAltName
 * rfc822Name and SmtpUTF8Mailbox, and a subject emailAddress; the local
 * part compares exactly, the domain without regard to case, RFC 8550
 * section 3 and RFC 8398 section 5) and passes
 * cachet_recipient_cert_check() at AT (0: now).  Of several, the one
 * "prefs" names for ADDR wins, then a dedicated encryption certificate
 * (keyUsage present without digitalSignature) over a dual-use one, then
 * the latest notBefore, then the smallest file name.  The certificate's
 * DER goes to CERT_OUT (free with cachet_free()).  Returns: 0,
 * %CACHET_E_CERT_NOT_FOUND when no certificate fits (the diagnostic says
 * why each candidate was passed over), %CACHET_E_INVALID_ARG,
 * %CACHET_E_IO, %CACHET_E_NOMEM.  Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int cachet_certdir_find(const char *dir, const char *addr,
						     time_t at, cachet_datum_t *cert_out,
						     cachet_diag_t *diag);

/* Add the certificate CERT (PEM or DER, exactly one) to the directory DIR,
 * created with mode 0700 (and its missing parents) when absent.  A file
 * already holding it is left alone.  *IS_ADDED (may be NULL) tells
 * whether a file was written.  Returns: 0 or a negative %CACHET_E_*
 * code.  Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int cachet_certdir_add(const char *dir, const cachet_datum_t *cert,
						    bool *is_added, cachet_diag_t *diag);

/* Add the certificates a message carries to the directory DIR.  MSG is a
 * CMS SignedData (BER, DER or PEM) or an S/MIME message.  A signed CMS
 * message must verify with V's trust anchors, time and policy
 * (cachet_verify_run()), a certificates-only one (RFC 8551 section 3.8)
 * has no signature to check; every layer of an S/MIME message must check
 * out (cachet_smime_open() with V; the certificates of its signed and
 * certs-only layers are taken).  REPORT (may be NULL) receives the
 * verification report as text, when there is one, whatever the outcome
 * (free with cachet_free()).  Then every certificate must
 * validate on its own with V (certificate-path, -validity,
 * -basic-constraints, -key-size, -critical-extensions, -revocation; the
 * usage checks are left to cachet_certdir_find()).  When anything fails,
 * nothing is added.  For a signer whose signed SMIMEEncryptionKeyPreference
 * attribute names a certificate of the message (RFC 8551 section 2.5.3),
 * that certificate becomes the preferred one of each of the signer's
 * addresses in "prefs".  *NADDED (may be NULL) counts the files written.
 * Returns: 0 or a negative %CACHET_E_* code (a verification code when the
 * signature or a certificate failed).  Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int cachet_certdir_import(const char *dir, cachet_verify_t *v,
						       const cachet_datum_t *msg, size_t *nadded,
						       cachet_datum_t *report,
						       cachet_diag_t *diag);

/* ------------------------------------------------------------------ */
/* Inspection */

#define CACHET_INSPECT_JSON (1u << 0)

/* Write a readable (or JSON) dump of the CMS object read from IN. */
CACHET_API CACHET_MUST_CHECK int cachet_inspect(cachet_source_t *in,
						cachet_sink_t *out,
						unsigned flags,
						cachet_diag_t *diag);

/* ------------------------------------------------------------------ */
/* Linting: conformance of a message made by any stack (cachet lint) */

typedef struct cachet_lint_st cachet_lint_t;

/* Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int cachet_lint_init(cachet_lint_t **l);
/* Since: 0.1 */
CACHET_API void cachet_lint_deinit(cachet_lint_t *l);
/**
 * cachet_lint_run:
 * @l: the lint handle (findings of an earlier run are dropped)
 * @in: the message: an RFC 5322 message or MIME entity, or a bare CMS
 *   ContentInfo (DER, BER or PEM), told apart by its first octets
 * @v: trust and policy for the signed layers (borrowed; may be NULL: the
 *   structure is then judged and the signature and certificate path are
 *   noted as not checked)
 * @d: keys for the encrypted layers (borrowed; may be NULL: the
 *   algorithms are still judged, the layers inside are not reached)
 * @diag: where to put the reason when nothing could be read (may be NULL)
 *
 * Read the message with the S/MIME reader (cachet_smime_open()) and list
 * every deviation from the requirement registry (conformance/rfcNNNN.req) that
 * it shows: each finding has a registry id, the requirement's level and
 * section, where in the message it is, and one line of explanation
 * (cachet_lint_finding_get()).  A signature that does not verify is not a
 * finding (cachet verify judges that); what could not be checked is
 * noted in the rendering.
 *
 * Returns: 0 when at least one S/MIME layer was read (whatever the
 * findings), else the reader's negative %CACHET_E_* code
 * (%CACHET_E_UNSUPPORTED_CONTENT for a message without S/MIME layers).
 *
 * Since: 0.1
 */
CACHET_API CACHET_MUST_CHECK int cachet_lint_run(cachet_lint_t *l, cachet_source_t *in,
						 cachet_verify_t *v, cachet_decrypt_t *d,
						 cachet_diag_t *diag);
/* The number of findings of the last run.  Since: 0.1 */
CACHET_API size_t cachet_lint_finding_count(const cachet_lint_t *l);
/* True when a finding of the last run is at a MUST, MUST NOT, SHALL or
 * REQUIRED level.  Since: 0.1 */
CACHET_API bool cachet_lint_has_must(const cachet_lint_t *l);
/* Finding I: its registry id ("rfc8551-3.2-smime-type"), level ("MUST",
 * "SHOULD", ...), section ("RFC 8551 section 3.2"), path in the message
 * ("layer 1 (multipart/signed) > SignedData.signerInfos[0].signedAttrs")
 * and explanation.  Strings are owned by L and valid until its next run
 * or deinit; any out-pointer may be NULL.  CACHET_E_END past the last.
 * Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int
cachet_lint_finding_get(const cachet_lint_t *l, size_t i, const char **id,
			const char **level, const char **section,
			const char **path, const char **text);
/* Rule I of the rules lint can report (static strings): id, level,
 * section and what it catches.  CACHET_E_END past the last.  Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int cachet_lint_rule_get(size_t i, const char **id,
						      const char **level,
						      const char **section,
						      const char **what);
/* The findings and notes of the last run as text or JSON (flags:
 * CACHET_INSPECT_JSON).  Free OUT with cachet_free.  CACHET_E_BAD_STATE
 * before any run.  Since: 0.1 */
CACHET_API CACHET_MUST_CHECK int cachet_lint_render(const cachet_lint_t *l, unsigned flags,
						    cachet_datum_t *out);

#ifdef __cplusplus
}
#endif

#endif /* CACHET_CACHET_H */
