/* SPDX-License-Identifier: ISC */
/*
 * Unit tests: rotated-set ordering from shuffled operands, directory
 * expansion, parallel and single-thread reading giving the same lines, an
 * unreadable file in the middle of a set, resuming, early free.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logset.h"
#include "xalloc.h"
#include "../tap.h"
#include "testfiles.h"
#include "banned.h"

static unsigned rng = 7;

static unsigned
rnd(void)
{
	rng = rng * 1103515245 + 12345;
	return rng >> 16;
}

static void
shuffle(const char **v, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = rnd() % i;
		const char *t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* Add v[0..n) shuffled; the order must come out as v. */
static int
order_ok(const char *const *want, size_t n, int rounds)
{
	const char *v[64];
	struct sift_logset *ls;
	struct sift_err e = SIFT_ERR_INIT;
	int ok = 1;

	for (int r = 0; r < rounds && ok; r++) {
		memcpy(v, want, n * sizeof(*v));
		shuffle(v, n);
		ls = sift_logset_new(NULL);
		for (size_t i = 0; i < n; i++)
			if (sift_logset_add(ls, v[i], &e) == -1)
				ok = 0;
		if (sift_logset_count(ls) != n)
			ok = 0;
		for (size_t i = 0; ok && i < n; i++)
			if (strcmp(sift_logset_path(ls, i), want[i]) != 0) {
				printf("# round %d: position %zu: %s, want "
				    "%s\n", r, i, sift_logset_path(ls, i),
				    want[i]);
				ok = 0;
			}
		sift_logset_free(ls);
	}
	return ok;
}

static int
key_is(const char *name, const char *base, int kind, uint64_t key)
{
	size_t blen;
	int k;
	uint64_t v;

	sift_logset_rotkey(name, &blen, &k, &v);
	if (blen != strlen(base) || memcmp(name, base, blen) != 0 ||
	    k != kind || v != key) {
		printf("# %s: base %.*s kind %d key %llu\n", name, (int)blen,
		    name, k, (unsigned long long)v);
		return 0;
	}
	return 1;
}

static size_t slurp_len;

/* Read the whole set into one string "name:lineno:line\n..." */
static char *
slurp(struct sift_logset *ls, int *nerr, char *errs, size_t errsz)
{
	size_t cap = 1 << 20, n = 0;
	char *out = sift_xmalloc(cap);
	struct sift_str s;
	struct sift_err e = SIFT_ERR_INIT;
	int rc;

	*nerr = 0;
	errs[0] = '\0';
	while ((rc = sift_logset_next(ls, &s, &e)) != 0) {
		const char *name = sift_logset_name(ls);
		const char *b = strrchr(name, '/');

		b = b != NULL ? b + 1 : name;
		if (rc == -1) {
			(*nerr)++;
			snprintf(errs + strlen(errs), errsz - strlen(errs),
			    "[%zu %s]", sift_logset_index(ls), e.msg +
			    (strstr(e.msg, b) != NULL ? strstr(e.msg, b) -
			    e.msg : 0));
			continue;
		}
		while (n + s.n + 128 > cap) {
			cap *= 2;
			out = sift_xrealloc(out, cap);
		}
		n += (size_t)snprintf(out + n, cap - n, "%s:%llu:%s", b,
		    (unsigned long long)sift_logset_lineno(ls),
		    sift_logset_truncated(ls) ? "[T]" : "");
		memcpy(out + n, s.p, s.n);
		n += s.n;
		out[n++] = '\n';
	}
	out[n] = '\0';
	slurp_len = n;
	return out;
}

int
main(void)
{
	static const char *const debian[] = {
		"mainlog.10.gz", "mainlog.9.gz", "mainlog.8.gz",
		"mainlog.7.gz", "mainlog.6.gz", "mainlog.5.gz",
		"mainlog.4.gz", "mainlog.3.gz", "mainlog.2.gz", "mainlog.1",
		"mainlog",
	};
	static const char *const dated[] = {
		"/var/log/exim/mainlog-20241231.xz",
		"/var/log/exim/mainlog-20250101.gz",
		"/var/log/exim/mainlog-20250102",
		"/var/log/exim/mainlog",
		"/var/log/exim/rejectlog.20250101.bz2",
		"/var/log/exim/rejectlog.20250102",
	};
	static const char *const exim[] = {
		"log/mainlog202503", "log/mainlog20250401.zst",
		"log/mainlog20250402", "log/mainlog20250410",
	};
	static const char *const mixed[] = {
		"mainlog-20250101", "mainlog.3.gz", "mainlog.2.zst",
		"mainlog.1", "mainlog",
	};
	struct sift_logset *ls;
	struct sift_logset_opts o = { 0, 1, false };
	struct sift_err e = SIFT_ERR_INIT;
	char errs[1024], *one, *two;
	const char *dir;
	struct sift_str s;
	int nerr, rc;
	size_t n;

	dir = tf_init();

	/* rotation keys */
	CHECK(key_is("mainlog", "mainlog", 2, 0));
	CHECK(key_is("mainlog.1", "mainlog", 1, 1));
	CHECK(key_is("mainlog.12.gz", "mainlog", 1, 12));
	CHECK(key_is("mainlog.3.zst", "mainlog", 1, 3));
	CHECK(key_is("mainlog-20250425", "mainlog", 0, 2025042500));
	CHECK(key_is("mainlog.20250425.bz2", "mainlog", 0, 2025042500));
	CHECK(key_is("mainlog20250425", "mainlog", 0, 2025042500));
	CHECK(key_is("mainlog202504", "mainlog", 0, 2025040000));
	CHECK(key_is("exim_mainlog.2.xz", "exim_mainlog", 1, 2));
	CHECK(key_is("mainlog.gz", "mainlog", 2, 0));
	CHECK(key_is("mainlog-1", "mainlog-1", 2, 0));
	CHECK(key_is("mainlog.99999999", "mainlog.99999999", 2, 0));
	CHECK(key_is("mainlog.20251399", "mainlog.20251399", 2, 0));

	/* ordering, whatever the operand order */
	CHECK(order_ok(debian, SIFT_ARRAY_SIZE(debian), 50));
	CHECK(order_ok(dated, 4, 30));
	CHECK(order_ok(dated + 4, 2, 10));
	CHECK(order_ok(exim, SIFT_ARRAY_SIZE(exim), 30));
	CHECK(order_ok(mixed, SIFT_ARRAY_SIZE(mixed), 30));
	/* two groups in operand order, each ordered */
	ls = sift_logset_new(NULL);
	CHECK(sift_logset_add(ls, "/l/rejectlog", &e) == 0);
	CHECK(sift_logset_add(ls, "/l/mainlog", &e) == 0);
	CHECK(sift_logset_add(ls, "/l/rejectlog.1.gz", &e) == 0);
	CHECK(sift_logset_add(ls, "/l/mainlog.1", &e) == 0);
	CHECK(sift_logset_add(ls, "/l/mainlog", &e) == 0);
	CHECK_INT(sift_logset_count(ls), 4);
	CHECK_STREQ(sift_logset_path(ls, 0), "/l/rejectlog.1.gz");
	CHECK_STREQ(sift_logset_path(ls, 1), "/l/rejectlog");
	CHECK_STREQ(sift_logset_path(ls, 2), "/l/mainlog.1");
	CHECK_STREQ(sift_logset_path(ls, 3), "/l/mainlog");
	sift_logset_free(ls);

	/*
	 * A real set: mainlog.4.gz (lines 1-3) ... mainlog (lines 13-15),
	 * mixed codecs, read through the directory and through a shuffled
	 * glob, with and without the worker thread.
	 */
	tf_write("mainlog", "l13\nl14\nl15\n", 12);
	tf_write("p1", "l10\nl11\nl12\n", 12);
	tf_write("p2", "l07\nl08\nl09\n", 12);
	tf_write("p3", "l04\nl05\nl06\n", 12);
	tf_write("p4", "l01\nl02\nl03\n", 12);
	tf_write("notalog.txt", "nope\n", 5);
	CHECK(tf_sh("mv p1 mainlog.1 && zstd -q --rm p2 -o mainlog.2.zst && "
	    "gzip -c p3 > mainlog.3.gz && rm p3 && gzip -c p4 > "
	    "mainlog.4.gz && rm p4 && printf 'r1\\n' > rejectlog") == 0);
	for (unsigned t = 1; t <= 2; t++) {
		o.threads = t;
		ls = sift_logset_new(&o);
		CHECK(sift_logset_add(ls, dir, &e) == 0);
		CHECK_INT(sift_logset_count(ls), 6);
		one = slurp(ls, &nerr, errs, sizeof(errs));
		CHECK_INT(nerr, 0);
		CHECK_STREQ(one,
		    "mainlog.4.gz:1:l01\nmainlog.4.gz:2:l02\n"
		    "mainlog.4.gz:3:l03\n"
		    "mainlog.3.gz:1:l04\nmainlog.3.gz:2:l05\n"
		    "mainlog.3.gz:3:l06\n"
		    "mainlog.2.zst:1:l07\nmainlog.2.zst:2:l08\n"
		    "mainlog.2.zst:3:l09\n"
		    "mainlog.1:1:l10\nmainlog.1:2:l11\nmainlog.1:3:l12\n"
		    "mainlog:1:l13\nmainlog:2:l14\nmainlog:3:l15\n"
		    "rejectlog:1:r1\n");
		free(one);
		sift_logset_free(ls);
	}

	/* parallel and single-thread agree on a bigger set */
	CHECK(tf_sh("mkdir big && cd big && i=0; while [ $i -lt 30000 ]; do "
	    "echo \"line $i $(($i * 7919 %% 1000))\"; i=$((i+1)); done > all "
	    "&& split -l 7000 -d -a 1 all p && gzip -c p0 > mainlog.4.gz && "
	    "zstd -q -c p1 > mainlog.3.gz && xz -c p2 > mainlog.2 && "
	    "bzip2 -c p3 > mainlog.1 && mv p4 mainlog && rm p0 p1 p2 p3 all")
	    == 0);
	o.threads = 1;
	o.max_line = 12;
	ls = sift_logset_new(&o);
	CHECK(sift_logset_add(ls, tf_path("big"), &e) == 0);
	one = slurp(ls, &nerr, errs, sizeof(errs));
	CHECK_INT(nerr, 0);
	sift_logset_free(ls);
	o.threads = 2;
	ls = sift_logset_new(&o);
	CHECK(sift_logset_add(ls, tf_path("big/mainlog"), &e) == 0);
	CHECK(sift_logset_add(ls, tf_path("big/mainlog.1"), &e) == 0);
	CHECK(sift_logset_add(ls, tf_path("big/mainlog.3.gz"), &e) == 0);
	CHECK(sift_logset_add(ls, tf_path("big/mainlog.2"), &e) == 0);
	CHECK(sift_logset_add(ls, tf_path("big/mainlog.4.gz"), &e) == 0);
	two = slurp(ls, &nerr, errs, sizeof(errs));
	CHECK_INT(nerr, 0);
	sift_logset_free(ls);
	CHECK(strcmp(one, two) == 0);
	CHECK(strstr(one, "mainlog.4.gz:1:line 0 0\n") == one);
	CHECK(strstr(one, "mainlog:2000:[T]line 29999 ") != NULL);
	CHECK(strstr(one, "mainlog.1:6999:[T]line 27998 ") != NULL);
	free(one);
	free(two);

	/*
	 * Chunk boundaries of the worker (1 MiB): random line lengths around
	 * max_line, CRs, NULs and huge lines over several chunks; the
	 * worker's lines, flags and numbers must equal the direct reader's.
	 */
	{
		size_t cap = 5 * 1024 * 1024 + 100000, k = 0;
		char *buf = sift_xmalloc(cap);
		static const size_t lens[] = { 0, 1, 63, 99, 100, 101, 250,
			999, 1000, 1001, 70000 };

		while (k < cap - 80000) {
			size_t len = lens[rnd() % SIFT_ARRAY_SIZE(lens)];

			if (rnd() % 4 != 0)
				len = rnd() % 120;
			for (size_t j = 0; j < len; j++, k++)
				buf[k] = j % 97 == 5 ? '\0' : j % 89 == 3 ?
				    '\r' : (char)('a' + (j + k) % 26);
			buf[k++] = '\n';
		}
		tf_write("chunky", buf, k);
		CHECK(tf_sh("gzip -1 -c chunky > chunky2.gz && cp chunky "
		    "chunky3") == 0);
		o.max_line = 1000;
		o.threads = 1;
		ls = sift_logset_new(&o);
		CHECK(sift_logset_add(ls, tf_path("chunky2.gz"), &e) == 0);
		CHECK(sift_logset_add(ls, tf_path("chunky3"), &e) == 0);
		one = slurp(ls, &nerr, errs, sizeof(errs));
		n = slurp_len;
		CHECK_INT(nerr, 0);
		sift_logset_free(ls);
		o.threads = 2;
		ls = sift_logset_new(&o);
		CHECK(sift_logset_add(ls, tf_path("chunky2.gz"), &e) == 0);
		CHECK(sift_logset_add(ls, tf_path("chunky3"), &e) == 0);
		two = slurp(ls, &nerr, errs, sizeof(errs));
		CHECK_INT(nerr, 0);
		sift_logset_free(ls);
		printf("# %zu bytes per file, %zu bytes of lines\n", k, n);
		CHECK(k > 4 * 1024 * 1024 && n > 1024 * 1024);
		CHECK_INT(slurp_len, n);
		CHECK(memcmp(one, two, n) == 0);
		CHECK(memmem(one, n, ":[T]", 4) != NULL);
		free(one);
		free(two);
		free(buf);
		o.max_line = 0;
	}

	/* an unreadable and a corrupt file in the middle lose nothing else */
	CHECK(tf_sh("mkdir bad && cd bad && printf 'a1\\na2\\n' | gzip > "
	    "mainlog.3.gz && printf 'b1\\nb2\\nb3\\n' | gzip | head -c 25 > "
	    "mainlog.2.gz && printf 'c1\\n' > mainlog && printf 'd1\\n' > "
	    "mainlog.1 && chmod 000 mainlog.1") == 0);
	for (unsigned t = 1; t <= 2; t++) {
		o.threads = t;
		o.max_line = 0;
		ls = sift_logset_new(&o);
		CHECK(sift_logset_add(ls, tf_path("bad/mainlog.1"), &e) == 0);
		CHECK(sift_logset_add(ls, tf_path("bad/nonexistent.1"), &e)
		    == 0);
		CHECK(sift_logset_add(ls, tf_path("bad/mainlog"), &e) == 0);
		CHECK(sift_logset_add(ls, tf_path("bad/mainlog.2.gz"), &e)
		    == 0);
		CHECK(sift_logset_add(ls, tf_path("bad/mainlog.3.gz"), &e)
		    == 0);
		one = slurp(ls, &nerr, errs, sizeof(errs));
		if (getuid() == 0) {
			/* root reads mode 000 files */
			CHECK_STREQ(one,
			    "mainlog.3.gz:1:a1\nmainlog.3.gz:2:a2\n"
			    "mainlog.2.gz:1:b1\nmainlog.2.gz:2:b2\n"
			    "mainlog.2.gz:3:b3\n"
			    "mainlog.1:1:d1\nmainlog:1:c1\n");
		} else
			CHECK_STREQ(one,
			    "mainlog.3.gz:1:a1\nmainlog.3.gz:2:a2\n"
			    "mainlog.2.gz:1:b1\nmainlog.2.gz:2:b2\n"
			    "mainlog.2.gz:3:b3\n"
			    "mainlog:1:c1\n");
		CHECK_INT(nerr, getuid() == 0 ? 2 : 3);
		CHECK(strstr(errs, "[1 mainlog.2.gz: gzip: unexpected end of "
		    "file after line 3]") != NULL);
		CHECK(strstr(errs, "nonexistent.1: No such file or directory")
		    != NULL);
		printf("# errors: %s\n", errs);
		free(one);
		sift_logset_free(ls);
	}

	/* resume the live file after its first line */
	for (unsigned t = 1; t <= 2; t++) {
		o.threads = t;
		ls = sift_logset_new(&o);
		CHECK(sift_logset_add(ls, tf_path("mainlog"), &e) == 0);
		sift_logset_set_start(ls, 0, 4, 1);
		CHECK(sift_logset_next(ls, &s, &e) == 1);
		CHECK(s.n == 3 && memcmp(s.p, "l14", 3) == 0);
		CHECK_INT(sift_logset_lineno(ls), 2);
		CHECK_INT(sift_logset_offset(ls), 8);
		sift_logset_free(ls);
	}

	/* freed early, with the worker blocked on a full queue */
	o.threads = 2;
	ls = sift_logset_new(&o);
	CHECK(sift_logset_add(ls, tf_path("big"), &e) == 0);
	CHECK(sift_logset_next(ls, &s, &e) == 1);
	CHECK_STREQ(sift_logset_codec(ls), "gzip");
	sift_logset_free(ls);

	/* an empty set */
	ls = sift_logset_new(NULL);
	CHECK(sift_logset_next(ls, &s, &e) == 0);
	sift_logset_free(ls);
	/* a directory that cannot be listed */
	ls = sift_logset_new(NULL);
	rc = sift_logset_add(ls, tf_path("nonexistent-dir/"), &e);
	n = sift_logset_count(ls);
	CHECK(rc == 0 && n == 1);
	sift_logset_free(ls);
	return tap_done();
}
