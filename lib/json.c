/* SPDX-License-Identifier: ISC */
/* Streaming JSON writer with byte-safe string escaping. */
#include "json.h"

#include <math.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "banned.h"

/*
 * Byte classes for the escaper: 0 copies as is, 1 needs a short or \u
 * escape, 2 starts a multi-byte (or invalid) UTF-8 sequence.
 */
static const unsigned char jclass[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* '"' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,	/* '\\' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,	/* DEL */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

static const char hexd[] = "0123456789abcdef";

#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL
#define HASZERO(v)	(((v) - ONES) & ~(v) & HIGHS)

/* Does the word hold a byte that is not copied as is? */
#define JSON_BAD(w)	((((w) & HIGHS) | (((w) - ONES * 0x20) & ~(w) & HIGHS) | \
			    HASZERO((w) ^ (ONES * '"')) | \
			    HASZERO((w) ^ (ONES * '\\')) | \
			    HASZERO((w) ^ (ONES * 0x7f))) != 0)

/*
 * Length of the leading run of p[0..n) that copies as is: eight bytes at
 * a time while none is a control byte, '"', '\\', DEL or >= 0x80.
 */
#ifdef __SSE2__
/* Bit per byte of p[0..16) below 0x20 or from 0x80 (signed: below 0x20
 * too), '"', '\\' or DEL. */
static inline unsigned
json_bad16x(__m128i x)
{
	const __m128i b = _mm_or_si128(
	    _mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
	    _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
	    _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\\')),
	    _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f)))));

	return (unsigned)_mm_movemask_epi8(b);
}

static inline unsigned
json_bad16(const unsigned char *p)
{
	return json_bad16x(_mm_loadu_si128((const __m128i *)(const void *)p));
}

/*
 * Copy p[0..n) to q if no byte of it needs an escape, checking and
 * copying in one pass (16 or 8 bytes at a time, overlapping at the end);
 * returns the end, or NULL (q written in part) when one does.
 */
static inline char *
clean_copy(char *q, const unsigned char *p, size_t n)
{
	__m128i x;
	size_t i;
	unsigned char two[16];

	if (n >= 16) {
		for (i = 0; i + 16 <= n; i += 16) {
			x = _mm_loadu_si128((const __m128i *)(const void *)
			    (p + i));
			if (json_bad16x(x) != 0)
				return NULL;
			_mm_storeu_si128((__m128i *)(void *)(q + i), x);
		}
		if (i < n) {
			x = _mm_loadu_si128((const __m128i *)(const void *)
			    (p + n - 16));
			if (json_bad16x(x) != 0)
				return NULL;
			_mm_storeu_si128((__m128i *)(void *)(q + n - 16), x);
		}
		return q + n;
	}
	if (n >= 8) {
		x = _mm_unpacklo_epi64(_mm_loadl_epi64((const __m128i *)
		    (const void *)p), _mm_loadl_epi64((const __m128i *)
		    (const void *)(p + n - 8)));
		if (json_bad16x(x) != 0)
			return NULL;
		_mm_storeu_si128((__m128i *)(void *)two, x);
		memcpy(q, two, 8);
		memcpy(q + n - 8, two + 8, 8);
		return q + n;
	}
	for (i = 0; i < n; i++) {
		if (jclass[p[i]] != 0)
			return NULL;
		q[i] = (char)p[i];
	}
	return q + n;
}
#endif

static size_t
plain_run(const unsigned char *p, size_t n)
{
	size_t i = 0;
	uint64_t w;

#ifdef __SSE2__
	unsigned m;

	if (n >= 16) {
		for (; n - i >= 16; i += 16)
			if ((m = json_bad16(p + i)) != 0)
				return i + (unsigned)__builtin_ctz(m);
		if (i == n)
			return n;
		/* the last 16 bytes; those before i are known clean */
		if ((m = json_bad16(p + n - 16)) == 0)
			return n;
		return n - 16 + (unsigned)__builtin_ctz(m);
	}
#endif
	while (n - i >= 8) {
		memcpy(&w, p + i, 8);
		if (JSON_BAD(w))
			break;
		i += 8;
	}
	while (i < n && jclass[p[i]] == 0)
		i++;
	return i;
}

size_t
sift_utf8_seq(const unsigned char *p, size_t n, size_t *bad)
{
	unsigned c = p[0];
	size_t len, i;
	unsigned lo = 0x80, hi = 0xbf;

	/* Unicode 15, table 3-7: well-formed byte sequences. */
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;	/* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;	/* nothing above U+10FFFF */
	} else {
		*bad = 1;
		return 0;
	}
	for (i = 1; i < len; i++) {
		if (i >= n || p[i] < lo || p[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return len;
}

char *
sift_json_escape_to(char *q, const char *s, size_t n)
{
	static const char shortesc[32] = {
		['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r',
		['\t'] = 't'
	};
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + n;
	size_t len, bad, run, i;
	uint64_t w;
#ifdef __SSE2__
	char *done;

	/* most values are plain ASCII: check and copy in one pass */
	if ((done = clean_copy(q, p, n)) != NULL)
		return done;
#endif
	if (n >= 16) {
		/* most values are plain ASCII: check, then copy at once */
		run = plain_run(p, n);
		memcpy(q, p, run);
		q += run;
		p += run;
	} else if (n >= 8) {
		/* most values are plain ASCII: check by words, then copy */
		for (i = 0; i + 8 <= n; i += 8) {
			memcpy(&w, p + i, 8);
			if (JSON_BAD(w))
				break;
		}
		if (i + 8 > n) {
			memcpy(&w, end - 8, 8);
			if (!JSON_BAD(w)) {
				memcpy(q, p, n);
				return q + n;
			}
		}
	}
	while (p < end) {
		run = plain_run(p, (size_t)(end - p));
		memcpy(q, p, run);
		q += run;
		p += run;
		if (p == end)
			break;
		if (jclass[*p] == 2) {
			len = sift_utf8_seq(p, (size_t)(end - p), &bad);
			if (len > 0) {
				memcpy(q, p, len);
				q += len;
				p += len;
			} else {
				memcpy(q, "\xef\xbf\xbd", 3);
				q += 3;
				p += bad;
			}
			continue;
		}
		*q++ = '\\';
		if (*p == '"' || *p == '\\')
			*q++ = (char)*p;
		else if (*p < 32 && shortesc[*p] != 0)
			*q++ = shortesc[*p];
		else {
			*q++ = 'u';
			*q++ = '0';
			*q++ = '0';
			*q++ = hexd[*p >> 4];
			*q++ = hexd[*p & 0xf];
		}
		p++;
	}
	return q;
}

void
sift_json_escape(struct sift_obuf *b, const char *p, size_t n)
{
	char *q;

	q = sift_obuf_room(b, n * SIFT_JSON_ESC_MAX);
	b->n = (size_t)(sift_json_escape_to(q, p, n) - b->p);
}

void
sift_json_quote(struct sift_obuf *b, const char *p, size_t n)
{
	char *q = sift_obuf_room(b, n * SIFT_JSON_ESC_MAX + 2);

	*q++ = '"';
	q = sift_json_escape_to(q, p, n);
	*q++ = '"';
	b->n = (size_t)(q - b->p);
}

void
sift_json_init(struct sift_json *j, struct sift_obuf *b)
{
	memset(j, 0, sizeof(*j));
	j->b = b;
}

/* Comma before a value or key, unless it follows its key. */
static void
pre_value(struct sift_json *j)
{
	unsigned d = j->depth < SIFT_JSON_MAXDEPTH ? j->depth :
	    SIFT_JSON_MAXDEPTH;

	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->need_comma[d])
		sift_obuf_putc(j->b, ',');
	j->need_comma[d] = true;
}

static void
open_c(struct sift_json *j, char c)
{
	pre_value(j);
	sift_obuf_putc(j->b, c);
	j->depth++;
	if (j->depth <= SIFT_JSON_MAXDEPTH)
		j->need_comma[j->depth] = false;
}

static void
close_c(struct sift_json *j, char c)
{
	sift_obuf_putc(j->b, c);
	if (j->depth > 0)
		j->depth--;
	j->after_key = false;
}

void
sift_json_obj_begin(struct sift_json *j)
{
	open_c(j, '{');
}

void
sift_json_obj_end(struct sift_json *j)
{
	close_c(j, '}');
}

void
sift_json_arr_begin(struct sift_json *j)
{
	open_c(j, '[');
}

void
sift_json_arr_end(struct sift_json *j)
{
	close_c(j, ']');
}

void
sift_json_key(struct sift_json *j, const char *k, size_t n)
{
	pre_value(j);
	sift_json_quote(j->b, k, n);
	sift_obuf_putc(j->b, ':');
	j->after_key = true;
}

void
sift_json_keyc(struct sift_json *j, const char *k)
{
	sift_json_key(j, k, strlen(k));
}

void
sift_json_str(struct sift_json *j, const char *p, size_t n)
{
	pre_value(j);
	sift_json_quote(j->b, p, n);
}

void
sift_json_strc(struct sift_json *j, const char *s)
{
	sift_json_str(j, s, strlen(s));
}

void
sift_json_i64(struct sift_json *j, int64_t v)
{
	pre_value(j);
	sift_obuf_i64(j->b, v);
}

void
sift_json_u64(struct sift_json *j, uint64_t v)
{
	pre_value(j);
	sift_obuf_u64(j->b, v);
}

void
sift_json_fixed(struct sift_json *j, double v, unsigned decimals)
{
	static const double pow10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6,
	    1e7, 1e8, 1e9 };
	double scaled;
	uint64_t u;

	if (decimals > 9)
		decimals = 9;
	scaled = fabs(v) * pow10[decimals] + 0.5;
	if (!isfinite(v) || scaled >= 9.2e18) {
		sift_json_null(j);
		return;
	}
	pre_value(j);
	u = (uint64_t)scaled;
	if (v < 0 && u != 0)
		sift_obuf_putc(j->b, '-');
	sift_obuf_u64(j->b, u / (uint64_t)pow10[decimals]);
	if (decimals > 0) {
		sift_obuf_putc(j->b, '.');
		sift_obuf_u64w(j->b, u % (uint64_t)pow10[decimals], decimals);
	}
}

void
sift_json_bool(struct sift_json *j, bool v)
{
	pre_value(j);
	if (v)
		sift_obuf_put(j->b, "true", 4);
	else
		sift_obuf_put(j->b, "false", 5);
}

void
sift_json_null(struct sift_json *j)
{
	pre_value(j);
	sift_obuf_put(j->b, "null", 4);
}

void
sift_json_raw(struct sift_json *j, const char *p, size_t n)
{
	pre_value(j);
	sift_obuf_put(j->b, p, n);
}

void
sift_json_newline(struct sift_json *j)
{
	sift_obuf_putc(j->b, '\n');
	memset(j->need_comma, 0, sizeof(j->need_comma));
	j->depth = 0;
	j->after_key = false;
}
