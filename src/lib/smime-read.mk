## src/lib/smime-read.mk -- included by Makefile.am: the S/MIME reader
## (cachet_smime_*: layers unwrapped outside-in through spill storage).
src_lib_libcachet_la_SOURCES += \
	src/lib/smime-read.h \
	src/lib/smime-read.c
