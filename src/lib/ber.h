/* ber.h -- the streaming BER reader and writer (ARCHITECTURE decision 1).
 *
 * The reader walks the outer frame of a CMS message from a source without
 * holding it in memory: it reads one TLV header at a time, enters and
 * leaves constructed elements (definite or indefinite length), captures
 * bounded sub-structures into a buffer for libtasn1, and streams the
 * content OCTET STRING (primitive or constructed, chunked) to a callback.
 * Every length is checked by addition against its container before use;
 * depth and captured sizes are bounded (CACHET_MAX_DEPTH, caller limits).
 */
#ifndef CACHET_BER_H
#define CACHET_BER_H

#include "internal.h"

/* Identifier octet classes and flags (X.690 section 8.1.2). */
#define BER_UNIVERSAL 0x00
#define BER_APPLICATION 0x40
#define BER_CONTEXT 0x80
#define BER_PRIVATE 0xc0
#define BER_CONSTRUCTED 0x20

/* Universal tag numbers used by the frame. */
#define BER_TAG_INTEGER 2
#define BER_TAG_BIT_STRING 3
#define BER_TAG_OCTET_STRING 4
#define BER_TAG_NULL 5
#define BER_TAG_OID 6
#define BER_TAG_SEQUENCE 16
#define BER_TAG_SET 17

#define BER_HDR_MAX 16

typedef struct {
	uint8_t cls;	  /* BER_UNIVERSAL, BER_CONTEXT, ... */
	bool constructed;
	uint32_t tag;	  /* tag number */
	bool indefinite;
	uint64_t len;	  /* content length when definite */
	bool is_der;	  /* minimal length form, definite */
	uint8_t raw[BER_HDR_MAX];
	size_t raw_len;	  /* identifier + length octets */
} ber_hdr_t;

typedef struct {
	bool indefinite;
	bool ended;	/* the end-of-contents was consumed */
	uint64_t end;	/* absolute end offset when definite */
} ber_frame_t;

typedef struct {
	cachet_source_t *src;
	ber_frame_t stack[CACHET_MAX_DEPTH];
	unsigned depth;
	cachet_diag_t *diag;
	const char *path; /* where in the message, for diagnostics */
} ber_reader_t;

CACHET_INTERNAL void _cachet_ber_reader_init(ber_reader_t *r,
					     cachet_source_t *src,
					     cachet_diag_t *diag);
/* True when H has class CLS, tag number TAG and the given form. */
static inline bool ber_is(const ber_hdr_t *h, uint8_t cls, bool cons,
			  uint32_t tag)
{
	return h->cls == cls && h->constructed == cons && h->tag == tag;
}

/* Read the next header inside the current element.  Returns 0, or
 * CACHET_E_END at the end of the current element (an indefinite one's
 * end-of-contents is consumed) or of the input at top level. */
CACHET_INTERNAL int _cachet_ber_next(ber_reader_t *r, ber_hdr_t *h);
/* Like _cachet_ber_next, but the element must be there: CACHET_E_END
 * becomes CACHET_E_MALFORMED with a diagnostic naming WHAT. */
CACHET_INTERNAL int _cachet_ber_expect(ber_reader_t *r, ber_hdr_t *h,
				       uint8_t cls, bool cons, uint32_t tag,
				       const char *what);
/* Like _cachet_ber_next, but the element must be there: CACHET_E_END
 * becomes CACHET_E_MALFORMED with a frame naming WHAT under RULE. */
CACHET_INTERNAL int _cachet_ber_next_required(ber_reader_t *r, ber_hdr_t *h,
					      const char *what,
					      const char *rule);
/* After the outermost element: the input must end here (RFC 5652
 * section 3: the ContentInfo is the whole input).  CACHET_E_TRAILING_DATA
 * names the first extra byte. */
CACHET_INTERNAL int _cachet_ber_expect_eof(ber_reader_t *r);
/* Give back a header just read (for OPTIONAL look-ahead). */
CACHET_INTERNAL int _cachet_ber_unread(ber_reader_t *r, const ber_hdr_t *h);
/* Enter constructed element H (just read). */
CACHET_INTERNAL int _cachet_ber_enter(ber_reader_t *r, const ber_hdr_t *h);
/* Leave the current element: it must have been read to its end (for an
 * indefinite one, its end-of-contents is read here if not yet). */
CACHET_INTERNAL int _cachet_ber_leave(ber_reader_t *r);
/* Read a primitive definite element's content into OUT (appended), at
 * most LIMIT bytes. */
CACHET_INTERNAL int _cachet_ber_read_value(ber_reader_t *r,
					   const ber_hdr_t *h, cbuf_t *out,
					   size_t limit);
/* Append element H's whole encoding (header included) to OUT, at most
 * LIMIT bytes in all. */
CACHET_INTERNAL int _cachet_ber_capture(ber_reader_t *r, const ber_hdr_t *h,
					cbuf_t *out, size_t limit);
/* Skip element H, whatever its size. */
CACHET_INTERNAL int _cachet_ber_skip(ber_reader_t *r, const ber_hdr_t *h);

/* Stream the content octets of OCTET STRING H (primitive, or constructed
 * of OCTET STRING segments, RFC 5652 section 5.2 / X.690 8.7) to FN in
 * chunks; FN returns 0 or a negative code that aborts. */
typedef int (*ber_chunk_fn)(void *opaque, const uint8_t *p, size_t n);
CACHET_INTERNAL int _cachet_ber_stream_octets(ber_reader_t *r,
					      const ber_hdr_t *h,
					      ber_chunk_fn fn, void *opaque);
/* Like _cachet_ber_stream_octets for an OCTET STRING under any
 * (IMPLICIT) tag H, such as encryptedContent [0]. */
CACHET_INTERNAL int _cachet_ber_stream_implicit(ber_reader_t *r,
						const ber_hdr_t *h,
						ber_chunk_fn fn, void *opaque);
/* Stream the raw content octets of any element H (used for the
 * pre-CMS "content [0] EXPLICIT ANY" form): for a definite element its
 * content bytes; an indefinite one is refused (CACHET_E_UNSUPPORTED). */
CACHET_INTERNAL int _cachet_ber_stream_value(ber_reader_t *r,
					     const ber_hdr_t *h,
					     ber_chunk_fn fn, void *opaque);

/* The value of OBJECT IDENTIFIER element H in dotted form into DOTTED
 * (N octets); CACHET_E_MALFORMED with a frame at PATH naming RULE when it
 * is not a well-formed OID. */
CACHET_INTERNAL int _cachet_ber_read_oid(ber_reader_t *r, const ber_hdr_t *h,
					 char *dotted, size_t n,
					 const char *path, const char *rule);

/* Enter a ContentInfo (RFC 5652 section 3) and read its contentType into
 * DOTTED (N octets); the reader is then before the [0] content. */
CACHET_INTERNAL int _cachet_ber_content_info(ber_reader_t *r, char *dotted,
					     size_t n);

/* ---- writer ---- */
/* Encode an identifier + length into BUF (>= BER_HDR_MAX); LEN is
 * ignored when INDEFINITE.  Returns the byte count. */
CACHET_INTERNAL size_t _cachet_ber_encode_hdr(uint8_t *buf, uint8_t ident,
					      bool indefinite, uint64_t len);
CACHET_INTERNAL int _cachet_ber_put_hdr(cachet_sink_t *s, uint8_t ident,
					uint64_t len);
CACHET_INTERNAL int _cachet_ber_put_eoc(cachet_sink_t *s, unsigned count);
/* Append a DER TLV to a buffer. */
CACHET_INTERNAL int _cachet_der_append(cbuf_t *b, uint8_t ident,
				       const uint8_t *val, size_t len);
/* Parse one DER TLV from P/N: sets *ident, *val, *vlen and *total.  Strict:
 * definite minimal lengths, low tag numbers only. */
CACHET_INTERNAL int _cachet_der_parse(const uint8_t *p, size_t n,
				      uint8_t *ident, const uint8_t **val,
				      size_t *vlen, size_t *total);

#endif /* CACHET_BER_H */

/* ---- small DER builders for the parts Cachet writes ---- */
/* OBJECT IDENTIFIER from dotted text (X.690 8.19). */
CACHET_INTERNAL int _cachet_der_oid(cbuf_t *b, const char *dotted);
/* INTEGER from unsigned big-endian magnitude (leading zeros trimmed, a 00
 * added when the top bit is set: X.690 8.3.2). */
CACHET_INTERNAL int _cachet_der_uint(cbuf_t *b, const uint8_t *mag,
				     size_t len);
CACHET_INTERNAL int _cachet_der_small_uint(cbuf_t *b, unsigned long v);
/* Wrap B's bytes from OFFSET onwards in a TLV with IDENT. */
CACHET_INTERNAL int _cachet_der_wrap(cbuf_t *b, size_t offset, uint8_t ident);
/* DER SET OF: write IDENT and the N encodings sorted as X.690 11.6 says. */
CACHET_INTERNAL int _cachet_der_set_of(cbuf_t *out, uint8_t ident,
				       cbuf_t *elems, size_t n);
/* Dotted text of the OBJECT IDENTIFIER content octets P/N (X.690 8.19);
 * CACHET_E_MALFORMED for a non-minimal or truncated arc. */
CACHET_INTERNAL int _cachet_oid_to_str(const uint8_t *p, size_t n, char *buf,
				       size_t len);
