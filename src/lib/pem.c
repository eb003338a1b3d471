/* pem.c -- PEM armour held in memory (RFC 7468): certificate and key files. */
#include "internal.h"

#include <gnutls/gnutls.h>
#include <stdio.h>

bool _cachet_is_pem(const uint8_t *in, size_t len)
{
	static const char begin[] = "-----BEGIN ";
	if (len < sizeof(begin) - 1)
		return false;
	for (size_t i = 0; i + sizeof(begin) - 1 <= len; i++)
		if (memcmp(in + i, begin, sizeof(begin) - 1) == 0)
			return true;
	return false;
}

static const uint8_t *find(const uint8_t *p, const uint8_t *end, const char *s)
{
	size_t n = strlen(s);
	for (; p + n <= end; p++)
		if (memcmp(p, s, n) == 0)
			return p;
	return NULL;
}

int _cachet_pem_each(const uint8_t *in, size_t len, const char *const *labels,
		     _cachet_pem_fn fn, void *opaque)
{
	const uint8_t *p = in, *end = in + len;
	int count = 0;

	while ((p = find(p, end, "-----BEGIN ")) != NULL) {
		const uint8_t *lab = p + 11;
		const uint8_t *dash = find(lab, end, "-----");
		if (dash == NULL || dash - lab >= 64)
			return CACHET_E_BAD_PEM;
		char label[64];
		memcpy(label, lab, (size_t)(dash - lab));
		label[dash - lab] = 0;
		char endline[96];
		snprintf(endline, sizeof(endline), "-----END %s-----", label);
		const uint8_t *stop = find(dash, end, endline);
		if (stop == NULL)
			return CACHET_E_BAD_PEM;
		const uint8_t *after = stop + strlen(endline);

		bool wanted = labels == NULL;
		for (size_t i = 0; labels && labels[i]; i++)
			if (strcmp(labels[i], label) == 0)
				wanted = true;
		if (wanted) {
			gnutls_datum_t src = {(unsigned char *)p, (unsigned)(after - p)};
			gnutls_datum_t der = {NULL, 0};
			if (gnutls_pem_base64_decode2(label, &src, &der) < 0)
				return CACHET_E_BAD_PEM;
			int ret = fn(opaque, label, der.data, der.size);
			gnutls_memset(der.data, 0, der.size);
			gnutls_free(der.data);
			if (ret < 0)
				return ret;
			count++;
		}
		p = after;
	}
	return count;
}
