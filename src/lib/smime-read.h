/* smime-read.h -- internal limits of the S/MIME reader (smime-read.c).
 *
 * The public interface is the cachet_smime_* block of cachet.h; this
 * header only names what the unit tests need to reach. */
#ifndef CACHET_SMIME_READ_H
#define CACHET_SMIME_READ_H

#include "internal.h"

/* S/MIME layers unwrapped in one message (doc/design.md decision 18): a
 * triple-wrapped message has three, so eight leaves room for the odd
 * compressed or doubly signed layer while bounding the work an attacker
 * can ask for.  Hitting it is CACHET_E_DEPTH_LIMIT. */
#define CACHET_MAX_LAYERS 8

/* What the last cachet_smime_open kept of its layers, outside in, for the
 * certificate directory's import: a signed layer's verify report (its
 * certificates and signers), a certs-only layer's certificates; NULL for
 * other layers.  Owned by SM until its next run or deinit. */
CACHET_INTERNAL size_t _cachet_smime_layer_count(const cachet_smime_t *sm);
CACHET_INTERNAL const cachet_report_t *_cachet_smime_layer_report(const cachet_smime_t *sm, size_t i);
CACHET_INTERNAL const cachet_certs_t *_cachet_smime_layer_certs(const cachet_smime_t *sm, size_t i);

#endif /* CACHET_SMIME_READ_H */
