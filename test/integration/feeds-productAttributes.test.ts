// Golden productAttributes items from a seeded catalog, then after an admin
// relabels an attribute for one store view, renames an option, adds a store view
// and deletes an attribute.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '../../src/mysql/pool.js';
import { definition } from '../../src/feeds/productAttributes/index.js';
import type { AssembledItem, ProviderContext } from '../../src/feeds/types.js';
import { createCommerceDatabase } from '../helpers/commerce.js';
import { adminExec, expectGolden, moveTablesUnderPrefix, providerContext } from '../helpers/feeds.js';
import { dropDatabase, testConfig } from '../helpers/stack.js';

const provider = definition.provider;
const GOLDEN_CODES = ['name', 'price', 'color', 'material', 'pattern', 'status'];

/** Compares with (or, with UPDATE_GOLDEN=1, writes) test/golden/feeds/productAttributes/<name>.json. */
const golden = (name: string, value: unknown): void => expectGolden('productAttributes', name, value);

let db: string;
let pool: Pool;
let ctx: ProviderContext;
/** Items of the last assembly, to compare the prefixed read with. */
let last: AssembledItem[] = [];

const admin = (sql: string): Promise<void> => adminExec(db, sql);

async function one<T>(sql: string): Promise<T> {
  const [rows] = await pool.query(sql);
  return (rows as T[])[0]!;
}

async function assembleAll(): Promise<AssembledItem[]> {
  return provider.assemble(await provider.listIds(undefined, 10_000, ctx), ctx);
}

const chosen = (items: AssembledItem[]) => items.filter((a) => GOLDEN_CODES.includes(String(a.item.attributeCode)));
const key = (a: AssembledItem) => `${String(a.item.attributeCode)}@${String(a.item.storeViewCode)}`;

beforeAll(async () => {
  db = await createCommerceDatabase('feedsattrs', { today: '2026-01-01' });
  pool = createPool(testConfig(db, db).mysql);
  ctx = providerContext(pool, () => new Date('2026-01-02T03:04:05Z'));
});

afterAll(async () => {
  await pool?.end();
  if (db) await dropDatabase(db);
});

describe('productAttributes feed', () => {
  let before: AssembledItem[];

  it('builds one item per product attribute and active store view', async () => {
    const ids = await provider.listIds(undefined, 10_000, ctx);
    const { n } = await one<{ n: number }>(`SELECT COUNT(*) AS n FROM eav_attribute WHERE entity_type_id = 4`);
    expect(ids).toHaveLength(Number(n));
    expect(await provider.listIds(ids[4], 3, ctx)).toEqual(ids.slice(5, 8));
    const { views } = await one<{ views: number }>(`SELECT COUNT(*) AS views FROM store WHERE store_id <> 0 AND is_active = 1`);
    before = await provider.assemble(ids, ctx);
    expect(before).toHaveLength(ids.length * Number(views));
    expect(new Set(before.map(key)).size).toBe(before.length);
    golden('initial', chosen(before));
  });

  it('follows label, option and store view changes, and expands them to the affected attributes', async () => {
    const color = await one<{ attribute_id: number }>(`SELECT attribute_id FROM eav_attribute WHERE attribute_code = 'color' AND entity_type_id = 4`);
    const material = await one<{ attribute_id: number }>(`SELECT attribute_id FROM eav_attribute WHERE attribute_code = 'material' AND entity_type_id = 4`);
    const store = await one<{ store_id: number; website_id: number; group_id: number }>(`SELECT store_id, website_id, group_id FROM store WHERE store_id <> 0 AND is_active = 1 ORDER BY store_id LIMIT 1`);
    const option = await one<{ option_id: number }>(`SELECT option_id FROM eav_attribute_option WHERE attribute_id = ${color.attribute_id} ORDER BY sort_order, option_id LIMIT 1`);
    await admin(`
      DELETE FROM eav_attribute_label WHERE attribute_id = ${color.attribute_id} AND store_id = ${store.store_id};
      INSERT INTO eav_attribute_label (attribute_id, store_id, value) VALUES (${color.attribute_id}, ${store.store_id}, 'Farbe');
      INSERT INTO eav_attribute_option_value (option_id, store_id, value) VALUES (${option.option_id}, ${store.store_id}, 'Schwarz');
      INSERT INTO store (store_id, code, website_id, group_id, name, sort_order, is_active)
        VALUES (90, 'added_view', ${store.website_id}, ${store.group_id}, 'Added', 9, 1);
      DELETE FROM eav_attribute WHERE attribute_id = ${material.attribute_id};
    `);
    expect(await provider.expand!('attributeOption', [String(option.option_id)], ctx)).toEqual([String(color.attribute_id)]);
    const allIds = await provider.listIds(undefined, 10_000, ctx);
    expect(await provider.expand!('store', ['90'], ctx)).toEqual(allIds);

    const after = await assembleAll();
    expect(after.some((a) => a.item.attributeCode === 'material')).toBe(false);
    expect(after.filter((a) => a.item.storeViewCode === 'added_view')).toHaveLength(allIds.length);
    golden('after-changes', chosen(after));
    last = after;
  });

  it('reads every table through the Magento table prefix', async () => {
    await moveTablesUnderPrefix(db, 'mg_');
    const prefixed: ProviderContext = { ...ctx, t: (table) => `mg_${table}` };
    const ids = await provider.listIds(undefined, 10_000, prefixed);
    expect(ids.length).toBeGreaterThan(0);
    expect(await provider.assemble(ids, prefixed)).toEqual(last);
  });
});
