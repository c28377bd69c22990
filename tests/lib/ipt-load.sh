#!/bin/sh
# ipt-load.sh DIR NAME - load the iptables target's files of policy NAME
# from DIR into the current network namespace, as egressc(1) says: ipset
# restore of NAME.ipset, iptables-restore --noflush and
# ip6tables-restore --noflush of NAME.rules.v4 and NAME.rules.v6, then the
# jump commands each file's header gives, run as written there (so the
# test checks the documented commands, not a copy of them).  Run it with
# sh, inside the namespace (ip netns exec NS sh ipt-load.sh DIR NAME).
set -e
d=$1
n=$2
# The header's "#   CMD -C ... ||" and "#     CMD -I ..." lines, joined.
hooks() {
	sed -n '/^#   ip6*tables -C /{N;s/^#   //;s/\n#     / /;p;}' "$1"
}
ipset restore <"$d/$n.ipset"
iptables-restore --noflush <"$d/$n.rules.v4"
ip6tables-restore --noflush <"$d/$n.rules.v6"
hooks "$d/$n.rules.v4" | sh -e
hooks "$d/$n.rules.v6" | sh -e
