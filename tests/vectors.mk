## tests/vectors.mk -- included by Makefile.am
