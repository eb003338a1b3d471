/* t-util.c -- error table, diagnostics, sources and sinks, PEM. */
#include "internal.h"

#include "spill.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const int all_codes[] = {
	CACHET_E_INVALID_ARG, CACHET_E_BAD_STATE, CACHET_E_MALFORMED, CACHET_E_TRUNCATED,
	CACHET_E_TRAILING_DATA, CACHET_E_NOT_DER, CACHET_E_DEPTH_LIMIT, CACHET_E_SIZE_LIMIT,
	CACHET_E_COUNT_LIMIT, CACHET_E_BAD_PEM, CACHET_E_BAD_VERSION, CACHET_E_BAD_PARAMS,
	CACHET_E_BAD_KEY, CACHET_E_BAD_CERT, CACHET_E_UNKNOWN_OID, CACHET_E_UNSUPPORTED,
	CACHET_E_UNSUPPORTED_CONTENT, CACHET_E_POLICY, CACHET_E_WEAK_ALGORITHM,
	CACHET_E_VERIFY_FAILED, CACHET_E_NOT_SIGNED, CACHET_E_BAD_SIGNATURE,
	CACHET_E_DIGEST_MISMATCH, CACHET_E_NO_SIGNER_CERT, CACHET_E_CERT_UNTRUSTED,
	CACHET_E_CERT_EXPIRED, CACHET_E_CERT_NOT_YET_VALID, CACHET_E_ATTR_MISSING,
	CACHET_E_ATTR_DUPLICATE, CACHET_E_ATTR_MISMATCH, CACHET_E_ALG_PROTECTION,
	CACHET_E_NO_CONTENT, CACHET_E_KEY_MISMATCH, CACHET_E_DECRYPT_FAILED, CACHET_E_IO,
	CACHET_E_NOMEM, CACHET_E_END, CACHET_E_RANDOM, CACHET_E_INTERNAL, CACHET_E_CRYPTO,
	CACHET_E_TASN1, CACHET_E_GNUTLS, CACHET_E_CERT_REVOKED,
	CACHET_E_CERT_REVOCATION_UNKNOWN, CACHET_E_CERT_KEY_USAGE, CACHET_E_CERT_EXT_KEY_USAGE,
	CACHET_E_CERT_BASIC_CONSTRAINTS, CACHET_E_CERT_CRITICAL_EXTENSION,
	CACHET_E_CERT_EMAIL_MISMATCH, CACHET_E_WEAK_KEY, CACHET_E_CERT_NOT_FOUND,
};

static void pem_round_trip(size_t len)
{
	uint8_t data[300];
	for (size_t i = 0; i < len; i++)
		data[i] = (uint8_t)(i * 37 + 11);
	cachet_sink_t *mem, *pem;
	cachet_datum_t out = {0};
	int ret = cachet_sink_init_mem(&mem);
	ret |= _cachet_sink_init_pem(&pem, mem, "CMS");
	ret |= _cachet_sink_write(pem, data, len);
	ret |= _cachet_sink_finish(pem);
	ret |= cachet_sink_take_mem(mem, &out);
	cachet_sink_deinit(pem);
	cachet_sink_deinit(mem);

	cachet_source_t *raw, *dec;
	uint8_t back[400];
	size_t got = 0;
	ret |= cachet_source_init_mem(&raw, out.data, out.size);
	ret |= _cachet_source_init_pem(&dec, raw);
	for (;;) {
		/* odd read sizes exercise the push-back of decoded bytes */
		long n = _cachet_source_read(dec, back + got, got % 2 ? 1 : 2);
		if (n <= 0) {
			ret |= n < 0;
			break;
		}
		got += (size_t)n;
	}
	ok(ret == 0 && got == len && memcmp(back, data, len) == 0, "PEM round trip of %zu bytes", len);
	cachet_source_deinit(dec);
	cachet_source_deinit(raw);
	cachet_free(out.data);
}

static int pem_decode(const char *text, uint8_t *out, size_t cap, size_t *len)
{
	cachet_source_t *raw, *dec;
	int ret = cachet_source_init_mem(&raw, (const uint8_t *)text, strlen(text));
	ret |= _cachet_source_init_pem(&dec, raw);
	*len = 0;
	for (;;) {
		long n = _cachet_source_read(dec, out + *len, cap - *len);
		if (n < 0) {
			ret = (int)n;
			break;
		}
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	cachet_source_deinit(dec);
	cachet_source_deinit(raw);
	return ret;
}

int main(void)
{
	/* Every code has a distinct name, a sentence and a category. */
	bool names_ok = true;
	for (size_t i = 0; i < sizeof(all_codes) / sizeof(all_codes[0]); i++) {
		const char *n = cachet_strerror_name(all_codes[i]);
		names_ok &= strncmp(n, "CACHET_E_", 9) == 0 && strcmp(n, "CACHET_E_UNKNOWN") != 0;
		names_ok &= strcmp(cachet_strerror(all_codes[i]), "Unknown error code.") != 0;
		for (size_t j = 0; j < i; j++)
			names_ok &= strcmp(n, cachet_strerror_name(all_codes[j])) != 0;
	}
	ok(names_ok, "every error code has its own name and sentence");
	ok(cachet_error_category(CACHET_E_DIGEST_MISMATCH) == CACHET_CAT_VERIFY_FAILED, "digest mismatch is a verification failure");
	ok(cachet_error_category(CACHET_E_TRUNCATED) == CACHET_CAT_MALFORMED, "truncation is malformed input");
	ok(cachet_error_category(CACHET_E_DECRYPT_FAILED) == CACHET_CAT_DECRYPT_FAILED, "decryption failure has its own category");
	ok(strcmp(cachet_strerror_name(-12345), "CACHET_E_UNKNOWN") == 0, "unknown codes are named as such");

	/* Diagnostics keep path, rule and detail. */
	cachet_diag_t *d;
	int code;
	const char *path, *rule, *detail;
	ok(cachet_diag_init(&d) == 0, "diag init");
	_cachet_diag_push(d, CACHET_E_ATTR_DUPLICATE, "SignedData.signerInfos[0].signedAttrs", "RFC 5652 section 11.2",
			  "%d message-digest attributes", 2);
	ok(cachet_diag_count(d) == 1 && cachet_diag_get(d, 0, &code, &path, &rule, &detail) == 0 &&
		   code == CACHET_E_ATTR_DUPLICATE && strcmp(rule, "RFC 5652 section 11.2") == 0 &&
		   strcmp(detail, "2 message-digest attributes") == 0,
	   "diag frame keeps code, rule and detail");
	ok(cachet_diag_get(d, 1, NULL, NULL, NULL, NULL) == CACHET_E_END, "diag past the end is CACHET_E_END");
	cachet_diag_deinit(d);
	cachet_diag_deinit(NULL);

	for (size_t len = 0; len < 70; len++)
		pem_round_trip(len);
	pem_round_trip(299);

	uint8_t buf[64];
	size_t n;
	ok(pem_decode("junk\n-----BEGIN CMS-----\naGVsbG8=\n-----END CMS-----\n", buf, sizeof(buf), &n) == 0 &&
		   n == 5 && memcmp(buf, "hello", 5) == 0,
	   "PEM with text before the armour");
	ok(pem_decode("-----BEGIN CMS-----\naGVsbG8=\n-----END PKCS7-----\n", buf, sizeof(buf), &n) ==
		   CACHET_E_BAD_PEM,
	   "PEM with mismatched END label is refused");
	ok(pem_decode("-----BEGIN CMS-----\naGV*bG8=\n-----END CMS-----\n", buf, sizeof(buf), &n) ==
		   CACHET_E_BAD_PEM,
	   "PEM with a bad character is refused");
	ok(pem_decode("-----BEGIN CMS-----\naGVsbG8=\n", buf, sizeof(buf), &n) == CACHET_E_BAD_PEM,
	   "PEM without END is refused");
	ok(pem_decode("-----BEGIN CMS-----\naGVsbG8=aGVs\n-----END CMS-----\n", buf, sizeof(buf), &n) ==
		   CACHET_E_BAD_PEM,
	   "PEM with data after padding is refused");

	/* Source push-back and offsets. */
	cachet_source_t *s;
	static const uint8_t abc[] = "abcdef";
	uint8_t t[8];
	int ret = cachet_source_init_mem(&s, abc, 6);
	ret |= _cachet_source_read_full(s, t, 3);
	ret |= _cachet_source_unread(s, t + 1, 2);
	ok(ret == 0 && _cachet_source_offset(s) == 1, "unread moves the offset back");
	ok(_cachet_source_read_full(s, t, 5) == 0 && memcmp(t, "bcdef", 5) == 0, "unread bytes come back in order");
	ok(_cachet_source_read_full(s, t, 1) == CACHET_E_TRUNCATED, "reading past the end is CACHET_E_TRUNCATED");
	cachet_source_deinit(s);

	/* A regular file goes through the read-ahead thread: mixed reads,
	 * borrows and unreads across its buffer boundaries give back the file
	 * byte for byte; so does a memory source, borrowed. */
	{
		size_t fsize = 3u * 1024 * 1024 + 12345;
		uint8_t *data = malloc(fsize), *back = malloc(fsize + 16);
		uint32_t x = 2463534242u;
		for (size_t i = 0; i < fsize; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			data[i] = (uint8_t)x;
		}
		char tpath[] = "/tmp/cachet-t-util-XXXXXX";
		int fd = mkstemp(tpath);
		bool wrote = fd >= 0 && write(fd, data, fsize) == (ssize_t)fsize;
		if (fd >= 0)
			lseek(fd, 0, SEEK_SET);
		for (int kind = 0; kind < 2; kind++) {
			cachet_source_t *src = NULL;
			int r = kind == 0 ? cachet_source_init_fd(&src, fd) : cachet_source_init_mem(&src, data, fsize);
			size_t got = 0, step = 0;
			bool good = wrote && r == 0;
			while (good) {
				const uint8_t *p;
				size_t k2 = 0;
				step++;
				if (step % 3 == 0) {
					long k = _cachet_source_read(src, back + got, 1 + step % 7000);
					good = k >= 0;
					k2 = k > 0 ? (size_t)k : 0;
				} else {
					good = _cachet_source_borrow(src, 1 + (step * 7919) % 300000, &p, &k2) == 0;
					if (good && k2)
						memcpy(back + got, p, k2);
				}
				if (!good || k2 == 0)
					break;
				got += k2;
				if (step % 5 == 0 && k2 >= 3) {
					good = _cachet_source_unread(src, back + got - 3, 3) == 0;
					got -= 3;
				}
			}
			ok(good && got == fsize && memcmp(back, data, fsize) == 0 && _cachet_source_offset(src) == fsize,
			   "%s source: reads, borrows and unreads give the input back (%zu bytes)",
			   kind == 0 ? "regular-file" : "memory", got);
			cachet_source_deinit(src);
			if (fd >= 0)
				lseek(fd, 0, SEEK_SET);
		}
		/* Deinit before the end joins the reader cleanly. */
		cachet_source_t *src = NULL;
		uint8_t small[10];
		ok(cachet_source_init_fd(&src, fd) == 0 && _cachet_source_read_full(src, small, 10) == 0 &&
			   memcmp(small, data, 10) == 0,
		   "a regular-file source abandoned early");
		cachet_source_deinit(src);
		if (fd >= 0)
			close(fd);
		unlink(tpath);
		free(data);
		free(back);
	}

	/* Spill: memory up to its bound, then an unlinked file; sources
	 * read it back from the start, independently, as often as asked,
	 * and may outlive _cachet_spill_free. */
	for (int big = 0; big < 2; big++) {
		spill_t *sp = NULL;
		cachet_sink_t *snk = NULL;
		size_t n = big ? 300001 : 3000; /* in memory; in the file */
		uint8_t *data = malloc(n), *back = malloc(n), *back2 = malloc(n);
		bool ok_w = true;
		for (size_t i = 0; i < n; i++)
			data[i] = (uint8_t)(i * 7 + (i >> 9));
		ok(_cachet_spill_init(&sp, 4096) == 0, "spill: init");
		/* Half through _cachet_spill_write in odd pieces, half through its sink. */
		for (size_t off = 0; off < n / 2 && ok_w;) {
			size_t k = n / 2 - off < 777 ? n / 2 - off : 777;
			ok_w = _cachet_spill_write(sp, data + off, k) == 0;
			off += k;
		}
		ok_w = ok_w && _cachet_spill_sink(sp, &snk) == 0 &&
		       _cachet_sink_write(snk, data + n / 2, n - n / 2) == 0 && cachet_sink_flush(snk) == 0;
		cachet_sink_deinit(snk);
		ok(ok_w && _cachet_spill_size(sp) == n, "spill %zu octets (bound 4096): written, size %llu", n,
		   (unsigned long long)_cachet_spill_size(sp));
		cachet_source_t *s1 = NULL, *s2 = NULL;
		ok(_cachet_spill_source(sp, &s1) == 0 && _cachet_spill_source(sp, &s2) == 0,
		   "spill %zu: two readers", n);
		_cachet_spill_free(sp); /* the readers keep it alive */
		int r1 = _cachet_source_read_full(s1, back, n);
		int r2 = _cachet_source_read_full(s2, back2, n);
		uint8_t extra;
		long r3 = _cachet_source_read(s1, &extra, 1);
		ok(r1 == 0 && r2 == 0 && r3 == 0 && memcmp(back, data, n) == 0 && memcmp(back2, data, n) == 0,
		   "spill %zu: both read it all back, then the end", n);
		cachet_source_deinit(s1);
		cachet_source_deinit(s2);
		free(data);
		free(back);
		free(back2);
	}

	/* Growable buffer and JSON strings. */
	cbuf_t b = {0};
	_cachet_buf_json_str(&b, "a\"b\\c\n");
	ok(strcmp((char *)b.data, "\"a\\\"b\\\\c\\u000a\"") == 0, "JSON string escaping");
	_cachet_buf_free(&b);
	/* UTF-8 passes; other octets become \u00XX (Latin-1 header bytes, a
	 * sequence cut short, an overlong form, a surrogate, DEL). */
	_cachet_buf_json_str(&b, "caf\xc3\xa9 \xf0\x9f\x94\x92 ol\xe9 \xc3 \xc0\xaf \xed\xa0\x80 \x7f");
	ok(b.data && strcmp((char *)b.data, "\"caf\xc3\xa9 \xf0\x9f\x94\x92 ol\\u00e9 \\u00c3 \\u00c0\\u00af "
					    "\\u00ed\\u00a0\\u0080 \\u007f\"") == 0,
	   "JSON strings stay valid UTF-8: %s", b.data ? (char *)b.data : "(null)");
	_cachet_buf_free(&b);

	uint8_t secret[16];
	memset(secret, 0xaa, sizeof(secret));
	cachet_wipe(secret, sizeof(secret));
	bool zero = true;
	for (size_t i = 0; i < sizeof(secret); i++)
		zero &= secret[i] == 0;
	ok(zero, "cachet_wipe clears");
	return tap_done();
}
