/* SPDX-License-Identifier: ISC */
/*
 * genlog: a fast, deterministic generator of a realistic Exim 4.96/4.97
 * mainlog for benchmarks (see bench/README.md for the options).
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sift.h"
#include "banned.h"

#define OUTBUF		(1024 * 1024)
#define OUTSLACK	(16 * 1024)

struct gen {
	uint64_t	 rng;
	uint64_t	 seed;
	uint64_t	 naddr;
	double		 lognaddr;
	unsigned	 pct6;		/* share of IPv6 clients, percent */
	unsigned	 pctrate;	/* share of "Rate limited" lines */
	bool		 ms, tz, pid, port, newids;
	uint64_t	 limit;		/* bytes to write */
	uint64_t	 total;
	uint64_t	 lines;
	int64_t		 now_ms;	/* current time, ms since epoch */
	unsigned	 step_ms;	/* mean gap between lines */
	int64_t		 cached_sec;
	char		 datebuf[32];
	size_t		 datelen;
	uint32_t	 curpid;
	uint32_t	 idseq;
	char		*buf;
	size_t		 n;
	int		 fd;
};

static const char b62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static const char *const helos_bad[] = {
	"ylmf-pc", "User", "localhost", "WIN-8J3K2L1M0N", "admin",
	"mail.example.com", "example.com", "test", "ADMIN-PC", "hostname",
	"windows-server", "smtp.mail.ru", "[127.0.0.1]", "aaa.bbb.ccc",
};
static const char *const users[] = {
	"admin", "info", "test", "sales", "office", "support", "root", "web",
	"postmaster", "contact", "user", "mail", "backup", "marketing",
	"jobs", "hr", "billing", "webmaster", "noreply", "john",
};
static const char *const domains[] = {
	"example.com", "example.net", "example.org", "mail.example.test",
	"corp.example", "shop.example", "lists.example.org",
};
static const char *const localdoms[] = {
	"mx.example.test", "example.test", "lists.example.test",
};
static const char *const dnsbls[] = {
	"zen.spamhaus.org", "bl.spamcop.net", "b.barracudacentral.org",
	"dnsbl.sorbs.net", "psbl.surriel.com",
};
static const char *const tlserrs[] = {
	"(gnutls_handshake): The TLS connection was non-properly terminated.",
	"(gnutls_handshake): Could not negotiate a supported cipher suite.",
	"(gnutls_handshake): An unexpected TLS packet was received.",
	"(recv): The TLS connection was non-properly terminated.",
	"(gnutls_handshake): Error in the pull function.",
};
static const char *const synerrs[] = {
	"GET / HTTP/1.1", "POST /cgi-bin/ HTTP/1.0", "HEAD / HTTP/1.0",
	"CONNECT 1.2.3.4:25 HTTP/1.0", "\\026\\003\\001", "USER admin",
	"", "XYZ",
};

static void
flush(struct gen *g)
{
	size_t off = 0;
	ssize_t w;

	while (off < g->n) {
		w = write(g->fd, g->buf + off, g->n - off);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			perror("genlog: write");
			exit(2);
		}
		off += (size_t)w;
	}
	g->n = 0;
}

static inline void
put(struct gen *g, const char *s, size_t n)
{
	memcpy(g->buf + g->n, s, n);
	g->n += n;
}

#define PUTL(g, lit)	put((g), (lit), sizeof(lit) - 1)

static inline void
puts_(struct gen *g, const char *s)
{
	put(g, s, strlen(s));
}

static inline void
putc_(struct gen *g, char c)
{
	g->buf[g->n++] = c;
}

static inline void
putu(struct gen *g, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	put(g, tmp + i, sizeof(tmp) - i);
}

static inline void
putu0(struct gen *g, unsigned v, int width)
{
	char tmp[8];

	for (int i = width - 1; i >= 0; i--) {
		tmp[i] = (char)('0' + v % 10);
		v /= 10;
	}
	put(g, tmp, (size_t)width);
}

static inline void
putx(struct gen *g, unsigned v)
{
	static const char hx[] = "0123456789abcdef";
	char tmp[8];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = hx[v & 15];
		v >>= 4;
	} while (v != 0);
	put(g, tmp + i, sizeof(tmp) - i);
}

static inline uint64_t
rnd(struct gen *g)
{
	/* splitmix64: fast, and good enough for a workload generator */
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t
mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline unsigned
rn(struct gen *g, unsigned n)
{
	return (unsigned)(((rnd(g) >> 32) * n) >> 32);
}

#define PICK(g, a)	((a)[rn((g), SIFT_COUNT(a))])
#define SIFT_COUNT(a)	(sizeof(a) / sizeof((a)[0]))

/* Heavy-tailed (Zipf, s = 1) rank in [0, naddr): P(k) ~ 1/(k+1). */
static inline uint64_t
zipf(struct gen *g)
{
	double u = (double)(rnd(g) >> 11) * 0x1.0p-53;
	uint64_t r = (uint64_t)exp(u * g->lognaddr);

	return r == 0 ? 0 : r - 1 >= g->naddr ? g->naddr - 1 : r - 1;
}

static inline uint64_t
uniform_rank(struct gen *g)
{
	return rnd(g) % g->naddr;
}

struct host {
	uint64_t	 h;
	bool		 v6;
	bool		 named;
	unsigned	 port;
};

static void
host_of(struct gen *g, uint64_t rank, struct host *ho)
{
	ho->h = mix(rank ^ g->seed * 0x2545f4914f6cdd1dULL);
	ho->v6 = (ho->h >> 56) % 100 < g->pct6;
	ho->named = (ho->h >> 48) % 3 == 0;
	ho->port = 1024 + rn(g, 64000);
}

static void
put_ip(struct gen *g, const struct host *ho)
{
	uint64_t h = ho->h;
	unsigned a;

	if (ho->v6) {
		PUTL(g, "2a0");
		putx(g, (unsigned)(h % 10));
		putc_(g, ':');
		putx(g, (unsigned)(h >> 8) & 0xffff);
		putc_(g, ':');
		putx(g, (unsigned)(h >> 24) & 0xffff);
		putc_(g, ':');
		putx(g, (unsigned)(h >> 40) & 0xfff);
		PUTL(g, "::");
		putx(g, 1 + ((unsigned)(h >> 52) & 0xfff));
		return;
	}
	/* avoid 0/8, 10/8, 127/8 and multicast and above */
	a = 1 + (unsigned)(h % 222);
	if (a == 10 || a == 127)
		a++;
	putu(g, a);
	putc_(g, '.');
	putu(g, (h >> 8) & 0xff);
	putc_(g, '.');
	putu(g, (h >> 16) & 0xff);
	putc_(g, '.');
	putu(g, 1 + ((h >> 24) % 254));
}

/* "[ip]" or "[ip]:port" */
static void
put_bip(struct gen *g, const struct host *ho)
{
	putc_(g, '[');
	put_ip(g, ho);
	putc_(g, ']');
	if (g->port) {
		putc_(g, ':');
		putu(g, ho->port);
	}
}

static void
put_rdns(struct gen *g, const struct host *ho)
{
	uint64_t h = ho->h;

	if ((h >> 20) % 4 == 0) {
		PUTL(g, "mail");
		putu(g, (h >> 8) % 10);
		PUTL(g, ".relay");
		putu(g, (h >> 30) % 5000);
		PUTL(g, ".example.net");
	} else {
		PUTL(g, "host-");
		putu(g, (h >> 8) & 0xff);
		putc_(g, '-');
		putu(g, (h >> 16) & 0xff);
		PUTL(g, ".dyn.isp");
		putu(g, (h >> 30) % 300);
		PUTL(g, ".example.com");
	}
}

static void
put_helo(struct gen *g, const struct host *ho, bool legit)
{
	if (legit && ho->named) {
		put_rdns(g, ho);
		return;
	}
	switch ((ho->h >> 36) % 4) {
	case 0:
		putc_(g, '[');
		put_ip(g, ho);
		putc_(g, ']');
		break;
	case 1:
		puts_(g, helos_bad[(ho->h >> 40) % SIFT_COUNT(helos_bad)]);
		break;
	default:
		PUTL(g, "client");
		putu(g, (ho->h >> 12) % 997);
		PUTL(g, ".example.org");
		break;
	}
}

/* Exim's host part: "name (helo) [ip]:port" / "(helo) [ip]" / "[ip]" */
static void
put_hostid(struct gen *g, const struct host *ho, bool legit, bool helo)
{
	if (ho->named) {
		put_rdns(g, ho);
		putc_(g, ' ');
	}
	if (helo) {
		putc_(g, '(');
		put_helo(g, ho, legit);
		PUTL(g, ") ");
	}
	put_bip(g, ho);
}

static void
put_addr(struct gen *g, bool local)
{
	puts_(g, PICK(g, users));
	putu(g, rn(g, 100));
	putc_(g, '@');
	puts_(g, local ? PICK(g, localdoms) : PICK(g, domains));
}

struct msgid {
	char	 s[24];
	size_t	 n;
};

static void
new_msgid(struct gen *g, struct msgid *id)
{
	char *p = id->s;
	uint64_t t = (uint64_t)(g->now_ms / 1000);
	uint64_t v;
	int i;

	/* 6 base-62 digits of time, pid, sub-second fraction */
	for (i = 5, v = t; i >= 0; i--, v /= 62)
		p[i] = b62[v % 62];
	p[6] = '-';
	if (g->newids) {
		for (i = 17, v = g->curpid + ((uint64_t)g->idseq << 32);
		    i >= 7; i--, v /= 62)
			p[i] = b62[v % 62];
		p[18] = '-';
		for (i = 22, v = (uint64_t)(g->now_ms % 1000) * 1000 +
		    g->idseq % 1000; i >= 19; i--, v /= 62)
			p[i] = b62[v % 62];
		id->n = 23;
	} else {
		for (i = 12, v = g->curpid; i >= 7; i--, v /= 62)
			p[i] = b62[v % 62];
		p[13] = '-';
		v = (uint64_t)(g->now_ms % 1000) * 2 + g->idseq % 2;
		p[14] = b62[(v / 62) % 62];
		p[15] = b62[v % 62];
		id->n = 16;
	}
	g->idseq++;
}

static void
set_date(struct gen *g, int64_t sec)
{
	struct tm tm;
	time_t t = (time_t)sec;
	char *p = g->datebuf;

	gmtime_r(&t, &tm);
	{
		/* YYYY-MM-DD HH:MM:SS */
		unsigned y = (unsigned)tm.tm_year + 1900;

		p[0] = (char)('0' + y / 1000);
		p[1] = (char)('0' + y / 100 % 10);
		p[2] = (char)('0' + y / 10 % 10);
		p[3] = (char)('0' + y % 10);
		p[4] = '-';
		p[5] = (char)('0' + (tm.tm_mon + 1) / 10);
		p[6] = (char)('0' + (tm.tm_mon + 1) % 10);
		p[7] = '-';
		p[8] = (char)('0' + tm.tm_mday / 10);
		p[9] = (char)('0' + tm.tm_mday % 10);
		p[10] = ' ';
		p[11] = (char)('0' + tm.tm_hour / 10);
		p[12] = (char)('0' + tm.tm_hour % 10);
		p[13] = ':';
		p[14] = (char)('0' + tm.tm_min / 10);
		p[15] = (char)('0' + tm.tm_min % 10);
		p[16] = ':';
		p[17] = (char)('0' + tm.tm_sec / 10);
		p[18] = (char)('0' + tm.tm_sec % 10);
		g->datelen = 19;
	}
	g->cached_sec = sec;
}

/* Start a line: timestamp, optional .mmm, zone, [pid]; advances time. */
static void
begin(struct gen *g, uint32_t pid)
{
	int64_t sec;

	g->now_ms += rn(g, 2 * g->step_ms + 1);
	sec = g->now_ms / 1000;
	if (sec != g->cached_sec)
		set_date(g, sec);
	put(g, g->datebuf, g->datelen);
	if (g->ms) {
		putc_(g, '.');
		putu0(g, (unsigned)(g->now_ms % 1000), 3);
	}
	if (g->tz)
		PUTL(g, " +0000");
	if (g->pid) {
		PUTL(g, " [");
		putu(g, pid);
		putc_(g, ']');
	}
	putc_(g, ' ');
}

static void
end(struct gen *g)
{
	putc_(g, '\n');
	g->lines++;
}

static void
begin_id(struct gen *g, uint32_t pid, const struct msgid *id)
{
	begin(g, pid);
	put(g, id->s, id->n);
	putc_(g, ' ');
}

static uint32_t
next_pid(struct gen *g)
{
	g->curpid += 1 + rn(g, 7);
	if (g->curpid > 4000000)
		g->curpid = 300 + rn(g, 1000);
	return g->curpid;
}

static void
nohost(struct gen *g, uint32_t pid, const struct host *ho)
{
	if (ho->named)
		return;
	begin(g, pid);
	PUTL(g, "no host name found for IP address ");
	put_ip(g, ho);
	end(g);
}

static void
ev_legit(struct gen *g)
{
	struct host ho;
	struct msgid id;
	uint32_t pid = next_pid(g), dpid;
	unsigned nrcpt = 1 + (rn(g, 4) == 0) + (rn(g, 8) == 0);

	host_of(g, uniform_rank(g), &ho);
	new_msgid(g, &id);
	begin_id(g, pid, &id);
	PUTL(g, "<= ");
	put_addr(g, false);
	PUTL(g, " H=");
	put_hostid(g, &ho, true, true);
	if (rn(g, 3) != 0)
		PUTL(g, " P=esmtps X=TLS1.3:TLS_AES_256_GCM_SHA384:256 "
		    "CV=no S=");
	else
		PUTL(g, " P=esmtp S=");
	putu(g, 800 + rn(g, 60000));
	PUTL(g, " id=");
	putx(g, (unsigned)rnd(g));
	putc_(g, '.');
	putu(g, rn(g, 100000));
	putc_(g, '@');
	puts_(g, PICK(g, domains));
	end(g);
	dpid = next_pid(g);
	for (unsigned i = 0; i < nrcpt; i++) {
		begin_id(g, dpid, &id);
		PUTL(g, "=> ");
		puts_(g, PICK(g, users));
		PUTL(g, " <");
		puts_(g, users[i]);
		PUTL(g, "@example.test> R=local_user T=mail_spool");
		end(g);
	}
	begin_id(g, dpid, &id);
	PUTL(g, "Completed");
	end(g);
}

static void
ev_remote(struct gen *g)
{
	struct msgid id;
	uint32_t pid = next_pid(g);
	struct host ho;

	host_of(g, uniform_rank(g), &ho);
	new_msgid(g, &id);
	begin_id(g, pid, &id);
	PUTL(g, "<= ");
	put_addr(g, true);
	PUTL(g, " U=www-data P=local S=");
	putu(g, 500 + rn(g, 5000));
	end(g);
	begin_id(g, pid, &id);
	PUTL(g, "=> ");
	put_addr(g, false);
	PUTL(g, " R=dnslookup T=remote_smtp H=");
	put_rdns(g, &ho);
	PUTL(g, " [");
	put_ip(g, &ho);
	PUTL(g, "] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes C=\"250 2.0.0 "
	    "Ok: queued as ");
	putx(g, (unsigned)rnd(g));
	PUTL(g, "\"");
	end(g);
	begin_id(g, pid, &id);
	PUTL(g, "Completed");
	end(g);
}

static void
ev_defer(struct gen *g)
{
	struct msgid id;
	uint32_t pid = next_pid(g);
	struct host ho;

	host_of(g, uniform_rank(g), &ho);
	new_msgid(g, &id);
	begin_id(g, pid, &id);
	PUTL(g, "== ");
	put_addr(g, false);
	PUTL(g, " R=dnslookup T=remote_smtp defer (-44) H=");
	put_rdns(g, &ho);
	PUTL(g, " [");
	put_ip(g, &ho);
	PUTL(g, "]: SMTP error from remote mail server after RCPT TO:<");
	put_addr(g, false);
	PUTL(g, ">: 451 4.7.1 Greylisted, please try again later");
	end(g);
}

static void
ev_bounce(struct gen *g)
{
	struct msgid id, bid;
	uint32_t pid = next_pid(g);

	new_msgid(g, &id);
	begin_id(g, pid, &id);
	PUTL(g, "** ");
	put_addr(g, true);
	PUTL(g, ": Unrouteable address");
	end(g);
	new_msgid(g, &bid);
	begin_id(g, pid, &bid);
	PUTL(g, "<= <> R=");
	put(g, id.s, id.n);
	PUTL(g, " U=Debian-exim P=local S=");
	putu(g, 1500 + rn(g, 3000));
	end(g);
	begin_id(g, pid, &id);
	PUTL(g, "Completed");
	end(g);
}

/* "H=hostid F=<sender> rejected RCPT <rcpt>: " */
static void
rcpt_reject(struct gen *g, uint32_t pid, const struct host *ho, bool temp)
{
	begin(g, pid);
	PUTL(g, "H=");
	put_hostid(g, ho, false, true);
	PUTL(g, " F=<");
	put_addr(g, false);
	PUTL(g, "> ");
	if (temp)
		PUTL(g, "temporarily ");
	PUTL(g, "rejected RCPT <");
	put_addr(g, rn(g, 2) == 0);
	PUTL(g, ">: ");
}

static void
ev_relay(struct gen *g, const struct host *ho, uint32_t pid)
{
	rcpt_reject(g, pid, ho, false);
	PUTL(g, "relay not permitted");
	end(g);
}

static void
ev_unknown(struct gen *g, const struct host *ho, uint32_t pid)
{
	rcpt_reject(g, pid, ho, false);
	if (rn(g, 3) == 0)
		PUTL(g, "Unknown user");
	else
		PUTL(g, "Unrouteable address");
	end(g);
}

static void
ev_rate(struct gen *g, const struct host *ho, uint32_t pid)
{
	/* log_message = Rate limited: $sender_host_address */
	rcpt_reject(g, pid, ho, false);
	PUTL(g, "Rate limited: ");
	put_ip(g, ho);
	end(g);
}

static void
ev_auth(struct gen *g, const struct host *ho, uint32_t pid)
{
	begin(g, pid);
	puts_(g, rn(g, 2) ? "login_server" : "plain_server");
	PUTL(g, " authenticator failed for ");
	put_hostid(g, ho, false, true);
	PUTL(g, ": 535 Incorrect authentication data (set_id=");
	puts_(g, PICK(g, users));
	if (rn(g, 2))
		puts_(g, "@example.test");
	putc_(g, ')');
	end(g);
}

static void
ev_dnsbl(struct gen *g, const struct host *ho, uint32_t pid)
{
	if (rn(g, 3) == 0) {
		begin(g, pid);
		PUTL(g, "H=");
		put_hostid(g, ho, false, true);
		PUTL(g, " Warning: ");
		put_ip(g, ho);
		PUTL(g, " is listed at ");
		puts_(g, PICK(g, dnsbls));
		PUTL(g, " (127.0.0.");
		putu(g, 2 + rn(g, 10));
		PUTL(g, ": https://www.spamhaus.org/query/ip/");
		put_ip(g, ho);
		putc_(g, ')');
		end(g);
		return;
	}
	rcpt_reject(g, pid, ho, false);
	PUTL(g, "rejected because ");
	put_ip(g, ho);
	PUTL(g, " is in a black list at ");
	puts_(g, PICK(g, dnsbls));
	end(g);
}

static void
ev_helo(struct gen *g, const struct host *ho, uint32_t pid)
{
	begin(g, pid);
	switch (rn(g, 3)) {
	case 0:
		PUTL(g, "H=");
		put_hostid(g, ho, false, true);
		PUTL(g, " rejected EHLO or HELO ");
		put_helo(g, ho, false);
		PUTL(g, ": bad HELO name");
		break;
	case 1:
		PUTL(g, "rejected EHLO from ");
		put_bip(g, ho);
		PUTL(g, ": syntactically invalid argument(s): ");
		puts_(g, rn(g, 2) ? "!@#$%" : "my_host.local");
		break;
	default:
		PUTL(g, "H=");
		put_hostid(g, ho, false, true);
		PUTL(g, " F=<");
		put_addr(g, false);
		PUTL(g, "> rejected RCPT <");
		put_addr(g, true);
		PUTL(g, ">: HELO verify failed");
		break;
	}
	end(g);
}

static void
ev_sync(struct gen *g, const struct host *ho, uint32_t pid)
{
	begin(g, pid);
	if (rn(g, 2)) {
		PUTL(g, "SMTP protocol synchronization error (input sent "
		    "without waiting for greeting): rejected connection from "
		    "H=");
		put_bip(g, ho);
		PUTL(g, " input=\"EHLO ");
		put_helo(g, ho, false);
		PUTL(g, "\\r\\n\"");
	} else {
		PUTL(g, "SMTP protocol synchronization error (next input sent "
		    "too soon: pipelining was not advertised): rejected "
		    "\"EHLO ");
		put_helo(g, ho, false);
		PUTL(g, "\" H=");
		put_hostid(g, ho, false, true);
		PUTL(g, " next input=\"QUIT\\r\\n\"");
	}
	end(g);
}

static void
ev_tls(struct gen *g, const struct host *ho, uint32_t pid)
{
	begin(g, pid);
	PUTL(g, "TLS error on connection from ");
	put_hostid(g, ho, false, rn(g, 2));
	putc_(g, ' ');
	puts_(g, PICK(g, tlserrs));
	end(g);
}

static void
ev_nomail(struct gen *g, const struct host *ho, uint32_t pid)
{
	begin(g, pid);
	PUTL(g, "no MAIL in SMTP connection from ");
	put_hostid(g, ho, false, true);
	PUTL(g, " D=");
	putu(g, rn(g, 30));
	putc_(g, '.');
	putu0(g, rn(g, 1000), 3);
	PUTL(g, "s C=EHLO,STARTTLS,EHLO,");
	puts_(g, rn(g, 2) ? "AUTH,QUIT" : "QUIT");
	end(g);
}

static void
ev_connect(struct gen *g, const struct host *ho, uint32_t pid)
{
	begin(g, pid);
	if (rn(g, 2)) {
		PUTL(g, "H=");
		put_bip(g, ho);
		PUTL(g, " rejected connection in \"connect\" ACL");
		if (rn(g, 2))
			PUTL(g, ": blocked by local policy");
	} else {
		PUTL(g, "Connection from ");
		put_bip(g, ho);
		PUTL(g, " refused: too many connections from that IP address");
	}
	end(g);
}

static void
ev_sender(struct gen *g, const struct host *ho, uint32_t pid)
{
	begin(g, pid);
	PUTL(g, "H=");
	put_hostid(g, ho, false, true);
	PUTL(g, " sender verify fail for <nobody@nonexistent.invalid>: "
	    "Unrouteable address");
	end(g);
	begin(g, pid);
	PUTL(g, "H=");
	put_hostid(g, ho, false, true);
	PUTL(g, " F=<nobody@nonexistent.invalid> rejected RCPT <");
	put_addr(g, true);
	PUTL(g, ">: Sender verify failed");
	end(g);
}

static void
ev_proto(struct gen *g, const struct host *ho, uint32_t pid)
{
	begin(g, pid);
	switch (rn(g, 5)) {
	case 0:
		PUTL(g, "SMTP call from ");
		put_hostid(g, ho, false, true);
		PUTL(g, " dropped: too many nonmail commands (last was "
		    "\"NOOP\")");
		break;
	case 1:
		PUTL(g, "SMTP call from ");
		put_hostid(g, ho, false, true);
		PUTL(g, " dropped: too many syntax or protocol errors (last "
		    "command was \"RCPT TO:<x>\",  C=EHLO,MAIL,RCPT,RCPT)");
		break;
	case 2:
		PUTL(g, "SMTP syntax error in \"");
		puts_(g, PICK(g, synerrs));
		PUTL(g, "\" H=");
		put_bip(g, ho);
		PUTL(g, " unrecognized command");
		break;
	case 3:
		PUTL(g, "SMTP protocol error in \"AUTH LOGIN\" H=");
		put_hostid(g, ho, false, true);
		PUTL(g, " LOGIN authentication mechanism not supported");
		break;
	default:
		PUTL(g, "rejected MAIL from ");
		put_bip(g, ho);
		PUTL(g, ": no HELO/EHLO given");
		break;
	}
	end(g);
}

static void
ev_disconnect(struct gen *g, const struct host *ho, uint32_t pid)
{
	begin(g, pid);
	if (rn(g, 2)) {
		PUTL(g, "unexpected disconnection while reading SMTP command "
		    "from ");
		put_hostid(g, ho, false, rn(g, 2));
		PUTL(g, " D=");
		putu(g, rn(g, 20));
		putc_(g, 's');
	} else {
		PUTL(g, "SMTP command timeout on connection from ");
		put_hostid(g, ho, false, true);
	}
	end(g);
}

static void
ev_grey(struct gen *g, const struct host *ho, uint32_t pid)
{
	rcpt_reject(g, pid, ho, true);
	PUTL(g, "greylisted");
	end(g);
}

static void
ev_spam(struct gen *g, const struct host *ho, uint32_t pid)
{
	struct msgid id;

	new_msgid(g, &id);
	begin_id(g, pid, &id);
	PUTL(g, "H=");
	put_hostid(g, ho, false, true);
	PUTL(g, " F=<");
	put_addr(g, false);
	PUTL(g, "> rejected after DATA: ");
	puts_(g, rn(g, 2) ? "Your message scored 17.3 SpamAssassin points. "
	    "Report follows:" : "This message contains a virus "
	    "(Sanesecurity.Junk.39934.UNOFFICIAL).");
	end(g);
}

typedef void (*attack_fn)(struct gen *, const struct host *, uint32_t);

/* Attack kinds and relative weights (events, not lines). */
static const struct {
	attack_fn	fn;
	unsigned	w;
} attacks[] = {
	{ ev_relay, 14 },
	{ ev_unknown, 14 },
	{ ev_auth, 16 },
	{ ev_dnsbl, 8 },
	{ ev_helo, 6 },
	{ ev_sync, 3 },
	{ ev_tls, 5 },
	{ ev_nomail, 6 },
	{ ev_connect, 5 },
	{ ev_sender, 3 },
	{ ev_proto, 6 },
	{ ev_disconnect, 6 },
	{ ev_grey, 3 },
	{ ev_spam, 2 },
};

static void
ev_attack(struct gen *g)
{
	struct host ho;
	uint32_t pid = next_pid(g), sum = 0, r;
	size_t i;

	host_of(g, zipf(g), &ho);
	if (rn(g, 3) == 0)
		nohost(g, pid, &ho);
	for (i = 0; i < SIFT_COUNT(attacks); i++)
		sum += attacks[i].w;
	r = rn(g, sum);
	for (i = 0; i < SIFT_COUNT(attacks); i++) {
		if (r < attacks[i].w)
			break;
		r -= attacks[i].w;
	}
	attacks[i].fn(g, &ho, pid);
}

static void
ev_conn(struct gen *g)
{
	struct host ho;
	uint32_t pid = next_pid(g);

	host_of(g, rn(g, 2) ? zipf(g) : uniform_rank(g), &ho);
	begin(g, g->curpid);
	PUTL(g, "SMTP connection from ");
	put_bip(g, &ho);
	PUTL(g, " (TCP/IP connection count = ");
	putu(g, 1 + rn(g, 20));
	putc_(g, ')');
	end(g);
	begin(g, pid);
	PUTL(g, "SMTP connection from ");
	put_hostid(g, &ho, false, true);
	puts_(g, rn(g, 4) ? " closed by QUIT" : " lost (error: Connection "
	    "reset by peer)");
	end(g);
}

static void
ev_queue(struct gen *g)
{
	uint32_t pid = next_pid(g);

	begin(g, pid);
	PUTL(g, "Start queue run: pid=");
	putu(g, pid);
	end(g);
	begin(g, pid);
	PUTL(g, "End queue run: pid=");
	putu(g, pid);
	end(g);
}

static void
daemon_start(struct gen *g)
{
	uint32_t pid = next_pid(g);

	begin(g, pid);
	puts_(g, g->newids ? "exim 4.97 daemon started: pid=" :
	    "exim 4.96 daemon started: pid=");
	putu(g, pid);
	PUTL(g, ", -q30m, listening for SMTP on port 25 (IPv6 and IPv4) "
	    "port 587 (IPv6 and IPv4) and for SMTPS on port 465 (IPv6 and "
	    "IPv4)");
	end(g);
}

static uint64_t
parse_size(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s)
		goto bad;
	switch (*end) {
	case '\0':
		return v;
	case 'k': case 'K':
		v <<= 10;
		break;
	case 'm': case 'M':
		v <<= 20;
		break;
	case 'g': case 'G':
		v <<= 30;
		break;
	default:
		goto bad;
	}
	if (end[1] != '\0' && strcmp(end + 1, "B") != 0 &&
	    strcmp(end + 1, "iB") != 0)
		goto bad;
	return v;
bad:
	fprintf(stderr, "genlog: %s: invalid size\n", s);
	exit(2);
}

static uint64_t
parse_num(const char *s, uint64_t max, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v > max) {
		fprintf(stderr, "genlog: %s: invalid %s\n", s, what);
		exit(2);
	}
	return v;
}

static void SIFT_NORETURN
usage(int code)
{
	fprintf(code == 0 ? stdout : stderr,
	    "usage: genlog [-AhimNptz] [-6 pct] [-a addresses] [-L lines/s]\n"
	    "              [-o file] [-R pct] [-S seed] [-s size] "
	    "[-T start]\n");
	exit(code);
}

int
main(int argc, char *argv[])
{
	struct gen g;
	const char *out = NULL;
	int ch;
	uint64_t nrate = 0, rate;

	memset(&g, 0, sizeof(g));
	g.naddr = 10000;
	g.seed = 1;
	g.pct6 = 10;
	g.pctrate = 3;
	g.limit = 1 << 20;
	g.now_ms = 1793491200LL * 1000;	/* 2026-11-01 00:00:00 UTC */
	g.step_ms = 100;		/* 10 lines per second */
	g.cached_sec = -1;
	while ((ch = getopt(argc, argv, "6:Aa:hiL:mNo:pR:S:s:T:tz")) != -1) {
		switch (ch) {
		case '6':
			g.pct6 = (unsigned)parse_num(optarg, 100, "percentage");
			break;
		case 'A':
			g.ms = g.tz = g.pid = g.port = true;
			break;
		case 'a':
			g.naddr = parse_num(optarg, UINT32_MAX, "count");
			if (g.naddr == 0)
				g.naddr = 1;
			break;
		case 'h':
			usage(0);
		case 'i':
		case 'N':
			g.newids = true;
			break;
		case 'L':
			rate = parse_num(optarg, 1000, "rate");
			g.step_ms = rate != 0 ? 1000 / (unsigned)rate : 1000;
			break;
		case 'm':
			g.ms = true;
			break;
		case 'o':
			out = optarg;
			break;
		case 'p':
			g.pid = true;
			break;
		case 'R':
			g.pctrate = (unsigned)parse_num(optarg, 50,
			    "percentage");
			break;
		case 'S':
			g.seed = parse_num(optarg, UINT64_MAX, "seed");
			break;
		case 's':
			g.limit = parse_size(optarg);
			break;
		case 'T':
			g.now_ms = (int64_t)parse_num(optarg, 1ULL << 40,
			    "time") * 1000;
			break;
		case 't':
			g.port = true;
			break;
		case 'z':
			g.tz = true;
			break;
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);
	if (g.step_ms == 0)
		g.step_ms = 1;
	g.lognaddr = log((double)g.naddr + 1);
	g.rng = mix(g.seed);
	g.curpid = 1000 + (uint32_t)(g.seed % 10000);
	g.fd = STDOUT_FILENO;
	if (out != NULL && (g.fd = open(out, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0644)) == -1) {
		fprintf(stderr, "genlog: %s: %s\n", out, strerror(errno));
		return 2;
	}
	g.buf = malloc(OUTBUF);
	if (g.buf == NULL) {
		fprintf(stderr, "genlog: out of memory\n");
		return 2;
	}
	daemon_start(&g);
	while (g.total + g.n < g.limit) {
		unsigned r;

		if (g.n > OUTBUF - OUTSLACK) {
			g.total += g.n;
			flush(&g);
		}
		/*
		 * Keep "Rate limited" lines at about pctrate percent of all
		 * lines, whatever the mix of multi-line events around them.
		 */
		if (nrate * 100 < g.lines * g.pctrate) {
			struct host ho;

			nrate++;
			host_of(&g, zipf(&g), &ho);
			ev_rate(&g, &ho, next_pid(&g));
			continue;
		}
		r = rn(&g, 1000);
		if (r < 330)
			ev_legit(&g);
		else if (r < 390)
			ev_remote(&g);
		else if (r < 410)
			ev_defer(&g);
		else if (r < 425)
			ev_bounce(&g);
		else if (r < 495)
			ev_conn(&g);
		else if (r < 497)
			ev_queue(&g);
		else
			ev_attack(&g);
	}
	/* cut at the last complete line within the limit */
	if (g.total + g.n > g.limit) {
		size_t keep = (size_t)(g.limit - g.total);

		while (keep > 0 && g.buf[keep - 1] != '\n')
			keep--;
		g.n = keep;
	}
	g.total += g.n;
	flush(&g);
	free(g.buf);
	if (g.fd != STDOUT_FILENO && close(g.fd) == -1) {
		fprintf(stderr, "genlog: %s: %s\n", out, strerror(errno));
		return 2;
	}
	return 0;
}
