#!/bin/sh
# chains.t - the two iptables chains of a policy never share a name.  A
# policy called in-in-in-in-in-in-in-in once gave its egress chain and its
# input chain the same 28 characters: the input path jumped into the
# egress rules, whose allow took inbound tcp/22 that the policy (and
# explain) deny.  Loaded into a server namespace, the inbound deny holds
# and the inbound allow opens, as explain says.
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/lib/netns.sh"
ns_gate cc iptables-restore ipset
ns_init

ns_probe_build && ns_lab
ok $? "client and server namespaces" || { done_testing; exit 1; }
ns_listen "$NS_S" tcp/22 tcp/80
ok $? "listeners on tcp/22 and tcp/80 in the server namespace"

P=$T/in-in-in-in-in-in-in-in.yaml
cat >"$P" <<'EOF2'
egressc: 1
name: in-in-in-in-in-in-in-in
default: deny
inbound: allow
rules:
  - name: out-all
    to: [any]
  - name: no-ssh
    direction: inbound
    ports: tcp/22
    action: deny
  - name: web
    direction: inbound
    ports: tcp/80
EOF2
printf 'egressc-lock: 1\nhosts: {}\n' >"$T/p.lock"

"$EG" compile -t iptables -o "$T/out" --lock "$T/p.lock" "$P" 2>"$T/err"
ok $? "compile -t iptables" || sed 's/^/# /' "$T/err" | head -5
V4=$T/out/in-in-in-in-in-in-in-in.rules.v4
egress=$(sed -n 's/^#     iptables -I OUTPUT 1 -j //p' "$V4")
input=$(sed -n 's/^#     iptables -I INPUT 1 -j //p' "$V4")
[ -n "$egress" ] && [ -n "$input" ] && [ "$egress" != "$input" ]
ok $? "two chains, two names ($egress, $input)"
[ ${#egress} -le 28 ] && [ ${#input} -le 28 ]
ok $? "...each at most 28 characters"

"$EG" explain --inbound --lock "$T/p.lock" --to "$LAB_S4" --port tcp/22 \
    "$P" >"$T/explain" 2>&1
grep -q 'no-ssh' "$T/explain" && grep -qi 'deny' "$T/explain"
ok $? "explain: inbound tcp/22 is denied by no-ssh"

ip netns exec "$NS_S" sh "$ROOT/tests/lib/ipt-load.sh" "$T/out" \
    in-in-in-in-in-in-in-in 2>"$T/err"
ok $? "ipset restore, iptables-restore --noflush and the jumps in the server namespace" ||
    sed 's/^/# /' "$T/err" | head -5
printf 'tcp %s 22\ntcp %s 80\n' "$LAB_S4" "$LAB_S4" |
    ip netns exec "$NS_C" "$NLPROBE" probe 1500 >"$T/got"
is "$(grep "^tcp $LAB_S4 22 " "$T/got" | cut -d' ' -f4)" dropped \
    "inbound tcp/22 is dropped, as the policy says"
is "$(grep "^tcp $LAB_S4 80 " "$T/got" | cut -d' ' -f4)" open \
    "inbound tcp/80 is open"
done_testing
