#!/usr/bin/env bash
# The local stack, without Docker: MariaDB (binlog ROW, FULL image, FULL metadata),
# one Kafka broker in KRaft mode and Apicurio Registry, all on loopback.
#
#   scripts/stack.sh up [--tls]|down|status    the whole stack (idempotent)
#   scripts/stack.sh start|stop|restart PART   one part: mariadb | kafka | registry
#   scripts/stack.sh kill PART                 SIGKILL the part (a crash, for fault tests); start it again with start
#   scripts/stack.sh env                       prints the connection settings as shell exports
#
# State lives under $CDC_STACK_DIR (default .stack/, git-ignored). Ports are overridable.
# `up --tls` (or CDC_STACK_TLS=1) makes a CA and a server certificate with openssl under
# $CDC_STACK_DIR/tls, starts MariaDB requiring TLS and Kafka with a SASL_SSL (SCRAM-SHA-512)
# listener instead of the plaintext one; the stack dir remembers it (every later start, restart
# and env of that dir is TLS too). The registry stays plain HTTP on loopback.
# CDC_STACK_HOST: the address every part binds to and advertises (default 127.0.0.1; the network
# partition test uses the host end of a veth pair so a connector in a network namespace reaches it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK="${CDC_STACK_DIR:-$ROOT/.stack}"
HOST="${CDC_STACK_HOST:-127.0.0.1}"
# the MariaDB users' client host: loopback, or any address of HOST's /24 (the other end of the veth)
CLIENT_HOST="$HOST"; [ "$HOST" = 127.0.0.1 ] || CLIENT_HOST="${HOST%.*}.%"
MYSQL_PORT="${CDC_MYSQL_PORT:-3407}"
KAFKA_PORT="${CDC_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${CDC_KAFKA_CONTROLLER_PORT:-19093}"
REGISTRY_PORT="${CDC_REGISTRY_PORT:-18081}"
ADMIN_USER="${CDC_MYSQL_ADMIN_USER:-cdc_admin}"
ADMIN_PASSWORD="${CDC_MYSQL_ADMIN_PASSWORD:-cdc_admin_pw}"
CDC_USER="${CDC_MYSQL_USER:-cdc}"
CDC_PASSWORD="${CDC_MYSQL_PASSWORD:-cdc_pw}"
START_TIMEOUT="${CDC_STACK_START_TIMEOUT:-180}"
REGISTRY_VERSION="${CDC_REGISTRY_VERSION:-3.0.9}"
# CDC_REGISTRY_STORE=file: the registry keeps its schemas in an H2 file under its state dir (a restart keeps them)

MARIADB_DIR="$STACK/mariadb"
KAFKA_DIR="$STACK/kafka"
REGISTRY_DIR="$STACK/registry"
# downloaded artefacts, shared by every stack instance of this checkout
CACHE="${CDC_STACK_CACHE:-$ROOT/.stack/cache}"
KAFKA_LIB="$CACHE/kafka-lib"
REGISTRY_APP="$CACHE/registry-app"

die() { echo "stack: $*" >&2; exit 1; }
log() { echo "stack: $*"; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# wait_for NAME LOGFILE PIDFILE CHECK...: polls CHECK until it succeeds; names the part and its log on failure.
wait_for() {
  local name="$1" logfile="$2" pidfile="$3"; shift 3
  local deadline=$((SECONDS + START_TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    if ! pid_alive "$pidfile"; then
      die "STACK_START_FAILED: $name exited during start; see $logfile"
    fi
    if [ $SECONDS -ge $deadline ]; then
      die "STACK_START_FAILED: $name not healthy after ${START_TIMEOUT}s; see $logfile"
    fi
    sleep 0.5
  done
}

stop_pidfile() {
  local name="$1" pidfile="$2"
  if pid_alive "$pidfile"; then
    local pid; pid="$(cat "$pidfile")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; sleep 0.5; fi
    log "$name stopped (pid $pid)"
  fi
  rm -f "$pidfile"
}

# ---------------------------------------------------------------- TLS (up --tls, CDC_STACK_TLS=1)
TLS_DIR="$STACK/tls"
SASL_USER="${CDC_KAFKA_SASL_USERNAME:-cdc}"
SASL_PASSWORD="${CDC_KAFKA_SASL_PASSWORD:-cdc_scram_pw}"
# the broker's own SCRAM user for its inter-broker connections (transaction markers to itself)
BROKER_SASL_USER=broker
BROKER_SASL_PASSWORD=broker_scram_pw

# true once `up --tls` made this stack dir a TLS one, or when CDC_STACK_TLS=1 asks for it
tls_on() { [ "${CDC_STACK_TLS:-0}" = 1 ] || [ -f "$TLS_DIR/.enabled" ]; }

# a CA and a server certificate for 127.0.0.1/localhost, made once per stack dir and reused
make_certs() {
  [ -f "$TLS_DIR/.enabled" ] && [ -f "$TLS_DIR/server-keystore.pem" ] && return
  command -v openssl >/dev/null || die "STACK_MISSING_TOOL: openssl not found; install the openssl package"
  mkdir -p "$TLS_DIR"
  local out="$TLS_DIR/openssl.log"
  {
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=commerce-cdc local stack CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -keyout "$TLS_DIR/ca.key" -out "$TLS_DIR/ca.pem" &&
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$HOST" -keyout "$TLS_DIR/server.key" -out "$TLS_DIR/server.csr" &&
    printf 'subjectAltName=IP:%s,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' "$HOST" >"$TLS_DIR/server.ext" &&
    openssl x509 -req -days 825 -in "$TLS_DIR/server.csr" -CA "$TLS_DIR/ca.pem" -CAkey "$TLS_DIR/ca.key" \
      -CAcreateserial -extfile "$TLS_DIR/server.ext" -out "$TLS_DIR/server.pem"
  } >"$out" 2>&1 || die "STACK_START_FAILED: making the TLS certificates failed; see $out"
  # Kafka's PEM keystore: the (PKCS#8, unencrypted) key, then the certificate
  cat "$TLS_DIR/server.key" "$TLS_DIR/server.pem" >"$TLS_DIR/server-keystore.pem"
  chmod 600 "$TLS_DIR"/*.key "$TLS_DIR/server-keystore.pem"
  touch "$TLS_DIR/.enabled"
  log "TLS certificates made under $TLS_DIR (CA $TLS_DIR/ca.pem)"
}

# mariadbd options, one a line: TLS on every TCP connection (the root socket stays usable)
mariadb_tls_args() {
  tls_on || return 0
  printf '%s\n' "--ssl-ca=$TLS_DIR/ca.pem" "--ssl-cert=$TLS_DIR/server.pem" "--ssl-key=$TLS_DIR/server.key" --require-secure-transport=ON
}

# the TCP users may only connect over TLS
mariadb_tls_users() {
  tls_on || return 0
  mysql_admin <<SQL
ALTER USER '$ADMIN_USER'@'$CLIENT_HOST' REQUIRE SSL;
ALTER USER '$CDC_USER'@'$CLIENT_HOST' REQUIRE SSL;
SQL
}

# server.properties lines of the client listener: SASL_SSL with SCRAM-SHA-512 under --tls, else PLAINTEXT
kafka_listener_props() {
  if ! tls_on; then
    cat <<PROPS
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
PROPS
    return
  fi
  cat <<PROPS
listeners=SASL_SSL://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=SASL_SSL://$HOST:$KAFKA_PORT
inter.broker.listener.name=SASL_SSL
listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$BROKER_SASL_USER" password="$BROKER_SASL_PASSWORD";
ssl.keystore.type=PEM
ssl.keystore.location=$TLS_DIR/server-keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$TLS_DIR/ca.pem
ssl.client.auth=none
PROPS
}

# kafka-storage format arguments, one a line: the SCRAM users, stored in the cluster metadata at format time
kafka_format_args() {
  tls_on || return 0
  printf '%s\n' --add-scram "SCRAM-SHA-512=[name=$BROKER_SASL_USER,password=$BROKER_SASL_PASSWORD]" \
    --add-scram "SCRAM-SHA-512=[name=$SASL_USER,password=$SASL_PASSWORD]"
}

# a Kafka data dir formatted without --tls has no SCRAM users: refuse instead of a broker that rejects every login
kafka_tls_guard() {
  tls_on || return 0
  if [ -f "$KAFKA_DIR/data/meta.properties" ] && [ ! -f "$KAFKA_DIR/.scram" ]; then
    die "STACK_TLS_MISMATCH: $KAFKA_DIR was formatted without --tls (no SCRAM users); use another CDC_STACK_DIR or remove that one"
  fi
}

print_tls_env() {
  tls_on || return 0
  cat <<ENV
export CDC_MYSQL_TLS_ENABLED=true
export CDC_MYSQL_TLS_CA=$TLS_DIR/ca.pem
export CDC_KAFKA_TLS_ENABLED=true
export CDC_KAFKA_TLS_CA=$TLS_DIR/ca.pem
export CDC_KAFKA_SASL_MECHANISM=scram-sha-512
export CDC_KAFKA_SASL_USERNAME=$SASL_USER
export CDC_KAFKA_SASL_PASSWORD=$SASL_PASSWORD
ENV
}

# ---------------------------------------------------------------- MariaDB
mysql_admin() { mariadb --no-defaults -S "$MARIADB_DIR/mysqld.sock" -uroot "$@"; }
mariadb_healthy() { mysql_admin -e 'SELECT 1'; }

start_mariadb() {
  local pidfile="$MARIADB_DIR/mariadbd.pid" logfile="$MARIADB_DIR/mariadbd.log"
  if pid_alive "$pidfile" && mariadb_healthy >/dev/null 2>&1; then log "mariadb already running on $HOST:$MYSQL_PORT"; return; fi
  command -v mariadbd >/dev/null || die "STACK_MISSING_TOOL: mariadbd not found; install the mariadb-server package"
  mkdir -p "$MARIADB_DIR"
  if [ ! -d "$MARIADB_DIR/data/mysql" ]; then
    log "initialising MariaDB data dir $MARIADB_DIR/data"
    mariadb-install-db --no-defaults --datadir="$MARIADB_DIR/data" --user="$(id -un)" \
      --auth-root-authentication-method=socket --skip-test-db >"$MARIADB_DIR/install.log" 2>&1 \
      || die "STACK_START_FAILED: mariadb-install-db failed; see $MARIADB_DIR/install.log"
  fi
  local tls_args; mapfile -t tls_args < <(mariadb_tls_args)
  # mariadbd daemonises itself only through mysqld_safe; run it in the background and keep its pid.
  nohup mariadbd --no-defaults --user="$(id -un)" --datadir="$MARIADB_DIR/data" \
    --bind-address="$HOST" --port="$MYSQL_PORT" --socket="$MARIADB_DIR/mysqld.sock" \
    --pid-file="$MARIADB_DIR/mariadbd.server.pid" --log-error="$logfile" \
    --server-id=1 --log-bin=mysql-bin --binlog-format=ROW --binlog-row-image=FULL \
    --binlog-row-metadata=FULL --max-binlog-size=256M --expire-logs-days=7 \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
    --innodb-buffer-pool-size=1G --innodb-flush-log-at-trx-commit=2 --sync-binlog=0 \
    --max-connections=1000 --skip-name-resolve "${tls_args[@]}" </dev/null >>"$logfile" 2>&1 &
  echo $! >"$pidfile"
  wait_for mariadb "$logfile" "$pidfile" mariadb_healthy
  mysql_admin <<SQL
CREATE USER IF NOT EXISTS '$ADMIN_USER'@'$CLIENT_HOST' IDENTIFIED BY '$ADMIN_PASSWORD';
CREATE USER IF NOT EXISTS '$ADMIN_USER'@'localhost' IDENTIFIED BY '$ADMIN_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO '$ADMIN_USER'@'$CLIENT_HOST' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$ADMIN_USER'@'localhost' WITH GRANT OPTION;
CREATE USER IF NOT EXISTS '$CDC_USER'@'$CLIENT_HOST' IDENTIFIED BY '$CDC_PASSWORD';
GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT ON *.* TO '$CDC_USER'@'$CLIENT_HOST';
FLUSH PRIVILEGES;
SQL
  mariadb_tls_users
  log "mariadb up on $HOST:$MYSQL_PORT (log $logfile)"
}

stop_mariadb() { stop_pidfile mariadb "$MARIADB_DIR/mariadbd.pid"; }

# ---------------------------------------------------------------- Kafka
kafka_libs() {
  if [ ! -f "$KAFKA_LIB/.complete" ]; then
    command -v mvn >/dev/null || die "STACK_MISSING_TOOL: mvn not found; install Maven"
    log "resolving Kafka jars from Maven Central (stack/kafka/pom.xml)"
    mkdir -p "$KAFKA_DIR" "$CACHE"
    mvn -B -q -f "$ROOT/stack/kafka/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$KAFKA_LIB" >"$KAFKA_DIR/mvn.log" 2>&1 \
      || die "STACK_START_FAILED: resolving the Kafka jars failed; see $KAFKA_DIR/mvn.log"
    touch "$KAFKA_LIB/.complete"
  fi
}

kafka_healthy() {
  port_open "$KAFKA_PORT" && grep -q "Kafka Server started" "$KAFKA_DIR/kafka.log"
}

start_kafka() {
  local pidfile="$KAFKA_DIR/kafka.pid" logfile="$KAFKA_DIR/kafka.log"
  if pid_alive "$pidfile" && port_open "$KAFKA_PORT"; then log "kafka already running on $HOST:$KAFKA_PORT"; return; fi
  command -v java >/dev/null || die "STACK_MISSING_TOOL: java not found; install a JDK 17"
  kafka_libs
  kafka_tls_guard
  mkdir -p "$KAFKA_DIR/data"
  cat >"$KAFKA_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$KAFKA_CONTROLLER_PORT
controller.listener.names=CONTROLLER
$(kafka_listener_props)
log.dirs=$KAFKA_DIR/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
delete.topic.enable=true
log.cleaner.enable=true
log.cleaner.backoff.ms=1000
log.retention.check.interval.ms=5000
message.max.bytes=10485760
PROPS
  cat >"$KAFKA_DIR/log4j2.properties" <<'PROPS'
rootLogger.level=INFO
rootLogger.appenderRef.stdout.ref=STDOUT
appender.stdout.type=Console
appender.stdout.name=STDOUT
appender.stdout.layout.type=PatternLayout
appender.stdout.layout.pattern=[%d] %p %m (%c)%n
logger.kafka.name=kafka
logger.kafka.level=INFO
logger.org.name=org.apache.kafka
logger.org.level=WARN
PROPS
  if [ ! -f "$KAFKA_DIR/data/meta.properties" ]; then
    local format_args; mapfile -t format_args < <(kafka_format_args)
    java -cp "$KAFKA_LIB/*" -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" \
      kafka.tools.StorageTool format -t "$(cat /proc/sys/kernel/random/uuid | tr -d '-' | head -c 22)" \
      -c "$KAFKA_DIR/server.properties" "${format_args[@]}" >"$KAFKA_DIR/format.log" 2>&1 \
      || die "STACK_START_FAILED: formatting Kafka storage failed; see $KAFKA_DIR/format.log"
    if tls_on; then touch "$KAFKA_DIR/.scram"; fi
  fi
  : >"$logfile"
  nohup java -Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" \
    -cp "$KAFKA_LIB/*" kafka.Kafka "$KAFKA_DIR/server.properties" </dev/null >>"$logfile" 2>&1 &
  echo $! >"$pidfile"
  wait_for kafka "$logfile" "$pidfile" kafka_healthy
  log "kafka up on $HOST:$KAFKA_PORT (log $logfile)"
}

stop_kafka() { stop_pidfile kafka "$KAFKA_DIR/kafka.pid"; }

# ---------------------------------------------------------------- Registry
registry_app() {
  if [ ! -f "$REGISTRY_APP/.runner" ]; then
    command -v mvn >/dev/null || die "STACK_MISSING_TOOL: mvn not found; install Maven"
    # 3.0.x runs on Java 17 (3.3.x needs 21); its parent pom is not on Central, so fetch the archive alone.
    local gav="io.apicurio:apicurio-registry-app:$REGISTRY_VERSION:tar.gz:all"
    log "resolving Apicurio Registry $REGISTRY_VERSION from Maven Central"
    mkdir -p "$REGISTRY_APP" "$REGISTRY_DIR"
    mvn -B -q -Dstyle.color=never dependency:get -Dartifact="$gav" -Dtransitive=false >"$REGISTRY_DIR/mvn.log" 2>&1 \
      || die "STACK_START_FAILED: resolving $gav failed; see $REGISTRY_DIR/mvn.log"
    local repo; repo="$(mvn -B -q -Dstyle.color=never help:evaluate -Dexpression=settings.localRepository -DforceStdout 2>>"$REGISTRY_DIR/mvn.log" | sed "s/\x1b\[[0-9;]*m//g")"
    local archive="$repo/io/apicurio/apicurio-registry-app/$REGISTRY_VERSION/apicurio-registry-app-$REGISTRY_VERSION-all.tar.gz"
    [ -f "$archive" ] || die "STACK_START_FAILED: $archive missing after download; see $REGISTRY_DIR/mvn.log"
    tar xzf "$archive" -C "$REGISTRY_APP"
    # 3.0.x ships a runner jar; later versions a quarkus-app layout.
    local jar; jar="$(find "$REGISTRY_APP" -maxdepth 2 \( -name quarkus-run.jar -o -name 'apicurio-registry-app-*-runner.jar' \) | head -1)"
    [ -n "$jar" ] || die "STACK_START_FAILED: no runnable jar in $archive"
    echo "$jar" >"$REGISTRY_APP/.runner"
  fi
}

registry_healthy() { curl -fsS "http://$HOST:$REGISTRY_PORT/apis/ccompat/v7/subjects"; }

start_registry() {
  local pidfile="$REGISTRY_DIR/registry.pid" logfile="$REGISTRY_DIR/registry.log"
  if pid_alive "$pidfile" && registry_healthy >/dev/null 2>&1; then log "registry already running on $HOST:$REGISTRY_PORT"; return; fi
  command -v java >/dev/null || die "STACK_MISSING_TOOL: java not found; install a JDK 17"
  registry_app
  mkdir -p "$REGISTRY_DIR"
  : >"$logfile"
  nohup java -Xms128m -Xmx768m -Djava.awt.headless=true \
    -Dquarkus.http.host="$HOST" -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dquarkus.management.enabled=false \
    -Dapicurio.rest.deletion.artifact.enabled=true \
    -Dapicurio.rest.deletion.artifact-version.enabled=true \
    -Dapicurio.rest.deletion.group.enabled=true \
    ${CDC_REGISTRY_STORE:+-Dapicurio.datasource.url=jdbc:h2:file:$REGISTRY_DIR/db/registry} \
    -jar "$(cat "$REGISTRY_APP/.runner")" </dev/null >>"$logfile" 2>&1 &
  echo $! >"$pidfile"
  wait_for registry "$logfile" "$pidfile" registry_healthy
  log "registry up on http://$HOST:$REGISTRY_PORT/apis/ccompat/v7 (log $logfile)"
}

stop_registry() { stop_pidfile registry "$REGISTRY_DIR/registry.pid"; }

# kill_part PART: kill -9, no shutdown at all (a crash); waits until the process is gone
kill_part() {
  local pidfile
  case "$1" in
    mariadb) pidfile="$MARIADB_DIR/mariadbd.pid" ;;
    kafka) pidfile="$KAFKA_DIR/kafka.pid" ;;
    registry) pidfile="$REGISTRY_DIR/registry.pid" ;;
  esac
  pid_alive "$pidfile" || die "STACK_NOT_RUNNING: $1 is not running; nothing to kill"
  local pid; pid="$(cat "$pidfile")"
  kill -KILL "$pid"
  # gone, or a zombie its (re)parent has not reaped yet: either way it holds no port or file
  while kill -0 "$pid" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; do sleep 0.1; done
  rm -f "$pidfile"
  log "$1 killed with SIGKILL (pid $pid)"
}

# ---------------------------------------------------------------- commands
status_line() {
  local name="$1" pidfile="$2" check="$3" where="$4"
  if pid_alive "$pidfile" && $check >/dev/null 2>&1; then
    echo "$name: up (pid $(cat "$pidfile"), $where)"
  elif pid_alive "$pidfile"; then
    echo "$name: starting or unhealthy (pid $(cat "$pidfile"), $where)"; return 1
  else
    echo "$name: down"; return 1
  fi
}

status() {
  local rc=0
  status_line mariadb "$MARIADB_DIR/mariadbd.pid" mariadb_healthy "$HOST:$MYSQL_PORT" || rc=1
  status_line kafka "$KAFKA_DIR/kafka.pid" kafka_healthy "$HOST:$KAFKA_PORT" || rc=1
  status_line registry "$REGISTRY_DIR/registry.pid" registry_healthy "http://$HOST:$REGISTRY_PORT/apis/ccompat/v7" || rc=1
  return $rc
}

print_env() {
  cat <<ENV
export CDC_MYSQL_HOST=$HOST
export CDC_MYSQL_PORT=$MYSQL_PORT
export CDC_MYSQL_USER=$CDC_USER
export CDC_MYSQL_PASSWORD=$CDC_PASSWORD
export CDC_MYSQL_ADMIN_USER=$ADMIN_USER
export CDC_MYSQL_ADMIN_PASSWORD=$ADMIN_PASSWORD
export CDC_KAFKA_BROKERS=$HOST:$KAFKA_PORT
export CDC_REGISTRY_URL=http://$HOST:$REGISTRY_PORT/apis/ccompat/v7
export CDC_STACK_DIR=$STACK
ENV
  print_tls_env
}

part() {
  case "$1" in
    mariadb|kafka|registry) echo "$1" ;;
    *) die "STACK_UNKNOWN_PART: unknown part '$1'; use mariadb, kafka or registry" ;;
  esac
}

cmd="${1:-status}"
case "$cmd" in
  up)
    case "${2:-}" in
      --tls) export CDC_STACK_TLS=1 ;;
      '') ;;
      *) die "STACK_USAGE: unknown option '$2' of up; use --tls or nothing" ;;
    esac
    mkdir -p "$STACK"
    if tls_on; then make_certs; fi
    start_mariadb; start_kafka; start_registry ;;
  down)
    stop_registry; stop_kafka; stop_mariadb ;;
  status) status ;;
  start) "start_$(part "${2:-}")" ;;
  stop) "stop_$(part "${2:-}")" ;;
  restart) p="$(part "${2:-}")"; "stop_$p"; "start_$p" ;;
  kill) kill_part "$(part "${2:-}")" ;;
  env) print_env ;;
  *) die "STACK_USAGE: unknown command '$cmd'; use up [--tls], down, status, start|stop|restart|kill PART, env" ;;
esac
