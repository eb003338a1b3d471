/* pki-validate.c -- the signer certificate's validation, one named check
 * per rule (STYLE 11):
 *
 *   certificate-path                 RFC 5280 section 6.1 (names, signatures, trust)
 *   certificate-validity             RFC 5280 sections 4.1.2.5, 6.1.3 (a)(2)
 *   certificate-basic-constraints    RFC 5280 sections 4.2.1.9, 6.1.4 (k)-(n); RFC 8550 section 4.4.1
 *   certificate-key-usage            RFC 8550 section 4.4.2
 *   certificate-extended-key-usage   RFC 8550 section 4.4.4
 *   certificate-key-size             RFC 8550 sections 4.3 and 6
 *   certificate-critical-extensions  RFC 5280 section 4.2, 6.1.4 (o)
 *   certificate-email                RFC 8550 section 3, RFC 8398
 *   certificate-revocation           RFC 5280 sections 5.3, 6.3; RFC 6960; RFC 8550 section 4.1
 *
 * GnuTLS checks names, signatures and trust through a trust list; the
 * rules it would fold into one status word (basic constraints, unknown
 * critical extensions, validity, revocation) are switched off there and
 * checked here, each on its own, so every failure names its cause.  CRLs
 * and OCSP responses are read with gnutls_x509_crl_* and
 * gnutls_ocsp_resp_* at the chosen validation time (the trust list's own
 * CRL check uses the current time and reports no date or reason).  No
 * network access is attempted: revocation comes from the CRLs and OCSP
 * responses the caller gives. */
#include "pki-validate.h"
#include "ber.h"
#include "crypto.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/ocsp.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#define R_PATH "RFC 5280 section 6.1"
#define R_VALIDITY "RFC 5280 section 4.1.2.5"
#define R_BC "RFC 5280 section 4.2.1.9"
#define R_KU "RFC 8550 section 4.4.2"
#define R_EKU "RFC 8550 section 4.4.4"
#define R_KEYSIZE "RFC 8550 section 4.3"
#define R_CRIT "RFC 5280 section 4.2"
#define R_EMAIL "RFC 8550 section 3"
#define R_REV "RFC 5280 section 6.3"

#define OID_EKU_EMAIL "1.3.6.1.5.5.7.3.4"
#define OID_EKU_ANY "2.5.29.37.0"

/* The smallest public keys accepted without the legacy policy (RFC 8550
 * section 4.3: RSA 2048 to 4096 bits MUST be supported; section 6: keys
 * under 2048 bits are weak). */
#define MIN_RSA_BITS 2048
#define MIN_DSA_BITS 2048
#define MIN_EC_BITS 256

/* ------------------------------------------------------------------ */
/* The settings */

void _cachet_valset_free(_cachet_valset_t *vs)
{
	for (size_t i = 0; i < vs->ncrl; i++)
		_cachet_buf_free(&vs->crl[i]);
	for (size_t i = 0; i < vs->nocsp; i++)
		_cachet_buf_free(&vs->ocsp[i]);
	free(vs->crl);
	free(vs->ocsp);
	free(vs->email);
	memset(vs, 0, sizeof(*vs));
}

static int push_buf(cbuf_t **list, size_t *n, size_t *cap, const uint8_t *p, size_t len)
{
	if (*n == *cap) {
		if (*n >= CACHET_MAX_CERTS)
			return CACHET_E_COUNT_LIMIT;
		size_t c = *cap ? *cap * 2 : 4;
		cbuf_t *l = realloc(*list, c * sizeof(*l));
		if (l == NULL)
			return CACHET_E_NOMEM;
		*list = l;
		*cap = c;
	}
	cbuf_t b = {0};
	int ret = _cachet_buf_append(&b, p, len);
	if (ret < 0)
		return ret;
	(*list)[(*n)++] = b;
	return 0;
}

/* One DER TLV spanning exactly LEN octets (GnuTLS accepts some truncated
 * or padded encodings; RFC 5280 section 5.1 and RFC 6960 section 4.2.1
 * define DER structures, so nothing may follow or be missing). */
static bool is_one_tlv(const uint8_t *der, size_t len)
{
	const uint8_t *v;
	size_t vl, tot;
	uint8_t id;
	return _cachet_der_parse(der, len, &id, &v, &vl, &tot) == 0 && id == 0x30 && tot == len;
}

static int add_crl_der(_cachet_valset_t *vs, const uint8_t *der, size_t len, cachet_diag_t *diag)
{
	gnutls_x509_crl_t crl;
	gnutls_datum_t d = {(unsigned char *)(uintptr_t)der, (unsigned)len};
	if (len > 0x7fffffffu)
		return CACHET_E_SIZE_LIMIT;
	if (gnutls_x509_crl_init(&crl) < 0)
		return CACHET_E_NOMEM;
	int r = is_one_tlv(der, len) ? gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_DER)
				     : GNUTLS_E_ASN1_DER_ERROR;
	gnutls_x509_crl_deinit(crl);
	if (r < 0) {
		_cachet_diag_push(diag, CACHET_E_MALFORMED, "CRL", "RFC 5280 section 5.1",
				  "the CRL cannot be read: %s", gnutls_strerror(r));
		return CACHET_E_MALFORMED;
	}
	int ret = push_buf(&vs->crl, &vs->ncrl, &vs->crlcap, der, len);
	if (ret == CACHET_E_COUNT_LIMIT)
		_cachet_diag_push(diag, ret, "CRL", NULL, "more than %d CRLs", CACHET_MAX_CERTS);
	return ret;
}

typedef struct {
	_cachet_valset_t *vs;
	cachet_diag_t *diag;
	bool is_ocsp;
} pem_ctx_t;

static int add_pem_block(void *opaque, const char *label, const uint8_t *der, size_t len)
{
	pem_ctx_t *c = opaque;
	(void)label;
	if (c->is_ocsp)
		return _cachet_valset_add_ocsp(c->vs, der, len, c->diag);
	return add_crl_der(c->vs, der, len, c->diag);
}

int _cachet_valset_add_crl(_cachet_valset_t *vs, const uint8_t *data, size_t len,
			   cachet_diag_t *diag)
{
	if (_cachet_is_pem(data, len)) {
		static const char *const labels[] = {"X509 CRL", NULL};
		pem_ctx_t c = {vs, diag, false};
		int n = _cachet_pem_each(data, len, labels, add_pem_block, &c);
		if (n == 0) {
			_cachet_diag_push(diag, CACHET_E_MALFORMED, "CRL", "RFC 7468 section 6",
					  "no X509 CRL block found");
			return CACHET_E_MALFORMED;
		}
		return n < 0 ? n : 0;
	}
	return add_crl_der(vs, data, len, diag);
}

int _cachet_valset_add_ocsp(_cachet_valset_t *vs, const uint8_t *data, size_t len,
			    cachet_diag_t *diag)
{
	if (_cachet_is_pem(data, len)) {
		static const char *const labels[] = {"OCSP RESPONSE", NULL};
		pem_ctx_t c = {vs, diag, true};
		int n = _cachet_pem_each(data, len, labels, add_pem_block, &c);
		if (n == 0) {
			_cachet_diag_push(diag, CACHET_E_MALFORMED, "OCSPResponse", "RFC 6960 section 4.2.1",
					  "no OCSP RESPONSE block found");
			return CACHET_E_MALFORMED;
		}
		return n < 0 ? n : 0;
	}
	if (len > 0x7fffffffu)
		return CACHET_E_SIZE_LIMIT;
	gnutls_ocsp_resp_t resp;
	gnutls_datum_t d = {(unsigned char *)(uintptr_t)data, (unsigned)len};
	if (gnutls_ocsp_resp_init(&resp) < 0)
		return CACHET_E_NOMEM;
	int r = is_one_tlv(data, len) ? gnutls_ocsp_resp_import(resp, &d) : GNUTLS_E_ASN1_DER_ERROR;
	gnutls_ocsp_resp_deinit(resp);
	if (r < 0) {
		_cachet_diag_push(diag, CACHET_E_MALFORMED, "OCSPResponse", "RFC 6960 section 4.2.1",
				  "the OCSP response cannot be read: %s", gnutls_strerror(r));
		return CACHET_E_MALFORMED;
	}
	int ret = push_buf(&vs->ocsp, &vs->nocsp, &vs->ocspcap, data, len);
	if (ret == CACHET_E_COUNT_LIMIT)
		_cachet_diag_push(diag, ret, "OCSPResponse", NULL, "more than %d OCSP responses",
				  CACHET_MAX_CERTS);
	return ret;
}

int _cachet_valset_set_email(_cachet_valset_t *vs, const char *addr)
{
	char *copy = NULL;
	if (addr && (copy = _cachet_strdup(addr)) == NULL)
		return CACHET_E_NOMEM;
	free(vs->email);
	vs->email = copy;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Helpers */

static bool is_self_issued(gnutls_x509_crt_t c)
{
	return gnutls_x509_crt_check_issuer(c, c) != 0;
}

static const char *reason_name(unsigned r)
{
	/* CRLReason, RFC 5280 section 5.3.1 (7 is not used). */
	static const char *const names[] = {
		"unspecified", "keyCompromise", "cACompromise", "affiliationChanged",
		"superseded", "cessationOfOperation", "certificateHold", "7",
		"removeFromCRL", "privilegeWithdrawn", "aACompromise",
	};
	return r < sizeof(names) / sizeof(names[0]) ? names[r] : "unknown reason";
}

/* Serial numbers compare as integers: skip a leading 00 sign octet. */
static void strip_sign(const uint8_t **p, size_t *n)
{
	while (*n > 1 && (*p)[0] == 0 && ((*p)[1] & 0x80)) {
		(*p)++;
		(*n)--;
	}
}

static bool same_serial(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	strip_sign(&a, &al);
	strip_sign(&b, &bl);
	return al == bl && memcmp(a, b, al) == 0;
}

/* The reasonCode entry extension (RFC 5280 section 5.3.1) of the
 * revokedCertificates entry for SERIAL in the CRL DER; -1 when the entry
 * has none.  The CRL was read by GnuTLS already; this walks its DER for
 * the one field GnuTLS does not expose. */
static int crl_reason(const cbuf_t *der, const uint8_t *serial, size_t slen)
{
	static const uint8_t oid_reason[] = {0x06, 0x03, 0x55, 0x1d, 0x15};
	const uint8_t *v, *p, *ev;
	size_t vl, tot, left, evl, et;
	uint8_t id;

	if (_cachet_der_parse(der->data, der->size, &id, &v, &vl, &tot) < 0 || /* CertificateList */
	    _cachet_der_parse(v, vl, &id, &p, &left, &tot) < 0)		 /* tbsCertList */
		return -1;
	/* version?, signature, issuer, thisUpdate, nextUpdate?,
	 * revokedCertificates?, [0] crlExtensions? */
	while (left) {
		if (_cachet_der_parse(p, left, &id, &ev, &evl, &et) < 0)
			return -1;
		p += et;
		left -= et;
		if (id != 0x30 || evl == 0)
			continue;
		/* A SEQUENCE whose first element is a SEQUENCE holding an
		 * INTEGER is revokedCertificates (signature and issuer hold an
		 * OID and SETs). */
		const uint8_t *ent = ev, *iv;
		size_t entl = evl, ivl, it;
		uint8_t iid;
		if (_cachet_der_parse(ent, entl, &iid, &iv, &ivl, &it) < 0 || iid != 0x30)
			continue;
		const uint8_t *sv;
		size_t svl, st;
		if (_cachet_der_parse(iv, ivl, &iid, &sv, &svl, &st) < 0 || iid != 0x02)
			continue;
		while (entl) {
			const uint8_t *rv, *q;
			size_t rvl, rt, ql, qt;
			if (_cachet_der_parse(ent, entl, &iid, &rv, &rvl, &rt) < 0)
				return -1;
			ent += rt;
			entl -= rt;
			/* userCertificate */
			const uint8_t *sn;
			size_t snl;
			if (_cachet_der_parse(rv, rvl, &iid, &sn, &snl, &qt) < 0 || iid != 0x02)
				return -1;
			if (!same_serial(sn, snl, serial, slen))
				continue;
			q = rv + qt;
			ql = rvl - qt;
			/* revocationDate */
			if (_cachet_der_parse(q, ql, &iid, &sn, &snl, &qt) < 0)
				return -1;
			q += qt;
			ql -= qt;
			if (ql == 0)
				return -1;
			/* crlEntryExtensions: SEQUENCE OF Extension */
			const uint8_t *xv;
			size_t xvl;
			if (_cachet_der_parse(q, ql, &iid, &xv, &xvl, &qt) < 0 || iid != 0x30)
				return -1;
			while (xvl) {
				const uint8_t *e, *ep;
				size_t el, epl, ept;
				if (_cachet_der_parse(xv, xvl, &iid, &e, &el, &qt) < 0)
					return -1;
				xv += qt;
				xvl -= qt;
				if (el < sizeof(oid_reason) || memcmp(e, oid_reason, sizeof(oid_reason)) != 0)
					continue;
				e += sizeof(oid_reason);
				el -= sizeof(oid_reason);
				if (_cachet_der_parse(e, el, &iid, &ep, &epl, &ept) < 0)
					return -1;
				if (iid == 0x01) { /* critical BOOLEAN */
					e += ept;
					el -= ept;
					if (_cachet_der_parse(e, el, &iid, &ep, &epl, &ept) < 0)
						return -1;
				}
				if (iid != 0x04) /* extnValue OCTET STRING */
					return -1;
				const uint8_t *en;
				size_t enl, ent2;
				if (_cachet_der_parse(ep, epl, &iid, &en, &enl, &ent2) < 0 || iid != 0x0a ||
				    enl != 1)
					return -1;
				return en[0];
			}
			return -1;
		}
		return -1;
	}
	return -1;
}

/* ------------------------------------------------------------------ */
/* The path */

typedef struct {
	gnutls_x509_crt_t chain[CACHET_MAX_CHAIN]; /* leaf first, anchor not included */
	size_t len;
	gnutls_x509_crt_t anchor; /* NULL when none was found */
	bool is_anchor_owned;	  /* a copy from the system store */
	gnutls_x509_trust_list_t tl;
	bool is_system_loaded;
	int system_count;
} path_t;

static int load_trust(path_t *ph, const _cachet_vparams_t *p)
{
	if (gnutls_x509_trust_list_init(&ph->tl, 0) < 0)
		return CACHET_E_NOMEM;
	for (size_t i = 0; p->trust && i < p->trust->n; i++) {
		gnutls_x509_crt_t copy;
		gnutls_datum_t d = {p->trust->der[i].data, (unsigned)p->trust->der[i].size};
		if (gnutls_x509_crt_init(&copy) < 0)
			return CACHET_E_NOMEM;
		if (gnutls_x509_crt_import(copy, &d, GNUTLS_X509_FMT_DER) < 0 ||
		    gnutls_x509_trust_list_add_cas(ph->tl, &copy, 1, 0) != 1)
			gnutls_x509_crt_deinit(copy);
	}
	if (p->vs && p->vs->is_system_trust) {
		ph->system_count = gnutls_x509_trust_list_add_system_trust(ph->tl, 0, 0);
		ph->is_system_loaded = true;
	}
	/* CRLs stay out of the trust list: its revocation check ignores
	 * the chosen validation time and gives neither date nor reason;
	 * check_revocation reads them with GnuTLS's CRL functions instead. */
	return 0;
}

static gnutls_x509_crt_t find_anchor(path_t *ph, const _cachet_vparams_t *p, gnutls_x509_crt_t last)
{
	for (size_t i = 0; p->trust && i < p->trust->n; i++)
		if (gnutls_x509_crt_equals(p->trust->crt[i], last) ||
		    gnutls_x509_crt_check_issuer(last, p->trust->crt[i]))
			return p->trust->crt[i];
	if (ph->is_system_loaded) {
		gnutls_x509_crt_t iss = NULL;
		if (gnutls_x509_trust_list_get_issuer(ph->tl, last, &iss, GNUTLS_TL_GET_COPY) == 0 && iss) {
			ph->is_anchor_owned = true;
			return iss;
		}
	}
	return NULL;
}

/* Leaf -> ... until a trust anchor issues the last one (RFC 5280 section
 * 6.1: the path is built here, GnuTLS checks it). */
static void build(path_t *ph, const _cachet_vparams_t *p, gnutls_x509_crt_t leaf)
{
	ph->chain[ph->len++] = leaf;
	for (;;) {
		gnutls_x509_crt_t last = ph->chain[ph->len - 1];
		ph->anchor = find_anchor(ph, p, last);
		if (ph->anchor || is_self_issued(last))
			break;
		gnutls_x509_crt_t next = NULL;
		for (size_t i = 0; p->pool && i < p->pool->n && !next; i++) {
			bool is_used = false;
			for (size_t j = 0; j < ph->len; j++)
				is_used |= gnutls_x509_crt_equals(ph->chain[j], p->pool->crt[i]) != 0;
			if (!is_used && gnutls_x509_crt_check_issuer(last, p->pool->crt[i]))
				next = p->pool->crt[i];
		}
		if (next == NULL || ph->len >= CACHET_MAX_CHAIN)
			break;
		ph->chain[ph->len++] = next;
	}
}

/* The issuer of chain[i]: the next certificate, or the anchor. */
static gnutls_x509_crt_t issuer_of(const path_t *ph, size_t i)
{
	return i + 1 < ph->len ? ph->chain[i + 1] : ph->anchor;
}

#define CK(name, st, code, rule, ...)                                          \
	do {                                                                   \
		if (_cachet_report_check(rep, rs, (name), (st), (code), (rule), __VA_ARGS__) < 0) \
			return CACHET_E_NOMEM;                                 \
	} while (0)

static int check_path(path_t *ph, const _cachet_vparams_t *p, cachet_report_t *rep,
		      report_signer_t *rs)
{
	char who[300];
	if (ph->anchor == NULL) {
		_cachet_crt_describe(ph->chain[ph->len - 1], who, sizeof(who));
		if ((p->trust == NULL || p->trust->n == 0) && !ph->is_system_loaded)
			CK("certificate-path", CACHET_CHECK_FAIL, CACHET_E_CERT_UNTRUSTED, R_PATH,
			   "untrusted: no trust anchor was given (--trust, --system-trust)");
		else if (is_self_issued(ph->chain[ph->len - 1]))
			CK("certificate-path", CACHET_CHECK_FAIL, CACHET_E_CERT_UNTRUSTED, R_PATH,
			   "untrusted root: the path ends at self-signed %s, which is not a trust anchor", who);
		else
			CK("certificate-path", CACHET_CHECK_FAIL, CACHET_E_CERT_UNTRUSTED, R_PATH,
			   "untrusted: no trust anchor or given certificate issued %s", who);
		return 0;
	}
	/* Names, signatures, name constraints and trust through GnuTLS; the
	 * other rules are separate checks below. */
	unsigned flags = GNUTLS_VERIFY_DISABLE_TIME_CHECKS | GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS |
			 GNUTLS_VERIFY_DISABLE_CA_SIGN | GNUTLS_VERIFY_IGNORE_UNKNOWN_CRIT_EXTENSIONS |
			 GNUTLS_VERIFY_DISABLE_CRL_CHECKS;
	if (p->policy & CACHET_POLICY_ALLOW_SHA1)
		flags |= GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1 | GNUTLS_VERIFY_ALLOW_BROKEN |
			 GNUTLS_VERIFY_ALLOW_SIGN_RSA_MD5;
	unsigned status = 0;
	int r = gnutls_x509_trust_list_verify_crt(ph->tl, ph->chain, (unsigned)ph->len, flags, &status, NULL);
	if (r < 0) {
		CK("certificate-path", CACHET_CHECK_FAIL, CACHET_E_CERT_UNTRUSTED, R_PATH,
		   "path validation failed: %s", gnutls_strerror(r));
		return 0;
	}
	if (status != 0) {
		gnutls_datum_t out = {NULL, 0};
		gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &out, 0);
		int code = (status & GNUTLS_CERT_INSECURE_ALGORITHM) ? CACHET_E_WEAK_ALGORITHM
								      : CACHET_E_CERT_UNTRUSTED;
		CK("certificate-path", CACHET_CHECK_FAIL, code, R_PATH, "%s",
		   out.data ? (char *)out.data : "the path does not verify");
		gnutls_free(out.data);
		return 0;
	}
	_cachet_crt_describe(ph->anchor, who, sizeof(who));
	CK("certificate-path", CACHET_CHECK_PASS, 0, R_PATH, "path of %zu certificate%s to trust anchor %s%s",
	   ph->len, ph->len == 1 ? "" : "s", who, ph->is_anchor_owned ? " (system trust store)" : "");
	return 0;
}

static int check_validity(const path_t *ph, const _cachet_vparams_t *p, cachet_report_t *rep,
			  report_signer_t *rs)
{
	char who[300], t[32], at[32];
	_cachet_time_str(p->at, at, sizeof(at));
	for (size_t i = 0; i <= ph->len; i++) {
		gnutls_x509_crt_t c = i < ph->len ? ph->chain[i] : ph->anchor;
		if (c == NULL)
			break;
		time_t nb = gnutls_x509_crt_get_activation_time(c);
		time_t na = gnutls_x509_crt_get_expiration_time(c);
		if (nb == (time_t)-1 || na == (time_t)-1) {
			_cachet_crt_describe(c, who, sizeof(who));
			CK("certificate-validity", CACHET_CHECK_FAIL, CACHET_E_BAD_CERT, R_VALIDITY,
			   "the validity period of %s cannot be read", who);
			return 0;
		}
		if (p->at < nb) {
			_cachet_crt_describe(c, who, sizeof(who));
			_cachet_time_str(nb, t, sizeof(t));
			CK("certificate-validity", CACHET_CHECK_FAIL, CACHET_E_CERT_NOT_YET_VALID, R_VALIDITY,
			   "not yet valid: %s is valid from %s, the validation time is %s", who, t, at);
			return 0;
		}
		if (p->at > na) {
			_cachet_crt_describe(c, who, sizeof(who));
			_cachet_time_str(na, t, sizeof(t));
			CK("certificate-validity", CACHET_CHECK_FAIL, CACHET_E_CERT_EXPIRED, R_VALIDITY,
			   "expired: %s was valid until %s, the validation time is %s", who, t, at);
			return 0;
		}
	}
	CK("certificate-validity", CACHET_CHECK_PASS, 0, R_VALIDITY,
	   "every certificate in the path is valid at %s", at);
	return 0;
}

/* RFC 5280 section 6.1.4 (k), (l), (m), (n) for every intermediate CA
 * certificate (the trust anchor's own constraints are not processed,
 * section 6.1.1 (d)). */
static int check_basic_constraints(const path_t *ph, cachet_report_t *rep, report_signer_t *rs)
{
	char who[300];
	if (ph->anchor == NULL) {
		CK("certificate-basic-constraints", CACHET_CHECK_SKIP, 0, R_BC, "no path to a trust anchor");
		return 0;
	}
	for (size_t i = 1; i < ph->len; i++) {
		gnutls_x509_crt_t c = ph->chain[i];
		unsigned crit = 0, ca = 0;
		int pathlen = -1;
		int r = gnutls_x509_crt_get_basic_constraints(c, &crit, &ca, &pathlen);
		_cachet_crt_describe(c, who, sizeof(who));
		if (r < 0 || !ca) {
			CK("certificate-basic-constraints", CACHET_CHECK_FAIL, CACHET_E_CERT_BASIC_CONSTRAINTS,
			   "RFC 5280 section 6.1.4 (k)",
			   "%s issued a certificate in the path but is not a CA (%s)", who,
			   r < 0 ? "no basicConstraints" : "basicConstraints cA is FALSE");
			return 0;
		}
		/* Non-self-issued intermediates below this one (section 6.1.4 (l), (m)). */
		int below = 0;
		for (size_t j = 1; j < i; j++)
			below += !is_self_issued(ph->chain[j]);
		if (pathlen >= 0 && below > pathlen) {
			CK("certificate-basic-constraints", CACHET_CHECK_FAIL, CACHET_E_CERT_BASIC_CONSTRAINTS,
			   "RFC 5280 section 6.1.4 (m)",
			   "%s has pathLenConstraint %d but %d CA certificate%s follow%s it in the path", who,
			   pathlen, below, below == 1 ? "" : "s", below == 1 ? "s" : "");
			return 0;
		}
		unsigned usage = 0;
		if (_cachet_crt_key_usage(c, &usage) == 0 && !(usage & GNUTLS_KEY_KEY_CERT_SIGN)) {
			CK("certificate-basic-constraints", CACHET_CHECK_FAIL, CACHET_E_CERT_BASIC_CONSTRAINTS,
			   "RFC 5280 section 6.1.4 (n)", "the keyUsage of CA %s does not include keyCertSign",
			   who);
			return 0;
		}
	}
	CK("certificate-basic-constraints", CACHET_CHECK_PASS, 0, R_BC,
	   ph->len > 1 ? "every issuing CA has basicConstraints cA and a pathLenConstraint the path keeps"
		       : "no intermediate CA in the path");
	return 0;
}

static int check_key_usage(gnutls_x509_crt_t leaf, cachet_report_t *rep, report_signer_t *rs)
{
	unsigned usage = 0;
	int r = _cachet_crt_key_usage(leaf, &usage);
	if (r == CACHET_E_END) {
		CK("certificate-key-usage", CACHET_CHECK_PASS, 0, R_KU, "no keyUsage extension: any use is allowed");
	} else if (r < 0) {
		CK("certificate-key-usage", CACHET_CHECK_FAIL, CACHET_E_BAD_CERT, R_KU,
		   "the keyUsage extension cannot be read");
	} else if (usage & (GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_NON_REPUDIATION)) {
		CK("certificate-key-usage", CACHET_CHECK_PASS, 0, R_KU, "keyUsage permits signing (%s%s%s)",
		   (usage & GNUTLS_KEY_DIGITAL_SIGNATURE) ? "digitalSignature" : "",
		   (usage & GNUTLS_KEY_DIGITAL_SIGNATURE) && (usage & GNUTLS_KEY_NON_REPUDIATION) ? ", " : "",
		   (usage & GNUTLS_KEY_NON_REPUDIATION) ? "nonRepudiation" : "");
	} else {
		CK("certificate-key-usage", CACHET_CHECK_FAIL, CACHET_E_CERT_KEY_USAGE, R_KU,
		   "wrong key usage: the signer's keyUsage has neither digitalSignature nor nonRepudiation%s",
		   (usage & (GNUTLS_KEY_KEY_ENCIPHERMENT | GNUTLS_KEY_KEY_AGREEMENT))
			   ? " (it is an encryption certificate)" : "");
	}
	return 0;
}

/* Names for the purposes a wrong certificate usually carries (RFC 5280
 * section 4.2.1.12). */
static const char *eku_name(const char *oid)
{
	static const char *const names[][2] = {
		{"1.3.6.1.5.5.7.3.1", "serverAuth"},   {"1.3.6.1.5.5.7.3.2", "clientAuth"},
		{"1.3.6.1.5.5.7.3.3", "codeSigning"},  {"1.3.6.1.5.5.7.3.8", "timeStamping"},
		{"1.3.6.1.5.5.7.3.9", "OCSPSigning"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(oid, names[i][0]) == 0)
			return names[i][1];
	return _cachet_oid_name(oid);
}

static int check_eku(gnutls_x509_crt_t leaf, cachet_report_t *rep, report_signer_t *rs)
{
	char oid[128], seen[400] = "";
	bool is_any = false;
	for (unsigned i = 0;; i++) {
		size_t n = sizeof(oid);
		int r = gnutls_x509_crt_get_key_purpose_oid(leaf, i, oid, &n, NULL);
		if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
			if (i == 0) {
				CK("certificate-extended-key-usage", CACHET_CHECK_PASS, 0, R_EKU,
				   "no extendedKeyUsage extension");
				return 0;
			}
			break;
		}
		if (r < 0) {
			CK("certificate-extended-key-usage", CACHET_CHECK_FAIL, CACHET_E_BAD_CERT, R_EKU,
			   "the extendedKeyUsage extension cannot be read");
			return 0;
		}
		if (strcmp(oid, OID_EKU_EMAIL) == 0 || strcmp(oid, OID_EKU_ANY) == 0) {
			CK("certificate-extended-key-usage", CACHET_CHECK_PASS, 0, R_EKU,
			   "extendedKeyUsage includes %s",
			   strcmp(oid, OID_EKU_EMAIL) == 0 ? "emailProtection" : "anyExtendedKeyUsage");
			return 0;
		}
		size_t l = strlen(seen);
		snprintf(seen + l, sizeof(seen) - l, "%s%s", l ? ", " : "", eku_name(oid));
		is_any = true;
	}
	CK("certificate-extended-key-usage", CACHET_CHECK_FAIL, CACHET_E_CERT_EXT_KEY_USAGE, R_EKU,
	   "wrong extended key usage: extendedKeyUsage (%s) has neither emailProtection nor "
	   "anyExtendedKeyUsage", is_any ? seen : "empty");
	return 0;
}

static int check_key_size(const path_t *ph, const _cachet_vparams_t *p, cachet_report_t *rep,
			  report_signer_t *rs)
{
	char who[300];
	bool is_legacy = (p->policy & CACHET_POLICY_ALLOW_WEAK_KEYS) != 0;
	char weak[400] = "";
	for (size_t i = 0; i < ph->len; i++) {
		unsigned bits = 0;
		int alg = gnutls_x509_crt_get_pk_algorithm(ph->chain[i], &bits);
		unsigned min = 0;
		switch (alg) {
		case GNUTLS_PK_RSA:
		case GNUTLS_PK_RSA_PSS:
			min = MIN_RSA_BITS;
			break;
		case GNUTLS_PK_DSA:
			min = MIN_DSA_BITS;
			break;
		case GNUTLS_PK_EC:
			min = MIN_EC_BITS;
			break;
		default:
			break; /* EdDSA and others have fixed sizes */
		}
		if (min == 0 || bits >= min)
			continue;
		_cachet_crt_describe(ph->chain[i], who, sizeof(who));
		size_t l = strlen(weak);
		snprintf(weak + l, sizeof(weak) - l, "%s%u-bit %s key of %s (at least %u)", l ? "; " : "",
			 bits, gnutls_pk_get_name((gnutls_pk_algorithm_t)alg), who, min);
	}
	if (!*weak)
		CK("certificate-key-size", CACHET_CHECK_PASS, 0, R_KEYSIZE,
		   "every key in the path meets the minimum size");
	else if (is_legacy) /* RFC 8550 section 6: "it MUST warn the user" */
		CK("certificate-key-size", CACHET_CHECK_INFO, 0, R_KEYSIZE,
		   "WARNING weak key accepted by the legacy policy: %s", weak);
	else
		CK("certificate-key-size", CACHET_CHECK_FAIL, CACHET_E_WEAK_KEY, R_KEYSIZE,
		   "weak key: %s; the legacy policy (--legacy) accepts it with a warning", weak);
	return 0;
}

/* Extensions this implementation processes in path validation (GnuTLS
 * processes name constraints; policies are not restricted, so a critical
 * certificatePolicies accepts any). */
static bool is_known_ext(const char *oid)
{
	static const char *const known[] = {
		"2.5.29.15", /* keyUsage */
		"2.5.29.19", /* basicConstraints */
		"2.5.29.37", /* extKeyUsage */
		"2.5.29.17", /* subjectAltName */
		"2.5.29.18", /* issuerAltName */
		"2.5.29.14", /* subjectKeyIdentifier */
		"2.5.29.35", /* authorityKeyIdentifier */
		"2.5.29.30", /* nameConstraints */
		"2.5.29.32", /* certificatePolicies */
		"2.5.29.31", /* cRLDistributionPoints */
		"1.3.6.1.5.5.7.1.1", /* authorityInfoAccess */
		NULL,
	};
	for (size_t i = 0; known[i]; i++)
		if (strcmp(oid, known[i]) == 0)
			return true;
	return false;
}

static int check_critical(const path_t *ph, cachet_report_t *rep, report_signer_t *rs)
{
	char who[300], oid[128];
	for (size_t i = 0; i < ph->len; i++) {
		for (unsigned k = 0; k < 256; k++) {
			size_t n = sizeof(oid);
			unsigned crit = 0;
			int r = gnutls_x509_crt_get_extension_info(ph->chain[i], k, oid, &n, &crit);
			if (r < 0)
				break;
			if (!crit || is_known_ext(oid))
				continue;
			_cachet_crt_describe(ph->chain[i], who, sizeof(who));
			CK("certificate-critical-extensions", CACHET_CHECK_FAIL, CACHET_E_CERT_CRITICAL_EXTENSION,
			   "RFC 5280 section 4.2",
			   "unknown critical extension %s in %s: a certificate with a critical extension it "
			   "does not process MUST be rejected", oid, who);
			return 0;
		}
	}
	CK("certificate-critical-extensions", CACHET_CHECK_PASS, 0, R_CRIT,
	   "no unknown critical extension in the path");
	return 0;
}

/* Domains compare without regard to case, an A-label and its U-label
 * alike (RFC 8398 section 5: IDNA2008 through GnuTLS's gnutls_idna_map). */
static bool same_domain(const char *x, size_t xl, const char *y, size_t yl)
{
	gnutls_datum_t ax = {NULL, 0}, ay = {NULL, 0};
	bool is_same;
	if (xl == yl && strncasecmp(x, y, xl) == 0)
		return true;
	if (xl > 255 || yl > 255 || gnutls_idna_map(x, (unsigned)xl, &ax, 0) < 0 ||
	    gnutls_idna_map(y, (unsigned)yl, &ay, 0) < 0) {
		gnutls_free(ax.data);
		return false;
	}
	is_same = ax.size == ay.size && strncasecmp((char *)ax.data, (char *)ay.data, ax.size) == 0;
	gnutls_free(ax.data);
	gnutls_free(ay.data);
	return is_same;
}

/* RFC 5280 section 4.2.1.6 and RFC 8398 section 5: the local part
 * compares exactly, octet for octet; the domain as same_domain says. */
static bool same_addr(const char *a, const char *b, size_t blen)
{
	const char *at_a = strrchr(a, '@');
	const char *at_b = NULL;
	for (const char *q = b; q < b + blen; q++)
		if (*q == '@')
			at_b = q;
	if (at_a == NULL || at_b == NULL)
		return false;
	size_t la = (size_t)(at_a - a), lb = (size_t)(at_b - b);
	return la == lb && memcmp(a, b, la) == 0 &&
	       same_domain(at_a + 1, strlen(at_a + 1), at_b + 1, blen - lb - 1);
}

bool _cachet_addr_is_same(const char *want, const char *have)
{
	return want && have && same_addr(want, have, strlen(have));
}

/* check_email's walk over the certificate's addresses. */
typedef struct {
	const char *want;
	const char *kind; /* the field that matched */
	char have[600];	  /* the others, for the message */
} email_walk_t;

static int email_one(void *opaque, const char *addr, const char *kind)
{
	email_walk_t *w = opaque;
	if (same_addr(w->want, addr, strlen(addr))) {
		w->kind = kind;
		return 1;
	}
	size_t l = strlen(w->have);
	snprintf(w->have + l, sizeof(w->have) - l, "%s%s", l ? ", " : "", addr);
	return 0;
}

static int check_email(gnutls_x509_crt_t leaf, const _cachet_vparams_t *p, cachet_report_t *rep,
		       report_signer_t *rs)
{
	email_walk_t w = {.want = p->vs ? p->vs->email : NULL};
	if (w.want == NULL) {
		CK("certificate-email", CACHET_CHECK_SKIP, 0, R_EMAIL,
		   "no expected address given (--email; the S/MIME layer compares From)");
		return 0;
	}
	/* subjectAltName rfc822Name and SmtpUTF8Mailbox, then emailAddress
	 * in the subject of old certificates (RFC 8550 section 3). */
	(void)_cachet_crt_each_email(leaf, email_one, &w);
	if (w.kind && strcmp(w.kind, "emailAddress") == 0)
		CK("certificate-email", CACHET_CHECK_PASS, 0, R_EMAIL,
		   "<%s> is the emailAddress in the signer's subject", w.want);
	else if (w.kind)
		CK("certificate-email", CACHET_CHECK_PASS, 0,
		   strcmp(w.kind, "SmtpUTF8Mailbox") == 0 ? "RFC 8398 section 5" : R_EMAIL,
		   "<%s> is the signer's subjectAltName %s", w.want, w.kind);
	else
		CK("certificate-email", CACHET_CHECK_FAIL, CACHET_E_CERT_EMAIL_MISMATCH, R_EMAIL,
		   "address mismatch: <%s> is not an address of the signer's certificate (%s)", w.want,
		   *w.have ? w.have : "it has none");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Revocation */

typedef enum { REV_NONE = 0, REV_GOOD, REV_REVOKED } rev_t;

typedef struct {
	rev_t state;
	time_t when;
	int reason; /* -1 unknown */
	char source[96];
	char note[300]; /* why a CRL or response was not used */
} rev_status_t;

static void note(rev_status_t *s, const char *why)
{
	if (!*s->note)
		snprintf(s->note, sizeof(s->note), "%s", why);
}

/* CRLs (RFC 5280 section 6.3.3, without delta CRLs or issuing
 * distribution points): the issuer's, signed by it, current at AT. */
static void crl_status(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer, const _cachet_vparams_t *p,
		       rev_status_t *s)
{
	uint8_t serial[64];
	size_t slen = sizeof(serial);
	if (gnutls_x509_crt_get_serial(crt, serial, &slen) < 0)
		return;
	for (size_t i = 0; p->vs && i < p->vs->ncrl && s->state != REV_REVOKED; i++) {
		gnutls_x509_crl_t crl;
		gnutls_datum_t d = {p->vs->crl[i].data, (unsigned)p->vs->crl[i].size};
		if (gnutls_x509_crl_init(&crl) < 0)
			return;
		if (gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_DER) < 0 ||
		    !gnutls_x509_crl_check_issuer(crl, issuer)) {
			gnutls_x509_crl_deinit(crl);
			continue;
		}
		unsigned vst = 0;
		unsigned vflags = GNUTLS_VERIFY_DISABLE_TIME_CHECKS | GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS |
				  GNUTLS_VERIFY_DISABLE_CA_SIGN;
		if (p->policy & CACHET_POLICY_ALLOW_SHA1)
			vflags |= GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1 | GNUTLS_VERIFY_ALLOW_BROKEN;
		if (gnutls_x509_crl_verify(crl, &issuer, 1, vflags, &vst) < 0 || vst != 0) {
			note(s, "a CRL of the issuer does not verify (RFC 5280 section 6.3.3 (f))");
			gnutls_x509_crl_deinit(crl);
			continue;
		}
		time_t tu = gnutls_x509_crl_get_this_update(crl), nu = gnutls_x509_crl_get_next_update(crl);
		if (tu == (time_t)-1 || p->at < tu || (nu != (time_t)-1 && p->at > nu)) {
			note(s, "a CRL of the issuer is not current at the validation time (RFC 5280 section 6.3.3 (a))");
			gnutls_x509_crl_deinit(crl);
			continue;
		}
		/* Is the serial listed? */
		gnutls_x509_crl_iter_t it = NULL;
		uint8_t es[64];
		size_t esl = sizeof(es);
		time_t when = 0;
		bool is_listed = false;
		while (!is_listed) {
			esl = sizeof(es);
			if (gnutls_x509_crl_iter_crt_serial(crl, &it, es, &esl, &when) < 0)
				break;
			is_listed = same_serial(es, esl, serial, slen);
		}
		gnutls_x509_crl_iter_deinit(it);
		gnutls_x509_crl_deinit(crl);
		if (is_listed && when <= p->at) {
			s->state = REV_REVOKED;
			s->when = when;
			s->reason = crl_reason(&p->vs->crl[i], serial, slen);
			snprintf(s->source, sizeof(s->source), "CRL");
		} else if (s->state == REV_NONE) {
			s->state = REV_GOOD;
			snprintf(s->source, sizeof(s->source), "CRL");
		}
	}
}

/* The issuer's subjectPublicKey BIT STRING contents (the CertID's
 * issuerKeyHash input, RFC 6960 section 4.1.1). */
static int issuer_key_bits(gnutls_x509_crt_t issuer, cbuf_t *out)
{
	gnutls_datum_t der = {NULL, 0};
	cbuf_t b = {0};
	const uint8_t *spki, *v, *bs;
	size_t n, vl, t, bl;
	uint8_t id;
	int ret;
	if (gnutls_x509_crt_export2(issuer, GNUTLS_X509_FMT_DER, &der) < 0)
		return CACHET_E_GNUTLS;
	ret = _cachet_buf_append(&b, der.data, der.size);
	gnutls_free(der.data);
	if (ret < 0)
		return ret;
	ret = _cachet_crt_spki(&b, &spki, &n);
	if (ret == 0)
		ret = _cachet_der_parse(spki, n, &id, &v, &vl, &t); /* SubjectPublicKeyInfo */
	if (ret == 0)
		ret = _cachet_der_parse(v, vl, &id, &bs, &bl, &t); /* algorithm */
	if (ret == 0)
		ret = _cachet_der_parse(v + t, vl - t, &id, &bs, &bl, &t); /* subjectPublicKey */
	if (ret == 0 && (id != 0x03 || bl < 1))
		ret = CACHET_E_MALFORMED;
	if (ret == 0)
		ret = _cachet_buf_append(out, bs + 1, bl - 1);
	_cachet_buf_free(&b);
	return ret;
}

static bool hash_is(gnutls_digest_algorithm_t alg, const void *in, size_t len, const gnutls_datum_t *want)
{
	uint8_t h[64];
	unsigned hl = gnutls_hash_get_len(alg);
	if (hl == 0 || hl > sizeof(h) || want->size != hl || gnutls_hash_fast(alg, in, len, h) < 0)
		return false;
	return memcmp(h, want->data, hl) == 0;
}

/* OCSP responses (RFC 6960): the SingleResponse whose CertID names CRT
 * (hash of the issuer's name and key, serial), in a successful response
 * signed by the issuer or a responder it delegated to with
 * id-kp-OCSPSigning (section 4.2.2.2), current at AT (section 4.2.2.1). */
static void ocsp_status(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer, const _cachet_vparams_t *p,
			rev_status_t *s)
{
	uint8_t serial[64];
	size_t slen = sizeof(serial);
	gnutls_datum_t iname = {NULL, 0};
	cbuf_t ikey = {0};
	if (p->vs == NULL || p->vs->nocsp == 0 || gnutls_x509_crt_get_serial(crt, serial, &slen) < 0)
		return;
	if (gnutls_x509_crt_get_raw_dn(issuer, &iname) < 0)
		return;
	if (issuer_key_bits(issuer, &ikey) < 0) {
		gnutls_free(iname.data);
		return;
	}
	for (size_t i = 0; i < p->vs->nocsp && s->state != REV_REVOKED; i++) {
		gnutls_ocsp_resp_t resp;
		gnutls_datum_t d = {p->vs->ocsp[i].data, (unsigned)p->vs->ocsp[i].size};
		if (gnutls_ocsp_resp_init(&resp) < 0)
			break;
		if (gnutls_ocsp_resp_import(resp, &d) < 0 ||
		    gnutls_ocsp_resp_get_status(resp) != GNUTLS_OCSP_RESP_SUCCESSFUL) {
			gnutls_ocsp_resp_deinit(resp);
			continue;
		}
		for (unsigned k = 0; k < 64; k++) {
			gnutls_digest_algorithm_t dig;
			gnutls_datum_t nh = {NULL, 0}, kh = {NULL, 0}, sn = {NULL, 0};
			unsigned cs = 0;
			time_t tu = 0, nu = 0, rt = 0;
			unsigned reason = 0;
			if (gnutls_ocsp_resp_get_single(resp, k, &dig, &nh, &kh, &sn, &cs, &tu, &nu, &rt,
							&reason) < 0)
				break;
			bool is_match = hash_is(dig, iname.data, iname.size, &nh) &&
					hash_is(dig, ikey.data, ikey.size, &kh) &&
					same_serial(sn.data, sn.size, serial, slen);
			gnutls_free(nh.data);
			gnutls_free(kh.data);
			gnutls_free(sn.data);
			if (!is_match)
				continue;
			unsigned vr = 0;
			if (gnutls_ocsp_resp_verify_direct(resp, issuer, &vr, 0) < 0 || vr != 0) {
				note(s, "an OCSP response for it is not signed by its issuer or a delegated "
					"responder (RFC 6960 section 4.2.2.2)");
				break;
			}
			if (p->at < tu || (nu != (time_t)-1 && p->at > nu)) {
				note(s, "an OCSP response for it is not current at the validation time (RFC 6960 section 4.2.2.1)");
				break;
			}
			if (cs == GNUTLS_OCSP_CERT_REVOKED && rt <= p->at) {
				s->state = REV_REVOKED;
				s->when = rt;
				s->reason = (int)reason;
				snprintf(s->source, sizeof(s->source), "OCSP response");
			} else if (cs == GNUTLS_OCSP_CERT_GOOD && s->state == REV_NONE) {
				s->state = REV_GOOD;
				snprintf(s->source, sizeof(s->source), "OCSP response");
			} else if (cs == GNUTLS_OCSP_CERT_UNKNOWN) {
				note(s, "an OCSP response says its status is unknown (RFC 6960 section 2.2)");
			}
			break;
		}
		gnutls_ocsp_resp_deinit(resp);
	}
	_cachet_buf_free(&ikey);
	gnutls_free(iname.data);
}

static int check_revocation(const path_t *ph, const _cachet_vparams_t *p, cachet_report_t *rep,
			    report_signer_t *rs)
{
	char who[300], t[32];
	bool is_required = (p->policy & CACHET_POLICY_REQUIRE_REVOCATION) != 0;
	char missing[1200] = "";
	size_t nchecked = 0;
	if (ph->anchor == NULL) {
		CK("certificate-revocation", CACHET_CHECK_SKIP, 0, R_REV, "no path to a trust anchor");
		return 0;
	}
	for (size_t i = 0; i < ph->len; i++) {
		rev_status_t s = {REV_NONE, 0, -1, "", ""};
		gnutls_x509_crt_t iss = issuer_of(ph, i);
		crl_status(ph->chain[i], iss, p, &s);
		if (s.state != REV_REVOKED)
			ocsp_status(ph->chain[i], iss, p, &s);
		_cachet_crt_describe(ph->chain[i], who, sizeof(who));
		if (s.state == REV_REVOKED) {
			_cachet_time_str(s.when, t, sizeof(t));
			CK("certificate-revocation", CACHET_CHECK_FAIL, CACHET_E_CERT_REVOKED, R_REV,
			   "revoked: %s was revoked at %s, reason %s (%s)", who, t,
			   s.reason >= 0 ? reason_name((unsigned)s.reason) : "not given", s.source);
			return 0;
		}
		if (s.state == REV_GOOD) {
			nchecked++;
			continue;
		}
		size_t l = strlen(missing);
		snprintf(missing + l, sizeof(missing) - l, "%s%.250s%s%.200s", l ? "; " : "", who,
			 *s.note ? ": " : "", s.note);
	}
	if (!*missing)
		CK("certificate-revocation", CACHET_CHECK_PASS, 0, R_REV,
		   "not revoked: a current CRL or OCSP response covers each of the %zu certificate%s", nchecked,
		   nchecked == 1 ? "" : "s");
	else if (is_required)
		CK("certificate-revocation", CACHET_CHECK_FAIL, CACHET_E_CERT_REVOCATION_UNKNOWN, R_REV,
		   "no revocation status (required by the policy) for %s", missing);
	else
		CK("certificate-revocation", CACHET_CHECK_INFO, 0, R_REV,
		   "not checked (no network access is attempted): no CRL or OCSP response covers %s", missing);
	return 0;
}

#undef CK

int _cachet_validate_signer(gnutls_x509_crt_t leaf, const _cachet_vparams_t *p, cachet_report_t *rep,
			    report_signer_t *rs)
{
	path_t ph;
	int ret;
	memset(&ph, 0, sizeof(ph));
	ret = load_trust(&ph, p);
	if (ret == 0) {
		build(&ph, p, leaf);
		ret = check_path(&ph, p, rep, rs);
	}
	if (ret == 0)
		ret = check_validity(&ph, p, rep, rs);
	if (ret == 0)
		ret = check_basic_constraints(&ph, rep, rs);
	if (ret == 0)
		ret = check_key_usage(leaf, rep, rs);
	if (ret == 0)
		ret = check_eku(leaf, rep, rs);
	if (ret == 0)
		ret = check_key_size(&ph, p, rep, rs);
	if (ret == 0)
		ret = check_critical(&ph, rep, rs);
	if (ret == 0)
		ret = check_email(leaf, p, rep, rs);
	if (ret == 0)
		ret = check_revocation(&ph, p, rep, rs);
	if (ph.is_anchor_owned)
		gnutls_x509_crt_deinit(ph.anchor);
	if (ph.tl)
		gnutls_x509_trust_list_deinit(ph.tl, 1);
	return ret;
}
