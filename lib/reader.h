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

#include <sys/stat.h>

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "str.h"

#define SIFT_READER_MAX_LINE	(64 * 1024)

struct sift_reader;
struct sift_feed;

struct sift_reader_opts {
	size_t		max_line;	/* 0: SIFT_READER_MAX_LINE */
	/*
	 * Resume: skip start_offset decoded bytes before the first line (a
	 * line boundary recorded from sift_reader_offset()); line numbers
	 * then continue from start_lineno, the lines before that offset.
	 */
	uint64_t	start_offset;
	uint64_t	start_lineno;
	/*
	 * 1: read and decompress in the calling thread (tests, fuzzing).
	 * 2 or more: a worker thread reads and decompresses ahead into a
	 * bounded queue (at most 6 MiB) while the caller splits and parses
	 * lines, so compressed input uses two cores. 0 (the default): the
	 * worker for compressed input, the calling thread for plain text.
	 * Lines and errors are the same either way.
	 */
	unsigned	threads;
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
 * 0 at the end, -1 on error; after an error the reader only returns 0.
 * A corrupt or truncated compressed stream or a read error is reported
 * after every complete line before the damage, as SIFT_E_CODEC
 * ("mainlog.2.gz: gzip: unexpected end of file after line 1234") or
 * SIFT_E_IO; a partial last line before the damage is dropped. A line
 * longer than max_line is delivered cut to max_line with
 * sift_reader_truncated() true; the rest of it is skipped. An empty input
 * is no error. NUL bytes and invalid UTF-8 pass through.
 */
SIFT_NODISCARD int sift_reader_next(struct sift_reader *r,
	    struct sift_str *line, struct sift_err *err);
/* sift_reader_next(), with sift_reader_lineno() and _truncated() after. */
SIFT_NODISCARD int sift_reader_next_at(struct sift_reader *r,
	    struct sift_str *line, struct sift_err *err, uint64_t *lineno,
	    bool *trunc);
bool	 sift_reader_truncated(const struct sift_reader *r);
const char *sift_reader_name(const struct sift_reader *r);
/* Number of the last line returned (counting from opts.start_lineno). */
uint64_t sift_reader_lineno(const struct sift_reader *r);
/* Decoded bytes consumed so far, opts.start_offset included. */
uint64_t sift_reader_offset(const struct sift_reader *r);
/* "plain", "gzip", "zstd", "bzip2" or "xz". */
const char *sift_reader_codec(const struct sift_reader *r);
/* fstat(2) of the raw (compressed) file: device, inode, size; 0 or -1. */
int	 sift_reader_fstat(const struct sift_reader *r, struct stat *st);
void	 sift_reader_close(struct sift_reader *r);

/*
 * A reader over lines already in memory, p[0..n) (not copied: p must
 * outlive the reader), as if they were the decoded bytes of file name
 * from opts->start_offset on, with opts->start_lineno lines before them.
 * codec names the format in messages ("plain" when NULL). When pending
 * is not NULL, it is the failure that followed those bytes (a bare
 * message, as sift_decoder_read() gives it): it is reported after the
 * last complete line, like a damaged file. Never fails.
 */
struct sift_reader *sift_reader_mem(const char *name, const char *codec,
	    char *p, size_t n, const struct sift_err *pending,
	    const struct sift_reader_opts *opts);
struct sift_decoder;
/*
 * A reader that goes on with decoder dec (taken over) after the bytes
 * p[0..n) (copied) that were read from it already; opts as for
 * sift_reader_mem(), opts->threads as for sift_reader_open(). Never fails.
 */
struct sift_reader *sift_reader_resume(const char *name,
	    struct sift_decoder *dec, const char *p, size_t n,
	    const struct sift_reader_opts *opts);

/*
 * Internal to the library (logset): a reader over file idx of a feed whose
 * worker thread reads and decodes it. Never fails; errors come from next().
 */
struct sift_reader *sift_reader_fed(struct sift_feed *feed, unsigned idx,
	    const char *name, const struct sift_reader_opts *opts);

/* The number of "\n" in p[0..n), 16 bytes at a time where SSE2 is there. */
uint64_t sift_count_nl(const char *p, size_t n);

#endif
