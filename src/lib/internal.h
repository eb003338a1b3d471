/* internal.h -- declarations shared by the library's modules (not public).
 *
 * The error-plumbing macros are the only control-flow macros in the
 * library (doc/HACKING lists them):
 *   CHECK(expr)                 propagate a negative code, goto cleanup
 *   ENSURE(cond, code, rule, path, ...)  record a frame and fail unless cond
 *   FAIL(code, rule, path, ...)          record a frame and fail
 * They expect `int ret` and a `cleanup:` label in the function, and a
 * `cachet_diag_t *diag` in scope (which may be NULL).
 */
#ifndef CACHET_INTERNAL_H
#define CACHET_INTERNAL_H

#include <config.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cachet/cachet.h"

#define CACHET_INTERNAL __attribute__((visibility("hidden")))

/* Hard limits (each has its own error code where it can be hit). */
#define CACHET_MAX_DEPTH 32		  /* BER nesting depth */
#define CACHET_MAX_BOUNDED (16u << 20)	  /* one bounded part, e.g. a cert set */
#define CACHET_MAX_SIGNERS 64		  /* SignerInfos per SignedData */
#define CACHET_MAX_CERTS 256		  /* certificates per message */
#define CACHET_MAX_CHAIN 16		  /* certificate path length */
/* Content kept in memory for pure EdDSA without signed attributes (RFC 8419
 * section 3.1), the one case that needs the whole content at once.  Small,
 * so memory stays flat for every other message. */
#define CACHET_MAX_PURE_CONTENT (1u << 20)
#define CACHET_CHUNK 65536		  /* streaming chunk size */

/* ---- diagnostics ---- */
CACHET_INTERNAL void _cachet_diag_push(cachet_diag_t *diag, int code,
				       const char *path, const char *rule,
				       const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
CACHET_INTERNAL void _cachet_diag_vpush(cachet_diag_t *diag, int code,
					const char *path, const char *rule,
					const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

#define CHECK(expr)                                                           \
	do {                                                                  \
		ret = (expr);                                                 \
		if (ret < 0)                                                  \
			goto cleanup;                                         \
	} while (0)

/* Return a negative code at once (no cleanup needed). */
#define CHECK_RET(expr)                                                       \
	do {                                                                  \
		ret = (expr);                                                 \
		if (ret < 0)                                                  \
			return ret;                                           \
	} while (0)

#define FAIL(code, rule, path, ...)                                           \
	do {                                                                  \
		ret = (code);                                                 \
		_cachet_diag_push(diag, ret, (path), (rule), __VA_ARGS__);    \
		goto cleanup;                                                 \
	} while (0)

#define ENSURE(cond, code, rule, path, ...)                                   \
	do {                                                                  \
		if (!(cond))                                                  \
			FAIL((code), (rule), (path), __VA_ARGS__);            \
	} while (0)

/* ---- memory ---- */
CACHET_INTERNAL void *_cachet_malloc(size_t n);
CACHET_INTERNAL void *_cachet_calloc(size_t n, size_t m);
CACHET_INTERNAL char *_cachet_strdup(const char *s);

#define WIPE_BUFFER(b) cachet_wipe((b), sizeof(b))
#define WIPE_OBJ(p) cachet_wipe((p), sizeof(*(p)))

/* Overflow-checked a + b <= limit. */
static inline bool _cachet_add_ok(size_t a, size_t b, size_t limit)
{
	return a <= limit && b <= limit - a;
}

/* A growable byte buffer. */
typedef struct {
	uint8_t *data;
	size_t size;
	size_t cap;
} cbuf_t;

CACHET_INTERNAL int _cachet_buf_append(cbuf_t *b, const void *p, size_t n);
CACHET_INTERNAL int _cachet_buf_printf(cbuf_t *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append one line (FMT, a literal, and a newline) to a findings buffer. */
#define CACHET_FINDING(buf, fmt, ...) _cachet_buf_printf((buf), fmt "\n", ##__VA_ARGS__)
/* Append the lines of FINDINGS (CACHET_FINDING) to B: JSON string
 * literals separated by commas, or "  note: " text lines. */
CACHET_INTERNAL int _cachet_findings_out(cbuf_t *b, const cbuf_t *findings, bool json);
/* Append a JSON string literal (with quotes) for S. */
CACHET_INTERNAL int _cachet_buf_json_str(cbuf_t *b, const char *s);
CACHET_INTERNAL void _cachet_buf_free(cbuf_t *b);
CACHET_INTERNAL void _cachet_buf_free_secret(cbuf_t *b);

/* ---- sources and sinks ---- */
/* Read exactly LEN bytes; CACHET_E_TRUNCATED when the input ends first. */
CACHET_INTERNAL int _cachet_source_read_full(cachet_source_t *src,
					     uint8_t *buf, size_t len);
/* Read up to LEN bytes; returns count (0 at end) or < 0. */
CACHET_INTERNAL long _cachet_source_read(cachet_source_t *src, uint8_t *buf,
					 size_t len);
/* Zero-copy read: point *P at up to MAX bytes (0 at end of input), valid
 * until the next call on the source. */
CACHET_INTERNAL int _cachet_source_borrow(cachet_source_t *src, size_t max,
					  const uint8_t **p, size_t *n);
/* Push back LEN bytes (at most CACHET_UNREAD_MAX) to be read again. */
#define CACHET_UNREAD_MAX 64
CACHET_INTERNAL int _cachet_source_unread(cachet_source_t *src,
					  const uint8_t *buf, size_t len);
/* Total bytes consumed so far (for error positions). */
CACHET_INTERNAL uint64_t _cachet_source_offset(const cachet_source_t *src);
/* A new, independent source that reads SRC's stream again from its
 * start (offset 0): memory, regular files (through pread(2)) and PEM
 * armour over either.  CACHET_E_UNSUPPORTED for pipes and callbacks. */
CACHET_INTERNAL int _cachet_source_reopen(cachet_source_t *src,
					  cachet_source_t **copy);
/* The value of base64 digit C (RFC 4648 section 4), or -1. */
CACHET_INTERNAL int _cachet_b64_value(uint8_t c);
/* A source that decodes PEM armour read from INNER (streaming). */
CACHET_INTERNAL int _cachet_source_init_pem(cachet_source_t **src,
					    cachet_source_t *inner);
/* Wrap IN as DER: if it starts with PEM armour, decode it. */
CACHET_INTERNAL int _cachet_source_autodetect(cachet_source_t **wrapped,
					      cachet_source_t *in,
					      cachet_diag_t *diag);

CACHET_INTERNAL int _cachet_sink_write(cachet_sink_t *snk, const uint8_t *buf,
				       size_t len);
/* A sink that writes PEM armour with LABEL around the bytes to INNER. */
CACHET_INTERNAL int _cachet_sink_init_pem(cachet_sink_t **snk,
					  cachet_sink_t *inner,
					  const char *label);
/* Finish the sink (PEM: writes the last line and the END line). */
CACHET_INTERNAL int _cachet_sink_finish(cachet_sink_t *snk);

/* Stream wrappers inside the library (src/lib/mime-*.c): callback sources
 * and sinks whose negative returns are CACHET_E_* codes passed on
 * unchanged (a public callback's are CACHET_E_IO).  Deinit calls FREE_FN
 * (may be NULL) on OPAQUE; _cachet_sink_finish() flushes the sink and
 * then calls FINISH_FN (may be NULL). */
CACHET_INTERNAL int _cachet_source_init_internal(cachet_source_t **src, cachet_read_fn fn,
						 void (*free_fn)(void *opaque), void *opaque);
CACHET_INTERNAL int _cachet_sink_init_internal(cachet_sink_t **snk, cachet_write_fn fn,
					       int (*finish_fn)(void *opaque),
					       void (*free_fn)(void *opaque), void *opaque);

/* ---- PEM in memory ---- */
/* Decode every PEM block with a label in LABELS (NULL-terminated list; NULL
 * for any) found in IN; calls FN for each DER body.  Returns the number of
 * blocks, or < 0. */
typedef int (*_cachet_pem_fn)(void *opaque, const char *label,
			      const uint8_t *der, size_t len);
CACHET_INTERNAL int _cachet_pem_each(const uint8_t *in, size_t len,
				     const char *const *labels,
				     _cachet_pem_fn fn, void *opaque);
CACHET_INTERNAL bool _cachet_is_pem(const uint8_t *in, size_t len);

/* ---- time ---- */
/* Format T as RFC 3339 UTC ("2026-11-23T18:04:00Z"); BUF >= 21 bytes. */
CACHET_INTERNAL void _cachet_time_str(time_t t, char *buf, size_t n);

#endif /* CACHET_INTERNAL_H */
