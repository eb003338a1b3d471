/* cmd-certs.c -- cachet certs: certificates-only messages (RFC 8551
 * section 3.8).
 *
 * One command, one mode option: --make builds a message from certificate
 * files, --extract takes the certificates (and CRLs) out of any
 * SignedData, --import adds the certificates of a verified message to
 * the certificate directory (cachet_certdir_import).  The modes share the
 * option table and are parsed into one settings struct, then dispatched.
 */
#include "tool.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_INPUTS 256 /* certificate files on one command line */
#define MAX_CRL_FILES 16
#define MAX_TRUST 16

typedef enum { MODE_NONE = 0, MODE_MAKE, MODE_EXTRACT, MODE_IMPORT } mode_t_;

typedef struct {
	mode_t_ mode;
	const char *in, *out;
	bool is_pem, is_smime, format_set, with_crls, verbose, json, strict;
	const char *crls[MAX_CRL_FILES];
	size_t ncrls;
	char **files; /* --make: the certificate files */
	size_t nfiles;
	const char *trust[MAX_TRUST]; /* --import: trust anchors */
	size_t ntrust;
	const char *cert_dir; /* --import: the directory (default in certdir_path) */
	time_t at;
	bool is_at_set;
} opts_t;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: cachet certs --make -o OUT [--format der|pem|smime] [--crl FILE ...] CERT...\n"
		"       cachet certs --extract [-i IN] [-o OUT] [--format pem|der] [--crls]\n"
		"                    [-v | --json] [--strict]\n"
		"       cachet certs --import -i IN [--cert-dir DIR] [--trust CA ...] [--at TIME]\n"
		"--make writes a certificates-only SignedData (RFC 8551 section 3.8) holding every\n"
		"certificate in the CERT files (PEM, several per file, or DER), each once; with\n"
		"--format smime as an application/pkcs7-mime certs-only message (smime.p7c).\n"
		"--extract writes the certificates of any SignedData as a PEM bundle (DER only when\n"
		"there is exactly one); -v or --json lists them on standard output.\n"
		"--import adds the certificates of a message (S/MIME, or CMS DER or PEM) to the certificate\n"
		"directory (default $HOME/.cachet/certs): a signed message must verify and every\n"
		"certificate validate against the --trust anchors, else nothing is added.\n");
}

static int set_mode(opts_t *o, mode_t_ m)
{
	if (o->mode != MODE_NONE && o->mode != m) {
		fprintf(stderr, "cachet certs: give one of --make, --extract and --import\n");
		return -1;
	}
	o->mode = m;
	return 0;
}

static int run_make(const opts_t *o)
{
	cachet_datum_t certs[MAX_INPUTS], crls[MAX_CRL_FILES];
	size_t ncerts = 0, ncrls = 0;
	cachet_diag_t *diag = NULL;
	held_t ho = {0};
	int ret = 0, status = EXIT_IO;

	if ((ret = cachet_diag_init(&diag)) < 0)
		goto done;
	for (; ncerts < o->nfiles; ncerts++)
		if (read_file(o->files[ncerts], &certs[ncerts]) < 0)
			goto done;
	for (; ncrls < o->ncrls; ncrls++)
		if (read_file(o->crls[ncrls], &crls[ncrls]) < 0)
			goto done;
	if (held_open(&ho, o->out, "certs") < 0)
		goto done;
	if (o->is_smime)
		ret = cachet_smime_certs(certs, ncerts, crls, ncrls, ho.snk, diag);
	else
		ret = cachet_certs_make(certs, ncerts, crls, ncrls, ho.snk, o->is_pem ? CACHET_CERTS_PEM : 0,
					diag);
	if (ret == 0)
		status = held_commit(&ho);
done:
	if (ret < 0) {
		report_error("certs", ret, diag);
		status = exit_for(ret);
	}
	held_close(&ho);
	for (size_t i = 0; i < ncerts; i++)
		free(certs[i].data);
	for (size_t i = 0; i < ncrls; i++)
		free(crls[i].data);
	cachet_diag_deinit(diag);
	return status;
}

static int run_extract(const opts_t *o)
{
	cachet_diag_t *diag = NULL;
	cachet_source_t *src = NULL;
	cachet_certs_t *c = NULL;
	cachet_datum_t text = {0};
	held_t ho = {0};
	int ret = 0, fd = -1, status = EXIT_IO;
	bool listing = o->verbose || o->json;
	/* Without -o, a listing alone is asked for; otherwise the bundle goes
	 * to standard output. */
	const char *out = o->out ? o->out : (listing ? NULL : "-");

	if ((ret = cachet_diag_init(&diag)) < 0)
		goto done;
	if ((fd = in_open(o->in)) < 0)
		goto done;
	if ((ret = cachet_source_init_fd(&src, fd)) < 0)
		goto done;
	if ((ret = cachet_certs_extract(&c, src, diag)) < 0)
		goto done;
	if (o->strict) {
		/* A finding with a code is a rule a strict reader enforces. */
		for (size_t i = 0; i < cachet_certs_finding_count(c); i++) {
			const char *name, *rule, *detail;
			int code;
			if (cachet_certs_finding_get(c, i, &name, &code, &rule, &detail) == 0 && code != 0) {
				fprintf(stderr, "cachet certs: %s: %s (%s)\n", name, detail, rule);
				status = EXIT_MALFORMED;
			}
		}
		if (status == EXIT_MALFORMED)
			goto done;
	}
	if (listing) {
		if ((ret = cachet_certs_describe(c, o->json ? CACHET_INSPECT_JSON : 0, &text)) < 0)
			goto done;
		if (fwrite(text.data, 1, text.size, stdout) != text.size || fflush(stdout) != 0) {
			fprintf(stderr, "cachet certs: writing the listing failed\n");
			goto done;
		}
	}
	if (out != NULL) {
		unsigned flags = (o->is_pem ? CACHET_CERTS_PEM : 0) | (o->with_crls ? CACHET_CERTS_WITH_CRLS : 0);
		if (held_open(&ho, out, "certs") < 0)
			goto done;
		if ((ret = cachet_certs_write(c, ho.snk, flags, diag)) < 0)
			goto done;
		if (held_commit(&ho) != EXIT_OK)
			goto done;
	}
	status = EXIT_OK;
done:
	if (ret < 0) {
		report_error("certs", ret, diag);
		status = exit_for(ret);
	}
	held_close(&ho);
	if (fd > STDIN_FILENO)
		close(fd);
	cachet_free(text.data);
	cachet_certs_deinit(c);
	cachet_source_deinit(src);
	cachet_diag_deinit(diag);
	return status;
}

static int run_import(const opts_t *o)
{
	cachet_diag_t *diag = NULL;
	cachet_verify_t *v = NULL;
	cachet_datum_t msg = {0}, d = {0}, text = {0};
	char dirbuf[4096];
	const char *dir = certdir_path(o->cert_dir, dirbuf, sizeof(dirbuf));
	size_t nadded = 0;
	int ret = 0, status = EXIT_IO;

	if (dir == NULL) {
		fprintf(stderr, "cachet certs: no certificate directory (give --cert-dir; HOME is not set)\n");
		return EXIT_USAGE;
	}
	if ((ret = cachet_diag_init(&diag)) < 0 || (ret = cachet_verify_init(&v)) < 0)
		goto done;
	for (size_t i = 0; i < o->ntrust; i++) {
		if (read_file(o->trust[i], &d) < 0)
			goto done;
		ret = cachet_verify_add_trust(v, &d, diag);
		free(d.data);
		d.data = NULL;
		if (ret < 0)
			goto done;
	}
	if (o->is_at_set && (ret = cachet_verify_set_time(v, o->at)) < 0)
		goto done;
	if (read_file(o->in, &msg) < 0)
		goto done;
	ret = cachet_certdir_import(dir, v, &msg, &nadded, &text, diag);
	if (ret < 0) {
		/* Say why: the verification report. */
		if (text.data)
			fwrite(text.data, 1, text.size, stderr);
		goto done;
	}
	printf("%zu certificate%s added to %s\n", nadded, nadded == 1 ? "" : "s", dir);
	status = fflush(stdout) == 0 ? EXIT_OK : EXIT_IO;
done:
	if (ret < 0) {
		report_error("certs", ret, diag);
		status = exit_for(ret);
	}
	cachet_free(text.data);
	free(msg.data);
	cachet_verify_deinit(v);
	cachet_diag_deinit(diag);
	return status;
}

int cmd_certs(int argc, char **argv)
{
	static const struct option opts[] = {
		{"make", no_argument, NULL, 'M'},
		{"extract", no_argument, NULL, 'X'},
		{"in", required_argument, NULL, 'i'},
		{"out", required_argument, NULL, 'o'},
		{"format", required_argument, NULL, 'f'},
		{"crl", required_argument, NULL, 'C'},
		{"crls", no_argument, NULL, 'r'},
		{"verbose", no_argument, NULL, 'v'},
		{"json", no_argument, NULL, 'j'},
		{"strict", no_argument, NULL, 's'},
		{"import", no_argument, NULL, 'I'},
		{"cert-dir", required_argument, NULL, 'D'},
		{"trust", required_argument, NULL, 'T'},
		{"at", required_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	opts_t o;
	int c;

	memset(&o, 0, sizeof(o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "i:o:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'M':
			if (set_mode(&o, MODE_MAKE) < 0)
				goto bad;
			break;
		case 'X':
			if (set_mode(&o, MODE_EXTRACT) < 0)
				goto bad;
			break;
		case 'i': o.in = optarg; break;
		case 'o': o.out = optarg; break;
		case 'f':
			if (!parse_format(optarg, &o.is_pem, &o.is_smime)) {
				fprintf(stderr, "cachet certs: unknown format '%s' (der, pem, smime)\n", optarg);
				return EXIT_USAGE;
			}
			o.format_set = true;
			break;
		case 'C':
			if (o.ncrls == MAX_CRL_FILES) {
				fprintf(stderr, "cachet certs: at most %d --crl files\n", MAX_CRL_FILES);
				return EXIT_USAGE;
			}
			o.crls[o.ncrls++] = optarg;
			break;
		case 'r': o.with_crls = true; break;
		case 'v': o.verbose = true; break;
		case 'j': o.json = true; break;
		case 's': o.strict = true; break;
		case 'I':
			if (set_mode(&o, MODE_IMPORT) < 0)
				goto bad;
			break;
		case 'D': o.cert_dir = optarg; break;
		case 'T':
			if (o.ntrust == MAX_TRUST) {
				fprintf(stderr, "cachet certs: at most %d --trust files\n", MAX_TRUST);
				return EXIT_USAGE;
			}
			o.trust[o.ntrust++] = optarg;
			break;
		case 'a':
			if (!parse_time(optarg, &o.at)) {
				fprintf(stderr, "cachet certs: --at wants YYYY-MM-DD[THH:MM:SS[Z]] or @EPOCH\n");
				return EXIT_USAGE;
			}
			o.is_at_set = true;
			break;
		case 'h': usage(stdout); return EXIT_OK;
		default: goto bad;
		}
	}
	o.files = argv + optind;
	o.nfiles = (size_t)(argc - optind);

	if (o.mode != MODE_IMPORT && (o.cert_dir || o.ntrust || o.is_at_set)) {
		fprintf(stderr, "cachet certs: --cert-dir, --trust and --at go with --import\n");
		goto bad;
	}
	switch (o.mode) {
	case MODE_IMPORT:
		if (o.in == NULL || o.out || o.nfiles || o.ncrls || o.format_set || o.with_crls || o.verbose ||
		    o.json || o.strict) {
			fprintf(stderr, "cachet certs: --import reads one message (-i IN) and takes --cert-dir, "
					"--trust and --at only\n");
			goto bad;
		}
		return run_import(&o);
	case MODE_MAKE:
		/* The message is the output: it needs a place, and certificates. */
		if (o.in || o.with_crls || o.verbose || o.json || o.strict) {
			fprintf(stderr, "cachet certs: -i, --crls, -v, --json and --strict go with --extract\n");
			goto bad;
		}
		if (o.out == NULL || (o.nfiles == 0 && o.ncrls == 0)) {
			fprintf(stderr, "cachet certs: --make needs -o OUT and at least one CERT\n");
			goto bad;
		}
		if (o.nfiles > MAX_INPUTS) {
			fprintf(stderr, "cachet certs: at most %d CERT files\n", MAX_INPUTS);
			return EXIT_USAGE;
		}
		return run_make(&o);
	case MODE_EXTRACT:
		if (o.is_smime) {
			fprintf(stderr, "cachet certs: --format smime goes with --make (to read an S/MIME "
					"message, use cachet verify --format smime)\n");
			goto bad;
		}
		if (o.nfiles != 0 || o.ncrls != 0) {
			fprintf(stderr, "cachet certs: --extract reads one message (-i), no CERT files\n");
			goto bad;
		}
		if (o.verbose && o.json) {
			fprintf(stderr, "cachet certs: give -v or --json, not both\n");
			goto bad;
		}
		if ((o.verbose || o.json) && o.out && strcmp(o.out, "-") == 0) {
			fprintf(stderr, "cachet certs: the listing already goes to standard output; "
					"give -o FILE for the certificates\n");
			goto bad;
		}
		if (!o.format_set)
			o.is_pem = true; /* a bundle: PEM unless DER is asked for */
		return run_extract(&o);
	default:
		fprintf(stderr, "cachet certs: give --make, --extract or --import\n");
		goto bad;
	}
bad:
	usage(stderr);
	return EXIT_USAGE;
}
