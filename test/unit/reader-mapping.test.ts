import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { CdcError } from '../../src/errors.js';
import { FEED_NAMES } from '../../src/feeds/types.js';
import { buildMapping, loadMapping, matchesFilters } from '../../src/reader/mapping.js';

const dir = fileURLToPath(new URL('../../connectors/feeds', import.meta.url));

describe('connector mapping', () => {
  it('loads one file per feed, for all eleven feeds', () => {
    const m = loadMapping(dir);
    expect(m.feeds.map((f) => f.feed).sort()).toEqual([...FEED_NAMES].sort());
    const price = m.routes.get('catalog_product_entity_decimal')!.map((r) => r.feed).sort();
    expect(price).toEqual(['prices', 'products']);
    expect(m.routes.get('catalog_product_super_attribute')).toEqual([expect.objectContaining({ feed: 'variants', entity: 'parentProduct', id: 'product_id' })]);
    expect(m.feeds.find((f) => f.feed === 'scopesWebsite')!.root).toMatchObject({ table: 'store_website', id: 'website_id', entity: 'website' });
  });

  it('reports every problem at once with file and field', () => {
    let err: unknown;
    try {
      buildMapping(
        [
          { file: 'a.yaml', doc: { feed: 'products', root: { table: 't', id: 'id' }, tables: [{ table: 't', entity: 'product', id: 'nope' }, { table: 't', entity: 'bogus', id: 'id' }] } },
          { file: 'b.yaml', doc: { feed: 'products', root: { table: 't', id: 'id' }, tables: [{ table: 't', id: 'id' }] } },
          { file: 'c.yaml', doc: { feed: 'nofeed', tables: [] } },
        ],
        { columns: new Map([['t', ['id']]]), feedTypes: new Map([['products', ['product', 'store']]]) },
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CdcError);
    const e = err as CdcError;
    expect(e.code).toBe('CONNECTOR_MAPPING_INVALID');
    const problems = e.context.problems as string[];
    expect(problems).toEqual(
      expect.arrayContaining([
        'a.yaml: tables[0]: table t has no column nope',
        expect.stringContaining('a.yaml: tables[1].entity: feed products does not expand entity type "bogus"'),
        'b.yaml: tables[0].entity: missing',
        expect.stringContaining('b.yaml: feed: duplicate feed products'),
        expect.stringContaining('c.yaml: feed: unknown feed "nofeed"'),
        'c.yaml: tables: missing or empty',
        expect.stringContaining('c.yaml: root: missing'),
      ]),
    );
  });

  it('filters rows with when/unless, comparing as strings', () => {
    expect(matchesFilters({ entity_type_id: 4 }, { entity_type_id: ['4'] }, undefined)).toBe(true);
    expect(matchesFilters({ entity_type_id: 3 }, { entity_type_id: ['4'] }, undefined)).toBe(false);
    expect(matchesFilters({ website_id: 0 }, undefined, { website_id: ['0'] })).toBe(false);
    expect(matchesFilters(null, undefined, undefined)).toBe(false);
  });
});
