## src/lib/enc.mk -- included by Makefile.am: encryption primitives and their tests
