/* SPDX-License-Identifier: ISC */
/*
 * A strict, independent JSON (RFC 8259) reader for the fuzz targets that
 * re-parse what a writer produced: strings are decoded to UTF-8 bytes,
 * raw control bytes, DEL, invalid UTF-8, lone surrogates and exponents
 * are rejected. Header only, static functions; failures abort through
 * FUZZ_CHECK.
 */
#ifndef SIFT_FUZZ_JSONLITE_H
#define SIFT_FUZZ_JSONLITE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "obuf.h"
#include "fuzz.h"

struct jl {
	const unsigned char	*p;
	size_t			 n, i;
};

/* Length of a valid UTF-8 sequence at p (Unicode Table 3-7), or 0. */
static size_t
jl_utf8(const unsigned char *p, size_t n, size_t *bad)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (c >= 0xc2 && c <= 0xdf)
		need = 1;
	else if (c == 0xe0) {
		need = 2;
		lo = 0xa0;
	} else if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef)
		need = 2;
	else if (c == 0xed) {
		need = 2;
		hi = 0x9f;
	} else if (c == 0xf0) {
		need = 3;
		lo = 0x90;
	} else if (c >= 0xf1 && c <= 0xf3)
		need = 3;
	else if (c == 0xf4) {
		need = 3;
		hi = 0x8f;
	} else {
		*bad = 1;
		return 0;
	}
	for (i = 1; i <= need; i++) {
		if (i >= n || p[i] < lo || p[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

/* Bytes as a JSON reader sees them: invalid UTF-8 as U+FFFD. */
static void
jl_sanitize(struct sift_obuf *out, const unsigned char *p, size_t n)
{
	size_t i = 0, k, bad;

	while (i < n) {
		if (p[i] < 0x80) {
			sift_obuf_putc(out, (char)p[i++]);
			continue;
		}
		if ((k = jl_utf8(p + i, n - i, &bad)) != 0) {
			sift_obuf_put(out, p + i, k);
			i += k;
		} else {
			sift_obuf_put(out, "\xef\xbf\xbd", 3);
			i += bad;
		}
	}
}

static unsigned
jl_hex4(struct jl *j)
{
	unsigned v = 0, c;

	FUZZ_CHECK(j->i + 4 <= j->n);
	for (int k = 0; k < 4; k++) {
		c = j->p[j->i++];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			FUZZ_CHECK(!"bad \\u escape");
	}
	return v;
}

static void
jl_put_utf8(struct sift_obuf *b, unsigned cp)
{
	if (cp < 0x80) {
		sift_obuf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		sift_obuf_putc(b, (char)(0xc0 | cp >> 6));
		sift_obuf_putc(b, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		sift_obuf_putc(b, (char)(0xe0 | cp >> 12));
		sift_obuf_putc(b, (char)(0x80 | (cp >> 6 & 0x3f)));
		sift_obuf_putc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		sift_obuf_putc(b, (char)(0xf0 | cp >> 18));
		sift_obuf_putc(b, (char)(0x80 | (cp >> 12 & 0x3f)));
		sift_obuf_putc(b, (char)(0x80 | (cp >> 6 & 0x3f)));
		sift_obuf_putc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

/* A string at j->i, decoded into out (when not NULL). */
static void
jl_string(struct jl *j, struct sift_obuf *out)
{
	struct sift_obuf sink = SIFT_OBUF_INIT;
	unsigned c, cp, lo;
	size_t k, bad;

	if (out == NULL)
		out = &sink;
	FUZZ_CHECK(j->i < j->n && j->p[j->i] == '"');
	j->i++;
	for (;;) {
		FUZZ_CHECK(j->i < j->n);
		c = j->p[j->i];
		if (c == '"') {
			j->i++;
			break;
		}
		FUZZ_CHECK(c >= 0x20 && c != 0x7f);
		if (c >= 0x80) {
			k = jl_utf8(j->p + j->i, j->n - j->i, &bad);
			FUZZ_CHECK(k != 0);
			sift_obuf_put(out, j->p + j->i, k);
			j->i += k;
			continue;
		}
		j->i++;
		if (c != '\\') {
			sift_obuf_putc(out, (char)c);
			continue;
		}
		FUZZ_CHECK(j->i < j->n);
		c = j->p[j->i++];
		switch (c) {
		case '"': case '\\': case '/':
			sift_obuf_putc(out, (char)c);
			break;
		case 'b':
			sift_obuf_putc(out, '\b');
			break;
		case 'f':
			sift_obuf_putc(out, '\f');
			break;
		case 'n':
			sift_obuf_putc(out, '\n');
			break;
		case 'r':
			sift_obuf_putc(out, '\r');
			break;
		case 't':
			sift_obuf_putc(out, '\t');
			break;
		case 'u':
			cp = jl_hex4(j);
			if (cp >= 0xd800 && cp <= 0xdbff) {
				FUZZ_CHECK(j->i + 2 <= j->n &&
				    j->p[j->i] == '\\' && j->p[j->i + 1] == 'u');
				j->i += 2;
				lo = jl_hex4(j);
				FUZZ_CHECK(lo >= 0xdc00 && lo <= 0xdfff);
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
			} else {
				FUZZ_CHECK(cp < 0xdc00 || cp > 0xdfff);
			}
			jl_put_utf8(out, cp);
			break;
		default:
			FUZZ_CHECK(!"bad escape");
		}
	}
	sift_obuf_release(&sink);
}

static bool
jl_digit(const struct jl *j)
{
	return j->i < j->n && j->p[j->i] >= '0' && j->p[j->i] <= '9';
}

static void
jl_number(struct jl *j)
{
	if (j->i < j->n && j->p[j->i] == '-')
		j->i++;
	FUZZ_CHECK(jl_digit(j));
	if (j->p[j->i] == '0')
		j->i++;
	else
		while (jl_digit(j))
			j->i++;
	if (j->i < j->n && j->p[j->i] == '.') {
		j->i++;
		FUZZ_CHECK(jl_digit(j));
		while (jl_digit(j))
			j->i++;
	}
}

static void
jl_literal(struct jl *j, const char *lit)
{
	size_t n = strlen(lit);

	FUZZ_CHECK(j->i + n <= j->n && memcmp(j->p + j->i, lit, n) == 0);
	j->i += n;
}

/* Any value; depth-limited. */
static void
jl_value(struct jl *j, unsigned depth)
{
	bool first;

	FUZZ_CHECK(depth < 64 && j->i < j->n);
	switch (j->p[j->i]) {
	case '{':
	case '[': {
		char close = j->p[j->i] == '{' ? '}' : ']';
		bool obj = close == '}';

		j->i++;
		for (first = true; ; first = false) {
			FUZZ_CHECK(j->i < j->n);
			if (j->p[j->i] == close)
				break;
			if (!first) {
				FUZZ_CHECK(j->p[j->i] == ',');
				j->i++;
			}
			if (obj) {
				jl_string(j, NULL);
				FUZZ_CHECK(j->i < j->n && j->p[j->i] == ':');
				j->i++;
			}
			jl_value(j, depth + 1);
		}
		j->i++;
		break;
	}
	case '"':
		jl_string(j, NULL);
		break;
	case 't':
		jl_literal(j, "true");
		break;
	case 'f':
		jl_literal(j, "false");
		break;
	case 'n':
		jl_literal(j, "null");
		break;
	default:
		jl_number(j);
		break;
	}
}

#endif
