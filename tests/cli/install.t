#!/bin/sh
# make install PREFIX=... DESTDIR=...: the binary, both man pages and the
# templates land where they should, and the installed binary finds its
# templates under PREFIX/share/egressc without help.
. "$(dirname "$0")/../lib/tap.sh"

make -s install PREFIX=/opt/egressc DESTDIR="$T/root" \
    >"$T/log" 2>&1
ok $? "make install succeeds"
R="$T/root/opt/egressc"
[ -x "$R/bin/egressc" ]; ok $? "bin/egressc installed"
[ -f "$R/share/man/man1/egressc.1" ] && [ -f "$R/share/man/man5/egressc-policy.5" ]
ok $? "man pages installed"
[ -f "$R/share/egressc/templates/nftables.tmpl" ]; ok $? "templates installed"
env -u EGRESSC_TEMPLATES "$R/bin/egressc" compile -t nftables \
    --lock policies/heygen-livekit.example.lock policies/heygen-livekit.yaml \
    >"$T/out" 2>/dev/null
ok $? "the installed binary compiles"
cmp -s "$T/out" tests/golden/heygen-livekit/heygen-livekit.nft
ok $? "...with the installed templates, giving the golden bytes"
done_testing
