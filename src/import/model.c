/*
 * model.c - what both Aerleon readers build (see aerleon.h): the keywords
 * Aerleon knows, the blocks and values in arena memory, and where Aerleon
 * finds an include.  Keeping one list of keywords for .pol and YAML means
 * the two formats cannot come to disagree about what a term may say.
 */
#include <string.h>
#include <unistd.h>

#include "import/aerleon.h"

/* Aerleon 1.17's header keywords (policy.py's grammar). */
const char *const aer_header_keys[] = {
	"target", "comment", "apply-groups", "apply-groups-except", NULL
};

/* Aerleon 1.17's term keywords. */
const char *const aer_term_keys[] = {
	"action", "address", "address-exclude", "comment", "counter",
	"destination-address", "destination-exclude",
	"destination-interface", "destination-port", "destination-prefix",
	"destination-prefix-except", "destination-tag", "destination-zone",
	"dscp-except", "dscp-match", "dscp-set", "encapsulate", "ether-type",
	"expiration", "filter-term", "flexible-match-range",
	"forwarding-class", "forwarding-class-except", "fragment-offset",
	"hop-limit", "icmp-code", "icmp-type", "log-limit", "log_name",
	"logging", "loss-priority", "next-ip", "option", "owner",
	"packet-length", "pan-application", "platform", "platform-exclude",
	"policer", "port", "port-mirror", "precedence", "priority",
	"protocol", "protocol-except", "qos", "restrict-address-family",
	"routing-instance", "source-address", "source-exclude",
	"source-interface", "source-port", "source-prefix",
	"source-prefix-except", "source-tag", "source-zone",
	"target-resources", "target-service-accounts", "timeout",
	"traffic-class-count", "traffic-type", "ttl", "verbatim", "vpn",
	NULL
};

struct aer_kv *
aer_block_kv(struct arena *a, struct aer_block *b, const char *key,
    const struct loc *loc)
{
	struct aer_kv *kv;

	ARENA_PUSH(a, b->kv, b->n, b->cap);
	kv = &b->kv[b->n - 1];
	memset(kv, 0, sizeof(*kv));
	kv->key = key;
	kv->loc = *loc;
	return kv;
}

void
aer_kv_word(struct arena *a, struct aer_kv *kv, const char *s,
    const struct loc *loc, bool quoted)
{
	ARENA_PUSH(a, kv->v, kv->n, kv->cap);
	kv->v[kv->n - 1].s = s;
	kv->v[kv->n - 1].loc = *loc;
	kv->v[kv->n - 1].quoted = quoted;
}

struct aer_filter *
aer_file_filter(struct arena *a, struct aer_file *f)
{
	ARENA_PUSH(a, f->f, f->n, f->cap);
	memset(&f->f[f->n - 1], 0, sizeof(f->f[0]));
	return &f->f[f->n - 1];
}

struct aer_block *
aer_filter_term(struct arena *a, struct aer_filter *f)
{
	ARENA_PUSH(a, f->terms, f->n, f->cap);
	memset(&f->terms[f->n - 1], 0, sizeof(f->terms[0]));
	return &f->terms[f->n - 1];
}

void
aer_strs_add(struct arena *a, struct aer_strs *s, const char *v)
{
	ARENA_PUSH(a, s->v, s->n, s->cap);
	s->v[s->n - 1] = v;
}

/* The directory part of path ("." for none), in arena a. */
static char *
dir_of(struct arena *a, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return arena_strdup(a, ".");
	if (slash == path)
		return arena_strdup(a, "/");
	return arena_strndup(a, path, (size_t)(slash - path));
}

/* The parent of a directory, written as briefly as it can be. */
static char *
parent_of(struct arena *a, const char *dir)
{
	const char *last = strrchr(dir, '/');

	last = last != NULL ? last + 1 : dir;
	if (strcmp(last, ".") == 0 && last == dir)
		return arena_strdup(a, "..");
	if (strcmp(last, ".") == 0 || strcmp(last, "..") == 0)
		return arena_printf(a, "%s/..", dir);
	return dir_of(a, dir);
}

const char *
aer_include_path(struct arena *a, const char *top, const char *name)
{
	char *dir = dir_of(a, top);
	const char *p;

	if (name[0] == '/')
		return access(name, F_OK) == 0 ? name : NULL;
	p = arena_printf(a, "%s/%s", dir, name);
	if (access(p, F_OK) == 0)
		return p;
	p = arena_printf(a, "%s/%s", parent_of(a, dir), name);
	if (access(p, F_OK) == 0)
		return p;
	return NULL;
}
