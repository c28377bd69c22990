#!/bin/sh
# run.sh - `make run` after the build: resolve the shipped HeyGen/LiveKit
# policy for real when this machine can reach DNS, else say loudly that the
# example lock (documentation addresses) is used; then compile it for every
# target into out/.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
EG=${EGRESSC:-./egressc}
POLICY=policies/heygen-livekit.yaml
EXAMPLE=policies/heygen-livekit.example.lock
LOCK=out/heygen-livekit.lock

mkdir -p out || exit 2
err=$(mktemp /tmp/egressc-run.XXXXXX) || exit 2
trap 'rm -f "$err"' EXIT
echo "egressc: resolving the hosts of $POLICY (timeout 2 s)..."
if "$EG" resolve --timeout 2000 --lock "$LOCK" "$POLICY" 2>"$err"; then
	cat "$err" >&2
	echo "egressc: wrote $LOCK from real DNS answers"
else
	LOCK=$EXAMPLE
	{
		echo
		echo "######################################################################"
		echo "##"
		echo "##  WARNING: DNS RESOLUTION FAILED (no network on this machine?)"
		echo "##"
		grep ': error: ' "$err" | head -3 | sed 's/^/##    /'
		[ "$(grep -c ': error: ' "$err")" -gt 3 ] && echo "##    ..."
		echo "##"
		echo "##  COMPILING WITH THE EXAMPLE LOCK $EXAMPLE:"
		echo "##  DOCUMENTATION ADDRESSES (192.0.2.0/24, 198.51.100.0/24,"
		echo "##  2001:db8::/32), NOT the real addresses of HeyGen or LiveKit."
		echo "##  Every file in out/ says so in its header.  Do not load these"
		echo "##  rules on a real machine: where DNS works, run"
		echo "##      ./egressc resolve --lock out/heygen-livekit.lock $POLICY"
		echo "##  (or make run again) and compile again."
		echo "##"
		echo "######################################################################"
		echo
	} >&2
fi
"$EG" compile -t all -o out --lock "$LOCK" "$POLICY" || exit $?
echo "egressc: compiled $POLICY for every target into out/ (lock: $LOCK):"
ls -1 out | grep -v '\.lock$' | sed 's/^/    out\//'
