/* cmd-decrypt.c -- cachet decrypt: EnvelopedData, AuthEnvelopedData and
 * EncryptedData.  The plaintext is held in a temporary file and released
 * only when the library says the content decrypted and authenticated. */
#include "tool.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_KEYS 16

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: cachet decrypt -i IN -o OUT [--cert CERT --key KEY | --p12 FILE] ...\n"
		"                      [--pass KEYPASS | --pass-file FILE] [--pkcs11-module PATH]\n"
		"                      [--password PW | --password-file FILE] [--kek HEX [--kek-id ID]]\n"
		"                      [--content-key HEX] [--legacy] [--debug-decrypt] [-v] [--json]\n"
		"                      [--format der|pem|smime] [--trust CA ...] [--certs FILE] [--at TIME]\n"
		"Decrypt the encrypted message in IN.  OUT appears only when the content decrypted\n"
		"and authenticated; every decryption failure gives the same message and exit\n"
		"status 1.  Without --format, IN is read as DER when it starts with a SEQUENCE, as\n"
		"PEM when it starts with -----BEGIN, else as an S/MIME message.  An S/MIME message\n"
		"has every layer opened (signed ones verified against --trust) and OUT gets the\n"
		"innermost MIME entity; an EnvelopedData, AuthEnvelopedData or EncryptedData\n"
		"(der, pem) gives its content.  KEY is a key file or a PKCS#11 URI ('pkcs11:...').\n");
}

int cmd_decrypt(int argc, char **argv)
{
	static const struct option opts[] = {
		{"in", required_argument, NULL, 'i'},
		{"out", required_argument, NULL, 'o'},
		{"cert", required_argument, NULL, 'c'},
		{"key", required_argument, NULL, 'k'},
		{"pass", required_argument, NULL, 'a'},
		{"pass-file", required_argument, NULL, 'W'},
		{"p12", required_argument, NULL, 'X'},
		{"pkcs11-module", required_argument, NULL, 'M'},
		{"password", required_argument, NULL, 'p'},
		{"password-file", required_argument, NULL, 'P'},
		{"kek", required_argument, NULL, 'K'},
		{"kek-id", required_argument, NULL, 'I'},
		{"content-key", required_argument, NULL, 'C'},
		{"legacy", no_argument, NULL, 'L'},
		{"debug-decrypt", no_argument, NULL, 'D'},
		{"verbose", no_argument, NULL, 'v'},
		{"json", no_argument, NULL, 'j'},
		{"format", required_argument, NULL, 'F'},
		{"trust", required_argument, NULL, 't'},
		{"certs", required_argument, NULL, 'T'},
		{"at", required_argument, NULL, 'A'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *in = NULL, *out = NULL, *certs[MAX_KEYS], *keys[MAX_KEYS], *pw = NULL, *pwfile = NULL,
		   *kek = NULL, *kek_id = NULL, *ckey = NULL, *p12s[MAX_KEYS];
	keyopts_t ko = {0};
	size_t ncerts = 0, nkeys = 0, np12 = 0;
	unsigned policy = 0;
	bool verbose = false, json = false;
	int c;
	/* The input's form: given, else detected from its first octets.
	 * S/MIME messages go through cachet_smime_open. */
	form_t form = FORM_AUTO;
	bool smime, at_set = false;
	const char *strust[16], *scerts[16];
	size_t nstrust = 0, nscerts = 0;
	time_t at = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "i:o:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'i': in = optarg; break;
		case 'o': out = optarg; break;
		case 'c':
			if (ncerts == MAX_KEYS) goto bad;
			certs[ncerts++] = optarg;
			break;
		case 'k':
			if (nkeys == MAX_KEYS) goto bad;
			keys[nkeys++] = optarg;
			break;
		case 'a': ko.pass = optarg; break;
		case 'W': ko.pass_file = optarg; break;
		case 'M': ko.module = optarg; break;
		case 'X':
			if (np12 == MAX_KEYS) goto bad;
			p12s[np12++] = optarg;
			break;
		case 'p': pw = optarg; break;
		case 'P': pwfile = optarg; break;
		case 'K': kek = optarg; break;
		case 'I': kek_id = optarg; break;
		case 'C': ckey = optarg; break;
		case 'L': policy |= CACHET_POLICY_LEGACY; break;
		case 'D': policy |= CACHET_POLICY_DEBUG_DECRYPT; break;
		case 'v': verbose = true; break;
		case 'j': json = verbose = true; break;
		case 'F':
			/* der and pem are both read, whichever is given */
			if (!parse_form(optarg, &form)) {
				fprintf(stderr, "cachet decrypt: --format is der, pem or smime\n");
				return EXIT_USAGE;
			}
			break;
		case 't':
			if (nstrust == 16) goto bad;
			strust[nstrust++] = optarg;
			break;
		case 'T':
			if (nscerts == 16) goto bad;
			scerts[nscerts++] = optarg;
			break;
		case 'A':
			if (!parse_time(optarg, &at)) {
				fprintf(stderr, "cachet decrypt: cannot read time '%s'\n", optarg);
				return EXIT_USAGE;
			}
			at_set = true;
			break;
		case 'h': usage(stdout); return EXIT_OK;
		default: goto bad;
		}
	}
	if (optind != argc || in == NULL || out == NULL)
		goto bad;
	if (ncerts != nkeys) {
		fprintf(stderr, "cachet decrypt: each --cert needs its --key\n");
		return EXIT_USAGE;
	}
	if (keyopts_check(&ko, "decrypt") < 0)
		return EXIT_USAGE;
	if (pw && pwfile) {
		fprintf(stderr, "cachet decrypt: give --password or --password-file, not both\n");
		return EXIT_USAGE;
	}
	if (kek_id && !kek) {
		fprintf(stderr, "cachet decrypt: --kek-id needs --kek\n");
		return EXIT_USAGE;
	}
	if (nkeys + np12 == 0 && !pw && !pwfile && !kek && !ckey) {
		fprintf(stderr, "cachet decrypt: give a key (--cert/--key, --p12, --password, --kek or --content-key)\n");
		return EXIT_USAGE;
	}

	cachet_decrypt_t *d = NULL;
	cachet_diag_t *diag = NULL;
	cachet_datum_t a = {0}, b = {0};
	input_t inp = {.fd = -1};
	held_t ho = {0};
	int ret = 0, status = EXIT_IO;

	if (input_open(&inp, in, form == FORM_AUTO) < 0)
		goto cleanup;
	if (verbose && !json)
		fprintf(stderr, "Input: %s (%s)\n", form_name(form == FORM_AUTO ? inp.form : form),
			form == FORM_AUTO ? "detected" : "--format");
	if (form == FORM_AUTO)
		form = inp.form;
	smime = form == FORM_SMIME;
	if (!smime && (nstrust || nscerts || at_set)) {
		fprintf(stderr, "cachet decrypt: --trust, --certs and --at go with an S/MIME message, "
				"and IN is read as %s\n", form_name(form));
		status = EXIT_USAGE;
		goto cleanup;
	}
	if ((ret = cachet_diag_init(&diag)) < 0 || (ret = cachet_decrypt_init(&d)) < 0)
		goto done;
	if ((ret = cachet_decrypt_set_policy(d, policy)) < 0)
		goto done;
	for (size_t i = 0; i < nkeys + np12; i++) {
		ret = i < nkeys ? keys_add_decrypt(&ko, d, certs[i], keys[i], NULL, diag)
				: keys_add_decrypt(&ko, d, NULL, NULL, p12s[i - nkeys], diag);
		if (ret < 0)
			goto done;
	}
	if (pwfile) {
		if (read_secret_file(pwfile, &a) < 0)
			goto done;
		ret = cachet_decrypt_add_password(d, a.data, a.size);
		cachet_free_secret(&a);
		if (ret < 0)
			goto done;
	} else if (pw) {
		if ((ret = cachet_decrypt_add_password(d, (const uint8_t *)pw, strlen(pw))) < 0)
			goto done;
	}
	if (kek) {
		if (parse_hex(kek, &a) < 0 || (kek_id && parse_id(kek_id, &b) < 0)) {
			fprintf(stderr, "cachet decrypt: --kek wants hex, --kek-id text or hex:...\n");
			cachet_free_secret(&a);
			status = EXIT_USAGE;
			goto cleanup;
		}
		ret = cachet_decrypt_add_kek(d, kek_id ? &b : NULL, &a, diag);
		cachet_free_secret(&a);
		free(b.data);
		b.data = NULL;
		if (ret < 0)
			goto done;
	}
	if (ckey) {
		if (parse_hex(ckey, &a) < 0) {
			fprintf(stderr, "cachet decrypt: --content-key wants hex\n");
			status = EXIT_USAGE;
			goto cleanup;
		}
		ret = cachet_decrypt_set_content_key(d, &a, diag);
		cachet_free_secret(&a);
		if (ret < 0)
			goto done;
	}
	if (smime) {
		/* Signed layers are verified against --trust (none given: they
		 * fail as untrusted); OUT gets the innermost entity only when
		 * every layer checked out. */
		cachet_verify_t *v = NULL;
		if ((ret = cachet_verify_init(&v)) < 0 ||
		    (ret = cachet_verify_set_policy(v, policy & CACHET_POLICY_LEGACY)) < 0 ||
		    (at_set && (ret = cachet_verify_set_time(v, at)) < 0))
			goto smime_done;
		for (size_t i = 0; i < nstrust + nscerts; i++) {
			bool is_trust = i < nstrust;
			const char *f = is_trust ? strust[i] : scerts[i - nstrust];
			if (read_file(f, &a) < 0) {
				cachet_verify_deinit(v);
				goto cleanup;
			}
			ret = is_trust ? cachet_verify_add_trust(v, &a, diag) : cachet_verify_add_certs(v, &a, diag);
			free(a.data);
			a.data = NULL;
			if (ret < 0)
				goto smime_done;
		}
		status = smime_run("decrypt", v, d, inp.src, out, CACHET_SMIME_NEED_ENCRYPTED, verbose, json,
				   stderr);
	smime_done:
		cachet_verify_deinit(v);
		if (ret < 0)
			goto done;
		goto cleanup;
	}
	/* Nothing unauthenticated reaches OUT (held_t). */
	if (held_open(&ho, out, "decrypt") < 0)
		goto done;
	ret = cachet_decrypt_run(d, inp.src, ho.snk, diag);
	if (verbose) {
		cachet_datum_t text = {0};
		if (cachet_decrypt_summary(d, json ? CACHET_INSPECT_JSON : 0, &text) == 0) {
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
		report_error("decrypt", ret, diag);
		status = exit_for(ret);
	}
cleanup:
	held_close(&ho);
	input_close(&inp);
	free(a.data);
	free(b.data);
	cachet_decrypt_deinit(d);
	cachet_diag_deinit(diag);
	keyopts_free(&ko);
	return status;
bad:
	usage(stderr);
	return EXIT_USAGE;
}
