/* cmd-sign.c -- cachet sign: a signed S/MIME message (RFC 8551 section 3)
 * or a CMS SignedData (RFC 5652 section 5). */
#include "tool.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SIGNERS 16

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: cachet sign -i IN -o OUT --signer CERT --key KEY [--signer CERT --key KEY ...]\n"
		"                   [--detached | --opaque] [--digest sha256|sha384|sha512] [--pss]\n"
		"                   [--skid] [--chain FILE] [--no-certs] [--pass PW | --pass-file FILE]\n"
		"                   [--p12 FILE] [--pkcs11-module PATH]\n"
		"                   [--format der|pem|smime] [--binary] [--signing-time TIME]\n"
		"                   [--protect-headers[=clear|cipher]] [--secure-headers]\n"
		"Sign IN as one or more signers and write the signed message to OUT ('-': stdout).\n"
		"By default (--format smime) IN is a mail message or MIME entity and OUT an S/MIME\n"
		"message: multipart/signed (--detached, the default) or application/pkcs7-mime\n"
		"signed-data (--opaque); --binary leaves 8-bit content unencoded.  --format der\n"
		"or pem writes a CMS SignedData of IN's octets: encapsulated (--opaque, the\n"
		"default there) or detached (--detached).  --protect-headers copies the header\n"
		"fields into the signed part (RFC 9788), =cipher when the signed message is to\n"
		"be encrypted next; --secure-headers signs them in a SecureHeaderFields\n"
		"attribute (RFC 7508).  KEY is a key file or a PKCS#11 URI ('pkcs11:...'); --p12\n"
		"takes a signer (its key, certificate and chain) from a PKCS#12 bundle.\n");
}

int cmd_sign(int argc, char **argv)
{
	static const struct option opts[] = {
		{"in", required_argument, NULL, 'i'},
		{"out", required_argument, NULL, 'o'},
		{"signer", required_argument, NULL, 's'},
		{"key", required_argument, NULL, 'k'},
		{"detached", no_argument, NULL, 'd'},
		{"opaque", no_argument, NULL, 'O'},
		{"digest", required_argument, NULL, 'D'},
		{"pss", no_argument, NULL, 'P'},
		{"skid", no_argument, NULL, 'S'},
		{"chain", required_argument, NULL, 'c'},
		{"no-certs", no_argument, NULL, 'n'},
		{"pass", required_argument, NULL, 'p'},
		{"pass-file", required_argument, NULL, 'W'},
		{"p12", required_argument, NULL, 'X'},
		{"pkcs11-module", required_argument, NULL, 'M'},
		{"format", required_argument, NULL, 'f'},
		{"signing-time", required_argument, NULL, 't'},
		{"binary", no_argument, NULL, 'B'},
		{"protect-headers", optional_argument, NULL, 'H'},
		{"secure-headers", no_argument, NULL, 'A'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *in = "-", *out = "-", *chain[8], *certs[MAX_SIGNERS], *keys[MAX_SIGNERS];
	const char *p12s[MAX_SIGNERS];
	keyopts_t ko = {0};
	size_t nchain = 0, ncerts = 0, nkeys = 0, np12 = 0;
	unsigned flags = 0, sflags = 0;
	cachet_digest_t digest = CACHET_DIGEST_DEFAULT;
	time_t t = 0;
	bool t_set = false;
	/* S/MIME (RFC 8551 section 3) unless --format der or pem:
	 * multipart/signed unless --opaque.  CMS: encapsulated unless
	 * --detached. */
	form_t form = FORM_AUTO;
	bool smime, is_opaque = false, binary = false;
	unsigned hp = 0; /* --protect-headers, --secure-headers: CACHET_SMIME_* */
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "i:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i': in = optarg; break;
		case 'o': out = optarg; break;
		case 's':
			if (ncerts == MAX_SIGNERS) goto bad;
			certs[ncerts++] = optarg;
			break;
		case 'k':
			if (nkeys == MAX_SIGNERS) goto bad;
			keys[nkeys++] = optarg;
			break;
		case 'd': flags |= CACHET_SIGN_DETACHED; is_opaque = false; break;
		case 'O': flags &= ~CACHET_SIGN_DETACHED; is_opaque = true; break;
		case 'B': binary = true; break;
		case 'A': hp |= CACHET_SMIME_SECURE_HEADERS; break;
		case 'H':
			hp &= ~(CACHET_SMIME_PROTECT_HEADERS | CACHET_SMIME_HP_CIPHER);
			if (optarg == NULL || strcmp(optarg, "clear") == 0)
				hp |= CACHET_SMIME_PROTECT_HEADERS;
			else if (strcmp(optarg, "cipher") == 0)
				hp |= CACHET_SMIME_PROTECT_HEADERS | CACHET_SMIME_HP_CIPHER;
			else {
				fprintf(stderr, "cachet sign: --protect-headers takes clear or cipher, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'D':
			if (strcmp(optarg, "sha256") == 0) digest = CACHET_DIGEST_SHA256;
			else if (strcmp(optarg, "sha384") == 0) digest = CACHET_DIGEST_SHA384;
			else if (strcmp(optarg, "sha512") == 0) digest = CACHET_DIGEST_SHA512;
			else if (strcmp(optarg, "sha224") == 0) digest = CACHET_DIGEST_SHA224;
			else {
				fprintf(stderr, "cachet sign: unknown digest '%s' (sha256, sha384, sha512)\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'P': sflags |= CACHET_SIGNER_PSS; break;
		case 'S': sflags |= CACHET_SIGNER_SKID; break;
		case 'c':
			if (nchain == 8) goto bad;
			chain[nchain++] = optarg;
			break;
		case 'n': flags |= CACHET_SIGN_NO_CERTS; break;
		case 'p': ko.pass = optarg; break;
		case 'W': ko.pass_file = optarg; break;
		case 'M': ko.module = optarg; break;
		case 'X':
			if (np12 == MAX_SIGNERS) goto bad;
			p12s[np12++] = optarg;
			break;
		case 'f':
			if (!parse_form(optarg, &form)) {
				fprintf(stderr, "cachet sign: unknown format '%s' (der, pem, smime)\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 't':
			if (!parse_time(optarg, &t)) {
				fprintf(stderr, "cachet sign: cannot read time '%s'\n", optarg);
				return EXIT_USAGE;
			}
			t_set = true;
			break;
		case 'h': usage(stdout); return EXIT_OK;
		default: goto bad;
		}
	}
	if (keyopts_check(&ko, "sign") < 0)
		return EXIT_USAGE;
	if (optind != argc || ncerts + np12 == 0 || ncerts != nkeys) {
		if (ncerts != nkeys)
			fprintf(stderr, "cachet sign: give one --key for each --signer\n");
		goto bad;
	}
	smime = form == FORM_AUTO || form == FORM_SMIME;
	if (form == FORM_PEM)
		flags |= CACHET_SIGN_PEM;
	if (binary && !smime) {
		fprintf(stderr, "cachet sign: --binary goes with S/MIME output, not --format %s\n",
			form == FORM_PEM ? "pem" : "der");
		return EXIT_USAGE;
	}
	if (hp && !smime) {
		fprintf(stderr, "cachet sign: --protect-headers and --secure-headers need --format smime\n");
		return EXIT_USAGE;
	}

	cachet_sign_t *s = NULL;
	cachet_diag_t *diag = NULL;
	cachet_source_t *src = NULL;
	cachet_sink_t *snk = NULL;
	outfile_t of = {0};
	int ret, fd = -1, status = EXIT_IO;

	of.fd = -1;
	if ((ret = cachet_diag_init(&diag)) < 0 || (ret = cachet_sign_init(&s)) < 0)
		goto done;
	if (t_set && (ret = cachet_sign_set_time(s, t)) < 0)
		goto done;
	for (size_t i = 0; i < ncerts + np12; i++) {
		ret = i < ncerts ? keys_add_signer(&ko, s, certs[i], keys[i], NULL, digest, sflags, diag)
				 : keys_add_signer(&ko, s, NULL, NULL, p12s[i - ncerts], digest, sflags, diag);
		if (ret < 0)
			goto done;
	}
	for (size_t i = 0; i < nchain; i++) {
		cachet_datum_t cd;
		if (read_file(chain[i], &cd) < 0)
			goto done;
		ret = cachet_sign_add_certs(s, &cd, diag);
		free(cd.data);
		if (ret < 0)
			goto done;
	}
	if ((fd = in_open(in)) < 0)
		goto done;
	if (out_open(&of, out) < 0)
		goto done;
	if ((ret = cachet_source_init_fd(&src, fd)) < 0 || (ret = cachet_sink_init_fd(&snk, of.fd)) < 0)
		goto done;
	if (smime)
		ret = cachet_smime_sign(s, src, snk,
					(is_opaque ? CACHET_SMIME_OPAQUE : 0) | (binary ? CACHET_SMIME_BINARY : 0) |
						(flags & CACHET_SIGN_NO_CERTS ? CACHET_SMIME_NO_CERTS : 0) | hp,
					diag);
	else
		ret = cachet_sign_run(s, src, snk, flags, diag);
	if (ret == 0)
		ret = cachet_sink_flush(snk);
	if (ret == 0 && out_commit(&of) == 0)
		status = EXIT_OK;
done:
	if (ret < 0) {
		report_error("sign", ret, diag);
		status = exit_for(ret);
	}
	if (status != EXIT_OK)
		out_abort(&of);
	if (fd > STDIN_FILENO)
		close(fd);
	cachet_sink_deinit(snk);
	cachet_source_deinit(src);
	cachet_sign_deinit(s);
	cachet_diag_deinit(diag);
	keyopts_free(&ko);
	return status;
bad:
	usage(stderr);
	return EXIT_USAGE;
}
