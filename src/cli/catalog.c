/*
 * catalog.c - `egressc catalog livekit`: a catalog for one LiveKit project
 * from the region list LiveKit's settings endpoint gives, written
 * atomically (-o FILE) or to standard output.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "policy/catalog.h"
#include "util/arena.h"
#include "util/atomic_write.h"
#include "util/diag.h"
#include "util/out.h"

int
cmd_catalog(struct opts *o, int argc, char **argv)
{
	struct arena *a;
	struct out text;
	int rc = 0;

	if (argc != 1 || strcmp(argv[0], "livekit") != 0)
		return cli_usage_error("catalog: unknown kind '%s' (egressc "
		    "knows 'livekit')", argc > 0 ? argv[0] : "");
	if (o->project == NULL || o->regions == NULL)
		return cli_usage_error("%s needs --project NAME and --regions "
		    "FILE", "catalog livekit");
	a = arena_new();
	out_init(&text);
	if (catalog_livekit(a, o->project, o->regions, o->source, &text) < 0)
		rc = -1;
	else if (o->output == NULL || strcmp(o->output, "-") == 0)
		fwrite(text.buf, 1, text.len, stdout);
	else if (atomic_write(o->output, text.buf, text.len, 0666) < 0) {
		diag_error(NULL, "%s: %s", o->output, strerror(errno));
		rc = -1;
	}
	out_free(&text);
	arena_free(a);
	return cli_status(rc);
}
