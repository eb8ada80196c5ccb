/* SPDX-License-Identifier: ISC */
/*
 * Unit tests: codecs through the reader, with files made by the real gzip,
 * zstd, bzip2 and xz tools: round trips, concatenated members and frames,
 * truncation at many offsets, garbage, detection by magic only, pipes.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "reader.h"
#include "xalloc.h"
#include "../tap.h"
#include "testfiles.h"
#include "banned.h"

#define NLINES	20000

static char *text;
static size_t textlen;
static size_t lineoff[NLINES + 1];

/* Deterministic lines of varying length, some long. */
static void
make_text(void)
{
	size_t cap = (size_t)NLINES * 200, n = 0;
	unsigned x = 12345;

	text = sift_xmalloc(cap);
	for (int i = 0; i < NLINES; i++) {
		int len, k;

		x = x * 1103515245 + 12345;
		len = (int)((x >> 16) % 150);
		lineoff[i] = n;
		k = snprintf(text + n, cap - n, "%06d ", i);
		n += (size_t)k;
		for (int j = 0; j < len; j++)
			text[n++] = (char)('a' + (j + i) % 26);
		text[n++] = '\n';
	}
	lineoff[NLINES] = n;
	textlen = n;
}

/* Line i of the text, without its newline. */
static int
line_is(int i, struct sift_str s)
{
	size_t len = lineoff[i + 1] - lineoff[i] - 1;

	return i < NLINES && s.n == len &&
	    memcmp(s.p, text + lineoff[i], len) == 0;
}

/*
 * Read path; lines must be a prefix of the text. Returns the number read;
 * *rc is the final return of sift_reader_next().
 */
static unsigned threads = 1;

static int
read_all(const char *path, int *rc, struct sift_err *e, int *bad,
    char *codec, size_t codecsz)
{
	struct sift_reader *r;
	struct sift_reader_opts o;
	struct sift_str s;
	int n = 0;

	*bad = 0;
	memset(&o, 0, sizeof(o));
	o.threads = threads;
	if (sift_reader_open(&r, path, &o, e) == -1) {
		*rc = -2;
		return 0;
	}
	while ((*rc = sift_reader_next(r, &s, e)) == 1) {
		if (!line_is(n, s))
			(*bad)++;
		n++;
	}
	if (codec != NULL)
		snprintf(codec, codecsz, "%s", sift_reader_codec(r));
	sift_reader_close(r);
	return n;
}

static const struct {
	const char	*tool;
	const char	*codec;
	const char	*ext;
} tools[] = {
	{ "gzip", "gzip", "gz" },
	{ "zstd", "zstd", "zst" },
	{ "bzip2", "bzip2", "bz2" },
	{ "xz", "xz", "xz" },
};

static void
test_tool(int t)
{
	const char *tool = tools[t].tool, *ext = tools[t].ext;
	struct sift_err e = SIFT_ERR_INIT;
	char codec[16], name[64], msg[512];
	struct stat st;
	int rc, bad, n, truncs = 0, good = 1, errs = 1, prefix = 1;

	if (!tf_have(tool)) {
		tap_check(1, "# SKIP tool not installed", __FILE__, __LINE__);
		printf("# %s not installed\n", tool);
		return;
	}
	if (sift_codec_byname(tools[t].codec)->open == NULL) {
		tap_check(1, "# SKIP codec not built in", __FILE__, __LINE__);
		printf("# %s not built in\n", tool);
		return;
	}
	/* round trip */
	CHECK(tf_sh("%s -c < text > whole.%s", tool, ext) == 0);
	snprintf(name, sizeof(name), "whole.%s", ext);
	n = read_all(tf_path(name), &rc, &e, &bad, codec, sizeof(codec));
	CHECK_INT(n, NLINES);
	CHECK_INT(rc, 0);
	CHECK_INT(bad, 0);
	CHECK_STREQ(codec, tools[t].codec);

	/* concatenated members/frames/streams, under a misleading name */
	CHECK(tf_sh("head -c 100000 text > p1 && tail -c +100001 text | "
	    "head -c 300000 > p2 && tail -c +400001 text > p3 && "
	    "%s -c < p1 > cat.txt && %s -c < p2 >> cat.txt && "
	    "%s -c < p3 >> cat.txt", tool, tool, tool) == 0);
	n = read_all(tf_path("cat.txt"), &rc, &e, &bad, codec,
	    sizeof(codec));
	CHECK_INT(n, NLINES);
	CHECK_INT(rc, 0);
	CHECK_INT(bad, 0);
	CHECK_STREQ(codec, tools[t].codec);

	/* truncated at many offsets: good prefix, then an error */
	snprintf(name, sizeof(name), "small.%s", ext);
	CHECK(tf_sh("head -n 700 text > small && %s -c < small > %s",
	    tool, name) == 0);
	CHECK(stat(tf_path(name), &st) == 0);
	for (off_t cut = (off_t)sift_codec_byname(tools[t].codec)->magiclen;
	    cut < st.st_size; cut += st.st_size / 37 + 1) {
		CHECK(tf_sh("head -c %lld %s > cut", (long long)cut, name)
		    == 0);
		n = read_all(tf_path("cut"), &rc, &e, &bad, NULL, 0);
		truncs++;
		if (bad != 0)
			prefix = 0;
		if (rc != -1 || e.code != SIFT_E_CODEC ||
		    strstr(e.msg, "/cut: ") == NULL) {
			errs = 0;
			printf("# cut at %lld: rc %d code %d: %s\n",
			    (long long)cut, rc, e.code, e.msg);
		}
		if (n > 0) {
			snprintf(msg, sizeof(msg), "after line %d", n);
			if (strstr(e.msg, msg) == NULL) {
				good = 0;
				printf("# cut at %lld: %s (want %s)\n",
				    (long long)cut, e.msg, msg);
			}
		}
	}
	CHECK(truncs > 30);
	CHECK(prefix);
	CHECK(errs);
	CHECK(good);
	/* the last byte missing: gzip has lost only its trailer */
	CHECK(tf_sh("head -c %lld %s > cut", (long long)st.st_size - 1,
	    name) == 0);
	n = read_all(tf_path("cut"), &rc, &e, &bad, NULL, 0);
	CHECK_INT(rc, -1);
	if (t == 0) {
		CHECK_INT(n, 700);
		CHECK(strstr(e.msg, "gzip: unexpected end of file after line")
		    != NULL);
	}
	printf("# %s, last byte cut: %d lines, %s\n", tool, n, e.msg);

	/* garbage after the magic */
	CHECK(tf_sh("head -c %d %s > junk && head -c 3000 /dev/urandom >> "
	    "junk", (int)tools[t].codec[0] == 'x' ? 6 : tools[t].codec[0] ==
	    'z' ? 4 : tools[t].codec[0] == 'b' ? 3 : 2, name) == 0);
	n = read_all(tf_path("junk"), &rc, &e, &bad, NULL, 0);
	CHECK_INT(rc, -1);
	CHECK_INT(e.code, SIFT_E_CODEC);
	CHECK_INT(bad, 0);

	/* a pipe: the peeked magic bytes are kept */
	{
		FILE *fp;
		struct sift_reader *r;
		struct sift_str s;
		char cmd[512];
		int i = 0, ok = 1;

		snprintf(cmd, sizeof(cmd), "cat %s", tf_path(name));
		fp = popen(cmd, "r");
		CHECK(fp != NULL);
		CHECK(sift_reader_fdopen(&r, dup(fileno(fp)), "(pipe)", NULL,
		    &e) == 0);
		while ((rc = sift_reader_next(r, &s, &e)) == 1)
			if (!line_is(i++, s))
				ok = 0;
		CHECK_INT(rc, 0);
		CHECK(ok);
		CHECK_INT(i, 700);
		CHECK_STREQ(sift_reader_codec(r), tools[t].codec);
		sift_reader_close(r);
		pclose(fp);
	}
}

int
main(void)
{
	struct sift_err e = SIFT_ERR_INIT;
	char codec[16];
	int rc, bad, n;

	tf_init();
	make_text();
	tf_write("text", text, textlen);

	/* detection by magic bytes only */
	CHECK(sift_codec_detect("\x1f\x8b\x08", 3) == &sift_codec_gzip);
	CHECK(sift_codec_detect("\x28\xb5\x2f\xfd", 4) == &sift_codec_zstd);
	CHECK(sift_codec_detect("BZh9", 4) == &sift_codec_bzip2);
	CHECK(sift_codec_detect("\xfd" "7zXZ\0", 6) == &sift_codec_xz);
	CHECK(sift_codec_detect("\xfd" "7zXZ", 5) == NULL);
	CHECK(sift_codec_detect("2026-11-22", 10) == NULL);
	CHECK(sift_codec_detect("", 0) == NULL);
	CHECK(sift_codec_detect("\x1f", 1) == NULL);

	/* plain round trip; a plain file named .gz stays plain */
	tf_write("plain.gz", text, textlen);
	n = read_all(tf_path("plain.gz"), &rc, &e, &bad, codec,
	    sizeof(codec));
	CHECK_INT(n, NLINES);
	CHECK_INT(rc, 0);
	CHECK_INT(bad, 0);
	CHECK_STREQ(codec, "plain");

	/* zero-length file: empty input, no error */
	tf_write("empty.gz", "", 0);
	n = read_all(tf_path("empty.gz"), &rc, &e, &bad, codec,
	    sizeof(codec));
	CHECK_INT(n, 0);
	CHECK_INT(rc, 0);

	for (size_t t = 0; t < SIFT_ARRAY_SIZE(tools); t++)
		test_tool((int)t);
	/* the same with a decoding worker thread */
	threads = 2;
	for (size_t t = 0; t < SIFT_ARRAY_SIZE(tools); t++)
		test_tool((int)t);

	/* a missing file (threads = 2: still reported by open) */
	n = read_all(tf_path("nonexistent"), &rc, &e, &bad, NULL, 0);
	CHECK_INT(rc, -2);
	CHECK_INT(e.code, SIFT_E_IO);
	CHECK(strstr(e.msg, "nonexistent: No such file") != NULL);
	free(text);
	return tap_done();
}
