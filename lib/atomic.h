/* SPDX-License-Identifier: ISC */
/*
 * Atomic output files: write to a temporary file beside the target, then
 * fsync and rename it into place, so readers see the old file or the new
 * one, never half of one. The caller owns the struct sift_atomic returned by
 * sift_atomic_open() until sift_atomic_commit() or sift_atomic_abort(),
 * which both free it.
 */
#ifndef SIFT_ATOMIC_H
#define SIFT_ATOMIC_H

#include <stdio.h>

#include "err.h"

struct sift_atomic;

/* Create "<dir>/.<base>.XXXXXX" with the target's mode (0644 if new). */
SIFT_NODISCARD int sift_atomic_open(struct sift_atomic **ap,
	    const char *path, struct sift_err *err);
FILE	*sift_atomic_file(struct sift_atomic *a);
/* Temporary file name, for a signal handler's unlink(2). */
const char *sift_atomic_tmpname(const struct sift_atomic *a);
/* Flush, check for write errors, fsync, rename. Frees a in every case. */
SIFT_NODISCARD int sift_atomic_commit(struct sift_atomic *a,
	    struct sift_err *err);
/* Close and remove the temporary file; NULL is fine. */
void	 sift_atomic_abort(struct sift_atomic *a);

#endif
