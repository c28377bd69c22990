#!/bin/sh
# The shipped policy end to end without the internet: resolve every host it
# expands to against dnsmasq (LiveKit and HeyGen names answered from the
# benchmarking range), compile, and load the result in a fresh network
# namespace with `nft -c -f` and `ipset restore` + `iptables-restore --test`.
. "$(dirname "$0")/../lib/tap.sh"
set -- --address=/livekit.cloud/198.18.2.1 --address=/livekit.cloud/2001:2::2:1
. "$ROOT/tests/resolve/dns.sh"
need unshare -n true
need command -v nft
need command -v iptables-restore
need command -v ipset

P=policies/heygen-livekit.yaml
L=$T/heygen-livekit.lock
SOURCE_DATE_EPOCH=$T1 "$EG" resolve --dns-server "$DNS_SERVER" --lock "$L" \
    "$P" 2>"$T/err"
okd $? "resolve the shipped policy" "$T/err"
! grep -q '^example:' "$L"
ok $? "a real lock, not an example"
"$EG" compile -t nftables,iptables -o "$T/out" --lock "$L" "$P" 2>"$T/err"
okd $? "compile it" "$T/err"
unshare -n nft -c -f "$T/out/heygen-livekit.nft" 2>"$T/err"
okd $? "nft -c -f accepts heygen-livekit.nft" "$T/err"
o=$T/out/heygen-livekit
unshare -n sh -c "ipset restore <'$o.ipset' &&
    iptables-restore --noflush --test <'$o.rules.v4'" 2>"$T/err"
okd $? "ipset restore and iptables-restore --test accept heygen-livekit.ipset, .rules.v4" "$T/err"
unshare -n sh -c "ipset restore <'$o.ipset' &&
    ip6tables-restore --noflush --test <'$o.rules.v6'" 2>"$T/err"
okd $? "... and ip6tables-restore --test heygen-livekit.rules.v6" "$T/err"
grep -q '198.18.2.1' "$T/out/heygen-livekit.nft"
ok $? "the resolved addresses are in the ruleset"
done_testing
