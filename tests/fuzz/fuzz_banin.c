/* SPDX-License-Identifier: ISC */
/*
 * Fuzz banlist's input parsers: every line of the input through
 * sift_banin_line(), and the whole input as a live set dump (ipset save,
 * ipset list, nft JSON) through sift_banin_live(). Properties: no crash;
 * an accepted line yields a valid prefix whose text form parses back to
 * itself; every element a dump yields is a valid prefix; a failing dump
 * sets an error message.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "banin.h"
#include "fuzz.h"
#include "banned.h"

static void
check_cidr(const struct sift_cidr *c)
{
	struct sift_cidr back;
	char buf[SIFT_CIDR_STRLEN];
	size_t n;

	FUZZ_CHECK(c->a.family == 4 || c->a.family == 6);
	FUZZ_CHECK(c->prefix <= (c->a.family == 4 ? 32 : 128));
	n = sift_cidr_format(c, buf, sizeof(buf));
	FUZZ_CHECK(n > 0 && n < sizeof(buf));
	FUZZ_CHECK(sift_cidr_parse(buf, n, &back, true) == 0);
	FUZZ_CHECK(back.a.family == c->a.family && back.prefix == c->prefix);
	FUZZ_CHECK(memcmp(back.a.b, c->a.b, 16) == 0);
}

static void
elem_cb(const struct sift_cidr *c, const struct sift_addr *hi, void *arg)
{
	(*(long *)arg)++;
	check_cidr(c);
	if (hi != NULL) {
		FUZZ_CHECK(hi->family == c->a.family);
		FUZZ_CHECK(c->prefix == (c->a.family == 4 ? 32 : 128));
		FUZZ_CHECK(sift_addr_cmp(&c->a, hi) < 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *eol;
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_cidr c;
	const char *why;
	long n = 0, got;
	int rc;

	for (; p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		why = NULL;
		rc = sift_banin_line(sift_str_make(p, (size_t)(eol - p)), &c,
		    &why);
		FUZZ_CHECK(rc >= -1 && rc <= 1);
		if (rc == 1)
			check_cidr(&c);
		if (rc == -1)
			FUZZ_CHECK(why != NULL && *why != '\0');
	}
	got = sift_banin_live((const char *)data, size, "fuzz", "banlist",
	    "banlist6", elem_cb, &n, &e);
	if (got == -1)
		FUZZ_CHECK(e.msg[0] != '\0');
	else
		FUZZ_CHECK(got == n);
	return 0;
}
