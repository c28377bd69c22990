/*
 * aerleon.c - the import, end to end: the policy and its definitions
 * read, every filter mapped (each one's errors reported, so that one run
 * lists them all), and only then, when none failed, the policies written
 * as text.  A filter's policy is named after the file and the filter's
 * place in it, NAME-N, so the names are the same on every run.
 */
#include <string.h>

#include "import/aerleon.h"

static bool
ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* "pol/sample_nftables.pol" -> "sample-nftables": what egressc takes for
 * a policy's name ([a-z0-9][a-z0-9-]*), with room for "-N". */
static const char *
base_name(struct arena *a, const char *path)
{
	const char *b = strrchr(path, '/');
	char buf[64];
	size_t n = 0, len;

	b = b != NULL ? b + 1 : path;
	len = strlen(b);
	if (ends(b, ".pol") || ends(b, ".yml"))
		len -= 4;
	else if (ends(b, ".yaml"))
		len -= 5;
	for (size_t i = 0; i < len && n < 56; i++) {
		char c = b[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			c = '-';
		if (c == '-' && (n == 0 || buf[n - 1] == '-'))
			continue;
		buf[n++] = c;
	}
	while (n > 0 && buf[n - 1] == '-')
		n--;
	if (n == 0)
		return "aerleon";
	return arena_strndup(a, buf, n);
}

int
aer_import(struct arena *a, const char *path, const char *defs,
    struct aer_result **res, size_t *n)
{
	struct aer_file f;
	struct aer_names nm;
	struct aer_pol *pols;
	const char *base = base_name(a, path);
	size_t i;
	int rc;

	*res = NULL;
	*n = 0;
	if (ends(path, ".yaml") || ends(path, ".yml"))
		rc = aer_read_yaml(a, path, &f);
	else if (ends(path, ".pol"))
		rc = aer_read_pol(a, path, &f);
	else {
		diag_error(NULL, "%s: an Aerleon policy ends in .pol, .yaml "
		    "or .yml", path);
		return -1;
	}
	/* The definitions' errors are worth seeing with the policy's, and
	 * the filters' with what the definitions do hold; a policy that did
	 * not parse has no filters to speak of. */
	if (aer_names_load(a, defs, &nm) < 0 || rc < 0) {
		if (rc < 0 || nm.nnet + nm.nsvc == 0)
			return -1;
		rc = -1;
	}
	pols = arena_alloc(a, f.n * sizeof(*pols));
	for (i = 0; i < f.n; i++)
		if (aer_map(a, &f, i, &nm, arena_printf(a, "%s-%zu", base,
		    i + 1), &pols[i]) < 0)
			rc = -1;
	if (rc < 0)
		return -1;
	*res = arena_alloc(a, f.n * sizeof(**res));
	for (i = 0; i < f.n; i++) {
		(*res)[i].file = arena_printf(a, "%s.yaml", pols[i].name);
		out_init(&(*res)[i].text);
		aer_emit(&pols[i], &(*res)[i].text);
	}
	*n = f.n;
	return 0;
}
