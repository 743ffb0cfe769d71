#!/usr/bin/env bash
# make demo: seeds a Commerce catalog, starts the sample receiver and the
# connector in the background (logs under .demo/), waits for the initial sync,
# then makes live changes (a price, a name in one store view, a deleted product)
# and shows each one arriving downstream. Ctrl-C stops everything; run without a
# terminal it leaves the processes running and prints how to stop them.
#
# Settings (environment): DEMO_DATABASE (commerce_demo), DEMO_PRODUCTS (2000),
# DEMO_RECEIVER_PORT (8787), CDC_DASHBOARD_PORT (8686), the CDC_* variables of the
# local stack (scripts/stack.sh) and DEMO_ADMIN_USER/DEMO_ADMIN_PASSWORD, a user
# allowed to write the demo database.
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=.demo
DB=${DEMO_DATABASE:-commerce_demo}
PRODUCTS=${DEMO_PRODUCTS:-2000}
RECEIVER_PORT=${DEMO_RECEIVER_PORT:-8787}
ADMIN_USER=${DEMO_ADMIN_USER:-cdc_admin}
ADMIN_PASSWORD=${DEMO_ADMIN_PASSWORD:-cdc_admin_pw}
# a fresh prefix per demo: the in-memory registry forgets schemas when it restarts
PREFIX=demo_$(date +%Y%m%d%H%M%S)

export CDC_PREFIX=$PREFIX
export CDC_MYSQL_HOST=${CDC_MYSQL_HOST:-127.0.0.1}
export CDC_MYSQL_PORT=${CDC_MYSQL_PORT:-3407}
export CDC_MYSQL_USER=${CDC_MYSQL_USER:-cdc}
export CDC_MYSQL_PASSWORD=${CDC_MYSQL_PASSWORD:-cdc_pw}
export CDC_MYSQL_DATABASE=$DB
export CDC_MYSQL_SERVER_ID=${CDC_MYSQL_SERVER_ID:-$((6000 + RANDOM % 1000))}
export CDC_KAFKA_BROKERS=${CDC_KAFKA_BROKERS:-127.0.0.1:19092}
export CDC_REGISTRY_URL=${CDC_REGISTRY_URL:-http://127.0.0.1:18081/apis/ccompat/v7}
export CDC_PUBLISHER_BASE_URL=http://127.0.0.1:$RECEIVER_PORT
export CDC_DASHBOARD_PORT=${CDC_DASHBOARD_PORT:-8686}
export CDC_LOG_LEVEL=${CDC_LOG_LEVEL:-info}

CLI=(node dist/cli/index.js)
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
sql() { mariadb --no-defaults -h "$CDC_MYSQL_HOST" -P "$CDC_MYSQL_PORT" -u "$ADMIN_USER" -p"$ADMIN_PASSWORD" -N -B "$DB" -e "$1"; }

mkdir -p "$DIR"
[ -f dist/cli/index.js ] || { echo "dist/cli/index.js missing: run make build first" >&2; exit 1; }
for pidfile in "$DIR"/receiver.pid "$DIR"/connector.pid; do
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "a previous demo is still running (pid $(cat "$pidfile")); stop it with: kill \$(cat $DIR/*.pid)" >&2
    exit 1
  fi
done

say "Seeding $PRODUCTS products into database $DB"
"${CLI[@]}" seed --create-schema --force --products "$PRODUCTS" --database "$DB" --user "$ADMIN_USER" --password "$ADMIN_PASSWORD"

say "Starting the sample receiver on port $RECEIVER_PORT and the connector (prefix $PREFIX)"
RECEIVED=$DIR/received.jsonl
: >"$RECEIVED"
"${CLI[@]}" receiver --port "$RECEIVER_PORT" --out "$RECEIVED" >"$DIR/receiver.log" 2>&1 &
echo $! >"$DIR/receiver.pid"
"${CLI[@]}" run >"$DIR/connector.log" 2>&1 &
echo $! >"$DIR/connector.pid"

stop() {
  say "Stopping"
  for pidfile in "$DIR"/connector.pid "$DIR"/receiver.pid; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -f "$DIR"/*.pid
}
INTERACTIVE=0
[ -t 0 ] && INTERACTIVE=1
if [ "$INTERACTIVE" = 1 ]; then trap 'stop; exit 0' INT TERM; fi

echo "status page:   http://127.0.0.1:$CDC_DASHBOARD_PORT/"
echo "logs:          $DIR/connector.log, $DIR/receiver.log; items received: $RECEIVED"
echo "status:        CDC_PREFIX=$PREFIX CDC_MYSQL_DATABASE=$DB ${CLI[*]} status"

say "Waiting for the initial sync (no item of any feed pending)"
started=$(date +%s)
while :; do
  if ! kill -0 "$(cat "$DIR/connector.pid")" 2>/dev/null; then
    echo "the connector stopped; the end of $DIR/connector.log:" >&2
    tail -n 20 "$DIR/connector.log" >&2
    exit 1
  fi
  line=$("${CLI[@]}" status --json 2>/dev/null | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      try { const r = JSON.parse(s); const p = r.feeds.find((f) => f.feed === "products");
        const pending = r.feeds.reduce((a, f) => a + f.pending, 0);
        console.log(p ? `${p.items} ${p.sent} ${pending} ${p.failed}` : "0 0 0 0"); } catch { console.log("0 0 0 0"); } });') || line="0 0 0 0"
  read -r items sent pending failed <<<"$line"
  printf '\r  products: %s items, %s sent, %s failed; all feeds: %s pending (%ss)   ' "$items" "$sent" "$failed" "$pending" "$(($(date +%s) - started))"
  if [ "$items" -gt 0 ] && [ "$pending" -eq 0 ]; then break; fi
  if [ $(($(date +%s) - started)) -gt 900 ]; then echo; echo "initial sync not done after 15 minutes; see $DIR/connector.log" >&2; exit 1; fi
  sleep 3
done
echo
"${CLI[@]}" status 2>/dev/null | head -n 20

# waits for the next line of the receiver's file that names the sku (and a pattern)
await_item() {
  local from=$1 sku=$2 pattern=$3 what=$4 deadline=$(($(date +%s) + 120))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    local hit
    hit=$(tail -n +"$((from + 1))" "$RECEIVED" | grep -F "\"$sku\"" | grep -E "$pattern" | head -n 1 || true)
    if [ -n "$hit" ]; then
      echo "  arrived downstream ($what):"
      printf '%s\n' "$hit" | node -e '
        let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
          const r = JSON.parse(s); const i = r.item;
          const pick = Object.fromEntries(Object.entries(i).filter(([k]) => /sku|name|storeViewCode|price|deleted|websiteCode|customerGroupCode|regular|final/i.test(k)));
          console.log("    /" + r.route + " " + JSON.stringify(pick).slice(0, 300)); });'
      return 0
    fi
    sleep 1
  done
  echo "  nothing arrived within 2 minutes ($what); see $DIR/connector.log" >&2
}

PRICE_ATTR=$(sql "SELECT attribute_id FROM eav_attribute WHERE attribute_code='price' AND entity_type_id=4")
NAME_ATTR=$(sql "SELECT attribute_id FROM eav_attribute WHERE attribute_code='name' AND entity_type_id=4")
read -r PID SKU <<<"$(sql "SELECT entity_id, sku FROM catalog_product_entity WHERE type_id='simple' ORDER BY entity_id LIMIT 1")"
read -r STORE_ID STORE_CODE <<<"$(sql "SELECT store_id, code FROM store WHERE store_id <> 0 ORDER BY store_id DESC LIMIT 1")"
read -r DEL_ID DEL_SKU <<<"$(sql "SELECT e.entity_id, e.sku FROM catalog_product_entity e LEFT JOIN catalog_product_super_link l ON l.product_id = e.entity_id WHERE e.type_id='simple' AND l.product_id IS NULL ORDER BY e.entity_id DESC LIMIT 1")"

say "Live change 1: the price of $SKU"
n=$(wc -l <"$RECEIVED")
sql "UPDATE catalog_product_entity_decimal SET value = value + 10 WHERE attribute_id = $PRICE_ATTR AND entity_id = $PID AND store_id = 0"
echo "  UPDATE catalog_product_entity_decimal: price + 10"
await_item "$n" "$SKU" '.' 'price'

say "Live change 2: the name of $SKU in store view $STORE_CODE"
n=$(wc -l <"$RECEIVED")
sql "INSERT INTO catalog_product_entity_varchar (attribute_id, store_id, entity_id, value) VALUES ($NAME_ATTR, $STORE_ID, $PID, 'Demo name for $STORE_CODE') ON DUPLICATE KEY UPDATE value = VALUES(value)"
echo "  name in $STORE_CODE = 'Demo name for $STORE_CODE'"
await_item "$n" "$SKU" "Demo name for $STORE_CODE" 'store-view name'

say "Live change 3: deleting product $DEL_SKU"
n=$(wc -l <"$RECEIVED")
sql "DELETE FROM catalog_product_entity WHERE entity_id = $DEL_ID"
echo "  DELETE FROM catalog_product_entity WHERE entity_id = $DEL_ID"
await_item "$n" "$DEL_SKU" '"deleted":true' 'deleted item'

say "The demo keeps running"
echo "status page:   http://127.0.0.1:$CDC_DASHBOARD_PORT/"
echo "received:      tail -f $RECEIVED"
if [ "$INTERACTIVE" = 1 ]; then
  echo "Ctrl-C stops the connector and the receiver."
  while kill -0 "$(cat "$DIR/connector.pid" 2>/dev/null)" 2>/dev/null; do sleep 2; done
  stop
else
  echo "stop it with:  kill \$(cat $DIR/connector.pid $DIR/receiver.pid)"
fi
