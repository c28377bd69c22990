/*
 * catalog.c - libFuzzer harness of the catalog reader (catalog_parse in
 * policy/catalog.c): the input is a catalog file, read through the YAML
 * tree as a policy's include: reads it.
 */
#include <stdint.h>

#include "fuzz.h"
#include "policy/catalog.h"
#include "policy/yaml.h"
#include "util/arena.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct fuzz_files ff;
	struct arena *a = arena_new();
	struct ynode *root;

	if (fuzz_unpack(data, len, "c.yaml", &ff) == 0 &&
	    (root = yaml_load(a, fuzz_path("c.yaml"), NULL)) != NULL)
		catalog_parse(a, root, fuzz_path("c.yaml"));
	arena_free(a);
	fuzz_done(&ff);
	return 0;
}
