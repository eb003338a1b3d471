/* cmd-compress.c -- cachet compress and cachet decompress: CompressedData
 * (RFC 3274) with zlib.  Output goes to a temporary file renamed into
 * place on success; decompressing to standard output holds the content in
 * an unlinked temporary file and copies it out only when the whole
 * message decompressed (as cachet decrypt does), so a failure never
 * leaves a partial file or a partial stream. */
#include "tool.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage_compress(FILE *f)
{
	fprintf(f,
		"Usage: cachet compress -i IN -o OUT [--format der|pem|smime [--binary]] [--content-type OID]\n"
		"Compress IN with zlib into a CompressedData message (RFC 3274).  --content-type\n"
		"names what IN is (a dotted OID, default id-data 1.2.840.113549.1.7.1).\n"
		"--format smime reads IN as a mail message or MIME entity and writes an\n"
		"application/pkcs7-mime; smime-type=compressed-data message; --binary leaves\n"
		"8-bit content unencoded.\n");
}

static void usage_decompress(FILE *f)
{
	fprintf(f,
		"Usage: cachet decompress -i IN -o OUT [--format der|pem|smime] [--max-size BYTES] [-v] [--json]\n"
		"Decompress the CompressedData in IN (DER, BER or PEM).  OUT appears only when the\n"
		"whole content decompressed.  --max-size bounds the output (default 1073741824,\n"
		"0 for no bound); -v or --json describe the message on standard error.\n"
		"--format smime reads IN as an S/MIME message (application/pkcs7-mime;\n"
		"smime-type=compressed-data) and writes the MIME entity inside it.\n");
}

int cmd_compress(int argc, char **argv)
{
	static const struct option opts[] = {
		{"in", required_argument, NULL, 'i'},
		{"out", required_argument, NULL, 'o'},
		{"format", required_argument, NULL, 'f'},
		{"content-type", required_argument, NULL, 't'},
		{"binary", no_argument, NULL, 'B'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *in = NULL, *out = NULL, *ct = NULL;
	bool pem = false, smime = false, binary = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "i:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i': in = optarg; break;
		case 'o': out = optarg; break;
		case 't': ct = optarg; break;
		case 'f':
			/* smime: RFC 8551 section 3.6 */
			if (!parse_format(optarg, &pem, &smime))
				goto bad;
			break;
		case 'B': binary = true; break;
		case 'h': usage_compress(stdout); return EXIT_OK;
		default: goto bad;
		}
	}
	if (optind != argc || in == NULL || out == NULL)
		goto bad;
	if (smime && ct != NULL) {
		fprintf(stderr, "cachet compress: --content-type is not available with --format smime\n");
		return EXIT_USAGE;
	}
	if (binary && !smime) {
		fprintf(stderr, "cachet compress: --binary needs --format smime\n");
		return EXIT_USAGE;
	}

	cachet_diag_t *diag = NULL;
	cachet_source_t *src = NULL;
	held_t ho = {0};
	int ret = 0, fd = -1, status = EXIT_IO;

	if ((ret = cachet_diag_init(&diag)) < 0)
		goto done;
	if ((fd = in_open(in)) < 0)
		goto done;
	if ((ret = cachet_source_init_fd(&src, fd)) < 0)
		goto done;
	if (held_open(&ho, out, "compress") < 0)
		goto done;
	if (smime)
		ret = cachet_smime_compress(src, ho.snk, binary ? CACHET_SMIME_BINARY : 0, diag);
	else
		ret = cachet_compress_run(src, ho.snk, ct, pem ? CACHET_COMPRESS_PEM : 0, diag);
	if (ret < 0)
		goto done;
	status = held_commit(&ho);
	goto cleanup;
done:
	if (ret < 0) {
		report_error("compress", ret, diag);
		status = exit_for(ret);
	}
cleanup:
	held_close(&ho);
	if (fd > STDIN_FILENO)
		close(fd);
	cachet_source_deinit(src);
	cachet_diag_deinit(diag);
	return status;
bad:
	usage_compress(stderr);
	return EXIT_USAGE;
}

int cmd_decompress(int argc, char **argv)
{
	static const struct option opts[] = {
		{"in", required_argument, NULL, 'i'},
		{"out", required_argument, NULL, 'o'},
		{"max-size", required_argument, NULL, 'm'},
		{"verbose", no_argument, NULL, 'v'},
		{"json", no_argument, NULL, 'j'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *in = NULL, *out = NULL;
	uint64_t max = CACHET_DECOMPRESS_DEFAULT_MAX_SIZE;
	bool verbose = false, json = false, max_set = false;
	form_t form = FORM_AUTO; /* der and pem are both read, whichever is given */
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "i:o:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'i': in = optarg; break;
		case 'o': out = optarg; break;
		case 'm': {
			char *end;
			errno = 0;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end != '\0' || errno != 0) {
				fprintf(stderr, "cachet decompress: --max-size wants a number of bytes (0: no bound)\n");
				return EXIT_USAGE;
			}
			max = (uint64_t)v;
			max_set = true;
			break;
		}
		case 'f':
			if (!parse_form(optarg, &form)) {
				fprintf(stderr, "cachet decompress: --format is der, pem or smime\n");
				return EXIT_USAGE;
			}
			break;
		case 'v': verbose = true; break;
		case 'j': json = verbose = true; break;
		case 'h': usage_decompress(stdout); return EXIT_OK;
		default: goto bad;
		}
	}
	if (optind != argc || in == NULL || out == NULL)
		goto bad;
	if (form == FORM_SMIME) {
		/* RFC 8551 section 3.6: the compressed-data layer (and any
		 * other unsigned, unencrypted one) opened by cachet_smime_open,
		 * which holds the entity until the whole message read. */
		if (max_set) {
			fprintf(stderr, "cachet decompress: --max-size is not available with --format smime\n");
			return EXIT_USAGE;
		}
		input_t inp;
		int st = EXIT_IO;
		if (input_open(&inp, in, false) == 0)
			st = smime_run("decompress", NULL, NULL, inp.src, out, 0, verbose, json, stderr);
		input_close(&inp);
		return st;
	}

	cachet_decompress_t *d = NULL;
	cachet_diag_t *diag = NULL;
	cachet_source_t *src = NULL;
	held_t ho = {0};
	int ret = 0, fd = -1, status = EXIT_IO;

	if ((ret = cachet_diag_init(&diag)) < 0 || (ret = cachet_decompress_init(&d)) < 0)
		goto done;
	if ((ret = cachet_decompress_set_max_size(d, max)) < 0)
		goto done;
	if ((fd = in_open(in)) < 0)
		goto done;
	if ((ret = cachet_source_init_fd(&src, fd)) < 0)
		goto done;
	if (held_open(&ho, out, "decompress") < 0)
		goto done;
	ret = cachet_decompress_run(d, src, ho.snk, diag);
	if (verbose) {
		cachet_datum_t text = {0};
		if (cachet_decompress_summary(d, json ? CACHET_INSPECT_JSON : 0, &text) == 0) {
			fwrite(text.data, 1, text.size, stderr);
			cachet_free(text.data);
		}
	}
	if (ret < 0)
		goto done;
	status = held_commit(&ho);
	goto cleanup;
done:
	if (ret < 0) {
		report_error("decompress", ret, diag);
		status = exit_for(ret);
	}
cleanup:
	held_close(&ho);
	if (fd > STDIN_FILENO)
		close(fd);
	cachet_source_deinit(src);
	cachet_decompress_deinit(d);
	cachet_diag_deinit(diag);
	return status;
bad:
	usage_decompress(stderr);
	return EXIT_USAGE;
}
