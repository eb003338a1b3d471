## tests/cli.mk -- included by Makefile.am
