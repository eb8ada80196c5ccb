/* SPDX-License-Identifier: ISC */
/* Zero-copy line reader over a decoder (plain, gzip, zstd, bzip2, xz). */
#include "reader.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "codec.h"
#include "feed.h"
#include "xalloc.h"
#include "banned.h"

#define BUFSZ	(256 * 1024)

struct sift_reader {
	char			*name;
	char			*buf;
	size_t			 cap, start, end;
	size_t			 max_line;
	uint64_t		 lineno, offset;
	struct sift_decoder	*dec;		/* direct mode */
	struct sift_feed	*feed;		/* worker thread */
	unsigned		 feedidx;
	bool			 ownfeed;	/* ours to free */
	char			*ownbuf;	/* buf when not fed */
	const char		*codec;
	struct stat		 st;
	bool			 have_st;
	bool			 eof, failed, trunc, skipping;
	struct sift_err		 pending;	/* after good lines */
	bool			 has_pending;
};

static void set_pending(struct sift_reader *, const struct sift_err *);

static struct sift_reader *
reader_new(const char *name, const struct sift_reader_opts *opts)
{
	struct sift_reader *r;

	r = sift_xcalloc(1, sizeof(*r));
	r->name = sift_xstrdup(name);
	r->max_line = opts != NULL && opts->max_line != 0 ? opts->max_line :
	    SIFT_READER_MAX_LINE;
	if (opts != NULL) {
		r->offset = opts->start_offset;
		r->lineno = opts->start_lineno;
	}
	r->codec = "plain";
	return r;
}

int
sift_reader_fdopen(struct sift_reader **rp, int fd, const char *name,
    const struct sift_reader_opts *opts, struct sift_err *err)
{
	struct sift_reader *r;
	struct sift_err e = SIFT_ERR_INIT;
	unsigned threads;

	*rp = NULL;
	r = reader_new(name, opts);
	if (fd < 0 || fstat(fd, &r->st) == -1) {
		sift_err_sys(err, SIFT_E_IO, errno, "%s", name);
		if (fd >= 0)
			close(fd);
		sift_reader_close(r);
		return -1;
	}
	r->have_st = true;
	if (S_ISDIR(r->st.st_mode)) {
		close(fd);
		sift_reader_close(r);
		return sift_err_sys(err, SIFT_E_IO, EISDIR, "%s", name);
	}
	if (sift_decoder_open(&r->dec, fd, &e) == -1) {
		sift_err_set(err, e.code, e.sys, "%s: %s", name, e.msg);
		sift_reader_close(r);
		return -1;
	}
	if (sift_decoder_codec(r->dec) != NULL)
		r->codec = sift_decoder_codec(r->dec)->name;
	threads = opts != NULL ? opts->threads : 0;
	if (threads > 1 || (threads == 0 && sift_decoder_codec(r->dec) !=
	    NULL)) {
		struct sift_feed_file ff = { name, name, r->offset, r->dec };

		/* the worker decodes; failures come from next() */
		r->dec = NULL;
		r->feed = sift_feed_new(&ff, 1, r->max_line, &e);
		if (r->feed == NULL) {
			sift_err_set(err, e.code, e.sys, "%s: %s", name,
			    e.msg);
			sift_reader_close(r);
			return -1;
		}
		r->ownfeed = true;
		*rp = r;
		return 0;
	}
	r->cap = BUFSZ;
	while (r->cap < 2 * r->max_line)
		r->cap *= 2;
	r->buf = r->ownbuf = sift_xmalloc(r->cap);
	if (r->offset > 0 && sift_decoder_skip(r->dec, r->offset, &e) == -1) {
		sift_err_set(err, e.code, e.sys, "%s: %s", name, e.msg);
		sift_reader_close(r);
		return -1;
	}
	*rp = r;
	return 0;
}

int
sift_reader_open(struct sift_reader **rp, const char *path,
    const struct sift_reader_opts *opts, struct sift_err *err)
{
	int fd;

	*rp = NULL;
	if (strcmp(path, "-") == 0) {
		if ((fd = dup(STDIN_FILENO)) == -1)
			return sift_err_sys(err, SIFT_E_IO, errno, "(stdin)");
		return sift_reader_fdopen(rp, fd, "(stdin)", opts, err);
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return sift_err_sys(err, SIFT_E_IO, errno, "%s", path);
	return sift_reader_fdopen(rp, fd, path, opts, err);
}

struct sift_reader *
sift_reader_fed(struct sift_feed *feed, unsigned idx, const char *name,
    const struct sift_reader_opts *opts)
{
	struct sift_reader *r = reader_new(name, opts);

	r->feed = feed;
	r->feedidx = idx;
	r->cap = 0;
	return r;
}

struct sift_reader *
sift_reader_mem(const char *name, const char *codec, char *p, size_t n,
    const struct sift_err *pending, const struct sift_reader_opts *opts)
{
	struct sift_reader *r = reader_new(name, opts);

	if (codec != NULL)
		r->codec = codec;
	r->buf = p;
	r->cap = r->end = n;
	r->eof = true;
	if (pending != NULL && pending->code != SIFT_E_OK) {
		r->has_pending = true;
		r->pending = *pending;
	}
	return r;
}

struct sift_reader *
sift_reader_resume(const char *name, struct sift_decoder *dec, const char *p,
    size_t n, const struct sift_reader_opts *opts)
{
	struct sift_reader *r = reader_new(name, opts);
	struct sift_err e = SIFT_ERR_INIT;
	unsigned threads = opts != NULL ? opts->threads : 0;

	if (sift_decoder_codec(dec) != NULL)
		r->codec = sift_decoder_codec(dec)->name;
	r->cap = BUFSZ;
	while (r->cap < 2 * r->max_line || r->cap < n)
		r->cap *= 2;
	r->buf = r->ownbuf = sift_xmalloc(r->cap);
	if (n > 0)
		memcpy(r->buf, p, n);
	r->end = n;
	if (threads > 1 || (threads == 0 && sift_decoder_codec(dec) !=
	    NULL)) {
		struct sift_feed_file ff = { name, name, 0, dec };

		r->feed = sift_feed_new(&ff, 1, r->max_line, &e);
		if (r->feed != NULL) {
			r->ownfeed = true;
			return r;
		}
		/* no thread: the feed closed dec; report it in turn */
		set_pending(r, &e);
		return r;
	}
	r->dec = dec;
	return r;
}

/* Remember a failure; it is reported once the good lines are out. */
static void
set_pending(struct sift_reader *r, const struct sift_err *e)
{
	r->has_pending = true;
	r->pending = *e;
	r->eof = true;
}

static int
fill(struct sift_reader *r)
{
	struct sift_err e = SIFT_ERR_INIT;
	long n;

	if (r->feed != NULL) {
		if (sift_feed_next(r->feed, r->feedidx, &r->buf, &r->start,
		    &r->end, &r->cap, &e) == 0) {
			if (e.code != SIFT_E_OK)
				set_pending(r, &e);
			else
				r->eof = true;
		}
		return 0;
	}
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->end == r->cap) {
		r->cap *= 2;
		r->buf = r->ownbuf = sift_xrealloc(r->buf, r->cap);
	}
	n = sift_decoder_read(r->dec, r->buf + r->end, r->cap - r->end, &e);
	if (n == -1)
		set_pending(r, &e);
	else if (n == 0)
		r->eof = true;
	else
		r->end += (size_t)n;
	return 0;
}

static int
report(struct sift_reader *r, struct sift_err *err)
{
	const struct sift_err *e = &r->pending;

	r->failed = true;
	r->has_pending = false;
	if (e->code == SIFT_E_CODEC) {
		if (r->lineno > 0)
			return sift_err_set(err, e->code, e->sys,
			    "%s: %s: %s after line %llu", r->name,
			    sift_reader_codec(r),
			    e->msg, (unsigned long long)r->lineno);
		return sift_err_set(err, e->code, e->sys, "%s: %s: %s",
		    r->name, sift_reader_codec(r), e->msg);
	}
	if (r->lineno > 0)
		return sift_err_set(err, e->code, e->sys,
		    "%s: read error after line %llu: %s", r->name,
		    (unsigned long long)r->lineno, e->msg);
	return sift_err_set(err, e->code, e->sys, "%s: %s", r->name, e->msg);
}

static inline int
reader_next(struct sift_reader *r, struct sift_str *line,
    struct sift_err *err)
{
	char *nl;
	size_t len;

	if (r->failed)
		return 0;
	r->trunc = false;
	for (;;) {
		nl = r->end > r->start ?
		    memchr(r->buf + r->start, '\n', r->end - r->start) : NULL;
		len = nl != NULL ? (size_t)(nl - (r->buf + r->start)) :
		    r->end - r->start;
		if (r->skipping) {
			r->start += nl != NULL ? len + 1 : len;
			r->offset += nl != NULL ? len + 1 : len;
			if (nl != NULL)
				r->skipping = false;
			else if (r->eof) {
				len = 0;
				break;
			}
			else
				(void)fill(r);
			continue;
		}
		/* up to max_line bytes wait for their newline */
		if (nl == NULL && len <= r->max_line && !r->eof) {
			(void)fill(r);
			continue;
		}
		break;
	}
	if (nl == NULL && (len == 0 || (r->has_pending && len <= r->max_line))) {
		/*
		 * The end; a partial line before damage is dropped. (One over
		 * max_line was delivered cut, the damage unseen yet, when read
		 * chunk by chunk: lines in memory go the same way.)
		 */
		if (r->has_pending)
			return report(r, err);
		return 0;
	}
	line->p = r->buf + r->start;
	if (len > r->max_line) {
		line->n = r->max_line;
		r->trunc = true;
		r->start += r->max_line;
		r->offset += r->max_line;
		r->skipping = true;
	} else {
		line->n = len;
		r->start += nl != NULL ? len + 1 : len;
		r->offset += nl != NULL ? len + 1 : len;
	}
	if (line->n > 0 && line->p[line->n - 1] == '\r')
		line->n--;
	r->lineno++;
	return 1;
}

int
sift_reader_next(struct sift_reader *r, struct sift_str *line,
    struct sift_err *err)
{
	return reader_next(r, line, err);
}

int
sift_reader_next_at(struct sift_reader *r, struct sift_str *line,
    struct sift_err *err, uint64_t *lineno, bool *trunc)
{
	int rc = reader_next(r, line, err);

	*lineno = r->lineno;
	*trunc = r->trunc;
	return rc;
}

bool
sift_reader_truncated(const struct sift_reader *r)
{
	return r->trunc;
}

const char *
sift_reader_name(const struct sift_reader *r)
{
	return r->name;
}

uint64_t
sift_reader_lineno(const struct sift_reader *r)
{
	return r->lineno;
}

uint64_t
sift_reader_offset(const struct sift_reader *r)
{
	return r->offset;
}

const char *
sift_reader_codec(const struct sift_reader *r)
{
	if (r->feed != NULL && !r->ownfeed)
		return sift_feed_codec(r->feed, r->feedidx);
	return r->codec;
}

int
sift_reader_fstat(const struct sift_reader *r, struct stat *st)
{
	if (!r->have_st && r->feed != NULL)
		return sift_feed_fstat(r->feed, r->feedidx, st);
	if (!r->have_st) {
		errno = EBADF;
		return -1;
	}
	*st = r->st;
	return 0;
}

void
sift_reader_close(struct sift_reader *r)
{
	if (r == NULL)
		return;
	if (r->ownfeed) {
		sift_feed_free(r->feed);
		r->feed = NULL;
	}
	if (r->feed != NULL)
		sift_feed_done(r->feed, r->feedidx);
	sift_decoder_close(r->dec);
	free(r->name);
	free(r->ownbuf);
	free(r);
}

/* Newlines in p[0..n): 16 bytes at a time where SSE2 is there. */
uint64_t
sift_count_nl(const char *p, size_t n)
{
	uint64_t c = 0;
	size_t i = 0;

#ifdef __SSE2__
	const __m128i nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
	__m128i acc, x;
	size_t k;

	while (n - i >= 16) {
		/* byte counters, summed before they can wrap (255 rounds) */
		acc = zero;
		for (k = 0; k < 255 && n - i >= 16; k++, i += 16) {
			x = _mm_loadu_si128((const __m128i *)(const void *)
			    (p + i));
			acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(x, nl));
		}
		acc = _mm_sad_epu8(acc, zero);
		c += (uint64_t)_mm_cvtsi128_si32(acc) +
		    (uint64_t)_mm_cvtsi128_si32(_mm_srli_si128(acc, 8));
	}
#endif
	for (; i < n; i++)
		c += p[i] == '\n';
	return c;
}
