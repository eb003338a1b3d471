/* cachet_signed_fuzzer.c -- SignedData verification (src/lib/cms-signed.c).
 *
 * The first input byte picks the variant, the rest is the message:
 *   bits 0-1  detached content: 0 none, 1 the corpus content "hello\n",
 *             2 empty, 3 the message itself
 *   bit 2     CACHET_POLICY_LEGACY
 *   bit 3     CACHET_POLICY_NO_CHAIN
 * The test root CA is the trust anchor and the intermediate plus the
 * signers' certificates are offered as extra certificates, so well-formed
 * corpus messages verify all the way through the path check.  The
 * encapsulated content is not written anywhere; the report is rendered as
 * text and JSON and dropped.
 */
#include <cachet/cachet.h>

#include "fuzz.h"
#include "test-pki.h"

#include <string.h>

/* A fixed validation time inside the test PKI's validity (2026-06-01). */
#define FUZZ_TIME ((time_t)1780272000)

static const char content[] = "hello\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cachet_verify_t *v = NULL;
	cachet_diag_t *diag = NULL;
	cachet_source_t *in = NULL, *det = NULL;
	cachet_report_t *report = NULL;
	cachet_datum_t text = {0}, json = {0};
	cachet_datum_t trust = {(uint8_t *)fuzz_pki_root, sizeof(fuzz_pki_root) - 1};
	cachet_datum_t certs = {(uint8_t *)fuzz_pki_certs, sizeof(fuzz_pki_certs) - 1};

	if (size < 1)
		return 0;
	uint8_t mode = data[0];
	const uint8_t *msg = data + 1;
	size_t msg_len = size - 1;

	if (cachet_diag_init(&diag) < 0 || cachet_verify_init(&v) < 0)
		goto cleanup;
	if (cachet_verify_add_trust(v, &trust, diag) < 0 ||
	    cachet_verify_add_certs(v, &certs, diag) < 0 ||
	    cachet_verify_set_time(v, FUZZ_TIME) < 0)
		goto cleanup;
	unsigned policy = 0;
	if (mode & 4)
		policy |= CACHET_POLICY_LEGACY;
	if (mode & 8)
		policy |= CACHET_POLICY_NO_CHAIN;
	if (cachet_verify_set_policy(v, policy) < 0)
		goto cleanup;
	if (cachet_source_init_mem(&in, msg, msg_len) < 0)
		goto cleanup;
	switch (mode & 3) {
	case 1:
		if (cachet_source_init_mem(&det, (const uint8_t *)content, strlen(content)) < 0)
			goto cleanup;
		break;
	case 2:
		if (cachet_source_init_mem(&det, (const uint8_t *)"", 0) < 0)
			goto cleanup;
		break;
	case 3:
		if (cachet_source_init_mem(&det, msg, msg_len) < 0)
			goto cleanup;
		break;
	default:
		break;
	}
	/* The verdict itself does not matter here, only how it is reached. */
	int verdict = cachet_verify_run(v, in, det, NULL, &report, diag);
	(void)verdict;
	if (report != NULL) {
		size_t n = cachet_report_signer_count(report);
		for (size_t i = 0; i < n; i++) {
			(void)cachet_report_signer_result(report, i);
			size_t m = cachet_report_check_count(report, i);
			for (size_t j = 0; j < m; j++) {
				const char *name, *rule, *detail;
				cachet_check_status_t st;
				int code;
				if (cachet_report_check_get(report, i, j, &name, &st, &code,
							    &rule, &detail) < 0)
					break;
			}
		}
		if (cachet_report_text(report, &text) == 0)
			cachet_free(text.data);
		if (cachet_report_json(report, &json) == 0)
			cachet_free(json.data);
	}
	for (size_t i = 0; i < cachet_diag_count(diag); i++) {
		int code;
		const char *path, *rule, *detail;
		if (cachet_diag_get(diag, i, &code, &path, &rule, &detail) < 0)
			break;
	}
cleanup:
	cachet_report_deinit(report);
	cachet_source_deinit(det);
	cachet_source_deinit(in);
	cachet_verify_deinit(v);
	cachet_diag_deinit(diag);
	return 0;
}
