## tests/certdir.mk -- included by Makefile.am: recipient certificates
## and the certificate directory (RFC 8550 sections 3, 4.4.2, 4.4.4; RFC
## 8551 sections 2.5.3, 3.8): `cachet encrypt --to ADDRESS`,
## `cachet certs --import`, and their tests.

# The module joins the library's sources (libcachet-internal.la takes
# the same list through $(src_lib_libcachet_la_SOURCES)).
src_lib_libcachet_la_SOURCES += src/lib/certdir.c

# certdir.sh: import (signed, certs-only, failing), idempotence, lookup
# by address with its preferences, the checks at encryption time, the
# HOME default.  Needs the test PKI and openssl; a missing one fails.
TESTS += tests/certdir.sh
EXTRA_DIST += tests/certdir.sh

# A helper (not a test) that signs with an SMIMEEncryptionKeyPreference
# attribute, which `cachet sign` does not write.
check_PROGRAMS += tests/keypref-sign
tests_keypref_sign_SOURCES = tests/keypref-sign.c
tests_keypref_sign_CFLAGS = $(AM_CFLAGS) $(GNUTLS_CFLAGS)
tests_keypref_sign_LDADD = src/lib/libcachet.la $(GNUTLS_LIBS)

# The API: argument checks, damaged input, idempotent adds, the codes of
# the recipient checks (links the shared library as an application would).
check_PROGRAMS += tests/t-certdir
tests_t_certdir_SOURCES = tests/t-certdir.c tests/tap.h
tests_t_certdir_LDADD = src/lib/libcachet.la
TESTS += tests/t-certdir
