/* SPDX-License-Identifier: ISC */
/*
 * Byte-string views. A struct sift_str never owns its bytes: it points into a
 * buffer owned by someone else (usually the reader) and is valid only as long
 * as that buffer is. Views may contain NUL bytes and are not NUL-terminated.
 */
#ifndef SIFT_STR_H
#define SIFT_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct sift_str {
	const char	*p;
	size_t		 n;
};

#define SIFT_STR_NULL		((struct sift_str){ NULL, 0 })
#define SIFT_STR_LIT(s)		((struct sift_str){ (s), sizeof(s) - 1 })

static inline struct sift_str
sift_str_make(const char *p, size_t n)
{
	struct sift_str s = { p, n };

	return s;
}

static inline struct sift_str
sift_str_cstr(const char *s)
{
	return sift_str_make(s, strlen(s));
}

static inline bool
sift_str_empty(struct sift_str s)
{
	return s.p == NULL || s.n == 0;
}

static inline bool
sift_str_eq(struct sift_str a, struct sift_str b)
{
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

static inline bool
sift_str_eqc(struct sift_str a, const char *c)
{
	return sift_str_eq(a, sift_str_cstr(c));
}

static inline bool
sift_str_startswith(struct sift_str s, const char *pre, size_t n)
{
	return s.n >= n && memcmp(s.p, pre, n) == 0;
}

static inline bool
sift_str_endswith(struct sift_str s, const char *suf, size_t n)
{
	return s.n >= n && memcmp(s.p + s.n - n, suf, n) == 0;
}

/* First occurrence of needle in s, or NULL. */
static inline const char *
sift_str_find(struct sift_str s, const char *needle, size_t n)
{
	if (s.n == 0)
		return NULL;
	return memmem(s.p, s.n, needle, n);
}

static inline struct sift_str
sift_str_sub(struct sift_str s, size_t off, size_t n)
{
	if (off > s.n)
		off = s.n;
	if (n > s.n - off)
		n = s.n - off;
	return sift_str_make(s.p + off, n);
}

/* The value of a hexadecimal digit, or -1. */
static inline int
sift_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
