/* tool.h -- shared pieces of the cachet command-line tool. */
#ifndef CACHET_TOOL_H
#define CACHET_TOOL_H

#include <config.h>

#include <stdbool.h>
#include <stdio.h>

#include "cachet/cachet.h"

/* Exit statuses, documented in every man page. */
enum {
	EXIT_OK = 0,
	EXIT_VERIFY = 1,    /* the message failed verification */
	EXIT_USAGE = 2,	    /* usage error */
	EXIT_MALFORMED = 3, /* malformed or unsupported input */
	EXIT_IO = 4,	    /* I/O or system error */
	EXIT_NO_CERT = 5,   /* no usable certificate for an address (CACHET_E_CERT_NOT_FOUND) */
};

/* An output file written to a temporary name beside the target and renamed
 * into place only by out_commit(); out_abort() removes it, so a failure
 * never leaves a partial file where the user's file was. */
typedef struct {
	char *target;
	char *tmp;
	int fd;
	bool is_stdout;
	bool is_device; /* not a regular file: written in place */
} outfile_t;

int out_open(outfile_t *o, const char *path);
int out_commit(outfile_t *o);
void out_abort(outfile_t *o);

/* Output that may appear only when the command succeeds (content to be
 * verified or authenticated first): a file is written under a temporary
 * name beside it (outfile_t); standard output ("-") gets the content from
 * an unlinked temporary file once held_commit() runs.  held_close()
 * removes whatever was not committed. */
typedef struct {
	outfile_t of;
	FILE *hold;
	cachet_sink_t *snk;
} held_t;

/* Open PATH for CMD's output: 0 with H->snk ready, or -1 with a message
 * printed (the command then exits EXIT_IO). */
int held_open(held_t *h, const char *path, const char *cmd);
/* Flush, then rename into place or copy to stdout: EXIT_OK or EXIT_IO. */
int held_commit(held_t *h);
/* Abort what did not commit, free everything; H may be zeroed. */
void held_close(held_t *h);
/* True when PATH is standard output. */
bool held_is_stdout(const char *path);
/* Open IN ("-" = stdin) as an fd; -1 with a message on failure. */
int in_open(const char *path);
/* Read a whole (small) file: certificates, keys. */
int read_file(const char *path, cachet_datum_t *out);
/* Hex text to bytes (allocated; wipe with cachet_free_secret). */
int parse_hex(const char *s, cachet_datum_t *out);
/* A key identifier: the literal bytes of S, or hex after "hex:". */
int parse_id(const char *s, cachet_datum_t *out);
/* A password file: its bytes without the trailing newline. */
int read_secret_file(const char *path, cachet_datum_t *out);
/* --format der|pem, and smime when SMIME is not NULL: sets *PEM (and
 * *SMIME); false for any other word. */
bool parse_format(const char *s, bool *pem, bool *smime);

/* The form of a message: --format der, pem or smime, or not given. */
typedef enum {
	FORM_AUTO = 0, /* no --format: the default (or detected) form */
	FORM_DER,
	FORM_PEM,
	FORM_SMIME,
} form_t;

/* --format der|pem|smime to *FORM; false for any other word. */
bool parse_form(const char *s, form_t *form);
/* "DER", "PEM" or "S/MIME" for messages. */
const char *form_name(form_t form);

/* An input ("-" = stdin) as a library source, its first octets looked at
 * without losing them: a seekable file is peeked with pread(), a pipe's
 * first octets are read and replayed by the source. */
typedef struct {
	int fd;
	cachet_source_t *src;
	form_t form; /* what the first octets look like (input_open with detect) */
	uint8_t head[64];
	size_t head_len, head_pos;
} input_t;

/* Open PATH as IN->src.  With DETECT, set IN->form from the first octets:
 * DER for a SEQUENCE tag (0x30), PEM for "-----BEGIN" (after white
 * space), S/MIME for anything else * (empty input: DER).  0, or -1 with a message printed (EXIT_IO). */
int input_open(input_t *in, const char *path, bool detect);
/* Free the source and close the file; IN may be zeroed. */
void input_close(input_t *in);
/* Exit status for a library code. */
int exit_for(int code);
/* Print "cachet CMD: ..." and the diagnostic chain to stderr. */
void report_error(const char *cmd, int code, const cachet_diag_t *diag);
/* Parse "YYYY-MM-DD[THH:MM:SS[Z]]" or "@EPOCH". */
bool parse_time(const char *s, time_t *t);

/* S/MIME input for verify, decrypt and decompress: open the message read
 * from SRC with cachet_smime_open (V, D borrowed, either may be NULL), hold the innermost
 * entity for OUT (may be NULL) until every layer checked out, print the
 * layer report to REPORT_TO when SHOW (JSON with JSON), and return the
 * exit status. */
int smime_run(const char *cmd, cachet_verify_t *v, cachet_decrypt_t *d, cachet_source_t *src,
	      const char *out, unsigned flags, bool show, bool json, FILE *report_to);

/* Private keys (keys.c): --pass, --pass-file, --pkcs11-module, and a
 * prompt on a terminal for a protected key when neither password option
 * is given.  The password read from a file or typed is wiped by
 * keyopts_free. */
typedef struct {
	const char *pass;      /* --pass */
	const char *pass_file; /* --pass-file: its first line */
	const char *module;    /* --pkcs11-module */
	char *secret;	       /* read from the file or typed */
	bool is_module_loaded;
} keyopts_t;

/* -1 (with a message) when both --pass and --pass-file are given. */
int keyopts_check(const keyopts_t *ko, const char *cmd);
void keyopts_free(keyopts_t *ko);
/* True for a PKCS#11 URI ("pkcs11:..."), taken instead of a key file. */
bool key_is_uri(const char *key);
/* Add a signer or a decryption key: CERT with KEY (a file or a PKCS#11
 * URI), or the PKCS#12 bundle P12 (CERT and KEY unused).  Returns 0 or a
 * CACHET_E_* code (CACHET_E_IO after a file could not be read). */
int keys_add_signer(keyopts_t *ko, cachet_sign_t *s, const char *cert, const char *key,
		    const char *p12, cachet_digest_t digest, unsigned flags, cachet_diag_t *diag);
int keys_add_decrypt(keyopts_t *ko, cachet_decrypt_t *d, const char *cert, const char *key,
		     const char *p12, cachet_diag_t *diag);

/* The certificate directory: GIVEN (--cert-dir) when not NULL, else
 * $HOME/.cachet/certs written into BUF; NULL when HOME is unset or empty
 * (or the path does not fit). */
const char *certdir_path(const char *given, char *buf, size_t n);
/* True when a --to argument is an address: it holds '@' and names no
 * existing file. */
bool to_is_address(const char *arg);

int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_encrypt(int argc, char **argv);
int cmd_decrypt(int argc, char **argv);
int cmd_compress(int argc, char **argv);
int cmd_decompress(int argc, char **argv);
int cmd_certs(int argc, char **argv);
int cmd_lint(int argc, char **argv);

#endif
