/* SPDX-License-Identifier: ISC */
/*
 * Abuse classification: a parsed record (struct sift_rec) gets one abuse
 * class or none, from a catalogue of rules tried in order, first match
 * wins. The built-in catalogue is a const table (sift_rules_builtin());
 * a user rules file adds rules tried before it, so an administrator's own
 * log_message texts are classified without recompiling, and built-in
 * matches can be overridden (class "none" ignores a line).
 *
 * Class names are part of the output format and of the fail2ban filters in
 * filters/: never rename one, only add. The caller owns a classifier from
 * sift_classifier_new() until sift_classifier_free(); rule texts given to
 * it are copied. A classifier with regular-expression rules keeps scratch
 * space for matching, so one classifier must not be used by two threads at
 * once: give each thread its own sift_classifier_clone().
 */
#ifndef SIFT_CLASSIFY_H
#define SIFT_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "err.h"
#include "parse.h"
#include "str.h"

/* Built-in classes; ids of user-defined classes follow SIFT_CL__BUILTIN. */
enum sift_class {
	SIFT_CL_RATELIMIT = 0,	/* "ratelimit" */
	SIFT_CL_RELAY,		/* "relay" */
	SIFT_CL_UNKNOWN_USER,	/* "unknown_user" */
	SIFT_CL_AUTH,		/* "auth" */
	SIFT_CL_DNSBL,		/* "dnsbl" */
	SIFT_CL_HELO,		/* "helo" */
	SIFT_CL_SENDER,		/* "sender" */
	SIFT_CL_SPF,		/* "spf" */
	SIFT_CL_GREYLIST,	/* "greylist" */
	SIFT_CL_SPAM,		/* "spam" */
	SIFT_CL_MALWARE,	/* "malware" */
	SIFT_CL_PROTOCOL,	/* "protocol" */
	SIFT_CL_CONNECTION,	/* "connection" */
	SIFT_CL_TLS,		/* "tls" */
	SIFT_CL_REJECTED,	/* "rejected": any other ACL rejection */
	SIFT_CL__BUILTIN
};

#define SIFT_CLASS_MAX		32	/* built-in plus user classes */
#define SIFT_CLASS_NONE		(-1)	/* no class: not an offence */
#define SIFT_CLASS_IGNORE	(-2)	/* a rule said "none": stop, no class */
#define SIFT_CLASS_NAMEMAX	24

/* Where a rule's text is looked for. */
enum sift_rule_where {
	SIFT_RW_REASON = 0,	/* rec->reason, or rec->text when empty */
	SIFT_RW_TEXT		/* rec->text: everything after the prefix */
};

/* Rule flags. */
#define SIFT_RF_ANCHOR	0x01	/* text must start the subject */
#define SIFT_RF_IPAFTER	0x02	/* no H=: the address follows the text */
#define SIFT_RF_REGEX	0x04	/* text is a PCRE2 pattern */

#define SIFT_EVMASK(ev)		(UINT64_C(1) << (ev))
#define SIFT_STMASK(st)		(1U << (st))

/*
 * One rule. events is a mask of SIFT_EVMASK() bits (0: any event), stages
 * a mask of SIFT_STMASK() bits (0: any stage). text is a literal (memmem,
 * case-sensitive) or, with SIFT_RF_REGEX, a PCRE2 pattern; NULL matches
 * every record the masks let through. text2, when set, is a second literal
 * that must follow text. cls is a class id or SIFT_CLASS_IGNORE.
 */
struct sift_rule {
	uint64_t	 events;
	uint32_t	 stages;
	uint8_t		 where;		/* enum sift_rule_where */
	uint8_t		 flags;		/* SIFT_RF_* */
	int		 cls;
	const char	*text;
	const char	*text2;
	const char	*note;		/* why, for --list-classes */
};

/* Result of a classification. */
struct sift_match {
	int		 cls;		/* class id, or SIFT_CLASS_NONE */
	int		 rule;		/* index in the classifier, or -1 */
	struct sift_addr ip;		/* address to blame; family 0: none */
};

/* The built-in catalogue, in match order. */
const struct sift_rule *sift_rules_builtin(size_t *n);
/* Built-in class facts (id < SIFT_CL__BUILTIN). */
const char *sift_class_builtin_name(int id);
const char *sift_class_builtin_desc(int id);
unsigned sift_class_builtin_weight(int id);
bool	 sift_class_builtin_default(int id);

struct sift_classifier;

struct sift_classifier *sift_classifier_new(void);
struct sift_classifier *sift_classifier_clone(
	    const struct sift_classifier *c);
void	 sift_classifier_free(struct sift_classifier *c);

/*
 * Add a rule (copied; a regex is compiled) before the built-in ones and
 * after earlier user rules; file and lineno name it in errors.
 */
SIFT_NODISCARD int sift_classifier_add_rule(struct sift_classifier *c,
	    const struct sift_rule *r, const char *file, unsigned lineno,
	    struct sift_err *err);
/* Id of the class called name, defining it if new; -1 when full. */
int	 sift_classifier_class_define(struct sift_classifier *c,
	    const char *name, size_t n);

/*
 * Load a user rules file: one rule a line, "CLASS EVENTS TEXT", where
 * CLASS is a class name (a new name defines a class; "none" ignores the
 * line), EVENTS is "any" or a comma-separated list of event names with an
 * optional ":stage", and TEXT is the rest of the line: a literal, "^" then
 * a literal anchored at the start of the reason, or "/regex/". Blank lines
 * and lines starting with "#" are skipped. Errors are "file:line: what".
 * User rules are tried before the built-in ones, in file order.
 */
SIFT_NODISCARD int sift_classifier_load(struct sift_classifier *c,
	    const char *path, struct sift_err *err);
/* One rule line (as in a rules file); file and lineno for messages. */
SIFT_NODISCARD int sift_classifier_add_line(struct sift_classifier *c,
	    const char *line, size_t n, const char *file, unsigned lineno,
	    struct sift_err *err);

/*
 * Classify one record. Returns m->cls: a class id, or SIFT_CLASS_NONE
 * when no rule matched or a "none" rule did. m->ip is the address to
 * blame: rec->ip, or for SIFT_RF_IPAFTER rules on lines without a host,
 * the address written after the rule's text. Never allocates.
 */
int	 sift_classify(struct sift_classifier *c, const struct sift_rec *rec,
	    struct sift_match *m);

/*
 * The same by trying every rule of the event in turn, each literal with
 * its own search (no scanner): slower, kept as the reference that tests
 * compare sift_classify() with.
 */
int	 sift_classify_ref(struct sift_classifier *c,
	    const struct sift_rec *rec, struct sift_match *m);

/* Some rule can match records of event ev. */
bool	 sift_classifier_event_used(const struct sift_classifier *c,
	    enum sift_event ev);
/*
 * Some rule can give records of event ev a class (rules that only say
 * "none" do not count): records of other events need no parsing.
 */
bool	 sift_classifier_event_counts(const struct sift_classifier *c,
	    enum sift_event ev);
/*
 * A fast look at a raw line: true when it is certainly a plain Exim
 * message line with a delivery flag (<= => -> *> >> == **) or
 * "Completed", which sift_parse() would give one of the events
 * arrival ... fail or completed; false when not, or not sure (syslog
 * frames, odd prefixes). Lets callers skip parsing lines that no rule
 * can match (see sift_classifier_event_used()).
 */
bool	 sift_line_is_delivery(struct sift_str line);
/*
 * The same look, telling the event: arrival ... completed for those
 * lines, host_lookup for "no host name found for IP address", connect
 * or close for "SMTP connection from" lines of the plainest shape, else
 * -1.
 */
int	 sift_line_quick_event(struct sift_str line);

/* Classes: built-in first, then user classes in order of appearance. */
int	 sift_classifier_nclasses(const struct sift_classifier *c);
const char *sift_classifier_class_name(const struct sift_classifier *c,
	    int id);
/* Class id by name, or -1. */
int	 sift_classifier_class_id(const struct sift_classifier *c,
	    const char *name, size_t n);

/* Rules in match order (user rules first), for listing and filters. */
size_t	 sift_classifier_nrules(const struct sift_classifier *c);
const struct sift_rule *sift_classifier_rule(const struct sift_classifier *c,
	    size_t i);
/* Rule i came from a user file. */
bool	 sift_classifier_rule_is_user(const struct sift_classifier *c,
	    size_t i);

/*
 * Events of a mask as "reject,tempreject" (or "any") into buf; returns
 * buf. Needs the event names of parse.h.
 */
const char *sift_rule_events_str(uint64_t events, char *buf, size_t sz);
const char *sift_rule_stages_str(uint32_t stages, char *buf, size_t sz);

#endif
