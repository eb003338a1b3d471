/* t-mime.c -- the internal MIME layer (src/lib/mime.h): header blocks,
 * MIME fields, transfer codecs, the multipart splitter, the detectors,
 * and a walk over every third-party message of format "smime" listed in
 * $CACHET_VECTORS/manifest.tsv. */
#include "mime.h"

#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define S(lit) (const uint8_t *)(lit), sizeof(lit) - 1

/* ---- helpers ---- */

/* A callback source that hands out at most STEP octets per call, so the
 * wrappers see their input cut everywhere. */
typedef struct {
	const uint8_t *p;
	size_t n, pos, step;
} drip_t;

static long drip_read(void *opaque, uint8_t *buf, size_t len)
{
	drip_t *d = opaque;
	size_t k = d->n - d->pos;
	if (k > d->step)
		k = d->step;
	if (k > len)
		k = len;
	memcpy(buf, d->p + d->pos, k);
	d->pos += k;
	return (long)k;
}

/* Read SRC to its end into OUT in reads of STEP octets; 0 or the error. */
static int read_all(cachet_source_t *src, cbuf_t *out, size_t step)
{
	uint8_t tmp[8192];
	if (step == 0 || step > sizeof(tmp))
		step = sizeof(tmp);
	for (;;) {
		long n = _cachet_source_read(src, tmp, step);
		if (n < 0)
			return (int)n;
		if (n == 0)
			return 0;
		if (_cachet_buf_append(out, tmp, (size_t)n) < 0)
			return CACHET_E_NOMEM;
	}
}

static bool buf_is(const cbuf_t *b, const void *p, size_t n)
{
	return b->size == n && (n == 0 || memcmp(b->data, p, n) == 0);
}

static int header_from(cachet_mime_header_t *h, const uint8_t *p, size_t n,
		       cachet_diag_t *diag, cbuf_t *body)
{
	cachet_source_t *src = NULL;
	int ret = cachet_source_init_mem(&src, p, n);
	if (ret == 0)
		ret = _cachet_mime_header_read(h, src, diag);
	if (ret == 0 && body)
		ret = read_all(src, body, 0);
	cachet_source_deinit(src);
	return ret;
}

/* Does DIAG hold a frame whose rule contains RULE? */
static bool diag_rule(cachet_diag_t *diag, const char *rule)
{
	for (size_t i = 0; i < cachet_diag_count(diag); i++) {
		const char *r;
		if (cachet_diag_get(diag, i, NULL, NULL, &r, NULL) == 0 && strstr(r, rule))
			return true;
	}
	return false;
}

static int decode_mem(cachet_mime_cte_t cte, const uint8_t *p, size_t n, cbuf_t *out,
		      size_t step, cachet_diag_t *diag)
{
	drip_t d = {p, n, 0, step ? step : n + 1};
	cachet_source_t *in = NULL, *dec = NULL;
	int ret = cachet_source_init_cb(&in, drip_read, &d);
	if (ret == 0)
		ret = _cachet_mime_decoder_init(&dec, cte, in, diag);
	if (ret == 0)
		ret = read_all(dec, out, step);
	cachet_source_deinit(dec);
	cachet_source_deinit(in);
	return ret;
}

static int encode_mem(cachet_mime_cte_t cte, unsigned flags, const uint8_t *p, size_t n,
		      cachet_datum_t *out, size_t step)
{
	cachet_sink_t *mem = NULL, *enc = NULL;
	int ret = cachet_sink_init_mem(&mem);
	if (ret == 0)
		ret = _cachet_mime_encoder_init(&enc, cte, mem, flags);
	for (size_t i = 0; ret == 0 && i < n; i += step)
		ret = _cachet_sink_write(enc, p + i, n - i < step ? n - i : step);
	if (ret == 0)
		ret = _cachet_sink_finish(enc);
	if (ret == 0)
		ret = cachet_sink_take_mem(mem, out);
	cachet_sink_deinit(enc);
	cachet_sink_deinit(mem);
	return ret;
}

/* Longest line of P (without its CRLF), and whether every line ending is
 * CRLF and no line ends in whitespace. */
static size_t longest_line(const uint8_t *p, size_t n, bool *crlf_only, bool *ws_end)
{
	size_t best = 0, cur = 0;
	*crlf_only = true;
	*ws_end = false;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n') {
			if (i == 0 || p[i - 1] != '\r')
				*crlf_only = false;
			continue;
		}
		if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n') {
			if (i > 0 && (p[i - 1] == ' ' || p[i - 1] == '\t'))
				*ws_end = true;
			if (cur > best)
				best = cur;
			cur = 0;
			continue;
		}
		cur++;
	}
	return cur > best ? cur : best;
}

/* ---- header blocks ---- */

static void test_header(void)
{
	static const char msg[] = "From: Alice <alice@example.org>\r\n"
				  "Subject: =?UTF-8?B?SMOkbGxv?= and\r\n"
				  "\t folded   \r\n"
				  "content-TYPE: text/plain;\r\n"
				  " charset=us-ascii\r\n"
				  "X-Empty:\r\n"
				  "\r\n"
				  "body\r\n";
	cachet_mime_header_t h;
	cbuf_t body = {0};
	int ret = header_from(&h, S(msg), NULL, &body);
	ok(ret == 0 && h.n == 4, "header: four fields (%d, %zu)", ret, h.n);
	if (ret < 0)
		return;
	const cachet_mime_field_t *s = _cachet_mime_header_get(&h, "SUBJECT", 0);
	ok(s && strcmp(s->value, "=?UTF-8?B?SMOkbGxv?= and\t folded") == 0,
	   "header: unfolded, encoded word kept verbatim: \"%s\"", s ? s->value : "");
	ok(s && s->raw_len == strlen("Subject: =?UTF-8?B?SMOkbGxv?= and\r\n\t folded   \r\n") &&
		   memcmp(s->raw, "Subject: =?UTF-8?B?SMOkbGxv?= and\r\n\t folded   \r\n", s->raw_len) ==
			   0,
	   "header: raw bytes of a folded field kept exactly");
	ok(s && s->offset == 33, "header: field offset (%llu, by hand 33)",
	   s ? (unsigned long long)s->offset : 0ull);
	const cachet_mime_field_t *ct = _cachet_mime_header_get(&h, "Content-Type", 0);
	ok(ct && strcmp(ct->name, "content-TYPE") == 0 &&
		   strcmp(ct->value, "text/plain; charset=us-ascii") == 0,
	   "header: case-insensitive lookup, name as written");
	ok(_cachet_mime_header_get(&h, "x-empty", 0) &&
		   strcmp(_cachet_mime_header_get(&h, "x-empty", 0)->value, "") == 0 &&
		   _cachet_mime_header_get(&h, "x-empty", 1) == NULL &&
		   _cachet_mime_header_count(&h, "X-EMPTY") == 1,
	   "header: empty value, index and count");
	ok(h.eol == CACHET_MIME_EOL_CRLF && h.sep_len == 2 && h.notes == 0 &&
		   h.body == sizeof(msg) - 1 - 6 && buf_is(&body, "body\r\n", 6),
	   "header: CRLF block, source left at the body (offset %llu)",
	   (unsigned long long)h.body);
	cachet_sink_t *snk = NULL;
	cachet_datum_t out = {0};
	ret = cachet_sink_init_mem(&snk);
	if (ret == 0)
		ret = _cachet_mime_header_write_raw(&h, snk, NULL, true);
	if (ret == 0)
		ret = cachet_sink_take_mem(snk, &out);
	ok(ret == 0 && out.size == sizeof(msg) - 1 - 6 && memcmp(out.data, msg, out.size) == 0,
	   "header: raw re-emission is byte-exact");
	cachet_free(out.data);
	cachet_sink_deinit(snk);
	static const char *const skip[] = {"content-type", "subject", NULL};
	ret = cachet_sink_init_mem(&snk);
	if (ret == 0)
		ret = _cachet_mime_header_write_raw(&h, snk, skip, false);
	if (ret == 0)
		ret = cachet_sink_take_mem(snk, &out);
	ok(ret == 0 && out.size == 43 &&
		   memcmp(out.data, "From: Alice <alice@example.org>\r\nX-Empty:\r\n", 43) == 0,
	   "header: re-emission leaving fields out");
	cachet_free(out.data);
	cachet_sink_deinit(snk);
	_cachet_mime_header_deinit(&h);
	_cachet_buf_free(&body);

	/* bare LF, obs-fold, WSP before the colon, 8-bit */
	static const char lf[] = "Subject : x\n \n y\nX-8: caf\xc3\xa9\n\nB";
	ret = header_from(&h, S(lf), NULL, NULL);
	ok(ret == 0 && h.eol == CACHET_MIME_EOL_LF && h.sep_len == 1 &&
		   (h.notes & CACHET_MIME_NOTE_OBS_FOLD) && (h.notes & CACHET_MIME_NOTE_OBS_COLON) &&
		   (h.notes & CACHET_MIME_NOTE_8BIT) && h.n == 2 &&
		   strcmp(h.fields[0].name, "Subject") == 0 && strcmp(h.fields[0].value, "x  y") == 0,
	   "header: LF-only block, obs-fold and obs colon noted (notes %#x)", h.notes);
	_cachet_mime_header_deinit(&h);

	static const char mixed[] = "A: 1\r\nB: 2\n\r\n";
	ret = header_from(&h, S(mixed), NULL, NULL);
	ok(ret == 0 && h.eol == CACHET_MIME_EOL_MIXED, "header: mixed line endings recorded");
	_cachet_mime_header_deinit(&h);

	static const char empty[] = "\r\nbody";
	ret = header_from(&h, S(empty), NULL, NULL);
	ok(ret == 0 && h.n == 0 && h.body == 2, "header: empty block");
	_cachet_mime_header_deinit(&h);

	static const char noblank[] = "A: 1\r\nB: 2";
	ret = header_from(&h, S(noblank), NULL, NULL);
	ok(ret == 0 && h.n == 2 && (h.notes & CACHET_MIME_NOTE_NO_BLANK) &&
		   strcmp(h.fields[1].value, "2") == 0,
	   "header: input ending in the block is noted");
	_cachet_mime_header_deinit(&h);

	cachet_diag_t *diag = NULL;
	if (cachet_diag_init(&diag) < 0)
		abort();
	static const char nocolon[] = "A: 1\r\nthis is not a field\r\n\r\n";
	ret = header_from(&h, S(nocolon), diag, NULL);
	ok(ret == CACHET_E_MALFORMED && diag_rule(diag, "RFC 5322 section 2.2"),
	   "header: a line without a colon is MALFORMED with the rule");
	cachet_diag_clear(diag);
	static const char firstcont[] = " folded: first\r\n\r\n";
	ret = header_from(&h, S(firstcont), diag, NULL);
	ok(ret == CACHET_E_MALFORMED && diag_rule(diag, "2.2.3"),
	   "header: a continuation line first is MALFORMED");
	cachet_diag_clear(diag);
	static const char nul[] = "A: x\0y\r\n\r\n";
	ret = header_from(&h, S(nul), diag, NULL);
	ok(ret == CACHET_E_MALFORMED, "header: NUL refused");
	cachet_diag_clear(diag);
	static const char badname[] = "A\x01: x\r\n\r\n";
	ret = header_from(&h, S(badname), diag, NULL);
	ok(ret == CACHET_E_MALFORMED, "header: control octet in a name refused");
	cachet_diag_clear(diag);

	/* limits */
	cbuf_t big = {0};
	for (unsigned i = 0; i <= CACHET_MIME_MAX_FIELDS; i++)
		if (_cachet_buf_printf(&big, "X-%u: v\r\n", i) < 0)
			abort();
	ret = header_from(&h, big.data, big.size, diag, NULL);
	ok(ret == CACHET_E_COUNT_LIMIT, "header: more than %u fields is COUNT_LIMIT",
	   CACHET_MIME_MAX_FIELDS);
	cachet_diag_clear(diag);
	big.size = 0;
	if (_cachet_buf_printf(&big, "X-Long: ") < 0)
		abort();
	while (big.size <= CACHET_MIME_MAX_HEADER)
		if (_cachet_buf_printf(&big, "0123456789012345678901234567890123456789\r\n ") < 0)
			abort();
	ret = header_from(&h, big.data, big.size, diag, NULL);
	ok(ret == CACHET_E_SIZE_LIMIT, "header: a block over %u octets is SIZE_LIMIT",
	   CACHET_MIME_MAX_HEADER);
	cachet_diag_clear(diag);
	big.size = 0;
	if (_cachet_buf_printf(&big, "X-Long: ") < 0)
		abort();
	for (unsigned i = 0; i < 1000; i++)
		if (_cachet_buf_append(&big, "a", 1) < 0)
			abort();
	if (_cachet_buf_printf(&big, "\r\n\r\n") < 0)
		abort();
	ret = header_from(&h, big.data, big.size, diag, NULL);
	ok(ret == 0 && (h.notes & CACHET_MIME_NOTE_LONG_LINE), "header: a line over 998 noted");
	_cachet_mime_header_deinit(&h);
	_cachet_buf_free(&big);
	cachet_diag_deinit(diag);
}

static void test_field_write(void)
{
	char value[600];
	size_t k = 0;
	for (unsigned i = 0; k + 12 < sizeof(value); i++)
		k += (size_t)snprintf(value + k, sizeof(value) - k, "word%u ", i);
	value[k - 1] = 0; /* no trailing space */
	cachet_sink_t *snk = NULL;
	cachet_datum_t out = {0};
	int ret = cachet_sink_init_mem(&snk);
	if (ret == 0)
		ret = _cachet_mime_field_write(snk, "X-Long", value, CACHET_MIME_EOL_CRLF, NULL);
	if (ret == 0)
		ret = cachet_sink_take_mem(snk, &out);
	cachet_sink_deinit(snk);
	bool crlf, ws;
	size_t longest = ret == 0 ? longest_line(out.data, out.size, &crlf, &ws) : 0;
	size_t lines = 0;
	for (size_t i = 0; i < out.size; i++)
		lines += out.data[i] == '\n';
	ok(ret == 0 && longest <= 76 && crlf && lines > 5, "field writer: folded to %zu-octet lines",
	   longest);
	/* Unfolding what was written gives the value back. */
	cachet_mime_header_t h;
	uint8_t *blk = malloc(out.size + 2);
	if (blk == NULL)
		abort();
	memcpy(blk, out.data, out.size);
	memcpy(blk + out.size, "\r\n", 2);
	ret = header_from(&h, blk, out.size + 2, NULL, NULL);
	ok(ret == 0 && h.n == 1 && strcmp(h.fields[0].value, value) == 0,
	   "field writer: unfolds to the value");
	_cachet_mime_header_deinit(&h);
	free(blk);
	cachet_free(out.data);

	char word[1100];
	memset(word, 'w', sizeof(word) - 1);
	word[sizeof(word) - 1] = 0;
	ret = cachet_sink_init_mem(&snk);
	if (ret == 0)
		ret = _cachet_mime_field_write(snk, "X", word, CACHET_MIME_EOL_CRLF, NULL);
	ok(ret == CACHET_E_SIZE_LIMIT, "field writer: a word over 998 octets is SIZE_LIMIT");
	cachet_sink_deinit(snk);
	ret = cachet_sink_init_mem(&snk);
	if (ret == 0)
		ret = _cachet_mime_field_write(snk, "X", "a\r\nb", CACHET_MIME_EOL_CRLF, NULL);
	ok(ret == CACHET_E_INVALID_ARG, "field writer: CR LF in a value refused");
	cachet_sink_deinit(snk);
}

/* ---- MIME fields ---- */

static void test_ctype(void)
{
	cachet_mime_ctype_t ct;
	cachet_diag_t *diag = NULL;
	if (cachet_diag_init(&diag) < 0)
		abort();
	int ret = _cachet_mime_ctype_parse(
		&ct,
		"Multipart/Signed (a (nested) comment); PROTOCOL=\"application/pkcs7-signature\";"
		" micalg = sha-256 (hash) ; boundary=\"a\\\"b\\\\c (not a comment)\";",
		diag);
	ok(ret == 0 && _cachet_mime_ctype_is(&ct, "multipart", "signed") && ct.nparams == 3,
	   "ctype: type and subtype lowercased, comments skipped (%d)", ret);
	ok(ret == 0 && strcmp(_cachet_mime_ctype_param(&ct, "Protocol"),
			      "application/pkcs7-signature") == 0 &&
		   strcmp(_cachet_mime_ctype_param(&ct, "micalg"), "sha-256") == 0 &&
		   strcmp(_cachet_mime_ctype_param(&ct, "boundary"), "a\"b\\c (not a comment)") == 0,
	   "ctype: quoted-strings with escapes, parameter names case-insensitive");
	_cachet_mime_ctype_deinit(&ct);

	ret = _cachet_mime_ctype_parse(&ct,
				       "application/pkcs7-mime; smime-type=enveloped-data; "
				       "name=smime.p7m; hp=cipher",
				       diag);
	ok(ret == 0 && strcmp(_cachet_mime_ctype_param(&ct, "smime-type"), "enveloped-data") == 0 &&
		   strcmp(_cachet_mime_ctype_param(&ct, "name"), "smime.p7m") == 0 &&
		   strcmp(_cachet_mime_ctype_param(&ct, "hp"), "cipher") == 0 &&
		   _cachet_mime_ctype_param(&ct, "charset") == NULL,
	   "ctype: smime-type, name, hp");
	_cachet_mime_ctype_deinit(&ct);

	ret = _cachet_mime_ctype_parse(&ct, "text/plain; charset=a; CHARSET=b", diag);
	ok(ret == CACHET_E_MALFORMED && diag_rule(diag, "RFC 2045 section 5.1"),
	   "ctype: a duplicate parameter is MALFORMED");
	cachet_diag_clear(diag);
	ret = _cachet_mime_ctype_parse(&ct, "text; charset=a", diag);
	ok(ret == CACHET_E_MALFORMED, "ctype: no subtype");
	cachet_diag_clear(diag);
	ret = _cachet_mime_ctype_parse(&ct, "text/plain; name=\"open", diag);
	ok(ret == CACHET_E_MALFORMED, "ctype: unterminated quoted-string");
	cachet_diag_clear(diag);
	ret = _cachet_mime_ctype_parse(&ct, "text/plain (open comment", diag);
	ok(ret == CACHET_E_MALFORMED, "ctype: unterminated comment");
	cachet_diag_clear(diag);
	ret = _cachet_mime_ctype_parse(&ct, "text/plain; charset", diag);
	ok(ret == CACHET_E_MALFORMED, "ctype: parameter without a value");
	cachet_diag_clear(diag);
	cbuf_t many = {0};
	if (_cachet_buf_printf(&many, "text/plain") < 0)
		abort();
	for (unsigned i = 0; i <= CACHET_MIME_MAX_PARAMS; i++)
		if (_cachet_buf_printf(&many, "; p%u=v", i) < 0)
			abort();
	if (_cachet_buf_append(&many, "", 1) < 0)
		abort();
	ret = _cachet_mime_ctype_parse(&ct, (const char *)many.data, diag);
	ok(ret == CACHET_E_COUNT_LIMIT, "ctype: more than %u parameters is COUNT_LIMIT",
	   CACHET_MIME_MAX_PARAMS);
	_cachet_buf_free(&many);
	cachet_diag_clear(diag);

	ret = _cachet_mime_disposition_parse(&ct, "Attachment; filename=\"smime.p7s\"", diag);
	ok(ret == 0 && strcmp(ct.type, "attachment") == 0 && ct.subtype == NULL &&
		   strcmp(_cachet_mime_ctype_param(&ct, "FILENAME"), "smime.p7s") == 0,
	   "disposition: type and filename");
	_cachet_mime_ctype_deinit(&ct);

	/* The writer quotes what is not a token, and parses back. */
	char bnd[CACHET_MIME_BOUNDARY_BUF];
	ret = _cachet_mime_boundary_new(bnd);
	cachet_mime_param_t params[] = {
		{"protocol", "application/pkcs7-signature"},
		{"micalg", "sha-256"},
		{"boundary", bnd},
		{"name", "a \"q\" \\ b"},
	};
	cbuf_t f = {0};
	if (ret == 0)
		ret = _cachet_mime_ctype_format(&f, "multipart", "signed", params, 4);
	if (ret == 0)
		ret = _cachet_buf_append(&f, "", 1);
	ok(ret == 0 && strstr((char *)f.data, "micalg=sha-256;") &&
		   strstr((char *)f.data, "protocol=\"application/pkcs7-signature\""),
	   "ctype writer: %s", ret == 0 ? (char *)f.data : "");
	ret = ret == 0 ? _cachet_mime_ctype_parse(&ct, (const char *)f.data, diag) : ret;
	bool same = ret == 0 && ct.nparams == 4;
	for (size_t i = 0; same && i < 4; i++)
		same = strcmp(_cachet_mime_ctype_param(&ct, params[i].name), params[i].value) == 0;
	ok(same, "ctype writer: parses back to the same parameters");
	_cachet_mime_ctype_deinit(&ct);
	_cachet_buf_free(&f);

	cachet_mime_cte_t cte;
	ok(_cachet_mime_cte_parse(NULL, &cte, diag) == 0 && cte == CACHET_MIME_CTE_7BIT,
	   "cte: absent is 7bit");
	ok(_cachet_mime_cte_parse(" Base64 (comment)", &cte, diag) == 0 &&
		   cte == CACHET_MIME_CTE_BASE64,
	   "cte: base64, case-insensitive, comment skipped");
	ok(_cachet_mime_cte_parse("Quoted-Printable", &cte, diag) == 0 && cte == CACHET_MIME_CTE_QP,
	   "cte: quoted-printable");
	ok(_cachet_mime_cte_parse("x-uuencode", &cte, diag) == CACHET_E_UNSUPPORTED,
	   "cte: an unknown mechanism is UNSUPPORTED");
	ok(_cachet_mime_cte_parse("base64 8bit", &cte, diag) == CACHET_E_MALFORMED,
	   "cte: two tokens are MALFORMED");
	cachet_diag_deinit(diag);
}

/* ---- transfer codecs ---- */

static void test_base64(void)
{
	cachet_diag_t *diag = NULL;
	if (cachet_diag_init(&diag) < 0)
		abort();
	static const char enc[] = "SGVs\r\nbG8s IHdv\tcmxk\nIQ==\r\n";
	bool all = true;
	for (size_t step = 1; step <= 8; step++) {
		cbuf_t out = {0};
		int ret = decode_mem(CACHET_MIME_CTE_BASE64, S(enc), &out, step, diag);
		all = all && ret == 0 && buf_is(&out, "Hello, world!", 13);
		_cachet_buf_free(&out);
	}
	ok(all, "base64: line breaks and whitespace ignored, at every read size");
	static const struct {
		const char *in;
		const char *why;
	} bad[] = {
		{"SGVs*bG8=", "a character outside the alphabet"},
		{"SGVsbA=", "padding cut short"},
		{"SGVsb", "a partial quantum"},
		{"S===", "'=' too early"},
		{"SG==bG8s", "data after the padding"},
		{"SGVsbG8=\r\n=", "a fifth '='"},
		{"SGVs\x80", "an 8-bit octet"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cbuf_t out = {0};
		cachet_diag_clear(diag);
		int ret = decode_mem(CACHET_MIME_CTE_BASE64, (const uint8_t *)bad[i].in,
				     strlen(bad[i].in), &out, 0, diag);
		ok(ret == CACHET_E_MALFORMED && diag_rule(diag, "RFC 2045 section 6.8"),
		   "base64: %s is MALFORMED (%s)", bad[i].why, cachet_strerror_name(ret));
		_cachet_buf_free(&out);
	}
	cachet_diag_deinit(diag);

	/* Round trips over lengths that end at each quantum position. */
	uint8_t data[1000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 131 + 7);
	all = true;
	bool lines_ok = true;
	for (size_t len = 0; len <= 1000; len = len < 199 ? len + 1 : len + 801) {
		cachet_datum_t e = {0};
		cbuf_t back = {0};
		int ret = encode_mem(CACHET_MIME_CTE_BASE64, 0, data, len, &e, 7);
		if (ret == 0)
			ret = decode_mem(CACHET_MIME_CTE_BASE64, e.data, e.size, &back, 0, NULL);
		all = all && ret == 0 && buf_is(&back, data, len);
		bool crlf, ws;
		size_t l = ret == 0 ? longest_line(e.data, e.size, &crlf, &ws) : 0;
		lines_ok = lines_ok && l <= 76 && crlf && (len < 57 || l == 76) &&
			   (len == 0 || (e.size >= 2 && e.data[e.size - 1] == '\n'));
		cachet_free(e.data);
		_cachet_buf_free(&back);
	}
	ok(all, "base64: encoder and decoder round trip, 0..199 and 1000 octets");
	ok(lines_ok, "base64: encoded lines are 76 characters with CRLF");
}

static void test_qp(void)
{
	cachet_diag_t *diag = NULL;
	if (cachet_diag_init(&diag) < 0)
		abort();
	static const char enc[] = "a=3Db=\r\nc  \r\nd=e9 \t\ne=  \r\nf\t=\n=41";
	bool all = true;
	for (size_t step = 1; step <= 9; step++) {
		cbuf_t out = {0};
		int ret = decode_mem(CACHET_MIME_CTE_QP, S(enc), &out, step, diag);
		all = all && ret == 0 && buf_is(&out, "a=bc\r\nd\xe9\nef\tA", 13);
		_cachet_buf_free(&out);
	}
	ok(all, "qp: =XX, soft breaks (with padding), trailing whitespace removed");
	static const char *const bad[] = {"a=G1", "a=4", "a=4x", "a= b\r\n", "a=\rb"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cbuf_t out = {0};
		cachet_diag_clear(diag);
		int ret = decode_mem(CACHET_MIME_CTE_QP, (const uint8_t *)bad[i], strlen(bad[i]),
				     &out, 0, diag);
		ok(ret == CACHET_E_MALFORMED && diag_rule(diag, "RFC 2045 section 6.7"),
		   "qp: bad escape %zu is MALFORMED", i);
		_cachet_buf_free(&out);
	}
	cachet_diag_deinit(diag);

	/* Round trips: trailing spaces, long lines, bare LF and CR, 8-bit,
	 * "=" and a last line ending in a space. */
	cbuf_t text = {0};
	for (unsigned i = 0; i < 40; i++) {
		if (_cachet_buf_printf(&text, "line %u with trailing space \r\n", i) < 0)
			abort();
		for (unsigned j = 0; j < i * 7; j++)
			if (_cachet_buf_append(&text, j % 11 ? "x" : " ", 1) < 0)
				abort();
		if (_cachet_buf_printf(&text, "=\t\r\nFrom here\n.dot\rcaf\xc3\xa9\t\r\n") < 0)
			abort();
	}
	if (_cachet_buf_printf(&text, "end ") < 0)
		abort();
	bool rt = true, shape = true;
	for (unsigned flags = 0; flags < 2; flags++) {
		for (size_t step = 1; step < 70; step += 17) {
			cachet_datum_t e = {0};
			cbuf_t back = {0};
			unsigned fl = flags ? CACHET_MIME_ENC_QP_FROM_DOT : 0;
			int ret = encode_mem(CACHET_MIME_CTE_QP, fl, text.data, text.size, &e, step);
			if (ret == 0)
				ret = decode_mem(CACHET_MIME_CTE_QP, e.data, e.size, &back, step, NULL);
			rt = rt && ret == 0 && buf_is(&back, text.data, text.size);
			bool crlf, ws;
			size_t l = ret == 0 ? longest_line(e.data, e.size, &crlf, &ws) : 99;
			shape = shape && l <= 76 && crlf && !ws && !_cachet_mime_has_8bit(e.data, e.size);
			if (flags && ret == 0) {
				/* no line of the output starts with "From " or "." */
				for (size_t i = 0; i < e.size; i++)
					if ((i == 0 || e.data[i - 1] == '\n') &&
					    (e.data[i] == '.' ||
					     (e.size - i >= 5 && memcmp(e.data + i, "From ", 5) == 0)))
						shape = false;
			}
			cachet_free(e.data);
			_cachet_buf_free(&back);
		}
	}
	ok(rt, "qp: encoder and decoder round trip (%zu octets)", text.size);
	ok(shape, "qp: lines <= 76, CRLF, no trailing whitespace, 7-bit; From/dot encoded");
	_cachet_buf_free(&text);
	cachet_datum_t e = {0};
	int ret = encode_mem(CACHET_MIME_CTE_QP, 0, S("a \r\nb\t"), &e, 1);
	ok(ret == 0 && e.size == 10 && memcmp(e.data, "a=20\r\nb=09", 10) == 0,
	   "qp: whitespace before a line break and at the end is encoded");
	cachet_free(e.data);
}

static void test_canon(void)
{
	static const char in[] = "a\nb\r\nc\rd\r\r\ne\n\n";
	static const char want[] = "a\r\nb\r\nc\r\nd\r\n\r\ne\r\n\r\n";
	bool all = true;
	for (size_t step = 1; step <= sizeof(in); step++) {
		cachet_sink_t *mem = NULL, *c = NULL;
		cachet_datum_t out = {0};
		int ret = cachet_sink_init_mem(&mem);
		if (ret == 0)
			ret = _cachet_mime_canon_init(&c, mem);
		for (size_t i = 0; ret == 0 && i < sizeof(in) - 1; i += step)
			ret = _cachet_sink_write(c, (const uint8_t *)in + i,
						 sizeof(in) - 1 - i < step ? sizeof(in) - 1 - i : step);
		if (ret == 0)
			ret = _cachet_sink_finish(c);
		if (ret == 0)
			ret = cachet_sink_take_mem(mem, &out);
		all = all && ret == 0 && out.size == sizeof(want) - 1 &&
		      memcmp(out.data, want, out.size) == 0;
		cachet_free(out.data);
		cachet_sink_deinit(c);
		cachet_sink_deinit(mem);
	}
	ok(all, "canon: bare LF and bare CR become CRLF, at every write size");
}

static void test_detect(void)
{
	ok(_cachet_mime_detect_eol(S("a\r\nb\r\n")) == CACHET_MIME_EOL_CRLF, "detect: CRLF");
	ok(_cachet_mime_detect_eol(S("a\nb\n")) == CACHET_MIME_EOL_LF, "detect: LF");
	ok(_cachet_mime_detect_eol(S("a\r\nb\n")) == CACHET_MIME_EOL_MIXED, "detect: mixed");
	ok(_cachet_mime_detect_eol(S("ab")) == CACHET_MIME_EOL_NONE, "detect: no line ending");
	ok(_cachet_mime_has_trailing_ws(S("a \r\nb")) && _cachet_mime_has_trailing_ws(S("a\nb\t")) &&
		   !_cachet_mime_has_trailing_ws(S("a b\r\n b\r\n")),
	   "detect: trailing whitespace");
	ok(_cachet_mime_has_8bit(S("caf\xc3\xa9")) && !_cachet_mime_has_8bit(S("cafe")),
	   "detect: 8-bit octets");
	ok(_cachet_mime_has_nul(S("a\0b")) && !_cachet_mime_has_nul(S("ab")), "detect: NUL");
	uint8_t line[1002];
	memset(line, 'x', sizeof(line));
	line[998] = '\r';
	line[999] = '\n';
	line[1000] = 'y';
	ok(!_cachet_mime_has_long_line(line, 1001) && _cachet_mime_has_long_line(line + 1, 1001) == 0,
	   "detect: 998 octets and CRLF is not a long line");
	memset(line, 'x', sizeof(line));
	ok(_cachet_mime_has_long_line(line, 999) && !_cachet_mime_has_long_line(line, 998),
	   "detect: a 999-octet line is long, 998 is not");
	/* streaming: the same answers whatever the cuts */
	static const char body[] = "Hello \r\nw\xc3\xb6rld\nbye\r";
	bool same = true;
	for (size_t step = 1; step < sizeof(body); step++) {
		cachet_mime_scan_t sc;
		_cachet_mime_scan_init(&sc);
		for (size_t i = 0; i < sizeof(body) - 1; i += step)
			_cachet_mime_scan_update(&sc, (const uint8_t *)body + i,
						 sizeof(body) - 1 - i < step ? sizeof(body) - 1 - i : step);
		_cachet_mime_scan_final(&sc);
		same = same && sc.crlf == 1 && sc.bare_lf == 1 && sc.bare_cr == 1 && sc.ws_lines == 1 &&
		       sc.high == 2 && sc.lines == 3 && _cachet_mime_scan_eol(&sc) == CACHET_MIME_EOL_MIXED;
	}
	ok(same, "detect: streaming accumulator, every cut");
	cachet_mime_scan_t sc;
	cbuf_t why = {0};
	_cachet_mime_scan_init(&sc);
	_cachet_mime_scan_update(&sc, S("Content-Type: text/plain\n\nhello\n"));
	_cachet_mime_scan_final(&sc);
	int ret = _cachet_mime_scan_explain(&sc, &why);
	ok(ret == 0 && why.size && memmem(why.data, why.size, "bare LF line endings", 20),
	   "detect: explanation names bare LF");
	_cachet_buf_free(&why);
	_cachet_mime_scan_init(&sc);
	_cachet_mime_scan_update(&sc, S("canonical\r\n"));
	_cachet_mime_scan_final(&sc);
	ret = _cachet_mime_scan_explain(&sc, &why);
	ok(ret == 0 && why.size == 0, "detect: nothing to explain for canonical 7-bit text");
	_cachet_buf_free(&why);
}

/* ---- multipart ---- */

static void test_split_exact(void)
{
	static const char pre[] = "This is the preamble.";
	static const char p1[] = "Content-Type: text/plain\r\n\r\nHello\r\n--XYZX is not a "
				 "delimiter\r\n--XYZ-- neither\r\n";
	static const char p2[] = "Content-Type: application/octet-stream\r\n"
				 "Content-Transfer-Encoding: base64\r\n\r\nAQID";
	static const char epi[] = "epilogue\r\n--XYZ--\r\n";
	cbuf_t msg = {0};
	if (_cachet_buf_printf(&msg, "%s\r\n--XYZ\r\n%s\r\n--XYZ \t \r\n%s\r\n--XYZ--  \r\n%s", pre,
			       p1, p2, epi) < 0)
		abort();
	size_t d0 = strlen(pre), s0 = d0 + 9, e0 = s0 + strlen(p1), s1 = e0 + 12,
	       e1 = s1 + strlen(p2), epi_off = e1 + 13;
	bool all = true;
	for (size_t step = 1; step <= 13; step += (step < 5 ? 1 : 4)) {
		drip_t d = {msg.data, msg.size, 0, step};
		cachet_source_t *in = NULL, *seg = NULL;
		cachet_mime_split_t *sp = NULL;
		cbuf_t got_pre = {0}, got1 = {0}, got2 = {0}, got_epi = {0};
		int ret = cachet_source_init_cb(&in, drip_read, &d);
		if (ret == 0)
			ret = _cachet_mime_split_init(&sp, in, "XYZ", 0, NULL);
		if (ret == 0)
			ret = _cachet_mime_split_preamble(sp, &seg);
		if (ret == 0)
			ret = read_all(seg, &got_pre, step);
		if (ret == 0)
			ret = _cachet_mime_split_next(sp, &seg);
		if (ret == 0)
			ret = read_all(seg, &got1, step);
		if (ret == 0)
			ret = _cachet_mime_split_next(sp, &seg);
		if (ret == 0)
			ret = read_all(seg, &got2, step);
		int end = ret == 0 ? _cachet_mime_split_next(sp, &seg) : ret;
		if (end == CACHET_E_END)
			ret = _cachet_mime_split_epilogue(sp, &seg);
		if (ret == 0 && end == CACHET_E_END)
			ret = read_all(seg, &got_epi, step);
		cachet_mime_part_info_t i0 = {0}, i1 = {0};
		bool info = sp && _cachet_mime_split_count(sp) == 2 &&
			    _cachet_mime_split_info(sp, 0, &i0) == 0 &&
			    _cachet_mime_split_info(sp, 1, &i1) == 0 &&
			    _cachet_mime_split_info(sp, 2, &i1) == CACHET_E_END;
		bool good = ret == 0 && end == CACHET_E_END && buf_is(&got_pre, pre, strlen(pre)) &&
			    buf_is(&got1, p1, strlen(p1)) && buf_is(&got2, p2, strlen(p2)) &&
			    buf_is(&got_epi, epi, strlen(epi)) && info && i0.delim == d0 &&
			    i0.start == s0 && i0.end == e0 && i1.delim == e0 && i1.start == s1 &&
			    i1.end == e1 && i0.eol == CACHET_MIME_EOL_CRLF &&
			    _cachet_mime_split_close_offset(sp) == e1 &&
			    _cachet_mime_split_epilogue_offset(sp) == epi_off;
		if (!good)
			diag("step %zu: ret %d end %d, sizes %zu %zu %zu %zu, info %llu %llu %llu / "
			     "%llu %llu %llu, close %llu epi %llu",
			     step, ret, end, got_pre.size, got1.size, got2.size, got_epi.size,
			     (unsigned long long)i0.delim, (unsigned long long)i0.start,
			     (unsigned long long)i0.end, (unsigned long long)i1.delim,
			     (unsigned long long)i1.start, (unsigned long long)i1.end,
			     sp ? (unsigned long long)_cachet_mime_split_close_offset(sp) : 0ull,
			     sp ? (unsigned long long)_cachet_mime_split_epilogue_offset(sp) : 0ull);
		all = all && good;
		_cachet_buf_free(&got_pre);
		_cachet_buf_free(&got1);
		_cachet_buf_free(&got2);
		_cachet_buf_free(&got_epi);
		_cachet_mime_split_deinit(sp);
		cachet_source_deinit(in);
	}
	/* By hand: the preamble is 21 octets, so the first part starts at
	 * 21 + 2 (CRLF) + 5 ("--XYZ") + 2 (CRLF) = 30. */
	ok(all && d0 == 21 && s0 == 30,
	   "split: preamble, parts and epilogue byte for byte, offsets, padding, "
	   "\"--XYZX\" and \"--XYZ-- neither\" not delimiters, at every read size");
	_cachet_buf_free(&msg);
}

/* Split MSG at BOUNDARY, skipping (not reading) the parts; the result of
 * the last call, and the number of parts. */
static int split_skip(const void *msg, size_t n, const char *boundary, size_t *parts,
		      cachet_diag_t *diag)
{
	cachet_source_t *in = NULL, *seg = NULL;
	cachet_mime_split_t *sp = NULL;
	int ret = cachet_source_init_mem(&in, (const uint8_t *)msg, n);
	if (ret == 0)
		ret = _cachet_mime_split_init(&sp, in, boundary, 0, diag);
	while (ret == 0)
		ret = _cachet_mime_split_next(sp, &seg);
	*parts = sp ? _cachet_mime_split_count(sp) : 0;
	_cachet_mime_split_deinit(sp);
	cachet_source_deinit(in);
	return ret == CACHET_E_END ? 0 : ret;
}

static void test_split_edges(void)
{
	cachet_diag_t *diag = NULL;
	size_t n;
	if (cachet_diag_init(&diag) < 0)
		abort();
	static const char lf[] = "--b\nA: 1\n\none\n--b\n\ntwo\n--b--";
	int ret = split_skip(S(lf), "b", &n, diag);
	ok(ret == 0 && n == 2, "split: LF-only message, delimiter first, no line end after close");
	static const char noclose[] = "--b\r\n\r\none\r\n--b\r\n\r\ntwo\r\n";
	ret = split_skip(S(noclose), "b", &n, diag);
	ok(ret == CACHET_E_MALFORMED && diag_rule(diag, "RFC 2046 section 5.1.1"),
	   "split: missing close delimiter is MALFORMED with the rule");
	cachet_diag_clear(diag);
	static const char never[] = "no delimiter here\r\n--bb\r\n";
	ret = split_skip(S(never), "b", &n, diag);
	ok(ret == CACHET_E_MALFORMED, "split: a boundary that never occurs is MALFORMED");
	cachet_diag_clear(diag);
	static const char empty_parts[] = "--b\r\n\r\n--b\r\n--b--\r\n";
	ret = split_skip(S(empty_parts), "b", &n, diag);
	ok(ret == 0 && n == 2, "split: empty parts");
	ok(_cachet_mime_split_init(&(cachet_mime_split_t *){NULL}, NULL, "b",
				   CACHET_MIME_MAX_DEPTH, diag) == CACHET_E_DEPTH_LIMIT,
	   "split: depth %u is DEPTH_LIMIT", CACHET_MIME_MAX_DEPTH);
	ok(_cachet_mime_split_init(&(cachet_mime_split_t *){NULL}, NULL, "", 0, diag) ==
			   CACHET_E_MALFORMED &&
		   _cachet_mime_split_init(
			   &(cachet_mime_split_t *){NULL}, NULL,
			   "12345678901234567890123456789012345678901234567890123456789012345678901", 0,
			   diag) == CACHET_E_MALFORMED,
	   "split: empty and 71-character boundaries are MALFORMED");
	cachet_diag_clear(diag);
	cbuf_t many = {0};
	for (unsigned i = 0; i <= CACHET_MIME_MAX_PARTS; i++)
		if (_cachet_buf_printf(&many, "--b\r\n\r\n%u\r\n", i) < 0)
			abort();
	if (_cachet_buf_printf(&many, "--b--\r\n") < 0)
		abort();
	ret = split_skip((const char *)many.data, many.size, "b", &n, diag);
	ok(ret == CACHET_E_COUNT_LIMIT, "split: more than %u parts is COUNT_LIMIT",
	   CACHET_MIME_MAX_PARTS);
	_cachet_buf_free(&many);
	cachet_diag_clear(diag);

	/* A long part with delimiters straddling the splitter's buffer. */
	cbuf_t big = {0};
	if (_cachet_buf_printf(&big, "--b\r\n\r\n") < 0)
		abort();
	size_t start = big.size;
	for (unsigned i = 0; i < 3000; i++)
		if (_cachet_buf_printf(&big, "line %u --b- \r\n-b\r\n", i) < 0)
			abort();
	size_t end = big.size - 2;
	if (_cachet_buf_printf(&big, "--b--") < 0)
		abort();
	cachet_source_t *in = NULL, *seg = NULL;
	cachet_mime_split_t *sp = NULL;
	cbuf_t part = {0};
	ret = cachet_source_init_mem(&in, big.data, big.size);
	if (ret == 0)
		ret = _cachet_mime_split_init(&sp, in, "b", 0, diag);
	if (ret == 0)
		ret = _cachet_mime_split_next(sp, &seg);
	if (ret == 0)
		ret = read_all(seg, &part, 4093);
	ok(ret == 0 && buf_is(&part, big.data + start - 2, end - start + 2),
	   "split: a %zu-octet part comes out whole", end - start);
	ok(_cachet_mime_split_next(sp, &seg) == CACHET_E_END, "split: then the end");
	_cachet_buf_free(&part);
	_cachet_mime_split_deinit(sp);
	cachet_source_deinit(in);
	_cachet_buf_free(&big);
	cachet_diag_deinit(diag);
}

/* ---- the recursive walk (also used on the vectors) ---- */

typedef struct {
	unsigned multiparts, leaves, base64, signed_ok, pkcs7_der;
	bool signed_seen;
	char why[300];
} walk_t;

static int walk(cachet_source_t *src, unsigned depth, walk_t *w, cachet_diag_t *diag,
		int *first_octet);

/* Decode the body of an entity whose header H was read from SRC. */
static int walk_leaf(cachet_source_t *src, const cachet_mime_header_t *h, walk_t *w,
		     cachet_diag_t *diag, int *first_octet)
{
	const cachet_mime_field_t *f = _cachet_mime_header_get(h, "Content-Transfer-Encoding", 0);
	cachet_mime_cte_t cte;
	cachet_source_t *dec = NULL;
	uint8_t buf[4096];
	int ret = _cachet_mime_cte_parse(f ? f->value : NULL, &cte, diag);
	if (ret < 0)
		return ret;
	if ((ret = _cachet_mime_decoder_init(&dec, cte, src, diag)) < 0)
		return ret;
	bool first = true;
	for (;;) {
		long n = _cachet_source_read(dec, buf, sizeof(buf));
		if (n <= 0) {
			ret = (int)n;
			break;
		}
		if (first && first_octet)
			*first_octet = buf[0];
		first = false;
	}
	cachet_source_deinit(dec);
	w->leaves++;
	w->base64 += cte == CACHET_MIME_CTE_BASE64 && ret == 0;
	return ret;
}

static int walk(cachet_source_t *src, unsigned depth, walk_t *w, cachet_diag_t *diag,
		int *first_octet)
{
	cachet_mime_header_t h;
	cachet_mime_ctype_t ct = {0};
	cachet_mime_split_t *sp = NULL;
	int ret = _cachet_mime_header_read(&h, src, diag);
	if (ret < 0)
		return ret;
	const cachet_mime_field_t *f = _cachet_mime_header_get(&h, "Content-Type", 0);
	if (f && (ret = _cachet_mime_ctype_parse(&ct, f->value, diag)) < 0)
		goto out;
	if (f && _cachet_mime_ctype_is(&ct, "multipart", NULL)) {
		const char *b = _cachet_mime_ctype_param(&ct, "boundary");
		cachet_source_t *part;
		bool is_signed = _cachet_mime_ctype_is(&ct, "multipart", "signed");
		w->multiparts++;
		if ((ret = _cachet_mime_split_init(&sp, src, b, depth, diag)) < 0)
			goto out;
		int idx = 0;
		while ((ret = _cachet_mime_split_next(sp, &part)) == 0) {
			int first = -1;
			if ((ret = walk(part, depth + 1, w, diag, &first)) < 0)
				goto out;
			if (is_signed && idx == 1) {
				w->signed_seen = true;
				w->signed_ok += first == 0x30;
			}
			idx++;
		}
		if (ret != CACHET_E_END)
			goto out;
		cachet_source_t *epi;
		uint8_t tmp[512];
		if ((ret = _cachet_mime_split_epilogue(sp, &epi)) < 0)
			goto out;
		while ((ret = (int)_cachet_source_read(epi, tmp, sizeof(tmp))) > 0)
			;
		if (is_signed && idx != 2) {
			snprintf(w->why, sizeof(w->why), "multipart/signed with %d parts", idx);
			ret = CACHET_E_MALFORMED;
		}
	} else {
		int first = -1;
		ret = walk_leaf(src, &h, w, diag, &first);
		if (first_octet)
			*first_octet = first;
		if (ret == 0 && f && _cachet_mime_ctype_is(&ct, "application", NULL) &&
		    (strcmp(ct.subtype, "pkcs7-mime") == 0 || strcmp(ct.subtype, "x-pkcs7-mime") == 0)) {
			if (first != 0x30) {
				snprintf(w->why, sizeof(w->why),
					 "application/pkcs7-mime body does not decode to a SEQUENCE");
				ret = CACHET_E_MALFORMED;
			} else {
				w->pkcs7_der++;
			}
		}
	}
out:
	_cachet_mime_split_deinit(sp);
	_cachet_mime_ctype_deinit(&ct);
	_cachet_mime_header_deinit(&h);
	return ret;
}

static int walk_mem(const uint8_t *p, size_t n, walk_t *w, cachet_diag_t *diag)
{
	cachet_source_t *src = NULL;
	memset(w, 0, sizeof(*w));
	int ret = cachet_source_init_mem(&src, p, n);
	if (ret == 0)
		ret = walk(src, 0, w, diag, NULL);
	cachet_source_deinit(src);
	return ret;
}

static void test_nested(void)
{
	/* mixed { alternative { text, html }, attachment (base64) } */
	static const char msg[] =
		"MIME-Version: 1.0\r\n"
		"Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
		"\r\n"
		"preamble\r\n"
		"--outer\r\n"
		"Content-Type: multipart/alternative; boundary=inner\r\n"
		"\r\n"
		"--inner\r\n"
		"Content-Type: text/plain\r\n"
		"Content-Transfer-Encoding: quoted-printable\r\n"
		"\r\n"
		"caf=C3=A9 =\r\n"
		"--outer-not-a-delimiter\r\n"
		"--inner\r\n"
		"Content-Type: text/html\r\n"
		"\r\n"
		"<p>hi</p>\r\n"
		"--inner--\r\n"
		"inner epilogue\r\n"
		"--outer\r\n"
		"Content-Type: application/pkcs7-mime; smime-type=signed-data\r\n"
		"Content-Disposition: attachment; filename=\"a.p7m\"\r\n"
		"Content-Transfer-Encoding: base64\r\n"
		"\r\n"
		"MAMCAQE=\r\n"
		"--outer--\r\n";
	walk_t w;
	cachet_diag_t *diag = NULL;
	if (cachet_diag_init(&diag) < 0)
		abort();
	int ret = walk_mem(S(msg), &w, diag);
	ok(ret == 0 && w.multiparts == 2 && w.leaves == 3 && w.base64 == 1 && w.pkcs7_der == 1,
	   "nested: mixed/alternative with an attachment (%d; %u multiparts, %u leaves)", ret,
	   w.multiparts, w.leaves);

	/* A boundary made of base64 characters: base64 lines never start
	 * with "--", so they cannot be delimiters. */
	static const char b64b[] = "Content-Type: multipart/mixed; boundary=QUJD\r\n\r\n"
				   "--QUJD\r\nContent-Transfer-Encoding: base64\r\n\r\n"
				   "QUJDQUJD\r\nQUJD\r\n--QUJD--\r\n";
	ret = walk_mem(S(b64b), &w, diag);
	ok(ret == 0 && w.leaves == 1 && w.base64 == 1, "nested: base64-looking boundary");

	/* Nesting deeper than the limit. */
	cbuf_t deep = {0};
	for (unsigned i = 0; i <= CACHET_MIME_MAX_DEPTH; i++)
		if (_cachet_buf_printf(&deep, "Content-Type: multipart/mixed; boundary=b%u\r\n\r\n--b%u\r\n",
				       i, i) < 0)
			abort();
	if (_cachet_buf_printf(&deep, "\r\nx\r\n") < 0)
		abort();
	for (unsigned i = CACHET_MIME_MAX_DEPTH + 1; i-- > 0;)
		if (_cachet_buf_printf(&deep, "--b%u--\r\n", i) < 0)
			abort();
	cachet_diag_clear(diag);
	ret = walk_mem(deep.data, deep.size, &w, diag);
	ok(ret == CACHET_E_DEPTH_LIMIT, "nested: %u levels is DEPTH_LIMIT (%s)",
	   CACHET_MIME_MAX_DEPTH + 1, cachet_strerror_name(ret));
	/* One level less is fine. */
	deep.size = 0;
	for (unsigned i = 0; i < CACHET_MIME_MAX_DEPTH; i++)
		if (_cachet_buf_printf(&deep, "Content-Type: multipart/mixed; boundary=b%u\r\n\r\n--b%u\r\n",
				       i, i) < 0)
			abort();
	if (_cachet_buf_printf(&deep, "\r\nx\r\n") < 0)
		abort();
	for (unsigned i = CACHET_MIME_MAX_DEPTH; i-- > 0;)
		if (_cachet_buf_printf(&deep, "--b%u--\r\n", i) < 0)
			abort();
	ret = walk_mem(deep.data, deep.size, &w, diag);
	ok(ret == 0 && w.multiparts == CACHET_MIME_MAX_DEPTH, "nested: %u levels are fine",
	   CACHET_MIME_MAX_DEPTH);
	_cachet_buf_free(&deep);
	cachet_diag_deinit(diag);
}

static void test_boundary(void)
{
	char a[CACHET_MIME_BOUNDARY_BUF], b[CACHET_MIME_BOUNDARY_BUF];
	int ret = _cachet_mime_boundary_new(a);
	ret |= _cachet_mime_boundary_new(b);
	ok(ret == 0 && strncmp(a, "=_", 2) == 0 && strlen(a) <= CACHET_MIME_MAX_BOUNDARY &&
		   strcmp(a, b) != 0,
	   "boundary: \"%s\", fresh each time", a);
	/* "=_" cannot come out of either encoder, whatever the data. */
	uint8_t data[3000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)((i * 7919) ^ (i >> 3));
	data[100] = '=';
	data[101] = '_';
	bool clean = true;
	for (int k = 0; k < 2; k++) {
		cachet_datum_t e = {0};
		ret = encode_mem(k ? CACHET_MIME_CTE_QP : CACHET_MIME_CTE_BASE64, 0, data,
				 sizeof(data), &e, 100);
		clean = clean && ret == 0 && memmem(e.data, e.size, "=_", 2) == NULL &&
			memmem(e.data, e.size, "--", 2) == NULL;
		cachet_free(e.data);
	}
	ok(clean, "boundary: its prefix never occurs in base64 or QP output");

	/* Write a multipart/signed with the generated boundary and split it
	 * back: the first part comes back exactly. */
	static const char content[] = "Content-Type: text/plain\r\n\r\nsigned text\r\n";
	cbuf_t m = {0};
	cachet_mime_param_t params[] = {{"protocol", "application/pkcs7-signature"},
					{"micalg", "sha-256"},
					{"boundary", a}};
	cbuf_t ctv = {0};
	ret = _cachet_mime_ctype_format(&ctv, "multipart", "signed", params, 3);
	ret |= _cachet_buf_append(&ctv, "", 1);
	cachet_sink_t *mem = NULL, *enc = NULL;
	cachet_datum_t out = {0};
	ret |= cachet_sink_init_mem(&mem);
	if (ret == 0) {
		ret |= _cachet_mime_field_write(mem, "Content-Type", (char *)ctv.data,
						CACHET_MIME_EOL_CRLF, NULL);
		cbuf_t t = {0};
		ret |= _cachet_buf_printf(&t, "\r\n--%s\r\n%s\r\n--%s\r\n", a, content, a);
		ret |= _cachet_buf_printf(&t, "Content-Type: application/pkcs7-signature\r\n"
					      "Content-Transfer-Encoding: base64\r\n\r\n");
		ret |= _cachet_sink_write(mem, t.data, t.size);
		_cachet_buf_free(&t);
		ret |= _cachet_mime_encoder_init(&enc, CACHET_MIME_CTE_BASE64, mem, 0);
		if (ret == 0) {
			ret |= _cachet_sink_write(enc, S("\x30\x03\x02\x01\x01"));
			ret |= _cachet_sink_finish(enc);
		}
		ret |= _cachet_buf_printf(&t, "--%s--\r\n", a);
		ret |= _cachet_sink_write(mem, t.data, t.size);
		_cachet_buf_free(&t);
		ret |= cachet_sink_take_mem(mem, &out);
	}
	cachet_sink_deinit(enc);
	cachet_sink_deinit(mem);
	_cachet_buf_free(&ctv);
	walk_t w;
	int wret = ret == 0 ? walk_mem(out.data, out.size, &w, NULL) : ret;
	ok(wret == 0 && w.signed_seen && w.signed_ok == 1,
	   "writer: a multipart/signed written with the layer reads back (%d)", wret);
	/* first part exact */
	cachet_source_t *in = NULL, *seg = NULL;
	cachet_mime_split_t *sp = NULL;
	cachet_mime_header_t h;
	cachet_mime_ctype_t ct = {0};
	ret = cachet_source_init_mem(&in, out.data, out.size);
	ret = ret ? ret : _cachet_mime_header_read(&h, in, NULL);
	ret = ret ? ret
		  : _cachet_mime_ctype_parse(&ct, _cachet_mime_header_get(&h, "content-type", 0)->value,
					     NULL);
	ret = ret ? ret
		  : _cachet_mime_split_init(&sp, in, _cachet_mime_ctype_param(&ct, "boundary"), 0,
					    NULL);
	ret = ret ? ret : _cachet_mime_split_next(sp, &seg);
	cbuf_t first = {0};
	ret = ret ? ret : read_all(seg, &first, 0);
	ok(ret == 0 && buf_is(&first, content, strlen(content)),
	   "writer: the signed part is exactly the content");
	_cachet_buf_free(&first);
	_cachet_mime_split_deinit(sp);
	_cachet_mime_ctype_deinit(&ct);
	_cachet_mime_header_deinit(&h);
	cachet_source_deinit(in);
	cachet_free(out.data);
	_cachet_buf_free(&m);
}

/* ---- third-party messages ---- */

/* Messages of format "smime" that are not what the walk expects, each
 * with the reason; they must fail with the code given (and a message
 * that starts to pass must be taken off the list). */
static const struct {
	const char *path;
	int code;
	const char *reason;
} vector_exceptions[] = {
	{"bouncycastle/smime/basicAS2.message", CACHET_E_MALFORMED,
	 "an AS2 HTTP request: it starts with \"POST / HTTP/1.1\", not a header field"},
	{"bouncycastle/smime/rawAS2.message", CACHET_E_MALFORMED,
	 "an AS2 HTTP request: it starts with \"POST / HTTP/1.1\", not a header field"},
	{"openssl/smime-eml/pkcs7-empty-digest-set.eml", CACHET_E_MALFORMED,
	 "the signed part has no header block and no empty line before its text "
	 "(RFC 2046 section 5.1.1); its bytes are still split out exactly"},
};

static void test_vectors(void)
{
	const char *vec = getenv("CACHET_VECTORS");
	char path[4096];
	if (vec == NULL || *vec == 0)
		vec = "../shared/vectors";
	snprintf(path, sizeof(path), "%s/manifest.tsv", vec);
	FILE *m = fopen(path, "r");
	if (!ok(m != NULL, "vectors: %s can be read", path))
		return;
	char line[8192];
	unsigned files = 0, fails = 0, signed_checked = 0, exceptions = 0;
	while (fgets(line, sizeof(line), m)) {
		char *col[8] = {0};
		size_t nc = 0;
		for (char *p = line; nc < 8 && p; nc++) {
			col[nc] = p;
			p = strchr(p, '\t');
			if (p)
				*p++ = 0;
		}
		if (nc < 5 || strcmp(col[3], "smime") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", vec, col[0]);
		unsigned char *data;
		size_t size;
		if (tap_slurp(path, &data, &size) < 0) {
			ok(0, "vectors: %s cannot be read", col[0]);
			fails++;
			continue;
		}
		cachet_diag_t *diag = NULL;
		if (cachet_diag_init(&diag) < 0)
			abort();
		walk_t w;
		int ret = walk_mem(data, size, &w, diag);
		bool detached = strcmp(col[2], "signed") == 0 && strstr(col[4], "detached");
		char why[600] = "";
		if (ret < 0) {
			const char *r = "", *d = "";
			if (cachet_diag_count(diag))
				if (cachet_diag_get(diag, 0, NULL, NULL, &r, &d) < 0)
					r = d = "";
			snprintf(why, sizeof(why), "%s: %s %s %s", cachet_strerror_name(ret), w.why, d, r);
		} else if (detached && !(w.signed_seen && w.signed_ok >= 1)) {
			snprintf(why, sizeof(why),
				 "detached signature but no multipart/signed whose second part "
				 "decodes to a SEQUENCE");
		} else if (w.leaves == 0) {
			snprintf(why, sizeof(why), "no leaf part");
		}
		signed_checked += detached && !*why;
		files++;
		bool listed = false;
		for (size_t i = 0; i < sizeof(vector_exceptions) / sizeof(vector_exceptions[0]); i++)
			if (strcmp(col[0], vector_exceptions[i].path) == 0) {
				listed = true;
				ok(ret == vector_exceptions[i].code, "vectors: %s fails as listed (%s): %s",
				   col[0], cachet_strerror_name(ret), vector_exceptions[i].reason);
				if (ret == vector_exceptions[i].code)
					exceptions++;
			}
		if (listed) {
			cachet_diag_deinit(diag);
			free(data);
			continue;
		}
		if (*why)
			fails++;
		ok(*why == 0, "vectors: %s (%u multiparts, %u leaves, %u base64)%s%s", col[0],
		   w.multiparts, w.leaves, w.base64, *why ? ": " : "", why);
		cachet_diag_deinit(diag);
		free(data);
	}
	fclose(m);
	ok(files > 0 && signed_checked > 0,
	   "vectors: %u smime messages walked, %u multipart/signed checked, %u listed "
	   "exceptions, %u failed",
	   files, signed_checked, exceptions, fails);
}

int main(void)
{
	test_header();
	test_field_write();
	test_ctype();
	test_base64();
	test_qp();
	test_canon();
	test_detect();
	test_split_exact();
	test_split_edges();
	test_nested();
	test_boundary();
	test_vectors();
	return tap_done();
}
