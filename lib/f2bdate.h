/* SPDX-License-Identifier: ISC */
/*
 * fail2ban's date detector: the default templates (each unanchored one with
 * a line-anchored twin placed first), datepattern lines with %-directives,
 * {^LN-BEG}, {UNB}, {DATE}, {DEFAULT}, {NONE}, EPOCH, LEPOCH and TAI64N, and
 * the same search order as fail2ban (last winner first, anchored hits win,
 * later unanchored hits keep the scan going, winners move up). The detector
 * is owned by the caller until sift_f2bdate_free(); it keeps per-run
 * statistics and position memory, so use one per input stream.
 */
#ifndef SIFT_F2BDATE_H
#define SIFT_F2BDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "sift.h"

struct sift_f2bdate;

/*
 * patterns: NULL for the defaults, else datepattern text (one pattern per
 * line, '%' single as after INI interpolation). now: "current" time, used
 * for the %ExY year window and for dates without a year.
 */
struct sift_f2bdate *sift_f2bdate_new(const char *patterns, int64_t now,
	    struct sift_err *err);
/*
 * Same with the %ExY year window built for yearclock rather than now
 * (fail2ban builds it from the real clock at start-up; its test harness
 * then fakes "now").
 */
struct sift_f2bdate *sift_f2bdate_new_at(const char *patterns, int64_t now,
	    int64_t yearclock, struct sift_err *err);
void	 sift_f2bdate_free(struct sift_f2bdate *d);
/*
 * Find the date in line[0..n). Returns 1 with the span of the cut text
 * [*s, *e) and *t (epoch seconds; *has_time false when the text did not
 * convert), 0 when no template matched, -1 on a regex limit.
 */
int	 sift_f2bdate_find(struct sift_f2bdate *d, const char *line, size_t n,
	    size_t *s, size_t *e, int64_t *t, bool *has_time,
	    struct sift_err *err);
/*
 * Speculation (a log cut in pieces searched at once): a call to
 * sift_f2bdate_find() is steady when the template of the previous hit
 * matches again at once; its outcome then depends only on state that
 * sift_f2bdate_can_join() compares. sift_f2bdate_unsteady() counts the
 * other calls; the state after the last of them (or at the last
 * sift_f2bdate_mark()) is the mark. A snapshot holds the mark and what the
 * steady calls since did. When a detector d has read the lines before
 * those of a detector "from" up to and including from's mark (the last
 * unsteady line, or the line before the mark()), and can_join() holds for
 * a snapshot of from, then from's later lines got exactly the results that
 * d would have given them, and join() brings d to the state it would have
 * after them.
 */
struct sift_f2bdate_snap {
	size_t		 n;		/* templates */
	size_t		 lastidx;	/* at the mark */
	const char	*name;		/* its template, NULL if none */
	size_t		 mpos, mend;	/* the search memory at the mark */
	int		 mpos_before, mpos_at, mend_before, mend_at;
	uint64_t	 steady;	/* steady hits since */
	size_t		 distance;	/* and what they left */
	size_t		 pos, end;
	int		 pos_before, pos_at, end_before, end_at;
};

uint64_t sift_f2bdate_unsteady(const struct sift_f2bdate *d);
void	 sift_f2bdate_mark(struct sift_f2bdate *d);
/* The snapshot's name points into d: valid while d is. */
void	 sift_f2bdate_snap(const struct sift_f2bdate *d,
	    struct sift_f2bdate_snap *sn);
bool	 sift_f2bdate_can_join(const struct sift_f2bdate *d,
	    const struct sift_f2bdate_snap *sn);
void	 sift_f2bdate_join(struct sift_f2bdate *d,
	    const struct sift_f2bdate_snap *sn);
/* Always use PCRE2, never the ISO prefix fast path (for tests). */
void	 sift_f2bdate_nofast(struct sift_f2bdate *d);
/* Lines the fast path dated (for tests). */
uint64_t sift_f2bdate_nfast(const struct sift_f2bdate *d);
/* Templates in their current order. */
size_t	 sift_f2bdate_count(const struct sift_f2bdate *d);
const char *sift_f2bdate_name(const struct sift_f2bdate *d, size_t i);
uint64_t sift_f2bdate_hits(const struct sift_f2bdate *d, size_t i);
const char *sift_f2bdate_regex(const struct sift_f2bdate *d, size_t i);
/* "Default Detectors" or the single pattern's name, as fail2ban-regex. */
const char *sift_f2bdate_label(const struct sift_f2bdate *d);

#endif
