/* SPDX-License-Identifier: ISC */
/*
 * Growable NUL-terminated byte strings for load-time work (filter and
 * pattern building), never for the per-line path. The caller owns the
 * struct and frees p with free(3); a zeroed struct is an empty string.
 */
#ifndef SIFT_SBUF_H
#define SIFT_SBUF_H

#include <stddef.h>

struct sift_sbuf {
	char	*p;	/* NULL until the first put, then NUL-terminated */
	size_t	 n;	/* bytes, without the NUL */
	size_t	 cap;
};

#define SIFT_SBUF_INIT	{ NULL, 0, 0 }

/* Append n bytes (which may contain NUL); grows by doubling. */
void	sift_sbuf_put(struct sift_sbuf *b, const char *s, size_t n);
void	sift_sbuf_puts(struct sift_sbuf *b, const char *s);

#endif
