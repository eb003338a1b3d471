/* cmd-inspect.c -- cachet inspect: a readable dump of any CMS object. */
#include "tool.h"

#include <getopt.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f, "Usage: cachet inspect -i IN [-o OUT] [--json]\n"
		   "Show every element of a CMS object (DER, BER or PEM): offsets, tags, sizes,\n"
		   "object identifiers by name, times and strings as text.\n");
}

int cmd_inspect(int argc, char **argv)
{
	static const struct option opts[] = {
		{"in", required_argument, NULL, 'i'},
		{"out", required_argument, NULL, 'o'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *in = "-", *out = "-";
	unsigned flags = 0;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "i:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i': in = optarg; break;
		case 'o': out = optarg; break;
		case 'j': flags |= CACHET_INSPECT_JSON; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cachet_diag_t *diag = NULL;
	cachet_source_t *src = NULL;
	cachet_sink_t *snk = NULL;
	outfile_t of = {0};
	int ret = 0, fd = -1, status = EXIT_IO;

	of.fd = -1;
	if ((ret = cachet_diag_init(&diag)) < 0)
		goto done;
	if ((fd = in_open(in)) < 0 || out_open(&of, out) < 0)
		goto done;
	if ((ret = cachet_source_init_fd(&src, fd)) < 0 || (ret = cachet_sink_init_fd(&snk, of.fd)) < 0)
		goto done;
	ret = cachet_inspect(src, snk, flags, diag);
	if (ret == 0 && out_commit(&of) == 0)
		status = EXIT_OK;
done:
	if (ret < 0) {
		report_error("inspect", ret, diag);
		status = exit_for(ret);
	}
	if (status != EXIT_OK)
		out_abort(&of);
	if (fd > STDIN_FILENO)
		close(fd);
	cachet_sink_deinit(snk);
	cachet_source_deinit(src);
	cachet_diag_deinit(diag);
	return status;
}
