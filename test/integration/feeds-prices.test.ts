// Golden items of the prices feed on a seeded catalog, then the changes an admin
// makes: a tier price added, a customer group with a catalog rule price, a product
// taken off a website, a configurable parent's sku renamed, a fixed-price bundle
// with a website-scope price, a website code renamed. Both editions, the same golden files;
// on Adobe Commerce the seed's scheduled price update shows only while the current version holds it.
import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { definition as prices } from '../../src/feeds/prices/index.js';
import { feedId, sha1 } from '../../src/feeds/hash.js';
import type { AssembledItem } from '../../src/feeds/types.js';
import { EDITIONS, seededItemsPerEdition, linkColumn, linkOf, newRow, previousVersion, sequenceRows, setCurrentVersion, versionedEntities } from '../helpers/editions.js';
import { adminExec, expectGolden, feedDatabase } from '../helpers/feeds.js';

const TODAY = '2026-06-15';

const golden = (name: string, value: unknown): void => expectGolden('prices', name, value);

const identities = (items: AssembledItem[]) => items.map((a) => `${a.item.sku}/${a.item.websiteCode}/${a.item.customerGroupCode}`);
const attr = (code: string) => `(SELECT attribute_id FROM eav_attribute WHERE entity_type_id = 4 AND attribute_code = '${code}')`;

/** Every item of the seeded catalog per edition: the Commerce block checks it equals Open Source's. */
const seeded = seededItemsPerEdition();

describe.each(EDITIONS)('prices feed (%s)', (edition) => {
  const feed = feedDatabase(`feedsprices${edition}`, { today: TODAY }, edition, () => new Date(`${TODAY}T10:00:00Z`));
  const admin = (sql: string): Promise<void> => adminExec(feed.db, sql);
  const assemble = (ids: string[]) => prices.provider.assemble(ids, feed.ctx);
  const col = linkColumn(edition);
  const link = (id: number) => linkOf(edition, 'product', id);

  it('builds one item per sku × website × group with a price of its own', async () => {
    const ids = await prices.provider.listIds(undefined, 1000, feed.ctx);
    expect(ids).toHaveLength(40);
    expect(await prices.provider.listIds('38', 10, feed.ctx)).toEqual(['39', '40']);
    const all = await assemble(ids);
    expect(all).toHaveLength(115);
    expect(new Set(all.map((a) => feedId(a.item, prices.identity))).size).toBe(all.length);
    // configurable parents have no price of their own
    expect(all.filter((a) => a.item.type === 'CONFIGURABLE')).toEqual([]);
    // an id that cannot name a product, or names none, yields nothing (the exporter deletes its items)
    expect(await assemble(['junk', '999999'])).toEqual([]);
    // 3: all-groups tier + a percentage group price for group 2; 5: a variant with catalog rule prices
    // for every group (group 0 NOT LOGGED IN is sha1("0"), not the base "0"); 16: special price and a
    // website-specific tier for one group; 20: a virtual product (SIMPLE, as Adobe sends it); 34: a bundle.
    golden('initial', all.filter((a) => ['3', '5', '16', '20', '34'].includes(a.sourceEntityId)));
    // scheduled updates that have not started show nowhere: every item equals Open Source's
    seeded(edition, all);
  });

  it.runIf(edition === 'commerce')("moves a product's regular price with the current version, and back (before the admin edits below)", async () => {
    const [scheduled] = await versionedEntities(feed.db, 'product', 'simple');
    expect(scheduled).toBeDefined();
    const id = String(scheduled!.entityId);
    const update = scheduled!.starts[1]!;
    const from = await previousVersion(feed.db, update);
    await setCurrentVersion(feed.db, from);
    const before = await assemble([id]);
    expect(before.length).toBeGreaterThan(0);
    const [rows] = await feed.pool.query<RowDataPacket[]>(
      `SELECT v.value FROM catalog_product_entity_decimal v
         JOIN catalog_product_entity e ON e.row_id = v.row_id AND e.entity_id = ? AND e.created_in = ?
        WHERE v.attribute_id = ${attr('price')} AND v.store_id = 0`,
      [id, update],
    );
    const scheduledPrice = Number(rows[0]?.value);
    expect(before.map((a) => a.item.regular)).not.toContain(scheduledPrice);

    // exactly the product whose version starts there is re-checked when the staging cron moves to it
    expect(await prices.provider.expand!('stagingVersion', [`${from}..${update}`], feed.ctx)).toEqual([id]);
    await setCurrentVersion(feed.db, update);
    const during = await assemble([id]);
    expect(identities(during)).toEqual(identities(before));
    expect(during.map((a) => a.item.regular)).toContain(scheduledPrice);

    // moving back (a rollback, or the update removed) shows the previous version again
    expect(await prices.provider.expand!('stagingVersion', [`${update}..${from}`], feed.ctx)).toEqual([id]);
    await setCurrentVersion(feed.db, from);
    expect(await assemble([id])).toEqual(before);
    await setCurrentVersion(feed.db, 1);
  });

  it('adds a group item when a group-specific tier price appears', async () => {
    expect(identities(await assemble(['1']))).toEqual(['SKU-000001/base/0', 'SKU-000001/website_2/0']);
    await admin(`INSERT INTO catalog_product_entity_tier_price (${col}, all_groups, customer_group_id, qty, value, website_id, percentage_value)
      VALUES (${link(1)}, 0, 3, 1, 9.5, 0, NULL), (${link(1)}, 1, 0, 3, 11, 1, NULL), (${link(1)}, 0, 3, 3, 10.5, 1, NULL)`);
    golden('tier-price-added', await assemble(['1']));
  });

  it('expands a new customer group to the products priced for it', async () => {
    await admin(`INSERT INTO customer_group (customer_group_id, customer_group_code, tax_class_id) VALUES (5, 'VIP', 3);
      INSERT INTO catalogrule_product_price (rule_date, customer_group_id, product_id, rule_price, website_id)
      VALUES ('${TODAY}', 5, 2, 50, 2), ('2026-06-16', 5, 13, 40, 2)`);
    // tomorrow's rule price does not count today
    expect(await prices.provider.expand!('customerGroup', ['5'], feed.ctx)).toEqual(['2']);
    const items = await assemble(['2']);
    expect(identities(items)).toEqual(['SKU-000002/website_2/0', `SKU-000002/website_2/${sha1('5')}`]);
    expect(items[1]!.item.discounts).toEqual([{ code: 'catalog_rule', price: 50, percentage: null }]);
  });

  it('drops the items of a website the product left', async () => {
    const before = identities(await assemble(['3']));
    await admin('DELETE FROM catalog_product_website WHERE product_id = 3 AND website_id = 2');
    const after = identities(await assemble(['3']));
    expect(before.filter((i) => !after.includes(i))).toEqual(['SKU-000003/website_2/0', `SKU-000003/website_2/${sha1('2')}`]);
    expect(after).toEqual(['SKU-000003/base/0', `SKU-000003/base/${sha1('0')}`, `SKU-000003/base/${sha1('2')}`]);
  });

  it("expands a parent's sku rename to its children's parents[]", async () => {
    await admin("UPDATE catalog_product_entity SET sku = 'SKU-000009-NEW' WHERE entity_id = 9");
    const children = await prices.provider.expand!('parentProduct', ['9'], feed.ctx);
    expect(children).toEqual(['10', '11', '12']);
    const items = await assemble(children);
    expect(items).toHaveLength(8);
    for (const a of items) expect(a.item.parents).toEqual([{ type: 'CONFIGURABLE', sku: 'SKU-000009-NEW' }]);
  });

  it('prices a fixed bundle from its website-scope price, store 0 elsewhere', async () => {
    await admin(`${sequenceRows(edition, 'product', [41])}
      INSERT INTO catalog_product_entity (entity_id, attribute_set_id, type_id, sku${newRow(edition, 41)[0]}) VALUES (41, 4, 'bundle', 'BUNDLE-41'${newRow(edition, 41)[1]});
      INSERT INTO catalog_product_website (product_id, website_id) VALUES (41, 1), (41, 2);
      INSERT INTO catalog_product_entity_decimal (attribute_id, store_id, ${col}, value) VALUES (${attr('price')}, 0, ${link(41)}, 100), (${attr('price')}, 1, ${link(41)}, 120);
      INSERT INTO catalog_product_entity_int (attribute_id, store_id, ${col}, value) VALUES (${attr('price_type')}, 0, ${link(41)}, 1)`);
    golden('bundle-added', await assemble(['41']));
  });

  it('expands a website to every product assigned to it', async () => {
    await admin("UPDATE store_website SET code = 'eu' WHERE website_id = 2");
    const ids = await prices.provider.expand!('website', ['2'], feed.ctx);
    expect(ids).toHaveLength(39);
    expect(ids).toContain('41');
    expect(ids).not.toContain('3');
    expect(identities(await assemble(['41']))).toEqual(['BUNDLE-41/base/0', 'BUNDLE-41/eu/0']);
  });
});
