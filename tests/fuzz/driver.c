/* SPDX-License-Identifier: ISC */
/*
 * Replay driver for the fuzz targets under gcc (as in zstd): every operand,
 * a file or a directory (recursively, in name order), is read into a buffer
 * of exactly its size and passed to LLVMFuzzerTestOneInput(); no operand
 * reads standard input. Options in libFuzzer's "-name=value" form are
 * ignored, so the same command line works with either main(). -v names each
 * input on stderr before running it.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "banned.h"

static bool verbose;
static unsigned long ninputs;
static int status;

static int
read_all(int fd, uint8_t **bufp, size_t *lenp)
{
	uint8_t *buf = NULL, *nb;
	size_t len = 0, cap = 0;
	ssize_t n;

	for (;;) {
		if (len == cap) {
			cap = cap == 0 ? 65536 : cap * 2;
			if ((nb = realloc(buf, cap)) == NULL) {
				free(buf);
				return -1;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			free(buf);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

/* Run one input from a buffer of exactly its length, so ASan sees overreads. */
static void
run_one(const char *name, const uint8_t *data, size_t len)
{
	uint8_t *copy;

	if (verbose)
		fprintf(stderr, "replay: %s (%zu bytes)\n", name, len);
	if ((copy = malloc(len > 0 ? len : 1)) == NULL) {
		fprintf(stderr, "replay: %s: out of memory\n", name);
		status = 2;
		return;
	}
	if (len > 0)
		memcpy(copy, data, len);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
	ninputs++;
}

static void
run_fd(const char *name, int fd)
{
	uint8_t *buf;
	size_t len;

	if (read_all(fd, &buf, &len) == -1) {
		fprintf(stderr, "replay: %s: %s\n", name, strerror(errno));
		status = 2;
		return;
	}
	run_one(name, buf, len);
	free(buf);
}

static void run_path(const char *path);

static void
run_dir(const char *path)
{
	struct dirent **ents;
	char *sub;
	size_t n, plen, elen;
	int i, count;

	if ((count = scandir(path, &ents, NULL, alphasort)) == -1) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		status = 2;
		return;
	}
	for (i = 0; i < count; i++) {
		if (ents[i]->d_name[0] != '.') {
			plen = strlen(path);
			elen = strlen(ents[i]->d_name);
			n = plen + elen + 2;
			if ((sub = malloc(n)) == NULL) {
				status = 2;
			} else {
				memcpy(sub, path, plen);
				sub[plen] = '/';
				memcpy(sub + plen + 1, ents[i]->d_name,
				    elen + 1);
				run_path(sub);
				free(sub);
			}
		}
		free(ents[i]);
	}
	free(ents);
}

static void
run_path(const char *path)
{
	struct stat st;
	int fd;

	if (stat(path, &st) == -1) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		status = 2;
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		run_dir(path);
		return;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		status = 2;
		return;
	}
	run_fd(path, fd);
	close(fd);
}

int
main(int argc, char *argv[])
{
	int i, nops = 0;

	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0)
			verbose = true;
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			continue;	/* a libFuzzer option */
		else
			nops++;
	}
	if (nops == 0)
		run_fd("(stdin)", STDIN_FILENO);
	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			continue;
		if (strcmp(argv[i], "-") == 0)
			run_fd("(stdin)", STDIN_FILENO);
		else
			run_path(argv[i]);
	}
	fprintf(stderr, "replay: %lu inputs\n", ninputs);
	return status;
}
