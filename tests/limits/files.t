#!/bin/sh
# files.t - files that are not files.  An include:, --lock, the policy
# itself or catalog --regions naming a FIFO once blocked forever in
# open(); a directory, device or socket is no policy either.  Each is
# refused at once, exit 2, at the include: that names it (or naming the
# path), and nothing is written; check compares a FIFO in DIR as a
# missing file instead of waiting on it.
. "$(dirname "$0")/../lib/tap.sh"

need command -v mkfifo
need test -x /usr/bin/python3
L=$T/empty.lock
printf 'egressc-lock: 1\nhosts: {}\n' >"$L"
mkfifo "$T/fifo"
mkdir "$T/dir"
/usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])' "$T/sock"
ln -s /dev/null "$T/dev"

for what in fifo dir sock dev; do
	case $what in
	fifo) kind="a FIFO" ;;
	dir) kind="a directory" ;;
	sock) kind="a socket" ;;
	dev) kind="a device" ;;
	esac
	printf 'egressc: 1\nname: t\ninclude: [%s]\nrules: []\n' "$what" \
	    >"$T/inc-$what.yaml"
	timeout 20 "$EG" compile -t nftables --lock "$L" "$T/inc-$what.yaml" \
	    >"$T/out" 2>"$T/err"
	is "$?" 2 "include: of $kind: exit 2, at once"
	grep -qxF "$T/inc-$what.yaml:3:11: error: $T/$what: $kind, not a regular file" \
	    "$T/err"
	ok $? "...at the include: naming it"
	[ ! -s "$T/out" ]
	ok $? "...and no output"
done

printf 'egressc: 1\nname: t\nrules: []\n' >"$T/p.yaml"
timeout 20 "$EG" compile -t nftables --lock "$T/fifo" "$T/p.yaml" \
    >"$T/out" 2>"$T/err"
is "$?" 2 "--lock FIFO: exit 2, at once"
grep -qxF "egressc: error: $T/fifo: a FIFO, not a regular file" "$T/err"
ok $? "...saying what it is"

timeout 20 "$EG" lint --lock "$T/dir" "$T/p.yaml" >"$T/out" 2>"$T/err"
is "$?" 2 "--lock DIRECTORY: exit 2"
grep -qxF "egressc: error: $T/dir: a directory, not a regular file" "$T/err"
ok $? "...saying what it is"

timeout 20 "$EG" lint --lock "$L" "$T/fifo" >"$T/out" 2>"$T/err"
is "$?" 2 "the policy a FIFO: exit 2, at once"
grep -qxF "egressc: error: $T/fifo: a FIFO, not a regular file" "$T/err"
ok $? "...saying what it is"

timeout 20 "$EG" catalog livekit --project p --regions "$T/fifo" \
    -o "$T/cat.yaml" >"$T/out" 2>"$T/err"
is "$?" 2 "catalog --regions FIFO: exit 2, at once"
[ ! -e "$T/cat.yaml" ]
ok $? "...writing no catalog"

# check -o DIR where the file it compares with is a FIFO: stale, at once.
mkdir "$T/ck"
mkfifo "$T/ck/p.nft"
timeout 20 "$EG" check -t nftables -o "$T/ck" --lock "$L" "$T/p.yaml" \
    >"$T/out" 2>"$T/err"
is "$?" 1 "check against a FIFO in DIR: exit 1 (stale), at once"

# A regular file behind a symbolic link is a regular file.
ln -s "$T/p.yaml" "$T/link.yaml"
"$EG" lint --lock "$L" "$T/link.yaml" >/dev/null 2>"$T/err"
is "$?" 0 "a policy behind a symbolic link is read"
done_testing
