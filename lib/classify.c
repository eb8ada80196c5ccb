/* SPDX-License-Identifier: ISC */
/* Abuse classification: the rule catalogue and the user rules loader. */
#include "classify.h"

#include <pcre2.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "tsshape.h"
#include "xalloc.h"
#include "banned.h"

#define EV(x)		SIFT_EVMASK(SIFT_EV_##x)
#define ST(x)		SIFT_STMASK(SIFT_ST_##x)
#define REJ		(EV(REJECT) | EV(TEMPREJECT))
#define NOTE		(EV(WARNING) | EV(ACL_LOG))
#define LOGW		(EV(WARNING) | EV(ACL_LOG) | EV(OTHER))
#define R		SIFT_RW_REASON
#define T		SIFT_RW_TEXT
#define IGN		SIFT_CLASS_IGNORE

static const struct {
	const char	*name;
	unsigned	 weight;
	bool		 dflt;
	const char	*desc;
} classes[SIFT_CL__BUILTIN] = {
	[SIFT_CL_RATELIMIT] = { "ratelimit", 1, true,
	    "ratelimit ACL rejections and warnings, too many messages" },
	[SIFT_CL_RELAY] = { "relay", 3, true,
	    "relay attempts (relay not permitted)" },
	[SIFT_CL_UNKNOWN_USER] = { "unknown_user", 1, true,
	    "unknown or unrouteable recipients, dictionary attacks" },
	[SIFT_CL_AUTH] = { "auth", 3, true,
	    "authenticator failures, AUTH probing" },
	[SIFT_CL_DNSBL] = { "dnsbl", 3, true,
	    "host listed in a DNS black list" },
	[SIFT_CL_HELO] = { "helo", 2, true,
	    "rejected, invalid or forged EHLO/HELO" },
	[SIFT_CL_SENDER] = { "sender", 2, true,
	    "rejected MAIL, sender verification failures, spoofing" },
	[SIFT_CL_SPF] = { "spf", 2, true,
	    "SPF failures" },
	[SIFT_CL_GREYLIST] = { "greylist", 1, false,
	    "temporary rejections of RCPT (greylisting)" },
	[SIFT_CL_SPAM] = { "spam", 2, false,
	    "rejected after DATA: content scanning, spam score" },
	[SIFT_CL_MALWARE] = { "malware", 3, false,
	    "rejected after DATA: virus or malware" },
	[SIFT_CL_PROTOCOL] = { "protocol", 2, true,
	    "SMTP syntax and synchronization errors, command floods, HTTP" },
	[SIFT_CL_CONNECTION] = { "connection", 1, false,
	    "too many connections, connect ACL, no MAIL, abandoned sessions" },
	[SIFT_CL_TLS] = { "tls", 1, false,
	    "TLS handshake failures" },
	[SIFT_CL_REJECTED] = { "rejected", 1, false,
	    "any other ACL rejection" },
};

/*
 * The built-in catalogue. First match wins, so the order matters:
 *  1. lines that look like offences but are not the client's doing
 *     ("none": server load, temporary failures, the DROP that follows a
 *     rejection already counted);
 *  2. reason texts that name the abuse whatever the SMTP stage: rate
 *     limits, greylisting, DNS black lists, SPF, malware, spam, relay,
 *     sender verification, unknown users (the most specific first);
 *  3. line types Exim builds itself: HELO, AUTH, protocol errors,
 *     connection refusals and drops, TLS errors;
 *  4. texts of the whole line (SPF=fail, local_scan), then fallbacks by
 *     stage: temporary RCPT rejections are greylisting,
 *     MAIL rejections are sender problems, rejections after DATA are
 *     content (spam), and any other rejection is "rejected".
 * Reason texts are case-sensitive literals; a leading capital is left off
 * where both spellings occur ("elaying denied").
 */
static const struct sift_rule builtin[] = {
	/* 1. not offences */
	{ EV(CLOSE) | EV(DROP) | EV(OTHER), 0, T, 0, IGN,
	    "closed by DROP in ACL", NULL,
	    "the rejection before it is counted" },
	{ EV(REFUSED) | REJ | EV(OTHER), 0, R, 0, IGN,
	    "load average", NULL, "server load" },
	{ EV(REFUSED) | REJ | EV(OTHER), 0, R, 0, IGN,
	    "not in reserve list", NULL, "server load" },
	{ EV(AUTH_FAIL), 0, R, SIFT_RF_ANCHOR, IGN,
	    "435 ", NULL, "temporary authenticator failure" },
	{ EV(VERIFY_FAIL), 0, T, 0, IGN,
	    "verify defer", NULL, "temporary verification failure" },
	{ REJ, 0, R, 0, IGN,
	    "ratelimit database not available", NULL, "server fault" },
	{ REJ, 0, R, 0, IGN,
	    "Temporary DNS error", NULL, "server or DNS fault" },
	{ REJ, 0, R, 0, IGN,
	    "Temporary local problem", NULL, "server fault" },
	{ EV(TEMPREJECT), 0, R, 0, IGN,
	    "Could not complete", NULL, "verify callout failed" },
	{ EV(TEMPREJECT), 0, R, 0, IGN,
	    "unknown ACL", NULL, "configuration error" },
	{ EV(TEMPREJECT), 0, R, 0, IGN,
	    "onfiguration error", NULL, NULL },

	/* 2. reason texts */
	{ LOGW, 0, R, SIFT_RF_ANCHOR | SIFT_RF_IPAFTER, SIFT_CL_RATELIMIT,
	    "Rate limited:", NULL, "logwrite = Rate limited: $sender_host_address" },
	{ REJ | LOGW, 0, R, 0, SIFT_CL_RATELIMIT,
	    "Rate limit", NULL, "log_message = Rate limited: ..." },
	{ REJ | LOGW, 0, R, 0, SIFT_CL_RATELIMIT,
	    "rate limit", NULL, NULL },
	{ REJ | LOGW, 0, R, 0, SIFT_CL_RATELIMIT,
	    "ratelimit", NULL, "ratelimit warn, Host is ratelimited" },
	{ REJ | LOGW, 0, R, 0, SIFT_CL_RATELIMIT,
	    "RATE:", NULL, "RATE: 1.0/1h (max 0)" },
	{ REJ | LOGW, 0, R, 0, SIFT_CL_RATELIMIT,
	    "RATE CHECK", NULL, NULL },
	{ REJ | LOGW, 0, R, 0, SIFT_CL_RATELIMIT,
	    "ender rate", NULL, "Sender rate 12.3 / 1h" },
	{ REJ | LOGW, 0, R, 0, SIFT_CL_RATELIMIT,
	    "oo many messages", NULL, "Too many messages" },
	{ REJ, 0, R, 0, SIFT_CL_GREYLIST,
	    "reylist", NULL, "greylisted" },
	{ REJ | NOTE, 0, R, 0, SIFT_CL_DNSBL,
	    "black list", NULL, "is in a black list at" },
	{ REJ | NOTE, 0, R, 0, SIFT_CL_DNSBL,
	    "blacklist", NULL, "blacklisted" },
	{ REJ | NOTE, 0, R, 0, SIFT_CL_DNSBL,
	    "lacklisted", NULL, "Blacklisted" },
	{ REJ | NOTE, 0, R, 0, SIFT_CL_DNSBL,
	    "block list", NULL, NULL },
	{ REJ | NOTE, 0, R, 0, SIFT_CL_DNSBL,
	    "blocklist", NULL, NULL },
	{ REJ | NOTE, 0, R, 0, SIFT_CL_DNSBL,
	    "is listed at", NULL, "Debian CHECK_RCPT_IP_DNSBLS" },
	{ REJ | NOTE, 0, R, 0, SIFT_CL_DNSBL,
	    "is listed in", NULL, "Host is listed in ..." },
	{ REJ | NOTE, 0, R, 0, SIFT_CL_DNSBL,
	    "RBL", NULL, "is in an RBL" },
	{ REJ | NOTE, 0, R, 0, SIFT_CL_DNSBL,
	    "DNSBL", NULL, NULL },
	{ REJ | NOTE, 0, R, 0, SIFT_CL_DNSBL,
	    "dnsbl", NULL, NULL },
	{ REJ | NOTE, 0, R, 0, SIFT_CL_DNSBL,
	    "pamhaus", NULL, "Spamhaus" },
	{ REJ, 0, R, 0, SIFT_CL_DNSBL,
	    "Email blocked by", NULL, "cPanel" },
	{ REJ, 0, R, 0, SIFT_CL_SPF,
	    "SPF", NULL, "SPF check failed." },
	{ REJ, 0, R, 0, SIFT_CL_SPF,
	    "is not allowed to send mail from", NULL, NULL },
	{ REJ, 0, R, 0, SIFT_CL_MALWARE,
	    "virus", NULL, NULL },
	{ REJ, 0, R, 0, SIFT_CL_MALWARE,
	    "Virus", NULL, NULL },
	{ REJ, 0, R, 0, SIFT_CL_MALWARE,
	    "VIRUS", NULL, NULL },
	{ REJ, 0, R, 0, SIFT_CL_MALWARE,
	    "alware", NULL, "malware, Malware" },
	{ REJ, 0, R, 0, SIFT_CL_MALWARE,
	    "infected", NULL, NULL },
	{ REJ, 0, R, 0, SIFT_CL_SPAM,
	    "spam", NULL, NULL },
	{ REJ, 0, R, 0, SIFT_CL_SPAM,
	    "Spam", NULL, NULL },
	{ REJ, 0, R, 0, SIFT_CL_SPAM,
	    "SPAM", NULL, NULL },
	{ REJ, 0, R, 0, SIFT_CL_SPAM,
	    "hits=", NULL, "SpamAssassin score" },
	{ REJ, 0, R, 0, SIFT_CL_RELAY,
	    "relay not permitted", NULL, "Exim and Debian default" },
	{ REJ, 0, R, 0, SIFT_CL_RELAY,
	    "elaying denied", NULL, NULL },
	{ REJ, 0, R, 0, SIFT_CL_RELAY,
	    "elay access denied", NULL, NULL },
	{ REJ, 0, R, 0, SIFT_CL_RELAY,
	    "not permitted to relay", NULL, NULL },
	{ EV(VERIFY_FAIL), 0, R, 0, SIFT_CL_SENDER,
	    NULL, NULL, "sender verify fail for <...>" },
	{ REJ, 0, R, 0, SIFT_CL_SENDER,
	    "ender verify failed", NULL, "Sender verify failed" },
	{ REJ, 0, R, 0, SIFT_CL_SENDER,
	    "ender verification failed", NULL, NULL },
	{ REJ, 0, R, 0, SIFT_CL_SENDER,
	    "as a valid sender", NULL, "cPanel" },
	{ REJ, 0, R, 0, SIFT_CL_SENDER,
	    "poof", NULL, "spoofed, Spoofed" },
	{ REJ | EV(OTHER), 0, T, SIFT_RF_ANCHOR, SIFT_CL_SENDER,
	    "unqualified sender rejected", NULL, NULL },
	{ REJ, ST(RCPT), R, 0, SIFT_CL_UNKNOWN_USER,
	    "Unrouteable address", NULL, "verify = recipient" },
	{ REJ, ST(RCPT), R, 0, SIFT_CL_UNKNOWN_USER,
	    "nknown user", NULL, NULL },
	{ REJ, ST(RCPT), R, 0, SIFT_CL_UNKNOWN_USER,
	    "ser unknown", NULL, NULL },
	{ REJ, ST(RCPT), R, 0, SIFT_CL_UNKNOWN_USER,
	    "o Such User", NULL, "cPanel" },
	{ REJ, ST(RCPT), R, 0, SIFT_CL_UNKNOWN_USER,
	    "o such user", NULL, NULL },
	{ REJ, ST(RCPT), R, 0, SIFT_CL_UNKNOWN_USER,
	    "ailbox unavailable", NULL, NULL },
	{ REJ, ST(RCPT), R, 0, SIFT_CL_UNKNOWN_USER,
	    "nknown recipient", NULL, NULL },
	{ REJ, 0, R, 0, SIFT_CL_UNKNOWN_USER,
	    "too many bad recipients", NULL, "Debian" },
	{ LOGW, 0, R, SIFT_RF_ANCHOR | SIFT_RF_IPAFTER, SIFT_CL_UNKNOWN_USER,
	    "REJECT [", "bad recipient count", "Debian logwrite" },

	/* 3. line types */
	{ REJ, 0, R, 0, SIFT_CL_PROTOCOL,
	    "no HELO/EHLO given", NULL, "MAIL before HELO" },
	{ REJ, ST(HELO), R, 0, SIFT_CL_HELO,
	    NULL, NULL, "HELO ACL, invalid HELO syntax" },
	{ EV(OTHER), 0, T, 0, SIFT_CL_HELO,
	    "rejected EHLO or HELO", NULL, NULL },
	{ REJ | EV(OTHER), 0, T, SIFT_RF_ANCHOR, SIFT_CL_HELO,
	    "rejected EHLO from", NULL, "syntactically invalid argument" },
	{ REJ | EV(OTHER), 0, T, SIFT_RF_ANCHOR, SIFT_CL_HELO,
	    "rejected HELO from", NULL, "syntactically invalid argument" },
	{ REJ | EV(OTHER), 0, T, SIFT_RF_ANCHOR, SIFT_CL_HELO,
	    "rejected \"EHLO ", NULL, "helo_verify_hosts" },
	{ REJ | EV(OTHER), 0, T, SIFT_RF_ANCHOR, SIFT_CL_HELO,
	    "rejected \"HELO ", NULL, "helo_verify_hosts" },
	{ REJ, 0, R, 0, SIFT_CL_HELO,
	    "HELO", NULL, "HELO verify failed, bad HELO" },
	{ REJ, 0, R, 0, SIFT_CL_HELO,
	    "helo", NULL, NULL },
	{ EV(AUTH_FAIL), 0, R, 0, SIFT_CL_AUTH,
	    NULL, NULL, "X authenticator failed for ...: 535 ..." },
	{ EV(PROTOCOL) | EV(OTHER), 0, R, 0, SIFT_CL_AUTH,
	    "AUTH command used when not advertised", NULL, NULL },
	{ EV(PROTOCOL) | EV(OTHER), 0, R, 0, SIFT_CL_AUTH,
	    "authentication mechanism not supported", NULL, NULL },
	{ REJ, ST(AUTH), R, 0, SIFT_CL_AUTH,
	    NULL, NULL, "AUTH ACL" },
	{ EV(SYNC), 0, R, 0, SIFT_CL_PROTOCOL,
	    NULL, NULL, "input sent without waiting" },
	{ EV(SYNC) | EV(PROTOCOL) | REJ | EV(OTHER), 0, T, SIFT_RF_ANCHOR,
	    SIFT_CL_PROTOCOL,
	    "SMTP protocol synchronization error", NULL, NULL },
	{ EV(DROP) | EV(OTHER), 0, T, 0, SIFT_CL_PROTOCOL,
	    "dropped: too many", NULL,
	    "too many nonmail/unrecognized commands or errors" },
	{ EV(PROTOCOL), 0, R, 0, SIFT_CL_PROTOCOL,
	    NULL, NULL, "SMTP syntax or protocol error" },
	{ EV(OTHER), 0, T, SIFT_RF_ANCHOR, SIFT_CL_PROTOCOL,
	    "SMTP syntax error in", NULL, NULL },
	{ EV(OTHER), 0, T, SIFT_RF_ANCHOR, SIFT_CL_PROTOCOL,
	    "SMTP protocol error in", NULL, NULL },
	{ EV(REFUSED), 0, R, 0, SIFT_CL_CONNECTION,
	    NULL, NULL, "too many connections (from that IP address)" },
	{ EV(OTHER), 0, T, SIFT_RF_ANCHOR, SIFT_CL_CONNECTION,
	    "Connection from [", "refused", NULL },
	{ REJ, ST(CONNECT), R, 0, SIFT_CL_CONNECTION,
	    NULL, NULL, "connect ACL" },
	{ EV(DROP) | EV(OTHER), 0, T, 0, SIFT_CL_CONNECTION,
	    "connection in \"connect\" ACL", NULL, NULL },
	{ EV(DROP) | EV(OTHER), 0, T, 0, SIFT_CL_CONNECTION,
	    "dropped by '", NULL, "TLS-on-connect ACL drop" },
	{ EV(OTHER), 0, T, 0, SIFT_CL_CONNECTION,
	    "refused connection from", NULL, "host_reject_connection" },
	{ EV(NO_MAIL), 0, R, 0, SIFT_CL_CONNECTION,
	    NULL, NULL, "no MAIL in SMTP connection" },
	{ EV(LOST), 0, R, 0, SIFT_CL_CONNECTION,
	    NULL, NULL, "unexpected disconnection, lost connection" },
	{ EV(TIMEOUT), 0, R, 0, SIFT_CL_CONNECTION,
	    NULL, NULL, "SMTP command timeout" },
	{ EV(OTHER), 0, T, SIFT_RF_ANCHOR, SIFT_CL_CONNECTION,
	    "no MAIL in ", NULL, NULL },
	{ EV(OTHER), 0, T, SIFT_RF_ANCHOR, SIFT_CL_CONNECTION,
	    "unexpected disconnection", NULL, NULL },
	{ EV(TLS_ERROR), 0, R, 0, SIFT_CL_TLS,
	    NULL, NULL, "TLS error on connection from" },
	{ EV(OTHER), 0, T, SIFT_RF_ANCHOR, SIFT_CL_TLS,
	    "TLS error on connection from", NULL, NULL },

	/* 4. whole-line texts of rejections, then fallbacks */
	{ REJ, 0, R, 0, SIFT_CL_REJECTED,
	    "message too big", NULL, "size limits" },
	{ REJ, 0, T, 0, SIFT_CL_SPF,
	    "SPF=fail", NULL, "+spf_verbose (4.99.1+)" },
	{ REJ | EV(OTHER), 0, T, 0, SIFT_CL_SPAM,
	    "rejected by local_scan()", NULL, NULL },
	{ REJ, 0, T, 0, SIFT_CL_CONNECTION,
	    "dropped by '", NULL, "TLS-on-connect ACL drop" },
	{ REJ, 0, T, 0, SIFT_CL_CONNECTION,
	    "refused connection from", NULL, "host_reject_connection" },
	{ EV(TEMPREJECT), ST(RCPT), R, 0, SIFT_CL_GREYLIST,
	    NULL, NULL, "temporary RCPT rejection" },
	{ REJ, ST(MAIL), R, 0, SIFT_CL_SENDER,
	    NULL, NULL, "MAIL ACL" },
	{ REJ, ST(DATA), R, 0, SIFT_CL_SPAM,
	    NULL, NULL, "DATA ACL, content" },
	{ REJ, 0, R, 0, SIFT_CL_REJECTED,
	    NULL, NULL, "any other rejection" },
};

struct crule {
	struct sift_rule	 r;
	size_t			 n1, n2;
	pcre2_code		*re;
	pcre2_match_data	*md;
	bool			 user;
};

/*
 * Literal needles are not searched one by one: each subject (reason or
 * text) is scanned once, hashing every 3-byte window into a 64 Kbit
 * bitmap of the needles' first three bytes; only where a bit is set are
 * the candidate needles compared. Results are stamped per rule with a
 * scan generation, so nothing is cleared between lines.
 */
#define TRI_BITS	16
#define TRI_SIZE	(1u << TRI_BITS)

struct cand {
	uint32_t	h;
	uint16_t	rule;
};

struct scanner {
	uint64_t	 bits[TRI_SIZE / 64];
	struct cand	*cand;
	size_t		 ncand;
	uint32_t	 gen;		/* generation of the last scan */
	const char	*subj;		/* subject of the last scan */
	size_t		 subjn;
};

struct sift_classifier {
	struct scanner		 scan[2];	/* by enum sift_rule_where */
	uint32_t		*stamp;		/* per rule: gen of its hit */
	const char		**hitend;	/* per rule: end of its hit */
	uint32_t		 gen;
	struct crule		*user;
	size_t			 nuser, capuser;
	struct crule		 base[SIFT_ARRAY_SIZE(builtin)];
	/* Per event, the rule indices (into the combined order) to try. */
	uint16_t		*byev[SIFT_EV__COUNT];
	size_t			 nbyev[SIFT_EV__COUNT];
	/*
	 * The same without the scanned literals (whose hits come from the
	 * scanners), and per event and subject the first scanned rule.
	 */
	uint16_t		*nsev[SIFT_EV__COUNT];
	size_t			 nnsev[SIFT_EV__COUNT];
	uint32_t		 firstsc[SIFT_EV__COUNT][2];
	uint64_t		*evmask;	/* per rule: events (all: ~0) */
	uint16_t		*hits[2];	/* per subject: rules it hit */
	size_t			 nhits[2];
	char			 names[SIFT_CLASS_MAX][SIFT_CLASS_NAMEMAX + 1];
	int			 nclasses;
	pcre2_match_context	*mctx;
	struct sift_arena	 arena;
};

const struct sift_rule *
sift_rules_builtin(size_t *n)
{
	*n = SIFT_ARRAY_SIZE(builtin);
	return builtin;
}

const char *
sift_class_builtin_name(int id)
{
	return id >= 0 && id < SIFT_CL__BUILTIN ? classes[id].name : NULL;
}

const char *
sift_class_builtin_desc(int id)
{
	return id >= 0 && id < SIFT_CL__BUILTIN ? classes[id].desc : NULL;
}

unsigned
sift_class_builtin_weight(int id)
{
	return id >= 0 && id < SIFT_CL__BUILTIN ? classes[id].weight : 1;
}

bool
sift_class_builtin_default(int id)
{
	return id >= 0 && id < SIFT_CL__BUILTIN && classes[id].dflt;
}

static const struct crule *
rule_at(const struct sift_classifier *c, size_t i)
{
	return i < c->nuser ? &c->user[i] : &c->base[i - c->nuser];
}

static inline uint32_t
tri_hash(const unsigned char *p)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	    (uint32_t)p[2] << 16;

	return (v * UINT32_C(2654435761)) >> (32 - TRI_BITS);
}

static bool
scanned(const struct crule *r)
{
	return r->r.text != NULL && r->n1 >= 3 &&
	    (r->r.flags & (SIFT_RF_ANCHOR | SIFT_RF_REGEX)) == 0;
}

static int
cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return (int)x->rule - (int)y->rule;
}

static void
build_scanners(struct sift_classifier *c, size_t total)
{
	for (int w = 0; w < 2; w++) {
		struct scanner *sc = &c->scan[w];

		memset(sc->bits, 0, sizeof(sc->bits));
		sc->cand = sift_xreallocarray(sc->cand, total,
		    sizeof(*sc->cand));
		sc->ncand = 0;
		sc->gen = 0;
		sc->subj = NULL;
		for (size_t i = 0; i < total; i++) {
			const struct crule *r = rule_at(c, i);
			uint32_t h;

			if (!scanned(r) || r->r.where != w)
				continue;
			h = tri_hash((const unsigned char *)r->r.text);
			sc->bits[h / 64] |= UINT64_C(1) << (h % 64);
			sc->cand[sc->ncand].h = h;
			sc->cand[sc->ncand].rule = (uint16_t)i;
			sc->ncand++;
		}
		qsort(sc->cand, sc->ncand, sizeof(*sc->cand), cand_cmp);
	}
	c->stamp = sift_xreallocarray(c->stamp, total, sizeof(*c->stamp));
	memset(c->stamp, 0, total * sizeof(*c->stamp));
	c->hitend = sift_xreallocarray(c->hitend, total,
	    sizeof(*c->hitend));
	c->gen = 0;
}

/* Position i of s passed the bitmap: compare the needles of its hash. */
static void
scan_at(struct sift_classifier *c, const struct scanner *sc,
    struct sift_str s, size_t i, uint32_t gen)
{
	const unsigned char *p = (const unsigned char *)s.p;
	uint32_t h = tri_hash(p + i);
	size_t lo = 0, hi = sc->ncand;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sc->cand[mid].h < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < sc->ncand && sc->cand[lo].h == h; lo++) {
		unsigned ri = sc->cand[lo].rule;
		const struct crule *r = rule_at(c, ri);

		if (c->stamp[ri] == gen || r->n1 > s.n - i ||
		    memcmp(p + i, r->r.text, r->n1) != 0)
			continue;
		c->stamp[ri] = gen;
		c->hitend[ri] = s.p + i + r->n1;
		c->hits[r->r.where][c->nhits[r->r.where]++] = (uint16_t)ri;
	}
}

/* Scan s once for every literal of this kind; stamp the rules found. */
static void
scan_subject(struct sift_classifier *c, struct scanner *sc,
    struct sift_str s)
{
	const unsigned char *p = (const unsigned char *)s.p;
	size_t i = 0;
	uint32_t gen;

	if (++c->gen == 0) {
		memset(c->stamp, 0, sift_classifier_nrules(c) *
		    sizeof(*c->stamp));
		c->gen = 1;
	}
	gen = sc->gen = c->gen;
	sc->subj = s.p;
	sc->subjn = s.n;
	c->nhits[sc - c->scan] = 0;
	if (s.n < 3)
		return;
	/*
	 * Six positions per 8-byte load (little-endian: byte j of the word
	 * is p[i + j], so the word shifted by 8j holds tri_hash()'s value
	 * for position i + j), their bitmap bits gathered without a branch;
	 * positions whose bit is set are looked at in order.
	 */
	if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) {
		for (; i + 8 <= s.n; i += 6) {
			uint64_t w, hit = 0;

			memcpy(&w, p + i, 8);
			for (unsigned j = 0; j < 6; j++) {
				uint32_t v = (uint32_t)(w >> (8 * j)) &
				    0xffffff;
				uint32_t h = (v * UINT32_C(2654435761)) >>
				    (32 - TRI_BITS);

				hit |= ((sc->bits[h / 64] >> (h % 64)) & 1) << j;
			}
			while (hit != 0) {
				unsigned j = (unsigned)__builtin_ctzll(hit);

				hit &= hit - 1;
				scan_at(c, sc, s, i + j, gen);
			}
		}
	}
	for (; i + 3 <= s.n; i++) {
		uint32_t h = tri_hash(p + i);

		if ((sc->bits[h / 64] & (UINT64_C(1) << (h % 64))) != 0)
			scan_at(c, sc, s, i, gen);
	}
}

static void
reindex(struct sift_classifier *c)
{
	size_t total = c->nuser + SIFT_ARRAY_SIZE(builtin);

	build_scanners(c, total);

	c->evmask = sift_xreallocarray(c->evmask, total, sizeof(uint64_t));
	for (int w = 0; w < 2; w++)
		c->hits[w] = sift_xreallocarray(c->hits[w], total,
		    sizeof(uint16_t));
	for (size_t i = 0; i < total; i++) {
		const struct crule *r = rule_at(c, i);

		c->evmask[i] = r->r.events == 0 ? ~UINT64_C(0) : r->r.events;
	}
	for (int e = 0; e < SIFT_EV__COUNT; e++) {
		c->byev[e] = sift_xreallocarray(c->byev[e], total,
		    sizeof(uint16_t));
		c->nsev[e] = sift_xreallocarray(c->nsev[e], total,
		    sizeof(uint16_t));
		c->nbyev[e] = c->nnsev[e] = 0;
		c->firstsc[e][0] = c->firstsc[e][1] = UINT32_MAX;
		for (size_t i = 0; i < total; i++) {
			const struct crule *r = rule_at(c, i);

			if ((c->evmask[i] & SIFT_EVMASK(e)) == 0)
				continue;
			c->byev[e][c->nbyev[e]++] = (uint16_t)i;
			if (!scanned(r))
				c->nsev[e][c->nnsev[e]++] = (uint16_t)i;
			else if (c->firstsc[e][r->r.where] == UINT32_MAX)
				c->firstsc[e][r->r.where] = (uint32_t)i;
		}
	}
}

struct sift_classifier *
sift_classifier_new(void)
{
	struct sift_classifier *c;

	c = sift_xcalloc(1, sizeof(*c));
	sift_arena_init(&c->arena);
	for (size_t i = 0; i < SIFT_ARRAY_SIZE(builtin); i++) {
		c->base[i].r = builtin[i];
		c->base[i].n1 = builtin[i].text != NULL ?
		    strlen(builtin[i].text) : 0;
		c->base[i].n2 = builtin[i].text2 != NULL ?
		    strlen(builtin[i].text2) : 0;
	}
	for (int i = 0; i < SIFT_CL__BUILTIN; i++)
		snprintf(c->names[i], sizeof(c->names[i]), "%s",
		    classes[i].name);
	c->nclasses = SIFT_CL__BUILTIN;
	reindex(c);
	return c;
}

void
sift_classifier_free(struct sift_classifier *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nuser; i++) {
		pcre2_match_data_free(c->user[i].md);
		pcre2_code_free(c->user[i].re);
	}
	free(c->user);
	free(c->scan[0].cand);
	free(c->scan[1].cand);
	free(c->stamp);
	free(c->hitend);
	free(c->evmask);
	free(c->hits[0]);
	free(c->hits[1]);
	for (int e = 0; e < SIFT_EV__COUNT; e++) {
		free(c->byev[e]);
		free(c->nsev[e]);
	}
	pcre2_match_context_free(c->mctx);
	sift_arena_release(&c->arena);
	free(c);
}

int
sift_classifier_add_rule(struct sift_classifier *c,
    const struct sift_rule *r, const char *file, unsigned lineno,
    struct sift_err *err)
{
	struct crule cr;
	int ecode;
	PCRE2_SIZE eoff;
	PCRE2_UCHAR emsg[160];

	if (c->nuser >= 4096)
		return sift_err_set(err, SIFT_E_LIMIT, 0,
		    "%s:%u: too many rules", file, lineno);
	memset(&cr, 0, sizeof(cr));
	cr.r = *r;
	cr.user = true;
	if (r->text != NULL) {
		cr.n1 = strlen(r->text);
		cr.r.text = sift_arena_strndup(&c->arena, r->text, cr.n1);
	}
	if (r->text2 != NULL) {
		cr.n2 = strlen(r->text2);
		cr.r.text2 = sift_arena_strndup(&c->arena, r->text2, cr.n2);
	}
	cr.r.note = NULL;
	if ((r->flags & SIFT_RF_REGEX) != 0) {
		cr.re = pcre2_compile((PCRE2_SPTR)r->text, cr.n1, 0, &ecode,
		    &eoff, NULL);
		if (cr.re == NULL) {
			pcre2_get_error_message(ecode, emsg, sizeof(emsg));
			return sift_err_set(err, SIFT_E_REGEX, 0,
			    "%s:%u: %s at offset %zu", file, lineno,
			    (const char *)emsg, (size_t)eoff);
		}
		(void)pcre2_jit_compile(cr.re, PCRE2_JIT_COMPLETE);
		cr.md = pcre2_match_data_create(1, NULL);
		if (c->mctx == NULL) {
			c->mctx = pcre2_match_context_create(NULL);
			pcre2_set_match_limit(c->mctx, 1000000);
			pcre2_set_depth_limit(c->mctx, 10000);
		}
	}
	if (c->nuser == c->capuser) {
		c->capuser = c->capuser ? c->capuser * 2 : 16;
		c->user = sift_xreallocarray(c->user, c->capuser,
		    sizeof(*c->user));
	}
	c->user[c->nuser++] = cr;
	reindex(c);
	return 0;
}

struct sift_classifier *
sift_classifier_clone(const struct sift_classifier *c)
{
	struct sift_classifier *n;
	struct sift_err e;

	n = sift_classifier_new();
	memcpy(n->names, c->names, sizeof(n->names));
	n->nclasses = c->nclasses;
	for (size_t i = 0; i < c->nuser; i++)
		if (sift_classifier_add_rule(n, &c->user[i].r, "clone", 0, &e) == -1) {
			/* It compiled once; it compiles again. */
			sift_classifier_free(n);
			return NULL;
		}
	return n;
}

int
sift_classifier_nclasses(const struct sift_classifier *c)
{
	return c->nclasses;
}

const char *
sift_classifier_class_name(const struct sift_classifier *c, int id)
{
	if (id < 0 || id >= c->nclasses)
		return NULL;
	return c->names[id];
}

int
sift_classifier_class_id(const struct sift_classifier *c, const char *name,
    size_t n)
{
	for (int i = 0; i < c->nclasses; i++)
		if (strlen(c->names[i]) == n && memcmp(c->names[i], name, n) == 0)
			return i;
	return -1;
}

size_t
sift_classifier_nrules(const struct sift_classifier *c)
{
	return c->nuser + SIFT_ARRAY_SIZE(builtin);
}

const struct sift_rule *
sift_classifier_rule(const struct sift_classifier *c, size_t i)
{
	if (i >= sift_classifier_nrules(c))
		return NULL;
	return &rule_at(c, i)->r;
}

bool
sift_classifier_rule_is_user(const struct sift_classifier *c, size_t i)
{
	return i < c->nuser;
}

/* The address written right after a rule's text: "1.2.3.4", "[::1]". */
static int
ip_after(const char *p, const char *end, struct sift_addr *a)
{
	const char *q;

	while (p < end && (*p == ' ' || *p == '['))
		p++;
	for (q = p; q < end && q - p < SIFT_ADDR_STRLEN; q++) {
		char ch = *q;

		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
		    (ch >= 'A' && ch <= 'F') || ch == '.' || ch == ':'))
			break;
	}
	if (q == p)
		return -1;
	/* A trailing "." or ":" is punctuation, not part of the address. */
	while (q > p && (q[-1] == '.' || (q[-1] == ':' && q - p > 1 &&
	    q[-2] != ':')))
		q--;
	return sift_addr_parse(p, (size_t)(q - p), a);
}

static bool
rule_match(struct sift_classifier *c, size_t ri, const struct crule *cr,
    const struct sift_rec *rec, struct sift_match *m, bool naive)
{
	const struct sift_rule *r = &cr->r;
	struct sift_str s;
	const char *hit, *hend;

	if (r->stages != 0 && (r->stages & SIFT_STMASK(rec->stage)) == 0)
		return false;
	if (r->where == SIFT_RW_TEXT)
		s = rec->text;
	else if (!sift_str_empty(rec->reason))
		s = rec->reason;
	else if (rec->event == SIFT_EV_REJECT ||
	    rec->event == SIFT_EV_TEMPREJECT)
		s = SIFT_STR_NULL;	/* a rejection without a reason */
	else
		s = rec->text;
	if (r->text == NULL) {
		hend = s.p;
	} else if ((r->flags & SIFT_RF_REGEX) != 0) {
		int rc;
		PCRE2_SIZE *ov;

		if (s.p == NULL)
			s = sift_str_make("", 0);
		rc = pcre2_match(cr->re, (PCRE2_SPTR)s.p, s.n, 0,
		    (r->flags & SIFT_RF_ANCHOR) ? PCRE2_ANCHORED : 0, cr->md,
		    c->mctx);
		if (rc < 0)
			return false;
		ov = pcre2_get_ovector_pointer(cr->md);
		hend = s.p + ov[1];
	} else if ((r->flags & SIFT_RF_ANCHOR) != 0) {
		if (!sift_str_startswith(s, r->text, cr->n1))
			return false;
		hend = s.p + cr->n1;
	} else if (scanned(cr) && !naive) {
		struct scanner *sc = &c->scan[r->where];

		if (s.p == NULL)
			return false;
		if (sc->subj != s.p || sc->subjn != s.n)
			scan_subject(c, sc, s);
		if (c->stamp[ri] != sc->gen)
			return false;
		hend = c->hitend[ri];
	} else {
		if ((hit = sift_str_find(s, r->text, cr->n1)) == NULL)
			return false;
		hend = hit + cr->n1;
	}
	if (r->text2 != NULL) {
		struct sift_str rest = sift_str_make(hend,
		    (size_t)(s.p + s.n - hend));

		if (sift_str_find(rest, r->text2, cr->n2) == NULL)
			return false;
	}
	m->ip = rec->ip;
	if (m->ip.family == 0 && (r->flags & SIFT_RF_IPAFTER) != 0 &&
	    hend != NULL && ip_after(hend, s.p + s.n, &m->ip) == -1)
		m->ip.family = 0;
	return true;
}

/* The subject rules of kind w look at in rec (see rule_match()). */
static struct sift_str
subject(const struct sift_rec *rec, int w)
{
	if (w == SIFT_RW_TEXT)
		return rec->text;
	if (!sift_str_empty(rec->reason))
		return rec->reason;
	if (rec->event == SIFT_EV_REJECT || rec->event == SIFT_EV_TEMPREJECT)
		return SIFT_STR_NULL;
	return rec->text;
}

static void
sort_hits(uint16_t *h, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		uint16_t v = h[i];
		size_t j = i;

		while (j > 0 && h[j - 1] > v) {
			h[j] = h[j - 1];
			j--;
		}
		h[j] = v;
	}
}

/*
 * First match in rule order, as sift_classify_ref() finds it, without
 * trying every rule: the literals scanned for (most of the catalogue) are
 * found by one pass over each subject, done when the walk reaches the
 * first of them for this event; between them only the other rules (no
 * text, anchored, regular expressions, short literals) are tried one by
 * one, and of the scanned ones only those the pass hit.
 */
int
sift_classify(struct sift_classifier *c, const struct sift_rec *rec,
    struct sift_match *m)
{
	unsigned ev = (unsigned)rec->event;
	const uint16_t *ns;
	size_t nns, i = 0, j[2] = { 0, 0 };
	uint64_t evbit;
	bool done[2] = { false, false };

	m->cls = SIFT_CLASS_NONE;
	m->rule = -1;
	m->ip.family = 0;
	if (ev >= SIFT_EV__COUNT)
		return m->cls;
	evbit = SIFT_EVMASK(ev);
	ns = c->nsev[ev];
	nns = c->nnsev[ev];
	c->scan[0].subj = c->scan[1].subj = NULL;	/* a new record */
	c->nhits[0] = c->nhits[1] = 0;
	for (;;) {
		uint32_t next = i < nns ? ns[i] : UINT32_MAX, cand[2];
		int w, from = -1;	/* -1: ns, 0/1: a scanner */

		for (w = 0; w < 2; w++) {
			if (!done[w])
				cand[w] = c->firstsc[ev][w];
			else {
				/* skip hits of rules this event does not try */
				while (j[w] < c->nhits[w] &&
				    (c->evmask[c->hits[w][j[w]]] & evbit) == 0)
					j[w]++;
				cand[w] = j[w] < c->nhits[w] ?
				    c->hits[w][j[w]] : UINT32_MAX;
			}
			if (cand[w] < next) {
				next = cand[w];
				from = w;
			}
		}
		if (next == UINT32_MAX)
			break;
		if (from >= 0 && !done[from]) {
			/* the first scanned rule of this subject: scan it */
			struct sift_str sj = subject(rec, from);

			done[from] = true;
			if (sj.p != NULL) {
				scan_subject(c, &c->scan[from], sj);
				sort_hits(c->hits[from], c->nhits[from]);
			} else
				c->nhits[from] = 0;
			continue;
		}
		if (from >= 0)
			j[from]++;
		else
			i++;
		if (rule_match(c, next, rule_at(c, next), rec, m, false)) {
			const struct crule *cr = rule_at(c, next);

			m->rule = (int)next;
			m->cls = cr->r.cls >= 0 ? cr->r.cls : SIFT_CLASS_NONE;
			if (m->cls == SIFT_CLASS_NONE)
				m->ip.family = 0;
			return m->cls;
		}
	}
	m->ip.family = 0;
	return m->cls;
}

int
sift_classify_ref(struct sift_classifier *c, const struct sift_rec *rec,
    struct sift_match *m)
{
	unsigned ev = (unsigned)rec->event;
	const uint16_t *idx;
	size_t n;

	m->cls = SIFT_CLASS_NONE;
	m->rule = -1;
	m->ip.family = 0;
	if (ev >= SIFT_EV__COUNT)
		return m->cls;
	idx = c->byev[ev];
	n = c->nbyev[ev];
	c->scan[0].subj = c->scan[1].subj = NULL;	/* a new record */
	for (size_t i = 0; i < n; i++) {
		const struct crule *cr = rule_at(c, idx[i]);

		if (rule_match(c, idx[i], cr, rec, m, true)) {
			m->rule = idx[i];
			m->cls = cr->r.cls >= 0 ? cr->r.cls : SIFT_CLASS_NONE;
			if (m->cls == SIFT_CLASS_NONE)
				m->ip.family = 0;
			return m->cls;
		}
	}
	return m->cls;
}

int
sift_classifier_class_define(struct sift_classifier *c, const char *name,
    size_t n)
{
	int id = sift_classifier_class_id(c, name, n);

	if (id >= 0)
		return id;
	if (c->nclasses >= SIFT_CLASS_MAX || n == 0 ||
	    n > SIFT_CLASS_NAMEMAX)
		return -1;
	memcpy(c->names[c->nclasses], name, n);
	c->names[c->nclasses][n] = '\0';
	return c->nclasses++;
}

bool
sift_classifier_event_used(const struct sift_classifier *c,
    enum sift_event ev)
{
	return (unsigned)ev < SIFT_EV__COUNT && c->nbyev[ev] != 0;
}

bool
sift_classifier_event_counts(const struct sift_classifier *c,
    enum sift_event ev)
{
	if ((unsigned)ev >= SIFT_EV__COUNT)
		return false;
	for (size_t i = 0; i < c->nbyev[ev]; i++)
		if (rule_at(c, c->byev[ev][i])->r.cls >= 0)
			return true;
	return false;
}

#define AN6(c)	[c] = 1, [c + 1] = 1, [c + 2] = 1, [c + 3] = 1, [c + 4] = 1, \
	[c + 5] = 1
#define AN10(c)	AN6(c), [c + 6] = 1, [c + 7] = 1, [c + 8] = 1, [c + 9] = 1
static const unsigned char idtab[256] = {
	AN10('0'), AN10('A'), AN10('K'), AN6('U'), AN10('a'), AN10('k'),
	AN6('u'),
};
#undef AN10
#undef AN6

/* Letters and digits only; branch-free (message ids are short). */
static inline bool
idchars(const char *p, size_t n)
{
	unsigned ok = 1;

	for (size_t i = 0; i < n; i++)
		ok &= idtab[(unsigned char)p[i]];
	return ok != 0;
}

static bool
digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

/* Letters, digits, '.', '-', '_': host names in their plainest form. */
static inline bool
namechar(char ch)
{
	return idtab[(unsigned char)ch] || ch == '.' || ch == '-' ||
	    ch == '_';
}

/* What the parser takes inside the host's [...]. */
static inline bool
brchar(char ch)
{
	return idtab[(unsigned char)ch] || ch == '.' || ch == ':' ||
	    ch == '%' || ch == '_' || ch == '-';
}

/*
 * "[addr]" at p, then ":port" (digits), then a space; returns the byte
 * after the space, or NULL for any other shape.
 */
static const char *
plain_bracket(const char *p, const char *e)
{
	const char *q = p + 1;

	if (p >= e || *p != '[')
		return NULL;
	while (q < e && brchar(*q) && q - p < 70)
		q++;
	if (q >= e || *q != ']' || q == p + 1)
		return NULL;
	q++;
	if (q < e && *q == ':') {
		const char *d = ++q;

		while (q < e && *q >= '0' && *q <= '9')
			q++;
		if (q == d)
			return NULL;
	}
	return q < e && *q == ' ' ? q + 1 : NULL;
}

/*
 * After "SMTP connection from ": CONNECT or CLOSE when the host is in its
 * plainest shape ("[name ][(helo) ][addr][:port] ", a HELO without
 * spaces or parentheses, an optional "I=[addr]:port " after it) and the
 * text that follows says which; else -1. In this shape the parser can
 * only end the host where this does, so it finds the same event.
 */
static int
smtp_connection(const char *p, const char *e)
{
	const char *q = p;

	if (q < e && *q != '(' && *q != '[') {
		while (q < e && namechar(*q))
			q++;
		if (q == p || e - q < 2 || *q != ' ' ||
		    (q[1] != '(' && q[1] != '['))
			return -1;
		q++;
	}
	if (q < e && *q == '(') {
		const char *c = q + 1;

		while (c < e && *c != ')' && *c != '(' && *c != ' ')
			c++;
		if (e - c < 3 || *c != ')' || c[1] != ' ' || c[2] != '[')
			return -1;
		q = c + 2;
	}
	if ((q = plain_bracket(q, e)) == NULL)
		return -1;
	if (e - q > 2 && q[0] == 'I' && q[1] == '=' &&
	    (q = plain_bracket(q + 2, e)) == NULL)
		return -1;
	if (e - q >= 24 && memcmp(q, "(TCP/IP connection count", 24) == 0)
		return SIFT_EV_CONNECT;
	if (e - q >= 7 && memcmp(q, "closed ", 7) == 0)
		return SIFT_EV_CLOSE;
	return -1;
}

/*
 * The event of a plain Exim line whose shape says it for certain, or -1:
 * message lines with a delivery flag or "Completed", and
 * "no host name found for IP address".
 */
int
sift_line_quick_event(struct sift_str line)
{
	const char *p = line.p, *end = line.p + line.n;
	size_t idn;

	/* YYYY-MM-DD HH:MM:SS */
	if (line.n < 40 || !sift_ts_shape(p))
		return -1;
	p += 19;
	if (*p == '.' && digits(p + 1, 3))
		p += 4;
	if (p[0] == ' ' && (p[1] == '+' || p[1] == '-') && digits(p + 2, 4))
		p += 6;
	if (p[0] == ' ' && p[1] == '[') {
		const char *q = p + 2;

		while (q < end && *q >= '0' && *q <= '9')
			q++;
		if (q == p + 2 || q >= end || *q != ']')
			return -1;
		p = q + 1;
	}
	/* a [pid] may run to the end of the line */
	if (end - p < 8 || *p++ != ' ')
		return -1;
	/* neither text has the '-' of a message id at [6] */
	if (p[6] != '-') {
		if (end - p > 34 && memcmp(p,
		    "no host name found for IP address ", 34) == 0)
			return SIFT_EV_HOST_LOOKUP;
		if (end - p > 21 && memcmp(p, "SMTP connection from ",
		    21) == 0)
			return smtp_connection(p + 21, end);
		return -1;
	}
	/* 1xUxdl-0004eL-2P or 10HmaX-000000005vi-0000 */
	if (end - p > 17 && p[6] == '-' && p[13] == '-' && p[16] == ' ')
		idn = 16;
	else if (end - p > 24 && p[6] == '-' && p[18] == '-' && p[23] == ' ')
		idn = 23;
	else
		return -1;
	if (!idchars(p, 6) || !idchars(p + 7, idn == 16 ? 6 : 11) ||
	    !idchars(p + idn - (idn == 16 ? 2 : 4), idn == 16 ? 2 : 4))
		return -1;
	p += idn + 1;
	if (end - p < 3)
		return -1;
	if (p[2] == ' ') {
		switch ((unsigned char)p[0] << 8 | (unsigned char)p[1]) {
		case '<' << 8 | '=':
			return SIFT_EV_ARRIVAL;
		case '=' << 8 | '>':
			return SIFT_EV_DELIVERY;
		case '-' << 8 | '>':
			return SIFT_EV_ADDITIONAL;
		case '>' << 8 | '>':
			return SIFT_EV_CUTTHROUGH;
		case '*' << 8 | '>':
			return SIFT_EV_SUPPRESSED;
		case '=' << 8 | '=':
			return SIFT_EV_DEFER;
		case '*' << 8 | '*':
			return SIFT_EV_FAIL;
		default:
			break;
		}
	}
	if (end - p == 9 && memcmp(p, "Completed", 9) == 0)
		return SIFT_EV_COMPLETED;
	return -1;
}

bool
sift_line_is_delivery(struct sift_str line)
{
	int ev = sift_line_quick_event(line);

	return ev >= SIFT_EV_ARRIVAL && ev <= SIFT_EV_COMPLETED;
}
