## src/lib/mime.mk -- included by Makefile.am: the internal MIME layer
## (src/lib/mime.h) under the S/MIME message layer.

# The MIME modules join the library's sources (libcachet-internal.la takes
# the same list through $(src_lib_libcachet_la_SOURCES)).
src_lib_libcachet_la_SOURCES += \
	src/lib/mime.h \
	src/lib/mime-header.c \
	src/lib/mime-codec.c \
	src/lib/mime-split.c
EXTRA_DIST += doc/mime.md
