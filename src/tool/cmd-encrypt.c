/* cmd-encrypt.c -- cachet encrypt: an encrypted S/MIME message (RFC 8551
 * sections 3.3, 3.4), or EnvelopedData, AuthEnvelopedData or EncryptedData
 * for certificates, passwords and KEKs. */
#include "tool.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_TO 64

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: cachet encrypt -i IN -o OUT [--to CERT|ADDRESS ...] [--cert-dir DIR]\n"
		"                      [--no-cert-check] [--oaep] [--skid]\n"
		"                      [--password PW | --password-file FILE] [--iterations N]\n"
		"                      [--kek HEX --kek-id ID] [--content-key HEX]\n"
		"                      [--cipher aes-128-gcm|aes-256-gcm|chacha20-poly1305|\n"
		"                                aes-128-cbc|aes-192-cbc|aes-256-cbc]\n"
		"                      [--originator-certs FILE] [--format der|pem|smime] [--binary]\n"
		"                      [--protect-headers]\n"
		"Encrypt IN.  An AEAD cipher (default aes-128-gcm) makes AuthEnvelopedData,\n"
		"a CBC cipher EnvelopedData; --content-key without recipients makes EncryptedData\n"
		"(--format der or pem only).  By default (--format smime) IN is a mail message or\n"
		"MIME entity and OUT an application/pkcs7-mime message (authEnveloped-data or\n"
		"enveloped-data); --binary leaves 8-bit content unencoded.  --format der or pem\n"
		"encrypts IN's octets into a CMS message.  --protect-headers copies the header\n"
		"fields inside, hp=\"cipher\", and sends the Subject as \"[...]\" (RFC 9788).\n"
		"--to ADDRESS (with '@', not a file) takes the recipient's certificate from the\n"
		"certificate directory (--cert-dir, default $HOME/.cachet/certs).  Every recipient\n"
		"certificate must be valid now and allow encryption (RFC 8550 sections 4.4.2, 4.4.4)\n"
		"unless --no-cert-check is given.\n");
}

static const struct {
	const char *name;
	cachet_cipher_t c;
} cipher_names[] = {
	{"aes-128-gcm", CACHET_CIPHER_AES128_GCM},
	{"aes-256-gcm", CACHET_CIPHER_AES256_GCM},
	{"chacha20-poly1305", CACHET_CIPHER_CHACHA20_POLY1305},
	{"aes-128-cbc", CACHET_CIPHER_AES128_CBC},
	{"aes-192-cbc", CACHET_CIPHER_AES192_CBC},
	{"aes-256-cbc", CACHET_CIPHER_AES256_CBC},
};

int cmd_encrypt(int argc, char **argv)
{
	static const struct option opts[] = {
		{"in", required_argument, NULL, 'i'},
		{"out", required_argument, NULL, 'o'},
		{"to", required_argument, NULL, 't'},
		{"oaep", no_argument, NULL, 'O'},
		{"skid", no_argument, NULL, 'S'},
		{"password", required_argument, NULL, 'p'},
		{"password-file", required_argument, NULL, 'P'},
		{"iterations", required_argument, NULL, 'n'},
		{"kek", required_argument, NULL, 'k'},
		{"kek-id", required_argument, NULL, 'K'},
		{"content-key", required_argument, NULL, 'c'},
		{"cipher", required_argument, NULL, 'C'},
		{"originator-certs", required_argument, NULL, 'G'},
		{"format", required_argument, NULL, 'f'},
		{"protect-headers", no_argument, NULL, 'H'},
		{"binary", no_argument, NULL, 'B'},
		{"cert-dir", required_argument, NULL, 'D'},
		{"no-cert-check", no_argument, NULL, 'N'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *in = NULL, *out = NULL, *to[MAX_TO], *pw = NULL, *pwfile = NULL, *kek = NULL,
		   *kek_id = NULL, *ckey = NULL, *orig = NULL, *cert_dir = NULL;
	size_t nto = 0;
	unsigned rflags = 0;
	unsigned long iterations = 0;
	cachet_cipher_t cipher = CACHET_CIPHER_DEFAULT;
	form_t form = FORM_AUTO;
	bool cipher_set = false, smime, binary = false, is_cert_check = true;
	char dirbuf[4096];
	unsigned hp = 0; /* --protect-headers */
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "i:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i': in = optarg; break;
		case 'o': out = optarg; break;
		case 't':
			if (nto == MAX_TO) {
				fprintf(stderr, "cachet encrypt: at most %d --to\n", MAX_TO);
				return EXIT_USAGE;
			}
			to[nto++] = optarg;
			break;
		case 'O': rflags |= CACHET_RECIPIENT_OAEP; break;
		case 'S': rflags |= CACHET_RECIPIENT_SKID; break;
		case 'p': pw = optarg; break;
		case 'P': pwfile = optarg; break;
		case 'n': {
			char *end;
			iterations = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || iterations == 0) {
				fprintf(stderr, "cachet encrypt: --iterations wants a positive number\n");
				return EXIT_USAGE;
			}
			break;
		}
		case 'k': kek = optarg; break;
		case 'K': kek_id = optarg; break;
		case 'c': ckey = optarg; break;
		case 'C': {
			size_t i;
			for (i = 0; i < sizeof(cipher_names) / sizeof(cipher_names[0]); i++)
				if (strcmp(optarg, cipher_names[i].name) == 0)
					break;
			if (i == sizeof(cipher_names) / sizeof(cipher_names[0])) {
				fprintf(stderr, "cachet encrypt: unknown cipher '%s'\n", optarg);
				return EXIT_USAGE;
			}
			cipher = cipher_names[i].c;
			cipher_set = true;
			break;
		}
		case 'G': orig = optarg; break;
		case 'f':
			/* smime (the default): RFC 8551 sections 3.3 and 3.4 */
			if (!parse_form(optarg, &form))
				goto bad;
			break;
		case 'H': hp = CACHET_SMIME_PROTECT_HEADERS; break;
		case 'B': binary = true; break;
		case 'D': cert_dir = optarg; break;
		case 'N': is_cert_check = false; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: goto bad;
		}
	}
	if (optind != argc || in == NULL || out == NULL)
		goto bad;
	if (pw && pwfile) {
		fprintf(stderr, "cachet encrypt: give --password or --password-file, not both\n");
		return EXIT_USAGE;
	}
	if ((kek == NULL) != (kek_id == NULL)) {
		fprintf(stderr, "cachet encrypt: --kek and --kek-id go together\n");
		return EXIT_USAGE;
	}
	if (ckey && (nto || pw || pwfile || kek)) {
		fprintf(stderr, "cachet encrypt: --content-key makes EncryptedData, which has no recipients\n");
		return EXIT_USAGE;
	}
	if (!ckey && nto == 0 && !pw && !pwfile && !kek) {
		fprintf(stderr, "cachet encrypt: give at least one recipient (--to, --password, --kek)\n");
		return EXIT_USAGE;
	}
	smime = form == FORM_AUTO || form == FORM_SMIME;
	if (ckey && form == FORM_AUTO) {
		/* RFC 8551 section 3 has no smime-type for EncryptedData. */
		fprintf(stderr, "cachet encrypt: --content-key makes EncryptedData, which has no S/MIME form; "
				"give --format der or pem\n");
		return EXIT_USAGE;
	}
	if (binary && !smime) {
		fprintf(stderr, "cachet encrypt: --binary goes with S/MIME output, not --format %s\n",
			form == FORM_PEM ? "pem" : "der");
		return EXIT_USAGE;
	}
	if (hp && !smime) {
		fprintf(stderr, "cachet encrypt: --protect-headers needs --format smime\n");
		return EXIT_USAGE;
	}

	cachet_encrypt_t *e = NULL;
	cachet_diag_t *diag = NULL;
	cachet_source_t *src = NULL;
	cachet_sink_t *snk = NULL;
	cachet_datum_t d = {0};
	outfile_t of = {0};
	int ret = 0, fd = -1, status = EXIT_IO;

	of.fd = -1;
	if ((ret = cachet_diag_init(&diag)) < 0 || (ret = cachet_encrypt_init(&e)) < 0)
		goto done;
	if (cipher_set && (ret = cachet_encrypt_set_cipher(e, cipher)) < 0)
		goto done;
	for (size_t i = 0; i < nto; i++) {
		if (to_is_address(to[i])) {
			/* A recipient by address: its certificate from the
			 * directory, which only holds it when it fits. */
			const char *dir = certdir_path(cert_dir, dirbuf, sizeof(dirbuf));
			if (dir == NULL) {
				fprintf(stderr, "cachet encrypt: --to %s is an address, but there is no certificate "
						"directory (give --cert-dir; HOME is not set)\n", to[i]);
				status = EXIT_USAGE;
				goto cleanup;
			}
			if ((ret = cachet_certdir_find(dir, to[i], 0, &d, diag)) < 0) {
				fprintf(stderr, "cachet encrypt: no certificate for %s in %s\n", to[i], dir);
				goto done;
			}
		} else if (read_file(to[i], &d) < 0) {
			goto done;
		}
		/* RFC 8550 sections 4.4.2 and 4.4.4, and the validity period:
		 * refuse a certificate that cannot receive encrypted mail. */
		if (is_cert_check && (ret = cachet_recipient_cert_check(&d, 0, diag)) < 0) {
			fprintf(stderr, "cachet encrypt: the certificate of recipient %s cannot receive encrypted "
					"mail (--no-cert-check overrides)\n", to[i]);
			free(d.data);
			d.data = NULL;
			goto done;
		}
		ret = cachet_encrypt_add_recipient(e, &d, rflags, diag);
		free(d.data);
		d.data = NULL;
		if (ret < 0)
			goto done;
	}
	if (pwfile) {
		if (read_secret_file(pwfile, &d) < 0)
			goto done;
		ret = cachet_encrypt_add_password(e, d.data, d.size, iterations, diag);
		cachet_free_secret(&d);
		if (ret < 0)
			goto done;
	} else if (pw) {
		if ((ret = cachet_encrypt_add_password(e, (const uint8_t *)pw, strlen(pw), iterations, diag)) < 0)
			goto done;
	}
	if (kek) {
		cachet_datum_t id = {0};
		if (parse_hex(kek, &d) < 0 || parse_id(kek_id, &id) < 0) {
			fprintf(stderr, "cachet encrypt: --kek wants hex, --kek-id text or hex:...\n");
			cachet_free_secret(&d);
			status = EXIT_USAGE;
			goto cleanup;
		}
		ret = cachet_encrypt_add_kek(e, &id, &d, diag);
		cachet_free_secret(&d);
		free(id.data);
		if (ret < 0)
			goto done;
	}
	if (ckey) {
		if (parse_hex(ckey, &d) < 0) {
			fprintf(stderr, "cachet encrypt: --content-key wants hex\n");
			status = EXIT_USAGE;
			goto cleanup;
		}
		ret = cachet_encrypt_set_content_key(e, &d, diag);
		cachet_free_secret(&d);
		if (ret < 0)
			goto done;
	}
	if (orig) {
		if (read_file(orig, &d) < 0)
			goto done;
		ret = cachet_encrypt_add_originator_certs(e, &d, diag);
		free(d.data);
		d.data = NULL;
		if (ret < 0)
			goto done;
	}
	if ((fd = in_open(in)) < 0)
		goto done;
	if ((ret = cachet_source_init_fd(&src, fd)) < 0)
		goto done;
	if (out_open(&of, out) < 0)
		goto done;
	if ((ret = cachet_sink_init_fd(&snk, of.fd)) < 0)
		goto done;
	if (smime)
		ret = cachet_smime_encrypt(e, src, snk, (binary ? CACHET_SMIME_BINARY : 0) | hp, diag);
	else
		ret = cachet_encrypt_run(e, src, snk, form == FORM_PEM ? CACHET_ENCRYPT_PEM : 0, diag);
	if (ret < 0)
		goto done;
	if ((ret = cachet_sink_flush(snk)) < 0)
		goto done;
	status = out_commit(&of) < 0 ? EXIT_IO : EXIT_OK;
	goto cleanup;
done:
	if (ret < 0) {
		report_error("encrypt", ret, diag);
		status = exit_for(ret);
	}
cleanup:
	if (status != EXIT_OK)
		out_abort(&of);
	if (fd > STDIN_FILENO)
		close(fd);
	cachet_sink_deinit(snk);
	cachet_source_deinit(src);
	cachet_encrypt_deinit(e);
	cachet_diag_deinit(diag);
	return status;
bad:
	usage(stderr);
	return EXIT_USAGE;
}
