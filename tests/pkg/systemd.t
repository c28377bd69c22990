#!/bin/sh
# contrib/systemd: egressc-refresh@.service and .timer pass
# `systemd-analyze verify` once ExecStart names a binary that exists (the
# one under test, as make install would write it), and make install puts
# both under PREFIX/lib/systemd/system with ExecStart at PREFIX/bin.
. "$(dirname "$0")/../lib/tap.sh"
need command -v systemd-analyze

mkdir -p "$T/u"
sed "s|@BINDIR@/egressc|$EG|" contrib/systemd/egressc-refresh@.service \
    >"$T/u/egressc-refresh@test.service"
cp contrib/systemd/egressc-refresh@.timer "$T/u/egressc-refresh@test.timer"
grep -q "^ExecStart=$EG refresh " "$T/u/egressc-refresh@test.service"
ok $? "ExecStart runs egressc refresh"
(cd "$T/u" && systemd-analyze verify --man=no \
    ./egressc-refresh@test.service ./egressc-refresh@test.timer) \
    >"$T/out" 2>&1
ok $? "systemd-analyze verify: service and timer" ||
    sed 's/^/# /' "$T/out" | head -10
grep -q '^OnUnitActiveSec=5min$' contrib/systemd/egressc-refresh@.timer
ok $? "the timer runs every five minutes"
# A unit that names a binary that is not there fails the same check.
sed "s|@BINDIR@/egressc|$T/nowhere/egressc|" \
    contrib/systemd/egressc-refresh@.service >"$T/u/egressc-refresh@bad.service"
(cd "$T/u" && systemd-analyze verify --man=no ./egressc-refresh@bad.service) \
    >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "...and fails for a binary that is not there"

make -s install PREFIX=/opt/eg DESTDIR="$T/root" >"$T/inst" 2>&1
ok $? "make install" || sed 's/^/# /' "$T/inst" | head -5
U=$T/root/opt/eg/lib/systemd/system
[ -f "$U/egressc-refresh@.service" ] && [ -f "$U/egressc-refresh@.timer" ]
ok $? "make install puts both units under PREFIX/lib/systemd/system"
grep -q '^ExecStart=/opt/eg/bin/egressc refresh ' "$U/egressc-refresh@.service"
ok $? "...with ExecStart at PREFIX/bin"
done_testing
