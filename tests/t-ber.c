/* t-ber.c -- the streaming BER reader and writer.  Every input is fed
 * split at every position and truncated at every length: the result must
 * not depend on the split, and truncation must fail cleanly. */
#include "ber.h"

#include "tap.h"

#include <string.h>

typedef struct {
	const uint8_t *p;
	size_t n, pos, split;
	bool bytewise;
} feed_t;

/* Hand out the input in two pieces cut at SPLIT, or a byte at a time. */
static long feed_read(void *opaque, uint8_t *buf, size_t len)
{
	feed_t *f = opaque;
	size_t left = f->n - f->pos;
	size_t k = len < left ? len : left;
	if (f->bytewise && k > 1)
		k = 1;
	else if (f->pos < f->split && f->pos + k > f->split)
		k = f->split - f->pos;
	memcpy(buf, f->p + f->pos, k);
	f->pos += k;
	return (long)k;
}

typedef struct {
	cbuf_t content;
	cbuf_t dump;
} walk_t;

static int collect(void *opaque, const uint8_t *p, size_t n)
{
	return _cachet_buf_append(&((walk_t *)opaque)->content, p, n);
}

/* Walk everything: OCTET STRINGs are streamed, other primitives read,
 * constructed ones entered; the dump records the shape. */
static int walk(ber_reader_t *r, walk_t *w, int depth)
{
	int ret;
	for (;;) {
		ber_hdr_t h;
		ret = _cachet_ber_next(r, &h);
		if (ret == CACHET_E_END)
			return 0;
		if (ret < 0)
			return ret;
		_cachet_buf_printf(&w->dump, "%d:%02x%s;", depth, h.raw[0], h.indefinite ? "i" : "");
		if (h.cls == BER_UNIVERSAL && h.tag == BER_TAG_OCTET_STRING) {
			ret = _cachet_ber_stream_octets(r, &h, collect, w);
		} else if (h.constructed) {
			ret = _cachet_ber_enter(r, &h);
			if (ret == 0)
				ret = walk(r, w, depth + 1);
			if (ret == 0)
				ret = _cachet_ber_leave(r);
		} else {
			cbuf_t v = {0};
			ret = _cachet_ber_read_value(r, &h, &v, 1 << 20);
			if (ret == 0)
				_cachet_buf_append(&w->dump, v.data, v.size);
			_cachet_buf_free(&v);
		}
		if (ret < 0)
			return ret;
	}
}

static int run(const uint8_t *p, size_t n, size_t split, bool bytewise, walk_t *w)
{
	feed_t f = {p, n, 0, split, bytewise};
	cachet_source_t *src;
	ber_reader_t r;
	memset(w, 0, sizeof(*w));
	if (cachet_source_init_cb(&src, feed_read, &f) < 0)
		return CACHET_E_NOMEM;
	_cachet_ber_reader_init(&r, src, NULL);
	int ret = walk(&r, w, 0);
	cachet_source_deinit(src);
	return ret;
}

static void free_walk(walk_t *w)
{
	_cachet_buf_free(&w->content);
	_cachet_buf_free(&w->dump);
}

/* Check one input at every split and every truncation. */
static void every_split(const char *name, const uint8_t *p, size_t n, const char *want)
{
	walk_t ref;
	int ret = run(p, n, n, false, &ref);
	ok(ret == 0, "%s: parses (%d)", name, ret);
	ok(ref.content.size == strlen(want) && memcmp(ref.content.data, want, ref.content.size) == 0,
	   "%s: content is '%s'", name, want);
	bool same = true, bytewise_same;
	for (size_t k = 0; k <= n; k++) {
		walk_t w;
		ret = run(p, n, k, false, &w);
		same &= ret == 0 && w.dump.size == ref.dump.size &&
			memcmp(w.dump.data, ref.dump.data, w.dump.size) == 0 &&
			w.content.size == ref.content.size &&
			memcmp(w.content.data, ref.content.data, w.content.size) == 0;
		free_walk(&w);
	}
	ok(same, "%s: same result split at each of %zu positions", name, n + 1);
	walk_t w;
	ret = run(p, n, 0, true, &w);
	bytewise_same = ret == 0 && w.dump.size == ref.dump.size &&
			memcmp(w.dump.data, ref.dump.data, w.dump.size) == 0;
	free_walk(&w);
	ok(bytewise_same, "%s: same result read a byte at a time", name);
	bool all_fail = true;
	for (size_t k = 1; k < n; k++) {
		ret = run(p, k, k, false, &w);
		all_fail &= ret < 0;
		free_walk(&w);
	}
	ok(all_fail, "%s: every truncation fails with an error", name);
	free_walk(&ref);
}

static int expect_err(const uint8_t *p, size_t n)
{
	walk_t w;
	int ret = run(p, n, n, false, &w);
	free_walk(&w);
	return ret;
}

int main(void)
{
	/* Definite DER: SEQUENCE { OID 1.2.840.113549.1.7.1, [0] { OCTET STRING "hello" } } */
	static const uint8_t der[] = {0x30, 0x14, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
				      0x01, 0x07, 0x01, 0xa0, 0x07, 0x04, 0x05, 'h', 'e', 'l', 'l', 'o'};
	every_split("definite", der, sizeof(der), "hello");

	/* Indefinite with a constructed, chunked OCTET STRING. */
	static const uint8_t ber[] = {0x30, 0x80, 0x06, 0x03, 0x2a, 0x03, 0x04, 0xa0, 0x80, 0x24, 0x80,
				      0x04, 0x02, 'h', 'e', 0x04, 0x00, 0x24, 0x80, 0x04, 0x03, 'l', 'l',
				      'o', 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
	every_split("indefinite, chunked", ber, sizeof(ber), "hello");

	/* Long-form lengths and a high tag number. */
	static const uint8_t lng[] = {0x30, 0x81, 0x0c, 0xbf, 0x81, 0x00, 0x03, 0x02, 0x01, 0x05,
				      0x04, 0x82, 0x00, 0x01, 'x'};
	every_split("long lengths, high tag", lng, sizeof(lng), "x");

	/* Malformed inputs: each must fail, none may crash. */
	static const uint8_t overrun[] = {0x30, 0x03, 0x04, 0x05, 'a', 'b', 'c'};
	ok(expect_err(overrun, sizeof(overrun)) == CACHET_E_MALFORMED, "child overrunning its parent is refused");
	static const uint8_t prim_indef[] = {0x04, 0x80, 'a', 0x00, 0x00};
	ok(expect_err(prim_indef, sizeof(prim_indef)) == CACHET_E_MALFORMED, "indefinite primitive is refused");
	static const uint8_t len9[] = {0x04, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9};
	ok(expect_err(len9, sizeof(len9)) == CACHET_E_SIZE_LIMIT, "nine length octets are refused");
	static const uint8_t lenff[] = {0x04, 0xff};
	ok(expect_err(lenff, sizeof(lenff)) == CACHET_E_MALFORMED, "reserved length 0xff is refused");
	static const uint8_t stray_eoc[] = {0x30, 0x02, 0x00, 0x00};
	ok(expect_err(stray_eoc, sizeof(stray_eoc)) == CACHET_E_MALFORMED, "end-of-contents in a definite element is refused");
	static const uint8_t bad_seg[] = {0x24, 0x80, 0x02, 0x01, 0x00, 0x00, 0x00};
	ok(expect_err(bad_seg, sizeof(bad_seg)) == CACHET_E_MALFORMED, "non-OCTET STRING segment is refused");
	static const uint8_t high0[] = {0x1f, 0x80, 0x01, 0x00};
	ok(expect_err(high0, sizeof(high0)) == CACHET_E_MALFORMED, "padded high tag number is refused");

	/* Nesting depth: 40 nested indefinite SEQUENCEs exceed the limit. */
	uint8_t deep[160];
	size_t dn = 0;
	for (int i = 0; i < 40; i++) {
		deep[dn++] = 0x30;
		deep[dn++] = 0x80;
	}
	for (int i = 0; i < 40; i++) {
		deep[dn++] = 0;
		deep[dn++] = 0;
	}
	ok(expect_err(deep, dn) == CACHET_E_DEPTH_LIMIT, "nesting past %d is refused", CACHET_MAX_DEPTH);

	/* Capture limit. */
	{
		feed_t f = {der, sizeof(der), 0, sizeof(der), false};
		cachet_source_t *src;
		ber_reader_t r;
		ber_hdr_t h;
		cbuf_t b = {0};
		int ret = cachet_source_init_cb(&src, feed_read, &f);
		_cachet_ber_reader_init(&r, src, NULL);
		ret = _cachet_ber_next(&r, &h);
		ok(ret == 0 && _cachet_ber_capture(&r, &h, &b, 10) == CACHET_E_SIZE_LIMIT,
		   "capture beyond its limit is refused");
		_cachet_buf_free(&b);
		cachet_source_deinit(src);
	}

	/* Writer: headers, and DER builders. */
	{
		uint8_t h[BER_HDR_MAX];
		ok(_cachet_ber_encode_hdr(h, 0x04, false, 0x7f) == 2 && h[1] == 0x7f, "short length");
		ok(_cachet_ber_encode_hdr(h, 0x04, false, 0x80) == 3 && h[1] == 0x81 && h[2] == 0x80,
		   "long length is minimal");
		ok(_cachet_ber_encode_hdr(h, 0x04, false, 0x10000) == 5 && h[1] == 0x83, "three-octet length");
		ok(_cachet_ber_encode_hdr(h, 0x30, true, 0) == 2 && h[1] == 0x80, "indefinite header");

		cbuf_t b = {0};
		char dotted[64];
		_cachet_der_oid(&b, "1.2.840.113549.1.7.2");
		static const uint8_t want_oid[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02};
		ok(b.size == sizeof(want_oid) && memcmp(b.data, want_oid, b.size) == 0, "OID encodes (X.690 8.19)");
		ok(_cachet_oid_to_str(b.data + 2, b.size - 2, dotted, sizeof(dotted)) == 0 &&
			   strcmp(dotted, "1.2.840.113549.1.7.2") == 0,
		   "OID decodes back");
		static const uint8_t bad_arc[] = {0x2a, 0x80, 0x01};
		ok(_cachet_oid_to_str(bad_arc, sizeof(bad_arc), dotted, sizeof(dotted)) == CACHET_E_MALFORMED,
		   "non-minimal OID arc is refused");
		_cachet_buf_free(&b);

		static const uint8_t mag[] = {0x00, 0x00, 0x80, 0x01};
		_cachet_der_uint(&b, mag, sizeof(mag));
		static const uint8_t want_int[] = {0x02, 0x03, 0x00, 0x80, 0x01};
		ok(b.size == sizeof(want_int) && memcmp(b.data, want_int, b.size) == 0,
		   "INTEGER trims zeros and adds the sign octet (X.690 8.3.2)");
		_cachet_buf_free(&b);

		/* SET OF ordering (X.690 11.6). */
		cbuf_t el[3] = {{0}, {0}, {0}};
		_cachet_der_append(&el[0], 0x04, (const uint8_t *)"b", 1);
		_cachet_der_append(&el[1], 0x04, (const uint8_t *)"a", 1);
		_cachet_der_append(&el[2], 0x02, (const uint8_t *)"\x05", 1);
		_cachet_der_set_of(&b, 0x31, el, 3);
		static const uint8_t want_set[] = {0x31, 0x09, 0x02, 0x01, 0x05, 0x04, 0x01, 'a', 0x04, 0x01, 'b'};
		ok(b.size == sizeof(want_set) && memcmp(b.data, want_set, b.size) == 0, "SET OF is sorted");
		for (int i = 0; i < 3; i++)
			_cachet_buf_free(&el[i]);
		_cachet_buf_free(&b);

		const uint8_t *v;
		size_t vl, tot;
		uint8_t id;
		static const uint8_t nonmin[] = {0x04, 0x81, 0x01, 'a'};
		ok(_cachet_der_parse(nonmin, sizeof(nonmin), &id, &v, &vl, &tot) == CACHET_E_NOT_DER,
		   "DER parser refuses a non-minimal length");
		static const uint8_t shortv[] = {0x04, 0x05, 'a'};
		ok(_cachet_der_parse(shortv, sizeof(shortv), &id, &v, &vl, &tot) == CACHET_E_TRUNCATED,
		   "DER parser refuses a value past the end");
	}
	return tap_done();
}
