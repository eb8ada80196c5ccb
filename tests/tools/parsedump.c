/* SPDX-License-Identifier: ISC */
/*
 * parsedump: run the parser over log files (test and debugging aid).
 *   parsedump [-clnosw] [-y year] [-r ref_time] file...
 * Records come from lib/stream.h (continuations attached, syslog pieces
 * joined). -l prefixes each printed line with "file:lineno: ".
 * Default: one "key=value ..." line per input line.
 * -c  per-event counts ("event count"), then "total N"
 * -o  print only the lines that parse as event "other" (raw)
 * -s  silent: parse only (for timing)
 * -w  print the first word of the text of each "other" record
 * -n  read only, no parsing (for timing the reader)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"
#include "reader.h"
#include "stream.h"
#include "../parse/render.h"
#include "banned.h"

int
main(int argc, char *argv[])
{
	struct sift_parse_opts o = { 0 };
	struct sift_rec rec;
	struct sift_err err = SIFT_ERR_INIT;
	struct sift_reader *r;
	struct sift_str line;
	unsigned long long cnt[SIFT_EV__COUNT] = { 0 }, total = 0;
	struct sift_stream_opts sopts = { 0 };
	struct sift_stream *s;
	int ch, rv, mode = 0, status = 0, lflag = 0;

	o.ref_time = 1795315757;	/* 2026-11-22: deterministic */
	while ((ch = getopt(argc, argv, "clnoswy:r:")) != -1) {
		switch (ch) {
		case 'c':
		case 'n':
		case 'o':
		case 's':
		case 'w':
			mode = ch;
			break;
		case 'l':
			lflag = 1;
			break;
		case 'y':
			o.year = (int)strtol(optarg, NULL, 10);
			break;
		case 'r':
			o.ref_time = strtoll(optarg, NULL, 10);
			break;
		default:
			fputs("usage: parsedump [-clnosw] [-y year] [-r ref] "
			    "file...\n", stderr);
			return 2;
		}
	}
	if (mode == 'n') {
		for (int i = optind; i < argc; i++) {
			if (sift_reader_open(&r, argv[i], NULL, &err) != 0) {
				fprintf(stderr, "parsedump: %s\n", err.msg);
				status = 2;
				continue;
			}
			while ((rv = sift_reader_next(r, &line, &err)) == 1)
				total += line.n;
			sift_reader_close(r);
		}
		printf("bytes %llu\n", total);
		return status;
	}
	sopts.parse = o;
	sopts.no_sort = true;
	sopts.threads = 2;
	if (sift_stream_open(&s, (const char *const *)argv + optind,
	    (size_t)(argc - optind), &sopts, &err) != 0) {
		fprintf(stderr, "parsedump: %s\n", err.msg);
		return 2;
	}
	while ((rv = sift_stream_next(s, &rec, &err)) != 0) {
		if (rv == -1) {
			fprintf(stderr, "parsedump: %s\n", err.msg);
			status = 2;
			continue;
		}
		total++;
		cnt[rec.event]++;
		if (mode == 0) {
			if (lflag)
				printf("%s:%llu: ", sift_stream_file(s),
				    (unsigned long long)sift_stream_lineno(s));
			render_rec(&rec, stdout);
		} else if (mode == 'w' && rec.event == SIFT_EV_OTHER) {
			const char *q = rec.text.p, *e = q + rec.text.n;

			while (q < e && *q != ' ' && *q != '\t')
				q++;
			if (q == rec.text.p)
				puts("(empty)");
			else
				printf("%.*s\n", (int)(q - rec.text.p),
				    rec.text.p);
		} else if (mode == 'o' && rec.event == SIFT_EV_OTHER) {
			if (lflag)
				printf("%s:%llu: ", sift_stream_file(s),
				    (unsigned long long)sift_stream_lineno(s));
			fwrite(rec.line.p, 1, rec.line.n, stdout);
			putchar('\n');
		}
	}
	sift_stream_close(s);
	if (mode == 'c') {
		for (int i = 0; i < SIFT_EV__COUNT; i++)
			if (cnt[i] > 0)
				printf("%s %llu\n", sift_event_name(i), cnt[i]);
		printf("total %llu\n", total);
	}
	return status;
}
