/* pki-validate.h -- signer certificate validation (RFC 8550 sections 3
 * and 4, RFC 5280 section 6) as named checks in a verdict report. */
#ifndef CACHET_PKI_VALIDATE_H
#define CACHET_PKI_VALIDATE_H

#include "pki.h"
#include "report.h"

/* What a verifier adds to its trust anchors for validation: revocation
 * material given offline, the system store, the expected address. */
typedef struct {
	cbuf_t *crl; /* DER of each CRL */
	size_t ncrl, crlcap;
	cbuf_t *ocsp; /* DER of each OCSPResponse */
	size_t nocsp, ocspcap;
	char *email;	      /* expected signer address, or NULL */
	bool is_system_trust; /* add the system trust store */
} _cachet_valset_t;

CACHET_INTERNAL void _cachet_valset_free(_cachet_valset_t *vs);
/* Add CRLs: PEM ("X509 CRL" blocks) or one DER CRL, each checked. */
CACHET_INTERNAL int _cachet_valset_add_crl(_cachet_valset_t *vs,
					   const uint8_t *data, size_t len,
					   cachet_diag_t *diag);
/* Add one OCSPResponse (DER, or PEM "OCSP RESPONSE"). */
CACHET_INTERNAL int _cachet_valset_add_ocsp(_cachet_valset_t *vs,
					    const uint8_t *data, size_t len,
					    cachet_diag_t *diag);
CACHET_INTERNAL int _cachet_valset_set_email(_cachet_valset_t *vs,
					     const char *addr);

typedef struct {
	const cachet_certset_t *trust; /* trust anchors */
	const cachet_certset_t *pool;  /* untrusted certificates to build with */
	const _cachet_valset_t *vs;
	time_t at;	 /* validation time */
	unsigned policy; /* CACHET_POLICY_* */
} _cachet_vparams_t;

/* Validate LEAF (the signer's certificate) and record one named check per
 * rule on RS in REP: certificate-path, certificate-validity,
 * certificate-basic-constraints, certificate-key-usage,
 * certificate-extended-key-usage, certificate-key-size,
 * certificate-critical-extensions, certificate-email,
 * certificate-revocation.  Returns 0, or CACHET_E_NOMEM; failed checks
 * are in the report only. */
CACHET_INTERNAL int _cachet_validate_signer(gnutls_x509_crt_t leaf,
					    const _cachet_vparams_t *p,
					    cachet_report_t *rep,
					    report_signer_t *rs);

/* The validation settings of V (its trust anchors, CRLs, OCSP responses,
 * time and policy) with POOL as the untrusted certificates, for
 * validating a certificate outside a SignerInfo (the certificate
 * directory's import).  P borrows from V and POOL. */
CACHET_INTERNAL void _cachet_verify_vparams(const cachet_verify_t *v,
					    const cachet_certset_t *pool,
					    _cachet_vparams_t *p);

/* True when the address HAVE (one of a certificate's, _cachet_crt_emails)
 * is WANT: the local part octet for octet, the domain without regard to
 * case, an A-label and its U-label alike (RFC 5280 section 4.2.1.6, RFC
 * 8398 section 5).  The one comparison behind certificate-email and the
 * certificate directory's lookup. */
CACHET_INTERNAL bool _cachet_addr_is_same(const char *want, const char *have);

#endif /* CACHET_PKI_VALIDATE_H */
