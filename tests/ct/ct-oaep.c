/* ct-oaep.c -- EME-OAEP decoding (_cachet_oaep_unpad) unmasks and checks
 * the encoded message in one pass with no branch and no memory access
 * that depends on it.
 *
 * EM -- the output of the RSA private operation -- is secret during the
 * decoding.  The cases cover a valid EM at several message lengths
 * (including empty and the longest), and each way it can be invalid:
 * Y not zero, lHash wrong in one octet, a non-zero octet before the 0x01
 * separator, no separator at all, and another label.  Invalid EMs are
 * built by hand: DB chosen, then masked with MGF1 exactly as RFC 8017
 * section 7.1.1 does.
 *
 * Not covered here: the RSA private operation itself (nettle's
 * rsa_compute_root_tr), see README.
 */
#include "crypto-enc.h"
#include "ct.h"

#define K 256 /* a 2048-bit modulus */

static void mgf1_xor(cachet_alg_id_t h, const uint8_t *seed, size_t slen,
		     uint8_t *out, size_t n)
{
	uint8_t d[CACHET_MAX_DIGEST], c[4];
	cachet_hash_t ctx;
	size_t hlen = _cachet_hash_size(h), done = 0, i;
	uint32_t cnt = 0;

	while (done < n) {
		if (_cachet_hash_init(&ctx, h) < 0)
			abort();
		c[0] = (uint8_t)(cnt >> 24);
		c[1] = (uint8_t)(cnt >> 16);
		c[2] = (uint8_t)(cnt >> 8);
		c[3] = (uint8_t)cnt;
		_cachet_hash_update(&ctx, seed, slen);
		_cachet_hash_update(&ctx, c, 4);
		_cachet_hash_final(&ctx, d);
		for (i = 0; i < hlen && done < n; i++)
			out[done++] ^= d[i];
		cnt++;
	}
}

/* EM = Y || maskedSeed || maskedDB from the given DB (K - hLen - 1
 * octets) and seed. */
static void mask(const cachet_oaep_params_t *p, uint8_t y, const uint8_t *db,
		 const uint8_t *seed, uint8_t *em)
{
	size_t hlen = _cachet_hash_size(p->hash), dblen = K - hlen - 1;

	em[0] = y;
	memcpy(em + 1, seed, hlen);
	memcpy(em + 1 + hlen, db, dblen);
	mgf1_xor(p->mgf_hash, seed, hlen, em + 1 + hlen, dblen);
	mgf1_xor(p->mgf_hash, em + 1 + hlen, dblen, em + 1, hlen);
}

static void one(const cachet_oaep_params_t *p, const uint8_t *em_in,
		bool want_ok, const uint8_t *msg, size_t mlen, const char *what)
{
	uint8_t em[K];
	size_t off = 7;
	uint32_t good;

	memcpy(em, em_in, K);
	SECRET(em, K);
	good = _cachet_oaep_unpad(p, em, K, &off);
	PUBLIC(&good, sizeof(good));
	PUBLIC(&off, sizeof(off));
	PUBLIC(em, K);
	ct_check(good == (want_ok ? 0xffffffffu : 0) &&
			 off == (want_ok ? K - mlen : K) &&
			 (!want_ok || memcmp(em + off, msg, mlen) == 0),
		 "%s/%s, %s: good %08x, offset %zu",
		 _cachet_alg_by_id(p->hash)->name,
		 _cachet_alg_by_id(p->mgf_hash)->name, what, good, off);
}

int main(void)
{
	static const uint8_t label[] = "ct-oaep label";
	static const struct {
		cachet_alg_id_t h, mgf;
		bool has_label;
	} modes[] = {
		{ CACHET_ALG_SHA256, CACHET_ALG_SHA256, true },
		{ CACHET_ALG_SHA1, CACHET_ALG_SHA1, false },
		{ CACHET_ALG_SHA384, CACHET_ALG_SHA1, false },
		{ CACHET_ALG_SHA512, CACHET_ALG_SHA512, true },
	};
	uint8_t msg[K], seed[CACHET_MAX_DIGEST], em[K], db[K];
	cachet_oaep_params_t p;
	size_t m, hlen, dblen, max, lens[5], i, j;

	ct_fill(msg, sizeof(msg));
	for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		memset(&p, 0, sizeof(p));
		p.hash = modes[m].h;
		p.mgf_hash = modes[m].mgf;
		if (modes[m].has_label) {
			p.label = label;
			p.label_len = sizeof(label) - 1;
		}
		hlen = _cachet_hash_size(p.hash);
		dblen = K - hlen - 1;
		max = K - 2 * hlen - 2;
		ct_fill(seed, hlen);

		/* valid, through the library's own encoder */
		lens[0] = 0;
		lens[1] = 1;
		lens[2] = 16;
		lens[3] = max - 1;
		lens[4] = max;
		for (i = 0; i < 5; i++) {
			if (_cachet_oaep_pad(&p, msg, lens[i], seed, em, K) < 0)
				abort();
			one(&p, em, true, msg, lens[i], "valid");
		}

		/* DB = lHash || PS || 01 || M by hand, then broken */
		if (_cachet_hash_once(p.hash, p.label, p.label_len, db) < 0)
			abort();
		memset(db + hlen, 0, dblen - hlen);
		db[dblen - 17] = 0x01;
		memcpy(db + dblen - 16, msg, 16);
		mask(&p, 0x00, db, seed, em);
		one(&p, em, true, msg, 16, "valid, built by hand");

		mask(&p, 0x01, db, seed, em);
		one(&p, em, false, NULL, 0, "Y = 01");
		mask(&p, 0x80, db, seed, em);
		one(&p, em, false, NULL, 0, "Y = 80");

		for (j = 0; j < hlen; j += hlen - 1) {
			db[j] ^= 0x20;
			mask(&p, 0x00, db, seed, em);
			one(&p, em, false, NULL, 0, "lHash off by one bit");
			db[j] ^= 0x20;
		}

		db[hlen + 3] = 0x02;
		mask(&p, 0x00, db, seed, em);
		one(&p, em, false, NULL, 0, "02 in PS");
		db[hlen + 3] = 0x00;
		db[dblen - 18] = 0xff;
		mask(&p, 0x00, db, seed, em);
		one(&p, em, false, NULL, 0, "ff just before the separator");
		db[dblen - 18] = 0x00;

		db[dblen - 17] = 0x00;
		memset(db + dblen - 16, 0, 16);
		mask(&p, 0x00, db, seed, em);
		one(&p, em, false, NULL, 0, "no separator (all zero)");

		/* the separator first, then anything (valid: the message may
		 * hold 01 and other octets) */
		memset(db + hlen, 0x01, dblen - hlen);
		mask(&p, 0x00, db, seed, em);
		one(&p, em, true, db + hlen + 1, dblen - hlen - 1,
		    "01 at once, M of 01s");

		/* another label */
		if (_cachet_oaep_pad(&p, msg, 16, seed, em, K) < 0)
			abort();
		p.label_len = p.label_len ? p.label_len - 1 : 3;
		p.label = label;
		one(&p, em, false, NULL, 0, "another label");
	}
	return ct_finish("ct-oaep");
}
