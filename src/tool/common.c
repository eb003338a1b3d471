/* common.c -- files, exit statuses and error printing for the tool. */
#include "tool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int out_open(outfile_t *o, const char *path)
{
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	if (path == NULL || strcmp(path, "-") == 0) {
		o->is_stdout = true;
		o->fd = STDOUT_FILENO;
		return 0;
	}
	/* A target that exists and is not a regular file (/dev/null, a FIFO,
	 * a terminal) is written in place: renaming over it would replace the
	 * device or pipe with a file. */
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		o->fd = open(path, O_WRONLY);
		if (o->fd < 0) {
			fprintf(stderr, "cachet: cannot open %s: %s\n", path, strerror(errno));
			return -1;
		}
		o->is_stdout = true; /* nothing to commit or remove */
		o->is_device = true;
		return 0;
	}
	o->target = strdup(path);
	size_t n = strlen(path) + 16;
	o->tmp = malloc(n);
	if (o->target == NULL || o->tmp == NULL)
		return -1;
	/* The temporary file lives in the target's directory, so the final
	 * rename is atomic. */
	const char *slash = strrchr(path, '/');
	if (slash)
		snprintf(o->tmp, n, "%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
	else
		snprintf(o->tmp, n, ".%s.XXXXXX", path);
	o->fd = mkstemp(o->tmp);
	if (o->fd < 0) {
		fprintf(stderr, "cachet: cannot create a file beside %s: %s\n", path, strerror(errno));
		return -1;
	}
	/* Keep the mode a new file would get (mkstemp makes it 0600). */
	mode_t um = umask(0);
	umask(um);
	if (fchmod(o->fd, 0666 & ~um) < 0) {
		/* not fatal */
	}
	return 0;
}

int out_commit(outfile_t *o)
{
	if (o->is_device) {
		int ret = close(o->fd);
		o->fd = -1;
		return ret;
	}
	if (o->is_stdout)
		return 0;
	int ret = 0;
	if (fsync(o->fd) < 0 || close(o->fd) < 0) {
		fprintf(stderr, "cachet: writing %s failed: %s\n", o->target, strerror(errno));
		ret = -1;
	}
	o->fd = -1;
	if (ret == 0 && rename(o->tmp, o->target) < 0) {
		fprintf(stderr, "cachet: cannot rename into %s: %s\n", o->target, strerror(errno));
		ret = -1;
	}
	if (ret < 0)
		unlink(o->tmp);
	free(o->tmp);
	free(o->target);
	o->tmp = o->target = NULL;
	return ret;
}

void out_abort(outfile_t *o)
{
	if (o->is_device && o->fd >= 0) {
		close(o->fd);
		o->fd = -1;
	}
	if (o->is_stdout || o->tmp == NULL) {
		free(o->target);
		o->target = NULL;
		return;
	}
	if (o->fd >= 0)
		close(o->fd);
	unlink(o->tmp);
	free(o->tmp);
	free(o->target);
	o->tmp = o->target = NULL;
	o->fd = -1;
}

int in_open(const char *path)
{
	if (path == NULL || strcmp(path, "-") == 0)
		return STDIN_FILENO;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		fprintf(stderr, "cachet: cannot open %s: %s\n", path, strerror(errno));
	return fd;
}

int read_file(const char *path, cachet_datum_t *out)
{
	int fd = in_open(path);
	size_t cap = 4096, len = 0;
	uint8_t *buf;

	out->data = NULL;
	out->size = 0;
	if (fd < 0)
		return -1;
	buf = malloc(cap);
	for (;;) {
		if (buf == NULL)
			break;
		if (len == cap) {
			if (cap >= (64u << 20)) {
				fprintf(stderr, "cachet: %s is too large\n", path);
				free(buf);
				buf = NULL;
				break;
			}
			uint8_t *b = realloc(buf, cap * 2);
			if (b == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = b;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "cachet: reading %s failed: %s\n", path, strerror(errno));
			cachet_wipe(buf, cap);
			free(buf);
			buf = NULL;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (buf == NULL)
		return -1;
	out->data = buf;
	out->size = len;
	return 0;
}

const char *certdir_path(const char *given, char *buf, size_t n)
{
	if (given)
		return given;
	const char *home = getenv("HOME");
	if (home == NULL || *home == '\0')
		return NULL;
	int w = snprintf(buf, n, "%s/.cachet/certs", home);
	return w > 0 && (size_t)w < n ? buf : NULL;
}

bool to_is_address(const char *arg)
{
	struct stat st;
	return strchr(arg, '@') != NULL && stat(arg, &st) != 0;
}

int exit_for(int code)
{
	if (code >= 0)
		return EXIT_OK;
	if (code == CACHET_E_CERT_NOT_FOUND)
		return EXIT_NO_CERT;
	switch (cachet_error_category(code)) {
	case CACHET_CAT_VERIFY_FAILED:
	case CACHET_CAT_DECRYPT_FAILED:
	case CACHET_CAT_POLICY:
		return EXIT_VERIFY;
	case CACHET_CAT_USAGE:
		return EXIT_USAGE;
	case CACHET_CAT_MALFORMED:
	case CACHET_CAT_UNSUPPORTED:
		return EXIT_MALFORMED;
	default:
		return EXIT_IO;
	}
}

void report_error(const char *cmd, int code, const cachet_diag_t *diag)
{
	fprintf(stderr, "cachet %s: %s [%s]\n", cmd, cachet_strerror(code), cachet_strerror_name(code));
	size_t n = cachet_diag_count(diag);
	for (size_t i = 0; i < n; i++) {
		int c;
		const char *path, *rule, *detail;
		if (cachet_diag_get(diag, i, &c, &path, &rule, &detail) < 0)
			break;
		fprintf(stderr, "  %s%s%s%s%s%s\n", *path ? path : "", *path ? ": " : "", detail,
			*rule ? " (" : "", rule, *rule ? ")" : "");
	}
}

bool parse_time(const char *s, time_t *t)
{
	struct tm tm;
	char *end;
	if (s[0] == '@') {
		long long v = strtoll(s + 1, &end, 10);
		if (*end || end == s + 1)
			return false;
		*t = (time_t)v;
		return true;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (end == NULL) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, "%Y-%m-%d", &tm);
	}
	if (end == NULL || (*end && strcmp(end, "Z") != 0))
		return false;
	*t = timegm(&tm);
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int parse_hex(const char *s, cachet_datum_t *out)
{
	size_t n = strlen(s);
	out->data = NULL;
	out->size = 0;
	if (n == 0 || n % 2 != 0)
		return -1;
	out->data = malloc(n / 2);
	if (out->data == NULL)
		return -1;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0) {
			cachet_free_secret(out);
			return -1;
		}
		out->data[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	out->size = n / 2;
	return 0;
}

int parse_id(const char *s, cachet_datum_t *out)
{
	if (strncmp(s, "hex:", 4) == 0)
		return parse_hex(s + 4, out);
	out->size = strlen(s);
	out->data = malloc(out->size ? out->size : 1);
	if (out->data == NULL || out->size == 0) {
		free(out->data);
		out->data = NULL;
		out->size = 0;
		return -1;
	}
	memcpy(out->data, s, out->size);
	return 0;
}

int read_secret_file(const char *path, cachet_datum_t *out)
{
	if (read_file(path, out) < 0)
		return -1;
	/* One line: a trailing newline (and carriage return) is not part of
	 * the secret. */
	while (out->size > 0 && (out->data[out->size - 1] == '\n' || out->data[out->size - 1] == '\r'))
		out->data[--out->size] = 0;
	return 0;
}

static int release_held(FILE *hold)
{
	char buf[65536];
	size_t n;
	if (fseek(hold, 0, SEEK_SET) != 0)
		return EXIT_IO;
	while ((n = fread(buf, 1, sizeof(buf), hold)) > 0)
		if (fwrite(buf, 1, n, stdout) != n)
			return EXIT_IO;
	return ferror(hold) || fflush(stdout) != 0 ? EXIT_IO : EXIT_OK;
}

bool held_is_stdout(const char *path)
{
	return path != NULL && strcmp(path, "-") == 0;
}

int held_open(held_t *h, const char *path, const char *cmd)
{
	memset(h, 0, sizeof(*h));
	h->of.fd = -1;
	if (held_is_stdout(path)) {
		if ((h->hold = tmpfile()) == NULL) {
			fprintf(stderr, "cachet %s: cannot create a temporary file: %s\n", cmd, strerror(errno));
			return -1;
		}
	} else if (out_open(&h->of, path) < 0) {
		return -1;
	}
	if (cachet_sink_init_fd(&h->snk, h->hold ? fileno(h->hold) : h->of.fd) < 0) {
		fprintf(stderr, "cachet %s: out of memory\n", cmd);
		return -1;
	}
	return 0;
}

int held_commit(held_t *h)
{
	if (h->snk != NULL && cachet_sink_flush(h->snk) < 0)
		return EXIT_IO;
	if (h->hold != NULL)
		return release_held(h->hold);
	return out_commit(&h->of) < 0 ? EXIT_IO : EXIT_OK;
}

void held_close(held_t *h)
{
	cachet_sink_deinit(h->snk);
	h->snk = NULL;
	out_abort(&h->of);
	if (h->hold != NULL)
		fclose(h->hold); /* unlinked: the held content disappears with it */
	h->hold = NULL;
}

bool parse_format(const char *s, bool *pem, bool *smime)
{
	bool is_smime = strcmp(s, "smime") == 0;
	if (is_smime ? smime == NULL : strcmp(s, "pem") != 0 && strcmp(s, "der") != 0)
		return false;
	*pem = s[0] == 'p';
	if (smime != NULL)
		*smime = is_smime;
	return true;
}

bool parse_form(const char *s, form_t *form)
{
	if (strcmp(s, "der") == 0)
		*form = FORM_DER;
	else if (strcmp(s, "pem") == 0)
		*form = FORM_PEM;
	else if (strcmp(s, "smime") == 0)
		*form = FORM_SMIME;
	else
		return false;
	return true;
}

const char *form_name(form_t form)
{
	switch (form) {
	case FORM_DER: return "DER";
	case FORM_PEM: return "PEM";
	case FORM_SMIME: return "S/MIME";
	default: return "unknown";
	}
}

/* ---- inputs whose first octets decide how to read them ---- */

/* The source callback of a pipe: the peeked octets first, then the rest
 * of the descriptor. */
static long replay_read(void *opaque, uint8_t *buf, size_t len)
{
	input_t *in = opaque;
	if (in->head_pos < in->head_len) {
		size_t n = in->head_len - in->head_pos;
		if (n > len)
			n = len;
		memcpy(buf, in->head + in->head_pos, n);
		in->head_pos += n;
		return (long)n;
	}
	for (;;) {
		ssize_t n = read(in->fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		return (long)n;
	}
}

/* DER (and BER) ContentInfo starts with a SEQUENCE tag (RFC 5652 section
 * 3); PEM with its encapsulation boundary (RFC 7468 section 2), which may
 * follow white space; everything else is taken for a mail message.  An
 * empty input is read as DER, to be reported as a truncated message. */
static form_t detect_form(const uint8_t *p, size_t n)
{
	static const char begin[] = "-----BEGIN";
	size_t i = 0;
	if (n == 0 || p[0] == 0x30)
		return FORM_DER;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if (n - i >= sizeof(begin) - 1 && memcmp(p + i, begin, sizeof(begin) - 1) == 0)
		return FORM_PEM;
	return FORM_SMIME;
}

int input_open(input_t *in, const char *path, bool detect)
{
	const char *name = path == NULL || strcmp(path, "-") == 0 ? "standard input" : path;
	bool is_replay = false;

	memset(in, 0, sizeof(*in));
	if ((in->fd = in_open(path)) < 0)
		return -1;
	if (detect) {
		off_t at = lseek(in->fd, 0, SEEK_CUR);
		for (;;) {
			ssize_t n = at >= 0 ? pread(in->fd, in->head + in->head_len,
						    sizeof(in->head) - in->head_len, at + (off_t)in->head_len)
					    : read(in->fd, in->head + in->head_len, sizeof(in->head) - in->head_len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				fprintf(stderr, "cachet: reading %s failed: %s\n", name, strerror(errno));
				return -1;
			}
			if (n == 0)
				break;
			in->head_len += (size_t)n;
			if (in->head_len == sizeof(in->head))
				break;
		}
		in->form = detect_form(in->head, in->head_len);
		/* A seekable file was only peeked at; a pipe's octets are
		 * gone from it and come back through the replaying source. */
		is_replay = at < 0;
	}
	if ((is_replay ? cachet_source_init_cb(&in->src, replay_read, in)
		       : cachet_source_init_fd(&in->src, in->fd)) < 0) {
		fprintf(stderr, "cachet: out of memory\n");
		return -1;
	}
	return 0;
}

void input_close(input_t *in)
{
	cachet_source_deinit(in->src);
	in->src = NULL;
	if (in->fd > STDIN_FILENO)
		close(in->fd);
	in->fd = -1;
}

/* ---- S/MIME messages: cachet verify, decrypt and decompress ---- */

int smime_run(const char *cmd, cachet_verify_t *v, cachet_decrypt_t *d, cachet_source_t *src,
	      const char *out, unsigned flags, bool show, bool json, FILE *report_to)
{
	cachet_smime_t *sm = NULL;
	cachet_diag_t *diag = NULL;
	held_t ho = {0};
	int ret = 0, status = EXIT_IO;

	if ((ret = cachet_diag_init(&diag)) < 0 || (ret = cachet_smime_init(&sm)) < 0 ||
	    (ret = cachet_smime_set_verify(sm, v)) < 0 || (ret = cachet_smime_set_decrypt(sm, d)) < 0)
		goto done;
	/* The innermost entity waits until every layer checked out. */
	if (out && held_open(&ho, out, cmd) < 0)
		goto cleanup;
	ret = cachet_smime_open(sm, src, ho.snk, flags, diag);
	if (show) {
		cachet_datum_t text = {0};
		if (cachet_smime_report(sm, json ? CACHET_INSPECT_JSON : 0, &text) == 0) {
			fwrite(text.data, 1, text.size, report_to);
			fflush(report_to);
			cachet_free(text.data);
		}
	}
	if (ret == 0) {
		status = out ? held_commit(&ho) : EXIT_OK;
		goto cleanup;
	}
done:
	if (ret < 0) {
		report_error(cmd, ret, diag);
		status = exit_for(ret);
	}
cleanup:
	held_close(&ho);
	cachet_smime_deinit(sm);
	cachet_diag_deinit(diag);
	return status;
}
