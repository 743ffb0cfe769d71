// Golden items of the categories feed on a seeded catalog, then: a store view
// renamed, a subcategory added, a store-view url path, a store group moved to a
// new root category, a category deleted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definition as categories } from '../../src/feeds/categories/index.js';
import type { AssembledItem, ProviderContext } from '../../src/feeds/types.js';
import { createPool, type Pool } from '../../src/mysql/pool.js';
import { createCommerceDatabase } from '../helpers/commerce.js';
import { adminExec, expectGolden, providerContext } from '../helpers/feeds.js';
import { dropDatabase, testConfig } from '../helpers/stack.js';

const TODAY = '2026-06-15';
const ALL = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'];

const golden = (name: string, value: unknown): void => expectGolden('categories', name, value);

let db: string;
let pool: Pool;
let ctx: ProviderContext;

const admin = (sql: string): Promise<void> => adminExec(db, sql);

const assemble = (ids: string[]) => categories.provider.assemble(ids, ctx);
const identities = (items: AssembledItem[]) => items.map((a) => `${a.item.categoryId}:${a.item.urlPath}@${a.item.storeViewCode}`);
const attr = (code: string) => `(SELECT attribute_id FROM eav_attribute WHERE entity_type_id = 3 AND attribute_code = '${code}')`;

beforeAll(async () => {
  db = await createCommerceDatabase('feedscategories', { today: TODAY });
  pool = createPool(testConfig(db, db).mysql);
  ctx = providerContext(pool, () => new Date(`${TODAY}T10:00:00Z`));
});

afterAll(async () => {
  await pool?.end();
  if (db) await dropDatabase(db);
});

describe('categories feed', () => {
  it('builds one item per category × store view under its root, store values over store 0', async () => {
    expect(await categories.provider.listIds(undefined, 100, ctx)).toEqual(ALL);
    expect(await categories.provider.listIds('8', 100, ctx)).toEqual(['9', '10']);
    const all = await assemble(ALL);
    // the tree root (1) is in no store; 9 categories × 3 store views
    expect(all).toHaveLength(27);
    golden('initial', all.filter((a) => ['2', '5', '10'].includes(a.sourceEntityId)));
  });

  it('expands a renamed store view to every category', async () => {
    await admin("UPDATE store SET code = 'fr' WHERE store_id = 2");
    expect(await categories.provider.expand!('store', ['2'], ctx)).toEqual(ALL);
    expect(identities(await assemble(['3']))).toEqual(['3:sale@default', '3:sale@fr', '3:sale@store_view_3']);
  });

  it("adds a subcategory to its parent's children", async () => {
    await admin(`INSERT INTO catalog_category_entity (entity_id, attribute_set_id, parent_id, created_at, updated_at, path, position, level, children_count)
        VALUES (11, 3, 3, '2026-06-15 09:00:00', '2026-06-15 09:00:00', '1/2/3/11', 2, 3, 0);
      INSERT INTO catalog_category_entity_varchar (attribute_id, store_id, entity_id, value) VALUES
        (${attr('name')}, 0, 11, 'Clearance'), (${attr('url_key')}, 0, 11, 'clearance'), (${attr('url_path')}, 0, 11, 'sale/clearance'),
        (${attr('url_path')}, 1, 11, 'sale/final-clearance'), (${attr('name')}, 1, 11, 'Final clearance');
      INSERT INTO catalog_category_entity_int (attribute_id, store_id, entity_id, value) VALUES
        (${attr('is_active')}, 0, 11, 1), (${attr('is_active')}, 2, 11, 0), (${attr('include_in_menu')}, 0, 11, 0)`);
    const items = await assemble(['3', '11']);
    for (const a of items.filter((i) => i.sourceEntityId === '3')) expect(a.item.children).toEqual(['8', '11']);
    // store 1 has its own url path (and so its own identity) and name; store 2 deactivated it
    golden('subcategory-added', items.filter((a) => a.sourceEntityId === '11'));
  });

  it('moves a store group to a new root: its store view leaves the old tree', async () => {
    await admin(`INSERT INTO catalog_category_entity (entity_id, attribute_set_id, parent_id, created_at, updated_at, path, position, level, children_count)
        VALUES (12, 3, 1, '2026-06-15 09:00:00', '2026-06-15 09:00:00', '1/12', 2, 1, 1),
               (13, 3, 12, '2026-06-15 09:00:00', '2026-06-15 09:00:00', '1/12/13', 1, 2, 0);
      INSERT INTO catalog_category_entity_varchar (attribute_id, store_id, entity_id, value) VALUES
        (${attr('name')}, 0, 12, 'FR Root'), (${attr('name')}, 0, 13, 'Nouveautés'), (${attr('url_path')}, 0, 13, 'nouveautes');
      UPDATE store_group SET root_category_id = 12 WHERE group_id = 2`);
    const ids = await categories.provider.expand!('storeGroup', ['2'], ctx);
    expect(ids).toEqual([...ALL, '11', '12', '13']);
    const items = await assemble(ids);
    expect(identities(items.filter((a) => a.item.storeViewCode === 'fr'))).toEqual(['12:null@fr', '13:nouveautes@fr']);
    expect(items.filter((a) => a.item.storeViewCode !== 'fr')).toHaveLength(20);
    expect(items.find((a) => a.sourceEntityId === '12')!.item.children).toEqual(['13']);
  });

  it('yields nothing for a deleted category', async () => {
    await admin('DELETE FROM catalog_category_entity WHERE entity_id = 10');
    expect(await assemble(['10'])).toEqual([]);
    const parent = await assemble(['4']);
    expect(parent.map((a) => a.item.children)).toEqual([['6', '7'], ['6', '7']]);
  });
});
