// Every golden item of the prices, variants, categories, inventoryStockStatus,
// orders, categoryPermissions and productOverrides feeds fits its Avro item schema
// and survives an Avro round trip unchanged, and so does the deleted item the
// exporter builds from the minimal payload.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { definition as prices } from '../../src/feeds/prices/index.js';
import { definition as variants } from '../../src/feeds/variants/index.js';
import { definition as categories } from '../../src/feeds/categories/index.js';
import { definition as inventoryStockStatus } from '../../src/feeds/inventoryStockStatus/index.js';
import { definition as orders } from '../../src/feeds/orders/index.js';
import { definition as categoryPermissions } from '../../src/feeds/categoryPermissions/index.js';
import { definition as productOverrides } from '../../src/feeds/productOverrides/index.js';
import type { FeedDefinition, FeedItem } from '../../src/feeds/types.js';
import { ROOT } from '../helpers/stack.js';

const FEEDS: FeedDefinition[] = [prices, variants, categories, inventoryStockStatus, orders, categoryPermissions, productOverrides];

function goldenItems(feed: string): FeedItem[] {
  const dir = `${ROOT}test/golden/feeds/${feed}`;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) => (JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as Array<{ item: FeedItem }>).map((a) => a.item));
}

function deletedItem(def: FeedDefinition, item: FeedItem): FeedItem {
  const out: FeedItem = {};
  for (const f of def.minimalPayload) out[f] = item[f];
  if (def.deletedField) out[def.deletedField] = true;
  return out;
}

describe.each(FEEDS.map((d) => [d.name, d] as const))('%s item schema', (name, def) => {
  const type = avro.Type.forSchema(JSON.parse(readFileSync(`${ROOT}${def.schemaFile}`, 'utf8')) as avro.Schema);
  const items = goldenItems(name);

  it('is the record commerce_cdc.feed.<feed>.Item with the minimal payload and identity as fields', () => {
    const record = type as avro.types.RecordType;
    expect(record.name).toBe(`commerce_cdc.feed.${name}.Item`);
    const fields = record.fields.map((f) => f.name);
    for (const f of [...def.identity, ...def.minimalPayload]) expect(fields).toContain(f);
    if (def.deletedField) expect(fields).toContain(def.deletedField);
    expect(items.length).toBeGreaterThan(0);
  });

  it('validates and round-trips every golden item, fields in schema order', () => {
    for (const item of items) {
      const errors: string[] = [];
      type.isValid(item, { errorHook: (path) => errors.push(path.join('.')) });
      expect(errors, JSON.stringify(item).slice(0, 200)).toEqual([]);
      expect(JSON.stringify(type.fromBuffer(type.toBuffer(item)))).toBe(JSON.stringify(item));
    }
  });

  it.runIf(def.deletedField !== undefined)('carries a deleted item built from the minimal payload', () => {
    const deleted = type.fromBuffer(type.toBuffer(type.clone(deletedItem(def, items[0]!), { wrapUnions: false }))) as FeedItem;
    for (const f of def.minimalPayload) expect(deleted[f]).toEqual(items[0]![f]);
    expect(deleted[def.deletedField!]).toBe(true);
  });
});
