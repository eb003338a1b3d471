/* mime-split.c -- the streaming multipart splitter (RFC 2046 section
 * 5.1).  See mime.h.
 *
 * The body is read through one buffer of SPLIT_BUF octets.  Octets go
 * out to the current segment's reader (preamble, part or epilogue) as
 * soon as they cannot start a delimiter; at a CR or LF the splitter looks
 * ahead at most SPLIT_LOOK octets to decide whether a delimiter starts
 * there:
 *
 *   delimiter       := (CRLF / LF) "--" boundary [ "--" ] *WSP (CRLF / LF / end)
 *
 * (RFC 2046 section 5.1.1; LF alone is taken as well, for messages whose
 * line endings were converted.  The line break in front belongs to the
 * delimiter, not to the part before it.)  The first delimiter may also
 * stand at the very start of the body, with no line break before it.
 */
#include "mime.h"

#include <stdlib.h>

#define RULE_MP "RFC 2046 section 5.1.1"

/* Look-ahead that decides a delimiter: line break, "--", boundary, "--",
 * transport padding, line break. */
#define SPLIT_LOOK (2 + 2 + CACHET_MIME_MAX_BOUNDARY + 2 + CACHET_MIME_MAX_PADDING + 2)
#define SPLIT_BUF 16384

typedef enum { SEG_PREAMBLE, SEG_PART, SEG_EPILOGUE } seg_t;
typedef enum { M_NO, M_MORE, M_YES } match_t;

struct cachet_mime_split_st {
	cachet_source_t *body;
	cachet_diag_t *diag;
	char boundary[CACHET_MIME_MAX_BOUNDARY + 1];
	size_t blen;
	unsigned depth;
	uint8_t buf[SPLIT_BUF];
	size_t pos, len;
	uint64_t base;	 /* body offset of buf[0] */
	bool eof;	 /* BODY has no more octets */
	seg_t seg;
	bool seg_done;	 /* the current segment ended at a delimiter */
	bool at_start;	 /* nothing read yet: a delimiter may come first */
	bool closed;	 /* the close delimiter was read */
	int err;	 /* sticky */
	cachet_source_t *cur; /* the source handed out for the segment */
	cachet_mime_part_info_t *parts;
	size_t nparts, cap;
	uint64_t close_off, epi_off;
};

/* Does a delimiter start at P (N octets available)?  NO_BREAK: at the
 * start of the body, where none is needed.  On M_YES, *USED is its length
 * with the line break after it, *CLOSE whether it is the close delimiter
 * and *EOL the line break in front. */
static match_t match_delim(const cachet_mime_split_t *sp, const uint8_t *p, size_t n,
			   bool no_break, size_t *used, bool *close, cachet_mime_eol_t *eol)
{
	size_t i = 0;
	/* Past the available octets: more may come, unless at the end. */
#define NEED(k)                                                                              \
	do {                                                                                  \
		if ((k) >= n)                                                                \
			return sp->eof ? M_NO : M_MORE;                                       \
	} while (0)

	*close = false;
	*eol = CACHET_MIME_EOL_NONE;
	if (!no_break) {
		NEED(0);
		if (p[0] == '\r') {
			NEED(1);
			if (p[1] != '\n')
				return M_NO;
			i = 2;
			*eol = CACHET_MIME_EOL_CRLF;
		} else if (p[0] == '\n') {
			i = 1;
			*eol = CACHET_MIME_EOL_LF;
		} else {
			return M_NO;
		}
	}
	for (size_t k = 0; k < 2 + sp->blen; k++, i++) {
		NEED(i);
		if (p[i] != (k < 2 ? '-' : (uint8_t)sp->boundary[k - 2]))
			return M_NO;
	}
	/* What follows the boundary decides: "--boundaryX" is no delimiter. */
	if (i == n && sp->eof) {
		*used = i;
		return M_YES;
	}
	NEED(i);
	if (p[i] == '-') {
		NEED(i + 1);
		if (p[i + 1] != '-')
			return M_NO;
		*close = true;
		i += 2;
	}
	size_t pad = 0;
	for (;;) {
		if (i == n && sp->eof) {
			*used = i;
			return M_YES; /* the body ends with the delimiter */
		}
		NEED(i);
		if (p[i] != ' ' && p[i] != '\t')
			break;
		/* Transport padding (RFC 2046 section 5.1.1) is bounded here;
		 * a longer run makes the line an ordinary one. */
		if (++pad > CACHET_MIME_MAX_PADDING)
			return M_NO;
		i++;
	}
	if (p[i] == '\n') {
		*used = i + 1;
		return M_YES;
	}
	if (p[i] == '\r') {
		NEED(i + 1);
		if (p[i + 1] != '\n')
			return M_NO;
		*used = i + 2;
		return M_YES;
	}
	return M_NO;
#undef NEED
}

/* Move the unread octets to the front and read more after them. */
static int fill(cachet_mime_split_t *sp)
{
	if (sp->pos) {
		memmove(sp->buf, sp->buf + sp->pos, sp->len - sp->pos);
		sp->base += sp->pos;
		sp->len -= sp->pos;
		sp->pos = 0;
	}
	if (sp->eof || sp->len == sizeof(sp->buf))
		return 0;
	long n = _cachet_source_read(sp->body, sp->buf + sp->len, sizeof(sp->buf) - sp->len);
	if (n < 0)
		return sp->err = (int)n;
	if (n == 0)
		sp->eof = true;
	sp->len += (size_t)n;
	return 0;
}

/* The input ended inside the preamble or a part. */
static int split_truncated(cachet_mime_split_t *sp)
{
	if (sp->seg == SEG_PREAMBLE)
		_cachet_diag_push(sp->diag, CACHET_E_MALFORMED, "multipart", RULE_MP,
				  "the boundary \"%s\" never occurs as a delimiter line "
				  "(multipart depth %u)",
				  sp->boundary, sp->depth);
	else
		_cachet_diag_push(sp->diag, CACHET_E_MALFORMED, "multipart", RULE_MP,
				  "the body ends without the close delimiter \"--%s--\" "
				  "(multipart depth %u, part %zu)",
				  sp->boundary, sp->depth, sp->nparts);
	return sp->err = CACHET_E_MALFORMED;
}

/* A delimiter was found at sp->pos, USED octets long. */
static int end_segment(cachet_mime_split_t *sp, size_t used, bool close, cachet_mime_eol_t eol)
{
	uint64_t at = sp->base + sp->pos;
	if (sp->seg == SEG_PART && sp->nparts) {
		sp->parts[sp->nparts - 1].end = at;
		sp->parts[sp->nparts - 1].eol = eol;
	}
	sp->pos += used;
	sp->seg_done = true;
	sp->at_start = false;
	if (close) {
		sp->closed = true;
		sp->close_off = at;
		sp->epi_off = sp->base + sp->pos;
	} else {
		if (sp->nparts == sp->cap) {
			size_t ncap = sp->cap ? sp->cap * 2 : 8;
			cachet_mime_part_info_t *np = realloc(sp->parts, ncap * sizeof(*np));
			if (np == NULL)
				return sp->err = CACHET_E_NOMEM;
			sp->parts = np;
			sp->cap = ncap;
		}
		if (sp->nparts == CACHET_MIME_MAX_PARTS) {
			_cachet_diag_push(sp->diag, CACHET_E_COUNT_LIMIT, "multipart", RULE_MP,
					  "more than %u body parts", CACHET_MIME_MAX_PARTS);
			return sp->err = CACHET_E_COUNT_LIMIT;
		}
		cachet_mime_part_info_t *pi = &sp->parts[sp->nparts++];
		pi->delim = at;
		pi->start = sp->base + sp->pos;
		pi->end = pi->start;
		pi->eol = CACHET_MIME_EOL_NONE;
	}
	return 0;
}

/* Read up to LEN octets of the current segment into OUT (NULL: skip
 * them); 0 at its end. */
static long seg_read(cachet_mime_split_t *sp, uint8_t *out, size_t len)
{
	size_t got = 0;
	int ret;

	if (sp->err)
		return sp->err;
	while (got < len && !sp->seg_done) {
		if (sp->pos == sp->len) {
			if (sp->eof) {
				if (sp->seg == SEG_EPILOGUE) {
					sp->seg_done = true;
					break;
				}
				return split_truncated(sp);
			}
			if ((ret = fill(sp)) < 0)
				return ret;
			continue;
		}
		if (sp->seg == SEG_EPILOGUE) {
			size_t n = sp->len - sp->pos;
			if (n > len - got)
				n = len - got;
			if (out)
				memcpy(out + got, sp->buf + sp->pos, n);
			got += n;
			sp->pos += n;
			continue;
		}
		size_t used = 0;
		bool close;
		cachet_mime_eol_t eol;
		if (sp->at_start) {
			match_t m = match_delim(sp, sp->buf + sp->pos, sp->len - sp->pos, true, &used,
						&close, &eol);
			if (m == M_MORE) {
				if ((ret = fill(sp)) < 0)
					return ret;
				continue;
			}
			sp->at_start = false;
			if (m == M_YES) {
				if ((ret = end_segment(sp, used, close, eol)) < 0)
					return ret;
				break;
			}
		}
		/* Octets up to the next CR or LF cannot start a delimiter. */
		size_t end = sp->pos, lim = sp->len;
		if (lim - sp->pos > len - got)
			lim = sp->pos + (len - got);
		while (end < lim && sp->buf[end] != '\r' && sp->buf[end] != '\n')
			end++;
		if (end > sp->pos) {
			if (out)
				memcpy(out + got, sp->buf + sp->pos, end - sp->pos);
			got += end - sp->pos;
			sp->pos = end;
			continue;
		}
		match_t m = match_delim(sp, sp->buf + sp->pos, sp->len - sp->pos, false, &used,
					&close, &eol);
		if (m == M_MORE) {
			if ((ret = fill(sp)) < 0)
				return ret;
			continue;
		}
		if (m == M_YES) {
			if ((ret = end_segment(sp, used, close, eol)) < 0)
				return ret;
			break;
		}
		if (out)
			out[got] = sp->buf[sp->pos];
		got++;
		sp->pos++;
	}
	return (long)got;
}

static long seg_source_read(void *opaque, uint8_t *buf, size_t len)
{
	return seg_read(opaque, buf, len);
}

int _cachet_mime_split_init(cachet_mime_split_t **spp, cachet_source_t *body,
			    const char *boundary, unsigned depth, cachet_diag_t *diag)
{
	int ret = 0;
	size_t blen = boundary ? strlen(boundary) : 0;

	*spp = NULL;
	ENSURE(depth < CACHET_MIME_MAX_DEPTH, CACHET_E_DEPTH_LIMIT, RULE_MP, "multipart",
	       "multiparts nest deeper than %u", CACHET_MIME_MAX_DEPTH);
	ENSURE(blen >= 1 && blen <= CACHET_MIME_MAX_BOUNDARY, CACHET_E_MALFORMED, RULE_MP,
	       "multipart", "the boundary has %zu characters; it must have 1 to %u", blen,
	       CACHET_MIME_MAX_BOUNDARY);
	for (size_t i = 0; i < blen; i++)
		ENSURE((uint8_t)boundary[i] >= 32 && (uint8_t)boundary[i] < 127, CACHET_E_MALFORMED,
		       RULE_MP, "multipart", "octet 0x%02x in the boundary",
		       (uint8_t)boundary[i]);
	cachet_mime_split_t *sp = _cachet_calloc(1, sizeof(*sp));
	if (sp == NULL)
		return CACHET_E_NOMEM;
	sp->body = body;
	sp->diag = diag;
	memcpy(sp->boundary, boundary, blen + 1);
	sp->blen = blen;
	sp->depth = depth;
	sp->seg = SEG_PREAMBLE;
	sp->at_start = true;
	*spp = sp;
cleanup:
	return ret;
}

void _cachet_mime_split_deinit(cachet_mime_split_t *sp)
{
	if (sp == NULL)
		return;
	cachet_source_deinit(sp->cur);
	free(sp->parts);
	free(sp);
}

static int new_segment_source(cachet_mime_split_t *sp, cachet_source_t **out)
{
	cachet_source_deinit(sp->cur);
	sp->cur = NULL;
	int ret = _cachet_source_init_internal(&sp->cur, seg_source_read, NULL, sp);
	*out = sp->cur;
	return ret;
}

int _cachet_mime_split_preamble(cachet_mime_split_t *sp, cachet_source_t **pre)
{
	if (sp->seg != SEG_PREAMBLE || sp->cur != NULL)
		return CACHET_E_BAD_STATE;
	return new_segment_source(sp, pre);
}

/* Read the rest of the current segment, throwing it away. */
static int skip_segment(cachet_mime_split_t *sp)
{
	while (!sp->seg_done) {
		long n = seg_read(sp, NULL, SIZE_MAX);
		if (n < 0)
			return (int)n;
	}
	return 0;
}

int _cachet_mime_split_next(cachet_mime_split_t *sp, cachet_source_t **part)
{
	int ret;
	*part = NULL;
	if (sp->err)
		return sp->err;
	if (sp->seg == SEG_EPILOGUE)
		return CACHET_E_END;
	CHECK_RET(skip_segment(sp));
	cachet_source_deinit(sp->cur);
	sp->cur = NULL;
	if (sp->closed) {
		sp->seg = SEG_EPILOGUE;
		sp->seg_done = false;
		return CACHET_E_END;
	}
	sp->seg = SEG_PART;
	sp->seg_done = false;
	/* A delimiter line right after the one before: an empty part. */
	sp->at_start = true;
	return new_segment_source(sp, part);
}

int _cachet_mime_split_epilogue(cachet_mime_split_t *sp, cachet_source_t **epi)
{
	*epi = NULL;
	if (sp->seg != SEG_EPILOGUE || sp->cur != NULL)
		return CACHET_E_BAD_STATE;
	return new_segment_source(sp, epi);
}

size_t _cachet_mime_split_count(const cachet_mime_split_t *sp)
{
	return sp->nparts;
}

int _cachet_mime_split_info(const cachet_mime_split_t *sp, size_t i,
			    cachet_mime_part_info_t *info)
{
	if (i >= sp->nparts)
		return CACHET_E_END;
	*info = sp->parts[i];
	return 0;
}

uint64_t _cachet_mime_split_close_offset(const cachet_mime_split_t *sp)
{
	return sp->close_off;
}

uint64_t _cachet_mime_split_epilogue_offset(const cachet_mime_split_t *sp)
{
	return sp->epi_off;
}
