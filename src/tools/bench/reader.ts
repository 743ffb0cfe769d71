// Benchmarks of the binlog reader (a `commerce-cdc reader` child process):
//   reader.catchup.events_per_s       a binlog holding BENCH_ROWS (1,000,000) row changes of the product EAV
//                                     tables, written before the reader starts, read and produced (Avro,
//                                     acks all, committed): row changes / seconds from the reader's spawn
//                                     to the commit covering the last one (start-up included: timing from
//                                     the first commit would leave that transaction's rows untimed)
//   reader.steady.p99_commit_to_kafka_ms
//                                     BENCH_TPS (2,000) single-row transactions/s for BENCH_STEADY_SECONDS (20):
//                                     client-side commit time vs the record's arrival at a read_committed consumer
//   reader.decode.events_per_s        the limit of catch-up: @vlasky/zongji alone (lib-decode.ts) decoding the
//                                     same binlog span, from the position the first reader run stored to the
//                                     backlog's end, same table filter, no Avro, no Kafka
//   reader.catchup.vs_decode          reader.catchup.events_per_s / reader.decode.events_per_s (goal >= 0.5)
//   reader.rss_mb                     peak RSS (VmHWM) of the reader process during catch-up
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import kafkajs from '../../kafka/kafkajs.js';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { benchNodeFlags, peakRssMb } from './lib-resync.js';
import { EAV, createBacklogTables, writeBacklog } from './lib-backlog.js';
import { decodeSpan } from './lib-decode.js';
import { cpuWindow, printCpu, stackPids } from './lib-cpu.js';
import { readStoredPosition } from '../../reader/position.js';
import { createLogger } from '../../log.js';

const env = process.env;
const ROWS = Number(env.BENCH_ROWS ?? 1_000_000);
const TPS = Number(env.BENCH_TPS ?? 2000);
const STEADY_SECONDS = Number(env.BENCH_STEADY_SECONDS ?? 20);
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const { Kafka, logLevel } = kafkajs;

const mysqlHost = env.CDC_MYSQL_HOST ?? '127.0.0.1';
const mysqlPort = Number(env.CDC_MYSQL_PORT ?? 3407);
const brokers = (env.CDC_KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const registryUrl = env.CDC_REGISTRY_URL ?? 'http://127.0.0.1:18081/apis/ccompat/v7';
const id = randomBytes(3).toString('hex');
const database = `bench_reader_${id}`;
const prefix = `bench_reader_${id}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The tables the reader's mapping names: its binlog table filter. */
const TABLES = ['catalog_product_entity', ...EAV.map((t) => `catalog_product_entity_${t}`)];

function mapping(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-reader-'));
  const tables = TABLES.map((t) => `  - { table: ${t}, entity: product, id: entity_id }`);
  writeFileSync(join(dir, 'products.yaml'), ['feed: products', 'root: { table: catalog_product_entity, id: entity_id }', 'tables:', ...tables, ''].join('\n'));
  return dir;
}

function readerEnv(connector: string): NodeJS.ProcessEnv {
  return {
    ...env,
    CDC_PREFIX: prefix,
    CDC_LOG_LEVEL: 'warn',
    CDC_MYSQL_HOST: mysqlHost,
    CDC_MYSQL_PORT: String(mysqlPort),
    CDC_MYSQL_USER: env.CDC_MYSQL_USER ?? 'cdc',
    CDC_MYSQL_PASSWORD: env.CDC_MYSQL_PASSWORD ?? 'cdc_pw',
    CDC_MYSQL_DATABASE: database,
    CDC_MYSQL_SERVER_ID: String(7000 + Math.floor(Math.random() * 1000)),
    CDC_KAFKA_BROKERS: brokers.join(','),
    CDC_REGISTRY_URL: registryUrl,
    CDC_READER_CONNECTOR: connector,
    CDC_READER_HEARTBEAT_MS: '1000',
  };
}

async function main(): Promise<void> {
  const admin = await mysql.createConnection({ host: mysqlHost, port: mysqlPort, user: env.CDC_MYSQL_ADMIN_USER ?? 'cdc_admin', password: env.CDC_MYSQL_ADMIN_PASSWORD ?? 'cdc_admin_pw', multipleStatements: true });
  await createBacklogTables(admin, database);
  const connector = mapping();
  const kafka = new Kafka({ clientId: 'bench-reader', brokers, logLevel: logLevel.NOTHING });
  const positions: Array<{ at: number; pos: number; file: string }> = [];
  const watcher = kafka.consumer({ groupId: `${prefix}.watch`, readUncommitted: false });
  const offsetsTopic = `${prefix}.reader.offsets`;

  // 1. a first reader run stores the position before the backlog, then stops
  let reader = spawn(process.execPath, [join(ROOT, 'dist/cli/index.js'), 'reader'], { env: readerEnv(connector), stdio: ['ignore', 'inherit', 'inherit'] });
  const kadmin = kafka.admin();
  await kadmin.connect();
  for (let i = 0; i < 240 && !(await kadmin.listTopics()).includes(offsetsTopic); i++) await sleep(250);
  await sleep(2500);
  reader.kill('SIGTERM');
  await new Promise((r) => reader.once('exit', r));
  const stored = await readStoredPosition(kafka, offsetsTopic, createLogger({ level: 'warn' }));
  if (!stored) throw new Error(`the first reader run stored no position in ${offsetsTopic}`);

  // 2. the backlog: ROWS row changes in multi-row INSERTs
  const t0 = Date.now();
  const { rows, end } = await writeBacklog(admin, ROWS);
  process.stderr.write(`inserted ${rows} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s; binlog end ${end.File}:${end.Position}\n`);

  // 3. catch-up: watch the committed positions while the reader works through the backlog
  await watcher.connect();
  await watcher.subscribe({ topic: offsetsTopic, fromBeginning: false });
  let caughtUp: (() => void) | undefined;
  const done = new Promise<void>((r) => (caughtUp = r));
  await watcher.run({
    eachMessage: async ({ message }) => {
      const p = JSON.parse(message.value!.toString()) as { file: string; pos: number };
      positions.push({ at: Date.now(), pos: p.pos, file: p.file });
      if (p.file > end.File || (p.file === end.File && p.pos >= end.Position)) caughtUp?.();
    },
  });
  await sleep(4000); // group join before the reader commits anything
  const spawnedAt = Date.now();
  reader = spawn(process.execPath, [...benchNodeFlags(), join(ROOT, 'dist/cli/index.js'), 'reader'], { env: readerEnv(connector), stdio: ['ignore', 'inherit', 'inherit'] });
  const endCpu = cpuWindow({ reader: reader.pid!, ...stackPids() });
  let rss = 0;
  const sampler = setInterval(() => {
    rss = Math.max(rss, peakRssMb(reader.pid!));
  }, 500);
  await done;
  const catchupCpu = endCpu();
  clearInterval(sampler);
  rss = Math.max(rss, peakRssMb(reader.pid!));
  const first = positions[0]!;
  const last = positions[positions.length - 1]!;
  const seconds = (last.at - spawnedAt) / 1000;
  process.stderr.write(`catch-up: first commit ${((first.at - spawnedAt) / 1000).toFixed(1)} s after spawn, ${positions.length} transactions, last commit ${seconds.toFixed(1)} s after spawn\n`);
  await watcher.disconnect();

  // 3b. the limit: zongji alone decoding the span the reader just read (in this process: `bench`)
  const endDecodeCpu = cpuWindow(stackPids());
  const decode = await decodeSpan({
    connection: { host: mysqlHost, port: mysqlPort, user: env.CDC_MYSQL_USER ?? 'cdc', password: env.CDC_MYSQL_PASSWORD ?? 'cdc_pw' },
    serverId: 8000 + Math.floor(Math.random() * 1000),
    database,
    tables: TABLES,
    from: stored,
    to: end,
  });
  const decodeCpu = endDecodeCpu();
  process.stderr.write(`decode: ${decode.rows} rows from ${stored.file}:${stored.pos} in ${decode.seconds.toFixed(1)} s (zongji alone)\n`);
  if (decode.rows !== rows) throw new Error(`zongji decoded ${decode.rows} rows of the span, the backlog wrote ${rows}`);
  const catchupRate = rows / seconds;
  const decodeRate = decode.rows / decode.seconds;
  process.stdout.write(`BENCH reader.catchup.events_per_s=${Math.round(catchupRate)}\n`);
  process.stdout.write(`BENCH reader.decode.events_per_s=${Math.round(decodeRate)}\n`);
  process.stdout.write(`BENCH reader.catchup.vs_decode=${(catchupRate / decodeRate).toFixed(2)}\n`);
  process.stdout.write(`BENCH reader.rss_mb=${Math.round(rss)}\n`);
  printCpu('reader.catchup', catchupCpu, rows);
  printCpu('reader.decode', decodeCpu, decode.rows);

  // 4. steady: single-row transactions at TPS; commit time vs arrival of the record
  const registry = new SchemaRegistry({ host: registryUrl });
  const consumer = kafka.consumer({ groupId: `${prefix}.steady`, readUncommitted: false });
  const committedAt = new Map<number, number>();
  const latencies: number[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: `${prefix}.products.changes`, fromBeginning: false });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const now = Date.now();
      for (const m of batch.messages) {
        const v = (await registry.decode(m.value!)) as { after: { sku: string | null } | null };
        const k = Number(v.after?.sku?.slice(1));
        const c = committedAt.get(k);
        if (c !== undefined) latencies.push(now - c);
      }
    },
  });
  await sleep(5000);
  const pool = mysql.createPool({ host: mysqlHost, port: mysqlPort, user: env.CDC_MYSQL_ADMIN_USER ?? 'cdc_admin', password: env.CDC_MYSQL_ADMIN_PASSWORD ?? 'cdc_admin_pw', database, connectionLimit: 16 });
  let k = 0;
  const tick = 10;
  const stopAt = Date.now() + STEADY_SECONDS * 1000;
  const inflight: Array<Promise<unknown>> = [];
  while (Date.now() < stopAt) {
    const started = Date.now();
    for (let i = 0; i < (TPS * tick) / 1000; i++) {
      const n = ++k;
      inflight.push(pool.query('INSERT INTO catalog_product_entity (sku) VALUES (?)', [`s${n}`]).then(() => committedAt.set(n, Date.now())));
    }
    if (inflight.length > 2000) await Promise.all(inflight.splice(0));
    await sleep(Math.max(0, tick - (Date.now() - started)));
  }
  await Promise.all(inflight);
  const wrote = k;
  for (let i = 0; i < 60 && latencies.length < wrote; i++) await sleep(500);
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  process.stderr.write(`steady: ${wrote} transactions in ${STEADY_SECONDS} s, ${latencies.length} records seen, p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, max ${latencies[latencies.length - 1]} ms\n`);
  process.stdout.write(`BENCH reader.steady.p99_commit_to_kafka_ms=${p(0.99)}\n`);

  reader.kill('SIGTERM');
  await new Promise((r) => reader.once('exit', r));
  await consumer.disconnect();
  await kadmin.disconnect();
  await pool.end();
  await admin.query(`DROP DATABASE ${database}`);
  await admin.end();
}

await main();
