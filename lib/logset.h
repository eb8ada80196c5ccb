/* SPDX-License-Identifier: ISC */
/*
 * A set of log inputs read as one stream of lines, each rotated set oldest
 * first. Operands are files, "-" (standard input) and directories; a
 * directory stands for the Exim logs in it: regular files whose name, less
 * a compression suffix (.gz .zst .bz2 .xz) and a rotation suffix, ends in
 * "mainlog", "rejectlog" or "paniclog" (Exim's and Debian's mainlog,
 * rejectlog, paniclog; cPanel's exim_mainlog ...), main logs first.
 *
 * Files are grouped by directory and base name (mainlog.2.gz and mainlog
 * are one set) in the order the groups first appear, and each group is
 * ordered: date-stamped names ascending (logrotate's mainlog-20250425 and
 * mainlog.20250425, Exim's %D mainlog20250425 and %M mainlog202504), then
 * numbered names by descending number (mainlog.10.gz ... mainlog.1), then
 * the live file, whatever the order of the operands. The compression is
 * still detected from the content, never from the name.
 *
 * Lines are views into a buffer owned by the set, valid until the next
 * sift_logset_next(); the set copies the names it is given and belongs to
 * the caller until sift_logset_free(), which accepts NULL.
 */
#ifndef SIFT_LOGSET_H
#define SIFT_LOGSET_H

#include <sys/stat.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "str.h"

struct sift_logset;
struct sift_reader;

struct sift_logset_opts {
	size_t		max_line;	/* 0: SIFT_READER_MAX_LINE */
	/*
	 * 1: read and decode in the calling thread (tests, fuzzing); any
	 * other value: a worker thread reads and decompresses ahead (the
	 * next files too) while the caller consumes lines, in a bounded
	 * queue of chunks.
	 */
	unsigned	threads;
	bool		no_sort;	/* keep the operand order */
};

struct sift_logset *sift_logset_new(const struct sift_logset_opts *opts);
/*
 * Add an operand. A directory is expanded at once (-1 with err if it
 * cannot be read); a file that cannot be opened is kept and reported by
 * sift_logset_next() in its turn, so the other files are still read.
 */
SIFT_NODISCARD int sift_logset_add(struct sift_logset *ls,
	    const char *operand, struct sift_err *err);
/* The ordered list (fixed once this or sift_logset_next() is called). */
size_t	 sift_logset_count(struct sift_logset *ls);
const char *sift_logset_path(struct sift_logset *ls, size_t i);
/*
 * Resume file i at a decoded byte offset, with start_lineno lines before it
 * (see struct sift_reader_opts). Call before the first sift_logset_next().
 */
void	 sift_logset_set_start(struct sift_logset *ls, size_t i,
	    uint64_t offset, uint64_t lineno);
/*
 * Read file i (the first to be read) through reader r, taken over, instead
 * of opening it (see sift_reader_mem()). Call before the first
 * sift_logset_next(); with opts.threads 1.
 */
void	 sift_logset_set_reader(struct sift_logset *ls, size_t i,
	    struct sift_reader *r);
/*
 * Next line of the set: 1 for a line, 0 after the last file, -1 for an
 * error in the current file (err names it, and the line or offset); the
 * next call goes on with the next file.
 */
SIFT_NODISCARD int sift_logset_next(struct sift_logset *ls,
	    struct sift_str *line, struct sift_err *err);
/*
 * sift_logset_next() that also gives the index of the file, the line
 * number (sift_logset_lineno()) and the truncation flag of the line.
 */
SIFT_NODISCARD int sift_logset_next_at(struct sift_logset *ls,
	    struct sift_str *line, struct sift_err *err, size_t *idx,
	    uint64_t *lineno, bool *trunc);
/*
 * About the current file (the one of the last line or error); the name is
 * the path as given, "(stdin)" for "-".
 */
const char *sift_logset_name(const struct sift_logset *ls);
size_t	 sift_logset_index(const struct sift_logset *ls);
uint64_t sift_logset_lineno(const struct sift_logset *ls);
uint64_t sift_logset_offset(const struct sift_logset *ls);
bool	 sift_logset_truncated(const struct sift_logset *ls);
const char *sift_logset_codec(const struct sift_logset *ls);
/* fstat(2) of the current raw file; 0 or -1. */
int	 sift_logset_fstat(const struct sift_logset *ls, struct stat *st);
void	 sift_logset_free(struct sift_logset *ls);

/*
 * Rotation key of a file name (exposed for tests): the base name less the
 * compression and rotation suffixes goes to base[0..*baselen); *kind is 0
 * for a dated name, 1 numbered, 2 live; *key the date (YYYYMMDD, %M as
 * YYYYMM00) or number.
 */
void	 sift_logset_rotkey(const char *name, size_t *baselen, int *kind,
	    uint64_t *key);

#endif
