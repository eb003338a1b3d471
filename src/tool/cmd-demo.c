/* cmd-demo.c -- cachet demo: the main job on the bundled demo identities.
 * Signs a sample message as each demo user with a different algorithm,
 * verifies every message against the demo root CA, prints the reports. */
#include "tool.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef DEMO_DIR
#define DEMO_DIR "vectors/pki"
#endif
#ifndef DEMO_INSTALLED_DIR
#define DEMO_INSTALLED_DIR "/usr/share/cachet/demo"
#endif

/* $CACHET_DEMO_DIR, else the build tree's identities, else the installed
 * copies. */
static const char *demo_dir(void)
{
	const char *env = getenv("CACHET_DEMO_DIR");
	if (env && *env)
		return env;
	if (access(DEMO_DIR "/root-ca.crt.pem", R_OK) == 0)
		return DEMO_DIR;
	return DEMO_INSTALLED_DIR;
}

static const char sample[] =
	"Hello Bob,\r\n\r\nthis message is signed with Cachet's demo identities.\r\n\r\nAlice\r\n";

static int load(const char *dir, const char *name, cachet_datum_t *d)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return read_file(path, d);
}

/* Sign SAMPLE as USER, verify it against the root, print the report. */
static int one(const char *dir, const char *user, const char *what, unsigned sflags,
	       unsigned flags)
{
	cachet_datum_t cert = {0}, key = {0}, chain = {0}, root = {0}, msg = {0};
	cachet_sign_t *s = NULL;
	cachet_verify_t *v = NULL;
	cachet_diag_t *diag = NULL;
	cachet_source_t *src = NULL, *det = NULL;
	cachet_sink_t *snk = NULL;
	cachet_report_t *rep = NULL;
	char name[64];
	int ret = CACHET_E_IO;

	printf("== %s signs (%s, %s) ==\n", user, what,
	       flags & CACHET_SIGN_DETACHED ? "detached" : "encapsulated");
	snprintf(name, sizeof(name), "%s.crt.pem", user);
	if (load(dir, name, &cert) < 0)
		goto done;
	snprintf(name, sizeof(name), "%s.key.pem", user);
	if (load(dir, name, &key) < 0 || load(dir, "chain.pem", &chain) < 0 ||
	    load(dir, "root-ca.crt.pem", &root) < 0)
		goto done;
	if ((ret = cachet_diag_init(&diag)) < 0 || (ret = cachet_sign_init(&s)) < 0 ||
	    (ret = cachet_sign_add_signer(s, &cert, &key, NULL, CACHET_DIGEST_DEFAULT, sflags, diag)) < 0 ||
	    (ret = cachet_sign_add_certs(s, &chain, diag)) < 0)
		goto done;
	if ((ret = cachet_source_init_mem(&src, (const uint8_t *)sample, sizeof(sample) - 1)) < 0 ||
	    (ret = cachet_sink_init_mem(&snk)) < 0 ||
	    (ret = cachet_sign_run(s, src, snk, flags, diag)) < 0 ||
	    (ret = cachet_sink_take_mem(snk, &msg)) < 0)
		goto done;
	printf("signed %zu bytes of content into a %zu-byte SignedData\n", sizeof(sample) - 1, msg.size);
	cachet_source_deinit(src);
	src = NULL;
	if ((ret = cachet_verify_init(&v)) < 0 || (ret = cachet_verify_add_trust(v, &root, diag)) < 0 ||
	    (ret = cachet_source_init_mem(&src, msg.data, msg.size)) < 0)
		goto done;
	if ((flags & CACHET_SIGN_DETACHED) &&
	    (ret = cachet_source_init_mem(&det, (const uint8_t *)sample, sizeof(sample) - 1)) < 0)
		goto done;
	ret = cachet_verify_run(v, src, det, NULL, &rep, diag);
	if (rep) {
		cachet_datum_t text;
		if (cachet_report_text(rep, &text) == 0) {
			fwrite(text.data, 1, text.size, stdout);
			cachet_free(text.data);
		}
	}
done:
	if (ret < 0)
		report_error("demo", ret, diag);
	printf("\n");
	free(cert.data);
	cachet_free_secret(&key);
	free(chain.data);
	free(root.data);
	cachet_free(msg.data);
	cachet_report_deinit(rep);
	cachet_sink_deinit(snk);
	cachet_source_deinit(src);
	cachet_source_deinit(det);
	cachet_sign_deinit(s);
	cachet_verify_deinit(v);
	cachet_diag_deinit(diag);
	return ret;
}

int cmd_demo(int argc, char **argv)
{
	const char *dir = demo_dir();
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("Usage: cachet demo\nSign a sample message as the demo users and verify it "
		       "against the demo root CA (identities in %s).\n", dir);
		return EXIT_OK;
	}
	if (argc > 1) {
		fprintf(stderr, "Usage: cachet demo\n");
		return EXIT_USAGE;
	}
	int worst = 0, ret;
	ret = one(dir, "alice", "RSA-2048, PKCS #1 v1.5, SHA-256", 0, 0);
	worst = ret < 0 ? ret : worst;
	ret = one(dir, "bob", "RSA-3072, RSASSA-PSS, SHA-256", CACHET_SIGNER_PSS, CACHET_SIGN_DETACHED);
	worst = ret < 0 ? ret : worst;
	ret = one(dir, "carol", "ECDSA P-256, SHA-256", CACHET_SIGNER_SKID, 0);
	worst = ret < 0 ? ret : worst;
	ret = one(dir, "erin", "Ed25519, SHA-512", 0, 0);
	worst = ret < 0 ? ret : worst;
	printf("Demo %s.\n", worst == 0 ? "succeeded: every message verified" : "FAILED");
	return exit_for(worst);
}
