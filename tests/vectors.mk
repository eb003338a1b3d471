## tests/vectors.mk -- included by Makefile.am
# The third-party SignedData vectors (CACHET_VECTORS, configure
# --with-vectors=DIR): every one must get the verdict its table records.
TESTS += tests/vectors.sh
EXTRA_DIST += tests/vectors.sh tests/vectors-signed.tsv tests/vectors-exceptions.md
