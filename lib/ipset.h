/* SPDX-License-Identifier: ISC */
/*
 * Address sets as sorted arrays of inclusive ranges (iprange's model):
 * {uint32_t lo, hi} for IPv4 and {sift_u128 lo, hi} for IPv6. The caller
 * owns a struct sift_ipset and its arrays; sift_ipset_release() frees them.
 * Adding only appends (with a fast path that keeps a set built in order
 * sorted); sift_ipset_optimize() sorts and merges overlapping and adjacent
 * ranges. Every other operation optimizes its operands first when needed,
 * so the const ones want sets that are already optimized.
 */
#ifndef SIFT_IPSET_H
#define SIFT_IPSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "sift.h"

__extension__ typedef unsigned __int128 sift_u128;

struct sift_range4 {
	uint32_t	lo, hi;
};

struct sift_range6 {
	sift_u128	lo, hi;
};

struct sift_ipset {
	struct sift_range4 *r4;
	size_t		 n4, cap4;
	bool		 opt4;		/* sorted, disjoint, not adjacent */
	struct sift_range6 *r6;
	size_t		 n6, cap6;
	bool		 opt6;
};

#define SIFT_IPSET_INIT { NULL, 0, 0, true, NULL, 0, 0, true }

void	 sift_ipset_init(struct sift_ipset *s);
void	 sift_ipset_release(struct sift_ipset *s);
/* Empty the set, keeping its memory. */
void	 sift_ipset_reset(struct sift_ipset *s);

void	 sift_ipset_add_range4(struct sift_ipset *s, uint32_t lo, uint32_t hi);
void	 sift_ipset_add_range6(struct sift_ipset *s, sift_u128 lo,
	    sift_u128 hi);
void	 sift_ipset_add_addr(struct sift_ipset *s, const struct sift_addr *a);
void	 sift_ipset_add_cidr(struct sift_ipset *s, const struct sift_cidr *c);
/* lo..hi of one family; nothing when they differ or hi < lo. */
void	 sift_ipset_add_span(struct sift_ipset *s, const struct sift_addr *lo,
	    const struct sift_addr *hi);
/*
 * The addresses never to ban lightly, as sift_addr_is_special() defines
 * them: 0/8, 127/8, 169.254/16, 224/4, 255.255.255.255, ::, ::1, fe80::/10,
 * ff00::/8.
 */
void	 sift_ipset_add_special(struct sift_ipset *s);

/* Sort (lo ascending, hi descending) and merge; linear when sorted. */
void	 sift_ipset_optimize(struct sift_ipset *s);
bool	 sift_ipset_is_empty(const struct sift_ipset *s);
/* Binary search; s must be optimized. */
bool	 sift_ipset_contains(const struct sift_ipset *s,
	    const struct sift_addr *a);
/* Is every address of c in s? s must be optimized. */
bool	 sift_ipset_contains_cidr(const struct sift_ipset *s,
	    const struct sift_cidr *c);
/* Is every address of lo..hi in s? s must be optimized. */
bool	 sift_ipset_contains_span(const struct sift_ipset *s,
	    const struct sift_addr *lo, const struct sift_addr *hi);
/* Is every address of t in s? Both are optimized first. */
bool	 sift_ipset_contains_set(struct sift_ipset *s, struct sift_ipset *t);
bool	 sift_ipset_equal(const struct sift_ipset *a,
	    const struct sift_ipset *b);

/*
 * dst = a op b, by linear merges. dst must be a different set from a and b;
 * its old contents are dropped. a and b are optimized first.
 */
void	 sift_ipset_union(struct sift_ipset *dst, struct sift_ipset *a,
	    struct sift_ipset *b);
void	 sift_ipset_difference(struct sift_ipset *dst, struct sift_ipset *a,
	    struct sift_ipset *b);
void	 sift_ipset_intersection(struct sift_ipset *dst, struct sift_ipset *a,
	    struct sift_ipset *b);
/* s = s minus b, in place (through a temporary). */
void	 sift_ipset_subtract(struct sift_ipset *s, struct sift_ipset *b);

/*
 * Widen to whole networks: every /p4 (IPv4) or /p6 (IPv6) network in which
 * the set holds at least min_hits addresses is added whole. A prefix of 0
 * leaves that family alone; min_hits 0 or 1 widens every network touched.
 * Members are counted as addresses, so a listed /26 counts 64.
 */
void	 sift_ipset_aggregate(struct sift_ipset *s, unsigned p4, unsigned p6,
	    uint64_t min_hits);

/*
 * Call fn on the fewest CIDR blocks that cover the set exactly, IPv4 first,
 * in address order. Stops at the first non-zero return of fn and returns
 * it; 0 when all were visited. s is optimized first.
 */
typedef int (*sift_ipset_cidr_fn)(const struct sift_cidr *c, void *arg);
int	 sift_ipset_foreach_cidr(struct sift_ipset *s, sift_ipset_cidr_fn fn,
	    void *arg);
/* Number of CIDR blocks per family (4 or 6), as foreach would visit. */
size_t	 sift_ipset_count_cidr(struct sift_ipset *s, int family);
/* Number of addresses, saturating at UINT64_MAX. */
uint64_t sift_ipset_count_addrs(struct sift_ipset *s, int family);

#endif
