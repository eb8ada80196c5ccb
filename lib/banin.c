/* SPDX-License-Identifier: ISC */
/* banlist input: offender lines and live ipset/nft dumps. */
#include "banin.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"
#include "banned.h"

#define JSON_MAX_DEPTH	64

static bool
is_sep(char ch)
{
	return ch == ' ' || ch == '\t' || ch == ',' ||
	    ch == '\r' || ch == '\n';
}

static bool
is_ws(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static bool
ieq(const char *p, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	if (n != l)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = p[i];

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (ch != lit[i])
			return false;
	}
	return true;
}

/*
 * Minimal JSON scanning over [*pp, end): skip one value. Returns 0 or -1.
 */
static int
json_skip(const char **pp, const char *end, int depth);

static void
json_ws(const char **pp, const char *end)
{
	while (*pp < end && is_ws(**pp))
		(*pp)++;
}

/* A string at *pp; sets its raw body and whether it holds escapes. */
static int
json_string(const char **pp, const char *end, const char **s, size_t *n,
    bool *esc)
{
	const char *p = *pp;

	if (p >= end || *p != '"')
		return -1;
	p++;
	*s = p;
	*esc = false;
	while (p < end && *p != '"') {
		if ((unsigned char)*p < 0x20)
			return -1;
		if (*p == '\\') {
			*esc = true;
			if (++p >= end)
				return -1;
		}
		p++;
	}
	if (p >= end)
		return -1;
	*n = (size_t)(p - *s);
	*pp = p + 1;
	return 0;
}

static int
json_skip(const char **pp, const char *end, int depth)
{
	const char *s;
	size_t n;
	bool esc;
	char close;

	if (depth > JSON_MAX_DEPTH)
		return -1;
	json_ws(pp, end);
	if (*pp >= end)
		return -1;
	switch (**pp) {
	case '"':
		return json_string(pp, end, &s, &n, &esc);
	case '{':
	case '[':
		close = **pp == '{' ? '}' : ']';
		(*pp)++;
		json_ws(pp, end);
		if (*pp < end && **pp == close) {
			(*pp)++;
			return 0;
		}
		for (;;) {
			if (close == '}') {
				json_ws(pp, end);
				if (json_string(pp, end, &s, &n, &esc) == -1)
					return -1;
				json_ws(pp, end);
				if (*pp >= end || **pp != ':')
					return -1;
				(*pp)++;
			}
			if (json_skip(pp, end, depth + 1) == -1)
				return -1;
			json_ws(pp, end);
			if (*pp >= end)
				return -1;
			if (**pp == close) {
				(*pp)++;
				return 0;
			}
			if (**pp != ',')
				return -1;
			(*pp)++;
		}
	default:
		s = *pp;
		while (*pp < end && !is_sep(**pp) && **pp != '}' &&
		    **pp != ']' && **pp != ':')
			(*pp)++;
		return *pp > s ? 0 : -1;
	}
}

/* The top-level "ip" member of a JSON object line. */
static int
json_ip(struct sift_str line, struct sift_str *ip)
{
	const char *p = line.p, *end = line.p + line.n, *k, *v;
	size_t kn, vn;
	bool esc, vesc;

	json_ws(&p, end);
	if (p >= end || *p++ != '{')
		return -1;
	for (;;) {
		json_ws(&p, end);
		if (json_string(&p, end, &k, &kn, &esc) == -1)
			return -1;
		json_ws(&p, end);
		if (p >= end || *p++ != ':')
			return -1;
		json_ws(&p, end);
		if (!esc && kn == 2 && memcmp(k, "ip", 2) == 0) {
			if (json_string(&p, end, &v, &vn, &vesc) == -1 || vesc)
				return -1;
			*ip = sift_str_make(v, vn);
			return 0;
		}
		if (json_skip(&p, end, 1) == -1)
			return -1;
		json_ws(&p, end);
		if (p >= end || *p != ',')
			return -1;
		p++;
	}
}

int
sift_banin_line(struct sift_str line, struct sift_cidr *c, const char **why)
{
	const char *p = line.p, *end = line.p + line.n, *f;
	struct sift_str ip;

	while (p < end && is_ws(*p))
		p++;
	if (p == end || *p == '#')
		return 0;
	if (*p == '{') {
		if (json_ip(sift_str_make(p, (size_t)(end - p)), &ip) == -1) {
			*why = "JSON line without a string \"ip\" member";
			return -1;
		}
	} else {
		f = p;
		while (p < end && !is_sep(*p))
			p++;
		ip = sift_str_make(f, (size_t)(p - f));
		if (ieq(ip.p, ip.n, "ip") || ieq(ip.p, ip.n, "address") ||
		    ieq(ip.p, ip.n, "addr"))
			return 0;
	}
	if (ip.n == 0 || sift_cidr_parse(ip.p, ip.n, c, true) == -1) {
		*why = "not an IP address or CIDR prefix";
		if (sift_cidr_parse(ip.p, ip.n, c, false) == 0)
			*why = "host bits set beyond the prefix length";
		return -1;
	}
	return 1;
}

/* ---- live dumps ---- */

struct live {
	const char	*name;
	const char	*name4, *name6;
	sift_banin_elem_fn fn;
	void		*arg;
	long		 count;
	struct sift_err	*err;
};

static bool
name_match(const struct live *lv, const char *p, size_t n)
{
	return (strlen(lv->name4) == n && memcmp(lv->name4, p, n) == 0) ||
	    (lv->name6 != NULL && strlen(lv->name6) == n &&
	    memcmp(lv->name6, p, n) == 0);
}

/* "a.b.c.d", "a.b.c.d/len" or "lo-hi" (ipset bitmap/range syntax). */
static int
live_elem(struct live *lv, const char *p, size_t n)
{
	struct sift_cidr c;
	struct sift_addr hi;
	const char *dash;

	if (sift_cidr_parse(p, n, &c, false) == 0) {
		lv->fn(&c, NULL, lv->arg);
		lv->count++;
		return 0;
	}
	dash = memchr(p, '-', n);
	if (dash == NULL || sift_addr_parse(p, (size_t)(dash - p), &c.a) == -1 ||
	    sift_addr_parse(dash + 1, n - (size_t)(dash + 1 - p), &hi) == -1 ||
	    c.a.family != hi.family || sift_addr_cmp(&c.a, &hi) > 0)
		return -1;
	c.prefix = (uint8_t)sift_addr_bits(&c.a);
	if (sift_addr_eq(&c.a, &hi))
		lv->fn(&c, NULL, lv->arg);
	else
		lv->fn(&c, &hi, lv->arg);
	lv->count++;
	return 0;
}

static void
next_token(const char **pp, const char *end, const char **t, size_t *tn)
{
	while (*pp < end && (**pp == ' ' || **pp == '\t'))
		(*pp)++;
	*t = *pp;
	while (*pp < end && **pp != ' ' && **pp != '\t')
		(*pp)++;
	*tn = (size_t)(*pp - *t);
}

static long
live_text(struct live *lv, const char *buf, size_t n)
{
	const char *p = buf, *end = buf + n, *eol, *q, *t;
	size_t tn;
	unsigned long lineno = 0;
	bool cur = false, members = false, known = false;

	for (; p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		lineno++;
		q = p;
		next_token(&q, eol, &t, &tn);
		if (tn == 0) {
			members = false;
			continue;
		}
		if (tn == 1 && *t == '#')
			continue;
		if ((tn == 6 && memcmp(t, "create", 6) == 0) ||
		    (tn == 5 && memcmp(t, "Name:", 5) == 0))
			known = true;
		if (tn == 3 && memcmp(t, "add", 3) == 0 && !members) {
			known = true;
			next_token(&q, eol, &t, &tn);
			if (!name_match(lv, t, tn))
				continue;
			next_token(&q, eol, &t, &tn);
		} else if (tn == 5 && memcmp(t, "Name:", 5) == 0) {
			next_token(&q, eol, &t, &tn);
			cur = name_match(lv, t, tn);
			members = false;
			continue;
		} else if (tn == 8 && memcmp(t, "Members:", 8) == 0) {
			members = true;
			continue;
		} else if (!members || !cur) {
			continue;
		}
		if (live_elem(lv, t, tn) == -1)
			return sift_err_set(lv->err, SIFT_E_FORMAT, 0,
			    "%s:%lu: not an address, prefix or range",
			    lv->name, lineno);
	}
	if (!known && lineno > 0)
		return sift_err_set(lv->err, SIFT_E_FORMAT, 0,
		    "%s: not an ipset save or ipset list dump, nor nft JSON",
		    lv->name);
	return lv->count;
}

/*
 * nft JSON: find every object member "set" whose value is an object with a
 * matching "name", and report the elements of its "elem" array.
 */
static int json_walk(struct live *lv, const char **pp, const char *end,
	    int depth);

static int
nft_value(struct live *lv, const char **pp, const char *end, int depth)
{
	const char *s, *k, *save;
	size_t n, kn;
	bool esc;
	char buf[2][SIFT_ADDR_STRLEN + 1];
	size_t bn[2] = { 0, 0 };
	long len = -1;
	int nb = 0;

	if (depth > JSON_MAX_DEPTH)
		return -1;
	json_ws(pp, end);
	if (*pp < end && **pp == '"') {
		if (json_string(pp, end, &s, &n, &esc) == -1 || esc)
			return -1;
		return live_elem(lv, s, n);
	}
	if (*pp >= end || **pp != '{')
		return -1;
	(*pp)++;
	json_ws(pp, end);
	if (json_string(pp, end, &k, &kn, &esc) == -1)
		return -1;
	json_ws(pp, end);
	if (*pp >= end || *(*pp)++ != ':')
		return -1;
	json_ws(pp, end);
	if (kn == 4 && memcmp(k, "elem", 4) == 0) {
		/* {"elem": {"val": X, "timeout": ..., ...}} */
		if (*pp >= end || *(*pp)++ != '{')
			return -1;
		for (;;) {
			json_ws(pp, end);
			if (json_string(pp, end, &k, &kn, &esc) == -1)
				return -1;
			json_ws(pp, end);
			if (*pp >= end || *(*pp)++ != ':')
				return -1;
			if (kn == 3 && memcmp(k, "val", 3) == 0) {
				if (nft_value(lv, pp, end, depth + 1) == -1)
					return -1;
			} else if (json_skip(pp, end, depth + 1) == -1)
				return -1;
			json_ws(pp, end);
			if (*pp < end && **pp == ',') {
				(*pp)++;
				continue;
			}
			if (*pp >= end || *(*pp)++ != '}')
				return -1;
			break;
		}
	} else if (kn == 6 && memcmp(k, "prefix", 6) == 0) {
		/* {"prefix": {"addr": "a", "len": n}} */
		if (*pp >= end || *(*pp)++ != '{')
			return -1;
		for (;;) {
			json_ws(pp, end);
			if (json_string(pp, end, &k, &kn, &esc) == -1)
				return -1;
			json_ws(pp, end);
			if (*pp >= end || *(*pp)++ != ':')
				return -1;
			json_ws(pp, end);
			if (kn == 4 && memcmp(k, "addr", 4) == 0) {
				if (json_string(pp, end, &s, &n, &esc) == -1 ||
				    n > SIFT_ADDR_STRLEN)
					return -1;
				memcpy(buf[0], s, n);
				bn[0] = n;
			} else if (kn == 3 && memcmp(k, "len", 3) == 0) {
				save = *pp;
				len = 0;
				while (*pp < end && **pp >= '0' && **pp <= '9' &&
				    len < 1000)
					len = len * 10 + (*(*pp)++ - '0');
				if (*pp == save)
					return -1;
			} else if (json_skip(pp, end, depth + 1) == -1)
				return -1;
			json_ws(pp, end);
			if (*pp < end && **pp == ',') {
				(*pp)++;
				continue;
			}
			if (*pp >= end || *(*pp)++ != '}')
				return -1;
			break;
		}
		if (bn[0] == 0 || len < 0 || len > 128)
			return -1;
		n = bn[0];
		n += (size_t)snprintf(buf[0] + n, sizeof(buf[0]) - n, "/%ld",
		    len);
		if (n >= sizeof(buf[0]))
			return -1;
		if (live_elem(lv, buf[0], n) == -1)
			return -1;
	} else if (kn == 5 && memcmp(k, "range", 5) == 0) {
		/* {"range": ["lo", "hi"]} */
		if (*pp >= end || *(*pp)++ != '[')
			return -1;
		for (nb = 0; nb < 2; nb++) {
			json_ws(pp, end);
			if (json_string(pp, end, &s, &n, &esc) == -1 ||
			    n > SIFT_ADDR_STRLEN)
				return -1;
			memcpy(buf[nb], s, n);
			bn[nb] = n;
			json_ws(pp, end);
			if (*pp >= end || *(*pp)++ != (nb == 0 ? ',' : ']'))
				return -1;
		}
		if (bn[0] + bn[1] + 1 > sizeof(buf[0]) * 2)
			return -1;
		{
			char r[2 * SIFT_ADDR_STRLEN + 3];

			memcpy(r, buf[0], bn[0]);
			r[bn[0]] = '-';
			memcpy(r + bn[0] + 1, buf[1], bn[1]);
			if (live_elem(lv, r, bn[0] + 1 + bn[1]) == -1)
				return -1;
		}
	} else {
		return -1;
	}
	json_ws(pp, end);
	if (*pp >= end || *(*pp)++ != '}')
		return -1;
	return 0;
}

/* The value of a "set" member: an object; report elem if name matches. */
static int
nft_set(struct live *lv, const char **pp, const char *end, int depth)
{
	const char *k, *s, *start = *pp, *elem = NULL;
	size_t kn, n;
	bool esc, match = false;

	json_ws(pp, end);
	if (*pp >= end || **pp != '{')
		return json_walk(lv, pp, end, depth);
	start = *pp;
	/* First pass: find "name" and where "elem" starts. */
	(*pp)++;
	for (;;) {
		json_ws(pp, end);
		if (*pp < end && **pp == '}') {
			(*pp)++;
			break;
		}
		if (json_string(pp, end, &k, &kn, &esc) == -1)
			return -1;
		json_ws(pp, end);
		if (*pp >= end || *(*pp)++ != ':')
			return -1;
		json_ws(pp, end);
		if (kn == 4 && memcmp(k, "name", 4) == 0 && *pp < end &&
		    **pp == '"') {
			if (json_string(pp, end, &s, &n, &esc) == -1)
				return -1;
			match = !esc && name_match(lv, s, n);
		} else {
			if (kn == 4 && memcmp(k, "elem", 4) == 0)
				elem = *pp;
			if (json_skip(pp, end, depth + 1) == -1)
				return -1;
		}
		json_ws(pp, end);
		if (*pp < end && **pp == ',')
			(*pp)++;
	}
	(void)start;
	if (!match || elem == NULL)
		return 0;
	if (*elem != '[')
		return -1;
	elem++;
	json_ws(&elem, end);
	if (elem < end && *elem == ']')
		return 0;
	for (;;) {
		if (nft_value(lv, &elem, end, depth + 1) == -1)
			return -1;
		json_ws(&elem, end);
		if (elem < end && *elem == ',') {
			elem++;
			continue;
		}
		if (elem < end && *elem == ']')
			return 0;
		return -1;
	}
}

static int
json_walk(struct live *lv, const char **pp, const char *end, int depth)
{
	const char *k;
	size_t kn;
	bool esc;
	char close;

	if (depth > JSON_MAX_DEPTH)
		return -1;
	json_ws(pp, end);
	if (*pp >= end)
		return -1;
	if (**pp != '{' && **pp != '[')
		return json_skip(pp, end, depth);
	close = **pp == '{' ? '}' : ']';
	(*pp)++;
	json_ws(pp, end);
	if (*pp < end && **pp == close) {
		(*pp)++;
		return 0;
	}
	for (;;) {
		if (close == '}') {
			json_ws(pp, end);
			if (json_string(pp, end, &k, &kn, &esc) == -1)
				return -1;
			json_ws(pp, end);
			if (*pp >= end || *(*pp)++ != ':')
				return -1;
			if (kn == 3 && memcmp(k, "set", 3) == 0) {
				if (nft_set(lv, pp, end, depth + 1) == -1)
					return -1;
			} else if (json_walk(lv, pp, end, depth + 1) == -1)
				return -1;
		} else if (json_walk(lv, pp, end, depth + 1) == -1)
			return -1;
		json_ws(pp, end);
		if (*pp >= end)
			return -1;
		if (**pp == close) {
			(*pp)++;
			return 0;
		}
		if (*(*pp)++ != ',')
			return -1;
	}
}

long
sift_banin_live(const char *buf, size_t n, const char *name,
    const char *name4, const char *name6, sift_banin_elem_fn fn, void *arg,
    struct sift_err *err)
{
	struct live lv = { name, name4, name6, fn, arg, 0, err };
	const char *p = buf, *end = buf + n;

	json_ws(&p, end);
	if (p < end && *p == '{') {
		/* One or more JSON documents, one per nft -j call. */
		while (p < end) {
			if (json_walk(&lv, &p, end, 0) == -1)
				return sift_err_set(err, SIFT_E_FORMAT, 0,
				    "%s: byte %zu: malformed nft JSON dump",
				    name, (size_t)(p - buf));
			json_ws(&p, end);
		}
		return lv.count;
	}
	return live_text(&lv, buf, n);
}
