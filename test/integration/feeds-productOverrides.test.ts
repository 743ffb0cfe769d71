// Golden items of the productOverrides feed (Commerce edition) on a seeded catalog,
// then: index rows for the website's default store view and another website, a
// product's rows removed, and the category/store/website expansions.
import { describe, expect, it } from 'vitest';
import { definition as productOverrides } from '../../src/feeds/productOverrides/index.js';
import { sha1 } from '../../src/feeds/hash.js';
import type { AssembledItem } from '../../src/feeds/types.js';
import { EDITIONS, seededItemsPerEdition, itKeepsItemsThroughVersionMoves } from '../helpers/editions.js';
import { adminExec, expectGolden, feedDatabase } from '../helpers/feeds.js';

const TODAY = '2026-06-15';

const golden = (name: string, value: unknown): void => expectGolden('productOverrides', name, value);

const summary = (items: AssembledItem[]) =>
  items.map((a) => [a.item.sku, a.item.websiteCode, a.item.customerGroupCode, a.item.displayable, a.item.priceDisplayable, a.item.addToCartAllowed]);

/** Every item of the seeded catalog per edition: the Commerce block checks it equals Open Source's. */
const seeded = seededItemsPerEdition();

describe.each(EDITIONS)('productOverrides feed (%s)', (edition) => {
  const feed = feedDatabase(`feedsoverrides${edition}`, { today: TODAY }, edition, () => new Date(`${TODAY}T10:00:00Z`));
  const admin = (sql: string): Promise<void> => adminExec(feed.db, sql);
  const assemble = (ids: string[]) => productOverrides.provider.assemble(ids, feed.ctx);

  itKeepsItemsThroughVersionMoves(
    're-checks the products a version move covers (none on Open Source); a scheduled update leaves their sku alone',
    edition, 'product', productOverrides.provider, feed,
  );

  it('builds one item per product × website × group of the permission index', async () => {
    const ids = await productOverrides.provider.listIds(undefined, 1000, feed.ctx);
    expect(ids).toHaveLength(40);
    const all = await assemble(ids);
    expect(new Set(all.map((a) => `${a.item.sku}/${a.item.websiteCode}/${a.item.customerGroupCode}`)).size).toBe(all.length);
    golden('initial', all.filter((a) => ['1', '8'].includes(a.sourceEntityId)));
    // scheduled updates that have not started show nowhere: every item equals Open Source's
    seeded(edition, all);
    // the change tests below start from index rows of their own
    await admin('DELETE FROM magento_catalogpermissions_index_product');
    expect(await assemble(ids)).toEqual([]);
  });

  it("takes the website's default store view row and follows new index rows", async () => {
    await admin(`INSERT INTO magento_catalogpermissions_index_product
        (product_id, store_id, category_id, customer_group_id, grant_catalog_category_view, grant_catalog_product_price, grant_checkout_items, is_config)
      VALUES (1, 3, 10, 0, -1, -1, -1, 0), (1, 1, 10, 0, -1, -2, -1, 0), (1, 2, 10, 2, -2, -1, -1, 0), (1, 2, 10, 3, -1, -1, NULL, 0),
             (8, 3, 10, 1, -1, -1, -2, 0)`);
    expect(summary(await assemble(['1', '8']))).toEqual([
      // store 1 is website 1's default store view: its row wins over store 3's
      ['SKU-000001', 'base', sha1('0'), true, false, false],
      ['SKU-000001', 'website_2', sha1('2'), false, false, false],
      ['SKU-000001', 'website_2', sha1('3'), true, true, true],
      // only store 3 indexed: it stands for the website
      ['SKU-000008', 'base', sha1('1'), true, true, false],
    ]);
  });

  it('expands categories, store views and websites to the indexed products', async () => {
    await admin('INSERT INTO catalog_category_product (category_id, product_id, position) VALUES (50, 1, 0), (50, 8, 1)');
    expect(await productOverrides.provider.expand!('category', ['50'], feed.ctx)).toEqual(['1', '8']);
    expect(await productOverrides.provider.expand!('store', ['3'], feed.ctx)).toEqual(['1', '8']);
    expect(await productOverrides.provider.expand!('website', ['2'], feed.ctx)).toEqual(['1']);
  });

  it("yields nothing once a product's index rows are gone", async () => {
    await admin('DELETE FROM magento_catalogpermissions_index_product WHERE product_id = 8');
    expect(await assemble(['8'])).toEqual([]);
  });
});
