/* SPDX-License-Identifier: ISC */
/*
 * Unit tests: lib/tstamp.c (civil dates, local offsets across DST changes,
 * year inference for syslog dates, ISO 8601 output) and the times
 * sift_parse() derives from them.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parse.h"
#include "tstamp.h"
#include "../tap.h"
#include "banned.h"

static void
settz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
	sift_tstamp_reset();
}

static const char *
fmt(const struct sift_time *t)
{
	static char buf[64];

	sift_time_format(t, buf, sizeof(buf));
	return buf;
}

/* Parse a line in the process zone and format its time. */
static const char *
pts(const char *line)
{
	static struct sift_rec rec;
	struct sift_parse_opts o = { 0 };

	o.ref_time = 1795315757;
	(void)sift_parse(sift_str_cstr(line), &rec, &o);
	return fmt(&rec.ts);
}

int
main(void)
{
	struct sift_time t = { 0 };
	int64_t y;
	int m, d;

	/* civil <-> days */
	CHECK_INT(sift_days_from_civil(1970, 1, 1), 0);
	CHECK_INT(sift_days_from_civil(2000, 3, 1), 11017);
	CHECK_INT(sift_days_from_civil(1969, 12, 31), -1);
	CHECK_INT(sift_tstamp_wall(2026, 11, 22, 2, 49, 17), 1795315757);
	for (int64_t z = -800000; z < 800000; z += 997) {
		sift_civil_from_days(z, &y, &m, &d);
		if (sift_days_from_civil(y, m, d) != z) {
			CHECK(!"days round trip");
			break;
		}
	}
	sift_civil_from_days(sift_days_from_civil(2024, 2, 29), &y, &m, &d);
	CHECK(y == 2024 && m == 2 && d == 29);

	/* UTC */
	settz("UTC");
	CHECK_INT(sift_tstamp_localoff(sift_tstamp_wall(2026, 7, 1, 12, 0, 0)),
	    0);

	/* Europe/Berlin: CET +60, CEST +120; 2026-03-29 02:00 -> 03:00,
	 * 2026-10-25 03:00 -> 02:00. */
	settz("CET-1CEST,M3.5.0,M10.5.0/3");	/* Europe/Berlin */
	CHECK_INT(sift_tstamp_localoff(sift_tstamp_wall(2026, 1, 15, 12, 0, 0)),
	    60);
	CHECK_INT(sift_tstamp_localoff(sift_tstamp_wall(2026, 7, 15, 12, 0, 0)),
	    120);
	/* just before and after the spring change */
	CHECK_INT(sift_tstamp_localoff(sift_tstamp_wall(2026, 3, 29, 1, 59,
	    59)), 60);
	CHECK_INT(sift_tstamp_localoff(sift_tstamp_wall(2026, 3, 29, 3, 0, 0)),
	    120);
	/* the skipped hour takes the offset before the change */
	CHECK_INT(sift_tstamp_localoff(sift_tstamp_wall(2026, 3, 29, 2, 30, 0)),
	    60);
	/* the repeated hour takes its first pass (summer time) */
	CHECK_INT(sift_tstamp_localoff(sift_tstamp_wall(2026, 10, 25, 2, 30,
	    0)), 120);
	CHECK_INT(sift_tstamp_localoff(sift_tstamp_wall(2026, 10, 25, 3, 0, 0)),
	    60);
	CHECK_INT(sift_tstamp_localoff(sift_tstamp_wall(2026, 10, 25, 1, 59,
	    59)), 120);
	/* cached values stay right when hours alternate */
	for (int i = 0; i < 40; i++) {
		int h = i % 2 == 0 ? 1 : 3;

		if (sift_tstamp_localoff(sift_tstamp_wall(2026, 10, 25, h, 0,
		    0)) != (h == 1 ? 120 : 60)) {
			CHECK(!"cached offset");
			break;
		}
	}
	CHECK_STREQ(pts("2026-07-01 12:00:00 Completed"),
	    "2026-07-01T12:00:00+02:00");
	CHECK_STREQ(pts("2026-01-01 12:00:00.250 Completed"),
	    "2026-01-01T12:00:00.250+01:00");
	/* a written offset wins over the zone */
	CHECK_STREQ(pts("2026-07-01 12:00:00 -0500 Completed"),
	    "2026-07-01T12:00:00-05:00");

	/* America/New_York, a negative zone */
	settz("EST5EDT,M3.2.0,M11.1.0");	/* America/New_York */
	CHECK_INT(sift_tstamp_localoff(sift_tstamp_wall(2026, 1, 15, 12, 0, 0)),
	    -300);
	CHECK_INT(sift_tstamp_localoff(sift_tstamp_wall(2026, 7, 15, 12, 0, 0)),
	    -240);
	/* Asia/Kolkata, +05:30 */
	settz("IST-5:30");	/* Asia/Kolkata */
	CHECK_STREQ(pts("2026-11-22 08:19:17 Completed"),
	    "2026-11-22T08:19:17+05:30");
	{
		struct sift_rec rec;

		(void)sift_parse(sift_str_cstr("2026-11-22 08:19:17 Completed"),
		    &rec, NULL);
		CHECK_INT(rec.ts.sec, 1795315757);
		CHECK_INT(rec.ts.tzoff, 330);
		CHECK(!rec.ts.tz_given);
	}
	settz("UTC");

	/* year inference: latest year not more than a day ahead of ref */
	{
		int64_t ref = sift_tstamp_wall(2027, 1, 1, 0, 30, 0);

		CHECK_INT(sift_tstamp_infer_year(12, 31, 23, 59, 0, ref, 0),
		    2026);
		CHECK_INT(sift_tstamp_infer_year(1, 1, 0, 10, 0, ref, 0), 2027);
		CHECK_INT(sift_tstamp_infer_year(1, 1, 23, 0, 0, ref, 0), 2027);
		CHECK_INT(sift_tstamp_infer_year(1, 2, 1, 0, 0, ref, 0), 2026);
		ref = sift_tstamp_wall(2026, 12, 31, 23, 30, 0);
		CHECK_INT(sift_tstamp_infer_year(1, 1, 0, 5, 0, ref, 0), 2027);
		CHECK_INT(sift_tstamp_infer_year(12, 31, 23, 0, 0, ref, 0),
		    2026);
		/* with an offset: ref is 2027-01-01 00:30 at +01:00 */
		ref = sift_tstamp_wall(2026, 12, 31, 23, 30, 0);
		CHECK_INT(sift_tstamp_infer_year(1, 2, 0, 10, 0, ref, 60), 2027);
		/* Feb 29 read in a non-leap year goes back to a leap year */
		ref = sift_tstamp_wall(2026, 3, 5, 0, 0, 0);
		CHECK(sift_tstamp_infer_year(2, 29, 0, 0, 0, ref, 0) <= 2026);
	}
	{
		struct sift_rec rec;
		struct sift_parse_opts o = { 0 };

		o.ref_time = sift_tstamp_wall(2027, 1, 1, 0, 5, 0);
		o.fixed_tz = true;
		(void)sift_parse(sift_str_cstr("Dec 31 23:59:58 vm exim[1]: "
		    "Start queue run: pid=1"), &rec, &o);
		CHECK_STREQ(fmt(&rec.ts), "2026-12-31T23:59:58+00:00");
		(void)sift_parse(sift_str_cstr("Jan  1 00:00:03 vm exim[1]: "
		    "Start queue run: pid=1"), &rec, &o);
		CHECK_STREQ(fmt(&rec.ts), "2027-01-01T00:00:03+00:00");
		o.year = 2019;
		(void)sift_parse(sift_str_cstr("Jan  1 00:00:03 vm exim[1]: "
		    "Start queue run: pid=1"), &rec, &o);
		CHECK_STREQ(fmt(&rec.ts), "2019-01-01T00:00:03+00:00");
		/* the inner Exim time wins over the syslog one */
		(void)sift_parse(sift_str_cstr("Jan  1 00:00:03 vm exim[1]: "
		    "2018-05-06 07:08:09 Start queue run: pid=1"), &rec, &o);
		CHECK_STREQ(fmt(&rec.ts), "2018-05-06T07:08:09+00:00");
		/* fixed offset */
		o.tzoff = -90;
		(void)sift_parse(sift_str_cstr("2026-11-22 02:49:17 Completed"),
		    &rec, &o);
		CHECK_STREQ(fmt(&rec.ts), "2026-11-22T02:49:17-01:30");
		CHECK_INT(rec.ts.sec, 1795315757 + 90 * 60);
	}

	/* formatting */
	t.valid = true;
	t.sec = 0;
	t.ms = -1;
	t.tzoff = 0;
	CHECK_STREQ(fmt(&t), "1970-01-01T00:00:00+00:00");
	t.sec = -1;
	t.ms = 5;
	CHECK_STREQ(fmt(&t), "1969-12-31T23:59:59.005+00:00");
	t.sec = 1795315757;
	t.ms = -1;
	t.tzoff = -570;
	CHECK_STREQ(fmt(&t), "2026-11-21T17:19:17-09:30");
	t.valid = false;
	CHECK_STREQ(fmt(&t), "");
	{
		char small[8];

		t.valid = true;
		CHECK(sift_time_format(&t, small, sizeof(small)) > 8);
		CHECK(strlen(small) == 7);
	}
	return tap_done();
}
