#!/bin/sh
# The pre-commit hooks of .pre-commit-hooks.yaml, run by Debian's
# pre-commit in a throw-away git repository that keeps a policy and its
# rendered rules: a fresh output passes, a policy changed without
# re-rendering fails the commit (egressc-check), a shadowed rule fails it
# (egressc-lint), and re-rendering lets it through.
. "$(dirname "$0")/../lib/tap.sh"
need command -v pre-commit
need command -v git

# The hooks as this tree has them, committed in a clone of their own.
git clone -q "$ROOT" "$T/hooks" 2>/dev/null || git init -q "$T/hooks"
cp .pre-commit-hooks.yaml "$T/hooks/"
git -C "$T/hooks" add .pre-commit-hooks.yaml
git -C "$T/hooks" -c user.name=t -c user.email=t@example.org \
    commit -q -m hooks --allow-empty
rev=$(git -C "$T/hooks" rev-parse HEAD)

mkdir -p "$T/bin" "$T/repo/policies/catalogs"
ln -s "$EG" "$T/bin/egressc"
export PATH="$T/bin:$PATH" PRE_COMMIT_HOME="$T/cache"
cd "$T/repo" || exit 1
git init -q .
git config user.name t
git config user.email t@example.org
cp "$ROOT/policies/heygen-livekit.yaml" "$ROOT/policies/heygen-livekit.example.lock" policies/
cp "$ROOT/policies/catalogs/livekit-cloud.yaml" policies/catalogs/
cat >.pre-commit-config.yaml <<EOC
repos:
  - repo: $T/hooks
    rev: $rev
    hooks:
      - id: egressc-check
        args: [-o, rendered, --lock, policies/heygen-livekit.example.lock,
               policies/heygen-livekit.yaml]
      - id: egressc-lint
        args: [--lock, policies/heygen-livekit.example.lock,
               policies/heygen-livekit.yaml]
EOC
egressc compile -o rendered --lock policies/heygen-livekit.example.lock \
    policies/heygen-livekit.yaml 2>/dev/null
ok $? "rendered the policy"
pre-commit install >/dev/null 2>&1; ok $? "pre-commit install"
git add -A
git commit -q -m "policy and its rules" >"$T/log" 2>&1
ok $? "fresh outputs: the commit goes through" || sed 's/^/# /' "$T/log" | tail -15

sed -i 's|webrtc-tcp: \[tcp/7881\]|webrtc-tcp: [tcp/7882]|' policies/heygen-livekit.yaml
git add -A
git commit -q -m "port changed, rules not re-rendered" >"$T/log" 2>&1
is $? 1 "a stale output fails the commit"
grep -q "egressc check.*Failed" "$T/log"; ok $? "...in egressc-check"
grep -q "^+++ b/heygen-livekit.nft" "$T/log"; ok $? "...with a diff of the stale file"
egressc compile -o rendered --lock policies/heygen-livekit.example.lock \
    policies/heygen-livekit.yaml 2>/dev/null
git add -A
git commit -q -m "port changed, rules re-rendered" >"$T/log" 2>&1
ok $? "re-rendered: the commit goes through" || sed 's/^/# /' "$T/log" | tail -15

# A rule an earlier rule takes every packet of: lint --strict refuses it.
cat >>policies/heygen-livekit.yaml <<'EOY'
  - name: api-again
    tier: minimum
    to: [api.heygen.com]
    ports: [https]
EOY
egressc compile -o rendered --lock policies/heygen-livekit.example.lock \
    policies/heygen-livekit.yaml 2>/dev/null
git add -A
git commit -q -m "a redundant rule" >"$T/log" 2>&1
is $? 1 "a redundant rule fails the commit"
grep -q "egressc lint --strict.*Failed" "$T/log"; ok $? "...in egressc-lint"
grep -q "rule 'api-again' is redundant" "$T/log"; ok $? "...naming the rule"
done_testing
