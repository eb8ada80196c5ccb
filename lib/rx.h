/* SPDX-License-Identifier: ISC */
/*
 * PCRE2 wrapper: a pattern is compiled once (JIT when available) with its own
 * reusable match data, so matching never allocates. Patterns may be written
 * in Python's dialect (as fail2ban filters are); sift_rx_new() rewrites the
 * constructs PCRE2 reads differently. A struct sift_rx belongs to the caller
 * until sift_rx_free(); offsets returned refer to the subject of the last
 * successful sift_rx_search() and are valid until the next one.
 */
#ifndef SIFT_RX_H
#define SIFT_RX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "sift.h"

#define SIFT_RX_CASELESS	0x01u
#define SIFT_RX_MULTILINE	0x02u
#define SIFT_RX_PYTHON		0x04u	/* rewrite Python-only syntax */

#define SIFT_RX_UNSET		((size_t)-1)

struct sift_rx;

/*
 * Compile pattern. On error returns NULL with err->msg
 * "what at offset N" (offset into the pattern as given).
 */
struct sift_rx *sift_rx_new(const char *pattern, unsigned flags,
	    struct sift_err *err);
void	 sift_rx_free(struct sift_rx *rx);
/*
 * Search s[start..len) (s[0..start) is visible to lookbehind, as with
 * Python's pattern.search(s, pos, endpos)). Returns 1 on a match, 0 for no
 * match, -1 when a match or depth limit was hit (err filled in).
 */
int	 sift_rx_search(struct sift_rx *rx, const char *s, size_t len,
	    size_t start, struct sift_err *err);
/* Same, anchored at start. */
int	 sift_rx_match_at(struct sift_rx *rx, const char *s, size_t len,
	    size_t start, struct sift_err *err);
/* Group span after a match; SIFT_RX_UNSET when it did not take part. */
size_t	 sift_rx_start(const struct sift_rx *rx, unsigned group);
size_t	 sift_rx_end(const struct sift_rx *rx, unsigned group);
unsigned sift_rx_ngroups(const struct sift_rx *rx);
/* Number of a named group, or -1. */
int	 sift_rx_group(const struct sift_rx *rx, const char *name);
/* i-th named group (0 <= i < count): its name and number. */
unsigned sift_rx_names(const struct sift_rx *rx);
const char *sift_rx_name(const struct sift_rx *rx, unsigned i,
	    unsigned *number);
/* The pattern as compiled (after rewriting). */
const char *sift_rx_pattern(const struct sift_rx *rx);
/*
 * A literal every match contains (checked with memmem() before the regex
 * runs), or NULL when none was found.
 */
const char *sift_rx_literal(const struct sift_rx *rx);
/*
 * Literals one of which every match contains (from the alternatives of a
 * group that is not optional): the i-th, NULL past the last.
 */
const char *sift_rx_alt(const struct sift_rx *rx, size_t i);
bool	 sift_rx_jit(const struct sift_rx *rx);

/*
 * One pass over a subject for the required literals of up to 64 patterns:
 * a few rare byte pairs of each literal are looked up in a bitmap.
 * sift_rxlits_scan() returns a mask whose bit i is clear when pattern i
 * cannot match s[0..n) (a pair of its literal is missing, or of each of
 * its alternatives' literals, sift_rx_alt()); patterns
 * without a literal always have their bit set. NULL rx entries count as
 * patterns without a literal.
 */
struct sift_rxlits;
struct sift_rxlits *sift_rxlits_new(struct sift_rx *const *rx, size_t n);
/* Whether the pass is worth it for these patterns (else: none). */
bool	 sift_rxlits_useful(struct sift_rx *const *rx, size_t n);
void	 sift_rxlits_free(struct sift_rxlits *lits);
uint64_t sift_rxlits_scan(const struct sift_rxlits *lits, const char *s,
	    size_t n);
/*
 * Rewrite Python regex syntax into PCRE2's: "{,n}" -> "{0,n}", inline
 * global flags "(?iu)" without PCRE2-unknown letters, "\Z" -> "\z",
 * "((?i)x)" -> "(?i:x)". Returns a malloc'd string.
 */
char	*sift_rx_from_python(const char *pattern);

#endif
