/* SPDX-License-Identifier: ISC */
/*
 * Growable output byte buffer for writers (JSON, TSV, CSV). The caller owns
 * the struct sift_obuf and its bytes (p[0..n)); the writers only append.
 * Appending never fails: growth goes through sift_xrealloc (OOM exits 2).
 * Callers flush p[0..n) themselves (fwrite, write) and call
 * sift_obuf_reset(); a buffer reused this way stops growing once it holds
 * the largest chunk written, so formatting does not allocate per record.
 */
#ifndef SIFT_OBUF_H
#define SIFT_OBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct sift_obuf {
	char	*p;
	size_t	 n;		/* bytes in use */
	size_t	 cap;		/* bytes allocated */
};

#define SIFT_OBUF_INIT	{ NULL, 0, 0 }

void	sift_obuf_init(struct sift_obuf *b, size_t cap);
void	sift_obuf_release(struct sift_obuf *b);
/* Make room for at least want more bytes (slow path). */
void	sift_obuf_grow(struct sift_obuf *b, size_t want);
/* Decimal forms, no allocation; see obuf.c. */
void	sift_obuf_u64(struct sift_obuf *b, uint64_t v);
void	sift_obuf_i64(struct sift_obuf *b, int64_t v);
/* v as exactly width digits, zero padded (width <= 20, v fits). */
void	sift_obuf_u64w(struct sift_obuf *b, uint64_t v, unsigned width);

static inline void
sift_obuf_reset(struct sift_obuf *b)
{
	b->n = 0;
}

/* Pointer to room for want bytes; the caller adds what it used to n. */
static inline char *
sift_obuf_room(struct sift_obuf *b, size_t want)
{
	/* an empty buffer has no memory yet, even for want 0 */
	if (b->cap - b->n < want || b->p == NULL)
		sift_obuf_grow(b, want);
	return b->p + b->n;
}

static inline void
sift_obuf_put(struct sift_obuf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	memcpy(sift_obuf_room(b, n), p, n);
	b->n += n;
}

static inline void
sift_obuf_putc(struct sift_obuf *b, char c)
{
	*sift_obuf_room(b, 1) = c;
	b->n++;
}

static inline void
sift_obuf_puts(struct sift_obuf *b, const char *s)
{
	sift_obuf_put(b, s, strlen(s));
}

#endif
