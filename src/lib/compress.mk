## src/lib/compress.mk -- included by Makefile.am: CompressedData (RFC 3274)

# The module joins the library's sources; libcachet-internal.la takes the
# same list through $(src_lib_libcachet_la_SOURCES).  zlib's flags are
# already on both libraries.
src_lib_libcachet_la_SOURCES += src/lib/cms-compressed.c

# The command-line side: cachet compress / cachet decompress.
src_cachet_SOURCES += src/tool/cmd-compress.c
