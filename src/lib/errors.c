/* errors.c -- the one table of error codes: name, sentence, category. */
#include "internal.h"

typedef struct {
	int code;
	const char *name;
	const char *desc;
	cachet_category_t cat;
} err_entry_t;

#define E(c, d, k) { c, #c, d, CACHET_CAT_##k }
static const err_entry_t errors[] = {
	E(CACHET_E_OK, "Success.", NONE),
	E(CACHET_E_INVALID_ARG, "An argument is invalid.", USAGE),
	E(CACHET_E_BAD_STATE, "The handle is not in a state that allows this call.", USAGE),
	E(CACHET_E_MALFORMED, "The input is not a well-formed encoding of the expected structure.", MALFORMED),
	E(CACHET_E_TRUNCATED, "The input ends before the structure does.", MALFORMED),
	E(CACHET_E_TRAILING_DATA, "Unexpected bytes follow the end of the structure.", MALFORMED),
	E(CACHET_E_NOT_DER, "A part that must be DER-encoded is not.", MALFORMED),
	E(CACHET_E_DEPTH_LIMIT, "The input nests deeper than the limit.", MALFORMED),
	E(CACHET_E_SIZE_LIMIT, "A part of the input is larger than the limit.", MALFORMED),
	E(CACHET_E_COUNT_LIMIT, "The input holds more elements than the limit.", MALFORMED),
	E(CACHET_E_BAD_PEM, "The PEM armour is malformed.", MALFORMED),
	E(CACHET_E_BAD_VERSION, "The structure's version number is wrong for its content.", MALFORMED),
	E(CACHET_E_BAD_PARAMS, "Algorithm parameters are missing, present where forbidden, or malformed.", MALFORMED),
	E(CACHET_E_BAD_KEY, "The key cannot be read or used.", MALFORMED),
	E(CACHET_E_BAD_CERT, "The certificate cannot be read.", MALFORMED),
	E(CACHET_E_NEED_PASSWORD, "The key is protected and no password or PIN was given.", USAGE),
	E(CACHET_E_UNKNOWN_OID, "The object identifier is not known.", UNSUPPORTED),
	E(CACHET_E_UNSUPPORTED, "The algorithm or feature is known but not supported.", UNSUPPORTED),
	E(CACHET_E_UNSUPPORTED_CONTENT, "The content type is not supported here.", UNSUPPORTED),
	E(CACHET_E_POLICY, "The policy does not allow this.", POLICY),
	E(CACHET_E_WEAK_ALGORITHM, "The algorithm is too weak for the policy in force.", POLICY),
	E(CACHET_E_VERIFY_FAILED, "Verification failed.", VERIFY_FAILED),
	E(CACHET_E_NOT_SIGNED, "The SignedData has no SignerInfo, so nothing is signed.", VERIFY_FAILED),
	E(CACHET_E_BAD_SIGNATURE, "The signature value does not verify.", VERIFY_FAILED),
	E(CACHET_E_DIGEST_MISMATCH, "The content's digest differs from the messageDigest attribute.", VERIFY_FAILED),
	E(CACHET_E_NO_SIGNER_CERT, "The signer's certificate was not found.", VERIFY_FAILED),
	E(CACHET_E_CERT_UNTRUSTED, "The signer's certificate does not chain to a trust anchor.", VERIFY_FAILED),
	E(CACHET_E_CERT_EXPIRED, "A certificate in the path has expired.", VERIFY_FAILED),
	E(CACHET_E_CERT_NOT_YET_VALID, "A certificate in the path is not yet valid.", VERIFY_FAILED),
	E(CACHET_E_ATTR_MISSING, "A required attribute is missing.", VERIFY_FAILED),
	E(CACHET_E_ATTR_DUPLICATE, "An attribute that must occur once occurs more than once.", VERIFY_FAILED),
	E(CACHET_E_ATTR_MISMATCH, "An attribute's value contradicts the message.", VERIFY_FAILED),
	E(CACHET_E_ALG_PROTECTION, "The CMSAlgorithmProtection attribute does not match the algorithms used.", VERIFY_FAILED),
	E(CACHET_E_NO_CONTENT, "The signature is detached and no content was given.", USAGE),
	E(CACHET_E_KEY_MISMATCH, "The private key does not belong to the certificate.", USAGE),
	E(CACHET_E_DECRYPT_FAILED, "Decryption failed.", DECRYPT_FAILED),
	E(CACHET_E_IO, "Reading or writing failed.", IO),
	E(CACHET_E_NOMEM, "Out of memory.", RESOURCE),
	E(CACHET_E_END, "No more elements.", NONE),
	E(CACHET_E_RANDOM, "The random number generator failed.", RESOURCE),
	E(CACHET_E_INTERNAL, "Internal error.", INTERNAL),
	E(CACHET_E_CRYPTO, "A cryptographic operation failed.", INTERNAL),
	E(CACHET_E_TASN1, "The ASN.1 layer failed.", INTERNAL),
	E(CACHET_E_GNUTLS, "The certificate layer failed.", INTERNAL),
	E(CACHET_E_CERT_REVOKED, "A certificate in the path has been revoked.", VERIFY_FAILED),
	E(CACHET_E_CERT_REVOCATION_UNKNOWN, "The revocation status of a certificate in the path is not known.", VERIFY_FAILED),
	E(CACHET_E_CERT_KEY_USAGE, "The certificate's keyUsage does not permit this use.", VERIFY_FAILED),
	E(CACHET_E_CERT_EXT_KEY_USAGE, "The certificate's extendedKeyUsage does not include emailProtection.", VERIFY_FAILED),
	E(CACHET_E_CERT_BASIC_CONSTRAINTS, "A certificate that issued another is not a CA, or its path length constraint is exceeded.", VERIFY_FAILED),
	E(CACHET_E_CERT_CRITICAL_EXTENSION, "A certificate has a critical extension that is not understood.", VERIFY_FAILED),
	E(CACHET_E_CERT_EMAIL_MISMATCH, "The signer's certificate does not hold the expected e-mail address.", VERIFY_FAILED),
	E(CACHET_E_WEAK_KEY, "A certificate's key is smaller than the policy in force allows.", POLICY),
	E(CACHET_E_CERT_NOT_FOUND, "No usable certificate for the address was found.", USAGE),
};
#undef E

static const err_entry_t *lookup(int code)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (errors[i].code == code)
			return &errors[i];
	return NULL;
}

const char *cachet_strerror(int code)
{
	const err_entry_t *e = lookup(code);
	return e ? e->desc : "Unknown error code.";
}

const char *cachet_strerror_name(int code)
{
	const err_entry_t *e = lookup(code);
	return e ? e->name : "CACHET_E_UNKNOWN";
}

cachet_category_t cachet_error_category(int code)
{
	const err_entry_t *e = lookup(code);
	return e ? e->cat : CACHET_CAT_INTERNAL;
}

const char *cachet_category_name(cachet_category_t cat)
{
	static const char *const names[] = {
		"NONE",	  "USAGE",	   "MALFORMED",
		"UNSUPPORTED", "POLICY", "VERIFY_FAILED",
		"DECRYPT_FAILED", "IO", "RESOURCE",
		"INTERNAL",
	};
	if ((unsigned)cat < sizeof(names) / sizeof(names[0]))
		return names[cat];
	return "INTERNAL";
}

const char *cachet_version(void)
{
	return PACKAGE_VERSION;
}
