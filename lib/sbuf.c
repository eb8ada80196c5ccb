/* SPDX-License-Identifier: ISC */
/* Growable strings for load-time text building. */
#include "sbuf.h"

#include <string.h>

#include "xalloc.h"
#include "banned.h"

void
sift_sbuf_put(struct sift_sbuf *b, const char *s, size_t n)
{
	if (b->cap - b->n < n + 1) {
		while (b->cap - b->n < n + 1)
			b->cap = b->cap != 0 ? b->cap * 2 : 64;
		b->p = sift_xrealloc(b->p, b->cap);
	}
	if (n != 0)
		memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

void
sift_sbuf_puts(struct sift_sbuf *b, const char *s)
{
	sift_sbuf_put(b, s, strlen(s));
}
