/* SPDX-License-Identifier: ISC */
/*
 * Line cases for lib/parse.c: every tests/parse/NAME.cases file holds
 * three-line groups (STYLE.md 3.16):
 *   raw log line (a leading "@" means: C escapes \t \r \n \\ \xHH follow)
 *   expected fields: key=value ..., values quoted "..." when they hold a
 *     space, escaped as tests/parse/render.h prints them; key= means the
 *     field must be empty; "-" alone means event=other
 *   M (must match) or X (known failure, reported as TAP TODO)
 * Blank lines and lines starting with "#" are ignored. Then unit checks of
 * the names API.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "../tap.h"
#include "../parse/render.h"
#include "banned.h"

static struct sift_parse_opts opts;

static size_t
unescape(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	while (*s != '\0' && n + 1 < cap) {
		if (*s == '\\' && s[1] != '\0') {
			s++;
			switch (*s) {
			case 't':
				out[n++] = '\t';
				break;
			case 'r':
				out[n++] = '\r';
				break;
			case 'n':
				out[n++] = '\n';
				break;
			case 'x': {
				char h[3] = { s[1], s[1] ? s[2] : 0, 0 };

				out[n++] = (char)strtol(h, NULL, 16);
				s += 2;
				break;
			}
			default:
				out[n++] = *s;
				break;
			}
			s++;
		} else
			out[n++] = *s++;
	}
	return n;
}

/* Next key=value from *sp; returns 0 at the end. */
static int
next_kv(char **sp, char **k, char **v)
{
	char *s = *sp, *q;

	while (*s == ' ')
		s++;
	if (*s == '\0')
		return 0;
	*k = s;
	if ((q = strchr(s, '=')) == NULL)
		return -1;
	*q++ = '\0';
	if (*q == '"') {
		*v = ++q;
		while (*q != '\0' && !(*q == '"' && (q[1] == ' ' ||
		    q[1] == '\0'))) {
			if (*q == '\\' && q[1] != '\0')
				q++;
			q++;
		}
	} else {
		*v = q;
		while (*q != '\0' && *q != ' ')
			q++;
	}
	if (*q != '\0')
		*q++ = '\0';
	*sp = q;
	return 1;
}

static void
chomp(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

/* Append a, b, c, d to diag (size 8192) at n; returns the new length. */
static size_t
dcat(char *diag, size_t n, const char *a, const char *b, const char *c,
    const char *d)
{
	const char *parts[4] = { a, b, c, d };

	for (int i = 0; i < 4; i++)
		for (const char *s = parts[i]; *s != '\0' && n + 2 < 8192; s++)
			diag[n++] = *s;
	diag[n] = '\0';
	return n;
}

static void
run_case(const char *file, int lineno, const char *raw, char *want,
    const char *mode)
{
	static char buf[8192], desc[256], diag[8192];
	struct sift_rec rec;
	struct rbuf r;
	char *k, *v, *s = want;
	size_t n, dn = 0;
	int ok = 1, rv;
	bool todo = mode[0] == 'X';

	if (raw[0] == '@')
		n = unescape(raw + 1, buf, sizeof(buf));
	else {
		n = strlen(raw);
		memcpy(buf, raw, n);
	}
	(void)sift_parse(sift_str_make(buf, n), &rec, &opts);
	diag[0] = '\0';
	if (strcmp(want, "-") == 0) {
		ok = rec.event == SIFT_EV_OTHER;
		if (!ok)
			dn = (size_t)snprintf(diag, sizeof(diag),
			    "#   want event=other, got %s\n",
			    sift_event_name(rec.event));
	}
	while (ok && strcmp(want, "-") != 0 &&
	    (rv = next_kv(&s, &k, &v)) != 0) {
		if (rv < 0 || render_field(&rec, k, &r) != 0) {
			dn = dcat(diag, dn, "#   bad expectation near: ", k,
			    "\n", "");
			ok = 0;
			break;
		}
		if (strcmp(r.b, v) != 0) {
			dn = dcat(diag, dn, "#   ", k, ": want \"", v);
			dn = dcat(diag, dn, "\", got \"", r.b, "\"\n", "");
			ok = 0;
		}
	}
	snprintf(desc, sizeof(desc), "%s:%d", file, lineno);
	tap_n++;
	printf("%sok %d - %s%s\n", ok ? "" : "not ", tap_n, desc,
	    todo ? " # TODO known failure" : "");
	if (!ok) {
		if (!todo)
			tap_failed++;
		fputs(diag, stdout);
		fputs("#   got: ", stdout);
		render_rec(&rec, stdout);
	}
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
run_file(const char *dir, const char *name)
{
	char path[2048], l1[8192], l2[8192], l3[64];
	char *line;
	FILE *fp;
	int lineno = 0, state = 0, at = 0;

	if (strlen(dir) + strlen(name) + 2 > sizeof(path))
		return;
	memcpy(path, dir, strlen(dir));
	path[strlen(dir)] = '/';
	memcpy(path + strlen(dir) + 1, name, strlen(name) + 1);
	if ((fp = fopen(path, "r")) == NULL) {
		CHECK(!"cannot open case file");
		return;
	}
	for (;;) {
		line = state == 0 ? l1 : state == 1 ? l2 : l3;
		if (fgets(line, state == 2 ? sizeof(l3) : sizeof(l1), fp) ==
		    NULL)
			break;
		lineno++;
		chomp(line);
		if (state == 0 && (line[0] == '\0' || line[0] == '#'))
			continue;
		if (state == 0)
			at = lineno;
		if (++state == 3) {
			state = 0;
			if (strcmp(l3, "M") != 0 && strcmp(l3, "X") != 0) {
				printf("not ok %d - %s:%d: third line must be "
				    "M or X\n", ++tap_n, name, lineno);
				tap_failed++;
				continue;
			}
			run_case(name, at, l1, l2, l3);
		}
	}
	if (state != 0) {
		printf("not ok %d - %s: incomplete case at line %d\n", ++tap_n,
		    name, at);
		tap_failed++;
	}
	fclose(fp);
}

int
main(void)
{
	const char *src = getenv("SRCDIR");
	char dir[1024];
	char *names[256];
	size_t nn = 0;
	DIR *d;
	struct dirent *de;

	opts.ref_time = 1795315757;	/* 2026-11-22 02:49:17 UTC */
	opts.fixed_tz = true;		/* cases are zone-independent */
	opts.tzoff = 0;
	snprintf(dir, sizeof(dir), "%s/tests/parse", src != NULL ? src : ".");
	if ((d = opendir(dir)) == NULL) {
		CHECK(!"cannot open tests/parse");
		return tap_done();
	}
	while ((de = readdir(d)) != NULL && nn < 256) {
		size_t l = strlen(de->d_name);

		if (l > 6 && strcmp(de->d_name + l - 6, ".cases") == 0)
			names[nn++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, nn, sizeof(names[0]), cmpstr);
	CHECK(nn > 0);
	for (size_t i = 0; i < nn; i++) {
		run_file(dir, names[i]);
		free(names[i]);
	}

	/* Names API. */
	for (int i = 0; i < SIFT_EV__COUNT; i++) {
		const char *nm = sift_event_name(i);

		CHECK(strcmp(nm, "?") != 0);
		CHECK_INT(sift_event_from_name(nm, strlen(nm)), i);
	}
	CHECK_INT(sift_event_from_name("nosuch", 6), -1);
	CHECK_STREQ(sift_event_name(SIFT_EV_REJECT), "reject");
	CHECK_STREQ(sift_event_name(SIFT_EV__COUNT), "?");
	for (int i = 0; i < SIFT_ST__COUNT; i++)
		CHECK(strcmp(sift_stage_name(i), "?") != 0);
	CHECK_STREQ(sift_stage_name(SIFT_ST_RCPT), "rcpt");
	for (int i = 0; i < SIFT_ST__COUNT; i++)
		CHECK_INT(sift_stage_from_name(sift_stage_name(i),
		    strlen(sift_stage_name(i))), i);
	CHECK_INT(sift_stage_from_name("rcp", 3), -1);
	return tap_done();
}
