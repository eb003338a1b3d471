/* mime-header.c -- header blocks (RFC 5322 section 2.2), the MIME fields
 * S/MIME needs (RFC 2045 sections 5 and 6, RFC 2183), the field writer
 * and the boundary generator.  See mime.h. */
#include "mime.h"

#include "crypto.h"

#include <stdlib.h>
#include <strings.h>

#define RULE_FIELD "RFC 5322 section 2.2"
#define RULE_FOLD "RFC 5322 section 2.2.3"
#define RULE_LINE "RFC 5322 section 2.1.1"
#define RULE_CTYPE "RFC 2045 section 5.1"
#define RULE_DISP "RFC 2183 section 2"
#define RULE_CTE "RFC 2045 section 6.1"

const char *_cachet_mime_eol_name(cachet_mime_eol_t eol)
{
	switch (eol) {
	case CACHET_MIME_EOL_CRLF:
		return "CRLF";
	case CACHET_MIME_EOL_LF:
		return "LF";
	case CACHET_MIME_EOL_CR:
		return "CR";
	case CACHET_MIME_EOL_NONE:
		return "none";
	default:
		return "mixed";
	}
}

static cachet_mime_eol_t eol_add(cachet_mime_eol_t have, cachet_mime_eol_t seen)
{
	if (have == CACHET_MIME_EOL_NONE || have == seen)
		return seen;
	return CACHET_MIME_EOL_MIXED;
}

/* ---- reading a header block ---- */

void _cachet_mime_header_deinit(cachet_mime_header_t *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->n; i++) {
		free(h->fields[i].name);
		free(h->fields[i].value);
		free(h->fields[i].raw);
	}
	free(h->fields);
	memset(h, 0, sizeof(*h));
}

static bool is_wsp(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* Turn the raw octets of one field (first line and its continuations)
 * into its name and unfolded value.  RFC 5322 section 2.2.3: unfolding
 * removes each CRLF that is immediately followed by WSP. */
static int field_finish(cachet_mime_header_t *h, cachet_mime_field_t *f, size_t lineno,
			cachet_diag_t *diag)
{
	int ret = 0;
	size_t colon = 0, name_end;

	while (colon < f->raw_len && f->raw[colon] != ':')
		colon++;
	name_end = colon;
	while (name_end > 0 && is_wsp(f->raw[name_end - 1]))
		name_end--;
	ENSURE(colon < f->raw_len && name_end > 0, CACHET_E_MALFORMED, RULE_FIELD, "header",
	       "line %zu is neither a header field (name \":\" value) nor a folded continuation",
	       lineno);
	for (size_t i = 0; i < name_end; i++)
		/* RFC 5322 section 2.2: printable US-ASCII except ":". */
		ENSURE(f->raw[i] >= 33 && f->raw[i] <= 126, CACHET_E_MALFORMED, RULE_FIELD,
		       "header", "line %zu: octet 0x%02x in a field name", lineno, f->raw[i]);
	if (name_end != colon)
		h->notes |= CACHET_MIME_NOTE_OBS_COLON; /* RFC 5322 section 4.5 */
	if ((f->name = _cachet_malloc(name_end + 1)) == NULL ||
	    (f->value = _cachet_malloc(f->raw_len - colon)) == NULL)
		return CACHET_E_NOMEM;
	memcpy(f->name, f->raw, name_end);
	f->name[name_end] = 0;

	size_t n = 0;
	for (size_t i = colon + 1; i < f->raw_len; i++) {
		uint8_t c = f->raw[i];
		if (c == '\r' && i + 1 < f->raw_len && f->raw[i + 1] == '\n')
			continue;
		if (c == '\n')
			continue;
		if (n == 0 && is_wsp(c))
			continue; /* leading WSP of the value */
		f->value[n++] = (char)c;
	}
	while (n > 0 && is_wsp((uint8_t)f->value[n - 1]))
		n--;
	f->value[n] = 0;
cleanup:
	return ret;
}

static int header_new_field(cachet_mime_header_t *h, cachet_diag_t *diag)
{
	int ret = 0;
	ENSURE(h->n < CACHET_MIME_MAX_FIELDS, CACHET_E_COUNT_LIMIT, RULE_FIELD, "header",
	       "more than %u header fields", CACHET_MIME_MAX_FIELDS);
	if (h->n == h->cap) {
		size_t ncap = h->cap ? h->cap * 2 : 16;
		cachet_mime_field_t *nf = realloc(h->fields, ncap * sizeof(*nf));
		if (nf == NULL)
			return CACHET_E_NOMEM;
		h->fields = nf;
		h->cap = ncap;
	}
	memset(&h->fields[h->n], 0, sizeof(h->fields[0]));
	h->n++;
cleanup:
	return ret;
}

int _cachet_mime_header_read(cachet_mime_header_t *h, cachet_source_t *src,
			     cachet_diag_t *diag)
{
	int ret = 0;
	cbuf_t line = {0};   /* the current physical line, with its ending */
	cbuf_t field = {0};  /* the current field's raw octets */
	uint64_t field_off = 0;
	size_t lineno = 0, total = 0, field_line = 0;
	bool have_field = false;

	memset(h, 0, sizeof(*h));
	h->start = _cachet_source_offset(src);
	for (;;) {
		uint8_t c = 0;
		bool at_end = false;
		uint64_t line_off = _cachet_source_offset(src);

		line.size = 0;
		/* One physical line, ending in LF (or at the end of input). */
		for (;;) {
			long r = _cachet_source_read(src, &c, 1);
			if (r < 0) {
				ret = (int)r;
				goto cleanup;
			}
			if (r == 0) {
				at_end = true;
				break;
			}
			ENSURE(total < CACHET_MIME_MAX_HEADER, CACHET_E_SIZE_LIMIT, RULE_FIELD,
			       "header", "the header block is longer than %u octets",
			       CACHET_MIME_MAX_HEADER);
			total++;
			/* NUL cannot be carried in a field value (RFC 5322
			 * section 2.2 allows only printable characters and
			 * WSP in field bodies). */
			ENSURE(c != 0, CACHET_E_MALFORMED, RULE_FIELD, "header",
			       "NUL octet in header line %zu", lineno + 1);
			CHECK(_cachet_buf_append(&line, &c, 1));
			if (c == '\n')
				break;
			if (c >= 0x80)
				h->notes |= CACHET_MIME_NOTE_8BIT;
		}
		lineno++;
		size_t len = line.size, content = len;
		cachet_mime_eol_t eol = CACHET_MIME_EOL_NONE;
		if (len && line.data[len - 1] == '\n') {
			if (len >= 2 && line.data[len - 2] == '\r') {
				eol = CACHET_MIME_EOL_CRLF;
				content = len - 2;
			} else {
				eol = CACHET_MIME_EOL_LF;
				content = len - 1;
			}
			h->eol = eol_add(h->eol, eol);
		}
		if (memchr(line.data ? line.data : (uint8_t *)"", '\r', content))
			h->notes |= CACHET_MIME_NOTE_BARE_CR;
		if (content > CACHET_MIME_LINE_MAX)
			h->notes |= CACHET_MIME_NOTE_LONG_LINE; /* RFC 5322 2.1.1 */

		bool blank = len > 0 && content == 0;
		bool cont = content > 0 && is_wsp(line.data[0]);
		if (cont) {
			/* A continuation line (RFC 5322 section 2.2.3). */
			ENSURE(have_field, CACHET_E_MALFORMED, RULE_FOLD, "header",
			       "line %zu is folded but no field precedes it", lineno);
			bool only_ws = true;
			for (size_t i = 0; i < content && only_ws; i++)
				only_ws = is_wsp(line.data[i]);
			if (only_ws)
				h->notes |= CACHET_MIME_NOTE_OBS_FOLD; /* RFC 5322 4.2 */
			CHECK(_cachet_buf_append(&field, line.data, len));
		}
		if (!cont && have_field) {
			/* The field before this line is complete. */
			CHECK(header_new_field(h, diag));
			cachet_mime_field_t *f = &h->fields[h->n - 1];
			f->offset = field_off;
			f->raw = field.data;
			f->raw_len = field.size;
			memset(&field, 0, sizeof(field));
			CHECK(field_finish(h, f, field_line, diag));
			have_field = false;
		}
		if (blank) {
			memcpy(h->sep, line.data, len);
			h->sep_len = len;
			break;
		}
		if (at_end && len == 0) {
			if (h->n > 0)
				h->notes |= CACHET_MIME_NOTE_NO_BLANK;
			break;
		}
		if (!cont) {
			CHECK(_cachet_buf_append(&field, line.data, len));
			field_off = line_off;
			field_line = lineno;
			have_field = true;
		}
		if (at_end) {
			/* The input ends inside the header block: take the
			 * last field, note the missing empty line. */
			CHECK(header_new_field(h, diag));
			cachet_mime_field_t *f = &h->fields[h->n - 1];
			f->offset = field_off;
			f->raw = field.data;
			f->raw_len = field.size;
			memset(&field, 0, sizeof(field));
			CHECK(field_finish(h, f, field_line, diag));
			h->notes |= CACHET_MIME_NOTE_NO_BLANK;
			break;
		}
	}
	h->body = _cachet_source_offset(src);
cleanup:
	_cachet_buf_free(&line);
	_cachet_buf_free(&field);
	if (ret < 0)
		_cachet_mime_header_deinit(h);
	return ret;
}

const cachet_mime_field_t *_cachet_mime_header_get(const cachet_mime_header_t *h,
						   const char *name, size_t index)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcasecmp(h->fields[i].name, name) == 0 && index-- == 0)
			return &h->fields[i];
	return NULL;
}

size_t _cachet_mime_header_count(const cachet_mime_header_t *h, const char *name)
{
	size_t k = 0;
	for (size_t i = 0; i < h->n; i++)
		k += strcasecmp(h->fields[i].name, name) == 0;
	return k;
}

int _cachet_mime_header_write_raw(const cachet_mime_header_t *h, cachet_sink_t *snk,
				  const char *const *skip, bool with_sep)
{
	int ret;
	for (size_t i = 0; i < h->n; i++) {
		bool drop = false;
		for (size_t j = 0; skip && skip[j] && !drop; j++)
			drop = strcasecmp(h->fields[i].name, skip[j]) == 0;
		if (!drop)
			CHECK_RET(_cachet_sink_write(snk, h->fields[i].raw, h->fields[i].raw_len));
	}
	if (with_sep)
		CHECK_RET(_cachet_sink_write(snk, h->sep, h->sep_len));
	return 0;
}

/* ---- writing a field ---- */

int _cachet_mime_field_write(cachet_sink_t *snk, const char *name, const char *value,
			     cachet_mime_eol_t eol, cachet_diag_t *diag)
{
	int ret = 0;
	cbuf_t out = {0};
	const char *nl = eol == CACHET_MIME_EOL_LF ? "\n" : "\r\n";
	size_t col, nlen = strlen(name);

	ENSURE(nlen > 0 && strpbrk(value, "\r\n") == NULL && strpbrk(name, ": \t\r\n") == NULL,
	       CACHET_E_INVALID_ARG, RULE_FIELD, name, "field name or value not writable");
	CHECK(_cachet_buf_printf(&out, "%s:", name));
	col = nlen + 1;
	/* Words are the runs between whitespace; a fold goes before the
	 * whitespace that precedes a word (RFC 5322 section 2.2.3), so the
	 * whitespace starts the continuation line. */
	const char *p = value;
	bool first = true;
	while (*p) {
		const char *ws = p;
		while (*p == ' ' || *p == '\t')
			p++;
		const char *w = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		size_t wslen = (size_t)(w - ws), wlen = (size_t)(p - w);
		if (first && wslen == 0) {
			/* "Name: value": one space after the colon. */
			ws = " ";
			wslen = 1;
		}
		first = false;
		if (wlen == 0 && *p == 0)
			break; /* trailing whitespace: dropped */
		if (col + wslen + wlen > CACHET_MIME_LINE_SHOULD - 2 && col > nlen + 1) {
			CHECK(_cachet_buf_append(&out, nl, strlen(nl)));
			col = 0;
		}
		ENSURE(col + wslen + wlen <= CACHET_MIME_LINE_MAX, CACHET_E_SIZE_LIMIT, RULE_LINE,
		       name, "a word of %zu octets cannot be folded into a %u-octet line", wlen,
		       CACHET_MIME_LINE_MAX);
		CHECK(_cachet_buf_append(&out, ws, wslen));
		CHECK(_cachet_buf_append(&out, w, wlen));
		col += wslen + wlen;
	}
	CHECK(_cachet_buf_append(&out, nl, strlen(nl)));
	CHECK(_cachet_sink_write(snk, out.data, out.size));
cleanup:
	_cachet_buf_free(&out);
	return ret;
}

/* ---- Content-Type and friends (RFC 2045 section 5.1) ---- */

/* tspecials (RFC 2045 section 5.1). */
static bool is_tspecial(char c)
{
	return c && strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

static bool is_token_char(char c)
{
	return (unsigned char)c > 32 && (unsigned char)c < 127 && !is_tspecial(c);
}

/* Skip whitespace and RFC 822 comments (nested, with quoted-pairs). */
static int skip_cfws(const char **pp, cachet_diag_t *diag, const char *what)
{
	int ret = 0;
	const char *p = *pp;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '(')
			break;
		unsigned depth = 0;
		do {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '(')
				depth++;
			else if (*p == ')')
				depth--;
			p++;
			ENSURE(depth <= CACHET_MIME_MAX_DEPTH, CACHET_E_DEPTH_LIMIT,
			       "RFC 5322 section 3.2.2", what, "comments nest deeper than %u",
			       CACHET_MIME_MAX_DEPTH);
			ENSURE(*p || depth == 0, CACHET_E_MALFORMED, "RFC 5322 section 3.2.2", what,
			       "unterminated comment");
		} while (depth > 0);
	}
	*pp = p;
cleanup:
	return ret;
}

static char *dup_lower(const char *p, size_t n)
{
	char *s = _cachet_malloc(n + 1);
	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		s[i] = (p[i] >= 'A' && p[i] <= 'Z') ? (char)(p[i] + 32) : p[i];
	s[n] = 0;
	return s;
}

static size_t token_len(const char *p)
{
	size_t n = 0;
	while (is_token_char(p[n]))
		n++;
	return n;
}

void _cachet_mime_ctype_deinit(cachet_mime_ctype_t *ct)
{
	if (ct == NULL)
		return;
	free(ct->type);
	free(ct->subtype);
	for (size_t i = 0; i < ct->nparams; i++) {
		free(ct->params[i].name);
		free(ct->params[i].value);
	}
	memset(ct, 0, sizeof(*ct));
}

/* The parameter list: *(";" attribute "=" value), RFC 2045 section 5.1. */
static int parse_params(cachet_mime_ctype_t *ct, const char *p, const char *what,
			const char *rule, cachet_diag_t *diag)
{
	int ret = 0;
	cbuf_t val = {0};

	for (;;) {
		CHECK(skip_cfws(&p, diag, what));
		if (*p == 0)
			break;
		ENSURE(*p == ';', CACHET_E_MALFORMED, rule, what,
		       "expected \";\" before a parameter, found '%c'", *p);
		p++;
		CHECK(skip_cfws(&p, diag, what));
		if (*p == 0)
			break; /* a trailing ";" is common and harmless */
		if (*p == ';')
			continue;
		size_t n = token_len(p);
		ENSURE(n > 0, CACHET_E_MALFORMED, rule, what, "parameter name expected at \"%.20s\"",
		       p);
		ENSURE(ct->nparams < CACHET_MIME_MAX_PARAMS, CACHET_E_COUNT_LIMIT, rule, what,
		       "more than %u parameters", CACHET_MIME_MAX_PARAMS);
		cachet_mime_param_t *pm = &ct->params[ct->nparams];
		if ((pm->name = dup_lower(p, n)) == NULL)
			FAIL(CACHET_E_NOMEM, NULL, what, "out of memory");
		ct->nparams++;
		p += n;
		CHECK(skip_cfws(&p, diag, what));
		ENSURE(*p == '=', CACHET_E_MALFORMED, rule, what,
		       "parameter \"%s\" has no \"=\" and value", pm->name);
		p++;
		CHECK(skip_cfws(&p, diag, what));
		val.size = 0;
		if (*p == '"') {
			/* quoted-string with quoted-pairs (RFC 822 section 3.3) */
			p++;
			while (*p && *p != '"') {
				if (*p == '\\' && p[1])
					p++;
				CHECK(_cachet_buf_append(&val, p, 1));
				p++;
			}
			ENSURE(*p == '"', CACHET_E_MALFORMED, rule, what,
			       "parameter \"%s\": unterminated quoted-string", pm->name);
			p++;
		} else {
			n = token_len(p);
			ENSURE(n > 0, CACHET_E_MALFORMED, rule, what,
			       "parameter \"%s\" has an empty value", pm->name);
			CHECK(_cachet_buf_append(&val, p, n));
			p += n;
		}
		CHECK(_cachet_buf_append(&val, "", 1));
		pm->value = (char *)val.data;
		memset(&val, 0, sizeof(val));
		for (size_t i = 0; i + 1 < ct->nparams; i++)
			/* A parameter given twice has no defined meaning, and a
			 * second boundary or micalg is an ambiguity an attacker
			 * could use: refuse it. */
			ENSURE(strcmp(ct->params[i].name, pm->name) != 0, CACHET_E_MALFORMED, rule,
			       what, "parameter \"%s\" is given twice", pm->name);
	}
cleanup:
	_cachet_buf_free(&val);
	return ret;
}

static int parse_typed(cachet_mime_ctype_t *ct, const char *value, bool want_subtype,
		       cachet_diag_t *diag)
{
	int ret = 0;
	const char *what = want_subtype ? "Content-Type" : "Content-Disposition";
	const char *rule = want_subtype ? RULE_CTYPE : RULE_DISP;
	const char *p = value;

	memset(ct, 0, sizeof(*ct));
	CHECK(skip_cfws(&p, diag, what));
	size_t n = token_len(p);
	ENSURE(n > 0, CACHET_E_MALFORMED, rule, what, "no type in \"%.40s\"", value);
	if ((ct->type = dup_lower(p, n)) == NULL)
		FAIL(CACHET_E_NOMEM, NULL, what, "out of memory");
	p += n;
	if (want_subtype) {
		CHECK(skip_cfws(&p, diag, what));
		ENSURE(*p == '/', CACHET_E_MALFORMED, rule, what, "no \"/\" after type \"%s\"",
		       ct->type);
		p++;
		CHECK(skip_cfws(&p, diag, what));
		n = token_len(p);
		ENSURE(n > 0, CACHET_E_MALFORMED, rule, what, "no subtype after \"%s/\"", ct->type);
		if ((ct->subtype = dup_lower(p, n)) == NULL)
			FAIL(CACHET_E_NOMEM, NULL, what, "out of memory");
		p += n;
	}
	CHECK(parse_params(ct, p, what, rule, diag));
cleanup:
	if (ret < 0)
		_cachet_mime_ctype_deinit(ct);
	return ret;
}

int _cachet_mime_ctype_parse(cachet_mime_ctype_t *ct, const char *value, cachet_diag_t *diag)
{
	return parse_typed(ct, value, true, diag);
}

int _cachet_mime_disposition_parse(cachet_mime_ctype_t *ct, const char *value,
				   cachet_diag_t *diag)
{
	return parse_typed(ct, value, false, diag);
}

const char *_cachet_mime_ctype_param(const cachet_mime_ctype_t *ct, const char *name)
{
	for (size_t i = 0; i < ct->nparams; i++)
		if (strcasecmp(ct->params[i].name, name) == 0)
			return ct->params[i].value;
	return NULL;
}

bool _cachet_mime_ctype_is(const cachet_mime_ctype_t *ct, const char *type,
			   const char *subtype)
{
	return ct->type && strcmp(ct->type, type) == 0 &&
	       (subtype == NULL || (ct->subtype && strcmp(ct->subtype, subtype) == 0));
}

int _cachet_mime_ctype_format(cbuf_t *out, const char *type, const char *subtype,
			      const cachet_mime_param_t *params, size_t nparams)
{
	int ret;
	CHECK_RET(_cachet_buf_printf(out, "%s%s%s", type, subtype ? "/" : "",
				     subtype ? subtype : ""));
	for (size_t i = 0; i < nparams; i++) {
		const char *v = params[i].value;
		bool quote = *v == 0 || token_len(v) != strlen(v);
		CHECK_RET(_cachet_buf_printf(out, "; %s=%s", params[i].name, quote ? "\"" : ""));
		for (; *v; v++) {
			/* RFC 822 section 3.3: '"' and '\' are quoted-pairs. */
			if (quote && (*v == '"' || *v == '\\'))
				CHECK_RET(_cachet_buf_append(out, "\\", 1));
			CHECK_RET(_cachet_buf_append(out, v, 1));
		}
		if (quote)
			CHECK_RET(_cachet_buf_append(out, "\"", 1));
	}
	return 0;
}

/* ---- Content-Transfer-Encoding (RFC 2045 section 6) ---- */

static const char *const cte_names[] = {"7bit", "8bit", "binary", "quoted-printable",
					"base64"};

int _cachet_mime_cte_parse(const char *value, cachet_mime_cte_t *cte, cachet_diag_t *diag)
{
	int ret = 0;
	*cte = CACHET_MIME_CTE_7BIT;
	if (value == NULL)
		return 0; /* RFC 2045 section 6.1: absent means 7bit */
	const char *p = value;
	CHECK(skip_cfws(&p, diag, "Content-Transfer-Encoding"));
	size_t n = token_len(p);
	const char *end = p + n;
	CHECK(skip_cfws(&end, diag, "Content-Transfer-Encoding"));
	ENSURE(n > 0 && *end == 0, CACHET_E_MALFORMED, RULE_CTE, "Content-Transfer-Encoding",
	       "\"%.40s\" is not a single mechanism token", value);
	for (size_t i = 0; i < sizeof(cte_names) / sizeof(cte_names[0]); i++)
		if (strlen(cte_names[i]) == n && strncasecmp(p, cte_names[i], n) == 0) {
			*cte = (cachet_mime_cte_t)i;
			return 0;
		}
	FAIL(CACHET_E_UNSUPPORTED, "RFC 2045 section 6.4", "Content-Transfer-Encoding",
	     "unknown transfer encoding \"%.*s\"", (int)(n > 40 ? 40 : n), p);
cleanup:
	return ret;
}

const char *_cachet_mime_cte_name(cachet_mime_cte_t cte)
{
	if ((unsigned)cte < sizeof(cte_names) / sizeof(cte_names[0]))
		return cte_names[cte];
	return "7bit";
}

/* ---- boundaries ---- */

int _cachet_mime_boundary_new(char out[CACHET_MIME_BOUNDARY_BUF])
{
	static const char alnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	static const char prefix[] = "=_cachet_";
	uint8_t rnd[24];
	int ret = _cachet_random(rnd, sizeof(rnd));
	if (ret < 0)
		return ret;
	/* "=_" can be in neither encoding's output: quoted-printable writes
	 * "=" only before two hex digits or a line break (RFC 2045 section
	 * 6.7), base64 only at the end, followed by "=" or a line break
	 * (section 6.8).  RFC 2046 section 5.1.1 allows "=" and "_" in
	 * boundaries; the value must be quoted in the Content-Type. */
	memcpy(out, prefix, sizeof(prefix) - 1);
	size_t k = sizeof(prefix) - 1;
	for (size_t i = 0; i < sizeof(rnd); i++)
		out[k++] = alnum[rnd[i] % (sizeof(alnum) - 1)];
	out[k] = 0;
	return 0;
}

bool _cachet_mime_is_trace_field(const char *name)
{
	return strcasecmp(name, "Received") == 0 || strcasecmp(name, "Return-Path") == 0 ||
	       strcasecmp(name, "DKIM-Signature") == 0 || strncasecmp(name, "ARC-", 4) == 0 ||
	       strcasecmp(name, "Authentication-Results") == 0;
}
