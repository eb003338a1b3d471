/* bench-inproc.c -- small-message throughput of the public API against
 * raw Nettle on the same keys.
 *
 * Usage: bench-inproc PKI_DIR [SECONDS]
 *
 * For Alice (RSA-2048) and Carol (ECDSA P-256), SHA-256, it measures:
 *   - cachet_sign_run on a 1 KiB message, encapsulated, with one signing
 *     handle reused (the signer's key and certificate parsed once), and
 *     with a fresh handle per message (key and certificate parsed each time);
 *   - cachet_verify_run on that message, with the certificate path checked
 *     (three signatures: the message's, the intermediate's over the
 *     user certificate, the root's over the intermediate) and without
 *     (CACHET_POLICY_NO_CHAIN: the message's signature only), each with
 *     one verification handle reused and with a fresh one per message
 *     (trust anchor and chain parsed each time);
 *   - Nettle signing a SHA-256 digest with the same private key
 *     (rsa_sha256_sign_digest_tr, ecdsa_sign) and verifying it
 *     (rsa_sha256_verify_digest, ecdsa_verify), with GnuTLS's
 *     generator for blinding and nonces as in the library.
 * and prints a markdown table with operations per second and the
 * Cachet/Nettle ratios (target: >= 90% with a reused handle and without
 * the path check).  The keys are loaded with gnutls_x509_privkey_import2
 * and exported raw into Nettle's structures.
 */
#include <config.h>

#include <cachet/cachet.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <nettle/bignum.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/ecdsa.h>
#include <nettle/rsa.h>
#include <nettle/sha2.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MSG_SIZE 1024
/* Inside the test PKI's validity (2026-06-01). */
#define BENCH_TIME ((time_t)1780272000)

static double seconds = 2.0;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, int code)
{
	fprintf(stderr, "bench-inproc: %s failed (%d: %s)\n", what, code,
		code < 0 && code > -200 ? cachet_strerror(code) : "");
	exit(1);
}

static cachet_datum_t slurp(const char *dir, const char *name)
{
	char path[4096];
	cachet_datum_t d = {0};
	size_t cap = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		perror(path);
		exit(1);
	}
	for (;;) {
		if (d.size == cap) {
			cap = cap ? cap * 2 : 8192;
			if ((d.data = realloc(d.data, cap)) == NULL)
				die("realloc", 0);
		}
		size_t n = fread(d.data + d.size, 1, cap - d.size, f);
		if (n == 0)
			break;
		d.size += n;
	}
	fclose(f);
	return d;
}

/* ---- timing: run FN until SECONDS have passed, return ops/s ---- */
typedef void (*op_fn)(void *ctx);

static double rate(op_fn fn, void *ctx)
{
	unsigned long n = 0;
	fn(ctx); /* warm up */
	double t0 = now(), t;
	do {
		for (int i = 0; i < 8; i++)
			fn(ctx);
		n += 8;
		t = now() - t0;
	} while (t < seconds);
	return (double)n / t;
}

/* Measure A and B in alternating short rounds and keep each one's best
 * rate, so that the machine's drift from second to second falls on both
 * sides of the ratio alike. */
static void paired(op_fn a, void *actx, op_fn b, void *bctx, double *ra, double *rb)
{
	double keep = seconds;
	seconds = keep / 10;
	*ra = *rb = 0;
	for (int round = 0; round < 5; round++) {
		double x = rate(a, actx), y = rate(b, bctx);
		if (x > *ra)
			*ra = x;
		if (y > *rb)
			*rb = y;
	}
	seconds = keep;
}

/* ---- Cachet ---- */
typedef struct {
	const char *who;
	cachet_datum_t cert, key, root, chain;
	uint8_t msg[MSG_SIZE];
	cachet_sign_t *signer;	   /* reused handle */
	cachet_verify_t *verifier; /* reused handle, with verify_policy */
	cachet_datum_t signed_msg;
	unsigned verify_policy;
} cachet_ctx_t;

static cachet_sign_t *new_signer(cachet_ctx_t *c)
{
	cachet_sign_t *s;
	int ret = cachet_sign_init(&s);
	if (ret < 0)
		die("cachet_sign_init", ret);
	if ((ret = cachet_sign_add_signer(s, &c->cert, &c->key, NULL, CACHET_DIGEST_SHA256,
					  0, NULL)) < 0)
		die("cachet_sign_add_signer", ret);
	if ((ret = cachet_sign_set_time(s, BENCH_TIME)) < 0)
		die("cachet_sign_set_time", ret);
	return s;
}

static cachet_datum_t sign_with(cachet_ctx_t *c, cachet_sign_t *s)
{
	cachet_source_t *src;
	cachet_sink_t *snk;
	cachet_datum_t out = {0};
	int ret;
	if ((ret = cachet_source_init_mem(&src, c->msg, sizeof(c->msg))) < 0 ||
	    (ret = cachet_sink_init_mem(&snk)) < 0)
		die("source/sink init", ret);
	if ((ret = cachet_sign_run(s, src, snk, 0, NULL)) < 0)
		die("cachet_sign_run", ret);
	if ((ret = cachet_sink_take_mem(snk, &out)) < 0)
		die("cachet_sink_take_mem", ret);
	cachet_sink_deinit(snk);
	cachet_source_deinit(src);
	return out;
}

static void op_sign_reused(void *ctx)
{
	cachet_ctx_t *c = ctx;
	cachet_datum_t out = sign_with(c, c->signer);
	cachet_free(out.data);
}

static void op_sign_fresh(void *ctx)
{
	cachet_ctx_t *c = ctx;
	cachet_sign_t *s = new_signer(c);
	cachet_datum_t out = sign_with(c, s);
	cachet_free(out.data);
	cachet_sign_deinit(s);
}

static cachet_verify_t *new_verifier(cachet_ctx_t *c)
{
	cachet_verify_t *v;
	int ret;
	if ((ret = cachet_verify_init(&v)) < 0)
		die("cachet_verify_init", ret);
	if ((ret = cachet_verify_add_trust(v, &c->root, NULL)) < 0 ||
	    (ret = cachet_verify_add_certs(v, &c->chain, NULL)) < 0 ||
	    (ret = cachet_verify_set_time(v, BENCH_TIME)) < 0 ||
	    (ret = cachet_verify_set_policy(v, c->verify_policy)) < 0)
		die("verify setup", ret);
	return v;
}

static void verify_with(cachet_ctx_t *c, cachet_verify_t *v)
{
	cachet_source_t *in;
	cachet_report_t *report = NULL;
	int ret;
	if ((ret = cachet_source_init_mem(&in, c->signed_msg.data, c->signed_msg.size)) < 0)
		die("cachet_source_init_mem", ret);
	if ((ret = cachet_verify_run(v, in, NULL, NULL, &report, NULL)) != 0)
		die("cachet_verify_run", ret);
	cachet_report_deinit(report);
	cachet_source_deinit(in);
}

static void op_verify_fresh(void *ctx)
{
	cachet_ctx_t *c = ctx;
	cachet_verify_t *v = new_verifier(c);
	verify_with(c, v);
	cachet_verify_deinit(v);
}

static void op_verify_reused(void *ctx)
{
	cachet_ctx_t *c = ctx;
	verify_with(c, c->verifier);
}

/* ---- raw Nettle ---- */
static void rnd(void *ctx, size_t n, uint8_t *dst)
{
	if (gnutls_rnd(GNUTLS_RND_RANDOM, dst, n) < 0)
		die("gnutls_rnd", 0);
}

typedef struct {
	bool is_rsa;
	struct rsa_public_key rsa_pub;
	struct rsa_private_key rsa_priv;
	struct ecc_point ec_pub;
	struct ecc_scalar ec_priv;
	uint8_t digest[SHA256_DIGEST_SIZE];
	mpz_t rsa_sig;
	struct dsa_signature ec_sig;
} raw_ctx_t;

static void set_mpz(mpz_t z, const gnutls_datum_t *d)
{
	nettle_mpz_set_str_256_u(z, d->size, d->data);
}

static void raw_load(raw_ctx_t *r, const cachet_datum_t *pem)
{
	gnutls_x509_privkey_t key;
	gnutls_datum_t in = {pem->data, (unsigned)pem->size};
	int ret;
	if ((ret = gnutls_x509_privkey_init(&key)) < 0 ||
	    (ret = gnutls_x509_privkey_import2(key, &in, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0)
		die("gnutls_x509_privkey_import2", ret);
	r->is_rsa = gnutls_x509_privkey_get_pk_algorithm(key) == GNUTLS_PK_RSA;
	if (r->is_rsa) {
		gnutls_datum_t m, e, d, p, q, u, e1, e2;
		if ((ret = gnutls_x509_privkey_export_rsa_raw2(key, &m, &e, &d, &p, &q, &u,
							       &e1, &e2)) < 0)
			die("gnutls_x509_privkey_export_rsa_raw2", ret);
		rsa_public_key_init(&r->rsa_pub);
		rsa_private_key_init(&r->rsa_priv);
		set_mpz(r->rsa_pub.n, &m);
		set_mpz(r->rsa_pub.e, &e);
		set_mpz(r->rsa_priv.d, &d);
		set_mpz(r->rsa_priv.p, &p);
		set_mpz(r->rsa_priv.q, &q);
		set_mpz(r->rsa_priv.a, &e1);
		set_mpz(r->rsa_priv.b, &e2);
		set_mpz(r->rsa_priv.c, &u);
		if (!rsa_public_key_prepare(&r->rsa_pub) || !rsa_private_key_prepare(&r->rsa_priv))
			die("rsa_*_key_prepare", 0);
		gnutls_datum_t *all[] = {&m, &e, &d, &p, &q, &u, &e1, &e2};
		for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
			gnutls_memset(all[i]->data, 0, all[i]->size);
			gnutls_free(all[i]->data);
		}
		mpz_init(r->rsa_sig);
	} else {
		gnutls_ecc_curve_t curve;
		gnutls_datum_t x, y, k;
		mpz_t mx, my, mk;
		if ((ret = gnutls_x509_privkey_export_ecc_raw(key, &curve, &x, &y, &k)) < 0)
			die("gnutls_x509_privkey_export_ecc_raw", ret);
		if (curve != GNUTLS_ECC_CURVE_SECP256R1)
			die("P-256 key expected", 0);
		mpz_inits(mx, my, mk, NULL);
		set_mpz(mx, &x);
		set_mpz(my, &y);
		set_mpz(mk, &k);
		ecc_point_init(&r->ec_pub, nettle_get_secp_256r1());
		ecc_scalar_init(&r->ec_priv, nettle_get_secp_256r1());
		if (!ecc_point_set(&r->ec_pub, mx, my) || !ecc_scalar_set(&r->ec_priv, mk))
			die("ecc_*_set", 0);
		mpz_clears(mx, my, mk, NULL);
		gnutls_memset(k.data, 0, k.size);
		gnutls_free(x.data);
		gnutls_free(y.data);
		gnutls_free(k.data);
		dsa_signature_init(&r->ec_sig);
	}
	gnutls_x509_privkey_deinit(key);
	for (size_t i = 0; i < sizeof(r->digest); i++)
		r->digest[i] = (uint8_t)(i * 7 + 1);
}

static void raw_free(raw_ctx_t *r)
{
	if (r->is_rsa) {
		rsa_public_key_clear(&r->rsa_pub);
		rsa_private_key_clear(&r->rsa_priv);
		mpz_clear(r->rsa_sig);
	} else {
		ecc_point_clear(&r->ec_pub);
		ecc_scalar_clear(&r->ec_priv);
		dsa_signature_clear(&r->ec_sig);
	}
}

static void op_raw_sign(void *ctx)
{
	raw_ctx_t *r = ctx;
	if (r->is_rsa) {
		if (!rsa_sha256_sign_digest_tr(&r->rsa_pub, &r->rsa_priv, NULL, rnd, r->digest,
					       r->rsa_sig))
			die("rsa_sha256_sign_digest_tr", 0);
	} else {
		ecdsa_sign(&r->ec_priv, NULL, rnd, sizeof(r->digest), r->digest, &r->ec_sig);
	}
}

static void op_raw_verify(void *ctx)
{
	raw_ctx_t *r = ctx;
	int ok = r->is_rsa ? rsa_sha256_verify_digest(&r->rsa_pub, r->digest, r->rsa_sig)
			   : ecdsa_verify(&r->ec_pub, sizeof(r->digest), r->digest, &r->ec_sig);
	if (!ok)
		die("raw verify", 0);
}

static void row(const char *what, double cachet, double raw)
{
	printf("| %s | %.0f | %.0f | %.1f%% |\n", what, cachet, raw, 100.0 * cachet / raw);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench-inproc PKI_DIR [SECONDS]\n");
		return 2;
	}
	const char *pki = argv[1];
	if (argc > 2)
		seconds = atof(argv[2]);
	if (seconds <= 0)
		seconds = 2.0;
	static const struct {
		const char *who, *label;
	} keys[] = {{"alice", "RSA-2048"}, {"carol", "P-256"}};

	printf("In-process, %d-byte message, SHA-256, encapsulated; %.1f s per figure.\n\n",
	       MSG_SIZE, seconds);
	printf("| key, operation | Cachet ops/s | Nettle ops/s | Cachet/Nettle |\n");
	printf("| --- | ---: | ---: | ---: |\n");
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		char name[64];
		cachet_ctx_t c = {0};
		raw_ctx_t r = {0};
		c.who = keys[k].who;
		snprintf(name, sizeof(name), "%s.crt.pem", c.who);
		c.cert = slurp(pki, name);
		snprintf(name, sizeof(name), "%s.key.pem", c.who);
		c.key = slurp(pki, name);
		c.root = slurp(pki, "root-ca.crt.pem");
		c.chain = slurp(pki, "chain.pem");
		for (size_t i = 0; i < sizeof(c.msg); i++)
			c.msg[i] = (uint8_t)('a' + i % 26);
		c.signer = new_signer(&c);
		c.signed_msg = sign_with(&c, c.signer);
		raw_load(&r, &c.key);
		op_raw_sign(&r);

		double raw_sign, sign_reused;
		paired(op_sign_reused, &c, op_raw_sign, &r, &sign_reused, &raw_sign);
		double raw_verify = rate(op_raw_verify, &r);
		double sign_fresh = rate(op_sign_fresh, &c);
		c.verify_policy = CACHET_POLICY_NO_CHAIN;
		c.verifier = new_verifier(&c);
		double verify_nochain = rate(op_verify_reused, &c);
		double verify_nochain_fresh = rate(op_verify_fresh, &c);
		cachet_verify_deinit(c.verifier);
		c.verify_policy = 0;
		c.verifier = new_verifier(&c);
		double verify_chain = rate(op_verify_reused, &c);
		double verify_chain_fresh = rate(op_verify_fresh, &c);
		cachet_verify_deinit(c.verifier);

		char what[128];
		snprintf(what, sizeof(what), "%s sign, handle reused", keys[k].label);
		row(what, sign_reused, raw_sign);
		snprintf(what, sizeof(what), "%s sign, new handle per message", keys[k].label);
		row(what, sign_fresh, raw_sign);
		snprintf(what, sizeof(what), "%s verify, no path check, handle reused",
			 keys[k].label);
		row(what, verify_nochain, raw_verify);
		snprintf(what, sizeof(what), "%s verify, no path check, new handle",
			 keys[k].label);
		row(what, verify_nochain_fresh, raw_verify);
		snprintf(what, sizeof(what), "%s verify, path check (3 signatures), handle reused",
			 keys[k].label);
		row(what, verify_chain, raw_verify);
		snprintf(what, sizeof(what), "%s verify, path check (3 signatures), new handle",
			 keys[k].label);
		row(what, verify_chain_fresh, raw_verify);

		raw_free(&r);
		cachet_free(c.signed_msg.data);
		cachet_sign_deinit(c.signer);
		free(c.cert.data);
		free(c.key.data);
		free(c.root.data);
		free(c.chain.data);
	}
	return 0;
}
