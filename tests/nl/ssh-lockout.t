#!/bin/sh
# What egressc(1) says about SSH and `default: deny`, in the kernel.  A
# client namespace connects to tcp/22 of a server namespace (veth; the
# server stands for a host managed over SSH):
#   - a default-deny policy with no inbound rules, loaded on the server
#     with apply --confirm, cuts the client off (the server's replies are
#     dropped), and at the deadline the rollback lets it in again;
#   - with the page's ssh-in rule (its management network set to the
#     client's), the client gets in; with a management network that is
#     not the client's, it does not.
# A probe is "open" when the handshake completes and the listener's
# answer arrives, "dropped" when nothing came back in time.
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/lib/netns.sh"
ns_gate cc
ns_init

POLL=90
EGRESSC_RUNDIR=$T/run
export EGRESSC_RUNDIR
ns_lab || { ok 1 "the lab network"; done_testing; exit 1; }
ns_probe_build || { ok 1 "nlprobe builds"; done_testing; exit 1; }
ns_listen "$NS_S" tcp/22 || { ok 1 "a listener on tcp/22"; done_testing; exit 1; }

ssh_probe()
{
	echo "tcp $LAB_S4 22" | ip netns exec "$NS_C" "$NLPROBE" probe 2000 |
	    cut -d' ' -f4
}
ssh_open() { [ "$(ssh_probe)" = open ]; }
wait_for()
{
	_end=$(($(date +%s) + POLL))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.2
	done
	return 0
}

is "$(ssh_probe)" open "no policy: the client reaches tcp/22"

head='egressc: 1
name: mgmt
default: deny'
web='  - name: web
    to: [any]
    ports: [tcp/443]'
printf 'egressc-lock: 1\nhosts: {}\n' >"$T/lock"
{ echo "$head"; echo "rules:"; echo "$web"; } >"$T/closed.yaml"
awk '/^\.Bd -literal/ { b = ""; inb = 1; next }
    /^\.Ed/ { if (inb && b ~ /name: ssh-in/) printf "%s", b; inb = 0; next }
    inb { b = b $0 "\n" }' man/egressc.1 | sed 's/\\e/\\/g' >"$T/snippet"
{ echo "$head"; sed "s|192.0.2.0/24|${LAB_C4%.*}.0/24|" "$T/snippet"
    echo "$web"; } >"$T/mgmt.yaml"
{ echo "$head"; cat "$T/snippet"; echo "$web"; } >"$T/other.yaml"

"$EG" apply --netns "$NS_S" --confirm 8 --lock "$T/lock" "$T/closed.yaml" \
    >"$T/out" 2>"$T/err"
ok $? "default: deny, no inbound rules: apply --confirm 8 on the server" ||
    sed 's/^/# /' "$T/err"
is "$(ssh_probe)" dropped "...cuts the client off tcp/22"
wait_for ssh_open
ok $? "...until the rollback at the deadline lets it in again"
ip netns exec "$NS_S" nft list tables | grep -q 'inet mgmt'
is "$?" 1 "...the table is gone"

"$EG" apply --netns "$NS_S" --lock "$T/lock" "$T/mgmt.yaml" 2>"$T/err"
ok $? "with the ssh-in rule for the client's network: apply" ||
    sed 's/^/# /' "$T/err"
is "$(ssh_probe)" open "...the client reaches tcp/22"

"$EG" apply --netns "$NS_S" --lock "$T/lock" "$T/other.yaml" 2>"$T/err"
ok $? "with the ssh-in rule for another network: apply" ||
    sed 's/^/# /' "$T/err"
is "$(ssh_probe)" dropped "...the client does not"

done_testing
