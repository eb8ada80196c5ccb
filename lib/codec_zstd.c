/* SPDX-License-Identifier: ISC */
/* zstd decoding, several frames in a row included. */
#include "codec.h"

#include <stdlib.h>

#include <zstd.h>

#include "xalloc.h"
#include "banned.h"

struct zs {
	ZSTD_DStream	*ds;
	bool		 framedone;	/* last call ended a frame */
};

static int
zs_open(void **ctxp, struct sift_err *err)
{
	struct zs *z = sift_xcalloc(1, sizeof(*z));

	if ((z->ds = ZSTD_createDStream()) == NULL) {
		free(z);
		return sift_err_set(err, SIFT_E_CODEC, 0,
		    "cannot create a zstd stream");
	}
	ZSTD_initDStream(z->ds);
	*ctxp = z;
	return 0;
}

static int
zs_decode(void *ctx, struct sift_codec_io *io, bool eof, struct sift_err *err)
{
	struct zs *z = ctx;
	ZSTD_inBuffer in;
	ZSTD_outBuffer out;
	size_t rc;

	for (;;) {
		if (io->out_n == 0)
			return 0;
		if (io->in_n == 0) {
			if (!eof)
				return 0;
			if (z->framedone)
				return 1;
		}
		in.src = io->in;
		in.size = io->in_n;
		in.pos = 0;
		out.dst = io->out;
		out.size = io->out_n;
		out.pos = 0;
		/* 0 means a frame ended; another may follow: go on */
		rc = ZSTD_decompressStream(z->ds, &out, &in);
		io->in += in.pos;
		io->in_n -= in.pos;
		io->out += out.pos;
		io->out_n -= out.pos;
		if (ZSTD_isError(rc))
			return sift_err_set(err, SIFT_E_CODEC, 0, "%s",
			    ZSTD_getErrorName(rc));
		z->framedone = rc == 0;
		if (in.pos == 0 && out.pos == 0) {
			if (io->in_n == 0 && eof && !z->framedone)
				return sift_err_set(err, SIFT_E_CODEC, 0,
				    "unexpected end of file");
			if (io->in_n == 0)
				continue;
			return sift_err_set(err, SIFT_E_CODEC, 0,
			    "no progress");
		}
	}
}

static void
zs_close(void *ctx)
{
	struct zs *z = ctx;

	if (z == NULL)
		return;
	ZSTD_freeDStream(z->ds);
	free(z);
}

static const unsigned char zs_magic[] = { 0x28, 0xb5, 0x2f, 0xfd };

const struct sift_codec sift_codec_zstd = {
	"zstd", zs_magic, sizeof(zs_magic), zs_open, zs_decode, zs_close
};
