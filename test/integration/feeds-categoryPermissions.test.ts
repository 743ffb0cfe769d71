// Golden items of the categoryPermissions feed (Commerce edition) on a seeded
// catalog, then: a rule for all websites and groups on a parent category that its
// subtree inherits, a more specific rule deferring to it ("use parent"), a website
// added, the parent rule removed.
import { describe, expect, it } from 'vitest';
import { definition as categoryPermissions } from '../../src/feeds/categoryPermissions/index.js';
import { sha1 } from '../../src/feeds/hash.js';
import type { AssembledItem } from '../../src/feeds/types.js';
import { EDITIONS, seededItemsPerEdition, itKeepsItemsThroughVersionMoves } from '../helpers/editions.js';
import { adminExec, expectGolden, feedDatabase } from '../helpers/feeds.js';

const TODAY = '2026-06-15';
const ALL = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'];

const golden = (name: string, value: unknown): void => expectGolden('categoryPermissions', name, value);

const grants = (items: AssembledItem[], categoryId: string, websiteCode: string, group: number) => {
  const a = items.find((i) => i.item.categoryId === categoryId && i.item.websiteCode === websiteCode && i.item.customerGroupCode === sha1(String(group)));
  return a ? [a.item.displayed, a.item.displayProductPrice, a.item.addToCartAllowed] : undefined;
};

/** Every item of the seeded catalog per edition: the Commerce block checks it equals Open Source's. */
const seeded = seededItemsPerEdition();

describe.each(EDITIONS)('categoryPermissions feed (%s)', (edition) => {
  const feed = feedDatabase(`feedscatperms${edition}`, { today: TODAY }, edition, () => new Date(`${TODAY}T10:00:00Z`));
  const admin = (sql: string): Promise<void> => adminExec(feed.db, sql);
  const assemble = (ids: string[]) => categoryPermissions.provider.assemble(ids, feed.ctx);

  itKeepsItemsThroughVersionMoves(
    're-checks the categories a version move covers (none on Open Source); a scheduled update leaves their path alone',
    edition, 'category', categoryPermissions.provider, feed,
  );

  it('builds one item per category × website × group that a rule reaches', async () => {
    expect(await categoryPermissions.provider.listIds(undefined, 100, feed.ctx)).toEqual(ALL);
    const all = await assemble(ALL);
    // every (website, group) a seeded rule reaches, once
    expect(new Set(all.map((a) => `${a.item.categoryId}/${a.item.websiteCode}/${a.item.customerGroupCode}`)).size).toBe(all.length);
    golden('initial', all);
    // scheduled updates that have not started show nowhere: every item equals Open Source's
    seeded(edition, all);
    // the change tests below start from rules of their own
    await admin('DELETE FROM magento_catalogpermissions');
    expect(await assemble(ALL)).toEqual([]);
  });

  it('resolves "use parent" through an inherited rule and expands it to the subtree', async () => {
    await admin(`INSERT INTO magento_catalogpermissions (category_id, website_id, customer_group_id, grant_catalog_category_view, grant_catalog_product_price, grant_checkout_items)
      VALUES (4, NULL, NULL, -1, -2, -2), (6, 1, 1, -1, 0, -1), (7, 2, NULL, -2, -1, -1), (10, 1, 0, -1, -1, 0)`);
    expect(await categoryPermissions.provider.expand!('categoryTree', ['4'], feed.ctx)).toEqual(['6', '7', '10']);
    const items = await assemble(['4', '6', '7', '10']);
    // 4 categories × 2 websites × 5 groups
    expect(items).toHaveLength(40);
    expect(grants(items, '4', 'base', 3)).toEqual([true, false, false]);
    // own view allow, price from the parent (deny), so no cart either
    expect(grants(items, '6', 'base', 1)).toEqual([true, false, false]);
    // a hidden category hides its prices and cart whatever its own grants say
    expect(grants(items, '7', 'website_2', 2)).toEqual([false, false, false]);
    expect(grants(items, '7', 'base', 2)).toEqual([true, false, false]);
    // own view and price allow; checkout "use parent" resolves to the parent's deny
    expect(grants(items, '10', 'base', 0)).toEqual([true, true, false]);
    golden('rules-added', items.filter((a) => a.item.websiteCode === 'base' && ['6', '10'].includes(a.sourceEntityId)));
  });

  it('expands a new website to every category', async () => {
    await admin(`INSERT INTO store_website (website_id, code, name, sort_order, default_group_id, is_default) VALUES (3, 'us', 'US', 3, 0, 0)`);
    expect(await categoryPermissions.provider.expand!('website', ['3'], feed.ctx)).toEqual(ALL);
    expect(await categoryPermissions.provider.expand!('customerGroup', ['9'], feed.ctx)).toEqual(ALL);
    const items = await assemble(['4']);
    expect(items.map((a) => a.item.websiteCode)).toEqual([...Array(5).fill('base'), ...Array(5).fill('website_2'), ...Array(5).fill('us')]);
  });

  it('drops the inherited items when the parent rule goes', async () => {
    await admin('DELETE FROM magento_catalogpermissions WHERE category_id = 4');
    expect(await assemble(['4'])).toEqual([]);
    const items = await assemble(['6', '7']);
    expect(items.map((a) => `${a.item.categoryId}/${a.item.websiteCode}/${a.item.customerGroupCode}`)).toEqual([
      `6/base/${sha1('1')}`,
      ...[0, 1, 2, 3, 4].map((g) => `7/website_2/${sha1(String(g))}`),
    ]);
    // with no parent rule left, "use parent" falls back to allowed
    expect(grants(items, '6', 'base', 1)).toEqual([true, true, true]);
  });
});
