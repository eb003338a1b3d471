## tests/smime-write.mk -- included by Makefile.am: producing S/MIME
## messages (src/lib/smime-write.c).
# t-smime-write: the structure of what cachet_smime_sign, _encrypt and
# _compress write (boundary, protocol, micalg per digest, the first part
# exactly the canonical entity, CRLF, transfer encodings, outer and inner
# header fields, headerless input, body sizes, the signature part's
# SignedData).  interop-smime-write.sh: the messages against openssl
# smime/cms and gpgsm, and a 64 MiB sign in flat memory (needs openssl,
# gpgsm, gpg-agent, gpgconf, python3 and GNU time; a missing one is a
# failure).
check_PROGRAMS += tests/t-smime-write
tests_t_smime_write_SOURCES = tests/t-smime-write.c tests/tap.h
tests_t_smime_write_CPPFLAGS = $(TEST_CPPFLAGS)
tests_t_smime_write_LDADD = $(TEST_LDADD)
TESTS += tests/t-smime-write tests/interop-smime-write.sh
EXTRA_DIST += tests/interop-smime-write.sh
