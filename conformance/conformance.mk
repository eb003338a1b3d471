## conformance/conformance.mk -- included (last) by Makefile.am: the
## requirement registry (conformance/*.req, format in conformance/README.md),
## its check in `make check`, and `make conformance` writing the report.

CONFORMANCE_REGISTRY = conformance/rfc8551.req conformance/rfc8550.req \
	conformance/rfc5652.req conformance/rfc3274.req conformance/rfc5083.req \
	conformance/rfc5084.req conformance/rfc7508.req conformance/rfc3560.req \
	conformance/rfc4056.req conformance/rfc8419.req conformance/rfc8103.req \
	conformance/rfc3211.req conformance/rfc5753.req conformance/rfc8418.req \
	conformance/rfc5035.req
CONFORMANCE_TOOLS = conformance/check.py conformance/keywords.py \
	conformance/rfctext.py conformance/registry.py \
	conformance/interop.py conformance/interop/CachetBC.java
# The checker's own negative case: a registry with a fake quote, evidence
# that names no test point, an entry with neither test nor exception, and
# a source file citing an id that does not exist.
CONFORMANCE_SELFTEST = conformance/selftest/rfc8551.req \
	conformance/selftest/tests/fake.py conformance/selftest/tests/fake.log \
	conformance/selftest/tests/fake.trs conformance/selftest/src/cites.c
EXTRA_DIST += conformance/README.md conformance/conformance.mk vectors/interop \
	$(CONFORMANCE_REGISTRY) $(CONFORMANCE_TOOLS) $(CONFORMANCE_SELFTEST) \
	tests/conformance.sh

# The RFC texts live outside the tree, like the vectors (configure
# --with-rfc-dir, default ../shared/rfc); distcheck is handed their place.
DISTCHECK_CONFIGURE_FLAGS += --with-rfc-dir="$(RFC_DIR)"
AM_TESTS_ENVIRONMENT += \
	CACHET_RFC_DIR='$(RFC_DIR)'; export CACHET_RFC_DIR; \
	CONFORMANCE_PY='$(CONFORMANCE_PY)'; export CONFORMANCE_PY;
CONFORMANCE_PY = python3

# tests/conformance.sh reads the logs of this run's other tests, so its
# log waits for all of them (a failing test does not stop make here: the
# harness records failures in the .trs files).  With TESTS=... on the
# command line only the named logs are waited for.
TESTS += tests/conformance.sh
tests/conformance.log: $(TEST_LOGS:tests/conformance.log=)

# make conformance: the report from the logs of the last `make check`
# (run first when there is no test-suite.log; CONFORMANCE_RECHECK=yes
# runs it anyway).  The report goes to doc/ in the build directory; it
# is never written into the source tree of a VPATH build.  Test failures
# do not stop the report: they show in it, and the checker's status is
# the target's.
CONFORMANCE_REPORTS = doc/conformance.md doc/conformance.json doc/conformance.html
conformance:
	@if test ! -f $(TEST_SUITE_LOG) || test "x$(CONFORMANCE_RECHECK)" = xyes; then \
	  echo "make conformance: running make check first"; \
	  $(MAKE) $(AM_MAKEFLAGS) check || :; \
	fi
	@$(MKDIR_P) doc
	$(AM_V_GEN)CACHET_RFC_DIR='$(RFC_DIR)' CACHET_VECTORS='$(VECTORS_DIR)' \
	  $(CONFORMANCE_PY) $(srcdir)/conformance/check.py \
	  --registry $(srcdir)/conformance --srcdir $(srcdir) --builddir . \
	  --md doc/conformance.md --json doc/conformance.json \
	  --html doc/conformance.html --interop doc/interop.json
.PHONY: conformance
MOSTLYCLEANFILES = $(CONFORMANCE_REPORTS) $(INTEROP_REPORTS)

# make interop: the interop matrix (conformance/interop.py): every case
# both ways with every installed peer, and cachet opening the peer-made
# messages kept in vectors/interop.  INTEROP_FLAGS=--require-peers (CI)
# makes a peer that is not installed a failure; `make conformance` puts
# doc/interop.json, when there is one, into the report.
INTEROP_REPORTS = doc/interop.md doc/interop.json
INTEROP_FLAGS =
interop: all
	@$(MKDIR_P) doc
	$(AM_V_GEN)$(CONFORMANCE_PY) $(srcdir)/conformance/interop.py \
	  --cachet src/cachet --srcdir $(srcdir) \
	  --json doc/interop.json --md doc/interop.md $(INTEROP_FLAGS)
.PHONY: interop

# The peer-made half of the matrix from the stored messages, in make check
# (no peer needed).
TESTS += tests/interop-stored.sh
EXTRA_DIST += tests/interop-stored.sh
