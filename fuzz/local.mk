## fuzz/local.mk -- included by Makefile.am
##
## One fuzz target per parser (STYLE 19).  `make check` replays each
## target's corpus (fuzz/NAME.in/) and crash reproducers (fuzz/NAME.repro/)
## through fuzz/replay.c, a plain main(), as a TAP test.  With
## --enable-fuzzing (and CC=clang) the libFuzzer binaries are built too,
## against a copy of the library instrumented for coverage and ASan/UBSan.
## fuzz/README.md says how to run them.

FUZZ_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/fuzz \
	-DFUZZ_SRCDIR='"$(abs_top_srcdir)"'

check_PROGRAMS += fuzz/replay-ber fuzz/replay-signed fuzz/replay-inspect \
	fuzz/replay-pem fuzz/replay-enveloped fuzz/replay-ri
TESTS += fuzz/replay-ber fuzz/replay-signed fuzz/replay-inspect \
	fuzz/replay-pem fuzz/replay-enveloped fuzz/replay-ri

fuzz_replay_ber_SOURCES = fuzz/replay.c fuzz/fuzz.h fuzz/cachet_ber_fuzzer.c
fuzz_replay_ber_CPPFLAGS = $(FUZZ_CPPFLAGS) -DFUZZ_NAME='"cachet_ber_fuzzer"'
fuzz_replay_ber_LDADD = $(TEST_LDADD)

fuzz_replay_signed_SOURCES = fuzz/replay.c fuzz/fuzz.h fuzz/test-pki.h \
	fuzz/cachet_signed_fuzzer.c
fuzz_replay_signed_CPPFLAGS = $(FUZZ_CPPFLAGS) -DFUZZ_NAME='"cachet_signed_fuzzer"'
fuzz_replay_signed_LDADD = $(TEST_LDADD)

fuzz_replay_inspect_SOURCES = fuzz/replay.c fuzz/fuzz.h fuzz/cachet_inspect_fuzzer.c
fuzz_replay_inspect_CPPFLAGS = $(FUZZ_CPPFLAGS) -DFUZZ_NAME='"cachet_inspect_fuzzer"'
fuzz_replay_inspect_LDADD = $(TEST_LDADD)

fuzz_replay_pem_SOURCES = fuzz/replay.c fuzz/fuzz.h fuzz/cachet_pem_fuzzer.c
fuzz_replay_pem_CPPFLAGS = $(FUZZ_CPPFLAGS) -DFUZZ_NAME='"cachet_pem_fuzzer"'
fuzz_replay_pem_LDADD = $(TEST_LDADD)

fuzz_replay_enveloped_SOURCES = fuzz/replay.c fuzz/fuzz.h fuzz/test-pki.h \
	fuzz/cachet_enveloped_fuzzer.c
fuzz_replay_enveloped_CPPFLAGS = $(FUZZ_CPPFLAGS) -DFUZZ_NAME='"cachet_enveloped_fuzzer"'
fuzz_replay_enveloped_LDADD = $(TEST_LDADD)

fuzz_replay_ri_SOURCES = fuzz/replay.c fuzz/fuzz.h fuzz/test-pki.h \
	fuzz/cachet_ri_fuzzer.c
fuzz_replay_ri_CPPFLAGS = $(FUZZ_CPPFLAGS) -DFUZZ_NAME='"cachet_ri_fuzzer"'
fuzz_replay_ri_LDADD = $(TEST_LDADD)

# CompressedData (RFC 3274): cachet_decompress_run() with a small bound.
check_PROGRAMS += fuzz/replay-compressed
TESTS += fuzz/replay-compressed
fuzz_replay_compressed_SOURCES = fuzz/replay.c fuzz/fuzz.h fuzz/cachet_compressed_fuzzer.c
fuzz_replay_compressed_CPPFLAGS = $(FUZZ_CPPFLAGS) -DFUZZ_NAME='"cachet_compressed_fuzzer"'
fuzz_replay_compressed_LDADD = $(TEST_LDADD)
EXTRA_DIST += fuzz/cachet_compressed_fuzzer.in fuzz/cachet_compressed_fuzzer.repro

# Directories are copied whole (with the .keep files of empty ones).
EXTRA_DIST += fuzz/README.md fuzz/make-corpus.sh \
	fuzz/cachet_ber_fuzzer.in fuzz/cachet_ber_fuzzer.repro \
	fuzz/cachet_signed_fuzzer.in fuzz/cachet_signed_fuzzer.repro \
	fuzz/cachet_inspect_fuzzer.in fuzz/cachet_inspect_fuzzer.repro \
	fuzz/cachet_pem_fuzzer.in fuzz/cachet_pem_fuzzer.repro \
	fuzz/cachet_enveloped_fuzzer.in fuzz/cachet_enveloped_fuzzer.repro \
	fuzz/cachet_ri_fuzzer.in fuzz/cachet_ri_fuzzer.repro

if ENABLE_FUZZING
FUZZ_SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer

# The library again, with coverage for libFuzzer to steer by.
noinst_LTLIBRARIES += fuzz/libcachet-fuzz.la
fuzz_libcachet_fuzz_la_SOURCES = $(src_lib_libcachet_la_SOURCES)
nodist_fuzz_libcachet_fuzz_la_SOURCES = $(ASN1_TABS)
fuzz_libcachet_fuzz_la_CPPFLAGS = $(src_lib_libcachet_la_CPPFLAGS)
fuzz_libcachet_fuzz_la_CFLAGS = $(src_lib_libcachet_internal_la_CFLAGS) \
	-fsanitize=fuzzer-no-link $(FUZZ_SANITIZE)
fuzz_libcachet_fuzz_la_LIBADD = $(src_lib_libcachet_la_LIBADD)

FUZZ_COMPILE = $(AM_CFLAGS) -fsanitize=fuzzer $(FUZZ_SANITIZE)
FUZZ_LINK = -fsanitize=fuzzer $(FUZZ_SANITIZE)
FUZZ_LIBS = fuzz/libcachet-fuzz.la

noinst_PROGRAMS = fuzz/cachet_ber_fuzzer fuzz/cachet_signed_fuzzer \
	fuzz/cachet_inspect_fuzzer fuzz/cachet_pem_fuzzer \
	fuzz/cachet_enveloped_fuzzer fuzz/cachet_ri_fuzzer \
	fuzz/cachet_certs_fuzzer

fuzz_cachet_ber_fuzzer_SOURCES = fuzz/cachet_ber_fuzzer.c fuzz/fuzz.h
fuzz_cachet_ber_fuzzer_CPPFLAGS = $(FUZZ_CPPFLAGS)
fuzz_cachet_ber_fuzzer_CFLAGS = $(FUZZ_COMPILE)
fuzz_cachet_ber_fuzzer_LDFLAGS = $(FUZZ_LINK)
fuzz_cachet_ber_fuzzer_LDADD = $(FUZZ_LIBS)

fuzz_cachet_signed_fuzzer_SOURCES = fuzz/cachet_signed_fuzzer.c fuzz/fuzz.h \
	fuzz/test-pki.h
fuzz_cachet_signed_fuzzer_CPPFLAGS = $(FUZZ_CPPFLAGS)
fuzz_cachet_signed_fuzzer_CFLAGS = $(FUZZ_COMPILE)
fuzz_cachet_signed_fuzzer_LDFLAGS = $(FUZZ_LINK)
fuzz_cachet_signed_fuzzer_LDADD = $(FUZZ_LIBS)

fuzz_cachet_inspect_fuzzer_SOURCES = fuzz/cachet_inspect_fuzzer.c fuzz/fuzz.h
fuzz_cachet_inspect_fuzzer_CPPFLAGS = $(FUZZ_CPPFLAGS)
fuzz_cachet_inspect_fuzzer_CFLAGS = $(FUZZ_COMPILE)
fuzz_cachet_inspect_fuzzer_LDFLAGS = $(FUZZ_LINK)
fuzz_cachet_inspect_fuzzer_LDADD = $(FUZZ_LIBS)

fuzz_cachet_pem_fuzzer_SOURCES = fuzz/cachet_pem_fuzzer.c fuzz/fuzz.h
fuzz_cachet_pem_fuzzer_CPPFLAGS = $(FUZZ_CPPFLAGS)
fuzz_cachet_pem_fuzzer_CFLAGS = $(FUZZ_COMPILE)
fuzz_cachet_pem_fuzzer_LDFLAGS = $(FUZZ_LINK)
fuzz_cachet_pem_fuzzer_LDADD = $(FUZZ_LIBS)

fuzz_cachet_enveloped_fuzzer_SOURCES = fuzz/cachet_enveloped_fuzzer.c fuzz/fuzz.h \
	fuzz/test-pki.h
fuzz_cachet_enveloped_fuzzer_CPPFLAGS = $(FUZZ_CPPFLAGS)
fuzz_cachet_enveloped_fuzzer_CFLAGS = $(FUZZ_COMPILE)
fuzz_cachet_enveloped_fuzzer_LDFLAGS = $(FUZZ_LINK)
fuzz_cachet_enveloped_fuzzer_LDADD = $(FUZZ_LIBS)

fuzz_cachet_ri_fuzzer_SOURCES = fuzz/cachet_ri_fuzzer.c fuzz/fuzz.h fuzz/test-pki.h
fuzz_cachet_ri_fuzzer_CPPFLAGS = $(FUZZ_CPPFLAGS)
fuzz_cachet_ri_fuzzer_CFLAGS = $(FUZZ_COMPILE)
fuzz_cachet_ri_fuzzer_LDFLAGS = $(FUZZ_LINK)
fuzz_cachet_ri_fuzzer_LDADD = $(FUZZ_LIBS)

noinst_PROGRAMS += fuzz/cachet_compressed_fuzzer
fuzz_cachet_compressed_fuzzer_SOURCES = fuzz/cachet_compressed_fuzzer.c fuzz/fuzz.h
fuzz_cachet_compressed_fuzzer_CPPFLAGS = $(FUZZ_CPPFLAGS)
fuzz_cachet_compressed_fuzzer_CFLAGS = $(FUZZ_COMPILE)
fuzz_cachet_compressed_fuzzer_LDFLAGS = $(FUZZ_LINK)
fuzz_cachet_compressed_fuzzer_LDADD = $(FUZZ_LIBS)

fuzz_cachet_certs_fuzzer_SOURCES = fuzz/cachet_certs_fuzzer.c fuzz/fuzz.h
fuzz_cachet_certs_fuzzer_CPPFLAGS = $(FUZZ_CPPFLAGS)
fuzz_cachet_certs_fuzzer_CFLAGS = $(FUZZ_COMPILE)
fuzz_cachet_certs_fuzzer_LDFLAGS = $(FUZZ_LINK)
fuzz_cachet_certs_fuzzer_LDADD = $(FUZZ_LIBS)
endif

# ---- the MIME layer (src/lib/mime.h): header block, MIME fields,
# recursive multipart split, transfer decoding and encoding.
check_PROGRAMS += fuzz/replay-mime
TESTS += fuzz/replay-mime
fuzz_replay_mime_SOURCES = fuzz/replay.c fuzz/fuzz.h fuzz/cachet_mime_fuzzer.c
fuzz_replay_mime_CPPFLAGS = $(FUZZ_CPPFLAGS) -DFUZZ_NAME='"cachet_mime_fuzzer"'
fuzz_replay_mime_LDADD = $(TEST_LDADD)
EXTRA_DIST += fuzz/cachet_mime_fuzzer.in fuzz/cachet_mime_fuzzer.repro
if ENABLE_FUZZING
noinst_PROGRAMS += fuzz/cachet_mime_fuzzer
fuzz_cachet_mime_fuzzer_SOURCES = fuzz/cachet_mime_fuzzer.c fuzz/fuzz.h
fuzz_cachet_mime_fuzzer_CPPFLAGS = $(FUZZ_CPPFLAGS)
fuzz_cachet_mime_fuzzer_CFLAGS = $(FUZZ_COMPILE)
fuzz_cachet_mime_fuzzer_LDFLAGS = $(FUZZ_LINK)
fuzz_cachet_mime_fuzzer_LDADD = $(FUZZ_LIBS)
endif

# ---- the S/MIME reader (src/lib/smime-read.c): cachet_smime_open with
# the test PKI's keys and trust.
check_PROGRAMS += fuzz/replay-smime
TESTS += fuzz/replay-smime
fuzz_replay_smime_SOURCES = fuzz/replay.c fuzz/fuzz.h fuzz/test-pki.h fuzz/cachet_smime_fuzzer.c
fuzz_replay_smime_CPPFLAGS = $(FUZZ_CPPFLAGS) -DFUZZ_NAME='"cachet_smime_fuzzer"'
fuzz_replay_smime_LDADD = $(TEST_LDADD)
EXTRA_DIST += fuzz/cachet_smime_fuzzer.in fuzz/cachet_smime_fuzzer.repro
if ENABLE_FUZZING
noinst_PROGRAMS += fuzz/cachet_smime_fuzzer
fuzz_cachet_smime_fuzzer_SOURCES = fuzz/cachet_smime_fuzzer.c fuzz/fuzz.h fuzz/test-pki.h
fuzz_cachet_smime_fuzzer_CPPFLAGS = $(FUZZ_CPPFLAGS)
fuzz_cachet_smime_fuzzer_CFLAGS = $(FUZZ_COMPILE)
fuzz_cachet_smime_fuzzer_LDFLAGS = $(FUZZ_LINK)
fuzz_cachet_smime_fuzzer_LDADD = $(FUZZ_LIBS)
endif

# ---- Secure Headers (src/lib/sechdr.c): the RFC 7508 SecureHeaderFields
# attribute value, decoded, re-encoded and compared with a header block.
check_PROGRAMS += fuzz/replay-sechdr
TESTS += fuzz/replay-sechdr
fuzz_replay_sechdr_SOURCES = fuzz/replay.c fuzz/fuzz.h fuzz/cachet_sechdr_fuzzer.c
fuzz_replay_sechdr_CPPFLAGS = $(FUZZ_CPPFLAGS) -DFUZZ_NAME='"cachet_sechdr_fuzzer"'
fuzz_replay_sechdr_LDADD = $(TEST_LDADD)
EXTRA_DIST += fuzz/cachet_sechdr_fuzzer.in fuzz/cachet_sechdr_fuzzer.repro
if ENABLE_FUZZING
noinst_PROGRAMS += fuzz/cachet_sechdr_fuzzer
fuzz_cachet_sechdr_fuzzer_SOURCES = fuzz/cachet_sechdr_fuzzer.c fuzz/fuzz.h
fuzz_cachet_sechdr_fuzzer_CPPFLAGS = $(FUZZ_CPPFLAGS)
fuzz_cachet_sechdr_fuzzer_CFLAGS = $(FUZZ_COMPILE)
fuzz_cachet_sechdr_fuzzer_LDFLAGS = $(FUZZ_LINK)
fuzz_cachet_sechdr_fuzzer_LDADD = $(FUZZ_LIBS)
endif
