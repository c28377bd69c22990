#!/bin/sh
# The lock's age, from its made: (written by resolve, see lock.t): compile
# warns at made: once the lock is older than the policy's max-lock-age
# (default 30 days; a note at the key when the policy sets it), and still
# compiles; a lock without made: reads as before, without a word; an
# example lock never warns (its banner says what it is).  A bad
# max-lock-age is exit 2 at its place.  check --max-lock-age DAYS is the
# pipeline's gate: exit 1 and an error saying why when the lock is older,
# has no made: or holds example addresses.  No DNS: the locks are files.
. "$(dirname "$0")/../lib/tap.sh"

P=tests/resolve/zone.yaml
L=$T/zone.lock
cp tests/resolve/zone.lock.expected "$L"	# made: 2026-11-24T16:00:00Z
MADE=1795536000
DAY=86400

diags() {
	grep -E '(^|: )(error|warning|note): ' "$1"
}

SOURCE_DATE_EPOCH=$((MADE + 30 * DAY)) "$EG" compile -t nftables \
    --lock "$L" "$P" >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/err")" "0:" "30 days old: no warning"
SOURCE_DATE_EPOCH=$((MADE + 31 * DAY)) "$EG" compile -t nftables \
    --lock "$L" "$P" >"$T/out" 2>"$T/err"
is $? 0 "31 days old: compile still succeeds"
is "$(diags "$T/err")" "$L:5:7: warning: lock file $L was made 31 days ago (2026-11-24T16:00:00Z), more than max-lock-age 30d: run 'egressc resolve $P'" \
    "...with a warning at made:"
[ -s "$T/out" ]
ok $? "...and prints the rules"

# The policy's own max-lock-age, with a note at it.
sed 's/^default: deny$/default: deny\nmax-lock-age: 7d/' "$P" >"$T/seven.yaml"
SOURCE_DATE_EPOCH=$((MADE + 8 * DAY)) "$EG" compile -t nftables \
    --lock "$L" "$T/seven.yaml" >/dev/null 2>"$T/err"
is "$(diags "$T/err")" "$L:5:7: warning: lock file $L was made 8 days ago (2026-11-24T16:00:00Z), more than max-lock-age 7d: run 'egressc resolve $T/seven.yaml'
$T/seven.yaml:6:15: note: max-lock-age is set here" \
    "max-lock-age: 7d, 8 days: warning and a note at the key"
SOURCE_DATE_EPOCH=$((MADE + 7 * DAY)) "$EG" compile -t nftables \
    --lock "$L" "$T/seven.yaml" >/dev/null 2>"$T/err"
is "$(cat "$T/err")" "" "...7 days: none"
SOURCE_DATE_EPOCH=$((MADE + 8 * DAY)) "$EG" lint --lock "$L" \
    "$T/seven.yaml" 2>"$T/err"
diags "$T/err" | grep -q "warning: lock file $L was made 8 days ago"
ok $? "every command that reads the lock says so (lint)"

for bad in 30 0d 30days 1w 36501d '"-3d"' 1e3d; do
	sed "s/^default: deny\$/default: deny\nmax-lock-age: $bad/" "$P" \
	    >"$T/bad.yaml"
	"$EG" compile -t nftables --lock "$L" "$T/bad.yaml" >"$T/out" \
	    2>"$T/err"
	is "$?:$(diags "$T/err" | head -1 | sed 's/: error: .*//')" \
	    "2:$T/bad.yaml:6:15" "max-lock-age: $bad: exit 2 at its place"
	[ ! -s "$T/out" ]
	ok $? "...and no rules printed"
done
grep -q "is not a number of days from 1 to 36500 followed by d, like 30d" \
    "$T/err"
ok $? "...saying what it takes"

# A lock from before made: existed: read as before, without a word.
grep -v '^made: ' "$L" >"$T/old.lock"
SOURCE_DATE_EPOCH=$((MADE + 400 * DAY)) "$EG" compile -t nftables \
    --lock "$T/old.lock" "$P" >"$T/o1" 2>"$T/err"
is "$?:$(cat "$T/err")" "0:" "no made: (an older lock): no warning"
"$EG" compile -t nftables --lock "$L" "$P" >"$T/o2" 2>/dev/null
cmp -s "$T/o1" "$T/o2"
ok $? "...and the same rules as with made:"

# made: in the future.
SOURCE_DATE_EPOCH=$((MADE - 2 * DAY)) "$EG" compile -t nftables \
    --lock "$L" "$P" >/dev/null 2>"$T/err"
is "$(diags "$T/err")" "$L:5:7: warning: made: 2026-11-24T16:00:00Z is in the future" \
    "made: two days ahead: a warning"
sed 's/^made: .*/made: 2026-13-01T00:00:00Z/' "$L" >"$T/badmade.lock"
"$EG" compile -t nftables --lock "$T/badmade.lock" "$P" >/dev/null 2>"$T/err"
is "$?:$(diags "$T/err")" "2:$T/badmade.lock:5:7: error: made '2026-13-01T00:00:00Z' is not a UTC time like 2026-11-24T12:00:00Z (on a day that exists)" \
    "made: not a time: exit 2 at its place"

# The example lock: no age warning, however old.
EX=policies/heygen-livekit.example.lock
SOURCE_DATE_EPOCH=$((MADE + 400 * DAY)) "$EG" compile -o "$T/ex" --lock "$EX" \
    policies/heygen-livekit.yaml 2>"$T/err"
ok $? "the example lock compiles 400 days on"
grep -q 'lock file' "$T/err"
is $? 1 "...with no word about its age"

# check --max-lock-age: the gate.
"$EG" compile -t nftables -o "$T/rendered" --lock "$L" "$P" 2>/dev/null
SOURCE_DATE_EPOCH=$((MADE + 10 * DAY)) "$EG" check -t nftables \
    -o "$T/rendered" --max-lock-age 10 --lock "$L" "$P" >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/err")" "0:" "check --max-lock-age 10, 10 days: exit 0"
SOURCE_DATE_EPOCH=$((MADE + 11 * DAY)) "$EG" check -t nftables \
    -o "$T/rendered" --max-lock-age 10 --lock "$L" "$P" >"$T/out" 2>"$T/err"
is $? 1 "...11 days: exit 1"
is "$(diags "$T/err")" "$L:5:7: error: lock file $L was made 11 days ago (2026-11-24T16:00:00Z), more than --max-lock-age 10: run 'egressc resolve $P'" \
    "...saying why (and not the policy's warning as well)"
SOURCE_DATE_EPOCH=$((MADE + 40 * DAY)) "$EG" check -t nftables \
    -o "$T/rendered" --max-lock-age 60 --lock "$L" "$P" >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/err")" "0:" "--max-lock-age 60 at 40 days: exit 0, the gate decides"
"$EG" check -t nftables -o "$T/rendered" --max-lock-age 10 \
    --lock "$T/old.lock" "$P" >"$T/out" 2>"$T/err"
is "$?:$(diags "$T/err")" "1:egressc: error: --max-lock-age 10: $T/old.lock has no made: time (it was written before egressc recorded one); run 'egressc resolve $P'" \
    "...a lock without made: fails the gate"
"$EG" compile -t nftables -o "$T/exr" --lock "$EX" policies/heygen-livekit.yaml 2>/dev/null
"$EG" check -t nftables -o "$T/exr" --max-lock-age 36500 --lock "$EX" \
    policies/heygen-livekit.yaml >"$T/out" 2>"$T/err"
is "$?:$(diags "$T/err")" "1:egressc: error: --max-lock-age 36500: $EX holds example addresses, not DNS answers; run 'egressc resolve policies/heygen-livekit.yaml'" \
    "...and so does an example lock"
echo stale >>"$T/rendered/zone.nft"
SOURCE_DATE_EPOCH=$((MADE + 11 * DAY)) "$EG" check -t nftables \
    -o "$T/rendered" --max-lock-age 10 --lock "$L" "$P" >"$T/out" 2>"$T/err"
is $? 1 "stale files and an old lock: exit 1"
is "$(grep -c 'out of date\|more than --max-lock-age' "$T/err")" 2 \
    "...both said"
"$EG" check -o "$T/rendered" --max-lock-age x "$P" 2>"$T/err"
is $? 2 "--max-lock-age x: usage error"
done_testing
