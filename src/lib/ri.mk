## src/lib/ri.mk -- included by Makefile.am: the RecipientInfo kinds
## (src/lib/ri.h) and their tests.

# The kinds join the library's sources (libcachet-internal.la takes the
# same list through $(src_lib_libcachet_la_SOURCES)).
src_lib_libcachet_la_SOURCES += \
	src/lib/ri-int.h \
	src/lib/ri.c \
	src/lib/ri-ktri.c \
	src/lib/ri-kari.c \
	src/lib/ri-kekri.c \
	src/lib/ri-pwri.c

# Round trips, negative cases and known answers from third-party
# messages ($CACHET_VECTORS) for every kind.
check_PROGRAMS += tests/t-ri
tests_t_ri_SOURCES = tests/t-ri.c tests/tap.h
tests_t_ri_CPPFLAGS = $(TEST_CPPFLAGS)
tests_t_ri_LDADD = $(TEST_LDADD)
TESTS += tests/t-ri

# Constant time of the RFC 3211 unwrap checks (tests/ct/README); run by
# tests/ct/run.sh once ct-pwri is in its list.
check_PROGRAMS += tests/ct/ct-pwri
tests_ct_ct_pwri_SOURCES = tests/ct/ct-pwri.c tests/ct/ct.h
tests_ct_ct_pwri_CPPFLAGS = $(TEST_CPPFLAGS)
tests_ct_ct_pwri_LDADD = $(TEST_LDADD)
