#!/bin/sh
# generated.t - grammar/*.schema.json are what tests/schema/schemas.py
# writes, and its tables of good and bad addresses, ports and names hold.
root=$(cd "$(dirname "$0")/../.." && pwd)
echo "1..1"
if out=$(/usr/bin/python3 "$root/tests/schema/schemas.py" 2>&1); then
	echo "ok 1 - grammar/*.schema.json match tests/schema/schemas.py"
else
	echo "not ok 1 - grammar/*.schema.json match tests/schema/schemas.py"
	printf '%s\n' "$out" | sed 's/^/# /'
	exit 1
fi
