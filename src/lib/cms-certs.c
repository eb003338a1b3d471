/* cms-certs.c -- certificates-only messages: the "degenerate" SignedData
 * with no signers that carries certificates and/or CRLs (RFC 8551 section
 * 3.8 "Creating a Certificate Management Message"; RFC 5652 sections 5.1
 * and 5.2), made and taken apart.
 *
 * Making: every certificate and CRL is read and checked through GnuTLS,
 * duplicates are dropped, and the whole ContentInfo is written as DER
 * (definite lengths; the certificates and crls SET OFs sorted as X.690
 * section 11.6 requires) -- a certificates-only message is small, so it
 * is built in memory, then written to the sink (optionally PEM "CMS").
 *
 * Extracting: any SignedData (certificates-only or signed, BER, DER or
 * PEM) is walked by the streaming BER reader.  The eContent of a signed
 * message is skipped without being held, SignerInfos are only counted
 * (and their version read); each certificate and CRL is captured bounded
 * and checked.  What a strict reader would object to -- signerInfos,
 * eContent, a version that is not the one RFC 5652 section 5.1 computes,
 * a set that is not in DER order -- is recorded as a finding, never a
 * failure: the certificates are what the caller asked for.
 */
#include "ber.h"
#include "crypto.h"
#include "pki.h"
#include "tasn1.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdlib.h>
#include <time.h>

#define RULE_SD "RFC 5652 section 5.1"
#define RULE_ECI "RFC 5652 section 5.2"
#define RULE_CO "RFC 8551 section 3.8"
#define RULE_SET "X.690 section 11.6"

/* Limits of this module (the shared ones are in internal.h). */
#define CACHET_MAX_CRLS 64	      /* CRLs in one message */
#define CACHET_MAX_CERT_CHOICES 512   /* certificate set elements of any kind */
#define CACHET_MAX_DIGEST_ALGS 64     /* digestAlgorithms elements read */
#define CACHET_MAX_FINDINGS 32	      /* findings kept per extraction */
#define FINDING_DETAIL 256

/* ================================================================== */
/* Making                                                              */
/* ================================================================== */

static const char *ct_oid(cachet_alg_id_t id)
{
	const cachet_alg_t *a = _cachet_alg_by_id(id);
	return a ? a->oid : "0.0";
}

typedef struct {
	cbuf_t *der;
	size_t n;
	size_t total; /* bytes held, bounded by CACHET_MAX_BOUNDED */
	cachet_diag_t *diag;
	const char *path;
	int err;
} crlset_t;

static void crlset_free(crlset_t *s)
{
	for (size_t i = 0; i < s->n; i++)
		_cachet_buf_free(&s->der[i]);
	free(s->der);
	s->der = NULL;
	s->n = 0;
}

/* Check one DER CertificateList (RFC 5280 section 5.1) with GnuTLS and
 * keep it unless the same bytes are already there. */
static int crlset_add_der(crlset_t *s, const uint8_t *der, size_t len)
{
	cachet_diag_t *diag = s->diag;
	gnutls_x509_crl_t crl = NULL;
	int ret;

	if (len > UINT32_MAX || gnutls_x509_crl_init(&crl) < 0)
		return CACHET_E_NOMEM;
	gnutls_datum_t d = {(unsigned char *)(uintptr_t)der, (unsigned)len};
	int r = gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_DER);
	gnutls_x509_crl_deinit(crl);
	ENSURE(r >= 0, CACHET_E_MALFORMED, "RFC 5280 section 5.1", s->path, "CRL not readable: %s",
	       gnutls_strerror(r));
	for (size_t i = 0; i < s->n; i++)
		if (s->der[i].size == len && memcmp(s->der[i].data, der, len) == 0)
			return 0; /* a duplicate */
	ENSURE(s->n < CACHET_MAX_CRLS, CACHET_E_COUNT_LIMIT, NULL, s->path, "more than %d CRLs",
	       CACHET_MAX_CRLS);
	ENSURE(_cachet_add_ok(s->total, len, CACHET_MAX_BOUNDED), CACHET_E_SIZE_LIMIT, NULL, s->path,
	       "the CRLs together exceed %u bytes", CACHET_MAX_BOUNDED);
	cbuf_t *grown = realloc(s->der, (s->n + 1) * sizeof(*grown));
	ENSURE(grown != NULL, CACHET_E_NOMEM, NULL, NULL, "out of memory");
	s->der = grown;
	memset(&s->der[s->n], 0, sizeof(s->der[s->n]));
	CHECK(_cachet_buf_append(&s->der[s->n], der, len));
	s->n++;
	s->total += len;
	ret = 0;
cleanup:
	return ret;
}

static int crl_pem_block(void *opaque, const char *label, const uint8_t *der, size_t len)
{
	crlset_t *s = opaque;
	(void)label;
	return s->err = crlset_add_der(s, der, len);
}

/* One input: PEM with one or more "X509 CRL" blocks (RFC 7468 section
 * 6), or one DER CertificateList. */
static int crlset_add(crlset_t *s, const uint8_t *data, size_t len)
{
	cachet_diag_t *diag = s->diag;
	int ret;

	if (_cachet_is_pem(data, len)) {
		static const char *const labels[] = {"X509 CRL", NULL};
		s->err = 0;
		int n = _cachet_pem_each(data, len, labels, crl_pem_block, s);
		if (n < 0 && s->err < 0)
			return s->err; /* explained by crlset_add_der */
		ENSURE(n != CACHET_E_BAD_PEM, n, "RFC 7468", s->path, "malformed PEM armour");
		CHECK(n);
		ENSURE(n > 0, CACHET_E_MALFORMED, "RFC 7468 section 6", s->path, "no X509 CRL block found");
		return 0;
	}
	return crlset_add_der(s, data, len);
cleanup:
	return ret;
}

int cachet_certs_make(const cachet_datum_t *certs, size_t ncerts,
		      const cachet_datum_t *crls, size_t ncrls,
		      cachet_sink_t *out, unsigned flags, cachet_diag_t *diag)
{
	cachet_certset_t set = {0};
	crlset_t cs = {0};
	cbuf_t msg = {0}, *el = NULL;
	size_t nel = 0, total = 0;
	cachet_sink_t *pem = NULL, *dst = out;
	int ret;

	if (out == NULL || (ncerts && certs == NULL) || (ncrls && crls == NULL) ||
	    (flags & ~CACHET_CERTS_PEM))
		return CACHET_E_INVALID_ARG;
	cs.diag = diag;
	cs.path = "crls";
	for (size_t i = 0; i < ncerts; i++) {
		ENSURE(certs[i].data != NULL || certs[i].size == 0, CACHET_E_INVALID_ARG, NULL,
		       "certificates", "input %zu has no data", i);
		CHECK(_cachet_certset_add(&set, certs[i].data, certs[i].size, "certificates", diag));
	}
	for (size_t i = 0; i < ncrls; i++) {
		ENSURE(crls[i].data != NULL || crls[i].size == 0, CACHET_E_INVALID_ARG, NULL, "crls",
		       "input %zu has no data", i);
		CHECK(crlset_add(&cs, crls[i].data, crls[i].size));
	}
	/* RFC 8551 section 3.8: the message transports certificates and/or
	 * CRLs; one with neither says nothing. */
	ENSURE(set.n > 0 || cs.n > 0, CACHET_E_INVALID_ARG, RULE_CO, "certificates",
	       "no certificate or CRL was given");

	/* Each certificate once: byte-equal duplicates collapse. */
	el = _cachet_calloc(set.n ? set.n : 1, sizeof(*el));
	ENSURE(el != NULL, CACHET_E_NOMEM, NULL, NULL, "out of memory");
	for (size_t i = 0; i < set.n; i++) {
		bool is_dup = false;
		for (size_t j = 0; j < nel && !is_dup; j++)
			is_dup = el[j].size == set.der[i].size &&
				 memcmp(el[j].data, set.der[i].data, el[j].size) == 0;
		if (is_dup)
			continue;
		ENSURE(_cachet_add_ok(total, set.der[i].size, CACHET_MAX_BOUNDED), CACHET_E_SIZE_LIMIT,
		       NULL, "certificates", "the certificates together exceed %u bytes",
		       CACHET_MAX_BOUNDED);
		total += set.der[i].size;
		CHECK(_cachet_buf_append(&el[nel++], set.der[i].data, set.der[i].size));
	}

	/* SignedData (RFC 5652 section 5.1).  version 1: only X.509
	 * certificates and CRLs, no SignerInfo, eContentType id-data. */
	CHECK(_cachet_der_small_uint(&msg, 1));
	CHECK(_cachet_buf_append(&msg, "\x31\x00", 2)); /* digestAlgorithms: none */
	/* RFC 5652 section 5.2: with no signers the eContentType MUST be
	 * id-data and eContent MUST be omitted (RFC 8551 section 3.8 step 1).
	 * [rfc8551-3.8-econtent-absent] */
	size_t eci = msg.size;
	CHECK(_cachet_der_oid(&msg, ct_oid(CACHET_ALG_CT_DATA)));
	CHECK(_cachet_der_wrap(&msg, eci, 0x30));
	/* certificates [0] IMPLICIT and crls [1] IMPLICIT, DER SET OF. */
	if (nel > 0)
		CHECK(_cachet_der_set_of(&msg, 0xa0, el, nel));
	if (cs.n > 0)
		CHECK(_cachet_der_set_of(&msg, 0xa1, cs.der, cs.n));
	/* signerInfos: empty (RFC 8551 section 3.8 step 1).
	 * [rfc8551-3.8-signerinfos-empty] */
	CHECK(_cachet_buf_append(&msg, "\x31\x00", 2));
	CHECK(_cachet_der_wrap(&msg, 0, 0x30));
	CHECK(_cachet_der_wrap(&msg, 0, 0xa0));
	/* ContentInfo (RFC 5652 section 3; RFC 8551 section 3.8 step 2). */
	cbuf_t ci = {0};
	ret = _cachet_der_oid(&ci, ct_oid(CACHET_ALG_CT_SIGNED));
	if (ret == 0)
		ret = _cachet_buf_append(&ci, msg.data, msg.size);
	if (ret == 0)
		ret = _cachet_der_wrap(&ci, 0, 0x30);
	_cachet_buf_free(&msg);
	msg = ci;
	CHECK(ret);

	if (flags & CACHET_CERTS_PEM) {
		CHECK(_cachet_sink_init_pem(&pem, out, "CMS"));
		dst = pem;
	}
	CHECK(_cachet_sink_write(dst, msg.data, msg.size));
	CHECK(_cachet_sink_finish(dst));
	ret = 0;
cleanup:
	if (el) {
		for (size_t i = 0; i < nel; i++)
			_cachet_buf_free(&el[i]);
		free(el);
	}
	cachet_sink_deinit(pem);
	_cachet_buf_free(&msg);
	_cachet_certset_free(&set);
	crlset_free(&cs);
	return ret;
}

/* ================================================================== */
/* Extracting                                                          */
/* ================================================================== */

typedef struct {
	char name[32];
	int code;
	const char *rule;
	char detail[FINDING_DETAIL];
} finding_t;

struct cachet_certs_st {
	cachet_certset_t certs;
	crlset_t crls;
	size_t nsigners;
	finding_t findings[CACHET_MAX_FINDINGS];
	size_t nfindings;
	size_t dropped; /* findings beyond CACHET_MAX_FINDINGS */
};

__attribute__((format(printf, 5, 6))) static void finding(cachet_certs_t *c, const char *name,
							   int code, const char *rule,
							   const char *fmt, ...)
{
	if (c->nfindings == CACHET_MAX_FINDINGS) {
		c->dropped++;
		return;
	}
	finding_t *f = &c->findings[c->nfindings++];
	va_list ap;
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->code = code;
	f->rule = rule;
	va_start(ap, fmt);
	vsnprintf(f->detail, sizeof(f->detail), fmt, ap);
	va_end(ap);
}

void cachet_certs_deinit(cachet_certs_t *c)
{
	if (c == NULL)
		return;
	_cachet_certset_free(&c->certs);
	crlset_free(&c->crls);
	free(c);
}

/* X.690 section 11.6: the encodings compared as octet strings, the
 * shorter padded at its end with zero octets. */
static int set_order(const cbuf_t *a, const cbuf_t *b)
{
	size_t m = a->size < b->size ? a->size : b->size;
	int r = memcmp(a->data, b->data, m);
	if (r != 0)
		return r;
	const cbuf_t *l = a->size > b->size ? a : b;
	for (size_t i = m; i < l->size; i++)
		if (l->data[i] != 0)
			return l == a ? 1 : -1;
	return 0;
}

/* True when the N captured elements are in DER SET OF order. */
static bool is_set_ordered(const cbuf_t *el, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (set_order(&el[i - 1], &el[i]) > 0)
			return false;
	return true;
}

/* A captured certificate: DER as GnuTLS wants it, or (when a sender used
 * BER, e.g. indefinite lengths) re-encoded through the schema first. */
static int take_certificate(cachet_certs_t *c, const cbuf_t *enc, size_t idx,
			    cachet_diag_t *diag)
{
	char path[64];
	asn1_node node = NULL;
	cbuf_t der = {0};
	int ret;

	snprintf(path, sizeof(path), "SignedData.certificates[%zu]", idx);
	for (size_t i = 0; i < c->certs.n; i++)
		if (c->certs.der[i].size == enc->size &&
		    memcmp(c->certs.der[i].data, enc->data, enc->size) == 0) {
			finding(c, "duplicate-certificate", 0, RULE_SET,
				"certificate %zu repeats an earlier one; kept once", idx);
			return 0;
		}
	if (_cachet_certset_add_der(&c->certs, enc->data, enc->size, path, NULL) == 0)
		return 0;
	ENSURE(c->certs.n < CACHET_MAX_CERTS, CACHET_E_COUNT_LIMIT, RULE_SD, path,
	       "more than %d certificates", CACHET_MAX_CERTS);
	/* Not DER as it stands: decode as BER and re-encode. */
	ret = _cachet_asn1_decode("CachetCMS.Certificate", enc->data, enc->size, false, &node, path,
				  "RFC 5280 section 4.1", diag);
	if (ret == 0)
		ret = _cachet_asn1_encode(node, "", &der);
	_cachet_asn1_delete(&node, false);
	CHECK(ret);
	CHECK(_cachet_certset_add_der(&c->certs, der.data, der.size, path, diag));
	finding(c, "certificate-encoding", 0, "RFC 5280 section 4.1",
		"certificate %zu is BER, not DER; taken as re-encoded", idx);
cleanup:
	_cachet_buf_free(&der);
	return ret;
}

/* What the SignedData said, for the version rule. */
typedef struct {
	unsigned version;
	bool has_other_cert, has_v1_attr, has_v2_attr, has_other_crl, has_v3_signer;
	bool has_econtent;
	bool certs_not_der, crls_not_der;
	char ect[128];
	size_t ndigests;
} sd_facts_t;

/* certificates [0] IMPLICIT CertificateSet (RFC 5652 section 10.2.1). */
static int read_cert_set(cachet_certs_t *c, ber_reader_t *r, const ber_hdr_t *set,
			 sd_facts_t *f, cachet_diag_t *diag)
{
	cbuf_t *el = NULL;
	size_t n = 0, total = 0;
	ber_hdr_t h;
	int ret;

	r->path = "SignedData.certificates";
	f->certs_not_der |= !set->is_der;
	el = _cachet_calloc(CACHET_MAX_CERT_CHOICES, sizeof(*el));
	ENSURE(el != NULL, CACHET_E_NOMEM, NULL, NULL, "out of memory");
	CHECK(_cachet_ber_enter(r, set));
	for (;;) {
		ret = _cachet_ber_next(r, &h);
		if (ret == CACHET_E_END)
			break;
		CHECK(ret);
		ENSURE(n < CACHET_MAX_CERT_CHOICES, CACHET_E_COUNT_LIMIT, RULE_SD,
		       "SignedData.certificates", "more than %d elements in the certificate set",
		       CACHET_MAX_CERT_CHOICES);
		f->certs_not_der |= !h.is_der;
		CHECK(_cachet_ber_capture(r, &h, &el[n], CACHET_MAX_BOUNDED));
		ENSURE(_cachet_add_ok(total, el[n].size, CACHET_MAX_BOUNDED), CACHET_E_SIZE_LIMIT, RULE_SD,
		       "SignedData.certificates", "the certificate set exceeds %u bytes", CACHET_MAX_BOUNDED);
		total += el[n].size;
		n++;
		if (ber_is(&h, BER_UNIVERSAL, true, BER_TAG_SEQUENCE)) {
			CHECK(take_certificate(c, &el[n - 1], n - 1, diag));
			continue;
		}
		/* The other CertificateChoices (RFC 5652 section 10.2.2). */
		ENSURE(h.cls == BER_CONTEXT && h.constructed && h.tag <= 3, CACHET_E_MALFORMED,
		       "RFC 5652 section 10.2.2", "SignedData.certificates",
		       "element %zu (identifier 0x%02x) is not a CertificateChoices alternative", n - 1,
		       h.raw[0]);
		static const char *const what[] = {"an extendedCertificate (PKCS #6, obsolete)",
						   "a version 1 attribute certificate",
						   "a version 2 attribute certificate",
						   "an other-format certificate"};
		finding(c, "other-certificate", 0, "RFC 5652 section 10.2.2",
			"element %zu is %s; not extracted", n - 1, what[h.tag]);
		f->has_v1_attr |= h.tag == 1;
		f->has_v2_attr |= h.tag == 2;
		f->has_other_cert |= h.tag == 3;
	}
	CHECK(_cachet_ber_leave(r));
	if (!is_set_ordered(el, n))
		finding(c, "certificates-order", 0, RULE_SET,
			"the certificate set is not in DER SET OF order (sorted by encoding)");
	ret = 0;
cleanup:
	if (el) {
		/* n + 1: a capture that failed half-way holds bytes too. */
		for (size_t i = 0; i <= n && i < CACHET_MAX_CERT_CHOICES; i++)
			_cachet_buf_free(&el[i]);
		free(el);
	}
	return ret;
}

/* crls [1] IMPLICIT RevocationInfoChoices (RFC 5652 section 10.2.1). */
static int read_crl_set(cachet_certs_t *c, ber_reader_t *r, const ber_hdr_t *set,
			sd_facts_t *f, cachet_diag_t *diag)
{
	cbuf_t *el = NULL;
	size_t n = 0;
	ber_hdr_t h;
	int ret;

	r->path = "SignedData.crls";
	f->crls_not_der |= !set->is_der;
	c->crls.diag = diag;
	c->crls.path = "SignedData.crls";
	el = _cachet_calloc(CACHET_MAX_CRLS, sizeof(*el));
	ENSURE(el != NULL, CACHET_E_NOMEM, NULL, NULL, "out of memory");
	CHECK(_cachet_ber_enter(r, set));
	for (;;) {
		ret = _cachet_ber_next(r, &h);
		if (ret == CACHET_E_END)
			break;
		CHECK(ret);
		ENSURE(n < CACHET_MAX_CRLS, CACHET_E_COUNT_LIMIT, RULE_SD, "SignedData.crls",
		       "more than %d revocation entries", CACHET_MAX_CRLS);
		f->crls_not_der |= !h.is_der;
		CHECK(_cachet_ber_capture(r, &h, &el[n++], CACHET_MAX_BOUNDED));
		if (ber_is(&h, BER_UNIVERSAL, true, BER_TAG_SEQUENCE)) {
			CHECK(crlset_add_der(&c->crls, el[n - 1].data, el[n - 1].size));
			continue;
		}
		ENSURE(ber_is(&h, BER_CONTEXT, true, 1), CACHET_E_MALFORMED, "RFC 5652 section 10.2.1",
		       "SignedData.crls", "element %zu (identifier 0x%02x) is not a RevocationInfoChoice",
		       n - 1, h.raw[0]);
		finding(c, "other-revocation-info", 0, "RFC 5652 section 10.2.1",
			"element %zu is an OtherRevocationInfoFormat; not extracted", n - 1);
		f->has_other_crl = true;
	}
	CHECK(_cachet_ber_leave(r));
	if (!is_set_ordered(el, n))
		finding(c, "crls-order", 0, RULE_SET,
			"the CRL set is not in DER SET OF order (sorted by encoding)");
	ret = 0;
cleanup:
	if (el) {
		for (size_t i = 0; i < n; i++)
			_cachet_buf_free(&el[i]);
		free(el);
	}
	return ret;
}

/* An OBJECT IDENTIFIER element into dotted text. */
static int read_oid(ber_reader_t *r, const char *what, char *buf, size_t n)
{
	ber_hdr_t h;
	cbuf_t v = {0};
	int ret = _cachet_ber_expect(r, &h, BER_UNIVERSAL, false, BER_TAG_OID, what);
	if (ret == 0)
		ret = _cachet_ber_read_value(r, &h, &v, 64);
	if (ret == 0) {
		ret = _cachet_oid_to_str(v.data, v.size, buf, n);
		if (ret < 0)
			_cachet_diag_push(r->diag, ret, what, "X.690 section 8.19",
					  "not a valid OBJECT IDENTIFIER");
	}
	_cachet_buf_free(&v);
	return ret;
}

/* Skip every remaining element of the current constructed element. */
static int skip_rest(ber_reader_t *r)
{
	ber_hdr_t h;
	int ret;
	while ((ret = _cachet_ber_next(r, &h)) == 0)
		CHECK_RET(_cachet_ber_skip(r, &h));
	return ret == CACHET_E_END ? 0 : ret;
}

/* signerInfos (RFC 5652 section 5.3): counted, each one's version read,
 * the rest skipped. */
static int read_signer_infos(cachet_certs_t *c, ber_reader_t *r, sd_facts_t *f,
			     cachet_diag_t *diag)
{
	ber_hdr_t h;
	cbuf_t v = {0};
	int ret;

	r->path = "SignedData.signerInfos";
	CHECK(_cachet_ber_next_required(r, &h, "SignedData.signerInfos", RULE_SD));
	ENSURE(ber_is(&h, BER_UNIVERSAL, true, BER_TAG_SET), CACHET_E_MALFORMED, RULE_SD,
	       "SignedData.signerInfos", "expected the signerInfos SET, found identifier 0x%02x",
	       h.raw[0]);
	CHECK(_cachet_ber_enter(r, &h));
	for (;;) {
		ret = _cachet_ber_next(r, &h);
		if (ret == CACHET_E_END)
			break;
		CHECK(ret);
		ENSURE(c->nsigners < CACHET_MAX_SIGNERS, CACHET_E_COUNT_LIMIT, RULE_SD,
		       "SignedData.signerInfos", "more than %d SignerInfos", CACHET_MAX_SIGNERS);
		ENSURE(ber_is(&h, BER_UNIVERSAL, true, BER_TAG_SEQUENCE), CACHET_E_MALFORMED,
		       "RFC 5652 section 5.3", "SignedData.signerInfos", "a SignerInfo must be a SEQUENCE");
		c->nsigners++;
		CHECK(_cachet_ber_enter(r, &h));
		CHECK(_cachet_ber_expect(r, &h, BER_UNIVERSAL, false, BER_TAG_INTEGER,
					 "SignerInfo.version"));
		_cachet_buf_free(&v);
		CHECK(_cachet_ber_read_value(r, &h, &v, 8));
		f->has_v3_signer |= v.size == 1 && v.data[0] == 3;
		CHECK(skip_rest(r));
		CHECK(_cachet_ber_leave(r));
	}
	CHECK(_cachet_ber_leave(r));
	ret = 0;
cleanup:
	_cachet_buf_free(&v);
	return ret;
}

/* The findings a strict reader owes once the whole SignedData is read. */
static void judge(cachet_certs_t *c, const sd_facts_t *f)
{
	bool is_data = strcmp(f->ect, ct_oid(CACHET_ALG_CT_DATA)) == 0;
	/* RFC 5652 section 5.1, the version computation. */
	unsigned want = 1;
	if (f->has_other_cert || f->has_other_crl)
		want = 5;
	else if (f->has_v2_attr)
		want = 4;
	else if (f->has_v1_attr || f->has_v3_signer || !is_data)
		want = 3;
	if (f->version != want)
		finding(c, "signed-data-version", CACHET_E_BAD_VERSION, RULE_SD,
			"SignedData version is %u; section 5.1 computes %u for this content", f->version,
			want);
	if (c->nsigners > 0) {
		finding(c, "signer-infos", 0, RULE_CO,
			"the SignedData has %zu SignerInfo%s: a signed message, not certificates-only "
			"(signatures not verified)",
			c->nsigners, c->nsigners == 1 ? "" : "s");
		return;
	}
	/* Certificates-only (RFC 8551 section 3.8 step 1; RFC 5652 section
	 * 5.2, the degenerate case). */
	if (f->has_econtent)
		finding(c, "econtent", CACHET_E_MALFORMED, RULE_CO,
			"a certificates-only message carries eContent; it MUST be absent (skipped unread)");
	if (!is_data)
		finding(c, "econtent-type", CACHET_E_MALFORMED, RULE_ECI,
			"with no signers the eContentType MUST be id-data, not %s", _cachet_oid_name(f->ect));
	if (f->ndigests > 0)
		finding(c, "digest-algorithms", 0, RULE_SD,
			"digestAlgorithms lists %zu algorithm%s though nothing is signed", f->ndigests,
			f->ndigests == 1 ? "" : "s");
	if (f->certs_not_der || f->crls_not_der)
		finding(c, "encoding", 0, "X.690 section 10.1",
			"the %s set uses BER lengths (indefinite or not minimal), not DER",
			f->certs_not_der ? "certificate" : "CRL");
	if (c->certs.n == 0 && c->crls.n == 0)
		finding(c, "empty", 0, RULE_CO, "the message carries no certificate and no CRL");
}

int cachet_certs_extract(cachet_certs_t **out, cachet_source_t *in, cachet_diag_t *diag)
{
	cachet_certs_t *c = NULL;
	cachet_source_t *src = NULL;
	ber_reader_t r;
	ber_hdr_t h;
	cbuf_t v = {0};
	sd_facts_t f;
	char oid[128];
	int ret;

	if (out == NULL || in == NULL)
		return CACHET_E_INVALID_ARG;
	*out = NULL;
	memset(&f, 0, sizeof(f));
	c = _cachet_calloc(1, sizeof(*c));
	ENSURE(c != NULL, CACHET_E_NOMEM, NULL, NULL, "out of memory");
	CHECK(_cachet_source_autodetect(&src, in, diag));
	_cachet_ber_reader_init(&r, src, diag);

	/* ContentInfo (RFC 5652 section 3). */
	r.path = "ContentInfo";
	CHECK(_cachet_ber_expect(&r, &h, BER_UNIVERSAL, true, BER_TAG_SEQUENCE, "ContentInfo"));
	CHECK(_cachet_ber_enter(&r, &h));
	CHECK(read_oid(&r, "ContentInfo.contentType", oid, sizeof(oid)));
	ENSURE(strcmp(oid, ct_oid(CACHET_ALG_CT_SIGNED)) == 0, CACHET_E_UNSUPPORTED_CONTENT,
	       "RFC 5652 section 3", "ContentInfo.contentType",
	       "content type %s is not SignedData; only SignedData carries a certificate set",
	       _cachet_oid_name(oid));
	CHECK(_cachet_ber_expect(&r, &h, BER_CONTEXT, true, 0, "ContentInfo.content"));
	CHECK(_cachet_ber_enter(&r, &h));

	/* SignedData (RFC 5652 section 5.1). */
	r.path = "SignedData";
	CHECK(_cachet_ber_expect(&r, &h, BER_UNIVERSAL, true, BER_TAG_SEQUENCE, "SignedData"));
	CHECK(_cachet_ber_enter(&r, &h));
	CHECK(_cachet_ber_expect(&r, &h, BER_UNIVERSAL, false, BER_TAG_INTEGER, "SignedData.version"));
	CHECK(_cachet_ber_read_value(&r, &h, &v, 8));
	f.version = v.size == 1 ? v.data[0] : 255;
	r.path = "SignedData.digestAlgorithms";
	CHECK(_cachet_ber_expect(&r, &h, BER_UNIVERSAL, true, BER_TAG_SET,
				 "SignedData.digestAlgorithms"));
	CHECK(_cachet_ber_enter(&r, &h));
	while ((ret = _cachet_ber_next(&r, &h)) == 0) {
		ENSURE(f.ndigests < CACHET_MAX_DIGEST_ALGS, CACHET_E_COUNT_LIMIT, RULE_SD,
		       "SignedData.digestAlgorithms", "more than %d digest algorithms",
		       CACHET_MAX_DIGEST_ALGS);
		f.ndigests++;
		CHECK(_cachet_ber_skip(&r, &h));
	}
	ENSURE(ret == CACHET_E_END, ret, NULL, NULL, "reading digestAlgorithms failed");
	CHECK(_cachet_ber_leave(&r));

	/* encapContentInfo (section 5.2): the eContent, of whatever size, is
	 * skipped as it streams past. */
	r.path = "SignedData.encapContentInfo";
	CHECK(_cachet_ber_expect(&r, &h, BER_UNIVERSAL, true, BER_TAG_SEQUENCE,
				 "SignedData.encapContentInfo"));
	CHECK(_cachet_ber_enter(&r, &h));
	CHECK(read_oid(&r, "SignedData.encapContentInfo.eContentType", f.ect, sizeof(f.ect)));
	ret = _cachet_ber_next(&r, &h);
	if (ret == 0) {
		ENSURE(ber_is(&h, BER_CONTEXT, true, 0), CACHET_E_MALFORMED, RULE_ECI,
		       "SignedData.encapContentInfo.eContent",
		       "expected [0] eContent, found identifier 0x%02x", h.raw[0]);
		f.has_econtent = true;
		CHECK(_cachet_ber_skip(&r, &h));
		CHECK(_cachet_ber_leave(&r));
	} else if (ret == CACHET_E_END) {
		CHECK(_cachet_ber_leave(&r));
	} else {
		goto cleanup;
	}

	/* certificates [0], crls [1] (both OPTIONAL), then signerInfos. */
	r.path = "SignedData";
	CHECK(_cachet_ber_next_required(&r, &h, "SignedData.signerInfos", RULE_SD));
	if (ber_is(&h, BER_CONTEXT, true, 0)) {
		CHECK(read_cert_set(c, &r, &h, &f, diag));
		CHECK(_cachet_ber_next_required(&r, &h, "SignedData.signerInfos", RULE_SD));
	}
	if (ber_is(&h, BER_CONTEXT, true, 1)) {
		CHECK(read_crl_set(c, &r, &h, &f, diag));
		CHECK(_cachet_ber_next_required(&r, &h, "SignedData.signerInfos", RULE_SD));
	}
	CHECK(_cachet_ber_unread(&r, &h));
	CHECK(read_signer_infos(c, &r, &f, diag));
	r.path = "SignedData";
	CHECK(_cachet_ber_leave(&r)); /* SignedData */
	CHECK(_cachet_ber_leave(&r)); /* [0] */
	CHECK(_cachet_ber_leave(&r)); /* ContentInfo */
	CHECK(_cachet_ber_expect_eof(&r));

	judge(c, &f);
	*out = c;
	c = NULL;
	ret = 0;
cleanup:
	cachet_certs_deinit(c);
	if (src != in)
		cachet_source_deinit(src);
	_cachet_buf_free(&v);
	return ret;
}

size_t cachet_certs_count(const cachet_certs_t *c)
{
	return c ? c->certs.n : 0;
}

int cachet_certs_get(const cachet_certs_t *c, size_t i, cachet_datum_t *der)
{
	if (c == NULL || der == NULL || i >= c->certs.n)
		return CACHET_E_INVALID_ARG;
	der->data = c->certs.der[i].data;
	der->size = c->certs.der[i].size;
	return 0;
}

size_t cachet_certs_crl_count(const cachet_certs_t *c)
{
	return c ? c->crls.n : 0;
}

int cachet_certs_crl_get(const cachet_certs_t *c, size_t i, cachet_datum_t *der)
{
	if (c == NULL || der == NULL || i >= c->crls.n)
		return CACHET_E_INVALID_ARG;
	der->data = c->crls.der[i].data;
	der->size = c->crls.der[i].size;
	return 0;
}

size_t cachet_certs_signer_count(const cachet_certs_t *c)
{
	return c ? c->nsigners : 0;
}

size_t cachet_certs_finding_count(const cachet_certs_t *c)
{
	return c ? c->nfindings : 0;
}

int cachet_certs_finding_get(const cachet_certs_t *c, size_t i, const char **name, int *code,
			     const char **rule, const char **detail)
{
	if (c == NULL || i >= c->nfindings)
		return CACHET_E_INVALID_ARG;
	const finding_t *f = &c->findings[i];
	if (name)
		*name = f->name;
	if (code)
		*code = f->code;
	if (rule)
		*rule = f->rule ? f->rule : "";
	if (detail)
		*detail = f->detail;
	return 0;
}

/* ---- description ---- */

static int hex(cbuf_t *b, const uint8_t *p, size_t n, const char *sep)
{
	int ret = 0;
	for (size_t i = 0; i < n && ret == 0; i++)
		ret = _cachet_buf_printf(b, "%s%02x", i && sep ? sep : "", p[i]);
	return ret;
}

typedef struct {
	char subject[512], issuer[512], nb[32], na[32];
	uint8_t serial[64];
	size_t serial_len;
	uint8_t fpr[32];
} crt_info_t;

static int crt_info(gnutls_x509_crt_t crt, const cbuf_t *der, crt_info_t *ci)
{
	gnutls_datum_t dn = {NULL, 0};
	int ret;

	memset(ci, 0, sizeof(*ci));
	snprintf(ci->subject, sizeof(ci->subject), "(unreadable)");
	snprintf(ci->issuer, sizeof(ci->issuer), "(unreadable)");
	if (gnutls_x509_crt_get_dn3(crt, &dn, 0) >= 0 && dn.data)
		snprintf(ci->subject, sizeof(ci->subject), "%s", (const char *)dn.data);
	gnutls_free(dn.data);
	dn.data = NULL;
	if (gnutls_x509_crt_get_issuer_dn3(crt, &dn, 0) >= 0 && dn.data)
		snprintf(ci->issuer, sizeof(ci->issuer), "%s", (const char *)dn.data);
	gnutls_free(dn.data);
	ci->serial_len = sizeof(ci->serial);
	if (gnutls_x509_crt_get_serial(crt, ci->serial, &ci->serial_len) < 0)
		ci->serial_len = 0;
	_cachet_time_str(gnutls_x509_crt_get_activation_time(crt), ci->nb, sizeof(ci->nb));
	_cachet_time_str(gnutls_x509_crt_get_expiration_time(crt), ci->na, sizeof(ci->na));
	CHECK_RET(_cachet_hash_once(CACHET_ALG_SHA256, der->data, der->size, ci->fpr));
	return 0;
}

static int describe_text(const cachet_certs_t *c, cbuf_t *b)
{
	int ret;
	CHECK_RET(_cachet_buf_printf(b, "%s: %zu certificate%s, %zu CRL%s, %zu SignerInfo%s\n",
				     c->nsigners ? "SignedData" : "certificates-only SignedData",
				     c->certs.n, c->certs.n == 1 ? "" : "s", c->crls.n,
				     c->crls.n == 1 ? "" : "s", c->nsigners, c->nsigners == 1 ? "" : "s"));
	for (size_t i = 0; i < c->certs.n; i++) {
		crt_info_t ci;
		CHECK_RET(crt_info(c->certs.crt[i], &c->certs.der[i], &ci));
		CHECK_RET(_cachet_buf_printf(b, "certificate %zu\n  subject:    %s\n  issuer:     %s\n"
					     "  serial:     ",
					     i + 1, ci.subject, ci.issuer));
		CHECK_RET(hex(b, ci.serial, ci.serial_len, NULL));
		CHECK_RET(_cachet_buf_printf(b, "\n  not before: %s\n  not after:  %s\n  sha256:     ",
					     ci.nb, ci.na));
		CHECK_RET(hex(b, ci.fpr, sizeof(ci.fpr), ":"));
		CHECK_RET(_cachet_buf_printf(b, "\n"));
	}
	for (size_t i = 0; i < c->crls.n; i++) {
		uint8_t fpr[32];
		CHECK_RET(_cachet_hash_once(CACHET_ALG_SHA256, c->crls.der[i].data, c->crls.der[i].size,
					    fpr));
		CHECK_RET(_cachet_buf_printf(b, "crl %zu\n  sha256:     ", i + 1));
		CHECK_RET(hex(b, fpr, sizeof(fpr), ":"));
		CHECK_RET(_cachet_buf_printf(b, "\n"));
	}
	for (size_t i = 0; i < c->nfindings; i++)
		CHECK_RET(_cachet_buf_printf(b, "finding %s: %s (%s)\n", c->findings[i].name,
					     c->findings[i].detail, c->findings[i].rule));
	return 0;
}

static int json_kv(cbuf_t *b, const char *k, const char *v, bool is_last)
{
	int ret;
	CHECK_RET(_cachet_buf_json_str(b, k));
	CHECK_RET(_cachet_buf_printf(b, ": "));
	CHECK_RET(_cachet_buf_json_str(b, v));
	return _cachet_buf_printf(b, "%s", is_last ? "" : ", ");
}

static int describe_json(const cachet_certs_t *c, cbuf_t *b)
{
	int ret;
	CHECK_RET(_cachet_buf_printf(b, "{\"certs_only\": %s, \"signer_infos\": %zu, \"certificates\": [",
				     c->nsigners ? "false" : "true", c->nsigners));
	for (size_t i = 0; i < c->certs.n; i++) {
		crt_info_t ci;
		cbuf_t h = {0};
		CHECK_RET(crt_info(c->certs.crt[i], &c->certs.der[i], &ci));
		CHECK_RET(_cachet_buf_printf(b, "%s{", i ? ", " : ""));
		ret = json_kv(b, "subject", ci.subject, false);
		if (ret == 0)
			ret = json_kv(b, "issuer", ci.issuer, false);
		if (ret == 0)
			ret = hex(&h, ci.serial, ci.serial_len, NULL);
		if (ret == 0)
			ret = json_kv(b, "serial", h.data ? (char *)h.data : "", false);
		if (ret == 0)
			ret = json_kv(b, "not_before", ci.nb, false);
		if (ret == 0)
			ret = json_kv(b, "not_after", ci.na, false);
		_cachet_buf_free(&h);
		if (ret == 0)
			ret = hex(&h, ci.fpr, sizeof(ci.fpr), NULL);
		if (ret == 0)
			ret = json_kv(b, "sha256", (char *)h.data, true);
		_cachet_buf_free(&h);
		CHECK_RET(ret);
		CHECK_RET(_cachet_buf_printf(b, "}"));
	}
	CHECK_RET(_cachet_buf_printf(b, "], \"crls\": ["));
	for (size_t i = 0; i < c->crls.n; i++) {
		uint8_t fpr[32];
		cbuf_t h = {0};
		CHECK_RET(_cachet_hash_once(CACHET_ALG_SHA256, c->crls.der[i].data, c->crls.der[i].size,
					    fpr));
		ret = hex(&h, fpr, sizeof(fpr), NULL);
		if (ret == 0)
			ret = _cachet_buf_printf(b, "%s{", i ? ", " : "");
		if (ret == 0)
			ret = json_kv(b, "sha256", (char *)h.data, true);
		_cachet_buf_free(&h);
		CHECK_RET(ret);
		CHECK_RET(_cachet_buf_printf(b, "}"));
	}
	CHECK_RET(_cachet_buf_printf(b, "], \"findings\": ["));
	for (size_t i = 0; i < c->nfindings; i++) {
		const finding_t *f = &c->findings[i];
		CHECK_RET(_cachet_buf_printf(b, "%s{", i ? ", " : ""));
		CHECK_RET(json_kv(b, "name", f->name, false));
		CHECK_RET(json_kv(b, "code", f->code ? cachet_strerror_name(f->code) : "", false));
		CHECK_RET(json_kv(b, "rule", f->rule ? f->rule : "", false));
		CHECK_RET(json_kv(b, "detail", f->detail, true));
		CHECK_RET(_cachet_buf_printf(b, "}"));
	}
	return _cachet_buf_printf(b, "]}\n");
}

int cachet_certs_describe(const cachet_certs_t *c, unsigned flags, cachet_datum_t *out)
{
	cbuf_t b = {0};
	int ret;

	if (c == NULL || out == NULL || (flags & ~CACHET_INSPECT_JSON))
		return CACHET_E_INVALID_ARG;
	ret = (flags & CACHET_INSPECT_JSON) ? describe_json(c, &b) : describe_text(c, &b);
	if (ret == 0)
		ret = _cachet_buf_append(&b, "", 1); /* NUL, not counted */
	if (ret < 0) {
		_cachet_buf_free(&b);
		return ret;
	}
	out->data = b.data;
	out->size = b.size - 1;
	return 0;
}

/* ---- writing the extracted objects ---- */

static int write_pem(cachet_sink_t *out, const char *label, const cbuf_t *der)
{
	cachet_sink_t *pem = NULL;
	int ret = _cachet_sink_init_pem(&pem, out, label);
	if (ret == 0)
		ret = _cachet_sink_write(pem, der->data, der->size);
	if (ret == 0)
		ret = _cachet_sink_finish(pem);
	cachet_sink_deinit(pem);
	return ret;
}

int cachet_certs_write(const cachet_certs_t *c, cachet_sink_t *out, unsigned flags,
		       cachet_diag_t *diag)
{
	int ret;

	if (c == NULL || out == NULL || (flags & ~(CACHET_CERTS_PEM | CACHET_CERTS_WITH_CRLS)))
		return CACHET_E_INVALID_ARG;
	if (!(flags & CACHET_CERTS_PEM)) {
		/* DER has no way to put several objects in one file. */
		size_t n = c->certs.n + ((flags & CACHET_CERTS_WITH_CRLS) ? c->crls.n : 0);
		ENSURE(n == 1, CACHET_E_INVALID_ARG, NULL, "certificates",
		       "DER output holds exactly one object, and there are %zu; use PEM", n);
		const cbuf_t *one = c->certs.n ? &c->certs.der[0] : &c->crls.der[0];
		CHECK(_cachet_sink_write(out, one->data, one->size));
		return cachet_sink_flush(out);
	}
	/* RFC 7468 sections 5 and 6: CERTIFICATE and X509 CRL blocks. */
	for (size_t i = 0; i < c->certs.n; i++)
		CHECK(write_pem(out, "CERTIFICATE", &c->certs.der[i]));
	if (flags & CACHET_CERTS_WITH_CRLS)
		for (size_t i = 0; i < c->crls.n; i++)
			CHECK(write_pem(out, "X509 CRL", &c->crls.der[i]));
	ret = cachet_sink_flush(out);
cleanup:
	return ret;
}
