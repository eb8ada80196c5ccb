/* SPDX-License-Identifier: ISC */
/*
 * Bump arena for strings that live for the whole run. The caller owns the
 * struct; everything allocated from it is freed at once by
 * sift_arena_release(). Pointers stay valid until then.
 */
#ifndef SIFT_ARENA_H
#define SIFT_ARENA_H

#include <stddef.h>

struct sift_arena_chunk;

struct sift_arena {
	struct sift_arena_chunk	*head;
	size_t			 used;	/* bytes used in head */
	size_t			 cap;	/* bytes in head */
	size_t			 total;	/* bytes handed out, for statistics */
};

#define SIFT_ARENA_INIT { NULL, 0, 0, 0 }

void	 sift_arena_init(struct sift_arena *a);
void	*sift_arena_alloc(struct sift_arena *a, size_t n);	/* 8-aligned */
char	*sift_arena_strndup(struct sift_arena *a, const char *s, size_t n);
void	 sift_arena_release(struct sift_arena *a);

#endif
