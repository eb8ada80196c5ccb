/* SPDX-License-Identifier: ISC */
/* banlist writer: ipset restore files, additive, swapped or as a diff. */
#include "banout.h"

#include <inttypes.h>
#include <string.h>

#include "banned.h"

#define MAXELEM_MIN	65536

struct ipset_ctx {
	FILE		*fp;
	const struct sift_banout *o;
	const char	*set;
	int		 family;
	bool		 exist;
};

static const char *
set_type(const struct sift_banout *o, struct sift_ipset *s, int family)
{
	struct sift_range4 *r4 = s->r4;
	struct sift_range6 *r6 = s->r6;

	switch (o->settype) {
	case SIFT_SETTYPE_IP:
		return "hash:ip";
	case SIFT_SETTYPE_NET:
		return "hash:net";
	case SIFT_SETTYPE_AUTO:
		break;
	}
	/* A network is a range of more than one address. */
	if (family == 4) {
		for (size_t i = 0; i < s->n4; i++)
			if (r4[i].lo != r4[i].hi)
				return "hash:net";
	} else {
		for (size_t i = 0; i < s->n6; i++)
			if (r6[i].lo != r6[i].hi)
				return "hash:net";
	}
	return "hash:ip";
}

uint64_t
sift_out_ipset_maxelem(const struct sift_banout *o, size_t n)
{
	uint64_t want = o->max > n ? o->max : n, m = MAXELEM_MIN;

	if (o->maxelem != 0)
		return o->maxelem;
	/* Stable across runs: sized from the --max cap, not the data. */
	while (m < want && m < (UINT64_C(1) << 32))
		m <<= 1;
	return m;
}

static void
create(FILE *fp, const char *name, const char *type, int family,
    uint64_t maxelem, bool exist)
{
	fprintf(fp, "create %s %s family %s maxelem %" PRIu64 " timeout 0%s\n",
	    name, type, family == 4 ? "inet" : "inet6", maxelem,
	    exist ? " -exist" : "");
}

static int
add_cb(const struct sift_cidr *c, void *arg)
{
	struct ipset_ctx *x = arg;
	char buf[SIFT_CIDR_STRLEN];

	if (c->a.family != x->family)
		return 0;
	sift_cidr_format(c, buf, sizeof(buf));
	fprintf(x->fp, "add %s %s", x->set, buf);
	if (x->o->timeout > 0)
		fprintf(x->fp, " timeout %" PRId64, x->o->timeout);
	fputs(x->exist ? " -exist\n" : "\n", x->fp);
	return 0;
}

void
sift_out_ipset(FILE *fp, struct sift_ipset *s, const struct sift_banout *o)
{
	struct ipset_ctx x = { fp, o, NULL, 4, false };
	char tmp[SIFT_SETNAME_MAX + 8];
	const char *name, *type;
	uint64_t maxelem;
	size_t n;

	sift_ipset_optimize(s);
	fprintf(fp, "# banlist: ipset restore file; load with: ipset restore"
	    " < FILE\n");
	for (int family = 4; family <= 6; family += 2) {
		name = family == 4 ? o->name4 : o->name6;
		n = sift_ipset_count_cidr(s, family);
		type = set_type(o, s, family);
		maxelem = sift_out_ipset_maxelem(o, n);
		x.family = family;
		fprintf(fp, "# %s: %zu entr%s\n", name, n, n == 1 ? "y" : "ies");
		create(fp, name, type, family, maxelem, true);
		if (!o->swap) {
			x.set = name;
			x.exist = true;
			(void)sift_ipset_foreach_cidr(s, add_cb, &x);
			continue;
		}
		snprintf(tmp, sizeof(tmp), "%s-new", name);
		fprintf(fp, "destroy %s -exist\n", tmp);
		create(fp, tmp, type, family, maxelem, false);
		x.set = tmp;
		x.exist = false;
		(void)sift_ipset_foreach_cidr(s, add_cb, &x);
		fprintf(fp, "swap %s %s\n", tmp, name);
		fprintf(fp, "destroy %s\n", tmp);
	}
}

void
sift_out_ipset_diff(FILE *fp, const struct sift_bandiff *d,
    const struct sift_banout *o)
{
	struct ipset_ctx x = { fp, o, NULL, 4, true };
	char buf[2 * SIFT_CIDR_STRLEN];

	fprintf(fp, "# banlist: ipset changes against the live sets: "
	    "%zu to delete, %zu to add\n", d->ndel, d->nadd);
	for (size_t i = 0; i < d->ndel; i++) {
		sift_liveelem_format(&d->del[i], buf, sizeof(buf));
		fprintf(fp, "del %s %s -exist\n", d->del[i].c.a.family == 4 ?
		    o->name4 : o->name6, buf);
	}
	for (size_t i = 0; i < d->nadd; i++) {
		x.family = d->add[i].a.family;
		x.set = x.family == 4 ? o->name4 : o->name6;
		(void)add_cb(&d->add[i], &x);
	}
}
