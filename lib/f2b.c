/* SPDX-License-Identifier: ISC */
/* fail2ban filter loading and line matching (fail2ban 1.0.2 semantics). */
#include "f2b.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "f2bdate.h"
#include "ini.h"
#include "rx.h"
#include "sbuf.h"
#include "xalloc.h"
#include "banned.h"

#define MAX_TAG_REPLACE	25
#define MAX_TAG_VALUE	(1024 * 1024)	/* bytes of an expanded option */
#define MAX_INCLUDE_DEPTH 32
#define MAX_MLFID	100

/* fail2ban's host regexes (failregex.py), identical in 1.0.2 and 1.1.x. */
#define R_IP4	"(?:::f{4,6}:)?(?P<ip4>(?:\\d{1,3}\\.){3}\\d{1,3})"
#define R_IP6	"(?P<ip6>(?:[0-9a-fA-F]{1,4}::?|::){1,7}(?:[0-9a-fA-F]{1,4}|" \
		"(?<=:):))"
#define R_DNS	"(?P<dns>[\\w\\-.^_]*\\w)"
#define R_ADDR	"\\[?(?:" R_IP4 "|" R_IP6 ")\\]?"
#define R_HOST	"(?:" R_ADDR "|" R_DNS ")"
#define R_CIDR	"(?P<cidr>\\d+)"
#define R_SUBNET "\\[?(?:" R_IP4 "|" R_IP6 ")(?:/" R_CIDR ")?\\]?"

static const struct {
	const char	*tag;
	const char	*re;
} rh4tag[] = {
	{ "IP4", R_IP4 }, { "F-IP4/", R_IP4 },
	{ "IP6", R_IP6 }, { "F-IP6/", R_IP6 },
	{ "ADDR", R_ADDR }, { "F-ADDR/", R_ADDR },
	{ "CIDR", R_CIDR }, { "F-CIDR/", R_CIDR },
	{ "SUBNET", R_SUBNET }, { "F-SUBNET/", R_SUBNET },
	{ "DNS", R_DNS }, { "F-DNS/", R_DNS },
	{ "F-ID/", "(?P<fid>\\S+)" },
	{ "F-PORT/", "(?P<fport>\\w+)" },
};

struct re {
	char		*shown;		/* as fail2ban-regex prints it */
	char		*expanded;
	struct sift_rx	*rx;
	bool		 hasalt;	/* has "alt_..." groups */
	int		 gnum[5];	/* cached_names' group numbers */
};

/* Groups looked up for every hit: their numbers are found once. */
static const char *const cached_names[] = { "mlfid", "fid", "ip4", "ip6",
    "dns" };

struct mline {
	char		*cut, *org;
	size_t		 cutn, orgn, cutcap, orgcap;
	uint64_t	 seq;
	bool		 promoted;
};

/* A small string dictionary (fail2ban's "fail" dict of group values). */
struct kvp {
	char		*k, *v;
};

struct dict {
	struct kvp	*e;
	size_t		 n, cap;
};

/* A cached multi-line failure (filter.py's mlfidCache entry). */
struct mlf {
	char		*id;		/* mlfid text */
	struct dict	 g;		/* merged groups, flags as values */
	struct dict	 users;		/* the set of users (keys) */
	bool		 has_users;
	unsigned	 matches, nfm;	/* len(matches), len(nofail-matches) */
	bool		 has_matches, has_nfm;
	uint64_t	 age;
};

/* What a merged failure looked like when hit h was found. */
struct snap {
	struct dict	 g;
	struct dict	 users;
	bool		 has_users;
	unsigned	 matches;
};

struct sift_f2b {
	enum sift_f2b_kind	 kind;
	char			*name;
	char			*basedir;
	char			**okey, **oval;
	size_t			 nopts;
	struct re		 fail[SIFT_F2B_MAXRE];
	size_t			 nfail;
	struct sift_rxlits	*flits;		/* failregex literal pre-check */
	struct re		 ign[SIFT_F2B_MAXRE];
	size_t			 nign;
	struct re		 pref;
	bool			 haspref;
	char			*datepattern;
	unsigned		 maxlines;
	const char		*usedns;
	bool			 first_only;
	struct sift_f2bdate	*dates;
	/* per-line state */
	char			*buf;		/* cut line(s) + "\n" */
	size_t			 bufn, bufcap;
	char			*cbuf;		/* prefregex content + "\n" */
	size_t			 cbufcap;
	const char		*subj;		/* buffer the failregexes saw */
	size_t			 subjn;
	/* multi-line: the last maxlines lines (cut and original) */
	struct mline		*ml;		/* maxlines + 1 entries */
	size_t			 nml;		/* in the buffer */
	size_t			 nrm;		/* removed by this line */
	uint64_t		 mlseq;
	unsigned		 hitre[SIFT_F2B_MAXRE];
	unsigned		 hitmatches[SIFT_F2B_MAXRE];
	int			 hitsnap[SIFT_F2B_MAXRE];	/* or -1 */
	struct snap		 snap[SIFT_F2B_MAXRE];
	size_t			 nsnap;
	const char		*hitsubj[SIFT_F2B_MAXRE];
	const char		*prefsubj;
	struct {
		char	*p;
		size_t	 cap;
	}			 pool[SIFT_F2B_MAXRE + 2];
	size_t			 npool;
	unsigned		 nhits;
	struct mlf		 mlf[MAX_MLFID];
	size_t			 nmlf;
	uint64_t		 mlfclock;
};

static void dict_free(struct dict *);
static void mlf_release(struct mlf *);

/* ---- growable strings ------------------------------------------------ */




/* a + sep + b into out (truncated silently: paths are checked by stat) */
static void
pjoin(char *out, size_t sz, const char *a, const char *sep, const char *b)
{
	size_t la = strlen(a), ls = strlen(sep), lb = strlen(b), n = 0;

	if (sz == 0)
		return;
	if (la > sz - 1)
		la = sz - 1;
	memcpy(out, a, la);
	n = la;
	if (ls > sz - 1 - n)
		ls = sz - 1 - n;
	memcpy(out + n, sep, ls);
	n += ls;
	if (lb > sz - 1 - n)
		lb = sz - 1 - n;
	memcpy(out + n, b, lb);
	n += lb;
	out[n] = '\0';
}

static void
pcopy(char *out, size_t sz, const char *p, size_t n)
{
	if (n > sz - 1)
		n = sz - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

static bool
is_word(int c)
{
	return isalnum(c) || c == '_';
}

/* ---- tag expansion (Regex._resolveHostTag) -------------------------- */

static char *
resolve_tags(const char *re, const char *usedns)
{
	struct sift_sbuf o = { NULL, 0, 0 };
	char open[64][40];
	size_t nopen = 0, i;
	unsigned nl = 0;
	const char *p = re;

	sift_sbuf_put(&o, "", 0);
	while (*p != '\0') {
		const char *q = p + 1, *ts, *te;
		char tn[64];
		size_t tl;

		if (*p != '<') {
			sift_sbuf_put(&o, p, 1);
			p++;
			continue;
		}
		/* </?[\w\-]+/?> */
		if (*q == '/')
			q++;
		ts = q;
		while (is_word((unsigned char)*q) || *q == '-')
			q++;
		if (q == ts) {
			sift_sbuf_put(&o, p, 1);
			p++;
			continue;
		}
		if (*q == '/')
			q++;
		if (*q != '>') {
			sift_sbuf_put(&o, p, 1);
			p++;
			continue;
		}
		te = q;
		tl = (size_t)(te - (p + 1));
		if (tl >= sizeof(tn)) {
			sift_sbuf_put(&o, p, (size_t)(te + 1 - p));
			p = te + 1;
			continue;
		}
		memcpy(tn, p + 1, tl);
		tn[tl] = '\0';
		if (strcmp(tn, "HOST") == 0) {
			sift_sbuf_puts(&o, strcmp(usedns, "no") == 0 ? R_ADDR : R_HOST);
			goto done;
		}
		if (strcmp(tn, "SKIPLINES") == 0) {
			char g[80];

			snprintf(g, sizeof(g),
			    "\\n(?P<skiplines%u>(?:(?:.*\\n)*?))", nl++);
			sift_sbuf_puts(&o, g);
			goto done;
		}
		for (i = 0; i < SIFT_ARRAY_SIZE(rh4tag); i++)
			if (strcmp(tn, rh4tag[i].tag) == 0)
				break;
		if (i < SIFT_ARRAY_SIZE(rh4tag)) {
			sift_sbuf_puts(&o, rh4tag[i].re);
			goto done;
		}
		{
			/* ^(/?)F-([A-Z0-9_\-]+)$ */
			const char *n = tn;
			bool close = false, ok = true;

			if (*n == '/') {
				close = true;
				n++;
			}
			if (strncmp(n, "F-", 2) != 0 || n[2] == '\0')
				ok = false;
			for (i = 2; ok && n[i] != '\0'; i++)
				if (!(isupper((unsigned char)n[i]) ||
				    isdigit((unsigned char)n[i]) ||
				    n[i] == '_' || n[i] == '-'))
					ok = false;
			if (!ok) {
				sift_sbuf_put(&o, p, (size_t)(te + 1 - p));
				goto done;
			}
			n += 2;
			if (close) {
				for (i = 0; i < nopen; i++)
					if (strcmp(open[i], n) == 0)
						break;
				if (i < nopen)
					sift_sbuf_puts(&o, ")");
				else
					sift_sbuf_put(&o, p, (size_t)(te + 1 - p));
				goto done;
			}
			if (nopen < SIFT_ARRAY_SIZE(open) &&
			    strlen(n) < sizeof(open[0]))
				snprintf(open[nopen++], sizeof(open[0]), "%s",
				    n);
			{
				char gname[64];

				for (i = 0; n[i] != '\0'; i++)
					gname[i] = (char)tolower(
					    (unsigned char)n[i]);
				gname[i] = '\0';
				if (strcmp(gname, "id") == 0)
					snprintf(gname, sizeof(gname), "fid");
				else if (strcmp(gname, "port") == 0)
					snprintf(gname, sizeof(gname),
					    "fport");
				sift_sbuf_puts(&o, "(?P<");
				sift_sbuf_puts(&o, gname);
				sift_sbuf_puts(&o, ">");
			}
		}
done:
		p = te + 1;
	}
	return o.p;
}

static int
compile_re(struct re *r, const char *shown, const char *usedns, bool ml,
    const char *what, struct sift_err *err)
{
	char *x = resolve_tags(shown, usedns);
	const char *s = x;
	char m[sizeof(err->msg)];

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0') {
		free(x);
		return sift_err_set(err, SIFT_E_REGEX, 0,
		    "%s: cannot add empty regex", what);
	}
	r->shown = sift_xstrdup(shown);
	r->expanded = sift_rx_from_python(x);
	free(x);
	r->rx = sift_rx_new(r->expanded, ml ? SIFT_RX_MULTILINE : 0, err);
	if (r->rx == NULL) {
		snprintf(m, sizeof(m), "%s", err != NULL ? err->msg : "");
		return sift_err_set(err, SIFT_E_REGEX, 0,
		    "%s: unable to compile regular expression '%.80s%s': %s",
		    what, shown, strlen(shown) > 80 ? "..." : "", m);
	}
	{
		unsigned i, num, nn = sift_rx_names(r->rx);

		for (i = 0; i < nn; i++)
			if (strncmp(sift_rx_name(r->rx, i, &num), "alt_",
			    4) == 0)
				r->hasalt = true;
		for (i = 0; i < SIFT_ARRAY_SIZE(cached_names); i++)
			r->gnum[i] = sift_rx_group(r->rx, cached_names[i]);
	}
	return 0;
}

static void
re_release(struct re *r)
{
	free(r->shown);
	free(r->expanded);
	sift_rx_free(r->rx);
	memset(r, 0, sizeof(*r));
}

static bool
has_id_group(const struct sift_rx *rx)
{
	static const char *const ids[] = { "fid", "ip4", "ip6", "dns",
	    "mlfid" };
	size_t i;

	for (i = 0; i < SIFT_ARRAY_SIZE(ids); i++)
		if (sift_rx_group(rx, ids[i]) >= 0)
			return true;
	return false;
}

/* ---- reading the configuration files ---------------------------------- */

struct loader {
	struct sift_ini		 all;
	char			**chain;	/* include chain (loop check) */
	size_t			 nchain;
	char			**warn;
	struct sift_err		*err;
};

static bool
file_exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static char *
local_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(path, '.');
	struct sift_sbuf b = { NULL, 0, 0 };

	if (dot == NULL || (slash != NULL && dot < slash) ||
	    (slash != NULL ? dot == slash + 1 : dot == path))
		sift_sbuf_puts(&b, path);
	else
		sift_sbuf_put(&b, path, (size_t)(dot - path));
	sift_sbuf_puts(&b, ".local");
	return b.p;
}

static void add_warn(struct loader *, const char *, ...) SIFT_PRINTF(2, 3);

static void
add_warn(struct loader *L, const char *fmt, ...)
{
	struct sift_sbuf w = { NULL, 0, 0 };
	char line[600];
	va_list ap;

	if (L->warn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (*L->warn != NULL)
		sift_sbuf_puts(&w, *L->warn);
	sift_sbuf_puts(&w, line);
	sift_sbuf_puts(&w, "\n");
	free(*L->warn);
	*L->warn = w.p;
}

static int read_one(struct loader *L, const char *path, bool optional,
    const char *from, unsigned fromline);

/* _getIncludes for one name: the file, then its .local. */
static int
read_with_local(struct loader *L, const char *path, bool optional,
    const char *from, unsigned fromline)
{
	char *loc;
	int rc;

	if (read_one(L, path, optional, from, fromline) != 0)
		return -1;
	loc = local_of(path);
	rc = 0;
	if (strcmp(loc, path) != 0 && file_exists(loc))
		rc = read_one(L, loc, true, NULL, 0);
	free(loc);
	return rc;
}

static int
do_includes(struct loader *L, const struct sift_ini *ini, const char *path,
    const char *which)
{
	struct sift_ini_sec *inc = sift_ini_section(ini, "INCLUDES");
	struct sift_ini_opt *o = sift_ini_find(inc, which);
	char dir[PATH_MAX];
	const char *p, *nl, *slash;
	size_t i;

	if (o == NULL || o->val == NULL)
		return 0;
	slash = strrchr(path, '/');
	if (slash != NULL)
		pcopy(dir, sizeof(dir), path, (size_t)(slash - path));
	else
		dir[0] = '\0';
	for (p = o->val; *p != '\0'; p = nl != NULL ? nl + 1 : p +
	    strlen(p)) {
		char res[PATH_MAX], name[PATH_MAX];
		size_t n;
		bool loop = false;

		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		pcopy(name, sizeof(name), p, n);
		if (name[0] == '/' || dir[0] == '\0')
			snprintf(res, sizeof(res), "%s", name);
		else
			pjoin(res, sizeof(res), dir, "/", name);
		for (i = 0; i < L->nchain; i++)
			if (strcmp(L->chain[i], res) == 0)
				loop = true;
		if (loop || strcmp(res, path) == 0) {
			/* fail2ban skips it silently; we refuse */
			return sift_err_set(L->err, SIFT_E_FORMAT, 0,
			    "%s:%u: include loop: %s includes %s again",
			    o->file, o->line, path, res);
		}
		if (read_with_local(L, res, n >= 6 &&
		    strcmp(name + n - 6, ".local") == 0, o->file,
		    o->line) != 0)
			return -1;
	}
	return 0;
}

/* __getIncludesUncached plus the merge of SafeConfigParserWithIncludes. */
static int
read_one(struct loader *L, const char *path, bool optional, const char *from,
    unsigned fromline)
{
	struct sift_ini one;
	int rc = -1;

	if (L->nchain >= MAX_INCLUDE_DEPTH)
		return sift_err_set(L->err, SIFT_E_LIMIT, 0,
		    "%s: includes nested too deeply", path);
	sift_ini_init(&one);
	if (sift_ini_read(&one, path, L->err) != 0) {
		sift_ini_release(&one);
		if (L->err != NULL && L->err->code == SIFT_E_NOTFOUND) {
			if (optional)
				return 0;
			if (from != NULL)
				return sift_err_set(L->err, SIFT_E_NOTFOUND,
				    ENOENT, "%s:%u: included file %s does "
				    "not exist", from, fromline, path);
		}
		return -1;
	}
	{
		size_t i;

		for (i = 0; i < one.nnotes; i++)
			add_warn(L, "%s", one.notes[i]);
	}
	L->chain = sift_xreallocarray(L->chain, L->nchain + 1,
	    sizeof(*L->chain));
	L->chain[L->nchain++] = sift_xstrdup(path);
	if (do_includes(L, &one, path, "before") != 0)
		goto out;
	sift_ini_merge(&L->all, &one);
	if (do_includes(L, &one, path, "after") != 0)
		goto out;
	rc = 0;
out:
	free(L->chain[--L->nchain]);
	sift_ini_release(&one);
	return rc;
}

/*
 * The files matching pat, sorted, each without its .local: a name.d/x.local
 * matches name.d/ *.local and is read later, as in fail2ban's file list.
 */
static int
glob_read(struct loader *L, const char *pat)
{
	glob_t g;
	size_t i;
	int rc = 0;

	if (glob(pat, 0, NULL, &g) != 0)
		return 0;
	for (i = 0; i < g.gl_pathc && rc == 0; i++)
		rc = read_one(L, g.gl_pathv[i], true, NULL, 0);
	globfree(&g);
	return rc;
}

/* ---- filter name and options ------------------------------------------ */

/* Set filter option k to v (both malloc'd, now owned by f). */
static void
set_opt(struct sift_f2b *f, char *k, char *v)
{
	size_t i;

	for (i = 0; i < f->nopts; i++)
		if (strcmp(f->okey[i], k) == 0)
			break;
	if (i == f->nopts) {
		f->okey = sift_xreallocarray(f->okey, f->nopts + 1,
		    sizeof(char *));
		f->oval = sift_xreallocarray(f->oval, f->nopts + 1,
		    sizeof(char *));
		f->nopts++;
	} else {
		free(f->okey[i]);
		free(f->oval[i]);
	}
	f->okey[i] = k;
	f->oval[i] = v;
}

static int
parse_spec(struct sift_f2b *f, const char *spec, char **name,
    struct sift_err *err)
{
	const char *br = strchr(spec, '['), *p, *end;

	if (br == NULL) {
		*name = sift_xstrdup(spec);
		return 0;
	}
	*name = sift_xstrndup(spec, (size_t)(br - spec));
	end = strrchr(spec, ']');
	if (end == NULL || end < br)
		return sift_err_set(err, SIFT_E_USAGE, 0,
		    "wrong filter name or options: %s", spec);
	for (p = br + 1; p < end;) {
		const char *ks, *ke, *vs, *ve;
		char *k, *v;

		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p >= end)
			break;
		ks = p;
		while (p < end && (is_word((unsigned char)*p) || *p == '-' ||
		    *p == '.'))
			p++;
		ke = p;
		if (ke == ks || p >= end || *p != '=')
			return sift_err_set(err, SIFT_E_USAGE, 0,
			    "wrong filter options: unexpected syntax at "
			    "\"%.25s\"", ks);
		p++;
		if (*p == '"' || *p == '\'') {
			char q = *p++;

			vs = p;
			while (p < end && *p != q)
				p++;
			if (p >= end)
				return sift_err_set(err, SIFT_E_USAGE, 0,
				    "wrong filter options: unclosed quote "
				    "in %s", spec);
			ve = p++;
		} else {
			vs = p;
			while (p < end && *p != ',')
				p++;
			ve = p;
		}
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p < end && *p != ',')
			return sift_err_set(err, SIFT_E_USAGE, 0,
			    "wrong filter options: unexpected syntax at "
			    "\"%.25s\"", p);
		if (p < end)
			p++;
		k = sift_xstrndup(ks, (size_t)(ke - ks));
		v = sift_xstrndup(vs, (size_t)(ve - vs));
		set_opt(f, k, v);
	}
	return 0;
}

/* ---- option combination and <tag> substitution ----------------------- */

struct kv {
	char	*k;
	char	*v;
	int	 counts;	/* replacements done (per value) */
};

struct kvs {
	struct kv	*e;
	size_t		 n;
};

static struct kv *
kv_find(struct kvs *s, const char *k)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->e[i].k, k) == 0)
			return &s->e[i];
	return NULL;
}

static void
kv_set(struct kvs *s, const char *k, const char *v)
{
	struct kv *e = kv_find(s, k);

	if (e == NULL) {
		s->e = sift_xreallocarray(s->e, s->n + 1, sizeof(*s->e));
		e = &s->e[s->n++];
		e->k = sift_xstrdup(k);
		e->v = NULL;
	}
	free(e->v);
	e->v = v != NULL ? sift_xstrdup(v) : NULL;
	e->counts = 0;
}

static void
kv_release(struct kvs *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->e[i].k);
		free(s->e[i].v);
	}
	free(s->e);
	s->e = NULL;
	s->n = 0;
}

struct combctx {
	const struct sift_ini		*ini;
	const struct sift_ini_sec	*pvars;
	struct kvs			 cache;	/* getCombOption results */
	struct sift_err			*err;
};

/* get_ex("Definition", name, vars=pOpts); NULL when there is none. */
static int
comb_option(struct combctx *c, const char *name, const char **out)
{
	struct kv *e = kv_find(&c->cache, name);
	char *v = NULL;
	const char *slash = strchr(name, '/');
	struct sift_err e2 = SIFT_ERR_INIT;

	if (e != NULL) {
		*out = e->v;
		return 0;
	}
	if (slash != NULL && slash > name && slash[1] != '\0' &&
	    strpbrk(slash + 1, " \t\n>") == NULL) {
		const char *q;
		bool ok = true;

		for (q = name; q < slash; q++)
			if (!is_word((unsigned char)*q) && *q != '-')
				ok = false;
		if (ok) {
			char *sec = sift_xstrndup(name, (size_t)(slash - name));
			const char *secs[2] = { sec, NULL };
			size_t i;

			if (strcasecmp(sec, "known") == 0) {
				secs[0] = "KNOWN/Definition";
				secs[1] = "Definition";
			} else if (strcasecmp(sec, "default") == 0)
				secs[0] = "DEFAULT";
			for (i = 0; i < 2 && secs[i] != NULL && v == NULL;
			    i++) {
				if (sift_ini_get(c->ini, secs[i], slash + 1,
				    NULL, &v, &e2) != 0) {
					v = NULL;
					if (e2.code != SIFT_E_NOTFOUND) {
						free(sec);
						*c->err = e2;
						return -1;
					}
				}
			}
			free(sec);
		}
	}
	if (v == NULL && sift_ini_get(c->ini, "Definition", name, c->pvars,
	    &v, &e2) != 0) {
		v = NULL;
		if (e2.code != SIFT_E_NOTFOUND) {
			*c->err = e2;
			return -1;
		}
	}
	kv_set(&c->cache, name, v);
	free(v);
	*out = kv_find(&c->cache, name)->v;
	return 0;
}

static char *
replace_all(const char *s, const char *from, const char *to)
{
	struct sift_sbuf o = { NULL, 0, 0 };
	size_t fl = strlen(from);
	const char *p;

	sift_sbuf_put(&o, "", 0);
	while ((p = strstr(s, from)) != NULL) {
		sift_sbuf_put(&o, s, (size_t)(p - s));
		sift_sbuf_puts(&o, to);
		s = p + fl;
	}
	sift_sbuf_puts(&o, s);
	return o.p;
}

/* Find the next <tag> (<([^ <>]+)>) at or after from. */
static bool
next_tag(const char *v, size_t from, size_t *ts, size_t *te)
{
	size_t i, j;

	for (i = from; v[i] != '\0'; i++) {
		if (v[i] != '<')
			continue;
		for (j = i + 1; v[j] != '\0' && v[j] != ' ' && v[j] != '<' &&
		    v[j] != '>'; j++)
			;
		if (v[j] == '>' && j > i + 1) {
			*ts = i;
			*te = j + 1;
			return true;
		}
	}
	return false;
}

struct ign {
	char	**k;
	size_t	 n;
};

static bool
ignored_tag(const struct ign *ig, const char *t)
{
	size_t i;

	for (i = 0; i < ig->n; i++)
		if (strcmp(ig->k[i], t) == 0)
			return true;
	return false;
}

/* substituteRecursiveTags */
static int
subst_tags(struct kvs *tags, const struct ign *ig, struct combctx *c)
{
	bool again;
	size_t i, rounds = 0;
	struct {
		char	*tag;
		int	 n;
	} *cnt = NULL;
	size_t ncnt = 0;
	int rc = 0;

	do {
		again = false;
		if (++rounds > 10000)
			break;
		for (i = 0; i < tags->n && rc == 0; i++) {
			struct kv *e = &tags->e[i];
			char *val;
			size_t ts, te, from = 0;
			bool changed = false;

			if (e->v == NULL || ignored_tag(ig, e->k) ||
			    strchr(e->v, '<') == NULL)
				continue;
			val = sift_xstrdup(e->v);
			while (next_tag(val, from, &ts, &te)) {
				char *rt = sift_xstrndup(val + ts + 1,
				    te - ts - 2);
				const char *repl = NULL;
				struct kv *r;
				size_t k;
				int *count = NULL;

				if (ignored_tag(ig, rt)) {
					free(rt);
					from = te;
					continue;
				}
				for (k = 0; k < ncnt; k++)
					if (strcmp(cnt[k].tag, e->k) == 0)
						break;
				if (k == ncnt) {
					cnt = sift_xreallocarray(cnt, ncnt + 1,
					    sizeof(*cnt));
					cnt[ncnt].tag = sift_xstrdup(e->k);
					cnt[ncnt++].n = 0;
				}
				count = &cnt[k].n;
				if (strcmp(rt, e->k) == 0 ||
				    *count > MAX_TAG_REPLACE * 8) {
					rc = sift_err_set(c->err,
					    SIFT_E_FORMAT, 0, "option '%s' "
					    "refers to itself through <%s>: "
					    "self-referencing definitions "
					    "cannot be resolved", e->k, rt);
					free(rt);
					break;
				}
				if ((r = kv_find(tags, rt)) != NULL)
					repl = r->v;
				if (repl == NULL &&
				    comb_option(c, rt, &repl) != 0) {
					rc = -1;
					free(rt);
					break;
				}
				if (repl == NULL) {
					free(rt);
					from = te;
					continue;
				}
				{
					char *tg = sift_xmalloc(strlen(rt) +
					    3), *nv;

					pjoin(tg, strlen(rt) + 3, "<", rt, ">");
					nv = replace_all(val, tg, repl);
					free(tg);
					free(val);
					val = nv;
				}
				/* tags that double at each turn */
				if (strlen(val) > MAX_TAG_VALUE) {
					rc = sift_err_set(c->err,
					    SIFT_E_FORMAT, 0, "option '%s': "
					    "its tags expand to more than %d "
					    "bytes", e->k, MAX_TAG_VALUE);
					free(rt);
					break;
				}
				(*count)++;
				changed = true;
				free(rt);
				from = ts;
			}
			if (changed && rc == 0) {
				size_t a, b;

				if (next_tag(val, 0, &a, &b))
					again = true;
				free(e->v);
				e->v = val;
			} else
				free(val);
		}
	} while (again && rc == 0);
	for (i = 0; i < ncnt; i++)
		free(cnt[i].tag);
	free(cnt);
	return rc;
}

/* ---- loading ------------------------------------------------------------ */

static bool
spec_is_filter(const char *spec)
{
	/* (?ms)^/{0,3}[\w/_\-.]+(?:\[.*\])?$ on the first line */
	const char *p = spec;
	size_t sl = 0;

	while (*p == '/' && sl < 3) {
		p++;
		sl++;
	}
	if (!(is_word((unsigned char)*p) || *p == '/' || *p == '-' ||
	    *p == '.'))
		return false;
	while (is_word((unsigned char)*p) || *p == '/' || *p == '-' ||
	    *p == '.')
		p++;
	if (*p == '\0' || *p == '\n')
		return true;
	if (*p == '[') {
		const char *e = strrchr(p, ']');

		return e != NULL && (e[1] == '\0' || e[1] == '\n');
	}
	return false;
}

static void
split_lines(const char *v, char ***out, size_t *n)
{
	const char *p, *nl;

	*out = NULL;
	*n = 0;
	if (v == NULL)
		return;
	for (p = v; *p != '\0'; p = nl != NULL ? nl + 1 : p + strlen(p)) {
		size_t l;

		nl = strchr(p, '\n');
		l = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (l == 0)
			continue;
		*out = sift_xreallocarray(*out, *n + 1, sizeof(**out));
		(*out)[(*n)++] = sift_xstrndup(p, l);
	}
}

static void
free_lines(char **l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

static int
build(struct sift_f2b *f, const struct sift_f2b_opts *o, const char *pref,
    char **fails, size_t nfails, char **igns, size_t nigns,
    struct sift_err *err)
{
	size_t i;
	char what[64];
	bool ml;

	if (o->maxlines > 0)
		f->maxlines = o->maxlines;
	if (f->maxlines == 0)
		f->maxlines = 1;
	ml = f->maxlines > 1;
	if (pref != NULL && *pref != '\0') {
		if (compile_re(&f->pref, pref, f->usedns, false, "prefregex",
		    err) != 0)
			return -1;
		f->haspref = true;
	}
	if (nfails > SIFT_F2B_MAXRE || nigns > SIFT_F2B_MAXRE)
		return sift_err_set(err, SIFT_E_LIMIT, 0,
		    "more than %d failregex or ignoreregex lines",
		    SIFT_F2B_MAXRE);
	for (i = 0; i < nfails; i++) {
		snprintf(what, sizeof(what), "failregex %zu", i + 1);
		if (compile_re(&f->fail[i], fails[i], f->usedns, ml, what,
		    err) != 0)
			return -1;
		f->nfail++;
		if (!has_id_group(f->fail[i].rx) && !(f->haspref &&
		    has_id_group(f->pref.rx)))
			return sift_err_set(err, SIFT_E_REGEX, 0,
			    "no failure-id group in '%s'",
			    f->fail[i].expanded);
	}
	{
		struct sift_rx *rxs[SIFT_F2B_MAXRE];

		for (i = 0; i < f->nfail; i++)
			rxs[i] = f->fail[i].rx;
		if (sift_rxlits_useful(rxs, f->nfail))
			f->flits = sift_rxlits_new(rxs, f->nfail);
	}
	for (i = 0; i < nigns; i++) {
		snprintf(what, sizeof(what), "ignoreregex %zu", i + 1);
		if (compile_re(&f->ign[i], igns[i], f->usedns, false, what,
		    err) != 0)
			return -1;
		f->nign++;
	}
	if (o->datepattern != NULL) {
		free(f->datepattern);
		f->datepattern = sift_xstrdup(o->datepattern);
	}
	f->dates = sift_f2bdate_new_at(f->datepattern, o->now,
	    o->yearclock != 0 ? o->yearclock : o->now, err);
	if (f->dates == NULL)
		return -1;
	if (ml) {
		f->ml = sift_xcalloc(f->maxlines + 1, sizeof(*f->ml));
	}
	return 0;
}

static int
load_file(struct sift_f2b *f, const struct sift_f2b_opts *o,
    const char *fname, const char *basedir, bool named, char **warn,
    struct sift_err *err)
{
	struct loader L;
	struct combctx c;
	struct sift_ini_sec pvars;
	struct kvs tags = { NULL, 0 };
	struct ign ig = { NULL, 0 };
	static const char *const copts[] = { "usedns", "prefregex",
	    "ignoreregex", "failregex", "maxlines", "datepattern",
	    "journalmatch" };
	char **fails = NULL, **igns = NULL;
	size_t nfails = 0, nigns = 0, i;
	struct kv *e;
	int rc = -1;

	memset(&L, 0, sizeof(L));
	sift_ini_init(&L.all);
	L.warn = warn;
	L.err = err;
	memset(&pvars, 0, sizeof(pvars));
	memset(&c, 0, sizeof(c));
	if (named) {
		char base[PATH_MAX], pat[PATH_MAX + 16];
		int nread = 0;

		pjoin(base, sizeof(base), basedir, "/filter.d/", fname);
		/*
		 * The top-level list holds every existing .local already, so
		 * no file here is followed by its .local again
		 * (_expandConfFilesWithLocal skips names in the list).
		 */
		pjoin(pat, sizeof(pat), base, "", ".conf");
		if (file_exists(pat)) {
			if (read_one(&L, pat, false, NULL, 0) != 0)
				goto out;
			nread++;
		}
		pjoin(pat, sizeof(pat), base, "", ".d/*.conf");
		if (glob_read(&L, pat) != 0)
			goto out;
		pjoin(pat, sizeof(pat), base, "", ".local");
		if (file_exists(pat)) {
			nread++;
			if (read_one(&L, pat, false, NULL, 0) != 0)
				goto out;
		}
		pjoin(pat, sizeof(pat), base, "", ".d/*.local");
		if (glob_read(&L, pat) != 0)
			goto out;
		if (nread == 0) {
			sift_err_set(err, SIFT_E_NOTFOUND, 0, "found no "
			    "accessible config files for 'filter.d/%s' "
			    "under %s", fname, basedir);
			goto out;
		}
	} else if (read_with_local(&L, fname, false, NULL, 0) != 0)
		goto out;

	/* pOpts: the options given, plus logtype (applyAutoOptions) */
	for (i = 0; i < f->nopts; i++)
		sift_ini_set(&pvars, f->okey[i], f->oval[i], NULL, 0);
	{
		struct sift_ini_opt *lt = sift_ini_find(&pvars, "logtype");

		if ((lt == NULL || lt->val[0] == '\0') && sift_ini_find(
		    sift_ini_section(&L.all, "Definition"), "logtype") == NULL)
			sift_ini_set(&pvars, "logtype", "file", NULL, 0);
	}
	c.ini = &L.all;
	c.pvars = &pvars;
	c.err = err;
	/* getOptions: the [Definition] options fail2ban knows */
	for (i = 0; i < SIFT_ARRAY_SIZE(copts); i++) {
		char *v;

		if (sift_ini_find(&pvars, copts[i]) != NULL)
			continue;
		if (sift_ini_get(&L.all, "Definition", copts[i], &pvars, &v,
		    err) != 0) {
			if (err->code == SIFT_E_NOTFOUND)
				continue;
			goto out;
		}
		kv_set(&tags, copts[i], v);
		free(v);
	}
	/* initOpts: passed options over [Init] */
	for (i = 0; i < pvars.nopt; i++)
		kv_set(&tags, pvars.opt[i].name, pvars.opt[i].val);
	{
		struct sift_ini_sec *init = sift_ini_section(&L.all, "Init");

		for (i = 0; init != NULL && i < init->nopt; i++) {
			const char *k = init->opt[i].name;
			char *v, *kk;

			if (sift_ini_get(&L.all, "Init", k, NULL, &v,
			    err) != 0)
				goto out;
			if (strncmp(k, "known/", 6) != 0) {
				kk = sift_xmalloc(strlen(k) + 7);
				pjoin(kk, strlen(k) + 7, "known/", "", k);
				kv_set(&tags, kk, v);
				free(kk);
			}
			if (sift_ini_find(&pvars, k) == NULL)
				kv_set(&tags, k, v);
			free(v);
		}
	}
	for (i = 0; i < tags.n; i++) {
		const char *q = strchr(tags.e[i].k, '?');

		if (q != NULL && q > tags.e[i].k && q[1] != '\0') {
			ig.k = sift_xreallocarray(ig.k, ig.n + 1,
			    sizeof(char *));
			ig.k[ig.n++] = sift_xstrndup(tags.e[i].k,
			    (size_t)(q - tags.e[i].k));
		}
	}
	for (i = 0; i < tags.n; i++)
		if (strcasecmp(tags.e[i].k, "host") == 0 ||
		    strcasecmp(tags.e[i].k, "addr") == 0 ||
		    strcasecmp(tags.e[i].k, "ip4") == 0 ||
		    strcasecmp(tags.e[i].k, "ip6") == 0 ||
		    strcasecmp(tags.e[i].k, "dns") == 0)
			add_warn(&L, "warning: option '%s' replaces every "
			    "<%s> tag (fail2ban's lookup ignores case)",
			    tags.e[i].k, tags.e[i].k);
	if (subst_tags(&tags, &ig, &c) != 0)
		goto out;
	if ((e = kv_find(&tags, "maxlines")) != NULL && e->v != NULL) {
		char *end;
		long v = strtol(e->v, &end, 10);

		if (end != e->v && *end == '\0' && v > 0 && v < 10000)
			f->maxlines = (unsigned)v;
	}
	if ((e = kv_find(&tags, "datepattern")) != NULL && e->v != NULL)
		f->datepattern = sift_xstrdup(e->v);
	if ((e = kv_find(&tags, "failregex")) != NULL)
		split_lines(e->v, &fails, &nfails);
	if ((e = kv_find(&tags, "ignoreregex")) != NULL)
		split_lines(e->v, &igns, &nigns);
	e = kv_find(&tags, "prefregex");
	rc = build(f, o, e != NULL ? e->v : NULL, fails, nfails, igns, nigns,
	    err);
out:
	free_lines(fails, nfails);
	free_lines(igns, nigns);
	for (i = 0; i < ig.n; i++)
		free(ig.k[i]);
	free(ig.k);
	kv_release(&tags);
	kv_release(&c.cache);
	for (i = 0; i < pvars.nopt; i++) {
		free(pvars.opt[i].name);
		free(pvars.opt[i].val);
	}
	free(pvars.opt);
	for (i = 0; i < L.nchain; i++)
		free(L.chain[i]);
	free(L.chain);
	sift_ini_release(&L.all);
	return rc;
}

struct sift_f2b *
sift_f2b_load(const char *spec, const struct sift_f2b_opts *o, char **warn,
    struct sift_err *err)
{
	struct sift_f2b *f = sift_xcalloc(1, sizeof(*f));
	const char *conf = o->confdir != NULL ? o->confdir :
	    SIFT_F2B_DEFAULT_CONF;
	char *name = NULL, file[PATH_MAX], basedir[PATH_MAX];
	bool found = false;

	if (warn != NULL)
		*warn = NULL;
	f->usedns = o->usedns != NULL ? o->usedns : "warn";
	f->first_only = o->first_only;
	snprintf(basedir, sizeof(basedir), "%s", conf);
	if (spec_is_filter(spec)) {
		const char *tries[3];
		char t1[PATH_MAX], t2[PATH_MAX];
		size_t nt, i, nl;

		if (parse_spec(f, spec, &name, err) != 0)
			goto fail;
		for (i = 0; i < o->nopt; i++)
			set_opt(f, sift_xstrdup(o->optkey[i]),
			    sift_xstrdup(o->optval[i]));
		nl = strlen(name);
		while (nl > 0 && isspace((unsigned char)name[nl - 1]))
			name[--nl] = '\0';
		tries[0] = name;
		nt = 1;
		if (memchr(nl > 6 ? name + nl - 6 : name, '.',
		    nl > 6 ? 6 : nl) == NULL) {
			pjoin(t1, sizeof(t1), name, "", ".conf");
			pjoin(t2, sizeof(t2), name, "", ".local");
			tries[1] = t1;
			tries[2] = t2;
			nt = 3;
		}
		for (i = 0; i < nt && !found; i++) {
			if (strchr(tries[i], '/') == NULL) {
				const char *b = strrchr(basedir, '/');

				if (strcmp(b != NULL ? b + 1 : basedir,
				    "filter.d") == 0)
					pjoin(file, sizeof(file), basedir, "/",
					    tries[i]);
				else
					pjoin(file, sizeof(file), basedir,
					    "/filter.d/", tries[i]);
			} else {
				const char *s = strrchr(tries[i], '/');

				snprintf(file, sizeof(file), "%s", tries[i]);
				pcopy(basedir, sizeof(basedir), tries[i],
				    (size_t)(s - tries[i]));
				if (basedir[0] == '\0')
					snprintf(basedir, sizeof(basedir), "/");
			}
			found = file_exists(file);
		}
	}
	if (found) {
		const char *b = strrchr(basedir, '/');
		bool inflt = strcmp(b != NULL ? b + 1 : basedir,
		    "filter.d") == 0;
		size_t nl = strlen(name);
		bool dotted = memchr(nl > 6 ? name + nl - 6 : name, '.',
		    nl > 6 ? 6 : nl) != NULL;

		if (strcmp(basedir, conf) == 0 || inflt ||
		    (!dotted && strchr(name, '/') == NULL)) {
			const char *s, *dot;

			if (inflt) {
				if (b != NULL && b > basedir)
					basedir[b - basedir] = '\0';
				else
					snprintf(basedir, sizeof(basedir),
					    ".");
			}
			s = strrchr(name, '/');
			s = s != NULL ? s + 1 : name;
			dot = strrchr(s, '.');
			f->name = dot != NULL && dot != s ?
			    sift_xstrndup(s, (size_t)(dot - s)) :
			    sift_xstrdup(s);
			f->basedir = sift_xstrdup(basedir);
			f->kind = SIFT_F2B_NAMED;
			if (load_file(f, o, f->name, f->basedir, true, warn,
			    err) != 0)
				goto fail;
		} else {
			char abs[PATH_MAX];

			f->name = sift_xstrdup(name);
			if (name[0] != '/' && realpath(".", abs) != NULL) {
				size_t al = strlen(abs);

				pjoin(abs + al, sizeof(abs) - al, "", "/",
				    name);
			} else
				snprintf(abs, sizeof(abs), "%s", name);
			f->kind = SIFT_F2B_FILE;
			if (load_file(f, o, abs, NULL, false, warn, err) != 0)
				goto fail;
		}
	} else {
		char *one[1];

		f->kind = SIFT_F2B_LITERAL;
		f->name = sift_xstrdup(spec);
		one[0] = (char *)(uintptr_t)spec;
		if (build(f, o, NULL, one, 1, NULL, 0, err) != 0)
			goto fail;
	}
	free(name);
	return f;
fail:
	free(name);
	sift_f2b_free(f);
	return NULL;
}

int
sift_f2b_add_ignore(struct sift_f2b *f, const char *regex,
    struct sift_err *err)
{
	char what[64];

	if (f->nign >= SIFT_F2B_MAXRE)
		return sift_err_set(err, SIFT_E_LIMIT, 0,
		    "too many ignoreregex lines");
	snprintf(what, sizeof(what), "ignoreregex %zu", f->nign + 1);
	if (compile_re(&f->ign[f->nign], regex, f->usedns, false, what,
	    err) != 0) {
		re_release(&f->ign[f->nign]);
		return -1;
	}
	f->nign++;
	return 0;
}

void
sift_f2b_free(struct sift_f2b *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < SIFT_F2B_MAXRE; i++) {
		re_release(&f->fail[i]);
		re_release(&f->ign[i]);
	}
	re_release(&f->pref);
	sift_rxlits_free(f->flits);
	for (i = 0; i < f->nopts; i++) {
		free(f->okey[i]);
		free(f->oval[i]);
	}
	free(f->okey);
	free(f->oval);
	for (i = 0; f->ml != NULL && i <= f->maxlines; i++) {
		free(f->ml[i].cut);
		free(f->ml[i].org);
	}
	free(f->ml);
	for (i = 0; i < f->nmlf; i++)
		mlf_release(&f->mlf[i]);
	for (i = 0; i < SIFT_ARRAY_SIZE(f->snap); i++) {
		dict_free(&f->snap[i].g);
		dict_free(&f->snap[i].users);
	}
	sift_f2bdate_free(f->dates);
	free(f->datepattern);
	if (f->ml == NULL)
		free(f->buf);
	for (i = 0; i < SIFT_ARRAY_SIZE(f->pool); i++)
		free(f->pool[i].p);
	free(f->cbuf);
	free(f->name);
	free(f->basedir);
	free(f);
}

enum sift_f2b_kind
sift_f2b_kind(const struct sift_f2b *f)
{
	return f->kind;
}

const char *
sift_f2b_name(const struct sift_f2b *f)
{
	return f->name;
}

const char *
sift_f2b_basedir(const struct sift_f2b *f)
{
	return f->basedir;
}

size_t
sift_f2b_nopts(const struct sift_f2b *f)
{
	return f->nopts;
}

void
sift_f2b_opt(const struct sift_f2b *f, size_t i, const char **k,
    const char **v)
{
	*k = f->okey[i];
	*v = f->oval[i];
}

size_t
sift_f2b_nfail(const struct sift_f2b *f)
{
	return f->nfail;
}

const char *
sift_f2b_fail(const struct sift_f2b *f, size_t i)
{
	return f->fail[i].shown;
}

const char *
sift_f2b_fail_expanded(const struct sift_f2b *f, size_t i)
{
	return f->fail[i].expanded;
}

size_t
sift_f2b_nignore(const struct sift_f2b *f)
{
	return f->nign;
}

const char *
sift_f2b_ignore(const struct sift_f2b *f, size_t i)
{
	return f->ign[i].shown;
}

const char *
sift_f2b_prefregex(const struct sift_f2b *f)
{
	return f->haspref ? f->pref.shown : NULL;
}

const char *
sift_f2b_datepattern(const struct sift_f2b *f)
{
	return f->datepattern;
}

unsigned
sift_f2b_maxlines(const struct sift_f2b *f)
{
	return f->maxlines;
}

struct sift_f2bdate *
sift_f2b_dates(const struct sift_f2b *f)
{
	return f->dates;
}

/* Whether a regex has an <F-MLFID> group, also as an alt_ one. */
static bool
has_mlfid(const struct sift_rx *rx)
{
	unsigned i, num, nn = sift_rx_names(rx);

	for (i = 0; i < nn; i++) {
		const char *g = sift_rx_name(rx, i, &num);

		if (strcmp(g, "mlfid") == 0 || strncmp(g, "alt_mlfid", 9) == 0)
			return true;
	}
	return false;
}

bool
sift_f2b_stateless(const struct sift_f2b *f)
{
	size_t i;

	if (f->maxlines > 1 || (f->haspref && has_mlfid(f->pref.rx)))
		return false;
	for (i = 0; i < f->nfail; i++)
		if (has_mlfid(f->fail[i].rx))
			return false;
	for (i = 0; i < f->nign; i++)
		if (has_mlfid(f->ign[i].rx))
			return false;
	return true;
}

/* ---- matching ----------------------------------------------------------- */

/* Lines of the buffer the failregex i's match covers. */
static unsigned
matched_lines(const struct sift_f2b *f, const char *buf, size_t i)
{
	size_t s = sift_rx_start(f->fail[i].rx, 0);
	size_t e = sift_rx_end(f->fail[i].rx, 0);
	unsigned n = 1;

	if (f->maxlines <= 1 || s == SIFT_RX_UNSET)
		return 1;
	for (; s < e; s++)
		if (buf[s] == '\n' && s + 1 < e)
			n++;
	return n;
}

static int process(struct sift_f2b *, const char *, size_t, const int64_t *,
    bool, struct sift_f2b_result *, struct sift_err *);

static void
grow(char **p, size_t *cap, size_t want)
{
	if (*cap >= want)
		return;
	while (*cap < want)
		*cap = *cap ? *cap * 2 : 4096;
	*p = sift_xrealloc(*p, *cap);
}

/* Value of group name in rx (after its last match); 0 absent, 1 set,
 * -1 present but unset. */
static int
rx_val(const struct sift_rx *rx, const char *subj, const char *name,
    struct sift_str *v)
{
	int g = sift_rx_group(rx, name);
	size_t s;

	if (g < 0)
		return 0;
	s = sift_rx_start(rx, (unsigned)g);
	if (s == SIFT_RX_UNSET)
		return -1;
	*v = sift_str_make(subj + s, sift_rx_end(rx, (unsigned)g) - s);
	return 1;
}

/*
 * Groups "alt_<name>[_N]" stand in for an unset or empty <name>, the first
 * non-empty one in name order (fail2ban's _getGroupsWithAlt; "alt_id" is
 * "fid", "alt_port" "fport").
 */
static int
alt_val(const struct sift_rx *rx, const char *subj, const char *name,
    struct sift_str *v)
{
	unsigned i, num, nn = sift_rx_names(rx);

	for (i = 0; i < nn; i++) {
		const char *g = sift_rx_name(rx, i, &num), *x, *e;
		char base[64];
		size_t s, bl;

		if (strncmp(g, "alt_", 4) != 0)
			continue;
		x = g + 4;
		e = x + strlen(x);
		/* a trailing _digits is an index */
		{
			const char *u = strrchr(x, '_');

			if (u != NULL && u[1] != '\0' &&
			    strspn(u + 1, "0123456789") == strlen(u + 1))
				e = u;
		}
		bl = (size_t)(e - x);
		if (bl >= sizeof(base))
			continue;
		memcpy(base, x, bl);
		base[bl] = '\0';
		if (strcmp(base, "id") == 0)
			snprintf(base, sizeof(base), "fid");
		else if (strcmp(base, "port") == 0)
			snprintf(base, sizeof(base), "fport");
		if (strcmp(base, name) != 0)
			continue;
		s = sift_rx_start(rx, num);
		if (s == SIFT_RX_UNSET || sift_rx_end(rx, num) == s)
			continue;
		*v = sift_str_make(subj + s, sift_rx_end(rx, num) - s);
		return 1;
	}
	return 0;
}

/* The index of name in cached_names, or its size (looked up per hit). */
static size_t
cached_index(const char *name)
{
	size_t i = SIFT_ARRAY_SIZE(cached_names);

	switch (name[0]) {
	case 'm':
		i = 0;
		break;
	case 'f':
		i = 1;
		break;
	case 'i':
		i = name[1] == 'p' && name[2] == '6' ? 3 : 2;
		break;
	case 'd':
		i = 4;
		break;
	}
	if (i < SIFT_ARRAY_SIZE(cached_names) &&
	    strcmp(name, cached_names[i]) != 0)
		i = SIFT_ARRAY_SIZE(cached_names);
	return i;
}

/* rx_val() of re's regex, through the cached group numbers. */
static int
re_val(const struct re *re, const char *subj, const char *name,
    struct sift_str *v)
{
	size_t i, s;
	int g;

	i = cached_index(name);
	if (i == SIFT_ARRAY_SIZE(cached_names))
		return rx_val(re->rx, subj, name, v);
	g = re->gnum[i];
	if (g < 0)
		return 0;
	s = sift_rx_start(re->rx, (unsigned)g);
	if (s == SIFT_RX_UNSET)
		return -1;
	*v = sift_str_make(subj + s, sift_rx_end(re->rx, (unsigned)g) - s);
	return 1;
}

static int
groups_val(const struct re *re, const char *subj, const char *name,
    struct sift_str *v)
{
	int r = re_val(re, subj, name, v);
	struct sift_str a;

	if (r == 1 && v->n > 0)
		return 1;
	if (re->hasalt && alt_val(re->rx, subj, name, &a) == 1) {
		*v = a;
		return 1;
	}
	return r;
}

static int
hit_val(const struct sift_f2b *f, unsigned re, const char *subj,
    const char *name, struct sift_str *v)
{
	int r = groups_val(&f->fail[re], subj, name, v);

	if (r != 0)
		return r;
	if (f->haspref && strcmp(name, "content") != 0)
		return groups_val(&f->pref, f->prefsubj, name, v);
	return 0;
}

static int
ignore_line(struct sift_f2b *f, const char *buf, size_t n,
    struct sift_f2b_result *res, struct sift_err *err)
{
	size_t i;
	int found = 0, r;

	for (i = 0; i < f->nign; i++) {
		r = sift_rx_search(f->ign[i].rx, buf, n, 0, err);
		if (r < 0)
			return -1;
		if (r == 1) {
			found = 1;
			res->ignored = true;
			res->ignhit[res->nignhits++] = (unsigned)i;
			if (f->first_only)
				break;
		}
	}
	return found;
}

static const char *
dict_get(const struct dict *d, const char *k)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (strcmp(d->e[i].k, k) == 0)
			return d->e[i].v;
	return NULL;
}

static void
dict_set(struct dict *d, const char *k, const char *v, size_t vn)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (strcmp(d->e[i].k, k) == 0)
			break;
	if (i == d->n) {
		if (d->n == d->cap) {
			d->cap = d->cap ? d->cap * 2 : 8;
			d->e = sift_xreallocarray(d->e, d->cap,
			    sizeof(*d->e));
		}
		d->e[i].k = sift_xstrdup(k);
		d->n++;
	} else
		free(d->e[i].v);
	d->e[i].v = sift_xstrndup(v, vn);
}

/* Remove k; true when its value was truthy (non-empty), as dict.pop(). */
static bool
dict_pop(struct dict *d, const char *k)
{
	size_t i;
	bool t;

	for (i = 0; i < d->n; i++)
		if (strcmp(d->e[i].k, k) == 0) {
			t = d->e[i].v[0] != '\0';
			free(d->e[i].k);
			free(d->e[i].v);
			d->e[i] = d->e[--d->n];
			return t;
		}
	return false;
}

static void
dict_clear(struct dict *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->e[i].k);
		free(d->e[i].v);
	}
	d->n = 0;
}

static void
dict_free(struct dict *d)
{
	dict_clear(d);
	free(d->e);
	d->e = NULL;
	d->cap = 0;
}

static void
dict_update(struct dict *dst, const struct dict *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		dict_set(dst, src->e[i].k, src->e[i].v, strlen(src->e[i].v));
}

static bool
truthy(const char *v)
{
	return v != NULL && v[0] != '\0';
}

static void
mlf_release(struct mlf *m)
{
	free(m->id);
	dict_free(&m->g);
	dict_free(&m->users);
}

static struct mlf *
mlf_get(struct sift_f2b *f, struct sift_str id)
{
	size_t i;

	for (i = 0; i < f->nmlf; i++)
		if (strlen(f->mlf[i].id) == id.n &&
		    memcmp(f->mlf[i].id, id.p, id.n) == 0)
			return &f->mlf[i];
	return NULL;
}

static void
mlf_unset(struct sift_f2b *f, struct mlf *m)
{
	size_t i = (size_t)(m - f->mlf);

	mlf_release(m);
	memmove(&f->mlf[i], &f->mlf[i + 1], (f->nmlf - i - 1) *
	    sizeof(*m));
	f->nmlf--;
}

static struct mlf *
mlf_set(struct sift_f2b *f, struct sift_str id)
{
	struct mlf *m;

	if (f->nmlf == MAX_MLFID) {
		/* the cache drops its oldest entry when full */
		mlf_unset(f, &f->mlf[0]);
	}
	m = &f->mlf[f->nmlf++];
	memset(m, 0, sizeof(*m));
	m->id = sift_xstrndup(id.p, id.n);
	m->age = f->mlfclock++;
	return m;
}

/* _updateUsers: add a non-empty user to the entry's set. */
static void
users_update(struct mlf *m, const char *user)
{
	if (!truthy(user))
		return;
	m->has_users = true;
	if (dict_get(&m->users, user) == NULL)
		dict_set(&m->users, user, "", 0);
}

/* The groups of failregex re's hit that took part (fail2ban's "fail"). */
static void
collect_groups(struct sift_f2b *f, unsigned re, struct dict *d)
{
	const struct sift_rx *rxs[2];
	unsigned nr = 0, r, i, nn, num;
	struct sift_str v;

	rxs[nr++] = f->fail[re].rx;
	if (f->haspref)
		rxs[nr++] = f->pref.rx;
	for (r = 0; r < nr; r++) {
		nn = sift_rx_names(rxs[r]);
		for (i = 0; i < nn; i++) {
			const char *nm = sift_rx_name(rxs[r], i, &num), *b;
			char base[64];

			if (strcmp(nm, "content") == 0 || dict_get(d, nm))
				continue;
			if (strncmp(nm, "alt_", 4) == 0) {
				/* the alternative's own name */
				size_t bl;
				const char *u;

				b = nm + 4;
				u = strrchr(b, '_');
				bl = u != NULL && u[1] != '\0' &&
				    strspn(u + 1, "0123456789") ==
				    strlen(u + 1) ? (size_t)(u - b) :
				    strlen(b);
				if (bl >= sizeof(base))
					continue;
				memcpy(base, b, bl);
				base[bl] = '\0';
				if (strcmp(base, "id") == 0)
					snprintf(base, sizeof(base), "fid");
				else if (strcmp(base, "port") == 0)
					snprintf(base, sizeof(base), "fport");
				if (dict_get(d, base) == NULL &&
				    hit_val(f, re, f->subj, base, &v) == 1)
					dict_set(d, base, v.p, v.n);
			}
			if (hit_val(f, re, f->subj, nm, &v) == 1)
				dict_set(d, nm, v.p, v.n);
		}
	}
}

/*
 * filter.py's _mergeFailure: merge failregex re's groups into the failure
 * cached for its connection id, and keep what the merged failure looks
 * like in f->snap[f->nsnap]. Returns true for a "nofail" failure.
 */
static bool
merge_mlf(struct sift_f2b *f, unsigned re, struct sift_str mlfid,
    unsigned nmatched)
{
	struct mlf *m = mlf_get(f, mlfid), tmp, *fail;
	struct snap *sn = &f->snap[f->nsnap];
	struct dict cur = { NULL, 0, 0 };
	const char *v;
	unsigned nf = 0;
	bool users_gt1;

	collect_groups(f, re, &cur);
	memset(&tmp, 0, sizeof(tmp));
	if (truthy(v = dict_get(&cur, "mlfgained"))) {
		nf |= 8 | 1;
		if (!truthy(dict_get(&cur, "nofail")))
			dict_set(&cur, "nofail", v, strlen(v));
	} else if (truthy(dict_get(&cur, "nofail")))
		nf |= 1;
	if (dict_pop(&cur, "mlfforget"))
		nf |= 2;
	if (m != NULL) {
		users_update(m, dict_get(&cur, "user"));
		if (dict_pop(&m->g, "nofail"))
			nf |= 4;
		if (dict_pop(&m->g, "mlfgained"))
			nf |= 4;
		if (nf & 8)
			(void)dict_pop(&m->g, "mlfpending");
		if ((nf & 4) == 0 && !truthy(dict_get(&m->g, "mlfpending")))
			m->has_matches = false;
		dict_update(&m->g, &cur);
		fail = m;
		users_gt1 = m->has_users && m->users.n > 1;
	} else if (!(nf & 2)) {
		m = mlf_set(f, mlfid);
		dict_update(&m->g, &cur);
		users_update(m, dict_get(&cur, "user"));
		fail = m;
		users_gt1 = m->has_users && m->users.n > 1;
	} else {
		dict_update(&tmp.g, &cur);
		fail = &tmp;
		users_gt1 = false;
	}
	dict_free(&cur);
	if (dict_pop(&fail->g, "mlfpending") || users_gt1) {
		(void)dict_pop(&fail->g, "nofail");
		(void)dict_pop(&fail->g, "mlfgained");
		nf &= ~(unsigned)(8 | 1);
	}
	if ((nf & 1) == 0) {
		unsigned mm = (fail->has_nfm ? fail->nfm : 0) +
		    (fail->has_matches ? fail->matches : 0) +
		    ((nf & 8) == 0 ? nmatched : 0);

		fail->has_nfm = false;
		fail->nfm = 0;
		fail->matches = mm;
		fail->has_matches = true;
	} else if ((nf & 3) == 1) {
		fail->nfm = (fail->has_nfm ? fail->nfm : 0) + nmatched;
		fail->has_nfm = true;
	}
	/* the snapshot the hit accessors read */
	dict_clear(&sn->g);
	dict_clear(&sn->users);
	dict_update(&sn->g, &fail->g);
	dict_update(&sn->users, &fail->users);
	sn->has_users = fail->has_users;
	sn->matches = fail->has_matches ? fail->matches : 0;
	if (fail == &tmp)
		mlf_release(&tmp);
	else if (nf & 2)
		mlf_unset(f, fail);
	return (nf & 1) != 0;
}

static void
mlf_mark_pending(struct sift_f2b *f, struct sift_str mlfid)
{
	struct mlf *m = mlf_get(f, mlfid);

	if (m != NULL)
		dict_set(&m->g, "mlfpending", "1", 1);
}

/* Rebuild the multi-line buffer: cut lines joined by "\n", plus "\n". */
static void
mlbuf(struct sift_f2b *f)
{
	size_t bn = 0, i, k;

	for (i = 0; i < f->nml; i++)
		bn += f->ml[i].cutn + 1;
	/* earlier buffers of this line stay valid for the hit accessors */
	k = f->npool < SIFT_F2B_MAXRE + 2 ? f->npool++ : SIFT_F2B_MAXRE + 1;
	grow(&f->pool[k].p, &f->pool[k].cap, bn + 1);
	f->buf = f->pool[k].p;
	for (bn = 0, i = 0; i < f->nml; i++) {
		memcpy(f->buf + bn, f->ml[i].cut, f->ml[i].cutn);
		bn += f->ml[i].cutn;
		f->buf[bn++] = '\n';
	}
	f->bufn = bn;
}

/*
 * Remove the buffered lines a match [ms, me) of f->buf covered, as
 * Regex.getUnmatchedTupleLines(); they move behind the buffer.
 */
static void
ml_remove(struct sift_f2b *f, const struct sift_rx *rx, size_t ms,
    size_t me)
{
	size_t a = 0, b = 0, i, k, ls, le;
	struct mline tmp;

	if (f->nml <= 1) {
		a = 0;
		b = f->nml;
	} else {
		/* line of the match start and of its last character */
		ls = ms;
		while (ls > 0 && f->buf[ls - 1] != '\n')
			ls--;
		if (ms < f->bufn && f->buf[ms] == '\n' && ms + 1 <= f->bufn)
			ls = ms + 1;
		le = me > 0 ? me - 1 : 0;
		while (le < f->bufn && f->buf[le] != '\n')
			le++;
		if (le < f->bufn)
			le++;
		for (i = 0; i < ls; i++)
			if (f->buf[i] == '\n')
				a++;
		for (i = 0; i < le; i++)
			if (f->buf[i] == '\n')
				b++;
	}
	if (b > f->nml)
		b = f->nml;
	if (a >= b)
		return;
	/* lines inside <SKIPLINES> groups go back to the buffer */
	{
		bool drop[1024];
		size_t off = 0, j, g, nd = 0;

		for (i = 0; i < f->nml && i < 1024; i++) {
			size_t s0 = off, e0 = off + f->ml[i].cutn + 1;

			drop[i] = i >= a && i < b;
			for (g = 0; drop[i] && rx != NULL; g++) {
				char gn[32];
				int gi;
				size_t gs;

				snprintf(gn, sizeof(gn), "skiplines%zu", g);
				if ((gi = sift_rx_group(rx, gn)) < 0)
					break;
				gs = sift_rx_start(rx, (unsigned)gi);
				if (gs != SIFT_RX_UNSET && s0 >= gs &&
				    e0 <= sift_rx_end(rx, (unsigned)gi))
					drop[i] = false;
			}
			off = e0;
		}
		/* move dropped lines behind the kept ones, in order */
		for (i = 0, j = 0; i < f->nml && i < 1024; i++) {
			if (drop[i])
				continue;
			if (i != j) {
				tmp = f->ml[j];
				f->ml[j] = f->ml[i];
				f->ml[i] = tmp;
				drop[i] = drop[j];
				drop[j] = false;
			}
			j++;
		}
		nd = f->nml - j;
		(void)k;
		f->nml = j;
		f->nrm += nd;
	}
}

static void
ml_count_promoted(struct sift_f2b *f, struct sift_f2b_result *res)
{
	size_t i;

	for (i = f->nml; i <= f->maxlines; i++)
		if (f->ml[i].promoted && f->ml[i].cut != NULL)
			res->promoted++;
}

bool
sift_f2b_promoted_line(const struct sift_f2b *f, size_t k,
    struct sift_str *line)
{
	size_t i;

	if (f->ml == NULL)
		return false;
	for (i = f->nml; i <= f->maxlines; i++)
		if (f->ml[i].promoted && f->ml[i].cut != NULL && k-- == 0) {
			*line = sift_str_make(f->ml[i].org, f->ml[i].orgn);
			return true;
		}
	return false;
}

int
sift_f2b_process(struct sift_f2b *f, const char *line, size_t n,
    struct sift_f2b_result *res, struct sift_err *err)
{
	return process(f, line, n, NULL, false, res, err);
}

int
sift_f2b_process_nl(struct sift_f2b *f, const char *line, size_t n,
    struct sift_f2b_result *res, struct sift_err *err)
{
	return process(f, line, n, NULL, true, res, err);
}

int
sift_f2b_process_at(struct sift_f2b *f, const char *line, size_t n,
    int64_t t, struct sift_f2b_result *res, struct sift_err *err)
{
	return process(f, line, n, &t, false, res, err);
}

/* nl: line[n] is a "\n" the subject may end with (no copy then). */
static int
process(struct sift_f2b *f, const char *line, size_t n, const int64_t *known,
    bool nl, struct sift_f2b_result *res, struct sift_err *err)
{
	size_t ds = 0, de = 0, bn, i;
	const char *buf;
	uint64_t cand;
	bool found_date;
	int r;

	/* the scalars only: the hit arrays are read up to their counts */
	res->nhits = res->nignhits = res->promoted = 0;
	res->ignored = res->prefmatched = res->has_date = res->has_time =
	    false;
	res->nofail = 0;
	res->time = 0;
	f->nhits = 0;
	f->nsnap = 0;
	f->npool = 0;
	if (known != NULL) {
		/* the time is known (a journal entry): no date cut */
		res->time = *known;
		res->has_time = true;
		r = 1;
	} else {
		r = sift_f2bdate_find(f->dates, line, n, &ds, &de,
		    &res->time, &res->has_time, err);
		if (r < 0)
			return -1;
	}
	found_date = r == 1;
	res->has_date = found_date;
	if (!found_date)
		ds = de = 0;
	if (f->maxlines > 1) {
		struct mline tmp;

		/* the last maxlines lines; the oldest drops out */
		f->nrm = 0;
		for (i = 0; i <= f->maxlines; i++)
			f->ml[i].promoted = false;
		if (f->nml == f->maxlines) {
			tmp = f->ml[0];
			memmove(f->ml, f->ml + 1, f->maxlines * sizeof(*f->ml));
			f->ml[f->maxlines] = tmp;
			f->nml--;
		}
		/* lines still buffered from before may be promoted */
		for (i = 0; i < f->nml; i++)
			f->ml[i].promoted = true;
		tmp = f->ml[f->nml];
		f->ml[f->nml] = f->ml[f->maxlines];
		f->ml[f->maxlines] = tmp;
		{
			struct mline *m = &f->ml[f->nml];

			grow(&m->cut, &m->cutcap, n + 1);
			memcpy(m->cut, line, ds);
			memcpy(m->cut + ds, line + de, n - de);
			m->cutn = n - (de - ds);
			grow(&m->org, &m->orgcap, n + 1);
			memcpy(m->org, line, n);
			m->orgn = n;
			m->seq = f->mlseq++;
			m->promoted = false;
		}
		f->nml++;
		mlbuf(f);
		bn = f->bufn;
		buf = f->buf;
	} else if (nl && ds == 0) {
		/* the date opens the line: the rest and its "\n" as they are */
		buf = line + de;
		bn = n - de + 1;
	} else {
		grow(&f->buf, &f->bufcap, n + 2);
		memcpy(f->buf, line, ds);
		memcpy(f->buf + ds, line + de, n - de);
		bn = n - (de - ds);
		f->buf[bn++] = '\n';
		buf = f->buf;
	}
	f->bufn = bn;
	f->prefsubj = buf;
	f->subj = buf;
	if (f->nign > 0 && f->nign + 2 < f->nfail) {
		r = ignore_line(f, buf, bn, res, err);
		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	if (f->haspref) {
		struct sift_str c;
		int cr;

		r = sift_rx_search(f->pref.rx, buf, bn, 0, err);
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		res->prefmatched = true;
		cr = rx_val(f->pref.rx, buf, "content", &c);
		if (cr == 1 && c.n > 0) {
			grow(&f->cbuf, &f->cbufcap, c.n + 2);
			memcpy(f->cbuf, c.p, c.n);
			f->cbuf[c.n] = '\n';
			buf = f->cbuf;
			bn = c.n + 1;
			if (f->maxlines > 1) {
				/* the buffer becomes the content alone */
				ml_remove(f, NULL, 0, f->bufn);
			}
		}
	}
	f->subj = buf;
	f->subjn = bn;
	/* which failregexes can match: one pass for all their literals */
	cand = f->flits != NULL ? sift_rxlits_scan(f->flits, buf, bn) :
	    ~(uint64_t)0;
	for (i = 0; i < f->nfail; i++) {
		struct sift_str v, mlfid;
		bool has_mlfid, nofail = false;
		static const char *const idg[] = { "fid", "ip4", "ip6",
		    "dns" };
		size_t k;
		bool has_id = false;

		if (!(cand >> i & 1))
			continue;
		r = sift_rx_search(f->fail[i].rx, buf, bn, 0, err);
		if (r < 0) {
			char m[sizeof(err->msg)];

			snprintf(m, sizeof(m), "%s", err->msg);
			sift_err_set(err, SIFT_E_LIMIT, 0, "failregex %zu: %s",
			    i + 1, m);
			return -1;
		}
		if (r == 0)
			continue;
		f->subj = buf;
		if (f->nign > 0) {
			r = ignore_line(f, buf, bn, res, err);
			if (r < 0)
				return -1;
			if (r == 1) {
				if (f->first_only)
					break;
				continue;
			}
		}
		has_mlfid = hit_val(f, (unsigned)i, buf, "mlfid", &mlfid) == 1;
		if (has_mlfid) {
			nofail = merge_mlf(f, (unsigned)i, mlfid,
			    matched_lines(f, buf, i));
			for (k = 0; k < SIFT_ARRAY_SIZE(idg); k++)
				if (truthy(dict_get(&f->snap[f->nsnap].g,
				    idg[k])))
					has_id = true;
		} else
			for (k = 0; k < SIFT_ARRAY_SIZE(idg); k++)
				if (hit_val(f, (unsigned)i, buf, idg[k],
				    &v) == 1)
					has_id = true;
		if (!has_id && has_mlfid) {
			mlf_mark_pending(f, mlfid);
			nofail = false;
		} else if (!has_id) {
			/* getFailID raised: logged, no failure */
			continue;
		}
		if (nofail) {
			res->ignored = true;
			res->nofail |= (uint64_t)1 << res->nhits;
		}
		f->hitre[f->nhits] = (unsigned)i;
		f->hitmatches[f->nhits] = matched_lines(f, buf, i);
		f->hitsnap[f->nhits] = -1;
		if (has_mlfid) {
			f->hitsnap[f->nhits] = (int)f->nsnap++;
			f->hitmatches[f->nhits] =
			    f->snap[f->hitsnap[f->nhits]].matches;
		}
		f->hitsubj[f->nhits] = buf;
		res->hit[res->nhits++] = (unsigned)i;
		f->nhits++;
		if (f->maxlines > 1) {
			/* matched lines leave the buffer */
			if (buf == f->buf)
				ml_remove(f, f->fail[i].rx,
				    sift_rx_start(f->fail[i].rx, 0),
				    sift_rx_end(f->fail[i].rx, 0));
			else
				ml_remove(f, NULL, 0, f->bufn);
			mlbuf(f);
			buf = f->buf;
			bn = f->bufn;
			cand = f->flits != NULL ?
			    sift_rxlits_scan(f->flits, buf, bn) : ~(uint64_t)0;
		}
		if (f->first_only)
			break;
	}
	if (f->maxlines > 1)
		ml_count_promoted(f, res);
	return 0;
}

/* A merged (<F-MLFID>) hit's value from its snapshot. */
static bool
snap_val(const struct sift_f2b *f, unsigned h, const char *name,
    struct sift_str *v)
{
	const char *x = dict_get(&f->snap[f->hitsnap[h]].g, name);

	if (x == NULL)
		return false;
	*v = sift_str_cstr(x);
	return true;
}

bool
sift_f2b_hit_group(const struct sift_f2b *f, unsigned h, const char *name,
    struct sift_str *v)
{
	if (h >= f->nhits)
		return false;
	if (f->hitsnap[h] >= 0)
		return snap_val(f, h, name, v);
	return hit_val(f, f->hitre[h], f->hitsubj[h], name, v) == 1;
}

bool
sift_f2b_hit_group_at(const struct sift_f2b *f, unsigned h, size_t i,
    const char **name, struct sift_str *v)
{
	const struct sift_rx *rx;
	unsigned nf, np, num;
	size_t k = 0, j;

	if (h >= f->nhits)
		return false;
	if (f->hitsnap[h] >= 0) {
		const struct dict *d = &f->snap[f->hitsnap[h]].g;

		for (j = 0; j < d->n; j++) {
			if (strcmp(d->e[j].k, "mlfpending") == 0 ||
			    strcmp(d->e[j].k, "nofail") == 0 ||
			    strcmp(d->e[j].k, "mlfgained") == 0)
				continue;
			if (k++ == i) {
				*name = d->e[j].k;
				*v = sift_str_cstr(d->e[j].v);
				return true;
			}
		}
		return false;
	}
	rx = f->fail[f->hitre[h]].rx;
	nf = sift_rx_names(rx);
	np = f->haspref ? sift_rx_names(f->pref.rx) : 0;
	for (j = 0; j < (size_t)nf + np; j++) {
		const struct sift_rx *r = j < nf ? rx : f->pref.rx;
		const char *subj = j < nf ? f->hitsubj[h] : f->prefsubj;
		const char *nm = sift_rx_name(r, (unsigned)(j < nf ? j :
		    j - nf), &num);
		size_t s;

		if (j >= nf && (strcmp(nm, "content") == 0 ||
		    sift_rx_group(rx, nm) >= 0))
			continue;
		s = sift_rx_start(r, num);
		if (s == SIFT_RX_UNSET)
			continue;
		if (k++ == i) {
			*name = nm;
			*v = sift_str_make(subj + s, sift_rx_end(r, num) - s);
			return true;
		}
	}
	return false;
}

bool
sift_f2b_hit_id(const struct sift_f2b *f, unsigned h, struct sift_str *id,
    const char **from)
{
	static const char *const idg[] = { "fid", "ip4", "ip6", "dns" };
	size_t k;

	if (h >= f->nhits)
		return false;
	for (k = 0; k < SIFT_ARRAY_SIZE(idg); k++)
		if (f->hitsnap[h] >= 0 ? snap_val(f, h, idg[k], id) &&
		    id->n > 0 : hit_val(f, f->hitre[h], f->hitsubj[h], idg[k],
		    id) == 1) {
			*from = idg[k];
			return true;
		}
	return false;
}

unsigned
sift_f2b_hit_attempts(const struct sift_f2b *f, unsigned h)
{
	if (h >= f->nhits)
		return 0;
	return f->hitmatches[h];
}

bool
sift_f2b_hit_user(const struct sift_f2b *f, unsigned h, size_t i,
    struct sift_str *user)
{
	const struct snap *sn;

	if (h >= f->nhits || f->hitsnap[h] < 0)
		return false;
	sn = &f->snap[f->hitsnap[h]];
	if (!sn->has_users || i >= sn->users.n)
		return false;
	*user = sift_str_cstr(sn->users.e[i].k);
	return true;
}

bool
sift_f2b_greedy(const char *expanded)
{
	/* samplestestcase.py's RE_WRONG_GREED, <HOST> as a literal */
	static const char pre[] = "\\.[+\\*](?!\\?)[^\\$\\^]*\\Q";
	static const char post[] = "\\E.*(?:\\.[+\\*].*|[^\\$])$";
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_rx *rx;
	char *pat;
	size_t n = strlen(pre) + strlen(R_HOST) + strlen(post) + 1;
	int r;

	pat = sift_xmalloc(n);
	snprintf(pat, n, "%s%s%s", pre, R_HOST, post);
	rx = sift_rx_new(pat, 0, &e);
	free(pat);
	if (rx == NULL)
		return false;
	r = sift_rx_search(rx, expanded, strlen(expanded), 0, &e);
	sift_rx_free(rx);
	return r == 1;
}
