## tests/compress.mk -- included by Makefile.am: CompressedData (RFC 3274)
# t-compress: API round trips, every truncation point, corrupt zlib
# streams, the structure rules and the size bound.  compress.sh: the
# third-party vectors of kind `compressed` (CACHET_VECTORS), interop with
# openssl cms, the CLI's failure behaviour and a 64 MiB round trip in
# flat memory (needs python3, openssl and GNU time).
check_PROGRAMS += tests/t-compress
tests_t_compress_SOURCES = tests/t-compress.c tests/tap.h
tests_t_compress_CPPFLAGS = $(TEST_CPPFLAGS) $(ZLIB_CFLAGS)
tests_t_compress_LDADD = $(TEST_LDADD) $(ZLIB_LIBS)
TESTS += tests/t-compress tests/compress.sh
EXTRA_DIST += tests/compress.sh tests/vectors-compressed.tsv
