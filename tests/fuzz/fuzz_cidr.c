/* SPDX-License-Identifier: ISC */
/*
 * Fuzz sift_cidr_parse(): an accepted prefix has no host bits, fits its
 * family, contains its own base address, agrees between strict and lax
 * parsing, matches an independent reading of "address/length", and
 * survives a round trip through sift_cidr_format().
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "fuzz.h"
#include "banned.h"

/* Independent reading: address text, '/', 1 to 3 decimal digits. */
static int
ref_parse(const char *p, size_t n, struct sift_cidr *c)
{
	const char *slash;
	size_t alen, i;
	unsigned len = 0;

	memset(c, 0, sizeof(*c));
	slash = memchr(p, '/', n);
	alen = slash != NULL ? (size_t)(slash - p) : n;
	if (sift_addr_parse(p, alen, &c->a) == -1)
		return -1;
	if (slash == NULL) {
		c->prefix = (uint8_t)sift_addr_bits(&c->a);
		return 0;
	}
	if (n - alen - 1 < 1 || n - alen - 1 > 3)
		return -1;
	for (i = alen + 1; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		len = len * 10 + (unsigned)(p[i] - '0');
	}
	/* An IPv4 address written as ::ffff:a.b.c.d takes an IPv6 length. */
	if (c->a.family == 4 && memchr(p, ':', alen) != NULL) {
		if (len < 96 || len > 128)
			return -1;
		len -= 96;
	}
	if (len > sift_addr_bits(&c->a))
		return -1;
	sift_addr_mask(&c->a, len);
	c->prefix = (uint8_t)len;
	return 0;
}

static bool
cidr_eq(const struct sift_cidr *x, const struct sift_cidr *y)
{
	return x->prefix == y->prefix && sift_addr_eq(&x->a, &y->a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct sift_cidr lax, strict, ref, back;
	struct sift_addr m;
	char buf[SIFT_CIDR_STRLEN], *small;
	size_t n, sz, k;
	int rl, rs, rr;

	rl = sift_cidr_parse(p, size, &lax, false);
	rs = sift_cidr_parse(p, size, &strict, true);
	rr = ref_parse(p, size, &ref);
	FUZZ_CHECK(rl == rr);
	if (rl != 0) {
		FUZZ_CHECK(rs != 0);
		return 0;
	}
	FUZZ_CHECK(cidr_eq(&lax, &ref));
	FUZZ_CHECK(lax.prefix <= sift_addr_bits(&lax.a));
	m = lax.a;
	sift_addr_mask(&m, lax.prefix);
	FUZZ_CHECK(sift_addr_eq(&m, &lax.a));
	FUZZ_CHECK(sift_cidr_contains(&lax, &lax.a));
	if (rs == 0)
		FUZZ_CHECK(cidr_eq(&strict, &lax));

	n = sift_cidr_format(&lax, buf, sizeof(buf));
	FUZZ_CHECK(n > 0 && n < sizeof(buf) && strlen(buf) == n);
	FUZZ_CHECK(sift_cidr_parse(buf, n, &back, true) == 0);
	FUZZ_CHECK(cidr_eq(&back, &lax));
	for (sz = 1; sz <= n; sz++) {
		if ((small = malloc(sz)) == NULL)
			abort();
		k = sift_cidr_format(&lax, small, sz);
		FUZZ_CHECK(k < sz && strlen(small) == k);
		free(small);
	}
	return 0;
}
