/* SPDX-License-Identifier: ISC */
/* banlist writer: iptables-restore files and iptables shell scripts. */
#include "banout.h"

#include "banned.h"

int
sift_out_iptables(FILE *fp, struct sift_ipset *s, const struct sift_banout *o,
    struct sift_err *err)
{
	(void)fp;
	(void)s;
	(void)o;
	return sift_err_set(err, SIFT_E_UNSUPPORTED, 0,
	    "-f iptables: not available yet");
}
