/* io.c -- sources and sinks (ARCHITECTURE decision 3), with streaming PEM
 * armour in both directions.  Content moves in chunks, so memory stays flat
 * whatever the message size. */
#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define IO_BUF 65536
#define PEM_LINE_MAX 1024 /* header and trailer lines */

typedef enum { SRC_MEM, SRC_FD, SRC_CB, SRC_PEM } src_kind_t;

/* Read-ahead for regular files: a second thread read(2)s into a ring of
 * buffers while the caller hashes the last one, so the kernel's copy runs
 * beside the hashing instead of before it.  Only regular files: a read on
 * them never blocks for ever, so deinit can always join the thread. */
#define RA_SLOTS 16
#define RA_SIZE (64u * 1024)
/* The reader, once the ring is full, sleeps until this many slots are
 * free again, so that it wakes once per batch, not once per slot. */
#define RA_REFILL (RA_SLOTS / 2)

typedef struct {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t space; /* the reader waits here for free slots */
	pthread_cond_t data;  /* the consumer waits here for a filled slot */
	bool reader_waits, consumer_waits;
	int fd;
	uint8_t *slot[RA_SLOTS];
	size_t len[RA_SLOTS];
	unsigned head;	/* the slot being consumed */
	unsigned count; /* filled slots, from head on */
	size_t pos;	/* consumed bytes of the head slot */
	bool eof, stop;
	int err;
} readahead_t;
typedef enum { PEM_BEFORE, PEM_BODY, PEM_DONE } pem_state_t;

struct cachet_source_st {
	src_kind_t kind;
	const uint8_t *mem;
	size_t mem_size, mem_pos;
	int fd;
	cachet_read_fn fn;
	void *opaque;
	cachet_source_t *inner; /* PEM: the armoured source */
	pem_state_t pem;
	char label[80];
	uint32_t quad;	/* base64 bits collected */
	unsigned nquad; /* sextets in quad */
	bool pad_seen;
	uint8_t push[CACHET_UNREAD_MAX]; /* pushed-back bytes, read from the end */
	size_t npush;
	uint8_t *buf; /* fd/cb/PEM read buffer */
	size_t buf_pos, buf_len;
	bool eof;
	uint64_t offset;
	int err;
	readahead_t *ra;  /* regular files: read-ahead thread */
	uint8_t *scratch; /* borrow() from sources that must copy */
	/* Regular files can be read again (_cachet_source_reopen): where
	 * the stream started, and for a reopened copy, where it is. */
	bool seekable, use_pread;
	uint64_t fd_start, ppos;
	bool owns_inner; /* PEM: deinit also frees inner */
	uint64_t inner_start; /* PEM: inner's offset when the armour began */
	/* Internal callback sources (_cachet_source_init_internal): negative
	 * returns are CACHET_E_* codes, passed on; FREE_FN frees OPAQUE. */
	bool pass_codes;
	void (*free_fn)(void *opaque);
};

static cachet_source_t *src_new(src_kind_t kind)
{
	cachet_source_t *s = _cachet_calloc(1, sizeof(*s));
	if (s)
		s->kind = kind;
	return s;
}

int cachet_source_init_mem(cachet_source_t **src, const uint8_t *data,
			   size_t size)
{
	if (src == NULL || (data == NULL && size))
		return CACHET_E_INVALID_ARG;
	if ((*src = src_new(SRC_MEM)) == NULL)
		return CACHET_E_NOMEM;
	(*src)->mem = data;
	(*src)->mem_size = size;
	return 0;
}

static int src_with_buf(cachet_source_t **src, src_kind_t kind)
{
	if ((*src = src_new(kind)) == NULL)
		return CACHET_E_NOMEM;
	if (((*src)->buf = _cachet_malloc(IO_BUF)) == NULL) {
		free(*src);
		*src = NULL;
		return CACHET_E_NOMEM;
	}
	return 0;
}

static void *ra_main(void *arg)
{
	readahead_t *ra = arg;
	pthread_mutex_lock(&ra->mu);
	for (;;) {
		if (ra->count == RA_SLOTS) {
			ra->reader_waits = true;
			while (ra->count > RA_SLOTS - RA_REFILL && !ra->stop)
				pthread_cond_wait(&ra->space, &ra->mu);
			ra->reader_waits = false;
		}
		if (ra->stop)
			break;
		unsigned slot = (ra->head + ra->count) % RA_SLOTS;
		pthread_mutex_unlock(&ra->mu);
		ssize_t n;
		do
			n = read(ra->fd, ra->slot[slot], RA_SIZE);
		while (n < 0 && errno == EINTR);
		pthread_mutex_lock(&ra->mu);
		if (n <= 0) {
			ra->err = n < 0 ? CACHET_E_IO : 0;
			ra->eof = true;
			pthread_cond_signal(&ra->data);
			break;
		}
		ra->len[slot] = (size_t)n;
		ra->count++;
		if (ra->consumer_waits)
			pthread_cond_signal(&ra->data);
	}
	pthread_mutex_unlock(&ra->mu);
	return NULL;
}

static void ra_free(readahead_t *ra)
{
	for (unsigned i = 0; i < RA_SLOTS; i++)
		free(ra->slot[i]);
	free(ra);
}

/* Start read-ahead on FD if it is a regular file; NULL otherwise (or when
 * no thread can be had: reads then stay synchronous). */
static readahead_t *ra_start(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return NULL;
	readahead_t *ra = _cachet_calloc(1, sizeof(*ra));
	if (ra == NULL)
		return NULL;
	ra->fd = fd;
	for (unsigned i = 0; i < RA_SLOTS; i++)
		if ((ra->slot[i] = _cachet_malloc(RA_SIZE)) == NULL) {
			ra_free(ra);
			return NULL;
		}
	if (pthread_mutex_init(&ra->mu, NULL) != 0) {
		ra_free(ra);
		return NULL;
	}
	if (pthread_cond_init(&ra->space, NULL) != 0) {
		pthread_mutex_destroy(&ra->mu);
		ra_free(ra);
		return NULL;
	}
	if (pthread_cond_init(&ra->data, NULL) != 0) {
		pthread_cond_destroy(&ra->space);
		pthread_mutex_destroy(&ra->mu);
		ra_free(ra);
		return NULL;
	}
	if (pthread_create(&ra->thread, NULL, ra_main, ra) != 0) {
		pthread_cond_destroy(&ra->data);
		pthread_cond_destroy(&ra->space);
		pthread_mutex_destroy(&ra->mu);
		ra_free(ra);
		return NULL;
	}
	return ra;
}

static void ra_stop(readahead_t *ra)
{
	pthread_mutex_lock(&ra->mu);
	ra->stop = true;
	pthread_cond_signal(&ra->space);
	pthread_mutex_unlock(&ra->mu);
	pthread_join(ra->thread, NULL);
	pthread_cond_destroy(&ra->data);
	pthread_cond_destroy(&ra->space);
	pthread_mutex_destroy(&ra->mu);
	ra_free(ra);
}

/* Point *P at up to MAX bytes of the head slot (waiting for it to fill);
 * 0 bytes at end of file.  The bytes stay valid until the next call. */
static long ra_take(readahead_t *ra, size_t max, const uint8_t **p)
{
	long ret;
	pthread_mutex_lock(&ra->mu);
	if (ra->count && ra->pos == ra->len[ra->head]) {
		/* The previous slot is used up: hand it back to the reader. */
		ra->head = (ra->head + 1) % RA_SLOTS;
		ra->count--;
		ra->pos = 0;
		if (ra->reader_waits && ra->count <= RA_SLOTS - RA_REFILL)
			pthread_cond_signal(&ra->space);
	}
	if (ra->count == 0 && !ra->eof) {
		ra->consumer_waits = true;
		while (ra->count == 0 && !ra->eof)
			pthread_cond_wait(&ra->data, &ra->mu);
		ra->consumer_waits = false;
	}
	if (ra->count == 0) {
		ret = ra->err;
	} else {
		size_t avail = ra->len[ra->head] - ra->pos;
		size_t n = max < avail ? max : avail;
		*p = ra->slot[ra->head] + ra->pos;
		ra->pos += n;
		ret = (long)n;
	}
	pthread_mutex_unlock(&ra->mu);
	return ret;
}

int cachet_source_init_fd(cachet_source_t **src, int fd)
{
	if (src == NULL || fd < 0)
		return CACHET_E_INVALID_ARG;
	int ret = src_with_buf(src, SRC_FD);
	if (ret == 0) {
		struct stat st;
		off_t at;
		(*src)->fd = fd;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (at = lseek(fd, 0, SEEK_CUR)) >= 0) {
			(*src)->seekable = true;
			(*src)->fd_start = (uint64_t)at;
		}
		(*src)->ra = ra_start(fd);
	}
	return ret;
}

int _cachet_source_reopen(cachet_source_t *s, cachet_source_t **copy)
{
	cachet_source_t *inner = NULL;
	int ret;

	*copy = NULL;
	switch (s->kind) {
	case SRC_MEM:
		return cachet_source_init_mem(copy, s->mem, s->mem_size);
	case SRC_FD:
		if (!s->seekable)
			return CACHET_E_UNSUPPORTED;
		/* pread(2), so that the file offset the first reader (or its
		 * read-ahead thread) moves along is left alone. */
		if ((ret = src_with_buf(copy, SRC_FD)) < 0)
			return ret;
		(*copy)->fd = s->fd;
		(*copy)->seekable = true;
		(*copy)->use_pread = true;
		(*copy)->fd_start = (*copy)->ppos = s->fd_start;
		return 0;
	case SRC_PEM:
		/* The armour is decoded again from its start. */
		if (s->inner_start != 0)
			return CACHET_E_UNSUPPORTED;
		if ((ret = _cachet_source_reopen(s->inner, &inner)) < 0)
			return ret;
		if ((ret = _cachet_source_init_pem(copy, inner)) < 0) {
			cachet_source_deinit(inner);
			return ret;
		}
		(*copy)->owns_inner = true;
		return 0;
	default:
		return CACHET_E_UNSUPPORTED;
	}
}

int cachet_source_init_cb(cachet_source_t **src, cachet_read_fn fn,
			  void *opaque)
{
	if (src == NULL || fn == NULL)
		return CACHET_E_INVALID_ARG;
	int ret = src_with_buf(src, SRC_CB);
	if (ret == 0) {
		(*src)->fn = fn;
		(*src)->opaque = opaque;
	}
	return ret;
}

int _cachet_source_init_internal(cachet_source_t **src, cachet_read_fn fn,
				 void (*free_fn)(void *opaque), void *opaque)
{
	int ret = cachet_source_init_cb(src, fn, opaque);
	if (ret == 0) {
		(*src)->pass_codes = true;
		(*src)->free_fn = free_fn;
	}
	return ret;
}

void cachet_source_deinit(cachet_source_t *src)
{
	if (src == NULL)
		return;
	if (src->ra)
		ra_stop(src->ra);
	if (src->owns_inner)
		cachet_source_deinit(src->inner);
	if (src->free_fn)
		src->free_fn(src->opaque);
	free(src->buf);
	free(src->scratch);
	free(src);
}

static long raw_fill(cachet_source_t *s, uint8_t *dst, size_t len)
{
	if (s->kind == SRC_FD) {
		for (;;) {
			ssize_t n = s->use_pread ? pread(s->fd, dst, len, (off_t)s->ppos) : read(s->fd, dst, len);
			if (n > 0 && s->use_pread)
				s->ppos += (uint64_t)n;
			if (n >= 0)
				return (long)n;
			if (errno != EINTR)
				return CACHET_E_IO;
		}
	}
	long n = s->fn(s->opaque, dst, len);
	if (n < 0 && s->pass_codes)
		return n;
	return n < 0 ? CACHET_E_IO : n;
}

static long pem_read(cachet_source_t *s, uint8_t *out, size_t len);

/* Read from the underlying stream, bypassing the push-back stack. */
static long base_read(cachet_source_t *s, uint8_t *out, size_t len)
{
	if (s->err)
		return s->err;
	switch (s->kind) {
	case SRC_MEM: {
		size_t left = s->mem_size - s->mem_pos;
		size_t n = len < left ? len : left;
		if (n)
			memcpy(out, s->mem + s->mem_pos, n);
		s->mem_pos += n;
		return (long)n;
	}
	case SRC_PEM:
		return pem_read(s, out, len);
	default:
		break;
	}
	if (s->ra) {
		const uint8_t *p;
		long n = ra_take(s->ra, len, &p);
		if (n > 0)
			memcpy(out, p, (size_t)n);
		else if (n < 0)
			s->err = (int)n;
		return n;
	}
	if (s->buf_pos == s->buf_len) {
		if (s->eof)
			return 0;
		/* Large reads bypass the buffer. */
		if (len >= IO_BUF) {
			long n = raw_fill(s, out, len);
			if (n == 0)
				s->eof = true;
			if (n < 0)
				s->err = (int)n;
			return n;
		}
		long n = raw_fill(s, s->buf, IO_BUF);
		if (n <= 0) {
			if (n == 0)
				s->eof = true;
			else
				s->err = (int)n;
			return n;
		}
		s->buf_pos = 0;
		s->buf_len = (size_t)n;
	}
	size_t avail = s->buf_len - s->buf_pos;
	size_t n = len < avail ? len : avail;
	memcpy(out, s->buf + s->buf_pos, n);
	s->buf_pos += n;
	return (long)n;
}

long _cachet_source_read(cachet_source_t *s, uint8_t *buf, size_t len)
{
	size_t got = 0;
	while (s->npush && got < len)
		buf[got++] = s->push[--s->npush];
	if (got == len) {
		s->offset += got;
		return (long)got;
	}
	long n = base_read(s, buf + got, len - got);
	if (n < 0)
		return n;
	got += (size_t)n;
	s->offset += got;
	return (long)got;
}

int _cachet_source_borrow(cachet_source_t *s, size_t max, const uint8_t **p,
			  size_t *n)
{
	*n = 0;
	if (s->err)
		return s->err;
	if (s->npush == 0 && s->kind == SRC_MEM) {
		size_t left = s->mem_size - s->mem_pos;
		*n = max < left ? max : left;
		*p = s->mem + s->mem_pos;
		s->mem_pos += *n;
		s->offset += *n;
		return 0;
	}
	if (s->npush == 0 && s->ra) {
		long r = ra_take(s->ra, max, p);
		if (r < 0)
			return s->err = (int)r;
		*n = (size_t)r;
		s->offset += *n;
		return 0;
	}
	/* Sources that must copy anyway: read into a scratch buffer. */
	if (s->scratch == NULL && (s->scratch = _cachet_malloc(IO_BUF)) == NULL)
		return CACHET_E_NOMEM;
	long r = _cachet_source_read(s, s->scratch, max < IO_BUF ? max : IO_BUF);
	if (r < 0)
		return (int)r;
	*p = s->scratch;
	*n = (size_t)r;
	return 0;
}

int _cachet_source_read_full(cachet_source_t *s, uint8_t *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		long n = _cachet_source_read(s, buf + got, len - got);
		if (n < 0)
			return (int)n;
		if (n == 0)
			return CACHET_E_TRUNCATED;
		got += (size_t)n;
	}
	return 0;
}

int _cachet_source_unread(cachet_source_t *s, const uint8_t *buf, size_t len)
{
	if (len > CACHET_UNREAD_MAX - s->npush || len > s->offset)
		return CACHET_E_INTERNAL;
	for (size_t i = len; i > 0; i--)
		s->push[s->npush++] = buf[i - 1];
	s->offset -= len;
	return 0;
}

uint64_t _cachet_source_offset(const cachet_source_t *s)
{
	return s->offset;
}

/* ---- PEM decoding source (RFC 7468 textual encoding) ---- */

int _cachet_b64_value(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Read one line (without the line ending) of at most PEM_LINE_MAX bytes
 * from the inner source; returns its length, -1 at end of input. */
static long inner_line(cachet_source_t *s, char *line)
{
	size_t n = 0;
	uint8_t c;
	for (;;) {
		long r = _cachet_source_read(s->inner, &c, 1);
		if (r < 0)
			return r;
		if (r == 0)
			return n ? (long)n : -1;
		if (c == '\n')
			break;
		if (n + 1 < PEM_LINE_MAX)
			line[n++] = (char)c;
		else
			return CACHET_E_BAD_PEM;
	}
	if (n && line[n - 1] == '\r')
		n--;
	line[n] = 0;
	return (long)n;
}

/* Hand decoded bytes to the reader; what does not fit in OUT goes on the
 * push-back stack (empty here: _cachet_source_read drains it first). */
static void pem_emit_bytes(cachet_source_t *s, uint8_t *out, size_t *got,
			   size_t len, const uint8_t *b, size_t n)
{
	size_t i = 0;
	while (i < n && *got < len)
		out[(*got)++] = b[i++];
	for (size_t j = n; j > i; j--)
		s->push[s->npush++] = b[j - 1];
}

static long pem_read(cachet_source_t *s, uint8_t *out, size_t len)
{
	char line[PEM_LINE_MAX];
	size_t got = 0;

	while (s->pem == PEM_BEFORE) {
		long n = inner_line(s, line);
		if (n == -1)
			return s->err = CACHET_E_BAD_PEM;
		if (n < 0)
			return s->err = (int)n;
		if (strncmp(line, "-----BEGIN ", 11) == 0) {
			size_t l = strlen(line);
			if (l < 16 || strcmp(line + l - 5, "-----") != 0 ||
			    l - 16 >= sizeof(s->label))
				return s->err = CACHET_E_BAD_PEM;
			memcpy(s->label, line + 11, l - 16);
			s->label[l - 16] = 0;
			s->pem = PEM_BODY;
		}
	}
	while (got < len && s->pem == PEM_BODY) {
		if (s->buf_pos == s->buf_len) {
			long n = _cachet_source_read(s->inner, s->buf, IO_BUF);
			if (n < 0)
				return s->err = (int)n;
			if (n == 0)
				return s->err = CACHET_E_BAD_PEM; /* no END line */
			s->buf_pos = 0;
			s->buf_len = (size_t)n;
		}
		uint8_t c = s->buf[s->buf_pos++];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '-') {
			/* The END line: check it against the BEGIN label. */
			char want[128];
			snprintf(want, sizeof(want), "----END %s-----", s->label);
			size_t wl = strlen(want);
			for (size_t i = 0; i < wl; i++) {
				if (s->buf_pos == s->buf_len) {
					long n = _cachet_source_read(s->inner, s->buf, IO_BUF);
					if (n <= 0)
						return s->err = CACHET_E_BAD_PEM;
					s->buf_pos = 0;
					s->buf_len = (size_t)n;
				}
				if (s->buf[s->buf_pos++] != (uint8_t)want[i])
					return s->err = CACHET_E_BAD_PEM;
			}
			if (s->nquad != 0)
				return s->err = CACHET_E_BAD_PEM;
			s->pem = PEM_DONE;
			break;
		}
		if (c == '=') {
			/* Padding (RFC 4648 section 4): "xx==" or "xxx=". */
			if (s->nquad == 2 && !s->pad_seen) {
				uint8_t b[1] = {(uint8_t)(s->quad >> 4)};
				pem_emit_bytes(s, out, &got, len, b, 1);
				s->pad_seen = true;
				s->nquad = 3; /* one more '=' must follow */
			} else if (s->nquad == 3 && s->pad_seen) {
				s->nquad = 0;
			} else if (s->nquad == 3) {
				uint8_t b[2] = {(uint8_t)(s->quad >> 10), (uint8_t)(s->quad >> 2)};
				pem_emit_bytes(s, out, &got, len, b, 2);
				s->nquad = 0;
				s->pad_seen = true;
			} else {
				return s->err = CACHET_E_BAD_PEM;
			}
			continue;
		}
		int v = _cachet_b64_value(c);
		if (v < 0 || s->pad_seen)
			return s->err = CACHET_E_BAD_PEM;
		s->quad = (s->quad << 6) | (uint32_t)v;
		if (++s->nquad == 4) {
			uint8_t b[3] = {(uint8_t)(s->quad >> 16), (uint8_t)(s->quad >> 8),
					(uint8_t)s->quad};
			pem_emit_bytes(s, out, &got, len, b, 3);
			s->nquad = 0;
			s->quad = 0;
		}
	}
	return (long)got;
}

int _cachet_source_init_pem(cachet_source_t **src, cachet_source_t *inner)
{
	int ret = src_with_buf(src, SRC_PEM);
	if (ret == 0) {
		(*src)->inner = inner;
		(*src)->inner_start = _cachet_source_offset(inner);
	}
	return ret;
}

int _cachet_source_autodetect(cachet_source_t **wrapped, cachet_source_t *in,
			      cachet_diag_t *diag)
{
	uint8_t head[CACHET_UNREAD_MAX];
	long n = _cachet_source_read(in, head, 16);
	if (n < 0)
		return (int)n;
	int ret = _cachet_source_unread(in, head, (size_t)n);
	if (ret < 0)
		return ret;
	*wrapped = in;
	if (n == 0) {
		_cachet_diag_push(diag, CACHET_E_TRUNCATED, "input", NULL, "the input is empty");
		return CACHET_E_TRUNCATED;
	}
	size_t i = 0;
	while (i < (size_t)n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
		i++;
	if (i < (size_t)n && head[i] == '-')
		return _cachet_source_init_pem(wrapped, in);
	/* RFC 7468 section 2: explanatory text may precede the armour.  A BER
	 * ContentInfo never looks like text (its OID tag 0x06 comes within
	 * the first bytes), so a head of printable text is taken as PEM. */
	bool is_text = head[0] != 0x30; /* a SEQUENCE is DER/BER, never text */
	for (size_t j = 0; j < (size_t)n && is_text; j++)
		is_text = (head[j] >= 0x20 && head[j] < 0x7f) || head[j] == '\t' || head[j] == '\r' ||
			  head[j] == '\n';
	if (is_text)
		return _cachet_source_init_pem(wrapped, in);
	return 0;
}

/* ---- sinks ---- */

typedef enum { SNK_MEM, SNK_FD, SNK_CB, SNK_PEM } snk_kind_t;

struct cachet_sink_st {
	snk_kind_t kind;
	cbuf_t mem;
	int fd;
	cachet_write_fn fn;
	void *opaque;
	uint8_t *buf;
	size_t buf_len;
	cachet_sink_t *inner;
	char label[80];
	uint8_t carry[3];
	size_t ncarry;
	unsigned col;
	int err;
	/* Internal callback sinks (_cachet_sink_init_internal). */
	bool pass_codes;
	int (*finish_fn)(void *opaque);
	void (*free_fn)(void *opaque);
};

static cachet_sink_t *snk_new(snk_kind_t kind, bool buffered)
{
	cachet_sink_t *s = _cachet_calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->kind = kind;
	if (buffered && (s->buf = _cachet_malloc(IO_BUF)) == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

int cachet_sink_init_mem(cachet_sink_t **snk)
{
	if (snk == NULL)
		return CACHET_E_INVALID_ARG;
	return (*snk = snk_new(SNK_MEM, false)) ? 0 : CACHET_E_NOMEM;
}

int cachet_sink_init_fd(cachet_sink_t **snk, int fd)
{
	if (snk == NULL || fd < 0)
		return CACHET_E_INVALID_ARG;
	if ((*snk = snk_new(SNK_FD, true)) == NULL)
		return CACHET_E_NOMEM;
	(*snk)->fd = fd;
	return 0;
}

int cachet_sink_init_cb(cachet_sink_t **snk, cachet_write_fn fn, void *opaque)
{
	if (snk == NULL || fn == NULL)
		return CACHET_E_INVALID_ARG;
	if ((*snk = snk_new(SNK_CB, true)) == NULL)
		return CACHET_E_NOMEM;
	(*snk)->fn = fn;
	(*snk)->opaque = opaque;
	return 0;
}

int _cachet_sink_init_pem(cachet_sink_t **snk, cachet_sink_t *inner,
			  const char *label)
{
	if ((*snk = snk_new(SNK_PEM, false)) == NULL)
		return CACHET_E_NOMEM;
	(*snk)->inner = inner;
	snprintf((*snk)->label, sizeof((*snk)->label), "%s", label);
	cbuf_t line = {0};
	int ret = _cachet_buf_printf(&line, "-----BEGIN %s-----\n", label);
	if (ret == 0)
		ret = _cachet_sink_write(inner, line.data, line.size);
	_cachet_buf_free(&line);
	return ret;
}

static int raw_write(cachet_sink_t *s, const uint8_t *p, size_t n)
{
	if (s->kind == SNK_CB) {
		int r = s->fn(s->opaque, p, n);
		if (r < 0 && s->pass_codes)
			return r;
		return r < 0 ? CACHET_E_IO : 0;
	}
	while (n) {
		ssize_t w = write(s->fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return CACHET_E_IO;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int cachet_sink_flush(cachet_sink_t *s)
{
	if (s == NULL)
		return CACHET_E_INVALID_ARG;
	if (s->err)
		return s->err;
	if ((s->kind == SNK_FD || s->kind == SNK_CB) && s->buf_len) {
		int ret = raw_write(s, s->buf, s->buf_len);
		s->buf_len = 0;
		if (ret < 0)
			return s->err = ret;
	}
	if (s->kind == SNK_PEM)
		return cachet_sink_flush(s->inner);
	return 0;
}

static const char b64chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int pem_emit(cachet_sink_t *s, const uint8_t in[3], size_t n)
{
	char out[6];
	size_t k = 0;
	uint32_t v = ((uint32_t)in[0] << 16) | ((n > 1 ? (uint32_t)in[1] : 0) << 8) |
		     (n > 2 ? in[2] : 0);
	out[k++] = b64chars[(v >> 18) & 63];
	out[k++] = b64chars[(v >> 12) & 63];
	out[k++] = n > 1 ? b64chars[(v >> 6) & 63] : '=';
	out[k++] = n > 2 ? b64chars[v & 63] : '=';
	s->col += 4;
	if (s->col == 64) {
		out[k++] = '\n';
		s->col = 0;
	}
	return _cachet_sink_write(s->inner, (const uint8_t *)out, k);
}

int _cachet_sink_write(cachet_sink_t *s, const uint8_t *p, size_t n)
{
	int ret = 0;
	if (s->err)
		return s->err;
	if (n == 0)
		return 0; /* P may be NULL then */
	switch (s->kind) {
	case SNK_MEM:
		ret = _cachet_buf_append(&s->mem, p, n);
		break;
	case SNK_PEM:
		while (n && ret == 0) {
			s->carry[s->ncarry++] = *p++;
			n--;
			if (s->ncarry == 3) {
				ret = pem_emit(s, s->carry, 3);
				s->ncarry = 0;
			}
		}
		break;
	default:
		/* Large pieces go straight to the file: copying them into
		 * the buffer first would only add a pass over the data. */
		if (n >= IO_BUF / 2) {
			ret = cachet_sink_flush(s);
			if (ret == 0)
				ret = raw_write(s, p, n);
			break;
		}
		if (s->buf_len + n > IO_BUF)
			ret = cachet_sink_flush(s);
		if (ret == 0) {
			memcpy(s->buf + s->buf_len, p, n);
			s->buf_len += n;
		}
	}
	if (ret < 0)
		s->err = ret;
	return ret;
}

int _cachet_sink_finish(cachet_sink_t *s)
{
	int ret = 0;
	if (s->kind == SNK_PEM) {
		if (s->ncarry)
			ret = pem_emit(s, s->carry, s->ncarry);
		s->ncarry = 0;
		if (ret == 0 && s->col)
			ret = _cachet_sink_write(s->inner, (const uint8_t *)"\n", 1);
		s->col = 0;
		if (ret == 0) {
			cbuf_t line = {0};
			ret = _cachet_buf_printf(&line, "-----END %s-----\n", s->label);
			if (ret == 0)
				ret = _cachet_sink_write(s->inner, line.data, line.size);
			_cachet_buf_free(&line);
		}
		if (ret < 0)
			return ret;
		return cachet_sink_flush(s->inner);
	}
	if (s->finish_fn) {
		ret = cachet_sink_flush(s);
		if (ret == 0)
			ret = s->finish_fn(s->opaque);
		if (ret < 0)
			s->err = ret;
		return ret;
	}
	return cachet_sink_flush(s);
}

int _cachet_sink_init_internal(cachet_sink_t **snk, cachet_write_fn fn,
			       int (*finish_fn)(void *opaque),
			       void (*free_fn)(void *opaque), void *opaque)
{
	int ret = cachet_sink_init_cb(snk, fn, opaque);
	if (ret == 0) {
		(*snk)->pass_codes = true;
		(*snk)->finish_fn = finish_fn;
		(*snk)->free_fn = free_fn;
	}
	return ret;
}

int cachet_sink_take_mem(cachet_sink_t *s, cachet_datum_t *out)
{
	if (s == NULL || out == NULL || s->kind != SNK_MEM)
		return CACHET_E_INVALID_ARG;
	if (s->err)
		return s->err;
	out->data = s->mem.data;
	out->size = s->mem.size;
	if (out->data == NULL)
		out->data = _cachet_calloc(1, 1);
	memset(&s->mem, 0, sizeof(s->mem));
	return out->data ? 0 : CACHET_E_NOMEM;
}

void cachet_sink_deinit(cachet_sink_t *s)
{
	if (s == NULL)
		return;
	_cachet_buf_free_secret(&s->mem);
	if (s->free_fn)
		s->free_fn(s->opaque);
	free(s->buf);
	free(s);
}
