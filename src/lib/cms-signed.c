/* cms-signed.c -- SignedData (RFC 5652 section 5; RFC 8551 section 2),
 * produced and verified in one streaming pass.
 *
 * Producing: the outer frame and the content go out with indefinite
 * lengths as the content streams through the digests; every bounded part
 * (digestAlgorithms, SignerInfos, signedAttrs, the certificate set) is
 * built as DER and, where DER requires it, sorted (X.690 section 11.6).
 *
 * Verifying: the outer frame is read by the streaming BER reader; the
 * content flows in chunks through one hash context per listed digest
 * algorithm; each SignerInfo is captured and decoded by libtasn1 against
 * the RFC 5652 module, then judged check by check into the report.
 */
#include "ber.h"
#include "crypto.h"
#include "pki.h"
#include "pki-validate.h"
#include "pki-key.h"
#include "report.h"
#include "sechdr.h"
#include "tasn1.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define RULE_SD "RFC 5652 section 5.1"
#define RULE_SI "RFC 5652 section 5.3"
#define RULE_SIG "RFC 5652 section 5.4"
#define RULE_VER "RFC 5652 section 5.6"
#define CACHET_MAX_DIGESTS 8 /* distinct digest algorithms in one message */
#define CACHET_MAX_SIGN_ATTRS 16 /* cachet_sign_add_attribute() per handle */

static const char *oid_of(cachet_alg_id_t id)
{
	const cachet_alg_t *a = _cachet_alg_by_id(id);
	return a ? a->oid : "0.0";
}

/* AlgorithmIdentifier with absent parameters, or NULL ones. */
static int alg_id(cbuf_t *b, cachet_alg_id_t id, bool null_params)
{
	size_t off = b->size;
	int ret = _cachet_der_oid(b, oid_of(id));
	if (ret == 0 && null_params)
		ret = _cachet_buf_append(b, "\x05\x00", 2);
	return ret == 0 ? _cachet_der_wrap(b, off, 0x30) : ret;
}

/* ================================================================== */
/* Producing                                                           */
/* ================================================================== */

typedef struct {
	cachet_certset_t cert; /* exactly one: the signer's */
	cachet_privkey_t *key;
	cachet_alg_id_t digest;
	unsigned flags;
	cachet_sigparams_t sp;
	cbuf_t digest_alg; /* DER AlgorithmIdentifier */
	cbuf_t sig_alg;	   /* DER AlgorithmIdentifier */
	/* Made once in add_signer: version, sid and digestAlgorithm of the
	 * SignerInfo, and the attributes that do not change per message. */
	cbuf_t head;
	cbuf_t fixed[4];
	size_t nfixed;
} signer_t;

struct cachet_sign_st {
	signer_t *signers;
	size_t n;
	cachet_certset_t extra;
	time_t t;
	bool t_set;
	/* The same for every message until a signer or certificate is added:
	 * the DER digestAlgorithms SET and certificates [0] SET. */
	bool prepared;
	cbuf_t dalgs_der, certs_der;
	/* cachet_sign_add_attribute(): DER Attributes every signer signs. */
	cbuf_t xattrs[CACHET_MAX_SIGN_ATTRS];
	size_t nxattrs;
};

int cachet_sign_init(cachet_sign_t **s)
{
	if (s == NULL)
		return CACHET_E_INVALID_ARG;
	*s = _cachet_calloc(1, sizeof(**s));
	return *s ? 0 : CACHET_E_NOMEM;
}

static void signer_free_parts(signer_t *sg)
{
	_cachet_buf_free(&sg->digest_alg);
	_cachet_buf_free(&sg->sig_alg);
	_cachet_buf_free(&sg->head);
	for (size_t i = 0; i < sizeof(sg->fixed) / sizeof(sg->fixed[0]); i++)
		_cachet_buf_free(&sg->fixed[i]);
}

void cachet_sign_deinit(cachet_sign_t *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		_cachet_certset_free(&s->signers[i].cert);
		_cachet_privkey_free(s->signers[i].key);
		signer_free_parts(&s->signers[i]);
	}
	free(s->signers);
	_cachet_certset_free(&s->extra);
	_cachet_buf_free(&s->dalgs_der);
	_cachet_buf_free(&s->certs_der);
	for (size_t i = 0; i < s->nxattrs; i++)
		_cachet_buf_free(&s->xattrs[i]);
	free(s);
}

int cachet_sign_set_time(cachet_sign_t *s, time_t t)
{
	if (s == NULL)
		return CACHET_E_INVALID_ARG;
	s->t = t;
	s->t_set = true;
	return 0;
}

int cachet_sign_add_certs(cachet_sign_t *s, const cachet_datum_t *certs,
			  cachet_diag_t *diag)
{
	if (s == NULL || certs == NULL)
		return CACHET_E_INVALID_ARG;
	s->prepared = false;
	return _cachet_certset_add(&s->extra, certs->data, certs->size, "certificates", diag);
}

/* Attributes that, when present, occur once, hold exactly one value, and
 * belong among the signed attributes only.  REQUIRED ones must be there
 * whenever signedAttrs are. */
static const struct {
	cachet_alg_id_t id;
	const char *check; /* the report's check name */
	const char *rule;
	bool required;
} single_attrs[] = {
	{CACHET_ALG_AT_CONTENT_TYPE, "content-type-attr", "RFC 5652 section 11.1", true},
	{CACHET_ALG_AT_MESSAGE_DIGEST, "message-digest", "RFC 5652 section 11.2", true},
	{CACHET_ALG_AT_SIGNING_TIME, "signing-time", "RFC 5652 section 11.3", false},
	/* [rfc8551-2.5.2-smimecap-single] [rfc8551-2.5.3-keypref-single] */
	{CACHET_ALG_AT_SMIME_CAPABILITIES, "smime-capabilities", "RFC 8551 section 2.5.2", false},
	{CACHET_ALG_AT_ENC_KEY_PREF, "encryption-key-preference", "RFC 8551 section 2.5.3", false},
	/* [rfc5035-3-signed-not-unsigned] [rfc5035-3-no-multiple-instances]
	 * [rfc5035-3-single-value] [rfc5035-3-not-zero-or-multiple] and the
	 * same of SigningCertificate: [rfc5035-5-signed-not-unsigned]
	 * [rfc5035-5-no-multiple-instances] [rfc5035-5-single-value]
	 * [rfc5035-5-not-zero-or-multiple] */
	{CACHET_ALG_AT_SIGNING_CERT, "signing-certificate", "RFC 2634 section 5.4", false},
	{CACHET_ALG_AT_SIGNING_CERT_V2, "signing-certificate", "RFC 5035 section 3", false},
	{CACHET_ALG_AT_ALG_PROTECTION, "algorithm-protection", "RFC 6211 section 2", false},
	/* RFC 7508 section 4: "only one value of HeaderFields encoded into a
	 * single SignedAttribute". */
	{CACHET_ALG_AT_SECURE_HEADERS, "secure-header-fields", "RFC 7508 section 4", false},
};
#define NSINGLE (sizeof(single_attrs) / sizeof(single_attrs[0]))

static int single_index(cachet_alg_id_t id)
{
	for (size_t i = 0; i < NSINGLE; i++)
		if (single_attrs[i].id == id)
			return (int)i;
	return -1;
}

/* Attribute types the signer writes itself (signer_precompute and
 * make_signer_info), and countersignature, which RFC 5652 section 11.4
 * says "MUST NOT be a signed attribute"
 * [rfc5652-11.4-countersignature-unsigned]. */
static const cachet_alg_id_t own_attrs[] = {
	CACHET_ALG_AT_CONTENT_TYPE,	    CACHET_ALG_AT_MESSAGE_DIGEST, CACHET_ALG_AT_SIGNING_TIME,
	CACHET_ALG_AT_SMIME_CAPABILITIES, CACHET_ALG_AT_SIGNING_CERT_V2, CACHET_ALG_AT_ALG_PROTECTION,
	CACHET_ALG_AT_COUNTERSIGNATURE,
};

size_t _cachet_sign_attribute_count(const cachet_sign_t *s)
{
	return s->nxattrs;
}

void _cachet_sign_attribute_truncate(cachet_sign_t *s, size_t n)
{
	while (s->nxattrs > n)
		_cachet_buf_free(&s->xattrs[--s->nxattrs]);
}

int cachet_sign_add_attribute(cachet_sign_t *s, const cachet_datum_t *attr, cachet_diag_t *diag)
{
	asn1_node node = NULL;
	cbuf_t re = {0};
	char oid[128], other[128];
	int ret;

	if (s == NULL || attr == NULL || attr->data == NULL)
		return CACHET_E_INVALID_ARG;
	ENSURE(s->nxattrs < CACHET_MAX_SIGN_ATTRS, CACHET_E_COUNT_LIMIT, NULL, "signedAttrs",
	       "more than %d added attributes", CACHET_MAX_SIGN_ATTRS);
	for (size_t i = 0; i < s->n; i++)
		ENSURE(!(s->signers[i].flags & CACHET_SIGNER_NO_ATTRS), CACHET_E_INVALID_ARG, RULE_SI, "signedAttrs",
		       "signer %zu was added with CACHET_SIGNER_NO_ATTRS and cannot carry attributes", i);
	/* The signature covers the DER of signedAttrs (section 5.4). */
	CHECK(_cachet_asn1_decode("CachetCMS.Attribute", attr->data, attr->size, true, &node, "attribute", RULE_SI,
				  diag));
	CHECK(_cachet_asn1_encode(node, "", &re));
	ENSURE(re.size == attr->size && memcmp(re.data, attr->data, re.size) == 0, CACHET_E_NOT_DER, RULE_SI,
	       "attribute", "the attribute is not DER encoded");
	CHECK(_cachet_asn1_read_oid(node, "attrType", oid, sizeof(oid)));
	const cachet_alg_t *a = _cachet_alg_by_oid(oid);
	for (size_t i = 0; a && i < sizeof(own_attrs) / sizeof(own_attrs[0]); i++)
		ENSURE(a->id != own_attrs[i], CACHET_E_INVALID_ARG, a->rule, "attribute", "%s %s", a->name,
		       a->id == CACHET_ALG_AT_COUNTERSIGNATURE ? "must not be a signed attribute"
							       : "is written by the signer itself and cannot be added");
	/* [rfc8551-2.5.3-keypref-one-value] The attributes the verifier
	 * holds to one value (single_attrs) go out with one value. */
	int k = a && a->kind == ALG_KIND_ATTRIBUTE ? single_index(a->id) : -1;
	if (k >= 0) {
		unsigned nv = 0;
		CHECK(_cachet_asn1_count(node, "attrValues", &nv));
		ENSURE(nv == 1, CACHET_E_INVALID_ARG, single_attrs[k].rule, "attribute",
		       "the %s attribute must hold exactly one value, not %u", a->name, nv);
	}
	/* One attribute per type in the SET (X.501 section 8.2). */
	for (size_t i = 0; i < s->nxattrs; i++) {
		asn1_node o = NULL;
		int r = _cachet_asn1_decode("CachetCMS.Attribute", s->xattrs[i].data, s->xattrs[i].size, true, &o,
					    "attribute", RULE_SI, NULL);
		if (r == 0)
			r = _cachet_asn1_read_oid(o, "attrType", other, sizeof(other));
		_cachet_asn1_delete(&o, false);
		CHECK(r);
		ENSURE(strcmp(oid, other) != 0, CACHET_E_INVALID_ARG, RULE_SI, "attribute",
		       "a %s attribute was added already", _cachet_oid_name(oid));
	}
	CHECK(_cachet_buf_append(&s->xattrs[s->nxattrs], attr->data, attr->size));
	s->nxattrs++;
cleanup:
	_cachet_asn1_delete(&node, false);
	_cachet_buf_free(&re);
	return ret;
}

static cachet_alg_id_t digest_id(cachet_digest_t d)
{
	switch (d) {
	case CACHET_DIGEST_SHA224:
		return CACHET_ALG_SHA224;
	case CACHET_DIGEST_SHA256:
		return CACHET_ALG_SHA256;
	case CACHET_DIGEST_SHA384:
		return CACHET_ALG_SHA384;
	case CACHET_DIGEST_SHA512:
		return CACHET_ALG_SHA512;
	default:
		return CACHET_ALG_NONE;
	}
}

/* RSASSA-PSS-params (RFC 4055 section 3.1; RFC 4056 section 2): the hash,
 * MGF1 over the same hash, the salt as long as the hash; trailerField
 * keeps its default.  Hash identifiers inside carry NULL parameters as
 * RFC 4055 section 2.1 prefers.  id-RSASSA-PSS with its parameters
 * [rfc4056-2.2-sig-params] [rfc4056-3-sigalg-pss] [rfc4056-3-params-pss];
 * HASH is the signer's digestAlgorithm [rfc4056-3-same-hash-pss]. */
static int pss_alg_id(cbuf_t *b, cachet_alg_id_t hash)
{
	int ret;
	size_t off = b->size, p;
	CHECK_RET(_cachet_der_oid(b, oid_of(CACHET_ALG_RSA_PSS)));
	p = b->size;
	size_t h0 = b->size;
	CHECK_RET(alg_id(b, hash, true));
	CHECK_RET(_cachet_der_wrap(b, h0, 0xa0));
	size_t m0 = b->size;
	CHECK_RET(_cachet_der_oid(b, oid_of(CACHET_ALG_MGF1)));
	CHECK_RET(alg_id(b, hash, true));
	CHECK_RET(_cachet_der_wrap(b, m0, 0x30));
	CHECK_RET(_cachet_der_wrap(b, m0, 0xa1));
	size_t s0 = b->size;
	CHECK_RET(_cachet_der_small_uint(b, (unsigned long)_cachet_hash_size(hash)));
	CHECK_RET(_cachet_der_wrap(b, s0, 0xa2));
	CHECK_RET(_cachet_der_wrap(b, p, 0x30));
	return _cachet_der_wrap(b, off, 0x30);
}

static cachet_alg_id_t sig_alg_for(cachet_pk_type_t scheme, cachet_alg_id_t h)
{
	static const struct {
		cachet_pk_type_t scheme;
		cachet_alg_id_t hash, sig;
	} map[] = {
		{CACHET_PK_RSA, CACHET_ALG_SHA224, CACHET_ALG_RSA_SHA224},
		{CACHET_PK_RSA, CACHET_ALG_SHA256, CACHET_ALG_RSA_SHA256},
		{CACHET_PK_RSA, CACHET_ALG_SHA384, CACHET_ALG_RSA_SHA384},
		{CACHET_PK_RSA, CACHET_ALG_SHA512, CACHET_ALG_RSA_SHA512},
		{CACHET_PK_EC, CACHET_ALG_SHA224, CACHET_ALG_ECDSA_SHA224},
		{CACHET_PK_EC, CACHET_ALG_SHA256, CACHET_ALG_ECDSA_SHA256},
		{CACHET_PK_EC, CACHET_ALG_SHA384, CACHET_ALG_ECDSA_SHA384},
		{CACHET_PK_EC, CACHET_ALG_SHA512, CACHET_ALG_ECDSA_SHA512},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].scheme == scheme && map[i].hash == h)
			return map[i].sig;
	return CACHET_ALG_NONE;
}

static int signer_precompute(signer_t *sg, cachet_diag_t *diag);

/* Add a signer with KEY (taken over: *KEY is NULL afterwards, whatever
 * the result) and the certificate CERT (PEM or DER, LEN octets). */
static int add_signer_key(cachet_sign_t *s, const uint8_t *cert, size_t len,
			  cachet_privkey_t **key, cachet_digest_t digest,
			  unsigned flags, cachet_diag_t *diag)
{
	signer_t sg;
	cachet_pubkey_t *pub = NULL;
	int ret;

	memset(&sg, 0, sizeof(sg));
	sg.key = *key;
	*key = NULL;
	if (s->n >= CACHET_MAX_SIGNERS) {
		ret = CACHET_E_COUNT_LIMIT;
		goto cleanup;
	}
	ENSURE(!(flags & CACHET_SIGNER_NO_ATTRS) || s->nxattrs == 0, CACHET_E_INVALID_ARG, RULE_SI, "signer flags",
	       "CACHET_SIGNER_NO_ATTRS, but attributes were added with cachet_sign_add_attribute()");
	sg.flags = flags;
	CHECK(_cachet_certset_add(&sg.cert, cert, len, "signer certificate", diag));
	ENSURE(sg.cert.n == 1, CACHET_E_INVALID_ARG, NULL, "signer certificate",
	       "expected one certificate, found %zu (put the chain in the extra certificates)", sg.cert.n);
	CHECK(_cachet_pubkey_from_crt(&pub, sg.cert.crt[0], diag));
	ENSURE(_cachet_key_is_pair(sg.key, pub), CACHET_E_KEY_MISMATCH, NULL, "signer key",
	       "the private key does not belong to the signer certificate");

	cachet_alg_id_t want = digest_id(digest);
	switch (_cachet_privkey_type(sg.key)) {
	case CACHET_PK_RSA:
	case CACHET_PK_RSA_PSS:
		sg.sp.scheme = (flags & CACHET_SIGNER_PSS) ||
					       _cachet_privkey_type(sg.key) == CACHET_PK_RSA_PSS
				       ? CACHET_PK_RSA_PSS
				       : CACHET_PK_RSA;
		sg.digest = want ? want : CACHET_ALG_SHA256;
		break;
	case CACHET_PK_EC:
		/* Match the digest to the curve's strength (RFC 5753 section 7,
		 * RFC 8551 section 2.2) unless the caller chose one. */
		sg.sp.scheme = CACHET_PK_EC;
		sg.digest = want ? want
			    : _cachet_privkey_curve(sg.key) == CACHET_ALG_P384 ? CACHET_ALG_SHA384
			    : _cachet_privkey_curve(sg.key) == CACHET_ALG_P521 ? CACHET_ALG_SHA512
									       : CACHET_ALG_SHA256;
		break;
	case CACHET_PK_ED25519:
		/* RFC 8419 section 3.1: with Ed25519 the digestAlgorithm MUST
		 * be id-sha512 [rfc8419-2.3-ed25519-sha512]
		 * [rfc8419-3.1-ed25519-digest] [rfc8419-3.2-ed25519-digest]. */
		ENSURE(want == CACHET_ALG_NONE || want == CACHET_ALG_SHA512, CACHET_E_POLICY,
		       "RFC 8419 section 3.1", "digest", "Ed25519 signers must use SHA-512");
		sg.sp.scheme = CACHET_PK_ED25519;
		sg.digest = CACHET_ALG_SHA512;
		break;
	case CACHET_PK_ED448:
		/* [rfc8419-2.3-ed448-shake256] SHAKE256 with 512 bits.
		 * [rfc8419-3.1-ed448-digest] With signed attributes "the
		 * digestAlgorithm MUST be id-shake256-len" (512 bits);
		 * [rfc8419-3.2-ed448-digest] without them "the digestAlgorithm
		 * MUST be id-shake256". */
		ENSURE(want == CACHET_ALG_NONE, CACHET_E_POLICY, "RFC 8419 section 3.1", "digest",
		       "Ed448 signers must use SHAKE256 with a 512-bit output");
		sg.sp.scheme = CACHET_PK_ED448;
		sg.digest = (flags & CACHET_SIGNER_NO_ATTRS) ? CACHET_ALG_SHAKE256
							      : CACHET_ALG_SHAKE256_LEN;
		break;
	default:
		FAIL(CACHET_E_UNSUPPORTED, NULL, "signer key", "this key type cannot sign");
	}
	ENSURE(_cachet_hash_size(sg.digest) > 0, CACHET_E_UNSUPPORTED, NULL, "digest",
	       "digest algorithm not available");
	sg.sp.hash = sg.digest;
	sg.sp.mgf_hash = sg.digest;
	sg.sp.salt_len = _cachet_hash_size(sg.digest);

	/* digestAlgorithm: SHA-2 identifiers with absent parameters (RFC 5754
	 * section 2; [rfc8419-3.1-ed25519-digest]); id-shake256-len with its
	 * 512-bit length [rfc8419-2.3-shake256-len-params]; id-shake256 with
	 * absent parameters [rfc8419-2.3-params-absent]. */
	if (sg.digest == CACHET_ALG_SHAKE256_LEN) {
		CHECK(_cachet_der_oid(&sg.digest_alg, oid_of(CACHET_ALG_SHAKE256_LEN)));
		CHECK(_cachet_der_small_uint(&sg.digest_alg, 512));
		CHECK(_cachet_der_wrap(&sg.digest_alg, 0, 0x30));
	} else {
		CHECK(alg_id(&sg.digest_alg, sg.digest, false));
	}
	switch (sg.sp.scheme) {
	case CACHET_PK_RSA:
		/* RFC 5754 section 3.2 / RFC 4055 section 5: NULL parameters. */
		CHECK(alg_id(&sg.sig_alg, sig_alg_for(CACHET_PK_RSA, sg.digest), true));
		break;
	case CACHET_PK_RSA_PSS:
		CHECK(pss_alg_id(&sg.sig_alg, sg.digest));
		break;
	case CACHET_PK_EC:
		/* RFC 5758 section 3.2: ecdsa-with-SHA2 parameters absent. */
		CHECK(alg_id(&sg.sig_alg, sig_alg_for(CACHET_PK_EC, sg.digest), false));
		break;
	case CACHET_PK_ED25519:
		/* RFC 8410 section 3: parameters MUST be absent. */
		CHECK(alg_id(&sg.sig_alg, CACHET_ALG_ED25519, false));
		break;
	default:
		CHECK(alg_id(&sg.sig_alg, CACHET_ALG_ED448, false));
		break;
	}
	ENSURE(sg.sig_alg.size > 4, CACHET_E_UNSUPPORTED, NULL, "signatureAlgorithm",
	       "no signature algorithm for this key and digest");
	CHECK(signer_precompute(&sg, diag));

	signer_t *grown = realloc(s->signers, (s->n + 1) * sizeof(*grown));
	ENSURE(grown != NULL, CACHET_E_NOMEM, NULL, NULL, "out of memory");
	s->signers = grown;
	s->signers[s->n++] = sg;
	s->prepared = false;
	memset(&sg, 0, sizeof(sg));
	ret = 0;
cleanup:
	_cachet_pubkey_free(pub);
	_cachet_certset_free(&sg.cert);
	_cachet_privkey_free(sg.key);
	signer_free_parts(&sg);
	return ret;
}

int cachet_sign_add_signer(cachet_sign_t *s, const cachet_datum_t *cert,
			   const cachet_datum_t *key, const char *password,
			   cachet_digest_t digest, unsigned flags,
			   cachet_diag_t *diag)
{
	cachet_privkey_t *k = NULL;
	int ret;

	if (s == NULL || cert == NULL || key == NULL)
		return CACHET_E_INVALID_ARG;
	if (s->n >= CACHET_MAX_SIGNERS)
		return CACHET_E_COUNT_LIMIT;
	CHECK(_cachet_privkey_import(&k, key, password, diag));
	ret = add_signer_key(s, cert->data, cert->size, &k, digest, flags, diag);
cleanup:
	_cachet_privkey_free(k);
	return ret;
}

int cachet_sign_add_signer_p12(cachet_sign_t *s, const cachet_datum_t *p12,
			       const char *password, cachet_digest_t digest,
			       unsigned flags, cachet_diag_t *diag)
{
	cachet_p12_t b;
	cachet_p12_pair_t *use = NULL;
	int ret;

	memset(&b, 0, sizeof(b));
	if (s == NULL || p12 == NULL)
		return CACHET_E_INVALID_ARG;
	if (s->n >= CACHET_MAX_SIGNERS)
		return CACHET_E_COUNT_LIMIT;
	CHECK(_cachet_p12_read(&b, p12, password, diag));
	/* A bundle may hold a signing and an encryption identity (RFC 9216
	 * section 4.5): sign with the first key whose certificate allows
	 * it (RFC 8550 section 4.4.2). */
	for (size_t i = 0; i < b.npair && use == NULL; i++)
		if (b.pair[i].is_signer_ok)
			use = &b.pair[i];
	ENSURE(use != NULL, CACHET_E_KEY_MISMATCH, "RFC 8550 section 4.4.2", "PKCS#12",
	       "no certificate in the PKCS#12 file that belongs to one of its keys allows "
	       "signing (keyUsage digitalSignature or nonRepudiation)");
	const cbuf_t *sc = &b.cert[use->cert_index];
	CHECK(add_signer_key(s, sc->data, sc->size, &use->key, digest, flags, diag));
	/* The other certificates (the chain, the holder's other
	 * certificates) go into the certificates field. */
	for (size_t i = 0; i < b.ncert; i++) {
		if (i == use->cert_index)
			continue;
		CHECK(_cachet_certset_add(&s->extra, b.cert[i].data, b.cert[i].size,
					  "PKCS#12 certificates", diag));
		s->prepared = false;
	}
	ret = 0;
cleanup:
	_cachet_p12_free(&b);
	return ret;
}

int cachet_sign_add_signer_pkcs11(cachet_sign_t *s, const cachet_datum_t *cert,
				  const char *url, const char *pin,
				  cachet_digest_t digest, unsigned flags,
				  cachet_diag_t *diag)
{
	cachet_privkey_t *k = NULL;
	int ret;

	if (s == NULL || cert == NULL || url == NULL)
		return CACHET_E_INVALID_ARG;
	if (s->n >= CACHET_MAX_SIGNERS)
		return CACHET_E_COUNT_LIMIT;
	CHECK(_cachet_privkey_import_url(&k, url, pin, diag));
	ret = add_signer_key(s, cert->data, cert->size, &k, digest, flags, diag);
cleanup:
	_cachet_privkey_free(k);
	return ret;
}

/* One Attribute: SEQUENCE { attrType OID, attrValues SET { VALUE } }. */
static int attr(cbuf_t *out, cachet_alg_id_t type, const cbuf_t *value)
{
	int ret;
	size_t off = out->size;
	CHECK_RET(_cachet_der_oid(out, oid_of(type)));
	CHECK_RET(_cachet_der_append(out, 0x31, value->data, value->size));
	return _cachet_der_wrap(out, off, 0x30);
}

/* signingTime as RFC 5652 section 11.3 says: UTCTime for 1950-2049,
 * GeneralizedTime otherwise.  [rfc8551-2.5.1-signingtime-encode] */
static int signing_time(cbuf_t *v, time_t t)
{
	struct tm tm;
	char s[32];
	if (gmtime_r(&t, &tm) == NULL)
		return CACHET_E_INTERNAL;
	int year = tm.tm_year + 1900;
	if (year >= 1950 && year < 2050) {
		snprintf(s, sizeof(s), "%02d%02d%02d%02d%02d%02dZ", year % 100, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec);
		return _cachet_der_append(v, 0x17, (const uint8_t *)s, strlen(s));
	}
	strftime(s, sizeof(s), "%Y%m%d%H%M%SZ", &tm);
	return _cachet_der_append(v, 0x18, (const uint8_t *)s, strlen(s));
}

/* SMIMECapabilities (RFC 8551 section 2.5.2): what we can decrypt, in
 * order of preference, each an OID without parameters, as RFC 8103
 * section 4 asks of ChaCha20-Poly1305 [rfc8103-4-capability]. */
static int smime_caps(cbuf_t *v)
{
	static const cachet_alg_id_t caps[] = {
		CACHET_ALG_AES256_GCM,	  CACHET_ALG_AES128_GCM, CACHET_ALG_CHACHA20_POLY1305,
		CACHET_ALG_AES256_CBC,	  CACHET_ALG_AES192_CBC, CACHET_ALG_AES128_CBC,
	};
	int ret;
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		CHECK_RET(alg_id(v, caps[i], false));
	return _cachet_der_wrap(v, 0, 0x30);
}

/* SigningCertificateV2 (RFC 5035 section 3): one ESSCertIDv2 for the
 * signer's certificate, SHA-256 (the DEFAULT, so not encoded), with
 * issuerSerial: the issuer's name from the certificate as the one
 * directoryName of GeneralNames (section 4).  [rfc5035-2-v2-not-sha1]
 * [rfc5035-3-issuerserial-should] [rfc5035-4-issuerserial-placed]
 * [rfc5035-4-issuer-directoryname] */
static int signing_cert_v2(cbuf_t *v, const signer_t *sg)
{
	uint8_t h[CACHET_MAX_DIGEST];
	cbuf_t issuer = {0}, serial = {0};
	int ret;
	CHECK(_cachet_hash_once(CACHET_ALG_SHA256, sg->cert.der[0].data, sg->cert.der[0].size, h));
	CHECK(_cachet_der_append(v, 0x04, h, 32));
	CHECK(_cachet_crt_iasn(sg->cert.crt[0], &issuer, &serial));
	size_t is = v->size;
	CHECK(_cachet_buf_append(v, issuer.data, issuer.size));
	CHECK(_cachet_der_wrap(v, is, 0xa4)); /* GeneralName directoryName [4] */
	CHECK(_cachet_der_wrap(v, is, 0x30)); /* GeneralNames */
	CHECK(_cachet_der_uint(v, serial.data, serial.size));
	CHECK(_cachet_der_wrap(v, is, 0x30)); /* IssuerSerial */
	CHECK(_cachet_der_wrap(v, 0, 0x30));  /* ESSCertIDv2 */
	CHECK(_cachet_der_wrap(v, 0, 0x30));  /* SEQUENCE OF ESSCertIDv2 */
	CHECK(_cachet_der_wrap(v, 0, 0x30));  /* SigningCertificateV2 */
cleanup:
	_cachet_buf_free(&issuer);
	_cachet_buf_free(&serial);
	return ret;
}

/* CMSAlgorithmProtection (RFC 6211 section 2): the digest and signature
 * algorithm identifiers, the latter as [1] IMPLICIT. */
static int alg_protection(cbuf_t *v, const signer_t *sg)
{
	int ret;
	const uint8_t *val;
	size_t vlen, total;
	uint8_t ident;
	CHECK_RET(_cachet_buf_append(v, sg->digest_alg.data, sg->digest_alg.size));
	CHECK_RET(_cachet_der_parse(sg->sig_alg.data, sg->sig_alg.size, &ident, &val, &vlen, &total));
	CHECK_RET(_cachet_der_append(v, 0xa1, val, vlen));
	return _cachet_der_wrap(v, 0, 0x30);
}

static void free_bufs(cbuf_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		_cachet_buf_free(&b[i]);
}

/* Build one SignerInfo (RFC 5652 section 5.3) into OUT. */
/* The parts of a SignerInfo that do not change from message to message:
 * version, sid and digestAlgorithm (RFC 5652 section 5.3), and the
 * attributes contentType (section 11.1), SMIMECapabilities (RFC 8551
 * section 2.5.2), signingCertificateV2 (RFC 5035) and
 * CMSAlgorithmProtection (RFC 6211).  Made once, in add_signer. */
static int signer_precompute(signer_t *sg, cachet_diag_t *diag)
{
	cbuf_t v = {0}, id = {0}, ser = {0};
	bool skid = (sg->flags & CACHET_SIGNER_SKID) != 0;
	int ret;

	/* version: 3 with subjectKeyIdentifier, 1 otherwise (section 5.3). */
	CHECK(_cachet_der_small_uint(&sg->head, skid ? 3 : 1));
	if (skid) {
		ret = _cachet_crt_skid(sg->cert.crt[0], &id);
		ENSURE(ret == 0, CACHET_E_BAD_CERT, "RFC 5652 section 5.3", "sid",
		       "the signer certificate has no subjectKeyIdentifier");
		CHECK(_cachet_der_append(&sg->head, 0x80, id.data, id.size));
	} else {
		CHECK(_cachet_crt_iasn(sg->cert.crt[0], &id, &ser));
		size_t off = sg->head.size;
		CHECK(_cachet_buf_append(&sg->head, id.data, id.size));
		CHECK(_cachet_der_uint(&sg->head, ser.data, ser.size));
		CHECK(_cachet_der_wrap(&sg->head, off, 0x30));
	}
	CHECK(_cachet_buf_append(&sg->head, sg->digest_alg.data, sg->digest_alg.size));
	if (sg->flags & CACHET_SIGNER_NO_ATTRS)
		goto cleanup;

	CHECK(_cachet_der_oid(&v, oid_of(CACHET_ALG_CT_DATA)));
	CHECK(attr(&sg->fixed[sg->nfixed++], CACHET_ALG_AT_CONTENT_TYPE, &v));
	_cachet_buf_free(&v);
	CHECK(smime_caps(&v));
	CHECK(attr(&sg->fixed[sg->nfixed++], CACHET_ALG_AT_SMIME_CAPABILITIES, &v));
	_cachet_buf_free(&v);
	CHECK(signing_cert_v2(&v, sg));
	CHECK(attr(&sg->fixed[sg->nfixed++], CACHET_ALG_AT_SIGNING_CERT_V2, &v));
	_cachet_buf_free(&v);
	CHECK(alg_protection(&v, sg));
	CHECK(attr(&sg->fixed[sg->nfixed++], CACHET_ALG_AT_ALG_PROTECTION, &v));
cleanup:
	_cachet_buf_free(&v);
	_cachet_buf_free(&id);
	_cachet_buf_free(&ser);
	return ret;
}

/* Build one SignerInfo (RFC 5652 section 5.3) into OUT. */
static int make_signer_info(cachet_sign_t *s, signer_t *sg, const uint8_t *md,
			    const cbuf_t *pure, cbuf_t *out, cachet_diag_t *diag)
{
	cbuf_t own[2] = {{0}, {0}}, attrs[6 + CACHET_MAX_SIGN_ATTRS], v = {0}, set = {0};
	cachet_datum_t sig = {NULL, 0};
	size_t na = 0;
	int ret;
	bool with_attrs = (sg->flags & CACHET_SIGNER_NO_ATTRS) == 0;

	CHECK(_cachet_buf_append(out, sg->head.data, sg->head.size));
	if (with_attrs) {
		/* signingTime and messageDigest change per message (RFC 5652
		 * sections 11.2, 11.3); the rest were made in add_signer. */
		CHECK(signing_time(&v, s->t_set ? s->t : time(NULL)));
		CHECK(attr(&own[0], CACHET_ALG_AT_SIGNING_TIME, &v));
		_cachet_buf_free(&v);
		CHECK(_cachet_der_append(&v, 0x04, md, _cachet_hash_size(sg->digest)));
		CHECK(attr(&own[1], CACHET_ALG_AT_MESSAGE_DIGEST, &v));
		/* Shallow copies: the sort below only reorders them. */
		for (size_t i = 0; i < sg->nfixed; i++)
			attrs[na++] = sg->fixed[i];
		attrs[na++] = own[0];
		attrs[na++] = own[1];
		for (size_t i = 0; i < s->nxattrs; i++)
			attrs[na++] = s->xattrs[i];
		/* The signature covers the DER SET OF (section 5.4). */
		CHECK(_cachet_der_set_of(&set, 0x31, attrs, na));
		if (sg->sp.scheme == CACHET_PK_ED25519 || sg->sp.scheme == CACHET_PK_ED448) {
			CHECK(_cachet_pk_sign(sg->key, &sg->sp, set.data, set.size, &sig, diag));
		} else {
			uint8_t h[CACHET_MAX_DIGEST];
			CHECK(_cachet_hash_once(sg->digest, set.data, set.size, h));
			CHECK(_cachet_pk_sign(sg->key, &sg->sp, h, _cachet_hash_size(sg->digest), &sig, diag));
		}
		set.data[0] = 0xa0; /* [0] IMPLICIT in the SignerInfo */
		CHECK(_cachet_buf_append(out, set.data, set.size));
	} else if (sg->sp.scheme == CACHET_PK_ED25519 || sg->sp.scheme == CACHET_PK_ED448) {
		/* Pure EdDSA over the content itself (RFC 8419 section 3.1). */
		CHECK(_cachet_pk_sign(sg->key, &sg->sp, pure->data, pure->size, &sig, diag));
	} else {
		CHECK(_cachet_pk_sign(sg->key, &sg->sp, md, _cachet_hash_size(sg->digest), &sig, diag));
	}
	CHECK(_cachet_buf_append(out, sg->sig_alg.data, sg->sig_alg.size));
	CHECK(_cachet_der_append(out, 0x04, sig.data, sig.size));
	CHECK(_cachet_der_wrap(out, 0, 0x30));
cleanup:
	free_bufs(own, 2);
	_cachet_buf_free(&v);
	_cachet_buf_free(&set);
	cachet_free(sig.data);
	return ret;
}

typedef struct {
	/* One context per distinct digest algorithm: there are only a few. */
	cachet_hash_t h[CACHET_MAX_DIGESTS];
	cachet_alg_id_t id[CACHET_MAX_DIGESTS];
	size_t n;
} hashset_t;

static int hashset_add(hashset_t *hs, cachet_alg_id_t id)
{
	for (size_t i = 0; i < hs->n; i++)
		if (hs->id[i] == id)
			return 0;
	if (hs->n == CACHET_MAX_DIGESTS)
		return CACHET_E_COUNT_LIMIT;
	int ret = _cachet_hash_init(&hs->h[hs->n], id);
	if (ret == 0)
		hs->id[hs->n++] = id;
	return ret;
}

static void hashset_update(hashset_t *hs, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < hs->n; i++)
		_cachet_hash_update(&hs->h[i], p, n);
}

static cachet_hash_t *hashset_get(hashset_t *hs, cachet_alg_id_t id)
{
	for (size_t i = 0; i < hs->n; i++)
		if (hs->id[i] == id)
			return &hs->h[i];
	return NULL;
}

/* digestAlgorithms (each distinct one once) and the certificate set
 * (signers' certificates, then the extra ones, each once), both as DER SET
 * OF (X.690 11.6), made once per handle. */
static int sign_prepare(cachet_sign_t *s)
{
	cbuf_t *el = NULL;
	size_t n = 0, cap = s->n + s->extra.n;
	int ret = 0;

	if (s->prepared)
		return 0;
	_cachet_buf_free(&s->dalgs_der);
	_cachet_buf_free(&s->certs_der);
	el = _cachet_calloc(cap ? cap : 1, sizeof(*el));
	if (el == NULL)
		return CACHET_E_NOMEM;
	for (size_t i = 0; i < s->n; i++) {
		const cbuf_t *d = &s->signers[i].digest_alg;
		bool dup = false;
		for (size_t j = 0; j < n; j++)
			dup |= el[j].size == d->size && memcmp(el[j].data, d->data, d->size) == 0;
		if (!dup)
			CHECK(_cachet_buf_append(&el[n++], d->data, d->size));
	}
	CHECK(_cachet_der_set_of(&s->dalgs_der, 0x31, el, n));
	free_bufs(el, n);
	n = 0;
	for (size_t i = 0; i < cap; i++) {
		const cbuf_t *d = i < s->n ? &s->signers[i].cert.der[0] : &s->extra.der[i - s->n];
		bool dup = false;
		for (size_t j = 0; j < n; j++)
			dup |= el[j].size == d->size && memcmp(el[j].data, d->data, d->size) == 0;
		if (!dup)
			CHECK(_cachet_buf_append(&el[n++], d->data, d->size));
	}
	CHECK(_cachet_der_set_of(&s->certs_der, 0xa0, el, n));
	s->prepared = true;
cleanup:
	free_bufs(el, n);
	free(el);
	return ret;
}

int cachet_sign_run(cachet_sign_t *s, cachet_source_t *content,
		    cachet_sink_t *out, unsigned flags, cachet_diag_t *diag)
{
	hashset_t *hs = NULL;
	cbuf_t head = {0}, sis[CACHET_MAX_SIGNERS], tail = {0}, pure = {0};
	uint8_t (*mds)[CACHET_MAX_DIGEST] = NULL;
	cachet_sink_t *pem = NULL, *dst = out;
	bool detached = (flags & CACHET_SIGN_DETACHED) != 0, need_pure = false, skid = false;
	int ret;

	memset(sis, 0, sizeof(sis));
	if (s == NULL || content == NULL || out == NULL)
		return CACHET_E_INVALID_ARG;
	ENSURE(s->n > 0, CACHET_E_BAD_STATE, NULL, NULL, "no signer was added");
	CHECK(sign_prepare(s));
	hs = _cachet_calloc(1, sizeof(*hs));
	mds = _cachet_calloc(s->n, sizeof(*mds));
	ENSURE(hs && mds, CACHET_E_NOMEM, NULL, NULL, "out of memory");
	for (size_t i = 0; i < s->n; i++) {
		CHECK(hashset_add(hs, s->signers[i].digest));
		skid |= (s->signers[i].flags & CACHET_SIGNER_SKID) != 0;
		need_pure |= (s->signers[i].flags & CACHET_SIGNER_NO_ATTRS) &&
			     (s->signers[i].sp.scheme == CACHET_PK_ED25519 ||
			      s->signers[i].sp.scheme == CACHET_PK_ED448);
	}
	if (flags & CACHET_SIGN_PEM) {
		CHECK(_cachet_sink_init_pem(&pem, out, "CMS"));
		dst = pem;
	}

	/* ContentInfo, SignedData header, encapContentInfo. */
	CHECK(_cachet_buf_append(&head, "\x30\x80", 2));
	CHECK(_cachet_der_oid(&head, oid_of(CACHET_ALG_CT_SIGNED)));
	CHECK(_cachet_buf_append(&head, "\xa0\x80\x30\x80", 4));
	/* version (RFC 5652 section 5.1): 3 when a SignerInfo is version 3,
	 * 1 otherwise (no attribute certificates or other formats here). */
	CHECK(_cachet_der_small_uint(&head, skid ? 3 : 1));
	CHECK(_cachet_buf_append(&head, s->dalgs_der.data, s->dalgs_der.size));
	if (detached) {
		size_t off = head.size;
		CHECK(_cachet_der_oid(&head, oid_of(CACHET_ALG_CT_DATA)));
		CHECK(_cachet_der_wrap(&head, off, 0x30));
	} else {
		CHECK(_cachet_buf_append(&head, "\x30\x80", 2));
		CHECK(_cachet_der_oid(&head, oid_of(CACHET_ALG_CT_DATA)));
		/* eContent [0] EXPLICIT OCTET STRING, constructed and chunked. */
		CHECK(_cachet_buf_append(&head, "\xa0\x80\x24\x80", 4));
	}
	CHECK(_cachet_sink_write(dst, head.data, head.size));

	/* Stream the content through the digests (and out), borrowing the
	 * source's bytes rather than copying them. */
	for (;;) {
		const uint8_t *p;
		size_t n;
		ret = _cachet_source_borrow(content, CACHET_CHUNK * 4, &p, &n);
		ENSURE(ret == 0, ret, NULL, "content", "reading the content failed");
		if (n == 0)
			break;
		hashset_update(hs, p, n);
		if (need_pure) {
			ENSURE(_cachet_add_ok(pure.size, n, CACHET_MAX_PURE_CONTENT),
			       CACHET_E_SIZE_LIMIT, "RFC 8419 section 3.1", "content",
			       "pure EdDSA without signed attributes needs the whole content in memory; "
			       "content over %u bytes", CACHET_MAX_PURE_CONTENT);
			CHECK(_cachet_buf_append(&pure, p, n));
		}
		if (!detached) {
			CHECK(_cachet_ber_put_hdr(dst, 0x04, (uint64_t)n));
			CHECK(_cachet_sink_write(dst, p, n));
		}
	}
	if (!detached)
		CHECK(_cachet_ber_put_eoc(dst, 3)); /* OCTET STRING, [0], encapContentInfo */

	for (size_t i = 0; i < hs->n; i++) {
		for (size_t j = 0; j < s->n; j++)
			if (s->signers[j].digest == hs->id[i]) {
				cachet_hash_t copy = hs->h[i];
				_cachet_hash_final(&copy, mds[j]);
				WIPE_OBJ(&copy);
			}
	}

	/* certificates [0] IMPLICIT CertificateSet (unless left out). */
	if (!(flags & CACHET_SIGN_NO_CERTS))
		CHECK(_cachet_buf_append(&tail, s->certs_der.data, s->certs_der.size));
	for (size_t i = 0; i < s->n; i++)
		CHECK(make_signer_info(s, &s->signers[i], mds[i], &pure, &sis[i], diag));
	CHECK(_cachet_der_set_of(&tail, 0x31, sis, s->n));
	CHECK(_cachet_sink_write(dst, tail.data, tail.size));
	CHECK(_cachet_ber_put_eoc(dst, 3)); /* SignedData, [0], ContentInfo */
	CHECK(_cachet_sink_finish(dst));
	ret = 0;
cleanup:
	if (hs)
		cachet_wipe(hs, sizeof(*hs));
	free(hs);
	free(mds);
	_cachet_buf_free(&head);
	_cachet_buf_free(&tail);
	_cachet_buf_free(&pure);
	free_bufs(sis, CACHET_MAX_SIGNERS);
	cachet_sink_deinit(pem);
	return ret;
}

/* ================================================================== */
/* Verifying                                                           */
/* ================================================================== */

struct cachet_verify_st {
	cachet_certset_t trust;
	cachet_certset_t extra;
	time_t t;
	bool t_set;
	unsigned policy;
	_cachet_valset_t val; /* CRLs, OCSP responses, system trust, address */
};

void _cachet_verify_vparams(const cachet_verify_t *v, const cachet_certset_t *pool, _cachet_vparams_t *p)
{
	p->trust = &v->trust;
	p->pool = pool;
	p->vs = &v->val;
	p->at = v->t_set ? v->t : time(NULL);
	p->policy = v->policy;
}

int cachet_verify_init(cachet_verify_t **v)
{
	if (v == NULL)
		return CACHET_E_INVALID_ARG;
	*v = _cachet_calloc(1, sizeof(**v));
	return *v ? 0 : CACHET_E_NOMEM;
}

void cachet_verify_deinit(cachet_verify_t *v)
{
	if (v == NULL)
		return;
	_cachet_certset_free(&v->trust);
	_cachet_certset_free(&v->extra);
	_cachet_valset_free(&v->val);
	free(v);
}

int cachet_verify_add_trust(cachet_verify_t *v, const cachet_datum_t *certs,
			    cachet_diag_t *diag)
{
	if (v == NULL || certs == NULL)
		return CACHET_E_INVALID_ARG;
	return _cachet_certset_add(&v->trust, certs->data, certs->size, "trust anchors", diag);
}

int cachet_verify_add_certs(cachet_verify_t *v, const cachet_datum_t *certs,
			    cachet_diag_t *diag)
{
	if (v == NULL || certs == NULL)
		return CACHET_E_INVALID_ARG;
	return _cachet_certset_add(&v->extra, certs->data, certs->size, "certificates", diag);
}

int cachet_verify_add_crl(cachet_verify_t *v, const cachet_datum_t *crl, cachet_diag_t *diag)
{
	if (v == NULL || crl == NULL || crl->data == NULL)
		return CACHET_E_INVALID_ARG;
	return _cachet_valset_add_crl(&v->val, crl->data, crl->size, diag);
}

int cachet_verify_add_ocsp_response(cachet_verify_t *v, const cachet_datum_t *resp,
				    cachet_diag_t *diag)
{
	if (v == NULL || resp == NULL || resp->data == NULL)
		return CACHET_E_INVALID_ARG;
	return _cachet_valset_add_ocsp(&v->val, resp->data, resp->size, diag);
}

int cachet_verify_add_system_trust(cachet_verify_t *v)
{
	if (v == NULL)
		return CACHET_E_INVALID_ARG;
	v->val.is_system_trust = true;
	return 0;
}

int cachet_verify_set_email(cachet_verify_t *v, const char *addr)
{
	if (v == NULL)
		return CACHET_E_INVALID_ARG;
	return _cachet_valset_set_email(&v->val, addr);
}

int cachet_verify_set_time(cachet_verify_t *v, time_t t)
{
	if (v == NULL)
		return CACHET_E_INVALID_ARG;
	v->t = t;
	v->t_set = true;
	return 0;
}

int cachet_verify_set_policy(cachet_verify_t *v, unsigned policy)
{
	if (v == NULL)
		return CACHET_E_INVALID_ARG;
	v->policy = policy;
	return 0;
}

/* State of one verification pass. */
typedef struct {
	cachet_verify_t *v;
	cachet_report_t *rep;
	cachet_diag_t *diag;
	hashset_t hs;
	cachet_sink_t *content_out;
	cbuf_t pure; /* the content, while it fits (pure EdDSA) */
	bool pure_overflow;
	uint64_t content_size;
	char ect[128]; /* eContentType */
	bool is_pkcs7_form; /* eContent is not an OCTET STRING (RFC 2315 content) */
	cachet_certset_t certs; /* from the message */
	cbuf_t digest_algs;	/* DER of digestAlgorithms */
} vstate_t;

static int content_chunk(void *opaque, const uint8_t *p, size_t n)
{
	vstate_t *st = opaque;
	int ret;
	hashset_update(&st->hs, p, n);
	st->content_size += n;
	if (!st->pure_overflow) {
		if (_cachet_add_ok(st->pure.size, n, CACHET_MAX_PURE_CONTENT)) {
			CHECK_RET(_cachet_buf_append(&st->pure, p, n));
		} else {
			st->pure_overflow = true;
			_cachet_buf_free(&st->pure);
		}
	}
	if (st->content_out)
		return _cachet_sink_write(st->content_out, p, n);
	return 0;
}

/* Digest algorithms listed in digestAlgorithms get a hash context each;
 * unknown ones are noted and left for the signers that use them. */
static int start_digests(vstate_t *st, const cbuf_t *set)
{
	asn1_node n = NULL;
	unsigned count = 0;
	char path[64], oid[128];
	int ret;
	cachet_diag_t *diag = st->diag;

	CHECK(_cachet_asn1_decode("CachetCMS.DigestAlgorithmIdentifiers", set->data, set->size,
				  false, &n, "SignedData.digestAlgorithms", RULE_SD, diag));
	CHECK(_cachet_asn1_count(n, "", &count));
	for (unsigned i = 1; i <= count; i++) {
		CHECK(_cachet_asn1_read_oid(n, _cachet_asn1_path(path, sizeof(path), "", i, "algorithm"),
					    oid, sizeof(oid)));
		const cachet_alg_t *a = _cachet_alg_by_oid(oid);
		if (a && a->kind == ALG_KIND_DIGEST && _cachet_hash_size(a->id) > 0)
			CHECK(hashset_add(&st->hs, a->id));
		if (st->digest_algs.size)
			CHECK(_cachet_buf_append(&st->digest_algs, ", ", 2));
		const char *nm = _cachet_oid_name(oid);
		CHECK(_cachet_buf_append(&st->digest_algs, nm, strlen(nm)));
	}
cleanup:
	_cachet_asn1_delete(&n, false);
	return ret;
}

/* Content supplied separately for a detached signature. */
static int stream_detached(vstate_t *st, cachet_source_t *src)
{
	for (;;) {
		const uint8_t *p;
		size_t n;
		int ret = _cachet_source_borrow(src, CACHET_CHUNK * 4, &p, &n);
		if (ret < 0 || n == 0)
			return ret;
		if ((ret = content_chunk(st, p, n)) < 0)
			return ret;
	}
}

typedef struct {
	const uint8_t *der; /* the SignerInfo's encoding */
	size_t len;
	asn1_node node;
	report_signer_t *rs;
	const char *path;
} sinfo_t;

#define CK(name, st, code, rule, ...)                                          \
	_cachet_report_check(rep, si->rs, (name), (st), (code), (rule), __VA_ARGS__)

/* Compare two DER AlgorithmIdentifiers, treating absent and NULL
 * parameters of a digest alike (RFC 5754 section 2). */
static bool same_alg(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	if (al == bl && memcmp(a, b, al) == 0)
		return true;
	/* SEQUENCE { OID } versus SEQUENCE { OID NULL } */
	const uint8_t *av, *bv;
	size_t avl, bvl, t;
	uint8_t id;
	if (_cachet_der_parse(a, al, &id, &av, &avl, &t) < 0 ||
	    _cachet_der_parse(b, bl, &id, &bv, &bvl, &t) < 0)
		return false;
	const uint8_t *ao, *bo;
	size_t aol, bol, at, bt;
	if (_cachet_der_parse(av, avl, &id, &ao, &aol, &at) < 0 ||
	    _cachet_der_parse(bv, bvl, &id, &bo, &bol, &bt) < 0)
		return false;
	if (at != bt || memcmp(av, bv, at) != 0)
		return false;
	bool a_null = avl == at || (avl == at + 2 && av[at] == 5 && av[at + 1] == 0);
	bool b_null = bvl == bt || (bvl == bt + 2 && bv[bt] == 5 && bv[bt + 1] == 0);
	return a_null && b_null;
}

/* The raw DER of element NAME of the SignerInfo. */
static int raw_of(const sinfo_t *si, const char *name, const uint8_t **p, size_t *n)
{
	size_t s, e;
	int ret = _cachet_asn1_range(si->node, si->der, si->len, name, &s, &e);
	if (ret < 0)
		return ret;
	*p = si->der + s;
	*n = e - s + 1;
	return 0;
}

/* RSASSA-PSS-params (RFC 4055 section 3.1) as read: absent fields hold
 * their DEFAULTs (SHA-1, MGF1 with SHA-1, salt 20, trailerField 1). */
typedef struct {
	cachet_alg_id_t hash;	  /* CACHET_ALG_NONE: not a digest Cachet knows */
	cachet_alg_id_t mgf_hash; /* MGF1's hash; NONE: another or unknown MGF */
	unsigned long salt;
	unsigned long trailer;
	bool usable; /* every field known and well formed */
} pss_params_t;

/* Read DER RSASSA-PSS-params into PP; CACHET_E_BAD_PARAMS when they do
 * not decode (PP.usable is false when a field is unknown or malformed). */
static int pss_params_read(const uint8_t *der, size_t len, const char *path, pss_params_t *pp,
			   cachet_diag_t *diag)
{
	asn1_node pn = NULL;
	char oid[128];
	int ret;

	pp->hash = CACHET_ALG_SHA1;
	pp->mgf_hash = CACHET_ALG_SHA1;
	pp->salt = 20;
	pp->trailer = 1;
	pp->usable = false;
	ret = _cachet_asn1_decode("CachetAlgs.RSASSA-PSS-params", der, len, false, &pn, path,
				  "RFC 4055 section 3.1", diag);
	if (ret < 0) {
		ret = ret == CACHET_E_NOMEM ? ret : CACHET_E_BAD_PARAMS;
		goto cleanup;
	}
	if (_cachet_asn1_read_oid(pn, "hashAlgorithm.algorithm", oid, sizeof(oid)) == 0) {
		const cachet_alg_t *h = _cachet_alg_by_oid(oid);
		pp->hash = h && h->kind == ALG_KIND_DIGEST ? h->id : CACHET_ALG_NONE;
	}
	if (_cachet_asn1_read_oid(pn, "maskGenAlgorithm.algorithm", oid, sizeof(oid)) == 0) {
		const cachet_alg_t *m = _cachet_alg_by_oid(oid);
		cbuf_t mp = {0};
		asn1_node mn = NULL;
		pp->mgf_hash = CACHET_ALG_NONE;
		if (m && m->id == CACHET_ALG_MGF1 && _cachet_asn1_read(pn, "maskGenAlgorithm.parameters", &mp) == 0 &&
		    _cachet_asn1_decode("CachetAlgs.AlgorithmIdentifier", mp.data, mp.size, false, &mn, path,
					"RFC 4055 section 2.2", NULL) == 0 &&
		    _cachet_asn1_read_oid(mn, "algorithm", oid, sizeof(oid)) == 0) {
			const cachet_alg_t *h = _cachet_alg_by_oid(oid);
			pp->mgf_hash = h && h->kind == ALG_KIND_DIGEST ? h->id : CACHET_ALG_NONE;
		}
		_cachet_asn1_delete(&mn, false);
		_cachet_buf_free(&mp);
	}
	pp->usable = _cachet_asn1_read_uint(pn, "saltLength", &pp->salt) != CACHET_E_MALFORMED &&
		     _cachet_asn1_read_uint(pn, "trailerField", &pp->trailer) != CACHET_E_MALFORMED &&
		     pp->hash != CACHET_ALG_NONE && pp->mgf_hash != CACHET_ALG_NONE;
	ret = 0;
cleanup:
	_cachet_asn1_delete(&pn, false);
	return ret;
}

/* RFC 4056 section 3: when the signer certificate's key is id-RSASSA-PSS
 * with parameters, the signature's RSASSA-PSS-params must use the same
 * hash [rfc4056-3-cert-hash], the same mask generation function
 * [rfc4056-3-cert-mgf], a salt at least as long [rfc4056-3-cert-salt] and
 * the same trailerField [rfc4056-3-cert-trailer] ("default values are
 * considered to be the same as extant values"); otherwise "the signature
 * checking algorithm MUST fail validation" [rfc4056-3-cert-fail].  1 and
 * WHY when they do not, 0 when they do or the key has no parameters. */
static int pss_cert_mismatch(const cbuf_t *crt_der, const cachet_sigparams_t *sp, char *why, size_t n)
{
	const uint8_t *spki;
	size_t spki_len;
	asn1_node kn = NULL;
	cbuf_t params = {0};
	char oid[128];
	pss_params_t cp;
	int ret;

	if (crt_der == NULL || _cachet_crt_spki(crt_der, &spki, &spki_len) < 0 ||
	    _cachet_asn1_decode("CachetAlgs.SubjectPublicKeyInfo", spki, spki_len, false, &kn, "certificate",
				"RFC 5280 section 4.1.2.7", NULL) < 0 ||
	    _cachet_asn1_read_oid(kn, "algorithm.algorithm", oid, sizeof(oid)) < 0) {
		/* The key was read already; what cannot be walked here is
		 * no restriction Cachet can see. */
		ret = 0;
		goto cleanup;
	}
	if (strcmp(oid, oid_of(CACHET_ALG_RSA_PSS)) != 0 ||
	    _cachet_asn1_read(kn, "algorithm.parameters", &params) < 0) {
		ret = 0; /* [rfc4056-3-cert-params-steps]: only with parameters */
		goto cleanup;
	}
	ret = 1;
	if (pss_params_read(params.data, params.size, "certificate", &cp, NULL) < 0 || !cp.usable)
		snprintf(why, n, "the certificate's RSASSA-PSS-params cannot be read");
	else if (cp.hash != sp->hash)
		snprintf(why, n, "hashAlgorithm %s differs from the certificate's %s",
			 _cachet_alg_by_id(sp->hash)->name, _cachet_alg_by_id(cp.hash)->name);
	else if (cp.mgf_hash != sp->mgf_hash)
		snprintf(why, n, "maskGenAlgorithm MGF1 with %s differs from the certificate's MGF1 with %s",
			 _cachet_alg_by_id(sp->mgf_hash)->name, _cachet_alg_by_id(cp.mgf_hash)->name);
	else if (sp->salt_len < cp.salt)
		snprintf(why, n, "saltLength %zu is shorter than the certificate's %lu", sp->salt_len, cp.salt);
	else if (cp.trailer != 1)
		snprintf(why, n, "trailerField 1 differs from the certificate's %lu", cp.trailer);
	else
		ret = 0;
cleanup:
	_cachet_asn1_delete(&kn, false);
	_cachet_buf_free(&params);
	return ret;
}

/* Signature parameters for SignerInfo.signatureAlgorithm (RFC 5652 section
 * 5.3; RFC 3370, 4056, 5754, 5758, 8419). */
static int sig_params(vstate_t *st, sinfo_t *si, const cachet_alg_t *sa,
		      const cachet_alg_t *da, cachet_sigparams_t *sp)
{
	cachet_report_t *rep = st->rep;
	cachet_diag_t *diag = st->diag;
	cbuf_t params = {0};
	int ret = 0;

	memset(sp, 0, sizeof(*sp));
	sp->hash = da->id;
	switch (sa->id) {
	case CACHET_ALG_RSA:
		sp->scheme = CACHET_PK_RSA;
		break;
	case CACHET_ALG_RSA_SHA1:
	case CACHET_ALG_RSA_SHA224:
	case CACHET_ALG_RSA_SHA256:
	case CACHET_ALG_RSA_SHA384:
	case CACHET_ALG_RSA_SHA512:
		sp->scheme = CACHET_PK_RSA;
		sp->hash = sa->hash;
		break;
	case CACHET_ALG_ECDSA_SHA1:
	case CACHET_ALG_ECDSA_SHA224:
	case CACHET_ALG_ECDSA_SHA256:
	case CACHET_ALG_ECDSA_SHA384:
	case CACHET_ALG_ECDSA_SHA512:
		sp->scheme = CACHET_PK_EC;
		sp->hash = sa->hash;
		break;
	case CACHET_ALG_EC_PUBLIC_KEY:
		sp->scheme = CACHET_PK_EC;
		break;
	case CACHET_ALG_ED25519:
		sp->scheme = CACHET_PK_ED25519;
		break;
	case CACHET_ALG_ED448:
		sp->scheme = CACHET_PK_ED448;
		break;
	case CACHET_ALG_DSA:
	case CACHET_ALG_DSA_SHA1:
	case CACHET_ALG_DSA_SHA224:
	case CACHET_ALG_DSA_SHA256:
		sp->scheme = CACHET_PK_DSA;
		if (sa->hash)
			sp->hash = sa->hash;
		break;
	case CACHET_ALG_RSA_PSS: {
		pss_params_t pp;
		sp->scheme = CACHET_PK_RSA_PSS;
		ret = _cachet_asn1_read(si->node, "signatureAlgorithm.parameters", &params);
		if (ret < 0) {
			/* [rfc4056-2.2-sig-params] [rfc4056-3-params-pss] */
			CK("signature-algorithm", CACHET_CHECK_FAIL, CACHET_E_BAD_PARAMS, "RFC 4056 section 3",
			   "id-RSASSA-PSS without RSASSA-PSS-params");
			ret = CACHET_E_BAD_PARAMS;
			goto cleanup;
		}
		ret = pss_params_read(params.data, params.size, si->path, &pp, diag);
		if (ret < 0) {
			CK("signature-algorithm", CACHET_CHECK_FAIL, CACHET_E_BAD_PARAMS, "RFC 4055 section 3.1",
			   "RSASSA-PSS-params do not decode");
			goto cleanup;
		}
		sp->hash = pp.hash;
		sp->mgf_hash = pp.mgf_hash;
		if (!pp.usable || pp.trailer != 1) {
			CK("signature-algorithm", CACHET_CHECK_FAIL, CACHET_E_BAD_PARAMS, "RFC 4055 section 3.1",
			   "unusable RSASSA-PSS-params (hash, mask generation, salt or trailerField)");
			ret = CACHET_E_BAD_PARAMS;
			goto cleanup;
		}
		sp->salt_len = pp.salt;
		/* [rfc4056-3-same-hash-pss] RFC 4056 section 3: the same hash
		 * MUST be used for the signed attributes' digest and as the PSS
		 * hashAlgorithm. */
		if (sp->hash != da->id) {
			CK("signature-algorithm", CACHET_CHECK_FAIL, CACHET_E_BAD_PARAMS, "RFC 4056 section 3",
			   "PSS hashAlgorithm %s differs from digestAlgorithm %s",
			   _cachet_alg_by_id(sp->hash)->name, da->name);
			ret = CACHET_E_BAD_PARAMS;
			goto cleanup;
		}
		break;
	}
	default:
		CK("signature-algorithm", CACHET_CHECK_FAIL, CACHET_E_UNSUPPORTED, RULE_SI,
		   "%s is not a signature algorithm Cachet verifies", sa->name);
		ret = CACHET_E_UNSUPPORTED;
		goto cleanup;
	}
	/* EdDSA binds its digestAlgorithm by RFC 8419 section 3, checked by
	 * the caller (eddsa_digest). */
	if (sa->hash && sa->hash != da->id && sp->scheme != CACHET_PK_DSA &&
	    sp->scheme != CACHET_PK_ED25519 && sp->scheme != CACHET_PK_ED448) {
		/* RFC 5652 section 5.4 hashes the signed attributes with the
		 * digestAlgorithm; a signature algorithm bound to another hash
		 * contradicts it.  For ECDSA, RFC 5753 section 2.1.1: "The hash
		 * algorithm identified in the name of the signature algorithm
		 * MUST be the same as the digestAlgorithm".
		 * [rfc5753-2.1.1-sigalg-hash] */
		CK("signature-algorithm", CACHET_CHECK_FAIL, CACHET_E_BAD_PARAMS, RULE_SIG,
		   "%s does not match digestAlgorithm %s", sa->name, da->name);
		ret = CACHET_E_BAD_PARAMS;
		goto cleanup;
	}
cleanup:
	_cachet_buf_free(&params);
	return ret;
}

/* RFC 8419 section 3: the SignerInfo digestAlgorithm of an EdDSA signer.
 * Ed25519: id-sha512 with absent parameters [rfc8419-3.1-ed25519-digest]
 * [rfc8419-3.2-ed25519-digest].  Ed448 with signed attributes:
 * id-shake256-len with the parameter 512 [rfc8419-3.1-ed448-digest];
 * without them: id-shake256 with absent parameters
 * [rfc8419-3.2-ed448-digest].  NULL where the parameters must be absent is
 * reported and accepted, as for signatureAlgorithm: the field is outside
 * the signed bytes; anything else fails the digest-algorithm check. */
static int eddsa_digest(vstate_t *st, sinfo_t *si, cachet_pk_type_t scheme, const cachet_alg_t *da)
{
	static const uint8_t len512[] = {0x02, 0x02, 0x02, 0x00}; /* INTEGER 512 */
	cachet_report_t *rep = st->rep;
	const uint8_t *sa_raw;
	size_t sa_len;
	bool has_attrs = raw_of(si, "signedAttrs", &sa_raw, &sa_len) == 0;
	const char *rule = has_attrs ? "RFC 8419 section 3.1" : "RFC 8419 section 3.2";
	cachet_alg_id_t want = scheme == CACHET_PK_ED25519 ? CACHET_ALG_SHA512
			       : has_attrs			? CACHET_ALG_SHAKE256_LEN
								: CACHET_ALG_SHAKE256;
	cbuf_t p = {0};
	int ret = _cachet_asn1_read(si->node, "digestAlgorithm.parameters", &p);
	bool absent = ret == CACHET_E_END, is_null = ret == 0 && p.size == 2 && p.data[0] == 0x05 &&
							    p.data[1] == 0x00;

	if (ret < 0 && !absent)
		goto cleanup;
	ret = 0;
	if (da->id != want) {
		CK("digest-algorithm", CACHET_CHECK_FAIL, CACHET_E_BAD_PARAMS, rule,
		   "%s signers%s must use %s as digestAlgorithm, not %s",
		   scheme == CACHET_PK_ED25519 ? "Ed25519" : "Ed448",
		   scheme == CACHET_PK_ED25519 ? "" : has_attrs ? " with signed attributes" : " without signed attributes",
		   _cachet_alg_by_id(want)->name, da->name);
	} else if (want == CACHET_ALG_SHAKE256_LEN) {
		/* [rfc8419-2.3-shake256-len-params] */
		if (p.size != sizeof(len512) || memcmp(p.data, len512, sizeof(len512)) != 0)
			CK("digest-algorithm", CACHET_CHECK_FAIL, CACHET_E_BAD_PARAMS, "RFC 8419 section 2.3",
			   "id-shake256-len needs the parameter 512 (the output length in bits)");
	} else if (is_null) {
		/* [rfc8419-2.3-params-absent] */
		CK("digest-algorithm-parameters", CACHET_CHECK_INFO, 0, "RFC 8419 section 2.3",
		   "%s has NULL parameters, which must be absent; accepted (they are not signed)", da->name);
	} else if (!absent) {
		CK("digest-algorithm", CACHET_CHECK_FAIL, CACHET_E_BAD_PARAMS, "RFC 8419 section 2.3",
		   "%s with parameters, which must be absent", da->name);
	}
cleanup:
	_cachet_buf_free(&p);
	return ret;
}

/* RFC 7508 SecureHeaderFields: decode it into the report signer (the
 * S/MIME reader compares it with the message's header fields), and hold
 * it against the other signers' (section 4.5.1: "the SecureHeaderFields
 * structure MUST be the same in each SignerInfos object"). */
static int secure_headers(vstate_t *st, sinfo_t *si, const cbuf_t *val)
{
	cachet_report_t *rep = st->rep;
	cachet_diag_t *why = NULL;
	sechdr_t *sh = _cachet_calloc(1, sizeof(*sh));
	const char *detail = NULL;
	int code = 0, ret;

	if (sh == NULL || cachet_diag_init(&why) < 0) {
		free(sh);
		return CACHET_E_NOMEM;
	}
	ret = _cachet_sechdr_decode(val->data, val->size, sh, why);
	if (ret == CACHET_E_NOMEM)
		goto cleanup;
	if (ret < 0) {
		if (cachet_diag_count(why) == 0 || cachet_diag_get(why, 0, &code, NULL, NULL, &detail) < 0)
			detail = "does not decode";
		ret = CK("secure-header-fields", CACHET_CHECK_FAIL, CACHET_E_MALFORMED, "RFC 7508 section 4.1",
			 "SecureHeaderFields: %s", detail);
		goto cleanup;
	}
	CHECK(CK("secure-header-fields", CACHET_CHECK_INFO, 0, "RFC 7508 section 4.5.2",
		 "%zu header field%s protected, %s canonicalisation", sh->n, sh->n == 1 ? "" : "s",
		 _cachet_sechdr_canon_name(sh->canon)));
	if (sh->notes)
		CHECK(CK("secure-header-fields", CACHET_CHECK_INFO, 0,
			 (sh->notes & CACHET_SECHDR_NOTE_EXPLICIT_DEFAULT) ? "X.690 section 11.5" : "X.690 section 10",
			 "SecureHeaderFields is BER, not DER (%s); accepted",
			 (sh->notes & CACHET_SECHDR_NOTE_EXPLICIT_DEFAULT) ? "field-Status duplicated written out"
									    : "non-canonical encoding"));
	for (size_t k = 0; k < st->rep->nsigners; k++) {
		const report_signer_t *o = &st->rep->signers[k];
		if (o != si->rs && o->sechdr && !_cachet_sechdr_is_equal(o->sechdr, sh)) {
			CHECK(CK("secure-header-fields", CACHET_CHECK_FAIL, CACHET_E_ATTR_MISMATCH,
				 "RFC 7508 section 4.5.1",
				 "SecureHeaderFields differs from signer %zu's (it must be the same in each SignerInfo)",
				 k));
			break;
		}
	}
	si->rs->sechdr = sh;
	sh = NULL;
	ret = 0;
cleanup:
	if (sh) {
		_cachet_sechdr_deinit(sh);
		free(sh);
	}
	cachet_diag_deinit(why);
	return ret < 0 ? ret : 0;
}

/* RFC 8551 section 2.5.3: SMIMEEncryptionKeyPreference names the
 * certificate the signer wants encrypted mail for.  Find it among the
 * message's certificates (and the ones given) and keep its DER in the
 * report signer, for a certificate directory to record; the finding is
 * INFO (the attribute is a wish, not a verdict). */
static int key_preference(vstate_t *st, sinfo_t *si, const cbuf_t *val)
{
	cachet_report_t *rep = st->rep;
	asn1_node kp = NULL;
	cbuf_t a = {0};
	char choice[64], desc[300];
	int clen = sizeof(choice), ret;
	const cachet_certset_t *sets[2] = {&st->certs, &st->v->extra};
	long ci = -1;
	size_t k = 0;

	ret = _cachet_asn1_decode("CachetSMIME.SMIMEEncryptionKeyPreference", val->data, val->size, false,
				  &kp, "SMIMEEncryptionKeyPreference", "RFC 8551 section 2.5.3", NULL);
	if (ret == CACHET_E_NOMEM)
		goto cleanup;
	if (ret < 0 || asn1_read_value(kp, "", choice, &clen) != ASN1_SUCCESS) {
		ret = CK("encryption-key-preference", CACHET_CHECK_FAIL, CACHET_E_MALFORMED, "RFC 8551 section 2.5.3",
			 "SMIMEEncryptionKeyPreference does not decode");
		goto cleanup;
	}
	if (strcmp(choice, "issuerAndSerialNumber") == 0) {
		size_t s0, e0;
		CHECK(_cachet_asn1_range(kp, val->data, val->size, "issuerAndSerialNumber.issuer", &s0, &e0));
		CHECK(_cachet_asn1_read(kp, "issuerAndSerialNumber.serialNumber", &a));
		for (k = 0; k < 2 && ci < 0; k++)
			ci = _cachet_certset_find_iasn(sets[k], val->data + s0, e0 - s0 + 1, a.data, a.size);
	} else {
		CHECK(_cachet_asn1_read(kp, strcmp(choice, "receipentKeyId") == 0
					     ? "receipentKeyId.subjectKeyIdentifier" : "subjectAltKeyIdentifier", &a));
		for (k = 0; k < 2 && ci < 0; k++)
			ci = _cachet_certset_find_skid(sets[k], a.data, a.size);
	}
	if (ci < 0) {
		ret = CK("encryption-key-preference", CACHET_CHECK_INFO, 0, "RFC 8551 section 2.5.3",
			 "SMIMEEncryptionKeyPreference (%s) names a certificate that is not at hand", choice);
		goto cleanup;
	}
	_cachet_buf_free(&si->rs->keypref);
	CHECK(_cachet_buf_append(&si->rs->keypref, sets[k - 1]->der[ci].data, sets[k - 1]->der[ci].size));
	_cachet_crt_describe(sets[k - 1]->crt[ci], desc, sizeof(desc));
	ret = CK("encryption-key-preference", CACHET_CHECK_INFO, 0, "RFC 8551 section 2.5.3",
		 "the signer prefers encrypted mail for %s", desc);
cleanup:
	_cachet_asn1_delete(&kp, false);
	_cachet_buf_free(&a);
	return ret < 0 ? ret : 0;
}

/* The date a DER signingTime T says (RFC 5652 section 11.3:
 * "YYMMDDHHMMSSZ" as UTCTime, "YYYYMMDDHHMMSSZ" as GeneralizedTime) as
 * "YYYY-MM-DD HH:MM:SS UTC" into OUT; false when T is not of that form.
 * [rfc8551-2.5.1-utctime-yy] RFC 8551 section 2.5.1: a UTCTime year YY
 * of 50 or more is 19YY, one under 50 is 20YY. */
static bool time_read(const char *t, bool is_utc, char *out, size_t n)
{
	size_t yl = is_utc ? 2 : 4;
	int year = 0;
	if (strlen(t) != yl + 11 || t[yl + 10] != 'Z')
		return false;
	for (size_t i = 0; i < yl + 10; i++)
		if (t[i] < '0' || t[i] > '9')
			return false;
	for (size_t i = 0; i < yl; i++)
		year = year * 10 + (t[i] - '0');
	if (is_utc)
		year += year >= 50 ? 1900 : 2000;
	snprintf(out, n, "%04d-%.2s-%.2s %.2s:%.2s:%.2s UTC", year, t + yl, t + yl + 2, t + yl + 4, t + yl + 6,
		 t + yl + 8);
	return true;
}

/* Serial numbers compare as integers: a leading 00 sign octet is no
 * part of the value. */
static void serial_trim(const uint8_t **p, size_t *n)
{
	while (*n > 1 && (*p)[0] == 0 && ((*p)[1] & 0x80)) {
		(*p)++;
		(*n)--;
	}
}

/* Whether the issuerSerial of the first ESSCertID(v2) in SC (decoded
 * from VAL) names CRT: true when it is absent ("If other constraints
 * ensure that issuerAndSerialNumber will be present in the SignerInfo,
 * the issuerSerial field MAY be omitted").  RFC 5035 section 4: "the
 * issuer MUST contain only the issuer name from the certificate encoded
 * in the directoryName choice of GeneralNames", so the GeneralNames are
 * compared with the one such encoding of CRT's issuer, and the serial
 * numbers as integers.  *WHAT says which part differs.
 * [rfc5035-3-first-cert] [rfc5035-4-issuer-directoryname] */
static bool issuer_serial_names(asn1_node sc, const cbuf_t *val, gnutls_x509_crt_t crt,
				const char **what)
{
	cbuf_t sn = {0}, is = {0}, cs = {0}, want = {0};
	size_t s, e, l1, l2;
	const uint8_t *p1, *p2;
	bool same = false;

	*what = "";
	if (_cachet_asn1_read(sc, "certs.?1.issuerSerial.serialNumber", &sn) == CACHET_E_END)
		return true;
	*what = "issuer or serial number";
	if (sn.size == 0 || _cachet_crt_iasn(crt, &is, &cs) < 0 ||
	    _cachet_asn1_range(sc, val->data, val->size, "certs.?1.issuerSerial.issuer", &s, &e) < 0 ||
	    _cachet_buf_append(&want, is.data, is.size) < 0 || _cachet_der_wrap(&want, 0, 0xa4) < 0 ||
	    _cachet_der_wrap(&want, 0, 0x30) < 0)
		goto out;
	*what = "issuer";
	if (e - s + 1 != want.size || memcmp(val->data + s, want.data, want.size) != 0)
		goto out;
	*what = "serial number";
	p1 = sn.data;
	l1 = sn.size;
	p2 = cs.data;
	l2 = cs.size;
	serial_trim(&p1, &l1);
	serial_trim(&p2, &l2);
	same = l1 == l2 && memcmp(p1, p2, l1) == 0;
out:
	_cachet_buf_free(&sn);
	_cachet_buf_free(&is);
	_cachet_buf_free(&cs);
	_cachet_buf_free(&want);
	return same;
}

/* Judge the signed attributes (RFC 5652 sections 5.3, 5.4, 11; RFC 6211;
 * RFC 5035).  SIGNED_ATTRS is the DER SET the signature covers (the
 * signedAttrs with the SET OF tag). */
static int check_attrs(vstate_t *st, sinfo_t *si, const cachet_alg_t *da,
		       const uint8_t *md, gnutls_x509_crt_t crt,
		       const cbuf_t *crt_der, const cbuf_t *signed_attrs)
{
	cachet_report_t *rep = st->rep;
	cachet_diag_t *diag = st->diag;
	asn1_node set = NULL;
	cbuf_t re = {0}, val = {0};
	unsigned count = 0;
	char path[96], oid[128];
	unsigned seen[NSINGLE] = {0};
	int ret;

	/* signedAttrs MUST be DER encoded (section 5.3): decode strictly,
	 * re-encode (libtasn1 sorts SET OF), and compare. */
	ret = _cachet_asn1_decode("CachetCMS.SignedAttributes", signed_attrs->data, signed_attrs->size,
				  true, &set, "signedAttrs", RULE_SI, NULL);
	if (ret == 0)
		ret = _cachet_asn1_encode(set, "", &re);
	if (ret < 0 || re.size != signed_attrs->size ||
	    memcmp(re.data, signed_attrs->data, re.size) != 0) {
		CK("signed-attrs-der", CACHET_CHECK_FAIL, CACHET_E_NOT_DER, RULE_SI,
		   "signedAttrs are not DER encoded (length forms or SET OF order)");
		if (set == NULL) {
			ret = _cachet_asn1_decode("CachetCMS.SignedAttributes", signed_attrs->data,
						  signed_attrs->size, false, &set, "signedAttrs", RULE_SI, diag);
			if (ret < 0)
				goto cleanup;
		}
	} else {
		CK("signed-attrs-der", CACHET_CHECK_PASS, 0, RULE_SI, "signedAttrs are DER encoded");
	}

	CHECK(_cachet_asn1_count(set, "", &count));
	for (unsigned i = 1; i <= count; i++) {
		unsigned nv = 0;
		CHECK(_cachet_asn1_read_oid(set, _cachet_asn1_path(path, sizeof(path), "", i, "attrType"),
					    oid, sizeof(oid)));
		CHECK(_cachet_asn1_count(set, _cachet_asn1_path(path, sizeof(path), "", i, "attrValues"), &nv));
		const cachet_alg_t *a = _cachet_alg_by_oid(oid);
		cachet_alg_id_t id = a && a->kind == ALG_KIND_ATTRIBUTE ? a->id : CACHET_ALG_NONE;
		_cachet_buf_free(&val);
		_cachet_asn1_path(path, sizeof(path), "", i, "attrValues.?1");
		if (nv >= 1)
			CHECK(_cachet_asn1_read(set, path, &val));
		const uint8_t *v;
		size_t vl, tot;
		uint8_t ident;
		bool parsed = nv >= 1 && _cachet_der_parse(val.data, val.size, &ident, &v, &vl, &tot) == 0 &&
			      tot == val.size;
		int si_idx = single_index(id);
		if (si_idx >= 0) {
			seen[si_idx]++;
			if (nv != 1)
				CK(single_attrs[si_idx].check, CACHET_CHECK_FAIL, CACHET_E_MALFORMED,
				   single_attrs[si_idx].rule, "the attribute must hold exactly one value, not %u", nv);
		}

		switch (id) {
		case CACHET_ALG_AT_CONTENT_TYPE: {
			/* RFC 5652 section 11.1: one value, equal to eContentType. */
			char ct[128] = "";
			asn1_node cn = NULL;
			if (nv != 1 || !parsed ||
			    _cachet_asn1_decode("CachetCMS.ContentType", val.data, val.size, true, &cn, "contentType",
						"RFC 5652 section 11.1", NULL) < 0 ||
			    _cachet_asn1_read_oid(cn, "", ct, sizeof(ct)) < 0) {
				CK("content-type-attr", CACHET_CHECK_FAIL, CACHET_E_MALFORMED, "RFC 5652 section 11.1",
				   "the content-type attribute must hold exactly one OBJECT IDENTIFIER");
			} else if (strcmp(ct, st->ect) != 0) {
				CK("content-type-attr", CACHET_CHECK_FAIL, CACHET_E_ATTR_MISMATCH, "RFC 5652 section 11.1",
				   "content-type attribute %s differs from eContentType %s", _cachet_oid_name(ct),
				   _cachet_oid_name(st->ect));
			} else {
				CK("content-type-attr", CACHET_CHECK_PASS, 0, "RFC 5652 section 11.1",
				   "content-type attribute matches eContentType %s", _cachet_oid_name(ct));
			}
			_cachet_asn1_delete(&cn, false);
			break;
		}
		case CACHET_ALG_AT_MESSAGE_DIGEST: {
			/* RFC 5652 section 11.2: one OCTET STRING equal to the digest. */
			size_t hl = _cachet_hash_size(da->id);
			if (nv != 1 || !parsed || ident != 0x04) {
				CK("message-digest", CACHET_CHECK_FAIL, CACHET_E_MALFORMED, "RFC 5652 section 11.2",
				   "the message-digest attribute must hold exactly one OCTET STRING");
			} else if (md == NULL) {
				CK("message-digest", CACHET_CHECK_FAIL, CACHET_E_UNSUPPORTED, RULE_SD,
				   "the content was not digested with %s (not listed in digestAlgorithms)", da->name);
			} else if (vl != hl || memcmp(v, md, hl) != 0) {
				CK("message-digest", CACHET_CHECK_FAIL, CACHET_E_DIGEST_MISMATCH, "RFC 5652 section 11.2",
				   "the %s digest of the content differs from the messageDigest attribute", da->name);
			} else {
				CK("message-digest", CACHET_CHECK_PASS, 0, "RFC 5652 section 11.2",
				   "the %s digest of the content (%llu bytes) matches", da->name,
				   (unsigned long long)st->content_size);
			}
			break;
		}
		case CACHET_ALG_AT_SIGNING_TIME: {
			char t[40] = "", when[40];
			if (parsed && (ident == 0x17 || ident == 0x18) && vl < sizeof(t)) {
				memcpy(t, v, vl);
				bool is_read = time_read(t, ident == 0x17, when, sizeof(when));
				CK("signing-time", CACHET_CHECK_INFO, 0, "RFC 5652 section 11.3",
				   "signingTime %s %s%s%s (a claim by the signer, not used for validation)",
				   ident == 0x17 ? "UTCTime" : "GeneralizedTime", t, is_read ? ", " : "",
				   is_read ? when : "");
			} else {
				CK("signing-time", CACHET_CHECK_FAIL, CACHET_E_MALFORMED, "RFC 5652 section 11.3",
				   "signingTime is not a UTCTime or GeneralizedTime");
			}
			break;
		}
		case CACHET_ALG_AT_ALG_PROTECTION: {
			/* RFC 6211 section 3: the algorithms in the attribute MUST
			 * match those of the SignerInfo. */
			const uint8_t *sd, *ss;
			size_t sdl, ssl;
			const uint8_t *c = v, *ad, *as;
			size_t cl = vl, adl, asl, t1, t2;
			uint8_t i1, i2;
			bool ok = parsed && ident == 0x30 && raw_of(si, "digestAlgorithm", &sd, &sdl) == 0 &&
				  raw_of(si, "signatureAlgorithm", &ss, &ssl) == 0 &&
				  _cachet_der_parse(c, cl, &i1, &ad, &adl, &t1) == 0 && i1 == 0x30 &&
				  _cachet_der_parse(c + t1, cl - t1, &i2, &as, &asl, &t2) == 0 && i2 == 0xa1 &&
				  t1 + t2 == cl;
			if (!ok) {
				CK("algorithm-protection", CACHET_CHECK_FAIL, CACHET_E_ALG_PROTECTION, "RFC 6211 section 2",
				   "CMSAlgorithmProtection must hold a digestAlgorithm and a [1] signatureAlgorithm");
				break;
			}
			/* Compare [1] IMPLICIT content with the SEQUENCE's content. */
			const uint8_t *sv;
			size_t svl, stot;
			uint8_t sid;
			bool sig_same = _cachet_der_parse(ss, ssl, &sid, &sv, &svl, &stot) == 0 && svl == asl &&
					memcmp(sv, as, asl) == 0;
			bool dig_same = same_alg(c, t1, sd, sdl);
			if (!sig_same || !dig_same)
				CK("algorithm-protection", CACHET_CHECK_FAIL, CACHET_E_ALG_PROTECTION, "RFC 6211 section 3",
				   "CMSAlgorithmProtection names another %s algorithm than the SignerInfo",
				   dig_same ? "signature" : "digest");
			else
				CK("algorithm-protection", CACHET_CHECK_PASS, 0, "RFC 6211 section 3",
				   "CMSAlgorithmProtection matches the SignerInfo's algorithms");
			break;
		}
		case CACHET_ALG_AT_SIGNING_CERT_V2:
		case CACHET_ALG_AT_SIGNING_CERT: {
			/* RFC 5035 section 3 / RFC 2634 section 5.4 (RFC 5035
			 * section 5): "The first certificate identified in the
			 * sequence of certificate identifiers MUST be the
			 * certificate used to verify the signature" and "If the
			 * hash of the certificate does not match ..., the
			 * signature MUST be considered invalid".  Both attributes
			 * are recognised, each judged on its own; an absent
			 * hashAlgorithm is the DEFAULT id-sha256.
			 * [rfc5035-2-recognize-both] [rfc5035-3-first-cert]
			 * [rfc5035-3-hash-mismatch-invalid] [rfc5035-5-first-cert]
			 * [rfc5035-5-hash-mismatch-invalid] */
			bool v2 = id == CACHET_ALG_AT_SIGNING_CERT_V2;
			const char *differs = "";
			asn1_node sc = NULL;
			char hoid[128] = "";
			cbuf_t want = {0};
			uint8_t h[CACHET_MAX_DIGEST];
			cachet_alg_id_t hid = v2 ? CACHET_ALG_SHA256 : CACHET_ALG_SHA1;
			int r = _cachet_asn1_decode(v2 ? "CachetESS.SigningCertificateV2" : "CachetESS.SigningCertificate",
						    val.data, val.size, false, &sc, "signingCertificate",
						    "RFC 5035 section 3", NULL);
			if (r == 0 && v2 &&
			    _cachet_asn1_read_oid(sc, "certs.?1.hashAlgorithm.algorithm", hoid, sizeof(hoid)) == 0) {
				const cachet_alg_t *ha = _cachet_alg_by_oid(hoid);
				hid = ha && ha->kind == ALG_KIND_DIGEST ? ha->id : CACHET_ALG_NONE;
			}
			if (r == 0)
				r = _cachet_asn1_read(sc, "certs.?1.certHash", &want);
			if (r < 0 || nv != 1) {
				CK("signing-certificate", CACHET_CHECK_FAIL, CACHET_E_MALFORMED, "RFC 5035 section 3",
				   "the signing-certificate attribute does not decode");
			} else if (crt == NULL) {
				CK("signing-certificate", CACHET_CHECK_SKIP, 0, "RFC 5035 section 3",
				   "no signer certificate to compare with");
			} else if (_cachet_hash_size(hid) == 0 ||
				   _cachet_hash_once(hid, crt_der->data, crt_der->size, h) < 0) {
				CK("signing-certificate", CACHET_CHECK_FAIL, CACHET_E_UNSUPPORTED, "RFC 5035 section 3",
				   "the certificate hash algorithm %s is not supported", _cachet_oid_name(hoid));
			} else if (want.size != _cachet_hash_size(hid) || memcmp(want.data, h, want.size) != 0) {
				CK("signing-certificate", CACHET_CHECK_FAIL, CACHET_E_ATTR_MISMATCH, "RFC 5035 section 3",
				   "the certificate hash in the attribute does not match the signer certificate");
			} else if (!issuer_serial_names(sc, &val, crt, &differs)) {
				CK("signing-certificate", CACHET_CHECK_FAIL, CACHET_E_ATTR_MISMATCH, "RFC 5035 section 4",
				   "the issuerSerial of the first certificate identifier names another %s than "
				   "the signer certificate's", differs);
			} else {
				CK("signing-certificate", CACHET_CHECK_PASS, 0, "RFC 5035 section 3",
				   "%s names the signer certificate", v2 ? "signingCertificateV2" : "signingCertificate");
			}
			_cachet_asn1_delete(&sc, false);
			_cachet_buf_free(&want);
			break;
		}
		case CACHET_ALG_AT_SMIME_CAPABILITIES:
			CK("smime-capabilities", CACHET_CHECK_INFO, 0, "RFC 8551 section 2.5.2",
			   "SMIMECapabilities present");
			break;
		case CACHET_ALG_AT_ENC_KEY_PREF:
			if (nv == 1)
				CHECK(key_preference(st, si, &val));
			break;
		case CACHET_ALG_AT_SECURE_HEADERS:
			if (nv == 1 && si->rs->sechdr == NULL)
				CHECK(secure_headers(st, si, &val));
			break;
		case CACHET_ALG_AT_COUNTERSIGNATURE:
			/* RFC 5652 section 11.4: "MUST NOT be a signed attribute".
			 * [rfc5652-11.4-countersignature-unsigned] */
			CK("countersignature", CACHET_CHECK_FAIL, CACHET_E_ATTR_MISMATCH, "RFC 5652 section 11.4",
			   "a countersignature must be an unsigned attribute, not a signed one");
			break;
		default:
			break;
		}
	}
	/* Each at most once (RFC 5652 sections 11.1-11.3, RFC 8551 sections
	 * 2.5.2-2.5.3, RFC 5035 section 3, RFC 6211 section 2); content-type
	 * and message-digest exactly once. */
	for (size_t k = 0; k < NSINGLE; k++) {
		const char *nm = _cachet_alg_by_id(single_attrs[k].id)->name;
		if (seen[k] == 0 && single_attrs[k].required)
			CK(single_attrs[k].check, CACHET_CHECK_FAIL, CACHET_E_ATTR_MISSING, single_attrs[k].rule,
			   "signedAttrs lack the %s attribute", nm);
		else if (seen[k] > 1)
			CK(single_attrs[k].check, CACHET_CHECK_FAIL, CACHET_E_ATTR_DUPLICATE, single_attrs[k].rule,
			   "signedAttrs hold %u %s attributes; one is allowed", seen[k], nm);
	}
	ret = 0;
cleanup:
	_cachet_asn1_delete(&set, false);
	_cachet_buf_free(&re);
	_cachet_buf_free(&val);
	return ret;
}

/* Judge the unsigned attributes: the single_attrs are signed attributes
 * only (the signature would not protect them otherwise).
 * [rfc8551-2.5.2-smimecap-signed] [rfc8551-2.5.3-keypref-signed] */
static int check_unsigned_attrs(vstate_t *st, sinfo_t *si)
{
	cachet_report_t *rep = st->rep;
	unsigned count = 0, ncs = 0;
	char path[96], oid[128];
	int ret;

	/* Absent unsignedAttrs count as none. */
	CHECK_RET(_cachet_asn1_count(si->node, "unsignedAttrs", &count));
	for (unsigned i = 1; i <= count; i++) {
		CHECK_RET(_cachet_asn1_read_oid(si->node,
						_cachet_asn1_path(path, sizeof(path), "unsignedAttrs", i, "attrType"),
						oid, sizeof(oid)));
		const cachet_alg_t *a = _cachet_alg_by_oid(oid);
		cachet_alg_id_t id = a && a->kind == ALG_KIND_ATTRIBUTE ? a->id : CACHET_ALG_NONE;
		int k = single_index(id);
		if (k >= 0)
			CK("unsigned-attrs", CACHET_CHECK_FAIL, CACHET_E_ATTR_MISMATCH, single_attrs[k].rule,
			   "the %s attribute must be a signed attribute, not an unsigned one",
			   _cachet_alg_by_id(id)->name);
		else if (id == CACHET_ALG_AT_COUNTERSIGNATURE)
			ncs++;
	}
	if (ncs)
		CK("countersignature", CACHET_CHECK_INFO, 0, "RFC 5652 section 11.4",
		   "%u countersignature attribute%s present (not verified: a countersignature vouches for "
		   "this signature, it does not change it)", ncs, ncs == 1 ? "" : "s");
	return 0;
}

/* How many certificates of SET have the subjectKeyIdentifier SKID. */
static size_t skid_count(const cachet_certset_t *set, const cbuf_t *skid)
{
	size_t n = 0;
	for (size_t i = 0; i < set->n; i++) {
		cbuf_t id = {0};
		n += _cachet_crt_skid(set->crt[i], &id) == 0 && id.size == skid->size &&
		     memcmp(id.data, skid->data, id.size) == 0;
		_cachet_buf_free(&id);
	}
	return n;
}

/* [rfc8551-2.6-skid-duplicates] [rfc8551-2.6-skid-try-each] RFC 8551
 * section 2.6: "Implementations MUST be prepared for multiple
 * certificates for potentially different entities to have the same value
 * for subjectKeyIdentifier and MUST be prepared to try each matching
 * certificate during signature verification before indicating an error
 * condition".  Of the certificates with the sid's subjectKeyIdentifier
 * SKID, the message's first and then the ones given, the signer's is the
 * first whose key verifies the signature over TBS: it goes to *CRT,
 * *CRT_DER and *WHERE and *IS_FOUND is set.  When none does, they are
 * left alone (the signature check then fails with the first). */
static int skid_pick(vstate_t *st, sinfo_t *si, const cbuf_t *skid, const cachet_sigparams_t *sp,
		     const uint8_t *tbs, size_t tbslen, gnutls_x509_crt_t *crt, const cbuf_t **crt_der,
		     const cachet_certset_t **where, bool *is_found)
{
	const cachet_certset_t *sets[2] = {&st->certs, &st->v->extra};
	const cachet_certset_t *pools[] = {&st->certs, &st->v->extra, &st->v->trust};
	cbuf_t sig = {0}, id = {0};
	int ret;

	*is_found = false;
	CHECK(_cachet_asn1_read(si->node, "signature", &sig));
	for (size_t k = 0; k < 2 && !*is_found; k++) {
		for (size_t i = 0; i < sets[k]->n && !*is_found; i++) {
			cachet_pubkey_t *pub = NULL;
			_cachet_buf_free(&id);
			if (_cachet_crt_skid(sets[k]->crt[i], &id) < 0 || id.size != skid->size ||
			    memcmp(id.data, skid->data, id.size) != 0)
				continue;
			ret = _cachet_pubkey_from_pool(&pub, sets[k]->crt[i], &sets[k]->der[i], pools, 3, NULL);
			if (ret == CACHET_E_NOMEM)
				goto cleanup;
			if (ret == 0 && _cachet_pk_verify(pub, sp, tbs, tbslen, sig.data, sig.size, NULL) == 0) {
				*crt = sets[k]->crt[i];
				*crt_der = &sets[k]->der[i];
				*where = sets[k];
				*is_found = true;
			}
			_cachet_pubkey_free(pub);
		}
	}
	ret = 0;
cleanup:
	_cachet_buf_free(&sig);
	_cachet_buf_free(&id);
	return ret;
}

/* The signer certificate CRT in the report: identity and addresses. */
static void report_identity(sinfo_t *si, gnutls_x509_crt_t crt, char *desc, size_t n)
{
	cbuf_t em = {0};
	_cachet_crt_describe(crt, desc, n);
	_cachet_report_set(&si->rs->identity, desc);
	if (_cachet_crt_emails(crt, &em) == 0 && _cachet_buf_append(&em, "", 1) == 0)
		_cachet_report_set(&si->rs->emails, (const char *)em.data);
	_cachet_buf_free(&em);
}

/* Judge one SignerInfo.  Failures go into the report, not the return
 * value, which is negative only for resource errors. */
static int verify_signer(vstate_t *st, const cbuf_t *der, size_t idx)
{
	cachet_report_t *rep = st->rep;
	cachet_diag_t *diag = st->diag;
	sinfo_t sinfo = {der->data, der->size, NULL, NULL, "SignedData.signerInfos"};
	sinfo_t *si = &sinfo;
	cbuf_t a = {0}, b = {0}, sattrs = {0}, sig = {0};
	cachet_pubkey_t *pub = NULL;
	char oid[128], choice[64], desc[512], path[64];
	const cachet_alg_t *da = NULL, *sa = NULL;
	gnutls_x509_crt_t crt = NULL;
	const cbuf_t *crt_der = NULL;
	cachet_sigparams_t sp;
	unsigned long version = 0;
	size_t ri;
	int ret;

	snprintf(path, sizeof(path), "SignedData.signerInfos[%zu]", idx);
	si->path = path;
	CHECK(_cachet_report_add_signer(rep, &ri));
	si->rs = _cachet_report_signer(rep, ri);

	ret = _cachet_asn1_decode("CachetCMS.SignerInfo", der->data, der->size, false, &si->node, path,
				  RULE_SI, diag);
	if (ret < 0) {
		CK("signer-info", CACHET_CHECK_FAIL, CACHET_E_MALFORMED, RULE_SI,
		   "the SignerInfo does not decode as RFC 5652 section 5.3 defines it");
		ret = 0;
		goto cleanup;
	}

	/* sid and version (section 5.3): 1 with issuerAndSerialNumber, 3 with
	 * subjectKeyIdentifier.  [rfc8551-2.6-sid-both] */
	int clen = sizeof(choice);
	if (asn1_read_value(si->node, "sid", choice, &clen) != ASN1_SUCCESS)
		choice[0] = 0;
	ret = _cachet_asn1_read_uint(si->node, "version", &version);
	bool by_skid = strcmp(choice, "subjectKeyIdentifier") == 0;
	long ci = -1;
	size_t nskid = 0; /* certificates with the sid's subjectKeyIdentifier */
	const cachet_certset_t *where = &st->certs;
	if (by_skid) {
		CHECK(_cachet_asn1_read(si->node, "sid.subjectKeyIdentifier", &a));
		nskid = skid_count(&st->certs, &a) + skid_count(&st->v->extra, &a);
		ci = _cachet_certset_find_skid(where, a.data, a.size);
		if (ci < 0) {
			where = &st->v->extra;
			ci = _cachet_certset_find_skid(where, a.data, a.size);
		}
		char hex[80] = "";
		for (size_t i = 0; i < a.size && i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", a.data[i]);
		snprintf(desc, sizeof(desc), "subjectKeyIdentifier %s", hex);
	} else {
		const uint8_t *issuer;
		size_t ilen;
		CHECK(raw_of(si, "sid.issuerAndSerialNumber.issuer", &issuer, &ilen));
		CHECK(_cachet_asn1_read(si->node, "sid.issuerAndSerialNumber.serialNumber", &b));
		ci = _cachet_certset_find_iasn(where, issuer, ilen, b.data, b.size);
		if (ci < 0) {
			where = &st->v->extra;
			ci = _cachet_certset_find_iasn(where, issuer, ilen, b.data, b.size);
		}
		char hex[80] = "";
		for (size_t i = 0; i < b.size && i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", b.data[i]);
		snprintf(desc, sizeof(desc), "issuerAndSerialNumber, serial %s", hex);
	}
	_cachet_report_set(&si->rs->sid, desc);
	if (ret < 0 || version != (by_skid ? 3u : 1u))
		CK("signer-info-version", CACHET_CHECK_FAIL, CACHET_E_BAD_VERSION, RULE_SI,
		   "version %lu with %s; it must be %u", version, by_skid ? "subjectKeyIdentifier"
									: "issuerAndSerialNumber", by_skid ? 3 : 1);
	else
		CK("signer-info-version", CACHET_CHECK_PASS, 0, RULE_SI, "version %lu with %s", version,
		   by_skid ? "subjectKeyIdentifier" : "issuerAndSerialNumber");
	if (ci >= 0) {
		crt = where->crt[ci];
		crt_der = &where->der[ci];
		report_identity(si, crt, desc, sizeof(desc));
		if (nskid > 1)
			/* The signature decides, below (skid_pick). */
			CK("signer-certificate", CACHET_CHECK_INFO, 0, "RFC 8551 section 2.6",
			   "%zu certificates have this subjectKeyIdentifier: the signer's is the one whose key "
			   "verifies the signature", nskid);
		else
			CK("signer-certificate", CACHET_CHECK_PASS, 0, RULE_SI, "found %s in the %s", desc,
			   where == &st->certs ? "message" : "certificates given");
	} else {
		CK("signer-certificate", CACHET_CHECK_FAIL, CACHET_E_NO_SIGNER_CERT, RULE_SI,
		   "no certificate matches the SignerInfo's sid");
	}

	/* digestAlgorithm */
	CHECK(_cachet_asn1_read_oid(si->node, "digestAlgorithm.algorithm", oid, sizeof(oid)));
	da = _cachet_alg_by_oid(oid);
	_cachet_report_set(&si->rs->digest, _cachet_oid_name(oid));
	if (da == NULL || da->kind != ALG_KIND_DIGEST || _cachet_hash_size(da->id) == 0) {
		CK("digest-algorithm", CACHET_CHECK_FAIL, da ? CACHET_E_UNSUPPORTED : CACHET_E_UNKNOWN_OID,
		   RULE_SI, "digest algorithm %s is not supported", _cachet_oid_name(oid));
		goto cleanup;
	}
	if ((da->flags & ALG_F_LEGACY) && !(st->v->policy & CACHET_POLICY_ALLOW_SHA1)) {
		CK("digest-algorithm", CACHET_CHECK_FAIL, CACHET_E_WEAK_ALGORITHM, "RFC 8551 section 2.1",
		   "%s is not accepted by the policy in force (RFC 8551 allows it only for old messages)",
		   da->name);
		goto cleanup;
	}
	CK("digest-algorithm", CACHET_CHECK_PASS, 0, "RFC 8551 section 2.1", "%s", da->name);

	/* signatureAlgorithm */
	CHECK(_cachet_asn1_read_oid(si->node, "signatureAlgorithm.algorithm", oid, sizeof(oid)));
	sa = _cachet_alg_by_oid(oid);
	_cachet_report_set(&si->rs->signature, _cachet_oid_name(oid));
	if (sa == NULL || sa->kind != ALG_KIND_SIGNATURE) {
		CK("signature-algorithm", CACHET_CHECK_FAIL, CACHET_E_UNKNOWN_OID, RULE_SI,
		   "signature algorithm %s is not known", _cachet_oid_name(oid));
		goto cleanup;
	}
	if ((sa->flags & ALG_F_LEGACY) && !(st->v->policy & CACHET_POLICY_ALLOW_DSA) &&
	    (sa->id == CACHET_ALG_DSA || sa->id == CACHET_ALG_DSA_SHA1 || sa->id == CACHET_ALG_DSA_SHA224 ||
	     sa->id == CACHET_ALG_DSA_SHA256)) {
		CK("signature-algorithm", CACHET_CHECK_FAIL, CACHET_E_WEAK_ALGORITHM, "RFC 8551 section 2.2",
		   "%s is not accepted by the policy in force", sa->name);
		goto cleanup;
	}
	if ((sa->flags & ALG_F_LEGACY) && sa->hash == CACHET_ALG_SHA1 &&
	    !(st->v->policy & CACHET_POLICY_ALLOW_SHA1)) {
		CK("signature-algorithm", CACHET_CHECK_FAIL, CACHET_E_WEAK_ALGORITHM, "RFC 8551 section 2.2",
		   "%s is not accepted by the policy in force", sa->name);
		goto cleanup;
	}
	{
		const uint8_t *pp = NULL;
		size_t pl = 0;
		cbuf_t pbuf = {0};
		if (_cachet_asn1_read(si->node, "signatureAlgorithm.parameters", &pbuf) == 0) {
			pp = pbuf.data;
			pl = pbuf.size;
		}
		ret = _cachet_alg_check_params(sa, pp, pl, path, NULL);
		/* NULL where the parameters MUST be absent (RFC 5754 section
		 * 3.3, RFC 8419 section 2.3): gpgsm writes ecdsa-with-SHA* so.
		 * The field is outside the signed bytes and means nothing
		 * here, so it is reported, not held against the signature;
		 * any other parameters still fail. */
		if (ret < 0 && sa->params == ALG_PARAMS_ABSENT && pl == 2 && pp[0] == 0x05 && pp[1] == 0x00) {
			CK("signature-algorithm-parameters", CACHET_CHECK_INFO, 0, sa->rule,
			   "%s has NULL parameters, which must be absent; accepted (they are not signed)",
			   sa->name);
			ret = 0;
		}
		_cachet_buf_free(&pbuf);
		if (ret < 0) {
			CK("signature-algorithm", CACHET_CHECK_FAIL, CACHET_E_BAD_PARAMS, sa->rule,
			   "%s parameters are not as its specification requires", sa->name);
			ret = 0;
			goto cleanup;
		}
	}
	if (sig_params(st, si, sa, da, &sp) < 0)
		goto cleanup;
	CK("signature-algorithm", CACHET_CHECK_PASS, 0, RULE_SI, "%s", sa->name);
	if (sp.scheme == CACHET_PK_ED25519 || sp.scheme == CACHET_PK_ED448)
		CHECK(eddsa_digest(st, si, sp.scheme, da));

	/* The digest of the content, computed while it streamed. */
	uint8_t md[CACHET_MAX_DIGEST];
	const uint8_t *mdp = NULL;
	cachet_hash_t *h = hashset_get(&st->hs, da->id);
	if (h) {
		cachet_hash_t copy = *h;
		_cachet_hash_final(&copy, md);
		mdp = md;
	} else if (!st->pure_overflow) {
		/* Not listed in digestAlgorithms, but the content is small
		 * enough to have been kept: digest it now. */
		CHECK(_cachet_hash_once(da->id, st->pure.data, st->pure.size, md));
		mdp = md;
		CK("digest-listed", CACHET_CHECK_INFO, 0, RULE_SD,
		   "%s is not listed in SignedData.digestAlgorithms", da->name);
	}

	const uint8_t *sa_raw;
	size_t sa_len;
	bool has_attrs = raw_of(si, "signedAttrs", &sa_raw, &sa_len) == 0;
	const uint8_t *to_sign = NULL;
	size_t to_sign_len = 0;
	uint8_t h2[CACHET_MAX_DIGEST];
	bool pure_mode = sp.scheme == CACHET_PK_ED25519 || sp.scheme == CACHET_PK_ED448;
	if (has_attrs) {
		/* The signature covers the DER encoding with an EXPLICIT SET
		 * OF tag (RFC 5652 section 5.4). */
		CHECK(_cachet_buf_append(&sattrs, sa_raw, sa_len));
		sattrs.data[0] = 0x31;
		if (pure_mode) {
			to_sign = sattrs.data;
			to_sign_len = sattrs.size;
		} else {
			CHECK(_cachet_hash_once(sp.hash, sattrs.data, sattrs.size, h2));
			to_sign = h2;
			to_sign_len = _cachet_hash_size(sp.hash);
		}
	} else {
		/* RFC 5652 section 5.3: without signedAttrs the content type
		 * must be id-data. */
		if (strcmp(st->ect, oid_of(CACHET_ALG_CT_DATA)) != 0)
			CK("signed-attrs-present", CACHET_CHECK_FAIL, CACHET_E_ATTR_MISSING, RULE_SI,
			   "signedAttrs are absent but eContentType is %s, not id-data",
			   _cachet_oid_name(st->ect));
		else
			CK("signed-attrs-present", CACHET_CHECK_INFO, 0, RULE_SI,
			   "no signedAttrs: the signature covers the content directly");
		if (pure_mode) {
			if (st->pure_overflow) {
				CK("signature", CACHET_CHECK_FAIL, CACHET_E_SIZE_LIMIT, "RFC 8419 section 3.1",
				   "pure EdDSA over content larger than %u bytes is not verified",
				   CACHET_MAX_PURE_CONTENT);
				goto cleanup;
			}
			to_sign = st->pure.data ? st->pure.data : (const uint8_t *)"";
			to_sign_len = st->pure.size;
		} else if (mdp != NULL && sp.hash == da->id) {
			to_sign = mdp;
			to_sign_len = _cachet_hash_size(da->id);
		} else {
			CK("signature", CACHET_CHECK_FAIL, CACHET_E_UNSUPPORTED, RULE_SIG,
			   "the content was not digested with %s", _cachet_alg_by_id(sp.hash)->name);
			goto cleanup;
		}
	}
	if (crt != NULL && nskid > 1) {
		bool is_found;
		CHECK(skid_pick(st, si, &a, &sp, to_sign, to_sign_len, &crt, &crt_der, &where, &is_found));
		report_identity(si, crt, desc, sizeof(desc));
		CK("signer-certificate", CACHET_CHECK_PASS, 0, "RFC 8551 section 2.6", "found %s in the %s%s", desc,
		   where == &st->certs ? "message" : "certificates given",
		   is_found ? " (its key verifies the signature)"
			    : " (the first; no key of those with this subjectKeyIdentifier verifies the signature)");
	}
	if (has_attrs)
		CHECK(check_attrs(st, si, da, mdp, crt, crt_der, &sattrs));

	CHECK(check_unsigned_attrs(st, si));

	/* The signature itself (section 5.6). */
	if (crt == NULL) {
		CK("signature", CACHET_CHECK_SKIP, 0, RULE_VER, "no certificate to verify with");
		goto cleanup;
	}
	{
		/* Where an issuer's DSA parameters may come from (RFC 3279
		 * section 2.3.2). */
		const cachet_certset_t *pools[] = {&st->certs, &st->v->extra, &st->v->trust};
		ret = _cachet_pubkey_from_pool(&pub, crt, crt_der, pools, 3, NULL);
	}
	if (ret < 0) {
		CK("signature", CACHET_CHECK_FAIL, ret, RULE_VER, "the signer certificate's key cannot be used");
		ret = 0;
		goto cleanup;
	}
	CHECK(_cachet_asn1_read(si->node, "signature", &sig));
	if (sp.scheme == CACHET_PK_RSA_PSS) {
		char why[200];
		if (pss_cert_mismatch(crt_der, &sp, why, sizeof(why)) != 0) {
			/* "the signature checking algorithm MUST fail
			 * validation": a bad signature, not a malformed message. */
			CK("signature", CACHET_CHECK_FAIL, CACHET_E_BAD_SIGNATURE, "RFC 4056 section 3",
			   "the RSASSA-PSS parameters do not meet the signer certificate's: %s", why);
			goto cleanup;
		}
	}
	ret = _cachet_pk_verify(pub, &sp, to_sign, to_sign_len, sig.data, sig.size, NULL);
	if (ret == CACHET_E_NOT_DER || ret == CACHET_E_MALFORMED) {
		/* A signature value that is not a DER ECDSA-Sig-Value or
		 * Dss-Sig-Value (RFC 5753 section 7.2, RFC 3279 section 2.2)
		 * cannot verify: it is a bad signature, not a broken message. */
		CK("signature", CACHET_CHECK_FAIL, CACHET_E_BAD_SIGNATURE, "RFC 5753 section 7.2",
		   "the signature value is not a DER-encoded signature structure");
		ret = 0;
	} else if (ret == 0)
		CK("signature", CACHET_CHECK_PASS, 0, RULE_VER, "%s signature by %u-bit key verifies", sa->name,
		   _cachet_pubkey_bits(pub));
	else
		CK("signature", CACHET_CHECK_FAIL, ret == CACHET_E_BAD_SIGNATURE ? ret : ret, RULE_VER,
		   "%s", ret == CACHET_E_BAD_SIGNATURE ? "the signature value does not verify"
						       : cachet_strerror(ret));
	ret = 0;

	/* The certificate: path, RFC 5280 and RFC 8550 rules, revocation,
	 * each its own check (pki-validate.c). */
	if (st->v->policy & CACHET_POLICY_NO_CHAIN) {
		CK("certificate-path", CACHET_CHECK_SKIP, 0, "RFC 5280 section 6", "path checks disabled by policy");
	} else {
		/* Build with the message's certificates, then the given ones. */
		cachet_certset_t both = {0};
		for (size_t i = 0; i < st->certs.n; i++)
			_cachet_certset_add_der(&both, st->certs.der[i].data, st->certs.der[i].size, NULL, NULL);
		for (size_t i = 0; i < st->v->extra.n; i++)
			_cachet_certset_add_der(&both, st->v->extra.der[i].data, st->v->extra.der[i].size, NULL,
						NULL);
		_cachet_vparams_t vp = {&st->v->trust, &both, &st->v->val,
					st->v->t_set ? st->v->t : time(NULL), st->v->policy};
		ret = _cachet_validate_signer(crt, &vp, rep, si->rs);
		_cachet_certset_free(&both);
		if (ret < 0)
			goto cleanup;
	}
cleanup:
	if (ret < 0 && ret != CACHET_E_NOMEM) {
		/* A mandatory part could not be read (libtasn1 reports absent
		 * fields of a truncated SEQUENCE only when asked for them). */
		CK("signer-info", CACHET_CHECK_FAIL, CACHET_E_MALFORMED, RULE_SI,
		   "the SignerInfo is incomplete or malformed (%s)", cachet_strerror_name(ret));
		ret = 0;
	}
	/* Fail-safe: a signer is valid only when its signature check passed. */
	if (si->rs && si->rs->result == 0) {
		bool sig_passed = false;
		for (size_t i = 0; i < si->rs->n; i++)
			sig_passed |= strcmp(si->rs->checks[i].name, "signature") == 0 &&
				      si->rs->checks[i].status == CACHET_CHECK_PASS;
		if (!sig_passed)
			CK("signature", CACHET_CHECK_FAIL, CACHET_E_VERIFY_FAILED, RULE_VER,
			   "the signature was not verified");
	}
	_cachet_asn1_delete(&si->node, false);
	_cachet_pubkey_free(pub);
	_cachet_buf_free(&a);
	_cachet_buf_free(&b);
	_cachet_buf_free(&sattrs);
	_cachet_buf_free(&sig);
	return ret;
}

/* Parse the CertificateSet: keep each X.509 certificate; other choices are
 * reported and ignored (RFC 5652 section 10.2.2). */
static int read_certs(vstate_t *st, const cbuf_t *set)
{
	const uint8_t *v, *p;
	size_t vl, tot;
	uint8_t id;
	int ret;
	cachet_diag_t *diag = st->diag;

	ret = _cachet_der_parse(set->data, set->size, &id, &v, &vl, &tot);
	if (ret < 0) {
		/* BER (e.g. indefinite lengths): decode with libtasn1 and take
		 * each certificate's DER from it. */
		asn1_node n = NULL;
		cbuf_t copy = {0}, der = {0};
		unsigned count = 0;
		char path[48];
		CHECK_RET(_cachet_buf_append(&copy, set->data, set->size));
		copy.data[0] = 0x31; /* [0] IMPLICIT SET OF -> SET OF */
		ret = _cachet_asn1_decode("CachetCMS.CertificateSet", copy.data, copy.size, false, &n,
					  "SignedData.certificates", RULE_SD, diag);
		_cachet_buf_free(&copy);
		CHECK_RET(ret);
		ret = _cachet_asn1_count(n, "", &count);
		for (unsigned i = 1; i <= count && ret == 0; i++) {
			_cachet_buf_free(&der);
			if (_cachet_asn1_encode(n, _cachet_asn1_path(path, sizeof(path), "", i, "certificate"),
						&der) < 0)
				continue; /* another CertificateChoices alternative */
			ret = _cachet_certset_add_der(&st->certs, der.data, der.size, "SignedData.certificates",
						      diag);
		}
		_cachet_buf_free(&der);
		_cachet_asn1_delete(&n, false);
		return ret;
	}
	p = v;
	while (vl) {
		const uint8_t *ev;
		size_t evl, et;
		CHECK_RET(_cachet_der_parse(p, vl, &id, &ev, &evl, &et));
		if (id == 0x30)
			CHECK_RET(_cachet_certset_add_der(&st->certs, p, et, "SignedData.certificates", diag));
		else
			_cachet_report_check(st->rep, NULL, "certificates", CACHET_CHECK_INFO, 0, "RFC 5652 section 10.2.2",
					     "a CertificateChoices element with tag 0x%02x (not an X.509 certificate) is ignored", id);
		p += et;
		vl -= et;
	}
	return 0;
}

int cachet_verify_run(cachet_verify_t *v, cachet_source_t *in,
		      cachet_source_t *detached, cachet_sink_t *content_out,
		      cachet_report_t **report, cachet_diag_t *diag)
{
	vstate_t *st = NULL;
	cachet_source_t *src = NULL;
	ber_reader_t r;
	ber_hdr_t h;
	cbuf_t buf = {0}, sis[CACHET_MAX_SIGNERS];
	size_t nsi = 0;
	bool has_content = false, judged = false;
	int ret;

	memset(sis, 0, sizeof(sis));
	if (v == NULL || in == NULL || report == NULL)
		return CACHET_E_INVALID_ARG;
	*report = NULL;
	st = _cachet_calloc(1, sizeof(*st));
	ENSURE(st != NULL, CACHET_E_NOMEM, NULL, NULL, "out of memory");
	st->v = v;
	st->diag = diag;
	st->content_out = content_out;
	CHECK(_cachet_report_new(&st->rep));
	CHECK(_cachet_source_autodetect(&src, in, diag));
	_cachet_ber_reader_init(&r, src, diag);

	/* ContentInfo (RFC 5652 section 3). */
	r.path = "ContentInfo";
	CHECK(_cachet_ber_expect(&r, &h, BER_UNIVERSAL, true, BER_TAG_SEQUENCE, "ContentInfo"));
	CHECK(_cachet_ber_enter(&r, &h));
	CHECK(_cachet_ber_expect(&r, &h, BER_UNIVERSAL, false, BER_TAG_OID, "ContentInfo.contentType"));
	CHECK(_cachet_ber_read_value(&r, &h, &buf, 64));
	{
		cbuf_t oid = {0};
		char dotted[128];
		asn1_node n = NULL;
		CHECK(_cachet_der_append(&oid, 0x06, buf.data, buf.size));
		ret = _cachet_asn1_decode("CachetCMS.ContentType", oid.data, oid.size, true, &n,
					  "ContentInfo.contentType", "RFC 5652 section 3", diag);
		if (ret == 0)
			ret = _cachet_asn1_read_oid(n, "", dotted, sizeof(dotted));
		_cachet_asn1_delete(&n, false);
		_cachet_buf_free(&oid);
		CHECK(ret);
		ENSURE(strcmp(dotted, oid_of(CACHET_ALG_CT_SIGNED)) == 0, CACHET_E_UNSUPPORTED_CONTENT,
		       "RFC 5652 section 3", "ContentInfo.contentType",
		       "content type %s is not SignedData", _cachet_oid_name(dotted));
	}
	CHECK(_cachet_ber_expect(&r, &h, BER_CONTEXT, true, 0, "ContentInfo.content"));
	CHECK(_cachet_ber_enter(&r, &h));

	/* SignedData (section 5.1). */
	r.path = "SignedData";
	CHECK(_cachet_ber_expect(&r, &h, BER_UNIVERSAL, true, BER_TAG_SEQUENCE, "SignedData"));
	CHECK(_cachet_ber_enter(&r, &h));
	r.path = "SignedData.version";
	CHECK(_cachet_ber_expect(&r, &h, BER_UNIVERSAL, false, BER_TAG_INTEGER, "SignedData.version"));
	_cachet_buf_free(&buf);
	CHECK(_cachet_ber_read_value(&r, &h, &buf, 8));
	unsigned sd_version = buf.size == 1 ? buf.data[0] : 255;
	r.path = "SignedData.digestAlgorithms";
	CHECK(_cachet_ber_expect(&r, &h, BER_UNIVERSAL, true, BER_TAG_SET, "SignedData.digestAlgorithms"));
	_cachet_buf_free(&buf);
	CHECK(_cachet_ber_capture(&r, &h, &buf, CACHET_MAX_BOUNDED));
	CHECK(start_digests(st, &buf));

	/* encapContentInfo (section 5.2). */
	r.path = "SignedData.encapContentInfo";
	CHECK(_cachet_ber_expect(&r, &h, BER_UNIVERSAL, true, BER_TAG_SEQUENCE, "encapContentInfo"));
	CHECK(_cachet_ber_enter(&r, &h));
	CHECK(_cachet_ber_expect(&r, &h, BER_UNIVERSAL, false, BER_TAG_OID, "eContentType"));
	_cachet_buf_free(&buf);
	CHECK(_cachet_ber_read_value(&r, &h, &buf, 64));
	{
		cbuf_t oid = {0};
		asn1_node n = NULL;
		CHECK(_cachet_der_append(&oid, 0x06, buf.data, buf.size));
		ret = _cachet_asn1_decode("CachetCMS.ContentType", oid.data, oid.size, true, &n,
					  "encapContentInfo.eContentType", "RFC 5652 section 5.2", diag);
		if (ret == 0)
			ret = _cachet_asn1_read_oid(n, "", st->ect, sizeof(st->ect));
		_cachet_asn1_delete(&n, false);
		_cachet_buf_free(&oid);
		CHECK(ret);
	}
	ret = _cachet_ber_next(&r, &h);
	if (ret == 0) {
		ENSURE(ber_is(&h, BER_CONTEXT, true, 0), CACHET_E_MALFORMED, "RFC 5652 section 5.2",
		       "SignedData.encapContentInfo.eContent", "expected [0] eContent, found identifier 0x%02x",
		       h.raw[0]);
		ENSURE(detached == NULL, CACHET_E_INVALID_ARG, "RFC 5652 section 5.2",
		       "SignedData.encapContentInfo.eContent",
		       "content was given separately, but the message carries its own content");
		has_content = true;
		CHECK(_cachet_ber_enter(&r, &h));
		r.path = "SignedData.encapContentInfo.eContent";
		ret = _cachet_ber_next(&r, &h);
		ENSURE(ret != CACHET_E_END, CACHET_E_MALFORMED, "RFC 5652 section 5.2",
		       "SignedData.encapContentInfo.eContent", "eContent [0] is empty");
		CHECK(ret);
		if (h.cls == BER_UNIVERSAL && h.tag == BER_TAG_OCTET_STRING) {
			CHECK(_cachet_ber_stream_octets(&r, &h, content_chunk, st));
		} else {
			/* PKCS #7 (RFC 2315 section 9.1) carried content of any
			 * type; its digest covers the value's content octets
			 * (RFC 5652 section 5.4). */
			_cachet_report_check(st->rep, NULL, "econtent-type", CACHET_CHECK_INFO, 0,
					     "RFC 5652 section 5.2.1",
					     "eContent is not an OCTET STRING (PKCS #7 form); its value octets are digested");
			st->is_pkcs7_form = true;
			CHECK(_cachet_ber_stream_value(&r, &h, content_chunk, st));
		}
		CHECK(_cachet_ber_leave(&r));
		CHECK(_cachet_ber_leave(&r));
	} else if (ret == CACHET_E_END) {
		CHECK(_cachet_ber_leave(&r));
		/* Without the content, whether it is needed depends on the
		 * signerInfos still to come: a certificates-only SignedData
		 * (RFC 5652 section 5.2, RFC 8551 section 3.8) has none and
		 * is judged "not signed", not asked for content. */
		if (detached != NULL)
			CHECK(stream_detached(st, detached));
	} else {
		goto cleanup;
	}

	/* certificates [0], crls [1], signerInfos (section 5.1). */
	r.path = "SignedData";
	CHECK(_cachet_ber_next_required(&r, &h, "SignedData.signerInfos", RULE_SD));
	if (ber_is(&h, BER_CONTEXT, true, 0)) {
		r.path = "SignedData.certificates";
		_cachet_buf_free(&buf);
		CHECK(_cachet_ber_capture(&r, &h, &buf, CACHET_MAX_BOUNDED));
		CHECK(read_certs(st, &buf));
		CHECK(_cachet_ber_next_required(&r, &h, "SignedData.signerInfos", RULE_SD));
	}
	if (ber_is(&h, BER_CONTEXT, true, 1)) {
		r.path = "SignedData.crls";
		CHECK(_cachet_ber_skip(&r, &h));
		CHECK(_cachet_ber_next_required(&r, &h, "SignedData.signerInfos", RULE_SD));
	}
	r.path = "SignedData.signerInfos";
	ENSURE(ber_is(&h, BER_UNIVERSAL, true, BER_TAG_SET), CACHET_E_MALFORMED, RULE_SD,
	       "SignedData.signerInfos", "expected the signerInfos SET, found identifier 0x%02x", h.raw[0]);
	CHECK(_cachet_ber_enter(&r, &h));
	for (;;) {
		ret = _cachet_ber_next(&r, &h);
		if (ret == CACHET_E_END)
			break;
		CHECK(ret);
		ENSURE(nsi < CACHET_MAX_SIGNERS, CACHET_E_COUNT_LIMIT, RULE_SD, "SignedData.signerInfos",
		       "more than %d SignerInfos", CACHET_MAX_SIGNERS);
		ENSURE(ber_is(&h, BER_UNIVERSAL, true, BER_TAG_SEQUENCE), CACHET_E_MALFORMED, RULE_SI,
		       "SignedData.signerInfos", "a SignerInfo must be a SEQUENCE");
		CHECK(_cachet_ber_capture(&r, &h, &sis[nsi++], CACHET_MAX_BOUNDED));
	}
	CHECK(_cachet_ber_leave(&r));
	CHECK(_cachet_ber_leave(&r)); /* SignedData */
	CHECK(_cachet_ber_leave(&r)); /* [0] */
	CHECK(_cachet_ber_leave(&r)); /* ContentInfo */
	CHECK(_cachet_ber_expect_eof(&r));

	ENSURE(has_content || detached != NULL || nsi == 0, CACHET_E_NO_CONTENT, "RFC 5652 section 5.2",
	       "SignedData.encapContentInfo", "the signature is detached: give the signed content");

	/* Everything is read: judge each signer. */
	_cachet_report_set(&st->rep->content_type, _cachet_oid_name(st->ect));
	_cachet_report_set(&st->rep->digests, (const char *)st->digest_algs.data);
	st->rep->detached = !has_content;
	st->rep->content_size = st->content_size;
	st->rep->ncerts = st->certs.n;
	for (size_t i = 0; i < st->certs.n; i++)
		CHECK(_cachet_buf_append(&st->rep->certs, st->certs.der[i].data, st->certs.der[i].size));
	{
		/* SignedData version (section 5.1): 1 unless a v3 SignerInfo,
		 * another eContentType or other certificate types need 3+. */
		unsigned want = strcmp(st->ect, oid_of(CACHET_ALG_CT_DATA)) != 0 ? 3 : 1;
		/* PKCS #7 (RFC 2315 section 9.1) wrote version 1 whatever the
		 * content type; RFC 5652 section 5.2.1 keeps such content
		 * readable, so version 1 is accepted when the eContent is in
		 * the PKCS #7 form. */
		if (st->is_pkcs7_form && sd_version == 1)
			want = 1;
		if (sd_version < want || sd_version > 5)
			_cachet_report_check(st->rep, NULL, "signed-data-version", CACHET_CHECK_FAIL,
					     CACHET_E_BAD_VERSION, RULE_SD,
					     "SignedData version %u is not allowed here", sd_version);
	}
	for (size_t i = 0; i < nsi; i++)
		CHECK(verify_signer(st, &sis[i], i));
	judged = true;
	if (nsi == 0) {
		/* No SignerInfo means nothing is signed, never valid. */
		_cachet_report_check(st->rep, NULL, "signer-infos", CACHET_CHECK_FAIL, CACHET_E_NOT_SIGNED, RULE_SD,
				     "SignerInfos is empty: the message is not signed");
		st->rep->result = CACHET_E_NOT_SIGNED;
	}
	if (content_out)
		CHECK(cachet_sink_flush(content_out));
	ret = st->rep->result;
	if (ret < 0)
		_cachet_diag_push(diag, ret, "SignedData", NULL, "verification failed: %s", cachet_strerror(ret));
cleanup:
	if (st) {
		/* A report whenever the whole message was read and judged. */
		if (st->rep && judged) {
			*report = st->rep;
			st->rep = NULL;
		}
		cachet_report_deinit(st->rep);
		_cachet_certset_free(&st->certs);
		_cachet_buf_free(&st->pure);
		_cachet_buf_free(&st->digest_algs);
		free(st);
	}
	if (src != in)
		cachet_source_deinit(src);
	_cachet_buf_free(&buf);
	free_bufs(sis, CACHET_MAX_SIGNERS);
	return ret;
}
