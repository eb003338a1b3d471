/* asn1-check.c -- check the libtasn1 modules in asn1/ against real messages.
 *
 * For every module in asn1/ this builds the definitions tree with
 * asn1_parser2tree() and checks that the types the library refers to
 * ("Module.Type") exist.  It then decodes third-party CMS messages
 * (RFC 4134 and RFC 9216 examples, and vectors from RustCrypto, Bouncy
 * Castle, libksba and GnuTLS, some of them streamed BER) with the
 * modules, descending into the inner content, the RecipientInfos, the
 * SignerInfos, the algorithm parameters, the signature values and the
 * signed attribute values.  Every part that is DER in the input is
 * re-encoded with asn1_der_coding() and must give back the same bytes;
 * BER parts (indefinite lengths) only have to decode; certificates,
 * CRLs, signed attributes and algorithm parameters are checked as DER
 * even inside BER messages.  Values shown in the published ASN.1 dumps are compared,
 * DEFAULT handling and GeneralName alternatives no vector carries are
 * checked on small hand-made encodings, and three negative controls
 * show that the checks can fail.
 *
 * Build and run from the project root:
 *   gcc -Wall -Wextra -o asn1-check tests/asn1-check.c -ltasn1
 *   ASN1_DIR=asn1 CACHET_VECTORS=../shared/vectors ./asn1-check
 *
 * Output is TAP ("ok N - ...", "not ok N - ...", plan "1..N" at the
 * end).  Exit status 0 when every test passed, 1 otherwise.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libtasn1.h>

/* ------------------------------------------------------------------ */
/* TAP                                                                */
/* ------------------------------------------------------------------ */

static int test_no;
static int test_failed;

static void tap(int pass, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void tap(int pass, const char *fmt, ...)
{
	va_list ap;

	test_no++;
	if (!pass)
		test_failed++;
	printf("%s %d - ", pass ? "ok" : "not ok", test_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void skip(const char *fmt, ...)
{
	va_list ap;

	test_no++;
	printf("ok %d # SKIP ", test_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void note(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* ------------------------------------------------------------------ */
/* Modules                                                            */
/* ------------------------------------------------------------------ */

struct module {
	const char *file;
	const char *name;
	const char *const *types; /* NULL-terminated: must exist */
	asn1_node defs;
};

static const char *const cms_types[] = {
	"ContentInfo", "ContentType", "SignedData", "SignerInfos",
	"SignerInfo", "SignerIdentifier", "SignedAttributes",
	"UnsignedAttributes", "Attribute", "AttributeValue",
	"SignatureValue", "EncapsulatedContentInfo",
	"DigestAlgorithmIdentifiers", "DigestAlgorithmIdentifier",
	"SignatureAlgorithmIdentifier", "CertificateSet",
	"CertificateChoices", "Certificate", "CertificateList",
	"ExtendedCertificate", "AttributeCertificateV1",
	"AttributeCertificateV2", "OtherCertificateFormat",
	"RevocationInfoChoices", "RevocationInfoChoice",
	"OtherRevocationInfoFormat", "IssuerAndSerialNumber", "Name",
	"RDNSequence", "AttributeTypeAndValue", "CertificateSerialNumber",
	"AlgorithmIdentifier", "EnvelopedData", "OriginatorInfo",
	"RecipientInfos", "RecipientInfo", "KeyTransRecipientInfo",
	"RecipientIdentifier", "KeyAgreeRecipientInfo",
	"OriginatorIdentifierOrKey", "OriginatorPublicKey",
	"RecipientEncryptedKeys", "RecipientEncryptedKey",
	"KeyAgreeRecipientIdentifier", "RecipientKeyIdentifier",
	"OtherKeyAttribute", "KEKRecipientInfo", "KEKIdentifier",
	"PasswordRecipientInfo", "OtherRecipientInfo",
	"EncryptedContentInfo", "EncryptedData", "DigestedData",
	"AuthenticatedData", "AuthAttributes", "UnauthAttributes",
	"UnprotectedAttributes", "CMSVersion", "UserKeyingMaterial",
	"MessageDigest", "SigningTime", "Time", "Countersignature", NULL
};

static const char *const authenv_types[] = {
	"AuthEnvelopedData", "CMSVersion", "OriginatorInfo",
	"RecipientInfos", "RecipientInfo", "EncryptedContentInfo",
	"AuthAttributes", "UnauthAttributes", "MessageAuthenticationCode",
	"Attribute", "AlgorithmIdentifier", NULL
};

static const char *const algs_types[] = {
	"AlgorithmIdentifier", "RSASSA-PSS-params", "RSAES-OAEP-params",
	"HashAlgorithm", "MaskGenAlgorithm", "PSourceAlgorithm",
	"PSpecifiedParameter", "TrailerField", "DigestInfo",
	"ECDSA-Sig-Value", "Dss-Sig-Value", "Dss-Parms", "Dss-Pub-Key",
	"RC2CBCParameter", "RC2-CBC-Parameter", "RC2wrapParameter",
	"CBCParameter", "IV", "AES-IV", "GCMParameters", "CCMParameters",
	"AEADChaCha20Poly1305Nonce", "ECC-CMS-SharedInfo",
	"MQVuserKeyingMaterial", "KeyWrapAlgorithm", "PBKDF2-params",
	"PBES2-params", "PBMAC1-params", "PWRI-KEK-Params", "HMAC-Params",
	"RSAPublicKey", "ECPoint", "ECParameters", "SubjectPublicKeyInfo",
	"CurvePrivateKey", "DHDomainParameters", NULL
};

static const char *const ess_types[] = {
	"SigningCertificate", "SigningCertificateV2", "ESSCertID",
	"ESSCertIDv2", "IssuerSerial", "GeneralNames", "GeneralName",
	"PolicyInformation", "ReceiptRequest", "ContentHints", "Receipt",
	"ContentIdentifier", "ContentReference", "ESSSecurityLabel",
	"EquivalentLabels", "MLExpansionHistory", "MsgSigDigest",
	"ORAddress", NULL
};

static const char *const algprot_types[] = {
	"CMSAlgorithmProtection", NULL
};

static const char *const smime_types[] = {
	"SMIMECapabilities", "SMIMECapability",
	"SMIMECapabilitiesParametersForRC2CBC",
	"SMIMEEncryptionKeyPreference", NULL
};

static const char *const compress_types[] = {
	"CompressedData", "CompressionAlgorithmIdentifier", NULL
};

static const char *const kem_types[] = {
	"KEMRecipientInfo", "CMSORIforKEMOtherInfo", NULL
};

static const char *const sechdr_types[] = {
	"SecureHeaderFields", "HeaderFields", "HeaderField", NULL
};

static struct module modules[] = {
	{ "cms-5652.asn", "CachetCMS", cms_types, NULL },
	{ "authenv-5083.asn", "CachetAuthEnv", authenv_types, NULL },
	{ "algs.asn", "CachetAlgs", algs_types, NULL },
	{ "ess-5035.asn", "CachetESS", ess_types, NULL },
	{ "algprot-6211.asn", "CachetAlgProt", algprot_types, NULL },
	{ "smime-8551.asn", "CachetSMIME", smime_types, NULL },
	{ "compress-3274.asn", "CachetCompress", compress_types, NULL },
	{ "kem-9629.asn", "CachetKEM", kem_types, NULL },
	{ "sechdr-7508.asn", "CachetSecHdr", sechdr_types, NULL },
};

#define N_MODULES (sizeof(modules) / sizeof(modules[0]))

/* The definitions tree for "Module.Type". */
static asn1_node defs_for(const char *type)
{
	size_t i, n;
	const char *dot = strchr(type, '.');

	if (!dot)
		return NULL;
	n = (size_t)(dot - type);
	for (i = 0; i < N_MODULES; i++)
		if (strlen(modules[i].name) == n &&
		    memcmp(modules[i].name, type, n) == 0)
			return modules[i].defs;
	return NULL;
}

static void load_modules(const char *dir)
{
	size_t i;

	for (i = 0; i < N_MODULES; i++) {
		struct module *m = &modules[i];
		char path[4096], err[ASN1_MAX_ERROR_DESCRIPTION_SIZE] = "";
		int rc;

		snprintf(path, sizeof(path), "%s/%s", dir, m->file);
		rc = asn1_parser2tree(path, &m->defs, err);
		tap(rc == ASN1_SUCCESS, "%s: asn1_parser2tree builds module %s%s%s",
		    m->file, m->name, rc == ASN1_SUCCESS ? "" : ": ", err);
		if (rc != ASN1_SUCCESS) {
			m->defs = NULL;
			continue;
		}
		/* The definitions node carries the module name. */
		{
			asn1_node root = asn1_find_node(m->defs, m->name);
			const char *const *t;
			int missing = 0;

			if (!root)
				missing++;
			for (t = m->types; *t; t++) {
				char full[256];
				asn1_node e = NULL;

				snprintf(full, sizeof(full), "%s.%s", m->name, *t);
				rc = asn1_create_element(m->defs, full, &e);
				if (rc != ASN1_SUCCESS) {
					note("%s: no type %s (%s)", m->file, full,
					     asn1_strerror(rc));
					missing++;
				}
				asn1_delete_structure(&e);
			}
			tap(missing == 0, "%s: module %s defines all %d required types",
			    m->file, m->name, (int)(t - m->types));
		}
	}
}

static void free_modules(void)
{
	size_t i;

	for (i = 0; i < N_MODULES; i++)
		if (modules[i].defs)
			asn1_delete_structure(&modules[i].defs);
}

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

struct buf {
	unsigned char *data;
	int len;
};

static void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

static int read_file(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	long n;

	out->data = NULL;
	out->len = 0;
	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || n > (1L << 24)) {
		fclose(f);
		return -1;
	}
	out->data = malloc(n ? (size_t)n : 1);
	if (!out->data || fread(out->data, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		buf_free(out);
		return -1;
	}
	fclose(f);
	out->len = (int)n;
	return 0;
}

/* Read NAME under N into a new buffer.  Returns the asn1 error code;
 * ASN1_ELEMENT_NOT_FOUND (or ASN1_VALUE_NOT_FOUND) when absent. */
static int read_alloc(asn1_node n, const char *name, struct buf *out)
{
	int len = 0, rc;

	out->data = NULL;
	out->len = 0;
	rc = asn1_read_value(n, name, NULL, &len);
	if (rc != ASN1_MEM_ERROR && rc != ASN1_SUCCESS)
		return rc;
	out->data = malloc(len > 0 ? (size_t)len : 1);
	if (!out->data)
		return ASN1_MEM_ALLOC_ERROR;
	rc = asn1_read_value(n, name, out->data, &len);
	if (rc != ASN1_SUCCESS) {
		buf_free(out);
		return rc;
	}
	out->len = len;
	return ASN1_SUCCESS;
}

/* Read a short value (OID, CHOICE alternative name) as a string. */
static int read_str(asn1_node n, const char *name, char *s, int size)
{
	int len = size - 1, rc;

	rc = asn1_read_value(n, name, s, &len);
	if (rc != ASN1_SUCCESS) {
		s[0] = '\0';
		return rc;
	}
	s[len < size ? len : size - 1] = '\0';
	return rc;
}

static void hex(const unsigned char *p, int n, char *out, int size)
{
	int i;

	out[0] = '\0';
	for (i = 0; i < n && 2 * i + 2 < size; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static void join(char *out, size_t size, const char *prefix, const char *name)
{
	if (prefix && *prefix)
		snprintf(out, size, "%s.%s", prefix, name);
	else
		snprintf(out, size, "%s", name);
}

/* True when the element NAME is present under N (absent OPTIONAL
 * elements are removed from the tree by the decoder). */
static int present(asn1_node n, const char *name)
{
	return asn1_find_node(n, name) != NULL;
}

enum { BER = 0, DER = 1 };

/* DER-encode N into a new buffer. */
static int encode(asn1_node n, struct buf *out)
{
	char err[ASN1_MAX_ERROR_DESCRIPTION_SIZE] = "";
	int len = 0, rc;

	out->data = NULL;
	out->len = 0;
	rc = asn1_der_coding(n, "", NULL, &len, err);
	if (rc != ASN1_MEM_ERROR && rc != ASN1_SUCCESS)
		return rc;
	out->data = malloc(len > 0 ? (size_t)len : 1);
	if (!out->data)
		return ASN1_MEM_ALLOC_ERROR;
	rc = asn1_der_coding(n, "", out->data, &len, err);
	if (rc != ASN1_SUCCESS) {
		buf_free(out);
		return rc;
	}
	out->len = len;
	return ASN1_SUCCESS;
}

/* Decode P as TYPE without any TAP output.  Returns the asn1 code; on
 * success *OUT holds the tree and *USED the number of bytes read. */
static int decode_quiet(const char *type, const unsigned char *p, int len,
			asn1_node *out, int *used, char *err)
{
	asn1_node defs = defs_for(type), n = NULL;
	int rc;

	*out = NULL;
	err[0] = '\0';
	if (!defs) {
		snprintf(err, ASN1_MAX_ERROR_DESCRIPTION_SIZE,
			 "module of %s not loaded", type);
		return ASN1_ELEMENT_NOT_FOUND;
	}
	rc = asn1_create_element(defs, type, &n);
	if (rc != ASN1_SUCCESS)
		return rc;
	*used = len;
	/* No ASN1_DECODE_FLAG_STRICT_DER: the inputs may be BER. */
	rc = asn1_der_decoding2(&n, p, used, 0, err);
	if (rc != ASN1_SUCCESS) {
		asn1_delete_structure(&n);
		return rc;
	}
	*out = n;
	return ASN1_SUCCESS;
}

/* 1 when N re-encodes to exactly P/LEN; otherwise 0 and a reason. */
static int same_der(asn1_node n, const unsigned char *p, int len,
		    char *why, size_t size)
{
	struct buf enc;
	int rc, i;

	rc = encode(n, &enc);
	if (rc != ASN1_SUCCESS) {
		snprintf(why, size, "asn1_der_coding: %s", asn1_strerror(rc));
		return 0;
	}
	if (enc.len != len || memcmp(enc.data, p, (size_t)len) != 0) {
		for (i = 0; i < len && i < enc.len && enc.data[i] == p[i]; i++)
			;
		snprintf(why, size,
			 "re-encoding differs: %d bytes in, %d out, first "
			 "difference at offset %d", len, enc.len, i);
		buf_free(&enc);
		return 0;
	}
	buf_free(&enc);
	return 1;
}

/* Decode P as TYPE (one TAP test).  With DER the re-encoding must give
 * the same bytes.  Returns the tree (caller frees) or NULL. */
static asn1_node check_decode(const char *label, const char *what,
			      const char *type, const unsigned char *p,
			      int len, int mode)
{
	char err[ASN1_MAX_ERROR_DESCRIPTION_SIZE], why[256];
	asn1_node n = NULL;
	int used = 0, rc;

	rc = decode_quiet(type, p, len, &n, &used, err);
	if (rc != ASN1_SUCCESS) {
		tap(0, "%s: %s decodes as %s: %s %s", label, what, type,
		    asn1_strerror(rc), err);
		return NULL;
	}
	if (used != len) {
		tap(0, "%s: %s decodes as %s: %d trailing bytes", label, what,
		    type, len - used);
		asn1_delete_structure(&n);
		return NULL;
	}
	if (mode == DER) {
		int same = same_der(n, p, len, why, sizeof(why));

		tap(same, "%s: %s decodes as %s, DER re-encoding identical "
		    "(%d bytes)%s%s", label, what, type, len,
		    same ? "" : ": ", same ? "" : why);
		if (!same) {
			asn1_delete_structure(&n);
			return NULL;
		}
	} else {
		tap(1, "%s: %s decodes as %s (BER, %d bytes)", label, what,
		    type, len);
	}
	return n;
}

/* Read the encoded value of ANY field NAME under N and check it as
 * TYPE.  Absent field: no test, returns NULL. */
static asn1_node check_any(const char *label, asn1_node n, const char *name,
			   const char *type, int mode)
{
	struct buf v;
	asn1_node r;
	int rc = read_alloc(n, name, &v);

	if (rc == ASN1_ELEMENT_NOT_FOUND || rc == ASN1_VALUE_NOT_FOUND)
		return NULL;
	if (rc != ASN1_SUCCESS) {
		tap(0, "%s: read %s: %s", label, name, asn1_strerror(rc));
		return NULL;
	}
	r = check_decode(label, name, type, v.data, v.len, mode);
	buf_free(&v);
	return r;
}

/* ------------------------------------------------------------------ */
/* Facts: values seen while walking, for the known-answer tests.      */
/* ------------------------------------------------------------------ */

#define MAX_FACTS 256

static struct fact {
	char label[64];
	char key[64];
	char value[160];
} facts[MAX_FACTS];
static int n_facts;

static void fact(const char *label, const char *key, const char *value)
{
	struct fact *f;

	if (n_facts >= MAX_FACTS)
		return;
	f = &facts[n_facts++];
	snprintf(f->label, sizeof(f->label), "%s", label);
	snprintf(f->key, sizeof(f->key), "%s", key);
	snprintf(f->value, sizeof(f->value), "%s", value);
}

static void fact_hex(const char *label, const char *key, asn1_node n,
		     const char *name)
{
	struct buf v;
	char h[160];

	if (read_alloc(n, name, &v) != ASN1_SUCCESS)
		return;
	hex(v.data, v.len, h, sizeof(h));
	fact(label, key, h);
	buf_free(&v);
}

static void fact_str(const char *label, const char *key, asn1_node n,
		     const char *name)
{
	char s[160];

	if (read_str(n, name, s, sizeof(s)) == ASN1_SUCCESS)
		fact(label, key, s);
}

static void expect(const char *label, const char *key, const char *want,
		   const char *what)
{
	int i;

	for (i = 0; i < n_facts; i++)
		if (strcmp(facts[i].label, label) == 0 &&
		    strcmp(facts[i].key, key) == 0)
			break;
	if (i == n_facts) {
		tap(0, "%s: %s: %s not seen", label, what, key);
		return;
	}
	tap(strcmp(facts[i].value, want) == 0, "%s: %s (%s = %s, want %s)",
	    label, what, key, facts[i].value, want);
}

/* The same value was recorded for KEY under both labels. */
static void expect_same(const char *a, const char *b, const char *key,
			const char *what)
{
	const char *va = NULL, *vb = NULL;
	int i;

	for (i = 0; i < n_facts; i++) {
		if (strcmp(facts[i].key, key) != 0)
			continue;
		if (strcmp(facts[i].label, a) == 0)
			va = facts[i].value;
		if (strcmp(facts[i].label, b) == 0)
			vb = facts[i].value;
	}
	tap(va && vb && strcmp(va, vb) == 0, "%s and %s: %s (%s = %s / %s)",
	    a, b, what, key, va ? va : "(not seen)", vb ? vb : "(not seen)");
}

/* ------------------------------------------------------------------ */
/* Algorithm parameters                                               */
/* ------------------------------------------------------------------ */

static void check_alg(const char *label, const char *where, asn1_node n,
		      const char *alg, int depth);

/* Exact OID comparison. */
static int oid_is(const char *oid, const char *want)
{
	return strcmp(oid, want) == 0;
}

static int oid_in(const char *oid, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(oid, *list) == 0)
			return 1;
	return 0;
}

static const char *const aes_cbc[] = {
	"2.16.840.1.101.3.4.1.2", "2.16.840.1.101.3.4.1.22",
	"2.16.840.1.101.3.4.1.42", NULL
};
static const char *const aes_gcm[] = {
	"2.16.840.1.101.3.4.1.6", "2.16.840.1.101.3.4.1.26",
	"2.16.840.1.101.3.4.1.46", NULL
};
static const char *const aes_ccm[] = {
	"2.16.840.1.101.3.4.1.7", "2.16.840.1.101.3.4.1.27",
	"2.16.840.1.101.3.4.1.47", NULL
};
/* Key-agreement algorithms whose parameter is KeyWrapAlgorithm
 * (RFC 3370 4.1, RFC 5753 7.1.4, RFC 8418 2). */
static const char *const key_agree[] = {
	"1.2.840.113549.1.9.16.3.5",  /* id-alg-ESDH */
	"1.2.840.113549.1.9.16.3.10", /* id-alg-SSDH */
	"1.3.133.16.840.63.0.2",      /* dhSinglePass-stdDH-sha1kdf */
	"1.3.132.1.11.0", "1.3.132.1.11.1", "1.3.132.1.11.2",
	"1.3.132.1.11.3",
	"1.3.133.16.840.63.0.3",      /* dhSinglePass-cofactorDH-sha1kdf */
	"1.3.132.1.14.0", "1.3.132.1.14.1", "1.3.132.1.14.2",
	"1.3.132.1.14.3",
	"1.3.133.16.840.63.0.16",     /* mqvSinglePass-sha1kdf */
	"1.3.132.1.15.0", "1.3.132.1.15.1", "1.3.132.1.15.2",
	"1.3.132.1.15.3",
	"1.2.840.113549.1.9.16.3.19", "1.2.840.113549.1.9.16.3.20",
	"1.2.840.113549.1.9.16.3.21", /* dhSinglePass-stdDH-hkdf-* */
	NULL
};

#define OID_OAEP "1.2.840.113549.1.1.7"
#define OID_PSS "1.2.840.113549.1.1.10"
#define OID_MGF1 "1.2.840.113549.1.1.8"
#define OID_PSPECIFIED "1.2.840.113549.1.1.9"
#define OID_CHACHA "1.2.840.113549.1.9.16.3.18"
#define OID_DES3_CBC "1.2.840.113549.3.7"
#define OID_RC2_CBC "1.2.840.113549.3.2"
#define OID_RC2_WRAP "1.2.840.113549.1.9.16.3.7"
#define OID_PBKDF2 "1.2.840.113549.1.5.12"
#define OID_PWRI_KEK "1.2.840.113549.1.9.16.3.9"
#define OID_EC_PUBKEY "1.2.840.10045.2.1"
#define OID_ORI_KEM "1.2.840.113549.1.9.16.13.3"

/* Walk ALG (an AlgorithmIdentifier at path ALG under N): decode its
 * parameters with the CachetAlgs type that belongs to the OID, and
 * recurse into nested AlgorithmIdentifiers.  Everything here must be
 * DER (algorithm parameters are compared byte for byte by receivers,
 * RFC 8551 section 2.5.2, and all these vectors encode them as DER). */
static void check_alg(const char *label, const char *where, asn1_node n,
		      const char *alg, int depth)
{
	char path[256], ppath[256], oid[128], what[600];
	struct buf params;
	asn1_node p = NULL;
	int rc;

	if (depth > 4)
		return;
	join(path, sizeof(path), alg, "algorithm");
	join(ppath, sizeof(ppath), alg, "parameters");
	if (read_str(n, path, oid, sizeof(oid)) != ASN1_SUCCESS) {
		tap(0, "%s: read %s", label, path);
		return;
	}
	if (where && *where)
		snprintf(what, sizeof(what), "%s/%s", where, ppath);
	else
		snprintf(what, sizeof(what), "%s", ppath);
	rc = read_alloc(n, ppath, &params);
	if (rc != ASN1_SUCCESS)
		return; /* absent parameters: nothing to decode */
	if (params.len == 2 && params.data[0] == 0x05 && params.data[1] == 0) {
		buf_free(&params); /* NULL parameters */
		return;
	}

#define PARAMS(type) check_decode(label, what, type, params.data, params.len, DER)
	if (oid_is(oid, OID_OAEP)) {
		p = PARAMS("CachetAlgs.RSAES-OAEP-params");
		if (p) {
			fact_str(label, "oaep.hashFunc", p, "hashFunc.algorithm");
			fact_str(label, "oaep.maskGenFunc", p, "maskGenFunc.algorithm");
			if (present(p, "hashFunc"))
				check_alg(label, what, p, "hashFunc", depth + 1);
			if (present(p, "maskGenFunc"))
				check_alg(label, what, p, "maskGenFunc", depth + 1);
			if (present(p, "pSourceFunc"))
				check_alg(label, what, p, "pSourceFunc", depth + 1);
		}
	} else if (oid_is(oid, OID_PSS)) {
		p = PARAMS("CachetAlgs.RSASSA-PSS-params");
		if (p) {
			fact_str(label, "pss.hash", p, "hashAlgorithm.algorithm");
			fact_str(label, "pss.mgf", p, "maskGenAlgorithm.algorithm");
			fact_hex(label, "pss.saltLength", p, "saltLength");
			fact_hex(label, "pss.trailerField", p, "trailerField");
			if (present(p, "hashAlgorithm"))
				check_alg(label, what, p, "hashAlgorithm", depth + 1);
			if (present(p, "maskGenAlgorithm"))
				check_alg(label, what, p, "maskGenAlgorithm", depth + 1);
		}
	} else if (oid_is(oid, OID_MGF1)) {
		p = PARAMS("CachetAlgs.HashAlgorithm");
		if (p)
			fact_str(label, "mgf1.hash", p, "algorithm");
	} else if (oid_is(oid, OID_PSPECIFIED)) {
		p = PARAMS("CachetAlgs.PSpecifiedParameter");
	} else if (oid_in(oid, key_agree)) {
		p = PARAMS("CachetAlgs.KeyWrapAlgorithm");
		if (p) {
			fact_str(label, "kari.wrap", p, "algorithm");
			check_alg(label, what, p, "", depth + 1);
		}
	} else if (oid_in(oid, aes_cbc)) {
		p = PARAMS("CachetAlgs.AES-IV");
		if (p)
			fact(label, "cbc.iv.len",
			     params.len == 18 ? "16" : "other");
	} else if (oid_in(oid, aes_gcm)) {
		p = PARAMS("CachetAlgs.GCMParameters");
		if (p) {
			fact_hex(label, "gcm.nonce", p, "aes-nonce");
			fact_hex(label, "gcm.icvlen", p, "aes-ICVlen");
		}
	} else if (oid_in(oid, aes_ccm)) {
		p = PARAMS("CachetAlgs.CCMParameters");
	} else if (oid_is(oid, OID_CHACHA)) {
		p = PARAMS("CachetAlgs.AEADChaCha20Poly1305Nonce");
		if (p)
			fact_hex(label, "chacha.nonce", p, "");
	} else if (oid_is(oid, OID_DES3_CBC)) {
		p = PARAMS("CachetAlgs.CBCParameter");
	} else if (oid_is(oid, OID_RC2_CBC)) {
		p = PARAMS("CachetAlgs.RC2CBCParameter");
		if (p)
			fact_hex(label, "rc2.version", p, "rc2ParameterVersion");
	} else if (oid_is(oid, OID_RC2_WRAP)) {
		p = PARAMS("CachetAlgs.RC2wrapParameter");
		if (p)
			fact_hex(label, "rc2wrap.version", p, "");
	} else if (oid_is(oid, OID_PBKDF2)) {
		p = PARAMS("CachetAlgs.PBKDF2-params");
		if (p) {
			char choice[64];

			read_str(p, "salt", choice, sizeof(choice));
			fact(label, "pbkdf2.salt", choice);
			fact_hex(label, "pbkdf2.iterationCount", p,
				 "iterationCount");
			if (present(p, "prf"))
				check_alg(label, what, p, "prf", depth + 1);
		}
	} else if (oid_is(oid, OID_PWRI_KEK)) {
		p = PARAMS("CachetAlgs.PWRI-KEK-Params");
		if (p)
			check_alg(label, what, p, "", depth + 1);
	} else if (oid_is(oid, OID_EC_PUBKEY)) {
		p = PARAMS("CachetAlgs.ECParameters");
		if (p)
			fact_str(label, "ec.namedCurve", p, "namedCurve");
	} else {
		note("%s: %s: no parameter type for %s", label, what, oid);
	}
#undef PARAMS
	if (p)
		asn1_delete_structure(&p);
	buf_free(&params);
}

/* ------------------------------------------------------------------ */
/* Attributes                                                         */
/* ------------------------------------------------------------------ */

static const struct {
	const char *oid;
	const char *type;
} attr_types[] = {
	{ "1.2.840.113549.1.9.3", "CachetCMS.ContentType" },
	{ "1.2.840.113549.1.9.4", "CachetCMS.MessageDigest" },
	{ "1.2.840.113549.1.9.5", "CachetCMS.SigningTime" },
	{ "1.2.840.113549.1.9.6", "CachetCMS.Countersignature" },
	{ "1.2.840.113549.1.9.15", "CachetSMIME.SMIMECapabilities" },
	{ "1.2.840.113549.1.9.52", "CachetAlgProt.CMSAlgorithmProtection" },
	{ "1.2.840.113549.1.9.16.2.1", "CachetESS.ReceiptRequest" },
	{ "1.2.840.113549.1.9.16.2.2", "CachetESS.ESSSecurityLabel" },
	{ "1.2.840.113549.1.9.16.2.3", "CachetESS.MLExpansionHistory" },
	{ "1.2.840.113549.1.9.16.2.4", "CachetESS.ContentHints" },
	{ "1.2.840.113549.1.9.16.2.5", "CachetESS.MsgSigDigest" },
	{ "1.2.840.113549.1.9.16.2.7", "CachetESS.ContentIdentifier" },
	{ "1.2.840.113549.1.9.16.2.9", "CachetESS.EquivalentLabels" },
	{ "1.2.840.113549.1.9.16.2.10", "CachetESS.ContentReference" },
	{ "1.2.840.113549.1.9.16.2.11",
	  "CachetSMIME.SMIMEEncryptionKeyPreference" },
	{ "1.2.840.113549.1.9.16.2.12", "CachetESS.SigningCertificate" },
	{ "1.2.840.113549.1.9.16.2.47", "CachetESS.SigningCertificateV2" },
};

/* Check every value of the attribute set at path SET under N. */
static void check_attrs(const char *label, asn1_node n, const char *set)
{
	int count = 0, i, j;

	if (asn1_number_of_elements(n, set, &count) != ASN1_SUCCESS)
		return;
	for (i = 1; i <= count; i++) {
		char tpath[256], vset[256], oid[128];
		const char *type = NULL;
		size_t k;
		int nv = 0;

		snprintf(tpath, sizeof(tpath), "%s.?%d.attrType", set, i);
		snprintf(vset, sizeof(vset), "%s.?%d.attrValues", set, i);
		if (read_str(n, tpath, oid, sizeof(oid)) != ASN1_SUCCESS) {
			tap(0, "%s: read %s", label, tpath);
			continue;
		}
		for (k = 0; k < sizeof(attr_types) / sizeof(attr_types[0]); k++)
			if (strcmp(attr_types[k].oid, oid) == 0)
				type = attr_types[k].type;
		asn1_number_of_elements(n, vset, &nv);
		if (!type) {
			note("%s: %s: attribute %s not checked (no type)", label,
			     set, oid);
			continue;
		}
		for (j = 1; j <= nv; j++) {
			char vpath[300];
			asn1_node v;

			snprintf(vpath, sizeof(vpath), "%s.?%d", vset, j);
			v = check_any(label, n, vpath, type, DER);
			if (!v)
				continue;
			if (strcmp(type, "CachetAlgProt.CMSAlgorithmProtection") == 0) {
				check_alg(label, vpath, v, "digestAlgorithm", 1);
				if (present(v, "signatureAlgorithm"))
					check_alg(label, vpath, v,
						  "signatureAlgorithm", 1);
				if (present(v, "macAlgorithm"))
					check_alg(label, vpath, v, "macAlgorithm", 1);
			}
			if (strcmp(type, "CachetCMS.SigningTime") == 0) {
				char c[32];

				read_str(v, "", c, sizeof(c));
				fact(label, "signingTime.choice", c);
			}
			if (strcmp(type, "CachetSMIME.SMIMECapabilities") == 0) {
				int ncap = 0;

				asn1_number_of_elements(v, "", &ncap);
				note("%s: %d S/MIME capabilities", label, ncap);
			}
			asn1_delete_structure(&v);
		}
	}
}

/* Signed attributes: the [0] IMPLICIT field is hashed with a SET tag
 * (RFC 5652 section 5.4); decode exactly those bytes as
 * SignedAttributes and require DER. */
static void check_signed_attrs_der(const char *label, asn1_node sd,
				   const unsigned char *der, int len,
				   const char *path)
{
	int start = 0, end = 0, rc;
	unsigned char *copy;
	asn1_node n;

	rc = asn1_der_decoding_startEnd(sd, der, len, path, &start, &end);
	if (rc != ASN1_SUCCESS) {
		tap(0, "%s: locate %s: %s", label, path, asn1_strerror(rc));
		return;
	}
	copy = malloc((size_t)(end - start + 1));
	if (!copy)
		return;
	memcpy(copy, der + start, (size_t)(end - start + 1));
	if (copy[0] != 0xa0) {
		tap(0, "%s: %s starts with 0x%02x, not [0]", label, path,
		    copy[0]);
		free(copy);
		return;
	}
	copy[0] = 0x31; /* SET OF */
	n = check_decode(label, "signedAttrs as hashed (SET tag)",
			 "CachetCMS.SignedAttributes", copy, end - start + 1,
			 DER);
	if (n)
		asn1_delete_structure(&n);
	free(copy);
}

/* ------------------------------------------------------------------ */
/* Content types                                                      */
/* ------------------------------------------------------------------ */

/* Certificates and CRLs of a SignedData or OriginatorInfo. */
static void check_cert_set(const char *label, asn1_node n, const char *set,
			   const unsigned char *der, int len, int mode)
{
	int count = 0, i;

	if (asn1_number_of_elements(n, set, &count) != ASN1_SUCCESS)
		return;
	for (i = 1; i <= count; i++) {
		char path[256], choice[64], what[400];
		int start, end;
		asn1_node c;

		snprintf(path, sizeof(path), "%s.?%d", set, i);
		read_str(n, path, choice, sizeof(choice));
		if (strcmp(choice, "certificate") != 0 &&
		    strcmp(choice, "crl") != 0) {
			note("%s: %s is %s", label, path, choice);
			continue;
		}
		if (asn1_der_decoding_startEnd(n, der, len, path, &start,
					       &end) != ASN1_SUCCESS) {
			tap(0, "%s: locate %s", label, path);
			continue;
		}
		snprintf(what, sizeof(what), "%s (%s)", path, choice);
		c = check_decode(label, what,
				 strcmp(choice, "crl") == 0
					 ? "CachetCMS.CertificateList"
					 : "CachetCMS.Certificate",
				 der + start, end - start + 1, mode);
		if (c)
			asn1_delete_structure(&c);
	}
}

static const char *const dsa_sigs[] = {
	"1.2.840.10040.4.1",	   /* id-dsa, accepted as a signature OID */
	"1.2.840.10040.4.3",	   /* id-dsa-with-sha1 */
	"2.16.840.1.101.3.4.3.1", /* id-dsa-with-sha224 */
	"2.16.840.1.101.3.4.3.2", /* id-dsa-with-sha256 */
	NULL
};
static const char *const ecdsa_sigs[] = {
	"1.2.840.10045.4.1",	   /* ecdsa-with-SHA1 */
	"1.2.840.10045.4.3.1", "1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3",
	"1.2.840.10045.4.3.4",	   /* ecdsa-with-SHA224..512 */
	NULL
};

/* A DSA or ECDSA SignatureValue holds a DER Dss-Sig-Value or
 * ECDSA-Sig-Value (RFC 3370 section 3.1, RFC 5753 section 7.2). */
static void check_signature_value(const char *label, asn1_node sd,
				  const char *si)
{
	char path[128], oid[128];
	const char *type;
	struct buf v;
	asn1_node n;

	snprintf(path, sizeof(path), "%s.signatureAlgorithm.algorithm", si);
	if (read_str(sd, path, oid, sizeof(oid)) != ASN1_SUCCESS)
		return;
	if (oid_in(oid, dsa_sigs))
		type = "CachetAlgs.Dss-Sig-Value";
	else if (oid_in(oid, ecdsa_sigs))
		type = "CachetAlgs.ECDSA-Sig-Value";
	else
		return;
	snprintf(path, sizeof(path), "%s.signature", si);
	if (read_alloc(sd, path, &v) != ASN1_SUCCESS) {
		tap(0, "%s: read %s", label, path);
		return;
	}
	n = check_decode(label, path, type, v.data, v.len, DER);
	if (n)
		asn1_delete_structure(&n);
	buf_free(&v);
}

static void check_signer_infos(const char *label, asn1_node sd,
			       const unsigned char *der, int len)
{
	int count = 0, i;

	asn1_number_of_elements(sd, "signerInfos", &count);
	for (i = 1; i <= count; i++) {
		char si[64], path[128];

		snprintf(si, sizeof(si), "signerInfos.?%d", i);
		snprintf(path, sizeof(path), "%s.digestAlgorithm", si);
		check_alg(label, NULL, sd, path, 0);
		snprintf(path, sizeof(path), "%s.signatureAlgorithm", si);
		check_alg(label, NULL, sd, path, 0);
		check_signature_value(label, sd, si);
		snprintf(path, sizeof(path), "%s.signedAttrs", si);
		if (present(sd, path)) {
			check_attrs(label, sd, path);
			check_signed_attrs_der(label, sd, der, len, path);
		}
		snprintf(path, sizeof(path), "%s.unsignedAttrs", si);
		if (present(sd, path))
			check_attrs(label, sd, path);
	}
}

/* 64-bit FNV-1a, to compare contents without storing them. */
static unsigned long long fnv1a(const unsigned char *p, unsigned int n)
{
	unsigned long long h = 1469598103934665603ULL;
	unsigned int i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* eContent is declared ANY (see cms-5652.asn): check that it holds an
 * OCTET STRING (primitive; or constructed, BER only) and get the
 * octets with asn1_decode_simple_ber(), as the library does.  With
 * PKCS7 set the content is expected not to be an OCTET STRING
 * (RFC 5652 section 5.2.1). */
static void check_econtent(const char *label, asn1_node sd, int mode,
			   int pkcs7)
{
	unsigned char *str = NULL;
	unsigned int slen = 0, blen = 0;
	struct buf v;
	char h[64];
	int rc, ok;

	rc = read_alloc(sd, "encapContentInfo.eContent", &v);
	if (rc == ASN1_ELEMENT_NOT_FOUND || rc == ASN1_VALUE_NOT_FOUND) {
		fact(label, "eContent", "absent");
		return;
	}
	if (rc != ASN1_SUCCESS || v.len < 2) {
		tap(0, "%s: read encapContentInfo.eContent: %s", label,
		    asn1_strerror(rc));
		buf_free(&v);
		return;
	}
	if (pkcs7) {
		tap(v.data[0] != 0x04 && v.data[0] != 0x24,
		    "%s: eContent is PKCS #7 content, not an OCTET STRING "
		    "(tag 0x%02x, %d bytes)", label, v.data[0], v.len);
		buf_free(&v);
		return;
	}
	if (v.data[0] == 0x04 || (v.data[0] == 0x24 && mode == BER))
		rc = asn1_decode_simple_ber(ASN1_ETYPE_OCTET_STRING, v.data,
					    (unsigned int)v.len, &str, &slen,
					    &blen);
	else
		rc = ASN1_TAG_ERROR;
	ok = rc == ASN1_SUCCESS && blen == (unsigned int)v.len;
	tap(ok, "%s: eContent is an OCTET STRING (%s, %u octets)%s%s", label,
	    v.data[0] == 0x24 ? "constructed" : "primitive", slen,
	    ok ? "" : ": ", ok ? "" : asn1_strerror(rc));
	if (ok) {
		snprintf(h, sizeof(h), "%u:%016llx", slen, fnv1a(str, slen));
		fact(label, "eContent", h);
		if (slen < 100) {
			char text[100];

			memcpy(text, str, slen);
			text[slen] = '\0';
			fact(label, "eContent.text", text);
		}
	}
	free(str);
	buf_free(&v);
}

static void check_signed(const char *label, const unsigned char *p, int len,
			 int mode, int pkcs7)
{
	asn1_node sd = check_decode(label, "content", "CachetCMS.SignedData",
				    p, len, mode);
	int count = 0;

	if (!sd)
		return;
	asn1_number_of_elements(sd, "signerInfos", &count);
	fact(label, "signerInfos", count == 1 ? "1" : count == 2 ? "2" : "other");
	check_econtent(label, sd, mode, pkcs7);
	check_signer_infos(label, sd, p, len);
	/* Certificates and CRLs are signed objects: DER even in a BER
	 * message. */
	check_cert_set(label, sd, "certificates", p, len, DER);
	check_cert_set(label, sd, "crls", p, len, DER);
	asn1_delete_structure(&sd);
}

/* CMSORIforKEMOtherInfo built from a KEMRecipientInfo must encode and
 * decode back (RFC 9629 section 5). */
static void check_kem_otherinfo(const char *label, asn1_node kemri)
{
	asn1_node oi = NULL, back = NULL;
	struct buf wrap_oid = { 0 }, klen = { 0 }, ukm = { 0 }, enc = { 0 };
	char oid[128], err[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
	int rc, used = 0, ok = 0;

	if (asn1_create_element(defs_for("CachetKEM.CMSORIforKEMOtherInfo"),
				"CachetKEM.CMSORIforKEMOtherInfo", &oi) !=
	    ASN1_SUCCESS)
		goto done;
	read_str(kemri, "wrap.algorithm", oid, sizeof(oid));
	rc = asn1_write_value(oi, "wrap.algorithm", oid, 1);
	if (rc == ASN1_SUCCESS &&
	    read_alloc(kemri, "wrap.parameters", &wrap_oid) == ASN1_SUCCESS)
		rc = asn1_write_value(oi, "wrap.parameters", wrap_oid.data,
				      wrap_oid.len);
	else if (rc == ASN1_SUCCESS)
		rc = asn1_write_value(oi, "wrap.parameters", NULL, 0);
	if (rc == ASN1_SUCCESS)
		rc = read_alloc(kemri, "kekLength", &klen);
	if (rc == ASN1_SUCCESS)
		rc = asn1_write_value(oi, "kekLength", klen.data, klen.len);
	if (rc == ASN1_SUCCESS) {
		if (read_alloc(kemri, "ukm", &ukm) == ASN1_SUCCESS)
			rc = asn1_write_value(oi, "ukm", ukm.data, ukm.len);
		else
			rc = asn1_write_value(oi, "ukm", NULL, 0);
	}
	if (rc == ASN1_SUCCESS)
		rc = encode(oi, &enc);
	if (rc == ASN1_SUCCESS)
		rc = decode_quiet("CachetKEM.CMSORIforKEMOtherInfo", enc.data,
				  enc.len, &back, &used, err);
	ok = rc == ASN1_SUCCESS && used == enc.len;
	if (ok) {
		char h[600];

		hex(enc.data, enc.len, h, sizeof(h));
		fact(label, "kem.otherinfo", h);
	}
done:
	tap(ok, "%s: CMSORIforKEMOtherInfo built from the KEMRecipientInfo "
	    "encodes and decodes back (%d bytes)", label, enc.len);
	buf_free(&wrap_oid);
	buf_free(&klen);
	buf_free(&ukm);
	buf_free(&enc);
	if (oi)
		asn1_delete_structure(&oi);
	if (back)
		asn1_delete_structure(&back);
}

/* ECC-CMS-SharedInfo built from a kari must encode and decode back
 * (RFC 5753 section 7.2, RFC 8418 section 2). */
static void check_shared_info(const char *label, asn1_node env,
			      const char *kari)
{
	asn1_node si = NULL, back = NULL, kw = NULL;
	struct buf wrap = { 0 }, ukm = { 0 }, enc = { 0 };
	char path[256], oid[128], err[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
	/* KEK length in bits, 32-bit big-endian: 128/192/256 by wrap OID */
	unsigned char bits[4] = { 0, 0, 0, 0 };
	int rc, used = 0, ok = 0;

	snprintf(path, sizeof(path), "%s.keyEncryptionAlgorithm.parameters",
		 kari);
	if (read_alloc(env, path, &wrap) != ASN1_SUCCESS)
		goto done;
	if (decode_quiet("CachetAlgs.KeyWrapAlgorithm", wrap.data, wrap.len,
			 &kw, &used, err) != ASN1_SUCCESS)
		goto done;
	read_str(kw, "algorithm", oid, sizeof(oid));
	if (strcmp(oid, "2.16.840.1.101.3.4.1.5") == 0)
		bits[2] = 0x00, bits[3] = 0x80;
	else if (strcmp(oid, "2.16.840.1.101.3.4.1.25") == 0)
		bits[2] = 0x00, bits[3] = 0xc0;
	else if (strcmp(oid, "2.16.840.1.101.3.4.1.45") == 0)
		bits[2] = 0x01, bits[3] = 0x00;
	else
		bits[2] = 0x00, bits[3] = 0xc0; /* 3DES wrap: 192 */
	if (asn1_create_element(defs_for("CachetAlgs.ECC-CMS-SharedInfo"),
				"CachetAlgs.ECC-CMS-SharedInfo", &si) !=
	    ASN1_SUCCESS)
		goto done;
	rc = asn1_write_value(si, "keyInfo.algorithm", oid, 1);
	if (rc == ASN1_SUCCESS)
		rc = asn1_write_value(si, "keyInfo.parameters", NULL, 0);
	snprintf(path, sizeof(path), "%s.ukm", kari);
	if (rc == ASN1_SUCCESS) {
		if (read_alloc(env, path, &ukm) == ASN1_SUCCESS)
			rc = asn1_write_value(si, "entityUInfo", ukm.data,
					      ukm.len);
		else
			rc = asn1_write_value(si, "entityUInfo", NULL, 0);
	}
	if (rc == ASN1_SUCCESS)
		rc = asn1_write_value(si, "suppPubInfo", bits, 4);
	if (rc == ASN1_SUCCESS)
		rc = encode(si, &enc);
	if (rc == ASN1_SUCCESS)
		rc = decode_quiet("CachetAlgs.ECC-CMS-SharedInfo", enc.data,
				  enc.len, &back, &used, err);
	ok = rc == ASN1_SUCCESS && used == enc.len;
	if (ok) {
		char h[600];

		hex(enc.data, enc.len, h, sizeof(h));
		fact(label, "kari.sharedinfo", h);
	}
done:
	tap(ok, "%s: ECC-CMS-SharedInfo built from %s encodes and decodes "
	    "back (%d bytes)", label, kari, enc.len);
	buf_free(&wrap);
	buf_free(&ukm);
	buf_free(&enc);
	if (kw)
		asn1_delete_structure(&kw);
	if (si)
		asn1_delete_structure(&si);
	if (back)
		asn1_delete_structure(&back);
}

static void check_recipients(const char *label, asn1_node env)
{
	int count = 0, i;

	asn1_number_of_elements(env, "recipientInfos", &count);
	for (i = 1; i <= count; i++) {
		char ri[64], choice[32], path[256];

		snprintf(ri, sizeof(ri), "recipientInfos.?%d", i);
		if (read_str(env, ri, choice, sizeof(choice)) != ASN1_SUCCESS) {
			tap(0, "%s: read %s", label, ri);
			continue;
		}
		{
			char key[32];

			snprintf(key, sizeof(key), "ri%d", i);
			fact(label, key, choice);
		}
		if (strcmp(choice, "ktri") == 0) {
			snprintf(path, sizeof(path), "%s.ktri.keyEncryptionAlgorithm", ri);
			check_alg(label, NULL, env, path, 0);
		} else if (strcmp(choice, "kari") == 0) {
			char kari[80], ok_choice[32];

			snprintf(kari, sizeof(kari), "%s.kari", ri);
			snprintf(path, sizeof(path), "%s.originator", kari);
			read_str(env, path, ok_choice, sizeof(ok_choice));
			if (strcmp(ok_choice, "originatorKey") == 0) {
				snprintf(path, sizeof(path),
					 "%s.originator.originatorKey.algorithm",
					 kari);
				check_alg(label, NULL, env, path, 0);
				fact_str(label, "kari.originator", env,
					 strcat(path, ".algorithm"));
			}
			snprintf(path, sizeof(path), "%s.keyEncryptionAlgorithm", kari);
			check_alg(label, NULL, env, path, 0);
			check_shared_info(label, env, kari);
		} else if (strcmp(choice, "kekri") == 0) {
			snprintf(path, sizeof(path), "%s.kekri.keyEncryptionAlgorithm", ri);
			check_alg(label, NULL, env, path, 0);
			snprintf(path, sizeof(path), "%s.kekri.kekid.keyIdentifier", ri);
			fact_hex(label, "kekri.keyid", env, path);
		} else if (strcmp(choice, "pwri") == 0) {
			snprintf(path, sizeof(path),
				 "%s.pwri.keyDerivationAlgorithm", ri);
			if (present(env, path))
				check_alg(label, NULL, env, path, 0);
			snprintf(path, sizeof(path), "%s.pwri.keyEncryptionAlgorithm", ri);
			check_alg(label, NULL, env, path, 0);
		} else if (strcmp(choice, "ori") == 0) {
			char oid[128];
			asn1_node k;

			snprintf(path, sizeof(path), "%s.ori.oriType", ri);
			read_str(env, path, oid, sizeof(oid));
			if (strcmp(oid, OID_ORI_KEM) != 0) {
				note("%s: %s: unknown oriType %s", label, ri, oid);
				continue;
			}
			snprintf(path, sizeof(path), "%s.ori.oriValue", ri);
			k = check_any(label, env, path, "CachetKEM.KEMRecipientInfo", DER);
			if (!k)
				continue;
			check_alg(label, path, k, "kem", 0);
			check_alg(label, path, k, "kdf", 0);
			check_alg(label, path, k, "wrap", 0);
			fact_hex(label, "kem.kekLength", k, "kekLength");
			check_kem_otherinfo(label, k);
			asn1_delete_structure(&k);
		}
	}
}

static void check_enveloped(const char *label, const unsigned char *p,
			    int len, int mode, int auth)
{
	asn1_node env = check_decode(label, "content",
				     auth ? "CachetAuthEnv.AuthEnvelopedData"
					  : "CachetCMS.EnvelopedData",
				     p, len, mode);
	if (!env)
		return;
	check_recipients(label, env);
	check_alg(label, NULL, env,
		  auth ? "authEncryptedContentInfo.contentEncryptionAlgorithm"
		       : "encryptedContentInfo.contentEncryptionAlgorithm",
		  0);
	if (present(env, "originatorInfo")) {
		check_cert_set(label, env, "originatorInfo.certs", p, len, DER);
		check_cert_set(label, env, "originatorInfo.crls", p, len, DER);
	}
	if (auth) {
		if (present(env, "authAttrs"))
			check_attrs(label, env, "authAttrs");
		fact_hex(label, "mac", env, "mac");
	}
	asn1_delete_structure(&env);
}

enum kind {
	K_SIGNED,
	K_ENVELOPED,
	K_AUTHENV,
	K_DIGESTED,
	K_ENCRYPTED,
	K_DATA,
	K_COMPRESSED,
	K_CERT,
	K_CRL,
	K_SPKI
};

static const char *const kind_oid[] = {
	[K_SIGNED] = "1.2.840.113549.1.7.2",
	[K_ENVELOPED] = "1.2.840.113549.1.7.3",
	[K_AUTHENV] = "1.2.840.113549.1.9.16.1.23",
	[K_DIGESTED] = "1.2.840.113549.1.7.5",
	[K_ENCRYPTED] = "1.2.840.113549.1.7.6",
	[K_DATA] = "1.2.840.113549.1.7.1",
	[K_COMPRESSED] = "1.2.840.113549.1.9.16.1.9",
};

struct vector {
	const char *path; /* relative to CACHET_VECTORS */
	enum kind kind;
	int mode;	  /* DER, or BER (indefinite lengths) */
	int required;	  /* fail (not skip) when the file is missing */
	int pkcs7;	  /* SignedData content is not an OCTET STRING */
};

static const struct vector vectors[] = {
	/* RFC 4134 examples (bcgit/bc-test-data) */
	{ "rfc4134/3.1.bin", K_DATA, BER, 0, 0 },
	{ "rfc4134/3.2.bin", K_DATA, DER, 0, 0 },
	{ "rfc4134/4.1.bin", K_SIGNED, DER, 0, 0 },
	{ "rfc4134/4.2.bin", K_SIGNED, DER, 1, 0 },
	{ "rfc4134/4.3.bin", K_SIGNED, DER, 0, 0 },
	{ "rfc4134/4.4.bin", K_SIGNED, DER, 1, 0 },
	{ "rfc4134/4.5.bin", K_SIGNED, BER, 1, 0 },
	{ "rfc4134/4.6.bin", K_SIGNED, DER, 1, 0 },
	{ "rfc4134/4.7.bin", K_SIGNED, DER, 1, 0 },
	{ "rfc4134/4.10.bin", K_SIGNED, DER, 0, 0 },
	{ "rfc4134/4.11.bin", K_SIGNED, DER, 0, 0 },
	{ "rfc4134/5.1.bin", K_ENVELOPED, DER, 1, 0 },
	{ "rfc4134/5.2.bin", K_ENVELOPED, DER, 1, 0 },
	{ "rfc4134/6.0.bin", K_DIGESTED, DER, 0, 0 },
	{ "rfc4134/7.1.bin", K_ENCRYPTED, DER, 0, 0 },
	{ "rfc4134/7.2.bin", K_ENCRYPTED, DER, 0, 0 },
	{ "rfc4134/CarlRSASelf.cer", K_CERT, DER, 0, 0 },
	{ "rfc4134/CarlDSSSelf.cer", K_CERT, DER, 0, 0 },
	{ "rfc4134/AliceRSASignByCarl.cer", K_CERT, DER, 0, 0 },
	{ "rfc4134/DianeDSSSignByCarlInherit.cer", K_CERT, DER, 0, 0 },
	{ "rfc4134/CarlRSACRLForAll.crl", K_CRL, DER, 0, 0 },
	{ "rfc4134/CarlDSSCRLForAll.crl", K_CRL, DER, 0, 0 },
	{ "rfc4134/CarlDSSCRLEmpty.crl", K_CRL, DER, 0, 0 },
	/* RFC 9216 example messages (davidi67/examples-cms) */
	{ "rfc9216-examples-cms/binary-files/signedByAliceRSA.p7m", K_SIGNED, DER, 1, 0 },
	{ "rfc9216-examples-cms/binary-files/signedByAliceRSAPSS.p7m", K_SIGNED, DER, 1, 0 },
	{ "rfc9216-examples-cms/binary-files/signedByCarlosEd25519.p7m", K_SIGNED, DER, 1, 0 },
	{ "rfc9216-examples-cms/binary-files/signedByCarlosDetached.p7m", K_SIGNED, DER, 1, 0 },
	{ "rfc9216-examples-cms/binary-files/signedByAliceAndCarlosNoCerts.p7m", K_SIGNED, DER, 1, 0 },
	{ "rfc9216-examples-cms/binary-files/encryptedForBobRSAOaep.p7m", K_ENVELOPED, DER, 1, 0 },
	{ "rfc9216-examples-cms/binary-files/encryptedForBobAndDana.p7m", K_ENVELOPED, DER, 1, 0 },
	{ "rfc9216-examples-cms/binary-files/encryptedKekri.p7m", K_ENVELOPED, DER, 1, 0 },
	{ "rfc9216-examples-cms/binary-files/authEnvelopedForDanaX25519HKDF.p7m", K_AUTHENV, DER, 1, 0 },
	{ "rfc9216-examples-cms/binary-files/authEnvelopedForBobChaCha20Poly1305.p7m", K_AUTHENV, DER, 1, 0 },
	/* RustCrypto formats cms/tests/examples: pwri, ori (KEM), kari
	 * with P-256, compressed data */
	{ "rustcrypto-cms/enveloped_data_pwri.bin", K_ENVELOPED, DER, 0, 0 },
	{ "rustcrypto-cms/enveloped_data_kari.bin", K_ENVELOPED, DER, 0, 0 },
	{ "rustcrypto-cms/enveloped_data_multi.bin", K_ENVELOPED, DER, 0, 0 },
	{ "rustcrypto-cms/1.3.6.1.4.1.22554.5.6.1_ML-KEM-512-ipd_kemri_ukm.der", K_ENVELOPED, DER, 0, 0 },
	{ "rustcrypto-cms/1.3.6.1.4.1.22554.5.6.1_ML-KEM-512-ipd_kemri_auth.der", K_AUTHENV, DER, 0, 0 },
	{ "rustcrypto-cms/compressed_data.bin", K_COMPRESSED, DER, 0, 0 },
	{ "rustcrypto-cms/enveloped_data_ktri.bin", K_ENVELOPED, DER, 0, 0 },
	{ "rustcrypto-cms/enveloped_data_kekri.bin", K_ENVELOPED, DER, 0, 0 },
	{ "rustcrypto-cms/digested_data.bin", K_DIGESTED, DER, 0, 0 },
	{ "rustcrypto-cms/encrypted_data.bin", K_ENCRYPTED, DER, 0, 0 },
	/* Streamed BER from other stacks: these need eContent as ANY. */
	{ "rustcrypto-cms/cms_der.bin", K_SIGNED, DER, 0, 0 },
	{ "rustcrypto-cms/cms_ber.bin", K_SIGNED, BER, 0, 0 },
	{ "bouncycastle/cms/counterSig.p7m", K_SIGNED, BER, 0, 0 },
	{ "libksba/rsa-sample1.p7s", K_SIGNED, BER, 0, 0 },
	{ "libksba/rsa-sample1.p7m", K_ENVELOPED, BER, 0, 0 },
	{ "rustcrypto-cms/kms_ciphertext_for_recipient_1.ber", K_ENVELOPED, BER, 0, 0 },
	/* PKCS #7 content that is not an OCTET STRING (RFC 5652 5.2.1) */
	{ "gnutls/pkcs7-cat.p7", K_SIGNED, DER, 0, 1 },
	/* ECDSA signatures, EC public key */
	{ "libksba/ecdsa-sample1.p7s", K_SIGNED, BER, 0, 0 },
	{ "rustcrypto-cms/p256-pub.der", K_SPKI, DER, 0, 0 },
};

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static void check_vector(const char *root, const struct vector *v)
{
	char path[4096], ctype[128];
	const char *label = base_name(v->path);
	struct buf file, content;
	asn1_node ci;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", root, v->path);
	if (read_file(path, &file) != 0) {
		if (v->required)
			tap(0, "%s: read %s: %s", label, path, strerror(errno));
		else
			skip("%s: %s not found", label, path);
		return;
	}
	if (v->kind == K_SPKI) {
		ci = check_decode(label, "file", "CachetAlgs.SubjectPublicKeyInfo",
				  file.data, file.len, v->mode);
		if (ci) {
			check_alg(label, NULL, ci, "algorithm", 0);
			fact_str(label, "spki.algorithm", ci, "algorithm.algorithm");
			asn1_delete_structure(&ci);
		}
		buf_free(&file);
		return;
	}
	if (v->kind == K_CERT || v->kind == K_CRL) {
		ci = check_decode(label, "file",
				  v->kind == K_CERT ? "CachetCMS.Certificate"
						    : "CachetCMS.CertificateList",
				  file.data, file.len, v->mode);
		if (ci) {
			check_alg(label, NULL, ci, "signatureAlgorithm", 0);
			asn1_delete_structure(&ci);
		}
		buf_free(&file);
		return;
	}

	ci = check_decode(label, "file", "CachetCMS.ContentInfo", file.data,
			  file.len, v->mode);
	if (!ci) {
		buf_free(&file);
		return;
	}
	read_str(ci, "contentType", ctype, sizeof(ctype));
	tap(strcmp(ctype, kind_oid[v->kind]) == 0,
	    "%s: contentType is %s (want %s)", label, ctype, kind_oid[v->kind]);
	rc = read_alloc(ci, "content", &content);
	if (rc != ASN1_SUCCESS) {
		tap(0, "%s: read content: %s", label, asn1_strerror(rc));
		asn1_delete_structure(&ci);
		buf_free(&file);
		return;
	}
	switch (v->kind) {
	case K_SIGNED:
		check_signed(label, content.data, content.len, v->mode,
			     v->pkcs7);
		break;
	case K_ENVELOPED:
	case K_AUTHENV:
		check_enveloped(label, content.data, content.len, v->mode,
				v->kind == K_AUTHENV);
		break;
	case K_DIGESTED: {
		asn1_node n = check_decode(label, "content",
					   "CachetCMS.DigestedData",
					   content.data, content.len, v->mode);
		if (n) {
			check_alg(label, NULL, n, "digestAlgorithm", 0);
			asn1_delete_structure(&n);
		}
		break;
	}
	case K_ENCRYPTED: {
		asn1_node n = check_decode(label, "content",
					   "CachetCMS.EncryptedData",
					   content.data, content.len, v->mode);
		if (n) {
			check_alg(label, NULL, n,
				  "encryptedContentInfo.contentEncryptionAlgorithm",
				  0);
			asn1_delete_structure(&n);
		}
		break;
	}
	case K_COMPRESSED: {
		asn1_node n = check_decode(label, "content",
					   "CachetCompress.CompressedData",
					   content.data, content.len, v->mode);
		if (n) {
			fact_str(label, "compressionAlgorithm", n,
				 "compressionAlgorithm.algorithm");
			asn1_delete_structure(&n);
		}
		break;
	}
	case K_DATA: {
		/* id-data content is an OCTET STRING (constructed in BER). */
		struct buf data = { 0 };
		char err[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
		asn1_node n = NULL;
		int used = 0;

		/* RFC 5652 section 4 gives the Data type no name; decode
		 * it with one of the module's plain OCTET STRING types. */
		rc = decode_quiet("CachetCMS.EncryptedContent", content.data,
				  content.len, &n, &used, err);
		if (rc == ASN1_SUCCESS)
			rc = read_alloc(n, "", &data);
		tap(rc == ASN1_SUCCESS && used == content.len && data.len == 28 &&
			    memcmp(data.data, "This is some sample content.", 28) == 0,
		    "%s: id-data content is the OCTET STRING \"This is some "
		    "sample content.\"", label);
		buf_free(&data);
		if (n)
			asn1_delete_structure(&n);
		break;
	}
	default:
		break;
	}
	buf_free(&content);
	asn1_delete_structure(&ci);
	buf_free(&file);
}

/* ------------------------------------------------------------------ */
/* Negative controls: the checks above must be able to fail.          */
/* ------------------------------------------------------------------ */

static void controls(const char *root)
{
	char path[4096], err[ASN1_MAX_ERROR_DESCRIPTION_SIZE], why[256];
	struct buf f;
	asn1_node n = NULL;
	int used = 0, rc;

	/* 1. A truncated message must not decode. */
	snprintf(path, sizeof(path), "%s/%s", root,
		 "rfc9216-examples-cms/binary-files/signedByAliceRSA.p7m");
	if (read_file(path, &f) == 0) {
		rc = decode_quiet("CachetCMS.ContentInfo", f.data, f.len - 1, &n,
				  &used, err);
		tap(rc != ASN1_SUCCESS,
		    "control: ContentInfo missing its last byte is rejected (%s)",
		    asn1_strerror(rc));
		if (n)
			asn1_delete_structure(&n);
		buf_free(&f);
	} else {
		tap(0, "control: read %s", path);
	}

	/* 2. A non-minimal length (BER, not DER) decodes, but the DER
	 * comparison must notice it. */
	snprintf(path, sizeof(path), "%s/%s", root, "rfc4134/3.2.bin");
	if (read_file(path, &f) == 0 && f.len > 2 && f.len < 127 &&
	    f.data[0] == 0x30 && f.data[1] == f.len - 2) {
		unsigned char *ber = malloc((size_t)f.len + 1);

		ber[0] = 0x30;
		ber[1] = 0x81; /* long form for a length below 128 */
		ber[2] = f.data[1];
		memcpy(ber + 3, f.data + 2, (size_t)f.len - 2);
		rc = decode_quiet("CachetCMS.ContentInfo", ber, f.len + 1, &n,
				  &used, err);
		tap(rc == ASN1_SUCCESS && !same_der(n, ber, f.len + 1, why,
						    sizeof(why)),
		    "control: long-form length decodes but fails the DER "
		    "comparison (%s)", rc == ASN1_SUCCESS ? why : asn1_strerror(rc));
		if (n)
			asn1_delete_structure(&n);
		free(ber);
		buf_free(&f);
	} else {
		tap(0, "control: read %s", path);
		buf_free(&f);
	}

	/* 3. An EnvelopedData must not decode as SignedData. */
	snprintf(path, sizeof(path), "%s/%s", root,
		 "rfc9216-examples-cms/binary-files/encryptedForBobRSAOaep.p7m");
	if (read_file(path, &f) == 0) {
		asn1_node ci = NULL;
		struct buf c = { 0 };

		rc = decode_quiet("CachetCMS.ContentInfo", f.data, f.len, &ci,
				  &used, err);
		if (rc == ASN1_SUCCESS)
			rc = read_alloc(ci, "content", &c);
		if (rc == ASN1_SUCCESS) {
			rc = decode_quiet("CachetCMS.SignedData", c.data, c.len, &n,
					  &used, err);
			tap(rc != ASN1_SUCCESS,
			    "control: EnvelopedData content is rejected as "
			    "SignedData (%s)", asn1_strerror(rc));
		} else {
			tap(0, "control: EnvelopedData setup: %s",
			    asn1_strerror(rc));
		}
		if (n)
			asn1_delete_structure(&n);
		if (ci)
			asn1_delete_structure(&ci);
		buf_free(&c);
		buf_free(&f);
	} else {
		tap(0, "control: read %s", path);
	}
}

/* ------------------------------------------------------------------ */
/* Known answers (values from the published ASN.1 dumps)              */
/* ------------------------------------------------------------------ */

static void known_answers(void)
{
	const char *pss = "signedByAliceRSAPSS.p7m";
	const char *oaep = "encryptedForBobRSAOaep.p7m";
	const char *dana = "authEnvelopedForDanaX25519HKDF.p7m";
	const char *chacha = "authEnvelopedForBobChaCha20Poly1305.p7m";
	const char *both = "encryptedForBobAndDana.p7m";
	const char *kekri = "encryptedKekri.p7m";

	expect(pss, "pss.hash", "2.16.840.1.101.3.4.2.1",
	       "RSASSA-PSS-params hashAlgorithm is SHA-256");
	expect(pss, "pss.mgf", "1.2.840.113549.1.1.8",
	       "RSASSA-PSS-params maskGenAlgorithm is MGF1");
	expect(pss, "mgf1.hash", "2.16.840.1.101.3.4.2.1",
	       "MGF1 parameter is SHA-256");
	expect(pss, "pss.saltLength", "20",
	       "RSASSA-PSS-params saltLength is 32");
	expect(pss, "pss.trailerField", "01",
	       "absent trailerField reads as the DEFAULT 1");
	expect(oaep, "oaep.hashFunc", "2.16.840.1.101.3.4.2.1",
	       "RSAES-OAEP-params hashFunc is SHA-256");
	expect(oaep, "oaep.maskGenFunc", "1.2.840.113549.1.1.8",
	       "RSAES-OAEP-params maskGenFunc is MGF1");
	expect(oaep, "cbc.iv.len", "16", "AES-CBC IV is 16 octets");
	expect(dana, "ri1", "kari", "the RecipientInfo is kari");
	expect(dana, "kari.wrap", "2.16.840.1.101.3.4.1.45",
	       "KeyWrapAlgorithm in the kari parameters is aes256-wrap");
	expect(dana, "gcm.nonce", "9103a09d9492122713b12c35",
	       "GCMParameters aes-nonce");
	expect(dana, "gcm.icvlen", "10", "GCMParameters aes-ICVlen is 16");
	expect(dana, "kari.sharedinfo",
	       "3015300b060960864801650304012da20604040000" "0100",
	       "ECC-CMS-SharedInfo for aes256-wrap without ukm");
	expect(dana, "mac", "14934d82e7912130ee79b989c54cf66b",
	       "mac field");
	expect(chacha, "chacha.nonce", "02eb7f27ae4fb26e201a6e13",
	       "AEADChaCha20Poly1305Nonce");
	expect(chacha, "ri1", "ktri", "the RecipientInfo is ktri");
	expect(both, "ri1", "ktri", "first RecipientInfo is ktri");
	expect(both, "ri2", "kari", "second RecipientInfo is kari");
	expect(kekri, "ri1", "kekri", "the RecipientInfo is kekri");
	expect(kekri, "kekri.keyid", "6b65796964", "KEKIdentifier is 'keyid'");
	expect("signedByAliceAndCarlosNoCerts.p7m", "signerInfos", "2",
	       "two SignerInfos");
	expect("signedByAliceRSA.p7m", "eContent.text",
	       "This is some sample content.", "encapsulated content");
	expect("4.5.bin", "eContent.text", "This is some sample content.",
	       "content of the constructed (BER) eContent");
	expect("signedByCarlosDetached.p7m", "eContent", "absent",
	       "detached signature has no eContent");
	expect("4.4.bin", "signingTime.choice", "utcTime",
	       "signingTime is a UTCTime");
	expect_same("cms_der.bin", "cms_ber.bin", "eContent",
		    "BER and DER twins carry the same content");
	expect("p256-pub.der", "ec.namedCurve", "1.2.840.10045.3.1.7",
	       "ECParameters namedCurve is secp256r1");
}

/* ------------------------------------------------------------------ */
/* DEFAULT values (the vectors encode these fields explicitly)        */
/* ------------------------------------------------------------------ */

static int unhex(const char *h, unsigned char *out, int size)
{
	int n = 0;

	while (h[0] && h[1] && n < size) {
		unsigned int b;

		if (sscanf(h, "%2x", &b) != 1)
			break;
		out[n++] = (unsigned char)b;
		h += 2;
	}
	return n;
}

/* Decode HEX (DER) as TYPE, re-encode it, and compare NAME's value (as
 * hex, "absent" when the element is not in the tree) with WANT. */
static void check_default(const char *what, const char *type,
			  const char *hexder, const char *name,
			  const char *want)
{
	char err[ASN1_MAX_ERROR_DESCRIPTION_SIZE], why[256], got[160];
	unsigned char der[256];
	int len = unhex(hexder, der, sizeof(der)), used = 0, rc, same;
	asn1_node n = NULL;
	struct buf v;

	rc = decode_quiet(type, der, len, &n, &used, err);
	if (rc != ASN1_SUCCESS) {
		tap(0, "defaults: %s: decode %s: %s %s", what, type,
		    asn1_strerror(rc), err);
		return;
	}
	same = used == len && same_der(n, der, len, why, sizeof(why));
	if (!present(n, name)) {
		snprintf(got, sizeof(got), "absent");
	} else if (read_alloc(n, name, &v) == ASN1_SUCCESS) {
		hex(v.data, v.len, got, sizeof(got));
		buf_free(&v);
	} else {
		snprintf(got, sizeof(got), "unreadable");
	}
	tap(same && strcmp(got, want) == 0,
	    "defaults: %s (%s %s = %s, want %s)%s%s", what, type, name, got,
	    want, same ? "" : "; ", same ? "" : why);
	asn1_delete_structure(&n);
}

/* Decode HEX as TYPE (DER round trip) and compare the string value of
 * NAME (a CHOICE alternative or an OID) with WANT. */
static void check_synthetic(const char *what, const char *type,
			    const char *hexder, const char *name,
			    const char *want)
{
	char err[ASN1_MAX_ERROR_DESCRIPTION_SIZE], why[256], got[128];
	unsigned char der[256];
	int len = unhex(hexder, der, sizeof(der)), used = 0, rc, same;
	asn1_node n = NULL;

	rc = decode_quiet(type, der, len, &n, &used, err);
	if (rc != ASN1_SUCCESS) {
		tap(0, "synthetic: %s: decode %s: %s %s", what, type,
		    asn1_strerror(rc), err);
		return;
	}
	same = used == len && same_der(n, der, len, why, sizeof(why));
	read_str(n, name, got, sizeof(got));
	tap(same && strcmp(got, want) == 0,
	    "synthetic: %s (%s %s = %s, want %s)%s%s", what, type,
	    *name ? name : "(root)", got, want, same ? "" : "; ",
	    same ? "" : why);
	asn1_delete_structure(&n);
}

/* GeneralName alternatives that no vector carries (RFC 5280 A.1/A.2).
 * The encodings are built by hand from the module text. */
static void synthetic(void)
{
	/* x400Address [3] ORAddress: built-in-standard-attributes with
	 * country-name [APPLICATION 1] { PrintableString "US" }. */
	check_synthetic("GeneralName x400Address (ORAddress)",
			"CachetESS.GeneralName", "a3083006610413025553", "",
			"x400Address");
	/* ediPartyName [5] { partyName [1] { PrintableString "XY" } } */
	check_synthetic("GeneralName ediPartyName",
			"CachetESS.GeneralName", "a506a10413025859", "",
			"ediPartyName");
	/* otherName [0] { type-id 1.2.3.4, value [0] { INTEGER 5 } } */
	check_synthetic("GeneralName otherName", "CachetESS.GeneralName",
			"a00a06032a0304a003020105", "otherName.type-id",
			"1.2.3.4");
	/* rfc822Name [1] IA5String */
	check_synthetic("GeneralName rfc822Name", "CachetESS.GeneralName",
			"8113616c69636540736d696d652e6578616d706c65", "",
			"rfc822Name");
	/* SMIMEEncryptionKeyPreference subjectAltKeyIdentifier [2] */
	check_synthetic("SMIMEEncryptionKeyPreference subjectAltKeyIdentifier",
			"CachetSMIME.SMIMEEncryptionKeyPreference",
			"820401020304", "", "subjectAltKeyIdentifier");
	/* RecipientInfo ori [4] { oriType 1.2.3.4, oriValue NULL } */
	check_synthetic("RecipientInfo ori", "CachetCMS.RecipientInfo",
			"a40706032a03040500", "", "ori");
}

static void defaults(void)
{
	/* RFC 8017 appendix C: the DER of the default RSASSA-PSS and
	 * RSAES-OAEP parameters is an empty SEQUENCE. */
	check_default("RSASSA-PSS saltLength DEFAULT 20",
		      "CachetAlgs.RSASSA-PSS-params",
		      "3011a00f300d06096086480165030402010500", "saltLength",
		      "14");
	check_default("RSASSA-PSS trailerField DEFAULT trailerFieldBC (1)",
		      "CachetAlgs.RSASSA-PSS-params",
		      "3011a00f300d06096086480165030402010500", "trailerField",
		      "01");
	/* libtasn1 drops the DEFAULT elements of an empty SEQUENCE from
	 * the tree (see algs.asn); the library reads "absent" as the
	 * default.  This pins that behaviour. */
	check_default("empty RSASSA-PSS-params: saltLength missing from the "
		      "tree", "CachetAlgs.RSASSA-PSS-params", "3000",
		      "saltLength", "absent");
	/* Non-empty SEQUENCEs: libtasn1 does not check the components of
	 * an empty SEQUENCE at all (see cms-5652.asn). */
	check_default("RSASSA-PSS hashAlgorithm may be absent (SHA-1)",
		      "CachetAlgs.RSASSA-PSS-params", "3005a203020120",
		      "hashAlgorithm", "absent");
	check_default("RSASSA-PSS maskGenAlgorithm may be absent (MGF1-SHA-1)",
		      "CachetAlgs.RSASSA-PSS-params", "3005a203020120",
		      "maskGenAlgorithm", "absent");
	check_default("RSAES-OAEP hashFunc may be absent (SHA-1)",
		      "CachetAlgs.RSAES-OAEP-params",
		      "301ea11c301a06092a864886f70d010108300d0609608648016503"
		      "0402010500", "hashFunc", "absent");
	check_default("RSAES-OAEP pSourceFunc may be absent (pSpecified empty)",
		      "CachetAlgs.RSAES-OAEP-params",
		      "301ea11c301a06092a864886f70d010108300d0609608648016503"
		      "0402010500", "pSourceFunc", "absent");
	/* RFC 5084: aes-ICVlen DEFAULT 12, here with a 12-octet nonce. */
	check_default("GCMParameters aes-ICVlen DEFAULT 12",
		      "CachetAlgs.GCMParameters",
		      "300e040c000102030405060708090a0b", "aes-ICVlen", "0c");
	check_default("CCMParameters aes-ICVlen DEFAULT 12",
		      "CachetAlgs.CCMParameters",
		      "300d040b000102030405060708090a", "aes-ICVlen", "0c");
	/* RFC 5035: ESSCertIDv2 without hashAlgorithm (SHA-256). */
	check_default("ESSCertIDv2 hashAlgorithm absent means SHA-256",
		      "CachetESS.ESSCertIDv2",
		      "30220420000102030405060708090a0b0c0d0e0f"
		      "101112131415161718191a1b1c1d1e1f",
		      "hashAlgorithm", "absent");
	/* RFC 8018 appendix A.2: prf absent means HMAC-SHA-1. */
	check_default("PBKDF2-params prf absent means hmacWithSHA1",
		      "CachetAlgs.PBKDF2-params",
		      "300e0408010203040506070802020800", "prf", "absent");
}

int main(void)
{
	const char *dir = getenv("ASN1_DIR");
	const char *vec = getenv("CACHET_VECTORS");
	size_t i;

	if (!dir || !*dir)
		dir = "asn1";
	if (!vec || !*vec)
		vec = "../shared/vectors";
	note("libtasn1 %s, modules from %s, vectors from %s",
	     asn1_check_version(NULL), dir, vec);

	load_modules(dir);
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		check_vector(vec, &vectors[i]);
	known_answers();
	defaults();
	synthetic();
	controls(vec);
	free_modules();

	printf("1..%d\n", test_no);
	if (test_failed)
		note("%d of %d tests failed", test_failed, test_no);
	return test_failed ? 1 : 0;
}
