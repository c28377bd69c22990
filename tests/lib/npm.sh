#!/bin/sh
# Install the test-only npm tools (tests/package.json: ajv-cli, yaml,
# tree-sitter-powershell, web-tree-sitter) into tests/node_modules with
# `npm ci`, when node_modules is missing or was installed from another
# package-lock.json.  The schema tests and the PowerShell grammar test
# (tests/ps1/grammar.t) need them; without node they skip, except under
# CI=true where a missing tool must fail the run.
cd "$(dirname "$0")/.." || exit 1   # tests/: package.json, node_modules

fail() {
	echo "egressc: $*" >&2
	[ "$CI" = true ] && exit 1
	echo "egressc: the schema and PowerShell grammar tests will be skipped" >&2
	exit 0
}

# Debian's nodejs and npm, when node is not on PATH at all.  A node from
# elsewhere (which may bundle npm and conflict with Debian's npm) is left be.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	[ "$(id -u)" = 0 ] || fail "node and npm are missing: apt-get install nodejs npm"
	echo "egressc: installing nodejs npm" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null 2>&1 || true
	apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null ||
		fail "apt-get install nodejs npm failed"
fi

stamp=node_modules/.egressc-lock
want=$(cksum < package-lock.json)
if [ -x node_modules/.bin/ajv ] &&
    [ -f node_modules/tree-sitter-powershell/tree-sitter-powershell.wasm ] &&
    [ -f "$stamp" ] &&
    [ "$(cat "$stamp")" = "$want" ]; then
	exit 0
fi
echo "egressc: npm ci (ajv-cli, yaml, tree-sitter-powershell, web-tree-sitter)" >&2
npm ci --no-audit --no-fund --loglevel=error >&2 ||
	fail "npm ci failed"
printf '%s\n' "$want" > "$stamp"
