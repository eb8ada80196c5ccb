/* SPDX-License-Identifier: ISC */
/* A plain regular file mapped whole; its lines as the reader reads them. */
#include "mapfile.h"

#include <sys/mman.h>
#include <sys/stat.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "reader.h"
#include "xalloc.h"
#include "banned.h"

/* Mapped pages already read are given back by this much. */
#define RELEASE_STEP	(32u << 20)
/* Pages ahead are mapped by this much (fewer faults than one by one). */
#define POPULATE_STEP	(4u << 20)

struct sift_mapfile {
	const char	*p;
	size_t		 n;
};

int
sift_mapfile_open(struct sift_mapfile **mp, const char *path,
    struct sift_err *err)
{
	struct sift_mapfile *m;
	struct stat st;
	void *p;
	int fd;

	*mp = NULL;
	if (strcmp(path, "-") == 0)
		return 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return sift_err_sys(err, SIFT_E_IO, errno, "%s", path);
	if (fstat(fd, &st) == -1) {
		sift_err_sys(err, SIFT_E_IO, errno, "%s", path);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uintmax_t)st.st_size > SIZE_MAX / 2) {
		close(fd);
		return 0;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return 0;	/* the reader copes */
	if (sift_codec_detect(p, (size_t)st.st_size < SIFT_CODEC_PEEK ?
	    (size_t)st.st_size : SIFT_CODEC_PEEK) != NULL) {
		munmap(p, (size_t)st.st_size);
		return 0;
	}
	m = sift_xcalloc(1, sizeof(*m));
	m->p = p;
	m->n = (size_t)st.st_size;
	*mp = m;
	return 1;
}

const char *
sift_mapfile_data(const struct sift_mapfile *m)
{
	return m->p;
}

size_t
sift_mapfile_size(const struct sift_mapfile *m)
{
	return m->n;
}

size_t
sift_mapfile_line_at(const struct sift_mapfile *m, size_t off)
{
	const char *nl;

	if (off == 0)
		return 0;
	if (off >= m->n)
		return m->n;
	nl = memchr(m->p + off - 1, '\n', m->n - (off - 1));
	return nl != NULL ? (size_t)(nl - m->p) + 1 : m->n;
}

size_t
sift_mapfile_count_range(const struct sift_mapfile *m, size_t from,
    size_t to)
{
	if (to > m->n)
		to = m->n;
	if (from >= to)
		return 0;
	return (size_t)sift_count_nl(m->p + from, to - from);
}

void
sift_mapfile_close(struct sift_mapfile *m)
{
	if (m == NULL)
		return;
	munmap((void *)(uintptr_t)m->p, m->n);
	free(m);
}

void
sift_maplines_init(struct sift_maplines *it, const struct sift_mapfile *m,
    size_t from, size_t to, size_t max_line)
{
	long pg = sysconf(_SC_PAGESIZE);

	it->m = m;
	it->pos = from;
	it->to = to < m->n ? to : m->n;
	it->max_line = max_line != 0 ? max_line : SIFT_READER_MAX_LINE;
	/* whole pages of ours only: a neighbour may still read its own */
	if (pg <= 0)
		pg = 4096;
	it->pg = (size_t)pg;
	it->released = (from + it->pg - 1) / it->pg * it->pg;
	it->populated = from / it->pg * it->pg;
}

/* Give back mapped pages read already (the page cache keeps them). */
static void
release(struct sift_maplines *it)
{
	size_t upto = it->pos / it->pg * it->pg;

	if (upto > it->released) {
		(void)madvise((char *)(uintptr_t)it->m->p + it->released,
		    upto - it->released, MADV_DONTNEED);
		it->released = upto;
	}
}

/* Map the pages of the next step ahead at once. */
static void
populate(struct sift_maplines *it)
{
	size_t upto = it->populated + POPULATE_STEP;

	if (upto > it->to)
		upto = it->to;
#ifdef MADV_POPULATE_READ
	(void)madvise((char *)(uintptr_t)it->m->p + it->populated,
	    upto - it->populated, MADV_POPULATE_READ);
#endif
	it->populated = upto / it->pg * it->pg;
	if (upto == it->to)
		it->populated = it->to;
}

/*
 * memchr(s, '\n', n) for the short spans that log lines are: inline, 16
 * bytes a turn, never reading past s + n.
 */
static inline const char *
find_nl(const char *s, size_t n)
{
#ifdef __SSE2__
	const __m128i nl = _mm_set1_epi8('\n');
	size_t i = 0;

	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)
		    (s + i));
		unsigned mk = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v,
		    nl));

		if (mk != 0)
			return s + i + (unsigned)__builtin_ctz(mk);
	}
	return memchr(s + i, '\n', n - i);
#else
	return memchr(s, '\n', n);
#endif
}

int
sift_maplines_next(struct sift_maplines *it, struct sift_str *line,
    size_t *used, bool *cut)
{
	const char *s, *nl;
	size_t len, left;

	if (it->pos >= it->to) {
		release(it);	/* all of ours at the end */
		return 0;
	}
	if (it->pos >= it->released + RELEASE_STEP)
		release(it);
	if (it->pos + POPULATE_STEP / 2 >= it->populated &&
	    it->populated < it->to)
		populate(it);
	s = it->m->p + it->pos;
	left = it->to - it->pos;
	nl = find_nl(s, left);
	len = nl != NULL ? (size_t)(nl - s) : left;
	*used = nl != NULL ? len + 1 : len;
	*cut = len > it->max_line;
	line->p = s;
	line->n = *cut ? it->max_line : len;
	if (line->n > 0 && s[line->n - 1] == '\r')
		line->n--;
	it->pos += *used;
	return 1;
}
