/* SPDX-License-Identifier: ISC */
/*
 * Unit tests: lib/classify.c on hand-built records (the line texts are
 * real Exim lines from ../shared/reference/exim-lab-debian/debian-default/
 * mainlog and exim-log-format.md; tests/run-offenders.sh runs the same
 * through the parser).
 */
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "xalloc.h"
#include "../tap.h"
#include "banned.h"

static struct sift_rec
mk(enum sift_event ev, enum sift_stage st, const char *ip, const char *text,
    const char *reason)
{
	struct sift_rec r;

	memset(&r, 0, sizeof(r));
	r.event = ev;
	r.stage = st;
	if (ip != NULL && sift_addr_parse(ip, strlen(ip), &r.ip) == -1)
		abort();
	r.text = sift_str_cstr(text);
	r.line = r.text;
	r.reason = reason != NULL ? sift_str_cstr(reason) : SIFT_STR_NULL;
	return r;
}

static const char *
cls(struct sift_classifier *c, enum sift_event ev, enum sift_stage st,
    const char *ip, const char *text, const char *reason)
{
	struct sift_rec r = mk(ev, st, ip, text, reason);
	struct sift_match m;
	int id = sift_classify(c, &r, &m);

	if (id < 0)
		return "-";
	if (m.ip.family == 0)
		return "noaddr";
	return sift_classifier_class_name(c, id);
}

#define IS(want, ...)	CHECK_STREQ(cls(c, __VA_ARGS__), want)

int
main(void)
{
	struct sift_classifier *c = sift_classifier_new(), *c2;
	struct sift_rule r;
	struct sift_rec rec;
	struct sift_match m;
	struct sift_err e = SIFT_ERR_INIT;
	size_t n;
	const struct sift_rule *b = sift_rules_builtin(&n);
	unsigned long before;
	char buf[64];

	/* Names are stable (filters/ and banlist depend on them). */
	CHECK_STREQ(sift_class_builtin_name(SIFT_CL_RATELIMIT), "ratelimit");
	CHECK_STREQ(sift_class_builtin_name(SIFT_CL_UNKNOWN_USER),
	    "unknown_user");
	CHECK_STREQ(sift_class_builtin_name(SIFT_CL_REJECTED), "rejected");
	CHECK(sift_class_builtin_name(SIFT_CL__BUILTIN) == NULL);
	CHECK(n > 50 && b[0].cls == SIFT_CLASS_IGNORE);
	CHECK_INT(sift_classifier_nclasses(c), SIFT_CL__BUILTIN);
	CHECK_INT(sift_classifier_class_id(c, "tls", 3), SIFT_CL_TLS);
	CHECK(sift_class_builtin_default(SIFT_CL_AUTH));
	CHECK(!sift_class_builtin_default(SIFT_CL_GREYLIST));

	/* Lab lines (debian-default/mainlog). */
	IS("relay", SIFT_EV_REJECT, SIFT_ST_RCPT, "127.0.2.7",
	    "H=(spam.example) [127.0.2.7] F=<a@example.test> rejected RCPT "
	    "<victim@elsewhere.test>: relay not permitted",
	    "relay not permitted");
	IS("auth", SIFT_EV_AUTH_FAIL, SIFT_ST_AUTH, "127.0.2.5",
	    "plain_server authenticator failed for (ylmf-pc) [127.0.2.5]: "
	    "535 Incorrect authentication data (set_id=bob)",
	    "535 Incorrect authentication data (set_id=bob)");
	IS("-", SIFT_EV_AUTH_FAIL, SIFT_ST_AUTH, "10.0.0.1",
	    "defer authenticator failed for H=(test.host) [10.0.0.1] "
	    "U=CALLER: 435 Unable to authenticate at present (set_id=userx): "
	    "account suspended",
	    "435 Unable to authenticate at present (set_id=userx): account "
	    "suspended");
	IS("auth", SIFT_EV_PROTOCOL, SIFT_ST_AUTH, "127.0.2.5",
	    "SMTP protocol error in \"AUTH LOGIN\" H=(ylmf-pc) [127.0.2.5] "
	    "LOGIN authentication mechanism not supported",
	    "LOGIN authentication mechanism not supported");
	IS("protocol", SIFT_EV_SYNC, SIFT_ST_NONE, "127.0.2.6",
	    "SMTP protocol synchronization error (next input sent too soon: "
	    "pipelining was advertised): rejected \"From: a@sender.test\" "
	    "H=(laptop) [127.0.2.6] next input=\"To: user@example.test\"",
	    NULL);
	IS("ratelimit", SIFT_EV_REJECT, SIFT_ST_RCPT, "127.0.2.10",
	    "H=(rl.example) [127.0.2.10] F=<a@example.test> rejected RCPT "
	    "<user@example.test>: RATE: 1.0/1h (max 0)",
	    "RATE: 1.0/1h (max 0)");
	IS("ratelimit", SIFT_EV_WARNING, SIFT_ST_NONE, "127.0.2.11",
	    "H=(rlw.example) [127.0.2.11] Warning: ratelimit warn: 1.0 / 1h",
	    "ratelimit warn: 1.0 / 1h");
	IS("greylist", SIFT_EV_TEMPREJECT, SIFT_ST_RCPT, "127.0.2.20",
	    "H=(grey.example) [127.0.2.20] F=<a@example.test> temporarily "
	    "rejected RCPT <grey@example.test>: greylisted", "greylisted");
	IS("greylist", SIFT_EV_TEMPREJECT, SIFT_ST_RCPT, "127.0.2.20",
	    "H=(grey.example) [127.0.2.20] F=<a@example.test> temporarily "
	    "rejected RCPT <grey@example.test>", NULL);
	IS("rejected", SIFT_EV_REJECT, SIFT_ST_RCPT, "127.0.2.21",
	    "H=(rdns.example) [127.0.2.21] F=<a@example.test> rejected RCPT "
	    "<rdns@example.test>: host lookup failed (failed to find host "
	    "name from IP address)",
	    "host lookup failed (failed to find host name from IP address)");
	IS("helo", SIFT_EV_REJECT, SIFT_ST_HELO, "127.0.2.22",
	    "H=(badhelo) [127.0.2.22] rejected EHLO or HELO badhelo: bad HELO "
	    "name", "bad HELO name");
	IS("helo", SIFT_EV_REJECT, SIFT_ST_NONE, "127.0.2.23",
	    "rejected HELO from [127.0.2.23]: syntactically invalid "
	    "argument(s): !@#$%", "syntactically invalid argument(s): !@#$%");
	IS("helo", SIFT_EV_REJECT, SIFT_ST_RCPT, "127.0.2.26",
	    "H=(forged.example.test) [127.0.2.26] F=<a@example.test> rejected "
	    "RCPT <spammer@example.test>: HELO verify failed",
	    "HELO verify failed");
	IS("connection", SIFT_EV_REJECT, SIFT_ST_CONNECT, "127.0.2.13",
	    "H=[127.0.2.13] rejected connection in \"connect\" ACL", NULL);
	IS("connection", SIFT_EV_REJECT, SIFT_ST_CONNECT, "127.0.2.66",
	    "H=[127.0.2.66] rejected connection in \"connect\" ACL: go away",
	    "go away");
	IS("-", SIFT_EV_CLOSE, SIFT_ST_NONE, "127.0.2.66",
	    "SMTP connection from [127.0.2.66] closed by DROP in ACL", NULL);
	IS("protocol", SIFT_EV_DROP, SIFT_ST_NONE, "127.0.2.24",
	    "SMTP call from (a) [127.0.2.24] dropped: too many nonmail "
	    "commands (last was \"NOOP\")",
	    "too many nonmail commands (last was \"NOOP\")");
	IS("protocol", SIFT_EV_PROTOCOL, SIFT_ST_NONE, "127.0.2.31",
	    "SMTP syntax error in \"GET / HTTP/1.1\" H=[127.0.2.31] "
	    "unrecognized command", "unrecognized command");
	IS("protocol", SIFT_EV_OTHER, SIFT_ST_NONE, "127.0.2.31",
	    "SMTP syntax error in \"GET / HTTP/1.1\" H=[127.0.2.31] "
	    "unrecognized command", NULL);
	IS("spam", SIFT_EV_REJECT, SIFT_ST_DATA, "127.0.0.1",
	    "H=(client) [127.0.0.1] F=<a@example.test> rejected after DATA: "
	    "spam detected", "spam detected");
	IS("sender", SIFT_EV_VERIFY_FAIL, SIFT_ST_NONE, "127.0.2.27",
	    "H=(sv.example) [127.0.2.27] sender verify fail for "
	    "<nobody@nonexistent.invalid>: Unrouteable address",
	    "Unrouteable address");
	IS("sender", SIFT_EV_REJECT, SIFT_ST_RCPT, "127.0.2.27",
	    "H=(sv.example) [127.0.2.27] F=<nobody@nonexistent.invalid> "
	    "rejected RCPT <user@example.test>: Sender verify failed",
	    "Sender verify failed");
	IS("connection", SIFT_EV_LOST, SIFT_ST_NONE, "127.0.2.28",
	    "unexpected disconnection while reading SMTP command from (a) "
	    "[127.0.2.28] D=0s", NULL);
	IS("relay", SIFT_EV_REJECT, SIFT_ST_RCPT, "::1",
	    "H=(v6.example) [::1] F=<a@example.test> rejected RCPT "
	    "<victim@elsewhere.test>: relay not permitted",
	    "relay not permitted");
	IS("protocol", SIFT_EV_REJECT, SIFT_ST_MAIL, "127.0.2.29",
	    "rejected MAIL from [127.0.2.29]: no HELO/EHLO given",
	    "no HELO/EHLO given");
	IS("connection", SIFT_EV_REFUSED, SIFT_ST_NONE, "127.0.2.33",
	    "Connection from [127.0.2.33] refused: too many connections from "
	    "that IP address", "too many connections from that IP address");
	IS("-", SIFT_EV_REFUSED, SIFT_ST_NONE, "192.0.2.1",
	    "Connection from [192.0.2.1] refused: load average = 3.45",
	    "load average = 3.45");
	IS("-", SIFT_EV_OTHER, SIFT_ST_NONE, NULL,
	    "no host name found for IP address 127.0.2.7", NULL);
	IS("-", SIFT_EV_ARRIVAL, SIFT_ST_NONE, "127.0.0.1",
	    "<= a@example.test H=(client.example.test) [127.0.0.1] P=esmtp "
	    "S=297", NULL);

	/* exim-log-format.md examples. */
	IS("dnsbl", SIFT_EV_REJECT, SIFT_ST_RCPT, "192.0.2.13",
	    "H=[192.0.2.13] rejected RCPT <userx@test.ex>: rejected because "
	    "192.0.2.13 is in a black list at rbl.test.ex",
	    "rejected because 192.0.2.13 is in a black list at rbl.test.ex");
	IS("dnsbl", SIFT_EV_WARNING, SIFT_ST_NONE, "192.0.2.4",
	    "H=(x) [192.0.2.4] Warning: 192.0.2.4 is listed at zen.example "
	    "(127.0.0.2: https://x)", NULL);
	IS("ratelimit", SIFT_EV_TEMPREJECT, SIFT_ST_CONNECT, "192.0.2.4",
	    "H=test.sa.com [192.0.2.4]:18146 temporarily rejected connection "
	    "in \"connect\" ACL: \"Host is ratelimited (1.9/1h max:1.2)\"",
	    "\"Host is ratelimited (1.9/1h max:1.2)\"");
	IS("spf", SIFT_EV_REJECT, SIFT_ST_RCPT, "192.0.2.5",
	    "H=(x) [192.0.2.5] F=<a@b> rejected RCPT <x@y>: SPF check failed.",
	    "SPF check failed.");
	IS("spf", SIFT_EV_REJECT, SIFT_ST_RCPT, "10.0.0.1",
	    "H=(test) [10.0.0.1] F=<failme@example.com> SPF=fail rejected RCPT "
	    "<fred_fail@test.ex>", NULL);
	IS("malware", SIFT_EV_REJECT, SIFT_ST_DATA, "192.0.2.6",
	    "H=(x) [192.0.2.6] F=<a@b> rejected after DATA: This message "
	    "contains a virus (Sanesecurity.Junk.39934.UNOFFICIAL).",
	    "This message contains a virus (Sanesecurity.Junk.39934."
	    "UNOFFICIAL).");
	IS("unknown_user", SIFT_EV_REJECT, SIFT_ST_RCPT, "192.0.2.7",
	    "H=(x) [192.0.2.7] F=<a@b> rejected RCPT <nosuch@dom>: "
	    "Unrouteable address", "Unrouteable address");
	IS("unknown_user", SIFT_EV_REJECT, SIFT_ST_RCPT, "192.0.2.7",
	    "H=(x) [192.0.2.7] F=<a@b> rejected RCPT <nosuch@dom>: "
	    "No Such User Here", "No Such User Here");
	IS("sender", SIFT_EV_REJECT, SIFT_ST_MAIL, "10.9.8.8",
	    "H=[10.9.8.8] U=CALLER rejected MAIL <bad@test1>", NULL);
	IS("tls", SIFT_EV_TLS_ERROR, SIFT_ST_NONE, "127.0.0.1",
	    "TLS error on connection from [127.0.0.1] (tls lib accept fn): "
	    "TCP connection closed by peer", NULL);
	IS("connection", SIFT_EV_NO_MAIL, SIFT_ST_NONE, "127.0.0.1",
	    "no MAIL in SMTP connection from [127.0.0.1] D=0.201s", NULL);
	IS("rejected", SIFT_EV_REJECT, SIFT_ST_RCPT, "192.0.2.8",
	    "H=(x) [192.0.2.8] F=<a@b> rejected RCPT <c@d>", NULL);
	/* A reason-less rejection is not classified by what the HELO says. */
	IS("rejected", SIFT_EV_REJECT, SIFT_ST_RCPT, "192.0.2.8",
	    "H=(spam.relay.not.permitted) [192.0.2.8] F=<a@b> rejected RCPT "
	    "<spam@d>", NULL);

	/* logwrite lines without a host: the address follows the text. */
	rec = mk(SIFT_EV_ACL_LOG, SIFT_ST_NONE, NULL,
	    "Rate limited: 198.51.100.7", NULL);
	CHECK_INT(sift_classify(c, &rec, &m), SIFT_CL_RATELIMIT);
	sift_addr_format(&m.ip, buf, sizeof(buf));
	CHECK_STREQ(buf, "198.51.100.7");
	rec = mk(SIFT_EV_ACL_LOG, SIFT_ST_NONE, NULL,
	    "REJECT [2001:db8::5]: bad recipient count high [12]", NULL);
	CHECK_INT(sift_classify(c, &rec, &m), SIFT_CL_UNKNOWN_USER);
	sift_addr_format(&m.ip, buf, sizeof(buf));
	CHECK_STREQ(buf, "2001:db8::5");
	/* Not at the start: never take an address from free text. */
	rec = mk(SIFT_EV_ACL_LOG, SIFT_ST_NONE, NULL,
	    "user said Rate limited: 198.51.100.7", NULL);
	CHECK_INT(sift_classify(c, &rec, &m), SIFT_CL_RATELIMIT);
	CHECK_INT(m.ip.family, 0);

	/* User rules: new class, override, regex, errors. */
	CHECK(sift_classifier_add_line(c, "# comment", 9, "r", 1, &e) == 0);
	CHECK(sift_classifier_add_line(c, "", 0, "r", 2, &e) == 0);
	CHECK(sift_classifier_add_line(c, "badbot reject:rcpt Go away bot",
	    30, "r", 3, &e) == 0);
	CHECK(sift_classifier_add_line(c, "none reject,tempreject greylisted",
	    33, "r", 4, &e) == 0);
	CHECK(sift_classifier_add_line(c, "relay any /^Relay denied [0-9]+$/",
	    33, "r", 5, &e) == 0);
	CHECK(sift_classifier_add_line(c, "ratelimit acl_log ^Throttled:",
	    29, "r", 6, &e) == 0);
	CHECK_INT(sift_classifier_nclasses(c), SIFT_CL__BUILTIN + 1);
	CHECK_INT(sift_classifier_nrules(c), n + 4);
	CHECK(sift_classifier_rule_is_user(c, 0));
	CHECK(!sift_classifier_rule_is_user(c, 4));
	IS("badbot", SIFT_EV_REJECT, SIFT_ST_RCPT, "192.0.2.9",
	    "H=[192.0.2.9] rejected RCPT <a@b>: Go away bot now",
	    "Go away bot now");
	IS("sender", SIFT_EV_REJECT, SIFT_ST_MAIL, "192.0.2.9",
	    "H=[192.0.2.9] rejected MAIL <a@b>: Go away bot now",
	    "Go away bot now");
	IS("-", SIFT_EV_TEMPREJECT, SIFT_ST_RCPT, "192.0.2.9",
	    "H=[192.0.2.9] temporarily rejected RCPT <a@b>: greylisted",
	    "greylisted");
	IS("relay", SIFT_EV_REJECT, SIFT_ST_RCPT, "192.0.2.9",
	    "H=[192.0.2.9] rejected RCPT <a@b>: Relay denied 42",
	    "Relay denied 42");
	IS("rejected", SIFT_EV_REJECT, SIFT_ST_RCPT, "192.0.2.9",
	    "H=[192.0.2.9] rejected RCPT <a@b>: Relay denied 42x",
	    "Relay denied 42x");
	IS("ratelimit", SIFT_EV_ACL_LOG, SIFT_ST_NONE, "192.0.2.9",
	    "H=[192.0.2.9] Throttled: yes", "Throttled: yes");
	CHECK(sift_classifier_add_line(c, "Bad reject x", 12, "r", 7,
	    &e) == -1);
	CHECK_STREQ(e.msg, "r:7: invalid class name: Bad");
	CHECK(sift_classifier_add_line(c, "x nosuchevent x", 15, "r", 8,
	    &e) == -1);
	CHECK_STREQ(e.msg, "r:8: unknown event: nosuchevent");
	CHECK(sift_classifier_add_line(c, "x reject:nostage x", 18, "r", 9,
	    &e) == -1);
	CHECK_STREQ(e.msg, "r:9: unknown stage: nostage");
	CHECK(sift_classifier_add_line(c, "x reject", 8, "r", 10, &e) == -1);
	CHECK_STREQ(e.msg, "r:10: missing text");
	CHECK(sift_classifier_add_line(c, "x reject /a(b/", 14, "r", 11,
	    &e) == -1);
	CHECK(e.code == SIFT_E_REGEX && strncmp(e.msg, "r:11: ", 6) == 0);
	/* Failed lines define no class. */
	CHECK_INT(sift_classifier_nclasses(c), SIFT_CL__BUILTIN + 1);
	CHECK(sift_classifier_load(c, "/nonexistent/rules", &e) == -1);
	CHECK(e.code == SIFT_E_IO);

	/* A clone classifies the same. */
	c2 = sift_classifier_clone(c);
	CHECK(c2 != NULL);
	rec = mk(SIFT_EV_REJECT, SIFT_ST_RCPT, "192.0.2.9",
	    "H=[192.0.2.9] rejected RCPT <a@b>: Relay denied 42",
	    "Relay denied 42");
	CHECK_INT(sift_classify(c2, &rec, &m), SIFT_CL_RELAY);
	CHECK_STREQ(sift_classifier_class_name(c2, SIFT_CL__BUILTIN),
	    "badbot");

	/* Classification never allocates. */
	before = sift_xalloc_count();
	for (int i = 0; i < 10000; i++)
		(void)sift_classify(c, &rec, &m);
	CHECK_INT(sift_xalloc_count(), before);

	memset(&r, 0, sizeof(r));
	r.cls = SIFT_CL_AUTH;
	r.text = "x";
	CHECK(sift_classifier_add_rule(c, &r, "f", 1, &e) == 0);
	sift_classifier_free(c2);
	sift_classifier_free(c);

	/*
	 * The quick look at a line checks the timestamp's shape eight bytes
	 * at a time: every byte of it that is not a digit or the right
	 * separator, and the neighbours of digits (':' 0x3a, '/' 0x2f), is
	 * refused; the good line is a delivery.
	 */
	{
		static const char good[] = "2026-11-01 00:00:00 "
		    "1xNIzQ-0000GV-Lk => root <a@b> R=local T=spool";
		static const char bad[] = ":/ -\x7f" "9" "\xb0";
		char ln[sizeof(good)];
		int wrong = 0;

		CHECK_INT(sift_line_quick_event(sift_str_make(good,
		    sizeof(good) - 1)), SIFT_EV_DELIVERY);
		for (size_t i = 0; i < 19; i++)
			for (size_t k = 0; k < sizeof(bad) - 1; k++) {
				memcpy(ln, good, sizeof(good));
				bool sep = i == 4 || i == 7 || i == 10 ||
				    i == 13 || i == 16;

				/* what keeps the shape is no test */
				if (ln[i] == bad[k] || (bad[k] == '9' && !sep))
					continue;
				ln[i] = bad[k];
				if (sift_line_quick_event(sift_str_make(ln,
				    sizeof(good) - 1)) != -1)
					wrong++;
			}
		CHECK_INT(wrong, 0);
		/* a [pid] to the very end: nothing read past it (ASan) */
		{
			static const char pid[] =
			    "2026-11-01 00:00:00 [12345678901234567890]";
			char *x = sift_xmalloc(sizeof(pid) - 1);

			memcpy(x, pid, sizeof(pid) - 1);
			CHECK_INT(sift_line_quick_event(sift_str_make(x,
			    sizeof(pid) - 1)), -1);
			free(x);
		}
		memcpy(ln, good, sizeof(good));
		ln[18] = '9';
		CHECK_INT(sift_line_quick_event(sift_str_make(ln,
		    sizeof(good) - 1)), SIFT_EV_DELIVERY);
	}
	return tap_done();
}
