## bench/local.mk -- included by Makefile.am
##
## `make bench` (not part of `make check`) runs bench/bench.sh: Cachet and
## `openssl cms` signing and verifying side by side, Nettle's SHA-256
## ceiling and the in-process small-message loop; then bench/bench-enc.sh:
## encrypting and decrypting side by side, against Nettle's raw AES-GCM
## and AES-CBC.  `make bench-sign` and `make bench-enc` run one of the two.
## They need GNU time (/usr/bin/time, Debian: time) and openssl.
## BENCH_SIZES picks the input sizes (bytes; default 1 KiB, 64 MiB and
## 1 GiB, about 5 GiB of disk under BENCH_TMPDIR for the largest), and
## CACHET_BENCH_QUICK=1 drops the 1 GiB input; see bench/common.sh and
## each script's header for the other knobs.  The last run's figures and
## their analysis are kept by hand in bench/RESULTS.md.

EXTRA_PROGRAMS = bench/nettle-ceiling bench/bench-inproc
CLEANFILES += bench/nettle-ceiling$(EXEEXT) bench/bench-inproc$(EXEEXT)

bench_nettle_ceiling_SOURCES = bench/nettle-ceiling.c
bench_nettle_ceiling_CPPFLAGS = $(AM_CPPFLAGS) $(NETTLE_CFLAGS)
bench_nettle_ceiling_LDADD = $(NETTLE_LIBS)

# Linked with the convenience library (static), so no libtool wrapper.
bench_bench_inproc_SOURCES = bench/bench-inproc.c
bench_bench_inproc_CPPFLAGS = $(AM_CPPFLAGS) $(GNUTLS_CFLAGS) $(NETTLE_CFLAGS)
bench_bench_inproc_LDADD = src/lib/libcachet-internal.la $(GNUTLS_LIBS) $(NETTLE_LIBS)

EXTRA_DIST += bench/bench.sh bench/bench-enc.sh bench/common.sh bench/RESULTS.md

BENCH_ENV = \
	CACHET='$(abs_top_builddir)/src/cachet' \
	PKI='$(abs_top_srcdir)/vectors/pki' \
	NETTLE_CEILING='$(abs_top_builddir)/bench/nettle-ceiling' \
	BENCH_INPROC='$(abs_top_builddir)/bench/bench-inproc'

# One after the other, never in parallel, even under make -j.
.PHONY: bench bench-sign bench-enc
bench: src/cachet$(EXEEXT) bench/nettle-ceiling$(EXEEXT) bench/bench-inproc$(EXEEXT)
	$(BENCH_ENV) $(SHELL) '$(abs_top_srcdir)/bench/bench.sh'
	$(BENCH_ENV) $(SHELL) '$(abs_top_srcdir)/bench/bench-enc.sh'
bench-sign: src/cachet$(EXEEXT) bench/nettle-ceiling$(EXEEXT) bench/bench-inproc$(EXEEXT)
	$(BENCH_ENV) $(SHELL) '$(abs_top_srcdir)/bench/bench.sh'
bench-enc: src/cachet$(EXEEXT) bench/nettle-ceiling$(EXEEXT)
	$(BENCH_ENV) $(SHELL) '$(abs_top_srcdir)/bench/bench-enc.sh'
