/* SPDX-License-Identifier: ISC */
/*
 * Is p[0..19) shaped like Exim's own time stamp "dddd-dd-dd dd:dd:dd"?
 * Inline, for the per-line paths that ask it: the parser, the
 * classifier's quick look and eximparse's block cutter. p[0..19) must be
 * readable. sift_in_range16() is the SSE2 byte-range test it is built on.
 */
#ifndef SIFT_TSSHAPE_H
#define SIFT_TSSHAPE_H

#include <stdbool.h>

#ifdef __SSE2__
#include <emmintrin.h>

/* Bit per byte of x in [lo, hi]. */
static inline unsigned
sift_in_range16(__m128i x, char lo, char hi)
{
	const __m128i d = _mm_sub_epi8(x, _mm_set1_epi8(lo));

	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(d,
	    _mm_set1_epi8((char)(hi - lo))), d));
}
#endif

#define SIFT_ISDIG(c)	((unsigned char)((c) - '0') < 10)

static inline bool
sift_ts_shape(const char *p)
{
#ifdef __SSE2__
	/* digits where the pattern has '0'; the separators must match */
	const __m128i pat = _mm_setr_epi8('0', '0', '0', '0', '-', '0', '0',
	    '-', '0', '0', ' ', '0', '0', ':', '0', '0');
	const unsigned digpos = 0xdb6f;	/* bits of the '0's in pat */
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
	unsigned dig = sift_in_range16(x, '0', '9');
	unsigned eq = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, pat));

	if (((dig & digpos) | (eq & ~digpos & 0xffff)) != 0xffff)
		return false;
	return p[16] == ':' && SIFT_ISDIG(p[17]) && SIFT_ISDIG(p[18]);
#else
	return SIFT_ISDIG(p[0]) && SIFT_ISDIG(p[1]) && SIFT_ISDIG(p[2]) &&
	    SIFT_ISDIG(p[3]) && p[4] == '-' && SIFT_ISDIG(p[5]) &&
	    SIFT_ISDIG(p[6]) && p[7] == '-' && SIFT_ISDIG(p[8]) &&
	    SIFT_ISDIG(p[9]) && p[10] == ' ' && SIFT_ISDIG(p[11]) &&
	    SIFT_ISDIG(p[12]) && p[13] == ':' && SIFT_ISDIG(p[14]) &&
	    SIFT_ISDIG(p[15]) && p[16] == ':' && SIFT_ISDIG(p[17]) &&
	    SIFT_ISDIG(p[18]);
#endif
}

#endif
