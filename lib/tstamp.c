/* SPDX-License-Identifier: ISC */
/* Civil time arithmetic and cached local-time offsets. */
#include "tstamp.h"

#include <stdio.h>
#include <time.h>

#include "banned.h"

#define CACHE_SLOTS	16

struct off_slot {
	int64_t	hour;		/* wall seconds / 3600, floored */
	int	off;		/* minutes east */
	bool	used;
};

static _Thread_local struct off_slot off_cache[CACHE_SLOTS];

/* Howard Hinnant's days_from_civil, for any proleptic Gregorian year. */
int64_t
sift_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
sift_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int64_t
sift_tstamp_wall(int64_t y, int mo, int d, int h, int mi, int s)
{
	return sift_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
	    s;
}

static int64_t
floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* Offset in seconds east of UTC of the process zone at an instant. */
static long
gmtoff_at(int64_t instant)
{
	time_t t = (time_t)instant;
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return tm.tm_gmtoff;
}

static int
compute_off(int64_t hw)
{
	long oa, ob;
	bool va, vb;

	oa = gmtoff_at(hw - 86400);
	ob = gmtoff_at(hw + 86400);
	va = gmtoff_at(hw - oa) == oa;
	if (oa == ob)
		return (int)(oa / 60);
	vb = gmtoff_at(hw - ob) == ob;
	if (va && vb)		/* overlap: the earlier instant */
		return (int)((oa > ob ? oa : ob) / 60);
	if (va)
		return (int)(oa / 60);
	if (vb)
		return (int)(ob / 60);
	return (int)(oa / 60);	/* gap: the offset before the change */
}

/* The hour of the last lookup, checked first (no division). */
static _Thread_local struct {
	int64_t	start;		/* wall seconds of the hour */
	int	off;
	bool	used;
} off_last;

int
sift_tstamp_localoff(int64_t wall)
{
	int64_t hour;
	struct off_slot *s;

	if (off_last.used && wall >= off_last.start &&
	    wall - off_last.start < 3600)
		return off_last.off;
	hour = floordiv(wall, 3600);
	s = &off_cache[(uint64_t)hour % CACHE_SLOTS];
	off_last.start = hour * 3600;
	off_last.used = true;
	if (s->used && s->hour == hour) {
		off_last.off = s->off;
		return s->off;
	}
	s->off = compute_off(hour * 3600);
	s->hour = hour;
	s->used = true;
	off_last.off = s->off;
	return s->off;
}

void
sift_tstamp_reset(void)
{
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		off_cache[i].used = false;
	off_last.used = false;
}

int64_t
sift_tstamp_infer_year(int mo, int d, int h, int mi, int s, int64_t ref,
    int refoff)
{
	int64_t refwall = ref + (int64_t)refoff * 60, ry;
	int rm, rd;

	sift_civil_from_days(floordiv(refwall, 86400), &ry, &rm, &rd);
	for (int64_t y = ry + 1; y > ry - 1; y--)
		if (sift_tstamp_wall(y, mo, d, h, mi, s) <= refwall + 86400)
			return y;
	return ry - 1;
}

void
sift_time_set(struct sift_time *t, int64_t wall, int ms, bool tz_given,
    int tzoff, bool fixed, int fixed_off)
{
	int off;

	if (tz_given)
		off = tzoff;
	else if (fixed)
		off = fixed_off;
	else
		off = sift_tstamp_localoff(wall);
	t->sec = wall - (int64_t)off * 60;
	t->ms = (int16_t)ms;
	t->tzoff = (int16_t)off;
	t->tz_given = tz_given;
	t->valid = true;
}

size_t
sift_time_format(const struct sift_time *t, char *buf, size_t sz)
{
	int64_t wall, days, y;
	int m, d, secs, off, n;
	char frac[8] = "";

	if (!t->valid) {
		if (sz > 0)
			buf[0] = '\0';
		return 0;
	}
	wall = t->sec + (int64_t)t->tzoff * 60;
	days = floordiv(wall, 86400);
	secs = (int)(wall - days * 86400);
	sift_civil_from_days(days, &y, &m, &d);
	if (t->ms >= 0)
		snprintf(frac, sizeof(frac), ".%03d", t->ms % 1000);
	off = t->tzoff < 0 ? -t->tzoff : t->tzoff;
	n = snprintf(buf, sz, "%04lld-%02d-%02dT%02d:%02d:%02d%s%c%02d:%02d",
	    (long long)y, m, d, secs / 3600, secs / 60 % 60, secs % 60, frac,
	    t->tzoff < 0 ? '-' : '+', off / 60, off % 60);
	return n < 0 ? 0 : (size_t)n;
}
