/* t-api.c -- the public API, linked against the shared library exactly as
 * an application would be: only what libcachet.map exports is reachable. */
#include <config.h>

#include <cachet/cachet.h>

#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *pki;

static cachet_datum_t load(const char *name)
{
	char path[4096];
	cachet_datum_t d = {NULL, 0};
	snprintf(path, sizeof(path), "%s/%s", pki, name);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return d;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	d.data = malloc((size_t)n + 1);
	d.size = fread(d.data, 1, (size_t)n, f);
	fclose(f);
	return d;
}

static const char content[] = "The public API signs this.\r\n";

/* Sign CONTENT as USER into *out. */
static int sign_as(const char *user, unsigned sflags, unsigned flags, cachet_datum_t *out)
{
	char c[64], k[64];
	snprintf(c, sizeof(c), "%s.crt.pem", user);
	snprintf(k, sizeof(k), "%s.key.pem", user);
	cachet_datum_t cert = load(c), key = load(k), chain = load("chain.pem");
	cachet_sign_t *s = NULL;
	cachet_source_t *src = NULL;
	cachet_sink_t *snk = NULL;
	int ret = cachet_sign_init(&s);
	if (ret == 0)
		ret = cachet_sign_add_signer(s, &cert, &key, NULL, CACHET_DIGEST_DEFAULT, sflags, NULL);
	if (ret == 0)
		ret = cachet_sign_add_certs(s, &chain, NULL);
	if (ret == 0)
		ret = cachet_source_init_mem(&src, (const uint8_t *)content, sizeof(content) - 1);
	if (ret == 0)
		ret = cachet_sink_init_mem(&snk);
	if (ret == 0)
		ret = cachet_sign_run(s, src, snk, flags, NULL);
	if (ret == 0)
		ret = cachet_sink_take_mem(snk, out);
	cachet_sink_deinit(snk);
	cachet_source_deinit(src);
	cachet_sign_deinit(s);
	free(cert.data);
	cachet_free_secret(&key);
	free(chain.data);
	return ret;
}

/* Verify MSG against the root; CONTENT_OUT gets the content. */
static int verify(const cachet_datum_t *msg, bool detached, cachet_report_t **rep,
		  cachet_datum_t *content_out, cachet_diag_t *diag)
{
	cachet_datum_t root = load("root-ca.crt.pem");
	cachet_verify_t *v = NULL;
	cachet_source_t *src = NULL, *det = NULL;
	cachet_sink_t *snk = NULL;
	int ret = cachet_verify_init(&v);
	if (ret == 0)
		ret = cachet_verify_add_trust(v, &root, diag);
	if (ret == 0)
		ret = cachet_source_init_mem(&src, msg->data, msg->size);
	if (ret == 0 && detached)
		ret = cachet_source_init_mem(&det, (const uint8_t *)content, sizeof(content) - 1);
	if (ret == 0)
		ret = cachet_sink_init_mem(&snk);
	if (ret == 0) {
		ret = cachet_verify_run(v, src, det, snk, rep, diag);
		if (content_out && cachet_sink_take_mem(snk, content_out) < 0)
			ret = CACHET_E_INTERNAL;
	}
	cachet_sink_deinit(snk);
	cachet_source_deinit(src);
	cachet_source_deinit(det);
	cachet_verify_deinit(v);
	free(root.data);
	return ret;
}

static bool has_check(const cachet_report_t *r, const char *name, cachet_check_status_t want)
{
	for (size_t j = 0; j < cachet_report_check_count(r, 0); j++) {
		const char *n;
		cachet_check_status_t st;
		if (cachet_report_check_get(r, 0, j, &n, &st, NULL, NULL, NULL) == 0 &&
		    strcmp(n, name) == 0 && st == want)
			return true;
	}
	return false;
}

int main(void)
{
	pki = getenv("CACHET_PKI_DIR");
	if (pki == NULL)
		pki = "vectors/pki";

	ok(strcmp(cachet_version(), PACKAGE_VERSION) == 0, "cachet_version() is %s", PACKAGE_VERSION);

	static const struct {
		const char *user;
		unsigned sflags, flags;
		const char *alg;
	} cases[] = {
		{"alice", 0, 0, "sha256WithRSAEncryption"},
		{"bob", CACHET_SIGNER_PSS, CACHET_SIGN_DETACHED, "rsassaPss"},
		{"carol", CACHET_SIGNER_SKID, 0, "ecdsa-with-SHA256"},
		{"dave", 0, CACHET_SIGN_PEM, "ecdsa-with-SHA384"},
		{"grace", 0, 0, "ecdsa-with-SHA512"},
		{"erin", 0, CACHET_SIGN_DETACHED, "Ed25519"},
		{"frank", 0, 0, "Ed448"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cachet_datum_t msg = {0}, out = {0};
		cachet_report_t *rep = NULL;
		bool detached = cases[i].flags & CACHET_SIGN_DETACHED;
		int ret = sign_as(cases[i].user, cases[i].sflags, cases[i].flags, &msg);
		ok(ret == 0, "%s signs (%s)", cases[i].user, cachet_strerror_name(ret));
		ret = verify(&msg, detached, &rep, &out, NULL);
		ok(ret == 0 && cachet_report_signer_count(rep) == 1 && cachet_report_signer_result(rep, 0) == 0,
		   "%s: the message verifies (%s)", cases[i].user, cachet_strerror_name(ret));
		ok(has_check(rep, "signature", CACHET_CHECK_PASS) && has_check(rep, "message-digest", CACHET_CHECK_PASS) &&
			   has_check(rep, "certificate-path", CACHET_CHECK_PASS),
		   "%s: signature, message-digest and certificate-path pass", cases[i].user);
		/* Detached or not, the sink receives the content that was verified. */
		ok(out.size == sizeof(content) - 1 && memcmp(out.data, content, out.size) == 0,
		   "%s: the content sink holds the verified content", cases[i].user);
		cachet_datum_t json = {0};
		ok(cachet_report_json(rep, &json) == 0 && json.size > 0 && strstr((char *)json.data, cases[i].alg) != NULL,
		   "%s: the JSON report names %s", cases[i].user, cases[i].alg);
		cachet_free(json.data);
		cachet_report_deinit(rep);
		cachet_free(out.data);

		/* Damage the signature value's last byte (always inside it for
		 * the encapsulated DER forms: the trailer is EOCs). */
		if (!(cases[i].flags & CACHET_SIGN_PEM) && msg.size > 8) {
			size_t off = msg.size - 7; /* 6 EOC bytes follow the signature */
			msg.data[off] ^= 0x01;
			rep = NULL;
			ret = verify(&msg, detached, &rep, NULL, NULL);
			ok(ret == CACHET_E_BAD_SIGNATURE && rep && has_check(rep, "signature", CACHET_CHECK_FAIL),
			   "%s: a damaged signature is CACHET_E_BAD_SIGNATURE (%s)", cases[i].user,
			   cachet_strerror_name(ret));
			cachet_report_deinit(rep);
		}
		cachet_free(msg.data);
	}

	/* EdDSA identifiers (RFC 8419 sections 2.3, 2.4, 3.1 and 3.2), with
	 * and without signed attributes: the DER of the digestAlgorithm
	 * (SignerInfo and digestAlgorithms) and of the signatureAlgorithm
	 * must occur in the message, the forms with parameters where none
	 * belong must not. */
	{
		static const uint8_t sha512[] = {0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
						 0x03, 0x04, 0x02, 0x03};
		static const uint8_t sha512_null[] = {0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
						      0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00};
		static const uint8_t shake[] = {0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
						0x03, 0x04, 0x02, 0x0c};
		static const uint8_t shake_oid[] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
						    0x03, 0x04, 0x02, 0x0c};
		/* id-shake256-len with ShakeOutputLen 512 */
		static const uint8_t shake_len[] = {0x30, 0x0f, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
						    0x65, 0x03, 0x04, 0x02, 0x12, 0x02, 0x02, 0x02,
						    0x00};
		static const uint8_t shake_len_oid[] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
							0x65, 0x03, 0x04, 0x02, 0x12};
		static const uint8_t ed25519[] = {0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70};
		static const uint8_t ed448[] = {0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x71};
		static const uint8_t ed25519_null[] = {0x30, 0x07, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x05, 0x00};
		static const uint8_t ed448_null[] = {0x30, 0x07, 0x06, 0x03, 0x2b, 0x65, 0x71, 0x05, 0x00};
		static const struct {
			const char *user, *what;
			unsigned sflags;
			const uint8_t *want, *sig, *nowant, *nosig;
			size_t wlen, slen, nwlen, nslen;
		} ed[] = {
			{"erin", "Ed25519 with signed attributes: digestAlgorithm id-sha512, parameters absent",
			 0, sha512, ed25519, sha512_null, ed25519_null, sizeof(sha512), sizeof(ed25519),
			 sizeof(sha512_null), sizeof(ed25519_null)},
			{"erin", "Ed25519 without signed attributes: digestAlgorithm id-sha512, parameters absent",
			 CACHET_SIGNER_NO_ATTRS, sha512, ed25519, sha512_null, ed25519_null, sizeof(sha512),
			 sizeof(ed25519), sizeof(sha512_null), sizeof(ed25519_null)},
			{"frank", "Ed448 with signed attributes: digestAlgorithm id-shake256-len, parameter 512",
			 0, shake_len, ed448, shake_oid, ed448_null, sizeof(shake_len), sizeof(ed448),
			 sizeof(shake_oid), sizeof(ed448_null)},
			{"frank", "Ed448 without signed attributes: digestAlgorithm id-shake256, parameters absent",
			 CACHET_SIGNER_NO_ATTRS, shake, ed448, shake_len_oid, ed448_null, sizeof(shake),
			 sizeof(ed448), sizeof(shake_len_oid), sizeof(ed448_null)},
		};
		for (size_t i = 0; i < sizeof(ed) / sizeof(ed[0]); i++) {
			cachet_datum_t msg = {0};
			cachet_report_t *rep = NULL;
			int ret = sign_as(ed[i].user, ed[i].sflags, 0, &msg);
			size_t nwant = 0;
			bool forbidden = false, sig = false;
			for (size_t o = 0; ret == 0 && o < msg.size; o++) {
				size_t left = msg.size - o;
				if (left >= ed[i].wlen && memcmp(msg.data + o, ed[i].want, ed[i].wlen) == 0)
					nwant++;
				if (left >= ed[i].slen && memcmp(msg.data + o, ed[i].sig, ed[i].slen) == 0)
					sig = true;
				if ((left >= ed[i].nwlen && memcmp(msg.data + o, ed[i].nowant, ed[i].nwlen) == 0) ||
				    (left >= ed[i].nslen && memcmp(msg.data + o, ed[i].nosig, ed[i].nslen) == 0))
					forbidden = true;
			}
			/* digestAlgorithms and the SignerInfo; with signed
			 * attributes CMSAlgorithmProtection holds a third. */
			ok(ret == 0 && nwant == (ed[i].sflags ? 2u : 3u) && sig && !forbidden,
			   "%s, signatureAlgorithm without parameters (%zu found)", ed[i].what, nwant);
			ret = ret ? ret : verify(&msg, false, &rep, NULL, NULL);
			ok(ret == 0 && has_check(rep, "signature", CACHET_CHECK_PASS) &&
				   !has_check(rep, "digest-algorithm", CACHET_CHECK_FAIL),
			   "%s: the message verifies (%s)", ed[i].what, cachet_strerror_name(ret));
			cachet_report_deinit(rep);
			cachet_free(msg.data);
		}
	}

	/* The handle caches the certificate set between messages: adding the
	 * chain after a first message must show in the second. */
	{
		cachet_datum_t cert = load("alice.crt.pem"), key = load("alice.key.pem"),
			       chain = load("chain.pem"), m1 = {0}, m2 = {0}, j1 = {0}, j2 = {0};
		cachet_sign_t *s = NULL;
		int ret = cachet_sign_init(&s);
		ret = ret ? ret : cachet_sign_add_signer(s, &cert, &key, NULL, CACHET_DIGEST_DEFAULT, 0, NULL);
		for (int round = 0; round < 2 && ret == 0; round++) {
			cachet_source_t *src = NULL;
			cachet_sink_t *snk = NULL;
			if (round == 1)
				ret = cachet_sign_add_certs(s, &chain, NULL);
			ret = ret ? ret : cachet_source_init_mem(&src, (const uint8_t *)content, sizeof(content) - 1);
			ret = ret ? ret : cachet_sink_init_mem(&snk);
			ret = ret ? ret : cachet_sign_run(s, src, snk, 0, NULL);
			ret = ret ? ret : cachet_sink_take_mem(snk, round ? &m2 : &m1);
			cachet_sink_deinit(snk);
			cachet_source_deinit(src);
		}
		cachet_report_t *r1 = NULL, *r2 = NULL;
		int v1 = verify(&m1, false, &r1, NULL, NULL), v2 = verify(&m2, false, &r2, NULL, NULL);
		bool j = r1 && r2 && cachet_report_json(r1, &j1) == 0 && cachet_report_json(r2, &j2) == 0;
		ok(ret == 0 && j && strstr((char *)j1.data, "\"certificates\":1,") != NULL &&
			   strstr((char *)j2.data, "\"certificates\":3,") != NULL,
		   "certificates added after a message appear in the next one");
		ok(v1 == CACHET_E_CERT_UNTRUSTED && v2 == 0,
		   "without the chain the path is untrusted, with it the message verifies (%s, %s)",
		   cachet_strerror_name(v1), cachet_strerror_name(v2));
		cachet_report_deinit(r1);
		cachet_report_deinit(r2);
		cachet_free(j1.data);
		cachet_free(j2.data);
		cachet_free(m1.data);
		cachet_free(m2.data);
		cachet_sign_deinit(s);
		free(cert.data);
		cachet_free_secret(&key);
		free(chain.data);
	}

	/* A key that is not the certificate's: CACHET_E_KEY_MISMATCH with a
	 * diagnostic. */
	{
		cachet_datum_t cert = load("alice.crt.pem"), key = load("bob.key.pem");
		cachet_sign_t *s = NULL;
		cachet_diag_t *d = NULL;
		int ret = cachet_diag_init(&d);
		ret = ret ? ret : cachet_sign_init(&s);
		ret = ret ? ret : cachet_sign_add_signer(s, &cert, &key, NULL, CACHET_DIGEST_DEFAULT, 0, d);
		const char *detail = "";
		int code = 0;
		ok(ret == CACHET_E_KEY_MISMATCH && cachet_diag_count(d) >= 1 &&
			   cachet_diag_get(d, 0, &code, NULL, NULL, &detail) == 0 && code == CACHET_E_KEY_MISMATCH,
		   "a foreign key is CACHET_E_KEY_MISMATCH with a diagnostic");
		cachet_sign_deinit(s);
		cachet_diag_deinit(d);
		free(cert.data);
		cachet_free_secret(&key);
	}

	/* Running a signer-less handle is a usage error; garbage is malformed. */
	{
		cachet_sign_t *s = NULL;
		cachet_source_t *src = NULL;
		cachet_sink_t *snk = NULL;
		int ret = cachet_sign_init(&s);
		ret = ret ? ret : cachet_source_init_mem(&src, (const uint8_t *)"x", 1);
		ret = ret ? ret : cachet_sink_init_mem(&snk);
		ok(ret == 0 && cachet_sign_run(s, src, snk, 0, NULL) == CACHET_E_BAD_STATE,
		   "sign_run without a signer is CACHET_E_BAD_STATE");
		cachet_sink_deinit(snk);
		cachet_source_deinit(src);
		cachet_sign_deinit(s);

		static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x01};
		cachet_datum_t m = {(uint8_t *)junk, sizeof(junk)};
		cachet_report_t *rep = NULL;
		ret = verify(&m, false, &rep, NULL, NULL);
		ok(ret < 0 && cachet_error_category(ret) == CACHET_CAT_MALFORMED && rep == NULL,
		   "a SEQUENCE that is no ContentInfo is malformed, with no report (%s)", cachet_strerror_name(ret));
	}

	/* Certificate validation settings (cachet_verify_add_crl and
	 * friends): argument checks, and every prefix of a real CRL and OCSP
	 * response is read without a crash (ASan) and refused unless whole. */
	{
		cachet_verify_t *v = NULL;
		static const uint8_t junk[] = "not a CRL at all";
		cachet_datum_t bad = {(uint8_t *)junk, sizeof(junk) - 1};
		cachet_datum_t pem_nocrl = {(uint8_t *)"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 0};
		pem_nocrl.size = strlen((char *)pem_nocrl.data);
		int ret = cachet_verify_init(&v);
		ok(ret == 0 && cachet_verify_add_crl(NULL, &bad, NULL) == CACHET_E_INVALID_ARG &&
			   cachet_verify_add_crl(v, NULL, NULL) == CACHET_E_INVALID_ARG &&
			   cachet_verify_add_ocsp_response(v, NULL, NULL) == CACHET_E_INVALID_ARG &&
			   cachet_verify_add_ocsp_response(NULL, &bad, NULL) == CACHET_E_INVALID_ARG &&
			   cachet_verify_add_system_trust(NULL) == CACHET_E_INVALID_ARG &&
			   cachet_verify_set_email(NULL, "a@b") == CACHET_E_INVALID_ARG,
		   "the validation setters refuse NULL handles and data");
		ok(cachet_verify_add_crl(v, &bad, NULL) == CACHET_E_MALFORMED &&
			   cachet_verify_add_ocsp_response(v, &bad, NULL) == CACHET_E_MALFORMED,
		   "bytes that are neither CRL nor OCSP response are CACHET_E_MALFORMED");
		ok(cachet_verify_add_crl(v, &pem_nocrl, NULL) == CACHET_E_MALFORMED,
		   "PEM without an X509 CRL block is CACHET_E_MALFORMED");
		ok(cachet_verify_set_email(v, "alice@example.org") == 0 && cachet_verify_set_email(v, NULL) == 0 &&
			   cachet_verify_add_system_trust(v) == 0,
		   "an address can be set and cleared; system trust can be asked for");
		const char *top = getenv("top_srcdir");
		char path[4096];
		static const char *const files[] = {"ca.crl.pem", "valid.ocsp.der"};
		for (size_t f = 0; f < 2; f++) {
			snprintf(path, sizeof(path), "%s/vectors/identities/%s", top ? top : ".", files[f]);
			cachet_datum_t d = {NULL, 0};
			FILE *fp = fopen(path, "rb");
			uint8_t *buf = malloc(1 << 16);
			if (fp && buf)
				d.size = fread(buf, 1, 1 << 16, fp);
			d.data = buf;
			if (fp)
				fclose(fp);
			/* PEM is cut as DER underneath: decode the CRL's armour first. */
			cachet_datum_t whole = d;
			bool is_whole_ok = d.size > 0 &&
					   (f == 0 ? cachet_verify_add_crl(v, &whole, NULL)
						   : cachet_verify_add_ocsp_response(v, &whole, NULL)) == 0;
			size_t refused = 0, tried = 0;
			/* The PEM's final line end is optional. */
			for (size_t n = 1; n + (f == 0) < d.size; n++) {
				cachet_datum_t part = {buf, n};
				cachet_diag_t *dg = NULL;
				if (cachet_diag_init(&dg) < 0)
					break;
				int r = f == 0 ? cachet_verify_add_crl(v, &part, dg)
					       : cachet_verify_add_ocsp_response(v, &part, dg);
				cachet_diag_deinit(dg);
				tried++;
				refused += r < 0;
			}
			ok(is_whole_ok && tried > 0 && refused == tried,
			   "%s is accepted whole and every one of its %zu prefixes is refused", files[f], tried);
			free(buf);
		}
		cachet_verify_deinit(v);
	}

	/* cachet_sign_add_attribute keeps the rules on the attributes a
	 * caller adds: a countersignature is never a signed attribute (RFC
	 * 5652 section 11.4) [rfc5652-11.4-countersignature-unsigned];
	 * SMIMEEncryptionKeyPreference goes in once, with one value (RFC 8551
	 * section 2.5.3) [rfc8551-2.5.3-keypref-single]
	 * [rfc8551-2.5.3-keypref-one-value]. */
	{
		/* Attribute { id-countersignature, SET { SEQUENCE { INTEGER 1 } } } */
		static const uint8_t cs[] = {0x30, 0x12, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
					     0x09, 0x06, 0x31, 0x05, 0x30, 0x03, 0x02, 0x01, 0x01};
		/* Attribute { id-aa-encrypKeyPref, SET { subjectAltKeyIdentifier
		 * [2] 01020304 } }, and the same with a second value 01020305. */
		static const uint8_t kp1[] = {0x30, 0x15, 0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09,
					      0x10, 0x02, 0x0b, 0x31, 0x06, 0x82, 0x04, 0x01, 0x02, 0x03, 0x04};
		static const uint8_t kp2[] = {0x30, 0x1b, 0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
					      0x01, 0x09, 0x10, 0x02, 0x0b, 0x31, 0x0c, 0x82, 0x04, 0x01,
					      0x02, 0x03, 0x04, 0x82, 0x04, 0x01, 0x02, 0x03, 0x05};
		cachet_datum_t cert = load("alice.crt.pem"), key = load("alice.key.pem"), chain = load("chain.pem");
		cachet_datum_t dcs = {(uint8_t *)cs, sizeof(cs)}, dkp1 = {(uint8_t *)kp1, sizeof(kp1)},
			       dkp2 = {(uint8_t *)kp2, sizeof(kp2)}, msg = {0};
		cachet_sign_t *s = NULL;
		int ret = cachet_sign_init(&s);
		ret = ret ? ret : cachet_sign_add_signer(s, &cert, &key, NULL, CACHET_DIGEST_DEFAULT, 0, NULL);
		ret = ret ? ret : cachet_sign_add_certs(s, &chain, NULL);
		int r_cs = ret ? ret : cachet_sign_add_attribute(s, &dcs, NULL);
		ok(ret == 0 && r_cs == CACHET_E_INVALID_ARG,
		   "cachet_sign_add_attribute refuses a countersignature: never a signed attribute (%s)",
		   cachet_strerror_name(r_cs));
		int r_two = ret ? ret : cachet_sign_add_attribute(s, &dkp2, NULL);
		ok(ret == 0 && r_two == CACHET_E_INVALID_ARG,
		   "cachet_sign_add_attribute refuses an SMIMEEncryptionKeyPreference with two values (%s)",
		   cachet_strerror_name(r_two));
		int r1 = ret ? ret : cachet_sign_add_attribute(s, &dkp1, NULL);
		int r2 = ret ? ret : cachet_sign_add_attribute(s, &dkp1, NULL);
		ok(ret == 0 && r1 == 0 && r2 == CACHET_E_INVALID_ARG,
		   "cachet_sign_add_attribute takes one SMIMEEncryptionKeyPreference and refuses a second (%s, %s)",
		   cachet_strerror_name(r1), cachet_strerror_name(r2));
		cachet_source_t *src = NULL;
		cachet_sink_t *snk = NULL;
		ret = ret ? ret : cachet_source_init_mem(&src, (const uint8_t *)content, sizeof(content) - 1);
		ret = ret ? ret : cachet_sink_init_mem(&snk);
		ret = ret ? ret : cachet_sign_run(s, src, snk, 0, NULL);
		ret = ret ? ret : cachet_sink_take_mem(snk, &msg);
		cachet_report_t *rep = NULL;
		int v = ret ? ret : verify(&msg, false, &rep, NULL, NULL);
		ok(ret == 0 && v == 0 && rep && has_check(rep, "encryption-key-preference", CACHET_CHECK_INFO),
		   "the message then verifies, its one SMIMEEncryptionKeyPreference among the signed attributes (%s)",
		   cachet_strerror_name(v));
		cachet_report_deinit(rep);
		cachet_sink_deinit(snk);
		cachet_source_deinit(src);
		cachet_free(msg.data);
		cachet_sign_deinit(s);
		free(cert.data);
		cachet_free_secret(&key);
		free(chain.data);
	}

	/* NULL-safety of every deinit. */
	cachet_sign_deinit(NULL);
	cachet_verify_deinit(NULL);
	cachet_report_deinit(NULL);
	cachet_source_deinit(NULL);
	cachet_sink_deinit(NULL);
	cachet_diag_deinit(NULL);
	cachet_free(NULL);
	cachet_free_secret(NULL);
	ok(1, "every deinit accepts NULL");
	return tap_done();
}
