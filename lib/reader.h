/* SPDX-License-Identifier: ISC */
/*
 * Line reader over a file, standard input or a descriptor, decoding gzip,
 * zstd, bzip2 and xz by magic bytes. Every struct sift_str returned by
 * sift_reader_next() points into the reader's buffer and is valid until the
 * next call on that reader. The caller owns the reader until
 * sift_reader_close().
 */
#ifndef SIFT_READER_H
#define SIFT_READER_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "str.h"

#define SIFT_READER_MAX_LINE	(64 * 1024)

struct sift_reader;

struct sift_reader_opts {
	size_t	max_line;	/* 0: SIFT_READER_MAX_LINE */
};

/* path "-" reads standard input (named "(stdin)" in messages). */
SIFT_NODISCARD int sift_reader_open(struct sift_reader **rp,
	    const char *path, const struct sift_reader_opts *opts,
	    struct sift_err *err);
/* Read from fd, which the reader closes; name is used in messages. */
SIFT_NODISCARD int sift_reader_fdopen(struct sift_reader **rp, int fd,
	    const char *name, const struct sift_reader_opts *opts,
	    struct sift_err *err);
/*
 * Next line without its "\n" (and a trailing "\r"). Returns 1 for a line,
 * 0 at the end, -1 on error (err names the file and line); after an error
 * the reader only returns 0. A line longer than max_line is delivered cut
 * to max_line with sift_reader_truncated() true; the rest is skipped.
 */
SIFT_NODISCARD int sift_reader_next(struct sift_reader *r,
	    struct sift_str *line, struct sift_err *err);
bool	 sift_reader_truncated(const struct sift_reader *r);
const char *sift_reader_name(const struct sift_reader *r);
uint64_t sift_reader_lineno(const struct sift_reader *r);
/* Bytes of decoded input consumed so far. */
uint64_t sift_reader_offset(const struct sift_reader *r);
/* "plain", "gzip", "zstd", "bzip2" or "xz". */
const char *sift_reader_codec(const struct sift_reader *r);
void	 sift_reader_close(struct sift_reader *r);

#endif
