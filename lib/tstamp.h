/* SPDX-License-Identifier: ISC */
/*
 * Timestamps: civil dates to epoch seconds and back, local-time offsets of
 * the process time zone with a small per-hour cache, the year of syslog
 * dates that carry none, and ISO 8601 output. Plain values, no ownership.
 *
 * The offset cache is thread-local; call sift_tstamp_reset() after changing
 * TZ and calling tzset(). Never calls gmtime() or localtime().
 */
#ifndef SIFT_TSTAMP_H
#define SIFT_TSTAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A point in time. */
struct sift_time {
	int64_t	sec;		/* seconds since the epoch, UTC */
	int16_t	ms;		/* 0..999, or -1 when the log had none */
	int16_t	tzoff;		/* minutes east of UTC that applied */
	bool	valid;
	bool	tz_given;	/* the line carried its own offset */
};

/* Days since 1970-01-01 of a proleptic Gregorian date (any year). */
int64_t	sift_days_from_civil(int64_t y, int m, int d);
void	sift_civil_from_days(int64_t days, int64_t *y, int *m, int *d);

/*
 * "Wall" seconds: a civil date and time counted as if it were UTC. Local
 * time minus its offset gives the instant: sec = wall - tzoff * 60.
 */
int64_t	sift_tstamp_wall(int64_t y, int mo, int d, int h, int mi, int s);

/*
 * Offset in minutes east of UTC that the process time zone had at the
 * local wall time `wall`. Results are cached per wall-clock hour, so the
 * cost is a few integer operations for consecutive lines.
 *
 * Daylight-saving transitions: a wall time that happened twice (the hour
 * after clocks go back) takes the earlier instant, the first pass, which is
 * what a log written in time order shows first; a wall time that never
 * happened (the hour skipped when clocks go forward) takes the offset in
 * force before the change. Zones whose changes are not on a whole hour of
 * wall time may be off by the change for the rest of that hour.
 */
int	sift_tstamp_localoff(int64_t wall);
/* Forget cached offsets (after TZ changed). */
void	sift_tstamp_reset(void);

/*
 * Year of a date given without one (traditional syslog): the latest year
 * in which month/day hh:mm:ss, read with offset refoff (minutes east), is
 * not more than a day after ref (epoch seconds). So "Dec 31" read on
 * January 1st is last year's, "Jan 1" read on December 31st this year's
 * unless more than a day ahead.
 */
int64_t	sift_tstamp_infer_year(int mo, int d, int h, int mi, int s,
	    int64_t ref, int refoff);

/*
 * Fill t from a wall time: with tz_given the offset is tzoff; otherwise
 * fixed (use tzoff, minutes east) or the process time zone.
 */
void	sift_time_set(struct sift_time *t, int64_t wall, int ms,
	    bool tz_given, int tzoff, bool fixed, int fixed_off);

/*
 * ISO 8601 local time with offset: "2026-11-22T02:49:17+00:00", with
 * ".mmm" when ms >= 0. Returns the length (like snprintf), 0 if !valid.
 */
size_t	sift_time_format(const struct sift_time *t, char *buf, size_t sz);

#endif
