/* cachet_certs_fuzzer.c -- certificates-only messages (src/lib/cms-certs.c).
 *
 * The first input byte picks the variant, the rest is the input:
 *   bit 0  also hand the input to cachet_certs_make as a certificate file
 *          (PEM or DER) and as a CRL file
 * The input is always extracted as a message (BER, DER or PEM); what was
 * extracted is described as text and JSON and written as a PEM bundle
 * with the CRLs and as DER, and every finding is read.
 */
#include <cachet/cachet.h>

#include "fuzz.h"

#include <string.h>

static void exercise(const cachet_certs_t *c)
{
	cachet_datum_t d = {0};
	cachet_sink_t *snk = NULL;

	for (size_t i = 0; i < cachet_certs_count(c); i++)
		(void)cachet_certs_get(c, i, &d);
	for (size_t i = 0; i < cachet_certs_crl_count(c); i++)
		(void)cachet_certs_crl_get(c, i, &d);
	(void)cachet_certs_signer_count(c);
	for (size_t i = 0; i < cachet_certs_finding_count(c); i++) {
		const char *name, *rule, *detail;
		int code;
		if (cachet_certs_finding_get(c, i, &name, &code, &rule, &detail) < 0)
			break;
	}
	if (cachet_certs_describe(c, 0, &d) == 0)
		cachet_free(d.data);
	if (cachet_certs_describe(c, CACHET_INSPECT_JSON, &d) == 0)
		cachet_free(d.data);
	for (unsigned flags = 0; flags < 4; flags++) {
		if (cachet_sink_init_mem(&snk) < 0)
			return;
		if (cachet_certs_write(c, snk, flags, NULL) == 0 && cachet_sink_take_mem(snk, &d) == 0)
			cachet_free(d.data);
		cachet_sink_deinit(snk);
		snk = NULL;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cachet_diag_t *diag = NULL;
	cachet_source_t *in = NULL;
	cachet_sink_t *snk = NULL;
	cachet_certs_t *c = NULL;
	cachet_datum_t out = {0};

	if (size < 1)
		return 0;
	uint8_t mode = data[0];
	cachet_datum_t msg = {(uint8_t *)(uintptr_t)(data + 1), size - 1};

	if (cachet_diag_init(&diag) < 0)
		return 0;
	if (cachet_source_init_mem(&in, msg.data, msg.size) == 0 &&
	    cachet_certs_extract(&c, in, diag) == 0)
		exercise(c);
	if ((mode & 1) && cachet_sink_init_mem(&snk) == 0) {
		if (cachet_certs_make(&msg, 1, NULL, 0, snk, 0, diag) == 0 &&
		    cachet_sink_take_mem(snk, &out) == 0)
			cachet_free(out.data);
		cachet_sink_deinit(snk);
		snk = NULL;
		if (cachet_sink_init_mem(&snk) == 0 &&
		    cachet_certs_make(NULL, 0, &msg, 1, snk, CACHET_CERTS_PEM, diag) == 0 &&
		    cachet_sink_take_mem(snk, &out) == 0)
			cachet_free(out.data);
	}
	for (size_t i = 0; i < cachet_diag_count(diag); i++) {
		int code;
		const char *path, *rule, *detail;
		if (cachet_diag_get(diag, i, &code, &path, &rule, &detail) < 0)
			break;
	}
	cachet_sink_deinit(snk);
	cachet_certs_deinit(c);
	cachet_source_deinit(in);
	cachet_diag_deinit(diag);
	return 0;
}
