// Golden items of the variants feed on a seeded catalog, then: an option label
// renamed, a variant relinked to another parent, a super attribute added to a
// parent, a parent's sku renamed. Both editions, the same golden files; on Adobe Commerce the
// seed's configurable parent has a scheduled version (a full copy of its super attributes,
// links and relations) that must neither double option values nor change variants when current.
import { describe, expect, it } from 'vitest';
import { definition as variants } from '../../src/feeds/variants/index.js';
import { EDITIONS, seededItemsPerEdition, linkColumn, linkOf, previousVersion, setCurrentVersion, versionedEntities } from '../helpers/editions.js';
import { adminExec, expectGolden, feedDatabase } from '../helpers/feeds.js';

const TODAY = '2026-06-15';

const golden = (name: string, value: unknown): void => expectGolden('variants', name, value);

const attr = (code: string) => `(SELECT attribute_id FROM eav_attribute WHERE entity_type_id = 4 AND attribute_code = '${code}')`;
const option = (code: string, label: string) =>
  `(SELECT o.option_id FROM eav_attribute_option o JOIN eav_attribute_option_value v ON v.option_id = o.option_id AND v.store_id = 0
     WHERE o.attribute_id = ${attr(code)} AND v.value = '${label}')`;

/** Every item of the seeded catalog per edition: the Commerce block checks it equals Open Source's. */
const seeded = seededItemsPerEdition();

describe.each(EDITIONS)('variants feed (%s)', (edition) => {
  const feed = feedDatabase(`feedsvariants${edition}`, { today: TODAY }, edition, () => new Date(`${TODAY}T10:00:00Z`));
  const admin = (sql: string): Promise<void> => adminExec(feed.db, sql);
  const assemble = (ids: string[]) => variants.provider.assemble(ids, feed.ctx);
  const col = linkColumn(edition);
  const link = (id: number) => linkOf(edition, 'product', id);

  it('builds one item per configurable parent × child', async () => {
    const ids = await variants.provider.listIds(undefined, 1000, feed.ctx);
    expect(ids).toEqual(['5', '6', '7', '10', '11', '12', '24', '25', '26']);
    expect(await variants.provider.listIds('12', 2, feed.ctx)).toEqual(['24', '25']);
    const all = await assemble(ids);
    golden('initial', all);
    // a scheduled version that has not started shows nowhere: every item equals Open Source's
    seeded(edition, all);
    // a parent or a simple product outside any configurable is no variant
    expect(await assemble(['4', '1'])).toEqual([]);
  });

  it.runIf(edition === 'commerce')("keeps variants through the parent's scheduled version, with no doubled option", async () => {
    const [scheduled] = await versionedEntities(feed.db, 'product', 'configurable');
    expect(scheduled).toBeDefined();
    const parent = String(scheduled!.entityId);
    const update = scheduled!.starts[1]!;
    const from = await previousVersion(feed.db, update);
    const ids = await variants.provider.listIds(undefined, 1000, feed.ctx);
    const children = (await assemble(ids)).filter((a) => a.item.parentId === parent).map((a) => a.sourceEntityId);
    expect(children.length).toBeGreaterThan(0);
    await setCurrentVersion(feed.db, from);
    const before = await assemble(children);
    // the version copy's super attributes are not read beside the current ones
    for (const a of before) {
      const codes = (a.item.optionValues as Array<{ attributeCode: string }>).map((o) => o.attributeCode);
      expect(new Set(codes).size).toBe(codes.length);
    }
    // every child of the parent is re-checked when the current version moves across its update, and back
    expect(await variants.provider.expand!('stagingVersion', [`${from}..${update}`], feed.ctx)).toEqual(expect.arrayContaining(children));
    await setCurrentVersion(feed.db, update);
    expect(await assemble(children)).toEqual(before);
    expect(await variants.provider.listIds(undefined, 1000, feed.ctx)).toEqual(ids);
    expect(await variants.provider.expand!('stagingVersion', [`${update}..${from}`], feed.ctx)).toEqual(expect.arrayContaining(children));
    await setCurrentVersion(feed.db, from);
    expect(await assemble(children)).toEqual(before);
    await setCurrentVersion(feed.db, 1);
  });

  it('expands an option label change to the children that use it', async () => {
    const children = await variants.provider.expand!('attributeOption', [String(16)], feed.ctx);
    expect(children).toEqual(['5', '25']);
    await admin("UPDATE eav_attribute_option_value SET value = 'Extra small' WHERE option_id = 16 AND store_id = 0");
    const [item] = await assemble(['5']);
    expect(item!.item.optionValues).toEqual([
      { attributeCode: 'color', uid: 'Y29uZmlndXJhYmxlLzk1LzEy', label: 'Purple', valueIndex: '12' },
      { attributeCode: 'size', uid: 'Y29uZmlndXJhYmxlLzEzMy8xNg==', label: 'Extra small', valueIndex: '16' },
    ]);
  });

  it('keeps the first of duplicate admin labels of an option, and a null label for an option without one', async () => {
    // a second store 0 row for option 16 (value_id after the first): the first label stays
    await admin("INSERT INTO eav_attribute_option_value (option_id, store_id, value) VALUES (16, 0, 'Second label')");
    const [item] = await assemble(['5']);
    expect((item!.item.optionValues as Array<{ label: string | null }>).map((o) => o.label)).toEqual(['Purple', 'Extra small']);
    await admin('DELETE FROM eav_attribute_option_value WHERE option_id = 12 AND store_id = 0');
    const [unlabelled] = await assemble(['5']);
    expect(unlabelled!.item.optionValues).toEqual([
      { attributeCode: 'color', uid: 'Y29uZmlndXJhYmxlLzk1LzEy', label: null, valueIndex: '12' },
      { attributeCode: 'size', uid: 'Y29uZmlndXJhYmxlLzEzMy8xNg==', label: 'Extra small', valueIndex: '16' },
    ]);
    await admin("DELETE FROM eav_attribute_option_value WHERE option_id = 16 AND value = 'Second label'");
  });

  it('follows a variant relinked to another parent', async () => {
    await admin('DELETE FROM catalog_product_super_link WHERE product_id = 7');
    // the exporter turns the vanished SKU-000004/SKU-000004-green-m item into a deleted one
    expect(await assemble(['7'])).toEqual([]);
    await admin(`INSERT INTO catalog_product_super_link (product_id, parent_id) VALUES (7, ${link(23)});
      INSERT INTO catalog_product_relation (parent_id, child_id) VALUES (${link(23)}, 7)`);
    golden('relinked', await assemble(['7']));
  });

  it('expands a super attribute added to a parent to all of its children', async () => {
    await admin(`INSERT INTO catalog_product_super_attribute (product_id, attribute_id, position) VALUES (${link(9)}, ${attr('size')}, 1);
      INSERT INTO catalog_product_entity_int (attribute_id, store_id, ${col}, value) VALUES (${attr('size')}, 0, ${link(10)}, ${option('size', 'L')})`);
    const children = await variants.provider.expand!('parentProduct', ['9'], feed.ctx);
    expect(children).toEqual(['10', '11', '12']);
    const items = await assemble(children);
    // children without a value for the new attribute keep their one option
    expect(items.map((a) => (a.item.optionValues as Array<{ attributeCode: string }>).map((o) => o.attributeCode))).toEqual([
      ['color', 'size'],
      ['color'],
      ['color'],
    ]);
  });

  it("expands a parent's sku rename and an attribute to their children", async () => {
    await admin("UPDATE catalog_product_entity SET sku = 'CONF-4' WHERE entity_id = 4");
    const children = await variants.provider.expand!('parentProduct', ['4'], feed.ctx);
    expect(children).toEqual(['5', '6']);
    const items = await assemble(children);
    expect(items.map((a) => [a.item.id, a.item.parentSku, a.item.productSku])).toEqual([
      ['e1e000bd2ceac31f2e82b8f3f4dc63f8', 'CONF-4', 'SKU-000004-purple-xs'],
      ['c7f8a9febb5594c0c8fefdc59944abfe', 'CONF-4', 'SKU-000004-orange-s'],
    ]);
    expect(await variants.provider.expand!('attribute', ['133'], feed.ctx)).toEqual(['5', '6', '7', '10', '11', '12', '24', '25', '26']);
    // a child without an option for any of its parent's attributes is no variant
    await admin(`DELETE FROM catalog_product_entity_int WHERE ${col} = ${link(12)} AND attribute_id = ${attr('color')}`);
    expect(await assemble(['12'])).toEqual([]);
  });
});
