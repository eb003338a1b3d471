/* t-smime-read.c -- the S/MIME reader (src/lib/smime-read.c): messages
 * made here around Cachet's own signatures, encryption and compression,
 * then damaged on purpose.
 *
 * Each message is a multipart/signed (RFC 1847 section 2.1, RFC 8551
 * section 3.5.3) or an application/pkcs7-mime entity (RFC 8551 section
 * 3.2) built by hand in memory; the signatures come from cachet_sign_run
 * with the test PKI's Alice (vectors/pki, CACHET_PKI_DIR). */
#include "smime-read.h"

#include "tap.h"

#include <stdlib.h>
#include <string.h>

static const char *pki;
static cachet_datum_t alice_crt, alice_key, bob_crt, bob_key, root, chain;

/* The validation time: inside the test PKI's validity (2026-06-01). */
#define AT ((time_t)1780272000)

static cachet_datum_t load(const char *name)
{
	char path[1024];
	cachet_datum_t d = {0};
	snprintf(path, sizeof(path), "%s/%s", pki, name);
	if (tap_slurp(path, &d.data, &d.size) < 0)
		d.data = NULL;
	return d;
}

/* A growing string. */
typedef struct {
	char *p;
	size_t n;
} str_t;

static void sadd(str_t *s, const void *p, size_t n)
{
	s->p = realloc(s->p, s->n + n + 1);
	if (s->p == NULL)
		abort();
	memcpy(s->p + s->n, p, n);
	s->n += n;
	s->p[s->n] = '\0';
}

static void sputs(str_t *s, const char *z)
{
	sadd(s, z, strlen(z));
}

static void b64(str_t *s, const uint8_t *p, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t col = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		char q[4] = {a[v >> 18], a[(v >> 12) & 63], i + 1 < n ? a[(v >> 6) & 63] : '=',
			     i + 2 < n ? a[v & 63] : '='};
		sadd(s, q, 4);
		if ((col += 4) == 76) {
			sputs(s, "\r\n");
			col = 0;
		}
	}
	if (col)
		sputs(s, "\r\n");
}

/* Sign (detached or not) CONTENT as Alice with DIGEST. */
static int sign(const char *content, size_t len, bool detached, cachet_digest_t digest,
		cachet_datum_t *out)
{
	cachet_sign_t *s = NULL;
	cachet_source_t *src = NULL;
	cachet_sink_t *snk = NULL;
	int ret = cachet_sign_init(&s);
	ret = ret ? ret : cachet_sign_add_signer(s, &alice_crt, &alice_key, NULL, digest, 0, NULL);
	ret = ret ? ret : cachet_sign_add_certs(s, &chain, NULL);
	ret = ret ? ret : cachet_sign_set_time(s, AT);
	ret = ret ? ret : cachet_source_init_mem(&src, (const uint8_t *)content, len);
	ret = ret ? ret : cachet_sink_init_mem(&snk);
	ret = ret ? ret : cachet_sign_run(s, src, snk, detached ? CACHET_SIGN_DETACHED : 0, NULL);
	ret = ret ? ret : cachet_sink_take_mem(snk, out);
	cachet_sink_deinit(snk);
	cachet_source_deinit(src);
	cachet_sign_deinit(s);
	return ret;
}

static const char body[] = "Content-Type: text/plain; charset=us-ascii\r\n"
			   "\r\n"
			   "Hello Bob,\r\n"
			   "this part is signed.\r\n";

/* multipart/signed around SIGNED (exactly these octets) with a detached
 * signature over SIGNED_FOR; PROTOCOL and MICALG as given. */
static void msigned(str_t *m, const char *signed_part, const char *signed_for,
		    const char *protocol, const char *micalg, bool with_sig)
{
	cachet_datum_t sig = {0};
	if (sign(signed_for, strlen(signed_for), true, CACHET_DIGEST_SHA256, &sig) < 0)
		abort();
	sputs(m, "From: Alice <alice@example.org>\r\n"
		 "To: bob@example.org\r\n"
		 "Subject: test\r\n"
		 "MIME-Version: 1.0\r\n"
		 "Content-Type: multipart/signed; protocol=\"");
	sputs(m, protocol);
	sputs(m, "\"; micalg=");
	sputs(m, micalg);
	sputs(m, "; boundary=\"=_b1\"\r\n\r\nThis is an S/MIME signed message.\r\n\r\n--=_b1\r\n");
	sputs(m, signed_part);
	sputs(m, "\r\n--=_b1\r\n");
	if (with_sig) {
		sputs(m, "Content-Type: application/pkcs7-signature; name=smime.p7s\r\n"
			 "Content-Transfer-Encoding: base64\r\n\r\n");
		b64(m, sig.data, sig.size);
		sputs(m, "\r\n--=_b1--\r\n");
	} else {
		/* the last delimiter closes right after the first part */
		m->n -= strlen("--=_b1\r\n");
		sputs(m, "--=_b1--\r\n");
	}
	cachet_free(sig.data);
}

/* An application/pkcs7-mime entity around DER. */
static void pkcs7_mime(str_t *m, const char *ctype, const char *smime_type, const uint8_t *der,
		       size_t n)
{
	sputs(m, "Content-Type: ");
	sputs(m, ctype);
	if (smime_type) {
		sputs(m, "; smime-type=");
		sputs(m, smime_type);
	}
	sputs(m, "; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\n");
	b64(m, der, n);
}

typedef struct {
	int ret;
	cachet_datum_t out;
	char *report;
} res_t;

static cachet_verify_t *verifier(void)
{
	cachet_verify_t *v = NULL;
	if (cachet_verify_init(&v) < 0 || cachet_verify_add_trust(v, &root, NULL) < 0 ||
	    cachet_verify_add_certs(v, &chain, NULL) < 0 || cachet_verify_set_time(v, AT) < 0)
		abort();
	return v;
}

static cachet_decrypt_t *decrypter(void)
{
	cachet_decrypt_t *d = NULL;
	if (cachet_decrypt_init(&d) < 0 || cachet_decrypt_add_key(d, &bob_crt, &bob_key, NULL, NULL) < 0)
		abort();
	return d;
}

static res_t open_msg(const void *p, size_t n, unsigned flags)
{
	res_t r = {0};
	cachet_smime_t *sm = NULL;
	cachet_verify_t *v = verifier();
	cachet_decrypt_t *d = decrypter();
	cachet_source_t *src = NULL;
	cachet_sink_t *snk = NULL;
	cachet_datum_t rep = {0};

	if (cachet_smime_init(&sm) < 0 || cachet_smime_set_verify(sm, v) < 0 ||
	    cachet_smime_set_decrypt(sm, d) < 0 || cachet_source_init_mem(&src, p, n) < 0 ||
	    cachet_sink_init_mem(&snk) < 0)
		abort();
	r.ret = cachet_smime_open(sm, src, snk, flags, NULL);
	if (cachet_sink_take_mem(snk, &r.out) < 0)
		abort();
	if (cachet_smime_report(sm, 0, &rep) == 0) {
		r.report = malloc(rep.size + 1);
		memcpy(r.report, rep.data, rep.size);
		r.report[rep.size] = '\0';
		cachet_free(rep.data);
	}
	if (r.report == NULL)
		r.report = calloc(1, 1);
	cachet_sink_deinit(snk);
	cachet_source_deinit(src);
	cachet_smime_deinit(sm);
	cachet_verify_deinit(v);
	cachet_decrypt_deinit(d);
	return r;
}

static void res_free(res_t *r)
{
	cachet_free(r->out.data);
	free(r->report);
}

static bool has(const res_t *r, const char *s)
{
	bool b = strstr(r->report, s) != NULL;
	if (!b)
		printf("# report lacks \"%s\":\n# %s\n", s, r->report);
	return b;
}

/* Replace every CRLF in S from offset FROM on by LF (in place). */
static void crlf_to_lf(str_t *s, size_t from, size_t to)
{
	size_t w = from;
	for (size_t i = from; i < s->n; i++) {
		if (i < to && s->p[i] == '\r' && i + 1 < s->n && s->p[i + 1] == '\n')
			continue;
		s->p[w++] = s->p[i];
	}
	s->n = w;
	s->p[w] = '\0';
}

static int run(void)
{
	str_t m = {0};
	res_t r;

	/* 1. valid: the first part comes out exactly, micalg matches,
	 * From matches Alice's certificate (RFC 8550 section 3). */
	msigned(&m, body, body, "application/pkcs7-signature", "sha-256", true);
	r = open_msg(m.p, m.n, CACHET_SMIME_NEED_SIGNED);
	ok(r.ret == 0, "valid multipart/signed opens (%s)", cachet_strerror_name(r.ret));
	ok(r.out.size == strlen(body) && memcmp(r.out.data, body, r.out.size) == 0,
	   "the innermost entity is the signed part, byte for byte");
	ok(has(&r, "micalg: matches") && has(&r, "From <alice@example.org> matches"),
	   "the report says micalg and From match");
	res_free(&r);
	/* the JSON report */
	{
		cachet_smime_t *sm = NULL;
		cachet_verify_t *v = verifier();
		cachet_source_t *src = NULL;
		cachet_datum_t j = {0};
		int ret = cachet_smime_init(&sm);
		ok(ret == 0 && cachet_smime_report(sm, 0, &j) == CACHET_E_BAD_STATE,
		   "no report before a run");
		ret = ret ? ret : cachet_smime_set_verify(sm, v);
		ret = ret ? ret : cachet_source_init_mem(&src, (const uint8_t *)m.p, m.n);
		ret = ret ? ret : cachet_smime_open(sm, src, NULL, 0, NULL);
		ret = ret ? ret : cachet_smime_report(sm, CACHET_INSPECT_JSON, &j);
		ok(ret == 0 && j.size > 2 && j.data[0] == '{' &&
			   memmem(j.data, j.size, "\"micalg_matches\":true", 21) &&
			   memmem(j.data, j.size, "\"verify\":{", 10),
		   "JSON report with the embedded verify report");
		cachet_free(j.data);
		cachet_source_deinit(src);
		cachet_smime_deinit(sm);
		cachet_verify_deinit(v);
	}

	/* 2. bare LF damage (RFC 8551 section 3.1.1): found, explained, the
	 * CRLF form named as the one that would match, nothing released. */
	{
		str_t d = {0};
		sadd(&d, m.p, m.n);
		char *start = strstr(d.p, "--=_b1\r\n") + 8;
		char *end = strstr(start, "\r\n--=_b1");
		crlf_to_lf(&d, (size_t)(start - d.p), (size_t)(end - d.p));
		r = open_msg(d.p, d.n, 0);
		ok(r.ret == CACHET_E_DIGEST_MISMATCH, "bare LF: CACHET_E_DIGEST_MISMATCH (%s)",
		   cachet_strerror_name(r.ret));
		ok(r.out.size == 0, "bare LF: nothing released");
		ok(has(&r, "bare LF line endings") &&
			   has(&r, "with bare LF made CRLF matches the signature (verdict then: OK)"),
		   "bare LF: explained, and the CRLF form would have matched");
		res_free(&r);
		free(d.p);
	}
	/* 3. trailing whitespace added in transit */
	{
		str_t d = {0};
		const char *at = strstr(m.p, "Hello Bob,") + 10;
		sadd(&d, m.p, (size_t)(at - m.p));
		sputs(&d, "  ");
		sadd(&d, at, m.n - (size_t)(at - m.p));
		r = open_msg(d.p, d.n, 0);
		ok(r.ret == CACHET_E_DIGEST_MISMATCH && r.out.size == 0,
		   "trailing whitespace: CACHET_E_DIGEST_MISMATCH, nothing released");
		ok(has(&r, "end in whitespace") &&
			   has(&r, "with trailing whitespace removed matches the signature"),
		   "trailing whitespace: explained, and the stripped form would have matched");
		res_free(&r);
		free(d.p);
	}
	/* 3b. a relay re-encoded the 8bit part to quoted-printable (RFC 6152
	 * downgrade, with sendmail's X-MIME-Autoconverted): detected, and the
	 * 8bit form would have matched; a QP part that was signed as QP is
	 * not "repaired" into a match. */
	{
		static const char part8[] = "Content-Type: text/plain; charset=utf-8\r\n"
					    "Content-Transfer-Encoding: 8bit\r\n"
					    "\r\n"
					    "caf\xc3\xa9 au lait\r\n";
		static const char partqp[] = "Content-Type: text/plain; charset=utf-8\r\n"
					     "Content-Transfer-Encoding: quoted-printable\r\n"
					     "X-MIME-Autoconverted: from 8bit to quoted-printable by relay.example.org\r\n"
					     "\r\n"
					     "caf=C3=A9 au lait\r\n";
		str_t d = {0}, q = {0};
		msigned(&d, partqp, part8, "application/pkcs7-signature", "sha-256", true);
		r = open_msg(d.p, d.n, 0);
		ok(r.ret == CACHET_E_DIGEST_MISMATCH && r.out.size == 0,
		   "quoted-printable by a relay: CACHET_E_DIGEST_MISMATCH, nothing released (%s)",
		   cachet_strerror_name(r.ret));
		ok(has(&r, "quoted-printable decoded back to 8bit") && has(&r, "matches the signature (verdict then: OK)"),
		   "quoted-printable by a relay: explained, and the 8bit form would have matched");
		res_free(&r);
		/* Signed as quoted-printable and intact: valid, no repair needed. */
		msigned(&q, partqp, partqp, "application/pkcs7-signature", "sha-256", true);
		r = open_msg(q.p, q.n, 0);
		ok(r.ret == 0 && !has(&r, "repair:"), "a part signed as quoted-printable verifies as it is (%s)",
		   cachet_strerror_name(r.ret));
		res_free(&r);
		free(d.p);
		free(q.p);
	}
	/* 4. an altered body: no repair helps */
	{
		str_t d = {0};
		sadd(&d, m.p, m.n);
		strstr(d.p, "Hello Bob")[0] = 'J';
		r = open_msg(d.p, d.n, 0);
		ok(r.ret == CACHET_E_DIGEST_MISMATCH && r.out.size == 0 &&
			   has(&r, "no usual repair"),
		   "altered body: CACHET_E_DIGEST_MISMATCH, no repair matches");
		res_free(&r);
		free(d.p);
	}
	/* 5. missing second part (RFC 1847 section 2.1) */
	{
		str_t d = {0};
		msigned(&d, body, body, "application/pkcs7-signature", "sha-256", false);
		r = open_msg(d.p, d.n, 0);
		ok(r.ret == CACHET_E_MALFORMED && r.out.size == 0,
		   "missing signature part: CACHET_E_MALFORMED (%s)", cachet_strerror_name(r.ret));
		res_free(&r);
		free(d.p);
	}
	/* 6. wrong protocol (RFC 8551 section 3.5.3) */
	{
		str_t d = {0};
		msigned(&d, body, body, "application/pgp-signature", "sha-256", true);
		r = open_msg(d.p, d.n, 0);
		ok(r.ret == CACHET_E_UNSUPPORTED_CONTENT && r.out.size == 0,
		   "protocol application/pgp-signature: CACHET_E_UNSUPPORTED_CONTENT (%s)",
		   cachet_strerror_name(r.ret));
		res_free(&r);
		free(d.p);
	}
	/* the older x-pkcs7-signature is accepted */
	{
		str_t d = {0};
		msigned(&d, body, body, "application/x-pkcs7-signature", "sha-256", true);
		r = open_msg(d.p, d.n, 0);
		ok(r.ret == 0 && has(&r, "differs from the signature part's type"),
		   "protocol x-pkcs7-signature accepted, the type difference reported");
		res_free(&r);
		free(d.p);
	}
	/* 7. micalg mismatch: a finding, not a failure (RFC 8551 section 3.5.3.2) */
	{
		str_t d = {0};
		msigned(&d, body, body, "application/pkcs7-signature", "sha-512", true);
		r = open_msg(d.p, d.n, 0);
		ok(r.ret == 0 && has(&r, "micalg: does NOT match") &&
			   has(&r, "does not name signer 0's digest sha256"),
		   "micalg sha-512 over a SHA-256 signature: verified, mismatch reported");
		res_free(&r);
		free(d.p);
	}

	/* 8. nested layers: compressed(enveloped(signed-data(multipart/signed))) */
	str_t inner = {0};
	{
		cachet_datum_t sd = {0}, env = {0}, z = {0};
		str_t l1 = {0}, l2 = {0}, l3 = {0};
		cachet_encrypt_t *e = NULL;
		cachet_source_t *src = NULL;
		cachet_sink_t *snk = NULL;
		int ret;

		/* opaque signed-data around the multipart/signed entity */
		sign(m.p, m.n, false, CACHET_DIGEST_SHA256, &sd);
		sputs(&l1, "MIME-Version: 1.0\r\n");
		pkcs7_mime(&l1, "application/pkcs7-mime", "signed-data", sd.data, sd.size);
		/* enveloped-data for Bob */
		ret = cachet_encrypt_init(&e);
		ret = ret ? ret : cachet_encrypt_add_recipient(e, &bob_crt, 0, NULL);
		ret = ret ? ret : cachet_source_init_mem(&src, (const uint8_t *)l1.p, l1.n);
		ret = ret ? ret : cachet_sink_init_mem(&snk);
		ret = ret ? ret : cachet_encrypt_run(e, src, snk, 0, NULL);
		ret = ret ? ret : cachet_sink_take_mem(snk, &env);
		cachet_sink_deinit(snk);
		cachet_source_deinit(src);
		cachet_encrypt_deinit(e);
		snk = NULL;
		src = NULL;
		pkcs7_mime(&l2, "application/pkcs7-mime", "authEnveloped-data", env.data, env.size);
		/* compressed-data, as x-pkcs7-mime without smime-type */
		ret = ret ? ret : cachet_source_init_mem(&src, (const uint8_t *)l2.p, l2.n);
		ret = ret ? ret : cachet_sink_init_mem(&snk);
		ret = ret ? ret : cachet_compress_run(src, snk, NULL, 0, NULL);
		ret = ret ? ret : cachet_sink_take_mem(snk, &z);
		cachet_sink_deinit(snk);
		cachet_source_deinit(src);
		sputs(&l3, "From: <alice@example.org>\r\n");
		pkcs7_mime(&l3, "application/x-pkcs7-mime", NULL, z.data, z.size);
		ok(ret == 0, "nested message built");
		r = open_msg(l3.p, l3.n, CACHET_SMIME_NEED_SIGNED | CACHET_SMIME_NEED_ENCRYPTED);
		ok(r.ret == 0, "compressed(authEnveloped(signed-data(multipart/signed))) opens (%s)",
		   cachet_strerror_name(r.ret));
		ok(r.out.size == strlen(body) && memcmp(r.out.data, body, r.out.size) == 0,
		   "nested: the innermost entity is the signed part");
		ok(has(&r, "4 layers") && has(&r, "layer 1: compressed-data") &&
			   has(&r, "layer 2: authEnveloped-data") && has(&r, "layer 3: signed-data") &&
			   has(&r, "layer 4: multipart/signed") && has(&r, "smime-type parameter is missing") &&
			   has(&r, "x-pkcs7-mime"),
		   "nested: four layers listed outside-in, the missing smime-type reported");
		res_free(&r);
		/* the same without keys: the encrypted layer fails, nothing out */
		{
			cachet_smime_t *sm = NULL;
			cachet_verify_t *v = verifier();
			cachet_sink_t *o = NULL;
			cachet_datum_t got = {0};
			src = NULL;
			ret = cachet_smime_init(&sm);
			ret = ret ? ret : cachet_smime_set_verify(sm, v);
			ret = ret ? ret : cachet_source_init_mem(&src, (const uint8_t *)l3.p, l3.n);
			ret = ret ? ret : cachet_sink_init_mem(&o);
			int r2 = ret ? ret : cachet_smime_open(sm, src, o, 0, NULL);
			ok(r2 == CACHET_E_INVALID_ARG && cachet_sink_take_mem(o, &got) == 0 && got.size == 0,
			   "nested without keys: CACHET_E_INVALID_ARG, nothing released");
			cachet_free(got.data);
			cachet_sink_deinit(o);
			cachet_source_deinit(src);
			cachet_smime_deinit(sm);
			cachet_verify_deinit(v);
		}
		/* a signed layer whose From does not match */
		{
			str_t f = {0};
			sputs(&f, "From: Mallory <mallory@example.net>\r\n");
			pkcs7_mime(&f, "application/pkcs7-mime", "signed-data", sd.data, sd.size);
			r = open_msg(f.p, f.n, 0);
			ok(r.ret == 0 && has(&r, "From <mallory@example.net> is not an address of the signer"),
			   "From mismatch reported as a finding (RFC 8550 section 3)");
			res_free(&r);
			free(f.p);
		}
		sadd(&inner, l2.p, l2.n);
		cachet_free(sd.data);
		cachet_free(env.data);
		cachet_free(z.data);
		free(l1.p);
		free(l2.p);
		free(l3.p);
	}

	/* 9. the depth limit: CACHET_MAX_LAYERS compressed layers open, one
	 * more is CACHET_E_DEPTH_LIMIT. */
	{
		str_t cur = {0};
		sadd(&cur, body, strlen(body));
		for (unsigned i = 1; i <= CACHET_MAX_LAYERS + 1; i++) {
			cachet_source_t *src = NULL;
			cachet_sink_t *snk = NULL;
			cachet_datum_t z = {0};
			str_t next = {0};
			if (cachet_source_init_mem(&src, (const uint8_t *)cur.p, cur.n) < 0 ||
			    cachet_sink_init_mem(&snk) < 0 || cachet_compress_run(src, snk, NULL, 0, NULL) < 0 ||
			    cachet_sink_take_mem(snk, &z) < 0)
				abort();
			cachet_sink_deinit(snk);
			cachet_source_deinit(src);
			pkcs7_mime(&next, "application/pkcs7-mime", "compressed-data", z.data, z.size);
			cachet_free(z.data);
			free(cur.p);
			cur = next;
			if (i == CACHET_MAX_LAYERS) {
				r = open_msg(cur.p, cur.n, 0);
				ok(r.ret == 0 && r.out.size == strlen(body),
				   "%u compressed layers open", i);
				res_free(&r);
			}
		}
		r = open_msg(cur.p, cur.n, 0);
		ok(r.ret == CACHET_E_DEPTH_LIMIT && r.out.size == 0,
		   "%u layers: CACHET_E_DEPTH_LIMIT (%s)", CACHET_MAX_LAYERS + 1,
		   cachet_strerror_name(r.ret));
		res_free(&r);
		free(cur.p);
	}

	/* 10. truncation at many offsets: never a pass before the close
	 * delimiter, never any output on failure, never a crash. */
	{
		const char *close = strstr(m.p, "\r\n--=_b1--");
		size_t close_at = (size_t)(close - m.p) + strlen("\r\n--=_b1--");
		unsigned bad = 0, cuts = 0;
		for (size_t cut = 0; cut < m.n; cut += (cut < 400 ? 1 : 13)) {
			r = open_msg(m.p, cut, 0);
			cuts++;
			if ((r.ret == 0 && cut < close_at) || (r.ret != 0 && r.out.size != 0) ||
			    (r.ret == 0 && r.out.size != strlen(body))) {
				if (bad++ < 5)
					printf("# cut %zu: %s, %zu octets out\n", cut,
					       cachet_strerror_name(r.ret), r.out.size);
			}
			res_free(&r);
		}
		ok(bad == 0, "multipart/signed cut at %u offsets: no early pass, no partial output", cuts);
		bad = cuts = 0;
		for (size_t cut = 0; cut < inner.n; cut += 11) {
			r = open_msg(inner.p, cut, 0);
			cuts++;
			if (r.ret == 0 || r.out.size != 0)
				bad++;
			res_free(&r);
		}
		ok(bad == 0, "encrypted layer cut at %u offsets: every cut fails, nothing out", cuts);
	}

	/* not S/MIME at all */
	r = open_msg(body, strlen(body), 0);
	ok(r.ret == CACHET_E_UNSUPPORTED_CONTENT && r.out.size == 0,
	   "a plain text message: CACHET_E_UNSUPPORTED_CONTENT");
	res_free(&r);
	/* a detached signature on its own */
	{
		str_t d = {0};
		pkcs7_mime(&d, "application/pkcs7-signature", "signed-data", (const uint8_t *)"x", 1);
		r = open_msg(d.p, d.n, 0);
		ok(r.ret == CACHET_E_UNSUPPORTED_CONTENT,
		   "application/pkcs7-signature outside multipart/signed refused");
		res_free(&r);
		free(d.p);
	}
	ok(cachet_smime_open(NULL, NULL, NULL, 0, NULL) == CACHET_E_INVALID_ARG,
	   "NULL handle: CACHET_E_INVALID_ARG");

	free(inner.p);
	free(m.p);
	return 0;
}

int main(void)
{
	pki = getenv("CACHET_PKI_DIR");
	if (pki == NULL)
		pki = "vectors/pki";
	alice_crt = load("alice.crt.pem");
	alice_key = load("alice.key.pem");
	bob_crt = load("bob.crt.pem");
	bob_key = load("bob.key.pem");
	root = load("root-ca.crt.pem");
	chain = load("chain.pem");
	if (!alice_crt.data || !alice_key.data || !bob_crt.data || !bob_key.data || !root.data ||
	    !chain.data) {
		printf("Bail out! cannot read the test PKI in %s\n", pki);
		return 99;
	}
	tap_plan(31);
	run();
	free(alice_crt.data);
	free(alice_key.data);
	free(bob_crt.data);
	free(bob_key.data);
	free(root.data);
	free(chain.data);
	return tap_failed ? 1 : 0;
}
