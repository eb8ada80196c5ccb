/* SPDX-License-Identifier: ISC */
/*
 * Unit tests: lib/ipset.c. Property tests against a brute-force bitmap of a
 * 256-address universe (fixed seed), placed at the bottom, the middle and
 * the top of each family so edge arithmetic is exercised, plus hand cases.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipset.h"
#include "../tap.h"
#include "banned.h"

#define U	256

struct universe {
	int		family;
	sift_u128	base;
};

static unsigned seed = 20261122;

static unsigned
rnd(unsigned n)
{
	return (unsigned)rand_r(&seed) % n;
}

static void
add(struct sift_ipset *s, const struct universe *u, unsigned lo, unsigned hi)
{
	if (u->family == 4)
		sift_ipset_add_range4(s, (uint32_t)(u->base + lo),
		    (uint32_t)(u->base + hi));
	else
		sift_ipset_add_range6(s, u->base + lo, u->base + hi);
}

/* A random set: hosts, ranges and aligned blocks, in random order. */
static void
random_set(struct sift_ipset *s, unsigned char *bm, const struct universe *u)
{
	unsigned n = rnd(12), lo, hi, k;

	memset(bm, 0, U);
	for (unsigned i = 0; i < n; i++) {
		switch (rnd(3)) {
		case 0:
			lo = hi = rnd(U);
			break;
		case 1:
			lo = rnd(U);
			hi = lo + rnd(U - lo);
			break;
		default:
			k = rnd(7);
			lo = rnd(U) & ~((1u << k) - 1);
			hi = lo + (1u << k) - 1;
			break;
		}
		add(s, u, lo, hi);
		memset(bm + lo, 1, hi - lo + 1);
	}
}

/* Render a set back to a bitmap; 0 if it strays outside the universe. */
static int
to_bitmap(struct sift_ipset *s, unsigned char *bm, const struct universe *u)
{
	struct sift_ipset t = SIFT_IPSET_INIT;
	sift_u128 lo, hi;
	size_t n;

	memset(bm, 0, U);
	sift_ipset_optimize(s);
	n = u->family == 4 ? s->n4 : s->n6;
	if ((u->family == 4 ? s->n6 : s->n4) != 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		lo = u->family == 4 ? s->r4[i].lo : s->r6[i].lo;
		hi = u->family == 4 ? s->r4[i].hi : s->r6[i].hi;
		if (lo < u->base || hi > u->base + U - 1 || hi < lo)
			return 0;
		/* disjoint and not adjacent */
		if (i > 0 && lo <= (u->family == 4 ? s->r4[i - 1].hi :
		    s->r6[i - 1].hi) + 1)
			return 0;
		memset(bm + (unsigned)(lo - u->base), 1,
		    (size_t)(hi - lo) + 1);
	}
	sift_ipset_release(&t);
	return 1;
}

/* Fewest CIDR blocks covering bm within the aligned block [lo, lo+size). */
static unsigned
min_cidrs(const unsigned char *bm, unsigned lo, unsigned size)
{
	unsigned set = 0;

	for (unsigned i = lo; i < lo + size; i++)
		set += bm[i];
	if (set == 0)
		return 0;
	if (set == size)
		return 1;
	return min_cidrs(bm, lo, size / 2) + min_cidrs(bm, lo + size / 2,
	    size / 2);
}

struct cover {
	const struct universe *u;
	unsigned char	bm[U];
	unsigned	n;
	int		bad;
};

static int
cover_cb(const struct sift_cidr *c, void *arg)
{
	struct cover *cv = arg;
	struct sift_ipset one = SIFT_IPSET_INIT;
	unsigned char bm[U];

	cv->n++;
	if (c->a.family != cv->u->family) {
		cv->bad = 1;
		return 0;
	}
	sift_ipset_add_cidr(&one, c);
	if (!to_bitmap(&one, bm, cv->u)) {
		cv->bad = 1;
	} else {
		for (unsigned i = 0; i < U; i++) {
			if (bm[i] && cv->bm[i])
				cv->bad = 1;	/* blocks overlap */
			cv->bm[i] |= bm[i];
		}
	}
	sift_ipset_release(&one);
	return 0;
}

static int
check_cover(struct sift_ipset *s, const unsigned char *want,
    const struct universe *u)
{
	struct cover cv;

	memset(&cv, 0, sizeof(cv));
	cv.u = u;
	sift_ipset_foreach_cidr(s, cover_cb, &cv);
	if (cv.bad || memcmp(cv.bm, want, U) != 0)
		return 0;
	if (cv.n != min_cidrs(want, 0, U))
		return 0;
	return cv.n == sift_ipset_count_cidr(s, u->family);
}

static int
property_round(const struct universe *u)
{
	struct sift_ipset a = SIFT_IPSET_INIT, b = SIFT_IPSET_INIT,
	    d = SIFT_IPSET_INIT;
	unsigned char ba[U], bb[U], want[U], got[U];
	unsigned p, k, cnt;
	int ok = 1;

	random_set(&a, ba, u);
	random_set(&b, bb, u);

	sift_ipset_union(&d, &a, &b);
	for (unsigned i = 0; i < U; i++)
		want[i] = ba[i] | bb[i];
	ok &= to_bitmap(&d, got, u) && memcmp(got, want, U) == 0;
	ok &= check_cover(&d, want, u);

	sift_ipset_difference(&d, &a, &b);
	for (unsigned i = 0; i < U; i++)
		want[i] = ba[i] & !bb[i];
	ok &= to_bitmap(&d, got, u) && memcmp(got, want, U) == 0;
	ok &= check_cover(&d, want, u);

	sift_ipset_intersection(&d, &a, &b);
	for (unsigned i = 0; i < U; i++)
		want[i] = ba[i] & bb[i];
	ok &= to_bitmap(&d, got, u) && memcmp(got, want, U) == 0;

	/* contains() and count_addrs() agree with the bitmap */
	cnt = 0;
	for (unsigned i = 0; i < U; i++) {
		struct sift_cidr c;
		struct sift_ipset one = SIFT_IPSET_INIT;

		cnt += ba[i];
		add(&one, u, i, i);
		sift_ipset_foreach_cidr(&one, NULL, NULL);
		/* first block of a one-address set is that address */
		if (u->family == 4)
			sift_addr_from_v4(&c.a, (uint32_t)(u->base + i));
		else {
			memset(&c.a, 0, sizeof(c.a));
			c.a.family = 6;
			for (int j = 15; j >= 0; j--)
				c.a.b[j] = (uint8_t)((u->base + i) >>
				    (8 * (15 - j)));
		}
		if (sift_ipset_contains(&a, &c.a) != (ba[i] != 0))
			ok = 0;
		sift_ipset_release(&one);
	}
	ok &= sift_ipset_count_addrs(&a, u->family) == cnt;

	/*
	 * Aggregate to /p where at least k addresses offend, then subtract
	 * the allowlist b last: never covers b, covers every whole network
	 * that qualified except b's holes.
	 */
	p = (u->family == 4 ? 32 : 128) - 1 - rnd(7);
	k = rnd(6);
	sift_ipset_aggregate(&a, u->family == 4 ? p : 0,
	    u->family == 6 ? p : 0, k);
	{
		unsigned size = 1u << ((u->family == 4 ? 32 : 128) - p);

		memcpy(want, ba, U);
		for (unsigned net = 0; net < U; net += size) {
			unsigned hits = 0;

			for (unsigned i = net; i < net + size; i++)
				hits += ba[i];
			if (hits > 0 && hits >= k)
				memset(want + net, 1, size);
		}
	}
	ok &= to_bitmap(&a, got, u) && memcmp(got, want, U) == 0;
	sift_ipset_subtract(&a, &b);
	for (unsigned i = 0; i < U; i++)
		want[i] &= !bb[i];
	ok &= to_bitmap(&a, got, u) && memcmp(got, want, U) == 0;
	ok &= check_cover(&a, want, u);

	sift_ipset_release(&a);
	sift_ipset_release(&b);
	sift_ipset_release(&d);
	return ok;
}

struct text {
	char	buf[1024];
	size_t	n;
};

static int
text_cb(const struct sift_cidr *c, void *arg)
{
	struct text *t = arg;
	char one[SIFT_CIDR_STRLEN];
	size_t n = sift_cidr_format(c, one, sizeof(one));

	if (t->n + n + 2 > sizeof(t->buf))
		return 1;
	if (t->n > 0)
		t->buf[t->n++] = ' ';
	memcpy(t->buf + t->n, one, n + 1);
	t->n += n;
	return 0;
}

static const char *
cidrs(const char *const *in, size_t n, const char *allow, unsigned p4,
    unsigned p6, unsigned k)
{
	static struct text t;
	struct sift_ipset s = SIFT_IPSET_INIT, al = SIFT_IPSET_INIT;
	struct sift_cidr c;

	for (size_t i = 0; i < n; i++) {
		if (sift_cidr_parse(in[i], strlen(in[i]), &c, false) == -1)
			return "PARSE";
		sift_ipset_add_cidr(&s, &c);
	}
	if (allow != NULL) {
		if (sift_cidr_parse(allow, strlen(allow), &c, false) == -1)
			return "PARSE";
		sift_ipset_add_cidr(&al, &c);
	}
	sift_ipset_aggregate(&s, p4, p6, k);
	sift_ipset_subtract(&s, &al);
	memset(&t, 0, sizeof(t));
	sift_ipset_foreach_cidr(&s, text_cb, &t);
	sift_ipset_release(&s);
	sift_ipset_release(&al);
	return t.buf;
}

int
main(void)
{
	static const struct universe unis[] = {
		{ 4, 0 }, { 4, 0xc0000200 }, { 4, 0xffffff00 },
		{ 6, 0 }, { 6, (sift_u128)0x20010db8 << 96 },
		{ 6, ~(sift_u128)0 - 255 },
	};
	static const char *const adj[] = { "10.0.0.1", "10.0.0.0",
		"10.0.0.3", "10.0.0.2", "10.0.0.4/30", "10.0.0.0/29" };
	static const char *const mixed[] = { "2001:db8::1", "192.0.2.9",
		"2001:db8::/127", "192.0.2.8" };
	static const char *const agg[] = { "192.0.2.1", "192.0.2.77",
		"198.51.100.5", "2001:db8:1::5", "2001:db8:1::9" };
	static const char *const all4[] = { "0.0.0.0/1", "128.0.0.0/1" };
	static const char *const net24[] = { "192.0.2.0/24" };
	static const char *const top[] = { "255.255.255.254", "255.255.255.255",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127" };
	int rounds = 0, ok = 1;

	for (size_t u = 0; u < SIFT_ARRAY_SIZE(unis); u++)
		for (int i = 0; i < 400; i++, rounds++)
			if (!property_round(&unis[u])) {
				ok = 0;
				printf("# property failed: universe %zu round %d\n",
				    u, i);
				break;
			}
	CHECK(ok);
	CHECK_INT(rounds, 2400);

	CHECK_STREQ(cidrs(adj, 6, NULL, 0, 0, 0), "10.0.0.0/29");
	CHECK_STREQ(cidrs(adj, 6, "10.0.0.5", 0, 0, 0),
	    "10.0.0.0/30 10.0.0.4 10.0.0.6/31");
	CHECK_STREQ(cidrs(mixed, 4, NULL, 0, 0, 0),
	    "192.0.2.8/31 2001:db8::/127");
	CHECK_STREQ(cidrs(agg, 5, NULL, 24, 64, 0),
	    "192.0.2.0/24 198.51.100.0/24 2001:db8:1::/64");
	CHECK_STREQ(cidrs(agg, 5, NULL, 24, 64, 2),
	    "192.0.2.0/24 198.51.100.5 2001:db8:1::/64");
	CHECK_STREQ(cidrs(agg, 5, "192.0.2.128/25", 24, 0, 2),
	    "192.0.2.0/25 198.51.100.5 2001:db8:1::5 2001:db8:1::9");
	CHECK_STREQ(cidrs(all4, 2, NULL, 0, 0, 0), "0.0.0.0/0");
	CHECK_STREQ(cidrs(net24, 1, "192.0.2.77", 0, 0, 0),
	    "192.0.2.0/26 192.0.2.64/29 192.0.2.72/30 192.0.2.76 "
	    "192.0.2.78/31 192.0.2.80/28 192.0.2.96/27 192.0.2.128/25");
	CHECK_STREQ(cidrs(top, 3, NULL, 0, 0, 0),
	    "255.255.255.254/31 ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127");
	{
		struct sift_ipset a = SIFT_IPSET_INIT, b = SIFT_IPSET_INIT;
		struct sift_addr lo, hi;

		CHECK(sift_addr_parse("10.0.0.1", 8, &lo) == 0);
		CHECK(sift_addr_parse("10.0.0.9", 8, &hi) == 0);
		sift_ipset_add_span(&a, &lo, &hi);
		CHECK_INT(sift_ipset_count_addrs(&a, 4), 9);
		CHECK_INT(sift_ipset_count_cidr(&a, 4), 4);	/* .1 .2/31 .4/30 .8/31 */
		sift_ipset_add_span(&b, &hi, &lo);		/* reversed: nothing */
		CHECK(sift_ipset_is_empty(&b));
		CHECK(sift_ipset_contains_set(&a, &b));
		CHECK(sift_addr_parse("10.0.0.5", 8, &hi) == 0);
		sift_ipset_add_span(&b, &lo, &hi);
		CHECK(sift_ipset_contains_set(&a, &b));
		CHECK(!sift_ipset_contains_set(&b, &a));
		CHECK(sift_addr_parse("2001:db8::1", 11, &hi) == 0);
		sift_ipset_add_span(&b, &lo, &hi);		/* mixed: nothing */
		CHECK_INT(sift_ipset_count_addrs(&b, 6), 0);
		sift_ipset_release(&a);
		sift_ipset_release(&b);
	}
	return tap_done();
}
