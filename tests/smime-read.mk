## tests/smime-read.mk -- included by Makefile.am: the S/MIME reader
## (src/lib/smime-read.c, cachet verify/decrypt --format smime).
# tests/t-smime-read: multipart/signed and pkcs7-mime messages made around
# Cachet's own signatures, damaged on purpose; nested layers, the depth
# limit, truncation.
check_PROGRAMS += tests/t-smime-read
tests_t_smime_read_SOURCES = tests/t-smime-read.c tests/tap.h
tests_t_smime_read_CPPFLAGS = $(TEST_CPPFLAGS)
tests_t_smime_read_LDADD = $(TEST_LDADD)
TESTS += tests/t-smime-read
# Every third-party S/MIME message against tests/vectors-smime.tsv.
TESTS += tests/vectors-smime.sh
# Messages made by openssl smime/cms and gpgsm, opened by cachet.
TESTS += tests/interop-smime-read.sh
EXTRA_DIST += tests/vectors-smime.sh tests/vectors-smime.tsv \
	tests/vectors-smime-exceptions.md tests/interop-smime-read.sh

# The fuzz target (fuzz/cachet_smime_fuzzer.c) is built and replayed from
# fuzz/local.mk, after the fuzzing variables it needs.

# Header protection (RFC 9788 hp="clear"/"cipher", the protected-headers
# draft, message/rfc822 wrapping): producing with sign/encrypt
# --protect-headers, reading it back, outer fields changed in transit,
# openssl reading what was protected.
TESTS += tests/smime-hp.sh
EXTRA_DIST += tests/smime-hp.sh
