/*
 * refresh.c - `egressc refresh`: the policy's hosts resolved now (the same
 * c-ares lookups as resolve, nothing written) and the answers handed to
 * the kernel's dynamic sets of the policy's table (nl/refresh.c); with
 * --netns, DNS is asked from inside the namespace too, as the host whose
 * table it is would ask.  The
 * policy is taken through the passes exactly as apply takes it, so the
 * sets it fills are those apply made.  A host that does not resolve is
 * a failure (exit 3), but what the others answered is added all the same.
 * -t iptables fills the dynamic ipset sets instead (refresh_ipset.c); -t pf
 * prints the pfctl commands that replace the host tables (refresh_pf.c).
 */
#include <string.h>

#include "backend/backend.h"
#include "cli/cli.h"
#include "dns/resolve.h"
#include "nl/nl.h"
#include "util/arena.h"
#include "util/diag.h"

int
cmd_refresh(struct opts *o, int argc, char **argv)
{
	struct nl_opts no = { o->dry_run, o->netns, 0, NULL, o->verbose };
	struct resolve_answer *ra = NULL;
	struct nl_answer *na;
	struct ir *low = NULL;
	struct job j;
	size_t n = 0, i;
	const char *tgt;
	int rc, dns = 0;

	(void)argc;
	if (o->targets != NULL && strcmp(o->targets, "nftables") != 0 &&
	    strcmp(o->targets, "iptables") != 0 &&
	    strcmp(o->targets, "pf") != 0) {
		diag_error(NULL, "refresh -t %s: refresh fills the sets of "
		    "nftables (the default) or iptables (ipset), or prints the "
		    "pfctl commands of pf's tables", o->targets);
		return cli_status(-1);
	}
	tgt = o->targets == NULL ? "nftables" : o->targets;
	rc = job_load(&j, argv[0]);
	if (rc == 0)
		rc = job_bind(&j, o, true);
	if (rc == 0 && strcmp(tgt, "nftables") == 0 &&
	    (low = job_lower(&j, be_find("nftables"), j.a)) == NULL)
		rc = -1;

	if (rc == 0)
		rc = nl_netns(o->netns);
	if (rc == 0) {
		dns = resolve_answers(j.ir, &o->ro, &ra, &n);
		/* Bad options: nothing was asked. */
		if (dns < 0 && ra == NULL)
			rc = -1;
	}
	if (rc == 0 && strcmp(tgt, "iptables") == 0)
		rc = refresh_ipset(&j, o, ra, n);
	else if (rc == 0 && strcmp(tgt, "pf") == 0)
		rc = refresh_pf(&j, ra, n);
	else if (rc == 0) {
		na = arena_alloc(j.a, (n + 1) * sizeof(*na));
		for (i = 0; i < n; i++) {
			struct nl_addr *v = arena_alloc(j.a, (ra[i].naddrs + 1) *
			    sizeof(*v));

			for (size_t k = 0; k < ra[i].naddrs; k++)
				v[k] = (struct nl_addr){ ra[i].addrs[k].fam,
				    ra[i].addrs[k].addr };
			na[i].host = ra[i].host;
			na[i].ttl = ra[i].ttl;
			na[i].addrs = v;
			na[i].naddrs = ra[i].naddrs;
		}
		rc = nl_refresh(low, &no, na, n);
	}
	job_free(&j);
	return cli_status(rc < 0 ? rc : dns);
}
