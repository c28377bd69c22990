#!/bin/sh
# atomic.t - resolve --lock writes one file as one: kill -9 at any moment
# leaves the old lock or the new one, byte for byte, never a truncated
# file; the temporary a killed run leaves beside the lock is its own
# (.LOCK.egressc-tmp.PID) and the next run removes it; the lock keeps the
# mode of the lock it replaces, and a new one honours the umask.
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/resolve/dns.sh"
need test -x /usr/bin/python3

P=tests/resolve/zone.yaml
L=$T/zone.lock

SOURCE_DATE_EPOCH=$T1 "$EG" resolve --dns-server "$DNS_SERVER" --lock "$L" \
    "$P" 2>/dev/null
ok $? "resolve writes the old lock"
cp "$L" "$T/old.lock"
cp "$T/old.lock" "$T/new.lock"
SOURCE_DATE_EPOCH=$T2 "$EG" resolve --dns-server "$DNS_SERVER" \
    --lock "$T/new.lock" "$P" 2>/dev/null
! cmp -s "$T/old.lock" "$T/new.lock"
ok $? "three days later the lock differs (last-seen)"

torn=0
i=0
while [ $i -lt 30 ]; do
	cp "$T/old.lock" "$L"
	SOURCE_DATE_EPOCH=$T2 "$EG" resolve --dns-server "$DNS_SERVER" \
	    --lock "$L" "$P" >/dev/null 2>&1 &
	pid=$!
	sleep "0.0$(/usr/bin/python3 -c 'import random; print("%02d" % random.randrange(60))')"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	if ! cmp -s "$L" "$T/old.lock" && ! cmp -s "$L" "$T/new.lock"; then
		torn=$((torn + 1))
	fi
	i=$((i + 1))
done
is "$torn" 0 "kill -9 at 30 random moments: the old lock or the new one"

# A temporary of a run that is gone is removed by the next run; one of a
# live process is not.
sleep 30 &
live=$!
: >"$T/.zone.lock.egressc-tmp.999999999"
: >"$T/.zone.lock.egressc-tmp.$live"
: >"$T/.zone.lock.tmp-not-ours"
SOURCE_DATE_EPOCH=$T2 "$EG" resolve --dns-server "$DNS_SERVER" --lock "$L" \
    "$P" 2>/dev/null
ok $? "resolve again"
is "$(ls -a "$T" | grep -c 'egressc-tmp\.[0-9]*$')" 1 \
    "...removes the temporaries of runs that are gone, and only those"
[ -e "$T/.zone.lock.egressc-tmp.$live" ] && [ -e "$T/.zone.lock.tmp-not-ours" ]
ok $? "...not a live process's, nor a file that is not egressc's"
kill $live 2>/dev/null

chmod 600 "$L"
SOURCE_DATE_EPOCH=$T2 "$EG" resolve --dns-server "$DNS_SERVER" --lock "$L" \
    "$P" 2>/dev/null
is "$(stat -c %a "$L")" 600 "a 0600 lock stays 0600"
(umask 027; SOURCE_DATE_EPOCH=$T2 "$EG" resolve --dns-server "$DNS_SERVER" \
    --lock "$T/fresh.lock" "$P" 2>/dev/null)
is "$(stat -c %a "$T/fresh.lock")" 640 "umask 027: a new lock is 0640"
done_testing
