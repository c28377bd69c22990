#!/bin/sh
# warnings.t - a policy with many shadowed rules: compile still exits 0 and
# drops them all, but prints no more than DIAG_MAX_WARNINGS (100) warnings,
# each with its note at the shadowing rule, then one line saying how many
# more there were; lint --strict still counts every one of them.
. "$(dirname "$0")/../lib/tap.sh"

P=$T/shadow.yaml
L=$T/shadow.lock
{
	printf 'egressc: 1\nname: shadow\nrules:\n'
	printf '  - name: net\n    to: [192.0.2.0/24]\n    ports: [tcp/443]\n'
	i=0
	while [ $i -lt 150 ]; do
		printf '  - name: h%d\n    to: [192.0.2.%d]\n    ports: [tcp/443]\n' \
		    $i $((i + 1))
		i=$((i + 1))
	done
} >"$P"
printf 'egressc-lock: 1\nhosts: {}\n' >"$L"

"$EG" compile -t nftables --lock "$L" "$P" >"$T/out" 2>"$T/err"
is "$?" 0 "150 shadowed rules: compile exits 0"
grep -q 'comment "net"' "$T/out" && ! grep -q 'comment "h[0-9]' "$T/out"
ok $? "...and drops every one of them"
is "$(grep -c ': warning: ' "$T/err")" 100 "...printing 100 warnings"
is "$(grep -c ': note: shadowed by this rule$' "$T/err")" 100 \
    "...each with its note"
grep -qxF "$P:4:11: note: shadowed by this rule" "$T/err"
ok $? "...at the shadowing rule's name"
is "$(tail -n 1 "$T/err")" "egressc: 50 more warnings not shown" \
    "...and then how many more there were"
"$EG" lint --strict --lock "$L" "$P" 2>/dev/null
is "$?" 1 "lint --strict: exit 1"
done_testing
