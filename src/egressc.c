/*
 * egressc.c - the table of commands: each with its synopsis, the options
 * it takes and the function in src/cli/ that runs it.  Nothing else lives
 * here; cli/args.c parses by this table and cli/driver.c runs the passes.
 */
#include "cli/cli.h"

#define OPTS(...)	((const int[]){ __VA_ARGS__, 0 })

static const struct cli_cmd commands[] = {
	{ "compile", "[-t TARGETS] [-o DIR] [--tier T] [--lock FILE] [--stamp] "
	  "[--strict]\n"
	  "                       [--flush-dynamic] [--dump ir|lowered:TARGET] "
	  "[--resolve [resolve options]]\n"
	  "                       POLICY",
	  "Compile POLICY for the targets: one target to standard output, or "
	  "one file per target in DIR.",
	  OPTS(O_TARGETS, O_OUTPUT, O_TIER, O_LOCK, O_STAMP, O_DUMP, O_STRICT,
	      O_FLUSHDYN, O_RESOLVE,
	      O_DNS, O_TIMEOUT, O_TRIES, O_KEEPGOING, O_KEEPDAYS, O_NOSTAMP,
	      O_CONC, O_FAMILY, O_PTR, O_MAXEXP),
	  cmd_compile, false },
	{ "check", "-o DIR [-t TARGETS] [--tier T] [--lock FILE] "
	  "[--max-lock-age DAYS] POLICY",
	  "Compare the files in DIR with what compile would write: 0 up to "
	  "date, 1 stale (diff -u on standard output) or the lock too old.",
	  OPTS(O_TARGETS, O_OUTPUT, O_TIER, O_LOCK, O_MAXAGE, O_MAXEXP), cmd_check, false },
	{ "lint", "[--strict] [--verbose] [--format text|json|sarif] "
	  "[--tier T]\n"
	  "                       [--lock FILE] POLICY",
	  "Report rules that can never match (redundant or in conflict, with "
	  "an example packet), match nothing, or allow everything.",
	  OPTS(O_LOCK, O_STRICT, O_TIER, O_VERBOSE, O_FORMAT, O_MAXEXP), cmd_lint, false },
	{ "resolve", "[--lock FILE] [--dns-server ADDR[:PORT]]... [--timeout MS]\n"
	  "                       [--tries N] [--concurrency N] [--family "
	  "4|6|both] [--ptr]\n"
	  "                       [--keep-going] [--keep-days N] [--no-stamp] "
	  "[--strict]\n"
	  "                       [--check [--json]] POLICY",
	  "Look up every host name of POLICY with every DNS server and write "
	  "the lock file, or (--check) say what would change in it.",
	  OPTS(O_LOCK, O_DNS, O_TIMEOUT, O_TRIES, O_CONC, O_FAMILY, O_PTR,
	      O_KEEPGOING, O_KEEPDAYS, O_NOSTAMP, O_STRICT, O_CHECK, O_JSON, O_MAXEXP),
	  cmd_resolve, false },
	{ "explain", "[-t TARGET] [--lock FILE] [--tier T] [--from ADDR] "
	  "[--inbound] [--json]\n"
	  "                       POLICY "
	  "(--to ADDR|HOST --port PROTO/PORT | --batch FILE)",
	  "Say which rule decides a packet, first match wins.",
	  OPTS(O_TARGETS, O_LOCK, O_TIER, O_TO, O_PORT, O_FROM, O_BATCH,
	      O_INBOUND, O_JSON, O_MAXEXP),
	  cmd_explain, false },
	{ "probe", "[--tier T] [--lock FILE] [--timeout MS] [--json] [--all]\n"
	  "                       [--media-peer ADDR]... [--dry-run] POLICY",
	  "From this host, try what each rule allows or blocks (TLS, STUN, "
	  "UDP, TCP) and say which rule's traffic does not pass.",
	  OPTS(O_TIER, O_LOCK, O_TIMEOUT, O_JSON, O_ALL, O_PEER, O_DRYRUN, O_MAXEXP),
	  cmd_probe, false },
	{ "catalog", "livekit --project NAME --regions FILE [--source URL] "
	  "[-o FILE]",
	  "Write a catalog of LiveKit's per-region hosts for one project.",
	  OPTS(O_PROJECT, O_REGIONS, O_SOURCE, O_OUTPUT), cmd_catalog, true },
	{ "apply", "[--dry-run] [--force] [--netns NAME] [--tier T] [--lock "
	  "FILE]\n"
	  "                       [--flush-dynamic] [--confirm SECONDS | "
	  "--confirmed] POLICY",
	  "Load the policy's nftables table into the kernel in one atomic "
	  "batch; with --confirm, put the previous one back unless confirmed.",
	  OPTS(O_TIER, O_LOCK, O_DRYRUN, O_NETNS, O_FORCE, O_FLUSHDYN,
	      O_CONFIRM, O_CONFIRMED, O_MAXEXP), cmd_apply, false },
	{ "refresh", "[-t nftables|iptables|pf] [--netns NAME] [--tier T] "
	  "[--lock FILE]\n"
	  "                       [--dry-run] [--verbose] [resolve's DNS "
	  "options] POLICY",
	  "Resolve the policy's hosts and add the answers to the dynamic sets "
	  "of its loaded table (-t iptables: its ipsets), with their TTLs; "
	  "rules and floor sets stay.  -t pf prints the pfctl commands that "
	  "replace its tables.",
	  OPTS(O_TARGETS, O_NETNS, O_TIER, O_LOCK, O_DNS, O_TIMEOUT, O_TRIES, O_CONC,
	      O_FAMILY, O_DRYRUN, O_VERBOSE, O_MAXEXP), cmd_refresh, false },
	{ "verify", "[--netns NAME] [--tier T] [--lock FILE] POLICY",
	  "Compare the kernel's ruleset with the policy's: 0 same, 1 "
	  "different.",
	  OPTS(O_TIER, O_LOCK, O_NETNS, O_MAXEXP), cmd_verify, false },
	{ "import", "aerleon --defs DIR [-o DIR] POLICY",
	  "Make an egressc policy of each filter of an Aerleon (Capirca) "
	  "policy: to standard output, or one file a filter in DIR.",
	  OPTS(O_DEFS, O_OUTPUT), cmd_import, true },
	{ "completion", "bash | zsh | tiers POLICY",
	  "Print the bash or zsh completion script (made from this table), or "
	  "the tiers of POLICY, one a line.",
	  OPTS(0), cmd_completion, true },
	{ NULL, NULL, NULL, NULL, NULL, false }
};

int
main(int argc, char **argv)
{
	return cli_main(commands, argc, argv);
}
