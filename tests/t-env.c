/* t-env.c -- EnvelopedData, AuthEnvelopedData and EncryptedData through
 * the public API (linked against the shared library): round trips for
 * every cipher and recipient kind, mixed recipients, authAttrs, versions,
 * the cipher pairing rule, uniform failures and tiny reads. */
#include <config.h>

#include <cachet/cachet.h>

#include "tap.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *pki;

static cachet_datum_t load(const char *name)
{
	char path[4096];
	cachet_datum_t d = {NULL, 0};
	snprintf(path, sizeof(path), "%s/%s", pki, name);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return d;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	d.data = malloc((size_t)n + 1);
	d.size = fread(d.data, 1, (size_t)n, f);
	fclose(f);
	return d;
}

static uint8_t *pattern(size_t n)
{
	uint8_t *p = malloc(n ? n : 1);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 131 + (i >> 8) * 7 + 3);
	return p;
}

static const uint8_t kek128[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
				   0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
static const uint8_t kek256[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				   17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

typedef struct {
	const char *certs[4];
	unsigned rflags;
	const char *password;
	const uint8_t *kek;
	size_t keklen;
	const uint8_t *ckey;
	size_t cklen;
	cachet_cipher_t cipher;
	const cachet_datum_t *auth_attr, *auth_attr2;
	const cachet_datum_t *unprot_attr;
	bool pem;
} enc_spec_t;

static int encrypt_msg(const enc_spec_t *s, const uint8_t *in, size_t n, cachet_datum_t *out)
{
	cachet_encrypt_t *e = NULL;
	cachet_source_t *src = NULL;
	cachet_sink_t *snk = NULL;
	int ret = cachet_encrypt_init(&e);
	if (ret == 0 && s->cipher)
		ret = cachet_encrypt_set_cipher(e, s->cipher);
	for (int i = 0; ret == 0 && i < 4 && s->certs[i]; i++) {
		cachet_datum_t c = load(s->certs[i]);
		ret = cachet_encrypt_add_recipient(e, &c, s->rflags, NULL);
		free(c.data);
	}
	if (ret == 0 && s->password)
		ret = cachet_encrypt_add_password(e, (const uint8_t *)s->password, strlen(s->password), 2000,
						  NULL);
	if (ret == 0 && s->kek) {
		cachet_datum_t id = {(uint8_t *)"kek-1", 5}, k = {(uint8_t *)s->kek, s->keklen};
		ret = cachet_encrypt_add_kek(e, &id, &k, NULL);
	}
	if (ret == 0 && s->ckey) {
		cachet_datum_t k = {(uint8_t *)s->ckey, s->cklen};
		ret = cachet_encrypt_set_content_key(e, &k, NULL);
	}
	if (ret == 0 && s->auth_attr)
		ret = cachet_encrypt_add_attribute(e, CACHET_ATTR_AUTHENTICATED, s->auth_attr, NULL);
	if (ret == 0 && s->auth_attr2)
		ret = cachet_encrypt_add_attribute(e, CACHET_ATTR_AUTHENTICATED, s->auth_attr2, NULL);
	if (ret == 0 && s->unprot_attr)
		ret = cachet_encrypt_add_attribute(e, CACHET_ATTR_UNPROTECTED, s->unprot_attr, NULL);
	if (ret == 0)
		ret = cachet_source_init_mem(&src, in, n);
	if (ret == 0)
		ret = cachet_sink_init_mem(&snk);
	if (ret == 0)
		ret = cachet_encrypt_run(e, src, snk, s->pem ? CACHET_ENCRYPT_PEM : 0, NULL);
	if (ret == 0)
		ret = cachet_sink_take_mem(snk, out);
	cachet_sink_deinit(snk);
	cachet_source_deinit(src);
	cachet_encrypt_deinit(e);
	return ret;
}

typedef struct {
	const char *cert, *key;
	const char *password;
	const uint8_t *kek;
	size_t keklen;
	bool kek_id;
	const uint8_t *ckey;
	size_t cklen;
	unsigned policy;
	bool tiny_reads;
} dec_spec_t;

typedef struct {
	const uint8_t *p;
	size_t n, off;
} tiny_t;

/* Hands out 1 to 7 octets per read. */
static long tiny_read(void *opaque, uint8_t *buf, size_t len)
{
	tiny_t *t = opaque;
	size_t k = 1 + (t->off * 5 + 3) % 7;
	if (k > len)
		k = len;
	if (k > t->n - t->off)
		k = t->n - t->off;
	memcpy(buf, t->p + t->off, k);
	t->off += k;
	return (long)k;
}

/* Decrypt MSG; *OUT gets the content, *SUMMARY the JSON summary (both
 * may be NULL); *DIAG_RULE the outermost frame's rule. */
static int decrypt_msg(const dec_spec_t *s, const cachet_datum_t *msg, cachet_datum_t *out, char **summary,
		       char *rule, size_t rulelen)
{
	cachet_decrypt_t *d = NULL;
	cachet_source_t *src = NULL;
	cachet_sink_t *snk = NULL;
	cachet_diag_t *diag = NULL;
	tiny_t t = {msg->data, msg->size, 0};
	int ret = cachet_decrypt_init(&d);
	if (ret == 0)
		ret = cachet_diag_init(&diag);
	if (ret == 0)
		ret = cachet_decrypt_set_policy(d, s->policy);
	if (ret == 0 && s->cert) {
		cachet_datum_t c = load(s->cert), k = load(s->key);
		ret = cachet_decrypt_add_key(d, &c, &k, NULL, NULL);
		free(c.data);
		free(k.data);
	}
	if (ret == 0 && s->password)
		ret = cachet_decrypt_add_password(d, (const uint8_t *)s->password, strlen(s->password));
	if (ret == 0 && s->kek) {
		cachet_datum_t id = {(uint8_t *)"kek-1", 5}, k = {(uint8_t *)s->kek, s->keklen};
		ret = cachet_decrypt_add_kek(d, s->kek_id ? &id : NULL, &k, NULL);
	}
	if (ret == 0 && s->ckey) {
		cachet_datum_t k = {(uint8_t *)s->ckey, s->cklen};
		ret = cachet_decrypt_set_content_key(d, &k, NULL);
	}
	if (ret == 0)
		ret = s->tiny_reads ? cachet_source_init_cb(&src, tiny_read, &t)
				    : cachet_source_init_mem(&src, msg->data, msg->size);
	if (ret == 0)
		ret = cachet_sink_init_mem(&snk);
	if (ret == 0) {
		ret = cachet_decrypt_run(d, src, snk, diag);
		if (summary) {
			cachet_datum_t j = {0};
			*summary = NULL;
			if (cachet_decrypt_summary(d, CACHET_INSPECT_JSON, &j) == 0) {
				*summary = malloc(j.size + 1);
				memcpy(*summary, j.data, j.size);
				(*summary)[j.size] = 0;
				cachet_free(j.data);
			}
		}
		if (rule) {
			size_t nd = cachet_diag_count(diag);
			const char *r = NULL;
			rule[0] = 0;
			if (nd > 0 && cachet_diag_get(diag, 0, NULL, NULL, &r, NULL) == 0 && r)
				snprintf(rule, rulelen, "%s", r);
		}
		if (ret == 0 && out)
			ret = cachet_sink_take_mem(snk, out);
	}
	cachet_sink_deinit(snk);
	cachet_source_deinit(src);
	cachet_decrypt_deinit(d);
	cachet_diag_deinit(diag);
	return ret;
}

static bool same(const cachet_datum_t *d, const uint8_t *p, size_t n)
{
	return d->size == n && (n == 0 || memcmp(d->data, p, n) == 0);
}

/* Find NEEDLE in HAY (returns the offset or -1). */
/* The sink of decrypt_file: collects the output; with FLIP set, the
 * first write restores the ciphertext octet that decrypt_file altered. */
typedef struct {
	uint8_t *data;
	size_t size;
	int fd;
	long flip_at; /* file offset, or -1 */
	uint8_t orig;
} flip_t;

static int flip_write(void *opaque, const uint8_t *buf, size_t len)
{
	flip_t *f = opaque;
	if (f->flip_at >= 0) {
		if (pwrite(f->fd, &f->orig, 1, f->flip_at) != 1)
			return CACHET_E_IO;
		f->flip_at = -1;
	}
	uint8_t *p = realloc(f->data, f->size + len + 1);
	if (p == NULL)
		return CACHET_E_NOMEM;
	memcpy(p + f->size, buf, len);
	f->data = p;
	f->size += len;
	return 0;
}

/* Decrypt MSG written to a temporary file, read through an fd source.
 * FLIP: alter one ciphertext octet near the start of the content before
 * the run, and restore it at the first write of plaintext (by then the
 * first pass has read it). */
static int decrypt_file(const dec_spec_t *s, const cachet_datum_t *msg, int flip, cachet_datum_t *out,
			char **summary)
{
	char path[] = "t-env-XXXXXX";
	cachet_decrypt_t *d = NULL;
	cachet_source_t *src = NULL;
	cachet_sink_t *snk = NULL;
	flip_t f = {NULL, 0, -1, -1, 0};
	int fd = mkstemp(path), ret;
	(void)summary;
	if (fd < 0)
		return CACHET_E_IO;
	unlink(path);
	f.fd = fd;
	ret = write(fd, msg->data, msg->size) == (ssize_t)msg->size ? 0 : CACHET_E_IO;
	if (ret == 0 && flip) {
		f.flip_at = 4096; /* well inside the first segment's ciphertext */
		f.orig = msg->data[4096];
		uint8_t x = (uint8_t)(f.orig ^ 0x80);
		ret = pwrite(fd, &x, 1, 4096) == 1 ? 0 : CACHET_E_IO;
	}
	if (ret == 0)
		ret = lseek(fd, 0, SEEK_SET) == 0 ? 0 : CACHET_E_IO;
	if (ret == 0)
		ret = cachet_decrypt_init(&d);
	if (ret == 0 && s->kek) {
		cachet_datum_t k = {(uint8_t *)s->kek, s->keklen};
		ret = cachet_decrypt_add_kek(d, NULL, &k, NULL);
	}
	if (ret == 0)
		ret = cachet_source_init_fd(&src, fd);
	if (ret == 0)
		ret = cachet_sink_init_cb(&snk, flip_write, &f);
	if (ret == 0)
		ret = cachet_decrypt_run(d, src, snk, NULL);
	if (ret == 0)
		ret = cachet_sink_flush(snk);
	if (ret == 0) {
		out->data = f.data;
		out->size = f.size;
		f.data = NULL;
	}
	free(f.data);
	cachet_sink_deinit(snk);
	cachet_source_deinit(src);
	cachet_decrypt_deinit(d);
	close(fd);
	return ret;
}

static long find(const cachet_datum_t *hay, const uint8_t *needle, size_t n)
{
	for (size_t i = 0; i + n <= hay->size; i++)
		if (memcmp(hay->data + i, needle, n) == 0)
			return (long)i;
	return -1;
}

int main(void)
{
	static const size_t sizes[] = {0, 1, 15, 16, 17, 64, 65, 1000, 70000, 300001};
	static const struct {
		cachet_cipher_t c;
		const char *name;
	} ciphers[] = {
		{CACHET_CIPHER_DEFAULT, "default (AES-128-GCM)"},
		{CACHET_CIPHER_AES256_GCM, "AES-256-GCM"},
		{CACHET_CIPHER_CHACHA20_POLY1305, "ChaCha20-Poly1305"},
		{CACHET_CIPHER_AES128_CBC, "AES-128-CBC"},
		{CACHET_CIPHER_AES192_CBC, "AES-192-CBC"},
		{CACHET_CIPHER_AES256_CBC, "AES-256-CBC"},
	};
	pki = getenv("CACHET_PKI_DIR");
	if (pki == NULL)
		pki = "vectors/pki";
	uint8_t *big = pattern(300001);
	cachet_datum_t m = {0}, o = {0};
	char *sum = NULL, rule[256];
	int ret;

	/* Every cipher with a KEK recipient, every size. */
	for (size_t c = 0; c < sizeof(ciphers) / sizeof(ciphers[0]); c++) {
		bool all = true;
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			enc_spec_t es = {.kek = kek256, .keklen = 32, .cipher = ciphers[c].c};
			dec_spec_t ds = {.kek = kek256, .keklen = 32, .kek_id = true};
			ret = encrypt_msg(&es, big, sizes[i], &m);
			if (ret == 0)
				ret = decrypt_msg(&ds, &m, &o, NULL, NULL, 0);
			if (ret != 0 || !same(&o, big, sizes[i])) {
				all = false;
				diag("%s, %zu octets: %s", ciphers[c].name, sizes[i], cachet_strerror_name(ret));
			}
			cachet_free(m.data);
			cachet_free(o.data);
			m.data = o.data = NULL;
		}
		ok(all, "%s with a KEK recipient round-trips 0 to 300001 octets", ciphers[c].name);
	}

	/* Certificate recipients. */
	static const struct {
		const char *cert, *key;
		unsigned flags;
		const char *what;
	} users[] = {
		{"alice.crt.pem", "alice.key.pem", 0, "RSA PKCS#1 v1.5 (alice)"},
		{"alice.crt.pem", "alice.key.pem", CACHET_RECIPIENT_OAEP, "RSA-OAEP (alice)"},
		{"bob.crt.pem", "bob.key.pem", CACHET_RECIPIENT_SKID, "RSA, rid by SKID (bob)"},
		{"carol.crt.pem", "carol.key.pem", 0, "ECDH P-256 (carol)"},
		{"dave.crt.pem", "dave.key.pem", CACHET_RECIPIENT_SKID, "ECDH P-384, rKeyId (dave)"},
	};
	for (size_t u = 0; u < sizeof(users) / sizeof(users[0]); u++) {
		for (int cbc = 0; cbc < 2; cbc++) {
			enc_spec_t es = {.certs = {users[u].cert}, .rflags = users[u].flags,
					 .cipher = cbc ? CACHET_CIPHER_AES256_CBC : CACHET_CIPHER_DEFAULT};
			dec_spec_t ds = {.cert = users[u].cert, .key = users[u].key};
			ret = encrypt_msg(&es, big, 1000, &m);
			ok(ret == 0, "%s, %s: encrypts (%s)", users[u].what, cbc ? "AES-256-CBC" : "AES-128-GCM",
			   cachet_strerror_name(ret));
			ret = decrypt_msg(&ds, &m, &o, NULL, NULL, 0);
			ok(ret == 0 && same(&o, big, 1000), "%s, %s: decrypts to the content (%s)", users[u].what,
			   cbc ? "AES-256-CBC" : "AES-128-GCM", cachet_strerror_name(ret));
			cachet_free(o.data);
			o.data = NULL;
			/* A different user's key finds no RecipientInfo. */
			dec_spec_t wrong = {.cert = u < 3 ? "carol.crt.pem" : "alice.crt.pem",
					    .key = u < 3 ? "carol.key.pem" : "alice.key.pem"};
			ret = decrypt_msg(&wrong, &m, &o, NULL, NULL, 0);
			ok(ret == CACHET_E_DECRYPT_FAILED, "%s, %s: another user's key fails uniformly (%s)",
			   users[u].what, cbc ? "CBC" : "GCM", cachet_strerror_name(ret));
			cachet_free(m.data);
			cachet_free(o.data);
			m.data = o.data = NULL;
		}
	}

	/* RFC 3218 section 2.3: a PKCS#1 v1.5 encryptedKey that does not
	 * decrypt to a valid padding gives a random content key, and about
	 * one random AES key in 256 gives a one-block CBC ciphertext valid
	 * padding.  That must fail all the same, with the uniform code: 2000
	 * tries of a damaged encryptedKey (all passed with the old code
	 * about once in 256 tries). */
	{
		enc_spec_t es = {.certs = {"alice.crt.pem"}, .cipher = CACHET_CIPHER_AES128_CBC};
		dec_spec_t ds = {.cert = "alice.crt.pem", .key = "alice.key.pem"};
		/* OCTET STRING of 256 octets: alice's RSA-2048 encryptedKey. */
		static const uint8_t ek_hdr[] = {0x04, 0x82, 0x01, 0x00};
		int failed = 0, opened = 0, other = 0;
		ret = encrypt_msg(&es, big, 5, &m);
		long at = ret == 0 ? find(&m, ek_hdr, sizeof(ek_hdr)) : -1;
		if (at >= 0)
			m.data[at + sizeof(ek_hdr) + 100] ^= 0x01;
		for (int i = 0; at >= 0 && i < 2000; i++) {
			ret = decrypt_msg(&ds, &m, &o, NULL, NULL, 0);
			if (ret == CACHET_E_DECRYPT_FAILED)
				failed++;
			else if (ret == 0)
				opened++;
			else
				other++;
			cachet_free(o.data);
			o.data = NULL;
		}
		ok(at >= 0 && failed == 2000,
		   "RSA PKCS#1 v1.5, damaged encryptedKey, one-block AES-128-CBC content: 2000 of 2000 tries "
		   "fail with CACHET_E_DECRYPT_FAILED, even when the random key gives valid padding (%d "
		   "failed, %d opened, %d other)",
		   failed, opened, other);
		cachet_free(m.data);
		m.data = NULL;
	}

	/* Mixed recipients in one message: each of them opens it, and the
	 * summary names the one that did. */
	{
		enc_spec_t es = {.certs = {"alice.crt.pem", "carol.crt.pem", "dave.crt.pem", "bob.crt.pem"},
				 .password = "correct horse", .kek = kek128, .keklen = 16};
		ret = encrypt_msg(&es, big, 5000, &m);
		ok(ret == 0, "mixed recipients (2 RSA, P-256, P-384, password, KEK): encrypts (%s)",
		   cachet_strerror_name(ret));
		const dec_spec_t ds[] = {
			{.cert = "alice.crt.pem", .key = "alice.key.pem"},
			{.cert = "bob.crt.pem", .key = "bob.key.pem"},
			{.cert = "carol.crt.pem", .key = "carol.key.pem"},
			{.cert = "dave.crt.pem", .key = "dave.key.pem"},
			{.password = "correct horse"},
			{.kek = kek128, .keklen = 16},
			{.kek = kek128, .keklen = 16, .kek_id = true},
		};
		static const char *const who[] = {"alice", "bob", "carol", "dave", "the password",
						  "the KEK (any id)", "the KEK (by id)"};
		static const char *const opened_kind[] = {"ktri", "ktri", "kari", "kari", "pwri", "kekri", "kekri"};
		for (size_t i = 0; i < sizeof(ds) / sizeof(ds[0]); i++) {
			ret = decrypt_msg(&ds[i], &m, &o, &sum, NULL, 0);
			ok(ret == 0 && same(&o, big, 5000), "mixed recipients: %s opens it (%s)", who[i],
			   cachet_strerror_name(ret));
			char want[64];
			snprintf(want, sizeof(want), "\"kind\":\"%s\"", opened_kind[i]);
			const char *op = sum ? strstr(sum, "\"opened\":true") : NULL;
			const char *start = op;
			while (start && start > sum && *start != '{')
				start--;
			ok(op && start && strstr(start, want) && strstr(start, want) < op,
			   "mixed recipients: the summary marks a %s RecipientInfo as opened by %s", opened_kind[i],
			   who[i]);
			free(sum);
			sum = NULL;
			cachet_free(o.data);
			o.data = NULL;
		}
		dec_spec_t bad = {.password = "correct horsf"};
		ret = decrypt_msg(&bad, &m, &o, NULL, NULL, 0);
		ok(ret == CACHET_E_DECRYPT_FAILED, "mixed recipients: a wrong password fails (%s)",
		   cachet_strerror_name(ret));
		dec_spec_t badkek = {.kek = kek256, .keklen = 32};
		ret = decrypt_msg(&badkek, &m, &o, NULL, NULL, 0);
		ok(ret == CACHET_E_DECRYPT_FAILED, "mixed recipients: a wrong KEK fails (%s)",
		   cachet_strerror_name(ret));
		cachet_free(m.data);
		m.data = NULL;
	}

	/* Versions (RFC 5652 section 6.1, RFC 5083 section 2.1, RFC 5652
	 * section 8). */
	{
		static const struct {
			enc_spec_t es;
			dec_spec_t ds;
			const char *want, *what;
		} v[] = {
			{{.certs = {"alice.crt.pem"}, .cipher = CACHET_CIPHER_AES128_CBC},
			 {.cert = "alice.crt.pem", .key = "alice.key.pem"},
			 "\"version\":0",
			 "EnvelopedData with one ktri by issuerAndSerialNumber is version 0"},
			{{.certs = {"alice.crt.pem"}, .rflags = CACHET_RECIPIENT_SKID, .cipher = CACHET_CIPHER_AES128_CBC},
			 {.cert = "alice.crt.pem", .key = "alice.key.pem"},
			 "\"version\":2",
			 "EnvelopedData with a ktri by SKID is version 2"},
			{{.password = "pw", .cipher = CACHET_CIPHER_AES128_CBC},
			 {.password = "pw"},
			 "\"version\":3",
			 "EnvelopedData with a pwri is version 3"},
			{{.kek = kek128, .keklen = 16, .cipher = CACHET_CIPHER_AES128_CBC},
			 {.kek = kek128, .keklen = 16},
			 "\"version\":2",
			 "EnvelopedData with a kekri is version 2"},
			{{.kek = kek128, .keklen = 16},
			 {.kek = kek128, .keklen = 16},
			 "\"version\":0",
			 "AuthEnvelopedData is version 0"},
			{{.ckey = kek128, .cklen = 16},
			 {.ckey = kek128, .cklen = 16},
			 "\"version\":0",
			 "EncryptedData without unprotectedAttrs is version 0"},
		};
		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			ret = encrypt_msg(&v[i].es, big, 10, &m);
			if (ret == 0)
				ret = decrypt_msg(&v[i].ds, &m, NULL, &sum, NULL, 0);
			ok(ret == 0 && sum && strstr(sum, v[i].want) && strstr(sum, "\"findings\":[]"),
			   "%s, with no finding (%s)", v[i].what, cachet_strerror_name(ret));
			free(sum);
			sum = NULL;
			cachet_free(m.data);
			m.data = NULL;
		}
	}

	/* EncryptedData: the caller's key. */
	{
		enc_spec_t es = {.ckey = kek256, .cklen = 32};
		dec_spec_t ds = {.ckey = kek256, .cklen = 32, .tiny_reads = true};
		ret = encrypt_msg(&es, big, 70000, &m);
		ok(ret == 0, "EncryptedData with a 32-octet key encrypts (AES-256-CBC)");
		ret = decrypt_msg(&ds, &m, &o, &sum, NULL, 0);
		ok(ret == 0 && same(&o, big, 70000) && sum && strstr(sum, "aes256-CBC"),
		   "EncryptedData decrypts, read 1 to 7 octets at a time (%s)", cachet_strerror_name(ret));
		free(sum);
		sum = NULL;
		cachet_free(o.data);
		o.data = NULL;
		dec_spec_t wrong = {.ckey = kek128, .cklen = 16};
		ret = decrypt_msg(&wrong, &m, &o, NULL, NULL, 0);
		ok(ret == CACHET_E_BAD_KEY, "EncryptedData: a key of the wrong length is refused (%s)",
		   cachet_strerror_name(ret));
		uint8_t k2[32];
		memcpy(k2, kek256, 32);
		k2[31] ^= 1;
		dec_spec_t wrong2 = {.ckey = k2, .cklen = 32};
		ret = decrypt_msg(&wrong2, &m, &o, NULL, NULL, 0);
		ok(ret == CACHET_E_DECRYPT_FAILED, "EncryptedData: a wrong key fails (%s)", cachet_strerror_name(ret));
		cachet_free(m.data);
		m.data = NULL;
		enc_spec_t aead = {.ckey = kek128, .cklen = 16, .cipher = CACHET_CIPHER_AES128_GCM};
		ret = encrypt_msg(&aead, big, 10, &m);
		ok(ret == CACHET_E_INVALID_ARG, "EncryptedData with an AEAD cipher is refused (%s)",
		   cachet_strerror_name(ret));
		cachet_free(m.data);
		m.data = NULL;
	}

	/* unprotectedAttrs beside an RSAES-OAEP recipient (RFC 3560 section
	 * 2.1: "The EnvelopedData unprotectedAttrs MAY be present"). */
	{
		static uint8_t u_attr[] = {0x30, 0x0e, 0x06, 0x03, 0x2a, 0x03, 0x04, 0x31,
					   0x07, 0x04, 0x05, 'v',  'w',	 'x',  'y', 'z'};
		cachet_datum_t ua = {u_attr, sizeof(u_attr)};
		enc_spec_t es = {.certs = {"alice.crt.pem"}, .rflags = CACHET_RECIPIENT_OAEP,
				 .cipher = CACHET_CIPHER_AES128_CBC, .unprot_attr = &ua};
		dec_spec_t ds = {.cert = "alice.crt.pem", .key = "alice.key.pem"};
		sum = NULL;
		ret = encrypt_msg(&es, big, 1000, &m);
		ok(ret == 0, "RSA-OAEP EnvelopedData with unprotectedAttrs encrypts (%s)", cachet_strerror_name(ret));
		ret = ret ? ret : decrypt_msg(&ds, &m, &o, &sum, NULL, 0);
		ok(ret == 0 && same(&o, big, 1000) && sum && strstr(sum, "1.2.3.4") != NULL,
		   "RSA-OAEP EnvelopedData with unprotectedAttrs: alice decrypts, the summary lists the attribute (%s)",
		   cachet_strerror_name(ret));
		if (ret != 0 || sum == NULL || strstr(sum, "1.2.3.4") == NULL)
			printf("# %s\n", sum ? sum : "(no summary)");
		free(sum);
		sum = NULL;
		cachet_free(m.data);
		m.data = NULL;
		cachet_free(o.data);
		o.data = NULL;
	}

	/* authAttrs (RFC 5083 section 2.1): a content-type attribute, in the
	 * AAD; altering it breaks the tag.  Also past the size where the
	 * ciphertext is kept whole in memory. */
	{
		/* Attribute { contentType, SET { id-data } } */
		static uint8_t ct_attr[] = {0x30, 0x18, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
					    0x09, 0x03, 0x31, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
					    0x0d, 0x01, 0x07, 0x01};
		/* Attribute { 1.2.3.4, SET { OCTET STRING "abc" } } */
		static uint8_t x_attr[] = {0x30, 0x0e, 0x06, 0x03, 0x2a, 0x03, 0x04, 0x31,
					   0x07, 0x04, 0x05, 'a',  'b',	 'c',  'd', 'e'};
		cachet_datum_t attr = {ct_attr, sizeof(ct_attr)}, xattr = {x_attr, sizeof(x_attr)};
		for (int cc = 0; cc < 2; cc++) {
			const char *cn = cc ? "ChaCha20-Poly1305" : "AES-128-GCM";
			enc_spec_t es = {.kek = kek128, .keklen = 16, .auth_attr = &attr, .unprot_attr = &attr,
					 .cipher = cc ? CACHET_CIPHER_CHACHA20_POLY1305 : CACHET_CIPHER_AES128_GCM};
			dec_spec_t ds = {.kek = kek128, .keklen = 16};
			ret = encrypt_msg(&es, big, 300001, &m);
			ok(ret == 0, "%s with authAttrs and unauthAttrs encrypts (%s)", cn, cachet_strerror_name(ret));
			cachet_free(m.data);
			m.data = NULL;
			/* Two authenticated attributes. */
			{
				cachet_encrypt_t *e = NULL;
				cachet_source_t *src = NULL;
				cachet_sink_t *snk = NULL;
				cachet_datum_t k = {(uint8_t *)kek128, 16}, id = {(uint8_t *)"kek-1", 5};
				ret = cachet_encrypt_init(&e);
				if (ret == 0)
					ret = cachet_encrypt_set_cipher(e, es.cipher);
				if (ret == 0)
					ret = cachet_encrypt_add_kek(e, &id, &k, NULL);
				if (ret == 0)
					ret = cachet_encrypt_add_attribute(e, CACHET_ATTR_AUTHENTICATED, &xattr, NULL);
				if (ret == 0)
					ret = cachet_encrypt_add_attribute(e, CACHET_ATTR_AUTHENTICATED, &attr, NULL);
				if (ret == 0)
					ret = cachet_encrypt_add_attribute(e, CACHET_ATTR_UNPROTECTED, &attr, NULL);
				if (ret == 0)
					ret = cachet_source_init_mem(&src, big, 300001);
				if (ret == 0)
					ret = cachet_sink_init_mem(&snk);
				if (ret == 0)
					ret = cachet_encrypt_run(e, src, snk, 0, NULL);
				if (ret == 0)
					ret = cachet_sink_take_mem(snk, &m);
				cachet_sink_deinit(snk);
				cachet_source_deinit(src);
				cachet_encrypt_deinit(e);
				ok(ret == 0, "%s with two authAttrs encrypts (%s)", cn, cachet_strerror_name(ret));
			}
			ret = decrypt_msg(&ds, &m, &o, &sum, NULL, 0);
			ok(ret == 0 && same(&o, big, 300001) && sum &&
				   strstr(sum, "\"auth_attrs\":\"1.2.3.4, id-contentType\"") &&
				   strstr(sum, "\"unauth_attrs\":\"id-contentType\""),
			   "%s with authAttrs decrypts, and the summary lists the attributes (%s)", cn,
			   cachet_strerror_name(ret));
			if (sum && !strstr(sum, "1.2.3.4"))
				diag("summary: %s", sum);
			free(sum);
			sum = NULL;
			cachet_free(o.data);
			o.data = NULL;
			/* Change "abcde" in the authenticated attribute: the
			 * message stays well formed, the tag no longer fits. */
			static const uint8_t abc[] = {0x04, 0x05, 'a', 'b', 'c', 'd', 'e'};
			long at = find(&m, abc, sizeof(abc));
			ok(at >= 0, "%s: the authAttrs are in the message", cn);
			if (at >= 0) {
				m.data[at + 4] = 'C';
				ret = decrypt_msg(&ds, &m, &o, NULL, NULL, 0);
				ok(ret == CACHET_E_DECRYPT_FAILED, "%s: altered authAttrs fail the tag (%s)", cn,
				   cachet_strerror_name(ret));
				cachet_free(o.data);
				o.data = NULL;
				m.data[at + 4] = 'c';
				ret = decrypt_msg(&ds, &m, &o, NULL, NULL, 0);
				ok(ret == 0 && same(&o, big, 300001), "%s: restored, it decrypts again (%s)", cn,
				   cachet_strerror_name(ret));
				cachet_free(o.data);
				o.data = NULL;
			}
			cachet_free(m.data);
			m.data = NULL;
		}
	}

	/* authAttrs after more content than the decryptor keeps (1 MiB):
	 * from memory or a file (DER and PEM), the input is read a second
	 * time with the AAD; from a callback source, which cannot be read
	 * twice, a size limit, named, never an unauthenticated success. */
	{
		/* Attribute { 1.2.3.4, SET { OCTET STRING "abcde" } } */
		static uint8_t ct_attr2[] = {0x30, 0x0e, 0x06, 0x03, 0x2a, 0x03, 0x04, 0x31,
					     0x07, 0x04, 0x05, 'a',  'b',  'c',	 'd',  'e'};
		static uint8_t ct_attr3[] = {0x30, 0x18, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
					     0x09, 0x03, 0x31, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
					     0x0d, 0x01, 0x07, 0x01};
		cachet_datum_t attr = {ct_attr2, sizeof(ct_attr2)}, ctype = {ct_attr3, sizeof(ct_attr3)};
		size_t n = (1u << 20) * 3 + 100;
		uint8_t *p = pattern(n);
		for (int cc = 0; cc < 2; cc++) {
			const char *cn = cc ? "ChaCha20-Poly1305" : "AES-128-GCM";
			enc_spec_t es = {.kek = kek128, .keklen = 16, .auth_attr = &ctype, .auth_attr2 = &attr,
					 .cipher = cc ? CACHET_CIPHER_CHACHA20_POLY1305 : CACHET_CIPHER_AES128_GCM};
			dec_spec_t ds = {.kek = kek128, .keklen = 16};
			ret = encrypt_msg(&es, p, n, &m);
			ok(ret == 0, "%s with authAttrs after 3 MiB + 100 octets encrypts (%s)", cn,
			   cachet_strerror_name(ret));
			ret = decrypt_msg(&ds, &m, &o, NULL, NULL, 0);
			ok(ret == 0 && same(&o, p, n), "%s: from memory it is read twice and decrypts (%s)", cn,
			   cachet_strerror_name(ret));
			cachet_free(o.data);
			o.data = NULL;
			ret = decrypt_file(&ds, &m, 0, &o, NULL);
			ok(ret == 0 && same(&o, p, n), "%s: from a file too (%s)", cn, cachet_strerror_name(ret));
			cachet_free(o.data);
			o.data = NULL;
			/* The authAttrs come after the content: alter "abcde"
			 * (the message stays well formed). */
			long at = find(&m, ct_attr2, sizeof(ct_attr2));
			ok(at > (long)n, "%s: the authAttrs follow the content", cn);
			if (at > (long)n) {
				m.data[at + sizeof(ct_attr2) - 1] ^= 2;
				ret = decrypt_msg(&ds, &m, &o, NULL, NULL, 0);
				ok(ret == CACHET_E_DECRYPT_FAILED, "%s: altered, they fail the tag (%s)", cn,
				   cachet_strerror_name(ret));
				cachet_free(o.data);
				o.data = NULL;
				m.data[at + sizeof(ct_attr2) - 1] ^= 2;
			}
			/* A ciphertext octet altered while the first pass reads
			 * it and restored before the second: the second pass
			 * must notice that it read other ciphertext (else the
			 * altered plaintext would pass for authentic). */
			ret = decrypt_file(&ds, &m, 1, &o, NULL);
			ok(ret == CACHET_E_DECRYPT_FAILED, "%s: content changed between the passes fails (%s)", cn,
			   cachet_strerror_name(ret));
			cachet_free(o.data);
			o.data = NULL;
			dec_spec_t cb = {.kek = kek128, .keklen = 16, .tiny_reads = true};
			ret = decrypt_msg(&cb, &m, &o, NULL, NULL, 0);
			ok(ret == CACHET_E_SIZE_LIMIT, "%s: from a stream read once, the size limit (%s)", cn,
			   cachet_strerror_name(ret));
			cachet_free(m.data);
			cachet_free(o.data);
			m.data = o.data = NULL;
		}
		enc_spec_t pe = {.kek = kek128, .keklen = 16, .auth_attr = &ctype, .auth_attr2 = &attr, .pem = true};
		dec_spec_t ds = {.kek = kek128, .keklen = 16};
		ret = encrypt_msg(&pe, p, n, &m);
		ok(ret == 0 && m.size > 11 && memcmp(m.data, "-----BEGIN ", 11) == 0,
		   "PEM: AES-128-GCM with authAttrs after 3 MiB encrypts (%s)", cachet_strerror_name(ret));
		ret = decrypt_file(&ds, &m, 0, &o, NULL);
		ok(ret == 0 && same(&o, p, n), "PEM: from a file, the armour is decoded twice (%s)",
		   cachet_strerror_name(ret));
		cachet_free(m.data);
		cachet_free(o.data);
		m.data = o.data = NULL;
		free(p);
	}

	/* A message without its encryptedContent (detached, RFC 5652
	 * section 6.1): the [0] with its one segment is cut out. */
	{
		enc_spec_t es = {.ckey = kek128, .cklen = 16};
		dec_spec_t ds = {.ckey = kek128, .cklen = 16};
		static const uint8_t seg[] = {0xa0, 0x80, 0x04, 0x10};
		ret = encrypt_msg(&es, big, 0, &m);
		long at = find(&m, seg, sizeof(seg));
		ok(ret == 0 && at >= 0 && (size_t)at + 22 <= m.size &&
			   m.data[at + 20] == 0 && m.data[at + 21] == 0,
		   "an empty EncryptedData has one 16-octet segment to cut");
		if (at >= 0 && (size_t)at + 22 <= m.size) {
			memmove(m.data + at, m.data + at + 22, m.size - (size_t)at - 22);
			m.size -= 22;
			ret = decrypt_msg(&ds, &m, &o, NULL, NULL, 0);
			ok(ret == CACHET_E_NO_CONTENT, "without encryptedContent: NO_CONTENT (%s)",
			   cachet_strerror_name(ret));
			cachet_free(o.data);
			o.data = NULL;
		}
		cachet_free(m.data);
		m.data = NULL;
	}

	/* A version other than section 6.1's is a finding, not a failure
	 * (RFC 5652 section 1.3): EnvelopedData with a kekri says 2; make it
	 * 0. */
	{
		enc_spec_t es = {.kek = kek128, .keklen = 16, .cipher = CACHET_CIPHER_AES128_CBC};
		dec_spec_t ds = {.kek = kek128, .keklen = 16};
		static const uint8_t v2[] = {0x30, 0x80, 0x02, 0x01, 0x02, 0x31};
		ret = encrypt_msg(&es, big, 100, &m);
		long at = find(&m, v2, sizeof(v2));
		ok(ret == 0 && at >= 0, "EnvelopedData version 2 in the encoding");
		if (at >= 0) {
			m.data[at + 4] = 0x00;
			ret = decrypt_msg(&ds, &m, &o, &sum, NULL, 0);
			ok(ret == 0 && same(&o, big, 100) && sum && strstr(sum, "\"version\":0") &&
				   strstr(sum, "RFC 5652 section 6.1 says 2"),
			   "version 0 where 2 is due decrypts, with a finding (%s)", cachet_strerror_name(ret));
			free(sum);
			sum = NULL;
			cachet_free(o.data);
			o.data = NULL;
		}
		cachet_free(m.data);
		m.data = NULL;
	}

	/* The pairing rule: an AEAD algorithm inside EnvelopedData (made by
	 * rewriting aes128-CBC's last arc to aes128-GCM's). */
	{
		enc_spec_t es = {.kek = kek128, .keklen = 16, .cipher = CACHET_CIPHER_AES128_CBC};
		dec_spec_t ds = {.kek = kek128, .keklen = 16};
		static const uint8_t cbc_oid[] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x02};
		ret = encrypt_msg(&es, big, 100, &m);
		long at = find(&m, cbc_oid, sizeof(cbc_oid));
		ok(ret == 0 && at >= 0, "an AES-128-CBC EnvelopedData to rewrite");
		if (at >= 0) {
			m.data[at + sizeof(cbc_oid) - 1] = 0x06;
			ret = decrypt_msg(&ds, &m, &o, NULL, rule, sizeof(rule));
			ok(ret == CACHET_E_MALFORMED && strstr(rule, "RFC 5083") && strstr(rule, "RFC 8551 section 2.7"),
			   "AES-GCM inside EnvelopedData is refused, naming RFC 5083 and RFC 8551 section 2.7 (%s, %s)",
			   cachet_strerror_name(ret), rule);
		}
		cachet_free(m.data);
		m.data = NULL;
	}

	/* RFC 5083 section 2.1: "The authAttrs MUST be present if the
	 * content type carried in EncryptedContentInfo is not id-data"
	 * [rfc5083-2.1-authattrs-non-data].  The contentType there is not
	 * authenticated without authAttrs, so it can be rewritten (id-data
	 * to id-signedData, the last arc) and the tag still holds. */
	{
		static const uint8_t id_data[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};
		/* Attribute { contentType, SET { id-signedData } } */
		static uint8_t ct_signed[] = {0x30, 0x18, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
					      0x09, 0x03, 0x31, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
					      0x0d, 0x01, 0x07, 0x02};
		cachet_datum_t attr = {ct_signed, sizeof(ct_signed)};
		for (int with = 0; with < 2; with++) {
			enc_spec_t es = {.kek = kek128, .keklen = 16, .auth_attr = with ? &attr : NULL};
			dec_spec_t ds = {.kek = kek128, .keklen = 16};
			ret = encrypt_msg(&es, big, 100, &m);
			long at = ret == 0 ? find(&m, id_data, sizeof(id_data)) : -1;
			if (at >= 0)
				m.data[at + sizeof(id_data) - 1] = 0x02;
			ret = at >= 0 ? decrypt_msg(&ds, &m, &o, NULL, rule, sizeof(rule)) : CACHET_E_INTERNAL;
			if (with)
				ok(ret == 0 && same(&o, big, 100),
				   "AuthEnvelopedData of id-signedData with authAttrs naming it decrypts (%s)",
				   cachet_strerror_name(ret));
			else
				ok(ret == CACHET_E_ATTR_MISSING && strstr(rule, "RFC 5083"),
				   "AuthEnvelopedData of id-signedData without authAttrs fails: CACHET_E_ATTR_MISSING, "
				   "RFC 5083 section 2.1 (%s, %s)",
				   cachet_strerror_name(ret), rule);
			cachet_free(m.data);
			cachet_free(o.data);
			m.data = o.data = NULL;
		}
	}

	/* RFC 5083 sections 2.1 and 3: the message-digest attribute SHOULD
	 * NOT be in authAttrs [rfc5083-2.1-no-message-digest]
	 * [rfc5083-3-no-message-digest].  Cachet adds no attribute of its
	 * own: without the caller's there are no authAttrs, with one they
	 * are exactly it. */
	{
		static uint8_t x_attr[] = {0x30, 0x0e, 0x06, 0x03, 0x2a, 0x03, 0x04, 0x31,
					   0x07, 0x04, 0x05, 'a',  'b',	 'c',  'd', 'e'};
		/* Attribute { contentType, SET { id-data } }: authAttrs must
		 * hold one (RFC 5083 section 2.1). */
		static uint8_t ct_attr[] = {0x30, 0x18, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
					    0x09, 0x03, 0x31, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
					    0x0d, 0x01, 0x07, 0x01};
		static const uint8_t md_oid[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04};
		cachet_datum_t attr = {x_attr, sizeof(x_attr)}, ctype = {ct_attr, sizeof(ct_attr)};
		bool good = true;
		for (int with = 0; with < 2; with++) {
			for (int cc = 0; cc < 3; cc++) {
				static const cachet_cipher_t aead[] = {CACHET_CIPHER_AES128_GCM, CACHET_CIPHER_AES256_GCM,
								       CACHET_CIPHER_CHACHA20_POLY1305};
				enc_spec_t es = {.certs = {"carol.crt.pem"}, .cipher = aead[cc],
						 .auth_attr = with ? &ctype : NULL, .auth_attr2 = with ? &attr : NULL};
				dec_spec_t ds = {.cert = "carol.crt.pem", .key = "carol.key.pem"};
				ret = encrypt_msg(&es, big, 100, &m);
				if (ret == 0)
					ret = decrypt_msg(&ds, &m, &o, &sum, NULL, 0);
				bool fine = ret == 0 && sum && find(&m, md_oid, sizeof(md_oid)) < 0 &&
					    (with ? strstr(sum, "\"auth_attrs\":\"1.2.3.4, id-contentType\"") != NULL
						  : strstr(sum, "auth_attrs") == NULL);
				if (!fine)
					diag("cipher %d, %s caller's attribute: %s; %s", cc, with ? "with" : "without",
					     cachet_strerror_name(ret), sum ? sum : "(no summary)");
				good &= fine;
				free(sum);
				sum = NULL;
				cachet_free(m.data);
				cachet_free(o.data);
				m.data = o.data = NULL;
			}
		}
		ok(good, "AuthEnvelopedData: authAttrs are only the caller's, never a message-digest attribute "
			 "(RFC 5083 sections 2.1 and 3)");
		/* The caller's attributes without a content-type one: the
		 * writer adds it (RFC 5652 section 11.1 via RFC 5083 section
		 * 2.1), so the message is one its reader accepts. */
		{
			enc_spec_t es = {.certs = {"carol.crt.pem"}, .cipher = CACHET_CIPHER_AES128_GCM,
					 .auth_attr = &attr};
			dec_spec_t ds = {.cert = "carol.crt.pem", .key = "carol.key.pem"};
			ret = encrypt_msg(&es, big, 100, &m);
			if (ret == 0)
				ret = decrypt_msg(&ds, &m, &o, &sum, NULL, 0);
			ok(ret == 0 && sum && strstr(sum, "\"auth_attrs\":\"1.2.3.4, id-contentType\"") &&
				   same(&o, big, 100),
			   "AuthEnvelopedData: a caller's authAttrs without content-type get one (id-data) and "
			   "the message decrypts (%s)",
			   cachet_strerror_name(ret));
			free(sum);
			sum = NULL;
			cachet_free(m.data);
			cachet_free(o.data);
			m.data = o.data = NULL;
		}
	}

	/* RFC 5084 sections 1.5 and 3.2: "Within the scope of any
	 * authenticated-encryption key, the nonce value MUST be unique"
	 * [rfc5084-1.5-gcm-nonce-unique] [rfc5084-1.5-gcm-no-duplicates]
	 * [rfc5084-3.2-gcm-nonce-unique].  Each message has a fresh content
	 * key (AES key wrap is deterministic: under one KEK, different
	 * encryptedKeys are different keys) and a fresh nonce; 32 messages
	 * of the same content to the same KEK repeat neither. */
	{
		static const struct {
			cachet_cipher_t c;
			uint8_t arc;	/* last arc of aesNNN-GCM */
			size_t eklen; /* encryptedKey: content key + 8 */
			const char *name;
		} g[] = {
			{CACHET_CIPHER_AES128_GCM, 0x06, 24, "AES-128-GCM"},
			{CACHET_CIPHER_AES256_GCM, 0x2e, 40, "AES-256-GCM"},
		};
		enum { NMSG = 32 };
		for (size_t gi = 0; gi < sizeof(g) / sizeof(g[0]); gi++) {
			uint8_t nonce[NMSG][12], ek[NMSG][40];
			uint8_t gcm_oid[] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, g[gi].arc};
			/* aes128-wrap: the KEK is 16 octets */
			static const uint8_t wrap_oid[] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x05};
			size_t n = 0;
			for (size_t i = 0; i < NMSG; i++) {
				enc_spec_t es = {.kek = kek128, .keklen = 16, .cipher = g[gi].c};
				ret = encrypt_msg(&es, big, 64, &m);
				long a = ret == 0 ? find(&m, gcm_oid, sizeof(gcm_oid)) : -1;
				long w = ret == 0 ? find(&m, wrap_oid, sizeof(wrap_oid)) : -1;
				size_t p = (size_t)a + sizeof(gcm_oid), q = (size_t)w + sizeof(wrap_oid);
				/* GCMParameters ::= SEQUENCE { aes-nonce OCTET STRING, ... } */
				if (a >= 0 && w >= 0 && p + 16 <= m.size && q + 2 + g[gi].eklen <= m.size &&
				    m.data[p] == 0x30 && m.data[p + 2] == 0x04 && m.data[p + 3] == 12 &&
				    m.data[q] == 0x04 && m.data[q + 1] == g[gi].eklen) {
					memcpy(nonce[n], m.data + p + 4, 12);
					memcpy(ek[n], m.data + q + 2, g[gi].eklen);
					n++;
				}
				cachet_free(m.data);
				m.data = NULL;
			}
			size_t same_nonce = 0, same_key = 0;
			for (size_t i = 0; i < n; i++)
				for (size_t j = i + 1; j < n; j++) {
					same_nonce += memcmp(nonce[i], nonce[j], 12) == 0;
					same_key += memcmp(ek[i], ek[j], g[gi].eklen) == 0;
				}
			ok(n == NMSG && same_nonce == 0 && same_key == 0,
			   "%s: %d messages to one KEK, each with its own content key and nonce (%zu read, %zu nonce and "
			   "%zu key repeats)",
			   g[gi].name, NMSG, n, same_nonce, same_key);
		}
	}

	/* RFC 8551 section 2.3: the key wrap and the content-encryption
	 * algorithm have the same key size [rfc8551-2.3-wrap-matches-cek]:
	 * an ECDH recipient's KeyWrapAlgorithm follows the content key. */
	{
		static const struct {
			cachet_cipher_t c;
			uint8_t wrap_arc; /* aes128-wrap 5, aes192-wrap 25, aes256-wrap 45 */
			const char *name;
		} w[] = {
			{CACHET_CIPHER_AES128_GCM, 5, "AES-128-GCM"},	  {CACHET_CIPHER_AES256_GCM, 45, "AES-256-GCM"},
			{CACHET_CIPHER_CHACHA20_POLY1305, 45, "ChaCha20-Poly1305"},
			{CACHET_CIPHER_AES128_CBC, 5, "AES-128-CBC"},	  {CACHET_CIPHER_AES192_CBC, 25, "AES-192-CBC"},
			{CACHET_CIPHER_AES256_CBC, 45, "AES-256-CBC"},
		};
		static const uint8_t arcs[] = {5, 25, 45};
		for (size_t u = 0; u < 2; u++) {
			const char *who = u ? "dave.crt.pem" : "carol.crt.pem";
			bool good = true;
			for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
				enc_spec_t es = {.certs = {who}, .cipher = w[i].c};
				ret = encrypt_msg(&es, big, 10, &m);
				for (size_t k = 0; k < 3; k++) {
					uint8_t oid[] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, arcs[k]};
					bool want = arcs[k] == w[i].wrap_arc, has = ret == 0 && find(&m, oid, sizeof(oid)) >= 0;
					if (want != has) {
						good = false;
						diag("%s, %s: aes wrap arc %u %s (%s)", who, w[i].name, arcs[k],
						     has ? "present" : "missing", cachet_strerror_name(ret));
					}
				}
				cachet_free(m.data);
				m.data = NULL;
			}
			ok(good, "ECDH %s: the key wrap is AES of the content key's size for each cipher (RFC 8551 "
				 "section 2.3)",
			   u ? "P-384 (dave)" : "P-256 (carol)");
		}
	}

	/* RFC 5652 section 8: "If unprotectedAttrs is present, then the
	 * version MUST be 2" [rfc5652-8-version-2]: Cachet writes 2, and
	 * reads another version as a finding. */
	{
		static uint8_t x_attr[] = {0x30, 0x0e, 0x06, 0x03, 0x2a, 0x03, 0x04, 0x31,
					   0x07, 0x04, 0x05, 'a',  'b',	 'c',  'd', 'e'};
		cachet_datum_t attr = {x_attr, sizeof(x_attr)};
		enc_spec_t es = {.ckey = kek128, .cklen = 16, .unprot_attr = &attr};
		dec_spec_t ds = {.ckey = kek128, .cklen = 16};
		static const uint8_t v2[] = {0x30, 0x80, 0x02, 0x01, 0x02, 0x30};
		ret = encrypt_msg(&es, big, 10, &m);
		if (ret == 0)
			ret = decrypt_msg(&ds, &m, &o, &sum, NULL, 0);
		ok(ret == 0 && same(&o, big, 10) && sum && strstr(sum, "\"version\":2") &&
			   strstr(sum, "\"unprotected_attrs\":\"1.2.3.4\"") && strstr(sum, "\"findings\":[]"),
		   "EncryptedData with unprotectedAttrs is version 2, with no finding (%s)", cachet_strerror_name(ret));
		free(sum);
		sum = NULL;
		cachet_free(o.data);
		o.data = NULL;
		long at = find(&m, v2, sizeof(v2));
		if (at >= 0) {
			m.data[at + 4] = 0x00;
			ret = decrypt_msg(&ds, &m, &o, &sum, NULL, 0);
		}
		ok(at >= 0 && ret == 0 && sum && strstr(sum, "\"version\":0") && strstr(sum, "says 2"),
		   "EncryptedData with unprotectedAttrs made version 0: a finding that section 8 says 2 (%s)",
		   cachet_strerror_name(ret));
		if (sum && !strstr(sum, "says 2"))
			diag("summary: %s", sum);
		free(sum);
		sum = NULL;
		cachet_free(m.data);
		cachet_free(o.data);
		m.data = o.data = NULL;
	}

	/* RFC 8551 section 2.7.1: a sending agent that finds weak encryption
	 * unacceptable "MUST NOT use a weak algorithm" [rfc8551-2.7.1-no-weak].
	 * Cachet has none to use: every value cachet_encrypt_set_cipher
	 * takes writes AES-GCM, ChaCha20-Poly1305 or AES-CBC, never
	 * DES-CBC, 3DES-CBC or RC2-CBC, and other values are refused. */
	{
		static const uint8_t strong[][11] = {
			{0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x02}, /* aes128-CBC */
			{0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x16}, /* aes192-CBC */
			{0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a}, /* aes256-CBC */
			{0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x06}, /* aes128-GCM */
			{0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2e}, /* aes256-GCM */
		};
		static const uint8_t chacha[] = {0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
						 0x01, 0x09, 0x10, 0x03, 0x12}; /* id-alg-AEADChaCha20Poly1305 */
		static const uint8_t weak[][10] = {
			{0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x03, 0x07}, /* des-ede3-cbc */
			{0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x03, 0x02}, /* rc2-cbc */
		};
		static const uint8_t des[] = {0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x07}; /* desCBC */
		size_t taken = 0;
		bool good = true;
		for (int c = 0; c < 64; c++) {
			cachet_encrypt_t *e = NULL;
			if (cachet_encrypt_init(&e) < 0)
				break;
			int r = cachet_encrypt_set_cipher(e, (cachet_cipher_t)c);
			cachet_encrypt_deinit(e);
			if (r == CACHET_E_INVALID_ARG)
				continue;
			taken++;
			enc_spec_t es = {.kek = kek256, .keklen = 32, .cipher = (cachet_cipher_t)c};
			ret = encrypt_msg(&es, big, 10, &m);
			size_t nstrong = find(&m, chacha, sizeof(chacha)) >= 0;
			for (size_t k = 0; k < sizeof(strong) / sizeof(strong[0]); k++)
				nstrong += find(&m, strong[k], sizeof(strong[k])) >= 0;
			bool has_weak = find(&m, des, sizeof(des)) >= 0;
			for (size_t k = 0; k < sizeof(weak) / sizeof(weak[0]); k++)
				has_weak |= find(&m, weak[k], sizeof(weak[k])) >= 0;
			if (r != 0 || ret != 0 || nstrong != 1 || has_weak) {
				good = false;
				diag("cipher value %d: set %s, encrypt %s, %zu strong OIDs, weak %d", c,
				     cachet_strerror_name(r), cachet_strerror_name(ret), nstrong, has_weak);
			}
			cachet_free(m.data);
			m.data = NULL;
		}
		ok(good && taken == 7,
		   "the 7 cipher values cachet_encrypt_set_cipher takes each write a strong cipher, no weak one "
		   "(RFC 8551 section 2.7.1; %zu taken)",
		   taken);
	}

	/* Truncation anywhere gives a structural error, never success. */
	{
		enc_spec_t es = {.kek = kek128, .keklen = 16};
		dec_spec_t ds = {.kek = kek128, .keklen = 16};
		bool all = true;
		ret = encrypt_msg(&es, big, 200, &m);
		for (size_t cut = 0; ret == 0 && cut < m.size; cut++) {
			cachet_datum_t t = {m.data, cut};
			int r = decrypt_msg(&ds, &t, &o, NULL, NULL, 0);
			cachet_free(o.data);
			o.data = NULL;
			if (r == 0) {
				all = false;
				diag("truncated at %zu of %zu decrypted", cut, m.size);
			}
		}
		ok(ret == 0 && all, "AuthEnvelopedData cut at every one of its %zu octets never decrypts", m.size);
		cachet_free(m.data);
		m.data = NULL;
	}

	free(big);
	return tap_done();
}
