/* SPDX-License-Identifier: ISC */
/*
 * Stream decompressors behind one table of function pointers, chosen by the
 * magic bytes at the start of the input, never by file name. A codec does no
 * I/O: the caller hands it input bytes and an output window (struct
 * sift_codec_io) and owns both. The context returned by open belongs to the
 * caller until close, which accepts NULL.
 */
#ifndef SIFT_CODEC_H
#define SIFT_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct sift_codec_io {
	const unsigned char	*in;	/* advanced when consumed */
	size_t			 in_n;
	unsigned char		*out;	/* advanced when produced */
	size_t			 out_n;
};

/* Create a decoding context; -1 (err set) on failure. */
typedef int (*sift_codec_open_fn)(void **ctxp, struct sift_err *err);
/*
 * Decode as much of io->in into io->out as fits. eof says that no input
 * follows io->in. Returns 0 to be called again (with more input or more
 * room), 1 once the input has ended cleanly at the end of a member or frame
 * (only when eof is set and everything was produced), -1 on a corrupt or
 * truncated stream, with a short reason such as "unexpected end of file" in
 * err->msg (the caller adds the file name and position). Concatenated
 * members, frames and streams are decoded one after another.
 */
typedef int (*sift_codec_decode_fn)(void *ctx, struct sift_codec_io *io,
    bool eof, struct sift_err *err);
typedef void (*sift_codec_close_fn)(void *ctx);

struct sift_codec {
	const char		*name;		/* "gzip", ... */
	const unsigned char	*magic;
	size_t			 magiclen;
	sift_codec_open_fn	 open;		/* NULL: not built in */
	sift_codec_decode_fn	 decode;
	sift_codec_close_fn	 close;
};

/* The longest magic number; sift_codec_detect() wants this many bytes. */
#define SIFT_CODEC_PEEK	6

extern const struct sift_codec sift_codec_gzip;
extern const struct sift_codec sift_codec_zstd;
extern const struct sift_codec sift_codec_bzip2;
extern const struct sift_codec sift_codec_xz;

/*
 * The codec whose magic starts p[0..n), or NULL for plain text (including
 * an empty input). A codec that was not built in is still detected; its
 * open member is NULL and sift_codec_open() fails with SIFT_E_UNSUPPORTED.
 */
const struct sift_codec *sift_codec_detect(const void *p, size_t n);
/* Look a codec up by name ("gzip", "zstd", "bzip2", "xz"); NULL if unknown. */
const struct sift_codec *sift_codec_byname(const char *name);
SIFT_NODISCARD int sift_codec_open(const struct sift_codec *c, void **ctxp,
	    struct sift_err *err);

/*
 * A decoder: a file descriptor in, decoded bytes out, the codec chosen by the
 * first bytes (peeked bytes are kept, so pipes work). The decoder owns fd
 * and closes it in sift_decoder_close(), which accepts NULL.
 */
struct sift_decoder;

/* Open over fd (taken over even on failure); -1 with err on failure. */
SIFT_NODISCARD int sift_decoder_open(struct sift_decoder **dp, int fd,
	    struct sift_err *err);
/*
 * Up to n decoded bytes into dst. Returns the number of bytes (> 0), 0 at
 * the clean end of the input, -1 on a read error (SIFT_E_IO, err->sys set,
 * err->msg the bare strerror text) or a corrupt or truncated stream
 * (SIFT_E_CODEC, err->msg the bare reason, e.g. "unexpected end of file").
 * Bytes decoded before a failure are returned first; the failure comes on
 * the next call.
 */
SIFT_NODISCARD long sift_decoder_read(struct sift_decoder *d, void *dst,
	    size_t n, struct sift_err *err);
/* Skip n decoded bytes (lseek(2) on a plain seekable file); as read. */
SIFT_NODISCARD int sift_decoder_skip(struct sift_decoder *d, uint64_t n,
	    struct sift_err *err);
/* The codec in use, NULL for plain input. */
const struct sift_codec *sift_decoder_codec(const struct sift_decoder *d);
int	 sift_decoder_fd(const struct sift_decoder *d);
void	 sift_decoder_close(struct sift_decoder *d);

/* Optional codecs: without the library the table entry has no functions. */
#ifdef HAVE_BZ2
#define SIFT_CODEC_BZ2_OPEN	sift_codec_bz2_open
#define SIFT_CODEC_BZ2_DECODE	sift_codec_bz2_decode
#define SIFT_CODEC_BZ2_CLOSE	sift_codec_bz2_close
int	sift_codec_bz2_open(void **, struct sift_err *);
int	sift_codec_bz2_decode(void *, struct sift_codec_io *, bool,
	    struct sift_err *);
void	sift_codec_bz2_close(void *);
#else
#define SIFT_CODEC_BZ2_OPEN	NULL
#define SIFT_CODEC_BZ2_DECODE	NULL
#define SIFT_CODEC_BZ2_CLOSE	NULL
#endif
#ifdef HAVE_LZMA
#define SIFT_CODEC_XZ_OPEN	sift_codec_xz_open
#define SIFT_CODEC_XZ_DECODE	sift_codec_xz_decode
#define SIFT_CODEC_XZ_CLOSE	sift_codec_xz_close
int	sift_codec_xz_open(void **, struct sift_err *);
int	sift_codec_xz_decode(void *, struct sift_codec_io *, bool,
	    struct sift_err *);
void	sift_codec_xz_close(void *);
#else
#define SIFT_CODEC_XZ_OPEN	NULL
#define SIFT_CODEC_XZ_DECODE	NULL
#define SIFT_CODEC_XZ_CLOSE	NULL
#endif

#endif
