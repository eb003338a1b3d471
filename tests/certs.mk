## tests/certs.mk -- included by Makefile.am: certificates-only messages
## (RFC 8551 section 3.8): the library module, the `cachet certs` command,
## its man page and its tests.

# The module joins the library's sources (libcachet-internal.la takes
# the same list through $(src_lib_libcachet_la_SOURCES)).
src_lib_libcachet_la_SOURCES += src/lib/cms-certs.c
src_cachet_SOURCES += src/tool/cmd-certs.c

# API round trips, malformed input, truncation, limits (links the shared
# library as an application would).
check_PROGRAMS += tests/t-certs
tests_t_certs_SOURCES = tests/t-certs.c tests/tap.h
tests_t_certs_LDADD = src/lib/libcachet.la

# t-certs: the unit tests.  certs.sh: the command's exit statuses and
# outputs.  vectors-certs.sh: every third-party `certsonly` vector and a
# few signed ones (CACHET_VECTORS).  interop-certs.sh: openssl and
# certtool read Cachet's messages and Cachet reads theirs.  A missing
# tool or vectors directory is a failure.
CERTS_SH_TESTS = tests/certs.sh tests/vectors-certs.sh tests/interop-certs.sh
TESTS += tests/t-certs $(CERTS_SH_TESTS)
EXTRA_DIST += $(CERTS_SH_TESTS)

# The extraction parser's fuzz target, replayed over its corpus and
# reproducers by every `make check` (fuzz/local.mk builds the libFuzzer
# binary with --enable-fuzzing).
check_PROGRAMS += fuzz/replay-certs
TESTS += fuzz/replay-certs
fuzz_replay_certs_SOURCES = fuzz/replay.c fuzz/fuzz.h fuzz/cachet_certs_fuzzer.c
fuzz_replay_certs_CPPFLAGS = $(FUZZ_CPPFLAGS) -DFUZZ_NAME='"cachet_certs_fuzzer"'
fuzz_replay_certs_LDADD = $(TEST_LDADD)
EXTRA_DIST += fuzz/cachet_certs_fuzzer.in fuzz/cachet_certs_fuzzer.repro
