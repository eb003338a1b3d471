/* t-smime-write.c -- what cachet_smime_sign, cachet_smime_encrypt and
 * cachet_smime_compress write (RFC 8551 section 3): the multipart/signed
 * frame (boundary, protocol, micalg per digest), the first part exactly
 * the canonical entity, CRLF, transfer encodings, outer header fields
 * kept byte for byte and Content-* moved inside, headerless input, body
 * sizes, and the CMS inside each message checked by the library's own
 * verify, decrypt and decompress.  The test PKI comes from
 * CACHET_PKI_DIR; a missing one is a failure. */
#include "mime.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"

static char pki[1024];
static cachet_datum_t root, chain;

static int load(const char *name, cachet_datum_t *d)
{
	char path[1200];
	snprintf(path, sizeof(path), "%s/%s", pki, name);
	return tap_slurp(path, &d->data, &d->size);
}

static void unload(cachet_datum_t *d)
{
	free(d->data);
	d->data = NULL;
	d->size = 0;
}

/* A signing handle with USER (alice: RSA, carol: ECDSA P-256) and
 * DIGEST; a second signer when USER2 is not NULL. */
static cachet_sign_t *signer(const char *user, cachet_digest_t digest, const char *user2,
			     cachet_digest_t digest2)
{
	cachet_sign_t *s = NULL;
	const char *users[2] = {user, user2};
	cachet_digest_t ds[2] = {digest, digest2};
	if (cachet_sign_init(&s) < 0)
		return NULL;
	for (int i = 0; i < 2 && users[i]; i++) {
		char c[64], k[64];
		cachet_datum_t cd = {0}, kd = {0};
		snprintf(c, sizeof(c), "%s.crt.pem", users[i]);
		snprintf(k, sizeof(k), "%s.key.pem", users[i]);
		int bad = load(c, &cd) < 0 || load(k, &kd) < 0 ||
			  cachet_sign_add_signer(s, &cd, &kd, NULL, ds[i], 0, NULL) < 0;
		unload(&cd);
		unload(&kd);
		if (bad) {
			cachet_sign_deinit(s);
			return NULL;
		}
	}
	if (cachet_sign_add_certs(s, &chain, NULL) < 0) {
		cachet_sign_deinit(s);
		return NULL;
	}
	return s;
}

typedef enum { OP_SIGN, OP_ENCRYPT, OP_COMPRESS } op_t;

/* Run one operation over IN into OUT (free with cachet_free). */
static int run(op_t op, void *h, const char *in, size_t len, unsigned flags, cachet_datum_t *out)
{
	cachet_source_t *src = NULL;
	cachet_sink_t *snk = NULL;
	cachet_diag_t *diag = NULL;
	int ret;

	out->data = NULL;
	out->size = 0;
	if ((ret = cachet_diag_init(&diag)) < 0 ||
	    (ret = cachet_source_init_mem(&src, (const uint8_t *)in, len)) < 0 ||
	    (ret = cachet_sink_init_mem(&snk)) < 0)
		goto done;
	if (op == OP_SIGN)
		ret = cachet_smime_sign(h, src, snk, flags, diag);
	else if (op == OP_ENCRYPT)
		ret = cachet_smime_encrypt(h, src, snk, flags, diag);
	else
		ret = cachet_smime_compress(src, snk, flags, diag);
	if (ret == 0)
		ret = cachet_sink_take_mem(snk, out);
	if (ret < 0 && cachet_diag_count(diag) > 0) {
		const char *rule = NULL, *detail = NULL;
		if (cachet_diag_get(diag, cachet_diag_count(diag) - 1, NULL, NULL, &rule, &detail) == 0)
			printf("# %s: %s (%s)\n", cachet_strerror_name(ret), detail ? detail : "",
			       rule ? rule : "");
	}
done:
	cachet_sink_deinit(snk);
	cachet_source_deinit(src);
	cachet_diag_deinit(diag);
	return ret;
}

static int slurp_src(cachet_source_t *src, cbuf_t *b)
{
	uint8_t buf[4096];
	for (;;) {
		long n = _cachet_source_read(src, buf, sizeof(buf));
		if (n < 0)
			return (int)n;
		if (n == 0)
			return 0;
		if (_cachet_buf_append(b, buf, (size_t)n) < 0)
			return CACHET_E_NOMEM;
	}
}

/* A message taken apart: its header, its Content-Type, and for
 * multipart/signed the first part's octets and the signature's DER, for
 * application/pkcs7-mime the DER of the body. */
typedef struct {
	cachet_mime_header_t h;
	cachet_mime_ctype_t ct;
	cbuf_t head;	/* the octets of the header block */
	cbuf_t part1;	/* multipart/signed: the first part, exactly */
	cachet_mime_header_t h2;
	cachet_mime_ctype_t ct2; /* the second part's Content-Type */
	cbuf_t der;	/* the signature part's or the body's DER */
	size_t nparts;
} msg_t;

static void msg_free(msg_t *m)
{
	_cachet_mime_header_deinit(&m->h);
	_cachet_mime_header_deinit(&m->h2);
	_cachet_mime_ctype_deinit(&m->ct);
	_cachet_mime_ctype_deinit(&m->ct2);
	_cachet_buf_free(&m->head);
	_cachet_buf_free(&m->part1);
	_cachet_buf_free(&m->der);
	memset(m, 0, sizeof(*m));
}

static int decode_body(cachet_source_t *src, const cachet_mime_header_t *h, cbuf_t *out)
{
	const cachet_mime_field_t *f = _cachet_mime_header_get(h, "Content-Transfer-Encoding", 0);
	cachet_mime_cte_t cte;
	cachet_source_t *dec = NULL;
	int ret = _cachet_mime_cte_parse(f ? f->value : NULL, &cte, NULL);
	if (ret == 0)
		ret = _cachet_mime_decoder_init(&dec, cte, src, NULL);
	if (ret == 0)
		ret = slurp_src(dec, out);
	cachet_source_deinit(dec);
	return ret;
}

static int parse(const cachet_datum_t *d, msg_t *m)
{
	cachet_source_t *src = NULL, *part = NULL;
	cachet_mime_split_t *sp = NULL;
	const cachet_mime_field_t *f;
	int ret;

	memset(m, 0, sizeof(*m));
	if ((ret = cachet_source_init_mem(&src, d->data, d->size)) < 0)
		return ret;
	if ((ret = _cachet_mime_header_read(&m->h, src, NULL)) < 0)
		goto done;
	if ((ret = _cachet_buf_append(&m->head, d->data, (size_t)m->h.body)) < 0)
		goto done;
	if ((f = _cachet_mime_header_get(&m->h, "Content-Type", 0)) == NULL) {
		ret = CACHET_E_MALFORMED;
		goto done;
	}
	if ((ret = _cachet_mime_ctype_parse(&m->ct, f->value, NULL)) < 0)
		goto done;
	if (!_cachet_mime_ctype_is(&m->ct, "multipart", "signed")) {
		ret = decode_body(src, &m->h, &m->der);
		goto done;
	}
	if ((ret = _cachet_mime_split_init(&sp, src, _cachet_mime_ctype_param(&m->ct, "boundary"), 0,
					   NULL)) < 0 ||
	    (ret = _cachet_mime_split_next(sp, &part)) < 0 || (ret = slurp_src(part, &m->part1)) < 0 ||
	    (ret = _cachet_mime_split_next(sp, &part)) < 0 ||
	    (ret = _cachet_mime_header_read(&m->h2, part, NULL)) < 0)
		goto done;
	if ((f = _cachet_mime_header_get(&m->h2, "Content-Type", 0)) == NULL ||
	    (ret = _cachet_mime_ctype_parse(&m->ct2, f->value, NULL)) < 0 ||
	    (ret = decode_body(part, &m->h2, &m->der)) < 0)
		goto done;
	ret = _cachet_mime_split_next(sp, &part);
	ret = ret == CACHET_E_END ? 0 : CACHET_E_MALFORMED;
	m->nparts = _cachet_mime_split_count(sp);
done:
	_cachet_mime_split_deinit(sp);
	cachet_source_deinit(src);
	return ret;
}

static bool param_is(const cachet_mime_ctype_t *ct, const char *name, const char *want)
{
	const char *v = _cachet_mime_ctype_param(ct, name);
	if (v == NULL || strcmp(v, want) != 0) {
		printf("# %s: got '%s', want '%s'\n", name, v ? v : "(none)", want);
		return false;
	}
	return true;
}

static bool same(const cbuf_t *b, const char *want, size_t n)
{
	if (b->size == n && memcmp(b->data, want, n) == 0)
		return true;
	printf("# got %zu octets, want %zu: '%.*s'\n", b->size, n, (int)(b->size < 200 ? b->size : 200),
	       b->data ? (const char *)b->data : "");
	return false;
}

/* Verify the SignedData DER (detached over CONTENT when not NULL); the
 * encapsulated content goes to ECONTENT when not NULL. */
static int verify(const cbuf_t *der, const cbuf_t *content, cbuf_t *econtent)
{
	cachet_verify_t *v = NULL;
	cachet_source_t *in = NULL, *det = NULL;
	cachet_sink_t *co = NULL;
	cachet_report_t *rep = NULL;
	cachet_datum_t got = {0};
	int ret;

	if ((ret = cachet_verify_init(&v)) < 0 || (ret = cachet_verify_add_trust(v, &root, NULL)) < 0 ||
	    (ret = cachet_source_init_mem(&in, der->data, der->size)) < 0 ||
	    (ret = cachet_sink_init_mem(&co)) < 0)
		goto done;
	if (content && (ret = cachet_source_init_mem(&det, content->data, content->size)) < 0)
		goto done;
	ret = cachet_verify_run(v, in, det, co, &rep, NULL);
	if (ret == 0 && econtent && (ret = cachet_sink_take_mem(co, &got)) == 0) {
		ret = _cachet_buf_append(econtent, got.data, got.size);
		cachet_free(got.data);
	}
done:
	cachet_report_deinit(rep);
	cachet_sink_deinit(co);
	cachet_source_deinit(det);
	cachet_source_deinit(in);
	cachet_verify_deinit(v);
	return ret;
}

/* Sign IN detached with S and check the frame; *M holds the parts. */
static bool sign_detached(cachet_sign_t *s, const char *in, size_t len, unsigned flags, msg_t *m,
			  const char *micalg, const char *what)
{
	cachet_datum_t out;
	bool good = true;
	int ret = run(OP_SIGN, s, in, len, flags, &out);
	memset(m, 0, sizeof(*m));
	good &= ok(ret == 0, "%s: cachet_smime_sign returns 0 (%s)", what, cachet_strerror_name(ret));
	if (ret < 0)
		return false;
	ret = parse(&out, m);
	good &= ok(ret == 0 && _cachet_mime_ctype_is(&m->ct, "multipart", "signed") && m->nparts == 2,
		   "%s: multipart/signed with two parts", what);
	good &= ok(param_is(&m->ct, "protocol", "application/pkcs7-signature"),
		   "%s: protocol=\"application/pkcs7-signature\" (RFC 8551 section 3.5.3.2)", what);
	good &= ok(param_is(&m->ct, "micalg", micalg), "%s: micalg=%s", what, micalg);
	const char *b = _cachet_mime_ctype_param(&m->ct, "boundary");
	good &= ok(b && strncmp(b, "=_cachet_", 9) == 0 && strlen(b) <= CACHET_MIME_MAX_BOUNDARY,
		   "%s: boundary from _cachet_mime_boundary_new (%s)", what, b ? b : "none");
	good &= ok(_cachet_mime_ctype_is(&m->ct2, "application", "pkcs7-signature") &&
			   param_is(&m->ct2, "name", "smime.p7s") &&
			   _cachet_mime_header_get(&m->h2, "Content-Disposition", 0) &&
			   strcmp(_cachet_mime_header_get(&m->h2, "Content-Disposition", 0)->value,
				  "attachment; filename=smime.p7s") == 0,
		   "%s: second part application/pkcs7-signature, smime.p7s, attachment", what);
	ret = verify(&m->der, &m->part1, NULL);
	good &= ok(ret == 0, "%s: the base64 of the second part is a SignedData over the first part (%s)",
		   what, cachet_strerror_name(ret));
	good &= ok(_cachet_mime_header_count(&m->h, "MIME-Version") == 1 &&
			   strcmp(_cachet_mime_header_get(&m->h, "MIME-Version", 0)->value, "1.0") == 0,
		   "%s: MIME-Version: 1.0 once, outside", what);
	good &= ok(_cachet_mime_detect_eol(out.data, out.size) == CACHET_MIME_EOL_CRLF,
		   "%s: every line of the message ends in CRLF", what);
	cachet_free(out.data);
	return good;
}

static void t_micalg(void)
{
	static const struct {
		const char *user, *user2;
		cachet_digest_t d, d2;
		const char *micalg;
	} cases[] = {
		{"alice", NULL, CACHET_DIGEST_SHA256, 0, "sha-256"},
		{"alice", NULL, CACHET_DIGEST_SHA384, 0, "sha-384"},
		{"alice", NULL, CACHET_DIGEST_SHA512, 0, "sha-512"},
		{"carol", NULL, CACHET_DIGEST_DEFAULT, 0, "sha-256"},
		{"carol", NULL, CACHET_DIGEST_SHA384, 0, "sha-384"},
		{"alice", "carol", CACHET_DIGEST_SHA256, CACHET_DIGEST_SHA512, "sha-256,sha-512"},
		{"alice", "carol", CACHET_DIGEST_SHA384, CACHET_DIGEST_SHA384, "sha-384"},
	};
	static const char in[] = "Subject: micalg\r\n\r\nSigned text.\r\n";
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char what[96];
		msg_t m;
		cachet_sign_t *s = signer(cases[i].user, cases[i].d, cases[i].user2, cases[i].d2);
		snprintf(what, sizeof(what), "%s%s%s %s", cases[i].user, cases[i].user2 ? "+" : "",
			 cases[i].user2 ? cases[i].user2 : "", cases[i].micalg);
		if (!ok(s != NULL, "%s: signer loaded", what))
			continue;
		sign_detached(s, in, sizeof(in) - 1, 0, &m, cases[i].micalg, what);
		msg_free(&m);
		cachet_sign_deinit(s);
	}
}

/* One input, its expected canonical entity and outer header. */
static void t_entity(cachet_sign_t *s)
{
	static const struct {
		const char *name, *in, *entity, *outer;
		size_t in_len; /* 0: strlen */
	} cases[] = {
		{"LF input becomes CRLF; Content-* move inside",
		 "From: a@example.org\nSubject: s\nContent-Type: text/plain\n\nline1\nline2\n",
		 "Content-Type: text/plain\r\n\r\nline1\r\nline2\r\n",
		 "From: a@example.org\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/signed", 0},
		{"outer fields byte for byte (folds, spacing, order); old MIME-Version dropped",
		 "Received: from x\r\n\tby y; Mon, 23 Nov 2026 10:00:00 +0000\r\nFrom:   Alice  <a@example.org>\r\n"
		 "MIME-Version: 1.0\r\nContent-Type: text/plain;\r\n charset=us-ascii\r\nTo: b@example.org\r\n"
		 "Content-ID: <1@x>\r\nX-Odd:v \r\nContent-Disposition: inline\r\n\r\nbody\r\n",
		 "Content-Type: text/plain;\r\n charset=us-ascii\r\nContent-ID: <1@x>\r\n"
		 "Content-Disposition: inline\r\n\r\nbody\r\n",
		 "Received: from x\r\n\tby y; Mon, 23 Nov 2026 10:00:00 +0000\r\nFrom:   Alice  <a@example.org>\r\n"
		 "To: b@example.org\r\nX-Odd:v \r\nMIME-Version: 1.0\r\nContent-Type: multipart/signed", 0},
		{"no Content-Type: text/plain; charset=us-ascii added",
		 "Subject: plain\r\n\r\nhi\r\n", "Content-Type: text/plain; charset=us-ascii\r\n\r\nhi\r\n",
		 "Subject: plain\r\nMIME-Version: 1.0\r\n", 0},
		{"empty header block", "\r\nbody only\r\n",
		 "Content-Type: text/plain; charset=us-ascii\r\n\r\nbody only\r\n", "MIME-Version: 1.0\r\n", 0},
		{"headerless 7-bit input is text/plain us-ascii", "Hello, world\nsecond line",
		 "Content-Type: text/plain; charset=us-ascii\r\n\r\nHello, world\r\nsecond line",
		 "MIME-Version: 1.0\r\nContent-Type: multipart/signed", 0},
		{"headerless input with a colon after a space is a body", "Dear Bob: hi\n",
		 "Content-Type: text/plain; charset=us-ascii\r\n\r\nDear Bob: hi\r\n", "MIME-Version: 1.0\r\n", 0},
		{"headerless UTF-8 is text/plain utf-8, quoted-printable", "caf\xc3\xa9 au lait, s'il vous pla\xc3\xaet\n",
		 "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"
		 "\r\ncaf=C3=A9 au lait, s'il vous pla=C3=AEt\r\n",
		 "MIME-Version: 1.0\r\n", 0},
		{"headerless binary is application/octet-stream, base64, octets unchanged",
		 "\x00\x01\n\xff\r", "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
				     "\r\nAAEK/w0=\r\n",
		 "MIME-Version: 1.0\r\n", 5},
		{"empty input", "", "Content-Type: text/plain; charset=us-ascii\r\n\r\n", "MIME-Version: 1.0\r\n", 0},
		{"8-bit text gets quoted-printable, the old CTE replaced",
		 "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n\xa1Hola!\nFrom me\n",
		 "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n"
		 "\r\n=A1Hola!\r\n=46rom me\r\n",
		 "MIME-Version: 1.0\r\n", 0},
		{"non-text with NULs gets base64 of the raw octets",
		 "Content-Type: application/x-test\n\nA\x00\n\x80", "Content-Type: application/x-test\r\n"
								   "Content-Transfer-Encoding: base64\r\n\r\nQQAKgA==\r\n",
		 "MIME-Version: 1.0\r\n", 38},
		{"mostly 8-bit text gets base64 of the canonical form",
		 "Content-Type: text/plain; charset=utf-8\n\n\xd0\x9f\xd1\x80\xd0\xb8\n",
		 "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n0J/RgNC4DQo=\r\n",
		 "MIME-Version: 1.0\r\n", 0},
		{"a header block the input ends in", "Subject: no body",
		 "Content-Type: text/plain; charset=us-ascii\r\n\r\n", "Subject: no body\r\nMIME-Version: 1.0\r\n", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		msg_t m;
		size_t len = cases[i].in_len ? cases[i].in_len : strlen(cases[i].in);
		if (sign_detached(s, cases[i].in, len, 0, &m, "sha-256", cases[i].name) || 1) {
			ok(same(&m.part1, cases[i].entity, strlen(cases[i].entity)),
			   "%s: the first part is exactly the canonical entity", cases[i].name);
			ok(m.head.size >= strlen(cases[i].outer) &&
				   memcmp(m.head.data, cases[i].outer, strlen(cases[i].outer)) == 0,
			   "%s: the outer header is as expected", cases[i].name);
		}
		msg_free(&m);
	}
}

/* Bodies of 0, 1 and 300 KB octets, and a line over 998 octets. */
static void t_sizes(cachet_sign_t *s)
{
	static const size_t sizes[] = {0, 1, 300 * 1024};
	const char *hdr = "Subject: size\r\nContent-Type: text/plain\r\n\r\n";
	for (size_t i = 0; i < 3; i++) {
		size_t n = sizes[i], hl = strlen(hdr);
		char *in = malloc(hl + n + 1), *ent = malloc(n + 64), what[64];
		msg_t m;
		memcpy(in, hdr, hl);
		for (size_t j = 0; j < n; j++)
			in[hl + j] = (j % 64 == 63) ? '\n' : (char)('a' + j % 26);
		/* The entity: Content-Type, then the body with CRLF. */
		size_t el = (size_t)sprintf(ent, "Content-Type: text/plain\r\n\r\n");
		cbuf_t want = {0};
		_cachet_buf_append(&want, ent, el);
		for (size_t j = 0; j < n; j++)
			_cachet_buf_append(&want, in[hl + j] == '\n' ? "\r\n" : &in[hl + j],
					   in[hl + j] == '\n' ? 2 : 1);
		snprintf(what, sizeof(what), "body of %zu octets", n);
		sign_detached(s, in, hl + n, 0, &m, "sha-256", what);
		ok(same(&m.part1, (const char *)want.data, want.size), "%s: first part is the canonical entity",
		   what);
		msg_free(&m);
		_cachet_buf_free(&want);
		free(in);
		free(ent);
	}
	/* A 7-bit line over 998 octets (RFC 5322 section 2.1.1) is encoded. */
	{
		char in[1300];
		msg_t m;
		size_t hl = (size_t)sprintf(in, "Content-Type: text/plain\n\n");
		memset(in + hl, 'x', 1200);
		in[hl + 1200] = '\n';
		sign_detached(s, in, hl + 1201, 0, &m, "sha-256", "a 1200-octet line");
		const char *cte = strstr((const char *)m.part1.data ? (const char *)m.part1.data : "",
					 "Content-Transfer-Encoding: quoted-printable\r\n");
		ok(cte != NULL && !_cachet_mime_has_long_line(m.part1.data, m.part1.size),
		   "a 1200-octet line: quoted-printable, no line over 998 octets");
		msg_free(&m);
	}
}

static void t_binary(cachet_sign_t *s)
{
	static const char in[] = "Content-Type: text/plain; charset=utf-8\n\ncaf\xc3\xa9\n";
	static const char want[] = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
				   "\r\ncaf\xc3\xa9\r\n";
	msg_t m;
	sign_detached(s, in, sizeof(in) - 1, CACHET_SMIME_BINARY, &m, "sha-256", "CACHET_SMIME_BINARY");
	ok(same(&m.part1, want, sizeof(want) - 1),
	   "CACHET_SMIME_BINARY: 8-bit text kept (canonical CRLF), labelled 8bit");
	msg_free(&m);
}

static void t_opaque(cachet_sign_t *s)
{
	static const char in[] = "From: a@example.org\nSubject: opaque\n\nOpaque body\n";
	static const char want[] = "Content-Type: text/plain; charset=us-ascii\r\n\r\nOpaque body\r\n";
	cachet_datum_t out;
	cbuf_t content = {0};
	msg_t m = {0};
	int ret = run(OP_SIGN, s, in, sizeof(in) - 1, CACHET_SMIME_OPAQUE, &out);
	ok(ret == 0, "opaque: cachet_smime_sign returns 0 (%s)", cachet_strerror_name(ret));
	ret = ret ? ret : parse(&out, &m);
	ok(ret == 0 && _cachet_mime_ctype_is(&m.ct, "application", "pkcs7-mime") &&
		   param_is(&m.ct, "smime-type", "signed-data") && param_is(&m.ct, "name", "smime.p7m"),
	   "opaque: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m");
	ok(m.head.data && strstr((const char *)m.head.data, "Content-Disposition: attachment; filename=smime.p7m\r\n") &&
		   strstr((const char *)m.head.data, "Content-Transfer-Encoding: base64\r\n") &&
		   memcmp(m.head.data, "From: a@example.org\r\nSubject: opaque\r\nMIME-Version: 1.0\r\n", 56) == 0,
	   "opaque: outer fields, base64, Content-Disposition attachment (RFC 8551 section 3.2.1)");
	ret = verify(&m.der, NULL, &content);
	ok(ret == 0 && same(&content, want, sizeof(want) - 1),
	   "opaque: the body is a SignedData that verifies and holds the canonical entity (%s)",
	   cachet_strerror_name(ret));
	_cachet_buf_free(&content);
	msg_free(&m);
	cachet_free(out.data);
}

static cachet_encrypt_t *encryptor(cachet_cipher_t c)
{
	cachet_encrypt_t *e = NULL;
	cachet_datum_t cd = {0};
	if (cachet_encrypt_init(&e) < 0 || cachet_encrypt_set_cipher(e, c) < 0 || load("alice.crt.pem", &cd) < 0 ||
	    cachet_encrypt_add_recipient(e, &cd, 0, NULL) < 0) {
		cachet_encrypt_deinit(e);
		e = NULL;
	}
	unload(&cd);
	return e;
}

static int decrypt(const cbuf_t *der, cbuf_t *content)
{
	cachet_decrypt_t *d = NULL;
	cachet_datum_t cd = {0}, kd = {0}, got = {0};
	cachet_source_t *in = NULL;
	cachet_sink_t *out = NULL;
	int ret = CACHET_E_IO;
	if (load("alice.crt.pem", &cd) < 0 || load("alice.key.pem", &kd) < 0)
		goto done;
	if ((ret = cachet_decrypt_init(&d)) < 0 || (ret = cachet_decrypt_add_key(d, &cd, &kd, NULL, NULL)) < 0 ||
	    (ret = cachet_source_init_mem(&in, der->data, der->size)) < 0 ||
	    (ret = cachet_sink_init_mem(&out)) < 0 || (ret = cachet_decrypt_run(d, in, out, NULL)) < 0 ||
	    (ret = cachet_sink_take_mem(out, &got)) < 0)
		goto done;
	ret = _cachet_buf_append(content, got.data, got.size);
done:
	cachet_free(got.data);
	cachet_sink_deinit(out);
	cachet_source_deinit(in);
	cachet_decrypt_deinit(d);
	unload(&cd);
	cachet_free_secret(&kd);
	return ret;
}

static void t_encrypt(void)
{
	static const struct {
		cachet_cipher_t c;
		const char *name, *type;
	} cases[] = {
		{CACHET_CIPHER_AES128_GCM, "AES-128-GCM", "authEnveloped-data"},
		{CACHET_CIPHER_CHACHA20_POLY1305, "ChaCha20-Poly1305", "authEnveloped-data"},
		{CACHET_CIPHER_AES256_CBC, "AES-256-CBC", "enveloped-data"},
	};
	static const char in[] = "To: b@example.org\nContent-Type: text/plain; charset=utf-8\n\nthe secret costs 5 \xe2\x82\xac, no more\n";
	static const char want[] = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"
				   "\r\nthe secret costs 5 =E2=82=AC, no more\r\n";
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cachet_encrypt_t *e = encryptor(cases[i].c);
		cachet_datum_t out = {0};
		cbuf_t content = {0};
		msg_t m = {0};
		int ret = e ? run(OP_ENCRYPT, e, in, sizeof(in) - 1, 0, &out) : CACHET_E_IO;
		ok(ret == 0, "encrypt %s: cachet_smime_encrypt returns 0 (%s)", cases[i].name, cachet_strerror_name(ret));
		ret = ret ? ret : parse(&out, &m);
		ok(ret == 0 && _cachet_mime_ctype_is(&m.ct, "application", "pkcs7-mime") &&
			   param_is(&m.ct, "smime-type", cases[i].type) && param_is(&m.ct, "name", "smime.p7m") &&
			   memcmp(m.head.data, "To: b@example.org\r\nMIME-Version: 1.0\r\n", 38) == 0,
		   "encrypt %s: application/pkcs7-mime; smime-type=%s (RFC 8551 section 3.2.2)", cases[i].name,
		   cases[i].type);
		ret = decrypt(&m.der, &content);
		ok(ret == 0 && same(&content, want, sizeof(want) - 1),
		   "encrypt %s: decrypts to the canonical entity (%s)", cases[i].name, cachet_strerror_name(ret));
		_cachet_buf_free(&content);
		msg_free(&m);
		cachet_free(out.data);
		cachet_encrypt_deinit(e);
	}
	/* EncryptedData has no smime-type. */
	{
		cachet_encrypt_t *e = NULL;
		uint8_t key[16] = {1, 2, 3};
		cachet_datum_t kd = {key, sizeof(key)}, out = {0};
		int ret = cachet_encrypt_init(&e);
		if (ret == 0)
			ret = cachet_encrypt_set_cipher(e, CACHET_CIPHER_AES128_CBC);
		if (ret == 0)
			ret = cachet_encrypt_set_content_key(e, &kd, NULL);
		if (ret == 0)
			ret = run(OP_ENCRYPT, e, in, sizeof(in) - 1, 0, &out);
		ok(ret == CACHET_E_UNSUPPORTED, "encrypt: EncryptedData is CACHET_E_UNSUPPORTED (%s)",
		   cachet_strerror_name(ret));
		cachet_free(out.data);
		cachet_encrypt_deinit(e);
	}
}

static void t_compress(void)
{
	static const char in[] = "Subject: z\n\nzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\n";
	static const char want[] = "Content-Type: text/plain; charset=us-ascii\r\n\r\nzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\r\n";
	cachet_datum_t out = {0}, got = {0};
	cachet_decompress_t *d = NULL;
	cachet_source_t *src = NULL;
	cachet_sink_t *snk = NULL;
	cbuf_t content = {0};
	msg_t m = {0};
	int ret = run(OP_COMPRESS, NULL, in, sizeof(in) - 1, 0, &out);
	ok(ret == 0, "compress: cachet_smime_compress returns 0 (%s)", cachet_strerror_name(ret));
	ret = ret ? ret : parse(&out, &m);
	ok(ret == 0 && param_is(&m.ct, "smime-type", "compressed-data") && param_is(&m.ct, "name", "smime.p7z") &&
		   strstr((const char *)m.head.data, "filename=smime.p7z"),
	   "compress: application/pkcs7-mime; smime-type=compressed-data; name=smime.p7z (RFC 8551 section 3.6)");
	if (ret == 0 && (ret = cachet_decompress_init(&d)) == 0 &&
	    (ret = cachet_source_init_mem(&src, m.der.data, m.der.size)) == 0 &&
	    (ret = cachet_sink_init_mem(&snk)) == 0 && (ret = cachet_decompress_run(d, src, snk, NULL)) == 0 &&
	    (ret = cachet_sink_take_mem(snk, &got)) == 0)
		ret = _cachet_buf_append(&content, got.data, got.size);
	ok(ret == 0 && same(&content, want, sizeof(want) - 1), "compress: decompresses to the canonical entity (%s)",
	   cachet_strerror_name(ret));
	cachet_free(got.data);
	cachet_sink_deinit(snk);
	cachet_source_deinit(src);
	cachet_decompress_deinit(d);
	_cachet_buf_free(&content);
	msg_free(&m);
	cachet_free(out.data);
}

static void t_errors(cachet_sign_t *s)
{
	static const struct {
		const char *name, *in;
		unsigned flags;
		int code;
	} cases[] = {
		{"a message/rfc822 entity with 8-bit octets cannot be encoded (RFC 2045 section 6.4)",
		 "Content-Type: message/rfc822\n\nSubject: x\n\ncaf\xc3\xa9\n", 0, CACHET_E_UNSUPPORTED},
		{"a message/rfc822 part with 8-bit octets inside a multipart",
		 "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\n"
		 "Subject: x\n\ncaf\xc3\xa9\n--b--\n", 0, CACHET_E_UNSUPPORTED},
		{"a part declared base64 holding 8-bit octets",
		 "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Transfer-Encoding: base64\n\n"
		 "caf\xc3\xa9\n--b--\n", 0, CACHET_E_MALFORMED},
		{"declared base64 holding 8-bit octets", "Content-Transfer-Encoding: base64\n\n\xff\xfe\n", 0,
		 CACHET_E_MALFORMED},
		{"Content-Type given twice", "Content-Type: text/plain\nContent-Type: text/html\n\nx\n", 0,
		 CACHET_E_MALFORMED},
		{"an unknown transfer encoding", "Content-Transfer-Encoding: x-uu\n\nx\n", 0, CACHET_E_UNSUPPORTED},
		{"a broken header block", "Subject: x\nthis is not a field\n\nbody\n", 0, CACHET_E_MALFORMED},
		{"an unknown flag", "Subject: x\n\nbody\n", 1u << 7, CACHET_E_INVALID_ARG},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cachet_datum_t out = {0};
		int ret = run(OP_SIGN, s, cases[i].in, strlen(cases[i].in), cases[i].flags, &out);
		ok(ret == cases[i].code, "error: %s is %s (got %s)", cases[i].name, cachet_strerror_name(cases[i].code),
		   cachet_strerror_name(ret));
		cachet_free(out.data);
	}
	{
		/* Without it, each leaf gets its own 7-bit encoding (RFC 8551
		 * section 3.1.2; RFC 2045 section 6.4), nested multiparts too;
		 * preamble, epilogue and 7-bit parts are kept. */
		msg_t m;
		static const char in[] =
			"Content-Type: multipart/mixed; boundary=b\nContent-Transfer-Encoding: 8bit\n\n"
			"pre\n--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
			"caf\xc3\xa9 au lait, as usual\n--b\nContent-Type: multipart/alternative; boundary=c\n\n--c\n\nascii\n"
			"--c\nContent-Type: application/octet-stream\n\n\x00\xff\n--c--\n--b--\nepi\n";
		sign_detached(s, in, sizeof(in) - 1, 0, &m, "sha-256", "8-bit multipart");
		const char *p1 = (const char *)m.part1.data;
		ok(p1 && !_cachet_mime_has_8bit(m.part1.data, m.part1.size) &&
			   !_cachet_mime_has_nul(m.part1.data, m.part1.size),
		   "8-bit multipart: the signed part is 7-bit data");
		ok(p1 && strstr(p1, "Content-Type: multipart/mixed; boundary=b\r\n\r\npre\r\n--b\r\n") &&
			   !strstr(p1, "Content-Transfer-Encoding: 8bit"),
		   "8-bit multipart: the multipart's 8bit label is gone, the preamble kept");
		ok(p1 && strstr(p1, "charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
				    "caf=C3=A9 au lait, as usual\r\n--b\r\n"),
		   "8-bit multipart: the UTF-8 text part is quoted-printable");
		ok(p1 && strstr(p1, "--c\r\n\r\nascii\r\n--c\r\n"),
		   "8-bit multipart: a 7-bit part of the nested multipart is kept as it was");
		ok(p1 && strstr(p1, "application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
				    "AP8=\r\n"),
		   "8-bit multipart: the binary part of the nested multipart is base64");
		ok(p1 && strstr(p1, "--c--\r\n--b--\r\nepi\r\n"),
		   "8-bit multipart: close delimiters and the epilogue kept");
		msg_free(&m);
	}
	{
		/* With CACHET_SMIME_BINARY the multipart goes through, labelled. */
		msg_t m;
		static const char in[] = "Content-Type: multipart/mixed; boundary=b\n\n--b\n\ncaf\xc3\xa9\n--b--\n";
		sign_detached(s, in, sizeof(in) - 1, CACHET_SMIME_BINARY, &m, "sha-256", "8-bit multipart, binary");
		ok(m.part1.data && strstr((const char *)m.part1.data, "Content-Transfer-Encoding: 8bit\r\n") &&
			   strstr((const char *)m.part1.data, "\r\n--b\r\n\r\ncaf\xc3\xa9\r\n--b--\r\n"),
		   "8-bit multipart with CACHET_SMIME_BINARY: canonical, labelled 8bit");
		msg_free(&m);
	}
	{
		/* CACHET_SMIME_SECURE_HEADERS adds its attribute for one
		 * message only: the same handle signs the next one too. */
		static const char in[] = "From: a@example.org\nSubject: one\n\nbody\n";
		cachet_datum_t o1 = {0}, o2 = {0};
		int r1 = run(OP_SIGN, s, in, sizeof(in) - 1, CACHET_SMIME_SECURE_HEADERS, &o1);
		int r2 = run(OP_SIGN, s, in, sizeof(in) - 1, CACHET_SMIME_SECURE_HEADERS, &o2);
		ok(r1 == 0 && r2 == 0, "SecureHeaderFields twice on one handle (%s, %s)", cachet_strerror_name(r1),
		   cachet_strerror_name(r2));
		cachet_free(o1.data);
		cachet_free(o2.data);
		int r3 = run(OP_SIGN, s, in, sizeof(in) - 1, CACHET_SMIME_OPAQUE, &o1);
		ok(r3 == 0 && o1.size > 0, "and then a message without it (%s)", cachet_strerror_name(r3));
		cachet_free(o1.data);
	}
	ok(cachet_smime_sign(NULL, NULL, NULL, 0, NULL) == CACHET_E_INVALID_ARG &&
		   cachet_smime_encrypt(NULL, NULL, NULL, 0, NULL) == CACHET_E_INVALID_ARG &&
		   cachet_smime_compress(NULL, NULL, 0, NULL) == CACHET_E_INVALID_ARG,
	   "NULL arguments are CACHET_E_INVALID_ARG");
}

int main(void)
{
	const char *dir = getenv("CACHET_PKI_DIR");
	cachet_sign_t *alice;

	if (dir == NULL || *dir == '\0') {
		ok(0, "CACHET_PKI_DIR is set (make check sets it)");
		tap_plan(tap_n);
		return 0;
	}
	snprintf(pki, sizeof(pki), "%s", dir);
	if (!ok(load("root-ca.crt.pem", &root) == 0 && load("chain.pem", &chain) == 0, "the test PKI loads")) {
		tap_plan(tap_n);
		return 0;
	}
	t_micalg();
	alice = signer("alice", CACHET_DIGEST_SHA256, NULL, 0);
	if (ok(alice != NULL, "alice's signer loaded")) {
		t_entity(alice);
		t_sizes(alice);
		t_binary(alice);
		t_opaque(alice);
		t_errors(alice);
	}
	t_encrypt();
	t_compress();
	cachet_sign_deinit(alice);
	unload(&root);
	unload(&chain);
	tap_plan(tap_n);
	return 0;
}
