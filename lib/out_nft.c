/* SPDX-License-Identifier: ISC */
/* banlist writer: nft -f files, whole tables or diffs against live sets. */
#include "banout.h"

#include <inttypes.h>
#include <string.h>

#include "banned.h"

#define PER_LINE	4

struct nft_ctx {
	FILE		*fp;
	const struct sift_banout *o;
	int		 family;
	size_t		 n;
};

static void
elem(FILE *fp, const struct sift_cidr *c, const struct sift_banout *o)
{
	char buf[SIFT_CIDR_STRLEN];

	sift_cidr_format(c, buf, sizeof(buf));
	fputs(buf, fp);
	if (o->timeout > 0)
		fprintf(fp, " timeout %" PRId64 "s", o->timeout);
}

static int
elem_cb(const struct sift_cidr *c, void *arg)
{
	struct nft_ctx *x = arg;

	if (c->a.family != x->family)
		return 0;
	if (x->n == 0)
		fputs("\t\telements = {\n\t\t\t", x->fp);
	else if (x->n % PER_LINE == 0)
		fputs(",\n\t\t\t", x->fp);
	else
		fputs(", ", x->fp);
	elem(x->fp, c, x->o);
	x->n++;
	return 0;
}

/* "25,465,587" -> "{ 25, 465, 587 }"; "1000:2000" -> "1000-2000" */
static void
ports(FILE *fp, const char *p)
{
	fputs("tcp dport { ", fp);
	for (; *p != '\0'; p++) {
		if (*p == ',')
			fputs(", ", fp);
		else
			putc(*p == ':' ? '-' : *p, fp);
	}
	fputs(" } ", fp);
}

void
sift_out_nft(FILE *fp, struct sift_ipset *s, const struct sift_banout *o)
{
	struct nft_ctx x = { fp, o, 4, 0 };

	fprintf(fp, "#!/usr/sbin/nft -f\n"
	    "# banlist: load with nft -f FILE; replaces table inet %s in one"
	    " transaction\n", o->table);
	fprintf(fp, "table inet %s\ndelete table inet %s\n", o->table,
	    o->table);
	fprintf(fp, "table inet %s {\n", o->table);
	for (int family = 4; family <= 6; family += 2) {
		fprintf(fp, "\tset %s {\n\t\ttype %s\n"
		    "\t\tflags interval, timeout\n",
		    family == 4 ? o->name4 : o->name6,
		    family == 4 ? "ipv4_addr" : "ipv6_addr");
		x.family = family;
		x.n = 0;
		(void)sift_ipset_foreach_cidr(s, elem_cb, &x);
		if (x.n > 0)
			fputs("\n\t\t}\n", fp);
		fputs("\t}\n", fp);
	}
	fputs("\tchain input {\n"
	    "\t\ttype filter hook input priority filter - 1; policy accept;\n",
	    fp);
	for (int family = 4; family <= 6; family += 2) {
		fprintf(fp, "\t\t%s saddr @%s ", family == 4 ? "ip" : "ip6",
		    family == 4 ? o->name4 : o->name6);
		if (o->ports != NULL)
			ports(fp, o->ports);
		fputs("drop\n", fp);
	}
	fputs("\t}\n}\n", fp);
}

void
sift_out_nft_diff(FILE *fp, const struct sift_bandiff *d,
    const struct sift_banout *o)
{
	fprintf(fp, "#!/usr/sbin/nft -f\n"
	    "# banlist: changes against the live sets of table inet %s: "
	    "%zu to delete, %zu to add\n", o->table, d->ndel, d->nadd);
	char buf[2 * SIFT_CIDR_STRLEN];

	for (size_t i = 0; i < d->ndel; i++) {
		sift_liveelem_format(&d->del[i], buf, sizeof(buf));
		fprintf(fp, "delete element inet %s %s { %s }\n", o->table,
		    d->del[i].c.a.family == 4 ? o->name4 : o->name6, buf);
	}
	for (size_t i = 0; i < d->nadd; i++) {
		fprintf(fp, "add element inet %s %s { ", o->table,
		    d->add[i].a.family == 4 ? o->name4 : o->name6);
		elem(fp, &d->add[i], o);
		fputs(" }\n", fp);
	}
}
