import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerContext } from '../../src/exporter/context.js';
import { resolveFeed } from '../../src/feeds/index.js';
import { createLogger } from '../../src/log.js';
import { createPool } from '../../src/mysql/pool.js';
import { createDecoder } from '../../src/ops/decoder.js';
import { createRegistry } from '../../src/avro/registry.js';
import { lockName } from '../../src/ops/resync/lock.js';
import type { StatusReport } from '../../src/ops/status/index.js';
import { readTopicsToEnd } from '../../src/ops/topicReader.js';
import { cli } from '../helpers/cli.js';
import { createCommerceDatabase } from '../helpers/commerce.js';
import { adminConnection, dropDatabase, testConfig, uniqueName, stackEnv } from '../helpers/stack.js';
import { cliEnv, testKafka } from './status.fixture.js';

describe('commerce-cdc resync', () => {
  const prefix = uniqueName('resync');
  const noGrantsUser = uniqueName('nr').slice(0, 30);
  let database = '';
  let env: NodeJS.ProcessEnv;
  let expected = { ids: 0, items: 0, perId: new Map<string, number>() };
  let skus: Array<{ sku: string; id: string }> = [];
  const kafka = testKafka();

  /** Every item record (tombstones apart) of the items topic, counted per source id. */
  async function itemRecords(): Promise<{ records: number; tombstones: number; perId: Map<string, number> }> {
    const decoder = createDecoder(createRegistry(testConfig(database, prefix)), testConfig(database, prefix));
    const out = { records: 0, tombstones: 0, perId: new Map<string, number>() };
    await readTopicsToEnd(kafka, [`${prefix}.products.items`], async (_t, _p, m) => {
      if (!m.value) return void out.tombstones++;
      out.records++;
      const id = String((await decoder.decode(m.value)).sourceEntityId);
      out.perId.set(id, (out.perId.get(id) ?? 0) + 1);
    }, { groupPrefix: `${prefix}.test` });
    return out;
  }

  beforeAll(async () => {
    database = await createCommerceDatabase('resync');
    env = cliEnv(prefix, database, { CDC_LOG_LEVEL: 'info', EXPORTER_LOG_PROGRESS_INTERVAL: '1' });
    const feed = resolveFeed('products');
    const db = createPool(testConfig(database, prefix).mysql);
    const ctx = providerContext(db, createLogger({ level: 'silent' }), '');
    const ids = await feed.provider.listIds(undefined, 100_000, ctx);
    const items = await feed.provider.assemble(ids, ctx);
    expected = { ids: ids.length, items: items.length, perId: new Map() };
    for (const i of items) expected.perId.set(i.sourceEntityId, (expected.perId.get(i.sourceEntityId) ?? 0) + 1);
    await db.end();
    const c = await adminConnection(database);
    skus = ((await c.query('SELECT sku, entity_id AS id FROM catalog_product_entity ORDER BY entity_id LIMIT 2')) as unknown as [Array<{ sku: string; id: string }>])[0].map((r) => ({ sku: r.sku, id: String(r.id) }));
    // a user that can connect but read nothing: --no-reindex must still work with it
    await c.query(`CREATE USER '${noGrantsUser}'@'%' IDENTIFIED BY 'nr_pw'`);
    await c.end();
    expect(expected.items).toBeGreaterThan(expected.ids);
  });

  afterAll(async () => {
    const c = await adminConnection();
    await c.query(`DROP USER IF EXISTS '${noGrantsUser}'@'%'`);
    await c.end();
    await dropDatabase(database);
  });

  it('--dry-run assembles every item, logs the payloads and writes nothing', async () => {
    const r = await cli(['resync', '--feed', 'products', '--dry-run', '--batch-size', '7', '--thread-count', '3'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`dry run: products: ${expected.items} item(s) assembled from ${expected.ids} id(s)`);
    const payloads = r.stderr.split('\n').filter((l) => l.includes('"msg":"payload"'));
    expect(payloads).toHaveLength(expected.items);
    expect(JSON.parse(payloads[0]!)).toMatchObject({ feed: 'products', item: { sku: expect.any(String) } });
    const admin = kafka.admin();
    await admin.connect();
    expect((await admin.listTopics()).filter((t) => t.startsWith(prefix + '.'))).toEqual([]);
    await admin.disconnect();
  });

  it('a full resync fills the items topic with one item per identity, in-process exporter', async () => {
    const r = await cli(['resync', '--feed', 'Products', '--batch-size', '10', '--thread-count', '2'], env);
    expect(r.stderr).not.toMatch(/"level":"(error|fatal)"/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`resync products: ${expected.ids} id(s) triggered and assembled`);
    expect(r.stdout).toContain('exporter run in this process');
    expect(r.stderr).toMatch(/"operation":"full sync".*"status":"Progress \d+\/\d+"/);
    const st = JSON.parse((await cli(['status', '--json'], { ...env, CDC_EXPORTER_FEEDS: 'products' })).stdout) as StatusReport;
    expect(st.feeds[0]).toMatchObject({ feed: 'products', items: expected.items, deleted: 0, pending: expected.items });
    expect((await itemRecords()).records).toBe(expected.items);
  });

  it('--by-ids with skus forces the listed products out again, and names the unknown ones', async () => {
    const r = await cli(['resync', '--feed', 'products', '--by-ids', `${skus[0]!.sku},${skus[1]!.sku},NO-SUCH-SKU`], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 id(s) forced');
    expect(r.stdout).toContain('not found: NO-SUCH-SKU');
    const after = await itemRecords();
    // unchanged items are written again (force), only those of the two products
    expect(after.records).toBe(expected.items + expected.perId.get(skus[0]!.id)! + expected.perId.get(skus[1]!.id)!);
    expect(after.perId.get(skus[0]!.id)).toBe(2 * expected.perId.get(skus[0]!.id)!);
  });

  it('--by-ids --id-type productId takes entity ids', async () => {
    const before = (await itemRecords()).records;
    const r = await cli(['resync', '--feed', 'products', '--by-ids', skus[0]!.id, '--id-type', 'productId'], env);
    expect(r.code).toBe(0);
    expect((await itemRecords()).records).toBe(before + expected.perId.get(skus[0]!.id)!);
  });

  it('--continue-resync starts after the largest id already in the items topic', async () => {
    const r = await cli(['resync', '--feed', 'products', '--continue-resync'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('resync products: 0 id(s) triggered');
  });

  it('--no-reindex resends the items topic without reading the database', async () => {
    const before = (await itemRecords()).records;
    const noRead = { ...env, CDC_MYSQL_USER: noGrantsUser, CDC_MYSQL_PASSWORD: 'nr_pw' };
    // the same user cannot read the catalog: a resync that reads fails
    const denied = await cli(['resync', '--feed', 'products', '--dry-run'], noRead);
    expect(denied.code).toBe(3);
    expect(denied.stderr).toMatch(/^MYSQL_\w+: /m);
    const r = await cli(['resync', '--feed', 'products', '--no-reindex'], noRead);
    expect(r.stderr).not.toMatch(/"level":"(error|fatal)"/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${expected.items} item(s) re-written`);
    expect((await itemRecords()).records).toBe(before + expected.items);
  });

  it('two resyncs of a feed do not run at once', async () => {
    const c = await adminConnection();
    await c.query('SELECT GET_LOCK(?, 0)', [lockName(prefix, 'products')]);
    try {
      const before = (await itemRecords()).records;
      const r = await cli(['resync', '--feed', 'products'], env);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^operation skipped - process locked by connection \d+/);
      expect((await itemRecords()).records).toBe(before);
    } finally {
      await c.end();
    }
  });

  it('--cleanup-feed refuses without confirmation when not interactive', async () => {
    const before = await itemRecords();
    const r = await cli(['resync', '--feed', 'products', '--cleanup-feed'], env);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^CLI_USAGE: --cleanup-feed .*\. Fix: add --yes/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect((await itemRecords()).tombstones).toBe(before.tombstones);
  });

  it('--cleanup-feed --yes tombstones the feed, then rebuilds it', async () => {
    const before = await itemRecords();
    const r = await cli(['resync', '--feed', 'products', '--cleanup-feed', '--yes'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`${expected.ids} id\\(s\\) triggered and assembled, ${expected.items} record\\(s\\) cleaned up first`));
    const after = await itemRecords();
    expect(after.tombstones).toBe(before.tombstones + expected.items);
    expect(after.records).toBe(before.records + expected.items);
    const st = JSON.parse((await cli(['status', '--json'], { ...env, CDC_EXPORTER_FEEDS: 'products' })).stdout) as StatusReport;
    expect(st.feeds[0]).toMatchObject({ items: expected.items, deleted: 0 });
  });
});

void stackEnv;
