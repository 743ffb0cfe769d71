// Every golden item of the eleven feeds fits its Avro item schema and survives an
// Avro round trip unchanged (fields in schema order), and so does the deleted item
// built from the minimal payload.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { allFeeds } from '../../src/feeds/index.js';
import { FEED_NAMES, type FeedDefinition, type FeedItem } from '../../src/feeds/types.js';
import { ROOT } from '../helpers/stack.js';

function goldenItems(feed: string): FeedItem[] {
  const dir = `${ROOT}test/golden/feeds/${feed}`;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) => (JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as Array<{ item: FeedItem }>).map((a) => a.item));
}

/** What stands in the items topic for an id whose item disappeared: minimal payload + deleted. */
function deletedItem(def: FeedDefinition, item: FeedItem): FeedItem {
  const out: FeedItem = {};
  for (const f of def.minimalPayload) out[f] = item[f];
  if (def.deletedField) out[def.deletedField] = true;
  return out;
}

it('registers all eleven feeds', () => {
  expect(allFeeds().map((f) => f.name)).toEqual([...FEED_NAMES]);
});

describe.each(allFeeds().map((d) => [d.name, d] as const))('%s item schema', (name, def) => {
  const type = avro.Type.forSchema(JSON.parse(readFileSync(`${ROOT}${def.schemaFile}`, 'utf8')) as avro.Schema);
  const items = goldenItems(name);

  it('is the record commerce_cdc.feed.<feed>.Item with the minimal payload and identity as fields, and has golden items', () => {
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

  it('carries a deleted item built from the minimal payload (orders: entities not removable)', () => {
    if (def.deletedField === undefined) {
      expect(name).toBe('orders');
      return;
    }
    const deleted = type.fromBuffer(type.toBuffer(type.clone(deletedItem(def, items[0]!), { wrapUnions: false }))) as FeedItem;
    for (const f of def.minimalPayload) expect(deleted[f]).toEqual(items[0]![f]);
    expect(deleted[def.deletedField!]).toBe(true);
  });
});
