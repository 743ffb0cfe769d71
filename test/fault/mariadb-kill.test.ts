// MariaDB killed with kill -9 and started again, on a private stack, while `commerce-cdc run`
// (products feed) keeps running: no connector process is restarted.
// 1. Mid-stream: a writer commits numbered changes (each transaction logs its number in a
//    table the reader does not capture and renames a product to carry it), the server is killed
//    twice. Every number the database holds afterwards is in the changes topic exactly once
//    (read_committed), and the items topic and the receiver equal a fresh assembly.
// 2. In the middle of a snapshot (chunks of 2 rows, one Kafka transaction each): the snapshot
//    resumes from its last committed chunk; every product has exactly one `r` record for a
//    read_committed consumer, and the items equal a fresh assembly.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicNames } from '../../src/kafka/topics.js';
import { checkProducts, openRig, privateAdmin, privateCatalog, PRODUCTS, type Rig } from '../helpers/dbFaults.js';
import { canonical, waitIdle } from '../helpers/e2e.js';
import { startPrivateStack, type PrivateStack } from '../helpers/privateStack.js';
import { faultSummary, versionsUnderTwoKeys } from '../helpers/processes.js';
import { ROOT } from '../helpers/stack.js';
import { readChanges, type ChangeRecord } from '../integration/reader-support.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const KILLS = 2;

describe('MariaDB killed with kill -9 and restarted under a running connector', () => {
  let stack: PrivateStack;
  const rigs: Rig[] = [];
  const runs: ChildProcess[] = [];
  /** Tests passed: a failure keeps the private stack's dir (MariaDB's log, connector.log). */
  let passed = 0;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/cli/index.js'))) throw new Error('run npm run build first: the connector runs as dist/cli/index.js');
    stack = startPrivateStack('dbkill');
  });
  afterAll(async () => {
    for (const [i, r] of runs.entries()) await rigs[i]?.stop(r);
    for (const r of rigs) await r.close();
    const kept = stack?.destroy(passed < 2);
    if (kept) console.log(`mariadb-kill fault test failed: logs kept in ${kept}`);
  });

  /** Starts `run` on a new rig; `alive` says why it is gone, if it is. */
  async function start(database: string, prefix: string, overrides: Record<string, unknown> = {}) {
    const rig = await openRig(stack, database, prefix, overrides);
    const run = rig.spawn();
    rigs.push(rig);
    runs.push(run);
    const alive = () => (run.exitCode !== null || run.signalCode !== null ? `run exited ${run.exitCode ?? run.signalCode}: ${rig.selfExits.join('\n')}` : undefined);
    return { rig, run, alive };
  }

  /** kill -9 the server, leave it down for `downMs`, start it again. */
  async function crash(rig: Rig, downMs: number) {
    stack.run('kill', 'mariadb');
    rig.mark('mariadb killed with SIGKILL');
    await sleep(downMs);
    stack.run('start', 'mariadb');
    rig.mark('mariadb started again');
  }

  it(`mid-stream: ${KILLS} kills, every committed change exactly once, items equal a fresh assembly, no restart`, async () => {
    const started = Date.now();
    const database = 'fault_dbkill';
    await privateCatalog(stack, database);
    const setup = await privateAdmin(stack, database);
    await setup.query('CREATE TABLE seq_log (seq INT UNSIGNED NOT NULL PRIMARY KEY)');
    const [[{ id: nameAttr }]] = (await setup.query(`SELECT attribute_id AS id FROM eav_attribute WHERE entity_type_id = 4 AND attribute_code = 'name'`)) as unknown as [[{ id: number }]];
    // products with a store-0 name row: each numbered change updates exactly one row
    const [named] = (await setup.query('SELECT entity_id AS id FROM catalog_product_entity_varchar WHERE attribute_id = ? AND store_id = 0', [nameAttr])) as unknown as [Array<{ id: number }>];
    await setup.end();
    expect(named.length).toBeGreaterThan(20);

    const { rig, run, alive } = await start(database, 'dbkillfault');
    await waitIdle(rig.d, [PRODUCTS], { timeoutMs: 120_000, alive });

    let writing = true;
    let seq = 0;
    let failedCommits = 0;
    const writer = (async () => {
      let c: mysql.Connection | undefined;
      while (writing) {
        try {
          c ??= await privateAdmin(stack, database);
          const k = ++seq;
          await c.query('START TRANSACTION');
          await c.query('INSERT INTO seq_log (seq) VALUES (?)', [k]);
          await c.query('UPDATE catalog_product_entity_varchar SET value = ? WHERE entity_id = ? AND attribute_id = ? AND store_id = 0', [`Seq ${k}`, named[k % named.length]!.id, nameAttr]);
          await c.query('COMMIT');
          await sleep(4 + Math.random() * 6);
        } catch {
          // the server is down (or went down mid-transaction: whether it committed, seq_log says)
          failedCommits++;
          c?.destroy();
          c = undefined;
          await sleep(200);
        }
      }
      await c?.end();
    })();

    for (let i = 0; i < KILLS; i++) {
      await sleep(3000 + Math.random() * 2000);
      await crash(rig, 2000);
    }
    await sleep(3000);
    writing = false;
    await writer;
    rig.mark(`writer stopped at seq ${seq}`);

    const check = await checkProducts(rig, alive);
    const c = await privateAdmin(stack, database);
    const [rows] = (await c.query('SELECT seq FROM seq_log')) as unknown as [Array<{ seq: number }>];
    await c.end();
    const committed = new Set(rows.map((r) => r.seq));
    const records = await readChanges(rig.d.kafka, stack.registryUrl, [topicNames(rig.config.prefix).changes(PRODUCTS.name)], { quietMs: 3000, timeoutMs: 60_000 });
    const seen = new Map<number, number>();
    for (const r of numbered(records)) seen.set(r, (seen.get(r) ?? 0) + 1);
    const lost = [...committed].filter((k) => !seen.has(k));
    const doubled = [...seen].filter(([, n]) => n > 1).map(([k]) => k);
    const unknown = [...seen.keys()].filter((k) => !committed.has(k));
    faultSummary('mariadb-kill', { changes: committed.size, lost: lost.length + check.mismatches, doubled: doubled.length, seconds: (Date.now() - started) / 1000 });
    console.log(`mariadb-kill: ${committed.size} committed changes (${seq} tried, ${failedCommits} failed while the server was down), ${seen.size} in the topic; items mismatches ${check.mismatches}`);

    expect(rig.selfExits, 'connector processes that died on their own').toEqual([]);
    expect(run.exitCode).toBeNull();
    expect({ lost, doubled, unknown }).toEqual({ lost: [], doubled: [], unknown: [] });
    expect(committed.size).toBeGreaterThan(100);
    // the server was really down while the writer wrote
    expect(failedCommits).toBeGreaterThanOrEqual(KILLS);
    expect(check.problems, check.problems.join('\n')).toEqual([]);
    expect(check.verify.stdout, check.verify.stderr).toMatch(/^products: \d+ source id\(s\), \d+ item\(s\) assembled, \d+ in the items topic: equal$/m);
    expect(check.verify.code).toBe(0);
    expect(await rig.stop(run)).toBe(0);
    passed++;
  });

  it('in the middle of a snapshot: it resumes from the last committed chunk, one r record per product, items equal a fresh assembly', async () => {
    const started = Date.now();
    const database = 'fault_dbsnap';
    await privateCatalog(stack, database, { products: 200 });
    const port = 28_900 + Math.floor(Math.random() * 300);
    const { rig, run, alive } = await start(database, 'dbsnapfault', { reader: { heartbeatMs: 500, snapshotChunkSize: 2 }, dashboard: { enabled: true, port } });
    const topic = topicNames(rig.config.prefix).changes(PRODUCTS.name);
    const c = await privateAdmin(stack, database);
    const [rows] = (await c.query('SELECT entity_id AS id FROM catalog_product_entity')) as unknown as [Array<{ id: number }>];
    await c.end();
    const products = rows.map((r) => String(r.id));
    expect(products.length).toBeGreaterThan(150);

    // wait until the products' snapshot has committed its first chunk (2 records and a transaction marker):
    // about a hundred chunks remain, so the kill lands inside the snapshot even on an idle machine
    const admin = rig.d.kafka.admin();
    await admin.connect();
    let high = 0;
    try {
      for (const until = Date.now() + 120_000; Date.now() < until && high < 3; await sleep(50)) {
        high = await admin.fetchTopicOffsets(topic).then((o) => o.reduce((s, p) => s + Number(p.high), 0), () => 0);
        if (alive()) throw new Error(alive());
      }
    } finally {
      await admin.disconnect();
    }
    expect(high, 'the products snapshot had started').toBeGreaterThanOrEqual(3);
    await crash(rig, 2000);
    rig.mark(`killed with ${high} records and markers in ${topic}`);

    const check = await checkProducts(rig, alive);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const records = await readChanges(rig.d.kafka, stack.registryUrl, [topic], { quietMs: 3000, timeoutMs: 60_000 });
    // one r record per product for a read_committed consumer: the chunk the kill cut was aborted, and the resumed snapshot starts after the last committed one
    const rCount = new Map<string, number>();
    for (const r of records) if (r.value.op === 'r') rCount.set(r.key, (rCount.get(r.key) ?? 0) + 1);
    const lost = products.filter((id) => !rCount.has(id));
    const doubled = [...rCount].filter(([, n]) => n > 1).map(([id]) => id);
    const twice = versionsUnderTwoKeys(rig.receiver.items, canonical);
    faultSummary('snapshot-restart', { changes: products.length, lost: lost.length + check.mismatches, doubled: doubled.length + twice.length, seconds: (Date.now() - started) / 1000 });

    expect(rig.selfExits, 'connector processes that died on their own').toEqual([]);
    expect(run.exitCode).toBeNull();
    // the kill interrupted the snapshot: it was started once and resumed (not started afresh)
    expect(metrics).toMatch(/^cdc_reader_snapshots_total\{reason="initial"\} 1$/m);
    expect(metrics).toMatch(/^cdc_reader_snapshots_total\{reason="resumed"\} [1-9]\d*$/m);
    expect({ lost, doubled, twice }).toEqual({ lost: [], doubled: [], twice: [] });
    expect(check.problems, check.problems.join('\n')).toEqual([]);
    expect(check.verify.stdout, check.verify.stderr).toMatch(/^products: \d+ source id\(s\), \d+ item\(s\) assembled, \d+ in the items topic: equal$/m);
    expect(check.verify.code).toBe(0);
    passed++;
  });
});

/** The numbers of the writer's changes among the products feed's change records (the name row's after image). */
function numbered(records: ChangeRecord[]): number[] {
  const out: number[] = [];
  for (const r of records) {
    const v = r.value as { op?: string; after?: { value?: unknown } | null; source?: { table?: string } };
    if (v.op !== 'u' || v.source?.table !== 'catalog_product_entity_varchar') continue;
    const m = /^Seq (\d+)$/.exec(String(v.after?.value ?? ''));
    if (m) out.push(Number(m[1]));
  }
  return out;
}
