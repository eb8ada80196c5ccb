/* SPDX-License-Identifier: ISC */
/* banlist writer: a fail2ban filter from the class catalogue, plus a jail. */
#include "banout.h"

#include <string.h>

#include "classify.h"
#include "banned.h"

/* Python re and fail2ban interpolation: escape all but [A-Za-z0-9 ]. */
static void
put_re(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == ' ')
			putc(ch, fp);
		else if (ch == '%')
			fputs("%%", fp);
		else if (ch >= 0x21 && ch < 0x7f)
			fprintf(fp, "\\%c", ch);
		else
			fprintf(fp, "\\x%02x", ch);
	}
}

static bool
class_chosen(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while (p != NULL && *p != '\0') {
		const char *e = strchr(p, ',');
		size_t l = e != NULL ? (size_t)(e - p) : strlen(p);

		if (l == n && memcmp(p, name, n) == 0)
			return true;
		p = e != NULL ? e + 1 : NULL;
	}
	return false;
}

int
sift_out_f2b(FILE *fp, const struct sift_banout *o, struct sift_err *err)
{
	const struct sift_rule *r;
	const char *name, *p, *e;
	size_t nrules, l, skipped = 0;
	bool any = false;
	int id;

	r = sift_rules_builtin(&nrules);
	if (o->classes != NULL) {
		/* Every named class must exist. */
		for (p = o->classes; p != NULL && *p != '\0'; p = e != NULL ?
		    e + 1 : NULL) {
			e = strchr(p, ',');
			l = e != NULL ? (size_t)(e - p) : strlen(p);
			for (id = 0; id < SIFT_CL__BUILTIN; id++) {
				name = sift_class_builtin_name(id);
				if (strlen(name) == l && memcmp(name, p, l) == 0)
					break;
			}
			if (id == SIFT_CL__BUILTIN)
				return sift_err_set(err, SIFT_E_USAGE, 0,
				    "--classes: unknown class (see offenders "
				    "--list-classes)");
		}
	}
	fprintf(fp, "# fail2ban filter written by banlist from the offenders "
	    "class catalogue.\n# Classes:");
	for (id = 0; id < SIFT_CL__BUILTIN; id++) {
		name = sift_class_builtin_name(id);
		if (o->classes != NULL ? class_chosen(o->classes, name) :
		    sift_class_builtin_default(id))
			fprintf(fp, " %s", name);
	}
	fputs("\n\n[INCLUDES]\nbefore = exim-common.conf\n\n[Definition]\n"
	    "failregex =", fp);
	for (size_t i = 0; i < nrules; i++) {
		if (r[i].cls < 0 || r[i].cls >= SIFT_CL__BUILTIN)
			continue;
		name = sift_class_builtin_name(r[i].cls);
		if (o->classes != NULL ? !class_chosen(o->classes, name) :
		    !sift_class_builtin_default(r[i].cls))
			continue;
		if (r[i].text == NULL || (r[i].flags & (SIFT_RF_REGEX |
		    SIFT_RF_IPAFTER)) != 0) {
			skipped++;	/* matched by event, not by text */
			continue;
		}
		fputs(any ? "\n            " : " ", fp);
		any = true;
		if (r[i].flags & SIFT_RF_ANCHOR) {
			fputs("^%(pid)s ", fp);
			put_re(fp, r[i].text);
			if (r[i].text2 != NULL) {
				fputs(".*", fp);
				put_re(fp, r[i].text2);
			}
			fputs(".*\\[<HOST>\\]", fp);
		} else {
			fputs("^%(pid)s %(host_info)s.*", fp);
			put_re(fp, r[i].text);
			if (r[i].text2 != NULL) {
				fputs(".*", fp);
				put_re(fp, r[i].text2);
			}
		}
	}
	if (!any)
		return sift_err_set(err, SIFT_E_USAGE, 0,
		    "--classes: no text rule in these classes for a filter");
	fprintf(fp, "\nignoreregex =\n\n"
	    "# %zu catalogue rules of these classes match by parsed event, not"
	    " by text,\n# and have no failregex here.\n\n", skipped);
	fprintf(fp, "# Jail: copy to /etc/fail2ban/jail.d/%s.local\n"
	    "# [%s]\n# enabled   = true\n# filter    = %s\n"
	    "# logpath   = /var/log/exim4/mainlog\n"
	    "# port      = smtp,465,submission\n"
	    "# maxretry  = 5\n# findtime  = 10m\n# bantime   = 1d\n",
	    o->jail, o->jail, o->jail);
	if (strcmp(o->action, "ipset") == 0)
		fputs("# banaction = iptables-ipset-proto6[type=multiport]\n"
		    "# banaction_allports = iptables-ipset-proto6-allports\n",
		    fp);
	else
		fputs("# banaction = nftables[type=multiport]\n"
		    "# banaction_allports = nftables[type=allports]\n", fp);
	return 0;
}
