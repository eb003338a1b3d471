/* inspect.c -- a readable (or JSON) dump of any BER/DER object, streamed:
 * every element with its offset, tag and size; object identifiers by
 * their registry names; times and strings as text; large contents by
 * size only.  Memory stays flat whatever the size.
 *
 * Certificates in SignedData.certificates and in originatorInfo are
 * summarised instead of dumped.  For EnvelopedData (RFC 5652 section 6),
 * AuthEnvelopedData (RFC 5083) and EncryptedData (RFC 5652 section 8) the
 * walk also collects what a reader wants to know -- version,
 * originatorInfo, every RecipientInfo as ri.h describes it, the
 * content-encryption algorithm and its parameters, the size of the
 * encrypted content, the MAC, the attribute types -- and prints it after
 * the ContentInfo (text) or as its "summary" member (JSON).  Each
 * RecipientInfo and the contentEncryptionAlgorithm are captured (bounded
 * parts), described, then dumped from the capture like any other element. */
#include "ber.h"
#include "crypto.h"
#include "pki.h"
#include "ri.h"

#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>

#define SHOW_MAX 48 /* primitive values shown in full up to this size */

/* Attribute sets of the encrypted content types. */
enum { ATTRS_UNPROT, ATTRS_AUTH, ATTRS_UNAUTH, ATTRS_N };

/* What the walk learns about an EnvelopedData, AuthEnvelopedData or
 * EncryptedData.  Text mode keeps RecipientInfo lines in RIS, JSON mode
 * a comma-separated list of objects; past CACHET_MAX_RECIPIENTS they are
 * only counted, so that memory stays bounded. */
typedef struct {
	cachet_alg_id_t ct; /* CACHET_ALG_CT_{ENVELOPED,AUTHENVELOPED,ENCRYPTED} */
	bool has_version;
	char version[24];
	bool has_orig;
	unsigned orig_certs, orig_crls;
	unsigned nri;
	cbuf_t ris;
	bool has_eci;
	char inner_ct[200]; /* encryptedContentInfo.contentType */
	char cea[200];	    /* contentEncryptionAlgorithm */
	char cea_params[160];
	long iv_len;  /* IV (CBC) or nonce (AEAD) octets; -1: none or unknown */
	long icv_len; /* AEAD: ICV octets; -1: not an AEAD */
	bool has_enc;
	uint64_t enc_size;
	bool has_mac;
	uint64_t mac_len;
	bool has_attrs[ATTRS_N];
	cbuf_t attrs[ATTRS_N]; /* attribute type names: text ", "-separated,
				  JSON strings comma-separated */
	unsigned nattrs[ATTRS_N];
} env_sum_t;

typedef struct {
	ber_reader_t r;
	cachet_sink_t *out;
	bool json;
	cbuf_t line;
	unsigned long nodes;
	/* Identifier octet of each open ancestor, outermost first, and the
	 * content type named by the outer ContentInfo. */
	uint8_t anc[CACHET_MAX_DEPTH + 1];
	bool signed_data;
	/* Offsets of a part re-read from its capture are BASE + its own. */
	uint64_t base;
	bool redump;	    /* the next node is a captured part: no capture again */
	unsigned enc_depth; /* inside encryptedContent below this depth (0: no) */
	cbuf_t annot;	    /* JSON members for the next node (a RecipientInfo) */
	env_sum_t env;
	struct cmp_sum_st { /* CompressedData (RFC 3274): see cmp_note */
		bool active, has_version, has_alg, has_ct, has_content;
		char version[24], alg[200], params[40], ct[200];
		unsigned seqs; /* SEQUENCEs seen among CompressedData's children */
		uint64_t size; /* octets of eContent */
	} cmp;
} insp_t;

static const char *universal_name(uint32_t tag)
{
	static const char *const names[] = {
		"EOC", "BOOLEAN", "INTEGER", "BIT STRING", "OCTET STRING", "NULL",
		"OBJECT IDENTIFIER", "ObjectDescriptor", "EXTERNAL", "REAL", "ENUMERATED",
		"EMBEDDED PDV", "UTF8String", "RELATIVE-OID", "TIME", "reserved",
		"SEQUENCE", "SET", "NumericString", "PrintableString", "T61String",
		"VideotexString", "IA5String", "UTCTime", "GeneralizedTime", "GraphicString",
		"VisibleString", "GeneralString", "UniversalString", "CHARACTER STRING",
		"BMPString",
	};
	return tag < sizeof(names) / sizeof(names[0]) ? names[tag] : "universal";
}

static int flush_line(insp_t *in)
{
	int ret = _cachet_sink_write(in->out, in->line.data, in->line.size);
	in->line.size = 0;
	return ret;
}

static bool is_text_tag(uint32_t t)
{
	return t == 12 || t == 18 || t == 19 || t == 20 || t == 22 || t == 23 || t == 24 || t == 26;
}

/* Describe a primitive value in TEXT. */
static void describe(const ber_hdr_t *h, const cbuf_t *v, char *text, size_t n)
{
	text[0] = 0;
	if (h->cls != BER_UNIVERSAL) {
		goto hex;
	}
	if (h->tag == BER_TAG_OID) {
		char dotted[160];
		if (_cachet_oid_to_str(v->data, v->size, dotted, sizeof(dotted)) < 0) {
			snprintf(text, n, "(malformed)");
			return;
		}
		const cachet_alg_t *a = _cachet_alg_by_oid(dotted);
		if (a)
			snprintf(text, n, "%s (%s)", a->name, dotted);
		else
			snprintf(text, n, "%s", dotted);
		return;
	}
	if (is_text_tag(h->tag)) {
		size_t k = 0;
		for (size_t i = 0; i < v->size && k + 2 < n; i++)
			text[k++] = (v->data[i] >= 0x20 && v->data[i] < 0x7f) ? (char)v->data[i] : '.';
		text[k] = 0;
		return;
	}
	if (h->tag == 1 && v->size == 1) {
		snprintf(text, n, "%s", v->data[0] ? "TRUE" : "FALSE");
		return;
	}
	if (h->tag == BER_TAG_NULL) {
		return;
	}
hex:
	if (h->len <= SHOW_MAX) {
		size_t k = 0;
		for (size_t i = 0; i < v->size && k + 3 < n; i++, k += 2)
			snprintf(text + k, n - k, "%02x", v->data[i]);
	}
}

/* Is H a certificate in SignedData.certificates?  ContentInfo SEQUENCE >
 * [0] > SignedData SEQUENCE > [0] IMPLICIT SET OF > SEQUENCE. */
static bool at_certificate(const insp_t *in, const ber_hdr_t *h, unsigned depth)
{
	return in->signed_data && depth == 4 && h->raw[0] == 0x30 && in->anc[0] == 0x30 &&
	       in->anc[1] == 0xa0 && in->anc[2] == 0x30 && in->anc[3] == 0xa0;
}

/* One line per certificate fact instead of its raw tree. */
static int certificate(insp_t *in, const ber_hdr_t *h, unsigned depth, uint64_t off)
{
	cbuf_t der = {0};
	gnutls_x509_crt_t crt = NULL;
	char who[400], iss[400], t1[32], t2[32];
	int ret;

	CHECK(_cachet_ber_capture(&in->r, h, &der, CACHET_MAX_BOUNDED));
	gnutls_datum_t d = {der.data, (unsigned)der.size};
	if (gnutls_x509_crt_init(&crt) < 0 || gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) < 0) {
		CHECK(_cachet_buf_printf(&in->line, in->json ? "{\"offset\":%llu,\"certificate\":null}"
							     : "%8llu %*scertificate (%zu bytes, unreadable)\n",
					 (unsigned long long)off, in->json ? 0 : (int)(2 * depth), "", der.size));
		goto done;
	}
	_cachet_crt_describe(crt, who, sizeof(who));
	gnutls_datum_t idn = {NULL, 0};
	snprintf(iss, sizeof(iss), "?");
	if (gnutls_x509_crt_get_issuer_dn3(crt, &idn, 0) == 0) {
		snprintf(iss, sizeof(iss), "%s", (char *)idn.data);
		gnutls_free(idn.data);
	}
	_cachet_time_str(gnutls_x509_crt_get_activation_time(crt), t1, sizeof(t1));
	_cachet_time_str(gnutls_x509_crt_get_expiration_time(crt), t2, sizeof(t2));
	unsigned bits = 0;
	int pk = gnutls_x509_crt_get_pk_algorithm(crt, &bits);
	const char *pkname = gnutls_pk_get_name((gnutls_pk_algorithm_t)(pk < 0 ? 0 : pk));
	if (in->json) {
		CHECK(_cachet_buf_printf(&in->line, "{\"offset\":%llu,\"tag\":\"SEQUENCE\",\"length\":%zu,"
					 "\"certificate\":{\"subject\":", (unsigned long long)off, der.size));
		CHECK(_cachet_buf_json_str(&in->line, who));
		CHECK(_cachet_buf_printf(&in->line, ",\"issuer\":"));
		CHECK(_cachet_buf_json_str(&in->line, iss));
		CHECK(_cachet_buf_printf(&in->line, ",\"notBefore\":\"%s\",\"notAfter\":\"%s\",\"key\":", t1, t2));
		CHECK(_cachet_buf_json_str(&in->line, pkname ? pkname : "?"));
		CHECK(_cachet_buf_printf(&in->line, ",\"bits\":%u}}", bits));
	} else {
		int ind = (int)(2 * depth);
		CHECK(_cachet_buf_printf(&in->line, "%8llu %*scertificate (%zu bytes): %s\n", (unsigned long long)off,
					 ind, "", der.size, who));
		CHECK(_cachet_buf_printf(&in->line, "         %*s  issuer %s\n", ind, "", iss));
		CHECK(_cachet_buf_printf(&in->line, "         %*s  valid %s to %s, %s %u bits\n", ind, "", t1, t2,
					 pkname ? pkname : "?", bits));
	}
done:
	ret = flush_line(in);
cleanup:
	if (crt)
		gnutls_x509_crt_deinit(crt);
	_cachet_buf_free(&der);
	return ret;
}


static const char *env_name(cachet_alg_id_t ct)
{
	switch (ct) {
	case CACHET_ALG_CT_ENVELOPED:
		return "EnvelopedData";
	case CACHET_ALG_CT_AUTHENVELOPED:
		return "AuthEnvelopedData";
	case CACHET_ALG_CT_ENCRYPTED:
		return "EncryptedData";
	default:
		return "?";
	}
}

static void env_reset(env_sum_t *e)
{
	_cachet_buf_free(&e->ris);
	for (int i = 0; i < ATTRS_N; i++)
		_cachet_buf_free(&e->attrs[i]);
	memset(e, 0, sizeof(*e));
	snprintf(e->cea, sizeof(e->cea), "missing");
	e->iv_len = e->icv_len = -1;
}

/* Is the node at DEPTH a direct child of the content of an encrypted
 * content type (ContentInfo SEQUENCE > [0] > SEQUENCE > here)? */
static bool in_env(const insp_t *in, unsigned depth)
{
	return in->env.ct != CACHET_ALG_NONE && depth >= 3 && in->anc[0] == 0x30 &&
	       in->anc[1] == 0xa0 && in->anc[2] == 0x30;
}

/* Which attribute set the [n] at depth 3 is, or -1. */
static int attrs_kind(const insp_t *in, uint8_t ident)
{
	if (ident == 0xa1)
		return in->env.ct == CACHET_ALG_CT_AUTHENVELOPED ? ATTRS_AUTH : ATTRS_UNPROT;
	if (ident == 0xa2 && in->env.ct == CACHET_ALG_CT_AUTHENVELOPED)
		return ATTRS_UNAUTH;
	return -1;
}

static const char *const attrs_names[ATTRS_N] = {"unprotectedAttrs", "authAttrs", "unauthAttrs"};

/* A non-negative INTEGER's value as decimal text, or hex when long. */
static void int_text(const cbuf_t *v, char *buf, size_t n)
{
	unsigned long long x = 0;
	if (v->size == 0 || v->size > 8 || (v->data[0] & 0x80)) {
		snprintf(buf, n, "?");
		return;
	}
	for (size_t i = 0; i < v->size; i++)
		x = (x << 8) | v->data[i];
	snprintf(buf, n, "%llu", x);
}

/* The next DER TLV at P (N octets left): its identifier and value;
 * advances P and N. */
static bool der_next(const uint8_t **p, size_t *n, uint8_t *ident, const uint8_t **v, size_t *vlen)
{
	size_t total;
	if (*n == 0 || _cachet_der_parse(*p, *n, ident, v, vlen, &total) < 0)
		return false;
	*p += total;
	*n -= total;
	return true;
}

static bool der_small_uint(const uint8_t *v, size_t n, unsigned long *x)
{
	if (n == 0 || n > 4 || (v[0] & 0x80))
		return false;
	*x = 0;
	for (size_t i = 0; i < n; i++)
		*x = (*x << 8) | v[i];
	return true;
}

/* Describe the contentEncryptionAlgorithm AlgorithmIdentifier DER into
 * E->cea (name) and E->cea_params (IV or nonce, ICV, RC2 version). */
static void describe_cea(env_sum_t *e, const cbuf_t *der)
{
	const uint8_t *p = der->data, *v, *seq, *pv;
	size_t n = der->size, vlen, seqlen, pn;
	uint8_t id;
	char dotted[160];

	snprintf(e->cea, sizeof(e->cea), "?");
	e->cea_params[0] = 0;
	e->iv_len = e->icv_len = -1;
	if (!der_next(&p, &n, &id, &seq, &seqlen) || id != 0x30 || n != 0)
		goto unreadable;
	p = seq;
	n = seqlen;
	if (!der_next(&p, &n, &id, &v, &vlen) || id != BER_TAG_OID ||
	    _cachet_oid_to_str(v, vlen, dotted, sizeof(dotted)) < 0)
		goto unreadable;
	const cachet_alg_t *a = _cachet_alg_by_oid(dotted);
	if (a)
		snprintf(e->cea, sizeof(e->cea), "%s (%s)", a->name, dotted);
	else
		snprintf(e->cea, sizeof(e->cea), "%s", dotted);
	if (n == 0) {
		snprintf(e->cea_params, sizeof(e->cea_params), "no parameters");
		return;
	}
	/* The parameters: one element. */
	size_t plen = n;
	if (!der_next(&p, &n, &id, &pv, &pn) || n != 0)
		goto bad_params;
	switch (a ? a->id : CACHET_ALG_NONE) {
	case CACHET_ALG_AES128_CBC:
	case CACHET_ALG_AES192_CBC:
	case CACHET_ALG_AES256_CBC:
	case CACHET_ALG_DES_EDE3_CBC:
		/* IV ::= OCTET STRING (RFC 3565 section 4.1, RFC 3370 section 5.1) */
		if (id != BER_TAG_OCTET_STRING)
			goto bad_params;
		snprintf(e->cea_params, sizeof(e->cea_params), "IV %zu bytes", pn);
		e->iv_len = (long)pn;
		return;
	case CACHET_ALG_CHACHA20_POLY1305:
		/* AEADChaCha20Poly1305Nonce ::= OCTET STRING (SIZE(12)); the tag
		 * is always 16 octets (RFC 8103 section 3) */
		if (id != BER_TAG_OCTET_STRING)
			goto bad_params;
		snprintf(e->cea_params, sizeof(e->cea_params), "nonce %zu bytes, ICV 16 bytes", pn);
		e->iv_len = (long)pn;
		e->icv_len = 16;
		return;
	case CACHET_ALG_AES128_GCM:
	case CACHET_ALG_AES192_GCM:
	case CACHET_ALG_AES256_GCM: {
		/* GCMParameters ::= SEQUENCE { aes-nonce OCTET STRING,
		 * aes-ICVlen AES-GCM-ICVlen DEFAULT 12 } (RFC 5084 section 3.2) */
		const uint8_t *q = pv, *nv, *iv;
		size_t qn = pn, nlen, ilen;
		unsigned long icv = 12;
		uint8_t nid;
		if (id != 0x30 || !der_next(&q, &qn, &nid, &nv, &nlen) || nid != BER_TAG_OCTET_STRING)
			goto bad_params;
		if (qn != 0 && (!der_next(&q, &qn, &nid, &iv, &ilen) || nid != BER_TAG_INTEGER ||
				!der_small_uint(iv, ilen, &icv) || qn != 0))
			goto bad_params;
		snprintf(e->cea_params, sizeof(e->cea_params), "nonce %zu bytes, ICV %lu bytes", nlen, icv);
		e->iv_len = (long)nlen;
		e->icv_len = (long)icv;
		return;
	}
	case CACHET_ALG_RC2_CBC: {
		/* RC2CBCParameter ::= SEQUENCE { rc2ParameterVersion INTEGER,
		 * iv OCTET STRING } (RFC 3370 section 5.2); old messages send
		 * the IV alone. */
		const uint8_t *q = pv, *rv, *iv;
		size_t qn = pn, rlen, ilen;
		unsigned long ver;
		unsigned ekb;
		uint8_t rid;
		if (id == BER_TAG_OCTET_STRING) {
			snprintf(e->cea_params, sizeof(e->cea_params), "IV %zu bytes", pn);
			e->iv_len = (long)pn;
			return;
		}
		if (id != 0x30 || !der_next(&q, &qn, &rid, &rv, &rlen) || rid != BER_TAG_INTEGER ||
		    !der_small_uint(rv, rlen, &ver) || !der_next(&q, &qn, &rid, &iv, &ilen) ||
		    rid != BER_TAG_OCTET_STRING || qn != 0)
			goto bad_params;
		e->iv_len = (long)ilen;
		if (_cachet_rc2_ekb(ver, &ekb) == 0)
			snprintf(e->cea_params, sizeof(e->cea_params),
				 "rc2ParameterVersion %lu (%u effective key bits), IV %zu bytes", ver, ekb,
				 ilen);
		else
			snprintf(e->cea_params, sizeof(e->cea_params),
				 "rc2ParameterVersion %lu, IV %zu bytes", ver, ilen);
		return;
	}
	default:
		snprintf(e->cea_params, sizeof(e->cea_params), "parameters %zu bytes", plen);
		return;
	}
bad_params:
	snprintf(e->cea_params, sizeof(e->cea_params), "parameters not as the algorithm defines them (%zu bytes)",
		 plen);
	return;
unreadable:
	snprintf(e->cea_params, sizeof(e->cea_params), "not a DER AlgorithmIdentifier");
}

static const char *ri_kind_name(cachet_ri_kind_t k)
{
	static const char *const names[] = {"ktri", "kari", "kekri", "pwri", "ori"};
	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

static const char *ri_kind_long(cachet_ri_kind_t k)
{
	static const char *const names[] = {"KeyTransRecipientInfo", "KeyAgreeRecipientInfo",
					    "KEKRecipientInfo", "PasswordRecipientInfo",
					    "OtherRecipientInfo"};
	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

/* Re-read the captured part DER at DEPTH as if it were still in the
 * stream at offset OFF. */
static int node(insp_t *in, const ber_hdr_t *h, unsigned depth, uint64_t off);
static int redump(insp_t *in, const cbuf_t *der, unsigned depth, uint64_t off)
{
	cachet_source_t *src = NULL;
	ber_reader_t saved = in->r;
	uint64_t saved_base = in->base;
	ber_hdr_t h;
	int ret;

	CHECK_RET(cachet_source_init_mem(&src, der->data, der->size));
	_cachet_ber_reader_init(&in->r, src, saved.diag);
	in->r.path = saved.path;
	in->base = off;
	CHECK(_cachet_ber_next(&in->r, &h));
	in->redump = true;
	CHECK(node(in, &h, depth, off));
cleanup:
	if (ret < 0)
		/* The reader's offsets are the part's own: say where it is. */
		_cachet_diag_push(saved.diag, ret, NULL, NULL, "in the part at byte %llu (offsets above are within it)",
				  (unsigned long long)off);
	in->redump = false;
	in->r = saved;
	in->base = saved_base;
	cachet_source_deinit(src);
	return ret;
}

/* A RecipientInfo: capture, describe through ri.h, print the description,
 * then dump its elements. */
static int recipient_info(insp_t *in, const ber_hdr_t *h, unsigned depth, uint64_t off)
{
	cbuf_t der = {0};
	cachet_diag_t *rdiag = NULL;
	cachet_ri_info_t info;
	char path[64];
	int ret;
	unsigned idx = in->env.nri++;

	CHECK(_cachet_ber_capture(&in->r, h, &der, CACHET_MAX_BOUNDED));
	CHECK(cachet_diag_init(&rdiag));
	snprintf(path, sizeof(path), "%s.recipientInfos[%u]", env_name(in->env.ct), idx);
	int dr = _cachet_ri_describe(der.data, der.size, &info, path, rdiag);
	const char *why = "";
	/* Frame 0 is the innermost: the reason itself. */
	if (dr < 0 && cachet_diag_get(rdiag, 0, NULL, NULL, NULL, &why) < 0)
		why = "";
	if (in->json) {
		cbuf_t *b = &in->annot;
		b->size = 0;
		if (dr == 0) {
			CHECK(_cachet_buf_printf(b, "\"recipientInfo\":{\"index\":%u,\"kind\":\"%s\",\"version\":%u,"
						 "\"algorithms\":", idx, ri_kind_name(info.kind), info.version));
			CHECK(_cachet_buf_json_str(b, info.alg));
			CHECK(_cachet_buf_printf(b, ",\"rid\":"));
			CHECK(_cachet_buf_json_str(b, info.rid));
			CHECK(_cachet_buf_printf(b, "}"));
		} else {
			CHECK(_cachet_buf_printf(b, "\"recipientInfo\":{\"index\":%u,\"error\":\"%s\",\"detail\":",
						 idx, cachet_strerror_name(dr)));
			CHECK(_cachet_buf_json_str(b, why));
			CHECK(_cachet_buf_printf(b, "}"));
		}
		/* The same object goes into the summary. */
		if (idx < CACHET_MAX_RECIPIENTS) {
			if (idx > 0)
				CHECK(_cachet_buf_printf(&in->env.ris, ","));
			CHECK(_cachet_buf_append(&in->env.ris, b->data + strlen("\"recipientInfo\":"),
						 b->size - strlen("\"recipientInfo\":")));
		}
	} else {
		int ind = (int)(2 * depth);
		if (dr == 0) {
			CHECK(_cachet_buf_printf(&in->line, "%8llu %*srecipientInfo[%u]: %s (%s), version %u\n",
						 (unsigned long long)off, ind, "", idx, ri_kind_long(info.kind),
						 ri_kind_name(info.kind), info.version));
			CHECK(_cachet_buf_printf(&in->line, "         %*s  algorithms %s\n", ind, "", info.alg));
			CHECK(_cachet_buf_printf(&in->line, "         %*s  for %s\n", ind, "", info.rid));
			if (idx < CACHET_MAX_RECIPIENTS) {
				CHECK(_cachet_buf_printf(&in->env.ris, "    [%u] %s, version %u\n", idx,
							 ri_kind_name(info.kind), info.version));
				CHECK(_cachet_buf_printf(&in->env.ris, "        algorithms %s\n", info.alg));
				CHECK(_cachet_buf_printf(&in->env.ris, "        for %s\n", info.rid));
			}
		} else {
			CHECK(_cachet_buf_printf(&in->line, "%8llu %*srecipientInfo[%u]: not understood: %s [%s]\n",
						 (unsigned long long)off, ind, "", idx, why,
						 cachet_strerror_name(dr)));
			if (idx < CACHET_MAX_RECIPIENTS)
				CHECK(_cachet_buf_printf(&in->env.ris, "    [%u] not understood: %s [%s]\n", idx,
							 why, cachet_strerror_name(dr)));
		}
		CHECK(flush_line(in));
	}
	CHECK(redump(in, &der, depth, off));
cleanup:
	cachet_diag_deinit(rdiag);
	_cachet_buf_free(&der);
	return ret;
}

/* The contentEncryptionAlgorithm: capture, describe, dump. */
static int content_enc_alg(insp_t *in, const ber_hdr_t *h, unsigned depth, uint64_t off)
{
	cbuf_t der = {0};
	int ret;

	CHECK(_cachet_ber_capture(&in->r, h, &der, CACHET_MAX_BOUNDED));
	describe_cea(&in->env, &der);
	CHECK(redump(in, &der, depth, off));
cleanup:
	_cachet_buf_free(&der);
	return ret;
}

/* Learn from a node below an encrypted content type before it is dumped.
 * V is the value of a primitive node read in full (else NULL), TEXT its
 * description. */
static int env_note(insp_t *in, const ber_hdr_t *h, unsigned depth, const cbuf_t *v, const char *text)
{
	env_sum_t *e = &in->env;
	uint8_t id = h->raw[0];

	if (depth == 3) {
		if (id == BER_TAG_INTEGER && v && !e->has_version) {
			e->has_version = true;
			int_text(v, e->version, sizeof(e->version));
		} else if (id == 0xa0 && e->ct != CACHET_ALG_CT_ENCRYPTED) {
			e->has_orig = true;
		} else if (id == 0x30) {
			e->has_eci = true;
		} else if (id == BER_TAG_OCTET_STRING && e->ct == CACHET_ALG_CT_AUTHENVELOPED) {
			e->has_mac = true;
			e->mac_len = h->len;
		} else if (attrs_kind(in, id) >= 0) {
			e->has_attrs[attrs_kind(in, id)] = true;
		}
		return 0;
	}
	uint8_t parent = in->anc[3];
	if (depth == 4 && parent == 0x30) {
		/* encryptedContentInfo */
		if (id == BER_TAG_OID && text)
			snprintf(e->inner_ct, sizeof(e->inner_ct), "%s", text);
		if (h->cls == BER_CONTEXT && h->tag == 0) {
			e->has_enc = true;
			if (!h->constructed)
				e->enc_size += h->len;
		}
		return 0;
	}
	if (depth == 5 && parent == 0xa0 && e->ct != CACHET_ALG_CT_ENCRYPTED) {
		/* originatorInfo: [0] certs, [1] crls */
		if (in->anc[4] == 0xa0)
			e->orig_certs++;
		else if (in->anc[4] == 0xa1)
			e->orig_crls++;
		return 0;
	}
	if (depth == 5 && in->anc[4] == 0x30 && id == BER_TAG_OID && text && attrs_kind(in, parent) >= 0) {
		/* Attribute.attrType */
		int k = attrs_kind(in, parent);
		int ret;
		if (e->nattrs[k]++)
			CHECK_RET(_cachet_buf_printf(&e->attrs[k], in->json ? "," : ", "));
		if (in->json)
			return _cachet_buf_json_str(&e->attrs[k], text);
		return _cachet_buf_printf(&e->attrs[k], "%s", text);
	}
	return 0;
}

/* Is H a certificate in originatorInfo.certs?  ContentInfo SEQUENCE > [0] >
 * SEQUENCE > [0] originatorInfo > [0] certs > SEQUENCE. */
static bool at_orig_certificate(const insp_t *in, const ber_hdr_t *h, unsigned depth)
{
	return in_env(in, depth) && in->env.ct != CACHET_ALG_CT_ENCRYPTED && depth == 5 &&
	       h->raw[0] == 0x30 && in->anc[3] == 0xa0 && in->anc[4] == 0xa0;
}

static int attrs_json(cbuf_t *b, const env_sum_t *e, int k)
{
	int ret;
	CHECK_RET(_cachet_buf_printf(b, ",\"%s\":", attrs_names[k]));
	if (!e->has_attrs[k])
		return _cachet_buf_printf(b, "null");
	/* env_note kept the names as JSON strings, comma-separated. */
	return _cachet_buf_printf(b, "[%.*s]", (int)e->attrs[k].size,
				  e->attrs[k].size ? (const char *)e->attrs[k].data : "");
}

/* The summary of an encrypted content type, after its ContentInfo. */
static int env_summary(insp_t *in)
{
	const env_sum_t *e = &in->env;
	cbuf_t *b = &in->line;
	int ret;
	bool has_ri = e->ct != CACHET_ALG_CT_ENCRYPTED;

	if (in->json) {
		CHECK_RET(_cachet_buf_printf(b, ",\"summary\":{\"contentType\":\"%s\",\"version\":%s",
					     env_name(e->ct), e->has_version ? e->version : "null"));
		if (has_ri) {
			if (e->has_orig)
				CHECK_RET(_cachet_buf_printf(b, ",\"originatorInfo\":{\"certificates\":%u,\"crls\":%u}",
							     e->orig_certs, e->orig_crls));
			else
				CHECK_RET(_cachet_buf_printf(b, ",\"originatorInfo\":null"));
			CHECK_RET(_cachet_buf_printf(b, ",\"recipientInfoCount\":%u,\"recipientInfos\":[", e->nri));
			if (e->ris.size)
				CHECK_RET(_cachet_buf_append(b, e->ris.data, e->ris.size));
			CHECK_RET(_cachet_buf_printf(b, "]"));
		}
		CHECK_RET(_cachet_buf_printf(b, ",\"encryptedContentInfo\":"));
		if (e->has_eci) {
			CHECK_RET(_cachet_buf_printf(b, "{\"contentType\":"));
			CHECK_RET(_cachet_buf_json_str(b, e->inner_ct));
			CHECK_RET(_cachet_buf_printf(b, ",\"contentEncryptionAlgorithm\":"));
			CHECK_RET(_cachet_buf_json_str(b, e->cea));
			CHECK_RET(_cachet_buf_printf(b, ",\"parameters\":"));
			CHECK_RET(_cachet_buf_json_str(b, e->cea_params));
			if (e->iv_len >= 0)
				CHECK_RET(_cachet_buf_printf(b, ",\"%s\":%ld",
							     e->icv_len >= 0 ? "nonceLength" : "ivLength", e->iv_len));
			if (e->icv_len >= 0)
				CHECK_RET(_cachet_buf_printf(b, ",\"icvLength\":%ld", e->icv_len));
			if (e->has_enc)
				CHECK_RET(_cachet_buf_printf(b, ",\"encryptedContentSize\":%llu}",
							     (unsigned long long)e->enc_size));
			else
				CHECK_RET(_cachet_buf_printf(b, ",\"encryptedContentSize\":null}"));
		} else {
			CHECK_RET(_cachet_buf_printf(b, "null"));
		}
		if (e->ct == CACHET_ALG_CT_AUTHENVELOPED) {
			CHECK_RET(attrs_json(b, e, ATTRS_AUTH));
			if (e->has_mac)
				CHECK_RET(_cachet_buf_printf(b, ",\"macSize\":%llu", (unsigned long long)e->mac_len));
			else
				CHECK_RET(_cachet_buf_printf(b, ",\"macSize\":null"));
			CHECK_RET(attrs_json(b, e, ATTRS_UNAUTH));
		} else {
			CHECK_RET(attrs_json(b, e, ATTRS_UNPROT));
		}
		return _cachet_buf_printf(b, "}");
	}

	CHECK_RET(_cachet_buf_printf(b, "%s:\n  version %s\n", env_name(e->ct),
				     e->has_version ? e->version : "missing"));
	if (has_ri) {
		if (e->has_orig)
			CHECK_RET(_cachet_buf_printf(b, "  originatorInfo: %u certificate%s, %u CRL%s\n",
						     e->orig_certs, e->orig_certs == 1 ? "" : "s", e->orig_crls,
						     e->orig_crls == 1 ? "" : "s"));
		else
			CHECK_RET(_cachet_buf_printf(b, "  originatorInfo: absent\n"));
		CHECK_RET(_cachet_buf_printf(b, "  recipientInfos: %u\n", e->nri));
		if (e->ris.size)
			CHECK_RET(_cachet_buf_append(b, e->ris.data, e->ris.size));
		if (e->nri > CACHET_MAX_RECIPIENTS)
			CHECK_RET(_cachet_buf_printf(b, "    (%u more not listed)\n",
						     e->nri - CACHET_MAX_RECIPIENTS));
	}
	if (e->has_eci) {
		CHECK_RET(_cachet_buf_printf(b, "  encryptedContentInfo:\n    contentType %s\n", e->inner_ct));
		CHECK_RET(_cachet_buf_printf(b, "    contentEncryptionAlgorithm %s\n", e->cea));
		if (e->cea_params[0])
			CHECK_RET(_cachet_buf_printf(b, "      %s\n", e->cea_params));
		if (e->has_enc)
			CHECK_RET(_cachet_buf_printf(b, "    encryptedContent %llu bytes\n",
						     (unsigned long long)e->enc_size));
		else
			CHECK_RET(_cachet_buf_printf(b, "    encryptedContent absent (detached)\n"));
	} else {
		CHECK_RET(_cachet_buf_printf(b, "  encryptedContentInfo: missing\n"));
	}
	static const int order_auth[] = {ATTRS_AUTH, ATTRS_UNAUTH};
	static const int order_plain[] = {ATTRS_UNPROT};
	const int *order = e->ct == CACHET_ALG_CT_AUTHENVELOPED ? order_auth : order_plain;
	size_t norder = e->ct == CACHET_ALG_CT_AUTHENVELOPED ? 2 : 1;
	for (size_t i = 0; i < norder; i++) {
		int k = order[i];
		if (e->has_attrs[k])
			CHECK_RET(_cachet_buf_printf(b, "  %s: %.*s\n", attrs_names[k],
						     e->nattrs[k] ? (int)e->attrs[k].size : 7,
						     e->nattrs[k] ? (const char *)e->attrs[k].data : "(empty)"));
		else
			CHECK_RET(_cachet_buf_printf(b, "  %s: absent\n", attrs_names[k]));
		if (k == ATTRS_AUTH) {
			if (e->has_mac)
				CHECK_RET(_cachet_buf_printf(b, "  mac %llu bytes\n", (unsigned long long)e->mac_len));
			else
				CHECK_RET(_cachet_buf_printf(b, "  mac: missing\n"));
		}
	}
	return 0;
}

/* ---- CompressedData (RFC 3274 section 1.1) ---------------------- */

/* Learn from a node below CompressedData (ContentInfo SEQUENCE > [0] >
 * SEQUENCE > here): version, compressionAlgorithm and its parameters,
 * eContentType and the size of eContent.  V and TEXT as for env_note. */
static void cmp_note(insp_t *in, const ber_hdr_t *h, unsigned depth, const cbuf_t *v, const char *text)
{
	struct cmp_sum_st *c = &in->cmp;
	uint8_t id = h->raw[0];

	if (!c->active || depth < 3 || in->anc[0] != 0x30 || in->anc[1] != 0xa0 || in->anc[2] != 0x30)
		return;
	if (depth == 3) {
		if (id == BER_TAG_INTEGER && v && !c->has_version) {
			c->has_version = true;
			int_text(v, c->version, sizeof(c->version));
		} else if (id == 0x30) {
			c->seqs++;
		}
		return;
	}
	if (depth == 4 && c->seqs == 1) {
		/* compressionAlgorithm */
		if (id == BER_TAG_OID && text && !c->has_alg) {
			c->has_alg = true;
			snprintf(c->alg, sizeof(c->alg), "%s", text);
		} else if (c->has_alg) {
			snprintf(c->params, sizeof(c->params), "%s",
				 id == BER_TAG_NULL && h->len == 0 ? "NULL" : "present");
		}
		return;
	}
	if (c->seqs != 2)
		return;
	/* encapContentInfo */
	if (depth == 4 && id == BER_TAG_OID && text && !c->has_ct) {
		c->has_ct = true;
		snprintf(c->ct, sizeof(c->ct), "%s", text);
	} else if (depth == 4 && h->cls == BER_CONTEXT && h->tag == 0) {
		c->has_content = true;
	} else if (depth >= 5 && c->has_content && !h->constructed && h->cls == BER_UNIVERSAL &&
		   h->tag == BER_TAG_OCTET_STRING) {
		c->size += h->len;
	}
}

/* The summary of a CompressedData, after its ContentInfo. */
static int cmp_summary(insp_t *in)
{
	const struct cmp_sum_st *c = &in->cmp;
	cbuf_t *b = &in->line;
	int ret;
	const char *params = c->params[0] ? c->params : "absent";

	if (in->json) {
		CHECK_RET(_cachet_buf_printf(b, ",\"summary\":{\"contentType\":\"CompressedData\",\"version\":%s",
					     c->has_version ? c->version : "null"));
		CHECK_RET(_cachet_buf_printf(b, ",\"compressionAlgorithm\":"));
		CHECK_RET(c->has_alg ? _cachet_buf_json_str(b, c->alg) : _cachet_buf_printf(b, "null"));
		CHECK_RET(_cachet_buf_printf(b, ",\"parameters\":\"%s\",\"eContentType\":", params));
		CHECK_RET(c->has_ct ? _cachet_buf_json_str(b, c->ct) : _cachet_buf_printf(b, "null"));
		if (c->has_content)
			return _cachet_buf_printf(b, ",\"compressedSize\":%llu}", (unsigned long long)c->size);
		return _cachet_buf_printf(b, ",\"compressedSize\":null}");
	}
	CHECK_RET(_cachet_buf_printf(b, "CompressedData:\n  version %s\n", c->has_version ? c->version : "missing"));
	CHECK_RET(_cachet_buf_printf(b, "  compressionAlgorithm %s\n    parameters %s\n",
				     c->has_alg ? c->alg : "missing", params));
	CHECK_RET(_cachet_buf_printf(b, "  encapContentInfo:\n    eContentType %s\n", c->has_ct ? c->ct : "missing"));
	if (c->has_content)
		return _cachet_buf_printf(b, "    eContent %llu bytes (compressed)\n", (unsigned long long)c->size);
	return _cachet_buf_printf(b, "    eContent absent\n");
}

static int node(insp_t *in, const ber_hdr_t *h, unsigned depth, uint64_t off)
{
	char tag[48], text[200];
	cbuf_t v = {0};
	int ret;

	if (h->cls == BER_UNIVERSAL)
		snprintf(tag, sizeof(tag), "%s", universal_name(h->tag));
	else
		snprintf(tag, sizeof(tag), "[%s%u]%s",
			 h->cls == BER_CONTEXT ? "" : h->cls == BER_APPLICATION ? "APPLICATION " : "PRIVATE ",
			 h->tag, h->constructed && h->cls != BER_UNIVERSAL ? "" : "");
	if (++in->nodes > 10000000UL)
		return CACHET_E_COUNT_LIMIT;

	bool is_redump = in->redump;
	in->redump = false;
	if (depth == 0) {
		/* A new top-level object: forget the previous one's facts. */
		in->signed_data = false;
		env_reset(&in->env);
		in->enc_depth = 0;
		memset(&in->cmp, 0, sizeof(in->cmp));
	}
	if (at_certificate(in, h, depth) || at_orig_certificate(in, h, depth)) {
		if (at_orig_certificate(in, h, depth))
			in->env.orig_certs++;
		return certificate(in, h, depth, off);
	}
	bool below_env = in_env(in, depth);
	if (below_env && !is_redump) {
		/* RecipientInfos SET > RecipientInfo; encryptedContentInfo >
		 * contentEncryptionAlgorithm. */
		if (depth == 4 && in->anc[3] == 0x31 && in->env.ct != CACHET_ALG_CT_ENCRYPTED)
			return recipient_info(in, h, depth, off);
		if (depth == 4 && in->anc[3] == 0x30 && h->raw[0] == 0x30)
			return content_enc_alg(in, h, depth, off);
	}
	text[0] = 0;
	bool consumed = false;
	if (!h->constructed && h->len <= 4096) {
		CHECK_RET(_cachet_ber_read_value(&in->r, h, &v, 4096));
		describe(h, &v, text, sizeof(text));
		consumed = true;
		/* The outer ContentInfo's contentType decides what follows. */
		if (depth == 1 && h->raw[0] == BER_TAG_OID && in->anc[0] == 0x30) {
			char dotted[160];
			const cachet_alg_t *a = NULL;
			if (_cachet_oid_to_str(v.data, v.size, dotted, sizeof(dotted)) == 0)
				a = _cachet_alg_by_oid(dotted);
			cachet_alg_id_t ct = a ? a->id : CACHET_ALG_NONE;
			in->signed_data = ct == CACHET_ALG_CT_SIGNED;
			if (ct == CACHET_ALG_CT_ENVELOPED || ct == CACHET_ALG_CT_AUTHENVELOPED ||
			    ct == CACHET_ALG_CT_ENCRYPTED)
				in->env.ct = ct;
			in->cmp.active = ct == CACHET_ALG_CT_COMPRESSED;
		}
	}
	cmp_note(in, h, depth, consumed ? &v : NULL, text[0] ? text : NULL);
	if (below_env)
		CHECK(env_note(in, h, depth, consumed ? &v : NULL, text[0] ? text : NULL));
	if (in->enc_depth && depth >= in->enc_depth && !h->constructed)
		in->env.enc_size += h->len;
	if (in->json) {
		CHECK(_cachet_buf_printf(&in->line, "%s{\"offset\":%llu,\"tag\":", depth ? "" : "",
					 (unsigned long long)off));
		CHECK(_cachet_buf_json_str(&in->line, tag));
		if (h->indefinite)
			CHECK(_cachet_buf_printf(&in->line, ",\"length\":null"));
		else
			CHECK(_cachet_buf_printf(&in->line, ",\"length\":%llu", (unsigned long long)h->len));
		if (text[0]) {
			CHECK(_cachet_buf_printf(&in->line, ",\"value\":"));
			CHECK(_cachet_buf_json_str(&in->line, text));
		}
		if (is_redump && in->annot.size) {
			CHECK(_cachet_buf_printf(&in->line, ","));
			CHECK(_cachet_buf_append(&in->line, in->annot.data, in->annot.size));
			in->annot.size = 0;
		}
	} else {
		CHECK(_cachet_buf_printf(&in->line, "%8llu %*s%s", (unsigned long long)off, (int)(2 * depth), "",
					 tag));
		if (h->indefinite)
			CHECK(_cachet_buf_printf(&in->line, " (indefinite)"));
		else
			CHECK(_cachet_buf_printf(&in->line, " (%llu bytes)", (unsigned long long)h->len));
		if (text[0])
			CHECK(_cachet_buf_printf(&in->line, " %s", text));
		CHECK(_cachet_buf_printf(&in->line, "\n"));
	}
	if (h->constructed) {
		bool first = true;
		if (in->json)
			CHECK(_cachet_buf_printf(&in->line, ",\"children\":["));
		CHECK(flush_line(in));
		CHECK(_cachet_ber_enter(&in->r, h));
		if (depth <= CACHET_MAX_DEPTH)
			in->anc[depth] = h->raw[0];
		/* encryptedContent [0] IMPLICIT OCTET STRING, constructed: its
		 * segments add up to the size. */
		bool enc_here = below_env && depth == 4 && in->anc[3] == 0x30 && h->cls == BER_CONTEXT &&
				h->tag == 0 && in->enc_depth == 0;
		if (enc_here)
			in->enc_depth = depth + 1;
		for (;;) {
			ber_hdr_t c;
			uint64_t coff = in->base + _cachet_source_offset(in->r.src);
			ret = _cachet_ber_next(&in->r, &c);
			if (ret == CACHET_E_END)
				break;
			CHECK(ret);
			if (in->json && !first)
				CHECK(_cachet_buf_printf(&in->line, ","));
			first = false;
			CHECK(node(in, &c, depth + 1, coff));
		}
		CHECK(_cachet_ber_leave(&in->r));
		if (enc_here)
			in->enc_depth = 0;
		if (in->json)
			CHECK(_cachet_buf_printf(&in->line, "]"));
	} else if (!consumed) {
		CHECK(_cachet_ber_skip(&in->r, h));
	}
	if (depth == 0 && in->env.ct != CACHET_ALG_NONE) {
		if (!in->json)
			CHECK(flush_line(in));
		CHECK(env_summary(in));
	}
	if (depth == 0 && in->cmp.active) {
		if (!in->json)
			CHECK(flush_line(in));
		CHECK(cmp_summary(in));
	}
	if (in->json)
		CHECK(_cachet_buf_printf(&in->line, "}"));
	ret = flush_line(in);
cleanup:
	_cachet_buf_free(&v);
	return ret;
}

int cachet_inspect(cachet_source_t *in, cachet_sink_t *out, unsigned flags,
		   cachet_diag_t *diag)
{
	insp_t st;
	cachet_source_t *src = NULL;
	int ret;
	bool first = true;

	if (in == NULL || out == NULL)
		return CACHET_E_INVALID_ARG;
	memset(&st, 0, sizeof(st));
	st.out = out;
	st.json = (flags & CACHET_INSPECT_JSON) != 0;
	CHECK(_cachet_source_autodetect(&src, in, diag));
	_cachet_ber_reader_init(&st.r, src, diag);
	if (st.json)
		CHECK(_cachet_buf_printf(&st.line, "["));
	for (;;) {
		ber_hdr_t h;
		uint64_t off = _cachet_source_offset(src);
		ret = _cachet_ber_next(&st.r, &h);
		if (ret == CACHET_E_END)
			break;
		CHECK(ret);
		if (st.json && !first)
			CHECK(_cachet_buf_printf(&st.line, ","));
		first = false;
		CHECK(node(&st, &h, 0, off));
	}
	if (st.json)
		CHECK(_cachet_buf_printf(&st.line, "]\n"));
	CHECK(flush_line(&st));
	ret = cachet_sink_flush(out);
cleanup:
	_cachet_buf_free(&st.line);
	_cachet_buf_free(&st.annot);
	env_reset(&st.env);
	if (src != in)
		cachet_source_deinit(src);
	return ret;
}
