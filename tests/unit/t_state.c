/* SPDX-License-Identifier: ISC */
/* Unit tests: lib/state.c (fingerprints, matching, save and load). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state.h"
#include "../tap.h"
#include "banned.h"

int
main(void)
{
	char dir[] = "/tmp/t_state.XXXXXX", path[256];
	struct sift_state *s;
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_state_ent en;
	const struct sift_state_ent *m;
	const char *a = "2026-11-22 00:00:01 first line of A\nsecond\n";
	const char *b = "2026-11-22 00:00:01 first line of B\nsecond\n";
	FILE *fp;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/st", dir);

	CHECK(sift_state_fingerprint("", 0) != sift_state_fingerprint("a", 1));
	CHECK(sift_state_fingerprint(a, 20) == sift_state_fingerprint(b, 20));
	CHECK(sift_state_fingerprint(a, 40) != sift_state_fingerprint(b, 40));

	/* A missing file is an empty state. */
	CHECK(sift_state_load(&s, path, &e) == 0);
	CHECK_INT(sift_state_count(s), 0);
	CHECK(sift_state_match(s, 1, 2, a, strlen(a)) == NULL);
	memset(&en, 0, sizeof(en));
	en.dev = 1;
	en.ino = 100;
	en.fplen = (uint32_t)strlen(a);
	en.fp = sift_state_fingerprint(a, en.fplen);
	en.offset = 12345;
	en.lineno = 67;
	en.name = "/var/log/exim4/main\tlog\n\\x";
	sift_state_put(s, &en);
	en.fplen = 0;		/* nothing to remember */
	sift_state_put(s, &en);
	CHECK(sift_state_save(s, path, 1000, &e) == 0);
	sift_state_free(s);

	CHECK(sift_state_load(&s, path, &e) == 0);
	CHECK_INT(sift_state_count(s), 1);
	/* Another content under the same inode (inode reuse): no match. */
	CHECK(sift_state_match(s, 1, 100, b, strlen(b)) == NULL);
	/* Too short to compare: no match. */
	CHECK(sift_state_match(s, 1, 100, a, 10) == NULL);
	/* The same content elsewhere (rotated, compressed): a match. */
	m = sift_state_match(s, 9, 999, a, strlen(a));
	CHECK(m != NULL);
	if (m != NULL) {
		CHECK_INT(m->offset, 12345);
		CHECK_INT(m->lineno, 67);
		CHECK_STREQ(m->name, "/var/log/exim4/main\tlog\n\\x");
	}
	/* Claimed: not matched twice. */
	CHECK(sift_state_match(s, 1, 100, a, strlen(a)) == NULL);
	/* Unclaimed entries are kept for SIFT_STATE_KEEP seconds. */
	sift_state_free(s);
	CHECK(sift_state_load(&s, path, &e) == 0);
	CHECK(sift_state_save(s, path, 1000 + SIFT_STATE_KEEP, &e) == 0);
	sift_state_free(s);
	CHECK(sift_state_load(&s, path, &e) == 0);
	CHECK_INT(sift_state_count(s), 1);
	CHECK(sift_state_save(s, path, 1001 + SIFT_STATE_KEEP, &e) == 0);
	sift_state_free(s);
	CHECK(sift_state_load(&s, path, &e) == 0);
	CHECK_INT(sift_state_count(s), 0);
	sift_state_free(s);

	/* Two entries match: the same device and inode wins. */
	CHECK(sift_state_load(&s, path, &e) == 0);
	en.fplen = 20;
	en.fp = sift_state_fingerprint(a, 20);
	en.dev = 1;
	en.ino = 1;
	en.offset = 1;
	en.name = "one";
	sift_state_put(s, &en);
	en.ino = 2;
	en.offset = 2;
	en.name = "two";
	sift_state_put(s, &en);
	CHECK(sift_state_save(s, path, 5000, &e) == 0);
	sift_state_free(s);
	CHECK(sift_state_load(&s, path, &e) == 0);
	m = sift_state_match(s, 1, 2, b, strlen(b));
	CHECK(m != NULL && m->offset == 2);
	m = sift_state_match(s, 1, 7, b, strlen(b));
	CHECK(m != NULL && m->offset == 1);
	sift_state_free(s);

	/* Damaged files. */
	if ((fp = fopen(path, "w")) != NULL) {
		fputs("something else\n", fp);
		fclose(fp);
	}
	CHECK(sift_state_load(&s, path, &e) == -1);
	CHECK(strstr(e.msg, ":1: not an offenders state file") != NULL);
	sift_state_free(s);
	if ((fp = fopen(path, "w")) != NULL) {
		fputs("# offenders state 1\n1 2 0 00 5 6 7\tx\n", fp);
		fclose(fp);
	}
	CHECK(sift_state_load(&s, path, &e) == -1);
	CHECK(strstr(e.msg, ":2: invalid state entry") != NULL);
	sift_state_free(s);

	unlink(path);
	rmdir(dir);
	return tap_done();
}
