#!/bin/sh
# The Debian package: dpkg-buildpackage -us -uc -b builds
# egressc_VERSION_<arch>.deb from a copy of this tree, lintian finds no
# error and no warning in it, and the binary unpacked into a throw-away
# root (dpkg -x) compiles the installed policy with the installed example
# lock to the golden bytes.
. "$(dirname "$0")/../lib/tap.sh"
need command -v dpkg-buildpackage
need command -v dh
need command -v lintian

V=$(cat VERSION)
S="$T/src/egressc-$V"
mkdir -p "$S"
git ls-files --cached --others --exclude-standard -z |
    (cd "$ROOT" && xargs -0 cp --parents -t "$S") 2>"$T/cp"
ok $? "a copy of the tree" || sed 's/^/# /' "$T/cp" | head -5
(cd "$S" && dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1
ok $? "dpkg-buildpackage -us -uc -b" || tail -20 "$T/build.log" | sed 's/^/# /'
arch=$(dpkg --print-architecture)
deb="$T/src/egressc_${V}_$arch.deb"
[ -f "$deb" ]; ok $? "builds egressc_${V}_$arch.deb"
lintian --allow-root "$deb" >"$T/lintian" 2>&1
ok $? "lintian exits 0"
grep -E '^[EW]: ' "$T/lintian" >"$T/bad"
[ ! -s "$T/bad" ]; ok $? "lintian: no errors, no warnings" || sed 's/^/# /' "$T/bad" | head -10

dpkg -x "$deb" "$T/root"
ok $? "dpkg -x into a throw-away root"
D="$T/root/usr/share/egressc"
for f in usr/bin/egressc usr/share/man/man1/egressc.1.gz \
    usr/share/man/man5/egressc-policy.5.gz usr/share/egressc/heygen-livekit.yaml \
    usr/share/egressc/heygen-livekit.example.lock \
    usr/share/egressc/catalogs/livekit-cloud.yaml \
    usr/share/egressc/schema/policy.schema.json \
    usr/share/bash-completion/completions/egressc \
    usr/share/zsh/vendor-completions/_egressc; do
	[ -f "$T/root/$f" ]; ok $? "installs /$f"
done
dpkg-deb -f "$deb" Depends | grep -q 'libnftnl' ; ok $? "Depends from shlibs names libnftnl"
"$T/root/usr/bin/egressc" compile -t all -o "$T/out" \
    --lock "$D/heygen-livekit.example.lock" "$D/heygen-livekit.yaml" 2>"$T/err"
ok $? "the installed binary compiles the installed policy" || sed 's/^/# /' "$T/err"
for want in tests/golden/heygen-livekit/*; do
	f=$(basename "$want")
	sed "s|$D/|policies/|g" "$T/out/$f" | cmp -s - "$want"
	ok $? "...$f is the golden file (paths aside)"
done
done_testing
