/* spill.c -- content held between two passes or two layers: in memory up
 * to a bound, in an unlinked temporary file beyond it (doc/design.md,
 * decision 18), so that memory stays flat whatever the size.
 *
 * What goes in may be plaintext that is not yet authenticated: the
 * memory part is wiped when the spill is freed, and the file has no name
 * from the moment it exists (O_TMPFILE, or mkstemp and unlink at once),
 * so nothing is left behind when the process ends, however it ends. */
#include "spill.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

struct spill_st {
	cbuf_t mem;
	size_t mem_max;
	int fd; /* -1 until the content outgrows mem_max */
	uint64_t size;
	int err;
	unsigned readers; /* sources that still read from it */
	bool freed;	  /* _cachet_spill_free ran; the last reader frees */
};

int _cachet_spill_init(spill_t **sp, size_t mem_max)
{
	if (sp == NULL)
		return CACHET_E_INVALID_ARG;
	*sp = _cachet_calloc(1, sizeof(**sp));
	if (*sp == NULL)
		return CACHET_E_NOMEM;
	(*sp)->fd = -1;
	(*sp)->mem_max = mem_max;
	return 0;
}

/* A file without a name in TMPDIR (or /tmp). */
static int temp_fd(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
#ifdef O_TMPFILE
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
#endif
	if ((size_t)snprintf(path, sizeof(path), "%s/cachet-spill-XXXXXX", dir) >= sizeof(path))
		return -1;
	fd = mkstemp(path);
	if (fd >= 0)
		unlink(path);
	return fd;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
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

int _cachet_spill_write(spill_t *sp, const uint8_t *p, size_t n)
{
	int ret;

	if (sp->err)
		return sp->err;
	if (n == 0)
		return 0;
	if (sp->fd < 0 && _cachet_add_ok(sp->mem.size, n, sp->mem_max))
		return _cachet_buf_append(&sp->mem, p, n) < 0 ? (sp->err = CACHET_E_NOMEM) : (sp->size += n, 0);
	if (sp->fd < 0) {
		/* Outgrown: move what memory holds to the file. */
		if ((sp->fd = temp_fd()) < 0)
			return sp->err = CACHET_E_IO;
		if ((ret = write_all(sp->fd, sp->mem.data, sp->mem.size)) < 0)
			return sp->err = ret;
		_cachet_buf_free_secret(&sp->mem);
	}
	if ((ret = write_all(sp->fd, p, n)) < 0)
		return sp->err = ret;
	sp->size += n;
	return 0;
}

static int spill_sink_write(void *opaque, const uint8_t *buf, size_t len)
{
	return _cachet_spill_write(opaque, buf, len);
}

int _cachet_spill_sink(spill_t *sp, cachet_sink_t **snk)
{
	return _cachet_sink_init_internal(snk, spill_sink_write, NULL, NULL, sp);
}

uint64_t _cachet_spill_size(const spill_t *sp)
{
	return sp->size;
}

static void spill_destroy(spill_t *sp)
{
	if (sp->fd >= 0)
		close(sp->fd);
	_cachet_buf_free_secret(&sp->mem);
	free(sp);
}

void _cachet_spill_free(spill_t *sp)
{
	if (sp == NULL)
		return;
	sp->freed = true;
	if (sp->readers == 0)
		spill_destroy(sp);
}

/* One reader: its own offset, pread(2) on the shared file. */
typedef struct {
	spill_t *sp;
	uint64_t off;
} reader_t;

static long spill_read(void *opaque, uint8_t *buf, size_t len)
{
	reader_t *r = opaque;
	spill_t *sp = r->sp;
	uint64_t left = sp->size - r->off;
	size_t n = left < len ? (size_t)left : len;

	if (n == 0)
		return 0;
	if (sp->fd < 0) {
		memcpy(buf, sp->mem.data + r->off, n);
	} else {
		ssize_t got;
		do
			got = pread(sp->fd, buf, n, (off_t)r->off);
		while (got < 0 && errno == EINTR);
		if (got <= 0)
			return CACHET_E_IO; /* the file is shorter than written */
		n = (size_t)got;
	}
	r->off += n;
	return (long)n;
}

static void spill_reader_free(void *opaque)
{
	reader_t *r = opaque;
	spill_t *sp = r->sp;
	free(r);
	if (--sp->readers == 0 && sp->freed)
		spill_destroy(sp);
}

int _cachet_spill_source(spill_t *sp, cachet_source_t **src)
{
	reader_t *r;
	int ret;

	if (sp->err)
		return sp->err;
	if ((r = _cachet_calloc(1, sizeof(*r))) == NULL)
		return CACHET_E_NOMEM;
	r->sp = sp;
	ret = _cachet_source_init_internal(src, spill_read, spill_reader_free, r);
	if (ret < 0) {
		free(r);
		return ret;
	}
	sp->readers++;
	return 0;
}
