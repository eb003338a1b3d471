/* ri.c -- the RecipientInfo dispatcher (RFC 5652 section 6.2) and the
 * helpers the kinds share (ri-int.h).
 *
 * One RecipientInfo arrives as the DER of the CHOICE value, captured from
 * RecipientInfos.  It is decoded once against CachetCMS.RecipientInfo;
 * the chosen alternative picks the kind module.  The module reads its own
 * fields through the tree (node names "<alt>.<field>") and records frames
 * at "<path>.<alt>.<field>".
 *
 * RFC 5652 section 6.2: "all implementations MUST gracefully handle
 * unimplemented alternatives within the RecipientInfo CHOICE ... and all
 * implementations MUST gracefully handle unimplemented or unknown ori
 * alternatives."  An ori is described (its oriType) and never opened:
 * _cachet_ri_open returns CACHET_E_END for it, so the caller goes on to
 * the next RecipientInfo.
 */
#include "ri-int.h"

#include "ber.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdlib.h>

static const struct {
	const char *alt;
	cachet_ri_kind_t kind;
} alternatives[] = {
	{"ktri", CACHET_RI_KTRI},   {"kari", CACHET_RI_KARI},
	{"kekri", CACHET_RI_KEKRI}, {"pwri", CACHET_RI_PWRI},
	{"ori", CACHET_RI_ORI},
};

/* ------------------------------------------------------------------ */
/* Shared helpers (ri-int.h) */

const char *_cachet_ri_node(const ri_t *ri, const char *name, char *buf,
			    size_t n)
{
	int w = snprintf(buf, n, "%s%s%s", ri->alt, *name ? "." : "", name);

	if (w < 0 || (size_t)w >= n)
		buf[0] = '\0'; /* an impossible node name: the lookup fails */
	return buf;
}

const char *_cachet_ri_where(const ri_t *ri, const char *name, char *buf,
			     size_t n)
{
	snprintf(buf, n, "%s.%s%s%s", ri->path, ri->alt, *name ? "." : "",
		 name);
	return buf;
}

int _cachet_ri_raw(asn1_node node, const uint8_t *der, size_t len,
		   const char *name, const uint8_t **p, size_t *n)
{
	size_t s, e;
	int ret = _cachet_asn1_range(node, der, len, name, &s, &e);

	if (ret < 0)
		return ret;
	/* _cachet_asn1_range checked s <= e < len. */
	*p = der + s;
	*n = e - s + 1;
	return 0;
}

int _cachet_ri_missing(const ri_t *ri, const char *name, const char *rule,
		       cachet_diag_t *diag)
{
	char where[256];

	_cachet_diag_push(diag, CACHET_E_MALFORMED,
			  _cachet_ri_where(ri, name, where, sizeof(where)), rule,
			  "the mandatory %s is missing or unreadable", name);
	return CACHET_E_MALFORMED;
}

int _cachet_ri_version(const ri_t *ri, unsigned long want, const char *rule,
		       unsigned *got, cachet_diag_t *diag)
{
	char node[64], where[256];
	unsigned long v = 0;
	int ret;

	ret = _cachet_asn1_read_uint(ri->node,
				     _cachet_ri_node(ri, "version", node, sizeof(node)),
				     &v);
	if (ret == CACHET_E_END)
		return _cachet_ri_missing(ri, "version", rule, diag);
	if (ret < 0 || v > 0xffffu) {
		_cachet_diag_push(diag, CACHET_E_BAD_VERSION,
				  _cachet_ri_where(ri, "version", where, sizeof(where)),
				  rule, "version is not a small non-negative INTEGER");
		return CACHET_E_BAD_VERSION;
	}
	*got = (unsigned)v;
	if (v != want) {
		_cachet_diag_push(diag, CACHET_E_BAD_VERSION,
				  _cachet_ri_where(ri, "version", where, sizeof(where)),
				  rule, "version %lu, it MUST be %lu", v, want);
		return CACHET_E_BAD_VERSION;
	}
	return 0;
}

int _cachet_ri_alg(asn1_node node, const uint8_t *der, size_t len,
		   const char *name, ri_alg_t *a)
{
	char sub[192];
	int ret;

	memset(a, 0, sizeof(*a));
	ret = _cachet_ri_raw(node, der, len, name, &a->raw, &a->rawlen);
	if (ret == CACHET_E_END)
		return CACHET_E_END;
	if (ret < 0)
		return CACHET_E_MALFORMED;
	snprintf(sub, sizeof(sub), "%s%salgorithm", name, *name ? "." : "");
	if (_cachet_asn1_read_oid(node, sub, a->oid, sizeof(a->oid)) < 0)
		return CACHET_E_MALFORMED;
	a->alg = _cachet_alg_by_oid(a->oid);
	snprintf(sub, sizeof(sub), "%s%sparameters", name, *name ? "." : "");
	ret = _cachet_ri_raw(node, der, len, sub, &a->params, &a->plen);
	if (ret == CACHET_E_END) {
		a->params = NULL;
		a->plen = 0;
	} else if (ret < 0) {
		return CACHET_E_MALFORMED;
	}
	return 0;
}

bool _cachet_ri_params_is_absent_or_null(const ri_alg_t *a)
{
	return a->params == NULL ||
	       (a->plen == 2 && a->params[0] == BER_TAG_NULL && a->params[1] == 0);
}

const char *_cachet_ri_alg_name(const ri_alg_t *a)
{
	return a->alg != NULL ? a->alg->name : a->oid;
}

/* Read element NAME's value as a NUL-terminated string (a CHOICE reads
 * as the name of its alternative). */
static int read_choice(asn1_node node, const char *name, char *buf, size_t n)
{
	cbuf_t b = {0};
	int ret = _cachet_asn1_read(node, name, &b);

	if (ret == 0 && (b.size == 0 || b.size >= n))
		ret = CACHET_E_MALFORMED;
	if (ret == 0) {
		memcpy(buf, b.data, b.size);
		buf[b.size] = '\0';
	}
	_cachet_buf_free(&b);
	return ret;
}

int _cachet_ri_rid_read(const ri_t *ri, const char *name, const char *skid_alt,
			ri_rid_t *rid, const char *rule, cachet_diag_t *diag)
{
	char node[192], sub[192], choice[64];
	int ret;

	memset(rid, 0, sizeof(*rid));
	_cachet_ri_node(ri, name, node, sizeof(node));
	if (read_choice(ri->node, node, choice, sizeof(choice)) < 0)
		return _cachet_ri_missing(ri, name, rule, diag);
	if (strcmp(choice, "issuerAndSerialNumber") == 0) {
		snprintf(sub, sizeof(sub), "%s.issuerAndSerialNumber.issuer", node);
		ret = _cachet_ri_raw(ri->node, ri->der, ri->len, sub, &rid->issuer, &rid->ilen);
		if (ret < 0)
			return _cachet_ri_missing(ri, name, rule, diag);
		snprintf(sub, sizeof(sub), "%s.issuerAndSerialNumber.serialNumber", node);
		ret = _cachet_asn1_read(ri->node, sub, &rid->serial);
		if (ret < 0 || rid->serial.size == 0) {
			_cachet_ri_rid_free(rid);
			return _cachet_ri_missing(ri, name, rule, diag);
		}
		return 0;
	}
	if (strcmp(choice, skid_alt) == 0) {
		rid->is_skid = true;
		/* ktri: rid.subjectKeyIdentifier; kari: rid.rKeyId with the
		 * key identifier inside (date and other are not needed to
		 * find the certificate and are ignored). */
		if (strcmp(skid_alt, "subjectKeyIdentifier") == 0)
			snprintf(sub, sizeof(sub), "%s.subjectKeyIdentifier", node);
		else
			snprintf(sub, sizeof(sub), "%s.%s.subjectKeyIdentifier", node,
				 skid_alt);
		ret = _cachet_asn1_read(ri->node, sub, &rid->skid);
		if (ret < 0) {
			_cachet_ri_rid_free(rid);
			return _cachet_ri_missing(ri, name, rule, diag);
		}
		return 0;
	}
	return _cachet_ri_missing(ri, name, rule, diag);
}

void _cachet_ri_rid_free(ri_rid_t *rid)
{
	_cachet_buf_free(&rid->serial);
	_cachet_buf_free(&rid->skid);
}

/* INTEGER content octets without the sign octet(s) (00 before a set top
 * bit), so that "00 c3" and a certificate's "c3" compare equal. */
static void strip_zeros(const uint8_t **p, size_t *n)
{
	while (*n > 1 && (*p)[0] == 0) {
		(*p)++;
		(*n)--;
	}
}

bool _cachet_ri_rid_matches(const ri_rid_t *rid, gnutls_x509_crt_t crt)
{
	cbuf_t a = {0}, b = {0};
	bool match = false;

	if (crt == NULL)
		return false;
	if (rid->is_skid) {
		/* Without the extension, Windows names the recipient by SHA-1
		 * over the whole SubjectPublicKeyInfo (seen in Outlook's
		 * messages); that identifier is accepted too. */
		if (_cachet_crt_skid(crt, &a) < 0) {
			_cachet_buf_free(&a);
			if (_cachet_crt_key_id_sha1(crt, &a) < 0)
				_cachet_buf_free(&a);
		}
		match = a.size > 0 && a.size == rid->skid.size &&
			memcmp(a.data, rid->skid.data, a.size) == 0;
	} else if (_cachet_crt_iasn(crt, &a, &b) == 0) {
		const uint8_t *s1 = b.data, *s2 = rid->serial.data;
		size_t l1 = b.size, l2 = rid->serial.size;

		strip_zeros(&s1, &l1);
		strip_zeros(&s2, &l2);
		match = a.size == rid->ilen && memcmp(a.data, rid->issuer, a.size) == 0 &&
			l1 == l2 && memcmp(s1, s2, l1) == 0;
	}
	_cachet_buf_free(&a);
	_cachet_buf_free(&b);
	return match;
}

void _cachet_ri_rid_text(const ri_rid_t *rid, char *buf, size_t n)
{
	char dn[256], hex[80];

	if (rid->is_skid) {
		_cachet_ri_hex(rid->skid.data, rid->skid.size, hex, sizeof(hex));
		snprintf(buf, n, "skid=%s", hex);
		return;
	}
	_cachet_dn_describe(rid->issuer, rid->ilen, dn, sizeof(dn));
	_cachet_ri_hex(rid->serial.data, rid->serial.size, hex, sizeof(hex));
	snprintf(buf, n, "issuer=%s,serial=%s", dn, hex);
}

void _cachet_ri_append(char *buf, size_t n, const char *text)
{
	size_t have = strnlen(buf, n), sep, want, room;

	if (n < 4 || have >= n)
		return;
	/* A buffer that ends in "..." was cut already. */
	if (have >= 3 && memcmp(buf + have - 3, "...", 3) == 0)
		return;
	sep = have > 0 ? 2 : 0;
	want = strlen(text);
	if (_cachet_add_ok(have, sep, n) && _cachet_add_ok(have + sep, want, n - 1)) {
		snprintf(buf + have, n - have, "%s%s", sep ? "; " : "", text);
		return;
	}
	/* Cut: keep what fits of "; text" and end with "..." (n >= 4). */
	room = n - 4 > have ? n - 4 - have : 0;
	if (room > 0)
		snprintf(buf + have, room + 1, "%s%s", sep ? "; " : "", text);
	have = strnlen(buf, n);
	if (have > n - 4)
		have = n - 4;
	memcpy(buf + have, "...", 4);
}

void _cachet_ri_hex(const uint8_t *p, size_t len, char *buf, size_t n)
{
	size_t i, max;

	if (n == 0)
		return;
	buf[0] = '\0';
	if (n < 4)
		return;
	/* Whole bytes that fit, with room for "..." when cut. */
	max = len <= (n - 1) / 2 ? len : (n - 4) / 2;
	for (i = 0; i < max; i++)
		snprintf(buf + 2 * i, 3, "%02x", p[i]);
	if (max < len)
		memcpy(buf + 2 * max, "...", 4);
}

int _cachet_ri_unwrap_failed(const ri_t *ri, const cachet_ri_keys_t *keys,
			     const char *step, cachet_diag_t *diag)
{
	char where[256];

	/* ri.h and STYLE 14: one code for every unwrap failure, and the
	 * step only in a diagnostic the caller asked for. */
	if (keys != NULL && keys->debug)
		_cachet_diag_push(diag, CACHET_E_DECRYPT_FAILED,
				  _cachet_ri_where(ri, "", where, sizeof(where)),
				  "RFC 3218 section 2.3", "debug: unwrapping failed: %s",
				  step);
	return CACHET_E_DECRYPT_FAILED;
}

/* ------------------------------------------------------------------ */
/* Dispatch */

static int ri_decode(const uint8_t *der, size_t len, const char *path, ri_t *ri,
		     cachet_ri_kind_t *kind, cachet_diag_t *diag)
{
	char choice[32];
	size_t i;
	int ret;

	memset(ri, 0, sizeof(*ri));
	ri->path = path != NULL && *path ? path : "RecipientInfo";
	ENSURE(der != NULL && len > 0, CACHET_E_INVALID_ARG, RULE_RI, ri->path,
	       "no RecipientInfo given");
	ENSURE(len <= CACHET_MAX_BOUNDED, CACHET_E_SIZE_LIMIT, RULE_RI, ri->path,
	       "a RecipientInfo of %zu octets is above Cachet's bound", len);
	/* BER is allowed: RecipientInfos of a streamed BER message need not
	 * be DER (RFC 5652 section 6.1 asks DER of nothing here). */
	CHECK(_cachet_asn1_decode("CachetCMS.RecipientInfo", der, len, false, &ri->node,
				  ri->path, RULE_RI, diag));
	ri->der = der;
	ri->len = len;
	ret = read_choice(ri->node, "", choice, sizeof(choice));
	ENSURE(ret == 0, CACHET_E_MALFORMED, RULE_RI, ri->path,
	       "the RecipientInfo CHOICE cannot be read");
	for (i = 0; i < sizeof(alternatives) / sizeof(alternatives[0]); i++) {
		if (strcmp(choice, alternatives[i].alt) == 0) {
			ri->alt = alternatives[i].alt;
			*kind = alternatives[i].kind;
			return 0;
		}
	}
	FAIL(CACHET_E_MALFORMED, RULE_RI, ri->path, "unknown RecipientInfo alternative %s",
	     choice);
cleanup:
	_cachet_asn1_delete(&ri->node, false);
	return ret;
}

/* OtherRecipientInfo (RFC 5652 section 6.2.5): only its type is read. */
static int ori_describe(const ri_t *ri, cachet_ri_info_t *info, cachet_diag_t *diag)
{
	char oid[128];

	if (_cachet_asn1_read_oid(ri->node, "ori.oriType", oid, sizeof(oid)) < 0)
		return _cachet_ri_missing(ri, "oriType", RULE_ORI, diag);
	snprintf(info->alg, sizeof(info->alg), "OtherRecipientInfo %s",
		 _cachet_oid_name(oid));
	snprintf(info->rid, sizeof(info->rid), "oriType=%s (not read by Cachet)", oid);
	return 0;
}

int _cachet_ri_describe(const uint8_t *der, size_t len, cachet_ri_info_t *info,
			const char *path, cachet_diag_t *diag)
{
	cachet_ri_kind_t kind = CACHET_RI_KTRI;
	ri_t ri;
	int ret;

	memset(&ri, 0, sizeof(ri));
	ENSURE(info != NULL, CACHET_E_INVALID_ARG, RULE_RI, path ? path : "RecipientInfo",
	       "no place for the description");
	memset(info, 0, sizeof(*info));
	CHECK(ri_decode(der, len, path, &ri, &kind, diag));
	info->kind = kind;
	switch (kind) {
	case CACHET_RI_KTRI:
		ret = _cachet_ri_ktri_describe(&ri, info, diag);
		break;
	case CACHET_RI_KARI:
		ret = _cachet_ri_kari_describe(&ri, info, diag);
		break;
	case CACHET_RI_KEKRI:
		ret = _cachet_ri_kekri_describe(&ri, info, diag);
		break;
	case CACHET_RI_PWRI:
		ret = _cachet_ri_pwri_describe(&ri, info, diag);
		break;
	default:
		ret = ori_describe(&ri, info, diag);
		break;
	}
cleanup:
	_cachet_asn1_delete(&ri.node, false);
	return ret;
}

int _cachet_ri_open(const uint8_t *der, size_t len, const cachet_ri_keys_t *keys,
		    size_t ceklen, uint8_t *cek, const char *path, cachet_diag_t *diag)
{
	uint8_t valid;
	return _cachet_ri_open_masked(der, len, keys, ceklen, cek, &valid, path, diag);
}

int _cachet_ri_open_masked(const uint8_t *der, size_t len, const cachet_ri_keys_t *keys,
			   size_t ceklen, uint8_t *cek, uint8_t *valid, const char *path,
			   cachet_diag_t *diag)
{
	static const cachet_ri_keys_t no_keys;
	cachet_ri_kind_t kind = CACHET_RI_KTRI;
	ri_t ri;
	int ret;

	memset(&ri, 0, sizeof(ri));
	/* Every kind but PKCS#1 v1.5 key transport knows when it failed. */
	*valid = 0xff;
	ENSURE(cek != NULL && ceklen >= 1 && ceklen <= CACHET_CEK_MAX, CACHET_E_INVALID_ARG,
	       RULE_RI, path ? path : "RecipientInfo",
	       "content-encryption key of %zu octets (1..%d)", ceklen, CACHET_CEK_MAX);
	if (keys == NULL)
		keys = &no_keys;
	CHECK(ri_decode(der, len, path, &ri, &kind, diag));
	switch (kind) {
	case CACHET_RI_KTRI:
		ret = _cachet_ri_ktri_open(&ri, keys, ceklen, cek, valid, diag);
		break;
	case CACHET_RI_KARI:
		ret = _cachet_ri_kari_open(&ri, keys, ceklen, cek, diag);
		break;
	case CACHET_RI_KEKRI:
		ret = _cachet_ri_kekri_open(&ri, keys, ceklen, cek, diag);
		break;
	case CACHET_RI_PWRI:
		ret = _cachet_ri_pwri_open(&ri, keys, ceklen, cek, diag);
		break;
	default:
		/* Nothing Cachet can open yet (section 6.2: handle unknown
		 * ori alternatives gracefully): no key matches. */
		ret = CACHET_E_END;
		break;
	}
cleanup:
	_cachet_asn1_delete(&ri.node, false);
	/* Only a valid CEKLEN says how large the caller's buffer is. */
	if (ret != 0 && cek != NULL && ceklen > 0 && ceklen <= CACHET_CEK_MAX)
		cachet_wipe(cek, ceklen);
	return ret;
}
