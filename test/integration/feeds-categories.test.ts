// Golden items of the categories feed on a seeded catalog, on both editions (the same
// golden files: for the same seed the items are equal byte for byte), then: a store view
// renamed, a subcategory added, a store-view url path, a store group moved to a new root
// category, a category deleted. On Adobe Commerce: the seed's scheduled category name
// update shows only once the current version moves to it, and reverts when it moves back.
import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { definition as categories } from '../../src/feeds/categories/index.js';
import type { AssembledItem } from '../../src/feeds/types.js';
import { EDITIONS, seededItemsPerEdition, linkColumn, linkOf, newRow, sequenceRows, setCurrentVersion, versionedEntities } from '../helpers/editions.js';
import { adminExec, expectGolden, feedDatabase } from '../helpers/feeds.js';

const TODAY = '2026-06-15';
const ALL = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'];

const golden = (name: string, value: unknown): void => expectGolden('categories', name, value);
const identities = (items: AssembledItem[]) => items.map((a) => `${a.item.categoryId}:${a.item.urlPath}@${a.item.storeViewCode}`);
const attr = (code: string) => `(SELECT attribute_id FROM eav_attribute WHERE entity_type_id = 3 AND attribute_code = '${code}')`;

/** Every item of the seeded catalog per edition: the Commerce block checks it equals Open Source's. */
const seeded = seededItemsPerEdition();

describe.each(EDITIONS)('categories feed (%s)', (edition) => {
  const feed = feedDatabase(`feedscat${edition}`, { today: TODAY }, edition, () => new Date(`${TODAY}T10:00:00Z`));
  const admin = (sql: string): Promise<void> => adminExec(feed.db, sql);
  const assemble = (ids: string[]) => categories.provider.assemble(ids, feed.ctx);
  const col = linkColumn(edition);
  const link = (id: number) => linkOf(edition, 'category', id);

  it('builds one item per category × store view under its root, store values over store 0', async () => {
    expect(await categories.provider.listIds(undefined, 100, feed.ctx)).toEqual(ALL);
    expect(await categories.provider.listIds('8', 100, feed.ctx)).toEqual(['9', '10']);
    const all = await assemble(ALL);
    // the tree root (1) is in no store; 9 categories × 3 store views
    expect(all).toHaveLength(27);
    golden('initial', all.filter((a) => ['2', '5', '10'].includes(a.sourceEntityId)));
    // a scheduled update that has not started shows nowhere: every item equals Open Source's
    seeded(edition, all);
  });

  it('expands a renamed store view to every category', async () => {
    await admin("UPDATE store SET code = 'fr' WHERE store_id = 2");
    expect(await categories.provider.expand!('store', ['2'], feed.ctx)).toEqual(ALL);
    expect(identities(await assemble(['3']))).toEqual(['3:sale@default', '3:sale@fr', '3:sale@store_view_3']);
  });

  it("adds a subcategory to its parent's children", async () => {
    await admin(`${sequenceRows(edition, 'category', [11])}
      INSERT INTO catalog_category_entity (entity_id, attribute_set_id, parent_id, created_at, updated_at, path, position, level, children_count${newRow(edition, 11)[0]})
        VALUES (11, 3, 3, '2026-06-15 09:00:00', '2026-06-15 09:00:00', '1/2/3/11', 2, 3, 0${newRow(edition, 11)[1]});
      INSERT INTO catalog_category_entity_varchar (attribute_id, store_id, ${col}, value) VALUES
        (${attr('name')}, 0, ${link(11)}, 'Clearance'), (${attr('url_key')}, 0, ${link(11)}, 'clearance'), (${attr('url_path')}, 0, ${link(11)}, 'sale/clearance'),
        (${attr('url_path')}, 1, ${link(11)}, 'sale/final-clearance'), (${attr('name')}, 1, ${link(11)}, 'Final clearance');
      INSERT INTO catalog_category_entity_int (attribute_id, store_id, ${col}, value) VALUES
        (${attr('is_active')}, 0, ${link(11)}, 1), (${attr('is_active')}, 2, ${link(11)}, 0), (${attr('include_in_menu')}, 0, ${link(11)}, 0)`);
    const items = await assemble(['3', '11']);
    for (const a of items.filter((i) => i.sourceEntityId === '3')) expect(a.item.children).toEqual(['8', '11']);
    // store 1 has its own url path (and so its own identity) and name; store 2 deactivated it
    golden('subcategory-added', items.filter((a) => a.sourceEntityId === '11'));
  });

  it('moves a store group to a new root: its store view leaves the old tree', async () => {
    await admin(`${sequenceRows(edition, 'category', [12, 13])}
      INSERT INTO catalog_category_entity (entity_id, attribute_set_id, parent_id, created_at, updated_at, path, position, level, children_count${newRow(edition, 12)[0]})
        VALUES (12, 3, 1, '2026-06-15 09:00:00', '2026-06-15 09:00:00', '1/12', 2, 1, 1${newRow(edition, 12)[1]}),
               (13, 3, 12, '2026-06-15 09:00:00', '2026-06-15 09:00:00', '1/12/13', 1, 2, 0${newRow(edition, 13)[1]});
      INSERT INTO catalog_category_entity_varchar (attribute_id, store_id, ${col}, value) VALUES
        (${attr('name')}, 0, ${link(12)}, 'FR Root'), (${attr('name')}, 0, ${link(13)}, 'Nouveautés'), (${attr('url_path')}, 0, ${link(13)}, 'nouveautes');
      UPDATE store_group SET root_category_id = 12 WHERE group_id = 2`);
    const ids = await categories.provider.expand!('storeGroup', ['2'], feed.ctx);
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

  it.runIf(edition === 'commerce')('shows a scheduled category name update only while the current version holds it', async () => {
    const [scheduled] = await versionedEntities(feed.db, 'category');
    expect(scheduled).toBeDefined();
    const { entityId, starts } = scheduled!;
    const update = starts[1]!;
    const id = String(entityId);
    const names = (items: AssembledItem[]) => items.map((a) => `${a.item.storeViewCode}=${a.item.name}`);
    const before = names(await assemble([id]));
    // the version's own name, as an admin scheduled it (store 0)
    const [rows] = await feed.pool.query<RowDataPacket[]>(
      `SELECT v.value FROM catalog_category_entity_varchar v
         JOIN catalog_category_entity e ON e.row_id = v.row_id AND e.entity_id = ? AND e.created_in = ?
        WHERE v.attribute_id = ${attr('name')} AND v.store_id = 0`,
      [entityId, update],
    );
    const scheduledName = String(rows[0]?.value);
    expect(before.some((n) => n.endsWith(`=${scheduledName}`))).toBe(false);

    // the staging cron moves the current version to the update: the category (and its parent's children[]) is re-checked
    const moved = await categories.provider.expand!('stagingVersion', [`1..${update}`], feed.ctx);
    expect(moved).toContain(id);
    await setCurrentVersion(feed.db, update);
    const during = names(await assemble([id]));
    expect(during).not.toEqual(before);
    expect(during.some((n) => n.endsWith(`=${scheduledName}`))).toBe(true);
    // a version move that ends before the update leaves it alone
    expect(await categories.provider.expand!('stagingVersion', [`1..${update - 1}`], feed.ctx)).not.toContain(id);

    await setCurrentVersion(feed.db, 1);
    expect(names(await assemble([id]))).toEqual(before);
  });
});
