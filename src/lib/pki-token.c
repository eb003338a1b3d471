/* pki-token.c -- private keys that stay on a PKCS#11 token.
 *
 * A key named by a PKCS#11 URI (RFC 7512) is opened through GnuTLS's
 * PKCS#11 support and never leaves the token: signatures come from
 * gnutls_privkey_sign_hash2 and RSA key transport from
 * gnutls_privkey_decrypt_data2, both computed by the token.  The public
 * half the token reports is kept as a Cachet public key, so the pair
 * check against the certificate and a check of every signature the token
 * makes run on Nettle exactly as for a key read from a file.
 *
 * Side channels.  With a key from a file Cachet removes the RSA PKCS#1
 * v1.5 padding itself, in constant time (crypto-rsaenc.c).  With a token
 * the token removes it, and its timing is the token's.  What Cachet still
 * does is the rest of the RFC 3218 section 2.3 defence: the CEK buffer
 * starts random and takes the token's result, by a constant-time select,
 * only when the token returned exactly the expected length; no error code
 * or diagnostic says which happened.  RSAES-OAEP cannot be asked of a
 * token through GnuTLS 3.7.9 (gnutls_privkey_decrypt_data takes no OAEP
 * parameters and always uses CKM_RSA_PKCS) and is refused by name.
 */
#include "pki-key.h"

#include <nettle/memops.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/pkcs11.h>
#include <pthread.h>
#include <stdlib.h>

#define TOKEN_PATH "key (PKCS#11)"
#define RULE_URI "RFC 7512 section 2.3"

struct cachet_token_st {
	gnutls_privkey_t key;
	cachet_pubkey_t *pub;
	char *pin;	   /* NULL: none given (the URI may still carry one) */
	bool is_pin_wanted;   /* the token asked for a PIN we did not have */
	bool is_pin_rejected; /* the token asked again: the PIN was wrong */
};

void _cachet_token_free(struct cachet_token_st *t)
{
	if (t == NULL)
		return;
	if (t->key != NULL)
		gnutls_privkey_deinit(t->key);
	_cachet_pubkey_free(t->pub);
	if (t->pin != NULL) {
		cachet_wipe(t->pin, strlen(t->pin));
		free(t->pin);
	}
	WIPE_OBJ(t);
	free(t);
}

const cachet_pubkey_t *_cachet_token_pub(const struct cachet_token_st *t)
{
	return t != NULL ? t->pub : NULL;
}

/* GnuTLS asks for the PIN when it logs in (and again for keys marked
 * CKA_ALWAYS_AUTHENTICATE).  A PIN is offered once: when the token asks
 * again it was refused, and trying it again would only bring the token
 * closer to locking itself. */
static int pin_cb(void *opaque, int attempt, const char *token_url,
		  const char *token_label, unsigned int flags, char *pin,
		  size_t pin_max)
{
	struct cachet_token_st *t = opaque;
	size_t n;

	(void)token_url;
	(void)token_label;
	if (t->pin == NULL) {
		t->is_pin_wanted = true;
		return GNUTLS_E_PKCS11_PIN_ERROR;
	}
	if (attempt > 0 || (flags & GNUTLS_PIN_WRONG)) {
		t->is_pin_rejected = true;
		return GNUTLS_E_PKCS11_PIN_ERROR;
	}
	n = strlen(t->pin);
	if (n >= pin_max)
		return GNUTLS_E_SHORT_MEMORY_BUFFER;
	memcpy(pin, t->pin, n + 1);
	return 0;
}

static pthread_mutex_t module_lock = PTHREAD_MUTEX_INITIALIZER;
static bool is_manual_init;

int cachet_pkcs11_add_module(const char *path, cachet_diag_t *diag)
{
	int rc, ret;

	if (path == NULL || *path == '\0')
		return CACHET_E_INVALID_ARG;
	pthread_mutex_lock(&module_lock);
	if (!is_manual_init) {
		/* Load only the modules named here, not p11-kit's list. */
		rc = gnutls_pkcs11_init(GNUTLS_PKCS11_FLAG_MANUAL, NULL);
		if (rc < 0) {
			pthread_mutex_unlock(&module_lock);
			FAIL(CACHET_E_GNUTLS, "", TOKEN_PATH,
			     "cannot start PKCS#11 support: %s",
			     gnutls_strerror(rc));
		}
		is_manual_init = true;
	}
	rc = gnutls_pkcs11_add_provider(path, NULL);
	pthread_mutex_unlock(&module_lock);
	ENSURE(rc >= 0, CACHET_E_IO, "", TOKEN_PATH,
	       "cannot load the PKCS#11 module %s: %s", path,
	       gnutls_strerror(rc));
	ret = 0;
cleanup:
	return ret;
}

int _cachet_privkey_import_url(cachet_privkey_t **out, const char *url,
			       const char *pin, cachet_diag_t *diag)
{
	struct cachet_token_st *t = NULL;
	cachet_privkey_t *k = NULL;
	gnutls_pubkey_t gp = NULL;
	int rc, ret;

	ENSURE(out != NULL && url != NULL, CACHET_E_INVALID_ARG, "", TOKEN_PATH,
	       "no key URI");
	*out = NULL;
	ENSURE(strncmp(url, "pkcs11:", 7) == 0, CACHET_E_INVALID_ARG, RULE_URI,
	       TOKEN_PATH, "a PKCS#11 URI starts with \"pkcs11:\"");
	t = _cachet_calloc(1, sizeof(*t));
	ENSURE(t != NULL, CACHET_E_NOMEM, "", TOKEN_PATH, "out of memory");
	if (pin != NULL) {
		t->pin = _cachet_strdup(pin);
		ENSURE(t->pin != NULL, CACHET_E_NOMEM, "", TOKEN_PATH,
		       "out of memory");
	}
	rc = gnutls_privkey_init(&t->key);
	ENSURE(rc >= 0, CACHET_E_NOMEM, "", TOKEN_PATH, "gnutls: %s",
	       gnutls_strerror(rc));
	/* Before the import, so the PKCS#11 key inherits it. */
	gnutls_privkey_set_pin_function(t->key, pin_cb, t);
	rc = gnutls_privkey_import_url(t->key, url, 0);
	if (rc < 0) {
		if (t->is_pin_rejected ||
		    (t->pin != NULL && rc == GNUTLS_E_PKCS11_PIN_ERROR))
			FAIL(CACHET_E_BAD_KEY, "", TOKEN_PATH,
			     "the token refused the PIN (%s)",
			     gnutls_strerror(rc));
		if (t->is_pin_wanted)
			FAIL(CACHET_E_NEED_PASSWORD, "", TOKEN_PATH,
			     "the token wants a PIN and none was given");
		FAIL(rc == GNUTLS_E_PARSING_ERROR ? CACHET_E_INVALID_ARG
						  : CACHET_E_BAD_KEY,
		     RULE_URI, TOKEN_PATH,
		     "cannot open the private key %s: %s", url,
		     gnutls_strerror(rc));
	}
	rc = gnutls_pubkey_init(&gp);
	ENSURE(rc >= 0, CACHET_E_NOMEM, "", TOKEN_PATH, "gnutls: %s",
	       gnutls_strerror(rc));
	rc = gnutls_pubkey_import_privkey(gp, t->key, 0, 0);
	ENSURE(rc >= 0, CACHET_E_BAD_KEY, "", TOKEN_PATH,
	       "the token does not give the public half of the key: %s",
	       gnutls_strerror(rc));
	CHECK(_cachet_pubkey_from_gnutls(&t->pub, gp, TOKEN_PATH, diag));
	ENSURE(t->pub->type == CACHET_PK_RSA || t->pub->type == CACHET_PK_EC,
	       CACHET_E_UNSUPPORTED, "", TOKEN_PATH,
	       "only RSA and ECDSA keys are supported on a PKCS#11 token");

	k = _cachet_calloc(1, sizeof(*k));
	ENSURE(k != NULL, CACHET_E_NOMEM, "", TOKEN_PATH, "out of memory");
	k->type = t->pub->type;
	k->curve = t->pub->curve;
	k->bits = t->pub->bits;
	k->token = t;
	t = NULL;
	*out = k;
	ret = 0;
cleanup:
	if (gp != NULL)
		gnutls_pubkey_deinit(gp);
	_cachet_token_free(t);
	return ret;
}

bool _cachet_privkey_is_token(const cachet_privkey_t *k)
{
	return k != NULL && k->token != NULL;
}

static gnutls_sign_algorithm_t token_sign_alg(const cachet_sigparams_t *p)
{
	static const struct {
		cachet_pk_type_t scheme;
		cachet_alg_id_t hash;
		gnutls_sign_algorithm_t alg;
	} map[] = {
		{ CACHET_PK_RSA, CACHET_ALG_SHA224, GNUTLS_SIGN_RSA_SHA224 },
		{ CACHET_PK_RSA, CACHET_ALG_SHA256, GNUTLS_SIGN_RSA_SHA256 },
		{ CACHET_PK_RSA, CACHET_ALG_SHA384, GNUTLS_SIGN_RSA_SHA384 },
		{ CACHET_PK_RSA, CACHET_ALG_SHA512, GNUTLS_SIGN_RSA_SHA512 },
		{ CACHET_PK_RSA_PSS, CACHET_ALG_SHA256, GNUTLS_SIGN_RSA_PSS_SHA256 },
		{ CACHET_PK_RSA_PSS, CACHET_ALG_SHA384, GNUTLS_SIGN_RSA_PSS_SHA384 },
		{ CACHET_PK_RSA_PSS, CACHET_ALG_SHA512, GNUTLS_SIGN_RSA_PSS_SHA512 },
		{ CACHET_PK_EC, CACHET_ALG_SHA224, GNUTLS_SIGN_ECDSA_SHA224 },
		{ CACHET_PK_EC, CACHET_ALG_SHA256, GNUTLS_SIGN_ECDSA_SHA256 },
		{ CACHET_PK_EC, CACHET_ALG_SHA384, GNUTLS_SIGN_ECDSA_SHA384 },
		{ CACHET_PK_EC, CACHET_ALG_SHA512, GNUTLS_SIGN_ECDSA_SHA512 },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].scheme == p->scheme && map[i].hash == p->hash)
			return map[i].alg;
	return GNUTLS_SIGN_UNKNOWN;
}

int _cachet_token_sign(const cachet_privkey_t *k, const cachet_sigparams_t *p,
		       const uint8_t *in, size_t inlen, cachet_datum_t *sig,
		       cachet_diag_t *diag)
{
	const struct cachet_token_st *t;
	gnutls_datum_t h, s = { NULL, 0 }, r = { NULL, 0 }, sv = { NULL, 0 };
	gnutls_sign_algorithm_t alg;
	cachet_datum_t out = { NULL, 0 };
	unsigned flags = 0;
	int rc, ret;

	ENSURE(k != NULL && k->token != NULL && p != NULL && in != NULL &&
		       sig != NULL,
	       CACHET_E_INVALID_ARG, "", TOKEN_PATH, "missing token key");
	t = k->token;
	sig->data = NULL;
	sig->size = 0;
	alg = token_sign_alg(p);
	ENSURE(alg != GNUTLS_SIGN_UNKNOWN, CACHET_E_UNSUPPORTED, "", TOKEN_PATH,
	       "this signature scheme and digest cannot be made with a "
	       "PKCS#11 token key");
	ENSURE(inlen == _cachet_hash_size(p->hash),
	       CACHET_E_INVALID_ARG, "", TOKEN_PATH,
	       "digest of %zu octets, expected %zu", inlen,
	       _cachet_hash_size(p->hash));
	if (p->scheme == CACHET_PK_RSA_PSS) {
		/* GnuTLS asks the token for a salt as long as the digest
		 * and MGF1 over the same digest: what Cachet writes into
		 * RSASSA-PSS-params (RFC 4055 section 3.1). */
		ENSURE(p->salt_len == inlen && p->mgf_hash == p->hash,
		       CACHET_E_UNSUPPORTED, "RFC 4055 section 3.1",
		       TOKEN_PATH,
		       "a PKCS#11 token signs RSASSA-PSS only with a salt as "
		       "long as the digest and MGF1 over the same digest");
		flags |= GNUTLS_PRIVKEY_SIGN_FLAG_RSA_PSS;
	}
	h.data = (unsigned char *)in;
	h.size = (unsigned)inlen;
	rc = gnutls_privkey_sign_hash2(t->key, alg, flags, &h, &s);
	ENSURE(rc >= 0, CACHET_E_CRYPTO, "", TOKEN_PATH,
	       "the token did not sign (%s)", gnutls_strerror(rc));

	if (p->scheme == CACHET_PK_EC) {
		/* GnuTLS hands back DER Ecdsa-Sig-Value; take r and s out
		 * and write them the way the Nettle path does, so the CMS
		 * bytes have one form whichever backend signed. */
		rc = gnutls_decode_rs_value(&s, &r, &sv);
		ENSURE(rc >= 0, CACHET_E_CRYPTO, "RFC 5753 section 7.2",
		       TOKEN_PATH, "cannot read the token's ECDSA signature: %s",
		       gnutls_strerror(rc));
		CHECK(_cachet_ecdsa_sig_encode(r.data, r.size, sv.data,
					       sv.size, &out));
	} else {
		/* RFC 8017 sections 8.1.1 and 8.2.1: S is k octets. */
		size_t kb = t->pub->rsa.size;

		ENSURE(s.size > 0 && s.size <= kb, CACHET_E_CRYPTO, "",
		       TOKEN_PATH, "the token's RSA signature has %u octets "
		       "for a %zu-octet modulus", s.size, kb);
		out.data = _cachet_calloc(1, kb);
		ENSURE(out.data != NULL, CACHET_E_NOMEM, "", TOKEN_PATH,
		       "out of memory");
		memcpy(out.data + (kb - s.size), s.data, s.size);
		out.size = kb;
	}
	/* A faulty token (or a key that is not the certificate's) must not
	 * get a bad signature into a message. */
	ret = _cachet_pk_verify(t->pub, p, in, inlen, out.data, out.size, diag);
	ENSURE(ret == 0, CACHET_E_CRYPTO, "", TOKEN_PATH,
	       "the token's signature does not verify with its public key");
	*sig = out;
	out.data = NULL;
	ret = 0;
cleanup:
	cachet_free(out.data);
	gnutls_free(s.data);
	gnutls_free(r.data);
	gnutls_free(sv.data);
	return ret;
}

int _cachet_token_pkcs1_decrypt(const cachet_privkey_t *k, const uint8_t *in,
				size_t inlen, uint8_t *out, size_t outlen,
				uint8_t *valid, cachet_diag_t *diag)
{
	const struct cachet_token_st *t;
	gnutls_datum_t c;
	uint8_t *tmp = NULL;
	size_t kb;
	int rc, ret;

	*valid = 0;
	ENSURE(k != NULL && k->token != NULL && in != NULL && out != NULL,
	       CACHET_E_INVALID_ARG, "", TOKEN_PATH, "missing input or output");
	t = k->token;
	kb = t->pub->rsa.size;
	ENSURE(t->pub->type == CACHET_PK_RSA && outlen >= 1 &&
		       _cachet_add_ok(outlen, 11, kb),
	       CACHET_E_INVALID_ARG, "RFC 8017 section 7.2.2", TOKEN_PATH,
	       "expected key of %zu octets cannot come from a %zu-octet "
	       "modulus",
	       outlen, kb);
	/* RFC 8017 section 7.2.2 step 1: C must be k octets (public). */
	if (inlen != kb) {
		ret = CACHET_E_DECRYPT_FAILED;
		goto cleanup;
	}
	tmp = _cachet_malloc(outlen);
	ENSURE(tmp != NULL, CACHET_E_NOMEM, "", TOKEN_PATH, "out of memory");
	/* RFC 3218 section 2.3: a random key unless the token gives one of
	 * the expected length. */
	CHECK(_cachet_random(out, outlen));
	c.data = (unsigned char *)in;
	c.size = (unsigned)inlen;
	rc = gnutls_privkey_decrypt_data2(t->key, 0, &c, tmp, outlen);
	cnd_memcpy(rc == 0, out, tmp, outlen);
	*valid = (uint8_t)(0u - (unsigned)(rc == 0));
	ret = 0;
cleanup:
	if (tmp != NULL)
		cachet_wipe(tmp, outlen);
	cachet_free(tmp);
	return ret;
}
