## src/lib/smime-write.mk -- included by Makefile.am: producing S/MIME
## messages (RFC 8551 section 3): cachet_smime_sign, cachet_smime_encrypt,
## cachet_smime_compress, and `--format smime` of cachet sign, encrypt and
## compress (the tool's side lives in cmd-sign.c, cmd-encrypt.c and
## cmd-compress.c).

# The module joins the library's sources (libcachet-internal.la takes the
# same list through $(src_lib_libcachet_la_SOURCES)).
src_lib_libcachet_la_SOURCES += src/lib/smime-write.c
