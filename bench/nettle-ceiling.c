/* nettle-ceiling.c -- Nettle's raw throughput for one primitive, the
 * ceiling for a whole-process Cachet figure on a large message.
 *
 * Usage: nettle-ceiling [MIB] [REPEAT] [ALG]
 *
 * Runs ALG over a MIB-MiB buffer (default 64) REPEAT times (default 3)
 * in 64 KiB steps, the library's chunk size (CACHET_CHUNK), and prints
 * the best rate in MB/s (10^6 bytes per second) on one line.  ALG is one
 * of:
 *
 *   sha256                   SHA-256 (the default): signing and verifying
 *                            are one pass of it plus constant work
 *   aes128-gcm-enc, -dec     gcm_aes128_encrypt/_decrypt, then the tag
 *   aes256-cbc-enc           cbc_aes256_encrypt (Nettle 3.8's CBC
 *                            encryption with the AES rounds inlined;
 *                            AES-NI assembly on x86_64)
 *   aes256-cbc-enc-generic   cbc_encrypt with aes256_encrypt as the block
 *                            function, one call per 16-octet block
 *   aes256-cbc-dec           cbc_decrypt with aes256_decrypt (Nettle
 *                            decrypts the whole step in one call, then
 *                            XORs)
 *
 * The ciphers read the big buffer and write into one 64 KiB output
 * buffer that is reused, as a streaming encryptor writes a chunk and
 * hands it to its sink.  Key, IV and data are fixed pseudo-random bytes;
 * no tag or padding is checked, so the figure is the cipher alone.
 */
#include <config.h>

#include <nettle/aes.h>
#include <nettle/cbc.h>
#include <nettle/gcm.h>
#include <nettle/sha2.h>
#include <nettle/version.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHUNK 65536

/* cbc_aes256_encrypt arrived in Nettle 3.8. */
#if NETTLE_VERSION_MAJOR > 3 || (NETTLE_VERSION_MAJOR == 3 && NETTLE_VERSION_MINOR >= 8)
#define HAVE_CBC_AES256_ENCRYPT 1
#endif

/* Nettle 4 drops the length argument of the AEAD digest functions
 * (src/lib/crypto-cipher.c does the same). */
#ifdef CACHET_NETTLE_DIGEST_NO_LENGTH
#define GCM_TAG(ctx, out) gcm_aes128_digest((ctx), (out))
#else
#define GCM_TAG(ctx, out) gcm_aes128_digest((ctx), GCM_DIGEST_SIZE, (out))
#endif

typedef enum {
	ALG_SHA256,
	ALG_GCM_ENC,
	ALG_GCM_DEC,
	ALG_CBC_ENC,
	ALG_CBC_ENC_GENERIC,
	ALG_CBC_DEC,
} alg_t;

static const struct {
	const char *name;
	alg_t alg;
} algs[] = {
	{ "sha256", ALG_SHA256 },
	{ "aes128-gcm-enc", ALG_GCM_ENC },
	{ "aes128-gcm-dec", ALG_GCM_DEC },
	{ "aes256-cbc-enc", ALG_CBC_ENC },
	{ "aes256-cbc-enc-generic", ALG_CBC_ENC_GENERIC },
	{ "aes256-cbc-dec", ALG_CBC_DEC },
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fill(uint8_t *p, size_t n, uint32_t x)
{
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

static size_t step(size_t size, size_t off)
{
	return size - off < CHUNK ? size - off : CHUNK;
}

/* One pass of ALG over BUF; OUT is a CHUNK-octet scratch buffer.  Returns
 * an octet of the result, so that the work stays live. */
static uint8_t run(alg_t alg, const uint8_t *buf, size_t size, uint8_t *out)
{
	uint8_t key[32], iv[16], tag[32];
	fill(key, sizeof(key), 0x9e3779b9u);
	fill(iv, sizeof(iv), 0x7f4a7c15u);

	switch (alg) {
	case ALG_SHA256: {
		struct sha256_ctx ctx;
		sha256_init(&ctx);
		for (size_t off = 0; off < size; off += CHUNK)
			sha256_update(&ctx, step(size, off), buf + off);
		sha256_digest(&ctx, SHA256_DIGEST_SIZE, tag);
		return tag[0];
	}
	case ALG_GCM_ENC:
	case ALG_GCM_DEC: {
		struct gcm_aes128_ctx ctx;
		gcm_aes128_set_key(&ctx, key);
		gcm_aes128_set_iv(&ctx, GCM_IV_SIZE, iv);
		for (size_t off = 0; off < size; off += CHUNK) {
			if (alg == ALG_GCM_ENC)
				gcm_aes128_encrypt(&ctx, step(size, off), out, buf + off);
			else
				gcm_aes128_decrypt(&ctx, step(size, off), out, buf + off);
		}
		GCM_TAG(&ctx, tag);
		return tag[0] ^ out[0];
	}
	case ALG_CBC_ENC:
#ifdef HAVE_CBC_AES256_ENCRYPT
	{
		struct aes256_ctx ctx;
		aes256_set_encrypt_key(&ctx, key);
		for (size_t off = 0; off < size; off += CHUNK)
			cbc_aes256_encrypt(&ctx, iv, step(size, off), out, buf + off);
		return out[0];
	}
#endif
		/* Without it, the generic path is Nettle's best. */
		/* fall through */
	case ALG_CBC_ENC_GENERIC: {
		struct aes256_ctx ctx;
		aes256_set_encrypt_key(&ctx, key);
		for (size_t off = 0; off < size; off += CHUNK)
			cbc_encrypt(&ctx, (nettle_cipher_func *)aes256_encrypt, AES_BLOCK_SIZE, iv,
				    step(size, off), out, buf + off);
		return out[0];
	}
	case ALG_CBC_DEC: {
		struct aes256_ctx ctx;
		aes256_set_decrypt_key(&ctx, key);
		for (size_t off = 0; off < size; off += CHUNK)
			cbc_decrypt(&ctx, (nettle_cipher_func *)aes256_decrypt, AES_BLOCK_SIZE, iv,
				    step(size, off), out, buf + off);
		return out[0];
	}
	}
	return 0;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
	int repeat = argc > 2 ? atoi(argv[2]) : 3;
	const char *name = argc > 3 ? argv[3] : "sha256";
	size_t a = 0;
	while (a < sizeof(algs) / sizeof(algs[0]) && strcmp(algs[a].name, name) != 0)
		a++;
	if (mib == 0 || repeat <= 0 || argc > 4 || a == sizeof(algs) / sizeof(algs[0])) {
		fprintf(stderr, "usage: nettle-ceiling [MIB] [REPEAT] [ALG]\nALG:");
		for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
			fprintf(stderr, " %s", algs[i].name);
		fprintf(stderr, "\n");
		return 2;
	}
	size_t size = mib << 20; /* a multiple of the AES block */
	uint8_t *buf = malloc(size);
	uint8_t *out = malloc(CHUNK);
	if (buf == NULL || out == NULL) {
		perror("malloc");
		return 1;
	}
	fill(buf, size, 2463534242u);
	double best = 0;
	volatile uint8_t keep = 0; /* keeps the work live */
	for (int r = 0; r < repeat; r++) {
		double t0 = now();
		keep ^= run(algs[a].alg, buf, size, out);
		double mbs = (double)size / 1e6 / (now() - t0);
		if (mbs > best)
			best = mbs;
	}
	printf("%.1f\n", best);
	free(buf);
	free(out);
	return 0;
}
