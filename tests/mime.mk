## tests/mime.mk -- included by Makefile.am: the MIME layer's tests.
# tests/t-mime: header blocks, MIME fields, transfer codecs, the multipart
# splitter, the detectors, and a walk over every third-party message of
# format "smime" in $CACHET_VECTORS/manifest.tsv (a missing vectors
# directory is a failure, as in tests/vectors.sh).
check_PROGRAMS += tests/t-mime
tests_t_mime_SOURCES = tests/t-mime.c tests/tap.h
tests_t_mime_CPPFLAGS = $(TEST_CPPFLAGS)
tests_t_mime_LDADD = $(TEST_LDADD)
TESTS += tests/t-mime
