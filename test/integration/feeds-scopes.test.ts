// Golden items of the scopesWebsite and scopesCustomerGroup feeds, built by their
// providers from a real database, then after the changes an admin makes: a store
// view renamed and one added, a website added, a customer group excluded from a website.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '../../src/mysql/pool.js';
import { definition as scopesWebsite } from '../../src/feeds/scopesWebsite/index.js';
import { definition as scopesCustomerGroup } from '../../src/feeds/scopesCustomerGroup/index.js';
import type { ProviderContext } from '../../src/feeds/types.js';
import { ROOT, createDatabase, dropDatabase, testConfig } from '../helpers/stack.js';
import { adminExec, expectGolden, providerContext } from '../helpers/feeds.js';

const FIXTURE = `
INSERT INTO store_website (website_id, code, name, sort_order, default_group_id, is_default) VALUES
  (0, 'admin', 'Admin', 0, 0, 0), (1, 'base', 'Main Website', 0, 1, 1), (2, 'eu', 'Europe', 1, 2, 0);
INSERT INTO store_group (group_id, website_id, name, root_category_id, default_store_id, code) VALUES
  (0, 0, 'Default', 0, 0, 'default'), (1, 1, 'Main Store', 2, 1, 'main_website_store'),
  (2, 2, 'EU Store', 2, 2, 'eu_store'), (3, 2, 'EU Outlet', 2, 4, 'eu_outlet');
INSERT INTO store (store_id, code, website_id, group_id, name, sort_order, is_active) VALUES
  (0, 'admin', 0, 0, 'Admin', 0, 1), (1, 'default', 1, 1, 'Default Store View', 0, 1),
  (2, 'eu_en', 2, 2, 'EU English', 0, 1), (3, 'eu_de', 2, 2, 'EU Deutsch', 1, 0),
  (4, 'eu_outlet_en', 2, 3, 'Outlet', 0, 1);
INSERT INTO customer_group (customer_group_id, customer_group_code, tax_class_id) VALUES
  (0, 'NOT LOGGED IN', 3), (1, 'General', 3), (2, 'Wholesale', 3), (3, 'Retailer', 3);
INSERT INTO customer_group_excluded_website (customer_group_id, website_id) VALUES (2, 2);
`;

const TABLES = ['store_website', 'store_group', 'store', 'customer_group', 'customer_group_excluded_website'];

/** The DDL of the scopes tables only: this test needs no catalog. */
function scopesDdl(): string {
  const statements = readFileSync(`${ROOT}fixtures/commerce/schema.sql`, 'utf8').split(/;\s*\n/);
  return statements
    .filter((s) => TABLES.includes(/CREATE TABLE\s+`?(\w+)/i.exec(s)?.[1] ?? ''))
    .map((s) => `${s};\n`)
    .join('');
}


/** Compares with (or, with UPDATE_GOLDEN=1, writes) test/golden/feeds/<feed>/<name>.json. */
const golden = expectGolden;

let db: string;
let pool: Pool;
let ctx: ProviderContext;

const admin = (sql: string): Promise<void> => adminExec(db, sql);

async function allItems(def: typeof scopesWebsite) {
  const ids = await def.provider.listIds(undefined, 1000, ctx);
  return def.provider.assemble(ids, ctx);
}

beforeAll(async () => {
  db = await createDatabase('feedsscopes');
  // NO_AUTO_VALUE_ON_ZERO: Magento's admin rows have id 0 in AUTO_INCREMENT columns.
  await admin(`SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_AUTO_VALUE_ON_ZERO');
    ${scopesDdl()}
    ${FIXTURE}`);
  pool = createPool(testConfig(db, db).mysql);
  ctx = providerContext(pool, () => new Date('2026-01-01T00:00:00Z'));
});

afterAll(async () => {
  await pool?.end();
  if (db) await dropDatabase(db);
});

describe('scopes feeds', () => {
  it('builds every website and customer group item as golden JSON', async () => {
    expect(await scopesWebsite.provider.listIds(undefined, 10, ctx)).toEqual(['1', '2']);
    expect(await scopesWebsite.provider.listIds('1', 10, ctx)).toEqual(['2']);
    golden('scopesWebsite', 'initial', await allItems(scopesWebsite));
    expect(await scopesCustomerGroup.provider.listIds(undefined, 2, ctx)).toEqual(['0', '1']);
    golden('scopesCustomerGroup', 'initial', await allItems(scopesCustomerGroup));
    // Website 0 (admin) is never an item, even when asked for.
    expect(await scopesWebsite.provider.assemble(['0', '1', 'junk'], ctx)).toHaveLength(1);
  });

  it('follows store and website changes and expands them to the affected ids', async () => {
    await admin(`
      UPDATE store SET code = 'eu_fr', name = 'EU Français' WHERE store_id = 3;
      INSERT INTO store (store_id, code, website_id, group_id, name, sort_order, is_active) VALUES (5, 'main_es', 1, 1, 'Español', 1, 1);
      INSERT INTO store_website (website_id, code, name, sort_order, default_group_id) VALUES (3, 'us', 'US', 2, 0);
      INSERT INTO customer_group_excluded_website (customer_group_id, website_id) VALUES (3, 3);
      DELETE FROM customer_group WHERE customer_group_id = 1;
    `);
    expect(await scopesWebsite.provider.expand!('store', ['3', '5'], ctx)).toEqual(['1', '2']);
    expect(await scopesWebsite.provider.expand!('storeGroup', ['3'], ctx)).toEqual(['2']);
    expect(await scopesCustomerGroup.provider.expand!('website', ['3'], ctx)).toEqual(['0', '2', '3']);
    golden('scopesWebsite', 'after-changes', await allItems(scopesWebsite));
    golden('scopesCustomerGroup', 'after-changes', await allItems(scopesCustomerGroup));
    // The removed group yields no item: the exporter turns it into a deleted item.
    expect(await scopesCustomerGroup.provider.assemble(['1'], ctx)).toEqual([]);
  });

  it('reads every table through the Magento table prefix', async () => {
    const before = [await allItems(scopesWebsite), await allItems(scopesCustomerGroup)];
    // NO_AUTO_VALUE_ON_ZERO keeps the admin rows' id 0; the emptied originals expose any query without ctx.t().
    await admin(`SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_AUTO_VALUE_ON_ZERO');
      ${TABLES.map((t) => `CREATE TABLE mg_${t} LIKE ${t}; INSERT INTO mg_${t} SELECT * FROM ${t}; DELETE FROM ${t};`).join('\n')}`);
    const plain = ctx;
    ctx = { ...plain, t: (table) => `mg_${table}` };
    try {
      expect([await allItems(scopesWebsite), await allItems(scopesCustomerGroup)]).toEqual(before);
      expect(await scopesWebsite.provider.expand!('store', ['3'], ctx)).toEqual(['2']);
    } finally {
      ctx = plain;
    }
  });
});
