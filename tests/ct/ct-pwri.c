/* ct-pwri.c -- the key format check of the RFC 3211 key unwrap
 * (_cachet_pwri_check, used by PasswordRecipientInfo) does not branch
 * on, or index memory by, the decrypted key block.
 *
 * The block is what the two CBC passes recover with a password-derived
 * KEK: secret.  Cases: valid blocks for several CEK lengths and block
 * counts; each checked octet (the count and the three check octets, and
 * the three key octets they cover) flipped by one bit and set to every
 * value; random blocks.  The verdict is declassified afterwards, as
 * ri-pwri.c does when it turns it into the result.
 */
#include "ri-int.h"
#include "ct.h"

static void one(const uint8_t *blk_in, size_t n, size_t ceklen, bool want, const char *what,
		unsigned v)
{
	uint8_t blk[64];
	uint32_t good;

	memcpy(blk, blk_in, n);
	SECRET(blk, n);
	good = _cachet_pwri_check(blk, n, ceklen);
	PUBLIC(&good, sizeof(good));
	PUBLIC(blk, n);
	ct_check(good == (want ? 0xffffffffu : 0), "block of %zu, CEK %zu, %s (%u): got %08x", n,
		 ceklen, what, v, good);
}

/* A valid formatted block (RFC 3211 section 2.3.1) of N octets for a
 * CEK of CEKLEN octets. */
static void format(uint8_t *blk, size_t n, size_t ceklen)
{
	ct_fill(blk, n);
	blk[0] = (uint8_t)ceklen;
	blk[1] = (uint8_t)~blk[4];
	blk[2] = (uint8_t)~blk[5];
	blk[3] = (uint8_t)~blk[6];
}

int main(void)
{
	static const size_t ceklens[] = {5, 8, 16, 24, 32};
	static const size_t sizes[] = {16, 32, 48};
	uint8_t blk[64];
	size_t c, s, pos;
	unsigned v, r;

	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (c = 0; c < sizeof(ceklens) / sizeof(ceklens[0]); c++) {
			size_t n = sizes[s], ceklen = ceklens[c];

			if (4 + ceklen > n)
				continue;
			format(blk, n, ceklen);
			one(blk, n, ceklen, true, "valid", 0);
			/* one bit off in each octet the check reads */
			for (pos = 0; pos < 7; pos++) {
				for (v = 0; v < 8; v++) {
					blk[pos] ^= (uint8_t)(1u << v);
					one(blk, n, ceklen, false, "one bit off", (unsigned)pos);
					blk[pos] ^= (uint8_t)(1u << v);
				}
			}
			/* every count octet */
			for (v = 0; v < 256; v++) {
				uint8_t keep = blk[0];

				blk[0] = (uint8_t)v;
				one(blk, n, ceklen, v == ceklen, "count", v);
				blk[0] = keep;
			}
			/* every value of the first check octet */
			for (v = 0; v < 256; v++) {
				uint8_t keep = blk[1];

				blk[1] = (uint8_t)v;
				one(blk, n, ceklen, v == (uint8_t)~blk[4], "check", v);
				blk[1] = keep;
			}
			/* octets outside the count, check and covered key
			 * octets do not matter */
			for (pos = 7; pos < n; pos++) {
				blk[pos] ^= 0x5a;
				one(blk, n, ceklen, true, "other octet changed", (unsigned)pos);
				blk[pos] ^= 0x5a;
			}
			/* random blocks (a random block passes with probability
			 * 2^-32; the generator is fixed, so the outcome is
			 * known and checked) */
			for (r = 0; r < 64; r++) {
				bool want;

				ct_fill(blk, n);
				want = blk[0] == ceklen && (uint8_t)(blk[1] ^ blk[4]) == 0xff &&
				       (uint8_t)(blk[2] ^ blk[5]) == 0xff &&
				       (uint8_t)(blk[3] ^ blk[6]) == 0xff;
				one(blk, n, ceklen, want, "random", r);
			}
		}
	}
	return ct_finish("ct-pwri");
}
