// Golden products items from a seeded catalog (a configurable child, products with
// selectable and shopper input custom options, links, several websites), then
// after the changes an admin makes: a store view name override, an option relabelled for a store view,
// a category moved to a new URL, a product taken off a website, a product deleted
// and a store view added. Expansions must name exactly the products affected.
//
// Both editions run the same steps against the same golden files: on Adobe Commerce
// (content staging: values keyed by a version's row_id) the seed adds scheduled updates,
// none of them current, and the items must still be those of Open Source byte for byte.
// Admin SQL that writes a link-keyed table names the product or category by `linkOf()`
// (entity_id on Open Source, the current version's row_id on Adobe Commerce). Commerce
// alone then moves the current version as its staging cron does.
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { definition } from '../../src/feeds/products/index.js';
import { currentOnly, type Edition } from '../../src/feeds/common/link.js';
import type { AssembledItem, ProviderContext } from '../../src/feeds/types.js';
import { createLogger } from '../../src/log.js';
import { EDITIONS } from '../helpers/editions.js';
import { adminExec, expectGolden, feedDatabase, moveTablesUnderPrefix } from '../helpers/feeds.js';

const provider = definition.provider;

/** Compares with (or, with UPDATE_GOLDEN=1, writes) test/golden/feeds/products/<name>.json. */
const golden = (name: string, value: unknown): void => expectGolden('products', name, value);

const key = (a: AssembledItem) => `${String(a.item.sku)}@${String(a.item.storeViewCode)}`;

/** Every item of the first assembly, per edition: Adobe Commerce must build Open Source's. */
const firstItems = new Map<Edition, AssembledItem[]>();

/** The statements one batch runs on Open Source (the profiler's names): editions must not add any there. */
const OPEN_SOURCE_STATEMENTS = [
  'eav.attributes.catalog_category',
  'eav.attributes.catalog_product',
  'eav.options',
  'eav.values.catalog_category_entity_varchar',
  'eav.values.catalog_product_entity_decimal',
  'eav.values.catalog_product_entity_int',
  'eav.values.catalog_product_entity_text',
  'eav.values.catalog_product_entity_varchar',
  'products.categories',
  'products.entity',
  'products.inventory',
  'products.links',
  'products.media',
  'products.media.values',
  'products.options',
  'products.options.prices',
  'products.options.titles',
  'products.options.valuePrices',
  'products.options.valueTitles',
  'products.options.values',
  'products.parents',
  'products.taxClasses',
  'products.urlRewrites',
  'products.websites',
  'stores',
];
/** Adobe Commerce adds one resolution of the batch's products, and one of their categories, to current row ids. */
const COMMERCE_STATEMENTS = [...OPEN_SOURCE_STATEMENTS, 'link.catalog_category_entity', 'link.catalog_product_entity'].sort();

describe.each(EDITIONS)('products feed on %s', (edition) => {
  const commerce = edition === 'commerce';
  /** The link column of entity and value tables. */
  const col = commerce ? 'row_id' : 'entity_id';

  const feed = feedDatabase(`feedsproducts_${commerce ? 'ee' : 'os'}`, { today: '2026-01-01', products: 24 }, edition, () => new Date('2026-01-02T03:04:05Z'));
  /** Items of the last assembly, to compare the prefixed read with. */
  let last: AssembledItem[] = [];

  const admin = (sql: string): Promise<void> => adminExec(feed.db, sql);

  async function rows<T>(sql: string): Promise<T[]> {
    const [r] = await feed.pool.query(sql);
    return r as T[];
  }

  async function ids(sql: string): Promise<string[]> {
    return [...new Set((await rows<{ id: number }>(sql)).map((r) => String(r.id)))].sort((a, b) => Number(a) - Number(b));
  }

  async function first(sql: string): Promise<number> {
    const [id] = await ids(sql);
    if (id === undefined) throw new Error(`the seed has no row for: ${sql}`);
    return Number(id);
  }

  /** ` AND <alias> is the current version` of a product (category) row; '' on Open Source. */
  const cur = (alias: string) => currentOnly(feed.ctx, feed.ctx.catalog.product, alias);
  const curCategory = (alias: string) => currentOnly(feed.ctx, feed.ctx.catalog.category, alias);

  /** The link value of a product's (category's) current version: what link-keyed rows hold. */
  const linkOf = (productId: number) => first(`SELECT e.${col} AS id FROM catalog_product_entity e WHERE e.entity_id = ${productId}${cur('e')}`);
  const categoryLinkOf = (categoryId: number) => first(`SELECT e.${col} AS id FROM catalog_category_entity e WHERE e.entity_id = ${categoryId}${curCategory('e')}`);

  /**
   * The product that owns `<alias>.<column>`, a link-keyed column: the entity id of the current
   * version holding it (rows of other versions drop out) or, on Open Source, the column itself.
   */
  const owner = (alias: string, column: string) =>
    commerce
      ? { id: 'own.entity_id', join: `JOIN catalog_product_entity own ON own.row_id = ${alias}.${column}${cur('own')}` }
      : { id: `${alias}.${column}`, join: '' };

  async function assembleAll(c: ProviderContext = feed.ctx): Promise<AssembledItem[]> {
    return provider.assemble(await provider.listIds(undefined, 100_000, c), c);
  }

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
    picks.child = await pick(`SELECT r.child_id AS id FROM catalog_product_relation r JOIN catalog_product_entity p ON p.${col} = r.parent_id${cur('p')} AND p.type_id = 'configurable'`);
    const option = owner('o', 'product_id');
    picks.options = await pick(`SELECT ${option.id} AS id FROM catalog_product_option o ${option.join} WHERE o.type = 'drop_down'`);
    // The small seed has no shopper input option: give the options product an engraving field.
    await admin(`
      INSERT INTO catalog_product_option (option_id, product_id, type, is_require, sku, max_characters, sort_order)
        VALUES (900, ${await linkOf(picks.options)}, 'field', 0, 'engraving', 20, 5);
      INSERT INTO catalog_product_option_title (option_id, store_id, title) VALUES (900, 0, 'Engraving'), (900, 2, 'Gravur');
      INSERT INTO catalog_product_option_price (option_id, store_id, price, price_type) VALUES (900, 0, 4.5, 'fixed');
    `);
    picks.multiWebsite = await pick(`SELECT product_id AS id FROM catalog_product_website GROUP BY product_id HAVING COUNT(*) > 1`);
    const link = owner('l', 'product_id');
    picks.linked = await pick(`SELECT ${link.id} AS id FROM catalog_product_link l ${link.join}`);
    const value = owner('v', col);
    picks.colored = await pick(
      `SELECT ${value.id} AS id FROM catalog_product_entity_int v ${value.join} JOIN eav_attribute a ON a.attribute_id = v.attribute_id AND a.attribute_code = 'color'`,
    );
    picks.doomed = await pick(`SELECT e.entity_id AS id FROM catalog_product_entity e WHERE e.type_id = 'simple'${cur('e')}`);
  });

  it('builds one item per product and active store view of its websites', async () => {
    const all = await provider.listIds(undefined, 100_000, feed.ctx);
    // each product once, though Adobe Commerce holds a row per version
    expect(all).toEqual(await ids(`SELECT entity_id AS id FROM catalog_product_entity`));
    expect(await provider.listIds(all[2], 2, feed.ctx)).toEqual(all.slice(3, 5));
    const items = await provider.assemble(all, feed.ctx);
    const expected = await rows<{ sku: string; code: string }>(
      `SELECT p.sku, s.code FROM catalog_product_entity p
         JOIN catalog_product_website pw ON pw.product_id = p.entity_id
         JOIN store s ON s.website_id = pw.website_id AND s.store_id <> 0 AND s.is_active = 1
        WHERE 1 = 1${cur('p')}`,
    );
    expect(items.map(key).sort()).toEqual(expected.map((r) => `${r.sku}@${r.code}`).sort());
    golden('initial', chosen(items));
    firstItems.set(edition, items);
    // Every item, not only the golden ones: the same seed gives the same catalog on both editions.
    const openSource = firstItems.get('opensource');
    if (commerce && openSource) expect(items).toEqual(openSource);
  });

  it('reads each table once per batch: Adobe Commerce adds only the link resolution of products and categories', async () => {
    const statements: string[] = [];
    const counted: ProviderContext = { ...feed.ctx, profile: (what) => void statements.push(what) };
    await provider.assemble(await provider.listIds(undefined, 100_000, feed.ctx), counted);
    expect(statements.sort()).toEqual(commerce ? COMMERCE_STATEMENTS : OPEN_SOURCE_STATEMENTS);
  });

  it('follows catalog and store changes, and expands them to exactly the affected products', async () => {
    const { child: override, options: optionProduct, multiWebsite: removed, doomed: deleted, colored } = picks;
    const name = await first(`SELECT attribute_id AS id FROM eav_attribute WHERE attribute_code = 'name' AND entity_type_id = 4`);
    const color = await first(`SELECT attribute_id AS id FROM eav_attribute WHERE attribute_code = 'color' AND entity_type_id = 4`);
    const option = await first(`SELECT value AS id FROM catalog_product_entity_int WHERE attribute_id = ${color} AND ${col} = ${await linkOf(colored)} AND store_id = 0`);
    const category = await first(`SELECT category_id AS id FROM catalog_category_product WHERE product_id = ${optionProduct}`);
    const urlPath = await first(`SELECT attribute_id AS id FROM eav_attribute WHERE attribute_code = 'url_path' AND entity_type_id = 3`);
    const removedWebsite = await first(`SELECT MAX(website_id) AS id FROM catalog_product_website WHERE product_id = ${removed}`);
    const categoryLink = await categoryLinkOf(category);
    await admin(`
      INSERT INTO catalog_product_entity_varchar (attribute_id, store_id, ${col}, value) VALUES (${name}, 2, ${await linkOf(override)}, 'Store two name')
        ON DUPLICATE KEY UPDATE value = 'Store two name';
      INSERT INTO eav_attribute_option_value (option_id, store_id, value) VALUES (${option}, 1, 'Nachtschwarz');
      DELETE FROM catalog_category_entity_varchar WHERE attribute_id = ${urlPath} AND ${col} = ${categoryLink} AND store_id = 1;
      INSERT INTO catalog_category_entity_varchar (attribute_id, store_id, ${col}, value) VALUES (${urlPath}, 1, ${categoryLink}, 'moved/here');
      DELETE FROM catalog_product_website WHERE product_id = ${removed} AND website_id = ${removedWebsite};
      DELETE FROM catalog_product_entity WHERE entity_id = ${deleted};
      ${commerce ? `DELETE FROM sequence_product WHERE sequence_value = ${deleted};` : ''}
      INSERT INTO store (store_id, code, website_id, group_id, name, sort_order, is_active) VALUES (90, 'added_view', 1, 1, 'Added', 9, 1);
    `);

    const value = owner('v', col);
    expect(await provider.expand!('attributeOption', [String(option)], feed.ctx)).toEqual(
      await ids(`SELECT ${value.id} AS id FROM catalog_product_entity_int v ${value.join} WHERE v.attribute_id = ${color} AND v.value = ${option}`),
    );
    expect(await provider.expand!('category', [String(category)], feed.ctx)).toEqual(
      await ids(`SELECT product_id AS id FROM catalog_category_product WHERE category_id = ${category}`),
    );
    const website1 = await ids(`SELECT product_id AS id FROM catalog_product_website WHERE website_id = 1`);
    expect(await provider.expand!('store', ['90'], feed.ctx)).toEqual(website1);
    expect(await provider.expand!('website', ['1'], feed.ctx)).toEqual(website1);
    expect(await provider.expand!('attribute', [String(color)], feed.ctx)).toEqual(
      await ids(`SELECT ${value.id} AS id FROM catalog_product_entity_int v ${value.join} WHERE v.attribute_id = ${color}`),
    );
    const link = (await rows<{ link_id: number; linked_product_id: number }>(
      `SELECT link_id, linked_product_id FROM catalog_product_link WHERE product_id = ${await linkOf(picks.linked)} ORDER BY link_id LIMIT 1`,
    ))[0]!;
    expect(await provider.expand!('productLink', [String(link.link_id)], feed.ctx)).toEqual([String(picks.linked)]);
    const linking = owner('l', 'product_id');
    expect(await provider.expand!('linkedProduct', [String(link.linked_product_id)], feed.ctx)).toEqual(
      await ids(`SELECT ${linking.id} AS id FROM catalog_product_link l ${linking.join} WHERE l.linked_product_id = ${link.linked_product_id}`),
    );
    expect(await provider.expand!('customOption', ['900'], feed.ctx)).toEqual([String(optionProduct)]);
    const optionValue = await first(
      `SELECT v.option_type_id AS id FROM catalog_product_option_type_value v JOIN catalog_product_option o ON o.option_id = v.option_id WHERE o.product_id = ${await linkOf(optionProduct)}`,
    );
    expect(await provider.expand!('customOptionValue', [String(optionValue)], feed.ctx)).toEqual([String(optionProduct)]);
    const image = await first(`SELECT value_id AS id FROM catalog_product_entity_media_gallery_value_to_entity WHERE ${col} = ${await linkOf(colored)}`);
    expect(await provider.expand!('mediaGallery', [String(image)], feed.ctx)).toEqual([String(colored)]);
    // price is a system attribute that product items do not carry.
    const price = await first(`SELECT attribute_id AS id FROM eav_attribute WHERE attribute_code = 'price' AND entity_type_id = 4`);
    expect(await provider.expand!('attribute', [String(price)], feed.ctx)).toEqual([]);
    const parentSide = owner('r', 'parent_id');
    const parent = await first(`SELECT ${parentSide.id} AS id FROM catalog_product_relation r ${parentSide.join} WHERE r.child_id = ${override}`);
    // the children of every version of the parent: a change to any of them re-checks each
    expect(await provider.expand!('parentProduct', [String(parent)], feed.ctx)).toEqual(
      await ids(`SELECT child_id AS id FROM catalog_product_relation WHERE parent_id IN (SELECT ${col} FROM catalog_product_entity WHERE entity_id = ${parent})`),
    );
    // no version moves on Open Source
    if (!commerce) expect(await provider.expand!('stagingVersion', ['1..2147483646'], feed.ctx)).toEqual([]);

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

  describe.runIf(commerce)('content staging (Adobe Commerce)', () => {
    /** The staging flag as Commerce's staging cron writes it; null removes the row (version 1). */
    async function moveVersion(version: number | null): Promise<void> {
      await admin(
        version === null
          ? `DELETE FROM flag WHERE flag_code = 'staging'`
          : `INSERT INTO flag (flag_code, flag_data) SELECT 'staging', NULL FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM flag WHERE flag_code = 'staging');
             UPDATE flag SET flag_data = '{"current_version":"${version}"}' WHERE flag_code = 'staging';`,
      );
    }

    async function currentVersion(): Promise<number> {
      return first(`SELECT CAST(JSON_VALUE(COALESCE(MAX(flag_data), '{"current_version":"1"}'), '$.current_version') AS UNSIGNED) AS id FROM flag WHERE flag_code = 'staging'`);
    }

    /** Store 0 names of product versions that start after the current version and differ from the current one. */
    async function futureNames(): Promise<Array<{ id: number; version: number; name: string }>> {
      // (BIGINT columns come back as strings)
      return (await rows<{ id: number | string; version: number | string; name: string }>(
        `SELECT f.entity_id AS id, f.created_in AS version, fv.value AS name
           FROM catalog_product_entity f
           JOIN eav_attribute a ON a.attribute_code = 'name' AND a.entity_type_id = 4
           JOIN catalog_product_entity_varchar fv ON fv.row_id = f.row_id AND fv.attribute_id = a.attribute_id AND fv.store_id = 0
           JOIN catalog_product_entity c ON c.entity_id = f.entity_id${cur('c')}
           JOIN catalog_product_entity_varchar cv ON cv.row_id = c.row_id AND cv.attribute_id = a.attribute_id AND cv.store_id = 0
          WHERE f.created_in > ${await currentVersion()} AND fv.value <> cv.value
          ORDER BY f.created_in, f.entity_id`,
      )).map((r) => ({ id: Number(r.id), version: Number(r.version), name: r.name }));
    }

    /** Source entity ids whose items differ between two assemblies (changed, added or gone). */
    function changedIds(before: AssembledItem[], after: AssembledItem[]): string[] {
      const text = (items: AssembledItem[]) => new Map(items.map((a) => [key(a), JSON.stringify(a)]));
      const [b, a] = [text(before), text(after)];
      const changed = new Set<string>();
      for (const item of [...before, ...after]) if (b.get(key(item)) !== a.get(key(item))) changed.add(item.sourceEntityId);
      return [...changed].sort((x, y) => Number(x) - Number(y));
    }

    it('the seed has scheduled updates, and no future value is in any item before its version is current', async () => {
      const future = await futureNames();
      expect(future.length).toBeGreaterThan(0);
      const names = new Set(last.map((a) => a.item.name));
      for (const f of future) expect(names.has(f.name), `future name of product ${f.id} (version ${f.version})`).toBe(false);
      // a configurable's scheduled copy of its relations does not show either: each child one parent per sku
      for (const a of last) {
        const parents = (a.item.parents as Array<{ sku: string }>).map((p) => p.sku);
        expect(new Set(parents).size).toBe(parents.length);
      }
      expect(await assembleAll()).toEqual(last);
    });

    /**
     * What stagingVersion must name for a move across (from, to]: the products with a version
     * starting or ending in the span, the children of every version of moved parents, the
     * products whose current links point at moved ones, and the products of moved categories.
     */
    async function affectedBy(from: number, to: number): Promise<string[]> {
      const [lo, hi] = [Math.min(from, to), Math.max(from, to)];
      const inSpan = (alias: string) => `((${alias}.created_in > ${lo} AND ${alias}.created_in <= ${hi}) OR (${alias}.updated_in > ${lo} AND ${alias}.updated_in <= ${hi}))`;
      const moved = `SELECT m.entity_id FROM catalog_product_entity m WHERE ${inSpan('m')}`;
      const linking = owner('l', 'product_id');
      return ids(`
        SELECT m.entity_id AS id FROM catalog_product_entity m WHERE ${inSpan('m')}
        UNION SELECT r.child_id FROM catalog_product_relation r JOIN catalog_product_entity p ON p.row_id = r.parent_id WHERE p.entity_id IN (${moved})
        UNION SELECT ${linking.id} FROM catalog_product_link l ${linking.join} WHERE l.linked_product_id IN (${moved})
        UNION SELECT cp.product_id FROM catalog_category_product cp JOIN catalog_category_entity c ON c.entity_id = cp.category_id WHERE ${inSpan('c')}`);
    }

    it('each version move changes the items of exactly the products it expands to, and moving back reverts them', async () => {
      // the first renamed product is the seed's configurable with a temporary name change
      const [renamed] = await futureNames();
      const parent = renamed!.id;
      const initial = await currentVersion();
      const futureRow = await first(`SELECT row_id AS id FROM catalog_product_entity WHERE entity_id = ${parent} AND created_in = ${renamed!.version}`);
      const parentSku = (await rows<{ sku: string }>(`SELECT sku FROM catalog_product_entity WHERE row_id = ${futureRow}`))[0]!.sku;
      // A child that the update adds (only the future version's relations name it), and a product linking to the
      // parent: their items show the parent, so its move must name them.
      const taken = [...Object.values(picks), parent].map(String);
      const free = [...new Set(last.filter((a) => !taken.includes(a.sourceEntityId) && (a.item.parents as unknown[]).length === 0 && a.item.type === 'simple').map((a) => a.sourceEntityId))];
      const [adopted, linker] = free.map(Number);
      const linkerRow = await linkOf(linker!);
      await admin(`
        INSERT INTO catalog_product_relation (parent_id, child_id) VALUES (${futureRow}, ${adopted});
        INSERT INTO catalog_product_link (product_id, linked_product_id, link_type_id) VALUES (${linkerRow}, ${parent}, 1);
      `);
      let from = initial;
      try {
        // a change to any version of the parent re-checks the children of each
        expect(await provider.expand!('parentProduct', [String(parent)], feed.ctx)).toContain(String(adopted));
        // every version start ahead (updates and the rollbacks that end them), in order, as the cron reaches them
        const versions = (await ids(`
          SELECT created_in AS id FROM catalog_product_entity WHERE created_in > ${initial}
          UNION SELECT created_in FROM catalog_category_entity WHERE created_in > ${initial}`)).map(Number);
        expect(versions).toContain(renamed!.version);
        const before = await assembleAll();
        const parentsOf = (items: AssembledItem[], id: number) => items.filter((a) => Number(a.sourceEntityId) === id).flatMap((a) => a.item.parents as unknown[]);
        expect(parentsOf(before, adopted!)).toEqual([]);
        let previous = before;
        for (const to of versions) {
          await moveVersion(to);
          const items = await assembleAll();
          const expanded = await provider.expand!('stagingVersion', [`${from}..${to}`], feed.ctx);
          expect(expanded, `${from}..${to}`).toEqual(await affectedBy(from, to));
          // every changed item is named by the expansion
          expect(changedIds(previous, items).filter((id) => !expanded.includes(id)), `${from}..${to}`).toEqual([]);
          if (to === renamed!.version) {
            // the renamed product shows its scheduled name, in the store views without a name of their own,
            // the adopted child its new parent; both dependants are named
            expect(items.filter((a) => Number(a.sourceEntityId) === parent).map((a) => a.item.name)).toContain(renamed!.name);
            expect(parentsOf(items, adopted!)).toContainEqual({ sku: parentSku, productType: 'configurable' });
            expect(expanded).toEqual(expect.arrayContaining([String(parent), String(adopted), String(linker)]));
          }
          [from, previous] = [to, items];
        }
        expect(changedIds(before, previous).length).toBeGreaterThan(0);
        // moving back to where it started (a version move the other way) restores every item,
        // and the expansion of the way back names every item that changes again
        await moveVersion(initial === 1 ? null : initial);
        const back = await assembleAll();
        expect(back).toEqual(before);
        const expanded = await provider.expand!('stagingVersion', [`${from}..${initial}`], feed.ctx);
        expect(expanded).toEqual(await affectedBy(from, initial));
        expect(changedIds(previous, back).filter((id) => !expanded.includes(id))).toEqual([]);
        // "<to>" alone is the span from version 1
        expect(await provider.expand!('stagingVersion', [String(from)], feed.ctx)).toEqual(await affectedBy(1, from));
        from = initial;
      } finally {
        await admin(`
          DELETE FROM catalog_product_relation WHERE parent_id = ${futureRow} AND child_id = ${adopted};
          DELETE FROM catalog_product_link WHERE product_id = ${linkerRow} AND linked_product_id = ${parent} AND link_type_id = 1;
        `);
        if (from !== initial) await moveVersion(initial === 1 ? null : initial);
      }
    });

    it('warns about a product with overlapping versions or without its sequence row, naming it, and still builds every item', async () => {
      const lines: string[] = [];
      const log = createLogger({ level: 'warn' }, new Writable({ write: (chunk, _enc, done) => void (lines.push(String(chunk)), done()) }));
      const logged: ProviderContext = { ...feed.ctx, log };
      const taken = Object.values(picks).join(', ');
      // products outside the golden picks; the overlapping one without options, links or children,
      // which its copy below would otherwise have to repeat
      const overlapping = await first(
        `SELECT e.entity_id AS id FROM catalog_product_entity e
          WHERE e.entity_id NOT IN (${taken})${cur('e')}
            AND NOT EXISTS (SELECT 1 FROM catalog_product_option o WHERE o.product_id = e.row_id)
            AND NOT EXISTS (SELECT 1 FROM catalog_product_link l WHERE l.product_id = e.row_id)
            AND NOT EXISTS (SELECT 1 FROM catalog_product_relation r WHERE r.parent_id = e.row_id)`,
      );
      const unsequenced = await first(`SELECT entity_id AS id FROM catalog_product_entity WHERE entity_id NOT IN (${taken}, ${overlapping})`);
      const before = await assembleAll();
      // a second row holding the current version: a full copy, as a broken staging save leaves it
      const copy = 900_000;
      const link = await linkOf(overlapping);
      await admin(`
        INSERT INTO catalog_product_entity (row_id, entity_id, attribute_set_id, type_id, sku, has_options, required_options, created_at, updated_at, created_in, updated_in)
          SELECT ${copy}, entity_id, attribute_set_id, type_id, sku, has_options, required_options, created_at, updated_at, created_in, updated_in
            FROM catalog_product_entity WHERE row_id = ${link};
        ${['varchar', 'int', 'decimal', 'text', 'datetime']
          .map((t) => `INSERT INTO catalog_product_entity_${t} (attribute_id, store_id, row_id, value) SELECT attribute_id, store_id, ${copy}, value FROM catalog_product_entity_${t} WHERE row_id = ${link};`)
          .join('\n')}
        INSERT INTO catalog_product_entity_media_gallery_value_to_entity (value_id, row_id) SELECT value_id, ${copy} FROM catalog_product_entity_media_gallery_value_to_entity WHERE row_id = ${link};
        INSERT INTO catalog_product_entity_media_gallery_value (value_id, store_id, row_id, label, position, disabled)
          SELECT value_id, store_id, ${copy}, label, position, disabled FROM catalog_product_entity_media_gallery_value WHERE row_id = ${link};
        DELETE FROM sequence_product WHERE sequence_value = ${unsequenced};
      `);
      try {
        const items = await assembleAll(logged);
        expect(items).toEqual(before);
        const warnings = lines.map((l) => JSON.parse(l) as { level: string; code: string; entityId: number; msg: string });
        expect(warnings).toContainEqual(expect.objectContaining({ level: 'warn', code: 'STAGING_VERSION_OVERLAP', entityId: overlapping }));
        expect(warnings).toContainEqual(expect.objectContaining({ level: 'warn', code: 'STAGING_SEQUENCE_MISSING', entityId: unsequenced }));
        for (const w of warnings) expect(w.msg).toContain(`entity ${w.entityId}`);
      } finally {
        await admin(`
          ${['', '_varchar', '_int', '_decimal', '_text', '_datetime', '_media_gallery_value_to_entity', '_media_gallery_value']
            .map((t) => `DELETE FROM catalog_product_entity${t} WHERE row_id = ${copy};`)
            .join('\n')}
          INSERT INTO sequence_product (sequence_value) VALUES (${unsequenced});
        `);
      }
      expect(await assembleAll()).toEqual(before);
    });
  });

  it('reads every table through the Magento table prefix', async () => {
    await moveTablesUnderPrefix(feed.db, 'mg_');
    const prefixed: ProviderContext = { ...feed.ctx, t: (table) => `mg_${table}` };
    const ids = await provider.listIds(undefined, 100_000, prefixed);
    expect(ids.length).toBeGreaterThan(0);
    expect(await provider.assemble(ids, prefixed)).toEqual(last);
  });
});
