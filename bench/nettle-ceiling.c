/* nettle-ceiling.c -- Nettle's raw SHA-256 throughput, the ceiling for
 * large-message signing and verification (both are one pass of SHA-256
 * over the content plus a constant amount of work).
 *
 * Usage: nettle-ceiling [MIB] [REPEAT]
 * Hashes a MIB-MiB buffer (default 64) REPEAT times (default 3) in
 * 64 KiB updates, the library's chunk size, and prints the best rate in
 * MB/s (10^6 bytes per second) on one line.
 */
#include <config.h>

#include <nettle/sha2.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CHUNK 65536

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
	int repeat = argc > 2 ? atoi(argv[2]) : 3;
	if (mib == 0 || repeat <= 0) {
		fprintf(stderr, "usage: nettle-ceiling [MIB] [REPEAT]\n");
		return 2;
	}
	size_t size = mib << 20;
	uint8_t *buf = malloc(size);
	if (buf == NULL) {
		perror("malloc");
		return 1;
	}
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < size; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (uint8_t)x;
	}
	double best = 0;
	uint8_t digest[SHA256_DIGEST_SIZE];
	for (int r = 0; r < repeat; r++) {
		struct sha256_ctx ctx;
		double t0 = now();
		sha256_init(&ctx);
		for (size_t off = 0; off < size; off += CHUNK)
			sha256_update(&ctx, size - off < CHUNK ? size - off : CHUNK, buf + off);
		sha256_digest(&ctx, sizeof(digest), digest);
		double mbs = (double)size / 1e6 / (now() - t0);
		if (mbs > best)
			best = mbs;
	}
	printf("%.1f\n", best);
	free(buf);
	volatile uint8_t keep = digest[0]; /* keep the hashing live */
	(void)keep;
	return 0;
}
