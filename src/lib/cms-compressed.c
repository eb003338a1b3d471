/* cms-compressed.c -- CompressedData (RFC 3274), produced and consumed in
 * one streaming pass with zlib (RFC 1950 around RFC 1951 deflate).
 *
 *   ContentInfo { id-ct-compressedData, [0] CompressedData {
 *     version                0 (RFC 3274 section 1.1: "It MUST be 0"),
 *     compressionAlgorithm   id-alg-zlibCompress, parameters absent,
 *     encapContentInfo       { eContentType, [0] EXPLICIT OCTET STRING } } }
 *
 * Producing: the frame goes out with indefinite lengths and the zlib
 * stream as a constructed OCTET STRING, one segment per CACHET_CHUNK of
 * compressed output, as cms-env.c does for ciphertext.  eContentType is
 * the caller's (id-data by default), so a nested CMS object can be
 * compressed.
 *
 * Consuming: the frame is walked by the BER reader, the algorithm
 * identifier is captured (bounded) and decoded by libtasn1, and the
 * eContent octets stream through inflate() into the caller's sink in
 * fixed chunks; memory is flat whatever the size.  Output beyond the
 * handle's maximum size stops the run (CACHET_E_SIZE_LIMIT): the bound
 * against decompression bombs.  No expansion-ratio guard: one deflate
 * layer cannot expand more than about 1032:1 (RFC 1951 section 3.2.5:
 * the longest match, 258 octets, costs at least two bits), so a ratio
 * limit would only turn down honest, very repetitive content, while the
 * size limit bounds what an attacker can make us write.  A nested
 * CompressedData is not decompressed again here (the caller sees its
 * content type and decides), so ratios never multiply inside one run.
 */
#include "ber.h"
#include "crypto.h"
#include "tasn1.h"

#include <stdlib.h>
#include <zlib.h>

#define RULE_CD "RFC 3274 section 1.1"
#define RULE_ALG "RFC 3274 section 2"
#define RULE_ZLIB "RFC 1950 section 2.2"
#define RULE_DEFLATE "RFC 1951 section 3.2"
#define RULE_ECI "RFC 5652 section 5.2"
/* The compressionAlgorithm AlgorithmIdentifier, captured whole. */
#define CACHET_MAX_COMP_ALG 4096

static const char *oid_of(cachet_alg_id_t id)
{
	const cachet_alg_t *a = _cachet_alg_by_id(id);
	return a ? a->oid : "0.0";
}

/* True when S is a dotted OBJECT IDENTIFIER Cachet can encode (X.690
 * section 8.19: at least two arcs, the first 0, 1 or 2, the second below
 * 40 unless the first is 2). */
static bool oid_text_ok(const char *s)
{
	unsigned long arcs[2] = {0, 0};
	size_t na = 0, digits = 0;

	if (s == NULL || *s == '\0' || strlen(s) > 120)
		return false;
	for (const char *p = s;; p++) {
		if (*p >= '0' && *p <= '9') {
			if (digits == 0 && *p == '0' && p[1] >= '0' && p[1] <= '9')
				return false; /* no leading zeros */
			if (++digits > 9)
				return false; /* keep every arc in an unsigned long */
			if (na < 2)
				arcs[na] = arcs[na] * 10 + (unsigned long)(*p - '0');
		} else if (*p == '.' || *p == '\0') {
			if (digits == 0)
				return false;
			na++;
			digits = 0;
			if (*p == '\0')
				break;
		} else {
			return false;
		}
	}
	return na >= 2 && arcs[0] <= 2 && (arcs[0] == 2 || arcs[1] < 40);
}

/* ================================================================== */
/* Producing                                                           */
/* ================================================================== */

/* Write the compressed octets in OBUF as one OCTET STRING segment. */
static int put_segment(cachet_sink_t *dst, const uint8_t *obuf, size_t n)
{
	int ret;
	if (n == 0)
		return 0;
	CHECK_RET(_cachet_ber_put_hdr(dst, 0x04, (uint64_t)n));
	return _cachet_sink_write(dst, obuf, n);
}

int cachet_compress_run(cachet_source_t *content, cachet_sink_t *out, const char *content_type, unsigned flags,
			cachet_diag_t *diag)
{
	z_stream zs;
	bool z_ready = false;
	cachet_sink_t *pem = NULL, *dst = out;
	cbuf_t head = {0};
	uint8_t *obuf = NULL;
	int ret, zr;

	memset(&zs, 0, sizeof(zs));
	if (content == NULL || out == NULL || (flags & ~CACHET_COMPRESS_PEM) != 0)
		return CACHET_E_INVALID_ARG;
	if (content_type == NULL)
		content_type = oid_of(CACHET_ALG_CT_DATA);
	ENSURE(oid_text_ok(content_type), CACHET_E_INVALID_ARG, "X.690 section 8.19", "eContentType",
	       "'%.64s' is not a dotted object identifier", content_type);

	obuf = _cachet_malloc(CACHET_CHUNK);
	ENSURE(obuf != NULL, CACHET_E_NOMEM, NULL, NULL, "out of memory");
	/* RFC 3274 section 2: ZLIB, i.e. the zlib format of RFC 1950 (the
	 * 2-octet header, deflate data, Adler-32): windowBits 15, not the
	 * raw (negative) or gzip (+16) forms. */
	zr = deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY);
	ENSURE(zr == Z_OK, zr == Z_MEM_ERROR ? CACHET_E_NOMEM : CACHET_E_INTERNAL, NULL, NULL,
	       "zlib deflateInit2 failed (%d)", zr);
	z_ready = true;

	if (flags & CACHET_COMPRESS_PEM) {
		CHECK(_cachet_sink_init_pem(&pem, out, "CMS"));
		dst = pem;
	}

	/* ContentInfo (RFC 5652 section 3) and CompressedData up to the
	 * content, with indefinite lengths. */
	CHECK(_cachet_buf_append(&head, "\x30\x80", 2));
	CHECK(_cachet_der_oid(&head, oid_of(CACHET_ALG_CT_COMPRESSED)));
	CHECK(_cachet_buf_append(&head, "\xa0\x80\x30\x80", 4));
	CHECK(_cachet_der_small_uint(&head, 0)); /* RFC 3274 section 1.1: MUST be 0 */
	{
		/* RFC 3274 section 2: "The parameters field SHOULD be encoded
		 * as omitted". */
		size_t off = head.size;
		CHECK(_cachet_der_oid(&head, oid_of(CACHET_ALG_ZLIB)));
		CHECK(_cachet_der_wrap(&head, off, 0x30));
	}
	CHECK(_cachet_buf_append(&head, "\x30\x80", 2));
	ret = _cachet_der_oid(&head, content_type);
	ENSURE(ret == 0, CACHET_E_INVALID_ARG, "X.690 section 8.19", "eContentType",
	       "'%.64s' cannot be encoded as an object identifier", content_type);
	/* eContent [0] EXPLICIT OCTET STRING, the OCTET STRING constructed. */
	CHECK(_cachet_buf_append(&head, "\xa0\x80\x24\x80", 4));
	CHECK(_cachet_sink_write(dst, head.data, head.size));

	zs.next_out = obuf;
	zs.avail_out = CACHET_CHUNK;
	for (bool eof = false; !eof;) {
		const uint8_t *p;
		size_t n;
		ret = _cachet_source_borrow(content, CACHET_CHUNK, &p, &n);
		ENSURE(ret == 0, ret, NULL, "content", "reading the content failed");
		if (n == 0)
			eof = true;
		zs.next_in = (Bytef *)(uintptr_t)p; /* zlib does not write through it */
		zs.avail_in = (uInt)n;
		do {
			zr = deflate(&zs, eof ? Z_FINISH : Z_NO_FLUSH);
			ENSURE(zr == Z_OK || zr == Z_STREAM_END || zr == Z_BUF_ERROR, CACHET_E_INTERNAL, NULL,
			       "content", "zlib deflate failed (%d)", zr);
			if (zs.avail_out == 0) {
				CHECK(put_segment(dst, obuf, CACHET_CHUNK));
				zs.next_out = obuf;
				zs.avail_out = CACHET_CHUNK;
			}
		} while (zs.avail_in > 0 || (eof && zr != Z_STREAM_END));
	}
	CHECK(put_segment(dst, obuf, CACHET_CHUNK - zs.avail_out));
	/* The OCTET STRING, [0], encapContentInfo, CompressedData, [0],
	 * ContentInfo. */
	CHECK(_cachet_ber_put_eoc(dst, 6));
	CHECK(_cachet_sink_finish(dst));
	ret = 0;
cleanup:
	if (z_ready)
		deflateEnd(&zs);
	cachet_sink_deinit(pem);
	_cachet_buf_free(&head);
	free(obuf);
	return ret;
}

/* ================================================================== */
/* Consuming                                                           */
/* ================================================================== */

struct cachet_decompress_st {
	uint64_t max_size; /* 0: no bound */

	/* What the last run found (cachet_decompress_summary). */
	bool ran;
	bool has_version;
	unsigned long version;
	char alg[160];
	bool has_ct;
	char content_type[128]; /* dotted */
	uint64_t compressed_size;
	uint64_t content_size;
	cbuf_t findings; /* lines */
};

int cachet_decompress_init(cachet_decompress_t **d)
{
	if (d == NULL)
		return CACHET_E_INVALID_ARG;
	*d = _cachet_calloc(1, sizeof(**d));
	if (*d == NULL)
		return CACHET_E_NOMEM;
	(*d)->max_size = CACHET_DECOMPRESS_DEFAULT_MAX_SIZE;
	return 0;
}

void cachet_decompress_deinit(cachet_decompress_t *d)
{
	if (d == NULL)
		return;
	_cachet_buf_free(&d->findings);
	free(d);
}

int cachet_decompress_set_max_size(cachet_decompress_t *d, uint64_t max)
{
	if (d == NULL)
		return CACHET_E_INVALID_ARG;
	d->max_size = max;
	return 0;
}

const char *cachet_decompress_content_type(const cachet_decompress_t *d)
{
	return d != NULL && d->has_ct ? d->content_type : NULL;
}

static void summary_reset(cachet_decompress_t *d)
{
	_cachet_buf_free(&d->findings);
	d->ran = d->has_version = d->has_ct = false;
	d->version = 0;
	d->alg[0] = d->content_type[0] = '\0';
	d->compressed_size = d->content_size = 0;
}

/* compressionAlgorithm: zlib, parameters absent or NULL (RFC 3274
 * section 2: "SHOULD be encoded as omitted, but MAY be encoded as NULL";
 * Cachet writes them omitted and reads both). */
static int read_comp_alg(cachet_decompress_t *d, const cbuf_t *alg, cachet_diag_t *diag)
{
	static const char *path = "CompressedData.compressionAlgorithm";
	asn1_node n = NULL;
	cbuf_t params = {0};
	char oid[128];
	int ret;

	CHECK(_cachet_asn1_decode("CachetCompress.CompressionAlgorithmIdentifier", alg->data, alg->size, false, &n,
				  path, RULE_ALG, diag));
	CHECK(_cachet_asn1_read_oid(n, "algorithm", oid, sizeof(oid)));
	const cachet_alg_t *a = _cachet_alg_by_oid(oid);
	snprintf(d->alg, sizeof(d->alg), "%s", _cachet_oid_name(oid));
	/* Unknown OID and known-but-not-a-compression-algorithm stay apart
	 * (doc/HACKING); both name the OID. */
	ENSURE(a != NULL, CACHET_E_UNKNOWN_OID, RULE_ALG, path,
	       "%s is not a compression algorithm Cachet knows (RFC 3274 defines zlibCompress, "
	       "1.2.840.113549.1.9.16.3.8)",
	       oid);
	ENSURE(a->id == CACHET_ALG_ZLIB, CACHET_E_UNSUPPORTED, RULE_ALG, path,
	       "%s (%s) is not a compression algorithm Cachet supports (only zlibCompress)", a->name, a->oid);
	ret = _cachet_asn1_read(n, "parameters", &params);
	if (ret == CACHET_E_END)
		ret = 0;
	CHECK(ret);
	CHECK(_cachet_alg_check_params(a, params.data, params.size, path, diag));
	if (params.size)
		CHECK(CACHET_FINDING(&d->findings, "compressionAlgorithm parameters are NULL (allowed, but RFC 3274 section 2 says "
				 "they SHOULD be omitted)"));
cleanup:
	_cachet_asn1_delete(&n, false);
	_cachet_buf_free(&params);
	return ret;
}

/* The state of one inflate run. */
typedef struct {
	cachet_decompress_t *d;
	z_stream zs;
	cachet_sink_t *out;
	uint8_t *obuf;
	bool ended; /* Z_STREAM_END seen */
	cachet_diag_t *diag;
} zstate_t;

#define ZPATH "CompressedData.encapContentInfo.eContent"

/* The diagnostic for a zlib error: which rule the bytes broke. */
static int zlib_error(zstate_t *st, int zr)
{
	const char *msg = st->zs.msg ? st->zs.msg : "no detail";
	const char *rule = RULE_DEFLATE;
	int code = CACHET_E_MALFORMED;

	if (zr == Z_MEM_ERROR) {
		_cachet_diag_push(st->diag, CACHET_E_NOMEM, ZPATH, NULL, "zlib ran out of memory");
		return CACHET_E_NOMEM;
	}
	if (zr == Z_NEED_DICT) {
		/* FDICT set: RFC 3274 has no way to carry a preset dictionary. */
		_cachet_diag_push(st->diag, code, ZPATH, RULE_ZLIB,
				  "the zlib header asks for a preset dictionary (FDICT), which CompressedData "
				  "cannot convey");
		return code;
	}
	if (strstr(msg, "header") || strstr(msg, "compression method") || strstr(msg, "window size"))
		rule = RULE_ZLIB;
	else if (strstr(msg, "data check"))
		rule = "RFC 1950 section 2.2 (ADLER32)";
	_cachet_diag_push(st->diag, code, ZPATH, rule, "the zlib stream is corrupt: %s (after %llu compressed octets)",
			  msg, (unsigned long long)st->d->compressed_size);
	return code;
}

static int flush_out(zstate_t *st)
{
	size_t n = CACHET_CHUNK - st->zs.avail_out;
	int ret = 0;
	if (n == 0)
		return 0;
	st->d->content_size += n;
	/* The bound against decompression bombs: stop before writing past
	 * it. */
	if (st->d->max_size != 0 && st->d->content_size > st->d->max_size) {
		_cachet_diag_push(st->diag, CACHET_E_SIZE_LIMIT, ZPATH, NULL,
				  "the content decompresses to more than the limit of %llu octets",
				  (unsigned long long)st->d->max_size);
		return CACHET_E_SIZE_LIMIT;
	}
	ret = _cachet_sink_write(st->out, st->obuf, n);
	st->zs.next_out = st->obuf;
	st->zs.avail_out = CACHET_CHUNK;
	return ret;
}

static int inflate_chunk(void *opaque, const uint8_t *p, size_t n)
{
	zstate_t *st = opaque;
	int ret, zr;

	if (n == 0)
		return 0;
	/* Anything after the zlib stream's end inside eContent, even in a
	 * later segment, is not part of the compressed content. */
	if (st->ended) {
		_cachet_diag_push(st->diag, CACHET_E_MALFORMED, ZPATH, RULE_ZLIB,
				  "%zu octet%s follow the end of the zlib stream (its Adler-32 checksum) inside "
				  "eContent",
				  n, n == 1 ? "" : "s");
		return CACHET_E_MALFORMED;
	}
	while (n > 0) {
		size_t k = n < CACHET_CHUNK ? n : CACHET_CHUNK;
		st->zs.next_in = (Bytef *)(uintptr_t)p;
		st->zs.avail_in = (uInt)k;
		while (st->zs.avail_in > 0) {
			uInt before = st->zs.avail_in;
			zr = inflate(&st->zs, Z_NO_FLUSH);
			st->d->compressed_size += before - st->zs.avail_in;
			if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
				return zlib_error(st, zr);
			if (st->zs.avail_out == 0 || zr == Z_STREAM_END)
				CHECK_RET(flush_out(st));
			if (zr == Z_STREAM_END) {
				st->ended = true;
				if (st->zs.avail_in > 0 || k < n) {
					size_t extra = st->zs.avail_in + (n - k);
					_cachet_diag_push(st->diag, CACHET_E_MALFORMED, ZPATH, RULE_ZLIB,
							  "%zu octet%s follow the end of the zlib stream (its "
							  "Adler-32 checksum) inside eContent",
							  extra, extra == 1 ? "" : "s");
					return CACHET_E_MALFORMED;
				}
				return 0;
			}
			/* Z_BUF_ERROR with input left means no progress was
			 * possible: cannot happen with room for output, but
			 * never loop on it. */
			if (zr == Z_BUF_ERROR && st->zs.avail_in == before && st->zs.avail_out > 0)
				return zlib_error(st, Z_DATA_ERROR);
		}
		p += k;
		n -= k;
	}
	return 0;
}

int cachet_decompress_run(cachet_decompress_t *d, cachet_source_t *in, cachet_sink_t *out, cachet_diag_t *diag)
{
	zstate_t st;
	bool z_ready = false;
	cachet_source_t *src = NULL;
	ber_reader_t r;
	ber_hdr_t h;
	cbuf_t v = {0}, alg = {0};
	char dotted[128];
	int ret, zr;

	memset(&st, 0, sizeof(st));
	if (d == NULL || in == NULL || out == NULL)
		return CACHET_E_INVALID_ARG;
	summary_reset(d);
	st.d = d;
	st.out = out;
	st.diag = diag;
	CHECK(_cachet_source_autodetect(&src, in, diag));
	_cachet_ber_reader_init(&r, src, diag);

	/* ContentInfo (RFC 5652 section 3). */
	CHECK(_cachet_ber_content_info(&r, dotted, sizeof(dotted)));
	ENSURE(strcmp(dotted, oid_of(CACHET_ALG_CT_COMPRESSED)) == 0, CACHET_E_UNSUPPORTED_CONTENT, RULE_CD,
	       "ContentInfo.contentType", "content type %s is not CompressedData (id-ct-compressedData)",
	       _cachet_oid_name(dotted));
	d->ran = true;
	CHECK(_cachet_ber_expect(&r, &h, BER_CONTEXT, true, 0, "ContentInfo.content"));
	CHECK(_cachet_ber_enter(&r, &h));
	r.path = "CompressedData";
	CHECK(_cachet_ber_expect(&r, &h, BER_UNIVERSAL, true, BER_TAG_SEQUENCE, "CompressedData"));
	CHECK(_cachet_ber_enter(&r, &h));

	/* version CMSVersion: "It MUST be 0" (RFC 3274 section 1.1).  Another
	 * CMSVersion is a finding, not a failure (RFC 5652 section 1.3 asks
	 * readers to be forgiving, as cms-env.c does); a value that is no
	 * CMSVersion at all is refused. */
	CHECK(_cachet_ber_expect(&r, &h, BER_UNIVERSAL, false, BER_TAG_INTEGER, "CompressedData.version"));
	CHECK(_cachet_ber_read_value(&r, &h, &v, 8));
	ENSURE(v.size == 1 && v.data[0] <= 5, CACHET_E_BAD_VERSION, RULE_CD, "CompressedData.version",
	       "version is not a CMSVersion (0 to 5); RFC 3274 says it MUST be 0");
	d->version = v.data[0];
	d->has_version = true;
	if (d->version != 0)
		CHECK(CACHET_FINDING(&d->findings, "CompressedData version is %lu; RFC 3274 section 1.1 says it MUST be 0 (accepted: "
				 "RFC 5652 section 1.3 asks readers to be forgiving)",
			      d->version));

	/* compressionAlgorithm, a bounded part. */
	r.path = "CompressedData.compressionAlgorithm";
	CHECK(_cachet_ber_expect(&r, &h, BER_UNIVERSAL, true, BER_TAG_SEQUENCE,
				 "CompressedData.compressionAlgorithm"));
	CHECK(_cachet_ber_capture(&r, &h, &alg, CACHET_MAX_COMP_ALG));
	CHECK(read_comp_alg(d, &alg, diag));

	/* encapContentInfo (RFC 5652 section 5.2). */
	r.path = "CompressedData.encapContentInfo";
	CHECK(_cachet_ber_expect(&r, &h, BER_UNIVERSAL, true, BER_TAG_SEQUENCE, "CompressedData.encapContentInfo"));
	CHECK(_cachet_ber_enter(&r, &h));
	CHECK(_cachet_ber_expect(&r, &h, BER_UNIVERSAL, false, BER_TAG_OID,
				 "CompressedData.encapContentInfo.eContentType"));
	CHECK(_cachet_ber_read_oid(&r, &h, d->content_type, sizeof(d->content_type),
			    "CompressedData.encapContentInfo.eContentType", RULE_ECI));
	d->has_ct = true;
	ret = _cachet_ber_next(&r, &h);
	ENSURE(ret != CACHET_E_END, CACHET_E_NO_CONTENT, RULE_CD, ZPATH,
	       "the compressed content is not in the message (eContent is absent; detached compressed "
	       "content is not supported)");
	CHECK(ret);
	ENSURE(ber_is(&h, BER_CONTEXT, true, 0), CACHET_E_MALFORMED, RULE_ECI, ZPATH,
	       "expected eContent [0] EXPLICIT, found identifier 0x%02x", h.raw[0]);
	CHECK(_cachet_ber_enter(&r, &h));
	r.path = ZPATH;
	ret = _cachet_ber_next(&r, &h);
	ENSURE(ret != CACHET_E_END, CACHET_E_MALFORMED, RULE_ECI, ZPATH, "eContent [0] is empty");
	CHECK(ret);
	ENSURE(h.cls == BER_UNIVERSAL && h.tag == BER_TAG_OCTET_STRING, CACHET_E_MALFORMED, RULE_ECI, ZPATH,
	       "eContent is not an OCTET STRING (identifier 0x%02x)", h.raw[0]);

	st.obuf = _cachet_malloc(CACHET_CHUNK);
	ENSURE(st.obuf != NULL, CACHET_E_NOMEM, NULL, NULL, "out of memory");
	/* RFC 1950 format only (windowBits 15: any window up to 32 KiB, the
	 * zlib header and the Adler-32 trailer required). */
	zr = inflateInit2(&st.zs, 15);
	ENSURE(zr == Z_OK, zr == Z_MEM_ERROR ? CACHET_E_NOMEM : CACHET_E_INTERNAL, NULL, NULL,
	       "zlib inflateInit2 failed (%d)", zr);
	z_ready = true;
	st.zs.next_out = st.obuf;
	st.zs.avail_out = CACHET_CHUNK;
	CHECK(_cachet_ber_stream_octets(&r, &h, inflate_chunk, &st));
	ENSURE(st.ended, CACHET_E_TRUNCATED, RULE_ZLIB, ZPATH,
	       "the zlib stream ends early: eContent holds %llu octets and no end of stream and Adler-32 "
	       "checksum",
	       (unsigned long long)d->compressed_size);
	CHECK(_cachet_ber_leave(&r)); /* [0] */

	ret = _cachet_ber_next(&r, &h);
	ENSURE(ret != 0, CACHET_E_MALFORMED, RULE_ECI, "CompressedData.encapContentInfo",
	       "unexpected element (identifier 0x%02x) after eContent", h.raw[0]);
	ENSURE(ret == CACHET_E_END, ret, RULE_ECI, "CompressedData.encapContentInfo", "reading the message failed");
	CHECK(_cachet_ber_leave(&r)); /* encapContentInfo */
	r.path = "CompressedData";
	ret = _cachet_ber_next(&r, &h);
	ENSURE(ret != 0, CACHET_E_MALFORMED, RULE_CD, "CompressedData",
	       "unexpected element (identifier 0x%02x) after encapContentInfo", h.raw[0]);
	ENSURE(ret == CACHET_E_END, ret, RULE_CD, "CompressedData", "reading the message failed");
	CHECK(_cachet_ber_leave(&r)); /* CompressedData */
	CHECK(_cachet_ber_leave(&r)); /* [0] */
	CHECK(_cachet_ber_leave(&r)); /* ContentInfo */
	CHECK(_cachet_ber_expect_eof(&r));
	CHECK(cachet_sink_flush(out));
	ret = 0;
cleanup:
	if (z_ready)
		inflateEnd(&st.zs);
	free(st.obuf);
	if (src != in)
		cachet_source_deinit(src);
	_cachet_buf_free(&v);
	_cachet_buf_free(&alg);
	return ret;
}

int cachet_decompress_summary(const cachet_decompress_t *d, unsigned flags, cachet_datum_t *out)
{
	cbuf_t b = {0};
	int ret;
	bool json = (flags & CACHET_INSPECT_JSON) != 0;
	const char *ct = d && d->has_ct ? _cachet_oid_name(d->content_type) : NULL;

	if (d == NULL || out == NULL || (flags & ~CACHET_INSPECT_JSON) != 0)
		return CACHET_E_INVALID_ARG;
	out->data = NULL;
	out->size = 0;
	if (!d->ran)
		return CACHET_E_BAD_STATE;
	if (json) {
		CHECK(_cachet_buf_printf(&b, "{\"type\":\"CompressedData\",\"version\":"));
		if (d->has_version)
			CHECK(_cachet_buf_printf(&b, "%lu", d->version));
		else
			CHECK(_cachet_buf_printf(&b, "null"));
		CHECK(_cachet_buf_printf(&b, ",\"compression\":"));
		if (d->alg[0])
			CHECK(_cachet_buf_json_str(&b, d->alg));
		else
			CHECK(_cachet_buf_printf(&b, "null"));
		CHECK(_cachet_buf_printf(&b, ",\"content_type\":"));
		if (ct)
			CHECK(_cachet_buf_json_str(&b, ct));
		else
			CHECK(_cachet_buf_printf(&b, "null"));
		CHECK(_cachet_buf_printf(&b, ",\"compressed_octets\":%llu,\"content_octets\":%llu,\"findings\":[",
					 (unsigned long long)d->compressed_size, (unsigned long long)d->content_size));
		CHECK(_cachet_findings_out(&b, &d->findings, true));
		CHECK(_cachet_buf_printf(&b, "]}\n"));
	} else {
		if (d->has_version)
			CHECK(_cachet_buf_printf(&b, "CompressedData (version %lu)\n", d->version));
		else
			CHECK(_cachet_buf_printf(&b, "CompressedData\n"));
		CHECK(_cachet_buf_printf(&b, "  compression:        %s\n", d->alg[0] ? d->alg : "(not read)"));
		CHECK(_cachet_buf_printf(&b, "  content type:       %s\n", ct ? ct : "(not read)"));
		CHECK(_cachet_buf_printf(&b, "  compressed content: %llu octets\n",
					 (unsigned long long)d->compressed_size));
		CHECK(_cachet_buf_printf(&b, "  content:            %llu octets\n",
					 (unsigned long long)d->content_size));
		CHECK(_cachet_findings_out(&b, &d->findings, false));
	}
	out->data = b.data;
	out->size = b.size;
	return 0;
cleanup:
	_cachet_buf_free(&b);
	return ret;
}
