// The peer of `make bench-compare`: Kafka Connect standalone with Debezium's MariaDB connector and
// Apicurio's Kafka Connect Avro converter (jars from tools/bench-compare/pom.xml in
// tools/bench-compare/target/lib), started the way connect-standalone.sh starts it (its heap and
// GC flags), offsets in a file, topics created by Connect (the broker does not auto-create).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { track } from './measure.js';

export const CONNECT_LIB = 'tools/bench-compare/target/lib';
/** connect-standalone.sh's KAFKA_HEAP_OPTS and kafka-run-class.sh's KAFKA_JVM_PERFORMANCE_OPTS. */
const JVM_FLAGS = ['-Xms256M', '-Xmx2G', '-server', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:InitiatingHeapOccupancyPercent=35', '-XX:+ExplicitGCInvokesConcurrent', '-Djava.awt.headless=true'];

export interface DebeziumSetup {
  root: string;
  dir: string;
  prefix: string;
  database: string;
  tables: string[];
  tuned: boolean;
  mysql: { host: string; port: number; user: string; password: string };
  brokers: string[];
  /** Apicurio's native API (…/apis/registry/v3). */
  registryUrl: string;
}

/** The topics Debezium writes the tables' row changes to (`<topic.prefix>.<database>.<table>`). */
export function dataTopics(s: DebeziumSetup): string[] {
  return s.tables.map((t) => `${s.prefix}.${s.database}.${t}`);
}

function properties(entries: Record<string, string | number>): string {
  return `${Object.entries(entries).map(([k, v]) => `${k}=${v}`).join('\n')}\n`;
}

/**
 * Avro in Confluent's wire format (magic byte, 4-byte content id, body) through the same registry as
 * commerce-cdc, schemas registered by the converter (the facts of tools/avro-consumer, in reverse).
 */
function avroConverter(side: 'key' | 'value', registryUrl: string): Record<string, string> {
  const c = `${side}.converter`;
  return {
    [c]: 'io.apicurio.registry.utils.converter.AvroConverter',
    [`${c}.apicurio.registry.url`]: registryUrl,
    [`${c}.apicurio.registry.auto-register`]: 'true',
    [`${c}.apicurio.registry.headers.enabled`]: 'false',
    [`${c}.apicurio.registry.id-handler`]: 'io.apicurio.registry.serde.Default4ByteIdHandler',
    [`${c}.apicurio.registry.use-id`]: 'contentId',
  };
}

/** Writes worker.properties, connector.properties and log4j2.properties into `s.dir`. */
export function writeConnectFiles(s: DebeziumSetup): { worker: string; connector: string; log4j: string } {
  const worker = join(s.dir, 'worker.properties');
  const connector = join(s.dir, 'connector.properties');
  const log4j = join(s.dir, 'log4j2.properties');
  // a user who tuned it: 1 MB producer batches, 20 ms linger, 5 requests in flight; the default run keeps Connect's producer
  const producer: Record<string, number> = s.tuned ? { 'producer.batch.size': 1048576, 'producer.linger.ms': 20, 'producer.max.in.flight.requests.per.connection': 5 } : {};
  writeFileSync(
    worker,
    properties({
      'bootstrap.servers': s.brokers.join(','),
      ...avroConverter('key', s.registryUrl),
      ...avroConverter('value', s.registryUrl),
      'offset.storage.file.filename': join(s.dir, 'offsets.dat'),
      // offsets written every second (60 s by default) so the first start can be stopped as soon as its position is stored
      'offset.flush.interval.ms': 1000,
      listeners: 'http://127.0.0.1:0',
      // what Connect itself advises when every plugin has a ServiceLoader manifest: no reflective scan of the classpath at start
      'plugin.discovery': 'service_load',
      ...producer,
    }),
  );
  const batching: Record<string, number> = s.tuned ? { 'max.batch.size': 8192, 'max.queue.size': 32768 } : {};
  writeFileSync(
    connector,
    properties({
      name: `${s.prefix}-connector`,
      'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
      'tasks.max': 1,
      'database.hostname': s.mysql.host,
      'database.port': s.mysql.port,
      'database.user': s.mysql.user,
      'database.password': s.mysql.password,
      'database.server.id': 8000 + Math.floor(Math.random() * 1000),
      'database.ssl.mode': 'disable',
      'topic.prefix': s.prefix,
      'database.include.list': s.database,
      'table.include.list': s.tables.map((t) => `${s.database}.${t}`).join(','),
      'snapshot.mode': 'no_data',
      // the replication user commerce-cdc reads with (SELECT, REPLICATION SLAVE, BINLOG MONITOR) has no RELOAD or
      // LOCK TABLES; a no_data snapshot reads only the tables' definitions, at a binlog position taken first
      'snapshot.locking.mode': 'none',
      'schema.history.internal.kafka.bootstrap.servers': s.brokers.join(','),
      'schema.history.internal.kafka.topic': `${s.prefix}.schema-history`,
      // the schemas of the captured tables only: by default the snapshot reads every database's tables, and on a
      // server where others create and drop databases (this shared stack, a store's staging copies) it fails
      'schema.history.internal.store.only.captured.databases.ddl': 'true',
      'schema.history.internal.store.only.captured.tables.ddl': 'true',
      // partitions as commerce-cdc's changes topics (kafka.partitions' default)
      'topic.creation.default.partitions': 3,
      'topic.creation.default.replication.factor': 1,
      ...batching,
    }),
  );
  writeFileSync(
    log4j,
    properties({
      'appender.out.type': 'Console',
      'appender.out.name': 'OUT',
      'appender.out.layout.type': 'PatternLayout',
      'appender.out.layout.pattern': '[%d] %p %m (%c)%n',
      'rootLogger.level': 'WARN',
      'rootLogger.appenderRef.out.ref': 'OUT',
    }),
  );
  return { worker, connector, log4j };
}

/** Fails with the fix when the jars are missing. */
export function checkConnectLib(root: string): void {
  const lib = join(root, CONNECT_LIB);
  if (!existsSync(lib) || !readdirSync(lib).some((f) => f.startsWith('debezium-connector-mariadb'))) {
    throw new Error(`BENCH_COMPARE_NO_JARS: ${lib} holds no Debezium jars; run \`make bench-compare\` (or mvn -q -B -f tools/bench-compare/pom.xml package)`);
  }
}

export interface ConnectProcess {
  child: ChildProcess;
  /** Resolves when the binlog client has connected (streaming), rejects when Connect exits or its task fails first. */
  streaming: Promise<void>;
  /** The task's failure, once Connect has logged one. */
  failure: () => Error | undefined;
}

/**
 * `java … ConnectStandalone worker connector`; its output (log4j at WARN, the binlog client's
 * java.util.logging lines) goes to `<dir>/connect-<n>.log`.
 */
export function spawnConnect(s: DebeziumSetup, n: number): ConnectProcess {
  const files = writeConnectFiles(s);
  const logFile = join(s.dir, `connect-${n}.log`);
  const log = createWriteStream(logFile);
  const child = spawn('java', [...JVM_FLAGS, `-Dlog4j2.configurationFile=${files.log4j}`, '-cp', `${join(s.root, CONNECT_LIB)}/*`, 'org.apache.kafka.connect.cli.ConnectStandalone', files.worker, files.connector], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  let failed: Error | undefined;
  const streaming = new Promise<void>((resolve, reject) => {
    const watch = (chunk: Buffer) => {
      log.write(chunk);
      // mysql-binlog-connector-java: "Connected to <host>:<port> at <file>/<pos> (sid:…, cid:…)"
      const text = chunk.toString();
      if (/Connected to \S+ at \S+ \(sid:/.test(text)) resolve();
      // Connect keeps running when its only task fails
      if (text.includes('Task threw an uncaught and unrecoverable exception')) reject((failed = new Error(`BENCH_COMPARE_TASK_FAILED: the Debezium task failed; see ${logFile}`)));
    };
    child.stdout!.on('data', watch);
    child.stderr!.on('data', watch);
    child.once('exit', (code) => {
      log.end();
      reject(new Error(`BENCH_COMPARE_CONNECT_EXIT: Kafka Connect exited with ${code} before streaming; see ${logFile}`));
    });
  });
  streaming.catch(() => undefined); // a caller that no longer waits for it (a timed run) must not see an unhandled rejection
  return { child, streaming, failure: () => failed };
}
