/* lint-int.h -- what cachet lint (lint.c) reads out of the S/MIME reader
 * (smime-read.c) and the decryptor (cms-env.c).  Internal: none of it is
 * exported. */
#ifndef CACHET_LINT_INT_H
#define CACHET_LINT_INT_H

#include "internal.h"

/* The kind of the last CMS object cachet_decrypt_run read. */
typedef enum {
	LINT_ENC_NONE = 0,
	LINT_ENC_ENVELOPED,
	LINT_ENC_AUTHENVELOPED,
	LINT_ENC_ENCRYPTED,
} lint_enc_kind_t;

/* The content-encryption algorithm (dotted OID, "" when the run did not
 * reach it) and the content type of D's last run, whether or not the
 * run succeeded. */
CACHET_INTERNAL const char *_cachet_decrypt_cipher_oid(const cachet_decrypt_t *d,
						       lint_enc_kind_t *kind);

/* One S/MIME layer as the reader saw it.  Strings may be NULL; all are
 * borrowed from the cachet_smime_t and valid until its next run. */
typedef struct {
	const char *ctype;	/* "type/subtype" */
	const char *kind;	/* "multipart/signed", "signed-data", ... */
	const char *micalg;	/* multipart/signed */
	const char *smime_type; /* application/pkcs7-mime */
	const char *name;	/* name= or filename= */
	const char *cms_type;	/* the CMS content type's name */
	int micalg_match;	/* -1 not applicable, 0 mismatch, 1 match */
	int result;		/* 0 or the layer's CACHET_E_* */
	bool is_done;		/* the CMS object was judged */
	const cachet_report_t *rep; /* signed layers, when kept */
	const char *cipher_oid;	    /* encrypted layers: "" when unknown */
	lint_enc_kind_t enc_kind;
	uint64_t signed_8bit;	    /* multipart/signed: octets > 127 or NUL in the signed part */
	const char *sig_name;	    /* multipart/signed: the signature part's name= or filename= */
	bool has_sig_part;	    /* multipart/signed: the signature part's header was read */
	bool has_content_scan;	    /* signed-data: the two below are set */
	uint64_t content_8bit;	    /* signed-data: octets > 127 or NUL in the encapsulated entity */
	const char *content_cte;    /* signed-data: its Content-Transfer-Encoding, NULL: none */
	bool is_bare;		    /* a CMS object read without MIME (_cachet_smime_set_bare) */
} smime_layer_info_t;

/* Keep each signed layer's verify report and each encrypted layer's
 * algorithm for _cachet_smime_layer_info (off by default). */
CACHET_INTERNAL void _cachet_smime_keep_details(cachet_smime_t *sm, bool keep);
/* Read the next input as a bare CMS ContentInfo (BER, no MIME header):
 * its first layer is judged by the CMS content type alone, and the
 * diagnostics call it "CMS input", not a media type it never had. */
CACHET_INTERNAL void _cachet_smime_set_bare(cachet_smime_t *sm, bool bare);
CACHET_INTERNAL size_t _cachet_smime_layer_count(const cachet_smime_t *sm);
/* CACHET_E_END past the last layer. */
CACHET_INTERNAL int _cachet_smime_layer_info(const cachet_smime_t *sm, size_t i,
					     smime_layer_info_t *info);

#endif /* CACHET_LINT_INT_H */
