/* pki.c -- certificate sets, signer lookup and path validation (RFC 5652
 * section 5.3 sid matching; RFC 5280 section 6 through GnuTLS). */
#include "pki.h"
#include "ber.h"
#include "crypto.h"

#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>

static int grow(cachet_certset_t *set)
{
	if (set->n < set->cap)
		return 0;
	if (set->n >= CACHET_MAX_CERTS)
		return CACHET_E_COUNT_LIMIT;
	size_t cap = set->cap ? set->cap * 2 : 8;
	gnutls_x509_crt_t *c = realloc(set->crt, cap * sizeof(*c));
	if (c == NULL)
		return CACHET_E_NOMEM;
	set->crt = c;
	cbuf_t *d = realloc(set->der, cap * sizeof(*d));
	if (d == NULL)
		return CACHET_E_NOMEM;
	set->der = d;
	set->cap = cap;
	return 0;
}

int _cachet_certset_add_der(cachet_certset_t *set, const uint8_t *der,
			    size_t len, const char *path, cachet_diag_t *diag)
{
	int ret = grow(set);
	if (ret == CACHET_E_COUNT_LIMIT)
		_cachet_diag_push(diag, ret, path, NULL, "more than %d certificates", CACHET_MAX_CERTS);
	if (ret < 0)
		return ret;
	gnutls_x509_crt_t crt;
	if (gnutls_x509_crt_init(&crt) < 0)
		return CACHET_E_NOMEM;
	gnutls_datum_t d = {(unsigned char *)der, (unsigned)len};
	int r = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER);
	if (r < 0) {
		gnutls_x509_crt_deinit(crt);
		_cachet_diag_push(diag, CACHET_E_BAD_CERT, path, "RFC 5280 section 4.1",
				  "certificate not readable: %s", gnutls_strerror(r));
		return CACHET_E_BAD_CERT;
	}
	cbuf_t copy = {0};
	ret = _cachet_buf_append(&copy, der, len);
	if (ret < 0) {
		gnutls_x509_crt_deinit(crt);
		return ret;
	}
	set->crt[set->n] = crt;
	set->der[set->n] = copy;
	set->n++;
	return 0;
}

typedef struct {
	cachet_certset_t *set;
	const char *path;
	cachet_diag_t *diag;
} pem_ctx_t;

static int add_pem_block(void *opaque, const char *label, const uint8_t *der,
			 size_t len)
{
	pem_ctx_t *c = opaque;
	return _cachet_certset_add_der(c->set, der, len, c->path, c->diag);
}

int _cachet_certset_add(cachet_certset_t *set, const uint8_t *data, size_t len,
			const char *path, cachet_diag_t *diag)
{
	if (_cachet_is_pem(data, len)) {
		static const char *const labels[] = {"CERTIFICATE", "X509 CERTIFICATE", NULL};
		pem_ctx_t c = {set, path, diag};
		int n = _cachet_pem_each(data, len, labels, add_pem_block, &c);
		if (n == 0) {
			_cachet_diag_push(diag, CACHET_E_BAD_CERT, path, "RFC 7468 section 5",
					  "no CERTIFICATE block found");
			return CACHET_E_BAD_CERT;
		}
		if (n == CACHET_E_BAD_PEM)
			_cachet_diag_push(diag, n, path, "RFC 7468", "malformed PEM armour");
		return n < 0 ? n : 0;
	}
	return _cachet_certset_add_der(set, data, len, path, diag);
}

void _cachet_certset_free(cachet_certset_t *set)
{
	for (size_t i = 0; i < set->n; i++) {
		gnutls_x509_crt_deinit(set->crt[i]);
		_cachet_buf_free(&set->der[i]);
	}
	free(set->crt);
	free(set->der);
	memset(set, 0, sizeof(*set));
}

int _cachet_crt_iasn(gnutls_x509_crt_t crt, cbuf_t *issuer, cbuf_t *serial)
{
	gnutls_datum_t dn = {NULL, 0};
	uint8_t ser[64];
	size_t slen = sizeof(ser);
	if (gnutls_x509_crt_get_raw_issuer_dn(crt, &dn) < 0)
		return CACHET_E_GNUTLS;
	int ret = _cachet_buf_append(issuer, dn.data, dn.size);
	gnutls_free(dn.data);
	if (ret < 0)
		return ret;
	if (gnutls_x509_crt_get_serial(crt, ser, &slen) < 0)
		return CACHET_E_GNUTLS;
	return _cachet_buf_append(serial, ser, slen);
}

int _cachet_crt_skid(gnutls_x509_crt_t crt, cbuf_t *skid)
{
	uint8_t id[128];
	size_t len = sizeof(id);
	unsigned crit;
	if (gnutls_x509_crt_get_subject_key_id(crt, id, &len, &crit) < 0)
		return CACHET_E_END;
	return _cachet_buf_append(skid, id, len);
}

/* Serial numbers compare as integers: ignore a leading 00 sign octet. */
static void strip_sign(const uint8_t **p, size_t *n)
{
	while (*n > 1 && (*p)[0] == 0 && ((*p)[1] & 0x80)) {
		(*p)++;
		(*n)--;
	}
}

long _cachet_certset_find_iasn(const cachet_certset_t *set,
			       const uint8_t *issuer, size_t ilen,
			       const uint8_t *serial, size_t slen)
{
	strip_sign(&serial, &slen);
	for (size_t i = 0; i < set->n; i++) {
		cbuf_t is = {0}, sn = {0};
		bool match = false;
		if (_cachet_crt_iasn(set->crt[i], &is, &sn) == 0) {
			const uint8_t *s = sn.data;
			size_t l = sn.size;
			strip_sign(&s, &l);
			match = is.size == ilen && memcmp(is.data, issuer, ilen) == 0 &&
				l == slen && memcmp(s, serial, slen) == 0;
		}
		_cachet_buf_free(&is);
		_cachet_buf_free(&sn);
		if (match)
			return (long)i;
	}
	return -1;
}

long _cachet_certset_find_skid(const cachet_certset_t *set,
			       const uint8_t *skid, size_t len)
{
	for (size_t i = 0; i < set->n; i++) {
		cbuf_t id = {0};
		bool match = _cachet_crt_skid(set->crt[i], &id) == 0 && id.size == len &&
			     memcmp(id.data, skid, len) == 0;
		_cachet_buf_free(&id);
		if (match)
			return (long)i;
	}
	return -1;
}

void _cachet_crt_describe(gnutls_x509_crt_t crt, char *buf, size_t n)
{
	gnutls_datum_t dn = {NULL, 0};
	char email[300] = "";
	if (gnutls_x509_crt_get_dn3(crt, &dn, 0) < 0)
		dn.data = NULL;
	for (unsigned i = 0;; i++) {
		char name[256];
		size_t l = sizeof(name);
		unsigned type;
		int r = gnutls_x509_crt_get_subject_alt_name2(crt, i, name, &l, &type, NULL);
		if (r < 0)
			break;
		if (r == GNUTLS_SAN_RFC822NAME) {
			snprintf(email, sizeof(email), " <%s>", name);
			break;
		}
	}
	snprintf(buf, n, "%s%s", dn.data ? (char *)dn.data : "(unreadable subject)", email);
	gnutls_free(dn.data);
}

/* The SubjectPublicKeyInfo inside a certificate's DER (RFC 5280 section
 * 4.1.2.7), walked to in the DER of tbsCertificate. */
int _cachet_crt_spki(const cbuf_t *der, const uint8_t **spki, size_t *n)
{
	const uint8_t *v, *p;
	size_t vl, tot, left;
	uint8_t id;
	int ret;

	CHECK_RET(_cachet_der_parse(der->data, der->size, &id, &v, &vl, &tot)); /* Certificate */
	CHECK_RET(_cachet_der_parse(v, vl, &id, &p, &left, &tot));		 /* tbsCertificate */
	/* serialNumber, signature, issuer, validity, subject, then the SPKI;
	 * the version [0] before them is optional. */
	unsigned field = 0;
	for (bool is_first = true;; is_first = false) {
		const uint8_t *ev;
		size_t evl, et;
		CHECK_RET(_cachet_der_parse(p, left, &id, &ev, &evl, &et));
		if (!(is_first && id == 0xa0) && field++ == 5) {
			if (id != 0x30)
				return CACHET_E_MALFORMED;
			*spki = p;
			*n = et;
			return 0;
		}
		p += et;
		left -= et;
	}
}

int _cachet_pubkey_from_pool(cachet_pubkey_t **out, gnutls_x509_crt_t crt,
			     const cbuf_t *der, const cachet_certset_t *const *pools,
			     size_t npools, cachet_diag_t *diag)
{
	static const unsigned flags = GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1 | GNUTLS_VERIFY_ALLOW_BROKEN |
				      GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
				      GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS;
	const uint8_t *spki;
	size_t spki_len;
	/* Walk up at most a chain's length of inheriting issuers. */
	gnutls_x509_crt_t chain[CACHET_MAX_CHAIN];
	const cbuf_t *ders[CACHET_MAX_CHAIN];
	size_t len = 0;
	cachet_pubkey_t *k = NULL;
	int ret = _cachet_pubkey_from_crt(&k, crt, NULL);

	if (ret == 0) {
		*out = k;
		return 0;
	}
	/* RFC 3279 section 2.3.2 (and RFC 3370 section 3.1): when a DSA
	 * SubjectPublicKeyInfo has no parameters and the issuer signed the
	 * certificate with DSA, the issuer's DSA parameters apply.  The
	 * issuer is the certificate whose signature on CRT verifies. */
	chain[len] = crt;
	ders[len++] = der;
	while (k == NULL) {
		gnutls_x509_crt_t last = chain[len - 1], issuer = NULL;
		const cbuf_t *issuer_der = NULL;
		if (len == CACHET_MAX_CHAIN ||
		    gnutls_sign_get_pk_algorithm(gnutls_x509_crt_get_signature_algorithm(last)) != GNUTLS_PK_DSA)
			break;
		for (size_t i = 0; i < npools && !issuer; i++) {
			for (size_t j = 0; pools[i] && j < pools[i]->n && !issuer; j++) {
				gnutls_x509_crt_t c = pools[i]->crt[j];
				unsigned status = 0;
				if (gnutls_x509_crt_equals(c, last) || !gnutls_x509_crt_check_issuer(last, c) ||
				    gnutls_x509_crt_verify(last, &c, 1, flags, &status) < 0 || status != 0)
					continue;
				issuer = c;
				issuer_der = &pools[i]->der[j];
			}
		}
		if (issuer == NULL)
			break;
		chain[len] = issuer;
		ders[len++] = issuer_der;
		if (_cachet_pubkey_from_crt(&k, issuer, NULL) < 0)
			k = NULL;
	}
	/* K has parameters: hand them down the chain to CRT. */
	while (k != NULL && len > 1) {
		cachet_pubkey_t *child = NULL;
		len--;
		int r = _cachet_crt_spki(ders[len - 1], &spki, &spki_len);
		if (r == 0)
			r = _cachet_pubkey_dsa_inherit(&child, spki, spki_len, k, len == 1 ? diag : NULL);
		_cachet_pubkey_free(k);
		k = r == 0 ? child : NULL;
	}
	if (k == NULL || len != 1) {
		_cachet_pubkey_free(k);
		/* Report why CRT's own key was unusable. */
		return _cachet_pubkey_from_crt(out, crt, diag);
	}
	*out = k;
	return 0;
}

void _cachet_dn_describe(const uint8_t *der, size_t len, char *buf, size_t n)
{
	gnutls_datum_t in = {(unsigned char *)(uintptr_t)der, (unsigned)len};
	gnutls_datum_t out = {NULL, 0};

	if (len > 0xffffu || gnutls_x509_rdn_get2(&in, &out, 0) < 0 || out.data == NULL)
		snprintf(buf, n, "(unreadable name)");
	else
		snprintf(buf, n, "%s", (const char *)out.data);
	gnutls_free(out.data);
}

int _cachet_crt_key_id_sha1(gnutls_x509_crt_t crt, cbuf_t *out)
{
	uint8_t id[20];
	size_t n = sizeof(id);
	if (gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA1, id, &n) < 0 || n != sizeof(id))
		return CACHET_E_BAD_CERT;
	return _cachet_buf_append(out, id, n);
}

int _cachet_crt_key_usage(gnutls_x509_crt_t crt, unsigned *usage)
{
	unsigned critical = 0;
	int r = gnutls_x509_crt_get_key_usage(crt, usage, &critical);
	if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		return CACHET_E_END;
	return r < 0 ? CACHET_E_BAD_CERT : 0;
}

void _cachet_certset_truncate(cachet_certset_t *set, size_t n)
{
	while (set->n > n) {
		set->n--;
		gnutls_x509_crt_deinit(set->crt[set->n]);
		_cachet_buf_free(&set->der[set->n]);
	}
}

/* RFC 8398 section 3: id-on-SmtpUTF8Mailbox, an otherName SAN. */
#define OID_SMTP_UTF8_MAILBOX "1.3.6.1.5.5.7.8.9"
/* RFC 2985 section 5.2.1: emailAddress in the subject DN (old
 * certificates; RFC 8550 section 3 still names it). */
#define OID_EMAIL_ADDRESS "1.2.840.113549.1.9.1"

/* The SmtpUTF8Mailbox in otherName I of CRT (VAL, N: the value as GnuTLS
 * hands it, the UTF8String's DER), as text in OUT; false when it is
 * another otherName or not a UTF8String without NUL. */
static bool smtputf8_mailbox(gnutls_x509_crt_t crt, unsigned i, const char *val, size_t n, char *out,
			     size_t outn)
{
	char oid[64];
	size_t ol = sizeof(oid), vl, t;
	const uint8_t *v;
	uint8_t id;
	if (gnutls_x509_crt_get_subject_alt_othername_oid(crt, i, oid, &ol) < 0 ||
	    strcmp(oid, OID_SMTP_UTF8_MAILBOX) != 0)
		return false;
	if (_cachet_der_parse((const uint8_t *)val, n, &id, &v, &vl, &t) < 0 || id != 0x0c || vl >= outn ||
	    memchr(v, 0, vl) != NULL)
		return false;
	memcpy(out, v, vl);
	out[vl] = 0;
	return true;
}

int _cachet_crt_each_email(gnutls_x509_crt_t crt, cachet_email_fn fn, void *opaque)
{
	int ret;
	for (unsigned i = 0; i < CACHET_MAX_SANS; i++) {
		char name[1024], mbox[1024];
		size_t n = sizeof(name) - 1;
		unsigned type;
		int r = gnutls_x509_crt_get_subject_alt_name2(crt, i, name, &n, &type, NULL);
		if (r == GNUTLS_E_SHORT_MEMORY_BUFFER)
			continue; /* longer than any address (RFC 5321 section 4.5.3.1) */
		if (r < 0)
			break;
		name[n] = '\0';
		if (r == GNUTLS_SAN_RFC822NAME) {
			if ((ret = fn(opaque, name, "rfc822Name")) != 0)
				return ret;
		} else if (r == GNUTLS_SAN_OTHERNAME &&
			   smtputf8_mailbox(crt, i, name, n, mbox, sizeof(mbox))) {
			if ((ret = fn(opaque, mbox, "SmtpUTF8Mailbox")) != 0)
				return ret;
		}
	}
	for (unsigned i = 0; i < CACHET_MAX_SANS; i++) {
		char v[512];
		size_t l = sizeof(v) - 1;
		if (gnutls_x509_crt_get_dn_by_oid(crt, OID_EMAIL_ADDRESS, i, 0, v, &l) < 0)
			break;
		v[l] = '\0';
		if ((ret = fn(opaque, v, "emailAddress")) != 0)
			return ret;
	}
	return 0;
}

static int append_line(void *opaque, const char *addr, const char *kind)
{
	(void)kind;
	return _cachet_buf_printf(opaque, "%s\n", addr);
}

int _cachet_crt_emails(gnutls_x509_crt_t crt, cbuf_t *out)
{
	return _cachet_crt_each_email(crt, append_line, out);
}
