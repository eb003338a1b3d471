/* fuzz.h -- what every fuzz target and the replay driver share.
 *
 * Each cachet_<parser>_fuzzer.c defines LLVMFuzzerTestOneInput.  It is
 * linked either with libFuzzer (--enable-fuzzing) or with replay.c, the
 * plain main() that `make check` uses to run the corpora and reproducers.
 * A target must free everything it allocates on every path: a leak
 * reported by LeakSanitizer is a bug like any crash.
 */
#ifndef CACHET_FUZZ_H
#define CACHET_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* CACHET_FUZZ_H */
