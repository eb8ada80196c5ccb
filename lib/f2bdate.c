/* SPDX-License-Identifier: ISC */
/* fail2ban's date templates and date detector, on PCRE2. */
#include "f2bdate.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rx.h"
#include "sbuf.h"
#include "xalloc.h"
#include "banned.h"

#define T_LINE_BEGIN	8
#define T_LINE_END	4
#define T_WORD_BEGIN	2
#define T_WORD_END	1

enum tkind { K_PATTERN, K_EPOCH, K_TAI64N };

struct tmpl {
	char		*name;
	char		*regex;
	struct sift_rx	*rx;
	enum tkind	 kind;
	bool		 longfrm;
	unsigned	 grp;		/* group holding the value (epoch) */
	unsigned	 flags;
	double		 weight;
	uint64_t	 hits;
	bool		 used;
	size_t		 distance;
	bool		 iso;		/* the anchored ISO default: fast path */
	int		 gnum[16];	/* group numbers by name, cached */
	char		 gset[16];	/* gnum[i] is known */
};

struct sift_f2bdate {
	struct tmpl	**t;
	size_t		 n, cap;
	int64_t		 now;
	char		 exy[64];	/* %ExY regex for the current year */
	bool		 ydig[10];	/* ... its third digit (2 0 X d) */
	bool		 yany;		/* ... or any four digits */
	bool		 nofast;	/* no ISO fast path (tests) */
	uint64_t	 nfast;		/* lines it dated */
	char		*label;
	/* search memory (fail2ban's __lastPos, __lastEndPos, ...) */
	size_t		 lastpos;
	int		 lastpos_before, lastpos_at;
	size_t		 lastend;
	int		 lastend_before, lastend_at;
	size_t		 lastidx;
	size_t		 first_unused;
	/* local time conversion cache: now broken down, the last hour */
	struct tm	 nowtm;
	bool		 nowtm_set;
	int		 ck[4];		/* year, month, day, hour */
	int64_t		 cbase;		/* epoch of that hour's start */
	bool		 cvalid;
	/* the last converted match: template, text, result */
	const struct tmpl *lt;
	char		 ltext[64];
	size_t		 ltextn;
	int64_t		 ltime;
	bool		 lhas;
	/* steadiness: find() calls off the steady path, the state after */
	uint64_t	 unsteady;
	struct {
		size_t	 lastidx, lastpos, lastend;
		int	 lastpos_before, lastpos_at;
		int	 lastend_before, lastend_at;
		const struct tmpl *t;	/* d->t[lastidx] then, or NULL */
		uint64_t hits;		/* its hits then */
	}		 mark;
};

/*
 * mktime() of a local time, through a one-hour cache: mktime() is slow
 * and, with TZ unset, glibc stats /etc/localtime on every call.
 */
static int64_t
local_epoch(struct sift_f2bdate *d, int y, int mon, int day, int h, int mi,
    int s)
{
	struct tm tm;

	if (!d->cvalid || d->ck[0] != y || d->ck[1] != mon ||
	    d->ck[2] != day || d->ck[3] != h) {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = y - 1900;
		tm.tm_mon = mon - 1;
		tm.tm_mday = day;
		tm.tm_hour = h;
		tm.tm_isdst = -1;
		d->cbase = (int64_t)mktime(&tm);
		d->ck[0] = y;
		d->ck[1] = mon;
		d->ck[2] = day;
		d->ck[3] = h;
		d->cvalid = true;
	}
	return d->cbase + mi * 60 + s;
}

/* Python's _strptime TimeRE plus fail2ban's additions. */
static const struct dir {
	const char	*key;
	const char	*name;
	const char	*re;
} dirs[] = {
	{ "ExH", "Ex24hour", "(?P<H>[0-1]\\d|2[0-3])" },
	{ "ExM", "ExMinute", "(?P<M>[0-5]\\d)" },
	{ "ExS", "ExSecond", "(?P<S>[0-5]\\d|6[0-1])" },
	{ "ExY", "ExYear", NULL },
	{ "ExZ", "ExZone name", "(?P<Z>[A-Z](?:[A-Z]{2,4})?)" },
	{ "Exd", "ExDay", "(?P<d>[1-2]\\d|0[1-9]|3[0-1])" },
	{ "Exk", "%Exk", " ?(?P<H>[0-1]?\\d|2[0-3])" },
	{ "Exl", "%Exl", " ?(?P<I>1[0-2]|\\d)" },
	{ "Exm", "ExMonth", "(?P<m>0[1-9]|1[0-2])" },
	{ "Exy", "ExYear2", "(?P<y>\\d{2})" },
	{ "Exz", "ExZone offset", "(?P<z>(?:[A-Z](?:[A-Z]{2,4})?)?[+-][01]\\d"
	    "(?::?\\d{2})?|[A-Z](?:[A-Z]{2,4})?)" },
	{ "%", "%", "%" },
	{ "A", "DAYNAME", "(?P<A>wednesday|thursday|saturday|tuesday|monday|"
	    "friday|sunday)" },
	{ "B", "MONTH", "(?P<B>september|february|november|december|january|"
	    "october|august|march|april|june|july|may)" },
	{ "G", "%G", "(?P<G>\\d\\d\\d\\d)" },
	{ "H", "24hour", "(?P<H>[0-1]?\\d|2[0-3])" },
	{ "I", "12hour", "(?P<I>1[0-2]|0[1-9]|[1-9])" },
	{ "M", "Minute", "(?P<M>[0-5]?\\d)" },
	{ "S", "Second", "(?P<S>[0-5]?\\d|6[0-1])" },
	{ "U", "Yearweek", "(?P<U>5[0-3]|[0-4]\\d|\\d)" },
	{ "V", "%V", "(?P<V>5[0-3]|0[1-9]|[1-4]\\d|\\d)" },
	{ "W", "Yearweek", "(?P<W>5[0-3]|[0-4]\\d|\\d)" },
	{ "X", "%X", "(?P<H>2[0-3]|[0-1]\\d|\\d):(?P<M>[0-5]\\d|\\d):"
	    "(?P<S>6[0-1]|[0-5]\\d|\\d)" },
	{ "Y", "Year", "(?P<Y>\\d{4})" },
	{ "Z", "Zone name", "(?P<Z>Z|[A-Z]{3,5})" },
	{ "a", "DAY", "(?P<a>mon|tue|wed|thu|fri|sat|sun)" },
	{ "b", "MON", "(?P<b>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|"
	    "dec)" },
	{ "c", "%c", "(?P<a>mon|tue|wed|thu|fri|sat|sun)\\s+(?P<b>jan|feb|mar|"
	    "apr|may|jun|jul|aug|sep|oct|nov|dec)\\s+(?P<d>3[0-1]|[1-2]\\d|"
	    "0[1-9]|[1-9]| [1-9])\\s+(?P<H>2[0-3]|[0-1]\\d|\\d):(?P<M>[0-5]\\d|"
	    "\\d):(?P<S>6[0-1]|[0-5]\\d|\\d)\\s+(?P<Y>\\d\\d\\d\\d)" },
	{ "d", "Day", "(?P<d>[1-2]\\d|[0 ]?[1-9]|3[0-1])" },
	{ "f", "Microseconds", "(?P<f>[0-9]{1,6})" },
	{ "j", "Yearday", "(?P<j>36[0-6]|3[0-5]\\d|[1-2]\\d\\d|0[1-9]\\d|"
	    "00[1-9]|[1-9]\\d|0[1-9]|[1-9])" },
	{ "k", "%k", " ?(?P<H>[0-2]?\\d)" },
	{ "l", "%l", " ?(?P<I>1?\\d)" },
	{ "m", "Month", "(?P<m>0?[1-9]|1[0-2])" },
	{ "p", "AMPM", "(?P<p>am|pm)" },
	{ "u", "%u", "(?P<u>[1-7])" },
	{ "w", "Weekday", "(?P<w>[0-6])" },
	{ "x", "%x", "(?P<m>1[0-2]|0[1-9]|[1-9])/(?P<d>3[0-1]|[1-2]\\d|0[1-9]|"
	    "[1-9]| [1-9])/(?P<y>\\d\\d)" },
	{ "y", "Year2", "(?P<y>\\d\\d)" },
	{ "z", "Zone offset", "(?P<z>Z|UTC|GMT|[+-][01]\\d(?::?\\d{2})?)" },
};

static const char *const default_patterns[] = {
	"%ExY(?P<_sep>[-/.])%m(?P=_sep)%d(?:T|  ?)%H:%M:%S(?:[.,]%f)?"
	    "(?:\\s*%z)?",
	"(?:%a )?%b %d %k:%M:%S(?:\\.%f)?(?: %ExY)?",
	"(?:%a )?%b %d %ExY %k:%M:%S(?:\\.%f)?",
	"%d(?P<_sep>[-/])%m(?P=_sep)(?:%ExY|%Exy) %k:%M:%S",
	"%d(?P<_sep>[-/])%b(?P=_sep)%ExY[ :]?%H:%M:%S(?:\\.%f)?(?: %z)?",
	"%m/%d/%ExY:%H:%M:%S",
	"%m-%d-%ExY %k:%M:%S(?:\\.%f)?",
	"EPOCH",
	"{^LN-BEG}%H:%M:%S",
	"^<%m/%d/%Exy@%H:%M:%S>",
	"%Exy%Exm%Exd  ?%H:%M:%S",
	"%b %d, %ExY %I:%M:%S %p",
	"^%b-%d-%Exy %k:%M:%S",
	"%ExY%Exm%Exd(?:T|  ?)%ExH%ExM%ExS(?:[.,]%f)?(?:\\s*%z)?",
	"(?:%Z )?(?:%a )?%b %d %k:%M:%S(?:\\.%f)?(?: %ExY)?",
	"(?:%z )?(?:%a )?%b %d %k:%M:%S(?:\\.%f)?(?: %ExY)?",
	"TAI64N",
};

/*
 * The regex of the line-anchored twin of the first default pattern (%s:
 * the %ExY group). Lines that start with "YYYY-MM-DD HH:MM:SS " and a
 * character that cannot begin a zone are matched without PCRE2: see
 * iso_prefix().
 */
#define ISO_RE	"^(?:\\W{0,2})?(%s(?P<_sep>[-/.])(?P<m>0?[1-9]|1[0-2])" \
		"(?P=_sep)(?P<d>[1-2]\\d|[0 ]?[1-9]|3[0-1])(?:T|  ?)" \
		"(?P<H>[0-1]?\\d|2[0-3]):(?P<M>[0-5]?\\d):" \
		"(?P<S>[0-5]?\\d|6[0-1])(?:[.,](?P<f>[0-9]{1,6}))?" \
		"(?:\\s*(?P<z>Z|UTC|GMT|[+-][01]\\d(?::?\\d{2})?))?)" \
		"(?=\\b|\\W|$)"
#define ISO_LEN	19	/* "YYYY-MM-DD HH:MM:SS" */

#define EPOCH_RE	"\\d{10,11}\\b(?:\\.\\d{3,6})?"
#define LEPOCH_RE	"\\d{10,11}(?:\\d{3}(?:\\.\\d{1,6}|\\d{3})?)?"

/* ---- small string helpers ---------------------------------------- */




static char *
cat3(const char *a, const char *b, const char *c)
{
	struct sift_sbuf s = { NULL, 0, 0 };

	sift_sbuf_puts(&s, a);
	sift_sbuf_puts(&s, b);
	sift_sbuf_puts(&s, c);
	return s.p;
}

/* Does Python-style regex re match anywhere in s? */
static bool
rx_has(const char *re, const char *s, size_t *ms, size_t *me)
{
	struct sift_rx *rx = sift_rx_new(re, 0, NULL);
	int r;

	if (rx == NULL)
		return false;
	r = sift_rx_search(rx, s, strlen(s), 0, NULL);
	if (r == 1) {
		if (ms)
			*ms = sift_rx_start(rx, 0);
		if (me)
			*me = sift_rx_end(rx, 0);
	}
	sift_rx_free(rx);
	return r == 1;
}

/* ---- templates ----------------------------------------------------- */

static void
tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	sift_rx_free(t->rx);
	free(t->name);
	free(t->regex);
	free(t);
}

/* DateTemplate.setRegex: boundaries, grouping, flags. */
static int
tmpl_set_regex(struct tmpl *t, const char *regex0, int wbeg, bool wend,
    struct sift_err *err)
{
	struct sift_sbuf r = { NULL, 0, 0 };
	char *gf = NULL, *tmp;
	const char *v = regex0;
	size_t vn = strlen(regex0), ms, me;
	bool bbeg, bend;

	while (vn && isspace((unsigned char)*v)) {
		v++;
		vn--;
	}
	while (vn && isspace((unsigned char)v[vn - 1]))
		vn--;
	sift_sbuf_put(&r, v, vn);
	if (rx_has("((?:^|(?!<\\\\))\\(\\?[a-z]+\\))", r.p, &ms, &me)) {
		gf = sift_xstrndup(r.p + ms, me - ms);
		memmove(r.p + ms, r.p + me, r.n - me + 1);
		r.n -= me - ms;
	}
	bbeg = wbeg && !rx_has("^\\(*(?:\\(\\?\\w+\\))?(?:\\^|\\(*\\*\\*|"
	    "\\((?:\\?:)?\\^)", r.p, NULL, NULL);
	bend = wend && !rx_has("(?<!\\\\)(?:\\$\\)?|\\\\b|\\\\s|\\*\\*\\)*)$",
	    r.p, NULL, NULL);
	if (!rx_has("(?<!(?:\\(\\?))(?<!\\\\)\\((?!\\?)", r.p, NULL, NULL)) {
		/* ^((?:\(\?\w+\))?\^?(?:\(\?\w+\))?)(.*?)(\$?)$ -> \1(\2)\3 */
		struct sift_rx *g = sift_rx_new("^((?:\\(\\?\\w+\\))?\\^?"
		    "(?:\\(\\?\\w+\\))?)(.*?)(\\$?)$", 0, NULL);

		if (g != NULL && sift_rx_search(g, r.p, r.n, 0, NULL) == 1) {
			struct sift_sbuf o = { NULL, 0, 0 };

			sift_sbuf_put(&o, r.p, sift_rx_end(g, 1));
			sift_sbuf_puts(&o, "(");
			sift_sbuf_put(&o, r.p + sift_rx_start(g, 2),
			    sift_rx_end(g, 2) - sift_rx_start(g, 2));
			sift_sbuf_puts(&o, ")");
			sift_sbuf_put(&o, r.p + sift_rx_start(g, 3),
			    sift_rx_end(g, 3) - sift_rx_start(g, 3));
			free(r.p);
			r = o;
		}
		sift_rx_free(g);
	}
	t->flags = 0;
	if (bbeg) {
		if (wbeg != 2) {
			t->flags |= T_WORD_BEGIN;
			tmp = cat3("(?=^|\\b|\\W)", r.p, "");
		} else {
			t->flags |= T_LINE_BEGIN;
			tmp = cat3("^(?:\\W{0,2})?", r.p, "");
			if (strncmp(t->name, "{^LN-BEG}", 9) != 0) {
				char *nn = cat3("{^LN-BEG}", t->name, "");

				free(t->name);
				t->name = nn;
			}
		}
		free(r.p);
		r.p = tmp;
		r.n = strlen(tmp);
		r.cap = r.n + 1;
	}
	if (bend) {
		t->flags |= T_WORD_END;
		sift_sbuf_puts(&r, "(?=\\b|\\W|$)");
	}
	if (!(t->flags & T_LINE_BEGIN) && rx_has("^(?:\\(\\?\\w+\\))?(?:\\^|"
	    "\\((?:\\?:)?\\^(?!\\|))", r.p, NULL, NULL))
		t->flags |= T_LINE_BEGIN;
	if (!(t->flags & T_LINE_END) && rx_has("(?<![\\\\\\|])(?:\\$\\)?)$",
	    r.p, NULL, NULL))
		t->flags |= T_LINE_END;
	/* drop "**" markers: ^\(*(?:\(\?\w+\))?\(*\*\* and (?<!\\)\*\*\)*$ */
	while (rx_has("^\\(*(?:\\(\\?\\w+\\))?\\(*\\*\\*", r.p, &ms, &me) ||
	    rx_has("(?<!\\\\)\\*\\*\\)*$", r.p, &ms, &me)) {
		char *star = strstr(r.p + ms, "**");

		if (star == NULL || (size_t)(star - r.p) >= me)
			break;
		memmove(star, star + 2, strlen(star + 2) + 1);
		r.n -= 2;
	}
	if (gf != NULL) {
		tmp = cat3(gf, r.p, "");
		free(r.p);
		r.p = tmp;
		free(gf);
	}
	free(t->regex);
	t->regex = r.p;
	t->rx = sift_rx_new(t->regex, SIFT_RX_PYTHON, err);
	if (t->rx == NULL) {
		char m[sizeof(err->msg)];

		if (err != NULL) {
			snprintf(m, sizeof(m), "%s", err->msg);
			sift_err_set(err, SIFT_E_REGEX, 0,
			    "date pattern '%s': %s", t->name, m);
		}
		return -1;
	}
	return 0;
}

static struct tmpl *
tmpl_pattern(struct sift_f2bdate *d, const char *pattern0, bool wbeg0,
    struct sift_err *err)
{
	struct tmpl *t = sift_xcalloc(1, sizeof(*t));
	struct sift_sbuf name = { NULL, 0, 0 }, re = { NULL, 0, 0 };
	const char *p = pattern0;
	int wbeg = wbeg0 ? 1 : 0;
	bool wend = true, alpha = false;
	size_t i;

	t->weight = 1.0;
	t->kind = K_PATTERN;
	t->grp = 1;
	if (strncmp(p, "{UNB}", 5) == 0) {
		p += 5;
		wbeg = 0;
		wend = false;
	}
	if (wbeg && strncmp(p, "{^LN-BEG}", 9) == 0) {
		p += 9;
		wbeg = 2;
	}
	sift_sbuf_put(&name, "", 0);
	sift_sbuf_put(&re, "", 0);
	while (*p != '\0') {
		if (*p != '%') {
			sift_sbuf_put(&name, p, 1);
			sift_sbuf_put(&re, p, 1);
			p++;
			continue;
		}
		if ((p[1] == 'a' || p[1] == 'A' || p[1] == 'b' ||
		    p[1] == 'B' || p[1] == 'p' || p[1] == 'c'))
			alpha = true;
		for (i = 0; i < SIFT_ARRAY_SIZE(dirs); i++)
			if (strncmp(p + 1, dirs[i].key,
			    strlen(dirs[i].key)) == 0)
				break;
		if (i == SIFT_ARRAY_SIZE(dirs)) {
			sift_err_set(err, SIFT_E_FORMAT, 0, "failed to set "
			    "datepattern '%s' (invalid format or unescaped "
			    "percent char)", pattern0);
			free(name.p);
			free(re.p);
			free(t);
			return NULL;
		}
		sift_sbuf_puts(&name, dirs[i].name);
		sift_sbuf_puts(&re, dirs[i].re != NULL ? dirs[i].re : d->exy);
		p += 1 + strlen(dirs[i].key);
	}
	t->name = name.p;
	if (alpha) {
		char *x = cat3("(?iu)", re.p, "");

		free(re.p);
		re.p = x;
	}
	if (tmpl_set_regex(t, re.p, wbeg, wend, err) != 0) {
		free(re.p);
		tmpl_free(t);
		return NULL;
	}
	free(re.p);
	return t;
}

static struct tmpl *
tmpl_epoch(const char *pattern, int linebeg, bool longfrm,
    struct sift_err *err)
{
	struct tmpl *t = sift_xcalloc(1, sizeof(*t));
	const char *ere = longfrm ? LEPOCH_RE : EPOCH_RE;
	struct sift_sbuf r = { NULL, 0, 0 };
	int rc;

	t->kind = K_EPOCH;
	t->longfrm = longfrm;
	t->weight = 1.0;
	t->grp = 1;
	if (pattern != NULL) {
		const char *p = pattern, *q;

		t->name = sift_xstrdup(pattern);
		t->grp = 2;
		sift_sbuf_puts(&r, "(");
		while ((q = strcasestr(p, "EPOCH}")) != NULL) {
			const char *b = q - 1;

			if (b > p && (*b == 'L' || *b == 'l'))
				b--;
			if (b < p || *b != '{' || (b > pattern &&
			    b[-1] == '\\')) {
				sift_sbuf_put(&r, p, (size_t)(q + 6 - p));
				p = q + 6;
				continue;
			}
			sift_sbuf_put(&r, p, (size_t)(b - p));
			sift_sbuf_puts(&r, "(");
			sift_sbuf_puts(&r, ere);
			sift_sbuf_puts(&r, ")");
			p = q + 6;
		}
		sift_sbuf_puts(&r, p);
		sift_sbuf_puts(&r, ")");
		rc = tmpl_set_regex(t, r.p, 1, true, err);
	} else if (!linebeg) {
		t->name = sift_xstrdup(longfrm ? "LongEpoch" : "Epoch");
		sift_sbuf_puts(&r, "((?:^|(?P<square>(?<=^\\[))|(?P<selinux>(?<=\\baudit"
		    "\\()))");
		sift_sbuf_puts(&r, ere);
		sift_sbuf_puts(&r, ")(?:(?(selinux)(?=:\\d+\\)))|(?(square)(?=\\])))");
		rc = tmpl_set_regex(t, r.p, 0, true, err);
	} else {
		t->name = sift_xstrdup(longfrm ? "LongEpoch" : "Epoch");
		sift_sbuf_puts(&r, "((?P<square>(?<=^\\[))?");
		sift_sbuf_puts(&r, ere);
		sift_sbuf_puts(&r, ")(?(square)(?=\\]))");
		rc = tmpl_set_regex(t, r.p, 2, true, err);
	}
	free(r.p);
	if (rc != 0) {
		tmpl_free(t);
		return NULL;
	}
	return t;
}

static struct tmpl *
tmpl_tai(int wbeg, struct sift_err *err)
{
	struct tmpl *t = sift_xcalloc(1, sizeof(*t));

	t->kind = K_TAI64N;
	t->weight = 1.0;
	t->grp = 1;
	t->name = sift_xstrdup("TAI64N");
	if (tmpl_set_regex(t, "@[0-9a-f]{24}", wbeg, true, err) != 0) {
		tmpl_free(t);
		return NULL;
	}
	return t;
}

/* _getPatternTemplate */
static struct tmpl *
tmpl_get(struct sift_f2bdate *d, const char *pattern, struct sift_err *err)
{
	char key[512];
	size_t i;

	snprintf(key, sizeof(key), "%s", pattern);
	if (strchr(pattern, '%') == NULL)
		for (i = 0; key[i]; i++)
			key[i] = (char)toupper((unsigned char)key[i]);
	if (strstr(key, "EPOCH") != NULL) {
		if (rx_has("(?i)(?<!\\\\)\\{L?EPOCH\\}", pattern, NULL, NULL))
			return tmpl_epoch(pattern, 0,
			    strstr(key, "LEPOCH") != NULL, err);
		if (strcmp(key, "EPOCH") == 0 || strcmp(key,
		    "{^LN-BEG}EPOCH") == 0 || strcmp(key, "^EPOCH") == 0)
			return tmpl_epoch(NULL, strcmp(key, "EPOCH") != 0,
			    false, err);
		if (strcmp(key, "LEPOCH") == 0 || strcmp(key,
		    "{^LN-BEG}LEPOCH") == 0 || strcmp(key, "^LEPOCH") == 0)
			return tmpl_epoch(NULL, strcmp(key, "LEPOCH") != 0,
			    true, err);
	}
	if (strcmp(key, "TAI64N") == 0)
		return tmpl_tai(0, err);
	if (strcmp(key, "{^LN-BEG}TAI64N") == 0 || strcmp(key,
	    "^TAI64N") == 0)
		return tmpl_tai(2, err);
	return tmpl_pattern(d, pattern, true, err);
}

static int
add(struct sift_f2bdate *d, struct tmpl *t, bool ignoredup,
    struct sift_err *err)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (strcmp(d->t[i]->name, t->name) == 0) {
			if (ignoredup) {
				tmpl_free(t);
				return 0;
			}
			sift_err_set(err, SIFT_E_FORMAT, 0, "there is already "
			    "a date template with name %s", t->name);
			tmpl_free(t);
			return -1;
		}
	if (t->kind == K_PATTERN && t->regex != NULL) {
		char want[sizeof(ISO_RE) + sizeof(d->exy)];

		snprintf(want, sizeof(want), ISO_RE, d->exy);
		t->iso = strcmp(t->regex, want) == 0;
	}
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 32;
		d->t = sift_xreallocarray(d->t, d->cap, sizeof(*d->t));
	}
	t->distance = 0x7fffffff;
	d->t[d->n++] = t;
	return 0;
}

/* unboundPattern: strip {UNB}, {^LN-BEG} and word boundaries. */
static char *
unbound(const char *s)
{
	char *r;
	size_t ms, me, n;

	if (strncmp(s, "{UNB}", 5) == 0)
		s += 5;
	if (strncmp(s, "{^LN-BEG}", 9) == 0)
		s += 9;
	r = sift_xstrdup(s);
	if (rx_has("^\\((?:\\?:)?\\^\\|\\\\b\\|\\\\W\\)", r, &ms, &me))
		memmove(r, r + me, strlen(r + me) + 1);
	n = strlen(r);
	if (n >= 11 && strcmp(r + n - 11, "(?=\\b|\\W|$)") == 0)
		r[n - 11] = '\0';
	return r;
}

/*
 * mode 0: all defaults (anchored twins first); 1: only line-anchored ones
 * ({^LN-BEG}); 2: {DATE} inside prematch.
 */
static int
add_defaults(struct sift_f2bdate *d, int mode, const char *prematch,
    struct sift_err *err)
{
	struct tmpl *base[SIFT_ARRAY_SIZE(default_patterns)];
	struct tmpl *twin[SIFT_ARRAY_SIZE(default_patterns)];
	bool ignoredup = d->n > 0;
	size_t i, nb = SIFT_ARRAY_SIZE(default_patterns);
	int rc = 0;

	memset(twin, 0, sizeof(twin));
	for (i = 0; i < nb; i++) {
		base[i] = tmpl_get(d, default_patterns[i], err);
		if (base[i] == NULL) {
			while (i-- > 0)
				tmpl_free(base[i]);
			return -1;
		}
	}
	if (mode == 2) {
		for (i = 0; i < nb; i++) {
			const char *src = base[i]->kind == K_PATTERN ?
			    default_patterns[i] : base[i]->name;
			char *u = unbound(src), *w;
			struct sift_sbuf s = { NULL, 0, 0 };
			const char *p = prematch, *q;

			sift_sbuf_put(&s, "", 0);
			while ((q = strcasestr(p, "{DATE}")) != NULL) {
				if (q > prematch && q[-1] == '\\') {
					sift_sbuf_put(&s, p, (size_t)(q + 6 - p));
					p = q + 6;
					continue;
				}
				sift_sbuf_put(&s, p, (size_t)(q - p));
				sift_sbuf_puts(&s, u);
				p = q + 6;
			}
			sift_sbuf_puts(&s, p);
			w = s.p;
			free(u);
			tmpl_free(base[i]);
			base[i] = NULL;
			twin[i] = tmpl_get(d, w, err);
			free(w);
			if (twin[i] == NULL) {
				rc = -1;
				break;
			}
			if (add(d, twin[i], ignoredup, err) != 0) {
				rc = -1;
				break;
			}
			twin[i] = NULL;
		}
		for (i = 0; i < nb; i++) {
			tmpl_free(base[i]);
			tmpl_free(twin[i]);
		}
		return rc;
	}
	for (i = 0; i < nb; i++) {
		const char *nm = base[i]->name;

		if (strncmp(nm, "{^LN-BEG}", 9) == 0 || nm[0] == '^')
			continue;
		if (base[i]->kind == K_PATTERN) {
			char *w = cat3("{^LN-BEG}", default_patterns[i], "");

			twin[i] = tmpl_get(d, w, err);
			free(w);
		} else if (base[i]->kind == K_EPOCH)
			twin[i] = tmpl_epoch(NULL, 1, false, err);
		else
			twin[i] = tmpl_tai(2, err);
		if (twin[i] == NULL) {
			rc = -1;
			goto out;
		}
		twin[i]->weight = 100.0;
	}
	for (i = 0; i < nb && rc == 0; i++)
		if (twin[i] != NULL) {
			if (mode == 1 && !(twin[i]->flags & T_LINE_BEGIN))
				continue;
			rc = add(d, twin[i], ignoredup, err);
			twin[i] = NULL;
		}
	for (i = 0; i < nb && rc == 0; i++) {
		if (mode == 1 && !(base[i]->flags & T_LINE_BEGIN))
			continue;
		rc = add(d, base[i], ignoredup, err);
		base[i] = NULL;
	}
out:
	for (i = 0; i < nb; i++) {
		tmpl_free(base[i]);
		tmpl_free(twin[i]);
	}
	return rc;
}

/* _updateTimeRE: the decades from 2000 (step 3 years) to now, plus last
 * year and three years ahead, as fail2ban builds %ExY. */
static void
build_exy(struct sift_f2bdate *d, int64_t clock)
{
	bool dec[10] = { false };
	char digits[11];
	struct tm tm;
	time_t now = (time_t)clock;
	int year, y;
	size_t nd = 0, i;

	gmtime_r(&now, &tm);
	year = tm.tm_year + 1900;
	if (year < 2001 || year > 2095) {
		snprintf(d->exy, sizeof(d->exy), "(?P<Y>\\d{4})");
		d->yany = true;
		return;
	}
	dec[((year - 1) / 10) % 10] = true;
	dec[((year + 3) / 10) % 10] = true;
	for (y = 2000; y <= year; y += 3)
		dec[(y / 10) % 10] = true;
	for (i = 0; i < 10; i++)
		if (dec[i]) {
			digits[nd++] = (char)('0' + i);
			d->ydig[i] = true;
		}
	digits[nd] = '\0';
	if (nd == 1)
		snprintf(d->exy, sizeof(d->exy), "(?P<Y>20%s\\d)", digits);
	else
		snprintf(d->exy, sizeof(d->exy), "(?P<Y>20[%s]\\d)", digits);
}

struct sift_f2bdate *
sift_f2bdate_new(const char *patterns, int64_t now, struct sift_err *err)
{
	return sift_f2bdate_new_at(patterns, now, now, err);
}

struct sift_f2bdate *
sift_f2bdate_new_at(const char *patterns, int64_t now, int64_t yearclock,
    struct sift_err *err)
{
	struct sift_f2bdate *d = sift_xcalloc(1, sizeof(*d));
	const char *p, *nl;

	d->now = now;
	d->lastidx = SIZE_MAX;
	d->lastpos = 1;
	build_exy(d, yearclock);
	if (patterns == NULL) {
		d->label = sift_xstrdup("Default Detectors");
		if (add_defaults(d, 0, NULL, err) != 0)
			goto fail;
		return d;
	}
	for (p = patterns; *p != '\0'; p = nl != NULL ? nl + 1 : p +
	    strlen(p)) {
		char *line, key[512];
		size_t n, i;
		struct tmpl *t;

		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		while (n > 0 && isspace((unsigned char)*p)) {
			p++;
			n--;
		}
		while (n > 0 && isspace((unsigned char)p[n - 1]))
			n--;
		if (n == 0)
			continue;
		line = sift_xstrndup(p, n);
		snprintf(key, sizeof(key), "%s", line);
		if (strchr(line, '%') == NULL)
			for (i = 0; key[i]; i++)
				key[i] = (char)toupper((unsigned char)key[i]);
		if (strcmp(key, "{^LN-BEG}") == 0 || strcmp(key,
		    "{DEFAULT}") == 0) {
			if (add_defaults(d, key[1] == '^' ? 1 : 0, NULL,
			    err) != 0) {
				free(line);
				goto fail;
			}
		} else if (strstr(key, "{DATE}") != NULL) {
			if (add_defaults(d, 2, line, err) != 0) {
				free(line);
				goto fail;
			}
		} else {
			if (strcmp(key, "{NONE}") == 0)
				t = tmpl_pattern(d, "{UNB}^", true, err);
			else
				t = tmpl_get(d, line, err);
			if (t == NULL || add(d, t, false, err) != 0) {
				free(line);
				goto fail;
			}
		}
		free(line);
	}
	if (d->n == 0 || d->n > 2)
		d->label = sift_xstrdup("Default Detectors");
	else
		d->label = sift_xstrdup(d->t[0]->name);
	return d;
fail:
	sift_f2bdate_free(d);
	return NULL;
}

void
sift_f2bdate_free(struct sift_f2bdate *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++)
		tmpl_free(d->t[i]);
	free(d->t);
	free(d->label);
	free(d);
}

size_t
sift_f2bdate_count(const struct sift_f2bdate *d)
{
	return d->n;
}

const char *
sift_f2bdate_name(const struct sift_f2bdate *d, size_t i)
{
	return d->t[i]->name;
}

uint64_t
sift_f2bdate_hits(const struct sift_f2bdate *d, size_t i)
{
	return d->t[i]->hits;
}

const char *
sift_f2bdate_regex(const struct sift_f2bdate *d, size_t i)
{
	return d->t[i]->regex;
}

const char *
sift_f2bdate_label(const struct sift_f2bdate *d)
{
	return d->label;
}

/* ---- time conversion ---------------------------------------------- */

static const char *const months[] = { "jan", "feb", "mar", "apr", "may",
	"jun", "jul", "aug", "sep", "oct", "nov", "dec" };
static const char *const fmonths[] = { "january", "february", "march",
	"april", "may", "june", "july", "august", "september", "october",
	"november", "december" };

static const struct {
	const char	*abbr;
	int		 min;
} tzabbr[] = {
	{ "UTC", 0 }, { "GMT", 0 }, { "Z", 0 }, { "WET", 0 }, { "CET", 60 },
	{ "CEST", 120 }, { "EET", 120 }, { "EEST", 180 }, { "MSK", 180 },
	{ "EST", -300 }, { "EDT", -240 }, { "CST", -360 }, { "CDT", -300 },
	{ "MST", -420 }, { "MDT", -360 }, { "PST", -480 }, { "PDT", -420 },
	{ "JST", 540 }, { "IST", 330 }, { "BST", 60 }, { "AEST", 600 },
	{ "AEDT", 660 }, { "HST", -600 }, { "AKST", -540 }, { "AKDT", -480 },
};

/* The number of a named group of t's regex, cached by the name's index. */
static int
tgroup(struct tmpl *t, const char *name)
{
	static const char *const names[] = { "Y", "y", "m", "b", "B", "d",
	    "H", "I", "M", "S", "z", "Z", "p" };
	size_t i;

	for (i = 0; i < SIFT_ARRAY_SIZE(names); i++)
		if (names[i][0] == name[0] && name[1] == '\0')
			break;
	if (i == SIFT_ARRAY_SIZE(names))
		return sift_rx_group(t->rx, name);
	if (!t->gset[i]) {
		t->gnum[i] = sift_rx_group(t->rx, name);
		t->gset[i] = 1;
	}
	return t->gnum[i];
}

static int
grp_int(struct tmpl *t, const char *line, const char *name, int *v)
{
	int g = tgroup(t, name);
	size_t s, e;

	if (g < 0 || (s = sift_rx_start(t->rx, (unsigned)g)) == SIFT_RX_UNSET)
		return 0;
	e = sift_rx_end(t->rx, (unsigned)g);
	*v = 0;
	while (s < e && line[s] == ' ')
		s++;
	for (; s < e && isdigit((unsigned char)line[s]); s++)
		*v = *v * 10 + (line[s] - '0');
	return 1;
}

static bool
grp_str(struct tmpl *t, const char *line, const char *name, char *buf,
    size_t sz)
{
	int g = tgroup(t, name);
	size_t s, e, i;

	if (g < 0 || (s = sift_rx_start(t->rx, (unsigned)g)) == SIFT_RX_UNSET)
		return false;
	e = sift_rx_end(t->rx, (unsigned)g);
	for (i = 0; s < e && i + 1 < sz; s++, i++)
		buf[i] = (char)tolower((unsigned char)line[s]);
	buf[i] = '\0';
	return true;
}

static bool
zone_offset(const char *z0, int *min)
{
	char z[16];
	size_t i, n = 0;
	int sign, hh, mm = 0, base = 0;

	for (i = 0; z0[i] && n < sizeof(z) - 1; i++)
		z[n++] = (char)toupper((unsigned char)z0[i]);
	z[n] = '\0';
	i = 0;
	while (z[i] >= 'A' && z[i] <= 'Z')
		i++;
	if (i > 0) {
		size_t k;
		bool found = false;

		for (k = 0; k < SIFT_ARRAY_SIZE(tzabbr); k++)
			if (strlen(tzabbr[k].abbr) == i &&
			    strncmp(tzabbr[k].abbr, z, i) == 0) {
				base = tzabbr[k].min;
				found = true;
			}
		if (!found)
			return false;
	}
	if (z[i] == '\0') {
		*min = base;
		return true;
	}
	if (z[i] != '+' && z[i] != '-')
		return false;
	sign = z[i] == '-' ? -1 : 1;
	if (!isdigit((unsigned char)z[i + 1]) ||
	    !isdigit((unsigned char)z[i + 2]))
		return false;
	hh = (z[i + 1] - '0') * 10 + z[i + 2] - '0';
	i += 3;
	if (z[i] == ':')
		i++;
	if (isdigit((unsigned char)z[i]) && isdigit((unsigned char)z[i + 1]))
		mm = (z[i] - '0') * 10 + z[i + 1] - '0';
	*min = base + sign * (hh * 60 + mm);
	return true;
}

static bool finish(struct sift_f2bdate *, int, int, int, int, int, int,
    const int *, bool, bool, int64_t *);

static bool
convert(struct sift_f2bdate *d, struct tmpl *t, const char *line,
    int64_t *out)
{
	struct tm nowtm;
	time_t now = (time_t)d->now;
	char buf[32];
	int year = -1, mon = -1, day = -1, h = 0, mi = 0, s = 0, v, tzmin = 0;
	bool tz = false, assume_year = false, assume_today = false;
	size_t i;

	if (t->kind == K_EPOCH) {
		size_t gs = sift_rx_start(t->rx, t->grp);
		size_t ge = sift_rx_end(t->rx, t->grp);
		double x = 0, frac = 0.1;
		bool dot = false;

		if (gs == SIFT_RX_UNSET)
			return false;
		for (i = gs; i < ge; i++) {
			if (line[i] == '.')
				dot = true;
			else if (!dot)
				x = x * 10 + (line[i] - '0');
			else {
				x += (line[i] - '0') * frac;
				frac /= 10;
			}
		}
		if (t->longfrm && ge - gs >= 13)
			x /= (ge - gs >= 16 && !dot) ? 1000000 : 1000;
		*out = (int64_t)x;
		return true;
	}
	if (t->kind == K_TAI64N) {
		size_t gs = sift_rx_start(t->rx, 1);
		int64_t x = 0;

		for (i = gs + 2; i < gs + 17; i++)
			x = x * 16 + (isdigit((unsigned char)line[i]) ?
			    line[i] - '0' : line[i] - 'a' + 10);
		*out = x;
		return true;
	}
	if (grp_int(t, line, "Y", &v))
		year = v;
	else if (grp_int(t, line, "y", &v))
		year = v <= 2000 ? v + 2000 : v;
	if (grp_int(t, line, "m", &v))
		mon = v;
	else if (grp_str(t, line, "b", buf, sizeof(buf))) {
		for (i = 0; i < 12; i++)
			if (strcmp(buf, months[i]) == 0)
				mon = (int)i + 1;
	} else if (grp_str(t, line, "B", buf, sizeof(buf))) {
		for (i = 0; i < 12; i++)
			if (strcmp(buf, fmonths[i]) == 0)
				mon = (int)i + 1;
	}
	if (grp_int(t, line, "d", &v))
		day = v;
	if (grp_int(t, line, "H", &v))
		h = v;
	else if (grp_int(t, line, "I", &v)) {
		h = v;
		if (grp_str(t, line, "p", buf, sizeof(buf)) &&
		    strcmp(buf, "pm") == 0) {
			if (h != 12)
				h += 12;
		} else if (h == 12)
			h = 0;
	}
	if (grp_int(t, line, "M", &v))
		mi = v;
	if (grp_int(t, line, "S", &v))
		s = v;
	if (grp_str(t, line, "z", buf, sizeof(buf)) ||
	    grp_str(t, line, "Z", buf, sizeof(buf))) {
		if (!zone_offset(buf, &tzmin))
			return false;
		tz = true;
	}
	if (!d->nowtm_set) {
		localtime_r(&now, &d->nowtm);
		d->nowtm_set = true;
	}
	nowtm = d->nowtm;
	if (year < 0) {
		year = nowtm.tm_year + 1900;
		assume_year = true;
	}
	if (mon < 0 && day < 0) {
		mon = nowtm.tm_mon + 1;
		day = nowtm.tm_mday;
		assume_today = true;
	}
	return finish(d, year, mon, day, h, mi, s, tz ? &tzmin : NULL,
	    assume_year, assume_today, out);
}

/* The fields of a date to epoch seconds, as fail2ban's reGroupDictStrptime. */
static bool
finish(struct sift_f2bdate *d, int year, int mon, int day, int h, int mi,
    int s, const int *tzp, bool assume_year, bool assume_today, int64_t *out)
{
	struct tm tm;
	time_t now = (time_t)d->now, r;
	bool tz = tzp != NULL;
	int tzmin = tz ? *tzp : 0;

	if (mon < 1 || mon > 12 || day < 1 || day > 31 || h > 23 || mi > 59 ||
	    s > 61)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	tm.tm_isdst = -1;
	r = tz ? timegm(&tm) - tzmin * 60 : (time_t)local_epoch(d, year, mon,
	    day, h, mi, s);
	if (assume_today && r > now)
		r -= 86400;
	if (assume_year && r > now + 86400) {
		tm.tm_year--;
		tm.tm_isdst = -1;
		r = tz ? timegm(&tm) - tzmin * 60 : mktime(&tm);
	}
	*out = (int64_t)r;
	return true;
}

/* ---- the detector ---------------------------------------------------- */

static int
chr_at(const char *line, size_t n, size_t i)
{
	return i < n ? (unsigned char)line[i] : -1;
}

static bool
alnum_c(int c)
{
	return c >= 0 && isalnum(c);
}

static double
weight(const struct tmpl *t)
{
	return (double)t->hits * t->weight /
	    (double)(t->distance > 1 ? t->distance : 1);
}

static size_t
reorder(struct sift_f2bdate *d, size_t num)
{
	struct tmpl *t = d->t[num];
	double w = weight(t);
	size_t pos;

	if (num == 0)
		return num;
	pos = d->first_unused < num ? d->first_unused : num / 2;
	/* weight wins, or the other was never used */
	if (!(w > weight(d->t[pos]) || !d->t[pos]->used)) {
		if (pos == num - 1)
			return num;
		pos = num - 1;
		if (!(w > weight(d->t[pos]) || !d->t[pos]->used))
			return num;
	}
	memmove(&d->t[pos + 1], &d->t[pos], (num - pos) * sizeof(*d->t));
	d->t[pos] = t;
	while (d->first_unused < d->n && d->t[d->first_unused]->hits)
		d->first_unused++;
	return pos;
}

/*
 * Whether line starts with a date that t's regex (ISO_RE) provably matches
 * as [0, ISO_LEN) with the groups Y m d H M S at their fixed places and
 * neither f nor z: two-digit fields in range, in each alternation the
 * branch PCRE2 tries first leads to the match, then a space and a
 * printable character that no zone or fraction can begin with, so the
 * optional parts match nothing and the look-ahead holds. Anything else
 * goes to PCRE2.
 */
static bool
iso_prefix(const struct sift_f2bdate *d, const char *line, size_t n)
{
	/* digit places in bytes 0-7, 8-15 and 13-20 */
	static const unsigned char b0[8] = { 255, 255, 255, 255, 0, 255, 255,
	    0 };
	static const unsigned char b1[8] = { 255, 255, 0, 255, 255, 0, 255,
	    255 };
	static const unsigned char b2[8] = { 0, 0, 0, 0, 255, 255, 0, 0 };
	static const uint64_t hi = 0xf0f0f0f0f0f0f0f0ull;
	static const uint64_t d3 = 0x3030303030303030ull;
	static const uint64_t p6 = 0x0606060606060606ull;
	const unsigned char *p = (const unsigned char *)line;
	uint64_t w0, w1, w2, m0, m1, m2;

	if (n < ISO_LEN + 2)
		return false;
	memcpy(&m0, b0, 8);
	memcpy(&m1, b1, 8);
	memcpy(&m2, b2, 8);
	/*
	 * The separators first: then no byte of a place checked below can
	 * carry into another in the sums (a carry out of byte 20 or into
	 * byte 19 is harmless).
	 */
	if ((p[4] != '-' && p[4] != '/' && p[4] != '.') || p[7] != p[4] ||
	    p[10] != ' ' || p[13] != ':' || p[16] != ':' || p[19] != ' ')
		return false;
	memcpy(&w0, p, 8);
	memcpy(&w1, p + 8, 8);
	memcpy(&w2, p + 13, 8);
	/* each digit place: 0x30-0x3f, and below 0x3a (no +6 overflow) */
	if ((w0 & m0 & hi) != (d3 & m0) || (w1 & m1 & hi) != (d3 & m1) ||
	    (w2 & m2 & hi) != (d3 & m2) ||
	    ((w0 + p6) & m0 & hi) != (d3 & m0) ||
	    ((w1 + p6) & m1 & hi) != (d3 & m1) ||
	    ((w2 + p6) & m2 & hi) != (d3 & m2))
		return false;
	if (!d->yany && (p[0] != '2' || p[1] != '0' || !d->ydig[p[2] - '0']))
		return false;
	if (!((p[5] == '0' && p[6] != '0') || (p[5] == '1' && p[6] <= '2')))
		return false;
	if (!((p[8] == '0' && p[9] != '0') || p[8] == '1' || p[8] == '2' ||
	    (p[8] == '3' && p[9] <= '1')))
		return false;
	if (!(p[11] <= '1' || (p[11] == '2' && p[12] <= '3')) ||
	    p[14] > '5' || p[17] > '5')
		return false;
	/* not white space (\s*), not the start of Z, UTC, GMT, +hh, -hh */
	switch (p[20]) {
	case 'Z': case 'z': case 'U': case 'u': case 'G': case 'g':
	case '+': case '-':
		return false;
	default:
		return p[20] > ' ' && p[20] < 0x7f;
	}
}

static int
num2(const char *p)
{
	return (p[0] - '0') * 10 + (p[1] - '0');
}

/* Whether two ISO_LEN-byte date texts are the same. */
static inline bool
same_iso(const char *a, const char *b)
{
	uint64_t a0, a1, b0, b1;
	uint32_t a2, b2;

	memcpy(&a0, a, 8);
	memcpy(&b0, b, 8);
	memcpy(&a1, a + 8, 8);
	memcpy(&b1, b + 8, 8);
	memcpy(&a2, a + ISO_LEN - 4, 4);
	memcpy(&b2, b + ISO_LEN - 4, 4);
	return a0 == b0 && a1 == b1 && a2 == b2;
}

/* Remember the state after a call off the steady path. */
static void
set_mark(struct sift_f2bdate *d)
{
	d->unsteady++;
	sift_f2bdate_mark(d);
}

void
sift_f2bdate_mark(struct sift_f2bdate *d)
{
	d->mark.lastidx = d->lastidx;
	d->mark.lastpos = d->lastpos;
	d->mark.lastend = d->lastend;
	d->mark.lastpos_before = d->lastpos_before;
	d->mark.lastpos_at = d->lastpos_at;
	d->mark.lastend_before = d->lastend_before;
	d->mark.lastend_at = d->lastend_at;
	d->mark.t = d->lastidx < d->n ? d->t[d->lastidx] : NULL;
	d->mark.hits = d->mark.t != NULL ? d->mark.t->hits : 0;
}

static int find(struct sift_f2bdate *, const char *, size_t, size_t *,
    size_t *, int64_t *, bool *, bool *, struct sift_err *);

int
sift_f2bdate_find(struct sift_f2bdate *d, const char *line, size_t n,
    size_t *s, size_t *e, int64_t *t, bool *has_time, struct sift_err *err)
{
	bool steady = false;
	int r;

	r = find(d, line, n, s, e, t, has_time, &steady, err);
	if (!steady)
		set_mark(d);
	return r;
}

/*
 * The steady path: the template of the last hit matches again in the first
 * step. Its outcome depends only on lastidx, that template and the last*
 * fields; it changes only them (to values the line decides), the
 * template's hits and distance. Everything else happens off it.
 */
static int
find(struct sift_f2bdate *d, const char *line, size_t n, size_t *s,
    size_t *e, int64_t *t, bool *has_time, bool *steady,
    struct sift_err *err)
{
	struct tmpl *tp = NULL, *found_t = NULL;
	size_t i, ignore = SIZE_MAX, dist = 0, endp = 0, ms, me;
	size_t found_dist = SIZE_MAX, found_end = 0, found_i = 0;
	int r = 0;
	bool match = false;

	*has_time = false;
	i = d->lastidx;
	if (i < d->n && d->t[i]->iso && !d->nofast && iso_prefix(d, line,
	    n)) {
		/* what the steady step below does, without PCRE2 */
		tp = d->t[i];
		d->nfast++;
		*steady = true;
		tp->hits++;
		tp->used = true;
		tp->distance = 0;
		if (d->first_unused == i)
			d->first_unused++;
		d->lastpos = 0;
		d->lastpos_before = -1;
		d->lastpos_at = (unsigned char)line[0];
		d->lastend = ISO_LEN;
		d->lastend_before = (unsigned char)line[ISO_LEN - 1];
		d->lastend_at = (unsigned char)line[ISO_LEN];
		*s = 0;
		*e = ISO_LEN;
		if (d->lt == tp && d->ltextn == ISO_LEN &&
		    same_iso(line, d->ltext)) {
			*has_time = d->lhas;
			*t = d->ltime;
			return 1;
		}
		*has_time = finish(d, num2(line) * 100 + num2(line + 2),
		    num2(line + 5), num2(line + 8), num2(line + 11),
		    num2(line + 14), num2(line + 17), NULL, false, false, t);
		d->lt = tp;
		memcpy(d->ltext, line, ISO_LEN);
		d->ltextn = ISO_LEN;
		d->ltime = *t;
		d->lhas = *has_time;
		return 1;
	}
	if (i < d->n) {
		tp = d->t[i];
		if (tp->flags & (T_LINE_BEGIN | T_LINE_END)) {
			r = sift_rx_search(tp->rx, line, n, 0, err);
			ignore = i;
		} else {
			size_t dp = d->lastpos, ep = d->lastend;
			bool ok1, ok2;

			ok1 = (dp >= 1 ? chr_at(line, n, dp - 1) : -1) ==
			    d->lastpos_before || (chr_at(line, n, dp) ==
			    d->lastpos_at && !alnum_c(d->lastpos_at));
			ok2 = chr_at(line, n, ep) == d->lastend_at ||
			    ((ep >= 1 ? chr_at(line, n, ep - 1) : -1) ==
			    d->lastend_before && !alnum_c(d->lastend_before));
			if (ok1 && ok2 && dp <= n)
				r = sift_rx_search(tp->rx, line,
				    ep < n ? ep : n, dp, err);
			else {
				r = sift_rx_search(tp->rx, line, n, 0, err);
				ignore = i;
			}
		}
		if (r < 0)
			return -1;
		if (r == 1) {
			dist = sift_rx_start(tp->rx, 0);
			endp = sift_rx_end(tp->rx, 0);
			if (d->n == 1 || (tp->flags & (T_LINE_BEGIN |
			    T_LINE_END)) || (dist == d->lastpos &&
			    endp == d->lastend))
				match = *steady = true;
			else {
				found_t = tp;
				found_dist = dist;
				found_end = endp;
				found_i = i;
			}
		}
	}
	if (!match) {
		for (i = 0; i < d->n; i++) {
			if (i == ignore)
				continue;
			tp = d->t[i];
			r = sift_rx_search(tp->rx, line, n, 0, err);
			if (r < 0)
				return -1;
			if (r == 0)
				continue;
			dist = sift_rx_start(tp->rx, 0);
			endp = sift_rx_end(tp->rx, 0);
			if (i + 1 >= d->n || (tp->flags & (T_LINE_BEGIN |
			    T_LINE_END))) {
				match = true;
				break;
			}
			if (dist == 0 && tp->hits && !d->t[i + 1]->hits) {
				match = true;
				break;
			}
			if (dist > tp->distance || dist > d->lastpos) {
				if (dist < found_dist) {
					found_t = tp;
					found_dist = dist;
					found_end = endp;
					found_i = i;
				}
				continue;
			}
			match = true;
			break;
		}
		if (!match && found_t != NULL) {
			tp = found_t;
			i = found_i;
			dist = found_dist;
			endp = found_end;
			/* re-run to restore its groups */
			if (sift_rx_search(tp->rx, line, n, 0, err) < 0)
				return -1;
			if (sift_rx_start(tp->rx, 0) != dist) {
				size_t ep = endp < n ? endp : n;

				(void)sift_rx_search(tp->rx, line, ep, dist,
				    err);
			}
			match = true;
		}
	}
	if (!match)
		return 0;
	tp->hits++;
	tp->used = true;
	tp->distance = dist;
	if (d->first_unused == i)
		d->first_unused++;
	d->lastpos = dist;
	d->lastpos_before = dist >= 1 ? chr_at(line, n, dist - 1) : -1;
	d->lastpos_at = chr_at(line, n, dist);
	d->lastend = endp;
	d->lastend_before = endp >= 1 ? chr_at(line, n, endp - 1) : -1;
	d->lastend_at = chr_at(line, n, endp);
	*s = sift_rx_start(tp->rx, 1);
	*e = sift_rx_end(tp->rx, 1);
	if (*s == SIFT_RX_UNSET)
		*s = *e = 0;
	ms = sift_rx_start(tp->rx, 0);
	me = sift_rx_end(tp->rx, 0);
	if (*e > *s) {
		/* consecutive lines often carry the same date text */
		if (d->lt == tp && me - ms == d->ltextn &&
		    memcmp(line + ms, d->ltext, d->ltextn) == 0) {
			*has_time = d->lhas;
			*t = d->ltime;
		} else {
			*has_time = convert(d, tp, line, t);
			if (me - ms <= sizeof(d->ltext)) {
				d->lt = tp;
				memcpy(d->ltext, line + ms, me - ms);
				d->ltextn = me - ms;
				d->ltime = *t;
				d->lhas = *has_time;
			} else
				d->lt = NULL;
		}
	}
	if (i != 0 && i != d->lastidx)
		i = reorder(d, i);
	d->lastidx = i;
	return 1;
}

uint64_t
sift_f2bdate_unsteady(const struct sift_f2bdate *d)
{
	return d->unsteady;
}

void
sift_f2bdate_snap(const struct sift_f2bdate *d, struct sift_f2bdate_snap *sn)
{
	const struct tmpl *ft = d->mark.t;

	memset(sn, 0, sizeof(*sn));
	sn->n = d->n;
	sn->lastidx = d->mark.lastidx;
	sn->name = ft != NULL ? ft->name : NULL;
	sn->mpos = d->mark.lastpos;
	sn->mend = d->mark.lastend;
	sn->mpos_before = d->mark.lastpos_before;
	sn->mpos_at = d->mark.lastpos_at;
	sn->mend_before = d->mark.lastend_before;
	sn->mend_at = d->mark.lastend_at;
	if (ft == NULL)
		return;
	/* steady steps since the mark: its template's hits, nothing else */
	sn->steady = ft->hits - d->mark.hits;
	sn->distance = ft->distance;
	sn->pos = d->lastpos;
	sn->end = d->lastend;
	sn->pos_before = d->lastpos_before;
	sn->pos_at = d->lastpos_at;
	sn->end_before = d->lastend_before;
	sn->end_at = d->lastend_at;
}

bool
sift_f2bdate_can_join(const struct sift_f2bdate *d,
    const struct sift_f2bdate_snap *sn)
{
	/* the same step to come: same template, same memory */
	return sn->name != NULL && d->n == sn->n && d->lastidx ==
	    sn->lastidx && d->lastidx < d->n &&
	    d->first_unused != d->lastidx &&
	    strcmp(d->t[d->lastidx]->name, sn->name) == 0 &&
	    d->lastpos == sn->mpos && d->lastend == sn->mend &&
	    d->lastpos_before == sn->mpos_before &&
	    d->lastpos_at == sn->mpos_at &&
	    d->lastend_before == sn->mend_before &&
	    d->lastend_at == sn->mend_at;
}

void
sift_f2bdate_join(struct sift_f2bdate *d, const struct sift_f2bdate_snap *sn)
{
	struct tmpl *tp = d->t[d->lastidx];

	if (sn->steady == 0)
		return;		/* no steady step since the mark */
	tp->hits += sn->steady;
	tp->distance = sn->distance;
	d->lastpos = sn->pos;
	d->lastend = sn->end;
	d->lastpos_before = sn->pos_before;
	d->lastpos_at = sn->pos_at;
	d->lastend_before = sn->end_before;
	d->lastend_at = sn->end_at;
}

void
sift_f2bdate_nofast(struct sift_f2bdate *d)
{
	d->nofast = true;
}

uint64_t
sift_f2bdate_nfast(const struct sift_f2bdate *d)
{
	return d->nfast;
}
