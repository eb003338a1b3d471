/* t-compress.c -- CompressedData (RFC 3274) through the public API: round
 * trips at the chunk boundaries for compressible and random content, PEM,
 * eContentType, the cut of a message at every octet, corrupt zlib streams
 * (header, data, Adler-32, preset dictionary, early end), data after the
 * zlib end, the version and algorithm rules, absent eContent and the
 * decompressed-size bound.  The broken messages are built here, with
 * definite lengths, around zlib streams made by zlib itself. */
#include <config.h>

#include <cachet/cachet.h>

#include "tap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* ---- a growable buffer and DER TLVs (definite lengths) ---- */
typedef struct {
	uint8_t *p;
	size_t n, cap;
} buf_t;

static void put(buf_t *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		if (b->p == NULL)
			abort();
	}
	if (n)
		memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void tlv(buf_t *b, uint8_t tag, const void *v, size_t n)
{
	uint8_t h[6];
	size_t k = 0;
	h[k++] = tag;
	if (n < 0x80) {
		h[k++] = (uint8_t)n;
	} else if (n < 0x100) {
		h[k++] = 0x81;
		h[k++] = (uint8_t)n;
	} else if (n < 0x10000) {
		h[k++] = 0x82;
		h[k++] = (uint8_t)(n >> 8);
		h[k++] = (uint8_t)n;
	} else {
		h[k++] = 0x83;
		h[k++] = (uint8_t)(n >> 16);
		h[k++] = (uint8_t)(n >> 8);
		h[k++] = (uint8_t)n;
	}
	put(b, h, k);
	put(b, v, n);
}

/* Encoded OIDs (X.690 8.19). */
static const uint8_t OID_CT_COMPRESSED[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x09};
static const uint8_t OID_ZLIB[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x03, 0x08};
static const uint8_t OID_DATA[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};
static const uint8_t OID_SHA256[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};
static const uint8_t OID_UNKNOWN[] = {0x2a, 0x03, 0x04, 0x05}; /* 1.2.3.4.5 */

/* The parts of a hand-built message; NULL/0 picks the regular value. */
typedef struct {
	int version;		 /* -1: 0 */
	const uint8_t *alg_oid;	 /* NULL: zlib */
	size_t alg_oid_len;
	const uint8_t *params;	 /* the parameters TLV, or NULL for none */
	size_t params_len;
	const uint8_t *zdata;	 /* eContent octets; NULL: no eContent */
	size_t zlen;
	const uint8_t *zdata2;	 /* a second OCTET STRING segment (constructed form) */
	size_t zlen2;
	bool extra_in_eci;	 /* an element after eContent */
	const uint8_t *outer_ct; /* NULL: id-ct-compressedData */
	size_t outer_ct_len;
} parts_t;

static buf_t build(const parts_t *s)
{
	buf_t alg = {0}, eci = {0}, ec = {0}, cd = {0}, ctx = {0}, ci = {0}, tmp = {0};
	uint8_t ver = (uint8_t)(s->version < 0 ? 0 : s->version);

	tlv(&tmp, 0x06, s->alg_oid ? s->alg_oid : OID_ZLIB, s->alg_oid ? s->alg_oid_len : sizeof(OID_ZLIB));
	if (s->params)
		put(&tmp, s->params, s->params_len);
	tlv(&alg, 0x30, tmp.p, tmp.n);
	tmp.n = 0;

	tlv(&tmp, 0x06, OID_DATA, sizeof(OID_DATA));
	if (s->zdata) {
		if (s->zdata2) {
			buf_t segs = {0}, os = {0};
			tlv(&segs, 0x04, s->zdata, s->zlen);
			tlv(&segs, 0x04, s->zdata2, s->zlen2);
			tlv(&os, 0x24, segs.p, segs.n);
			tlv(&ec, 0xa0, os.p, os.n);
			free(segs.p);
			free(os.p);
		} else {
			buf_t os = {0};
			tlv(&os, 0x04, s->zdata, s->zlen);
			tlv(&ec, 0xa0, os.p, os.n);
			free(os.p);
		}
		put(&tmp, ec.p, ec.n);
	}
	if (s->extra_in_eci)
		tlv(&tmp, 0x05, NULL, 0);
	tlv(&eci, 0x30, tmp.p, tmp.n);
	tmp.n = 0;

	tlv(&tmp, 0x02, &ver, 1);
	put(&tmp, alg.p, alg.n);
	put(&tmp, eci.p, eci.n);
	tlv(&cd, 0x30, tmp.p, tmp.n);
	tlv(&ctx, 0xa0, cd.p, cd.n);
	tmp.n = 0;
	tlv(&tmp, 0x06, s->outer_ct ? s->outer_ct : OID_CT_COMPRESSED,
	    s->outer_ct ? s->outer_ct_len : sizeof(OID_CT_COMPRESSED));
	put(&tmp, ctx.p, ctx.n);
	tlv(&ci, 0x30, tmp.p, tmp.n);
	free(alg.p);
	free(eci.p);
	free(ec.p);
	free(cd.p);
	free(ctx.p);
	free(tmp.p);
	return ci;
}

/* A zlib stream (RFC 1950) of IN made by zlib. */
static buf_t zlib_of(const uint8_t *in, size_t n)
{
	buf_t b = {0};
	uLongf len = compressBound((uLong)n);
	b.p = malloc(len);
	if (b.p == NULL || compress2(b.p, &len, in, (uLong)n, 6) != Z_OK)
		abort();
	b.n = len;
	return b;
}

/* ---- running the API ---- */
static char last_diag[4096];

static void keep_diag(cachet_diag_t *diag)
{
	size_t k = 0;
	last_diag[0] = 0;
	for (size_t i = 0; i < cachet_diag_count(diag); i++) {
		int code;
		const char *path, *rule, *detail;
		if (cachet_diag_get(diag, i, &code, &path, &rule, &detail) < 0)
			break;
		int w = snprintf(last_diag + k, sizeof(last_diag) - k, "%s: %s (%s); ", path, detail, rule);
		if (w < 0 || (size_t)w >= sizeof(last_diag) - k)
			break;
		k += (size_t)w;
	}
}

static int compress_mem(const uint8_t *in, size_t n, const char *ct, unsigned flags, cachet_datum_t *out)
{
	cachet_source_t *src = NULL;
	cachet_sink_t *snk = NULL;
	cachet_diag_t *diag = NULL;
	int ret = cachet_diag_init(&diag);
	if (ret == 0)
		ret = cachet_source_init_mem(&src, in, n);
	if (ret == 0)
		ret = cachet_sink_init_mem(&snk);
	if (ret == 0)
		ret = cachet_compress_run(src, snk, ct, flags, diag);
	out->data = NULL;
	out->size = 0;
	if (ret == 0)
		ret = cachet_sink_take_mem(snk, out);
	keep_diag(diag);
	cachet_sink_deinit(snk);
	cachet_source_deinit(src);
	cachet_diag_deinit(diag);
	return ret;
}

/* A source that lends one octet at a time. */
typedef struct {
	const uint8_t *p;
	size_t n, off;
} trickle_t;

static long trickle_read(void *opaque, uint8_t *buf, size_t len)
{
	trickle_t *t = opaque;
	if (t->off == t->n || len == 0)
		return 0;
	buf[0] = t->p[t->off++];
	return 1;
}

typedef struct {
	uint64_t max; /* UINT64_MAX: the default */
	bool trickle;
	cachet_datum_t out;
	char ct[128];
	char summary[2048];
} drun_t;

static int decompress_mem(const uint8_t *in, size_t n, drun_t *r)
{
	cachet_decompress_t *d = NULL;
	cachet_source_t *src = NULL;
	cachet_sink_t *snk = NULL;
	cachet_diag_t *diag = NULL;
	trickle_t t = {in, n, 0};
	int ret = cachet_diag_init(&diag);
	if (ret == 0)
		ret = cachet_decompress_init(&d);
	if (ret == 0 && r->max != UINT64_MAX)
		ret = cachet_decompress_set_max_size(d, r->max);
	if (ret == 0)
		ret = r->trickle ? cachet_source_init_cb(&src, trickle_read, &t) : cachet_source_init_mem(&src, in, n);
	if (ret == 0)
		ret = cachet_sink_init_mem(&snk);
	if (ret == 0)
		ret = cachet_decompress_run(d, src, snk, diag);
	keep_diag(diag);
	r->out.data = NULL;
	r->out.size = 0;
	if (snk && cachet_sink_take_mem(snk, &r->out) < 0) {
		r->out.data = NULL;
		r->out.size = 0;
	}
	const char *ct = cachet_decompress_content_type(d);
	snprintf(r->ct, sizeof(r->ct), "%s", ct ? ct : "");
	cachet_datum_t s = {0};
	r->summary[0] = 0;
	if (cachet_decompress_summary(d, 0, &s) == 0) {
		snprintf(r->summary, sizeof(r->summary), "%.*s", (int)s.size, (const char *)s.data);
		cachet_free(s.data);
	}
	cachet_sink_deinit(snk);
	cachet_source_deinit(src);
	cachet_decompress_deinit(d);
	cachet_diag_deinit(diag);
	return ret;
}

static int expect(const uint8_t *msg, size_t n, int want, const char *what, const char *in_diag)
{
	drun_t r = {.max = UINT64_MAX};
	int ret = decompress_mem(msg, n, &r);
	bool good = ret == want && (in_diag == NULL || strstr(last_diag, in_diag) != NULL);
	ok(good, "%s: %s", what, cachet_strerror_name(want));
	if (!good)
		diag("got %s; diag: %s", cachet_strerror_name(ret), last_diag);
	cachet_free(r.out.data);
	return ret;
}

static uint8_t *make_content(size_t n, bool random_bytes)
{
	uint8_t *p = malloc(n ? n : 1);
	uint32_t x = 0x12345678u + (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		if (random_bytes) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			p[i] = (uint8_t)x;
		} else {
			p[i] = (uint8_t)("The quick brown fox jumps over the lazy dog. "[i % 45]);
		}
	}
	return p;
}

int main(void)
{
	static const size_t sizes[] = {0, 1, 15, 16, 65535, 65536, 300001};
	int ret;

	/* ---- round trips ---- */
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (int rnd = 0; rnd < 2; rnd++) {
			size_t n = sizes[i];
			uint8_t *c = make_content(n, rnd);
			cachet_datum_t m = {0};
			drun_t r = {.max = UINT64_MAX};
			ret = compress_mem(c, n, NULL, 0, &m);
			ok(ret == 0, "compress %zu %s octets", n, rnd ? "random" : "compressible");
			ret = decompress_mem(m.data, m.size, &r);
			ok(ret == 0 && r.out.size == n && (n == 0 || memcmp(r.out.data, c, n) == 0),
			   "decompress %zu %s octets back (%zu octets of message)", n, rnd ? "random" : "compressible",
			   m.size);
			if (ret != 0)
				diag("%s: %s", cachet_strerror_name(ret), last_diag);
			if (!rnd && n >= 65536)
				ok(m.size < n / 10, "%zu compressible octets compress to %zu", n, m.size);
			ok(strcmp(r.ct, "1.2.840.113549.1.7.1") == 0, "eContentType is id-data (%s)", r.ct);
			cachet_free(r.out.data);
			cachet_free(m.data);
			free(c);
		}
	}

	/* The frame as written: indefinite lengths, version 0, zlib with
	 * parameters omitted, id-data, eContent as constructed segments. */
	{
		static const uint8_t want[] = {
			0x30, 0x80, 0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x09,
			0xa0, 0x80, 0x30, 0x80, 0x02, 0x01, 0x00, 0x30, 0x0d, 0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86,
			0xf7, 0x0d, 0x01, 0x09, 0x10, 0x03, 0x08, 0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
			0xf7, 0x0d, 0x01, 0x07, 0x01, 0xa0, 0x80, 0x24, 0x80, 0x04};
		cachet_datum_t m = {0};
		ret = compress_mem((const uint8_t *)"abc", 3, NULL, 0, &m);
		ok(ret == 0 && m.size > sizeof(want) + 12 && memcmp(m.data, want, sizeof(want)) == 0,
		   "the frame is ContentInfo/CompressedData v0/zlib without parameters/id-data/segments");
		ok(ret == 0 && m.size >= 12 && memcmp(m.data + m.size - 12, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) == 0,
		   "six end-of-contents octet pairs close it");
		cachet_free(m.data);
	}

	/* One octet at a time through a callback source. */
	{
		uint8_t *c = make_content(70000, false);
		cachet_datum_t m = {0};
		drun_t r = {.max = UINT64_MAX, .trickle = true};
		ret = compress_mem(c, 70000, NULL, 0, &m);
		ret = ret ? ret : decompress_mem(m.data, m.size, &r);
		ok(ret == 0 && r.out.size == 70000 && memcmp(r.out.data, c, 70000) == 0,
		   "decompress from a source that lends one octet at a time");
		cachet_free(r.out.data);
		cachet_free(m.data);
		free(c);
	}

	/* PEM armour out, autodetected in. */
	{
		uint8_t *c = make_content(5000, true);
		cachet_datum_t m = {0};
		drun_t r = {.max = UINT64_MAX};
		ret = compress_mem(c, 5000, NULL, CACHET_COMPRESS_PEM, &m);
		ok(ret == 0 && m.size > 20 && memcmp(m.data, "-----BEGIN CMS-----", 19) == 0, "PEM output");
		ret = ret ? ret : decompress_mem(m.data, m.size, &r);
		ok(ret == 0 && r.out.size == 5000 && memcmp(r.out.data, c, 5000) == 0, "PEM input decompresses");
		cachet_free(r.out.data);
		cachet_free(m.data);
		free(c);
	}

	/* eContentType chosen by the caller. */
	{
		cachet_datum_t m = {0};
		drun_t r = {.max = UINT64_MAX};
		ret = compress_mem((const uint8_t *)"x", 1, "1.2.840.113549.1.7.2", 0, &m);
		ret = ret ? ret : decompress_mem(m.data, m.size, &r);
		ok(ret == 0 && strcmp(r.ct, "1.2.840.113549.1.7.2") == 0, "eContentType id-signedData comes back");
		ok(strstr(r.summary, "id-signedData") != NULL && strstr(r.summary, "zlibCompress") != NULL,
		   "the summary names the content type and the algorithm");
		cachet_free(r.out.data);
		cachet_free(m.data);
		static const char *const bad[] = {"", "1", "1.2.x", "3.1", "1.40", "1..2", "01.2", "1.2.", "data"};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			ret = compress_mem((const uint8_t *)"x", 1, bad[i], 0, &m);
			ok(ret == CACHET_E_INVALID_ARG, "content type '%s' is refused (CACHET_E_INVALID_ARG)", bad[i]);
			cachet_free(m.data);
		}
		ret = compress_mem((const uint8_t *)"x", 1, NULL, 0x80, &m);
		ok(ret == CACHET_E_INVALID_ARG, "unknown flags are refused");
	}

	/* ---- a cut at every octet ---- */
	{
		uint8_t *c = make_content(2000, false);
		cachet_datum_t m = {0};
		size_t bad = 0;
		ret = compress_mem(c, 2000, NULL, 0, &m);
		for (size_t k = 1; ret == 0 && k < m.size; k++) {
			drun_t r = {.max = UINT64_MAX};
			int rc = decompress_mem(m.data, k, &r);
			if (rc != CACHET_E_TRUNCATED) {
				if (bad++ < 5)
					diag("cut at %zu of %zu: %s", k, m.size, cachet_strerror_name(rc));
			}
			cachet_free(r.out.data);
		}
		ok(ret == 0 && bad == 0, "the streamed message cut at each of its %zu octets is CACHET_E_TRUNCATED",
		   m.size);
		cachet_free(m.data);

		/* Definite lengths: the cut zlib stream inside a complete frame
		 * as well. */
		buf_t z = zlib_of(c, 2000);
		bad = 0;
		for (size_t k = 1; k < z.n; k++) {
			parts_t p = {.version = -1, .zdata = z.p, .zlen = k};
			buf_t msg = build(&p);
			drun_t r = {.max = UINT64_MAX};
			int rc = decompress_mem(msg.p, msg.n, &r);
			if (rc != CACHET_E_TRUNCATED || strstr(last_diag, "RFC 1950") == NULL) {
				if (bad++ < 5)
					diag("zlib cut at %zu of %zu: %s %s", k, z.n, cachet_strerror_name(rc), last_diag);
			}
			cachet_free(r.out.data);
			free(msg.p);
		}
		ok(bad == 0, "a zlib stream cut at each of its %zu octets is CACHET_E_TRUNCATED (RFC 1950)", z.n);
		parts_t p = {.version = -1, .zdata = z.p, .zlen = z.n};
		buf_t msg = build(&p);
		bad = 0;
		for (size_t k = 1; k < msg.n; k++) {
			drun_t r = {.max = UINT64_MAX};
			if (decompress_mem(msg.p, k, &r) != CACHET_E_TRUNCATED)
				bad++;
			cachet_free(r.out.data);
		}
		ok(bad == 0, "the DER message cut at each of its %zu octets is CACHET_E_TRUNCATED", msg.n);
		expect(msg.p, msg.n, 0, "the DER message itself decompresses", NULL);
		free(msg.p);
		free(z.p);
		free(c);
	}

	/* ---- corrupt zlib streams ---- */
	{
		uint8_t *c = make_content(3000, false);
		buf_t z = zlib_of(c, 3000);
		parts_t p = {.version = -1, .zdata = z.p, .zlen = z.n};
		buf_t msg;

		/* FCHECK wrong: CMF*256+FLG not a multiple of 31. */
		z.p[1] ^= 0x01;
		msg = build(&p);
		expect(msg.p, msg.n, CACHET_E_MALFORMED, "bad zlib header check", "RFC 1950 section 2.2");
		free(msg.p);
		z.p[1] ^= 0x01;
		/* CM not 8 (deflate). */
		{
			uint8_t save0 = z.p[0], save1 = z.p[1];
			z.p[0] = 0x77; /* CM 7 */
			z.p[1] = (uint8_t)(31 - (0x77 * 256u) % 31);
			msg = build(&p);
			expect(msg.p, msg.n, CACHET_E_MALFORMED, "zlib compression method other than deflate",
			       "compression method");
			free(msg.p);
			z.p[0] = save0;
			z.p[1] = save1;
		}
		/* Adler-32 wrong. */
		z.p[z.n - 1] ^= 0x55;
		msg = build(&p);
		expect(msg.p, msg.n, CACHET_E_MALFORMED, "bad Adler-32", "ADLER32");
		free(msg.p);
		z.p[z.n - 1] ^= 0x55;
		/* Deflate data corrupt: an invalid block type (BTYPE 11). */
		{
			uint8_t save = z.p[2];
			z.p[2] = 0x07; /* BFINAL 1, BTYPE 11 */
			msg = build(&p);
			expect(msg.p, msg.n, CACHET_E_MALFORMED, "corrupt deflate data (reserved block type)",
			       "RFC 1951");
			free(msg.p);
			z.p[2] = save;
		}
		/* Bits flipped in the middle: wrong data or a bad code; either
		 * way a MALFORMED, never a crash. */
		{
			size_t fails = 0;
			for (size_t k = 2; k + 4 < z.n; k += 3) {
				z.p[k] ^= 0x10;
				msg = build(&p);
				drun_t r = {.max = UINT64_MAX};
				int rc = decompress_mem(msg.p, msg.n, &r);
				/* A flip can also make the decoder wait for more
				 * than there is: then the stream ended early. */
				if (rc != CACHET_E_MALFORMED && rc != CACHET_E_TRUNCATED) {
					fails++;
					diag("flip at %zu: %s", k, cachet_strerror_name(rc));
				}
				cachet_free(r.out.data);
				free(msg.p);
				z.p[k] ^= 0x10;
			}
			ok(fails == 0, "every flipped bit in the deflate data is MALFORMED or TRUNCATED (%zu not)", fails);
		}
		/* FDICT: a preset dictionary CompressedData cannot carry. */
		{
			uint8_t fd[] = {0x78, 0x00, 0, 0, 0, 1};
			fd[1] = 0x20; /* FDICT */
			fd[1] = (uint8_t)(fd[1] + (31 - (0x78 * 256u + fd[1]) % 31) % 31);
			parts_t q = {.version = -1, .zdata = fd, .zlen = sizeof(fd)};
			msg = build(&q);
			expect(msg.p, msg.n, CACHET_E_MALFORMED, "zlib preset dictionary (FDICT)", "FDICT");
			free(msg.p);
		}
		/* Data after the zlib stream's end, in the same segment and in a
		 * later one. */
		{
			buf_t zz = {0};
			put(&zz, z.p, z.n);
			put(&zz, "XY", 2);
			parts_t q = {.version = -1, .zdata = zz.p, .zlen = zz.n};
			msg = build(&q);
			expect(msg.p, msg.n, CACHET_E_MALFORMED, "two octets after the zlib end", "follow the end");
			free(msg.p);
			parts_t q2 = {.version = -1, .zdata = z.p, .zlen = z.n, .zdata2 = (const uint8_t *)"Z", .zlen2 = 1};
			msg = build(&q2);
			expect(msg.p, msg.n, CACHET_E_MALFORMED, "a segment after the zlib end", "follow the end");
			free(msg.p);
			/* A second, whole zlib stream after the first. */
			parts_t q3 = {.version = -1, .zdata = z.p, .zlen = z.n, .zdata2 = z.p, .zlen2 = z.n};
			msg = build(&q3);
			expect(msg.p, msg.n, CACHET_E_MALFORMED, "a second zlib stream after the first", "follow the end");
			free(msg.p);
			/* Split across two segments is fine. */
			parts_t q4 = {.version = -1, .zdata = z.p, .zlen = 7, .zdata2 = z.p + 7, .zlen2 = z.n - 7};
			msg = build(&q4);
			expect(msg.p, msg.n, 0, "a zlib stream split over two segments", NULL);
			free(msg.p);
			free(zz.p);
		}
		/* Empty eContent. */
		{
			parts_t q = {.version = -1, .zdata = (const uint8_t *)"", .zlen = 0};
			msg = build(&q);
			expect(msg.p, msg.n, CACHET_E_TRUNCATED, "an empty eContent (no zlib stream at all)", NULL);
			free(msg.p);
		}

		/* ---- structure ---- */
		{
			parts_t q = p;
			drun_t r = {.max = UINT64_MAX};
			q.version = 1;
			msg = build(&q);
			ret = decompress_mem(msg.p, msg.n, &r);
			ok(ret == 0 && r.out.size == 3000, "version 1 still decompresses");
			ok(strstr(r.summary, "version is 1") && strstr(r.summary, "RFC 3274 section 1.1"),
			   "version 1 is a finding naming RFC 3274 section 1.1");
			cachet_free(r.out.data);
			free(msg.p);
			q.version = 9;
			msg = build(&q);
			expect(msg.p, msg.n, CACHET_E_BAD_VERSION, "version 9 is no CMSVersion", "RFC 3274");
			free(msg.p);
		}
		{
			parts_t q = p;
			q.alg_oid = OID_UNKNOWN;
			q.alg_oid_len = sizeof(OID_UNKNOWN);
			msg = build(&q);
			expect(msg.p, msg.n, CACHET_E_UNKNOWN_OID, "unknown compression algorithm", "1.2.3.4.5");
			free(msg.p);
			q.alg_oid = OID_SHA256;
			q.alg_oid_len = sizeof(OID_SHA256);
			msg = build(&q);
			expect(msg.p, msg.n, CACHET_E_UNSUPPORTED, "a known algorithm that is not compression",
			       "2.16.840.1.101.3.4.2.1");
			free(msg.p);
		}
		{
			parts_t q = p;
			drun_t r = {.max = UINT64_MAX};
			q.params = (const uint8_t *)"\x05\x00";
			q.params_len = 2;
			msg = build(&q);
			ret = decompress_mem(msg.p, msg.n, &r);
			ok(ret == 0 && r.out.size == 3000 && strstr(r.summary, "NULL"),
			   "NULL parameters are read (RFC 3274 section 2: MAY) and noted");
			cachet_free(r.out.data);
			free(msg.p);
			q.params = (const uint8_t *)"\x02\x01\x09";
			q.params_len = 3;
			msg = build(&q);
			expect(msg.p, msg.n, CACHET_E_BAD_PARAMS, "INTEGER parameters", "RFC 3274 section 2");
			free(msg.p);
		}
		{
			parts_t q = p;
			q.zdata = NULL;
			msg = build(&q);
			expect(msg.p, msg.n, CACHET_E_NO_CONTENT, "absent eContent", "eContent");
			free(msg.p);
			q = p;
			q.extra_in_eci = true;
			msg = build(&q);
			expect(msg.p, msg.n, CACHET_E_MALFORMED, "an element after eContent", "after eContent");
			free(msg.p);
			q = p;
			q.outer_ct = OID_DATA;
			q.outer_ct_len = sizeof(OID_DATA);
			msg = build(&q);
			expect(msg.p, msg.n, CACHET_E_UNSUPPORTED_CONTENT, "a ContentInfo that is not CompressedData",
			       "id-data");
			free(msg.p);
			msg = build(&p);
			put(&msg, "\x00", 1);
			expect(msg.p, msg.n, CACHET_E_TRAILING_DATA, "an octet after the ContentInfo", NULL);
			free(msg.p);
		}

		/* ---- the size bound ---- */
		{
			msg = build(&p);
			drun_t r = {.max = 2999};
			ret = decompress_mem(msg.p, msg.n, &r);
			ok(ret == CACHET_E_SIZE_LIMIT && r.out.size <= 2999,
			   "max size 2999 stops 3000 octets (CACHET_E_SIZE_LIMIT, %zu written)", r.out.size);
			cachet_free(r.out.data);
			drun_t r2 = {.max = 3000};
			ret = decompress_mem(msg.p, msg.n, &r2);
			ok(ret == 0 && r2.out.size == 3000, "max size 3000 lets 3000 octets through");
			cachet_free(r2.out.data);
			drun_t r3 = {.max = 0};
			ret = decompress_mem(msg.p, msg.n, &r3);
			ok(ret == 0 && r3.out.size == 3000, "max size 0 means no bound");
			cachet_free(r3.out.data);
			free(msg.p);
		}
		free(z.p);
		free(c);
	}
	/* A bomb: 64 MiB of zeros in about 64 KiB, against a 1 MiB bound. */
	{
		size_t n = 64u << 20;
		uint8_t *zeros = calloc(1, n);
		buf_t z = zlib_of(zeros, n);
		free(zeros);
		parts_t p = {.version = -1, .zdata = z.p, .zlen = z.n};
		buf_t msg = build(&p);
		drun_t r = {.max = 1u << 20};
		ret = decompress_mem(msg.p, msg.n, &r);
		ok(ret == CACHET_E_SIZE_LIMIT && r.out.size <= (1u << 20),
		   "a %zu-octet bomb of 64 MiB stops at the 1 MiB bound (%zu written)", msg.n, r.out.size);
		cachet_free(r.out.data);
		free(msg.p);
		free(z.p);
	}
	ok(CACHET_DECOMPRESS_DEFAULT_MAX_SIZE == ((uint64_t)1 << 30), "the default bound is 1 GiB");
	{
		cachet_decompress_t *d = NULL;
		cachet_datum_t s = {0};
		ret = cachet_decompress_init(&d);
		ok(ret == 0 && cachet_decompress_content_type(d) == NULL &&
			   cachet_decompress_summary(d, 0, &s) == CACHET_E_BAD_STATE,
		   "before a run: no content type, no summary");
		ok(cachet_decompress_run(d, NULL, NULL, NULL) == CACHET_E_INVALID_ARG &&
			   cachet_decompress_set_max_size(NULL, 1) == CACHET_E_INVALID_ARG,
		   "NULL arguments are CACHET_E_INVALID_ARG");
		cachet_decompress_deinit(d);
		cachet_decompress_deinit(NULL);
	}
	return tap_done();
}
