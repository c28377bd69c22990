#!/bin/sh
# egressc COMMAND --help prints that command's usage and every option it
# takes (made from the same rows getopt parses by), once; the global
# synopsis names each option once per command; an option a command does
# not take is refused by name.
. "$(dirname "$0")/../lib/tap.sh"

for c in $("$EG" --help | sed -n 's/^\(usage:\)\{0,1\} *egressc \([a-z]*\) .*/\2/p'); do
	"$EG" "$c" --help >"$T/h" 2>"$T/e"
	is $? 0 "$c --help: exit 0"
	head -1 "$T/h" | grep -q "^usage: egressc $c "; ok $? "$c --help: its usage line"
	dups=$(grep -o -- '--[a-z-]*' "$T/h" | sed -n '/^--help$/!p' | sort | uniq -d | tr '\n' ' ')
	sed -n '/^options:/,$p' "$T/h" | grep -o '^  \(-[a-z], \)\{0,1\}--[a-z-]*' | grep -o -- '--[a-z-]*' | sort | uniq -d >"$T/d"
	[ ! -s "$T/d" ]; ok $? "$c --help: each option listed once"
done
"$EG" resolve --help | grep -q -- '--concurrency N'; ok $? "resolve --help lists --concurrency"
"$EG" catalog --help | grep -q -- '--source URL'; ok $? "catalog --help lists --source"
is "$("$EG" --help | grep -c -- '--concurrency')" 1 "the synopsis lists --concurrency once"
"$EG" lint --dry-run x.yaml >/dev/null 2>"$T/e"
is $? 2 "an option the command does not take: exit 2"
grep -q "^egressc: --dry-run does not go with 'lint'" "$T/e"; ok $? "...naming it"

# check | head: a reader that stops early must not turn "stale" into
# "error".
P=policies/heygen-livekit.yaml
L=policies/heygen-livekit.example.lock
mkdir "$T/out"
"$EG" compile -o "$T/out" --lock $L $P 2>/dev/null

# Diffs far larger than a pipe holds, so diff surely meets the closed pipe.
for f in "$T"/out/*; do seq 1 20000 >"$f"; done
( "$EG" check -o "$T/out" --lock $L $P 2>"$T/e"; echo $? >"$T/rc" ) | head -1 >/dev/null
is "$(cat "$T/rc")" 1 "check | head -1: still exit 1 (stale), not 2"
! grep -q "diff failed" "$T/e"; ok $? "...and no 'diff failed'"
done_testing
