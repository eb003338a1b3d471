/* mime-codec.c -- transfer decoders (sources) and encoders (sinks) for
 * base64 and quoted-printable (RFC 2045 sections 6.7 and 6.8), the
 * line-ending canonicaliser (RFC 8551 section 3.1.1) and the detectors
 * behind the verifier's explanations.  See mime.h. */
#include "mime.h"

#include <stdlib.h>

#define RULE_B64 "RFC 2045 section 6.8"
#define RULE_QP "RFC 2045 section 6.7"

/* Input is taken from the inner source in pieces of this size. */
#define DEC_IN 4096
/* Decoded octets waiting to be read: one input piece, plus whitespace a
 * quoted-printable decoder held back, plus a little. */
#define DEC_OUT (DEC_IN + CACHET_MIME_QP_MAX_WS + 16)

typedef struct {
	cachet_mime_cte_t cte;
	cachet_source_t *inner;
	cachet_diag_t *diag;
	uint8_t in[DEC_IN];
	uint8_t out[DEC_OUT];
	size_t out_pos, out_len;
	bool eof;  /* inner is at its end and the tail was handled */
	int err;   /* sticky */
	uint64_t at; /* encoded octets consumed, for error positions */
	/* base64 */
	uint32_t quad;
	unsigned nquad, npad;
	/* quoted-printable */
	enum { QP_TEXT, QP_EQ, QP_EQ_HEX, QP_EQ_WS, QP_EQ_CR, QP_CR } qp;
	uint8_t hex; /* first digit's value in QP_EQ_HEX */
	uint8_t ws[CACHET_MIME_QP_MAX_WS]; /* whitespace held back */
	size_t nws;
} dec_t;

static int hex_val(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	/* RFC 2045 section 6.7 rule 1 says uppercase; a robust decoder may
	 * take lowercase too (same section, the note on rule 1). */
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

__attribute__((format(printf, 4, 5))) static int dec_fail(dec_t *d, int code,
								 const char *rule,
								 const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	_cachet_diag_push(d->diag, code,
			  d->cte == CACHET_MIME_CTE_BASE64 ? "base64" : "quoted-printable", rule,
			  "%s (encoded octet %llu)", buf, (unsigned long long)d->at);
	return d->err = code;
}

/* Decode N base64 characters into d->out. */
static int b64_step(dec_t *d, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++, d->at++) {
		uint8_t c = p[i];
		/* Line breaks and whitespace carry nothing (RFC 2045 section
		 * 6.8: "All line breaks or other characters not found in
		 * Table 1 must be ignored"); anything else outside the
		 * alphabet is refused here: S/MIME bodies are machine-made. */
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			/* "xx==" or "xxx=" (RFC 2045 section 6.8) */
			if (d->nquad + d->npad < 2 || d->nquad + d->npad >= 4)
				return dec_fail(d, CACHET_E_MALFORMED, RULE_B64,
						"'=' padding at quantum position %u",
						d->nquad + d->npad);
			d->npad++;
			if (d->nquad + d->npad == 4) {
				if (d->nquad == 2) {
					d->out[d->out_len++] = (uint8_t)(d->quad >> 4);
				} else {
					d->out[d->out_len++] = (uint8_t)(d->quad >> 10);
					d->out[d->out_len++] = (uint8_t)(d->quad >> 2);
				}
				d->nquad = 0;
				d->quad = 0;
				d->npad = 5; /* done: only whitespace may follow */
			}
			continue;
		}
		int v = _cachet_b64_value(c);
		if (v < 0)
			return dec_fail(d, CACHET_E_MALFORMED, RULE_B64,
					"octet 0x%02x is not in the base64 alphabet", c);
		if (d->npad)
			return dec_fail(d, CACHET_E_MALFORMED, RULE_B64,
					"base64 data ('%c') after the '=' padding", c);
		d->quad = (d->quad << 6) | (uint32_t)v;
		if (++d->nquad == 4) {
			d->out[d->out_len++] = (uint8_t)(d->quad >> 16);
			d->out[d->out_len++] = (uint8_t)(d->quad >> 8);
			d->out[d->out_len++] = (uint8_t)d->quad;
			d->nquad = 0;
			d->quad = 0;
		}
	}
	return 0;
}

static int b64_end(dec_t *d)
{
	if (d->nquad != 0 || (d->npad != 0 && d->npad != 5))
		return dec_fail(d, CACHET_E_MALFORMED, RULE_B64,
				"the base64 text ends inside a quantum (%u characters of 4)",
				d->nquad + (d->npad == 5 ? 0 : d->npad));
	return 0;
}

static void qp_flush_ws(dec_t *d)
{
	memcpy(d->out + d->out_len, d->ws, d->nws);
	d->out_len += d->nws;
	d->nws = 0;
}

/* Decode N quoted-printable characters into d->out.  Hard line breaks
 * come out as they came in (CRLF or LF). */
static int qp_step(dec_t *d, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++, d->at++) {
		uint8_t c = p[i];
		switch (d->qp) {
		case QP_CR:
			d->qp = QP_TEXT;
			if (c == '\n') {
				/* Rule 3: whitespace at the end of an encoded line
				 * is removed; the line break is kept. */
				d->nws = 0;
				d->out[d->out_len++] = '\r';
				d->out[d->out_len++] = '\n';
				continue;
			}
			qp_flush_ws(d);
			d->out[d->out_len++] = '\r'; /* bare CR: kept as it is */
			/* fall through: C is ordinary text */
			/* FALLTHROUGH */
		case QP_TEXT:
			if (c == '=') {
				d->qp = QP_EQ;
			} else if (c == ' ' || c == '\t') {
				if (d->nws == sizeof(d->ws))
					return dec_fail(d, CACHET_E_SIZE_LIMIT, RULE_QP,
							"a run of whitespace longer than %u octets "
							"",
							CACHET_MIME_QP_MAX_WS);
				d->ws[d->nws++] = c;
			} else if (c == '\r') {
				d->qp = QP_CR;
			} else if (c == '\n') {
				d->nws = 0; /* rule 3 */
				d->out[d->out_len++] = '\n';
			} else {
				qp_flush_ws(d);
				d->out[d->out_len++] = c;
			}
			break;
		case QP_EQ:
			qp_flush_ws(d);
			if (c == ' ' || c == '\t') {
				d->qp = QP_EQ_WS; /* "=" then padding: a soft break */
			} else if (c == '\r') {
				d->qp = QP_EQ_CR;
			} else if (c == '\n') {
				d->qp = QP_TEXT; /* soft line break (rule 5) */
			} else if (hex_val(c) >= 0) {
				d->hex = (uint8_t)hex_val(c);
				d->qp = QP_EQ_HEX;
			} else {
				return dec_fail(d, CACHET_E_MALFORMED, RULE_QP,
						"'=' followed by 0x%02x, neither two hex digits nor "
						"a line break",
						c);
			}
			break;
		case QP_EQ_HEX:
			if (hex_val(c) < 0)
				return dec_fail(d, CACHET_E_MALFORMED, RULE_QP,
						"'=' and one hex digit followed by 0x%02x",
						c);
			d->out[d->out_len++] = (uint8_t)((d->hex << 4) | hex_val(c));
			d->qp = QP_TEXT;
			break;
		case QP_EQ_WS:
			if (c == ' ' || c == '\t')
				break;
			if (c == '\r') {
				d->qp = QP_EQ_CR;
				break;
			}
			if (c == '\n') {
				d->qp = QP_TEXT;
				break;
			}
			return dec_fail(d, CACHET_E_MALFORMED, RULE_QP,
					"'=' followed by whitespace and then 0x%02x instead of a "
					"line break",
					c);
		case QP_EQ_CR:
			if (c != '\n')
				return dec_fail(d, CACHET_E_MALFORMED, RULE_QP,
						"'=' and CR followed by 0x%02x instead of LF",
						c);
			d->qp = QP_TEXT;
			break;
		}
	}
	return 0;
}

static int qp_end(dec_t *d)
{
	switch (d->qp) {
	case QP_CR:
		d->nws = 0;
		d->out[d->out_len++] = '\r';
		break;
	case QP_EQ_HEX:
		return dec_fail(d, CACHET_E_MALFORMED, RULE_QP,
				"the text ends inside an '=' escape");
	default:
		/* A final "=" (QP_EQ, QP_EQ_WS) is a soft break at the end;
		 * trailing whitespace is removed (rule 3). */
		d->nws = 0;
		break;
	}
	d->qp = QP_TEXT;
	return 0;
}

static long dec_read(void *opaque, uint8_t *buf, size_t len)
{
	dec_t *d = opaque;
	if (d->err)
		return d->err;
	while (d->out_pos == d->out_len && !d->eof) {
		d->out_pos = d->out_len = 0;
		long n = _cachet_source_read(d->inner, d->in, sizeof(d->in));
		if (n < 0)
			return d->err = (int)n;
		int ret = 0;
		switch (d->cte) {
		case CACHET_MIME_CTE_BASE64:
			ret = n ? b64_step(d, d->in, (size_t)n) : b64_end(d);
			break;
		case CACHET_MIME_CTE_QP:
			ret = n ? qp_step(d, d->in, (size_t)n) : qp_end(d);
			break;
		default:
			memcpy(d->out, d->in, (size_t)n);
			d->out_len = (size_t)n;
			break;
		}
		if (ret < 0)
			return ret;
		if (n == 0)
			d->eof = true;
	}
	size_t avail = d->out_len - d->out_pos;
	size_t n = len < avail ? len : avail;
	memcpy(buf, d->out + d->out_pos, n);
	d->out_pos += n;
	return (long)n;
}

int _cachet_mime_decoder_init(cachet_source_t **dec, cachet_mime_cte_t cte,
			      cachet_source_t *inner, cachet_diag_t *diag)
{
	dec_t *d = _cachet_calloc(1, sizeof(*d));
	if (d == NULL)
		return CACHET_E_NOMEM;
	d->cte = cte;
	d->inner = inner;
	d->diag = diag;
	int ret = _cachet_source_init_internal(dec, dec_read, free, d);
	if (ret < 0)
		free(d);
	return ret;
}

/* ---- encoders ---- */

static const char b64_chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char hex_chars[] = "0123456789ABCDEF";

typedef struct {
	cachet_mime_cte_t cte;
	cachet_sink_t *inner;
	unsigned flags;
	const char *nl;
	size_t nl_len;
	uint8_t out[512];
	size_t out_len;
	unsigned col;	/* characters on the current output line */
	/* base64 */
	uint8_t carry[3];
	size_t ncarry;
	/* quoted-printable */
	int held_ws;	/* SP or HTAB not yet written, or -1 */
	bool held_cr;	/* CR not yet written */
} enc_t;

static int enc_put(enc_t *e, const void *p, size_t n)
{
	if (e->out_len + n > sizeof(e->out)) {
		int ret = _cachet_sink_write(e->inner, e->out, e->out_len);
		e->out_len = 0;
		if (ret < 0)
			return ret;
	}
	memcpy(e->out + e->out_len, p, n);
	e->out_len += n;
	return 0;
}

static int enc_newline(enc_t *e)
{
	e->col = 0;
	return enc_put(e, e->nl, e->nl_len);
}

static int b64_quantum(enc_t *e, const uint8_t *in, size_t n)
{
	char q[4];
	uint32_t v = ((uint32_t)in[0] << 16) | ((n > 1 ? (uint32_t)in[1] : 0) << 8) |
		     (n > 2 ? in[2] : 0);
	q[0] = b64_chars[(v >> 18) & 63];
	q[1] = b64_chars[(v >> 12) & 63];
	q[2] = n > 1 ? b64_chars[(v >> 6) & 63] : '=';
	q[3] = n > 2 ? b64_chars[v & 63] : '=';
	int ret = enc_put(e, q, 4);
	if (ret == 0 && (e->col += 4) == CACHET_MIME_ENC_LINE)
		ret = enc_newline(e);
	return ret;
}

/* Write one QP token (a literal or "=XX") of T characters, with a soft
 * break first when the line would get longer than 75 characters plus the
 * "=" of the soft break (rule 5: at most 76). */
static int qp_token(enc_t *e, const char *t, size_t n)
{
	int ret;
	if (e->col + n > CACHET_MIME_ENC_LINE - 1) {
		CHECK_RET(enc_put(e, "=", 1));
		CHECK_RET(enc_newline(e));
	}
	CHECK_RET(enc_put(e, t, n));
	e->col += (unsigned)n;
	return 0;
}

static int qp_escape(enc_t *e, uint8_t c)
{
	char t[3] = {'=', hex_chars[c >> 4], hex_chars[c & 15]};
	return qp_token(e, t, 3);
}

static int qp_octet(enc_t *e, uint8_t c)
{
	int ret;
	if (e->held_cr) {
		e->held_cr = false;
		if (c == '\n') {
			/* A hard line break (rule 4); whitespace before it is
			 * encoded (rule 3). */
			if (e->held_ws >= 0)
				CHECK_RET(qp_escape(e, (uint8_t)e->held_ws));
			e->held_ws = -1;
			return enc_newline(e);
		}
		if (e->held_ws >= 0) {
			char w = (char)e->held_ws;
			e->held_ws = -1;
			CHECK_RET(qp_token(e, &w, 1));
		}
		CHECK_RET(qp_escape(e, '\r')); /* a bare CR is data */
	}
	if (c == '\r') {
		e->held_cr = true;
		return 0;
	}
	if (e->held_ws >= 0) {
		char w = (char)e->held_ws;
		e->held_ws = -1;
		CHECK_RET(qp_token(e, &w, 1));
	}
	if (c == ' ' || c == '\t') {
		e->held_ws = c;
		return 0;
	}
	/* At the start of a line, also when a soft break will put it there. */
	bool at_start = e->col == 0 || e->col + 1 > CACHET_MIME_ENC_LINE - 1;
	if ((c >= 33 && c <= 60) || (c >= 62 && c <= 126)) {
		/* Rule 2, and the "From " and leading "." of section 6.7's
		 * notes when asked. */
		if (at_start && (e->flags & CACHET_MIME_ENC_QP_FROM_DOT) && (c == 'F' || c == '.'))
			return qp_escape(e, c);
		char t = (char)c;
		return qp_token(e, &t, 1);
	}
	return qp_escape(e, c); /* "=", controls, bare LF, 8-bit */
}

static int enc_write(void *opaque, const uint8_t *p, size_t n)
{
	enc_t *e = opaque;
	int ret;
	for (size_t i = 0; i < n; i++) {
		if (e->cte == CACHET_MIME_CTE_BASE64) {
			e->carry[e->ncarry++] = p[i];
			if (e->ncarry == 3) {
				CHECK_RET(b64_quantum(e, e->carry, 3));
				e->ncarry = 0;
			}
		} else {
			CHECK_RET(qp_octet(e, p[i]));
		}
	}
	return 0;
}

static int enc_finish(void *opaque)
{
	enc_t *e = opaque;
	int ret;
	if (e->cte == CACHET_MIME_CTE_BASE64) {
		if (e->ncarry)
			CHECK_RET(b64_quantum(e, e->carry, e->ncarry));
		e->ncarry = 0;
	} else {
		if (e->held_cr)
			CHECK_RET(qp_escape(e, '\r'));
		e->held_cr = false;
		/* Whitespace at the very end is encoded too (rule 3). */
		if (e->held_ws >= 0)
			CHECK_RET(qp_escape(e, (uint8_t)e->held_ws));
		e->held_ws = -1;
	}
	/* Base64 ends its last line (line breaks carry nothing there);
	 * quoted-printable does not: a line break would be a hard one,
	 * added content (rule 4). */
	if (e->col && e->cte == CACHET_MIME_CTE_BASE64)
		CHECK_RET(enc_newline(e));
	CHECK_RET(_cachet_sink_write(e->inner, e->out, e->out_len));
	e->out_len = 0;
	return _cachet_sink_finish(e->inner);
}

int _cachet_mime_encoder_init(cachet_sink_t **enc, cachet_mime_cte_t cte, cachet_sink_t *inner,
			      unsigned flags)
{
	if (cte != CACHET_MIME_CTE_BASE64 && cte != CACHET_MIME_CTE_QP)
		return CACHET_E_INVALID_ARG;
	enc_t *e = _cachet_calloc(1, sizeof(*e));
	if (e == NULL)
		return CACHET_E_NOMEM;
	e->cte = cte;
	e->inner = inner;
	e->flags = flags;
	e->nl = (flags & CACHET_MIME_ENC_LF) ? "\n" : "\r\n";
	e->nl_len = strlen(e->nl);
	e->held_ws = -1;
	int ret = _cachet_sink_init_internal(enc, enc_write, enc_finish, free, e);
	if (ret < 0)
		free(e);
	return ret;
}

/* ---- canonical line endings (RFC 8551 section 3.1.1) ---- */

typedef struct {
	cachet_sink_t *inner;
	bool after_cr;
} canon_t;

static int canon_write(void *opaque, const uint8_t *p, size_t n)
{
	canon_t *c = opaque;
	int ret;
	size_t run = 0; /* octets of P not yet written */
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n' && c->after_cr) {
			/* the LF of a CRLF already written at its CR */
			CHECK_RET(_cachet_sink_write(c->inner, p + run, i - run));
			run = i + 1;
		} else if (p[i] == '\r' || p[i] == '\n') {
			CHECK_RET(_cachet_sink_write(c->inner, p + run, i - run));
			CHECK_RET(_cachet_sink_write(c->inner, (const uint8_t *)"\r\n", 2));
			run = i + 1;
		}
		c->after_cr = p[i] == '\r';
	}
	return _cachet_sink_write(c->inner, p + run, n - run);
}

static int canon_finish(void *opaque)
{
	canon_t *c = opaque;
	return _cachet_sink_finish(c->inner);
}

int _cachet_mime_canon_init(cachet_sink_t **snk, cachet_sink_t *inner)
{
	canon_t *c = _cachet_calloc(1, sizeof(*c));
	if (c == NULL)
		return CACHET_E_NOMEM;
	c->inner = inner;
	int ret = _cachet_sink_init_internal(snk, canon_write, canon_finish, free, c);
	if (ret < 0)
		free(c);
	return ret;
}

/* ---- detection (RFC 8551 sections 3.1.1 and 3.1.2) ---- */

void _cachet_mime_scan_init(cachet_mime_scan_t *sc)
{
	memset(sc, 0, sizeof(*sc));
}

static void scan_line_end(cachet_mime_scan_t *sc)
{
	sc->lines++;
	if (sc->last_ws)
		sc->ws_lines++;
	if (sc->cur > CACHET_MIME_LINE_MAX)
		sc->long_lines++;
	sc->cur = 0;
	sc->last_ws = false;
}

void _cachet_mime_scan_update(cachet_mime_scan_t *sc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		sc->octets++;
		if (sc->in_cr) {
			sc->in_cr = false;
			if (c == '\n') {
				sc->crlf++;
				scan_line_end(sc);
				continue;
			}
			sc->bare_cr++;
			scan_line_end(sc);
		}
		if (c == '\r') {
			sc->in_cr = true;
			continue;
		}
		if (c == '\n') {
			sc->bare_lf++;
			scan_line_end(sc);
			continue;
		}
		if (c == 0)
			sc->nul++;
		if (c >= 0x80)
			sc->high++;
		sc->cur++;
		sc->last_ws = c == ' ' || c == '\t';
	}
}

void _cachet_mime_scan_final(cachet_mime_scan_t *sc)
{
	if (sc->in_cr) {
		sc->in_cr = false;
		sc->bare_cr++;
		scan_line_end(sc);
	} else if (sc->cur) {
		scan_line_end(sc);
	}
}

cachet_mime_eol_t _cachet_mime_scan_eol(const cachet_mime_scan_t *sc)
{
	int kinds = (sc->crlf > 0) + (sc->bare_lf > 0) + (sc->bare_cr > 0);
	if (kinds > 1)
		return CACHET_MIME_EOL_MIXED;
	if (sc->crlf)
		return CACHET_MIME_EOL_CRLF;
	if (sc->bare_lf)
		return CACHET_MIME_EOL_LF;
	if (sc->bare_cr)
		return CACHET_MIME_EOL_CR;
	return CACHET_MIME_EOL_NONE;
}

static void scan_buf(cachet_mime_scan_t *sc, const uint8_t *p, size_t n)
{
	_cachet_mime_scan_init(sc);
	_cachet_mime_scan_update(sc, p, n);
	_cachet_mime_scan_final(sc);
}

cachet_mime_eol_t _cachet_mime_detect_eol(const uint8_t *p, size_t n)
{
	cachet_mime_scan_t sc;
	scan_buf(&sc, p, n);
	return _cachet_mime_scan_eol(&sc);
}

bool _cachet_mime_has_trailing_ws(const uint8_t *p, size_t n)
{
	cachet_mime_scan_t sc;
	scan_buf(&sc, p, n);
	return sc.ws_lines > 0;
}

bool _cachet_mime_has_8bit(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] >= 0x80)
			return true;
	return false;
}

bool _cachet_mime_has_nul(const uint8_t *p, size_t n)
{
	return n > 0 && memchr(p, 0, n) != NULL;
}

bool _cachet_mime_has_long_line(const uint8_t *p, size_t n)
{
	cachet_mime_scan_t sc;
	scan_buf(&sc, p, n);
	return sc.long_lines > 0;
}

int _cachet_mime_scan_explain(const cachet_mime_scan_t *sc, cbuf_t *out)
{
	int ret;
	cachet_mime_eol_t eol = _cachet_mime_scan_eol(sc);
	if (eol == CACHET_MIME_EOL_LF || eol == CACHET_MIME_EOL_CR)
		CHECK_RET(_cachet_buf_printf(out,
					     "the signed part has bare %s line endings: it was "
					     "probably converted in transit or signed without "
					     "canonicalisation (RFC 8551 section 3.1.1).\n",
					     _cachet_mime_eol_name(eol)));
	else if (eol == CACHET_MIME_EOL_MIXED)
		CHECK_RET(_cachet_buf_printf(out,
					     "the signed part mixes line endings (%llu CRLF, %llu "
					     "bare LF, %llu bare CR): part of it was converted "
					     "(RFC 8551 section 3.1.1).\n",
					     (unsigned long long)sc->crlf,
					     (unsigned long long)sc->bare_lf,
					     (unsigned long long)sc->bare_cr));
	if (sc->ws_lines)
		CHECK_RET(_cachet_buf_printf(out,
					     "%llu line(s) of the signed part end in whitespace, "
					     "which transports may strip (RFC 8551 section 3.1.2 "
					     "asks for quoted-printable or base64 then).\n",
					     (unsigned long long)sc->ws_lines));
	if (sc->high || sc->nul)
		CHECK_RET(_cachet_buf_printf(out,
					     "the signed part has %llu 8-bit and %llu NUL octet(s): "
					     "it should have been given a 7-bit transfer encoding "
					     "before signing (RFC 8551 section 3.1.2).\n",
					     (unsigned long long)sc->high,
					     (unsigned long long)sc->nul));
	if (sc->long_lines)
		CHECK_RET(_cachet_buf_printf(out,
					     "%llu line(s) of the signed part are longer than %u "
					     "octets, which transports may wrap (RFC 5322 section "
					     "2.1.1).\n",
					     (unsigned long long)sc->long_lines, CACHET_MIME_LINE_MAX));
	return 0;
}
