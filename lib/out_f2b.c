/* SPDX-License-Identifier: ISC */
/* banlist writer: a fail2ban filter from the class catalogue, plus a jail. */
#include "banout.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "xalloc.h"
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

#define HOSTP	"(?:\\S+ )?(?:\\(\\S*\\) )?\\[<HOST>\\]"

/*
 * Rules without text match a parsed event (and stage); these are the
 * Exim log lines behind each. NULL when no line text stands for it.
 */
static const char *
event_re(const struct sift_rule *r, size_t *k)
{
	static const char *const auth[] = {
		"^%(pid)s \\S+ authenticator failed for " HOSTP, NULL };
	static const char *const verify[] = {
		"^%(pid)s (?:%(msgid)s )?(?=H=)%(host_info)s.*sender verify fail for",
		NULL };
	static const char *const refused[] = {
		"^%(pid)s Connection from \\[<HOST>\\]\\S* (?:I=\\S+ )?"
		    "refused", NULL };
	static const char *const nomail[] = {
		"^%(pid)s no MAIL in SMTP connection from " HOSTP, NULL };
	static const char *const lost[] = {
		"^%(pid)s unexpected disconnection while reading SMTP command "
		    "from " HOSTP,
		"^%(pid)s SMTP connection from " HOSTP "\\S* (?:I=\\S+ )?lost",
		NULL };
	static const char *const timeout[] = {
		"^%(pid)s SMTP (?:command|data) timeout on (?:TLS )?connection "
		    "from " HOSTP, NULL };
	static const char *const tls[] = {
		"^%(pid)s TLS error on connection from " HOSTP, NULL };
	static const char *const sync[] = {
		"^%(pid)s SMTP protocol synchronization error .*?\\[<HOST>\\]",
		NULL };
	static const char *const proto[] = {
		"^%(pid)s SMTP (?:protocol|syntax) error in .*?\\[<HOST>\\]",
		"^%(pid)s SMTP call from " HOSTP ".* dropped: too many", NULL };
	static const char *const temprej[] = {
		"^%(pid)s (?:%(msgid)s )?(?=H=)%(host_info)s.*temporarily rejected "
		    "RCPT", NULL };
	static const char *const rej_helo[] = {
		"^%(pid)s (?:%(msgid)s )?(?=H=)%(host_info)s.*rejected (?:EHLO|HELO)",
		NULL };
	static const char *const rej_auth[] = {
		"^%(pid)s (?:%(msgid)s )?(?=H=)%(host_info)s.*rejected AUTH", NULL };
	static const char *const rej_conn[] = {
		"^%(pid)s (?:%(msgid)s )?(?=H=)%(host_info)s.*rejected connection",
		NULL };
	static const char *const rej_mail[] = {
		"^%(pid)s (?:%(msgid)s )?(?=H=)%(host_info)s.*rejected MAIL", NULL };
	static const char *const rej_data[] = {
		"^%(pid)s (?:%(msgid)s )?(?=H=)%(host_info)s.*rejected after DATA",
		NULL };
	static const char *const rej_any[] = {
		"^%(pid)s (?:%(msgid)s )?(?=H=)%(host_info)s.*rejected ", NULL };
	const char *const *v = NULL;
	uint64_t ev = r->events;

	if (ev & SIFT_EVMASK(SIFT_EV_REJECT)) {
		if (r->stages == SIFT_STMASK(SIFT_ST_HELO))
			v = rej_helo;
		else if (r->stages == SIFT_STMASK(SIFT_ST_AUTH))
			v = rej_auth;
		else if (r->stages == SIFT_STMASK(SIFT_ST_CONNECT))
			v = rej_conn;
		else if (r->stages == SIFT_STMASK(SIFT_ST_MAIL))
			v = rej_mail;
		else if (r->stages == SIFT_STMASK(SIFT_ST_DATA))
			v = rej_data;
		else if (r->stages == 0)
			v = rej_any;
	} else if (ev == SIFT_EVMASK(SIFT_EV_AUTH_FAIL))
		v = auth;
	else if (ev == SIFT_EVMASK(SIFT_EV_VERIFY_FAIL))
		v = verify;
	else if (ev == SIFT_EVMASK(SIFT_EV_REFUSED))
		v = refused;
	else if (ev == SIFT_EVMASK(SIFT_EV_NO_MAIL))
		v = nomail;
	else if (ev == SIFT_EVMASK(SIFT_EV_LOST))
		v = lost;
	else if (ev == SIFT_EVMASK(SIFT_EV_TIMEOUT))
		v = timeout;
	else if (ev == SIFT_EVMASK(SIFT_EV_TLS_ERROR))
		v = tls;
	else if (ev == SIFT_EVMASK(SIFT_EV_SYNC))
		v = sync;
	else if (ev == SIFT_EVMASK(SIFT_EV_PROTOCOL))
		v = proto;
	else if (ev == SIFT_EVMASK(SIFT_EV_TEMPREJECT))
		v = temprej;
	if (v == NULL || v[*k] == NULL)
		return NULL;
	return v[(*k)++];
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

/* Start a new regex line of a multi-line option. */
/*
 * One regex of a rule, without its leading "^%(pid)s ". Literal rules of
 * the three common shapes keep only their escaped text (lit), so that a
 * run of them becomes one regex with an alternation: fail2ban allows one
 * <HOST> per regex, and regex-test at most 64 regexes.
 */
enum shape {
	SH_ONE = 0,	/* body holds the whole regex */
	SH_REJ_REASON,	/* H=... rejected ...: ...TEXT */
	SH_REJ_TEXT,	/* H=... rejected ...TEXT */
	SH_ANY		/* ... H=... TEXT */
};

#define PRE_REJ		"(?:%(msgid)s )?(?=H=)%(host_info)s.*rejected .*"
#define PRE_ANY		"(?:.*? )?(?=H=)%(host_info)s.*"

struct rx {
	enum shape	 shape;
	char		*s;		/* body (SH_ONE) or escaped literal */
};

static char *
lit_re(const char *text)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&buf, &n);

	if (fp == NULL)
		return sift_xstrdup("");
	put_re(fp, text);
	fclose(fp);
	return buf;
}

/* The regexes of rule r into out[0..1]; returns how many. */
static size_t
rule_rx(const struct sift_rule *r, struct rx *out)
{
	const uint64_t rej = SIFT_EVMASK(SIFT_EV_REJECT) |
	    SIFT_EVMASK(SIFT_EV_TEMPREJECT);
	bool pure = r->events != 0 && (r->events & ~rej) == 0;
	const char *re;
	char *buf = NULL;
	size_t k = 0, n = 0, l;
	FILE *fp;

	if (r->text == NULL) {
		while (k < 2 && (re = event_re(r, &k)) != NULL) {
			out[k - 1].shape = SH_ONE;
			out[k - 1].s = sift_xstrdup(re + strlen("^%(pid)s "));
		}
		return k;
	}
	if ((r->flags & (SIFT_RF_REGEX | SIFT_RF_IPAFTER)) != 0)
		return 0;	/* no faithful failregex */
	if (r->text2 == NULL && (r->flags & SIFT_RF_ANCHOR) == 0) {
		out[0].shape = !pure ? SH_ANY : r->where == SIFT_RW_REASON ?
		    SH_REJ_REASON : SH_REJ_TEXT;
		out[0].s = lit_re(r->text);
		return 1;
	}
	if ((fp = open_memstream(&buf, &n)) == NULL)
		return 0;
	l = strlen(r->text);
	if ((r->flags & SIFT_RF_ANCHOR) && l > 0 && r->text[l - 1] == '[') {
		/* "Connection from [": the address comes next */
		put_re(fp, r->text);
		fputs("<HOST>\\]", fp);
	} else if (r->flags & SIFT_RF_ANCHOR) {
		put_re(fp, r->text);
	} else {
		fputs(pure ? PRE_REJ : PRE_ANY, fp);
		if (pure && r->where == SIFT_RW_REASON)
			fputs(": .*", fp);
		put_re(fp, r->text);
	}
	if (r->text2 != NULL) {
		fputs(".*", fp);
		put_re(fp, r->text2);
	}
	if ((r->flags & SIFT_RF_ANCHOR) && r->text[l - 1] != '[')
		fputs(".*?\\[<HOST>\\]", fp);
	fclose(fp);
	out[0].shape = SH_ONE;
	out[0].s = buf;
	return 1;
}

static void
put_shape_body(FILE *fp, enum shape sh, const char *alts)
{
	switch (sh) {
	case SH_ONE:
		fputs(alts, fp);
		break;
	case SH_REJ_REASON:
		fprintf(fp, "%s: .*(?:%s)", PRE_REJ, alts);
		break;
	case SH_REJ_TEXT:
		fprintf(fp, "%s(?:%s)", PRE_REJ, alts);
		break;
	case SH_ANY:
		fprintf(fp, "%s(?:%s)", PRE_ANY, alts);
		break;
	}
}

/* s with <HOST> and %(host_info)s replaced by forms that capture nothing. */
static void
put_hostfree_s(FILE *fp, const char *s)
{
	const char *p;

	while (*s != '\0') {
		if ((p = strstr(s, "%(host_info)s")) != NULL &&
		    (strstr(s, "<HOST>") == NULL || p < strstr(s, "<HOST>"))) {
			fwrite(s, 1, (size_t)(p - s), fp);
			fputs("%(host_any)s", fp);
			s = p + strlen("%(host_info)s");
		} else if ((p = strstr(s, "<HOST>")) != NULL) {
			fwrite(s, 1, (size_t)(p - s), fp);
			fputs("[^\\]]+", fp);
			s = p + strlen("<HOST>");
		} else {
			fputs(s, fp);
			break;
		}
	}
}

/* A literal shape's alternation, capturing nothing. */
static void
put_hostfree(FILE *fp, enum shape sh, const char *alts)
{
	char *body = NULL;
	size_t n = 0;
	FILE *m;

	if ((m = open_memstream(&body, &n)) == NULL)
		return;
	put_shape_body(m, sh, alts);
	fclose(m);
	put_hostfree_s(fp, body);
	free(body);
}

struct emitter {
	FILE		*fp;
	/*
	 * What earlier rules of other classes take, as alternations: whole
	 * regexes, and the literals of each literal shape (order does not
	 * matter inside a negative lookahead).
	 */
	FILE		*look[SH_ANY + 1];
	char		*lookbuf[SH_ANY + 1];
	size_t		 lookn[SH_ANY + 1];
	bool		 any;		/* a failregex was written */
	struct rx	 run[256];	/* chosen regexes since the last flush */
	size_t		 nrun;
};

static void
emit_one(struct emitter *em, enum shape sh, const char *alts)
{
	bool first = true;

	fputs(em->any ? "\n            " : " ", em->fp);
	em->any = true;
	for (int k = SH_ONE; k <= SH_ANY; k++) {
		fflush(em->look[k]);
		if (em->lookn[k] == 0)
			continue;
		fputs(first ? "^(?!%(pid)s (?:" : "|", em->fp);
		first = false;
		if (k == SH_ONE)
			fputs(em->lookbuf[k], em->fp);
		else
			put_hostfree(em->fp, (enum shape)k, em->lookbuf[k]);
	}
	fputs(first ? "^%(pid)s " : "))%(pid)s ", em->fp);
	put_shape_body(em->fp, sh, alts);
}

/* Write the pending run, literals of one shape as one alternation. */
static void
flush_run(struct emitter *em)
{
	char *alts = NULL;
	size_t n = 0;
	FILE *fp;
	bool first;

	for (int sh = SH_ONE; sh <= SH_ANY; sh++) {
		if (sh == SH_ONE) {
			for (size_t i = 0; i < em->nrun; i++)
				if (em->run[i].shape == SH_ONE)
					emit_one(em, SH_ONE, em->run[i].s);
			continue;
		}
		if ((fp = open_memstream(&alts, &n)) == NULL)
			continue;
		first = true;
		for (size_t i = 0; i < em->nrun; i++) {
			if (em->run[i].shape != (enum shape)sh)
				continue;
			if (!first)
				putc('|', fp);
			first = false;
			fputs(em->run[i].s, fp);
		}
		fclose(fp);
		if (!first)
			emit_one(em, (enum shape)sh, alts);
		free(alts);
		alts = NULL;
	}
	for (size_t i = 0; i < em->nrun; i++)
		free(em->run[i].s);
	em->nrun = 0;
}

/* An unchosen rule: lines it would take first are not the chosen ones'. */
static void
add_lookahead(struct emitter *em, const struct rx *x)
{
	char *body = NULL;
	size_t n = 0;
	FILE *fp;

	fflush(em->look[x->shape]);
	if (em->lookn[x->shape] > 0)
		putc('|', em->look[x->shape]);
	if (x->shape != SH_ONE) {
		fputs(x->s, em->look[x->shape]);
		return;
	}
	if ((fp = open_memstream(&body, &n)) == NULL)
		return;
	put_shape_body(fp, SH_ONE, x->s);
	fclose(fp);
	put_hostfree_s(em->look[SH_ONE], body);
	free(body);
}

static bool
rule_chosen(const struct sift_banout *o, const struct sift_rule *r)
{
	if (r->cls < 0 || r->cls >= SIFT_CL__BUILTIN)
		return false;
	return o->classes != NULL ? class_chosen(o->classes,
	    sift_class_builtin_name(r->cls)) :
	    sift_class_builtin_default(r->cls);
}

int
sift_out_f2b(FILE *fp, const struct sift_banout *o, struct sift_err *err)
{
	const struct sift_rule *r;
	struct emitter em;
	struct rx x[2];
	const char *name, *p, *e;
	size_t nrules, l, n, skipped = 0;
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
	    "msgid = [0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}\n"
	    "host_any = (?:H=(?:[\\w.-]+ )?(?:\\(\\S+\\) )?)?\\[[^\\]]+\\]"
	    "%(host_info_suf)s\n"
	    "# Rules are tried in catalogue order, first match wins: each\n"
	    "# failregex refuses (?!...) the lines an earlier rule of another\n"
	    "# class, or one that marks no offence, would take.\n"
	    "failregex =", fp);
	memset(&em, 0, sizeof(em));
	em.fp = fp;
	for (int k = SH_ONE; k <= SH_ANY; k++)
		if ((em.look[k] = open_memstream(&em.lookbuf[k],
		    &em.lookn[k])) == NULL)
			return sift_err_sys(err, SIFT_E_IO, errno,
			    "open_memstream");
	for (size_t i = 0; i < nrules; i++) {
		n = rule_rx(&r[i], x);
		if (!rule_chosen(o, &r[i])) {
			if (em.nrun > 0)
				flush_run(&em);
			for (size_t k = 0; k < n; k++) {
				add_lookahead(&em, &x[k]);
				free(x[k].s);
			}
			continue;
		}
		if (n == 0)
			skipped++;
		for (size_t k = 0; k < n; k++) {
			if (em.nrun == SIFT_ARRAY_SIZE(em.run))
				flush_run(&em);
			em.run[em.nrun++] = x[k];
		}
	}
	flush_run(&em);
	for (int k = SH_ONE; k <= SH_ANY; k++) {
		fclose(em.look[k]);
		free(em.lookbuf[k]);
	}
	if (!em.any)
		return sift_err_set(err, SIFT_E_USAGE, 0,
		    "--classes: no rule in these classes for a filter");
	fprintf(fp, "\nignoreregex =\n\n# %zu catalogue rules of these "
	    "classes have no failregex here.\n\n", skipped);
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
