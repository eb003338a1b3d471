/* util.c -- memory, wiping, growable buffers, time formatting. */
#include "internal.h"

#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void *_cachet_malloc(size_t n)
{
	return malloc(n ? n : 1);
}

void *_cachet_calloc(size_t n, size_t m)
{
	return calloc(n ? n : 1, m ? m : 1);
}

char *_cachet_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

void cachet_free(void *p)
{
	free(p);
}

/* gnutls_memset is explicit_bzero where the C library has it; the
 * volatile pointer keeps the fallback from being optimised away. */
void cachet_wipe(void *p, size_t n)
{
	if (p == NULL || n == 0)
		return;
	gnutls_memset(p, 0, n);
	volatile uint8_t *v = p;
	(void)v[0];
}

void cachet_free_secret(cachet_datum_t *d)
{
	if (d == NULL)
		return;
	cachet_wipe(d->data, d->size);
	free(d->data);
	d->data = NULL;
	d->size = 0;
}

static int buf_reserve(cbuf_t *b, size_t extra)
{
	if (!_cachet_add_ok(b->size, extra, SIZE_MAX / 2))
		return CACHET_E_NOMEM;
	size_t need = b->size + extra;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	uint8_t *p = realloc(b->data, cap);
	if (p == NULL)
		return CACHET_E_NOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int _cachet_buf_append(cbuf_t *b, const void *p, size_t n)
{
	int ret = buf_reserve(b, n + 1);
	if (ret < 0)
		return ret;
	if (n)
		memcpy(b->data + b->size, p, n);
	b->size += n;
	b->data[b->size] = 0; /* always NUL-terminated for text use */
	return 0;
}

int _cachet_buf_printf(cbuf_t *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];

	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return CACHET_E_INTERNAL;
	if ((size_t)n < sizeof(small))
		return _cachet_buf_append(b, small, (size_t)n);
	int ret = buf_reserve(b, (size_t)n + 1);
	if (ret < 0)
		return ret;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->size, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->size += (size_t)n;
	return 0;
}

/* The length of the well-formed UTF-8 sequence at P (RFC 3629 section
 * 4: no overlong forms, no surrogates, nothing past U+10FFFF), 0 when
 * there is none.  P is NUL-terminated, so a cut sequence stops there. */
static size_t utf8_len(const unsigned char *p)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t n;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		lo = c == 0xe0 ? 0xa0 : 0x80;
		hi = c == 0xed ? 0x9f : 0xbf;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;
	} else
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

int _cachet_buf_json_str(cbuf_t *b, const char *s)
{
	int ret = _cachet_buf_append(b, "\"", 1);
	while (ret == 0 && *s) {
		unsigned char c = (unsigned char)*s;
		size_t n = utf8_len((const unsigned char *)s);
		if (c == '"' || c == '\\')
			ret = _cachet_buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f || n == 0)
			/* Control characters, and octets that are not UTF-8
			 * (a mail header in Latin-1, a cut sequence) as the
			 * code point of the same number, so that the JSON
			 * stays valid UTF-8 (RFC 8259 section 8.1). */
			ret = _cachet_buf_printf(b, "\\u%04x", c);
		else {
			ret = _cachet_buf_append(b, s, n);
			s += n;
			continue;
		}
		s++;
	}
	if (ret == 0)
		ret = _cachet_buf_append(b, "\"", 1);
	return ret;
}

void _cachet_buf_free(cbuf_t *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void _cachet_buf_free_secret(cbuf_t *b)
{
	cachet_wipe(b->data, b->cap);
	_cachet_buf_free(b);
}

void _cachet_time_str(time_t t, char *buf, size_t n)
{
	struct tm tm;
	if (gmtime_r(&t, &tm) == NULL || strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, n, "@%lld", (long long)t);
}

int _cachet_findings_out(cbuf_t *b, const cbuf_t *findings, bool json)
{
	bool first = true;
	int ret = 0;

	for (size_t i = 0; i < findings->size && ret == 0;) {
		const char *line = (const char *)findings->data + i;
		const char *nl = memchr(line, '\n', findings->size - i);
		size_t len = nl ? (size_t)(nl - line) : findings->size - i;
		if (json) {
			char tmp[600];
			snprintf(tmp, sizeof(tmp), "%.*s", (int)len, line);
			ret = _cachet_buf_printf(b, "%s", first ? "" : ",");
			if (ret == 0)
				ret = _cachet_buf_json_str(b, tmp);
		} else {
			ret = _cachet_buf_printf(b, "  note: %.*s\n", (int)len, line);
		}
		first = false;
		i += len + 1;
	}
	return ret;
}
