/* replay.c -- run a fuzz target over files without libFuzzer.
 *
 * Usage: replay-NAME [FILE|DIR]...
 * Each FILE, and each regular file in each DIR (sorted, dot files left
 * out), is passed to LLVMFuzzerTestOneInput once; a line of TAP is
 * printed per input ("ok N - path").  Without arguments the target's own
 * corpus and reproducer directories are replayed:
 * $top_srcdir/fuzz/FUZZ_NAME.in and .repro ($srcdir, then the source
 * directory this was built from, when top_srcdir is not set).  A crash
 * ends the run, which the TAP driver reports as an error.
 */
#include <config.h>

#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef FUZZ_NAME
#error "FUZZ_NAME must name the target, e.g. cachet_ber_fuzzer"
#endif
#ifndef FUZZ_SRCDIR
#define FUZZ_SRCDIR "."
#endif

static unsigned count;
static unsigned failed;

static int read_file(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;

	if (f == NULL)
		return -1;
	for (;;) {
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			uint8_t *n = realloc(buf, ncap);
			if (n == NULL)
				goto fail;
			buf = n;
			cap = ncap;
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
		goto fail;
	fclose(f);
	*data = buf;
	*size = len;
	return 0;
fail:
	free(buf);
	fclose(f);
	return -1;
}

static void run_file(const char *path)
{
	uint8_t *data = NULL;
	size_t size = 0;

	count++;
	if (read_file(path, &data, &size) < 0) {
		failed++;
		printf("not ok %u - %s (%s)\n", count, path, strerror(errno));
		return;
	}
	/* Hand the target an exactly sized copy so that ASan sees overreads. */
	uint8_t *copy = malloc(size ? size : 1);
	if (copy == NULL) {
		free(data);
		failed++;
		printf("not ok %u - %s (out of memory)\n", count, path);
		return;
	}
	if (size)
		memcpy(copy, data, size);
	free(data);
	fflush(stdout);
	LLVMFuzzerTestOneInput(copy, size);
	free(copy);
	printf("ok %u - %s (%zu bytes)\n", count, path, size);
	fflush(stdout);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;

	if (d == NULL) {
		count++;
		failed++;
		printf("not ok %u - %s (%s)\n", count, dir, strerror(errno));
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			char **nn = realloc(names, ncap * sizeof(*names));
			if (nn == NULL)
				break;
			names = nn;
			cap = ncap;
		}
		size_t len = strlen(dir) + strlen(e->d_name) + 2;
		if ((names[n] = malloc(len)) == NULL)
			break;
		snprintf(names[n], len, "%s/%s", dir, e->d_name);
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
			run_file(names[i]);
		free(names[i]);
	}
	free(names);
}

static void run_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		run_dir(path);
	else
		run_file(path);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			run_path(argv[i]);
	} else {
		const char *top = getenv("top_srcdir");
		if (top == NULL || *top == '\0')
			top = getenv("srcdir");
		if (top == NULL || *top == '\0')
			top = FUZZ_SRCDIR;
		static const char *const kinds[] = {".in", ".repro"};
		for (size_t k = 0; k < 2; k++) {
			size_t len = strlen(top) + strlen(FUZZ_NAME) + 16;
			char *dir = malloc(len);
			if (dir == NULL)
				return 99;
			snprintf(dir, len, "%s/fuzz/%s%s", top, FUZZ_NAME, kinds[k]);
			run_dir(dir);
			free(dir);
		}
	}
	printf("1..%u\n", count);
	return failed ? 1 : 0;
}
