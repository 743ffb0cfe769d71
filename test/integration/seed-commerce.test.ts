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
