## tests/enc.mk -- included by Makefile.am: encryption tests against
## third-party vectors and peers.
