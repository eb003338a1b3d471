/* cachet_compressed_fuzzer.c -- decompression of CompressedData (RFC 3274,
 * src/lib/cms-compressed.c) through the public API,
 * cachet_decompress_run(), into a memory sink.
 *
 * The first input byte picks the variant, the rest is the message:
 *   bit 0  a maximum output size of 64 octets instead of 4096, so that
 *          the decompression-bomb bound is hit both early and late
 *   bit 1  the summary as JSON instead of text
 * The maximum size is always small: an input cannot make the target
 * write more than 4 KiB, whatever it expands to.  The content is dropped;
 * the summary is rendered and dropped; the content type is queried; the
 * diagnostic chain is walked.
 */
#include <cachet/cachet.h>

#include "fuzz.h"

#include <string.h>

#define FUZZ_MAX_SMALL 64
#define FUZZ_MAX_LARGE 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cachet_decompress_t *d = NULL;
	cachet_diag_t *diag = NULL;
	cachet_source_t *in = NULL;
	cachet_sink_t *out = NULL;
	cachet_datum_t content = {0}, summary = {0};

	if (size < 1)
		return 0;
	uint8_t mode = data[0];

	if (cachet_diag_init(&diag) < 0 || cachet_decompress_init(&d) < 0)
		goto cleanup;
	if (cachet_decompress_set_max_size(d, (mode & 1) ? FUZZ_MAX_SMALL : FUZZ_MAX_LARGE) < 0)
		goto cleanup;
	if (cachet_source_init_mem(&in, data + 1, size - 1) < 0 || cachet_sink_init_mem(&out) < 0)
		goto cleanup;
	/* The verdict itself does not matter here, only how it is reached. */
	int verdict = cachet_decompress_run(d, in, out, diag);
	if (cachet_sink_take_mem(out, &content) == 0) {
		/* The bound holds on every path. */
		if (content.size > ((mode & 1) ? FUZZ_MAX_SMALL : FUZZ_MAX_LARGE))
			__builtin_trap();
		(void)verdict;
		cachet_free(content.data);
	}
	const char *ct = cachet_decompress_content_type(d);
	if (ct != NULL && strlen(ct) == 0)
		__builtin_trap();
	if (cachet_decompress_summary(d, (mode & 2) ? CACHET_INSPECT_JSON : 0, &summary) == 0)
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
	cachet_decompress_deinit(d);
	cachet_diag_deinit(diag);
	return 0;
}
