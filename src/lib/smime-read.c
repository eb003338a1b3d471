/* smime-read.c -- reading S/MIME messages (RFC 8551 section 3): every
 * layer unwrapped from the outside in, each judged, the innermost MIME
 * entity released only when all of them checked out.
 *
 * The shape follows doc/design.md decisions 16-18:
 *  - a layer is read from a source and its output goes to spill storage
 *    (spill.h: memory up to 1 MiB, an unlinked file beyond), which the
 *    next layer reads as its input, so memory stays flat;
 *  - multipart/signed digests the first body part exactly as received
 *    (RFC 1847 section 2.1, RFC 2046 section 5.1.1); repairs of transit
 *    damage are tried only after a failure, on a copy, and only reported;
 *  - the depth is bounded by CACHET_MAX_LAYERS (smime-read.h);
 *  - nothing reaches the caller's sink unless every layer returned 0.
 *
 * The MIME work is done by the internal MIME layer (mime.h); the CMS work
 * by cachet_verify_run, cachet_decrypt_run, cachet_decompress_run and
 * cachet_certs_extract, whose reports and summaries are embedded in this
 * module's report.
 */
#include "smime-read.h"
#include "lint-int.h"

#include "ber.h"
#include "crypto.h"
#include "mime.h"
#include "pki-validate.h"
#include "report.h"
#include "sechdr.h"
#include "spill.h"

#include <stdlib.h>
#include <strings.h>

#define RULE_TYPES "RFC 8551 section 3.2"
#define RULE_MSIGNED "RFC 8551 section 3.5.3"
#define RULE_1847 "RFC 1847 section 2.1"
#define RULE_CANON "RFC 8551 section 3.1.1"
#define RULE_FROM "RFC 8550 section 3"
#define RULE_HP "RFC 9788"
#define RULE_WRAP "RFC 8551 section 3.1"

typedef enum {
	LK_NONE = 0,	 /* not an S/MIME layer: the innermost entity */
	LK_MULTIPART,	 /* multipart/signed */
	LK_PKCS7,	 /* application/pkcs7-mime (kind decided by the CMS type) */
	LK_BAD_DETACHED, /* application/pkcs7-signature on its own */
} layer_class_t;

typedef enum {
	K_MULTIPART_SIGNED = 0,
	K_SIGNED,
	K_ENVELOPED,
	K_AUTHENVELOPED,
	K_COMPRESSED,
	K_CERTS_ONLY,
	K_OTHER,
} layer_kind_t;

static const char *const kind_names[] = {
	"multipart/signed", "signed-data", "enveloped-data", "authEnveloped-data",
	"compressed-data", "certs-only", "unsupported",
};

typedef struct {
	layer_kind_t kind;
	char *ctype;	  /* "type/subtype" as seen */
	char *protocol;	  /* multipart/signed */
	char *micalg;	  /* multipart/signed */
	char *smime_type; /* application/pkcs7-mime */
	char *name;	  /* name= or filename= */
	char *cms_type;	  /* the sniffed CMS content type's name */
	int micalg_match; /* -1 not applicable, 0 mismatch, 1 match */
	int result;
	bool is_done;	  /* the layer's CMS object was judged */
	cbuf_t findings;  /* CACHET_FINDING lines */
	cbuf_t text;	  /* the embedded report or summary */
	cbuf_t json;
	cbuf_t emails;	  /* signer addresses, one per line (signed layers) */
	size_t nsigners;
	sechdr_t sh;	  /* a SecureHeaderFields attribute (RFC 7508), sh.n > 0 */
	cachet_report_t *rep;	/* a signed layer's report (_cachet_smime_layer_report) */
	cachet_certs_t *certs;	/* a certs-only layer's certificates */
	int sh_verdict;	  /* its comparison with the message header */
	/* Kept for cachet lint (lint-int.h) when the handle asks for it: */
	char *cipher_oid;	 /* an encrypted layer's algorithm */
	lint_enc_kind_t enc_kind;
	uint64_t signed_8bit;	 /* multipart/signed: 8-bit octets in the signed part */
	char *sig_name;		 /* multipart/signed: the signature part's file name */
	bool has_sig_part;	 /* multipart/signed: the signature part's header was read */
	bool has_content_scan;	 /* signed-data: content_8bit and content_cte are set */
	uint64_t content_8bit;	 /* signed-data: 8-bit octets in the encapsulated entity */
	char *content_cte;	 /* signed-data: its Content-Transfer-Encoding, NULL: none */
	bool is_bare;		 /* a CMS object read without a MIME header */
} layer_t;

/* A protected header field and how the outer header shows it. */
typedef enum {
	HPF_SAME = 0, /* the same outside */
	HPF_OBSCURED, /* hp="cipher": outside as HP-Outer records it */
	HPF_REMOVED,  /* hp="cipher": left out outside, as HP-Outer records */
	HPF_ALTERED,  /* outside differs from what was sent */
	HPF_ABSENT,   /* not outside, and nothing says it was left out */
} hpf_state_t;

static const char *const hpf_names[] = {"same", "obscured", "removed", "altered", "absent"};

typedef struct {
	char *name, *value;
	char *outer; /* the outer value, NULL when absent */
	hpf_state_t state;
} hp_field_t;

/* Header protection found on the innermost entity (RFC 9788, the
 * protected-headers="v1" draft it grew from, or the message/rfc822
 * wrapping of RFC 8551 section 3.1). */
typedef struct {
	char *scheme;	  /* NULL: none */
	char *hp;	  /* the hp parameter, or the draft's "v1" */
	hp_field_t *fields;
	size_t n;
	bool has_legacy_display;
	cbuf_t findings;
} hp_t;

struct cachet_smime_st {
	cachet_verify_t *v;  /* borrowed */
	cachet_decrypt_t *d; /* borrowed */
	layer_t layers[CACHET_MAX_LAYERS];
	size_t nlayers;
	char *from;	   /* addr-spec of the outer From */
	char *sender;	   /* addr-spec of the outer Sender */
	char *inner_ctype; /* the innermost entity's Content-Type */
	char *pfrom;	   /* addr-spec of the protected From (header protection) */
	cachet_mime_header_t outer; /* the message's own header block */
	hp_t hp;
	cbuf_t findings;   /* message-level findings */
	int result;
	bool has_run;
	bool is_keeping;   /* keep reports for cachet lint (lint-int.h) */
	bool is_bare_cms;  /* the input is a CMS object, not MIME (lint-int.h) */
};

/* ---- small helpers ---- */

static void layer_clear(layer_t *L)
{
	free(L->ctype);
	free(L->protocol);
	free(L->micalg);
	free(L->smime_type);
	free(L->name);
	free(L->cms_type);
	_cachet_buf_free(&L->findings);
	_cachet_buf_free(&L->text);
	_cachet_buf_free(&L->json);
	_cachet_buf_free(&L->emails);
	_cachet_sechdr_deinit(&L->sh);
	cachet_report_deinit(L->rep);
	cachet_certs_deinit(L->certs);
	free(L->cipher_oid);
	free(L->sig_name);
	free(L->content_cte);
	memset(L, 0, sizeof(*L));
}

static void smime_reset(cachet_smime_t *sm)
{
	for (size_t i = 0; i < sm->nlayers; i++)
		layer_clear(&sm->layers[i]);
	sm->nlayers = 0;
	free(sm->from);
	free(sm->sender);
	free(sm->inner_ctype);
	free(sm->pfrom);
	sm->from = sm->sender = sm->inner_ctype = sm->pfrom = NULL;
	_cachet_mime_header_deinit(&sm->outer);
	memset(&sm->outer, 0, sizeof(sm->outer));
	for (size_t i = 0; i < sm->hp.n; i++) {
		free(sm->hp.fields[i].name);
		free(sm->hp.fields[i].value);
		free(sm->hp.fields[i].outer);
	}
	free(sm->hp.fields);
	free(sm->hp.scheme);
	free(sm->hp.hp);
	_cachet_buf_free(&sm->hp.findings);
	memset(&sm->hp, 0, sizeof(sm->hp));
	_cachet_buf_free(&sm->findings);
	sm->result = 0;
	sm->has_run = false;
}

static int dup_opt(char **dst, const char *s)
{
	if (s == NULL)
		return 0;
	*dst = _cachet_strdup(s);
	return *dst ? 0 : CACHET_E_NOMEM;
}

/* The file name into *DST (left NULL when there is none): Content-Type
 * name=, else Content-Disposition filename= (RFC 8551 section 3.2.1). */
static int find_name(const cachet_mime_header_t *h, const cachet_mime_ctype_t *ct, char **dst)
{
	const char *n = _cachet_mime_ctype_param(ct, "name");
	int ret = 0;
	if (n)
		return dup_opt(dst, n);
	const cachet_mime_field_t *f = _cachet_mime_header_get(h, "Content-Disposition", 0);
	if (f) {
		cachet_mime_ctype_t cd = {0};
		if (_cachet_mime_disposition_parse(&cd, f->value, NULL) == 0)
			ret = dup_opt(dst, _cachet_mime_ctype_param(&cd, "filename"));
		_cachet_mime_ctype_deinit(&cd);
	}
	return ret;
}

/* What diagnostics call layer L: its media type as seen, or "CMS input"
 * for a CMS object read without a MIME header (_cachet_smime_set_bare). */
static const char *layer_where(const layer_t *L)
{
	if (L->is_bare)
		return "CMS input";
	return L->ctype ? L->ctype : "application/pkcs7-mime";
}

/* Copy everything SRC yields into SNK, feeding SC (may be NULL). */
static int copy_all(cachet_source_t *src, cachet_sink_t *snk, cachet_mime_scan_t *sc)
{
	uint8_t buf[16384];
	for (;;) {
		long n = _cachet_source_read(src, buf, sizeof(buf));
		if (n < 0)
			return (int)n;
		if (n == 0)
			return 0;
		if (sc)
			_cachet_mime_scan_update(sc, buf, (size_t)n);
		int ret = _cachet_sink_write(snk, buf, (size_t)n);
		if (ret < 0)
			return ret;
	}
}

/* SRC (read to its end) into a new spill *OUT, through the wrapper sink
 * made by WRAP (NULL: none). */
static int to_spill(cachet_source_t *src, spill_t **out, cachet_mime_scan_t *sc)
{
	cachet_sink_t *snk = NULL;
	spill_t *sp = NULL;
	int ret;

	CHECK(_cachet_spill_init(&sp, CACHET_SPILL_MEM));
	CHECK(_cachet_spill_sink(sp, &snk));
	CHECK(copy_all(src, snk, sc));
	CHECK(_cachet_sink_finish(snk));
	*out = sp;
	sp = NULL;
cleanup:
	cachet_sink_deinit(snk);
	_cachet_spill_free(sp);
	return ret;
}

/* The addr-spec in a From/Sender value: inside the last <...>, else the
 * whole trimmed value when it holds an '@'.  NULL when there is none. */
static char *addr_spec(const char *value)
{
	const char *lt = strrchr(value, '<'), *b, *e;
	if (lt) {
		b = lt + 1;
		e = strchr(b, '>');
		if (e == NULL)
			return NULL;
	} else {
		b = value;
		while (*b == ' ' || *b == '\t')
			b++;
		e = b + strlen(b);
		const char *comma = strchr(b, ',');
		if (comma)
			e = comma;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
	}
	if (e <= b || memchr(b, '@', (size_t)(e - b)) == NULL)
		return NULL;
	char *s = _cachet_malloc((size_t)(e - b) + 1);
	if (s) {
		memcpy(s, b, (size_t)(e - b));
		s[e - b] = '\0';
	}
	return s;
}

/* Append the e-mail addresses in a signer description (pki.c
 * _cachet_crt_describe: "DN <rfc822Name>", the DN possibly carrying
 * EMAIL=...) to OUT, one per line.  RFC 8550 section 3 names both
 * places: subjectAltName rfc822Name, and emailAddress in the subject. */
static int identity_emails(const char *id, cbuf_t *out)
{
	int ret = 0;
	const char *lt = strrchr(id, '<');
	if (lt) {
		const char *gt = strchr(lt, '>');
		if (gt && gt > lt + 1)
			CHECK_RET(_cachet_buf_printf(out, "%.*s\n", (int)(gt - lt - 1), lt + 1));
	}
	for (const char *p = id; (p = strstr(p, "EMAIL=")) != NULL;) {
		p += 6;
		size_t n = strcspn(p, ",+ <");
		if (n)
			CHECK_RET(_cachet_buf_printf(out, "%.*s\n", (int)n, p));
		p += n;
	}
	return ret;
}

/* Is ADDR one of the addresses in LIST (one per line)?  The comparison
 * is certificate-email's (_cachet_addr_is_same: the local part exactly,
 * the domain without regard to case, A-labels and U-labels alike, RFC
 * 8398 section 5), except that a match that differs only in the ASCII
 * case of the local part also counts and sets *CASE_ONLY (most mail
 * systems ignore that case; the report says so). */
static bool has_email_ci(const cbuf_t *list, const char *addr, bool *case_only)
{
	bool loose = false;
	if (case_only)
		*case_only = false;
	for (size_t i = 0; i < list->size;) {
		const char *line = (const char *)list->data + i;
		const char *nl = memchr(line, '\n', list->size - i);
		size_t len = nl ? (size_t)(nl - line) : list->size - i;
		char one[1024];
		if (len < sizeof(one)) {
			memcpy(one, line, len);
			one[len] = '\0';
			if (_cachet_addr_is_same(addr, one))
				return true;
			loose |= strcasecmp(addr, one) == 0;
		}
		i += len + 1;
	}
	if (case_only)
		*case_only = loose;
	return loose;
}

static bool has_email(const cbuf_t *list, const char *addr)
{
	return has_email_ci(list, addr, NULL);
}

/* "sha-256" (RFC 8551 section 3.5.3.2) against the registry's "sha256". */
static bool micalg_names(const char *micalg, const char *digest)
{
	char want[32];
	size_t k = 0;
	for (const char *p = digest; *p && k + 1 < sizeof(want); p++)
		if (*p != '-')
			want[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	want[k] = '\0';
	/* micalg may list several values, comma-separated. */
	const char *p = micalg;
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		char got[32];
		size_t g = 0;
		for (; *p && *p != ','; p++)
			if (*p != '-' && *p != ' ' && g + 1 < sizeof(got))
				got[g++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		got[g] = '\0';
		if (g && strcmp(got, want) == 0)
			return true;
	}
	return false;
}

/* The contentType of the ContentInfo in SP. */
static int sniff_type(spill_t *sp, char *oid, size_t n, cachet_diag_t *diag)
{
	cachet_source_t *src = NULL;
	ber_reader_t r;
	int ret;

	CHECK(_cachet_spill_source(sp, &src));
	_cachet_ber_reader_init(&r, src, diag);
	r.path = "ContentInfo";
	CHECK(_cachet_ber_content_info(&r, oid, n));
cleanup:
	cachet_source_deinit(src);
	return ret;
}

/* Keep a verify report in the layer: rendering, signer addresses and
 * digests. */
static int keep_report(layer_t *L, const cachet_report_t *rep)
{
	cachet_datum_t t = {0}, j = {0};
	int ret = 0;

	if (rep == NULL)
		return 0;
	CHECK(cachet_report_text(rep, &t));
	CHECK(_cachet_buf_append(&L->text, t.data, t.size));
	CHECK(cachet_report_json(rep, &j));
	while (j.size && (j.data[j.size - 1] == '\n' || j.data[j.size - 1] == ' '))
		j.size--;
	CHECK(_cachet_buf_append(&L->json, j.data, j.size));
	L->nsigners = rep->nsigners;
	/* RFC 7508 section 4.5.1: the same in every SignerInfo (the verifier
	 * checks that); the first one is compared with the header. */
	for (size_t i = 0; i < rep->nsigners && L->sh.n == 0; i++) {
		const sechdr_t *sh = _cachet_report_sechdr(rep, i);
		if (sh && sh->n)
			CHECK(_cachet_sechdr_copy(&L->sh, sh));
	}
	for (size_t i = 0; i < rep->nsigners; i++) {
		const report_signer_t *rs = &rep->signers[i];
		if (rs->emails)
			CHECK(_cachet_buf_append(&L->emails, rs->emails, strlen(rs->emails)));
		else if (rs->identity)
			CHECK(identity_emails(rs->identity, &L->emails));
	}
cleanup:
	cachet_free(t.data);
	cachet_free(j.data);
	return ret;
}

/* Can the next layer still be read after this result?  A verification
 * verdict leaves the content whole (it was parsed to its end); anything
 * else may have stopped half-way. */
static bool can_go_on(int code)
{
	cachet_category_t c = cachet_error_category(code);
	return code == 0 || c == CACHET_CAT_VERIFY_FAILED || c == CACHET_CAT_POLICY;
}

/* ---- repairs of transit damage, on a copy (doc/design.md decision 17) ---- */

/* A sink that drops SP and HTAB at the end of every line. */
typedef struct {
	cachet_sink_t *inner;
	uint8_t ws[CACHET_MIME_LINE_MAX];
	size_t nws;
} wsstrip_t;

static int wsstrip_write(void *opaque, const uint8_t *p, size_t n)
{
	wsstrip_t *w = opaque;
	int ret = 0;
	for (size_t i = 0; i < n && ret == 0; i++) {
		uint8_t c = p[i];
		if (c == ' ' || c == '\t') {
			if (w->nws == sizeof(w->ws)) {
				ret = _cachet_sink_write(w->inner, w->ws, w->nws);
				w->nws = 0;
			}
			w->ws[w->nws++] = c;
			continue;
		}
		if (c != '\r' && c != '\n' && w->nws)
			ret = _cachet_sink_write(w->inner, w->ws, w->nws);
		w->nws = 0;
		if (ret == 0)
			ret = _cachet_sink_write(w->inner, &c, 1);
	}
	return ret;
}

static int wsstrip_finish(void *opaque)
{
	wsstrip_t *w = opaque;
	w->nws = 0; /* whitespace at the very end is trailing too */
	return 0;
}

/* A relay that cannot pass 8-bit data re-encodes an 8bit part to
 * quoted-printable (RFC 6152 section 3 downgrades; sendmail adds an
 * X-MIME-Autoconverted field).  Write PART with that undone to SNK: the
 * Content-Transfer-Encoding field says 8bit, X-MIME-Autoconverted is
 * gone, the body is decoded.  *APPLIES is false (nothing written) when
 * the part is not quoted-printable. */
static int write_qp_undone(spill_t *part, cachet_sink_t *snk, bool *applies)
{
	static const char *const skip[] = {"Content-Transfer-Encoding", "X-MIME-Autoconverted", NULL};
	cachet_mime_header_t h = {0};
	cachet_source_t *src = NULL, *dec = NULL;
	const cachet_mime_field_t *f;
	int ret;

	*applies = false;
	CHECK(_cachet_spill_source(part, &src));
	CHECK(_cachet_mime_header_read(&h, src, NULL));
	f = _cachet_mime_header_get(&h, "Content-Transfer-Encoding", 0);
	if (f == NULL || strcasecmp(f->value, "quoted-printable") != 0) {
		ret = 0;
		goto cleanup;
	}
	*applies = true;
	CHECK(_cachet_mime_header_write_raw(&h, snk, skip, false));
	CHECK(_cachet_mime_field_write(snk, "Content-Transfer-Encoding", "8bit",
				       h.eol == CACHET_MIME_EOL_LF ? CACHET_MIME_EOL_LF : CACHET_MIME_EOL_CRLF, NULL));
	CHECK(_cachet_sink_write(snk, h.sep, h.sep_len));
	CHECK(_cachet_mime_decoder_init(&dec, CACHET_MIME_CTE_QP, src, NULL));
	CHECK(copy_all(dec, snk, NULL));
cleanup:
	cachet_source_deinit(dec);
	cachet_source_deinit(src);
	_cachet_mime_header_deinit(&h);
	return ret;
}

/* Run the verifier again over a repaired copy of the signed part:
 * LF_CRLF turns bare LF into CRLF, STRIP_WS removes trailing whitespace,
 * QP_UNDO undoes a relay's quoted-printable (write_qp_undone).  Returns
 * the verification result (or a processing error); CACHET_E_END when
 * QP_UNDO does not apply. */
static int try_repair(cachet_verify_t *v, spill_t *sig, spill_t *part, bool lf_crlf,
		      bool strip_ws, bool qp_undo)
{
	spill_t *fixed = NULL;
	cachet_sink_t *base = NULL, *canon = NULL, *strip = NULL, *top;
	cachet_source_t *src = NULL, *sigsrc = NULL, *det = NULL;
	cachet_report_t *rep = NULL;
	wsstrip_t *w = NULL;
	int ret;

	CHECK(_cachet_spill_init(&fixed, CACHET_SPILL_MEM));
	CHECK(_cachet_spill_sink(fixed, &base));
	top = base;
	if (lf_crlf) {
		CHECK(_cachet_mime_canon_init(&canon, top));
		top = canon;
	}
	if (strip_ws) {
		w = _cachet_calloc(1, sizeof(*w));
		if (w == NULL)
			CHECK(CACHET_E_NOMEM);
		w->inner = top;
		CHECK(_cachet_sink_init_internal(&strip, wsstrip_write, wsstrip_finish, free, w));
		w = NULL; /* owned by the sink now */
		top = strip;
	}
	if (qp_undo) {
		bool applies;
		CHECK(write_qp_undone(part, top, &applies));
		if (!applies) {
			ret = CACHET_E_END;
			goto cleanup;
		}
	} else {
		CHECK(_cachet_spill_source(part, &src));
		CHECK(copy_all(src, top, NULL));
	}
	if (strip)
		CHECK(_cachet_sink_finish(strip));
	if (canon)
		CHECK(_cachet_sink_finish(canon));
	CHECK(_cachet_sink_finish(base));
	CHECK(_cachet_spill_source(sig, &sigsrc));
	CHECK(_cachet_spill_source(fixed, &det));
	ret = cachet_verify_run(v, sigsrc, det, NULL, &rep, NULL);
cleanup:
	free(w);
	cachet_report_deinit(rep);
	cachet_source_deinit(src);
	cachet_source_deinit(sigsrc);
	cachet_source_deinit(det);
	cachet_sink_deinit(strip);
	cachet_sink_deinit(canon);
	cachet_sink_deinit(base);
	_cachet_spill_free(fixed);
	return ret;
}

/* After a failed multipart/signed verification: say what in the signed
 * octets could explain it, and which usual repair would have matched.
 * The repaired forms are never passed on. */
static int explain_damage(cachet_smime_t *sm, layer_t *L, cachet_mime_scan_t *sc, spill_t *sig,
			  spill_t *part, cachet_diag_t *diag)
{
	cbuf_t why = {0};
	int ret = 0;

	CHECK(_cachet_mime_scan_explain(sc, &why));
	for (size_t i = 0; i < why.size;) {
		const char *line = (const char *)why.data + i;
		const char *nl = memchr(line, '\n', why.size - i);
		size_t len = nl ? (size_t)(nl - line) : why.size - i;
		if (len)
			CHECK(CACHET_FINDING(&L->findings, "canonicalisation: %.*s", (int)len, line));
		i += len + 1;
	}
	static const struct {
		bool lf, ws, qp;
		const char *what;
	} forms[] = {
		{true, false, false, "with bare LF made CRLF"},
		{false, true, false, "with trailing whitespace removed"},
		{true, true, false, "with bare LF made CRLF and trailing whitespace removed"},
		{false, false, true, "with its quoted-printable decoded back to 8bit (a relay's re-encoding undone)"},
	};
	bool any = false;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		if ((forms[i].lf && sc->bare_lf == 0 && sc->bare_cr == 0) ||
		    (forms[i].ws && sc->ws_lines == 0))
			continue;
		int r = try_repair(sm->v, sig, part, forms[i].lf, forms[i].ws, forms[i].qp);
		if (r == CACHET_E_END)
			continue; /* not quoted-printable: nothing to undo */
		/* The repaired form matches when the digest and signature
		 * checks pass; the verdict may still fail for other reasons
		 * (the certificate path), which is said too. */
		bool matched = r == 0 || (r != CACHET_E_DIGEST_MISMATCH && r != CACHET_E_BAD_SIGNATURE &&
					  (cachet_error_category(r) == CACHET_CAT_VERIFY_FAILED ||
					   cachet_error_category(r) == CACHET_CAT_POLICY));
		if (matched) {
			any = true;
			CHECK(CACHET_FINDING(&L->findings,
					     "repair: the signed part %s matches the signature (verdict "
					     "then: %s); it was not accepted in that form (%s)",
					     forms[i].what, r ? cachet_strerror_name(r) : "OK", RULE_CANON));
			_cachet_diag_push(diag, L->result, "multipart/signed.part[0]", RULE_CANON,
					  "the signed part %s would match the signature", forms[i].what);
		} else {
			CHECK(CACHET_FINDING(&L->findings, "repair: %s: still %s", forms[i].what,
					     cachet_strerror_name(r)));
		}
	}
	if (!any)
		CHECK(CACHET_FINDING(&L->findings, "repair: no usual repair of the signed part "
						   "makes the signature verify"));
cleanup:
	_cachet_buf_free(&why);
	return ret;
}

/* ---- multipart/signed (RFC 1847 section 2.1, RFC 8551 section 3.5.3) ---- */

static bool is_sig_type(const cachet_mime_ctype_t *ct)
{
	/* RFC 8551 section 3.2: application/pkcs7-signature, and the older
	 * x-pkcs7-signature that senders still use. */
	return _cachet_mime_ctype_is(ct, "application", "pkcs7-signature") ||
	       _cachet_mime_ctype_is(ct, "application", "x-pkcs7-signature");
}

static bool is_sig_name(const char *s)
{
	return strcasecmp(s, "application/pkcs7-signature") == 0 ||
	       strcasecmp(s, "application/x-pkcs7-signature") == 0;
}

static int open_multipart_signed(cachet_smime_t *sm, layer_t *L, cachet_source_t *body,
				 const cachet_mime_ctype_t *ct, spill_t **next,
				 cachet_diag_t *diag)
{
	cachet_mime_split_t *sp = NULL;
	cachet_source_t *part = NULL, *dec = NULL, *sigsrc = NULL, *det = NULL;
	cachet_mime_header_t ph = {0};
	cachet_mime_ctype_t pct = {0};
	cachet_mime_scan_t sc;
	cachet_mime_cte_t cte;
	cachet_report_t *rep = NULL;
	spill_t *signed_part = NULL, *sig = NULL;
	const char *boundary = _cachet_mime_ctype_param(ct, "boundary");
	int ret = 0;

	L->kind = K_MULTIPART_SIGNED;
	ENSURE(boundary != NULL, CACHET_E_MALFORMED, "RFC 2046 section 5.1.1", "multipart/signed",
	       "the boundary parameter is missing");
	/* RFC 1847 section 2.1: the protocol parameter is required, and RFC
	 * 8551 section 3.5.3 says it is application/pkcs7-signature. */
	ENSURE(L->protocol != NULL, CACHET_E_MALFORMED, RULE_1847, "multipart/signed",
	       "the protocol parameter is missing");
	ENSURE(is_sig_name(L->protocol), CACHET_E_UNSUPPORTED_CONTENT, RULE_MSIGNED,
	       "multipart/signed", "protocol \"%s\" is not application/pkcs7-signature",
	       L->protocol);
	if (L->micalg == NULL)
		CHECK(CACHET_FINDING(&L->findings, "the micalg parameter is missing (%s, %s)",
				     RULE_1847, "RFC 8551 section 3.5.3.2"));

	CHECK(_cachet_mime_split_init(&sp, body, boundary, 0, diag));
	ret = _cachet_mime_split_next(sp, &part);
	if (ret == CACHET_E_END)
		FAIL(CACHET_E_MALFORMED, RULE_1847, "multipart/signed", "the multipart has no body part");
	CHECK(ret);
	/* The first part exactly as received: no line ending or whitespace
	 * is touched (RFC 1847 section 2.1; doc/design.md decision 17). */
	_cachet_mime_scan_init(&sc);
	CHECK(to_spill(part, &signed_part, &sc));
	_cachet_mime_scan_final(&sc);

	ret = _cachet_mime_split_next(sp, &part);
	if (ret == CACHET_E_END)
		FAIL(CACHET_E_MALFORMED, RULE_1847, "multipart/signed",
		     "the second body part (the signature) is missing");
	CHECK(ret);
	CHECK(_cachet_mime_header_read(&ph, part, diag));
	const cachet_mime_field_t *f = _cachet_mime_header_get(&ph, "Content-Type", 0);
	ENSURE(f != NULL, CACHET_E_MALFORMED, RULE_1847, "multipart/signed.part[1]",
	       "the signature part has no Content-Type");
	CHECK(_cachet_mime_ctype_parse(&pct, f->value, diag));
	ENSURE(is_sig_type(&pct), CACHET_E_UNSUPPORTED_CONTENT, RULE_MSIGNED,
	       "multipart/signed.part[1]", "the signature part is %s/%s, not application/pkcs7-signature",
	       pct.type, pct.subtype);
	/* Its file name, smime.p7s by RFC 8551 section 3.2.1 (cachet lint). */
	L->has_sig_part = true;
	CHECK(find_name(&ph, &pct, &L->sig_name));
	/* RFC 1847 section 2.1: protocol MUST match the second part's type. */
	char seen[128];
	snprintf(seen, sizeof(seen), "%s/%s", pct.type, pct.subtype);
	if (strcasecmp(seen, L->protocol) != 0)
		CHECK(CACHET_FINDING(&L->findings, "protocol \"%s\" differs from the signature part's "
						   "type %s (%s)", L->protocol, seen, RULE_1847));
	f = _cachet_mime_header_get(&ph, "Content-Transfer-Encoding", 0);
	CHECK(_cachet_mime_cte_parse(f ? f->value : NULL, &cte, diag));
	CHECK(_cachet_mime_decoder_init(&dec, cte, part, diag));
	CHECK(to_spill(dec, &sig, NULL));
	cachet_source_deinit(dec);
	dec = NULL;

	ret = _cachet_mime_split_next(sp, &part);
	if (ret != CACHET_E_END) {
		CHECK(ret);
		FAIL(CACHET_E_MALFORMED, RULE_1847, "multipart/signed",
		     "more than two body parts: multipart/signed has exactly two");
	}
	ret = 0;

	ENSURE(sm->v != NULL, CACHET_E_INVALID_ARG, RULE_MSIGNED, "multipart/signed",
	       "a signed layer and no verifier (cachet_smime_set_verify)");
	CHECK(_cachet_spill_source(sig, &sigsrc));
	CHECK(_cachet_spill_source(signed_part, &det));
	L->result = cachet_verify_run(sm->v, sigsrc, det, NULL, &rep, diag);
	if (L->result == CACHET_E_INVALID_ARG) {
		/* cachet_verify_run refuses detached content for a SignedData
		 * that encapsulates its own: RFC 8551 section 3.5.3 wants the
		 * signature part detached. */
		L->result = CACHET_E_MALFORMED;
		_cachet_diag_push(diag, L->result, "multipart/signed.part[1]", RULE_MSIGNED,
				  "the signature part carries encapsulated content; in multipart/signed "
				  "it must be a detached signature");
		CHECK(CACHET_FINDING(&L->findings, "the signature part is not a detached signature: "
						   "it carries eContent (%s)", RULE_MSIGNED));
	}
	L->is_done = true;
	L->signed_8bit = sc.high + sc.nul;
	CHECK(keep_report(L, rep));
	/* micalg against the signers' digest algorithms (RFC 8551 section
	 * 3.5.3.2).  The signature decides; a mismatch is a finding. */
	if (L->micalg && rep && rep->nsigners) {
		L->micalg_match = 1;
		for (size_t i = 0; i < rep->nsigners; i++) {
			const char *dg = rep->signers[i].digest;
			if (dg && !micalg_names(L->micalg, dg)) {
				L->micalg_match = 0;
				CHECK(CACHET_FINDING(&L->findings,
						     "micalg \"%s\" does not name signer %zu's digest %s "
						     "(RFC 8551 section 3.5.3.2)", L->micalg, i, dg));
			}
		}
	}
	if (L->result == CACHET_E_DIGEST_MISMATCH || L->result == CACHET_E_BAD_SIGNATURE)
		CHECK(explain_damage(sm, L, &sc, sig, signed_part, diag));
	if (can_go_on(L->result)) {
		*next = signed_part;
		signed_part = NULL;
	}
	L->rep = rep;
	rep = NULL;
	ret = L->result;
cleanup:
	cachet_report_deinit(rep);
	cachet_source_deinit(dec);
	cachet_source_deinit(sigsrc);
	cachet_source_deinit(det);
	_cachet_mime_ctype_deinit(&pct);
	_cachet_mime_header_deinit(&ph);
	_cachet_mime_split_deinit(sp);
	_cachet_spill_free(signed_part);
	_cachet_spill_free(sig);
	return ret;
}

/* ---- application/pkcs7-mime (RFC 8551 sections 3.2, 3.3-3.6, 3.8) ---- */

static const struct {
	const char *name;
	layer_kind_t kind;
} smime_types[] = {
	{"signed-data", K_SIGNED},
	{"enveloped-data", K_ENVELOPED},
	{"authenveloped-data", K_AUTHENVELOPED},
	{"compressed-data", K_COMPRESSED},
	{"certs-only", K_CERTS_ONLY},
};

/* For cachet lint: how many octets of the MIME entity a signed-data
 * layer encapsulates are not 7-bit (over 127, or NUL), and the
 * Content-Transfer-Encoding its header declares (RFC 8551 section
 * 3.1.2).  CONTENT is complete. */
static int scan_content(layer_t *L, spill_t *content)
{
	cachet_source_t *src = NULL;
	cachet_mime_header_t h = {0};
	cachet_mime_scan_t sc;
	cachet_mime_cte_t cte;
	uint8_t buf[16384];
	long n;
	int ret;

	_cachet_mime_scan_init(&sc);
	CHECK(_cachet_spill_source(content, &src));
	while ((n = _cachet_source_read(src, buf, sizeof(buf))) > 0)
		_cachet_mime_scan_update(&sc, buf, (size_t)n);
	CHECK((int)n);
	_cachet_mime_scan_final(&sc);
	L->content_8bit = sc.high + sc.nul;
	cachet_source_deinit(src);
	src = NULL;
	/* Not a MIME entity: the layer loop says so, and section 3.1.2
	 * has nothing to say about it. */
	CHECK(_cachet_spill_source(content, &src));
	if (_cachet_mime_header_read(&h, src, NULL) == 0) {
		const cachet_mime_field_t *f = _cachet_mime_header_get(&h, "Content-Transfer-Encoding", 0);
		if (f && _cachet_mime_cte_parse(f->value, &cte, NULL) == 0)
			CHECK(dup_opt(&L->content_cte, _cachet_mime_cte_name(cte)));
		else if (f)
			CHECK(dup_opt(&L->content_cte, f->value));
		L->has_content_scan = true;
	}
	ret = 0;
cleanup:
	_cachet_mime_header_deinit(&h);
	cachet_source_deinit(src);
	return ret;
}

static int run_signed(cachet_smime_t *sm, layer_t *L, spill_t *der, spill_t **next,
		      cachet_diag_t *diag)
{
	cachet_source_t *in = NULL;
	cachet_sink_t *snk = NULL;
	cachet_report_t *rep = NULL;
	spill_t *content = NULL;
	int ret;

	ENSURE(sm->v != NULL, CACHET_E_INVALID_ARG, "RFC 8551 section 3.5.2", layer_where(L),
	       "a signed layer and no verifier (cachet_smime_set_verify)");
	CHECK(_cachet_spill_init(&content, CACHET_SPILL_MEM));
	CHECK(_cachet_spill_sink(content, &snk));
	CHECK(_cachet_spill_source(der, &in));
	L->result = cachet_verify_run(sm->v, in, NULL, snk, &rep, diag);
	L->is_done = true;
	CHECK(keep_report(L, rep));
	L->rep = rep;
	rep = NULL;
	if (L->result == CACHET_E_NO_CONTENT)
		CHECK(CACHET_FINDING(&L->findings, "signed-data without encapsulated content: a detached "
						   "signature belongs in multipart/signed (%s)", RULE_MSIGNED));
	if (can_go_on(L->result) && L->result != CACHET_E_NOT_SIGNED) {
		CHECK(_cachet_sink_finish(snk));
		if (sm->is_keeping)
			CHECK(scan_content(L, content));
		*next = content;
		content = NULL;
	}
	ret = L->result;
cleanup:
	cachet_report_deinit(rep);
	cachet_source_deinit(in);
	cachet_sink_deinit(snk);
	_cachet_spill_free(content);
	return ret;
}

/* A layer that turns one CMS object into content: decryption or
 * decompression through handle H.  RUN and SUMMARY adapt the two APIs. */
typedef int (*layer_run_fn)(void *h, cachet_source_t *in, cachet_sink_t *out, cachet_diag_t *diag);
typedef int (*layer_sum_fn)(const void *h, unsigned flags, cachet_datum_t *out);

static int dec_run(void *h, cachet_source_t *in, cachet_sink_t *out, cachet_diag_t *diag)
{
	return cachet_decrypt_run(h, in, out, diag);
}

static int dec_sum(const void *h, unsigned flags, cachet_datum_t *out)
{
	return cachet_decrypt_summary(h, flags, out);
}

static int dz_run(void *h, cachet_source_t *in, cachet_sink_t *out, cachet_diag_t *diag)
{
	return cachet_decompress_run(h, in, out, diag);
}

static int dz_sum(const void *h, unsigned flags, cachet_datum_t *out)
{
	return cachet_decompress_summary(h, flags, out);
}

static int run_content_layer(layer_t *L, spill_t *der, spill_t **next, void *h, layer_run_fn run,
			     layer_sum_fn sum, cachet_diag_t *diag)
{
	cachet_source_t *in = NULL;
	cachet_sink_t *snk = NULL;
	cachet_datum_t t = {0}, j = {0};
	spill_t *content = NULL;
	int ret;

	CHECK(_cachet_spill_init(&content, CACHET_SPILL_MEM));
	CHECK(_cachet_spill_sink(content, &snk));
	CHECK(_cachet_spill_source(der, &in));
	L->result = run(h, in, snk, diag);
	L->is_done = true;
	if (sum(h, 0, &t) == 0)
		CHECK(_cachet_buf_append(&L->text, t.data, t.size));
	if (sum(h, CACHET_INSPECT_JSON, &j) == 0) {
		while (j.size && (j.data[j.size - 1] == '\n' || j.data[j.size - 1] == ' '))
			j.size--;
		CHECK(_cachet_buf_append(&L->json, j.data, j.size));
	}
	if (L->result == 0) {
		CHECK(_cachet_sink_finish(snk));
		*next = content;
		content = NULL;
	}
	ret = L->result;
cleanup:
	cachet_free(t.data);
	cachet_free(j.data);
	cachet_source_deinit(in);
	cachet_sink_deinit(snk);
	_cachet_spill_free(content); /* wipes the memory part */
	return ret;
}

static int run_decrypt(cachet_smime_t *sm, layer_t *L, spill_t *der, spill_t **next,
		       cachet_diag_t *diag)
{
	int ret;
	ENSURE(sm->d != NULL, CACHET_E_INVALID_ARG, "RFC 8551 section 3.3", layer_where(L),
	       "an encrypted layer and no keys (cachet_smime_set_decrypt)");
	ret = run_content_layer(L, der, next, sm->d, dec_run, dec_sum, diag);
	if (sm->is_keeping) {
		const char *oid = _cachet_decrypt_cipher_oid(sm->d, &L->enc_kind);
		int r2 = dup_opt(&L->cipher_oid, oid);
		if (r2 < 0)
			ret = r2;
	}
cleanup:
	return ret;
}

static int run_decompress(layer_t *L, spill_t *der, spill_t **next, cachet_diag_t *diag)
{
	cachet_decompress_t *dz = NULL;
	int ret = cachet_decompress_init(&dz);
	if (ret == 0)
		ret = run_content_layer(L, der, next, dz, dz_run, dz_sum, diag);
	cachet_decompress_deinit(dz);
	return ret;
}

static int run_certs(layer_t *L, spill_t *der, cachet_diag_t *diag)
{
	cachet_certs_t *c = NULL;
	cachet_source_t *in = NULL;
	cachet_datum_t t = {0}, j = {0};
	int ret;

	CHECK(_cachet_spill_source(der, &in));
	L->result = cachet_certs_extract(&c, in, diag);
	L->is_done = true;
	if (L->result == 0) {
		if (cachet_certs_signer_count(c) != 0)
			CHECK(CACHET_FINDING(&L->findings, "certs-only message with %zu SignerInfos "
							   "(RFC 8551 section 3.8)", cachet_certs_signer_count(c)));
		if (cachet_certs_describe(c, 0, &t) == 0)
			CHECK(_cachet_buf_append(&L->text, t.data, t.size));
		if (cachet_certs_describe(c, CACHET_INSPECT_JSON, &j) == 0) {
			while (j.size && (j.data[j.size - 1] == '\n' || j.data[j.size - 1] == ' '))
				j.size--;
			CHECK(_cachet_buf_append(&L->json, j.data, j.size));
		}
		L->certs = c;
		c = NULL;
	}
	ret = L->result;
cleanup:
	cachet_free(t.data);
	cachet_free(j.data);
	cachet_source_deinit(in);
	cachet_certs_deinit(c);
	return ret;
}

/* An application/pkcs7-mime entity whose header is H and body BODY; or,
 * with H NULL, a CMS object read without MIME (L->is_bare), whose MIME
 * checks are left out. */
static int open_pkcs7_mime(cachet_smime_t *sm, layer_t *L, cachet_source_t *body,
			   const cachet_mime_header_t *h, spill_t **next, cachet_diag_t *diag)
{
	cachet_source_t *dec = NULL;
	cachet_mime_cte_t cte = CACHET_MIME_CTE_BINARY;
	spill_t *der = NULL;
	char oid[128];
	layer_kind_t said = K_OTHER, found = K_OTHER;
	int ret;

	if (h) {
		const cachet_mime_field_t *f = _cachet_mime_header_get(h, "Content-Transfer-Encoding", 0);
		CHECK(_cachet_mime_cte_parse(f ? f->value : NULL, &cte, diag));
	}
	CHECK(_cachet_mime_decoder_init(&dec, cte, body, diag));
	CHECK(to_spill(dec, &der, NULL));
	ret = sniff_type(der, oid, sizeof(oid), diag);
	if (ret < 0) {
		if (L->is_bare)
			_cachet_diag_push(diag, ret, layer_where(L), "RFC 5652 section 3",
					  "the input is not a CMS ContentInfo");
		else
			_cachet_diag_push(diag, ret, layer_where(L), RULE_TYPES,
					  "the body is not a CMS ContentInfo");
		goto cleanup;
	}
	CHECK(dup_opt(&L->cms_type, _cachet_oid_name(oid)));
	const cachet_alg_t *a = _cachet_alg_by_oid(oid);
	cachet_alg_id_t id = a ? a->id : CACHET_ALG_CT_DATA;
	if (a && id == CACHET_ALG_CT_SIGNED)
		found = K_SIGNED;
	else if (a && id == CACHET_ALG_CT_ENVELOPED)
		found = K_ENVELOPED;
	else if (a && id == CACHET_ALG_CT_AUTHENVELOPED)
		found = K_AUTHENVELOPED;
	else if (a && id == CACHET_ALG_CT_COMPRESSED)
		found = K_COMPRESSED;

	if (L->is_bare) {
		/* No MIME header: nothing said, the content type decides. */
	} else if (L->smime_type) {
		for (size_t i = 0; i < sizeof(smime_types) / sizeof(smime_types[0]); i++)
			if (strcasecmp(L->smime_type, smime_types[i].name) == 0)
				said = smime_types[i].kind;
		if (said == K_OTHER)
			CHECK(CACHET_FINDING(&L->findings, "unknown smime-type \"%s\" (%s)", L->smime_type,
					     "RFC 8551 section 3.2.2"));
	} else {
		CHECK(CACHET_FINDING(&L->findings, "the smime-type parameter is missing; the layer "
						   "was recognised by its CMS content type %s "
						   "(RFC 8551 section 3.2.2)", L->cms_type));
	}
	/* certs-only is a SignedData too (RFC 8551 section 3.8). */
	if (found == K_SIGNED && said == K_CERTS_ONLY)
		found = K_CERTS_ONLY;
	if (said != K_OTHER && said != found)
		CHECK(CACHET_FINDING(&L->findings, "smime-type \"%s\" but the CMS content is %s; "
						   "read as what it is (RFC 8551 section 3.2.2)",
				     L->smime_type, L->cms_type));
	L->kind = found;
	switch (found) {
	case K_SIGNED:
		ret = run_signed(sm, L, der, next, diag);
		if (ret == CACHET_E_NOT_SIGNED && said != K_SIGNED) {
			/* No SignerInfo and not claimed as signed: a
			 * certificates-only message without its smime-type. */
			_cachet_buf_free(&L->text);
			_cachet_buf_free(&L->json);
			L->kind = K_CERTS_ONLY;
			ret = run_certs(L, der, diag);
		}
		break;
	case K_CERTS_ONLY:
		ret = run_certs(L, der, diag);
		break;
	case K_ENVELOPED:
	case K_AUTHENVELOPED:
		ret = run_decrypt(sm, L, der, next, diag);
		break;
	case K_COMPRESSED:
		ret = run_decompress(L, der, next, diag);
		break;
	default:
		FAIL(CACHET_E_UNSUPPORTED_CONTENT, RULE_TYPES, layer_where(L),
		     "CMS content type %s is not an S/MIME layer", L->cms_type);
	}
cleanup:
	cachet_source_deinit(dec);
	_cachet_spill_free(der);
	return ret;
}

/* ---- classification ---- */

static bool ends_with_ci(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static layer_class_t classify(const cachet_mime_header_t *h, const cachet_mime_ctype_t *ct,
			      layer_t *L, cachet_diag_t *diag)
{
	(void)diag;
	if (ct->type == NULL)
		return LK_NONE;
	if (_cachet_mime_ctype_is(ct, "multipart", "signed"))
		return LK_MULTIPART;
	/* RFC 8551 section 3.2: application/pkcs7-mime, and the older
	 * application/x-pkcs7-mime. */
	if (_cachet_mime_ctype_is(ct, "application", "pkcs7-mime") ||
	    _cachet_mime_ctype_is(ct, "application", "x-pkcs7-mime"))
		return LK_PKCS7;
	if (is_sig_type(ct))
		return LK_BAD_DETACHED;
	/* RFC 8551 section 3.2.1: application/octet-stream with a .p7m
	 * (.p7c, .p7z) file name is read as application/pkcs7-mime. */
	if (_cachet_mime_ctype_is(ct, "application", "octet-stream")) {
		const char *name = L->name;
		if (name && (ends_with_ci(name, ".p7m") || ends_with_ci(name, ".p7c") ||
			     ends_with_ci(name, ".p7z")))
			return LK_PKCS7;
	}
	(void)h;
	return LK_NONE;
}

/* ---- header protection (RFC 9788; RFC 8551 section 3.1) ---- */

static bool is_structural(const char *name)
{
	return strncasecmp(name, "Content-", 8) == 0 || strcasecmp(name, "MIME-Version") == 0;
}

/* Fields a reader is shown or replies by (RFC 5322 sections 3.6.2 to
 * 3.6.5): an unprotected one is worth a finding. */
static bool is_user_facing(const char *name)
{
	static const char *const names[] = {
		"From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Subject", "Date", "Message-ID",
		"In-Reply-To", "References", "Followup-To", "Mail-Followup-To", "Keywords", "Comments",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(name, names[i]) == 0)
			return true;
	return false;
}

/* Unfolded values compared with every run of whitespace as one (a relay
 * may refold a field, RFC 5322 section 2.2.3). */
static bool value_eq(const char *a, const char *b)
{
	for (;;) {
		bool wa = *a == ' ' || *a == '\t', wb = *b == ' ' || *b == '\t';
		if (wa && wb) {
			while (*a == ' ' || *a == '\t')
				a++;
			while (*b == ' ' || *b == '\t')
				b++;
			continue;
		}
		if (*a != *b)
			return false;
		if (*a == '\0')
			return true;
		a++;
		b++;
	}
}

/* Which instance of its name field I is among H's fields. */
static size_t instance_of(const cachet_mime_header_t *h, size_t i)
{
	size_t k = 0;
	for (size_t j = 0; j < i; j++)
		k += strcasecmp(h->fields[j].name, h->fields[i].name) == 0;
	return k;
}

/* The K-th HP-Outer record of NAME in H ("HP-Outer: Name: value"): a
 * pointer to its value, NULL when there is none. */
static const char *hp_outer_get(const cachet_mime_header_t *h, const char *name, size_t k)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i < h->n; i++) {
		const char *v = h->fields[i].value;
		if (strcasecmp(h->fields[i].name, "HP-Outer") != 0 || strncasecmp(v, name, nl) != 0)
			continue;
		v += nl;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v != ':')
			continue;
		if (k-- > 0)
			continue;
		v++;
		while (*v == ' ' || *v == '\t')
			v++;
		return v;
	}
	return NULL;
}

static int hp_add(hp_t *hp, const char *name, const char *value, const char *outer,
		  hpf_state_t state)
{
	hp_field_t *f = realloc(hp->fields, (hp->n + 1) * sizeof(*f));
	if (f == NULL)
		return CACHET_E_NOMEM;
	hp->fields = f;
	f = &hp->fields[hp->n];
	memset(f, 0, sizeof(*f));
	f->state = state;
	if (dup_opt(&f->name, name) < 0 || dup_opt(&f->value, value) < 0 ||
	    dup_opt(&f->outer, outer) < 0) {
		free(f->name);
		free(f->value);
		free(f->outer);
		return CACHET_E_NOMEM;
	}
	hp->n++;
	return 0;
}

/* A legacy display element (RFC 9788: hp-legacy-display="1" on the text
 * part that repeats the obscured fields; the draft before it: a
 * text/plain part with protected-headers="v1" first in a multipart).
 * Only looked for, never removed; a body that cannot be split is left
 * to whoever reads it. */
static void find_legacy_display(hp_t *hp, const cachet_mime_ctype_t *ct, cachet_source_t *body)
{
	const char *b = _cachet_mime_ctype_param(ct, "boundary");
	const char *ld = _cachet_mime_ctype_param(ct, "hp-legacy-display");
	cachet_mime_split_t *sp = NULL;
	cachet_source_t *part = NULL;
	cachet_mime_header_t ph = {0};
	cachet_mime_ctype_t pct = {0};

	if (ld && strcmp(ld, "1") == 0) {
		hp->has_legacy_display = true;
		return;
	}
	if (b == NULL || !_cachet_mime_ctype_is(ct, "multipart", NULL))
		return;
	if (_cachet_mime_split_init(&sp, body, b, 1, NULL) == 0 &&
	    _cachet_mime_split_next(sp, &part) == 0 &&
	    _cachet_mime_header_read(&ph, part, NULL) == 0) {
		const cachet_mime_field_t *f = _cachet_mime_header_get(&ph, "Content-Type", 0);
		if (f && _cachet_mime_ctype_parse(&pct, f->value, NULL) == 0 &&
		    _cachet_mime_ctype_is(&pct, "text", NULL)) {
			const char *a = _cachet_mime_ctype_param(&pct, "hp-legacy-display");
			const char *v = _cachet_mime_ctype_param(&pct, "protected-headers");
			hp->has_legacy_display = (a && strcmp(a, "1") == 0) || (v && strcasecmp(v, "v1") == 0);
		}
	}
	_cachet_mime_ctype_deinit(&pct);
	_cachet_mime_header_deinit(&ph);
	_cachet_mime_split_deinit(sp);
}

#define HPV(v) (int)(strlen(v) > 200 ? 200 : strlen(v)), (v)

/* The innermost entity H (Content-Type CT, body BODY) after every layer:
 * does it carry protected header fields, and how does the outer header
 * show them?  The protected values are what the sender wrote, under the
 * layers' protection; the outer ones are what arrived. */
static int check_header_protection(cachet_smime_t *sm, const cachet_mime_header_t *h,
				   const cachet_mime_ctype_t *ct, cachet_source_t *body, bool layers_ok)
{
	hp_t *hp = &sm->hp;
	cachet_mime_header_t wrapped = {0};
	const cachet_mime_header_t *ph = h;
	const char *hpv = _cachet_mime_ctype_param(ct, "hp");
	const char *v1 = _cachet_mime_ctype_param(ct, "protected-headers");
	bool encrypted = false, is_signed = false, cipher, rfc9788_cipher, has_hpo = false;
	int ret = 0;

	for (size_t i = 0; i < sm->nlayers; i++) {
		layer_kind_t k = sm->layers[i].kind;
		encrypted |= k == K_ENVELOPED || k == K_AUTHENVELOPED;
		is_signed |= k == K_SIGNED || k == K_MULTIPART_SIGNED;
	}
	if (hpv) {
		CHECK(dup_opt(&hp->scheme, "RFC 9788"));
		CHECK(dup_opt(&hp->hp, hpv));
		cipher = strcasecmp(hpv, "cipher") == 0;
		if (!cipher && strcasecmp(hpv, "clear") != 0)
			CHECK(CACHET_FINDING(&hp->findings, "unknown hp=\"%s\": read as hp=\"clear\" (%s)",
					     hpv, RULE_HP));
		if (cipher && !encrypted) {
			CHECK(CACHET_FINDING(&hp->findings, "hp=\"cipher\" but no layer is encrypted: the "
							    "protected fields were never confidential; read "
							    "as hp=\"clear\" (%s)", RULE_HP));
			cipher = false;
		}
		if (!cipher && encrypted)
			CHECK(CACHET_FINDING(&hp->findings, "hp=\"clear\" inside an encrypted layer: the "
							    "sender kept no outer field confidential (%s)",
					     RULE_HP));
	} else if (v1) {
		CHECK(dup_opt(&hp->scheme, "protected-headers draft"));
		CHECK(dup_opt(&hp->hp, v1));
		cipher = encrypted;
		CHECK(CACHET_FINDING(&hp->findings, "protected-headers=\"%s\" is the draft that RFC 9788 "
						    "replaced; it has no HP-Outer, so obscured and altered "
						    "outer fields cannot be told apart", v1));
	} else if (_cachet_mime_ctype_is(ct, "message", "rfc822")) {
		/* RFC 8551 section 3.1: a whole message/rfc822 wrapped so that
		 * its header fields are protected too. */
		CHECK(dup_opt(&hp->scheme, "message/rfc822 wrapper"));
		if (_cachet_mime_header_read(&wrapped, body, NULL) < 0) {
			CHECK(CACHET_FINDING(&hp->findings, "the wrapped message's header cannot be read "
							    "(%s)", RULE_WRAP));
			goto cleanup;
		}
		ph = &wrapped;
		cipher = encrypted;
	} else {
		return 0;
	}
	rfc9788_cipher = hpv && cipher;
	if (!layers_ok)
		CHECK(CACHET_FINDING(&hp->findings, "a layer failed: the fields below are what the "
						    "message claims, not protected values"));
	for (size_t i = 0; i < ph->n; i++)
		has_hpo |= strcasecmp(ph->fields[i].name, "HP-Outer") == 0;
	if (has_hpo && !rfc9788_cipher)
		CHECK(CACHET_FINDING(&hp->findings, "HP-Outer fields outside an hp=\"cipher\" payload "
						    "are ignored (%s)", RULE_HP));

	/* Every protected field against the outer header. */
	for (size_t i = 0; i < ph->n; i++) {
		const cachet_mime_field_t *f = &ph->fields[i];
		if (is_structural(f->name) || strcasecmp(f->name, "HP-Outer") == 0)
			continue;
		size_t k = instance_of(ph, i);
		const cachet_mime_field_t *o = _cachet_mime_header_get(&sm->outer, f->name, k);
		const char *rec = rfc9788_cipher ? hp_outer_get(ph, f->name, k) : NULL;
		hpf_state_t st;
		if (o && value_eq(o->value, f->value))
			st = HPF_SAME;
		else if (rfc9788_cipher)
			st = rec == NULL ? (o ? HPF_ALTERED : HPF_REMOVED)
					 : (o && value_eq(o->value, rec) ? HPF_OBSCURED : HPF_ALTERED);
		else if (cipher)
			st = o ? HPF_OBSCURED : HPF_REMOVED;
		else
			st = o ? HPF_ALTERED : HPF_ABSENT;
		CHECK(hp_add(hp, f->name, f->value, o ? o->value : NULL, st));
		if (st == HPF_ALTERED && o)
			CHECK(CACHET_FINDING(&hp->findings,
					     "%s outside is \"%.*s\" but the sender wrote \"%.*s\"%s: the outer "
					     "header was changed after sending; the protected value is the "
					     "sender's (%s)", f->name, HPV(o->value), HPV(f->value),
					     rec ? " (and HP-Outer records another outer value)" : "", RULE_HP));
		else if (st == HPF_ALTERED)
			CHECK(CACHET_FINDING(&hp->findings, "%s was sent outside (HP-Outer) but is missing "
							    "now: removed after sending (%s)", f->name, RULE_HP));
		else if (st == HPF_ABSENT)
			CHECK(CACHET_FINDING(&hp->findings, "%s is protected but missing from the outer "
							    "header", f->name));
	}
	/* Outer fields nothing inside vouches for. */
	for (size_t i = 0; i < sm->outer.n; i++) {
		const cachet_mime_field_t *o = &sm->outer.fields[i];
		if (is_structural(o->name) || _cachet_mime_is_trace_field(o->name) || strcasecmp(o->name, "HP-Outer") == 0)
			continue;
		size_t k = instance_of(&sm->outer, i);
		if (_cachet_mime_header_get(ph, o->name, k))
			continue;
		const char *rec = rfc9788_cipher ? hp_outer_get(ph, o->name, k) : NULL;
		if (rfc9788_cipher && rec == NULL)
			CHECK(CACHET_FINDING(&hp->findings, "outer %s \"%.*s\" is neither protected nor "
							    "recorded by HP-Outer: added after sending (%s)",
					     o->name, HPV(o->value), RULE_HP));
		else if (rfc9788_cipher && !value_eq(rec, o->value))
			CHECK(CACHET_FINDING(&hp->findings, "outer %s \"%.*s\" differs from the \"%.*s\" "
							    "HP-Outer records: changed after sending (%s)",
					     o->name, HPV(o->value), HPV(rec), RULE_HP));
		else if (is_user_facing(o->name))
			CHECK(CACHET_FINDING(&hp->findings, "outer %s is not protected: only the outer "
							    "header carries it (%s)", o->name, RULE_HP));
	}
	if (!is_signed)
		CHECK(CACHET_FINDING(&hp->findings, "no layer is signed: the protected fields are "
						    "confidential but nothing says who wrote them"));
	{
		const cachet_mime_field_t *pf = _cachet_mime_header_get(ph, "From", 0);
		if (pf)
			sm->pfrom = addr_spec(pf->value);
	}
	if (ph == h)
		find_legacy_display(hp, ct, body);
cleanup:
	_cachet_mime_header_deinit(&wrapped);
	return ret;
}

/* ---- the public interface ---- */

int cachet_smime_init(cachet_smime_t **sm)
{
	if (sm == NULL)
		return CACHET_E_INVALID_ARG;
	*sm = _cachet_calloc(1, sizeof(**sm));
	return *sm ? 0 : CACHET_E_NOMEM;
}

void cachet_smime_deinit(cachet_smime_t *sm)
{
	if (sm == NULL)
		return;
	smime_reset(sm);
	free(sm);
}

int cachet_smime_set_verify(cachet_smime_t *sm, cachet_verify_t *v)
{
	if (sm == NULL)
		return CACHET_E_INVALID_ARG;
	sm->v = v;
	return 0;
}

int cachet_smime_set_decrypt(cachet_smime_t *sm, cachet_decrypt_t *d)
{
	if (sm == NULL)
		return CACHET_E_INVALID_ARG;
	sm->d = d;
	return 0;
}

/* RFC 8550 section 3: the address in From (or Sender) should be one of
 * the signer certificate's; a mismatch is reported, not fatal. */
static int check_from(cachet_smime_t *sm)
{
	int ret = 0;
	for (size_t i = 0; i < sm->nlayers; i++) {
		layer_t *L = &sm->layers[i];
		if ((L->kind != K_SIGNED && L->kind != K_MULTIPART_SIGNED) || !L->is_done ||
		    L->nsigners == 0)
			continue;
		if (sm->pfrom) {
			/* Header protection: the From the sender signed is the
			 * one that counts (RFC 9788). */
			bool pm = L->emails.size && has_email(&L->emails, sm->pfrom);
			CHECK_RET(CACHET_FINDING(&L->findings, "protected From <%s> %s the signer "
							       "certificate (%s)", sm->pfrom,
						 pm ? "matches" : "is not an address of", RULE_FROM));
			if (pm)
				continue;
		}
		if (sm->from == NULL && sm->sender == NULL) {
			CHECK_RET(CACHET_FINDING(&L->findings, "no From address to compare with the "
							       "signer's (%s)", RULE_FROM));
			continue;
		}
		if (L->emails.size == 0) {
			CHECK_RET(CACHET_FINDING(&L->findings, "the signer certificate carries no e-mail "
							       "address to compare with From <%s> (%s)",
						 sm->from ? sm->from : sm->sender, RULE_FROM));
			continue;
		}
		bool c1 = false, c2 = false;
		bool match = (sm->from && has_email_ci(&L->emails, sm->from, &c1)) ||
			     (sm->sender && has_email_ci(&L->emails, sm->sender, &c2));
		if (match && (c1 || c2))
			CHECK_RET(CACHET_FINDING(&L->findings, "From <%s> matches the signer certificate's "
							       "address only without regard to the local "
							       "part's case (RFC 8398 section 5)",
						 sm->from ? sm->from : sm->sender));
		if (!match) {
			/* "MUST check ... SHOULD provide some explicit
			 * alternate processing": a warning in the report and
			 * the diagnostics, not a failed verdict -- an inner
			 * signer of a re-signed or forwarded message need not
			 * be the author in From (RFC 2634 section 1.1), and
			 * `cachet verify --email` makes it a failing check. */
			CHECK_RET(CACHET_FINDING(&L->findings, "WARNING: From <%s> is not an address of "
							       "the signer certificate (%s)",
						 sm->from ? sm->from : sm->sender, RULE_FROM));
		} else
			CHECK_RET(CACHET_FINDING(&L->findings, "From <%s> matches the signer "
							       "certificate (%s)",
						 sm->from ? sm->from : sm->sender, RULE_FROM));
	}
	return ret;
}

/* RFC 7508 section 4.5.2: a signed layer's SecureHeaderFields against
 * the message's header fields.  A mismatch of a "duplicated" field
 * invalidates the signature (step 5); fields the policy protects but the
 * attribute does not are warned about (step 7).  The header compared is
 * the message's own, outermost one, for every signed layer (the header a
 * reader sees; Cachet is not a DCA that restores fields, section 4.6). */
static int check_secure_headers(cachet_smime_t *sm, int *first_fail, cachet_diag_t *diag)
{
	int ret = 0;
	for (size_t i = 0; i < sm->nlayers; i++) {
		layer_t *L = &sm->layers[i];
		if (L->sh.n == 0 || !L->is_done)
			continue;
		CHECK_RET(_cachet_sechdr_compare(&L->sh, &sm->outer, _cachet_sechdr_policy, &L->findings,
						 &L->sh_verdict));
		if (L->sh_verdict < 0) {
			_cachet_diag_push(diag, L->sh_verdict, "S/MIME layer", "RFC 7508 section 4.5.2",
					  "layer %zu: the message's header fields differ from the "
					  "SecureHeaderFields the signer signed", i + 1);
			if (L->result == 0)
				L->result = L->sh_verdict;
			if (*first_fail == 0)
				*first_fail = L->sh_verdict;
		}
	}
	return ret;
}

int cachet_smime_open(cachet_smime_t *sm, cachet_source_t *msg, cachet_sink_t *out,
		      unsigned flags, cachet_diag_t *diag)
{
	cachet_mime_header_t h = {0};
	cachet_mime_ctype_t ct = {0};
	cachet_source_t *own = NULL, *src = msg, *rel = NULL;
	spill_t *cur = NULL, *inner = NULL;
	int ret = 0, first_fail = 0;

	if (sm == NULL || msg == NULL)
		return CACHET_E_INVALID_ARG;
	smime_reset(sm);
	sm->has_run = true;

	for (;;) {
		layer_t tmp = {0};
		spill_t *next = NULL;
		layer_t *L;
		int lret;

		if (sm->nlayers == 0 && sm->is_bare_cms) {
			/* A CMS object without MIME (_cachet_smime_set_bare):
			 * no header to read, the content type decides. */
			L = &sm->layers[sm->nlayers++];
			L->is_bare = true;
			L->micalg_match = -1;
			lret = open_pkcs7_mime(sm, L, src, NULL, &next, diag);
		} else {
			/* Inner layers: a failure here is not reported as one (below). */
			ret = _cachet_mime_header_read(&h, src, sm->nlayers ? NULL : diag);
			if (ret < 0 && sm->nlayers > 0 && ret != CACHET_E_IO && ret != CACHET_E_NOMEM) {
				/* The content of the last layer is not a MIME entity
				 * (RFC 8551 section 3.1 wants one, but CMS carries any
				 * octets): it is released as it is. */
				CHECK(CACHET_FINDING(&sm->layers[sm->nlayers - 1].findings,
						     "the content of this layer is not a MIME entity (%s)",
						     "RFC 8551 section 3.1"));
				CHECK(dup_opt(&sm->inner_ctype, "(not a MIME entity)"));
				inner = cur;
				cur = NULL;
				ret = 0;
				break;
			}
			CHECK(ret);
			if (sm->nlayers == 0) {
				const cachet_mime_field_t *f = _cachet_mime_header_get(&h, "From", 0);
				if (f)
					sm->from = addr_spec(f->value);
				f = _cachet_mime_header_get(&h, "Sender", 0);
				if (f)
					sm->sender = addr_spec(f->value);
			}
			const cachet_mime_field_t *cf = _cachet_mime_header_get(&h, "Content-Type", 0);
			if (cf)
				CHECK(_cachet_mime_ctype_parse(&ct, cf->value, diag));
			CHECK(find_name(&h, &ct, &tmp.name));
			layer_class_t cls = classify(&h, &ct, &tmp, diag);
			if (cls == LK_NONE) {
				char buf[160];
				if (ct.type)
					snprintf(buf, sizeof(buf), "%s/%s", ct.type, ct.subtype);
				else
					snprintf(buf, sizeof(buf), "text/plain (no Content-Type)");
				CHECK(dup_opt(&sm->inner_ctype, buf));
				layer_clear(&tmp);
				if (sm->nlayers > 0)
					CHECK(check_header_protection(sm, &h, &ct, src, first_fail == 0));
				inner = cur;
				cur = NULL;
				break;
			}
			if (sm->nlayers == CACHET_MAX_LAYERS) {
				layer_clear(&tmp);
				FAIL(CACHET_E_DEPTH_LIMIT, "doc/design.md decision 18", "S/MIME layers",
				     "more than %u nested S/MIME layers", (unsigned)CACHET_MAX_LAYERS);
			}
			L = &sm->layers[sm->nlayers++];
			*L = tmp;
			L->micalg_match = -1;
			char buf[160];
			snprintf(buf, sizeof(buf), "%s/%s", ct.type, ct.subtype);
			CHECK(dup_opt(&L->ctype, buf));
			CHECK(dup_opt(&L->protocol, _cachet_mime_ctype_param(&ct, "protocol")));
			CHECK(dup_opt(&L->micalg, _cachet_mime_ctype_param(&ct, "micalg")));
			CHECK(dup_opt(&L->smime_type, _cachet_mime_ctype_param(&ct, "smime-type")));
			if (_cachet_mime_ctype_is(&ct, "application", "x-pkcs7-mime"))
				CHECK(CACHET_FINDING(&L->findings, "the older type application/x-pkcs7-mime "
								   "(%s)", RULE_TYPES));
			if (_cachet_mime_ctype_is(&ct, "application", "octet-stream"))
				CHECK(CACHET_FINDING(&L->findings, "application/octet-stream read as "
								   "application/pkcs7-mime for its name \"%s\" "
								   "(RFC 8551 section 3.2.1)", L->name));

			if (cls == LK_MULTIPART) {
				lret = open_multipart_signed(sm, L, src, &ct, &next, diag);
			} else if (cls == LK_PKCS7) {
				lret = open_pkcs7_mime(sm, L, src, &h, &next, diag);
			} else {
				L->kind = K_OTHER;
				lret = CACHET_E_UNSUPPORTED_CONTENT;
				_cachet_diag_push(diag, lret, "application/pkcs7-signature", RULE_MSIGNED,
						  "a detached signature outside multipart/signed");
			}
		}
		if (lret > 0)
			lret = 0;
		L->result = lret;
		if (lret < 0) {
			const char *rule = L->is_bare ? "RFC 5652 section 3" : RULE_TYPES;
			if (!L->is_done)
				_cachet_diag_push(diag, lret, "S/MIME layer", rule,
						  "layer %zu (%s) could not be read", sm->nlayers,
						  layer_where(L));
			else
				_cachet_diag_push(diag, lret, "S/MIME layer", rule,
						  "layer %zu (%s, %s) failed: %s", sm->nlayers, layer_where(L),
						  kind_names[L->kind], cachet_strerror_name(lret));
			if (first_fail == 0)
				first_fail = lret;
		}
		_cachet_mime_ctype_deinit(&ct);
		if (sm->outer.fields == NULL && sm->nlayers == 1) {
			/* The message's own header, for the header protection
			 * comparison. */
			sm->outer = h;
			memset(&h, 0, sizeof(h));
		}
		_cachet_mime_header_deinit(&h);
		cachet_source_deinit(own);
		own = NULL;
		_cachet_spill_free(cur);
		cur = next;
		if (cur == NULL)
			break; /* certs-only, or a layer that could not go on */
		CHECK(_cachet_spill_source(cur, &own));
		src = own;
	}

	if (sm->nlayers == 0)
		FAIL(CACHET_E_UNSUPPORTED_CONTENT, RULE_TYPES, "message",
		     "not an S/MIME message: the Content-Type is %s", sm->inner_ctype);
	CHECK(check_from(sm));
	CHECK(check_secure_headers(sm, &first_fail, diag));
	if (first_fail < 0) {
		ret = first_fail;
		goto cleanup;
	}
	if (flags & CACHET_SMIME_NEED_SIGNED) {
		bool any = false;
		for (size_t i = 0; i < sm->nlayers; i++)
			any |= sm->layers[i].kind == K_SIGNED ||
			       sm->layers[i].kind == K_MULTIPART_SIGNED;
		ENSURE(any, CACHET_E_NOT_SIGNED, RULE_TYPES, "message",
		       "no signed layer in the message");
	}
	if (flags & CACHET_SMIME_NEED_ENCRYPTED) {
		bool any = false;
		for (size_t i = 0; i < sm->nlayers; i++)
			any |= sm->layers[i].kind == K_ENVELOPED ||
			       sm->layers[i].kind == K_AUTHENVELOPED;
		ENSURE(any, CACHET_E_UNSUPPORTED_CONTENT, RULE_TYPES, "message",
		       "no encrypted layer in the message");
	}
	/* Every layer checked out: release the innermost entity. */
	if (out && inner) {
		CHECK(_cachet_spill_source(inner, &rel));
		CHECK(copy_all(rel, out, NULL));
		CHECK(cachet_sink_flush(out));
	}
	ret = 0;
cleanup:
	if (ret < 0 && sm->result == 0)
		sm->result = ret;
	_cachet_mime_ctype_deinit(&ct);
	_cachet_mime_header_deinit(&h);
	cachet_source_deinit(rel);
	cachet_source_deinit(own);
	_cachet_spill_free(cur);
	_cachet_spill_free(inner);
	return ret;
}

/* ---- details for cachet lint (lint-int.h) ---- */

void _cachet_smime_keep_details(cachet_smime_t *sm, bool keep)
{
	if (sm)
		sm->is_keeping = keep;
}

void _cachet_smime_set_bare(cachet_smime_t *sm, bool bare)
{
	if (sm)
		sm->is_bare_cms = bare;
}

size_t _cachet_smime_layer_count(const cachet_smime_t *sm)
{
	return sm && sm->has_run ? sm->nlayers : 0;
}

int _cachet_smime_layer_info(const cachet_smime_t *sm, size_t i, smime_layer_info_t *info)
{
	if (sm == NULL || info == NULL)
		return CACHET_E_INVALID_ARG;
	if (i >= _cachet_smime_layer_count(sm))
		return CACHET_E_END;
	const layer_t *L = &sm->layers[i];
	memset(info, 0, sizeof(*info));
	info->ctype = L->ctype;
	info->kind = kind_names[L->kind];
	info->micalg = L->micalg;
	info->smime_type = L->smime_type;
	info->name = L->name;
	info->cms_type = L->cms_type;
	info->micalg_match = L->micalg_match;
	info->result = L->result;
	info->is_done = L->is_done;
	info->rep = L->rep;
	info->cipher_oid = L->cipher_oid ? L->cipher_oid : "";
	info->enc_kind = L->enc_kind;
	info->signed_8bit = L->signed_8bit;
	info->sig_name = L->sig_name;
	info->has_sig_part = L->has_sig_part;
	info->has_content_scan = L->has_content_scan;
	info->content_8bit = L->content_8bit;
	info->content_cte = L->content_cte;
	info->is_bare = L->is_bare;
	return 0;
}

/* ---- the report ---- */

static int param_json(cbuf_t *b, const char *name, const char *value, bool *first)
{
	int ret;
	if (value == NULL)
		return 0;
	CHECK_RET(_cachet_buf_printf(b, "%s\"%s\":", *first ? "" : ",", name));
	*first = false;
	return _cachet_buf_json_str(b, value);
}

/* ,"secure_header_fields":{...} for a layer that carries RFC 7508's
 * attribute. */
static int sechdr_json(const layer_t *L, cbuf_t *b)
{
	int ret;
	CHECK_RET(_cachet_buf_printf(b, ",\"secure_header_fields\":{\"canon\":\"%s\",\"matches\":%s,"
				     "\"fields\":[", _cachet_sechdr_canon_name(L->sh.canon),
				     L->sh_verdict == 0 ? "true" : "false"));
	for (size_t i = 0; i < L->sh.n; i++) {
		CHECK_RET(_cachet_buf_printf(b, "%s{\"name\":", i ? "," : ""));
		CHECK_RET(_cachet_buf_json_str(b, L->sh.fields[i].name));
		CHECK_RET(_cachet_buf_printf(b, ",\"value\":"));
		CHECK_RET(_cachet_buf_json_str(b, L->sh.fields[i].value));
		CHECK_RET(_cachet_buf_printf(b, ",\"status\":\"%s\"}",
					     _cachet_sechdr_status_name(L->sh.fields[i].status)));
	}
	return _cachet_buf_printf(b, "]}");
}

static int hp_json(const hp_t *hp, cbuf_t *b)
{
	int ret;
	if (hp->scheme == NULL)
		return _cachet_buf_printf(b, "null");
	CHECK_RET(_cachet_buf_printf(b, "{\"scheme\":"));
	CHECK_RET(_cachet_buf_json_str(b, hp->scheme));
	CHECK_RET(_cachet_buf_printf(b, ",\"hp\":"));
	if (hp->hp)
		CHECK_RET(_cachet_buf_json_str(b, hp->hp));
	else
		CHECK_RET(_cachet_buf_printf(b, "null"));
	CHECK_RET(_cachet_buf_printf(b, ",\"legacy_display\":%s,\"fields\":[",
				     hp->has_legacy_display ? "true" : "false"));
	for (size_t i = 0; i < hp->n; i++) {
		const hp_field_t *f = &hp->fields[i];
		CHECK_RET(_cachet_buf_printf(b, "%s{\"name\":", i ? "," : ""));
		CHECK_RET(_cachet_buf_json_str(b, f->name));
		CHECK_RET(_cachet_buf_printf(b, ",\"value\":"));
		CHECK_RET(_cachet_buf_json_str(b, f->value));
		CHECK_RET(_cachet_buf_printf(b, ",\"outer\":"));
		if (f->outer)
			CHECK_RET(_cachet_buf_json_str(b, f->outer));
		else
			CHECK_RET(_cachet_buf_printf(b, "null"));
		CHECK_RET(_cachet_buf_printf(b, ",\"state\":\"%s\"}", hpf_names[f->state]));
	}
	CHECK_RET(_cachet_buf_printf(b, "],\"findings\":["));
	CHECK_RET(_cachet_findings_out(b, &hp->findings, true));
	return _cachet_buf_printf(b, "]}");
}

static int hp_text(const hp_t *hp, cbuf_t *b)
{
	int ret;
	if (hp->scheme == NULL)
		return 0;
	CHECK_RET(_cachet_buf_printf(b, "header protection: %s", hp->scheme));
	if (hp->hp)
		CHECK_RET(_cachet_buf_printf(b, ", %s=\"%s\"",
					     strcmp(hp->scheme, "RFC 9788") == 0 ? "hp" : "protected-headers",
					     hp->hp));
	CHECK_RET(_cachet_buf_printf(b, ", %zu protected field%s%s\n", hp->n, hp->n == 1 ? "" : "s",
				     hp->has_legacy_display ? ", legacy display part" : ""));
	for (size_t i = 0; i < hp->n; i++) {
		const hp_field_t *f = &hp->fields[i];
		CHECK_RET(_cachet_buf_printf(b, "  %s: %.*s [%s", f->name, HPV(f->value),
					     hpf_names[f->state]));
		if (f->state == HPF_OBSCURED || f->state == HPF_ALTERED)
			CHECK_RET(_cachet_buf_printf(b, " outside: \"%.*s\"",
						     HPV(f->outer ? f->outer : "")));
		CHECK_RET(_cachet_buf_printf(b, "]\n"));
	}
	return _cachet_findings_out(b, &hp->findings, false);
}

static int report_json(const cachet_smime_t *sm, cbuf_t *b)
{
	int ret;
	CHECK_RET(_cachet_buf_printf(b, "{\"result\":%d,\"code\":", sm->result));
	CHECK_RET(_cachet_buf_json_str(b, sm->result ? cachet_strerror_name(sm->result) : "OK"));
	CHECK_RET(_cachet_buf_printf(b, ",\"from\":"));
	if (sm->from)
		CHECK_RET(_cachet_buf_json_str(b, sm->from));
	else
		CHECK_RET(_cachet_buf_printf(b, "null"));
	CHECK_RET(_cachet_buf_printf(b, ",\"inner_content_type\":"));
	if (sm->inner_ctype)
		CHECK_RET(_cachet_buf_json_str(b, sm->inner_ctype));
	else
		CHECK_RET(_cachet_buf_printf(b, "null"));
	CHECK_RET(_cachet_buf_printf(b, ",\"layers\":["));
	for (size_t i = 0; i < sm->nlayers; i++) {
		const layer_t *L = &sm->layers[i];
		bool first = true;
		CHECK_RET(_cachet_buf_printf(b, "%s{\"kind\":\"%s\",\"content_type\":", i ? "," : "",
					     kind_names[L->kind]));
		CHECK_RET(_cachet_buf_json_str(b, L->ctype ? L->ctype : ""));
		CHECK_RET(_cachet_buf_printf(b, ",\"params\":{"));
		CHECK_RET(param_json(b, "protocol", L->protocol, &first));
		CHECK_RET(param_json(b, "micalg", L->micalg, &first));
		CHECK_RET(param_json(b, "smime-type", L->smime_type, &first));
		CHECK_RET(param_json(b, "name", L->name, &first));
		CHECK_RET(_cachet_buf_printf(b, "}"));
		if (L->cms_type) {
			CHECK_RET(_cachet_buf_printf(b, ",\"cms_content_type\":"));
			CHECK_RET(_cachet_buf_json_str(b, L->cms_type));
		}
		if (L->micalg_match >= 0)
			CHECK_RET(_cachet_buf_printf(b, ",\"micalg_matches\":%s",
						     L->micalg_match ? "true" : "false"));
		CHECK_RET(_cachet_buf_printf(b, ",\"result\":%d,\"code\":", L->result));
		CHECK_RET(_cachet_buf_json_str(b, L->result ? cachet_strerror_name(L->result) : "OK"));
		CHECK_RET(_cachet_buf_printf(b, ",\"findings\":["));
		CHECK_RET(_cachet_findings_out(b, &L->findings, true));
		CHECK_RET(_cachet_buf_printf(b, "]"));
		if (L->sh.n)
			CHECK_RET(sechdr_json(L, b));
		if (L->json.size && L->json.data[0] == '{') {
			const char *key = L->kind == K_SIGNED || L->kind == K_MULTIPART_SIGNED ? "verify"
					  : L->kind == K_CERTS_ONLY				? "certs"
					  : L->kind == K_COMPRESSED				? "decompress"
												: "decrypt";
			CHECK_RET(_cachet_buf_printf(b, ",\"%s\":", key));
			CHECK_RET(_cachet_buf_append(b, L->json.data, L->json.size));
		}
		CHECK_RET(_cachet_buf_printf(b, "}"));
	}
	CHECK_RET(_cachet_buf_printf(b, "],\"header_protection\":"));
	CHECK_RET(hp_json(&sm->hp, b));
	CHECK_RET(_cachet_buf_printf(b, ",\"findings\":["));
	CHECK_RET(_cachet_findings_out(b, &sm->findings, true));
	return _cachet_buf_printf(b, "]}\n");
}

static int report_text(const cachet_smime_t *sm, cbuf_t *b)
{
	int ret;
	CHECK_RET(_cachet_buf_printf(b, "S/MIME message: %zu layer%s, %s\n", sm->nlayers,
				     sm->nlayers == 1 ? "" : "s",
				     sm->result ? cachet_strerror_name(sm->result) : "OK"));
	if (sm->from)
		CHECK_RET(_cachet_buf_printf(b, "From: <%s>\n", sm->from));
	for (size_t i = 0; i < sm->nlayers; i++) {
		const layer_t *L = &sm->layers[i];
		CHECK_RET(_cachet_buf_printf(b, "layer %zu: %s (%s)", i + 1, kind_names[L->kind],
					     L->ctype ? L->ctype : "?"));
		if (L->protocol)
			CHECK_RET(_cachet_buf_printf(b, " protocol=%s", L->protocol));
		if (L->micalg)
			CHECK_RET(_cachet_buf_printf(b, " micalg=%s", L->micalg));
		if (L->smime_type)
			CHECK_RET(_cachet_buf_printf(b, " smime-type=%s", L->smime_type));
		if (L->name)
			CHECK_RET(_cachet_buf_printf(b, " name=%s", L->name));
		CHECK_RET(_cachet_buf_printf(b, "\n"));
		if (L->cms_type)
			CHECK_RET(_cachet_buf_printf(b, "  CMS content type: %s\n", L->cms_type));
		if (L->micalg_match >= 0)
			CHECK_RET(_cachet_buf_printf(b, "  micalg: %s the signers' digests\n",
						     L->micalg_match ? "matches" : "does NOT match"));
		CHECK_RET(_cachet_buf_printf(b, "  verdict: %s\n",
					     L->result ? cachet_strerror_name(L->result) : "OK"));
		if (L->sh.n)
			CHECK_RET(_cachet_buf_printf(b, "  secure header fields (RFC 7508, %s): %zu field%s, "
						     "%s\n", _cachet_sechdr_canon_name(L->sh.canon), L->sh.n,
						     L->sh.n == 1 ? "" : "s",
						     L->sh_verdict == 0 ? "as in the message header"
									: "DIFFERENT from the message header"));
		CHECK_RET(_cachet_findings_out(b, &L->findings, false));
		/* The embedded report, indented. */
		for (size_t k = 0; k < L->text.size;) {
			const char *line = (const char *)L->text.data + k;
			const char *nl = memchr(line, '\n', L->text.size - k);
			size_t len = nl ? (size_t)(nl - line) : L->text.size - k;
			CHECK_RET(_cachet_buf_printf(b, "  | %.*s\n", (int)len, line));
			k += len + 1;
		}
	}
	if (sm->inner_ctype)
		CHECK_RET(_cachet_buf_printf(b, "inner entity: %s%s\n", sm->inner_ctype,
					     sm->result ? " (withheld)" : ""));
	CHECK_RET(hp_text(&sm->hp, b));
	return _cachet_findings_out(b, &sm->findings, false);
}

int cachet_smime_report(const cachet_smime_t *sm, unsigned flags, cachet_datum_t *out)
{
	cbuf_t b = {0};
	int ret;
	if (sm == NULL || out == NULL)
		return CACHET_E_INVALID_ARG;
	if (!sm->has_run)
		return CACHET_E_BAD_STATE;
	ret = (flags & CACHET_INSPECT_JSON) ? report_json(sm, &b) : report_text(sm, &b);
	if (ret < 0) {
		_cachet_buf_free(&b);
		return ret;
	}
	out->data = b.data;
	out->size = b.size;
	return 0;
}

const cachet_report_t *_cachet_smime_layer_report(const cachet_smime_t *sm, size_t i)
{
	return sm && i < sm->nlayers ? sm->layers[i].rep : NULL;
}

const cachet_certs_t *_cachet_smime_layer_certs(const cachet_smime_t *sm, size_t i)
{
	return sm && i < sm->nlayers ? sm->layers[i].certs : NULL;
}
