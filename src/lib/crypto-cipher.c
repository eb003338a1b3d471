/* crypto-cipher.c -- streaming content encryption and decryption.
 *
 * AES-128/192/256-CBC with PKCS#7 padding (RFC 3565, RFC 5652 section
 * 6.3), AES-128/192/256-GCM (RFC 5084), ChaCha20-Poly1305 (RFC 8103,
 * RFC 8439), and for reading old messages 3DES-CBC and RC2-CBC (RFC
 * 3370 sections 5.1 and 5.2).
 *
 * Nettle's CBC, GCM and ChaCha20-Poly1305 functions want every call but
 * the last to cover whole blocks (16 octets; 64 for ChaCha20-Poly1305).
 * The handles keep the odd octets in a small buffer, so callers may feed
 * any split; the output depends only on the concatenated input.  The CBC
 * decryptor also holds back the last whole block: it carries the padding
 * and is released by final() after the padding check.
 *
 * The encryptor and decryptor are separate types with separate
 * functions; they share the parameter check and the buffering loop, which
 * know nothing about the direction.
 */
#include "crypto-enc.h"

#include <nettle/aes.h>
#include <nettle/arctwo.h>
#include <nettle/cbc.h>
#include <nettle/chacha-poly1305.h>
#include <nettle/des.h>
#include <nettle/gcm.h>
#include <nettle/memops.h>

/* Nettle 4 drops the length argument of the AEAD digest functions; the
 * full 16-octet tag is computed either way and truncated here. */
#ifdef CACHET_NETTLE_DIGEST_NO_LENGTH
#define AEAD_DIGEST(fn, ctx, out) fn((ctx), (out))
#else
#define AEAD_DIGEST(fn, ctx, out) fn((ctx), CACHET_AEAD_TAG_MAX, (out))
#endif

#define PATH_ALG "contentEncryptionAlgorithm"
#define PATH_PARAMS "contentEncryptionAlgorithm.parameters"

/* Message length limits: NIST SP 800-38D section 5.2.1.1 (2^39 - 256
 * bits of plaintext for GCM) and RFC 8439 section 2.8 (2^38 - 64 octets
 * for ChaCha20-Poly1305).  CBC has no limit that matters here. */
#define GCM_MAX_TEXT ((UINT64_C(1) << 36) - 32)
#define CHACHA_MAX_TEXT ((UINT64_C(1) << 38) - 64)

_Static_assert(CHACHA_POLY1305_BLOCK_SIZE <= CACHET_CIPHER_SLACK,
	       "buffer smaller than a ChaCha20-Poly1305 step");
_Static_assert(GCM_DIGEST_SIZE == CACHET_AEAD_TAG_MAX, "GCM tag size");
_Static_assert(CHACHA_POLY1305_DIGEST_SIZE == CACHET_AEAD_TAG_MAX,
	       "ChaCha20-Poly1305 tag size");

typedef enum { MODE_CBC, MODE_GCM, MODE_CHACHA } cipher_mode_t;

typedef void block_fn_t(const void *ctx, size_t n, uint8_t *dst,
			const uint8_t *src);

typedef struct {
	cachet_alg_id_t alg;
	cipher_mode_t mode;
	size_t key_len; /* 0: variable (RC2, 1..128 octets) */
	size_t block;	/* CBC block and IV length; AEAD: Nettle's step */
	bool is_decrypt_only;
	const char *name;
	const char *rule;
} cipher_spec_t;

static const cipher_spec_t cipher_specs[] = {
	{ CACHET_ALG_AES128_CBC, MODE_CBC, 16, 16, false, "AES-128-CBC",
	  "RFC 3565 section 4" },
	{ CACHET_ALG_AES192_CBC, MODE_CBC, 24, 16, false, "AES-192-CBC",
	  "RFC 3565 section 4" },
	{ CACHET_ALG_AES256_CBC, MODE_CBC, 32, 16, false, "AES-256-CBC",
	  "RFC 3565 section 4" },
	{ CACHET_ALG_AES128_GCM, MODE_GCM, 16, GCM_BLOCK_SIZE, false,
	  "AES-128-GCM", "RFC 5084 section 3.2" },
	{ CACHET_ALG_AES192_GCM, MODE_GCM, 24, GCM_BLOCK_SIZE, false,
	  "AES-192-GCM", "RFC 5084 section 3.2" },
	{ CACHET_ALG_AES256_GCM, MODE_GCM, 32, GCM_BLOCK_SIZE, false,
	  "AES-256-GCM", "RFC 5084 section 3.2" },
	{ CACHET_ALG_CHACHA20_POLY1305, MODE_CHACHA, CHACHA_POLY1305_KEY_SIZE,
	  CHACHA_POLY1305_BLOCK_SIZE, false, "ChaCha20-Poly1305",
	  "RFC 8103 section 3" },
	{ CACHET_ALG_DES_EDE3_CBC, MODE_CBC, DES3_KEY_SIZE, DES3_BLOCK_SIZE,
	  true, "3DES-CBC", "RFC 3370 section 5.1" },
	{ CACHET_ALG_RC2_CBC, MODE_CBC, 0, ARCTWO_BLOCK_SIZE, true, "RC2-CBC",
	  "RFC 3370 section 5.2" },
};

/* What the parameter check settles before any key schedule. */
typedef struct {
	const cipher_spec_t *spec;
	size_t tag_len;
	unsigned rc2_ekb;
} cipher_setup_t;

typedef struct {
	const cipher_spec_t *spec;
	size_t tag_len;
	bool has_aad;	 /* AAD given (once) */
	bool is_started; /* content seen: no AAD any more */
	bool is_done;	 /* final() called: the handle is spent */
	uint64_t total;	 /* content octets so far (AEAD limits) */
	size_t held;	 /* octets waiting in buf */
	uint8_t buf[CACHET_CIPHER_SLACK];
	uint8_t iv[16];	 /* CBC chaining value */
	block_fn_t *fn;	 /* CBC block function */
	union {
		struct aes128_ctx aes128;
		struct aes192_ctx aes192;
		struct aes256_ctx aes256;
		struct des3_ctx des3;
		struct arctwo_ctx rc2;
		struct gcm_aes128_ctx gcm128;
		struct gcm_aes192_ctx gcm192;
		struct gcm_aes256_ctx gcm256;
		struct chacha_poly1305_ctx chacha;
	} k;
} cipher_core_t;

struct cachet_encryptor_st {
	cipher_core_t c;
};

struct cachet_decryptor_st {
	cipher_core_t c;
};

/* ------------------------------------------------------------------ */
/* Constant-time comparisons */

uint32_t _cachet_ct_memeq(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint32_t diff = 0;
	size_t i;

	for (i = 0; i < n; i++)
		diff |= (uint32_t)(a[i] ^ b[i]);
	return _cachet_ct_is_zero(diff);
}

uint32_t _cachet_tag_check(const uint8_t *a, const uint8_t *b, size_t n)
{
	/* memeql_sec returns 1 or 0 without branching on the contents
	 * (nettle's sc-memeql test); widen it to a mask. */
	return _cachet_ct_barrier((uint32_t)0 - (uint32_t)memeql_sec(a, b, n));
}

uint32_t _cachet_cbc_unpad(const uint8_t *blk, size_t bs, size_t *keep)
{
	uint32_t pad = blk[bs - 1];
	uint32_t good, in_pad;
	size_t i;

	/* RFC 5652 section 6.3: the last octet gives the padding length
	 * k - (lth mod k), 1..k, and every padding octet holds it. */
	good = ~_cachet_ct_is_zero(pad) & _cachet_ct_lt(pad, (uint32_t)bs + 1);
	for (i = 0; i < bs; i++) {
		/* octet i is padding when bs - i <= pad */
		in_pad = ~_cachet_ct_lt(pad, (uint32_t)(bs - i));
		good &= ~in_pad | _cachet_ct_eq(blk[i], pad);
	}
	good = _cachet_ct_barrier(good);
	/* bs - pad wraps when pad > bs, but is then masked away. */
	*keep = (size_t)(good & ((uint32_t)bs - pad));
	return good;
}

/* ------------------------------------------------------------------ */
/* RC2 parameter version */

int _cachet_rc2_ekb(unsigned long version, unsigned *ekb)
{
	/* RFC 3370 section 5.2: "For the effective-key-bits of 40, 64, and
	 * 128, the rc2ParameterVersion values are 160, 120, and 58
	 * respectively."  RFC 2268 section 6: values of 256 and more are
	 * the effective key bits themselves; nettle allows up to 1024.  The
	 * rest of RFC 2268's table (effective key bits 1..255 other than
	 * these three) is not used by any known CMS producer. */
	switch (version) {
	case 160:
		*ekb = 40;
		return 0;
	case 120:
		*ekb = 64;
		return 0;
	case 58:
		*ekb = 128;
		return 0;
	default:
		if (version >= 256 && version <= 1024) {
			*ekb = (unsigned)version;
			return 0;
		}
		*ekb = 0;
		return CACHET_E_UNSUPPORTED;
	}
}

/* ------------------------------------------------------------------ */
/* Block functions with nettle_cipher_func's exact type */

static void aes128_enc(const void *ctx, size_t n, uint8_t *dst,
		       const uint8_t *src)
{
	aes128_encrypt(ctx, n, dst, src);
}

static void aes192_enc(const void *ctx, size_t n, uint8_t *dst,
		       const uint8_t *src)
{
	aes192_encrypt(ctx, n, dst, src);
}

static void aes256_enc(const void *ctx, size_t n, uint8_t *dst,
		       const uint8_t *src)
{
	aes256_encrypt(ctx, n, dst, src);
}

static void aes128_dec(const void *ctx, size_t n, uint8_t *dst,
		       const uint8_t *src)
{
	aes128_decrypt(ctx, n, dst, src);
}

static void aes192_dec(const void *ctx, size_t n, uint8_t *dst,
		       const uint8_t *src)
{
	aes192_decrypt(ctx, n, dst, src);
}

static void aes256_dec(const void *ctx, size_t n, uint8_t *dst,
		       const uint8_t *src)
{
	aes256_decrypt(ctx, n, dst, src);
}

static void des3_dec(const void *ctx, size_t n, uint8_t *dst,
		     const uint8_t *src)
{
	des3_decrypt(ctx, n, dst, src);
}

static void rc2_dec(const void *ctx, size_t n, uint8_t *dst,
		    const uint8_t *src)
{
	/* arctwo_decrypt takes a non-const context but does not write it. */
	arctwo_decrypt((struct arctwo_ctx *)(uintptr_t)ctx, n, dst, src);
}

/* ------------------------------------------------------------------ */
/* Shared, direction-free helpers */

static const cipher_spec_t *spec_of(cachet_alg_id_t alg)
{
	size_t i;

	for (i = 0; i < sizeof(cipher_specs) / sizeof(cipher_specs[0]); i++)
		if (cipher_specs[i].alg == alg)
			return &cipher_specs[i];
	return NULL;
}

static int check_params(const cachet_cipher_params_t *p, cipher_setup_t *s,
			cachet_diag_t *diag)
{
	const cipher_spec_t *sp;
	int ret = 0;

	memset(s, 0, sizeof(*s));
	ENSURE(p != NULL && (p->key != NULL || p->key_len == 0) &&
		       (p->iv != NULL || p->iv_len == 0),
	       CACHET_E_INVALID_ARG, "", PATH_ALG, "missing cipher parameters");
	sp = spec_of(p->alg);
	ENSURE(sp != NULL, CACHET_E_UNSUPPORTED, "RFC 8551 section 2.7",
	       PATH_ALG, "%s is not a supported content-encryption algorithm",
	       _cachet_alg_by_id(p->alg) ? _cachet_alg_by_id(p->alg)->name
					 : "(none)");
	s->spec = sp;

	/* key */
	if (sp->key_len == 0)
		ENSURE(p->key_len >= ARCTWO_MIN_KEY_SIZE &&
			       p->key_len <= ARCTWO_MAX_KEY_SIZE,
		       CACHET_E_BAD_KEY, sp->rule, PATH_ALG,
		       "%s key of %zu octets (1..128 allowed)", sp->name,
		       p->key_len);
	else
		ENSURE(p->key_len == sp->key_len, CACHET_E_BAD_KEY, sp->rule,
		       PATH_ALG, "%s key of %zu octets, expected %zu", sp->name,
		       p->key_len, sp->key_len);

	switch (sp->mode) {
	case MODE_CBC:
		/* RFC 3565 section 4: AES-IV ::= OCTET STRING (SIZE(16));
		 * RFC 3370 sections 5.1, 5.2: "exactly 8 octets". */
		ENSURE(p->iv_len == sp->block, CACHET_E_BAD_PARAMS, sp->rule,
		       PATH_PARAMS, "%s IV of %zu octets, expected %zu",
		       sp->name, p->iv_len, sp->block);
		ENSURE(p->tag_len == 0, CACHET_E_INVALID_ARG, sp->rule,
		       PATH_PARAMS, "%s has no authentication tag", sp->name);
		if (sp->alg == CACHET_ALG_RC2_CBC)
			ENSURE(_cachet_rc2_ekb(p->rc2_version, &s->rc2_ekb) == 0,
			       CACHET_E_UNSUPPORTED, sp->rule, PATH_PARAMS,
			       "rc2ParameterVersion %lu is not supported "
			       "(160, 120, 58 or 256..1024)",
			       p->rc2_version);
		break;
	case MODE_GCM:
		/* RFC 5084 section 3.2: any nonce length; the bound is ours. */
		ENSURE(p->iv_len >= 1 && p->iv_len <= CACHET_GCM_NONCE_MAX,
		       CACHET_E_BAD_PARAMS, sp->rule, PATH_PARAMS,
		       "AES-GCM nonce of %zu octets (1..%d accepted)",
		       p->iv_len, CACHET_GCM_NONCE_MAX);
		/* RFC 5084 section 3.2: AES-GCM-ICVlen ::= INTEGER (12 | 13 |
		 * 14 | 15 | 16), DEFAULT 12. */
		s->tag_len = p->tag_len == 0 ? 12 : p->tag_len;
		ENSURE(s->tag_len >= 12 && s->tag_len <= 16,
		       CACHET_E_BAD_PARAMS, sp->rule, PATH_PARAMS,
		       "AES-GCM ICV length %zu (12..16 allowed)", p->tag_len);
		break;
	case MODE_CHACHA:
		/* RFC 8103 section 3: AEADChaCha20Poly1305Nonce ::= OCTET
		 * STRING (SIZE(12)); the tag is 128 bits (RFC 8439 2.8). */
		ENSURE(p->iv_len == CHACHA_POLY1305_NONCE_SIZE,
		       CACHET_E_BAD_PARAMS, sp->rule, PATH_PARAMS,
		       "ChaCha20-Poly1305 nonce of %zu octets, expected 12",
		       p->iv_len);
		s->tag_len = p->tag_len == 0 ? CHACHA_POLY1305_DIGEST_SIZE
					     : p->tag_len;
		ENSURE(s->tag_len == CHACHA_POLY1305_DIGEST_SIZE,
		       CACHET_E_BAD_PARAMS, sp->rule, PATH_PARAMS,
		       "ChaCha20-Poly1305 tag of %zu octets, expected 16",
		       p->tag_len);
		break;
	}
cleanup:
	return ret;
}

/* Octets an update of INLEN will hand to the cipher (and write out):
 * whole steps, keeping the last octets back -- at least one whole block
 * when HOLD_LAST (CBC decryption, whose last block carries the padding).
 * Fails when INLEN is absurdly large. */
static bool update_size(const cipher_core_t *c, size_t inlen, bool hold_last,
			size_t *n)
{
	size_t step = c->spec->block, total;

	if (!_cachet_add_ok(c->held, inlen, SIZE_MAX))
		return false;
	total = c->held + inlen;
	if (hold_last)
		*n = total == 0 ? 0 : (total - 1) / step * step;
	else
		*n = total / step * step;
	return true;
}

typedef void process_fn_t(cipher_core_t *c, uint8_t *dst, const uint8_t *src,
			  size_t n);

/* Push IN through PROCESS in whole steps, N octets in all (from
 * update_size), and keep the rest in the buffer. */
static void feed(cipher_core_t *c, const uint8_t *in, size_t inlen,
		 uint8_t *out, size_t n, process_fn_t *process)
{
	size_t step = c->spec->block, take;

	if (n > 0 && c->held > 0) {
		/* Complete the buffered step first.  n >= step and
		 * held + inlen >= n, so inlen >= take. */
		take = step - c->held;
		memcpy(c->buf + c->held, in, take);
		in += take;
		inlen -= take;
		process(c, out, c->buf, step);
		out += step;
		n -= step;
		c->held = 0;
		WIPE_BUFFER(c->buf);
	}
	if (n > 0) {
		process(c, out, in, n);
		in += n;
		inlen -= n;
	}
	/* What is left fits: fewer than step octets, or exactly one block
	 * for the CBC decryptor, and step <= sizeof(buf). */
	if (inlen > 0) {
		memcpy(c->buf + c->held, in, inlen);
		c->held += inlen;
	}
}

static bool aead_total_ok(cipher_core_t *c, size_t inlen)
{
	uint64_t max = c->spec->mode == MODE_GCM ? GCM_MAX_TEXT
						 : CHACHA_MAX_TEXT;

	if (c->spec->mode == MODE_CBC)
		return true;
	if ((uint64_t)inlen > max || c->total > max - (uint64_t)inlen)
		return false;
	c->total += inlen;
	return true;
}

static int core_aad(cipher_core_t *c, const uint8_t *aad, size_t len)
{
	if (aad == NULL && len > 0)
		return CACHET_E_INVALID_ARG;
	if (c->spec->mode == MODE_CBC)
		return CACHET_E_INVALID_ARG;
	/* One call, before the content: nettle takes AAD in whole blocks
	 * except for the last piece. */
	if (c->is_done || c->is_started || c->has_aad)
		return CACHET_E_BAD_STATE;
	c->has_aad = true;
	if (len == 0)
		return 0;
	switch (c->spec->alg) {
	case CACHET_ALG_AES128_GCM:
		gcm_aes128_update(&c->k.gcm128, len, aad);
		break;
	case CACHET_ALG_AES192_GCM:
		gcm_aes192_update(&c->k.gcm192, len, aad);
		break;
	case CACHET_ALG_AES256_GCM:
		gcm_aes256_update(&c->k.gcm256, len, aad);
		break;
	default: /* ChaCha20-Poly1305 */
		chacha_poly1305_update(&c->k.chacha, len, aad);
		break;
	}
	return 0;
}

/* The full AEAD tag (16 octets) into TAG. */
static void aead_digest(cipher_core_t *c, uint8_t *tag)
{
	switch (c->spec->alg) {
	case CACHET_ALG_AES128_GCM:
		AEAD_DIGEST(gcm_aes128_digest, &c->k.gcm128, tag);
		break;
	case CACHET_ALG_AES192_GCM:
		AEAD_DIGEST(gcm_aes192_digest, &c->k.gcm192, tag);
		break;
	case CACHET_ALG_AES256_GCM:
		AEAD_DIGEST(gcm_aes256_digest, &c->k.gcm256, tag);
		break;
	default:
		AEAD_DIGEST(chacha_poly1305_digest, &c->k.chacha, tag);
		break;
	}
}

/* Mark the handle spent and wipe everything secret in it. */
static void core_spend(cipher_core_t *c)
{
	c->is_done = true;
	c->held = 0;
	WIPE_BUFFER(c->buf);
	WIPE_BUFFER(c->iv);
	WIPE_OBJ(&c->k);
}

/* Finish an AEAD handle: its tag (the configured length) into TAG, then
 * spend the handle. */
static void aead_emit_tag(cipher_core_t *c, uint8_t *tag, size_t *taglen)
{
	uint8_t full[CACHET_AEAD_TAG_MAX];
	aead_digest(c, full);
	memcpy(tag, full, c->tag_len);
	*taglen = c->tag_len;
	WIPE_BUFFER(full);
	core_spend(c);
}

/* ------------------------------------------------------------------ */
/* Encryption */

static void encrypt_blocks(cipher_core_t *c, uint8_t *dst, const uint8_t *src,
			   size_t n)
{
	switch (c->spec->alg) {
	case CACHET_ALG_AES128_GCM:
		gcm_aes128_encrypt(&c->k.gcm128, n, dst, src);
		break;
	case CACHET_ALG_AES192_GCM:
		gcm_aes192_encrypt(&c->k.gcm192, n, dst, src);
		break;
	case CACHET_ALG_AES256_GCM:
		gcm_aes256_encrypt(&c->k.gcm256, n, dst, src);
		break;
	case CACHET_ALG_CHACHA20_POLY1305:
		chacha_poly1305_encrypt(&c->k.chacha, n, dst, src);
		break;
	/* Nettle's AES-CBC entry points (one call for all blocks) run
	 * about 1.5 times as fast as the generic cbc_encrypt. */
	case CACHET_ALG_AES128_CBC:
		cbc_aes128_encrypt(&c->k.aes128, c->iv, n, dst, src);
		break;
	case CACHET_ALG_AES192_CBC:
		cbc_aes192_encrypt(&c->k.aes192, c->iv, n, dst, src);
		break;
	case CACHET_ALG_AES256_CBC:
		cbc_aes256_encrypt(&c->k.aes256, c->iv, n, dst, src);
		break;
	default: /* CBC */
		cbc_encrypt(&c->k, c->fn, c->spec->block, c->iv, n, dst, src);
		break;
	}
}

/* AEAD keying is the same in both directions (GCM and ChaCha20-Poly1305
 * encrypt and decrypt with one key schedule): a pure helper that the
 * encryptor and decryptor share. */
static void aead_set_key(cipher_core_t *c, const cachet_cipher_params_t *p)
{
	switch (p->alg) {
	case CACHET_ALG_AES128_GCM:
		gcm_aes128_set_key(&c->k.gcm128, p->key);
		gcm_aes128_set_iv(&c->k.gcm128, p->iv_len, p->iv);
		break;
	case CACHET_ALG_AES192_GCM:
		gcm_aes192_set_key(&c->k.gcm192, p->key);
		gcm_aes192_set_iv(&c->k.gcm192, p->iv_len, p->iv);
		break;
	case CACHET_ALG_AES256_GCM:
		gcm_aes256_set_key(&c->k.gcm256, p->key);
		gcm_aes256_set_iv(&c->k.gcm256, p->iv_len, p->iv);
		break;
	case CACHET_ALG_CHACHA20_POLY1305:
		chacha_poly1305_set_key(&c->k.chacha, p->key);
		chacha_poly1305_set_nonce(&c->k.chacha, p->iv);
		break;
	default:
		break;
	}
}

int _cachet_encryptor_init(cachet_encryptor_t **out,
			   const cachet_cipher_params_t *p, cachet_diag_t *diag)
{
	cachet_encryptor_t *e = NULL;
	cipher_setup_t s;
	cipher_core_t *c;
	int ret;

	ENSURE(out != NULL, CACHET_E_INVALID_ARG, "", PATH_ALG,
	       "no place for the encryptor");
	*out = NULL;
	CHECK(check_params(p, &s, diag));
	ENSURE(!s.spec->is_decrypt_only, CACHET_E_UNSUPPORTED,
	       "RFC 8551 section 2.7", PATH_ALG,
	       "%s is accepted for decryption only", s.spec->name);
	e = _cachet_calloc(1, sizeof(*e));
	ENSURE(e != NULL, CACHET_E_NOMEM, "", PATH_ALG, "out of memory");
	c = &e->c;
	c->spec = s.spec;
	c->tag_len = s.tag_len;

	switch (p->alg) {
	case CACHET_ALG_AES128_CBC:
		aes128_set_encrypt_key(&c->k.aes128, p->key);
		c->fn = aes128_enc;
		break;
	case CACHET_ALG_AES192_CBC:
		aes192_set_encrypt_key(&c->k.aes192, p->key);
		c->fn = aes192_enc;
		break;
	case CACHET_ALG_AES256_CBC:
		aes256_set_encrypt_key(&c->k.aes256, p->key);
		c->fn = aes256_enc;
		break;
	case CACHET_ALG_AES128_GCM:
	case CACHET_ALG_AES192_GCM:
	case CACHET_ALG_AES256_GCM:
	case CACHET_ALG_CHACHA20_POLY1305:
		aead_set_key(c, p);
		break;
	default:
		FAIL(CACHET_E_INTERNAL, "", PATH_ALG, "no encryptor for %s",
		     s.spec->name);
	}
	if (s.spec->mode == MODE_CBC)
		memcpy(c->iv, p->iv, s.spec->block);
	*out = e;
	e = NULL;
	ret = 0;
cleanup:
	_cachet_encryptor_free(e);
	return ret;
}

int _cachet_encryptor_aad(cachet_encryptor_t *e, const uint8_t *aad,
			  size_t len)
{
	if (e == NULL)
		return CACHET_E_INVALID_ARG;
	return core_aad(&e->c, aad, len);
}

int _cachet_encryptor_update(cachet_encryptor_t *e, const uint8_t *in,
			     size_t inlen, uint8_t *out, size_t outcap,
			     size_t *outlen)
{
	cipher_core_t *c;
	size_t n;

	if (outlen != NULL)
		*outlen = 0;
	if (e == NULL || outlen == NULL || (in == NULL && inlen > 0))
		return CACHET_E_INVALID_ARG;
	c = &e->c;
	if (c->is_done)
		return CACHET_E_BAD_STATE;
	if (!update_size(c, inlen, false, &n) || n > outcap ||
	    (out == NULL && n > 0))
		return CACHET_E_INVALID_ARG;
	if (!aead_total_ok(c, inlen))
		return CACHET_E_SIZE_LIMIT;
	c->is_started = true;
	feed(c, in, inlen, out, n, encrypt_blocks);
	*outlen = n;
	return 0;
}

int _cachet_encryptor_final(cachet_encryptor_t *e, uint8_t *out,
			    size_t outcap, size_t *outlen, uint8_t *tag,
			    size_t tagcap, size_t *taglen)
{
	cipher_core_t *c;
	size_t bs, n;

	if (outlen != NULL)
		*outlen = 0;
	if (taglen != NULL)
		*taglen = 0;
	if (e == NULL || outlen == NULL || taglen == NULL)
		return CACHET_E_INVALID_ARG;
	c = &e->c;
	if (c->is_done)
		return CACHET_E_BAD_STATE;
	bs = c->spec->block;

	if (c->spec->mode == MODE_CBC) {
		if (out == NULL || outcap < bs)
			return CACHET_E_INVALID_ARG;
		/* RFC 5652 section 6.3: pad with k - (lth mod k) octets,
		 * each holding that number. */
		n = bs - c->held;
		memset(c->buf + c->held, (int)n, n);
		encrypt_blocks(c, out, c->buf, bs);
		*outlen = bs;
		core_spend(c);
		return 0;
	}

	if ((out == NULL && c->held > 0) || outcap < c->held || tag == NULL ||
	    tagcap < c->tag_len)
		return CACHET_E_INVALID_ARG;
	c->is_started = true;
	if (c->held > 0)
		encrypt_blocks(c, out, c->buf, c->held);
	*outlen = c->held;
	aead_emit_tag(c, tag, taglen);
	return 0;
}

void _cachet_encryptor_free(cachet_encryptor_t *e)
{
	if (e == NULL)
		return;
	WIPE_OBJ(e);
	cachet_free(e);
}

/* ------------------------------------------------------------------ */
/* Decryption */

static void decrypt_blocks(cipher_core_t *c, uint8_t *dst, const uint8_t *src,
			   size_t n)
{
	switch (c->spec->alg) {
	case CACHET_ALG_AES128_GCM:
		gcm_aes128_decrypt(&c->k.gcm128, n, dst, src);
		break;
	case CACHET_ALG_AES192_GCM:
		gcm_aes192_decrypt(&c->k.gcm192, n, dst, src);
		break;
	case CACHET_ALG_AES256_GCM:
		gcm_aes256_decrypt(&c->k.gcm256, n, dst, src);
		break;
	case CACHET_ALG_CHACHA20_POLY1305:
		chacha_poly1305_decrypt(&c->k.chacha, n, dst, src);
		break;
	default: /* CBC */
		cbc_decrypt(&c->k, c->fn, c->spec->block, c->iv, n, dst, src);
		break;
	}
}

int _cachet_decryptor_init(cachet_decryptor_t **out,
			   const cachet_cipher_params_t *p, cachet_diag_t *diag)
{
	cachet_decryptor_t *d = NULL;
	cipher_setup_t s;
	cipher_core_t *c;
	int ret;

	ENSURE(out != NULL, CACHET_E_INVALID_ARG, "", PATH_ALG,
	       "no place for the decryptor");
	*out = NULL;
	CHECK(check_params(p, &s, diag));
	d = _cachet_calloc(1, sizeof(*d));
	ENSURE(d != NULL, CACHET_E_NOMEM, "", PATH_ALG, "out of memory");
	c = &d->c;
	c->spec = s.spec;
	c->tag_len = s.tag_len;

	switch (p->alg) {
	case CACHET_ALG_AES128_CBC:
		aes128_set_decrypt_key(&c->k.aes128, p->key);
		c->fn = aes128_dec;
		break;
	case CACHET_ALG_AES192_CBC:
		aes192_set_decrypt_key(&c->k.aes192, p->key);
		c->fn = aes192_dec;
		break;
	case CACHET_ALG_AES256_CBC:
		aes256_set_decrypt_key(&c->k.aes256, p->key);
		c->fn = aes256_dec;
		break;
	case CACHET_ALG_DES_EDE3_CBC:
		/* des3_set_key returns 0 for a weak DES key in any of the
		 * three positions.  The key may be the random substitute of
		 * an RSA implicit rejection, so this is a decryption
		 * failure like any other, without a frame. */
		if (des3_set_key(&c->k.des3, p->key) != 1) {
			ret = CACHET_E_DECRYPT_FAILED;
			goto cleanup;
		}
		c->fn = des3_dec;
		break;
	case CACHET_ALG_RC2_CBC:
		arctwo_set_key_ekb(&c->k.rc2, p->key_len, p->key, s.rc2_ekb);
		c->fn = rc2_dec;
		break;
	case CACHET_ALG_AES128_GCM:
	case CACHET_ALG_AES192_GCM:
	case CACHET_ALG_AES256_GCM:
	case CACHET_ALG_CHACHA20_POLY1305:
		aead_set_key(c, p);
		break;
	default:
		FAIL(CACHET_E_INTERNAL, "", PATH_ALG, "no decryptor for %s",
		     s.spec->name);
	}
	if (s.spec->mode == MODE_CBC)
		memcpy(c->iv, p->iv, s.spec->block);
	*out = d;
	d = NULL;
	ret = 0;
cleanup:
	_cachet_decryptor_free(d);
	return ret;
}

int _cachet_decryptor_aad(cachet_decryptor_t *d, const uint8_t *aad,
			  size_t len)
{
	if (d == NULL)
		return CACHET_E_INVALID_ARG;
	return core_aad(&d->c, aad, len);
}

int _cachet_decryptor_update(cachet_decryptor_t *d, const uint8_t *in,
			     size_t inlen, uint8_t *out, size_t outcap,
			     size_t *outlen)
{
	cipher_core_t *c;
	size_t n;

	if (outlen != NULL)
		*outlen = 0;
	if (d == NULL || outlen == NULL || (in == NULL && inlen > 0))
		return CACHET_E_INVALID_ARG;
	c = &d->c;
	if (c->is_done)
		return CACHET_E_BAD_STATE;
	if (!update_size(c, inlen, c->spec->mode == MODE_CBC, &n) ||
	    n > outcap || (out == NULL && n > 0))
		return CACHET_E_INVALID_ARG;
	if (!aead_total_ok(c, inlen)) {
		/* Longer than the mode allows: it cannot authenticate. */
		core_spend(c);
		return CACHET_E_DECRYPT_FAILED;
	}
	c->is_started = true;
	feed(c, in, inlen, out, n, decrypt_blocks);
	*outlen = n;
	return 0;
}

static int cbc_decrypt_final(cipher_core_t *c, uint8_t *out, size_t outcap,
			     size_t *outlen)
{
	uint8_t blk[16];
	size_t bs = c->spec->block, keep = 0;
	uint32_t good;
	int ret;

	if (out == NULL || outcap < bs - 1)
		return CACHET_E_INVALID_ARG;
	/* The ciphertext length is public: a ciphertext that is not a
	 * positive whole number of blocks fails here, with the same code
	 * as bad padding. */
	if (c->held != bs) {
		ret = CACHET_E_DECRYPT_FAILED;
		goto cleanup;
	}
	decrypt_blocks(c, blk, c->buf, bs);
	good = _cachet_cbc_unpad(blk, bs, &keep);
	/* Declassification point: the padding verdict becomes the return
	 * value, which is public. */
	if (good == 0) {
		ret = CACHET_E_DECRYPT_FAILED;
		goto cleanup;
	}
	memcpy(out, blk, keep);
	*outlen = keep;
	ret = 0;
cleanup:
	WIPE_BUFFER(blk);
	return ret;
}

static int aead_decrypt_final(cipher_core_t *c, const uint8_t *tag,
			      size_t taglen, uint8_t *out, size_t outcap,
			      size_t *outlen)
{
	uint8_t full[CACHET_AEAD_TAG_MAX];
	uint8_t last[CACHET_CIPHER_SLACK];
	uint32_t good;
	int ret;

	if ((out == NULL && c->held > 0) || outcap < c->held)
		return CACHET_E_INVALID_ARG;
	/* RFC 5084 section 3.2: the ICV length "MUST match the size in
	 * octets of the value in the AuthEnvelopedData mac field".  A mac
	 * of another length cannot verify. */
	if (tag == NULL || taglen != c->tag_len) {
		ret = CACHET_E_DECRYPT_FAILED;
		goto cleanup;
	}
	/* The last octets are decrypted into a private buffer and released
	 * only after the tag has been checked. */
	if (c->held > 0)
		decrypt_blocks(c, last, c->buf, c->held);
	aead_digest(c, full);
	good = _cachet_tag_check(full, tag, c->tag_len);
	/* Declassification point: the tag verdict is the return value. */
	if (good == 0) {
		ret = CACHET_E_DECRYPT_FAILED;
		goto cleanup;
	}
	memcpy(out, last, c->held);
	*outlen = c->held;
	ret = 0;
cleanup:
	WIPE_BUFFER(full);
	WIPE_BUFFER(last);
	return ret;
}

int _cachet_decryptor_final(cachet_decryptor_t *d, const uint8_t *tag,
			    size_t taglen, uint8_t *out, size_t outcap,
			    size_t *outlen)
{
	cipher_core_t *c;
	int ret;

	if (outlen != NULL)
		*outlen = 0;
	if (d == NULL || outlen == NULL)
		return CACHET_E_INVALID_ARG;
	c = &d->c;
	if (c->is_done)
		return CACHET_E_BAD_STATE;
	if (c->spec->mode == MODE_CBC) {
		if (tag != NULL || taglen != 0)
			return CACHET_E_INVALID_ARG;
		ret = cbc_decrypt_final(c, out, outcap, outlen);
	} else {
		ret = aead_decrypt_final(c, tag, taglen, out, outcap, outlen);
	}
	/* A usage error leaves the handle as it was; anything else spends
	 * it. */
	if (ret == CACHET_E_INVALID_ARG)
		return ret;
	if (ret < 0 && out != NULL && outcap > 0)
		cachet_wipe(out, outcap < CACHET_CIPHER_SLACK
					 ? outcap
					 : CACHET_CIPHER_SLACK);
	core_spend(c);
	return ret;
}

int _cachet_decryptor_tag(cachet_decryptor_t *d, uint8_t *tag,
			  size_t tagcap, size_t *taglen)
{
	uint8_t last[CACHET_CIPHER_SLACK];
	cipher_core_t *c;

	if (d == NULL || tag == NULL || taglen == NULL)
		return CACHET_E_INVALID_ARG;
	c = &d->c;
	if (c->is_done)
		return CACHET_E_BAD_STATE;
	if (c->spec->mode == MODE_CBC || tagcap < c->tag_len)
		return CACHET_E_INVALID_ARG;
	/* The held octets count too; their plaintext is thrown away. */
	if (c->held > 0)
		decrypt_blocks(c, last, c->buf, c->held);
	WIPE_BUFFER(last);
	aead_emit_tag(c, tag, taglen);
	return 0;
}

void _cachet_decryptor_free(cachet_decryptor_t *d)
{
	if (d == NULL)
		return;
	WIPE_OBJ(d);
	cachet_free(d);
}

/* ------------------------------------------------------------------ */
/* Raw CBC for the RFC 3211 key wrap (PasswordRecipientInfo) */

/* The block cipher of a raw CBC call, keyed for one direction. */
typedef struct {
	const cipher_spec_t *spec;
	block_fn_t *fn;
	union {
		struct aes128_ctx aes128;
		struct aes192_ctx aes192;
		struct aes256_ctx aes256;
		struct des3_ctx des3;
	} k;
} cbc_raw_t;

/* Check the arguments of a raw CBC call (the same rules as the streaming
 * handles: key and IV lengths of the algorithm; LEN a whole number of
 * blocks).  RC2 is not a PWRI KEK cipher here. */
static int cbc_raw_check(cachet_alg_id_t alg, size_t keylen, size_t ivlen,
			 size_t len, const cipher_spec_t **spec,
			 cachet_diag_t *diag)
{
	const cipher_spec_t *sp = spec_of(alg);
	int ret = 0;

	ENSURE(sp != NULL && sp->mode == MODE_CBC && sp->key_len != 0,
	       CACHET_E_UNSUPPORTED, "RFC 3211 section 2.2", PATH_ALG,
	       "no raw CBC for this algorithm");
	ENSURE(keylen == sp->key_len, CACHET_E_BAD_KEY, sp->rule, PATH_ALG,
	       "%s key of %zu octets, expected %zu", sp->name, keylen,
	       sp->key_len);
	ENSURE(ivlen == sp->block, CACHET_E_BAD_PARAMS, sp->rule, PATH_PARAMS,
	       "%s IV of %zu octets, expected %zu", sp->name, ivlen,
	       sp->block);
	ENSURE(len % sp->block == 0, CACHET_E_INVALID_ARG, sp->rule, PATH_ALG,
	       "%zu octets are not a whole number of %s blocks", len,
	       sp->name);
	*spec = sp;
cleanup:
	return ret;
}

int _cachet_cbc_raw_encrypt(cachet_alg_id_t alg, const uint8_t *key,
			    size_t keylen, const uint8_t *iv, size_t ivlen,
			    const uint8_t *in, size_t len, uint8_t *out,
			    cachet_diag_t *diag)
{
	cbc_raw_t c;
	uint8_t chain[16];
	int ret;

	memset(&c, 0, sizeof(c));
	ENSURE(key != NULL && iv != NULL && (len == 0 || (in && out)),
	       CACHET_E_INVALID_ARG, "", PATH_ALG, "missing CBC input");
	CHECK(cbc_raw_check(alg, keylen, ivlen, len, &c.spec, diag));
	ENSURE(!c.spec->is_decrypt_only, CACHET_E_UNSUPPORTED,
	       "RFC 8551 section 2.7", PATH_ALG,
	       "%s is accepted for decryption only", c.spec->name);
	switch (alg) {
	case CACHET_ALG_AES128_CBC:
		aes128_set_encrypt_key(&c.k.aes128, key);
		c.fn = aes128_enc;
		break;
	case CACHET_ALG_AES192_CBC:
		aes192_set_encrypt_key(&c.k.aes192, key);
		c.fn = aes192_enc;
		break;
	case CACHET_ALG_AES256_CBC:
		aes256_set_encrypt_key(&c.k.aes256, key);
		c.fn = aes256_enc;
		break;
	default:
		FAIL(CACHET_E_INTERNAL, "", PATH_ALG, "no raw CBC encryption for %s",
		     c.spec->name);
	}
	memcpy(chain, iv, c.spec->block);
	/* nettle's cbc_encrypt works in place when OUT == IN. */
	if (len > 0)
		cbc_encrypt(&c.k, c.fn, c.spec->block, chain, len, out, in);
	ret = 0;
cleanup:
	WIPE_OBJ(&c);
	WIPE_BUFFER(chain);
	return ret;
}

int _cachet_cbc_raw_decrypt(cachet_alg_id_t alg, const uint8_t *key,
			    size_t keylen, const uint8_t *iv, size_t ivlen,
			    const uint8_t *in, size_t len, uint8_t *out,
			    cachet_diag_t *diag)
{
	cbc_raw_t c;
	uint8_t chain[16];
	int ret;

	memset(&c, 0, sizeof(c));
	ENSURE(key != NULL && iv != NULL && (len == 0 || (in && out)),
	       CACHET_E_INVALID_ARG, "", PATH_ALG, "missing CBC input");
	CHECK(cbc_raw_check(alg, keylen, ivlen, len, &c.spec, diag));
	switch (alg) {
	case CACHET_ALG_AES128_CBC:
		aes128_set_decrypt_key(&c.k.aes128, key);
		c.fn = aes128_dec;
		break;
	case CACHET_ALG_AES192_CBC:
		aes192_set_decrypt_key(&c.k.aes192, key);
		c.fn = aes192_dec;
		break;
	case CACHET_ALG_AES256_CBC:
		aes256_set_decrypt_key(&c.k.aes256, key);
		c.fn = aes256_dec;
		break;
	case CACHET_ALG_DES_EDE3_CBC:
		/* A weak DES key in any position: the key is secret (derived
		 * from a password), so this is a decryption failure like any
		 * other, without a frame (as in _cachet_decryptor_init). */
		if (des3_set_key(&c.k.des3, key) != 1) {
			ret = CACHET_E_DECRYPT_FAILED;
			goto cleanup;
		}
		c.fn = des3_dec;
		break;
	default:
		FAIL(CACHET_E_INTERNAL, "", PATH_ALG, "no raw CBC decryption for %s",
		     c.spec->name);
	}
	memcpy(chain, iv, c.spec->block);
	/* nettle's cbc_decrypt works in place when OUT == IN. */
	if (len > 0)
		cbc_decrypt(&c.k, c.fn, c.spec->block, chain, len, out, in);
	ret = 0;
cleanup:
	WIPE_OBJ(&c);
	WIPE_BUFFER(chain);
	return ret;
}
