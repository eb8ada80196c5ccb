/* SPDX-License-Identifier: ISC */
/* Range sets of IPv4 and IPv6 addresses: merge, set algebra, CIDR cover. */
#include "ipset.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static sift_u128
addr_u128(const struct sift_addr *a)
{
	sift_u128 v = 0;

	for (int i = 0; i < 16; i++)
		v = (v << 8) | a->b[i];
	return v;
}

/* total + d + 1, saturating */
static uint64_t
sat_add(uint64_t total, sift_u128 d)
{
	sift_u128 room = UINT64_MAX - total;

	if (d >= room)
		return UINT64_MAX;
	return total + (uint64_t)d + 1;
}

static void
tocidr4(struct sift_cidr *c, uint32_t v, unsigned prefix)
{
	sift_addr_from_v4(&c->a, v);
	c->prefix = (uint8_t)prefix;
}

static void
tocidr6(struct sift_cidr *c, sift_u128 v, unsigned prefix)
{
	memset(c, 0, sizeof(*c));
	c->a.family = 6;
	for (int i = 15; i >= 0; i--) {
		c->a.b[i] = (uint8_t)v;
		v >>= 8;
	}
	c->prefix = (uint8_t)prefix;
}

#define IPS_T		uint32_t
#define IPS_R		struct sift_range4
#define IPS_W		32
#define IPS_MAX		UINT32_MAX
#define IPS_N(x)	x##4
#define IPS_F(s, f)	((s)->f##4)
#define tocidr		tocidr4
#include "ipset_impl.h"
#undef IPS_T
#undef IPS_R
#undef IPS_W
#undef IPS_MAX
#undef IPS_N
#undef IPS_F
#undef tocidr

#define IPS_T		sift_u128
#define IPS_R		struct sift_range6
#define IPS_W		128
#define IPS_MAX		(~(sift_u128)0)
#define IPS_N(x)	x##6
#define IPS_F(s, f)	((s)->f##6)
#define tocidr		tocidr6
#include "ipset_impl.h"
#undef IPS_T
#undef IPS_R
#undef IPS_W
#undef IPS_MAX
#undef IPS_N
#undef IPS_F
#undef tocidr

/* After the two instantiations above, which use nothing banned. */
#include "banned.h"

void
sift_ipset_init(struct sift_ipset *s)
{
	memset(s, 0, sizeof(*s));
	s->opt4 = s->opt6 = true;
}

void
sift_ipset_release(struct sift_ipset *s)
{
	free(s->r4);
	free(s->r6);
	sift_ipset_init(s);
}

void
sift_ipset_reset(struct sift_ipset *s)
{
	s->n4 = s->n6 = 0;
	s->opt4 = s->opt6 = true;
}

void
sift_ipset_add_range4(struct sift_ipset *s, uint32_t lo, uint32_t hi)
{
	add4(s, lo, hi);
}

void
sift_ipset_add_range6(struct sift_ipset *s, sift_u128 lo, sift_u128 hi)
{
	add6(s, lo, hi);
}

void
sift_ipset_add_addr(struct sift_ipset *s, const struct sift_addr *a)
{
	sift_u128 v;

	if (a->family == 4) {
		add4(s, sift_addr_v4(a), sift_addr_v4(a));
	} else if (a->family == 6) {
		v = addr_u128(a);
		add6(s, v, v);
	}
}

void
sift_ipset_add_cidr(struct sift_ipset *s, const struct sift_cidr *c)
{
	uint32_t v4, m4;
	sift_u128 v6, m6;

	if (c->a.family == 4) {
		v4 = sift_addr_v4(&c->a);
		m4 = c->prefix >= 32 ? 0 :
		    (c->prefix == 0 ? UINT32_MAX : UINT32_MAX >> c->prefix);
		add4(s, v4 & ~m4, v4 | m4);
	} else if (c->a.family == 6) {
		v6 = addr_u128(&c->a);
		m6 = c->prefix >= 128 ? 0 : (c->prefix == 0 ? ~(sift_u128)0 :
		    ~(sift_u128)0 >> c->prefix);
		add6(s, v6 & ~m6, v6 | m6);
	}
}

void
sift_ipset_add_span(struct sift_ipset *s, const struct sift_addr *lo,
    const struct sift_addr *hi)
{
	if (lo->family != hi->family)
		return;
	if (lo->family == 4)
		add4(s, sift_addr_v4(lo), sift_addr_v4(hi));
	else if (lo->family == 6)
		add6(s, addr_u128(lo), addr_u128(hi));
}

void
sift_ipset_add_special(struct sift_ipset *s)
{
	static const char *const special[] = {
		"0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4",
		"255.255.255.255/32", "::/128", "::1/128", "fe80::/10",
		"ff00::/8"
	};
	struct sift_cidr c;

	for (size_t i = 0; i < SIFT_ARRAY_SIZE(special); i++)
		if (sift_cidr_parse(special[i], strlen(special[i]), &c,
		    true) == 0)
			sift_ipset_add_cidr(s, &c);
}

void
sift_ipset_optimize(struct sift_ipset *s)
{
	optimize4(s);
	optimize6(s);
}

bool
sift_ipset_is_empty(const struct sift_ipset *s)
{
	return s->n4 == 0 && s->n6 == 0;
}

bool
sift_ipset_contains(const struct sift_ipset *s, const struct sift_addr *a)
{
	if (a->family == 4)
		return contains4(s, sift_addr_v4(a), sift_addr_v4(a));
	if (a->family == 6)
		return contains6(s, addr_u128(a), addr_u128(a));
	return false;
}

bool
sift_ipset_contains_cidr(const struct sift_ipset *s, const struct sift_cidr *c)
{
	uint32_t v4, m4;
	sift_u128 v6, m6;

	if (c->a.family == 4) {
		v4 = sift_addr_v4(&c->a);
		m4 = c->prefix >= 32 ? 0 :
		    (c->prefix == 0 ? UINT32_MAX : UINT32_MAX >> c->prefix);
		return contains4(s, v4 & ~m4, v4 | m4);
	}
	if (c->a.family == 6) {
		v6 = addr_u128(&c->a);
		m6 = c->prefix >= 128 ? 0 : (c->prefix == 0 ? ~(sift_u128)0 :
		    ~(sift_u128)0 >> c->prefix);
		return contains6(s, v6 & ~m6, v6 | m6);
	}
	return false;
}

bool
sift_ipset_contains_span(const struct sift_ipset *s,
    const struct sift_addr *lo, const struct sift_addr *hi)
{
	if (lo->family != hi->family)
		return false;
	if (lo->family == 4)
		return sift_addr_v4(lo) <= sift_addr_v4(hi) &&
		    contains4(s, sift_addr_v4(lo), sift_addr_v4(hi));
	if (lo->family == 6)
		return addr_u128(lo) <= addr_u128(hi) &&
		    contains6(s, addr_u128(lo), addr_u128(hi));
	return false;
}

bool
sift_ipset_contains_set(struct sift_ipset *s, struct sift_ipset *t)
{
	struct sift_ipset d = SIFT_IPSET_INIT;
	bool r;

	sift_ipset_difference(&d, t, s);
	r = sift_ipset_is_empty(&d);
	sift_ipset_release(&d);
	return r;
}

bool
sift_ipset_equal(const struct sift_ipset *a, const struct sift_ipset *b)
{
	if (a->n4 != b->n4 || a->n6 != b->n6)
		return false;
	for (size_t i = 0; i < a->n4; i++)
		if (a->r4[i].lo != b->r4[i].lo || a->r4[i].hi != b->r4[i].hi)
			return false;
	for (size_t i = 0; i < a->n6; i++)
		if (a->r6[i].lo != b->r6[i].lo || a->r6[i].hi != b->r6[i].hi)
			return false;
	return true;
}

void
sift_ipset_union(struct sift_ipset *dst, struct sift_ipset *a,
    struct sift_ipset *b)
{
	sift_ipset_optimize(a);
	sift_ipset_optimize(b);
	union4(dst, a, b);
	union6(dst, a, b);
}

void
sift_ipset_difference(struct sift_ipset *dst, struct sift_ipset *a,
    struct sift_ipset *b)
{
	sift_ipset_optimize(a);
	sift_ipset_optimize(b);
	difference4(dst, a, b);
	difference6(dst, a, b);
}

void
sift_ipset_intersection(struct sift_ipset *dst, struct sift_ipset *a,
    struct sift_ipset *b)
{
	sift_ipset_optimize(a);
	sift_ipset_optimize(b);
	intersection4(dst, a, b);
	intersection6(dst, a, b);
}

void
sift_ipset_subtract(struct sift_ipset *s, struct sift_ipset *b)
{
	struct sift_ipset t = SIFT_IPSET_INIT;

	sift_ipset_difference(&t, s, b);
	sift_ipset_release(s);
	*s = t;
}

void
sift_ipset_aggregate(struct sift_ipset *s, unsigned p4, unsigned p6,
    uint64_t min_hits)
{
	sift_ipset_optimize(s);
	if (min_hits == 0)
		min_hits = 1;
	aggregate4(s, p4, min_hits);
	aggregate6(s, p6, min_hits);
}

int
sift_ipset_foreach_cidr(struct sift_ipset *s, sift_ipset_cidr_fn fn,
    void *arg)
{
	int rc;

	sift_ipset_optimize(s);
	if ((rc = foreach4(s, fn, arg, NULL)) != 0)
		return rc;
	return foreach6(s, fn, arg, NULL);
}

size_t
sift_ipset_count_cidr(struct sift_ipset *s, int family)
{
	size_t n = 0;

	sift_ipset_optimize(s);
	if (family == 4)
		(void)foreach4(s, NULL, NULL, &n);
	else
		(void)foreach6(s, NULL, NULL, &n);
	return n;
}

uint64_t
sift_ipset_count_addrs(struct sift_ipset *s, int family)
{
	sift_ipset_optimize(s);
	return family == 4 ? count_addrs4(s) : count_addrs6(s);
}
