## tests/lint.mk -- included by Makefile.am: cachet lint (src/lib/lint.c,
## src/tool/cmd-lint.c, doc/cachet-lint.1) and its tests.
src_lib_libcachet_la_SOURCES += src/lib/lint-int.h src/lib/lint.c
src_cachet_SOURCES += src/tool/cmd-lint.c
dist_man_MANS += doc/cachet-lint.1
# Clean and deliberately broken messages, every vector, golden findings.
TESTS += tests/lint.sh
EXTRA_DIST += tests/lint.sh tests/lint-golden
