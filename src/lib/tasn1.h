/* tasn1.h -- the one module around libtasn1 (STYLE 7).
 *
 * Definitions trees are built once per process from the tables asn1Parser
 * compiled from the asn1 modules.  Type names are "Module.Type", e.g.
 * "CachetCMS.SignerInfo".  Every call passes libtasn1's error description
 * buffer and copies it into the diagnostic. */
#ifndef CACHET_TASN1_H
#define CACHET_TASN1_H

#include "internal.h"

#include <libtasn1.h>

/* Build a node of TYPE ("Module.Type"). */
CACHET_INTERNAL int _cachet_asn1_create(const char *type, asn1_node *node);
/* Decode DER (STRICT: DER is mandated, no trailing bytes either way) into a
 * new node of TYPE.  PATH and RULE go into the diagnostic on failure. */
CACHET_INTERNAL int _cachet_asn1_decode(const char *type, const uint8_t *der,
					size_t len, bool strict, asn1_node *node,
					const char *path, const char *rule,
					cachet_diag_t *diag);
/* Delete a node (ZEROIZE when it held secrets). */
CACHET_INTERNAL void _cachet_asn1_delete(asn1_node *node, bool secret);
/* Read NAME's value into OUT (appended).  CACHET_E_END when the element
 * is absent (OPTIONAL not present). */
CACHET_INTERNAL int _cachet_asn1_read(asn1_node node, const char *name,
				      cbuf_t *out);
/* Read an OBJECT IDENTIFIER in dotted form; BUF >= 128. */
CACHET_INTERNAL int _cachet_asn1_read_oid(asn1_node node, const char *name,
					  char *buf, size_t n);
/* Read a small non-negative INTEGER. */
CACHET_INTERNAL int _cachet_asn1_read_uint(asn1_node node, const char *name,
					   unsigned long *v);
/* Byte range [*start, *end] of element NAME inside the DER it was decoded
 * from (asn1_der_decoding_startEnd); *end is inclusive. */
CACHET_INTERNAL int _cachet_asn1_range(asn1_node node, const uint8_t *der,
				       size_t len, const char *name,
				       size_t *start, size_t *end);
/* Encode NAME (or the whole node with "") as DER into OUT (appended). */
CACHET_INTERNAL int _cachet_asn1_encode(asn1_node node, const char *name,
					cbuf_t *out);
/* Number of elements of a SET OF / SEQUENCE OF. */
CACHET_INTERNAL int _cachet_asn1_count(asn1_node node, const char *name,
				       unsigned *n);
/* True when OPTIONAL element NAME is present. */
CACHET_INTERNAL bool _cachet_asn1_present(asn1_node node, const char *name);

/* Build "prefix.?N.suffix" style node paths with one checked helper
 * (N is 1-based as libtasn1 wants).  Returns BUF. */
CACHET_INTERNAL const char *_cachet_asn1_path(char *buf, size_t n,
					      const char *prefix, unsigned idx,
					      const char *suffix);

#endif /* CACHET_TASN1_H */
