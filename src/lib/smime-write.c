/* smime-write.c -- producing S/MIME messages (RFC 8551 section 3):
 * multipart/signed (section 3.5.3), application/pkcs7-mime with
 * signed-data (3.5.2), enveloped-data (3.3), authEnveloped-data (3.4)
 * and compressed-data (3.6).
 *
 * doc/design.md decision 16: the input is an RFC 5322 message or a bare
 * MIME entity.  The header fields that describe the content (Content-*)
 * move into the protected inner entity, every other field stays on the
 * outer message, and MIME-Version: 1.0 is written once, outside.  The
 * inner entity is canonicalised (section 3.1.1) and, unless the caller
 * asks for CACHET_SMIME_BINARY, given a 7-bit transfer encoding when it
 * is not 7-bit data (sections 3.1.2 and 3.1.3).  With header protection
 * (RFC 9788, decision 19) the other fields are copied inside too, with
 * hp="clear" or hp="cipher"; hp="cipher" obscures the outer Subject and
 * records the outer fields in HP-Outer.
 *
 * Input without a header block (its first line is not "name:" and not
 * empty) is the body of a text/plain entity: charset us-ascii when every
 * octet is 7-bit, utf-8 when the octets are well-formed UTF-8 without
 * NUL, and otherwise application/octet-stream, left as binary octets.
 *
 * Memory stays flat: the body is read once into spill storage (memory up
 * to CACHET_SPILL_MEM, an unlinked temporary file beyond) while it is
 * scanned; the encoding is chosen from the scan; the inner entity is then
 * written to a second spill, which the CMS layer reads and, for
 * multipart/signed, which is read again for the first body part.  Only
 * the detached SignedData itself (signer information and certificates)
 * is held in memory, bounded by SMIME_MAX_SIGNATURE. */
#include "ber.h"
#include "crypto.h"
#include "mime.h"
#include "sechdr.h"
#include "spill.h"

#include <stdlib.h>
#include <strings.h>

/* ---- limits ---- */
/* Octets looked at to tell a header block from a headerless body: a
 * field name must show its colon within them. */
#define SMIME_SNIFF CACHET_UNREAD_MAX
/* The detached SignedData of a multipart/signed message, held in memory
 * until micalg is known. */
#define SMIME_MAX_SIGNATURE CACHET_MAX_BOUNDED
/* Octets held back from the CMS output until its contentType is read
 * (the ContentInfo header and the OBJECT IDENTIFIER). */
#define SMIME_PEEK 64
/* Quoted-printable is chosen for text bodies whose 8-bit octets are at
 * most one in SMIME_QP_RATIO; beyond that base64 is shorter. */
#define SMIME_QP_RATIO 6

#define RULE_CANON "RFC 8551 section 3.1.1"
#define RULE_7BIT "RFC 8551 section 3.1.2"
#define RULE_CTE_COMPOSITE "RFC 2045 section 6.4"
#define RULE_SMIME_TYPE "RFC 8551 section 3.2.2"
#define RULE_MICALG "RFC 8551 section 3.5.3.2"
#define RULE_HP "RFC 9788"
#define CRLF "\r\n"

/* ---- UTF-8 well-formedness (RFC 3629 section 4), streaming ---- */
typedef struct {
	unsigned need; /* continuation octets still expected */
	uint8_t lo, hi; /* range of the next continuation octet */
	bool is_bad;
} utf8_t;

static void utf8_update(utf8_t *u, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n && !u->is_bad; i++) {
		uint8_t c = p[i];
		if (u->need) {
			if (c < u->lo || c > u->hi)
				u->is_bad = true;
			u->lo = 0x80;
			u->hi = 0xbf;
			u->need--;
			continue;
		}
		if (c < 0x80)
			continue;
		u->lo = 0x80;
		u->hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf) {
			u->need = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			u->need = 2;
			if (c == 0xe0)
				u->lo = 0xa0; /* no overlong forms */
			if (c == 0xed)
				u->hi = 0x9f; /* no surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			u->need = 3;
			if (c == 0xf0)
				u->lo = 0x90;
			if (c == 0xf4)
				u->hi = 0x8f; /* nothing above U+10FFFF */
		} else {
			u->is_bad = true;
		}
	}
}

/* ---- the prepared message ---- */
typedef enum { HP_NONE = 0, HP_CLEAR, HP_CIPHER } hp_mode_t;

typedef struct {
	cachet_mime_header_t h; /* the input's header block (empty if none) */
	bool has_header;
	hp_mode_t hp;		/* header protection (RFC 9788) */
	spill_t *entity;	/* the canonical inner entity */
	unsigned sign_flags;	/* extra cachet_sign_run flags (NO_CERTS) */
} prep_t;

static void prep_free(prep_t *p)
{
	_cachet_mime_header_deinit(&p->h);
	_cachet_spill_free(p->entity);
	memset(p, 0, sizeof(*p));
}

static bool is_content_field(const char *name)
{
	return strncasecmp(name, "Content-", 8) == 0;
}

/* A header field that header protection copies into the cryptographic
 * payload (RFC 9788): neither structural (Content-*,
 * MIME-Version) nor trace. */
static bool is_protected_field(const char *name)
{
	return !is_content_field(name) && strcasecmp(name, "MIME-Version") != 0 &&
	       strcasecmp(name, "HP-Outer") != 0 && !_cachet_mime_is_trace_field(name);
}

/* The baseline header confidentiality policy (RFC 9788, "hcp_baseline"):
 * the Subject is obscured outside an encrypted message.  NULL: the
 * field goes out as it is. */
static const char *hcp_baseline(const char *name)
{
	return strcasecmp(name, "Subject") == 0 ? "[...]" : NULL;
}

/* Does the input start with a header block?  An empty first line is an
 * empty block; "name:" (RFC 5322 section 2.2: printable US-ASCII but
 * ':', optional WSP before the colon as section 4.5 allows) starts a
 * field; anything else is a headerless body.  The octets looked at are
 * pushed back. */
static int sniff_header(cachet_source_t *src, bool *has_header)
{
	uint8_t buf[SMIME_SNIFF];
	size_t n = 0, i = 0;
	int ret;

	while (n < sizeof(buf)) {
		long got = _cachet_source_read(src, buf + n, sizeof(buf) - n);
		if (got < 0)
			return (int)got;
		if (got == 0)
			break;
		n += (size_t)got;
	}
	CHECK_RET(_cachet_source_unread(src, buf, n));
	*has_header = false;
	if (n == 0)
		return 0;
	if (buf[0] == '\n' || (n > 1 && buf[0] == '\r' && buf[1] == '\n')) {
		*has_header = true;
		return 0;
	}
	while (i < n && buf[i] >= 33 && buf[i] <= 126 && buf[i] != ':')
		i++;
	if (i == 0)
		return 0;
	while (i < n && (buf[i] == ' ' || buf[i] == '\t'))
		i++;
	*has_header = i < n && buf[i] == ':';
	return 0;
}

/* Write a field's raw octets, ending it with a line break if the input
 * ended inside it. */
static int write_raw_field(cachet_sink_t *snk, const cachet_mime_field_t *f)
{
	int ret;
	CHECK_RET(_cachet_sink_write(snk, f->raw, f->raw_len));
	if (f->raw_len == 0 || (f->raw[f->raw_len - 1] != '\n' && f->raw[f->raw_len - 1] != '\r'))
		CHECK_RET(_cachet_sink_write(snk, (const uint8_t *)CRLF, 2));
	return 0;
}

/* Copy SRC to SNK; *N gets the octets copied. */
static int pump_count(cachet_source_t *src, cachet_sink_t *snk, uint64_t *n)
{
	int ret;
	*n = 0;
	for (;;) {
		const uint8_t *p;
		size_t got;
		CHECK_RET(_cachet_source_borrow(src, CACHET_CHUNK, &p, &got));
		if (got == 0)
			return 0;
		*n += got;
		CHECK_RET(_cachet_sink_write(snk, p, got));
	}
}

/* Copy SRC to SNK. */
static int pump(cachet_source_t *src, cachet_sink_t *snk)
{
	uint64_t n;
	return pump_count(src, snk, &n);
}

/* One Content-* field of the input, NULL when absent; given twice is
 * malformed (RFC 2045 sections 5 and 6: one per entity). */
static int single_field(const cachet_mime_header_t *h, const char *name,
			const cachet_mime_field_t **f, cachet_diag_t *diag)
{
	int ret = 0;
	*f = _cachet_mime_header_get(h, name, 0);
	ENSURE(_cachet_mime_header_count(h, name) <= 1, CACHET_E_MALFORMED, "RFC 2045 section 3", name,
	       "the field is given %zu times", _cachet_mime_header_count(h, name));
cleanup:
	return ret;
}

/* ---- 7-bit transfer encodings for the leaves of a multipart (RFC 8551
 * section 3.1.2; RFC 2045 section 6.4: a multipart cannot be encoded as
 * a whole, its parts can) ---- */

/* Quoted-printable for text that is mostly 7-bit lines, base64 for the
 * rest (binary octets, or text where most octets would be escaped). */
static cachet_mime_cte_t pick_7bit(bool is_text, bool binary_body, const cachet_mime_scan_t *sc)
{
	if (is_text && !binary_body && (sc->high + sc->nul) * SMIME_QP_RATIO <= sc->octets)
		return CACHET_MIME_CTE_QP;
	return CACHET_MIME_CTE_BASE64;
}

static int reencode_multipart(cachet_source_t *body, const char *boundary, unsigned depth,
			      cachet_sink_t *out, cachet_diag_t *diag);

/* One body part from SRC to OUT: a multipart is walked into, a leaf that
 * is not 7-bit data gets quoted-printable or base64, everything else is
 * copied with CRLF line ends. */
static int reencode_part(cachet_source_t *src, unsigned depth, cachet_sink_t *out,
			 cachet_diag_t *diag)
{
	cachet_mime_header_t h = {0};
	cachet_mime_ctype_t ct = {0};
	const cachet_mime_field_t *ctf = NULL, *ctef = NULL;
	cachet_mime_cte_t cte, enc = CACHET_MIME_CTE_7BIT;
	cachet_mime_scan_t sc;
	spill_t *raw = NULL;
	cachet_source_t *rs = NULL;
	cachet_sink_t *canon = NULL, *encoder = NULL, *body;
	bool is_text, binary_body, needs;
	int ret;

	CHECK(_cachet_mime_header_read(&h, src, diag));
	CHECK(single_field(&h, "Content-Type", &ctf, diag));
	CHECK(single_field(&h, "Content-Transfer-Encoding", &ctef, diag));
	if (ctf)
		CHECK(_cachet_mime_ctype_parse(&ct, ctf->value, diag));
	CHECK(_cachet_mime_cte_parse(ctef ? ctef->value : NULL, &cte, diag));
	const char *b = _cachet_mime_ctype_param(&ct, "boundary");
	if (ctf && _cachet_mime_ctype_is(&ct, "multipart", NULL) && b) {
		/* Its parts made 7-bit, the multipart is 7bit: an 8bit or
		 * binary label goes. */
		CHECK(_cachet_mime_canon_init(&canon, out));
		for (size_t i = 0; i < h.n; i++)
			if (&h.fields[i] != ctef || cte == CACHET_MIME_CTE_7BIT)
				CHECK(write_raw_field(canon, &h.fields[i]));
		CHECK(_cachet_sink_finish(canon));
		CHECK(_cachet_sink_write(out, (const uint8_t *)CRLF, 2));
		CHECK(reencode_multipart(src, b, depth + 1, out, diag));
		goto cleanup;
	}

	_cachet_mime_scan_init(&sc);
	CHECK(_cachet_spill_init(&raw, CACHET_SPILL_MEM));
	for (;;) {
		const uint8_t *p;
		size_t n;
		CHECK(_cachet_source_borrow(src, CACHET_CHUNK, &p, &n));
		if (n == 0)
			break;
		_cachet_mime_scan_update(&sc, p, n);
		CHECK(_cachet_spill_write(raw, p, n));
	}
	_cachet_mime_scan_final(&sc);
	is_text = ctf == NULL || _cachet_mime_ctype_is(&ct, "text", NULL);
	binary_body = cte == CACHET_MIME_CTE_BINARY ||
		      (!is_text && (sc.nul > 0 || sc.long_lines > 0) && cte != CACHET_MIME_CTE_BASE64 &&
		       cte != CACHET_MIME_CTE_QP);
	needs = sc.high > 0 || sc.nul > 0 || sc.long_lines > 0 || binary_body;
	if (cte == CACHET_MIME_CTE_BASE64 || cte == CACHET_MIME_CTE_QP) {
		ENSURE(!needs, CACHET_E_MALFORMED,
		       cte == CACHET_MIME_CTE_BASE64 ? "RFC 2045 section 6.8" : "RFC 2045 section 6.7",
		       "Content-Transfer-Encoding", "a body part is declared %s but holds %s",
		       _cachet_mime_cte_name(cte), sc.long_lines ? "lines over 998 octets" : "8-bit or NUL octets");
	} else if (needs) {
		ENSURE(!(ctf && _cachet_mime_ctype_is(&ct, "message", NULL)), CACHET_E_UNSUPPORTED,
		       RULE_CTE_COMPOSITE, "Content-Type",
		       "a %s/%s body part holds 8-bit octets, NULs or long lines, and a message "
		       "entity cannot be given a 7-bit transfer encoding; keep it binary "
		       "(CACHET_SMIME_BINARY)", ct.type, ct.subtype);
		enc = pick_7bit(is_text, binary_body, &sc);
	}
	/* The header: the transfer encoding replaced when the body gets one. */
	CHECK(_cachet_mime_canon_init(&canon, out));
	for (size_t i = 0; i < h.n; i++)
		if (enc == CACHET_MIME_CTE_7BIT || &h.fields[i] != ctef)
			CHECK(write_raw_field(canon, &h.fields[i]));
	CHECK(_cachet_sink_finish(canon));
	cachet_sink_deinit(canon);
	canon = NULL;
	if (enc != CACHET_MIME_CTE_7BIT)
		CHECK(_cachet_mime_field_write(out, "Content-Transfer-Encoding", _cachet_mime_cte_name(enc),
					       CACHET_MIME_EOL_CRLF, diag));
	CHECK(_cachet_sink_write(out, (const uint8_t *)CRLF, 2));
	body = out;
	if (enc != CACHET_MIME_CTE_7BIT) {
		CHECK(_cachet_mime_encoder_init(&encoder, enc, body,
						enc == CACHET_MIME_CTE_QP ? CACHET_MIME_ENC_QP_FROM_DOT : 0));
		body = encoder;
	}
	if (!binary_body) {
		CHECK(_cachet_mime_canon_init(&canon, body));
		body = canon;
	}
	CHECK(_cachet_spill_source(raw, &rs));
	CHECK(pump(rs, body));
	/* Down the chain: canon, the encoder's last quantum, then OUT (a
	 * flush: OUT is written on by the caller). */
	CHECK(_cachet_sink_finish(body));
cleanup:
	cachet_sink_deinit(canon);
	cachet_sink_deinit(encoder);
	cachet_source_deinit(rs);
	_cachet_spill_free(raw);
	_cachet_mime_ctype_deinit(&ct);
	_cachet_mime_header_deinit(&h);
	return ret;
}

/* The multipart body read from BODY, delimited by BOUNDARY, to OUT with
 * every part through reencode_part: preamble and epilogue kept, the
 * delimiters written anew with CRLF (RFC 2046 section 5.1.1). */
static int reencode_multipart(cachet_source_t *body, const char *boundary, unsigned depth,
			      cachet_sink_t *out, cachet_diag_t *diag)
{
	cachet_mime_split_t *sp = NULL;
	cachet_source_t *seg = NULL;
	cachet_sink_t *canon = NULL;
	cbuf_t line = {0};
	uint64_t npre = 0, nepi = 0;
	int ret;

	CHECK(_cachet_mime_split_init(&sp, body, boundary, depth, diag));
	CHECK(_cachet_mime_split_preamble(sp, &seg));
	CHECK(_cachet_mime_canon_init(&canon, out));
	CHECK(pump_count(seg, canon, &npre));
	CHECK(cachet_sink_flush(canon)); /* before the delimiter goes to OUT */
	for (bool first = true;; first = false) {
		cachet_source_t *part;
		ret = _cachet_mime_split_next(sp, &part);
		if (ret == CACHET_E_END)
			break;
		CHECK(ret);
		line.size = 0;
		CHECK(_cachet_buf_printf(&line, "%s--%s\r\n", first && npre == 0 ? "" : "\r\n", boundary));
		CHECK(_cachet_sink_write(out, line.data, line.size));
		CHECK(reencode_part(part, depth, out, diag));
	}
	line.size = 0;
	CHECK(_cachet_buf_printf(&line, "\r\n--%s--", boundary));
	CHECK(_cachet_sink_write(out, line.data, line.size));
	/* The line break after the close delimiter only when an epilogue
	 * follows (RFC 2046 section 5.1.1: [CRLF epilogue]). */
	CHECK(_cachet_mime_split_epilogue(sp, &seg));
	{
		const uint8_t *p;
		size_t got;
		CHECK(_cachet_source_borrow(seg, 1, &p, &got));
		if (got) {
			CHECK(_cachet_sink_write(out, (const uint8_t *)CRLF, 2));
			CHECK(_cachet_source_unread(seg, p, got));
		}
	}
	CHECK(pump_count(seg, canon, &nepi));
	CHECK(cachet_sink_flush(canon));
	ret = 0;
cleanup:
	cachet_sink_deinit(canon);
	_cachet_mime_split_deinit(sp);
	_cachet_buf_free(&line);
	return ret;
}

/* The protected header fields of the cryptographic payload (RFC 9788):
 * every field of the input but the structural and trace
 * ones, as they were; with hp="cipher", one HP-Outer field per outer
 * field as it will be sent, so that the recipient can tell
 * what was obscured and what a relay changed. */
static int write_protected(const prep_t *p, cachet_sink_t *snk, cachet_diag_t *diag)
{
	cachet_sink_t *canon = NULL;
	cbuf_t v = {0};
	int ret;

	CHECK(_cachet_mime_canon_init(&canon, snk));
	for (size_t i = 0; i < p->h.n; i++)
		if (is_protected_field(p->h.fields[i].name))
			CHECK(write_raw_field(canon, &p->h.fields[i]));
	CHECK(_cachet_sink_finish(canon));
	if (p->hp != HP_CIPHER)
		goto cleanup;
	for (size_t i = 0; i < p->h.n; i++) {
		const cachet_mime_field_t *f = &p->h.fields[i];
		if (is_content_field(f->name) || strcasecmp(f->name, "MIME-Version") == 0 ||
		    strcasecmp(f->name, "HP-Outer") == 0)
			continue;
		const char *ob = hcp_baseline(f->name);
		v.size = 0;
		CHECK(_cachet_buf_printf(&v, "%s: %s", f->name, ob ? ob : f->value));
		CHECK(_cachet_buf_append(&v, "", 1));
		CHECK(_cachet_mime_field_write(snk, "HP-Outer", (const char *)v.data, CACHET_MIME_EOL_CRLF,
					       diag));
	}
cleanup:
	cachet_sink_deinit(canon);
	_cachet_buf_free(&v);
	return ret;
}

/* Read MSG, split off the header, and write the canonical inner entity
 * into P->entity (section 3.1). */
static int prepare(prep_t *p, cachet_source_t *msg, unsigned flags, hp_mode_t hp,
		   cachet_diag_t *diag)
{
	const cachet_mime_field_t *ctf = NULL, *ctef = NULL;
	cachet_mime_ctype_t ct = {0};
	cachet_mime_cte_t cte = CACHET_MIME_CTE_7BIT, enc = CACHET_MIME_CTE_7BIT;
	cachet_mime_scan_t sc;
	utf8_t u8 = {0};
	spill_t *raw = NULL;
	cachet_source_t *rs = NULL;
	cachet_sink_t *ssnk = NULL, *canon = NULL, *encoder = NULL, *body = NULL;
	cbuf_t ctval = {0};
	const char *new_cte = NULL; /* a Content-Transfer-Encoding to write */
	bool is_text, is_composite, is_binary_body, needs_7bit, replace_cte = false, reencode = false;
	int ret;

	memset(p, 0, sizeof(*p));
	p->hp = hp;
	_cachet_mime_scan_init(&sc);
	CHECK(sniff_header(msg, &p->has_header));
	if (p->has_header) {
		CHECK(_cachet_mime_header_read(&p->h, msg, diag));
		CHECK(single_field(&p->h, "Content-Type", &ctf, diag));
		CHECK(single_field(&p->h, "Content-Transfer-Encoding", &ctef, diag));
		if (ctf)
			CHECK(_cachet_mime_ctype_parse(&ct, ctf->value, diag));
		CHECK(_cachet_mime_cte_parse(ctef ? ctef->value : NULL, &cte, diag));
	}
	if (hp != HP_NONE) {
		size_t nprot = 0;
		for (size_t i = 0; i < p->h.n; i++)
			nprot += is_protected_field(p->h.fields[i].name);
		ENSURE(nprot > 0, CACHET_E_INVALID_ARG, RULE_HP, "header",
		       "header protection asked for, but the message has no header fields to protect");
		/* The hp parameter belongs to the cryptographic payload, the
		 * innermost entity (RFC 9788): inside a signature
		 * it can no longer be added. */
		ENSURE(!(ctf && (_cachet_mime_ctype_is(&ct, "multipart", "signed") ||
				 _cachet_mime_ctype_is(&ct, "application", "pkcs7-mime") ||
				 _cachet_mime_ctype_is(&ct, "application", "x-pkcs7-mime"))),
		       CACHET_E_INVALID_ARG, RULE_HP, "Content-Type",
		       "the message is already signed or encrypted, so its cryptographic payload "
		       "cannot take header protection any more; sign with hp=\"cipher\" "
		       "(CACHET_SMIME_HP_CIPHER) and encrypt without header protection");
	}

	/* Pass 1: the body as it is, scanned on the way. */
	CHECK(_cachet_spill_init(&raw, CACHET_SPILL_MEM));
	for (;;) {
		const uint8_t *b;
		size_t n;
		ret = _cachet_source_borrow(msg, CACHET_CHUNK, &b, &n);
		ENSURE(ret == 0, ret, NULL, "body", "reading the message failed");
		if (n == 0)
			break;
		_cachet_mime_scan_update(&sc, b, n);
		utf8_update(&u8, b, n);
		CHECK(_cachet_spill_write(raw, b, n));
	}
	_cachet_mime_scan_final(&sc);
	u8.is_bad |= u8.need != 0;

	/* What the body is. */
	is_text = ctf == NULL || _cachet_mime_ctype_is(&ct, "text", NULL);
	is_composite = ctf && (_cachet_mime_ctype_is(&ct, "multipart", NULL) ||
			       _cachet_mime_ctype_is(&ct, "message", NULL));
	if (ctf == NULL) {
		/* RFC 2045 section 5.2 defaults to text/plain; us-ascii; the
		 * charset written says what the octets are. */
		cachet_mime_param_t cs = {(char *)"charset", (char *)"us-ascii"};
		if (sc.high > 0)
			cs.value = (char *)(u8.is_bad ? "unknown-8bit" : "utf-8");
		if (!p->has_header && (sc.nul > 0 || (sc.high > 0 && u8.is_bad))) {
			is_text = false;
			CHECK(_cachet_mime_ctype_format(&ctval, "application", "octet-stream", NULL, 0));
		} else {
			CHECK(_cachet_mime_ctype_format(&ctval, "text", "plain", &cs, 1));
		}
		CHECK(_cachet_buf_append(&ctval, "", 1));
	}
	if (hp != HP_NONE) {
		/* RFC 9788: hp="clear" for a signed-only payload,
		 * hp="cipher" for an encrypted one; any hp the input had is
		 * replaced. */
		cachet_mime_param_t ps[CACHET_MIME_MAX_PARAMS + 1];
		cachet_mime_ctype_t dflt = {0};
		const cachet_mime_ctype_t *base = &ct;
		size_t np = 0;
		if (ctf == NULL) {
			CHECK(_cachet_mime_ctype_parse(&dflt, (const char *)ctval.data, diag));
			base = &dflt;
		}
		for (size_t i = 0; i < base->nparams; i++)
			if (strcmp(base->params[i].name, "hp") != 0)
				ps[np++] = base->params[i];
		ps[np].name = (char *)"hp";
		ps[np].value = (char *)(hp == HP_CIPHER ? "cipher" : "clear");
		np++;
		ctval.size = 0;
		ret = _cachet_mime_ctype_format(&ctval, base->type, base->subtype, ps, np);
		if (ret == 0)
			ret = _cachet_buf_append(&ctval, "", 1);
		_cachet_mime_ctype_deinit(&dflt);
		CHECK(ret);
	}
	/* Line data is canonicalised (CRLF); binary octets are not: a
	 * declared binary body, and non-text leaves whose NULs or long lines
	 * show that they are not lines. */
	is_binary_body = cte == CACHET_MIME_CTE_BINARY ||
			 (!is_text && !is_composite && (sc.nul > 0 || sc.long_lines > 0) &&
			  cte != CACHET_MIME_CTE_BASE64 && cte != CACHET_MIME_CTE_QP);
	needs_7bit = sc.high > 0 || sc.nul > 0 || sc.long_lines > 0;
	if (is_binary_body && cte != CACHET_MIME_CTE_BINARY)
		needs_7bit = true; /* bare line breaks must not be left to transit */

	if (cte == CACHET_MIME_CTE_BASE64 || cte == CACHET_MIME_CTE_QP) {
		/* Already 7-bit by declaration: it must be. */
		ENSURE(!needs_7bit, CACHET_E_MALFORMED,
		       cte == CACHET_MIME_CTE_BASE64 ? "RFC 2045 section 6.8" : "RFC 2045 section 6.7",
		       "Content-Transfer-Encoding",
		       "the body is declared %s but holds %s", _cachet_mime_cte_name(cte),
		       sc.long_lines ? "lines over 998 octets" : "8-bit or NUL octets");
	} else if (needs_7bit && !(flags & CACHET_SMIME_BINARY) && is_composite &&
		   _cachet_mime_ctype_is(&ct, "multipart", NULL) &&
		   _cachet_mime_ctype_param(&ct, "boundary") != NULL) {
		/* Section 3.1.2/3.1.3 with RFC 2045 section 6.4: a multipart
		 * cannot take a transfer encoding, so its leaves get one
		 * each (reencode_multipart); an 8bit or binary label on the
		 * multipart goes. */
		reencode = true;
		replace_cte = ctef != NULL && cte != CACHET_MIME_CTE_7BIT;
	} else if (needs_7bit && !(flags & CACHET_SMIME_BINARY)) {
		/* Section 3.1.2/3.1.3: a 7-bit encoding.  A message entity
		 * cannot take one (RFC 2045 section 6.4). */
		ENSURE(!is_composite, CACHET_E_UNSUPPORTED, RULE_CTE_COMPOSITE, "Content-Type",
		       "the %s/%s entity holds 8-bit octets, NULs or long lines, and a %s entity "
		       "cannot be given a 7-bit transfer encoding; encode it first, or keep it "
		       "binary (CACHET_SMIME_BINARY)", ct.type, ct.subtype, ct.type);
		if (is_text && !is_binary_body && (sc.high + sc.nul) * SMIME_QP_RATIO <= sc.octets)
			enc = CACHET_MIME_CTE_QP;
		else
			enc = CACHET_MIME_CTE_BASE64;
		new_cte = _cachet_mime_cte_name(enc);
		replace_cte = true;
	} else if (needs_7bit) {
		/* Kept as it is: say so truthfully (RFC 2045 section 2.8:
		 * 8bit is lines of at most 998 octets without NUL). */
		cachet_mime_cte_t lab = (sc.nul > 0 || sc.long_lines > 0 || is_binary_body)
						? CACHET_MIME_CTE_BINARY
						: CACHET_MIME_CTE_8BIT;
		if (cte != lab && cte != CACHET_MIME_CTE_BINARY) {
			new_cte = _cachet_mime_cte_name(lab);
			replace_cte = true;
		}
	}

	/* Pass 2: the inner entity.  Header: the Content-* fields as they
	 * were (line ends made CRLF), then the fields added here. */
	CHECK(_cachet_spill_init(&p->entity, CACHET_SPILL_MEM));
	CHECK(_cachet_spill_sink(p->entity, &ssnk));
	CHECK(_cachet_mime_canon_init(&canon, ssnk));
	for (size_t i = 0; i < p->h.n; i++) {
		const cachet_mime_field_t *f = &p->h.fields[i];
		if (!is_content_field(f->name) || (replace_cte && f == ctef) ||
		    (hp != HP_NONE && f == ctf))
			continue;
		CHECK(write_raw_field(canon, f));
	}
	CHECK(_cachet_sink_finish(canon));
	if (ctval.size)
		CHECK(_cachet_mime_field_write(ssnk, "Content-Type", (const char *)ctval.data,
					       CACHET_MIME_EOL_CRLF, diag));
	if (new_cte)
		CHECK(_cachet_mime_field_write(ssnk, "Content-Transfer-Encoding", new_cte,
					       CACHET_MIME_EOL_CRLF, diag));
	if (hp != HP_NONE)
		CHECK(write_protected(p, ssnk, diag));
	CHECK(_cachet_sink_write(ssnk, (const uint8_t *)CRLF, 2));

	/* Body: canonical line ends (section 3.1.1) for line data, then the
	 * transfer encoding (RFC 2045 section 6.8: base64 of text encodes
	 * the canonical form). */
	body = ssnk;
	if (enc != CACHET_MIME_CTE_7BIT) {
		CHECK(_cachet_mime_encoder_init(&encoder, enc, body,
						enc == CACHET_MIME_CTE_QP ? CACHET_MIME_ENC_QP_FROM_DOT : 0));
		body = encoder;
	}
	if (!is_binary_body) {
		cachet_sink_deinit(canon);
		canon = NULL;
		CHECK(_cachet_mime_canon_init(&canon, body));
		body = canon;
	}
	CHECK(_cachet_spill_source(raw, &rs));
	if (reencode) {
		CHECK(reencode_multipart(rs, _cachet_mime_ctype_param(&ct, "boundary"), 1, ssnk, diag));
		CHECK(_cachet_sink_finish(ssnk));
		goto cleanup;
	}
	ret = pump(rs, body);
	ENSURE(ret == 0, ret, RULE_CANON, "body", "writing the canonical entity failed");
	CHECK(_cachet_sink_finish(body));
	ret = 0;
cleanup:
	cachet_sink_deinit(canon);
	cachet_sink_deinit(encoder);
	cachet_sink_deinit(ssnk);
	cachet_source_deinit(rs);
	_cachet_spill_free(raw);
	_cachet_mime_ctype_deinit(&ct);
	_cachet_buf_free(&ctval);
	return ret;
}

/* The outer header: every field but Content-* and MIME-Version, byte for
 * byte (line ends made CRLF), then MIME-Version: 1.0 once. */
static int write_outer(const prep_t *p, cachet_sink_t *out, cachet_diag_t *diag)
{
	cachet_sink_t *canon = NULL;
	int ret;

	CHECK(_cachet_mime_canon_init(&canon, out));
	for (size_t i = 0; i < p->h.n; i++) {
		const cachet_mime_field_t *f = &p->h.fields[i];
		if (is_content_field(f->name) || strcasecmp(f->name, "MIME-Version") == 0 ||
		    strcasecmp(f->name, "HP-Outer") == 0)
			continue;
		const char *ob = p->hp == HP_CIPHER ? hcp_baseline(f->name) : NULL;
		if (ob) {
			CHECK(_cachet_mime_field_write(canon, f->name, ob, CACHET_MIME_EOL_CRLF, diag));
			continue;
		}
		CHECK(write_raw_field(canon, f));
	}
	CHECK(_cachet_sink_finish(canon));
	CHECK(_cachet_mime_field_write(out, "MIME-Version", "1.0", CACHET_MIME_EOL_CRLF, diag));
cleanup:
	cachet_sink_deinit(canon);
	return ret;
}

/* Content-Type from TYPE/SUBTYPE and N parameters (NAME, VALUE pairs). */
static int write_ctype(cachet_sink_t *out, const char *name, const char *type,
		       const char *subtype, const char *const *pv, size_t n,
		       cachet_diag_t *diag)
{
	cachet_mime_param_t params[4];
	cbuf_t v = {0};
	int ret;

	for (size_t i = 0; i < n && i < 4; i++) {
		params[i].name = (char *)pv[2 * i];
		params[i].value = (char *)pv[2 * i + 1];
	}
	CHECK(_cachet_mime_ctype_format(&v, type, subtype, params, n));
	CHECK(_cachet_buf_append(&v, "", 1));
	CHECK(_cachet_mime_field_write(out, name, (const char *)v.data, CACHET_MIME_EOL_CRLF, diag));
cleanup:
	_cachet_buf_free(&v);
	return ret;
}

/* ---- application/pkcs7-mime: a sink that reads the ContentInfo's
 * contentType as the CMS layer writes it, then writes the body's header
 * (smime-type, name and filename by section 3.2) and the base64 of it
 * all. ---- */
typedef struct {
	cachet_sink_t *out;
	cachet_sink_t *b64; /* once the header is written */
	uint8_t held[SMIME_PEEK];
	size_t nheld;
	bool is_certs_only; /* a SignedData without signers (section 3.8) */
	cachet_diag_t *diag;
} p7_t;

/* 1 when the header is written, 0 when more octets are needed. */
static int p7_decide(p7_t *k)
{
	static const struct {
		cachet_alg_id_t ct;
		const char *smime_type, *file;
	} types[] = {
		/* Section 3.2.2's table; file names from section 3.2.1. */
		{CACHET_ALG_CT_SIGNED, "signed-data", "smime.p7m"},
		{CACHET_ALG_CT_ENVELOPED, "enveloped-data", "smime.p7m"},
		{CACHET_ALG_CT_AUTHENVELOPED, "authEnveloped-data", "smime.p7m"},
		{CACHET_ALG_CT_COMPRESSED, "compressed-data", "smime.p7z"},
	};
	const uint8_t *h = k->held;
	size_t off = 2, n = k->nheld;
	char dotted[128];
	const cachet_alg_t *alg;
	cachet_diag_t *diag = k->diag;
	int ret = 0;

	if (n < 2)
		return 0;
	ENSURE(h[0] == 0x30, CACHET_E_INTERNAL, "RFC 5652 section 3", "ContentInfo",
	       "the CMS output does not start with a SEQUENCE");
	if (h[1] > 0x80) {
		off += h[1] & 0x7f;
		ENSURE(off <= 6, CACHET_E_INTERNAL, "X.690 section 8.1.3", "ContentInfo",
		       "the CMS output's length is not usable");
	}
	if (n < off + 2)
		return 0;
	ENSURE(h[off] == 0x06 && h[off + 1] < 0x80, CACHET_E_INTERNAL, "RFC 5652 section 3",
	       "ContentInfo.contentType", "the CMS output has no contentType");
	if (n < off + 2 + h[off + 1])
		return 0;
	CHECK(_cachet_oid_to_str(h + off + 2, h[off + 1], dotted, sizeof(dotted)));
	alg = _cachet_alg_by_oid(dotted);
	for (size_t i = 0; alg && i < sizeof(types) / sizeof(types[0]); i++) {
		if (types[i].ct != alg->id)
			continue;
		/* Section 3.8: certs-only, in a .p7c file. */
		bool co = k->is_certs_only && alg->id == CACHET_ALG_CT_SIGNED;
		const char *file = co ? "smime.p7c" : types[i].file;
		const char *pv[] = {"smime-type", co ? "certs-only" : types[i].smime_type, "name", file};
		const char *dv[] = {"filename", file};
		CHECK(write_ctype(k->out, "Content-Type", "application", "pkcs7-mime", pv, 2, diag));
		CHECK(_cachet_mime_field_write(k->out, "Content-Transfer-Encoding", "base64",
					       CACHET_MIME_EOL_CRLF, diag));
		CHECK(write_ctype(k->out, "Content-Disposition", "attachment", NULL, dv, 1, diag));
		CHECK(_cachet_sink_write(k->out, (const uint8_t *)CRLF, 2));
		CHECK(_cachet_mime_encoder_init(&k->b64, CACHET_MIME_CTE_BASE64, k->out, 0));
		CHECK(_cachet_sink_write(k->b64, k->held, k->nheld));
		return 1;
	}
	FAIL(CACHET_E_UNSUPPORTED, RULE_SMIME_TYPE, "ContentInfo.contentType",
	     "S/MIME defines no application/pkcs7-mime smime-type for %s", _cachet_oid_name(dotted));
cleanup:
	return ret;
}

static int p7_write(void *opaque, const uint8_t *p, size_t n)
{
	p7_t *k = opaque;
	int ret;
	while (k->b64 == NULL && n > 0) {
		size_t take = sizeof(k->held) - k->nheld;
		if (take > n)
			take = n;
		memcpy(k->held + k->nheld, p, take);
		k->nheld += take;
		p += take;
		n -= take;
		CHECK_RET(p7_decide(k));
		if (ret == 0 && k->nheld == sizeof(k->held)) {
			_cachet_diag_push(k->diag, CACHET_E_INTERNAL, "ContentInfo", "RFC 5652 section 3",
					  "no contentType in the first %u octets of the CMS output",
					  SMIME_PEEK);
			return CACHET_E_INTERNAL;
		}
	}
	return n ? _cachet_sink_write(k->b64, p, n) : 0;
}

static int p7_finish(void *opaque)
{
	p7_t *k = opaque;
	if (k->b64 == NULL) {
		_cachet_diag_push(k->diag, CACHET_E_INTERNAL, "ContentInfo", "RFC 5652 section 3",
				  "the CMS output ended before its contentType");
		return CACHET_E_INTERNAL;
	}
	return _cachet_sink_finish(k->b64); /* the last line, then OUT's flush */
}

static void p7_free(void *opaque)
{
	p7_t *k = opaque;
	cachet_sink_deinit(k->b64);
	free(k);
}

static int p7_sink(cachet_sink_t **snk, cachet_sink_t *out, bool certs_only, cachet_diag_t *diag)
{
	p7_t *k = _cachet_calloc(1, sizeof(*k));
	int ret;
	if (k == NULL)
		return CACHET_E_NOMEM;
	k->out = out;
	k->is_certs_only = certs_only;
	k->diag = diag;
	ret = _cachet_sink_init_internal(snk, p7_write, p7_finish, p7_free, k);
	if (ret < 0)
		free(k);
	return ret;
}

/* ---- the three operations ---- */
typedef enum { OP_SIGN, OP_ENCRYPT, OP_COMPRESS } op_t;

static int run_p7(op_t op, void *h, const prep_t *p, cachet_sink_t *out, cachet_diag_t *diag)
{
	cachet_source_t *src = NULL;
	cachet_sink_t *k = NULL;
	int ret;

	CHECK(write_outer(p, out, diag));
	CHECK(_cachet_spill_source(p->entity, &src));
	CHECK(p7_sink(&k, out, false, diag));
	if (op == OP_SIGN)
		CHECK(cachet_sign_run(h, src, k, p->sign_flags, diag));
	else if (op == OP_ENCRYPT)
		CHECK(cachet_encrypt_run(h, src, k, 0, diag));
	else
		CHECK(cachet_compress_run(src, k, NULL, 0, diag));
cleanup:
	cachet_sink_deinit(k);
	cachet_source_deinit(src);
	return ret;
}

/* The micalg value (section 3.5.3.2) from the digestAlgorithms of the
 * detached SignedData SIG: the names, comma-separated (RFC 1847 section
 * 2.1), in the order of the SET.  [rfc8551-3.5.3.2-micalg-commas] */
static int micalg_of(const cachet_datum_t *sig, cbuf_t *out, cachet_diag_t *diag)
{
	static const struct {
		cachet_alg_id_t id;
		const char *name;
	} names[] = {
		{CACHET_ALG_MD5, "md5"},	 {CACHET_ALG_SHA1, "sha-1"},
		{CACHET_ALG_SHA224, "sha-224"}, {CACHET_ALG_SHA256, "sha-256"},
		{CACHET_ALG_SHA384, "sha-384"}, {CACHET_ALG_SHA512, "sha-512"},
	};
	cachet_source_t *src = NULL;
	ber_reader_t r;
	ber_hdr_t hd;
	char dotted[128];
	bool has_unknown = false;
	int ret;

	CHECK(cachet_source_init_mem(&src, sig->data, sig->size));
	_cachet_ber_reader_init(&r, src, diag);
	CHECK(_cachet_ber_content_info(&r, dotted, sizeof(dotted)));
	CHECK(_cachet_ber_expect(&r, &hd, BER_CONTEXT, true, 0, "content"));
	CHECK(_cachet_ber_enter(&r, &hd));
	CHECK(_cachet_ber_expect(&r, &hd, BER_UNIVERSAL, true, BER_TAG_SEQUENCE, "SignedData"));
	CHECK(_cachet_ber_enter(&r, &hd));
	CHECK(_cachet_ber_expect(&r, &hd, BER_UNIVERSAL, false, BER_TAG_INTEGER, "version"));
	CHECK(_cachet_ber_skip(&r, &hd));
	CHECK(_cachet_ber_expect(&r, &hd, BER_UNIVERSAL, true, BER_TAG_SET, "digestAlgorithms"));
	CHECK(_cachet_ber_enter(&r, &hd));
	for (;;) {
		const cachet_alg_t *alg;
		const char *name = "unknown";
		ret = _cachet_ber_next(&r, &hd);
		if (ret == CACHET_E_END)
			break;
		CHECK(ret);
		ENSURE(ber_is(&hd, BER_UNIVERSAL, true, BER_TAG_SEQUENCE), CACHET_E_INTERNAL,
		       "RFC 5652 section 5.1", "SignedData.digestAlgorithms", "not an AlgorithmIdentifier");
		CHECK(_cachet_ber_enter(&r, &hd));
		CHECK(_cachet_ber_expect(&r, &hd, BER_UNIVERSAL, false, BER_TAG_OID, "algorithm"));
		CHECK(_cachet_ber_read_oid(&r, &hd, dotted, sizeof(dotted), "SignedData.digestAlgorithms",
					   "RFC 5652 section 5.1"));
		while ((ret = _cachet_ber_next(&r, &hd)) == 0)
			CHECK(_cachet_ber_skip(&r, &hd));
		ENSURE(ret == CACHET_E_END, ret, NULL, "SignedData.digestAlgorithms", "unreadable");
		CHECK(_cachet_ber_leave(&r));
		alg = _cachet_alg_by_oid(dotted);
		for (size_t i = 0; alg && i < sizeof(names) / sizeof(names[0]); i++)
			if (names[i].id == alg->id)
				name = names[i].name;
		/* The SET holds each algorithm once; "unknown" is named once. */
		if (strcmp(name, "unknown") != 0 || !has_unknown)
			CHECK(_cachet_buf_printf(out, "%s%s", out->size ? "," : "", name));
		has_unknown |= strcmp(name, "unknown") == 0;
	}
	ENSURE(out->size > 0, CACHET_E_INTERNAL, RULE_MICALG, "SignedData.digestAlgorithms",
	       "the signature names no digest algorithm");
	CHECK(_cachet_buf_append(out, "", 1));
	out->size--;
	ret = 0;
cleanup:
	cachet_source_deinit(src);
	return ret;
}

static int run_detached(cachet_sign_t *s, const prep_t *p, cachet_sink_t *out, cachet_diag_t *diag)
{
	cachet_source_t *src = NULL;
	cachet_sink_t *mem = NULL, *b64 = NULL;
	cachet_datum_t sig = {0};
	cbuf_t micalg = {0}, line = {0};
	char boundary[CACHET_MIME_BOUNDARY_BUF];
	int ret;

	/* The signature first: micalg comes from it. */
	CHECK(_cachet_spill_source(p->entity, &src));
	CHECK(cachet_sink_init_mem(&mem));
	CHECK(cachet_sign_run(s, src, mem, CACHET_SIGN_DETACHED | p->sign_flags, diag));
	CHECK(cachet_sink_take_mem(mem, &sig));
	ENSURE(sig.size <= SMIME_MAX_SIGNATURE, CACHET_E_SIZE_LIMIT, NULL, "application/pkcs7-signature",
	       "the detached SignedData has %zu octets, over %u", sig.size, SMIME_MAX_SIGNATURE);
	CHECK(micalg_of(&sig, &micalg, diag));
	cachet_source_deinit(src);
	src = NULL;

	/* RFC 1847 section 2.1, RFC 8551 section 3.5.3.2: protocol and
	 * micalg are required.  [rfc8551-3.5.3.2-protocol] */
	CHECK(_cachet_mime_boundary_new(boundary));
	CHECK(write_outer(p, out, diag));
	{
		const char *pv[] = {"protocol", "application/pkcs7-signature", "micalg",
				    (const char *)micalg.data, "boundary", boundary};
		CHECK(write_ctype(out, "Content-Type", "multipart", "signed", pv, 3, diag));
	}
	/* The preamble, then the first part: the entity exactly as signed
	 * (section 3.5.3.2 step 3).  The CRLF before each delimiter belongs
	 * to it (RFC 2046 section 5.1.1). */
	CHECK(_cachet_buf_printf(&line, "\r\nThis is an S/MIME signed message.\r\n--%s\r\n", boundary));
	CHECK(_cachet_sink_write(out, line.data, line.size));
	CHECK(_cachet_spill_source(p->entity, &src));
	CHECK(pump(src, out));
	line.size = 0;
	CHECK(_cachet_buf_printf(&line, "\r\n--%s\r\n", boundary));
	CHECK(_cachet_sink_write(out, line.data, line.size));
	{
		/* Section 3.5.3.1 and 3.2.1: .p7s. */
		const char *pv[] = {"name", "smime.p7s"};
		const char *dv[] = {"filename", "smime.p7s"};
		CHECK(write_ctype(out, "Content-Type", "application", "pkcs7-signature", pv, 1, diag));
		CHECK(_cachet_mime_field_write(out, "Content-Transfer-Encoding", "base64",
					       CACHET_MIME_EOL_CRLF, diag));
		CHECK(write_ctype(out, "Content-Disposition", "attachment", NULL, dv, 1, diag));
		CHECK(_cachet_sink_write(out, (const uint8_t *)CRLF, 2));
	}
	CHECK(_cachet_mime_encoder_init(&b64, CACHET_MIME_CTE_BASE64, out, 0));
	CHECK(_cachet_sink_write(b64, sig.data, sig.size));
	CHECK(_cachet_sink_finish(b64));
	line.size = 0;
	CHECK(_cachet_buf_printf(&line, "\r\n--%s--\r\n", boundary));
	CHECK(_cachet_sink_write(out, line.data, line.size));
	CHECK(cachet_sink_flush(out));
cleanup:
	cachet_sink_deinit(b64);
	cachet_sink_deinit(mem);
	cachet_source_deinit(src);
	cachet_free(sig.data);
	_cachet_buf_free(&micalg);
	_cachet_buf_free(&line);
	return ret;
}

/* The SecureHeaderFields attribute for the header of P (RFC 7508
 * section 4.5.1 steps 1-4): every instance of each policy field, relaxed,
 * status "modified" when the field goes out obscured (hp="cipher"). */
static int sechdr_attr(const prep_t *p, cbuf_t *attr, cachet_diag_t *diag)
{
	sechdr_t sh = {0};
	cbuf_t body = {0}, cn = {0}, cv = {0};
	int ret = 0;

	sh.canon = CACHET_SECHDR_RELAXED; /* section 4.3: SHOULD */
	sh.fields = _cachet_calloc(p->h.n ? p->h.n : 1, sizeof(*sh.fields));
	if (sh.fields == NULL)
		CHECK(CACHET_E_NOMEM);
	for (size_t k = 0; _cachet_sechdr_policy[k]; k++) {
		for (size_t i = 0; i < p->h.n; i++) {
			const cachet_mime_field_t *f = &p->h.fields[i];
			if (strcasecmp(f->name, _cachet_sechdr_policy[k]) != 0)
				continue;
			body.size = cn.size = cv.size = 0;
			CHECK(_cachet_sechdr_field_body(f, &body));
			CHECK(_cachet_sechdr_canon(sh.canon, f->name, (const char *)body.data, &cn, &cv));
			sechdr_field_t *o = &sh.fields[sh.n++];
			o->name = _cachet_strdup((const char *)cn.data);
			o->value = _cachet_strdup((const char *)cv.data);
			if (o->name == NULL || o->value == NULL)
				CHECK(CACHET_E_NOMEM);
			/* Section 4.4: a confidential field is deleted or
			 * modified; hp="cipher" replaces the Subject. */
			o->status = p->hp == HP_CIPHER && hcp_baseline(f->name) ? CACHET_SECHDR_MODIFIED
										 : CACHET_SECHDR_DUPLICATED;
		}
	}
	ENSURE(sh.n > 0, CACHET_E_INVALID_ARG, "RFC 7508 section 4.5.1", "header",
	       "SecureHeaderFields asked for, but the message has none of the fields to protect");
	CHECK(_cachet_sechdr_encode_attr(&sh, attr, diag));
cleanup:
	_cachet_sechdr_deinit(&sh);
	_cachet_buf_free(&body);
	_cachet_buf_free(&cn);
	_cachet_buf_free(&cv);
	return ret;
}

static int check_args(cachet_source_t *msg, cachet_sink_t *out, unsigned flags, unsigned allowed)
{
	if (msg == NULL || out == NULL || (flags & ~allowed) != 0)
		return CACHET_E_INVALID_ARG;
	return 0;
}

int cachet_smime_sign(cachet_sign_t *s, cachet_source_t *msg, cachet_sink_t *out, unsigned flags,
		      cachet_diag_t *diag)
{
	prep_t p;
	int ret;

	if (s == NULL)
		return CACHET_E_INVALID_ARG;
	CHECK_RET(check_args(msg, out, flags,
			     CACHET_SMIME_OPAQUE | CACHET_SMIME_BINARY | CACHET_SMIME_PROTECT_HEADERS |
				     CACHET_SMIME_HP_CIPHER | CACHET_SMIME_SECURE_HEADERS |
				     CACHET_SMIME_NO_CERTS));
	size_t nattrs = _cachet_sign_attribute_count(s);
	memset(&p, 0, sizeof(p));
	CHECK(prepare(&p, msg, flags,
		      (flags & CACHET_SMIME_HP_CIPHER)		  ? HP_CIPHER
		      : (flags & CACHET_SMIME_PROTECT_HEADERS) ? HP_CLEAR
							   : HP_NONE,
		      diag));
	if (flags & CACHET_SMIME_NO_CERTS)
		p.sign_flags = CACHET_SIGN_NO_CERTS;
	if (flags & CACHET_SMIME_SECURE_HEADERS) {
		cbuf_t attr = {0};
		ret = sechdr_attr(&p, &attr, diag);
		if (ret == 0) {
			cachet_datum_t d = {attr.data, attr.size};
			ret = cachet_sign_add_attribute(s, &d, diag);
		}
		_cachet_buf_free(&attr);
		CHECK(ret);
	}
	if (flags & CACHET_SMIME_OPAQUE)
		CHECK(run_p7(OP_SIGN, s, &p, out, diag));
	else
		CHECK(run_detached(s, &p, out, diag));
cleanup:
	/* The attribute belonged to this message only. */
	_cachet_sign_attribute_truncate(s, nattrs);
	prep_free(&p);
	return ret;
}

int cachet_smime_encrypt(cachet_encrypt_t *e, cachet_source_t *msg, cachet_sink_t *out,
			 unsigned flags, cachet_diag_t *diag)
{
	prep_t p;
	int ret;

	if (e == NULL)
		return CACHET_E_INVALID_ARG;
	CHECK_RET(check_args(msg, out, flags, CACHET_SMIME_BINARY | CACHET_SMIME_PROTECT_HEADERS));
	memset(&p, 0, sizeof(p));
	CHECK(prepare(&p, msg, flags, (flags & CACHET_SMIME_PROTECT_HEADERS) ? HP_CIPHER : HP_NONE,
		      diag));
	CHECK(run_p7(OP_ENCRYPT, e, &p, out, diag));
cleanup:
	prep_free(&p);
	return ret;
}

int cachet_smime_compress(cachet_source_t *msg, cachet_sink_t *out, unsigned flags,
			  cachet_diag_t *diag)
{
	prep_t p;
	int ret;

	CHECK_RET(check_args(msg, out, flags, CACHET_SMIME_BINARY));
	memset(&p, 0, sizeof(p));
	CHECK(prepare(&p, msg, flags, HP_NONE, diag));
	CHECK(run_p7(OP_COMPRESS, NULL, &p, out, diag));
cleanup:
	prep_free(&p);
	return ret;
}

int cachet_smime_certs(const cachet_datum_t *certs, size_t ncerts, const cachet_datum_t *crls,
		       size_t ncrls, cachet_sink_t *out, cachet_diag_t *diag)
{
	cachet_sink_t *k = NULL;
	int ret;

	if (out == NULL)
		return CACHET_E_INVALID_ARG;
	/* RFC 8551 section 3.8: the certs-only SignedData as
	 * application/pkcs7-mime; smime-type=certs-only, in smime.p7c. */
	CHECK(_cachet_mime_field_write(out, "MIME-Version", "1.0", CACHET_MIME_EOL_CRLF, diag));
	CHECK(p7_sink(&k, out, true, diag));
	CHECK(cachet_certs_make(certs, ncerts, crls, ncrls, k, 0, diag));
cleanup:
	cachet_sink_deinit(k);
	return ret;
}
