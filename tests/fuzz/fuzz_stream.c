/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the record stream (continuations, syslog [n/m] assembly, panic
 * files, errors between files). The input is cut into one to three log
 * files, written to a tmpfs directory under names the stream treats
 * differently (mainlog, rejectlog, paniclog). Whatever the bytes, every
 * record's views must be readable memory (ASan checks each byte), its
 * fields in range, its file index and line numbers consistent; errors
 * name a file; the stream ends, having returned no more records than the
 * files have lines.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"
#include "reader.h"
#include "stream.h"
#include "fuzz.h"
#include "banned.h"

static char dir[64];
static volatile unsigned sink;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "/dev/shm/fuzz-stream.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		snprintf(dir, sizeof(dir), "/tmp/fuzz-stream.XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
	}
	return 0;
}

/* Read every byte of a view, so ASan sees a view that points nowhere. */
static void
touch(struct sift_str s)
{
	unsigned h = 0;

	FUZZ_CHECK(s.n == 0 || s.p != NULL);
	for (size_t i = 0; i < s.n; i++)
		h = h * 31 + (unsigned char)s.p[i];
	sink += h;
}

static void
check_rec(const struct sift_rec *r, size_t max_line)
{
	unsigned i;

	touch(r->line);
	touch(r->text);
	touch(r->msgid);
	touch(r->flag);
	touch(r->host);
	touch(r->helo);
	touch(r->ident);
	touch(r->sender);
	touch(r->recipient);
	touch(r->auth);
	touch(r->authenticator);
	touch(r->user);
	touch(r->reason);
	touch(r->syslog_host);
	touch(r->addr_text);
	touch(r->command);
	touch(r->body);
	FUZZ_CHECK(r->ntags <= SIFT_REC_MAXTAGS);
	for (i = 0; i < r->ntags; i++) {
		touch(r->tags[i].key);
		touch(r->tags[i].val);
	}
	FUZZ_CHECK((unsigned)r->event < SIFT_EV__COUNT);
	FUZZ_CHECK((unsigned)r->stage < SIFT_ST__COUNT);
	FUZZ_CHECK((unsigned)r->parent_event < SIFT_EV__COUNT);
	FUZZ_CHECK(r->ip.family == 0 || r->ip.family == 4 ||
	    r->ip.family == 6);
	FUZZ_CHECK(r->port >= -1 && r->port <= 65535);
	FUZZ_CHECK(r->ts.ms >= -1 && r->ts.ms <= 999);
	if (r->flags & SIFT_REC_CONT)
		FUZZ_CHECK(r->event == SIFT_EV_CONTINUATION);
	/* An assembled record is bounded; anything else is one line. */
	if (r->flags & SIFT_REC_ASSEMBLED)
		FUZZ_CHECK(r->line.n <= SIFT_STREAM_ASM_MAX + max_line);
	else
		FUZZ_CHECK(r->line.n <= max_line);
	FUZZ_CHECK(r->line.n > 0);	/* empty lines are skipped */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "mainlog.1", "mainlog",
	    "rejectlog", "paniclog" };
	struct sift_stream_opts o;
	struct sift_stream *s;
	struct sift_rec rec;
	struct sift_err e = SIFT_ERR_INIT;
	char path[3][96];
	const char *paths[3];
	size_t nfiles, cut[4], i, nl = 0, nrec = 0, nerr = 0, last_idx = 0;
	size_t max_line;
	uint64_t last_line = 0;
	unsigned sel;
	int fd, rc;

	if (dir[0] == '\0')
		LLVMFuzzerInitialize(NULL, NULL);
	if (size < 3)
		return 0;
	sel = data[0];
	nfiles = 1 + sel % 3;
	max_line = sel & 0x40 ? 48 : SIFT_READER_MAX_LINE;
	data++;
	size--;
	cut[0] = 0;
	cut[1] = nfiles > 1 ? data[0] * size / 256 : size;
	cut[2] = nfiles > 2 ? cut[1] + data[1] * (size - cut[1]) / 256 : size;
	cut[nfiles] = size;
	for (i = 0; i < nfiles; i++) {
		snprintf(path[i], sizeof(path[i]), "%s/%s", dir,
		    names[(sel >> 2) % 2 + i]);
		paths[i] = path[i];
		fd = open(path[i], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0600);
		if (fd == -1)
			abort();
		if (cut[i + 1] > cut[i] && write(fd, data + cut[i],
		    cut[i + 1] - cut[i]) != (ssize_t)(cut[i + 1] - cut[i]))
			abort();
		close(fd);
	}
	for (i = 0; i < size; i++)
		nl += data[i] == '\n';

	memset(&o, 0, sizeof(o));
	o.parse.ref_time = 1795315200;
	o.parse.fixed_tz = true;
	o.max_line = max_line == SIFT_READER_MAX_LINE ? 0 : max_line;
	FUZZ_CHECK(sift_stream_open(&s, paths, nfiles, &o, &e) == 0);
	for (;;) {
		rc = sift_stream_next(s, &rec, &e);
		if (rc == 0)
			break;
		if (rc == -1) {
			FUZZ_CHECK(e.msg[0] != '\0');
			FUZZ_CHECK(++nerr <= nfiles);
			continue;
		}
		FUZZ_CHECK(rc == 1);
		check_rec(&rec, max_line);
		FUZZ_CHECK(sift_stream_file(s) != NULL);
		FUZZ_CHECK(sift_stream_fileidx(s) < nfiles);
		/* Files in order; line numbers grow within a file. */
		FUZZ_CHECK(sift_stream_fileidx(s) >= last_idx);
		if (sift_stream_fileidx(s) != last_idx)
			last_line = 0;
		FUZZ_CHECK(sift_stream_lineno(s) >= 1);
		FUZZ_CHECK(sift_stream_lineno(s) > last_line ||
		    (rec.flags & SIFT_REC_ASSEMBLED));
		last_idx = sift_stream_fileidx(s);
		last_line = sift_stream_lineno(s);
		/* No more records than lines (+1 per file without '\n'). */
		FUZZ_CHECK(++nrec <= nl + nfiles);
	}
	/* At the end it stays at the end. */
	FUZZ_CHECK(sift_stream_next(s, &rec, &e) == 0);
	sift_stream_close(s);
	return 0;
}
