/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the offenders --state file. The input is a state file as a corrupt
 * disk or a hostile user might leave it: loading either fails with a
 * "path:line:" message or gives a state; a loaded state, used (matched
 * against file heads taken from the input, entries put) and saved, must
 * load again, and saving that gives the same bytes (what we write, we
 * read, and nothing drifts from run to run).
 */
#include <sys/mman.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state.h"
#include "fuzz.h"
#include "banned.h"

static char dir[64];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* tmpfs: sift_state_save() fsyncs every time. */
	snprintf(dir, sizeof(dir), "/dev/shm/fuzz-state.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		snprintf(dir, sizeof(dir), "/tmp/fuzz-state.XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
	}
	return 0;
}

static uint8_t *
slurp(const char *path, size_t *n)
{
	uint8_t *buf;
	FILE *fp;
	long len;

	if ((fp = fopen(path, "rb")) == NULL)
		abort();
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	if ((buf = malloc((size_t)len + 1)) == NULL)
		abort();
	if (fread(buf, 1, (size_t)len, fp) != (size_t)len)
		abort();
	fclose(fp);
	*n = (size_t)len;
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_state *s, *s2;
	struct sift_state_ent ent;
	const struct sift_state_ent *m;
	char in[64], out1[128], out2[128], name[32];
	uint8_t *b1, *b2;
	size_t n1, n2, k, nold;
	int fd, rc;
	const int64_t now = 1795315200;

	if (dir[0] == '\0')
		LLVMFuzzerInitialize(NULL, NULL);
	if ((fd = memfd_create("state", MFD_CLOEXEC)) == -1)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(in, sizeof(in), "/proc/self/fd/%d", fd);
	rc = sift_state_load(&s, in, &e);
	close(fd);
	if (rc == -1) {
		FUZZ_CHECK(e.code == SIFT_E_FORMAT || e.code == SIFT_E_IO);
		FUZZ_CHECK(strncmp(e.msg, in, strlen(in)) == 0 &&
		    e.msg[strlen(in)] == ':');
		sift_state_free(s);
		return 0;
	}
	nold = sift_state_count(s);

	/* Use it as a run would: match heads cut from the input, put them. */
	for (k = 0; k < 4 && k < size; k++) {
		m = sift_state_match(s, k, k, data + k, size - k);
		memset(&ent, 0, sizeof(ent));
		if (m != NULL) {
			FUZZ_CHECK(m->fplen > 0 && m->fplen <= size - k);
			FUZZ_CHECK(m->fp == sift_state_fingerprint(data + k,
			    m->fplen));
			ent = *m;
		} else {
			ent.dev = k;
			ent.ino = k;
			ent.fplen = (uint32_t)(size - k < SIFT_STATE_HEAD ?
			    size - k : SIFT_STATE_HEAD);
			ent.fp = sift_state_fingerprint(data + k, ent.fplen);
			ent.offset = size;
		}
		snprintf(name, sizeof(name), "log\t%zu\\\n", k);
		ent.name = name;
		sift_state_put(s, &ent);
	}

	snprintf(out1, sizeof(out1), "%s/one", dir);
	snprintf(out2, sizeof(out2), "%s/two", dir);
	FUZZ_CHECK(sift_state_save(s, out1, now, &e) == 0);
	sift_state_free(s);

	/* What we wrote loads, and saves to the same bytes. */
	FUZZ_CHECK(sift_state_load(&s2, out1, &e) == 0);
	FUZZ_CHECK(sift_state_count(s2) <= nold + 4);
	FUZZ_CHECK(sift_state_save(s2, out2, now, &e) == 0);
	sift_state_free(s2);
	b1 = slurp(out1, &n1);
	b2 = slurp(out2, &n2);
	FUZZ_CHECK(n1 == n2 && memcmp(b1, b2, n1) == 0);
	free(b1);
	free(b2);
	unlink(out1);
	unlink(out2);
	return 0;
}
