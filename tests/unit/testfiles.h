/* SPDX-License-Identifier: ISC */
/* Scratch files for the reader, codec and logset unit tests (header only). */
#ifndef SIFT_TESTFILES_H
#define SIFT_TESTFILES_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tf_dir[64];

static void
tf_cleanup(void)
{
	char cmd[128];

	if (tf_dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tf_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "# cannot remove %s\n", tf_dir);
	}
}

static const char *
tf_init(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tf_dir, sizeof(tf_dir), "%s/sift-unit.XXXXXX",
	    t != NULL && strlen(t) < 40 ? t : "/tmp");
	if (mkdtemp(tf_dir) == NULL) {
		perror("mkdtemp");
		exit(2);
	}
	atexit(tf_cleanup);
	return tf_dir;
}

/* Path of name in the scratch directory (static buffer rotation). */
static const char * SIFT_UNUSED
tf_path(const char *name)
{
	static char bufs[8][256];
	static int i;
	char *b = bufs[i++ % 8];

	snprintf(b, 256, "%s/%s", tf_dir, name);
	return b;
}

static void SIFT_UNUSED
tf_write(const char *name, const void *p, size_t n)
{
	FILE *fp = fopen(tf_path(name), "wb");

	if (fp == NULL || fwrite(p, 1, n, fp) != n || fclose(fp) != 0) {
		perror(name);
		exit(2);
	}
}

/* Run a shell command in the scratch directory; its exit status. */
static int
tf_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int
tf_sh(const char *fmt, ...)
{
	char cmd[1024];
	int n;
	va_list ap;

	n = snprintf(cmd, sizeof(cmd), "cd '%s' && ", tf_dir);
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int SIFT_UNUSED
tf_have(const char *tool)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

#endif
