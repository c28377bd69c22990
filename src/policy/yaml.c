/*
 * yaml.c - libyaml events to a located node tree (see yaml.h).
 *
 * Aliases are not copied: an alias node is the anchored node itself, shared.
 * What an alias would cost if expanded is still counted (each node's size is
 * its subtree's expanded size), so a "billion laughs" document is refused
 * before anything walks it; and every node, an alias for its expanded
 * size, is spent from the compilation's budget (util/budget.h), which
 * counts across every file a policy reads.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "policy/yaml.h"
#include "util/atomic_write.h"
#include "util/budget.h"
#include "util/cpus.h"
#include "util/strset.h"

_Static_assert(sizeof(struct ynode) <= 48 || sizeof(void *) > 8,
    "a node stays small: every scalar of a policy is one");

/* A mapping's keys are hashed once it has this many: below it a scan is
 * cheaper than a table, and most mappings are small. */
#define YAML_HASH_KEYS	16

struct anchor {
	const char	*name;
	struct ynode	*node;
	size_t		 size;
};

struct frame {
	struct ynode	*node;
	struct ynode	*key;		/* Y_MAP: pending key, or NULL */
	size_t		 size;		/* expanded size so far */
	struct strset	 keys;		/* Y_MAP: its scalar keys, when big */
};

struct parser {
	struct arena	*a;		/* the tree */
	struct arena	*s;		/* its strings */
	const char	*file;
	struct anchor	*anchors;
	size_t		 nanchors, capanchors;
	struct frame	 stack[YAML_MAX_DEPTH + 1];
	int		 depth;
	struct ynode	*root;
	size_t		 rootsize;
	int		 failed;
	int		 line0;		/* lines of the file before the text */
	int		 depth0;	/* levels open around the text */
	bool		 count;		/* count spent, not the budget */
	unsigned long long spent;
};

static struct loc
mark_loc(const struct parser *p, yaml_mark_t m)
{
	struct loc l = { p->file, p->line0 + (int)m.line + 1,
	    (int)m.column + 1 };

	return l;
}

/* The budget spent for n nodes at m; a piece (split_parse) counts them,
 * to spend them at once when the pieces are joined. */
static int
spend(struct parser *p, yaml_mark_t m, size_t n)
{
	struct loc l;

	if (p->count) {
		p->spent += n;
		return 0;
	}
	l = mark_loc(p, m);
	return budget_spend(&l, n);
}

static size_t
sat_add(size_t a, size_t b)
{
	return a + b < a ? (size_t)-1 : a + b;
}

static int
dup_key(const struct ynode *first, const struct ynode *key)
{
	struct diag *d = diag_new(DIAG_ERROR, &key->loc, "duplicate key '%s'",
	    key->str);

	diag_also(d, &first->loc, "first given here");
	diag_emit(d);
	return -1;
}

/* Is key new in the mapping f is building?  A scan while the mapping is
 * small, then a hash of its keys: 50,000 keys must not cost 10^9 compares. */
static int
check_dup(struct parser *p, struct frame *f, const struct ynode *key)
{
	const struct ynode *map = f->node;
	size_t i, at;

	if (key->kind != Y_SCALAR)
		return 0;
	if (map->n < YAML_HASH_KEYS) {
		for (i = 0; i < map->n; i++) {
			const struct ynode *k = map->pairs[i].key;

			if (k->kind == Y_SCALAR && strcmp(k->str, key->str) == 0)
				return dup_key(k, key);
		}
		return 0;
	}
	if (f->keys.n == 0)
		for (i = 0; i < map->n; i++)
			if (map->pairs[i].key->kind == Y_SCALAR)
				strset_put(p->a, &f->keys,
				    map->pairs[i].key->str, i, NULL);
	if (!strset_put(p->a, &f->keys, key->str, map->n, &at))
		return dup_key(map->pairs[at].key, key);
	return 0;
}

/* Attach a finished node (of expanded size sz) to the open container. */
static int
attach(struct parser *p, struct ynode *n, size_t sz)
{
	struct frame *f;

	if (p->depth == 0) {
		p->root = n;
		p->rootsize = sz;
		return 0;
	}
	f = &p->stack[p->depth - 1];
	f->size = sat_add(f->size, sz);
	if (f->size > YAML_MAX_NODES) {
		diag_error(&n->loc, "document too large: more than %u nodes "
		    "once aliases are expanded", YAML_MAX_NODES);
		return -1;
	}
	if (f->node->kind == Y_SEQ) {
		ARENA_PUSH(p->a, f->node->items, f->node->n, f->node->cap);
		f->node->items[f->node->n - 1] = n;
	} else if (f->key == NULL) {
		if (n->kind != Y_SCALAR) {
			diag_error(&n->loc, "a mapping key must be a scalar");
			return -1;
		}
		f->key = n;
	} else {
		if (check_dup(p, f, f->key) < 0)
			return -1;
		ARENA_PUSH(p->a, f->node->pairs, f->node->n, f->node->cap);
		f->node->pairs[f->node->n - 1].key = f->key;
		f->node->pairs[f->node->n - 1].val = n;
		f->key = NULL;
	}
	return 0;
}

static void
add_anchor(struct parser *p, const yaml_char_t *name, struct ynode *n,
    size_t sz)
{
	ARENA_PUSH(p->a, p->anchors, p->nanchors, p->capanchors);
	p->anchors[p->nanchors - 1].name = arena_strdup(p->a,
	    (const char *)name);
	p->anchors[p->nanchors - 1].node = n;
	p->anchors[p->nanchors - 1].size = sz;
}

static struct ynode *
new_node(struct parser *p, enum ykind k, yaml_mark_t m)
{
	struct ynode *n = arena_alloc(p->a, sizeof(*n));

	n->kind = k;
	n->loc = mark_loc(p, m);
	return n;
}

static int
open_node(struct parser *p, enum ykind k, yaml_mark_t m)
{
	struct ynode *n;

	if (p->depth0 + p->depth >= YAML_MAX_DEPTH) {
		struct loc l = mark_loc(p, m);

		diag_error(&l, "nesting deeper than %d levels", YAML_MAX_DEPTH);
		return -1;
	}
	n = new_node(p, k, m);
	p->stack[p->depth].node = n;
	p->stack[p->depth].key = NULL;
	p->stack[p->depth].size = 1;
	memset(&p->stack[p->depth].keys, 0, sizeof(p->stack[p->depth].keys));
	p->depth++;
	return 0;
}

static int
on_event(struct parser *p, yaml_event_t *ev, int *docs)
{
	struct ynode *n;
	struct frame f;
	const yaml_char_t *anchor = NULL;
	size_t i;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (spend(p, ev->start_mark, 1) < 0)
			return -1;
		break;
	default:
		break;
	}
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++*docs > 1) {
			struct loc l = mark_loc(p, ev->start_mark);

			diag_error(&l, "more than one YAML document");
			return -1;
		}
		return 0;
	case YAML_SCALAR_EVENT:
		n = new_node(p, Y_SCALAR, ev->start_mark);
		n->str = arena_strndup(p->s, (const char *)ev->data.scalar.value,
		    ev->data.scalar.length);
		if (strlen(n->str) != ev->data.scalar.length) {
			diag_error(&n->loc, "NUL character in a string");
			return -1;
		}
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (ev->data.scalar.anchor != NULL)
			add_anchor(p, ev->data.scalar.anchor, n, 1);
		return attach(p, n, 1);
	case YAML_SEQUENCE_START_EVENT:
		return open_node(p, Y_SEQ, ev->start_mark);
	case YAML_MAPPING_START_EVENT:
		return open_node(p, Y_MAP, ev->start_mark);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		f = p->stack[--p->depth];
		return attach(p, f.node, f.size);
	case YAML_ALIAS_EVENT:
		anchor = ev->data.alias.anchor;
		for (i = p->nanchors; i-- > 0;)
			if (strcmp(p->anchors[i].name, (const char *)anchor) ==
			    0) {
				if (spend(p, ev->start_mark,
				    p->anchors[i].size) < 0)
					return -1;
				return attach(p, p->anchors[i].node,
				    p->anchors[i].size);
			}
		{
			struct loc l = mark_loc(p, ev->start_mark);

			diag_error(&l, "unknown alias '*%s'", anchor);
		}
		return -1;
	default:
		return 0;
	}
}

/*
 * libyaml reports anchors at the start event; the node is only complete at
 * the end event.  Record pending anchors on the frame and register them
 * when the container closes.
 */
struct pending {
	const char	*name;
	int		 depth;
};

struct ynode *
yaml_parse(struct arena *a, const char *name, const char *text, size_t len)
{
	return yaml_parse_split(a, a, name, text, len);
}

/* Parse text (len bytes) into p's tree: 0, or -1 after diag_error(). */
static int
parse_text(struct parser *p, const char *text, size_t len)
{
	yaml_parser_t yp;
	yaml_event_t ev;
	struct pending pend[YAML_MAX_DEPTH + 1];
	int npend = 0, docs = 0, done = 0, rc = 0;

	if (!yaml_parser_initialize(&yp)) {
		diag_error(NULL, "cannot initialise the YAML parser");
		return -1;
	}
	yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
	yaml_parser_set_encoding(&yp, YAML_UTF8_ENCODING);
	while (!done) {
		if (!yaml_parser_parse(&yp, &ev)) {
			struct loc l = mark_loc(p, yp.problem_mark);

			diag_error(&l, "%s%s%s", yp.problem ? yp.problem :
			    "malformed YAML", yp.context ? " " : "",
			    yp.context ? yp.context : "");
			rc = -1;
			break;
		}
		if ((ev.type == YAML_SEQUENCE_START_EVENT &&
		    ev.data.sequence_start.anchor != NULL) ||
		    (ev.type == YAML_MAPPING_START_EVENT &&
		    ev.data.mapping_start.anchor != NULL)) {
			const yaml_char_t *an = ev.type ==
			    YAML_SEQUENCE_START_EVENT ?
			    ev.data.sequence_start.anchor :
			    ev.data.mapping_start.anchor;

			pend[npend].name = arena_strdup(p->a, (const char *)an);
			pend[npend].depth = p->depth + 1;
			npend++;
		}
		if ((ev.type == YAML_SEQUENCE_END_EVENT ||
		    ev.type == YAML_MAPPING_END_EVENT) && npend > 0 &&
		    pend[npend - 1].depth == p->depth) {
			struct frame *f = &p->stack[p->depth - 1];

			npend--;
			rc = on_event(p, &ev, &docs);
			/* The node just closed is the last attached one. */
			if (rc == 0) {
				struct ynode *closed = f->node;

				add_anchor(p, (const yaml_char_t *)
				    pend[npend].name, closed, f->size);
			}
		} else
			rc = on_event(p, &ev, &docs);
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
		if (rc < 0)
			break;
	}
	yaml_parser_delete(&yp);
	return rc;
}

/*
 * A large file is parsed in two pieces at once, when there are two CPUs
 * (util/cpus.h): libyaml's scanner is most of what reading a policy
 * costs, and nothing else runs until it is done.  The piece to give the
 * other thread is the second half of the longest top-level block
 * sequence (a policy's rules), cut at the start of one of its items:
 *
 *	head	the file up to the cut: the sequence's first items
 *	mid	the items from the cut to the next top-level key
 *	tail	the rest, top-level keys after the sequence
 *
 * Each is a whole YAML document of its own, parsed into a tree with its
 * line numbers counted from where it starts in the file; joined, mid's
 * items follow head's in the sequence and tail's keys follow head's in
 * the root.  At such a cut a parse of the whole file is between two
 * items of that sequence, with nothing open: a quoted scalar or a flow
 * collection that ran across it would leave head unfinished, an error
 * there; a plain or block scalar cannot go on at a line indented no more
 * than the sequence's items.  So whenever all three parse without error
 * and have the shape the cut expects, the joined tree is the tree of the
 * whole file, node for node and location for location.  Anything else (an
 * error, an alias to an anchor in another piece, a duplicate top-level
 * key, a file past the node limit or the budget, directives, document
 * markers, tabs) and the file is parsed again, whole, on this thread,
 * which says the errors as it always did.  The nodes each piece spent are
 * counted and spent from the budget at once when they join.
 */
#define SPLIT_MIN	(128u * 1024)	/* bytes: smaller files, one piece */

struct cut {
	size_t	 key;			/* the sequence's key line */
	size_t	 mid, tail;		/* mid is text[mid, tail) */
	int	 keyline, midline, tailline;	/* lines before each */
	int	 indent;		/* of the sequence's items */
};

struct piece {
	struct parser	 p;
	const char	*text;
	size_t		 len;
	int		 rc;
};

/* Does the line at s (len bytes left) start "-" then a space or its
 * end? */
static bool
dash_at(const char *s, size_t len)
{
	return len >= 1 && s[0] == '-' && (len == 1 || s[1] == ' ' ||
	    s[1] == '\n' || s[1] == '\r');
}

/* The offset of the line after the one at i. */
static size_t
next_line(const char *text, size_t len, size_t i)
{
	const char *nl = memchr(text + i, '\n', len - i);

	return nl != NULL ? (size_t)(nl - text) + 1 : len;
}

/* Line breaks libyaml counts that a count of newlines would not: a
 * lone CR, NEL, LS, PS (the pieces' line numbers are counted in '\n'). */
static bool
odd_breaks(const char *text, size_t len)
{
	const char *s, *end = text + len;

	for (s = text; (s = memchr(s, '\r', (size_t)(end - s))) != NULL; s++)
		if (s + 1 == end || s[1] != '\n')
			return true;
	for (s = text; (s = memchr(s, '\xc2', (size_t)(end - s))) != NULL;
	    s++)
		if (s + 1 < end && (unsigned char)s[1] == 0x85)
			return true;
	for (s = text; (s = memchr(s, '\xe2', (size_t)(end - s))) != NULL;
	    s++)
		if (s + 2 < end && (unsigned char)s[1] == 0x80 &&
		    ((unsigned char)s[2] == 0xa8 || (unsigned char)s[2] == 0xa9))
			return true;
	return false;
}

/* A key alone on its line: "name:", spaces, a comment. */
static bool
key_line(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (s[i] == '_' || s[i] == '-' || s[i] == '.' ||
	    (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
	    (s[i] >= '0' && s[i] <= '9')))
		i++;
	if (i == 0 || i >= n || s[i++] != ':')
		return false;
	if (i < n && s[i] != ' ' && s[i] != '\n' && s[i] != '\r')
		return false;
	while (i < n && s[i] == ' ')
		i++;
	return i == n || s[i] == '\n' || s[i] == '\r' || s[i] == '#';
}

/* Where to cut text, or false to parse it whole. */
static bool
find_cut(const char *text, size_t len, struct cut *c)
{
	size_t i, j, end, best = 0, at = 0, key = 0, start = 0;
	int line = 0, keyline = 0;
	bool open = false, dash0 = false, bestdash = false;

	memset(c, 0, sizeof(*c));
	if (odd_breaks(text, len))
		return false;
	for (i = 0; i <= len; i = end, line++) {
		bool top = false;

		end = i < len ? next_line(text, len, i) : len + 1;
		if (i < len && (text[i] == '\t' || text[i] == '%'))
			return false;
		if (i + 3 <= len && (memcmp(text + i, "---", 3) == 0 ||
		    memcmp(text + i, "...", 3) == 0) &&
		    (i + 3 == len || text[i + 3] == ' ' ||
		    text[i + 3] == '\n' || text[i + 3] == '\r')) {
			if (line > 0 || text[i] == '.' || end - i > 5 ||
			    (end - i == 5 && text[i + 3] != '\r'))
				return false;
			continue;	/* "---" alone on the first line */
		}
		if (i == len)
			top = true;	/* the end closes the last key */
		else if (dash_at(text + i, len - i))
			dash0 = true;
		else
			top = text[i] != ' ' && text[i] != '#' &&
			    text[i] != '\n' && text[i] != '\r';
		if (!top)
			continue;
		if (open && i - at > best) {
			best = i - at;
			c->key = key;
			c->keyline = keyline;
			start = at;
			c->tail = i;
			c->tailline = line;
			bestdash = dash0;
		}
		open = i < len;
		at = end < len ? end : len;
		key = i;
		keyline = line;
		dash0 = false;
	}
	if (best < len / 4 || best < SPLIT_MIN / 2 ||
	    !key_line(text + c->key, start - c->key))
		return false;
	/* The items' indentation: the region's first line of content. */
	for (i = start; i < c->tail; i = next_line(text, len, i)) {
		for (j = i; j < c->tail && text[j] == ' '; j++)
			;
		if (j < c->tail && text[j] != '#' && text[j] != '\n' &&
		    text[j] != '\r')
			break;
	}
	if (i >= c->tail || !dash_at(text + j, len - j) ||
	    (j > i && bestdash))
		return false;
	c->indent = (int)(j - i);
	/* The cut: the first item that starts in the region's second half. */
	for (i = next_line(text, len, start + best / 2); i < c->tail;
	    i = next_line(text, len, i)) {
		for (j = i; j < i + (size_t)c->indent && j < len &&
		    text[j] == ' '; j++)
			;
		if (j == i + (size_t)c->indent && dash_at(text + j, len - j))
			break;
	}
	if (i >= c->tail)
		return false;
	c->mid = i;
	c->midline = c->keyline;
	for (j = c->key; j < c->mid; j = next_line(text, len, j))
		c->midline++;
	return true;
}

/* depth0: the levels the piece is inside in the whole file (mid: the
 * root mapping), which count towards YAML_MAX_DEPTH as they would. */
static void
piece_init(struct piece *pc, const struct parser *p, struct arena *a,
    struct arena *strs, const char *text, size_t len, int line0,
    int depth0)
{
	memset(pc, 0, sizeof(*pc));
	pc->p.a = a;
	pc->p.s = strs;
	pc->p.file = p->file;
	pc->p.line0 = line0;
	pc->p.depth0 = depth0;
	pc->p.count = true;
	pc->text = text;
	pc->len = len;
}

/* Parse one piece, its messages (errors only) kept and dropped: a piece
 * that fails is parsed again, whole, and says them then. */
static void *
piece_parse(void *arg)
{
	struct piece *pc = arg;
	struct diag_log *was, *log = diag_keep(&was);

	pc->rc = parse_text(&pc->p, pc->text, pc->len);
	diag_kept(was);
	diag_log_free(log);
	return NULL;
}

/* Do the pieces have the shapes the cut expects? */
static bool
pieces_fit(const struct cut *c, const struct piece *h,
    const struct piece *m, const struct piece *t)
{
	const struct ynode *root = h->p.root, *seq, *k;
	size_t i, j;

	if (h->rc < 0 || m->rc < 0 || t->rc < 0 || root == NULL ||
	    root->kind != Y_MAP || root->n == 0)
		return false;
	k = root->pairs[root->n - 1].key;
	seq = root->pairs[root->n - 1].val;
	if (k->kind != Y_SCALAR || k->loc.line != c->keyline + 1 ||
	    k->loc.col != 1 || seq->kind != Y_SEQ ||
	    seq->loc.col != c->indent + 1 || seq->loc.line > c->midline)
		return false;
	if (m->p.root == NULL || m->p.root->kind != Y_SEQ ||
	    m->p.root->loc.line != c->midline + 1 ||
	    m->p.root->loc.col != c->indent + 1)
		return false;
	if (t->p.root == NULL)
		return true;	/* no tail, or only comments */
	if (t->p.root->kind != Y_MAP || t->p.root->loc.line !=
	    c->tailline + 1 || t->p.root->loc.col != 1 ||
	    (size_t)root->n * t->p.root->n > 4096)
		return false;
	for (i = 0; i < t->p.root->n; i++)
		for (j = 0; j < root->n; j++)
			if (t->p.root->pairs[i].key->kind == Y_SCALAR &&
			    root->pairs[j].key->kind == Y_SCALAR &&
			    strcmp(t->p.root->pairs[i].key->str,
			    root->pairs[j].key->str) == 0)
				return false;
	return true;
}

/* Append m's items to seq, in a's memory. */
static void
join_items(struct arena *a, struct ynode *seq, const struct ynode *m)
{
	struct ynode **v = arena_alloc(a, (seq->n + m->n) * sizeof(*v));

	memcpy(v, seq->items, seq->n * sizeof(*v));
	memcpy(v + seq->n, m->items, m->n * sizeof(*v));
	seq->items = v;
	seq->n = seq->cap = seq->n + m->n;
}

static void
join_pairs(struct arena *a, struct ynode *map, const struct ynode *t)
{
	struct ypair *v = arena_alloc(a, (map->n + t->n) * sizeof(*v));

	memcpy(v, map->pairs, map->n * sizeof(*v));
	memcpy(v + map->n, t->pairs, t->n * sizeof(*v));
	map->pairs = v;
	map->n = map->cap = map->n + t->n;
}

/* The tree of text from pieces parsed at once, or NULL to parse it
 * whole (nothing said, nothing spent). */
static struct ynode *
split_parse(struct parser *p, const char *text, size_t len)
{
	struct piece h, m, t;
	struct cut c;
	pthread_t th;
	struct ynode *root;
	unsigned long long spent;
	size_t size;

	if (len < SPLIT_MIN || cpu_threads() < 2 || !find_cut(text, len, &c))
		return NULL;
	piece_init(&m, p, arena_new(), arena_new(), text + c.mid,
	    c.tail - c.mid, c.midline, 1);
	if (cpu_thread_start(&th, piece_parse, &m, 0) != 0)
		goto whole;
	piece_init(&h, p, p->a, p->s, text, c.mid, 0, 0);
	piece_init(&t, p, p->a, p->s, text + c.tail, len - c.tail,
	    c.tailline, 0);
	piece_parse(&h);
	if (h.rc == 0 && c.tail < len)
		piece_parse(&t);
	pthread_join(th, NULL);
	if (!pieces_fit(&c, &h, &m, &t))
		goto whole;
	/* The joined root's expanded size, as the whole parse counts it:
	 * mid's sequence and tail's mapping are not nodes of their own
	 * there.  It is the largest frame that spans pieces (the sequence
	 * is inside it), and the others were counted by their piece. */
	spent = h.p.spent + m.p.spent - 1 +
	    (t.p.root != NULL ? t.p.spent - 1 : 0);
	size = sat_add(h.p.rootsize, m.p.rootsize - 1);
	if (t.p.root != NULL)
		size = sat_add(size, t.p.rootsize - 1);
	if (size > YAML_MAX_NODES || budget_exhausted() ||
	    spent > budget_max() - budget_used())
		goto whole;
	root = h.p.root;
	join_items(p->a, root->pairs[root->n - 1].val, m.p.root);
	if (t.p.root != NULL)
		join_pairs(p->a, root, t.p.root);
	arena_adopt(p->a, m.p.a);
	arena_adopt(p->s, m.p.s);
	(void)budget_spend(&root->loc, spent);
	return root;
whole:
	arena_free(m.p.a);
	arena_free(m.p.s);
	return NULL;
}

struct ynode *
yaml_parse_split(struct arena *a, struct arena *strs, const char *name,
    const char *text, size_t len)
{
	struct parser p;
	struct ynode *root;

	memset(&p, 0, sizeof(p));
	p.a = a;
	p.s = strs;
	p.file = arena_strdup(strs, name);
	if ((root = split_parse(&p, text, len)) != NULL)
		return root;
	if (parse_text(&p, text, len) < 0)
		return NULL;
	if (p.root == NULL) {		/* empty document */
		struct ynode *n = arena_alloc(a, sizeof(*n));

		n->kind = Y_SCALAR;
		n->str = "";
		n->plain = true;
		n->loc.file = p.file;
		n->loc.line = n->loc.col = 1;
		p.root = n;
	}
	return p.root;
}

long
yaml_utf8_invalid(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i];
		size_t n, k;
		unsigned long cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0)
			n = 1, cp = c & 0x1f;
		else if ((c & 0xf0) == 0xe0)
			n = 2, cp = c & 0x0f;
		else if ((c & 0xf8) == 0xf0)
			n = 3, cp = c & 0x07;
		else
			return (long)i;
		for (k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				return (long)i;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return (long)i;
		i += n + 1;
	}
	return -1;
}

struct ynode *
yaml_load(struct arena *a, const char *path, const struct loc *from)
{
	return yaml_load_split(a, a, path, from);
}

struct ynode *
yaml_load_split(struct arena *a, struct arena *strs, const char *path,
    const struct loc *from)
{
	const char *why;
	char *text;
	size_t len;
	long bad;
	struct ynode *root;

	if (from != NULL && from->file == NULL)
		from = NULL;
	text = read_file(path, YAML_MAX_FILE, &len, &why);
	if (text == NULL) {
		if (errno == EFBIG)
			diag_error(from, "%s: larger than the %u MiB limit",
			    path, YAML_MAX_FILE / (1024 * 1024));
		else
			diag_error(from, "%s: %s", path, why);
		return NULL;
	}
	diag_source_take(path, text, len);	/* diag frees it */
	bad = yaml_utf8_invalid((const unsigned char *)text, len);
	if (bad >= 0) {
		struct loc l = { arena_strdup(strs, path), 1, 1 };
		long i;

		for (i = 0; i < bad; i++) {
			if (text[i] == '\n') {
				l.line++;
				l.col = 1;
			} else if (((unsigned char)text[i] & 0xc0) != 0x80)
				l.col++;
		}
		diag_error(&l, "invalid UTF-8");
		return NULL;
	}
	root = yaml_parse_split(a, strs, path, text, len);
	return root;
}

struct ynode *
ymap_get(const struct ynode *map, const char *key)
{
	size_t i;

	if (map == NULL || map->kind != Y_MAP)
		return NULL;
	/* The first byte first: a rule's ten lookups over its keys were a
	 * string compare each, 200,000 of them for 2,000 rules. */
	for (i = 0; i < map->n; i++)
		if (map->pairs[i].key->str[0] == key[0] &&
		    strcmp(map->pairs[i].key->str, key) == 0)
			return map->pairs[i].val;
	return NULL;
}

bool
y_is_null(const struct ynode *n)
{
	const char *s;

	if (n == NULL)
		return true;
	if (n->kind != Y_SCALAR || !n->plain)
		return false;
	s = n->str;
	return s[0] == '\0' || strcmp(s, "~") == 0 || ((s[0] == 'n' ||
	    s[0] == 'N') && (strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
	    strcmp(s, "NULL") == 0));
}

static const char *
kind_name(const struct ynode *n)
{
	if (y_is_null(n))
		return "nothing";
	switch (n->kind) {
	case Y_SCALAR:
		return "a scalar";
	case Y_SEQ:
		return "a list";
	default:
		return "a mapping";
	}
}

const char *
y_want_str(const struct ynode *n, const char *what)
{
	if (n->kind != Y_SCALAR || y_is_null(n)) {
		diag_error(&n->loc, "%s: expected a string, found %s", what,
		    kind_name(n));
		return NULL;
	}
	return n->str;
}

bool
y_want_map(const struct ynode *n, const char *what)
{
	if (n->kind != Y_MAP) {
		diag_error(&n->loc, "%s: expected a mapping, found %s", what,
		    kind_name(n));
		return false;
	}
	return true;
}

bool
y_want_seq(const struct ynode *n, const char *what)
{
	if (n->kind != Y_SEQ) {
		diag_error(&n->loc, "%s: expected a list, found %s", what,
		    kind_name(n));
		return false;
	}
	return true;
}

bool
y_want_list(const struct ynode *n, const char *what, struct ynode ***items,
    size_t *cnt, struct ynode **one)
{
	*one = NULL;
	if (n->kind == Y_SEQ) {
		*items = n->items;
		*cnt = n->n;
		return true;
	}
	if (n->kind == Y_SCALAR && !y_is_null(n)) {
		*one = (struct ynode *)n;
		*items = one;
		*cnt = 1;
		return true;
	}
	diag_error(&n->loc, "%s: expected a list, found %s", what,
	    kind_name(n));
	return false;
}

int
y_want_bool(const struct ynode *n, const char *what, bool *v)
{
	if (n->kind == Y_SCALAR && n->plain) {
		if (strcmp(n->str, "true") == 0) {
			*v = true;
			return 0;
		}
		if (strcmp(n->str, "false") == 0) {
			*v = false;
			return 0;
		}
	}
	diag_error(&n->loc, "%s: expected true or false", what);
	return -1;
}

int
y_want_uint(const struct ynode *n, const char *what, unsigned long max,
    unsigned long *v)
{
	const char *s = n->str;
	unsigned long x = 0;

	if (n->kind != Y_SCALAR || s == NULL || *s == '\0')
		goto bad;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || x > (max - (unsigned)(*s - '0')) / 10)
			goto bad;
		x = x * 10 + (unsigned)(*s - '0');
	}
	*v = x;
	return 0;
bad:
	diag_error(&n->loc, "%s: expected a whole number from 0 to %lu", what,
	    max);
	return -1;
}

int
ymap_check_keys(const struct ynode *map, const char *const *allowed,
    const char *what)
{
	size_t i;
	const char *const *k;
	int rc = 0;

	for (i = 0; i < map->n; i++) {
		const struct ynode *key = map->pairs[i].key;
		const char *s;

		for (k = allowed; *k != NULL; k++)
			if ((*k)[0] == key->str[0] && strcmp(*k, key->str) == 0)
				break;
		if (*k != NULL)
			continue;
		s = suggest(key->str, allowed);
		if (s != NULL)
			diag_error(&key->loc, "unknown key '%s' in %s; did you "
			    "mean '%s'?", key->str, what, s);
		else
			diag_error(&key->loc, "unknown key '%s' in %s",
			    key->str, what);
		rc = -1;
	}
	return rc;
}
