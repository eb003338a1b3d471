/* t-sechdr.c -- Secure Headers (RFC 7508, src/lib/sechdr.c): header
 * canonicalisation (RFC 6376 sections 3.4.1, 3.4.2), the DER of the
 * SecureHeaderFields attribute, decoding (RFC 7508 appendix B, bad
 * inputs, limits), the comparison of RFC 7508 section 4.5.2, and a
 * signature carrying the attribute through cachet_sign_add_attribute(),
 * cachet_verify_run() and `openssl cms -verify`. */
#include <config.h>

#include "crypto.h"
#include "internal.h"
#include "mime.h"
#include "report.h"
#include "sechdr.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *pki;

static bool cstr_is(const cbuf_t *b, const char *want)
{
	return b->size == strlen(want) && memcmp(b->data, want, b->size) == 0 && b->data[b->size] == '\0';
}

static bool canon_is(int canon, const char *name, const char *value, const char *want_name, const char *want_value)
{
	cbuf_t n = {0}, v = {0};
	bool r = _cachet_sechdr_canon(canon, name, value, &n, &v) == 0 && cstr_is(&n, want_name) &&
		 cstr_is(&v, want_value);
	if (!r)
		diag("got name '%.*s' value '%.*s'", (int)n.size, n.data ? (char *)n.data : "", (int)v.size,
		     v.data ? (char *)v.data : "");
	_cachet_buf_free(&n);
	_cachet_buf_free(&v);
	return r;
}

static int parse_hdr(const char *text, cachet_mime_header_t *h)
{
	cachet_source_t *src = NULL;
	memset(h, 0, sizeof(*h));
	int ret = cachet_source_init_mem(&src, (const uint8_t *)text, strlen(text));
	if (ret == 0)
		ret = _cachet_mime_header_read(h, src, NULL);
	cachet_source_deinit(src);
	return ret;
}

/* The value (SET) inside a DER Attribute built by _cachet_sechdr_encode*. */
static bool attr_value(const cbuf_t *attr, const uint8_t **v, size_t *vl)
{
	const uint8_t *in, *set;
	size_t inl, t, setl, t2;
	uint8_t id;
	if (_cachet_der_parse(attr->data, attr->size, &id, &in, &inl, &t) < 0 || id != 0x30 || t != attr->size)
		return false;
	/* OID 1.2.840.113549.1.9.16.2.55 */
	static const uint8_t oid[] = {0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x37};
	if (inl < sizeof(oid) || memcmp(in, oid, sizeof(oid)) != 0)
		return false;
	if (_cachet_der_parse(in + sizeof(oid), inl - sizeof(oid), &id, &set, &setl, &t2) < 0 || id != 0x31 ||
	    t2 != inl - sizeof(oid))
		return false;
	*v = set;
	*vl = setl;
	return true;
}

static bool has_line(const cbuf_t *f, const char *a, const char *b)
{
	char *s = _cachet_malloc(f->size + 1);
	if (s == NULL)
		return false;
	memcpy(s, f->data ? (const char *)f->data : "", f->size);
	s[f->size] = '\0';
	bool found = false;
	for (char *line = strtok(s, "\n"); line && !found; line = strtok(NULL, "\n"))
		found = strstr(line, a) != NULL && (b == NULL || strstr(line, b) != NULL);
	free(s);
	return found;
}

static void t_canon(void)
{
	/* RFC 6376 section 3.4.1: simple changes nothing. */
	ok(canon_is(CACHET_SECHDR_SIMPLE, "SubJect", " Hello\r\n \tWorld  ", "SubJect", " Hello\r\n \tWorld  "),
	   "simple: name and value unchanged (case, fold, whitespace)");
	/* RFC 6376 section 3.4.2. */
	ok(canon_is(CACHET_SECHDR_RELAXED, "SubJect", " Hello\r\n \tWorld  ", "subject", "Hello World"),
	   "relaxed: name lowercased, fold removed, WSP run one SP, outer WSP gone");
	ok(canon_is(CACHET_SECHDR_RELAXED, "X-A \t", "a  b\t\tc", "x-a", "a b c"),
	   "relaxed: WSP before the colon removed, inner runs collapsed");
	ok(canon_is(CACHET_SECHDR_RELAXED, "X-Empty", "", "x-empty", ""), "relaxed: empty value stays empty");
	ok(canon_is(CACHET_SECHDR_RELAXED, "X-Empty", " \t\r\n ", "x-empty", ""),
	   "relaxed: whitespace-only value becomes empty");
	ok(canon_is(CACHET_SECHDR_RELAXED, "X-U", " caf\xc3\xa9  cr\xc3\xa8me", "x-u", "caf\xc3\xa9 cr\xc3\xa8me"),
	   "relaxed: UTF-8 octets pass unchanged");
	/* Idempotence: canonicalising a canonical value again changes nothing
	 * (a verifier canonicalises the stored side too). */
	ok(canon_is(CACHET_SECHDR_RELAXED, "x-a", "a b c", "x-a", "a b c"), "relaxed: idempotent");
	cbuf_t n = {0}, v = {0};
	ok(_cachet_sechdr_canon(7, "a", "b", &n, &v) == CACHET_E_INVALID_ARG, "unknown algorithm refused");
	_cachet_buf_free(&n);
	_cachet_buf_free(&v);

	/* The field body taken from the raw octets. */
	cachet_mime_header_t h;
	cbuf_t b = {0};
	ok(parse_hdr("Subject:  Hi\r\n there \r\n\r\n", &h) == 0 && _cachet_sechdr_field_body(&h.fields[0], &b) == 0 &&
		   cstr_is(&b, "  Hi\r\n there "),
	   "field body: after the colon, fold kept, final CRLF dropped");
	_cachet_buf_free(&b);
	_cachet_mime_header_deinit(&h);
	ok(parse_hdr("Subject: a\n b\n\n", &h) == 0 && _cachet_sechdr_field_body(&h.fields[0], &b) == 0 &&
		   cstr_is(&b, " a\r\n b"),
	   "field body: a bare-LF fold is read as CRLF");
	_cachet_buf_free(&b);
	_cachet_mime_header_deinit(&h);
}

/* RFC 7508 appendix B, the SecureHeaderFields SET exactly as dumped
 * (offsets 2305-2438): ENUMERATED in four octets, field-Status INTEGER 0
 * written out for each field.  Neither is DER. */
static const uint8_t appendix_b[] = {
	0x31, 0x81, 0x83,			  /* SET, 131 */
	0x0a, 0x04, 0x00, 0x00, 0x00, 0x01,	  /* ENUMERATED 1 (4 octets) */
	0x30, 0x7b,				  /* SEQUENCE, 123 */
	0x30, 0x28,				  /* SEQUENCE, 40 */
	0x1a, 0x19, 'x', '-', 'x', 'i', 'm', 'f', '-', 'p', 'r', 'i', 'm', 'a', 'r', 'y', '-', 'p', 'r', 'e', 'c',
	'e', 'd', 'e', 'n', 'c', 'e',		  /* VisibleString, 25 */
	0x0c, 0x08, 'p', 'r', 'i', 'o', 'r', 'i', 't', 'y', /* UTF8String, 8 */
	0x02, 0x01, 0x00,				    /* INTEGER 0 */
	0x30, 0x29,					    /* SEQUENCE, 41 */
	0x1a, 0x1a, 'x', '-', 'x', 'i', 'm', 'f', '-', 'c', 'o', 'r', 'r', 'e', 's', 'p', 'o', 'n', 'd', 'a', 'n',
	'c', 'e', '-', 't', 'y', 'p', 'e',		    /* VisibleString, 26 */
	0x0c, 0x08, 'o', 'f', 'f', 'i', 'c', 'i', 'a', 'l', /* UTF8String, 8 */
	0x02, 0x01, 0x00,				    /* INTEGER 0 */
	0x30, 0x24,					    /* SEQUENCE, 36 */
	0x1a, 0x07, 's', 'u', 'b', 'j', 'e', 'c', 't',	    /* VisibleString, 7 */
	0x0c, 0x16, 'T', 'h', 'i', 's', ' ', 'i', 's', ' ', 'a', ' ', 't', 'e', 's', 't', ' ', 'o', 'f', ' ', 'E',
	'x', 't', '.',	  /* UTF8String, 22 */
	0x02, 0x01, 0x00, /* INTEGER 0 */
};

static int decode(const uint8_t *p, size_t n, sechdr_t *s)
{
	cachet_diag_t *d = NULL;
	if (cachet_diag_init(&d) < 0)
		return CACHET_E_NOMEM;
	int ret = _cachet_sechdr_decode(p, n, s, d);
	if (ret < 0 && cachet_diag_count(d) > 0) {
		const char *rule = NULL, *detail = NULL;
		if (cachet_diag_get(d, 0, NULL, NULL, &rule, &detail) == 0)
			diag("decode: %s (%s)", detail ? detail : "", rule ? rule : "");
	}
	cachet_diag_deinit(d);
	return ret;
}

static void t_appendix_b(void)
{
	sechdr_t s = {0};
	ok(sizeof(appendix_b) == 134, "appendix B value is 134 octets as the dump says");
	int ret = decode(appendix_b, sizeof(appendix_b), &s);
	ok(ret == 0, "RFC 7508 appendix B decodes (%d)", ret);
	ok(ret == 0 && s.canon == CACHET_SECHDR_RELAXED && s.n == 3, "appendix B: relaxed, three fields");
	ok(ret == 0 && s.n == 3 && strcmp(s.fields[0].name, "x-ximf-primary-precedence") == 0 &&
		   strcmp(s.fields[0].value, "priority") == 0 && strcmp(s.fields[1].name, "x-ximf-correspondance-type") == 0 &&
		   strcmp(s.fields[1].value, "official") == 0 && strcmp(s.fields[2].name, "subject") == 0 &&
		   strcmp(s.fields[2].value, "This is a test of Ext.") == 0,
	   "appendix B: names and values");
	ok(ret == 0 && s.n == 3 && s.fields[0].status == 0 && s.fields[1].status == 0 && s.fields[2].status == 0,
	   "appendix B: every status duplicated");
	ok((s.notes & CACHET_SECHDR_NOTE_EXPLICIT_DEFAULT) && (s.notes & CACHET_SECHDR_NOTE_NOT_DER),
	   "appendix B is noted as BER: explicit default status, 4-octet ENUMERATED (X.690 11.5, 8.3.2)");
	/* Re-encoded as DER: 9 octets of INTEGER 0 and 3 of ENUMERATED fewer,
	 * so the SET's length fits the short form: 2 + 119 octets. */
	cbuf_t der = {0};
	sechdr_t again = {0};
	ok(ret == 0 && _cachet_sechdr_encode_value(&s, &der, NULL) == 0 && der.size == 121 &&
		   der.data[0] == 0x31 && der.data[1] == 0x77 && memcmp(der.data + 2, "\x0a\x01\x01\x30", 4) == 0,
	   "appendix B re-encoded as DER: ENUMERATED 0a 01 01 before the SEQUENCE, no INTEGER 0");
	ok(decode(der.data, der.size, &again) == 0 && again.notes == 0 && _cachet_sechdr_is_equal(&s, &again),
	   "the DER form decodes to the same fields, with no BER note");
	_cachet_sechdr_deinit(&again);
	_cachet_buf_free(&der);
	_cachet_sechdr_deinit(&s);
}

static void t_encode(void)
{
	/* Hand-computed DER of { relaxed, { subject "hi" } }. */
	static const uint8_t want1[] = {0x31, 0x14, 0x0a, 0x01, 0x01, 0x30, 0x0f, 0x30, 0x0d, 0x1a, 0x07, 's', 'u',
					'b',  'j',  'e',  'c',  't',  0x0c, 0x02, 'h',	'i'};
	sechdr_field_t f1 = {(char *)"subject", (char *)"hi", CACHET_SECHDR_DUPLICATED};
	sechdr_t s1 = {CACHET_SECHDR_RELAXED, &f1, 1, 0};
	cbuf_t b = {0};
	ok(_cachet_sechdr_encode_value(&s1, &b, NULL) == 0 && b.size == sizeof(want1) &&
		   memcmp(b.data, want1, sizeof(want1)) == 0,
	   "DER: SET { ENUMERATED, SEQUENCE OF }, status duplicated omitted (X.690 11.5)");
	_cachet_buf_free(&b);
	/* Status deleted is written: INTEGER 1. */
	sechdr_field_t f2 = {(char *)"subject", (char *)"", CACHET_SECHDR_DELETED};
	sechdr_t s2 = {CACHET_SECHDR_SIMPLE, &f2, 1, 0};
	static const uint8_t want2[] = {0x31, 0x15, 0x0a, 0x01, 0x00, 0x30, 0x10, 0x30, 0x0e, 0x1a, 0x07, 's', 'u',
					'b',  'j',  'e',  'c',	't',  0x0c, 0x00, 0x02, 0x01, 0x01};
	ok(_cachet_sechdr_encode_value(&s2, &b, NULL) == 0 && b.size == sizeof(want2) &&
		   memcmp(b.data, want2, sizeof(want2)) == 0,
	   "DER: empty value is a zero-length UTF8String; status deleted written as INTEGER 1");
	_cachet_buf_free(&b);
	sechdr_field_t bad = {(char *)"Sub:ject", (char *)"x", 0};
	sechdr_t s3 = {CACHET_SECHDR_RELAXED, &bad, 1, 0};
	ok(_cachet_sechdr_encode_value(&s3, &b, NULL) < 0, "encoding refuses ':' in a name");
	_cachet_buf_free(&b);
	sechdr_t s4 = {CACHET_SECHDR_RELAXED, &f1, 0, 0};
	ok(_cachet_sechdr_encode_value(&s4, &b, NULL) == CACHET_E_INVALID_ARG, "encoding refuses zero fields");
	_cachet_buf_free(&b);

	/* From a message header: every instance, in order. */
	cachet_mime_header_t h;
	const char *msg = "From: Alice <alice@example.com>\r\n"
			  "To: Bob <bob@example.com>\r\n"
			  "Subject:  Quarterly\r\n   report \r\n"
			  "X-Tag: one\r\n"
			  "X-Empty:\r\n"
			  "x-tag: two\r\n"
			  "\r\n";
	const char *names[] = {"subject", "X-TAG", "x-empty", "x-absent", "Subject", NULL};
	cbuf_t attr = {0};
	sechdr_t d = {0};
	const uint8_t *v = NULL;
	size_t vl = 0;
	int ret = parse_hdr(msg, &h);
	ok(ret == 0, "test header parses");
	ret = _cachet_sechdr_encode(&h, names, CACHET_SECHDR_RELAXED, &attr, NULL);
	ok(ret == 0 && attr_value(&attr, &v, &vl), "encode: an Attribute with id-aa-secureHeaderFieldsIdentifier (%d)",
	   ret);
	ok(v && decode(v, vl, &d) == 0 && d.notes == 0 && d.canon == CACHET_SECHDR_RELAXED && d.n == 4,
	   "encode -> decode: DER, relaxed, four fields (a name listed twice counts once)");
	ok(d.n == 4 && strcmp(d.fields[0].name, "subject") == 0 && strcmp(d.fields[0].value, "Quarterly report") == 0,
	   "stored relaxed: lowercase name, unfolded value");
	ok(d.n == 4 && strcmp(d.fields[1].name, "x-tag") == 0 && strcmp(d.fields[1].value, "one") == 0 &&
		   strcmp(d.fields[2].name, "x-tag") == 0 && strcmp(d.fields[2].value, "two") == 0,
	   "both X-Tag instances, in message order (RFC 7508 section 4.5.1)");
	ok(d.n == 4 && strcmp(d.fields[3].name, "x-empty") == 0 && d.fields[3].value[0] == '\0',
	   "the empty field has a zero-length value (RFC 7508 section 4.5.1)");
	int verdict = -1;
	cbuf_t fnd = {0};
	ok(_cachet_sechdr_compare(&d, &h, NULL, &fnd, &verdict) == 0 && verdict == 0 &&
		   has_line(&fnd, "'subject'", "matches"),
	   "the message matches its own attribute");
	_cachet_buf_free(&fnd);
	_cachet_sechdr_deinit(&d);
	_cachet_buf_free(&attr);

	/* simple keeps the field as written. */
	const char *names2[] = {"Subject", NULL};
	ret = _cachet_sechdr_encode(&h, names2, CACHET_SECHDR_SIMPLE, &attr, NULL);
	ok(ret == 0 && attr_value(&attr, &v, &vl) && decode(v, vl, &d) == 0 && d.n == 1 &&
		   strcmp(d.fields[0].name, "Subject") == 0 && strcmp(d.fields[0].value, "  Quarterly\r\n   report ") == 0,
	   "stored simple: name and body as written (folds as CRLF)");
	_cachet_sechdr_deinit(&d);
	_cachet_buf_free(&attr);
	const char *none[] = {"x-nothing", NULL};
	ok(_cachet_sechdr_encode(&h, none, CACHET_SECHDR_RELAXED, &attr, NULL) == CACHET_E_INVALID_ARG && attr.size == 0,
	   "encode: none of the names present is refused (SIZE (1..MAX))");
	ok(_cachet_sechdr_encode(&h, names2, 2, &attr, NULL) == CACHET_E_INVALID_ARG, "encode: unknown algorithm refused");
	_cachet_buf_free(&attr);
	_cachet_mime_header_deinit(&h);
}

/* Build a SecureHeaderFields SET from N fields named "f<i>" by hand. */
static void many(cbuf_t *out, unsigned n)
{
	cbuf_t seq = {0};
	for (unsigned i = 0; i < n; i++) {
		char name[16];
		size_t off = seq.size;
		int l = snprintf(name, sizeof(name), "f%u", i);
		if (_cachet_der_append(&seq, 0x1a, (const uint8_t *)name, (size_t)l) < 0 ||
		    _cachet_der_append(&seq, 0x0c, (const uint8_t *)"v", 1) < 0 || _cachet_der_wrap(&seq, off, 0x30) < 0)
			abort();
	}
	if (_cachet_buf_append(out, "\x0a\x01\x01", 3) < 0 || _cachet_der_append(out, 0x30, seq.data, seq.size) < 0 ||
	    _cachet_der_wrap(out, 0, 0x31) < 0)
		abort();
	_cachet_buf_free(&seq);
}

static void t_bad(void)
{
	sechdr_t s = {0};
#define BAD(bytes, want, what)                                                                                 \
	do {                                                                                                   \
		static const uint8_t in_[] = bytes;                                                            \
		int r_ = decode(in_, sizeof(in_), &s);                                                         \
		ok(r_ == (want), "%s (%d)", what, r_);                                                         \
		_cachet_sechdr_deinit(&s);                                                                     \
	} while (0)
#define B(...) {__VA_ARGS__}
	BAD(B(0x31, 0x0c, 0x0a, 0x01, 0x01, 0x30, 0x07, 0x30, 0x05, 0x1a, 0x01, ':', 0x0c, 0x00), CACHET_E_MALFORMED,
	    "':' in a field-Name is refused (RFC 7508 section 4.1)");
	BAD(B(0x31, 0x0e, 0x0a, 0x01, 0x01, 0x30, 0x09, 0x30, 0x07, 0x1a, 0x01, 'a', 0x0c, 0x02, 0xc0, 0x80),
	    CACHET_E_MALFORMED, "an overlong UTF-8 value is refused");
	BAD(B(0x31, 0x0d, 0x0a, 0x01, 0x01, 0x30, 0x08, 0x30, 0x06, 0x1a, 0x01, 'a', 0x0c, 0x01, 0xff),
	    CACHET_E_MALFORMED, "an 0xff octet in a value is refused");
	BAD(B(0x31, 0x0e, 0x0a, 0x01, 0x01, 0x30, 0x09, 0x30, 0x07, 0x1a, 0x01, 'a', 0x0c, 0x02, 0xed, 0xa0),
	    CACHET_E_MALFORMED, "a truncated UTF-8 sequence is refused");
	BAD(B(0x31, 0x05, 0x0a, 0x01, 0x01, 0x30, 0x00), CACHET_E_MALFORMED,
	    "an empty HeaderFields is refused (SIZE (1..MAX))");
	BAD(B(0x31, 0x0b, 0x0a, 0x01, 0x01, 0x30, 0x06, 0x30, 0x04, 0x1a, 0x00, 0x0c, 0x00), CACHET_E_MALFORMED,
	    "an empty field-Name is refused");
	BAD(B(0x31, 0x0c, 0x0a, 0x01, 0x02, 0x30, 0x07, 0x30, 0x05, 0x1a, 0x01, 'a', 0x0c, 0x00), CACHET_E_MALFORMED,
	    "canonAlgorithm 2 is refused");
	BAD(B(0x31, 0x0f, 0x0a, 0x01, 0x01, 0x30, 0x0a, 0x30, 0x08, 0x1a, 0x01, 'a', 0x0c, 0x00, 0x02, 0x01, 0x03),
	    CACHET_E_MALFORMED, "field-Status 3 is refused (RFC 7508 section 4.4)");
	BAD(B(0x31, 0x0f, 0x0a, 0x01, 0x01, 0x30, 0x0a, 0x30, 0x08, 0x1a, 0x01, 'a', 0x0c, 0x00, 0x02, 0x01, 0xff),
	    CACHET_E_MALFORMED, "field-Status -1 is refused");
	BAD(B(0x31, 0x0c, 0x0a, 0x01, 0x01, 0x30, 0x07, 0x30, 0x05, 0x1a, 0x01, 'a', 0x0c, 0x01), CACHET_E_MALFORMED,
	    "a truncated encoding is refused");
	BAD(B(0x31, 0x0c, 0x0a, 0x01, 0x01, 0x30, 0x07, 0x30, 0x05, 0x1a, 0x01, 'a', 0x0c, 0x00, 0x00), CACHET_E_MALFORMED,
	    "trailing octets are refused");
	BAD(B(0x31, 0x0c, 0x0a, 0x01, 0x01, 0x30, 0x07, 0x30, 0x05, 0x1a, 0x01, 0x01, 0x0c, 0x00), CACHET_E_MALFORMED,
	    "a control character in a field-Name is refused (VisibleString)");
	BAD(B(0x31, 0x0e, 0x0a, 0x01, 0x01, 0x30, 0x09, 0x30, 0x07, 0x1a, 0x01, 'a', 0x0c, 0x02, 'a', 0x00),
	    CACHET_E_MALFORMED, "a NUL in a value is refused");
	BAD(B(0x30, 0x0c, 0x0a, 0x01, 0x01, 0x30, 0x07, 0x30, 0x05, 0x1a, 0x01, 'a', 0x0c, 0x00), CACHET_E_MALFORMED,
	    "a SEQUENCE instead of the SET is refused");
	/* BER orders accepted, but noted. */
	static const uint8_t swapped[] = {0x31, 0x0c, 0x30, 0x07, 0x30, 0x05, 0x1a, 0x01, 'a', 0x0c, 0x00, 0x0a, 0x01, 0x01};
	int r = decode(swapped, sizeof(swapped), &s);
	ok(r == 0 && s.n == 1 && (s.notes & CACHET_SECHDR_NOTE_NOT_DER) && !(s.notes & CACHET_SECHDR_NOTE_EXPLICIT_DEFAULT),
	   "SET components out of DER order: accepted, noted as not DER (%d)", r);
	_cachet_sechdr_deinit(&s);

	cbuf_t b = {0};
	many(&b, CACHET_SECHDR_MAX_FIELDS);
	r = decode(b.data, b.size, &s);
	ok(r == 0 && s.n == CACHET_SECHDR_MAX_FIELDS && s.notes == 0, "%d fields decode (the limit)",
	   CACHET_SECHDR_MAX_FIELDS);
	_cachet_sechdr_deinit(&s);
	_cachet_buf_free(&b);
	many(&b, CACHET_SECHDR_MAX_FIELDS + 1);
	r = decode(b.data, b.size, &s);
	ok(r == CACHET_E_COUNT_LIMIT, "%d fields are refused (CACHET_E_COUNT_LIMIT) (%d)", CACHET_SECHDR_MAX_FIELDS + 1, r);
	_cachet_sechdr_deinit(&s);
	_cachet_buf_free(&b);

	/* A name over 998 octets. */
	cbuf_t name = {0};
	for (int i = 0; i < CACHET_SECHDR_MAX_NAME + 1; i++)
		if (_cachet_buf_append(&name, "n", 1) < 0)
			abort();
	if (_cachet_der_append(&b, 0x1a, name.data, name.size) < 0 || _cachet_der_append(&b, 0x0c, NULL, 0) < 0 ||
	    _cachet_der_wrap(&b, 0, 0x30) < 0 || _cachet_der_wrap(&b, 0, 0x30) < 0)
		abort();
	cbuf_t full = {0};
	if (_cachet_buf_append(&full, "\x0a\x01\x01", 3) < 0 || _cachet_buf_append(&full, b.data, b.size) < 0 ||
	    _cachet_der_wrap(&full, 0, 0x31) < 0)
		abort();
	r = decode(full.data, full.size, &s);
	ok(r == CACHET_E_SIZE_LIMIT, "a field-Name of %d octets is refused (%d)", CACHET_SECHDR_MAX_NAME + 1, r);
	_cachet_sechdr_deinit(&s);
	_cachet_buf_free(&b);
	_cachet_buf_free(&full);
	_cachet_buf_free(&name);
#undef BAD
#undef B
}

/* Compare S (built from SIGNED with CANON, or given) with MSG. */
static int judge(const char *signed_hdr, const char *const *names, int canon, const char *msg,
		 const char *const *mandatory, cbuf_t *fnd, int *verdict)
{
	cachet_mime_header_t a, m;
	cbuf_t attr = {0};
	sechdr_t s = {0};
	const uint8_t *v;
	size_t vl;
	int ret = parse_hdr(signed_hdr, &a);
	if (ret == 0)
		ret = parse_hdr(msg, &m);
	if (ret == 0)
		ret = _cachet_sechdr_encode(&a, names, canon, &attr, NULL);
	if (ret == 0)
		ret = attr_value(&attr, &v, &vl) ? decode(v, vl, &s) : CACHET_E_INTERNAL;
	if (ret == 0)
		ret = _cachet_sechdr_compare(&s, &m, mandatory, fnd, verdict);
	_cachet_sechdr_deinit(&s);
	_cachet_buf_free(&attr);
	_cachet_mime_header_deinit(&a);
	_cachet_mime_header_deinit(&m);
	return ret;
}

static void t_compare(void)
{
	const char *orig = "From: alice@example.com\r\nSubject: Hello world\r\nX-Prio: high\r\n\r\n";
	const char *names[] = {"subject", "x-prio", NULL};
	cbuf_t f = {0};
	int v = -1;

	ok(judge(orig, names, CACHET_SECHDR_RELAXED, orig, NULL, &f, &v) == 0 && v == 0 &&
		   has_line(&f, "'subject'", "matches") && has_line(&f, "'x-prio'", "matches"),
	   "relaxed: identical header matches, one line per field");
	_cachet_buf_free(&f);
	ok(judge(orig, names, CACHET_SECHDR_RELAXED,
		 "From: alice@example.com\r\nSubject: Hello moon\r\nX-Prio: high\r\n\r\n", NULL, &f, &v) == 0 &&
		   v == CACHET_E_ATTR_MISMATCH && has_line(&f, "'subject'", "differs") &&
		   has_line(&f, "'subject'", "RFC 7508 section 4.5.2") && has_line(&f, "Hello moon", NULL),
	   "a changed value is a mismatch naming the field and RFC 7508 section 4.5.2");
	_cachet_buf_free(&f);
	ok(judge(orig, names, CACHET_SECHDR_RELAXED, "From: alice@example.com\r\nX-Prio: high\r\n\r\n", NULL, &f, &v) ==
			   0 &&
		   v == CACHET_E_ATTR_MISMATCH && has_line(&f, "'subject'", "missing") &&
		   has_line(&f, "'subject'", "RFC 7508 section 4.5.2") && !has_line(&f, "'x-prio'", "missing"),
	   "a missing field is a mismatch naming it");
	_cachet_buf_free(&f);
	const char *reflowed = "From: alice@example.com\r\nSUBJECT:\tHello \r\n    world  \r\nx-prio:high\r\n\r\n";
	ok(judge(orig, names, CACHET_SECHDR_RELAXED, reflowed, NULL, &f, &v) == 0 && v == 0,
	   "relaxed: name case, folding and whitespace changes still match");
	_cachet_buf_free(&f);
	ok(judge(orig, names, CACHET_SECHDR_SIMPLE, reflowed, NULL, &f, &v) == 0 && v == CACHET_E_ATTR_MISMATCH &&
		   has_line(&f, "'Subject'", "differs") && has_line(&f, "'X-Prio'", "differs"),
	   "simple: the same changes are mismatches");
	_cachet_buf_free(&f);
	ok(judge(orig, names, CACHET_SECHDR_SIMPLE, orig, NULL, &f, &v) == 0 && v == 0, "simple: identical header matches");
	_cachet_buf_free(&f);
	ok(judge(orig, names, CACHET_SECHDR_RELAXED,
		 "From: alice@example.com\r\nSubject: Hello world\r\nX-Prio: high\r\nSubject: injected\r\n\r\n", NULL, &f,
		 &v) == 0 &&
		   v == CACHET_E_ATTR_MISMATCH && has_line(&f, "'subject'", "2 instances"),
	   "an added instance of a protected name is a mismatch (RFC 7508 section 4.5.1)");
	/* [rfc7508-4.5.2-mention-extra] "This warning MUST mention extra
	 * fields": the added instance, with its value. */
	ok(v == CACHET_E_ATTR_MISMATCH && has_line(&f, "'subject'", "extra field") &&
		   has_line(&f, "extra field", "\"injected\"") && !has_line(&f, "extra field", "Hello world"),
	   "the warning for an added field mentions the extra field and its value (RFC 7508 section 4.5.2 step 6)");
	_cachet_buf_free(&f);
	const char *mand[] = {"From", "subject", "Date", NULL};
	ok(judge(orig, names, CACHET_SECHDR_RELAXED, orig, mand, &f, &v) == 0 && v == 0 &&
		   has_line(&f, "'From'", "not protected") && !has_line(&f, "'Date'", NULL) &&
		   !has_line(&f, "'subject'", "not protected"),
	   "step 7: a policy field present but not signed is a warning, not a mismatch");
	_cachet_buf_free(&f);

	/* Multiple instances compared in order. */
	const char *two = "X-Tag: a\r\nX-Tag: b\r\n\r\n";
	const char *tnames[] = {"x-tag", NULL};
	ok(judge(two, tnames, CACHET_SECHDR_RELAXED, two, NULL, &f, &v) == 0 && v == 0, "two instances match in order");
	_cachet_buf_free(&f);
	ok(judge(two, tnames, CACHET_SECHDR_RELAXED, "X-Tag: b\r\nX-Tag: a\r\n\r\n", NULL, &f, &v) == 0 &&
		   v == CACHET_E_ATTR_MISMATCH,
	   "two instances swapped are a mismatch");
	_cachet_buf_free(&f);
	ok(judge(two, tnames, CACHET_SECHDR_RELAXED, "X-Tag: a\r\nX-Tag: b\r\nX-Tag: c\r\n\r\n", NULL, &f, &v) == 0 &&
		   v == CACHET_E_ATTR_MISMATCH && has_line(&f, "'x-tag'", "3 instances in the message, 2 signed") &&
		   has_line(&f, "extra field", "\"c\"") && !has_line(&f, "extra field", "\"a\"") &&
		   !has_line(&f, "extra field", "\"b\""),
	   "a third instance where two are signed: the warning mentions the extra field, and only it");
	_cachet_buf_free(&f);

	/* Statuses deleted and modified (RFC 7508 section 4.4). */
	cachet_mime_header_t m;
	sechdr_field_t fl[3] = {
		{(char *)"subject", (char *)"Hello world", CACHET_SECHDR_DUPLICATED},
		{(char *)"x-secret", (char *)"the plan", CACHET_SECHDR_DELETED},
		{(char *)"x-prio", (char *)"high", CACHET_SECHDR_MODIFIED},
	};
	sechdr_t s = {CACHET_SECHDR_RELAXED, fl, 3, 0};
	ok(parse_hdr("Subject: Hello world\r\nX-Prio: This header is secured\r\n\r\n", &m) == 0 &&
		   _cachet_sechdr_compare(&s, &m, NULL, &f, &v) == 0 && v == 0 &&
		   has_line(&f, "'x-secret'", "not restored (no DCA)") && has_line(&f, "'x-secret'", "deleted") &&
		   has_line(&f, "'x-prio'", "not restored (no DCA)") && has_line(&f, "'x-prio'", "modified") &&
		   has_line(&f, "'subject'", "matches"),
	   "deleted and modified fields absent or different: reported confidential, no mismatch");
	_cachet_buf_free(&f);
	_cachet_mime_header_deinit(&m);

	/* A stored value that is not canonical still matches under relaxed
	 * (both sides are canonicalised). */
	sechdr_field_t raw = {(char *)"Subject", (char *)"  Hello   world ", 0};
	sechdr_t rs = {CACHET_SECHDR_RELAXED, &raw, 1, 0};
	ok(parse_hdr("subject: Hello world\r\n\r\n", &m) == 0 && _cachet_sechdr_compare(&rs, &m, NULL, &f, &v) == 0 &&
		   v == 0,
	   "relaxed: a non-canonical stored value is canonicalised before comparing");
	_cachet_buf_free(&f);
	_cachet_mime_header_deinit(&m);

	sechdr_t cp = {0};
	ok(_cachet_sechdr_copy(&cp, &s) == 0 && _cachet_sechdr_is_equal(&cp, &s) && !_cachet_sechdr_is_equal(&cp, &rs),
	   "copy and equality");
	_cachet_sechdr_deinit(&cp);
}

/* ---------------------------------------------------------------- signing */

static cachet_datum_t load(const char *name)
{
	char path[4096];
	unsigned char *p = NULL;
	size_t n = 0;
	cachet_datum_t d = {NULL, 0};
	snprintf(path, sizeof(path), "%s/%s", pki, name);
	if (tap_slurp(path, &p, &n) == 0) {
		d.data = p;
		d.size = n;
	}
	return d;
}

static int sign_with(const cbuf_t *attr, const char *const *signers, unsigned sflags, cachet_datum_t *out,
		     int *add_ret)
{
	cachet_sign_t *s = NULL;
	cachet_source_t *src = NULL;
	cachet_sink_t *snk = NULL;
	cachet_datum_t a = {attr ? attr->data : NULL, attr ? attr->size : 0};
	int ret = cachet_sign_init(&s);
	/* The first signer before the attribute, the others after. */
	for (size_t i = 0; signers[i] && ret == 0; i++) {
		char c[64], k[64];
		snprintf(c, sizeof(c), "%s.crt.pem", signers[i]);
		snprintf(k, sizeof(k), "%s.key.pem", signers[i]);
		cachet_datum_t cert = load(c), key = load(k);
		ret = cachet_sign_add_signer(s, &cert, &key, NULL, CACHET_DIGEST_DEFAULT, sflags, NULL);
		free(cert.data);
		free(key.data);
		if (ret == 0 && i == 0 && attr)
			ret = *add_ret = cachet_sign_add_attribute(s, &a, NULL);
	}
	cachet_datum_t chain = load("chain.pem");
	if (ret == 0)
		ret = cachet_sign_add_certs(s, &chain, NULL);
	free(chain.data);
	if (ret == 0)
		ret = cachet_source_init_mem(&src, (const uint8_t *)"Body.\r\n", 7);
	if (ret == 0)
		ret = cachet_sink_init_mem(&snk);
	if (ret == 0)
		ret = cachet_sign_run(s, src, snk, 0, NULL);
	if (ret == 0)
		ret = cachet_sink_take_mem(snk, out);
	cachet_sink_deinit(snk);
	cachet_source_deinit(src);
	cachet_sign_deinit(s);
	return ret;
}

static int verify(const cachet_datum_t *msg, cachet_report_t **rep)
{
	cachet_datum_t root = load("root-ca.crt.pem");
	cachet_verify_t *v = NULL;
	cachet_source_t *src = NULL;
	cachet_sink_t *snk = NULL;
	int ret = cachet_verify_init(&v);
	if (ret == 0)
		ret = cachet_verify_add_trust(v, &root, NULL);
	if (ret == 0)
		ret = cachet_source_init_mem(&src, msg->data, msg->size);
	if (ret == 0)
		ret = cachet_sink_init_mem(&snk);
	if (ret == 0)
		ret = cachet_verify_run(v, src, NULL, snk, rep, NULL);
	cachet_sink_deinit(snk);
	cachet_source_deinit(src);
	cachet_verify_deinit(v);
	free(root.data);
	return ret;
}

static bool check_is(const cachet_report_t *r, size_t signer, const char *name, cachet_check_status_t want,
		     const char *needle)
{
	for (size_t j = 0; j < cachet_report_check_count(r, signer); j++) {
		const char *n, *detail;
		cachet_check_status_t st;
		if (cachet_report_check_get(r, signer, j, &n, &st, NULL, NULL, &detail) == 0 && strcmp(n, name) == 0 &&
		    st == want && (needle == NULL || (detail && strstr(detail, needle))))
			return true;
	}
	return false;
}

/* A Attribute holding VALUE (DER SET) with the RFC 7508 OID. */
static void wrap_attr(cbuf_t *out, const uint8_t *value, size_t n)
{
	if (_cachet_der_oid(out, "1.2.840.113549.1.9.16.2.55") < 0 || _cachet_der_append(out, 0x31, value, n) < 0 ||
	    _cachet_der_wrap(out, 0, 0x30) < 0)
		abort();
}

static bool openssl_verifies(const cachet_datum_t *msg)
{
	char tmpl[] = "/tmp/t-sechdr-XXXXXX";
	int fd = mkstemp(tmpl);
	if (fd < 0)
		return false;
	bool ok_ = write(fd, msg->data, msg->size) == (ssize_t)msg->size;
	close(fd);
	char cmd[8192];
	snprintf(cmd, sizeof(cmd),
		 "openssl cms -verify -binary -inform DER -in '%s' -CAfile '%s/root-ca.crt.pem' "
		 "-out /dev/null 2>/dev/null",
		 tmpl, pki);
	ok_ = ok_ && system(cmd) == 0;
	unlink(tmpl);
	return ok_;
}

static void t_sign(void)
{
	cachet_mime_header_t h;
	cbuf_t attr = {0};
	cachet_datum_t msg = {NULL, 0};
	cachet_report_t *rep = NULL;
	const char *names[] = {"subject", "from", NULL};
	const char *alice[] = {"alice", NULL}, *two[] = {"alice", "carol", NULL};
	int add = -1;

	int ret = parse_hdr("From: Alice <alice@example.com>\r\nSubject: Signed  headers\r\n\r\n", &h);
	if (ret == 0)
		ret = _cachet_sechdr_encode(&h, names, CACHET_SECHDR_RELAXED, &attr, NULL);
	ok(ret == 0, "attribute built (%d)", ret);
	ret = sign_with(&attr, alice, 0, &msg, &add);
	ok(ret == 0 && add == 0, "cachet_sign_add_attribute + cachet_sign_run (%d, %d)", ret, add);
	ret = ret == 0 ? verify(&msg, &rep) : ret;
	ok(ret == 0 && cachet_report_signer_result(rep, 0) == 0, "the signature verifies (%d)", ret);
	ok(rep && check_is(rep, 0, "secure-header-fields", CACHET_CHECK_INFO, "2 header fields protected, relaxed"),
	   "report: secure-header-fields INFO \"2 header fields protected, relaxed canonicalisation\"");
	const sechdr_t *sh = _cachet_report_sechdr(rep, 0);
	ok(sh && sh->n == 2 && strcmp(sh->fields[0].name, "subject") == 0 &&
		   strcmp(sh->fields[0].value, "Signed headers") == 0 && strcmp(sh->fields[1].name, "from") == 0,
	   "_cachet_report_sechdr gives the decoded fields");
	int v = -1;
	cbuf_t f = {0};
	ok(sh && _cachet_sechdr_compare(sh, &h, NULL, &f, &v) == 0 && v == 0, "and they match the header signed");
	_cachet_buf_free(&f);
	ok(_cachet_report_sechdr(rep, 1) == NULL && _cachet_report_sechdr(NULL, 0) == NULL,
	   "no fields for a signer that is not there");
	ok(msg.data && openssl_verifies(&msg), "openssl cms -verify accepts the signature (it ignores the attribute)");
	{
		cachet_source_t *in = NULL;
		cachet_sink_t *out = NULL;
		cachet_datum_t dump = {NULL, 0};
		int r = cachet_source_init_mem(&in, msg.data, msg.size);
		if (r == 0)
			r = cachet_sink_init_mem(&out);
		if (r == 0)
			r = cachet_inspect(in, out, 0, NULL);
		if (r == 0)
			r = cachet_sink_take_mem(out, &dump);
		char *text = r == 0 ? _cachet_malloc(dump.size + 1) : NULL;
		if (text) {
			memcpy(text, dump.data, dump.size);
			text[dump.size] = '\0';
		}
		ok(text && strstr(text, "id-aa-secureHeaderFieldsIdentifier") != NULL,
		   "cachet_inspect names the attribute id-aa-secureHeaderFieldsIdentifier");
		free(text);
		cachet_free(dump.data);
		cachet_sink_deinit(out);
		cachet_source_deinit(in);
	}
	cachet_report_deinit(rep);
	rep = NULL;
	cachet_free(msg.data);
	msg.data = NULL;

	/* Two signers, the second added after the attribute: both carry it. */
	ret = sign_with(&attr, two, 0, &msg, &add);
	ret = ret == 0 ? verify(&msg, &rep) : ret;
	ok(ret == 0 && cachet_report_signer_count(rep) == 2 && _cachet_report_sechdr(rep, 0) &&
		   _cachet_report_sechdr(rep, 1) && cachet_report_signer_result(rep, 1) == 0 &&
		   !check_is(rep, 1, "secure-header-fields", CACHET_CHECK_FAIL, NULL),
	   "two signers (added before and after): both carry the same fields (%d)", ret);
	cachet_report_deinit(rep);
	rep = NULL;
	cachet_free(msg.data);
	msg.data = NULL;

	/* Refusals. */
	cbuf_t ct = {0};
	static const uint8_t ct_attr[] = {0x30, 0x18, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09,
					  0x03, 0x31, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
					  0x07, 0x01};
	if (_cachet_buf_append(&ct, ct_attr, sizeof(ct_attr)) < 0)
		abort();
	add = 0;
	ret = sign_with(&ct, alice, 0, &msg, &add);
	ok(add == CACHET_E_INVALID_ARG, "a contentType attribute is refused (%d)", add);
	cachet_free(msg.data);
	msg.data = NULL;
	_cachet_buf_free(&ct);
	add = 0;
	ret = sign_with(&attr, alice, CACHET_SIGNER_NO_ATTRS, &msg, &add);
	ok(add == CACHET_E_INVALID_ARG, "an attribute with a CACHET_SIGNER_NO_ATTRS signer is refused (%d)", add);
	cachet_free(msg.data);
	msg.data = NULL;
	{
		cachet_sign_t *s = NULL;
		cachet_datum_t cert = load("alice.crt.pem"), key = load("alice.key.pem");
		cachet_datum_t a = {attr.data, attr.size};
		int r1 = cachet_sign_init(&s), r2 = -1, r3 = -1;
		if (r1 == 0)
			r1 = cachet_sign_add_attribute(s, &a, NULL);
		if (r1 == 0)
			r2 = cachet_sign_add_attribute(s, &a, NULL);
		if (r1 == 0)
			r3 = cachet_sign_add_signer(s, &cert, &key, NULL, CACHET_DIGEST_DEFAULT, CACHET_SIGNER_NO_ATTRS,
						    NULL);
		ok(r1 == 0 && r2 == CACHET_E_INVALID_ARG && r3 == CACHET_E_INVALID_ARG,
		   "a second attribute of one type and a later NO_ATTRS signer are refused (%d %d %d)", r1, r2, r3);
		cachet_datum_t ber = {(uint8_t *)"\x30\x80\x00\x00", 4};
		ok(s && cachet_sign_add_attribute(s, &ber, NULL) < 0, "a non-DER attribute is refused");
		cachet_sign_deinit(s);
		free(cert.data);
		free(key.data);
	}

	/* The verifier: a malformed value fails the check; the appendix B
	 * form passes with a note. */
	cbuf_t badattr = {0};
	static const uint8_t empty_fields[] = {0x31, 0x05, 0x0a, 0x01, 0x01, 0x30, 0x00};
	wrap_attr(&badattr, empty_fields, sizeof(empty_fields));
	ret = sign_with(&badattr, alice, 0, &msg, &add);
	ret = ret == 0 ? verify(&msg, &rep) : ret;
	ok(ret == CACHET_E_MALFORMED && check_is(rep, 0, "secure-header-fields", CACHET_CHECK_FAIL, "SIZE (1..MAX)") &&
		   cachet_report_signer_result(rep, 0) == CACHET_E_MALFORMED && _cachet_report_sechdr(rep, 0) == NULL,
	   "an empty HeaderFields fails secure-header-fields with CACHET_E_MALFORMED (%d)", ret);
	cachet_report_deinit(rep);
	rep = NULL;
	cachet_free(msg.data);
	msg.data = NULL;
	_cachet_buf_free(&badattr);
	wrap_attr(&badattr, appendix_b, sizeof(appendix_b));
	ret = sign_with(&badattr, alice, 0, &msg, &add);
	ret = ret == 0 ? verify(&msg, &rep) : ret;
	ok(ret == 0 && cachet_report_signer_result(rep, 0) == 0 &&
		   check_is(rep, 0, "secure-header-fields", CACHET_CHECK_INFO, "3 header fields protected") &&
		   check_is(rep, 0, "secure-header-fields", CACHET_CHECK_INFO, "not DER"),
	   "the appendix B value verifies, noted as BER (%d)", ret);
	cachet_report_deinit(rep);
	rep = NULL;
	cachet_free(msg.data);
	_cachet_buf_free(&badattr);

	_cachet_buf_free(&attr);
	_cachet_mime_header_deinit(&h);
}

int main(void)
{
	pki = getenv("CACHET_PKI_DIR");
	if (pki == NULL)
		pki = "vectors/pki";
	t_canon();
	t_appendix_b();
	t_encode();
	t_bad();
	t_compare();
	t_sign();
	return tap_done();
}
