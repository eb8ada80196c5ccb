/* SPDX-License-Identifier: ISC */
/* xz decoding with liblzma, concatenated streams and padding included. */
#include "codec.h"

#ifdef HAVE_LZMA

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include <lzma.h>

#include "xalloc.h"
#include "banned.h"

struct xz {
	lzma_stream	 s;
	bool		 done;
};

int
sift_codec_xz_open(void **ctxp, struct sift_err *err)
{
	struct xz *x = sift_xcalloc(1, sizeof(*x));
	lzma_stream init = LZMA_STREAM_INIT;

	x->s = init;
	if (lzma_stream_decoder(&x->s, UINT64_MAX, LZMA_CONCATENATED) !=
	    LZMA_OK) {
		free(x);
		return sift_err_set(err, SIFT_E_CODEC, 0,
		    "xz: cannot initialise liblzma");
	}
	*ctxp = x;
	return 0;
}

int
sift_codec_xz_decode(void *ctx, struct sift_codec_io *io, bool eof,
    struct sift_err *err)
{
	struct xz *x = ctx;
	size_t out0;
	lzma_ret rc;

	for (;;) {
		if (x->done)
			return 1;
		if (io->out_n == 0)
			return 0;
		if (io->in_n == 0 && !eof)
			return 0;
		out0 = io->out_n;
		x->s.next_in = io->in;
		x->s.avail_in = io->in_n;
		x->s.next_out = io->out;
		x->s.avail_out = io->out_n;
		rc = lzma_code(&x->s, eof ? LZMA_FINISH : LZMA_RUN);
		io->in += io->in_n - x->s.avail_in;
		io->in_n = x->s.avail_in;
		io->out += io->out_n - x->s.avail_out;
		io->out_n = x->s.avail_out;
		switch (rc) {
		case LZMA_STREAM_END:
			x->done = true;
			return io->in_n == 0 && eof ? 1 : 0;
		case LZMA_OK:
			continue;
		case LZMA_BUF_ERROR:
			if (eof && io->out_n == out0)
				return sift_err_set(err, SIFT_E_CODEC, 0,
				    "unexpected end of file");
			continue;
		case LZMA_MEM_ERROR:
			return sift_err_set(err, SIFT_E_CODEC, ENOMEM,
			    "out of memory");
		case LZMA_FORMAT_ERROR:
			return sift_err_set(err, SIFT_E_CODEC, 0,
			    "not xz data");
		case LZMA_OPTIONS_ERROR:
			return sift_err_set(err, SIFT_E_CODEC, 0,
			    "unsupported options");
		default:
			return sift_err_set(err, SIFT_E_CODEC, 0,
			    "corrupt data");
		}
	}
}

void
sift_codec_xz_close(void *ctx)
{
	struct xz *x = ctx;

	if (x == NULL)
		return;
	lzma_end(&x->s);
	free(x);
}

#endif /* HAVE_LZMA */
