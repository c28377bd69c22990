/*
 * pol.c - Aerleon's .pol grammar, read by recursive descent.
 *
 * Aerleon parses .pol files with PLY after a textual pass that replaces
 * each "#include 'FILE.inc'" line by the file; neither keeps columns, and
 * an error in an include is reported against the combined text.  This
 * reader includes at the lexer instead, a stack of sources, so that every
 * word keeps the FILE:LINE:COL it was written at, in whichever file:
 *
 *	file   := { 'header' '{' { kv } '}' { 'term' WORD '{' { kv } '}' } }
 *	kv     := KEYWORD ':' ':' { value }
 *	value  := WORD | "STRING" | one of ( ) [ ] ,
 *
 * A keyword's values run up to the next WORD followed by ':' or to the
 * closing brace.  "#" starts a comment; strings may span lines and hold
 * \" (Aerleon's verbatim:: needs it).  The first syntax error ends the
 * read: what follows a broken brace would only produce noise.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "import/aerleon.h"
#include "policy/yaml.h"
#include "util/atomic_write.h"
#include "util/suggest.h"

struct src {
	const char	*path;
	const char	*text;
	size_t		 len, pos;
	int		 line, col;
	bool		 bol;		/* only blanks so far on the line */
	int		 depth;		/* includes around it */
	struct src	*up;
};

enum tk { TK_EOF, TK_WORD, TK_STR, TK_LBRACE, TK_RBRACE, TK_COLON,
	TK_PUNCT, TK_BAD };

struct tok {
	enum tk		 k;
	const char	*s;
	struct loc	 loc;
};

struct rd {
	struct arena	*a;
	const char	*top;		/* the policy, for include paths */
	struct src	*src;
	struct tok	 ahead[2];
	int		 nahead;
};

/* Read a file of the policy into arena memory; NULL after diag_error(). */
static struct src *
src_open(struct rd *r, const char *path, const struct loc *from)
{
	struct src *s;
	size_t len;
	long bad;
	const char *why = NULL;
	char *text = read_file(path, AER_MAX_FILE, &len, &why);

	if (text == NULL) {
		diag_error(from, "%s: %s", path, errno == EFBIG ?
		    "larger than the 16 MiB limit" : why != NULL ? why :
		    strerror(errno));
		return NULL;
	}
	s = arena_alloc(r->a, sizeof(*s));
	s->path = arena_strdup(r->a, path);
	s->text = arena_strndup(r->a, text, len);
	s->len = len;
	s->line = s->col = 1;
	s->bol = true;
	free(text);
	diag_source(s->path, s->text, s->len);
	bad = memchr(s->text, '\0', len) != NULL ? (long)((const char *)
	    memchr(s->text, '\0', len) - s->text) :
	    yaml_utf8_invalid((const unsigned char *)s->text, len);
	if (bad >= 0) {
		struct loc l = { s->path, 1, 1 };
		long i;

		for (i = 0; i < bad; i++, l.col++)
			if (s->text[i] == '\n')
				l.line++, l.col = 0;
		diag_error(&l, "%s", s->text[bad] == '\0' ? "a NUL byte" :
		    "invalid UTF-8");
		return NULL;
	}
	return s;
}

static struct loc
here(const struct src *s)
{
	struct loc l = { s->path, s->line, s->col };

	return l;
}

/* The end of the file, as the end of its last line (an editor shows no
 * line after a final newline). */
static struct loc
at_end(const struct src *s)
{
	struct loc l = here(s);
	size_t end = s->len, start;

	if (end == 0 || s->text[end - 1] != '\n' || l.line == 1)
		return l;
	for (start = end - 1; start > 0 && s->text[start - 1] != '\n'; start--)
		;
	l.line--;
	l.col = (int)(end - start);
	return l;
}

static void
advance(struct src *s)
{
	if (s->text[s->pos] == '\n') {
		s->line++;
		s->col = 1;
		s->bol = true;
	} else {
		s->col++;
		if (s->text[s->pos] != ' ' && s->text[s->pos] != '\t' &&
		    s->text[s->pos] != '\r')
			s->bol = false;
	}
	s->pos++;
}

static bool
word_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

static bool
word_char(int c)
{
	return word_start(c) || c == '-' || c == '+' || c == '.' ||
	    c == '@' || c == '/';
}

/*
 * "#include 'FILE.inc'" as the first word of a line: Aerleon's include.
 * 1 when it was one (and the included file is now read), 0 when the line
 * is a comment, -1 on error.
 */
static int
include(struct rd *r)
{
	struct src *s = r->src, *in;
	struct loc at = here(s), nameloc;
	const char *p = s->text + s->pos + 8, *end, *path;
	char *name;
	size_t n;

	if (strncmp(s->text + s->pos, "#include", 8) != 0 ||
	    (*p != ' ' && *p != '\t'))
		return 0;
	while (*p == ' ' || *p == '\t')
		p++;
	for (end = p; *end != '\0' && *end != '\n' && *end != ' ' &&
	    *end != '\t' && *end != '\r'; end++)
		;
	if (end == p)
		return 0;
	nameloc = at;
	nameloc.col += (int)(p - (s->text + s->pos));
	while (s->pos < s->len && s->text[s->pos] != '\n')
		advance(s);
	/* Aerleon strips any quotes around the name. */
	while (p < end && (*p == '\'' || *p == '"'))
		p++;
	while (end > p && (end[-1] == '\'' || end[-1] == '"'))
		end--;
	name = arena_strndup(r->a, p, (size_t)(end - p));
	n = strlen(name);
	if (n < 4 || strcmp(name + n - 4, ".inc") != 0) {
		diag_error(&nameloc, "include '%s': Aerleon includes end in "
		    ".inc", name);
		return -1;
	}
	if (s->depth >= AER_MAX_INCLUDE) {
		diag_error(&nameloc, "include '%s': includes nest more than "
		    "%d deep", name, AER_MAX_INCLUDE);
		return -1;
	}
	if ((path = aer_include_path(r->a, r->top, name)) == NULL) {
		diag_error(&nameloc, "include '%s': no such file beside the "
		    "policy or in its parent directory", name);
		return -1;
	}
	if ((in = src_open(r, path, &nameloc)) == NULL)
		return -1;
	in->depth = s->depth + 1;
	in->up = s;
	r->src = in;
	return 1;
}

/* A "string": its text without the quotes, \" as a quote. */
static int
string(struct rd *r, struct tok *t)
{
	struct src *s = r->src;
	struct out o;

	out_init(&o);
	advance(s);
	while (s->pos < s->len && s->text[s->pos] != '"') {
		if (s->text[s->pos] == '\\' && s->pos + 1 < s->len &&
		    s->text[s->pos + 1] == '"')
			advance(s);
		out_putc(&o, s->text[s->pos]);
		advance(s);
	}
	if (s->pos == s->len) {
		diag_error(&t->loc, "a string that is never closed");
		out_free(&o);
		return -1;
	}
	advance(s);
	t->k = TK_STR;
	t->s = arena_strdup(r->a, out_str(&o));
	out_free(&o);
	return 0;
}

static void
lex(struct rd *r, struct tok *t)
{
	struct src *s;
	size_t start;
	int c, rc;

	for (;;) {
		s = r->src;
		if (s->pos >= s->len) {
			if (s->up == NULL) {
				t->k = TK_EOF;
				t->loc = at_end(s);
				return;
			}
			r->src = s->up;
			continue;
		}
		c = (unsigned char)s->text[s->pos];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			advance(s);
			continue;
		}
		t->loc = here(s);
		if (c == '#') {
			if (s->bol && (rc = include(r)) != 0) {
				if (rc < 0) {
					t->k = TK_BAD;
					return;
				}
				continue;
			}
			while (s->pos < s->len && s->text[s->pos] != '\n')
				advance(s);
			continue;
		}
		break;
	}
	if (c == '"') {
		if (string(r, t) < 0)
			t->k = TK_BAD;
		return;
	}
	if (word_start(c)) {
		start = s->pos;
		while (s->pos < s->len &&
		    word_char((unsigned char)s->text[s->pos]))
			advance(s);
		t->k = TK_WORD;
		t->s = arena_strndup(r->a, s->text + start, s->pos - start);
		return;
	}
	t->s = arena_strndup(r->a, s->text + s->pos, 1);
	advance(s);
	switch (c) {
	case '{': t->k = TK_LBRACE; return;
	case '}': t->k = TK_RBRACE; return;
	case ':': t->k = TK_COLON; return;
	case '(': case ')': case '[': case ']': case ',': case '-': case '/':
		t->k = TK_PUNCT;
		return;
	}
	if (c < 0x20 || c == 0x7f)
		diag_error(&t->loc, "unexpected control character 0x%02x", c);
	else
		diag_error(&t->loc, "unexpected character '%c'", c);
	t->k = TK_BAD;
}

/* The token k ahead (0: the next one), read when needed. */
static struct tok *
peek(struct rd *r, int k)
{
	while (r->nahead <= k)
		lex(r, &r->ahead[r->nahead++]);
	return &r->ahead[k];
}

static struct tok
next(struct rd *r)
{
	struct tok t = *peek(r, 0);

	r->ahead[0] = r->ahead[1];
	r->nahead--;
	return t;
}

static const char *
tk_name(const struct tok *t)
{
	switch (t->k) {
	case TK_EOF: return "the end of the file";
	case TK_STR: return "a string";
	case TK_LBRACE: return "'{'";
	case TK_RBRACE: return "'}'";
	case TK_COLON: return "':'";
	default: return t->s != NULL ? t->s : "?";
	}
}

/* "expected WANT, found ..." at t, unless the lexer already said why. */
static int
found(const struct tok *t, const char *want)
{
	if (t->k == TK_WORD || t->k == TK_PUNCT)
		diag_error(&t->loc, "expected %s, found '%s'", want, t->s);
	else if (t->k != TK_BAD)
		diag_error(&t->loc, "expected %s, found %s", want, tk_name(t));
	return -1;
}

static int
expect(struct rd *r, enum tk k, const char *want)
{
	struct tok t = next(r);

	return t.k == k ? 0 : found(&t, want);
}

/* KEYWORD ':' ':' { value }, the keyword already read. */
static int
keyword(struct rd *r, struct aer_block *b, const struct tok *kw,
    const char *const *keys, const char *what)
{
	const char *const *k;
	const char *near;
	struct aer_kv *kv;
	struct tok *t;

	for (k = keys; *k != NULL && strcmp(*k, kw->s) != 0; k++)
		;
	if (*k == NULL) {
		near = suggest(kw->s, keys);
		if (near != NULL)
			diag_error(&kw->loc, "unknown %s keyword '%s'; did "
			    "you mean '%s'?", what, kw->s, near);
		else
			diag_error(&kw->loc, "unknown %s keyword '%s'", what,
			    kw->s);
		return -1;
	}
	if (peek(r, 0)->k != TK_COLON || peek(r, 1)->k != TK_COLON) {
		t = peek(r, 0);
		if (t->k == TK_BAD || (t->k == TK_COLON &&
		    peek(r, 1)->k == TK_BAD))
			return -1;
		diag_error(&t->loc, "expected '::' after '%s'", kw->s);
		return -1;
	}
	next(r);
	next(r);
	kv = aer_block_kv(r->a, b, kw->s, &kw->loc);
	for (;;) {
		t = peek(r, 0);
		if (t->k == TK_RBRACE || t->k == TK_EOF)
			return 0;
		if (t->k == TK_BAD)
			return -1;
		if (t->k == TK_WORD && peek(r, 1)->k == TK_COLON)
			return 0;
		if (t->k == TK_LBRACE || t->k == TK_COLON) {
			diag_error(&t->loc, "unexpected %s in the values of "
			    "'%s'", tk_name(t), kw->s);
			return -1;
		}
		aer_kv_word(r->a, kv, t->s, &t->loc, t->k == TK_STR);
		next(r);
	}
}

/* '{' { kv } '}' of a header or term (b->loc: where it opened). */
static int
body(struct rd *r, struct aer_block *b, const char *const *keys,
    const char *what)
{
	struct tok t;

	if (expect(r, TK_LBRACE, "'{'") < 0)
		return -1;
	for (;;) {
		t = next(r);
		if (t.k == TK_RBRACE)
			return 0;
		if (t.k == TK_EOF) {
			struct diag *d = diag_new(DIAG_ERROR, &t.loc,
			    "the file ends inside a %s", what);

			diag_also(d, &b->loc, "the %s opens here", what);
			diag_emit(d);
			return -1;
		}
		if (t.k != TK_WORD)
			return found(&t, arena_printf(r->a, "a %s keyword or "
			    "'}'", what));
		if (keyword(r, b, &t, keys, what) < 0)
			return -1;
	}
}

static int
parse(struct rd *r, struct aer_file *f)
{
	struct aer_filter *cur = NULL;
	struct aer_block *b;
	struct tok t, name;

	for (;;) {
		t = next(r);
		if (t.k == TK_EOF)
			break;
		if (t.k == TK_WORD && strcmp(t.s, "header") == 0) {
			cur = aer_file_filter(r->a, f);
			cur->hdr.loc = t.loc;
			if (body(r, &cur->hdr, aer_header_keys, "header") < 0)
				return -1;
			continue;
		}
		if (t.k != TK_WORD || strcmp(t.s, "term") != 0)
			return found(&t, "'header' or 'term'");
		if (cur == NULL) {
			diag_error(&t.loc, "a term before any header: every "
			    "filter starts with header { target:: ... }");
			return -1;
		}
		name = next(r);
		if (name.k != TK_WORD)
			return found(&name, "the term's name");
		b = aer_filter_term(r->a, cur);
		b->name = name.s;
		b->loc = t.loc;
		if (body(r, b, aer_term_keys, "term") < 0)
			return -1;
	}
	if (f->n == 0) {
		diag_error(&t.loc, "no header { target:: ... } in the policy");
		return -1;
	}
	return 0;
}

int
aer_read_pol(struct arena *a, const char *path, struct aer_file *f)
{
	struct rd r;

	memset(&r, 0, sizeof(r));
	memset(f, 0, sizeof(*f));
	r.a = a;
	r.top = path;
	f->path = path;
	if ((r.src = src_open(&r, path, NULL)) == NULL)
		return -1;
	return parse(&r, f);
}
