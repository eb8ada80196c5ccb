/* SPDX-License-Identifier: ISC */
/* banlist: offender lists to loadable, safe firewall rules. */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "banin.h"
#include "banout.h"
#include "cli.h"
#include "ipset.h"
#include "reader.h"
#include "xalloc.h"
#include "banned.h"

/* Widest prefixes accepted without --force-wide. */
#define WIDE4		8
#define WIDE6		32
#define DEFAULT_MAX	100000
#define MAX_WARNINGS	20
#define DIFF_MAX_BYTES	(1024L * 1024 * 1024)

enum {
	OPT_AGG4 = 256, OPT_AGG6, OPT_MINHITS, OPT_MAX, OPT_FORCE_WIDE,
	OPT_FORCE_SPECIAL, OPT_SWAP, OPT_DIFF, OPT_MAXELEM, OPT_SETTYPE,
	OPT_SCRIPT, OPT_ADDRESSES, OPT_FROM, OPT_PORTS, OPT_TABLE, OPT_NAME6,
	OPT_STRICT, OPT_JAIL, OPT_ACTION, OPT_CLASSES, OPT_VERSION
};

static const struct option longopts[] = {
	{ "allowlist", required_argument, NULL, 'a' },
	{ "chain", required_argument, NULL, 'c' },
	{ "format", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ "name", required_argument, NULL, 'n' },
	{ "output", required_argument, NULL, 'o' },
	{ "timeout", required_argument, NULL, 't' },
	{ "action", required_argument, NULL, OPT_ACTION },
	{ "addresses", no_argument, NULL, OPT_ADDRESSES },
	{ "aggregate", required_argument, NULL, OPT_AGG4 },
	{ "aggregate6", required_argument, NULL, OPT_AGG6 },
	{ "classes", required_argument, NULL, OPT_CLASSES },
	{ "diff", required_argument, NULL, OPT_DIFF },
	{ "force-special", no_argument, NULL, OPT_FORCE_SPECIAL },
	{ "force-wide", no_argument, NULL, OPT_FORCE_WIDE },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "jail", required_argument, NULL, OPT_JAIL },
	{ "max", required_argument, NULL, OPT_MAX },
	{ "maxelem", required_argument, NULL, OPT_MAXELEM },
	{ "min-hits", required_argument, NULL, OPT_MINHITS },
	{ "name6", required_argument, NULL, OPT_NAME6 },
	{ "ports", required_argument, NULL, OPT_PORTS },
	{ "script", no_argument, NULL, OPT_SCRIPT },
	{ "set-type", required_argument, NULL, OPT_SETTYPE },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "swap", no_argument, NULL, OPT_SWAP },
	{ "table", required_argument, NULL, OPT_TABLE },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

static const char usage_text[] =
    "usage: banlist [-46hV] [--addresses] [--force-special] [--force-wide]\n"
    "               [--script] [--strict] [--swap] [-a file] [-c chain]\n"
    "               [-f format] [-n name] [-o file] [-t timeout]\n"
    "               [--action ipset|nftables] [--aggregate prefix]\n"
    "               [--aggregate6 prefix] [--classes list] [--diff dump]\n"
    "               [--from chain] [--jail name] [--max n] [--maxelem n]\n"
    "               [--min-hits k] [--name6 name] [--ports list]\n"
    "               [--set-type ip|net] [--table name] [file ...]\n";

static const char options_text[] =
    "\n"
    "  -4, -6               iptables: write the IPv4 or the IPv6 restore file\n"
    "  -a, --allowlist FILE never ban what FILE covers (repeatable)\n"
    "      --action A       fail2ban jail action: ipset or nftables\n"
    "      --addresses      iptables: one rule per block, not an ipset match\n"
    "      --aggregate N    widen IPv4 entries to /N networks\n"
    "      --aggregate6 N   widen IPv6 entries to /N networks\n"
    "  -c, --chain NAME     iptables chain (default banlist)\n"
    "      --classes LIST   fail2ban: abuse classes of the filter\n"
    "      --diff DUMP      only additions and deletions against a live set\n"
    "  -f, --format FMT     list (default), ipset, iptables, nft, fail2ban\n"
    "      --force-special  allow loopback, link-local, multicast, ...\n"
    "      --force-wide     allow prefixes wider than /8 and /32\n"
    "      --from CHAIN     chain that jumps to --chain (default INPUT)\n"
    "  -h, --help           this help\n"
    "      --jail NAME      fail2ban jail name\n"
    "      --max N          refuse more than N entries (default 100000)\n"
    "      --maxelem N      ipset maxelem\n"
    "      --min-hits K     aggregate only networks with K offenders\n"
    "  -n, --name NAME      set name (default banlist; IPv6: NAME6)\n"
    "      --name6 NAME     IPv6 set name\n"
    "  -o, --output FILE    write FILE atomically instead of stdout\n"
    "      --ports LIST     drop only these TCP ports (25,465,587)\n"
    "      --script         iptables: a shell script, not a restore file\n"
    "      --set-type T     ipset type: ip or net\n"
    "      --strict         any bad input line: write nothing, exit 2\n"
    "      --swap           ipset: replace the sets atomically\n"
    "  -t, --timeout TIME   entries expire after TIME (86400, 1d; 0 never)\n"
    "      --table NAME     nft table (default banlist)\n"
    "  -V, --version        print the version\n"
    "Input: offenders output or any text whose first field is an address.\n"
    "Exit status: 0 written, 2 trouble (nothing written). See banlist(1).\n";

static struct {
	bool	 force_wide, force_special, strict;
	unsigned agg4, agg6;
	uint64_t min_hits;
	unsigned long bad;	/* input lines rejected */
	unsigned long special;	/* special hosts skipped */
	unsigned long warned;
} opt;

static SIFT_NORETURN void
usage(void)
{
	fputs(usage_text, stderr);
	exit(CLI_EXIT_TROUBLE);
}

/* Attacker-controlled text, made safe and short for a message. */
static const char *
shown(struct sift_str s)
{
	static char buf[80];
	size_t o = 0;

	for (size_t i = 0; i < s.n && o + 8 < sizeof(buf); i++) {
		unsigned char ch = (unsigned char)s.p[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			buf[o++] = (char)ch;
		else
			o += (size_t)snprintf(buf + o, sizeof(buf) - o,
			    "\\x%02x", ch);
	}
	if (o + 8 >= sizeof(buf))
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "...");
	buf[o] = '\0';
	return buf;
}

static void warn_line(const char *file, uint64_t line, const char *fmt, ...)
	    SIFT_PRINTF(3, 4);

static void
warn_line(const char *file, uint64_t line, const char *fmt, ...)
{
	va_list ap;

	opt.warned++;
	if (opt.warned > MAX_WARNINGS)
		return;
	fflush(stdout);
	fprintf(stderr, "banlist: %s:%" PRIu64 ": ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * Read offender (allow false) or allowlist (allow true) lines into s.
 * Refusals (too wide) exit at once, before any output exists.
 */
static void
read_input(const char *path, struct sift_ipset *s, bool allow)
{
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_reader *r;
	struct sift_str line;
	struct sift_cidr c;
	const char *why, *name;
	char buf[SIFT_CIDR_STRLEN];
	unsigned width;
	int rc;

	if (sift_reader_open(&r, path, NULL, &e) == -1)
		errx(CLI_EXIT_TROUBLE, "%s", e.msg);
	name = sift_reader_name(r);
	while ((rc = sift_reader_next(r, &line, &e)) == 1) {
		if (sift_reader_truncated(r)) {
			opt.bad++;
			warn_line(name, sift_reader_lineno(r),
			    "line too long");
			continue;
		}
		rc = sift_banin_line(line, &c, &why);
		if (rc == 0)
			continue;
		if (rc == -1) {
			opt.bad++;
			warn_line(name, sift_reader_lineno(r), "%s: \"%s\"", why,
			    shown(line));
			continue;
		}
		if (allow) {
			sift_ipset_add_cidr(s, &c);
			continue;
		}
		sift_cidr_format(&c, buf, sizeof(buf));
		width = sift_addr_bits(&c.a);
		if (c.prefix == 0)
			errx(CLI_EXIT_TROUBLE, "%s:%" PRIu64 ": %s: refusing to "
			    "ban the whole address space", name,
			    sift_reader_lineno(r), buf);
		if (!opt.force_wide && c.prefix < (width == 32 ? WIDE4 : WIDE6))
			errx(CLI_EXIT_TROUBLE, "%s:%" PRIu64 ": %s: prefix "
			    "wider than /%d refused (use --force-wide)", name,
			    sift_reader_lineno(r), buf,
			    width == 32 ? WIDE4 : WIDE6);
		if (!opt.force_special && c.prefix == width &&
		    sift_addr_is_special(&c.a)) {
			opt.special++;
			warn_line(name, sift_reader_lineno(r), "%s: loopback, "
			    "unspecified, link-local or multicast address not "
			    "banned (use --force-special)", buf);
			continue;
		}
		sift_ipset_add_cidr(s, &c);
	}
	if (rc == -1)
		errx(CLI_EXIT_TROUBLE, "%s", e.msg);
	sift_reader_close(r);
}

struct live_list {
	struct sift_liveelem *v;
	size_t		 n, cap;
};

static void
live_cb(const struct sift_cidr *c, const struct sift_addr *hi, void *arg)
{
	struct live_list *l = arg;

	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 64 : l->cap * 2;
		l->v = sift_xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	memset(&l->v[l->n], 0, sizeof(l->v[l->n]));
	l->v[l->n].c = *c;
	if (hi != NULL)
		l->v[l->n].hi = *hi;
	l->n++;
}

static void
read_live(const char *path, const struct sift_banout *o, struct live_list *l)
{
	struct sift_err e = SIFT_ERR_INIT;
	FILE *fp;
	char *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (strcmp(path, "-") == 0)
		errx(CLI_EXIT_TROUBLE, "--diff: the dump must be a file");
	if ((fp = fopen(path, "r")) == NULL)
		err(CLI_EXIT_TROUBLE, "%s", path);
	for (;;) {
		if (n == cap) {
			if (cap >= (size_t)DIFF_MAX_BYTES)
				errx(CLI_EXIT_TROUBLE, "%s: dump larger than "
				    "1 GiB", path);
			cap = cap == 0 ? 65536 : cap * 2;
			buf = sift_xrealloc(buf, cap);
		}
		got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(fp))
		err(CLI_EXIT_TROUBLE, "%s", path);
	fclose(fp);
	if (sift_banin_live(buf, n, path, o->name4, o->name6, live_cb, l,
	    &e) == -1)
		errx(CLI_EXIT_TROUBLE, "%s", e.msg);
	free(buf);
}

static unsigned
prefix_arg(const char *s, unsigned width, const char *what)
{
	long long v = cli_number(s, 1, width, what);

	if (!opt.force_wide && v < (width == 32 ? WIDE4 : WIDE6))
		errx(CLI_EXIT_TROUBLE, "%s: /%lld is wider than /%d (use "
		    "--force-wide)", what, v, width == 32 ? WIDE4 : WIDE6);
	return (unsigned)v;
}

static bool
covers_all(const struct sift_ipset *s)
{
	return (s->n4 == 1 && s->r4[0].lo == 0 && s->r4[0].hi == UINT32_MAX) ||
	    (s->n6 == 1 && s->r6[0].lo == 0 && s->r6[0].hi == ~(sift_u128)0);
}

int
main(int argc, char *argv[])
{
	struct sift_banout o;
	struct sift_ipset set = SIFT_IPSET_INIT, allow = SIFT_IPSET_INIT,
	    special = SIFT_IPSET_INIT, tmp = SIFT_IPSET_INIT;
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_bandiff diff;
	struct live_list live = { NULL, 0, 0 };
	const char *format = "list", *outpath = NULL, *diffpath = NULL;
	const char **allowfiles = NULL, *agg4 = NULL, *agg6 = NULL;
	char name6buf[SIFT_SETNAME_MAX + 2];
	size_t nallow = 0, entries;
	bool name6_given = false;
	int64_t secs;
	FILE *fp;
	int ch, rc;

	cli_init(argv[0]);
	memset(&o, 0, sizeof(o));
	o.name4 = "banlist";
	o.chain = "banlist";
	o.from = "INPUT";
	o.table = "banlist";
	o.jail = "exim-banlist";
	o.action = "nftables";
	o.family = 4;
	o.max = DEFAULT_MAX;
	allowfiles = sift_xcalloc((size_t)argc + 1, sizeof(*allowfiles));

	while ((ch = getopt_long(argc, argv, "46a:c:f:hn:o:t:V", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case '4':
			o.family = 4;
			break;
		case '6':
			o.family = 6;
			break;
		case 'a':
			allowfiles[nallow++] = optarg;
			break;
		case 'c':
			o.chain = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			fputs(options_text, stdout);
			free(allowfiles);
			return CLI_EXIT_OK;
		case 'n':
			o.name4 = optarg;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 't':
			if (cli_duration(optarg, &secs) == -1)
				errx(CLI_EXIT_TROUBLE, "-t: invalid duration: "
				    "%s", optarg);
			if (secs > SIFT_IPSET_TIMEOUT_MAX) {
				warnx("-t: %s clamped to %d seconds (the "
				    "largest ipset timeout)", optarg,
				    SIFT_IPSET_TIMEOUT_MAX);
				secs = SIFT_IPSET_TIMEOUT_MAX;
			}
			o.timeout = secs;
			break;
		case OPT_ACTION:
			if (strcmp(optarg, "ipset") != 0 &&
			    strcmp(optarg, "nftables") != 0)
				errx(CLI_EXIT_TROUBLE, "--action: want ipset or "
				    "nftables");
			o.action = optarg;
			break;
		case OPT_ADDRESSES:
			o.addresses = true;
			break;
		case OPT_AGG4:
			agg4 = optarg;
			break;
		case OPT_AGG6:
			agg6 = optarg;
			break;
		case OPT_CLASSES:
			o.classes = optarg;
			break;
		case OPT_DIFF:
			diffpath = optarg;
			break;
		case OPT_FORCE_SPECIAL:
			opt.force_special = true;
			break;
		case OPT_FORCE_WIDE:
			opt.force_wide = true;
			break;
		case OPT_FROM:
			o.from = optarg;
			break;
		case OPT_JAIL:
			o.jail = optarg;
			break;
		case OPT_MAX:
			o.max = (uint64_t)cli_number(optarg, 0, INT64_MAX,
			    "--max");
			break;
		case OPT_MAXELEM:
			o.maxelem = (uint64_t)cli_number(optarg, 1,
			    UINT32_MAX, "--maxelem");
			break;
		case OPT_MINHITS:
			opt.min_hits = (uint64_t)cli_number(optarg, 1,
			    INT64_MAX, "--min-hits");
			break;
		case OPT_NAME6:
			o.name6 = optarg;
			name6_given = true;
			break;
		case OPT_PORTS:
			o.ports = optarg;
			break;
		case OPT_SCRIPT:
			o.script = true;
			break;
		case OPT_SETTYPE:
			if (strcmp(optarg, "ip") == 0)
				o.settype = SIFT_SETTYPE_IP;
			else if (strcmp(optarg, "net") == 0)
				o.settype = SIFT_SETTYPE_NET;
			else
				errx(CLI_EXIT_TROUBLE, "--set-type: want ip or "
				    "net");
			break;
		case OPT_STRICT:
			opt.strict = true;
			break;
		case OPT_SWAP:
			o.swap = true;
			break;
		case OPT_TABLE:
			o.table = optarg;
			break;
		case 'V':
		case OPT_VERSION:
			printf("banlist %s\n", SIFT_VERSION);
			free(allowfiles);
			return CLI_EXIT_OK;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;

	/* After the loop, so that a later --force-wide counts. */
	if (agg4 != NULL)
		opt.agg4 = prefix_arg(agg4, 32, "--aggregate");
	if (agg6 != NULL)
		opt.agg6 = prefix_arg(agg6, 128, "--aggregate6");
	if (strcmp(format, "list") != 0 && strcmp(format, "ipset") != 0 &&
	    strcmp(format, "iptables") != 0 && strcmp(format, "nft") != 0 &&
	    strcmp(format, "fail2ban") != 0)
		errx(CLI_EXIT_TROUBLE, "-f: unknown format \"%s\" (want ipset, "
		    "iptables, nft, fail2ban or list)", shown(sift_str_cstr(
		    format)));
	if (!name6_given) {
		if (strlen(o.name4) + 1 >= sizeof(name6buf))
			errx(CLI_EXIT_TROUBLE, "-n: set name too long to add "
			    "\"6\" for the IPv6 set (at most %d characters, or "
			    "give --name6)", SIFT_SETNAME_MAX - 1);
		snprintf(name6buf, sizeof(name6buf), "%s6", o.name4);
		o.name6 = name6buf;
	}
	if (sift_banout_check(&o, format, &e) == -1)
		errx(CLI_EXIT_TROUBLE, "%s", e.msg);
	if (o.swap && strcmp(format, "ipset") != 0)
		errx(CLI_EXIT_TROUBLE, "--swap applies to -f ipset only");
	if (diffpath != NULL && strcmp(format, "ipset") != 0 &&
	    strcmp(format, "nft") != 0 && strcmp(format, "list") != 0)
		errx(CLI_EXIT_TROUBLE, "--diff applies to -f ipset, nft or "
		    "list");
	if (diffpath != NULL && o.swap)
		errx(CLI_EXIT_TROUBLE, "--diff and --swap do not mix");

	if (argc == 0)
		read_input("-", &set, false);
	for (int i = 0; i < argc; i++)
		read_input(argv[i], &set, false);
	for (size_t i = 0; i < nallow; i++)
		read_input(allowfiles[i], &allow, true);
	if (opt.warned > MAX_WARNINGS)
		warnx("%lu more warnings not shown", opt.warned - MAX_WARNINGS);
	if (opt.bad > 0 && opt.strict)
		errx(CLI_EXIT_TROUBLE, "%lu bad input line%s, nothing written "
		    "(--strict)", opt.bad, opt.bad == 1 ? "" : "s");

	/* Aggregate, then subtract specials and the allowlist last. */
	if (opt.agg4 != 0 || opt.agg6 != 0)
		sift_ipset_aggregate(&set, opt.agg4, opt.agg6, opt.min_hits);
	if (!opt.force_special) {
		sift_ipset_add_special(&special);
		sift_ipset_intersection(&tmp, &set, &special);
		if (!sift_ipset_is_empty(&tmp))
			warnx("special addresses (loopback, link-local, "
			    "multicast) cut out of the listed networks (use "
			    "--force-special to keep them)");
		sift_ipset_union(&tmp, &special, &allow);
		sift_ipset_release(&allow);
		allow = tmp;
		tmp = (struct sift_ipset)SIFT_IPSET_INIT;
	}
	sift_ipset_subtract(&set, &allow);
	if (covers_all(&set))
		errx(CLI_EXIT_TROUBLE, "refusing to ban the whole address space");
	entries = sift_ipset_count_cidr(&set, 4) + sift_ipset_count_cidr(&set,
	    6);
	if (o.max != 0 && entries > o.max)
		errx(CLI_EXIT_TROUBLE, "%zu entries exceed --max %" PRIu64
		    ", nothing written", entries, o.max);
	if (o.maxelem != 0 && strcmp(format, "ipset") == 0 &&
	    (sift_ipset_count_cidr(&set, 4) > o.maxelem ||
	    sift_ipset_count_cidr(&set, 6) > o.maxelem))
		errx(CLI_EXIT_TROUBLE, "more entries than --maxelem %" PRIu64,
		    o.maxelem);

	memset(&diff, 0, sizeof(diff));
	if (diffpath != NULL) {
		read_live(diffpath, &o, &live);
		sift_bandiff_compute(&diff, &set, live.v, live.n);
	}

	fp = cli_output_open(outpath);
	rc = 0;
	if (strcmp(format, "list") == 0) {
		if (diffpath != NULL)
			sift_out_list_diff(fp, &diff);
		else
			sift_out_list(fp, &set);
	} else if (strcmp(format, "ipset") == 0) {
		if (diffpath != NULL)
			sift_out_ipset_diff(fp, &diff, &o);
		else
			sift_out_ipset(fp, &set, &o);
	} else if (strcmp(format, "iptables") == 0) {
		rc = sift_out_iptables(fp, &set, &o, &e);
	} else if (strcmp(format, "nft") == 0) {
		if (diffpath != NULL)
			sift_out_nft_diff(fp, &diff, &o);
		else
			sift_out_nft(fp, &set, &o);
	} else {
		rc = sift_out_f2b(fp, &o, &e);
	}
	if (rc == -1) {
		cli_report(&e);
		(void)cli_output_close(fp, false);
		rc = CLI_EXIT_TROUBLE;
	} else {
		rc = cli_output_close(fp, true);
		if (rc == CLI_EXIT_OK && opt.bad > 0)
			rc = CLI_EXIT_TROUBLE;
	}
	sift_bandiff_release(&diff);
	free(live.v);
	sift_ipset_release(&set);
	sift_ipset_release(&allow);
	sift_ipset_release(&special);
	free(allowfiles);
	return rc;
}
