/* SPDX-License-Identifier: ISC */
/*
 * Exim log line parser: prefix, syslog wrappers, line types, host text and
 * field tags. One pass left to right, fixed-position checks and a dispatch
 * on the first bytes of the text; no allocation, no regex, the line is
 * never written to. See shared/reference/exim-log-format.md.
 */
#include "parse.h"

#include <stddef.h>
#include <string.h>
#include <time.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "tsshape.h"
#include "banned.h"

#define ISDIG(c)	SIFT_ISDIG(c)
#define LIT(s)		(s), (sizeof(s) - 1)
/* Does [p, e) start with the literal s? */
#define PFX(p, e, s)	pfx((p), (e), LIT(s))

static const char *const ev_names[SIFT_EV__COUNT] = {
	[SIFT_EV_OTHER] = "other",
	[SIFT_EV_ARRIVAL] = "arrival",
	[SIFT_EV_DELIVERY] = "delivery",
	[SIFT_EV_ADDITIONAL] = "additional",
	[SIFT_EV_CUTTHROUGH] = "cutthrough",
	[SIFT_EV_SUPPRESSED] = "suppressed",
	[SIFT_EV_DEFER] = "defer",
	[SIFT_EV_FAIL] = "fail",
	[SIFT_EV_COMPLETED] = "completed",
	[SIFT_EV_FROZEN] = "frozen",
	[SIFT_EV_REJECT] = "reject",
	[SIFT_EV_TEMPREJECT] = "tempreject",
	[SIFT_EV_AUTH_FAIL] = "auth_fail",
	[SIFT_EV_CONNECT] = "connect",
	[SIFT_EV_CLOSE] = "close",
	[SIFT_EV_LOST] = "lost",
	[SIFT_EV_REFUSED] = "refused",
	[SIFT_EV_DROP] = "drop",
	[SIFT_EV_PROTOCOL] = "protocol",
	[SIFT_EV_SYNC] = "sync",
	[SIFT_EV_TIMEOUT] = "timeout",
	[SIFT_EV_TLS_ERROR] = "tls_error",
	[SIFT_EV_NO_MAIL] = "no_mail",
	[SIFT_EV_INCOMPLETE] = "incomplete",
	[SIFT_EV_VERIFY_FAIL] = "verify_fail",
	[SIFT_EV_QUEUE_RUN] = "queue_run",
	[SIFT_EV_DAEMON] = "daemon",
	[SIFT_EV_PANIC] = "panic",
	[SIFT_EV_WARNING] = "warning",
	[SIFT_EV_ERROR] = "error",
	[SIFT_EV_ACL_LOG] = "acl_log",
	[SIFT_EV_CONTINUATION] = "continuation",
	[SIFT_EV_FAKEREJECT] = "fakereject",
	[SIFT_EV_HOST_LOOKUP] = "host_lookup",
	[SIFT_EV_UNFROZEN] = "unfrozen",
	[SIFT_EV_QUEUED] = "queued",
	[SIFT_EV_DISCARD] = "discard",
	[SIFT_EV_DNSLIST] = "dnslist",
	[SIFT_EV_DKIM] = "dkim",
	[SIFT_EV_VERIFY_DEFER] = "verify_defer",
	[SIFT_EV_LOCKED] = "locked",
	[SIFT_EV_ADMIN] = "admin",
};

static const char *const st_names[SIFT_ST__COUNT] = {
	[SIFT_ST_NONE] = "none",
	[SIFT_ST_CONNECT] = "connect",
	[SIFT_ST_HELO] = "helo",
	[SIFT_ST_MAIL] = "mail",
	[SIFT_ST_RCPT] = "rcpt",
	[SIFT_ST_DATA] = "data",
	[SIFT_ST_AUTH] = "auth",
	[SIFT_ST_STARTTLS] = "starttls",
	[SIFT_ST_VRFY] = "vrfy",
	[SIFT_ST_EXPN] = "expn",
	[SIFT_ST_ETRN] = "etrn",
	[SIFT_ST_NOTQUIT] = "notquit",
	[SIFT_ST_ATRN] = "atrn",
	[SIFT_ST_WELLKNOWN] = "wellknown",
	[SIFT_ST_XCLIENT] = "xclient",
};

const char *
sift_event_name(enum sift_event ev)
{
	if ((unsigned)ev >= SIFT_EV__COUNT || ev_names[ev] == NULL)
		return "?";
	return ev_names[ev];
}

int
sift_event_from_name(const char *name, size_t n)
{
	for (int i = 0; i < SIFT_EV__COUNT; i++)
		if (strlen(ev_names[i]) == n && memcmp(ev_names[i], name, n) == 0)
			return i;
	return -1;
}

const char *
sift_stage_name(enum sift_stage st)
{
	if ((unsigned)st >= SIFT_ST__COUNT || st_names[st] == NULL)
		return "?";
	return st_names[st];
}

int
sift_stage_from_name(const char *name, size_t n)
{
	for (int i = 0; i < SIFT_ST__COUNT; i++)
		if (strlen(st_names[i]) == n && memcmp(st_names[i], name, n) == 0)
			return i;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */

/*
 * Does [p, e) start with s[0..n)? Up to 16 bytes by two overlapping
 * word compares (n is a constant once inlined), longer ones by memcmp().
 */
static inline bool
pfx(const char *p, const char *e, const char *s, size_t n)
{
	uint64_t a, b, c, d;
	uint32_t a4, b4, c4, d4;

	if ((size_t)(e - p) < n)
		return false;
	if (n >= 8 && n <= 16) {
		memcpy(&a, p, 8);
		memcpy(&b, s, 8);
		memcpy(&c, p + n - 8, 8);
		memcpy(&d, s + n - 8, 8);
		return ((a ^ b) | (c ^ d)) == 0;
	}
	if (n >= 4 && n < 8) {
		memcpy(&a4, p, 4);
		memcpy(&b4, s, 4);
		memcpy(&c4, p + n - 4, 4);
		memcpy(&d4, s + n - 4, 4);
		return ((a4 ^ b4) | (c4 ^ d4)) == 0;
	}
	return memcmp(p, s, n) == 0;
}

static inline struct sift_str
mkstr(const char *p, const char *e)
{
	struct sift_str s = { p, (size_t)(e - p) };

	return s;
}

/* Designated initialisers marking ASCII letters and digits (no locale). */
#define ALNUM_INIT \
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, \
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, \
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, \
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, \
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, \
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, \
	['y'] = 1, ['z'] = 1, \
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, \
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, \
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, \
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, \
	['Y'] = 1, ['Z'] = 1

/* ASCII letters and digits. */
static const unsigned char alnum_tab[256] = {
	ALNUM_INIT
};

static inline bool
isalnum_c(unsigned char c)
{
	return alnum_tab[c] != 0;
}

static inline const char *
find(const char *p, const char *e, const char *s, size_t n)
{
	if (p >= e)
		return NULL;
	return memmem(p, (size_t)(e - p), s, n);
}

static inline const char *
findc(const char *p, const char *e, int c)
{
	if (p >= e)
		return NULL;
	return memchr(p, c, (size_t)(e - p));
}

/* ": " in [p, e): the separator before free text. */
static inline const char *
find_colsp(const char *p, const char *e)
{
	while ((p = findc(p, e, ':')) != NULL) {
		if (p + 1 < e && p[1] == ' ')
			return p;
		p++;
	}
	return NULL;
}

/*
 * The first c in [p, e), or e: 16 bytes at a time while 16 are left (no
 * load past e), then a byte loop. Spans are short: no memchr() call.
 */
static inline const char *
scan_to(const char *p, const char *e, char c)
{
#ifdef __SSE2__
	const __m128i cc = _mm_set1_epi8(c);
	unsigned m;

	while (e - p >= 16) {
		m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(
		    (const __m128i *)(const void *)p), cc));
		if (m != 0)
			return p + __builtin_ctz(m);
		p += 16;
	}
#endif
	while (p < e && *p != c)
		p++;
	return p;
}

/* A byte in a short span: a plain loop beats a memchr() call. */
static inline const char *
findc_short(const char *p, const char *e, char c)
{
	p = scan_to(p, e, c);
	return p < e ? p : NULL;
}

#ifdef __SSE2__
/*
 * Dotted quad in p[0..n) (7 <= n <= 15) with p[0..16) readable: digits and
 * exactly three dots, octets of 1 to 3 digits without a leading zero, each
 * up to 255. False for anything else (the byte loop then decides).
 */
static inline bool
ipv4_sse(const char *p, unsigned n, struct sift_addr *a)
{
	const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
	const unsigned len = (1U << n) - 1;
	unsigned dig, dots, at[5], l, s, v, v1, v2, v3, m2, m3, bad = 0;
	unsigned char d[16];
	uint32_t addr = 0;

	dig = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(
	    _mm_sub_epi8(x, _mm_set1_epi8('0')), _mm_set1_epi8(9)),
	    _mm_sub_epi8(x, _mm_set1_epi8('0')))) & len;
	dots = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x,
	    _mm_set1_epi8('.'))) & len;
	if ((dig | dots) != len || __builtin_popcount(dots) != 3)
		return false;
	_mm_storeu_si128((__m128i *)(void *)d, _mm_sub_epi8(x,
	    _mm_set1_epi8('0')));
	/* the octets start after -1 and each dot, end at a dot or n */
	at[0] = (unsigned)-1;
	at[1] = (unsigned)__builtin_ctz(dots);
	dots &= dots - 1;
	at[2] = (unsigned)__builtin_ctz(dots);
	dots &= dots - 1;
	at[3] = (unsigned)__builtin_ctz(dots);
	at[4] = n;
	/* the checks gathered, and the values chosen by masks: no branch */
	for (int k = 0; k < 4; k++) {
		s = at[k] + 1;
		l = at[k + 1] - s;
		bad |= (l - 1 > 2) | ((l > 1) & (d[s & 15] == 0));
		v1 = d[s & 15];
		v2 = v1 * 10 + d[(s + 1) & 15];
		v3 = v2 * 10 + d[(s + 2) & 15];
		m2 = 0U - (unsigned)(l >= 2);
		m3 = 0U - (unsigned)(l >= 3);
		v = (v1 & ~m2) | (v2 & m2 & ~m3) | (v3 & m3);
		bad |= v > 255;
		addr = addr << 8 | v;
	}
	if (bad)
		return false;
	sift_addr_from_v4(a, addr);
	return true;
}
#endif

/*
 * Dotted-quad IPv4 of exactly [p, e), fast path before sift_addr_parse;
 * the bytes up to lim may be read.
 * Octets of 1 to 3 digits, no leading zero, each chosen without a branch
 * on its length (the lengths are random).
 */
static bool
ipv4_fast(const char *p, const char *e, const char *lim, struct sift_addr *a)
{
	uint32_t v = 0;
	unsigned d0, d1, d2, part, one, two;

#ifdef __SSE2__
	/* 16 bytes readable before lim: no branch per octet */
	if (lim - p >= 16 && e - p >= 7 && e - p <= 15 &&
	    ipv4_sse(p, (unsigned)(e - p), a))
		return true;
#else
	(void)lim;
#endif

	for (int k = 0; k < 4; k++) {
		if (p >= e || (d0 = (unsigned)(unsigned char)*p - '0') > 9)
			return false;
		d1 = p + 1 < e ? (unsigned)(unsigned char)p[1] - '0' : 10;
		d2 = p + 2 < e ? (unsigned)(unsigned char)p[2] - '0' : 10;
		one = d1 <= 9;
		two = one & (d2 <= 9);
		part = one ? d0 * 10 + d1 : d0;
		part = two ? part * 10 + d2 : part;
		if (part > 255 || (one && d0 == 0))
			return false;
		p += 1 + one + two;
		v = v << 8 | part;
		if (k < 3) {
			if (p >= e || *p != '.')
				return false;
			p++;
		}
	}
	if (p != e)
		return false;
	sift_addr_from_v4(a, v);
	return true;
}

/*
 * IPv6 of exactly [p, e) in hex groups (at most one "::"), fast path
 * before sift_addr_parse(); false for anything else (embedded IPv4, zone,
 * malformed), which the slow path then decides. Same result as it.
 */
static bool
ipv6_fast(const char *p, const char *e, struct sift_addr *a)
{
	unsigned g[8], v;
	int ng = 0, gap = -1, nd, h, k;

	if (e - p < 2 || e - p > 39)
		return false;
	if (*p == ':') {
		if (p[1] != ':')
			return false;
		gap = 0;
		p += 2;
	}
	while (p < e) {
		v = 0;
		for (nd = 0; p < e && nd < 5 &&
		    (h = sift_hexval(*p)) >= 0; nd++) {
			v = v << 4 | (unsigned)h;
			p++;
		}
		if (nd == 0 || nd > 4 || ng >= 8)
			return false;
		g[ng++] = v;
		if (p == e)
			break;
		if (*p++ != ':' || p == e)
			return false;
		if (*p == ':') {
			if (gap >= 0)
				return false;
			gap = ng;
			p++;
		}
	}
	if (gap < 0 ? ng != 8 : ng > 7)
		return false;
	memset(a->b, 0, sizeof(a->b));
	for (k = 0; k < ng; k++) {
		/* the groups after "::" go to the end */
		int at = gap >= 0 && k >= gap ? 8 - (ng - k) : k;

		a->b[2 * at] = (uint8_t)(g[k] >> 8);
		a->b[2 * at + 1] = (uint8_t)g[k];
	}
	a->family = 6;
	if (a->b[10] == 0xff && a->b[11] == 0xff) {
		for (k = 0; k < 10 && a->b[k] == 0; k++)
			continue;
		if (k == 10)
			a->family = 4;	/* v4-mapped, as sift_addr_parse() */
	}
	return true;
}

/* End of the space-delimited token at p. */
static inline const char *
tokend(const char *p, const char *e)
{
	/* Tokens are short: no memchr() call. */
	return scan_to(p, e, ' ');
}

/* Skip one space if there is one. */
static inline const char *
sp(const char *p, const char *e)
{
	return p < e && *p == ' ' ? p + 1 : p;
}

static int
num(const char *p, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (p[i] - '0');
	return v;
}

static bool
alldig(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!ISDIG(p[i]))
			return false;
	return n > 0;
}

static void
add_tag(struct sift_rec *rec, const char *kp, size_t kn, const char *vp,
    size_t vn)
{
	struct sift_kv *kv;

	if (rec->ntags >= SIFT_REC_MAXTAGS) {
		rec->flags |= SIFT_REC_TAGS_FULL;
		return;
	}
	kv = &rec->tags[rec->ntags++];
	kv->key.p = kp;
	kv->key.n = kn;
	kv->val.p = vp;
	kv->val.n = vn;
}

/* Strip <> around an address. */
static struct sift_str
unangle(const char *p, const char *e)
{
	if (e - p >= 2 && *p == '<' && e[-1] == '>')
		return mkstr(p + 1, e - 1);
	return mkstr(p, e);
}

/* ------------------------------------------------------------------ */
/* Prefix                                                               */

struct tsparts {
	int64_t	wall;
	int	ms;
	int	off;
	bool	has_off;
	bool	valid;
};

static _Thread_local struct {
	char	ymd[10];
	int64_t	days;
	bool	ok;
} date_cache;

#ifdef __SSE2__
/* Bit per ASCII letter or digit of x. */
static inline unsigned
alnum16(__m128i x)
{
	return sift_in_range16(x, '0', '9') | sift_in_range16(x, 'A', 'Z') |
	    sift_in_range16(x, 'a', 'z');
}
#endif

/* The last stamp that passed sift_ts_shape(), and its time of day. */
static _Thread_local struct {
	char	s[19];
	int	h, mi, sec;
	bool	ok;
} stamp_cache;

/* Are p[0..19) and q[0..19) the same bytes? Three word compares. */
static inline bool
same19(const char *p, const char *q)
{
	uint64_t a, b, c, x, y, z;

	memcpy(&a, p, 8);
	memcpy(&b, p + 8, 8);
	memcpy(&c, p + 11, 8);
	memcpy(&x, q, 8);
	memcpy(&y, q + 8, 8);
	memcpy(&z, q + 11, 8);
	return ((a ^ x) | (b ^ y) | (c ^ z)) == 0;
}

/*
 * Exim timestamp "YYYY-MM-DD HH:MM:SS[.mmm][ +hhmm]" at p, by shape.
 * Returns its length (19..29), or 0.
 */
static size_t
exim_ts(const char *p, const char *e, struct tsparts *tp)
{
	size_t n = (size_t)(e - p), l = 19;
	int y, mo, d, h, mi, s;
	bool offok = true;

	if (n < 19)
		return 0;
	/* Consecutive lines often share the second: compare, no parse. */
	if (stamp_cache.ok && same19(p, stamp_cache.s)) {
		h = stamp_cache.h;
		mi = stamp_cache.mi;
		s = stamp_cache.sec;
	} else {
		if (!sift_ts_shape(p))
			return 0;
		h = num(p + 11, 2);
		mi = num(p + 14, 2);
		s = num(p + 17, 2);
		memcpy(stamp_cache.s, p, 19);
		stamp_cache.h = h;
		stamp_cache.mi = mi;
		stamp_cache.sec = s;
		stamp_cache.ok = true;
	}
	tp->ms = -1;
	tp->has_off = false;
	tp->off = 0;
	if (n >= l + 4 && p[l] == '.' && alldig(p + l + 1, 3)) {
		tp->ms = num(p + l + 1, 3);
		l += 4;
	}
	if (n >= l + 6 && p[l] == ' ' && (p[l + 1] == '+' ||
	    p[l + 1] == '-') && alldig(p + l + 2, 4) &&
	    (n == l + 6 || p[l + 6] == ' ')) {
		tp->off = num(p + l + 2, 2) * 60 + num(p + l + 4, 2);
		/* No zone is a day or more off UTC: +9959 is no time. */
		offok = num(p + l + 2, 2) <= 23 && num(p + l + 4, 2) <= 59;
		if (p[l + 1] == '-')
			tp->off = -tp->off;
		tp->has_off = true;
		l += 6;
	}
	if (n > l && p[l] != ' ')
		return 0;
	/* Consecutive lines share the date: cache its day number. */
	if (!pfx(p, e, date_cache.ymd, 10)) {
		y = num(p, 4);
		mo = num(p + 5, 2);
		d = num(p + 8, 2);
		memcpy(date_cache.ymd, p, 10);
		date_cache.days = sift_days_from_civil(y, mo, d);
		date_cache.ok = mo >= 1 && mo <= 12 && d >= 1 && d <= 31;
	}
	tp->valid = date_cache.ok && h <= 24 && mi <= 59 && s <= 60 && offok;
	tp->wall = date_cache.days * 86400 + h * 3600 + mi * 60 + s;
	return l;
}

/* Message id shape (16 or 23 characters) at p, followed by space or end. */
static size_t
msgid_len(const char *p, const char *e)
{
	size_t n = (size_t)(e - p), i;

#ifdef __SSE2__
	if (n >= 23) {
		/* 16 bytes at p, 16 at p + 7: letters, digits and dashes */
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i y = _mm_loadu_si128((const __m128i *)(const void *)
		    (p + 7));
		unsigned ax = alnum16(x), dx = (unsigned)_mm_movemask_epi8(
		    _mm_cmpeq_epi8(x, _mm_set1_epi8('-')));
		unsigned ay = alnum16(y), dy = (unsigned)_mm_movemask_epi8(
		    _mm_cmpeq_epi8(y, _mm_set1_epi8('-')));

		/* old: dashes at 6 and 13, alnum elsewhere in [0, 16) */
		if ((ax | (dx & 0x2040)) == 0xffff && (dx & 0x2040) == 0x2040)
			return p[16] == ' ' ? 16 : 0;
		/* new: dashes at 6 and 18 (11 in y), alnum elsewhere */
		if ((ax | (dx & 0x0040)) == 0xffff && (dx & 0x0040) &&
		    (ay | (dy & 0x0800)) == 0xffff && (dy & 0x0800))
			return n == 23 || p[23] == ' ' ? 23 : 0;
		return 0;
	}
#endif
	if (n < 16 || p[6] != '-')
		return 0;
	for (i = 0; i < 6; i++)
		if (!isalnum_c((unsigned char)p[i]))
			return 0;
	if (p[13] == '-') {
		for (i = 7; i < 13; i++)
			if (!isalnum_c((unsigned char)p[i]))
				return 0;
		if (!isalnum_c((unsigned char)p[14]) ||
		    !isalnum_c((unsigned char)p[15]) ||
		    (n > 16 && p[16] != ' '))
			return 0;
		return 16;
	}
	if (n < 23 || p[18] != '-')
		return 0;
	for (i = 7; i < 18; i++)
		if (!isalnum_c((unsigned char)p[i]))
			return 0;
	for (i = 19; i < 23; i++)
		if (!isalnum_c((unsigned char)p[i]))
			return 0;
	if (n > 23 && p[23] != ' ')
		return 0;
	return 23;
}

/* "[digits] " at p: sets pid, returns the length consumed or 0. */
static size_t
pid_part(const char *p, const char *e, int64_t *pid)
{
	size_t i = 1;
	int64_t v = 0;

	if (p >= e || *p != '[')
		return 0;
	while (p + i < e && ISDIG(p[i]) && i < 19) {
		v = v * 10 + (p[i] - '0');
		i++;
	}
	if (i == 1 || p + i + 1 >= e + 1 || p + i >= e || p[i] != ']')
		return 0;
	if (p + i + 1 < e && p[i + 1] != ' ')
		return 0;
	*pid = v;
	return p + i + 1 < e ? i + 2 : i + 1;
}

/* After the timestamp: optional "[pid] " and message id. */
static const char *
pid_and_id(struct sift_rec *rec, const char *p, const char *e)
{
	size_t l;
	int64_t pid;

	if ((l = pid_part(p, e, &pid)) > 0) {
		rec->pid = pid;
		p += l;
	}
	if ((l = msgid_len(p, e)) > 0) {
		rec->msgid = mkstr(p, p + l);
		p = sp(p + l, e);
	}
	return p;
}

static const char *const months = "JanFebMarAprMayJunJulAugSepOctNovDec";

static int
month_of(const char *p)
{
	for (int i = 0; i < 12; i++)
		if (memcmp(months + 3 * i, p, 3) == 0)
			return i + 1;
	return 0;
}

/* RFC 3339 / ISO 8601 "YYYY-MM-DDTHH:MM:SS[.f][Z|+hh:mm|+hhmm]". */
static size_t
iso_ts(const char *p, const char *e, struct tsparts *tp)
{
	size_t n = (size_t)(e - p), l = 19;
	int sign;

	if (n < 20 || !ISDIG(p[0]) || !ISDIG(p[1]) || !ISDIG(p[2]) ||
	    !ISDIG(p[3]) || p[4] != '-' || !ISDIG(p[5]) || !ISDIG(p[6]) ||
	    p[7] != '-' || !ISDIG(p[8]) || !ISDIG(p[9]) || p[10] != 'T' ||
	    !ISDIG(p[11]) || !ISDIG(p[12]) || p[13] != ':' ||
	    !ISDIG(p[14]) || !ISDIG(p[15]) || p[16] != ':' ||
	    !ISDIG(p[17]) || !ISDIG(p[18]))
		return 0;
	tp->ms = -1;
	tp->wall = sift_tstamp_wall(num(p, 4), num(p + 5, 2), num(p + 8, 2),
	    num(p + 11, 2), num(p + 14, 2), num(p + 17, 2));
	/* The same ranges as exim_ts(): a syslog header is text too. */
	tp->valid = num(p + 5, 2) >= 1 && num(p + 5, 2) <= 12 &&
	    num(p + 8, 2) >= 1 && num(p + 8, 2) <= 31 &&
	    num(p + 11, 2) <= 24 && num(p + 14, 2) <= 59 &&
	    num(p + 17, 2) <= 60;
	if (p[l] == '.') {
		size_t f = l + 1;

		while (f < n && ISDIG(p[f]))
			f++;
		if (f - l - 1 >= 3)
			tp->ms = num(p + l + 1, 3);
		l = f;
	}
	tp->has_off = false;
	tp->off = 0;
	if (l < n && p[l] == 'Z') {
		tp->has_off = true;
		l++;
	} else if (l + 5 <= n && (p[l] == '+' || p[l] == '-')) {
		sign = p[l] == '-' ? -1 : 1;
		if (l + 6 <= n && ISDIG(p[l + 1]) && ISDIG(p[l + 2]) &&
		    p[l + 3] == ':' && ISDIG(p[l + 4]) && ISDIG(p[l + 5])) {
			tp->off = sign * (num(p + l + 1, 2) * 60 +
			    num(p + l + 4, 2));
			if (num(p + l + 1, 2) > 23 || num(p + l + 4, 2) > 59)
				tp->valid = false;
			l += 6;
		} else if (alldig(p + l + 1, 4)) {
			tp->off = sign * (num(p + l + 1, 2) * 60 +
			    num(p + l + 3, 2));
			if (num(p + l + 1, 2) > 23 || num(p + l + 3, 2) > 59)
				tp->valid = false;
			l += 5;
		} else
			return 0;
		tp->has_off = true;
	}
	if (l >= n || p[l] != ' ')
		return 0;
	return l;
}

/* "host tag[pid]: " after a syslog timestamp; returns the message start. */
static const char *
syslog_tail(struct sift_rec *rec, const char *p, const char *e, bool *exim)
{
	const char *h = p, *q, *t;

	q = tokend(p, e);
	if (q == e || q == h)
		return NULL;
	rec->syslog_host = mkstr(h, q);
	t = q + 1;
	q = t;
	while (q < e && *q != '[' && *q != ':' && *q != ' ')
		q++;
	if (q == t || q >= e)
		return NULL;
	*exim = q - t >= 4 && memcmp(t, "exim", 4) == 0;
	if (*q == '[') {
		int64_t v = 0;
		const char *d = ++q;

		while (q < e && ISDIG(*q) && q - d < 18)
			v = v * 10 + (*q++ - '0');
		if (q >= e || *q != ']' || q == d)
			return NULL;
		rec->pid = v;
		q++;
	}
	if (q >= e || *q != ':')
		return NULL;
	q++;
	return sp(q, e);
}

/* RFC 5424: "<PRI>1 TS HOST APP PROCID MSGID SD MSG". */
static const char *
rfc5424(struct sift_rec *rec, const char *p, const char *e,
    struct tsparts *tp, bool *exim)
{
	const char *q = p + 1, *f[4];
	int pri = 0;
	size_t l;

	while (q < e && ISDIG(*q) && q - p < 5)
		pri = pri * 10 + (*q++ - '0');
	if (q == p + 1 || q >= e || *q != '>')
		return NULL;
	q++;
	if (q >= e || !ISDIG(*q))
		return NULL;
	while (q < e && ISDIG(*q))
		q++;
	if (q >= e || *q != ' ')
		return NULL;
	q++;
	if (q < e && *q == '-') {
		tp->valid = false;
		q++;
		if (q >= e || *q != ' ')
			return NULL;
	} else if ((l = iso_ts(q, e, tp)) > 0)
		q += l;
	else
		return NULL;
	q++;
	for (int i = 0; i < 4; i++) {	/* host, app, procid, msgid */
		f[i] = q;
		q = tokend(q, e);
		if (q >= e)
			return NULL;
		q++;
	}
	rec->syslog_pri = pri;
	rec->syslog_host = mkstr(f[0], f[1] - 1);
	*exim = f[2] - f[1] > 4 && memcmp(f[1], "exim", 4) == 0;
	if (alldig(f[2], (size_t)(f[3] - 1 - f[2])) && f[3] - 1 - f[2] < 19) {
		rec->pid = 0;
		for (const char *d = f[2]; d < f[3] - 1; d++)
			rec->pid = rec->pid * 10 + (*d - '0');
	}
	/* Structured data: "-" or one or more [...] elements. */
	if (q < e && *q == '-')
		q++;
	else {
		while (q < e && *q == '[') {
			q++;
			while (q < e && *q != ']') {
				if (*q == '\\' && q + 1 < e)
					q++;
				q++;
			}
			if (q >= e)
				return NULL;
			q++;
		}
	}
	q = sp(q, e);
	if (PFX(q, e, "\xef\xbb\xbf"))
		q += 3;
	/* rsyslog's SyslogProtocol23Format leaves the legacy leading space. */
	return sp(q, e);
}

/* The syslog frame of a line, if any; returns the message start or NULL. */
static const char *
syslog_frame(struct sift_rec *rec, const char *p, const char *e,
    struct tsparts *tp, const struct sift_parse_opts *o, bool *exim)
{
	size_t n = (size_t)(e - p), l;
	int mo, d;
	int64_t y, ref;

	if (n < 16)
		return NULL;
	if (*p == '<')
		return rfc5424(rec, p, e, tp, exim);
	if (ISDIG(p[0])) {
		if ((l = iso_ts(p, e, tp)) == 0)
			return NULL;
		return syslog_tail(rec, p + l + 1, e, exim);
	}
	/* "Mmm dd HH:MM:SS " */
	if ((mo = month_of(p)) == 0 || p[3] != ' ' ||
	    !(ISDIG(p[4]) || p[4] == ' ') || !ISDIG(p[5]) || p[6] != ' ' ||
	    !ISDIG(p[7]) || !ISDIG(p[8]) || p[9] != ':' || !ISDIG(p[10]) ||
	    !ISDIG(p[11]) || p[12] != ':' || !ISDIG(p[13]) ||
	    !ISDIG(p[14]) || p[15] != ' ')
		return NULL;
	d = (p[4] == ' ' ? 0 : p[4] - '0') * 10 + (p[5] - '0');
	if (o != NULL && o->year != 0)
		y = o->year;
	else {
		ref = o != NULL && o->ref_time != 0 ? o->ref_time :
		    (int64_t)time(NULL);
		y = sift_tstamp_infer_year(mo, d, num(p + 7, 2),
		    num(p + 10, 2), num(p + 13, 2), ref,
		    o != NULL && o->fixed_tz ? o->tzoff :
		    sift_tstamp_localoff(ref));
	}
	tp->wall = sift_tstamp_wall(y, mo, d, num(p + 7, 2), num(p + 10, 2),
	    num(p + 13, 2));
	tp->ms = -1;
	tp->has_off = false;
	tp->off = 0;
	tp->valid = d >= 1 && d <= 31;
	return syslog_tail(rec, p + 16, e, exim);
}

/* "[n/m] " or "[n\m] " at p. */
static const char *
fragment(struct sift_rec *rec, const char *p, const char *e)
{
	const char *q = p + 1;
	int a = 0, b = 0;
	char sep;

	if (p >= e || *p != '[')
		return p;
	while (q < e && ISDIG(*q) && a < 100000)
		a = a * 10 + (*q++ - '0');
	if (q >= e || q == p + 1 || (*q != '/' && *q != '\\'))
		return p;
	sep = *q++;
	if (q >= e || !ISDIG(*q))
		return p;
	while (q < e && ISDIG(*q) && b < 100000)
		b = b * 10 + (*q++ - '0');
	if (q >= e || *q != ']')
		return p;
	q++;
	rec->frag_n = a;
	rec->frag_m = b;
	rec->frag_more = sep == '/' && a < b;
	rec->flags |= SIFT_REC_FRAGMENT;
	return sp(q, e);
}

/* A line that belongs to the entry before (no prefix of its own). */
static bool
is_continuation(const char *p, const char *e, bool syslog)
{
	if (p >= e)
		return true;
	if (*p == ' ' || *p == '\t')
		return true;
	if (syslog && PFX(p, e, "#011"))
		return true;
	if (*p == 'E')
		return PFX(p, e, "Envelope-from:") || PFX(p, e, "Envelope-to:");
	if (PFX(p, e, "*** truncated ***"))
		return true;
	/*
	 * Rejectlog header: type character, space, field name (usually a
	 * colon follows; a header cut by the 8 KB limit may lack it).
	 */
	if (e - p >= 3 && p[1] == ' ' &&
	    ((*p >= 'A' && *p <= 'Z') || *p == '*') && p[2] > ' ' &&
	    p[2] <= '~')
		return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* Host text                                                            */

/* Bytes allowed inside the host's [...]: address-like text. */
static const unsigned char br_ok[256] = {
	ALNUM_INIT,
	['.'] = 1, [':'] = 1, ['%'] = 1, ['_'] = 1, ['-'] = 1,
};

#define brchar(c)	(br_ok[(unsigned char)(c)] != 0)

/* The first byte in [p, e) that is not brchar(), or e. */
static inline const char *
br_scan(const char *p, const char *e)
{
#ifdef __SSE2__
	__m128i x;
	unsigned ok;

	while (e - p >= 16) {
		x = _mm_loadu_si128((const __m128i *)(const void *)p);
		ok = sift_in_range16(x, '0', ':') | sift_in_range16(x, 'A', 'Z') |
		    sift_in_range16(x, 'a', 'z') | sift_in_range16(x, '-', '.') |
		    (unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_cmpeq_epi8(x, _mm_set1_epi8('_')),
		    _mm_cmpeq_epi8(x, _mm_set1_epi8('%'))));
		if (ok != 0xffff)
			return p + __builtin_ctz(~ok);
		p += 16;
	}
#endif
	while (p < e && brchar((unsigned char)*p))
		p++;
	return p;
}

/* "[x]" at p with an address-like x, followed by end, ' ', ':' or '*'. */
static const char *
bracket_end(const char *p, const char *e)
{
	const char *q = p + 1;

	if (p >= e || *p != '[')
		return NULL;
	q = br_scan(q, e);
	if (q - p > 70 || q >= e || *q != ']' || q == p + 1)
		return NULL;
	q++;
	if (q < e && *q != ' ' && *q != ':' && *q != '*' && *q != ',' &&
	    *q != ')')
		return NULL;
	return q;
}

/*
 * Host text as Exim builds it: [name ][(helo) ][ip][:port][*], or a bare
 * name (local deliveries, need_ip false). The HELO ends at the first ") ["
 * that is followed by an address-shaped bracket: Exim refuses HELO names
 * with spaces unless helo_accept_junk_hosts allows them, so an attacker's
 * "[8.8.8.8]" can only sit inside the parentheses. Returns the end of the
 * host text, or NULL (nothing recorded) when it has no such shape.
 */
/*
 * Where the next HELO end may be found at the earliest (hostid_line()'s
 * retries), else NULL.
 */
static _Thread_local const char *helo_min;

static const char *
parse_host(struct sift_rec *rec, const char *p, const char *e, bool need_ip)
{
	const char *q, *c, *be, *name = NULL, *namee = NULL;
	const char *helo = NULL, *heloe = NULL, *ds = NULL;

	if (p >= e)
		return NULL;
	if (*p != '(' && *p != '[') {
		q = tokend(p, e);
		name = p;
		namee = q;
		if (q + 1 < e && (q[1] == '(' || q[1] == '['))
			p = q + 1;
		else if (PFX(q, e, " DS [")) {
			ds = q + 1;
			p = q + 4;
		} else {
			if (need_ip)
				return NULL;
			rec->host = mkstr(name, namee);
			return q;
		}
	}
	if (*p == '(') {
		for (c = p + 1;; c++) {
			if (helo_min != NULL && c < helo_min && helo_min <= e)
				c = helo_min;
			c = scan_to(c, e, ')');
			if (e - c < 3)
				return NULL;
			if (c[1] == ' ' && c[2] == '[' &&
			    (be = bracket_end(c + 2, e)) != NULL)
				break;
		}
		helo = p + 1;
		heloe = c;
		p = c + 2;
	} else if ((be = bracket_end(p, e)) == NULL)
		return NULL;
	rec->addr_text = mkstr(p + 1, be - 1);
	if (!ipv4_fast(p + 1, be - 1, e, &rec->ip) &&
	    !ipv6_fast(p + 1, be - 1, &rec->ip) &&
	    sift_addr_parse(p + 1, (size_t)(be - 2 - p), &rec->ip) != 0)
		rec->ip.family = 0;
	p = be;
	if (p + 1 < e && *p == ':' && isalnum_c((unsigned char)p[1])) {
		q = ++p;
		while (p < e && (isalnum_c((unsigned char)*p) || *p == '_'))
			p++;
		if (alldig(q, (size_t)(p - q)) && p - q <= 5 &&
		    num(q, (size_t)(p - q)) <= 65535)
			rec->port = num(q, (size_t)(p - q));
	}
	if (p < e && *p == '*')
		p++;
	if (name != NULL)
		rec->host = mkstr(name, namee);
	if (helo != NULL)
		rec->helo = mkstr(helo, heloe);
	if (ds != NULL)
		add_tag(rec, ds, 2, ds + 2, 0);
	return p;
}

/* ------------------------------------------------------------------ */
/* Tags                                                                 */

static bool
bare_flag(const char *p, size_t n)
{
	switch (n) {
	case 1:
		return *p == 'L' || *p == 'K';
	case 2:
		return memcmp(p, "DS", 2) == 0 || (*p == 'L' &&
		    (p[1] == '-' || p[1] == '.' || p[1] == '*'));
	case 3:
		return memcmp(p, "TFO", 3) == 0 || memcmp(p, "ARC", 3) == 0 ||
		    memcmp(p, "SPF", 3) == 0 || memcmp(p, "L.-", 3) == 0 ||
		    memcmp(p, "L.*", 3) == 0;
	case 4:
		return memcmp(p, "TFO*", 4) == 0 || memcmp(p, "PRDR", 4) == 0;
	case 5:
		return memcmp(p, "DMARC", 5) == 0;
	default:
		return false;
	}
}

/* End of an address with a quoted local part ("a b"@c) starting at p. */
static const char *
addr_end(const char *p, const char *e)
{
	const char *c = p + 1;

	if (p >= e || *p != '"')
		return tokend(p, e);
	while (c < e && *c != '"') {
		if (*c == '\\' && c + 1 < e)
			c++;
		c++;
	}
	return tokend(c < e ? c : p, e);
}

/* End of a quoted value starting at the opening quote q. */
static const char *
quoted_end(const char *q, const char *e)
{
	const char *c = q + 1;

	for (;;) {
		if ((c = findc(c, e, '"')) == NULL)
			return NULL;
		/* An escaped quote: odd number of backslashes before. */
		{
			const char *b = c;
			size_t nb = 0;

			while (b > q + 1 && b[-1] == '\\') {
				b--;
				nb++;
			}
			if (nb % 2 == 0 && (c + 1 == e || c[1] == ' ' ||
			    c[1] == ':' || c[1] == ','))
				return c;
		}
		c++;
	}
}

/* One-letter tags with a typed field (F=, A=, U=): see typed_tag(). */
#define TYPED(c)	((c) == 'F' || (c) == 'A' || (c) == 'U')

/* The one-letter tag just added at k fills its typed field, if empty. */
static void
typed_tag(struct sift_rec *rec, const char *k)
{
	struct sift_kv *kv;

	if (rec->ntags == 0 || (kv = &rec->tags[rec->ntags - 1])->key.p != k)
		return;		/* the tag table was full */
	if (*k == 'F' && sift_str_empty(rec->sender))
		rec->sender = kv->val;
	else if (*k == 'A' && sift_str_empty(rec->auth))
		rec->auth = kv->val;
	else if (*k == 'U' && sift_str_empty(rec->ident))
		rec->ident = kv->val;
}

/* Does what follows a closing quote at q look like Exim's own text? */
static bool
after_value_ok(const char *q, const char *e)
{
	const char *t, *te;

	if (q + 1 >= e || q[1] == ':' || q[1] == ',')
		return true;
	t = q + 2;
	te = tokend(t, e);
	for (const char *c = t; c < te && c - t < 10; c++)
		if (*c == '=')
			return c > t;
	return bare_flag(t, (size_t)(te - t)) || PFX(t, e, "rejected ") ||
	    PFX(t, e, "temporarily ") || PFX(t, e, "Warning: ") ||
	    PFX(t, e, "sender ") || PFX(t, e, "recipient ") ||
	    PFX(t, e, "incomplete ") || PFX(t, e, "dropped ") ||
	    PFX(t, e, "RCPT ") || PFX(t, e, "MAIL ") || PFX(t, e, "from ") ||
	    PFX(t, e, "for ");
}

/*
 * End of a DN="..." value whose first possible end is ve: string_printing
 * does not escape '"', so a certificate's DN can hold `" x`; take the
 * first closing quote that Exim's own text follows.
 */
static const char *
dn_end(const char *ve, const char *e)
{
	const char *c = ve;

	while (c != NULL && !after_value_ok(c, e))
		c = quoted_end(c, e);
	return c != NULL ? c : ve;
}

/*
 * End of a tag key at k: letters, digits and '*' (not first), at most 9
 * bytes; 16 at a time where 16 are left.
 */
static inline const char *
key_end(const char *k, const char *e)
{
	const char *q = k;

#ifdef __SSE2__
	if (e - k >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)k);
		unsigned ok = sift_in_range16(x, '0', '9') | sift_in_range16(x, 'A', 'Z') |
		    sift_in_range16(x, 'a', 'z') | ((unsigned)_mm_movemask_epi8(
		    _mm_cmpeq_epi8(x, _mm_set1_epi8('*'))) & ~1U);
		unsigned f = (unsigned)__builtin_ctz(~ok);

		return k + (f < 9 ? f : 9);
	}
#endif
	while (q < e && q - k < 9 && (isalnum_c((unsigned char)*q) ||
	    (*q == '*' && q > k)))
		q++;
	return q;
}

#define TS_COLON	0x01	/* stopped after a value ending in ':' */

/*
 * Consume KEY=value fields and bare flags from p (start of a token).
 * Returns the start of the first token that is not a tag (or e); *st gets
 * TS_COLON when a value ended with ':' (the free text follows).
 */
static const char *
scan_tags(struct sift_rec *rec, const char *p, const char *e, unsigned *st)
{
	const char *k, *v, *ve, *q;
	size_t kn;

	*st = 0;
	while (p < e) {
		k = p;
		q = key_end(p, e);
		if (q >= e || *q != '=' || q == k ||
		    !((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z'))) {
			ve = tokend(p, e);
			if (bare_flag(p, (size_t)(ve - p))) {
				add_tag(rec, p, (size_t)(ve - p), ve, 0);
				p = sp(ve, e);
				continue;
			}
			return p;
		}
		kn = (size_t)(q - k);
		v = q + 1;
		if (kn == 1 && *k == 'H') {
			if ((ve = parse_host(rec, v, e, false)) == NULL)
				ve = tokend(v, e);
			add_tag(rec, k, kn, v, (size_t)(ve - v));
			p = ve;
			if (p < e && *p == ':' && (p + 1 == e || p[1] == ' ')) {
				*st = TS_COLON;
				return sp(p + 1, e);
			}
			p = sp(p, e);
			continue;
		}
		if (v < e && *v == '"' && (ve = quoted_end(v, e)) != NULL) {
			/* DN="..." is not quote-escaped: find its real end. */
			if (kn == 2 && k[0] == 'D' && k[1] == 'N')
				ve = dn_end(ve, e);
			add_tag(rec, k, kn, v + 1, (size_t)(ve - v - 1));
			p = ve + 1;
		} else if (v < e && *v == '<' &&
		    (ve = findc_short(v, e, '>')) != NULL) {
			add_tag(rec, k, kn, v + 1, (size_t)(ve - v - 1));
			p = ve + 1;
		} else {
			ve = tokend(v, e);
			p = ve;
			if (ve > v && ve[-1] == ':') {
				add_tag(rec, k, kn, v, (size_t)(ve - 1 - v));
				if (kn == 1 && TYPED(*k))
					typed_tag(rec, k);
				*st = TS_COLON;
				return sp(p, e);
			}
			add_tag(rec, k, kn, v, (size_t)(ve - v));
		}
		if (kn == 1 && TYPED(*k))
			typed_tag(rec, k);
		if (p < e && *p == ':' && (p + 1 == e || p[1] == ' ')) {
			*st = TS_COLON;
			return sp(p + 1, e);
		}
		p = sp(p, e);
	}
	return p;
}

/* ------------------------------------------------------------------ */
/* Line types                                                           */

static enum sift_stage
stage_of(const char *w, const char *e)
{
	if (w >= e)
		return SIFT_ST_NONE;
	switch (*w) {
	case 'c':
		if (PFX(w, e, "connection"))
			return SIFT_ST_CONNECT;
		break;
	case 'E':
		if (PFX(w, e, "EHLO") || PFX(w, e, "EXPN"))
			return w[1] == 'H' ? SIFT_ST_HELO : SIFT_ST_EXPN;
		if (PFX(w, e, "ETRN"))
			return SIFT_ST_ETRN;
		break;
	case 'H':
		if (PFX(w, e, "HELO"))
			return SIFT_ST_HELO;
		break;
	case 'L':
		if (PFX(w, e, "LHLO"))
			return SIFT_ST_HELO;
		break;
	case 'M':
		if (PFX(w, e, "MAIL"))
			return SIFT_ST_MAIL;
		break;
	case 'R':
		if (PFX(w, e, "RCPT"))
			return SIFT_ST_RCPT;
		break;
	case 'D':
	case 'B':
		if (PFX(w, e, "DATA") || PFX(w, e, "BDAT") || PFX(w, e, "DKIM"))
			return SIFT_ST_DATA;
		break;
	case 'W':
		if (PFX(w, e, "WELLKNOWN"))
			return SIFT_ST_WELLKNOWN;
		break;
	case 'X':
		if (PFX(w, e, "XCLIENT"))
			return SIFT_ST_XCLIENT;
		break;
	case 'a':
		if (PFX(w, e, "after DATA"))
			return SIFT_ST_DATA;
		break;
	case 'd':
		if (PFX(w, e, "during MIME"))
			return SIFT_ST_DATA;
		break;
	case 'b':
		/* by local_scan(), by non-SMTP ACL */
		if (PFX(w, e, "by "))
			return SIFT_ST_DATA;
		break;
	case 'A':
		if (PFX(w, e, "AUTH"))
			return SIFT_ST_AUTH;
		if (PFX(w, e, "ATRN"))
			return SIFT_ST_ATRN;
		break;
	case 'S':
		if (PFX(w, e, "STARTTLS"))
			return SIFT_ST_STARTTLS;
		break;
	case 'V':
		if (PFX(w, e, "VRFY"))
			return SIFT_ST_VRFY;
		break;
	case 'Q':
		if (PFX(w, e, "QUIT"))
			return SIFT_ST_NOTQUIT;
		break;
	case 'N':
		if (PFX(w, e, "NOTQUIT"))
			return SIFT_ST_NOTQUIT;
		break;
	default:
		break;
	}
	return SIFT_ST_NONE;
}

/* Case-insensitive stage of an echoed SMTP command. */
static enum sift_stage
stage_of_cmd(struct sift_str c)
{
	char up[9];
	size_t i;

	for (i = 0; i < c.n && i < 8 && c.p[i] != ' ' && c.p[i] != ':'; i++)
		up[i] = (char)(c.p[i] >= 'a' && c.p[i] <= 'z' ?
		    c.p[i] - 32 : c.p[i]);
	up[i] = '\0';
	if (i == 4 || i == 8)
		return stage_of(up, up + i);
	return SIFT_ST_NONE;
}

/*
 * WHAT[: WHY] of "rejected WHAT": stage, recipient, and the reason after
 * the ": " that follows the (raw, attacker-chosen) argument.
 */
static void
rejected_what(struct sift_rec *rec, const char *w, const char *e,
    enum sift_event ev)
{
	const char *a, *ae, *r;

	rec->event = ev;
	rec->stage = stage_of(w, e);
	r = w;
	if (rec->stage == SIFT_ST_RCPT || rec->stage == SIFT_ST_MAIL ||
	    rec->stage == SIFT_ST_VRFY || rec->stage == SIFT_ST_EXPN) {
		a = sp(w + 4, e);
		if (a < e && *a == '<' && (ae = findc(a, e, '>')) != NULL)
			ae++;
		else if ((ae = find_colsp(a, e)) == NULL)
			ae = tokend(a, e);
		if (rec->stage == SIFT_ST_RCPT)
			rec->recipient = unangle(a, ae);
		else if (rec->stage == SIFT_ST_MAIL &&
		    sift_str_empty(rec->sender))
			rec->sender = unangle(a, ae);
		r = ae;
	} else if (rec->stage == SIFT_ST_CONNECT) {
		/* connection in "connect" ACL */
		if ((a = findc(w, e, '"')) != NULL &&
		    (ae = findc(a + 1, e, '"')) != NULL)
			r = ae;
	}
	if ((a = find_colsp(r, e)) != NULL)
		rec->reason = mkstr(a + 2, e);
	else if (r + 1 == e && *r == ':')
		rec->reason = mkstr(e, e);
}

/* Text after a host_and_ident part (H=... or U=... or F=...). */
static void
hostid_try(struct sift_rec *rec, const char *p, const char *e)
{
	unsigned st;
	const char *w, *q;

	w = scan_tags(rec, p, e, &st);
	if (st & TS_COLON) {
		/* "H=x [ip]: SMTP error from remote ..." (deliveries) */
		if (!sift_str_empty(rec->msgid)) {
			rec->event = SIFT_EV_ERROR;
			rec->reason = mkstr(w, e);
		}
		return;
	}
	switch (w < e ? *w : '\0') {
	case 'r':
		if (PFX(w, e, "rejected ")) {
			rejected_what(rec, w + 9, e, SIFT_EV_REJECT);
			return;
		}
		if (PFX(w, e, "recipient verify fail")) {
			rec->event = SIFT_EV_VERIFY_FAIL;
			goto verify;
		}
		if (PFX(w, e, "recipient verify defer")) {
			rec->event = SIFT_EV_VERIFY_DEFER;
			goto verify;
		}
		break;
	case 't':
		if (PFX(w, e, "temporarily rejected ")) {
			rejected_what(rec, w + 21, e, SIFT_EV_TEMPREJECT);
			return;
		}
		break;
	case 'W':
		if (PFX(w, e, "Warning: ")) {
			rec->event = SIFT_EV_ACL_LOG;
			rec->reason = mkstr(w + 9, e);
			return;
		}
		break;
	case 's':
		if (PFX(w, e, "sender verify fail")) {
			rec->event = SIFT_EV_VERIFY_FAIL;
			goto verify;
		}
		if (PFX(w, e, "sender verify defer")) {
			rec->event = SIFT_EV_VERIFY_DEFER;
			goto verify;
		}
		break;
	case 'i':
		if (PFX(w, e, "incomplete transaction (")) {
			rec->event = SIFT_EV_INCOMPLETE;
			q = findc(w + 24, e, ')');
			rec->reason = mkstr(w + 24, q != NULL ? q : e);
			if (q != NULL && PFX(q, e, ") from <") &&
			    (p = findc(q + 8, e, '>')) != NULL)
				rec->sender = mkstr(q + 8, p);
			if (q != NULL && (q = find(q, e, LIT(" for "))) != NULL)
				rec->recipient = mkstr(q + 5, tokend(q + 5, e));
			return;
		}
		break;
	case 'R':
	case 'M':
		if ((q = find(w, e, LIT(": discarded by "))) != NULL) {
			rec->event = SIFT_EV_DISCARD;
			rec->stage = stage_of(w, e);
			if (rec->stage == SIFT_ST_RCPT)
				rec->recipient = unangle(w + 5, q);
			rec->reason = mkstr(q + 2, e);
			return;
		}
		break;
	case 'd':
		if (PFX(w, e, "dropped by ")) {
			rec->event = SIFT_EV_REJECT;
			rec->stage = SIFT_ST_CONNECT;
			if ((q = find_colsp(w, e)) != NULL)
				rec->reason = mkstr(q + 2, e);
			return;
		}
		break;
	case 'T':
		if (PFX(w, e, "TLS error on connection")) {
			rec->event = SIFT_EV_ERROR;
			rec->reason = mkstr(w, e);
			return;
		}
		break;
	default:
		break;
	}
	/* Per-host delivery errors: "MSGID H=x [ip] Connection refused". */
	if (!sift_str_empty(rec->msgid) && w < e &&
	    sift_str_empty(rec->sender)) {
		rec->event = SIFT_EV_ERROR;
		rec->reason = mkstr(w, e);
	}
	return;
verify:
	if ((q = findc(w, e, '<')) != NULL && (p = findc(q, e, '>')) != NULL) {
		if (w[0] == 's')
			rec->sender = mkstr(q + 1, p);
		else
			rec->recipient = mkstr(q + 1, p);
		if (PFX(p + 1, e, ": "))
			rec->reason = mkstr(p + 3, e);
	}
}

/* Clear what a failed hostid_try() may have set. */
static void
hostid_reset(struct sift_rec *rec)
{
	rec->ntags = 0;
	rec->flags &= ~(unsigned)SIFT_REC_TAGS_FULL;
	rec->event = SIFT_EV_OTHER;
	rec->stage = SIFT_ST_NONE;
	memset(&rec->ip, 0, sizeof(rec->ip));
	rec->port = -1;
	rec->host = rec->helo = rec->ident = rec->sender = SIFT_STR_NULL;
	rec->recipient = rec->auth = rec->reason = SIFT_STR_NULL;
	rec->addr_text = rec->command = SIFT_STR_NULL;
}

/*
 * Text after a host_and_ident part (H=... or U=... or F=...). When no
 * Exim text follows the host, the HELO may have held ") [" itself (only
 * possible under helo_accept_junk_hosts): try the later ends of it.
 */
static void
hostid_line(struct sift_rec *rec, const char *p, const char *e)
{
	hostid_try(rec, p, e);
	if (rec->event != SIFT_EV_OTHER || rec->helo.p == NULL ||
	    !PFX(p, e, "H="))
		return;
	for (int i = 0; i < 8 && rec->helo.p != NULL; i++) {
		helo_min = rec->helo.p + rec->helo.n + 1;
		hostid_reset(rec);
		hostid_try(rec, p, e);
		helo_min = NULL;
		if (rec->event != SIFT_EV_OTHER)
			return;
	}
	hostid_reset(rec);
	hostid_try(rec, p, e);
}

/*
 * BARE host after a fixed text, then tags; returns the first word after
 * them (or NULL if no host shape was found).
 */
static const char *
bare_host(struct sift_rec *rec, const char *p, const char *e, unsigned *st)
{
	const char *q, *q2;

	*st = 0;
	if (PFX(p, e, "H="))
		p += 2;
	if ((q = parse_host(rec, p, e, true)) == NULL)
		return NULL;
	/*
	 * Exim closes the HELO with ") [ip]". A junk HELO (only under
	 * helo_accept_junk_hosts) may hold ") [8.8.8.8" itself: then Exim's
	 * own ")" follows the fake bracket. Try the later ends, as
	 * hostid_line() does for H= lines.
	 */
	for (int i = 0; i < 8 && q < e && *q == ')' && rec->helo.p != NULL;
	    i++) {
		struct sift_addr ip = rec->ip;
		struct sift_str at = rec->addr_text, h = rec->host;
		struct sift_str hl = rec->helo;
		int32_t port = rec->port;

		helo_min = rec->helo.p + rec->helo.n + 1;
		memset(&rec->ip, 0, sizeof(rec->ip));
		rec->port = -1;
		q2 = parse_host(rec, p, e, true);
		helo_min = NULL;
		if (q2 == NULL) {
			rec->ip = ip;
			rec->addr_text = at;
			rec->host = h;
			rec->helo = hl;
			rec->port = port;
			break;
		}
		q = q2;
	}
	if (q < e && *q == ':' && (q + 1 == e || q[1] == ' ')) {
		*st = TS_COLON;
		return sp(q + 1, e);
	}
	return scan_tags(rec, sp(q, e), e, st);
}

/* Delivery-side lines: "=> addr [(parent)] [<orig>] tags". */
static void
delivery_line(struct sift_rec *rec, const char *p, const char *e)
{
	const char *a = p, *ae, *q;
	unsigned st;

	ae = addr_end(p, e);
	p = sp(ae, e);
	if (ae > a && ae[-1] == ':' && rec->event == SIFT_EV_FAIL) {
		rec->recipient = mkstr(a, ae - 1);
		rec->reason = mkstr(p, e);
		return;
	}
	rec->recipient = mkstr(a, ae);
	/* (parent) and <original> */
	while (p < e && *p == '(' && (q = findc(p, e, ')')) != NULL) {
		if (q + 1 < e && q[1] == ':') {	/* blackhole (...): text */
			rec->reason = mkstr(sp(q + 2, e), e);
			return;
		}
		p = sp(q + 1, e);
	}
	if (p < e && *p == '<' && (q = findc(p, e, '>')) != NULL) {
		rec->recipient = mkstr(p + 1, q);
		p = q + 1;
		if (p < e && *p == ':' && rec->event == SIFT_EV_FAIL) {
			rec->reason = mkstr(sp(p + 1, e), e);
			return;
		}
		p = sp(p, e);
	}
	if (PFX(p, e, ": ")) {
		rec->reason = mkstr(p + 2, e);
		return;
	}
	q = scan_tags(rec, p, e, &st);
	if (st & TS_COLON) {
		rec->reason = mkstr(q, e);
		return;
	}
	if (PFX(q, e, ": ")) {
		rec->reason = mkstr(q + 2, e);
		return;
	}
	if (q < e)
		rec->reason = mkstr(q, e);
}

/* "<= sender tags [from <x>] [for a b c]" */
static void
arrival_line(struct sift_rec *rec, const char *p, const char *e)
{
	const char *se;
	unsigned st;

	se = addr_end(p, e);
	rec->sender = mkstr(p, se);
	p = sp(se, e);
	while (p < e) {
		p = scan_tags(rec, p, e, &st);
		if (p >= e)
			break;
		if (PFX(p, e, "from ")) {
			p = tokend(p + 5, e);
		} else if (PFX(p, e, "for ")) {
			rec->recipient = mkstr(p + 4, tokend(p + 4, e));
			break;
		} else
			p = tokend(p, e);
		p = sp(p, e);
	}
}

/* Is the byte at c preceded by an odd number of backslashes (from lo)? */
static bool
escaped(const char *lo, const char *c)
{
	size_t nb = 0;

	while (c > lo && c[-1] == '\\') {
		c--;
		nb++;
	}
	return nb % 2 == 1;
}

/*
 * Quoted echo: find the `" H=`/`" U=` that ends it; the last match wins,
 * as what follows the real one is Exim's own fixed text, while an
 * attacker's copy can only sit inside the echo, before it.
 */
static const char *
echo_end(const char *q, const char *e)
{
	const char *c, *best = NULL;

	for (c = q; (c = find(c, e, LIT("\" "))) != NULL; c++)
		if (PFX(c + 2, e, "H=") || PFX(c + 2, e, "U="))
			best = c;
	return best;
}

/* SMTP {syntax|protocol} error in "CMD" HOSTID MESSAGE */
static void
smtp_error_line(struct sift_rec *rec, const char *q, const char *e)
{
	const char *c, *w;
	unsigned st;

	rec->event = SIFT_EV_PROTOCOL;
	if ((c = echo_end(q, e)) == NULL) {
		rec->reason = mkstr(q, e);
		return;
	}
	rec->command = mkstr(q, c);
	rec->stage = stage_of_cmd(rec->command);
	w = scan_tags(rec, c + 2, e, &st);
	rec->reason = mkstr(w, e);
}

/*
 * SMTP protocol synchronization error (WHY): rejected connection from
 * HOSTID input="..." | rejected "CMD" HOSTID next input="..."
 */
static void
sync_line(struct sift_rec *rec, const char *p, const char *e)
{
	struct sift_rec base, first;
	const char *q, *c, *w, *found = NULL;
	unsigned st;

	rec->event = SIFT_EV_SYNC;
	if ((q = find(p, e, LIT("): rejected "))) == NULL) {
		rec->reason = mkstr(p, e);
		return;
	}
	rec->reason = mkstr(p, q);
	q += 12;
	if (PFX(q, e, "connection from ")) {
		rec->stage = SIFT_ST_CONNECT;
		(void)bare_host(rec, q + 16, e, &st);
		return;
	}
	if (q >= e || *q != '"')
		return;
	/*
	 * The first unescaped `" H=` whose host is followed by `next input=`:
	 * 4.99 escapes quotes in the echo, so an attacker's copy inside it
	 * is skipped. 4.98 and earlier escape none, in the echo or in the
	 * next input after the real host: when two such places name
	 * different addresses, the line names no host at all, so that an
	 * attacker can hide his own line but never pin it on another
	 * address. Each place is read from the record as it was before.
	 */
	base = *rec;
	for (c = q + 1; (c = find(c, e, LIT("\" "))) != NULL; c++) {
		if (!PFX(c + 2, e, "H=") && !PFX(c + 2, e, "U="))
			continue;
		if (escaped(q + 1, c))
			continue;
		*rec = base;
		rec->ntags = 0;
		w = scan_tags(rec, c + 2, e, &st);
		if (w < e && !PFX(w, e, "next input="))
			continue;
		if (found == NULL) {
			found = c;
			first = *rec;
		} else if (!sift_addr_eq(&rec->ip, &first.ip)) {
			*rec = base;
			return;
		}
	}
	if (found == NULL) {
		*rec = base;
		return;
	}
	*rec = first;
	rec->command = mkstr(q + 1, found);
	rec->stage = stage_of_cmd(rec->command);
}

/* "NAME authenticator failed for [H=]HOST[ I= U=]: ERRMSG" */
static bool
auth_line(struct sift_rec *rec, const char *t, const char *e)
{
	const char *sp1, *w, *q, *r;
	unsigned st;

	sp1 = findc(t, e - 1 > t ? (e - t > 64 ? t + 64 : e) : e, ' ');
	if (sp1 == NULL || !PFX(sp1, e, " authenticator failed for "))
		return false;
	rec->event = SIFT_EV_AUTH_FAIL;
	rec->stage = SIFT_ST_AUTH;
	rec->authenticator = mkstr(t, sp1);
	w = bare_host(rec, sp1 + 26, e, &st);
	if (w == NULL)
		return true;
	r = w;
	if (!(st & TS_COLON) && PFX(w, e, ": "))
		r = w + 2;
	rec->reason = mkstr(r, e);
	if ((q = find(r, e, LIT("(set_id="))) != NULL) {
		const char *ue = findc(q + 8, e, ')');

		/* the last ")" of the text closes it when the id has some */
		if (ue != NULL) {
			const char *x = ue;

			while ((x = findc(x + 1, e, ')')) != NULL &&
			    (x + 1 == e || x[1] == ':'))
				ue = x;
			rec->user = mkstr(q + 8, ue);
		}
	}
	return true;
}

/* Lines beginning "rejected " or "temporarily rejected " (no HOSTID). */
static void
rejected_line(struct sift_rec *rec, const char *w, const char *e,
    enum sift_event ev)
{
	const char *q, *x;
	unsigned st;

	rec->event = ev;
	if (w >= e)
		return;
	if (PFX(w, e, "EHLO from ") || PFX(w, e, "HELO from ")) {
		rec->stage = SIFT_ST_HELO;
		q = bare_host(rec, w + 10, e, &st);
		if (q != NULL)
			rec->reason = mkstr(q, e);
		return;
	}
	if (PFX(w, e, "XCLIENT from ")) {
		rec->stage = SIFT_ST_XCLIENT;
		q = bare_host(rec, w + 13, e, &st);
		if (q != NULL)
			rec->reason = mkstr(q, e);
		return;
	}
	if (PFX(w, e, "MAIL from ")) {
		rec->stage = SIFT_ST_MAIL;
		q = bare_host(rec, w + 10, e, &st);
		if (q != NULL)
			rec->reason = mkstr(q, e);
		return;
	}
	if (*w == '"') {	/* helo_verify_hosts: rejected "EHLO x" from */
		if ((q = find(w + 1, e, LIT("\" from "))) != NULL) {
			rec->command = mkstr(w + 1, q);
			rec->stage = SIFT_ST_HELO;
			(void)bare_host(rec, q + 7, e, &st);
		}
		return;
	}
	if (PFX(w, e, "MAIL command ")) {
		rec->stage = SIFT_ST_MAIL;
		q = scan_tags(rec, w + 13, e, &st);
		rec->reason = mkstr(q, e);
		return;
	}
	if (PFX(w, e, "MAIL FROM:<") && (q = findc(w + 11, e, '>')) != NULL) {
		rec->stage = SIFT_ST_MAIL;
		rec->sender = mkstr(w + 11, q);
		q = scan_tags(rec, sp(q + 1, e), e, &st);
		rec->reason = mkstr(q, e);
		return;
	}
	if (PFX(w, e, "from <") && (q = findc(w + 6, e, '>')) != NULL) {
		/* after DATA: size or Received-count limits */
		rec->stage = SIFT_ST_DATA;
		rec->sender = mkstr(w + 6, q);
		x = scan_tags(rec, sp(q + 1, e), e, &st);
		rec->reason = mkstr(PFX(x, e, ": ") ? x + 2 : x, e);
		return;
	}
	rejected_what(rec, w, e, ev);
}

/* "SMTP ..." lines. */
static void
smtp_line(struct sift_rec *rec, const char *t, const char *e)
{
	const char *p = t + 5, *w;
	unsigned st;

	if (PFX(p, e, "connection ")) {
		p += 11;
		if (PFX(p, e, "Ci=")) {
			w = tokend(p, e);
			add_tag(rec, p, 2, p + 3, (size_t)(w - p - 3));
			p = sp(w, e);
		}
		if (!PFX(p, e, "from "))
			return;
		w = bare_host(rec, p + 5, e, &st);
		if (w == NULL) {
			/* local sessions: "from CALLER closed by QUIT" */
			if (tokend(p + 5, e) == e) {
				rec->event = SIFT_EV_CONNECT;
				rec->ident = mkstr(p + 5, e);
				return;
			}
			w = find(p, e, LIT(" closed "));
			if (w == NULL)
				w = find(p, e, LIT(" lost"));
			if (w == NULL)
				return;
			w++;
			p = scan_tags(rec, w, e, &st);
		}
		if (PFX(w, e, "(TCP/IP connection count")) {
			rec->event = SIFT_EV_CONNECT;
			rec->stage = SIFT_ST_CONNECT;
		} else if (PFX(w, e, "closed ")) {
			rec->event = SIFT_EV_CLOSE;
			rec->reason = mkstr(w + 7, e);
			if (PFX(w, e, "closed by DROP"))
				rec->stage = SIFT_ST_CONNECT;
		} else if (PFX(w, e, "lost")) {
			rec->event = SIFT_EV_LOST;
			rec->reason = mkstr(w, e);
			/* tags after the reason: "... lost (error) D=1s" */
			if ((p = find(w, e, LIT(" D="))) != NULL)
				(void)scan_tags(rec, p + 1, e, &st);
		}
		return;
	}
	if (PFX(p, e, "call from ")) {
		w = bare_host(rec, p + 10, e, &st);
		rec->event = SIFT_EV_DROP;
		if (w != NULL && PFX(w, e, "dropped: ")) {
			const char *c, *ce = NULL;

			rec->reason = mkstr(w + 9, e);
			if ((c = find(w, e, LIT("was \""))) != NULL) {
				c += 5;
				if ((ce = find(c, e, LIT("\",  C="))) != NULL) {
					add_tag(rec, ce + 4, 1, ce + 6,
					    (size_t)(e - ce - 6 -
					    (e[-1] == ')')));
				} else if (e - c >= 2 && e[-1] == ')' &&
				    e[-2] == '"')
					ce = e - 2;
				if (ce != NULL) {
					rec->command = mkstr(c, ce);
					rec->stage = stage_of_cmd(rec->command);
				}
			}
		}
		return;
	}
	if (PFX(p, e, "protocol error in \"")) {
		smtp_error_line(rec, p + 19, e);
		return;
	}
	if (PFX(p, e, "syntax error in \"")) {
		smtp_error_line(rec, p + 17, e);
		return;
	}
	if (PFX(p, e, "protocol synchronization error (")) {
		sync_line(rec, p + 32, e);
		return;
	}
	if (PFX(p, e, "command timeout on ") ||
	    PFX(p, e, "data timeout (message abandoned) on ")) {
		rec->event = SIFT_EV_TIMEOUT;
		if (p[0] == 'd')
			rec->stage = SIFT_ST_DATA;
		rec->reason = mkstr(t, e);
		if ((w = find(p, e, LIT("connection from "))) != NULL)
			(void)bare_host(rec, w + 16, e, &st);
		return;
	}
	if (PFX(p, e, "error from remote mail")) {
		rec->event = SIFT_EV_ERROR;
		rec->reason = mkstr(t, e);
		return;
	}
}

/* Rarer Exim lines, tried only when the dispatch found nothing. */
static void
misc_line(struct sift_rec *rec, const char *t, const char *e)
{
	const char *q, *w;
	unsigned st;

	/* A line may end right after its message id. */
	if (t >= e)
		return;
	switch (*t) {
	case 'T':
		if (PFX(t, e, "TLS session: "))
			goto error;
		break;
	case '(':
		/* TLS setup: "(SSL_CTX_use_PrivateKey_file file=x): error" */
		if (PFX(t, e, "(SSL_") || PFX(t, e, "(gnutls_"))
			goto error;
		break;
	case '[':
		/* outgoing: "[ip] SSL verify error: ..." */
		if ((q = bracket_end(t, e)) != NULL &&
		    PFX(q, e, " SSL verify error")) {
			rec->addr_text = mkstr(t + 1, q - 1);
			if (sift_addr_parse(t + 1, (size_t)(q - t - 2),
			    &rec->ip) != 0)
				rec->ip.family = 0;
			goto error;
		}
		break;
	case 'D':
		if (PFX(t, e, "DANE "))
			goto error;
		break;
	case 'S':
		if (PFX(t, e, "Server certificate "))
			goto error;
		break;
	case 'R':
		if (PFX(t, e, "Required TLS certificate status"))
			goto error;
		break;
	case 'O':
		if (PFX(t, e, "OCSP "))
			goto error;
		break;
	case 'q':
		if (PFX(t, e, "qualify/rewrite: "))
			goto error;
		break;
	case 'E':
		if (PFX(t, e, "Expansion of ") || PFX(t, e, "Error while ") ||
		    PFX(t, e, "Error in "))
			goto error;
		break;
	case 'b':
		if (PFX(t, e, "bounce_message_file "))
			goto error;
		break;
	case 'l':
		if (PFX(t, e, "local_scan() function ")) {
			rec->stage = SIFT_ST_DATA;
			rec->event = find(t, e, LIT("temporarily rejected")) !=
			    NULL ? SIFT_EV_TEMPREJECT : SIFT_EV_REJECT;
			rec->reason = mkstr(t, e);
			return;
		}
		break;
	case 'i':
		if (PFX(t, e, "ignoring AUTH=")) {
			rec->event = SIFT_EV_WARNING;
			rec->reason = mkstr(t, e);
			if ((q = find(t, e, LIT(" from "))) != NULL) {
				w = scan_tags(rec, q + 6, e, &st);
				rec->reason = mkstr(t, q);
				(void)w;
			}
			return;
		}
		break;
	case 'r':
		if (PFX(t, e, "removed by ") ||
		    (PFX(t, e, "recipient <") && find(t, e, LIT("> added by ")))) {
			rec->event = SIFT_EV_ADMIN;
			rec->reason = mkstr(t, e);
			return;
		}
		break;
	case 'c':
		if (PFX(t, e, "cancelled by "))
			goto admin;
		break;
	case 'm':
		if (PFX(t, e, "moved from ") || PFX(t, e, "marked "))
			goto admin;
		break;
	case 's':
		if (PFX(t, e, "sender address changed "))
			goto admin;
		break;
	default:
		break;
	}
	/* "X authenticator failed H=..." (as a client), "X authenticator (" */
	if ((q = findc_short(t, e - t > 64 ? t + 64 : e, ' ')) != NULL &&
	    PFX(q, e, " authenticator ")) {
		rec->authenticator = mkstr(t, q);
		if ((w = find(q, e, LIT(" H="))) != NULL && w - q < 32)
			(void)parse_host(rec, w + 3, e, false);
		goto error;
	}
	if (!sift_str_empty(rec->msgid) &&
	    (q = find(t, e, LIT(": error ignored"))) != NULL) {
		rec->recipient = mkstr(t, tokend(t, q));
		goto error;
	}
	return;
error:
	rec->event = SIFT_EV_ERROR;
	rec->reason = mkstr(t, e);
	return;
admin:
	rec->event = SIFT_EV_ADMIN;
	rec->reason = mkstr(t, e);
}

static void
classify(struct sift_rec *rec, const char *t, const char *e)
{
	const char *q, *w;
	unsigned st;

	if (e - t >= 3 && t[2] == ' ') {
		enum sift_event ev = SIFT_EV_OTHER;

		switch ((unsigned char)t[0] << 8 | (unsigned char)t[1]) {
		case '<' << 8 | '=':
			ev = SIFT_EV_ARRIVAL;
			break;
		case '(' << 8 | '=':
			ev = SIFT_EV_FAKEREJECT;
			break;
		case '=' << 8 | '>':
			ev = SIFT_EV_DELIVERY;
			break;
		case '-' << 8 | '>':
			ev = SIFT_EV_ADDITIONAL;
			break;
		case '>' << 8 | '>':
			ev = SIFT_EV_CUTTHROUGH;
			break;
		case '*' << 8 | '>':
			ev = SIFT_EV_SUPPRESSED;
			break;
		case '=' << 8 | '=':
			ev = SIFT_EV_DEFER;
			break;
		case '*' << 8 | '*':
			ev = SIFT_EV_FAIL;
			break;
		default:
			break;
		}
		if (ev != SIFT_EV_OTHER) {
			rec->event = ev;
			rec->flag = mkstr(t, t + 2);
			if (ev == SIFT_EV_ARRIVAL || ev == SIFT_EV_FAKEREJECT)
				arrival_line(rec, t + 3, e);
			else
				delivery_line(rec, t + 3, e);
			return;
		}
	}
	switch (t < e ? *t : '\0') {
	case 'C':
		if (PFX(t, e, "Completed")) {
			rec->event = SIFT_EV_COMPLETED;
			(void)scan_tags(rec, sp(t + 9, e), e, &st);
			return;
		}
		if (PFX(t, e, "Connection from ")) {
			rec->event = SIFT_EV_REFUSED;
			rec->stage = SIFT_ST_CONNECT;
			w = bare_host(rec, t + 16, e, &st);
			if (w != NULL && PFX(w, e, "refused"))
				rec->reason = mkstr(PFX(w, e, "refused: ") ?
				    w + 9 : w, e);
			return;
		}
		break;
	case 'D':
		if (PFX(t, e, "DS H=")) {
			add_tag(rec, t, 2, t + 2, 0);
			hostid_line(rec, t + 3, e);
			return;
		}
		if (PFX(t, e, "DNS list lookup")) {
			rec->event = SIFT_EV_DNSLIST;
			rec->reason = mkstr(t, e);
			return;
		}
		if (PFX(t, e, "DKIM: ")) {
			rec->event = SIFT_EV_DKIM;
			rec->reason = mkstr(t + 6, e);
			return;
		}
		break;
	case 'H':
	case 'U':
	case 'F':
		if (e - t > 2 && t[1] == '=') {
			hostid_line(rec, t, e);
			return;
		}
		if (PFX(t, e, "Unfrozen by")) {
			rec->event = SIFT_EV_UNFROZEN;
			rec->reason = mkstr(t, e);
			return;
		}
		if (PFX(t, e, "Frozen")) {
			rec->event = SIFT_EV_FROZEN;
			rec->reason = mkstr(t, e);
			return;
		}
		if (PFX(t, e, "Failed to ")) {
			rec->event = SIFT_EV_ERROR;
			rec->reason = mkstr(t, e);
			return;
		}
		break;
	case 'S':
		if (PFX(t, e, "SMTP ")) {
			smtp_line(rec, t, e);
			return;
		}
		if (PFX(t, e, "Start ") && (q = find(t, e, LIT(" queue run"))) !=
		    NULL && q - t < 40) {
			rec->event = SIFT_EV_QUEUE_RUN;
			if ((q = find_colsp(t, e)) != NULL)
				(void)scan_tags(rec, q + 2, e, &st);
			return;
		}
		if (PFX(t, e, "Spool file is locked")) {
			rec->event = SIFT_EV_LOCKED;
			return;
		}
		break;
	case 'E':
		if (PFX(t, e, "End ") && (q = find(t, e, LIT(" queue run"))) !=
		    NULL && q - t < 40) {
			rec->event = SIFT_EV_QUEUE_RUN;
			if ((q = find_colsp(t, e)) != NULL)
				(void)scan_tags(rec, q + 2, e, &st);
			return;
		}
		if (PFX(t, e, "Exim configuration error")) {
			rec->event = SIFT_EV_PANIC;
			rec->reason = mkstr(t, e);
			return;
		}
		if (PFX(t, e, "Error or EOF on input from ")) {
			rec->event = SIFT_EV_LOST;
			rec->reason = mkstr(t, t + 12);
			(void)bare_host(rec, t + 27, e, &st);
			return;
		}
		break;
	case 'T':
		if (PFX(t, e, "TLS error on connection ")) {
			rec->event = SIFT_EV_TLS_ERROR;
			q = t + 24;
			if (PFX(q, e, "Ci=")) {
				w = tokend(q, e);
				add_tag(rec, q, 2, q + 3,
				    (size_t)(w - q - 3));
				q = sp(w, e);
			}
			if (PFX(q, e, "from ") &&
			    (w = bare_host(rec, q + 5, e, &st)) != NULL)
				rec->reason = mkstr(w, e);
			else
				rec->reason = mkstr(q, e);
			return;
		}
		break;
	case 'W':
		if (PFX(t, e, "Warning: ")) {
			rec->event = SIFT_EV_WARNING;
			rec->reason = mkstr(t + 9, e);
			return;
		}
		if (PFX(t, e, "WARNING: ")) {
			rec->event = SIFT_EV_WARNING;
			rec->reason = mkstr(t + 9, e);
			return;
		}
		break;
	case 'M':
		if (PFX(t, e, "Message is frozen")) {
			rec->event = SIFT_EV_FROZEN;
			rec->reason = mkstr(t, e);
			return;
		}
		break;
	case 'r':
		if (PFX(t, e, "rejected ")) {
			rejected_line(rec, t + 9, e, SIFT_EV_REJECT);
			return;
		}
		if (PFX(t, e, "refused connection from ")) {
			rec->event = SIFT_EV_REFUSED;
			rec->stage = SIFT_ST_CONNECT;
			if ((w = bare_host(rec, t + 24, e, &st)) != NULL)
				rec->reason = mkstr(w, e);
			return;
		}
		if (PFX(t, e, "recipient verify defer") ||
		    PFX(t, e, "recipient verify fail")) {
			rec->event = t[17] == 'd' ? SIFT_EV_VERIFY_DEFER :
			    SIFT_EV_VERIFY_FAIL;
			rec->reason = mkstr(t, e);
			return;
		}
		break;
	case 't':
		if (PFX(t, e, "temporarily rejected ")) {
			rejected_line(rec, t + 21, e, SIFT_EV_TEMPREJECT);
			return;
		}
		if (PFX(t, e, "temporarily refused connection from ")) {
			rec->event = SIFT_EV_REFUSED;
			rec->stage = SIFT_ST_CONNECT;
			if ((w = bare_host(rec, t + 36, e, &st)) != NULL)
				rec->reason = mkstr(w, e);
			return;
		}
		if (PFX(t, e, "too many recipients: ")) {
			rec->event = find(t, e, LIT("temporarily")) != NULL ?
			    SIFT_EV_TEMPREJECT : SIFT_EV_REJECT;
			rec->stage = SIFT_ST_RCPT;
			if ((q = find(t, e, LIT("sender=<"))) != NULL &&
			    (w = findc(q, e, '>')) != NULL) {
				rec->sender = mkstr(q + 8, w);
				rec->reason = mkstr(t, q);
				(void)scan_tags(rec, sp(w + 1, e), e, &st);
			}
			return;
		}
		break;
	case 'u':
		if (PFX(t, e, "unexpected disconnection while reading SMTP "
		    "command from ")) {
			rec->event = SIFT_EV_LOST;
			rec->reason = mkstr(t, t + 24);
			(void)bare_host(rec, t + 57, e, &st);
			return;
		}
		/* local sessions: "unexpected EOF while reading SMTP ..." */
		if (PFX(t, e, "unexpected EOF ")) {
			rec->event = SIFT_EV_LOST;
			rec->reason = mkstr(t, t + 14);
			if ((q = find(t, e, LIT(" from "))) != NULL)
				(void)bare_host(rec, q + 6, e, &st);
			return;
		}
		if (PFX(t, e, "unqualified ")) {
			bool snd = PFX(t, e, "unqualified s");

			rec->event = SIFT_EV_REJECT;
			rec->stage = snd ? SIFT_ST_MAIL : SIFT_ST_RCPT;
			if ((q = find(t, e, LIT("rejected: <"))) != NULL &&
			    (w = findc(q, e, '>')) != NULL) {
				if (snd)
					rec->sender = mkstr(q + 11, w);
				else
					rec->recipient = mkstr(q + 11, w);
				rec->reason = mkstr(t, q + 8);
				(void)scan_tags(rec, sp(w + 1, e), e, &st);
			}
			return;
		}
		if (PFX(t, e, "unfrozen by")) {
			rec->event = SIFT_EV_UNFROZEN;
			rec->reason = mkstr(t, e);
			return;
		}
		break;
	case 'n':
		if (PFX(t, e, "no MAIL in ")) {
			rec->event = SIFT_EV_NO_MAIL;
			if ((q = find(t, e, LIT("connection from "))) != NULL)
				(void)bare_host(rec, q + 16, e, &st);
			return;
		}
		if (PFX(t, e, "no host name found for IP address ")) {
			rec->event = SIFT_EV_HOST_LOOKUP;
			q = t + 34;
			w = tokend(q, e);
			rec->addr_text = mkstr(q, w);
			if (sift_addr_parse(q, (size_t)(w - q), &rec->ip) != 0)
				rec->ip.family = 0;
			rec->reason = mkstr(t, t + 18);
			return;
		}
		if (PFX(t, e, "no IP address found for host ")) {
			rec->event = SIFT_EV_HOST_LOOKUP;
			q = t + 29;
			w = tokend(q, e);
			rec->reason = mkstr(t, t + 19);
			if ((q = find(w, e, LIT("connection from "))) != NULL)
				(void)bare_host(rec, q + 16, e, &st);
			return;
		}
		if (PFX(t, e, "no immediate delivery")) {
			rec->event = SIFT_EV_QUEUED;
			if ((q = find_colsp(t, e)) != NULL)
				rec->reason = mkstr(q + 2, e);
			return;
		}
		break;
	case 'e':
		if (PFX(t, e, "exim ")) {
			if (PFX(t, e, "exim user lost privilege")) {
				rec->event = SIFT_EV_PANIC;
				rec->reason = mkstr(t, e);
				return;
			}
			q = tokend(t + 5, e);
			if (PFX(q, e, " daemon ")) {
				rec->event = SIFT_EV_DAEMON;
				rec->reason = mkstr(q + 8, e);
				if ((w = find(q, e, LIT("pid="))) != NULL)
					add_tag(rec, w, 3, w + 4, (size_t)(
					    tokend(w, e) - w - 4 -
					    (tokend(w, e)[-1] == ',')));
				return;
			}
		}
		if (PFX(t, e, "error ignored")) {
			rec->event = SIFT_EV_ERROR;
			rec->reason = mkstr(t, e);
			return;
		}
		break;
	case 'f':
		if (PFX(t, e, "frozen by ") || PFX(t, e, "frozen (")) {
			rec->event = SIFT_EV_FROZEN;
			rec->reason = mkstr(t, e);
			return;
		}
		if (PFX(t, e, "failed to ")) {
			rec->event = SIFT_EV_ERROR;
			rec->reason = mkstr(t, e);
			return;
		}
		break;
	case 'c':
		if (PFX(t, e, "connection from ")) {
			w = bare_host(rec, t + 16, e, &st);
			if (w != NULL && PFX(w, e, "refused")) {
				rec->event = SIFT_EV_REFUSED;
				rec->stage = SIFT_ST_CONNECT;
				rec->reason = mkstr(w, e);
			}
			return;
		}
		break;
	case 'p':
		if (PFX(t, e, "pid ") && (q = find(t, e, LIT(": SIGHUP"))) &&
		    q - t < 30) {
			rec->event = SIFT_EV_DAEMON;
			rec->reason = mkstr(q + 2, e);
			return;
		}
		break;
	case 'l':
		if (PFX(t, e, "listen backlog ")) {
			rec->event = SIFT_EV_DAEMON;
			rec->reason = mkstr(t, e);
			return;
		}
		break;
	case 's':
		if (PFX(t, e, "spool file is locked")) {
			rec->event = SIFT_EV_LOCKED;
			return;
		}
		if (PFX(t, e, "sender verify ")) {
			rec->event = PFX(t, e, "sender verify d") ?
			    SIFT_EV_VERIFY_DEFER : SIFT_EV_VERIFY_FAIL;
			rec->reason = mkstr(t, e);
			return;
		}
		break;
	default:
		break;
	}
	if (auth_line(rec, t, e))
		return;
	misc_line(rec, t, e);
}

/* ------------------------------------------------------------------ */

/*
 * Exim's own timestamp has no offset, the syslog frame around it has one
 * (RFC 3339, RFC 5424, journald): the two were taken within moments of
 * each other, so if they agree as wall clocks Exim wrote the frame's local
 * time, and if Exim's agrees with the frame's UTC, Exim ran with
 * timezone = UTC. Either way the line says its zone (zones differ by at
 * least 15 minutes; the tolerance is 5). Otherwise the process time zone
 * or the fixed offset applies, as for plain lines.
 */
static void
zone_from_frame(struct tsparts *tp, const struct tsparts *sts)
{
	int64_t d_local = tp->wall - sts->wall;
	int64_t d_utc = tp->wall - (sts->wall - (int64_t)sts->off * 60);

	if (d_local >= -300 && d_local <= 300) {
		tp->off = sts->off;
		tp->has_off = true;
	} else if (d_utc >= -300 && d_utc <= 300) {
		tp->off = 0;
		tp->has_off = true;
	}
}

/*
 * Every field before tags[], set one by one: a memset() of the whole head
 * becomes "rep stos", a tenth of the parse time. A new field must be added
 * here; the assertion below notices a changed layout.
 */
_Static_assert(sizeof(void *) != 8 ||
    offsetof(struct sift_rec, tags) == 368,
    "struct sift_rec changed: update rec_reset()");

static inline void
rec_reset(struct sift_rec *rec, struct sift_str line)
{
	const struct sift_str z = SIFT_STR_NULL;
	const struct sift_time tz = { 0, -1, 0, false, false };
	const struct sift_addr az = { 0, { 0 } };

	rec->line = line;
	rec->text = z;
	rec->ts = tz;
	rec->pid = -1;
	rec->flags = 0;
	rec->event = SIFT_EV_OTHER;
	rec->stage = SIFT_ST_NONE;
	/* No chained "a = b = z": reading b back stalls on its store. */
	rec->msgid = z;
	rec->flag = z;
	rec->ip = az;
	rec->port = -1;
	rec->host = z;
	rec->helo = z;
	rec->ident = z;
	rec->sender = z;
	rec->recipient = z;
	rec->auth = z;
	rec->authenticator = z;
	rec->user = z;
	rec->reason = z;
	rec->syslog_host = z;
	rec->frag_n = 0;
	rec->frag_m = 0;
	rec->addr_text = z;
	rec->command = z;
	rec->body = line;
	rec->frag_more = false;
	rec->syslog_pri = -1;
	rec->parent_event = SIFT_EV_OTHER;
	rec->parent_lineno = 0;
	rec->ntags = 0;
}

int
sift_parse(struct sift_str line, struct sift_rec *rec,
    const struct sift_parse_opts *opts)
{
	const char *p = line.p, *e, *m;
	struct tsparts tp, sts;
	size_t l;
	bool exim = true, fixed;
	int foff;

	rec_reset(rec, line);
	fixed = opts != NULL && opts->fixed_tz;
	foff = opts != NULL ? opts->tzoff : 0;
	if (p == NULL || line.n == 0) {
		rec->text = line;
		rec->flags |= SIFT_REC_NOTIME | SIFT_REC_CONT;
		rec->event = SIFT_EV_CONTINUATION;
		return SIFT_P_EMPTY;
	}
	e = p + line.n;

	/* Plain Exim log line. */
	if ((l = exim_ts(p, e, &tp)) > 0) {
		if (tp.valid)
			sift_time_set(&rec->ts, tp.wall, tp.ms, tp.has_off,
			    tp.off, fixed, foff);
		m = pid_and_id(rec, sp(p + l, e), e);
		rec->text = mkstr(m, e);
		classify(rec, m, e);
		return 0;
	}

	/* Syslog-wrapped. */
	sts.valid = false;
	if ((m = syslog_frame(rec, p, e, &sts, opts, &exim)) != NULL) {
		rec->flags |= SIFT_REC_SYSLOG;
		m = fragment(rec, m, e);
		rec->body = mkstr(m, e);
		if (!exim) {
			rec->text = mkstr(m, e);
			if (sts.valid)
				sift_time_set(&rec->ts, sts.wall, sts.ms,
				    sts.has_off, sts.off, fixed, foff);
			return 0;
		}
		if ((l = exim_ts(m, e, &tp)) > 0) {
			if (tp.valid && !tp.has_off && sts.valid &&
			    sts.has_off)
				zone_from_frame(&tp, &sts);
			if (tp.valid)
				sift_time_set(&rec->ts, tp.wall, tp.ms,
				    tp.has_off, tp.off, fixed, foff);
			m = sp(m + l, e);
		} else {
			if (sts.valid)
				sift_time_set(&rec->ts, sts.wall, sts.ms,
				    sts.has_off, sts.off, fixed, foff);
			if (rec->frag_n > 1 || is_continuation(m, e, true)) {
				rec->text = mkstr(m, e);
				rec->event = SIFT_EV_CONTINUATION;
				rec->flags |= SIFT_REC_CONT;
				return 0;
			}
		}
		m = pid_and_id(rec, m, e);
		rec->text = mkstr(m, e);
		classify(rec, m, e);
		return 0;
	}

	rec->text = line;
	rec->flags |= SIFT_REC_NOTIME;
	if (is_continuation(p, e, false)) {
		rec->event = SIFT_EV_CONTINUATION;
		rec->flags |= SIFT_REC_CONT;
	}
	return SIFT_P_NOTIME;
}

const struct sift_kv *
sift_rec_tag(const struct sift_rec *rec, const char *key)
{
	size_t n = strlen(key);

	for (unsigned i = 0; i < rec->ntags; i++)
		if (rec->tags[i].key.n == n &&
		    memcmp(rec->tags[i].key.p, key, n) == 0)
			return &rec->tags[i];
	return NULL;
}
