/* SPDX-License-Identifier: ISC */
/* bzip2 decoding with libbz2, several streams in a row included. */
#include "codec.h"

#ifdef HAVE_BZ2

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bzlib.h>

#include "xalloc.h"
#include "banned.h"

struct bz {
	bz_stream	 s;
	bool		 live;		/* s is initialised */
	bool		 between;	/* a stream ended */
};

int
sift_codec_bz2_open(void **ctxp, struct sift_err *err)
{
	struct bz *b = sift_xcalloc(1, sizeof(*b));

	if (BZ2_bzDecompressInit(&b->s, 0, 0) != BZ_OK) {
		free(b);
		return sift_err_set(err, SIFT_E_CODEC, 0,
		    "bzip2: cannot initialise libbz2");
	}
	b->live = true;
	*ctxp = b;
	return 0;
}

int
sift_codec_bz2_decode(void *ctx, struct sift_codec_io *io, bool eof,
    struct sift_err *err)
{
	struct bz *b = ctx;
	size_t in0, out0;
	int rc;

	for (;;) {
		if (b->between) {
			if (io->in_n == 0)
				return eof ? 1 : 0;
			/* another stream follows */
			BZ2_bzDecompressEnd(&b->s);
			memset(&b->s, 0, sizeof(b->s));
			b->live = false;
			if (BZ2_bzDecompressInit(&b->s, 0, 0) != BZ_OK)
				return sift_err_set(err, SIFT_E_CODEC, 0,
				    "cannot initialise libbz2");
			b->live = true;
			b->between = false;
		}
		if (io->out_n == 0)
			return 0;
		in0 = io->in_n > UINT_MAX ? UINT_MAX : io->in_n;
		out0 = io->out_n > UINT_MAX ? UINT_MAX : io->out_n;
		b->s.next_in = (char *)(uintptr_t)io->in;
		b->s.avail_in = (unsigned)in0;
		b->s.next_out = (char *)io->out;
		b->s.avail_out = (unsigned)out0;
		rc = BZ2_bzDecompress(&b->s);
		io->in += in0 - b->s.avail_in;
		io->in_n -= in0 - b->s.avail_in;
		io->out += out0 - b->s.avail_out;
		io->out_n -= out0 - b->s.avail_out;
		switch (rc) {
		case BZ_STREAM_END:
			b->between = true;
			continue;
		case BZ_OK:
			if (io->out_n == 0)
				return 0;
			if (io->in_n == 0) {
				if (eof && out0 == io->out_n)
					return sift_err_set(err, SIFT_E_CODEC,
					    0, "unexpected end of file");
				if (eof)
					continue;
				return 0;
			}
			continue;
		case BZ_MEM_ERROR:
			return sift_err_set(err, SIFT_E_CODEC, ENOMEM,
			    "out of memory");
		case BZ_DATA_ERROR_MAGIC:
			return sift_err_set(err, SIFT_E_CODEC, 0,
			    "not bzip2 data");
		default:
			return sift_err_set(err, SIFT_E_CODEC, 0,
			    "corrupt data");
		}
	}
}

void
sift_codec_bz2_close(void *ctx)
{
	struct bz *b = ctx;

	if (b == NULL)
		return;
	if (b->live)
		BZ2_bzDecompressEnd(&b->s);
	free(b);
}

#endif /* HAVE_BZ2 */
