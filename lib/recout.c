/* SPDX-License-Identifier: ISC */
/* Record output: field registry and JSON Lines, TSV and CSV writers. */
#include "recout.h"

#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "addr.h"
#include "json.h"
#include "xalloc.h"
#include "banned.h"

enum fid {
	F_TS, F_EPOCH, F_FILE, F_LINENO, F_EVENT, F_PARENT_EVENT,
	F_PARENT_LINENO, F_MSGID, F_PID, F_IP,
	F_PORT, F_HOST, F_HELO, F_IDENT, F_INTERFACE, F_SENDER, F_RECIPIENT,
	F_REASON, F_COMMAND, F_STAGE, F_AUTH, F_AUTHENTICATOR, F_USER, F_SIZE, F_PROTO,
	F_TLS, F_ROUTER, F_TRANSPORT, F_SUBJECT, F_SYSLOG_HOST, F_TAGS, F_TEXT, F_LINE, F__COUNT
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
	[F_PARENT_EVENT] = { "parent_event", FD_BOTH,
	    "event of the entry a continuation line belongs to" },
	[F_PARENT_LINENO] = { "parent_lineno", FD_BOTH,
	    "line of the entry a continuation line belongs to" },
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
	[F_COMMAND] = { "command", FD_BOTH, "SMTP command echoed" },
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
	[F_TAGS] = { "tags", FD_BOTH, "other tags, as a JSON object" },
	[F_TEXT] = { "text", FD_BOTH, "text after the prefix" },
	[F_LINE] = { "line", 0, "the whole line" },
};

struct sift_recout {
	enum sift_recfmt fmt;
	bool		 deflt;		/* default list: text only for other */
	unsigned	 nf;
	enum fid	 f[F__COUNT];
	uint64_t	 want;		/* bit per enum fid in f[] */
	char		*key[F__COUNT];	/* JSON: ,"name": */
	size_t		 keylen[F__COUNT];
	size_t		 keystotal;
	bool		 plain[F__COUNT];	/* column needs no escape */
	uint64_t	 colbit[F__COUNT];	/* field -> its column's bit */
	const char	*evname[SIFT_EV__COUNT];
	uint8_t		 evlen[SIFT_EV__COUNT];	/* strlen of the names */
	uint8_t		 stlen[SIFT_ST__COUNT];
	struct sift_obuf scratch;
	/* last formatted second */
	int64_t		 ts_sec;
	int		 ts_off;
	char		 ts_buf[20];	/* YYYY-MM-DDTHH:MM:SS */
	char		 off_buf[7];	/* +hh:mm */
	char		 ts_full[32];	/* both, for times without .mmm */
	/* last line number, in decimal: the next one is an increment */
	uint64_t	 ln_val;
	size_t		 ln_n;
	char		 ln_buf[24];
};

static bool plain_field(enum fid);

_Static_assert(F__COUNT <= 64, "field set must fit 64 bits");

/* What kind of value a field has in one record. */
enum vkind {
	V_ABSENT = 0,
	V_STR,		/* bytes from the log: escape */
	V_SAFE,		/* ASCII text that needs no escape */
	V_NUM,		/* a JSON number */
	V_JSON		/* JSON text (tags): raw in JSON, escaped elsewhere */
};

/* The values of one record, by field. */
struct vals {
	uint64_t	 pres;		/* bit per column that has a value */
	unsigned char	 kind[F__COUNT];
	struct sift_str	 s[F__COUNT];
	size_t		 total;		/* sum of the value lengths */
	char		 ts[40], epoch[32], pid[24], port[16];
	char		 plineno[24];
	char		 ip[SIFT_ADDR_STRLEN];
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
	for (int i = 0; i < SIFT_EV__COUNT; i++) {
		o->evname[i] = sift_event_name((enum sift_event)i);
		o->evlen[i] = (uint8_t)strlen(o->evname[i]);
	}
	for (int i = 0; i < SIFT_ST__COUNT; i++)
		o->stlen[i] = (uint8_t)strlen(sift_stage_name((enum sift_stage)i));
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
		o->key[k] = sift_xmalloc(n + 5);
		memcpy(o->key[k], ",\"", 2);
		memcpy(o->key[k] + 2, name, n);
		memcpy(o->key[k] + 2 + n, "\":", 3);
		o->keylen[k] = n + 4;
		o->keystotal += n + 4;
		o->want |= (uint64_t)1 << o->f[k];
		o->plain[k] = plain_field(o->f[k]);
		o->colbit[o->f[k]] = (uint64_t)1 << k;
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
	static const char d2[] =
	    "0001020304050607080910111213141516171819"
	    "2021222324252627282930313233343536373839"
	    "4041424344454647484950515253545556575859"
	    "6061626364656667686970717273747576777879"
	    "8081828384858687888990919293949596979899";
	static const uint64_t pow10[20] = {
		1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
		10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
		100000000000ULL, 1000000000000ULL, 10000000000000ULL,
		100000000000000ULL, 1000000000000000ULL,
		10000000000000000ULL, 100000000000000000ULL,
		1000000000000000000ULL, 10000000000000000000ULL
	};
	unsigned t;
	size_t n;
	char *q;

	/* the number of digits from the bit length, then a compare */
	t = ((64 - (unsigned)__builtin_clzll(v | 1)) * 1233) >> 12;
	n = t + (v >= pow10[t]) + (v == 0);
	/* the digits written from the end, straight into buf */
	q = buf + n;
	while (v >= 100) {
		unsigned k = (unsigned)(v % 100) * 2;

		v /= 100;
		*--q = d2[k + 1];
		*--q = d2[k];
	}
	if (v >= 10) {
		*--q = d2[v * 2 + 1];
		*--q = d2[v * 2];
	} else
		*--q = (char)('0' + v);
	return n;
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

static bool
all_digits(struct sift_str s)
{
	/* A JSON number has no leading zero: "0788" stays a string. */
	if (s.n == 0 || s.n > 18 || (s.n > 1 && s.p[0] == '0'))
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

/*
 * The field a one-letter tag feeds, by letter from 'A' (TM_* >= 0, or
 * TM_KEEP / TM_SKIP), for rec: a table filled once per record, so that
 * mapping a tag takes no branch on its letter.
 */
static void
tag_table(const struct sift_rec *rec, signed char tab[26])
{
	bool arr = rec->event == SIFT_EV_ARRIVAL, del = is_delivery(rec->event);

	memset(tab, TM_KEEP, 26);
	tab['A' - 'A'] = sift_str_empty(rec->auth) ? TM_KEEP : TM_SKIP;
	tab['F' - 'A'] = sift_str_empty(rec->sender) ? TM_KEEP : TM_SKIP;
	tab['H' - 'A'] = rec->ip.family == 0 && sift_str_empty(rec->host) ?
	    TM_KEEP : TM_SKIP;
	tab['I' - 'A'] = TM_INTERFACE;
	tab['P' - 'A'] = arr ? TM_PROTO : TM_KEEP;
	tab['R' - 'A'] = del ? TM_ROUTER : TM_KEEP;
	tab['S' - 'A'] = TM_SIZE;
	tab['T' - 'A'] = arr ? TM_SUBJECT : del ? TM_TRANSPORT : TM_KEEP;
	tab['U' - 'A'] = sift_str_empty(rec->ident) ? TM_KEEP : TM_SKIP;
	tab['X' - 'A'] = TM_TLS;
}

static inline int
tag_map(const signed char tab[26], struct sift_str key)
{
	unsigned c = key.n == 1 ? (unsigned)(unsigned char)key.p[0] - 'A' : 26;

	return c < 26 ? tab[c] : TM_KEEP;
}

static const enum fid tm_field[TM__COUNT] = {
	[TM_SIZE] = F_SIZE, [TM_PROTO] = F_PROTO, [TM_TLS] = F_TLS,
	[TM_ROUTER] = F_ROUTER, [TM_TRANSPORT] = F_TRANSPORT,
	[TM_SUBJECT] = F_SUBJECT, [TM_INTERFACE] = F_INTERFACE
};

#define WANT(f)		(o->want & ((uint64_t)1 << (f)))

static inline void
put_str(const struct sift_recout *o, struct vals *v, enum fid f,
    struct sift_str s)
{
	if (s.n == 0 || s.p == NULL || !WANT(f))
		return;
	v->kind[f] = V_STR;
	v->s[f] = s;
	v->total += s.n;
	v->pres |= o->colbit[f];
}

static inline void
put_buf(const struct sift_recout *o, struct vals *v, enum fid f,
    enum vkind k, const char *p, size_t n)
{
	v->kind[f] = (unsigned char)k;
	v->s[f] = sift_str_make(p, n);
	v->total += n;
	v->pres |= o->colbit[f];
}

static inline size_t
ev_len(const struct sift_recout *o, enum sift_event ev)
{
	return (unsigned)ev < SIFT_EV__COUNT ? o->evlen[ev] :
	    strlen(sift_event_name(ev));
}

/* The tags object of the tags that feed no named field. */
static void
tags_json(struct sift_obuf *b, const struct sift_rec *rec, const int *used,
    const signed char *map)
{
	bool first = true;
	int m;

	sift_obuf_putc(b, '{');
	for (unsigned i = 0; i < rec->ntags && i < SIFT_REC_MAXTAGS; i++) {
		m = map[i];
		if (m == TM_SKIP || (m >= 0 && used[m] == (int)i))
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

/* The decimal text of every octet (up to 3 digits, the rest spaces). */
static const char v4oct[256][3] = {
	{ '0', ' ', ' ' }, { '1', ' ', ' ' }, { '2', ' ', ' ' },
	{ '3', ' ', ' ' }, { '4', ' ', ' ' }, { '5', ' ', ' ' },
	{ '6', ' ', ' ' }, { '7', ' ', ' ' }, { '8', ' ', ' ' },
	{ '9', ' ', ' ' }, { '1', '0', ' ' }, { '1', '1', ' ' },
	{ '1', '2', ' ' }, { '1', '3', ' ' }, { '1', '4', ' ' },
	{ '1', '5', ' ' }, { '1', '6', ' ' }, { '1', '7', ' ' },
	{ '1', '8', ' ' }, { '1', '9', ' ' }, { '2', '0', ' ' },
	{ '2', '1', ' ' }, { '2', '2', ' ' }, { '2', '3', ' ' },
	{ '2', '4', ' ' }, { '2', '5', ' ' }, { '2', '6', ' ' },
	{ '2', '7', ' ' }, { '2', '8', ' ' }, { '2', '9', ' ' },
	{ '3', '0', ' ' }, { '3', '1', ' ' }, { '3', '2', ' ' },
	{ '3', '3', ' ' }, { '3', '4', ' ' }, { '3', '5', ' ' },
	{ '3', '6', ' ' }, { '3', '7', ' ' }, { '3', '8', ' ' },
	{ '3', '9', ' ' }, { '4', '0', ' ' }, { '4', '1', ' ' },
	{ '4', '2', ' ' }, { '4', '3', ' ' }, { '4', '4', ' ' },
	{ '4', '5', ' ' }, { '4', '6', ' ' }, { '4', '7', ' ' },
	{ '4', '8', ' ' }, { '4', '9', ' ' }, { '5', '0', ' ' },
	{ '5', '1', ' ' }, { '5', '2', ' ' }, { '5', '3', ' ' },
	{ '5', '4', ' ' }, { '5', '5', ' ' }, { '5', '6', ' ' },
	{ '5', '7', ' ' }, { '5', '8', ' ' }, { '5', '9', ' ' },
	{ '6', '0', ' ' }, { '6', '1', ' ' }, { '6', '2', ' ' },
	{ '6', '3', ' ' }, { '6', '4', ' ' }, { '6', '5', ' ' },
	{ '6', '6', ' ' }, { '6', '7', ' ' }, { '6', '8', ' ' },
	{ '6', '9', ' ' }, { '7', '0', ' ' }, { '7', '1', ' ' },
	{ '7', '2', ' ' }, { '7', '3', ' ' }, { '7', '4', ' ' },
	{ '7', '5', ' ' }, { '7', '6', ' ' }, { '7', '7', ' ' },
	{ '7', '8', ' ' }, { '7', '9', ' ' }, { '8', '0', ' ' },
	{ '8', '1', ' ' }, { '8', '2', ' ' }, { '8', '3', ' ' },
	{ '8', '4', ' ' }, { '8', '5', ' ' }, { '8', '6', ' ' },
	{ '8', '7', ' ' }, { '8', '8', ' ' }, { '8', '9', ' ' },
	{ '9', '0', ' ' }, { '9', '1', ' ' }, { '9', '2', ' ' },
	{ '9', '3', ' ' }, { '9', '4', ' ' }, { '9', '5', ' ' },
	{ '9', '6', ' ' }, { '9', '7', ' ' }, { '9', '8', ' ' },
	{ '9', '9', ' ' }, { '1', '0', '0' }, { '1', '0', '1' },
	{ '1', '0', '2' }, { '1', '0', '3' }, { '1', '0', '4' },
	{ '1', '0', '5' }, { '1', '0', '6' }, { '1', '0', '7' },
	{ '1', '0', '8' }, { '1', '0', '9' }, { '1', '1', '0' },
	{ '1', '1', '1' }, { '1', '1', '2' }, { '1', '1', '3' },
	{ '1', '1', '4' }, { '1', '1', '5' }, { '1', '1', '6' },
	{ '1', '1', '7' }, { '1', '1', '8' }, { '1', '1', '9' },
	{ '1', '2', '0' }, { '1', '2', '1' }, { '1', '2', '2' },
	{ '1', '2', '3' }, { '1', '2', '4' }, { '1', '2', '5' },
	{ '1', '2', '6' }, { '1', '2', '7' }, { '1', '2', '8' },
	{ '1', '2', '9' }, { '1', '3', '0' }, { '1', '3', '1' },
	{ '1', '3', '2' }, { '1', '3', '3' }, { '1', '3', '4' },
	{ '1', '3', '5' }, { '1', '3', '6' }, { '1', '3', '7' },
	{ '1', '3', '8' }, { '1', '3', '9' }, { '1', '4', '0' },
	{ '1', '4', '1' }, { '1', '4', '2' }, { '1', '4', '3' },
	{ '1', '4', '4' }, { '1', '4', '5' }, { '1', '4', '6' },
	{ '1', '4', '7' }, { '1', '4', '8' }, { '1', '4', '9' },
	{ '1', '5', '0' }, { '1', '5', '1' }, { '1', '5', '2' },
	{ '1', '5', '3' }, { '1', '5', '4' }, { '1', '5', '5' },
	{ '1', '5', '6' }, { '1', '5', '7' }, { '1', '5', '8' },
	{ '1', '5', '9' }, { '1', '6', '0' }, { '1', '6', '1' },
	{ '1', '6', '2' }, { '1', '6', '3' }, { '1', '6', '4' },
	{ '1', '6', '5' }, { '1', '6', '6' }, { '1', '6', '7' },
	{ '1', '6', '8' }, { '1', '6', '9' }, { '1', '7', '0' },
	{ '1', '7', '1' }, { '1', '7', '2' }, { '1', '7', '3' },
	{ '1', '7', '4' }, { '1', '7', '5' }, { '1', '7', '6' },
	{ '1', '7', '7' }, { '1', '7', '8' }, { '1', '7', '9' },
	{ '1', '8', '0' }, { '1', '8', '1' }, { '1', '8', '2' },
	{ '1', '8', '3' }, { '1', '8', '4' }, { '1', '8', '5' },
	{ '1', '8', '6' }, { '1', '8', '7' }, { '1', '8', '8' },
	{ '1', '8', '9' }, { '1', '9', '0' }, { '1', '9', '1' },
	{ '1', '9', '2' }, { '1', '9', '3' }, { '1', '9', '4' },
	{ '1', '9', '5' }, { '1', '9', '6' }, { '1', '9', '7' },
	{ '1', '9', '8' }, { '1', '9', '9' }, { '2', '0', '0' },
	{ '2', '0', '1' }, { '2', '0', '2' }, { '2', '0', '3' },
	{ '2', '0', '4' }, { '2', '0', '5' }, { '2', '0', '6' },
	{ '2', '0', '7' }, { '2', '0', '8' }, { '2', '0', '9' },
	{ '2', '1', '0' }, { '2', '1', '1' }, { '2', '1', '2' },
	{ '2', '1', '3' }, { '2', '1', '4' }, { '2', '1', '5' },
	{ '2', '1', '6' }, { '2', '1', '7' }, { '2', '1', '8' },
	{ '2', '1', '9' }, { '2', '2', '0' }, { '2', '2', '1' },
	{ '2', '2', '2' }, { '2', '2', '3' }, { '2', '2', '4' },
	{ '2', '2', '5' }, { '2', '2', '6' }, { '2', '2', '7' },
	{ '2', '2', '8' }, { '2', '2', '9' }, { '2', '3', '0' },
	{ '2', '3', '1' }, { '2', '3', '2' }, { '2', '3', '3' },
	{ '2', '3', '4' }, { '2', '3', '5' }, { '2', '3', '6' },
	{ '2', '3', '7' }, { '2', '3', '8' }, { '2', '3', '9' },
	{ '2', '4', '0' }, { '2', '4', '1' }, { '2', '4', '2' },
	{ '2', '4', '3' }, { '2', '4', '4' }, { '2', '4', '5' },
	{ '2', '4', '6' }, { '2', '4', '7' }, { '2', '4', '8' },
	{ '2', '4', '9' }, { '2', '5', '0' }, { '2', '5', '1' },
	{ '2', '5', '2' }, { '2', '5', '3' }, { '2', '5', '4' },
	{ '2', '5', '5' },
};

/* IPv4 address a in dotted decimal at q (room for 15); its length. */
static size_t
fmt_v4(char *q, const struct sift_addr *a)
{
	char *s = q;
	unsigned o;

	for (int k = 0; k < 4; k++) {
		o = a->b[12 + k];
		memcpy(q, v4oct[o], 3);
		q += 1 + (o >= 10) + (o >= 100);
		*q = '.';
		q += k < 3;
	}
	return (size_t)(q - s);
}

/*
 * IPv6 address a at q (room for 40) as sift_addr_format() writes it, for
 * the addresses whose longest zero run does not start the address (no
 * ::a.b.c.d forms there); 0 for the others.
 */
static size_t
fmt_v6(char *q, const struct sift_addr *a)
{
	static const char hex[] = "0123456789abcdef";
	unsigned w[8], nd;
	int bb = -1, bl = 0, cb = -1, cl = 0;
	char *s = q;

	for (int i = 0; i < 8; i++) {
		w[i] = (unsigned)a->b[2 * i] << 8 | a->b[2 * i + 1];
		if (w[i] == 0) {
			if (cb < 0)
				cb = i;
			cl++;
			continue;
		}
		if (cb >= 0 && cl > bl) {
			bb = cb;
			bl = cl;
		}
		cb = -1;
		cl = 0;
	}
	if (cb >= 0 && cl > bl) {
		bb = cb;
		bl = cl;
	}
	if (bl < 2)
		bb = -1;
	if (bb == 0)
		return 0;
	for (int i = 0; i < 8; i++) {
		if (bb >= 0 && i >= bb && i < bb + bl) {
			if (i == bb)
				*q++ = ':';
			continue;
		}
		if (i != 0)
			*q++ = ':';
		nd = w[i] == 0 ? 1 : (35 - (unsigned)__builtin_clz(w[i])) / 4;
		for (unsigned k = nd; k > 0; k--)
			*q++ = hex[(w[i] >> (4 * (k - 1))) & 0xf];
	}
	if (bb >= 0 && bb + bl == 8)
		*q++ = ':';
	return (size_t)(q - s);
}

/* Line number x in decimal in o->ln_buf: mostly the last one plus 1. */
static size_t
lineno_text(struct sift_recout *o, uint64_t x)
{
	char *d;

	if (o->ln_n > 0 && x == o->ln_val)
		return o->ln_n;
	if (o->ln_n > 0 && x == o->ln_val + 1) {
		for (d = o->ln_buf + o->ln_n; d > o->ln_buf && d[-1] == '9';)
			*--d = '0';
		if (d > o->ln_buf) {
			d[-1]++;
			o->ln_val = x;
			return o->ln_n;
		}
	}
	o->ln_n = fmt_u64(o->ln_buf, x);
	o->ln_val = x;
	return o->ln_n;
}

/* Every wanted value of rec, in one pass. */
static void
fill(struct sift_recout *o, const struct sift_rec *rec,
    const struct sift_recsrc *src, struct vals *v)
{
	int used[TM__COUNT], m;
	signed char map[SIFT_REC_MAXTAGS], tab[26];
	unsigned nkeep = 0;
	size_t n;

	v->pres = 0;
	v->total = 0;
	if (rec->ts.valid && (o->want & ((uint64_t)1 << F_TS |
	    (uint64_t)1 << F_EPOCH))) {
		if (WANT(F_TS)) {
			if (rec->ts.sec != o->ts_sec ||
			    rec->ts.tzoff != o->ts_off) {
				fmt_second(rec->ts.sec, rec->ts.tzoff,
				    o->ts_buf, o->off_buf);
				memcpy(o->ts_full, o->ts_buf, 19);
				memcpy(o->ts_full + 19, o->off_buf, 7);
				o->ts_sec = rec->ts.sec;
				o->ts_off = rec->ts.tzoff;
			}
			if (rec->ts.ms < 0)
				put_buf(o, v, F_TS, V_SAFE, o->ts_full, 25);
			else {
				n = fmt_time_with(&rec->ts, o->ts_buf,
				    o->off_buf, v->ts);
				put_buf(o, v, F_TS, V_SAFE, v->ts, n);
			}
		}
		if (WANT(F_EPOCH)) {
			n = fmt_i64(v->epoch, rec->ts.sec);
			if (rec->ts.ms >= 0) {
				v->epoch[n++] = '.';
				v->epoch[n++] = (char)('0' +
				    rec->ts.ms / 100 % 10);
				put2(v->epoch + n, (unsigned)(rec->ts.ms % 100));
				n += 2;
			}
			put_buf(o, v, F_EPOCH, V_NUM, v->epoch, n);
		}
	}
	if (WANT(F_FILE) && src != NULL && src->file != NULL)
		put_str(o, v, F_FILE, src->file_n > 0 ? sift_str_make(
		    src->file, src->file_n) : sift_str_cstr(src->file));
	if (WANT(F_LINENO) && src != NULL && src->lineno > 0)
		put_buf(o, v, F_LINENO, V_NUM, o->ln_buf,
		    lineno_text(o, src->lineno));
	if (WANT(F_EVENT)) {
		put_buf(o, v, F_EVENT, V_SAFE, (unsigned)rec->event <
		    SIFT_EV__COUNT ? o->evname[rec->event] :
		    sift_event_name(rec->event),
		    ev_len(o, rec->event));
	}
	if (rec->event == SIFT_EV_CONTINUATION && rec->parent_lineno > 0) {
		if (WANT(F_PARENT_EVENT)) {
			put_buf(o, v, F_PARENT_EVENT, V_SAFE,
			    sift_event_name(rec->parent_event),
			    ev_len(o, rec->parent_event));
		}
		if (WANT(F_PARENT_LINENO))
			put_buf(o, v, F_PARENT_LINENO, V_NUM, v->plineno,
			    fmt_u64(v->plineno, rec->parent_lineno));
	}
	put_str(o, v, F_MSGID, rec->msgid);
	if (rec->pid >= 0 && WANT(F_PID))
		put_buf(o, v, F_PID, V_NUM, v->pid, fmt_i64(v->pid, rec->pid));
	if (rec->ip.family != 0 && WANT(F_IP)) {
		if (rec->ip.family == 4)
			put_buf(o, v, F_IP, V_SAFE, v->ip, fmt_v4(v->ip,
			    &rec->ip));
		else if (rec->ip.family == 6 && (n = fmt_v6(v->ip,
		    &rec->ip)) > 0)
			put_buf(o, v, F_IP, V_SAFE, v->ip, n);
		else
			put_buf(o, v, F_IP, V_SAFE, v->ip, sift_addr_format(
			    &rec->ip, v->ip, sizeof(v->ip)));
	}
	if (rec->port >= 0 && WANT(F_PORT))
		put_buf(o, v, F_PORT, V_NUM, v->port, fmt_i64(v->port,
		    rec->port));
	put_str(o, v, F_HOST, rec->host);
	put_str(o, v, F_HELO, rec->helo);
	put_str(o, v, F_IDENT, rec->ident);
	put_str(o, v, F_SENDER, rec->sender);
	put_str(o, v, F_RECIPIENT, rec->recipient);
	put_str(o, v, F_REASON, rec->reason);
	put_str(o, v, F_COMMAND, rec->command);
	if (rec->stage != SIFT_ST_NONE && WANT(F_STAGE)) {
		put_buf(o, v, F_STAGE, V_SAFE, sift_stage_name(rec->stage),
		    (unsigned)rec->stage < SIFT_ST__COUNT ? o->stlen[rec->stage] :
		    strlen(sift_stage_name(rec->stage)));
	}
	put_str(o, v, F_AUTH, rec->auth);
	put_str(o, v, F_AUTHENTICATOR, rec->authenticator);
	put_str(o, v, F_USER, rec->user);
	put_str(o, v, F_SYSLOG_HOST, rec->syslog_host);
	if (WANT(F_TEXT) && (!o->deflt || rec->event == SIFT_EV_OTHER ||
	    rec->event == SIFT_EV_CONTINUATION))
		put_str(o, v, F_TEXT, rec->text);
	put_str(o, v, F_LINE, rec->line);

	/* tags: one pass maps them to fields; the rest go to "tags" */
	for (int i = 0; i < TM__COUNT; i++)
		used[i] = -1;
	if (rec->ntags > 0)
		tag_table(rec, tab);
	for (unsigned i = 0; i < rec->ntags && i < SIFT_REC_MAXTAGS; i++) {
		m = map[i] = (signed char)tag_map(tab, rec->tags[i].key);
		if (m >= 0 && used[m] == -1 && rec->tags[i].val.n > 0) {
			used[m] = (int)i;
			put_str(o, v, tm_field[m], rec->tags[i].val);
		} else if (m != TM_SKIP)
			nkeep++;
	}
	if ((v->pres & o->colbit[F_SIZE]) && v->kind[F_SIZE] == V_STR &&
	    all_digits(v->s[F_SIZE]))
		v->kind[F_SIZE] = V_NUM;
	if (nkeep > 0 && WANT(F_TAGS)) {
		sift_obuf_reset(&o->scratch);
		tags_json(&o->scratch, rec, used, map);
		put_buf(o, v, F_TAGS, V_JSON, o->scratch.p, o->scratch.n);
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

#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL
#define HASZERO(v)	(((v) - ONES) & ~(v) & HIGHS)

/* Does the word hold a byte below 0x20, a backslash or DEL? */
#define TSV_BAD(w)	((((w) - ONES * 0x20) & ~(w) & HIGHS) != 0 || \
			    HASZERO((w) ^ (ONES * '\\')) != 0 || \
			    HASZERO((w) ^ (ONES * 0x7f)) != 0)

#ifdef __SSE2__
/* Bit per byte of x below 0x20, a backslash or DEL. */
static inline unsigned
tsv_bad16x(__m128i x)
{
	const __m128i ge = _mm_cmpeq_epi8(_mm_max_epu8(x,
	    _mm_set1_epi8(0x20)), x);
	const __m128i odd = _mm_or_si128(_mm_cmpeq_epi8(x,
	    _mm_set1_epi8('\\')), _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f)));

	return ((unsigned)_mm_movemask_epi8(ge) ^ 0xffffu) |
	    (unsigned)_mm_movemask_epi8(odd);
}

/* Bit per byte of p[0..16) below 0x20, a backslash or DEL. */
static inline unsigned
tsv_bad16(const unsigned char *p)
{
	return tsv_bad16x(_mm_loadu_si128((const __m128i *)(const void *)p));
}
#endif

/* Leading run of p[0..n) without a byte to escape, 16 or 8 at a time. */
static size_t
tsv_run(const unsigned char *p, size_t n)
{
	size_t i = 0;
	uint64_t w;

#ifdef __SSE2__
	unsigned m;

	if (n >= 16) {
		for (; n - i >= 16; i += 16)
			if ((m = tsv_bad16(p + i)) != 0)
				return i + (unsigned)__builtin_ctz(m);
		if (i == n)
			return n;
		/* the last 16 bytes; those before i are known clean */
		if ((m = tsv_bad16(p + n - 16)) == 0)
			return n;
		return n - 16 + (unsigned)__builtin_ctz(m);
	}
#endif
	while (n - i >= 8) {
		memcpy(&w, p + i, 8);
		/* any byte < 0x20 (exact as a whole; bytes >= 0x80 pass) */
		if (((w - ONES * 0x20) & ~w & HIGHS) != 0 ||
		    HASZERO(w ^ (ONES * '\\')) != 0 ||
		    HASZERO(w ^ (ONES * 0x7f)) != 0)
			break;
		i += 8;
	}
	while (i < n && tclass[p[i]] == 0)
		i++;
	return i;
}

static char *
tsv_escape_to(char *q, const char *s, size_t n)
{
	static const char hexd[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	size_t run;

	uint64_t w;
	size_t i;

	if (n < 8) {
		/* short values: a byte loop */
		for (; p < end && tclass[*p] == 0; p++)
			*q++ = (char)*p;
		if (p == end)
			return q;
	} else if (n >= 16) {
		/* most values need no escape: check, then copy at once */
		run = tsv_run(p, n);
		memcpy(q, p, run);
		q += run;
		p += run;
		if (p == end)
			return q;
	} else {
		/* most values need no escape: check by words, then copy */
		for (i = 0; i + 8 <= n; i += 8) {
			memcpy(&w, p + i, 8);
			if (TSV_BAD(w))
				break;
		}
		if (i + 8 > n) {
			memcpy(&w, end - 8, 8);
			if (!TSV_BAD(w)) {
				memcpy(q, p, n);
				return q + n;
			}
		}
	}
	while (p < end) {
		run = tsv_run(p, (size_t)(end - p));
		memcpy(q, p, run);
		q += run;
		p += run;
		if (p == end)
			break;
		*q++ = '\\';
		switch (*p) {
		case '\t':
			*q++ = 't';
			break;
		case '\n':
			*q++ = 'n';
			break;
		case '\r':
			*q++ = 'r';
			break;
		case '\\':
			*q++ = '\\';
			break;
		default:
			*q++ = 'x';
			*q++ = hexd[*p >> 4];
			*q++ = hexd[*p & 0xf];
			break;
		}
		p++;
	}
	return q;
}

/*
 * Copy p[0..n) to q without a call: overlapping word moves from both
 * ends, every load and store inside the n bytes.
 */
static inline char *
copy_cell(char *q, const char *p, size_t n)
{
	uint64_t a, z;
	uint32_t a4, z4;

#ifdef __SSE2__
	if (n >= 16) {
		size_t i;

		for (i = 0; i + 16 <= n; i += 16)
			_mm_storeu_si128((__m128i *)(void *)(q + i),
			    _mm_loadu_si128((const __m128i *)(const void *)
			    (p + i)));
		if (i < n)
			_mm_storeu_si128((__m128i *)(void *)(q + n - 16),
			    _mm_loadu_si128((const __m128i *)(const void *)
			    (p + n - 16)));
		return q + n;
	}
#else
	if (n >= 16) {
		memcpy(q, p, n);
		return q + n;
	}
#endif
	if (n >= 8) {
		memcpy(&a, p, 8);
		memcpy(&z, p + n - 8, 8);
		memcpy(q, &a, 8);
		memcpy(q + n - 8, &z, 8);
	} else if (n >= 4) {
		memcpy(&a4, p, 4);
		memcpy(&z4, p + n - 4, 4);
		memcpy(q, &a4, 4);
		memcpy(q + n - 4, &z4, 4);
	} else {
		for (size_t i = 0; i < n; i++)
			q[i] = p[i];
	}
	return q + n;
}

#define ONES32	0x01010101U
#define HIGHS32	0x80808080U
#define HASZERO32(v)	(((v) - ONES32) & ~(v) & HIGHS32)
#define TSV_BAD32(w)	((((w) - ONES32 * 0x20) & ~(w) & HIGHS32) != 0 || \
			    HASZERO32((w) ^ (ONES32 * '\\')) != 0 || \
			    HASZERO32((w) ^ (ONES32 * 0x7f)) != 0)

/*
 * A TSV cell: checked and copied in one pass (16, 8 or 4 bytes at a
 * time, overlapping at the end); the escaper only for a value that needs
 * it.
 */
static inline char *
tsv_cell(char *q, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
#ifndef __SSE2__
	uint64_t a, z;
#endif
	uint32_t a4, z4;

#ifdef __SSE2__
	if (n >= 16) {
		__m128i x;
		size_t i;

		for (i = 0; i + 16 <= n; i += 16) {
			if (tsv_bad16(p + i) != 0)
				return tsv_escape_to(q, s, n);
			x = _mm_loadu_si128((const __m128i *)(const void *)
			    (p + i));
			_mm_storeu_si128((__m128i *)(void *)(q + i), x);
		}
		if (i < n) {
			if (tsv_bad16(p + n - 16) != 0)
				return tsv_escape_to(q, s, n);
			x = _mm_loadu_si128((const __m128i *)(const void *)
			    (p + n - 16));
			_mm_storeu_si128((__m128i *)(void *)(q + n - 16), x);
		}
		return q + n;
	}
#else
	if (n >= 16)
		return tsv_escape_to(q, s, n);
#endif
	if (n >= 8) {
#ifdef __SSE2__
		/* both words in one register, checked at once */
		__m128i w = _mm_unpacklo_epi64(_mm_loadl_epi64(
		    (const __m128i *)(const void *)p), _mm_loadl_epi64(
		    (const __m128i *)(const void *)(p + n - 8)));
		unsigned char two[16];

		if (tsv_bad16x(w) != 0)
			return tsv_escape_to(q, s, n);
		_mm_storeu_si128((__m128i *)(void *)two, w);
		memcpy(q, two, 8);
		memcpy(q + n - 8, two + 8, 8);
		return q + n;
#else
		memcpy(&a, p, 8);
		memcpy(&z, p + n - 8, 8);
		if (TSV_BAD(a) || TSV_BAD(z))
			return tsv_escape_to(q, s, n);
		memcpy(q, &a, 8);
		memcpy(q + n - 8, &z, 8);
		return q + n;
#endif
	}
	if (n >= 4) {
		memcpy(&a4, p, 4);
		memcpy(&z4, p + n - 4, 4);
#ifdef __SSE2__
		if ((tsv_bad16x(_mm_unpacklo_epi32(_mm_cvtsi32_si128(
		    (int)a4), _mm_cvtsi32_si128((int)z4))) & 0xff) != 0)
			return tsv_escape_to(q, s, n);
#else
		if (TSV_BAD32(a4) || TSV_BAD32(z4))
			return tsv_escape_to(q, s, n);
#endif
		memcpy(q, &a4, 4);
		memcpy(q + n - 4, &z4, 4);
		return q + n;
	}
	for (size_t i = 0; i < n; i++) {
		if (tclass[p[i]] != 0)
			return tsv_escape_to(q, s, n);
		q[i] = (char)p[i];
	}
	return q + n;
}

void
sift_recout_tsv_escape(struct sift_obuf *b, const char *p, size_t n)
{
	char *q = sift_obuf_room(b, 4 * n);

	b->n = (size_t)(tsv_escape_to(q, p, n) - b->p);
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
			if (i + 3 >= n || (h = sift_hexval(p[i + 2])) < 0 ||
			    (l = sift_hexval(p[i + 3])) < 0)
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

static char *
csv_escape_to(char *q, const char *p, size_t n)
{
	bool quote = n > 0 && (p[0] == ' ' || p[n - 1] == ' ');

	for (size_t i = 0; i < n && !quote; i++)
		if (p[i] == ',' || p[i] == '"' || p[i] == '\r' ||
		    p[i] == '\n')
			quote = true;
	if (!quote) {
		memcpy(q, p, n);
		return q + n;
	}
	*q++ = '"';
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '"')
			*q++ = '"';
		*q++ = p[i];
	}
	*q++ = '"';
	return q;
}

void
sift_recout_csv_escape(struct sift_obuf *b, const char *p, size_t n)
{
	char *q = sift_obuf_room(b, 2 * n + 2);

	b->n = (size_t)(csv_escape_to(q, p, n) - b->p);
}

static void
write_json(struct sift_recout *o, struct sift_obuf *b, const struct vals *v)
{
	size_t start = b->n;
	uint64_t m = v->pres;
	unsigned char k;
	unsigned i;
	enum fid f;
	char *q;

	q = sift_obuf_room(b, v->total * SIFT_JSON_ESC_MAX + o->keystotal +
	    2 * o->nf + 4);
	/* only the columns that have a value, in column order */
	for (; m != 0; m &= m - 1) {
		i = (unsigned)__builtin_ctzll(m);
		f = o->f[i];
		k = v->kind[f];
		memcpy(q, o->key[i], o->keylen[i]);
		q += o->keylen[i];
		switch (k) {
		case V_STR:
			*q++ = '"';
			q = sift_json_escape_to(q, v->s[f].p, v->s[f].n);
			*q++ = '"';
			break;
		case V_SAFE:
			*q++ = '"';
			memcpy(q, v->s[f].p, v->s[f].n);
			q += v->s[f].n;
			*q++ = '"';
			break;
		default:
			memcpy(q, v->s[f].p, v->s[f].n);
			q += v->s[f].n;
			break;
		}
	}
	if (q == b->p + start)
		*q++ = '{';
	else
		b->p[start] = '{';	/* the first key's comma */
	*q++ = '}';
	*q++ = '\n';
	b->n = (size_t)(q - b->p);
}

/*
 * Fields whose values never need an escape (times, numbers, event and
 * stage names, addresses); a cell of any other field goes through the
 * escaper. Decided per column, not per value, so that the loop branches
 * the same way on every record.
 */
static bool
plain_field(enum fid f)
{
	switch (f) {
	case F_TS:
	case F_EPOCH:
	case F_LINENO:
	case F_EVENT:
	case F_PARENT_EVENT:
	case F_PARENT_LINENO:
	case F_PID:
	case F_IP:
	case F_PORT:
	case F_STAGE:
		return true;
	default:
		return false;
	}
}

static void
write_cells(struct sift_recout *o, struct sift_obuf *b, const struct vals *v)
{
	static const char tabs[64] =
	    "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t"
	    "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
	static const char commas[64] =
	    ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,";
	bool tsv = o->fmt == SIFT_RECFMT_TSV;
	const char *sep = tsv ? tabs : commas;
	uint64_t m = v->pres;
	unsigned i, done = 0;
	const char *p;
	size_t n;
	enum fid f;
	char *q;

	_Static_assert(F__COUNT < 64, "separator runs fit the 64 bytes");
	/* TSV: 4 bytes per escaped byte; CSV: 2, plus quotes; 64: separators */
	q = sift_obuf_room(b, v->total * 4 + 3 * o->nf + 64 + 4);
	/*
	 * Only the cells with a value are visited; the separators in between
	 * are copied as one run (always 64 bytes, of which the run is kept).
	 */
	if (tsv) {
		/* values that need no escape pass the check as well */
		for (; m != 0; m &= m - 1) {
			i = (unsigned)__builtin_ctzll(m);
			memcpy(q, sep, 64);
			q += i - done;
			done = i;
			f = o->f[i];
			n = v->s[f].n;
			p = v->s[f].p;
			if (i == 0 && n > 0 && p[0] == '#') {
				/* a data line must not look like the header */
				memcpy(q, "\\x23", 4);
				q = tsv_escape_to(q + 4, p + 1, n - 1);
			} else
				q = tsv_cell(q, p, n);
		}
	}
	for (; m != 0; m &= m - 1) {
		i = (unsigned)__builtin_ctzll(m);
		memcpy(q, sep, 64);
		q += i - done;
		done = i;
		f = o->f[i];
		n = v->s[f].n;
		p = v->s[f].p;
		if (o->plain[i])
			q = copy_cell(q, p, n);
		else
			q = csv_escape_to(q, p, n);
	}
	memcpy(q, sep, 64);
	q += o->nf - 1 - done;
	if (!tsv)
		*q++ = '\r';
	*q++ = '\n';
	b->n = (size_t)(q - b->p);
}

void
sift_recout_write(struct sift_recout *o, struct sift_obuf *b,
    const struct sift_rec *rec, const struct sift_recsrc *src)
{
	struct vals v;

	fill(o, rec, src, &v);
	if (o->fmt == SIFT_RECFMT_JSON)
		write_json(o, b, &v);
	else
		write_cells(o, b, &v);
}
