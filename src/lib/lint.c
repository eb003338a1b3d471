/* lint.c -- cachet lint: judge a message made by any S/MIME stack against
 * the requirement registry (conformance/rfcNNNN.req) and list each deviation
 * with its requirement id, level, section, where in the message, and one
 * line of explanation.
 *
 * Nothing here parses on its own: the message goes through the S/MIME
 * reader (smime-read.c), which runs the verifier and the decryptor on its
 * layers, and this module translates what they found -- the named checks
 * of each verify report, the MIME parameters of each layer, the cipher of
 * each encrypted layer -- into findings (lint-int.h is the narrow window
 * it looks through).  A CMS object given without MIME (DER or PEM) is
 * read by the same reader as a bare CMS layer (_cachet_smime_set_bare):
 * its MIME checks are left out, and nothing that reports on it names a
 * media type the input never had.
 *
 * Every rule lint can report is a row of RULES below; its id exists in
 * the registry (tests/lint.sh checks each against conformance/rfcNNNN.req, and
 * the conformance checker checks the bracketed citations).
 */
#include "internal.h"
#include "crypto.h"
#include "lint-int.h"
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#define LINT_MAX_FINDINGS 256 /* findings kept per run; more are counted */
#define LINT_TEXT_MAX 512     /* one explanation line */

typedef enum {
	R_SIGNEDATTRS_MINIMUM = 0,
	R_CONTENT_TYPE_MATCH,
	R_SIGNEDATTRS_DER,
	R_DIGEST_STRENGTH,
	R_SEND_ATTRIBUTES,
	R_SEND_SIGNINGCERT,
	R_MICALG,
	R_7BIT,
	R_TRANSFER_ENCODE,
	R_SMIME_TYPE,
	R_NAME,
	R_FILENAME,
	R_EXTENSION,
	R_CBC,
	R_AEAD,
	R_AEAD_CCM,
	R_COUNT
} rule_t;

static const struct {
	const char *id, *level, *section, *what;
} rules[R_COUNT] = {
	/* [rfc5652-5.3-signedattrs-minimum] */
	[R_SIGNEDATTRS_MINIMUM] = {"rfc5652-5.3-signedattrs-minimum", "MUST", "RFC 5652 section 5.3",
				   "signedAttrs lack the content-type or the message-digest attribute"},
	/* [rfc5652-5.6-content-type-match] */
	[R_CONTENT_TYPE_MATCH] = {"rfc5652-5.6-content-type-match", "MUST", "RFC 5652 section 5.6",
				  "the content-type attribute is malformed or differs from eContentType"},
	/* [rfc5652-5.3-signedattrs-der] */
	[R_SIGNEDATTRS_DER] = {"rfc5652-5.3-signedattrs-der", "MUST", "RFC 5652 section 5.3",
			       "signedAttrs are not DER encoded (the signature covers their DER)"},
	/* [rfc8551-2.1-digest-strength] */
	[R_DIGEST_STRENGTH] = {"rfc8551-2.1-digest-strength", "RECOMMENDED", "RFC 8551 section 2.1",
			       "a historic digest (SHA-1, MD5) weaker than any acceptable signature"},
	/* [rfc8551-2.5-send-attributes] */
	[R_SEND_ATTRIBUTES] = {"rfc8551-2.5-send-attributes", "SHOULD", "RFC 8551 section 2.5",
			       "signingTime or SMIMECapabilities (or all signedAttrs) absent"},
	/* [rfc8551-2.5-send-signingcertificate] */
	[R_SEND_SIGNINGCERT] = {"rfc8551-2.5-send-signingcertificate", "SHOULD", "RFC 8551 section 2.5",
				"neither signingCertificate nor signingCertificateV2 is present"},
	/* [rfc8551-3.5.3.2-micalg-values] */
	[R_MICALG] = {"rfc8551-3.5.3.2-micalg-values", "SHOULD", "RFC 8551 section 3.5.3.2",
		      "micalg is missing or does not name the signers' digest algorithms"},
	/* [rfc8551-3.1.3-7bit] */
	[R_7BIT] = {"rfc8551-3.1.3-7bit", "MUST", "RFC 8551 section 3.1.3",
		    "the signed part of a multipart/signed is not 7-bit text"},
	/* [rfc8551-3.1.2-transfer-encode] */
	[R_TRANSFER_ENCODE] = {"rfc8551-3.1.2-transfer-encode", "SHOULD", "RFC 8551 section 3.1.2",
			       "the MIME entity inside a signed-data layer is not 7-bit (8bit or binary)"},
	/* [rfc8551-3.2-smime-type] */
	[R_SMIME_TYPE] = {"rfc8551-3.2-smime-type", "SHOULD", "RFC 8551 section 3.2",
			  "application/pkcs7-mime without the smime-type parameter"},
	/* [rfc8551-3.2.1-name] */
	[R_NAME] = {"rfc8551-3.2.1-name", "SHOULD", "RFC 8551 section 3.2.1",
		    "application/pkcs7-mime without a name (or filename) parameter"},
	/* [rfc8551-3.2.1-filename] */
	[R_FILENAME] = {"rfc8551-3.2.1-filename", "SHOULD", "RFC 8551 section 3.2.1",
			"the application/pkcs7-signature part names no file (smime.p7s)"},
	/* [rfc8551-3.2.1-extension] */
	[R_EXTENSION] = {"rfc8551-3.2.1-extension", "SHOULD", "RFC 8551 section 3.2.1",
			 "the file name's extension does not fit the type (.p7m, .p7c, .p7z, .p7s)"},
	/* [rfc8551-2.7.1.2-aes256-gcm] */
	[R_CBC] = {"rfc8551-2.7.1.2-aes256-gcm", "SHOULD", "RFC 8551 section 2.7.1.2",
		   "EnvelopedData with a CBC cipher: no integrity protection (AES-GCM preferred)"},
	/* [rfc5084-3.2-gcm-icv-match] An authenticated-encryption cipher's
	 * tag "MUST match the size in octets of the value in the
	 * AuthEnvelopedData mac field": EnvelopedData has no such field.
	 * ChaCha20-Poly1305 (RFC 8103 section 3) puts its tag in the same
	 * field, with no keyword sentence of its own, so it is judged here. */
	[R_AEAD] = {"rfc5084-3.2-gcm-icv-match", "MUST", "RFC 5084 section 3.2",
		    "EnvelopedData with AES-GCM or ChaCha20-Poly1305: no mac field for the tag"},
	/* [rfc5084-3.1-ccm-icv-match] The same sentence for AES-CCM. */
	[R_AEAD_CCM] = {"rfc5084-3.1-ccm-icv-match", "MUST", "RFC 5084 section 3.1",
			"EnvelopedData with AES-CCM: no mac field for the tag"},
};

typedef struct {
	rule_t rule;
	char *path;
	char *text;
} finding_t;

struct cachet_lint_st {
	finding_t findings[LINT_MAX_FINDINGS];
	size_t n;
	size_t dropped;
	size_t nmust;
	cbuf_t notes; /* lines: what was not checked, and why */
	size_t nlayers;
	bool is_cms;  /* the input was a bare CMS object */
	bool is_untrusted; /* no verifier given: signer and path not judged */
	bool has_run;
};

static void lint_reset(cachet_lint_t *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->findings[i].path);
		free(l->findings[i].text);
	}
	_cachet_buf_free(&l->notes);
	memset(l, 0, sizeof(*l));
}

int cachet_lint_init(cachet_lint_t **l)
{
	if (l == NULL)
		return CACHET_E_INVALID_ARG;
	*l = _cachet_calloc(1, sizeof(**l));
	return *l ? 0 : CACHET_E_NOMEM;
}

void cachet_lint_deinit(cachet_lint_t *l)
{
	if (l == NULL)
		return;
	lint_reset(l);
	free(l);
}

static bool is_must(const char *level)
{
	return strncmp(level, "MUST", 4) == 0 || strncmp(level, "SHALL", 5) == 0 ||
	       strcmp(level, "REQUIRED") == 0;
}

static int add(cachet_lint_t *l, rule_t rule, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int add(cachet_lint_t *l, rule_t rule, const char *path, const char *fmt, ...)
{
	char text[LINT_TEXT_MAX];
	va_list ap;

	if (is_must(rules[rule].level))
		l->nmust++;
	if (l->n == LINT_MAX_FINDINGS) {
		l->dropped++;
		return 0;
	}
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	finding_t *f = &l->findings[l->n];
	f->rule = rule;
	f->path = _cachet_strdup(path);
	f->text = _cachet_strdup(text);
	if (f->path == NULL || f->text == NULL) {
		free(f->path);
		free(f->text);
		f->path = f->text = NULL;
		return CACHET_E_NOMEM;
	}
	l->n++;
	return 0;
}

/* ---- input: MIME, or a bare CMS object ---- */

/* True when the first octets look like CMS: a SEQUENCE tag, or PEM
 * armour after white space (the CLI's detection, common.c). */
static bool looks_cms(const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if (i == 0 && n > 0 && p[0] == 0x30)
		return true;
	return n - i >= 10 && memcmp(p + i, "-----BEGIN", 10) == 0;
}

/* ---- translating the reader's layers ---- */

static const report_check_t *find_check(const report_signer_t *rs, const char *name)
{
	for (size_t i = 0; i < rs->n; i++)
		if (strcmp(rs->checks[i].name, name) == 0)
			return &rs->checks[i];
	return NULL;
}

/* The signedAttrs checks of one SignerInfo (RFC 5652 section 5.3, RFC
 * 8551 section 2.5). */
static int lint_signed_attrs(cachet_lint_t *l, const char *path, const report_signer_t *rs)
{
	char apath[360];
	const report_check_t *c;
	int ret = 0;

	snprintf(apath, sizeof(apath), "%s.signedAttrs", path);
	c = find_check(rs, "signed-attrs-present");
	if (c && c->status == CACHET_CHECK_FAIL) {
		/* The verifier's own failure (eContentType not id-data). */
		CHECK(add(l, R_SIGNEDATTRS_MINIMUM, path, "no signedAttrs: %s", c->detail));
		return 0;
	}
	if (find_check(rs, "signed-attrs-der") == NULL) {
		CHECK(add(l, R_SEND_ATTRIBUTES, path, "no signedAttrs, so no signingTime or "
						      "SMIMECapabilities attribute"));
		return 0;
	}
	c = find_check(rs, "signed-attrs-der");
	if (c && c->status == CACHET_CHECK_FAIL)
		CHECK(add(l, R_SIGNEDATTRS_DER, apath, "%s", c->detail));
	c = find_check(rs, "content-type-attr");
	if (c && c->status == CACHET_CHECK_FAIL) {
		if (c->code == CACHET_E_ATTR_MISSING)
			CHECK(add(l, R_SIGNEDATTRS_MINIMUM, apath, "the content-type attribute is missing"));
		else
			CHECK(add(l, R_CONTENT_TYPE_MATCH, apath, "%s", c->detail));
	}
	c = find_check(rs, "message-digest");
	if (c && c->status == CACHET_CHECK_FAIL && c->code == CACHET_E_ATTR_MISSING)
		CHECK(add(l, R_SIGNEDATTRS_MINIMUM, apath, "the message-digest attribute is missing"));
	if (find_check(rs, "smime-capabilities") == NULL)
		CHECK(add(l, R_SEND_ATTRIBUTES, apath, "no SMIMECapabilities attribute"));
	if (find_check(rs, "signing-time") == NULL)
		CHECK(add(l, R_SEND_ATTRIBUTES, apath, "no signingTime attribute"));
	if (find_check(rs, "signing-certificate") == NULL)
		CHECK(add(l, R_SEND_SIGNINGCERT, apath, "no signingCertificateV2 (or signingCertificate) "
							"attribute (RFC 5035)"));
cleanup:
	return ret;
}

static int lint_signer(cachet_lint_t *l, const char *where, size_t idx, const report_signer_t *rs)
{
	char path[320];
	const report_check_t *c;
	int ret = 0;

	snprintf(path, sizeof(path), "%sSignedData.signerInfos[%zu]", where, idx);

	if (rs->digest && (strcasecmp(rs->digest, "sha1") == 0 || strcasecmp(rs->digest, "md5") == 0))
		CHECK(add(l, R_DIGEST_STRENGTH, path, "digestAlgorithm is %s, a historic digest (RFC 8551 "
						      "sections 2.1 and 3.5.3.2) weaker than the signature",
			  rs->digest));
	CHECK(lint_signed_attrs(l, path, rs));
	/* What the verifier could not judge is a note, not a deviation
	 * (with or without signedAttrs). */
	c = find_check(rs, "signature");
	if (c && c->status == CACHET_CHECK_SKIP)
		CHECK(_cachet_buf_printf(&l->notes, "%s: signature not checked: %s\n", path, c->detail));
	c = find_check(rs, "certificate-path");
	if (c && c->status == CACHET_CHECK_SKIP)
		CHECK(_cachet_buf_printf(&l->notes, "%s: certificate path not checked%s\n", path,
					 l->is_untrusted ? " (no trust anchors given)" : ""));
cleanup:
	return ret;
}

/* The extension a file name for this layer should have. */
static const char *want_ext(const smime_layer_info_t *in)
{
	if (strcmp(in->kind, "certs-only") == 0)
		return ".p7c";
	if (strcmp(in->kind, "compressed-data") == 0)
		return ".p7z";
	if (strcmp(in->kind, "unsupported") == 0)
		return NULL;
	return ".p7m";
}

static bool has_ext(const char *name, const char *ext)
{
	size_t n = strlen(name), m = strlen(ext);
	return n >= m && strcasecmp(name + n - m, ext) == 0;
}

static int lint_layer(cachet_lint_t *l, size_t i, const smime_layer_info_t *in)
{
	char where[200], path[320];
	bool is_mime = !in->is_bare;
	bool is_pkcs7 = in->ctype && strcasecmp(in->ctype, "multipart/signed") != 0;
	int ret = 0;

	if (is_mime)
		snprintf(where, sizeof(where), "layer %zu (%s) > ", i + 1, in->ctype ? in->ctype : "?");
	else
		snprintf(where, sizeof(where), "layer %zu (CMS) > ", i + 1);

	if (is_mime && !is_pkcs7) {
		snprintf(path, sizeof(path), "layer %zu (%s) > Content-Type.micalg", i + 1, in->ctype);
		if (in->micalg == NULL)
			CHECK(add(l, R_MICALG, path, "the micalg parameter is missing (RFC 1847 section 2.1 "
						     "requires it)"));
		else if (in->micalg_match == 0)
			CHECK(add(l, R_MICALG, path, "micalg \"%s\" does not name the digest algorithm of "
						     "every signer", in->micalg));
		if (in->signed_8bit) {
			snprintf(path, sizeof(path), "layer %zu (%s) > part[0]", i + 1, in->ctype);
			CHECK(add(l, R_7BIT, path, "the signed part holds %llu octets that are not 7-bit "
						   "(8bit or binary content signed without a 7-bit "
						   "transfer encoding: a 7-bit relay breaks the signature)",
				  (unsigned long long)in->signed_8bit));
		}
		/* The signature part's file name: .p7s (RFC 8551 section
		 * 3.2.1, the table; section 3.5.3.1). */
		if (in->has_sig_part) {
			snprintf(path, sizeof(path), "layer %zu (%s) > part[1]", i + 1, in->ctype);
			if (in->sig_name == NULL)
				CHECK(add(l, R_FILENAME, path, "the signature part has neither a "
							       "Content-Disposition filename= nor a name= "
							       "parameter (expected smime.p7s)"));
			else if (!has_ext(in->sig_name, ".p7s"))
				CHECK(add(l, R_EXTENSION, path, "file name \"%s\" for the signature "
								"part: the extension should be .p7s",
					  in->sig_name));
		}
	}
	if (is_mime && is_pkcs7) {
		snprintf(path, sizeof(path), "layer %zu (%s) > Content-Type", i + 1, in->ctype);
		if (in->smime_type == NULL)
			CHECK(add(l, R_SMIME_TYPE, path, "the smime-type parameter is missing (the content "
							 "is %s)", in->cms_type ? in->cms_type : "not CMS"));
		const char *ext = want_ext(in);
		if (in->name == NULL)
			CHECK(add(l, R_NAME, path, "neither name= nor a Content-Disposition filename= "
						   "is given (expected smime%s)", ext ? ext : ".p7m"));
		else if (ext && !has_ext(in->name, ext))
			CHECK(add(l, R_EXTENSION, path, "file name \"%s\" for %s: the extension should be %s",
				  in->name, in->kind, ext));
	}
	if (in->rep) {
		for (size_t s = 0; s < in->rep->nsigners; s++)
			CHECK(lint_signer(l, where, s, &in->rep->signers[s]));
	}
	/* Inside an opaque signed layer 7-bit is not required (section
	 * 3.1.3 is about multipart/signed), but RFC 8551 section 3.1.2
	 * asks for it as a rule, so that the entity can be handled in any
	 * environment without change; binary inside is for recipients
	 * known to take it (id-cap-preferBinaryInside, prior agreement). */
	if (in->has_content_scan && in->content_8bit) {
		char how[160];
		const char *cte = in->content_cte;
		if (cte == NULL)
			snprintf(how, sizeof(how), "has no Content-Transfer-Encoding (7bit presumed) but");
		else if (strcasecmp(cte, "8bit") == 0 || strcasecmp(cte, "binary") == 0)
			snprintf(how, sizeof(how), "is labelled %s and", cte);
		else
			snprintf(how, sizeof(how), "is labelled %s but", cte);
		snprintf(path, sizeof(path), "%sSignedData.encapContentInfo.eContent", where);
		CHECK(add(l, R_TRANSFER_ENCODE, path, "the signed MIME entity %s holds %llu octets that "
						      "are not 7-bit; as a rule a secured entity is 7-bit "
						      "(quoted-printable or base64), binary only when every "
						      "recipient is known to take it",
			  how, (unsigned long long)in->content_8bit));
	}
	if (in->enc_kind == LINT_ENC_ENVELOPED && in->cipher_oid[0]) {
		const cachet_alg_t *a = _cachet_alg_by_oid(in->cipher_oid);
		const char *nm = a ? a->name : in->cipher_oid;
		snprintf(path, sizeof(path), "%sEnvelopedData.encryptedContentInfo.contentEncryptionAlgorithm",
			 where);
		if (a && a->kind == ALG_KIND_CIPHER && has_ext(nm, "-cbc"))
			CHECK(add(l, R_CBC, path, "%s in EnvelopedData: CBC has no integrity protection; "
						  "AES-256 GCM in AuthEnvelopedData is preferred", nm));
		if (a && a->kind == ALG_KIND_CIPHER && (a->flags & ALG_F_AEAD)) {
			bool is_ccm = a->id == CACHET_ALG_AES128_CCM || a->id == CACHET_ALG_AES192_CCM ||
				      a->id == CACHET_ALG_AES256_CCM;
			CHECK(add(l, is_ccm ? R_AEAD_CCM : R_AEAD, path,
				  "%s in EnvelopedData: an authenticated-encryption cipher belongs in "
				  "AuthEnvelopedData, whose mac field carries its tag (RFC 5083; %s); "
				  "EnvelopedData has none, so the content cannot be authenticated",
				  nm, a->id == CACHET_ALG_CHACHA20_POLY1305 ? "RFC 8103 section 3"
					: is_ccm ? "RFC 5084 section 3.1" : "RFC 5084 section 3.2"));
		}
	}
	/* Why a layer could not be judged fully: notes, not findings. */
	char label[200];
	snprintf(label, sizeof(label), "layer %zu (%s)", i + 1, is_mime && in->ctype ? in->ctype : "CMS");
	cachet_category_t cat = cachet_error_category(in->result);
	if (in->enc_kind != LINT_ENC_NONE && in->result < 0 && cat != CACHET_CAT_MALFORMED &&
	    cat != CACHET_CAT_UNSUPPORTED)
		CHECK(_cachet_buf_printf(&l->notes, "%s: not decrypted (no key given, or none fits); the "
						    "layers inside were not checked\n", label));
	else if (in->result < 0)
		CHECK(_cachet_buf_printf(&l->notes, "%s: %s (%s)\n", label, cachet_strerror_name(in->result),
					 cachet_strerror(in->result)));
cleanup:
	return ret;
}

int cachet_lint_run(cachet_lint_t *l, cachet_source_t *in, cachet_verify_t *v,
		    cachet_decrypt_t *d, cachet_diag_t *diag)
{
	cachet_smime_t *sm = NULL;
	cachet_verify_t *own_v = NULL;
	cachet_decrypt_t *own_d = NULL;
	cachet_source_t *der = NULL, *msg = in;
	uint8_t head[64];
	int ret;

	if (l == NULL || in == NULL)
		return CACHET_E_INVALID_ARG;
	lint_reset(l);
	l->has_run = true;

	long n = _cachet_source_read(in, head, sizeof(head));
	if (n < 0)
		return (int)n;
	if (n > 0)
		CHECK(_cachet_source_unread(in, head, (size_t)n));
	if (looks_cms(head, (size_t)n)) {
		l->is_cms = true;
		CHECK(_cachet_source_autodetect(&der, in, diag));
		msg = der;
	}
	if (v == NULL) {
		/* No trust given: judge the structure, not the signer. */
		CHECK(cachet_verify_init(&own_v));
		CHECK(cachet_verify_set_policy(own_v, CACHET_POLICY_LEGACY | CACHET_POLICY_NO_CHAIN));
		v = own_v;
		l->is_untrusted = true;
	}
	if (d == NULL) {
		/* No keys: the decryptor still reads the algorithms. */
		CHECK(cachet_decrypt_init(&own_d));
		CHECK(cachet_decrypt_set_policy(own_d, CACHET_POLICY_ALLOW_LEGACY_CIPHERS));
		d = own_d;
	}
	CHECK(cachet_smime_init(&sm));
	_cachet_smime_keep_details(sm, true);
	_cachet_smime_set_bare(sm, l->is_cms);
	CHECK(cachet_smime_set_verify(sm, v));
	CHECK(cachet_smime_set_decrypt(sm, d));
	int oret = cachet_smime_open(sm, msg, NULL, 0, diag);
	l->nlayers = _cachet_smime_layer_count(sm);
	if (l->nlayers == 0) {
		/* Nothing S/MIME could be read: the input is unreadable. */
		ret = oret < 0 ? oret : CACHET_E_UNSUPPORTED_CONTENT;
		goto cleanup;
	}
	smime_layer_info_t first;
	CHECK(_cachet_smime_layer_info(sm, 0, &first));
	if (!first.is_done && first.result < 0) {
		/* Not even the outer layer's CMS object could be read. */
		ret = first.result;
		goto cleanup;
	}
	for (size_t i = 0; i < l->nlayers; i++) {
		smime_layer_info_t info;
		CHECK(_cachet_smime_layer_info(sm, i, &info));
		CHECK(lint_layer(l, i, &info));
	}
	ret = 0;
cleanup:
	cachet_smime_deinit(sm);
	if (der != in) /* autodetect hands back IN itself for DER */
		cachet_source_deinit(der);
	cachet_verify_deinit(own_v);
	cachet_decrypt_deinit(own_d);
	return ret;
}

size_t cachet_lint_finding_count(const cachet_lint_t *l)
{
	return l ? l->n : 0;
}

bool cachet_lint_has_must(const cachet_lint_t *l)
{
	return l && l->nmust > 0;
}

int cachet_lint_finding_get(const cachet_lint_t *l, size_t i, const char **id, const char **level,
			    const char **section, const char **path, const char **text)
{
	if (l == NULL)
		return CACHET_E_INVALID_ARG;
	if (i >= l->n)
		return CACHET_E_END;
	const finding_t *f = &l->findings[i];
	if (id)
		*id = rules[f->rule].id;
	if (level)
		*level = rules[f->rule].level;
	if (section)
		*section = rules[f->rule].section;
	if (path)
		*path = f->path;
	if (text)
		*text = f->text;
	return 0;
}

int cachet_lint_rule_get(size_t i, const char **id, const char **level, const char **section,
			 const char **what)
{
	if (i >= R_COUNT)
		return CACHET_E_END;
	if (id)
		*id = rules[i].id;
	if (level)
		*level = rules[i].level;
	if (section)
		*section = rules[i].section;
	if (what)
		*what = rules[i].what;
	return 0;
}

static int render_text(const cachet_lint_t *l, cbuf_t *b)
{
	int ret = 0;
	for (size_t i = 0; i < l->n; i++) {
		const finding_t *f = &l->findings[i];
		CHECK(_cachet_buf_printf(b, "%s %s (%s)\n  at %s\n  %s\n", rules[f->rule].level,
					 rules[f->rule].id, rules[f->rule].section, f->path, f->text));
	}
	if (l->dropped)
		CHECK(_cachet_buf_printf(b, "(%zu more findings not kept)\n", l->dropped));
	for (size_t i = 0; i < l->notes.size;) {
		const char *line = (const char *)l->notes.data + i;
		const char *nl = memchr(line, '\n', l->notes.size - i);
		size_t len = nl ? (size_t)(nl - line) : l->notes.size - i;
		CHECK(_cachet_buf_printf(b, "note: %.*s\n", (int)len, line));
		i += len + 1;
	}
	CHECK(_cachet_buf_printf(b, "%zu finding%s, %zu at MUST level, in %zu layer%s%s\n",
				 l->n + l->dropped, l->n + l->dropped == 1 ? "" : "s", l->nmust, l->nlayers,
				 l->nlayers == 1 ? "" : "s", l->is_cms ? " (CMS input)" : ""));
cleanup:
	return ret;
}

static int render_json(const cachet_lint_t *l, cbuf_t *b)
{
	int ret = 0;
	CHECK(_cachet_buf_printf(b, "{\"findings\": ["));
	for (size_t i = 0; i < l->n; i++) {
		const finding_t *f = &l->findings[i];
		CHECK(_cachet_buf_printf(b, "%s\n  {\"id\": ", i ? "," : ""));
		CHECK(_cachet_buf_json_str(b, rules[f->rule].id));
		CHECK(_cachet_buf_printf(b, ", \"level\": "));
		CHECK(_cachet_buf_json_str(b, rules[f->rule].level));
		CHECK(_cachet_buf_printf(b, ", \"section\": "));
		CHECK(_cachet_buf_json_str(b, rules[f->rule].section));
		CHECK(_cachet_buf_printf(b, ", \"path\": "));
		CHECK(_cachet_buf_json_str(b, f->path));
		CHECK(_cachet_buf_printf(b, ", \"text\": "));
		CHECK(_cachet_buf_json_str(b, f->text));
		CHECK(_cachet_buf_printf(b, "}"));
	}
	CHECK(_cachet_buf_printf(b, "%s],\n \"notes\": [", l->n ? "\n" : ""));
	bool first = true;
	for (size_t i = 0; i < l->notes.size;) {
		const char *line = (const char *)l->notes.data + i;
		const char *nl = memchr(line, '\n', l->notes.size - i);
		size_t len = nl ? (size_t)(nl - line) : l->notes.size - i;
		char *s = malloc(len + 1);
		if (s == NULL)
			return CACHET_E_NOMEM;
		memcpy(s, line, len);
		s[len] = '\0';
		ret = _cachet_buf_printf(b, "%s", first ? "" : ", ");
		if (ret == 0)
			ret = _cachet_buf_json_str(b, s);
		free(s);
		CHECK(ret);
		first = false;
		i += len + 1;
	}
	CHECK(_cachet_buf_printf(b, "],\n \"count\": %zu, \"must\": %zu, \"layers\": %zu, \"cms_input\": %s}\n",
				 l->n + l->dropped, l->nmust, l->nlayers, l->is_cms ? "true" : "false"));
cleanup:
	return ret;
}

int cachet_lint_render(const cachet_lint_t *l, unsigned flags, cachet_datum_t *out)
{
	cbuf_t b = {0};
	int ret;

	if (l == NULL || out == NULL)
		return CACHET_E_INVALID_ARG;
	if (!l->has_run)
		return CACHET_E_BAD_STATE;
	ret = (flags & CACHET_INSPECT_JSON) ? render_json(l, &b) : render_text(l, &b);
	if (ret < 0) {
		_cachet_buf_free(&b);
		return ret;
	}
	out->data = b.data;
	out->size = b.size;
	return 0;
}
