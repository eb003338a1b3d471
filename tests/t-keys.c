/* t-keys.c -- the key-loading API: PKCS#12 bundles
 * (cachet_sign_add_signer_p12, cachet_decrypt_add_p12), the missing and
 * wrong password codes, PKCS#11 argument checks, and damaged bundles
 * (every truncation and a spread of bit flips end in an error code, never
 * a crash: make check runs this under ASan and UBSan in CI).
 *
 * Data: $CACHET_VECTORS/rfc9216-keys/alice.p12 (password "alice") and
 * $CACHET_PKI_DIR/alice.key.p8enc.pem (password "alice-test-pass").
 */
#include "cachet/cachet.h"
#include "tap.h"

#include <string.h>

static char vec[1024], pki[1024];

static int load(const char *dir, const char *name, cachet_datum_t *d)
{
	char path[2048];
	unsigned char *p = NULL;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (tap_slurp(path, &p, &n) < 0)
		return -1;
	d->data = p;
	d->size = n;
	return 0;
}

/* Sign a few octets with S and check that output appears. */
static int sign_some(cachet_sign_t *s)
{
	static const uint8_t msg[] = "key test";
	cachet_source_t *src = NULL;
	cachet_sink_t *snk = NULL;
	cachet_datum_t out = { NULL, 0 };
	int ret;

	if ((ret = cachet_source_init_mem(&src, msg, sizeof(msg) - 1)) < 0 ||
	    (ret = cachet_sink_init_mem(&snk)) < 0 ||
	    (ret = cachet_sign_run(s, src, snk, 0, NULL)) < 0 ||
	    (ret = cachet_sink_take_mem(snk, &out)) < 0)
		goto done;
	ret = out.size > 100 ? 0 : -1;
done:
	cachet_free(out.data);
	cachet_sink_deinit(snk);
	cachet_source_deinit(src);
	return ret;
}

static void test_p12(void)
{
	cachet_datum_t p12 = { NULL, 0 }, bad = { NULL, 0 };
	cachet_sign_t *s = NULL;
	cachet_decrypt_t *d = NULL;
	cachet_diag_t *diag = NULL;
	int ret;

	if (load(vec, "rfc9216-keys/alice.p12", &p12) < 0) {
		ok(0, "alice.p12 is readable (set CACHET_VECTORS)");
		return;
	}
	ok(cachet_diag_init(&diag) == 0 && cachet_sign_init(&s) == 0 &&
		   cachet_decrypt_init(&d) == 0,
	   "handles");
	ok(cachet_sign_add_signer_p12(NULL, &p12, "alice", 0, 0, diag) == CACHET_E_INVALID_ARG,
	   "sign_add_signer_p12: no handle -> CACHET_E_INVALID_ARG");
	ok(cachet_sign_add_signer_p12(s, NULL, "alice", 0, 0, diag) == CACHET_E_INVALID_ARG,
	   "sign_add_signer_p12: no data -> CACHET_E_INVALID_ARG");
	ret = cachet_sign_add_signer_p12(s, &p12, NULL, 0, 0, diag);
	ok(ret == CACHET_E_NEED_PASSWORD, "no password -> CACHET_E_NEED_PASSWORD (got %d)", ret);
	ok(cachet_error_category(CACHET_E_NEED_PASSWORD) == CACHET_CAT_USAGE,
	   "CACHET_E_NEED_PASSWORD is a usage error");
	ok(strcmp(cachet_strerror_name(CACHET_E_NEED_PASSWORD), "CACHET_E_NEED_PASSWORD") == 0,
	   "CACHET_E_NEED_PASSWORD has its name in the table");
	ret = cachet_sign_add_signer_p12(s, &p12, "bob", 0, 0, diag);
	ok(ret == CACHET_E_BAD_KEY, "wrong password -> CACHET_E_BAD_KEY (got %d)", ret);
	ok(cachet_diag_count(diag) > 0, "the failure is explained in the diagnostic chain");
	cachet_diag_clear(diag);
	ok(sign_some(s) < 0, "after the failures the handle has no signer");
	ret = cachet_sign_add_signer_p12(s, &p12, "alice", CACHET_DIGEST_SHA384, 0, diag);
	ok(ret == 0, "right password -> a signer (got %d)", ret);
	ok(sign_some(s) == 0, "the PKCS#12 signer signs");
	ret = cachet_decrypt_add_p12(d, &p12, "alice", diag);
	ok(ret == 0, "decrypt_add_p12 with the right password (got %d)", ret);
	ret = cachet_decrypt_add_p12(d, &p12, "", diag);
	ok(ret == CACHET_E_BAD_KEY, "decrypt_add_p12 with the empty password -> BAD_KEY (got %d)", ret);

	/* Damaged bundles: each must end in an error, nothing else. */
	bad.data = malloc(p12.size);
	if (bad.data == NULL)
		abort();
	size_t accepted = 0, steps = 0;
	for (size_t n = 0; n < p12.size; n += 13) {
		cachet_sign_t *t = NULL;
		memcpy(bad.data, p12.data, n);
		bad.size = n;
		if (cachet_sign_init(&t) < 0)
			abort();
		ret = cachet_sign_add_signer_p12(t, &bad, "alice", 0, 0, NULL);
		accepted += ret == 0;
		steps++;
		cachet_sign_deinit(t);
	}
	ok(accepted == 0, "%zu truncations: each refused", steps);
	accepted = steps = 0;
	for (size_t i = 0; i < p12.size; i += 37) {
		cachet_decrypt_t *t = NULL;
		memcpy(bad.data, p12.data, p12.size);
		bad.size = p12.size;
		bad.data[i] ^= 0x20;
		if (cachet_decrypt_init(&t) < 0)
			abort();
		ret = cachet_decrypt_add_p12(t, &bad, "alice", NULL);
		/* A flip in a certificate's signature or an unused field may
		 * still pair up; a flip the MAC covers may not. */
		accepted += ret == 0;
		steps++;
		cachet_decrypt_deinit(t);
	}
	ok(accepted < steps / 4, "%zu bit flips: no crash, %zu still opened", steps, accepted);

	free(bad.data);
	free(p12.data);
	cachet_decrypt_deinit(d);
	cachet_sign_deinit(s);
	cachet_diag_deinit(diag);
}

static void test_password(void)
{
	cachet_datum_t cert = { NULL, 0 }, key = { NULL, 0 };
	cachet_sign_t *s = NULL;
	int ret;

	if (load(pki, "alice.crt.pem", &cert) < 0 || load(pki, "alice.key.p8enc.pem", &key) < 0) {
		ok(0, "the test PKI is readable (set CACHET_PKI_DIR)");
		free(cert.data);
		return;
	}
	if (cachet_sign_init(&s) < 0)
		abort();
	ret = cachet_sign_add_signer(s, &cert, &key, NULL, 0, 0, NULL);
	ok(ret == CACHET_E_NEED_PASSWORD, "encrypted PKCS#8 without a password -> NEED_PASSWORD (got %d)",
	   ret);
	ret = cachet_sign_add_signer(s, &cert, &key, "wrong", 0, 0, NULL);
	ok(ret == CACHET_E_BAD_KEY, "encrypted PKCS#8 with a wrong password -> BAD_KEY (got %d)", ret);
	ret = cachet_sign_add_signer(s, &cert, &key, "alice-test-pass", 0, 0, NULL);
	ok(ret == 0, "encrypted PKCS#8 with its password (got %d)", ret);

	/* PKCS#11: arguments are checked before any module is touched. */
	ok(cachet_sign_add_signer_pkcs11(s, &cert, NULL, NULL, 0, 0, NULL) == CACHET_E_INVALID_ARG,
	   "sign_add_signer_pkcs11: no URI -> CACHET_E_INVALID_ARG");
	ok(cachet_sign_add_signer_pkcs11(s, &cert, "/tmp/key.pem", "1", 0, 0, NULL) ==
		   CACHET_E_INVALID_ARG,
	   "sign_add_signer_pkcs11: not a pkcs11: URI -> CACHET_E_INVALID_ARG");
	ok(cachet_decrypt_add_pkcs11(NULL, &cert, "pkcs11:", NULL, NULL) == CACHET_E_INVALID_ARG,
	   "decrypt_add_pkcs11: no handle -> CACHET_E_INVALID_ARG");
	ok(cachet_pkcs11_add_module(NULL, NULL) == CACHET_E_INVALID_ARG,
	   "pkcs11_add_module: no path -> CACHET_E_INVALID_ARG");
	cachet_sign_deinit(s);
	free(cert.data);
	cachet_free_secret(&key);
}

int main(void)
{
	const char *v = getenv("CACHET_VECTORS"), *p = getenv("CACHET_PKI_DIR");

	snprintf(vec, sizeof(vec), "%s", v && *v ? v : "../shared/vectors");
	snprintf(pki, sizeof(pki), "%s", p && *p ? p : "vectors/pki");
	test_p12();
	test_password();
	tap_plan(tap_n);
	return 0;
}
