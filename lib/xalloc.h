/* SPDX-License-Identifier: ISC */
/*
 * Checked allocation. These never return NULL: on failure they call the OOM
 * hook, which by default reports "out of memory" and exits with status 2 (the
 * one place the library may exit). Memory belongs to the caller, who frees it
 * with free(3).
 */
#ifndef SIFT_XALLOC_H
#define SIFT_XALLOC_H

#include <stddef.h>

#include "sift.h"

typedef void (*sift_oom_fn)(size_t want);

void	*sift_xmalloc(size_t n);
void	*sift_xcalloc(size_t nmemb, size_t size);
void	*sift_xrealloc(void *p, size_t n);
void	*sift_xreallocarray(void *p, size_t nmemb, size_t size);
char	*sift_xstrdup(const char *s);
char	*sift_xstrndup(const char *s, size_t n);	/* NUL-terminated copy */
void	*sift_xmemdup(const void *p, size_t n);

/* Replace the OOM hook (tests); NULL restores the default. */
void	 sift_set_oom_hook(sift_oom_fn fn);
/* Number of successful allocations so far (for allocation-count tests). */
unsigned long sift_xalloc_count(void);

#endif
