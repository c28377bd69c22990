/*
 * policy.c - libFuzzer harness of the whole compile: the policy reader
 * (p.yaml, with any files it includes from the same archive, see fuzz.h),
 * the target options, wildcard expansion against the catalogs it
 * includes, binding against p.lock (an archive file of that name, else no
 * lock, which binds nothing), tiers, the optimiser, then lowering and
 * emitting for every back end into memory.  The same steps as `egressc
 * compile`, through the same functions (cli/driver.c), with no file
 * written.
 */
#include <stdint.h>
#include <string.h>

#include "backend/backend.h"
#include "cli/cli.h"
#include "fuzz.h"
#include "util/out.h"

/* Look at every byte, so a back end that writes past its text is seen. */
static int
put(struct job *j, const char *name, struct out *o, void *arg)
{
	size_t *sum = arg;

	(void)j;
	(void)name;
	*sum += strlen(out_str(o)) + o->len;
	return 0;
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct fuzz_files ff;
	struct opts o;
	struct job j;
	size_t sum = 0;
	struct sink sk = { .put = put, .arg = &sum };

	if (fuzz_unpack(data, len, "p.yaml", &ff) == 0) {
		memset(&o, 0, sizeof(o));
		if (job_load(&j, fuzz_path("p.yaml")) == 0 &&
		    job_bind(&j, &o, true) == 0)
			job_render(&j, be_all, &sk);
		job_free(&j);
	}
	fuzz_done(&ff);
	return 0;
}
