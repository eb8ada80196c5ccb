/* SPDX-License-Identifier: ISC */
/* banlist writer: nft -f files. */
#include "banout.h"

#include "banned.h"

void
sift_out_nft(FILE *fp, struct sift_ipset *s, const struct sift_banout *o)
{
	(void)s;
	(void)o;
	fputs("# not available yet\n", fp);
}

void
sift_out_nft_diff(FILE *fp, const struct sift_bandiff *d,
    const struct sift_banout *o)
{
	(void)d;
	(void)o;
	fputs("# not available yet\n", fp);
}
