/* t-crypto.c -- TAP test of the algorithm registry, the Nettle adapter
 * and key handling (registry.c, crypto-nettle.c, pki-key.c).
 *
 * Keys and certificates come from the test PKI in $CACHET_PKI_DIR
 * (default "vectors/pki"; see its MANIFEST).  The known answers that
 * depend on those keys (RSA PKCS#1 v1.5 signature, OpenSSL-made RSA-PSS
 * signatures) are computed at run time with the openssl command, so the
 * test keeps working when the PKI is regenerated; those checks are
 * skipped when openssl is not installed.  Fixed vectors: FIPS 180-4 /
 * NIST CSRC examples for the hashes, RFC 8032 section 7 for EdDSA.
 *
 * The DSA certificate and signature below were made once with OpenSSL
 * 3.0 (DSA 2048/256, "openssl dgst -sha256 -sign" over DSA_MSG); the
 * X25519 certificate with "openssl x509 -force_pubkey".
 */
#include "crypto.h"
#include "pki-key.h"
#include "tap.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

/* A peer tool the suite needs is missing: that is a failure, never a skip
 * (the project's rule; CI installs every peer). */
static void skip(const char *why, const char *what)
{
	ok(0, "%s: %s", what, why);
}

static void expect(int got, int want, const char *what)
{
	if (got != want)
		printf("# %s: got %d, want %d\n", what, got, want);
	ok(got == want, "%s", what);
}

/* ------------------------------------------------------------------ */
/* helpers */

static size_t unhex(const char *h, uint8_t *out, size_t max)
{
	size_t n = strlen(h) / 2, i;
	unsigned v;

	if (n > max)
		abort();
	for (i = 0; i < n; i++) {
		if (sscanf(h + 2 * i, "%2x", &v) != 1)
			abort();
		out[i] = (uint8_t)v;
	}
	return n;
}

static bool eq_hex(const uint8_t *p, size_t n, const char *h)
{
	uint8_t buf[256];
	size_t m = unhex(h, buf, sizeof(buf));

	return m == n && memcmp(p, buf, n) == 0;
}

static const char *pki_dir(void)
{
	const char *d = getenv("CACHET_PKI_DIR");

	return d != NULL && *d != '\0' ? d : "vectors/pki";
}

static int read_file(const char *name, cachet_datum_t *out)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", pki_dir(), name);
	return tap_slurp(path, &out->data, &out->size);
}

static int load_key(const char *name, const char *password,
		    cachet_privkey_t **k)
{
	cachet_datum_t d;
	int ret;

	*k = NULL;
	if (read_file(name, &d) < 0)
		return CACHET_E_IO;
	ret = _cachet_privkey_import(k, &d, password, NULL);
	free(d.data);
	return ret;
}

static int pub_from_pem(const uint8_t *pem, size_t len, cachet_pubkey_t **k)
{
	gnutls_x509_crt_t crt;
	gnutls_datum_t d = { (unsigned char *)pem, (unsigned)len };
	int ret;

	*k = NULL;
	if (gnutls_x509_crt_init(&crt) < 0)
		return CACHET_E_NOMEM;
	if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM) < 0) {
		gnutls_x509_crt_deinit(crt);
		return CACHET_E_BAD_CERT;
	}
	ret = _cachet_pubkey_from_crt(k, crt, NULL);
	gnutls_x509_crt_deinit(crt);
	return ret;
}

static int load_pub(const char *name, cachet_pubkey_t **k)
{
	cachet_datum_t d;
	int ret;

	*k = NULL;
	if (read_file(name, &d) < 0)
		return CACHET_E_IO;
	ret = pub_from_pem(d.data, d.size, k);
	free(d.data);
	return ret;
}

static bool have_openssl(void)
{
	static int cached = -1;

	if (cached < 0)
		cached = system("openssl version >/dev/null 2>&1") == 0;
	return cached == 1;
}

/* Run a shell pipeline and collect its stdout (binary). */
static int run_cmd(const char *cmd, uint8_t *out, size_t max, size_t *len)
{
	FILE *f = popen(cmd, "r");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(out, 1, max, f);
	if (pclose(f) != 0 || n == 0 || n == max)
		return -1;
	*len = n;
	return 0;
}

static bool path_is_quotable(const char *s)
{
	return strchr(s, '\'') == NULL;
}

/* The code of the innermost diagnostic frame, and its rule. */
static bool diag_has(cachet_diag_t *diag, int code, const char *rule_part)
{
	size_t i, n = cachet_diag_count(diag);
	int c;
	const char *rule;

	for (i = 0; i < n; i++) {
		if (cachet_diag_get(diag, i, &c, NULL, &rule, NULL) < 0)
			continue;
		if (c == code && (rule_part == NULL ||
				  strstr(rule, rule_part) != NULL))
			return true;
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* registry */

static bool oid_is_dotted(const char *s)
{
	bool digit = false;
	size_t dots = 0;

	for (; *s; s++) {
		if (*s >= '0' && *s <= '9') {
			digit = true;
		} else if (*s == '.' && digit) {
			digit = false;
			dots++;
		} else {
			return false;
		}
	}
	return digit && dots >= 1;
}

static void test_registry(void)
{
	const cachet_alg_t *a, *b;
	size_t i, j, n = 0;
	bool by_oid = true, by_id = true, uniq_oid = true, uniq_id = true;
	bool present = true, syntax = true, named = true, hashes = true;
	bool legacy = true;
	int id;

	for (i = 0; (a = _cachet_alg_at(i)) != NULL; i++) {
		n++;
		if (_cachet_alg_by_oid(a->oid) != a) {
			printf("# by_oid(%s) is not its row\n", a->oid);
			by_oid = false;
		}
		if (_cachet_alg_by_id(a->id) != a) {
			printf("# by_id(%d) is not its row\n", (int)a->id);
			by_id = false;
		}
		if (!oid_is_dotted(a->oid)) {
			printf("# bad OID syntax %s\n", a->oid);
			syntax = false;
		}
		if (a->name == NULL || a->name[0] == '\0' || a->rule == NULL ||
		    a->rule[0] == '\0')
			named = false;
		if (a->hash != CACHET_ALG_NONE &&
		    (_cachet_alg_by_id(a->hash) == NULL ||
		     _cachet_alg_by_id(a->hash)->kind != ALG_KIND_DIGEST))
			hashes = false;
		for (j = i + 1; (b = _cachet_alg_at(j)) != NULL; j++) {
			if (strcmp(a->oid, b->oid) == 0) {
				printf("# duplicate OID %s\n", a->oid);
				uniq_oid = false;
			}
			if (a->id == b->id)
				uniq_id = false;
		}
	}
	for (id = CACHET_ALG_NONE + 1; id < CACHET_ALG__COUNT; id++) {
		if (_cachet_alg_by_id((cachet_alg_id_t)id) == NULL) {
			printf("# id %d has no row\n", id);
			present = false;
		}
	}
	{
		static const cachet_alg_id_t leg[] = {
			CACHET_ALG_MD5,	      CACHET_ALG_SHA1,
			CACHET_ALG_RSA_SHA1,  CACHET_ALG_ECDSA_SHA1,
			CACHET_ALG_DSA,	      CACHET_ALG_DSA_SHA1,
			CACHET_ALG_DSA_SHA224, CACHET_ALG_DSA_SHA256,
			CACHET_ALG_DES_EDE3_CBC, CACHET_ALG_RC2_CBC,
		};
		for (i = 0; i < sizeof(leg) / sizeof(leg[0]); i++) {
			a = _cachet_alg_by_id(leg[i]);
			if (a == NULL ||
			    (a->flags & (ALG_F_LEGACY | ALG_F_VERIFY_ONLY)) !=
				    (ALG_F_LEGACY | ALG_F_VERIFY_ONLY))
				legacy = false;
		}
		a = _cachet_alg_by_id(CACHET_ALG_SHA256);
		if (a == NULL || (a->flags & ALG_F_LEGACY))
			legacy = false;
	}

	ok(n == CACHET_ALG__COUNT - 1, "registry has %zu rows, one per id",
	   n);
	ok(by_oid, "registry: by_oid(row.oid) == row for every row");
	ok(by_id, "registry: by_id(row.id) == row for every row");
	ok(uniq_oid, "registry: OIDs are unique");
	ok(uniq_id, "registry: ids are unique");
	ok(present, "registry: every cachet_alg_id_t has a row");
	ok(syntax, "registry: every OID is dotted decimal");
	ok(named, "registry: every row has a name and a rule");
	ok(hashes, "registry: bound hashes are digest rows");
	ok(legacy, "registry: MD5/SHA-1/DSA/3DES/RC2 legacy + verify-only");
	ok(_cachet_alg_by_id(CACHET_ALG_NONE) == NULL &&
		   _cachet_alg_by_id(CACHET_ALG__COUNT) == NULL &&
		   _cachet_alg_at(n) == NULL,
	   "registry: NONE, __COUNT and past-the-end give NULL");
	ok(_cachet_alg_by_oid("1.2.3.4.5") == NULL &&
		   _cachet_alg_by_oid(NULL) == NULL &&
		   strcmp(_cachet_oid_name("1.2.3.4.5"), "1.2.3.4.5") == 0,
	   "registry: unknown OID is not found, named by itself");

	a = _cachet_alg_by_oid("2.16.840.1.101.3.4.2.1");
	ok(a != NULL && a->id == CACHET_ALG_SHA256 &&
		   strcmp(a->name, "sha256") == 0,
	   "registry: 2.16.840.1.101.3.4.2.1 is sha256");
	a = _cachet_alg_by_oid("1.2.840.113549.1.1.11");
	ok(a != NULL && a->id == CACHET_ALG_RSA_SHA256 &&
		   a->hash == CACHET_ALG_SHA256 &&
		   a->kind == ALG_KIND_SIGNATURE,
	   "registry: sha256WithRSAEncryption bound to sha256");
	a = _cachet_alg_by_oid("1.3.101.112");
	ok(a != NULL && strcmp(a->name, "Ed25519") == 0 &&
		   a->params == ALG_PARAMS_ABSENT,
	   "registry: Ed25519 parameters absent (RFC 8410 section 3)");
	ok(strcmp(_cachet_oid_name("1.2.840.113549.1.9.16.2.47"),
		  "id-smime-aa-signingCertificateV2") == 0,
	   "registry: name of signingCertificateV2");
	{
		/* ALG_F_AEAD is what cachet lint reads to find an
		 * authenticated-encryption cipher in EnvelopedData. */
		static const char *const aead[] = {
			"2.16.840.1.101.3.4.1.6", "2.16.840.1.101.3.4.1.26", "2.16.840.1.101.3.4.1.46",
			"2.16.840.1.101.3.4.1.7", "2.16.840.1.101.3.4.1.27", "2.16.840.1.101.3.4.1.47",
			"1.2.840.113549.1.9.16.3.18",
		};
		bool is_aead_ok = true, others_ok = true;
		for (i = 0; i < sizeof(aead) / sizeof(aead[0]); i++) {
			a = _cachet_alg_by_oid(aead[i]);
			if (a == NULL || a->kind != ALG_KIND_CIPHER || !(a->flags & ALG_F_AEAD)) {
				printf("# %s is not an AEAD cipher row\n", aead[i]);
				is_aead_ok = false;
			}
		}
		for (i = 0; (a = _cachet_alg_at(i)) != NULL; i++) {
			bool listed = false;
			for (j = 0; j < sizeof(aead) / sizeof(aead[0]); j++)
				listed |= strcmp(a->oid, aead[j]) == 0;
			if (!listed && (a->flags & ALG_F_AEAD)) {
				printf("# %s is flagged AEAD\n", a->name);
				others_ok = false;
			}
		}
		ok(is_aead_ok, "registry: AES-GCM, AES-CCM and ChaCha20-Poly1305 are AEAD cipher rows");
		ok(others_ok, "registry: no other row (AES-CBC, 3DES, RC2, AES-CFB) is flagged AEAD");
		a = _cachet_alg_by_oid("2.16.840.1.101.3.4.1.7");
		ok(a != NULL && (a->flags & ALG_F_UNSUPPORTED) && strcmp(a->name, "aes128-CCM") == 0,
		   "registry: aes128-CCM is known but unsupported");
	}
}

static void test_params(void)
{
	static const uint8_t null_der[] = { 0x05, 0x00 };
	static const uint8_t garbage[] = { 0x04, 0x00 };
	static const uint8_t null_long[] = { 0x05, 0x81, 0x00 };
	static const uint8_t pss_params[] = { 0x30, 0x00 };
	cachet_alg_t strict_null;
	const cachet_alg_t *a;
	cachet_diag_t *diag = NULL;
	const char *rule = NULL;
	int code = 0;

	if (cachet_diag_init(&diag) < 0)
		abort();

	a = _cachet_alg_by_id(CACHET_ALG_SHA256);
	expect(_cachet_alg_check_params(a, NULL, 0, "p", diag), 0,
	       "params: sha256 absent accepted (RFC 5754 section 2)");
	expect(_cachet_alg_check_params(a, null_der, 2, "p", diag), 0,
	       "params: sha256 NULL accepted (RFC 5754 section 2)");
	ok(cachet_diag_count(diag) == 0, "params: no diagnostic on success");
	expect(_cachet_alg_check_params(a, garbage, 2, "p", diag),
	       CACHET_E_BAD_PARAMS, "params: sha256 with OCTET STRING rejected");
	ok(cachet_diag_count(diag) >= 1 &&
		   cachet_diag_get(diag, 0, &code, NULL, &rule, NULL) == 0 &&
		   code == CACHET_E_BAD_PARAMS &&
		   strcmp(rule, "RFC 5754 section 2.2") == 0,
	   "params: diagnostic names the rule");
	expect(_cachet_alg_check_params(a, null_long, 3, "p", diag),
	       CACHET_E_BAD_PARAMS, "params: non-DER NULL (05 81 00) rejected");

	a = _cachet_alg_by_id(CACHET_ALG_ED25519);
	expect(_cachet_alg_check_params(a, NULL, 0, "p", diag), 0,
	       "params: Ed25519 absent accepted");
	expect(_cachet_alg_check_params(a, null_der, 2, "p", diag),
	       CACHET_E_BAD_PARAMS,
	       "params: Ed25519 NULL rejected (RFC 8419 section 2.4)");
	a = _cachet_alg_by_id(CACHET_ALG_ECDSA_SHA256);
	expect(_cachet_alg_check_params(a, null_der, 2, "p", diag),
	       CACHET_E_BAD_PARAMS,
	       "params: ecdsa-with-SHA256 NULL rejected (RFC 5754 3.3)");
	a = _cachet_alg_by_id(CACHET_ALG_RSA_SHA256);
	expect(_cachet_alg_check_params(a, null_der, 2, "p", diag), 0,
	       "params: sha256WithRSAEncryption NULL accepted");
	expect(_cachet_alg_check_params(a, NULL, 0, "p", diag), 0,
	       "params: sha256WithRSAEncryption absent accepted "
	       "(RFC 5754 section 3.2)");
	expect(_cachet_alg_check_params(a, garbage, 2, "p", diag),
	       CACHET_E_BAD_PARAMS,
	       "params: sha256WithRSAEncryption garbage rejected");
	a = _cachet_alg_by_id(CACHET_ALG_RSA_PSS);
	expect(_cachet_alg_check_params(a, NULL, 0, "p", diag),
	       CACHET_E_BAD_PARAMS, "params: rsassaPss absent rejected");
	expect(_cachet_alg_check_params(a, null_der, 2, "p", diag),
	       CACHET_E_BAD_PARAMS, "params: rsassaPss NULL rejected");
	expect(_cachet_alg_check_params(a, pss_params, 2, "p", diag), 0,
	       "params: rsassaPss with a value accepted");
	a = _cachet_alg_by_id(CACHET_ALG_AES128_WRAP);
	expect(_cachet_alg_check_params(a, null_der, 2, "p", diag),
	       CACHET_E_BAD_PARAMS,
	       "params: aes128-wrap NULL rejected (RFC 3565 2.3.2)");
	a = _cachet_alg_by_id(CACHET_ALG_CT_DATA);
	expect(_cachet_alg_check_params(a, garbage, 2, "p", diag), 0,
	       "params: ANY rule accepts anything");

	strict_null = *_cachet_alg_by_id(CACHET_ALG_RSA);
	strict_null.params = ALG_PARAMS_NULL;
	expect(_cachet_alg_check_params(&strict_null, null_der, 2, "p", diag),
	       0, "params: NULL rule accepts 05 00");
	expect(_cachet_alg_check_params(&strict_null, NULL, 0, "p", diag),
	       CACHET_E_BAD_PARAMS, "params: NULL rule rejects absent");
	expect(_cachet_alg_check_params(&strict_null, garbage, 2, "p", NULL),
	       CACHET_E_BAD_PARAMS, "params: NULL rule, diag NULL is fine");
	cachet_diag_deinit(diag);
}

/* ------------------------------------------------------------------ */
/* hashes */

static void test_hashes(void)
{
	static const struct {
		cachet_alg_id_t id;
		const char *abc;
	} kat[] = {
		/* FIPS 180-4 examples (NIST CSRC), message "abc" */
		{ CACHET_ALG_SHA1, "a9993e364706816aba3e25717850c26c9cd0d89d" },
		{ CACHET_ALG_SHA224, "23097d223405d8228642a477bda255b32aadbce4"
				     "bda0b3f7e36c9da7" },
		{ CACHET_ALG_SHA256, "ba7816bf8f01cfea414140de5dae2223b00361a3"
				     "96177a9cb410ff61f20015ad" },
		{ CACHET_ALG_SHA384, "cb00753f45a35e8bb5a03d699ac65007272c32ab"
				     "0eded1631a8b605a43ff5bed8086072ba1e7cc23"
				     "58baeca134c825a7" },
		{ CACHET_ALG_SHA512, "ddaf35a193617abacc417349ae20413112e6fa4e"
				     "89a97ea20a9eeee64b55d39a2192992a274fc1a8"
				     "36ba3c23a3feebbd454d4423643ce80e2a9ac94f"
				     "a54ca49f" },
		/* SHAKE256("abc"), 512 bits (FIPS 202; RFC 8419 length) */
		{ CACHET_ALG_SHAKE256,
		  "483366601360a8771c6863080cc4114d8db44530f8f1e1ee4f94ea37e78b"
		  "5739d5a15bef186a5386c75744c0527e1faa9f8726e462a12a4feb06bd88"
		  "01e751e4" },
		/* id-shake256-len names the same function (RFC 8419 2.3) */
		{ CACHET_ALG_SHAKE256_LEN,
		  "483366601360a8771c6863080cc4114d8db44530f8f1e1ee4f94ea37e78b"
		  "5739d5a15bef186a5386c75744c0527e1faa9f8726e462a12a4feb06bd88"
		  "01e751e4" },
	};
	uint8_t out[CACHET_MAX_DIGEST], chunk[1000];
	cachet_hash_t h;
	size_t i, done, step;
	int ret;

	for (i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		const cachet_alg_t *a = _cachet_alg_by_id(kat[i].id);

		ret = _cachet_hash_once(kat[i].id, (const uint8_t *)"abc", 3,
					out);
		ok(ret == 0 && eq_hex(out, _cachet_hash_size(kat[i].id),
				      kat[i].abc),
		   "hash: %s(\"abc\") known answer", a->name);
	}
	memset(chunk, 'a', sizeof(chunk));
	/* one million 'a' in uneven pieces (FIPS 180-4 examples) */
	ret = _cachet_hash_init(&h, CACHET_ALG_SHA256);
	for (done = 0, step = 1; ret == 0 && done < 1000000; done += step) {
		step = (done % 997) + 1;
		if (step > 1000000 - done)
			step = 1000000 - done;
		_cachet_hash_update(&h, chunk, step);
	}
	_cachet_hash_final(&h, out);
	ok(ret == 0 && eq_hex(out, 32, "cdc76e5c9914fb9281a1c7e284d73e67f1809a"
				       "48a497200e046d39ccc7112cd0"),
	   "hash: sha256 of a million 'a' in split updates");
	/* the context is reset after final: reuse it */
	_cachet_hash_update(&h, (const uint8_t *)"abc", 3);
	_cachet_hash_final(&h, out);
	ok(eq_hex(out, 32, kat[2].abc), "hash: context reusable after final");

	ret = _cachet_hash_init(&h, CACHET_ALG_SHA1);
	for (done = 0; ret == 0 && done < 1000000; done += sizeof(chunk))
		_cachet_hash_update(&h, chunk, sizeof(chunk));
	_cachet_hash_final(&h, out);
	ok(ret == 0 && eq_hex(out, 20, "34aa973cd4c4daa4f61eeb2bdbad27316534016f"),
	   "hash: sha1 of a million 'a'");

	expect(_cachet_hash_init(&h, CACHET_ALG_MD5), CACHET_E_UNSUPPORTED,
	       "hash: md5 is known but not computed");
	expect(_cachet_hash_init(&h, CACHET_ALG_RSA_SHA256),
	       CACHET_E_UNSUPPORTED, "hash: a signature id is not a hash");
	ok(_cachet_hash_size(CACHET_ALG_SHA384) == 48 &&
		   _cachet_hash_size(CACHET_ALG_SHAKE256) == 64 &&
		   _cachet_hash_size(CACHET_ALG_ED25519) == 0,
	   "hash: sizes");
	{
		uint8_t r1[32], r2[32];

		ok(_cachet_random(r1, sizeof(r1)) == 0 &&
			   _cachet_random(r2, sizeof(r2)) == 0 &&
			   memcmp(r1, r2, sizeof(r1)) != 0,
		   "random: two draws differ");
	}
}

/* ------------------------------------------------------------------ */
/* EdDSA, RFC 8032 section 7 */

static cachet_privkey_t *eddsa_key_from_seed(const char *seed_hex, bool ed448)
{
	/* PKCS#8 OneAsymmetricKey (RFC 8410 section 7) around the seed */
	static const char p25519[] = "302e020100300506032b657004220420";
	static const char p448[] = "3047020100300506032b6571043b0439";
	char hex[300];
	uint8_t der[128];
	cachet_datum_t d;
	cachet_privkey_t *k = NULL;

	snprintf(hex, sizeof(hex), "%s%s", ed448 ? p448 : p25519, seed_hex);
	d.data = der;
	d.size = unhex(hex, der, sizeof(der));
	if (_cachet_privkey_import(&k, &d, NULL, NULL) < 0)
		return NULL;
	return k;
}

static cachet_pubkey_t *raw_pub(cachet_pk_type_t t, const char *hex)
{
	cachet_pubkey_t *k = calloc(1, sizeof(*k));

	if (k == NULL)
		abort();
	k->type = t;
	k->raw_len = unhex(hex, k->raw, sizeof(k->raw));
	return k;
}

static void eddsa_case(const char *label, bool ed448, const char *seed,
		       const char *pub, const char *msg_hex, const char *sig)
{
	cachet_sigparams_t sp = { .scheme = ed448 ? CACHET_PK_ED448
						  : CACHET_PK_ED25519 };
	cachet_privkey_t *k = eddsa_key_from_seed(seed, ed448);
	cachet_pubkey_t *pk = raw_pub(sp.scheme, pub);
	cachet_datum_t s = { NULL, 0 };
	uint8_t msg[64];
	size_t mlen = unhex(msg_hex, msg, sizeof(msg));
	int ret;

	ok(k != NULL && _cachet_privkey_type(k) == sp.scheme,
	   "%s: private key imported from PKCS#8 DER", label);
	if (k == NULL)
		goto out;
	ok(_cachet_key_is_pair(k, pk), "%s: derived public key matches RFC",
	   label);
	ret = _cachet_pk_sign(k, &sp, msg, mlen, &s, NULL);
	ok(ret == 0 && eq_hex(s.data, s.size, sig),
	   "%s: signature is the RFC 8032 value", label);
	expect(_cachet_pk_verify(pk, &sp, msg, mlen, s.data, s.size, NULL), 0,
	       "verify RFC 8032 signature");
	if (s.data != NULL) {
		s.data[s.size / 2] ^= 0x01;
		expect(_cachet_pk_verify(pk, &sp, msg, mlen, s.data, s.size,
					 NULL),
		       CACHET_E_BAD_SIGNATURE, "flipped signature bit fails");
		s.data[s.size / 2] ^= 0x01;
		expect(_cachet_pk_verify(pk, &sp, msg, mlen, s.data,
					 s.size - 1, NULL),
		       CACHET_E_BAD_SIGNATURE, "short signature fails");
	}
	msg[mlen] = 0x00;
	expect(_cachet_pk_verify(pk, &sp, msg, mlen + 1, s.data, s.size, NULL),
	       CACHET_E_BAD_SIGNATURE, "changed message fails");
out:
	cachet_free(s.data);
	_cachet_privkey_free(k);
	_cachet_pubkey_free(pk);
}

static void test_eddsa_vectors(void)
{
	/* RFC 8032 section 7.1, TEST 1 and TEST 2 */
	eddsa_case("Ed25519 RFC 8032 7.1 test 1", false,
		   "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031c"
		   "ae7f60",
		   "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f7"
		   "07511a",
		   "",
		   "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522"
		   "4901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe246551"
		   "41438e7a100b");
	eddsa_case("Ed25519 RFC 8032 7.1 test 2", false,
		   "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4f"
		   "b8a6fb",
		   "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12a"
		   "f4660c",
		   "72",
		   "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223eb"
		   "db69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d"
		   "291612bb0c00");
	/* RFC 8032 section 7.4, "Blank" */
	eddsa_case("Ed448 RFC 8032 7.4 blank", true,
		   "6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6"
		   "e348a3528c8a3fcc2f044e39a3fc5b94492f8f032e7549a20098f95b",
		   "5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80"
		   "e96778edf124769b46c7061bd6783df1e50f6cd1fa1abeafe8256180",
		   "",
		   "533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d4"
		   "1a591f2b233f034f628281f2fd7a22ddd47d7828c59bd0a21bfd3980ff"
		   "0d2028d4b18a9df63e006c5d1c2d345b925d8dc00b4104852db99ac5c7"
		   "cdda8530a113a0f4dbb61149f05a7363268c71d95808ff2e652600");
}

/* ------------------------------------------------------------------ */
/* keys from the PKI */

typedef struct {
	const char *name;
	cachet_pk_type_t type;
	cachet_alg_id_t curve;
	unsigned bits;
	cachet_privkey_t *priv;
	cachet_pubkey_t *pub;
} person_t;

static person_t people[] = {
	{ "alice", CACHET_PK_RSA, CACHET_ALG_NONE, 2048, NULL, NULL },
	{ "bob", CACHET_PK_RSA, CACHET_ALG_NONE, 3072, NULL, NULL },
	{ "carol", CACHET_PK_EC, CACHET_ALG_P256, 256, NULL, NULL },
	{ "dave", CACHET_PK_EC, CACHET_ALG_P384, 384, NULL, NULL },
	{ "erin", CACHET_PK_ED25519, CACHET_ALG_NONE, 256, NULL, NULL },
	{ "frank", CACHET_PK_ED448, CACHET_ALG_NONE, 456, NULL, NULL },
	{ "grace", CACHET_PK_EC, CACHET_ALG_P521, 521, NULL, NULL },
};
#define N_PEOPLE (sizeof(people) / sizeof(people[0]))

static person_t *who(const char *name)
{
	size_t i;

	for (i = 0; i < N_PEOPLE; i++)
		if (strcmp(people[i].name, name) == 0)
			return &people[i];
	abort();
}

static bool load_people(void)
{
	char fn[64];
	size_t i;
	int r1, r2;
	bool all = true;

	for (i = 0; i < N_PEOPLE; i++) {
		person_t *p = &people[i];

		snprintf(fn, sizeof(fn), "%s.key.pem", p->name);
		r1 = load_key(fn, NULL, &p->priv);
		snprintf(fn, sizeof(fn), "%s.crt.pem", p->name);
		r2 = load_pub(fn, &p->pub);
		ok(r1 == 0 && r2 == 0 && _cachet_privkey_type(p->priv) ==
						 p->type &&
			   _cachet_pubkey_type(p->pub) == p->type &&
			   _cachet_privkey_curve(p->priv) == p->curve &&
			   _cachet_pubkey_curve(p->pub) == p->curve &&
			   _cachet_privkey_bits(p->priv) == p->bits &&
			   _cachet_pubkey_bits(p->pub) == p->bits,
		   "keys: %s key (PKCS#8 PEM) and certificate: type, curve, "
		   "%u bits", p->name, p->bits);
		if (r1 != 0 || r2 != 0) {
			printf("# %s: key %d, cert %d\n", p->name, r1, r2);
			all = false;
		}
	}
	return all;
}

static void free_people(void)
{
	size_t i;

	for (i = 0; i < N_PEOPLE; i++) {
		_cachet_privkey_free(people[i].priv);
		_cachet_pubkey_free(people[i].pub);
		people[i].priv = NULL;
		people[i].pub = NULL;
	}
}

static void test_pairs(void)
{
	size_t i, j;
	bool diag_ok = true, off_ok = true;

	for (i = 0; i < N_PEOPLE; i++)
		if (!_cachet_key_is_pair(people[i].priv, people[i].pub))
			diag_ok = false;
	for (i = 0; i < N_PEOPLE; i++)
		for (j = 0; j < N_PEOPLE; j++)
			if (i != j && _cachet_key_is_pair(people[i].priv,
							  people[j].pub)) {
				printf("# %s key pairs with %s cert\n",
				       people[i].name, people[j].name);
				off_ok = false;
			}
	ok(diag_ok, "pairs: every key matches its own certificate");
	ok(off_ok, "pairs: no key matches another person's certificate");
	ok(!_cachet_key_is_pair(NULL, people[0].pub) &&
		   !_cachet_key_is_pair(people[0].priv, NULL),
	   "pairs: NULL is never a pair");
}

/* Convert a PEM private key to another container with GnuTLS and import
 * it: DER PKCS#8, PKCS#1 / SEC1 (the traditional formats). */
static void test_key_formats(void)
{
	cachet_datum_t pem = { NULL, 0 }, der = { NULL, 0 };
	gnutls_datum_t in, out = { NULL, 0 };
	gnutls_x509_privkey_t xk = NULL;
	cachet_privkey_t *k = NULL;
	cachet_diag_t *diag = NULL;
	const char *names[] = { "alice", "carol" };
	size_t i;
	int ret;

	if (cachet_diag_init(&diag) < 0)
		abort();
	for (i = 0; i < 2; i++) {
		char fn[64];
		person_t *p = who(names[i]);

		snprintf(fn, sizeof(fn), "%s.key.pem", names[i]);
		if (read_file(fn, &pem) < 0) {
			skip("no key file", "keys: formats");
			continue;
		}
		in.data = pem.data;
		in.size = (unsigned)pem.size;
		ret = gnutls_pem_base64_decode2("PRIVATE KEY", &in, &out);
		der.data = out.data;
		der.size = out.size;
		ret = ret < 0 ? ret : _cachet_privkey_import(&k, &der, NULL, diag);
		ok(ret == 0 && _cachet_key_is_pair(k, p->pub),
		   "keys: %s PKCS#8 DER imports and pairs", names[i]);
		_cachet_privkey_free(k);
		k = NULL;
		gnutls_free(out.data);
		out.data = NULL;

		/* traditional: PKCS#1 "RSA PRIVATE KEY" / SEC1 "EC PRIVATE KEY" */
		gnutls_x509_privkey_init(&xk);
		ret = gnutls_x509_privkey_import(xk, &in, GNUTLS_X509_FMT_PEM);
		if (ret >= 0)
			ret = gnutls_x509_privkey_export2(
				xk, GNUTLS_X509_FMT_PEM, &out);
		der.data = out.data;
		der.size = out.size;
		ok(ret >= 0 && out.size > 30 &&
			   memcmp(out.data,
				  i == 0 ? "-----BEGIN RSA PRIVATE KEY"
					 : "-----BEGIN EC PRIVATE KEY",
				  i == 0 ? 26 : 25) == 0 &&
			   _cachet_privkey_import(&k, &der, NULL, diag) == 0 &&
			   _cachet_key_is_pair(k, p->pub),
		   "keys: %s %s PEM imports and pairs", names[i],
		   i == 0 ? "PKCS#1" : "SEC1");
		_cachet_privkey_free(k);
		k = NULL;
		gnutls_free(out.data);
		out.data = NULL;
		gnutls_x509_privkey_deinit(xk);
		free(pem.data);
		pem.data = NULL;
	}

	ret = load_key("alice.key.p8enc.pem", "alice-test-pass", &k);
	ok(ret == 0 && _cachet_key_is_pair(k, who("alice")->pub),
	   "keys: encrypted PKCS#8 with the right password");
	_cachet_privkey_free(k);
	k = NULL;
	ret = load_key("alice.key.p8enc.pem", "wrong-password", &k);
	ok(ret < 0 && k == NULL, "keys: wrong password is an error (%d)", ret);
	ret = load_key("alice.key.p8enc.pem", NULL, &k);
	ok(ret < 0 && k == NULL, "keys: missing password is an error (%d)",
	   ret);
	{
		static uint8_t junk[] = "-----BEGIN PRIVATE KEY-----\nAAAA\n"
					"-----END PRIVATE KEY-----\n";
		cachet_datum_t d = { junk, sizeof(junk) - 1 };
		uint8_t zeros[64] = { 0 };
		cachet_datum_t z = { zeros, sizeof(zeros) };

		cachet_diag_clear(diag);
		expect(_cachet_privkey_import(&k, &d, NULL, diag),
		       CACHET_E_BAD_KEY, "keys: broken PEM is CACHET_E_BAD_KEY");
		ok(cachet_diag_count(diag) > 0, "keys: with a diagnostic");
		expect(_cachet_privkey_import(&k, &z, NULL, NULL),
		       CACHET_E_BAD_KEY, "keys: zeros are CACHET_E_BAD_KEY");
		d.size = 0;
		expect(_cachet_privkey_import(&k, &d, NULL, NULL),
		       CACHET_E_INVALID_ARG, "keys: empty input");
	}
	cachet_diag_deinit(diag);
}

/* DSA 2048/256 certificate and SHA-256 signature made with OpenSSL. */
static const char dsa_crt_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIEhTCCBCugAwIBAgIBBzALBglghkgBZQMEAwIwKTERMA8GA1UEAwwIRFNBIFRl\n"
	"c3QxFDASBgNVBAoMC0NhY2hldCBUZXN0MB4XDTI2MTEyMzE4MTYxMFoXDTQ2MTEx\n"
	"ODE4MTYxMFowKTERMA8GA1UEAwwIRFNBIFRlc3QxFDASBgNVBAoMC0NhY2hldCBU\n"
	"ZXN0MIIDRzCCAjkGByqGSM44BAEwggIsAoIBAQDSY0t2egX9RZ7YW0dQHaiDcxSu\n"
	"/TQtLZZ3uMuTLznhFSSSc51cb0uL+ANUTiVLVrrst2/othEpkRgk1kVfkkcfFkwp\n"
	"5eZ0ppJ4LswcW8Su7J3Hev/XjArwpCm2Hu7oD6k7MXwwfBKBdMOs8id2vT5vLiOz\n"
	"z/0B01ecTNGnWNx0Rbm4Wsw5j6OdWqhubxeUayn4hFFNeiawZNhWGIgG0tVCDVLH\n"
	"mCe/3Gfv5XPLXT5JT4/XDL/Whf45WDQcrFe/CvGNQet2eQDvX4od/KzfGe4Nnr6W\n"
	"JFRqVJlzZ5bqJmaf6IMvzGyZKXvrNYLr/R5/qZfAn+i/R6TvQzaCa3jkeH4LAiEA\n"
	"82KWpZVpRI7si1JyAjo23SvnoaK/CIPpAsFyLzvwjYECggEAFvw1tpTysu6xYYUQ\n"
	"m8zTGKbG710zlKy/G62XU0ULGzS9P5lDKRVmV4dt9X3sr0EkwC7L3vcduzNZ3ztB\n"
	"II9KimxItx9x4sDkst+bIthljaKvffM1+GBbTbAJn9NFscmaiKOCozLhQGwGlv6k\n"
	"qtWe655lN0oCocQ9NoLv3hHc7IZRUIPFP+6c6bNXG6cS+0yhrCNaWah5tKDRfhbF\n"
	"fKFKm4EnJ7RXLklMJIttoxUzDYVA8Is/fgV23G6kOyfatmsAm557VAjmCE+uKrwO\n"
	"v3l9M9731wQs/fWpCPD6x2fkv+eAa5tSy7T9NHjIK1EHTVz8CgIPD7iUKdg7swk1\n"
	"zsJ4bwOCAQYAAoIBAQCtB1Wh7P4qppsMNdUmQcc30zJYDahGAp92i3aBDLryGv0z\n"
	"dykutYlQmle6kU2SspAQk/NZD55CLGQJgacHLZ8K9rHoG4bZrwiFF5YaCp5zbYbi\n"
	"lgluDgNDKJ8xUVe+1kQTxQb4f7LE0rp0cNRKyOCNw8clwwhDqGZR9iLbrAUwv2JL\n"
	"aW49Mr5WQirAVfwlDfIBlKrMMxx2PA+xUIS91F0VJKb3mw0FFLSKzSqrvmdA6IIR\n"
	"hEUu5WZcXAPjCgrnI1ECPw6cPuBD+rnpXvNiYd7fj6JZyZzqdlQOHkl+4l4D5JCZ\n"
	"TOueCsx3MHomHJVQDiyEFTqIL5J1aBqdtzrxj2QHo1MwUTAdBgNVHQ4EFgQU4bOi\n"
	"TGsmbqna7NG7rf/lZn0YQJUwHwYDVR0jBBgwFoAU4bOiTGsmbqna7NG7rf/lZn0Y\n"
	"QJUwDwYDVR0TAQH/BAUwAwEB/zALBglghkgBZQMEAwIDRwAwRAIgUijjFnbsppAl\n"
	"kee7ou8g/d0+NkH1EK2ifUK8wk04P6ICIG6OFH8TWhIYjiW6iD3+CRtIb2L8fQnQ\n"
	"8N1bbNycVX7n\n"
	"-----END CERTIFICATE-----\n";
static const char dsa_msg[] = "Cachet DSA test message";
static const char dsa_sig_hex[] =
	"304402206ed08272ba41a99ab74523bece09ee772abe86488ecf8dca8a198f3ff5"
	"42a39f0220083b1db4eb51d7143cce6dd701baad1a517c76718665b5920bd94773"
	"1144b6aa";

/* X25519 public key in a certificate (RFC 8410 section 4). */
static const char x25519_crt_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIG/MHMCAQUwBQYDK2VwMA0xCzAJBgNVBAMMAmVkMB4XDTI2MTEyMzE4MTQwNloX\n"
	"DTI2MTIyMzE4MTQwNlowDDEKMAgGA1UEAwwBeDAqMAUGAytlbgMhADhaTjtI/pmo\n"
	"ml/IRp1JjT4crB2WpmldOIEBMjBuUB1PMAUGAytlcANBAGAEgJK+XVn97LhqsAnI\n"
	"As9ftb9wPNXuTiKijw/GGyoYoAWXI/ElaUHMbPq9KAn67FtktSiA403bpbicw7fk\n"
	"uQQ=\n"
	"-----END CERTIFICATE-----\n";

static void test_dsa_x25519(void)
{
	cachet_pubkey_t *k = NULL;
	cachet_sigparams_t sp = { .scheme = CACHET_PK_DSA,
				  .hash = CACHET_ALG_SHA256 };
	uint8_t dg[32], sig[80];
	size_t slen = unhex(dsa_sig_hex, sig, sizeof(sig));
	cachet_datum_t out = { NULL, 0 };
	int ret;

	ret = pub_from_pem((const uint8_t *)dsa_crt_pem, strlen(dsa_crt_pem),
			   &k);
	ok(ret == 0 && _cachet_pubkey_type(k) == CACHET_PK_DSA &&
		   _cachet_pubkey_bits(k) == 2048,
	   "dsa: certificate public key (2048 bits)");
	_cachet_hash_once(CACHET_ALG_SHA256, (const uint8_t *)dsa_msg,
			  strlen(dsa_msg), dg);
	expect(_cachet_pk_verify(k, &sp, dg, 32, sig, slen, NULL), 0,
	       "dsa: OpenSSL dsa-with-sha256 signature verifies");
	dg[0] ^= 1;
	expect(_cachet_pk_verify(k, &sp, dg, 32, sig, slen, NULL),
	       CACHET_E_BAD_SIGNATURE, "dsa: flipped digest fails");
	dg[0] ^= 1;
	sig[slen - 1] ^= 1;
	expect(_cachet_pk_verify(k, &sp, dg, 32, sig, slen, NULL),
	       CACHET_E_BAD_SIGNATURE, "dsa: flipped signature fails");
	sig[slen - 1] ^= 1;
	sig[1]++; /* SEQUENCE length no longer matches */
	expect(_cachet_pk_verify(k, &sp, dg, 32, sig, slen, NULL),
	       CACHET_E_NOT_DER, "dsa: bad Dss-Sig-Value length is not DER");
	sig[1]--;
	sp.hash = CACHET_ALG_SHA512;
	expect(_cachet_pk_verify(k, &sp, dg, 32, sig, slen, NULL),
	       CACHET_E_UNSUPPORTED, "dsa: with SHA-512 unsupported");
	_cachet_pubkey_free(k);
	k = NULL;

	sp.hash = CACHET_ALG_SHA256;
	expect(_cachet_pk_sign(who("alice")->priv, &sp, dg, 32, &out, NULL),
	       CACHET_E_UNSUPPORTED, "dsa: signing is never done");

	ret = pub_from_pem((const uint8_t *)x25519_crt_pem,
			   strlen(x25519_crt_pem), &k);
	ok(ret == 0 && _cachet_pubkey_type(k) == CACHET_PK_X25519 &&
		   k->raw_len == 32 &&
		   eq_hex(k->raw, k->raw_len,
			  "385a4e3b48fe99a89a5fc8469d498d3e1cac1d96a6695d3881"
			  "0132306e501d4f"),
	   "x25519: certificate public key read (RFC 8410 section 4)");
	sp.scheme = CACHET_PK_ED25519;
	expect(_cachet_pk_verify(k, &sp, dg, 32, sig, 64, NULL),
	       CACHET_E_KEY_MISMATCH, "x25519: not usable for signatures");
	_cachet_pubkey_free(k);
}

/* ------------------------------------------------------------------ */
/* ECDSA */

/* Build SEQUENCE { INTEGER r, INTEGER s } from raw INTEGER contents. */
static size_t mk_sig(uint8_t *out, const uint8_t *r, size_t rl,
		     const uint8_t *s, size_t sl, bool long_len)
{
	size_t n = 0, body = 2 + rl + 2 + sl;

	out[n++] = 0x30;
	if (long_len || body >= 0x80)
		out[n++] = 0x81;
	out[n++] = (uint8_t)body;
	out[n++] = 0x02;
	out[n++] = (uint8_t)rl;
	memcpy(out + n, r, rl);
	n += rl;
	out[n++] = 0x02;
	out[n++] = (uint8_t)sl;
	memcpy(out + n, s, sl);
	n += sl;
	return n;
}

/* Split one of our own (well-formed, short-form) signatures. */
static void split_sig(const uint8_t *sig, const uint8_t **r, size_t *rl,
		      const uint8_t **s, size_t *sl)
{
	size_t off = sig[1] == 0x81 ? 3 : 2;

	*rl = sig[off + 1];
	*r = sig + off + 2;
	*sl = sig[off + 2 + *rl + 1];
	*s = sig + off + 2 + *rl + 2;
}

static void test_ecdsa(void)
{
	static const char *const names[] = { "carol", "dave", "grace" };
	static const cachet_alg_id_t hashes[] = { CACHET_ALG_SHA256,
						  CACHET_ALG_SHA384,
						  CACHET_ALG_SHA512 };
	static const char *const msg = "Cachet ECDSA test message";
	size_t i;

	for (i = 0; i < 3; i++) {
		person_t *p = who(names[i]);
		cachet_sigparams_t sp = { .scheme = CACHET_PK_EC,
					  .hash = hashes[i] };
		cachet_datum_t s1 = { NULL, 0 }, s2 = { NULL, 0 };
		uint8_t dg[64];
		size_t dl = _cachet_hash_size(hashes[i]);
		int ret;

		_cachet_hash_once(hashes[i], (const uint8_t *)msg, strlen(msg),
				  dg);
		ret = _cachet_pk_sign(p->priv, &sp, dg, dl, &s1, NULL);
		ok(ret == 0 && s1.size > 8 && s1.data[0] == 0x30,
		   "ecdsa %s: sign gives a DER SEQUENCE", names[i]);
		expect(_cachet_pk_verify(p->pub, &sp, dg, dl, s1.data, s1.size,
					 NULL),
		       0, "ecdsa: signature verifies");
		ret = _cachet_pk_sign(p->priv, &sp, dg, dl, &s2, NULL);
		ok(ret == 0 && (s1.size != s2.size ||
				memcmp(s1.data, s2.data, s1.size) != 0),
		   "ecdsa %s: two signatures differ (random nonce)", names[i]);
		expect(_cachet_pk_verify(p->pub, &sp, dg, dl, s2.data, s2.size,
					 NULL),
		       0, "ecdsa: second signature verifies");
		dg[3] ^= 0x10;
		expect(_cachet_pk_verify(p->pub, &sp, dg, dl, s1.data, s1.size,
					 NULL),
		       CACHET_E_BAD_SIGNATURE, "ecdsa: flipped digest fails");
		dg[3] ^= 0x10;
		expect(_cachet_pk_verify(p->pub, &sp, dg, dl - 1, s1.data,
					 s1.size, NULL),
		       CACHET_E_INVALID_ARG, "ecdsa: digest of wrong size");
		expect(_cachet_pk_verify(who("alice")->pub, &sp, dg, dl,
					 s1.data, s1.size, NULL),
		       CACHET_E_KEY_MISMATCH, "ecdsa: RSA key refused");
		if (i == 0)
			expect(_cachet_pk_verify(who("dave")->pub, &sp, dg, dl,
						 s1.data, s1.size, NULL),
			       CACHET_E_BAD_SIGNATURE,
			       "ecdsa: P-256 signature with P-384 key fails");
		cachet_free(s1.data);
		cachet_free(s2.data);
	}

	/* strict DER: RFC 5753 section 7.2 / RFC 3279 section 2.2.3 */
	{
		person_t *p = who("carol");
		cachet_sigparams_t sp = { .scheme = CACHET_PK_EC,
					  .hash = CACHET_ALG_SHA256 };
		cachet_datum_t s = { NULL, 0 };
		cachet_diag_t *diag = NULL;
		uint8_t dg[32], buf[200], pad[80], q[32];
		const uint8_t *r, *sv;
		size_t rl, sl, n;

		if (cachet_diag_init(&diag) < 0)
			abort();
		_cachet_hash_once(CACHET_ALG_SHA256, (const uint8_t *)msg,
				  strlen(msg), dg);
		if (_cachet_pk_sign(p->priv, &sp, dg, 32, &s, NULL) != 0)
			abort();
		split_sig(s.data, &r, &rl, &sv, &sl);

		n = mk_sig(buf, r, rl, sv, sl, false);
		expect(_cachet_pk_verify(p->pub, &sp, dg, 32, buf, n, NULL), 0,
		       "ecdsa DER: re-encoded signature verifies");

		pad[0] = 0x00;
		memcpy(pad + 1, r, rl);
		n = mk_sig(buf, pad, rl + 1, sv, sl, false);
		expect(_cachet_pk_verify(p->pub, &sp, dg, 32, buf, n, diag),
		       CACHET_E_NOT_DER,
		       "ecdsa DER: extra leading 00 in r rejected");
		ok(diag_has(diag, CACHET_E_NOT_DER, "RFC 5753 section 7.2"),
		   "ecdsa DER: diagnostic cites RFC 5753 section 7.2");

		n = mk_sig(buf, r, rl, sv, sl, true);
		expect(_cachet_pk_verify(p->pub, &sp, dg, 32, buf, n, NULL),
		       CACHET_E_NOT_DER,
		       "ecdsa DER: long-form length for a short SEQUENCE");

		n = mk_sig(buf, r, rl, sv, sl, false);
		buf[n++] = 0x00;
		expect(_cachet_pk_verify(p->pub, &sp, dg, 32, buf, n, NULL),
		       CACHET_E_NOT_DER, "ecdsa DER: trailing octet rejected");

		n = mk_sig(buf, r, rl, sv, sl, false);
		expect(_cachet_pk_verify(p->pub, &sp, dg, 32, buf, n - 1,
					 NULL),
		       CACHET_E_NOT_DER, "ecdsa DER: truncated rejected");

		n = mk_sig(buf, r, rl, sv, sl, false);
		buf[1] = 0x80; /* indefinite length */
		buf[n++] = 0x00;
		buf[n++] = 0x00;
		expect(_cachet_pk_verify(p->pub, &sp, dg, 32, buf, n, NULL),
		       CACHET_E_NOT_DER, "ecdsa DER: indefinite length rejected");

		n = mk_sig(buf, r, rl, sv, sl, false);
		buf[0] = 0x31;
		expect(_cachet_pk_verify(p->pub, &sp, dg, 32, buf, n, NULL),
		       CACHET_E_NOT_DER, "ecdsa DER: SET instead of SEQUENCE");

		n = mk_sig(buf, r, rl, sv, sl, false);
		buf[1] += 1; /* length one more than the contents */
		expect(_cachet_pk_verify(p->pub, &sp, dg, 32, buf, n, NULL),
		       CACHET_E_NOT_DER, "ecdsa DER: length beyond the input");

		pad[0] = 0x80; /* a negative INTEGER */
		memcpy(pad + 1, r, rl);
		n = mk_sig(buf, pad, rl + 1, sv, sl, false);
		expect(_cachet_pk_verify(p->pub, &sp, dg, 32, buf, n, NULL),
		       CACHET_E_BAD_SIGNATURE, "ecdsa DER: negative r rejected");

		pad[0] = 0x00;
		n = mk_sig(buf, pad, 1, sv, sl, false);
		expect(_cachet_pk_verify(p->pub, &sp, dg, 32, buf, n, NULL),
		       CACHET_E_BAD_SIGNATURE, "ecdsa DER: r = 0 rejected");

		unhex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2"
		      "fc632551",
		      q, sizeof(q));
		pad[0] = 0x00;
		memcpy(pad + 1, q, 32);
		n = mk_sig(buf, r, rl, pad, 33, false);
		expect(_cachet_pk_verify(p->pub, &sp, dg, 32, buf, n, NULL),
		       CACHET_E_BAD_SIGNATURE, "ecdsa DER: s = n rejected");

		n = mk_sig(buf, sv, sl, r, rl, false);
		expect(_cachet_pk_verify(p->pub, &sp, dg, 32, buf, n, NULL),
		       CACHET_E_BAD_SIGNATURE, "ecdsa: swapped r and s fail");

		n = mk_sig(buf, r, rl, sv, sl, false);
		buf[2 + 2 + rl] = 0x03; /* s tagged BIT STRING */
		expect(_cachet_pk_verify(p->pub, &sp, dg, 32, buf, n, NULL),
		       CACHET_E_NOT_DER, "ecdsa DER: wrong INTEGER tag");

		expect(_cachet_pk_verify(p->pub, &sp, dg, 32, NULL, 0, NULL),
		       CACHET_E_NOT_DER, "ecdsa DER: empty signature");
		cachet_free(s.data);
		cachet_diag_deinit(diag);
	}
}

/* ------------------------------------------------------------------ */
/* RSA */

#define RSA_MSG "Cachet RSA known-answer message"

static void test_rsa(void)
{
	person_t *alice = who("alice"), *bob = who("bob");
	cachet_sigparams_t sp = { .scheme = CACHET_PK_RSA,
				  .hash = CACHET_ALG_SHA256 };
	static const cachet_alg_id_t all[] = { CACHET_ALG_SHA1,
					       CACHET_ALG_SHA224,
					       CACHET_ALG_SHA256,
					       CACHET_ALG_SHA384,
					       CACHET_ALG_SHA512 };
	cachet_datum_t s = { NULL, 0 };
	uint8_t dg[64], ref[1024];
	size_t reflen = 0, i;
	char cmd[2048];
	int ret;

	_cachet_hash_once(CACHET_ALG_SHA256, (const uint8_t *)RSA_MSG,
			  strlen(RSA_MSG), dg);
	ret = _cachet_pk_sign(alice->priv, &sp, dg, 32, &s, NULL);
	ok(ret == 0 && s.size == 256, "rsa pkcs1: sign with alice (256 octets)");
	expect(_cachet_pk_verify(alice->pub, &sp, dg, 32, s.data, s.size,
				 NULL),
	       0, "rsa pkcs1: verify");

	/* known answer: PKCS#1 v1.5 is deterministic */
	if (!have_openssl() || !path_is_quotable(pki_dir())) {
		skip("openssl not available", "rsa pkcs1: matches openssl");
	} else {
		snprintf(cmd, sizeof(cmd),
			 "printf '%%s' '%s' | openssl dgst -sha256 -sign "
			 "'%s/alice.key.pem' -binary",
			 RSA_MSG, pki_dir());
		ret = run_cmd(cmd, ref, sizeof(ref), &reflen);
		ok(ret == 0 && reflen == s.size &&
			   memcmp(ref, s.data, reflen) == 0,
		   "rsa pkcs1: signature equals `openssl dgst -sha256 "
		   "-sign` output");
	}
	s.data[10] ^= 0x40;
	expect(_cachet_pk_verify(alice->pub, &sp, dg, 32, s.data, s.size,
				 NULL),
	       CACHET_E_BAD_SIGNATURE, "rsa pkcs1: flipped signature fails");
	s.data[10] ^= 0x40;
	dg[0] ^= 1;
	expect(_cachet_pk_verify(alice->pub, &sp, dg, 32, s.data, s.size,
				 NULL),
	       CACHET_E_BAD_SIGNATURE, "rsa pkcs1: flipped digest fails");
	dg[0] ^= 1;
	expect(_cachet_pk_verify(alice->pub, &sp, dg, 32, s.data, s.size - 1,
				 NULL),
	       CACHET_E_BAD_SIGNATURE, "rsa pkcs1: short signature fails");
	expect(_cachet_pk_verify(bob->pub, &sp, dg, 32, s.data, s.size, NULL),
	       CACHET_E_BAD_SIGNATURE, "rsa pkcs1: other key fails");
	sp.hash = CACHET_ALG_SHA384;
	expect(_cachet_pk_verify(alice->pub, &sp, dg, 48, s.data, s.size,
				 NULL),
	       CACHET_E_BAD_SIGNATURE, "rsa pkcs1: other digest alg fails");
	sp.hash = CACHET_ALG_SHAKE256;
	expect(_cachet_pk_verify(alice->pub, &sp, dg, 64, s.data, s.size,
				 NULL),
	       CACHET_E_UNSUPPORTED, "rsa pkcs1: no DigestInfo for SHAKE256");
	cachet_free(s.data);
	s.data = NULL;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		size_t dl = _cachet_hash_size(all[i]);

		sp.hash = all[i];
		_cachet_hash_once(all[i], (const uint8_t *)RSA_MSG,
				  strlen(RSA_MSG), dg);
		ret = _cachet_pk_sign(bob->priv, &sp, dg, dl, &s, NULL);
		ok(ret == 0 && s.size == 384 &&
			   _cachet_pk_verify(bob->pub, &sp, dg, dl, s.data,
					     s.size, NULL) == 0,
		   "rsa pkcs1: bob round trip with %s",
		   _cachet_alg_by_id(all[i])->name);
		cachet_free(s.data);
		s.data = NULL;
	}

	/* RSASSA-PSS round trips: Nettle's sha256/384/512 functions and
	 * the generic path (SHA-1, SHA-224) */
	sp.scheme = CACHET_PK_RSA_PSS;
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		size_t dl = _cachet_hash_size(all[i]);

		sp.hash = sp.mgf_hash = all[i];
		sp.salt_len = dl;
		_cachet_hash_once(all[i], (const uint8_t *)RSA_MSG,
				  strlen(RSA_MSG), dg);
		ret = _cachet_pk_sign(alice->priv, &sp, dg, dl, &s, NULL);
		ok(ret == 0 && s.size == 256 &&
			   _cachet_pk_verify(alice->pub, &sp, dg, dl, s.data,
					     s.size, NULL) == 0,
		   "rsa pss: round trip with %s, salt %zu",
		   _cachet_alg_by_id(all[i])->name, sp.salt_len);
		s.data[0] ^= 0x01;
		expect(_cachet_pk_verify(alice->pub, &sp, dg, dl, s.data,
					 s.size, NULL),
		       CACHET_E_BAD_SIGNATURE, "rsa pss: flipped bit fails");
		s.data[0] ^= 0x01;
		sp.salt_len = dl - 1;
		expect(_cachet_pk_verify(alice->pub, &sp, dg, dl, s.data,
					 s.size, NULL),
		       CACHET_E_BAD_SIGNATURE, "rsa pss: wrong salt length fails");
		cachet_free(s.data);
		s.data = NULL;
	}
	sp.hash = CACHET_ALG_SHA256;
	sp.mgf_hash = CACHET_ALG_SHA1;
	sp.salt_len = 32;
	_cachet_hash_once(CACHET_ALG_SHA256, (const uint8_t *)RSA_MSG,
			  strlen(RSA_MSG), dg);
	expect(_cachet_pk_sign(alice->priv, &sp, dg, 32, &s, NULL),
	       CACHET_E_UNSUPPORTED, "rsa pss: MGF1 hash != hash unsupported");
	sp.mgf_hash = CACHET_ALG_SHA256;
	sp.salt_len = 300;
	expect(_cachet_pk_sign(alice->priv, &sp, dg, 32, &s, NULL),
	       CACHET_E_BAD_PARAMS, "rsa pss: salt longer than modulus");
	sp.salt_len = 230; /* emLen 256 < hLen + sLen + 2 */
	expect(_cachet_pk_sign(alice->priv, &sp, dg, 32, &s, NULL),
	       CACHET_E_CRYPTO, "rsa pss: salt too long for the key");
	sp.salt_len = 0;
	ret = _cachet_pk_sign(alice->priv, &sp, dg, 32, &s, NULL);
	ok(ret == 0 && _cachet_pk_verify(alice->pub, &sp, dg, 32, s.data,
					 s.size, NULL) == 0,
	   "rsa pss: salt length 0 round trip");
	cachet_free(s.data);
	s.data = NULL;

	/* OpenSSL-made PSS signatures */
	{
		static const struct {
			const char *name;
			cachet_alg_id_t id;
			size_t salt;
		} ext[] = { { "sha256", CACHET_ALG_SHA256, 32 },
			    { "sha224", CACHET_ALG_SHA224, 28 },
			    { "sha1", CACHET_ALG_SHA1, 20 },
			    { "sha512", CACHET_ALG_SHA512, 64 } };

		for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
			size_t dl = _cachet_hash_size(ext[i].id);

			if (!have_openssl() || !path_is_quotable(pki_dir())) {
				skip("openssl not available",
				     "rsa pss: openssl signature");
				continue;
			}
			snprintf(cmd, sizeof(cmd),
				 "printf '%%s' '%s' | openssl dgst -%s -binary "
				 "| openssl pkeyutl -sign -inkey "
				 "'%s/alice.key.pem' -pkeyopt "
				 "rsa_padding_mode:pss -pkeyopt "
				 "rsa_pss_saltlen:%zu -pkeyopt digest:%s",
				 RSA_MSG, ext[i].name, pki_dir(), ext[i].salt,
				 ext[i].name);
			ret = run_cmd(cmd, ref, sizeof(ref), &reflen);
			sp.hash = sp.mgf_hash = ext[i].id;
			sp.salt_len = ext[i].salt;
			_cachet_hash_once(ext[i].id, (const uint8_t *)RSA_MSG,
					  strlen(RSA_MSG), dg);
			ok(ret == 0 &&
				   _cachet_pk_verify(alice->pub, &sp, dg, dl,
						     ref, reflen, NULL) == 0,
			   "rsa pss: openssl pkeyutl %s salt %zu signature "
			   "verifies",
			   ext[i].name, ext[i].salt);
		}
	}

	/* an RSASSA-PSS-only key refuses PKCS#1 v1.5 (RFC 4055 1.2) */
	{
		cachet_pubkey_t pss = *alice->pub;

		pss.type = CACHET_PK_RSA_PSS;
		sp.scheme = CACHET_PK_RSA;
		sp.hash = CACHET_ALG_SHA256;
		expect(_cachet_pk_verify(&pss, &sp, dg, 32, ref, 256, NULL),
		       CACHET_E_KEY_MISMATCH,
		       "rsa: id-RSASSA-PSS key refuses PKCS#1 v1.5");
	}
}

static void test_eddsa_pki(void)
{
	static const char *const names[] = { "erin", "frank" };
	static const uint8_t msg[] = "signed attributes stand-in";
	size_t i;

	for (i = 0; i < 2; i++) {
		person_t *p = who(names[i]);
		cachet_sigparams_t sp = { .scheme = p->type };
		cachet_datum_t s = { NULL, 0 };
		int ret;

		ret = _cachet_pk_sign(p->priv, &sp, msg, sizeof(msg), &s, NULL);
		ok(ret == 0 && s.size == (i == 0 ? 64u : 114u) &&
			   _cachet_pk_verify(p->pub, &sp, msg, sizeof(msg),
					     s.data, s.size, NULL) == 0,
		   "eddsa %s: sign/verify with the certificate key",
		   names[i]);
		expect(_cachet_pk_verify(p->pub, &sp, msg, sizeof(msg) - 1,
					 s.data, s.size, NULL),
		       CACHET_E_BAD_SIGNATURE, "eddsa: other message fails");
		/* RFC 8032 sections 5.1.7 and 5.2.7: S >= L is invalid, so
		 * no signature has a second encoding.  Ed25519: add L to S
		 * (little-endian); Ed448: set a bit in S's last octet, which
		 * Nettle 3.8 alone would ignore. */
		if (s.size == 64) {
			static const uint8_t l25519[32] = {
				0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
				0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
				0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10 };
			uint8_t m[64];
			unsigned carry = 0;
			memcpy(m, s.data, 64);
			for (size_t j = 0; j < 32; j++) {
				unsigned v = m[32 + j] + l25519[j] + carry;
				m[32 + j] = (uint8_t)v;
				carry = v >> 8;
			}
			sp.scheme = p->type;
			expect(_cachet_pk_verify(p->pub, &sp, msg, sizeof(msg), m, 64, NULL),
			       CACHET_E_BAD_SIGNATURE, "eddsa erin: S + L is refused (RFC 8032 5.1.7)");
		} else {
			uint8_t m[114];
			memcpy(m, s.data, 114);
			m[113] |= 0x01;
			sp.scheme = p->type;
			expect(_cachet_pk_verify(p->pub, &sp, msg, sizeof(msg), m, 114, NULL),
			       CACHET_E_BAD_SIGNATURE, "eddsa frank: S with its 57th octet set is refused (RFC 8032 5.2.7)");
		}
		sp.scheme = i == 0 ? CACHET_PK_ED448 : CACHET_PK_ED25519;
		expect(_cachet_pk_verify(p->pub, &sp, msg, sizeof(msg), s.data,
					 s.size, NULL),
		       CACHET_E_KEY_MISMATCH, "eddsa: wrong scheme refused");
		cachet_free(s.data);
	}
}

int main(void)
{
	if (gnutls_global_init() < 0)
		return 99;
	test_registry();
	test_params();
	test_hashes();
	test_eddsa_vectors();
	if (load_people()) {
		test_pairs();
		test_key_formats();
		test_dsa_x25519();
		test_ecdsa();
		test_rsa();
		test_eddsa_pki();
	} else {
		ok(false, "test PKI in %s (set CACHET_PKI_DIR)", pki_dir());
	}
	free_people();
	gnutls_global_deinit();
	return tap_done();
}
