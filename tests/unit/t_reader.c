/* SPDX-License-Identifier: ISC */
/*
 * Unit tests: the line reader on plain input: splitting across buffer
 * boundaries, max_line truncation, CRLF, NUL bytes, no final newline, empty
 * input, resuming at an offset, fstat, and no allocation per line.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"
#include "xalloc.h"
#include "../tap.h"
#include "testfiles.h"
#include "banned.h"

static struct sift_reader *
open_text(const char *name, const void *p, size_t n,
    const struct sift_reader_opts *o)
{
	struct sift_reader *r;
	struct sift_err e = SIFT_ERR_INIT;

	tf_write(name, p, n);
	if (sift_reader_open(&r, tf_path(name), o, &e) == -1) {
		printf("# %s\n", e.msg);
		return NULL;
	}
	return r;
}

static int
next_is(struct sift_reader *r, const char *want, size_t n)
{
	struct sift_str s;
	struct sift_err e = SIFT_ERR_INIT;
	int rc = sift_reader_next(r, &s, &e);

	if (rc != 1) {
		printf("# rc %d %s\n", rc, e.msg);
		return 0;
	}
	if (s.n != n || memcmp(s.p, want, n) != 0) {
		printf("# got %zu bytes \"%.*s\"\n", s.n, (int)(s.n > 80 ? 80 :
		    s.n), s.p);
		return 0;
	}
	return 1;
}

static int
at_end(struct sift_reader *r)
{
	struct sift_str s;
	struct sift_err e = SIFT_ERR_INIT;

	return sift_reader_next(r, &s, &e) == 0;
}

#define NEXT(r, lit)	CHECK(next_is((r), (lit), sizeof(lit) - 1))

int
main(void)
{
	struct sift_reader *r;
	struct sift_reader_opts o;
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_str s;
	struct stat st;
	char *big, *p;
	size_t n, bigcap = 3 * 1024 * 1024;
	int i, ok, rc;
	unsigned long before;

	tf_init();
	memset(&o, 0, sizeof(o));

	/* empty input */
	CHECK((r = open_text("empty", "", 0, NULL)) != NULL);
	CHECK(at_end(r));
	CHECK(at_end(r));
	CHECK_INT(sift_reader_lineno(r), 0);
	sift_reader_close(r);

	/* CRLF, lone CR, NUL, invalid UTF-8, no final newline */
	CHECK((r = open_text("mixed", "a\r\nb\rc\n\r\nx\0y\n\xff\xfe\n"
	    "\n" "last", 21, NULL)) != NULL);
	NEXT(r, "a");
	NEXT(r, "b\rc");
	NEXT(r, "");
	NEXT(r, "x\0y");
	NEXT(r, "\xff\xfe");
	NEXT(r, "");
	NEXT(r, "last");
	CHECK_INT(sift_reader_lineno(r), 7);
	CHECK_INT(sift_reader_offset(r), 21);
	CHECK(at_end(r));
	CHECK_STREQ(sift_reader_codec(r), "plain");
	CHECK(sift_reader_fstat(r, &st) == 0);
	CHECK_INT(st.st_size, 21);
	sift_reader_close(r);

	/* lines across many 256 KiB buffer boundaries */
	big = sift_xmalloc(bigcap);
	n = 0;
	for (i = 0; n + 300 < bigcap; i++) {
		int k = snprintf(big + n, bigcap - n, "%d:", i);

		n += (size_t)k;
		for (int j = 0; j < (i * 7919) % 257; j++)
			big[n++] = (char)('A' + j % 26);
		big[n++] = '\n';
	}
	CHECK((r = open_text("big", big, n, NULL)) != NULL);
	ok = 1;
	p = big;
	before = sift_xalloc_count();
	for (int k = 0; k < i; k++) {
		char *nl = memchr(p, '\n', (size_t)(big + n - p));

		if (sift_reader_next(r, &s, &e) != 1 ||
		    s.n != (size_t)(nl - p) || memcmp(s.p, p, s.n) != 0) {
			printf("# line %d differs\n", k + 1);
			ok = 0;
			break;
		}
		p = nl + 1;
	}
	CHECK(ok);
	CHECK(i > 10000);
	/* no allocation per line */
	CHECK_INT(sift_xalloc_count(), before);
	CHECK(at_end(r));
	CHECK_INT(sift_reader_offset(r), n);
	sift_reader_close(r);

	/* resume at the offset of line 101 */
	p = big;
	for (i = 0; i < 100; i++)
		p = (char *)memchr(p, '\n', (size_t)(big + n - p)) + 1;
	o.start_offset = (uint64_t)(p - big);
	o.start_lineno = 100;
	CHECK(sift_reader_open(&r, tf_path("big"), &o, &e) == 0);
	CHECK(sift_reader_next(r, &s, &e) == 1);
	CHECK(s.n > 4 && memcmp(s.p, "100:", 4) == 0);
	CHECK_INT(sift_reader_lineno(r), 101);
	sift_reader_close(r);
	/* the same through gzip (the decoded offset is skipped) */
	CHECK(tf_sh("gzip -c < big > big.gz") == 0);
	CHECK(sift_reader_open(&r, tf_path("big.gz"), &o, &e) == 0);
	CHECK(sift_reader_next(r, &s, &e) == 1);
	CHECK(s.n > 4 && memcmp(s.p, "100:", 4) == 0);
	CHECK_INT(sift_reader_lineno(r), 101);
	CHECK_STREQ(sift_reader_codec(r), "gzip");
	CHECK(sift_reader_fstat(r, &st) == 0);
	CHECK(st.st_size > 0 && (size_t)st.st_size < n);
	sift_reader_close(r);
	/* an offset past the end: nothing, no error */
	o.start_offset = n + 10;
	CHECK(sift_reader_open(&r, tf_path("big"), &o, &e) == 0);
	CHECK(at_end(r));
	sift_reader_close(r);

	/* max_line: cut, flagged, the rest skipped */
	memset(big, 'x', 1000);
	memcpy(big + 1000, "\nshort\n", 7);
	memset(big + 1007, 'y', 300);
	o.max_line = 100;
	o.start_offset = 0;
	o.start_lineno = 0;
	CHECK((r = open_text("long", big, 1307, &o)) != NULL);
	CHECK(sift_reader_next(r, &s, &e) == 1);
	CHECK_INT(s.n, 100);
	CHECK(sift_reader_truncated(r));
	NEXT(r, "short");
	CHECK(!sift_reader_truncated(r));
	CHECK(sift_reader_next(r, &s, &e) == 1);
	CHECK_INT(s.n, 100);
	CHECK(s.p[0] == 'y');
	CHECK(sift_reader_truncated(r));
	CHECK(at_end(r));
	CHECK_INT(sift_reader_lineno(r), 3);
	sift_reader_close(r);
	/* exactly max_line is not truncated */
	memset(big, 'z', 100);
	big[100] = '\n';
	CHECK((r = open_text("exact", big, 101, &o)) != NULL);
	CHECK(sift_reader_next(r, &s, &e) == 1);
	CHECK_INT(s.n, 100);
	CHECK(!sift_reader_truncated(r));
	CHECK(at_end(r));
	sift_reader_close(r);

	/* a line of 2 MiB with the default cap: memory stays bounded */
	memset(big, 'q', 2 * 1024 * 1024);
	big[2 * 1024 * 1024] = '\n';
	memcpy(big + 2 * 1024 * 1024 + 1, "after\n", 6);
	CHECK((r = open_text("huge", big, 2 * 1024 * 1024 + 7, NULL)) !=
	    NULL);
	before = sift_xalloc_count();
	CHECK(sift_reader_next(r, &s, &e) == 1);
	CHECK_INT(s.n, SIFT_READER_MAX_LINE);
	CHECK(sift_reader_truncated(r));
	NEXT(r, "after");
	CHECK_INT(sift_xalloc_count(), before);
	CHECK(at_end(r));
	sift_reader_close(r);

	/*
	 * Lines in memory (sift_reader_mem()): numbered on from
	 * start_lineno, a short partial line before a failure dropped, one
	 * over max_line cut as a reader of the file would, then the failure.
	 */
	{
		char mem[400];
		struct sift_err pend = SIFT_ERR_INIT;

		memcpy(mem, "one\r\ntwo\nthr", 12);
		sift_err_set(&pend, SIFT_E_CODEC, 0, "unexpected end of file");
		o.max_line = 100;
		o.start_offset = 1000;
		o.start_lineno = 41;
		r = sift_reader_mem("m.zst", "zstd", mem, 12, &pend, &o);
		NEXT(r, "one");
		CHECK_INT(sift_reader_lineno(r), 42);
		NEXT(r, "two");
		CHECK_INT(sift_reader_offset(r), 1000 + 9);
		CHECK_INT(sift_reader_next(r, &s, &e), -1);
		CHECK(strcmp(e.msg, "m.zst: zstd: unexpected end of file "
		    "after line 43") == 0);
		printf("# %s\n", e.msg);
		CHECK(at_end(r));
		sift_reader_close(r);

		memset(mem, 'w', 300);
		r = sift_reader_mem("m.zst", "zstd", mem, 300, &pend, &o);
		CHECK_INT(sift_reader_next(r, &s, &e), 1);
		CHECK_INT(s.n, 100);
		CHECK(sift_reader_truncated(r));
		CHECK_INT(sift_reader_next(r, &s, &e), -1);
		CHECK(strstr(e.msg, "after line 42") != NULL);
		sift_reader_close(r);

		/* no failure: the last line without its newline is a line */
		r = sift_reader_mem("m", NULL, mem, 5, NULL, NULL);
		NEXT(r, "wwwww");
		CHECK(at_end(r));
		CHECK(strcmp(sift_reader_codec(r), "plain") == 0);
		sift_reader_close(r);
	}

	/* a directory is an error, not an empty file */
	rc = sift_reader_open(&r, tf_dir, NULL, &e);
	CHECK_INT(rc, -1);
	CHECK(strstr(e.msg, "Is a directory") != NULL);

	free(big);
	return tap_done();
}
