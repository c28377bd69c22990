/*
 * aerleon.c - libFuzzer harness of `egressc import aerleon` (src/import/):
 * the .pol reader or, when the input's first line is "# yaml", the Aerleon
 * YAML reader, then the naming definitions, the mapping of every filter
 * and the YAML written for it.  The archive (fuzz.h) lays the files out
 * as Aerleon does: the policy is pol/p.pol (or pol/p.yaml), definitions
 * are def/NAME and includes includes/NAME.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "import/aerleon.h"
#include "util/arena.h"
#include "util/out.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

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
			for (i = 0; i < n; i++)
				out_free(&res[i].text);
		free(top);
		free(defs);
	}
	arena_free(a);
	fuzz_done(&ff);
	return 0;
}
