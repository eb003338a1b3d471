/* ct-tag.c -- the AEAD tag comparison (_cachet_tag_check, nettle's
 * memeql_sec) and the library's own equality mask (_cachet_ct_memeq) do
 * not branch on the tags.
 *
 * Both the computed and the received tag are secret during the check:
 * equal tags, and tags that differ in one bit at every position, for
 * every ICV length RFC 5084 allows (12..16) and the ChaCha20-Poly1305
 * length (16).  The end-to-end path (AES-GCM decrypt, final) is run too,
 * with public inputs, to show the functions under test are the ones the
 * decryptor uses.
 */
#include "crypto-enc.h"
#include "ct.h"

static void one(const uint8_t *a_in, const uint8_t *b_in, size_t n,
		bool want_eq, const char *what, size_t pos)
{
	uint8_t a[16], b[16];
	uint32_t m1, m2;

	memcpy(a, a_in, n);
	memcpy(b, b_in, n);
	SECRET(a, n);
	SECRET(b, n);
	m1 = _cachet_tag_check(a, b, n);
	m2 = _cachet_ct_memeq(a, b, n);
	PUBLIC(&m1, sizeof(m1));
	PUBLIC(&m2, sizeof(m2));
	PUBLIC(a, n);
	PUBLIC(b, n);
	ct_check(m1 == (want_eq ? 0xffffffffu : 0) && m1 == m2,
		 "%zu-octet tags, %s at %zu: tag_check %08x, memeq %08x", n,
		 what, pos, m1, m2);
}

int main(void)
{
	uint8_t a[16], b[16], key[16], iv[12], ct[48], out[128], tag[16];
	cachet_cipher_params_t p;
	cachet_encryptor_t *e = NULL;
	cachet_decryptor_t *d = NULL;
	size_t n, i, bit, olen, clen, tl;
	int ret;

	for (n = 12; n <= 16; n++) {
		ct_fill(a, sizeof(a));
		memcpy(b, a, sizeof(b));
		one(a, b, n, true, "equal", 0);
		for (i = 0; i < n; i++) {
			for (bit = 0; bit < 8; bit += 7) {
				b[i] ^= (uint8_t)(1u << bit);
				one(a, b, n, false, "one bit off", i);
				b[i] ^= (uint8_t)(1u << bit);
			}
		}
		memset(b, 0, sizeof(b));
		memset(a, 0xff, sizeof(a));
		one(a, b, n, false, "all bits off", 0);
	}

	/* end to end, public inputs */
	memset(key, 0x42, sizeof(key));
	memset(iv, 0x24, sizeof(iv));
	memset(&p, 0, sizeof(p));
	p.alg = CACHET_ALG_AES128_GCM;
	p.key = key;
	p.key_len = sizeof(key);
	p.iv = iv;
	p.iv_len = sizeof(iv);
	olen = 0;
	ret = _cachet_encryptor_init(&e, &p, NULL);
	if (ret == 0)
		ret = _cachet_encryptor_update(
			e, (const uint8_t *)"0123456789abcdef0123456789", 26, ct,
			sizeof(ct), &olen);
	clen = olen;
	if (ret == 0)
		ret = _cachet_encryptor_final(e, ct + clen, sizeof(ct) - clen,
					      &olen, tag, sizeof(tag), &tl);
	clen += olen;
	_cachet_encryptor_free(e);
	ct_check(ret == 0 && clen == 26 && tl == 12, "GCM encrypt: %d", ret);
	for (i = 0; i < 2; i++) {
		ret = _cachet_decryptor_init(&d, &p, NULL);
		if (ret == 0)
			ret = _cachet_decryptor_update(d, ct, clen, out,
						       sizeof(out), &olen);
		if (i == 1)
			tag[3] ^= 0x10;
		if (ret == 0)
			ret = _cachet_decryptor_final(d, tag, tl, out + olen,
						      sizeof(out) - olen, &olen);
		_cachet_decryptor_free(d);
		d = NULL;
		ct_check(i == 0 ? ret == 0 : ret == CACHET_E_DECRYPT_FAILED,
			 "GCM decrypt with %s tag: %d", i ? "a bad" : "the",
			 ret);
	}
	return ct_finish("ct-tag");
}
