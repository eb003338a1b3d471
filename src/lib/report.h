/* report.h -- verdict reports: one list of named checks per signer
 * (STYLE 11: a verdict is a report, never a boolean). */
#ifndef CACHET_REPORT_H
#define CACHET_REPORT_H

#include "internal.h"

typedef struct {
	char *name;
	cachet_check_status_t status;
	int code;
	char *rule;
	char *detail;
} report_check_t;

typedef struct {
	char *identity;	 /* signer certificate subject and e-mail */
	char *emails;	 /* all its e-mail addresses, one per line (_cachet_crt_emails) */
	char *sid;	 /* how the SignerInfo names its certificate */
	char *digest;	 /* digest algorithm name */
	char *signature; /* signature algorithm name */
	int result;	 /* 0 or the first failing check's code */
	report_check_t *checks;
	size_t n, cap;
	struct sechdr_st *sechdr; /* RFC 7508 SecureHeaderFields, or NULL */
	/* The DER of the certificate the signed SMIMEEncryptionKeyPreference
	 * attribute names (RFC 8551 section 2.5.3), when the message carries
	 * it; empty otherwise. */
	cbuf_t keypref;
} report_signer_t;

struct cachet_report_st {
	char *content_type;
	bool detached;
	uint64_t content_size;
	size_t ncerts;
	char *digests;
	report_check_t *checks; /* message-level findings */
	size_t n, cap;
	report_signer_t *signers;
	size_t nsigners, scap;
	int result;
	cbuf_t certs; /* the DER of each certificate the message carries, one after another */
};

CACHET_INTERNAL int _cachet_report_new(cachet_report_t **r);
/* Add a signer; its index goes to *idx. */
CACHET_INTERNAL int _cachet_report_add_signer(cachet_report_t *r, size_t *idx);
CACHET_INTERNAL report_signer_t *_cachet_report_signer(cachet_report_t *r,
						       size_t idx);
/* Record a check on SIGNER (or on the message when SIGNER is NULL).  A
 * failing check sets the signer's result if it is still 0. */
CACHET_INTERNAL int _cachet_report_check(cachet_report_t *r,
					 report_signer_t *signer,
					 const char *name,
					 cachet_check_status_t status,
					 int code, const char *rule,
					 const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
CACHET_INTERNAL int _cachet_report_set(char **field, const char *value);
/* The SecureHeaderFields (RFC 7508, sechdr.h) that signer SIGNER of R
 * signed, as cachet_verify_run() decoded them; NULL when the signer has
 * none (or it did not decode: see its "secure-header-fields" check).
 * Owned by the report: valid until cachet_report_deinit(R). */
CACHET_INTERNAL const struct sechdr_st *_cachet_report_sechdr(const cachet_report_t *r,
							      size_t signer);

#endif /* CACHET_REPORT_H */
