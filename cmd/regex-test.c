/* SPDX-License-Identifier: ISC */
/*
 * regex-test: test fail2ban filters on logs, as fail2ban-regex does, on
 * PCRE2 with JIT and without DNS.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "f2b.h"
#include "f2bcheck.h"
#include "f2bdate.h"
#include "json.h"
#include "mapfile.h"
#include "obuf.h"
#include "reader.h"
#include "xalloc.h"
#include "banned.h"

#define USAGE	"usage: regex-test [-hrVv] [-c dir] [-d pattern] [-j jobs] " \
		"[-L lines] [--json]\n" \
		"                  [--no-check-all] " \
"[--no-timing] [--now time] " \
		"[--print-all-ignored]\n" \
		"                  [--print-all-matched] [--print-all-missed] " \
		"[--print-no-ignored]\n" \
		"                  [--print-no-missed] [--strict] " \
		"[--usedns mode] log filter\n" \
		"                  [ignoreregex]\n" \
		"       regex-test [-c dir] [--now time] --check samples " \
		"[filter]\n"

#define OPTIONS	"\n" \
    "  LOG       a log file (any compression) or a literal log line\n" \
    "  FILTER    a filter name (exim, sshd[mode=aggressive]), file or regex\n" \
    "      --check SAMPLES   check a # failJSON: sample log against FILTER\n" \
    "  -c, --config DIR      fail2ban configuration directory (/etc/fail2ban)\n" \
    "  -d, --datepattern P   date pattern replacing the filter's\n" \
    "  -h, --help            this help\n" \
    "  -j, --jobs N          threads for a big plain log (default: cores, <= 4)\n" \
    "  -L, --maxlines N      multi-line buffer size replacing the filter's\n" \
    "  -r, --raw             accepted for compatibility: never any DNS\n" \
    "  -V, --version         print the version\n" \
    "  -v, --verbose         also list regexes and dates without hits\n" \
    "      --json            JSON Lines: one object per failure, then a summary\n" \
    "      --no-check-all    stop at the first matching failregex\n" \
    "      --no-timing       no \"processed in\" line (reproducible output)\n" \
    "      --now TIME        the current time, for dates without a year\n" \
    "      --print-all-{ignored,matched,missed}  list all such lines\n" \
    "      --print-no-{ignored,missed}           do not list such lines\n" \
    "      --strict          exit 1 when any line is missed\n" \
    "      --usedns MODE     no: <HOST> matches addresses only\n" \
    "Exit status: 0 a line matched, 1 none (or --strict/--check failed),\n" \
    "2 trouble (missing file, bad filter or regex). See regex-test(1).\n"

#define MAXSHOW	20	/* fail2ban-regex lists fewer lines than this */
#define MAXJOBS	16	/* -j */
#define DEFJOBS	4	/* at most this many by default */
#define MINPIECE (256 * 1024)	/* smallest piece of a log a job reads */
#define MAXUNSTEADY 1000	/* a piece gives up after so many date changes */
#define PIECES_PER_JOB 8	/* pieces a log is cut in, per job */

enum {
	O_CHECK = 256, O_JSON, O_NOCHECKALL, O_NOTIMING, O_NOW, O_PAIGN,
	O_PAMATCH, O_PAMISS, O_PNOIGN, O_PNOMISS, O_STRICT, O_USEDNS
};

struct opts {
	const char	*confdir;
	const char	*datepattern;
	unsigned	 maxlines;
	const char	*usedns;
	const char	*check;
	unsigned	 jobs;
	int64_t		 now;
	bool		 now_set;
	bool		 json, first_only, timing, strict, verbose;
	bool		 all_ignored, all_matched, all_missed;
	bool		 no_ignored, no_missed;
};

/* Lines kept for the listings (copies, bounded unless --print-all-*). */
struct lines {
	char	**l;
	size_t	 n, cap;
};

struct stats {
	uint64_t	 tested, matched, missed, ignored, prefmatched;
	uint64_t	 fail[SIFT_F2B_MAXRE], ign[SIFT_F2B_MAXRE];
	uint64_t	 limits;
	uint64_t	 cut, cutfirst;	/* lines over the reader's limit */
	struct lines	 lmatched, lmissed, lignored;
};

static void usage(int) SIFT_NORETURN;

static void
usage(int rc)
{
	fputs(USAGE, rc == 0 ? stdout : stderr);
	if (rc == 0)
		fputs(OPTIONS, stdout);
	exit(rc);
}

static void
lines_add(struct lines *ls, const char *p, size_t n)
{
	if (ls->n == ls->cap) {
		ls->cap = ls->cap ? ls->cap * 2 : 32;
		ls->l = sift_xreallocarray(ls->l, ls->cap, sizeof(*ls->l));
	}
	ls->l[ls->n++] = sift_xstrndup(p, n);
}

static void
lines_free(struct lines *ls)
{
	size_t i;

	for (i = 0; i < ls->n; i++)
		free(ls->l[i]);
	free(ls->l);
}

/* Python's shortstr(): at most 53 characters. */
static void
put_short(const char *s)
{
	size_t n = strlen(s);

	if (n > 53)
		printf("%.50s...", s);
	else
		fputs(s, stdout);
}

static void
put_pyrepr(const char *s)
{
	char q = strchr(s, '\'') != NULL && strchr(s, '"') == NULL ? '"' :
	    '\'';

	putchar(q);
	for (; *s != '\0'; s++) {
		if (*s == q || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar(q);
}

static void
print_header(const struct opts *o, const struct sift_f2b *f,
    const char *ignore)
{
	size_t i;

	printf("\nRunning tests\n=============\n\n");
	if (o->datepattern != NULL)
		printf("Use      datepattern : %s : %s\n", o->datepattern,
		    sift_f2bdate_label(sift_f2b_dates(f)));
	if (o->maxlines > 0)
		printf("Use         maxlines : %u\n", o->maxlines);
	switch (sift_f2b_kind(f)) {
	case SIFT_F2B_NAMED:
		printf("Use   failregex filter file : %s, basedir: %s\n",
		    sift_f2b_name(f), sift_f2b_basedir(f));
		break;
	case SIFT_F2B_FILE:
		printf("Use   failregex file : %s\n", sift_f2b_name(f));
		break;
	case SIFT_F2B_LITERAL:
		printf("Use   failregex line : ");
		put_short(sift_f2b_name(f));
		putchar('\n');
		break;
	}
	if (sift_f2b_nopts(f) > 0) {
		printf("Use   filter options : {");
		for (i = 0; i < sift_f2b_nopts(f); i++) {
			const char *k, *v;

			sift_f2b_opt(f, i, &k, &v);
			if (i > 0)
				printf(", ");
			put_pyrepr(k);
			printf(": ");
			put_pyrepr(v);
		}
		printf("}\n");
	}
	if (sift_f2b_kind(f) != SIFT_F2B_LITERAL) {
		if (o->maxlines == 0 && sift_f2b_maxlines(f) > 0 &&
		    sift_f2b_maxlines(f) != 1)
			printf("Use         maxlines : %u\n",
			    sift_f2b_maxlines(f));
		if (o->datepattern == NULL && sift_f2b_datepattern(f) != NULL)
			printf("Use      datepattern : %s : %s\n",
			    sift_f2b_datepattern(f),
			    sift_f2bdate_label(sift_f2b_dates(f)));
	}
	if (ignore != NULL) {
		printf("Use ignoreregex line : ");
		put_short(ignore);
		putchar('\n');
	}
}

static void
pprint(const char *header, struct lines *ls)
{
	size_t i;

	if (ls->n == 0)
		return;
	if (header != NULL)
		printf("|- %s\n", header);
	for (i = 0; i < ls->n; i++) {
		const char *s = ls->l[i];
		size_t n = strlen(s);

		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
		    s[n - 1] == '\r' || s[n - 1] == '\n'))
			n--;
		printf("|  %.*s\n", (int)n, s);
	}
	printf("`-\n");
}

static void
print_lines(const char *what, const char *ltype, uint64_t count,
    struct lines *ls, bool all)
{
	char h[64];

	if (count == 0)
		return;
	snprintf(h, sizeof(h), "%s line(s):", what);
	if (count < MAXSHOW || all)
		pprint(h, ls);
	else
		printf("%s too many to print.  Use --print-all-%s to print "
		    "all %llu lines\n", h, ltype, (unsigned long long)count);
}

static void
print_stats(const struct opts *o, const struct sift_f2b *f,
    struct stats *st, double secs)
{
	struct sift_f2bdate *d = sift_f2b_dates(f);
	struct lines tmp = { NULL, 0, 0 };
	uint64_t total;
	size_t i;

	printf("\nResults\n=======\n");
	if (sift_f2b_prefregex(f) != NULL)
		printf("\nPrefregex: %llu total\n|  %s\n`-\n",
		    (unsigned long long)st->prefmatched,
		    sift_f2b_prefregex(f));
	for (total = 0, i = 0; i < sift_f2b_nfail(f); i++)
		total += st->fail[i];
	printf("\nFailregex: %llu total\n", (unsigned long long)total);
	for (i = 0; i < sift_f2b_nfail(f); i++)
		if (st->fail[i] > 0 || o->verbose) {
			if (tmp.n == 0)
				printf("|-  #) [# of hits] regular "
				    "expression\n");
			printf("|  %2zu) [%llu] %s\n", i + 1,
			    (unsigned long long)st->fail[i],
			    sift_f2b_fail(f, i));
			tmp.n++;
		}
	if (tmp.n > 0)
		printf("`-\n");
	tmp.n = 0;
	for (total = 0, i = 0; i < sift_f2b_nignore(f); i++)
		total += st->ign[i];
	printf("\nIgnoreregex: %llu total\n", (unsigned long long)total);
	for (i = 0; i < sift_f2b_nignore(f); i++)
		if (st->ign[i] > 0 || o->verbose) {
			if (tmp.n == 0)
				printf("|-  #) [# of hits] regular "
				    "expression\n");
			printf("|  %2zu) [%llu] %s\n", i + 1,
			    (unsigned long long)st->ign[i],
			    sift_f2b_ignore(f, i));
			tmp.n++;
		}
	if (tmp.n > 0)
		printf("`-\n");
	tmp.n = 0;
	printf("\nDate template hits:\n");
	for (i = 0; i < sift_f2bdate_count(d); i++)
		if (sift_f2bdate_hits(d, i) > 0 || o->verbose) {
			if (tmp.n == 0)
				printf("|- [# of hits] date format\n");
			printf("|  [%llu] %s\n",
			    (unsigned long long)sift_f2bdate_hits(d, i),
			    sift_f2bdate_name(d, i));
			tmp.n++;
		}
	if (tmp.n > 0)
		printf("`-\n");
	printf("\nLines: %llu lines, %llu ignored, %llu matched, %llu "
	    "missed\n", (unsigned long long)st->tested,
	    (unsigned long long)st->ignored,
	    (unsigned long long)st->matched, (unsigned long long)st->missed);
	if (o->timing) {
		printf("[processed in %.2f sec]\n", secs < 1e9 ? secs : 0.0);
	}
	printf("\n");
	if (o->all_matched)
		print_lines("Matched", "matched", st->matched, &st->lmatched,
		    true);
	if (!o->no_ignored)
		print_lines("Ignored", "ignored", st->ignored, &st->lignored,
		    o->all_ignored);
	if (!o->no_missed)
		print_lines("Missed", "missed", st->missed, &st->lmissed,
		    o->all_missed);
}

static void
json_hits(struct sift_f2b *f, const struct sift_f2b_result *res,
    uint64_t lineno, struct sift_obuf *ob)
{
	struct sift_json j;
	unsigned h;

	for (h = 0; h < res->nhits; h++) {
		struct sift_str id, v;
		const char *from, *name;
		struct sift_addr a;
		size_t i;

		sift_json_init(&j, ob);
		sift_json_obj_begin(&j);
		sift_json_keyc(&j, "line");
		sift_json_u64(&j, lineno);
		sift_json_keyc(&j, "regex");
		sift_json_u64(&j, res->hit[h] + 1);
		sift_json_keyc(&j, "ignored");
		sift_json_bool(&j, res->ignored);
		sift_json_keyc(&j, "id");
		if (sift_f2b_hit_id(f, h, &id, &from)) {
			sift_json_str(&j, id.p, id.n);
			sift_json_keyc(&j, "ip");
			/* only a validated address, printed from binary */
			if ((strcmp(from, "ip4") == 0 ||
			    strcmp(from, "ip6") == 0 ||
			    strcmp(from, "fid") == 0) &&
			    sift_addr_parse(id.p, id.n, &a) == 0) {
				char buf[SIFT_ADDR_STRLEN];

				sift_addr_format(&a, buf, sizeof(buf));
				sift_json_strc(&j, buf);
			} else
				sift_json_null(&j);
		} else {
			sift_json_null(&j);
			sift_json_keyc(&j, "ip");
			sift_json_null(&j);
		}
		sift_json_keyc(&j, "time");
		if (res->has_time)
			sift_json_i64(&j, res->time);
		else
			sift_json_null(&j);
		sift_json_keyc(&j, "groups");
		sift_json_obj_begin(&j);
		for (i = 0; sift_f2b_hit_group_at(f, h, i, &name, &v); i++) {
			sift_json_keyc(&j, name);
			sift_json_str(&j, v.p, v.n);
		}
		sift_json_obj_end(&j);
		sift_json_obj_end(&j);
		sift_json_newline(&j);
	}
}

static void
json_summary(const struct sift_f2b *f, const struct stats *st,
    struct sift_obuf *ob)
{
	struct sift_f2bdate *d = sift_f2b_dates(f);
	struct sift_json j;
	size_t i;

	sift_json_init(&j, ob);
	sift_json_obj_begin(&j);
	sift_json_keyc(&j, "summary");
	sift_json_obj_begin(&j);
	sift_json_keyc(&j, "lines");
	sift_json_u64(&j, st->tested);
	sift_json_keyc(&j, "ignored");
	sift_json_u64(&j, st->ignored);
	sift_json_keyc(&j, "matched");
	sift_json_u64(&j, st->matched);
	sift_json_keyc(&j, "missed");
	sift_json_u64(&j, st->missed);
	sift_json_keyc(&j, "prefregex");
	sift_json_u64(&j, st->prefmatched);
	sift_json_keyc(&j, "failregex");
	sift_json_arr_begin(&j);
	for (i = 0; i < sift_f2b_nfail(f); i++)
		sift_json_u64(&j, st->fail[i]);
	sift_json_arr_end(&j);
	sift_json_keyc(&j, "ignoreregex");
	sift_json_arr_begin(&j);
	for (i = 0; i < sift_f2b_nignore(f); i++)
		sift_json_u64(&j, st->ign[i]);
	sift_json_arr_end(&j);
	sift_json_keyc(&j, "dates");
	sift_json_obj_begin(&j);
	for (i = 0; i < sift_f2bdate_count(d); i++)
		if (sift_f2bdate_hits(d, i) > 0) {
			sift_json_keyc(&j, sift_f2bdate_name(d, i));
			sift_json_u64(&j, sift_f2bdate_hits(d, i));
		}
	sift_json_obj_end(&j);
	sift_json_obj_end(&j);
	sift_json_obj_end(&j);
	sift_json_newline(&j);
}

static void
flush_ob(struct sift_obuf *ob, FILE *fp)
{
	if (ob->n > 0) {
		fwrite(ob->p, 1, ob->n, fp);
		sift_obuf_reset(ob);
	}
}

/* Where a run of lines goes: one filter, its counts, its JSON. */
struct ctx {
	const struct opts	*o;
	struct sift_f2b		*f;
	struct stats		*st;
	struct sift_obuf	*ob;
	FILE			*json;		/* JSON lines go there */
	const char		*where;		/* for messages */
	bool			 spec;		/* a piece read ahead */
	bool			 mapped;	/* lines are in a mapped log */
};

/* A line over the reader's limit is tested cut: count it for a warning. */
static void
note_cut(struct stats *st, uint64_t lineno)
{
	if (st->cut++ == 0)
		st->cutfirst = lineno;
}

/*
 * One line through the filter, as Fail2banRegex.process(). Returns -1 when
 * a piece read ahead meets a match limit (it is then read again in order
 * to report it), else 0.
 */
static int
test_line(const struct ctx *c, const char *p, size_t n, uint64_t lineno)
{
	const struct opts *o = c->o;
	struct sift_f2b *f = c->f;
	struct stats *st = c->st;
	struct sift_f2b_result res;
	struct sift_err e;	/* filled in by a failing call (not per line) */
	unsigned i;

	while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == '\n'))
		n--;
	if (n == 0 || p[0] == '#')
		return 0;
	/* a mapped line can be read in place: its "\n" follows it */
	if ((c->mapped && p[n] == '\n' ? sift_f2b_process_nl(f, p, n, &res,
	    &e) : sift_f2b_process(f, p, n, &res, &e)) != 0) {
		if (c->spec)
			return -1;
		if (st->limits++ < 5)
			warnx("%s:%llu: %s", c->where,
			    (unsigned long long)lineno, e.msg);
		st->tested++;
		st->missed++;
		return 0;
	}
	for (i = 0; i < res.nhits; i++)
		st->fail[res.hit[i]]++;
	for (i = 0; i < res.nignhits; i++)
		st->ign[res.ignhit[i]]++;
	if (res.prefmatched)
		st->prefmatched++;
	if (res.ignored) {
		st->ignored++;
		if (!o->no_ignored && (o->all_ignored ||
		    st->ignored <= MAXSHOW + 1))
			lines_add(&st->lignored, p, n);
	} else if (res.nhits > 0) {
		st->matched++;
		if (o->all_matched)
			lines_add(&st->lmatched, p, n);
	} else {
		st->missed++;
		if (!o->no_missed && (o->all_missed ||
		    st->missed <= MAXSHOW + 1))
			lines_add(&st->lmissed, p, n);
	}
	st->tested++;
	for (i = 0; i < res.promoted; i++) {
		/* fail2ban-regex's multi-line recount */
		struct sift_str pl;
		size_t k;

		st->matched++;
		st->missed--;
		if (!sift_f2b_promoted_line(f, i, &pl))
			continue;
		for (k = 0; k < st->lmissed.n; k++)
			if (strlen(st->lmissed.l[k]) == pl.n &&
			    memcmp(st->lmissed.l[k], pl.p, pl.n) == 0) {
				free(st->lmissed.l[k]);
				memmove(&st->lmissed.l[k],
				    &st->lmissed.l[k + 1],
				    (st->lmissed.n - k - 1) * sizeof(char *));
				st->lmissed.n--;
				break;
			}
		if (o->all_matched)
			lines_add(&st->lmatched, pl.p, pl.n);
	}
	if (o->json && res.nhits > 0) {
		json_hits(f, &res, lineno, c->ob);
		if (c->ob->n > 60000)
			flush_ob(c->ob, c->json);
	}
	return 0;
}

static void
stats_free(struct stats *st)
{
	lines_free(&st->lmatched);
	lines_free(&st->lmissed);
	lines_free(&st->lignored);
	memset(st, 0, sizeof(*st));
}

/* Kept lines of a later run: those the whole run would have kept. */
static void
lines_merge(struct lines *dst, struct lines *src, uint64_t before, bool all)
{
	size_t j;

	for (j = 0; j < src->n; j++) {
		if (all || before + j + 1 <= MAXSHOW + 1) {
			if (dst->n == dst->cap) {
				dst->cap = dst->cap ? dst->cap * 2 : 32;
				dst->l = sift_xreallocarray(dst->l, dst->cap,
				    sizeof(*dst->l));
			}
			dst->l[dst->n++] = src->l[j];
		} else
			free(src->l[j]);
	}
	src->n = 0;
}

/* dst then src, as if one run had read both (src had no promotions). */
static void
stats_merge(const struct opts *o, struct stats *dst, struct stats *src)
{
	size_t i;

	lines_merge(&dst->lmatched, &src->lmatched, dst->matched, true);
	lines_merge(&dst->lmissed, &src->lmissed, dst->missed,
	    o->all_missed);
	lines_merge(&dst->lignored, &src->lignored, dst->ignored,
	    o->all_ignored);
	dst->tested += src->tested;
	dst->matched += src->matched;
	dst->missed += src->missed;
	dst->ignored += src->ignored;
	dst->prefmatched += src->prefmatched;
	dst->limits += src->limits;
	if (dst->cut == 0)
		dst->cutfirst = src->cutfirst;
	dst->cut += src->cut;
	for (i = 0; i < SIFT_F2B_MAXRE; i++) {
		dst->fail[i] += src->fail[i];
		dst->ign[i] += src->ign[i];
	}
	stats_free(src);
}

/*
 * The lines of [from, to) of a mapped log; *lineno counts them. Returns 1
 * after a last line without its end (not tested, as fail2ban-regex), else
 * 0.
 */
static int
run_range(const struct ctx *c, const struct sift_mapfile *m, size_t from,
    size_t to, uint64_t *lineno)
{
	struct sift_maplines it;
	struct sift_str line;
	size_t used;
	bool cut;

	sift_maplines_init(&it, m, from, to, 0);
	while (sift_maplines_next(&it, &line, &used, &cut) == 1) {
		/* fail2ban-regex waits for the line end */
		if (!cut && used <= line.n)
			return 1;
		(*lineno)++;
		if (cut)
			note_cut(c->st, *lineno);
		(void)test_line(c, line.p, line.n, *lineno);
	}
	return 0;
}

/* An unnamed temporary file in TMPDIR (or /tmp), or NULL. */
static FILE *
tmp_open(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	FILE *fp;
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	if (snprintf(path, sizeof(path), "%s/regex-test.XXXXXX", dir) >=
	    (int)sizeof(path))
		return NULL;
	if ((fd = mkstemp(path)) == -1)
		return NULL;
	(void)unlink(path);
	if ((fp = fdopen(fd, "w+")) == NULL)
		close(fd);
	return fp;
}

/*
 * A big log is cut at line boundaries into pieces. This thread reads them
 * in order from the first; helper threads each take the last piece nobody
 * has taken yet and read it ahead with their own filter, going on from
 * where their date detector was. A piece read ahead counts from its mark on (the line after
 * its last unsteady date search, or its start): those lines got what
 * reading the whole log in order gives them once the detectors can join
 * there, else the piece is read again in order. A piece nobody has taken
 * when this thread gets to it, it reads itself.
 */
enum { P_FREE, P_BUSY, P_DONE };

struct piece {
	size_t				 from, to;
	uint64_t			 lineno;	/* lines before from */
	int				 state;		/* under the lock */
	/* results */
	size_t				 mark;
	uint64_t			 nlines;	/* in [mark, to) */
	bool				 failed;	/* read it again */
	struct stats			 st;
	FILE				*tmp;		/* its JSON lines */
	long				 tmpmark;	/* ... from mark on */
	struct sift_f2bdate_snap	 snap;
};

struct pool {
	const struct opts		*o;
	const struct sift_mapfile	*m;
	const char			*where;
	struct piece			*pc;
	unsigned			 np;
	/* pieces [front, back) are free: this thread takes them from the
	 * front, helpers from the back, so that they meet once */
	unsigned			 front, back;
	pthread_mutex_t			 mu;
	pthread_cond_t			 cv;
};

struct helper {
	struct pool			*pl;
	struct sift_f2b			*f;
	struct sift_obuf		 ob;
	pthread_t			 tid;
	bool				 started;
};

/* Take the last free piece (*k); false when none is left. */
static bool
take(struct pool *pl, unsigned *k)
{
	bool ok = false;

	pthread_mutex_lock(&pl->mu);
	if (pl->back > pl->front) {
		*k = --pl->back;
		pl->pc[*k].state = P_BUSY;
		ok = true;
	}
	pthread_mutex_unlock(&pl->mu);
	return ok;
}

/*
 * Give the date detector the line before a piece as the in-order run gives
 * it (its search memory comes from that line), so that the two can join
 * at the piece's start.
 */
static void
prime(struct helper *h, size_t from)
{
	const char *base = sift_mapfile_data(h->pl->m), *nl;
	struct sift_maplines it;
	struct sift_str line;
	struct sift_err e;
	size_t used, ls, s0, e0;
	int64_t t;
	bool cut, has;

	if (from == 0)
		return;
	nl = from >= 2 ? memrchr(base, '\n', from - 1) : NULL;
	ls = nl != NULL ? (size_t)(nl - base) + 1 : 0;
	sift_maplines_init(&it, h->pl->m, ls, from, 0);
	if (sift_maplines_next(&it, &line, &used, &cut) != 1)
		return;
	/* as test_line() */
	while (line.n > 0 && (line.p[line.n - 1] == '\r' ||
	    line.p[line.n - 1] == '\n'))
		line.n--;
	if (line.n == 0 || line.p[0] == '#')
		return;
	(void)sift_f2bdate_find(sift_f2b_dates(h->f), line.p, line.n, &s0,
	    &e0, &t, &has, &e);
}

static void
piece_read(struct helper *h, struct piece *pc)
{
	const struct opts *o = h->pl->o;
	struct sift_f2bdate *d = sift_f2b_dates(h->f);
	struct ctx c = { o, h->f, &pc->st, &h->ob, NULL, h->pl->where, true,
	    true };
	struct sift_maplines it;
	struct sift_str line;
	uint64_t lineno = pc->lineno, u, u0;
	size_t used, off = pc->from;
	bool cut;

	pc->mark = pc->from;
	sift_obuf_reset(&h->ob);
	if (o->json && (pc->tmp = tmp_open()) == NULL) {
		pc->failed = true;
		return;
	}
	c.json = pc->tmp;
	/* going on from elsewhere: the line before, then the mark */
	prime(h, pc->from);
	sift_f2bdate_mark(d);
	u0 = sift_f2bdate_unsteady(d);
	sift_maplines_init(&it, h->pl->m, pc->from, pc->to, 0);
	while (sift_maplines_next(&it, &line, &used, &cut) == 1) {
		if (!cut && used <= line.n)
			break;
		lineno++;
		if (cut)
			note_cut(c.st, lineno);
		u = sift_f2bdate_unsteady(d);
		if (test_line(&c, line.p, line.n, lineno) != 0) {
			pc->failed = true;
			break;
		}
		off += used;
		if (sift_f2bdate_unsteady(d) != u) {
			/* dates that keep changing: leave it to the order */
			if (u - u0 >= MAXUNSTEADY) {
				pc->failed = true;
				break;
			}
			/* the lines so far are read again in order */
			stats_free(&pc->st);
			sift_obuf_reset(&h->ob);
			if (pc->tmp != NULL) {
				fflush(pc->tmp);
				pc->tmpmark = ftell(pc->tmp);
			}
			pc->mark = off;
			pc->nlines = 0;
			continue;
		}
		pc->nlines++;
	}
	sift_f2bdate_snap(d, &pc->snap);
	if (pc->tmp != NULL) {
		flush_ob(&h->ob, pc->tmp);
		if (fflush(pc->tmp) != 0 || ferror(pc->tmp) ||
		    pc->tmpmark < 0)
			pc->failed = true;
	}
}

static void *
helper_run(void *arg)
{
	struct helper *h = arg;
	struct pool *pl = h->pl;
	unsigned k;

	while (take(pl, &k)) {
		piece_read(h, &pl->pc[k]);
		pthread_mutex_lock(&pl->mu);
		pl->pc[k].state = P_DONE;
		pthread_cond_broadcast(&pl->cv);
		pthread_mutex_unlock(&pl->mu);
	}
	return NULL;
}

/* Copy a piece's JSON lines from its mark on; false on a failure. */
static bool
copy_json(struct piece *pc)
{
	char buf[65536];
	size_t k;

	if (fseek(pc->tmp, pc->tmpmark, SEEK_SET) != 0)
		return false;
	while ((k = fread(buf, 1, sizeof(buf), pc->tmp)) > 0)
		fwrite(buf, 1, k, stdout);
	return !ferror(pc->tmp);
}

static void
piece_free(struct piece *pc)
{
	stats_free(&pc->st);
	if (pc->tmp != NULL)
		fclose(pc->tmp);
	pc->tmp = NULL;
}

/* The number of pieces for a log of size bytes (1: read in order). */
static unsigned
npieces(const struct opts *o, const struct sift_f2b *f, size_t size)
{
	size_t k = size / MINPIECE;

	if (o->jobs <= 1 || !sift_f2b_stateless(f) || k < 2)
		return 1;
	return k < (size_t)o->jobs * PIECES_PER_JOB ? (unsigned)k :
	    o->jobs * PIECES_PER_JOB;
}

static volatile sig_atomic_t bus_len;
static char bus_msg[512];

static void
on_sigbus(int sig)
{
	(void)sig;
	(void)!write(STDERR_FILENO, bus_msg, (size_t)bus_len);
	_exit(CLI_EXIT_TROUBLE);
}

/*
 * A mapped log: in order, or cut at line boundaries into pieces read at
 * once (the first by this thread), their results then joined in order.
 * Returns the run's exit status so far.
 */
static int
run_mapped(struct ctx *c, const struct sift_mapfile *m, const char *spec,
    const char *ignore, const struct sift_f2b_opts *fo)
{
	struct sigaction sa;
	struct pool pl;
	struct helper hs[MAXJOBS];
	size_t size = sift_mapfile_size(m);
	unsigned np = npieces(c->o, c->f, size), nh = 0, i, k;
	uint64_t lineno = 0, at_from;
	int rc = CLI_EXIT_OK;

	/* a log that shrinks under us: a message, not a crash */
	bus_len = snprintf(bus_msg, sizeof(bus_msg), "%s: %s: file changed "
	    "size while being read\n", "regex-test", c->where);
	if (bus_len < 0 || (size_t)bus_len >= sizeof(bus_msg))
		bus_len = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigbus;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	if (np <= 1) {
		(void)run_range(c, m, 0, size, &lineno);
		return rc;
	}
	memset(&pl, 0, sizeof(pl));
	pl.o = c->o;
	pl.m = m;
	pl.where = c->where;
	pl.np = np;
	pl.pc = sift_xcalloc(np, sizeof(*pl.pc));
	pthread_mutex_init(&pl.mu, NULL);
	pthread_cond_init(&pl.cv, NULL);
	for (k = 0; k < np; k++) {
		pl.pc[k].from = k == 0 ? 0 :
		    sift_mapfile_line_at(m, size / np * k);
		pl.pc[k].to = k + 1 == np ? size :
		    sift_mapfile_line_at(m, size / np * (k + 1));
	}
	if (c->o->json) {
		/* line numbers in the pieces' JSON: one count ahead */
		for (k = 1; k < np; k++)
			pl.pc[k].lineno = pl.pc[k - 1].lineno +
			    sift_mapfile_count_range(m, pl.pc[k - 1].from,
			    pl.pc[k - 1].to);
	}
	/* this thread takes the first piece, helpers the last ones */
	pl.front = 1;
	pl.back = np;
	memset(hs, 0, sizeof(hs));
	for (i = 0; i + 1 < c->o->jobs && i < MAXJOBS; i++) {
		struct helper *h = &hs[nh];
		struct sift_err e = SIFT_ERR_INIT;

		h->pl = &pl;
		h->f = sift_f2b_load(spec, fo, NULL, &e);
		if (h->f != NULL && ignore != NULL &&
		    sift_f2b_add_ignore(h->f, ignore, &e) != 0) {
			sift_f2b_free(h->f);
			h->f = NULL;
		}
		if (h->f == NULL)
			break;
		if (pthread_create(&h->tid, NULL, helper_run, h) != 0) {
			sift_f2b_free(h->f);
			break;
		}
		h->started = true;
		nh++;
	}
	(void)run_range(c, m, pl.pc[0].from, pl.pc[0].to, &lineno);
	for (k = 1; k < np; k++) {
		struct piece *pc = &pl.pc[k];
		bool mine = false;

		pthread_mutex_lock(&pl.mu);
		if (pl.back > k) {
			pl.front = k + 1;
			mine = true;
		} else
			while (pc->state != P_DONE)
				pthread_cond_wait(&pl.cv, &pl.mu);
		pthread_mutex_unlock(&pl.mu);
		if (mine) {
			/* nobody took it: read it in order */
			(void)run_range(c, m, pc->from, pc->to, &lineno);
			continue;
		}
		/* up to the piece's mark in order, then its results */
		at_from = lineno;
		(void)run_range(c, m, pc->from, pc->mark, &lineno);
		if (!pc->failed && sift_f2bdate_can_join(sift_f2b_dates(c->f),
		    &pc->snap)) {
			sift_f2bdate_join(sift_f2b_dates(c->f), &pc->snap);
			/* the piece counted its lines from pc->lineno */
			if (pc->st.cut > 0)
				pc->st.cutfirst += at_from - pc->lineno;
			stats_merge(c->o, c->st, &pc->st);
			if (c->o->json) {
				flush_ob(c->ob, stdout);
				if (!copy_json(pc)) {
					warnx("%s: temporary file: %s",
					    c->where, strerror(errno));
					rc = CLI_EXIT_TROUBLE;
				}
			}
			lineno += pc->nlines;
		} else
			(void)run_range(c, m, pc->mark, pc->to, &lineno);
		piece_free(pc);
	}
	for (i = 0; i < nh; i++) {
		pthread_join(hs[i].tid, NULL);
		sift_f2b_free(hs[i].f);
		sift_obuf_release(&hs[i].ob);
	}
	for (k = 0; k < np; k++)
		piece_free(&pl.pc[k]);
	free(pl.pc);
	pthread_mutex_destroy(&pl.mu);
	pthread_cond_destroy(&pl.cv);
	return rc;
}

static bool
looks_like_path(const char *s)
{
	return strchr(s, '/') != NULL && strpbrk(s, " \t") == NULL;
}


static void
check_report(void *arg, const char *file, uint64_t line, const char *variant,
    const char *msg)
{
	(void)arg;
	if (line > 0)
		printf("%s:%llu: ", file, (unsigned long long)line);
	else
		printf("%s: ", file);
	if (variant[0] != '\0')
		printf("%s: ", variant);
	printf("%s\n", msg);
}

/* --check: the samples' expectations against the filter. */
static int
run_check(struct opts *o, int argc, char **argv)
{
	struct sift_f2b_opts fo;
	struct sift_f2bcheck_stats st;
	struct sift_err e = SIFT_ERR_INIT;
	char *name, *spec, *s;
	int rc;

	if (argc > 1)
		usage(CLI_EXIT_TROUBLE);
	/* the harness's clock and zone: "time" values are local */
	if (setenv("TZ", SIFT_F2BCHECK_TZ, 1) != 0)
		err(CLI_EXIT_TROUBLE, "setenv");
	tzset();
	memset(&fo, 0, sizeof(fo));
	fo.confdir = o->confdir;
	fo.usedns = "raw";
	fo.now = o->now_set ? o->now : SIFT_F2BCHECK_NOW;
	fo.yearclock = (int64_t)time(NULL);
	if (argc == 1)
		spec = sift_xstrdup(argv[0]);
	else {
		/* the sample file's name is the filter's */
		s = strrchr(o->check, '/');
		spec = sift_xstrdup(s != NULL ? s + 1 : o->check);
		if ((s = strrchr(spec, '.')) != NULL && s != spec &&
		    (strcmp(s, ".log") == 0 || strcmp(s, ".conf") == 0))
			*s = '\0';
	}
	/* the test name (constraints): the filter name without options */
	name = sift_xstrdup(spec);
	if ((s = strchr(name, '[')) != NULL)
		*s = '\0';
	if ((s = strrchr(name, '/')) != NULL)
		memmove(name, s + 1, strlen(s + 1) + 1);
	if ((s = strrchr(name, '.')) != NULL && strcmp(s, ".conf") == 0)
		*s = '\0';
	if (sift_f2bcheck_run(o->check, spec, name, &fo, check_report, NULL,
	    &st, &e) != 0) {
		fflush(stdout);
		warnx("%s", e.msg);
		rc = CLI_EXIT_TROUBLE;
	} else {
		printf("%s: %llu lines, %llu checks, %llu filter variant%s: ",
		    o->check, (unsigned long long)st.lines,
		    (unsigned long long)st.checks,
		    (unsigned long long)st.variants,
		    st.variants == 1 ? "" : "s");
		if (st.failed == 0)
			printf("all passed\n");
		else
			printf("%llu disagreement%s\n",
			    (unsigned long long)st.failed,
			    st.failed == 1 ? "" : "s");
		rc = st.failed > 0 ? CLI_EXIT_NOMATCH : CLI_EXIT_OK;
	}
	free(name);
	free(spec);
	return rc;
}

static int
run(struct opts *o, int argc, char **argv)
{
	struct sift_f2b_opts fo;
	struct sift_f2b *f;
	struct sift_err e = SIFT_ERR_INIT;
	struct stats st;
	struct sift_obuf ob = SIFT_OBUF_INIT;
	struct stat sb;
	struct sift_mapfile *m;
	struct ctx c;
	char *warn = NULL;
	const char *log, *ignore;
	bool isfile;
	struct timespec t0, t1;
	int rc = CLI_EXIT_OK, mk;

	if (o->check != NULL)
		return run_check(o, argc, argv);
	memset(&fo, 0, sizeof(fo));
	fo.confdir = o->confdir;
	fo.usedns = o->usedns;
	fo.datepattern = o->datepattern;
	fo.maxlines = o->maxlines;
	fo.now = o->now;
	fo.first_only = o->first_only;
	if (argc != 2 && argc != 3)
		usage(CLI_EXIT_TROUBLE);
	log = argv[0];
	ignore = argc == 3 ? argv[2] : NULL;
	isfile = strcmp(log, "-") == 0 || stat(log, &sb) == 0;
	if (!isfile && looks_like_path(log)) {
		warnx("%s: no such file (a log line needs a space)", log);
		return CLI_EXIT_TROUBLE;
	}
	f = sift_f2b_load(argv[1], &fo, &warn, &e);
	if (warn != NULL) {
		char *l, *save = NULL;

		fflush(stdout);
		for (l = strtok_r(warn, "\n", &save); l != NULL;
		    l = strtok_r(NULL, "\n", &save))
			warnx("%s", l);
		free(warn);
	}
	if (f == NULL) {
		warnx("%s", e.msg);
		return CLI_EXIT_TROUBLE;
	}
	if (ignore != NULL && sift_f2b_add_ignore(f, ignore, &e) != 0) {
		warnx("%s", e.msg);
		sift_f2b_free(f);
		return CLI_EXIT_TROUBLE;
	}
	memset(&st, 0, sizeof(st));
	if (!o->json) {
		print_header(o, f, ignore);
		if (isfile)
			printf("Use         log file : %s\n"
			    "Use         encoding : UTF-8\n", log);
		else {
			printf("Use      single line : ");
			put_short(log);
			putchar('\n');
		}
		printf("\n");
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	c.o = o;
	c.f = f;
	c.st = &st;
	c.ob = &ob;
	c.json = stdout;
	c.where = log;
	c.spec = false;
	c.mapped = false;
	if (isfile && (mk = sift_mapfile_open(&m, log, &e)) != 0) {
		if (mk < 0) {
			warnx("%s", e.msg);
			sift_f2b_free(f);
			return CLI_EXIT_TROUBLE;
		}
		c.mapped = true;
		rc = run_mapped(&c, m, argv[1], ignore, &fo);
		sift_mapfile_close(m);
	} else if (isfile) {
		struct sift_reader *r;
		struct sift_str line;
		uint64_t off;
		int k;

		if (sift_reader_open(&r, log, NULL, &e) != 0) {
			warnx("%s", e.msg);
			sift_f2b_free(f);
			return CLI_EXIT_TROUBLE;
		}
		c.where = sift_reader_name(r);
		off = sift_reader_offset(r);
		while ((k = sift_reader_next(r, &line, &e)) == 1) {
			uint64_t now_off = sift_reader_offset(r);

			/*
			 * fail2ban-regex waits for the line end: a last
			 * line without one is not tested (a line cut at
			 * the reader's limit is).
			 */
			if (now_off - off <= line.n &&
			    !sift_reader_truncated(r))
				break;
			off = now_off;
			if (sift_reader_truncated(r))
				note_cut(&st, sift_reader_lineno(r));
			(void)test_line(&c, line.p, line.n,
			    sift_reader_lineno(r));
		}
		if (k < 0) {
			warnx("%s", e.msg);
			rc = CLI_EXIT_TROUBLE;
		}
		sift_reader_close(r);
		/* the reader's name is gone with it */
		c.where = strcmp(log, "-") == 0 ? "(stdin)" : log;
	} else {
		c.where = "(line)";
		(void)test_line(&c, log, strlen(log), 1);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (o->json) {
		json_summary(f, &st, &ob);
		flush_ob(&ob, stdout);
	} else
		print_stats(o, f, &st, (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (st.cut > 0)
		warnx("%s:%llu: line longer than %d bytes, tested cut "
		    "(fail2ban-regex tests it whole); %llu such line%s",
		    c.where, (unsigned long long)st.cutfirst,
		    SIFT_READER_MAX_LINE, (unsigned long long)st.cut,
		    st.cut == 1 ? "" : "s");
	if (st.limits > 5)
		warnx("%llu lines hit the regex match limit",
		    (unsigned long long)st.limits);
	if (rc == CLI_EXIT_OK) {
		if (st.limits > 0)
			rc = CLI_EXIT_TROUBLE;
		else if (o->strict ? st.missed > 0 : st.matched == 0)
			rc = CLI_EXIT_NOMATCH;
	}
	sift_obuf_release(&ob);
	stats_free(&st);
	sift_f2b_free(f);
	return rc;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "check", required_argument, NULL, O_CHECK },
		{ "config", required_argument, NULL, 'c' },
		{ "datepattern", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "json", no_argument, NULL, O_JSON },
		{ "maxlines", required_argument, NULL, 'L' },
		{ "no-check-all", no_argument, NULL, O_NOCHECKALL },
		{ "no-timing", no_argument, NULL, O_NOTIMING },
		{ "now", required_argument, NULL, O_NOW },
		{ "print-all-ignored", no_argument, NULL, O_PAIGN },
		{ "print-all-matched", no_argument, NULL, O_PAMATCH },
		{ "print-all-missed", no_argument, NULL, O_PAMISS },
		{ "print-no-ignored", no_argument, NULL, O_PNOIGN },
		{ "print-no-missed", no_argument, NULL, O_PNOMISS },
		{ "raw", no_argument, NULL, 'r' },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "usedns", required_argument, NULL, O_USEDNS },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o;
	long ncpu;
	int ch;

	cli_init(argv[0]);
	memset(&o, 0, sizeof(o));
	o.timing = true;
	o.now = (int64_t)time(NULL);
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	o.jobs = ncpu < 1 ? 1 : ncpu > DEFJOBS ? DEFJOBS : (unsigned)ncpu;
	while ((ch = getopt_long(argc, argv, "L:Vc:d:hj:rv", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'L':
			o.maxlines = (unsigned)cli_number(optarg, 1, 1000,
			    "maxlines");
			break;
		case 'V':
			printf("regex-test %s\n", SIFT_VERSION);
			return CLI_EXIT_OK;
		case 'c':
			o.confdir = optarg;
			break;
		case 'd':
			o.datepattern = optarg;
			break;
		case 'h':
			usage(CLI_EXIT_OK);
		case 'j':
			o.jobs = (unsigned)cli_number(optarg, 1, MAXJOBS,
			    "jobs");
			break;
		case 'r':
			break;	/* never any DNS: accepted for fail2ban-regex */
		case 'v':
			o.verbose = true;
			break;
		case O_CHECK:
			o.check = optarg;
			break;
		case O_JSON:
			o.json = true;
			break;
		case O_NOCHECKALL:
			o.first_only = true;
			break;
		case O_NOTIMING:
			o.timing = false;
			break;
		case O_NOW:
			if (cli_time(optarg, (int64_t)time(NULL), &o.now) != 0)
				errx(CLI_EXIT_TROUBLE, "--now: bad time: %s",
				    optarg);
			o.now_set = true;
			break;
		case O_PAIGN:
			o.all_ignored = true;
			break;
		case O_PAMATCH:
			o.all_matched = true;
			break;
		case O_PAMISS:
			o.all_missed = true;
			break;
		case O_PNOIGN:
			o.no_ignored = true;
			break;
		case O_PNOMISS:
			o.no_missed = true;
			break;
		case O_STRICT:
			o.strict = true;
			break;
		case O_USEDNS:
			if (strcmp(optarg, "yes") != 0 &&
			    strcmp(optarg, "no") != 0 &&
			    strcmp(optarg, "warn") != 0 &&
			    strcmp(optarg, "raw") != 0)
				errx(CLI_EXIT_TROUBLE, "--usedns: expected "
				    "yes, no, warn or raw: %s", optarg);
			o.usedns = optarg;
			break;
		default:
			usage(CLI_EXIT_TROUBLE);
		}
	}
	if ((o.no_missed && o.all_missed) || (o.no_ignored &&
	    o.all_ignored))
		errx(CLI_EXIT_TROUBLE, "--print-no-X and --print-all-X are "
		    "mutually exclusive");
	return run(&o, argc - optind, argv + optind);
}

