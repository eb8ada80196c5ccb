/* SPDX-License-Identifier: ISC */
/* fail2ban "# failJSON:" sample checks (fail2ban's samplestestcase.py). */
#include "f2bcheck.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "reader.h"
#include "xalloc.h"
#include "banned.h"

#define MAXFILES	16
#define MAXVARIANTS	64

/* ---- a small JSON reader (annotations only: a line each) -------------- */

enum jt { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jt		 t;
	bool		 b;
	double		 num;
	char		*s;		/* J_STR */
	struct jv	*a;		/* J_ARR, J_OBJ: members */
	char		**k;		/* J_OBJ: keys */
	size_t		 n;
};

struct jp {
	const char	*p, *end;
	const char	*why;
};

static void
jv_release(struct jv *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		jv_release(&v->a[i]);
		if (v->k != NULL)
			free(v->k[i]);
	}
	free(v->a);
	free(v->k);
	free(v->s);
	memset(v, 0, sizeof(*v));
}

static void
jp_ws(struct jp *j)
{
	while (j->p < j->end && isspace((unsigned char)*j->p))
		j->p++;
}

static int jp_value(struct jp *, struct jv *, int);

static int
jp_string(struct jp *j, char **out)
{
	char *b;
	size_t n = 0;

	if (j->p >= j->end || *j->p != '"') {
		j->why = "expected a string";
		return -1;
	}
	j->p++;
	b = sift_xmalloc((size_t)(j->end - j->p) + 1);
	while (j->p < j->end && *j->p != '"') {
		char c = *j->p++;

		if (c == '\\') {
			if (j->p >= j->end)
				break;
			c = *j->p++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u': {
				unsigned u = 0, i;

				for (i = 0; i < 4; i++) {
					if (j->p >= j->end ||
					    !isxdigit((unsigned char)*j->p)) {
						free(b);
						j->why = "bad \\u escape";
						return -1;
					}
					u = u * 16 + (unsigned)(isdigit(
					    (unsigned char)*j->p) ? *j->p - '0' :
					    (tolower((unsigned char)*j->p) -
					    'a' + 10));
					j->p++;
				}
				/* UTF-8 (no surrogate pairs) */
				if (u < 0x80)
					b[n++] = (char)u;
				else if (u < 0x800) {
					b[n++] = (char)(0xc0 | (u >> 6));
					b[n++] = (char)(0x80 | (u & 0x3f));
				} else {
					b[n++] = (char)(0xe0 | (u >> 12));
					b[n++] = (char)(0x80 | ((u >> 6) &
					    0x3f));
					b[n++] = (char)(0x80 | (u & 0x3f));
				}
				continue;
			}
			default:
				break;	/* \" \\ \/ */
			}
		}
		b[n++] = c;
	}
	if (j->p >= j->end) {
		free(b);
		j->why = "unterminated string";
		return -1;
	}
	j->p++;
	b[n] = '\0';
	*out = b;
	return 0;
}

static int
jp_value(struct jp *j, struct jv *v, int depth)
{
	memset(v, 0, sizeof(*v));
	jp_ws(j);
	if (depth > 16) {
		j->why = "nested too deeply";
		return -1;
	}
	if (j->p >= j->end) {
		j->why = "unexpected end";
		return -1;
	}
	if (*j->p == '{' || *j->p == '[') {
		bool obj = *j->p == '{';
		char close = obj ? '}' : ']';

		v->t = obj ? J_OBJ : J_ARR;
		j->p++;
		jp_ws(j);
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return 0;
		}
		for (;;) {
			char *key = NULL;

			jp_ws(j);
			if (obj) {
				if (jp_string(j, &key) != 0)
					return -1;
				jp_ws(j);
				if (j->p >= j->end || *j->p != ':') {
					free(key);
					j->why = "expected ':'";
					return -1;
				}
				j->p++;
			}
			v->a = sift_xreallocarray(v->a, v->n + 1,
			    sizeof(*v->a));
			if (obj)
				v->k = sift_xreallocarray(v->k, v->n + 1,
				    sizeof(*v->k));
			if (obj)
				v->k[v->n] = key;
			if (jp_value(j, &v->a[v->n], depth + 1) != 0) {
				v->n++;
				return -1;
			}
			v->n++;
			jp_ws(j);
			if (j->p < j->end && *j->p == ',') {
				j->p++;
				continue;
			}
			if (j->p < j->end && *j->p == close) {
				j->p++;
				return 0;
			}
			j->why = obj ? "expected ',' or '}'" :
			    "expected ',' or ']'";
			return -1;
		}
	}
	if (*j->p == '"') {
		v->t = J_STR;
		return jp_string(j, &v->s);
	}
	if (j->end - j->p >= 4 && memcmp(j->p, "true", 4) == 0) {
		v->t = J_BOOL;
		v->b = true;
		j->p += 4;
		return 0;
	}
	if (j->end - j->p >= 5 && memcmp(j->p, "false", 5) == 0) {
		v->t = J_BOOL;
		j->p += 5;
		return 0;
	}
	if (j->end - j->p >= 4 && memcmp(j->p, "null", 4) == 0) {
		v->t = J_NULL;
		j->p += 4;
		return 0;
	}
	if (*j->p == '-' || isdigit((unsigned char)*j->p)) {
		char buf[64], *e;
		size_t n = 0;

		while (j->p < j->end && n < sizeof(buf) - 1 &&
		    strchr("+-0123456789.eE", *j->p) != NULL)
			buf[n++] = *j->p++;
		buf[n] = '\0';
		v->t = J_NUM;
		v->num = strtod(buf, &e);
		if (*e != '\0') {
			j->why = "bad number";
			return -1;
		}
		return 0;
	}
	j->why = "unexpected character";
	return -1;
}

static int
json_parse(const char *s, size_t n, struct jv *v, const char **why)
{
	struct jp j = { s, s + n, NULL };

	if (jp_value(&j, v, 0) != 0) {
		*why = j.why;
		jv_release(v);
		return -1;
	}
	jp_ws(&j);
	if (j.p != j.end) {
		*why = "trailing text";
		jv_release(v);
		return -1;
	}
	return 0;
}

static const struct jv *
jv_get(const struct jv *o, const char *k)
{
	size_t i;

	if (o == NULL || o->t != J_OBJ)
		return NULL;
	for (i = 0; i < o->n; i++)
		if (strcmp(o->k[i], k) == 0)
			return &o->a[i];
	return NULL;
}

static void
jv_copy(struct jv *dst, const struct jv *src)
{
	size_t i;

	*dst = *src;
	dst->s = src->s != NULL ? sift_xstrdup(src->s) : NULL;
	dst->a = src->n ? sift_xcalloc(src->n, sizeof(*dst->a)) : NULL;
	dst->k = src->k != NULL ? sift_xcalloc(src->n, sizeof(char *)) :
	    NULL;
	for (i = 0; i < src->n; i++) {
		jv_copy(&dst->a[i], &src->a[i]);
		if (src->k != NULL)
			dst->k[i] = sift_xstrdup(src->k[i]);
	}
}

/* dst (an object) takes src's members, as Python's dict.update(). */
static void
jv_update(struct jv *dst, const struct jv *src)
{
	size_t i, k;

	for (i = 0; i < src->n; i++) {
		for (k = 0; k < dst->n; k++)
			if (strcmp(dst->k[k], src->k[i]) == 0)
				break;
		if (k == dst->n) {
			dst->a = sift_xreallocarray(dst->a, dst->n + 1,
			    sizeof(*dst->a));
			dst->k = sift_xreallocarray(dst->k, dst->n + 1,
			    sizeof(*dst->k));
			dst->k[k] = sift_xstrdup(src->k[i]);
			dst->n++;
		} else
			jv_release(&dst->a[k]);
		jv_copy(&dst->a[k], &src->a[i]);
	}
}

/* ---- growable text ------------------------------------------------------ */

struct tb {
	char	*p;
	size_t	 n, cap;
};

static void tb_printf(struct tb *, const char *, ...) SIFT_PRINTF(2, 3);

static void
tb_printf(struct tb *b, const char *fmt, ...)
{
	va_list ap;
	int k;

	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(b->p != NULL ? b->p + b->n : NULL,
		    b->cap - b->n, fmt, ap);
		va_end(ap);
		if (k < 0)
			return;
		if ((size_t)k < b->cap - b->n) {
			b->n += (size_t)k;
			return;
		}
		b->cap = b->cap * 2 + (size_t)k + 64;
		b->p = sift_xrealloc(b->p, b->cap);
	}
}

/* Python's repr() of a str (what fail2ban's messages show). */
static void
tb_repr(struct tb *b, const char *s, size_t n)
{
	char q = memchr(s, '\'', n) != NULL && memchr(s, '"', n) == NULL ?
	    '"' : '\'';
	size_t i;

	tb_printf(b, "%c", q);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == (unsigned char)q || c == '\\')
			tb_printf(b, "\\%c", c);
		else if (c == '\n')
			tb_printf(b, "\\n");
		else if (c == '\t')
			tb_printf(b, "\\t");
		else if (c < 0x20 || c == 0x7f)
			tb_printf(b, "\\x%02x", c);
		else
			tb_printf(b, "%c", c);
	}
	tb_printf(b, "%c", q);
}

static void
tb_jv(struct tb *b, const struct jv *v)
{
	size_t i;

	switch (v->t) {
	case J_NULL:
		tb_printf(b, "None");
		break;
	case J_BOOL:
		tb_printf(b, "%s", v->b ? "True" : "False");
		break;
	case J_NUM:
		tb_printf(b, "%.15g", v->num);
		break;
	case J_STR:
		tb_repr(b, v->s, strlen(v->s));
		break;
	case J_ARR:
	case J_OBJ:
		tb_printf(b, "%c", v->t == J_ARR ? '[' : '{');
		for (i = 0; i < v->n; i++) {
			if (i > 0)
				tb_printf(b, ", ");
			if (v->t == J_OBJ) {
				tb_repr(b, v->k[i], strlen(v->k[i]));
				tb_printf(b, ": ");
			}
			tb_jv(b, &v->a[i]);
		}
		tb_printf(b, "%c", v->t == J_ARR ? ']' : '}');
		break;
	}
}

/* ---- constraints: the Python expressions the sample files use ---------- */

struct cx {
	const char	*p;
	const char	*name;
	const struct jv	*opts;
	bool		 bad;
};

static void
cx_ws(struct cx *c)
{
	while (*c->p == ' ' || *c->p == '\t')
		c->p++;
}

/* A quoted string; *s, *n point into the expression. */
static bool
cx_quoted(struct cx *c, const char **s, size_t *n)
{
	char q = *c->p;
	const char *e;

	if (q != '\'' && q != '"')
		return false;
	e = strchr(c->p + 1, q);
	if (e == NULL)
		return false;
	*s = c->p + 1;
	*n = (size_t)(e - *s);
	c->p = e + 1;
	return true;
}

/* Operand: name, opts.get('k'), or a string. NULL value: None. */
static bool
cx_operand(struct cx *c, const char **s, size_t *n)
{
	cx_ws(c);
	if (strncmp(c->p, "name", 4) == 0 && !isalnum((unsigned char)c->p[4]) &&
	    c->p[4] != '_') {
		c->p += 4;
		*s = c->name;
		*n = strlen(c->name);
		return true;
	}
	if (strncmp(c->p, "opts.get(", 9) == 0) {
		const char *ks;
		size_t kn;
		char key[128];
		const struct jv *v;

		c->p += 9;
		cx_ws(c);
		if (!cx_quoted(c, &ks, &kn) || kn >= sizeof(key))
			return false;
		cx_ws(c);
		if (*c->p != ')')
			return false;
		c->p++;
		memcpy(key, ks, kn);
		key[kn] = '\0';
		v = jv_get(c->opts, key);
		if (v != NULL && v->t == J_STR) {
			*s = v->s;
			*n = strlen(v->s);
		} else if (v == NULL || v->t == J_NULL) {
			*s = NULL;
			*n = 0;
		} else
			return false;
		return true;
	}
	return cx_quoted(c, s, n);
}

static bool
cx_cmp(struct cx *c)
{
	const char *a, *b;
	size_t an, bn;
	bool eq, same;

	if (!cx_operand(c, &a, &an)) {
		c->bad = true;
		return false;
	}
	cx_ws(c);
	if (strncmp(c->p, "==", 2) == 0)
		eq = true;
	else if (strncmp(c->p, "!=", 2) == 0)
		eq = false;
	else {
		c->bad = true;
		return false;
	}
	c->p += 2;
	if (!cx_operand(c, &b, &bn)) {
		c->bad = true;
		return false;
	}
	same = (a == NULL && b == NULL) || (a != NULL && b != NULL &&
	    an == bn && memcmp(a, b, an) == 0);
	return eq ? same : !same;
}

/* 1 true, 0 false, -1 unsupported. and/or evaluated left to right. */
static int
constraint(const char *expr, const char *name, const struct jv *opts)
{
	struct cx c = { expr, name, opts, false };
	bool v = cx_cmp(&c);

	for (;;) {
		cx_ws(&c);
		if (c.bad)
			return -1;
		if (*c.p == '\0')
			return v;
		if (strncmp(c.p, "and ", 4) == 0) {
			c.p += 4;
			v = cx_cmp(&c) && v;
		} else if (strncmp(c.p, "or ", 3) == 0) {
			c.p += 3;
			v = cx_cmp(&c) || v;
		} else
			return -1;
	}
}

/* ---- the harness ---------------------------------------------------------- */

struct variant {
	char		*key;		/* cache key (fltName) */
	char		*shown;		/* dict repr of the filter options */
	struct jv	 opts;		/* all options, test.* included */
	struct sift_f2b	*f;
	bool		 used[SIFT_F2B_MAXRE];
	bool		 journal;
	const char	*prefix;	/* test.prefix-line, or NULL */
	bool		 haslast;
	int64_t		 last;
};

struct run {
	const char		*spec, *name;
	const struct sift_f2b_opts *fo;
	sift_f2bcheck_report	*report;
	void			*arg;
	struct sift_f2bcheck_stats *st;
	struct sift_err		*err;
	struct variant		 v[MAXVARIANTS];
	size_t			 nv;
	size_t			 active[MAXVARIANTS];
	size_t			 nactive;
	bool			 have_tests;
	bool			 ignore_block;
	struct jv		 common;	/* fileOptions */
	char			**usedre;	/* expanded regexes used */
	size_t			 nusedre;
	char			*files[MAXFILES];
	size_t			 nfiles;
	const char		*file;		/* being read */
	uint64_t		 lineno;
	struct tb		 msg;
};

static void rep(struct run *, const struct variant *, const char *, ...)
    SIFT_PRINTF(3, 4);

static void
rep(struct run *R, const struct variant *v, const char *fmt, ...)
{
	va_list ap;
	char m[1024];

	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	R->st->failed++;
	R->report(R->arg, R->file, R->lineno, v != NULL ? v->shown : "", m);
}

static void
mark_used(struct run *R, struct variant *v, unsigned re)
{
	const char *x = sift_f2b_fail_expanded(v->f, re);
	size_t i;

	v->used[re] = true;
	for (i = 0; i < R->nusedre; i++)
		if (strcmp(R->usedre[i], x) == 0)
			return;
	R->usedre = sift_xreallocarray(R->usedre, R->nusedre + 1,
	    sizeof(char *));
	R->usedre[R->nusedre++] = sift_xstrdup(x);
}

/* Load (or find) the filter for opts (an object; taken over). */
static int
variant(struct run *R, struct jv *opts, size_t *out)
{
	struct tb key = { NULL, 0, 0 }, shown = { NULL, 0, 0 };
	const struct jv *fn = jv_get(opts, "test.filter-name");
	const struct jv *pl;
	const char **ok = NULL, **ov = NULL;
	struct sift_f2b_opts fo;
	struct variant *v;
	char *warn = NULL;
	size_t i, n = 0;
	struct jv flt = { J_OBJ, false, 0, NULL, NULL, NULL, 0 };

	/* the filter options: all but test.* */
	for (i = 0; i < opts->n; i++)
		if (strncmp(opts->k[i], "test.", 5) != 0) {
			struct jv one = { J_OBJ, false, 0, NULL, NULL, NULL,
			    0 };

			one.k = &opts->k[i];
			one.a = &opts->a[i];
			one.n = 1;
			jv_update(&flt, &one);
		}
	if (flt.n > 0)
		tb_jv(&shown, &flt);
	else
		tb_printf(&shown, "%s", "");
	tb_printf(&key, "%s", R->name);
	if (fn != NULL && fn->t == J_STR && fn->s[0] != '\0')
		tb_printf(&key, "%s", fn->s);
	else
		tb_printf(&key, "%s", shown.p);
	for (i = 0; i < R->nv; i++)
		if (strcmp(R->v[i].key, key.p) == 0) {
			free(key.p);
			free(shown.p);
			jv_release(&flt);
			jv_release(opts);
			*out = i;
			return 0;
		}
	if (R->nv == MAXVARIANTS) {
		free(key.p);
		free(shown.p);
		jv_release(&flt);
		jv_release(opts);
		return sift_err_set(R->err, SIFT_E_LIMIT, 0, "%s:%llu: more "
		    "than %d filter variants", R->file,
		    (unsigned long long)R->lineno, MAXVARIANTS);
	}
	ok = sift_xcalloc(flt.n + 1, sizeof(char *));
	ov = sift_xcalloc(flt.n + 1, sizeof(char *));
	for (i = 0; i < flt.n; i++) {
		if (flt.a[i].t != J_STR) {
			/* Python would pass str(value); keep it simple */
			sift_err_set(R->err, SIFT_E_FORMAT, 0,
			    "%s:%llu: filter option '%s' is not a string",
			    R->file, (unsigned long long)R->lineno,
			    flt.k[i]);
			free(ok);
			free(ov);
			free(key.p);
			free(shown.p);
			jv_release(&flt);
			jv_release(opts);
			return -1;
		}
		ok[n] = flt.k[i];
		ov[n++] = flt.a[i].s;
	}
	fo = *R->fo;
	fo.optkey = ok;
	fo.optval = ov;
	fo.nopt = n;
	v = &R->v[R->nv];
	memset(v, 0, sizeof(*v));
	v->f = sift_f2b_load(R->spec, &fo, &warn, R->err);
	free(warn);
	free(ok);
	free(ov);
	jv_release(&flt);
	if (v->f == NULL) {
		char m[sizeof(R->err->msg)];

		snprintf(m, sizeof(m), "%s", R->err->msg);
		sift_err_set(R->err, SIFT_E_FORMAT, 0, "%s:%llu: filter %s%s: "
		    "%s", R->file, (unsigned long long)R->lineno, R->spec,
		    shown.p, m);
		free(key.p);
		free(shown.p);
		jv_release(opts);
		return -1;
	}
	v->key = key.p;
	v->shown = shown.p;
	v->opts = *opts;
	memset(opts, 0, sizeof(*opts));
	pl = jv_get(&v->opts, "logtype");
	v->journal = pl != NULL && pl->t == J_STR &&
	    strcmp(pl->s, "journal") == 0;
	pl = jv_get(&v->opts, "test.prefix-line");
	v->prefix = pl != NULL && pl->t == J_STR ? pl->s : NULL;
	R->nv++;
	R->st->variants++;
	for (i = 0; i < sift_f2b_nfail(v->f); i++)
		if (sift_f2b_greedy(sift_f2b_fail_expanded(v->f, i)))
			rep(R, v, "failregex %zu has a greedy catch-all before "
			    "<HOST> without a hard end anchor: %s", i + 1,
			    sift_f2b_fail(v->f, i));
	*out = R->nv - 1;
	return 0;
}

static void
fmt_time(int64_t t, char *buf, size_t sz)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(buf, sz, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		snprintf(buf, sz, "@%lld", (long long)t);
}

/* "YYYY-MM-DDTHH:MM:SS[.ffffff]" in local time, as time.mktime(). */
static bool
parse_time(const char *s, int64_t *t)
{
	struct tm tm;
	char *e;
	time_t r;

	memset(&tm, 0, sizeof(tm));
	e = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (e == NULL)
		return false;
	if (*e == '.') {
		e++;
		if (!isdigit((unsigned char)*e))
			return false;
		while (isdigit((unsigned char)*e))
			e++;
	}
	if (*e != '\0')
		return false;
	tm.tm_isdst = -1;
	r = mktime(&tm);
	*t = (int64_t)r;
	return true;
}

static int
strp_cmp(const void *a, const void *b)
{
	const struct sift_str *x = a, *y = b;
	size_t n = x->n < y->n ? x->n : y->n;
	int c = memcmp(x->p, y->p, n);

	return c != 0 ? c : (x->n > y->n) - (x->n < y->n);
}

static int
jstr_cmp(const void *a, const void *b)
{
	const struct jv *x = a, *y = b;

	if (x->t != J_STR || y->t != J_STR)
		return (int)x->t - (int)y->t;
	return strcmp(x->s, y->s);
}

/* One captured value against its expectation. */
static void
check_field(struct run *R, struct variant *v, unsigned h, const char *k,
    const struct jv *want)
{
	struct sift_str got;
	bool have, is_id = false;
	const char *from;
	struct tb b = { NULL, 0, 0 };
	size_t i;

	if (strcmp(k, "attempts") == 0 &&
	    !sift_f2b_hit_group(v->f, h, k, &got)) {
		double n = (double)sift_f2b_hit_attempts(v->f, h);

		if (want->t != J_NUM || want->num != n) {
			tb_jv(&b, want);
			rep(R, v, "attempts: expected %s, got %.0f", b.p, n);
		}
		free(b.p);
		return;
	}
	if (strcmp(k, "users") == 0 &&
	    !sift_f2b_hit_group(v->f, h, k, &got)) {
		struct sift_str u[64];
		size_t nu = 0;
		struct jv w;
		bool same;

		while (nu < SIFT_ARRAY_SIZE(u) &&
		    sift_f2b_hit_user(v->f, h, nu, &u[nu]))
			nu++;
		qsort(u, nu, sizeof(u[0]), strp_cmp);
		same = want->t == J_ARR && want->n == nu;
		if (same) {
			jv_copy(&w, want);
			qsort(w.a, w.n, sizeof(w.a[0]), jstr_cmp);
			for (i = 0; i < nu && same; i++)
				same = w.a[i].t == J_STR &&
				    sift_str_eqc(u[i], w.a[i].s);
			jv_release(&w);
		}
		if (!same) {
			tb_printf(&b, "users: expected ");
			tb_jv(&b, want);
			tb_printf(&b, ", got ");
			if (nu == 0)
				tb_printf(&b, "None");
			else {
				tb_printf(&b, "[");
				for (i = 0; i < nu; i++) {
					if (i > 0)
						tb_printf(&b, ", ");
					tb_repr(&b, u[i].p, u[i].n);
				}
				tb_printf(&b, "]");
			}
			rep(R, v, "%s", b.p);
		}
		free(b.p);
		return;
	}
	have = sift_f2b_hit_group(v->f, h, k, &got);
	if (!have && strcmp(k, "host") == 0) {
		have = sift_f2b_hit_id(v->f, h, &got, &from);
		is_id = have;
	}
	if (want->t == J_STR && have) {
		struct sift_addr a, c;

		if (sift_str_eqc(got, want->s))
			return;
		/* the failure id is an IPAddr: compared as addresses */
		if (is_id && sift_addr_parse(got.p, got.n, &a) == 0 &&
		    sift_addr_parse(want->s, strlen(want->s), &c) == 0 &&
		    a.family == c.family && memcmp(a.b, c.b, sizeof(a.b)) == 0)
			return;
	} else if (want->t == J_NULL && !have)
		return;
	tb_printf(&b, "%s: expected ", k);
	tb_jv(&b, want);
	tb_printf(&b, ", got ");
	if (have)
		tb_repr(&b, got.p, got.n);
	else
		tb_printf(&b, "None");
	rep(R, v, "%s", b.p);
	free(b.p);
}

static void
show_hit(struct tb *b, struct variant *v, unsigned h,
    const struct sift_f2b_result *res)
{
	struct sift_str id;
	const char *from;

	tb_printf(b, "failregex %u", res->hit[h] + 1);
	if (sift_f2b_hit_id(v->f, h, &id, &from)) {
		tb_printf(b, " (%s ", from);
		tb_repr(b, id.p, id.n);
		tb_printf(b, ")");
	}
}

/* One sample line through one variant. */
static int
test_variant(struct run *R, struct variant *v, const char *line, size_t n,
    const struct jv *fd)
{
	struct sift_f2b_result res;
	const struct jv *m = jv_get(fd, "match"), *c;
	bool want = m != NULL && m->t == J_BOOL && m->b;
	unsigned found[SIFT_F2B_MAXRE], nf = 0, h;
	char *tmp = NULL;
	struct tb b = { NULL, 0, 0 };
	size_t i;
	int r;

	c = jv_get(fd, "constraint");
	if (c != NULL && c->t == J_STR && c->s[0] != '\0') {
		r = constraint(c->s, R->name, &v->opts);
		if (r < 0)
			return sift_err_set(R->err, SIFT_E_UNSUPPORTED, 0,
			    "%s:%llu: unsupported constraint: %s", R->file,
			    (unsigned long long)R->lineno, c->s);
		if (r == 0)
			return 0;
	}
	R->st->checks++;
	if (v->journal) {
		size_t pn = v->prefix != NULL ? strlen(v->prefix) : 0;

		tmp = sift_xmalloc(pn + n + 1);
		if (pn > 0)
			memcpy(tmp, v->prefix, pn);
		memcpy(tmp + pn, line, n);
		r = sift_f2b_process_at(v->f, tmp, pn + n, R->fo->now, &res,
		    R->err);
	} else
		r = sift_f2b_process(v->f, line, n, &res, R->err);
	free(tmp);
	if (r != 0) {
		rep(R, v, "%s", R->err->msg);
		return 0;
	}
	if (res.has_time) {
		v->haslast = true;
		v->last = res.time;
	} else if (v->haslast && v->last > R->fo->now - 60) {
		res.has_time = true;
		res.time = v->last;
	}
	for (h = 0; h < res.nhits; h++) {
		struct sift_str id;
		const char *from;

		if (!sift_f2b_hit_id(v->f, h, &id, &from) ||
		    (res.nofail & ((uint64_t)1 << h)) != 0) {
			/* pending or nofail: no failure, the regex is used */
			mark_used(R, v, res.hit[h]);
			continue;
		}
		found[nf++] = h;
	}
	if (nf == 0) {
		if (want) {
			const struct jv *hv = jv_get(fd, "host");

			tb_printf(&b, "expected a match");
			if (hv != NULL && hv->t == J_STR) {
				tb_printf(&b, " (host ");
				tb_jv(&b, hv);
				tb_printf(&b, ")");
			}
			tb_printf(&b, ", got none");
			rep(R, v, "%s", b.p);
		}
		free(b.p);
		return 0;
	}
	for (i = 0; i < nf; i++)
		mark_used(R, v, res.hit[found[i]]);
	if (!want) {
		tb_printf(&b, "expected no match, got one by ");
		show_hit(&b, v, found[0], &res);
		rep(R, v, "%s", b.p);
		free(b.p);
		return 0;
	}
	if (nf > 1) {
		tb_printf(&b, "expected one failregex to match, got %u:", nf);
		for (i = 0; i < nf; i++) {
			tb_printf(&b, i > 0 ? "," : "");
			tb_printf(&b, " ");
			show_hit(&b, v, found[i], &res);
		}
		rep(R, v, "%s", b.p);
		free(b.p);
		return 0;
	}
	h = found[0];
	for (i = 0; i < fd->n; i++) {
		const char *k = fd->k[i];

		if (strcmp(k, "time") == 0 || strcmp(k, "match") == 0 ||
		    strcmp(k, "desc") == 0 || strcmp(k, "constraint") == 0)
			continue;
		check_field(R, v, h, k, &fd->a[i]);
	}
	if ((c = jv_get(fd, "time")) != NULL && c->t != J_NULL) {
		int64_t t;
		char g[40];

		if (c->t != J_STR || !parse_time(c->s, &t)) {
			tb_jv(&b, c);
			rep(R, v, "time: cannot read %s", b.p);
		} else if (!res.has_time)
			rep(R, v, "time: expected %s, got None", c->s);
		else if (res.time != t) {
			fmt_time(res.time, g, sizeof(g));
			rep(R, v, "time: expected %s, got %s", c->s, g);
		}
	}
	free(b.p);
	return 0;
}

/* A "# filterOptions:" line: the variants from here on. */
static int
filter_options(struct run *R, struct jv *fd)
{
	size_t i, n = fd->t == J_ARR ? fd->n : 1;

	R->nactive = 0;
	R->have_tests = true;
	R->ignore_block = false;
	for (i = 0; i < n; i++) {
		const struct jv *one = fd->t == J_ARR ? &fd->a[i] : fd;
		const struct jv *cond;
		struct jv opts = { J_OBJ, false, 0, NULL, NULL, NULL, 0 };
		size_t k;

		if (one->t != J_OBJ)
			return sift_err_set(R->err, SIFT_E_FORMAT, 0,
			    "%s:%llu: filterOptions: expected an object",
			    R->file, (unsigned long long)R->lineno);
		jv_update(&opts, &R->common);
		jv_update(&opts, one);
		cond = jv_get(&opts, "test.condition");
		if (cond != NULL && cond->t == J_STR && cond->s[0] != '\0') {
			int r = constraint(cond->s, R->name, &opts);

			if (r < 0) {
				jv_release(&opts);
				return sift_err_set(R->err,
				    SIFT_E_UNSUPPORTED, 0, "%s:%llu: "
				    "unsupported test.condition: %s",
				    R->file, (unsigned long long)R->lineno,
				    cond->s);
			}
			R->ignore_block = r == 0;
		}
		if (R->ignore_block) {
			jv_release(&opts);
			continue;
		}
		if (variant(R, &opts, &k) != 0)
			return -1;
		R->active[R->nactive++] = k;
	}
	return 0;
}

static bool
annotation(const char *p, size_t n, const char **kind, size_t *kn,
    const char **val, size_t *vn)
{
	static const char *const kinds[] = { "failJSON", "fileOptions",
	    "filterOptions", "addFILE" };
	size_t i = 0, k;

	while (i < n && p[i] == '#')
		i++;
	if (i == 0)
		return false;
	if (i < n && p[i] == ' ')
		i++;
	for (k = 0; k < SIFT_ARRAY_SIZE(kinds); k++) {
		size_t l = strlen(kinds[k]);

		if (n - i > l && memcmp(p + i, kinds[k], l) == 0 &&
		    p[i + l] == ':') {
			*kind = kinds[k];
			*kn = l;
			*val = p + i + l + 1;
			*vn = n - i - l - 1;
			/* (.+): at least one character, no newline */
			return *vn > 0 && memchr(*val, '\n', *vn) == NULL;
		}
	}
	return false;
}

static int
test_line(struct run *R, const char *line, size_t n, const struct jv *fd)
{
	size_t i;

	if (!R->have_tests) {
		struct jv none = { J_OBJ, false, 0, NULL, NULL, NULL, 0 };
		size_t k;

		if (variant(R, &none, &k) != 0)
			return -1;
		R->active[0] = k;
		R->nactive = 1;
		R->have_tests = true;
	}
	R->st->lines++;
	for (i = 0; i < R->nactive; i++)
		if (test_variant(R, &R->v[R->active[i]], line, n, fd) != 0)
			return -1;
	return 0;
}

static int
read_file(struct run *R, const char *path)
{
	struct sift_reader *rd;
	struct sift_str line;
	struct jv fd = { J_OBJ, false, 0, NULL, NULL, NULL, 0 };
	bool pending = false;
	int k, rc = 0;

	if (sift_reader_open(&rd, path, NULL, R->err) != 0)
		return -1;
	R->file = path;
	while ((k = sift_reader_next(rd, &line, R->err)) == 1) {
		const char *kind, *val, *why;
		size_t kn, vn, i;
		struct jv j;

		R->lineno = sift_reader_lineno(rd);
		if (pending) {
			pending = false;
			if ((rc = test_line(R, line.p, line.n, &fd)) != 0)
				break;
			jv_release(&fd);
			continue;
		}
		if (annotation(line.p, line.n, &kind, &kn, &val, &vn)) {
			if (json_parse(val, vn, &j, &why) != 0) {
				rc = sift_err_set(R->err, SIFT_E_FORMAT, 0,
				    "%s:%llu: %.*s: bad JSON: %s", path,
				    (unsigned long long)R->lineno, (int)kn,
				    kind, why);
				break;
			}
			if (strcmp(kind, "fileOptions") == 0) {
				if (j.t != J_OBJ) {
					jv_release(&j);
					rc = sift_err_set(R->err,
					    SIFT_E_FORMAT, 0, "%s:%llu: "
					    "fileOptions: expected an object",
					    path,
					    (unsigned long long)R->lineno);
					break;
				}
				jv_release(&R->common);
				R->common = j;
			} else if (strcmp(kind, "filterOptions") == 0) {
				rc = filter_options(R, &j);
				jv_release(&j);
				if (rc != 0)
					break;
			} else if (strcmp(kind, "addFILE") == 0) {
				const char *s = strrchr(path, '/');
				struct tb p = { NULL, 0, 0 };

				if (j.t != J_STR || R->nfiles == MAXFILES) {
					jv_release(&j);
					rc = sift_err_set(R->err,
					    SIFT_E_FORMAT, 0, "%s:%llu: "
					    "addFILE: expected a file name "
					    "(at most %d files)", path,
					    (unsigned long long)R->lineno,
					    MAXFILES);
					break;
				}
				if (s != NULL)
					tb_printf(&p, "%.*s/%s",
					    (int)(s - path), path, j.s);
				else
					tb_printf(&p, "%s", j.s);
				for (i = 0; i < R->nfiles; i++)
					if (strcmp(R->files[i], p.p) == 0)
						break;
				/* fail2ban would loop; read each once */
				if (i == R->nfiles)
					R->files[R->nfiles++] = p.p;
				else
					free(p.p);
				jv_release(&j);
			} else {
				if (j.t != J_OBJ) {
					jv_release(&j);
					rc = sift_err_set(R->err,
					    SIFT_E_FORMAT, 0, "%s:%llu: "
					    "failJSON: expected an object",
					    path,
					    (unsigned long long)R->lineno);
					break;
				}
				fd = j;
				pending = true;
			}
			continue;
		}
		if (R->ignore_block || (line.n > 0 && line.p[0] == '#'))
			continue;
		for (i = 0; i < line.n; i++)
			if (!isspace((unsigned char)line.p[i]))
				break;
		if (i == line.n)
			continue;
		/* a line without annotation must not match */
		{
			struct jv none = { J_OBJ, false, 0, NULL, NULL, NULL,
			    0 };

			if ((rc = test_line(R, line.p, line.n, &none)) != 0)
				break;
		}
	}
	if (k < 0)
		rc = -1;
	jv_release(&fd);
	sift_reader_close(rd);
	return rc;
}

int
sift_f2bcheck_run(const char *samples, const char *spec, const char *name,
    const struct sift_f2b_opts *fo, sift_f2bcheck_report *report,
    void *arg, struct sift_f2bcheck_stats *st, struct sift_err *err)
{
	struct run *R = sift_xcalloc(1, sizeof(*R));
	size_t i, k, j;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	R->spec = spec;
	R->name = name;
	R->fo = fo;
	R->report = report;
	R->arg = arg;
	R->st = st;
	R->err = err;
	R->common.t = J_OBJ;
	R->files[R->nfiles++] = sift_xstrdup(samples);
	for (i = 0; i < R->nfiles && rc == 0; i++)
		rc = read_file(R, R->files[i]);
	if (rc == 0) {
		/* every failregex of every variant needs a sample */
		R->file = spec;
		R->lineno = 0;
		for (i = 0; i < R->nv; i++) {
			struct variant *v = &R->v[i];

			for (k = 0; k < sift_f2b_nfail(v->f); k++) {
				const char *x = sift_f2b_fail_expanded(v->f,
				    k);
				bool used = v->used[k];

				for (j = 0; j < R->nusedre && !used; j++)
					used = strcmp(R->usedre[j], x) == 0;
				if (!used)
					rep(R, v, "failregex %zu has no "
					    "samples: %s", k + 1,
					    sift_f2b_fail(v->f, k));
			}
		}
	}
	for (i = 0; i < R->nv; i++) {
		free(R->v[i].key);
		free(R->v[i].shown);
		jv_release(&R->v[i].opts);
		sift_f2b_free(R->v[i].f);
	}
	for (i = 0; i < R->nusedre; i++)
		free(R->usedre[i]);
	free(R->usedre);
	for (i = 0; i < R->nfiles; i++)
		free(R->files[i]);
	jv_release(&R->common);
	free(R->msg.p);
	free(R);
	return rc;
}
