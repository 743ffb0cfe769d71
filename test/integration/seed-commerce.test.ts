// The Adobe Commerce fixture and `seed --edition commerce`: the content staging shape of
// the catalog tables, the same catalog as Open Source, and scheduled updates stored the
// way Commerce stores them.
import { afterAll, describe, expect, it } from 'vitest';
import type { Connection } from 'mysql2/promise';
import { adminConnection, dropDatabase } from '../helpers/stack.js';
import { createCommerceDatabase } from '../helpers/commerce.js';
import { schemaTables } from '../../src/tools/seed/schema.js';
import { detectEdition } from '../../src/mysql/edition.js';
import { seedCatalog } from '../../src/tools/seed/index.js';
import { applyDueUpdates, currentVersion, deleteUpdate } from '../../src/tools/seed/staging.js';
import { CATEGORY, PRODUCT, type OwnedTable } from '../../src/tools/seed/versions.js';
import type { LinkField } from '../../src/feeds/common/link.js';
import { TEST_SEED } from '../helpers/commerce.js';

const databases: string[] = [];
afterAll(async () => {
  for (const db of databases) await dropDatabase(db);
});

async function withConnection<T>(database: string, fn: (c: Connection) => Promise<T>): Promise<T> {
  const c = await adminConnection(database);
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function columns(c: Connection, table: string): Promise<string[]> {
  const [rows] = await c.query('SELECT column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position', [table]);
  return (rows as Array<{ c: string }>).map((r) => r.c);
}

async function primaryKey(c: Connection, table: string): Promise<string[]> {
  const [rows] = await c.query(`SELECT column_name AS c FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = ? AND index_name = 'PRIMARY' ORDER BY seq_in_index`, [table]);
  return (rows as Array<{ c: string }>).map((r) => r.c);
}

describe('the Adobe Commerce schema overlay', () => {
  it('is detected as Adobe Commerce, and schema.sql alone as Open Source', async () => {
    const [os, ee] = await Promise.all([createCommerceDatabase('ed_os', false), createCommerceDatabase('ed_ee', false, 'commerce')]);
    databases.push(os, ee);
    expect((await withConnection(os, (c) => detectEdition(c))).edition).toBe('opensource');
    expect((await withConnection(ee, (c) => detectEdition(c))).edition).toBe('commerce');
    // detection by name from another connection, as the connector does with mysql.database
    expect((await withConnection(os, (c) => detectEdition(c, '', ee))).edition).toBe('commerce');
  });

  it('has every table of the edition, each with a primary key, and the version shape of the staged tables', async () => {
    const ee = await createCommerceDatabase('ed_shape', false, 'commerce');
    databases.push(ee);
    await withConnection(ee, async (c) => {
      const [rows] = await c.query("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY 1");
      const tables = (rows as Array<{ t: string }>).map((r) => r.t).sort();
      expect(tables).toEqual([...schemaTables('commerce')].sort());
      for (const t of ['sequence_product', 'sequence_catalog_category', 'staging_update', 'flag']) expect(tables).toContain(t);
      expect(schemaTables('opensource')).toContain('flag');
      expect(schemaTables('opensource')).not.toContain('staging_update');
      for (const t of tables) expect(await primaryKey(c, t), t).not.toEqual([]);

      for (const entity of ['catalog_product_entity', 'catalog_category_entity']) {
        expect(await primaryKey(c, entity)).toEqual(['row_id']);
        expect(await columns(c, entity)).toEqual(expect.arrayContaining(['entity_id', 'row_id', 'created_in', 'updated_in']));
        for (const type of ['datetime', 'decimal', 'int', 'text', 'varchar']) {
          const cols = await columns(c, `${entity}_${type}`);
          expect(cols, `${entity}_${type}`).toContain('row_id');
          expect(cols, `${entity}_${type}`).not.toContain('entity_id');
        }
      }
      for (const t of ['catalog_product_entity_tier_price', 'catalog_product_entity_media_gallery_value', 'catalog_product_entity_media_gallery_value_to_entity']) {
        expect(await columns(c, t), t).toContain('row_id');
        expect(await columns(c, t), t).not.toContain('entity_id');
      }
      // bundle option and selection ids come from sequences and repeat in every version of the bundle
      expect(await primaryKey(c, 'catalog_product_bundle_option')).toEqual(['option_id', 'parent_id']);
      expect(await primaryKey(c, 'catalog_product_bundle_selection')).toEqual(['selection_id', 'parent_product_id']);
      const [defaults] = await c.query(`SELECT column_name AS c, column_default AS d FROM information_schema.columns
        WHERE table_schema = DATABASE() AND table_name = 'catalog_product_entity' AND column_name IN ('created_in', 'updated_in') ORDER BY 1`);
      expect(defaults).toEqual([{ c: 'created_in', d: '1' }, { c: 'updated_in', d: '2147483647' }]);
    });
  });
});

/** Rows of `table` as Open Source has them: on Adobe Commerce the link column row_id read as entity_id, version columns left out. */
async function contentAsOpenSource(c: Connection, table: string, osColumns: string[]): Promise<unknown[]> {
  const own = new Set(await columns(c, table));
  const select = osColumns.map((col) => (own.has(col) ? `\`${col}\`` : col === 'entity_id' && own.has('row_id') ? 'row_id AS entity_id' : `NULL AS \`${col}\``));
  const [rows] = await c.query(`SELECT ${select.join(', ')} FROM \`${table}\` ORDER BY ${osColumns.map((_, i) => i + 1).join(', ')}`);
  return rows as unknown[];
}

describe('seed --edition commerce', () => {
  it('writes the same catalog as Open Source for the same seed: base versions row_id = entity_id from 1 to MAX, one sequence row per entity', async () => {
    const [os, ee] = await Promise.all([
      createCommerceDatabase('same_os', {}),
      createCommerceDatabase('same_ee', { stagingUpdates: false }, 'commerce'),
    ]);
    databases.push(os, ee);
    const o = await adminConnection(os);
    const e = await adminConnection(ee);
    try {
      let compared = 0;
      for (const table of schemaTables('opensource')) {
        const osColumns = await columns(o, table);
        const [a, b] = [await contentAsOpenSource(o, table, osColumns), await contentAsOpenSource(e, table, osColumns)];
        expect(b.length, table).toBe(a.length);
        expect(b, table).toEqual(a);
        if (a.length > 0) compared++;
      }
      expect(compared).toBeGreaterThan(70);
      for (const [entity, sequence] of [['catalog_product_entity', 'sequence_product'], ['catalog_category_entity', 'sequence_catalog_category']] as const) {
        const [bad] = await e.query(`SELECT entity_id FROM ${entity} WHERE row_id <> entity_id OR created_in <> 1 OR updated_in <> 2147483647`);
        expect(bad, entity).toEqual([]);
        const [seq] = await e.query(`SELECT (SELECT GROUP_CONCAT(sequence_value ORDER BY 1) FROM ${sequence}) AS s, (SELECT GROUP_CONCAT(entity_id ORDER BY 1) FROM ${entity}) AS e`);
        const { s, e: ids } = (seq as Array<{ s: string; e: string }>)[0]!;
        expect(s, sequence).toBe(ids);
        expect(ids.split(',').length).toBeGreaterThan(8);
      }
      const [bundles] = await e.query(`SELECT (SELECT COUNT(*) FROM sequence_product_bundle_option) AS o, (SELECT COUNT(DISTINCT option_id) FROM catalog_product_bundle_option) AS oo,
        (SELECT COUNT(*) FROM sequence_product_bundle_selection) AS s, (SELECT COUNT(DISTINCT selection_id) FROM catalog_product_bundle_selection) AS ss`);
      const r = (bundles as Array<Record<string, number>>)[0]!;
      expect(r['o']).toBe(r['oo']);
      expect(r['s']).toBe(r['ss']);
      expect(Number(r['o'])).toBeGreaterThan(0);
    } finally {
      await o.end();
      await e.end();
    }
  });
});

// a fixed future start: the same seed and start give the same rows
const T = 2_000_000_000;
const MAX = 2147483647;
const utc = (s: number) => new Date(s * 1000).toISOString().slice(0, 19).replace('T', ' ');

async function seedCommerce(label: string, options: Record<string, unknown> = {}) {
  const database = await createCommerceDatabase(label, false, 'commerce');
  databases.push(database);
  const summary = await withConnection(database, (c) => seedCatalog(c, { ...TEST_SEED, edition: 'commerce', stagingStart: T, ...options }));
  return { database, summary };
}

async function all<R>(c: Connection, sql: string, params: unknown[] = []): Promise<R[]> {
  const [rows] = await c.query(sql, params);
  return rows as R[];
}

// What a version owns, from Magento's schema (commerce-feeds.md §7 and the 2.4.8 dump's foreign keys
// to catalog_product_entity.row_id, with their cascading children), written out here independently
// of src/tools/seed/versions.ts so that a table the copy forgets fails the test.
const EAV = ['datetime', 'decimal', 'int', 'text', 'varchar'];
const PRODUCT_ROWS: OwnedTable[] = [
  ...EAV.map((t) => ({ table: `catalog_product_entity_${t}`, key: 'row_id' })),
  { table: 'catalog_product_entity_tier_price', key: 'row_id' },
  { table: 'catalog_product_entity_media_gallery_value_to_entity', key: 'row_id' },
  { table: 'catalog_product_entity_media_gallery_value', key: 'row_id' },
  { table: 'catalog_product_super_attribute', key: 'product_id', children: [{ table: 'catalog_product_super_attribute_label', key: 'product_super_attribute_id' }] },
  { table: 'catalog_product_super_link', key: 'parent_id' },
  { table: 'catalog_product_relation', key: 'parent_id' },
  { table: 'catalog_product_link', key: 'product_id', children: [{ table: 'catalog_product_link_attribute_int', key: 'link_id' }] },
  { table: 'catalog_product_option', key: 'product_id', children: [
    { table: 'catalog_product_option_title', key: 'option_id' }, { table: 'catalog_product_option_price', key: 'option_id' },
    { table: 'catalog_product_option_type_value', key: 'option_id', children: [{ table: 'catalog_product_option_type_title', key: 'option_type_id' }, { table: 'catalog_product_option_type_price', key: 'option_type_id' }] },
  ] },
  { table: 'catalog_product_bundle_option', key: 'parent_id' },
  { table: 'catalog_product_bundle_option_value', key: 'parent_product_id' },
  { table: 'catalog_product_bundle_selection', key: 'parent_product_id' },
  { table: 'downloadable_link', key: 'product_id', children: [{ table: 'downloadable_link_title', key: 'link_id' }, { table: 'downloadable_link_price', key: 'link_id' }] },
  { table: 'downloadable_sample', key: 'product_id', children: [{ table: 'downloadable_sample_title', key: 'sample_id' }] },
];
const CATEGORY_ROWS: OwnedTable[] = EAV.map((t) => ({ table: `catalog_category_entity_${t}`, key: 'row_id' }));

/** Rows a version owns, per table, children under their parents, without ids: what a full copy must repeat. */
async function ownedContent(c: Connection, tables: readonly OwnedTable[], key: number): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of tables) {
    const rows = await all<Record<string, unknown>>(c, `SELECT * FROM ${t.table} WHERE ${t.key} = ?`, [key]);
    const [auto] = await all<{ c: string }>(c, "SELECT column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? AND extra LIKE '%auto_increment%'", [t.table]);
    const kept: unknown[] = [];
    for (const r of rows) {
      const children = auto && t.children ? await ownedContent(c, t.children, Number(r[auto.c])) : {};
      const plain = Object.fromEntries(Object.entries(r).filter(([k]) => k !== t.key && k !== auto?.c && k !== 'record_id'));
      kept.push({ ...plain, ...children });
    }
    out[t.table] = kept.map((k) => JSON.stringify(k)).sort();
  }
  return out;
}

/** Every entity's versions cover 1..MAX without gap or overlap. */
async function brokenChains(c: Connection, field: LinkField): Promise<string[]> {
  const rows = await all<{ entity_id: number; created_in: string; updated_in: string }>(c, `SELECT entity_id, created_in, updated_in FROM ${field.entityTable} ORDER BY entity_id, created_in`);
  const bad: string[] = [];
  const byEntity = new Map<number, Array<[number, number]>>();
  for (const r of rows) byEntity.set(r.entity_id, [...(byEntity.get(r.entity_id) ?? []), [Number(r.created_in), Number(r.updated_in)]]);
  for (const [id, ranges] of byEntity) {
    let at = 1;
    for (const [from, to] of ranges) {
      if (from !== at || to <= from) bad.push(`${id}: ${ranges.map(([a, b]) => `${a}..${b}`).join(' ')}`);
      at = to;
    }
    if (at !== MAX) bad.push(`${id} ends at ${at}`);
  }
  return [...new Set(bad)];
}

async function checksums(c: Connection, tables: string[]): Promise<Record<string, string>> {
  const rows = await all<{ Table: string; Checksum: string | number }>(c, `CHECKSUM TABLE ${tables.map((t) => `\`${t}\``).join(', ')}`);
  return Object.fromEntries(rows.map((r) => [r.Table.split('.').pop()!, String(r.Checksum)]));
}

/** Rows per table that versions other than the base ones (row_id <> entity_id) own, children included. */
async function versionRowCounts(c: Connection): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const add = (t: string, n: number) => counts.set(t, (counts.get(t) ?? 0) + n);
  const walk = async (tables: readonly OwnedTable[], keys: number[]) => {
    if (keys.length === 0) return;
    for (const t of tables) {
      const [auto] = await all<{ c: string }>(c, "SELECT column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? AND extra LIKE '%auto_increment%'", [t.table]);
      const rows = await all<Record<string, unknown>>(c, `SELECT ${auto ? `\`${auto.c}\`` : '1'} AS id FROM ${t.table} WHERE ${t.key} IN (?)`, [keys]);
      add(t.table, rows.length);
      if (t.children) await walk(t.children, rows.map((r) => Number(r['id'])));
    }
  };
  for (const [field, tables] of [[PRODUCT, PRODUCT_ROWS], [CATEGORY, CATEGORY_ROWS]] as const) {
    const versions = await all<{ row_id: number }>(c, `SELECT row_id FROM ${field.entityTable} WHERE row_id <> entity_id`);
    add(field.entityTable, versions.length);
    await walk(tables, versions.map((v) => v.row_id));
  }
  return counts;
}

describe('scheduled updates of seed --edition commerce', () => {
  it('leaves the base catalog as Open Source has it: the same row count in every table but for the versions\' rows', async () => {
    const os = await createCommerceDatabase('counts_os', {});
    databases.push(os);
    const { database } = await seedCommerce('counts');
    const count = async (c: Connection, t: string) => Number((await all<{ n: string }>(c, `SELECT COUNT(*) AS n FROM \`${t}\``))[0]!.n);
    await withConnection(database, async (e) => {
      const versions = await versionRowCounts(e);
      expect(versions.get('catalog_product_entity')).toBe(4);
      expect(versions.get('catalog_category_entity')).toBe(1);
      await withConnection(os, async (o) => {
        for (const t of schemaTables('opensource')) expect((await count(e, t)) - (versions.get(t) ?? 0), t).toBe(await count(o, t));
      });
      // and the base rows are the Open Source rows: row_id = entity_id
      expect(await all(e, 'SELECT COUNT(*) AS n FROM catalog_product_entity WHERE created_in = 1 AND row_id <> entity_id')).toEqual([{ n: '0' }]);
    });
  });


  it('stores four updates as Commerce does: ids = start times, a temporary one with its rollback update, none current', async () => {
    const { database, summary } = await seedCommerce('sched');
    expect(summary.scheduledUpdates.map((u) => [u.id, u.kind, u.entity, u.attribute, u.rollbackId])).toEqual([
      [T, 'permanent', 'product', 'price', null],
      [T + 5, 'temporary', 'product', 'name', T + 8],
      [T + 10, 'permanent', 'category', 'name', null],
      [T + 15, 'permanent', 'product', 'price', null],
    ]);
    const [u1, u2, u3, u4] = summary.scheduledUpdates;
    await withConnection(database, async (c) => {
      expect(await all(c, 'SELECT id, start_time, name, rollback_id, is_campaign, is_rollback, moved_to FROM staging_update ORDER BY id')).toEqual([
        { id: String(T), start_time: utc(T), name: `Price drop ${u1!.label}`, rollback_id: null, is_campaign: 0, is_rollback: null, moved_to: null },
        { id: String(T + 5), start_time: utc(T + 5), name: `Limited edition ${u2!.label}`, rollback_id: String(T + 8), is_campaign: 0, is_rollback: null, moved_to: null },
        { id: String(T + 8), start_time: utc(T + 8), name: `Rollback for "Limited edition ${u2!.label}"`, rollback_id: null, is_campaign: null, is_rollback: 1, moved_to: null },
        { id: String(T + 10), start_time: utc(T + 10), name: `Specials in ${u3!.label}`, rollback_id: null, is_campaign: 0, is_rollback: null, moved_to: null },
        { id: String(T + 15), start_time: utc(T + 15), name: `Half price ${u4!.label} (cancelled)`, rollback_id: null, is_campaign: 0, is_rollback: null, moved_to: null },
      ]);
      // nothing moved the current version: every item is still the base catalog's
      expect(await all(c, 'SELECT * FROM flag')).toEqual([]);
      expect(await brokenChains(c, PRODUCT)).toEqual([]);
      expect(await brokenChains(c, CATEGORY)).toEqual([]);
      const chain = async (field: LinkField, id: number) => all(c, `SELECT row_id, created_in, updated_in FROM ${field.entityTable} WHERE entity_id = ? ORDER BY created_in`, [id]);
      expect(await chain(PRODUCT, u1!.entityId)).toEqual([
        { row_id: u1!.entityId, created_in: '1', updated_in: String(T) }, { row_id: u1!.rowId, created_in: String(T), updated_in: String(MAX) },
      ]);
      expect(await chain(PRODUCT, u2!.entityId)).toEqual([
        { row_id: u2!.entityId, created_in: '1', updated_in: String(T + 5) },
        { row_id: u2!.rowId, created_in: String(T + 5), updated_in: String(T + 8) },
        { row_id: u2!.rollbackRowId, created_in: String(T + 8), updated_in: String(MAX) },
      ]);
      expect(await chain(CATEGORY, u3!.entityId)).toEqual([
        { row_id: u3!.entityId, created_in: '1', updated_in: String(T + 10) }, { row_id: u3!.rowId, created_in: String(T + 10), updated_in: String(MAX) },
      ]);
    });
  });

  it('makes each version a full copy of the one before, with the one value the update changes', async () => {
    // a catalog big enough to have a simple product with custom options and tier prices (TEST_SEED's 40 products have none)
    const { database, summary } = await seedCommerce('copy', { products: 200, orders: 0 });
    const [u1, u2, u3] = summary.scheduledUpdates;
    await withConnection(database, async (c) => {
      const products = PRODUCT_ROWS;
      const base1 = await ownedContent(c, products, u1!.entityId);
      const version1 = await ownedContent(c, products, u1!.rowId);
      // U1's product has custom options (with values), tier prices, images and EAV values of every type
      for (const t of ['catalog_product_option', 'catalog_product_entity_tier_price', 'catalog_product_entity_media_gallery_value_to_entity', 'catalog_product_entity_media_gallery_value',
        'catalog_product_entity_varchar', 'catalog_product_entity_int', 'catalog_product_entity_decimal', 'catalog_product_entity_text']) {
        expect(base1[t]!.length, t).toBeGreaterThan(0);
      }
      const price = (content: Record<string, unknown[]>) => content['catalog_product_entity_decimal']!.filter((r) => String(r).includes(`"store_id":0,"value":"`));
      const withoutDecimal = (content: Record<string, unknown[]>) => ({ ...content, catalog_product_entity_decimal: undefined });
      expect(withoutDecimal(version1)).toEqual(withoutDecimal(base1));
      expect(version1['catalog_product_entity_decimal']!.length).toBe(base1['catalog_product_entity_decimal']!.length);
      const priceAttr = (await all<{ id: number }>(c, "SELECT attribute_id AS id FROM eav_attribute WHERE entity_type_id = 4 AND attribute_code = 'price'"))[0]!.id;
      const priceOf = async (rowId: number) => (await all<{ v: string }>(c, 'SELECT value AS v FROM catalog_product_entity_decimal WHERE row_id = ? AND attribute_id = ? AND store_id = 0', [rowId, priceAttr]))[0]!.v;
      expect(await priceOf(u1!.entityId)).toBe(Number(u1!.from).toFixed(4));
      expect(await priceOf(u1!.rowId)).toBe(Number(u1!.to).toFixed(4));
      expect(price(version1)).not.toEqual(price(base1));
      // custom options are copied under new ids; the base keeps its own
      const options = await all<{ product_id: number }>(c, 'SELECT DISTINCT product_id FROM catalog_product_option WHERE product_id IN (?, ?) ORDER BY 1', [u1!.entityId, u1!.rowId]);
      expect(options.map((o) => o.product_id)).toEqual([u1!.entityId, u1!.rowId]);

      // U2: the configurable's structure under the version and under the rollback, the base name again after the rollback
      const base2 = await ownedContent(c, products, u2!.entityId);
      for (const t of ['catalog_product_super_attribute', 'catalog_product_super_link', 'catalog_product_relation']) expect(base2[t]!.length, t).toBeGreaterThan(0);
      const nameAttr = (await all<{ id: number }>(c, "SELECT attribute_id AS id FROM eav_attribute WHERE entity_type_id = 4 AND attribute_code = 'name'"))[0]!.id;
      const nameOf = async (rowId: number) => (await all<{ v: string }>(c, 'SELECT value AS v FROM catalog_product_entity_varchar WHERE row_id = ? AND attribute_id = ? AND store_id = 0', [rowId, nameAttr]))[0]!.v;
      expect([await nameOf(u2!.entityId), await nameOf(u2!.rowId), await nameOf(u2!.rollbackRowId!)]).toEqual([u2!.from, u2!.to, u2!.from]);
      expect(await ownedContent(c, products, u2!.rollbackRowId!)).toEqual(base2);
      const version2 = await ownedContent(c, products, u2!.rowId);
      expect({ ...version2, catalog_product_entity_varchar: undefined }).toEqual({ ...base2, catalog_product_entity_varchar: undefined });

      // U3: the category version holds all its values, the name changed
      const base3 = await ownedContent(c, CATEGORY_ROWS, u3!.entityId);
      const version3 = await ownedContent(c, CATEGORY_ROWS, u3!.rowId);
      expect({ ...version3, catalog_category_entity_varchar: undefined }).toEqual({ ...base3, catalog_category_entity_varchar: undefined });
      expect(JSON.stringify(version3['catalog_category_entity_varchar'])).toContain(u3!.to);
      // the entity row is the same row in another version range
      const entity = async (rowId: number) => (await all<Record<string, unknown>>(c, 'SELECT entity_id, attribute_set_id, parent_id, path, position, level, children_count, created_at, updated_at FROM catalog_category_entity WHERE row_id = ?', [rowId]))[0];
      expect(await entity(u3!.rowId)).toEqual(await entity(u3!.entityId));
    });
  });

  it('gives the same rows for the same seed and start', async () => {
    const [a, b] = [await seedCommerce('same_a'), await seedCommerce('same_b')];
    const tables = schemaTables('commerce');
    const [sa, sb] = [await withConnection(a.database, (c) => checksums(c, tables)), await withConnection(b.database, (c) => checksums(c, tables))];
    expect(sb).toEqual(sa);
    expect(b.summary.scheduledUpdates).toEqual(a.summary.scheduledUpdates);
  });

  it('applyDueUpdates moves the flag row as the staging cron does: the newest update whose start has passed', async () => {
    const { database } = await seedCommerce('apply');
    await withConnection(database, async (c) => {
      const flag = async () => all<{ flag_code: string; state: number; flag_data: string }>(c, 'SELECT flag_code, state, flag_data FROM flag');
      expect(await applyDueUpdates(c, new Date((T - 1) * 1000))).toEqual({ previous: 1, current: 1, moved: false });
      expect(await flag()).toEqual([]);
      expect(await applyDueUpdates(c, new Date(T * 1000))).toEqual({ previous: 1, current: T, moved: true });
      expect(await flag()).toEqual([{ flag_code: 'staging', state: 0, flag_data: `{"current_version":"${T}"}` }]);
      expect(await applyDueUpdates(c, new Date((T + 4) * 1000))).toEqual({ previous: T, current: T, moved: false });
      expect(await applyDueUpdates(c, new Date((T + 9) * 1000))).toEqual({ previous: T, current: T + 8, moved: true });
      expect(await applyDueUpdates(c, new Date((T + 3600) * 1000))).toEqual({ previous: T + 8, current: T + 15, moved: true });
      expect(await flag()).toEqual([{ flag_code: 'staging', state: 0, flag_data: `{"current_version":"${T + 15}"}` }]);
      expect(await currentVersion(c)).toBe(T + 15);
      // no catalog row moved; every version is kept (fewer than maximum_versions_in_db)
      expect(await brokenChains(c, PRODUCT)).toEqual([]);
    });
  });

  it('applyDueUpdates deletes the versions that ended beyond maximum_versions_in_db, keeping other keys of the flag', async () => {
    const { database, summary } = await seedCommerce('obsolete');
    const u1 = summary.scheduledUpdates[0]!;
    await withConnection(database, async (c) => {
      await c.query("INSERT INTO flag (flag_code, state, flag_data) VALUES ('staging', 0, '{\"maximum_versions_in_db\":1}')");
      expect((await applyDueUpdates(c, new Date(T * 1000))).current).toBe(T);
      expect(await all(c, "SELECT flag_data FROM flag WHERE flag_code = 'staging'")).toEqual([{ flag_data: `{"maximum_versions_in_db":1,"current_version":"${T}"}` }]);
      expect(await all(c, 'SELECT row_id, created_in FROM catalog_product_entity WHERE entity_id = ?', [u1.entityId])).toEqual([{ row_id: u1.rowId, created_in: String(T) }]);
      expect(await all(c, 'SELECT COUNT(*) AS n FROM catalog_product_entity_varchar WHERE row_id = ?', [u1.entityId])).toEqual([{ n: '0' }]);
      expect(await all(c, 'SELECT COUNT(*) AS n FROM catalog_product_entity_varchar WHERE row_id = ?', [u1.rowId])).not.toEqual([{ n: '0' }]);
    });
  });

  it('deleteUpdate of every update before it starts leaves the catalog exactly as seeded without them', async () => {
    const { database, summary } = await seedCommerce('delete');
    const plain = (await seedCommerce('delete_plain', { stagingUpdates: false })).database;
    await withConnection(database, async (c) => {
      expect(await deleteUpdate(c, summary.scheduledUpdates[3]!.id, new Date((T - 60) * 1000))).toEqual({ unscheduled: [{ entity: 'product', entityId: summary.scheduledUpdates[3]!.entityId }] });
      const u4 = summary.scheduledUpdates[3]!;
      expect(await all(c, 'SELECT row_id, created_in, updated_in FROM catalog_product_entity WHERE entity_id = ?', [u4.entityId])).toEqual([{ row_id: u4.entityId, created_in: '1', updated_in: String(MAX) }]);
      for (const u of summary.scheduledUpdates.slice(0, 3)) await deleteUpdate(c, u.id, new Date((T - 60) * 1000));
      expect(await all(c, 'SELECT * FROM staging_update')).toEqual([]);
    });
    const tables = schemaTables('commerce');
    const [after, expected] = [await withConnection(database, (c) => checksums(c, tables)), await withConnection(plain, (c) => checksums(c, tables))];
    expect(after).toEqual(expected);
  });

  it('deleteUpdate refuses an update that has started, a rollback and an unknown id, and changes nothing', async () => {
    const { database, summary } = await seedCommerce('refuse');
    await withConnection(database, async (c) => {
      await applyDueUpdates(c, new Date(T * 1000));
      const before = await checksums(c, schemaTables('commerce'));
      await expect(deleteUpdate(c, T)).rejects.toMatchObject({ code: 'STAGING_UPDATE_REFUSED', message: expect.stringMatching(/has started/) });
      await expect(deleteUpdate(c, T + 8)).rejects.toMatchObject({ code: 'STAGING_UPDATE_REFUSED', message: expect.stringMatching(/is a rollback/) });
      await expect(deleteUpdate(c, 42)).rejects.toMatchObject({ code: 'STAGING_UPDATE_REFUSED', message: expect.stringMatching(/no staging update 42/) });
      expect(await checksums(c, schemaTables('commerce'))).toEqual(before);
      expect(summary.scheduledUpdates).toHaveLength(4);
    });
  });
});
