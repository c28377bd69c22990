/*
 * dump.h - the IR as stable text, for `egressc compile --dump ir` and
 * `--dump lowered:TARGET` (the forms between the passes, as pfctl -nvv and
 * luac -l show theirs).  The format is described in egressc(1), DUMPS;
 * tests/dump/ holds it per stage for the test policies.
 */
#ifndef EGRESSC_DUMP_H
#define EGRESSC_DUMP_H

struct ir;
struct out;

/* target: the target the IR was lowered for, or NULL. */
void	ir_dump(const struct ir *, const char *target, struct out *);

#endif
