/* SPDX-License-Identifier: ISC */
/* Zero-copy line reader (plain input; codecs are added by codec.c). */
#include "reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"
#include "banned.h"

#define BUFSZ	(256 * 1024)

struct sift_reader {
	int		 fd;
	char		*name;
	char		*buf;
	size_t		 cap, start, end;
	size_t		 max_line;
	uint64_t	 lineno, offset;
	bool		 eof, failed, trunc, skipping;
};

int
sift_reader_fdopen(struct sift_reader **rp, int fd, const char *name,
    const struct sift_reader_opts *opts, struct sift_err *err)
{
	struct sift_reader *r;

	(void)err;
	r = sift_xcalloc(1, sizeof(*r));
	r->fd = fd;
	r->name = sift_xstrdup(name);
	r->cap = BUFSZ;
	r->buf = sift_xmalloc(r->cap);
	r->max_line = opts != NULL && opts->max_line != 0 ? opts->max_line :
	    SIFT_READER_MAX_LINE;
	*rp = r;
	return 0;
}

int
sift_reader_open(struct sift_reader **rp, const char *path,
    const struct sift_reader_opts *opts, struct sift_err *err)
{
	int fd;

	*rp = NULL;
	if (strcmp(path, "-") == 0)
		return sift_reader_fdopen(rp, dup(STDIN_FILENO), "(stdin)",
		    opts, err);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return sift_err_sys(err, SIFT_E_IO, errno, "%s", path);
	return sift_reader_fdopen(rp, fd, path, opts, err);
}

static int
fill(struct sift_reader *r, struct sift_err *err)
{
	ssize_t n;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->end == r->cap) {
		r->cap *= 2;
		r->buf = sift_xrealloc(r->buf, r->cap);
	}
	do
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		r->failed = true;
		return sift_err_sys(err, SIFT_E_IO, errno, "%s", r->name);
	}
	if (n == 0)
		r->eof = true;
	r->end += (size_t)n;
	return 0;
}

int
sift_reader_next(struct sift_reader *r, struct sift_str *line,
    struct sift_err *err)
{
	char *nl;
	size_t len;

	if (r->failed)
		return 0;
	r->trunc = false;
	for (;;) {
		nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		len = nl != NULL ? (size_t)(nl - (r->buf + r->start)) :
		    r->end - r->start;
		if (r->skipping) {
			r->start += nl != NULL ? len + 1 : len;
			r->offset += nl != NULL ? len + 1 : len;
			if (nl != NULL)
				r->skipping = false;
			else if (r->eof)
				return 0;
			else if (fill(r, err) == -1)
				return -1;
			continue;
		}
		if (nl == NULL && len < r->max_line && !r->eof) {
			if (fill(r, err) == -1)
				return -1;
			continue;
		}
		if (nl == NULL && len == 0)
			return 0;
		break;
	}
	line->p = r->buf + r->start;
	if (len > r->max_line || (nl == NULL && len >= r->max_line &&
	    !r->eof)) {
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
	(void)r;
	return "plain";
}

void
sift_reader_close(struct sift_reader *r)
{
	if (r == NULL)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r->name);
	free(r->buf);
	free(r);
}
