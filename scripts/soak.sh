#!/usr/bin/env bash
# make soak: the fault project SOAK_RUNS times (default 20), each run against a fresh
# stack of its own (the tests that make private stacks make theirs fresh too), then
# one table: run, test, result, seconds, changes, lost, doubled (from each test's
# FAULT-SUMMARY line). A failed run keeps its stack dir (MariaDB, Kafka and registry
# logs, the vitest output) as .stack/soak-failed-<run>-<time>; a failed test's own
# private stack is kept by the test as .stack/failed-<label>-<time>.
# FAULT_OUTAGE_MS: the downstream outage of downstream-outage.test.ts (default here 5 minutes).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
RUNS="${SOAK_RUNS:-20}"
export FAULT_OUTAGE_MS="${FAULT_OUTAGE_MS:-300000}"
rows="$(mktemp)"
failed=0
for run in $(seq 1 "$RUNS"); do
  base=$((22500 + (run % 40) * 10))
  dir="$ROOT/.stack/soak-$run-$base"
  rm -rf "$dir"
  stackenv=(CDC_STACK_DIR="$dir" CDC_STACK_CACHE="$ROOT/.stack/cache" CDC_MYSQL_PORT=$((base + 1)) CDC_KAFKA_PORT=$((base + 2)) CDC_KAFKA_CONTROLLER_PORT=$((base + 3)) CDC_REGISTRY_PORT=$((base + 4)))
  echo "== soak run $run/$RUNS (stack $dir)"
  if ! env "${stackenv[@]}" scripts/stack.sh up >"$ROOT/.stack/soak-$run.up.log" 2>&1; then
    echo "$run	(stack)	fail	0	-	-	-" >>"$rows"
    failed=1
    mkdir -p "$dir" && mv "$ROOT/.stack/soak-$run.up.log" "$dir/" 
    env "${stackenv[@]}" scripts/stack.sh down >/dev/null 2>&1
    mv "$dir" "$ROOT/.stack/soak-failed-$run-$(date -u +%Y%m%dT%H%M%S)"
    continue
  fi
  rm -f "$ROOT/.stack/soak-$run.up.log"
  env "${stackenv[@]}" CDC_KAFKA_BROKERS="127.0.0.1:$((base + 2))" CDC_REGISTRY_URL="http://127.0.0.1:$((base + 4))/apis/ccompat/v7" \
    npx vitest run --project fault --project fault-long --reporter=default --reporter=json --outputFile="$dir/report.json" >"$dir/test.log" 2>&1
  rc=$?
  node scripts/soak-table.mjs "$run" "$dir/report.json" "$dir/test.log" >>"$rows"
  tail -n 8 "$dir/test.log" | grep -E 'Tests|Test Files' || true
  env "${stackenv[@]}" scripts/stack.sh down >/dev/null 2>&1
  if [ "$rc" -ne 0 ]; then
    failed=1
    kept="$ROOT/.stack/soak-failed-$run-$(date -u +%Y%m%dT%H%M%S)"
    mv "$dir" "$kept"
    echo "   run $run failed: kept $kept"
  else
    rm -rf "$dir"
  fi
done
echo
{ printf 'run\ttest\tresult\tseconds\tchanges\tlost\tdoubled\n'; cat "$rows"; } | column -t -s $'\t'
echo
echo "$(awk -F'\t' '$3 == "pass"' "$rows" | wc -l) passed, $(awk -F'\t' '$3 != "pass"' "$rows" | wc -l) failed of $(wc -l <"$rows") test runs ($RUNS runs)"
rm -f "$rows"
exit "$failed"
