// End to end: a seeded Commerce database, `commerce-cdc run` as a child process
// (dist/, so `npm run build` first) and a real HTTP receiver. Everything the
// receiver gets must equal a direct assembly by the providers; a product name
// changed in one store view must arrive as exactly one new item within 2 s.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminConnection, dropDatabase, ROOT, testConfig, uniqueName } from '../helpers/stack.js';
import { createCommerceDatabase } from '../helpers/commerce.js';
import { resolveFeed } from '../../src/feeds/index.js';
import { feedId } from '../../src/feeds/hash.js';
import type { FeedDefinition } from '../../src/feeds/types.js';
import { build, builtItem } from '../../src/exporter/assemble.js';
import { providerContext } from '../../src/exporter/context.js';
import { loadSchema } from '../../src/avro/records.js';
import { createLogger } from '../../src/log.js';
import { createPool } from '../../src/mysql/pool.js';
import { startReceiver, type Receiver } from '../../src/tools/receiver/index.js';

const FEEDS = ['scopesWebsite', 'scopesCustomerGroup', 'productAttributes', 'products'].map((n) => resolveFeed(n));

function comparable(feed: FeedDefinition, item: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!feed.hashExclude.includes(k)) out[k] = v;
  return JSON.parse(JSON.stringify(out)) as Record<string, unknown>;
}

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs: number, everyMs = 20): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

describe('e2e: commerce-cdc run → receiver', () => {
  let database: string;
  let receiver: Receiver;
  let child: ChildProcess | undefined;
  let stderr = '';

  beforeAll(async () => {
    database = await createCommerceDatabase('e2e');
    receiver = await startReceiver();
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    await receiver?.close();
    if (database) await dropDatabase(database);
  });

  it('delivers one item per identity equal to a direct assembly, then exactly one new item for a product name change', async () => {
    const config = testConfig(database, uniqueName('e2e'), {
      publisher: { baseUrl: receiver.url, batchSize: 200 },
      dashboard: { enabled: false },
    });
    const dir = mkdtempSync(join(tmpdir(), 'cdc-e2e-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    child = spawn(process.execPath, [`${ROOT}dist/cli/index.js`, '-c', join(dir, 'config.json'), 'run', '--feeds', FEEDS.map((f) => f.name).join(',')], {
      cwd: ROOT,
      env: { ...process.env, CDC_RETRY_SCALE: '0.2' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stderr!.on('data', (b: Buffer) => process.env.E2E_LOG && appendFileSync(process.env.E2E_LOG, b));

    // (the reader registers a schema per captured table before its snapshot: its start dominates this test's time)
    // what a direct assembly gives now
    const pool = createPool(config.mysql);
    const ctx = providerContext(pool, createLogger({ level: 'warn' }), '');
    const expected = new Map<string, Map<string, Record<string, unknown>>>();
    try {
      for (const feed of FEEDS) {
        const type = avro.Type.forSchema(loadSchema(feed.schemaFile) as avro.Schema);
        const ids = await feed.provider.listIds(undefined, 1_000_000, ctx);
        const items = await feed.provider.assemble(ids, ctx);
        expected.set(feed.route, new Map(items.map((a) => {
          const b = build(feed, type, a.sourceEntityId, a.item);
          const item = builtItem(type, b);
          return [b.feedId, comparable(feed, item)];
        })));
      }
    } finally {
      await pool.end();
    }
    for (const feed of FEEDS) expect(expected.get(feed.route)!.size, feed.name).toBeGreaterThan(0);

    const received = (route: string) => receiver.items.filter((r) => r.route === route);
    const total = [...expected.values()].reduce((n, m) => n + m.size, 0);
    await until(`${total} items downstream`, () => receiver.items.length >= total, 240_000, 200).catch((e: Error) => {
      throw new Error(`${e.message}; got ${receiver.items.length}; connector stderr:\n${stderr.slice(-3000)}`);
    });
    await new Promise((r) => setTimeout(r, 1500));
    for (const feed of FEEDS) {
      const want = expected.get(feed.route)!;
      const got = received(feed.route);
      expect(got.length, feed.name).toBe(want.size);
      for (const r of got) {
        const fid = feedId(r.item, feed.identity);
        expect(want.has(fid), `${feed.name} ${fid}`).toBe(true);
        expect(comparable(feed, r.item)).toEqual(want.get(fid));
      }
    }

    // one product's name in one store view
    const c = await adminConnection(database);
    const [[attr]] = (await c.query(`SELECT attribute_id FROM eav_attribute WHERE attribute_code = 'name' AND entity_type_id = 4`)) as unknown as [[{ attribute_id: number }]];
    const [[store]] = (await c.query(`SELECT store_id, code FROM store WHERE store_id <> 0 ORDER BY store_id LIMIT 1`)) as unknown as [[{ store_id: number; code: string }]];
    const products = received('products');
    const target = products.find((r) => r.item.storeViewCode === store.code)!;
    const productId = Number(target.item.productId);
    const before = receiver.items.length;
    const t0 = Date.now();
    await c.query(
      `INSERT INTO catalog_product_entity_varchar (attribute_id, store_id, entity_id, value) VALUES (?, ?, ?, 'Renamed in one view') ON DUPLICATE KEY UPDATE value = VALUES(value)`,
      [attr.attribute_id, store.store_id, productId],
    );
    await c.end();
    const arrived = await until('the renamed product', () => receiver.items.slice(before).find((r) => r.item.name === 'Renamed in one view'), 5_000);
    const latency = Date.now() - t0;
    expect(latency).toBeLessThan(2000);
    expect(arrived.route).toBe('products');
    expect(arrived.item.sku).toBe(target.item.sku);
    expect(arrived.item.storeViewCode).toBe(store.code);
    await new Promise((r) => setTimeout(r, 2000));
    expect(receiver.items.slice(before)).toHaveLength(1);
    expect(child.exitCode).toBeNull();
  }, 300_000);
});
