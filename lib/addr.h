/* SPDX-License-Identifier: ISC */
/*
 * Binary IP addresses and prefixes. Plain values, no ownership. IPv4 is
 * stored v4-mapped (::ffff:a.b.c.d) with family 4, so one 16-byte compare or
 * hash works for both families; IPv6 input ::ffff:a.b.c.d folds to IPv4.
 */
#ifndef SIFT_ADDR_H
#define SIFT_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sift.h"

#define SIFT_ADDR_STRLEN	46	/* INET6_ADDRSTRLEN */
#define SIFT_CIDR_STRLEN	50	/* address, '/', 3 digits, NUL */

struct sift_addr {
	uint8_t	family;		/* 4, 6, or 0 for "no address" */
	uint8_t	b[16];		/* network order; v4 in b[12..15] */
};

struct sift_cidr {
	struct sift_addr a;	/* host bits always zero */
	uint8_t		 prefix;	/* 0..32 for family 4, 0..128 for 6 */
};

/*
 * Parse exactly n bytes as an IPv4 or IPv6 address (no brackets, no port,
 * no zone). Returns 0, or -1 if the text is not exactly an address.
 */
SIFT_NODISCARD int sift_addr_parse(const char *p, size_t n,
	    struct sift_addr *a);
/*
 * Write the canonical text form (RFC 5952 for IPv6); returns its length.
 * When sz is too small, writes an empty string and returns 0 (never a cut
 * address, which could read as another one).
 */
size_t	sift_addr_format(const struct sift_addr *a, char *buf, size_t sz);
int	sift_addr_cmp(const struct sift_addr *x, const struct sift_addr *y);
bool	sift_addr_eq(const struct sift_addr *x, const struct sift_addr *y);
uint64_t sift_addr_hash(const struct sift_addr *a);
/* Width of the family: 32 or 128. */
unsigned sift_addr_bits(const struct sift_addr *a);
/* Clear the host bits beyond prefix (in the family's own terms). */
void	sift_addr_mask(struct sift_addr *a, unsigned prefix);
/* Address from a v4 host-order integer. */
void	sift_addr_from_v4(struct sift_addr *a, uint32_t v4);
uint32_t sift_addr_v4(const struct sift_addr *a);
/* Loopback, unspecified, link-local, multicast: never to be banned lightly. */
bool	sift_addr_is_special(const struct sift_addr *a);

/*
 * Parse "addr" or "addr/len". With strict false, host bits beyond the
 * prefix are cleared; with strict true they are an error. Returns 0 or -1.
 */
SIFT_NODISCARD int sift_cidr_parse(const char *p, size_t n,
	    struct sift_cidr *c, bool strict);
/*
 * "a.b.c.d/len", or the bare address when the prefix is the full width;
 * as sift_addr_format() when sz is too small.
 */
size_t	sift_cidr_format(const struct sift_cidr *c, char *buf, size_t sz);
bool	sift_cidr_contains(const struct sift_cidr *c,
	    const struct sift_addr *a);

#endif
