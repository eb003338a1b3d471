/* pki-p12.c -- PKCS#12 bundles (RFC 7292) through GnuTLS.
 *
 * GnuTLS checks the MAC (RFC 7292 section 5), decrypts the encrypted
 * SafeContents and the shrouded key bags; every private key becomes a
 * Nettle key (pki-key.c) and is paired with the certificate in the bundle
 * whose public key is its own.  The remaining certificates are the chain.
 * Neither the friendlyName nor the localKeyId attribute is trusted for the
 * pairing: only the public key decides.
 */
#include "pki-key.h"
#include "pki.h"

#include <gnutls/gnutls.h>
#include <gnutls/pkcs12.h>
#include <gnutls/x509.h>
#include <stdlib.h>

#define P12_PATH "PKCS#12"
#define RULE_MAC "RFC 7292 section 5"
#define RULE_BAGS "RFC 7292 section 4.2"
#define P12_MAX_KEYS 16

static int add_cert(cachet_p12_t *p, const gnutls_datum_t *der,
		    cachet_diag_t *diag)
{
	cbuf_t *grown;
	int ret;

	ENSURE(p->ncert < CACHET_MAX_CERTS, CACHET_E_COUNT_LIMIT, RULE_BAGS,
	       P12_PATH, "more than %u certificates", CACHET_MAX_CERTS);
	grown = realloc(p->cert, (p->ncert + 1) * sizeof(*grown));
	ENSURE(grown != NULL, CACHET_E_NOMEM, "", P12_PATH, "out of memory");
	p->cert = grown;
	memset(&p->cert[p->ncert], 0, sizeof(*grown));
	p->ncert++;
	CHECK(_cachet_buf_append(&p->cert[p->ncert - 1], der->data, der->size));
cleanup:
	return ret;
}

/* A PKCS#8 key bag: shrouded (RFC 7292 section 4.2.2) with PASSWORD, or
 * plain (section 4.2.1). */
static int read_key(cachet_privkey_t **out, const gnutls_datum_t *der,
		    bool is_shrouded, const char *password, cachet_diag_t *diag)
{
	gnutls_x509_privkey_t xk = NULL;
	int rc, ret;

	rc = gnutls_x509_privkey_init(&xk);
	ENSURE(rc >= 0, CACHET_E_NOMEM, "", P12_PATH, "gnutls: %s",
	       gnutls_strerror(rc));
	rc = gnutls_x509_privkey_import_pkcs8(
		xk, der, GNUTLS_X509_FMT_DER, is_shrouded ? password : NULL,
		is_shrouded ? 0 : GNUTLS_PKCS_PLAIN);
	if (is_shrouded && (rc == GNUTLS_E_DECRYPTION_FAILED ||
			    rc == GNUTLS_E_INVALID_PASSWORD)) {
		if (password == NULL)
			FAIL(CACHET_E_NEED_PASSWORD, "RFC 7292 section 4.2.2",
			     P12_PATH,
			     "the key bag is encrypted and no password was given");
		FAIL(CACHET_E_BAD_KEY, "RFC 7292 section 4.2.2", P12_PATH,
		     "cannot decrypt the key bag: wrong password (%s)",
		     gnutls_strerror(rc));
	}
	ENSURE(rc >= 0, CACHET_E_BAD_KEY, "RFC 7292 section 4.2.1", P12_PATH,
	       "cannot read the key bag: %s", gnutls_strerror(rc));
	CHECK(_cachet_privkey_from_x509(out, xk, diag));
cleanup:
	if (xk != NULL)
		gnutls_x509_privkey_deinit(xk);
	return ret;
}

/* Pair each key with the certificate that holds its public key. */
static int pair_up(cachet_p12_t *p, cachet_privkey_t **keys, size_t nkeys,
		   cachet_diag_t *diag)
{
	gnutls_x509_crt_t crt = NULL;
	cachet_pubkey_t *pub = NULL;
	int rc, ret = 0;

	p->pair = _cachet_calloc(nkeys ? nkeys : 1, sizeof(*p->pair));
	ENSURE(p->pair != NULL, CACHET_E_NOMEM, "", P12_PATH, "out of memory");
	for (size_t c = 0; c < p->ncert; c++) {
		gnutls_datum_t d = { p->cert[c].data, (unsigned)p->cert[c].size };
		unsigned ku = 0, critical = 0;

		rc = gnutls_x509_crt_init(&crt);
		ENSURE(rc >= 0, CACHET_E_NOMEM, "", P12_PATH, "gnutls: %s",
		       gnutls_strerror(rc));
		rc = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER);
		ENSURE(rc >= 0, CACHET_E_BAD_CERT, "RFC 7292 section 4.2.3",
		       P12_PATH, "certificate bag %zu cannot be read: %s", c,
		       gnutls_strerror(rc));
		ret = _cachet_pubkey_from_crt(&pub, crt, NULL);
		if (ret < 0) {
			/* a chain certificate Cachet cannot use as a key */
			ret = 0;
			goto next;
		}
		for (size_t i = 0; i < nkeys; i++) {
			if (keys[i] == NULL || !_cachet_key_is_pair(keys[i], pub))
				continue;
			rc = gnutls_x509_crt_get_key_usage(crt, &ku, &critical);
			cachet_p12_pair_t *pr = &p->pair[p->npair++];
			pr->key = keys[i];
			pr->cert_index = c;
			keys[i] = NULL;
			/* No keyUsage extension: any use (RFC 5280 4.2.1.3). */
			pr->is_signer_ok = rc < 0 ||
				       (ku & (GNUTLS_KEY_DIGITAL_SIGNATURE |
					      GNUTLS_KEY_NON_REPUDIATION)) != 0;
			pr->is_recipient_ok = rc < 0 ||
					  (ku & (GNUTLS_KEY_KEY_ENCIPHERMENT |
						 GNUTLS_KEY_KEY_AGREEMENT)) != 0;
			break;
		}
	next:
		_cachet_pubkey_free(pub);
		pub = NULL;
		gnutls_x509_crt_deinit(crt);
		crt = NULL;
	}
	ENSURE(p->npair > 0, CACHET_E_KEY_MISMATCH, RULE_BAGS, P12_PATH,
	       nkeys == 0 ? "the PKCS#12 file holds no private key"
			  : "no private key in the PKCS#12 file belongs to a "
			    "certificate in it");
	ret = 0;
cleanup:
	_cachet_pubkey_free(pub);
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	return ret;
}

int _cachet_p12_read(cachet_p12_t *p, const cachet_datum_t *data,
		     const char *password, cachet_diag_t *diag)
{
	gnutls_pkcs12_t p12 = NULL;
	gnutls_pkcs12_bag_t bag = NULL;
	cachet_privkey_t *keys[P12_MAX_KEYS];
	size_t nkeys = 0;
	gnutls_datum_t in;
	int rc, ret;

	memset(keys, 0, sizeof(keys));
	if (p != NULL)
		memset(p, 0, sizeof(*p));
	ENSURE(p != NULL && data != NULL && data->data != NULL &&
		       data->size > 0 && data->size <= CACHET_MAX_BOUNDED,
	       CACHET_E_INVALID_ARG, "", P12_PATH, "no PKCS#12 data");
	in.data = data->data;
	in.size = (unsigned)data->size;
	rc = gnutls_pkcs12_init(&p12);
	ENSURE(rc >= 0, CACHET_E_NOMEM, "", P12_PATH, "gnutls: %s",
	       gnutls_strerror(rc));
	/* DER, or the PEM armour "PKCS12" GnuTLS reads. */
	rc = gnutls_pkcs12_import(p12, &in,
				  _cachet_is_pem(data->data, data->size)
					  ? GNUTLS_X509_FMT_PEM
					  : GNUTLS_X509_FMT_DER,
				  0);
	ENSURE(rc >= 0, CACHET_E_BAD_KEY, "RFC 7292 section 4", P12_PATH,
	       "not a PKCS#12 file: %s", gnutls_strerror(rc));

	/* The MAC is keyed by the password (RFC 7292 section 5): checking
	 * it first tells a wrong password from a damaged file. */
	rc = gnutls_pkcs12_verify_mac(p12, password != NULL ? password : "");
	if (rc == GNUTLS_E_MAC_VERIFY_FAILED) {
		if (password == NULL)
			FAIL(CACHET_E_NEED_PASSWORD, RULE_MAC, P12_PATH,
			     "the PKCS#12 file is protected and no password "
			     "was given");
		FAIL(CACHET_E_BAD_KEY, RULE_MAC, P12_PATH,
		     "wrong password: the PKCS#12 MAC does not verify");
	}
	/* Other failures: no MacData (integrity by other means, section
	 * 4) or a MAC algorithm GnuTLS lacks; the bags still decide.  A
	 * bundle whose MAC the empty password opens is "not protected":
	 * its bags use the empty password too. */
	if (password == NULL && rc >= 0)
		password = "";

	for (int idx = 0;; idx++) {
		int count;

		rc = gnutls_pkcs12_bag_init(&bag);
		ENSURE(rc >= 0, CACHET_E_NOMEM, "", P12_PATH, "gnutls: %s",
		       gnutls_strerror(rc));
		rc = gnutls_pkcs12_get_bag(p12, idx, bag);
		if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		ENSURE(rc >= 0, CACHET_E_BAD_KEY, RULE_BAGS, P12_PATH,
		       "cannot read SafeContents %d: %s", idx,
		       gnutls_strerror(rc));
		if (gnutls_pkcs12_bag_get_type(bag, 0) == GNUTLS_BAG_ENCRYPTED) {
			ENSURE(password != NULL, CACHET_E_NEED_PASSWORD,
			       RULE_BAGS, P12_PATH,
			       "the PKCS#12 file is encrypted and no password "
			       "was given");
			rc = gnutls_pkcs12_bag_decrypt(bag, password);
			ENSURE(rc >= 0, CACHET_E_BAD_KEY, RULE_BAGS, P12_PATH,
			       "cannot decrypt SafeContents %d: wrong password "
			       "or unsupported cipher (%s)",
			       idx, gnutls_strerror(rc));
		}
		count = gnutls_pkcs12_bag_get_count(bag);
		ENSURE(count >= 0, CACHET_E_BAD_KEY, RULE_BAGS, P12_PATH,
		       "cannot read SafeContents %d: %s", idx,
		       gnutls_strerror(count));
		for (int i = 0; i < count; i++) {
			gnutls_datum_t d = { NULL, 0 };
			int type = gnutls_pkcs12_bag_get_type(bag, (unsigned)i);

			if (type != GNUTLS_BAG_PKCS8_ENCRYPTED_KEY &&
			    type != GNUTLS_BAG_PKCS8_KEY &&
			    type != GNUTLS_BAG_CERTIFICATE)
				continue; /* CRLs, secrets: not used here */
			rc = gnutls_pkcs12_bag_get_data(bag, (unsigned)i, &d);
			ENSURE(rc >= 0 && d.data != NULL, CACHET_E_BAD_KEY,
			       RULE_BAGS, P12_PATH,
			       "cannot read bag %d of SafeContents %d: %s", i,
			       idx, gnutls_strerror(rc));
			if (type == GNUTLS_BAG_CERTIFICATE) {
				CHECK(add_cert(p, &d, diag));
				continue;
			}
			ENSURE(nkeys < P12_MAX_KEYS, CACHET_E_COUNT_LIMIT,
			       RULE_BAGS, P12_PATH, "more than %d private keys",
			       P12_MAX_KEYS);
			CHECK(read_key(&keys[nkeys], &d,
				       type == GNUTLS_BAG_PKCS8_ENCRYPTED_KEY,
				       password, diag));
			nkeys++;
		}
		gnutls_pkcs12_bag_deinit(bag);
		bag = NULL;
	}
	CHECK(pair_up(p, keys, nkeys, diag));
	ret = 0;
cleanup:
	for (size_t i = 0; i < nkeys; i++)
		_cachet_privkey_free(keys[i]);
	if (ret < 0)
		_cachet_p12_free(p);
	if (bag != NULL)
		gnutls_pkcs12_bag_deinit(bag);
	if (p12 != NULL)
		gnutls_pkcs12_deinit(p12);
	return ret;
}

void _cachet_p12_free(cachet_p12_t *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->npair; i++)
		_cachet_privkey_free(p->pair[i].key);
	free(p->pair);
	for (size_t i = 0; i < p->ncert; i++)
		_cachet_buf_free(&p->cert[i]);
	free(p->cert);
	memset(p, 0, sizeof(*p));
}
