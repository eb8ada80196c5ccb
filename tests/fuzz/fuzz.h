/* SPDX-License-Identifier: ISC */
/*
 * What every fuzz target shares: the libFuzzer entry points and a check that
 * aborts with a message, so a broken property is a crash that both libFuzzer
 * and the gcc replay driver (driver.c) report.
 */
#ifndef SIFT_FUZZ_H
#define SIFT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional, so weak: the replay driver calls it only if a target has it. */
int	LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

#define FUZZ_CHECK(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: property failed: %s\n",		\
		    __FILE__, __LINE__, #c);				\
		abort();						\
	}								\
} while (0)

#endif
