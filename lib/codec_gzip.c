/* SPDX-License-Identifier: ISC */
/* gzip decoding with zlib, concatenated members included. */
#include "codec.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include <zlib.h>

#include "xalloc.h"
#include "banned.h"

struct gz {
	z_stream	 z;
	bool		 between;	/* a member ended, no new one */
};

static int
gz_open(void **ctxp, struct sift_err *err)
{
	struct gz *g = sift_xcalloc(1, sizeof(*g));

	/* 16 + MAX_WBITS: gzip wrapper only */
	if (inflateInit2(&g->z, 16 + MAX_WBITS) != Z_OK) {
		free(g);
		return sift_err_set(err, SIFT_E_CODEC, 0,
		    "gzip: cannot initialise zlib");
	}
	*ctxp = g;
	return 0;
}

static int
gz_decode(void *ctx, struct sift_codec_io *io, bool eof, struct sift_err *err)
{
	struct gz *g = ctx;
	size_t in0, out0;
	int rc;

	for (;;) {
		if (g->between) {
			/* gzip(1) ignores zero padding after the last member */
			while (io->in_n > 0 && *io->in == 0) {
				io->in++;
				io->in_n--;
			}
			if (io->in_n == 0)
				return eof ? 1 : 0;
			/* another member follows */
			if (inflateReset(&g->z) != Z_OK)
				return sift_err_set(err, SIFT_E_CODEC, 0,
				    "inflateReset failed");
			g->between = false;
		}
		if (io->out_n == 0)
			return 0;
		in0 = io->in_n > UINT_MAX ? UINT_MAX : io->in_n;
		out0 = io->out_n > UINT_MAX ? UINT_MAX : io->out_n;
		g->z.next_in = (Bytef *)(uintptr_t)io->in;
		g->z.avail_in = (uInt)in0;
		g->z.next_out = io->out;
		g->z.avail_out = (uInt)out0;
		rc = inflate(&g->z, Z_NO_FLUSH);
		io->in += in0 - g->z.avail_in;
		io->in_n -= in0 - g->z.avail_in;
		io->out += out0 - g->z.avail_out;
		io->out_n -= out0 - g->z.avail_out;
		switch (rc) {
		case Z_STREAM_END:
			g->between = true;
			continue;
		case Z_OK:
		case Z_BUF_ERROR:
			if (io->out_n == 0)
				return 0;
			if (io->in_n == 0) {
				if (eof)
					return sift_err_set(err, SIFT_E_CODEC,
					    0, "unexpected end of file");
				return 0;
			}
			if (rc == Z_BUF_ERROR)
				return sift_err_set(err, SIFT_E_CODEC, 0,
				    "no progress");
			continue;
		case Z_NEED_DICT:
			return sift_err_set(err, SIFT_E_CODEC, 0,
			    "needs a preset dictionary");
		case Z_MEM_ERROR:
			return sift_err_set(err, SIFT_E_CODEC, ENOMEM,
			    "out of memory");
		default:
			return sift_err_set(err, SIFT_E_CODEC, 0, "%s",
			    g->z.msg != NULL ? g->z.msg : "corrupt data");
		}
	}
}

static void
gz_close(void *ctx)
{
	struct gz *g = ctx;

	if (g == NULL)
		return;
	inflateEnd(&g->z);
	free(g);
}

static const unsigned char gz_magic[] = { 0x1f, 0x8b };

const struct sift_codec sift_codec_gzip = {
	"gzip", gz_magic, sizeof(gz_magic), gz_open, gz_decode, gz_close
};
