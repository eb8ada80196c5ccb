/* SPDX-License-Identifier: ISC */
/*
 * A plain (uncompressed) regular file mapped whole into memory, and its
 * lines read exactly as sift_reader_next() reads them (a line is cut at
 * max_line bytes and the rest of it skipped; a trailing "\r" is dropped),
 * from any line boundary on, so that a big log can be cut into pieces
 * read at once. No copy, no allocation per line. The mapping belongs to
 * the caller until sift_mapfile_close(). A file that shrinks while mapped
 * raises SIGBUS on access: a caller that cannot rule that out catches it.
 */
#ifndef SIFT_MAPFILE_H
#define SIFT_MAPFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "str.h"

struct sift_mapfile;

/*
 * Map path when it is a non-empty regular file whose first bytes are no
 * compression magic. Returns 1 (*mp set), 0 when it is not such a file
 * (read it with sift_reader instead), -1 on error (err says which).
 */
SIFT_NODISCARD int sift_mapfile_open(struct sift_mapfile **mp,
	    const char *path, struct sift_err *err);
const char *sift_mapfile_data(const struct sift_mapfile *m);
size_t	 sift_mapfile_size(const struct sift_mapfile *m);
/* The first line start at or after off (the size at the end). */
size_t	 sift_mapfile_line_at(const struct sift_mapfile *m, size_t off);
/* The number of "\n" in [from, to). */
size_t	 sift_mapfile_count_range(const struct sift_mapfile *m, size_t from,
	    size_t to);
void	 sift_mapfile_close(struct sift_mapfile *m);

/* Lines of [from, to), both line starts (or the size). */
struct sift_maplines {
	const struct sift_mapfile *m;
	size_t	 pos, to, max_line;
	size_t	 released;	/* pages before this are given back */
	size_t	 populated;	/* pages before this are mapped */
	size_t	 pg;		/* the page size */
};

void	 sift_maplines_init(struct sift_maplines *it,
	    const struct sift_mapfile *m, size_t from, size_t to,
	    size_t max_line);
/*
 * Next line, as sift_reader_next() with max_line (0: SIFT_READER_MAX_LINE)
 * returns it. Returns 1 (line set, *used the bytes it took: the line, the
 * skipped rest of a cut one, its "\n"; *cut whether it was cut) or 0 at
 * the end. Memory pages behind are given back now and then.
 */
int	 sift_maplines_next(struct sift_maplines *it, struct sift_str *line,
	    size_t *used, bool *cut);

#endif
