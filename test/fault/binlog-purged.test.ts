// The binlog purged past the reader's stored position while the connector is down, on a
// private stack (its MariaDB's binlog is flushed and purged): with snapshotMode initial the
// reader exits with MYSQL_POSITION_PURGED (exit 3), its one line naming the fix, and writes
// nothing; with snapshotMode when_needed `commerce-cdc run` takes a new snapshot, counts it in
// cdc_reader_snapshots_total{reason="purged"}, and the items topic and the receiver end equal
// to a fresh assembly: a product renamed in the gap arrives renamed, a product deleted in the
// gap (its delete is in the purged binlog) arrives deleted, and nothing unchanged is sent again.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.js';
import { topicNames } from '../../src/kafka/topics.js';
import { readStoredPosition } from '../../src/reader/position.js';
import type mysql from 'mysql2/promise';
import { canonical, comparable, waitIdle } from '../helpers/e2e.js';
import { childEnv, checkProducts, openRig, privateAdmin, privateCatalog, PRODUCTS, type Rig } from '../helpers/dbFaults.js';
import { startPrivateStack, type PrivateStack } from '../helpers/privateStack.js';
import { faultSummary } from '../helpers/processes.js';
import { ROOT } from '../helpers/stack.js';

const DB = 'fault_purged';
const PREFIX = 'purgefault';
const DASHBOARD_PORT = 28_600 + Math.floor(Math.random() * 300);

/** FLUSH BINARY LOGS, then PURGE BINARY LOGS TO the new file; returns its name. */
async function rotateAndPurge(c: mysql.Connection): Promise<string> {
  await c.query('FLUSH BINARY LOGS');
  const [[status]] = (await c.query('SHOW MASTER STATUS')) as unknown as [[{ File: string }]];
  // MariaDB keeps a file its binlog checkpoint still needs for crash recovery (PURGE only warns):
  // the checkpoint moves on once InnoDB has flushed the file's commits, so try again until then
  let logs: string[] = [];
  let warnings = '';
  for (let i = 0; i < 40; i++) {
    await c.query(`PURGE BINARY LOGS TO '${status.File}'`);
    const [w] = (await c.query('SHOW WARNINGS')) as unknown as [Array<{ Message: string }>];
    warnings = w.map((x) => x.Message).join('; ');
    logs = ((await c.query('SHOW BINARY LOGS')) as unknown as [Array<{ Log_name: string }>])[0].map((l) => l.Log_name);
    if (logs.length === 1) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(logs, `PURGE BINARY LOGS TO ${status.File} kept older files: ${warnings}`).toEqual([status.File]);
  return status.File;
}

describe('binlog purged past the stored position while the connector is down', () => {
  let stack: PrivateStack;
  let rig: Rig;
  let run: ChildProcess | undefined;
  let passed = 0;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/cli/index.js'))) throw new Error('run npm run build first: the connector runs as dist/cli/index.js');
    stack = startPrivateStack('purged');
    await privateCatalog(stack, DB);
    rig = await openRig(stack, DB, PREFIX, { dashboard: { enabled: true, port: DASHBOARD_PORT } });
  });
  afterAll(async () => {
    if (run) await rig.stop(run);
    await rig?.close();
    const kept = stack?.destroy(passed < 2);
    if (kept) console.log(`binlog-purged fault test failed: logs kept in ${kept}`);
  });

  const alive = () => (run && run.exitCode !== null ? `run exited ${run.exitCode}; see connector.log` : undefined);
  const storedPosition = () => readStoredPosition(rig.d.kafka, topicNames(PREFIX).readerOffsets, rig.d.log, 20_000);
  let started = 0;
  /** Writes made while the connector was down (each a committed change the stream never carries). */
  let gapChanges = 0;
  const renamed: Array<{ id: number; sku: string; name: string }> = [];
  let deleted: { id: number; sku: string } | undefined;
  let receivedBefore = 0;

  it('snapshotMode initial: MYSQL_POSITION_PURGED, exit 3, the fix named, the stored position untouched', async () => {
    started = Date.now();
    run = rig.spawn();
    const first = await checkProducts(rig, alive);
    expect(first.problems, first.problems.join('\n')).toEqual([]);
    // idle across a rotation and a purge: the heartbeat moves the stored position into the new file
    // (left in the purged one, the next start would stop with MYSQL_POSITION_PURGED though nothing is missing)
    const c0 = await privateAdmin(stack, DB);
    const current = await rotateAndPurge(c0).finally(() => c0.end());
    await waitIdle(rig.d, [PRODUCTS], { timeoutMs: 30_000, alive });
    expect((await storedPosition())?.file).toBe(current);
    expect(await rig.stop(run)).toBe(0);
    run = undefined;
    receivedBefore = rig.receiver.items.length;
    const before = await storedPosition();
    expect(before?.snapshot).toBeNull();

    // while it is down: two products renamed and one deleted, then the binlog up to here is purged, then one more rename
    const c = await privateAdmin(stack, DB);
    try {
      const [[{ id: nameAttr }]] = (await c.query(`SELECT attribute_id AS id FROM eav_attribute WHERE entity_type_id = 4 AND attribute_code = 'name'`)) as unknown as [[{ id: number }]];
      // products no other product's item names (no parent, not linked to): only their own items change
      const [products] = (await c.query(
        `SELECT entity_id AS id, sku FROM catalog_product_entity WHERE type_id = 'simple'
           AND entity_id NOT IN (SELECT child_id FROM catalog_product_relation) AND entity_id NOT IN (SELECT linked_product_id FROM catalog_product_link)
           ORDER BY entity_id LIMIT 4`,
      )) as unknown as [Array<{ id: number; sku: string }>];
      expect(products).toHaveLength(4);
      const rename = async (p: { id: number; sku: string }) => {
        const name = `Renamed while down ${p.sku}`;
        await c.query(`UPDATE catalog_product_entity_varchar SET value = ? WHERE entity_id = ? AND attribute_id = ? AND store_id = 0`, [name, p.id, nameAttr]);
        renamed.push({ ...p, name });
        gapChanges++;
      };
      await rename(products[0]!);
      await rename(products[1]!);
      deleted = products[2]!;
      await c.query(`DELETE FROM catalog_product_entity WHERE entity_id = ?`, [deleted.id]);
      gapChanges++;
      await rotateAndPurge(c);
      await rename(products[3]!);
    } finally {
      await c.end();
    }

    const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli/index.js'), '-c', rig.configFile, 'reader'], { cwd: ROOT, env: childEnv(), encoding: 'utf8', timeout: 120_000 });
    const lines = r.stderr.split('\n').filter((l) => l.trim() && !l.startsWith('{'));
    expect(lines, r.stderr).toEqual([expect.stringMatching(/^MYSQL_POSITION_PURGED: the stored binlog position \(mysql-bin\.\d+\) has been purged from the server\. Fix: set reader\.snapshotMode to when_needed \(or run a resync\)/)]);
    expect(r.status).toBe(ERROR_CODES.MYSQL_POSITION_PURGED.exit);
    expect(r.status).toBe(3);
    // nothing half-written: the stored position is the one from before
    expect(await storedPosition()).toEqual(before);
    passed++;
  });

  it('snapshotMode when_needed: a new snapshot (counted), items equal a fresh assembly, the deleted product deleted downstream, nothing unchanged resent', async () => {
    expect(deleted, 'the first test ran').toBeDefined();
    run = rig.spawn(['run', '--feeds', PRODUCTS.name], { CDC_READER_SNAPSHOT_MODE: 'when_needed' });
    const check = await checkProducts(rig, alive);
    expect(rig.selfExits).toEqual([]);
    const metrics = await (await fetch(`http://127.0.0.1:${DASHBOARD_PORT}/metrics`)).text();
    expect(metrics).toMatch(/^cdc_reader_snapshots_total\{reason="purged"\} 1$/m);
    expect(metrics).not.toMatch(/^cdc_reader_snapshots_total\{reason="initial"\}/m);

    // what arrived after the restart: the gap's products only (the renamed ones, the deleted one)
    const after = rig.receiver.items.slice(receivedBefore);
    const skus = new Set(after.map((i) => String(i.item.sku)));
    const gapSkus = [...renamed.map((p) => p.sku), deleted!.sku];
    expect([...skus].sort()).toEqual(gapSkus.sort());
    const gone = after.filter((i) => i.item.sku === deleted!.sku);
    expect(gone.length).toBeGreaterThan(0);
    expect(gone.every((i) => i.item.deleted === true)).toBe(true);
    // doubled: an item version the receiver already had, sent again (the re-snapshot's unchanged items must be deduplicated)
    const had = new Set(rig.receiver.items.slice(0, receivedBefore).map((i) => comparable(PRODUCTS, i.item)));
    const resent = after.filter((i) => had.has(comparable(PRODUCTS, i.item))).map((i) => canonical(i.item));

    faultSummary('binlog-purged', { changes: gapChanges, lost: check.mismatches, doubled: resent.length, seconds: (Date.now() - started) / 1000 });
    expect(check.problems, check.problems.join('\n')).toEqual([]);
    expect(resent).toEqual([]);
    expect(check.verify.stdout, check.verify.stderr).toMatch(/^products: \d+ source id\(s\), \d+ item\(s\) assembled, \d+ in the items topic: equal$/m);
    expect(check.verify.code).toBe(0);
    expect(run.exitCode).toBeNull();
    passed++;
  });
});
