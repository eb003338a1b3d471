/* ri-int.h -- shared by ri.c and the RecipientInfo kinds (ri-ktri.c,
 * ri-kari.c, ri-kekri.c, ri-pwri.c); nobody else includes it.
 *
 * ri.c decodes the RecipientInfo CHOICE once (libtasn1, through
 * tasn1.h) and hands the kind module an ri_t: the tree, the DER it came
 * from (for raw ranges, e.g. the KeyWrapAlgorithm that enters the
 * ECC-CMS-SharedInfo), the message path for frames and the name of the
 * CHOICE alternative, which prefixes every node name.
 */
#ifndef CACHET_RI_INT_H
#define CACHET_RI_INT_H

#include "ri.h"
#include "tasn1.h"

#define RULE_RI "RFC 5652 section 6.2"
#define RULE_KTRI "RFC 5652 section 6.2.1"
#define RULE_KARI "RFC 5652 section 6.2.2"
#define RULE_KEKRI "RFC 5652 section 6.2.3"
#define RULE_PWRI "RFC 5652 section 6.2.4"
#define RULE_ORI "RFC 5652 section 6.2.5"

/* One decoded RecipientInfo. */
typedef struct {
	asn1_node node;	  /* CachetCMS.RecipientInfo */
	const uint8_t *der;
	size_t len;
	const char *path; /* "EnvelopedData.recipientInfos[0]" or "RecipientInfo" */
	const char *alt;  /* "ktri", "kari", "kekri", "pwri", "ori" */
} ri_t;

/* "<alt>.<name>" (the node name inside the RecipientInfo tree). */
CACHET_INTERNAL const char *_cachet_ri_node(const ri_t *ri, const char *name,
					    char *buf, size_t n);
/* "<path>.<alt>.<name>" (the message path for a frame). */
CACHET_INTERNAL const char *_cachet_ri_where(const ri_t *ri, const char *name,
					     char *buf, size_t n);

/* The DER of element NAME of NODE (decoded from DER/LEN): *P points into
 * DER.  CACHET_E_END when the element is absent. */
CACHET_INTERNAL int _cachet_ri_raw(asn1_node node, const uint8_t *der,
				   size_t len, const char *name,
				   const uint8_t **p, size_t *n);

/* A mandatory element could not be read: CACHET_E_MALFORMED with a frame
 * (libtasn1 leaves mandatory components out of an empty SEQUENCE, so
 * "absent" is malformed here). */
CACHET_INTERNAL int _cachet_ri_missing(const ri_t *ri, const char *name,
				       const char *rule, cachet_diag_t *diag);

/* Read the version and check it against WANT (RULE says where the MUST
 * is).  CACHET_E_BAD_VERSION with a frame when it differs. */
CACHET_INTERNAL int _cachet_ri_version(const ri_t *ri, unsigned long want,
				       const char *rule, unsigned *got,
				       cachet_diag_t *diag);

/* An AlgorithmIdentifier as read from a tree. */
typedef struct {
	char oid[128];		   /* dotted */
	const cachet_alg_t *alg;   /* registry row, NULL when unknown */
	const uint8_t *raw;	   /* the whole AlgorithmIdentifier TLV */
	size_t rawlen;
	const uint8_t *params;	   /* the parameters TLV, NULL when absent */
	size_t plen;
} ri_alg_t;

/* Read AlgorithmIdentifier NAME of NODE (decoded from DER/LEN).
 * CACHET_E_END when absent, CACHET_E_MALFORMED when unreadable (no
 * frame: the caller knows where it is). */
CACHET_INTERNAL int _cachet_ri_alg(asn1_node node, const uint8_t *der,
				   size_t len, const char *name, ri_alg_t *a);
/* The parameters are absent, or NULL. */
CACHET_INTERNAL bool _cachet_ri_params_is_absent_or_null(const ri_alg_t *a);
/* The registry's name, or the dotted OID when unknown. */
CACHET_INTERNAL const char *_cachet_ri_alg_name(const ri_alg_t *a);

/* A recipient identifier: issuerAndSerialNumber or subjectKeyIdentifier
 * (ktri's rid, kari's rid with rKeyId.subjectKeyIdentifier). */
typedef struct {
	bool is_skid;
	const uint8_t *issuer; /* Name TLV, into the RecipientInfo DER */
	size_t ilen;
	cbuf_t serial;	       /* INTEGER content octets */
	cbuf_t skid;	       /* SubjectKeyIdentifier octets */
} ri_rid_t;

/* Read the rid at NAME (the CHOICE node) of RI.  SKID_ALT is the
 * alternative that carries a key identifier ("subjectKeyIdentifier" for
 * ktri, "rKeyId" for kari, whose key identifier is one level down).
 * Structural errors get a frame. */
CACHET_INTERNAL int _cachet_ri_rid_read(const ri_t *ri, const char *name,
					const char *skid_alt, ri_rid_t *rid,
					const char *rule, cachet_diag_t *diag);
CACHET_INTERNAL void _cachet_ri_rid_free(ri_rid_t *rid);
/* True when RID names certificate CRT (issuer DER and serial number, or
 * the subjectKeyIdentifier extension). */
CACHET_INTERNAL bool _cachet_ri_rid_matches(const ri_rid_t *rid,
					    gnutls_x509_crt_t crt);
/* "issuer=CN=Bob,O=Example,serial=1002" or "skid=0a1b..." */
CACHET_INTERNAL void _cachet_ri_rid_text(const ri_rid_t *rid, char *buf,
					 size_t n);

/* Append TEXT to the NUL-terminated BUF (N octets), separated by "; "
 * from what is there; past the end, the text is cut and "..." ends the
 * buffer for good. */
CACHET_INTERNAL void _cachet_ri_append(char *buf, size_t n, const char *text);
/* Lower-case hex of P/LEN into BUF, cut with "..." when it does not fit. */
CACHET_INTERNAL void _cachet_ri_hex(const uint8_t *p, size_t len, char *buf,
				    size_t n);

/* The uniform unwrap failure (ri.h, RFC 3218): CACHET_E_DECRYPT_FAILED,
 * and a frame naming STEP only when KEYS->debug. */
CACHET_INTERNAL int _cachet_ri_unwrap_failed(const ri_t *ri,
					     const cachet_ri_keys_t *keys,
					     const char *step,
					     cachet_diag_t *diag);

/* The kinds.  describe fills INFO as far as it gets, also when it fails;
 * open follows the return rules of _cachet_ri_open (the dispatcher
 * wipes CEK on failure). */
CACHET_INTERNAL int _cachet_ri_ktri_describe(const ri_t *ri,
					     cachet_ri_info_t *info,
					     cachet_diag_t *diag);
CACHET_INTERNAL int _cachet_ri_ktri_open(const ri_t *ri,
					 const cachet_ri_keys_t *keys,
					 size_t ceklen, uint8_t *cek,
					 uint8_t *valid,
					 cachet_diag_t *diag);
CACHET_INTERNAL int _cachet_ri_kari_describe(const ri_t *ri,
					     cachet_ri_info_t *info,
					     cachet_diag_t *diag);
CACHET_INTERNAL int _cachet_ri_kari_open(const ri_t *ri,
					 const cachet_ri_keys_t *keys,
					 size_t ceklen, uint8_t *cek,
					 cachet_diag_t *diag);
CACHET_INTERNAL int _cachet_ri_kekri_describe(const ri_t *ri,
					      cachet_ri_info_t *info,
					      cachet_diag_t *diag);
CACHET_INTERNAL int _cachet_ri_kekri_open(const ri_t *ri,
					  const cachet_ri_keys_t *keys,
					  size_t ceklen, uint8_t *cek,
					  cachet_diag_t *diag);
CACHET_INTERNAL int _cachet_ri_pwri_describe(const ri_t *ri,
					     cachet_ri_info_t *info,
					     cachet_diag_t *diag);
CACHET_INTERNAL int _cachet_ri_pwri_open(const ri_t *ri,
					 const cachet_ri_keys_t *keys,
					 size_t ceklen, uint8_t *cek,
					 cachet_diag_t *diag);

/* Constant time.  The key format check of RFC 3211 section 2.3.2 on the
 * decrypted key block BLK (N octets, N >= 7): the count octet equals
 * CEKLEN (1a) and the check value is the complement of the first three
 * key octets (1b).  All ones when both hold, else 0, with no branch or
 * memory access that depends on BLK.  The caller has checked, by
 * addition, that 4 + CEKLEN <= N (public lengths).  Exposed for
 * tests/ct/ct-pwri. */
CACHET_INTERNAL uint32_t _cachet_pwri_check(const uint8_t *blk, size_t n,
					    size_t ceklen);

#endif /* CACHET_RI_INT_H */
