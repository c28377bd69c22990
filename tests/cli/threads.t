#!/bin/sh
# threads.t - targets render side by side, and nothing of it shows: for
# every golden policy, a policy whose warnings run past the cap, one with
# a target that fails (errors in one target, the others still render) and
# a generated one with Windows pieces, compile with 1, 2, 3 and 8 threads
# (EGRESSC_THREADS) writes the same files, the same messages in the same
# order and exits the same.
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/golden/cases.sh"

# Every warning a target says at each rule, past DIAG_MAX_WARNINGS; the
# inbound rule is an error for the targets without inbound rules.
P=$T/many.yaml
{
	printf 'egressc: 1\nname: many\ndefault: deny\nrules:\n'
	i=0
	while [ $i -lt 40 ]; do
		printf '  - name: r%d\n    to: [192.0.2.%d, "2001:db8::%x"]\n' \
		    $i $((i + 1)) $((i + 1))
		printf '    ports: [tcp/%d, udp/53]\n    action: reject\n' \
		    $((i + 100))
		printf '    log: true\n'
		i=$((i + 1))
	done
	printf '  - name: all\n    to: [any]\n'
} >"$P"
printf 'egressc-lock: 1\nhosts: {}\n' >"$T/many.lock"
IN='  - name: in\n    direction: inbound\n    from: [any]\n'
IN="$IN    ports: [tcp\\/22]\\n"
sed -e 's/^default: deny$/&\ninbound: allow/' \
    -e "s/^  - name: all\$/$IN&/" "$P" >"$T/fail.yaml"
cp "$T/many.lock" "$T/fail.lock"
/usr/bin/python3 "$ROOT/bench/gen.py" 300 >"$T/gen.yaml"
printf 'egressc-lock: 1\nhosts: {}\n' >"$T/gen.lock"

cases=""
for c in $(ls tests/golden); do
	[ -d "tests/golden/$c" ] && cases="$cases $c"
done
for c in $cases many fail gen; do
	case $c in
	many|fail|gen) pol=$T/$c.yaml lock=$T/$c.lock ;;
	*) set -- $(golden_case "$c"); pol=$1 lock=$2 ;;
	esac
	for n in 1 2 3 8; do
		rm -rf "$T/o$n"
		EGRESSC_THREADS=$n "$EG" compile -t all -o "$T/o$n" \
		    --lock "$lock" "$pol" >"$T/out$n" 2>"$T/err$n"
		echo $? >"$T/rc$n"
	done
	same=0
	for n in 2 3 8; do
		cmp -s "$T/err1" "$T/err$n" && cmp -s "$T/rc1" "$T/rc$n" &&
		    cmp -s "$T/out1" "$T/out$n" || same=1
		if [ -d "$T/o1" ] || [ -d "$T/o$n" ]; then
			diff -r "$T/o1" "$T/o$n" >/dev/null 2>&1 || same=1
		fi
	done
	ok $same "$c: 1, 2, 3 and 8 threads write the same (exit \
$(cat "$T/rc1"), $(wc -l <"$T/err1") lines of messages)"
	cp "$T/err1" "$T/$c.err"
done
# netsh and powershell lower a policy without host names to the same
# rules, and the rewrite for no rule order is made once for both (the
# first waits for nothing, the second takes it): together they write what
# each writes alone and say the same messages, the rewrite's warning once
# per target; with --strict, the same error and exit.  A second policy
# allows before it blocks, so that the rewrite cuts rules as well.
{
	printf 'egressc: 1\nname: cut\ndefault: deny\nrules:\n'
	printf '  - name: a\n    to: [198.51.100.0/24]\n    ports: [tcp/443]\n'
	printf '  - name: b\n    to: [198.51.100.0/25]\n    action: reject\n'
	printf '  - name: c\n    to: [203.0.113.0/24]\n'
} >"$T/cut.yaml"
cp "$T/gen.lock" "$T/cut.lock"
for c in gen cut; do
	for s in "" --strict; do
		rm -rf "$T/alone" "$T/both"
		: >"$T/alone.err"
		for t in netsh powershell; do
			"$EG" compile $s -t $t -o "$T/alone" --lock "$T/$c.lock" \
			    "$T/$c.yaml" 2>>"$T/alone.err"
			echo $? >>"$T/alone.rc"
		done
		same=0
		for n in 1 2; do
			rm -rf "$T/both"
			EGRESSC_THREADS=$n "$EG" compile $s -t netsh,powershell \
			    -o "$T/both" --lock "$T/$c.lock" "$T/$c.yaml" \
			    2>"$T/both.err"
			rc=$?
			cmp -s "$T/alone.err" "$T/both.err" || same=1
			[ $rc -eq "$(sort -r "$T/alone.rc" | head -n 1)" ] || same=1
			if [ -d "$T/alone" ] || [ -d "$T/both" ]; then
				diff -r "$T/alone" "$T/both" >/dev/null 2>&1 ||
				    same=1
			fi
		done
		rm -f "$T/alone.rc"
		cp "$T/both.err" "$T/$c$s.both"
		ok $same "$c${s:+ $s}: netsh and powershell together, with 1 \
and 2 threads, write and say what each alone does (exit $rc, \
$(grep -c 'warning\|error' "$T/both.err") messages)"
	done
done
grep -q "rule 'builtin-default-deny': Windows Firewall cannot block" \
    "$T/gen.both" && grep -q "builtin-default-deny.*(--strict)" \
    "$T/gen--strict.both"
ok $? "...and the rewrite's message is among them, an error with --strict"

grep -q 'more warnings not shown' "$T/many.err"
ok $? "...the warnings of 'many' run past the cap"
grep -q "target 'netsh' takes no inbound rules" "$T/fail.err" &&
    grep -q "target 'cisco-asa' takes no inbound rules" "$T/fail.err"
ok $? "...and 'fail' fails in the targets without inbound rules"
# A file of several MiB is written in pieces (atomic_write.c): the file
# -o writes holds the bytes compile writes to standard output.
/usr/bin/python3 "$ROOT/bench/gen.py" 1000 >"$T/big.yaml"
"$EG" compile -t netsh -o "$T/big" --lock "$T/gen.lock" "$T/big.yaml" \
    2>/dev/null
"$EG" compile -t netsh --lock "$T/gen.lock" "$T/big.yaml" >"$T/big.out" \
    2>/dev/null
[ "$(wc -c <"$T/big/bench.netsh.cmd")" -gt $((3 * 1024 * 1024 / 2)) ] &&
    cmp -s "$T/big.out" "$T/big/bench.netsh.cmd"
ok $? "a file of more than 1.5 MiB: -o writes the bytes of standard output"
done_testing
