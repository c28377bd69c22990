#!/bin/sh
# names.t - policy names egressc-policy(5) allows become names every
# target reads.  A name starting with a digit (1web) or one that is an nft
# keyword (accept) once failed the nftables target unless targets.nftables
# .table was set, while lint said nothing: the table is egressc-NAME then,
# nft loads it, and lint and compile agree.
. "$(dirname "$0")/../lib/tap.sh"

L=$T/empty.lock
printf 'egressc-lock: 1\nhosts: {}\n' >"$L"
for name in 1web accept 9; do
	P=$T/$name.yaml
	printf 'egressc: 1\nname: %s\nrules:\n  - name: r\n    to: [192.0.2.1, 192.0.2.3]\n    ports: tcp/443\n' \
	    "$name" >"$P"
	"$EG" lint --lock "$L" "$P" >/dev/null 2>"$T/err"
	is "$?" 0 "$name: lint passes"
	"$EG" compile -t all -o "$T/o-$name" --lock "$L" "$P" 2>"$T/err"
	is "$?" 0 "$name: compile -t all passes"
	grep -q "^table inet egressc-$name {" "$T/o-$name/$name.nft"
	ok $? "$name: the nftables table is egressc-$name"
	grep -q "^:EGRESSC-$(echo $name | tr a-z A-Z) - " \
	    "$T/o-$name/$name.rules.v4"
	ok $? "$name: the iptables chain is EGRESSC-NAME"
	grep -q "^table <${name}_r> const" "$T/o-$name/$name.pf.conf"
	ok $? "$name: the pf table keeps the name (pfctl reads <${name}_r>)"
done
if command -v nft >/dev/null 2>&1 && [ "$(id -u)" = 0 ] &&
    unshare -n true 2>/dev/null; then
	for name in 1web accept 9; do
		unshare -n nft -c -f "$T/o-$name/$name.nft" 2>"$T/err"
		ok $? "$name: nft -c reads the table"
	done
else
	need command -v nft
	note "nft -c needs root and unshare: skipped"
fi
done_testing
