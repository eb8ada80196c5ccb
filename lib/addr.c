/* SPDX-License-Identifier: ISC */
/* IPv4/IPv6 addresses and prefixes in binary form. */
#include "addr.h"

#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "banned.h"

static const uint8_t v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static int
parse_v4(const char *p, size_t n, uint8_t out[4])
{
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		unsigned v = 0, nd = 0;

		if (part > 0) {
			if (i >= n || p[i] != '.')
				return -1;
			i++;
		}
		while (i < n && p[i] >= '0' && p[i] <= '9') {
			/* No leading zeros: 010 is octal to some parsers. */
			if (nd == 1 && v == 0)
				return -1;
			v = v * 10 + (unsigned)(p[i] - '0');
			if (v > 255)
				return -1;
			nd++;
			i++;
		}
		if (nd == 0)
			return -1;
		out[part] = (uint8_t)v;
	}
	return i == n ? 0 : -1;
}

int
sift_addr_parse(const char *p, size_t n, struct sift_addr *a)
{
	char buf[SIFT_ADDR_STRLEN];
	struct in6_addr in6;

	memset(a, 0, sizeof(*a));
	if (n == 0 || n >= sizeof(buf))
		return -1;
	if (memchr(p, ':', n) == NULL) {
		if (parse_v4(p, n, a->b + 12) == -1)
			return -1;
		memcpy(a->b, v4mapped, sizeof(v4mapped));
		a->family = 4;
		return 0;
	}
	/* "Exactly n bytes": inet_pton would stop at a NUL inside. */
	if (memchr(p, '\0', n) != NULL)
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET6, buf, &in6) != 1)
		return -1;
	memcpy(a->b, &in6, 16);
	a->family = memcmp(a->b, v4mapped, 12) == 0 ? 4 : 6;
	return 0;
}

/* Dotted quad of b[0..4) into q (room for 16); returns its length. */
static size_t
put_v4(char *q, const uint8_t *b)
{
	size_t n = 0;

	/* no branch on the number of digits: they are random */
	for (int i = 0; i < 4; i++) {
		unsigned v = b[i];

		q[n] = (char)('0' + v / 100);
		n += v >= 100;
		q[n] = (char)('0' + v / 10 % 10);
		n += v >= 10;
		q[n++] = (char)('0' + v % 10);
		q[n++] = '.';
	}
	return n - 1;
}

/*
 * RFC 5952 text of an IPv6 address, the same bytes glibc's inet_ntop
 * writes (longest run of two or more zero groups, the first of equal
 * ones, as "::"; ::a.b.c.d and ::ffff:a.b.c.d forms), without its
 * sprintf per group. q has room for 46 bytes; returns the length.
 */
static size_t
put_v6(char *q, const uint8_t *b)
{
	static const char hexd[] = "0123456789abcdef";
	unsigned w[8], v;
	int best = -1, bestlen = 0, cur = -1, curlen = 0, i, sh;
	size_t n = 0;

	for (i = 0; i < 8; i++)
		w[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
	for (i = 0; i < 8; i++) {
		if (w[i] == 0) {
			if (cur == -1) {
				cur = i;
				curlen = 1;
			} else
				curlen++;
		} else if (cur != -1) {
			if (best == -1 || curlen > bestlen) {
				best = cur;
				bestlen = curlen;
			}
			cur = -1;
		}
	}
	if (cur != -1 && (best == -1 || curlen > bestlen)) {
		best = cur;
		bestlen = curlen;
	}
	if (best != -1 && bestlen < 2)
		best = -1;
	for (i = 0; i < 8; i++) {
		if (best != -1 && i >= best && i < best + bestlen) {
			if (i == best)
				q[n++] = ':';
			continue;
		}
		if (i != 0)
			q[n++] = ':';
		if (i == 6 && best == 0 && (bestlen == 6 ||
		    (bestlen == 5 && w[5] == 0xffff)))
			return n + put_v4(q + n, b + 12);
		v = w[i];
		for (sh = 12; sh > 0 && (v >> sh) == 0; sh -= 4)
			;
		for (; sh >= 0; sh -= 4)
			q[n++] = hexd[v >> sh & 0xf];
	}
	if (best != -1 && best + bestlen == 8)
		q[n++] = ':';
	return n;
}

size_t
sift_addr_format(const struct sift_addr *a, char *buf, size_t sz)
{
	char tmp[48];
	size_t n;

	if (sz == 0)
		return 0;
	if (a->family == 4)
		n = put_v4(tmp, a->b + 12);
	else if (a->family == 6)
		n = put_v6(tmp, a->b);
	else
		n = 0;
	/* A cut address is another address: write none at all. */
	if (n >= sz)
		n = 0;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
	return n;
}

int
sift_addr_cmp(const struct sift_addr *x, const struct sift_addr *y)
{
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->b, y->b, 16);
}

bool
sift_addr_eq(const struct sift_addr *x, const struct sift_addr *y)
{
	return x->family == y->family && memcmp(x->b, y->b, 16) == 0;
}

uint64_t
sift_addr_hash(const struct sift_addr *a)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ a->family, lo, hi;

	memcpy(&lo, a->b, 8);
	memcpy(&hi, a->b + 8, 8);
	/* Two rounds of a 64-bit mixer (splitmix64 finaliser). */
	h ^= lo;
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
	h ^= hi;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}

unsigned
sift_addr_bits(const struct sift_addr *a)
{
	return a->family == 4 ? 32 : 128;
}

void
sift_addr_mask(struct sift_addr *a, unsigned prefix)
{
	unsigned bits, i, keep;

	bits = sift_addr_bits(a);
	if (prefix >= bits)
		return;
	keep = (128 - bits) + prefix;	/* bits to keep in the 128 */
	for (i = 0; i < 16; i++) {
		unsigned lo = i * 8;

		if (lo >= keep)
			a->b[i] = 0;
		else if (lo + 8 > keep)
			a->b[i] &= (uint8_t)(0xff << (8 - (keep - lo)));
	}
}

void
sift_addr_from_v4(struct sift_addr *a, uint32_t v4)
{
	memcpy(a->b, v4mapped, sizeof(v4mapped));
	a->b[12] = (uint8_t)(v4 >> 24);
	a->b[13] = (uint8_t)(v4 >> 16);
	a->b[14] = (uint8_t)(v4 >> 8);
	a->b[15] = (uint8_t)v4;
	a->family = 4;
}

uint32_t
sift_addr_v4(const struct sift_addr *a)
{
	return (uint32_t)a->b[12] << 24 | (uint32_t)a->b[13] << 16 |
	    (uint32_t)a->b[14] << 8 | a->b[15];
}

bool
sift_addr_is_special(const struct sift_addr *a)
{
	static const uint8_t zero[16];

	if (a->family == 4) {
		uint32_t v = sift_addr_v4(a);

		return (v >> 24) == 127 || (v >> 24) == 0 ||
		    (v >> 16) == 0xa9fe ||		/* 169.254/16 */
		    (v >> 28) == 0xe ||			/* 224/4 */
		    v == 0xffffffffU;
	}
	if (memcmp(a->b, zero, 15) == 0 && (a->b[15] == 0 || a->b[15] == 1))
		return true;			/* :: and ::1 */
	if (a->b[0] == 0xfe && (a->b[1] & 0xc0) == 0x80)
		return true;			/* fe80::/10 */
	return a->b[0] == 0xff;			/* ff00::/8 */
}

int
sift_cidr_parse(const char *p, size_t n, struct sift_cidr *c, bool strict)
{
	const char *slash;
	struct sift_addr m;
	unsigned len = 0, nd = 0;
	size_t i;

	memset(c, 0, sizeof(*c));
	slash = memchr(p, '/', n);
	if (sift_addr_parse(p, slash != NULL ? (size_t)(slash - p) : n,
	    &c->a) == -1)
		return -1;
	if (slash == NULL) {
		c->prefix = (uint8_t)sift_addr_bits(&c->a);
		return 0;
	}
	for (i = (size_t)(slash - p) + 1; i < n; i++) {
		if (p[i] < '0' || p[i] > '9' || nd >= 3)
			return -1;
		len = len * 10 + (unsigned)(p[i] - '0');
		nd++;
	}
	/* ::ffff:0:0/104 written in IPv6 terms: fold to the v4 prefix. */
	if (c->a.family == 4 && memchr(p, ':', (size_t)(slash - p)) != NULL) {
		if (len < 96 || len > 128)
			return -1;
		len -= 96;
	}
	if (nd == 0 || len > sift_addr_bits(&c->a))
		return -1;
	m = c->a;
	sift_addr_mask(&m, len);
	if (strict && !sift_addr_eq(&m, &c->a))
		return -1;
	c->a = m;
	c->prefix = (uint8_t)len;
	return 0;
}

size_t
sift_cidr_format(const struct sift_cidr *c, char *buf, size_t sz)
{
	size_t n;
	int k;

	n = sift_addr_format(&c->a, buf, sz);
	if (c->prefix == sift_addr_bits(&c->a))
		return n;
	if (n == 0)
		return 0;
	k = snprintf(buf + n, sz - n, "/%u", c->prefix);
	if (k < 0 || (size_t)k >= sz - n) {
		buf[0] = '\0';
		return 0;
	}
	return n + (size_t)k;
}

bool
sift_cidr_contains(const struct sift_cidr *c, const struct sift_addr *a)
{
	struct sift_addr m;

	if (a->family != c->a.family)
		return false;
	m = *a;
	sift_addr_mask(&m, c->prefix);
	return sift_addr_eq(&m, &c->a);
}
