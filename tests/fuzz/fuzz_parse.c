/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the line parser: the input is one log line. Whatever the bytes, the
 * parser must not write to the line, every view it returns must lie inside
 * the line, enums and numbers must be in range, the same line must parse
 * the same way twice, and the client address must be the one Exim built:
 * its text (addr_text) parses to the same address and never lies inside
 * the HELO name. Times are checked by formatting them.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "parse.h"
#include "str.h"
#include "tstamp.h"
#include "fuzz.h"
#include "banned.h"

static const char *lo_, *hi_;

static bool
inside(struct sift_str s)
{
	if (s.n == 0)
		return true;
	return s.p != NULL && s.p >= lo_ && s.p <= hi_ && s.n <=
	    (size_t)(hi_ - s.p);
}

/* Keys the parser names itself ("DS", "C", "Ci") are static literals. */
static bool
static_key(struct sift_str s)
{
	size_t i;

	if (s.n == 0 || s.n > 8)
		return false;
	for (i = 0; i < s.n; i++)
		if (!((s.p[i] >= 'A' && s.p[i] <= 'Z') ||
		    (s.p[i] >= 'a' && s.p[i] <= 'z')))
			return false;
	return true;
}

static bool
overlaps(struct sift_str a, struct sift_str b)
{
	if (a.n == 0 || b.n == 0)
		return false;
	return a.p < b.p + b.n && b.p < a.p + a.n;
}

#define VIEW(f)	FUZZ_CHECK(inside(rec->f))

static void
check_rec(const struct sift_rec *rec, int rc, struct sift_str line)
{
	struct sift_addr a;
	char buf[64];
	const char *name;
	size_t n;
	unsigned i;

	FUZZ_CHECK(rc == 0 || rc == SIFT_P_NOTIME || rc == SIFT_P_EMPTY ||
	    rc < 0);
	VIEW(line);
	VIEW(text);
	VIEW(msgid);
	VIEW(flag);
	VIEW(host);
	VIEW(helo);
	VIEW(ident);
	VIEW(sender);
	VIEW(recipient);
	VIEW(auth);
	VIEW(authenticator);
	VIEW(user);
	VIEW(reason);
	VIEW(syslog_host);
	VIEW(addr_text);
	VIEW(command);
	VIEW(body);
	FUZZ_CHECK(rec->ntags <= SIFT_REC_MAXTAGS);
	for (i = 0; i < rec->ntags; i++) {
		FUZZ_CHECK(inside(rec->tags[i].key) ||
		    static_key(rec->tags[i].key));
		FUZZ_CHECK(inside(rec->tags[i].val));
		if (i == 0 && rec->tags[i].key.n > 0) {
			/* Lookup finds a tag by its key. */
			n = rec->tags[i].key.n < sizeof(buf) - 1 ?
			    rec->tags[i].key.n : 0;
			if (n > 0 && memchr(rec->tags[i].key.p, '\0', n) ==
			    NULL) {
				memcpy(buf, rec->tags[i].key.p, n);
				buf[n] = '\0';
				FUZZ_CHECK(sift_rec_tag(rec, buf) != NULL);
			}
		}
	}
	FUZZ_CHECK(rec->line.n == line.n);

	FUZZ_CHECK((unsigned)rec->event < SIFT_EV__COUNT);
	FUZZ_CHECK((unsigned)rec->stage < SIFT_ST__COUNT);
	FUZZ_CHECK((unsigned)rec->parent_event < SIFT_EV__COUNT);
	name = sift_event_name(rec->event);
	FUZZ_CHECK(name != NULL && strcmp(name, "?") != 0);
	FUZZ_CHECK(sift_event_from_name(name, strlen(name)) ==
	    (int)rec->event);
	FUZZ_CHECK(sift_stage_name(rec->stage) != NULL);

	FUZZ_CHECK(rec->pid >= -1);
	FUZZ_CHECK(rec->port >= -1 && rec->port <= 65535);
	FUZZ_CHECK(rec->frag_n >= 0 && rec->frag_m >= 0);
	FUZZ_CHECK(rec->ts.ms >= -1 && rec->ts.ms <= 999);
	if (rec->ts.valid) {
		FUZZ_CHECK(rec->ts.tzoff > -24 * 60 && rec->ts.tzoff < 24 * 60);
		n = sift_time_format(&rec->ts, buf, sizeof(buf));
		FUZZ_CHECK(n > 0 && n < sizeof(buf) && strlen(buf) == n);
	}

	/* The client address: Exim's own brackets, never the HELO's. */
	FUZZ_CHECK(rec->ip.family == 0 || rec->ip.family == 4 ||
	    rec->ip.family == 6);
	if (rec->ip.family != 0) {
		FUZZ_CHECK(rec->addr_text.n > 0);
		FUZZ_CHECK(sift_addr_parse(rec->addr_text.p, rec->addr_text.n,
		    &a) == 0);
		FUZZ_CHECK(sift_addr_eq(&a, &rec->ip));
		FUZZ_CHECK(!overlaps(rec->addr_text, rec->helo));
	}
}

static void
parse_with(const uint8_t *data, size_t size, const struct sift_parse_opts *o)
{
	struct sift_rec r1, r2;
	struct sift_str line = sift_str_make((const char *)data, size);
	int rc1, rc2;

	memset(&r1, 0xa5, sizeof(r1));
	memset(&r2, 0x5a, sizeof(r2));
	rc1 = sift_parse(line, &r1, o);
	check_rec(&r1, rc1, line);
	rc2 = sift_parse(line, &r2, o);
	FUZZ_CHECK(rc1 == rc2);
	FUZZ_CHECK(r1.event == r2.event && r1.stage == r2.stage);
	FUZZ_CHECK(r1.flags == r2.flags && r1.ntags == r2.ntags);
	FUZZ_CHECK(sift_addr_eq(&r1.ip, &r2.ip) && r1.port == r2.port);
	FUZZ_CHECK(r1.ts.valid == r2.ts.valid && r1.ts.sec == r2.ts.sec);
	FUZZ_CHECK(sift_str_eq(r1.helo, r2.helo));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sift_parse_opts o;
	uint8_t *copy;

	lo_ = (const char *)data;
	hi_ = lo_ + size;
	if ((copy = malloc(size + 1)) == NULL)
		abort();
	if (size > 0)
		memcpy(copy, data, size);

	memset(&o, 0, sizeof(o));
	o.ref_time = 1795315200;	/* 2026-11-22 */
	o.fixed_tz = true;
	parse_with(data, size, &o);
	o.fixed_tz = false;		/* TZ: whatever the process has */
	o.year = 2025;
	parse_with(data, size, &o);
	o.fixed_tz = true;
	o.tzoff = -13 * 60;
	o.year = 0;
	o.ref_time = 0;
	parse_with(data, size, &o);

	/* The parser never writes to the line. */
	FUZZ_CHECK(size == 0 || memcmp(copy, data, size) == 0);
	free(copy);
	return 0;
}
