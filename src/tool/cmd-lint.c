/* cmd-lint.c -- cachet lint: list every deviation from the requirement
 * registry that a message made by any stack shows (cachet_lint_run). */
#include "tool.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: cachet lint -i MESSAGE [--trust CA ...] [--certs FILE ...] [--at TIME]\n"
		"                   [--cert CERT --key KEY ...] [--pass PW | --pass-file FILE] [--json]\n"
		"       cachet lint --list\n"
		"Read MESSAGE (an S/MIME message, or a CMS object in DER or PEM) and list every\n"
		"deviation from the requirement registry it shows: registry id, level, section,\n"
		"where in the message, and why.  Without --trust the signature and certificate\n"
		"path are not checked (noted, not reported); without --cert/--key the layers\n"
		"inside an encrypted one are not reached.  --list prints the rules.\n"
		"Exit status: 0 no MUST-level deviation, 1 at least one, 2 usage error,\n"
		"3 unreadable or not S/MIME, 4 I/O error.\n");
}

static int add_files(cachet_verify_t *v, const char **files, size_t n, bool trust, cachet_diag_t *diag)
{
	for (size_t i = 0; i < n; i++) {
		cachet_datum_t d;
		if (read_file(files[i], &d) < 0)
			return CACHET_E_IO;
		int ret = trust ? cachet_verify_add_trust(v, &d, diag) : cachet_verify_add_certs(v, &d, diag);
		free(d.data);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int list_rules(void)
{
	const char *id, *level, *section, *what;
	for (size_t i = 0; cachet_lint_rule_get(i, &id, &level, &section, &what) == 0; i++)
		printf("%-36s %-11s %-26s %s\n", id, level, section, what);
	return EXIT_OK;
}

int cmd_lint(int argc, char **argv)
{
	static const struct option opts[] = {
		{"in", required_argument, NULL, 'i'},
		{"trust", required_argument, NULL, 't'},
		{"certs", required_argument, NULL, 'C'},
		{"at", required_argument, NULL, 'a'},
		{"json", no_argument, NULL, 'j'},
		{"cert", required_argument, NULL, 'E'},
		{"key", required_argument, NULL, 'K'},
		{"pass", required_argument, NULL, 'P'},
		{"pass-file", required_argument, NULL, 'W'},
		{"list", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *in = "-", *trust[16], *certs[16], *dcert[16], *dkey[16];
	size_t ntrust = 0, ncerts = 0, ndcert = 0, ndkey = 0;
	bool json = false, at_set = false;
	keyopts_t ko = {0};
	time_t at = 0;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "i:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i': in = optarg; break;
		case 't':
			if (ntrust == 16)
				goto bad;
			trust[ntrust++] = optarg;
			break;
		case 'C':
			if (ncerts == 16)
				goto bad;
			certs[ncerts++] = optarg;
			break;
		case 'a':
			if (!parse_time(optarg, &at)) {
				fprintf(stderr, "cachet lint: cannot read time '%s'\n", optarg);
				return EXIT_USAGE;
			}
			at_set = true;
			break;
		case 'j': json = true; break;
		case 'E':
			if (ndcert == 16)
				goto bad;
			dcert[ndcert++] = optarg;
			break;
		case 'K':
			if (ndkey == 16)
				goto bad;
			dkey[ndkey++] = optarg;
			break;
		case 'P': ko.pass = optarg; break;
		case 'W': ko.pass_file = optarg; break;
		case 'l': return list_rules();
		case 'h': usage(stdout); return EXIT_OK;
		default: goto bad;
		}
	}
	if (optind != argc)
		goto bad;
	if (keyopts_check(&ko, "lint") < 0)
		return EXIT_USAGE;
	if (ndcert != ndkey) {
		fprintf(stderr, "cachet lint: each --cert needs its --key\n");
		return EXIT_USAGE;
	}

	cachet_verify_t *v = NULL;
	cachet_decrypt_t *d = NULL;
	cachet_lint_t *l = NULL;
	cachet_diag_t *diag = NULL;
	cachet_datum_t out = {0};
	input_t inp = {.fd = -1};
	int ret, status = EXIT_IO;

	if (cachet_diag_init(&diag) < 0 || cachet_lint_init(&l) < 0)
		goto cleanup;
	if (ntrust || ncerts || at_set) {
		/* With trust: the signer and path are judged too (legacy
		 * algorithms are read, so that lint can name them). */
		if ((ret = cachet_verify_init(&v)) < 0 ||
		    (ret = cachet_verify_set_policy(v, CACHET_POLICY_LEGACY |
							   (ntrust ? 0 : CACHET_POLICY_NO_CHAIN))) < 0 ||
		    (ret = add_files(v, trust, ntrust, true, diag)) < 0 ||
		    (ret = add_files(v, certs, ncerts, false, diag)) < 0 ||
		    (at_set && (ret = cachet_verify_set_time(v, at)) < 0)) {
			report_error("lint", ret, diag);
			status = exit_for(ret);
			goto cleanup;
		}
	}
	if (ndcert) {
		if ((ret = cachet_decrypt_init(&d)) < 0 ||
		    (ret = cachet_decrypt_set_policy(d, CACHET_POLICY_ALLOW_LEGACY_CIPHERS)) < 0)
			goto fail;
		for (size_t i = 0; i < ndcert; i++)
			if ((ret = keys_add_decrypt(&ko, d, dcert[i], dkey[i], NULL, diag)) < 0)
				goto fail;
	}
	if (input_open(&inp, in, false) < 0)
		goto cleanup;
	ret = cachet_lint_run(l, inp.src, v, d, diag);
	if (ret < 0) {
		report_error("lint", ret, diag);
		/* Unreadable, or no S/MIME layer: not something lint can judge. */
		status = ret == CACHET_E_IO || ret == CACHET_E_NOMEM ? exit_for(ret) : EXIT_MALFORMED;
		goto cleanup;
	}
	if ((ret = cachet_lint_render(l, json ? CACHET_INSPECT_JSON : 0, &out)) < 0)
		goto fail;
	if (fwrite(out.data, 1, out.size, stdout) != out.size || fflush(stdout) != 0) {
		fprintf(stderr, "cachet lint: cannot write the findings\n");
		goto cleanup;
	}
	status = cachet_lint_has_must(l) ? EXIT_VERIFY : EXIT_OK;
	goto cleanup;
fail:
	report_error("lint", ret, diag);
	status = exit_for(ret);
cleanup:
	cachet_free(out.data);
	input_close(&inp);
	cachet_lint_deinit(l);
	cachet_verify_deinit(v);
	cachet_decrypt_deinit(d);
	cachet_diag_deinit(diag);
	keyopts_free(&ko);
	return status;
bad:
	usage(stderr);
	return EXIT_USAGE;
}
