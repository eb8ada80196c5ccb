/* SPDX-License-Identifier: ISC */
/* Checked allocation with a single out-of-memory policy. */
#include "xalloc.h"

#include <err.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static void oom_default(size_t) SIFT_NORETURN;

static sift_oom_fn oom_hook = oom_default;
static unsigned long nalloc;

static void
oom_default(size_t want)
{
	errx(2, "out of memory (%zu bytes)", want);
}

static void *
check(void *p, size_t want)
{
	if (p == NULL) {
		oom_hook(want);
		/* A hook that returns has nothing sensible left to do. */
		abort();
	}
	/* relaxed atomic: worker threads allocate too */
	__atomic_add_fetch(&nalloc, 1, __ATOMIC_RELAXED);
	return p;
}

void
sift_set_oom_hook(sift_oom_fn fn)
{
	oom_hook = fn != NULL ? fn : oom_default;
}

unsigned long
sift_xalloc_count(void)
{
	return __atomic_load_n(&nalloc, __ATOMIC_RELAXED);
}

void *
sift_xmalloc(size_t n)
{
	return check(malloc(n != 0 ? n : 1), n);
}

void *
sift_xcalloc(size_t nmemb, size_t size)
{
	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	return check(calloc(nmemb, size), nmemb * size);
}

void *
sift_xrealloc(void *p, size_t n)
{
	return check(realloc(p, n != 0 ? n : 1), n);
}

void *
sift_xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		return check(NULL, SIZE_MAX);
	return sift_xrealloc(p, nmemb * size);
}

char *
sift_xstrdup(const char *s)
{
	return sift_xstrndup(s, strlen(s));
}

char *
sift_xstrndup(const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX)
		return check(NULL, n);
	p = sift_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void *
sift_xmemdup(const void *src, size_t n)
{
	void *p = sift_xmalloc(n);

	if (n != 0)
		memcpy(p, src, n);
	return p;
}
