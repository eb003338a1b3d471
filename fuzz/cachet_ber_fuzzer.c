/* cachet_ber_fuzzer.c -- the streaming BER reader (src/lib/ber.c).
 *
 * Walks any input the way the CMS parsers do: OCTET STRINGs are streamed,
 * SETs and [1] elements captured under a small limit and re-parsed as DER,
 * [2] elements skipped, [3] elements streamed raw, OBJECT IDENTIFIERs
 * turned to text, other primitives read under a limit, constructed
 * elements entered and left.  The input is handed out in small pieces
 * whose size depends on the input length, so element boundaries fall at
 * many different places relative to the source's reads.
 */
#include "ber.h"

#include "fuzz.h"

#include <string.h>

#define CAPTURE_LIMIT 2048
#define VALUE_LIMIT 4096

typedef struct {
	const uint8_t *p;
	size_t n, pos, piece;
} feed_t;

static long feed_read(void *opaque, uint8_t *buf, size_t len)
{
	feed_t *f = opaque;
	size_t k = f->n - f->pos;
	if (k > len)
		k = len;
	if (k > f->piece)
		k = f->piece;
	memcpy(buf, f->p + f->pos, k);
	f->pos += k;
	return (long)k;
}

static int count_bytes(void *opaque, const uint8_t *p, size_t n)
{
	(void)p;
	*(uint64_t *)opaque += n;
	return 0;
}

/* Re-parse a captured element with the strict DER parser, element by
 * element, as far as it goes. */
static void parse_der(const cbuf_t *b)
{
	size_t off = 0;
	while (off < b->size) {
		uint8_t ident;
		const uint8_t *val;
		size_t vlen, total;
		if (_cachet_der_parse(b->data + off, b->size - off, &ident, &val,
				      &vlen, &total) < 0 || total == 0)
			return;
		if (ident == 0x06) {
			char text[256];
			(void)_cachet_oid_to_str(val, vlen, text, sizeof(text));
		}
		/* Step into constructed values, over primitive ones. */
		off = (ident & BER_CONSTRUCTED) ? (size_t)(val - b->data) : off + total;
	}
}

static int walk(ber_reader_t *r, unsigned depth)
{
	bool first = true;
	for (;;) {
		ber_hdr_t h;
		int ret = _cachet_ber_next(r, &h);
		if (ret == CACHET_E_END)
			return 0;
		if (ret < 0)
			return ret;
		/* Look-ahead: give the first header of each level back once. */
		if (first) {
			first = false;
			ret = _cachet_ber_unread(r, &h);
			if (ret < 0)
				return ret;
			continue;
		}
		if (h.cls == BER_UNIVERSAL && h.tag == BER_TAG_OCTET_STRING) {
			uint64_t n = 0;
			ret = _cachet_ber_stream_octets(r, &h, count_bytes, &n);
		} else if ((h.cls == BER_UNIVERSAL && h.tag == BER_TAG_SET) ||
			   (h.cls == BER_CONTEXT && h.tag == 1)) {
			cbuf_t b = {0};
			ret = _cachet_ber_capture(r, &h, &b, CAPTURE_LIMIT);
			if (ret == 0)
				parse_der(&b);
			_cachet_buf_free(&b);
		} else if (h.cls == BER_CONTEXT && h.tag == 2) {
			ret = _cachet_ber_skip(r, &h);
		} else if (h.cls == BER_CONTEXT && h.tag == 3) {
			uint64_t n = 0;
			ret = _cachet_ber_stream_value(r, &h, count_bytes, &n);
		} else if (h.constructed) {
			ret = _cachet_ber_enter(r, &h);
			if (ret == 0)
				ret = walk(r, depth + 1);
			if (ret == 0)
				ret = _cachet_ber_leave(r);
		} else {
			cbuf_t v = {0};
			ret = _cachet_ber_read_value(r, &h, &v, VALUE_LIMIT);
			if (ret == 0 && h.cls == BER_UNIVERSAL && h.tag == BER_TAG_OID) {
				char text[256];
				(void)_cachet_oid_to_str(v.data, v.size, text, sizeof(text));
			}
			_cachet_buf_free(&v);
		}
		if (ret < 0)
			return ret;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	feed_t f = {data, size, 0, 1 + size % 29};
	cachet_source_t *src = NULL;
	cachet_diag_t *diag = NULL;
	ber_reader_t r;

	if (cachet_diag_init(&diag) < 0)
		return 0;
	if (cachet_source_init_cb(&src, feed_read, &f) < 0)
		goto cleanup;
	_cachet_ber_reader_init(&r, src, diag);
	(void)walk(&r, 0);
cleanup:
	cachet_source_deinit(src);
	cachet_diag_deinit(diag);
	return 0;
}
