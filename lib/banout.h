/* SPDX-License-Identifier: ISC */
/*
 * banlist writers: the final address set as a list, an ipset restore file,
 * iptables rules, an nft file or a fail2ban filter and jail. Writers print
 * to a caller-owned FILE and keep nothing. Only two kinds of text reach
 * the output: addresses printed from their binary form, and names from
 * struct sift_banout, which sift_banout_check() validates first.
 */
#ifndef SIFT_BANOUT_H
#define SIFT_BANOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "err.h"
#include "ipset.h"

/* ipset's largest timeout, in seconds. */
#define SIFT_IPSET_TIMEOUT_MAX	2147483
/* Longest set name we accept: ipset allows 31, "-new" takes 4. */
#define SIFT_SETNAME_MAX	27
/* iptables chain names: XT_EXTENSION_MAXNAMELEN - 1 */
#define SIFT_CHAIN_MAX		28
#define SIFT_NFTNAME_MAX	64

enum sift_settype {
	SIFT_SETTYPE_AUTO = 0,	/* hash:ip for hosts, hash:net with networks */
	SIFT_SETTYPE_IP,
	SIFT_SETTYPE_NET
};

struct sift_banout {
	const char	*name4;		/* ipset/nft set for IPv4 */
	const char	*name6;		/* ... and for IPv6 */
	int64_t		 timeout;	/* seconds; 0 permanent */
	bool		 swap;		/* ipset: fill NAME-new, swap, destroy */
	uint64_t	 maxelem;	/* ipset: 0 = from the data and max */
	uint64_t	 max;		/* entry cap, for maxelem sizing */
	enum sift_settype settype;
	/* iptables */
	const char	*chain;		/* chain holding the rules */
	const char	*from;		/* parent chain, for a dedicated chain */
	const char	*ports;		/* "25,465,587" or NULL: all */
	bool		 script;	/* shell script instead of restore */
	bool		 addresses;	/* list addresses, not the ipset */
	int		 family;	/* restore file: 4 or 6 */
	/* nft */
	const char	*table;
	/* fail2ban */
	const char	*jail;
	const char	*action;	/* "ipset" or "nftables" */
	const char	*classes;	/* comma list, or NULL for the default */
};

/* An element of a live set: a prefix, or a range c.a..hi. */
struct sift_liveelem {
	struct sift_cidr c;
	struct sift_addr hi;		/* family 0: c is a prefix */
};

/* Element-level difference against a live set. */
struct sift_bandiff {
	struct sift_cidr *add;
	size_t		 nadd;
	struct sift_liveelem *del;
	size_t		 ndel;
};

/*
 * Element-level difference: d->add gets the blocks of want's CIDR cover
 * that live lacks, d->del the live elements not in that cover. live is
 * sorted and deduplicated in place. Release with sift_bandiff_release().
 */
void	 sift_bandiff_compute(struct sift_bandiff *d, struct sift_ipset *want,
	    struct sift_liveelem *live, size_t nlive);
/* "prefix" or "lo-hi"; returns the length. */
size_t	 sift_liveelem_format(const struct sift_liveelem *e, char *buf,
	    size_t sz);
void	 sift_bandiff_release(struct sift_bandiff *d);
int	 sift_cidr_cmp(const struct sift_cidr *x, const struct sift_cidr *y);

/* [A-Za-z0-9_][A-Za-z0-9_.-]{0,26} */
bool	 sift_setname_ok(const char *s);
/* 1..28 of [A-Za-z0-9_.-], not starting with "-" */
bool	 sift_chain_ok(const char *s);
/* nft identifier: [A-Za-z_][A-Za-z0-9_.-]{0,63}, not a keyword we use */
bool	 sift_nftname_ok(const char *s);
/* "25,465,587": up to 15 ports 1..65535 or ranges a:b */
bool	 sift_ports_ok(const char *s);
/* Check every name an output format will use; -1 with err naming it. */
SIFT_NODISCARD int sift_banout_check(const struct sift_banout *o,
	    const char *format, struct sift_err *err);
/* Is the chain one of the built-in or well-known ones (rules go there)? */
bool	 sift_chain_is_builtin(const char *s);

/* One CIDR per line (a bare address for hosts); IPv4 first. */
void	 sift_out_list(FILE *fp, struct sift_ipset *s);
void	 sift_out_list_diff(FILE *fp, const struct sift_bandiff *d);

/* maxelem for a family's set holding n entries. */
uint64_t sift_out_ipset_maxelem(const struct sift_banout *o, size_t n);
void	 sift_out_ipset(FILE *fp, struct sift_ipset *s,
	    const struct sift_banout *o);
void	 sift_out_ipset_diff(FILE *fp, const struct sift_bandiff *d,
	    const struct sift_banout *o);

/* Restore file for one family (o->family), or a script for both. */
SIFT_NODISCARD int sift_out_iptables(FILE *fp, struct sift_ipset *s,
	    const struct sift_banout *o, struct sift_err *err);

void	 sift_out_nft(FILE *fp, struct sift_ipset *s,
	    const struct sift_banout *o);
void	 sift_out_nft_diff(FILE *fp, const struct sift_bandiff *d,
	    const struct sift_banout *o);

/*
 * fail2ban filter for o->classes (NULL: offenders' default classes) from
 * the built-in catalogue's text rules, then a commented jail for o->jail
 * with the o->action ban action. -1 for an unknown class.
 */
SIFT_NODISCARD int sift_out_f2b(FILE *fp, const struct sift_banout *o,
	    struct sift_err *err);

#endif
