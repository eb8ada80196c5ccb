/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for lib/f2b and lib/rx: tag expansion against fail2ban's exact
 * regexes, Python-to-PCRE2 rewriting, required literals, interpolation and
 * include resolution on filter files written to a temporary directory.
 */
#include <sys/stat.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "f2b.h"
#include "rx.h"
#include "../tap.h"
#include "banned.h"

/* fail2ban 1.0.2's failregex.py, as in the fail2ban notes (section 3) */
#define IP4	"(?:::f{4,6}:)?(?P<ip4>(?:\\d{1,3}\\.){3}\\d{1,3})"
#define IP6	"(?P<ip6>(?:[0-9a-fA-F]{1,4}::?|::){1,7}(?:[0-9a-fA-F]{1,4}|" \
		"(?<=:):))"
#define ADDR	"\\[?(?:" IP4 "|" IP6 ")\\]?"
#define DNS	"(?P<dns>[\\w\\-.^_]*\\w)"
#define HOST	"(?:" ADDR "|" DNS ")"

static char dir[PATH_MAX];

static const char *
expand(const char *re, const char *usedns)
{
	static char buf[4096];
	struct sift_f2b_opts o;
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_f2b *f;

	memset(&o, 0, sizeof(o));
	o.usedns = usedns;
	o.confdir = dir;
	if ((f = sift_f2b_load(re, &o, NULL, &e)) == NULL) {
		snprintf(buf, sizeof(buf), "ERR: %s", e.msg);
		return buf;
	}
	snprintf(buf, sizeof(buf), "%s", sift_f2b_fail_expanded(f, 0));
	sift_f2b_free(f);
	return buf;
}

static void
put(const char *name, const char *text)
{
	char p[PATH_MAX + 64];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/filter.d/%s", dir, name);
	if ((fp = fopen(p, "w")) == NULL) {
		perror(p);
		exit(2);
	}
	fputs(text, fp);
	fclose(fp);
}

/* Load a filter; the first failregex as shown, or "ERR: ...". */
static const char *
load(const char *spec, size_t k)
{
	static char buf[4096];
	struct sift_f2b_opts o;
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_f2b *f;

	memset(&o, 0, sizeof(o));
	o.confdir = dir;
	if ((f = sift_f2b_load(spec, &o, NULL, &e)) == NULL) {
		snprintf(buf, sizeof(buf), "ERR: %s", e.msg);
		return buf;
	}
	snprintf(buf, sizeof(buf), "%s", k < sift_f2b_nfail(f) ?
	    sift_f2b_fail(f, k) : "(none)");
	sift_f2b_free(f);
	return buf;
}

static const char *
literal(const char *re)
{
	static char buf[256];
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_rx *rx = sift_rx_new(re, SIFT_RX_PYTHON, &e);

	if (rx == NULL)
		return "ERR";
	snprintf(buf, sizeof(buf), "%s", sift_rx_literal(rx) != NULL ?
	    sift_rx_literal(rx) : "(none)");
	sift_rx_free(rx);
	return buf;
}

/* The alternation literals of re, joined by '|', or "(none)". */
static const char *
alts(const char *re)
{
	static char buf[512];
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_rx *rx = sift_rx_new(re, SIFT_RX_PYTHON, &e);
	size_t i, n = 0;

	if (rx == NULL)
		return "ERR";
	buf[0] = '\0';
	for (i = 0; sift_rx_alt(rx, i) != NULL; i++) {
		const char *a = sift_rx_alt(rx, i);

		if (n + strlen(a) + 2 > sizeof(buf))
			break;
		if (i > 0)
			buf[n++] = '|';
		memcpy(buf + n, a, strlen(a) + 1);
		n += strlen(a);
	}
	sift_rx_free(rx);
	return i == 0 ? "(none)" : buf;
}

/* Whether a pre-scan over these regexes keeps every one that matches s. */
static bool
scan_keeps(const char *const *re, size_t n, const char *s)
{
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_rx *rx[8];
	struct sift_rxlits *L;
	uint64_t cand;
	size_t i;
	bool ok = true;

	for (i = 0; i < n; i++)
		rx[i] = sift_rx_new(re[i], SIFT_RX_PYTHON, &e);
	L = sift_rxlits_new(rx, n);
	cand = sift_rxlits_scan(L, s, strlen(s));
	for (i = 0; i < n; i++) {
		if (sift_rx_search(rx[i], s, strlen(s), 0, &e) == 1 &&
		    !(cand >> i & 1))
			ok = false;
		sift_rx_free(rx[i]);
	}
	sift_rxlits_free(L);
	return ok;
}

/* The pre-scan's verdict for one regex on s (1: it may match). */
static int
scan_one(const char *re, const char *s)
{
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_rx *rx = sift_rx_new(re, SIFT_RX_PYTHON, &e);
	struct sift_rxlits *L = sift_rxlits_new(&rx, 1);
	int r = (int)(sift_rxlits_scan(L, s, strlen(s)) & 1);

	sift_rxlits_free(L);
	sift_rx_free(rx);
	return r;
}

static void
test_alts(void)
{
	static const char *const re[] = {
	    "^ rejected (?:RCPT|MAIL)(?: <\\S*>)?: (?:Rate limited: \\S+|"
	    "RATE: \\S+|.*\\b(?:[Rr]ate limit|[Tt]oo many messages)\\b.*)$",
	    "^ H=\\S+ rejected RCPT <[^>]*>: (?:relay not permitted|"
	    "[Rr]elaying denied)$",
	    "^ (?P<x>Connection (?:closed|reset)|Disconnected) from \\S+$",
	    "^ foo\\x41bcde(?:xyzzy|plugh)$" };
	static const char *const lines[] = {
	    " rejected RCPT <a@b>: Rate limited: 1.2.3.4\n",
	    " rejected MAIL: RATE: 12\n",
	    " rejected RCPT: sender rate limit reached\n",
	    " rejected RCPT: Too many messages\n",
	    " rejected RCPT: relay not permitted\n",
	    " H=x rejected RCPT <a@b>: relay not permitted\n",
	    " H=x rejected RCPT <>: relaying denied\n",
	    " Connection reset from 1.2.3.4\n",
	    " Disconnected from 1.2.3.4\n", " fooAbcdexyzzy\n",
	    " fooAbcdeplugh\n", " foo\\x41bcdexyzzy\n" };
	size_t i, bad = 0;

	CHECK_STREQ(alts("a(?:foo1|bar22)b"), "foo1|bar22");
	CHECK_STREQ(alts("x(?:foo1|bar22)?"), "(none)");
	CHECK_STREQ(alts("x(?:foo1|bar22)*y"), "(none)");
	CHECK_STREQ(alts("x(?:foo1|bar22)+y"), "foo1|bar22");
	CHECK_STREQ(alts("x(?:foo1|bar22){1,2}y"), "(none)");
	CHECK_STREQ(alts("(?:abc|de)"), "(none)");
	CHECK_STREQ(alts("(?i)(?:foo1|bar22)"), "(none)");
	CHECK_STREQ(alts("x(?i:foo1|bar22)"), "(none)");
	CHECK_STREQ(alts("(?=foo1|bar22)x"), "(none)");
	CHECK_STREQ(alts("(?!foo1|bar22)xyz"), "(none)");
	CHECK_STREQ(alts("q|(?:foo1|bar22)"), "(none)");
	CHECK_STREQ(alts("(?:a(?:xyz|uvw)|qqq)"), "xyz|uvw|qqq");
	CHECK_STREQ(alts("(?P<n>aaa|bbb)c"), "aaa|bbb");
	CHECK_STREQ(alts("(?:\\x41bcd|\\101def|zzz)"), "bcd|def|zzz");
	CHECK_STREQ(alts("(?:\\x41bc|zzz)"), "(none)");
	CHECK_STREQ(alts("(?:a[|]bcd|efg)"), "bcd|efg");
	CHECK_STREQ(alts("(?:a\\|bcd|efg)"), "a|bcd|efg");
	/* the literal after an escape with digits */
	CHECK_STREQ(literal("a\\x41bcd"), "bcd");
	CHECK_STREQ(literal("\\1234abc"), "abc");
	for (i = 0; i < SIFT_ARRAY_SIZE(lines); i++)
		if (!scan_keeps(re, SIFT_ARRAY_SIZE(re), lines[i]))
			bad++;
	CHECK_INT(bad, 0);
	/* every top-level literal counts, and one of the alternatives */
	CHECK_INT(scan_one("^ SMTP connection from \\S+ closed by DROP in "
	    "ACL$", " SMTP connection from [1.2.3.4] lost\n"), 0);
	CHECK_INT(scan_one("^ SMTP connection from \\S+ closed by DROP in "
	    "ACL$", " SMTP connection from x closed by DROP in ACL\n"), 1);
	CHECK_INT(scan_one(re[1], " H=x rejected RCPT <a@b>: Unknown user\n"),
	    0);
	CHECK_INT(scan_one(re[1], " H=x rejected RCPT <a@b>: relaying "
	    "denied\n"), 1);
}

int
main(void)
{
	char sub[PATH_MAX + 16], *s;
	struct sift_f2b_opts o;
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_f2b *f;
	struct sift_f2b_result res;
	struct sift_str id;
	const char *from;

	test_alts();

	snprintf(dir, sizeof(dir), "%s/t_f2b.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(sub, sizeof(sub), "%s/filter.d", dir);
	mkdir(sub, 0700);

	/* 1. tags, exactly as fail2ban expands them */
	CHECK_STREQ(expand("^x <HOST>$", NULL), "^x " HOST "$");
	CHECK_STREQ(expand("^x <HOST>$", "no"), "^x " ADDR "$");
	CHECK_STREQ(expand("^x <ADDR>$", NULL), "^x " ADDR "$");
	CHECK_STREQ(expand("^x <IP4> <IP6>$", NULL), "^x " IP4 " " IP6 "$");
	CHECK_STREQ(expand("^<F-IP4/>$", NULL), "^" IP4 "$");
	CHECK_STREQ(expand("^x <DNS>$", NULL), "^x " DNS "$");
	CHECK_STREQ(expand("^<ADDR>/<CIDR>$", NULL),
	    "^" ADDR "/(?P<cidr>\\d+)$");
	CHECK_STREQ(expand("^x <SUBNET>$", NULL),
	    "^x \\[?(?:" IP4 "|" IP6 ")(?:/(?P<cidr>\\d+))?\\]?$");
	CHECK_STREQ(expand("^<F-ID/> <F-PORT/>$", NULL),
	    "^(?P<fid>\\S+) (?P<fport>\\w+)$");
	CHECK_STREQ(expand("^u=<F-USER>\\S+</F-USER> <HOST>$", NULL),
	    "^u=(?P<user>\\S+) " HOST "$");
	CHECK_STREQ(expand("^a<SKIPLINES>b <HOST><SKIPLINES>$", NULL),
	    "^a\\n(?P<skiplines0>(?:(?:.*\\n)*?))b " HOST
	    "\\n(?P<skiplines1>(?:(?:.*\\n)*?))$");
	/* unknown tags and a lone closing tag stay literal */
	CHECK_STREQ(expand("^<foo> </F-X> <HOST>$", NULL),
	    "^<foo> </F-X> " HOST "$");
	/* lower-case F- names are not tags */
	CHECK_STREQ(expand("^<F-user>x</F-user> <HOST>$", NULL),
	    "^<F-user>x</F-user> " HOST "$");
	CHECK(strncmp(expand("^login failed$", NULL), "ERR: no failure-id",
	    18) == 0);

	/* 2. Python regex syntax PCRE2 reads differently */
	s = sift_rx_from_python("^x\\d{,3}y$");
	CHECK_STREQ(s, "^x\\d{0,3}y$");
	free(s);
	s = sift_rx_from_python("a{2,}b{,}c\\{,3}");
	CHECK(strstr(s, "a{2,}") != NULL);
	free(s);
	{
		struct sift_rx *rx = sift_rx_new("^x\\d{,3}y$", SIFT_RX_PYTHON,
		    &e);

		CHECK(rx != NULL && sift_rx_search(rx, "x12y", 4, 0, &e) == 1);
		sift_rx_free(rx);
	}

	/* 3. required literals for the pre-check */
	CHECK_STREQ(literal("^ authenticator failed for \\[(?P<x>\\d+)\\]"),
	    " authenticator failed for [");
	CHECK_STREQ(literal("^[a-z\\-]{3,15}\\(\\S*,x\\): (?:a|b)"), ",x): ");
	CHECK_STREQ(literal("^abc|defgh"), "(none)");
	CHECK_STREQ(literal("(?i)^hello world"), "(none)");
	CHECK_STREQ(literal("^ab?cdef"), "cdef");
	CHECK_STREQ(literal("^x (?:relay not permitted)? y"), "(none)");
	CHECK_STREQ(literal("rejected RCPT [^:]+: relay"), "rejected RCPT ");
	{
		struct sift_rx *rx = sift_rx_new("rejected RCPT \\S+: relay",
		    0, &e);

		CHECK(sift_rx_search(rx, "H=[1.2.3.4] rejected RCPT <a>: "
		    "relay", 36, 0, &e) == 1);
		CHECK(sift_rx_search(rx, "H=[1.2.3.4] accepted RCPT <a>: "
		    "relay", 36, 0, &e) == 0);
		sift_rx_free(rx);
	}

	/* 4. interpolation, includes, .local, [Init], options */
	put("common.conf", "[DEFAULT]\n_daemon = \\S+\n"
	    "[Definition]\npre = ^ %(_daemon)s\\[\\d+\\]:\n");
	put("demo.conf", "[INCLUDES]\nbefore = common.conf\n"
	    "[Definition]\nfailregex = %(pre)s bad <word> from <HOST>$\n"
	    "            %(pre)s <mdre-<mode>>\n"
	    "mdre-normal = worse from <HOST>$\nmdre-extra = worst <HOST>$\n"
	    "[Init]\nword = login\nmode = normal\n");
	put("demo.local", "[Definition]\n"
	    "failregex = %(known/failregex)s\n    %(pre)s local <HOST>$\n");
	CHECK_STREQ(load("demo", 0),
	    "^ \\S+\\[\\d+\\]: bad login from <HOST>$");
	CHECK_STREQ(load("demo", 1), "^ \\S+\\[\\d+\\]: worse from <HOST>$");
	CHECK_STREQ(load("demo", 2), "^ \\S+\\[\\d+\\]: local <HOST>$");
	CHECK_STREQ(load("demo[mode=extra, word=\"su, sudo\"]", 0),
	    "^ \\S+\\[\\d+\\]: bad su, sudo from <HOST>$");
	CHECK_STREQ(load("demo[mode=extra]", 1),
	    "^ \\S+\\[\\d+\\]: worst <HOST>$");
	put("loop1.conf", "[INCLUDES]\nafter = loop2.conf\n"
	    "[Definition]\nfailregex = ^<HOST>$\n");
	put("loop2.conf", "[INCLUDES]\nbefore = loop1.conf\n");
	CHECK(strstr(load("loop1", 0), "include loop") != NULL);
	put("noinc.conf", "[INCLUDES]\nbefore = nosuch.conf\n"
	    "[Definition]\nfailregex = ^<HOST>$\n");
	CHECK(strstr(load("noinc", 0), "does not exist") != NULL);
	put("self.conf", "[Definition]\nfailregex = ^<x> <HOST>$\nx = a<x>\n");
	CHECK(strstr(load("self", 0), "itself") != NULL);

	/* 5. a line through the filter */
	memset(&o, 0, sizeof(o));
	o.confdir = dir;
	o.now = 1793491200;
	f = sift_f2b_load("demo", &o, NULL, &e);
	CHECK(f != NULL);
	if (f != NULL) {
		static const char l1[] = "2026-11-01 10:00:00 sshd[12]: "
		    "bad login from 192.0.2.7";
		static const char l2[] = "2026-11-01 10:00:01 sshd[12]: "
		    "fine from 192.0.2.7";

		CHECK(sift_f2b_process(f, l1, sizeof(l1) - 1, &res, &e) == 0);
		CHECK_INT(res.nhits, 1);
		CHECK(sift_f2b_hit_id(f, 0, &id, &from) &&
		    sift_str_eqc(id, "192.0.2.7") && strcmp(from, "ip4") == 0);
		CHECK(res.has_time);
		CHECK(sift_f2b_process(f, l2, sizeof(l2) - 1, &res, &e) == 0);
		CHECK_INT(res.nhits, 0);
		sift_f2b_free(f);
	}
	CHECK(sift_f2b_greedy("^.* from " HOST " port"));
	CHECK(!sift_f2b_greedy("^.* from " HOST " port$"));
	CHECK(!sift_f2b_greedy("^.*? from " HOST " port"));

	snprintf(sub, sizeof(sub), "rm -rf '%s'", dir);
	if (system(sub) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return tap_done();
}
