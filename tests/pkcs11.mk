## tests/pkcs11.mk -- included by Makefile.am
## Keys for sign, decrypt and verify: passwords (--pass-file, the prompt),
## PKCS#12 bundles (tests/keys.sh, with the RFC 9216 and Autocrypt
## vectors) and PKCS#11 tokens (tests/pkcs11.sh, a SoftHSM2 token made in
## a temporary directory; SOFTHSM2_MODULE names the module).  They need
## python3, openssl, softhsm2 and gnutls-bin (p11tool, certtool); a
## missing one is a failure.
KEYS_TESTS = tests/keys.sh tests/pkcs11.sh
TESTS += $(KEYS_TESTS)
EXTRA_DIST += $(KEYS_TESTS)

# The key-loading API (PKCS#12, password codes, damaged bundles).
check_PROGRAMS += tests/t-keys
tests_t_keys_SOURCES = tests/t-keys.c tests/tap.h
tests_t_keys_LDADD = src/lib/libcachet.la
TESTS += tests/t-keys
