/* cachet_pem_fuzzer.c -- PEM armour (src/lib/io.c streaming decoder,
 * src/lib/pem.c in-memory decoder).
 *
 * The input is treated as text.  When it does not begin with a BEGIN line
 * one is put in front, so the fuzzer spends its time in the base64 body,
 * the END line and what follows; the result goes through cachet_inspect's
 * autodetect path.  The raw input is also given to the in-memory PEM
 * reader used for certificates and keys.
 */
#include "internal.h"

#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

static const char begin[] = "-----BEGIN CMS-----\n";

static int count_block(void *opaque, const char *label, const uint8_t *der, size_t len)
{
	(void)label;
	(void)der;
	*(size_t *)opaque += len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const labels[] = {"CMS", "PKCS7", NULL};
	cachet_source_t *in = NULL;
	cachet_sink_t *out = NULL;
	cachet_diag_t *diag = NULL;
	cachet_datum_t dump = {0};
	uint8_t *text = NULL;
	size_t text_len = size;
	size_t total = 0;

	(void)_cachet_is_pem(data, size);
	(void)_cachet_pem_each(data, size, NULL, count_block, &total);
	(void)_cachet_pem_each(data, size, labels, count_block, &total);

	if (size >= 5 && memcmp(data, "-----", 5) == 0) {
		text = malloc(size ? size : 1);
		if (text == NULL)
			return 0;
		memcpy(text, data, size);
	} else {
		text_len = sizeof(begin) - 1 + size;
		text = malloc(text_len);
		if (text == NULL)
			return 0;
		memcpy(text, begin, sizeof(begin) - 1);
		memcpy(text + sizeof(begin) - 1, data, size);
	}
	if (cachet_diag_init(&diag) < 0)
		goto cleanup;
	if (cachet_source_init_mem(&in, text, text_len) < 0 || cachet_sink_init_mem(&out) < 0)
		goto cleanup;
	int rc = cachet_inspect(in, out, 0, diag);
	(void)rc; /* failing cleanly is fine */
	if (cachet_sink_take_mem(out, &dump) == 0)
		cachet_free(dump.data);
cleanup:
	cachet_sink_deinit(out);
	cachet_source_deinit(in);
	cachet_diag_deinit(diag);
	free(text);
	return 0;
}
