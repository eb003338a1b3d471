/* pki.h -- certificates through GnuTLS (ARCHITECTURE decision 6). */
#ifndef CACHET_PKI_H
#define CACHET_PKI_H

#include "internal.h"

#include <gnutls/x509.h>

struct cachet_pubkey_st;

typedef struct {
	gnutls_x509_crt_t *crt;
	cbuf_t *der; /* the DER of each certificate as it was given */
	size_t n, cap;
} cachet_certset_t;

/* Add the certificates in DATA: PEM (one or more CERTIFICATE blocks) or
 * one DER certificate. */
CACHET_INTERNAL int _cachet_certset_add(cachet_certset_t *set,
					const uint8_t *data, size_t len,
					const char *path, cachet_diag_t *diag);
CACHET_INTERNAL int _cachet_certset_add_der(cachet_certset_t *set,
					    const uint8_t *der, size_t len,
					    const char *path,
					    cachet_diag_t *diag);
CACHET_INTERNAL void _cachet_certset_free(cachet_certset_t *set);
/* Drop every certificate after the first N (undoing a failed add). */
CACHET_INTERNAL void _cachet_certset_truncate(cachet_certset_t *set, size_t n);
/* Index of the certificate with this issuer Name (DER) and serial number
 * (INTEGER content octets), or -1. */
CACHET_INTERNAL long _cachet_certset_find_iasn(const cachet_certset_t *set,
					       const uint8_t *issuer,
					       size_t ilen,
					       const uint8_t *serial,
					       size_t slen);
/* Index of the certificate with this subjectKeyIdentifier, or -1. */
CACHET_INTERNAL long _cachet_certset_find_skid(const cachet_certset_t *set,
					       const uint8_t *skid,
					       size_t len);
/* "CN=Alice,O=Cachet Test <alice@example.org>" into BUF. */
CACHET_INTERNAL void _cachet_crt_describe(gnutls_x509_crt_t crt, char *buf,
					  size_t n);
/* SHA-1 over the certificate's whole SubjectPublicKeyInfo: the key
 * identifier Windows uses when a certificate has no subjectKeyIdentifier
 * extension. */
CACHET_INTERNAL int _cachet_crt_key_id_sha1(gnutls_x509_crt_t crt, cbuf_t *out);
/* The keyUsage bits (GNUTLS_KEY_*), or CACHET_E_END without the
 * extension. */
CACHET_INTERNAL int _cachet_crt_key_usage(gnutls_x509_crt_t crt, unsigned *usage);
/* The certificate's e-mail addresses, one per line, to OUT: every
 * rfc822Name and SmtpUTF8Mailbox (RFC 8398) in subjectAltName, then any
 * emailAddress in the subject (RFC 8550 section 3).  At most
 * CACHET_MAX_SANS of each. */
#define CACHET_MAX_SANS 64
CACHET_INTERNAL int _cachet_crt_emails(gnutls_x509_crt_t crt, cbuf_t *out);
/* The same addresses one by one, with the field each came from
 * ("rfc822Name", "SmtpUTF8Mailbox", "emailAddress"); FN returning
 * non-zero stops the walk and is returned. */
typedef int (*cachet_email_fn)(void *opaque, const char *addr, const char *kind);
CACHET_INTERNAL int _cachet_crt_each_email(gnutls_x509_crt_t crt, cachet_email_fn fn, void *opaque);
/* The RFC 4514 text of the DER Name DER/LEN into BUF ("(unreadable name)"
 * when GnuTLS cannot read it). */
CACHET_INTERNAL void _cachet_dn_describe(const uint8_t *der, size_t len,
					 char *buf, size_t n);
/* Raw issuer Name DER and serial content octets of CRT (allocated). */
CACHET_INTERNAL int _cachet_crt_iasn(gnutls_x509_crt_t crt, cbuf_t *issuer,
				     cbuf_t *serial);
CACHET_INTERNAL int _cachet_crt_skid(gnutls_x509_crt_t crt, cbuf_t *skid);

/* The public key of CRT (whose DER is DER).  A DSA key without domain
 * parameters takes them from its issuer (RFC 3279 section 2.3.2), looked
 * for in the NPOOLS certificate sets of POOLS (entries may be NULL). */
CACHET_INTERNAL int _cachet_pubkey_from_pool(struct cachet_pubkey_st **out,
					     gnutls_x509_crt_t crt,
					     const cbuf_t *der,
					     const cachet_certset_t *const *pools,
					     size_t npools, cachet_diag_t *diag);

/* The SubjectPublicKeyInfo (its whole TLV) inside the certificate DER. */
CACHET_INTERNAL int _cachet_crt_spki(const cbuf_t *der, const uint8_t **spki,
				     size_t *n);

#endif /* CACHET_PKI_H */
