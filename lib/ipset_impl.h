/* SPDX-License-Identifier: ISC */
/*
 * Range-set algorithms for one address width. Not a normal header: ipset.c
 * includes it twice, with IPS_T (value type), IPS_R (range struct), IPS_W
 * (bits), IPS_MAX (largest value), IPS_N(x) (name suffix) and IPS_F(s, f)
 * (field of struct sift_ipset) defined, once for IPv4 and once for IPv6.
 */

static void
IPS_N(grow)(struct sift_ipset *s)
{
	size_t cap = IPS_F(s, cap);

	cap = cap == 0 ? 64 : cap * 2;
	IPS_F(s, r) = sift_xreallocarray(IPS_F(s, r), cap, sizeof(IPS_R));
	IPS_F(s, cap) = cap;
}

static void
IPS_N(push)(struct sift_ipset *s, IPS_T lo, IPS_T hi)
{
	if (IPS_F(s, n) == IPS_F(s, cap))
		IPS_N(grow)(s);
	IPS_F(s, r)[IPS_F(s, n)].lo = lo;
	IPS_F(s, r)[IPS_F(s, n)].hi = hi;
	IPS_F(s, n)++;
}

/* Append to an optimized output, merging with the last range if they touch. */
static void
IPS_N(emit)(struct sift_ipset *s, IPS_T lo, IPS_T hi)
{
	IPS_R *last;

	if (IPS_F(s, n) > 0) {
		last = &IPS_F(s, r)[IPS_F(s, n) - 1];
		if (last->hi == IPS_MAX || lo <= last->hi + 1) {
			if (hi > last->hi)
				last->hi = hi;
			return;
		}
	}
	IPS_N(push)(s, lo, hi);
}

static void
IPS_N(add)(struct sift_ipset *s, IPS_T lo, IPS_T hi)
{
	IPS_R *last;

	if (hi < lo)
		return;
	if (IPS_F(s, opt) && IPS_F(s, n) > 0) {
		last = &IPS_F(s, r)[IPS_F(s, n) - 1];
		if (lo < last->lo)
			IPS_F(s, opt) = false;
		else if (last->hi == IPS_MAX || lo <= last->hi + 1) {
			if (hi > last->hi)
				last->hi = hi;
			return;
		}
	}
	IPS_N(push)(s, lo, hi);
}

static int
IPS_N(cmp)(const void *x, const void *y)
{
	const IPS_R *a = x, *b = y;

	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	if (a->hi != b->hi)
		return a->hi > b->hi ? -1 : 1;
	return 0;
}

static void
IPS_N(optimize)(struct sift_ipset *s)
{
	IPS_R *r = IPS_F(s, r);
	size_t n = IPS_F(s, n), out = 0;

	if (IPS_F(s, opt))
		return;
	qsort(r, n, sizeof(*r), IPS_N(cmp));
	for (size_t i = 0; i < n; i++) {
		if (out > 0 && (r[out - 1].hi == IPS_MAX ||
		    r[i].lo <= r[out - 1].hi + 1)) {
			if (r[i].hi > r[out - 1].hi)
				r[out - 1].hi = r[i].hi;
			continue;
		}
		r[out++] = r[i];
	}
	IPS_F(s, n) = out;
	IPS_F(s, opt) = true;
}

static bool
IPS_N(contains)(const struct sift_ipset *s, IPS_T v, IPS_T vhi)
{
	size_t lo = 0, hi = IPS_F(s, n), mid;
	const IPS_R *r = IPS_F(s, r);

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (v < r[mid].lo)
			hi = mid;
		else if (v > r[mid].hi)
			lo = mid + 1;
		else
			return vhi <= r[mid].hi;
	}
	return false;
}

static void
IPS_N(union)(struct sift_ipset *dst, const struct sift_ipset *a,
    const struct sift_ipset *b)
{
	size_t i = 0, j = 0, na = IPS_F(a, n), nb = IPS_F(b, n);
	const IPS_R *ra = IPS_F(a, r), *rb = IPS_F(b, r), *p;

	IPS_F(dst, n) = 0;
	while (i < na || j < nb) {
		if (j >= nb || (i < na && ra[i].lo <= rb[j].lo))
			p = &ra[i++];
		else
			p = &rb[j++];
		IPS_N(emit)(dst, p->lo, p->hi);
	}
	IPS_F(dst, opt) = true;
}

static void
IPS_N(difference)(struct sift_ipset *dst, const struct sift_ipset *a,
    const struct sift_ipset *b)
{
	size_t j = 0, nb = IPS_F(b, n);
	const IPS_R *rb = IPS_F(b, r);
	IPS_T lo, hi;

	IPS_F(dst, n) = 0;
	for (size_t i = 0; i < IPS_F(a, n); i++) {
		lo = IPS_F(a, r)[i].lo;
		hi = IPS_F(a, r)[i].hi;
		while (j < nb && rb[j].hi < lo)
			j++;
		/* Cut holes while b's ranges start inside [lo, hi]. */
		for (size_t k = j; k < nb && rb[k].lo <= hi; k++) {
			if (rb[k].lo > lo)
				IPS_N(push)(dst, lo, rb[k].lo - 1);
			if (rb[k].hi >= hi)
				goto next;
			lo = rb[k].hi + 1;
		}
		IPS_N(push)(dst, lo, hi);
next:
		;
	}
	IPS_F(dst, opt) = true;
}

static void
IPS_N(intersection)(struct sift_ipset *dst, const struct sift_ipset *a,
    const struct sift_ipset *b)
{
	size_t i = 0, j = 0, na = IPS_F(a, n), nb = IPS_F(b, n);
	const IPS_R *ra = IPS_F(a, r), *rb = IPS_F(b, r);
	IPS_T lo, hi;

	IPS_F(dst, n) = 0;
	while (i < na && j < nb) {
		lo = ra[i].lo > rb[j].lo ? ra[i].lo : rb[j].lo;
		hi = ra[i].hi < rb[j].hi ? ra[i].hi : rb[j].hi;
		if (lo <= hi)
			IPS_N(push)(dst, lo, hi);
		if (ra[i].hi < rb[j].hi)
			i++;
		else
			j++;
	}
	IPS_F(dst, opt) = true;
}

/* Largest k such that a block of 2^k starting at lo fits in [lo, hi]. */
static unsigned
IPS_N(block)(IPS_T lo, IPS_T hi)
{
	IPS_T d = hi - lo;
	unsigned k = 0;

	if (d == IPS_MAX)
		return IPS_W;
	/* k <= trailing zeros of lo, and 2^k - 1 <= d */
	while (k + 1 < IPS_W && ((lo >> k) & 1) == 0 &&
	    (((IPS_T)1 << (k + 1)) - 1) <= d)
		k++;
	return k;
}

static int
IPS_N(foreach)(const struct sift_ipset *s, sift_ipset_cidr_fn fn, void *arg,
    size_t *count)
{
	struct sift_cidr c;
	IPS_T lo, hi;
	unsigned k;
	int rc;

	for (size_t i = 0; i < IPS_F(s, n); i++) {
		lo = IPS_F(s, r)[i].lo;
		hi = IPS_F(s, r)[i].hi;
		for (;;) {
			k = IPS_N(block)(lo, hi);
			if (fn != NULL) {
				IPS_N(tocidr)(&c, lo, IPS_W - k);
				if ((rc = fn(&c, arg)) != 0)
					return rc;
			}
			if (count != NULL)
				(*count)++;
			if (k == IPS_W || lo + (((IPS_T)1 << k) - 1) == hi)
				break;
			lo += (IPS_T)1 << k;
		}
	}
	return 0;
}

static uint64_t
IPS_N(count_addrs)(const struct sift_ipset *s)
{
	uint64_t total = 0;
	IPS_T d;

	for (size_t i = 0; i < IPS_F(s, n); i++) {
		d = IPS_F(s, r)[i].hi - IPS_F(s, r)[i].lo;
		total = sat_add(total, d);
	}
	return total;
}

/*
 * Walk the ranges network by network, summing the addresses each /p network
 * holds; networks reaching min_hits go to a side list, unioned in at the end.
 */
static void
IPS_N(aggregate)(struct sift_ipset *s, unsigned p, uint64_t min_hits)
{
	struct sift_ipset extra = SIFT_IPSET_INIT, out = SIFT_IPSET_INIT;
	IPS_T mask, net, cur = 0, lo, hi, piece_hi, d;
	uint64_t hits = 0;
	bool have = false;

	if (p == 0 || p >= IPS_W || IPS_F(s, n) == 0)
		return;
	mask = ~(((IPS_T)1 << (IPS_W - p)) - 1);
	for (size_t i = 0; i < IPS_F(s, n); i++) {
		lo = IPS_F(s, r)[i].lo;
		hi = IPS_F(s, r)[i].hi;
		for (;;) {
			net = lo & mask;
			piece_hi = net | ~mask;
			if (piece_hi > hi)
				piece_hi = hi;
			if (!have || net != cur) {
				if (have && hits >= min_hits)
					IPS_N(push)(&extra, cur, cur | ~mask);
				cur = net;
				hits = 0;
				have = true;
			}
			d = piece_hi - lo;
			hits = sat_add(hits, d);
			if (piece_hi == hi)
				break;
			/* Whole networks in the middle are covered already. */
			lo = piece_hi + 1;
			if ((hi & mask) > lo)
				lo = hi & mask;
		}
	}
	if (have && hits >= min_hits)
		IPS_N(push)(&extra, cur, cur | ~mask);
	IPS_F(&extra, opt) = true;
	IPS_N(union)(&out, s, &extra);
	free(IPS_F(s, r));
	IPS_F(s, r) = IPS_F(&out, r);
	IPS_F(s, n) = IPS_F(&out, n);
	IPS_F(s, cap) = IPS_F(&out, cap);
	IPS_F(s, opt) = true;
	IPS_F(&out, r) = NULL;
	sift_ipset_release(&extra);
	sift_ipset_release(&out);
}
