/* SPDX-License-Identifier: ISC */
/*
 * Parsed records across a set of log inputs (lib/logset.h: files, "-",
 * directories, rotated sets oldest first): parses every line, attaches
 * continuation lines to the entry they belong to and joins syslog [n/m]
 * pieces. The stream owns its log set and a few fixed buffers (no
 * allocation per line); the record it fills, and every view in it, is
 * valid until the next sift_stream_next() or sift_stream_close(). The
 * caller owns the stream until sift_stream_close(), which accepts NULL.
 */
#ifndef SIFT_STREAM_H
#define SIFT_STREAM_H

#include <stdint.h>

#include <stdbool.h>

#include "err.h"
#include "logset.h"
#include "parse.h"

struct sift_reader;

/* Longest syslog-split line the stream puts back together. */
#define SIFT_STREAM_ASM_MAX	(16 * 1024)

struct sift_stream;

struct sift_stream_opts {
	struct sift_parse_opts	parse;
	size_t			max_line;	/* reader cap; 0: default */
	/*
	 * 0 or 1: read and decode in the calling thread; 2 or more: a
	 * worker thread of the log set reads and decompresses ahead.
	 */
	unsigned		threads;
	bool			no_sort;	/* keep the operand order */
};

/* A stream with no inputs yet; opts may be NULL. */
struct sift_stream *sift_stream_new(const struct sift_stream_opts *opts);
/*
 * Add an operand (see sift_logset_add(): -1 with err only for a directory
 * that cannot be read; an unopenable file is reported in its turn).
 */
SIFT_NODISCARD int sift_stream_add(struct sift_stream *s,
	    const char *operand, struct sift_err *err);
/*
 * sift_stream_new() and sift_stream_add() of paths[0..n). Returns 0, or
 * -1 with err (and *sp NULL) when an operand cannot be added.
 */
SIFT_NODISCARD int sift_stream_open(struct sift_stream **sp,
	    const char *const *paths, size_t n,
	    const struct sift_stream_opts *opts, struct sift_err *err);

/*
 * Next record. Returns 1 with *rec filled, 0 at the end of the last file,
 * -1 when a file could not be opened or read (err names it, and the line
 * where the damage began); call again to go on with the next file: the
 * good lines of a damaged file have been returned before its error.
 *
 * Records:
 * - Empty lines are skipped.
 * - A continuation line (SIFT_EV_CONTINUATION) gets ts, msgid, ip, pid of
 *   the entry it belongs to, with parent_event and parent_lineno; at the
 *   start of a file, parent_event is SIFT_EV_OTHER and parent_lineno 0.
 * - Syslog pieces cut for length ("[1/3] ... [2/3] ... [3/3]", same host,
 *   pid and count, consecutive) come back as one record parsed from the
 *   joined text (SIFT_REC_ASSEMBLED; line is the first piece's frame plus
 *   every piece's body). A run that breaks off, or exceeds
 *   SIFT_STREAM_ASM_MAX, is returned as far as it got with
 *   SIFT_REC_TRUNC.
 * - In a file whose name contains "panic", records of event other or
 *   error become SIFT_EV_PANIC.
 */
SIFT_NODISCARD int sift_stream_next(struct sift_stream *s,
	    struct sift_rec *rec, struct sift_err *err);

/*
 * Start the first file at a decoded byte offset that begins a line, with
 * lineno lines before it (sift_logset_set_start()). Call before the first
 * sift_stream_next(). Used to read one part of a big file; the parent of a
 * continuation line at offset is then unknown, so put offset at an
 * entry's first line.
 */
void	sift_stream_set_start(struct sift_stream *s, uint64_t offset,
	    uint64_t lineno);

/*
 * Read the first file through reader r (taken over), for lines that are
 * in memory already (sift_reader_mem()); opts.threads must be 0 or 1.
 * Call before the first sift_stream_next().
 */
void	sift_stream_set_reader(struct sift_stream *s, struct sift_reader *r);

/* File name and line number of the last record (or error). */
const char *sift_stream_file(const struct sift_stream *s);
uint64_t sift_stream_lineno(const struct sift_stream *s);
/* Index in the ordered set (sift_logset_path()) of that file. */
size_t	sift_stream_fileidx(const struct sift_stream *s);
/* The log set underneath (count, paths, codec of the current file). */
struct sift_logset *sift_stream_logset(struct sift_stream *s);

void	sift_stream_close(struct sift_stream *s);

#endif
