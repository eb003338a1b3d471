/* cachet_smime_fuzzer.c -- the S/MIME reader (src/lib/smime-read.c):
 * cachet_smime_open over a whole message, every layer it can reach.
 *
 * The first input byte picks the variant, the rest is the message:
 *   bit 0  a decryption key (the test PKI's Alice) for encrypted layers
 *   bit 1  CACHET_POLICY_LEGACY for signed layers
 *   bit 2  CACHET_SMIME_NEED_SIGNED
 * The test root CA is the trust anchor and the test PKI's other
 * certificates are offered as extra ones, so corpus messages signed by
 * the test PKI verify all the way.  The released entity goes to a memory
 * sink and is dropped; the report is rendered as text and JSON.
 */
#include <cachet/cachet.h>

#include "fuzz.h"
#include "test-pki.h"

#include <string.h>

/* A fixed validation time inside the test PKI's validity (2026-06-01). */
#define FUZZ_TIME ((time_t)1780272000)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cachet_smime_t *sm = NULL;
	cachet_verify_t *v = NULL;
	cachet_decrypt_t *d = NULL;
	cachet_diag_t *diag = NULL;
	cachet_source_t *in = NULL;
	cachet_sink_t *out = NULL;
	cachet_datum_t text = {0}, json = {0};
	cachet_datum_t trust = {(uint8_t *)fuzz_pki_root, sizeof(fuzz_pki_root) - 1};
	cachet_datum_t certs = {(uint8_t *)fuzz_pki_certs, sizeof(fuzz_pki_certs) - 1};
	cachet_datum_t crt = {(uint8_t *)fuzz_pki_alice_crt, sizeof(fuzz_pki_alice_crt) - 1};
	cachet_datum_t key = {(uint8_t *)fuzz_pki_alice_key, sizeof(fuzz_pki_alice_key) - 1};

	if (size < 1)
		return 0;
	uint8_t mode = data[0];

	if (cachet_diag_init(&diag) < 0 || cachet_smime_init(&sm) < 0 || cachet_verify_init(&v) < 0)
		goto cleanup;
	if (cachet_verify_add_trust(v, &trust, diag) < 0 ||
	    cachet_verify_add_certs(v, &certs, diag) < 0 ||
	    cachet_verify_set_time(v, FUZZ_TIME) < 0 ||
	    cachet_verify_set_policy(v, (mode & 2) ? CACHET_POLICY_LEGACY : 0) < 0 ||
	    cachet_smime_set_verify(sm, v) < 0)
		goto cleanup;
	if (mode & 1) {
		if (cachet_decrypt_init(&d) < 0 || cachet_decrypt_add_key(d, &crt, &key, NULL, diag) < 0 ||
		    cachet_smime_set_decrypt(sm, d) < 0)
			goto cleanup;
	}
	if (cachet_source_init_mem(&in, data + 1, size - 1) < 0 || cachet_sink_init_mem(&out) < 0)
		goto cleanup;
	int ret = cachet_smime_open(sm, in, out, (mode & 4) ? CACHET_SMIME_NEED_SIGNED : 0, diag);
	(void)ret; /* any verdict will do; only crashes and leaks matter */
	if (cachet_smime_report(sm, 0, &text) == 0)
		cachet_free(text.data);
	if (cachet_smime_report(sm, CACHET_INSPECT_JSON, &json) == 0)
		cachet_free(json.data);
cleanup:
	cachet_sink_deinit(out);
	cachet_source_deinit(in);
	cachet_smime_deinit(sm);
	cachet_decrypt_deinit(d);
	cachet_verify_deinit(v);
	cachet_diag_deinit(diag);
	return 0;
}
