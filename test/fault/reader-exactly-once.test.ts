// Exactly-once across crashes, for real: a writer commits a steady stream of row
// changes, each carrying a unique sequence number, while the reader process is
// killed with SIGKILL over and over, the broker restarts once and the reader's
// binlog connection is killed once. Afterwards every committed change must be in
// the topic exactly once for a read_committed consumer. It runs on both editions:
// on Adobe Commerce the writes go to a value table keyed by the link field (row_id),
// which the reader emits as version rows for the exporter to resolve.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { readerEnv, startPrivateStack, type PrivateStack } from '../helpers/privateStack.js';
import { faultSummary, recordSelfExit } from '../helpers/processes.js';
import { ROOT, stackEnv } from '../helpers/stack.js';
import { buildConfig } from '../../src/config/load.js';
import { createKafka } from '../../src/kafka/client.js';
import { createLogger } from '../../src/log.js';
import { mappingDir } from '../integration/reader-support.js';
import { accountSeq, SEQ_TABLES, startSeqWriter, waitForStoredPosition } from '../helpers/seqChanges.js';
import { EDITIONS } from '../helpers/editions.js';
import { applySchema } from '../../src/tools/seed/schema.js';

/** The products mapping on the staging schema: the entity table by entity_id, a value table by the link field. */
function linkMappingDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cdc-map-'));
  writeFileSync(
    join(dir, 'products.yaml'),
    stringify({
      feed: 'products',
      root: { table: 'catalog_product_entity', id: 'entity_id' },
      tables: [
        { table: 'catalog_product_entity', entity: 'product', id: 'entity_id' },
        { table: 'catalog_product_entity_int', entity: 'product', link: 'product' },
      ],
    }),
  );
  return dir;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(EDITIONS)('reader exactly-once under faults (%s)', (edition) => {
  const DB = `fault_reader_${edition}`;
  const PREFIX = `fault${edition}`;
  const table = SEQ_TABLES[edition];
  let stack: PrivateStack;
  let admin: mysql.Connection;
  let reader: ChildProcess | undefined;
  let readerLog = '';
  let passed = false;
  /** Reader processes that ended without being killed or asked to stop: a reader must never die on its own. */
  const selfExits: string[] = [];
  let stopping = false;
  const connector =
    edition === 'commerce'
      ? linkMappingDir()
      : mappingDir({ products: { root: ['seqtab', 'id'], tables: [['seqtab', 'product', 'id']] } });

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/cli/index.js'))) throw new Error('run npm run build first: the reader runs as dist/cli/index.js');
    stack = startPrivateStack(`reader-${edition}`);
    admin = await mysql.createConnection({ host: '127.0.0.1', port: stack.mysqlPort, user: stackEnv.adminUser, password: stackEnv.adminPassword, multipleStatements: true });
    admin.on('error', () => undefined);
    await admin.query(`CREATE DATABASE ${DB}`);
    if (edition === 'commerce') await applySchema(admin, DB, 'commerce');
    else await admin.query(`CREATE TABLE ${DB}.seqtab (id INT UNSIGNED NOT NULL PRIMARY KEY, seq INT UNSIGNED NOT NULL)`);
  });
  afterAll(async () => {
    reader?.kill('SIGKILL');
    await admin?.end().catch(() => undefined);
    // a failure keeps the private stack's dir: the broker's and MariaDB's logs and every reader's full log (reader.log)
    const kept = stack?.destroy(!passed);
    if (kept) console.log(`reader fault test failed: logs kept in ${kept}`);
  });

  const env = (): NodeJS.ProcessEnv => ({
    ...readerEnv(stack, { prefix: PREFIX, database: DB, serverId: 7301, connector }, { user: stackEnv.cdcUser, password: stackEnv.cdcPassword }),
    CDC_READER_MAX_TRANSACTION_EVENTS: '50',
  });

  /** A line in reader.log, so the kept log shows what the test did when. */
  const mark = (what: string) => appendFileSync(join(stack.dir, 'reader.log'), `--- ${new Date().toISOString()} ${what}\n`);

  function startReaderProcess(): ChildProcess {
    const p = spawn(process.execPath, [join(ROOT, 'dist/cli/index.js'), 'reader'], { env: env(), stdio: ['ignore', 'ignore', 'pipe'] });
    mark(`reader started (pid ${p.pid})`);
    p.stderr!.on('data', (d: Buffer) => {
      readerLog = (readerLog + d.toString()).slice(-20_000);
      appendFileSync(join(stack.dir, 'reader.log'), d);
    });
    recordSelfExit(p, 'reader', selfExits, () => stopping, mark);
    return p;
  }

  it('loses and duplicates nothing across 10+ SIGKILLs, a broker restart and a killed binlog connection', async () => {
    const started = Date.now();
    reader = startReaderProcess();
    // the reader is up once it has written its first position (snapshot of the empty table)
    const kafka = createKafka(buildConfig({ kafka: { brokers: stack.brokers } }, {}).config!, createLogger({ level: 'error' }));
    await waitForStoredPosition(kafka, PREFIX);

    // the writer: each committed transaction inserts or updates one row with the next sequence number
    const writer = await mysql.createConnection({ host: '127.0.0.1', port: stack.mysqlPort, user: stackEnv.adminUser, password: stackEnv.adminPassword, database: DB });
    writer.on('error', () => undefined);
    const seqWriter = startSeqWriter(writer, table);
    const committed = seqWriter.committed;

    const restart = async () => {
      reader = startReaderProcess();
      await sleep(800);
    };
    let kills = 0;
    for (let round = 0; round < 12; round++) {
      await sleep(1500 + Math.random() * 3500);
      if (round === 5) {
        mark('kafka restarting');
        stack.run('restart', 'kafka');
        mark('kafka restarted');
        continue;
      }
      if (round === 8) {
        // the reader may be reconnecting at this moment: wait for its dump thread
        let rows: Array<{ ID: number }> = [];
        for (let i = 0; i < 40 && !rows.length; i++) {
          [rows] = (await admin.query("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ? AND COMMAND LIKE 'Binlog Dump%'", [stackEnv.cdcUser])) as unknown as [Array<{ ID: number }>];
          if (!rows.length) await sleep(250);
        }
        for (const r of rows) await admin.query(`KILL ${r.ID}`);
        mark(`binlog dump thread(s) ${rows.map((r) => r.ID).join(',')} killed`);
        expect(rows.length).toBeGreaterThan(0);
        continue;
      }
      reader!.kill('SIGKILL');
      mark('reader SIGKILLed');
      kills++;
      await restart();
    }
    await seqWriter.stop();
    mark(`writer stopped after ${committed.length} committed changes`);
    await writer.end();
    expect(kills).toBeGreaterThanOrEqual(10);

    expect(selfExits, 'reader processes that died on their own').toEqual([]);
    const { records: got, lost, doubled, unknown } = await accountSeq(kafka, stack.registryUrl, `${PREFIX}.products.changes`, committed, table, () => readerLog);
    // a clean stop after all that: SIGTERM, exit code 0
    const exited = new Promise<number | null>((res) => reader!.once('exit', (code) => res(code)));
    stopping = true;
    reader!.kill('SIGTERM');
    expect(await exited).toBe(0);

    if (edition === 'commerce') for (const r of got) expect(r.value.entity).toMatchObject({ type: 'productRow:product' });
    faultSummary('reader-exactly-once', { changes: committed.length, lost: lost.length, doubled: doubled.length, seconds: (Date.now() - started) / 1000 });
    console.log(`reader fault test (${edition}): ${committed.length} committed changes, ${got.length} records, ${kills} SIGKILLs, lost ${lost.length}, doubled ${doubled.length}`);
    expect({ changes: committed.length, lost, doubled, unknown }).toEqual({ changes: committed.length, lost: [], doubled: [], unknown: [] });
    expect(committed.length).toBeGreaterThan(1000);
    passed = true;
  });
});
