/* SPDX-License-Identifier: ISC */
/* libmaxminddb wrapper: country and ASN by binary address. */
#include "geo.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_MAXMINDDB
#include <maxminddb.h>
#endif

#include "xalloc.h"
#include "banned.h"

const char *
sift_geo_find(const char *const *paths)
{
	for (; *paths != NULL; paths++)
		if (access(*paths, R_OK) == 0)
			return *paths;
	return NULL;
}

#ifdef HAVE_MAXMINDDB

struct sift_geo {
	MMDB_s	db;
	char	type[64];
};

int
sift_geo_open(struct sift_geo **gp, const char *path, struct sift_err *err)
{
	struct sift_geo *g;
	int rc;

	*gp = NULL;
	g = sift_xcalloc(1, sizeof(*g));
	if ((rc = MMDB_open(path, MMDB_MODE_MMAP, &g->db)) != MMDB_SUCCESS) {
		free(g);
		if (rc == MMDB_FILE_OPEN_ERROR)
			return sift_err_set(err, SIFT_E_IO, 0, "%s: %s", path,
			    MMDB_strerror(rc));
		return sift_err_set(err, SIFT_E_FORMAT, 0, "%s: %s", path,
		    MMDB_strerror(rc));
	}
	if (g->db.metadata.database_type != NULL)
		snprintf(g->type, sizeof(g->type), "%s",
		    g->db.metadata.database_type);
	*gp = g;
	return 0;
}

void
sift_geo_close(struct sift_geo *g)
{
	if (g == NULL)
		return;
	MMDB_close(&g->db);
	free(g);
}

const char *
sift_geo_type(const struct sift_geo *g)
{
	return g->type;
}

int
sift_geo_lookup(struct sift_geo *g, const struct sift_addr *a,
    struct sift_geo_info *info, struct sift_err *err)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	const struct sockaddr *sa;
	MMDB_lookup_result_s res;
	MMDB_entry_data_s d;
	int mmerr, rc;

	if (a->family == 4) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		memcpy(&sin.sin_addr, a->b + 12, 4);
		sa = (const struct sockaddr *)&sin;
	} else if (a->family == 6) {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		memcpy(&sin6.sin6_addr, a->b, 16);
		sa = (const struct sockaddr *)&sin6;
	} else
		return 0;
	res = MMDB_lookup_sockaddr(&g->db, sa, &mmerr);
	if (mmerr != MMDB_SUCCESS)
		return sift_err_set(err, SIFT_E_FORMAT, 0, "geo lookup: %s",
		    MMDB_strerror(mmerr));
	if (!res.found_entry)
		return 0;
	rc = MMDB_get_value(&res.entry, &d, "country", "iso_code", NULL);
	if (rc == MMDB_SUCCESS && d.has_data &&
	    d.type == MMDB_DATA_TYPE_UTF8_STRING && d.data_size == 2) {
		memcpy(info->country, d.utf8_string, 2);
		info->country[2] = '\0';
	}
	rc = MMDB_get_value(&res.entry, &d, "autonomous_system_number", NULL);
	if (rc == MMDB_SUCCESS && d.has_data) {
		if (d.type == MMDB_DATA_TYPE_UINT32)
			info->asn = d.uint32;
		else if (d.type == MMDB_DATA_TYPE_UINT16)
			info->asn = d.uint16;
		else if (d.type == MMDB_DATA_TYPE_UINT64 &&
		    d.uint64 <= UINT32_MAX)
			info->asn = (uint32_t)d.uint64;
	}
	rc = MMDB_get_value(&res.entry, &d, "autonomous_system_organization",
	    NULL);
	if (rc == MMDB_SUCCESS && d.has_data &&
	    d.type == MMDB_DATA_TYPE_UTF8_STRING) {
		info->org = d.utf8_string;
		info->org_len = d.data_size;
	}
	return 1;
}

#else

int
sift_geo_open(struct sift_geo **gp, const char *path, struct sift_err *err)
{
	*gp = NULL;
	return sift_err_set(err, SIFT_E_UNSUPPORTED, 0,
	    "%s: built without libmaxminddb (WITH_GEO=0)", path);
}

void
sift_geo_close(struct sift_geo *g)
{
	(void)g;
}

const char *
sift_geo_type(const struct sift_geo *g)
{
	(void)g;
	return "";
}

int
sift_geo_lookup(struct sift_geo *g, const struct sift_addr *a,
    struct sift_geo_info *info, struct sift_err *err)
{
	(void)g;
	(void)a;
	(void)info;
	(void)err;
	return 0;
}

#endif
