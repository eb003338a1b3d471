/* ber-tasn1.c -- libtasn1 glue: trees built once, sizes checked, errors
 * described (STYLE 7). */
#include "tasn1.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* Tables compiled by asn1Parser from asn1/\*.asn (see Makefile.am). */
extern const asn1_static_node cachet_cms_5652_asn1_tab[];
extern const asn1_static_node cachet_algs_asn1_tab[];
extern const asn1_static_node cachet_ess_5035_asn1_tab[];
extern const asn1_static_node cachet_smime_8551_asn1_tab[];
extern const asn1_static_node cachet_algprot_6211_asn1_tab[];
extern const asn1_static_node cachet_authenv_5083_asn1_tab[];
extern const asn1_static_node cachet_compress_3274_asn1_tab[];
extern const asn1_static_node cachet_kem_9629_asn1_tab[];
extern const asn1_static_node cachet_sechdr_7508_asn1_tab[];

static const struct {
	const char *module; /* the module name as in the .asn file */
	const asn1_static_node *tab;
} modules[] = {
	{"CachetCMS", cachet_cms_5652_asn1_tab},
	{"CachetAlgs", cachet_algs_asn1_tab},
	{"CachetESS", cachet_ess_5035_asn1_tab},
	{"CachetSMIME", cachet_smime_8551_asn1_tab},
	{"CachetAlgProt", cachet_algprot_6211_asn1_tab},
	{"CachetAuthEnv", cachet_authenv_5083_asn1_tab},
	{"CachetCompress", cachet_compress_3274_asn1_tab},
	{"CachetKEM", cachet_kem_9629_asn1_tab},
	{"CachetSecHdr", cachet_sechdr_7508_asn1_tab},
};
#define NMODULES (sizeof(modules) / sizeof(modules[0]))

static asn1_node trees[NMODULES];
static int trees_ret;
static pthread_once_t trees_once = PTHREAD_ONCE_INIT;

static void build_trees(void)
{
	char desc[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
	for (size_t i = 0; i < NMODULES; i++) {
		if (asn1_array2tree(modules[i].tab, &trees[i], desc) != ASN1_SUCCESS) {
			trees_ret = CACHET_E_TASN1;
			return;
		}
	}
}

static int tree_for(const char *type, asn1_node *tree)
{
	pthread_once(&trees_once, build_trees);
	if (trees_ret < 0)
		return trees_ret;
	const char *dot = strchr(type, '.');
	if (dot == NULL)
		return CACHET_E_INTERNAL;
	for (size_t i = 0; i < NMODULES; i++) {
		size_t l = strlen(modules[i].module);
		if ((size_t)(dot - type) == l && memcmp(type, modules[i].module, l) == 0) {
			*tree = trees[i];
			return 0;
		}
	}
	return CACHET_E_INTERNAL;
}

int _cachet_asn1_create(const char *type, asn1_node *node)
{
	asn1_node tree;
	int ret = tree_for(type, &tree);
	if (ret < 0)
		return ret;
	*node = NULL;
	return asn1_create_element(tree, type, node) == ASN1_SUCCESS ? 0 : CACHET_E_TASN1;
}

int _cachet_asn1_decode(const char *type, const uint8_t *der, size_t len,
			bool strict, asn1_node *node, const char *path,
			const char *rule, cachet_diag_t *diag)
{
	char desc[ASN1_MAX_ERROR_DESCRIPTION_SIZE] = "";
	int ret = _cachet_asn1_create(type, node);
	if (ret < 0)
		return ret;
	if (len > INT_MAX) {
		_cachet_asn1_delete(node, false);
		_cachet_diag_push(diag, CACHET_E_SIZE_LIMIT, path, rule, "%zu bytes is too large", len);
		return CACHET_E_SIZE_LIMIT;
	}
	int ilen = (int)len;
	int r = asn1_der_decoding2(node, der, &ilen,
				   strict ? ASN1_DECODE_FLAG_STRICT_DER : 0, desc);
	if (r == ASN1_SUCCESS && (size_t)ilen != len) {
		_cachet_asn1_delete(node, false);
		_cachet_diag_push(diag, CACHET_E_TRAILING_DATA, path, rule,
				  "%zu bytes follow the %s", len - (size_t)ilen, type);
		return CACHET_E_TRAILING_DATA;
	}
	if (r != ASN1_SUCCESS) {
		_cachet_asn1_delete(node, false);
		int code = strict ? CACHET_E_NOT_DER : CACHET_E_MALFORMED;
		if (r == ASN1_DER_ERROR && !strict)
			code = CACHET_E_MALFORMED;
		_cachet_diag_push(diag, code, path, rule, "not a valid %s%s: %s (%s)", type,
				  strict ? " in DER" : "", asn1_strerror(r), desc);
		return code;
	}
	return 0;
}

void _cachet_asn1_delete(asn1_node *node, bool secret)
{
	if (node && *node)
		asn1_delete_structure2(node, secret ? ASN1_DELETE_FLAG_ZEROIZE : 0);
}

int _cachet_asn1_read(asn1_node node, const char *name, cbuf_t *out)
{
	int len = 0;
	unsigned etype = 0;
	int r = asn1_read_value_type(node, name, NULL, &len, &etype);
	if (r == ASN1_ELEMENT_NOT_FOUND || r == ASN1_VALUE_NOT_FOUND)
		return CACHET_E_END;
	if ((r != ASN1_MEM_ERROR && r != ASN1_SUCCESS) || len < 0)
		return CACHET_E_TASN1;
	/* BIT STRING sizes are counted in bits (STYLE 7). */
	bool bits = etype == ASN1_ETYPE_BIT_STRING;
	size_t bytes = bits ? ((size_t)len + 7) / 8 : (size_t)len;
	uint8_t *tmp = _cachet_malloc(bytes + 1);
	if (tmp == NULL)
		return CACHET_E_NOMEM;
	int l2 = bits ? len : (int)bytes + 1;
	int ret = CACHET_E_TASN1;
	r = asn1_read_value(node, name, tmp, &l2);
	if (r == ASN1_SUCCESS && l2 >= 0) {
		size_t got = bits ? ((size_t)l2 + 7) / 8 : (size_t)l2;
		ret = got <= bytes + 1 ? _cachet_buf_append(out, tmp, got) : CACHET_E_TASN1;
	}
	cachet_wipe(tmp, bytes + 1);
	free(tmp);
	return ret;
}

int _cachet_asn1_read_oid(asn1_node node, const char *name, char *buf, size_t n)
{
	int len = (int)n;
	if (n > INT_MAX)
		return CACHET_E_INTERNAL;
	int r = asn1_read_value(node, name, buf, &len);
	if (r == ASN1_ELEMENT_NOT_FOUND || r == ASN1_VALUE_NOT_FOUND)
		return CACHET_E_END;
	if (r != ASN1_SUCCESS || len <= 0 || (size_t)len > n)
		return CACHET_E_TASN1;
	buf[n - 1] = 0;
	return 0;
}

int _cachet_asn1_read_uint(asn1_node node, const char *name, unsigned long *v)
{
	uint8_t b[16];
	int len = sizeof(b);
	int r = asn1_read_value(node, name, b, &len);
	if (r == ASN1_ELEMENT_NOT_FOUND || r == ASN1_VALUE_NOT_FOUND)
		return CACHET_E_END;
	if (r != ASN1_SUCCESS || len <= 0 || len > (int)sizeof(b))
		return CACHET_E_MALFORMED;
	if (b[0] & 0x80)
		return CACHET_E_MALFORMED; /* negative */
	unsigned long x = 0;
	for (int i = 0; i < len; i++) {
		if (x >> (sizeof(x) * 8 - 8))
			return CACHET_E_SIZE_LIMIT;
		x = (x << 8) | b[i];
	}
	*v = x;
	return 0;
}

int _cachet_asn1_range(asn1_node node, const uint8_t *der, size_t len,
		       const char *name, size_t *start, size_t *end)
{
	int s = 0, e = 0;
	if (len > INT_MAX)
		return CACHET_E_SIZE_LIMIT;
	int r = asn1_der_decoding_startEnd(node, der, (int)len, name, &s, &e);
	if (r == ASN1_ELEMENT_NOT_FOUND)
		return CACHET_E_END;
	if (r != ASN1_SUCCESS || s < 0 || e < s || (size_t)e >= len)
		return CACHET_E_TASN1;
	*start = (size_t)s;
	*end = (size_t)e;
	return 0;
}

int _cachet_asn1_encode(asn1_node node, const char *name, cbuf_t *out)
{
	char desc[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
	int len = 0;
	int r = asn1_der_coding(node, name, NULL, &len, desc);
	if (r != ASN1_MEM_ERROR)
		return CACHET_E_TASN1;
	uint8_t *tmp = _cachet_malloc((size_t)len);
	if (tmp == NULL)
		return CACHET_E_NOMEM;
	r = asn1_der_coding(node, name, tmp, &len, desc);
	int ret = r == ASN1_SUCCESS ? _cachet_buf_append(out, tmp, (size_t)len) : CACHET_E_TASN1;
	free(tmp);
	return ret;
}

int _cachet_asn1_count(asn1_node node, const char *name, unsigned *n)
{
	int c = 0;
	int r = asn1_number_of_elements(node, name, &c);
	if (r == ASN1_ELEMENT_NOT_FOUND) {
		*n = 0;
		return 0;
	}
	if (r != ASN1_SUCCESS || c < 0)
		return CACHET_E_TASN1;
	*n = (unsigned)c;
	return 0;
}

bool _cachet_asn1_present(asn1_node node, const char *name)
{
	int len = 0;
	int r = asn1_read_value(node, name, NULL, &len);
	return r == ASN1_MEM_ERROR || r == ASN1_SUCCESS;
}

const char *_cachet_asn1_path(char *buf, size_t n, const char *prefix,
			      unsigned idx, const char *suffix)
{
	int w = snprintf(buf, n, "%s%s?%u%s%s", prefix, *prefix ? "." : "", idx,
			 *suffix ? "." : "", suffix);
	if (w < 0 || (size_t)w >= n)
		buf[0] = 0; /* an impossible path: the lookup fails cleanly */
	return buf;
}
