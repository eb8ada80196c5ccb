/* SPDX-License-Identifier: ISC */
/* Unit tests for lib/ini: fail2ban's INI dialect and %(name)s. */
#include <stdlib.h>
#include <string.h>

#include "ini.h"
#include "../tap.h"
#include "banned.h"

static struct sift_ini ini;

static int
parse(const char *text)
{
	struct sift_err e = SIFT_ERR_INIT;

	sift_ini_release(&ini);
	sift_ini_init(&ini);
	return sift_ini_parse(&ini, "t.conf", text, strlen(text), &e);
}

/* Interpolated value, or "ERR: message" (static buffer). */
static const char *
get(const char *sec, const char *opt)
{
	static char buf[1024];
	struct sift_err e = SIFT_ERR_INIT;
	char *v;

	if (sift_ini_get(&ini, sec, opt, NULL, &v, &e) != 0) {
		snprintf(buf, sizeof(buf), "ERR: %s", e.msg);
		return buf;
	}
	snprintf(buf, sizeof(buf), "%s", v);
	free(v);
	return buf;
}

int
main(void)
{
	struct sift_ini a, b;
	struct sift_err e = SIFT_ERR_INIT;

	sift_ini_init(&ini);

	/* sections, option names folded, both separators */
	CHECK(parse("[Definition]\nFailRegex = ^a <HOST>$\nother: x y \n") ==
	    0);
	CHECK_STREQ(get("Definition", "failregex"), "^a <HOST>$");
	CHECK_STREQ(get("Definition", "other"), "x y");
	CHECK(strncmp(get("definition", "other"), "ERR:", 4) == 0);

	/* continuation lines, full-line comments inside them */
	CHECK(parse("[D]\nr = ^one$\n    ^two$\n    # gone\n    ; gone too\n"
	    "    ^three$\n") == 0);
	CHECK_STREQ(get("D", "r"), "^one$\n^two$\n^three$");

	/* inline comments: ';' after whitespace only, '#' never */
	CHECK(parse("[D]\na = x ;note\nb = x;y\nc = x # kept\n") == 0);
	CHECK_STREQ(get("D", "a"), "x");
	CHECK_STREQ(get("D", "b"), "x;y");
	CHECK_STREQ(get("D", "c"), "x # kept");

	/* %(name)s: same section, [DEFAULT], section/name, %% */
	CHECK(parse("[DEFAULT]\npid = \\[\\d+\\]\n[s]\nv = 9\n"
	    "[D]\nx = a %(pid)s b\ny = %(x)s c\nz = 100%% %(s/v)s\n") == 0);
	CHECK_STREQ(get("D", "x"), "a \\[\\d+\\] b");
	CHECK_STREQ(get("D", "y"), "a \\[\\d+\\] b c");
	CHECK_STREQ(get("D", "z"), "100% 9");
	CHECK_STREQ(get("s", "pid"), "\\[\\d+\\]");

	/* errors: lone %, missing key, self reference */
	CHECK(parse("[D]\nx = 5% off\ny = %(nosuch)s\nz = %(z)s\n") == 0);
	CHECK(strstr(get("D", "x"), "'%' must be followed by") != NULL);
	CHECK(strncmp(get("D", "y"), "ERR:", 4) == 0);
	CHECK(strncmp(get("D", "z"), "ERR:", 4) == 0);

	/* merge: the later file wins, the old value is known/ */
	sift_ini_init(&a);
	sift_ini_init(&b);
	{
		static const char ta[] = "[D]\nr = one\nk = 1\n";
		static const char tb[] = "[D]\nr = %(known/r)s\n    two\n";

		CHECK(sift_ini_parse(&a, "a.conf", ta, sizeof(ta) - 1,
		    &e) == 0);
		CHECK(sift_ini_parse(&b, "a.local", tb, sizeof(tb) - 1,
		    &e) == 0);
	}
	sift_ini_release(&ini);
	sift_ini_init(&ini);
	sift_ini_merge(&ini, &a);
	sift_ini_merge(&ini, &b);
	CHECK_STREQ(get("D", "r"), "one\ntwo");
	CHECK_STREQ(get("D", "k"), "1");
	sift_ini_release(&a);
	sift_ini_release(&b);

	/* conditional sections merge with renamed keys */
	sift_ini_init(&a);
	{
		static const char c[] =
		    "[Init]\nx = 1\n[Init?family=inet6]\nx = 6\n";

		CHECK(sift_ini_parse(&a, "c.conf", c, sizeof(c) - 1,
		    &e) == 0);
	}
	sift_ini_release(&ini);
	sift_ini_init(&ini);
	sift_ini_merge(&ini, &a);
	CHECK_STREQ(get("Init", "x"), "1");
	CHECK_STREQ(get("Init", "x?family=inet6"), "6");
	sift_ini_release(&a);

	/* a missing file */
	sift_ini_release(&ini);
	sift_ini_init(&ini);
	CHECK(sift_ini_read(&ini, "/nonexistent/x.conf", &e) != 0);
	CHECK_INT(e.code, SIFT_E_NOTFOUND);

	sift_ini_release(&ini);
	return tap_done();
}
