/* keys.c -- private keys for sign, decrypt and verify: a key file, a
 * PKCS#11 URI or a PKCS#12 bundle, and the password or PIN that opens it
 * (--pass, --pass-file, or a prompt when standard input is a terminal). */
#include "tool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define PROMPT_MAX 1024

bool key_is_uri(const char *key)
{
	return key != NULL && strncmp(key, "pkcs11:", 7) == 0;
}

void keyopts_free(keyopts_t *ko)
{
	if (ko->secret != NULL) {
		cachet_wipe(ko->secret, strlen(ko->secret));
		free(ko->secret);
		ko->secret = NULL;
	}
}

int keyopts_check(const keyopts_t *ko, const char *cmd)
{
	if (ko->pass != NULL && ko->pass_file != NULL) {
		fprintf(stderr, "cachet %s: give --pass or --pass-file, not both\n", cmd);
		return -1;
	}
	return 0;
}

/* Read a password from the terminal on standard input without echo. */
static char *prompt_secret(const char *what, const char *name)
{
	struct termios old, quiet;
	char *buf;
	size_t n = 0;
	bool is_done = false;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &old) != 0)
		return NULL;
	buf = malloc(PROMPT_MAX);
	if (buf == NULL)
		return NULL;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	/* Echo off before the prompt appears, so nothing typed after it is
	 * shown. */
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0) {
		free(buf);
		return NULL;
	}
	fprintf(stderr, "%s for %s: ", what, name);
	fflush(stderr);
	while (!is_done) {
		char c;
		ssize_t r = read(STDIN_FILENO, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n' || c == '\r') {
			is_done = true;
			continue;
		}
		if (n + 1 < PROMPT_MAX)
			buf[n++] = c;
	}
	buf[n] = '\0';
	(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return buf;
}

/* The password given (--pass, or --pass-file read once); NULL if none.
 * -1 when the file cannot be read (a message was printed). */
static int given_secret(keyopts_t *ko, const char **pw)
{
	*pw = ko->secret != NULL ? ko->secret : ko->pass;
	if (*pw != NULL || ko->pass_file == NULL)
		return 0;
	cachet_datum_t d = { 0 };
	if (read_secret_file(ko->pass_file, &d) < 0)
		return -1;
	/* First line only, without its line end. */
	size_t n = 0;
	while (n < d.size && d.data[n] != '\n' && d.data[n] != '\r' && d.data[n] != '\0')
		n++;
	ko->secret = malloc(n + 1);
	if (ko->secret != NULL) {
		memcpy(ko->secret, d.data, n);
		ko->secret[n] = '\0';
	}
	cachet_free_secret(&d);
	if (ko->secret == NULL)
		return -1;
	*pw = ko->secret;
	return 0;
}

static int load_module(keyopts_t *ko, const char *key, cachet_diag_t *diag)
{
	if (!key_is_uri(key) || ko->module == NULL || ko->is_module_loaded)
		return 0;
	int ret = cachet_pkcs11_add_module(ko->module, diag);
	if (ret == 0)
		ko->is_module_loaded = true;
	return ret;
}

typedef struct {
	cachet_sign_t *s;
	cachet_decrypt_t *d;
	const char *cert, *key, *p12;
	cachet_datum_t cd, kd;
	cachet_digest_t digest;
	unsigned flags;
} use_t;

static int use_once(use_t *u, const char *pw, cachet_diag_t *diag)
{
	if (u->p12 != NULL)
		return u->s ? cachet_sign_add_signer_p12(u->s, &u->kd, pw, u->digest, u->flags, diag)
			    : cachet_decrypt_add_p12(u->d, &u->kd, pw, diag);
	if (key_is_uri(u->key))
		return u->s ? cachet_sign_add_signer_pkcs11(u->s, &u->cd, u->key, pw, u->digest,
							    u->flags, diag)
			    : cachet_decrypt_add_pkcs11(u->d, &u->cd, u->key, pw, diag);
	return u->s ? cachet_sign_add_signer(u->s, &u->cd, &u->kd, pw, u->digest, u->flags, diag)
		    : cachet_decrypt_add_key(u->d, &u->cd, &u->kd, pw, diag);
}

/* Read the files, then try with the password given; a protected key
 * without one gets a prompt when standard input is a terminal. */
static int use_key(keyopts_t *ko, use_t *u, cachet_diag_t *diag)
{
	const char *pw = NULL;
	int ret = CACHET_E_IO;

	if (given_secret(ko, &pw) < 0)
		goto cleanup;
	if (u->p12 != NULL) {
		if (read_file(u->p12, &u->kd) < 0)
			goto cleanup;
	} else {
		if (read_file(u->cert, &u->cd) < 0)
			goto cleanup;
		if (!key_is_uri(u->key) && read_file(u->key, &u->kd) < 0)
			goto cleanup;
	}
	if ((ret = load_module(ko, u->p12 ? NULL : u->key, diag)) < 0)
		goto cleanup;
	ret = use_once(u, pw, diag);
	if (ret == CACHET_E_NEED_PASSWORD && pw == NULL && ko->pass_file == NULL) {
		bool is_pin = u->p12 == NULL && key_is_uri(u->key);
		char *typed = prompt_secret(is_pin ? "PIN" : "Password", u->p12 ? u->p12 : u->key);
		if (typed != NULL) {
			cachet_diag_clear(diag);
			/* Kept for the other keys of this command. */
			ko->secret = typed;
			ret = use_once(u, typed, diag);
		}
	}
cleanup:
	free(u->cd.data);
	cachet_free_secret(&u->kd);
	return ret;
}

int keys_add_signer(keyopts_t *ko, cachet_sign_t *s, const char *cert, const char *key,
		    const char *p12, cachet_digest_t digest, unsigned flags, cachet_diag_t *diag)
{
	use_t u = { .s = s, .cert = cert, .key = key, .p12 = p12, .digest = digest, .flags = flags };
	return use_key(ko, &u, diag);
}

int keys_add_decrypt(keyopts_t *ko, cachet_decrypt_t *d, const char *cert, const char *key,
		     const char *p12, cachet_diag_t *diag)
{
	use_t u = { .d = d, .cert = cert, .key = key, .p12 = p12 };
	return use_key(ko, &u, diag);
}
