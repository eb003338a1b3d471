/* t-certs.c -- certificates-only messages (RFC 8551 section 3.8) through
 * the public API: round trips with the test PKI, duplicates, DER SET OF
 * order checked by building the expected encoding independently, PEM,
 * CRLs (RFC 4134 CRLs from CACHET_VECTORS), findings, extraction from
 * signed messages (streamed past a content larger than any bounded
 * part), malformed input, truncation at every octet, limits. */
#include <config.h>

#include <cachet/cachet.h>

#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *pki, *vectors;

/* ---- small helpers ---- */

typedef struct {
	uint8_t *p;
	size_t n, cap;
} buf_t;

static void put(buf_t *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		if (b->p == NULL)
			abort();
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

/* A DER TLV around CONTENT (definite, minimal length: X.690 10.1). */
static void tlv(buf_t *b, uint8_t tag, const uint8_t *content, size_t n)
{
	uint8_t h[6];
	size_t hl = 0;
	h[hl++] = tag;
	if (n < 0x80) {
		h[hl++] = (uint8_t)n;
	} else {
		size_t k = n > 0xffffff ? 4 : n > 0xffff ? 3 : n > 0xff ? 2 : 1;
		h[hl++] = (uint8_t)(0x80 | k);
		for (size_t i = k; i-- > 0;)
			h[hl++] = (uint8_t)(n >> (8 * i));
	}
	put(b, h, hl);
	put(b, content, n);
}

static cachet_datum_t load_from(const char *dir, const char *name)
{
	char path[4096];
	cachet_datum_t d = {NULL, 0};
	unsigned char *p;
	size_t n;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (tap_slurp(path, &p, &n) == 0) {
		d.data = p;
		d.size = n;
	}
	return d;
}

static cachet_datum_t load(const char *name)
{
	return load_from(pki, name);
}

/* Make a certs-only message from the inputs into *out; returns the code. */
static int make(const cachet_datum_t *c, size_t n, const cachet_datum_t *crl, size_t ncrl,
		unsigned flags, cachet_datum_t *out)
{
	cachet_sink_t *snk = NULL;
	int ret = cachet_sink_init_mem(&snk);
	out->data = NULL;
	out->size = 0;
	if (ret == 0)
		ret = cachet_certs_make(c, n, crl, ncrl, snk, flags, NULL);
	if (ret == 0)
		ret = cachet_sink_take_mem(snk, out);
	cachet_sink_deinit(snk);
	return ret;
}

static int extract(const uint8_t *p, size_t n, cachet_certs_t **c, cachet_diag_t *diag)
{
	cachet_source_t *src = NULL;
	*c = NULL;
	int ret = cachet_source_init_mem(&src, p, n);
	if (ret == 0)
		ret = cachet_certs_extract(c, src, diag);
	cachet_source_deinit(src);
	return ret;
}

static bool has_cert(const cachet_certs_t *c, const cachet_datum_t *der)
{
	for (size_t i = 0; i < cachet_certs_count(c); i++) {
		cachet_datum_t d;
		if (cachet_certs_get(c, i, &d) == 0 && d.size == der->size &&
		    memcmp(d.data, der->data, d.size) == 0)
			return true;
	}
	return false;
}

static bool has_finding(const cachet_certs_t *c, const char *name)
{
	for (size_t i = 0; i < cachet_certs_finding_count(c); i++) {
		const char *nm;
		if (cachet_certs_finding_get(c, i, &nm, NULL, NULL, NULL) == 0 && strcmp(nm, name) == 0)
			return true;
	}
	return false;
}

/* X.690 section 11.6 order, written here independently of the library. */
static int x690_cmp(const void *pa, const void *pb)
{
	const cachet_datum_t *a = pa, *b = pb;
	size_t m = a->size < b->size ? a->size : b->size;
	int r = memcmp(a->data, b->data, m);
	if (r)
		return r;
	return a->size < b->size ? -1 : a->size > b->size;
}

static const uint8_t OID_SIGNED[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02};
static const uint8_t OID_DATA[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};
static const uint8_t OID_ENVELOPED[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03};

/* A SignedData built by hand: VERSION, eContent when ECONTENT, the
 * certificate set's elements in the order given, SIGNERS as given. */
static void build_sd(buf_t *out, unsigned version, bool econtent, const cachet_datum_t *el,
		     size_t nel, const buf_t *crls, const buf_t *signers, const uint8_t *ct_oid)
{
	buf_t sd = {0}, eci = {0}, set = {0}, tmp = {0}, ci = {0};
	uint8_t v = (uint8_t)version;
	tlv(&sd, 0x02, &v, 1);
	tlv(&sd, 0x31, NULL, 0);
	tlv(&eci, 0x06, OID_DATA, sizeof(OID_DATA));
	if (econtent) {
		tlv(&tmp, 0x04, (const uint8_t *)"x", 1);
		tlv(&eci, 0xa0, tmp.p, tmp.n);
	}
	tlv(&sd, 0x30, eci.p, eci.n);
	for (size_t i = 0; i < nel; i++)
		put(&set, el[i].data, el[i].size);
	if (nel)
		tlv(&sd, 0xa0, set.p, set.n);
	if (crls && crls->n)
		tlv(&sd, 0xa1, crls->p, crls->n);
	tlv(&sd, 0x31, signers ? signers->p : NULL, signers ? signers->n : 0);
	tlv(&ci, 0x06, ct_oid, 9);
	buf_t wrapped = {0};
	tlv(&wrapped, 0x30, sd.p, sd.n);
	tlv(&ci, 0xa0, wrapped.p, wrapped.n);
	tlv(out, 0x30, ci.p, ci.n);
	free(sd.p);
	free(eci.p);
	free(set.p);
	free(tmp.p);
	free(ci.p);
	free(wrapped.p);
}

static const char *const users[] = {"root-ca", "int-ca", "alice", "bob", "carol",
				    "dave",    "erin",   "frank", "grace"};
#define NUSERS (sizeof(users) / sizeof(users[0]))

/* Content for the streaming test: SIZE zero octets through a callback. */
typedef struct {
	size_t left;
} zeros_t;

static long zeros_read(void *opaque, uint8_t *buf, size_t len)
{
	zeros_t *z = opaque;
	size_t n = len < z->left ? len : z->left;
	memset(buf, 0, n);
	z->left -= n;
	return (long)n;
}

int main(void)
{
	cachet_datum_t der[NUSERS], msg = {0};
	cachet_certs_t *c = NULL;
	cachet_diag_t *diag = NULL;
	char name[64];
	int ret;

	pki = getenv("CACHET_PKI_DIR");
	if (pki == NULL)
		pki = "vectors/pki";
	vectors = getenv("CACHET_VECTORS");
	if (cachet_diag_init(&diag) < 0)
		return 99;
	for (size_t i = 0; i < NUSERS; i++) {
		snprintf(name, sizeof(name), "%s.crt.der", users[i]);
		der[i] = load(name);
		if (der[i].data == NULL) {
			printf("Bail out! cannot read %s/%s\n", pki, name);
			return 99;
		}
	}

	/* 1. One certificate: the round trip gives back the same DER. */
	ret = make(&der[2], 1, NULL, 0, 0, &msg);
	ok(ret == 0, "make: one certificate (%s)", cachet_strerror_name(ret));
	ret = extract(msg.data, msg.size, &c, diag);
	ok(ret == 0 && cachet_certs_count(c) == 1 && has_cert(c, &der[2]),
	   "extract: the one certificate comes back byte for byte");
	ok(cachet_certs_signer_count(c) == 0 && cachet_certs_finding_count(c) == 0,
	   "a Cachet certs-only message has no SignerInfo and no finding (%zu)",
	   cachet_certs_finding_count(c));
	{
		/* RFC 5652 section 5.1: version 1; section 5.2: id-data, no
		 * eContent; RFC 8551 section 3.8: signerInfos empty.  The whole
		 * encoding is rebuilt here and compared. */
		buf_t want = {0};
		build_sd(&want, 1, false, &der[2], 1, NULL, NULL, OID_SIGNED);
		ok(want.n == msg.size && memcmp(want.p, msg.data, msg.size) == 0,
		   "one certificate: the DER is exactly the expected encoding (%zu octets)", msg.size);
		free(want.p);
	}
	cachet_certs_deinit(c);
	cachet_free(msg.data);

	/* 2. Two certificates. */
	ret = make(&der[2], 2, NULL, 0, 0, &msg);
	ret = ret ? ret : extract(msg.data, msg.size, &c, diag);
	ok(ret == 0 && cachet_certs_count(c) == 2 && has_cert(c, &der[2]) && has_cert(c, &der[3]),
	   "two certificates round trip");
	cachet_certs_deinit(c);
	cachet_free(msg.data);

	/* 3. All the test PKI's certificates, and the DER SET OF order checked
	 * by building the expected encoding with an independent sort. */
	ret = make(der, NUSERS, NULL, 0, 0, &msg);
	ret = ret ? ret : extract(msg.data, msg.size, &c, diag);
	{
		bool all = ret == 0 && cachet_certs_count(c) == NUSERS;
		for (size_t i = 0; all && i < NUSERS; i++)
			all = has_cert(c, &der[i]);
		ok(all, "all %zu certificates round trip", NUSERS);
		cachet_datum_t sorted[NUSERS];
		memcpy(sorted, der, sizeof(sorted));
		qsort(sorted, NUSERS, sizeof(sorted[0]), x690_cmp);
		buf_t want = {0};
		build_sd(&want, 1, false, sorted, NUSERS, NULL, NULL, OID_SIGNED);
		ok(want.n == msg.size && memcmp(want.p, msg.data, msg.size) == 0,
		   "all certificates: DER with the set in X.690 11.6 order");
		free(want.p);
		ok(!has_finding(c, "certificates-order"), "no order finding on Cachet's own output");
		/* Unsorted on purpose: the reader notes it, and still extracts. */
		cachet_datum_t rev[NUSERS];
		for (size_t i = 0; i < NUSERS; i++)
			rev[i] = sorted[NUSERS - 1 - i];
		buf_t bad = {0};
		build_sd(&bad, 1, false, rev, NUSERS, NULL, NULL, OID_SIGNED);
		cachet_certs_deinit(c);
		ret = extract(bad.p, bad.n, &c, diag);
		ok(ret == 0 && cachet_certs_count(c) == NUSERS && has_finding(c, "certificates-order"),
		   "a set out of DER order is a finding, not a failure");
		free(bad.p);
	}
	cachet_certs_deinit(c);
	cachet_free(msg.data);

	/* 4. Duplicates: PEM and DER of the same certificate, the chain twice. */
	{
		cachet_datum_t in[5] = {load("alice.crt.pem"), der[2], load("chain.pem"), load("chain.pem"),
					der[1]};
		ret = make(in, 5, NULL, 0, 0, &msg);
		ret = ret ? ret : extract(msg.data, msg.size, &c, diag);
		ok(ret == 0 && cachet_certs_count(c) == 3 && has_cert(c, &der[0]) && has_cert(c, &der[1]) &&
			   has_cert(c, &der[2]),
		   "duplicates are kept once (3 distinct of 6 given, got %zu)", cachet_certs_count(c));
		cachet_certs_deinit(c);
		/* A message that repeats a certificate: extracted once, noted. */
		cachet_datum_t twice[2] = {der[2], der[2]};
		buf_t rep = {0};
		build_sd(&rep, 1, false, twice, 2, NULL, NULL, OID_SIGNED);
		ret = extract(rep.p, rep.n, &c, diag);
		ok(ret == 0 && cachet_certs_count(c) == 1 && has_finding(c, "duplicate-certificate"),
		   "a repeated certificate in a message is extracted once with a finding");
		cachet_certs_deinit(c);
		free(rep.p);
		cachet_free(msg.data);
		free(in[0].data);
		free(in[2].data);
		free(in[3].data);
	}

	/* 5. PEM out and in; the PEM bundle of the extraction. */
	ret = make(der, 3, NULL, 0, CACHET_CERTS_PEM, &msg);
	ok(ret == 0 && msg.size > 19 && memcmp(msg.data, "-----BEGIN CMS-----\n", 20) == 0,
	   "PEM output has the CMS label (RFC 7468 section 9)");
	ret = extract(msg.data, msg.size, &c, diag);
	ok(ret == 0 && cachet_certs_count(c) == 3, "PEM input is read");
	{
		cachet_sink_t *snk = NULL;
		cachet_datum_t bundle = {0};
		ret = cachet_sink_init_mem(&snk);
		ret = ret ? ret : cachet_certs_write(c, snk, CACHET_CERTS_PEM, diag);
		ret = ret ? ret : cachet_sink_take_mem(snk, &bundle);
		size_t blocks = 0;
		for (size_t i = 0; ret == 0 && i + 27 < bundle.size; i++)
			blocks += memcmp(bundle.data + i, "-----BEGIN CERTIFICATE-----", 27) == 0;
		ok(ret == 0 && blocks == 3, "the PEM bundle has 3 CERTIFICATE blocks (%zu)", blocks);
		cachet_sink_deinit(snk);
		/* The bundle goes back in as the input of make. */
		cachet_certs_deinit(c);
		cachet_free(msg.data);
		ret = make(&bundle, 1, NULL, 0, 0, &msg);
		ret = ret ? ret : extract(msg.data, msg.size, &c, diag);
		ok(ret == 0 && cachet_certs_count(c) == 3, "the bundle makes the same message again");
		cachet_free(bundle.data);
		cachet_sink_init_mem(&snk) == 0 ? (void)0 : abort();
		ok(cachet_certs_write(c, snk, 0, diag) == CACHET_E_INVALID_ARG,
		   "DER output of 3 certificates is refused (one object per DER file)");
		cachet_sink_deinit(snk);
	}
	cachet_certs_deinit(c);
	cachet_free(msg.data);

	/* 6. Describe: text and JSON name each certificate. */
	ret = make(&der[2], 1, NULL, 0, 0, &msg);
	ret = ret ? ret : extract(msg.data, msg.size, &c, diag);
	{
		cachet_datum_t t = {0}, j = {0};
		ret = ret ? ret : cachet_certs_describe(c, 0, &t);
		ret = ret ? ret : cachet_certs_describe(c, CACHET_INSPECT_JSON, &j);
		ok(ret == 0 && strstr((char *)t.data, "CN=Alice") && strstr((char *)t.data, "sha256:") &&
			   strstr((char *)j.data, "\"sha256\": \"") && strstr((char *)j.data, "\"certs_only\": true"),
		   "describe names subject and fingerprint in text and JSON");
		cachet_free(t.data);
		cachet_free(j.data);
	}
	cachet_certs_deinit(c);
	cachet_free(msg.data);

	/* 7. CRLs (RFC 4134's, from the vectors). */
	if (vectors == NULL || *vectors == 0) {
		ok(0, "CACHET_VECTORS is set (needed for the CRL tests)");
	} else {
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s/rfc4134", vectors);
		cachet_datum_t crl[3] = {load_from(dir, "CarlRSACRLEmpty.crl"),
					 load_from(dir, "CarlRSACRLForAll.crl"),
					 load_from(dir, "CarlRSACRLEmpty.crl")};
		ok(crl[0].data && crl[1].data, "the RFC 4134 CRLs are readable");
		ret = make(&der[0], 1, crl, 3, 0, &msg);
		ret = ret ? ret : extract(msg.data, msg.size, &c, diag);
		ok(ret == 0 && cachet_certs_crl_count(c) == 2 && cachet_certs_count(c) == 1,
		   "certificate + 2 distinct CRLs of 3 given round trip (%zu CRLs)",
		   cachet_certs_crl_count(c));
		cachet_datum_t got;
		ok(cachet_certs_crl_get(c, 0, &got) == 0 && cachet_certs_crl_get(c, 2, &got) < 0,
		   "crl_get: in range and out of range");
		cachet_certs_deinit(c);
		cachet_free(msg.data);
		ret = make(NULL, 0, crl, 1, 0, &msg);
		ret = ret ? ret : extract(msg.data, msg.size, &c, diag);
		ok(ret == 0 && cachet_certs_crl_count(c) == 1 && cachet_certs_count(c) == 0,
		   "a CRL-only message (RFC 8551 section 3.8: certificates and/or CRLs)");
		cachet_certs_deinit(c);
		cachet_free(msg.data);
		ret = make(&der[0], 1, &der[1], 1, 0, &msg);
		ok(ret == CACHET_E_MALFORMED, "a certificate given as a CRL is refused (%s)",
		   cachet_strerror_name(ret));
		for (int i = 0; i < 3; i++)
			free(crl[i].data);
	}

	/* 8. Findings of a strict reader. */
	{
		buf_t m = {0};
		build_sd(&m, 1, true, &der[2], 1, NULL, NULL, OID_SIGNED);
		ret = extract(m.p, m.n, &c, diag);
		ok(ret == 0 && cachet_certs_count(c) == 1 && has_finding(c, "econtent"),
		   "eContent in a certs-only message is a finding (RFC 8551 section 3.8)");
		cachet_certs_deinit(c);
		m.n = 0;
		build_sd(&m, 3, false, &der[2], 1, NULL, NULL, OID_SIGNED);
		ret = extract(m.p, m.n, &c, diag);
		ok(ret == 0 && has_finding(c, "signed-data-version"),
		   "version 3 where section 5.1 computes 1 is a finding");
		cachet_certs_deinit(c);
		/* A certs-only message with signerInfos is just a SignedData. */
		buf_t si = {0};
		static const uint8_t one_si[] = {0x30, 0x03, 0x02, 0x01, 0x01};
		put(&si, one_si, sizeof(one_si));
		m.n = 0;
		build_sd(&m, 1, false, &der[2], 1, NULL, &si, OID_SIGNED);
		ret = extract(m.p, m.n, &c, diag);
		ok(ret == 0 && cachet_certs_signer_count(c) == 1 && has_finding(c, "signer-infos"),
		   "SignerInfos make it a signed message (noted, certificates extracted)");
		cachet_certs_deinit(c);
		/* Limits: SignerInfos, certificate choices, CRL entries. */
		si.n = 0;
		for (int i = 0; i < 65; i++)
			put(&si, one_si, sizeof(one_si));
		m.n = 0;
		build_sd(&m, 1, false, &der[2], 1, NULL, &si, OID_SIGNED);
		ret = extract(m.p, m.n, &c, diag);
		ok(ret == CACHET_E_COUNT_LIMIT && c == NULL, "65 SignerInfos: CACHET_E_COUNT_LIMIT (%s)",
		   cachet_strerror_name(ret));
		cachet_datum_t other[600];
		static uint8_t a3[] = {0xa3, 0x00};
		for (int i = 0; i < 600; i++)
			other[i] = (cachet_datum_t){a3, 2};
		m.n = 0;
		build_sd(&m, 5, false, other, 600, NULL, NULL, OID_SIGNED);
		ret = extract(m.p, m.n, &c, diag);
		ok(ret == CACHET_E_COUNT_LIMIT, "600 certificate choices: CACHET_E_COUNT_LIMIT (%s)",
		   cachet_strerror_name(ret));
		m.n = 0;
		build_sd(&m, 5, false, other, 3, NULL, NULL, OID_SIGNED);
		ret = extract(m.p, m.n, &c, diag);
		ok(ret == 0 && cachet_certs_count(c) == 0 && has_finding(c, "other-certificate") &&
			   !has_finding(c, "signed-data-version"),
		   "other certificate formats are noted; version 5 is what section 5.1 computes");
		cachet_certs_deinit(c);
		buf_t crls = {0};
		static const uint8_t other_crl[] = {0xa1, 0x00};
		for (int i = 0; i < 65; i++)
			put(&crls, other_crl, 2);
		m.n = 0;
		build_sd(&m, 5, false, &der[2], 1, &crls, NULL, OID_SIGNED);
		ret = extract(m.p, m.n, &c, diag);
		ok(ret == CACHET_E_COUNT_LIMIT, "65 revocation entries: CACHET_E_COUNT_LIMIT (%s)",
		   cachet_strerror_name(ret));
		free(crls.p);
		free(si.p);
		free(m.p);
	}

	/* 9. Malformed input, each with its code and a diagnostic. */
	{
		buf_t m = {0};
		build_sd(&m, 1, false, &der[2], 1, NULL, NULL, OID_ENVELOPED);
		cachet_diag_clear(diag);
		ret = extract(m.p, m.n, &c, diag);
		ok(ret == CACHET_E_UNSUPPORTED_CONTENT && cachet_diag_count(diag) > 0,
		   "EnvelopedData: CACHET_E_UNSUPPORTED_CONTENT with a diagnostic (%s)",
		   cachet_strerror_name(ret));
		m.n = 0;
		build_sd(&m, 1, false, &der[2], 1, NULL, NULL, OID_SIGNED);
		put(&m, "\0", 1);
		ret = extract(m.p, m.n, &c, diag);
		ok(ret == CACHET_E_TRAILING_DATA, "trailing octet: CACHET_E_TRAILING_DATA (%s)",
		   cachet_strerror_name(ret));
		ret = extract((const uint8_t *)"", 0, &c, diag);
		ok(ret == CACHET_E_TRUNCATED, "empty input: CACHET_E_TRUNCATED (%s)", cachet_strerror_name(ret));
		/* A certificate whose inside is garbage. */
		static uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x05};
		cachet_datum_t j = {junk, sizeof(junk)};
		m.n = 0;
		build_sd(&m, 1, false, &j, 1, NULL, NULL, OID_SIGNED);
		cachet_diag_clear(diag);
		ret = extract(m.p, m.n, &c, diag);
		ok(ret == CACHET_E_BAD_CERT || ret == CACHET_E_TASN1 || ret == CACHET_E_MALFORMED,
		   "an unreadable certificate fails with a code (%s)", cachet_strerror_name(ret));
		ok(cachet_diag_count(diag) > 0, "... and a diagnostic");
		/* A stray element in the set. */
		static uint8_t stray[] = {0x04, 0x00};
		cachet_datum_t s = {stray, 2};
		m.n = 0;
		build_sd(&m, 1, false, &s, 1, NULL, NULL, OID_SIGNED);
		ret = extract(m.p, m.n, &c, diag);
		ok(ret == CACHET_E_MALFORMED, "an OCTET STRING in the certificate set: CACHET_E_MALFORMED (%s)",
		   cachet_strerror_name(ret));
		free(m.p);
		/* make: nothing, junk, bad flags. */
		ok(make(NULL, 0, NULL, 0, 0, &msg) == CACHET_E_INVALID_ARG, "make with nothing: INVALID_ARG");
		ok(make(&j, 1, NULL, 0, 0, &msg) == CACHET_E_BAD_CERT, "make with junk: BAD_CERT");
		ok(make(der, 1, NULL, 0, 0x80, &msg) == CACHET_E_INVALID_ARG, "make with unknown flags");
		cachet_datum_t notpem = {(uint8_t *)"-----BEGIN CERTIFICATE-----\nQUJD\n", 33};
		ret = make(&notpem, 1, NULL, 0, 0, &msg);
		ok(ret < 0, "make with broken PEM fails (%s)", cachet_strerror_name(ret));
	}

	/* 10. Truncation at every octet of a small message: each prefix fails
	 * cleanly with a code (and never crashes or leaks: ASan runs this). */
	ret = make(&der[2], 1, NULL, 0, 0, &msg);
	{
		size_t fails = 0;
		for (size_t cut = 0; ret == 0 && cut < msg.size; cut++) {
			cachet_certs_t *t = NULL;
			int r = extract(msg.data, cut, &t, NULL);
			fails += r < 0 && t == NULL;
			cachet_certs_deinit(t);
		}
		ok(ret == 0 && fails == msg.size, "every one of %zu truncations fails (%zu did)", msg.size,
		   fails);
	}
	cachet_free(msg.data);

	/* 11. A signed message: its certificates come out, and a content larger
	 * than any bounded part (16 MiB) is skipped as it streams past. */
	{
		cachet_sign_t *s = NULL;
		cachet_source_t *src = NULL;
		cachet_sink_t *snk = NULL;
		cachet_datum_t cert = load("alice.crt.pem"), key = load("alice.key.pem"),
			       chain = load("chain.pem");
		zeros_t z = {17u << 20};
		ret = cachet_sign_init(&s);
		ret = ret ? ret : cachet_sign_add_signer(s, &cert, &key, NULL, CACHET_DIGEST_DEFAULT, 0, NULL);
		ret = ret ? ret : cachet_sign_add_certs(s, &chain, NULL);
		ret = ret ? ret : cachet_source_init_cb(&src, zeros_read, &z);
		ret = ret ? ret : cachet_sink_init_mem(&snk);
		ret = ret ? ret : cachet_sign_run(s, src, snk, 0, NULL);
		ret = ret ? ret : cachet_sink_take_mem(snk, &msg);
		ok(ret == 0 && msg.size > (17u << 20), "signed a 17 MiB message (%s)", cachet_strerror_name(ret));
		ret = ret ? ret : extract(msg.data, msg.size, &c, diag);
		ok(ret == 0 && cachet_certs_count(c) == 3 && cachet_certs_signer_count(c) == 1 &&
			   has_cert(c, &der[2]) && has_finding(c, "signer-infos") && !has_finding(c, "econtent"),
		   "its 3 certificates are extracted past the content (%s)", cachet_strerror_name(ret));
		cachet_certs_deinit(c);
		cachet_free(msg.data);
		cachet_sink_deinit(snk);
		cachet_source_deinit(src);
		cachet_sign_deinit(s);
		free(cert.data);
		free(key.data);
		free(chain.data);
	}

	/* 12. Arguments. */
	ok(cachet_certs_extract(NULL, NULL, NULL) == CACHET_E_INVALID_ARG, "extract(NULL)");
	ok(cachet_certs_count(NULL) == 0 && cachet_certs_finding_count(NULL) == 0, "counts of NULL are 0");
	cachet_certs_deinit(NULL);

	for (size_t i = 0; i < NUSERS; i++)
		free(der[i].data);
	cachet_diag_deinit(diag);
	return tap_done();
}
