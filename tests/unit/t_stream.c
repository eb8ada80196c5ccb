/* SPDX-License-Identifier: ISC */
/* Unit tests: lib/stream.c (continuations, syslog pieces, files, errors). */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stream.h"
#include "../tap.h"
#include "../parse/render.h"
#include "banned.h"

static char dir[256];

static const char *
mkfile(const char *name, const char *content)
{
	static char path[4][512];
	static int k;
	char *p = path[k++ % 4];
	FILE *fp;

	snprintf(p, 512, "%s/%s", dir, name);
	if ((fp = fopen(p, "w")) == NULL)
		return p;
	fputs(content, fp);
	fclose(fp);
	return p;
}

/* Render field key of rec into a static buffer. */
static const char *
F(const struct sift_rec *rec, const char *key)
{
	static struct rbuf r[8];
	static int k;
	struct rbuf *b = &r[k++ % 8];

	if (render_field(rec, key, b) != 0)
		return "?";
	return b->b;
}

int
main(void)
{
	struct sift_stream *s;
	struct sift_stream_opts o = { 0 };
	struct sift_rec rec;
	struct sift_err err = SIFT_ERR_INIT;
	const char *paths[4];
	char big[6000], frag[9000];
	int rv;

	snprintf(dir, sizeof(dir), "%s/t_stream.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		return tap_done();
	}
	o.parse.fixed_tz = true;
	o.no_sort = true;
	o.threads = 1;
	o.parse.ref_time = 1795315757;

	/* Rejectlog entry with headers, then an entry, then a missing file. */
	paths[0] = mkfile("rejectlog",
	    "2026-11-22 02:49:26 1xUxdu-0004f0-14 H=(client) [127.0.0.1] "
	    "F=<a@example.test> rejected after DATA: spam detected\n"
	    "Envelope-from: <a@example.test>\n"
	    "Envelope-to: <user@example.test>\n"
	    "P Received: from [127.0.0.1] (helo=client)\n"
	    "\tby mx.example.test with esmtp (Exim 4.96)\n"
	    "\n"
	    "2026-11-22 02:49:27 H=(sv.example) [127.0.2.27] "
	    "F=<n@x.invalid> rejected RCPT <u@example.test>: "
	    "Sender verify failed\n");
	paths[1] = "/nonexistent/dir/mainlog";
	paths[2] = mkfile("paniclog",
	    "2026-11-22 02:47:53 exim user lost privilege for using -C "
	    "option\n"
	    "2026-11-22 02:47:54 Exim configuration error in line 12 of "
	    "/etc/exim4/exim4.conf:\n"
	    "  missing quote at end of string value for hold_domains\n"
	    "2026-11-22 02:47:55 something nobody knows\n");
	CHECK(sift_stream_open(&s, paths, 3, &o, &err) == 0);
	CHECK(sift_stream_next(s, &rec, &err) == 1);
	CHECK_STREQ(F(&rec, "event"), "reject");
	CHECK_STREQ(F(&rec, "stage"), "data");
	CHECK_INT(sift_stream_lineno(s), 1);
	CHECK(strstr(sift_stream_file(s), "rejectlog") != NULL);
	for (int i = 2; i <= 5; i++) {
		CHECK(sift_stream_next(s, &rec, &err) == 1);
		CHECK_STREQ(F(&rec, "event"), "continuation");
		CHECK_STREQ(F(&rec, "parent"), "reject@1");
		CHECK_STREQ(F(&rec, "msgid"), "1xUxdu-0004f0-14");
		CHECK_STREQ(F(&rec, "ip"), "127.0.0.1");
		CHECK_STREQ(F(&rec, "ts"), "2026-11-22T02:49:26+00:00");
		CHECK_INT(sift_stream_lineno(s), i);
		CHECK(rec.flags & SIFT_REC_CONT);
	}
	/* the empty line 6 is skipped */
	CHECK(sift_stream_next(s, &rec, &err) == 1);
	CHECK_INT(sift_stream_lineno(s), 7);
	CHECK_STREQ(F(&rec, "recipient"), "u@example.test");
	CHECK_STREQ(F(&rec, "msgid"), "");
	/* missing file: -1, then the next file */
	CHECK(sift_stream_next(s, &rec, &err) == -1);
	CHECK(strstr(err.msg, "/nonexistent/dir/mainlog") != NULL);
	CHECK_INT(sift_stream_fileidx(s), 1);
	CHECK(sift_stream_next(s, &rec, &err) == 1);
	CHECK_STREQ(F(&rec, "event"), "panic");
	CHECK_INT(sift_stream_fileidx(s), 2);
	CHECK(sift_stream_next(s, &rec, &err) == 1);
	CHECK_STREQ(F(&rec, "event"), "panic");
	CHECK(sift_stream_next(s, &rec, &err) == 1);
	CHECK_STREQ(F(&rec, "event"), "continuation");
	CHECK_STREQ(F(&rec, "parent"), "panic@2");
	CHECK(sift_stream_next(s, &rec, &err) == 1);
	CHECK_STREQ(F(&rec, "event"), "panic");
	CHECK(sift_stream_next(s, &rec, &err) == 0);
	CHECK(sift_stream_next(s, &rec, &err) == 0);
	sift_stream_close(s);

	/* A continuation at the start of a file has no parent. */
	paths[0] = mkfile("cont", "  orphan\n");
	CHECK(sift_stream_open(&s, paths, 1, &o, &err) == 0);
	CHECK(sift_stream_next(s, &rec, &err) == 1);
	CHECK_STREQ(F(&rec, "parent"), "other@0");
	CHECK_STREQ(F(&rec, "msgid"), "");
	sift_stream_close(s);

	/* Syslog pieces: a long line cut in three, joined; then one broken. */
	memset(big, 'x', sizeof(big));
	big[2000] = '\0';
	snprintf(frag, sizeof(frag),
	    "Nov 22 02:50:01 vm exim[77]: [1/3] 2026-11-22 02:50:01 "
	    "H=(a) [192.0.2.9] F=<a@b> rejected RCPT <c@d>: %.800s\n"
	    "Nov 22 02:50:01 vm exim[77]: [2/3] %.870s\n"
	    "Nov 22 02:50:01 vm exim[77]: [3/3] %.30stail\n"
	    "Nov 22 02:50:02 vm exim[78]: [1/2] 2026-11-22 02:50:02 "
	    "H=(a) [192.0.2.10] rejected EHLO or HELO a: %.700s\n"
	    "Nov 22 02:50:02 vm exim[79]: 2026-11-22 02:50:02 "
	    "H=(b) [192.0.2.11] rejected connection in \"connect\" ACL\n",
	    big, big, big, big);
	paths[0] = mkfile("mail.log", frag);
	CHECK(sift_stream_open(&s, paths, 1, &o, &err) == 0);
	CHECK(sift_stream_next(s, &rec, &err) == 1);
	CHECK_STREQ(F(&rec, "event"), "reject");
	CHECK_STREQ(F(&rec, "ip"), "192.0.2.9");
	CHECK_INT(sift_stream_lineno(s), 1);
	CHECK(rec.flags & SIFT_REC_ASSEMBLED);
	CHECK(!(rec.flags & SIFT_REC_TRUNC));
	CHECK_INT(rec.reason.n, 800 + 870 + 30 + 4);
	CHECK(rec.reason.n > 4 &&
	    memcmp(rec.reason.p + rec.reason.n - 4, "tail", 4) == 0);
	CHECK(sift_stream_next(s, &rec, &err) == 1);
	CHECK_STREQ(F(&rec, "ip"), "192.0.2.10");
	CHECK(rec.flags & SIFT_REC_TRUNC);
	CHECK_INT(sift_stream_lineno(s), 4);
	CHECK(sift_stream_next(s, &rec, &err) == 1);
	CHECK_STREQ(F(&rec, "ip"), "192.0.2.11");
	CHECK_INT(sift_stream_lineno(s), 5);
	CHECK(sift_stream_next(s, &rec, &err) == 0);
	sift_stream_close(s);

	/* A piece left open at the end of the file is flushed. */
	paths[0] = mkfile("open.log",
	    "Nov 22 02:50:02 vm exim[78]: [1/2] 2026-11-22 02:50:02 "
	    "H=(a) [192.0.2.12] rejected EHLO or HELO a: x\n");
	CHECK(sift_stream_open(&s, paths, 1, &o, &err) == 0);
	CHECK(sift_stream_next(s, &rec, &err) == 1);
	CHECK_STREQ(F(&rec, "ip"), "192.0.2.12");
	CHECK(rec.flags & SIFT_REC_TRUNC);
	CHECK(sift_stream_next(s, &rec, &err) == 0);
	sift_stream_close(s);

	/* Reader error in a damaged gzip after its good lines. */
	{
		char cmd[1024];
		const char *g = mkfile("dmg", "");

		snprintf(cmd, sizeof(cmd), "printf '%%s\\n' "
		    "'2026-11-22 02:49:17 1xUxdl-0004eL-2P Completed' | "
		    "gzip -c > %s.gz && head -c 40 %s.gz > %s", g, g, g);
		if (system(cmd) == 0) {
			paths[0] = g;
			CHECK(sift_stream_open(&s, paths, 1, &o, &err) == 0);
			while ((rv = sift_stream_next(s, &rec, &err)) == 1)
				;
			CHECK(rv == -1);
			CHECK(strstr(err.msg, "dmg") != NULL);
			CHECK(sift_stream_next(s, &rec, &err) == 0);
			sift_stream_close(s);
		}
	}
	/* A directory: the rotated set oldest first; a piece left open at
	 * the end of mainlog.1 does not swallow mainlog's first line. */
	{
		char sub[400];
		struct sift_stream_opts d = o;

		snprintf(sub, sizeof(sub), "%s/logdir", dir);
		CHECK(mkdir(sub, 0700) == 0);
		mkfile("logdir/mainlog",
		    "2026-11-22 03:00:00 Start queue run: pid=2\n");
		mkfile("logdir/mainlog.1",
		    "2026-11-22 02:00:00 Start queue run: pid=1\n"
		    "Nov 22 02:50:02 vm exim[78]: [1/2] 2026-11-22 02:50:02 "
		    "H=(a) [192.0.2.12] rejected EHLO or HELO a: x\n");
		d.no_sort = false;
		d.threads = 2;
		paths[0] = sub;
		CHECK(sift_stream_open(&s, paths, 1, &d, &err) == 0);
		CHECK(sift_stream_next(s, &rec, &err) == 1);
		CHECK_STREQ(F(&rec, "tag:pid"), "1");
		CHECK(strstr(sift_stream_file(s), "mainlog.1") != NULL);
		CHECK(sift_stream_next(s, &rec, &err) == 1);
		CHECK_STREQ(F(&rec, "ip"), "192.0.2.12");
		CHECK(rec.flags & SIFT_REC_TRUNC);
		CHECK(strstr(sift_stream_file(s), "mainlog.1") != NULL);
		CHECK_INT(sift_stream_lineno(s), 2);
		CHECK(sift_stream_next(s, &rec, &err) == 1);
		CHECK_STREQ(F(&rec, "tag:pid"), "2");
		CHECK_INT(sift_stream_lineno(s), 1);
		CHECK(strstr(sift_stream_file(s), "mainlog.1") == NULL);
		CHECK(sift_stream_next(s, &rec, &err) == 0);
		sift_stream_close(s);
		paths[0] = "/nonexistent/dir/";
		CHECK(sift_stream_open(&s, paths, 1, &d, &err) == -1 ||
		    (sift_stream_next(s, &rec, &err) == -1 &&
		    (sift_stream_close(s), 1)));
	}
	sift_stream_close(NULL);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			CHECK(!"cleanup");
	}
	return tap_done();
}
