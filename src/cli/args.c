/*
 * args.c - argv to struct opts, by the command table of egressc.c.
 *
 * Every option is one row below: its id, long name, argument and help.
 * getopt's table, `egressc --help`, `egressc COMMAND --help` and the
 * refusal of an option a command does not take all come from these rows
 * and the command table, so they cannot drift apart.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/backend.h"
#include "cli/cli.h"
#include "util/budget.h"
#include "util/diag.h"
#include "util/hostname.h"

#define STR(x)	#x
#define XSTR(x)	STR(x)

static const struct cli_opt optdefs[] = {
	{ O_TARGETS, "targets", "TARGETS", "targets: all, or a comma list "
	    "(explain: one target, deciding with its built-in rules)" },
	{ O_OUTPUT, "output", "DIR", "write one file per target into DIR "
	    "(catalog: the file to write; import: one per filter)" },
	{ O_TIER, "tier", "T", "tier T and every tier before it; a comma list "
	    "is exactly those tiers; all: every rule" },
	{ O_LOCK, "lock", "FILE", "the lock file (default: POLICY.lock)" },
	{ O_STAMP, "stamp", NULL, "put the time (SOURCE_DATE_EPOCH) in the "
	    "header" },
	{ O_STRICT, "strict", NULL, "findings fail: lint exits 1, compile and "
	    "resolve make them errors" },
	{ O_RESOLVE, "resolve", NULL, "refresh the lock with DNS first" },
	{ O_DUMP, "dump", "STAGE", "print the IR ('ir') or one target's "
	    "lowered IR ('lowered:TARGET') instead of output" },
	{ O_TO, "to", "ADDR", "the packet's destination: an address, or a "
	    "host name of the policy (each of its locked addresses)" },
	{ O_PORT, "port", "PROTO/PORT", "the packet's protocol and port or "
	    "message (tcp/443, icmp/echo-request, icmp/3/4, gre, proto/47)" },
	{ O_FROM, "from", "ADDR", "the packet's source address" },
	{ O_BATCH, "batch", "FILE", "one 'ADDR PROTO/PORT' a line (- for "
	    "standard input)" },
	{ O_INBOUND, "inbound", NULL, "the packet comes in, not goes out" },
	{ O_DNS, "dns-server", "ADDR[:PORT]", "ask this server (repeatable)" },
	{ O_TIMEOUT, "timeout", "MS", "per-try DNS timeout (default 2000; "
	    "probe: per test, default 3000)" },
	{ O_TRIES, "tries", "N", "DNS tries per query (default 2)" },
	{ O_KEEPGOING, "keep-going", NULL, "write what resolved even when "
	    "some hosts failed" },
	{ O_KEEPDAYS, "keep-days", "N", "keep addresses DNS dropped if seen "
	    "within N days" },
	{ O_NOSTAMP, "no-stamp", NULL, "leave last-seen times as they are" },
	{ O_CONC, "concurrency", "N", "DNS queries in flight per server "
	    "(default 64; at most 128 are)" },
	{ O_PROJECT, "project", "NAME", "the LiveKit project name" },
	{ O_REGIONS, "regions", "FILE", "LiveKit's regions JSON, saved" },
	{ O_SOURCE, "source", "URL", "the source: URL recorded in the "
	    "catalog" },
	{ O_DRYRUN, "dry-run", NULL, "print the batch (probe: the tests), "
	    "send nothing" },
	{ O_NETNS, "netns", "NAME", "work in network namespace NAME" },
	{ O_FORMAT, "format", "FORMAT", "findings as text, json or sarif "
	    "(SARIF 2.1.0)" },
	{ O_JSON, "json", NULL, "JSON on standard output (explain: an object "
	    "per decision; resolve --check: the difference; probe: one "
	    "document, a row per test)" },
	{ O_FORCE, "force", NULL, "load even a lock of example addresses" },
	{ O_CONFIRM, "confirm", "SECONDS", "put the previous table back after "
	    "SECONDS unless confirmed" },
	{ O_CONFIRMED, "confirmed", NULL, "keep what apply --confirm loaded: "
	    "cancel its rollback" },
	{ O_CHECK, "check", NULL, "write nothing: print what would change in "
	    "the lock (exit 1 when anything would)" },
	{ O_FAMILY, "family", "4|6|both", "ask for A (4), AAAA (6) or both "
	    "(default)" },
	{ O_PTR, "ptr", NULL, "record the PTR names of every locked address" },
	{ O_MAXAGE, "max-lock-age", "DAYS", "exit 1 when the lock was made "
	    "more than DAYS days ago" },
	{ O_ALL, "all", NULL, "every address and port, not a sample (at "
	    "most 4096 tests)" },
	{ O_PEER, "media-peer", "ADDR", "try rules to any address at ADDR "
	    "(repeatable; default: the TURN hosts' addresses)" },
	{ O_VERBOSE, "verbose", NULL, "lint: also rules earlier rules shadow "
	    "in part; refresh: every element sent" },
	{ O_DEFS, "defs", "DIR", "Aerleon's naming definitions (.net, .svc, "
	    "naming.yaml)" },
	{ O_MAXEXP, "max-expansion", "N", "let the policy expand to N units "
	    "(default " XSTR(BUDGET_DEFAULT) "; egressc(1) LIMITS)" },
	{ O_FLUSHDYN, "flush-dynamic", NULL, "replace the whole table: the "
	    "dynamic sets start empty (default: a reload keeps them)" },
	{ 0, NULL, NULL, NULL }
};

static const struct cli_cmd *commands;

const struct cli_cmd *
cli_commands(void)
{
	return commands;
}

const struct cli_opt *
cli_opt_find(int id)
{
	const struct cli_opt *d;

	for (d = optdefs; d->name != NULL; d++)
		if (d->id == id)
			return d;
	return NULL;
}

static void
usage(FILE *f)
{
	const struct cli_cmd *c;
	size_t i;

	for (c = commands; c->name != NULL; c++)
		fprintf(f, "%s egressc %s %s\n", c == commands ? "usage:" :
		    "      ", c->name, c->synopsis);
	fputs("       egressc --version | --help\nTARGETS: all, or a comma "
	    "list of:", f);
	for (i = 0; be_all[i] != NULL; i++)
		fprintf(f, " %s", be_all[i]->name);
	fputs("\negressc COMMAND --help describes one command; see egressc(1) "
	    "and egressc-policy(5).\n", f);
}

/* egressc COMMAND --help */
static void
usage_cmd(FILE *f, const struct cli_cmd *c)
{
	const int *id;

	fprintf(f, "usage: egressc %s %s\n%s\n", c->name, c->synopsis,
	    c->summary);
	if (c->opts[0] != 0)
		fputs("\noptions:\n", f);
	for (id = c->opts; *id != 0; id++) {
		const struct cli_opt *d = cli_opt_find(*id);
		char left[64];

		if (d == NULL)
			continue;
		snprintf(left, sizeof(left), "%s%c%s--%s%s%s",
		    d->id < 256 ? "-" : "", d->id < 256 ? d->id : ' ',
		    d->id < 256 ? ", " : "  ", d->name, d->arg ? " " : "",
		    d->arg ? d->arg : "");
		fprintf(f, "  %-30s %s\n", d->id < 256 ? left : left + 3,
		    d->help);
	}
	fputs("  -h, --help                     this text\n", f);
}

int
cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("egressc: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	usage(stderr);
	return EX_BAD;
}

static int
ull_arg(const char *name, const char *s, unsigned long long min,
    unsigned long long max, unsigned long long *v)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || x < min || x > max ||
	    s[0] == '-' || s[0] == '+' || s[0] == ' ') {
		fprintf(stderr, "egressc: %s: '%s' is not a number from %llu "
		    "to %llu\n", name, s, min, max);
		return -1;
	}
	*v = x;
	return 0;
}

static int
uint_arg(const char *name, const char *s, unsigned max, unsigned *v)
{
	unsigned long long x;

	if (ull_arg(name, s, 0, max, &x) < 0)
		return -1;
	*v = (unsigned)x;
	return 0;
}

/* One option's value into o; 0 or -1 (said why). */
static int
set_opt(struct opts *o, const struct cli_cmd *c, int ch, char *arg)
{
	switch (ch) {
	case O_TARGETS: o->targets = arg; break;
	case O_OUTPUT:
		if (strcmp(c->name, "catalog") == 0)
			o->output = arg;
		else
			o->outdir = arg;
		break;
	case O_TIER: o->tiers = arg; break;
	case O_LOCK: o->lock = arg; break;
	case O_STAMP: o->stamp = true; break;
	case O_STRICT: o->strict = o->ro.strict = true; break;
	case O_RESOLVE: o->resolve = true; break;
	case O_DUMP: o->dump = arg; break;
	case O_TO: o->to = arg; break;
	case O_PORT: o->port = arg; break;
	case O_FROM: o->from = arg; break;
	case O_BATCH: o->batch = arg; break;
	case O_INBOUND: o->inbound = true; break;
	case O_DNS:
		if (o->ro.nservers == CLI_MAX_SERVERS) {
			cli_usage_error("at most %d --dns-server",
			    CLI_MAX_SERVERS);
			return -1;
		}
		o->servers[o->ro.nservers++] = arg;
		o->ro.servers = o->servers;
		break;
	case O_TIMEOUT:
		return uint_arg("--timeout", arg, 600000, &o->ro.timeout_ms);
	case O_TRIES:
		return uint_arg("--tries", arg, 20, &o->ro.tries);
	case O_CONC:
		return uint_arg("--concurrency", arg, 4096,
		    &o->ro.concurrency);
	case O_KEEPDAYS:
		return uint_arg("--keep-days", arg, 36500, &o->ro.keep_days);
	case O_KEEPGOING: o->ro.keep_going = true; break;
	case O_NOSTAMP: o->ro.stamp = false; break;
	case O_PROJECT: o->project = arg; break;
	case O_REGIONS: o->regions = arg; break;
	case O_SOURCE: o->source = arg; break;
	case O_DRYRUN: o->dry_run = true; break;
	case O_NETNS: o->netns = arg; break;
	case O_FORMAT: o->format = arg; break;
	case O_VERBOSE: o->verbose = true; break;
	case O_JSON: o->json = o->ro.json = true; break;
	case O_CHECK: o->check = true; break;
	case O_PTR: o->ro.ptr = true; break;
	case O_FAMILY:
		if (strcmp(arg, "4") == 0 || strcmp(arg, "6") == 0)
			o->ro.family = (unsigned)(arg[0] - '0');
		else if (strcmp(arg, "both") == 0)
			o->ro.family = 0;
		else {
			cli_usage_error("--family takes 4, 6 or both, not "
			    "'%s'", arg);
			return -1;
		}
		break;
	case O_MAXAGE:
		o->max_lock_age_set = true;
		return uint_arg("--max-lock-age", arg, 36500,
		    &o->max_lock_age);
	case O_FORCE: o->force = true; break;
	case O_CONFIRM:
		if (uint_arg("--confirm", arg, 86400, &o->confirm) < 0)
			return -1;
		if (o->confirm == 0) {
			fprintf(stderr, "egressc: --confirm: 0 seconds leaves no "
			    "time to confirm: give 1 to 86400\n");
			return -1;
		}
		break;
	case O_CONFIRMED: o->confirmed = true; break;
	case O_ALL: o->all = true; break;
	case O_PEER:
		if (o->npeers == CLI_MAX_PEERS) {
			cli_usage_error("at most %d --media-peer",
			    CLI_MAX_PEERS);
			return -1;
		}
		o->peers[o->npeers++] = arg;
		break;
	case O_DEFS: o->defs = arg; break;
	case O_MAXEXP:
		return ull_arg("--max-expansion", arg, 1, 1ULL << 40,
		    &o->max_expansion);
	case O_FLUSHDYN: o->flush_dynamic = true; break;
	}
	return 0;
}

static int
run(const struct cli_cmd *c, int argc, char **argv)
{
	struct option lo[sizeof(optdefs) / sizeof(optdefs[0]) + 1];
	struct opts o;
	size_t n = 0;
	const struct cli_opt *d;
	const int *id;
	int ch;

	memset(&o, 0, sizeof(o));
	o.ro.stamp = true;
	o.ro.progress = isatty(2);
	for (d = optdefs; d->name != NULL; d++) {
		lo[n].name = d->name;
		lo[n].has_arg = d->arg != NULL ? required_argument :
		    no_argument;
		lo[n].flag = NULL;
		lo[n].val = d->id;
		n++;
	}
	lo[n].name = "help", lo[n].has_arg = no_argument, lo[n].flag = NULL;
	lo[n].val = 'h';
	memset(&lo[n + 1], 0, sizeof(lo[0]));
	while ((ch = getopt_long(argc, argv, "t:o:h", lo, NULL)) != -1) {
		if (ch == 'h') {
			usage_cmd(stdout, c);
			return EX_OK;
		}
		if (ch == '?')
			return cli_usage_error("see 'egressc %s --help'",
			    c->name);
		for (id = c->opts; *id != 0 && *id != ch; id++)
			;
		if (*id == 0)
			return cli_usage_error("--%s does not go with '%s'",
			    cli_opt_find(ch)->name, c->name);
		if (set_opt(&o, c, ch, optarg) < 0)
			return EX_BAD;
	}
	argc -= optind;
	argv += optind;
	/* A command takes one POLICY file unless it checks its own. */
	if (!c->own_args && argc != 1)
		return cli_usage_error("'%s' takes one POLICY file", c->name);
	budget_set(o.max_expansion);
	return c->run(&o, argc, argv);
}

int
cli_main(const struct cli_cmd *cmds, int argc, char **argv)
{
	const struct cli_cmd *c;
	int rc;

	commands = cmds;
	if (argc < 2) {
		usage(stderr);
		return EX_BAD;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("egressc %s\n", EGRESSC_VERSION);
		return EX_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EX_OK;
	}
	for (c = cmds; c->name != NULL; c++)
		if (strcmp(c->name, argv[1]) == 0)
			break;
	if (c->name == NULL)
		return cli_usage_error("unknown command '%s'", argv[1]);
	rc = run(c, argc - 1, argv + 1);
	diag_flush();
	hostname_cleanup();
	diag_reset();
	return rc;
}
