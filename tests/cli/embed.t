#!/bin/sh
# scripts/embed-templates.sh, which builds the templates into egressc,
# keeps every byte: backslashes, quotes, '??=' (a trigraph to a C89
# compiler), tabs, CR, bytes past ASCII, a missing final newline and an
# empty file all come out of the compiled string as they went in.
. "$(dirname "$0")/../lib/tap.sh"
need cc --version

mkdir "$T/in" "$T/out"
printf 'a\\b\\\\c "q" \\n ??= ??/ ?\n\ttab\r\n\001\177\200\377 caf\303\251\n' \
    >"$T/in/odd.tmpl"
printf 'no final newline @X@' >"$T/in/nonl.tmpl"
: >"$T/in/empty.tmpl"
# An octal escape followed by digits must not take them in.
{ printf '0\n\n\001'; printf '234\n'; } >"$T/in/digits.tmpl"
cat >"$T/dump.c" <<'EOC'
#include <stdio.h>
#include <string.h>

#include "backend/templates.h"

int
main(int argc, char **argv)
{
	const struct be_tmpl *t;
	char path[4096];
	FILE *f;

	for (t = be_templates; t->name != NULL; t++) {
		snprintf(path, sizeof(path), "%s/%s.tmpl", argv[argc - 1],
		    t->name);
		if ((f = fopen(path, "w")) == NULL)
			return 1;
		fwrite(t->text, 1, strlen(t->text), f);
		fclose(f);
	}
	return 0;
}
EOC
sh scripts/embed-templates.sh "$T"/in/*.tmpl >"$T/gen.c" 2>"$T/e"
ok $? "the generator runs"
cc -std=gnu11 -Wall -Wextra -Werror -Wtrigraphs -I src -o "$T/dump" \
    "$T/dump.c" "$T/gen.c" 2>"$T/e"
ok $? "its output compiles without a warning"
"$T/dump" "$T/out"; ok $? "the table can be read back"
for f in "$T"/in/*.tmpl; do
	n=$(basename "$f")
	cmp -s "$f" "$T/out/$n"; ok $? "$n: the same bytes"
done
G=$(dirname "$EG")/gen/templates.c
sh scripts/embed-templates.sh templates/*.tmpl | cmp -s - "$G" || [ ! -f "$G" ]
ok $? "the build's table is the generator's output for templates/"
printf 'x\n' >"$T/in/bad name.tmpl"
sh scripts/embed-templates.sh "$T/in/bad name.tmpl" >/dev/null 2>&1
is $? 1 "a template name that is no C-safe word is refused"
done_testing
