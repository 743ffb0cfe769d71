import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerContext } from '../../src/exporter/context.js';
import { resolveFeed } from '../../src/feeds/index.js';
import { createLogger } from '../../src/log.js';
import { createPool } from '../../src/mysql/pool.js';
import type { Estimate } from '../../src/ops/estimate/index.js';
import { createCommerceDatabase } from '../helpers/commerce.js';
import { adminConnection, dropDatabase, ROOT, testConfig, uniqueName } from '../helpers/stack.js';
import { cliEnv } from './status.fixture.js';

const run = promisify(execFile);

describe('commerce-cdc estimate', () => {
  let database = '';
  const prefix = uniqueName('est');
  const truth = { products: 0, storeViews: 0, websites: 0, groups: 0, items: 0 };

  beforeAll(async () => {
    database = await createCommerceDatabase('estimate');
    const c = await adminConnection(database);
    const one = async (sql: string) => Number(((await c.query(sql)) as unknown as [[{ n: string }]])[0][0].n);
    truth.products = await one('SELECT COUNT(*) AS n FROM catalog_product_entity');
    truth.storeViews = await one('SELECT COUNT(*) AS n FROM store WHERE store_id <> 0');
    truth.websites = await one('SELECT COUNT(*) AS n FROM store_website WHERE website_id <> 0');
    truth.groups = await one('SELECT COUNT(*) AS n FROM customer_group');
    await c.end();
    const db = createPool(testConfig(database, prefix).mysql);
    const feed = resolveFeed('products');
    const ctx = providerContext(db, createLogger({ level: 'silent' }), '');
    truth.items = (await feed.provider.assemble(await feed.provider.listIds(undefined, 1e6, ctx), ctx)).length;
    await db.end();
  });

  afterAll(async () => {
    await dropDatabase(database);
  });

  it('counts entities and scopes, measures a sample and compares with Adobe', async () => {
    const r = await run('node', [`${ROOT}dist/cli/index.js`, 'estimate', '--feed', 'products', '--json'], { env: cliEnv(prefix, database) });
    const e = JSON.parse(r.stdout) as Estimate;
    expect(e.entities).toBe(truth.products);
    expect(e.scopes).toMatchObject({ storeViews: truth.storeViews, websites: truth.websites, customerGroups: truth.groups });
    expect(e.scopeItems).toBe(truth.products * truth.storeViews);
    // the sample (500 ids) covers this whole catalog: the estimate is the exact count
    expect(e.sample.ids).toBe(truth.products);
    expect(e.expectedItems).toBe(truth.items);
    expect(e.sample.itemsPerSecond).toBeGreaterThan(0);
    expect(e.seconds).toBeCloseTo(e.expectedItems / e.sample.itemsPerSecond, 0);
    expect(e.adobe).toEqual({ itemsPerMinute: 10_000, seconds: Math.round((truth.items / 10_000) * 60 * 10) / 10 });
  });

  it('extrapolates from a smaller sample and prints a readable summary', async () => {
    const r = await run('node', [`${ROOT}dist/cli/index.js`, 'estimate', '--feed', 'products', '--sample', '10'], { env: cliEnv(prefix, database) });
    expect(r.stdout).toMatch(new RegExp(`entities\\s+${truth.products} product id\\(s\\)`));
    expect(r.stdout).toMatch(/sample\s+10 id\(s\) → \d+ item\(s\)/);
    expect(r.stdout).toMatch(/Adobe's figure\s+\S+ at 10,000 items\/min/);
  });
});
