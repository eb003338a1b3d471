/* ber.c -- streaming BER reader and writer (X.690 sections 8.1-8.7). */
#include "ber.h"

#include <stdlib.h>

void _cachet_ber_reader_init(ber_reader_t *r, cachet_source_t *src,
			     cachet_diag_t *diag)
{
	memset(r, 0, sizeof(*r));
	r->src = src;
	r->diag = diag;
	r->path = "input";
}

static int bad(ber_reader_t *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(ber_reader_t *r, int code, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	_cachet_diag_push(r->diag, code, r->path, "X.690 section 8.1",
			  "%s (at byte %llu)", msg,
			  (unsigned long long)_cachet_source_offset(r->src));
	return code;
}

static uint64_t pos(const ber_reader_t *r)
{
	return _cachet_source_offset(r->src);
}

/* Bytes left in the innermost definite container (UINT64_MAX if none). */
static uint64_t room(const ber_reader_t *r)
{
	for (unsigned i = r->depth; i > 0; i--)
		if (!r->stack[i - 1].indefinite)
			return r->stack[i - 1].end - pos(r);
	return UINT64_MAX;
}

static int read_byte(ber_reader_t *r, ber_hdr_t *h, uint8_t *b)
{
	if (h->raw_len >= BER_HDR_MAX)
		return bad(r, CACHET_E_MALFORMED, "header too long");
	int ret = _cachet_source_read_full(r->src, b, 1);
	if (ret == CACHET_E_TRUNCATED)
		return bad(r, ret, "input ends inside a header");
	if (ret < 0)
		return ret;
	h->raw[h->raw_len++] = *b;
	return 0;
}

/* Read identifier and length octets (X.690 8.1.2, 8.1.3). */
static int read_hdr(ber_reader_t *r, ber_hdr_t *h, bool *eoc)
{
	uint8_t b;
	int ret;

	memset(h, 0, sizeof(*h));
	*eoc = false;
	CHECK_RET(read_byte(r, h, &b));
	h->cls = b & 0xc0;
	h->constructed = (b & BER_CONSTRUCTED) != 0;
	h->tag = b & 0x1f;
	if (h->tag == 0x1f) {
		/* High tag number form: base-128, no leading 0x80 (8.1.2.4.2). */
		uint32_t t = 0;
		unsigned n = 0;
		do {
			CHECK_RET(read_byte(r, h, &b));
			if (n == 0 && b == 0x80)
				return bad(r, CACHET_E_MALFORMED, "tag number with leading zero bits");
			if (++n > 4)
				return bad(r, CACHET_E_MALFORMED, "tag number too large");
			t = (t << 7) | (b & 0x7f);
		} while (b & 0x80);
		if (t < 31)
			return bad(r, CACHET_E_MALFORMED, "tag number in high form below 31");
		h->tag = t;
	}
	CHECK_RET(read_byte(r, h, &b));
	if (b < 0x80) {
		h->len = b;
		h->is_der = true;
	} else if (b == 0x80) {
		if (!h->constructed)
			return bad(r, CACHET_E_MALFORMED, "indefinite length on a primitive element (8.1.3.2)");
		h->indefinite = true;
	} else if (b == 0xff) {
		return bad(r, CACHET_E_MALFORMED, "reserved length octet 0xff (8.1.3.5)");
	} else {
		unsigned n = b & 0x7f;
		uint64_t l = 0;
		if (n > 8)
			return bad(r, CACHET_E_SIZE_LIMIT, "length of %u octets", n);
		for (unsigned i = 0; i < n; i++) {
			CHECK_RET(read_byte(r, h, &b));
			l = (l << 8) | b;
		}
		h->len = l;
		/* DER wants the minimal number of length octets (X.690 10.1). */
		h->is_der = l >= 0x80 && (n == 1 || (l >> (8 * (n - 1))) != 0);
	}
	if (h->raw[0] == 0 && h->raw_len == 2 && h->len == 0 && !h->indefinite)
		*eoc = true;
	return 0;
}

int _cachet_ber_next(ber_reader_t *r, ber_hdr_t *h)
{
	bool eoc;
	int ret;

	if (r->depth > 0) {
		ber_frame_t *f = &r->stack[r->depth - 1];
		if (f->ended)
			return CACHET_E_END;
		if (!f->indefinite && pos(r) >= f->end)
			return CACHET_E_END;
	} else {
		/* At top level, the end of input is the end. */
		uint8_t b;
		long n = _cachet_source_read(r->src, &b, 1);
		if (n < 0)
			return (int)n;
		if (n == 0)
			return CACHET_E_END;
		CHECK_RET(_cachet_source_unread(r->src, &b, 1));
	}
	uint64_t limit = room(r);
	CHECK_RET(read_hdr(r, h, &eoc));
	if (eoc) {
		if (r->depth == 0 || !r->stack[r->depth - 1].indefinite)
			return bad(r, CACHET_E_MALFORMED, "end-of-contents outside an indefinite-length element");
		r->stack[r->depth - 1].ended = true;
		return CACHET_E_END;
	}
	if (h->raw[0] == 0)
		return bad(r, CACHET_E_MALFORMED, "tag 0 is reserved for end-of-contents");
	/* The element must fit in its container: checked by addition. */
	if (h->raw_len > limit ||
	    (!h->indefinite && h->len > limit - h->raw_len))
		return bad(r, CACHET_E_MALFORMED, "element of %llu bytes overruns its container",
			   (unsigned long long)h->len);
	return 0;
}

int _cachet_ber_expect(ber_reader_t *r, ber_hdr_t *h, uint8_t cls, bool cons,
		       uint32_t tag, const char *what)
{
	int ret = _cachet_ber_next(r, h);
	if (ret == CACHET_E_END)
		return bad(r, CACHET_E_MALFORMED, "%s is missing", what);
	if (ret < 0)
		return ret;
	if (!ber_is(h, cls, cons, tag))
		return bad(r, CACHET_E_MALFORMED, "%s: expected tag %s%s %u, found identifier 0x%02x", what,
			   cls == BER_CONTEXT ? "[context] " : "", cons ? "constructed" : "primitive",
			   tag, h->raw[0]);
	return 0;
}

int _cachet_ber_unread(ber_reader_t *r, const ber_hdr_t *h)
{
	return _cachet_source_unread(r->src, h->raw, h->raw_len);
}

int _cachet_ber_enter(ber_reader_t *r, const ber_hdr_t *h)
{
	if (!h->constructed)
		return bad(r, CACHET_E_MALFORMED, "expected a constructed element");
	if (r->depth >= CACHET_MAX_DEPTH)
		return bad(r, CACHET_E_DEPTH_LIMIT, "nesting deeper than %d", CACHET_MAX_DEPTH);
	ber_frame_t *f = &r->stack[r->depth++];
	f->indefinite = h->indefinite;
	f->ended = false;
	f->end = h->indefinite ? 0 : pos(r) + h->len;
	return 0;
}

int _cachet_ber_leave(ber_reader_t *r)
{
	int ret;
	if (r->depth == 0)
		return CACHET_E_INTERNAL;
	ber_frame_t *f = &r->stack[r->depth - 1];
	if (f->indefinite) {
		if (!f->ended) {
			ber_hdr_t h;
			ret = _cachet_ber_next(r, &h);
			if (ret != CACHET_E_END)
				return ret < 0 ? ret
					       : bad(r, CACHET_E_MALFORMED, "unexpected element where the end-of-contents belongs");
		}
	} else if (pos(r) != f->end) {
		return bad(r, CACHET_E_MALFORMED, "unexpected bytes before the end of an element");
	}
	r->depth--;
	return 0;
}

int _cachet_ber_read_value(ber_reader_t *r, const ber_hdr_t *h, cbuf_t *out,
			   size_t limit)
{
	int ret;
	if (h->constructed || h->indefinite)
		return bad(r, CACHET_E_MALFORMED, "expected a primitive element");
	if (h->len > limit)
		return bad(r, CACHET_E_SIZE_LIMIT, "element of %llu bytes exceeds the limit of %zu",
			   (unsigned long long)h->len, limit);
	uint8_t tmp[4096];
	uint64_t left = h->len;
	while (left) {
		size_t n = left < sizeof(tmp) ? (size_t)left : sizeof(tmp);
		ret = _cachet_source_read_full(r->src, tmp, n);
		if (ret == CACHET_E_TRUNCATED)
			return bad(r, ret, "input ends inside an element");
		CHECK_RET(ret);
		CHECK_RET(_cachet_buf_append(out, tmp, n));
		left -= n;
	}
	return 0;
}

/* Walk element H; append its bytes to OUT unless OUT is NULL. */
static int walk(ber_reader_t *r, const ber_hdr_t *h, cbuf_t *out,
		size_t limit)
{
	int ret;
	if (out) {
		if (!_cachet_add_ok(out->size, h->raw_len, limit))
			return bad(r, CACHET_E_SIZE_LIMIT, "part exceeds the limit of %zu bytes", limit);
		CHECK_RET(_cachet_buf_append(out, h->raw, h->raw_len));
	}
	if (!h->indefinite) {
		uint8_t tmp[4096];
		uint64_t left = h->len;
		if (out && !_cachet_add_ok(out->size, h->len > SIZE_MAX ? SIZE_MAX : (size_t)h->len, limit))
			return bad(r, CACHET_E_SIZE_LIMIT, "part exceeds the limit of %zu bytes", limit);
		while (left) {
			size_t n = left < sizeof(tmp) ? (size_t)left : sizeof(tmp);
			ret = _cachet_source_read_full(r->src, tmp, n);
			if (ret == CACHET_E_TRUNCATED)
				return bad(r, ret, "input ends inside an element");
			CHECK_RET(ret);
			if (out)
				CHECK_RET(_cachet_buf_append(out, tmp, n));
			left -= n;
		}
		return 0;
	}
	CHECK_RET(_cachet_ber_enter(r, h));
	for (;;) {
		ber_hdr_t c;
		ret = _cachet_ber_next(r, &c);
		if (ret == CACHET_E_END)
			break;
		CHECK_RET(ret);
		CHECK_RET(walk(r, &c, out, limit));
	}
	if (out) {
		if (!_cachet_add_ok(out->size, 2, limit))
			return bad(r, CACHET_E_SIZE_LIMIT, "part exceeds the limit of %zu bytes", limit);
		CHECK_RET(_cachet_buf_append(out, "\0\0", 2));
	}
	return _cachet_ber_leave(r);
}

int _cachet_ber_capture(ber_reader_t *r, const ber_hdr_t *h, cbuf_t *out,
			size_t limit)
{
	return walk(r, h, out, limit);
}

int _cachet_ber_skip(ber_reader_t *r, const ber_hdr_t *h)
{
	return walk(r, h, NULL, 0);
}

static int stream_definite(ber_reader_t *r, uint64_t len, ber_chunk_fn fn,
			   void *opaque)
{
	/* Borrowed, not copied: the bytes go from the source's buffer to FN. */
	while (len) {
		const uint8_t *p;
		size_t n;
		int ret = _cachet_source_borrow(r->src, len < CACHET_CHUNK * 4 ? (size_t)len : CACHET_CHUNK * 4,
						&p, &n);
		if (ret < 0)
			return ret;
		if (n == 0)
			return bad(r, CACHET_E_TRUNCATED, "input ends inside the content");
		if ((ret = fn(opaque, p, n)) < 0)
			return ret;
		len -= n;
	}
	return 0;
}

int _cachet_ber_stream_octets(ber_reader_t *r, const ber_hdr_t *h,
			      ber_chunk_fn fn, void *opaque)
{
	if (h->cls != BER_UNIVERSAL || h->tag != BER_TAG_OCTET_STRING)
		return bad(r, CACHET_E_MALFORMED, "expected an OCTET STRING");
	return _cachet_ber_stream_implicit(r, h, fn, opaque);
}

int _cachet_ber_stream_implicit(ber_reader_t *r, const ber_hdr_t *h,
				ber_chunk_fn fn, void *opaque)
{
	int ret;
	if (!h->constructed)
		return stream_definite(r, h->len, fn, opaque);
	/* Constructed form: a series of OCTET STRING segments (X.690 8.7.3). */
	CHECK_RET(_cachet_ber_enter(r, h));
	for (;;) {
		ber_hdr_t c;
		ret = _cachet_ber_next(r, &c);
		if (ret == CACHET_E_END)
			break;
		CHECK_RET(ret);
		CHECK_RET(_cachet_ber_stream_octets(r, &c, fn, opaque));
	}
	return _cachet_ber_leave(r);
}

int _cachet_ber_next_required(ber_reader_t *r, ber_hdr_t *h, const char *what,
			      const char *rule)
{
	int ret = _cachet_ber_next(r, h);
	if (ret == CACHET_E_END) {
		_cachet_diag_push(r->diag, CACHET_E_MALFORMED, what, rule, "%s is missing", what);
		return CACHET_E_MALFORMED;
	}
	return ret;
}

int _cachet_ber_expect_eof(ber_reader_t *r)
{
	/* Any byte after it, even one that cannot start an element, is
	 * trailing data. */
	uint8_t extra;
	long n = _cachet_source_read(r->src, &extra, 1);
	if (n < 0) {
		_cachet_diag_push(r->diag, (int)n, "input", NULL, "reading the input failed");
		return (int)n;
	}
	if (n > 0) {
		_cachet_diag_push(r->diag, CACHET_E_TRAILING_DATA, "input", "RFC 5652 section 3",
				  "bytes follow the ContentInfo (from byte %llu)",
				  (unsigned long long)(_cachet_source_offset(r->src) - 1));
		return CACHET_E_TRAILING_DATA;
	}
	return 0;
}

int _cachet_ber_stream_value(ber_reader_t *r, const ber_hdr_t *h,
			     ber_chunk_fn fn, void *opaque)
{
	if (h->indefinite)
		return bad(r, CACHET_E_UNSUPPORTED, "indefinite-length content of a type other than OCTET STRING");
	return stream_definite(r, h->len, fn, opaque);
}

/* ---- writer ---- */

size_t _cachet_ber_encode_hdr(uint8_t *buf, uint8_t ident, bool indefinite,
			      uint64_t len)
{
	size_t n = 0;
	buf[n++] = ident;
	if (indefinite) {
		buf[n++] = 0x80;
	} else if (len < 0x80) {
		buf[n++] = (uint8_t)len;
	} else {
		unsigned k = 0;
		for (uint64_t t = len; t; t >>= 8)
			k++;
		buf[n++] = (uint8_t)(0x80 | k);
		while (k--)
			buf[n++] = (uint8_t)(len >> (8 * k));
	}
	return n;
}

int _cachet_ber_put_hdr(cachet_sink_t *s, uint8_t ident, uint64_t len)
{
	uint8_t b[BER_HDR_MAX];
	return _cachet_sink_write(s, b, _cachet_ber_encode_hdr(b, ident, false, len));
}

int _cachet_ber_put_eoc(cachet_sink_t *s, unsigned count)
{
	static const uint8_t z[16] = {0};
	int ret = 0;
	while (count && ret == 0) {
		unsigned k = count > 8 ? 8 : count;
		ret = _cachet_sink_write(s, z, 2 * k);
		count -= k;
	}
	return ret;
}

int _cachet_der_append(cbuf_t *b, uint8_t ident, const uint8_t *val,
		       size_t len)
{
	uint8_t h[BER_HDR_MAX];
	int ret = _cachet_buf_append(b, h, _cachet_ber_encode_hdr(h, ident, false, len));
	if (ret == 0)
		ret = _cachet_buf_append(b, val, len);
	return ret;
}

int _cachet_der_parse(const uint8_t *p, size_t n, uint8_t *ident,
		      const uint8_t **val, size_t *vlen, size_t *total)
{
	if (n < 2 || (p[0] & 0x1f) == 0x1f)
		return CACHET_E_MALFORMED;
	*ident = p[0];
	size_t hl = 2, len;
	if (p[1] < 0x80) {
		len = p[1];
	} else {
		size_t k = p[1] & 0x7f;
		if (k == 0 || k > sizeof(size_t) || n < 2 + k)
			return CACHET_E_NOT_DER;
		len = 0;
		for (size_t i = 0; i < k; i++)
			len = (len << 8) | p[2 + i];
		if (p[2] == 0 || len < 0x80)
			return CACHET_E_NOT_DER; /* non-minimal (X.690 10.1) */
		hl += k;
	}
	if (len > n - hl)
		return CACHET_E_TRUNCATED;
	*val = p + hl;
	*vlen = len;
	*total = hl + len;
	return 0;
}

/* ---- DER builders ---- */

int _cachet_der_oid(cbuf_t *b, const char *dotted)
{
	uint8_t v[128];
	size_t n = 0;
	unsigned long arcs[40];
	size_t na = 0;
	const char *p = dotted;

	while (*p) {
		char *end;
		if (na == 40 || *p < '0' || *p > '9')
			return CACHET_E_INTERNAL;
		arcs[na++] = strtoul(p, &end, 10);
		p = end;
		if (*p == '.')
			p++;
		else if (*p)
			return CACHET_E_INTERNAL;
	}
	if (na < 2 || arcs[0] > 2)
		return CACHET_E_INTERNAL;
	for (size_t i = 1; i < na; i++) {
		unsigned long a = i == 1 ? arcs[0] * 40 + arcs[1] : arcs[i];
		uint8_t tmp[10];
		size_t k = 0;
		do {
			tmp[k++] = (uint8_t)(a & 0x7f);
			a >>= 7;
		} while (a);
		if (n + k > sizeof(v))
			return CACHET_E_INTERNAL;
		while (k--)
			v[n++] = (uint8_t)(tmp[k] | (k ? 0x80 : 0));
	}
	return _cachet_der_append(b, BER_TAG_OID, v, n);
}

int _cachet_der_uint(cbuf_t *b, const uint8_t *mag, size_t len)
{
	while (len > 1 && mag[0] == 0) {
		mag++;
		len--;
	}
	if (len == 0) {
		static const uint8_t zero = 0;
		return _cachet_der_append(b, BER_TAG_INTEGER, &zero, 1);
	}
	if (mag[0] & 0x80) {
		size_t off = b->size;
		int ret = _cachet_buf_append(b, "\0", 1);
		if (ret == 0)
			ret = _cachet_buf_append(b, mag, len);
		return ret == 0 ? _cachet_der_wrap(b, off, BER_TAG_INTEGER) : ret;
	}
	return _cachet_der_append(b, BER_TAG_INTEGER, mag, len);
}

int _cachet_der_small_uint(cbuf_t *b, unsigned long v)
{
	uint8_t m[sizeof(v)];
	for (size_t i = 0; i < sizeof(v); i++)
		m[i] = (uint8_t)(v >> (8 * (sizeof(v) - 1 - i)));
	return _cachet_der_uint(b, m, sizeof(m));
}

int _cachet_der_wrap(cbuf_t *b, size_t offset, uint8_t ident)
{
	uint8_t h[BER_HDR_MAX];
	size_t len = b->size - offset;
	size_t hl = _cachet_ber_encode_hdr(h, ident, false, len);
	int ret = _cachet_buf_append(b, h, hl); /* grow by hl */
	if (ret < 0)
		return ret;
	memmove(b->data + offset + hl, b->data + offset, len);
	memcpy(b->data + offset, h, hl);
	return 0;
}

/* X.690 11.6: compare as octet strings, the shorter padded with zeros. */
static int der_set_cmp(const void *pa, const void *pb)
{
	const cbuf_t *a = pa, *b = pb;
	size_t m = a->size < b->size ? a->size : b->size;
	int c = memcmp(a->data, b->data, m);
	if (c)
		return c;
	const cbuf_t *l = a->size > b->size ? a : b;
	for (size_t i = m; i < l->size; i++)
		if (l->data[i])
			return l == a ? 1 : -1;
	return 0;
}

int _cachet_der_set_of(cbuf_t *out, uint8_t ident, cbuf_t *elems, size_t n)
{
	qsort(elems, n, sizeof(*elems), der_set_cmp);
	size_t off = out->size;
	int ret = 0;
	for (size_t i = 0; i < n && ret == 0; i++)
		ret = _cachet_buf_append(out, elems[i].data, elems[i].size);
	return ret == 0 ? _cachet_der_wrap(out, off, ident) : ret;
}

int _cachet_oid_to_str(const uint8_t *p, size_t n, char *buf, size_t len)
{
	size_t w = 0;
	unsigned long v = 0;
	bool first = true, fresh = true;

	if (n == 0 || len < 4)
		return CACHET_E_MALFORMED;
	buf[0] = 0;
	for (size_t i = 0; i < n; i++) {
		if (fresh && p[i] == 0x80)
			return CACHET_E_MALFORMED; /* non-minimal arc (8.19.2) */
		if (v >> (sizeof(v) * 8 - 7))
			return CACHET_E_SIZE_LIMIT;
		v = (v << 7) | (p[i] & 0x7f);
		fresh = false;
		if (p[i] & 0x80)
			continue;
		int k;
		if (first) {
			unsigned long a = v < 40 ? 0 : v < 80 ? 1 : 2;
			k = snprintf(buf + w, len - w, "%lu.%lu", a, v - 40 * a);
			first = false;
		} else {
			k = snprintf(buf + w, len - w, ".%lu", v);
		}
		if (k < 0 || (size_t)k >= len - w)
			return CACHET_E_SIZE_LIMIT;
		w += (size_t)k;
		v = 0;
		fresh = true;
	}
	return fresh ? 0 : CACHET_E_MALFORMED;
}

int _cachet_ber_read_oid(ber_reader_t *r, const ber_hdr_t *h, char *dotted,
			 size_t n, const char *path, const char *rule)
{
	cbuf_t v = {0};
	int ret = _cachet_ber_read_value(r, h, &v, 64);
	if (ret == 0 && _cachet_oid_to_str(v.data, v.size, dotted, n) < 0) {
		_cachet_diag_push(r->diag, CACHET_E_MALFORMED, path, rule,
				  "the object identifier is not well formed");
		ret = CACHET_E_MALFORMED;
	}
	_cachet_buf_free(&v);
	return ret;
}

int _cachet_ber_content_info(ber_reader_t *r, char *dotted, size_t n)
{
	ber_hdr_t h;
	int ret;

	r->path = "ContentInfo";
	CHECK_RET(_cachet_ber_expect(r, &h, BER_UNIVERSAL, true, BER_TAG_SEQUENCE, "ContentInfo"));
	CHECK_RET(_cachet_ber_enter(r, &h));
	CHECK_RET(_cachet_ber_expect(r, &h, BER_UNIVERSAL, false, BER_TAG_OID, "ContentInfo.contentType"));
	return _cachet_ber_read_oid(r, &h, dotted, n, "ContentInfo.contentType", "RFC 5652 section 3");
}
