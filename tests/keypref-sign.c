/* keypref-sign.c -- test helper for tests/certdir.sh: sign a short content
 * (DER SignedData) whose SignerInfo carries an SMIMEEncryptionKeyPreference
 * attribute (RFC 8551 section 2.5.3) naming PREF by issuerAndSerialNumber,
 * with PREF and any EXTRA certificate files in the certificates field.
 *
 *   keypref-sign SIGNER-CERT SIGNER-KEY PREF-CERT OUT [EXTRA...]
 *
 * The attribute is built here from PREF's issuer Name and serial number
 * as GnuTLS reads them, so the library's decoding is tested against an
 * encoding it did not make. */
#include <config.h>

#include "cachet/cachet.h"

#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int slurp(const char *path, cachet_datum_t *d)
{
	FILE *f = fopen(path, "rb");
	long n;
	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		if (f)
			fclose(f);
		return -1;
	}
	d->data = malloc((size_t)n + 1);
	d->size = (size_t)n;
	if (d->data == NULL || fread(d->data, 1, d->size, f) != d->size) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

/* A DER header: TAG and LEN (< 65536) into P; returns its length. */
static size_t hdr(uint8_t *p, uint8_t tag, size_t len)
{
	p[0] = tag;
	if (len < 0x80) {
		p[1] = (uint8_t)len;
		return 2;
	}
	if (len < 0x100) {
		p[1] = 0x81;
		p[2] = (uint8_t)len;
		return 3;
	}
	p[1] = 0x82;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	return 4;
}

int main(int argc, char **argv)
{
	static const uint8_t oid[] = {0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
				      0x01, 0x09, 0x10, 0x02, 0x0b}; /* id-aa-encrypKeyPref */
	cachet_datum_t cert = {0}, key = {0}, pref = {0}, extra = {0}, attr = {0};
	cachet_sign_t *s = NULL;
	cachet_source_t *src = NULL;
	cachet_sink_t *snk = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t in, dn = {NULL, 0};
	uint8_t serial[64], buf[4096];
	size_t slen = sizeof(serial), pos = 0, inner, set;
	int fd = -1, ret = 1;
	static const uint8_t content[] = "content signed with an encryption key preference\n";

	if (argc < 5) {
		fprintf(stderr, "usage: keypref-sign SIGNER-CERT SIGNER-KEY PREF-CERT OUT [EXTRA...]\n");
		return 2;
	}
	if (slurp(argv[1], &cert) < 0 || slurp(argv[2], &key) < 0 || slurp(argv[3], &pref) < 0)
		goto out;
	in.data = pref.data;
	in.size = (unsigned)pref.size;
	if (gnutls_x509_crt_init(&crt) < 0 || gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_PEM) < 0 ||
	    gnutls_x509_crt_get_raw_issuer_dn(crt, &dn) < 0 || gnutls_x509_crt_get_serial(crt, serial, &slen) < 0 ||
	    dn.size + slen + 64 > sizeof(buf))
		goto out;
	/* Attribute ::= SEQUENCE { attrType, attrValues SET { [0] IMPLICIT
	 * IssuerAndSerialNumber } } */
	inner = dn.size + 2 + slen;
	set = (inner < 0x80 ? 2 : inner < 0x100 ? 3 : 4) + inner;
	pos = hdr(buf, 0x30, sizeof(oid) + (set < 0x80 ? 2 : set < 0x100 ? 3 : 4) + set);
	memcpy(buf + pos, oid, sizeof(oid));
	pos += sizeof(oid);
	pos += hdr(buf + pos, 0x31, set);
	pos += hdr(buf + pos, 0xa0, inner);
	memcpy(buf + pos, dn.data, dn.size);
	pos += dn.size;
	buf[pos++] = 0x02;
	buf[pos++] = (uint8_t)slen;
	memcpy(buf + pos, serial, slen);
	pos += slen;
	attr.data = buf;
	attr.size = pos;

	if (cachet_sign_init(&s) < 0 || cachet_sign_add_signer(s, &cert, &key, NULL, CACHET_DIGEST_SHA256, 0, NULL) < 0 ||
	    cachet_sign_add_certs(s, &pref, NULL) < 0 || cachet_sign_add_attribute(s, &attr, NULL) < 0)
		goto out;
	for (int i = 5; i < argc; i++) {
		if (slurp(argv[i], &extra) < 0 || cachet_sign_add_certs(s, &extra, NULL) < 0)
			goto out;
		free(extra.data);
		extra.data = NULL;
	}
	fd = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || cachet_source_init_mem(&src, content, sizeof(content) - 1) < 0 ||
	    cachet_sink_init_fd(&snk, fd) < 0 || cachet_sign_run(s, src, snk, 0, NULL) < 0 ||
	    cachet_sink_flush(snk) < 0)
		goto out;
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "keypref-sign: failed\n");
	cachet_sink_deinit(snk);
	cachet_source_deinit(src);
	cachet_sign_deinit(s);
	if (fd >= 0)
		close(fd);
	gnutls_free(dn.data);
	gnutls_x509_crt_deinit(crt);
	free(cert.data);
	free(key.data);
	free(pref.data);
	free(extra.data);
	return ret;
}
