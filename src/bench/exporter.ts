// Benchmarks of the machinery on a seeded catalog (products feed):
//   exporter.resync.items_per_s   every product id as a trigger; an exporter process assembles, dedupes and
//                                 writes all items (products × store views) to the items topic
//   exporter.rss_mb               peak RSS (VmHWM) of that exporter process
//   publisher.replay.items_per_s  a publisher process sends the whole items topic to a local receiver
//   e2e.steady.p99_commit_to_downstream_ms
//                                 `run` (reader, exporter, publisher) while product names change at a steady
//                                 rate: time from the SQL commit to the item arriving downstream
// BENCH_PRODUCTS (100000), BENCH_RATE (200 updates/s), BENCH_STEADY_SECONDS (20). The seeded database is
// kept (bench_exporter_<products>) and reused when complete.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import kafkajs from 'kafkajs';
import { buildConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { ensureTopics, partitionFor, topicNames } from '../kafka/topics.js';
import { resolveFeed } from '../feeds/index.js';
import { createPool } from '../mysql/pool.js';
import { createLogger } from '../log.js';
import { providerContext } from '../exporter/context.js';
import { loadSchema, registerCodec, TRIGGER_RECORD, type TriggerRecord } from '../exporter/schemas.js';
import { createRegistry, topicSpecs } from '../connector.js';
import { startReceiver } from '../receiver/index.js';
import { applySchema, seedCatalog } from '../seed/index.js';

const env = process.env;
const PRODUCTS = Number(env.BENCH_PRODUCTS ?? 100_000);
const RATE = Number(env.BENCH_RATE ?? 200);
const STEADY_SECONDS = Number(env.BENCH_STEADY_SECONDS ?? 20);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const database = `bench_exporter_${PRODUCTS}`;
const feed = resolveFeed('products');
const { Kafka, logLevel } = kafkajs;

const adminOptions = {
  host: env.CDC_MYSQL_HOST ?? '127.0.0.1',
  port: Number(env.CDC_MYSQL_PORT ?? 3407),
  user: env.CDC_MYSQL_ADMIN_USER ?? 'cdc_admin',
  password: env.CDC_MYSQL_ADMIN_PASSWORD ?? 'cdc_admin_pw',
  dateStrings: true,
  supportBigNumbers: true,
  bigNumberStrings: true,
  charset: 'utf8mb4',
};

async function ensureCatalog(): Promise<void> {
  const admin = await mysql.createConnection(adminOptions);
  try {
    const [done] = await admin.query<mysql.RowDataPacket[]>('SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?', [database, 'bench_complete']);
    if (done.length > 0) return;
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
    await applySchema(admin, database);
    const started = Date.now();
    const s = await seedCatalog(admin, { seed: 5, websites: 3, storeViews: 3, customerGroups: 4, attributes: 10, categories: 100, products: PRODUCTS, configurables: 0.05, childrenPerConfigurable: 3, orders: 0 });
    console.log(`seeded ${s.products} products in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await admin.query('CREATE TABLE bench_complete (id INT PRIMARY KEY)');
  } finally {
    await admin.end();
  }
}

function benchConfig(prefix: string, receiverUrl: string): Config {
  const r = buildConfig(
    {
      prefix,
      logLevel: 'warn',
      mysql: { host: adminOptions.host, port: adminOptions.port, user: env.CDC_MYSQL_USER ?? 'cdc', password: env.CDC_MYSQL_PASSWORD ?? 'cdc_pw', database, serverId: 7000 + Math.floor(Math.random() * 100_000), connectionLimit: 8 },
      kafka: { brokers: (env.CDC_KAFKA_BROKERS ?? '127.0.0.1:19092').split(','), partitions: 3, sessionTimeoutMs: 6000 },
      registry: { url: env.CDC_REGISTRY_URL ?? 'http://127.0.0.1:18081/apis/ccompat/v7' },
      reader: { snapshotMode: 'never' },
      // the exporter waits on MySQL for most of a provider batch: more batches in flight than cores pays off
      exporter: { tuning: { products: { threads: Number(env.BENCH_THREADS ?? 4) } } },
      publisher: { baseUrl: receiverUrl, batchSize: 1000, concurrency: 4 },
      dashboard: { enabled: false },
    },
    {},
  );
  if (!r.config) throw new Error(r.errors.join('; '));
  return r.config;
}

function spawnCli(configFile: string, args: string[]): ChildProcess {
  const p = spawn(process.execPath, [`${ROOT}dist/cli/index.js`, '-c', configFile, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  return p;
}

async function stopChild(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  await exited;
}

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function main(): Promise<void> {
  await ensureCatalog();
  const receiverTimes: Array<(item: Record<string, unknown>) => void> = [];
  const receiver = await startReceiver({ keepItems: false, onItem: (_route, item) => receiverTimes[0]?.(item) });
  const prefix = `bench.${Date.now().toString(36)}`;
  const config = benchConfig(prefix, receiver.url);
  const dir = mkdtempSync(join(tmpdir(), 'cdc-bench-'));
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(config));
  const log = createLogger({ level: 'warn' });
  const kafka = new Kafka({ clientId: 'bench', brokers: [...config.kafka.brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, topicSpecs(config, [feed]), 1);
  const t = topicNames(prefix);
  const registry = createRegistry(config);
  const pool = createPool(config.mysql);
  const ctx = providerContext(pool, log, '');

  // --- exporter resync: every product id as a trigger
  const ids: string[] = [];
  for (let after: string | undefined; ; ) {
    const page = await feed.provider.listIds(after, 10_000, ctx);
    if (!page.length) break;
    ids.push(...page);
    after = page.at(-1);
  }
  const trig = await registerCodec<TriggerRecord>(registry, `${t.changes(feed.name)}-${TRIGGER_RECORD}`, loadSchema('schemas/trigger.avsc'));
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let i = 0; i < ids.length; i += 5000) {
    const messages = ids.slice(i, i + 5000).map((id) => ({
      key: id,
      partition: partitionFor(id, config.kafka.partitions),
      value: trig.encode({ entity: { type: feed.sourceEntity, id, feed: feed.name }, cause: { type: 'bench', id: '*' }, reason: 'resync', force: false }),
    }));
    await producer.send({ topic: t.changes(feed.name), messages, acks: -1 });
  }
  const changesEnd = await admin.fetchTopicOffsets(t.changes(feed.name));
  const started = performance.now();
  const exporter = spawnCli(configFile, ['exporter', '--feed', feed.name]);
  let rss = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    rss = Math.max(rss, peakRssMb(exporter.pid!));
    const committed = (await admin.fetchOffsets({ groupId: `${prefix}.exporter.${feed.name}`, topics: [t.changes(feed.name)] }))[0]?.partitions ?? [];
    if (changesEnd.every((e) => Number(committed.find((c) => c.partition === e.partition)?.offset ?? -1) >= Number(e.offset))) break;
    if (exporter.exitCode !== null) throw new Error('the exporter exited');
  }
  const resyncSeconds = (performance.now() - started) / 1000;
  console.log(`BENCH exporter.rss_mb=${Math.round(rss)}`);

  // --- publisher replay: the whole items topic to the local receiver (offsets count transaction markers too,
  // so the end is the publisher group's committed offsets reaching the topic's end)
  const itemsEnd = await admin.fetchTopicOffsets(t.items(feed.name));
  const replayStart = performance.now();
  const publisher = spawnCli(configFile, ['publisher', '--feed', feed.name]);
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const committed = (await admin.fetchOffsets({ groupId: `${prefix}.publisher.${feed.name}`, topics: [t.items(feed.name)] }))[0]?.partitions ?? [];
    if (itemsEnd.every((e) => Number(committed.find((c) => c.partition === e.partition)?.offset ?? -1) >= Number(e.offset) - 1)) break;
    if (publisher.exitCode !== null) throw new Error('the publisher exited');
  }
  const replaySeconds = (performance.now() - replayStart) / 1000;
  const items = receiver.accepted();
  console.log(`exporter: ${ids.length} products → ${items} items in ${resyncSeconds.toFixed(1)} s (includes process start and group join)`);
  console.log(`BENCH exporter.resync.items_per_s=${Math.round(items / resyncSeconds)}`);
  console.log(`publisher: ${items} items in ${replaySeconds.toFixed(1)} s (includes process start and group join)`);
  console.log(`BENCH publisher.replay.items_per_s=${Math.round(items / replaySeconds)}`);
  await stopChild(exporter);
  await stopChild(publisher);

  // --- steady state: run (reader + exporter + publisher), product names changing at RATE/s
  const run = spawnCli(configFile, ['run', '--feeds', feed.name]);
  const adminDb = await mysql.createConnection({ ...adminOptions, database });
  const [[nameAttr]] = (await adminDb.query(`SELECT attribute_id FROM eav_attribute WHERE attribute_code = 'name' AND entity_type_id = 4`)) as unknown as [[{ attribute_id: number }]];
  const [pairs] = (await adminDb.query(`SELECT pw.product_id, s.store_id FROM catalog_product_website pw JOIN store s ON s.website_id = pw.website_id AND s.store_id <> 0 LIMIT 20000`)) as unknown as [Array<{ product_id: number; store_id: number }>];
  const committedAt = new Map<string, number>();
  const latencies: number[] = [];
  receiverTimes[0] = (item) => {
    const name = typeof item.name === 'string' ? item.name : '';
    const at = committedAt.get(name);
    if (at !== undefined) {
      latencies.push(Date.now() - at);
      committedAt.delete(name);
    }
  };
  // wait until the pipeline answers: one change arrives
  for (let probe = 0; ; probe++) {
    const pair = pairs[probe % pairs.length]!;
    const name = `warmup ${probe}`;
    await adminDb.query(`INSERT INTO catalog_product_entity_varchar (attribute_id, store_id, entity_id, value) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value)`, [nameAttr.attribute_id, pair.store_id, pair.product_id, name]);
    committedAt.set(name, Date.now());
    await new Promise((r) => setTimeout(r, 1000));
    if (latencies.length > 0) break;
    if (run.exitCode !== null) throw new Error('run exited');
    if (probe > 300) throw new Error('the pipeline never delivered a change');
  }
  latencies.length = 0;
  committedAt.clear();
  if (env.BENCH_DEBUG) console.log('changes offsets before steady', (await admin.fetchTopicOffsets(t.changes(feed.name))).map((x) => x.offset).join(','));
  const steadyStart = Date.now();
  let seq = 0;
  while (Date.now() - steadyStart < STEADY_SECONDS * 1000) {
    const due = Math.floor(((Date.now() - steadyStart) / 1000) * RATE);
    while (seq < due) {
      const pair = pairs[seq % pairs.length]!;
      const name = `steady ${seq}`;
      await adminDb.query(`INSERT INTO catalog_product_entity_varchar (attribute_id, store_id, entity_id, value) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value)`, [nameAttr.attribute_id, pair.store_id, pair.product_id, name]);
      committedAt.set(name, Date.now());
      seq++;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  if (env.BENCH_DEBUG) console.log('changes offsets after steady', (await admin.fetchTopicOffsets(t.changes(feed.name))).map((x) => x.offset).join(','), 'arrived', latencies.length);
  const drainUntil = Date.now() + 15_000;
  while (committedAt.size > 0 && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 100));
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  console.log(`steady: ${seq} updates in ${STEADY_SECONDS} s (${(seq / STEADY_SECONDS).toFixed(0)}/s), ${latencies.length} arrived, ${committedAt.size} missing; p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`);
  console.log(`BENCH e2e.steady.p99_commit_to_downstream_ms=${p(0.99)}`);

  await adminDb.end();
  await stopChild(run);
  await producer.disconnect();
  await admin.disconnect();
  await pool.end();
  await receiver.close();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
