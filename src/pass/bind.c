/*
 * bind.c - the bind pass: every host name of the IR gets its addresses from
 * the lock file.  Compiling never touches the network; a host missing from
 * the lock is an error that says to run `egressc resolve`.  The addresses
 * a name gets are spent from the compilation's budget (util/budget.h), in
 * every rule that names it.
 */
#include "ir/ir.h"
#include "pass/bind.h"
#include "policy/lock.h"
#include "util/budget.h"

int
bind_lock(struct ir *ir, const struct lock *lk, bool missing_ok)
{
	int rc = 0;

	for (size_t r = 0; r < ir->nrules; r++) {
		struct ir_rule *rule = &ir->rules[r];

		for (size_t i = 0; i < rule->nnames; i++) {
			struct ir_name *nm = &rule->names[i];
			const struct lock_host *h;

			if (nm->wildcard)
				continue;
			if ((h = lock_find(lk, nm->name)) == NULL &&
			    missing_ok)
				continue;
			if (h == NULL) {
				diag_error(&nm->loc, "host '%s' is not in the "
				    "lock file %s; run 'egressc resolve %s'",
				    nm->name, lk->file, ir->file);
				rc = -1;
				continue;
			}
			if (budget_spend(&nm->loc, h->naddrs) < 0)
				return -1;
			aset_init(&nm->addrs);
			for (size_t j = 0; j < h->naddrs; j++)
				aset_add_prefix(ir->arena, &nm->addrs,
				    h->addrs[j].fam, h->addrs[j].addr,
				    fam_bits(h->addrs[j].fam));
			aset_norm(&nm->addrs);
			nm->resolved = true;
		}
	}
	return rc;
}
