/* registry.c -- the one algorithm table.
 *
 * Every object identifier the library knows is a row here: its internal
 * id, dotted OID, short name, kind, the rule for the parameters of its
 * AlgorithmIdentifier, the digest a signature algorithm is bound to, flags
 * and the standard that defines it.  Dispatch elsewhere goes through
 * _cachet_alg_by_oid() / _cachet_alg_by_id(), never through strcmp chains.
 *
 * Parameter rules worth a note:
 *  - Digests: RFC 5754 section 2 and RFC 3370 section 2.1 say generate
 *    absent, accept absent or NULL.  MD5 (RFC 3370 section 2.2) MUST be
 *    NULL but MAY be accepted absent; we accept both.
 *  - rsaEncryption and sha*WithRSAEncryption: RFC 3370 section 3.2, RFC
 *    4055 section 5 and RFC 5754 section 3.2 say NULL; RFC 5754 section
 *    3.2 also says implementations MUST accept absent parameters, and
 *    real messages omit them, so the reading rule is ABSENT_OR_NULL.
 *    Writers must still emit NULL.
 *  - ECDSA (RFC 5753 section 7.1.3, RFC 5754 section 3.3), DSA (RFC 3370
 *    section 3.1, RFC 5754 section 3.1) and EdDSA (RFC 8410 section 3,
 *    RFC 8419 section 2.4): absent.
 *  - id-RSASSA-PSS as a signature algorithm: RSASSA-PSS-params required
 *    (RFC 4056 section 2.2, RFC 4055 section 3).
 *
 * For Ed25519 and Ed448 the "hash" column holds the digest RFC 8419
 * section 3 binds to them (SHA-512, SHAKE256 with 512-bit output).
 */
#include "crypto.h"

#define ROW(i, o, n, k, p, h, f, r)                                           \
	{ .id = (i), .oid = (o), .name = (n), .kind = (k), .params = (p),     \
	  .hash = (h), .flags = (f), .rule = (r) }

#define LEGACY_VO (ALG_F_LEGACY | ALG_F_VERIFY_ONLY)

static const cachet_alg_t alg_table[] = {
	/* ---- digests ---- */
	ROW(CACHET_ALG_MD5, "1.2.840.113549.2.5", "md5", ALG_KIND_DIGEST,
	    ALG_PARAMS_ABSENT_OR_NULL, CACHET_ALG_NONE,
	    LEGACY_VO | ALG_F_UNSUPPORTED, "RFC 3370 section 2.2"),
	ROW(CACHET_ALG_SHA1, "1.3.14.3.2.26", "sha1", ALG_KIND_DIGEST,
	    ALG_PARAMS_ABSENT_OR_NULL, CACHET_ALG_NONE, LEGACY_VO,
	    "RFC 3370 section 2.1"),
	ROW(CACHET_ALG_SHA224, "2.16.840.1.101.3.4.2.4", "sha224",
	    ALG_KIND_DIGEST, ALG_PARAMS_ABSENT_OR_NULL, CACHET_ALG_NONE, 0,
	    "RFC 5754 section 2.1"),
	ROW(CACHET_ALG_SHA256, "2.16.840.1.101.3.4.2.1", "sha256",
	    ALG_KIND_DIGEST, ALG_PARAMS_ABSENT_OR_NULL, CACHET_ALG_NONE, 0,
	    "RFC 5754 section 2.2"),
	ROW(CACHET_ALG_SHA384, "2.16.840.1.101.3.4.2.2", "sha384",
	    ALG_KIND_DIGEST, ALG_PARAMS_ABSENT_OR_NULL, CACHET_ALG_NONE, 0,
	    "RFC 5754 section 2.3"),
	ROW(CACHET_ALG_SHA512, "2.16.840.1.101.3.4.2.3", "sha512",
	    ALG_KIND_DIGEST, ALG_PARAMS_ABSENT_OR_NULL, CACHET_ALG_NONE, 0,
	    "RFC 5754 section 2.4"),
	/* RFC 8419 section 2.3: "the parameters MUST be absent" */
	ROW(CACHET_ALG_SHAKE256, "2.16.840.1.101.3.4.2.12", "shake256",
	    ALG_KIND_DIGEST, ALG_PARAMS_ABSENT, CACHET_ALG_NONE, 0,
	    "RFC 8419 section 2.3"),
	/* RFC 8419 section 2.3: "the parameters MUST be present, and the
	 * parameter MUST contain 512" (ShakeOutputLen, in bits) */
	ROW(CACHET_ALG_SHAKE256_LEN, "2.16.840.1.101.3.4.2.18", "shake256-len",
	    ALG_KIND_DIGEST, ALG_PARAMS_REQUIRED, CACHET_ALG_NONE, 0,
	    "RFC 8419 section 2.3"),

	/* ---- signature algorithms ---- */
	ROW(CACHET_ALG_RSA, "1.2.840.113549.1.1.1", "rsaEncryption",
	    ALG_KIND_SIGNATURE, ALG_PARAMS_ABSENT_OR_NULL, CACHET_ALG_NONE, 0,
	    "RFC 3370 section 3.2"),
	ROW(CACHET_ALG_RSA_SHA1, "1.2.840.113549.1.1.5",
	    "sha1WithRSAEncryption", ALG_KIND_SIGNATURE,
	    ALG_PARAMS_ABSENT_OR_NULL, CACHET_ALG_SHA1, LEGACY_VO,
	    "RFC 3370 section 3.2"),
	ROW(CACHET_ALG_RSA_SHA224, "1.2.840.113549.1.1.14",
	    "sha224WithRSAEncryption", ALG_KIND_SIGNATURE,
	    ALG_PARAMS_ABSENT_OR_NULL, CACHET_ALG_SHA224, 0,
	    "RFC 5754 section 3.2"),
	ROW(CACHET_ALG_RSA_SHA256, "1.2.840.113549.1.1.11",
	    "sha256WithRSAEncryption", ALG_KIND_SIGNATURE,
	    ALG_PARAMS_ABSENT_OR_NULL, CACHET_ALG_SHA256, 0,
	    "RFC 5754 section 3.2"),
	ROW(CACHET_ALG_RSA_SHA384, "1.2.840.113549.1.1.12",
	    "sha384WithRSAEncryption", ALG_KIND_SIGNATURE,
	    ALG_PARAMS_ABSENT_OR_NULL, CACHET_ALG_SHA384, 0,
	    "RFC 5754 section 3.2"),
	ROW(CACHET_ALG_RSA_SHA512, "1.2.840.113549.1.1.13",
	    "sha512WithRSAEncryption", ALG_KIND_SIGNATURE,
	    ALG_PARAMS_ABSENT_OR_NULL, CACHET_ALG_SHA512, 0,
	    "RFC 5754 section 3.2"),
	ROW(CACHET_ALG_RSA_PSS, "1.2.840.113549.1.1.10", "rsassaPss",
	    ALG_KIND_SIGNATURE, ALG_PARAMS_REQUIRED, CACHET_ALG_NONE, 0,
	    "RFC 4056 section 2.2"),
	ROW(CACHET_ALG_ECDSA_SHA1, "1.2.840.10045.4.1", "ecdsa-with-SHA1",
	    ALG_KIND_SIGNATURE, ALG_PARAMS_ABSENT, CACHET_ALG_SHA1, LEGACY_VO,
	    "RFC 5753 section 7.1.3"),
	ROW(CACHET_ALG_ECDSA_SHA224, "1.2.840.10045.4.3.1",
	    "ecdsa-with-SHA224", ALG_KIND_SIGNATURE, ALG_PARAMS_ABSENT,
	    CACHET_ALG_SHA224, 0, "RFC 5754 section 3.3"),
	ROW(CACHET_ALG_ECDSA_SHA256, "1.2.840.10045.4.3.2",
	    "ecdsa-with-SHA256", ALG_KIND_SIGNATURE, ALG_PARAMS_ABSENT,
	    CACHET_ALG_SHA256, 0, "RFC 5754 section 3.3"),
	ROW(CACHET_ALG_ECDSA_SHA384, "1.2.840.10045.4.3.3",
	    "ecdsa-with-SHA384", ALG_KIND_SIGNATURE, ALG_PARAMS_ABSENT,
	    CACHET_ALG_SHA384, 0, "RFC 5754 section 3.3"),
	ROW(CACHET_ALG_ECDSA_SHA512, "1.2.840.10045.4.3.4",
	    "ecdsa-with-SHA512", ALG_KIND_SIGNATURE, ALG_PARAMS_ABSENT,
	    CACHET_ALG_SHA512, 0, "RFC 5754 section 3.3"),
	/* Seen in SignerInfo.signatureAlgorithm in the wild; the parameters
	 * may be absent or an ECParameters (RFC 5480 section 2.1.1). */
	ROW(CACHET_ALG_EC_PUBLIC_KEY, "1.2.840.10045.2.1", "id-ecPublicKey",
	    ALG_KIND_SIGNATURE, ALG_PARAMS_ANY, CACHET_ALG_NONE,
	    ALG_F_VERIFY_ONLY, "RFC 5480 section 2.1.1"),
	/* [rfc8419-2.4-sig-params-absent] */
	ROW(CACHET_ALG_ED25519, "1.3.101.112", "Ed25519", ALG_KIND_SIGNATURE,
	    ALG_PARAMS_ABSENT, CACHET_ALG_SHA512, 0, "RFC 8419 section 2.4"),
	ROW(CACHET_ALG_ED448, "1.3.101.113", "Ed448", ALG_KIND_SIGNATURE,
	    ALG_PARAMS_ABSENT, CACHET_ALG_SHAKE256, 0,
	    "RFC 8419 section 2.4"),
	ROW(CACHET_ALG_DSA, "1.2.840.10040.4.1", "id-dsa", ALG_KIND_SIGNATURE,
	    ALG_PARAMS_ABSENT, CACHET_ALG_NONE, LEGACY_VO,
	    "RFC 3370 section 3.1"),
	ROW(CACHET_ALG_DSA_SHA1, "1.2.840.10040.4.3", "id-dsa-with-sha1",
	    ALG_KIND_SIGNATURE, ALG_PARAMS_ABSENT, CACHET_ALG_SHA1, LEGACY_VO,
	    "RFC 3370 section 3.1"),
	ROW(CACHET_ALG_DSA_SHA224, "2.16.840.1.101.3.4.3.1",
	    "dsa-with-sha224", ALG_KIND_SIGNATURE, ALG_PARAMS_ABSENT,
	    CACHET_ALG_SHA224, LEGACY_VO, "RFC 5754 section 3.1"),
	ROW(CACHET_ALG_DSA_SHA256, "2.16.840.1.101.3.4.3.2",
	    "dsa-with-sha256", ALG_KIND_SIGNATURE, ALG_PARAMS_ABSENT,
	    CACHET_ALG_SHA256, LEGACY_VO, "RFC 5754 section 3.1"),

	/* ---- curves (namedCurve values; X25519/X448 are SPKI algorithms
	 * whose parameters MUST be absent, RFC 8410 section 3) ---- */
	ROW(CACHET_ALG_P256, "1.2.840.10045.3.1.7", "secp256r1",
	    ALG_KIND_CURVE, ALG_PARAMS_ANY, CACHET_ALG_NONE, 0,
	    "RFC 5480 section 2.1.1.1"),
	ROW(CACHET_ALG_P384, "1.3.132.0.34", "secp384r1", ALG_KIND_CURVE,
	    ALG_PARAMS_ANY, CACHET_ALG_NONE, 0, "RFC 5480 section 2.1.1.1"),
	ROW(CACHET_ALG_P521, "1.3.132.0.35", "secp521r1", ALG_KIND_CURVE,
	    ALG_PARAMS_ANY, CACHET_ALG_NONE, 0, "RFC 5480 section 2.1.1.1"),
	ROW(CACHET_ALG_X25519, "1.3.101.110", "X25519", ALG_KIND_CURVE,
	    ALG_PARAMS_ABSENT, CACHET_ALG_NONE, 0, "RFC 8410 section 3"),
	ROW(CACHET_ALG_X448, "1.3.101.111", "X448", ALG_KIND_CURVE,
	    ALG_PARAMS_ABSENT, CACHET_ALG_NONE, 0, "RFC 8410 section 3"),

	/* ---- content types ---- */
	ROW(CACHET_ALG_CT_DATA, "1.2.840.113549.1.7.1", "id-data",
	    ALG_KIND_CONTENT_TYPE, ALG_PARAMS_ANY, CACHET_ALG_NONE, 0,
	    "RFC 5652 section 4"),
	ROW(CACHET_ALG_CT_SIGNED, "1.2.840.113549.1.7.2", "id-signedData",
	    ALG_KIND_CONTENT_TYPE, ALG_PARAMS_ANY, CACHET_ALG_NONE, 0,
	    "RFC 5652 section 5.1"),
	ROW(CACHET_ALG_CT_ENVELOPED, "1.2.840.113549.1.7.3",
	    "id-envelopedData", ALG_KIND_CONTENT_TYPE, ALG_PARAMS_ANY,
	    CACHET_ALG_NONE, 0, "RFC 5652 section 6.1"),
	ROW(CACHET_ALG_CT_DIGESTED, "1.2.840.113549.1.7.5", "id-digestedData",
	    ALG_KIND_CONTENT_TYPE, ALG_PARAMS_ANY, CACHET_ALG_NONE, 0,
	    "RFC 5652 section 7"),
	ROW(CACHET_ALG_CT_ENCRYPTED, "1.2.840.113549.1.7.6",
	    "id-encryptedData", ALG_KIND_CONTENT_TYPE, ALG_PARAMS_ANY,
	    CACHET_ALG_NONE, 0, "RFC 5652 section 8"),
	ROW(CACHET_ALG_CT_AUTHENTICATED, "1.2.840.113549.1.9.16.1.2",
	    "id-ct-authData", ALG_KIND_CONTENT_TYPE, ALG_PARAMS_ANY,
	    CACHET_ALG_NONE, 0, "RFC 5652 section 9.1"),
	ROW(CACHET_ALG_CT_AUTHENVELOPED, "1.2.840.113549.1.9.16.1.23",
	    "id-ct-authEnvelopedData", ALG_KIND_CONTENT_TYPE, ALG_PARAMS_ANY,
	    CACHET_ALG_NONE, 0, "RFC 5083 section 2"),
	ROW(CACHET_ALG_CT_COMPRESSED, "1.2.840.113549.1.9.16.1.9",
	    "id-ct-compressedData", ALG_KIND_CONTENT_TYPE, ALG_PARAMS_ANY,
	    CACHET_ALG_NONE, 0, "RFC 3274 section 1.1"),
	ROW(CACHET_ALG_CT_RECEIPT, "1.2.840.113549.1.9.16.1.1",
	    "id-ct-receipt", ALG_KIND_CONTENT_TYPE, ALG_PARAMS_ANY,
	    CACHET_ALG_NONE, 0, "RFC 2634 section 2.8"),

	/* ---- attributes ---- */
	ROW(CACHET_ALG_AT_CONTENT_TYPE, "1.2.840.113549.1.9.3",
	    "id-contentType", ALG_KIND_ATTRIBUTE, ALG_PARAMS_ANY,
	    CACHET_ALG_NONE, 0, "RFC 5652 section 11.1"),
	ROW(CACHET_ALG_AT_MESSAGE_DIGEST, "1.2.840.113549.1.9.4",
	    "id-messageDigest", ALG_KIND_ATTRIBUTE, ALG_PARAMS_ANY,
	    CACHET_ALG_NONE, 0, "RFC 5652 section 11.2"),
	ROW(CACHET_ALG_AT_SIGNING_TIME, "1.2.840.113549.1.9.5",
	    "id-signingTime", ALG_KIND_ATTRIBUTE, ALG_PARAMS_ANY,
	    CACHET_ALG_NONE, 0, "RFC 5652 section 11.3"),
	ROW(CACHET_ALG_AT_COUNTERSIGNATURE, "1.2.840.113549.1.9.6",
	    "id-countersignature", ALG_KIND_ATTRIBUTE, ALG_PARAMS_ANY,
	    CACHET_ALG_NONE, 0, "RFC 5652 section 11.4"),
	ROW(CACHET_ALG_AT_SMIME_CAPABILITIES, "1.2.840.113549.1.9.15",
	    "smimeCapabilities", ALG_KIND_ATTRIBUTE, ALG_PARAMS_ANY,
	    CACHET_ALG_NONE, 0, "RFC 8551 section 2.5.2"),
	ROW(CACHET_ALG_AT_ENC_KEY_PREF, "1.2.840.113549.1.9.16.2.11",
	    "id-smime-aa-encrypKeyPref", ALG_KIND_ATTRIBUTE, ALG_PARAMS_ANY,
	    CACHET_ALG_NONE, 0, "RFC 8551 section 2.5.3"),
	ROW(CACHET_ALG_AT_SIGNING_CERT, "1.2.840.113549.1.9.16.2.12",
	    "id-smime-aa-signingCertificate", ALG_KIND_ATTRIBUTE,
	    ALG_PARAMS_ANY, CACHET_ALG_NONE, 0, "RFC 5035 section 5"),
	ROW(CACHET_ALG_AT_SIGNING_CERT_V2, "1.2.840.113549.1.9.16.2.47",
	    "id-smime-aa-signingCertificateV2", ALG_KIND_ATTRIBUTE,
	    ALG_PARAMS_ANY, CACHET_ALG_NONE, 0, "RFC 5035 section 3"),
	ROW(CACHET_ALG_AT_ALG_PROTECTION, "1.2.840.113549.1.9.52",
	    "id-aa-CMSAlgorithmProtection", ALG_KIND_ATTRIBUTE,
	    ALG_PARAMS_ANY, CACHET_ALG_NONE, 0, "RFC 6211 section 2"),
	ROW(CACHET_ALG_AT_CONTENT_HINTS, "1.2.840.113549.1.9.16.2.4",
	    "id-smime-aa-contentHint", ALG_KIND_ATTRIBUTE, ALG_PARAMS_ANY,
	    CACHET_ALG_NONE, 0, "RFC 2634 section 2.9"),
	ROW(CACHET_ALG_AT_RECEIPT_REQUEST, "1.2.840.113549.1.9.16.2.1",
	    "id-smime-aa-receiptRequest", ALG_KIND_ATTRIBUTE, ALG_PARAMS_ANY,
	    CACHET_ALG_NONE, 0, "RFC 2634 section 2.7"),
	ROW(CACHET_ALG_AT_MS_ENC_KEY_PREF, "1.3.6.1.4.1.311.16.4",
	    "ms-encryptionKeyPreference", ALG_KIND_ATTRIBUTE, ALG_PARAMS_ANY,
	    CACHET_ALG_NONE, 0,
	    "Microsoft szOID_MICROSOFT_Encryption_Key_Preference"),
	ROW(CACHET_ALG_AT_SECURE_HEADERS, "1.2.840.113549.1.9.16.2.55",
	    "id-aa-secureHeaderFieldsIdentifier", ALG_KIND_ATTRIBUTE,
	    ALG_PARAMS_ANY, CACHET_ALG_NONE, 0, "RFC 7508 section 4.1"),

	/* ---- content encryption ---- */
	/* RFC 3565 section 4.1: parameters are the IV. */
	ROW(CACHET_ALG_AES128_CBC, "2.16.840.1.101.3.4.1.2", "aes128-CBC",
	    ALG_KIND_CIPHER, ALG_PARAMS_REQUIRED, CACHET_ALG_NONE, 0,
	    "RFC 3565 section 4.1"),
	ROW(CACHET_ALG_AES192_CBC, "2.16.840.1.101.3.4.1.22", "aes192-CBC",
	    ALG_KIND_CIPHER, ALG_PARAMS_REQUIRED, CACHET_ALG_NONE, 0,
	    "RFC 3565 section 4.1"),
	ROW(CACHET_ALG_AES256_CBC, "2.16.840.1.101.3.4.1.42", "aes256-CBC",
	    ALG_KIND_CIPHER, ALG_PARAMS_REQUIRED, CACHET_ALG_NONE, 0,
	    "RFC 3565 section 4.1"),
	/* RFC 5084 section 3.2: GCMParameters. */
	ROW(CACHET_ALG_AES128_GCM, "2.16.840.1.101.3.4.1.6", "aes128-GCM",
	    ALG_KIND_CIPHER, ALG_PARAMS_REQUIRED, CACHET_ALG_NONE, ALG_F_AEAD,
	    "RFC 5084 section 3.2"),
	ROW(CACHET_ALG_AES192_GCM, "2.16.840.1.101.3.4.1.26", "aes192-GCM",
	    ALG_KIND_CIPHER, ALG_PARAMS_REQUIRED, CACHET_ALG_NONE, ALG_F_AEAD,
	    "RFC 5084 section 3.2"),
	ROW(CACHET_ALG_AES256_GCM, "2.16.840.1.101.3.4.1.46", "aes256-GCM",
	    ALG_KIND_CIPHER, ALG_PARAMS_REQUIRED, CACHET_ALG_NONE, ALG_F_AEAD,
	    "RFC 5084 section 3.2"),
	/* RFC 8103 section 3: AEADChaCha20Poly1305Nonce. */
	ROW(CACHET_ALG_CHACHA20_POLY1305, "1.2.840.113549.1.9.16.3.18",
	    "AEADChaCha20Poly1305", ALG_KIND_CIPHER, ALG_PARAMS_REQUIRED,
	    CACHET_ALG_NONE, ALG_F_AEAD, "RFC 8103 section 3"),
	ROW(CACHET_ALG_DES_EDE3_CBC, "1.2.840.113549.3.7", "des-ede3-cbc",
	    ALG_KIND_CIPHER, ALG_PARAMS_REQUIRED, CACHET_ALG_NONE, LEGACY_VO,
	    "RFC 3370 section 5.1"),
	ROW(CACHET_ALG_RC2_CBC, "1.2.840.113549.3.2", "rc2-cbc",
	    ALG_KIND_CIPHER, ALG_PARAMS_REQUIRED, CACHET_ALG_NONE, LEGACY_VO,
	    "RFC 3370 section 5.2"),

	/* ---- key wrap: "the parameters field MUST be absent" (RFC 3565
	 * section 2.3.2, RFC 5649 section 6) ---- */
	ROW(CACHET_ALG_AES128_WRAP, "2.16.840.1.101.3.4.1.5", "aes128-wrap",
	    ALG_KIND_KEY_WRAP, ALG_PARAMS_ABSENT, CACHET_ALG_NONE, 0,
	    "RFC 3565 section 2.3.2"),
	ROW(CACHET_ALG_AES192_WRAP, "2.16.840.1.101.3.4.1.25", "aes192-wrap",
	    ALG_KIND_KEY_WRAP, ALG_PARAMS_ABSENT, CACHET_ALG_NONE, 0,
	    "RFC 3565 section 2.3.2"),
	ROW(CACHET_ALG_AES256_WRAP, "2.16.840.1.101.3.4.1.45", "aes256-wrap",
	    ALG_KIND_KEY_WRAP, ALG_PARAMS_ABSENT, CACHET_ALG_NONE, 0,
	    "RFC 3565 section 2.3.2"),
	ROW(CACHET_ALG_AES128_WRAP_PAD, "2.16.840.1.101.3.4.1.8",
	    "aes128-wrap-pad", ALG_KIND_KEY_WRAP, ALG_PARAMS_ABSENT,
	    CACHET_ALG_NONE, 0, "RFC 5649 section 6"),
	ROW(CACHET_ALG_AES192_WRAP_PAD, "2.16.840.1.101.3.4.1.28",
	    "aes192-wrap-pad", ALG_KIND_KEY_WRAP, ALG_PARAMS_ABSENT,
	    CACHET_ALG_NONE, 0, "RFC 5649 section 6"),
	ROW(CACHET_ALG_AES256_WRAP_PAD, "2.16.840.1.101.3.4.1.48",
	    "aes256-wrap-pad", ALG_KIND_KEY_WRAP, ALG_PARAMS_ABSENT,
	    CACHET_ALG_NONE, 0, "RFC 5649 section 6"),

	/* ---- key transport, MGF, KDF, MAC, compression ---- */
	/* RFC 3560 section 2.2: "MUST be present, and ... MUST contain
	 * RSAES-OAEP-params" (an empty SEQUENCE means all defaults). */
	ROW(CACHET_ALG_RSAES_OAEP, "1.2.840.113549.1.1.7", "rsaesOaep",
	    ALG_KIND_KEY_TRANSPORT, ALG_PARAMS_REQUIRED, CACHET_ALG_NONE, 0,
	    "RFC 3560 section 2.2"),
	ROW(CACHET_ALG_MGF1, "1.2.840.113549.1.1.8", "mgf1", ALG_KIND_MGF,
	    ALG_PARAMS_REQUIRED, CACHET_ALG_NONE, 0, "RFC 4055 section 2.2"),
	ROW(CACHET_ALG_PBKDF2, "1.2.840.113549.1.5.12", "PBKDF2",
	    ALG_KIND_KDF, ALG_PARAMS_REQUIRED, CACHET_ALG_NONE, 0,
	    "RFC 8018 appendix A.2"),
	/* RFC 8018 appendix B.1: NULL; RFC 3211 section 2.1 notes absent is
	 * seen too. */
	ROW(CACHET_ALG_HMAC_SHA1, "1.2.840.113549.2.7", "hmacWithSHA1",
	    ALG_KIND_MAC, ALG_PARAMS_ABSENT_OR_NULL, CACHET_ALG_SHA1,
	    ALG_F_LEGACY, "RFC 8018 appendix B.1.1"),
	ROW(CACHET_ALG_HMAC_SHA256, "1.2.840.113549.2.9", "hmacWithSHA256",
	    ALG_KIND_MAC, ALG_PARAMS_ABSENT_OR_NULL, CACHET_ALG_SHA256, 0,
	    "RFC 8018 appendix B.1.2"),
	ROW(CACHET_ALG_HMAC_SHA384, "1.2.840.113549.2.10", "hmacWithSHA384",
	    ALG_KIND_MAC, ALG_PARAMS_ABSENT_OR_NULL, CACHET_ALG_SHA384, 0,
	    "RFC 8018 appendix B.1.2"),
	ROW(CACHET_ALG_HMAC_SHA512, "1.2.840.113549.2.11", "hmacWithSHA512",
	    ALG_KIND_MAC, ALG_PARAMS_ABSENT_OR_NULL, CACHET_ALG_SHA512, 0,
	    "RFC 8018 appendix B.1.2"),
	ROW(CACHET_ALG_PWRI_KEK, "1.2.840.113549.1.9.16.3.9",
	    "id-alg-PWRI-KEK", ALG_KIND_KEY_WRAP, ALG_PARAMS_REQUIRED,
	    CACHET_ALG_NONE, 0, "RFC 3211 section 2.2"),
	/* RFC 3274 section 2: parameters omitted, MAY be NULL. */
	ROW(CACHET_ALG_ZLIB, "1.2.840.113549.1.9.16.3.8", "zlibCompress",
	    ALG_KIND_COMPRESSION, ALG_PARAMS_ABSENT_OR_NULL, CACHET_ALG_NONE,
	    0, "RFC 3274 section 2"),
	/* ---- key agreement: the parameters are the KeyWrapAlgorithm (RFC
	 * 5753 section 7.1.4, RFC 8418 section 2).  For the prime curves the
	 * cofactor is 1, so cofactorDH computes what stdDH does. ---- */
	/* The SHA-1 KDF is one of RFC 5753 section 8's suites and OpenSSL
	 * 3.0's default: read without a policy switch (SHA-1's collisions do
	 * not touch its use in a KDF), never written. */
	ROW(CACHET_ALG_ECDH_STD_SHA1KDF, "1.3.133.16.840.63.0.2",
	    "dhSinglePass-stdDH-sha1kdf-scheme", ALG_KIND_KEY_AGREE,
	    ALG_PARAMS_REQUIRED, CACHET_ALG_SHA1, ALG_F_VERIFY_ONLY,
	    "RFC 5753 section 7.1.4"),
	ROW(CACHET_ALG_ECDH_STD_SHA224KDF, "1.3.132.1.11.0",
	    "dhSinglePass-stdDH-sha224kdf-scheme", ALG_KIND_KEY_AGREE,
	    ALG_PARAMS_REQUIRED, CACHET_ALG_SHA224, 0, "RFC 5753 section 7.1.4"),
	ROW(CACHET_ALG_ECDH_STD_SHA256KDF, "1.3.132.1.11.1",
	    "dhSinglePass-stdDH-sha256kdf-scheme", ALG_KIND_KEY_AGREE,
	    ALG_PARAMS_REQUIRED, CACHET_ALG_SHA256, 0, "RFC 5753 section 7.1.4"),
	ROW(CACHET_ALG_ECDH_STD_SHA384KDF, "1.3.132.1.11.2",
	    "dhSinglePass-stdDH-sha384kdf-scheme", ALG_KIND_KEY_AGREE,
	    ALG_PARAMS_REQUIRED, CACHET_ALG_SHA384, 0, "RFC 5753 section 7.1.4"),
	ROW(CACHET_ALG_ECDH_STD_SHA512KDF, "1.3.132.1.11.3",
	    "dhSinglePass-stdDH-sha512kdf-scheme", ALG_KIND_KEY_AGREE,
	    ALG_PARAMS_REQUIRED, CACHET_ALG_SHA512, 0, "RFC 5753 section 7.1.4"),
	ROW(CACHET_ALG_ECDH_COF_SHA1KDF, "1.3.133.16.840.63.0.3",
	    "dhSinglePass-cofactorDH-sha1kdf-scheme", ALG_KIND_KEY_AGREE,
	    ALG_PARAMS_REQUIRED, CACHET_ALG_SHA1, ALG_F_VERIFY_ONLY,
	    "RFC 5753 section 7.1.4"),
	ROW(CACHET_ALG_ECDH_COF_SHA224KDF, "1.3.132.1.14.0",
	    "dhSinglePass-cofactorDH-sha224kdf-scheme", ALG_KIND_KEY_AGREE,
	    ALG_PARAMS_REQUIRED, CACHET_ALG_SHA224, ALG_F_VERIFY_ONLY,
	    "RFC 5753 section 7.1.4"),
	ROW(CACHET_ALG_ECDH_COF_SHA256KDF, "1.3.132.1.14.1",
	    "dhSinglePass-cofactorDH-sha256kdf-scheme", ALG_KIND_KEY_AGREE,
	    ALG_PARAMS_REQUIRED, CACHET_ALG_SHA256, ALG_F_VERIFY_ONLY,
	    "RFC 5753 section 7.1.4"),
	ROW(CACHET_ALG_ECDH_COF_SHA384KDF, "1.3.132.1.14.2",
	    "dhSinglePass-cofactorDH-sha384kdf-scheme", ALG_KIND_KEY_AGREE,
	    ALG_PARAMS_REQUIRED, CACHET_ALG_SHA384, ALG_F_VERIFY_ONLY,
	    "RFC 5753 section 7.1.4"),
	ROW(CACHET_ALG_ECDH_COF_SHA512KDF, "1.3.132.1.14.3",
	    "dhSinglePass-cofactorDH-sha512kdf-scheme", ALG_KIND_KEY_AGREE,
	    ALG_PARAMS_REQUIRED, CACHET_ALG_SHA512, ALG_F_VERIFY_ONLY,
	    "RFC 5753 section 7.1.4"),
	ROW(CACHET_ALG_ECDH_HKDF_SHA256, "1.2.840.113549.1.9.16.3.19",
	    "dhSinglePass-stdDH-hkdf-sha256-scheme", ALG_KIND_KEY_AGREE,
	    ALG_PARAMS_REQUIRED, CACHET_ALG_SHA256, 0, "RFC 8418 section 2"),
	ROW(CACHET_ALG_ECDH_HKDF_SHA384, "1.2.840.113549.1.9.16.3.20",
	    "dhSinglePass-stdDH-hkdf-sha384-scheme", ALG_KIND_KEY_AGREE,
	    ALG_PARAMS_REQUIRED, CACHET_ALG_SHA384, 0, "RFC 8418 section 2"),
	ROW(CACHET_ALG_ECDH_HKDF_SHA512, "1.2.840.113549.1.9.16.3.21",
	    "dhSinglePass-stdDH-hkdf-sha512-scheme", ALG_KIND_KEY_AGREE,
	    ALG_PARAMS_REQUIRED, CACHET_ALG_SHA512, 0, "RFC 8418 section 2"),
	/* RFC 8017 appendix A.2.1: the parameters are the label. */
	ROW(CACHET_ALG_PSPECIFIED, "1.2.840.113549.1.1.9", "id-pSpecified",
	    ALG_KIND_PSOURCE, ALG_PARAMS_REQUIRED, CACHET_ALG_NONE, 0,
	    "RFC 8017 appendix A.2.1"),
	/* RFC 3217 key wrap, decrypt only and by policy: OpenSSL put 3DES
	 * content keys of key agreement under it (RFC 3370 section 4.3.1). */
	ROW(CACHET_ALG_CMS3DES_WRAP, "1.2.840.113549.1.9.16.3.6",
	    "id-alg-CMS3DESwrap", ALG_KIND_KEY_WRAP, ALG_PARAMS_NULL,
	    CACHET_ALG_NONE, ALG_F_LEGACY | ALG_F_VERIFY_ONLY, "RFC 3370 section 4.3.1"),
	/* ---- known, but not supported: reported as such (not as unknown
	 * object identifiers) ---- */
#define UNSUP (ALG_F_UNSUPPORTED | ALG_F_VERIFY_ONLY)

	ROW(CACHET_ALG_CMSRC2_WRAP, "1.2.840.113549.1.9.16.3.7",
	    "id-alg-CMSRC2wrap", ALG_KIND_KEY_WRAP, ALG_PARAMS_REQUIRED,
	    CACHET_ALG_NONE, UNSUP, "RFC 3370 section 4.3.2"),
	ROW(CACHET_ALG_MQV_SHA1KDF, "1.3.133.16.840.63.0.16",
	    "mqvSinglePass-sha1kdf-scheme", ALG_KIND_KEY_AGREE,
	    ALG_PARAMS_REQUIRED, CACHET_ALG_SHA1, UNSUP, "RFC 5753 section 7.1.4"),
	ROW(CACHET_ALG_MQV_SHA224KDF, "1.3.132.1.15.0",
	    "mqvSinglePass-sha224kdf-scheme", ALG_KIND_KEY_AGREE,
	    ALG_PARAMS_REQUIRED, CACHET_ALG_SHA224, UNSUP, "RFC 5753 section 7.1.4"),
	ROW(CACHET_ALG_MQV_SHA256KDF, "1.3.132.1.15.1",
	    "mqvSinglePass-sha256kdf-scheme", ALG_KIND_KEY_AGREE,
	    ALG_PARAMS_REQUIRED, CACHET_ALG_SHA256, UNSUP, "RFC 5753 section 7.1.4"),
	ROW(CACHET_ALG_MQV_SHA384KDF, "1.3.132.1.15.2",
	    "mqvSinglePass-sha384kdf-scheme", ALG_KIND_KEY_AGREE,
	    ALG_PARAMS_REQUIRED, CACHET_ALG_SHA384, UNSUP, "RFC 5753 section 7.1.4"),
	ROW(CACHET_ALG_MQV_SHA512KDF, "1.3.132.1.15.3",
	    "mqvSinglePass-sha512kdf-scheme", ALG_KIND_KEY_AGREE,
	    ALG_PARAMS_REQUIRED, CACHET_ALG_SHA512, UNSUP, "RFC 5753 section 7.1.4"),
	ROW(CACHET_ALG_AES128_CFB, "2.16.840.1.101.3.4.1.4", "aes128-CFB",
	    ALG_KIND_CIPHER, ALG_PARAMS_REQUIRED, CACHET_ALG_NONE, UNSUP,
	    "NIST CSOR (not a CMS content cipher)"),
	ROW(CACHET_ALG_AES192_CFB, "2.16.840.1.101.3.4.1.24", "aes192-CFB",
	    ALG_KIND_CIPHER, ALG_PARAMS_REQUIRED, CACHET_ALG_NONE, UNSUP,
	    "NIST CSOR (not a CMS content cipher)"),
	ROW(CACHET_ALG_AES256_CFB, "2.16.840.1.101.3.4.1.44", "aes256-CFB",
	    ALG_KIND_CIPHER, ALG_PARAMS_REQUIRED, CACHET_ALG_NONE, UNSUP,
	    "NIST CSOR (not a CMS content cipher)"),
	/* RFC 5084 section 3.1: AES-CCM, named so that cachet lint can tell
	 * it in EnvelopedData; Cachet decrypts only AES-GCM. */
	ROW(CACHET_ALG_AES128_CCM, "2.16.840.1.101.3.4.1.7", "aes128-CCM",
	    ALG_KIND_CIPHER, ALG_PARAMS_REQUIRED, CACHET_ALG_NONE, UNSUP | ALG_F_AEAD,
	    "RFC 5084 section 3.1"),
	ROW(CACHET_ALG_AES192_CCM, "2.16.840.1.101.3.4.1.27", "aes192-CCM",
	    ALG_KIND_CIPHER, ALG_PARAMS_REQUIRED, CACHET_ALG_NONE, UNSUP | ALG_F_AEAD,
	    "RFC 5084 section 3.1"),
	ROW(CACHET_ALG_AES256_CCM, "2.16.840.1.101.3.4.1.47", "aes256-CCM",
	    ALG_KIND_CIPHER, ALG_PARAMS_REQUIRED, CACHET_ALG_NONE, UNSUP | ALG_F_AEAD,
	    "RFC 5084 section 3.1"),
	/* No hash column: PBKDF2 over SHA-224 is not supported. */
	ROW(CACHET_ALG_HMAC_SHA224, "1.2.840.113549.2.8", "hmacWithSHA224",
	    ALG_KIND_MAC, ALG_PARAMS_ABSENT_OR_NULL, CACHET_ALG_NONE, UNSUP,
	    "RFC 8018 appendix B.1.2"),
#undef UNSUP
};

#define ALG_TABLE_LEN (sizeof(alg_table) / sizeof(alg_table[0]))

_Static_assert(ALG_TABLE_LEN == CACHET_ALG__COUNT - 1,
	       "every cachet_alg_id_t needs exactly one registry row");

const cachet_alg_t *_cachet_alg_at(size_t i)
{
	if (i >= ALG_TABLE_LEN)
		return NULL;
	return &alg_table[i];
}

const cachet_alg_t *_cachet_alg_by_oid(const char *oid)
{
	size_t i;

	if (oid == NULL)
		return NULL;
	for (i = 0; i < ALG_TABLE_LEN; i++) {
		if (strcmp(alg_table[i].oid, oid) == 0)
			return &alg_table[i];
	}
	return NULL;
}

const cachet_alg_t *_cachet_alg_by_id(cachet_alg_id_t id)
{
	size_t i;

	/* The table is in enum order; take the fast path when it holds and
	 * fall back to a scan so a reordering can never return a wrong row. */
	if (id > CACHET_ALG_NONE && id < CACHET_ALG__COUNT) {
		i = (size_t)id - 1;
		if (i < ALG_TABLE_LEN && alg_table[i].id == id)
			return &alg_table[i];
	}
	for (i = 0; i < ALG_TABLE_LEN; i++) {
		if (alg_table[i].id == id)
			return &alg_table[i];
	}
	return NULL;
}

const char *_cachet_oid_name(const char *oid)
{
	const cachet_alg_t *a = _cachet_alg_by_oid(oid);

	if (a != NULL)
		return a->name;
	return oid != NULL ? oid : "(null)";
}

static const char *params_rule_text(cachet_params_rule_t r)
{
	switch (r) {
	case ALG_PARAMS_ABSENT:
		return "absent";
	case ALG_PARAMS_NULL:
		return "NULL";
	case ALG_PARAMS_ABSENT_OR_NULL:
		return "absent or NULL";
	case ALG_PARAMS_REQUIRED:
		return "present";
	case ALG_PARAMS_ANY:
	default:
		return "unconstrained";
	}
}

int _cachet_alg_check_params(const cachet_alg_t *alg, const uint8_t *params,
			     size_t len, const char *path, cachet_diag_t *diag)
{
	bool is_absent = params == NULL || len == 0;
	bool is_null = !is_absent && len == 2 && params[0] == 0x05 &&
		       params[1] == 0x00;
	bool ok;
	int ret = 0;

	if (alg == NULL)
		FAIL(CACHET_E_INVALID_ARG, "", path,
		     "no algorithm to check parameters against");

	switch (alg->params) {
	case ALG_PARAMS_ABSENT:
		ok = is_absent;
		break;
	case ALG_PARAMS_NULL:
		ok = is_null;
		break;
	case ALG_PARAMS_ABSENT_OR_NULL:
		ok = is_absent || is_null;
		break;
	case ALG_PARAMS_REQUIRED:
		/* The owning module parses them; NULL is not a value. */
		ok = !is_absent && !is_null;
		break;
	case ALG_PARAMS_ANY:
	default:
		ok = true;
		break;
	}

	ENSURE(ok, CACHET_E_BAD_PARAMS, alg->rule, path,
	       "%s (%s): parameters must be %s, found %s", alg->name,
	       alg->oid, params_rule_text(alg->params),
	       is_absent ? "none" : is_null ? "NULL" : "a value");
	ret = 0;
cleanup:
	return ret;
}
