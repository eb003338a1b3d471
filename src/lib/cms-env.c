/* cms-env.c -- EnvelopedData (RFC 5652 section 6), AuthEnvelopedData (RFC
 * 5083) and EncryptedData (RFC 5652 section 8), produced and consumed in
 * one streaming pass.
 *
 * The three types share EncryptedContentInfo and differ in their frame:
 *
 *   EnvelopedData      version, originatorInfo [0], recipientInfos,
 *                      encryptedContentInfo, unprotectedAttrs [1]
 *   AuthEnvelopedData  version, originatorInfo [0], recipientInfos,
 *                      authEncryptedContentInfo, authAttrs [1], mac,
 *                      unauthAttrs [2]
 *   EncryptedData      version, encryptedContentInfo, unprotectedAttrs [1]
 *
 * Producing: the frame and the content go out with indefinite lengths,
 * the content as a constructed [0] of OCTET STRING segments, one per
 * chunk; the bounded parts (RecipientInfos, algorithm identifiers,
 * attributes) are built as DER.
 *
 * Consuming: the RecipientInfos are captured (bounded), the content
 * encryption algorithm is read, then each RecipientInfo that matches a key
 * the caller holds is tried (ri.h) until one gives the content-encryption
 * key; the content then streams through the decryptor to the sink.  The
 * plaintext written to the sink is unauthenticated until
 * cachet_decrypt_run returns 0 (cachet.h; the CLI holds it in a temporary
 * file).  Every cryptographic failure is the one CACHET_E_DECRYPT_FAILED
 * with one frame, detailed only under CACHET_POLICY_DEBUG_DECRYPT.
 *
 * AuthEnvelopedData puts authAttrs, the AEAD's additional data, after the
 * content (RFC 5083 section 2.1), while AES-GCM and ChaCha20-Poly1305
 * absorb the additional data first.  The content streams through a
 * decryptor without additional data; the ciphertext is also kept, up to
 * CACHET_MAX_AAD_LOOKBACK (1 MiB), and when authAttrs do turn up a second
 * decryptor with them authenticates the kept ciphertext.  Beyond that
 * size the input is read again when it can be (_cachet_source_reopen),
 * with a third decryptor proving that the second pass read the same
 * ciphertext as the first; a pipe gives CACHET_E_SIZE_LIMIT.  Messages
 * without authAttrs (all that common clients write) stream at any size
 * in one pass.
 */
#include "ber.h"
#include "crypto-enc.h"
#include "lint-int.h"
#include "pki.h"
#include "pki-key.h"
#include "ri.h"
#include "tasn1.h"

#include <stdlib.h>

#define RULE_ENV "RFC 5652 section 6.1"
#define RULE_ENC "RFC 5652 section 8"
#define RULE_AUTH "RFC 5083 section 2.1"
#define RULE_PAIR "RFC 5083 section 2.1; RFC 8551 section 2.7"
#define CACHET_MAX_ATTRS 64 /* attributes of one kind per message */
/* AuthEnvelopedData ciphertext kept for authAttrs that may follow it
 * (see above).  Small, so memory stays flat for every message. */
#define CACHET_MAX_AAD_LOOKBACK (1u << 20)

typedef enum {
	CT_ENVELOPED,
	CT_AUTHENVELOPED,
	CT_ENCRYPTED,
} ct_kind_t;

static const char *const ct_names[] = {"EnvelopedData", "AuthEnvelopedData", "EncryptedData"};

static const char *oid_of(cachet_alg_id_t id)
{
	const cachet_alg_t *a = _cachet_alg_by_id(id);
	return a ? a->oid : "0.0";
}

/* ------------------------------------------------------------------ */
/* Content-encryption algorithms                                       */

typedef struct {
	cachet_alg_id_t alg;
	size_t key_len;
	size_t iv_len;	/* CBC IV or AEAD nonce */
	bool aead;
} cipher_info_t;

static const cipher_info_t ciphers[] = {
	{CACHET_ALG_AES128_CBC, 16, 16, false},
	{CACHET_ALG_AES192_CBC, 24, 16, false},
	{CACHET_ALG_AES256_CBC, 32, 16, false},
	{CACHET_ALG_AES128_GCM, 16, 12, true},
	{CACHET_ALG_AES192_GCM, 24, 12, true},
	{CACHET_ALG_AES256_GCM, 32, 12, true},
	{CACHET_ALG_CHACHA20_POLY1305, 32, 12, true},
	{CACHET_ALG_DES_EDE3_CBC, 24, 8, false},
	{CACHET_ALG_RC2_CBC, 0, 8, false}, /* key length from the parameters */
};

static const cipher_info_t *cipher_info(cachet_alg_id_t id)
{
	for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++)
		if (ciphers[i].alg == id)
			return &ciphers[i];
	return NULL;
}

static cachet_alg_id_t cipher_alg(cachet_cipher_t c)
{
	switch (c) {
	case CACHET_CIPHER_DEFAULT:
	case CACHET_CIPHER_AES128_GCM:
		return CACHET_ALG_AES128_GCM;
	case CACHET_CIPHER_AES256_GCM:
		return CACHET_ALG_AES256_GCM;
	case CACHET_CIPHER_CHACHA20_POLY1305:
		return CACHET_ALG_CHACHA20_POLY1305;
	case CACHET_CIPHER_AES128_CBC:
		return CACHET_ALG_AES128_CBC;
	case CACHET_CIPHER_AES192_CBC:
		return CACHET_ALG_AES192_CBC;
	case CACHET_CIPHER_AES256_CBC:
		return CACHET_ALG_AES256_CBC;
	}
	return CACHET_ALG_NONE;
}

/* The parameters of a content-encryption AlgorithmIdentifier. */
typedef struct {
	const cipher_info_t *ci;
	cachet_cipher_params_t p; /* key filled in later */
	uint8_t iv[CACHET_GCM_NONCE_MAX];
	size_t key_len;
} cipher_sel_t;

/* ContentEncryptionAlgorithmIdentifier for SEL (RFC 3565 section 4.1:
 * the IV; RFC 5084 section 3.2: GCMParameters, written with an explicit
 * 16-octet ICV; RFC 8103 section 3: the nonce). */
static int write_cipher_alg(cbuf_t *b, const cipher_sel_t *sel)
{
	size_t off = b->size, poff;
	int ret;
	CHECK_RET(_cachet_der_oid(b, oid_of(sel->ci->alg)));
	switch (sel->ci->alg) {
	case CACHET_ALG_AES128_GCM:
	case CACHET_ALG_AES192_GCM:
	case CACHET_ALG_AES256_GCM:
		poff = b->size;
		CHECK_RET(_cachet_der_append(b, 0x04, sel->iv, sel->p.iv_len));
		CHECK_RET(_cachet_der_small_uint(b, (unsigned long)sel->p.tag_len));
		CHECK_RET(_cachet_der_wrap(b, poff, 0x30));
		break;
	default:
		CHECK_RET(_cachet_der_append(b, 0x04, sel->iv, sel->p.iv_len));
		break;
	}
	return _cachet_der_wrap(b, off, 0x30);
}

/* Read a ContentEncryptionAlgorithmIdentifier (DER or BER in ALG) into SEL
 * and check it against the content type (RFC 5083 section 2.1, RFC 8551
 * section 2.7) and the policy. */
static int read_cipher_alg(const cbuf_t *alg, ct_kind_t kind, unsigned policy,
			   cipher_sel_t *sel, char *desc, size_t desclen,
			   cachet_diag_t *diag)
{
	static const char *path = "encryptedContentInfo.contentEncryptionAlgorithm";
	asn1_node n = NULL, pn = NULL;
	cbuf_t params = {0}, v = {0};
	char oid[128];
	int ret;

	memset(sel, 0, sizeof(*sel));
	CHECK(_cachet_asn1_decode("CachetCMS.AlgorithmIdentifier", alg->data, alg->size, false, &n, path,
				  RULE_ENV, diag));
	CHECK(_cachet_asn1_read_oid(n, "algorithm", oid, sizeof(oid)));
	const cachet_alg_t *a = _cachet_alg_by_oid(oid);
	const cipher_info_t *ci = a && a->kind == ALG_KIND_CIPHER ? cipher_info(a->id) : NULL;
	ENSURE(ci != NULL, a ? CACHET_E_UNSUPPORTED : CACHET_E_UNKNOWN_OID, RULE_ENV, path,
	       "%s is not a content-encryption algorithm Cachet supports", _cachet_oid_name(oid));
	sel->ci = ci;
	sel->p.alg = ci->alg;
	/* The pairing rule: authenticated encryption only inside
	 * AuthEnvelopedData, and inside AuthEnvelopedData nothing else. */
	if (kind == CT_AUTHENVELOPED)
		ENSURE(ci->aead, CACHET_E_MALFORMED, RULE_PAIR, path,
		       "%s is not an authenticated-encryption algorithm, so it cannot protect AuthEnvelopedData",
		       a->name);
	else
		ENSURE(!ci->aead, CACHET_E_MALFORMED, RULE_PAIR, path,
		       "%s is an authenticated-encryption algorithm: it belongs in AuthEnvelopedData, "
		       "not in %s (which has no place for its tag)", a->name, ct_names[kind]);
	if (a->flags & ALG_F_LEGACY)
		ENSURE(policy & CACHET_POLICY_ALLOW_LEGACY_CIPHERS, CACHET_E_WEAK_ALGORITHM, a->rule, path,
		       "%s is a legacy cipher, decrypted only when the policy allows legacy ciphers", a->name);

	ret = _cachet_asn1_read(n, "parameters", &params);
	ENSURE(ret != CACHET_E_END, CACHET_E_BAD_PARAMS, a->rule, path, "%s needs parameters", a->name);
	CHECK(ret);
	switch (ci->alg) {
	case CACHET_ALG_AES128_GCM:
	case CACHET_ALG_AES192_GCM:
	case CACHET_ALG_AES256_GCM: {
		unsigned long icv = 12; /* DEFAULT 12 (RFC 5084 section 3.2) */
		CHECK(_cachet_asn1_decode("CachetAlgs.GCMParameters", params.data, params.size, false, &pn,
					  path, a->rule, diag));
		CHECK(_cachet_asn1_read(pn, "aes-nonce", &v));
		if (_cachet_asn1_present(pn, "aes-ICVlen")) {
			ret = _cachet_asn1_read_uint(pn, "aes-ICVlen", &icv);
			ENSURE(ret == 0, CACHET_E_BAD_PARAMS, a->rule, path, "aes-ICVlen is not a small integer");
		}
		ENSURE(icv >= 12 && icv <= 16, CACHET_E_BAD_PARAMS, a->rule, path,
		       "aes-ICVlen %lu is not one of 12, 13, 14, 15, 16", icv);
		/* RFC 5084 section 3.2 recommends 12 octets and allows other
		 * lengths; Cachet takes 1..64. */
		ENSURE(v.size >= 1 && v.size <= CACHET_GCM_NONCE_MAX, CACHET_E_BAD_PARAMS, a->rule, path,
		       "aes-nonce of %zu octets (Cachet accepts 1 to %d)", v.size, CACHET_GCM_NONCE_MAX);
		sel->p.tag_len = icv;
		snprintf(desc, desclen, "%s (nonce %zu octets, ICV %lu octets)", a->name, v.size, icv);
		break;
	}
	case CACHET_ALG_CHACHA20_POLY1305:
		/* [rfc8103-3-params] "The AlgorithmIdentifier parameters field
		 * MUST be present, and the parameters field MUST contain an
		 * AEADChaCha20Poly1305Nonce": OCTET STRING (SIZE(12)). */
		CHECK(_cachet_asn1_decode("CachetAlgs.AEADChaCha20Poly1305Nonce", params.data, params.size,
					  false, &pn, path, a->rule, diag));
		CHECK(_cachet_asn1_read(pn, "", &v));
		ENSURE(v.size == 12, CACHET_E_BAD_PARAMS, a->rule, path,
		       "the nonce is %zu octets, not 12", v.size);
		sel->p.tag_len = 16;
		snprintf(desc, desclen, "%s (nonce 12 octets, tag 16 octets)", a->name);
		break;
	case CACHET_ALG_RC2_CBC: {
		/* RFC 3370 section 5.2: RC2CBCParameter. */
		unsigned ekb;
		CHECK(_cachet_asn1_decode("CachetAlgs.RC2CBCParameter", params.data, params.size, false, &pn,
					  path, a->rule, diag));
		ret = _cachet_asn1_read_uint(pn, "rc2ParameterVersion", &sel->p.rc2_version);
		ENSURE(ret == 0, CACHET_E_BAD_PARAMS, a->rule, path, "rc2ParameterVersion is not a small integer");
		CHECK(_cachet_asn1_read(pn, "iv", &v));
		ret = _cachet_rc2_ekb(sel->p.rc2_version, &ekb);
		ENSURE(ret == 0, CACHET_E_UNSUPPORTED, a->rule, path, "rc2ParameterVersion %lu is not known",
		       sel->p.rc2_version);
		/* The key is as long as the effective key bits say (RFC 3370
		 * section 5.2); _cachet_rc2_ekb gives 40 to 1024 bits. */
		sel->key_len = (ekb + 7) / 8;
		ENSURE(sel->key_len <= CACHET_CEK_MAX, CACHET_E_UNSUPPORTED, a->rule, path,
		       "RC2 keys above %d octets are not supported", CACHET_CEK_MAX);
		snprintf(desc, desclen, "%s (%u effective key bits)", a->name, ekb);
		break;
	}
	default:
		/* CBC: the IV as an OCTET STRING (RFC 3565 section 4.1, RFC 3370
		 * section 5.1). */
		CHECK(_cachet_asn1_decode("CachetAlgs.IV", params.data, params.size, false, &pn, path,
					  a->rule, diag));
		CHECK(_cachet_asn1_read(pn, "", &v));
		snprintf(desc, desclen, "%s", a->name);
		break;
	}
	if (ci->alg != CACHET_ALG_RC2_CBC)
		sel->key_len = ci->key_len;
	if (!ci->aead)
		ENSURE(v.size == ci->iv_len, CACHET_E_BAD_PARAMS, a->rule, path,
		       "the IV is %zu octets, not %zu", v.size, ci->iv_len);
	memcpy(sel->iv, v.data, v.size);
	sel->p.iv = sel->iv;
	sel->p.iv_len = v.size;
	ret = 0;
cleanup:
	_cachet_asn1_delete(&n, false);
	_cachet_asn1_delete(&pn, false);
	_cachet_buf_free(&params);
	_cachet_buf_free(&v);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Attributes                                                          */

/* Check ATTR is one DER Attribute and append it to LIST. */
static int attr_add(cbuf_t *list, size_t *n, const cachet_datum_t *attr, cachet_diag_t *diag)
{
	asn1_node node = NULL;
	cbuf_t re = {0};
	int ret;
	ENSURE(*n < CACHET_MAX_ATTRS, CACHET_E_COUNT_LIMIT, NULL, "attributes", "more than %d attributes",
	       CACHET_MAX_ATTRS);
	CHECK(_cachet_asn1_decode("CachetCMS.Attribute", attr->data, attr->size, true, &node, "attribute",
				  "RFC 5652 section 5.3", diag));
	CHECK(_cachet_asn1_encode(node, "", &re));
	ENSURE(re.size == attr->size && memcmp(re.data, attr->data, re.size) == 0, CACHET_E_NOT_DER,
	       "RFC 5652 section 5.3", "attribute", "the attribute is not DER encoded");
	CHECK(_cachet_buf_append(&list[*n], attr->data, attr->size));
	(*n)++;
cleanup:
	_cachet_asn1_delete(&node, false);
	_cachet_buf_free(&re);
	return ret;
}

/* The attribute types in SET (DER or BER of a SET OF Attribute, any tag)
 * as a comma-separated list of names into OUT; *CT_OID gets the value of a
 * content-type attribute, if there is one. */
static int attr_names(const cbuf_t *set, const char *type, cbuf_t *out, char *ct_oid, size_t ctlen,
		      unsigned *ct_count, const char *path, const char *rule, cachet_diag_t *diag)
{
	asn1_node n = NULL;
	cbuf_t val = {0};
	unsigned count = 0;
	char oid[128], p[96];
	int ret;

	CHECK(_cachet_asn1_decode(type, set->data, set->size, false, &n, path, rule, diag));
	CHECK(_cachet_asn1_count(n, "", &count));
	for (unsigned i = 1; i <= count; i++) {
		CHECK(_cachet_asn1_read_oid(n, _cachet_asn1_path(p, sizeof(p), "", i, "attrType"), oid,
					    sizeof(oid)));
		CHECK(_cachet_buf_printf(out, "%s%s", out->size ? ", " : "", _cachet_oid_name(oid)));
		if (ct_oid && strcmp(oid, oid_of(CACHET_ALG_AT_CONTENT_TYPE)) == 0) {
			unsigned nv = 0;
			asn1_node cn = NULL;
			(*ct_count)++;
			CHECK(_cachet_asn1_count(n, _cachet_asn1_path(p, sizeof(p), "", i, "attrValues"), &nv));
			ENSURE(nv == 1, CACHET_E_MALFORMED, "RFC 5652 section 11.1", path,
			       "the content-type attribute must have exactly one value");
			_cachet_buf_free(&val);
			CHECK(_cachet_asn1_read(n, _cachet_asn1_path(p, sizeof(p), "", i, "attrValues.?1"), &val));
			ret = _cachet_asn1_decode("CachetCMS.ContentType", val.data, val.size, true, &cn, path,
						  "RFC 5652 section 11.1", diag);
			if (ret == 0)
				ret = _cachet_asn1_read_oid(cn, "", ct_oid, ctlen);
			_cachet_asn1_delete(&cn, false);
			CHECK(ret);
		}
	}
	if (out->size == 0)
		CHECK(_cachet_buf_append(out, "", 0));
	CHECK(_cachet_buf_append(out, "", 1));
	out->size--;
	ret = 0;
cleanup:
	_cachet_asn1_delete(&n, false);
	_cachet_buf_free(&val);
	return ret;
}

/* ================================================================== */
/* Producing                                                           */
/* ================================================================== */

typedef struct {
	gnutls_x509_crt_t crt; /* borrowed from the handle's certificate set */
	cachet_pubkey_t *pub;
	unsigned flags;
} recip_t;

typedef struct {
	cbuf_t id, key;
} kek_t;

typedef struct {
	cbuf_t pw;
	unsigned long iterations;
} pw_t;

struct cachet_encrypt_st {
	cachet_cipher_t cipher;
	cachet_certset_t rcerts; /* recipients' certificates */
	recip_t *r;
	size_t nr;
	kek_t *kek;
	size_t nkek;
	pw_t *pw;
	size_t npw;
	cbuf_t content_key;
	bool has_content_key;
	cachet_certset_t orig;
	cbuf_t auth[CACHET_MAX_ATTRS], unprot[CACHET_MAX_ATTRS];
	size_t nauth, nunprot;
};

int cachet_encrypt_init(cachet_encrypt_t **e)
{
	if (e == NULL)
		return CACHET_E_INVALID_ARG;
	*e = _cachet_calloc(1, sizeof(**e));
	return *e ? 0 : CACHET_E_NOMEM;
}

void cachet_encrypt_deinit(cachet_encrypt_t *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->nr; i++)
		_cachet_pubkey_free(e->r[i].pub);
	free(e->r);
	_cachet_certset_free(&e->rcerts);
	for (size_t i = 0; i < e->nkek; i++) {
		_cachet_buf_free(&e->kek[i].id);
		_cachet_buf_free_secret(&e->kek[i].key);
	}
	free(e->kek);
	for (size_t i = 0; i < e->npw; i++)
		_cachet_buf_free_secret(&e->pw[i].pw);
	free(e->pw);
	_cachet_buf_free_secret(&e->content_key);
	_cachet_certset_free(&e->orig);
	for (size_t i = 0; i < CACHET_MAX_ATTRS; i++) {
		_cachet_buf_free(&e->auth[i]);
		_cachet_buf_free(&e->unprot[i]);
	}
	cachet_wipe(e, sizeof(*e));
	free(e);
}

int cachet_encrypt_set_cipher(cachet_encrypt_t *e, cachet_cipher_t c)
{
	if (e == NULL || cipher_alg(c) == CACHET_ALG_NONE)
		return CACHET_E_INVALID_ARG;
	e->cipher = c;
	return 0;
}

static size_t total_recipients(const cachet_encrypt_t *e)
{
	return e->nr + e->nkek + e->npw;
}

int cachet_encrypt_add_recipient(cachet_encrypt_t *e, const cachet_datum_t *cert, unsigned flags,
				 cachet_diag_t *diag)
{
	cachet_pubkey_t *pub = NULL;
	recip_t *nr;
	size_t before = e ? e->rcerts.n : 0;
	int ret;

	if (e == NULL || cert == NULL || cert->data == NULL ||
	    (flags & ~(CACHET_RECIPIENT_OAEP | CACHET_RECIPIENT_SKID)) != 0)
		return CACHET_E_INVALID_ARG;
	ENSURE(total_recipients(e) < CACHET_MAX_RECIPIENTS, CACHET_E_COUNT_LIMIT, NULL, "recipients",
	       "more than %d recipients", CACHET_MAX_RECIPIENTS);
	before = e->rcerts.n;
	CHECK(_cachet_certset_add(&e->rcerts, cert->data, cert->size, "recipient certificate", diag));
	ENSURE(e->rcerts.n == before + 1, CACHET_E_INVALID_ARG, NULL, "recipient certificate",
	       "give one certificate per recipient (found %zu)", e->rcerts.n - before);
	CHECK(_cachet_pubkey_from_crt(&pub, e->rcerts.crt[before], diag));
	{
		/* RFC 8550 section 4.4.2: with keyUsage present, RSA key
		 * transport needs keyEncipherment, key agreement keyAgreement. */
		unsigned ku = 0;
		bool rsa = _cachet_pubkey_type(pub) == CACHET_PK_RSA;
		unsigned need = rsa ? GNUTLS_KEY_KEY_ENCIPHERMENT : GNUTLS_KEY_KEY_AGREEMENT;
		ret = _cachet_crt_key_usage(e->rcerts.crt[before], &ku);
		ENSURE(ret == 0 || ret == CACHET_E_END, ret, "RFC 5280 section 4.2.1.3", "recipient certificate",
		       "the keyUsage extension cannot be read");
		ENSURE(ret == CACHET_E_END || (ku & need), CACHET_E_POLICY, "RFC 8550 section 4.4.2",
		       "recipient certificate",
		       "the certificate's keyUsage does not include %s, so its key must not be used to %s",
		       rsa ? "keyEncipherment" : "keyAgreement",
		       rsa ? "transport a content-encryption key" : "agree on a key-encryption key");
		ret = 0;
	}
	switch (_cachet_pubkey_type(pub)) {
	case CACHET_PK_RSA:
		break;
	case CACHET_PK_EC:
	case CACHET_PK_X25519:
	case CACHET_PK_X448:
		ENSURE(!(flags & CACHET_RECIPIENT_OAEP), CACHET_E_INVALID_ARG, "RFC 3560 section 3",
		       "recipient certificate", "RSA-OAEP was asked for, but the recipient's key is not RSA");
		break;
	case CACHET_PK_RSA_PSS:
		/* RFC 4055 section 1.2: an id-RSASSA-PSS key is for signatures. */
		FAIL(CACHET_E_KEY_MISMATCH, "RFC 4055 section 1.2", "recipient certificate",
		     "the recipient's key is an RSASSA-PSS key, which must not be used for encryption");
	default:
		FAIL(CACHET_E_UNSUPPORTED, "RFC 8551 section 2.3", "recipient certificate",
		     "the recipient's key type cannot receive encrypted mail (RSA, EC P-256/384/521, X25519 "
		     "and X448 can)");
	}
	nr = realloc(e->r, (e->nr + 1) * sizeof(*nr));
	ENSURE(nr != NULL, CACHET_E_NOMEM, NULL, NULL, "out of memory");
	e->r = nr;
	e->r[e->nr].crt = NULL; /* set at run time: the set may reallocate */
	e->r[e->nr].pub = pub;
	e->r[e->nr].flags = flags;
	e->nr++;
	pub = NULL;
	ret = 0;
cleanup:
	/* Keep the certificate set and the recipient list in step. */
	if (ret < 0)
		_cachet_certset_truncate(&e->rcerts, e->nr);
	_cachet_pubkey_free(pub);
	return ret;
}

int cachet_encrypt_add_password(cachet_encrypt_t *e, const uint8_t *pw, size_t pwlen,
				unsigned long iterations, cachet_diag_t *diag)
{
	pw_t *np;
	int ret;
	if (e == NULL || (pw == NULL && pwlen > 0))
		return CACHET_E_INVALID_ARG;
	ENSURE(pwlen > 0, CACHET_E_INVALID_ARG, "RFC 3211 section 2.1", "password", "the password is empty");
	ENSURE(iterations <= CACHET_PWRI_MAX_ITERATIONS, CACHET_E_INVALID_ARG, "RFC 8018 section 4.2",
	       "password", "%lu iterations is more than Cachet reads back (%lu)", iterations,
	       CACHET_PWRI_MAX_ITERATIONS);
	ENSURE(total_recipients(e) < CACHET_MAX_RECIPIENTS, CACHET_E_COUNT_LIMIT, NULL, "recipients",
	       "more than %d recipients", CACHET_MAX_RECIPIENTS);
	np = realloc(e->pw, (e->npw + 1) * sizeof(*np));
	ENSURE(np != NULL, CACHET_E_NOMEM, NULL, NULL, "out of memory");
	e->pw = np;
	memset(&e->pw[e->npw], 0, sizeof(*np));
	CHECK(_cachet_buf_append(&e->pw[e->npw].pw, pw, pwlen));
	e->pw[e->npw].iterations = iterations;
	e->npw++;
	ret = 0;
cleanup:
	return ret;
}

int cachet_encrypt_add_kek(cachet_encrypt_t *e, const cachet_datum_t *id, const cachet_datum_t *kek,
			   cachet_diag_t *diag)
{
	kek_t *nk;
	int ret;
	if (e == NULL || id == NULL || kek == NULL || kek->data == NULL)
		return CACHET_E_INVALID_ARG;
	ENSURE(kek->size == 16 || kek->size == 24 || kek->size == 32, CACHET_E_BAD_KEY,
	       "RFC 3565 section 2.3.2", "kek", "a KEK for AES key wrap is 16, 24 or 32 octets, not %zu",
	       kek->size);
	ENSURE(id->size > 0 && id->data != NULL, CACHET_E_INVALID_ARG, "RFC 5652 section 6.2.3", "kek",
	       "the KEK needs a key identifier");
	ENSURE(total_recipients(e) < CACHET_MAX_RECIPIENTS, CACHET_E_COUNT_LIMIT, NULL, "recipients",
	       "more than %d recipients", CACHET_MAX_RECIPIENTS);
	nk = realloc(e->kek, (e->nkek + 1) * sizeof(*nk));
	ENSURE(nk != NULL, CACHET_E_NOMEM, NULL, NULL, "out of memory");
	e->kek = nk;
	memset(&e->kek[e->nkek], 0, sizeof(*nk));
	e->nkek++;
	CHECK(_cachet_buf_append(&e->kek[e->nkek - 1].id, id->data, id->size));
	CHECK(_cachet_buf_append(&e->kek[e->nkek - 1].key, kek->data, kek->size));
	ret = 0;
cleanup:
	return ret;
}

int cachet_encrypt_set_content_key(cachet_encrypt_t *e, const cachet_datum_t *key, cachet_diag_t *diag)
{
	int ret;
	if (e == NULL || key == NULL || key->data == NULL)
		return CACHET_E_INVALID_ARG;
	ENSURE(key->size == 16 || key->size == 24 || key->size == 32, CACHET_E_BAD_KEY, RULE_ENC,
	       "content key", "an AES key is 16, 24 or 32 octets, not %zu", key->size);
	_cachet_buf_free_secret(&e->content_key);
	CHECK(_cachet_buf_append(&e->content_key, key->data, key->size));
	e->has_content_key = true;
	ret = 0;
cleanup:
	return ret;
}

int cachet_encrypt_add_originator_certs(cachet_encrypt_t *e, const cachet_datum_t *certs,
					cachet_diag_t *diag)
{
	if (e == NULL || certs == NULL || certs->data == NULL)
		return CACHET_E_INVALID_ARG;
	return _cachet_certset_add(&e->orig, certs->data, certs->size, "originator certificates", diag);
}

/* Whether the DER Attribute A is of TYPE. */
static bool attr_is_type(const cbuf_t *a, cachet_alg_id_t type)
{
	cbuf_t oid = {0};
	size_t hdr;
	bool is = false;
	if (a->size < 2 || a->data[0] != 0x30)
		return false;
	hdr = a->data[1] < 0x80 ? 2 : 2 + (size_t)(a->data[1] & 0x7f);
	if (_cachet_der_oid(&oid, oid_of(type)) == 0)
		is = a->size >= hdr + oid.size && memcmp(a->data + hdr, oid.data, oid.size) == 0;
	_cachet_buf_free(&oid);
	return is;
}

/* authAttrs hold a content-type attribute: RFC 5083 section 2.1 takes
 * AuthAttributes from RFC 5652 section 9.1, where "the content-type
 * attribute MUST be present whenever authenticated attributes are
 * present" (section 11.1), and the reader holds messages to it.  The
 * content is id-data; one is added when the caller's attributes have
 * none. */
static int auth_content_type(cachet_encrypt_t *e, cachet_diag_t *diag)
{
	cbuf_t v = {0};
	size_t off;
	int ret;
	for (size_t i = 0; i < e->nauth; i++)
		if (attr_is_type(&e->auth[i], CACHET_ALG_AT_CONTENT_TYPE))
			return 0;
	ENSURE(e->nauth < CACHET_MAX_ATTRS, CACHET_E_COUNT_LIMIT, NULL, "attributes", "more than %d attributes",
	       CACHET_MAX_ATTRS);
	CHECK(_cachet_der_oid(&v, oid_of(CACHET_ALG_CT_DATA)));
	off = e->auth[e->nauth].size;
	CHECK(_cachet_der_oid(&e->auth[e->nauth], oid_of(CACHET_ALG_AT_CONTENT_TYPE)));
	CHECK(_cachet_der_append(&e->auth[e->nauth], 0x31, v.data, v.size));
	CHECK(_cachet_der_wrap(&e->auth[e->nauth], off, 0x30));
	e->nauth++;
cleanup:
	_cachet_buf_free(&v);
	return ret;
}

int cachet_encrypt_add_attribute(cachet_encrypt_t *e, cachet_attr_place_t place, const cachet_datum_t *attr,
				 cachet_diag_t *diag)
{
	if (e == NULL || attr == NULL || attr->data == NULL)
		return CACHET_E_INVALID_ARG;
	if (place == CACHET_ATTR_AUTHENTICATED)
		return attr_add(e->auth, &e->nauth, attr, diag);
	if (place == CACHET_ATTR_UNPROTECTED)
		return attr_add(e->unprot, &e->nunprot, attr, diag);
	return CACHET_E_INVALID_ARG;
}

/* Every RecipientInfo for CEK (the one CEK, wrapped for each recipient:
 * [rfc8418-3-same-cek] [rfc8418-5-same-cek]), in the order the recipients were added
 * (key-agreement recipients grouped by curve where the first of the
 * curve stands).  *ALL_V0 says whether each has version 0 (RFC 5652
 * section 6.1). */
static int make_recipient_infos(cachet_encrypt_t *e, const uint8_t *cek, size_t ceklen, cbuf_t *out,
				bool *all_v0, cachet_diag_t *diag)
{
	cachet_kari_recip_t *group = NULL;
	bool *done = NULL;
	int ret;

	*all_v0 = true;
	group = _cachet_calloc(e->nr ? e->nr : 1, sizeof(*group));
	done = _cachet_calloc(e->nr ? e->nr : 1, sizeof(*done));
	ENSURE(group && done, CACHET_E_NOMEM, NULL, NULL, "out of memory");
	for (size_t i = 0; i < e->nr; i++) {
		cachet_pk_type_t t = _cachet_pubkey_type(e->r[i].pub);
		unsigned rf = (e->r[i].flags & CACHET_RECIPIENT_SKID) ? CACHET_RI_SKID : 0;
		if (done[i])
			continue;
		if (t == CACHET_PK_RSA) {
			if (e->r[i].flags & CACHET_RECIPIENT_OAEP)
				rf |= CACHET_RI_OAEP;
			CHECK(_cachet_ri_make_ktri(out, e->rcerts.crt[i], e->r[i].pub, rf, cek, ceklen, diag));
			if (rf & CACHET_RI_SKID)
				*all_v0 = false;
			continue;
		}
		/* Key agreement: every later recipient on the same curve
		 * shares this ephemeral key. */
		size_t ng = 0;
		for (size_t j = i; j < e->nr; j++) {
			if (done[j] || _cachet_pubkey_type(e->r[j].pub) != t ||
			    _cachet_pubkey_curve(e->r[j].pub) != _cachet_pubkey_curve(e->r[i].pub))
				continue;
			group[ng].crt = e->rcerts.crt[j];
			group[ng].pub = e->r[j].pub;
			group[ng].flags = (e->r[j].flags & CACHET_RECIPIENT_SKID) ? CACHET_RI_SKID : 0;
			ng++;
			done[j] = true;
		}
		CHECK(_cachet_ri_make_kari(out, group, ng, NULL, 0, cek, ceklen, diag));
		*all_v0 = false; /* version 3 */
	}
	for (size_t i = 0; i < e->nkek; i++) {
		CHECK(_cachet_ri_make_kekri(out, e->kek[i].id.data, e->kek[i].id.size, e->kek[i].key.data,
					    e->kek[i].key.size, false, cek, ceklen, diag));
		*all_v0 = false; /* version 4 */
	}
	for (size_t i = 0; i < e->npw; i++)
		CHECK(_cachet_ri_make_pwri(out, e->pw[i].pw.data, e->pw[i].pw.size, e->pw[i].iterations, cek,
					   ceklen, diag));
	ret = 0;
cleanup:
	free(group);
	free(done);
	return ret;
}

/* OriginatorInfo [0] IMPLICIT with certs [0] IMPLICIT CertificateSet. */
static int make_originator_info(const cachet_certset_t *set, cbuf_t *out)
{
	size_t off = out->size;
	int ret = _cachet_der_set_of(out, 0xa0, set->der, set->n);
	return ret < 0 ? ret : _cachet_der_wrap(out, off, 0xa0);
}

int cachet_encrypt_run(cachet_encrypt_t *e, cachet_source_t *content, cachet_sink_t *out, unsigned flags,
		       cachet_diag_t *diag)
{
	cachet_encryptor_t *enc = NULL;
	cachet_sink_t *pem = NULL, *dst = out;
	cbuf_t head = {0}, tail = {0}, ris = {0}, aad = {0};
	cipher_sel_t sel;
	uint8_t cek[CACHET_CEK_MAX], tag[CACHET_AEAD_TAG_MAX];
	uint8_t *obuf = NULL;
	size_t taglen = 0, olen;
	ct_kind_t kind;
	bool all_v0 = true;
	int ret;

	memset(&sel, 0, sizeof(sel));
	if (e == NULL || content == NULL || out == NULL || (flags & ~CACHET_ENCRYPT_PEM) != 0)
		return CACHET_E_INVALID_ARG;

	/* Which content type and which cipher. */
	if (e->has_content_key) {
		ENSURE(total_recipients(e) == 0, CACHET_E_BAD_STATE, RULE_ENC, NULL,
		       "a content key makes EncryptedData, which has no recipients; give one or the other");
		kind = CT_ENCRYPTED;
		if (e->cipher == CACHET_CIPHER_DEFAULT)
			sel.ci = cipher_info(e->content_key.size == 16   ? CACHET_ALG_AES128_CBC
					     : e->content_key.size == 24 ? CACHET_ALG_AES192_CBC
									 : CACHET_ALG_AES256_CBC);
		else
			sel.ci = cipher_info(cipher_alg(e->cipher));
		ENSURE(!sel.ci->aead, CACHET_E_INVALID_ARG, RULE_PAIR, NULL,
		       "EncryptedData has no place for an authentication tag: use an AES-CBC cipher");
		ENSURE(sel.ci->key_len == e->content_key.size, CACHET_E_BAD_KEY, RULE_ENC, "content key",
		       "the content key is %zu octets; %s needs %zu", e->content_key.size,
		       _cachet_alg_by_id(sel.ci->alg)->name, sel.ci->key_len);
		ENSURE(e->nauth == 0, CACHET_E_INVALID_ARG, RULE_ENC, NULL,
		       "EncryptedData has no authenticated attributes");
		memcpy(cek, e->content_key.data, e->content_key.size);
	} else {
		ENSURE(total_recipients(e) > 0, CACHET_E_BAD_STATE, RULE_ENV, NULL, "no recipient was added");
		sel.ci = cipher_info(cipher_alg(e->cipher));
		kind = sel.ci->aead ? CT_AUTHENVELOPED : CT_ENVELOPED;
		ENSURE(kind == CT_AUTHENVELOPED || e->nauth == 0, CACHET_E_INVALID_ARG, RULE_AUTH, NULL,
		       "authenticated attributes need an authenticated-encryption cipher (AuthEnvelopedData)");
		/* A fresh random content-encryption key per message
		 * [rfc3560-2-random-cek] [rfc8418-3-cek-random]
		 * [rfc8418-5-cek-random]. */
		CHECK(_cachet_random(cek, sel.ci->key_len));
	}
	sel.key_len = sel.ci->key_len;
	sel.p.alg = sel.ci->alg;
	sel.p.key = cek;
	sel.p.key_len = sel.key_len;
	sel.p.iv = sel.iv;
	sel.p.iv_len = sel.ci->iv_len;
	sel.p.tag_len = sel.ci->aead ? 16 : 0;
	/* A fresh random IV or nonce per message (RFC 3565 section 4.1,
	 * RFC 5084 section 3.2: never reuse a nonce with a key; the key is
	 * fresh too, except in EncryptedData, where the caller's key makes
	 * the random 96-bit nonce matter).  [rfc8103-3-nonce-unique]
	 * [rfc8103-3-nonce-no-duplicates] */
	CHECK(_cachet_random(sel.iv, sel.ci->iv_len));

	CHECK(_cachet_encryptor_init(&enc, &sel.p, diag));
	if (kind == CT_AUTHENVELOPED && e->nauth > 0)
		CHECK(auth_content_type(e, diag));
	if (kind == CT_AUTHENVELOPED && e->nauth > 0) {
		/* RFC 5083 section 2.2: the AAD is the DER of authAttrs with
		 * the universal SET OF tag, not the [1]. */
		CHECK(_cachet_der_set_of(&aad, 0x31, e->auth, e->nauth));
		CHECK(_cachet_encryptor_aad(enc, aad.data, aad.size));
	}
	if (kind != CT_ENCRYPTED)
		CHECK(make_recipient_infos(e, cek, sel.key_len, &ris, &all_v0, diag));
	cachet_wipe(cek, sizeof(cek));

	if (flags & CACHET_ENCRYPT_PEM) {
		CHECK(_cachet_sink_init_pem(&pem, out, "CMS"));
		dst = pem;
	}

	/* ContentInfo and the frame up to the encrypted content. */
	CHECK(_cachet_buf_append(&head, "\x30\x80", 2));
	CHECK(_cachet_der_oid(&head, oid_of(kind == CT_ENVELOPED	? CACHET_ALG_CT_ENVELOPED
					    : kind == CT_AUTHENVELOPED ? CACHET_ALG_CT_AUTHENVELOPED
								       : CACHET_ALG_CT_ENCRYPTED)));
	CHECK(_cachet_buf_append(&head, "\xa0\x80\x30\x80", 4));
	{
		unsigned version;
		if (kind == CT_AUTHENVELOPED) {
			version = 0; /* RFC 5083 section 2.1: "MUST be set to 0" */
		} else if (kind == CT_ENCRYPTED) {
			version = e->nunprot ? 2 : 0; /* RFC 5652 section 8 */
		} else if (e->npw > 0) {
			/* RFC 5652 section 6.1: pwri makes version 3 (only X.509
			 * certificates go into originatorInfo here, so 4 never
			 * applies). */
			version = 3;
		} else if (e->orig.n == 0 && e->nunprot == 0 && all_v0) {
			version = 0;
		} else {
			version = 2;
		}
		CHECK(_cachet_der_small_uint(&head, version));
	}
	if (kind != CT_ENCRYPTED) {
		if (e->orig.n > 0)
			CHECK(make_originator_info(&e->orig, &head));
		CHECK(_cachet_der_append(&head, 0x31, ris.data, ris.size));
	}
	CHECK(_cachet_buf_append(&head, "\x30\x80", 2));
	CHECK(_cachet_der_oid(&head, oid_of(CACHET_ALG_CT_DATA)));
	CHECK(write_cipher_alg(&head, &sel));
	/* encryptedContent [0] IMPLICIT OCTET STRING, constructed. */
	CHECK(_cachet_buf_append(&head, "\xa0\x80", 2));
	CHECK(_cachet_sink_write(dst, head.data, head.size));

	obuf = _cachet_malloc(CACHET_CHUNK * 4 + CACHET_CIPHER_SLACK);
	ENSURE(obuf != NULL, CACHET_E_NOMEM, NULL, NULL, "out of memory");
	/* One OCTET STRING segment per four chunks of ciphertext, however
	 * small the pieces the source lends. */
	for (bool eof = false; !eof;) {
		size_t fill = 0;
		while (fill < CACHET_CHUNK * 4) {
			const uint8_t *p;
			size_t n;
			ret = _cachet_source_borrow(content, CACHET_CHUNK * 4 - fill, &p, &n);
			ENSURE(ret == 0, ret, NULL, "content", "reading the content failed");
			if (n == 0) {
				eof = true;
				break;
			}
			CHECK(_cachet_encryptor_update(enc, p, n, obuf + fill, CACHET_CHUNK * 4 + CACHET_CIPHER_SLACK - fill,
						       &olen));
			fill += olen;
		}
		if (fill > 0) {
			CHECK(_cachet_ber_put_hdr(dst, 0x04, (uint64_t)fill));
			CHECK(_cachet_sink_write(dst, obuf, fill));
		}
	}
	CHECK(_cachet_encryptor_final(enc, obuf, CACHET_CHUNK * 4 + CACHET_CIPHER_SLACK, &olen, tag, sizeof(tag),
				      &taglen));
	if (olen > 0) {
		CHECK(_cachet_ber_put_hdr(dst, 0x04, (uint64_t)olen));
		CHECK(_cachet_sink_write(dst, obuf, olen));
	}
	CHECK(_cachet_ber_put_eoc(dst, 2)); /* [0], EncryptedContentInfo */

	if (kind == CT_AUTHENVELOPED) {
		if (e->nauth > 0)
			CHECK(_cachet_der_set_of(&tail, 0xa1, e->auth, e->nauth));
		CHECK(_cachet_der_append(&tail, 0x04, tag, taglen));
		if (e->nunprot > 0)
			CHECK(_cachet_der_set_of(&tail, 0xa2, e->unprot, e->nunprot));
	} else if (e->nunprot > 0) {
		CHECK(_cachet_der_set_of(&tail, 0xa1, e->unprot, e->nunprot));
	}
	CHECK(_cachet_sink_write(dst, tail.data, tail.size));
	CHECK(_cachet_ber_put_eoc(dst, 3)); /* the content type, [0], ContentInfo */
	CHECK(_cachet_sink_finish(dst));
	ret = 0;
cleanup:
	cachet_wipe(cek, sizeof(cek));
	cachet_wipe(&sel, sizeof(sel));
	_cachet_encryptor_free(enc);
	cachet_sink_deinit(pem);
	_cachet_buf_free(&head);
	_cachet_buf_free(&tail);
	_cachet_buf_free(&ris);
	_cachet_buf_free(&aad);
	free(obuf);
	return ret;
}

/* ================================================================== */
/* Consuming                                                           */
/* ================================================================== */

typedef struct {
	gnutls_x509_crt_t crt;
	cachet_privkey_t *key;
} certkey_t;

struct cachet_decrypt_st {
	cachet_certset_t certs; /* certs[i] belongs to keys[i] */
	cachet_privkey_t **keys;
	size_t nkeys;
	cbuf_t *pw;
	size_t npw;
	kek_t *kek;
	bool *kek_has_id;
	size_t nkek;
	cbuf_t content_key;
	bool has_content_key;
	unsigned policy;

	/* What the last run found (cachet_decrypt_summary). */
	bool ran;
	ct_kind_t kind;
	unsigned version;
	char content_type[128];
	char cipher[160];
	char cipher_oid[128]; /* contentEncryptionAlgorithm (lint-int.h) */
	cachet_ri_info_t *ri;
	size_t nri;
	long opened; /* index into ri, -1 for none */
	size_t orig_certs;
	bool has_orig;
	cbuf_t auth_names, unprot_names;
	uint64_t content_size;
	cbuf_t findings; /* lines */
};

/* Remember the contentEncryptionAlgorithm's OID before it is judged, so
 * that cachet lint can name an algorithm the decryptor refused. */
static void note_cipher_oid(cachet_decrypt_t *d, const cbuf_t *alg)
{
	asn1_node n = NULL;
	if (_cachet_asn1_decode("CachetCMS.AlgorithmIdentifier", alg->data, alg->size, false, &n,
				"encryptedContentInfo.contentEncryptionAlgorithm", RULE_ENV, NULL) < 0 ||
	    _cachet_asn1_read_oid(n, "algorithm", d->cipher_oid, sizeof(d->cipher_oid)) < 0)
		d->cipher_oid[0] = '\0';
	_cachet_asn1_delete(&n, false);
}

const char *_cachet_decrypt_cipher_oid(const cachet_decrypt_t *d, lint_enc_kind_t *kind)
{
	if (kind)
		*kind = d == NULL || !d->ran ? LINT_ENC_NONE
			: d->kind == CT_ENVELOPED ? LINT_ENC_ENVELOPED
			: d->kind == CT_AUTHENVELOPED ? LINT_ENC_AUTHENVELOPED : LINT_ENC_ENCRYPTED;
	return d ? d->cipher_oid : "";
}

int cachet_decrypt_init(cachet_decrypt_t **d)
{
	if (d == NULL)
		return CACHET_E_INVALID_ARG;
	*d = _cachet_calloc(1, sizeof(**d));
	if (*d == NULL)
		return CACHET_E_NOMEM;
	(*d)->opened = -1;
	return 0;
}

static void summary_reset(cachet_decrypt_t *d)
{
	free(d->ri);
	d->ri = NULL;
	d->nri = 0;
	d->opened = -1;
	d->ran = false;
	d->version = 0;
	d->content_type[0] = d->cipher[0] = d->cipher_oid[0] = '\0';
	d->orig_certs = 0;
	d->has_orig = false;
	d->content_size = 0;
	_cachet_buf_free(&d->auth_names);
	_cachet_buf_free(&d->unprot_names);
	_cachet_buf_free(&d->findings);
}

void cachet_decrypt_deinit(cachet_decrypt_t *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->nkeys; i++)
		_cachet_privkey_free(d->keys[i]);
	free(d->keys);
	_cachet_certset_free(&d->certs);
	for (size_t i = 0; i < d->npw; i++)
		_cachet_buf_free_secret(&d->pw[i]);
	free(d->pw);
	for (size_t i = 0; i < d->nkek; i++) {
		_cachet_buf_free(&d->kek[i].id);
		_cachet_buf_free_secret(&d->kek[i].key);
	}
	free(d->kek);
	free(d->kek_has_id);
	_cachet_buf_free_secret(&d->content_key);
	summary_reset(d);
	cachet_wipe(d, sizeof(*d));
	free(d);
}

/* Add KEY (taken over: *KEY is NULL afterwards) with its certificate
 * CERT (PEM or DER, LEN octets). */
static int add_key_pair(cachet_decrypt_t *d, const uint8_t *cert, size_t len, cachet_privkey_t **key,
			cachet_diag_t *diag)
{
	cachet_privkey_t *k = *key, **nk;
	cachet_pubkey_t *pub = NULL;
	size_t before;
	int ret;

	*key = NULL;
	before = d->certs.n;
	CHECK(_cachet_certset_add(&d->certs, cert, len, "recipient certificate", diag));
	ENSURE(d->certs.n == before + 1, CACHET_E_INVALID_ARG, NULL, "recipient certificate",
	       "give one certificate per key (found %zu)", d->certs.n - before);
	CHECK(_cachet_pubkey_from_crt(&pub, d->certs.crt[before], diag));
	ENSURE(_cachet_key_is_pair(k, pub), CACHET_E_KEY_MISMATCH, NULL, "recipient key",
	       "the private key does not belong to the certificate");
	nk = realloc(d->keys, (d->nkeys + 1) * sizeof(*nk));
	ENSURE(nk != NULL, CACHET_E_NOMEM, NULL, NULL, "out of memory");
	d->keys = nk;
	d->keys[d->nkeys++] = k;
	k = NULL;
	ret = 0;
cleanup:
	if (ret < 0)
		_cachet_certset_truncate(&d->certs, d->nkeys);
	_cachet_privkey_free(k);
	_cachet_pubkey_free(pub);
	return ret;
}

int cachet_decrypt_add_key(cachet_decrypt_t *d, const cachet_datum_t *cert, const cachet_datum_t *key,
			   const char *password, cachet_diag_t *diag)
{
	cachet_privkey_t *k = NULL;
	int ret;

	if (d == NULL || cert == NULL || key == NULL || cert->data == NULL || key->data == NULL)
		return CACHET_E_INVALID_ARG;
	CHECK(_cachet_privkey_import(&k, key, password, diag));
	ret = add_key_pair(d, cert->data, cert->size, &k, diag);
cleanup:
	_cachet_privkey_free(k);
	return ret;
}

int cachet_decrypt_add_p12(cachet_decrypt_t *d, const cachet_datum_t *p12, const char *password,
			   cachet_diag_t *diag)
{
	cachet_p12_t b;
	size_t added = 0;
	int ret;

	memset(&b, 0, sizeof(b));
	if (d == NULL || p12 == NULL)
		return CACHET_E_INVALID_ARG;
	CHECK(_cachet_p12_read(&b, p12, password, diag));
	/* Every key whose certificate allows key transport or agreement
	 * (RFC 8550 section 4.4.2); a signing-only identity in the same
	 * bundle is left out. */
	for (size_t i = 0; i < b.npair; i++) {
		const cbuf_t *c = &b.cert[b.pair[i].cert_index];
		if (!b.pair[i].is_recipient_ok)
			continue;
		CHECK(add_key_pair(d, c->data, c->size, &b.pair[i].key, diag));
		added++;
	}
	ENSURE(added > 0, CACHET_E_KEY_MISMATCH, "RFC 8550 section 4.4.2", "PKCS#12",
	       "no certificate in the PKCS#12 file that belongs to one of its keys allows "
	       "encryption (keyUsage keyEncipherment or keyAgreement)");
	ret = 0;
cleanup:
	_cachet_p12_free(&b);
	return ret;
}

int cachet_decrypt_add_pkcs11(cachet_decrypt_t *d, const cachet_datum_t *cert, const char *url,
			      const char *pin, cachet_diag_t *diag)
{
	cachet_privkey_t *k = NULL;
	int ret;

	if (d == NULL || cert == NULL || cert->data == NULL || url == NULL)
		return CACHET_E_INVALID_ARG;
	CHECK(_cachet_privkey_import_url(&k, url, pin, diag));
	/* GnuTLS 3.7.9 derives no shared secret on a token: only RSA key
	 * transport can use a token key here. */
	ENSURE(_cachet_privkey_type(k) == CACHET_PK_RSA, CACHET_E_UNSUPPORTED, NULL, "recipient key",
	       "only an RSA key on a PKCS#11 token can decrypt (key transport); key agreement "
	       "with a token key is not supported");
	ret = add_key_pair(d, cert->data, cert->size, &k, diag);
cleanup:
	_cachet_privkey_free(k);
	return ret;
}

int cachet_decrypt_add_password(cachet_decrypt_t *d, const uint8_t *pw, size_t pwlen)
{
	cbuf_t *np;
	if (d == NULL || (pw == NULL && pwlen > 0) || pwlen == 0)
		return CACHET_E_INVALID_ARG;
	np = realloc(d->pw, (d->npw + 1) * sizeof(*np));
	if (np == NULL)
		return CACHET_E_NOMEM;
	d->pw = np;
	memset(&d->pw[d->npw], 0, sizeof(*np));
	d->npw++;
	return _cachet_buf_append(&d->pw[d->npw - 1], pw, pwlen);
}

int cachet_decrypt_add_kek(cachet_decrypt_t *d, const cachet_datum_t *id, const cachet_datum_t *kek,
			   cachet_diag_t *diag)
{
	kek_t *nk;
	bool *nh;
	int ret;
	if (d == NULL || kek == NULL || kek->data == NULL)
		return CACHET_E_INVALID_ARG;
	ENSURE(kek->size == 16 || kek->size == 24 || kek->size == 32, CACHET_E_BAD_KEY,
	       "RFC 3565 section 2.3.2", "kek", "a KEK for AES key wrap is 16, 24 or 32 octets, not %zu",
	       kek->size);
	nk = realloc(d->kek, (d->nkek + 1) * sizeof(*nk));
	ENSURE(nk != NULL, CACHET_E_NOMEM, NULL, NULL, "out of memory");
	d->kek = nk;
	nh = realloc(d->kek_has_id, (d->nkek + 1) * sizeof(*nh));
	ENSURE(nh != NULL, CACHET_E_NOMEM, NULL, NULL, "out of memory");
	d->kek_has_id = nh;
	memset(&d->kek[d->nkek], 0, sizeof(*nk));
	d->kek_has_id[d->nkek] = id != NULL && id->data != NULL;
	d->nkek++;
	if (d->kek_has_id[d->nkek - 1])
		CHECK(_cachet_buf_append(&d->kek[d->nkek - 1].id, id->data, id->size));
	CHECK(_cachet_buf_append(&d->kek[d->nkek - 1].key, kek->data, kek->size));
	ret = 0;
cleanup:
	return ret;
}

int cachet_decrypt_set_content_key(cachet_decrypt_t *d, const cachet_datum_t *key, cachet_diag_t *diag)
{
	int ret;
	if (d == NULL || key == NULL || key->data == NULL)
		return CACHET_E_INVALID_ARG;
	ENSURE(key->size > 0 && key->size <= CACHET_CEK_MAX, CACHET_E_BAD_KEY, RULE_ENC, "content key",
	       "a content key of %zu octets", key->size);
	_cachet_buf_free_secret(&d->content_key);
	CHECK(_cachet_buf_append(&d->content_key, key->data, key->size));
	d->has_content_key = true;
	ret = 0;
cleanup:
	return ret;
}

int cachet_decrypt_set_policy(cachet_decrypt_t *d, unsigned policy)
{
	if (d == NULL)
		return CACHET_E_INVALID_ARG;
	d->policy = policy;
	return 0;
}

/* The state of one run. */
typedef struct {
	cachet_decrypt_t *d;
	cachet_decryptor_t *dec;
	cachet_sink_t *out;
	uint8_t *obuf;
	size_t pending;	  /* plaintext octets in obuf, not yet written */
	uint64_t emitted; /* plaintext octets written to OUT */
	cbuf_t kept;	  /* AuthEnvelopedData: the ciphertext, while it fits */
	bool keep, kept_all;
	cachet_diag_t *diag;
} dstate_t;

/* Plaintext collects in obuf and goes to the sink in pieces of up to
 * four chunks: one write(2) per 256 KiB, whatever the segmentation of
 * the ciphertext. */
#define OBUF_CAP (CACHET_CHUNK * 4 + CACHET_CIPHER_SLACK)

static int flush_plain(dstate_t *st)
{
	if (st->pending == 0)
		return 0;
	int ret = _cachet_sink_write(st->out, st->obuf, st->pending);
	st->emitted += st->pending;
	st->pending = 0;
	return ret;
}

static int content_chunk(void *opaque, const uint8_t *p, size_t n)
{
	dstate_t *st = opaque;
	int ret;
	if (st->keep && st->kept_all) {
		if (_cachet_add_ok(st->kept.size, n, CACHET_MAX_AAD_LOOKBACK)) {
			CHECK_RET(_cachet_buf_append(&st->kept, p, n));
		} else {
			st->kept_all = false;
			_cachet_buf_free(&st->kept);
		}
	}
	st->d->content_size += n;
	while (n > 0) {
		size_t k = n < CACHET_CHUNK ? n : CACHET_CHUNK, olen = 0;
		if (OBUF_CAP - st->pending < CACHET_CHUNK + CACHET_CIPHER_SLACK)
			CHECK_RET(flush_plain(st));
		CHECK_RET(_cachet_decryptor_update(st->dec, p, k, st->obuf + st->pending, OBUF_CAP - st->pending,
						   &olen));
		st->pending += olen;
		p += k;
		n -= k;
	}
	return 0;
}

/* The second pass over AuthEnvelopedData ciphertext, once authAttrs have
 * turned up after it.  DEC has the AAD; CHECK (input read again only)
 * has none and must end with the first pass's tag, which proves that
 * both passes read the same ciphertext.  Nothing is written here: the
 * first pass wrote every octet but the held-back last ones. */
typedef struct {
	cachet_decryptor_t *dec, *check;
	uint8_t *buf; /* OBUF_CAP octets, thrown away */
	uint64_t total, limit;
} pass2_t;

static int pass2_chunk(void *opaque, const uint8_t *p, size_t n)
{
	pass2_t *q = opaque;
	int ret;
	/* A longer content than the first pass saw: the input changed. */
	if (n > q->limit - q->total)
		return CACHET_E_DECRYPT_FAILED;
	q->total += n;
	while (n > 0) {
		size_t k = n < CACHET_CHUNK ? n : CACHET_CHUNK, olen = 0;
		if (q->check != NULL)
			CHECK_RET(_cachet_decryptor_update(q->check, p, k, q->buf, OBUF_CAP, &olen));
		CHECK_RET(_cachet_decryptor_update(q->dec, p, k, q->buf, OBUF_CAP, &olen));
		p += k;
		n -= k;
	}
	return 0;
}

/* Read SRC's encrypted content again, from CT_OFF (where its header H
 * starts), through Q. */
static int pass2_reread(cachet_source_t *src, uint64_t ct_off, const ber_hdr_t *h, pass2_t *q,
			cachet_diag_t *diag)
{
	cachet_source_t *again = NULL;
	ber_reader_t r;
	ber_hdr_t h2;
	uint8_t skip[4096];
	int ret = _cachet_source_reopen(src, &again);
	if (ret < 0)
		return ret;
	for (uint64_t left = ct_off; left > 0 && ret == 0;) {
		size_t k = left < sizeof(skip) ? (size_t)left : sizeof(skip);
		ret = _cachet_source_read_full(again, skip, k);
		left -= k;
	}
	if (ret == 0) {
		_cachet_ber_reader_init(&r, again, diag);
		r.path = "encryptedContentInfo.encryptedContent";
		ret = _cachet_ber_next(&r, &h2);
	}
	/* Another header where the first pass found [0]: the input changed. */
	if (ret == 0 && (h2.raw_len != h->raw_len || memcmp(h2.raw, h->raw, h->raw_len) != 0))
		ret = CACHET_E_DECRYPT_FAILED;
	if (ret == 0)
		ret = _cachet_ber_stream_implicit(&r, &h2, pass2_chunk, q);
	cachet_source_deinit(again);
	return ret;
}

/* Try the RecipientInfos for the content-encryption key. */
static int recover_cek(cachet_decrypt_t *d, cbuf_t *ris, size_t nris, size_t ceklen, uint8_t *cek,
		       uint8_t *valid, cachet_diag_t *diag)
{
	cachet_ri_certkey_t *ck = NULL;
	cachet_ri_kek_t *kk = NULL;
	const uint8_t **pws = NULL;
	size_t *pwl = NULL;
	cachet_ri_keys_t keys;
	int ret, first_policy = 0;
	bool any_failed = false;
	char path[64];

	memset(&keys, 0, sizeof(keys));
	ENSURE(d->nkeys + d->nkek + d->npw > 0, CACHET_E_INVALID_ARG, RULE_ENV, "recipientInfos",
	       "no key, password or KEK was given to decrypt with");
	ck = _cachet_calloc(d->nkeys + 1, sizeof(*ck));
	kk = _cachet_calloc(d->nkek + 1, sizeof(*kk));
	pws = _cachet_calloc(d->npw + 1, sizeof(*pws));
	pwl = _cachet_calloc(d->npw + 1, sizeof(*pwl));
	ENSURE(ck && kk && pws && pwl, CACHET_E_NOMEM, NULL, NULL, "out of memory");
	for (size_t i = 0; i < d->nkeys; i++) {
		ck[i].crt = d->certs.crt[i];
		ck[i].key = d->keys[i];
	}
	for (size_t i = 0; i < d->nkek; i++) {
		kk[i].id = d->kek_has_id[i] ? d->kek[i].id.data : NULL;
		kk[i].idlen = d->kek_has_id[i] ? d->kek[i].id.size : 0;
		kk[i].kek = d->kek[i].key.data;
		kk[i].keklen = d->kek[i].key.size;
	}
	for (size_t i = 0; i < d->npw; i++) {
		pws[i] = d->pw[i].data;
		pwl[i] = d->pw[i].size;
	}
	keys.ck = ck;
	keys.nck = d->nkeys;
	keys.kek = kk;
	keys.nkek = d->nkek;
	keys.pw = pws;
	keys.pwlen = pwl;
	keys.npw = d->npw;
	keys.allow_legacy = (d->policy & CACHET_POLICY_ALLOW_LEGACY_CIPHERS) != 0;
	keys.debug = (d->policy & CACHET_POLICY_DEBUG_DECRYPT) != 0;

	ret = CACHET_E_END;
	for (size_t i = 0; i < nris; i++) {
		snprintf(path, sizeof(path), "recipientInfos[%zu]", i);
		ret = _cachet_ri_open_masked(ris[i].data, ris[i].size, &keys, ceklen, cek, valid, path,
					     diag);
		if (ret == 0) {
			d->opened = (long)i;
			break;
		}
		if (ret == CACHET_E_END)
			continue;
		if (ret == CACHET_E_DECRYPT_FAILED) {
			any_failed = true;
			continue;
		}
		if (ret == CACHET_E_POLICY || ret == CACHET_E_WEAK_ALGORITHM || ret == CACHET_E_UNSUPPORTED ||
		    ret == CACHET_E_BAD_VERSION) {
			/* Another RecipientInfo may still be for us: RFC 5652
			 * section 6.2, implementations "MUST gracefully handle
			 * unimplemented versions of otherwise supported
			 * alternatives" [rfc5652-6.2-graceful-alternatives].  The version's
			 * code is returned when none opens. */
			if (first_policy == 0)
				first_policy = ret;
			continue;
		}
		goto cleanup;
	}
	if (ret == 0)
		goto cleanup;
	if (any_failed) {
		ret = CACHET_E_DECRYPT_FAILED;
	} else if (first_policy != 0) {
		ret = first_policy;
	} else {
		/* Only KEM (ori) RecipientInfos: no key can open them here. */
		bool only_ori = nris > 0;
		for (size_t i = 0; i < nris; i++)
			only_ori &= d->ri[i].kind == CACHET_RI_ORI;
		ENSURE(!only_ori, CACHET_E_UNSUPPORTED, "RFC 5652 section 6.2.5", "recipientInfos",
		       "every RecipientInfo is an OtherRecipientInfo (e.g. KEM, RFC 9629); Cachet opens "
		       "ktri, kari, kekri and pwri");
		/* Which RecipientInfos exist is public, but the uniform
		 * failure keeps it to the debug switch all the same. */
		ret = CACHET_E_DECRYPT_FAILED;
		if (keys.debug)
			_cachet_diag_push(diag, ret, "recipientInfos", RULE_ENV,
					  "no RecipientInfo is for the given key%s (%zu RecipientInfo%s in the message)",
					  d->nkeys + d->nkek + d->npw > 1 ? "s" : "", nris, nris == 1 ? "" : "s");
	}
cleanup:
	if (ret < 0)
		cachet_wipe(cek, CACHET_CEK_MAX);
	free(ck);
	free(kk);
	free(pws);
	free(pwl);
	return ret;
}

int cachet_decrypt_run(cachet_decrypt_t *d, cachet_source_t *in, cachet_sink_t *out, cachet_diag_t *diag)
{
	dstate_t st;
	cachet_source_t *src = NULL;
	cachet_decryptor_t *dec2 = NULL, *dec3 = NULL;
	uint64_t ct_off = 0;
	ber_hdr_t ct_hdr;
	const char *why = NULL; /* --debug-decrypt: a cause the defaults below do not name */
	ber_reader_t r;
	ber_hdr_t h;
	cbuf_t v = {0}, alg = {0}, auth = {0}, mac = {0}, attrs = {0};
	cbuf_t *ris = NULL;
	size_t nris = 0;
	cipher_sel_t sel;
	uint8_t cek[CACHET_CEK_MAX];
	char dotted[128], ect[128] = "", auth_ct[128] = "";
	const char *rule;
	unsigned version, want, auth_ct_count = 0;
	bool has_auth = false, crypto_failed = false, have_cek = false;
	uint8_t cek_valid = 0xff; /* _cachet_ri_open_masked */
	int ret;

	memset(&st, 0, sizeof(st));
	memset(&sel, 0, sizeof(sel));
	if (d == NULL || in == NULL || out == NULL)
		return CACHET_E_INVALID_ARG;
	summary_reset(d);
	st.d = d;
	st.out = out;
	st.diag = diag;
	CHECK(_cachet_source_autodetect(&src, in, diag));
	_cachet_ber_reader_init(&r, src, diag);

	/* ContentInfo (RFC 5652 section 3). */
	CHECK(_cachet_ber_content_info(&r, dotted, sizeof(dotted)));
	if (strcmp(dotted, oid_of(CACHET_ALG_CT_ENVELOPED)) == 0)
		d->kind = CT_ENVELOPED;
	else if (strcmp(dotted, oid_of(CACHET_ALG_CT_AUTHENVELOPED)) == 0)
		d->kind = CT_AUTHENVELOPED;
	else if (strcmp(dotted, oid_of(CACHET_ALG_CT_ENCRYPTED)) == 0)
		d->kind = CT_ENCRYPTED;
	else
		FAIL(CACHET_E_UNSUPPORTED_CONTENT, "RFC 5652 section 3", "ContentInfo.contentType",
		     "content type %s is not EnvelopedData, AuthEnvelopedData or EncryptedData",
		     _cachet_oid_name(dotted));
	rule = d->kind == CT_ENVELOPED ? RULE_ENV : d->kind == CT_AUTHENVELOPED ? RULE_AUTH : RULE_ENC;
	d->ran = true;
	CHECK(_cachet_ber_expect(&r, &h, BER_CONTEXT, true, 0, "ContentInfo.content"));
	CHECK(_cachet_ber_enter(&r, &h));
	r.path = ct_names[d->kind];
	CHECK(_cachet_ber_expect(&r, &h, BER_UNIVERSAL, true, BER_TAG_SEQUENCE, ct_names[d->kind]));
	CHECK(_cachet_ber_enter(&r, &h));
	CHECK(_cachet_ber_expect(&r, &h, BER_UNIVERSAL, false, BER_TAG_INTEGER, "version"));
	CHECK(_cachet_ber_read_value(&r, &h, &v, 8));
	ENSURE(v.size == 1 && v.data[0] <= 5, CACHET_E_BAD_VERSION, rule, "version",
	       "version is not a CMSVersion (0 to 5)");
	version = v.data[0];
	d->version = version;

	if (d->kind != CT_ENCRYPTED) {
		/* originatorInfo [0] IMPLICIT OPTIONAL */
		CHECK(_cachet_ber_next_required(&r, &h, "recipientInfos", rule));
		if (ber_is(&h, BER_CONTEXT, true, 0)) {
			cbuf_t oi = {0};
			asn1_node on = NULL;
			unsigned nc = 0;
			r.path = "originatorInfo";
			ret = _cachet_ber_capture(&r, &h, &oi, CACHET_MAX_BOUNDED);
			if (ret == 0) {
				oi.data[0] = 0x30; /* decode the IMPLICIT [0] as its SEQUENCE */
				ret = _cachet_asn1_decode("CachetCMS.OriginatorInfo", oi.data, oi.size, false, &on,
							  "originatorInfo", RULE_ENV, diag);
			}
			/* certs is OPTIONAL: absent, it counts as none. */
			if (ret == 0 && _cachet_asn1_count(on, "certs", &nc) < 0)
				nc = 0;
			_cachet_asn1_delete(&on, false);
			_cachet_buf_free(&oi);
			CHECK(ret);
			d->has_orig = true;
			d->orig_certs = nc;
			CHECK(_cachet_ber_next_required(&r, &h, "recipientInfos", rule));
		}
		/* recipientInfos SET SIZE (1..MAX) OF RecipientInfo */
		r.path = "recipientInfos";
		ENSURE(ber_is(&h, BER_UNIVERSAL, true, BER_TAG_SET), CACHET_E_MALFORMED, rule, "recipientInfos",
		       "expected the recipientInfos SET, found identifier 0x%02x", h.raw[0]);
		CHECK(_cachet_ber_enter(&r, &h));
		ris = _cachet_calloc(CACHET_MAX_RECIPIENTS, sizeof(*ris));
		d->ri = _cachet_calloc(CACHET_MAX_RECIPIENTS, sizeof(*d->ri));
		ENSURE(ris && d->ri, CACHET_E_NOMEM, NULL, NULL, "out of memory");
		for (;;) {
			char path[64];
			ret = _cachet_ber_next(&r, &h);
			if (ret == CACHET_E_END)
				break;
			CHECK(ret);
			ENSURE(nris < CACHET_MAX_RECIPIENTS, CACHET_E_COUNT_LIMIT, rule, "recipientInfos",
			       "more than %d RecipientInfos", CACHET_MAX_RECIPIENTS);
			CHECK(_cachet_ber_capture(&r, &h, &ris[nris], CACHET_MAX_BOUNDED));
			snprintf(path, sizeof(path), "recipientInfos[%zu]", nris);
			/* Quietly first: a version error is said again, once,
			 * if this RecipientInfo is the one that fails. */
			ret = _cachet_ri_describe(ris[nris].data, ris[nris].size, &d->ri[nris], path, NULL);
			if (ret < 0 && ret != CACHET_E_BAD_VERSION)
				ret = _cachet_ri_describe(ris[nris].data, ris[nris].size, &d->ri[nris], path,
							  diag);
			if (ret == CACHET_E_BAD_VERSION) {
				/* RFC 5652 section 6.2: a version Cachet does not
				 * know is handled gracefully -- listed, and passed
				 * over when the keys are tried
				 * [rfc5652-6.2-graceful-alternatives]. */
				snprintf(d->ri[nris].alg, sizeof(d->ri[nris].alg),
					 "(version not understood; passed over)");
				ret = 0;
			}
			CHECK(ret);
			nris++;
			d->nri = nris;
		}
		CHECK(_cachet_ber_leave(&r));
		ENSURE(nris > 0, CACHET_E_MALFORMED, rule, "recipientInfos",
		       "recipientInfos is empty: there must be at least one");
	}

	/* EncryptedContentInfo (RFC 5652 section 6.1). */
	r.path = "encryptedContentInfo";
	CHECK(_cachet_ber_expect(&r, &h, BER_UNIVERSAL, true, BER_TAG_SEQUENCE, "encryptedContentInfo"));
	CHECK(_cachet_ber_enter(&r, &h));
	CHECK(_cachet_ber_expect(&r, &h, BER_UNIVERSAL, false, BER_TAG_OID, "encryptedContentInfo.contentType"));
	CHECK(_cachet_ber_read_oid(&r, &h, ect, sizeof(ect), "encryptedContentInfo.contentType", RULE_ENV));
	snprintf(d->content_type, sizeof(d->content_type), "%s", _cachet_oid_name(ect));
	CHECK(_cachet_ber_expect(&r, &h, BER_UNIVERSAL, true, BER_TAG_SEQUENCE,
				 "encryptedContentInfo.contentEncryptionAlgorithm"));
	CHECK(_cachet_ber_capture(&r, &h, &alg, 4096));
	note_cipher_oid(d, &alg);
	CHECK(read_cipher_alg(&alg, d->kind, d->policy, &sel, d->cipher, sizeof(d->cipher), diag));

	/* The content-encryption key. */
	if (d->kind == CT_ENCRYPTED) {
		ENSURE(d->has_content_key, CACHET_E_INVALID_ARG, RULE_ENC, "EncryptedData",
		       "EncryptedData has no recipients: give its content-encryption key");
		ENSURE(d->content_key.size == sel.key_len, CACHET_E_BAD_KEY, RULE_ENC, "content key",
		       "the content key is %zu octets; %s needs %zu", d->content_key.size, d->cipher, sel.key_len);
		memcpy(cek, d->content_key.data, sel.key_len);
	} else {
		ret = recover_cek(d, ris, nris, sel.key_len, cek, &cek_valid, diag);
		if (ret == CACHET_E_DECRYPT_FAILED) {
			crypto_failed = true;
			goto cleanup;
		}
		CHECK(ret);
	}
	have_cek = true;
	sel.p.key = cek;
	sel.p.key_len = sel.key_len;
	ret = _cachet_decryptor_init(&st.dec, &sel.p, diag);
	/* AuthEnvelopedData: a second decryptor, for authAttrs should they
	 * follow the content (see the top of the file). */
	if (ret == 0 && sel.ci->aead)
		ret = _cachet_decryptor_init(&dec2, &sel.p, diag);
	if (ret == 0 && sel.ci->aead)
		ret = _cachet_decryptor_init(&dec3, &sel.p, diag);
	cachet_wipe(cek, sizeof(cek));
	CHECK(ret);
	st.obuf = _cachet_malloc(OBUF_CAP);
	ENSURE(st.obuf != NULL, CACHET_E_NOMEM, NULL, NULL, "out of memory");
	st.keep = sel.ci->aead;
	st.kept_all = true;

	/* encryptedContent [0] IMPLICIT OCTET STRING OPTIONAL */
	r.path = "encryptedContentInfo.encryptedContent";
	ct_off = _cachet_source_offset(src);
	ret = _cachet_ber_next(&r, &h);
	ENSURE(ret != CACHET_E_END, CACHET_E_NO_CONTENT, rule, "encryptedContentInfo.encryptedContent",
	       "the encrypted content is not in the message (detached content is not supported)");
	CHECK(ret);
	ENSURE(h.cls == BER_CONTEXT && h.tag == 0, CACHET_E_MALFORMED, rule,
	       "encryptedContentInfo.encryptedContent", "expected [0] encryptedContent, found identifier 0x%02x",
	       h.raw[0]);
	ct_hdr = h;
	/* Primitive, or OCTET STRING segments (X.690 section 8.7.3). */
	CHECK(_cachet_ber_stream_implicit(&r, &h, content_chunk, &st));
	r.path = "encryptedContentInfo";
	CHECK(_cachet_ber_leave(&r));

	/* The trailer. */
	r.path = ct_names[d->kind];
	ret = _cachet_ber_next(&r, &h);
	if (d->kind == CT_AUTHENVELOPED) {
		if (ret == 0 && ber_is(&h, BER_CONTEXT, true, 1)) {
			/* authAttrs [1] IMPLICIT: MUST be DER (RFC 5083 section
			 * 2.1); the AAD is that DER with the SET OF tag. */
			asn1_node an = NULL;
			cbuf_t re = {0};
			r.path = "authAttrs";
			CHECK(_cachet_ber_capture(&r, &h, &auth, CACHET_MAX_BOUNDED));
			auth.data[0] = 0x31;
			ret = _cachet_asn1_decode("CachetAuthEnv.AuthAttributes", auth.data, auth.size, true, &an,
						  "authAttrs", RULE_AUTH, diag);
			if (ret == 0)
				ret = _cachet_asn1_encode(an, "", &re);
			if (ret == 0 && (re.size != auth.size || memcmp(re.data, auth.data, re.size) != 0))
				ret = CACHET_E_NOT_DER;
			_cachet_asn1_delete(&an, false);
			_cachet_buf_free(&re);
			if (ret == CACHET_E_NOT_DER || ret == CACHET_E_MALFORMED || ret == CACHET_E_TASN1)
				FAIL(CACHET_E_NOT_DER, RULE_AUTH, "authAttrs",
				     "authAttrs MUST be DER encoded (length forms or SET OF order)");
			CHECK(ret);
			CHECK(attr_names(&auth, "CachetAuthEnv.AuthAttributes", &d->auth_names, auth_ct,
					 sizeof(auth_ct), &auth_ct_count, "authAttrs", RULE_AUTH, diag));
			has_auth = true;
			ret = _cachet_ber_next(&r, &h);
		}
		ENSURE(ret != CACHET_E_END, CACHET_E_MALFORMED, RULE_AUTH, "mac", "the mac is missing");
		CHECK(ret);
		r.path = "mac";
		ENSURE(ber_is(&h, BER_UNIVERSAL, false, BER_TAG_OCTET_STRING), CACHET_E_MALFORMED, RULE_AUTH, "mac",
		       "expected the mac OCTET STRING, found identifier 0x%02x", h.raw[0]);
		CHECK(_cachet_ber_read_value(&r, &h, &mac, CACHET_AEAD_TAG_MAX));
		ENSURE(mac.size == sel.p.tag_len, CACHET_E_MALFORMED, "RFC 5084 section 3.2; RFC 8103 section 3",
		       "mac", "the mac is %zu octets, but the algorithm's parameters say %zu", mac.size,
		       sel.p.tag_len);
		ret = _cachet_ber_next(&r, &h);
		if (ret == 0 && ber_is(&h, BER_CONTEXT, true, 2)) {
			r.path = "unauthAttrs";
			CHECK(_cachet_ber_capture(&r, &h, &attrs, CACHET_MAX_BOUNDED));
			attrs.data[0] = 0x31;
			CHECK(attr_names(&attrs, "CachetAuthEnv.UnauthAttributes", &d->unprot_names, NULL, 0, NULL,
					 "unauthAttrs", RULE_AUTH, diag));
			ret = _cachet_ber_next(&r, &h);
		}
	} else if (ret == 0 && ber_is(&h, BER_CONTEXT, true, 1)) {
		r.path = "unprotectedAttrs";
		CHECK(_cachet_ber_capture(&r, &h, &attrs, CACHET_MAX_BOUNDED));
		attrs.data[0] = 0x31;
		CHECK(attr_names(&attrs, "CachetCMS.UnprotectedAttributes", &d->unprot_names, NULL, 0, NULL,
				 "unprotectedAttrs", rule, diag));
		ret = _cachet_ber_next(&r, &h);
	}
	ENSURE(ret != 0, CACHET_E_MALFORMED, rule, ct_names[d->kind], "unexpected element (identifier 0x%02x) at the end",
	       h.raw[0]);
	ENSURE(ret == CACHET_E_END, ret, rule, ct_names[d->kind], "reading the message failed");
	CHECK(_cachet_ber_leave(&r)); /* the content type */
	CHECK(_cachet_ber_leave(&r)); /* [0] */
	CHECK(_cachet_ber_leave(&r)); /* ContentInfo */
	CHECK(_cachet_ber_expect_eof(&r));

	/* Structure rules that do not stop decryption but are reported. */
	if (d->kind == CT_AUTHENVELOPED) {
		want = 0;
		/* RFC 5083 section 2.1: authAttrs with a content-type attribute
		 * whenever the content is not id-data. */
		if (strcmp(ect, oid_of(CACHET_ALG_CT_DATA)) != 0)
			ENSURE(has_auth && auth_ct_count == 1, CACHET_E_ATTR_MISSING, RULE_AUTH, "authAttrs",
			       "the content type is %s, so authAttrs with a content-type attribute MUST be present",
			       _cachet_oid_name(ect));
		if (has_auth)
			ENSURE(auth_ct_count == 1, CACHET_E_ATTR_MISSING, RULE_AUTH, "authAttrs",
			       "authAttrs is present, so it MUST include exactly one content-type attribute "
			       "(found %u)", auth_ct_count);
		if (auth_ct_count == 1)
			ENSURE(strcmp(auth_ct, ect) == 0, CACHET_E_ATTR_MISMATCH, "RFC 5652 section 11.1", "authAttrs",
			       "the content-type attribute says %s but the content is %s", _cachet_oid_name(auth_ct),
			       _cachet_oid_name(ect));
	} else if (d->kind == CT_ENCRYPTED) {
		want = d->unprot_names.size ? 2 : 0;
	} else {
		bool all_v0 = true, pwri = false, ori = false;
		for (size_t i = 0; i < nris; i++) {
			all_v0 &= d->ri[i].version == 0;
			pwri |= d->ri[i].kind == CACHET_RI_PWRI;
			ori |= d->ri[i].kind == CACHET_RI_ORI;
		}
		if (pwri || ori)
			want = 3;
		else if (!d->has_orig && d->unprot_names.size == 0 && all_v0)
			want = 0;
		else
			want = 2;
		/* Version 4 (other certificate or CRL formats in
		 * originatorInfo) is accepted where 2 or 3 is computed. */
		if (version == 4 && d->has_orig && want >= 2)
			want = 4;
	}
	if (version != want)
		CHECK(CACHET_FINDING(&d->findings, "%s version is %u; %s says %u for this message (accepted: RFC 5652 section 1.3 "
				 "asks readers to be forgiving)",
			      ct_names[d->kind], version, rule, want));

	/* Authenticate, then release the last octets. */
	{
		size_t olen = 0;
		if (sel.ci->aead && has_auth) {
			/* RFC 5083 section 2.1: the DER of authAttrs is the
			 * AAD, which goes into the MAC before the content.
			 * They follow the content in the message, so the first
			 * pass ran without them; now dec2, with them, goes over
			 * the ciphertext again: the kept copy, or the input read
			 * a second time (dec3 then proves it is the same
			 * ciphertext).  Only the held-back last octets are
			 * still to be written. */
			uint8_t t1[CACHET_AEAD_TAG_MAX];
			size_t t1len = 0;
			pass2_t q = {dec2, NULL, st.obuf, 0, d->content_size};
			CHECK(flush_plain(&st));
			ret = _cachet_decryptor_aad(dec2, auth.data, auth.size);
			if (ret == 0 && st.kept_all) {
				ret = pass2_chunk(&q, st.kept.data, st.kept.size);
			} else if (ret == 0) {
				q.check = dec3;
				ret = _cachet_decryptor_tag(st.dec, t1, sizeof(t1), &t1len);
				if (ret == 0)
					ret = pass2_reread(src, ct_off, &ct_hdr, &q, diag);
				ENSURE(ret != CACHET_E_UNSUPPORTED, CACHET_E_SIZE_LIMIT, RULE_AUTH, "authAttrs",
				       "authAttrs follow more than %u octets of content in an input that cannot be "
				       "read twice (a pipe): Cachet authenticates them over at most that much "
				       "ciphertext there; give the message as a file",
				       CACHET_MAX_AAD_LOOKBACK);
				if (ret == 0 && q.total != q.limit)
					ret = CACHET_E_DECRYPT_FAILED;
				if (ret == 0)
					ret = _cachet_decryptor_final(dec3, t1, t1len, st.obuf, OBUF_CAP, &olen);
				if (ret == CACHET_E_DECRYPT_FAILED)
					why = "the input changed between the two passes over the content";
			}
			cachet_wipe(t1, sizeof(t1));
			if (ret == 0) {
				why = NULL;
				ret = _cachet_decryptor_final(dec2, mac.data, mac.size, st.obuf, OBUF_CAP, &olen);
			}
			if (ret == 0 && olen > 0)
				ret = _cachet_sink_write(out, st.obuf, olen);
			if (ret == CACHET_E_DECRYPT_FAILED) {
				crypto_failed = true;
				goto cleanup;
			}
			CHECK(ret);
		} else {
			CHECK(flush_plain(&st));
			ret = _cachet_decryptor_final(st.dec, sel.ci->aead ? mac.data : NULL,
						      sel.ci->aead ? mac.size : 0, st.obuf, OBUF_CAP, &olen);
			if (ret == CACHET_E_DECRYPT_FAILED) {
				crypto_failed = true;
				goto cleanup;
			}
			CHECK(ret);
			if (olen > 0)
				CHECK(_cachet_sink_write(out, st.obuf, olen));
		}
	}
	/* The RecipientInfo's own verdict, looked at only now that the whole
	 * content is through: a PKCS#1 v1.5 random key (RFC 3218 section
	 * 2.3) that happened to give valid CBC padding fails here, where and
	 * as a wrong key's bad padding does. */
	if (cek_valid != 0xff) {
		why = "the key transport padding was wrong; the random key that stood in for the "
		      "content-encryption key happened to give valid CBC padding";
		crypto_failed = true;
		goto cleanup;
	}
	CHECK(cachet_sink_flush(out));
	ret = 0;
cleanup:
	if (crypto_failed) {
		/* One code and, by default, one sentence for every cause
		 * (RFC 3218 section 2.3). */
		ret = CACHET_E_DECRYPT_FAILED;
		if (d->policy & CACHET_POLICY_DEBUG_DECRYPT)
			_cachet_diag_push(diag, ret, ct_names[d->kind], rule,
					  "decryption failed (debug: %s)",
					  why ? why
					  : !have_cek ? "no RecipientInfo gave a content-encryption key"
					  : sel.ci && sel.ci->aead
						  ? "a content-encryption key was found, but the authentication tag "
						    "does not match (wrong key or altered message)"
						  : "a content-encryption key was found, but the padding of the last "
						    "block is wrong (wrong key or altered message)");
		else
			_cachet_diag_push(diag, ret, ct_names[d->kind], rule, "decryption failed");
	}
	cachet_wipe(cek, sizeof(cek));
	cachet_wipe(&sel, sizeof(sel));
	_cachet_decryptor_free(st.dec);
	_cachet_decryptor_free(dec2);
	_cachet_decryptor_free(dec3);
	if (st.obuf) {
		cachet_wipe(st.obuf, OBUF_CAP);
		free(st.obuf);
	}
	_cachet_buf_free(&st.kept);
	if (ris) {
		/* Up to and including a capture that failed half way. */
		for (size_t i = 0; i <= nris && i < CACHET_MAX_RECIPIENTS; i++)
			_cachet_buf_free(&ris[i]);
		free(ris);
	}
	if (src != in)
		cachet_source_deinit(src);
	_cachet_buf_free(&v);
	_cachet_buf_free(&alg);
	_cachet_buf_free(&auth);
	_cachet_buf_free(&mac);
	_cachet_buf_free(&attrs);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Summary of the last run                                             */

static const char *const ri_kind_names[] = {"ktri", "kari", "kekri", "pwri", "ori"};

int cachet_decrypt_summary(const cachet_decrypt_t *d, unsigned flags, cachet_datum_t *out)
{
	cbuf_t b = {0};
	int ret;
	bool json = (flags & CACHET_INSPECT_JSON) != 0;

	if (d == NULL || out == NULL || (flags & ~CACHET_INSPECT_JSON) != 0)
		return CACHET_E_INVALID_ARG;
	out->data = NULL;
	out->size = 0;
	if (!d->ran)
		return CACHET_E_BAD_STATE;
	if (json) {
		CHECK(_cachet_buf_printf(&b, "{\"type\":\"%s\",\"version\":%u,\"content_type\":", ct_names[d->kind],
					 d->version));
		CHECK(_cachet_buf_json_str(&b, d->content_type));
		CHECK(_cachet_buf_printf(&b, ",\"content_encryption\":"));
		CHECK(_cachet_buf_json_str(&b, d->cipher));
		CHECK(_cachet_buf_printf(&b, ",\"encrypted_content_octets\":%llu",
					 (unsigned long long)d->content_size));
		if (d->has_orig)
			CHECK(_cachet_buf_printf(&b, ",\"originator_certificates\":%zu", d->orig_certs));
		CHECK(_cachet_buf_printf(&b, ",\"recipient_infos\":["));
		for (size_t i = 0; i < d->nri; i++) {
			CHECK(_cachet_buf_printf(&b, "%s{\"kind\":\"%s\",\"version\":%u,\"algorithm\":", i ? "," : "",
						 ri_kind_names[d->ri[i].kind], d->ri[i].version));
			CHECK(_cachet_buf_json_str(&b, d->ri[i].alg));
			CHECK(_cachet_buf_printf(&b, ",\"recipient\":"));
			CHECK(_cachet_buf_json_str(&b, d->ri[i].rid));
			CHECK(_cachet_buf_printf(&b, ",\"opened\":%s}", d->opened == (long)i ? "true" : "false"));
		}
		CHECK(_cachet_buf_printf(&b, "]"));
		if (d->auth_names.size) {
			CHECK(_cachet_buf_printf(&b, ",\"auth_attrs\":"));
			CHECK(_cachet_buf_json_str(&b, (const char *)d->auth_names.data));
		}
		if (d->unprot_names.size) {
			CHECK(_cachet_buf_printf(&b, ",\"%s\":", d->kind == CT_AUTHENVELOPED ? "unauth_attrs"
											    : "unprotected_attrs"));
			CHECK(_cachet_buf_json_str(&b, (const char *)d->unprot_names.data));
		}
		CHECK(_cachet_buf_printf(&b, ",\"findings\":["));
		CHECK(_cachet_findings_out(&b, &d->findings, true));
		CHECK(_cachet_buf_printf(&b, "]}\n"));
	} else {
		CHECK(_cachet_buf_printf(&b, "%s (version %u)\n", ct_names[d->kind], d->version));
		CHECK(_cachet_buf_printf(&b, "  content type:       %s\n", d->content_type));
		CHECK(_cachet_buf_printf(&b, "  content encryption: %s\n", d->cipher));
		CHECK(_cachet_buf_printf(&b, "  encrypted content:  %llu octets\n",
					 (unsigned long long)d->content_size));
		if (d->has_orig)
			CHECK(_cachet_buf_printf(&b, "  originatorInfo:     %zu certificate%s\n", d->orig_certs,
						 d->orig_certs == 1 ? "" : "s"));
		if (d->kind != CT_ENCRYPTED)
			CHECK(_cachet_buf_printf(&b, "  recipientInfos:     %zu\n", d->nri));
		for (size_t i = 0; i < d->nri; i++)
			CHECK(_cachet_buf_printf(&b, "    [%zu] %s v%u  %s\n        for %s%s\n", i,
						 ri_kind_names[d->ri[i].kind], d->ri[i].version, d->ri[i].alg,
						 d->ri[i].rid, d->opened == (long)i ? "  (opened)" : ""));
		if (d->auth_names.size)
			CHECK(_cachet_buf_printf(&b, "  authAttrs:          %s\n", (const char *)d->auth_names.data));
		if (d->unprot_names.size)
			CHECK(_cachet_buf_printf(&b, "  %s   %s\n",
						 d->kind == CT_AUTHENVELOPED ? "unauthAttrs:    " : "unprotectedAttrs:",
						 (const char *)d->unprot_names.data));
		CHECK(_cachet_findings_out(&b, &d->findings, false));
	}
	out->data = b.data;
	out->size = b.size;
	return 0;
cleanup:
	_cachet_buf_free(&b);
	return ret;
}
