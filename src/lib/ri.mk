## src/lib/ri.mk -- included by Makefile.am: the RecipientInfo kinds
## (src/lib/ri.h) and their tests.
