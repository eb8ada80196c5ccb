/* SPDX-License-Identifier: ISC */
/*
 * A worker thread that opens, reads and decodes a list of files in order
 * into a bounded ring of chunks, so that decompression runs on another core
 * while the caller splits and parses lines. Used by logset through
 * sift_reader_fed(); memory is bounded by nchunks * chunk size. The feed
 * copies the paths it is given; sift_feed_free() stops the worker and frees
 * everything, and accepts NULL.
 */
#ifndef SIFT_FEED_H
#define SIFT_FEED_H

#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "err.h"

struct sift_feed;

struct sift_feed_file {
	const char	*path;		/* "-": standard input */
	const char	*name;		/* for messages */
	uint64_t	 skip;		/* decoded bytes to skip first */
	/* not NULL: read this open decoder (the feed closes it) */
	struct sift_decoder *dec;
};

/*
 * Start the worker over files[0..n). headroom is the most bytes of an
 * unfinished line the consumer carries into the next chunk (max_line).
 * Returns NULL with err set if the thread cannot be started. The feed takes
 * over the decoders given in files[].dec, even when it fails.
 */
struct sift_feed *sift_feed_new(const struct sift_feed_file *files, size_t n,
	    size_t headroom, struct sift_err *err);
/*
 * Consumer side, for file idx (files are consumed in order): move the
 * unconsumed bytes buf[*start..*end) in front of the next chunk and point
 * *buf, *start, *end and *cap at it. Returns 1 with more data, 0 at the
 * end of file idx, leaving the buffer as it was; then err->code is
 * SIFT_E_OK at a clean end, else the failure (bare message, no file name).
 */
int	sift_feed_next(struct sift_feed *f, unsigned idx, char **buf,
	    size_t *start, size_t *end, size_t *cap, struct sift_err *err);
/* Codec name of file idx ("plain" until known). */
const char *sift_feed_codec(struct sift_feed *f, unsigned idx);
/* fstat of file idx once the worker opened it (waits for that); 0 or -1. */
int	sift_feed_fstat(struct sift_feed *f, unsigned idx, struct stat *st);
/* The consumer is finished with file idx: drop its remaining chunks. */
void	sift_feed_done(struct sift_feed *f, unsigned idx);
/* Tell the worker to stop soon (files not yet consumed are dropped). */
void	sift_feed_stop(struct sift_feed *f);
void	sift_feed_free(struct sift_feed *f);

#endif
