## tests/cli.mk -- included by Makefile.am
## Shell tests of the cachet command-line tool (TAP, run by SH_LOG_DRIVER).
## They need python3, openssl, certtool (gnutls-bin) and GNU time (time).
CLI_TESTS = tests/cli.sh tests/negative.sh tests/interop-openssl.sh \
	tests/interop-gnutls.sh tests/stream.sh tests/smime-cli.sh tests/cms-algs.sh \
	tests/ess.sh
TESTS += $(CLI_TESTS)
EXTRA_DIST += $(CLI_TESTS) tests/cli-lib.sh tests/derutil.py
