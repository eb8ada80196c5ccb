/* SPDX-License-Identifier: ISC */
/*
 * fail2ban filters: loading (filter.d lookup, [INCLUDES], .local and .d/
 * files, %(name)s and <tag> interpolation, [Init], name[key=value] options)
 * and matching lines exactly as fail2ban 1.0.2's fail2ban-regex does (date
 * cut, prefregex, failregex with search semantics, ignoreregex). A struct
 * sift_f2b belongs to the caller until sift_f2b_free(). Views returned by
 * the hit accessors point into the filter's line buffer and are valid until
 * the next sift_f2b_process() call.
 */
#ifndef SIFT_F2B_H
#define SIFT_F2B_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "sift.h"
#include "str.h"

#define SIFT_F2B_MAXRE		64	/* failregex/ignoreregex per filter */
#define SIFT_F2B_DEFAULT_CONF	"/etc/fail2ban"

enum sift_f2b_kind {
	SIFT_F2B_NAMED,		/* a filter in <confdir>/filter.d */
	SIFT_F2B_FILE,		/* a filter file elsewhere */
	SIFT_F2B_LITERAL	/* the argument is the failregex */
};

struct sift_f2b_opts {
	const char	*confdir;	/* NULL: /etc/fail2ban */
	const char	*usedns;	/* NULL: the filter's, else "warn" */
	const char	*datepattern;	/* NULL: the filter's (single %) */
	unsigned	 maxlines;	/* 0: the filter's */
	int64_t		 now;		/* year window, dates without a year */
	int64_t		 yearclock;	/* if not 0: for the year window */
	bool		 first_only;	/* stop at the first failregex hit */
	/* filter options added to those of the spec (key=value pairs) */
	const char *const *optkey;
	const char *const *optval;
	size_t		 nopt;
};

struct sift_f2b;

struct sift_f2b_result {
	unsigned	 nhits;		/* failures found on this line */
	unsigned	 hit[SIFT_F2B_MAXRE];	/* their failregex numbers */
	unsigned	 nignhits;	/* ignoreregex hits on this line */
	unsigned	 ignhit[SIFT_F2B_MAXRE];
	bool		 ignored;	/* an ignoreregex discarded a hit */
	uint64_t	 nofail;	/* bit h: hit h is a <F-NOFAIL> one */
	bool		 prefmatched;	/* the prefregex matched */
	bool		 has_date;	/* a date template matched */
	bool		 has_time;	/* ... and its text converted */
	int64_t		 time;
	/*
	 * maxlines > 1: earlier lines (counted missed then) that a match on
	 * this line consumed; fail2ban-regex recounts them as matched.
	 */
	unsigned	 promoted;
};

/*
 * Load spec as fail2ban-regex reads its REGEX argument: a filter name with
 * optional options ("exim[mode=aggressive]"), a filter file path, or else a
 * literal failregex. warn (may be NULL) receives non-fatal remarks, one per
 * line ("file:line: ...").
 */
struct sift_f2b *sift_f2b_load(const char *spec,
	    const struct sift_f2b_opts *opts, char **warn,
	    struct sift_err *err);
/* Add a literal ignoreregex (the IGNOREREGEX argument). */
SIFT_NODISCARD int sift_f2b_add_ignore(struct sift_f2b *f,
	    const char *regex, struct sift_err *err);
void	 sift_f2b_free(struct sift_f2b *f);

enum sift_f2b_kind sift_f2b_kind(const struct sift_f2b *f);
const char *sift_f2b_name(const struct sift_f2b *f);	/* name or path */
const char *sift_f2b_basedir(const struct sift_f2b *f);
/* Filter options given in the spec, in order. */
size_t	 sift_f2b_nopts(const struct sift_f2b *f);
void	 sift_f2b_opt(const struct sift_f2b *f, size_t i, const char **k,
	    const char **v);
/* Regexes as fail2ban-regex shows them (tags not expanded). */
size_t	 sift_f2b_nfail(const struct sift_f2b *f);
const char *sift_f2b_fail(const struct sift_f2b *f, size_t i);
size_t	 sift_f2b_nignore(const struct sift_f2b *f);
const char *sift_f2b_ignore(const struct sift_f2b *f, size_t i);
const char *sift_f2b_prefregex(const struct sift_f2b *f);	/* or NULL */
/* The fully expanded regex (what PCRE2 compiled). */
const char *sift_f2b_fail_expanded(const struct sift_f2b *f, size_t i);
const char *sift_f2b_datepattern(const struct sift_f2b *f);	/* or NULL */
unsigned sift_f2b_maxlines(const struct sift_f2b *f);
/* The date detector's templates (for the summary). */
struct sift_f2bdate *sift_f2b_dates(const struct sift_f2b *f);

/*
 * Whether a line's result depends on no earlier line but through the date
 * detector: no multi-line buffer (maxlines 1), no <F-MLFID> group.
 */
bool	 sift_f2b_stateless(const struct sift_f2b *f);

/*
 * Run one log line (without its newline) through the filter. Returns 0
 * (res filled in) or -1 on a regex match limit (err says which regex).
 */
SIFT_NODISCARD int sift_f2b_process(struct sift_f2b *f, const char *line,
	    size_t n, struct sift_f2b_result *res, struct sift_err *err);
/*
 * Same for a line followed in memory by its "\n" (line[n] == '\n', as in
 * a mapped log): the filter may then read the line in place, no copy.
 */
SIFT_NODISCARD int sift_f2b_process_nl(struct sift_f2b *f, const char *line,
	    size_t n, struct sift_f2b_result *res, struct sift_err *err);
/*
 * Same for a line whose time t is known (a journal entry): no date is
 * searched or cut.
 */
SIFT_NODISCARD int sift_f2b_process_at(struct sift_f2b *f, const char *line,
	    size_t n, int64_t t, struct sift_f2b_result *res,
	    struct sift_err *err);
/* Text of the k-th promoted line (0 <= k < res->promoted). */
bool	 sift_f2b_promoted_line(const struct sift_f2b *f, size_t k,
	    struct sift_str *line);
/*
 * For hit h (0 <= h < res->nhits) of the last line: the value of a named
 * group (the failregex's, else the prefregex's). Returns false when the
 * group does not exist or did not take part.
 */
bool	 sift_f2b_hit_group(const struct sift_f2b *f, unsigned h,
	    const char *name, struct sift_str *v);
/* Named groups of hit h that took part, for listing: i from 0 while true. */
bool	 sift_f2b_hit_group_at(const struct sift_f2b *f, unsigned h,
	    size_t i, const char **name, struct sift_str *v);
/*
 * The failure id as fail2ban computes it (fid, else ip4, ip6, dns), and
 * which group it came from ("fid", "ip4", "ip6", "dns").
 */
bool	 sift_f2b_hit_id(const struct sift_f2b *f, unsigned h,
	    struct sift_str *id, const char **from);

/*
 * Hit h's number of matched lines (fail2ban's len(fail['matches']): with an
 * <F-MLFID> connection id, all lines of the connection merged so far).
 */
unsigned sift_f2b_hit_attempts(const struct sift_f2b *f, unsigned h);
/* The users of hit h's connection (<F-MLFID> filters): i from 0. */
bool	 sift_f2b_hit_user(const struct sift_f2b *f, unsigned h, size_t i,
	    struct sift_str *user);
/*
 * Whether an expanded failregex has a greedy catch-all (".*", ".+") before
 * <HOST> without a hard end anchor, which fail2ban's sample tests reject.
 */
bool	 sift_f2b_greedy(const char *expanded);

#endif
