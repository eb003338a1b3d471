/* t-certdir.c -- the certificate directory API (cachet_certdir_*,
 * cachet_recipient_cert_check) as an application calls it: argument
 * checks, missing and damaged input, idempotent adds, the codes of the
 * recipient checks (RFC 8550 sections 4.4.2, 4.4.4). */
#include <config.h>

#include "cachet/cachet.h"
#include "tap.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *pki, *ids;

static cachet_datum_t load(const char *dir, const char *name)
{
	char path[PATH_MAX];
	cachet_datum_t d = {0};
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (tap_slurp(path, &d.data, &d.size) < 0)
		d.data = NULL;
	return d;
}

static int count_files(const char *dir)
{
	char cmd[PATH_MAX + 32];
	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	FILE *p = popen(cmd, "r");
	int n = -1;
	if (p == NULL)
		return -1;
	if (fscanf(p, "%d", &n) != 1)
		n = -1;
	pclose(p);
	return n;
}

int main(void)
{
	char tmpl[] = "/tmp/t-certdir.XXXXXX", dir[PATH_MAX], missing[PATH_MAX];
	cachet_diag_t *dg = NULL;
	cachet_datum_t out = {0}, junk = {(uint8_t *)"junk", 4};
	bool is_added = true;
	int ret;

	pki = getenv("CACHET_PKI_DIR");
	if (pki == NULL)
		pki = "vectors/pki";
	ids = getenv("top_srcdir") ? NULL : "vectors/identities";
	static char idbuf[PATH_MAX];
	if (ids == NULL) {
		snprintf(idbuf, sizeof(idbuf), "%s/vectors/identities", getenv("top_srcdir"));
		ids = idbuf;
	}
	cachet_datum_t alice = load(pki, "alice.crt.pem"), carol = load(pki, "carol.crt.der"),
		       erin = load(pki, "erin.crt.pem"), chain = load(pki, "chain.pem"),
		       valid = load(ids, "valid.crt.pem"), noeku = load(ids, "noeku.crt.pem"),
		       expired = load(ids, "expired.crt.pem"), notyet = load(ids, "notyet.crt.pem"),
		       enc = load(ids, "enc.crt.pem");
	if (!alice.data || !carol.data || !erin.data || !chain.data || !valid.data || !noeku.data ||
	    !expired.data || !notyet.data || !enc.data || mkdtemp(tmpl) == NULL || cachet_diag_init(&dg) < 0) {
		printf("Bail out! cannot read the test certificates or make a directory\n");
		return 99;
	}
	snprintf(dir, sizeof(dir), "%s/a/b", tmpl);
	snprintf(missing, sizeof(missing), "%s/missing", tmpl);

	/* Recipient checks. */
	ok(cachet_recipient_cert_check(&alice, 0, dg) == 0, "alice (RSA, keyEncipherment) can receive");
	ok(cachet_recipient_cert_check(&carol, 0, dg) == 0, "carol (EC, keyAgreement, DER) can receive");
	ok(cachet_recipient_cert_check(&enc, 0, dg) == 0, "an encryption-only certificate can receive");
	ok(cachet_recipient_cert_check(&erin, 0, dg) == CACHET_E_CERT_KEY_USAGE,
	   "an Ed25519 certificate cannot (CACHET_E_CERT_KEY_USAGE)");
	ok(cachet_recipient_cert_check(&valid, 0, dg) == CACHET_E_CERT_KEY_USAGE,
	   "keyUsage without keyEncipherment: CACHET_E_CERT_KEY_USAGE");
	ok(cachet_recipient_cert_check(&expired, 0, dg) == CACHET_E_CERT_EXPIRED,
	   "an expired certificate: CACHET_E_CERT_EXPIRED");
	ok(cachet_recipient_cert_check(&expired, (time_t)1590000000, dg) == CACHET_E_CERT_KEY_USAGE,
	   "... valid in 2020, then its keyUsage decides");
	ok(cachet_recipient_cert_check(&notyet, 0, dg) == CACHET_E_CERT_NOT_YET_VALID,
	   "a certificate not yet valid: CACHET_E_CERT_NOT_YET_VALID");
	ok(cachet_recipient_cert_check(&chain, 0, dg) == CACHET_E_INVALID_ARG,
	   "two certificates at once: CACHET_E_INVALID_ARG");
	ok(cachet_recipient_cert_check(&junk, 0, dg) < 0, "junk is refused");
	ok(cachet_recipient_cert_check(NULL, 0, dg) == CACHET_E_INVALID_ARG, "NULL is refused");
	{
		/* noeku: keyUsage digitalSignature only, so the keyUsage rule
		 * speaks first; both are failures. */
		int r = cachet_recipient_cert_check(&noeku, 0, dg);
		ok(r == CACHET_E_CERT_KEY_USAGE || r == CACHET_E_CERT_EXT_KEY_USAGE,
		   "serverAuth only: refused (%s)", cachet_strerror_name(r));
	}

	/* Adding. */
	ok(cachet_certdir_add(NULL, &alice, NULL, dg) == CACHET_E_INVALID_ARG, "add: no directory");
	ok(cachet_certdir_add("", &alice, NULL, dg) == CACHET_E_INVALID_ARG, "add: an empty directory name");
	ok(cachet_certdir_add(dir, &chain, &is_added, dg) == CACHET_E_INVALID_ARG && !is_added,
	   "add: two certificates are refused");
	ok(cachet_certdir_add(dir, &junk, NULL, dg) < 0, "add: junk is refused");
	ret = cachet_certdir_add(dir, &alice, &is_added, dg);
	ok(ret == 0 && is_added, "add: alice, creating the directory and its parent");
	struct stat st;
	ok(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700, "the directory has mode 0700");
	ret = cachet_certdir_add(dir, &alice, &is_added, dg);
	ok(ret == 0 && !is_added, "add: alice again writes nothing");
	ok(cachet_certdir_add(dir, &carol, &is_added, dg) == 0 && is_added, "add: carol (DER input)");
	ok(count_files(dir) == 2, "two files, no temporary left");

	/* Finding. */
	ok(cachet_certdir_find(dir, "alice@example.org", 0, &out, dg) == 0 && out.size > 0 && out.data[0] == 0x30,
	   "find: alice's certificate, as DER");
	cachet_free(out.data);
	out.data = NULL;
	ok(cachet_certdir_find(dir, "carol@Example.Org", 0, &out, dg) == 0, "find: the domain ignores case");
	cachet_free(out.data);
	out.data = NULL;
	ok(cachet_certdir_find(dir, "bob@example.org", 0, &out, dg) == CACHET_E_CERT_NOT_FOUND && out.data == NULL,
	   "find: bob is not there (CACHET_E_CERT_NOT_FOUND)");
	ok(cachet_certdir_find(missing, "alice@example.org", 0, &out, dg) == CACHET_E_CERT_NOT_FOUND,
	   "find: a missing directory finds nothing");
	ok(cachet_certdir_find(dir, "alice", 0, &out, dg) == CACHET_E_INVALID_ARG, "find: not an address");
	ok(cachet_certdir_find(NULL, "alice@example.org", 0, &out, dg) == CACHET_E_INVALID_ARG,
	   "find: no directory");
	ok(cachet_certdir_find(dir, "alice@example.org", 0, NULL, dg) == CACHET_E_INVALID_ARG, "find: no output");
	ok(cachet_certdir_find(dir, "alice@example.org", (time_t)2000000000 + 700000000, &out, dg) ==
		   CACHET_E_CERT_NOT_FOUND,
	   "find: after alice's certificate expired (2055) nothing fits");

	/* Importing: argument checks (tests/certdir.sh runs the rest). */
	{
		cachet_verify_t *v = NULL;
		size_t n = 7;
		ok(cachet_verify_init(&v) == 0, "a verifier");
		ok(cachet_certdir_import(dir, v, NULL, &n, NULL, dg) == CACHET_E_INVALID_ARG && n == 0,
		   "import: no message");
		ok(cachet_certdir_import(dir, v, &junk, &n, NULL, dg) < 0 && n == 0, "import: junk imports nothing");
		ok(cachet_certdir_import(dir, NULL, &alice, &n, NULL, dg) == CACHET_E_INVALID_ARG, "import: no verifier");
		cachet_verify_deinit(v);
	}
	ok(count_files(dir) == 2, "the directory is as it was");

	{
		char cmd[PATH_MAX + 16];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
		if (system(cmd) != 0)
			diag("could not remove %s", tmpl);
	}
	free(alice.data);
	free(carol.data);
	free(erin.data);
	free(chain.data);
	free(valid.data);
	free(noeku.data);
	free(expired.data);
	free(notyet.data);
	free(enc.data);
	cachet_diag_deinit(dg);
	return tap_done();
}
