#!/bin/sh
# Install the named Debian packages that are missing. As root, apt-get does
# it; otherwise we say which are missing and fail, so a build never half-works.
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "egressc: missing Debian packages:$missing" >&2
	echo "egressc: run: sudo apt-get install$missing" >&2
	exit 1
fi
echo "egressc: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Test packages are tools, not services: coturn's package would otherwise
# start a TURN server on every interface of the host.  policy-rc.d 101
# tells invoke-rc.d and deb-systemd-invoke not to start anything.
rcd=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	rcd=/usr/sbin/policy-rc.d
	printf '#!/bin/sh\nexit 101\n' >"$rcd" && chmod 755 "$rcd"
fi
apt-get update -qq >/dev/null 2>&1 || true
apt-get install -y -qq --no-install-recommends $missing >/dev/null
rc=$?
[ -n "$rcd" ] && rm -f "$rcd"
[ $rc -eq 0 ] ||
	{ echo "egressc: apt-get install$missing failed" >&2; exit 1; }
