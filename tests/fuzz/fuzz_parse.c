/* SPDX-License-Identifier: ISC */
/*
 * Fuzz sift_parse(): the input is one line (a copy of exactly its bytes, in
 * a buffer of its own size so that ASan sees any read past the end). The
 * parser must not crash, must not write to the line, must leave every view
 * of the record inside the line (or empty), and must give an event, stage
 * and counts in range. The same bytes parse to the same record twice.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "fuzz.h"
#include "banned.h"

static bool
inside(struct sift_str s, const char *lo, size_t n)
{
	if (s.n == 0)
		return true;
	return s.p != NULL && s.p >= lo && s.p + s.n <= lo + n &&
	    s.n <= n;
}

static void
check(const struct sift_rec *r, const char *p, size_t n)
{
	const struct sift_str v[] = { r->line, r->text, r->msgid, r->flag,
	    r->host, r->helo, r->ident, r->sender, r->recipient, r->auth,
	    r->authenticator, r->user, r->reason, r->syslog_host,
	    r->addr_text, r->command, r->body };

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		FUZZ_CHECK(inside(v[i], p, n));
	FUZZ_CHECK((unsigned)r->event < SIFT_EV__COUNT);
	FUZZ_CHECK((unsigned)r->stage < SIFT_ST__COUNT);
	FUZZ_CHECK(r->ntags <= SIFT_REC_MAXTAGS);
	for (unsigned i = 0; i < r->ntags; i++) {
		FUZZ_CHECK(r->tags[i].key.n > 0);
		FUZZ_CHECK(inside(r->tags[i].key, p, n));
		/* bare flags may point at a static "" */
		FUZZ_CHECK(r->tags[i].val.n == 0 ||
		    inside(r->tags[i].val, p, n));
	}
	FUZZ_CHECK(r->ip.family == 0 || r->ip.family == 4 ||
	    r->ip.family == 6);
	FUZZ_CHECK(r->port >= -1 && r->port <= 99999);
	FUZZ_CHECK(!r->ts.valid || (r->ts.ms >= -1 && r->ts.ms <= 999));
	FUZZ_CHECK(r->msgid.n == 0 || r->msgid.n == 16 || r->msgid.n == 23);
	FUZZ_CHECK(strcmp(sift_event_name(r->event), "?") != 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sift_rec a, b;
	struct sift_parse_opts o = { 0 };
	char *p, *copy;

	p = malloc(size > 0 ? size : 1);
	copy = malloc(size > 0 ? size : 1);
	if (p == NULL || copy == NULL) {
		free(p);
		free(copy);
		return 0;
	}
	if (size > 0) {
		memcpy(p, data, size);
		memcpy(copy, data, size);
	}
	o.ref_time = 1795315757;
	o.fixed_tz = size > 0 && (data[0] & 1);
	o.tzoff = 60;
	(void)sift_parse(sift_str_make(p, size), &a, &o);
	check(&a, p, size);
	FUZZ_CHECK(size == 0 || memcmp(p, copy, size) == 0);
	(void)sift_parse(sift_str_make(p, size), &b, &o);
	FUZZ_CHECK(a.event == b.event && a.stage == b.stage &&
	    a.ntags == b.ntags && a.ip.family == b.ip.family &&
	    a.ts.sec == b.ts.sec && a.port == b.port);
	free(p);
	free(copy);
	return 0;
}
