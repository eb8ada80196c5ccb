/* SPDX-License-Identifier: ISC */
/*
 * offenders: classify abuse in Exim logs and rank the addresses, networks,
 * ASNs or countries behind it.
 */
#include <sys/stat.h>

#include <netinet/in.h>

#include <err.h>
#include <ifaddrs.h>
#include <pthread.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "agg.h"
#include "classify.h"
#include "cli.h"
#include "geo.h"
#include "json.h"
#include "logset.h"
#include "obuf.h"
#include "parse.h"
#include "reader.h"
#include "state.h"
#include "xalloc.h"
#include "banned.h"

enum format { F_TABLE, F_TSV, F_JSON, F_LIST };
enum group { G_IP, G_PREFIX, G_ASN, G_COUNTRY };

struct range {
	uint8_t	lo[16], hi[16];
};

struct opts {
	enum format	 format;
	const char	*out;
	enum group	 group;
	unsigned	 p4, p6;
	unsigned	 min_count, min_score;
	unsigned	 jobs;
	int64_t		 window;
	size_t		 top;
	int		 verbose;
	bool		 quiet;
	bool		 list_classes;
	bool		 records;	/* -r: eximparse TSV input */
	bool		 has_since, has_until;
	int64_t		 since, until, now;
	const char	*classes;	/* -c */
	const char	*state;
	const char	*geoip, *asn;
	char		**weights;	/* -W, NULL-terminated */
	size_t		 nweights;
	char		**rules;	/* -C */
	size_t		 nrules;
	char		**allow;	/* -a/-x */
	size_t		 nallow;
	bool		 allow_loopback;
	bool		 allow_self;
};

struct asnorg {
	uint32_t	 asn;
	const char	*org;
	size_t		 len;
};

/* Events waiting for their table slot to reach the cache. */
#define PEND	16

struct ctx {
	const struct opts	*o;
	struct sift_classifier	*cl;
	struct sift_agg		*agg;
	/*
	 * Jobs' tables holding the keys agg lacks (sift_agg_absorb()): the
	 * rows come from agg and these.
	 */
	struct sift_agg		**more;
	size_t			 nmore;
	struct sift_agg		*supp;		/* allowlisted keys */
	struct sift_parse_opts	 popts;
	uint32_t		 sel;		/* selected classes */
	unsigned		 weights[SIFT_CLASS_MAX];
	struct range		*allow;
	size_t			 nallow, capallow;
	uint64_t		 lines, unparsed, classified, noaddr,
				 outside, unselected, suppressed;
	uint64_t		 bycls[SIFT_CLASS_MAX];
	struct sift_state	*state;
	struct sift_geo		*gcc, *gasn;	/* country, ASN databases */
	struct asnorg		*orgs;
	size_t			 norgs, caporgs;
	uint64_t		 resumed, skipped_bytes, quick;
	struct sift_agg_event	 pend[PEND];
	unsigned		 npend;
	/* -r: columns of the TSV header, and room to unescape cells. */
	int			 col_ip, col_event, col_stage, col_reason,
				 col_text, col_epoch, col_ts, ncols;
	char			*cellbuf;
	bool			 trouble;
};

/*
 * The pieces of a file read by several jobs: each job takes the next
 * piece nobody has taken, so a job slowed down (a busy core) reads fewer.
 */
struct pieces {
	const char		*path;
	uint64_t		*bound;		/* n + 1 line boundaries */
	unsigned		 n;
	atomic_uint		 next;
};

/* A worker: its own context (classifier, tables, counters). */
struct job {
	struct ctx	 c;
	struct pieces	*pc;
	pthread_t	 t;
};

/* Table t of the rows: 0 is agg, then the jobs' tables. */
static const struct sift_agg *
tab_of(const struct ctx *c, unsigned t)
{
	return t == 0 ? c->agg : c->more[t - 1];
}

static const char usage_text[] =
"usage: offenders [-hLqrVv] [-a file] [-C rules] [-c classes] [-f format]\n"
"                 [-G db] [-g group] [-j jobs] [-n count] [-o file] [-s score]\n"
"                 [-t top]"
  " [-W class=weight] [-w window] [--allow-loopback]\n"
"                 [--allow-self] [--asn db] [--now time] [--prefix4 len]\n"
"                 [--prefix6 len] [--since time] [--state file]\n"
"                 [--until time] [file ...]\n";

static const char options_text[] =
"\n"
"  -a, -x, --allowlist FILE  never list addresses in FILE (CIDR lines)\n"
"      --allow-loopback      add 127.0.0.0/8 and ::1 to the allowlist\n"
"      --allow-self          add this machine's addresses to the allowlist\n"
"      --asn DB              MaxMind ASN database (-g asn, asn field)\n"
"  -C, --rules FILE          extra classification rules, tried first\n"
"  -c, --classes LIST        classes to count: names, all, or +x,-y\n"
"  -f, --format FMT          table, tsv, json or list\n"
"  -G, --geoip DB            MaxMind country/city database (-g country)\n"
"  -g, --group BY            ip (default), prefix, asn or country\n"
"  -h, --help                this help\n"
"  -j, --jobs N              threads for a large plain file\n"
"  -L, --list-classes        print the classes and the rule catalogue\n"
"  -n, --min-count N         list keys with at least N events (in a window)\n"
"      --now TIME            what \"now\" is (relative times, state)\n"
"  -o, --output FILE         write FILE atomically instead of stdout\n"
"      --prefix4/6 LEN       group by /LEN networks (default 24 and 64)\n"
"  -q, --quiet               do not report what the allowlist suppressed\n"
"  -r, --records             inputs are eximparse -f tsv records\n"
"  -s, --min-score N         list keys whose weighted score reaches N\n"
"      --since/--until TIME  only events in this time range\n"
"      --state FILE          read only what is new since the last run\n"
"  -t, --top N               only the N worst\n"
"  -V, --version             print the version\n"
"  -v, --verbose             counts (lines, events per class) on stderr\n"
"  -W, --weight CLASS=N      weight of a class in the score\n"
"  -w, --window TIME         thresholds must be reached within TIME (10m)\n"
"Exit status: 0 success (with or without offenders), 2 trouble.\n";

SIFT_NORETURN static void
usage(bool ok)
{
	fputs(usage_text, ok ? stdout : stderr);
	if (ok)
		fputs(options_text, stdout);
	exit(ok ? CLI_EXIT_OK : CLI_EXIT_TROUBLE);
}

enum {
	OPT_ALLOW_LOOPBACK = 256, OPT_ALLOW_SELF, OPT_ASN, OPT_NOW, OPT_PREFIX4, OPT_PREFIX6,
	OPT_SINCE, OPT_STATE, OPT_UNTIL
};

static const struct option longopts[] = {
	{ "allowlist",		required_argument, NULL, 'a' },
	{ "allow-loopback",	no_argument,	   NULL, OPT_ALLOW_LOOPBACK },
	{ "allow-self",		no_argument,	   NULL, OPT_ALLOW_SELF },
	{ "asn",		required_argument, NULL, OPT_ASN },
	{ "classes",		required_argument, NULL, 'c' },
	{ "format",		required_argument, NULL, 'f' },
	{ "geoip",		required_argument, NULL, 'G' },
	{ "group",		required_argument, NULL, 'g' },
	{ "by",			required_argument, NULL, 'g' },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "jobs",		required_argument, NULL, 'j' },
	{ "list-classes",	no_argument,	   NULL, 'L' },
	{ "min-count",		required_argument, NULL, 'n' },
	{ "min-score",		required_argument, NULL, 's' },
	{ "now",		required_argument, NULL, OPT_NOW },
	{ "output",		required_argument, NULL, 'o' },
	{ "prefix4",		required_argument, NULL, OPT_PREFIX4 },
	{ "prefix6",		required_argument, NULL, OPT_PREFIX6 },
	{ "quiet",		no_argument,	   NULL, 'q' },
	{ "records",		no_argument,	   NULL, 'r' },
	{ "rules",		required_argument, NULL, 'C' },
	{ "since",		required_argument, NULL, OPT_SINCE },
	{ "state",		required_argument, NULL, OPT_STATE },
	{ "top",		required_argument, NULL, 't' },
	{ "until",		required_argument, NULL, OPT_UNTIL },
	{ "verbose",		no_argument,	   NULL, 'v' },
	{ "version",		no_argument,	   NULL, 'V' },
	{ "weight",		required_argument, NULL, 'W' },
	{ "window",		required_argument, NULL, 'w' },
	{ NULL, 0, NULL, 0 }
};

static void
push(char ***v, size_t *n, char *s)
{
	*v = sift_xreallocarray(*v, *n + 2, sizeof(**v));
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

/* --- allowlist --------------------------------------------------------- */

static void
allow_add(struct ctx *c, const struct sift_cidr *ci)
{
	struct range r;
	unsigned bits = ci->a.family == 4 ? 96u + ci->prefix : ci->prefix;

	memcpy(r.lo, ci->a.b, 16);
	memcpy(r.hi, ci->a.b, 16);
	for (unsigned i = bits; i < 128; i++)
		r.hi[i / 8] |= (uint8_t)(0x80u >> (i % 8));
	if (c->nallow == c->capallow) {
		c->capallow = c->capallow ? c->capallow * 2 : 16;
		c->allow = sift_xreallocarray(c->allow, c->capallow,
		    sizeof(*c->allow));
	}
	c->allow[c->nallow++] = r;
}

static int
range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	int d = memcmp(x->lo, y->lo, 16);

	return d != 0 ? d : memcmp(y->hi, x->hi, 16);
}

/* Sort and merge overlapping ranges, so lookups can bisect. */
static void
allow_finish(struct ctx *c)
{
	size_t k = 0;

	if (c->nallow == 0)
		return;
	qsort(c->allow, c->nallow, sizeof(*c->allow), range_cmp);
	for (size_t i = 1; i < c->nallow; i++) {
		if (memcmp(c->allow[i].lo, c->allow[k].hi, 16) <= 0) {
			if (memcmp(c->allow[i].hi, c->allow[k].hi, 16) > 0)
				memcpy(c->allow[k].hi, c->allow[i].hi, 16);
		} else
			c->allow[++k] = c->allow[i];
	}
	c->nallow = k + 1;
}

static bool
allowed(const struct ctx *c, const struct sift_addr *a)
{
	size_t lo = 0, hi = c->nallow;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (memcmp(c->allow[mid].lo, a->b, 16) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && memcmp(a->b, c->allow[lo - 1].hi, 16) <= 0;
}

static void
allow_load(struct ctx *c, const char *path)
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned lineno = 0;
	struct sift_cidr ci;

	if (strcmp(path, "-") == 0)
		fp = stdin;
	else if ((fp = fopen(path, "r")) == NULL)
		err(CLI_EXIT_TROUBLE, "%s", path);
	while ((len = getline(&line, &cap, fp)) != -1) {
		char *p = line, *e;

		lineno++;
		if ((e = memchr(p, '#', (size_t)len)) != NULL)
			len = e - p;
		while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r' ||
		    p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		if (len == 0)
			continue;
		if (sift_cidr_parse(p, (size_t)len, &ci, false) == -1)
			errx(CLI_EXIT_TROUBLE, "%s:%u: invalid address or "
			    "prefix: %.*s", path, lineno,
			    (int)(len > 60 ? 60 : len), p);
		allow_add(c, &ci);
	}
	if (ferror(fp))
		err(CLI_EXIT_TROUBLE, "%s", path);
	free(line);
	if (fp != stdin)
		fclose(fp);
}

/* The addresses of this machine's interfaces (getifaddrs(3)). */
static void
allow_self(struct ctx *c)
{
	struct ifaddrs *ifa, *i;
	struct sift_cidr ci;

	if (getifaddrs(&ifa) == -1)
		err(CLI_EXIT_TROUBLE, "--allow-self: getifaddrs");
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		memset(&ci, 0, sizeof(ci));
		if (i->ifa_addr->sa_family == AF_INET) {
			const struct sockaddr_in *sin =
			    (const struct sockaddr_in *)(const void *)i->ifa_addr;
			uint32_t v4;

			memcpy(&v4, &sin->sin_addr, 4);
			sift_addr_from_v4(&ci.a, ntohl(v4));
			ci.prefix = 32;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			const struct sockaddr_in6 *sin6 =
			    (const struct sockaddr_in6 *)(const void *)
			    i->ifa_addr;

			ci.a.family = 6;
			memcpy(ci.a.b, &sin6->sin6_addr, 16);
			ci.prefix = 128;
		} else
			continue;
		allow_add(c, &ci);
	}
	freeifaddrs(ifa);
}

static void
allow_text(struct ctx *c, const char *s)
{
	struct sift_cidr ci;

	if (sift_cidr_parse(s, strlen(s), &ci, false) == -1)
		errx(CLI_EXIT_TROUBLE, "internal: bad prefix %s", s);
	allow_add(c, &ci);
}

/* --- classes and weights --------------------------------------------- */

static int
class_id(const struct ctx *c, const char *p, size_t n)
{
	int id = sift_classifier_class_id(c->cl, p, n);

	if (id < 0)
		errx(CLI_EXIT_TROUBLE, "unknown class: %.*s (see "
		    "--list-classes)", (int)(n > 40 ? 40 : n), p);
	return id;
}

/* "-c all", "-c auth,relay", "-c +tls,-helo" (changes to the default). */
static void
select_classes(struct ctx *c, const char *spec)
{
	int nc = sift_classifier_nclasses(c->cl);
	const char *p, *q;

	c->sel = 0;
	for (int i = 0; i < nc; i++)
		if (i >= SIFT_CL__BUILTIN || sift_class_builtin_default(i))
			c->sel |= UINT32_C(1) << i;
	if (spec == NULL)
		return;
	if (*spec != '+' && *spec != '-')
		c->sel = 0;
	for (p = spec; *p != '\0'; p = *q ? q + 1 : q) {
		char op = 0;
		size_t n;

		if ((q = strchr(p, ',')) == NULL)
			q = p + strlen(p);
		if (*p == '+' || *p == '-')
			op = *p++;
		n = (size_t)(q - p);
		if (n == 3 && memcmp(p, "all", 3) == 0) {
			uint32_t all = nc >= 32 ? UINT32_MAX :
			    (UINT32_C(1) << nc) - 1;

			c->sel = op == '-' ? 0 : all;
			continue;
		}
		if (n == 7 && memcmp(p, "default", 7) == 0) {
			for (int i = 0; i < nc; i++)
				if (i >= SIFT_CL__BUILTIN ||
				    sift_class_builtin_default(i))
					c->sel |= UINT32_C(1) << i;
			continue;
		}
		if (op == '-')
			c->sel &= ~(UINT32_C(1) << class_id(c, p, n));
		else
			c->sel |= UINT32_C(1) << class_id(c, p, n);
	}
}

static void
set_weights(struct ctx *c, char **spec, size_t n)
{
	for (int i = 0; i < SIFT_CLASS_MAX; i++)
		c->weights[i] = sift_class_builtin_weight(i);
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(spec[i], '=');
		int id;

		if (eq == NULL)
			errx(CLI_EXIT_TROUBLE, "-W %s: expected class=weight",
			    spec[i]);
		id = class_id(c, spec[i], (size_t)(eq - spec[i]));
		c->weights[id] = (unsigned)cli_number(eq + 1, 0, 1000,
		    "weight");
	}
}

/* --- listing --------------------------------------------------------- */

static void
list_classes(const struct ctx *c)
{
	char ev[512], st[128];
	size_t n = sift_classifier_nrules(c->cl);

	printf("%-14s %-6s %-7s %s\n", "class", "weight", "default",
	    "description");
	for (int i = 0; i < sift_classifier_nclasses(c->cl); i++)
		printf("%-14s %-6u %-7s %s\n",
		    sift_classifier_class_name(c->cl, i), c->weights[i],
		    (c->sel >> i) & 1 ? "yes" : "no",
		    i < SIFT_CL__BUILTIN ? sift_class_builtin_desc(i) :
		    "user rules");
	printf("\n%-4s %-14s %-30s %-8s %s\n", "rule", "class", "events",
	    "stages", "match");
	for (size_t i = 0; i < n; i++) {
		const struct sift_rule *r = sift_classifier_rule(c->cl, i);
		const char *cls = r->cls >= 0 ?
		    sift_classifier_class_name(c->cl, r->cls) : "none";

		printf("%-4zu %-14s %-30s %-8s %s%s", i + 1, cls,
		    sift_rule_events_str(r->events, ev, sizeof(ev)),
		    sift_rule_stages_str(r->stages, st, sizeof(st)),
		    r->where == SIFT_RW_TEXT ? "line " : "",
		    (r->flags & SIFT_RF_ANCHOR) ? "^" : "");
		if (r->text == NULL)
			fputs("*", stdout);
		else if (r->flags & SIFT_RF_REGEX)
			printf("/%s/", r->text);
		else
			printf("\"%s\"", r->text);
		if (r->text2 != NULL)
			printf(" ... \"%s\"", r->text2);
		if (r->flags & SIFT_RF_IPAFTER)
			fputs(" ADDRESS", stdout);
		if (sift_classifier_rule_is_user(c->cl, i))
			fputs("  (user)", stdout);
		else if (r->note != NULL)
			printf("  (%s)", r->note);
		putchar('\n');
	}
}

/* --- input ----------------------------------------------------------- */

/* --- geo ------------------------------------------------------------ */

static const char *const asn_paths[] = {
	"/usr/share/GeoIP/GeoLite2-ASN.mmdb",
	"/var/lib/GeoIP/GeoLite2-ASN.mmdb",
	NULL
};
static const char *const cc_paths[] = {
	"/usr/share/GeoIP/GeoLite2-Country.mmdb",
	"/usr/share/GeoIP/GeoLite2-City.mmdb",
	"/usr/share/GeoIP/dbip-country-lite.mmdb",
	"/var/lib/GeoIP/GeoLite2-Country.mmdb",
	"/var/lib/GeoIP/GeoLite2-City.mmdb",
	"/var/lib/GeoIP/dbip-country-lite.mmdb",
	NULL
};

static struct sift_geo *
geo_open(const char *path, const char *const *std, bool need,
    const char *what)
{
	struct sift_geo *g;
	struct sift_err e = SIFT_ERR_INIT;

	if (path == NULL && need && (path = sift_geo_find(std)) == NULL)
		errx(CLI_EXIT_TROUBLE, "-g %s: no %s database found (give "
		    "one with %s; looked in %s and %s)", what, what,
		    std == asn_paths ? "--asn" : "-G", std[0], std[1]);
	if (path == NULL)
		return NULL;
	if (sift_geo_open(&g, path, &e) == -1)
		errx(CLI_EXIT_TROUBLE, "%s", e.msg);
	return g;
}

static void
geo_info(struct ctx *c, const struct sift_addr *a, struct sift_geo_info *gi)
{
	struct sift_err e = SIFT_ERR_INIT;

	memset(gi, 0, sizeof(*gi));
	if (c->gcc != NULL && sift_geo_lookup(c->gcc, a, gi, &e) == -1) {
		warnx("%s", e.msg);
		c->trouble = true;
	}
	if (c->gasn != NULL && sift_geo_lookup(c->gasn, a, gi, &e) == -1) {
		warnx("%s", e.msg);
		c->trouble = true;
	}
}

static void orgs_finish(struct ctx *);

/* The ASN or country key of address a. */
static void
geo_key(struct ctx *c, const struct sift_addr *a, struct sift_key *k)
{
	struct sift_geo_info gi;

	geo_info(c, a, &gi);
	memset(k, 0, sizeof(*k));
	if (c->o->group == G_ASN) {
		k->a.family = SIFT_KEY_ASN;
		k->a.b[0] = (uint8_t)(gi.asn >> 24);
		k->a.b[1] = (uint8_t)(gi.asn >> 16);
		k->a.b[2] = (uint8_t)(gi.asn >> 8);
		k->a.b[3] = (uint8_t)gi.asn;
		if (gi.org != NULL && gi.asn != 0) {
			if (c->norgs == c->caporgs)
				orgs_finish(c);	/* drop duplicates first */
			if (c->norgs * 2 >= c->caporgs) {
				c->caporgs = c->caporgs ? c->caporgs * 2 : 64;
				c->orgs = sift_xreallocarray(c->orgs,
				    c->caporgs, sizeof(*c->orgs));
			}
			c->orgs[c->norgs].asn = gi.asn;
			c->orgs[c->norgs].org = gi.org;
			c->orgs[c->norgs].len = gi.org_len;
			c->norgs++;
		}
	} else {
		k->a.family = SIFT_KEY_CC;
		if (gi.country[0] != '\0') {
			k->a.b[0] = (uint8_t)gi.country[0];
			k->a.b[1] = (uint8_t)gi.country[1];
		} else
			k->a.b[0] = k->a.b[1] = '-';
	}
}

static int
org_cmp(const void *a, const void *b)
{
	const struct asnorg *x = a, *y = b;

	return x->asn < y->asn ? -1 : x->asn > y->asn;
}

static void
orgs_finish(struct ctx *c)
{
	size_t k = 0;

	if (c->norgs == 0)
		return;
	qsort(c->orgs, c->norgs, sizeof(*c->orgs), org_cmp);
	for (size_t i = 1; i < c->norgs; i++)
		if (c->orgs[i].asn != c->orgs[k].asn)
			c->orgs[++k] = c->orgs[i];
	c->norgs = k + 1;
}

static const struct asnorg *
org_of(const struct ctx *c, uint32_t asn)
{
	struct asnorg key = { asn, NULL, 0 };

	if (c->norgs == 0)
		return NULL;
	return bsearch(&key, c->orgs, c->norgs, sizeof(*c->orgs), org_cmp);
}

static uint32_t
key_asn(const struct sift_agg_ent *e)
{
	return (uint32_t)e->key.b[0] << 24 | (uint32_t)e->key.b[1] << 16 |
	    (uint32_t)e->key.b[2] << 8 | e->key.b[3];
}

/* Addresses into ASNs or countries, once per address. */
static void
regroup(struct ctx *c)
{
	struct sift_agg *g;
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_key k;

	if (sift_agg_new(&g, NULL, &e) == -1)
		errx(CLI_EXIT_TROUBLE, "%s", e.msg);
	const struct sift_agg_ent *en;
	size_t pos = 0;

	for (unsigned t = 0; t <= c->nmore; t++)
		for (pos = 0; (en = sift_agg_next(tab_of(c, t), &pos)) !=
		    NULL;) {
			geo_key(c, &en->key, &k);
			sift_agg_merge_entry(g, &k, tab_of(c, t), en);
		}
	sift_agg_free(c->agg);
	for (size_t i = 0; i < c->nmore; i++)
		sift_agg_free(c->more[i]);
	c->nmore = 0;
	c->agg = g;
}

/* Count the pending events, in order (windows need it). */
static void
flush(struct ctx *c)
{
	sift_agg_add_many(c->agg, c->pend, c->npend);
	c->npend = 0;
}

static void
count_event(struct ctx *c, const struct sift_rec *rec,
    const struct sift_match *m)
{
	struct sift_key k;
	int64_t ts = rec->ts.valid ? rec->ts.sec : 0;

	c->classified++;
	if (((c->sel >> m->cls) & 1) == 0) {
		c->unselected++;
		return;
	}
	if (m->ip.family == 0) {
		c->noaddr++;
		return;
	}
	if (c->o->has_since && (!rec->ts.valid || ts < c->o->since)) {
		c->outside++;
		return;
	}
	if (c->o->has_until && (!rec->ts.valid || ts >= c->o->until)) {
		c->outside++;
		return;
	}
	k.a = m->ip;
	k.plen = 0;
	if (c->nallow != 0 && allowed(c, &m->ip)) {
		c->suppressed++;
		(void)sift_agg_add(c->supp, &k, m->cls, ts);
		return;
	}
	if (c->o->group == G_PREFIX) {
		k.plen = (uint8_t)(k.a.family == 4 ? c->o->p4 : c->o->p6);
		sift_addr_mask(&k.a, k.plen);
	} else if (c->o->window > 0 && (c->o->group == G_ASN ||
	    c->o->group == G_COUNTRY))
		geo_key(c, &m->ip, &k);	/* a window needs the key now */
	c->bycls[m->cls]++;
	c->pend[c->npend].k = k;
	c->pend[c->npend].cls = m->cls;
	c->pend[c->npend].ts = ts;
	sift_agg_prefetch(c->agg, &k);
	if (++c->npend == PEND)
		flush(c);
}

/*
 * For --state: the first SIFT_STATE_HEAD decoded bytes of path (lines
 * joined by newlines), its identity, and whether it is plain text.
 */
static int
read_head(const char *path, unsigned char *head, size_t *headlen,
    struct stat *st, bool *plain, struct sift_err *e)
{
	struct sift_reader *r;
	struct sift_str line;
	int rc;

	*headlen = 0;
	if (sift_reader_open(&r, path, NULL, e) == -1)
		return -1;
	if (sift_reader_fstat(r, st) == -1) {
		sift_reader_close(r);
		return sift_err_sys(e, SIFT_E_IO, errno, "%s", path);
	}
	while (*headlen < SIFT_STATE_HEAD &&
	    (rc = sift_reader_next(r, &line, e)) == 1) {
		size_t n = line.n;

		if (n > SIFT_STATE_HEAD - *headlen)
			n = SIFT_STATE_HEAD - *headlen;
		memcpy(head + *headlen, line.p, n);
		*headlen += n;
		if (*headlen < SIFT_STATE_HEAD)
			head[(*headlen)++] = '\n';
	}
	*plain = strcmp(sift_reader_codec(r), "plain") == 0;
	sift_reader_close(r);
	return 0;
}

/*
 * End of the last complete line of a plain file of size bytes: a line
 * still being written is left for the next run.
 */
static uint64_t
complete_end(const char *path, uint64_t size)
{
	char buf[65536];
	uint64_t from;
	ssize_t n;
	int fd;

	if (size == 0 || (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return size;
	from = size > sizeof(buf) ? size - sizeof(buf) : 0;
	n = pread(fd, buf, (size_t)(size - from), (off_t)from);
	close(fd);
	if (n != (ssize_t)(size - from))
		return size;
	for (ssize_t i = n; i > 0; i--)
		if (buf[i - 1] == '\n')
			return from + (uint64_t)i;
	return size;
}

/* --- -r: eximparse TSV records ---------------------------------------- */

#define TSV_MAXCOLS	128

/* Columns by name from a "#name\tname..." header line. */
static int
tsv_header(struct ctx *c, struct sift_str line)
{
	const char *p = line.p + 1, *end = line.p + line.n, *q;
	int i = 0;

	c->col_ip = c->col_event = c->col_stage = c->col_reason = -1;
	c->col_text = c->col_epoch = c->col_ts = -1;
	for (; p <= end && i < TSV_MAXCOLS; p = q + 1, i++) {
		size_t n;

		if ((q = memchr(p, '\t', (size_t)(end - p))) == NULL)
			q = end;
		n = (size_t)(q - p);
#define COL(name, v) if (n == sizeof(name) - 1 && \
		    memcmp(p, name, n) == 0) v = i
		COL("ip", c->col_ip);
		COL("event", c->col_event);
		COL("stage", c->col_stage);
		COL("reason", c->col_reason);
		COL("text", c->col_text);
		COL("epoch", c->col_epoch);
		COL("ts", c->col_ts);
#undef COL
		if (q == end)
			break;
	}
	c->ncols = i + 1;
	return c->col_ip >= 0 && c->col_event >= 0 ? 0 : -1;
}

/* Unescape a TSV cell (\t \n \r \\ \xHH) into out; returns its view. */
static struct sift_str
tsv_cell(const char *p, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] != '\\' || i + 1 == n) {
			out[o++] = p[i];
			continue;
		}
		switch (p[++i]) {
		case 't':
			out[o++] = '\t';
			break;
		case 'n':
			out[o++] = '\n';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case 'x':
			if (i + 2 < n) {
				char hex[3] = { p[i + 1], p[i + 2], '\0' };
				char *e;
				long v = strtol(hex, &e, 16);

				if (*e == '\0') {
					out[o++] = (char)v;
					i += 2;
					break;
				}
			}
			out[o++] = 'x';
			break;
		default:
			out[o++] = p[i];
		}
	}
	return sift_str_make(out, o);
}

static int
stage_by_name(struct sift_str s)
{
	for (int i = 0; i < SIFT_ST__COUNT; i++) {
		const char *nm = sift_stage_name((enum sift_stage)i);

		if (nm != NULL && sift_str_eqc(s, nm))
			return i;
	}
	return SIFT_ST_NONE;
}

/* One TSV record into rec; false when it has no usable event. */
static bool
tsv_record(struct ctx *c, struct sift_str line, struct sift_rec *rec)
{
	struct sift_str cell[TSV_MAXCOLS];
	const char *p = line.p, *end = line.p + line.n, *q;
	char *out = c->cellbuf, tmp[64];
	int n = 0, ev;

	for (; n < TSV_MAXCOLS; p = q + 1) {
		if ((q = memchr(p, '\t', (size_t)(end - p))) == NULL)
			q = end;
		cell[n++] = sift_str_make(p, (size_t)(q - p));
		if (q == end)
			break;
	}
	memset(rec, 0, sizeof(*rec));
	rec->line = line;
	rec->pid = -1;
	rec->port = -1;
	if (c->col_event >= n || (ev = sift_event_from_name(
	    cell[c->col_event].p, cell[c->col_event].n)) < 0)
		return false;
	rec->event = (enum sift_event)ev;
	if (c->col_ip < n && cell[c->col_ip].n > 0 &&
	    sift_addr_parse(cell[c->col_ip].p, cell[c->col_ip].n,
	    &rec->ip) == -1)
		rec->ip.family = 0;
	if (c->col_stage >= 0 && c->col_stage < n)
		rec->stage = (enum sift_stage)stage_by_name(cell[c->col_stage]);
	if (c->col_reason >= 0 && c->col_reason < n) {
		rec->reason = tsv_cell(cell[c->col_reason].p,
		    cell[c->col_reason].n, out);
		out += rec->reason.n;
	}
	if (c->col_text >= 0 && c->col_text < n)
		rec->text = tsv_cell(cell[c->col_text].p, cell[c->col_text].n,
		    out);
	else
		rec->text = rec->reason;
	if (c->col_epoch >= 0 && c->col_epoch < n &&
	    cell[c->col_epoch].n > 0 && cell[c->col_epoch].n < sizeof(tmp)) {
		char *e;

		memcpy(tmp, cell[c->col_epoch].p, cell[c->col_epoch].n);
		tmp[cell[c->col_epoch].n] = '\0';
		rec->ts.sec = strtoll(tmp, &e, 10);
		rec->ts.valid = *e == '\0' || *e == '.';
	} else if (c->col_ts >= 0 && c->col_ts < n &&
	    cell[c->col_ts].n > 0 && cell[c->col_ts].n < sizeof(tmp)) {
		int64_t t;

		memcpy(tmp, cell[c->col_ts].p, cell[c->col_ts].n);
		tmp[cell[c->col_ts].n] = '\0';
		if (cli_time(tmp, c->o->now, &t) == 0) {
			rec->ts.sec = t;
			rec->ts.valid = true;
		}
	}
	return true;
}

static void
scan_tsv(struct ctx *c, struct sift_reader *r, uint64_t limit,
    uint64_t *done_off, uint64_t *done_line)
{
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_str line;
	struct sift_rec rec;
	struct sift_match m;
	bool header = c->ncols > 0;
	int rc;

	if (c->cellbuf == NULL)
		c->cellbuf = sift_xmalloc(2 * SIFT_READER_MAX_LINE + 2);
	while ((rc = sift_reader_next(r, &line, &e)) == 1) {
		if (sift_reader_offset(r) > limit)
			break;
		*done_off = sift_reader_offset(r);
		c->lines++;
		if (line.n > 0 && line.p[0] == '#') {
			if (tsv_header(c, line) == -1) {
				warnx("%s:%" PRIu64 ": -r: the header has no "
				    "ip and event fields", sift_reader_name(r),
				    sift_reader_lineno(r));
				c->trouble = true;
				break;
			}
			header = true;
			continue;
		}
		if (!header) {
			warnx("%s:%" PRIu64 ": -r: records without a header "
			    "line (eximparse -f tsv writes one)",
			    sift_reader_name(r), sift_reader_lineno(r));
			c->trouble = true;
			break;
		}
		if (!tsv_record(c, line, &rec)) {
			c->unparsed++;
			continue;
		}
		if (sift_classify(c->cl, &rec, &m) < 0)
			continue;
		count_event(c, &rec, &m);
	}
	flush(c);
	*done_line = sift_reader_lineno(r);
	if (rc == 1)
		(*done_line)--;
	if (rc == -1) {
		cli_report(&e);
		c->trouble = true;
	}
}

/*
 * Count the lines of r up to decoded offset limit (the line ending there
 * included). done_off and done_line: where the last line counted ended.
 */
static void
scan(struct ctx *c, struct sift_reader *r, uint64_t limit,
    uint64_t *done_off, uint64_t *done_line)
{
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_str line;
	struct sift_rec rec;
	struct sift_match m;
	bool counts[SIFT_EV__COUNT];
	int rc, qe;

	if (c->o->records) {
		scan_tsv(c, r, limit, done_off, done_line);
		return;
	}
	/* sift_classifier_event_counts() once an event, not once a line */
	for (int ev = 0; ev < SIFT_EV__COUNT; ev++)
		counts[ev] = sift_classifier_event_counts(c->cl,
		    (enum sift_event)ev);
	while ((rc = sift_reader_next(r, &line, &e)) == 1) {
		uint64_t off = sift_reader_offset(r);

		if (off > limit)
			break;
		*done_off = off;
		c->lines++;
		if ((qe = sift_line_quick_event(line)) >= 0 &&
		    (qe >= SIFT_EV__COUNT || !counts[qe])) {
			c->quick++;
			continue;
		}
		if (sift_parse(line, &rec, &c->popts) < 0) {
			c->unparsed++;
			continue;
		}
		if (sift_classify(c->cl, &rec, &m) < 0)
			continue;
		count_event(c, &rec, &m);
	}
	flush(c);
	*done_line = sift_reader_lineno(r);
	if (rc == 1)	/* stopped at the limit: that line is not ours */
		(*done_line)--;
	if (rc == -1) {
		cli_report(&e);
		c->trouble = true;
	}
}

/* Read pieces until none is left. */
static void
take_pieces(struct ctx *c, struct pieces *pc)
{
	unsigned k;

	while ((k = atomic_fetch_add(&pc->next, 1)) < pc->n) {
		struct sift_reader *r;
		struct sift_reader_opts ro;
		struct sift_err e = SIFT_ERR_INIT;
		uint64_t off, ln;

		if (pc->bound[k] >= pc->bound[k + 1])
			continue;
		memset(&ro, 0, sizeof(ro));
		ro.start_offset = pc->bound[k];
		if (sift_reader_open(&r, pc->path, &ro, &e) == -1) {
			cli_report(&e);
			c->trouble = true;
			continue;
		}
		scan(c, r, pc->bound[k + 1], &off, &ln);
		sift_reader_close(r);
	}
}

static void *
job_run(void *arg)
{
	struct job *j = arg;

	take_pieces(&j->c, j->pc);
	return NULL;
}

/* A worker context: shares options and allowlist, owns the rest. */
static void
job_init(struct job *j, const struct ctx *c)
{
	struct sift_err e = SIFT_ERR_INIT;

	j->c = *c;
	j->c.cl = sift_classifier_clone(c->cl);
	if (j->c.cl == NULL ||
	    sift_agg_new(&j->c.agg, NULL, &e) == -1 ||
	    sift_agg_new(&j->c.supp, NULL, &e) == -1)
		errx(CLI_EXIT_TROUBLE, "worker: %s", e.msg);
	j->c.lines = j->c.unparsed = j->c.classified = j->c.noaddr = 0;
	j->c.outside = j->c.unselected = j->c.suppressed = j->c.quick = 0;
	memset(j->c.bycls, 0, sizeof(j->c.bycls));
	j->c.state = NULL;
	j->c.more = NULL;
	j->c.nmore = 0;
	j->c.npend = 0;
	j->c.trouble = false;
}

static void
job_merge(struct ctx *c, struct job *j)
{
	struct sift_err e = SIFT_ERR_INIT;

	/*
	 * The keys this table shares with the others are counted there; it
	 * keeps the rest: no table grows (growing a big one means a fresh
	 * copy, while the other job waits).
	 */
	if (sift_agg_absorb(c->agg, j->c.agg, &e) == -1 ||
	    sift_agg_merge(c->supp, j->c.supp, &e) == -1)
		errx(CLI_EXIT_TROUBLE, "%s", e.msg);
	for (size_t i = 0; i < c->nmore; i++)
		if (sift_agg_absorb(c->more[i], j->c.agg, &e) == -1)
			errx(CLI_EXIT_TROUBLE, "%s", e.msg);
	if (sift_agg_size(j->c.agg) > 0) {
		c->more = sift_xreallocarray(c->more, c->nmore + 1,
		    sizeof(*c->more));
		c->more[c->nmore++] = j->c.agg;
	} else
		sift_agg_free(j->c.agg);
	c->lines += j->c.lines;
	c->unparsed += j->c.unparsed;
	c->classified += j->c.classified;
	c->noaddr += j->c.noaddr;
	c->outside += j->c.outside;
	c->unselected += j->c.unselected;
	c->suppressed += j->c.suppressed;
	c->quick += j->c.quick;
	for (int i = 0; i < SIFT_CLASS_MAX; i++)
		c->bycls[i] += j->c.bycls[i];
	c->trouble |= j->c.trouble;
	sift_agg_free(j->c.supp);
	sift_classifier_free(j->c.cl);
}

/* Start of the line after byte at of path (a chunk boundary). */
static uint64_t
next_line(int fd, uint64_t at, uint64_t size)
{
	char buf[4096];
	ssize_t n;

	while (at < size) {
		if ((n = pread(fd, buf, sizeof(buf), (off_t)at)) <= 0)
			return size;
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == '\n')
				return at + (uint64_t)i + 1;
		at += (uint64_t)n;
	}
	return size;
}

/*
 * A big plain file without a window or state is cut at line boundaries
 * into PIECES pieces per job; workers and this thread take the next free
 * piece until none is left, each counting into its own tables, which are
 * merged at the end.
 */
#define CHUNK_MIN	(4u << 20)
#define PIECES		8

static bool
read_parallel(struct ctx *c, struct sift_reader *r, const char *path)
{
	struct stat st;
	struct job *jobs;
	struct pieces pc;
	unsigned n = c->o->jobs, started = 0, np;
	uint64_t *bound;
	int fd;

	if (n < 2 || c->o->window > 0 || c->state != NULL || c->o->records ||
	    strcmp(sift_reader_codec(r), "plain") != 0 ||
	    strcmp(path, "-") == 0 || sift_reader_fstat(r, &st) == -1 ||
	    !S_ISREG(st.st_mode) || (uint64_t)st.st_size < (uint64_t)n *
	    CHUNK_MIN)
		return false;
	if (n > 64)
		n = 64;
	/* pieces of at least CHUNK_MIN / 2 bytes, PIECES per job at most */
	np = n * PIECES;
	if ((uint64_t)st.st_size / np < CHUNK_MIN / 2)
		np = (unsigned)((uint64_t)st.st_size / (CHUNK_MIN / 2));
	if (np < n)
		np = n;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return false;
	bound = sift_xreallocarray(NULL, np + 1, sizeof(*bound));
	bound[0] = 0;
	for (unsigned k = 1; k < np; k++)
		bound[k] = next_line(fd, (uint64_t)st.st_size / np * k,
		    (uint64_t)st.st_size);
	bound[np] = UINT64_MAX;	/* the last piece reads what grows too */
	close(fd);
	pc.path = path;
	pc.bound = bound;
	pc.n = np;
	atomic_init(&pc.next, 0);
	jobs = sift_xcalloc(n, sizeof(*jobs));
	for (unsigned k = 1; k < n; k++) {
		job_init(&jobs[k], c);
		jobs[k].pc = &pc;
		if (pthread_create(&jobs[k].t, NULL, job_run, &jobs[k]) != 0) {
			job_run(&jobs[k]);	/* no thread */
			jobs[k].t = pthread_self();
		}
		started++;
	}
	take_pieces(c, &pc);
	for (unsigned k = 1; k <= started; k++) {
		if (!pthread_equal(jobs[k].t, pthread_self()))
			pthread_join(jobs[k].t, NULL);
		job_merge(c, &jobs[k]);
	}
	free(jobs);
	free(bound);
	return true;
}

static void
read_input(struct ctx *c, const char *path)
{
	struct sift_reader *r;
	struct sift_reader_opts ro;
	struct sift_err e = SIFT_ERR_INIT;
	struct stat st;
	const struct sift_state_ent *old;
	struct sift_state_ent ne;
	unsigned char head[SIFT_STATE_HEAD];
	size_t headlen = 0;
	uint64_t limit, done_off, done_line;
	bool plain = false;
	int tries = 0;

again:
	memset(&ro, 0, sizeof(ro));
	old = NULL;
	limit = UINT64_MAX;
	if (c->state != NULL) {
		if (read_head(path, head, &headlen, &st, &plain, &e) == -1) {
			cli_report(&e);
			c->trouble = true;
			return;
		}
		if (plain)
			limit = complete_end(path, (uint64_t)st.st_size);
		old = sift_state_match(c->state, (uint64_t)st.st_dev,
		    (uint64_t)st.st_ino, head, headlen);
		if (old != NULL && old->offset > limit) {
			/* Truncated in place (copytruncate): start over. */
			if (c->o->verbose)
				warnx("%s: shorter than at the last run, "
				    "reading it again", path);
			old = NULL;
		}
		if (old != NULL) {
			ro.start_offset = old->offset;
			ro.start_lineno = old->lineno;
		}
	}
	if (sift_reader_open(&r, path, &ro, &e) == -1) {
		cli_report(&e);
		c->trouble = true;
		return;
	}
	/*
	 * The name was opened again: a log rotated in between is another
	 * file, whose head and offset the state must not be given. Look
	 * again, at the file now under the name.
	 */
	if (c->state != NULL) {
		struct stat now;

		if (sift_reader_fstat(r, &now) == -1 || now.st_dev !=
		    st.st_dev || now.st_ino != st.st_ino) {
			sift_reader_close(r);
			if (++tries < 10) {
				if (c->o->verbose > 1)
					warnx("%s: replaced while opened, "
					    "looking again", path);
				goto again;
			}
			warnx("%s: replaced again and again while opened",
			    path);
			c->trouble = true;
			return;
		}
	}
	if (old != NULL) {
		c->resumed++;
		c->skipped_bytes += old->offset;
		if (c->o->verbose > 1)
			warnx("%s: resuming at byte %" PRIu64 ", line %"
			    PRIu64 " (was %s)", path, old->offset,
			    old->lineno, old->name);
	}
	done_off = ro.start_offset;
	done_line = ro.start_lineno;
	if (!read_parallel(c, r, path))
		scan(c, r, limit, &done_off, &done_line);
	sift_reader_close(r);
	if (c->state != NULL && headlen > 0) {
		memset(&ne, 0, sizeof(ne));
		ne.dev = (uint64_t)st.st_dev;
		ne.ino = (uint64_t)st.st_ino;
		ne.fplen = (uint32_t)(headlen < done_off ? headlen : done_off);
		ne.fp = sift_state_fingerprint(head, ne.fplen);
		ne.offset = done_off;
		ne.lineno = done_line;
		ne.name = path;
		sift_state_put(c->state, &ne);
	}
}

/* A rejectlog or paniclog: their lines repeat the main log's. */
static bool
side_log(const char *path)
{
	const char *b = strrchr(path, '/');

	b = b != NULL ? b + 1 : path;
	return strstr(b, "rejectlog") != NULL || strstr(b, "paniclog") != NULL;
}

/*
 * The operands in reading order: directories expanded to the Exim main
 * logs in them (reject and panic logs repeat the main log's lines, so
 * only named ones are read), each rotated set oldest first
 * (lib/logset.h), so windows see events in time order.
 */
static void
read_all(struct ctx *c, int argc, char *argv[])
{
	struct sift_logset_opts lo;
	struct sift_logset *ls;
	struct sift_err e = SIFT_ERR_INIT;
	size_t n;

	memset(&lo, 0, sizeof(lo));
	lo.threads = 1;
	ls = sift_logset_new(&lo);
	if (argc == 0 && sift_logset_add(ls, "-", &e) == -1) {
		cli_report(&e);
		c->trouble = true;
	}
	for (int i = 0; i < argc; i++)
		if (sift_logset_add(ls, argv[i], &e) == -1) {
			cli_report(&e);
			c->trouble = true;
		}
	n = sift_logset_count(ls);
	for (size_t i = 0; i < n; i++) {
		const char *path = sift_logset_path(ls, i);
		bool named = false;

		for (int k = 0; k < argc && !named; k++)
			named = strcmp(argv[k], path) == 0;
		if (!named && side_log(path))
			continue;
		read_input(c, path);
	}
	sift_logset_free(ls);
}

/* --- output ---------------------------------------------------------- */

struct row {
	const struct sift_agg_ent *e;
	uint64_t score;
	uint32_t count;		/* copied: sorting touches only rows */
	uint32_t tab;		/* the entry's table (tab_of()) */
	uint64_t hint;		/* key order prefix, see row_hint() */
};

static uint64_t
score_of(const struct ctx *c, const struct sift_agg *ag,
    const struct sift_agg_ent *e)
{
	uint64_t s = 0;

	if (e->nslot != SIFT_AGG_EXT) {
		for (unsigned i = 0; i < e->nslot; i++)
			s += (uint64_t)e->cnt[i] * c->weights[e->cls[i]];
		return s;
	}
	for (int i = 0; i < SIFT_CLASS_MAX; i++)
		s += (uint64_t)sift_agg_class_count(ag, e, i) *
		    c->weights[i];
	return s;
}

static int
row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	/* most ties are settled here, without touching the entries */
	if (x->hint != y->hint)
		return x->hint < y->hint ? -1 : 1;
	if (x->e->key.family != y->e->key.family)
		return x->e->key.family < y->e->key.family ? -1 : 1;
	return memcmp(x->e->key.b, y->e->key.b, 16);
}

static inline bool
row_before(const struct row *x, const struct row *y)
{
	if (x->score != y->score)
		return x->score > y->score;
	if (x->count != y->count)
		return x->count > y->count;
	if (x->hint != y->hint)
		return x->hint < y->hint;
	return row_cmp(x, y) < 0;
}

/* Sort a[0..n) by row_cmp: insertion runs of 16, then merges. */
static void
rows_msort(struct row *a, size_t n)
{
	struct row *tmp, *src, *dst;

	for (size_t lo = 0; lo < n; lo += 16) {
		size_t hi = lo + 16 < n ? lo + 16 : n;

		for (size_t i = lo + 1; i < hi; i++) {
			struct row v = a[i];
			size_t j = i;

			while (j > lo && row_before(&v, &a[j - 1])) {
				a[j] = a[j - 1];
				j--;
			}
			a[j] = v;
		}
	}
	if (n <= 16)
		return;
	tmp = sift_xreallocarray(NULL, n, sizeof(*tmp));
	src = a;
	dst = tmp;
	for (size_t w = 16; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n;
			size_t hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, k = lo;

			while (i < mid && j < hi)
				dst[k++] = row_before(&src[j], &src[i]) ?
				    src[j++] : src[i++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		tmp = src;
		src = dst;
		dst = tmp;
	}
	if (src != a) {
		memcpy(a, src, n * sizeof(*a));
		free(src);
	} else
		free(dst);
}

#define RADIX_ROWS	1024	/* fewer rows: the merge sort is quicker */
#define RADIX_DIGITS	20	/* bytes of hint, ~count and ~score */

/* Byte d of the sort key, least significant first (see row_before()). */
static inline unsigned
row_digit(const struct row *r, unsigned d)
{
	if (d < 8)
		return (unsigned)(r->hint >> (8 * d)) & 0xff;
	if (d < 12)
		return (unsigned)(~r->count >> (8 * (d - 8))) & 0xff;
	return (unsigned)(~r->score >> (8 * (d - 12))) & 0xff;
}

/*
 * rows_msort()'s order, stable like it: a least significant digit radix
 * sort by (score, count, hint), passes whose digit is the same in every
 * row skipped, then the runs that tie on all three put in row_cmp order.
 */
static void
rows_sort(struct row *a, size_t n)
{
	size_t (*hist)[256], i, j;
	struct row *tmp, *src, *dst, *t;

	if (n < RADIX_ROWS) {
		rows_msort(a, n);
		return;
	}
	hist = sift_xcalloc(RADIX_DIGITS, sizeof(*hist));
	for (i = 0; i < n; i++) {
		const struct row *r = &a[i];
		uint64_t h = r->hint, sc = ~r->score;
		uint32_t ct = ~r->count;

		for (unsigned d = 0; d < 8; d++)
			hist[d][(h >> (8 * d)) & 0xff]++;
		for (unsigned d = 0; d < 4; d++)
			hist[8 + d][(ct >> (8 * d)) & 0xff]++;
		for (unsigned d = 0; d < 8; d++)
			hist[12 + d][(sc >> (8 * d)) & 0xff]++;
	}
	tmp = sift_xreallocarray(NULL, n, sizeof(*tmp));
	src = a;
	dst = tmp;
	for (unsigned d = 0; d < RADIX_DIGITS; d++) {
		size_t *h = hist[d], sum = 0;

		if (h[row_digit(&src[0], d)] == n)
			continue;	/* one value: this pass moves nothing */
		for (unsigned b = 0; b < 256; b++) {
			size_t c = h[b];

			h[b] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[h[row_digit(&src[i], d)]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
	free(tmp);
	free(hist);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && a[j].score == a[i].score &&
		    a[j].count == a[i].count && a[j].hint == a[i].hint; j++)
			;
		if (j - i > 1)
			rows_msort(a + i, j - i);
	}
}

struct sort_half {
	struct row	*a;
	size_t		 n;
	pthread_t	 t;
};

static void *
sort_run(void *arg)
{
	struct sort_half *h = arg;

	rows_sort(h->a, h->n);
	return NULL;
}

#define PAR_ROWS	4096	/* fewer rows: one thread is quicker */

/* rows_sort() with the second half sorted by another thread. */
static void
rows_sort_par(const struct ctx *c, struct row *a, size_t n)
{
	struct sort_half h;
	struct row *out;
	size_t i, j, k, mid = n / 2;

	if (c->o->jobs < 2 || n < PAR_ROWS) {
		rows_sort(a, n);
		return;
	}
	h.a = a + mid;
	h.n = n - mid;
	if (pthread_create(&h.t, NULL, sort_run, &h) != 0) {
		rows_sort(a, n);
		return;
	}
	rows_sort(a, mid);
	pthread_join(h.t, NULL);
	out = sift_xreallocarray(NULL, n, sizeof(*out));
	for (i = 0, j = mid, k = 0; i < mid && j < n;)
		out[k++] = row_before(&a[j], &a[i]) ? a[j++] : a[i++];
	while (i < mid)
		out[k++] = a[i++];
	while (j < n)
		out[k++] = a[j++];
	memcpy(a, out, n * sizeof(*a));
	free(out);
}

/*
 * The family and 7 bytes of the key as one number that orders like
 * (family, memcmp of the key): the first bytes, or for IPv4 the last 7
 * (b[0..9) is the same for all of them; the caller checks that).
 */
static uint64_t
row_hint(const struct sift_addr *k)
{
	const uint8_t *b = k->b + (k->family == 4 ? 9 : 0);
	uint64_t h = k->family;

	for (int i = 0; i < 7; i++)
		h = h << 8 | b[i];
	return h;
}

static void
key_text(const struct sift_agg_ent *e, char *buf, size_t sz)
{
	struct sift_cidr ci;

	switch (e->key.family) {
	case 4:
	case 6:
		if (e->plen == 0) {
			sift_addr_format(&e->key, buf, sz);
			return;
		}
		ci.a = e->key;
		ci.prefix = e->plen;
		sift_cidr_format(&ci, buf, sz);
		return;
	case SIFT_KEY_ASN:
		snprintf(buf, sz, "AS%" PRIu32, key_asn(e));
		return;
	case SIFT_KEY_CC:
		snprintf(buf, sz, "%c%c", e->key.b[0], e->key.b[1]);
		return;
	default:
		snprintf(buf, sz, "-");
	}
}

/*
 * t (0 < t < 2^32) as "YYYY-MM-DDTHH:MM:SSZ" (20 bytes, no NUL) by day
 * arithmetic: gmtime_r takes a lock and a time zone pass each call.
 */
static void
iso_time_fast(uint32_t t, char *o)
{
	uint32_t days = t / 86400, sec = t % 86400;
	/* civil date from days since 1970-01-01 (eras of 400 years) */
	uint32_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
	uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint32_t mp = (5 * doy + 2) / 153;
	uint32_t d = doy - (153 * mp + 2) / 5 + 1;
	uint32_t m = mp < 10 ? mp + 3 : mp - 9;
	uint32_t y = yoe + era * 400 + (m <= 2);
	uint32_t v[5] = { m, d, sec / 3600, sec / 60 % 60, sec % 60 };
	static const char sep[5] = "-T::Z";

	o[0] = (char)('0' + y / 1000 % 10);
	o[1] = (char)('0' + y / 100 % 10);
	o[2] = (char)('0' + y / 10 % 10);
	o[3] = (char)('0' + y % 10);
	o[4] = '-';
	for (int i = 0; i < 5; i++) {
		o[5 + 3 * i] = (char)('0' + v[i] / 10);
		o[6 + 3 * i] = (char)('0' + v[i] % 10);
		o[7 + 3 * i] = sep[i];
	}
}

static void
iso_time(int64_t t, char *buf, size_t sz)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL) {
		snprintf(buf, sz, "-");
		return;
	}
	if (sz >= 21 && tm.tm_year >= 1000 - 1900 && tm.tm_year <= 9999 - 1900) {
		/* strftime's "%Y-%m-%dT%H:%M:%SZ" by hand (one per row) */
		unsigned y = (unsigned)tm.tm_year + 1900;
		unsigned v[5] = { (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday,
		    (unsigned)tm.tm_hour, (unsigned)tm.tm_min,
		    (unsigned)tm.tm_sec };
		static const char sep[5] = "-T::Z";

		buf[0] = (char)('0' + y / 1000);
		buf[1] = (char)('0' + y / 100 % 10);
		buf[2] = (char)('0' + y / 10 % 10);
		buf[3] = (char)('0' + y % 10);
		buf[4] = '-';
		for (int i = 0; i < 5; i++) {
			buf[5 + 3 * i] = (char)('0' + v[i] / 10 % 10);
			buf[6 + 3 * i] = (char)('0' + v[i] % 10);
			buf[7 + 3 * i] = sep[i];
		}
		buf[20] = '\0';
		return;
	}
	strftime(buf, sz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* "relay=3,auth=1" in class id order. */
static void
classes_text(const struct ctx *c, const struct sift_agg *ag,
    const struct sift_agg_ent *e, char *buf, size_t sz)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < sift_classifier_nclasses(c->cl); i++) {
		uint32_t n = sift_agg_class_count(ag, e, i);
		const char *name;
		size_t nl;
		int k;

		if (n == 0)
			continue;
		name = sift_classifier_class_name(c->cl, i);
		nl = strlen(name);
		if (sz - off > nl + 12) {
			/* snprintf's "%s%s=%u" by hand (one per class and row) */
			char d[10], *q = buf + off;
			size_t nd = 0;

			if (off)
				*q++ = ',';
			memcpy(q, name, nl);
			q += nl;
			*q++ = '=';
			do
				d[nd++] = (char)('0' + n % 10);
			while ((n /= 10) != 0);
			while (nd > 0)
				*q++ = d[--nd];
			*q = '\0';
			off = (size_t)(q - buf);
			continue;
		}
		k = snprintf(buf + off, sz - off, "%s%s=%" PRIu32,
		    off ? "," : "", name, n);
		if (k < 0 || (size_t)k >= sz - off)
			break;
		off += (size_t)k;
	}
}

static const char *
group_field(const struct opts *o)
{
	switch (o->group) {
	case G_ASN:
		return "asn";
	case G_COUNTRY:
		return "country";
	default:
		return "ip";
	}
}

/* Decimal v at o; returns the end. */
static char *
put_u64(char *o, uint64_t v)
{
	char d[20];
	size_t nd = 0;

	do
		d[nd++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (nd > 0)
		*o++ = d[--nd];
	return o;
}

/*
 * Rows as TSV (without geo columns) or as a list, built in a buffer
 * written every 64 KB: the same bytes as the fprintf path, at a fraction
 * of its cost (hundreds of thousands of rows in a big run). Entries are
 * prefetched a few rows ahead: sorted rows visit the table at random.
 */
#define AHEAD	8

static void
format_rows(const struct ctx *c, FILE *fp, const struct row *rows, size_t n,
    struct sift_obuf *bp, bool header)
{
	struct sift_obuf b = *bp;
	const char *names[SIFT_CLASS_MAX];
	size_t nlen[SIFT_CLASS_MAX];
	int ncl = sift_classifier_nclasses(c->cl);
	bool list = c->o->format == F_LIST;

	for (int i = 0; i < ncl; i++) {
		names[i] = sift_classifier_class_name(c->cl, i);
		nlen[i] = strlen(names[i]);
	}
	if (header && !list) {
		sift_obuf_puts(&b, "#");
		sift_obuf_puts(&b, group_field(c->o));
		sift_obuf_puts(&b, "\tcount\tscore\tfirst\tlast\tclasses\n");
	}
	for (size_t i = 0; i < n; i++) {
		const struct sift_agg_ent *e = rows[i].e;
		char *o, key[SIFT_CIDR_STRLEN + 8];
		uint8_t ord[SIFT_AGG_SLOTS];
		unsigned ns;

		if (i + AHEAD < n)
			__builtin_prefetch(rows[i + AHEAD].e);
		key_text(e, key, sizeof(key));
		if (list) {
			sift_obuf_puts(&b, key);
			sift_obuf_putc(&b, '\n');
			goto flush;
		}
		/* key, 3 numbers, 2 times, classes: bounded by this */
		o = sift_obuf_room(&b, sizeof(key) + 3 * 21 + 2 * 21 +
		    (size_t)ncl * (SIFT_CLASS_NAMEMAX + 12) + 8);
		o = stpcpy(o, key);
		*o++ = '\t';
		o = put_u64(o, e->count);
		*o++ = '\t';
		o = put_u64(o, rows[i].score);
		*o++ = '\t';
		if (e->first != 0) {
			iso_time_fast(e->first, o);
			o += 20;
		} else
			*o++ = '-';
		*o++ = '\t';
		if (e->last != 0) {
			iso_time_fast(e->last, o);
			o += 20;
		} else
			*o++ = '-';
		*o++ = '\t';
		/* classes in id order, as classes_text() */
		if (e->nslot != SIFT_AGG_EXT) {
			ns = 0;
			for (unsigned k = 0; k < e->nslot; k++) {
				unsigned j = ns++;

				while (j > 0 && e->cls[ord[j - 1]] > e->cls[k]) {
					ord[j] = ord[j - 1];
					j--;
				}
				ord[j] = (uint8_t)k;
			}
			for (unsigned k = 0, w = 0; k < ns; k++) {
				unsigned id = e->cls[ord[k]];

				if (e->cnt[ord[k]] == 0 || (int)id >= ncl)
					continue;
				if (w++)
					*o++ = ',';
				memcpy(o, names[id], nlen[id]);
				o += nlen[id];
				*o++ = '=';
				o = put_u64(o, e->cnt[ord[k]]);
			}
		} else {
			for (int id = 0, w = 0; id < ncl; id++) {
				uint32_t cn = sift_agg_class_count(
				    tab_of(c, rows[i].tab), e, id);

				if (cn == 0)
					continue;
				if (w++)
					*o++ = ',';
				memcpy(o, names[id], nlen[id]);
				o += nlen[id];
				*o++ = '=';
				o = put_u64(o, cn);
			}
		}
		*o++ = '\n';
		b.n = (size_t)(o - b.p);
flush:
		if (fp != NULL && b.n >= (1 << 16)) {
			fwrite(b.p, 1, b.n, fp);
			sift_obuf_reset(&b);
		}
	}
	if (fp != NULL) {
		fwrite(b.p, 1, b.n, fp);
		sift_obuf_reset(&b);
	}
	*bp = b;
}

struct fmt_half {
	const struct ctx	*c;
	const struct row	*rows;
	size_t			 n;
	struct sift_obuf	 b;
	pthread_t		 t;
};

static void *
format_run(void *arg)
{
	struct fmt_half *h = arg;

	format_rows(h->c, NULL, h->rows, h->n, &h->b, false);
	return NULL;
}

/*
 * With jobs to spare, another thread formats the second half of the rows
 * into memory while this one writes the first: the same bytes.
 */
static void
write_rows_fast(struct ctx *c, FILE *fp, const struct row *rows, size_t n)
{
	struct sift_obuf b = SIFT_OBUF_INIT;
	struct fmt_half h;
	size_t mid = n / 2;

	sift_obuf_init(&b, 1 << 17);
	memset(&h, 0, sizeof(h));
	if (c->o->jobs >= 2 && n >= PAR_ROWS) {
		h.c = c;
		h.rows = rows + mid;
		h.n = n - mid;
		sift_obuf_init(&h.b, 1 << 20);
		if (pthread_create(&h.t, NULL, format_run, &h) == 0) {
			format_rows(c, fp, rows, mid, &b, true);
			pthread_join(h.t, NULL);
			fwrite(h.b.p, 1, h.b.n, fp);
			sift_obuf_release(&h.b);
			sift_obuf_release(&b);
			return;
		}
		sift_obuf_release(&h.b);
	}
	format_rows(c, fp, rows, n, &b, true);
	sift_obuf_release(&b);
}

static void
write_rows(struct ctx *c, FILE *fp, struct row *rows, size_t n)
{
	char key[SIFT_CIDR_STRLEN + 8], first[32], last[32], cls[1024];
	struct sift_obuf b = SIFT_OBUF_INIT;
	struct sift_json j;
	struct sift_geo_info gi;
	const struct asnorg *org;
	int kw = (int)strlen(group_field(c->o));
	bool gcols = (c->gcc != NULL || c->gasn != NULL) &&
	    (c->o->group == G_IP || c->o->group == G_PREFIX);
	char gtxt[64];

	if (c->o->format == F_LIST || (c->o->format == F_TSV && !gcols)) {
		write_rows_fast(c, fp, rows, n);
		return;
	}
	if (c->o->format == F_TABLE) {
		for (size_t i = 0; i < n; i++) {
			key_text(rows[i].e, key, sizeof(key));
			if ((int)strlen(key) > kw)
				kw = (int)strlen(key);
		}
		fprintf(fp, "%-*s %8s %8s  %-20s  %-20s  %s%s\n", kw,
		    group_field(c->o), "count", "score", "first", "last",
		    gcols ? "asn      cc  " : "", "classes");
	} else if (c->o->format == F_TSV)
		fprintf(fp, "#%s\tcount\tscore\tfirst\tlast\tclasses%s\n",
		    group_field(c->o), gcols ? "\tasn\tcountry" : "");
	for (size_t i = 0; i < n; i++) {
		const struct sift_agg_ent *e = rows[i].e;

		key_text(e, key, sizeof(key));
		memset(&gi, 0, sizeof(gi));
		if (gcols)
			geo_info(c, &e->key, &gi);
		iso_time(e->first, first, sizeof(first));
		iso_time(e->last, last, sizeof(last));
		switch (c->o->format) {
		case F_LIST:
			fprintf(fp, "%s\n", key);
			break;
		case F_TSV:
			classes_text(c, tab_of(c, rows[i].tab), e, cls,
			    sizeof(cls));
			fprintf(fp, "%s\t%" PRIu32 "\t%" PRIu64 "\t%s\t%s\t%s",
			    key, e->count, rows[i].score, first, last, cls);
			if (gcols) {
				if (gi.asn != 0)
					fprintf(fp, "\t%" PRIu32, gi.asn);
				else
					fputs("\t", fp);
				fprintf(fp, "\t%s", gi.country);
			}
			putc('\n', fp);
			break;
		case F_TABLE:
			classes_text(c, tab_of(c, rows[i].tab), e, cls,
			    sizeof(cls));
			gtxt[0] = '\0';
			if (gcols)
				snprintf(gtxt, sizeof(gtxt), "%-8s %-2s  ", "-",
				    gi.country[0] ? gi.country : "-");
			if (gcols && gi.asn != 0)
				snprintf(gtxt, sizeof(gtxt), "%-8" PRIu32
				    " %-2s  ", gi.asn,
				    gi.country[0] ? gi.country : "-");
			fprintf(fp, "%-*s %8" PRIu32 " %8" PRIu64
			    "  %-20s  %-20s  %s%s\n", kw, key, e->count,
			    rows[i].score, first, last, gtxt, cls);
			break;
		case F_JSON:
			sift_obuf_reset(&b);
			sift_json_init(&j, &b);
			sift_json_obj_begin(&j);
			sift_json_keyc(&j, group_field(c->o));
			if (c->o->group == G_ASN)
				sift_json_u64(&j, key_asn(e));
			else
				sift_json_strc(&j, key);
			sift_json_keyc(&j, "count");
			sift_json_u64(&j, e->count);
			sift_json_keyc(&j, "score");
			sift_json_u64(&j, rows[i].score);
			sift_json_keyc(&j, "classes");
			sift_json_obj_begin(&j);
			for (int k = 0; k < sift_classifier_nclasses(c->cl);
			    k++) {
				uint32_t cn = sift_agg_class_count(
				    tab_of(c, rows[i].tab), e, k);

				if (cn == 0)
					continue;
				sift_json_keyc(&j,
				    sift_classifier_class_name(c->cl, k));
				sift_json_u64(&j, cn);
			}
			sift_json_obj_end(&j);
			sift_json_keyc(&j, "first");
			if (e->first != 0)
				sift_json_strc(&j, first);
			else
				sift_json_null(&j);
			sift_json_keyc(&j, "last");
			if (e->last != 0)
				sift_json_strc(&j, last);
			else
				sift_json_null(&j);
			if (c->o->group == G_ASN &&
			    (org = org_of(c, key_asn(e))) != NULL) {
				sift_json_keyc(&j, "as_org");
				sift_json_str(&j, org->org, org->len);
			}
			if (gi.asn != 0) {
				sift_json_keyc(&j, "asn");
				sift_json_u64(&j, gi.asn);
			}
			if (gi.org != NULL) {
				sift_json_keyc(&j, "as_org");
				sift_json_str(&j, gi.org, gi.org_len);
			}
			if (gi.country[0] != '\0') {
				sift_json_keyc(&j, "country");
				sift_json_strc(&j, gi.country);
			}
			sift_json_obj_end(&j);
			sift_json_newline(&j);
			fwrite(b.p, 1, b.n, fp);
			break;
		}
	}
	sift_obuf_release(&b);
}

static int
report(struct ctx *c)
{
	size_t n = sift_agg_size(c->agg), k = 0;
	struct row *rows;
	unsigned t;
	const struct sift_agg_ent *e;
	const uint8_t *v4 = NULL;
	bool hints = true;
	FILE *fp;
	int rc;

	if ((c->o->group == G_ASN || c->o->group == G_COUNTRY) &&
	    c->o->window == 0) {
		regroup(c);
		n = sift_agg_size(c->agg);
	}
	orgs_finish(c);
	for (size_t i = 0; i < c->nmore; i++)
		n += sift_agg_size(c->more[i]);
	rows = sift_xreallocarray(NULL, n ? n : 1, sizeof(*rows));
	for (t = 0; t <= c->nmore; t++) {
		const struct sift_agg *ag = tab_of(c, t);

		for (size_t pos = 0; (e = sift_agg_next(ag, &pos)) != NULL;) {
			uint64_t s = score_of(c, ag, e);

			if (c->o->window > 0) {
				if ((e->flags & SIFT_AGG_HIT) == 0)
					continue;
			} else if (e->count < c->o->min_count ||
			    s < c->o->min_score)
				continue;
			rows[k].e = e;
			rows[k].score = s;
			rows[k].count = e->count;
			rows[k].tab = t;
			rows[k].hint = row_hint(&e->key);
			if (e->key.family == 4) {
				if (v4 == NULL)
					v4 = e->key.b;
				else if (memcmp(v4, e->key.b, 9) != 0)
					hints = false;
			}
			k++;
		}
	}
	for (size_t i = 0; !hints && i < k; i++)
		rows[i].hint = 0;	/* then the hints would not order */
	rows_sort_par(c, rows, k);
	if (c->o->top != 0 && k > c->o->top)
		k = c->o->top;
	fp = cli_output_open(c->o->out);
	write_rows(c, fp, rows, k);
	free(rows);
	rc = cli_output_close(fp, true);
	return rc;
}

static void
stats(const struct ctx *c)
{
	size_t ns = sift_agg_size(c->supp);

	if (ns != 0 && !c->o->quiet)
		warnx("allowlist suppressed %" PRIu64 " events from %zu "
		    "addresses", c->suppressed, ns);
	if (c->o->verbose == 0)
		return;
	warnx("%" PRIu64 " lines (%" PRIu64 " skipped unparsed), %"
	    PRIu64 " not Exim, %" PRIu64
	    " classified, %" PRIu64 " of unselected classes, %" PRIu64
	    " without an address, %" PRIu64 " outside the time range",
	    c->lines, c->quick, c->unparsed, c->classified, c->unselected,
	    c->noaddr,
	    c->outside);
	for (int i = 0; i < sift_classifier_nclasses(c->cl); i++)
		if (c->bycls[i] != 0)
			warnx("class %s: %" PRIu64 " events",
			    sift_classifier_class_name(c->cl, i), c->bycls[i]);
	{
		size_t keys = sift_agg_size(c->agg);
		size_t bytes = sift_agg_bytes(c->agg);

		for (size_t i = 0; i < c->nmore; i++) {
			keys += sift_agg_size(c->more[i]);
			bytes += sift_agg_bytes(c->more[i]);
		}
		warnx("%zu keys, %zu bytes in the table%s", keys, bytes,
		    c->nmore ? "s" : "");
	}
}

int
main(int argc, char *argv[])
{
	struct opts o;
	struct ctx c;
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_agg_opts ao;
	const char *fmt = NULL, *group = NULL, *since_s = NULL,
	    *until_s = NULL;
	int ch, rc;
	bool want_prefix = false;

	cli_init(argv[0]);
	memset(&o, 0, sizeof(o));
	memset(&c, 0, sizeof(c));
	o.p4 = 24;
	o.p6 = 64;
	o.min_count = 1;
	{
		long np = sysconf(_SC_NPROCESSORS_ONLN);

		o.jobs = np < 1 ? 1 : np > 8 ? 8 : (unsigned)np;
	}
	o.now = (int64_t)time(NULL);
	while ((ch = getopt_long(argc, argv, "a:C:c:f:G:g:hj:Ln:o:qrs:t:VvW:w:x:",
	    longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
		case 'x':
			push(&o.allow, &o.nallow, optarg);
			break;
		case 'C':
			push(&o.rules, &o.nrules, optarg);
			break;
		case 'c':
			o.classes = optarg;
			break;
		case 'f':
			fmt = optarg;
			break;
		case 'G':
			o.geoip = optarg;
			break;
		case 'g':
			group = optarg;
			break;
		case 'h':
			usage(true);
		case 'j':
			o.jobs = (unsigned)cli_number(optarg, 1, 64, "-j");
			break;
		case 'L':
			o.list_classes = true;
			break;
		case 'n':
			o.min_count = (unsigned)cli_number(optarg, 1,
			    UINT32_MAX, "-n");
			break;
		case 'o':
			o.out = optarg;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'r':
			o.records = true;
			break;
		case 's':
			o.min_score = (unsigned)cli_number(optarg, 0,
			    UINT32_MAX, "-s");
			break;
		case 't':
			o.top = (size_t)cli_number(optarg, 0, INT32_MAX, "-t");
			break;
		case 'V':
			printf("offenders %s\n", SIFT_VERSION);
			return CLI_EXIT_OK;
		case 'v':
			o.verbose++;
			break;
		case 'W':
			push(&o.weights, &o.nweights, optarg);
			break;
		case 'w':
			if (cli_duration(optarg, &o.window) == -1 ||
			    o.window <= 0)
				errx(CLI_EXIT_TROUBLE, "-w: invalid duration: %s",
				    optarg);
			break;
		case OPT_ALLOW_LOOPBACK:
			o.allow_loopback = true;
			break;
		case OPT_ALLOW_SELF:
			o.allow_self = true;
			break;
		case OPT_ASN:
			o.asn = optarg;
			break;
		case OPT_NOW:
			if (cli_time(optarg, (int64_t)time(NULL), &o.now) == -1)
				errx(CLI_EXIT_TROUBLE, "--now: invalid time: %s",
				    optarg);
			break;
		case OPT_PREFIX4:
			o.p4 = (unsigned)cli_number(optarg, 0, 32, "--prefix4");
			want_prefix = true;
			break;
		case OPT_PREFIX6:
			o.p6 = (unsigned)cli_number(optarg, 0, 128,
			    "--prefix6");
			want_prefix = true;
			break;
		case OPT_SINCE:
			since_s = optarg;
			break;
		case OPT_UNTIL:
			until_s = optarg;
			break;
		case OPT_STATE:
			o.state = optarg;
			break;
		default:
			usage(false);
		}
	}
	argc -= optind;
	argv += optind;

	if (since_s != NULL) {
		if (cli_time(since_s, o.now, &o.since) == -1)
			errx(CLI_EXIT_TROUBLE, "--since: invalid time: %s",
			    since_s);
		o.has_since = true;
	}
	if (until_s != NULL) {
		if (cli_time(until_s, o.now, &o.until) == -1)
			errx(CLI_EXIT_TROUBLE, "--until: invalid time: %s",
			    until_s);
		o.has_until = true;
	}
	if (fmt == NULL)
		o.format = isatty(STDOUT_FILENO) && o.out == NULL ? F_TABLE :
		    F_TSV;
	else if (strcmp(fmt, "table") == 0)
		o.format = F_TABLE;
	else if (strcmp(fmt, "tsv") == 0)
		o.format = F_TSV;
	else if (strcmp(fmt, "json") == 0)
		o.format = F_JSON;
	else if (strcmp(fmt, "list") == 0)
		o.format = F_LIST;
	else
		errx(CLI_EXIT_TROUBLE, "-f: unknown format: %s (table, tsv, "
		    "json or list)", fmt);
	if (group == NULL)
		o.group = want_prefix ? G_PREFIX : G_IP;
	else if (strcmp(group, "ip") == 0)
		o.group = G_IP;
	else if (strcmp(group, "prefix") == 0)
		o.group = G_PREFIX;
	else if (strcmp(group, "asn") == 0)
		o.group = G_ASN;
	else if (strcmp(group, "country") == 0)
		o.group = G_COUNTRY;
	else
		errx(CLI_EXIT_TROUBLE, "-g: unknown grouping: %s (ip, prefix, "
		    "asn or country)", group);

	c.o = &o;
	c.cl = sift_classifier_new();
	for (size_t i = 0; i < o.nrules; i++)
		if (sift_classifier_load(c.cl, o.rules[i], &e) == -1)
			errx(CLI_EXIT_TROUBLE, "%s", e.msg);
	select_classes(&c, o.classes);
	set_weights(&c, o.weights, o.nweights);
	if (o.list_classes) {
		list_classes(&c);
		sift_classifier_free(c.cl);
		free(o.rules);
		free(o.weights);
		free(o.allow);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < o.nallow; i++)
		allow_load(&c, o.allow[i]);
	if (o.allow_self)
		allow_self(&c);
	if (o.allow_loopback) {
		allow_text(&c, "127.0.0.0/8");
		allow_text(&c, "::1");
	}
	allow_finish(&c);
	c.gcc = geo_open(o.geoip, cc_paths, o.group == G_COUNTRY, "country");
	c.gasn = geo_open(o.asn, asn_paths, o.group == G_ASN, "asn");

	memset(&ao, 0, sizeof(ao));
	ao.window = o.window;
	if (o.window > 0) {
		ao.min_count = o.min_score != 0 ? 0 : o.min_count;
		ao.min_score = o.min_score;
	}
	ao.weights = c.weights;
	if (sift_agg_new(&c.agg, &ao, &e) == -1)
		errx(CLI_EXIT_TROUBLE, "-w: %s", e.msg);
	if (sift_agg_new(&c.supp, NULL, &e) == -1)
		errx(CLI_EXIT_TROUBLE, "%s", e.msg);
	c.popts.ref_time = o.now;

	if (o.state != NULL) {
		if (argc == 0)
			errx(CLI_EXIT_TROUBLE, "--state: needs log files, not "
			    "standard input");
		for (int i = 0; i < argc; i++) {
			struct stat sst;

			if (strcmp(argv[i], "-") == 0)
				errx(CLI_EXIT_TROUBLE, "--state: standard input "
				    "has no position to remember");
			/*
			 * A pipe would be read twice (head, then body): its
			 * lines would be lost without a word.
			 */
			if (stat(argv[i], &sst) == 0 && !S_ISREG(sst.st_mode))
				errx(CLI_EXIT_TROUBLE, "--state: %s: not a "
				    "regular file, no position to remember",
				    argv[i]);
		}
		if (sift_state_load(&c.state, o.state, &e) == -1)
			errx(CLI_EXIT_TROUBLE, "%s", e.msg);
	}
	read_all(&c, argc, argv);

	rc = report(&c);
	/*
	 * The cursor moves only once the output is committed: a crash
	 * before this point makes the next run read the same lines again
	 * (reported again, never lost).
	 */
	if (c.state != NULL && rc == CLI_EXIT_OK) {
		if (sift_state_save(c.state, o.state, o.now, &e) == -1) {
			warnx("%s", e.msg);
			rc = CLI_EXIT_TROUBLE;
		}
	}
	sift_state_free(c.state);
	sift_geo_close(c.gcc);
	sift_geo_close(c.gasn);
	free(c.orgs);
	stats(&c);
	if (c.trouble)
		rc = CLI_EXIT_TROUBLE;
	sift_agg_free(c.agg);
	for (size_t i = 0; i < c.nmore; i++)
		sift_agg_free(c.more[i]);
	free(c.more);
	sift_agg_free(c.supp);
	sift_classifier_free(c.cl);
	free(c.allow);
	free(c.cellbuf);
	free(o.rules);
	free(o.weights);
	free(o.allow);
	return rc;
}
