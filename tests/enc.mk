## tests/enc.mk -- included by Makefile.am: encryption tests against
## third-party vectors and peers.
# vectors-enveloped.sh: every third-party EnvelopedData, AuthEnvelopedData
# and EncryptedData vector (CACHET_VECTORS) gets the result its table
# records.  The others are TAP shell scripts on cli-lib.sh; they need
# python3 and openssl, interop-nss.sh also certutil, pk12util and cmsutil
# (libnss3-tools).  A missing tool or vectors directory is a failure.
ENC_TESTS = tests/vectors-enveloped.sh tests/interop-openssl-enc.sh \
	tests/interop-nss.sh tests/enc-negative.sh tests/enc-fresh.sh
TESTS += $(ENC_TESTS)
EXTRA_DIST += tests/vectors-lib.sh $(ENC_TESTS) tests/vectors-enveloped.tsv tests/envutil.py
