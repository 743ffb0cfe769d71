// What the exporter benchmarks share: a bench config for a seeded database and the
// connections a run opens on it, the CLI as a child process, and a resync through the
// real exporter path (every source id as a trigger on `<feed>.changes`, one
// `commerce-cdc exporter --feed F` process assembling, deduping and writing the items
// topic in Kafka transactions), timed from the process start to its committed offsets
// reaching the end of the changes topic.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from '../../kafka/kafkajs.js';
import type { Admin, Kafka } from 'kafkajs';
import mysql from 'mysql2/promise';
import { applySchema, seedCatalog, type SeedOptions } from '../seed/index.js';
import { buildConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { catalogModel, type Edition } from '../../feeds/common/link.js';
import type { FeedDefinition, ProviderContext } from '../../feeds/types.js';
import { ensureTopics, partitionFor, topicNames } from '../../kafka/topics.js';
import { createRegistry } from '../../avro/registry.js';
import { topicSpecs } from '../../connector.js';
import { providerContext } from '../../exporter/context.js';
import { createLogger } from '../../log.js';
import { createPool } from '../../mysql/pool.js';
import { loadSchema, registerCodec, TRIGGER_RECORD, type TriggerRecord } from '../../avro/records.js';
import { cpuWindow, stackPids, statCpuSeconds, type CpuReport } from './lib-cpu.js';
import { listAllIds } from './lib-sql.js';

const env = process.env;
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const { Kafka: KafkaCtor, logLevel } = kafkajs;

export const adminOptions = {
  host: env.CDC_MYSQL_HOST ?? '127.0.0.1',
  port: Number(env.CDC_MYSQL_PORT ?? 3407),
  user: env.CDC_MYSQL_ADMIN_USER ?? 'cdc_admin',
  password: env.CDC_MYSQL_ADMIN_PASSWORD ?? 'cdc_admin_pw',
  dateStrings: true,
  supportBigNumbers: true,
  bigNumberStrings: true,
  charset: 'utf8mb4',
};

/**
 * Seeds a bench database unless a complete one from an earlier run is there (a `bench_complete` table
 * marks it complete: an interrupted seed is redone, not reused).
 */
export async function ensureCatalog(database: string, options: Partial<SeedOptions>): Promise<void> {
  const admin = await mysql.createConnection(adminOptions);
  try {
    const [done] = await admin.query<mysql.RowDataPacket[]>('SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?', [database, 'bench_complete']);
    if (done.length > 0) return;
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
    await applySchema(admin, database, options.edition ?? 'opensource');
    const started = Date.now();
    const s = await seedCatalog(admin, options);
    console.log(`seeded ${database}: ${s.products} products (${s.totalRows} rows) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await admin.query(`CREATE TABLE \`${database}\`.bench_complete (id INT PRIMARY KEY)`);
  } finally {
    await admin.end();
  }
}

/**
 * The connector's config for a bench database: the shipped defaults, unless BENCH_BATCH (batchSize),
 * BENCH_THREADS (provider batches in flight) or BENCH_WORKERS (exporter.workers) say otherwise.
 */
export function benchConfig(prefix: string, database: string, feeds: string[], receiverUrl = 'http://127.0.0.1:9/'): Config {
  const tuning = { ...(env.BENCH_THREADS ? { threads: Number(env.BENCH_THREADS) } : {}), ...(env.BENCH_BATCH ? { batchSize: Number(env.BENCH_BATCH) } : {}) };
  const r = buildConfig(
    {
      prefix,
      logLevel: (env.BENCH_LOG_LEVEL ?? 'warn') as Config['logLevel'],
      mysql: { host: adminOptions.host, port: adminOptions.port, user: env.CDC_MYSQL_USER ?? 'cdc', password: env.CDC_MYSQL_PASSWORD ?? 'cdc_pw', database, serverId: 7000 + Math.floor(Math.random() * 100_000), connectionLimit: 8 },
      kafka: { brokers: (env.CDC_KAFKA_BROKERS ?? '127.0.0.1:19092').split(','), partitions: 3, sessionTimeoutMs: 6000 },
      registry: { url: env.CDC_REGISTRY_URL ?? 'http://127.0.0.1:18081/apis/ccompat/v7' },
      reader: { snapshotMode: 'never' },
      exporter: { tuning: Object.fromEntries(feeds.map((f) => [f, tuning])), ...(env.BENCH_WORKERS ? { workers: Number(env.BENCH_WORKERS) } : {}) },
      publisher: { baseUrl: receiverUrl, batchSize: 1000, concurrency: 4 },
      dashboard: { enabled: false },
    },
    {},
  );
  if (!r.config) throw new Error(r.errors.join('; '));
  return r.config;
}

export function benchKafka(config: Config): Kafka {
  return new KafkaCtor({ clientId: 'bench', brokers: [...config.kafka.brokers], logLevel: logLevel.NOTHING });
}

/** What a bench run on a seeded database works with; `close()` disconnects the admin and ends the pool. */
export interface BenchRun {
  config: Config;
  /** The config written out for the CLI processes the bench starts. */
  configFile: string;
  kafka: Kafka;
  /** Connected. */
  admin: Admin;
  /** On a pool of the database, with the catalog of `edition`. */
  ctx: ProviderContext;
  close(): Promise<void>;
}

/** The bench config of `database` for `feeds`, written to a file, Kafka with the feeds' topics, a pool and a provider context. */
export async function openBenchRun(o: { prefix: string; database: string; feeds: FeedDefinition[]; receiverUrl?: string; edition?: Edition }): Promise<BenchRun> {
  const config = benchConfig(o.prefix, o.database, o.feeds.map((f) => f.name), o.receiverUrl);
  const configFile = join(mkdtempSync(join(tmpdir(), 'cdc-bench-')), 'config.json');
  writeFileSync(configFile, JSON.stringify(config));
  const kafka = benchKafka(config);
  const admin = kafka.admin();
  await admin.connect();
  const pool = createPool(config.mysql);
  const close = async (): Promise<void> => {
    await admin.disconnect();
    await pool.end();
  };
  try {
    await ensureTopics(admin, topicSpecs(config, o.feeds), 1);
  } catch (e) {
    await close();
    throw e;
  }
  const ctx = providerContext(pool, createLogger({ level: 'warn' }), '', catalogModel(o.edition ?? 'opensource'));
  return { config, configFile, kafka, admin, ctx, close };
}

/** Node flags for a benchmarked child process: BENCH_PROF=<dir> (node --cpu-prof into it) and BENCH_NODE_FLAGS. */
export function benchNodeFlags(): string[] {
  return [...(env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${env.BENCH_PROF}`] : []), ...(env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean)];
}

/**
 * `commerce-cdc -c <config> <args>`. BENCH_PROF=<dir> writes a CPU profile of it there (node --cpu-prof);
 * BENCH_NODE_FLAGS adds node flags (e.g. --trace-gc); BENCH_CHILD_STDOUT=<file> appends its stdout there.
 */
export function spawnCli(configFile: string, args: string[]): ChildProcess {
  const flags = benchNodeFlags();
  const stdout = env.BENCH_CHILD_STDOUT ? openSync(env.BENCH_CHILD_STDOUT, 'a') : 'ignore';
  return spawn(process.execPath, [...flags, `${ROOT}dist/cli/index.js`, '-c', configFile, ...args], { cwd: ROOT, stdio: ['ignore', stdout, 'inherit'] });
}

export async function stopChild(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  await exited;
}

/** Peak RSS (VmHWM) of a running process; 0 once it is gone. */
export function peakRssMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU seconds per thread of a process, busiest first (`name:seconds`). */
export function threadCpu(pid: number): string {
  const out: Array<[string, number]> = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      out.push([`${name}#${tid}`, statCpuSeconds(stat)]);
    } catch {
      // the thread ended
    }
  }
  return out.sort((a, b) => b[1] - a[1]).slice(0, 8).map(([n, s]) => `${n}:${s.toFixed(1)}`).join(' ');
}

/**
 * Until the group's committed offsets on `topic` reach `end` (per partition, minus `slack`). Polled
 * every 25 ms: a resync of 90,000 variants takes about 5 s, and a 100 ms poll added up to 2 % to it.
 */
export async function waitForGroup(admin: Admin, groupId: string, topic: string, end: Array<{ partition: number; offset: string }>, opts: { slack?: number; child?: ChildProcess; onTick?: () => void } = {}): Promise<void> {
  for (;;) {
    await new Promise((r) => setTimeout(r, 25));
    opts.onTick?.();
    const committed = (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions ?? [];
    if (end.every((e) => Number(committed.find((c) => c.partition === e.partition)?.offset ?? -1) >= Number(e.offset) - (opts.slack ?? 0))) return;
    if (opts.child && opts.child.exitCode !== null) throw new Error(`${opts.child.spawnargs.slice(-3).join(' ')} exited with ${opts.child.exitCode}`);
  }
}

/**
 * Committed records of a topic (read_committed, from the beginning): transaction markers and aborted
 * records are not counted. Done when every partition's last record is the one before its final commit
 * marker, or when nothing more arrived for 5 s (a partition ending in an aborted transaction).
 */
export async function countRecords(kafka: Kafka, admin: Admin, topic: string): Promise<number> {
  const end = await admin.fetchTopicOffsets(topic);
  const consumer = kafka.consumer({ groupId: `bench.count.${Date.now().toString(36)}.${Math.random().toString(36).slice(2)}`, readUncommitted: false, maxBytesPerPartition: 4 * 1024 * 1024, maxWaitTimeInMs: 100 });
  let count = 0;
  let lastBatchAt = Date.now();
  const last = new Map<number, number>();
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      count += batch.messages.length;
      lastBatchAt = Date.now();
      if (batch.messages.length) last.set(batch.partition, Number(batch.messages.at(-1)!.offset));
    },
  });
  const complete = () => end.every((e) => Number(e.offset) === 0 || (last.get(e.partition) ?? -1) >= Number(e.offset) - 2);
  while (!complete() && Date.now() - lastBatchAt < 5000) await new Promise((r) => setTimeout(r, 100));
  await consumer.disconnect();
  return count;
}

export interface ResyncResult {
  ids: number;
  items: number;
  seconds: number;
  rssMb: number;
  /** CPU of the exporter, the stack's processes and this one from the first trigger to the last commit. */
  cpu: CpuReport;
}

/** Until the consumer group is stable with at least one member (the process has joined and got its partitions). */
export async function waitForMembers(admin: Admin, groupId: string, child: ChildProcess): Promise<void> {
  for (;;) {
    const { groups } = await admin.describeGroups([groupId]);
    if (groups[0]?.state === 'Stable' && groups[0].members.length > 0) return;
    if (child.exitCode !== null) throw new Error(`${child.spawnargs.slice(-3).join(' ')} exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A resync as it happens in production: an exporter process is running (joined, partitions assigned),
 * then every source id of the feed arrives as a trigger. Timed from the first trigger written until the
 * exporter's committed offsets reach the end of the changes topic.
 */
export async function resyncThroughExporter(o: { config: Config; configFile: string; feed: FeedDefinition; ctx: ProviderContext; kafka: Kafka; admin: Admin }): Promise<ResyncResult> {
  const { config, feed, ctx, kafka, admin } = o;
  const t = topicNames(config.prefix);
  const groupId = `${config.prefix}.exporter.${feed.name}`;
  const ids = await listAllIds(feed, ctx);
  const trig = await registerCodec<TriggerRecord>(createRegistry(config), `${t.changes(feed.name)}-${TRIGGER_RECORD}`, loadSchema('schemas/trigger.avsc'));
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const exporter = spawnCli(o.configFile, ['exporter', '--feed', feed.name]);
  let rss = 0;
  let started: number;
  let cpu: CpuReport;
  try {
    await waitForMembers(admin, groupId, exporter);
    if (env.BENCH_DEBUG) console.log(`exporter threads at start (CPU s): ${threadCpu(exporter.pid!)}`);
    started = performance.now();
    const endCpu = cpuWindow({ exporter: exporter.pid!, ...stackPids() });
    for (let i = 0; i < ids.length; i += 5000) {
      const messages = ids.slice(i, i + 5000).map((id) => ({
        key: id,
        partition: partitionFor(id, config.kafka.partitions),
        value: trig.encode({ entity: { type: feed.sourceEntity, id, feed: feed.name }, cause: { type: 'bench', id: '*' }, reason: 'resync', force: false }),
      }));
      await producer.send({ topic: t.changes(feed.name), messages, acks: -1 });
    }
    if (env.BENCH_DEBUG) console.log(`triggers written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const changesEnd = await admin.fetchTopicOffsets(t.changes(feed.name));
    await waitForGroup(admin, groupId, t.changes(feed.name), changesEnd, {
      child: exporter,
      onTick: () => {
        rss = Math.max(rss, peakRssMb(exporter.pid!));
      },
    });
    cpu = endCpu();
    if (env.BENCH_DEBUG) console.log(`exporter threads (CPU s): ${threadCpu(exporter.pid!)}`);
  } finally {
    await producer.disconnect();
    await stopChild(exporter);
  }
  const seconds = (performance.now() - started) / 1000;
  const items = await countRecords(kafka, admin, t.items(feed.name));
  return { ids: ids.length, items, seconds, rssMb: rss, cpu };
}
