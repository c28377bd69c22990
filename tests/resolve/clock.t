#!/bin/sh
# clock.t - every command that reads "now" reads it the same way: a
# SOURCE_DATE_EPOCH that is not a time (not all digits, or the year 10000
# or later) makes resolve, catalog livekit and a compile that ages a
# catalog fail alike: exit 2, the same one error naming the variable, and
# nothing written.  The last second of 9999 is still a time.  A lock whose
# stamp names a day that does not exist (2026-02-31, which timegm would
# have taken for March 3rd) is refused at its line and column, by compile
# and by resolve, which then leaves the lock as it was.
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/resolve/dns.sh"

P=tests/resolve/zone.yaml
CAT=policies/heygen-livekit.yaml
CATLOCK=policies/heygen-livekit.example.lock
why="is not a time: it must be decimal seconds since 1970-01-01T00:00:00Z, less than 253402300800 (the year 10000)"

for bad in abc 253402300800 -1 1795536000x; do
	want="egressc: error: SOURCE_DATE_EPOCH '$bad' $why"

	SOURCE_DATE_EPOCH=$bad "$EG" resolve --dns-server "$DNS_SERVER" \
	    --lock "$T/new.lock" "$P" 2>"$T/err"
	is "$?" 2 "resolve, SOURCE_DATE_EPOCH=$bad: exit 2"
	is "$(diags "$T/err")" "$want" "...with one error naming the variable"
	[ ! -e "$T/new.lock" ]
	ok $? "...and no lock written"

	SOURCE_DATE_EPOCH=$bad "$EG" catalog livekit --project heygen-feapbkvq \
	    --regions tests/catalog/regions.json -o "$T/cat.yaml" 2>"$T/err"
	is "$?" 2 "catalog livekit, SOURCE_DATE_EPOCH=$bad: exit 2"
	is "$(diags "$T/err")" "$want" "...with the same error"
	[ ! -e "$T/cat.yaml" ]
	ok $? "...and no catalog written"

	SOURCE_DATE_EPOCH=$bad "$EG" compile -t nftables -o "$T/out" \
	    --lock "$CATLOCK" "$CAT" >"$T/stdout" 2>"$T/err"
	is "$?" 2 "compile (a catalog's checked: is aged), SOURCE_DATE_EPOCH=$bad: exit 2"
	diags "$T/err" | grep -qxF -- "$want"
	okd $? "...with the same error" "$T/err"
	[ -z "$(ls "$T/out" 2>/dev/null)" ]
	ok $? "...and no output"
done

# compile --stamp reads now the same way, and fails the same way.
SOURCE_DATE_EPOCH=abc "$EG" compile -t nftables --stamp \
    --lock tests/resolve/zone.lock.expected "$P" >"$T/out" 2>"$T/err"
is "$?" 2 "compile --stamp, SOURCE_DATE_EPOCH=abc: exit 2"
[ ! -s "$T/out" ]; ok $? "...and no output"
is "$(diags "$T/err")" "egressc: error: SOURCE_DATE_EPOCH 'abc' $why" \
    "...with the same error"

SOURCE_DATE_EPOCH=253402300799 "$EG" resolve --dns-server "$DNS_SERVER" \
    --lock "$T/late.lock" "$P" 2>"$T/err"
okd $? "SOURCE_DATE_EPOCH=253402300799, the last second of 9999, is a time" \
    "$T/err"
grep -q 'last-seen: 9999-12-31T23:59:59Z$' "$T/late.lock"
ok $? "...and is the stamp written"

# A day that does not exist, on line 11 of the lock (after made:).
sed '11s/first-seen: 2026-11-24T16:00:00Z/first-seen: 2026-02-31T00:00:00Z/' \
    tests/resolve/zone.lock.expected >"$T/feb31.lock"
grep -q 'first-seen: 2026-02-31' "$T/feb31.lock"
ok $? "(the damaged lock has its 31st of February)"
cp "$T/feb31.lock" "$T/feb31.orig"
want="$T/feb31.lock:11:17: error: first-seen '2026-02-31T00:00:00Z' is not a UTC time like 2026-11-24T12:00:00Z (on a day that exists)"
"$EG" compile -t nftables --lock "$T/feb31.lock" "$P" >"$T/stdout" 2>"$T/err"
is "$?" 2 "compile refuses a lock stamped 2026-02-31: exit 2"
is "$(diags "$T/err")" "$want" "...at FILE:LINE:COL"
[ ! -s "$T/stdout" ]
ok $? "...and prints no rules"
SOURCE_DATE_EPOCH=$T1 "$EG" resolve --dns-server "$DNS_SERVER" \
    --lock "$T/feb31.lock" "$P" 2>"$T/err"
is "$?" 2 "resolve refuses to merge into it: exit 2"
is "$(diags "$T/err")" "$want" "...with the same error"
cmp -s "$T/feb31.orig" "$T/feb31.lock"
ok $? "...and leaves the lock as it was"
done_testing
