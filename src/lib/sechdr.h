/* sechdr.h -- Secure Headers (RFC 7508): the SecureHeaderFields signed
 * attribute, built, parsed and compared with a message's header fields.
 * Internal only; the S/MIME layer (smime-write.c, smime-read.c) uses it.
 *
 * What is stored and how it is compared (doc/design.md decision 20):
 *
 *  - The attribute holds each protected field in the canonical form of
 *    the algorithm it names (RFC 7508 section 4.5.1 steps 2 and 3, as in
 *    its appendix B): with "relaxed" (RFC 6376 section 3.4.2) the name
 *    lowercased and the value unfolded, whitespace runs made one SP,
 *    leading and trailing whitespace removed; with "simple" (RFC 6376
 *    section 3.4.1) the name as written and the value as the field body
 *    stands in the message, after the colon up to the line ending, folds
 *    (as CRLF) and the space after the colon included.
 *  - The verifier canonicalises both sides with the attribute's algorithm
 *    and compares octets.  Both algorithms are idempotent, so a value
 *    stored already canonical compares the same, and one stored as-is by
 *    another implementation still matches under relaxed.
 *  - Several fields with one name (RFC 7508 section 4.5.1: "all instances
 *    MUST be included"): the k-th such field of the attribute is compared
 *    with the k-th instance in the message, top to bottom.
 *
 * Usage, writer: _cachet_sechdr_encode() with the message header and the
 * names the policy protects gives a DER Attribute for
 * cachet_sign_add_attribute().  Reader: cachet_verify_run() decodes the
 * attribute into the report (check "secure-header-fields");
 * _cachet_report_sechdr() (report.h) hands it out and
 * _cachet_sechdr_compare() judges it against the header fields of the
 * message.
 */
#ifndef CACHET_SECHDR_H
#define CACHET_SECHDR_H

#include "internal.h"
#include "mime.h"

/* canonAlgorithm (RFC 7508 section 4.1). */
#define CACHET_SECHDR_SIMPLE 0
#define CACHET_SECHDR_RELAXED 1

/* HeaderFieldStatus (RFC 7508 section 4.4). */
#define CACHET_SECHDR_DUPLICATED 0
#define CACHET_SECHDR_DELETED 1
#define CACHET_SECHDR_MODIFIED 2

/* ---- limits (each hit is CACHET_E_COUNT_LIMIT or CACHET_E_SIZE_LIMIT) ---- */
/* Protected fields in one attribute. */
#define CACHET_SECHDR_MAX_FIELDS 256
/* A field name: RFC 5322 section 2.1.1, a line is at most 998 octets. */
#define CACHET_SECHDR_MAX_NAME 998
/* A field value (a folded field can be longer than one line). */
#define CACHET_SECHDR_MAX_VALUE (64u * 1024)
/* The encoded attribute value. */
#define CACHET_SECHDR_MAX_DER (1u << 20)

/* Set in sechdr_t.notes when the value was accepted although not DER. */
#define CACHET_SECHDR_NOTE_EXPLICIT_DEFAULT (1u << 0) /* status 0 written (X.690 11.5) */
#define CACHET_SECHDR_NOTE_NOT_DER (1u << 1)	      /* any other BER form */

typedef struct {
	char *name;  /* NUL-terminated VisibleString, no ':' */
	char *value; /* NUL-terminated UTF-8 (no NUL inside), may be "" */
	int status;  /* CACHET_SECHDR_DUPLICATED, _DELETED or _MODIFIED */
} sechdr_field_t;

typedef struct sechdr_st {
	int canon; /* CACHET_SECHDR_SIMPLE or CACHET_SECHDR_RELAXED */
	sechdr_field_t *fields;
	size_t n; /* 1 .. CACHET_SECHDR_MAX_FIELDS once decoded */
	unsigned notes; /* CACHET_SECHDR_NOTE_* (decode only) */
} sechdr_t;

/* Canonicalise one header field with CANON (RFC 6376 section 3.4.1
 * simple: unchanged; 3.4.2 relaxed: name lowercased and trailing
 * whitespace removed; value unfolded (every CR and LF removed), each WSP
 * run made one SP, leading and trailing WSP removed).  NAME and VALUE are
 * NUL-terminated; VALUE is the field body after the colon (folds may be
 * in it).  The results are appended to OUT_NAME and OUT_VALUE, each
 * followed by a NUL that is not counted in ->size.  0, CACHET_E_NOMEM or
 * CACHET_E_INVALID_ARG (unknown CANON). */
CACHET_INTERNAL int _cachet_sechdr_canon(int canon, const char *name,
					 const char *value, cbuf_t *out_name,
					 cbuf_t *out_value);

/* The field body of F for canonicalisation: from the raw octets after the
 * colon, without the final line ending, bare LF made CRLF; from F->value
 * when F has no raw octets (a field built in memory).  Appended to OUT
 * with a NUL not counted. */
CACHET_INTERNAL int _cachet_sechdr_field_body(const cachet_mime_field_t *f,
					      cbuf_t *out);

/* Append the DER SecureHeaderFields (the attribute's value) of S to OUT:
 * the SET in DER order (ENUMERATED before SEQUENCE), field-Status left out
 * when duplicated (X.690 section 11.5).  Checks S as decode does (count,
 * names, UTF-8, sizes): CACHET_E_INVALID_ARG, _COUNT_LIMIT or _SIZE_LIMIT
 * with a diagnostic frame. */
CACHET_INTERNAL int _cachet_sechdr_encode_value(const sechdr_t *s, cbuf_t *out,
						cachet_diag_t *diag);
/* The same wrapped as a DER Attribute SEQUENCE { attrType
 * id-aa-secureHeaderFieldsIdentifier, attrValues SET { value } }. */
CACHET_INTERNAL int _cachet_sechdr_encode_attr(const sechdr_t *s, cbuf_t *attr_der,
					       cachet_diag_t *diag);
/* Build the Attribute (appended to ATTR_DER) from the fields of H named in
 * NAMES (NULL-terminated, case-insensitive; each name once), every
 * instance of each (RFC 7508 section 4.5.1), in the order of NAMES and
 * then of H, canonicalised with CANON, status duplicated.  Names absent
 * from H are skipped; when none is present it is CACHET_E_INVALID_ARG
 * (HeaderFields is SIZE (1..MAX)). */
CACHET_INTERNAL int _cachet_sechdr_encode(const cachet_mime_header_t *h,
					  const char *const *names, int canon,
					  cbuf_t *attr_der, cachet_diag_t *diag);

/* Parse the attribute VALUE (DER or BER SecureHeaderFields, no trailing
 * octets) into OUT, which must be zeroed or deinit'ed; free it with
 * _cachet_sechdr_deinit() whatever the result.  Enforced: canonAlgorithm
 * 0 or 1, 1 to CACHET_SECHDR_MAX_FIELDS fields, names of 1 to
 * CACHET_SECHDR_MAX_NAME VisibleString characters without ':', values
 * valid UTF-8 without NUL of at most CACHET_SECHDR_MAX_VALUE octets,
 * status 0 to 2.  A BER form (explicit default status, SET components out
 * of order, ...) is accepted and noted in OUT->notes.  Failures are
 * CACHET_E_MALFORMED, _COUNT_LIMIT or _SIZE_LIMIT with a frame naming the
 * RFC 7508 rule. */
CACHET_INTERNAL int _cachet_sechdr_decode(const uint8_t *der, size_t len,
					  sechdr_t *out, cachet_diag_t *diag);
CACHET_INTERNAL void _cachet_sechdr_deinit(sechdr_t *s);
/* Deep copy (DST zeroed or deinit'ed). */
CACHET_INTERNAL int _cachet_sechdr_copy(sechdr_t *dst, const sechdr_t *src);
/* Same algorithm and the same fields, in order (RFC 7508 section 4.5.1:
 * "MUST be the same in each SignerInfos object"). */
CACHET_INTERNAL bool _cachet_sechdr_is_equal(const sechdr_t *a, const sechdr_t *b);

/* Judge S against the header fields H (RFC 7508 section 4.5.2 steps 3 to
 * 5 and 7).  One CACHET_FINDING line per protected field goes to FINDINGS
 * ("matches", "missing", "differs", or, for status deleted or modified,
 * "confidential ... not restored"), one per extra instance of a protected
 * name, and one warning per name in MANDATORY (NULL-terminated, may be
 * NULL: the policy's list) present in H but not protected (step 7, a
 * warning only).  *VERDICT is 0 when every duplicated field matches and no
 * extra instance was found, CACHET_E_ATTR_MISMATCH otherwise; a deleted or
 * modified field that is absent or different does not change it (RFC 7508
 * section 4.4: restoring it is the DCA's job).  Returns 0 or
 * CACHET_E_NOMEM / CACHET_E_INVALID_ARG. */
CACHET_INTERNAL int _cachet_sechdr_compare(const sechdr_t *s,
					   const cachet_mime_header_t *h,
					   const char *const *mandatory,
					   cbuf_t *findings, int *verdict);

/* The attributes added with cachet_sign_add_attribute() so far, and
 * dropping those after the first N: the S/MIME writer adds a
 * SecureHeaderFields attribute for one message and takes it away again,
 * so that the handle can sign the next one. */
CACHET_INTERNAL size_t _cachet_sign_attribute_count(const cachet_sign_t *s);
CACHET_INTERNAL void _cachet_sign_attribute_truncate(cachet_sign_t *s, size_t n);

/* Cachet's security policy (RFC 7508 section 4.5.1 leaves the list to
 * one): the fields a reader sees or replies by (RFC 5322 sections 3.6.2
 * to 3.6.5), NULL-terminated.  The writer protects these; the reader
 * warns when one of them is in the message but not protected (section
 * 4.5.2 step 7). */
CACHET_INTERNAL extern const char *const _cachet_sechdr_policy[];

/* "simple" or "relaxed"; "duplicated", "deleted" or "modified". */
CACHET_INTERNAL const char *_cachet_sechdr_canon_name(int canon);
CACHET_INTERNAL const char *_cachet_sechdr_status_name(int status);

#endif /* CACHET_SECHDR_H */
