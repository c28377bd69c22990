/*
 * lock.c - libFuzzer harness of the lock reader (policy/lock.c): the
 * input is a lock file; when it reads, it is written out again in the
 * canonical form and that text must read back to the same text, since
 * `egressc resolve` relies on a refresh that changes nothing changing no
 * byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "policy/lock.h"
#include "util/arena.h"
#include "util/diag.h"
#include "util/out.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct fuzz_files ff;
	struct arena *a = arena_new();
	struct lock *lk, *again;
	struct out o1, o2;

	out_init(&o1);
	out_init(&o2);
	if (fuzz_unpack(data, len, "p.lock", &ff) == 0 &&
	    (lk = lock_load(a, fuzz_path("p.lock"))) != NULL) {
		lock_format(lk, &o1);
		if (lock_write(lk, fuzz_path("q.lock")) == 0) {
			again = lock_load(a, fuzz_path("q.lock"));
			if (again == NULL)
				abort();	/* our own text does not read */
			lock_format(again, &o2);
			if (o1.len != o2.len ||
			    memcmp(o1.buf, o2.buf, o1.len) != 0)
				abort();	/* not canonical */
		}
		unlink(fuzz_path("q.lock"));
	}
	out_free(&o1);
	out_free(&o2);
	arena_free(a);
	fuzz_done(&ff);
	return 0;
}
