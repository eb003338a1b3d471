## src/lib/enc.mk -- included by Makefile.am: encryption primitives and their tests

# The primitives join the library's sources; libcachet-internal.la takes
# the same list through $(src_lib_libcachet_la_SOURCES), so they are
# compiled once for each library and never listed twice.
src_lib_libcachet_la_SOURCES += \
	src/lib/crypto-enc.h \
	src/lib/crypto-cipher.c \
	src/lib/crypto-kw.c \
	src/lib/crypto-rsaenc.c \
	src/lib/crypto-kdf.c

# Known answers, interop with openssl, streaming splits, tampering.
check_PROGRAMS += tests/t-cipher
tests_t_cipher_SOURCES = tests/t-cipher.c tests/tap.h
tests_t_cipher_CPPFLAGS = $(TEST_CPPFLAGS)
tests_t_cipher_LDADD = $(TEST_LDADD)

# Constant-time tests (STYLE 15): each program marks its secrets
# undefined for valgrind's memcheck; tests/ct/run.sh runs them under
# valgrind (or natively, functional checks only, with CACHET_UNDER_ASAN).
CT_PROGS = tests/ct/ct-pkcs1 tests/ct/ct-oaep tests/ct/ct-kw \
	tests/ct/ct-tag tests/ct/ct-cbcpad
check_PROGRAMS += $(CT_PROGS)
tests_ct_ct_pkcs1_SOURCES = tests/ct/ct-pkcs1.c tests/ct/ct.h
tests_ct_ct_pkcs1_CPPFLAGS = $(TEST_CPPFLAGS)
tests_ct_ct_pkcs1_LDADD = $(TEST_LDADD)
tests_ct_ct_oaep_SOURCES = tests/ct/ct-oaep.c tests/ct/ct.h
tests_ct_ct_oaep_CPPFLAGS = $(TEST_CPPFLAGS)
tests_ct_ct_oaep_LDADD = $(TEST_LDADD)
tests_ct_ct_kw_SOURCES = tests/ct/ct-kw.c tests/ct/ct.h
tests_ct_ct_kw_CPPFLAGS = $(TEST_CPPFLAGS)
tests_ct_ct_kw_LDADD = $(TEST_LDADD)
tests_ct_ct_tag_SOURCES = tests/ct/ct-tag.c tests/ct/ct.h
tests_ct_ct_tag_CPPFLAGS = $(TEST_CPPFLAGS)
tests_ct_ct_tag_LDADD = $(TEST_LDADD)
tests_ct_ct_cbcpad_SOURCES = tests/ct/ct-cbcpad.c tests/ct/ct.h
tests_ct_ct_cbcpad_CPPFLAGS = $(TEST_CPPFLAGS)
tests_ct_ct_cbcpad_LDADD = $(TEST_LDADD)

TESTS += tests/t-cipher tests/ct/run.sh
EXTRA_DIST += tests/ct/run.sh tests/ct/README
