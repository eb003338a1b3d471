/* cachet_mime_fuzzer.c -- the internal MIME layer (src/lib/mime.h).
 *
 * The input is a message: its header block is read, its Content-Type
 * parsed; a multipart is split recursively (down to the depth limit),
 * preamble and epilogue read, and every leaf body decoded with its
 * Content-Transfer-Encoding into a null sink; the detectors run over
 * every part.  Content-Disposition is parsed where present, and each
 * decoded body is encoded again (base64 and quoted-printable) and
 * canonicalised, to exercise the writers.  Everything is freed on every
 * path.
 */
#include "mime.h"

#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

static int null_write(void *opaque, const uint8_t *buf, size_t len)
{
	(void)buf;
	*(size_t *)opaque += len;
	return 0;
}

static int drain(cachet_source_t *src, cachet_mime_scan_t *sc, cachet_sink_t *copy)
{
	uint8_t buf[1024];
	for (;;) {
		long n = _cachet_source_read(src, buf, sizeof(buf));
		if (n <= 0)
			return (int)n;
		if (sc)
			_cachet_mime_scan_update(sc, buf, (size_t)n);
		if (copy && _cachet_sink_write(copy, buf, (size_t)n) < 0)
			copy = NULL;
	}
}

static int entity(cachet_source_t *src, unsigned depth, cachet_diag_t *diag)
{
	cachet_mime_header_t h;
	cachet_mime_ctype_t ct = {0}, cd = {0};
	cachet_mime_split_t *sp = NULL;
	int ret = _cachet_mime_header_read(&h, src, diag);
	if (ret < 0)
		return ret;
	const cachet_mime_field_t *f = _cachet_mime_header_get(&h, "content-type", 0);
	const cachet_mime_field_t *d = _cachet_mime_header_get(&h, "content-disposition", 0);
	if (d && _cachet_mime_disposition_parse(&cd, d->value, diag) == 0)
		(void)_cachet_mime_ctype_param(&cd, "filename");
	if (f && (ret = _cachet_mime_ctype_parse(&ct, f->value, diag)) < 0)
		goto out;
	if (f && _cachet_mime_ctype_is(&ct, "multipart", NULL)) {
		cachet_source_t *seg;
		if ((ret = _cachet_mime_split_init(&sp, src, _cachet_mime_ctype_param(&ct, "boundary"),
						   depth, diag)) < 0)
			goto out;
		if ((ret = _cachet_mime_split_preamble(sp, &seg)) < 0 || (ret = drain(seg, NULL, NULL)) < 0)
			goto out;
		while ((ret = _cachet_mime_split_next(sp, &seg)) == 0)
			if ((ret = entity(seg, depth + 1, diag)) < 0)
				goto out;
		if (ret != CACHET_E_END)
			goto out;
		if ((ret = _cachet_mime_split_epilogue(sp, &seg)) < 0)
			goto out;
		ret = drain(seg, NULL, NULL);
		cachet_mime_part_info_t info;
		for (size_t i = 0; _cachet_mime_split_info(sp, i, &info) == 0; i++)
			;
	} else {
		const cachet_mime_field_t *te = _cachet_mime_header_get(&h, "content-transfer-encoding", 0);
		cachet_mime_cte_t cte;
		cachet_source_t *dec = NULL;
		cachet_sink_t *null = NULL, *b64 = NULL, *qp = NULL, *canon = NULL;
		size_t count = 0;
		cachet_mime_scan_t sc;
		cbuf_t why = {0};
		if ((ret = _cachet_mime_cte_parse(te ? te->value : NULL, &cte, diag)) < 0)
			goto out;
		_cachet_mime_scan_init(&sc);
		ret = _cachet_mime_decoder_init(&dec, cte, src, diag);
		if (ret == 0)
			ret = cachet_sink_init_cb(&null, null_write, &count);
		if (ret == 0)
			ret = _cachet_mime_encoder_init(&b64, (count & 1) ? CACHET_MIME_CTE_BASE64 : CACHET_MIME_CTE_QP,
							null, depth & 1 ? CACHET_MIME_ENC_QP_FROM_DOT : 0);
		if (ret == 0)
			ret = _cachet_mime_encoder_init(&qp, CACHET_MIME_CTE_QP, b64, 0);
		if (ret == 0)
			ret = _cachet_mime_canon_init(&canon, qp);
		if (ret == 0)
			ret = drain(dec, &sc, canon);
		if (ret == 0)
			(void)_cachet_sink_finish(canon);
		_cachet_mime_scan_final(&sc);
		(void)_cachet_mime_scan_explain(&sc, &why);
		_cachet_buf_free(&why);
		cachet_sink_deinit(canon);
		cachet_sink_deinit(qp);
		cachet_sink_deinit(b64);
		cachet_sink_deinit(null);
		cachet_source_deinit(dec);
	}
out:
	_cachet_mime_split_deinit(sp);
	_cachet_mime_ctype_deinit(&cd);
	_cachet_mime_ctype_deinit(&ct);
	_cachet_mime_header_deinit(&h);
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cachet_source_t *src = NULL;
	cachet_diag_t *diag = NULL;
	cachet_sink_t *snk = NULL;

	(void)_cachet_mime_detect_eol(data, size);
	(void)_cachet_mime_has_trailing_ws(data, size);
	(void)_cachet_mime_has_long_line(data, size);
	if (cachet_diag_init(&diag) < 0)
		return 0;
	if (cachet_source_init_mem(&src, data, size) == 0)
		(void)entity(src, 0, diag);
	cachet_source_deinit(src);
	/* The field writer over the input taken as one value. */
	char *value = malloc(size + 1);
	if (value && cachet_sink_init_mem(&snk) == 0) {
		size_t n = 0;
		for (size_t i = 0; i < size; i++)
			if (data[i] != '\r' && data[i] != '\n' && data[i] != 0)
				value[n++] = (char)data[i];
		value[n] = 0;
		(void)_cachet_mime_field_write(snk, "X-Fuzz", value, CACHET_MIME_EOL_CRLF, diag);
	}
	cachet_sink_deinit(snk);
	free(value);
	cachet_diag_deinit(diag);
	return 0;
}
