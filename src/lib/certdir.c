/* certdir.c -- recipient certificates: whether one can receive encrypted
 * mail (RFC 8550 sections 4.4.2 and 4.4.4), finding one for an address
 * in a certificate directory (RFC 8550 section 3), and filling the
 * directory from verified messages (RFC 8551 sections 2.5.3 and 3.8).
 *
 * The directory: one certificate per file, "<sha256 of the DER>.pem", and
 * an optional "prefs" file of "address sha256" lines naming the
 * certificate an address prefers for encryption.  Every file is written
 * under a temporary name in the directory and renamed into place, so a
 * reader never sees a partial file. */
#include "internal.h"
#include "crypto.h"
#include "pki.h"
#include "pki-validate.h"
#include "report.h"
#include "ber.h"
#include "smime-read.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define R_KU "RFC 8550 section 4.4.2"
#define R_EKU "RFC 8550 section 4.4.4"
#define R_VALIDITY "RFC 5280 section 4.1.2.5"

#define OID_EKU_EMAIL "1.3.6.1.5.5.7.3.4"
#define OID_EKU_ANY "2.5.29.37.0"

#define PREFS_NAME "prefs"
#define CERTDIR_MAX_FILE (1u << 20)   /* one certificate file */
#define CERTDIR_MAX_PREFS (1u << 20)  /* the prefs file */
#define CERTDIR_MAX_ENTRIES 100000    /* directory entries looked at */
#define HEXLEN 64		      /* SHA-256 in hex */

/* ------------------------------------------------------------------ */
/* Fit for encryption */

/* Whether CRT can receive encrypted mail at AT; the reason goes to DIAG
 * (may be NULL).  *IS_DEDICATED: keyUsage present without
 * digitalSignature (an encryption-only certificate). */
static int enc_fit(gnutls_x509_crt_t crt, time_t at, bool *is_dedicated, cachet_diag_t *diag)
{
	char t[32], when[32], oid[128];
	unsigned usage = 0, need;
	const char *need_name;
	int ret, pk = gnutls_x509_crt_get_pk_algorithm(crt, NULL);
	time_t nb = gnutls_x509_crt_get_activation_time(crt);
	time_t na = gnutls_x509_crt_get_expiration_time(crt);

	*is_dedicated = false;
	_cachet_time_str(at, when, sizeof(when));
	ENSURE(nb != (time_t)-1 && na != (time_t)-1, CACHET_E_BAD_CERT, R_VALIDITY, "recipient certificate",
	       "the validity period cannot be read");
	if (at < nb) {
		_cachet_time_str(nb, t, sizeof(t));
		FAIL(CACHET_E_CERT_NOT_YET_VALID, R_VALIDITY, "recipient certificate",
		     "not yet valid: valid from %s, it is %s", t, when);
	}
	if (at > na) {
		_cachet_time_str(na, t, sizeof(t));
		FAIL(CACHET_E_CERT_EXPIRED, R_VALIDITY, "recipient certificate",
		     "expired: valid until %s, it is %s", t, when);
	}
	/* RFC 8550 section 4.4.2: keyEncipherment for key transport (RSA),
	 * keyAgreement for key agreement (EC, X25519, X448). */
	switch (pk) {
	case GNUTLS_PK_RSA:
		need = GNUTLS_KEY_KEY_ENCIPHERMENT;
		need_name = "keyEncipherment";
		break;
	case GNUTLS_PK_EC:
	case GNUTLS_PK_ECDH_X25519:
	case GNUTLS_PK_ECDH_X448:
		need = GNUTLS_KEY_KEY_AGREEMENT;
		need_name = "keyAgreement";
		break;
	default:
		FAIL(CACHET_E_CERT_KEY_USAGE, R_KU, "recipient certificate",
		     "its %s key is for signatures, not encryption (RSA, EC, X25519 and X448 keys can "
		     "receive encrypted mail)",
		     pk < 0 ? "unreadable" : gnutls_pk_get_name((gnutls_pk_algorithm_t)pk));
	}
	ret = _cachet_crt_key_usage(crt, &usage);
	ENSURE(ret == 0 || ret == CACHET_E_END, CACHET_E_BAD_CERT, R_KU, "recipient certificate",
	       "the keyUsage extension cannot be read");
	if (ret == 0) {
		ENSURE(usage & need, CACHET_E_CERT_KEY_USAGE, R_KU, "recipient certificate",
		       "wrong key usage: keyUsage does not include %s, so the key must not be used for "
		       "encryption",
		       need_name);
		*is_dedicated = !(usage & GNUTLS_KEY_DIGITAL_SIGNATURE);
	}
	/* RFC 8550 section 4.4.4: with extendedKeyUsage, emailProtection or
	 * anyExtendedKeyUsage. */
	for (unsigned i = 0;; i++) {
		size_t n = sizeof(oid);
		int r = gnutls_x509_crt_get_key_purpose_oid(crt, i, oid, &n, NULL);
		if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
			ENSURE(i == 0, CACHET_E_CERT_EXT_KEY_USAGE, R_EKU, "recipient certificate",
			       "wrong extended key usage: extendedKeyUsage has neither emailProtection nor "
			       "anyExtendedKeyUsage");
			break;
		}
		ENSURE(r >= 0 && i < 64, CACHET_E_BAD_CERT, R_EKU, "recipient certificate",
		       "the extendedKeyUsage extension cannot be read");
		if (strcmp(oid, OID_EKU_EMAIL) == 0 || strcmp(oid, OID_EKU_ANY) == 0)
			break;
	}
	ret = 0;
cleanup:
	return ret;
}

/* Exactly one certificate from PEM or DER into SET. */
static int one_cert(cachet_certset_t *set, const cachet_datum_t *cert, cachet_diag_t *diag)
{
	int ret;
	if (cert == NULL || cert->data == NULL || cert->size == 0)
		return CACHET_E_INVALID_ARG;
	CHECK(_cachet_certset_add(set, cert->data, cert->size, "certificate", diag));
	ENSURE(set->n == 1, CACHET_E_INVALID_ARG, NULL, "certificate",
	       "give exactly one certificate (found %zu)", set->n);
cleanup:
	return ret;
}

int cachet_recipient_cert_check(const cachet_datum_t *cert, time_t at, cachet_diag_t *diag)
{
	cachet_certset_t set = {0};
	bool is_dedicated;
	int ret;

	CHECK(one_cert(&set, cert, diag));
	CHECK(enc_fit(set.crt[0], at ? at : time(NULL), &is_dedicated, diag));
cleanup:
	_cachet_certset_free(&set);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Files */

static void sha256_hex(const cbuf_t *der, char hex[HEXLEN + 1])
{
	uint8_t h[32];
	if (_cachet_hash_once(CACHET_ALG_SHA256, der->data, der->size, h) < 0)
		memset(h, 0, sizeof(h));
	for (size_t i = 0; i < sizeof(h); i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
}

static int join(cbuf_t *out, const char *dir, const char *name)
{
	out->size = 0;
	return _cachet_buf_printf(out, "%s/%s", dir, name);
}

/* Read the regular file PATH, at most LIMIT octets, into OUT (appended).
 * CACHET_E_END when it does not exist. */
static int slurp(const char *path, size_t limit, cbuf_t *out, cachet_diag_t *diag)
{
	uint8_t buf[4096];
	struct stat st;
	int ret = 0, fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		return CACHET_E_END;
	ENSURE(fd >= 0, CACHET_E_IO, NULL, path, "cannot open: %s", strerror(errno));
	ENSURE(fstat(fd, &st) == 0 && S_ISREG(st.st_mode), CACHET_E_IO, NULL, path, "not a regular file");
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		ENSURE(n >= 0, CACHET_E_IO, NULL, path, "reading failed: %s", strerror(errno));
		if (n == 0)
			break;
		ENSURE(_cachet_add_ok(out->size, (size_t)n, limit), CACHET_E_SIZE_LIMIT, NULL, path,
		       "larger than %zu octets", limit);
		CHECK(_cachet_buf_append(out, buf, (size_t)n));
	}
cleanup:
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Write DATA to DIR/NAME through a temporary file in DIR renamed into
 * place (never a partial file under NAME). */
static int write_atomic(const char *dir, const char *name, const uint8_t *data, size_t len, cachet_diag_t *diag)
{
	cbuf_t tmp = {0}, target = {0};
	int ret, fd = -1;
	size_t off = 0;

	CHECK(_cachet_buf_printf(&tmp, "%s/.%s.XXXXXX", dir, name));
	CHECK(join(&target, dir, name));
	fd = mkstemp((char *)tmp.data);
	ENSURE(fd >= 0, CACHET_E_IO, NULL, dir, "cannot create a file: %s", strerror(errno));
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		ENSURE(n > 0, CACHET_E_IO, NULL, (char *)target.data, "writing failed: %s", strerror(errno));
		off += (size_t)n;
	}
	/* Certificates and preferences are public: 0644 inside a 0700
	 * directory. */
	ENSURE(fchmod(fd, 0644) == 0 && fsync(fd) == 0, CACHET_E_IO, NULL, (char *)target.data,
	       "writing failed: %s", strerror(errno));
	ret = close(fd);
	fd = -1;
	ENSURE(ret == 0, CACHET_E_IO, NULL, (char *)target.data, "writing failed: %s", strerror(errno));
	ENSURE(rename((char *)tmp.data, (char *)target.data) == 0, CACHET_E_IO, NULL, (char *)target.data,
	       "cannot rename into place: %s", strerror(errno));
	tmp.size = 0; /* renamed: nothing to remove */
	ret = 0;
cleanup:
	if (fd >= 0)
		close(fd);
	if (tmp.size)
		unlink((char *)tmp.data);
	_cachet_buf_free(&tmp);
	_cachet_buf_free(&target);
	return ret;
}

/* Create DIR and its missing parents, the new ones with mode 0700. */
static int make_dir(const char *dir, cachet_diag_t *diag)
{
	char *p = _cachet_strdup(dir);
	struct stat st;
	int ret = 0;

	if (p == NULL)
		return CACHET_E_NOMEM;
	for (char *q = p + 1;; q++) {
		if (*q != '/' && *q != '\0')
			continue;
		char c = *q;
		*q = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			FAIL(CACHET_E_IO, NULL, p, "cannot create the directory: %s", strerror(errno));
		*q = c;
		if (c == '\0')
			break;
	}
	ENSURE(stat(dir, &st) == 0 && S_ISDIR(st.st_mode), CACHET_E_IO, NULL, dir, "not a directory");
cleanup:
	free(p);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Preferences */

/* Each line of the prefs file: the address, a space, 64 hex digits.
 * FN is called with the address (NUL-terminated copy) and the hex; a
 * line of another shape is skipped (the file is the user's too). */
typedef int (*pref_fn)(void *opaque, const char *addr, const char *hex, const char *line, size_t len);

static int prefs_each(const cbuf_t *text, pref_fn fn, void *opaque)
{
	size_t pos = 0;
	int ret = 0;
	while (pos < text->size) {
		const char *line = (const char *)text->data + pos;
		const char *nl = memchr(line, '\n', text->size - pos);
		size_t len = nl ? (size_t)(nl - line) : text->size - pos;
		pos += len + (nl != NULL);
		char addr[512], hex[HEXLEN + 1];
		const char *sp = NULL;
		for (size_t i = 0; i < len; i++)
			if (line[i] == ' ')
				sp = line + i;
		bool is_pref = len > 0 && line[0] != '#' && sp != NULL && sp > line &&
			       (size_t)(sp - line) < sizeof(addr) && (size_t)(line + len - sp - 1) == HEXLEN;
		if (is_pref) {
			memcpy(addr, line, (size_t)(sp - line));
			addr[sp - line] = '\0';
			memcpy(hex, sp + 1, HEXLEN);
			hex[HEXLEN] = '\0';
			is_pref = strspn(hex, "0123456789abcdef") == HEXLEN && strlen(addr) == (size_t)(sp - line);
		}
		CHECK_RET(fn(opaque, is_pref ? addr : NULL, is_pref ? hex : NULL, line, len));
	}
	return ret;
}

typedef struct {
	const char *addr;
	char hex[HEXLEN + 1];
} pref_find_t;

static int pref_find(void *opaque, const char *addr, const char *hex, const char *line, size_t len)
{
	pref_find_t *f = opaque;
	(void)line;
	(void)len;
	/* The last line for an address counts. */
	if (addr && _cachet_addr_is_same(f->addr, addr))
		memcpy(f->hex, hex, HEXLEN + 1);
	return 0;
}

typedef struct {
	const char *const *addrs; /* the addresses whose lines are replaced */
	size_t n;
	cbuf_t out;
} pref_keep_t;

static int pref_keep(void *opaque, const char *addr, const char *hex, const char *line, size_t len)
{
	pref_keep_t *k = opaque;
	(void)hex;
	for (size_t i = 0; addr && i < k->n; i++)
		if (_cachet_addr_is_same(k->addrs[i], addr))
			return 0;
	int ret = _cachet_buf_append(&k->out, line, len);
	return ret < 0 ? ret : _cachet_buf_append(&k->out, "\n", 1);
}

/* Make HEX the preferred certificate of each of the NADDR addresses. */
static int prefs_set(const char *dir, const char *const *addrs, size_t naddr, const char *hex,
		     cachet_diag_t *diag)
{
	cbuf_t path = {0}, old = {0};
	pref_keep_t k = {addrs, naddr, {0}};
	int ret;

	CHECK(join(&path, dir, PREFS_NAME));
	ret = slurp((char *)path.data, CERTDIR_MAX_PREFS, &old, diag);
	if (ret < 0 && ret != CACHET_E_END)
		goto cleanup;
	CHECK(prefs_each(&old, pref_keep, &k));
	for (size_t i = 0; i < naddr; i++) {
		/* An address that would break the line format is not recorded. */
		if (strpbrk(addrs[i], " \n\r") != NULL || *addrs[i] == '#')
			continue;
		CHECK(_cachet_buf_printf(&k.out, "%s %s\n", addrs[i], hex));
	}
	CHECK(write_atomic(dir, PREFS_NAME, k.out.data, k.out.size, diag));
cleanup:
	_cachet_buf_free(&path);
	_cachet_buf_free(&old);
	_cachet_buf_free(&k.out);
	return ret;
}

/* The certificate's addresses (_cachet_crt_emails) as a list of strings
 * pointing into TEXT. */
static int split_lines(cbuf_t *text, const char ***list, size_t *n)
{
	size_t count = 0, cap = 0;
	const char **l = NULL;
	int ret = _cachet_buf_append(text, "", 1);
	if (ret < 0)
		return ret;
	for (char *p = (char *)text->data; *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (*p) {
			if (count == cap) {
				size_t c = cap ? cap * 2 : 8;
				const char **nlst = realloc(l, c * sizeof(*nlst));
				if (nlst == NULL) {
					free(l);
					return CACHET_E_NOMEM;
				}
				l = nlst;
				cap = c;
			}
			l[count++] = p;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	*list = l;
	*n = count;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Lookup */

typedef struct {
	cbuf_t der;
	bool is_pref, is_dedicated;
	time_t not_before;
	char name[256];
	bool is_set;
} best_t;

/* True when the candidate (P, D, NB, NAME) beats B. */
static bool is_better(const best_t *b, bool p, bool d, time_t nb, const char *name)
{
	if (!b->is_set)
		return true;
	if (p != b->is_pref)
		return p;
	if (d != b->is_dedicated)
		return d;
	if (nb != b->not_before)
		return nb > b->not_before;
	return strcmp(name, b->name) < 0;
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a > b && strcmp(s + a - b, suf) == 0;
}

/* Judge every certificate in one file. */
static int consider(const char *dir, const char *name, const char *addr, time_t at, const char *pref_hex,
		    best_t *best, cbuf_t *passed, size_t *npassed)
{
	cbuf_t path = {0}, data = {0}, emails = {0};
	cachet_certset_t set = {0};
	cachet_diag_t *why = NULL;
	const char **list = NULL;
	size_t nlist = 0;
	int ret;

	CHECK(join(&path, dir, name));
	ret = slurp((char *)path.data, CERTDIR_MAX_FILE, &data, NULL);
	if (ret == CACHET_E_NOMEM)
		goto cleanup;
	/* A file that vanished, cannot be read or holds no certificate is
	 * not a candidate; the directory is not this call's to judge. */
	if (ret < 0 || _cachet_certset_add(&set, data.data, data.size, name, NULL) < 0) {
		ret = 0;
		goto cleanup;
	}
	CHECK(cachet_diag_init(&why));
	for (size_t i = 0; i < set.n; i++) {
		bool is_match = false, is_dedicated = false;
		emails.size = 0;
		free(list);
		list = NULL;
		CHECK(_cachet_crt_emails(set.crt[i], &emails));
		CHECK(split_lines(&emails, &list, &nlist));
		for (size_t j = 0; j < nlist && !is_match; j++)
			is_match = _cachet_addr_is_same(addr, list[j]);
		if (!is_match)
			continue;
		cachet_diag_clear(why);
		if (enc_fit(set.crt[i], at, &is_dedicated, why) < 0) {
			const char *detail = "unusable", *rule = "";
			int code;
			if (cachet_diag_count(why) == 0 || cachet_diag_get(why, 0, &code, NULL, &rule, &detail) < 0) {
				detail = "unusable";
				rule = "";
			}
			if (*npassed < 16)
				CHECK(_cachet_buf_printf(passed, "%s: %s (%s)\n", name, detail, rule));
			(*npassed)++;
			continue;
		}
		char hex[HEXLEN + 1];
		sha256_hex(&set.der[i], hex);
		bool is_pref = *pref_hex && strcmp(hex, pref_hex) == 0;
		time_t nb = gnutls_x509_crt_get_activation_time(set.crt[i]);
		if (is_better(best, is_pref, is_dedicated, nb, name)) {
			best->der.size = 0;
			CHECK(_cachet_buf_append(&best->der, set.der[i].data, set.der[i].size));
			best->is_pref = is_pref;
			best->is_dedicated = is_dedicated;
			best->not_before = nb;
			snprintf(best->name, sizeof(best->name), "%s", name);
			best->is_set = true;
		}
	}
	ret = 0;
cleanup:
	free(list);
	cachet_diag_deinit(why);
	_cachet_certset_free(&set);
	_cachet_buf_free(&path);
	_cachet_buf_free(&data);
	_cachet_buf_free(&emails);
	return ret;
}

int cachet_certdir_find(const char *dir, const char *addr, time_t at, cachet_datum_t *cert_out,
			cachet_diag_t *diag)
{
	cbuf_t path = {0}, prefs = {0}, passed = {0};
	pref_find_t pf = {addr, ""};
	best_t best = {0};
	size_t npassed = 0, nentries = 0;
	DIR *d = NULL;
	int ret;

	if (dir == NULL || addr == NULL || cert_out == NULL || strchr(addr, '@') == NULL)
		return CACHET_E_INVALID_ARG;
	cert_out->data = NULL;
	cert_out->size = 0;
	if (at == 0)
		at = time(NULL);
	d = opendir(dir);
	ENSURE(d != NULL || errno == ENOENT, CACHET_E_IO, NULL, dir, "cannot read the certificate directory: %s",
	       strerror(errno));
	ENSURE(d != NULL, CACHET_E_CERT_NOT_FOUND, "RFC 8550 section 3", addr,
	       "no certificate for <%s>: the certificate directory %s does not exist", addr, dir);
	CHECK(join(&path, dir, PREFS_NAME));
	ret = slurp((char *)path.data, CERTDIR_MAX_PREFS, &prefs, diag);
	if (ret == 0)
		CHECK(prefs_each(&prefs, pref_find, &pf));
	else if (ret != CACHET_E_END)
		goto cleanup;
	for (;;) {
		errno = 0;
		struct dirent *e = readdir(d);
		if (e == NULL) {
			ENSURE(errno == 0, CACHET_E_IO, NULL, dir, "cannot read the certificate directory: %s",
			       strerror(errno));
			break;
		}
		ENSURE(++nentries <= CERTDIR_MAX_ENTRIES, CACHET_E_COUNT_LIMIT, NULL, dir,
		       "more than %d entries in the certificate directory", CERTDIR_MAX_ENTRIES);
		if (e->d_name[0] == '.' || !has_suffix(e->d_name, ".pem") || strlen(e->d_name) >= 256)
			continue;
		CHECK(consider(dir, e->d_name, addr, at, pf.hex, &best, &passed, &npassed));
	}
	if (!best.is_set) {
		_cachet_diag_push(diag, CACHET_E_CERT_NOT_FOUND, addr, "RFC 8550 section 3",
				  "no certificate for <%s> that can receive encrypted mail in %s%s", addr, dir,
				  npassed ? "; passed over:" : "");
		/* One frame per certificate passed over, and why. */
		for (char *p = (char *)passed.data, *end = p + passed.size; p && p < end;) {
			char *nl = memchr(p, '\n', (size_t)(end - p));
			if (nl == NULL)
				break;
			*nl = '\0';
			_cachet_diag_push(diag, CACHET_E_CERT_NOT_FOUND, NULL, NULL, "%s", p);
			p = nl + 1;
		}
		if (npassed > 16)
			_cachet_diag_push(diag, CACHET_E_CERT_NOT_FOUND, NULL, NULL, "and %zu more", npassed - 16);
		ret = CACHET_E_CERT_NOT_FOUND;
		goto cleanup;
	}
	cert_out->data = best.der.data;
	cert_out->size = best.der.size;
	best.der.data = NULL;
	ret = 0;
cleanup:
	if (d)
		closedir(d);
	_cachet_buf_free(&best.der);
	_cachet_buf_free(&path);
	_cachet_buf_free(&prefs);
	_cachet_buf_free(&passed);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Adding */

static int add_der(const char *dir, const cbuf_t *der, char hex[HEXLEN + 1], bool *is_added, cachet_diag_t *diag)
{
	cbuf_t name = {0}, path = {0}, old = {0};
	gnutls_datum_t in = {der->data, (unsigned)der->size}, pem = {NULL, 0};
	int ret;

	*is_added = false;
	ENSURE(der->size <= CERTDIR_MAX_FILE / 2, CACHET_E_SIZE_LIMIT, NULL, "certificate",
	       "the certificate is larger than %u octets", CERTDIR_MAX_FILE / 2);
	sha256_hex(der, hex);
	CHECK(_cachet_buf_printf(&name, "%s.pem", hex));
	ENSURE(gnutls_pem_base64_encode2("CERTIFICATE", &in, &pem) == 0, CACHET_E_NOMEM, NULL, NULL,
	       "out of memory");
	CHECK(join(&path, dir, (char *)name.data));
	ret = slurp((char *)path.data, CERTDIR_MAX_FILE, &old, NULL);
	if (ret == CACHET_E_NOMEM)
		goto cleanup;
	if (ret == 0 && old.size == pem.size && memcmp(old.data, pem.data, pem.size) == 0)
		goto cleanup; /* already there, byte for byte */
	CHECK(write_atomic(dir, (char *)name.data, pem.data, pem.size, diag));
	*is_added = true;
	ret = 0;
cleanup:
	gnutls_free(pem.data);
	_cachet_buf_free(&name);
	_cachet_buf_free(&path);
	_cachet_buf_free(&old);
	return ret < 0 ? ret : 0;
}

int cachet_certdir_add(const char *dir, const cachet_datum_t *cert, bool *is_added, cachet_diag_t *diag)
{
	cachet_certset_t set = {0};
	char hex[HEXLEN + 1];
	bool added = false;
	int ret;

	if (dir == NULL || *dir == '\0')
		return CACHET_E_INVALID_ARG;
	CHECK(one_cert(&set, cert, diag));
	CHECK(make_dir(dir, diag));
	CHECK(add_der(dir, &set.der[0], hex, &added, diag));
cleanup:
	if (is_added)
		*is_added = added;
	_cachet_certset_free(&set);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Importing a message's certificates */

/* The checks of the path that a certificate must pass to be imported;
 * key usage, extended key usage and the address are judged at lookup. */
static bool is_import_check(const char *name)
{
	static const char *const names[] = {
		"certificate-path",	       "certificate-validity", "certificate-basic-constraints",
		"certificate-key-size",	       "certificate-critical-extensions",
		"certificate-revocation",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

/* Validate certificate I of SET against V with SET as the pool. */
static int validate_one(cachet_verify_t *v, const cachet_certset_t *set, size_t i, cachet_diag_t *diag)
{
	_cachet_vparams_t vp;
	cachet_report_t *rep = NULL;
	size_t idx;
	char who[300];
	int ret;

	_cachet_verify_vparams(v, set, &vp);
	CHECK(_cachet_report_new(&rep));
	CHECK(_cachet_report_add_signer(rep, &idx));
	report_signer_t *rs = _cachet_report_signer(rep, idx);
	CHECK(_cachet_validate_signer(set->crt[i], &vp, rep, rs));
	for (size_t j = 0; j < rs->n; j++) {
		const report_check_t *c = &rs->checks[j];
		if (c->status != CACHET_CHECK_FAIL || !is_import_check(c->name))
			continue;
		_cachet_crt_describe(set->crt[i], who, sizeof(who));
		FAIL(c->code ? c->code : CACHET_E_VERIFY_FAILED, c->rule, c->name,
		     "certificate %s does not validate: %s; nothing was imported", who, c->detail);
	}
	ret = 0;
cleanup:
	cachet_report_deinit(rep);
	return ret;
}

/* Add every certificate in the concatenated DER BLOB to SET. */
static int add_concat(cachet_certset_t *set, const cbuf_t *blob, cachet_diag_t *diag)
{
	const uint8_t *p = blob->data, *v;
	size_t left = blob->size, vl, tot;
	uint8_t id;
	int ret = 0;
	while (left) {
		CHECK_RET(_cachet_der_parse(p, left, &id, &v, &vl, &tot));
		CHECK_RET(_cachet_certset_add_der(set, p, tot, "certificates", diag));
		p += tot;
		left -= tot;
	}
	return ret;
}

static bool is_cms(const cachet_datum_t *d)
{
	size_t i = 0;
	if (d->size > 0 && d->data[0] == 0x30)
		return true;
	while (i < d->size && (d->data[i] == ' ' || d->data[i] == '\t' || d->data[i] == '\r' || d->data[i] == '\n'))
		i++;
	return d->size - i >= 10 && memcmp(d->data + i, "-----BEGIN", 10) == 0;
}

/* The certificates and the signers' reports of a CMS SignedData: a
 * signed message must verify. */
static int collect_cms(cachet_verify_t *v, const cachet_datum_t *msg, cachet_certset_t *set,
		       cachet_report_t **rep, cachet_diag_t *diag)
{
	cachet_source_t *src = NULL;
	cachet_certs_t *certs = NULL;
	int ret;

	CHECK(cachet_source_init_mem(&src, msg->data, msg->size));
	CHECK(cachet_certs_extract(&certs, src, diag));
	cachet_source_deinit(src);
	src = NULL;
	if (cachet_certs_signer_count(certs) > 0) {
		/* A signed message: its signature first (RFC 8551 section
		 * 2.5.3: the preference is worth what the signature is). */
		CHECK(cachet_source_init_mem(&src, msg->data, msg->size));
		ret = cachet_verify_run(v, src, NULL, NULL, rep, diag);
		if (ret < 0) {
			_cachet_diag_push(diag, ret, "SignedData", "RFC 8551 section 2.5.3",
					  "the message did not verify (%s); nothing was imported",
					  cachet_strerror_name(ret));
			goto cleanup;
		}
	}
	for (size_t i = 0; i < cachet_certs_count(certs); i++) {
		cachet_datum_t der;
		CHECK(cachet_certs_get(certs, i, &der));
		CHECK(_cachet_certset_add_der(set, der.data, der.size, "certificates", diag));
	}
cleanup:
	cachet_certs_deinit(certs);
	cachet_source_deinit(src);
	return ret;
}

/* The same for an S/MIME message: every layer must check out; the
 * certificates of its signed and certs-only layers. */
static int collect_smime(cachet_smime_t *sm, const cachet_datum_t *msg, cachet_certset_t *set,
			 cachet_diag_t *diag)
{
	cachet_source_t *src = NULL;
	int ret;

	CHECK(cachet_source_init_mem(&src, msg->data, msg->size));
	ret = cachet_smime_open(sm, src, NULL, 0, diag);
	if (ret < 0) {
		_cachet_diag_push(diag, ret, "S/MIME", "RFC 8551 section 2.5.3",
				  "the message did not verify (%s); nothing was imported", cachet_strerror_name(ret));
		goto cleanup;
	}
	for (size_t i = 0; i < _cachet_smime_layer_count(sm); i++) {
		const cachet_report_t *r = _cachet_smime_layer_report(sm, i);
		const cachet_certs_t *c = _cachet_smime_layer_certs(sm, i);
		if (r)
			CHECK(add_concat(set, &r->certs, diag));
		for (size_t k = 0; c && k < cachet_certs_count(c); k++) {
			cachet_datum_t der;
			CHECK(cachet_certs_get(c, k, &der));
			CHECK(_cachet_certset_add_der(set, der.data, der.size, "certificates", diag));
		}
	}
cleanup:
	cachet_source_deinit(src);
	return ret;
}

/* RFC 8551 section 2.5.3: the certificate each signer of REP prefers,
 * for each of the signer's addresses. */
static int record_prefs(const char *dir, const cachet_report_t *rep, cachet_diag_t *diag)
{
	cbuf_t emails = {0};
	const char **addrs = NULL;
	size_t naddrs = 0;
	int ret = 0;

	for (size_t i = 0; rep && i < rep->nsigners; i++) {
		const report_signer_t *rs = &rep->signers[i];
		char hex[HEXLEN + 1];
		if (rs->keypref.size == 0 || rs->emails == NULL || rs->result != 0)
			continue;
		emails.size = 0;
		free(addrs);
		addrs = NULL;
		CHECK(_cachet_buf_append(&emails, rs->emails, strlen(rs->emails)));
		CHECK(split_lines(&emails, &addrs, &naddrs));
		sha256_hex(&rs->keypref, hex);
		if (naddrs)
			CHECK(prefs_set(dir, addrs, naddrs, hex, diag));
	}
cleanup:
	free(addrs);
	_cachet_buf_free(&emails);
	return ret;
}

int cachet_certdir_import(const char *dir, cachet_verify_t *v, const cachet_datum_t *msg, size_t *nadded,
			  cachet_datum_t *report, cachet_diag_t *diag)
{
	cachet_report_t *rep = NULL;
	cachet_smime_t *sm = NULL;
	cachet_certset_t set = {0};
	size_t added = 0;
	bool is_smime;
	int ret;

	if (nadded)
		*nadded = 0;
	if (report) {
		report->data = NULL;
		report->size = 0;
	}
	if (dir == NULL || *dir == '\0' || v == NULL || msg == NULL || msg->data == NULL)
		return CACHET_E_INVALID_ARG;
	is_smime = !is_cms(msg);
	if (is_smime) {
		CHECK(cachet_smime_init(&sm));
		CHECK(cachet_smime_set_verify(sm, v));
		ret = collect_smime(sm, msg, &set, diag);
	} else {
		ret = collect_cms(v, msg, &set, &rep, diag);
	}
	if (ret < 0)
		goto cleanup;
	ENSURE(set.n > 0, CACHET_E_CERT_NOT_FOUND, "RFC 8551 section 3.8", "SignedData",
	       "the message carries no certificate; nothing was imported");
	for (size_t i = 0; i < set.n; i++)
		CHECK(validate_one(v, &set, i, diag));
	CHECK(make_dir(dir, diag));
	for (size_t i = 0; i < set.n; i++) {
		char hex[HEXLEN + 1];
		bool is_added;
		bool is_dup = false;
		for (size_t j = 0; j < i && !is_dup; j++)
			is_dup = set.der[j].size == set.der[i].size &&
				 memcmp(set.der[j].data, set.der[i].data, set.der[i].size) == 0;
		if (is_dup)
			continue;
		CHECK(add_der(dir, &set.der[i], hex, &is_added, diag));
		added += is_added;
	}
	if (is_smime)
		for (size_t i = 0; i < _cachet_smime_layer_count(sm); i++)
			CHECK(record_prefs(dir, _cachet_smime_layer_report(sm, i), diag));
	else
		CHECK(record_prefs(dir, rep, diag));
	ret = 0;
cleanup:
	if (report) {
		/* Why: the verification report, whatever the outcome. */
		if (is_smime && sm && _cachet_smime_layer_count(sm) > 0)
			(void)!cachet_smime_report(sm, 0, report);
		else if (rep)
			(void)!cachet_report_text(rep, report);
	}
	if (nadded)
		*nadded = added;
	cachet_report_deinit(rep);
	cachet_smime_deinit(sm);
	_cachet_certset_free(&set);
	return ret;
}
