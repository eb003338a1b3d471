## tests/gpgsm.mk -- included by Makefile.am
## Interoperability with GnuPG's gpgsm (package gpgsm): SignedData and
## EnvelopedData both ways, at the CMS level.  A TAP shell script on
## cli-lib.sh; it needs gpgsm, gpg-agent, gpgconf, openssl and python3,
## and a missing one is a failure.  gpgsm runs in a throwaway GNUPGHOME
## under the test's temporary directory, so the build and source trees
## stay untouched (make distcheck).
GPGSM_TESTS = tests/interop-gpgsm.sh
TESTS += $(GPGSM_TESTS)
EXTRA_DIST += $(GPGSM_TESTS) tests/gpgsm-lib.sh
