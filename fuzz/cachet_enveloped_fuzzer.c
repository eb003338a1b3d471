/* cachet_enveloped_fuzzer.c -- decryption of EnvelopedData, AuthEnvelopedData
 * and EncryptedData (src/lib/cms-env.c and the RecipientInfo kinds behind
 * src/lib/ri.h) through the public API, cachet_decrypt_run().
 *
 * The first input byte picks the variant, the rest is the message:
 *   bit 0  CACHET_POLICY_ALLOW_LEGACY_CIPHERS (3DES, RC2, SHA-1 KDFs)
 *   bit 1  CACHET_POLICY_DEBUG_DECRYPT (the detailed failure frames)
 *   bit 2  the content key of an EncryptedData instead of the recipient
 *          keys
 *   bit 3  the KEK without its keyIdentifier (tried on every
 *          KEKRecipientInfo)
 *   bit 4  the summary as JSON instead of text
 * Otherwise the decryptor holds the fixed test keys make-corpus.sh encrypts
 * the corpus to: Alice's RSA-2048 and Carol's P-256 certificate and key
 * (fuzz/test-pki.h), the password FUZZ_PASSWORD, and the AES-128 KEK
 * FUZZ_KEK named FUZZ_KEK_ID, so well-formed corpus messages decrypt all
 * the way through the content.  The plaintext goes to a memory sink and is
 * dropped; the summary is rendered and dropped; the diagnostic chain is
 * walked.
 */
#include <cachet/cachet.h>

#include "fuzz.h"
#include "test-pki.h"

#include <string.h>

/* Keep in step with fuzz/make-corpus.sh. */
#define FUZZ_PASSWORD "fuzz-password"
static const uint8_t fuzz_kek[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
				     0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
#define FUZZ_KEK_ID "fuzz-kek"
static const uint8_t fuzz_cek[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
				     0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};

static cachet_datum_t text_datum(const char *s)
{
	cachet_datum_t d = {(uint8_t *)s, strlen(s)};
	return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cachet_decrypt_t *d = NULL;
	cachet_diag_t *diag = NULL;
	cachet_source_t *in = NULL;
	cachet_sink_t *out = NULL;
	cachet_datum_t plain = {0}, summary = {0};

	if (size < 1)
		return 0;
	uint8_t mode = data[0];
	const uint8_t *msg = data + 1;
	size_t msg_len = size - 1;

	if (cachet_diag_init(&diag) < 0 || cachet_decrypt_init(&d) < 0)
		goto cleanup;
	unsigned policy = 0;
	if (mode & 1)
		policy |= CACHET_POLICY_ALLOW_LEGACY_CIPHERS;
	if (mode & 2)
		policy |= CACHET_POLICY_DEBUG_DECRYPT;
	if (cachet_decrypt_set_policy(d, policy) < 0)
		goto cleanup;
	if (mode & 4) {
		cachet_datum_t cek = {(uint8_t *)fuzz_cek, sizeof(fuzz_cek)};
		if (cachet_decrypt_set_content_key(d, &cek, diag) < 0)
			goto cleanup;
	} else {
		cachet_datum_t acrt = text_datum(fuzz_pki_alice_crt);
		cachet_datum_t akey = text_datum(fuzz_pki_alice_key);
		cachet_datum_t ccrt = text_datum(fuzz_pki_carol_crt);
		cachet_datum_t ckey = text_datum(fuzz_pki_carol_key);
		cachet_datum_t kek = {(uint8_t *)fuzz_kek, sizeof(fuzz_kek)};
		cachet_datum_t kid = text_datum(FUZZ_KEK_ID);
		if (cachet_decrypt_add_key(d, &acrt, &akey, NULL, diag) < 0 ||
		    cachet_decrypt_add_key(d, &ccrt, &ckey, NULL, diag) < 0 ||
		    cachet_decrypt_add_password(d, (const uint8_t *)FUZZ_PASSWORD,
						strlen(FUZZ_PASSWORD)) < 0 ||
		    cachet_decrypt_add_kek(d, (mode & 8) ? NULL : &kid, &kek, diag) < 0)
			goto cleanup;
	}
	if (cachet_source_init_mem(&in, msg, msg_len) < 0 || cachet_sink_init_mem(&out) < 0)
		goto cleanup;
	/* The verdict itself does not matter here, only how it is reached. */
	int verdict = cachet_decrypt_run(d, in, out, diag);
	if (verdict == 0 && cachet_sink_take_mem(out, &plain) == 0)
		cachet_free_secret(&plain);
	if (cachet_decrypt_summary(d, (mode & 16) ? CACHET_INSPECT_JSON : 0, &summary) == 0)
		cachet_free(summary.data);
	for (size_t i = 0; i < cachet_diag_count(diag); i++) {
		int code;
		const char *path, *rule, *detail;
		if (cachet_diag_get(diag, i, &code, &path, &rule, &detail) < 0)
			break;
	}
cleanup:
	cachet_sink_deinit(out);
	cachet_source_deinit(in);
	cachet_decrypt_deinit(d);
	cachet_diag_deinit(diag);
	return 0;
}
