#!/usr/bin/env bash
# Runs every benchmark (dist/tools/bench/*.js, built from src/tools/bench/*.ts) against the local stack.
# Each prints lines `BENCH <name>=<value>`; the summary at the end repeats them all.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/stack.sh env)"
out="$(mktemp)"
for b in dist/tools/bench/*.js; do
  [ -e "$b" ] || continue
  case "$b" in *.test.js|*/common*.js|*/lib-*.js) continue ;; esac
  echo "== $b"
  node --expose-gc "$b" | tee -a "$out"
done
echo "== summary"
grep '^BENCH ' "$out" || echo "no benchmark printed a BENCH line"
rm -f "$out"
