/* SPDX-License-Identifier: ISC */
/*
 * Per-key event counters in an open-addressing hash table: a key is an
 * address, a prefix, an ASN or a country (struct sift_key); each entry
 * keeps the total, per-class counts, the first and last event time and,
 * when a window is set, a ring of the last events' times for the sliding
 * window threshold. Memory grows with distinct keys, never with events:
 * entries (48 bytes) live in the hash table's own slots, which is kept at
 * most 3/4 full and doubles (so 64 to 128 bytes a key, one cache miss a
 * lookup), plus 9 bytes per ring place and slot with a window. Times are
 * kept as unsigned 32-bit epoch seconds (until 2106).
 *
 * The caller owns the table from sift_agg_new() until sift_agg_free().
 * Entry pointers are valid until the next sift_agg_add() or merge.
 */
#ifndef SIFT_AGG_H
#define SIFT_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "classify.h"

/* Key families beyond the address families 4 and 6. */
#define SIFT_KEY_ASN	65	/* b[0..3]: AS number, big endian */
#define SIFT_KEY_CC	67	/* b[0..1]: ISO 3166 country code */
#define SIFT_KEY_NONE	90	/* no ASN / country known */

struct sift_key {
	struct sift_addr a;	/* family 4, 6 or SIFT_KEY_* */
	uint8_t		 plen;	/* prefix length for 4/6, else 0 */
};

/* Largest threshold a windowed table can test exactly. */
#define SIFT_AGG_RING_MAX	64

struct sift_agg_opts {
	/*
	 * Sliding window in seconds (0: none). With a window, an entry is
	 * flagged SIFT_AGG_HIT as soon as min_count events, or events
	 * weighing min_score together, fall within window seconds of each
	 * other (last minus first less than window). Events must come in
	 * time order per key; with weights, only events of weight >= 1
	 * count. Both thresholds are at most SIFT_AGG_RING_MAX.
	 */
	int64_t		 window;
	unsigned	 min_count;
	unsigned	 min_score;
	/* Weight per class id (SIFT_CLASS_MAX entries); NULL: all 1. */
	const unsigned	*weights;
};

#define SIFT_AGG_HIT	0x01	/* window threshold reached */
#define SIFT_AGG_GONE	0x02	/* counted in another table (absorb) */
#define SIFT_AGG_SLOTS	3
#define SIFT_AGG_EXT	0xff	/* nslot value: counts live in an ext row */

/* 48 bytes. */
struct sift_agg_ent {
	struct sift_addr key;		/* family 0: an empty slot */
	uint8_t		 plen;
	uint8_t		 flags;		/* SIFT_AGG_* */
	uint8_t		 nslot;		/* used cls/cnt slots, or SIFT_AGG_EXT */
	uint32_t	 count;		/* events */
	uint32_t	 first, last;	/* epoch seconds; 0: no time seen */
	/* Per-class counts; with SIFT_AGG_EXT, cnt[0] is the ext row. */
	uint32_t	 cnt[SIFT_AGG_SLOTS];
	uint8_t		 cls[SIFT_AGG_SLOTS];
};

struct sift_agg;

SIFT_NODISCARD int sift_agg_new(struct sift_agg **ap,
	    const struct sift_agg_opts *opts, struct sift_err *err);
void	 sift_agg_free(struct sift_agg *ag);

/*
 * Count one event of class cls (0..SIFT_CLASS_MAX-1) at time ts (epoch
 * seconds, or 0 when unknown). Returns the entry. Allocates only when a
 * new key needs room (amortised doubling).
 */
struct sift_agg_ent *sift_agg_add(struct sift_agg *ag,
	    const struct sift_key *k, int cls, int64_t ts);
/* One event for sift_agg_add_many(). */
struct sift_agg_event {
	struct sift_key	 k;
	int		 cls;
	int64_t		 ts;
};

/*
 * The same as sift_agg_add() for each of ev[0..n) in order, with the
 * cache misses of their slots and count rows overlapped (callers
 * prefetch the keys' slots first, see sift_agg_prefetch()).
 */
void	 sift_agg_add_many(struct sift_agg *ag,
	    const struct sift_agg_event *ev, size_t n);
/*
 * Start loading k's slot into the cache: callers that batch events
 * prefetch each key, then add them, so lookups overlap their misses.
 */
void	 sift_agg_prefetch(const struct sift_agg *ag, const struct sift_key *k);
/* Look a key up without counting; NULL if absent. */
const struct sift_agg_ent *sift_agg_find(const struct sift_agg *ag,
	    const struct sift_key *k);
/*
 * Add entry s of table src into dst under key k (regrouping: addresses
 * into ASNs or countries). A window hit carries over as a hit.
 */
void	 sift_agg_merge_entry(struct sift_agg *dst, const struct sift_key *k,
	    const struct sift_agg *src, const struct sift_agg_ent *s);
/*
 * Grow the table now so that n keys fit without growing again (a
 * caller with time to spare does it before a merge).
 */
void	 sift_agg_reserve(struct sift_agg *ag, size_t n);
/*
 * Add into dst the counts of every key of src that dst has already, and
 * leave src only the keys dst lacks (sift_agg_next(), sift_agg_find()
 * and sift_agg_size() see no other): two tables merged without growing
 * either, their rows read from both. Tables without windows only.
 */
SIFT_NODISCARD int sift_agg_absorb(struct sift_agg *dst,
	    struct sift_agg *src, struct sift_err *err);
/* Add every entry of src into dst (tables without windows only). */
SIFT_NODISCARD int sift_agg_merge(struct sift_agg *dst,
	    const struct sift_agg *src, struct sift_err *err);

size_t	 sift_agg_size(const struct sift_agg *ag);
/*
 * Iterate: start with *pos = 0; returns the next entry (in table order)
 * and advances *pos, or NULL at the end.
 */
const struct sift_agg_ent *sift_agg_next(const struct sift_agg *ag,
	    size_t *pos);
uint32_t sift_agg_class_count(const struct sift_agg *ag,
	    const struct sift_agg_ent *e, int cls);
/* Bytes allocated by the table (for -v and benchmarks). */
size_t	 sift_agg_bytes(const struct sift_agg *ag);

#endif
