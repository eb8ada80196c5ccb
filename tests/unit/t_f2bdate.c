/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for lib/f2bdate: the ISO prefix fast path gives exactly what
 * PCRE2 gives (cut, time, template hits) on lines mutated around the
 * "YYYY-MM-DD HH:MM:SS" shape, and a detector that read a log's second
 * part alone joins one that read the first part with the state and
 * results of a detector that read everything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "f2bdate.h"
#include "../tap.h"
#include "banned.h"

#define NOW	1795000000	/* 2026-11-18 */

struct res {
	int	 r;
	size_t	 s, e;
	int64_t	 t;
	bool	 has;
};

static struct res
find(struct sift_f2bdate *d, const char *l)
{
	struct res x;
	struct sift_err e = SIFT_ERR_INIT;

	memset(&x, 0, sizeof(x));
	x.r = sift_f2bdate_find(d, l, strlen(l), &x.s, &x.e, &x.t, &x.has, &e);
	if (x.r != 1)
		x.s = x.e = 0, x.t = 0, x.has = false;
	if (!x.has)
		x.t = 0;
	return x;
}

static bool
same(struct res a, struct res b)
{
	return a.r == b.r && a.s == b.s && a.e == b.e && a.t == b.t &&
	    a.has == b.has;
}

/* names and hits of the templates, in order */
static bool
same_hits(const struct sift_f2bdate *a, const struct sift_f2bdate *b)
{
	size_t i;

	if (sift_f2bdate_count(a) != sift_f2bdate_count(b))
		return false;
	for (i = 0; i < sift_f2bdate_count(a); i++)
		if (strcmp(sift_f2bdate_name(a, i), sift_f2bdate_name(b, i)) !=
		    0 || sift_f2bdate_hits(a, i) != sift_f2bdate_hits(b, i))
			return false;
	return true;
}

static struct sift_f2bdate *
det(const char *pat, bool fast)
{
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_f2bdate *d = sift_f2bdate_new(pat, NOW, &e);

	if (d == NULL) {
		printf("# %s\n", e.msg);
		exit(1);
	}
	if (!fast)
		sift_f2bdate_nofast(d);
	return d;
}

static void
test_fast(void)
{
	static const char base[] = "2026-11-01 09:05:07 H=x [1.2.3.4] y";
	static const char muts[] = "0123456789-/. :TtZzUuGg+,x\t\x80\xff";
	static const char *const tails[] = { "", " ", "  ", " Z", " z x",
	    " UTC x", " GMT", " +0100 x", " -01 x", ".123 x", ",5 x",
	    "\tx", " \tx", "x", ":", " H", " u", " g", " 1", " [", " .",
	    " ,", " -", " +", " \x80" };
	static const char *const fields[] = { "2026-11-01 09:05:07",
	    "2026-00-01 09:05:07", "2026-13-01 09:05:07",
	    "2026-12-31 23:59:59", "2026-10-30 20:00:00",
	    "2026-02-31 19:09:09", "2026-01-00 00:00:00",
	    "2026-01-32 00:00:00", "2026-01-09 24:00:00",
	    "2026-01-09 29:00:00", "2026-01-09 10:60:00",
	    "2026-01-09 10:00:60", "2026-01-09 10:00:61",
	    "2026-01-09 10:00:62", "2019-01-09 10:00:00",
	    "2030-01-09 10:00:00", "1999-01-09 10:00:00",
	    "2026/11/01 09:05:07", "2026.11.01 09:05:07",
	    "2026-11/01 09:05:07", "2026-11-01T09:05:07",
	    "2026-11-01  09:05:07", "2026-11-01 9:05:07 ",
	    "2026-11-01 19:5:07 x", " 2026-11-01 09:05:07",
	    "[2026-11-01 09:05:07]" };
	struct sift_f2bdate *a = det(NULL, true), *b = det(NULL, false);
	char l[128];
	size_t i, k, bad = 0, n = 0;
	struct res ra, rb;

	/* one character changed anywhere in the first 23 */
	for (i = 0; i < 23; i++)
		for (k = 0; k < sizeof(muts) - 1; k++) {
			snprintf(l, sizeof(l), "%s", base);
			l[i] = muts[k];
			/* the steady state first, then the line */
			(void)find(a, base), (void)find(b, base);
			ra = find(a, l), rb = find(b, l);
			n++;
			if (!same(ra, rb) && bad++ < 5)
				printf("# differs: \"%s\"\n", l);
		}
	for (i = 0; i < SIFT_ARRAY_SIZE(fields); i++)
		for (k = 0; k < SIFT_ARRAY_SIZE(tails); k++) {
			snprintf(l, sizeof(l), "%s%s", fields[i], tails[k]);
			(void)find(a, base), (void)find(b, base);
			ra = find(a, l), rb = find(b, l);
			n++;
			if (!same(ra, rb) && bad++ < 5)
				printf("# differs: \"%s\"\n", l);
		}
	CHECK_INT(bad, 0);
	CHECK(same_hits(a, b));
	/* the fast path did date lines, PCRE2 alone the others */
	CHECK(sift_f2bdate_nfast(a) > n);
	CHECK_INT(sift_f2bdate_nfast(b), 0);
	printf("# %zu lines, %llu dated by the fast path\n", n,
	    (unsigned long long)sift_f2bdate_nfast(a));
	sift_f2bdate_free(a);
	sift_f2bdate_free(b);
}

/*
 * Read lines[0..n) in one detector, and in two cut at k: the second part
 * alone, the first part continued up to the second's last unsteady line,
 * then joined. Returns whether the join was possible; checks that it is
 * exact when it was.
 */
static bool
split_w(const char *pat, const char *const *lines, size_t n, size_t k,
    bool warm)
{
	struct sift_f2bdate *all = det(pat, true), *p1 = det(pat, true),
	    *p2 = det(pat, true);
	struct res *want = calloc(n, sizeof(*want)), *got = calloc(n,
	    sizeof(*got));
	struct sift_f2bdate_snap sn;
	size_t i, x = k, bad = 0;
	uint64_t u;
	bool joined;

	for (i = 0; i < n; i++)
		want[i] = find(all, lines[i]);
	for (i = 0; i < k; i++)
		got[i] = find(p1, lines[i]);
	if (warm) {
		/* p2 goes on from lines elsewhere (here: the reverse) */
		for (i = n; i-- > k;)
			(void)find(p2, lines[i]);
		sift_f2bdate_mark(p2);
	}
	for (i = k; i < n; i++) {
		u = sift_f2bdate_unsteady(p2);
		got[i] = find(p2, lines[i]);
		if (sift_f2bdate_unsteady(p2) != u)
			x = i + 1;	/* the first line after the mark */
	}
	for (i = k; i < x; i++)
		got[i] = find(p1, lines[i]);
	sift_f2bdate_snap(p2, &sn);
	joined = sift_f2bdate_can_join(p1, &sn);
	if (joined) {
		sift_f2bdate_join(p1, &sn);
		for (i = 0; i < n; i++)
			if (!same(got[i], want[i]))
				bad++;
		CHECK_INT(bad, 0);
		CHECK(same_hits(p1, all));
		/* and the same next step */
		for (i = 0; i < n; i++)
			if (!same(find(p1, lines[i]), find(all, lines[i])))
				bad++;
		CHECK_INT(bad, 0);
		CHECK(same_hits(p1, all));
	}
	free(want);
	free(got);
	sift_f2bdate_free(all);
	sift_f2bdate_free(p1);
	sift_f2bdate_free(p2);
	return joined;
}

static bool
split(const char *pat, const char *const *lines, size_t n, size_t k)
{
	bool a = split_w(pat, lines, n, k, false);

	(void)split_w(pat, lines, n, k, true);
	return a;
}

static void
test_join(void)
{
	static const char *const iso[] = {
	    "2026-11-01 00:00:00 a", "2026-11-01 00:00:01 b",
	    "# no date", "2026-11-01 00:00:02 c", "2026-11-01 00:00:03 d",
	    "2026-11-01 00:00:04 e", "2026-11-01 00:00:05 f",
	    "2026-11-01 00:00:06 g", "2026-11-01 00:00:07 h" };
	static const char *const mixed[] = {
	    "Nov  1 00:00:00 host a", "2026-11-01 00:00:01 b",
	    "Nov  1 00:00:02 host c", "2026-11-01 00:00:03 d",
	    "Nov  1 00:00:04 host e", "2026-11-01 00:00:05 f",
	    "Nov  1 00:00:06 host g", "2026-11-01 00:00:07 h" };
	static const char *const halves[] = {
	    "2026-11-01 00:00:00 a", "2026-11-01 00:00:01 b",
	    "2026-11-01 00:00:02 c", "2026-11-01 00:00:03 d",
	    "Nov  1 00:00:04 host e", "Nov  1 00:00:05 host f",
	    "Nov  1 00:00:06 host g", "Nov  1 00:00:07 host h" };
	static const char *const unanch[] = {
	    "x [01/11/2026 00:00:00] a", "x [01/11/2026 00:00:01] b",
	    "yy [01/11/2026 00:00:02] c", "x [01/11/2026 00:00:03] d",
	    "x [01/11/2026 00:00:04] e 02/11/2026 00:00:00",
	    "x [01/11/2026 00:00:05] f", "x [01/11/2026 00:00:06] g" };
	size_t k, nj;

	for (nj = 0, k = 1; k < SIFT_ARRAY_SIZE(iso); k++)
		nj += split(NULL, iso, SIFT_ARRAY_SIZE(iso), k);
	/* a cut after the comment line joins too */
	CHECK_INT(nj, SIFT_ARRAY_SIZE(iso) - 1);
	for (k = 1; k < SIFT_ARRAY_SIZE(mixed); k++)
		(void)split(NULL, mixed, SIFT_ARRAY_SIZE(mixed), k);
	for (nj = 0, k = 1; k < SIFT_ARRAY_SIZE(halves); k++)
		nj += split(NULL, halves, SIFT_ARRAY_SIZE(halves), k);
	/* inside the first half, at least */
	CHECK(nj >= 3);
	for (nj = 0, k = 1; k < SIFT_ARRAY_SIZE(unanch); k++)
		nj += split("%d/%m/%Y %H:%M:%S", unanch,
		    SIFT_ARRAY_SIZE(unanch), k);
	CHECK(nj >= 1);
	for (k = 1; k < SIFT_ARRAY_SIZE(unanch); k++)
		(void)split("%d/%m/%Y %H:%M:%S\n%Y-%m-%d %H:%M:%S", unanch,
		    SIFT_ARRAY_SIZE(unanch), k);
}

int
main(void)
{
	test_fast();
	test_join();
	return tap_done();
}
