/* ct-cbcpad.c -- the PKCS#7 padding check of CBC decryption
 * (_cachet_cbc_unpad) does not branch on, or index memory by, the
 * decrypted last block.
 *
 * Every value of the last octet is tried, for 8- and 16-octet blocks,
 * with valid paddings, paddings with one wrong octet at each position,
 * and random blocks; the block is secret during the check.  The verdict
 * and the kept length are declassified afterwards, as the decryptor does
 * when it returns.
 */
#include "crypto-enc.h"
#include "ct.h"

static void one(const uint8_t *blk_in, size_t bs, bool want_good,
		size_t want_keep, const char *what, unsigned v)
{
	uint8_t blk[16];
	size_t keep = 99;
	uint32_t good;

	memcpy(blk, blk_in, bs);
	SECRET(blk, bs);
	good = _cachet_cbc_unpad(blk, bs, &keep);
	PUBLIC(&good, sizeof(good));
	PUBLIC(&keep, sizeof(keep));
	PUBLIC(blk, bs);
	ct_check(good == (want_good ? 0xffffffffu : 0) &&
			 keep == (want_good ? want_keep : 0),
		 "block %zu, last octet %u, %s: got good %08x keep %zu", bs, v,
		 what, good, keep);
}

int main(void)
{
	uint8_t blk[16];
	size_t bs, i;
	unsigned v;

	/* 8-octet blocks (3DES, RC2) and 16-octet blocks (AES) */
	for (bs = 8; bs <= sizeof(blk); bs += 8) {
		for (v = 0; v < 256; v++) {
			/* random content, last octet v */
			ct_fill(blk, bs);
			blk[bs - 1] = (uint8_t)v;
			if (v >= 1 && v <= bs) {
				/* a valid padding of v octets */
				memset(blk + bs - v, (int)v, v);
				one(blk, bs, true, bs - v, "valid", v);
				/* one wrong octet inside the padding */
				for (i = bs - v; i + 1 < bs; i++) {
					blk[i] ^= 0x40;
					one(blk, bs, false, 0, "one octet off",
					    v);
					blk[i] ^= 0x40;
				}
			} else {
				one(blk, bs, false, 0, "out of range", v);
				/* even when all octets equal it */
				memset(blk, (int)v, bs);
				one(blk, bs, false, 0, "uniform, out of range",
				    v);
			}
		}
	}
	return ct_finish("ct-cbcpad");
}
