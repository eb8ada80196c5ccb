/* SPDX-License-Identifier: ISC */
/* offenders: placeholder until its issue lands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "banned.h"

int
main(int argc, char *argv[])
{
	cli_init(argv[0]);
	if (argc > 1 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		puts("usage: offenders (not implemented yet)");
		return CLI_EXIT_OK;
	}
	fputs("usage: offenders (not implemented yet)\n", stderr);
	return CLI_EXIT_TROUBLE;
}
