/* mime.h -- the internal MIME layer under the S/MIME message layer
 * (RFC 8551 section 3).  Internal only: no public API yet.
 *
 *   mime-header.c  header blocks (RFC 5322 section 2.2), Content-Type,
 *                  Content-Disposition and Content-Transfer-Encoding
 *                  (RFC 2045 sections 5 and 6, RFC 2183), field writer,
 *                  boundary generator
 *   mime-codec.c   transfer decoders as sources and encoders as sinks
 *                  (RFC 2045 sections 6.7 and 6.8), the line-ending
 *                  canonicaliser (RFC 8551 section 3.1.1) and the
 *                  detection helpers behind the verifier's explanations
 *   mime-split.c   the streaming multipart splitter (RFC 2046 section 5.1)
 *
 * Everything streams: a header block is read from a cachet_source_t up to
 * the empty line and leaves the source at the first body byte; a decoder
 * is a source over a source; an encoder is a sink over a sink; a multipart
 * body is split into one source per part while it is read, with bounded
 * look-ahead.  Every limit is a named constant below; hitting one is
 * CACHET_E_SIZE_LIMIT, CACHET_E_COUNT_LIMIT or CACHET_E_DEPTH_LIMIT with a
 * diagnostic frame.  Malformed input is CACHET_E_MALFORMED (or
 * CACHET_E_TRUNCATED) with a frame naming the rule.
 *
 * How the S/MIME layer uses it:
 *  (a) multipart/signed: _cachet_mime_header_read() on the message,
 *      _cachet_mime_ctype_parse() on its Content-Type, then
 *      _cachet_mime_split_init() with the boundary; the first part's
 *      source yields exactly the signed bytes (RFC 2046 section 5.1.1:
 *      the line break before the delimiter is not part of them), so they
 *      go to the digest as they are read.  _cachet_mime_scan_*() over the
 *      same bytes says why a signature might fail.
 *  (b) application/pkcs7-mime: _cachet_mime_decoder_init() with the
 *      body's transfer encoding gives a source of DER for the CMS parser.
 *  (c) writing: _cachet_mime_header_write_raw() keeps the outer fields
 *      (minus the ones replaced), _cachet_mime_field_write() adds new ones,
 *      _cachet_mime_boundary_new() and the encoder sinks produce the body.
 */
#ifndef CACHET_MIME_H
#define CACHET_MIME_H

#include "internal.h"

/* ---- limits ---- */
/* One header block, in octets, including the empty line. */
#define CACHET_MIME_MAX_HEADER (256u * 1024)
/* Header fields in one block. */
#define CACHET_MIME_MAX_FIELDS 512
/* RFC 5322 section 2.1.1: a line MUST be no more than 998 octets,
 * excluding the CRLF; RFC 2045 section 2.8 and RFC 8551 section 3.1.2
 * rely on it too.  The detectors and the writer use it. */
#define CACHET_MIME_LINE_MAX 998
/* RFC 5322 section 2.1.1: SHOULD be no more than 78 octets. */
#define CACHET_MIME_LINE_SHOULD 78
/* Parameters in one Content-Type or Content-Disposition. */
#define CACHET_MIME_MAX_PARAMS 64
/* Nesting depth of multiparts (the outermost body is depth 0). */
#define CACHET_MIME_MAX_DEPTH 16
/* Body parts in one multipart. */
#define CACHET_MIME_MAX_PARTS 1024
/* RFC 2046 section 5.1.1: a boundary is 1 to 70 characters. */
#define CACHET_MIME_MAX_BOUNDARY 70
/* Transport padding (whitespace) accepted after a boundary. */
#define CACHET_MIME_MAX_PADDING 256
/* Quoted-printable: the longest run of whitespace held back while the
 * decoder waits to see whether it ends the line (RFC 2045 section 6.7
 * rule 3: it must then be removed). */
#define CACHET_MIME_QP_MAX_WS CACHET_MIME_LINE_MAX
/* RFC 2045 sections 6.7 and 6.8: encoded lines are at most 76
 * characters. */
#define CACHET_MIME_ENC_LINE 76
/* Size of a boundary made by _cachet_mime_boundary_new(), with its NUL. */
#define CACHET_MIME_BOUNDARY_BUF 40

/* ---- line endings ---- */
typedef enum {
	CACHET_MIME_EOL_NONE = 0, /* no line ending seen */
	CACHET_MIME_EOL_CRLF = 1,
	CACHET_MIME_EOL_LF = 2,	   /* bare LF */
	CACHET_MIME_EOL_CR = 4,	   /* bare CR (detectors only) */
	CACHET_MIME_EOL_MIXED = 8, /* more than one form */
} cachet_mime_eol_t;
/* "CRLF", "LF", "CR", "mixed" or "none". */
CACHET_INTERNAL const char *_cachet_mime_eol_name(cachet_mime_eol_t eol);

/* ---- header blocks (RFC 5322 section 2.2) ---- */

/* Notes on what was accepted although not well-formed. */
#define CACHET_MIME_NOTE_OBS_FOLD (1u << 0)	/* whitespace-only line, RFC 5322 4.2 */
#define CACHET_MIME_NOTE_OBS_COLON (1u << 1)	/* WSP before ':', RFC 5322 4.5 */
#define CACHET_MIME_NOTE_LONG_LINE (1u << 2)	/* a line over 998 octets */
#define CACHET_MIME_NOTE_8BIT (1u << 3)		/* octets over 127 */
#define CACHET_MIME_NOTE_BARE_CR (1u << 4)	/* CR not followed by LF */
#define CACHET_MIME_NOTE_NO_BLANK (1u << 5)	/* input ended before the empty line */

typedef struct {
	char *name;	  /* as written, NUL-terminated */
	char *value;	  /* unfolded (RFC 5322 section 2.2.3), outer WSP trimmed */
	uint8_t *raw;	  /* the exact octets, folds and line endings included */
	size_t raw_len;
	uint64_t offset;  /* of the first octet, in the source */
} cachet_mime_field_t;

typedef struct {
	cachet_mime_field_t *fields;
	size_t n, cap;
	cachet_mime_eol_t eol;	/* line endings of the block */
	unsigned notes;		/* CACHET_MIME_NOTE_* */
	uint64_t start;		/* source offset of the first octet */
	uint64_t body;		/* source offset of the first body octet */
	uint8_t sep[2];		/* the empty line as read ("\r\n", "\n" or none) */
	size_t sep_len;
} cachet_mime_header_t;

/* Read a header block from SRC up to and including the empty line; SRC is
 * left at the first octet of the body.  An empty block (the input starts
 * with the empty line) is valid.  H must be zeroed or deinit'ed first. */
CACHET_INTERNAL int _cachet_mime_header_read(cachet_mime_header_t *h,
					     cachet_source_t *src,
					     cachet_diag_t *diag);
CACHET_INTERNAL void _cachet_mime_header_deinit(cachet_mime_header_t *h);
/* The INDEX-th field (0 = first) named NAME, case-insensitively; NULL
 * when there are fewer. */
CACHET_INTERNAL const cachet_mime_field_t *
_cachet_mime_header_get(const cachet_mime_header_t *h, const char *name,
			size_t index);
CACHET_INTERNAL size_t _cachet_mime_header_count(const cachet_mime_header_t *h,
						 const char *name);
/* Write the fields' raw octets (unchanged) to SNK, leaving out the
 * fields named in SKIP (NULL-terminated, case-insensitive; may be NULL),
 * and, with WITH_SEP, the empty line as read. */
CACHET_INTERNAL int _cachet_mime_header_write_raw(const cachet_mime_header_t *h,
						  cachet_sink_t *snk,
						  const char *const *skip,
						  bool with_sep);
/* Write "NAME: VALUE" and a line ending (CRLF, or LF with
 * CACHET_MIME_EOL_LF), folding at whitespace so that lines stay within
 * 78 octets where a fold point allows, never over 998 (RFC 5322 sections
 * 2.1.1 and 2.2.3); CACHET_E_SIZE_LIMIT when a word cannot fit.  VALUE
 * must not contain CR or LF. */
CACHET_INTERNAL int _cachet_mime_field_write(cachet_sink_t *snk, const char *name,
					     const char *value, cachet_mime_eol_t eol,
					     cachet_diag_t *diag);

/* ---- Content-Type, Content-Disposition (RFC 2045 section 5, RFC 2183) ---- */
typedef struct {
	char *name;  /* lowercased */
	char *value; /* unquoted, escapes resolved */
} cachet_mime_param_t;

typedef struct {
	char *type;	/* lowercased; for a disposition, the disposition type */
	char *subtype;	/* lowercased; NULL for a disposition */
	cachet_mime_param_t params[CACHET_MIME_MAX_PARAMS];
	size_t nparams;
} cachet_mime_ctype_t;

/* Parse a Content-Type value (type "/" subtype *(";" parameter)).  RFC 822
 * comments are skipped, quoted-strings unquoted; a parameter given twice
 * is CACHET_E_MALFORMED.  CT must be zeroed or deinit'ed first. */
CACHET_INTERNAL int _cachet_mime_ctype_parse(cachet_mime_ctype_t *ct, const char *value,
					     cachet_diag_t *diag);
/* The same for Content-Disposition (RFC 2183 section 2): type only. */
CACHET_INTERNAL int _cachet_mime_disposition_parse(cachet_mime_ctype_t *ct,
						   const char *value,
						   cachet_diag_t *diag);
CACHET_INTERNAL void _cachet_mime_ctype_deinit(cachet_mime_ctype_t *ct);
/* The value of parameter NAME (case-insensitive), or NULL. */
CACHET_INTERNAL const char *_cachet_mime_ctype_param(const cachet_mime_ctype_t *ct,
						     const char *name);
/* Is it TYPE/SUBTYPE (lowercase arguments; SUBTYPE NULL for any)? */
/* Is NAME a trace field, one that relays add on the way (Received and
 * Return-Path, RFC 5321 section 4.4; DKIM-Signature, RFC 6376; ARC-*, RFC
 * 8617; Authentication-Results, RFC 8601)?  Header protection neither
 * copies nor expects them. */
CACHET_INTERNAL bool _cachet_mime_is_trace_field(const char *name);
CACHET_INTERNAL bool _cachet_mime_ctype_is(const cachet_mime_ctype_t *ct, const char *type,
					   const char *subtype);
/* Append "type/subtype; name=value ..." to OUT (as one unfolded value;
 * _cachet_mime_field_write folds it), quoting values that are not tokens
 * (RFC 2045 section 5.1).  SUBTYPE NULL for a disposition. */
CACHET_INTERNAL int _cachet_mime_ctype_format(cbuf_t *out, const char *type,
					      const char *subtype,
					      const cachet_mime_param_t *params,
					      size_t nparams);

/* Content-Transfer-Encoding (RFC 2045 section 6.1). */
typedef enum {
	CACHET_MIME_CTE_7BIT = 0, /* the default (RFC 2045 section 6.1) */
	CACHET_MIME_CTE_8BIT,
	CACHET_MIME_CTE_BINARY,
	CACHET_MIME_CTE_QP,
	CACHET_MIME_CTE_BASE64,
} cachet_mime_cte_t;
/* Parse VALUE (NULL: the field is absent, 7bit).  An unknown mechanism is
 * CACHET_E_UNSUPPORTED (RFC 2045 section 6.4). */
CACHET_INTERNAL int _cachet_mime_cte_parse(const char *value, cachet_mime_cte_t *cte,
					   cachet_diag_t *diag);
CACHET_INTERNAL const char *_cachet_mime_cte_name(cachet_mime_cte_t cte);

/* A random boundary (RFC 2046 section 5.1.1) that cannot occur in base64
 * or quoted-printable output: it begins with "=_", and "=_" is never
 * written by either encoding.  OUT has CACHET_MIME_BOUNDARY_BUF octets. */
CACHET_INTERNAL int _cachet_mime_boundary_new(char out[CACHET_MIME_BOUNDARY_BUF]);

/* ---- transfer decoders (sources) and encoders (sinks) ---- */

/* A source decoding CTE from INNER (borrowed; it must outlive the
 * decoder).  7bit/8bit/binary pass the octets through.  Decoding errors
 * come back from the reads as CACHET_E_MALFORMED with a frame in DIAG
 * (borrowed, may be NULL).  Free with cachet_source_deinit(). */
CACHET_INTERNAL int _cachet_mime_decoder_init(cachet_source_t **dec, cachet_mime_cte_t cte,
					      cachet_source_t *inner, cachet_diag_t *diag);

/* Encoder options. */
#define CACHET_MIME_ENC_LF (1u << 0)	     /* line endings LF instead of CRLF */
#define CACHET_MIME_ENC_QP_FROM_DOT (1u << 1) /* QP: encode "F" and "." at line start */
/* A sink encoding with CTE (base64 or quoted-printable) into INNER
 * (borrowed).  _cachet_sink_finish() writes what is held back (the last
 * quantum, the last line's line ending) and flushes INNER.  Free with
 * cachet_sink_deinit().  Base64 lines are 76 characters (RFC 2045
 * section 6.8); quoted-printable lines never exceed 76 (section 6.7
 * rule 5), whitespace before a line break and at the end is encoded
 * (rule 3), and a CRLF in the input is a hard line break (rule 4). */
CACHET_INTERNAL int _cachet_mime_encoder_init(cachet_sink_t **enc, cachet_mime_cte_t cte,
					      cachet_sink_t *inner, unsigned flags);
/* A sink that writes to INNER with every line ending made CRLF: bare LF
 * and bare CR become CRLF (RFC 8551 section 3.1.1, RFC 5322 section
 * 2.3). */
CACHET_INTERNAL int _cachet_mime_canon_init(cachet_sink_t **snk, cachet_sink_t *inner);

/* ---- detection (RFC 8551 sections 3.1.1 and 3.1.2) ---- */
typedef struct {
	uint64_t octets, lines;
	uint64_t crlf, bare_lf, bare_cr;
	uint64_t ws_lines;    /* lines ending in SP or HTAB */
	uint64_t long_lines;  /* lines over CACHET_MIME_LINE_MAX octets */
	uint64_t high, nul;   /* octets over 127; NUL octets */
	/* state between updates */
	uint64_t cur;	      /* length of the current line */
	bool in_cr;	      /* the last octet was CR */
	bool last_ws;	      /* the last octet of the line so far was SP/HTAB */
} cachet_mime_scan_t;

CACHET_INTERNAL void _cachet_mime_scan_init(cachet_mime_scan_t *sc);
CACHET_INTERNAL void _cachet_mime_scan_update(cachet_mime_scan_t *sc, const uint8_t *p,
					      size_t n);
/* End of data: counts a last unterminated line. */
CACHET_INTERNAL void _cachet_mime_scan_final(cachet_mime_scan_t *sc);
CACHET_INTERNAL cachet_mime_eol_t _cachet_mime_scan_eol(const cachet_mime_scan_t *sc);
/* One-shot forms over a buffer. */
CACHET_INTERNAL cachet_mime_eol_t _cachet_mime_detect_eol(const uint8_t *p, size_t n);
CACHET_INTERNAL bool _cachet_mime_has_trailing_ws(const uint8_t *p, size_t n);
CACHET_INTERNAL bool _cachet_mime_has_8bit(const uint8_t *p, size_t n);
CACHET_INTERNAL bool _cachet_mime_has_nul(const uint8_t *p, size_t n);
CACHET_INTERNAL bool _cachet_mime_has_long_line(const uint8_t *p, size_t n);
/* Append to OUT one sentence per finding that could explain why a
 * signature over these octets fails ("the signed part has bare LF line
 * endings: it was probably converted in transit (RFC 8551 section
 * 3.1.1)"); nothing when the octets are canonical 7-bit text. */
CACHET_INTERNAL int _cachet_mime_scan_explain(const cachet_mime_scan_t *sc, cbuf_t *out);

/* ---- multipart (RFC 2046 section 5.1) ---- */
typedef struct cachet_mime_split_st cachet_mime_split_t;

/* Where a part was found, in offsets from the first octet of the
 * multipart body. */
typedef struct {
	uint64_t delim;	  /* the line break that starts the delimiter before it */
	uint64_t start;	  /* first octet of the part (its header) */
	uint64_t end;	  /* one past its last octet: the line break before the
			   * next delimiter (RFC 2046 section 5.1.1) */
	cachet_mime_eol_t eol; /* line break before the next delimiter */
} cachet_mime_part_info_t;

/* Split the multipart body read from BODY (borrowed; the splitter reads
 * it to its end) at BOUNDARY.  DEPTH is the nesting depth of this
 * multipart (0 for the outermost); CACHET_E_DEPTH_LIMIT from
 * CACHET_MIME_MAX_DEPTH on.  DIAG is borrowed and may be NULL. */
CACHET_INTERNAL int _cachet_mime_split_init(cachet_mime_split_t **sp, cachet_source_t *body,
					    const char *boundary, unsigned depth,
					    cachet_diag_t *diag);
CACHET_INTERNAL void _cachet_mime_split_deinit(cachet_mime_split_t *sp);
/* The preamble as a source (only before the first part). */
CACHET_INTERNAL int _cachet_mime_split_preamble(cachet_mime_split_t *sp,
						cachet_source_t **pre);
/* Skip what is left of the preamble or the current part and give the next
 * part as a source that yields exactly its octets, header included.  The
 * source belongs to the splitter and is valid until the next call.
 * CACHET_E_END after the close delimiter. */
CACHET_INTERNAL int _cachet_mime_split_next(cachet_mime_split_t *sp,
					    cachet_source_t **part);
/* After CACHET_E_END: the epilogue as a source (it may be empty). */
CACHET_INTERNAL int _cachet_mime_split_epilogue(cachet_mime_split_t *sp,
						cachet_source_t **epi);
/* Parts found so far (a part's end is known once it has been read to
 * its end or skipped). */
CACHET_INTERNAL size_t _cachet_mime_split_count(const cachet_mime_split_t *sp);
CACHET_INTERNAL int _cachet_mime_split_info(const cachet_mime_split_t *sp, size_t i,
					    cachet_mime_part_info_t *info);
/* Offset of the close delimiter's first octet (its line break), and
 * where the epilogue begins; valid after CACHET_E_END. */
CACHET_INTERNAL uint64_t _cachet_mime_split_close_offset(const cachet_mime_split_t *sp);
CACHET_INTERNAL uint64_t _cachet_mime_split_epilogue_offset(const cachet_mime_split_t *sp);

#endif /* CACHET_MIME_H */
