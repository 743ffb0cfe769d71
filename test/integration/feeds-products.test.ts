// Golden products items from a seeded catalog (a configurable child, products with
// selectable and shopper input custom options, links, several websites), then
// after the changes an admin makes: a store view name override, an option relabelled for a store view,
// a category moved to a new URL, a product taken off a website, a product deleted
// and a store view added. Expansions must name exactly the products affected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '../../src/mysql/pool.js';
import { definition } from '../../src/feeds/products/index.js';
import type { AssembledItem, ProviderContext } from '../../src/feeds/types.js';
import { createCommerceDatabase } from '../helpers/commerce.js';
import { adminExec, expectGolden, moveTablesUnderPrefix, providerContext } from '../helpers/feeds.js';
import { dropDatabase, testConfig } from '../helpers/stack.js';

const provider = definition.provider;

/** Compares with (or, with UPDATE_GOLDEN=1, writes) test/golden/feeds/products/<name>.json. */
const golden = (name: string, value: unknown): void => expectGolden('products', name, value);

let db: string;
let pool: Pool;
let ctx: ProviderContext;
/** Items of the last assembly, to compare the prefixed read with. */
let last: AssembledItem[] = [];

const admin = (sql: string): Promise<void> => adminExec(db, sql);

async function rows<T>(sql: string): Promise<T[]> {
  const [r] = await pool.query(sql);
  return r as T[];
}

async function ids(sql: string): Promise<string[]> {
  return (await rows<{ id: number }>(sql)).map((r) => String(r.id)).sort((a, b) => Number(a) - Number(b));
}

async function first(sql: string): Promise<number> {
  const [id] = await ids(sql);
  if (id === undefined) throw new Error(`the seed has no row for: ${sql}`);
  return Number(id);
}

async function assembleAll(): Promise<AssembledItem[]> {
  return provider.assemble(await provider.listIds(undefined, 100_000, ctx), ctx);
}

const key = (a: AssembledItem) => `${String(a.item.sku)}@${String(a.item.storeViewCode)}`;

/** The products of the golden files, one of each kind, all different. */
const picks = { child: 0, options: 0, multiWebsite: 0, linked: 0, colored: 0, doomed: 0 };
const chosen = (items: AssembledItem[]) => items.filter((a) => Object.values(picks).includes(Number(a.sourceEntityId)));

async function pick(sql: string): Promise<number> {
  const taken = Object.values(picks).filter((id) => id > 0);
  const [id] = (await ids(sql)).filter((i) => !taken.includes(Number(i)));
  if (id === undefined) throw new Error(`the seed has no free product for: ${sql}`);
  return Number(id);
}

beforeAll(async () => {
  db = await createCommerceDatabase('feedsproducts', { today: '2026-01-01', products: 24 });
  pool = createPool(testConfig(db, db).mysql);
  ctx = providerContext(pool, () => new Date('2026-01-02T03:04:05Z'));
  picks.child = await pick(`SELECT r.child_id AS id FROM catalog_product_relation r JOIN catalog_product_entity p ON p.entity_id = r.parent_id AND p.type_id = 'configurable'`);
  picks.options = await pick(`SELECT product_id AS id FROM catalog_product_option WHERE type = 'drop_down'`);
  // The small seed has no shopper input option: give the options product an engraving field.
  await admin(`
    INSERT INTO catalog_product_option (option_id, product_id, type, is_require, sku, max_characters, sort_order)
      VALUES (900, ${picks.options}, 'field', 0, 'engraving', 20, 5);
    INSERT INTO catalog_product_option_title (option_id, store_id, title) VALUES (900, 0, 'Engraving'), (900, 2, 'Gravur');
    INSERT INTO catalog_product_option_price (option_id, store_id, price, price_type) VALUES (900, 0, 4.5, 'fixed');
  `);
  picks.multiWebsite = await pick(`SELECT product_id AS id FROM catalog_product_website GROUP BY product_id HAVING COUNT(*) > 1`);
  picks.linked = await pick(`SELECT product_id AS id FROM catalog_product_link`);
  picks.colored = await pick(`SELECT v.entity_id AS id FROM catalog_product_entity_int v JOIN eav_attribute a ON a.attribute_id = v.attribute_id AND a.attribute_code = 'color'`);
  picks.doomed = await pick(`SELECT entity_id AS id FROM catalog_product_entity WHERE type_id = 'simple'`);
});

afterAll(async () => {
  await pool?.end();
  if (db) await dropDatabase(db);
});

describe('products feed', () => {
  it('builds one item per product and active store view of its websites', async () => {
    const all = await provider.listIds(undefined, 100_000, ctx);
    expect(all).toEqual(await ids(`SELECT entity_id AS id FROM catalog_product_entity`));
    expect(await provider.listIds(all[2], 2, ctx)).toEqual(all.slice(3, 5));
    const items = await provider.assemble(all, ctx);
    const expected = await rows<{ sku: string; code: string }>(
      `SELECT p.sku, s.code FROM catalog_product_entity p
         JOIN catalog_product_website pw ON pw.product_id = p.entity_id
         JOIN store s ON s.website_id = pw.website_id AND s.store_id <> 0 AND s.is_active = 1`,
    );
    expect(items.map(key).sort()).toEqual(expected.map((r) => `${r.sku}@${r.code}`).sort());
    golden('initial', chosen(items));
  });

  it('follows catalog and store changes, and expands them to exactly the affected products', async () => {
    const { child: override, options: optionProduct, multiWebsite: removed, doomed: deleted, colored } = picks;
    const name = await first(`SELECT attribute_id AS id FROM eav_attribute WHERE attribute_code = 'name' AND entity_type_id = 4`);
    const color = await first(`SELECT attribute_id AS id FROM eav_attribute WHERE attribute_code = 'color' AND entity_type_id = 4`);
    const option = await first(`SELECT value AS id FROM catalog_product_entity_int WHERE attribute_id = ${color} AND entity_id = ${colored} AND store_id = 0`);
    const category = await first(`SELECT category_id AS id FROM catalog_category_product WHERE product_id = ${optionProduct}`);
    const urlPath = await first(`SELECT attribute_id AS id FROM eav_attribute WHERE attribute_code = 'url_path' AND entity_type_id = 3`);
    const removedWebsite = await first(`SELECT MAX(website_id) AS id FROM catalog_product_website WHERE product_id = ${removed}`);
    await admin(`
      INSERT INTO catalog_product_entity_varchar (attribute_id, store_id, entity_id, value) VALUES (${name}, 2, ${override}, 'Store two name')
        ON DUPLICATE KEY UPDATE value = 'Store two name';
      INSERT INTO eav_attribute_option_value (option_id, store_id, value) VALUES (${option}, 1, 'Nachtschwarz');
      DELETE FROM catalog_category_entity_varchar WHERE attribute_id = ${urlPath} AND entity_id = ${category} AND store_id = 1;
      INSERT INTO catalog_category_entity_varchar (attribute_id, store_id, entity_id, value) VALUES (${urlPath}, 1, ${category}, 'moved/here');
      DELETE FROM catalog_product_website WHERE product_id = ${removed} AND website_id = ${removedWebsite};
      DELETE FROM catalog_product_entity WHERE entity_id = ${deleted};
      INSERT INTO store (store_id, code, website_id, group_id, name, sort_order, is_active) VALUES (90, 'added_view', 1, 1, 'Added', 9, 1);
    `);

    expect(await provider.expand!('attributeOption', [String(option)], ctx)).toEqual(
      await ids(`SELECT entity_id AS id FROM catalog_product_entity_int WHERE attribute_id = ${color} AND value = ${option}`),
    );
    expect(await provider.expand!('category', [String(category)], ctx)).toEqual(
      await ids(`SELECT product_id AS id FROM catalog_category_product WHERE category_id = ${category}`),
    );
    const website1 = await ids(`SELECT product_id AS id FROM catalog_product_website WHERE website_id = 1`);
    expect(await provider.expand!('store', ['90'], ctx)).toEqual(website1);
    expect(await provider.expand!('website', ['1'], ctx)).toEqual(website1);
    expect(await provider.expand!('attribute', [String(color)], ctx)).toEqual(
      await ids(`SELECT DISTINCT entity_id AS id FROM catalog_product_entity_int WHERE attribute_id = ${color}`),
    );
    const link = (await rows<{ link_id: number; linked_product_id: number }>(`SELECT link_id, linked_product_id FROM catalog_product_link WHERE product_id = ${picks.linked} ORDER BY link_id LIMIT 1`))[0]!;
    expect(await provider.expand!('productLink', [String(link.link_id)], ctx)).toEqual([String(picks.linked)]);
    expect(await provider.expand!('linkedProduct', [String(link.linked_product_id)], ctx)).toEqual(
      await ids(`SELECT DISTINCT product_id AS id FROM catalog_product_link WHERE linked_product_id = ${link.linked_product_id}`),
    );
    expect(await provider.expand!('customOption', ['900'], ctx)).toEqual([String(optionProduct)]);
    const optionValue = await first(`SELECT v.option_type_id AS id FROM catalog_product_option_type_value v JOIN catalog_product_option o ON o.option_id = v.option_id WHERE o.product_id = ${optionProduct}`);
    expect(await provider.expand!('customOptionValue', [String(optionValue)], ctx)).toEqual([String(optionProduct)]);
    const image = await first(`SELECT value_id AS id FROM catalog_product_entity_media_gallery_value_to_entity WHERE entity_id = ${colored}`);
    expect(await provider.expand!('mediaGallery', [String(image)], ctx)).toEqual([String(colored)]);
    // price is a system attribute that product items do not carry.
    const price = await first(`SELECT attribute_id AS id FROM eav_attribute WHERE attribute_code = 'price' AND entity_type_id = 4`);
    expect(await provider.expand!('attribute', [String(price)], ctx)).toEqual([]);
    const parent = await first(`SELECT parent_id AS id FROM catalog_product_relation WHERE child_id = ${override}`);
    expect(await provider.expand!('parentProduct', [String(parent)], ctx)).toEqual(
      await ids(`SELECT child_id AS id FROM catalog_product_relation WHERE parent_id = ${parent}`),
    );

    const after = await assembleAll();
    expect(after.filter((a) => Number(a.sourceEntityId) === deleted)).toEqual([]);
    // The fixture has no foreign keys: the deleted product's website row stays, but it has no item.
    expect(after.filter((a) => a.item.storeViewCode === 'added_view').map((a) => a.sourceEntityId)).toEqual(
      website1.filter((id) => Number(id) !== deleted),
    );
    const removedViews = (await rows<{ code: string }>(`SELECT code FROM store WHERE website_id = ${removedWebsite}`)).map((r) => r.code);
    expect(removedViews.length).toBeGreaterThan(0);
    expect(after.some((a) => Number(a.sourceEntityId) === removed && removedViews.includes(String(a.item.storeViewCode)))).toBe(false);
    expect(after.some((a) => Number(a.sourceEntityId) === removed)).toBe(true);
    golden('after-changes', chosen(after));
    last = after;
  });

  it('reads every table through the Magento table prefix', async () => {
    await moveTablesUnderPrefix(db, 'mg_');
    const prefixed: ProviderContext = { ...ctx, t: (table) => `mg_${table}` };
    const ids = await provider.listIds(undefined, 100_000, prefixed);
    expect(ids.length).toBeGreaterThan(0);
    expect(await provider.assemble(ids, prefixed)).toEqual(last);
  });
});
