/* SPDX-License-Identifier: ISC */
/*
 * banlist input: offender lines (offenders' list, TSV or JSON Lines output,
 * or any text whose first field is an address or CIDR) and live firewall
 * dumps (ipset save, ipset list, nft -j list set) for --diff. Plain
 * functions over caller-owned bytes; nothing is kept.
 */
#ifndef SIFT_BANIN_H
#define SIFT_BANIN_H

#include <stddef.h>

#include "addr.h"
#include "err.h"
#include "str.h"

/*
 * Parse one input line. Returns 1 with *c set, 0 for a line to skip (blank,
 * "#" comment, a header whose first field is "ip" or "address"), or -1 with
 * *why set to a static description when the line holds no valid address.
 * The first field ends at a space, tab or comma; a JSON object
 * line gives its top-level "ip" member. Host bits beyond a prefix are an
 * error ("192.0.2.1/24" is ambiguous).
 */
SIFT_NODISCARD int sift_banin_line(struct sift_str line, struct sift_cidr *c,
	    const char **why);

/*
 * Called once per element found in a live dump: a prefix (hi NULL), or an
 * address range lo-hi (c is lo as a full-width prefix).
 */
typedef void (*sift_banin_elem_fn)(const struct sift_cidr *c,
	    const struct sift_addr *hi, void *arg);

/*
 * Parse a live set dump held in buf: "ipset save" output ("add NAME ELEM"
 * lines), "ipset list" output ("Name: NAME" ... "Members:"), or the JSON
 * of "nft -j list set|table|ruleset" (one or more documents). Only elements of the sets named
 * name4 or name6 are reported (name6 may be NULL). Returns the number of elements, or -1 with err set
 * (name is the file name for messages).
 */
SIFT_NODISCARD long sift_banin_live(const char *buf, size_t n,
	    const char *name, const char *name4, const char *name6,
	    sift_banin_elem_fn fn, void *arg, struct sift_err *err);

#endif
