## tests/validation.mk -- included by Makefile.am: certificate validation
## (RFC 8550 sections 3 and 4, RFC 5280 section 6, revocation from CRLs
## and OCSP responses given offline): the library module, its tests and
## the identities vectors/make-identities.sh generated.

src_lib_libcachet_la_SOURCES += src/lib/pki-validate.h src/lib/pki-validate.c

# validation.sh: every identity of vectors/identities signs a message and
# `cachet verify` gives the verdict its named check must; the RFC 9216
# chains (CACHET_VECTORS) validate.
TESTS += tests/validation.sh
EXTRA_DIST += tests/validation.sh vectors/make-identities.sh vectors/identities
