/* SPDX-License-Identifier: ISC */
/* Record output: field registry and JSON Lines, TSV and CSV writers. */
#include "recout.h"

#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "json.h"
#include "xalloc.h"
#include "banned.h"

enum fid {
	F_TS, F_EPOCH, F_FILE, F_LINENO, F_EVENT, F_MSGID, F_PID, F_IP,
	F_PORT, F_HOST, F_HELO, F_IDENT, F_INTERFACE, F_SENDER, F_RECIPIENT,
	F_REASON, F_STAGE, F_AUTH, F_AUTHENTICATOR, F_USER, F_SIZE, F_PROTO,
	F_TLS, F_ROUTER, F_TRANSPORT, F_SUBJECT, F_SYSLOG_HOST, F_TRUNCATED,
	F_TAGS, F_TEXT, F_LINE, F__COUNT
};

/* Field flags: in the default list of JSON, of TSV and CSV. */
#define FD_JSON		0x1
#define FD_TSV		0x2
#define FD_BOTH		(FD_JSON | FD_TSV)

static const struct field {
	const char	*name;
	unsigned	 flags;
	const char	*doc;
} fields[F__COUNT] = {
	[F_TS] = { "ts", FD_BOTH, "time, ISO 8601 with offset" },
	[F_EPOCH] = { "epoch", 0, "time, seconds since the epoch" },
	[F_FILE] = { "file", FD_BOTH, "input file name" },
	[F_LINENO] = { "lineno", FD_BOTH, "line number in the file" },
	[F_EVENT] = { "event", FD_BOTH, "event name" },
	[F_MSGID] = { "msgid", FD_BOTH, "Exim message id" },
	[F_PID] = { "pid", FD_BOTH, "process id" },
	[F_IP] = { "ip", FD_BOTH, "remote host address" },
	[F_PORT] = { "port", FD_BOTH, "remote port" },
	[F_HOST] = { "host", FD_BOTH, "remote host name" },
	[F_HELO] = { "helo", FD_BOTH, "HELO/EHLO name" },
	[F_IDENT] = { "ident", FD_BOTH, "U= ident or local user" },
	[F_INTERFACE] = { "interface", FD_BOTH, "I= local interface" },
	[F_SENDER] = { "sender", FD_BOTH, "envelope sender" },
	[F_RECIPIENT] = { "recipient", FD_BOTH, "recipient address" },
	[F_REASON] = { "reason", FD_BOTH, "rejection or error text" },
	[F_STAGE] = { "stage", FD_BOTH, "SMTP stage" },
	[F_AUTH] = { "auth", FD_BOTH, "A= authenticator and id" },
	[F_AUTHENTICATOR] = { "authenticator", FD_BOTH,
	    "authenticator that failed" },
	[F_USER] = { "user", FD_BOTH, "user name (set_id) tried" },
	[F_SIZE] = { "size", FD_BOTH, "S= size in bytes" },
	[F_PROTO] = { "proto", FD_BOTH, "P= protocol of an arrival" },
	[F_TLS] = { "tls", FD_BOTH, "X= TLS version and cipher" },
	[F_ROUTER] = { "router", FD_BOTH, "R= router of a delivery" },
	[F_TRANSPORT] = { "transport", FD_BOTH,
	    "T= transport of a delivery" },
	[F_SUBJECT] = { "subject", FD_BOTH, "T= subject of an arrival" },
	[F_SYSLOG_HOST] = { "syslog_host", FD_BOTH, "syslog host name" },
	[F_TRUNCATED] = { "truncated", FD_JSON, "line was cut" },
	[F_TAGS] = { "tags", FD_BOTH, "other tags, as a JSON object" },
	[F_TEXT] = { "text", FD_BOTH, "text after the prefix" },
	[F_LINE] = { "line", 0, "the whole line" },
};

struct sift_recout {
	enum sift_recfmt fmt;
	bool		 deflt;		/* default list: text only for other */
	unsigned	 nf;
	enum fid	 f[F__COUNT];
	char		*key[F__COUNT];	/* JSON: "name": */
	size_t		 keylen[F__COUNT];
	struct sift_obuf scratch;
	/* last formatted second */
	int64_t		 ts_sec;
	int		 ts_off;
	char		 ts_buf[20];	/* YYYY-MM-DDTHH:MM:SS */
	char		 off_buf[7];	/* +hh:mm */
};

/* What kind of value a field has in one record. */
enum vkind {
	V_ABSENT,
	V_STR,		/* bytes from the log: escape */
	V_SAFE,		/* ASCII text that needs no escape */
	V_NUM,		/* a JSON number */
	V_TRUE,		/* a boolean true */
	V_JSON		/* JSON text (tags): raw in JSON, escaped elsewhere */
};

struct val {
	enum vkind	 kind;
	const char	*p;
	size_t		 n;
	char		 buf[48];
};

/* Mapped tags, found in one pass over rec->tags. */
enum tmap {
	TM_KEEP = -1,
	TM_SKIP = -2,
	TM_SIZE = 0, TM_PROTO, TM_TLS, TM_ROUTER, TM_TRANSPORT, TM_SUBJECT,
	TM_INTERFACE, TM__COUNT
};

int
sift_recfmt_parse(const char *name, enum sift_recfmt *fmt)
{
	if (strcmp(name, "json") == 0)
		*fmt = SIFT_RECFMT_JSON;
	else if (strcmp(name, "tsv") == 0)
		*fmt = SIFT_RECFMT_TSV;
	else if (strcmp(name, "csv") == 0)
		*fmt = SIFT_RECFMT_CSV;
	else
		return -1;
	return 0;
}

size_t
sift_recout_nfields(void)
{
	return F__COUNT;
}

const char *
sift_recout_field_name(size_t i)
{
	return i < F__COUNT ? fields[i].name : NULL;
}

const char *
sift_recout_field_doc(size_t i)
{
	return i < F__COUNT ? fields[i].doc : NULL;
}

static int
add_field(struct sift_recout *o, const char *name, size_t n,
    struct sift_err *err)
{
	for (int i = 0; i < F__COUNT; i++) {
		if (strlen(fields[i].name) != n ||
		    memcmp(fields[i].name, name, n) != 0)
			continue;
		for (unsigned k = 0; k < o->nf; k++)
			if (o->f[k] == (enum fid)i)
				return sift_err_set(err, SIFT_E_USAGE, 0,
				    "field %s given twice", fields[i].name);
		o->f[o->nf++] = (enum fid)i;
		return 0;
	}
	return sift_err_set(err, SIFT_E_USAGE, 0, "unknown field: %.*s",
	    (int)(n > 64 ? 64 : n), name);
}

struct sift_recout *
sift_recout_new(enum sift_recfmt fmt, const char *list,
    struct sift_err *err)
{
	struct sift_recout *o;
	const char *p, *q;
	size_t n;

	o = sift_xcalloc(1, sizeof(*o));
	o->fmt = fmt;
	o->ts_sec = INT64_MIN;
	if (list == NULL) {
		o->deflt = true;
		for (int i = 0; i < F__COUNT; i++)
			if (fields[i].flags & (fmt == SIFT_RECFMT_JSON ?
			    FD_JSON : FD_TSV))
				o->f[o->nf++] = (enum fid)i;
	} else {
		for (p = list;; p = q + 1) {
			q = strchr(p, ',');
			n = q != NULL ? (size_t)(q - p) : strlen(p);
			if (n == 0) {
				sift_err_set(err, SIFT_E_USAGE, 0,
				    "empty field name in list: %s", list);
				goto fail;
			}
			if (add_field(o, p, n, err) == -1)
				goto fail;
			if (q == NULL)
				break;
		}
	}
	for (unsigned k = 0; k < o->nf; k++) {
		const char *name = fields[o->f[k]].name;

		n = strlen(name);
		o->key[k] = sift_xmalloc(n + 4);
		o->key[k][0] = '"';
		memcpy(o->key[k] + 1, name, n);
		memcpy(o->key[k] + 1 + n, "\":", 3);
		o->keylen[k] = n + 3;
	}
	return o;
fail:
	sift_recout_free(o);
	return NULL;
}

void
sift_recout_free(struct sift_recout *o)
{
	if (o == NULL)
		return;
	for (unsigned k = 0; k < o->nf; k++)
		free(o->key[k]);
	sift_obuf_release(&o->scratch);
	free(o);
}

void
sift_recout_header(struct sift_recout *o, struct sift_obuf *b)
{
	if (o->fmt == SIFT_RECFMT_JSON)
		return;
	if (o->fmt == SIFT_RECFMT_TSV)
		sift_obuf_putc(b, '#');
	for (unsigned k = 0; k < o->nf; k++) {
		if (k > 0)
			sift_obuf_putc(b, o->fmt == SIFT_RECFMT_TSV ? '\t' :
			    ',');
		sift_obuf_puts(b, fields[o->f[k]].name);
	}
	if (o->fmt == SIFT_RECFMT_CSV)
		sift_obuf_putc(b, '\r');
	sift_obuf_putc(b, '\n');
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian). */
static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, yy;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

static void
put2(char *q, unsigned v)
{
	q[0] = (char)('0' + v / 10 % 10);
	q[1] = (char)('0' + v % 10);
}

static void
fmt_second(int64_t sec, int tzoff, char out[20], char off[7])
{
	int64_t local = sec + (int64_t)tzoff * 60, days, y;
	unsigned m, d, sod, a;

	days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
	sod = (unsigned)(local - days * 86400);
	civil_from_days(days, &y, &m, &d);
	if (y < 0)
		y = 0;
	if (y > 9999)
		y = 9999;
	put2(out, (unsigned)(y / 100));
	put2(out + 2, (unsigned)(y % 100));
	out[4] = '-';
	put2(out + 5, m);
	out[7] = '-';
	put2(out + 8, d);
	out[10] = 'T';
	put2(out + 11, sod / 3600);
	out[13] = ':';
	put2(out + 14, sod / 60 % 60);
	out[16] = ':';
	put2(out + 17, sod % 60);
	out[19] = '\0';
	a = (unsigned)(tzoff < 0 ? -tzoff : tzoff);
	off[0] = tzoff < 0 ? '-' : '+';
	put2(off + 1, a / 60 % 100);
	off[3] = ':';
	put2(off + 4, a % 60);
	off[6] = '\0';
}

static size_t
fmt_time_with(const struct sift_time *t, const char *secs, const char *off,
    char *buf)
{
	size_t n = 19;

	memcpy(buf, secs, 19);
	if (t->ms >= 0) {
		buf[n++] = '.';
		buf[n++] = (char)('0' + t->ms / 100 % 10);
		put2(buf + n, (unsigned)(t->ms % 100));
		n += 2;
	}
	memcpy(buf + n, off, 6);
	n += 6;
	buf[n] = '\0';
	return n;
}

size_t
sift_recout_fmt_time(const struct sift_time *t, char buf[40])
{
	char secs[20], off[7];

	fmt_second(t->sec, t->tzoff, secs, off);
	return fmt_time_with(t, secs, off, buf);
}

static size_t
fmt_u64(char *buf, uint64_t v)
{
	char tmp[20];
	size_t n = 0, i = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		buf[i++] = tmp[--n];
	return i;
}

static size_t
fmt_i64(char *buf, int64_t v)
{
	if (v < 0) {
		buf[0] = '-';
		return 1 + fmt_u64(buf + 1, (uint64_t)0 - (uint64_t)v);
	}
	return fmt_u64(buf, (uint64_t)v);
}

static void
set_str(struct val *v, struct sift_str s)
{
	if (s.p == NULL || s.n == 0)
		return;
	v->kind = V_STR;
	v->p = s.p;
	v->n = s.n;
}

static bool
all_digits(struct sift_str s)
{
	if (s.n == 0 || s.n > 18)
		return false;
	for (size_t i = 0; i < s.n; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
	return true;
}

static bool
is_delivery(enum sift_event ev)
{
	return ev == SIFT_EV_DELIVERY || ev == SIFT_EV_ADDITIONAL ||
	    ev == SIFT_EV_CUTTHROUGH || ev == SIFT_EV_SUPPRESSED ||
	    ev == SIFT_EV_DEFER || ev == SIFT_EV_FAIL;
}

/* Which named field a tag feeds, if any. */
static int
tag_map(const struct sift_rec *rec, struct sift_str key)
{
	if (key.n != 1)
		return TM_KEEP;
	switch (key.p[0]) {
	case 'A':
		return sift_str_empty(rec->auth) ? TM_KEEP : TM_SKIP;
	case 'F':
		return sift_str_empty(rec->sender) ? TM_KEEP : TM_SKIP;
	case 'H':
		return rec->ip.family == 0 && sift_str_empty(rec->host) ?
		    TM_KEEP : TM_SKIP;
	case 'I':
		return TM_INTERFACE;
	case 'P':
		return rec->event == SIFT_EV_ARRIVAL ? TM_PROTO : TM_KEEP;
	case 'R':
		return is_delivery(rec->event) ? TM_ROUTER : TM_KEEP;
	case 'S':
		return TM_SIZE;
	case 'T':
		if (rec->event == SIFT_EV_ARRIVAL)
			return TM_SUBJECT;
		return is_delivery(rec->event) ? TM_TRANSPORT : TM_KEEP;
	case 'U':
		return sift_str_empty(rec->ident) ? TM_KEEP : TM_SKIP;
	case 'X':
		return TM_TLS;
	default:
		return TM_KEEP;
	}
}

struct tagview {
	int		 idx[TM__COUNT];	/* -1 when absent */
	unsigned	 nkeep;
	bool		 done;
};

static void
map_tags(const struct sift_rec *rec, struct tagview *tv)
{
	int m;

	for (int i = 0; i < TM__COUNT; i++)
		tv->idx[i] = -1;
	tv->nkeep = 0;
	for (unsigned i = 0; i < rec->ntags && i < SIFT_REC_MAXTAGS; i++) {
		m = tag_map(rec, rec->tags[i].key);
		if (m >= 0) {
			if (tv->idx[m] == -1)
				tv->idx[m] = (int)i;
			else
				tv->nkeep++;	/* a second one stays a tag */
		} else if (m == TM_KEEP)
			tv->nkeep++;
	}
	tv->done = true;
}

static void
tags_json(struct sift_obuf *b, const struct sift_rec *rec,
    const struct tagview *tv)
{
	bool first = true;
	int m;

	sift_obuf_putc(b, '{');
	for (unsigned i = 0; i < rec->ntags && i < SIFT_REC_MAXTAGS; i++) {
		m = tag_map(rec, rec->tags[i].key);
		if (m == TM_SKIP || (m >= 0 && tv->idx[m] == (int)i))
			continue;
		if (!first)
			sift_obuf_putc(b, ',');
		first = false;
		sift_json_quote(b, rec->tags[i].key.p, rec->tags[i].key.n);
		sift_obuf_putc(b, ':');
		if (rec->tags[i].val.n == 0)
			sift_obuf_put(b, "true", 4);
		else
			sift_json_quote(b, rec->tags[i].val.p,
			    rec->tags[i].val.n);
	}
	sift_obuf_putc(b, '}');
}

static void
tag_val(const struct sift_rec *rec, const struct tagview *tv, int m,
    struct val *v)
{
	if (tv->idx[m] >= 0)
		set_str(v, rec->tags[tv->idx[m]].val);
}

static void
get_val(struct sift_recout *o, enum fid f, const struct sift_rec *rec,
    const struct sift_recsrc *src, struct tagview *tv, struct val *v)
{
	v->kind = V_ABSENT;
	if (!tv->done && (f == F_INTERFACE || f == F_TAGS ||
	    (f >= F_SIZE && f <= F_SUBJECT)))
		map_tags(rec, tv);
	switch (f) {
	case F_TS:
		if (!rec->ts.valid)
			break;
		if (rec->ts.sec != o->ts_sec || rec->ts.tzoff != o->ts_off) {
			fmt_second(rec->ts.sec, rec->ts.tzoff, o->ts_buf,
			    o->off_buf);
			o->ts_sec = rec->ts.sec;
			o->ts_off = rec->ts.tzoff;
		}
		v->kind = V_SAFE;
		v->p = v->buf;
		v->n = fmt_time_with(&rec->ts, o->ts_buf, o->off_buf, v->buf);
		break;
	case F_EPOCH:
		if (!rec->ts.valid)
			break;
		v->kind = V_NUM;
		v->p = v->buf;
		v->n = fmt_i64(v->buf, rec->ts.sec);
		if (rec->ts.ms >= 0) {
			v->buf[v->n++] = '.';
			v->buf[v->n++] = (char)('0' + rec->ts.ms / 100 % 10);
			put2(v->buf + v->n, (unsigned)(rec->ts.ms % 100));
			v->n += 2;
		}
		break;
	case F_FILE:
		if (src != NULL && src->file != NULL)
			set_str(v, sift_str_cstr(src->file));
		break;
	case F_LINENO:
		if (src == NULL || src->lineno == 0)
			break;
		v->kind = V_NUM;
		v->p = v->buf;
		v->n = fmt_u64(v->buf, src->lineno);
		break;
	case F_EVENT:
		v->kind = V_SAFE;
		v->p = sift_event_name(rec->event);
		v->n = strlen(v->p);
		break;
	case F_MSGID:
		set_str(v, rec->msgid);
		break;
	case F_PID:
		if (rec->pid < 0)
			break;
		v->kind = V_NUM;
		v->p = v->buf;
		v->n = fmt_i64(v->buf, rec->pid);
		break;
	case F_IP:
		if (rec->ip.family == 0)
			break;
		v->kind = V_SAFE;
		v->p = v->buf;
		v->n = sift_addr_format(&rec->ip, v->buf, sizeof(v->buf));
		break;
	case F_PORT:
		if (rec->port < 0)
			break;
		v->kind = V_NUM;
		v->p = v->buf;
		v->n = fmt_i64(v->buf, rec->port);
		break;
	case F_HOST:
		set_str(v, rec->host);
		break;
	case F_HELO:
		set_str(v, rec->helo);
		break;
	case F_IDENT:
		set_str(v, rec->ident);
		break;
	case F_INTERFACE:
		tag_val(rec, tv, TM_INTERFACE, v);
		break;
	case F_SENDER:
		set_str(v, rec->sender);
		break;
	case F_RECIPIENT:
		set_str(v, rec->recipient);
		break;
	case F_REASON:
		set_str(v, rec->reason);
		break;
	case F_STAGE:
		if (rec->stage == SIFT_ST_NONE)
			break;
		v->kind = V_SAFE;
		v->p = sift_stage_name(rec->stage);
		v->n = strlen(v->p);
		break;
	case F_AUTH:
		set_str(v, rec->auth);
		break;
	case F_AUTHENTICATOR:
		set_str(v, rec->authenticator);
		break;
	case F_USER:
		set_str(v, rec->user);
		break;
	case F_SIZE:
		tag_val(rec, tv, TM_SIZE, v);
		if (v->kind == V_STR && all_digits(sift_str_make(v->p, v->n)))
			v->kind = V_NUM;
		break;
	case F_PROTO:
		tag_val(rec, tv, TM_PROTO, v);
		break;
	case F_TLS:
		tag_val(rec, tv, TM_TLS, v);
		break;
	case F_ROUTER:
		tag_val(rec, tv, TM_ROUTER, v);
		break;
	case F_TRANSPORT:
		tag_val(rec, tv, TM_TRANSPORT, v);
		break;
	case F_SUBJECT:
		tag_val(rec, tv, TM_SUBJECT, v);
		break;
	case F_SYSLOG_HOST:
		set_str(v, rec->syslog_host);
		break;
	case F_TRUNCATED:
		if (rec->flags & SIFT_REC_TRUNC)
			v->kind = V_TRUE;
		break;
	case F_TAGS:
		if (tv->nkeep == 0)
			break;
		sift_obuf_reset(&o->scratch);
		tags_json(&o->scratch, rec, tv);
		v->kind = V_JSON;
		v->p = o->scratch.p;
		v->n = o->scratch.n;
		break;
	case F_TEXT:
		if (o->deflt && o->fmt == SIFT_RECFMT_JSON &&
		    rec->event != SIFT_EV_OTHER &&
		    rec->event != SIFT_EV_CONTINUATION)
			break;
		set_str(v, rec->text);
		break;
	case F_LINE:
		set_str(v, rec->line);
		break;
	case F__COUNT:
		break;
	}
}

/*
 * TSV byte classes: 0 as is, 1 escape. Bytes from 0x80 up pass: TSV
 * cells are bytes, and readers get back exactly what the log held.
 */
static const unsigned char tclass[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
};

void
sift_recout_tsv_escape(struct sift_obuf *b, const char *s, size_t n)
{
	static const char hexd[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	const unsigned char *run;
	char *q;

	while (p < end) {
		run = p;
		while (p < end && tclass[*p] == 0)
			p++;
		if (p > run)
			sift_obuf_put(b, run, (size_t)(p - run));
		if (p == end)
			break;
		q = sift_obuf_room(b, 4);
		q[0] = '\\';
		switch (*p) {
		case '\t':
			q[1] = 't';
			b->n += 2;
			break;
		case '\n':
			q[1] = 'n';
			b->n += 2;
			break;
		case '\r':
			q[1] = 'r';
			b->n += 2;
			break;
		case '\\':
			q[1] = '\\';
			b->n += 2;
			break;
		default:
			q[1] = 'x';
			q[2] = hexd[*p >> 4];
			q[3] = hexd[*p & 0xf];
			b->n += 4;
			break;
		}
		p++;
	}
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t
sift_recout_tsv_unescape(char *p, size_t n)
{
	size_t i = 0, o = 0;
	int h, l;

	while (i < n) {
		if (p[i] != '\\') {
			p[o++] = p[i++];
			continue;
		}
		if (i + 1 >= n)
			return (size_t)-1;
		switch (p[i + 1]) {
		case 't':
			p[o++] = '\t';
			break;
		case 'n':
			p[o++] = '\n';
			break;
		case 'r':
			p[o++] = '\r';
			break;
		case '\\':
			p[o++] = '\\';
			break;
		case 'x':
			if (i + 3 >= n || (h = hexval(p[i + 2])) < 0 ||
			    (l = hexval(p[i + 3])) < 0)
				return (size_t)-1;
			p[o++] = (char)(h << 4 | l);
			i += 2;
			break;
		default:
			return (size_t)-1;
		}
		i += 2;
	}
	return o;
}

void
sift_recout_csv_escape(struct sift_obuf *b, const char *p, size_t n)
{
	bool quote = n > 0 && (p[0] == ' ' || p[n - 1] == ' ');
	const char *q, *end = p + n;

	for (size_t i = 0; i < n && !quote; i++)
		if (p[i] == ',' || p[i] == '"' || p[i] == '\r' ||
		    p[i] == '\n')
			quote = true;
	if (!quote) {
		sift_obuf_put(b, p, n);
		return;
	}
	sift_obuf_putc(b, '"');
	while (p < end) {
		q = memchr(p, '"', (size_t)(end - p));
		if (q == NULL) {
			sift_obuf_put(b, p, (size_t)(end - p));
			break;
		}
		sift_obuf_put(b, p, (size_t)(q - p) + 1);
		sift_obuf_putc(b, '"');
		p = q + 1;
	}
	sift_obuf_putc(b, '"');
}

static void
write_json(struct sift_recout *o, struct sift_obuf *b,
    const struct sift_rec *rec, const struct sift_recsrc *src,
    struct tagview *tv)
{
	struct val v;
	bool first = true;

	for (unsigned k = 0; k < o->nf; k++) {
		get_val(o, o->f[k], rec, src, tv, &v);
		if (v.kind == V_ABSENT)
			continue;
		sift_obuf_putc(b, first ? '{' : ',');
		first = false;
		sift_obuf_put(b, o->key[k], o->keylen[k]);
		switch (v.kind) {
		case V_STR:
			sift_json_quote(b, v.p, v.n);
			break;
		case V_SAFE:
			sift_obuf_putc(b, '"');
			sift_obuf_put(b, v.p, v.n);
			sift_obuf_putc(b, '"');
			break;
		case V_NUM:
		case V_JSON:
			sift_obuf_put(b, v.p, v.n);
			break;
		case V_TRUE:
			sift_obuf_put(b, "true", 4);
			break;
		case V_ABSENT:
			break;
		}
	}
	if (first)
		sift_obuf_putc(b, '{');
	sift_obuf_put(b, "}\n", 2);
}

static void
write_cells(struct sift_recout *o, struct sift_obuf *b,
    const struct sift_rec *rec, const struct sift_recsrc *src,
    struct tagview *tv)
{
	bool tsv = o->fmt == SIFT_RECFMT_TSV;
	struct val v;

	for (unsigned k = 0; k < o->nf; k++) {
		if (k > 0)
			sift_obuf_putc(b, tsv ? '\t' : ',');
		get_val(o, o->f[k], rec, src, tv, &v);
		switch (v.kind) {
		case V_ABSENT:
			break;
		case V_TRUE:
			sift_obuf_put(b, "true", 4);
			break;
		case V_STR:
		case V_SAFE:
		case V_NUM:
		case V_JSON:
			if (!tsv)
				sift_recout_csv_escape(b, v.p, v.n);
			else if (k == 0 && v.n > 0 && v.p[0] == '#') {
				/* a data line must not look like the header */
				sift_obuf_put(b, "\\x23", 4);
				sift_recout_tsv_escape(b, v.p + 1, v.n - 1);
			} else
				sift_recout_tsv_escape(b, v.p, v.n);
			break;
		}
	}
	if (!tsv)
		sift_obuf_putc(b, '\r');
	sift_obuf_putc(b, '\n');
}

void
sift_recout_write(struct sift_recout *o, struct sift_obuf *b,
    const struct sift_rec *rec, const struct sift_recsrc *src)
{
	struct tagview tv;

	tv.done = false;
	if (o->fmt == SIFT_RECFMT_JSON)
		write_json(o, b, rec, src, &tv);
	else
		write_cells(o, b, rec, src, &tv);
}
