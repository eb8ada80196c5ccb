/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the range-set arithmetic against a bitmap. The input is a program
 * of set operations on two sets, a ban list A and an allowlist X, confined
 * to a universe of 4096 addresses per family placed by the input at the
 * bottom, the top or the middle of the address space (so overflow at the
 * edges is exercised). Each operation is mirrored on bitmaps. At the end:
 * cover = A minus X must equal the bitmap exactly; the ranges are sorted,
 * disjoint and not adjacent; the CIDR split is exact (aligned blocks, in
 * order, covering the set and nothing else) and minimal; counts, union,
 * intersection, difference, equality and lookups agree with the bitmaps.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "ipset.h"
#include "fuzz.h"
#include "banned.h"

#define U	4096u		/* universe size per family (a /20, a /116) */
#define UBITS	12

struct bits {
	uint8_t	b[U / 8];
};

struct world {
	uint32_t	 base4;
	sift_u128	 base6;
	struct bits	 a4, x4, a6, x6;
};

static bool
bit(const struct bits *m, unsigned i)
{
	return (m->b[i / 8] >> (i % 8)) & 1;
}

static void
setbits(struct bits *m, unsigned lo, unsigned hi)
{
	for (unsigned i = lo; i <= hi; i++)
		m->b[i / 8] |= (uint8_t)(1u << (i % 8));
}

struct in {
	const uint8_t	*p;
	size_t		 n;
};

static unsigned
take(struct in *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

static unsigned
take_off(struct in *in)
{
	return (take(in) << 8 | take(in)) % U;
}

static void
addr4(struct sift_addr *a, uint32_t v)
{
	sift_addr_from_v4(a, v);
}

static void
addr6(struct sift_addr *a, sift_u128 v)
{
	memset(a, 0, sizeof(*a));
	a->family = 6;
	for (int i = 15; i >= 0; i--) {
		a->b[i] = (uint8_t)v;
		v >>= 8;
	}
}

static sift_u128
u128_of(const struct sift_addr *a)
{
	sift_u128 v = 0;

	for (int i = 0; i < 16; i++)
		v = v << 8 | a->b[i];
	return v;
}

/* One operation on set s and its bitmap m, in family 4 or 6. */
static void
apply(struct world *w, struct sift_ipset *s, struct bits *m, int fam,
    unsigned kind, struct in *in)
{
	struct sift_cidr c;
	struct sift_addr a;
	unsigned lo, hi, t, plen, keep;

	lo = take_off(in);
	switch (kind) {
	case 0:		/* a range */
		hi = take_off(in);
		if (lo > hi) {
			t = lo;
			lo = hi;
			hi = t;
		}
		if (fam == 4)
			sift_ipset_add_range4(s, w->base4 + lo, w->base4 + hi);
		else
			sift_ipset_add_range6(s, w->base6 + lo, w->base6 + hi);
		setbits(m, lo, hi);
		break;
	case 1:		/* one address */
		if (fam == 4)
			addr4(&a, w->base4 + lo);
		else
			addr6(&a, w->base6 + lo);
		sift_ipset_add_addr(s, &a);
		setbits(m, lo, lo);
		break;
	default:	/* a CIDR block inside the universe */
		keep = take(in) % (UBITS + 1);	/* host bits: 0..12 */
		lo &= ~((1u << keep) - 1);
		hi = lo + (1u << keep) - 1;
		plen = (fam == 4 ? 32 : 128) - keep;
		if (fam == 4)
			addr4(&c.a, w->base4 + lo);
		else
			addr6(&c.a, w->base6 + lo);
		c.prefix = (uint8_t)plen;
		sift_ipset_add_cidr(s, &c);
		setbits(m, lo, hi);
		break;
	}
}

/* Widen in the bitmap as sift_ipset_aggregate() documents. */
static void
aggregate_bits(struct bits *m, unsigned keep, uint64_t min_hits)
{
	unsigned net, i, size = 1u << keep, n;

	if (min_hits == 0)
		min_hits = 1;
	for (net = 0; net < U; net += size) {
		for (n = 0, i = net; i < net + size; i++)
			n += bit(m, i);
		if (n >= min_hits)
			setbits(m, net, net + size - 1);
	}
}

/* Checking a set against its bitmap. */
struct walk {
	const struct world	*w;
	const struct bits	*m;
	struct bits		 seen[2];	/* IPv4, IPv6 */
	int			 fam;
	bool			 any;
	sift_u128		 next;	/* first address after the last block */
	size_t			 n4, n6;
};

static int
on_cidr(const struct sift_cidr *c, void *arg)
{
	struct walk *wk = arg;
	struct sift_addr m;
	sift_u128 v, size, off;
	unsigned bits, fi;

	FUZZ_CHECK(c->a.family == 4 || c->a.family == 6);
	bits = sift_addr_bits(&c->a);
	FUZZ_CHECK(c->prefix <= bits);
	/* IPv4 first, then IPv6. */
	if (c->a.family == 6 && wk->fam == 4) {
		wk->fam = 6;
		wk->any = false;
	}
	FUZZ_CHECK(c->a.family == wk->fam);
	m = c->a;
	sift_addr_mask(&m, c->prefix);
	FUZZ_CHECK(sift_addr_eq(&m, &c->a));		/* aligned */
	v = u128_of(&c->a);
	if (c->a.family == 4)
		v &= 0xffffffffu;
	FUZZ_CHECK(bits - c->prefix <= UBITS);		/* inside universe */
	size = (sift_u128)1 << (bits - c->prefix);
	FUZZ_CHECK(!wk->any || v >= wk->next);		/* sorted, disjoint */
	if (c->a.family == 4) {
		FUZZ_CHECK(v >= wk->w->base4 && v - wk->w->base4 < U);
		off = v - wk->w->base4;
		wk->n4++;
	} else {
		FUZZ_CHECK(v >= wk->w->base6 && v - wk->w->base6 < U);
		off = v - wk->w->base6;
		wk->n6++;
	}
	FUZZ_CHECK(off + size <= U);
	fi = c->a.family == 4 ? 0 : 1;
	for (sift_u128 i = off; i < off + size; i++) {
		FUZZ_CHECK(bit(&wk->m[fi], (unsigned)i));
		FUZZ_CHECK(!bit(&wk->seen[fi], (unsigned)i));
		setbits(&wk->seen[fi], (unsigned)i, (unsigned)i);
	}
	wk->any = true;
	wk->next = v + size;
	return 0;
}

/*
 * Fewest aligned blocks covering [lo, hi]: the greedy split. Every base is
 * a multiple of U, so offsets align as the addresses do.
 */
static size_t
min_blocks(unsigned lo, unsigned hi)
{
	size_t n = 0;
	unsigned a = lo, end = hi + 1, size;

	while (a < end) {
		size = 1;
		while ((a & (size * 2 - 1)) == 0 && a + size * 2 <= end)
			size *= 2;
		a += size;
		n++;
	}
	return n;
}

static size_t
min_cover(const struct bits *m)
{
	size_t n = 0;
	unsigned i = 0, j;

	while (i < U) {
		if (!bit(m, i)) {
			i++;
			continue;
		}
		for (j = i; j + 1 < U && bit(m, j + 1); j++)
			continue;
		n += min_blocks(i, j);
		i = j + 1;
	}
	return n;
}

static unsigned
popcount(const struct bits *m)
{
	unsigned n = 0;

	for (size_t i = 0; i < sizeof(m->b); i++)
		n += (unsigned)__builtin_popcount(m->b[i]);
	return n;
}

/* Lookups at k and around it agree with the bitmap. */
static void
probe(const struct world *w, const struct sift_ipset *s,
    const struct bits *m, int fam, unsigned k)
{
	struct sift_addr a;

	for (unsigned j = k > 0 ? k - 1 : k; j <= k + 1 && j < U; j++) {
		if (fam == 4)
			addr4(&a, w->base4 + j);
		else
			addr6(&a, w->base6 + j);
		FUZZ_CHECK(sift_ipset_contains(s, &a) == bit(m, j));
	}
}

static void
check_set(const struct world *w, struct sift_ipset *s,
    const struct bits *m4, const struct bits *m6)
{
	struct bits pair[2], drawn[2];
	struct walk wk;
	struct sift_addr a;
	size_t i;

	sift_ipset_optimize(s);
	FUZZ_CHECK(s->opt4 && s->opt6);
	for (i = 0; i < s->n4; i++) {
		FUZZ_CHECK(s->r4[i].lo <= s->r4[i].hi);
		if (i > 0)	/* sorted, disjoint and not adjacent */
			FUZZ_CHECK(s->r4[i - 1].hi < s->r4[i].lo - 1 &&
			    s->r4[i].lo > 0);
	}
	for (i = 0; i < s->n6; i++) {
		FUZZ_CHECK(s->r6[i].lo <= s->r6[i].hi);
		if (i > 0)
			FUZZ_CHECK(s->r6[i - 1].hi < s->r6[i].lo - 1 &&
			    s->r6[i].lo > 0);
	}
	/* The ranges, drawn as bitmaps, are the bitmaps. */
	memset(drawn, 0, sizeof(drawn));
	for (i = 0; i < s->n4; i++) {
		FUZZ_CHECK(s->r4[i].lo >= w->base4 &&
		    s->r4[i].hi - w->base4 < U);
		setbits(&drawn[0], s->r4[i].lo - w->base4,
		    s->r4[i].hi - w->base4);
		probe(w, s, m4, 4, s->r4[i].lo - w->base4);
		probe(w, s, m4, 4, s->r4[i].hi - w->base4);
	}
	for (i = 0; i < s->n6; i++) {
		FUZZ_CHECK(s->r6[i].lo >= w->base6 &&
		    s->r6[i].hi - w->base6 < U);
		setbits(&drawn[1], (unsigned)(s->r6[i].lo - w->base6),
		    (unsigned)(s->r6[i].hi - w->base6));
		probe(w, s, m6, 6, (unsigned)(s->r6[i].lo - w->base6));
		probe(w, s, m6, 6, (unsigned)(s->r6[i].hi - w->base6));
	}
	FUZZ_CHECK(memcmp(&drawn[0], m4, sizeof(*m4)) == 0);
	FUZZ_CHECK(memcmp(&drawn[1], m6, sizeof(*m6)) == 0);
	/* Outside the universe: nothing. */
	if (w->base4 > 0) {
		addr4(&a, w->base4 - 1);
		FUZZ_CHECK(!sift_ipset_contains(s, &a));
	}
	if (w->base4 + U - 1 < UINT32_MAX) {
		addr4(&a, w->base4 + U);
		FUZZ_CHECK(!sift_ipset_contains(s, &a));
	}
	FUZZ_CHECK(sift_ipset_count_addrs(s, 4) == popcount(m4));
	FUZZ_CHECK(sift_ipset_count_addrs(s, 6) == popcount(m6));
	FUZZ_CHECK(sift_ipset_is_empty(s) ==
	    (popcount(m4) == 0 && popcount(m6) == 0));

	/* The CIDR split: exact (seen == bitmap), ordered, minimal. */
	pair[0] = *m4;
	pair[1] = *m6;
	memset(&wk, 0, sizeof(wk));
	wk.w = w;
	wk.m = pair;
	wk.fam = 4;
	FUZZ_CHECK(sift_ipset_foreach_cidr(s, on_cidr, &wk) == 0);
	FUZZ_CHECK(memcmp(&wk.seen[0], m4, sizeof(*m4)) == 0);
	FUZZ_CHECK(memcmp(&wk.seen[1], m6, sizeof(*m6)) == 0);
	FUZZ_CHECK(wk.n4 == min_cover(m4));
	FUZZ_CHECK(wk.n6 == min_cover(m6));
	FUZZ_CHECK(sift_ipset_count_cidr(s, 4) == wk.n4);
	FUZZ_CHECK(sift_ipset_count_cidr(s, 6) == wk.n6);
}

static void
bits_op(struct bits *d, const struct bits *a, const struct bits *b, int op)
{
	for (size_t i = 0; i < sizeof(d->b); i++)
		d->b[i] = op == 0 ? a->b[i] | b->b[i] :
		    op == 1 ? a->b[i] & (uint8_t)~b->b[i] : a->b[i] & b->b[i];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t bases4[] = { 0, 0xc0000000u, 0xfffff000u };
	struct in in = { data, size };
	struct sift_ipset a = SIFT_IPSET_INIT, x = SIFT_IPSET_INIT,
	    cover = SIFT_IPSET_INIT, d = SIFT_IPSET_INIT;
	struct world *w;
	struct bits c4, c6, t4, t6;
	unsigned op, sel, keep4, keep6;
	uint64_t hits;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		abort();
	sel = take(&in);
	w->base4 = bases4[sel % 3];
	switch (sel / 3 % 3) {
	case 0:
		w->base6 = 0;
		break;
	case 1:	/* 2001:db8::/116 */
		w->base6 = (sift_u128)0x20010db8u << 96;
		break;
	default:
		w->base6 = ~(sift_u128)0 - (U - 1);
		break;
	}
	while (in.n > 0) {
		op = take(&in);
		switch (op % 8) {
		case 0: case 1: case 2:
			apply(w, &a, &w->a4, 4, op % 3, &in);
			break;
		case 3:
			apply(w, &a, &w->a6, 6, take(&in) % 3, &in);
			break;
		case 4:
			apply(w, &x, &w->x4, 4, take(&in) % 3, &in);
			break;
		case 5:
			apply(w, &x, &w->x6, 6, take(&in) % 3, &in);
			break;
		case 6:
			keep4 = take(&in) % (UBITS + 1);
			keep6 = take(&in) % (UBITS + 1);
			hits = take(&in) % 40;
			sift_ipset_aggregate(&a, 32 - keep4, 128 - keep6,
			    hits);
			aggregate_bits(&w->a4, keep4, hits);
			aggregate_bits(&w->a6, keep6, hits);
			break;
		default:
			sift_ipset_optimize(op & 8 ? &a : &x);
			break;
		}
	}
	/* The cover: what is banned once the allowlist is taken out. */
	sift_ipset_difference(&cover, &a, &x);
	bits_op(&c4, &w->a4, &w->x4, 1);
	bits_op(&c6, &w->a6, &w->x6, 1);
	check_set(w, &cover, &c4, &c6);
	check_set(w, &a, &w->a4, &w->a6);
	check_set(w, &x, &w->x4, &w->x6);

	/* In place gives the same; no allowlisted address survives. */
	sift_ipset_union(&d, &a, &a);
	FUZZ_CHECK(sift_ipset_equal(&d, &a));
	sift_ipset_subtract(&d, &x);
	FUZZ_CHECK(sift_ipset_equal(&d, &cover));
	sift_ipset_intersection(&d, &cover, &x);
	FUZZ_CHECK(sift_ipset_is_empty(&d));

	sift_ipset_union(&d, &a, &x);
	bits_op(&t4, &w->a4, &w->x4, 0);
	bits_op(&t6, &w->a6, &w->x6, 0);
	check_set(w, &d, &t4, &t6);
	sift_ipset_intersection(&d, &a, &x);
	bits_op(&t4, &w->a4, &w->x4, 2);
	bits_op(&t6, &w->a6, &w->x6, 2);
	check_set(w, &d, &t4, &t6);

	sift_ipset_release(&a);
	sift_ipset_release(&x);
	sift_ipset_release(&cover);
	sift_ipset_release(&d);
	free(w);
	return 0;
}
