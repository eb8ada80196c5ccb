/* SPDX-License-Identifier: ISC */
/*
 * Streaming JSON writer into a caller-owned struct sift_obuf. Keys come out
 * in the order the caller writes them; commas are handled here. Strings are
 * byte-safe: '"', '\\' and control bytes (and DEL) are escaped, and invalid
 * UTF-8 is replaced by U+FFFD (one per maximal invalid subsequence), so any
 * bytes from a log give valid JSON. The writer keeps no pointer to the
 * strings it is given; it never fails (the buffer grows or OOM exits 2).
 */
#ifndef SIFT_JSON_H
#define SIFT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "obuf.h"

#define SIFT_JSON_MAXDEPTH	16

struct sift_json {
	struct sift_obuf *b;
	unsigned	 depth;
	bool		 need_comma[SIFT_JSON_MAXDEPTH + 1];
	bool		 after_key;
};

/* Start writing values into b (not reset: appends). */
void	sift_json_init(struct sift_json *j, struct sift_obuf *b);

/*
 * Containers. Nesting deeper than SIFT_JSON_MAXDEPTH is still written
 * correctly, but commas are only tracked to that depth: do not go there.
 */
void	sift_json_obj_begin(struct sift_json *j);
void	sift_json_obj_end(struct sift_json *j);
void	sift_json_arr_begin(struct sift_json *j);
void	sift_json_arr_end(struct sift_json *j);

/* An object key; the next call writes its value. */
void	sift_json_key(struct sift_json *j, const char *k, size_t n);
void	sift_json_keyc(struct sift_json *j, const char *k);

/* Values (as array elements or after a key). */
void	sift_json_str(struct sift_json *j, const char *p, size_t n);
void	sift_json_strc(struct sift_json *j, const char *s);
void	sift_json_i64(struct sift_json *j, int64_t v);
void	sift_json_u64(struct sift_json *j, uint64_t v);
/* v with exactly decimals digits after the point (0..9), e.g. 1.250. */
void	sift_json_fixed(struct sift_json *j, double v, unsigned decimals);
void	sift_json_bool(struct sift_json *j, bool v);
void	sift_json_null(struct sift_json *j);
/* Bytes that are already valid JSON (a number, a literal) as one value. */
void	sift_json_raw(struct sift_json *j, const char *p, size_t n);

/* End a JSON Lines record: '\n', and the writer is ready for the next. */
void	sift_json_newline(struct sift_json *j);

/*
 * The quoted, escaped form of p[0..n) appended to b (no comma handling):
 * for callers that build JSON around other writers.
 */
void	sift_json_quote(struct sift_obuf *b, const char *p, size_t n);
/* The same without the surrounding quotes. */
void	sift_json_escape(struct sift_obuf *b, const char *p, size_t n);
/*
 * The escaped form of p[0..n) written at q, which must have room for
 * n * SIFT_JSON_ESC_MAX bytes; returns the end of what was written.
 */
#define SIFT_JSON_ESC_MAX	6
char	*sift_json_escape_to(char *q, const char *p, size_t n);

/*
 * Length of the valid UTF-8 sequence at p[0..n), or 0 when p starts an
 * invalid one; *bad is then set to the length of the maximal invalid
 * subpart (>= 1) to replace with one U+FFFD. p[0] must be >= 0x80.
 */
size_t	sift_utf8_seq(const unsigned char *p, size_t n, size_t *bad);

#endif
