/* SPDX-License-Identifier: ISC */
/*
 * The --state cursor file of offenders: per log file read, where the last
 * run stopped. A file is known by its content, not its name: a
 * fingerprint (64-bit FNV-1a) of its first decoded bytes (up to
 * SIFT_STATE_HEAD), with the device and inode as a tie-breaker. So
 * mainlog read up to byte N is recognised after rotation as mainlog.1 or,
 * compressed, mainlog.2.gz (the fingerprint is over decoded bytes), even
 * when a new mainlog got the old inode back, and is finished from byte N.
 *
 * The caller owns the struct sift_state from sift_state_load() until
 * sift_state_free(); entries handed to sift_state_put() are copied.
 */
#ifndef SIFT_STATE_H
#define SIFT_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define SIFT_STATE_HEAD		4096	/* bytes fingerprinted at most */
#define SIFT_STATE_KEEP		(8 * 86400)	/* keep unseen files 8 days */

struct sift_state_ent {
	uint64_t	 dev, ino;
	uint32_t	 fplen;		/* bytes fingerprinted (> 0) */
	uint64_t	 fp;		/* fingerprint of those bytes */
	uint64_t	 offset;	/* decoded bytes consumed (line end) */
	uint64_t	 lineno;	/* lines consumed */
	int64_t		 seen;		/* run that last saw the file */
	const char	*name;		/* path at that run */
};

struct sift_state;

/* Read path; a missing file is an empty state. Errors: "path:line: what". */
SIFT_NODISCARD int sift_state_load(struct sift_state **sp, const char *path,
	    struct sift_err *err);
void	 sift_state_free(struct sift_state *s);

uint64_t sift_state_fingerprint(const void *p, size_t n);

/*
 * The entry of the old state for a file whose first headlen decoded
 * bytes are head (headlen = the whole file when shorter than
 * SIFT_STATE_HEAD): an unclaimed entry whose fingerprint matches the
 * first fplen bytes, preferring one with the same device and inode.
 * The entry is claimed (it matches no other file). NULL: a new file.
 */
const struct sift_state_ent *sift_state_match(struct sift_state *s,
	    uint64_t dev, uint64_t ino, const void *head, size_t headlen);
/* Record a file for the new state (fplen 0: nothing to remember). */
void	 sift_state_put(struct sift_state *s, const struct sift_state_ent *e);
/* Number of entries of the old state. */
size_t	 sift_state_count(const struct sift_state *s);

/*
 * Write the new state atomically: every entry put, then the old entries
 * not claimed this run but seen within SIFT_STATE_KEEP seconds of now
 * (files that left the glob for a while are not re-read in full).
 */
SIFT_NODISCARD int sift_state_save(struct sift_state *s, const char *path,
	    int64_t now, struct sift_err *err);

#endif
