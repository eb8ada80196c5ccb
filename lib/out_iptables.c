/* SPDX-License-Identifier: ISC */
/* banlist writer: iptables-restore files and iptables shell scripts. */
#include "banout.h"

#include <string.h>

#include "banned.h"

struct ipt_ctx {
	FILE		*fp;
	const struct sift_banout *o;
	int		 family;
	const char	*cmd;		/* script: "iptables" or "ip6tables" */
	const char	*chain;
};

/* The match and target after "-A CHAIN " or "-C CHAIN ". */
static void
rule_tail(FILE *fp, const struct sift_banout *o, const char *set,
    const char *cidr)
{
	if (cidr != NULL)
		fprintf(fp, " -s %s", cidr);
	if (o->ports != NULL)
		fprintf(fp, " -p tcp -m multiport --dports %s", o->ports);
	if (cidr == NULL)
		fprintf(fp, " -m set --match-set %s src", set);
	fputs(" -j DROP", fp);
}

static void
script_rule(const struct ipt_ctx *x, const char *set, const char *cidr)
{
	if (strcmp(x->chain, x->o->chain) == 0 &&
	    !sift_chain_is_builtin(x->o->chain)) {
		/* Our own chain was flushed: append. */
		fprintf(x->fp, "%s -w -A %s", x->cmd, x->chain);
		rule_tail(x->fp, x->o, set, cidr);
		putc('\n', x->fp);
		return;
	}
	fprintf(x->fp, "%s -w -C %s", x->cmd, x->chain);
	rule_tail(x->fp, x->o, set, cidr);
	fprintf(x->fp, " 2>/dev/null ||\n    %s -w -I %s", x->cmd, x->chain);
	rule_tail(x->fp, x->o, set, cidr);
	putc('\n', x->fp);
}

static int
addr_cb(const struct sift_cidr *c, void *arg)
{
	struct ipt_ctx *x = arg;
	char buf[SIFT_CIDR_STRLEN];

	if (c->a.family != x->family)
		return 0;
	sift_cidr_format(c, buf, sizeof(buf));
	if (x->cmd != NULL) {
		script_rule(x, NULL, buf);
		return 0;
	}
	fprintf(x->fp, "-A %s", x->o->chain);
	rule_tail(x->fp, x->o, NULL, buf);
	putc('\n', x->fp);
	return 0;
}

static int
restore(FILE *fp, struct sift_ipset *s, const struct sift_banout *o,
    struct sift_err *err)
{
	struct ipt_ctx x = { fp, o, o->family, NULL, o->chain };
	const char *set = o->family == 4 ? o->name4 : o->name6;

	if (sift_chain_is_builtin(o->chain))
		return sift_err_set(err, SIFT_E_USAGE, 0,
		    "-c %s: a restore file cannot add rules to %s and stay "
		    "idempotent; use --script, or a dedicated chain",
		    o->chain, o->chain);
	fprintf(fp, "# banlist: load with %s --noflush < FILE\n"
	    "# This fills chain %s (flushed first). Hook it in once with:\n"
	    "#   %s -w -C %s -j %s || %s -w -I %s -j %s\n"
	    "# or use banlist --script, which does both.\n",
	    o->family == 4 ? "iptables-restore" : "ip6tables-restore",
	    o->chain, o->family == 4 ? "iptables" : "ip6tables", o->from,
	    o->chain, o->family == 4 ? "iptables" : "ip6tables", o->from,
	    o->chain);
	fprintf(fp, "*filter\n:%s - [0:0]\n", o->chain);
	if (o->addresses) {
		(void)sift_ipset_foreach_cidr(s, addr_cb, &x);
	} else {
		fprintf(fp, "-A %s", o->chain);
		rule_tail(fp, o, set, NULL);
		putc('\n', fp);
	}
	fputs("COMMIT\n", fp);
	return 0;
}

static void
script(FILE *fp, struct sift_ipset *s, const struct sift_banout *o)
{
	struct ipt_ctx x = { fp, o, 4, NULL, NULL };
	bool dedicated = !sift_chain_is_builtin(o->chain);

	fputs("#!/bin/sh\n"
	    "# banlist: iptables and ip6tables rules; safe to run again.\n",
	    fp);
	if (!o->addresses)
		fprintf(fp, "# Load the ipsets %s and %s first (banlist -f "
		    "ipset).\n", o->name4, o->name6);
	fputs("set -e\n", fp);
	for (int family = 4; family <= 6; family += 2) {
		x.family = family;
		x.cmd = family == 4 ? "iptables" : "ip6tables";
		fprintf(fp, "\n# IPv%d\n", family);
		if (dedicated) {
			fprintf(fp, "%s -w -n -L %s >/dev/null 2>&1 || "
			    "%s -w -N %s\n", x.cmd, o->chain, x.cmd, o->chain);
			fprintf(fp, "%s -w -F %s\n", x.cmd, o->chain);
		}
		x.chain = o->chain;
		if (o->addresses)
			(void)sift_ipset_foreach_cidr(s, addr_cb, &x);
		else
			script_rule(&x, family == 4 ? o->name4 : o->name6,
			    NULL);
		if (dedicated)
			fprintf(fp, "%s -w -C %s -j %s 2>/dev/null ||\n"
			    "    %s -w -I %s -j %s\n", x.cmd, o->from, o->chain,
			    x.cmd, o->from, o->chain);
	}
}

int
sift_out_iptables(FILE *fp, struct sift_ipset *s, const struct sift_banout *o,
    struct sift_err *err)
{
	if (o->script) {
		script(fp, s, o);
		return 0;
	}
	return restore(fp, s, o, err);
}
