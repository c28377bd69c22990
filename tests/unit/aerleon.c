/*
 * aerleon.c - unit tests of the Aerleon import: the .pol reader's model
 * and its FILE:LINE:COL on bad syntax, definitions that name what nobody
 * defined, and comments whose quotes and line breaks must reach egressc's
 * own reader as the text they were, not as YAML of their own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "import/aerleon.h"
#include "policy/policy.h"
#include "tap.h"

static char	 captured[8192];
static char	 dir[] = "/tmp/egressc-unit-aerleon-XXXXXX";

static void
capture(const char *line, void *arg)
{
	(void)arg;
	strncat(captured, line, sizeof(captured) - strlen(captured) - 2);
	strcat(captured, "\n");
}

/* dir/name, in one of a few buffers (so two can be in use at once). */
static const char *
at(const char *name)
{
	static char path[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s", dir, name);
	return path[k];
}

/* Write len bytes of text to dir/name; its path. */
static const char *
put_n(const char *name, const char *text, size_t len)
{
	const char *path = at(name);
	FILE *f;

	if ((f = fopen(path, "w")) == NULL || fwrite(text, 1, len, f) != len ||
	    fclose(f) != 0)
		abort();
	return path;
}

static const char *
put(const char *name, const char *text)
{
	return put_n(name, text, strlen(text));
}

static void
fresh(void)
{
	captured[0] = '\0';
	diag_reset();
}

static void
test_model(void)
{
	struct arena *a = arena_new();
	struct aer_file f;
	const struct aer_block *t;
	const char *p;

	fresh();
	p = put("model.pol",
	    "# two filters\n"
	    "header {\n"
	    "  comment:: \"first\"\n"
	    "  target:: speedway OUTPUT DROP\n"
	    "}\n"
	    "term web {\n"
	    "  destination-address:: WEB_SERVERS  MAIL_SERVERS\n"
	    "  protocol:: tcp\n"
	    "  action:: accept\n"
	    "}\n"
	    "header { target:: nftables mixed INPUT }\n"
	    "term all { action:: deny }\n");
	ok(aer_read_pol(a, p, &f) == 0, "a policy of two filters reads");
	is_int((int)f.n, 2, "two filters");
	if (f.n != 2)
		goto out;
	is_int((int)f.f[0].hdr.n, 2, "the first header: comment and target");
	is_str(f.f[0].hdr.kv[1].key, "target", "its second keyword");
	is_int((int)f.f[0].hdr.kv[1].n, 3, "target:: has three words");
	ok(f.f[0].hdr.kv[0].v[0].quoted && strcmp(f.f[0].hdr.kv[0].v[0].s,
	    "first") == 0, "a comment is a string, without its quotes");
	t = &f.f[0].terms[0];
	is_str(t->name, "web", "the term's name");
	is_int(t->loc.line, 6, "the term at its line");
	is_int((int)t->kv[0].n, 2, "two destination words");
	is_int(t->kv[0].v[1].loc.line, 7, "the second at its line");
	is_int(t->kv[0].v[1].loc.col, 38, "and its column");
	is_int((int)f.f[1].n, 1, "one term in the one-line second filter");
out:
	arena_free(a);
}

/* One bad .pol of len bytes: -1, and the error at where it is (DIR in
 * want: the test's directory). */
static void
bad_n(const char *name, const char *text, size_t len, const char *want)
{
	struct arena *a = arena_new();
	struct aer_file f;
	char line[1024];
	const char *w;
	size_t n;

	fresh();
	n = (size_t)snprintf(line, sizeof(line), "%s/%s:", dir, name);
	for (w = want; *w != '\0' && n + 64 < sizeof(line); w++)
		if (strncmp(w, "DIR", 3) == 0) {
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%s",
			    dir);
			w += 2;
		} else
			line[n++] = *w;
	line[n++] = '\n';
	line[n] = '\0';
	ok(aer_read_pol(a, put_n(name, text, len), &f) < 0 &&
	    strcmp(captured, line) == 0, "%s: refused at its place", name);
	if (strcmp(captured, line) != 0)
		diag("got %s# want %s", captured, line);
	arena_free(a);
}

static void
bad(const char *name, const char *text, const char *want)
{
	bad_n(name, text, strlen(text), want);
}

static void
test_syntax(void)
{
	bad("colon.pol", "header {\n  target:: speedway OUTPUT\n}\n"
	    "term t {\n  action: accept\n}\n",
	    "5:9: error: expected '::' after 'action'");
	bad("string.pol", "header { target:: speedway OUTPUT }\n"
	    "term t {\n  comment:: \"open\n  action:: accept\n}\n",
	    "3:13: error: a string that is never closed");
	bad("brace.pol", "header {\n  target:: speedway OUTPUT\n}\n"
	    "term t {\n  action:: accept\n",
	    "5:18: error: the file ends inside a term\n"
	    "DIR/brace.pol:4:1: note: the term opens here");
	bad("name.pol", "header { target:: speedway OUTPUT }\n"
	    "term \"quoted\" { action:: accept }\n",
	    "2:6: error: expected the term's name, found a string");
	bad("key.pol", "header { target:: speedway OUTPUT }\n"
	    "term t { acton:: accept }\n",
	    "2:10: error: unknown term keyword 'acton'; did you mean "
	    "'action'?");
	bad("header.pol", "header { protocol:: tcp }\n",
	    "1:10: error: unknown header keyword 'protocol'");
	bad("empty.pol", "# nothing\n",
	    "1:10: error: no header { target:: ... } in the policy");
	bad_n("nul.pol", "header {\n  target:: x\0y\n}\n", 25,
	    "2:13: error: a NUL byte");
	bad("include.pol", "header { target:: speedway OUTPUT }\n"
	    "  #include 'nowhere.inc'\n",
	    "2:12: error: include 'nowhere.inc': no such file beside the "
	    "policy or in its parent directory");
}

static void
test_names(void)
{
	struct arena *a = arena_new();
	struct aer_names nm;
	struct aer_def *d;
	char want[1024];
	const char *near;

	fresh();
	mkdir(at("defs"), 0700);
	put("defs/NETWORK.net", "# a comment\nINTERNAL = 10.0.0.0/8 LAB\n"
	    "           192.168.0.0/16  # home\nLAB = LABS\n");
	put("defs/SERVICES.svc", "WEB = 80/tcp 443/tcp\nALL = WEB DNS\n");
	ok(aer_names_load(a, at("defs"), &nm) == 0,
	    "definitions in Capirca's format load");
	d = aer_net_find(&nm, "INTERNAL", NULL);
	ok(d != NULL && d->n == 3, "INTERNAL has its three items");
	ok(aer_net_find(&nm, "INTERNALS", &near) == NULL && near != NULL &&
	    strcmp(near, "INTERNAL") == 0, "a near miss finds what it meant");
	ok(d != NULL && aer_net_resolve(a, &nm, d) < 0, "INTERNAL names LAB, "
	    "which names LABS, which nobody defined");
	snprintf(want, sizeof(want), "%s/defs/NETWORK.net:4:7: error: network "
	    "'LABS' is not defined in %s/defs; did you mean 'LAB'?\n", dir,
	    dir);
	is_str(captured, want, "said at LABS in NETWORK.net");
	fresh();
	d = aer_svc_find(&nm, "ALL", NULL);
	ok(d != NULL && aer_svc_resolve(a, &nm, d) < 0 &&
	    strstr(captured, "SERVICES.svc:2:11: error: service 'DNS' is not "
	    "defined") != NULL, "a service naming an undefined one: at its "
	    "place");
	arena_free(a);
}

/*
 * Comments with quotes, line breaks, "${" and text that reads as YAML:
 * imported, then read by egressc's own front end, each rule's comment is
 * the text Aerleon had, and no rule more appeared.
 */
static void
test_comments(void)
{
	static const char *const want[] = {
		"it's a \"quoted\" word\nrules:\n  - name: evil\n    to: any",
		"tab\there ${HOME} \\ back\" slash",
	};
	struct arena *a = arena_new();
	struct aer_result *res;
	struct policy *pol;
	size_t n, i;
	const char *p;
	FILE *f;

	fresh();
	put("defs/SERVICES.svc", "WEB = 80/tcp 443/tcp\n");
	put("defs/NETWORK.net", "ANY = 0.0.0.0/0 ::/0\n");
	p = put("hostile.yaml",
	    "filters:\n"
	    "  - header:\n"
	    "      targets: {speedway: OUTPUT ACCEPT}\n"
	    "      comment: \"desc\\n\\\"; drop\\n-A OUTPUT -j ACCEPT\"\n"
	    "    terms:\n"
	    "      - name: a\n"
	    "        comment: \"it's a \\\"quoted\\\" word\\nrules:\\n  - "
	    "name: evil\\n    to: any\"\n"
	    "        action: deny\n"
	    "      - name: b\n"
	    "        comment: \"tab\\there ${HOME} \\\\ back\\\" slash\"\n"
	    "        protocol: tcp\n"
	    "        destination-port: WEB\n"
	    "        action: deny\n");
	ok(aer_import(a, p, at("defs"), &res, &n) == 0 && n == 1,
	    "a YAML policy with hostile comments imports");
	if (n != 1) {
		diag("%s", captured);
		goto out;
	}
	p = put("out.yaml", "");
	if ((f = fopen(p, "w")) == NULL)
		abort();
	fwrite(res[0].text.buf, 1, res[0].text.len, f);
	fclose(f);
	out_free(&res[0].text);
	pol = pol_load(a, p);
	ok(pol != NULL, "egressc reads the import back");
	if (pol == NULL) {
		diag("%s", captured);
		goto out;
	}
	is_int((int)pol->ir->nrules, 3, "its two rules, and neighbour "
	    "discovery: none smuggled in");
	for (i = 0; i + 1 < pol->ir->nrules && i < 2; i++)
		ok(strcmp(pol->ir->rules[i + 1].comment, want[i]) == 0,
		    "rule %zu's comment is Aerleon's text", i + 1);
	ok(pol->ir->description != NULL &&
	    strcmp(pol->ir->description, "desc\n\"; drop\n-A OUTPUT -j "
	    "ACCEPT") == 0, "so is the description");
	fresh();
	p = put("lines.pol", "header { target:: speedway OUTPUT ACCEPT }\n"
	    "term c {\n  comment:: \"line one\n  line two, with 'quotes'\"\n"
	    "  protocol:: udp\n"
	    "  action:: deny\n}\n");
	ok(aer_import(a, p, at("defs"), &res, &n) == 0 && n == 1 &&
	    strstr(res[0].text.buf, "comment: \"line one\\n  line two, with "
	    "'quotes'\"\n") != NULL, "a .pol comment over two lines: one "
	    "double-quoted scalar with \\n");
	if (n == 1)
		out_free(&res[0].text);
out:
	arena_free(a);
}

int
main(void)
{
	char cmd[128];

	plan_lazy();
	if (mkdtemp(dir) == NULL)
		abort();
	diag_capture(capture, NULL);
	test_model();
	test_syntax();
	test_names();
	test_comments();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
