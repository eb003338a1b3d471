/* ct-kw.c -- key unwrapping checks its integrity value without branching
 * on secret data: RFC 3394 (nettle's nist_keyunwrap16, memeql_sec) and
 * RFC 5649 (_cachet_kwp_unwrap_core: the AIV constant, the MLI bounds and
 * the zero padding, on masks).
 *
 * Both unwrapping cores are generic over the block cipher, and here run
 * over a toy 128-bit permutation (byte XOR, add and a fixed position
 * shuffle) instead of AES.  Its key is secret, so every value the
 * unwrapping computes -- A, the key data, the MLI -- is secret, and any
 * branch or memory index on them is reported.  AES itself is left out on
 * purpose: whether nettle's AES is table-free depends on the CPU (AES-NI
 * or not), which is not what this test is about.  The AES entry points
 * are exercised with public inputs at the end.
 */
#include "crypto-enc.h"
#include "ct.h"

#include <nettle/nist-keywrap.h>
#include <nettle/sha1.h>

#define TOY_BLOCK 16

static void toy_encrypt(const void *ctx, size_t n, uint8_t *dst,
			const uint8_t *src)
{
	const uint8_t *k = ctx;
	uint8_t t[TOY_BLOCK];
	size_t b, i;

	for (b = 0; b + TOY_BLOCK <= n; b += TOY_BLOCK) {
		for (i = 0; i < TOY_BLOCK; i++)
			t[(i * 5 + 3) % TOY_BLOCK] =
				(uint8_t)((src[b + i] ^ k[i]) +
					  k[(i + 7) % TOY_BLOCK]);
		memcpy(dst + b, t, TOY_BLOCK);
	}
}

static void toy_decrypt(const void *ctx, size_t n, uint8_t *dst,
			const uint8_t *src)
{
	const uint8_t *k = ctx;
	uint8_t t[TOY_BLOCK];
	size_t b, i;

	for (b = 0; b + TOY_BLOCK <= n; b += TOY_BLOCK) {
		for (i = 0; i < TOY_BLOCK; i++)
			t[i] = (uint8_t)((uint8_t)(src[b + (i * 5 + 3) %
							       TOY_BLOCK] -
						   k[(i + 7) % TOY_BLOCK]) ^
					 k[i]);
		memcpy(dst + b, t, TOY_BLOCK);
	}
}

static uint8_t key[TOY_BLOCK];

/* RFC 3394 through nettle, the toy key secret. */
static void kw_one(const uint8_t *wrapped, size_t plen, const uint8_t *want,
		   bool want_ok, const char *what)
{
	static const uint8_t iv[8] = { 0xa6, 0xa6, 0xa6, 0xa6,
				       0xa6, 0xa6, 0xa6, 0xa6 };
	uint8_t out[128];
	int ok;

	SECRET(key, sizeof(key));
	ok = nist_keyunwrap16(key, toy_decrypt, iv, plen, out, wrapped);
	PUBLIC(&ok, sizeof(ok));
	PUBLIC(out, plen);
	PUBLIC(key, sizeof(key));
	ct_check(ok == (want_ok ? 1 : 0) &&
			 (!want_ok || memcmp(out, want, plen) == 0),
		 "RFC 3394, %zu octets, %s: unwrap gave %d", plen, what, ok);
}

/* RFC 5649 core, the toy key secret. */
static void kwp_one(const uint8_t *wrapped, size_t wlen, const uint8_t *want,
		    size_t want_len, bool want_ok, const char *what)
{
	uint8_t out[128];
	size_t mli = 12345;
	uint32_t good;

	SECRET(key, sizeof(key));
	good = _cachet_kwp_unwrap_core(key, toy_decrypt, wrapped, wlen, out,
				       &mli);
	PUBLIC(&good, sizeof(good));
	PUBLIC(&mli, sizeof(mli));
	PUBLIC(out, wlen - 8);
	PUBLIC(key, sizeof(key));
	ct_check(good == (want_ok ? 0xffffffffu : 0) &&
			 mli == (want_ok ? want_len : 0) &&
			 (!want_ok || memcmp(out, want, want_len) == 0),
		 "RFC 5649, %zu octets wrapped, %s: good %08x, MLI %zu", wlen,
		 what, good, mli);
}

/* Wrap N8 octets of padded key data P under an arbitrary AIV A, as a
 * forger would. */
static size_t wrap_with_aiv(const uint8_t a[8], const uint8_t *p, size_t n8,
			    uint8_t *out)
{
	uint8_t blk[16];

	if (n8 == 8) {
		memcpy(blk, a, 8);
		memcpy(blk + 8, p, 8);
		toy_encrypt(key, 16, out, blk);
	} else {
		nist_keywrap16(key, toy_encrypt, a, n8 + 8, out, p);
	}
	return n8 + 8;
}

static void set_aiv(uint8_t a[8], uint32_t high, uint32_t mli)
{
	a[0] = (uint8_t)(high >> 24);
	a[1] = (uint8_t)(high >> 16);
	a[2] = (uint8_t)(high >> 8);
	a[3] = (uint8_t)high;
	a[4] = (uint8_t)(mli >> 24);
	a[5] = (uint8_t)(mli >> 16);
	a[6] = (uint8_t)(mli >> 8);
	a[7] = (uint8_t)mli;
}

/* RFC 3217 section 3.2 steps 7-8 on a secret CEK || ICV. */
static void des3_one(const uint8_t *cekicv, bool want_ok, const char *what)
{
	uint8_t c[32];
	uint32_t good;

	memcpy(c, cekicv, sizeof(c));
	SECRET(c, sizeof(c));
	good = _cachet_des3_kw_check(c);
	PUBLIC(&good, sizeof(good));
	ct_check(good == (want_ok ? 0xffffffffu : 0), "RFC 3217, %s: good %08x", what, good);
}

static void des3_cases(void)
{
	uint8_t c[32], sum[SHA1_DIGEST_SIZE];
	struct sha1_ctx h;

	ct_fill(c, 24);
	for (size_t i = 0; i < 24; i++) /* odd parity in every octet */
		c[i] = (uint8_t)((c[i] & 0xfe) | !(__builtin_popcount(c[i] & 0xfe) & 1));
	sha1_init(&h);
	sha1_update(&h, 24, c);
	sha1_digest(&h, sizeof(sum), sum);
	memcpy(c + 24, sum, 8);
	des3_one(c, true, "valid");
	c[31] ^= 0x01;
	des3_one(c, false, "checksum off by one bit");
	c[31] ^= 0x01;
	c[5] ^= 0x01; /* even parity now, and another checksum */
	des3_one(c, false, "a key octet with even parity");
	c[5] ^= 0x01;
	/* Even parity with the right checksum of the changed key. */
	c[0] ^= 0x01;
	sha1_init(&h);
	sha1_update(&h, 24, c);
	sha1_digest(&h, sizeof(sum), sum);
	memcpy(c + 24, sum, 8);
	des3_one(c, false, "even parity, matching checksum");
}

int main(void)
{
	static const uint8_t bad_iv[8] = { 0xa6, 0xa6, 0xa6, 0xa6,
					   0xa6, 0xa6, 0xa6, 0xa7 };
	static const uint8_t def_iv[8] = { 0xa6, 0xa6, 0xa6, 0xa6,
					   0xa6, 0xa6, 0xa6, 0xa6 };
	static const size_t kw_lens[] = { 16, 24, 32, 64 };
	static const size_t kwp_n8[] = { 8, 24 };
	uint8_t data[128], padded[128], wrapped[160], aiv[8], out[160];
	uint8_t kek[32];
	size_t i, len, wlen, n8, olen;
	int ret;

	ct_fill(key, sizeof(key));
	ct_fill(data, sizeof(data));

	/* RFC 3217 (Triple-DES key wrap) */
	des3_cases();

	/* RFC 3394 */
	for (i = 0; i < sizeof(kw_lens) / sizeof(kw_lens[0]); i++) {
		len = kw_lens[i];
		nist_keywrap16(key, toy_encrypt, def_iv, len + 8, wrapped,
			       data);
		kw_one(wrapped, len, data, true, "valid");
		nist_keywrap16(key, toy_encrypt, bad_iv, len + 8, wrapped,
			       data);
		kw_one(wrapped, len, data, false, "another IV");
	}

	/* RFC 5649: every length, valid */
	for (len = 1; len <= 64; len++) {
		_cachet_kwp_wrap_core(key, toy_encrypt, data, len, wrapped);
		wlen = ((len + 7) / 8 + 1) * 8;
		kwp_one(wrapped, wlen, data, len, true, "valid");
	}
	/* RFC 5649: each way the AIV can be wrong, with one block (n = 1)
	 * and with three (n = 3) */
	for (i = 0; i < sizeof(kwp_n8) / sizeof(kwp_n8[0]); i++) {
		n8 = kwp_n8[i];
		memcpy(padded, data, n8);
		memset(padded + n8 - 3, 0, 3);
		set_aiv(aiv, 0xa65959a6u, (uint32_t)n8 - 3);
		wlen = wrap_with_aiv(aiv, padded, n8, wrapped);
		kwp_one(wrapped, wlen, padded, n8 - 3, true, "MLI 8n-3");

		set_aiv(aiv, 0xa65959a7u, (uint32_t)n8 - 3);
		wlen = wrap_with_aiv(aiv, padded, n8, wrapped);
		kwp_one(wrapped, wlen, NULL, 0, false, "wrong AIV constant");

		set_aiv(aiv, 0xa6a6a6a6u, 0xa6a6a6a6u);
		wlen = wrap_with_aiv(aiv, padded, n8, wrapped);
		kwp_one(wrapped, wlen, NULL, 0, false, "RFC 3394 IV");

		set_aiv(aiv, 0xa65959a6u, 0);
		wlen = wrap_with_aiv(aiv, padded, n8, wrapped);
		kwp_one(wrapped, wlen, NULL, 0, false, "MLI 0");

		set_aiv(aiv, 0xa65959a6u, (uint32_t)n8 - 8);
		wlen = wrap_with_aiv(aiv, padded, n8, wrapped);
		kwp_one(wrapped, wlen, NULL, 0, false, "MLI 8(n-1)");

		set_aiv(aiv, 0xa65959a6u, (uint32_t)n8 + 1);
		wlen = wrap_with_aiv(aiv, padded, n8, wrapped);
		kwp_one(wrapped, wlen, NULL, 0, false, "MLI 8n+1");

		set_aiv(aiv, 0xa65959a6u, 0xffffffffu);
		wlen = wrap_with_aiv(aiv, padded, n8, wrapped);
		kwp_one(wrapped, wlen, NULL, 0, false, "MLI 2^32-1");

		padded[n8 - 1] = 0x01;
		set_aiv(aiv, 0xa65959a6u, (uint32_t)n8 - 3);
		wlen = wrap_with_aiv(aiv, padded, n8, wrapped);
		kwp_one(wrapped, wlen, NULL, 0, false, "last padding octet 1");
		padded[n8 - 1] = 0x00;

		padded[n8 - 3] = 0x80;
		wlen = wrap_with_aiv(aiv, padded, n8, wrapped);
		kwp_one(wrapped, wlen, NULL, 0, false, "first padding octet set");
		padded[n8 - 3] = 0x00;

		set_aiv(aiv, 0xa65959a6u, (uint32_t)n8 - 7);
		memset(padded + n8 - 7, 0, 7);
		wlen = wrap_with_aiv(aiv, padded, n8, wrapped);
		kwp_one(wrapped, wlen, padded, n8 - 7, true, "MLI 8n-7");
	}

	/* The AES entry points, public inputs. */
	memset(kek, 0x3c, sizeof(kek));
	ret = _cachet_aes_kwp_wrap(kek, 32, data, 20, wrapped, sizeof(wrapped),
				   &wlen, NULL);
	if (ret == 0)
		ret = _cachet_aes_kwp_unwrap(kek, 32, wrapped, wlen, out,
					     sizeof(out), &olen, NULL);
	ct_check(ret == 0 && olen == 20 && memcmp(out, data, 20) == 0,
		 "AES-256 padded key wrap round trip: %d", ret);
	wrapped[3] ^= 1;
	ret = _cachet_aes_kwp_unwrap(kek, 32, wrapped, wlen, out, sizeof(out),
				     &olen, NULL);
	ct_check(ret == CACHET_E_DECRYPT_FAILED, "tampered: %d", ret);
	ret = _cachet_aes_kw_wrap(kek, 16, data, 32, wrapped, sizeof(wrapped),
				  &wlen, NULL);
	if (ret == 0)
		ret = _cachet_aes_kw_unwrap(kek, 16, wrapped, wlen, out,
					    sizeof(out), &olen, NULL);
	ct_check(ret == 0 && olen == 32 && memcmp(out, data, 32) == 0,
		 "AES-128 key wrap round trip: %d", ret);
	return ct_finish("ct-kw");
}
