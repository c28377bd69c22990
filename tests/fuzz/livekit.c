/*
 * livekit.c - libFuzzer harness of `egressc catalog livekit`
 * (catalog_livekit in policy/catalog.c): the input is the JSON of
 * LiveKit's /settings/regions.  A catalog that it writes must read back
 * as a catalog without an error, or egressc would hand its user a file
 * that the next compile rejects.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "policy/catalog.h"
#include "policy/yaml.h"
#include "util/arena.h"
#include "util/diag.h"
#include "util/out.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct fuzz_files ff;
	struct arena *a = arena_new();
	struct ynode *root;
	struct out o;

	out_init(&o);
	if (fuzz_unpack(data, len, "regions.json", &ff) == 0 &&
	    catalog_livekit(a, "fuzz", fuzz_path("regions.json"), NULL,
	    &o) == 0) {
		root = yaml_parse(a, "written.yaml", out_str(&o), o.len);
		if (root == NULL || catalog_parse(a, root, "written.yaml") ==
		    NULL || diag_errors() > 0)
			abort();	/* what it wrote does not read */
	}
	out_free(&o);
	arena_free(a);
	fuzz_done(&ff);
	return 0;
}
