/* cmd-demo.c -- cachet demo: the main job on the bundled demo identities.
 * Signs a sample message as each demo user with a different algorithm,
 * verifies every message against the demo root CA, prints the reports.
 * Then encrypts a sample message from Alice to Bob (RSA-OAEP key
 * transport) and Carol (ECDH P-256 key agreement) as an AES-128-GCM
 * AuthEnvelopedData, decrypts it with each recipient's key, checks the
 * plaintext, and shows that a non-recipient gets the one uniform failure.
 * Last, Alice mails Bob a signed-then-encrypted S/MIME message (a .eml
 * under TMPDIR), and Bob opens every layer of it again. */
#include "tool.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef DEMO_DIR
#define DEMO_DIR "vectors/pki"
#endif
#ifndef DEMO_INSTALLED_DIR
#define DEMO_INSTALLED_DIR "/usr/share/cachet/demo"
#endif

/* $CACHET_DEMO_DIR, else the build tree's identities, else the installed
 * copies. */
static const char *demo_dir(void)
{
	const char *env = getenv("CACHET_DEMO_DIR");
	if (env && *env)
		return env;
	if (access(DEMO_DIR "/root-ca.crt.pem", R_OK) == 0)
		return DEMO_DIR;
	return DEMO_INSTALLED_DIR;
}

static const char sample[] =
	"Hello Bob,\r\n\r\nthis message is signed with Cachet's demo identities.\r\n\r\nAlice\r\n";

static int load(const char *dir, const char *name, cachet_datum_t *d)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return read_file(path, d);
}

/* Sign SAMPLE as USER, verify it against the root, print the report. */
static int one(const char *dir, const char *user, const char *what, unsigned sflags,
	       unsigned flags)
{
	cachet_datum_t cert = {0}, key = {0}, chain = {0}, root = {0}, msg = {0};
	cachet_sign_t *s = NULL;
	cachet_verify_t *v = NULL;
	cachet_diag_t *diag = NULL;
	cachet_source_t *src = NULL, *det = NULL;
	cachet_sink_t *snk = NULL;
	cachet_report_t *rep = NULL;
	char name[64];
	int ret = CACHET_E_IO;

	printf("== %s signs (%s, %s) ==\n", user, what,
	       flags & CACHET_SIGN_DETACHED ? "detached" : "encapsulated");
	snprintf(name, sizeof(name), "%s.crt.pem", user);
	if (load(dir, name, &cert) < 0)
		goto done;
	snprintf(name, sizeof(name), "%s.key.pem", user);
	if (load(dir, name, &key) < 0 || load(dir, "chain.pem", &chain) < 0 ||
	    load(dir, "root-ca.crt.pem", &root) < 0)
		goto done;
	if ((ret = cachet_diag_init(&diag)) < 0 || (ret = cachet_sign_init(&s)) < 0 ||
	    (ret = cachet_sign_add_signer(s, &cert, &key, NULL, CACHET_DIGEST_DEFAULT, sflags, diag)) < 0 ||
	    (ret = cachet_sign_add_certs(s, &chain, diag)) < 0)
		goto done;
	if ((ret = cachet_source_init_mem(&src, (const uint8_t *)sample, sizeof(sample) - 1)) < 0 ||
	    (ret = cachet_sink_init_mem(&snk)) < 0 ||
	    (ret = cachet_sign_run(s, src, snk, flags, diag)) < 0 ||
	    (ret = cachet_sink_take_mem(snk, &msg)) < 0)
		goto done;
	printf("signed %zu bytes of content into a %zu-byte SignedData\n", sizeof(sample) - 1, msg.size);
	cachet_source_deinit(src);
	src = NULL;
	if ((ret = cachet_verify_init(&v)) < 0 || (ret = cachet_verify_add_trust(v, &root, diag)) < 0 ||
	    (ret = cachet_source_init_mem(&src, msg.data, msg.size)) < 0)
		goto done;
	if ((flags & CACHET_SIGN_DETACHED) &&
	    (ret = cachet_source_init_mem(&det, (const uint8_t *)sample, sizeof(sample) - 1)) < 0)
		goto done;
	ret = cachet_verify_run(v, src, det, NULL, &rep, diag);
	if (rep) {
		cachet_datum_t text;
		if (cachet_report_text(rep, &text) == 0) {
			fwrite(text.data, 1, text.size, stdout);
			cachet_free(text.data);
		}
	}
done:
	if (ret < 0)
		report_error("demo", ret, diag);
	printf("\n");
	free(cert.data);
	cachet_free_secret(&key);
	free(chain.data);
	free(root.data);
	cachet_free(msg.data);
	cachet_report_deinit(rep);
	cachet_sink_deinit(snk);
	cachet_source_deinit(src);
	cachet_source_deinit(det);
	cachet_sign_deinit(s);
	cachet_verify_deinit(v);
	cachet_diag_deinit(diag);
	return ret;
}

static const char secret[] =
	"Hello Bob, hello Carol,\r\n\r\nthis message is encrypted with Cachet's demo identities.\r\n\r\n"
	"Alice\r\n";

/* Decrypt MSG as USER; 0 when the plaintext is SECRET, else < 0.  With
 * EXPECT_FAIL the decryption must fail with CACHET_E_DECRYPT_FAILED. */
static int open_as(const char *dir, const char *user, const cachet_datum_t *msg, bool expect_fail)
{
	cachet_datum_t cert = {0}, key = {0}, plain = {0}, sum = {0};
	cachet_decrypt_t *d = NULL;
	cachet_diag_t *diag = NULL;
	cachet_source_t *src = NULL;
	cachet_sink_t *snk = NULL;
	char name[64];
	int ret = CACHET_E_IO;

	printf("-- %s decrypts --\n", user);
	snprintf(name, sizeof(name), "%s.crt.pem", user);
	if (load(dir, name, &cert) < 0)
		goto done;
	snprintf(name, sizeof(name), "%s.key.pem", user);
	if (load(dir, name, &key) < 0)
		goto done;
	if ((ret = cachet_diag_init(&diag)) < 0 || (ret = cachet_decrypt_init(&d)) < 0 ||
	    (ret = cachet_decrypt_add_key(d, &cert, &key, NULL, diag)) < 0 ||
	    (ret = cachet_source_init_mem(&src, msg->data, msg->size)) < 0 ||
	    (ret = cachet_sink_init_mem(&snk)) < 0)
		goto done;
	ret = cachet_decrypt_run(d, src, snk, diag);
	if (expect_fail) {
		if (ret == CACHET_E_DECRYPT_FAILED) {
			printf("%s is not a recipient: \"%s\" [%s], as expected\n", user, cachet_strerror(ret),
			       cachet_strerror_name(ret));
			ret = 0;
		} else {
			printf("%s is not a recipient, but decryption gave %s\n", user,
			       ret == 0 ? "a plaintext" : cachet_strerror_name(ret));
			ret = ret == 0 ? CACHET_E_INTERNAL : ret;
		}
		goto done;
	}
	if (ret < 0)
		goto done;
	/* The plaintext was held back by the library's contract until the run
	 * returned 0; only now may it be used. */
	if ((ret = cachet_sink_take_mem(snk, &plain)) < 0)
		goto done;
	if (cachet_decrypt_summary(d, 0, &sum) == 0) {
		fwrite(sum.data, 1, sum.size, stdout);
		if (sum.size && sum.data[sum.size - 1] != '\n')
			printf("\n");
	}
	if (plain.size == sizeof(secret) - 1 && memcmp(plain.data, secret, plain.size) == 0) {
		printf("plaintext (%zu bytes) matches what Alice encrypted\n", plain.size);
	} else {
		printf("plaintext (%zu bytes) DIFFERS from what Alice encrypted\n", plain.size);
		ret = CACHET_E_DECRYPT_FAILED;
	}
done:
	if (ret < 0)
		report_error("demo", ret, diag);
	free(cert.data);
	cachet_free_secret(&key);
	cachet_free_secret(&plain);
	cachet_free(sum.data);
	cachet_sink_deinit(snk);
	cachet_source_deinit(src);
	cachet_decrypt_deinit(d);
	cachet_diag_deinit(diag);
	return ret;
}

/* Encrypt SECRET from Alice to Bob and Carol, then open it as each. */
static int encrypt_demo(const char *dir)
{
	cachet_datum_t bob = {0}, carol = {0}, msg = {0};
	cachet_encrypt_t *e = NULL;
	cachet_diag_t *diag = NULL;
	cachet_source_t *src = NULL;
	cachet_sink_t *snk = NULL;
	int ret = CACHET_E_IO, r;

	printf("== alice encrypts to bob (RSA-3072, RSAES-OAEP SHA-256) and carol (ECDH P-256, "
	       "X9.63 KDF SHA-256, AES key wrap), AES-128-GCM ==\n");
	if (load(dir, "bob.crt.pem", &bob) < 0 || load(dir, "carol.crt.pem", &carol) < 0)
		goto done;
	if ((ret = cachet_diag_init(&diag)) < 0 || (ret = cachet_encrypt_init(&e)) < 0 ||
	    (ret = cachet_encrypt_set_cipher(e, CACHET_CIPHER_AES128_GCM)) < 0 ||
	    (ret = cachet_encrypt_add_recipient(e, &bob, CACHET_RECIPIENT_OAEP, diag)) < 0 ||
	    (ret = cachet_encrypt_add_recipient(e, &carol, 0, diag)) < 0)
		goto done;
	if ((ret = cachet_source_init_mem(&src, (const uint8_t *)secret, sizeof(secret) - 1)) < 0 ||
	    (ret = cachet_sink_init_mem(&snk)) < 0 ||
	    (ret = cachet_encrypt_run(e, src, snk, 0, diag)) < 0 ||
	    (ret = cachet_sink_take_mem(snk, &msg)) < 0)
		goto done;
	printf("encrypted %zu bytes of content into a %zu-byte AuthEnvelopedData with a "
	       "KeyTransRecipientInfo (bob) and a KeyAgreeRecipientInfo (carol)\n\n",
	       sizeof(secret) - 1, msg.size);
	cachet_diag_deinit(diag);
	diag = NULL;
	/* Every step runs, so the output shows each outcome; the worst one
	 * decides. */
	if ((r = open_as(dir, "bob", &msg, false)) < 0)
		ret = r;
	printf("\n");
	if ((r = open_as(dir, "carol", &msg, false)) < 0)
		ret = r;
	printf("\n");
	if ((r = open_as(dir, "alice", &msg, true)) < 0)
		ret = r;
done:
	if (ret < 0 && diag)
		report_error("demo", ret, diag);
	printf("\n");
	free(bob.data);
	free(carol.data);
	cachet_free(msg.data);
	cachet_sink_deinit(snk);
	cachet_source_deinit(src);
	cachet_encrypt_deinit(e);
	cachet_diag_deinit(diag);
	return ret;
}

/* A mail from Alice to Bob, with an 8-bit character in its body so that
 * the quoted-printable encoding before signing shows (RFC 8551 section
 * 3.1.2). */
static const char mail[] =
	"From: Alice <alice@example.org>\r\n"
	"To: Bob <bob@example.org>\r\n"
	"Subject: Cachet demo: signed, then encrypted\r\n"
	"Date: Mon, 23 Nov 2026 12:00:00 +0000\r\n"
	"Message-ID: <demo.1@example.org>\r\n"
	"Content-Type: text/plain; charset=utf-8\r\n"
	"\r\n"
	"Hello Bob,\r\n\r\nthis mail is signed by Alice and encrypted to you, caf\xc3\xa9 included.\r\n"
	"\r\nAlice\r\n";

/* Header protection for a message that is encrypted next (RFC 9788
 * hp="cipher": the Subject goes out as "[...]"), and the header fields
 * signed in a SecureHeaderFields attribute (RFC 7508). */
static const unsigned demo_hp = CACHET_SMIME_PROTECT_HEADERS | CACHET_SMIME_HP_CIPHER |
				CACHET_SMIME_SECURE_HEADERS;

/* Write DATA to DIR/NAME; 0 or -1. */
static int write_out(const char *dir, const char *name, const cachet_datum_t *data)
{
	char path[4096];
	FILE *f;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -1;
	if ((f = fopen(path, "wb")) == NULL)
		return -1;
	size_t n = fwrite(data->data, 1, data->size, f);
	return fclose(f) == 0 && n == data->size ? 0 : -1;
}

/* Alice signs MAIL (multipart/signed) and encrypts the result to Bob
 * (AES-128-GCM): a real .eml, written to a fresh directory under TMPDIR.
 * Bob opens it again, every layer checked. */
static int smime_demo(const char *dir)
{
	cachet_datum_t acrt = {0}, akey = {0}, bcrt = {0}, bkey = {0}, chain = {0}, root = {0};
	cachet_datum_t signed_msg = {0}, eml = {0}, inner = {0}, rep = {0};
	cachet_sign_t *s = NULL;
	cachet_encrypt_t *e = NULL;
	cachet_verify_t *v = NULL;
	cachet_decrypt_t *d = NULL;
	cachet_smime_t *sm = NULL;
	cachet_diag_t *diag = NULL;
	cachet_source_t *src = NULL;
	cachet_sink_t *snk = NULL;
	char tmpl[4096];
	const char *tmp = getenv("TMPDIR");
	int ret = CACHET_E_IO;

	printf("== alice mails bob: S/MIME, signed (multipart/signed, header protection) then encrypted "
	       "(AES-128-GCM) ==\n");
	if (load(dir, "alice.crt.pem", &acrt) < 0 || load(dir, "alice.key.pem", &akey) < 0 ||
	    load(dir, "bob.crt.pem", &bcrt) < 0 || load(dir, "bob.key.pem", &bkey) < 0 ||
	    load(dir, "chain.pem", &chain) < 0 || load(dir, "root-ca.crt.pem", &root) < 0)
		goto done;
	if ((ret = cachet_diag_init(&diag)) < 0 || (ret = cachet_sign_init(&s)) < 0 ||
	    (ret = cachet_sign_add_signer(s, &acrt, &akey, NULL, CACHET_DIGEST_DEFAULT, 0, diag)) < 0 ||
	    (ret = cachet_sign_add_certs(s, &chain, diag)) < 0)
		goto done;
	if ((ret = cachet_source_init_mem(&src, (const uint8_t *)mail, sizeof(mail) - 1)) < 0 ||
	    (ret = cachet_sink_init_mem(&snk)) < 0 || (ret = cachet_smime_sign(s, src, snk, demo_hp, diag)) < 0 ||
	    (ret = cachet_sink_take_mem(snk, &signed_msg)) < 0)
		goto done;
	cachet_source_deinit(src);
	cachet_sink_deinit(snk);
	src = NULL;
	snk = NULL;
	if ((ret = cachet_encrypt_init(&e)) < 0 ||
	    (ret = cachet_encrypt_add_recipient(e, &bcrt, 0, diag)) < 0 ||
	    (ret = cachet_source_init_mem(&src, signed_msg.data, signed_msg.size)) < 0 ||
	    (ret = cachet_sink_init_mem(&snk)) < 0 || (ret = cachet_smime_encrypt(e, src, snk, 0, diag)) < 0 ||
	    (ret = cachet_sink_take_mem(snk, &eml)) < 0)
		goto done;
	snprintf(tmpl, sizeof(tmpl), "%s/cachet-demo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(tmpl) == NULL || write_out(tmpl, "alice-to-bob.eml", &eml) < 0) {
		fprintf(stderr, "cachet demo: cannot write the message under %s\n", tmpl);
		ret = CACHET_E_IO;
		goto done;
	}
	printf("wrote %s/alice-to-bob.eml (%zu bytes; the signed message inside is %zu bytes)\n\n", tmpl,
	       eml.size, signed_msg.size);

	/* Bob opens it: decrypt with his key, verify against the root. */
	cachet_source_deinit(src);
	cachet_sink_deinit(snk);
	src = NULL;
	snk = NULL;
	if ((ret = cachet_verify_init(&v)) < 0 || (ret = cachet_verify_add_trust(v, &root, diag)) < 0 ||
	    (ret = cachet_decrypt_init(&d)) < 0 || (ret = cachet_decrypt_add_key(d, &bcrt, &bkey, NULL, diag)) < 0 ||
	    (ret = cachet_smime_init(&sm)) < 0 || (ret = cachet_smime_set_verify(sm, v)) < 0 ||
	    (ret = cachet_smime_set_decrypt(sm, d)) < 0)
		goto done;
	if ((ret = cachet_source_init_mem(&src, eml.data, eml.size)) < 0 || (ret = cachet_sink_init_mem(&snk)) < 0)
		goto done;
	ret = cachet_smime_open(sm, src, snk, CACHET_SMIME_NEED_SIGNED | CACHET_SMIME_NEED_ENCRYPTED, diag);
	if (cachet_smime_report(sm, 0, &rep) == 0)
		fwrite(rep.data, 1, rep.size, stdout);
	if (ret < 0)
		goto done;
	if ((ret = cachet_sink_take_mem(snk, &inner)) < 0)
		goto done;
	/* The innermost entity is Alice's, with the body she wrote. */
	if (inner.size < 20 || memmem(inner.data, inner.size, "caf=C3=A9", 9) == NULL) {
		fprintf(stderr, "cachet demo: bob's message is not the one alice wrote\n");
		ret = CACHET_E_INTERNAL;
		goto done;
	}
	printf("bob opened every layer: the content is alice's mail (%zu bytes, quoted-printable)\n",
	       inner.size);
done:
	if (ret < 0 && diag)
		report_error("demo", ret, diag);
	printf("\n");
	free(acrt.data);
	cachet_free_secret(&akey);
	free(bcrt.data);
	cachet_free_secret(&bkey);
	free(chain.data);
	free(root.data);
	cachet_free(signed_msg.data);
	cachet_free(eml.data);
	cachet_free_secret(&inner);
	cachet_free(rep.data);
	cachet_source_deinit(src);
	cachet_sink_deinit(snk);
	cachet_smime_deinit(sm);
	cachet_decrypt_deinit(d);
	cachet_verify_deinit(v);
	cachet_encrypt_deinit(e);
	cachet_sign_deinit(s);
	cachet_diag_deinit(diag);
	return ret;
}

int cmd_demo(int argc, char **argv)
{
	const char *dir = demo_dir();
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("Usage: cachet demo\nSign a sample message as the demo users and verify it "
		       "against the demo root CA, then encrypt one from alice to bob and carol and "
		       "decrypt it as each, then mail a signed and encrypted S/MIME message from "
		       "alice to bob and open it again (identities in %s).\n", dir);
		return EXIT_OK;
	}
	if (argc > 1) {
		fprintf(stderr, "Usage: cachet demo\n");
		return EXIT_USAGE;
	}
	int worst = 0, ret;
	ret = one(dir, "alice", "RSA-2048, PKCS #1 v1.5, SHA-256", 0, 0);
	worst = ret < 0 ? ret : worst;
	ret = one(dir, "bob", "RSA-3072, RSASSA-PSS, SHA-256", CACHET_SIGNER_PSS, CACHET_SIGN_DETACHED);
	worst = ret < 0 ? ret : worst;
	ret = one(dir, "carol", "ECDSA P-256, SHA-256", CACHET_SIGNER_SKID, 0);
	worst = ret < 0 ? ret : worst;
	ret = one(dir, "erin", "Ed25519, SHA-512", 0, 0);
	worst = ret < 0 ? ret : worst;
	ret = encrypt_demo(dir);
	worst = ret < 0 ? ret : worst;
	ret = smime_demo(dir);
	worst = ret < 0 ? ret : worst;
	printf("Demo %s.\n", worst == 0 ? "succeeded: every message verified, every recipient decrypted"
					 : "FAILED");
	return exit_for(worst);
}
