/* SPDX-License-Identifier: ISC */
/*
 * Fuzz sift_addr_parse() against inet_pton(3) (the same verdict and the same
 * bytes for every input), and sift_addr_format() by round trip: the text it
 * writes parses back to the same address, matches inet_ntop(3), and never
 * overruns a short buffer.
 */
#include <arpa/inet.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "fuzz.h"
#include "banned.h"

static const uint8_t v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* The reference: libc on a NUL-terminated copy; NUL inside is no address. */
static int
ref_parse(const uint8_t *data, size_t size, struct sift_addr *a)
{
	char *s;
	int rc = -1;

	memset(a, 0, sizeof(*a));
	if (size == 0 || memchr(data, '\0', size) != NULL)
		return -1;
	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	if (memchr(s, ':', size) != NULL) {
		if (inet_pton(AF_INET6, s, a->b) == 1) {
			a->family = memcmp(a->b, v4mapped, 12) == 0 ? 4 : 6;
			rc = 0;
		}
	} else if (inet_pton(AF_INET, s, a->b + 12) == 1) {
		memcpy(a->b, v4mapped, 12);
		a->family = 4;
		rc = 0;
	}
	free(s);
	return rc;
}

static void
check_format(const struct sift_addr *a)
{
	char buf[SIFT_ADDR_STRLEN], want[SIFT_ADDR_STRLEN], *small;
	struct sift_addr b;
	size_t n, sz, m;

	n = sift_addr_format(a, buf, sizeof(buf));
	FUZZ_CHECK(n > 0 && n < sizeof(buf) && strlen(buf) == n);
	if (a->family == 4) {
		snprintf(want, sizeof(want), "%u.%u.%u.%u", a->b[12],
		    a->b[13], a->b[14], a->b[15]);
	} else {
		FUZZ_CHECK(inet_ntop(AF_INET6, a->b, want, sizeof(want)) !=
		    NULL);
	}
	FUZZ_CHECK(strcmp(buf, want) == 0);
	FUZZ_CHECK(sift_addr_parse(buf, n, &b) == 0);
	FUZZ_CHECK(sift_addr_eq(a, &b) && sift_addr_cmp(a, &b) == 0);
	FUZZ_CHECK(sift_addr_hash(a) == sift_addr_hash(&b));

	/* Short buffers: always terminated, never overrun (ASan). */
	for (sz = 1; sz <= n; sz++) {
		if ((small = malloc(sz)) == NULL)
			abort();
		m = sift_addr_format(a, small, sz);
		FUZZ_CHECK(m < sz && memchr(small, '\0', sz) != NULL);
		FUZZ_CHECK(strlen(small) == m);
		free(small);
	}
}

static void
check_mask(const struct sift_addr *a)
{
	struct sift_cidr c;
	struct sift_addr m;
	unsigned p, bits;

	bits = sift_addr_bits(a);
	FUZZ_CHECK(bits == (a->family == 4 ? 32u : 128u));
	for (p = 0; p <= bits; p++) {
		m = *a;
		sift_addr_mask(&m, p);
		FUZZ_CHECK(m.family == a->family);
		if (a->family == 4)
			FUZZ_CHECK(memcmp(m.b, v4mapped, 12) == 0);
		c.a = m;
		c.prefix = (uint8_t)p;
		FUZZ_CHECK(sift_cidr_contains(&c, a));
		if (p == bits)
			FUZZ_CHECK(sift_addr_eq(&m, a));
	}
	if (a->family == 4) {
		sift_addr_from_v4(&m, sift_addr_v4(a));
		FUZZ_CHECK(sift_addr_eq(&m, a));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sift_addr got, want;
	int rc, rrc;

	rc = sift_addr_parse((const char *)data, size, &got);
	rrc = ref_parse(data, size, &want);
	if (rc != rrc) {
		fprintf(stderr, "sift_addr_parse %d, inet_pton %d on \"%.*s\"\n",
		    rc, rrc, (int)size, (const char *)data);
		abort();
	}
	if (rc != 0)
		return 0;
	FUZZ_CHECK(got.family == want.family);
	FUZZ_CHECK(memcmp(got.b, want.b, 16) == 0);
	check_format(&got);
	check_mask(&got);
	(void)sift_addr_is_special(&got);
	return 0;
}
