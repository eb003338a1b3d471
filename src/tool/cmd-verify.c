/* cmd-verify.c -- cachet verify: judge a SignedData and report each check. */
#include "tool.h"

#include <dirent.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: cachet verify -i IN [--content FILE] [-o CONTENT_OUT] --trust CA [--trust CA ...]\n"
		"                     [--certs FILE] [--at TIME] [--legacy] [--json]\n"
		"                     [--system-trust] [--cert-dir DIR] [--email ADDR]\n"
		"                     [--crl FILE ...] [--crl-dir DIR] [--ocsp-response FILE ...]\n"
		"                     [--require-revocation-check]\n"
		"                     [--format der|pem|smime] [--cert CERT --key KEY | --p12 FILE] ...\n"
		"                     [--pass PW | --pass-file FILE] [--pkcs11-module PATH]\n"
		"Verify the signed message in IN and print a report naming every check and its rule.\n"
		"Without --format, IN is read as DER when it starts with a SEQUENCE, as PEM when\n"
		"it starts with -----BEGIN, else as an S/MIME message.  An S/MIME message has\n"
		"every layer opened (encrypted ones with --cert/--key) and CONTENT_OUT gets the\n"
		"innermost MIME entity; from a SignedData (der, pem) it gets the signed content.\n"
		"KEY is a key file or a PKCS#11 URI ('pkcs11:...').\n"
		"CONTENT_OUT is written only when every signer verified.\n");
}

static int add_files(cachet_verify_t *v, const char **files, size_t n, bool trust,
		     cachet_diag_t *diag)
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

/* What a file gives cachet_verify: certificates, a CRL, an OCSP response. */
typedef enum { ADD_CERTS, ADD_CRL, ADD_OCSP } add_kind_t;

static int add_one(cachet_verify_t *v, add_kind_t kind, const cachet_datum_t *d, cachet_diag_t *diag)
{
	switch (kind) {
	case ADD_CRL: return cachet_verify_add_crl(v, d, diag);
	case ADD_OCSP: return cachet_verify_add_ocsp_response(v, d, diag);
	default: return cachet_verify_add_certs(v, d, diag);
	}
}

static int add_kind_files(cachet_verify_t *v, add_kind_t kind, const char **files, size_t n,
			  cachet_diag_t *diag)
{
	for (size_t i = 0; i < n; i++) {
		cachet_datum_t d;
		if (read_file(files[i], &d) < 0)
			return CACHET_E_IO;
		int ret = add_one(v, kind, &d, diag);
		free(d.data);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Every regular file of DIR (--cert-dir, --crl-dir); a file that holds no
 * certificate or CRL is named on stderr and skipped. */
static int add_dir(cachet_verify_t *v, add_kind_t kind, const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	if (dp == NULL) {
		fprintf(stderr, "cachet verify: cannot open directory %s\n", dir);
		return CACHET_E_IO;
	}
	while ((e = readdir(dp)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		size_t len = strlen(dir) + strlen(e->d_name) + 2;
		char *path = malloc(len);
		cachet_datum_t d = {0};
		if (path == NULL) {
			closedir(dp);
			return CACHET_E_NOMEM;
		}
		snprintf(path, len, "%s/%s", dir, e->d_name);
		if (read_file(path, &d) == 0) {
			cachet_diag_t *quiet = NULL;
			int r = cachet_diag_init(&quiet);
			if (r == 0)
				r = add_one(v, kind, &d, quiet);
			cachet_diag_deinit(quiet);
			if (r == CACHET_E_NOMEM) {
				free(d.data);
				free(path);
				closedir(dp);
				return r;
			}
			if (r < 0)
				fprintf(stderr, "cachet verify: %s skipped: %s [%s]\n", path, cachet_strerror(r),
					cachet_strerror_name(r));
			free(d.data);
		}
		free(path);
	}
	closedir(dp);
	return 0;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{"in", required_argument, NULL, 'i'},
		{"out", required_argument, NULL, 'o'},
		{"content", required_argument, NULL, 'c'},
		{"trust", required_argument, NULL, 't'},
		{"certs", required_argument, NULL, 'C'},
		{"at", required_argument, NULL, 'a'},
		{"legacy", no_argument, NULL, 'L'},
		{"json", no_argument, NULL, 'j'},
		{"format", required_argument, NULL, 'F'},
		{"cert", required_argument, NULL, 'E'},
		{"key", required_argument, NULL, 'K'},
		{"pass", required_argument, NULL, 'P'},
		{"crl", required_argument, NULL, 'R'},
		{"crl-dir", required_argument, NULL, 'D'},
		{"ocsp-response", required_argument, NULL, 'O'},
		{"require-revocation-check", no_argument, NULL, 'Q'},
		{"system-trust", no_argument, NULL, 'S'},
		{"cert-dir", required_argument, NULL, 'T'},
		{"email", required_argument, NULL, 'M'},
		{"pass-file", required_argument, NULL, 'W'},
		{"p12", required_argument, NULL, 'X'},
		{"pkcs11-module", required_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	/* Certificate validation: revocation given offline, system trust,
	 * more intermediates, the expected address. */
	const char *crls[16], *ocsps[16], *crl_dir = NULL, *cert_dir = NULL, *email = NULL;
	size_t ncrls = 0, nocsps = 0;
	bool system_trust = false;
	const char *in = "-", *out = NULL, *content = NULL, *trust[16], *certs[16];
	size_t ntrust = 0, ncerts = 0;
	bool json = false, at_set = false;
	unsigned policy = 0;
	time_t at = 0;
	int c;
	/* The input's form: given, else detected from its first octets.
	 * S/MIME messages go through cachet_smime_open. */
	form_t form = FORM_AUTO;
	bool smime;
	const char *scert[16], *skey[16], *sp12[16];
	keyopts_t ko = {0};
	size_t nscert = 0, nskey = 0, nsp12 = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "i:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i': in = optarg; break;
		case 'o': out = optarg; break;
		case 'c': content = optarg; break;
		case 't':
			if (ntrust == 16) goto bad;
			trust[ntrust++] = optarg;
			break;
		case 'C':
			if (ncerts == 16) goto bad;
			certs[ncerts++] = optarg;
			break;
		case 'a':
			if (!parse_time(optarg, &at)) {
				fprintf(stderr, "cachet verify: cannot read time '%s'\n", optarg);
				return EXIT_USAGE;
			}
			at_set = true;
			break;
		case 'L': policy |= CACHET_POLICY_LEGACY; break;
		case 'j': json = true; break;
		case 'F':
			/* der and pem are both read, whichever is given */
			if (!parse_form(optarg, &form)) {
				fprintf(stderr, "cachet verify: --format is der, pem or smime\n");
				return EXIT_USAGE;
			}
			break;
		case 'E':
			if (nscert == 16) goto bad;
			scert[nscert++] = optarg;
			break;
		case 'K':
			if (nskey == 16) goto bad;
			skey[nskey++] = optarg;
			break;
		case 'P': ko.pass = optarg; break;
		case 'R':
			if (ncrls == 16) goto bad;
			crls[ncrls++] = optarg;
			break;
		case 'O':
			if (nocsps == 16) goto bad;
			ocsps[nocsps++] = optarg;
			break;
		case 'D': crl_dir = optarg; break;
		case 'T': cert_dir = optarg; break;
		case 'M': email = optarg; break;
		case 'Q': policy |= CACHET_POLICY_REQUIRE_REVOCATION; break;
		case 'S': system_trust = true; break;
		case 'W': ko.pass_file = optarg; break;
		case 'm': ko.module = optarg; break;
		case 'X':
			if (nsp12 == 16) goto bad;
			sp12[nsp12++] = optarg;
			break;
		case 'h': usage(stdout); return EXIT_OK;
		default: goto bad;
		}
	}
	if (optind != argc)
		goto bad;
	if (keyopts_check(&ko, "verify") < 0)
		return EXIT_USAGE;
	if (nscert != nskey) {
		fprintf(stderr, "cachet verify: each --cert needs its --key\n");
		return EXIT_USAGE;
	}
	if (content && strcmp(content, "-") == 0 && strcmp(in, "-") == 0) {
		fprintf(stderr, "cachet verify: the message and the content cannot both come from stdin\n");
		return EXIT_USAGE;
	}

	cachet_verify_t *v = NULL;
	cachet_diag_t *diag = NULL;
	cachet_source_t *det = NULL;
	cachet_report_t *rep = NULL;
	input_t inp = {.fd = -1};
	held_t ho = {0};
	int ret = 0, cfd = -1, status = EXIT_IO;
	bool to_stdout = held_is_stdout(out);

	if (input_open(&inp, in, form == FORM_AUTO) < 0)
		goto cleanup;
	smime = (form == FORM_AUTO ? inp.form : form) == FORM_SMIME;
	if (!smime && (nscert || nskey || nsp12 || ko.pass || ko.pass_file || ko.module)) {
		fprintf(stderr, "cachet verify: --cert, --key, --p12, --pass, --pass-file and "
				"--pkcs11-module go with an S/MIME message, and IN is read as %s\n",
			form_name(form == FORM_AUTO ? inp.form : form));
		status = EXIT_USAGE;
		goto cleanup;
	}
	if (smime && content) {
		fprintf(stderr, "cachet verify: an S/MIME message carries its content; no --content%s\n",
			form == FORM_AUTO ? " (IN was read as S/MIME; --format der to force CMS)" : "");
		status = EXIT_USAGE;
		goto cleanup;
	}
	if ((ret = cachet_diag_init(&diag)) < 0 || (ret = cachet_verify_init(&v)) < 0)
		goto done;
	if ((ret = add_files(v, trust, ntrust, true, diag)) < 0 ||
	    (ret = add_files(v, certs, ncerts, false, diag)) < 0)
		goto done;
	if ((ret = add_kind_files(v, ADD_CRL, crls, ncrls, diag)) < 0 ||
	    (ret = add_kind_files(v, ADD_OCSP, ocsps, nocsps, diag)) < 0 ||
	    (crl_dir && (ret = add_dir(v, ADD_CRL, crl_dir)) < 0) ||
	    (cert_dir && (ret = add_dir(v, ADD_CERTS, cert_dir)) < 0) ||
	    (system_trust && (ret = cachet_verify_add_system_trust(v)) < 0) ||
	    (email && (ret = cachet_verify_set_email(v, email)) < 0))
		goto done;
	if (at_set && (ret = cachet_verify_set_time(v, at)) < 0)
		goto done;
	if ((ret = cachet_verify_set_policy(v, policy)) < 0)
		goto done;
	if (smime) {
		/* Every layer of the message, encrypted ones with the keys given;
		 * the innermost entity only when all of them checked out. */
		cachet_decrypt_t *d = NULL;
		if (nskey + nsp12) {
			if ((ret = cachet_decrypt_init(&d)) < 0 ||
			    (ret = cachet_decrypt_set_policy(d, policy & CACHET_POLICY_LEGACY)) < 0)
				goto smime_done;
			for (size_t i = 0; i < nskey + nsp12; i++) {
				ret = i < nskey ? keys_add_decrypt(&ko, d, scert[i], skey[i], NULL, diag)
						: keys_add_decrypt(&ko, d, NULL, NULL, sp12[i - nskey], diag);
				if (ret < 0)
					goto smime_done;
			}
		}
		status = smime_run("verify", v, d, inp.src, out, CACHET_SMIME_NEED_SIGNED, true, json,
				   to_stdout ? stderr : stdout);
	smime_done:
		cachet_decrypt_deinit(d);
		if (ret < 0)
			goto done;
		goto cleanup;
	}
	if (content) {
		if ((cfd = in_open(content)) < 0)
			goto done;
		if ((ret = cachet_source_init_fd(&det, cfd)) < 0)
			goto done;
	}
	/* The content waits until every signer verified (held_t). */
	if (out && held_open(&ho, out, "verify") < 0)
		goto done;
	ret = cachet_verify_run(v, inp.src, det, ho.snk, &rep, diag);
	if (rep) {
		cachet_datum_t text = {0};
		if ((json ? cachet_report_json(rep, &text) : cachet_report_text(rep, &text)) == 0) {
			/* The report goes to stderr when stdout carries the content. */
			FILE *rf = to_stdout ? stderr : stdout;
			fwrite(text.data, 1, text.size, rf);
			fflush(rf);
			cachet_free(text.data);
		}
	}
	if (ret == 0) {
		status = out ? held_commit(&ho) : EXIT_OK;
		goto cleanup;
	}
done:
	if (ret < 0) {
		if (rep == NULL || cachet_error_category(ret) != CACHET_CAT_VERIFY_FAILED)
			report_error("verify", ret, diag);
		status = exit_for(ret);
	}
cleanup:
	held_close(&ho);
	input_close(&inp);
	if (cfd > STDIN_FILENO)
		close(cfd);
	cachet_report_deinit(rep);
	cachet_source_deinit(det);
	cachet_verify_deinit(v);
	cachet_diag_deinit(diag);
	keyopts_free(&ko);
	return status;
bad:
	usage(stderr);
	return EXIT_USAGE;
}
