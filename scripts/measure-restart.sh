#!/usr/bin/env bash
# measure-restart.sh ROOT LABEL PREFIX: restart `run` on an already synced prefix, change one product name at spawn,
# time until that item arrives downstream; samples RssAnon/RssFile peaks of the process meanwhile.
set -euo pipefail
ROOT=$1; LABEL=$2; PREFIX=$3
HERE="$(cd "$(dirname "$0")/.." && pwd)"; cd "$HERE"; eval "$(scripts/stack.sh env)"
PORT=18901; OUT=/tmp/recv-$LABEL.jsonl; rm -f $OUT
node "$HERE/dist/cli/index.js" receiver --port $PORT --out $OUT >/dev/null 2>&1 & RPID=$!
sleep 2
export CDC_PREFIX="$PREFIX" CDC_MYSQL_DATABASE=bench100k CDC_PUBLISHER_BASE_URL="http://127.0.0.1:$PORT" CDC_DASHBOARD_ENABLED=false CDC_LOG_LEVEL=warn CDC_EXPORTER_STATE_DIR=/tmp/state-$LABEL
NAME="restart probe $LABEL $(date +%s%N)"
start=$(date +%s.%N)
(cd "$ROOT" && exec node dist/cli/index.js run) 2>/tmp/restart-$LABEL.log & PID=$!
mariadb --no-defaults -h127.0.0.1 -P3407 -ucdc_admin -pcdc_admin_pw bench100k -e "UPDATE catalog_product_entity_varchar v JOIN eav_attribute a ON a.attribute_id=v.attribute_id AND a.attribute_code='name' AND a.entity_type_id=4 SET v.value='$NAME' WHERE v.entity_id=1 AND v.store_id=0"
anon=0; file=0
until grep -q "$NAME" $OUT 2>/dev/null; do
  kill -0 $PID 2>/dev/null || { echo "run died"; break; }
  a=$(awk '/RssAnon/{print $2}' /proc/$PID/status); f=$(awk '/RssFile/{print $2}' /proc/$PID/status)
  [ "$a" -gt "$anon" ] && anon=$a; [ "$f" -gt "$file" ] && file=$f
  sleep 0.2
done
now=$(date +%s.%N)
echo "$LABEL restart: first live change downstream $(awk "BEGIN{printf \"%.1f\", $now - $start}") s after spawn; peak RssAnon $((anon/1024)) MB, RssFile $((file/1024)) MB, VmHWM $(( $(awk '/VmHWM/{print $2}' /proc/$PID/status) / 1024 )) MB"
kill $PID $RPID 2>/dev/null || true
