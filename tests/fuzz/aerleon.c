/*
 * aerleon.c - libFuzzer harness of `egressc import aerleon` (src/import/):
 * the .pol reader or, when the input's first line is "# yaml", the Aerleon
 * YAML reader, then the naming definitions, the mapping of every filter
 * and the YAML written for it.  The archive (fuzz.h) lays the files out
 * as Aerleon does: the policy is pol/p.pol (or pol/p.yaml), definitions
 * are def/NAME and includes includes/NAME.  Every policy it writes must
 * read back with pol_load, as aer_emit promises.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "import/aerleon.h"
#include "policy/policy.h"
#include "util/arena.h"
#include "util/out.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* What the import wrote must load as a policy: else abort (a finding). */
static void
readback(struct out *text)
{
	char *path = strdup(fuzz_path("imported.yaml"));
	struct arena *a = arena_new();
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(text->buf, 1, text->len, f) != text->len ||
	    fclose(f) != 0)
		abort();
	if (pol_load(a, path) == NULL)
		abort();	/* the import wrote a policy egressc rejects */
	unlink(path);
	arena_free(a);
	free(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct fuzz_files ff;
	struct arena *a = arena_new();
	struct aer_result *res;
	size_t n = 0, i;
	int yaml = len >= 7 && memcmp(data, "# yaml\n", 7) == 0;
	const char *main = yaml ? "pol/p.yaml" : "pol/p.pol";

	if (fuzz_unpack(data, len, main, &ff) == 0) {
		char *top = strdup(fuzz_path(main));
		char *defs = strdup(fuzz_path("def"));

		if (aer_import(a, top, defs, &res, &n) == 0)
			for (i = 0; i < n; i++) {
				readback(&res[i].text);
				out_free(&res[i].text);
			}
		free(top);
		free(defs);
	}
	arena_free(a);
	fuzz_done(&ff);
	return 0;
}
