// The products expansions on both editions, by the SQL they send: on Open Source exactly
// the statements of before editions (no join to the entity table, no version filter),
// on Adobe Commerce every link-keyed column read through the product's current version.
// (test/integration/feeds-products.test.ts checks what they return against MariaDB.)
import { expect, it } from 'vitest';
import { definition } from '../../src/feeds/products/index.js';
import { catalogModel, type Edition } from '../../src/feeds/common/link.js';
import type { ProviderContext } from '../../src/feeds/types.js';
import { createLogger } from '../../src/log.js';

/** A context whose database records each statement and answers with no rows (one attribute for an option). */
function recording(edition: Edition): { ctx: ProviderContext; sql: string[] } {
  const sql: string[] = [];
  const db = {
    query: (text: string) => {
      sql.push(text.replace(/\s+/g, ' ').trim());
      return Promise.resolve([text.includes('FROM eav_attribute_option ') ? [{ attribute_id: 93 }] : []]);
    },
  };
  const ctx = {
    db,
    log: createLogger({ level: 'silent' }),
    t: (table: string) => table,
    catalog: catalogModel(edition),
    now: () => new Date(0),
    profile: () => undefined,
  } as unknown as ProviderContext;
  return { ctx, sql };
}

async function statements(edition: Edition, type: string, ids = ['7']): Promise<string[]> {
  const { ctx, sql } = recording(edition);
  await definition.provider.expand!(type, ids, ctx);
  return sql;
}

/** Types whose SQL reads a column that holds the link field. */
const LINK_KEYED = ['parentProduct', 'linkedProduct', 'productLink', 'customOption', 'customOptionValue', 'mediaGallery', 'attribute', 'attributeOption', 'taxClass'];

it('sends Open Source the same SQL as before editions: the link column is the entity id, no join, no version', async () => {
  expect(await statements('opensource', 'parentProduct')).toEqual(['SELECT DISTINCT child_id AS id FROM catalog_product_relation WHERE parent_id IN (?)']);
  expect(await statements('opensource', 'linkedProduct')).toEqual(['SELECT DISTINCT l.product_id AS id FROM catalog_product_link l WHERE l.linked_product_id IN (?)']);
  expect(await statements('opensource', 'mediaGallery')).toEqual([
    'SELECT DISTINCT g.entity_id AS id FROM catalog_product_entity_media_gallery_value_to_entity g WHERE g.value_id IN (?)',
  ]);
  for (const type of LINK_KEYED) {
    for (const s of await statements('opensource', type)) {
      expect(s, type).not.toMatch(/JOIN catalog_product_entity |row_id|created_in|flag/);
    }
  }
  // no version ever moves on Open Source: nothing to ask
  expect(await statements('opensource', 'stagingVersion', ['1..1733400000'])).toEqual([]);
});

it('reads link-keyed columns on Adobe Commerce through the current version, giving entity ids', async () => {
  for (const type of LINK_KEYED.filter((t) => t !== 'parentProduct')) {
    const sql = await statements('commerce', type);
    expect(sql.length, type).toBeGreaterThan(0);
    for (const s of sql.filter((q) => q.includes(' AS id '))) {
      expect(s, type).toMatch(/JOIN catalog_product_entity cur ON cur\.row_id = \w+\.(row_id|product_id) AND cur\.created_in <= .* AND cur\.updated_in > /);
      expect(s, type).toContain('SELECT DISTINCT cur.entity_id AS id');
    }
  }
  // the children of every version of a parent: a change to any version re-checks them
  expect(await statements('commerce', 'parentProduct')).toEqual([
    'SELECT DISTINCT child_id AS id FROM catalog_product_relation WHERE parent_id IN (SELECT ev.row_id FROM catalog_product_entity ev WHERE ev.entity_id IN (?))',
  ]);
});

it('expands a version move to moved products and categories, then their dependants', async () => {
  const sql = await statements('commerce', 'stagingVersion', ['1733400000..1733500000']);
  // products and categories with a version starting or ending in the span; no rows, so no dependants asked
  expect(sql).toHaveLength(2);
  expect(sql.join('\n')).toMatch(/FROM catalog_product_entity WHERE \(created_in > \? AND created_in <= \?\)/);
  expect(sql.join('\n')).toMatch(/FROM catalog_category_entity WHERE/);
  expect(definition.expandTypes).toContain('stagingVersion');
});
