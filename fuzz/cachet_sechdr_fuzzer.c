/* cachet_sechdr_fuzzer.c -- the RFC 7508 SecureHeaderFields attribute
 * value (src/lib/sechdr.c).
 *
 * The input is the attribute value (DER or BER SecureHeaderFields).  What
 * decodes is encoded again as DER, which must decode to the same fields
 * with no BER note, and is compared with a fixed header block, so the
 * canonicalisation and comparison code run on decoded names and values.
 */
#include "internal.h"
#include "mime.h"
#include "sechdr.h"

#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

static const char header[] = "From: Alice <alice@example.org>\r\n"
			     "Subject:  Fuzzing\r\n  folded \r\n"
			     "subject: again\r\n"
			     "X-Empty:\r\n"
			     "\r\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const mandatory[] = {"from", "subject", "date", NULL};
	sechdr_t s = {0}, again = {0};
	cachet_mime_header_t h;
	cachet_source_t *src = NULL;
	cachet_diag_t *diag = NULL;
	cbuf_t der = {0}, findings = {0};
	int verdict;

	memset(&h, 0, sizeof(h));
	if (cachet_diag_init(&diag) < 0)
		return 0;
	if (_cachet_sechdr_decode(data, size, &s, diag) == 0) {
		/* Whatever decodes can be written as DER and read back. */
		if (_cachet_sechdr_encode_value(&s, &der, diag) != 0 ||
		    _cachet_sechdr_decode(der.data, der.size, &again, diag) != 0 || again.notes != 0 ||
		    !_cachet_sechdr_is_equal(&s, &again))
			abort();
		if (cachet_source_init_mem(&src, (const uint8_t *)header, sizeof(header) - 1) == 0 &&
		    _cachet_mime_header_read(&h, src, diag) == 0)
			(void)_cachet_sechdr_compare(&s, &h, mandatory, &findings, &verdict);
	}
	_cachet_sechdr_deinit(&s);
	_cachet_sechdr_deinit(&again);
	_cachet_mime_header_deinit(&h);
	cachet_source_deinit(src);
	_cachet_buf_free(&der);
	_cachet_buf_free(&findings);
	cachet_diag_deinit(diag);
	return 0;
}
