/* crypto-kw.c -- AES key wrap (RFC 3394) and AES key wrap with padding
 * (RFC 5649).
 *
 * RFC 3394 uses nettle's nist_keywrap16 / nist_keyunwrap16, whose
 * integrity check compares the recovered A with the IV through
 * memeql_sec.  RFC 5649 needs the recovered A itself (it carries the
 * message length), which nettle's unwrap does not return, so its
 * unwrapping (RFC 3394 section 2.2.2, index based) is written here over
 * any 128-bit block cipher; its wrapping is nettle's with the AIV as the
 * initial value.  The three AIV checks of RFC 5649 section 3 run on masks
 * and fail as one.
 *
 * Lengths: every length is checked against its bounds before anything
 * is derived from it; the wrapped lengths are public (they come from the
 * message framing).  The MLI, which comes out of the decryption, is only
 * compared in constant time, by the bounds 8(n-1) < MLI <= 8n.
 */
#include "crypto-enc.h"

#include <nettle/aes.h>
#include <nettle/nist-keywrap.h>
#include <nettle/sha1.h>

#define KW_SEMI 8
#define PATH_KW "keyEncryptionAlgorithm"
#define RULE_KW "RFC 3394 section 2.2"
#define RULE_KWP "RFC 5649 section 4"

typedef void kw_block_fn_t(const void *ctx, size_t n, uint8_t *dst,
			   const uint8_t *src);

/* RFC 3394 section 2.2.3.1: the default initial value. */
static const uint8_t kw_default_iv[KW_SEMI] = { 0xa6, 0xa6, 0xa6, 0xa6,
						0xa6, 0xa6, 0xa6, 0xa6 };
/* RFC 5649 section 3: the high half of the AIV. */
static const uint8_t kwp_aiv_high[4] = { 0xa6, 0x59, 0x59, 0xa6 };

typedef struct {
	union {
		struct aes128_ctx a128;
		struct aes192_ctx a192;
		struct aes256_ctx a256;
	} u;
	kw_block_fn_t *fn;
} kek_t;

static void kw_aes128_enc(const void *ctx, size_t n, uint8_t *dst,
			  const uint8_t *src)
{
	aes128_encrypt(ctx, n, dst, src);
}

static void kw_aes192_enc(const void *ctx, size_t n, uint8_t *dst,
			  const uint8_t *src)
{
	aes192_encrypt(ctx, n, dst, src);
}

static void kw_aes256_enc(const void *ctx, size_t n, uint8_t *dst,
			  const uint8_t *src)
{
	aes256_encrypt(ctx, n, dst, src);
}

static void kw_aes128_dec(const void *ctx, size_t n, uint8_t *dst,
			  const uint8_t *src)
{
	aes128_decrypt(ctx, n, dst, src);
}

static void kw_aes192_dec(const void *ctx, size_t n, uint8_t *dst,
			  const uint8_t *src)
{
	aes192_decrypt(ctx, n, dst, src);
}

static void kw_aes256_dec(const void *ctx, size_t n, uint8_t *dst,
			  const uint8_t *src)
{
	aes256_decrypt(ctx, n, dst, src);
}

static int kek_check(const uint8_t *kek, size_t keklen, const char *rule,
		     cachet_diag_t *diag)
{
	int ret = 0;

	/* RFC 3394 section 2: "The key encryption key (KEK) ... 128, 192,
	 * or 256 bits"; RFC 5649 section 1 likewise. */
	ENSURE(kek != NULL && (keklen == 16 || keklen == 24 || keklen == 32),
	       CACHET_E_BAD_KEY, rule, PATH_KW,
	       "AES key-encryption key of %zu octets (16, 24 or 32)", keklen);
cleanup:
	return ret;
}

static void kek_encrypt_key(kek_t *k, const uint8_t *kek, size_t keklen)
{
	switch (keklen) {
	case 16:
		aes128_set_encrypt_key(&k->u.a128, kek);
		k->fn = kw_aes128_enc;
		break;
	case 24:
		aes192_set_encrypt_key(&k->u.a192, kek);
		k->fn = kw_aes192_enc;
		break;
	default:
		aes256_set_encrypt_key(&k->u.a256, kek);
		k->fn = kw_aes256_enc;
		break;
	}
}

static void kek_decrypt_key(kek_t *k, const uint8_t *kek, size_t keklen)
{
	switch (keklen) {
	case 16:
		aes128_set_decrypt_key(&k->u.a128, kek);
		k->fn = kw_aes128_dec;
		break;
	case 24:
		aes192_set_decrypt_key(&k->u.a192, kek);
		k->fn = kw_aes192_dec;
		break;
	default:
		aes256_set_decrypt_key(&k->u.a256, kek);
		k->fn = kw_aes256_dec;
		break;
	}
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ------------------------------------------------------------------ */
/* RFC 3394 */

int _cachet_aes_kw_wrap(const uint8_t *kek, size_t keklen, const uint8_t *in,
			size_t inlen, uint8_t *out, size_t outcap,
			size_t *outlen, cachet_diag_t *diag)
{
	kek_t k;
	int ret;

	memset(&k, 0, sizeof(k));
	ENSURE(outlen != NULL && out != NULL && in != NULL,
	       CACHET_E_INVALID_ARG, RULE_KW, PATH_KW,
	       "missing key data or output");
	*outlen = 0;
	CHECK(kek_check(kek, keklen, RULE_KW, diag));
	/* RFC 3394 section 2: n >= 2 64-bit blocks of key data. */
	ENSURE(inlen % KW_SEMI == 0 && inlen >= 2 * KW_SEMI &&
		       inlen <= CACHET_KW_MAX,
	       CACHET_E_INVALID_ARG, RULE_KW, PATH_KW,
	       "key data of %zu octets (a multiple of 8, 16..%d)", inlen,
	       CACHET_KW_MAX);
	ENSURE(_cachet_add_ok(inlen, KW_SEMI, outcap), CACHET_E_INVALID_ARG,
	       RULE_KW, PATH_KW, "output of %zu octets, %zu needed", outcap,
	       inlen + KW_SEMI);
	kek_encrypt_key(&k, kek, keklen);
	nist_keywrap16(&k.u, k.fn, kw_default_iv, inlen + KW_SEMI, out, in);
	*outlen = inlen + KW_SEMI;
	ret = 0;
cleanup:
	WIPE_OBJ(&k);
	return ret;
}

int _cachet_aes_kw_unwrap(const uint8_t *kek, size_t keklen,
			  const uint8_t *in, size_t inlen, uint8_t *out,
			  size_t outcap, size_t *outlen, cachet_diag_t *diag)
{
	kek_t k;
	size_t plen;
	int ok;
	int ret;

	memset(&k, 0, sizeof(k));
	ENSURE(outlen != NULL && out != NULL && in != NULL,
	       CACHET_E_INVALID_ARG, RULE_KW, PATH_KW,
	       "missing wrapped key or output");
	*outlen = 0;
	CHECK(kek_check(kek, keklen, RULE_KW, diag));
	/* RFC 3394 section 2.2.2: (n + 1) 64-bit blocks, n >= 2.  A wrapped
	 * key of another length cannot unwrap: the same failure as a bad
	 * integrity check. */
	if (inlen % KW_SEMI != 0 || inlen < 3 * KW_SEMI ||
	    inlen > CACHET_KW_MAX + KW_SEMI) {
		ret = CACHET_E_DECRYPT_FAILED;
		goto cleanup;
	}
	plen = inlen - KW_SEMI; /* inlen >= 24 was checked above */
	ENSURE(outcap >= plen, CACHET_E_INVALID_ARG, RULE_KW, PATH_KW,
	       "output of %zu octets, %zu needed", outcap, plen);
	kek_decrypt_key(&k, kek, keklen);
	/* RFC 3394 section 2.2.3: "If A = IV, return P; else error".
	 * nettle compares with memeql_sec. */
	ok = nist_keyunwrap16(&k.u, k.fn, kw_default_iv, plen, out, in);
	/* Declassification point: the integrity verdict is the result. */
	if (ok != 1) {
		cachet_wipe(out, plen);
		ret = CACHET_E_DECRYPT_FAILED;
		goto cleanup;
	}
	*outlen = plen;
	ret = 0;
cleanup:
	WIPE_OBJ(&k);
	return ret;
}

/* ------------------------------------------------------------------ */
/* RFC 5649 */

void _cachet_kwp_wrap_core(const void *ctx, kw_block_fn_t *encrypt,
			   const uint8_t *in, size_t inlen, uint8_t *out)
{
	uint8_t padded[CACHET_KW_MAX];
	uint8_t aiv[KW_SEMI];
	uint8_t blk[2 * KW_SEMI];
	size_t n = (inlen + KW_SEMI - 1) / KW_SEMI;

	/* RFC 5649 section 3: AIV = A65959A6 || MLI (32 bits, big-endian). */
	memcpy(aiv, kwp_aiv_high, 4);
	put_be32(aiv + 4, (uint32_t)inlen);
	if (n == 1) {
		/* Section 4.1 step 2: eight octets are one ECB block with
		 * the AIV in front. */
		memset(blk, 0, sizeof(blk));
		memcpy(blk, aiv, KW_SEMI);
		memcpy(blk + KW_SEMI, in, inlen);
		encrypt(ctx, sizeof(blk), out, blk);
	} else {
		/* Section 4.1 step 1: pad with zero octets to a multiple of
		 * 8; step 2: RFC 3394 wrapping with the AIV. */
		memset(padded, 0, n * KW_SEMI);
		memcpy(padded, in, inlen);
		nist_keywrap16(ctx, encrypt, aiv, (n + 1) * KW_SEMI, out,
			       padded);
	}
	cachet_wipe(padded, n * KW_SEMI);
	WIPE_BUFFER(blk);
}

static void get_be64_xor(uint8_t *p, uint64_t t)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] ^= (uint8_t)t;
		t >>= 8;
	}
}

uint32_t _cachet_kwp_unwrap_core(const void *ctx, kw_block_fn_t *decrypt,
				 const uint8_t *in, size_t inlen,
				 uint8_t *out, size_t *mli)
{
	uint8_t a[KW_SEMI], b[2 * KW_SEMI], x[2 * KW_SEMI];
	size_t n = inlen / KW_SEMI - 1; /* caller: inlen >= 16 */
	size_t i, pos;
	uint32_t good, m, in_pad;
	int j;

	if (n == 1) {
		/* RFC 5649 section 4.2 step 1: A | P[1] = DEC(K, C[0] | C[1]). */
		decrypt(ctx, sizeof(b), b, in);
		memcpy(a, b, KW_SEMI);
		memcpy(out, b + KW_SEMI, KW_SEMI);
	} else {
		/* RFC 3394 section 2.2.2, steps 1 and 2 (index based):
		 * for j = 5..0, i = n..1:
		 *   B = AES-1(K, (A ^ t) | R[i]), t = n*j + i;
		 *   A = MSB(64, B); R[i] = LSB(64, B). */
		memcpy(a, in, KW_SEMI);
		memcpy(out, in + KW_SEMI, n * KW_SEMI);
		for (j = 5; j >= 0; j--) {
			for (i = n; i >= 1; i--) {
				memcpy(x, a, KW_SEMI);
				get_be64_xor(x, (uint64_t)n * (uint64_t)j + i);
				memcpy(x + KW_SEMI, out + (i - 1) * KW_SEMI,
				       KW_SEMI);
				decrypt(ctx, sizeof(x), b, x);
				memcpy(a, b, KW_SEMI);
				memcpy(out + (i - 1) * KW_SEMI, b + KW_SEMI,
				       KW_SEMI);
			}
		}
	}

	/* RFC 5649 section 3, the three checks, on masks:
	 * 1) MSB(32, A) = A65959A6; */
	good = _cachet_ct_memeq(a, kwp_aiv_high, 4);
	/* 2) 8*(n-1) < LSB(32, A) <= 8*n  (n <= CACHET_KW_MAX / 8 + 1, so
	 *    both bounds fit 32 bits); */
	m = ((uint32_t)a[4] << 24) | ((uint32_t)a[5] << 16) |
	    ((uint32_t)a[6] << 8) | (uint32_t)a[7];
	good &= _cachet_ct_lt((uint32_t)((n - 1) * KW_SEMI), m) &
		~_cachet_ct_lt((uint32_t)(n * KW_SEMI), m);
	/* 3) the b = 8n - MLI rightmost octets are zero.  Given check 2
	 *    they all lie in the last 64-bit block, so that block is
	 *    scanned in full: octet pos is padding when pos >= MLI. */
	for (i = 0; i < KW_SEMI; i++) {
		pos = (n - 1) * KW_SEMI + i;
		in_pad = ~_cachet_ct_lt((uint32_t)pos, m);
		good &= ~in_pad | _cachet_ct_is_zero(out[pos]);
	}
	good = _cachet_ct_barrier(good);
	*mli = (size_t)(good & m);
	WIPE_BUFFER(a);
	WIPE_BUFFER(b);
	WIPE_BUFFER(x);
	return good;
}

int _cachet_aes_kwp_wrap(const uint8_t *kek, size_t keklen, const uint8_t *in,
			 size_t inlen, uint8_t *out, size_t outcap,
			 size_t *outlen, cachet_diag_t *diag)
{
	kek_t k;
	size_t need;
	int ret;

	memset(&k, 0, sizeof(k));
	ENSURE(outlen != NULL && out != NULL && in != NULL,
	       CACHET_E_INVALID_ARG, RULE_KWP, PATH_KW,
	       "missing key data or output");
	*outlen = 0;
	CHECK(kek_check(kek, keklen, RULE_KWP, diag));
	/* RFC 5649 section 4.1: "between one and 2^32 octets"; the upper
	 * bound here is Cachet's. */
	ENSURE(inlen >= 1 && inlen <= CACHET_KW_MAX, CACHET_E_INVALID_ARG,
	       RULE_KWP, PATH_KW, "key data of %zu octets (1..%d)", inlen,
	       CACHET_KW_MAX);
	need = ((inlen + KW_SEMI - 1) / KW_SEMI + 1) * KW_SEMI;
	ENSURE(outcap >= need, CACHET_E_INVALID_ARG, RULE_KWP, PATH_KW,
	       "output of %zu octets, %zu needed", outcap, need);
	kek_encrypt_key(&k, kek, keklen);
	_cachet_kwp_wrap_core(&k.u, k.fn, in, inlen, out);
	*outlen = need;
	ret = 0;
cleanup:
	WIPE_OBJ(&k);
	return ret;
}

int _cachet_aes_kwp_unwrap(const uint8_t *kek, size_t keklen,
			   const uint8_t *in, size_t inlen, uint8_t *out,
			   size_t outcap, size_t *outlen, cachet_diag_t *diag)
{
	kek_t k;
	size_t plen, mli = 0;
	uint32_t good;
	int ret;

	memset(&k, 0, sizeof(k));
	ENSURE(outlen != NULL && out != NULL && in != NULL,
	       CACHET_E_INVALID_ARG, RULE_KWP, PATH_KW,
	       "missing wrapped key or output");
	*outlen = 0;
	CHECK(kek_check(kek, keklen, RULE_KWP, diag));
	/* RFC 5649 section 4.2: (n + 1) 64-bit blocks, n >= 1. */
	if (inlen % KW_SEMI != 0 || inlen < 2 * KW_SEMI ||
	    inlen > CACHET_KW_MAX + KW_SEMI) {
		ret = CACHET_E_DECRYPT_FAILED;
		goto cleanup;
	}
	plen = inlen - KW_SEMI; /* inlen >= 16 was checked above */
	ENSURE(outcap >= plen, CACHET_E_INVALID_ARG, RULE_KWP, PATH_KW,
	       "output of %zu octets, %zu needed", outcap, plen);
	kek_decrypt_key(&k, kek, keklen);
	good = _cachet_kwp_unwrap_core(&k.u, k.fn, in, inlen, out, &mli);
	/* Declassification point: the AIV verdict is the result, and the
	 * MLI becomes the (public) output length. */
	if (good == 0) {
		cachet_wipe(out, plen);
		ret = CACHET_E_DECRYPT_FAILED;
		goto cleanup;
	}
	/* RFC 5649 section 4.2 step 3: keep the first MLI octets; the
	 * padding octets are zero, cleared again for tidiness. */
	cachet_wipe(out + mli, plen - mli);
	*outlen = mli;
	ret = 0;
cleanup:
	WIPE_OBJ(&k);
	return ret;
}

/* ------------------------------------------------------------------ */
/* RFC 3217 section 3.2: Triple-DES key unwrap (decrypt only) */

/* The fixed IV of the outer CBC pass (RFC 3217 section 3.1, step 8). */
static const uint8_t des3_kw_iv[8] = {0x4a, 0xdd, 0xa2, 0x2c, 0x79, 0xe8, 0x21, 0x05};

uint32_t _cachet_des3_kw_check(const uint8_t *cekicv)
{
	uint8_t sum[SHA1_DIGEST_SIZE];
	struct sha1_ctx h;
	uint32_t good;

	/* Step 7: ICV is the first 8 octets of SHA-1(CEK).  Step 8: each
	 * key octet has odd parity.  One verdict for both, on masks. */
	sha1_init(&h);
	sha1_update(&h, 24, cekicv);
	sha1_digest(&h, sizeof(sum), sum);
	good = _cachet_tag_check(sum, cekicv + 24, 8);
	for (size_t i = 0; i < 24; i++) {
		uint32_t b = cekicv[i];
		b ^= b >> 4;
		b ^= b >> 2;
		b ^= b >> 1;
		good &= (uint32_t)0 - (b & 1); /* all ones when odd */
	}
	WIPE_BUFFER(sum);
	WIPE_OBJ(&h);
	return good;
}

int _cachet_des3_kw_unwrap(const uint8_t *kek, const uint8_t *in,
			   size_t inlen, uint8_t *cek)
{
	uint8_t t[CACHET_DES3_KW_LEN], rev[CACHET_DES3_KW_LEN];
	uint8_t cekicv[32];
	uint32_t good;
	int ret;

	/* Step 1: exactly 40 octets (a 24-octet key, its 8-octet checksum
	 * and the 8-octet IV). */
	if (inlen != CACHET_DES3_KW_LEN)
		return CACHET_E_DECRYPT_FAILED;
	/* Steps 2-4: undo the outer pass, then the reversal. */
	ret = _cachet_cbc_raw_decrypt(CACHET_ALG_DES_EDE3_CBC, kek, 24, des3_kw_iv, 8, in,
				      CACHET_DES3_KW_LEN, t, NULL);
	if (ret == 0) {
		for (size_t i = 0; i < CACHET_DES3_KW_LEN; i++)
			rev[i] = t[CACHET_DES3_KW_LEN - 1 - i];
		/* Steps 5-6: the IV is the first 8 octets; the rest decrypts
		 * to CEK || ICV. */
		ret = _cachet_cbc_raw_decrypt(CACHET_ALG_DES_EDE3_CBC, kek, 24, rev, 8, rev + 8, 32,
					      cekicv, NULL);
	}
	if (ret == 0) {
		good = _cachet_des3_kw_check(cekicv);
		/* Declassification point: the verdict is the return value. */
		if (good != 0)
			memcpy(cek, cekicv, 24);
		else
			ret = CACHET_E_DECRYPT_FAILED;
	}
	if (ret < 0)
		ret = CACHET_E_DECRYPT_FAILED;
	WIPE_BUFFER(t);
	WIPE_BUFFER(rev);
	WIPE_BUFFER(cekicv);
	return ret;
}
