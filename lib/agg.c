/* SPDX-License-Identifier: ISC */
/* Per-key counters: entries stored in an open-addressing hash table. */
#include "agg.h"

#include <sys/mman.h>

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"
#include "banned.h"

_Static_assert(sizeof(struct sift_agg_ent) == 48, "agg entry size");

struct sift_agg {
	struct sift_agg_opts	 o;
	struct sift_agg_ent	*ents;		/* the hash table itself */
	size_t			 n;		/* keys */
	size_t			 gone;		/* slots of absorbed keys */
	size_t			 mask;		/* slots - 1 */
	uint32_t		*ext;		/* rows of SIFT_CLASS_MAX */
	size_t			 next, capext;
	/* Window ring per slot: head, fill, then R times and weights. */
	unsigned		 ring;		/* R, 0: no window */
	size_t			 stride;
	unsigned char		*rings;
};

static uint64_t
key_hash(const struct sift_key *k)
{
	uint64_t x, y, h;

	memcpy(&x, k->a.b, 8);
	memcpy(&y, k->a.b + 8, 8);
	h = x * UINT64_C(0x9e3779b97f4a7c15);
	h ^= (y + ((uint64_t)k->a.family << 8 | k->plen)) *
	    UINT64_C(0xc2b2ae3d27d4eb4f);
	h ^= h >> 29;
	h *= UINT64_C(0x94d049bb133111eb);
	h ^= h >> 32;
	return h;
}

static inline bool
key_eq(const struct sift_agg_ent *e, const struct sift_key *k)
{
	uint64_t x0, x1, y0, y1;

	/* two words, not a memcmp() call: this runs once a probe */
	memcpy(&x0, e->key.b, 8);
	memcpy(&x1, e->key.b + 8, 8);
	memcpy(&y0, k->a.b, 8);
	memcpy(&y1, k->a.b + 8, 8);
	return ((x0 ^ y0) | (x1 ^ y1)) == 0 && e->key.family == k->a.family &&
	    e->plen == k->plen;
}

#define HUGE_PAGE	((size_t)2 << 20)

/*
 * n zeroed bytes, written once here: calloc'd pages that a lookup reads
 * before it writes are mapped to the zero page first and copied on the
 * first write, which in a threaded process flushes every CPU's TLB once
 * a page. Big tables ask for huge pages: one lookup, one cache miss,
 * without a TLB miss on top.
 */
static void *
zalloc(size_t n)
{
	void *p;

	if (n < 2 * HUGE_PAGE)
		return sift_xcalloc(1, n);
	if (posix_memalign(&p, HUGE_PAGE, n) != 0)
		return sift_xcalloc(1, n);
#ifdef MADV_HUGEPAGE
	(void)madvise(p, n & ~(HUGE_PAGE - 1), MADV_HUGEPAGE);
#endif
	memset(p, 0, n);
	return p;
}

static void
alloc_table(struct sift_agg *ag, size_t slots)
{
	ag->mask = slots - 1;
	/* family 0 marks an empty slot */
	/* slots doubles from 1024: memory runs out long before size_t */
	ag->ents = zalloc(slots * sizeof(*ag->ents));
	ag->rings = ag->ring ? zalloc(slots * ag->stride) : NULL;
}

int
sift_agg_new(struct sift_agg **ap, const struct sift_agg_opts *opts,
    struct sift_err *err)
{
	struct sift_agg *ag;
	unsigned r = 0;

	*ap = NULL;
	if (opts != NULL && opts->window > 0) {
		r = opts->min_count > opts->min_score ? opts->min_count :
		    opts->min_score;
		if (r == 0)
			r = 1;
		if (r > SIFT_AGG_RING_MAX)
			return sift_err_set(err, SIFT_E_LIMIT, 0,
			    "window threshold %u exceeds %d", r,
			    SIFT_AGG_RING_MAX);
	}
	ag = sift_xcalloc(1, sizeof(*ag));
	if (opts != NULL)
		ag->o = *opts;
	ag->ring = r;
	ag->stride = r ? 8 + (size_t)r * 8 + (((size_t)r + 7) &
	    ~(size_t)7) : 0;
	alloc_table(ag, 1024);
	*ap = ag;
	return 0;
}

void
sift_agg_free(struct sift_agg *ag)
{
	if (ag == NULL)
		return;
	free(ag->ents);
	free(ag->ext);
	free(ag->rings);
	free(ag);
}

static void
rehash(struct sift_agg *ag)
{
	struct sift_agg_ent *old = ag->ents;
	unsigned char *oldr = ag->rings;
	size_t oslots = ag->mask + 1;

	alloc_table(ag, oslots * 2);
	ag->gone = 0;		/* absorbed keys are left behind */
	for (size_t i = 0; i < oslots; i++) {
		struct sift_key k;
		size_t j;

		if (old[i].key.family == 0 ||
		    (old[i].flags & SIFT_AGG_GONE) != 0)
			continue;
		k.a = old[i].key;
		k.plen = old[i].plen;
		for (j = key_hash(&k) & ag->mask; ag->ents[j].key.family != 0;
		    j = (j + 1) & ag->mask)
			continue;
		ag->ents[j] = old[i];
		if (oldr != NULL)
			memcpy(ag->rings + j * ag->stride,
			    oldr + i * ag->stride, ag->stride);
	}
	free(old);
	free(oldr);
}

/* Slot of k, inserting a zeroed entry if absent (and insert is set). */
static size_t
lookup(struct sift_agg *ag, const struct sift_key *k, bool insert,
    bool *found)
{
	size_t j;
	struct sift_agg_ent *e;

	for (j = key_hash(k) & ag->mask; ag->ents[j].key.family != 0;
	    j = (j + 1) & ag->mask) {
		/* a gone key stays in place for the probes after it */
		if (key_eq(&ag->ents[j], k) &&
		    (ag->ents[j].flags & SIFT_AGG_GONE) == 0) {
			*found = true;
			return j;
		}
	}
	*found = false;
	if (!insert)
		return 0;
	/* At most 3/4 full: grow first, then find the slot again. */
	if ((ag->n + ag->gone + 1) * 4 > (ag->mask + 1) * 3) {
		rehash(ag);
		for (j = key_hash(k) & ag->mask; ag->ents[j].key.family != 0;
		    j = (j + 1) & ag->mask)
			continue;
	}
	e = &ag->ents[j];
	memset(e, 0, sizeof(*e));
	e->key = k->a;
	e->plen = k->plen;
	ag->n++;
	return j;
}

static void
class_add(struct sift_agg *ag, struct sift_agg_ent *e, int cls, uint32_t n)
{
	uint32_t *row;

	if (e->nslot != SIFT_AGG_EXT) {
		for (unsigned i = 0; i < e->nslot; i++)
			if (e->cls[i] == cls) {
				e->cnt[i] += n;
				return;
			}
		if (e->nslot < SIFT_AGG_SLOTS) {
			e->cls[e->nslot] = (uint8_t)cls;
			e->cnt[e->nslot] = n;
			e->nslot++;
			return;
		}
		/* Fifth class: move the counts to an overflow row. */
		if (ag->next == ag->capext) {
			ag->capext = ag->capext ? ag->capext * 2 : 16;
			ag->ext = sift_xreallocarray(ag->ext, ag->capext,
			    SIFT_CLASS_MAX * sizeof(uint32_t));
		}
		row = ag->ext + ag->next * SIFT_CLASS_MAX;
		memset(row, 0, SIFT_CLASS_MAX * sizeof(uint32_t));
		for (unsigned i = 0; i < e->nslot; i++)
			row[e->cls[i]] = e->cnt[i];
		e->cnt[0] = (uint32_t)ag->next++;
		e->nslot = SIFT_AGG_EXT;
	}
	ag->ext[(size_t)e->cnt[0] * SIFT_CLASS_MAX + (unsigned)cls] += n;
}

static void
window_add(struct sift_agg *ag, size_t idx, int cls, int64_t ts)
{
	unsigned char *rb = ag->rings + idx * ag->stride;
	int64_t *times = (int64_t *)(void *)(rb + 8);
	unsigned char *w = rb + 8 + (size_t)ag->ring * 8;
	unsigned head = rb[0], fill = rb[1], weight, sum, n;
	unsigned want;

	weight = ag->o.weights != NULL && ag->o.min_score != 0 ?
	    ag->o.weights[cls] : 1;
	if (weight == 0)
		return;
	if (weight > 255)
		weight = 255;
	times[head] = ts;
	w[head] = (unsigned char)weight;
	head = (head + 1) % ag->ring;
	if (fill < ag->ring)
		fill++;
	rb[0] = (unsigned char)head;
	rb[1] = (unsigned char)fill;
	/* Newest first, while inside the window. */
	sum = 0;
	n = 0;
	for (unsigned i = 0; i < fill; i++) {
		unsigned k = (head + ag->ring - 1 - i) % ag->ring;
		int64_t d = ts - times[k];

		if (d < 0)
			d = -d;
		if (d >= ag->o.window)
			break;
		sum += w[k];
		n++;
	}
	want = ag->o.min_count;
	if ((want != 0 && n >= want) ||
	    (ag->o.min_score != 0 && sum >= ag->o.min_score) ||
	    (want == 0 && ag->o.min_score == 0))
		ag->ents[idx].flags |= SIFT_AGG_HIT;
}

static struct sift_agg_ent *
add_at(struct sift_agg *ag, size_t idx, int cls, int64_t ts)
{
	struct sift_agg_ent *e = &ag->ents[idx];

	if (e->count < UINT32_MAX)
		e->count++;
	if (ts > 0 && ts <= UINT32_MAX) {
		uint32_t t = (uint32_t)ts;

		if (e->first == 0 || t < e->first)
			e->first = t;
		if (t > e->last)
			e->last = t;
	}
	if (cls >= 0 && cls < SIFT_CLASS_MAX)
		class_add(ag, e, cls, 1);
	if (ag->ring && cls >= 0 && cls < SIFT_CLASS_MAX)
		window_add(ag, idx, cls, ts);
	return e;
}

struct sift_agg_ent *
sift_agg_add(struct sift_agg *ag, const struct sift_key *k, int cls,
    int64_t ts)
{
	bool found;

	return add_at(ag, lookup(ag, k, true, &found), cls, ts);
}

#define MANY	32

void
sift_agg_add_many(struct sift_agg *ag, const struct sift_agg_event *ev,
    size_t n)
{
	size_t idx[MANY], mask;
	bool found[MANY];

	while (n > 0) {
		size_t m = n < MANY ? n : MANY;

		/* find the slots, and start loading their count rows */
		mask = ag->mask;
		for (size_t i = 0; i < m; i++) {
			const struct sift_agg_ent *e;

			idx[i] = lookup(ag, &ev[i].k, false, &found[i]);
			if (!found[i])
				continue;
			e = &ag->ents[idx[i]];
			if (e->nslot == SIFT_AGG_EXT)
				__builtin_prefetch(ag->ext +
				    (size_t)e->cnt[0] * SIFT_CLASS_MAX, 1, 1);
			if (ag->ring)
				__builtin_prefetch(ag->rings +
				    idx[i] * ag->stride, 1, 1);
		}
		/* count, in order; a new key may move the others */
		for (size_t i = 0; i < m; i++) {
			if (found[i] && ag->mask == mask)
				(void)add_at(ag, idx[i], ev[i].cls, ev[i].ts);
			else
				(void)sift_agg_add(ag, &ev[i].k, ev[i].cls,
				    ev[i].ts);
		}
		ev += m;
		n -= m;
	}
}

void
sift_agg_prefetch(const struct sift_agg *ag, const struct sift_key *k)
{
	const char *e = (const char *)&ag->ents[key_hash(k) & ag->mask];

	/* an entry may straddle two lines; probing goes on to the next */
	__builtin_prefetch(e, 1, 1);
	__builtin_prefetch(e + 63, 1, 1);
}

const struct sift_agg_ent *
sift_agg_find(const struct sift_agg *ag, const struct sift_key *k)
{
	bool found;
	size_t idx;

	/* lookup() does not modify the table when insert is false. */
	idx = lookup((struct sift_agg *)(uintptr_t)ag, k, false, &found);
	return found ? &ag->ents[idx] : NULL;
}

void
sift_agg_merge_entry(struct sift_agg *dst, const struct sift_key *k,
    const struct sift_agg *src, const struct sift_agg_ent *s)
{
	struct sift_agg_ent *d;
	size_t idx;
	bool found;

	idx = lookup(dst, k, true, &found);
	d = &dst->ents[idx];
	d->count = d->count > UINT32_MAX - s->count ? UINT32_MAX :
	    d->count + s->count;
	if (s->first != 0 && (d->first == 0 || s->first < d->first))
		d->first = s->first;
	if (s->last > d->last)
		d->last = s->last;
	d->flags |= s->flags;
	if (s->nslot != SIFT_AGG_EXT) {
		for (unsigned i = 0; i < s->nslot; i++)
			class_add(dst, d, s->cls[i], s->cnt[i]);
		return;
	}
	for (int c = 0; c < SIFT_CLASS_MAX; c++) {
		uint32_t n = sift_agg_class_count(src, s, c);

		if (n != 0) {
			/* class_add() may move dst's entries: look again. */
			class_add(dst, &dst->ents[idx], c, n);
		}
	}
}

void
sift_agg_reserve(struct sift_agg *ag, size_t n)
{
	while ((n + ag->gone) * 4 > (ag->mask + 1) * 3 &&
	    ag->mask < SIZE_MAX / 8)
		rehash(ag);
}

/*
 * The live entries of src into dst, in batches whose slots in dst are
 * prefetched, so that the cache misses overlap. absorb: only the keys
 * dst has already, each then marked gone in src (which it changes only
 * then); else every key, dst growing first.
 */
static void
merge_batched(struct sift_agg *dst, const struct sift_agg *src, bool absorb)
{
	const struct sift_agg_ent *batch[16];
	unsigned nb = 0;

	/* Room for every key at once: no rehash in the middle. */
	if (!absorb)
		sift_agg_reserve(dst, dst->n + src->n);
	for (size_t i = 0; i <= src->mask + 1; i++) {
		struct sift_key k;

		if (i <= src->mask && src->ents[i].key.family != 0 &&
		    (src->ents[i].flags & SIFT_AGG_GONE) == 0) {
			k.a = src->ents[i].key;
			k.plen = src->ents[i].plen;
			sift_agg_prefetch(dst, &k);
			batch[nb++] = &src->ents[i];
		}
		if (nb < 16 && i <= src->mask)
			continue;
		for (unsigned b = 0; b < nb; b++) {
			bool found;

			k.a = batch[b]->key;
			k.plen = batch[b]->plen;
			if (absorb) {
				(void)lookup(dst, &k, false, &found);
				if (!found)
					continue;
			}
			/* absorbing: no insertion, so dst does not move */
			sift_agg_merge_entry(dst, &k, src, batch[b]);
			if (absorb) {
				struct sift_agg *s = (struct sift_agg *)
				    (uintptr_t)src;

				s->ents[batch[b] - src->ents].flags |=
				    SIFT_AGG_GONE;
				s->n--;
				s->gone++;
			}
		}
		nb = 0;
	}
}

int
sift_agg_merge(struct sift_agg *dst, const struct sift_agg *src,
    struct sift_err *err)
{
	if (dst->ring || src->ring)
		return sift_err_set(err, SIFT_E_USAGE, 0,
		    "cannot merge windowed tables");
	merge_batched(dst, src, false);
	return 0;
}

int
sift_agg_absorb(struct sift_agg *dst, struct sift_agg *src,
    struct sift_err *err)
{
	if (dst->ring || src->ring)
		return sift_err_set(err, SIFT_E_USAGE, 0,
		    "cannot merge windowed tables");
	merge_batched(dst, src, true);
	return 0;
}

size_t
sift_agg_size(const struct sift_agg *ag)
{
	return ag->n;
}

const struct sift_agg_ent *
sift_agg_next(const struct sift_agg *ag, size_t *pos)
{
	for (; *pos <= ag->mask; (*pos)++)
		if (ag->ents[*pos].key.family != 0 &&
		    (ag->ents[*pos].flags & SIFT_AGG_GONE) == 0)
			return &ag->ents[(*pos)++];
	return NULL;
}

uint32_t
sift_agg_class_count(const struct sift_agg *ag, const struct sift_agg_ent *e,
    int cls)
{
	if (cls < 0 || cls >= SIFT_CLASS_MAX)
		return 0;
	if (e->nslot == SIFT_AGG_EXT)
		return ag->ext[(size_t)e->cnt[0] * SIFT_CLASS_MAX +
		    (unsigned)cls];
	for (unsigned i = 0; i < e->nslot; i++)
		if (e->cls[i] == cls)
			return e->cnt[i];
	return 0;
}

size_t
sift_agg_bytes(const struct sift_agg *ag)
{
	return sizeof(*ag) + (ag->mask + 1) * (sizeof(*ag->ents) +
	    ag->stride) + ag->capext * SIFT_CLASS_MAX * sizeof(uint32_t);
}
