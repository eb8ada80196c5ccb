/* SPDX-License-Identifier: ISC */
/* Unit tests for lib/recout (record output) and lib/filter. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "filter.h"
#include "obuf.h"
#include "parse.h"
#include "recout.h"
#include "../tap.h"
#include "banned.h"

static struct sift_obuf b = SIFT_OBUF_INIT;

static const char *
s(void)
{
	sift_obuf_putc(&b, '\0');
	b.n--;
	return b.p;
}

static void
blank(struct sift_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->pid = -1;
	r->port = -1;
	r->ts.ms = -1;
}

/* A rejection as the parser would give it. */
static void
reject(struct sift_rec *r)
{
	static const char line[] = "2026-11-22 02:49:19.123 +0100 [4242] "
	    "H=(spam\texample) [192.0.2.7]:4711 F=<a@example.test> "
	    "rejected RCPT <victim@elsewhere.test>: relay \"not\" permitted";

	blank(r);
	r->line = SIFT_STR_LIT(line);
	r->text = sift_str_make(line + 37, sizeof(line) - 1 - 37);
	r->ts.sec = 1795315759 - 3600;
	r->ts.ms = 123;
	r->ts.tzoff = 60;
	r->ts.valid = true;
	r->ts.tz_given = true;
	r->pid = 4242;
	r->event = SIFT_EV_REJECT;
	r->stage = SIFT_ST_RCPT;
	if (sift_addr_parse("192.0.2.7", 9, &r->ip) != 0)
		abort();
	r->port = 4711;
	r->helo = SIFT_STR_LIT("spam\texample");
	r->sender = SIFT_STR_LIT("a@example.test");
	r->recipient = SIFT_STR_LIT("victim@elsewhere.test");
	r->reason = SIFT_STR_LIT("relay \"not\" permitted");
}

static void
arrival(struct sift_rec *r)
{
	blank(r);
	r->ts.sec = 1795315757;
	r->ts.valid = true;
	r->event = SIFT_EV_ARRIVAL;
	r->msgid = SIFT_STR_LIT("1xUxdl-0004eL-2P");
	r->sender = SIFT_STR_LIT("a@example.test");
	if (sift_addr_parse("2001:db8::5", 11, &r->ip) != 0)
		abort();
	r->tags[0].key = SIFT_STR_LIT("H");
	r->tags[0].val = SIFT_STR_LIT("(client) [2001:db8::5]");
	r->tags[1].key = SIFT_STR_LIT("P");
	r->tags[1].val = SIFT_STR_LIT("esmtps");
	r->tags[2].key = SIFT_STR_LIT("X");
	r->tags[2].val = SIFT_STR_LIT("TLS1.3:TLS_AES_256_GCM_SHA384:256");
	r->tags[3].key = SIFT_STR_LIT("S");
	r->tags[3].val = SIFT_STR_LIT("2977");
	r->tags[4].key = SIFT_STR_LIT("L");
	r->tags[4].val = SIFT_STR_NULL;
	r->tags[5].key = SIFT_STR_LIT("id");
	r->tags[5].val = SIFT_STR_LIT("x\xff@y");
	r->tags[6].key = SIFT_STR_LIT("T");
	r->tags[6].val = SIFT_STR_LIT("\"hi, there\"");
	r->ntags = 7;
}

static const char *
out(enum sift_recfmt fmt, const char *fields, const struct sift_rec *r,
    const char *file, uint64_t lineno)
{
	struct sift_recsrc src = { file, lineno, 0 };
	struct sift_recout *o;

	o = sift_recout_new(fmt, fields, NULL);
	if (o == NULL)
		return "NEW FAILED";
	sift_obuf_reset(&b);
	sift_recout_header(o, &b);
	sift_recout_write(o, &b, r, &src);
	sift_recout_free(o);
	return s();
}

static void
test_json(void)
{
	struct sift_rec r;

	reject(&r);
	CHECK_STREQ(out(SIFT_RECFMT_JSON, NULL, &r, "mainlog", 7),
	    "{\"ts\":\"2026-11-22T02:49:19.123+01:00\",\"file\":\"mainlog\","
	    "\"lineno\":7,\"event\":\"reject\",\"pid\":4242,"
	    "\"ip\":\"192.0.2.7\",\"port\":4711,\"helo\":\"spam\\texample\","
	    "\"sender\":\"a@example.test\","
	    "\"recipient\":\"victim@elsewhere.test\","
	    "\"reason\":\"relay \\\"not\\\" permitted\",\"stage\":\"rcpt\"}\n");
	CHECK_STREQ(out(SIFT_RECFMT_JSON, "ip,event,epoch,line", &r, "m", 1),
	    "{\"ip\":\"192.0.2.7\",\"event\":\"reject\","
	    "\"epoch\":1795312159.123,\"line\":\"2026-11-22 02:49:19.123 "
	    "+0100 [4242] H=(spam\\texample) [192.0.2.7]:4711 "
	    "F=<a@example.test> rejected RCPT <victim@elsewhere.test>: "
	    "relay \\\"not\\\" permitted\"}\n");
	arrival(&r);
	CHECK_STREQ(out(SIFT_RECFMT_JSON, NULL, &r, "a\"b", 1),
	    "{\"ts\":\"2026-11-22T02:49:17+00:00\",\"file\":\"a\\\"b\","
	    "\"lineno\":1,\"event\":\"arrival\","
	    "\"msgid\":\"1xUxdl-0004eL-2P\",\"ip\":\"2001:db8::5\","
	    "\"sender\":\"a@example.test\",\"size\":2977,"
	    "\"proto\":\"esmtps\","
	    "\"tls\":\"TLS1.3:TLS_AES_256_GCM_SHA384:256\","
	    "\"subject\":\"\\\"hi, there\\\"\","
	    "\"tags\":{\"L\":true,\"id\":\"x\xef\xbf\xbd@y\"}}\n");
	/* an other line keeps its text in the default list only then */
	blank(&r);
	r.text = SIFT_STR_LIT("junk\x01");
	CHECK_STREQ(out(SIFT_RECFMT_JSON, NULL, &r, "f", 3),
	    "{\"file\":\"f\",\"lineno\":3,\"event\":\"other\","
	    "\"text\":\"junk\\u0001\"}\n");
	CHECK_STREQ(out(SIFT_RECFMT_JSON, "ts,pid", &r, "f", 3), "{}\n");
	CHECK_STREQ(out(SIFT_RECFMT_JSON, "lineno", &r, "f", 1234567),
	    "{\"lineno\":1234567}\n");
	CHECK_STREQ(out(SIFT_RECFMT_TSV, "lineno", &r, "f", 18446744073709551615u),
	    "#lineno\n18446744073709551615\n");
}

static void
test_tsv_csv(void)
{
	struct sift_rec r;

	reject(&r);
	CHECK_STREQ(out(SIFT_RECFMT_TSV, "ts,ip,helo,reason,size", &r, "m", 1),
	    "#ts\tip\thelo\treason\tsize\n"
	    "2026-11-22T02:49:19.123+01:00\t192.0.2.7\tspam\\texample\t"
	    "relay \"not\" permitted\t\n");
	CHECK_STREQ(out(SIFT_RECFMT_CSV, "ts,ip,helo,reason,size", &r, "m", 1),
	    "ts,ip,helo,reason,size\r\n"
	    "2026-11-22T02:49:19.123+01:00,192.0.2.7,spam\texample,"
	    "\"relay \"\"not\"\" permitted\",\r\n");
	arrival(&r);
	CHECK_STREQ(out(SIFT_RECFMT_TSV, "subject,tags", &r, "m", 1),
	    "#subject\ttags\n"
	    "\"hi, there\"\t{\"L\":true,\"id\":\"x\xef\xbf\xbd@y\"}\n");
	CHECK_STREQ(out(SIFT_RECFMT_CSV, "subject,tags", &r, "m", 1),
	    "subject,tags\r\n"
	    "\"\"\"hi, there\"\"\",\"{\"\"L\"\":true,\"\"id\"\":"
	    "\"\"x\xef\xbf\xbd@y\"\"}\"\r\n");
	/* a first cell that starts with '#' is escaped */
	r.msgid = SIFT_STR_LIT("#x");
	CHECK_STREQ(out(SIFT_RECFMT_TSV, "msgid", &r, "m", 1),
	    "#msgid\n\\x23x\n");
}

static void
test_escapes(void)
{
	char buf[64];
	size_t n;
	static const char raw[] = "a\tb\nc\rd\\e\x01\x7f\xff#";

	sift_obuf_reset(&b);
	sift_recout_tsv_escape(&b, raw, sizeof(raw) - 1);
	CHECK_STREQ(s(), "a\\tb\\nc\\rd\\\\e\\x01\\x7f\xff#");
	memcpy(buf, b.p, b.n);
	n = sift_recout_tsv_unescape(buf, b.n);
	CHECK(n == sizeof(raw) - 1 && memcmp(buf, raw, n) == 0);
	memcpy(buf, "bad\\q", 5);
	CHECK(sift_recout_tsv_unescape(buf, 5) == (size_t)-1);
	memcpy(buf, "bad\\x4", 6);
	CHECK(sift_recout_tsv_unescape(buf, 6) == (size_t)-1);
	memcpy(buf, "bad\\", 4);
	CHECK(sift_recout_tsv_unescape(buf, 4) == (size_t)-1);
	sift_obuf_reset(&b);
	sift_recout_csv_escape(&b, "plain", 5);
	sift_obuf_putc(&b, '|');
	sift_recout_csv_escape(&b, " lead", 5);
	sift_obuf_putc(&b, '|');
	sift_recout_csv_escape(&b, "a\r\nb", 4);
	sift_obuf_putc(&b, '|');
	sift_recout_csv_escape(&b, "\"", 1);
	CHECK_STREQ(s(), "plain|\" lead\"|\"a\r\nb\"|\"\"\"\"");
}

static void
test_time(void)
{
	struct sift_time t = { 0, -1, 0, true, true };
	char buf[40];

	CHECK_STREQ((sift_recout_fmt_time(&t, buf), buf),
	    "1970-01-01T00:00:00+00:00");
	t.sec = 951782400;	/* 2000-02-29 00:00:00 UTC */
	t.tzoff = -(5 * 60 + 30);
	t.ms = 7;
	CHECK_STREQ((sift_recout_fmt_time(&t, buf), buf),
	    "2000-02-28T18:30:00.007-05:30");
	t.sec = -1;
	t.tzoff = 0;
	t.ms = -1;
	CHECK_STREQ((sift_recout_fmt_time(&t, buf), buf),
	    "1969-12-31T23:59:59+00:00");
	t.sec = 4102444799;	/* 2099-12-31 23:59:59 */
	CHECK_STREQ((sift_recout_fmt_time(&t, buf), buf),
	    "2099-12-31T23:59:59+00:00");
}

static void
test_registry(void)
{
	struct sift_err e = SIFT_ERR_INIT;
	enum sift_recfmt f;

	CHECK(sift_recout_new(SIFT_RECFMT_TSV, "ts,nosuch", &e) == NULL);
	CHECK_STREQ(e.msg, "unknown field: nosuch");
	CHECK(sift_recout_new(SIFT_RECFMT_TSV, "ts,ip,ts", &e) == NULL);
	CHECK_STREQ(e.msg, "field ts given twice");
	CHECK(sift_recout_new(SIFT_RECFMT_TSV, "ts,,ip", &e) == NULL);
	CHECK(sift_recfmt_parse("csv", &f) == 0 && f == SIFT_RECFMT_CSV);
	CHECK(sift_recfmt_parse("xml", &f) == -1);
	CHECK(sift_recout_nfields() > 20);
	CHECK_STREQ(sift_recout_field_name(0), "ts");
	CHECK(sift_recout_field_name(sift_recout_nfields()) == NULL);
}

static void
test_filter(void)
{
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_filter *f;
	struct sift_rec r, a;

	reject(&r);
	arrival(&a);
	f = sift_filter_new();
	CHECK(!sift_filter_active(f));
	CHECK(sift_filter_match(f, &r) && sift_filter_match(f, &a));
	CHECK(sift_filter_ip(f, "192.0.2.0/25", &e) == 0);
	CHECK(sift_filter_match(f, &r) && !sift_filter_match(f, &a));
	CHECK(sift_filter_ip(f, "2001:db8::/32", &e) == 0);
	CHECK(sift_filter_match(f, &r) && sift_filter_match(f, &a));
	CHECK(sift_filter_ip(f, "192.0.2.300", &e) == -1);
	CHECK(sift_filter_events(f, "arrival,delivery", &e) == 0);
	CHECK(!sift_filter_match(f, &r) && sift_filter_match(f, &a));
	CHECK(sift_filter_events(f, "bogus", &e) == -1);
	CHECK_STREQ(e.msg, "unknown event: bogus");
	sift_filter_since(f, a.ts.sec);
	sift_filter_until(f, a.ts.sec + 1);
	CHECK(sift_filter_match(f, &a));
	a.ts.sec++;
	CHECK(!sift_filter_match(f, &a));
	a.ts.sec -= 2;
	CHECK(!sift_filter_match(f, &a));
	sift_filter_free(f);

	f = sift_filter_new();
	CHECK(sift_filter_msgid(f, "1xUxdl-0004eL-2P", &e) == 0);
	CHECK(sift_filter_match(f, &a) && !sift_filter_match(f, &r));
	/* a bounce that names its parent with R= */
	r.line = SIFT_STR_LIT("2026-11-22 02:49:17 1xUxdm-0004eU-2W <= <> "
	    "R=1xUxdl-0004eL-2P U=Debian-exim P=local S=1563");
	CHECK(sift_filter_match(f, &r));
	/* a longer id that contains it does not count */
	r.line = SIFT_STR_LIT("x 1xUxdl-0004eL-2Pq");
	CHECK(!sift_filter_match(f, &r));
	CHECK(sift_filter_msgid(f, "1r6Bwm-000000002h3-2n4V", &e) == 0);
	CHECK(sift_filter_msgid(f, "1r6Bwm-000000002h3-2n4", &e) == -1);
	CHECK(sift_filter_msgid(f, "1r6Bwm_0004eL-2P", &e) == -1);
	sift_filter_free(f);
	CHECK(sift_msgid_valid("1xUxdl-0004eL-2P", 16));
	CHECK(!sift_msgid_valid("1xUxdl-0004eL+2P", 16));
}

int
main(void)
{
	test_json();
	test_tsv_csv();
	test_escapes();
	test_time();
	test_registry();
	test_filter();
	sift_obuf_release(&b);
	return tap_done();
}
