/* SPDX-License-Identifier: ISC */
/*
 * Rendering of parsed records as "key=value" fields, shared (header only)
 * by the line-case runner tests/unit/t_parse.c and tests/tools/parsedump.
 * Values are printed with C-style escapes for bytes outside 0x21..0x7e
 * and for '"' and '\\'; a value with a space is put in double quotes.
 */
#ifndef SIFT_TEST_RENDER_H
#define SIFT_TEST_RENDER_H

#include <stdio.h>
#include <string.h>

#include "parse.h"

struct rbuf {
	char	b[4096];
	size_t	n;
};

SIFT_UNUSED static void
rb_putc(struct rbuf *r, char c)
{
	if (r->n + 1 < sizeof(r->b))
		r->b[r->n++] = c;
	r->b[r->n] = '\0';
}

static void
rb_puts(struct rbuf *r, const char *s)
{
	while (*s != '\0')
		rb_putc(r, *s++);
}

/* Escaped value (no quotes). */
static void
rb_esc(struct rbuf *r, const char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '"' || c == '\\') {
			rb_putc(r, '\\');
			rb_putc(r, (char)c);
		} else if (c == '\t') {
			rb_puts(r, "\\t");
		} else if (c < 0x20 || c > 0x7e) {
			rb_puts(r, "\\x");
			rb_putc(r, hex[c >> 4]);
			rb_putc(r, hex[c & 15]);
		} else
			rb_putc(r, (char)c);
	}
}

/*
 * The value of one field, escaped, into r (r cleared first). Returns 0, or
 * -1 for an unknown key. Absent values render as the empty string.
 */
SIFT_UNUSED static int
render_field(const struct sift_rec *rec, const char *key, struct rbuf *r)
{
	char t[64];
	struct sift_str s = SIFT_STR_NULL;

	r->n = 0;
	r->b[0] = '\0';
	if (strcmp(key, "event") == 0)
		rb_puts(r, sift_event_name(rec->event));
	else if (strcmp(key, "stage") == 0)
		rb_puts(r, rec->stage == SIFT_ST_NONE ? "" :
		    sift_stage_name(rec->stage));
	else if (strcmp(key, "ts") == 0) {
		sift_time_format(&rec->ts, t, sizeof(t));
		rb_puts(r, t);
	} else if (strcmp(key, "sec") == 0) {
		if (rec->ts.valid) {
			snprintf(t, sizeof(t), "%lld", (long long)rec->ts.sec);
			rb_puts(r, t);
		}
	} else if (strcmp(key, "pid") == 0) {
		if (rec->pid >= 0) {
			snprintf(t, sizeof(t), "%lld", (long long)rec->pid);
			rb_puts(r, t);
		}
	} else if (strcmp(key, "port") == 0) {
		if (rec->port >= 0) {
			snprintf(t, sizeof(t), "%d", (int)rec->port);
			rb_puts(r, t);
		}
	} else if (strcmp(key, "ip") == 0) {
		if (rec->ip.family != 0) {
			sift_addr_format(&rec->ip, t, sizeof(t));
			rb_puts(r, t);
		}
	} else if (strcmp(key, "frag") == 0) {
		if (rec->frag_m != 0) {
			snprintf(t, sizeof(t), "%d/%d%s", rec->frag_n,
			    rec->frag_m, rec->frag_more ? "+" : "");
			rb_puts(r, t);
		}
	} else if (strcmp(key, "flags") == 0) {
		static const char *const fn[] = { "syslog", "fragment",
		    "trunc", "cont", "notime", "assembled", "tagsfull" };

		for (unsigned i = 0; i < 7; i++)
			if (rec->flags & (1u << i)) {
				if (r->n > 0)
					rb_putc(r, ',');
				rb_puts(r, fn[i]);
			}
	} else if (strcmp(key, "parent") == 0) {
		if (rec->event == SIFT_EV_CONTINUATION) {
			snprintf(t, sizeof(t), "%s@%llu",
			    sift_event_name(rec->parent_event),
			    (unsigned long long)rec->parent_lineno);
			rb_puts(r, t);
		}
	} else if (strcmp(key, "ntags") == 0) {
		snprintf(t, sizeof(t), "%u", rec->ntags);
		rb_puts(r, t);
	} else if (strcmp(key, "tags") == 0) {
		for (unsigned i = 0; i < rec->ntags; i++) {
			if (i > 0)
				rb_putc(r, ' ');
			rb_esc(r, rec->tags[i].key.p, rec->tags[i].key.n);
			if (rec->tags[i].val.n > 0 ||
			    rec->tags[i].key.n != 0) {
				const struct sift_kv *kv = &rec->tags[i];

				if (kv->val.n > 0 || kv->val.p != kv->key.p +
				    kv->key.n) {
					rb_putc(r, '=');
					rb_esc(r, kv->val.p, kv->val.n);
				}
			}
		}
	} else if (strncmp(key, "tag:", 4) == 0) {
		const struct sift_kv *kv = sift_rec_tag(rec, key + 4);

		if (kv != NULL) {
			if (kv->val.n == 0)
				rb_puts(r, "(set)");
			else
				rb_esc(r, kv->val.p, kv->val.n);
		}
	} else {
		if (strcmp(key, "text") == 0)
			s = rec->text;
		else if (strcmp(key, "msgid") == 0)
			s = rec->msgid;
		else if (strcmp(key, "flag") == 0)
			s = rec->flag;
		else if (strcmp(key, "addr") == 0)
			s = rec->addr_text;
		else if (strcmp(key, "host") == 0)
			s = rec->host;
		else if (strcmp(key, "helo") == 0)
			s = rec->helo;
		else if (strcmp(key, "ident") == 0)
			s = rec->ident;
		else if (strcmp(key, "sender") == 0)
			s = rec->sender;
		else if (strcmp(key, "recipient") == 0)
			s = rec->recipient;
		else if (strcmp(key, "auth") == 0)
			s = rec->auth;
		else if (strcmp(key, "authenticator") == 0)
			s = rec->authenticator;
		else if (strcmp(key, "user") == 0)
			s = rec->user;
		else if (strcmp(key, "reason") == 0)
			s = rec->reason;
		else if (strcmp(key, "command") == 0)
			s = rec->command;
		else if (strcmp(key, "syslog_host") == 0)
			s = rec->syslog_host;
		else
			return -1;
		if (s.p != NULL)
			rb_esc(r, s.p, s.n);
	}
	return 0;
}

/* Fields printed by parsedump, in order. */
static const char *const render_keys[] = {
	"event", "stage", "ts", "pid", "msgid", "flag", "ip", "addr", "port",
	"host", "helo", "ident", "sender", "recipient", "auth",
	"authenticator", "user", "command", "reason", "syslog_host", "frag",
	"flags", "parent", "tags",
};

/* One line: every non-empty field as key=value (quoted if needed). */
SIFT_UNUSED static void
render_rec(const struct sift_rec *rec, FILE *fp)
{
	struct rbuf r;
	bool first = true;

	for (size_t i = 0; i < sizeof(render_keys) / sizeof(render_keys[0]);
	    i++) {
		if (render_field(rec, render_keys[i], &r) != 0 || r.n == 0)
			continue;
		fprintf(fp, "%s%s=%s%s%s", first ? "" : " ", render_keys[i],
		    strchr(r.b, ' ') != NULL ? "\"" : "", r.b,
		    strchr(r.b, ' ') != NULL ? "\"" : "");
		first = false;
	}
	fputc('\n', fp);
}

#endif
