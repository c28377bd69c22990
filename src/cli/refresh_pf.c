/*
 * refresh_pf.c - egressc refresh -t pf: what DNS answers now, as a sh
 * script of `pfctl -t TABLE -T replace ADDR ...` lines for the persist
 * tables NAME.pf.conf declares for rules with host names (pf.h), printed
 * for a cron job on the pf host to run (`egressc refresh -t pf P | sh`);
 * this machine may have no pf, so nothing is run here.
 *
 * pf has no timeouts on a table's entries: each line replaces the whole
 * table by the rule's floor (the addresses the compiled file gives it)
 * and every answer for the rule's hosts in the table's families, as
 * prefixes, sorted, IPv4 first: the same answers give the same bytes.  A
 * table one of whose hosts did not resolve gets a comment instead, so it
 * keeps what the last refresh put in it; the exit status is then 3.  Each
 * pfctl that fails makes the script's exit status 1, and the others still
 * run.  A table of more than PF_WORDS_MAX prefixes is given on pfctl's
 * standard input instead (-f -, one a line, pfctl(8)), so that no size of
 * table meets the system's limit on a command's arguments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "backend/pf.h"
#include "cli/cli.h"
#include "dns/resolve.h"
#include "util/arena.h"
#include "util/diag.h"
#include "util/out.h"

#define PF_WORDS_MAX	64
#define PF_HEREDOC	"EGRESSC_ADDRESSES"

static int
ans_cmp(const void *k, const void *x)
{
	return strcmp(k, ((const struct resolve_answer *)x)->host);
}

int
refresh_pf(struct job *j, const struct resolve_answer *ans, size_t nans)
{
	struct arena *a = j->a;
	struct pf_table *pt;
	const struct ir *ir;
	struct prefix *pv;
	struct out o;
	char buf[ADDR_STRLEN];
	size_t npt, i, h, k, np, p, added = 0, nrep = 0;
	int f;

	if ((ir = job_lower(j, be_find("pf"), a)) == NULL ||
	    pf_host_tables(a, ir, &pt, &npt) < 0)
		return -1;
	out_init(&o);
	out_printf(&o, "#!/bin/sh\n# egressc refresh -t pf: the host tables of "
	    "policy %s, each replaced by\n# its floor and what DNS answers "
	    "now.  Run it on the pf host, where\n# %s.pf.conf is loaded: "
	    "egressc refresh -t pf POLICY | sh\n", ir->name, ir->name);
	if (npt == 0) {
		out_printf(&o, "# No tables: policy %s names no hosts that "
		    "its lock resolves (or dynamic: false).\n", ir->name);
		goto done;
	}
	out_puts(&o, "st=0\n");
	for (i = 0; i < npt; i++) {
		const struct ir_rule *r = pt[i].rule;
		const char *failed = NULL;
		struct aset s;
		size_t n0;
		u128 nfloor = 0;

		/* The floor, in the table's families, as the file has it. */
		aset_init(&s);
		for (f = 0; f < FAM_N; f++)
			if (pt[i].fams[f]) {
				iset_copy(a, &s.f[f], &r->dst.f[f]);
				iset_norm(&s.f[f]);
				nfloor += iset_count(&s.f[f]);
			}
		for (h = 0; h < r->nhosts && failed == NULL; h++) {
			const struct resolve_answer *ra = nans == 0 ? NULL :
			    bsearch(r->hosts[h], ans, nans, sizeof(*ans),
			    ans_cmp);

			if (ra == NULL || ra->failed) {
				failed = r->hosts[h];
				break;
			}
			for (k = 0; k < ra->naddrs; k++) {
				enum fam af = ra->addrs[k].fam;

				if (pt[i].fams[af])
					iset_add(a, &s.f[af], ra->addrs[k].addr,
					    ra->addrs[k].addr);
			}
		}
		/* Beyond the floor: what the answers added to it, each of
		 * them one address (sorted once, not per answer). */
		for (f = 0; f < FAM_N; f++) {
			iset_norm(&s.f[f]);
			nfloor -= iset_count(&s.f[f]);
		}
		n0 = (size_t)-nfloor;	/* u128: a /64 counts 2^64 */
		if (failed != NULL) {
			/* be_text: a host name is the policy's text. */
			out_printf(&o, "# %s left as it is: %s did not "
			    "resolve\n", pt[i].name, failed);
			continue;
		}
		added += n0;
		nrep++;
		for (f = 0, np = 0; f < FAM_N; f++)
			np += aset_prefixes(a, &s, (enum fam)f, &pv);
		out_printf(&o, "pfctl -q -t %s -T replace", pt[i].name);
		if (np > PF_WORDS_MAX)
			out_puts(&o, " -f - <<'" PF_HEREDOC "' || st=1\n");
		for (f = 0; f < FAM_N; f++) {
			size_t nf = aset_prefixes(a, &s, (enum fam)f, &pv);

			for (p = 0; p < nf; p++)
				out_printf(&o, np > PF_WORDS_MAX ? "%s\n" :
				    " %s", addr_format(buf, (enum fam)f,
				    pv[p].addr, pv[p].len));
		}
		out_puts(&o, np > PF_WORDS_MAX ? PF_HEREDOC "\n" :
		    " || st=1\n");
	}
	out_printf(&o, "# %zu table%s replaced, %zu address%s beyond the "
	    "floor\nexit $st\n", nrep, nrep == 1 ? "" : "s", added,
	    added == 1 ? "" : "es");
done:
	fputs(out_str(&o), stdout);
	out_free(&o);
	return 0;
}
