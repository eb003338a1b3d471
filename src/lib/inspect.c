/* inspect.c -- a readable (or JSON) dump of any BER/DER object, streamed:
 * every element with its offset, tag and size; object identifiers by
 * their registry names; times and strings as text; large contents by
 * size only.  Memory stays flat whatever the size. */
#include "ber.h"
#include "crypto.h"
#include "pki.h"

#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>

#define SHOW_MAX 48 /* primitive values shown in full up to this size */

typedef struct {
	ber_reader_t r;
	cachet_sink_t *out;
	bool json;
	cbuf_t line;
	unsigned long nodes;
	/* Identifier octet of each open ancestor, outermost first, and the
	 * content type named by the outer ContentInfo. */
	uint8_t anc[CACHET_MAX_DEPTH + 1];
	bool signed_data;
} insp_t;

static const char *universal_name(uint32_t tag)
{
	static const char *const names[] = {
		"EOC", "BOOLEAN", "INTEGER", "BIT STRING", "OCTET STRING", "NULL",
		"OBJECT IDENTIFIER", "ObjectDescriptor", "EXTERNAL", "REAL", "ENUMERATED",
		"EMBEDDED PDV", "UTF8String", "RELATIVE-OID", "TIME", "reserved",
		"SEQUENCE", "SET", "NumericString", "PrintableString", "T61String",
		"VideotexString", "IA5String", "UTCTime", "GeneralizedTime", "GraphicString",
		"VisibleString", "GeneralString", "UniversalString", "CHARACTER STRING",
		"BMPString",
	};
	return tag < sizeof(names) / sizeof(names[0]) ? names[tag] : "universal";
}

static int flush_line(insp_t *in)
{
	int ret = _cachet_sink_write(in->out, in->line.data, in->line.size);
	in->line.size = 0;
	return ret;
}

static bool is_text_tag(uint32_t t)
{
	return t == 12 || t == 18 || t == 19 || t == 20 || t == 22 || t == 23 || t == 24 || t == 26;
}

/* Describe a primitive value in TEXT. */
static void describe(const ber_hdr_t *h, const cbuf_t *v, char *text, size_t n)
{
	text[0] = 0;
	if (h->cls != BER_UNIVERSAL) {
		goto hex;
	}
	if (h->tag == BER_TAG_OID) {
		char dotted[160];
		if (_cachet_oid_to_str(v->data, v->size, dotted, sizeof(dotted)) < 0) {
			snprintf(text, n, "(malformed)");
			return;
		}
		const cachet_alg_t *a = _cachet_alg_by_oid(dotted);
		if (a)
			snprintf(text, n, "%s (%s)", a->name, dotted);
		else
			snprintf(text, n, "%s", dotted);
		return;
	}
	if (is_text_tag(h->tag)) {
		size_t k = 0;
		for (size_t i = 0; i < v->size && k + 2 < n; i++)
			text[k++] = (v->data[i] >= 0x20 && v->data[i] < 0x7f) ? (char)v->data[i] : '.';
		text[k] = 0;
		return;
	}
	if (h->tag == 1 && v->size == 1) {
		snprintf(text, n, "%s", v->data[0] ? "TRUE" : "FALSE");
		return;
	}
	if (h->tag == BER_TAG_NULL) {
		return;
	}
hex:
	if (h->len <= SHOW_MAX) {
		size_t k = 0;
		for (size_t i = 0; i < v->size && k + 3 < n; i++, k += 2)
			snprintf(text + k, n - k, "%02x", v->data[i]);
	}
}

/* Is H a certificate in SignedData.certificates?  ContentInfo SEQUENCE >
 * [0] > SignedData SEQUENCE > [0] IMPLICIT SET OF > SEQUENCE. */
static bool at_certificate(const insp_t *in, const ber_hdr_t *h, unsigned depth)
{
	return in->signed_data && depth == 4 && h->raw[0] == 0x30 && in->anc[0] == 0x30 &&
	       in->anc[1] == 0xa0 && in->anc[2] == 0x30 && in->anc[3] == 0xa0;
}

/* One line per certificate fact instead of its raw tree. */
static int certificate(insp_t *in, const ber_hdr_t *h, unsigned depth, uint64_t off)
{
	cbuf_t der = {0};
	gnutls_x509_crt_t crt = NULL;
	char who[400], iss[400], t1[32], t2[32];
	int ret;

	CHECK(_cachet_ber_capture(&in->r, h, &der, CACHET_MAX_BOUNDED));
	gnutls_datum_t d = {der.data, (unsigned)der.size};
	if (gnutls_x509_crt_init(&crt) < 0 || gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) < 0) {
		CHECK(_cachet_buf_printf(&in->line, in->json ? "{\"offset\":%llu,\"certificate\":null}"
							     : "%8llu %*scertificate (%zu bytes, unreadable)\n",
					 (unsigned long long)off, in->json ? 0 : (int)(2 * depth), "", der.size));
		goto done;
	}
	_cachet_crt_describe(crt, who, sizeof(who));
	gnutls_datum_t idn = {NULL, 0};
	snprintf(iss, sizeof(iss), "?");
	if (gnutls_x509_crt_get_issuer_dn3(crt, &idn, 0) == 0) {
		snprintf(iss, sizeof(iss), "%s", (char *)idn.data);
		gnutls_free(idn.data);
	}
	_cachet_time_str(gnutls_x509_crt_get_activation_time(crt), t1, sizeof(t1));
	_cachet_time_str(gnutls_x509_crt_get_expiration_time(crt), t2, sizeof(t2));
	unsigned bits = 0;
	int pk = gnutls_x509_crt_get_pk_algorithm(crt, &bits);
	const char *pkname = gnutls_pk_get_name((gnutls_pk_algorithm_t)(pk < 0 ? 0 : pk));
	if (in->json) {
		CHECK(_cachet_buf_printf(&in->line, "{\"offset\":%llu,\"tag\":\"SEQUENCE\",\"length\":%zu,"
					 "\"certificate\":{\"subject\":", (unsigned long long)off, der.size));
		CHECK(_cachet_buf_json_str(&in->line, who));
		CHECK(_cachet_buf_printf(&in->line, ",\"issuer\":"));
		CHECK(_cachet_buf_json_str(&in->line, iss));
		CHECK(_cachet_buf_printf(&in->line, ",\"notBefore\":\"%s\",\"notAfter\":\"%s\",\"key\":", t1, t2));
		CHECK(_cachet_buf_json_str(&in->line, pkname ? pkname : "?"));
		CHECK(_cachet_buf_printf(&in->line, ",\"bits\":%u}}", bits));
	} else {
		int ind = (int)(2 * depth);
		CHECK(_cachet_buf_printf(&in->line, "%8llu %*scertificate (%zu bytes): %s\n", (unsigned long long)off,
					 ind, "", der.size, who));
		CHECK(_cachet_buf_printf(&in->line, "         %*s  issuer %s\n", ind, "", iss));
		CHECK(_cachet_buf_printf(&in->line, "         %*s  valid %s to %s, %s %u bits\n", ind, "", t1, t2,
					 pkname ? pkname : "?", bits));
	}
done:
	ret = flush_line(in);
cleanup:
	if (crt)
		gnutls_x509_crt_deinit(crt);
	_cachet_buf_free(&der);
	return ret;
}

static int node(insp_t *in, const ber_hdr_t *h, unsigned depth, uint64_t off)
{
	char tag[48], text[200];
	cbuf_t v = {0};
	int ret;

	if (h->cls == BER_UNIVERSAL)
		snprintf(tag, sizeof(tag), "%s", universal_name(h->tag));
	else
		snprintf(tag, sizeof(tag), "[%s%u]%s",
			 h->cls == BER_CONTEXT ? "" : h->cls == BER_APPLICATION ? "APPLICATION " : "PRIVATE ",
			 h->tag, h->constructed && h->cls != BER_UNIVERSAL ? "" : "");
	if (++in->nodes > 10000000UL)
		return CACHET_E_COUNT_LIMIT;

	if (at_certificate(in, h, depth))
		return certificate(in, h, depth, off);
	text[0] = 0;
	bool consumed = false;
	if (!h->constructed && h->len <= 4096) {
		CHECK_RET(_cachet_ber_read_value(&in->r, h, &v, 4096));
		describe(h, &v, text, sizeof(text));
		consumed = true;
		/* The outer ContentInfo's contentType decides what follows. */
		if (depth == 1 && h->raw[0] == BER_TAG_OID && in->anc[0] == 0x30)
			in->signed_data = strncmp(text, "id-signedData", 13) == 0 ||
					  strstr(text, "(1.2.840.113549.1.7.2)") != NULL;
	}
	if (in->json) {
		CHECK(_cachet_buf_printf(&in->line, "%s{\"offset\":%llu,\"tag\":", depth ? "" : "",
					 (unsigned long long)off));
		CHECK(_cachet_buf_json_str(&in->line, tag));
		if (h->indefinite)
			CHECK(_cachet_buf_printf(&in->line, ",\"length\":null"));
		else
			CHECK(_cachet_buf_printf(&in->line, ",\"length\":%llu", (unsigned long long)h->len));
		if (text[0]) {
			CHECK(_cachet_buf_printf(&in->line, ",\"value\":"));
			CHECK(_cachet_buf_json_str(&in->line, text));
		}
	} else {
		CHECK(_cachet_buf_printf(&in->line, "%8llu %*s%s", (unsigned long long)off, (int)(2 * depth), "",
					 tag));
		if (h->indefinite)
			CHECK(_cachet_buf_printf(&in->line, " (indefinite)"));
		else
			CHECK(_cachet_buf_printf(&in->line, " (%llu bytes)", (unsigned long long)h->len));
		if (text[0])
			CHECK(_cachet_buf_printf(&in->line, " %s", text));
		CHECK(_cachet_buf_printf(&in->line, "\n"));
	}
	if (h->constructed) {
		bool first = true;
		if (in->json)
			CHECK(_cachet_buf_printf(&in->line, ",\"children\":["));
		CHECK(flush_line(in));
		CHECK(_cachet_ber_enter(&in->r, h));
		if (depth <= CACHET_MAX_DEPTH)
			in->anc[depth] = h->raw[0];
		for (;;) {
			ber_hdr_t c;
			uint64_t coff = _cachet_source_offset(in->r.src);
			ret = _cachet_ber_next(&in->r, &c);
			if (ret == CACHET_E_END)
				break;
			CHECK(ret);
			if (in->json && !first)
				CHECK(_cachet_buf_printf(&in->line, ","));
			first = false;
			CHECK(node(in, &c, depth + 1, coff));
		}
		CHECK(_cachet_ber_leave(&in->r));
		if (in->json)
			CHECK(_cachet_buf_printf(&in->line, "]"));
	} else if (!consumed) {
		CHECK(_cachet_ber_skip(&in->r, h));
	}
	if (in->json)
		CHECK(_cachet_buf_printf(&in->line, "}"));
	ret = flush_line(in);
cleanup:
	_cachet_buf_free(&v);
	return ret;
}

int cachet_inspect(cachet_source_t *in, cachet_sink_t *out, unsigned flags,
		   cachet_diag_t *diag)
{
	insp_t st;
	cachet_source_t *src = NULL;
	int ret;
	bool first = true;

	if (in == NULL || out == NULL)
		return CACHET_E_INVALID_ARG;
	memset(&st, 0, sizeof(st));
	st.out = out;
	st.json = (flags & CACHET_INSPECT_JSON) != 0;
	CHECK(_cachet_source_autodetect(&src, in, diag));
	_cachet_ber_reader_init(&st.r, src, diag);
	if (st.json)
		CHECK(_cachet_buf_printf(&st.line, "["));
	for (;;) {
		ber_hdr_t h;
		uint64_t off = _cachet_source_offset(src);
		ret = _cachet_ber_next(&st.r, &h);
		if (ret == CACHET_E_END)
			break;
		CHECK(ret);
		if (st.json && !first)
			CHECK(_cachet_buf_printf(&st.line, ","));
		first = false;
		CHECK(node(&st, &h, 0, off));
	}
	if (st.json)
		CHECK(_cachet_buf_printf(&st.line, "]\n"));
	CHECK(flush_line(&st));
	ret = cachet_sink_flush(out);
cleanup:
	_cachet_buf_free(&st.line);
	if (src != in)
		cachet_source_deinit(src);
	return ret;
}
