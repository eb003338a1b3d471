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

#endif /* CACHET_SMIME_READ_H */
