/*
 * import.c - `egressc import aerleon --defs DIR [-o DIR] POLICY`.
 *
 * The import itself is src/import/; this writes what it made.  A policy of
 * one filter goes to standard output unless -o is given; with -o every
 * NAME-N.yaml is staged beside its destination and all are renamed into
 * place only once every one was staged, so that an error leaves DIR as it
 * was, as compile -o does.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "import/aerleon.h"
#include "util/arena.h"
#include "util/atomic_write.h"
#include "util/diag.h"
#include "util/out.h"

/* What an earlier import may have left in the directory: its policies. */
static bool
own_file(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && strcmp(name + n - 5, ".yaml") == 0;
}

/* Every result into dir, or none (util/atomic_write.h); 0 or -1. */
static int
write_all(const char *dir, struct aer_result *res, size_t n)
{
	struct atomic_dir *d = atomic_dir_begin(dir, own_file);
	size_t i;

	if (d == NULL) {
		diag_fail(NULL, "%s: %s", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++)
		if (atomic_dir_add(d, res[i].file, res[i].text.buf,
		    res[i].text.len, 0666) < 0) {
			diag_fail(NULL, "%s/%s: %s", dir, res[i].file,
			    strerror(errno));
			atomic_dir_abort(d);
			return -1;
		}
	if (atomic_dir_commit(d) < 0) {
		diag_fail(NULL, "%s: %s", dir, strerror(errno));
		atomic_dir_abort(d);
		return -1;
	}
	return 0;
}

int
cmd_import(struct opts *o, int argc, char **argv)
{
	struct aer_result *res = NULL;
	struct arena *a;
	size_t n = 0, i;
	int rc;

	if (argc < 1 || strcmp(argv[0], "aerleon") != 0)
		return cli_usage_error("import: unknown kind '%s' (egressc "
		    "knows 'aerleon')", argc > 0 ? argv[0] : "");
	if (argc != 2)
		return cli_usage_error("%s takes one POLICY file",
		    "import aerleon");
	if (o->defs == NULL)
		return cli_usage_error("%s needs --defs DIR", "import aerleon");
	a = arena_new();
	rc = aer_import(a, argv[1], o->defs, &res, &n);
	if (rc == 0 && o->outdir == NULL && n != 1) {
		diag_error(NULL, "%s holds %zu filters, one policy each; name "
		    "a directory with -o DIR", argv[1], n);
		rc = -1;
	}
	if (rc == 0 && o->outdir != NULL)
		rc = write_all(o->outdir, res, n);
	else if (rc == 0) {
		fwrite(res[0].text.buf, 1, res[0].text.len, stdout);
		if (fflush(stdout) != 0)
			rc = -1;
	}
	for (i = 0; i < n; i++)
		out_free(&res[i].text);
	arena_free(a);
	return cli_status(rc);
}
