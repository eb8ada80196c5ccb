/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the fail2ban filter loader, tag expansion and matching. The input
 * is up to four parts separated by "\n%%\n": filter.d/fuzz.conf,
 * filter.d/fuzz.local, filter.d/common.conf (also as exim-common.conf, for
 * [INCLUDES]) and log lines,
 * written to a tmpfs configuration directory. Loading "fuzz" either works
 * or fails with a message; a loaded filter has its regexes expanded, and
 * every log line is matched (or stopped by a match limit, reported) with
 * hits, groups and failure ids that are readable memory.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "f2b.h"
#include "str.h"
#include "fuzz.h"
#include "banned.h"

static char dir[64];
static volatile unsigned sink;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char sub[96];

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "/dev/shm/fuzz-f2b.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		snprintf(dir, sizeof(dir), "/tmp/fuzz-f2b.XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
	}
	snprintf(sub, sizeof(sub), "%s/filter.d", dir);
	if (mkdir(sub, 0700) == -1)
		abort();
	return 0;
}

static void
put(const char *name, const char *p, size_t n)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/filter.d/%s", dir, name);
	if (p == NULL) {
		unlink(path);
		return;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1 || (n > 0 && write(fd, p, n) != (ssize_t)n))
		abort();
	close(fd);
}

static void
touch(struct sift_str s)
{
	unsigned h = 0;

	FUZZ_CHECK(s.n == 0 || s.p != NULL);
	for (size_t i = 0; i < s.n; i++)
		h = h * 31 + (unsigned char)s.p[i];
	sink += h;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "fuzz.conf", "fuzz.local",
	    "common.conf" };
	const char *p = (const char *)data, *e = p + size, *q, *nl;
	struct sift_f2b_opts o;
	struct sift_f2b_result res;
	struct sift_err err = SIFT_ERR_INIT;
	struct sift_f2b *f;
	struct sift_str v;
	const char *from, *gname;
	char *warn = NULL;
	size_t i, k;
	int part;

	if (dir[0] == '\0')
		LLVMFuzzerInitialize(NULL, NULL);
	if (size > 1 << 15)
		return 0;
	for (part = 0; part < 3; part++) {
		q = p < e ? memmem(p, (size_t)(e - p), "\n%%\n", 4) : NULL;
		if (p >= e) {
			put(names[part], NULL, 0);
			if (part == 2)
				put("exim-common.conf", NULL, 0);
			continue;
		}
		put(names[part], p, q != NULL ? (size_t)(q - p + 1) :
		    (size_t)(e - p));
		/* The stock Exim filters include exim-common.conf. */
		if (part == 2)
			put("exim-common.conf", p, q != NULL ?
			    (size_t)(q - p + 1) : (size_t)(e - p));
		p = q != NULL ? q + 4 : e;
	}

	memset(&o, 0, sizeof(o));
	o.confdir = dir;
	o.now = 1795315200;
	f = sift_f2b_load("fuzz", &o, &warn, &err);
	free(warn);
	if (getenv("FUZZ_DEBUG") != NULL)
		fprintf(stderr, "f2b: %s\n", f == NULL ? err.msg : "loaded");
	if (f == NULL) {
		FUZZ_CHECK(err.msg[0] != '\0');
		return 0;
	}
	FUZZ_CHECK(sift_f2b_nfail(f) <= SIFT_F2B_MAXRE);
	FUZZ_CHECK(sift_f2b_nignore(f) <= SIFT_F2B_MAXRE);
	for (i = 0; i < sift_f2b_nfail(f); i++) {
		FUZZ_CHECK(sift_f2b_fail(f, i) != NULL);
		FUZZ_CHECK(sift_f2b_fail_expanded(f, i) != NULL);
		(void)sift_f2b_greedy(sift_f2b_fail_expanded(f, i));
	}
	for (; p < e; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(e - p));
		if (nl == NULL)
			nl = e;
		memset(&res, 0, sizeof(res));
		if (sift_f2b_process(f, p, (size_t)(nl - p), &res, &err) == -1) {
			FUZZ_CHECK(err.msg[0] != '\0');
		} else {
			FUZZ_CHECK(res.nhits <= SIFT_F2B_MAXRE);
			for (unsigned h = 0; h < res.nhits; h++) {
				FUZZ_CHECK(res.hit[h] < sift_f2b_nfail(f));
				if (sift_f2b_hit_id(f, h, &v, &from)) {
					touch(v);
					FUZZ_CHECK(from != NULL);
				}
				for (k = 0; sift_f2b_hit_group_at(f, h, k, &gname,
				    &v); k++) {
					FUZZ_CHECK(gname != NULL);
					touch(v);
				}
				(void)sift_f2b_hit_attempts(f, h);
				for (k = 0; sift_f2b_hit_user(f, h, k, &v); k++)
					touch(v);
			}
			for (k = 0; k < res.promoted; k++)
				if (sift_f2b_promoted_line(f, k, &v))
					touch(v);
		}
		if (nl == e)
			break;
	}
	sift_f2b_free(f);
	return 0;
}
