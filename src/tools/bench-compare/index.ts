// `make bench-compare`: commerce-cdc's reader against the tool a user would pick instead, Kafka
// Connect standalone with Debezium's MariaDB connector, on the same MariaDB, broker, registry and
// backlog as reader.catchup (src/tools/bench/lib-backlog.ts: BENCH_ROWS row changes of the product
// EAV tables). Every run has a database, topics and prefix of its own:
//   1. the tool starts on the empty tables (Debezium: snapshot.mode=no_data) and is stopped once it
//      streams (commerce-cdc: its first stored position; Debezium: its binlog client connected),
//   2. the backlog is written,
//   3. the tool starts again, timed from its spawn until the last change is in Kafka (commerce-cdc:
//      the committed position covers the binlog end, as reader.catchup; Debezium: the end offsets of
//      its table topics add up to the row count), then records are counted: a run that misses any fails.
// Runs alternate (commerce-cdc, tuned Debezium) BENCH_COMPARE_RUNS (3) times, then default Debezium
// BENCH_COMPARE_DEFAULT_RUNS (1) times; medians are printed.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import type { Admin, Kafka as KafkaClient } from 'kafkajs';
import kafkajs from '../../kafka/kafkajs.js';
import { EAV, createBacklogTables, writeBacklog } from '../bench/lib-backlog.js';
import { benchNodeFlags, countRecords, stopChild } from '../bench/lib-resync.js';
import { killChildren, median, sampleProcess, topicLogBytes, track, type ProcessUse } from './measure.js';
import { checkConnectLib, dataTopics, spawnConnect, type DebeziumSetup } from './debezium.js';

const env = process.env;
const ROWS = Number(env.BENCH_ROWS ?? 1_000_000);
const RUNS = Number(env.BENCH_COMPARE_RUNS ?? 3);
const DEFAULT_RUNS = Number(env.BENCH_COMPARE_DEFAULT_RUNS ?? 1);
/** A run that has produced nothing new for this long has stalled (a 1,000,000-row catch-up never pauses that long). */
const STALL_MS = Number(env.BENCH_COMPARE_STALL_MS ?? 120_000);
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const mysqlOptions = { host: env.CDC_MYSQL_HOST ?? '127.0.0.1', port: Number(env.CDC_MYSQL_PORT ?? 3407), user: env.CDC_MYSQL_USER ?? 'cdc', password: env.CDC_MYSQL_PASSWORD ?? 'cdc_pw' };
const adminOptions = { ...mysqlOptions, user: env.CDC_MYSQL_ADMIN_USER ?? 'cdc_admin', password: env.CDC_MYSQL_ADMIN_PASSWORD ?? 'cdc_admin_pw' };
const brokers = (env.CDC_KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const ccompatUrl = env.CDC_REGISTRY_URL ?? 'http://127.0.0.1:18081/apis/ccompat/v7';
const apicurioUrl = env.BENCH_APICURIO_URL ?? ccompatUrl.replace(/\/apis\/ccompat\/v\d+\/?$/, '/apis/registry/v3');
const LOG_DIR = env.BENCH_COMPARE_LOG_DIR ?? join(tmpdir(), 'bench-compare');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Tool = 'commerce_cdc' | 'debezium_tuned' | 'debezium_default';
interface RunResult extends ProcessUse {
  tool: Tool;
  seconds: number;
  eventsPerS: number;
  bytesPerChange: number;
}
interface Env {
  admin: mysql.Connection;
  kafka: KafkaClient;
  kadmin: Admin;
}
interface Fresh {
  id: string;
  database: string;
  dir: string;
}

/** A database with the backlog's tables, a work dir and an id no other run shares. */
async function fresh(e: Env, tool: string): Promise<Fresh> {
  const id = `cmp_${tool}_${randomBytes(3).toString('hex')}`;
  await createBacklogTables(e.admin, id);
  const dir = join(LOG_DIR, id);
  mkdirSync(dir, { recursive: true });
  return { id, database: id, dir };
}

async function cleanup(e: Env, f: Fresh, prefix: string): Promise<void> {
  const topics = (await e.kadmin.listTopics()).filter((t) => t.startsWith(prefix));
  if (topics.length) await e.kadmin.deleteTopics({ topics });
  await e.admin.query(`DROP DATABASE ${f.database}`);
  if (!env.BENCH_COMPARE_KEEP) rmSync(f.dir, { recursive: true, force: true });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`BENCH_COMPARE_TIMEOUT: ${what} did not happen within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

/** Sum of the topics' end offsets (a topic not created yet counts 0); retried while a new topic's leader is being elected. */
async function endOffsetSum(kadmin: Admin, topics: string[]): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      let sum = 0;
      const existing = new Set(await kadmin.listTopics());
      for (const t of topics) if (existing.has(t)) for (const p of await kadmin.fetchTopicOffsets(t)) sum += Number(p.offset);
      return sum;
    } catch (err) {
      if (attempt >= 20 || !(err as { retriable?: boolean }).retriable) throw err;
      await sleep(250);
    }
  }
}

function result(tool: Tool, rows: number, seconds: number, use: ProcessUse, bytes: number): RunResult {
  const r = { tool, seconds, eventsPerS: Math.round(rows / seconds), bytesPerChange: bytes / rows, ...use };
  process.stderr.write(`${tool}: ${rows} changes in ${seconds.toFixed(1)} s = ${r.eventsPerS} events/s, peak RSS ${use.rssMb.toFixed(0)} MB, CPU ${use.cpuSeconds.toFixed(1)} s, ${r.bytesPerChange.toFixed(1)} broker bytes/change\n`);
  return r;
}

// ---------------------------------------------------------------------------------------------
// commerce-cdc: `commerce-cdc reader` with one products mapping over the entity and EAV tables

async function commerceCdcRun(e: Env): Promise<RunResult> {
  const f = await fresh(e, 'cdc');
  const prefix = f.id;
  const connectorDir = join(f.dir, 'connector');
  mkdirSync(connectorDir);
  const tables = ['catalog_product_entity', ...EAV.map((t) => `catalog_product_entity_${t}`)];
  writeFileSync(join(connectorDir, 'products.yaml'), `feed: products\nroot: { table: catalog_product_entity, id: entity_id }\ntables:\n${tables.map((t) => `  - { table: ${t}, entity: product, id: entity_id }\n`).join('')}`);
  const readerEnv = {
    ...env,
    CDC_PREFIX: prefix,
    CDC_LOG_LEVEL: 'warn',
    CDC_MYSQL_HOST: mysqlOptions.host,
    CDC_MYSQL_PORT: String(mysqlOptions.port),
    CDC_MYSQL_USER: mysqlOptions.user,
    CDC_MYSQL_PASSWORD: mysqlOptions.password,
    CDC_MYSQL_DATABASE: f.database,
    CDC_MYSQL_SERVER_ID: String(7000 + Math.floor(Math.random() * 1000)),
    CDC_KAFKA_BROKERS: brokers.join(','),
    CDC_REGISTRY_URL: ccompatUrl,
    CDC_READER_CONNECTOR: connectorDir,
    CDC_READER_HEARTBEAT_MS: '1000',
  };
  const spawnReader = (flags: string[]) => track(spawn(process.execPath, [...flags, join(ROOT, 'dist/cli/index.js'), 'reader'], { env: readerEnv, stdio: ['ignore', 'inherit', 'inherit'] }));
  const offsetsTopic = `${prefix}.reader.offsets`;
  const changesTopic = `${prefix}.products.changes`;

  // 1. streams: its first stored position (a heartbeat's) is in Kafka
  let reader = spawnReader([]);
  await until('the first commerce-cdc reader position', async () => ((await endOffsetSum(e.kadmin, [offsetsTopic])) > 0 ? true : undefined), 120_000);
  await stopChild(reader);

  // 2. the backlog
  const { rows, end } = await writeBacklog(e.admin, ROWS);

  // 3. timed: spawn to the commit whose position covers the binlog end
  const watcher = e.kafka.consumer({ groupId: `${prefix}.watch`, readUncommitted: false });
  let caughtUpAt = 0;
  await watcher.connect();
  await watcher.subscribe({ topic: offsetsTopic, fromBeginning: false });
  await watcher.run({
    eachMessage: async ({ message }) => {
      const p = JSON.parse(message.value!.toString()) as { file: string; pos: number };
      if (!caughtUpAt && (p.file > end.File || (p.file === end.File && p.pos >= end.Position))) caughtUpAt = Date.now();
    },
  });
  await sleep(4000); // the watcher's group join, before the reader commits anything (as reader.catchup)
  const spawnedAt = Date.now();
  reader = spawnReader(benchNodeFlags());
  const sampler = sampleProcess(reader);
  let seen = -1;
  let progressAt = Date.now();
  await until(
    'commerce-cdc catching up',
    async () => {
      if (caughtUpAt) return true;
      if (reader.exitCode !== null) throw new Error(`BENCH_COMPARE_READER_EXIT: the reader exited with ${reader.exitCode} during catch-up`);
      const n = await endOffsetSum(e.kadmin, [changesTopic]);
      if (n !== seen) [seen, progressAt] = [n, Date.now()];
      if (Date.now() - progressAt > STALL_MS) throw new Error(`BENCH_COMPARE_STALLED: commerce-cdc wrote nothing for ${STALL_MS / 1000} s (${n} offsets on ${changesTopic})`);
      return undefined;
    },
    24 * 3600_000,
  );
  const use = sampler.stop();
  await stopChild(reader);
  await watcher.disconnect();
  const count = await countRecords(e.kafka, e.kadmin, changesTopic);
  if (count !== rows) throw new Error(`BENCH_COMPARE_MISSING: commerce-cdc wrote ${count} committed records to ${changesTopic}, the backlog has ${rows} row changes`);
  const r = result('commerce_cdc', rows, (caughtUpAt - spawnedAt) / 1000, use, topicLogBytes([changesTopic]));
  await cleanup(e, f, prefix);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Debezium: Kafka Connect standalone, snapshot.mode=no_data

async function debeziumRun(e: Env, tuned: boolean): Promise<RunResult> {
  const tool: Tool = tuned ? 'debezium_tuned' : 'debezium_default';
  const f = await fresh(e, tuned ? 'dbzt' : 'dbzd');
  const setup: DebeziumSetup = {
    root: ROOT,
    dir: f.dir,
    prefix: f.id,
    database: f.database,
    tables: EAV.map((t) => `catalog_product_entity_${t}`),
    tuned,
    mysql: mysqlOptions,
    brokers,
    registryUrl: apicurioUrl,
  };
  const topics = dataTopics(setup);

  // 1. streams: the binlog client connected after the no_data snapshot; a graceful stop stores its offsets
  let connect = spawnConnect(setup, 1);
  await Promise.race([connect.streaming, sleep(180_000).then(() => Promise.reject(new Error('BENCH_COMPARE_TIMEOUT: Debezium did not start streaming within 180 s')))]);
  const offsets = join(f.dir, 'offsets.dat');
  await until('Debezium storing its first offset', async () => (statSync(offsets, { throwIfNoEntry: false })?.size ? true : undefined), 120_000).catch(() => {
    throw new Error(`BENCH_COMPARE_NO_OFFSETS: Debezium stored no offset before the backlog (${offsets}); a restart would skip it. See ${f.dir}/connect-1.log`);
  });
  await stopChild(connect.child);

  // 2. the backlog
  const { rows } = await writeBacklog(e.admin, ROWS);

  // 3. timed: spawn to the end offsets of its table topics adding up to the backlog
  const spawnedAt = Date.now();
  connect = spawnConnect(setup, 2);
  const sampler = sampleProcess(connect.child);
  let seen = -1;
  let progressAt = Date.now();
  const doneAt = await until(
    'Debezium catching up',
    async () => {
      const failed = connect.failure();
      if (failed) throw failed;
      if (connect.child.exitCode !== null) throw new Error(`BENCH_COMPARE_CONNECT_EXIT: Kafka Connect exited with ${connect.child.exitCode} during catch-up; see ${f.dir}/connect-2.log`);
      const n = await endOffsetSum(e.kadmin, topics);
      if (n >= rows) return Date.now();
      if (n > 0 && seen <= 0) process.stderr.write(`${tool}: first records ${((Date.now() - spawnedAt) / 1000).toFixed(1)} s after spawn\n`);
      if (n !== seen) [seen, progressAt] = [n, Date.now()];
      if (Date.now() - progressAt > STALL_MS) throw new Error(`BENCH_COMPARE_STALLED: Debezium wrote nothing for ${STALL_MS / 1000} s (${n} of ${rows} records); see ${f.dir}/connect-2.log`);
      return undefined;
    },
    24 * 3600_000,
  );
  const use = sampler.stop();
  await stopChild(connect.child);
  const count = await endOffsetSum(e.kadmin, topics);
  if (count !== rows) throw new Error(`BENCH_COMPARE_MISSING: Debezium wrote ${count} records to ${topics.join(', ')}, the backlog has ${rows} row changes`);
  const r = result(tool, rows, (doneAt - spawnedAt) / 1000, use, topicLogBytes(topics));
  await cleanup(e, f, f.id);
  return r;
}

// ---------------------------------------------------------------------------------------------

function summary(runs: RunResult[]): Record<Tool, { n: number; eventsPerS: number; seconds: number; rssMb: number; cpuSeconds: number; bytesPerChange: number } | undefined> {
  const of = (tool: Tool) => {
    const rs = runs.filter((r) => r.tool === tool);
    if (!rs.length) return undefined;
    const m = (k: keyof ProcessUse | 'eventsPerS' | 'seconds' | 'bytesPerChange') => median(rs.map((r) => r[k]));
    return { n: rs.length, eventsPerS: m('eventsPerS'), seconds: m('seconds'), rssMb: m('rssMb'), cpuSeconds: m('cpuSeconds'), bytesPerChange: m('bytesPerChange') };
  };
  return { commerce_cdc: of('commerce_cdc'), debezium_tuned: of('debezium_tuned'), debezium_default: of('debezium_default') };
}

function print(runs: RunResult[]): void {
  const s = summary(runs);
  console.log(`\nbench-compare: ${ROWS} row changes, medians of the runs (${new Date().toISOString()})`);
  console.log('| tool | runs | events/s | catch-up s | peak RSS MB | CPU s | broker bytes/change |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [tool, v] of Object.entries(s)) {
    if (v) console.log(`| ${tool} | ${v.n} | ${Math.round(v.eventsPerS)} | ${v.seconds.toFixed(1)} | ${Math.round(v.rssMb)} | ${v.cpuSeconds.toFixed(1)} | ${v.bytesPerChange.toFixed(1)} |`);
  }
  console.log('');
  const cdc = s.commerce_cdc;
  for (const [tool, v] of Object.entries(s)) {
    if (!v) continue;
    console.log(`BENCH compare.catchup.${tool}.events_per_s=${Math.round(v.eventsPerS)}`);
    console.log(`BENCH compare.${tool}.rss_mb=${Math.round(v.rssMb)}`);
    console.log(`BENCH compare.${tool}.cpu_s=${v.cpuSeconds.toFixed(1)}`);
    console.log(`BENCH compare.${tool}.broker_bytes_per_change=${v.bytesPerChange.toFixed(1)}`);
  }
  if (cdc && s.debezium_tuned) console.log(`BENCH compare.catchup.ratio=${(cdc.eventsPerS / s.debezium_tuned.eventsPerS).toFixed(2)}`);
  if (cdc && s.debezium_default) console.log(`BENCH compare.catchup.ratio_vs_default=${(cdc.eventsPerS / s.debezium_default.eventsPerS).toFixed(2)}`);
}

async function main(): Promise<void> {
  checkConnectLib(ROOT);
  mkdirSync(LOG_DIR, { recursive: true });
  const admin = await mysql.createConnection({ ...adminOptions, multipleStatements: true });
  const kafka = new kafkajs.Kafka({ clientId: 'bench-compare', brokers, logLevel: kafkajs.logLevel.NOTHING });
  const kadmin = kafka.admin();
  await kadmin.connect();
  const e: Env = { admin, kafka, kadmin };
  const runs: RunResult[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      process.stderr.write(`== round ${i + 1} of ${RUNS}\n`);
      runs.push(await commerceCdcRun(e));
      runs.push(await debeziumRun(e, true));
    }
    for (let i = 0; i < DEFAULT_RUNS; i++) runs.push(await debeziumRun(e, false));
  } finally {
    killChildren();
    await kadmin.disconnect();
    await admin.end();
  }
  print(runs);
}

// one line with the code and what to do, non-zero exit; the run's Connect logs stay in BENCH_COMPARE_LOG_DIR
await main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
