/* SPDX-License-Identifier: ISC */
/*
 * parsedump: run the parser over log files (test and debugging aid).
 *   parsedump [-cos] [-y year] [-r ref_time] file...
 * Default: one "key=value ..." line per input line.
 * -c  per-event counts ("event count"), then "total N"
 * -o  print only the lines that parse as event "other" (raw)
 * -s  silent: parse only (for timing)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"
#include "reader.h"
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
	int ch, rv, mode = 0, status = 0;

	o.ref_time = 1795315757;	/* 2026-11-22: deterministic */
	while ((ch = getopt(argc, argv, "cosy:r:")) != -1) {
		switch (ch) {
		case 'c':
		case 'o':
		case 's':
			mode = ch;
			break;
		case 'y':
			o.year = (int)strtol(optarg, NULL, 10);
			break;
		case 'r':
			o.ref_time = strtoll(optarg, NULL, 10);
			break;
		default:
			fputs("usage: parsedump [-cos] [-y year] [-r ref] "
			    "file...\n", stderr);
			return 2;
		}
	}
	for (int i = optind; i < argc; i++) {
		if (sift_reader_open(&r, argv[i], NULL, &err) != 0) {
			fprintf(stderr, "parsedump: %s\n", err.msg);
			status = 2;
			continue;
		}
		while ((rv = sift_reader_next(r, &line, &err)) == 1) {
			(void)sift_parse(line, &rec, &o);
			total++;
			cnt[rec.event]++;
			if (mode == 0)
				render_rec(&rec, stdout);
			else if (mode == 'o' && rec.event == SIFT_EV_OTHER) {
				fwrite(line.p, 1, line.n, stdout);
				putchar('\n');
			}
		}
		if (rv == -1) {
			fprintf(stderr, "parsedump: %s\n", err.msg);
			status = 2;
		}
		sift_reader_close(r);
	}
	if (mode == 'c') {
		for (int i = 0; i < SIFT_EV__COUNT; i++)
			if (cnt[i] > 0)
				printf("%s %llu\n", sift_event_name(i), cnt[i]);
		printf("total %llu\n", total);
	}
	return status;
}
