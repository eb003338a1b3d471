/* spill.h -- content held in memory up to a bound and in an unlinked
 * temporary file beyond it (spill.c).
 *
 * Write everything first (_cachet_spill_write, or the sink of
 * _cachet_spill_sink), then read it back as often as needed: each
 * _cachet_spill_source is an independent reader from the start.  The
 * spill lives until _cachet_spill_free and the last of its sources are
 * gone, whichever comes later. */
#ifndef CACHET_SPILL_H
#define CACHET_SPILL_H

#include "internal.h"

/* Held in memory by default before a file is used. */
#define CACHET_SPILL_MEM (1u << 20)

typedef struct spill_st spill_t;

CACHET_INTERNAL int _cachet_spill_init(spill_t **sp, size_t mem_max);
CACHET_INTERNAL int _cachet_spill_write(spill_t *sp, const uint8_t *p,
					size_t n);
/* A sink that appends to SP (free it with cachet_sink_deinit). */
CACHET_INTERNAL int _cachet_spill_sink(spill_t *sp, cachet_sink_t **snk);
/* A new source that reads SP from its first octet. */
CACHET_INTERNAL int _cachet_spill_source(spill_t *sp, cachet_source_t **src);
CACHET_INTERNAL uint64_t _cachet_spill_size(const spill_t *sp);
/* Wipes the memory part; the file goes with its last reader. */
CACHET_INTERNAL void _cachet_spill_free(spill_t *sp);

#endif
