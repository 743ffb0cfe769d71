// The Adobe Commerce fixture and `seed --edition commerce`: the content staging shape of
// the catalog tables, the same catalog as Open Source, and scheduled updates stored the
// way Commerce stores them.
import { afterAll, describe, expect, it } from 'vitest';
import type { Connection } from 'mysql2/promise';
import { adminConnection, dropDatabase } from '../helpers/stack.js';
import { createCommerceDatabase } from '../helpers/commerce.js';
import { schemaTables } from '../../src/seed/schema.js';
import { detectEdition } from '../../src/mysql/edition.js';

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
