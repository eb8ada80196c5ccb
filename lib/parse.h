/* SPDX-License-Identifier: ISC */
/*
 * Exim log line parser. sift_parse() fills a caller-owned struct sift_rec
 * whose views all point into the line it was given: they are valid as long
 * as the line is (for reader lines, until the next sift_reader_next()). The
 * parser never allocates and never writes to the line.
 *
 * How lines are read (details in lib/parse.c and the line cases in
 * tests/parse/):
 * - The prefix is taken by shape, not value: "YYYY-MM-DD HH:MM:SS", then
 *   optional ".mmm", " +hhmm", "[pid] " and a 16- or 23-character id. A
 *   syslog frame (RFC 3339, traditional "Mon DD HH:MM:SS", RFC 5424, with
 *   or without Exim's own timestamp inside, whose time then wins) comes
 *   first; only program names starting with "exim" are read as Exim.
 * - Times: a written offset wins; else, inside a syslog frame that has one,
 *   Exim's time is read in the frame's zone (or UTC) when it agrees with
 *   the frame's time within 5 minutes; else opts (fixed_tz) or the
 *   process time zone (lib/tstamp.h: DST gaps and overlaps).
 * - The event comes from the Exim-built text after the prefix: a dispatch
 *   on its first bytes, never from free text (a rejection's reason).
 * - ip/port/host/helo come from the host text Exim builds, "[name ][(helo)
 *   ][addr][:port]": the HELO ends at the first ") [addr]" after which
 *   Exim's own text follows, so brackets inside a HELO, a command echo,
 *   an address or a reason are never taken; I= and PRX= are tags. The
 *   address is parsed to binary (family 0 for placeholders such as
 *   "V4NET.0.0.1"; addr_text keeps the text).
 * - Where Exim echoes an attacker's command in quotes, the echo ends at
 *   the last `" H=` (protocol and syntax errors: Exim's fixed text
 *   follows) or the first unescaped one followed by "next input="
 *   (synchronization errors; 4.98 and earlier do not escape quotes there,
 *   which cannot be undone).
 */
#ifndef SIFT_PARSE_H
#define SIFT_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "str.h"
#include "tstamp.h"

/*
 * Events. The names (sift_event_name()) are part of the output format:
 * never rename one, only add. SIFT_EV_OTHER is a line we do not know.
 */
enum sift_event {
	SIFT_EV_OTHER = 0,
	SIFT_EV_ARRIVAL,	/* <=  "arrival" */
	SIFT_EV_DELIVERY,	/* =>  "delivery" */
	SIFT_EV_ADDITIONAL,	/* ->  "additional" */
	SIFT_EV_CUTTHROUGH,	/* >>  "cutthrough" */
	SIFT_EV_SUPPRESSED,	/* *>  "suppressed" */
	SIFT_EV_DEFER,		/* ==  "defer" */
	SIFT_EV_FAIL,		/* **  "fail" */
	SIFT_EV_COMPLETED,	/* "completed" */
	SIFT_EV_FROZEN,		/* "frozen" */
	SIFT_EV_REJECT,		/* ACL rejections, any stage: "reject" */
	SIFT_EV_TEMPREJECT,	/* "temporarily rejected": "tempreject" */
	SIFT_EV_AUTH_FAIL,	/* authenticator failed: "auth_fail" */
	SIFT_EV_CONNECT,	/* SMTP connection from: "connect" */
	SIFT_EV_CLOSE,		/* SMTP connection closed/QUIT: "close" */
	SIFT_EV_LOST,		/* lost / unexpected disconnection: "lost" */
	SIFT_EV_REFUSED,	/* connection refused (daemon): "refused" */
	SIFT_EV_DROP,		/* SMTP call ... dropped: "drop" */
	SIFT_EV_PROTOCOL,	/* SMTP protocol/syntax error: "protocol" */
	SIFT_EV_SYNC,		/* synchronization error: "sync" */
	SIFT_EV_TIMEOUT,	/* command/data timeout: "timeout" */
	SIFT_EV_TLS_ERROR,	/* TLS error on connection: "tls_error" */
	SIFT_EV_NO_MAIL,	/* no MAIL in SMTP connection: "no_mail" */
	SIFT_EV_INCOMPLETE,	/* incomplete transaction: "incomplete" */
	SIFT_EV_VERIFY_FAIL,	/* sender/host verify failed: "verify_fail" */
	SIFT_EV_QUEUE_RUN,	/* Start/End queue run: "queue_run" */
	SIFT_EV_DAEMON,		/* daemon started/stopped: "daemon" */
	SIFT_EV_PANIC,		/* paniclog entries: "panic" */
	SIFT_EV_WARNING,	/* Warning: ...: "warning" */
	SIFT_EV_ERROR,		/* per-message errors without a flag: "error" */
	SIFT_EV_ACL_LOG,	/* ACL warn/logwrite text: "acl_log" */
	SIFT_EV_CONTINUATION,	/* a line belonging to the entry before:
				   "continuation" */
	SIFT_EV_FAKEREJECT,	/* (=  arrival under fakereject: "fakereject" */
	SIFT_EV_HOST_LOOKUP,	/* no host name / IP address found:
				   "host_lookup" */
	SIFT_EV_UNFROZEN,	/* Unfrozen by ...: "unfrozen" */
	SIFT_EV_QUEUED,		/* no immediate delivery: "queued" */
	SIFT_EV_DISCARD,	/* discarded by MAIL/RCPT ACL: "discard" */
	SIFT_EV_DNSLIST,	/* DNS list lookup defer/...: "dnslist" */
	SIFT_EV_DKIM,		/* DKIM: verification lines: "dkim" */
	SIFT_EV_VERIFY_DEFER,	/* sender/recipient verify defer:
				   "verify_defer" */
	SIFT_EV_LOCKED,		/* spool file is locked: "locked" */
	SIFT_EV_ADMIN,		/* removed/cancelled/moved by a user:
				   "admin" */
	SIFT_EV__COUNT
};

/* SMTP stage of a rejection or error. */
enum sift_stage {
	SIFT_ST_NONE = 0,
	SIFT_ST_CONNECT,
	SIFT_ST_HELO,
	SIFT_ST_MAIL,
	SIFT_ST_RCPT,
	SIFT_ST_DATA,		/* after DATA / message rejections */
	SIFT_ST_AUTH,
	SIFT_ST_STARTTLS,
	SIFT_ST_VRFY,
	SIFT_ST_EXPN,
	SIFT_ST_ETRN,
	SIFT_ST_NOTQUIT,
	SIFT_ST_ATRN,
	SIFT_ST_WELLKNOWN,
	SIFT_ST_XCLIENT,
	SIFT_ST__COUNT
};

struct sift_kv {
	struct sift_str	key;	/* "S", "P", "X", "id", ... or a bare flag */
	struct sift_str	val;	/* empty for bare flags ("L", "K", "DS") */
};

#define SIFT_REC_MAXTAGS	32

/* Record flags. */
#define SIFT_REC_SYSLOG		0x01	/* came wrapped in a syslog header */
#define SIFT_REC_FRAGMENT	0x02	/* a syslog [n/m] piece */
#define SIFT_REC_TRUNC		0x04	/* line was cut by the reader */
#define SIFT_REC_CONT		0x08	/* continuation of the entry before */
#define SIFT_REC_NOTIME		0x10	/* no timestamp could be read */
#define SIFT_REC_ASSEMBLED	0x20	/* [n/m] pieces joined by the stream */
#define SIFT_REC_TAGS_FULL	0x40	/* more than SIFT_REC_MAXTAGS tags */

struct sift_rec {
	struct sift_str	 line;		/* the whole line as given */
	struct sift_str	 text;		/* after timestamp, pid and id */
	struct sift_time ts;
	int64_t		 pid;		/* -1 when absent */
	unsigned	 flags;		/* SIFT_REC_* */
	enum sift_event	 event;
	enum sift_stage	 stage;
	struct sift_str	 msgid;		/* 16- or 23-character id */
	struct sift_str	 flag;		/* "<=", "=>", ... or empty */

	/* The remote host as Exim built it; never from inside a HELO. */
	struct sift_addr ip;		/* family 0 when absent */
	int32_t		 port;		/* -1 when absent */
	struct sift_str	 host;		/* verified host name */
	struct sift_str	 helo;		/* HELO/EHLO name, unescaped */
	struct sift_str	 ident;		/* U= on connection lines */

	struct sift_str	 sender;	/* envelope sender (<= address, F=) */
	struct sift_str	 recipient;	/* first recipient / RCPT address */
	struct sift_str	 auth;		/* A= */
	struct sift_str	 authenticator;	/* name in "X authenticator failed" */
	struct sift_str	 user;		/* set_id / user name tried */
	struct sift_str	 reason;	/* free text of a rejection or error */

	struct sift_str	 syslog_host;	/* syslog wrapper: host name */
	int		 frag_n, frag_m; /* syslog [n/m], 0 when absent */

	/* Additions (after the original contract). */
	struct sift_str	 addr_text;	/* text inside the host's [..], even
					   when not an address (test-suite
					   placeholders such as V4NET.0.0.1) */
	struct sift_str	 command;	/* quoted SMTP command echoed in
					   protocol/syntax/sync errors and
					   "last was" of drops, unescaped */
	struct sift_str	 body;		/* the message inside a syslog frame,
					   after any [n/m]; else the line */
	bool		 frag_more;	/* [n/m] piece cut for length: the
					   next piece continues this line */
	int		 syslog_pri;	/* RFC 5424 <PRI>, -1 when absent */
	/* Filled by lib/stream.c for continuation records (else 0/OTHER). */
	enum sift_event	 parent_event;
	uint64_t	 parent_lineno;

	/*
	 * Every KEY=value field and bare flag of the Exim-built parts of the
	 * line, in order (never from inside a rejection's free text). H= holds
	 * the whole host text ("name (helo) [ip]:port"); quoted values keep
	 * their quotes off; F=<a> keeps the brackets off.
	 */
	struct sift_kv	 tags[SIFT_REC_MAXTAGS];
	unsigned	 ntags;
};

struct sift_parse_opts {
	/*
	 * Year for syslog timestamps that carry none (traditional format).
	 * 0: the latest year in which the date is not more than a day after
	 * ref_time (or after the current time when ref_time is 0).
	 */
	int		year;
	int64_t		ref_time;	/* "now", epoch seconds */
	/*
	 * Local time conversion. When fixed_tz is true, times without an
	 * offset are taken to be tzoff minutes east of UTC; otherwise the
	 * process time zone (TZ, set by the command) applies.
	 */
	bool		fixed_tz;
	int		tzoff;
};

/*
 * Parse one line. Returns 0 when the line had an Exim (or syslog-wrapped
 * Exim) prefix, or a negative SIFT_P_* reason; rec is filled as far as
 * possible either way, and event is SIFT_EV_OTHER for unknown text.
 * Continuation lines (leading white space, rejectlog "Envelope-from:" and
 * "X Header:" lines) come back as SIFT_EV_CONTINUATION with SIFT_REC_CONT
 * and SIFT_P_NOTIME; lib/stream.h attaches them to their entry.
 *
 * The record is complete on return: every typed field and every tag is
 * filled (no lazy step). All views point into line. opts may be NULL.
 */
#define SIFT_P_NOTIME	(-1)	/* no timestamp prefix */
#define SIFT_P_EMPTY	(-2)	/* empty line */
int	sift_parse(struct sift_str line, struct sift_rec *rec,
	    const struct sift_parse_opts *opts);

/* "arrival", "reject", ...; "?" when out of range. */
const char *sift_event_name(enum sift_event ev);
/* Event by name; -1 when unknown. */
int	sift_event_from_name(const char *name, size_t n);
/* "none", "connect", "helo", "mail", "rcpt", "data", ... */
const char *sift_stage_name(enum sift_stage st);
/* Stage by name; -1 when unknown. */
int	sift_stage_from_name(const char *name, size_t n);

/* Look up a tag by key in a parsed record; NULL if absent. */
const struct sift_kv *sift_rec_tag(const struct sift_rec *rec,
	    const char *key);

#endif
