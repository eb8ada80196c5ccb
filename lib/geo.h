/* SPDX-License-Identifier: ISC */
/*
 * GeoIP and ASN lookups in MaxMind-format databases (libmaxminddb),
 * memory-mapped. Addresses are looked up in binary form
 * (MMDB_lookup_sockaddr), never through text. Optional: built without
 * HAVE_MAXMINDDB, sift_geo_open() fails with SIFT_E_UNSUPPORTED.
 *
 * The caller owns a struct sift_geo from sift_geo_open() until
 * sift_geo_close(). Organisation names returned in struct sift_geo_info
 * point into the database mapping and are valid until sift_geo_close();
 * they are not NUL-terminated (org_len) and may hold any bytes.
 */
#ifndef SIFT_GEO_H
#define SIFT_GEO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "err.h"

struct sift_geo;

struct sift_geo_info {
	char		 country[3];	/* ISO 3166 alpha-2, "" when unknown */
	uint32_t	 asn;		/* 0 when unknown */
	const char	*org;		/* AS organisation, NULL when unknown */
	size_t		 org_len;
};

SIFT_NODISCARD int sift_geo_open(struct sift_geo **gp, const char *path,
	    struct sift_err *err);
void	 sift_geo_close(struct sift_geo *g);
/* Database type from its metadata ("GeoLite2-ASN", ...). */
const char *sift_geo_type(const struct sift_geo *g);
/*
 * Fill what the database knows about a into info (fields it lacks are
 * left as they are, so one info can collect from a country and an ASN
 * database). Returns 1 when the address was found, 0 when not, -1 on a
 * database error.
 */
int	 sift_geo_lookup(struct sift_geo *g, const struct sift_addr *a,
	    struct sift_geo_info *info, struct sift_err *err);
/* The first of paths (NULL-terminated) that exists, or NULL. */
const char *sift_geo_find(const char *const *paths);

#endif
