/* cachet_inspect_fuzzer.c -- the inspector (src/lib/inspect.c).
 *
 * Dumps the input as text and as JSON to memory sinks.  Input that starts
 * with PEM armour goes through the streaming PEM decoder, as in the CLI.
 */
#include <cachet/cachet.h>

#include "fuzz.h"

static void inspect(const uint8_t *data, size_t size, unsigned flags)
{
	cachet_source_t *in = NULL;
	cachet_sink_t *out = NULL;
	cachet_diag_t *diag = NULL;
	cachet_datum_t dump = {0};

	if (cachet_diag_init(&diag) < 0)
		return;
	if (cachet_source_init_mem(&in, data, size) < 0 || cachet_sink_init_mem(&out) < 0)
		goto cleanup;
	int rc = cachet_inspect(in, out, flags, diag);
	(void)rc; /* failing cleanly is fine */
	if (cachet_sink_take_mem(out, &dump) == 0)
		cachet_free(dump.data);
cleanup:
	cachet_sink_deinit(out);
	cachet_source_deinit(in);
	cachet_diag_deinit(diag);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	inspect(data, size, 0);
	inspect(data, size, CACHET_INSPECT_JSON);
	return 0;
}
