/* SPDX-License-Identifier: ISC */
/* Codec table and detection by magic bytes. */
#include "codec.h"

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"

#include "banned.h"

static const unsigned char bz2_magic[] = { 'B', 'Z', 'h' };
static const unsigned char xz_magic[] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };

const struct sift_codec sift_codec_bzip2 = {
	"bzip2", bz2_magic, sizeof(bz2_magic),
	SIFT_CODEC_BZ2_OPEN, SIFT_CODEC_BZ2_DECODE, SIFT_CODEC_BZ2_CLOSE
};

const struct sift_codec sift_codec_xz = {
	"xz", xz_magic, sizeof(xz_magic),
	SIFT_CODEC_XZ_OPEN, SIFT_CODEC_XZ_DECODE, SIFT_CODEC_XZ_CLOSE
};

static const struct sift_codec *const codecs[] = {
	&sift_codec_gzip, &sift_codec_zstd, &sift_codec_bzip2, &sift_codec_xz,
};

const struct sift_codec *
sift_codec_detect(const void *p, size_t n)
{
	for (size_t i = 0; i < SIFT_ARRAY_SIZE(codecs); i++)
		if (n >= codecs[i]->magiclen &&
		    memcmp(p, codecs[i]->magic, codecs[i]->magiclen) == 0)
			return codecs[i];
	return NULL;
}

const struct sift_codec *
sift_codec_byname(const char *name)
{
	for (size_t i = 0; i < SIFT_ARRAY_SIZE(codecs); i++)
		if (strcmp(codecs[i]->name, name) == 0)
			return codecs[i];
	return NULL;
}

int
sift_codec_open(const struct sift_codec *c, void **ctxp, struct sift_err *err)
{
	*ctxp = NULL;
	if (c->open == NULL)
		return sift_err_set(err, SIFT_E_UNSUPPORTED, 0,
		    "%s support not built in", c->name);
	return c->open(ctxp, err);
}

/* Raw input buffer for compressed data. */
#define RAWSZ	(256 * 1024)

struct sift_decoder {
	int			 fd;
	const struct sift_codec	*codec;
	void			*ctx;
	unsigned char		*in;
	size_t			 in_pos, in_len, in_cap;
	bool			 raw_eof;
	bool			 done;
	bool			 failed;
	struct sift_err		 pending;	/* after good bytes */
	bool			 has_pending;
};

static long
raw_read(int fd, void *dst, size_t n, struct sift_err *err)
{
	ssize_t k;

	do
		k = read(fd, dst, n);
	while (k == -1 && errno == EINTR);
	if (k == -1)
		return sift_err_set(err, SIFT_E_IO, errno, "%s",
		    strerror(errno));
	return (long)k;
}

int
sift_decoder_open(struct sift_decoder **dp, int fd, struct sift_err *err)
{
	struct sift_decoder *d;
	long k;

	*dp = NULL;
	d = sift_xcalloc(1, sizeof(*d));
	d->fd = fd;
	/* a hint for files; pipes say ESPIPE, which does not matter */
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	d->in_cap = SIFT_CODEC_PEEK;
	d->in = sift_xmalloc(d->in_cap);
	/* peek: short reads happen on pipes */
	while (d->in_len < SIFT_CODEC_PEEK) {
		k = raw_read(fd, d->in + d->in_len, SIFT_CODEC_PEEK - d->in_len,
		    err);
		if (k == -1)
			goto fail;
		if (k == 0) {
			d->raw_eof = true;
			break;
		}
		d->in_len += (size_t)k;
	}
	d->codec = sift_codec_detect(d->in, d->in_len);
	if (d->codec != NULL) {
		if (sift_codec_open(d->codec, &d->ctx, err) == -1)
			goto fail;
		d->in_cap = RAWSZ;
		d->in = sift_xrealloc(d->in, d->in_cap);
	}
	*dp = d;
	return 0;
fail:
	sift_decoder_close(d);
	return -1;
}

static long
decode(struct sift_decoder *d, unsigned char *dst, size_t n,
    struct sift_err *err)
{
	struct sift_codec_io io;
	long k;
	int rc;

	io.out = dst;
	io.out_n = n;
	for (;;) {
		if (d->in_pos == d->in_len && !d->raw_eof) {
			d->in_pos = d->in_len = 0;
			k = raw_read(d->fd, d->in, d->in_cap, err);
			if (k == -1)
				goto fail;
			if (k == 0)
				d->raw_eof = true;
			d->in_len = (size_t)k;
		}
		io.in = d->in + d->in_pos;
		io.in_n = d->in_len - d->in_pos;
		rc = d->codec->decode(d->ctx, &io, d->raw_eof, err);
		d->in_pos = d->in_len - io.in_n;
		if (rc == -1)
			goto fail;
		if (rc == 1)
			d->done = true;
		if (io.out_n < n || d->done)
			return (long)(n - io.out_n);
	}
fail:
	d->failed = true;
	if (io.out_n < n) {
		if (err != NULL)
			d->pending = *err;
		d->has_pending = true;
		return (long)(n - io.out_n);
	}
	return -1;
}

long
sift_decoder_read(struct sift_decoder *d, void *dst, size_t n,
    struct sift_err *err)
{
	size_t k;

	if (d->has_pending) {
		d->has_pending = false;
		if (err != NULL)
			*err = d->pending;
		return -1;
	}
	if (d->failed)
		return sift_err_set(err, SIFT_E_IO, 0, "read after failure");
	if (d->done || n == 0)
		return 0;
	if (d->codec != NULL)
		return decode(d, dst, n, err);
	if (d->in_pos < d->in_len) {
		/* the peeked bytes first */
		k = d->in_len - d->in_pos;
		if (k > n)
			k = n;
		memcpy(dst, d->in + d->in_pos, k);
		d->in_pos += k;
		return (long)k;
	}
	if (d->raw_eof)
		return 0;
	return raw_read(d->fd, dst, n, err);
}

int
sift_decoder_skip(struct sift_decoder *d, uint64_t n, struct sift_err *err)
{
	unsigned char tmp[16384];
	size_t k;
	long got;
	off_t pos;

	if (d->codec == NULL && n > 0) {
		pos = lseek(d->fd, 0, SEEK_CUR);
		if (pos != -1 && (uint64_t)pos == d->in_len &&
		    lseek(d->fd, (off_t)n, SEEK_SET) != -1) {
			d->in_pos = d->in_len;
			return 0;
		}
	}
	while (n > 0) {
		k = n < sizeof(tmp) ? (size_t)n : sizeof(tmp);
		if ((got = sift_decoder_read(d, tmp, k, err)) == -1)
			return -1;
		if (got == 0)
			break;
		n -= (uint64_t)got;
	}
	return 0;
}

const struct sift_codec *
sift_decoder_codec(const struct sift_decoder *d)
{
	return d->codec;
}

int
sift_decoder_fd(const struct sift_decoder *d)
{
	return d->fd;
}

void
sift_decoder_close(struct sift_decoder *d)
{
	if (d == NULL)
		return;
	if (d->codec != NULL && d->ctx != NULL)
		d->codec->close(d->ctx);
	if (d->fd >= 0)
		close(d->fd);
	free(d->in);
	free(d);
}
