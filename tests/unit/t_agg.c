/* SPDX-License-Identifier: ISC */
/* Unit tests: lib/agg.c (counts, classes, growth, windows, merge). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "xalloc.h"
#include "../tap.h"
#include "banned.h"

static struct sift_key
key(const char *s, unsigned plen)
{
	struct sift_key k;

	memset(&k, 0, sizeof(k));
	if (sift_addr_parse(s, strlen(s), &k.a) == -1)
		abort();
	k.plen = (uint8_t)plen;
	if (plen)
		sift_addr_mask(&k.a, plen);
	return k;
}

static struct sift_agg *
mkwin(int64_t w, unsigned cnt, unsigned score, const unsigned *weights)
{
	struct sift_agg_opts o;
	struct sift_agg *ag;
	struct sift_err e;

	memset(&o, 0, sizeof(o));
	o.window = w;
	o.min_count = cnt;
	o.min_score = score;
	o.weights = weights;
	if (sift_agg_new(&ag, &o, &e) == -1)
		abort();
	return ag;
}

static bool
hit(struct sift_agg *ag, const char *ip)
{
	struct sift_key k = key(ip, 0);
	const struct sift_agg_ent *e = sift_agg_find(ag, &k);

	return e != NULL && (e->flags & SIFT_AGG_HIT) != 0;
}

int
main(void)
{
	struct sift_key k0;
	const struct sift_agg_ent *x;
	struct sift_agg *ag, *ag2;
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_agg_opts o;
	struct sift_key k;
	const struct sift_agg_ent *en;
	unsigned weights[SIFT_CLASS_MAX];
	unsigned long before;
	char buf[64];

	CHECK(sift_agg_new(&ag, NULL, &e) == 0);
	k = key("192.0.2.1", 0);
	sift_agg_add(ag, &k, SIFT_CL_RELAY, 100);
	sift_agg_add(ag, &k, SIFT_CL_RELAY, 50);
	sift_agg_add(ag, &k, SIFT_CL_AUTH, 200);
	k = key("2001:db8::1", 0);
	sift_agg_add(ag, &k, SIFT_CL_TLS, 0);
	CHECK_INT(sift_agg_size(ag), 2);
	k = key("192.0.2.1", 0);
	en = sift_agg_find(ag, &k);
	CHECK(en != NULL);
	CHECK_INT(en->count, 3);
	CHECK_INT(en->first, 50);
	CHECK_INT(en->last, 200);
	CHECK_INT(sift_agg_class_count(ag, en, SIFT_CL_RELAY), 2);
	CHECK_INT(sift_agg_class_count(ag, en, SIFT_CL_AUTH), 1);
	CHECK_INT(sift_agg_class_count(ag, en, SIFT_CL_SPAM), 0);
	k = key("2001:db8::1", 0);
	en = sift_agg_find(ag, &k);
	sift_addr_format(&en->key, buf, sizeof(buf));
	CHECK_STREQ(buf, "2001:db8::1");
	CHECK_INT(en->first, 0);
	{
		size_t pos = 0, n = 0;

		while (sift_agg_next(ag, &pos) != NULL)
			n++;
		CHECK_INT(n, 2);
	}
	/* Prefix keys differ from the address with the same bytes. */
	k = key("192.0.2.0", 24);
	CHECK(sift_agg_find(ag, &k) == NULL);
	k = key("192.0.2.0", 0);
	CHECK(sift_agg_find(ag, &k) == NULL);

	/* Many classes on one key: the overflow row. */
	k = key("198.51.100.9", 0);
	for (int c = 0; c < 20; c++)
		for (int i = 0; i <= c; i++)
			sift_agg_add(ag, &k, c, 1000 + c);
	en = sift_agg_find(ag, &k);
	CHECK_INT(en->nslot, SIFT_AGG_EXT);
	CHECK_INT(en->count, 210);
	CHECK_INT(sift_agg_class_count(ag, en, 0), 1);
	CHECK_INT(sift_agg_class_count(ag, en, 3), 4);
	CHECK_INT(sift_agg_class_count(ag, en, 19), 20);

	/* Growth: 100000 keys, every one found again with its count. */
	for (uint32_t i = 0; i < 100000; i++) {
		memset(&k, 0, sizeof(k));
		sift_addr_from_v4(&k.a, 0x0a000000u + i);
		sift_agg_add(ag, &k, (int)(i % 3), 1);
		if (i % 7 == 0)
			sift_agg_add(ag, &k, 1, 2);
	}
	CHECK_INT(sift_agg_size(ag), 100003);
	{
		int bad = 0;

		for (uint32_t i = 0; i < 100000; i++) {
			memset(&k, 0, sizeof(k));
			sift_addr_from_v4(&k.a, 0x0a000000u + i);
			en = sift_agg_find(ag, &k);
			if (en == NULL || en->count != (i % 7 == 0 ? 2u : 1u))
				bad++;
		}
		CHECK_INT(bad, 0);
	}
	CHECK(sift_agg_bytes(ag) < 100003 * 180);
	{
		size_t pos = 0, n = 0;
		uint64_t total = 0;

		while ((en = sift_agg_next(ag, &pos)) != NULL) {
			n++;
			total += en->count;
		}
		CHECK_INT(n, 100003);
		CHECK_INT(total, 3 + 1 + 210 + 100000 + 14286);
	}
	/* Existing keys do not allocate. */
	before = sift_xalloc_count();
	for (uint32_t i = 0; i < 50000; i++) {
		memset(&k, 0, sizeof(k));
		sift_addr_from_v4(&k.a, 0x0a000000u + i);
		sift_agg_add(ag, &k, 0, 5);
	}
	CHECK_INT(sift_xalloc_count(), before);

	/* Merge. */
	CHECK(sift_agg_new(&ag2, NULL, &e) == 0);
	k = key("192.0.2.1", 0);
	sift_agg_add(ag2, &k, SIFT_CL_RELAY, 10);
	sift_agg_add(ag2, &k, SIFT_CL_SPF, 300);
	k = key("203.0.113.1", 0);
	sift_agg_add(ag2, &k, SIFT_CL_SPF, 300);
	CHECK(sift_agg_merge(ag2, ag, &e) == 0);
	CHECK_INT(sift_agg_size(ag2), 100004);
	k = key("192.0.2.1", 0);
	en = sift_agg_find(ag2, &k);
	CHECK_INT(en->count, 5);
	CHECK_INT(en->first, 10);
	CHECK_INT(en->last, 300);
	CHECK_INT(sift_agg_class_count(ag2, en, SIFT_CL_RELAY), 3);
	CHECK_INT(sift_agg_class_count(ag2, en, SIFT_CL_SPF), 1);
	k = key("198.51.100.9", 0);
	en = sift_agg_find(ag2, &k);
	CHECK_INT(sift_agg_class_count(ag2, en, 19), 20);
	sift_agg_free(ag2);
	sift_agg_free(ag);

	/* Windows: 3 events within 10 s (last - first < 10). */
	ag = mkwin(10, 3, 0, NULL);
	k = key("192.0.2.1", 0);
	sift_agg_add(ag, &k, 0, 100);
	sift_agg_add(ag, &k, 0, 105);
	CHECK(!hit(ag, "192.0.2.1"));
	sift_agg_add(ag, &k, 0, 109);
	CHECK(hit(ag, "192.0.2.1"));
	k = key("192.0.2.2", 0);
	sift_agg_add(ag, &k, 0, 100);
	sift_agg_add(ag, &k, 0, 105);
	sift_agg_add(ag, &k, 0, 110);	/* span 10: not within */
	CHECK(!hit(ag, "192.0.2.2"));
	sift_agg_add(ag, &k, 0, 111);	/* 105, 110, 111 */
	CHECK(hit(ag, "192.0.2.2"));
	k = key("192.0.2.3", 0);
	for (int i = 0; i < 50; i++)	/* one every 5 s: never 3 in 10 s */
		sift_agg_add(ag, &k, 0, 1000 + 5 * i);
	CHECK(!hit(ag, "192.0.2.3"));
	CHECK_INT(sift_agg_find(ag, &k)->count, 50);
	k = key("192.0.2.4", 0);	/* same second three times */
	sift_agg_add(ag, &k, 0, 7);
	sift_agg_add(ag, &k, 0, 7);
	sift_agg_add(ag, &k, 0, 7);
	CHECK(hit(ag, "192.0.2.4"));
	/* Hits stay set after the burst. */
	sift_agg_add(ag, &k, 0, 100000);
	CHECK(hit(ag, "192.0.2.4"));
	sift_agg_free(ag);

	/* Weighted windows: score 5 within 60 s. */
	for (int i = 0; i < SIFT_CLASS_MAX; i++)
		weights[i] = 1;
	weights[SIFT_CL_AUTH] = 3;
	weights[SIFT_CL_GREYLIST] = 0;
	ag = mkwin(60, 0, 5, weights);
	k = key("192.0.2.5", 0);
	sift_agg_add(ag, &k, SIFT_CL_AUTH, 0);
	sift_agg_add(ag, &k, SIFT_CL_GREYLIST, 10);
	sift_agg_add(ag, &k, SIFT_CL_GREYLIST, 20);
	sift_agg_add(ag, &k, SIFT_CL_RELAY, 30);
	CHECK(!hit(ag, "192.0.2.5"));	/* 3 + 0 + 0 + 1 */
	sift_agg_add(ag, &k, SIFT_CL_AUTH, 61);	/* first one left: 1 + 3 */
	CHECK(!hit(ag, "192.0.2.5"));
	sift_agg_add(ag, &k, SIFT_CL_RELAY, 62);	/* 1 + 3 + 1 */
	CHECK(hit(ag, "192.0.2.5"));
	sift_agg_free(ag);

	/* Limits. */
	memset(&o, 0, sizeof(o));
	o.window = 10;
	o.min_count = SIFT_AGG_RING_MAX + 1;
	CHECK(sift_agg_new(&ag, &o, &e) == -1);
	CHECK(e.code == SIFT_E_LIMIT);
	ag = mkwin(10, 2, 0, NULL);
	CHECK(sift_agg_new(&ag2, NULL, &e) == 0);
	CHECK(sift_agg_merge(ag2, ag, &e) == -1);
	sift_agg_free(ag2);
	sift_agg_free(ag);

	/*
	 * sift_agg_add_many() counts like sift_agg_add() one by one, with
	 * and without a window, across growth (new keys in a batch move
	 * the table) and count rows (more than SIFT_AGG_SLOTS classes).
	 */
	for (int win = 0; win < 2; win++) {
		static struct sift_agg_event ev[5000];
		struct sift_agg *a1, *a2;
		const struct sift_agg_ent *y;
		uint32_t rnd = 12345;
		size_t pos = 0, same = 0;
		int diff = 0;

		a1 = win ? mkwin(30, 3, 0, NULL) : NULL;
		a2 = win ? mkwin(30, 3, 0, NULL) : NULL;
		if (!win) {
			CHECK(sift_agg_new(&a1, NULL, &e) == 0);
			CHECK(sift_agg_new(&a2, NULL, &e) == 0);
		}
		for (size_t i = 0; i < SIFT_ARRAY_SIZE(ev); i++) {
			char ip[32];

			rnd = rnd * 1103515245 + 12345;
			/* a few hot keys, many cold ones */
			snprintf(ip, sizeof(ip), "10.%u.%u.1",
			    (rnd >> 8) % 4 == 0 ? 1 : (rnd >> 10) % 64,
			    (rnd >> 16) % 50);
			ev[i].k = key(ip, 0);
			ev[i].cls = (int)((rnd >> 20) % 9);
			ev[i].ts = 1000 + (int64_t)i;
		}
		for (size_t i = 0; i < SIFT_ARRAY_SIZE(ev); i++)
			(void)sift_agg_add(a1, &ev[i].k, ev[i].cls, ev[i].ts);
		for (size_t i = 0; i < SIFT_ARRAY_SIZE(ev); i += 37)
			sift_agg_add_many(a2, ev + i,
			    SIFT_ARRAY_SIZE(ev) - i < 37 ?
			    SIFT_ARRAY_SIZE(ev) - i : 37);
		CHECK_INT(sift_agg_size(a1), sift_agg_size(a2));
		while ((x = sift_agg_next(a1, &pos)) != NULL) {
			k0.a = x->key;
			k0.plen = x->plen;
			if ((y = sift_agg_find(a2, &k0)) == NULL ||
			    x->count != y->count || x->first != y->first ||
			    x->last != y->last || x->flags != y->flags) {
				diff++;
				continue;
			}
			for (int cl = 0; cl < SIFT_CLASS_MAX; cl++)
				if (sift_agg_class_count(a1, x, cl) !=
				    sift_agg_class_count(a2, y, cl))
					diff++;
			same++;
		}
		CHECK_INT(diff, 0);
		CHECK(same > 1000);
		/* reserving keeps every count and makes room */
		sift_agg_reserve(a2, 4 * sift_agg_size(a2));
		CHECK_INT(sift_agg_size(a1), sift_agg_size(a2));
		k0 = ev[0].k;
		CHECK(sift_agg_find(a2, &k0) != NULL &&
		    sift_agg_find(a2, &k0)->count ==
		    sift_agg_find(a1, &k0)->count);
		sift_agg_free(a1);
		sift_agg_free(a2);
	}

	/*
	 * sift_agg_absorb(): three tables with overlapping keys, absorbed
	 * in turn as offenders does, hold together what merging them into
	 * one holds; each key is in exactly one of them, and a table with
	 * absorbed keys still finds the others and takes new ones.
	 */
	{
		struct sift_agg *t[3], *all;
		uint32_t rnd = 777;
		size_t keys = 0, pos;
		int diff = 0, dup = 0;

		CHECK(sift_agg_new(&all, NULL, &e) == 0);
		for (int i = 0; i < 3; i++) {
			CHECK(sift_agg_new(&t[i], NULL, &e) == 0);
			for (int n = 0; n < 3000; n++) {
				char ip[32];
				int cl;

				rnd = rnd * 1103515245 + 12345;
				snprintf(ip, sizeof(ip), "10.%u.%u.%u",
				    (unsigned)i * ((rnd >> 8) % 2),
				    (rnd >> 12) % 40, (rnd >> 20) % 30);
				k0 = key(ip, 0);
				cl = (int)((rnd >> 24) % 7);
				(void)sift_agg_add(t[i], &k0, cl, 50 + n);
				(void)sift_agg_add(all, &k0, cl, 50 + n);
			}
		}
		CHECK(sift_agg_absorb(t[0], t[1], &e) == 0);
		CHECK(sift_agg_absorb(t[0], t[2], &e) == 0);
		CHECK(sift_agg_absorb(t[1], t[2], &e) == 0);
		for (int i = 0; i < 3; i++)
			keys += sift_agg_size(t[i]);
		CHECK_INT(keys, sift_agg_size(all));
		pos = 0;
		while ((x = sift_agg_next(all, &pos)) != NULL) {
			const struct sift_agg_ent *y = NULL, *f;
			int in = 0, at = 0;

			k0.a = x->key;
			k0.plen = x->plen;
			for (int i = 0; i < 3; i++)
				if ((f = sift_agg_find(t[i], &k0)) != NULL) {
					y = f;
					at = i;
					in++;
				}
			if (in != 1) {
				dup++;
				continue;
			}
			if (x->count != y->count || x->first != y->first ||
			    x->last != y->last)
				diff++;
			for (int cl = 0; cl < SIFT_CLASS_MAX; cl++)
				if (sift_agg_class_count(all, x, cl) !=
				    sift_agg_class_count(t[at], y, cl))
					diff++;
		}
		CHECK_INT(dup, 0);
		CHECK_INT(diff, 0);
		/* t[2] lost keys to the others: it still counts its own */
		pos = 0;
		x = sift_agg_next(t[2], &pos);
		CHECK(x != NULL);
		if (x != NULL) {
			uint32_t before_n = x->count;

			k0.a = x->key;
			k0.plen = x->plen;
			(void)sift_agg_add(t[2], &k0, 1, 99);
			CHECK_INT(sift_agg_find(t[2], &k0)->count,
			    before_n + 1);
		}
		keys = sift_agg_size(t[2]);
		for (int n = 0; n < 5000; n++) {
			char ip[32];

			snprintf(ip, sizeof(ip), "172.16.%d.%d", n / 200,
			    n % 200);
			k0 = key(ip, 0);
			(void)sift_agg_add(t[2], &k0, 0, 1);
		}
		CHECK_INT(sift_agg_size(t[2]), keys + 5000);
		for (int i = 0; i < 3; i++)
			sift_agg_free(t[i]);
		sift_agg_free(all);
	}
	return tap_done();
}
