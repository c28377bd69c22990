#!/bin/sh
# The inbound rule egressc(1) shows under CAVEATS, for keeping management
# access under `default: deny`, is what it says: taken from the page as it
# is, put into a policy with an egress rule, it compiles, nftables gets an
# input chain that accepts tcp/22 from the management network and no
# longer the output line that drops replies, and `egressc explain
# --inbound` allows tcp/22 from the management net (the command the page
# gives) and nothing else.  Without it the output chain drops replies on
# every interface but loopback before anything is accepted: what cuts an
# SSH session, established or new.  The kernel side is ssh-lockout.t.
. "$(dirname "$0")/../lib/tap.sh"
need test -x "$EG"

# The literal block of egressc.1 that holds the rule.
awk '/^\.Bd -literal/ { b = ""; inb = 1; next }
    /^\.Ed/ { if (inb && b ~ /name: ssh-in/) printf "%s", b; inb = 0; next }
    inb { b = b $0 "\n" }' man/egressc.1 | sed 's/\\e/\\/g' >"$T/snippet"
grep -q '^inbound: allow$' "$T/snippet" && grep -q 'from: \[management\]' \
    "$T/snippet"
ok $? "egressc.1 shows the ssh-in snippet" || sed 's/^/# /' "$T/snippet"

head='egressc: 1
name: mgmt
default: deny'
web='  - name: web
    to: [any]
    ports: [tcp/443]'
{ echo "$head"; cat "$T/snippet"; echo "$web"; } >"$T/mgmt.yaml"
{ echo "$head"; echo "rules:"; echo "$web"; } >"$T/closed.yaml"
printf 'egressc-lock: 1\nhosts: {}\n' >"$T/mgmt.lock"
cp "$T/mgmt.lock" "$T/closed.lock"

"$EG" compile -t nftables "$T/mgmt.yaml" >"$T/mgmt.nft" 2>"$T/err"
ok $? "the snippet compiles" || sed 's/^/# /' "$T/err"
sed -n '/chain input {/,/}/p' "$T/mgmt.nft" |
    grep -q 'ip saddr 192.0.2.0/24 tcp dport 22 accept comment "ssh-in"'
ok $? "...into an input chain that lets tcp/22 in from the management net"
sed -n '/chain input {/,/}/p' "$T/mgmt.nft" | grep -q 'policy drop;'
ok $? "...under the policy's default, drop"
grep -q 'ct direction reply drop' "$T/mgmt.nft"
is "$?" 1 "...and the output chain no longer drops replies"

line=$(grep -n 'name: ssh-in' "$T/mgmt.yaml" | cut -d: -f1)
ex() { "$EG" explain --inbound --to 198.51.100.1 "$@" "$T/mgmt.yaml"; }
is "$(ex --from 192.0.2.7 --port tcp/22)" \
    "allow ssh-in $T/mgmt.yaml:$line:11" \
    "explain --inbound: tcp/22 from the management net is allowed"
is "$(ex --from 203.0.113.7 --port tcp/22)" "deny (default)" \
    "...from elsewhere it is not"
is "$(ex --from 192.0.2.7 --port tcp/23)" "deny (default)" \
    "...nor another port from the management net"

# The check the page tells the reader to run, as the page gives it.
cmd=$(sed -n 's/^\.Ql egressc explain \(--inbound .*\) policy$/\1/p' \
    man/egressc.1 | sed 's/\\-/-/g')
# shellcheck disable=SC2086
is "$("$EG" explain $cmd "$T/mgmt.yaml" 2>&1 | cut -d' ' -f1-2)" \
    "allow ssh-in" "the page's explain --inbound ($cmd) says allow ssh-in"

"$EG" compile -t nftables "$T/closed.yaml" >"$T/closed.nft" 2>"$T/err"
ok $? "the policy without the snippet compiles" || sed 's/^/# /' "$T/err"
sed -n '/chain output {/,/}/p' "$T/closed.nft" | grep -v 'type filter' |
    sed -n 2p | grep -q '^[[:space:]]*oif != "lo" ct direction reply drop$'
ok $? "...and its output chain drops replies before it accepts anything"

done_testing
