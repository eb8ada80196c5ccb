/* SPDX-License-Identifier: ISC */
/* Bump allocator in 64 KiB chunks. */
#include "arena.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"
#include "banned.h"

#define CHUNK	(64 * 1024)

struct sift_arena_chunk {
	struct sift_arena_chunk	*next;
	size_t			 pad;	/* keep data 16-aligned */
	unsigned char		 data[];
};

void
sift_arena_init(struct sift_arena *a)
{
	a->head = NULL;
	a->used = a->cap = a->total = 0;
}

void *
sift_arena_alloc(struct sift_arena *a, size_t n)
{
	struct sift_arena_chunk *c;
	size_t sz;
	void *p;

	n = (n + 7) & ~(size_t)7;
	if (a->head == NULL || a->cap - a->used < n) {
		sz = n > CHUNK / 2 ? n : CHUNK;
		c = sift_xmalloc(sizeof(*c) + sz);
		if (a->head != NULL && n > CHUNK / 2) {
			/* Big block: keep the current chunk as head. */
			c->next = a->head->next;
			a->head->next = c;
			a->total += n;
			return c->data;
		}
		c->next = a->head;
		a->head = c;
		a->used = 0;
		a->cap = sz;
	}
	p = a->head->data + a->used;
	a->used += n;
	a->total += n;
	return p;
}

char *
sift_arena_strndup(struct sift_arena *a, const char *s, size_t n)
{
	char *p = sift_arena_alloc(a, n + 1);

	if (n != 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
sift_arena_release(struct sift_arena *a)
{
	struct sift_arena_chunk *c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	sift_arena_init(a);
}
