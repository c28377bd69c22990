#!/bin/sh
# outdir.t - compile -o DIR changes the set of files as one.  A rename that
# fails at any step (EGRESSC_FAIL_RENAME=N, test-only) leaves DIR exactly
# as it was, byte for byte, with no temporary in it or beside it; kill -9
# at random moments leaves the old set or the new one, never a mix, once
# the next run has finished what the killed one left.  Both ways of
# committing are tried: swapping DIR for a fresh directory (DIR holds only
# egressc's files) and the journal (DIR also holds a README).  Files keep
# the mode of the file they replace, and new ones honour the umask.  A
# file whose bytes would not change is left as it is, inode and mtime,
# wherever the old one differs (first byte, past the first piece written,
# last byte, shorter, longer), for both ways of committing.
. "$(dirname "$0")/../lib/tap.sh"

need test -x /usr/bin/python3
L=$T/empty.lock
printf 'egressc-lock: 1\nhosts: {}\n' >"$L"
mkdir "$T/v"
/usr/bin/python3 bench/gen.py 300 >"$T/v/web.yaml"
sed 's/benchmark rule/new rule/' "$T/v/web.yaml" >"$T/v/new.yaml"
sed -i 's/^name: bench/name: web/' "$T/v/web.yaml"
sed -i 's/^name: bench/name: web/' "$T/v/new.yaml"

# The old and the new set, for comparing.
"$EG" compile -t all -o "$T/old" --lock "$L" "$T/v/web.yaml" 2>/dev/null &&
    "$EG" compile -t all -o "$T/new" --lock "$L" "$T/v/new.yaml" 2>/dev/null
ok $? "the old and the new set compile"

# same DIR REF: DIR holds exactly REF's files (and README when REF has it).
same() {
	diff -r "$1" "$2" >/dev/null 2>&1
}
temps() {	# temps DIR: egressc's temporaries in DIR and beside it
	find "$1" "$(dirname "$1")" -maxdepth 1 -name '.*egressc-*' | wc -l
}

for how in swap journal; do
	out=$T/out-$how
	rm -rf "$out" "$T/ref-old" "$T/ref-new"
	cp -r "$T/old" "$T/ref-old"
	cp -r "$T/new" "$T/ref-new"
	if [ $how = journal ]; then
		echo "not egressc's" >"$T/ref-old/README"
		echo "not egressc's" >"$T/ref-new/README"
	fi
	n=1
	while [ $n -lt 40 ]; do
		rm -rf "$out"
		cp -r "$T/ref-old" "$out"
		EGRESSC_FAIL_RENAME=$n "$EG" compile -t all -o "$out" \
		    --lock "$L" "$T/v/new.yaml" >/dev/null 2>"$T/err"
		rc=$?
		[ $rc -eq 0 ] && break
		is "$rc" 3 "$how: rename $n fails: exit 3"
		same "$out" "$T/ref-old"
		ok $? "$how: rename $n fails: DIR holds the old set, byte for byte"
		is "$(temps "$out")" 0 "$how: rename $n fails: no temporaries"
		n=$((n + 1))
	done
	ok $(( n > 1 && n < 40 ? 0 : 1 )) "$how: $((n - 1)) renames that can fail"
	same "$out" "$T/ref-new"
	ok $? "$how: with no failure DIR holds the new set"
	is "$(temps "$out")" 0 "$how: and no temporaries"

	# kill -9 at random moments.
	mixed=0
	left=0
	i=0
	while [ $i -lt 25 ]; do
		rm -rf "$out"
		cp -r "$T/ref-old" "$out"
		"$EG" compile -t all -o "$out" --lock "$L" "$T/v/new.yaml" \
		    >/dev/null 2>&1 &
		pid=$!
		sleep "0.0$(/usr/bin/python3 -c 'import random; print("%02d" % random.randrange(100))')"
		kill -9 $pid 2>/dev/null
		wait $pid 2>/dev/null
		# The next run finishes a journal before it reads its policy.
		"$EG" compile -t all -o "$out" --lock "$L" "$T/v/missing.yaml" \
		    >/dev/null 2>&1
		if ! same "$out" "$T/ref-old" && ! same "$out" "$T/ref-new"; then
			mixed=$((mixed + 1))
		fi
		left=$((left + $(temps "$out")))
		i=$((i + 1))
	done
	is "$mixed" 0 "$how: kill -9 at 25 random moments: never a mix"
	is "$left" 0 "$how: ...and the next run removes the killed runs' temporaries"
done

# A file is written as it is made, a piece at a time: a write that fails
# part way (a file size limit, so EFBIG: a full disk would fail the same
# way) leaves DIR as it was, for both ways of committing, and names the
# file.  The 300-rule set's netsh, PowerShell and nftables files are each
# some 500 KiB, past the first piece, so they fail mid-text.
for how in swap journal; do
	out=$T/fsize-$how
	rm -rf "$out"
	cp -r "$T/old" "$out"
	[ $how = journal ] && echo "not egressc's" >"$out/README"
	cp -r "$out" "$T/fsize-ref"
	sh -c 'trap "" XFSZ; ulimit -f 256; exec "$@"' sh "$EG" compile -t all \
	    -o "$out" --lock "$L" "$T/v/new.yaml" >/dev/null 2>"$T/err"
	is $? 3 "$how: a write fails part way: exit 3"
	grep -q "error: $out/web.netsh.cmd: File too large" "$T/err"
	ok $? "$how: ...naming the file and the error"
	same "$out" "$T/fsize-ref"
	ok $? "$how: ...DIR holds the old set, byte for byte"
	is "$(temps "$out")" 0 "$how: ...and no temporaries"
	rm -rf "$T/fsize-ref"
done

# Modes: a replaced file keeps its mode; a new file honours the umask.
rm -rf "$T/m"
(umask 027; "$EG" compile -t nftables -o "$T/m" --lock "$L" "$T/v/web.yaml" \
    2>/dev/null)
is "$(stat -c %a "$T/m/web.nft")" 640 "umask 027: a new file is 0640"
chmod 600 "$T/m/web.nft"
"$EG" compile -t nftables -o "$T/m" --lock "$L" "$T/v/new.yaml" 2>/dev/null
is "$(stat -c %a "$T/m/web.nft")" 600 "a replaced 0600 file stays 0600"
touch "$T/m/README"
chmod 604 "$T/m/web.nft"
"$EG" compile -t nftables -o "$T/m" --lock "$L" "$T/v/web.yaml" 2>/dev/null
is "$(stat -c %a "$T/m/web.nft")" 604 "...through the journal too"
(umask 077; "$EG" compile -t pf -o "$T/m" --lock "$L" "$T/v/web.yaml" \
    2>/dev/null)
is "$(stat -c %a "$T/m/web.pf.conf")" 600 "umask 077: a new file is 0600"
ls -a "$T/m" | grep -q egressc-
ok $(( $? == 0 ? 1 : 0 )) "no temporaries left"

# compile -o . leaves the shell's working directory in place (no swap).
mkdir "$T/cwd"
ino=$(stat -c %i "$T/cwd")
(cd "$T/cwd" && "$EG" compile -t nftables -o . --lock "$L" "$T/v/web.yaml" \
    2>/dev/null && "$EG" compile -t nftables -o . --lock "$L" \
    "$T/v/new.yaml" 2>/dev/null && [ -f ./web.nft ])
ok $? "compile -o . twice: the files are in the working directory"
is "$(stat -c %i "$T/cwd")" "$ino" "...which is still the same directory"

# Another policy's files in DIR are carried over by the swap.
rm -rf "$T/two"
"$EG" compile -t nftables -o "$T/two" --lock "$L" "$T/v/web.yaml" 2>/dev/null
sed 's/^name: web/name: db/' "$T/v/web.yaml" >"$T/v/db.yaml"
"$EG" compile -t nftables -o "$T/two" --lock "$L" "$T/v/db.yaml" 2>/dev/null
[ -f "$T/two/web.nft" ] && [ -f "$T/two/db.nft" ]
ok $? "two policies into one DIR: both sets stay"

# A file whose bytes do not change is left as it is: same inode, same
# mtime.  stamps DIR: each file's name, inode and mtime (nanoseconds).
stamps() {
	(cd "$1" && stat -c '%n %i %y' -- *)
}
for how in swap journal; do
	out=$T/same-$how
	rm -rf "$out"
	cp -r "$T/old" "$out"
	[ $how = journal ] && echo "not egressc's" >"$out/README"
	before=$(stamps "$out")
	sleep 0.01
	"$EG" compile -t all -o "$out" --lock "$L" "$T/v/web.yaml" 2>/dev/null
	ok $? "$how: the same policy again compiles"
	is "$(stamps "$out")" "$before" \
	    "$how: ...and every file keeps its inode and mtime"
	is "$(temps "$out")" 0 "$how: ...with no temporaries"

	# The old file spoilt where the text is compared: its first byte, a
	# byte past the first 256 KiB piece (the 300-rule netsh file is some
	# 500 KiB), its last byte, one byte short, one byte more.  Each time
	# that file is written again, whole, and only that file.
	f=$out/web.netsh.cmd
	size=$(stat -c %s "$f")
	for spoil in first middle last short long; do
		case $spoil in
		first)	printf 'X' | dd of="$f" bs=1 seek=0 conv=notrunc \
			    2>/dev/null ;;
		middle)	printf 'X' | dd of="$f" bs=1 seek=300000 conv=notrunc \
			    2>/dev/null ;;
		last)	printf 'X' | dd of="$f" bs=1 seek=$((size - 1)) \
			    conv=notrunc 2>/dev/null ;;
		short)	truncate -s $((size - 1)) "$f" ;;
		long)	printf 'X' >>"$f" ;;
		esac
		ino=$(stat -c %i "$f")
		others=$(stamps "$out" | grep -v '^web.netsh.cmd \|^README ')
		"$EG" compile -t all -o "$out" --lock "$L" "$T/v/web.yaml" \
		    2>/dev/null
		ok $? "$how: netsh file spoilt ($spoil): compiles"
		cmp -s "$f" "$T/old/web.netsh.cmd"
		ok $? "$how: ...the file is the compiled one, byte for byte"
		ok $(( $(stat -c %i "$f") != ino ? 0 : 1 )) \
		    "$how: ...written anew, not patched in place"
		is "$(stamps "$out" | grep -v '^web.netsh.cmd \|^README ')" \
		    "$others" "$how: ...the other files left as they are"
		is "$(temps "$out")" 0 "$how: ...no temporaries"
	done
	# The policy changed where some files say it (its comments): those
	# are replaced, the others (the iptables pair, ipsets and dnsmasq
	# have no comments) stay.
	keep=$(stamps "$out" | grep '^web.rules.v[46] \|^web.ipset ')
	ino=$(stat -c %i "$out/web.nft")
	mkdir -p "$T/v2"
	cp "$T/v/new.yaml" "$T/v2/web.yaml"
	"$EG" compile -t all -o "$out" --lock "$L" "$T/v2/web.yaml" 2>/dev/null
	ok $? "$how: the policy changed: compiles"
	"$EG" compile -t all -o "$T/ref2-$how" --lock "$L" "$T/v2/web.yaml" \
	    2>/dev/null
	rm -f "$out/README"
	same "$out" "$T/ref2-$how"
	ok $? "$how: ...DIR holds the new set"
	is "$(stamps "$out" | grep '^web.rules.v[46] \|^web.ipset ')" "$keep" \
	    "$how: ...files it does not change keep inode and mtime"
	ok $(( $(stat -c %i "$out/web.nft") != ino ? 0 : 1 )) \
	    "$how: ...a file it changes is new"
done
done_testing
