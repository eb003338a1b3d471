/* sechdr.c -- Secure Headers (RFC 7508): the SecureHeaderFields signed
 * attribute.  See sechdr.h for what is stored and how it is compared.
 *
 * Writing builds the DER by hand (it is small and its order is fixed);
 * reading goes through libtasn1 with the module asn1/sechdr-7508.asn, and
 * the decoded value is encoded again to tell DER from other BER forms. */
#include "sechdr.h"

#include "ber.h"
#include "crypto.h"
#include "tasn1.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RULE_SYNTAX "RFC 7508 section 4.1"
#define RULE_STATUS "RFC 7508 section 4.4"
#define RULE_GEN "RFC 7508 section 4.5.1"
#define RULE_VER "RFC 7508 section 4.5.2"
#define PATH "SecureHeaderFields"

static bool is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static bool name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (ascii_lower((unsigned char)*a) != ascii_lower((unsigned char)*b))
			return false;
	return *a == *b;
}

/* Terminate B with a NUL that ->size does not count. */
static int buf_cstr(cbuf_t *b)
{
	int ret = _cachet_buf_append(b, "", 1);
	if (ret == 0)
		b->size--;
	return ret;
}

const char *_cachet_sechdr_canon_name(int canon)
{
	return canon == CACHET_SECHDR_SIMPLE ? "simple" : canon == CACHET_SECHDR_RELAXED ? "relaxed" : "unknown";
}

const char *_cachet_sechdr_status_name(int status)
{
	switch (status) {
	case CACHET_SECHDR_DUPLICATED:
		return "duplicated";
	case CACHET_SECHDR_DELETED:
		return "deleted";
	case CACHET_SECHDR_MODIFIED:
		return "modified";
	default:
		return "unknown";
	}
}

/* ================================================================== */
/* Canonicalisation (RFC 6376 sections 3.4.1 and 3.4.2)                */
/* ================================================================== */

int _cachet_sechdr_canon(int canon, const char *name, const char *value, cbuf_t *out_name,
			 cbuf_t *out_value)
{
	int ret;
	if (name == NULL || value == NULL || out_name == NULL || out_value == NULL)
		return CACHET_E_INVALID_ARG;
	if (canon == CACHET_SECHDR_SIMPLE) {
		/* RFC 6376 section 3.4.1: "does not change header fields in
		 * any way". */
		CHECK_RET(_cachet_buf_append(out_name, name, strlen(name)));
		CHECK_RET(_cachet_buf_append(out_value, value, strlen(value)));
		CHECK_RET(buf_cstr(out_name));
		return buf_cstr(out_value);
	}
	if (canon != CACHET_SECHDR_RELAXED)
		return CACHET_E_INVALID_ARG;

	/* RFC 6376 section 3.4.2: "Convert all header field names (not the
	 * header field values) to lowercase" and "Delete any WSP characters
	 * remaining before and after the colon". */
	size_t nl = strlen(name);
	while (nl > 0 && is_wsp((unsigned char)name[nl - 1]))
		nl--;
	for (size_t i = 0; i < nl; i++) {
		char c = (char)ascii_lower((unsigned char)name[i]);
		CHECK_RET(_cachet_buf_append(out_name, &c, 1));
	}
	/* "Unfold all header field continuation lines" (the CRLFs go; in a
	 * field body CR and LF only occur in folds), "Convert all sequences
	 * of one or more WSP characters to a single SP", "Delete all WSP
	 * characters at the end of each unfolded header field value", and
	 * the WSP after the colon. */
	bool pending_sp = false, started = false;
	for (const char *p = value; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\r' || c == '\n')
			continue;
		if (is_wsp(c)) {
			pending_sp = started;
			continue;
		}
		if (pending_sp)
			CHECK_RET(_cachet_buf_append(out_value, " ", 1));
		pending_sp = false;
		started = true;
		CHECK_RET(_cachet_buf_append(out_value, p, 1));
	}
	CHECK_RET(buf_cstr(out_name));
	return buf_cstr(out_value);
}

int _cachet_sechdr_field_body(const cachet_mime_field_t *f, cbuf_t *out)
{
	int ret;
	if (f == NULL || out == NULL)
		return CACHET_E_INVALID_ARG;
	if (f->raw == NULL || f->raw_len == 0) {
		const char *v = f->value ? f->value : "";
		CHECK_RET(_cachet_buf_append(out, v, strlen(v)));
		return buf_cstr(out);
	}
	size_t colon = 0;
	while (colon < f->raw_len && f->raw[colon] != ':')
		colon++;
	size_t end = f->raw_len;
	if (end > colon && f->raw[end - 1] == '\n')
		end--;
	if (end > colon && f->raw[end - 1] == '\r')
		end--;
	for (size_t i = colon + 1; i < end; i++) {
		uint8_t c = f->raw[i];
		if (c == 0)
			continue; /* a NUL cannot be in a C string; never in a body */
		if (c == '\n' && (i == colon + 1 || f->raw[i - 1] != '\r'))
			CHECK_RET(_cachet_buf_append(out, "\r", 1));
		CHECK_RET(_cachet_buf_append(out, &c, 1));
	}
	return buf_cstr(out);
}

/* The message field F canonicalised (RFC 7508 section 4.5.1 steps 2-3,
 * 4.5.2 step 4): its body into BODY, then name and value into N and V,
 * each emptied first. */
static int canon_field(int canon, const cachet_mime_field_t *f, cbuf_t *body, cbuf_t *n, cbuf_t *v)
{
	int ret;
	_cachet_buf_free(body);
	_cachet_buf_free(n);
	_cachet_buf_free(v);
	CHECK_RET(_cachet_sechdr_field_body(f, body));
	return _cachet_sechdr_canon(canon, f->name, (const char *)body->data, n, v);
}

/* ================================================================== */
/* Checks shared by writing and reading                                */
/* ================================================================== */

/* RFC 3629 section 4: well-formed UTF-8 (no overlongs, no surrogates, at
 * most U+10FFFF).  NUL is refused too: a field body has none. */
static bool utf8_ok(const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint8_t c = p[i];
		size_t more;
		uint32_t cp, min;
		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			more = 1, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			more = 2, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			more = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if (more > n - i - 1)
			return false;
		for (size_t k = 1; k <= more; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += more + 1;
	}
	return true;
}

/* One field's name and value against RFC 7508 section 4.1. */
static int field_ok(const char *name, size_t nl, const uint8_t *value, size_t vl, int status, size_t idx,
		    cachet_diag_t *diag)
{
	int ret = 0;
	ENSURE(nl >= 1, CACHET_E_MALFORMED, "RFC 5322 section 3.6.8", PATH ".secHeaderFields",
	       "field %zu: empty field-Name (a field name has at least one character)", idx);
	ENSURE(nl <= CACHET_SECHDR_MAX_NAME, CACHET_E_SIZE_LIMIT, "RFC 5322 section 2.1.1", PATH ".secHeaderFields",
	       "field %zu: field-Name of %zu octets (at most %d)", idx, nl, CACHET_SECHDR_MAX_NAME);
	for (size_t i = 0; i < nl; i++) {
		unsigned char c = (unsigned char)name[i];
		ENSURE(c != ':', CACHET_E_MALFORMED, RULE_SYNTAX, PATH ".secHeaderFields",
		       "field %zu: ':' in field-Name (HeaderFieldName is VisibleString (FROM (ALL EXCEPT \":\")))",
		       idx);
		ENSURE(c >= 0x20 && c <= 0x7e, CACHET_E_MALFORMED, RULE_SYNTAX, PATH ".secHeaderFields",
		       "field %zu: octet 0x%02x in field-Name is not a VisibleString character", idx, c);
	}
	ENSURE(vl <= CACHET_SECHDR_MAX_VALUE, CACHET_E_SIZE_LIMIT, NULL, PATH ".secHeaderFields",
	       "field %zu (%.*s): field-Value of %zu octets (at most %u)", idx, (int)nl, name, vl,
	       CACHET_SECHDR_MAX_VALUE);
	ENSURE(utf8_ok(value, vl), CACHET_E_MALFORMED, RULE_SYNTAX, PATH ".secHeaderFields",
	       "field %zu (%.*s): field-Value is not valid UTF-8 without NUL (HeaderFieldValue is UTF8String, "
	       "RFC 3629 section 4)", idx, (int)nl, name);
	ENSURE(status >= CACHET_SECHDR_DUPLICATED && status <= CACHET_SECHDR_MODIFIED, CACHET_E_MALFORMED,
	       RULE_STATUS, PATH ".secHeaderFields",
	       "field %zu (%.*s): field-Status %d (duplicated(0), deleted(1) or modified(2))", idx, (int)nl,
	       name, status);
cleanup:
	return ret;
}

/* ================================================================== */
/* Writing                                                             */
/* ================================================================== */

int _cachet_sechdr_encode_value(const sechdr_t *s, cbuf_t *out, cachet_diag_t *diag)
{
	int ret;
	size_t off, seq;
	if (s == NULL || out == NULL)
		return CACHET_E_INVALID_ARG;
	ENSURE(s->canon == CACHET_SECHDR_SIMPLE || s->canon == CACHET_SECHDR_RELAXED, CACHET_E_INVALID_ARG,
	       RULE_SYNTAX, PATH ".canonAlgorithm", "canonAlgorithm %d (simple(0) or relaxed(1))", s->canon);
	ENSURE(s->n >= 1 && s->fields != NULL, CACHET_E_INVALID_ARG, RULE_SYNTAX, PATH ".secHeaderFields",
	       "no header field to protect (HeaderFields is SEQUENCE SIZE (1..MAX))");
	ENSURE(s->n <= CACHET_SECHDR_MAX_FIELDS, CACHET_E_COUNT_LIMIT, NULL, PATH ".secHeaderFields",
	       "%zu header fields (at most %d)", s->n, CACHET_SECHDR_MAX_FIELDS);
	off = out->size;
	/* SET components in DER order (X.690 section 10.3): ENUMERATED
	 * (tag 10) before SEQUENCE (tag 16). */
	uint8_t alg = (uint8_t)s->canon;
	CHECK(_cachet_der_append(out, 0x0a, &alg, 1));
	seq = out->size;
	for (size_t i = 0; i < s->n; i++) {
		const sechdr_field_t *f = &s->fields[i];
		ENSURE(f->name && f->value, CACHET_E_INVALID_ARG, NULL, PATH ".secHeaderFields",
		       "field %zu has no name or value", i);
		size_t nl = strlen(f->name), vl = strlen(f->value);
		CHECK(field_ok(f->name, nl, (const uint8_t *)f->value, vl, f->status, i, diag));
		size_t fo = out->size;
		CHECK(_cachet_der_append(out, 0x1a, (const uint8_t *)f->name, nl));   /* VisibleString */
		CHECK(_cachet_der_append(out, 0x0c, (const uint8_t *)f->value, vl)); /* UTF8String */
		/* X.690 section 11.5: a DEFAULT value is not encoded. */
		if (f->status != CACHET_SECHDR_DUPLICATED) {
			uint8_t st = (uint8_t)f->status;
			CHECK(_cachet_der_append(out, 0x02, &st, 1));
		}
		CHECK(_cachet_der_wrap(out, fo, 0x30));
	}
	CHECK(_cachet_der_wrap(out, seq, 0x30));
	CHECK(_cachet_der_wrap(out, off, 0x31));
	ENSURE(out->size - off <= CACHET_SECHDR_MAX_DER, CACHET_E_SIZE_LIMIT, NULL, PATH,
	       "the attribute value would be %zu octets (at most %u)", out->size - off, CACHET_SECHDR_MAX_DER);
cleanup:
	return ret;
}

int _cachet_sechdr_encode_attr(const sechdr_t *s, cbuf_t *attr_der, cachet_diag_t *diag)
{
	int ret;
	if (s == NULL || attr_der == NULL)
		return CACHET_E_INVALID_ARG;
	const cachet_alg_t *a = _cachet_alg_by_id(CACHET_ALG_AT_SECURE_HEADERS);
	if (a == NULL)
		return CACHET_E_INTERNAL;
	size_t off = attr_der->size;
	CHECK_RET(_cachet_der_oid(attr_der, a->oid));
	size_t set = attr_der->size;
	CHECK_RET(_cachet_sechdr_encode_value(s, attr_der, diag));
	CHECK_RET(_cachet_der_wrap(attr_der, set, 0x31));
	return _cachet_der_wrap(attr_der, off, 0x30);
}

void _cachet_sechdr_deinit(sechdr_t *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->fields[i].name);
		free(s->fields[i].value);
	}
	free(s->fields);
	memset(s, 0, sizeof(*s));
}

/* Append one field (copies of NAME and VALUE) to S; S->fields has room
 * for CACHET_SECHDR_MAX_FIELDS. */
static int push_field(sechdr_t *s, const char *name, size_t nl, const char *value, size_t vl, int status)
{
	sechdr_field_t *f = &s->fields[s->n];
	f->name = _cachet_malloc(nl + 1);
	f->value = _cachet_malloc(vl + 1);
	if (f->name == NULL || f->value == NULL) {
		free(f->name);
		free(f->value);
		f->name = f->value = NULL;
		return CACHET_E_NOMEM;
	}
	memcpy(f->name, name, nl);
	f->name[nl] = '\0';
	memcpy(f->value, value, vl);
	f->value[vl] = '\0';
	f->status = status;
	s->n++;
	return 0;
}

int _cachet_sechdr_copy(sechdr_t *dst, const sechdr_t *src)
{
	int ret = 0;
	if (dst == NULL || src == NULL || src->n > CACHET_SECHDR_MAX_FIELDS)
		return CACHET_E_INVALID_ARG;
	memset(dst, 0, sizeof(*dst));
	dst->canon = src->canon;
	dst->notes = src->notes;
	dst->fields = _cachet_calloc(src->n ? src->n : 1, sizeof(*dst->fields));
	if (dst->fields == NULL)
		return CACHET_E_NOMEM;
	for (size_t i = 0; i < src->n && ret == 0; i++)
		ret = push_field(dst, src->fields[i].name, strlen(src->fields[i].name), src->fields[i].value,
				 strlen(src->fields[i].value), src->fields[i].status);
	return ret;
}

bool _cachet_sechdr_is_equal(const sechdr_t *a, const sechdr_t *b)
{
	if (a == NULL || b == NULL || a->canon != b->canon || a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->fields[i].name, b->fields[i].name) != 0 ||
		    strcmp(a->fields[i].value, b->fields[i].value) != 0 || a->fields[i].status != b->fields[i].status)
			return false;
	return true;
}

int _cachet_sechdr_encode(const cachet_mime_header_t *h, const char *const *names, int canon, cbuf_t *attr_der,
			  cachet_diag_t *diag)
{
	sechdr_t s = {0};
	cbuf_t body = {0}, cn = {0}, cv = {0};
	int ret;

	if (h == NULL || names == NULL || attr_der == NULL)
		return CACHET_E_INVALID_ARG;
	ENSURE(canon == CACHET_SECHDR_SIMPLE || canon == CACHET_SECHDR_RELAXED, CACHET_E_INVALID_ARG, RULE_SYNTAX,
	       PATH ".canonAlgorithm", "canonAlgorithm %d (simple(0) or relaxed(1))", canon);
	s.canon = canon;
	s.fields = _cachet_calloc(CACHET_SECHDR_MAX_FIELDS, sizeof(*s.fields));
	ENSURE(s.fields, CACHET_E_NOMEM, NULL, NULL, "out of memory");
	for (size_t k = 0; names[k]; k++) {
		bool dup = false;
		for (size_t j = 0; j < k; j++)
			dup |= name_eq(names[j], names[k]);
		if (dup)
			continue;
		/* RFC 7508 section 4.5.1: "If different headers share the same
		 * name, all instances MUST be included". */
		for (size_t i = 0; i < h->n; i++) {
			const cachet_mime_field_t *f = &h->fields[i];
			if (f->name == NULL || !name_eq(f->name, names[k]))
				continue;
			ENSURE(s.n < CACHET_SECHDR_MAX_FIELDS, CACHET_E_COUNT_LIMIT, NULL, PATH ".secHeaderFields",
			       "more than %d header fields to protect", CACHET_SECHDR_MAX_FIELDS);
			/* Steps 2 and 3: canonicalise, then store. */
			CHECK(canon_field(canon, f, &body, &cn, &cv));
			/* RFC 7508 section 4.5.1: an empty value is a zero-length
			 * field-Value. */
			CHECK(push_field(&s, (const char *)cn.data, cn.size, (const char *)cv.data, cv.size,
					 CACHET_SECHDR_DUPLICATED));
		}
	}
	ENSURE(s.n > 0, CACHET_E_INVALID_ARG, RULE_SYNTAX, PATH ".secHeaderFields",
	       "none of the header fields to protect is in the message (HeaderFields is SIZE (1..MAX))");
	CHECK(_cachet_sechdr_encode_attr(&s, attr_der, diag));
cleanup:
	_cachet_sechdr_deinit(&s);
	_cachet_buf_free(&body);
	_cachet_buf_free(&cn);
	_cachet_buf_free(&cv);
	return ret;
}

/* ================================================================== */
/* Reading                                                             */
/* ================================================================== */

/* A small INTEGER or ENUMERATED from its content octets (two's
 * complement, any length BER allows): -1 when negative or too large. */
static long small_int(const cbuf_t *b, bool *minimal)
{
	long v = 0;
	*minimal = b->size == 1 || (b->size > 1 && !(b->data[0] == 0 && !(b->data[1] & 0x80)) &&
				    !(b->data[0] == 0xff && (b->data[1] & 0x80)));
	if (b->size == 0 || (b->data[0] & 0x80))
		return -1;
	for (size_t i = 0; i < b->size; i++) {
		if (v > 0x7fffff)
			return -1;
		v = (v << 8) | b->data[i];
	}
	return v;
}

/* Does the HeaderField at PATH carry field-Status explicitly?  Its
 * SEQUENCE then holds three elements. */
static bool status_is_explicit(asn1_node n, const uint8_t *der, size_t len, const char *path)
{
	size_t s, e, t;
	const uint8_t *v;
	size_t vl, count = 0;
	uint8_t id;
	if (_cachet_asn1_range(n, der, len, path, &s, &e) < 0 ||
	    _cachet_der_parse(der + s, e - s + 1, &id, &v, &vl, &t) < 0)
		return false;
	for (size_t off = 0; off < vl; off += t, count++) {
		const uint8_t *iv;
		size_t ivl;
		if (_cachet_der_parse(v + off, vl - off, &id, &iv, &ivl, &t) < 0)
			return false;
	}
	return count == 3;
}

int _cachet_sechdr_decode(const uint8_t *der, size_t len, sechdr_t *out, cachet_diag_t *diag)
{
	asn1_node n = NULL;
	cbuf_t b = {0}, nm = {0}, re = {0};
	unsigned count = 0;
	char path[96];
	bool minimal;
	int ret;

	if (der == NULL || out == NULL)
		return CACHET_E_INVALID_ARG;
	memset(out, 0, sizeof(*out));
	ENSURE(len <= CACHET_SECHDR_MAX_DER, CACHET_E_SIZE_LIMIT, NULL, PATH,
	       "attribute value of %zu octets (at most %u)", len, CACHET_SECHDR_MAX_DER);
	/* BER is taken (RFC 7508 appendix B writes the default status); the
	 * re-encoding below tells whether it was DER. */
	CHECK(_cachet_asn1_decode("CachetSecHdr.SecureHeaderFields", der, len, false, &n, PATH, RULE_SYNTAX, diag));

	CHECK(_cachet_asn1_read(n, "canonAlgorithm", &b));
	long alg = small_int(&b, &minimal);
	ENSURE(alg == CACHET_SECHDR_SIMPLE || alg == CACHET_SECHDR_RELAXED, CACHET_E_MALFORMED, "RFC 7508 section 4.3",
	       PATH ".canonAlgorithm", "canonAlgorithm %ld is neither canonAlgorithmSimple(0) nor "
	       "canonAlgorithmRelaxed(1)", alg);
	if (!minimal)
		out->notes |= CACHET_SECHDR_NOTE_NOT_DER;
	out->canon = (int)alg;

	CHECK(_cachet_asn1_count(n, "secHeaderFields", &count));
	ENSURE(count >= 1, CACHET_E_MALFORMED, RULE_SYNTAX, PATH ".secHeaderFields",
	       "no header field (HeaderFields is SEQUENCE SIZE (1..MAX))");
	ENSURE(count <= CACHET_SECHDR_MAX_FIELDS, CACHET_E_COUNT_LIMIT, NULL, PATH ".secHeaderFields",
	       "%u header fields (at most %d)", count, CACHET_SECHDR_MAX_FIELDS);
	out->fields = _cachet_calloc(count, sizeof(*out->fields));
	ENSURE(out->fields, CACHET_E_NOMEM, NULL, NULL, "out of memory");

	for (unsigned i = 1; i <= count; i++) {
		_cachet_buf_free(&nm);
		_cachet_buf_free(&b);
		CHECK(_cachet_asn1_read(n, _cachet_asn1_path(path, sizeof(path), "secHeaderFields", i, "field-Name"),
					&nm));
		CHECK(_cachet_asn1_read(n, _cachet_asn1_path(path, sizeof(path), "secHeaderFields", i, "field-Value"),
					&b));
		long status = CACHET_SECHDR_DUPLICATED;
		cbuf_t sb = {0};
		ret = _cachet_asn1_read(n, _cachet_asn1_path(path, sizeof(path), "secHeaderFields", i, "field-Status"),
					&sb);
		if (ret == 0) {
			status = small_int(&sb, &minimal);
			if (!minimal)
				out->notes |= CACHET_SECHDR_NOTE_NOT_DER;
		}
		_cachet_buf_free(&sb);
		if (ret < 0 && ret != CACHET_E_END)
			goto cleanup;
		if (status == CACHET_SECHDR_DUPLICATED &&
		    status_is_explicit(n, der, len, _cachet_asn1_path(path, sizeof(path), "secHeaderFields", i, "")))
			out->notes |= CACHET_SECHDR_NOTE_EXPLICIT_DEFAULT;
		/* field_ok wants the name as octets: a NUL inside would cut a C
		 * string, so it is checked on the buffer. */
		ENSURE(memchr(nm.data ? (const void *)nm.data : "", 0, nm.size) == NULL, CACHET_E_MALFORMED,
		       RULE_SYNTAX, PATH ".secHeaderFields", "field %u: NUL in field-Name", i - 1);
		CHECK(field_ok((const char *)(nm.data ? nm.data : (uint8_t *)""), nm.size, b.data ? b.data : (uint8_t *)"",
			       b.size, (int)status, i - 1, diag));
		CHECK(push_field(out, (const char *)(nm.data ? nm.data : (uint8_t *)""), nm.size,
				 (const char *)(b.data ? b.data : (uint8_t *)""), b.size, (int)status));
	}
	/* DER or not: encode what was read and compare. */
	ret = _cachet_sechdr_encode_value(out, &re, NULL);
	if (ret < 0 || re.size != len || memcmp(re.data, der, len) != 0)
		out->notes |= CACHET_SECHDR_NOTE_NOT_DER;
	ret = 0;
cleanup:
	_cachet_asn1_delete(&n, false);
	_cachet_buf_free(&b);
	_cachet_buf_free(&nm);
	_cachet_buf_free(&re);
	return ret;
}

/* ================================================================== */
/* Comparing (RFC 7508 section 4.5.2)                                  */
/* ================================================================== */

/* Append S, at most 160 octets of it, with CR, LF and other controls
 * escaped, inside double quotes. */
static int quoted(cbuf_t *b, const char *s)
{
	int ret;
	size_t n = strlen(s), lim = n > 160 ? 160 : n;
	CHECK_RET(_cachet_buf_append(b, "\"", 1));
	for (size_t i = 0; i < lim; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\r')
			CHECK_RET(_cachet_buf_append(b, "\\r", 2));
		else if (c == '\n')
			CHECK_RET(_cachet_buf_append(b, "\\n", 2));
		else if (c == '"' || c == '\\')
			CHECK_RET(_cachet_buf_printf(b, "\\%c", c));
		else if (c < 0x20 || c == 0x7f)
			CHECK_RET(_cachet_buf_printf(b, "\\x%02x", c));
		else
			CHECK_RET(_cachet_buf_append(b, &s[i], 1));
	}
	CHECK_RET(_cachet_buf_append(b, n > lim ? "\"..." : "\"", n > lim ? 4 : 1));
	return 0;
}

/* One finding line: "secure header NAME: WHAT" [value "..."] [(RULE)]. */
static int finding(cbuf_t *out, const char *name, const char *what, const char *value, const char *tail)
{
	cbuf_t line = {0};
	int ret;
	CHECK(_cachet_buf_printf(&line, "secure header '%s': %s", name, what));
	if (value) {
		CHECK(_cachet_buf_append(&line, " ", 1));
		CHECK(quoted(&line, value));
	}
	if (tail)
		CHECK(_cachet_buf_printf(&line, " %s", tail));
	CHECK(buf_cstr(&line));
	CHECK(CACHET_FINDING(out, "%s", (const char *)line.data));
cleanup:
	_cachet_buf_free(&line);
	return ret;
}

int _cachet_sechdr_compare(const sechdr_t *s, const cachet_mime_header_t *h, const char *const *mandatory,
			   cbuf_t *findings, int *verdict)
{
	cbuf_t body = {0}, sn = {0}, sv = {0}, mn = {0}, mv = {0};
	int ret = 0;

	if (s == NULL || h == NULL || findings == NULL || verdict == NULL)
		return CACHET_E_INVALID_ARG;
	if (s->canon != CACHET_SECHDR_SIMPLE && s->canon != CACHET_SECHDR_RELAXED)
		return CACHET_E_INVALID_ARG;
	*verdict = 0;
	for (size_t i = 0; i < s->n; i++) {
		const sechdr_field_t *f = &s->fields[i];
		bool confidential = f->status != CACHET_SECHDR_DUPLICATED;
		/* Step 3: the instance of this name that this field stands for
		 * (the k-th of its name in the attribute, the k-th in H). */
		size_t k = 0;
		for (size_t j = 0; j < i; j++)
			k += name_eq(s->fields[j].name, f->name);
		const cachet_mime_field_t *mf = _cachet_mime_header_get(h, f->name, k);
		_cachet_buf_free(&sn);
		_cachet_buf_free(&sv);
		CHECK(_cachet_sechdr_canon(s->canon, f->name, f->value, &sn, &sv));
		if (mf == NULL) {
			if (confidential) {
				CHECK(finding(findings, f->name, "absent, signed value", f->value,
					      confidential && f->status == CACHET_SECHDR_DELETED
						      ? "(status deleted: confidential per RFC 7508 4.4, not restored "
							"(no DCA))"
						      : "(status modified: confidential per RFC 7508 4.4, not restored "
							"(no DCA))"));
			} else {
				CHECK(finding(findings, f->name, "missing from the message, signed value", f->value,
					      "(RFC 7508 section 4.5.2)"));
				*verdict = CACHET_E_ATTR_MISMATCH;
			}
			continue;
		}
		/* Step 4: canonicalise the message's field; step 5: compare. */
		CHECK(canon_field(s->canon, mf, &body, &mn, &mv));
		bool same = sn.size == mn.size && memcmp(sn.data, mn.data, sn.size) == 0 && sv.size == mv.size &&
			    memcmp(sv.data, mv.data, sv.size) == 0;
		if (same) {
			CHECK(finding(findings, f->name, "matches the signed value", f->value, NULL));
		} else if (confidential) {
			CHECK(finding(findings, f->name, "differs, signed value", f->value,
				      f->status == CACHET_SECHDR_DELETED
					      ? "(status deleted: confidential per RFC 7508 4.4, not restored (no DCA))"
					      : "(status modified: confidential per RFC 7508 4.4, not restored (no DCA))"));
		} else {
			CHECK(finding(findings, f->name, "differs from the signed value", f->value, NULL));
			CHECK(finding(findings, f->name, "the message has", (const char *)mv.data,
				      "(RFC 7508 section 4.5.2)"));
			*verdict = CACHET_E_ATTR_MISMATCH;
		}
	}
	/* RFC 7508 section 4.5.1: every instance of a protected name is in
	 * the attribute; more in the message means one was added. */
	for (size_t i = 0; i < s->n; i++) {
		bool first = true;
		size_t in_attr = 0;
		for (size_t j = 0; j < s->n; j++) {
			if (name_eq(s->fields[j].name, s->fields[i].name)) {
				first &= j >= i;
				in_attr++;
			}
		}
		size_t in_msg = _cachet_mime_header_count(h, s->fields[i].name);
		if (first && in_msg > in_attr) {
			char what[96];
			snprintf(what, sizeof(what), "%zu instance%s in the message, %zu signed", in_msg,
				 in_msg == 1 ? "" : "s", in_attr);
			CHECK(finding(findings, s->fields[i].name, what, NULL,
				      "(an unsigned instance was added; RFC 7508 section 4.5.1)"));
			/* [rfc7508-4.5.2-mention-extra] Step 6: "This warning
			 * MUST mention extra fields": each instance past the
			 * signed ones (they compare in order), with its value. */
			for (size_t k = in_attr; k < in_msg; k++) {
				const cachet_mime_field_t *mf = _cachet_mime_header_get(h, s->fields[i].name, k);
				if (mf == NULL)
					continue;
				CHECK(canon_field(s->canon, mf, &body, &mn, &mv));
				CHECK(finding(findings, s->fields[i].name, "extra field, not signed, in the message:",
					      (const char *)mv.data, "(RFC 7508 section 4.5.2 step 6)"));
			}
			*verdict = CACHET_E_ATTR_MISMATCH;
		}
	}
	/* Step 7: fields the policy protects, present but not signed. */
	for (size_t k = 0; mandatory && mandatory[k]; k++) {
		bool covered = false;
		for (size_t i = 0; i < s->n && !covered; i++)
			covered = name_eq(s->fields[i].name, mandatory[k]);
		if (!covered && _cachet_mime_header_count(h, mandatory[k]) > 0)
			CHECK(finding(findings, mandatory[k], "warning: present in the message but not protected by the "
				      "signature", NULL, "(RFC 7508 section 4.5.2 step 7)"));
	}
cleanup:
	_cachet_buf_free(&body);
	_cachet_buf_free(&sn);
	_cachet_buf_free(&sv);
	_cachet_buf_free(&mn);
	_cachet_buf_free(&mv);
	return ret;
}

const char *const _cachet_sechdr_policy[] = {
	"From", "Sender", "Reply-To", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To",
	"References", NULL,
};
