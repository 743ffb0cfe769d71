#!/usr/bin/env bash
# The 100,000-product figures of issue 19: seed once with
#   node dist/cli/index.js seed --host 127.0.0.1 --port 3407 --user cdc_admin --password cdc_admin_pw --database bench100k --create-schema --products 100000 --orders 10000
# ROOT is the checkout whose dist/ runs (another build to compare, or this one).
# measure-run.sh ROOT LABEL: `commerce-cdc run` (all feeds, one process) from ROOT's dist against bench100k;
# time from spawn until the receiver has been quiet for 20 s after the last item, and the run's peak RSS.
set -euo pipefail
ROOT=$1; LABEL=$2
HERE="$(cd "$(dirname "$0")/.." && pwd)"; cd "$HERE"; eval "$(scripts/stack.sh env)"
PORT=18900
node "$HERE/dist/cli/index.js" receiver --port $PORT >/dev/null 2>&1 & RPID=$!
sleep 2
export CDC_PREFIX="m100k$LABEL$(date +%s)" CDC_MYSQL_DATABASE=bench100k CDC_PUBLISHER_BASE_URL="http://127.0.0.1:$PORT" CDC_DASHBOARD_ENABLED=false CDC_LOG_LEVEL=warn CDC_EXPORTER_STATE_DIR=/tmp/state-$LABEL
rm -rf /tmp/state-$LABEL
start=$(date +%s.%N)
(cd "$ROOT" && exec node dist/cli/index.js run) 2>/tmp/run-$LABEL.log & PID=$!
last=0; lastchange=$(date +%s.%N); anon=0; file=0
while kill -0 $PID 2>/dev/null; do
  a=$(awk '/RssAnon/{print $2}' /proc/$PID/status); f=$(awk '/RssFile/{print $2}' /proc/$PID/status)
  [ "$a" -gt "$anon" ] && anon=$a; [ "$f" -gt "$file" ] && file=$f
  n=$(curl -s http://127.0.0.1:$PORT/_control/received | sed -E 's/.*"items":([0-9]+).*/\1/')
  now=$(date +%s.%N)
  if [ "$n" != "$last" ]; then last=$n; lastchange=$now; fi
  if [ "$last" -gt 0 ] && awk "BEGIN{exit !($now - $lastchange > 20)}"; then break; fi
  sleep 1
done
hwm=$(grep VmHWM /proc/$PID/status | awk '{print $2}')
echo "$LABEL: items=$last initial_sync_s=$(awk "BEGIN{printf \"%.1f\", $lastchange - $start}") peak_rss_mb=$((hwm/1024)) peak_anon_mb=$((anon/1024)) peak_file_mb=$((file/1024)) prefix=$CDC_PREFIX"
kill $PID $RPID 2>/dev/null || true
