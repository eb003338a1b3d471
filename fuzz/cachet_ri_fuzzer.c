/* cachet_ri_fuzzer.c -- one RecipientInfo (src/lib/ri.h): describe it, then
 * try to open it with the fixed test keys.
 *
 * The first input byte picks the variant, the rest is the DER of one
 * RecipientInfo CHOICE value (as captured from RecipientInfos):
 *   bits 0-1  the content-encryption key length asked for: 16, 24, 32 or 5
 *             (a length no content cipher uses)
 *   bit 2     allow_legacy (SHA-1 KDFs, PBKDF2 with HMAC-SHA-1)
 *   bit 3     debug (the detailed failure frames)
 *   bit 4     the KEK without its keyIdentifier (matches any kekid)
 *   bit 5     a PBKDF2 iteration bound of 100 instead of 10000: the corpus
 *             uses 1000 iterations, so this reaches the policy refusal
 * (The bound is far below the library's default, CACHET_PWRI_MAX_ITERATIONS,
 * so that a mutated iteration count cannot make one input take seconds.)
 * The keys are those the corpus is made for (fuzz/make-corpus.sh, keep in
 * step): Alice's RSA-2048 and Carol's P-256 certificate and key, the
 * password "fuzz-password", and the AES-128 KEK 000102...0f named
 * "fuzz-kek".  They are read once and kept for the life of the process.
 */
#include <config.h>

#include "fuzz.h"
#include "ri.h"
#include "test-pki.h"

#include <gnutls/x509.h>
#include <string.h>

static const uint8_t fuzz_kek[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
				     0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
static const char fuzz_kek_id[] = "fuzz-kek";
static const char fuzz_password[] = "fuzz-password";

static bool keys_ready;
static bool keys_ok;
static cachet_ri_certkey_t ck[2];

static bool load_pair(cachet_ri_certkey_t *out, const char *crt_pem, const char *key_pem)
{
	gnutls_x509_crt_t crt = NULL;
	cachet_privkey_t *key = NULL;
	gnutls_datum_t c = {(unsigned char *)crt_pem, (unsigned)strlen(crt_pem)};
	cachet_datum_t k = {(uint8_t *)key_pem, strlen(key_pem)};

	if (gnutls_x509_crt_init(&crt) < 0)
		return false;
	if (gnutls_x509_crt_import(crt, &c, GNUTLS_X509_FMT_PEM) < 0 ||
	    _cachet_privkey_import(&key, &k, NULL, NULL) < 0) {
		gnutls_x509_crt_deinit(crt);
		return false;
	}
	out->crt = crt;
	out->key = key;
	return true;
}

static bool keys_load(void)
{
	if (!keys_ready) {
		keys_ready = true;
		keys_ok = load_pair(&ck[0], fuzz_pki_alice_crt, fuzz_pki_alice_key) &&
			  load_pair(&ck[1], fuzz_pki_carol_crt, fuzz_pki_carol_key);
	}
	return keys_ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t ceklens[4] = {16, 24, 32, 5};
	cachet_diag_t *diag = NULL;
	cachet_ri_info_t info;
	uint8_t cek[CACHET_CEK_MAX];

	if (size < 1 || !keys_load())
		return 0;
	uint8_t mode = data[0];
	const uint8_t *der = data + 1;
	size_t len = size - 1;

	if (cachet_diag_init(&diag) < 0)
		return 0;
	(void)_cachet_ri_describe(der, len, &info, "RecipientInfo", diag);
	cachet_diag_clear(diag);

	const uint8_t *pw[1] = {(const uint8_t *)fuzz_password};
	size_t pwlen[1] = {sizeof(fuzz_password) - 1};
	cachet_ri_kek_t kek = {
		.id = (mode & 16) ? NULL : (const uint8_t *)fuzz_kek_id,
		.idlen = (mode & 16) ? 0 : sizeof(fuzz_kek_id) - 1,
		.kek = fuzz_kek,
		.keklen = sizeof(fuzz_kek),
	};
	cachet_ri_keys_t keys = {
		.ck = ck,
		.nck = 2,
		.kek = &kek,
		.nkek = 1,
		.pw = pw,
		.pwlen = pwlen,
		.npw = 1,
		.max_iterations = (mode & 32) ? 100 : 10000,
		.allow_legacy = (mode & 4) != 0,
		.debug = (mode & 8) != 0,
	};
	(void)_cachet_ri_open(der, len, &keys, ceklens[mode & 3], cek, "RecipientInfo", diag);
	cachet_wipe(cek, sizeof(cek));
	cachet_diag_deinit(diag);
	return 0;
}
