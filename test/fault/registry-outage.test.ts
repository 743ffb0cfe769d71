// The schema registry down, on a private stack whose registry keeps its schemas in a
// file (CDC_REGISTRY_STORE=file: a real registry survives its restart):
// - at start: the reader exits with REGISTRY_UNREACHABLE (exit 4) and creates nothing;
// - mid-run: changes to tables whose schemas are registered keep flowing; a DDL that
//   needs a new schema version holds the reader (it retries, never exits) until the
//   registry is back, then everything committed arrives exactly once.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateStack, type PrivateStack } from '../helpers/privateStack.js';
import { faultSummary, recordSelfExit } from '../helpers/processes.js';
import { ROOT, stackEnv } from '../helpers/stack.js';
import { buildConfig } from '../../src/config/load.js';
import { createKafka } from '../../src/kafka/client.js';
import { createLogger } from '../../src/log.js';
import { mappingDir, readChanges } from '../integration/reader-support.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const DB = 'fault_registry';
const PREFIX = 'regfault';
const TOPIC = `${PREFIX}.products.changes`;

describe('schema registry down at start and mid-run', () => {
  let stack: PrivateStack;
  let admin: mysql.Connection;
  let reader: ChildProcess | undefined;
  let passed = false;
  const selfExits: string[] = [];
  let stopping = false;
  const connector = mappingDir({ products: { root: ['seqtab', 'id'], tables: [['seqtab', 'product', 'id']] } });

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/cli/index.js'))) throw new Error('run npm run build first: the reader runs as dist/cli/index.js');
    stack = startPrivateStack('registry', undefined, { CDC_REGISTRY_STORE: 'file' });
    admin = await mysql.createConnection({ host: '127.0.0.1', port: stack.mysqlPort, user: stackEnv.adminUser, password: stackEnv.adminPassword, multipleStatements: true });
    admin.on('error', () => undefined);
    await admin.query(`CREATE DATABASE ${DB}; CREATE TABLE ${DB}.seqtab (id INT UNSIGNED NOT NULL PRIMARY KEY, seq INT UNSIGNED NOT NULL)`);
    // the edition check needs the catalog's entity tables (empty, Open Source shape)
    await admin.query(`CREATE TABLE ${DB}.catalog_product_entity (entity_id INT UNSIGNED NOT NULL PRIMARY KEY); CREATE TABLE ${DB}.catalog_category_entity (entity_id INT UNSIGNED NOT NULL PRIMARY KEY)`);
  });
  afterAll(async () => {
    stopping = true;
    reader?.kill('SIGKILL');
    await admin?.end().catch(() => undefined);
    const kept = stack?.destroy(!passed);
    if (kept) console.log(`registry fault test failed: logs kept in ${kept}`);
  });

  const env = (): NodeJS.ProcessEnv => ({
    ...process.env,
    CDC_PREFIX: PREFIX,
    CDC_LOG_LEVEL: 'info',
    CDC_MYSQL_HOST: '127.0.0.1',
    CDC_MYSQL_PORT: String(stack.mysqlPort),
    CDC_MYSQL_USER: stackEnv.cdcUser,
    CDC_MYSQL_PASSWORD: stackEnv.cdcPassword,
    CDC_MYSQL_DATABASE: DB,
    CDC_MYSQL_SERVER_ID: '7311',
    CDC_KAFKA_BROKERS: stack.brokers.join(','),
    CDC_KAFKA_PARTITIONS: '3',
    CDC_REGISTRY_URL: stack.registryUrl,
    CDC_READER_CONNECTOR: connector,
    CDC_READER_HEARTBEAT_MS: '1000',
    CDC_RETRY_SCALE: '0.3',
  });
  const mark = (what: string) => appendFileSync(join(stack.dir, 'reader.log'), `--- ${new Date().toISOString()} ${what}\n`);
  const kafka = () => createKafka(buildConfig({ kafka: { brokers: stack.brokers } }, {}).config!, createLogger({ level: 'error' }));
  const topics = async () => {
    const a = kafka().admin();
    await a.connect();
    return a.listTopics().finally(() => a.disconnect());
  };
  /** Records (and transaction markers) in the changes topic: grows while the reader commits. */
  const high = async () => {
    const a = kafka().admin();
    await a.connect();
    const offs = await a.fetchTopicOffsets(TOPIC).finally(() => a.disconnect());
    return offs.reduce((s, p) => s + Number(p.high), 0);
  };

  it('at start: REGISTRY_UNREACHABLE, exit 4, no topic created; mid-run: old schemas flow, a DDL waits for the registry, nothing lost or doubled', async () => {
    const started = Date.now();
    stack.run('stop', 'registry');
    mark('registry stopped before the start');
    const first = spawnSync(process.execPath, [join(ROOT, 'dist/cli/index.js'), 'reader'], { env: env(), encoding: 'utf8', timeout: 120_000 });
    expect(first.stderr).toMatch(/^REGISTRY_UNREACHABLE: /m);
    expect(first.status).toBe(4);
    expect((await topics()).filter((t) => t.startsWith(`${PREFIX}.`))).toEqual([]);
    stack.run('start', 'registry');
    mark('registry started');

    reader = spawn(process.execPath, [join(ROOT, 'dist/cli/index.js'), 'reader'], { env: env(), stdio: ['ignore', 'ignore', 'pipe'] });
    reader.stderr!.on('data', (d: Buffer) => appendFileSync(join(stack.dir, 'reader.log'), d));
    recordSelfExit(reader, 'reader', selfExits, () => stopping, mark);
    for (let i = 0; i < 120 && !(await topics()).includes(`${PREFIX}.reader.offsets`); i++) await sleep(500);

    const writer = await mysql.createConnection({ host: '127.0.0.1', port: stack.mysqlPort, user: stackEnv.adminUser, password: stackEnv.adminPassword, database: DB });
    const committed: number[] = [];
    let seq = 0;
    let withNote = false;
    let writing = true;
    const writerDone = (async () => {
      while (writing) {
        const k = ++seq;
        await writer.query(withNote ? 'INSERT INTO seqtab (id, seq, note) VALUES (?, ?, ?)' : 'INSERT INTO seqtab (id, seq) VALUES (?, ?)', withNote ? [k, k, `n${k}`] : [k, k]);
        committed.push(k);
        await sleep(20);
      }
    })();
    await sleep(3000);

    stack.run('stop', 'registry');
    mark('registry stopped mid-run');
    // registered schemas keep flowing: the topic grows while the registry is down
    const h0 = await high();
    await sleep(5000);
    const h1 = await high();
    expect(h1, 'changes committed while the registry is down').toBeGreaterThan(h0 + 20);

    // a new column needs a new schema version: the reader holds there (and does not exit)
    await writer.query('ALTER TABLE seqtab ADD COLUMN note VARCHAR(20) NULL');
    withNote = true;
    const ddlAt = seq;
    mark(`DDL after seq ${ddlAt}`);
    await sleep(5000);
    const h2 = await high();
    await sleep(8000);
    const h3 = await high();
    expect(h3, 'nothing committed after the DDL while the registry is down').toBe(h2);
    expect(reader.exitCode).toBeNull();

    stack.run('start', 'registry');
    mark('registry started again');
    await sleep(5000);
    writing = false;
    await writerDone;
    await writer.end();

    expect(selfExits, 'reader processes that died on their own').toEqual([]);
    const got = await readChanges(kafka(), stack.registryUrl, [TOPIC], { count: committed.length, extraMs: 3000, timeoutMs: 120_000 });
    const seen = new Map<number, number>();
    let notes = 0;
    for (const r of got) {
      const after = r.value.after as { seq: number; note?: string | null };
      seen.set(Number(after.seq), (seen.get(Number(after.seq)) ?? 0) + 1);
      if (after.note === `n${after.seq}`) notes++;
    }
    const lost = committed.filter((k) => !seen.has(k));
    const doubled = [...seen].filter(([, n]) => n > 1).map(([k]) => k);
    faultSummary('registry-outage', { changes: committed.length, lost: lost.length, doubled: doubled.length, seconds: (Date.now() - started) / 1000 });
    expect({ lost, doubled }).toEqual({ lost: [], doubled: [] });
    // the rows written after the DDL carry the new column
    expect(notes).toBe(committed.length - ddlAt);
    passed = true;
  });
});
