// Every golden item of the scopes, productAttributes and products feeds fits its
// Avro item schema and survives an Avro round trip unchanged, and so does the
// deleted item the exporter builds from the minimal payload.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { definition as scopesWebsite } from '../../src/feeds/scopesWebsite/index.js';
import { definition as scopesCustomerGroup } from '../../src/feeds/scopesCustomerGroup/index.js';
import { definition as productAttributes } from '../../src/feeds/productAttributes/index.js';
import { definition as products } from '../../src/feeds/products/index.js';
import type { FeedDefinition, FeedItem } from '../../src/feeds/types.js';
import { ROOT } from '../helpers/stack.js';

const FEEDS: FeedDefinition[] = [scopesWebsite, scopesCustomerGroup, productAttributes, products];

function goldenItems(feed: string): FeedItem[] {
  const dir = `${ROOT}test/golden/feeds/${feed}`;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) => (JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as Array<{ item: FeedItem }>).map((a) => a.item));
}

/** What the exporter sends for an id whose item disappeared: minimal payload + deleted. */
function deletedItem(def: FeedDefinition, item: FeedItem): FeedItem {
  const out: FeedItem = {};
  for (const f of def.minimalPayload) out[f] = item[f];
  if (def.deletedField) out[def.deletedField] = true;
  return out;
}

describe.each(FEEDS.map((d) => [d.name, d] as const))('%s item schema', (name, def) => {
  const type = avro.Type.forSchema(JSON.parse(readFileSync(`${ROOT}${def.schemaFile}`, 'utf8')) as avro.Schema);
  const items = goldenItems(name);

  it('is the record commerce_cdc.feed.<feed>.Item and has golden items to check', () => {
    expect((type as avro.types.RecordType).name).toBe(`commerce_cdc.feed.${name}.Item`);
    expect(items.length).toBeGreaterThan(0);
  });

  it('validates and round-trips every golden item', () => {
    for (const item of items) {
      const errors: string[] = [];
      type.isValid(item, { errorHook: (path) => errors.push(path.join('.')) });
      expect(errors, JSON.stringify(item).slice(0, 200)).toEqual([]);
      expect(JSON.stringify(type.fromBuffer(type.toBuffer(item)))).toBe(JSON.stringify(item));
    }
  });

  it('carries a deleted item built from the minimal payload', () => {
    const deleted = type.fromBuffer(type.toBuffer(type.clone(deletedItem(def, items[0]!), { wrapUnions: false }))) as FeedItem;
    for (const f of def.minimalPayload) expect(deleted[f]).toEqual(items[0]![f]);
    if (def.deletedField) expect(deleted[def.deletedField]).toBe(true);
  });
});
