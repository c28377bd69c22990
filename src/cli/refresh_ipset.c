/*
 * refresh_ipset.c - egressc refresh -t iptables: what DNS answers now, put
 * into the dynamic ipset sets NAME.ipset made (hash:ip, timeout), through
 * `ipset restore`, without touching the rules or the floor sets.
 *
 * As for nftables (nl/refresh.c): each answer goes to the dynamic set of
 * every rule that names its host, in its family, with the answer's TTL
 * clamped to dynamic: min-ttl and max-ttl as its timeout; the sets are
 * read first (`ipset save`), and only an element that is new, or has less
 * than three quarters of its new timeout left, is sent, as `add SET ADDR
 * timeout N -exist` (which adds it, or gives an element that is there the
 * new timeout).  An address the rule's floor holds needs none.  ipset
 * restore stops at the first line it fails on: what came before it stays.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/backend.h"
#include "backend/iptables.h"
#include "cli/cli.h"
#include "dns/resolve.h"
#include "util/arena.h"
#include "util/diag.h"
#include "util/out.h"

struct iwant {
	size_t		 set;		/* index into the dynamic sets */
	u128		 addr;
	unsigned	 timeout;	/* seconds */
};

/* An element the kernel holds: its set's index and the seconds left. */
struct ihave {
	size_t		 set;
	u128		 addr;
	unsigned	 left;
};

static int
ans_cmp(const void *k, const void *x)
{
	return strcmp(k, ((const struct resolve_answer *)x)->host);
}

static int
want_cmp(const void *x, const void *y)
{
	const struct iwant *a = x, *b = y;

	if (a->set != b->set)
		return a->set < b->set ? -1 : 1;
	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

static int
have_cmp(const void *x, const void *y)
{
	const struct ihave *a = x, *b = y;

	if (a->set != b->set)
		return a->set < b->set ? -1 : 1;
	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

/*
 * Run ipset with args, in as its standard input (NULL: none) and its
 * standard output read into out (NULL: left as ours).  Its exit status, or
 * -1 after diag_fail().
 */
static int
run_ipset(const char *const *args, const char *in, struct out *out)
{
	int pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, st;
	char buf[4096];
	ssize_t r;
	size_t off, len;
	pid_t pid;

	if ((in != NULL && pipe(pin) < 0) || (out != NULL && pipe(pout) < 0)) {
		diag_fail(NULL, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	if ((pid = fork()) < 0) {
		diag_fail(NULL, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if (in != NULL) {
			dup2(pin[0], 0);
			close(pin[0]);
			close(pin[1]);
		}
		if (out != NULL) {
			dup2(pout[1], 1);
			close(pout[0]);
			close(pout[1]);
		}
		execvp("ipset", (char *const *)args);
		_exit(127);
	}
	if (in != NULL) {
		close(pin[0]);
		for (off = 0, len = strlen(in); off < len; off += (size_t)r)
			if ((r = write(pin[1], in + off, len - off)) <= 0)
				break;
		close(pin[1]);
	}
	if (out != NULL) {
		close(pout[1]);
		while ((r = read(pout[0], buf, sizeof(buf))) > 0)
			out_write(out, buf, (size_t)r);
		close(pout[0]);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			diag_fail(NULL, "waitpid: %s", strerror(errno));
			return -1;
		}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
		diag_fail(NULL, "ipset: cannot run it (is the ipset package "
		    "installed?)");
		return -1;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static ssize_t
set_index(const struct ipt_dynset *ds, size_t nds, const char *name)
{
	size_t i;

	for (i = 0; i < nds; i++)
		if (strcmp(ds[i].name, name) == 0)
			return (ssize_t)i;
	return -1;
}

/* The dynamic sets' elements as `ipset save` lists them; which sets are
 * there in present[]. */
static void
parse_save(struct arena *a, char *text, const struct ipt_dynset *ds,
    size_t nds, bool *present, struct ihave **have, size_t *nhave)
{
	size_t cap = 0;
	char *line, *save = NULL, *w[6];
	ssize_t k;
	int nw;

	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *p, *sp = NULL;
		enum fam f;
		u128 addr;
		int len;
		bool hb;

		for (nw = 0, p = strtok_r(line, " ", &sp); p != NULL && nw < 6;
		    p = strtok_r(NULL, " ", &sp))
			w[nw++] = p;
		if (nw < 2 || (k = set_index(ds, nds, w[1])) < 0)
			continue;
		if (strcmp(w[0], "create") == 0) {
			present[k] = true;
			continue;
		}
		if (strcmp(w[0], "add") != 0 || nw < 3 ||
		    addr_parse(w[2], &f, &addr, &len, &hb) < 0)
			continue;
		ARENA_PUSH(a, *have, *nhave, cap);
		(*have)[*nhave - 1] = (struct ihave){ (size_t)k, addr,
		    nw >= 5 && strcmp(w[3], "timeout") == 0 ?
		    (unsigned)strtoul(w[4], NULL, 10) : ~0u };
	}
	if (*nhave > 1)
		qsort(*have, *nhave, sizeof(**have), have_cmp);
}

static unsigned
clamp(const struct ir *ir, unsigned ttl)
{
	if (ttl < ir->dyn.min_ttl)
		ttl = ir->dyn.min_ttl;
	if (ttl > ir->dyn.max_ttl)
		ttl = ir->dyn.max_ttl;
	return ttl;
}

int
refresh_ipset(struct job *j, const struct opts *o,
    const struct resolve_answer *ans, size_t nans)
{
	static const char *const save[] = { "ipset", "save", NULL };
	static const char *const restore[] = { "ipset", "restore", NULL };
	struct arena *a = j->a;
	struct ipt_dynset *ds;
	struct iwant *w = NULL;
	struct ihave *have = NULL, key, *e;
	struct out listing, cmds;
	size_t nds, nw = 0, capw = 0, nhave = 0, unchanged = 0, absent = 0;
	size_t i, h, k, nsets = 0, nsent = 0, nloaded = 0, last = 0;
	bool *present;
	const struct ir *ir;
	char buf[ADDR_STRLEN];
	int rc;

	if ((ir = job_lower(j, be_find("iptables"), a)) == NULL ||
	    ipt_dynsets(a, ir, &ds, &nds) < 0)
		return -1;
	if (nds == 0) {
		printf("no dynamic sets: policy %s names no hosts\n", ir->name);
		return 0;
	}
	/* Every (set, address) the answers call for, the floor's left out. */
	for (i = 0; i < nds; i++)
		for (h = 0; h < ds[i].rule->nhosts; h++) {
			const struct resolve_answer *ra = nans == 0 ? NULL :
			    bsearch(ds[i].rule->hosts[h], ans, nans,
			    sizeof(*ans), ans_cmp);

			for (k = 0; ra != NULL && k < ra->naddrs; k++) {
				if (ra->addrs[k].fam != ds[i].fam)
					continue;
				if (iset_has(&ds[i].rule->dst.f[ds[i].fam],
				    ra->addrs[k].addr)) {
					unchanged++;
					continue;
				}
				ARENA_PUSH(a, w, nw, capw);
				w[nw - 1] = (struct iwant){ i, ra->addrs[k].addr,
				    clamp(ir, ra->ttl) };
			}
		}
	if (nw > 1)
		qsort(w, nw, sizeof(*w), want_cmp);
	for (i = k = 0; i < nw; i++) {
		if (k > 0 && w[k - 1].set == w[i].set &&
		    w[k - 1].addr == w[i].addr) {
			if (w[i].timeout > w[k - 1].timeout)
				w[k - 1].timeout = w[i].timeout;
			continue;
		}
		w[k++] = w[i];
	}
	nw = k;

	out_init(&listing);
	rc = run_ipset(save, NULL, &listing);
	if (rc > 0) {
		diag_fail(NULL, "ipset save failed (exit %d)", rc);
		rc = -1;
	}
	if (rc < 0) {
		out_free(&listing);
		return -1;
	}
	present = arena_alloc(a, nds * sizeof(*present));
	memset(present, 0, nds * sizeof(*present));
	parse_save(a, arena_strdup(a, out_str(&listing)), ds, nds, present,
	    &have, &nhave);
	out_free(&listing);
	for (i = 0; i < nds; i++)
		nloaded += present[i];
	if (nloaded == 0) {
		diag_fail(NULL, "no ipset set of policy %s is loaded%s%s: run "
		    "'ipset restore < %s.ipset' first", ir->name, o->netns ?
		    " in network namespace " : "", o->netns ? o->netns : "",
		    ir->name);
		return -1;
	}

	out_init(&cmds);
	for (i = 0; i < nw; i++) {
		if (!present[w[i].set]) {
			absent += i == 0 || w[i - 1].set != w[i].set;
			continue;
		}
		key = (struct ihave){ w[i].set, w[i].addr, 0 };
		e = nhave == 0 ? NULL : bsearch(&key, have, nhave,
		    sizeof(*have), have_cmp);
		/* Three quarters of the new timeout left will do. */
		if (e != NULL && (e->left == ~0u ||
		    e->left >= w[i].timeout / 4 * 3)) {
			unchanged++;
			continue;
		}
		if (nsent == 0 || w[i].set != last)
			nsets++;
		last = w[i].set;
		nsent++;
		out_printf(&cmds, "add %s %s timeout %u -exist\n",
		    ds[w[i].set].name, addr_format(buf, ds[w[i].set].fam,
		    w[i].addr, fam_bits(ds[w[i].set].fam)), w[i].timeout);
	}
	if (absent > 0)
		diag_warning(NULL, "%zu dynamic set%s of policy %s %s not "
		    "loaded (another --tier?): their addresses are left out",
		    absent, absent == 1 ? "" : "s", ir->name,
		    absent == 1 ? "is" : "are");
	if (o->verbose || o->dry_run)
		fputs(out_str(&cmds), stdout);
	rc = 0;
	if (nsent > 0 && !o->dry_run) {
		rc = run_ipset(restore, out_str(&cmds), NULL);
		if (rc > 0) {
			diag_fail(NULL, "ipset restore of the refresh failed "
			    "(exit %d)", rc);
			rc = -1;
		}
	}
	out_free(&cmds);
	if (rc == 0)
		printf("%s%zu address%s in %zu set%s, %zu unchanged\n",
		    o->dry_run ? "would add " : "+", nsent, nsent == 1 ? "" :
		    "es", nsets, nsets == 1 ? "" : "s", unchanged);
	return rc;
}
