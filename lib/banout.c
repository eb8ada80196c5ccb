/* SPDX-License-Identifier: ISC */
/* banlist writers: name checks, the plain list, element-level diffs. */
#include "banout.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"
#include "banned.h"

static bool
name_chars(const char *s, size_t max, const char *extra)
{
	size_t n = 0;

	for (const char *p = s; *p != '\0'; p++, n++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_')
			continue;
		if (strchr(extra, *p) == NULL)
			return false;
	}
	return n >= 1 && n <= max;
}

bool
sift_setname_ok(const char *s)
{
	return s != NULL && name_chars(s, SIFT_SETNAME_MAX, ".-") &&
	    s[0] != '.' && s[0] != '-';
}

bool
sift_chain_ok(const char *s)
{
	return s != NULL && name_chars(s, SIFT_CHAIN_MAX, ".-") &&
	    s[0] != '-' && s[0] != '.' && s[0] != '!';
}

bool
sift_nftname_ok(const char *s)
{
	static const char *const keywords[] = { "table", "chain", "set",
		"map", "flush", "delete", "add", "insert", "element", "inet",
		"ip", "ip6", "filter", "type", "hook", "policy", "drop",
		"accept", "counter", "elements", "flags", "timeout", "interval",
		"define", "include", "destroy", "create", "list", "reset",
		"rule", "saddr", "daddr", "tcp", "udp", "dport", "input",
		"priority", "return", "jump", "goto" };

	if (s == NULL || !name_chars(s, SIFT_NFTNAME_MAX, "") ||
	    (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < SIFT_ARRAY_SIZE(keywords); i++)
		if (strcmp(s, keywords[i]) == 0)
			return false;
	return true;
}

bool
sift_chain_is_builtin(const char *s)
{
	return strcmp(s, "INPUT") == 0 || strcmp(s, "FORWARD") == 0 ||
	    strcmp(s, "DOCKER-USER") == 0;
}

bool
sift_ports_ok(const char *s)
{
	unsigned n = 0, v;
	const char *p = s;
	bool range;

	if (s == NULL || *s == '\0')
		return false;
	for (;;) {
		range = false;
		for (;;) {
			if (*p < '0' || *p > '9')
				return false;
			v = 0;
			while (*p >= '0' && *p <= '9') {
				v = v * 10 + (unsigned)(*p++ - '0');
				if (v > 65535)
					return false;
			}
			if (v == 0)
				return false;
			if (*p != ':' || range)
				break;
			range = true;
			p++;
		}
		/* multiport counts a range as two of its 15 ports */
		n += range ? 2 : 1;
		if (n > 15)
			return false;
		if (*p == '\0')
			return true;
		if (*p++ != ',')
			return false;
	}
}

int
sift_banout_check(const struct sift_banout *o, const char *format,
    struct sift_err *err)
{
	if (!sift_setname_ok(o->name4))
		return sift_err_set(err, SIFT_E_USAGE, 0,
		    "invalid set name (want 1 to %d of A-Z a-z 0-9 _ . -, "
		    "not starting with . or -)", SIFT_SETNAME_MAX);
	if (!sift_setname_ok(o->name6))
		return sift_err_set(err, SIFT_E_USAGE, 0,
		    "invalid IPv6 set name (want 1 to %d of A-Z a-z 0-9 _ . -, "
		    "not starting with . or -)", SIFT_SETNAME_MAX);
	if (strcmp(o->name4, o->name6) == 0)
		return sift_err_set(err, SIFT_E_USAGE, 0,
		    "the IPv4 and IPv6 set names must differ");
	if (strcmp(format, "iptables") == 0) {
		if (!sift_chain_ok(o->chain))
			return sift_err_set(err, SIFT_E_USAGE, 0,
			    "invalid chain name (want 1 to %d of A-Z a-z 0-9 "
			    "_ . -, not starting with -)", SIFT_CHAIN_MAX);
		if (!sift_chain_ok(o->from))
			return sift_err_set(err, SIFT_E_USAGE, 0,
			    "invalid parent chain name");
		if (o->ports != NULL && !sift_ports_ok(o->ports))
			return sift_err_set(err, SIFT_E_USAGE, 0,
			    "invalid port list (want up to 15 ports 1-65535, "
			    "comma-separated, a:b for a range)");
	}
	if (strcmp(format, "fail2ban") == 0 && !sift_chain_ok(o->jail))
		return sift_err_set(err, SIFT_E_USAGE, 0,
		    "invalid jail name (want 1 to %d of A-Z a-z 0-9 _ . -)",
		    SIFT_CHAIN_MAX);
	if (strcmp(format, "nft") == 0) {
		if (!sift_nftname_ok(o->table))
			return sift_err_set(err, SIFT_E_USAGE, 0,
			    "invalid nft table name");
		if (!sift_nftname_ok(o->name4) || !sift_nftname_ok(o->name6))
			return sift_err_set(err, SIFT_E_USAGE, 0,
			    "set names must be nft identifiers (a letter or _ "
			    "first, no keywords) for -f %s", format);
	}
	return 0;
}

struct list_ctx {
	FILE	*fp;
	char	 sign;
};

static int
list_cb(const struct sift_cidr *c, void *arg)
{
	struct list_ctx *l = arg;
	char buf[SIFT_CIDR_STRLEN];

	sift_cidr_format(c, buf, sizeof(buf));
	if (l->sign != '\0')
		putc(l->sign, l->fp);
	fputs(buf, l->fp);
	putc('\n', l->fp);
	return 0;
}

void
sift_out_list(FILE *fp, struct sift_ipset *s)
{
	struct list_ctx l = { fp, '\0' };

	(void)sift_ipset_foreach_cidr(s, list_cb, &l);
}

void
sift_out_list_diff(FILE *fp, const struct sift_bandiff *d)
{
	struct list_ctx l = { fp, '+' };
	char buf[2 * SIFT_CIDR_STRLEN];

	for (size_t i = 0; i < d->ndel; i++) {
		sift_liveelem_format(&d->del[i], buf, sizeof(buf));
		fprintf(fp, "-%s\n", buf);
	}
	for (size_t i = 0; i < d->nadd; i++)
		(void)list_cb(&d->add[i], &l);
}

int
sift_cidr_cmp(const struct sift_cidr *x, const struct sift_cidr *y)
{
	int c;

	if (x->a.family != y->a.family)
		return x->a.family < y->a.family ? -1 : 1;
	if ((c = memcmp(x->a.b, y->a.b, 16)) != 0)
		return c;
	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return 0;
}

static int
elem_cmp(const struct sift_liveelem *x, const struct sift_liveelem *y)
{
	int c;

	if ((c = sift_cidr_cmp(&x->c, &y->c)) != 0)
		return c;
	if (x->hi.family != y->hi.family)
		return x->hi.family < y->hi.family ? -1 : 1;
	return memcmp(x->hi.b, y->hi.b, 16);
}

static int
elem_qcmp(const void *x, const void *y)
{
	return elem_cmp(x, y);
}

size_t
sift_liveelem_format(const struct sift_liveelem *e, char *buf, size_t sz)
{
	size_t n = sift_cidr_format(&e->c, buf, sz);

	if (e->hi.family == 0 || n + 2 >= sz)
		return n;
	buf[n++] = '-';
	return n + sift_addr_format(&e->hi, buf + n, sz - n);
}

struct collect {
	struct sift_cidr *v;
	size_t		 n, cap;
};

static int
collect_cb(const struct sift_cidr *c, void *arg)
{
	struct collect *col = arg;

	if (col->n == col->cap) {
		col->cap = col->cap == 0 ? 64 : col->cap * 2;
		col->v = sift_xreallocarray(col->v, col->cap, sizeof(*col->v));
	}
	col->v[col->n++] = *c;
	return 0;
}

void
sift_bandiff_compute(struct sift_bandiff *d, struct sift_ipset *want,
    struct sift_liveelem *live, size_t nlive)
{
	struct collect add = { NULL, 0, 0 };
	struct sift_ipset kept = SIFT_IPSET_INIT, need = SIFT_IPSET_INIT;
	size_t n = 0, ndel = 0;
	bool in;

	/*
	 * A live element stays when want covers all of it (deleting part of
	 * a hash:net element or an nft interval is impossible); everything
	 * want holds beyond the kept elements is added as its fewest CIDR
	 * blocks. Deletions are compacted to the front of live.
	 */
	sift_ipset_optimize(want);
	qsort(live, nlive, sizeof(*live), elem_qcmp);
	for (size_t k = 0; k < nlive; k++)
		if (n == 0 || elem_cmp(&live[n - 1], &live[k]) != 0)
			live[n++] = live[k];
	for (size_t k = 0; k < n; k++) {
		if (live[k].hi.family != 0)
			in = sift_ipset_contains_span(want, &live[k].c.a,
			    &live[k].hi);
		else
			in = sift_ipset_contains_cidr(want, &live[k].c);
		if (!in) {
			live[ndel++] = live[k];
			continue;
		}
		if (live[k].hi.family != 0)
			sift_ipset_add_span(&kept, &live[k].c.a, &live[k].hi);
		else
			sift_ipset_add_cidr(&kept, &live[k].c);
	}
	sift_ipset_difference(&need, want, &kept);
	(void)sift_ipset_foreach_cidr(&need, collect_cb, &add);
	sift_ipset_release(&kept);
	sift_ipset_release(&need);
	d->add = add.v;
	d->nadd = add.n;
	d->del = ndel > 0 ? sift_xmemdup(live, ndel * sizeof(*live)) : NULL;
	d->ndel = ndel;
}

void
sift_bandiff_release(struct sift_bandiff *d)
{
	free(d->add);
	free(d->del);
	memset(d, 0, sizeof(*d));
}
