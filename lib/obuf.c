/* SPDX-License-Identifier: ISC */
/* Growable output buffer and allocation-free decimal formatting. */
#include "obuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"
#include "banned.h"

static const char digits2[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

void
sift_obuf_init(struct sift_obuf *b, size_t cap)
{
	b->n = 0;
	b->cap = cap;
	b->p = cap > 0 ? sift_xmalloc(cap) : NULL;
}

void
sift_obuf_release(struct sift_obuf *b)
{
	free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
}

void
sift_obuf_grow(struct sift_obuf *b, size_t want)
{
	size_t cap = b->cap < 256 ? 256 : b->cap;

	while (cap - b->n < want) {
		if (cap > SIZE_MAX / 2)
			cap = b->n + want;	/* xrealloc reports OOM */
		else
			cap *= 2;
	}
	b->p = sift_xrealloc(b->p, cap);
	b->cap = cap;
}

/* Digits of v into the end of buf[20]; returns the first digit. */
static char *
fmt_u64(uint64_t v, char *end)
{
	char *q = end;

	while (v >= 100) {
		unsigned d = (unsigned)(v % 100) * 2;

		v /= 100;
		*--q = digits2[d + 1];
		*--q = digits2[d];
	}
	if (v >= 10) {
		*--q = digits2[v * 2 + 1];
		*--q = digits2[v * 2];
	} else
		*--q = (char)('0' + v);
	return q;
}

void
sift_obuf_u64(struct sift_obuf *b, uint64_t v)
{
	char buf[20], *q;

	if (v < 10) {
		sift_obuf_putc(b, (char)('0' + v));
		return;
	}
	q = fmt_u64(v, buf + sizeof(buf));
	sift_obuf_put(b, q, (size_t)(buf + sizeof(buf) - q));
}

void
sift_obuf_i64(struct sift_obuf *b, int64_t v)
{
	if (v < 0) {
		sift_obuf_putc(b, '-');
		sift_obuf_u64(b, (uint64_t)0 - (uint64_t)v);
	} else
		sift_obuf_u64(b, (uint64_t)v);
}

void
sift_obuf_u64w(struct sift_obuf *b, uint64_t v, unsigned width)
{
	char *q;

	if (width > 20)
		width = 20;
	q = sift_obuf_room(b, width);
	for (unsigned i = width; i > 0; i--) {
		q[i - 1] = (char)('0' + v % 10);
		v /= 10;
	}
	b->n += width;
}
