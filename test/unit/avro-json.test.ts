// The Avro → JSON transcoder (src/avro/json.ts) against what it replaces:
// JSON.stringify of the decoded value, byte for byte, for the feeds' item
// schemas (golden and random items) and for the awkward cases of each Avro type.
// Then build() against the decode-based feed id, hash and minimal payload.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { compileJson } from '../../src/avro/json.js';
import { build } from '../../src/exporter/assemble.js';
import { EnvelopeDecoder, encodeEnvelope, itemEnvelopeSchema, type ItemEnvelope, type WireCodec } from '../../src/avro/records.js';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { allFeeds } from '../../src/feeds/index.js';
import { feedId, feedIdOfJson } from '../../src/feeds/hash.js';
import type { FeedItem } from '../../src/feeds/types.js';
import { ROOT } from '../helpers/stack.js';

const itemType = (schemaFile: string) => avro.Type.forSchema(JSON.parse(readFileSync(`${ROOT}${schemaFile}`, 'utf8')) as avro.Schema);

function goldenItems(feed: string): FeedItem[] {
  const dir = `${ROOT}test/golden/feeds/${feed}`;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => (JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as Array<{ item: FeedItem }>).map((a) => a.item));
}

/** The decode-based rules the transcoder replaces: sha1 of the item's JSON less the excluded fields. */
function itemHash(item: FeedItem, exclude: readonly string[]): string {
  const copy: FeedItem = {};
  for (const [k, v] of Object.entries(item)) if (!exclude.includes(k)) copy[k] = v;
  return createHash('sha1').update(JSON.stringify(copy)).digest('hex');
}

/** ...and the minimal payload fields' values as a JSON array, null when absent. */
function minimalPayload(item: FeedItem, fields: readonly string[]): string {
  return JSON.stringify(fields.map((f) => item[f] ?? null));
}

/** The reference: decode, drop the omitted fields, JSON.stringify. */
function reference(type: avro.Type, bytes: Buffer, omit: string[] = []): string {
  const value = type.fromBuffer(bytes) as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!omit.includes(k)) kept[k] = v;
  return JSON.stringify(kept);
}

const AWKWARD_STRINGS = [
  '',
  'plain',
  'quote " and backslash \\ and slash /',
  'controls \u0000\u0001\b\t\n\u000b\f\r\u001f end',
  'del \u007f, nbsp \u00a0, separators \u2028\u2029',
  'émoji 😀 中文 ünïcödé',
  'lone surrogate \ud800 here',
  '</script><!--',
];

describe('compileJson', () => {
  it.each(allFeeds().map((d) => [d.name, d] as const))('%s: golden and random items give the JSON of the decoded item', (name, def) => {
    const type = itemType(def.schemaFile);
    const tj = compileJson(type);
    const values: unknown[] = [...goldenItems(name).map((i) => type.clone(i)), ...Array.from({ length: 300 }, () => type.random())];
    expect(values.length).toBeGreaterThan(300);
    for (const v of values) {
      const bytes = type.toBuffer(v);
      const t = tj(bytes);
      expect(t.json.toString('utf8')).toBe(reference(type, bytes));
      expect(t.end).toBe(bytes.length);
    }
  });

  it('writes strings as JSON.stringify does: escapes, non-ASCII, and bytes that are not UTF-8', () => {
    const type = avro.Type.forSchema({ type: 'record', name: 'S', fields: [{ name: 's', type: 'string' }, { name: 'a', type: { type: 'array', items: 'string' } }] });
    const tj = compileJson(type);
    for (const s of AWKWARD_STRINGS) {
      const bytes = type.toBuffer({ s, a: [s, 'x', s] });
      expect(tj(bytes).json.toString('utf8')).toBe(reference(type, bytes));
    }
    // invalid UTF-8 (a lone continuation byte, an overlong form, a truncated sequence) decodes with replacement characters
    for (const raw of [[0x61, 0x80, 0x62], [0xc0, 0xaf], [0xe2, 0x82], [0xff]]) {
      const bytes = Buffer.concat([Buffer.from([raw.length * 2]), Buffer.from(raw), Buffer.from([0])]);
      expect(tj(bytes).json.toString('utf8')).toBe(reference(type, bytes));
    }
  });

  it('writes numbers as String(n) does, and NaN and the infinities as null', () => {
    const type = avro.Type.forSchema({
      type: 'record',
      name: 'N',
      fields: [
        { name: 'i', type: 'int' },
        { name: 'l', type: 'long' },
        { name: 'f', type: 'float' },
        { name: 'd', type: 'double' },
      ],
    });
    const tj = compileJson(type);
    const cases = [
      { i: 0, l: 0, f: 0, d: 0 },
      { i: -1, l: -1, f: -0, d: -0 },
      { i: 2147483647, l: 2 ** 52, f: 0.1, d: 0.1 },
      { i: -2147483648, l: -(2 ** 52), f: 3.4e38, d: 1e21 },
      { i: 63, l: 64, f: 1e-7, d: 5e-324 },
      { i: 8191, l: 8192, f: NaN, d: Infinity },
      { i: 12345, l: 1234567890123, f: -Infinity, d: NaN },
      { i: 7, l: -4503599627370495, f: 1.5, d: -1.7976931348623157e308 },
    ];
    for (const v of cases) {
      const bytes = type.toBuffer(v);
      expect(tj(bytes).json.toString('utf8')).toBe(reference(type, bytes));
    }
  });

  it('reads arrays written in several blocks, with and without block sizes', () => {
    const type = avro.Type.forSchema({ type: 'record', name: 'A', fields: [{ name: 'a', type: { type: 'array', items: 'long' } }, { name: 'z', type: 'boolean' }] });
    const tj = compileJson(type);
    // blocks: 2 items [1, 2], then -1 item with byte size 1 [3], then the end; then z = true
    const bytes = Buffer.from([0x04, 0x02, 0x04, 0x01, 0x02, 0x06, 0x00, 0x01]);
    expect(tj(bytes).json.toString('utf8')).toBe('{"a":[1,2,3],"z":true}');
    expect(tj(bytes).json.toString('utf8')).toBe(reference(type, bytes));
  });

  it('writes wrapped and unwrapped unions, enums, fixed, bytes, nested and recursive records', () => {
    const schema = {
      type: 'record',
      name: 'Node',
      fields: [
        { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['LEAF', 'BRANCH'] } },
        { name: 'id', type: { type: 'fixed', name: 'Id', size: 4 } },
        { name: 'blob', type: 'bytes' },
        { name: 'choice', type: ['null', 'string', 'long', { type: 'record', name: 'Inner', fields: [{ name: 'x', type: 'double' }] }] },
        { name: 'next', type: ['null', 'Node'] },
        { name: 'empty', type: { type: 'record', name: 'Empty', fields: [] } },
      ],
    } as const;
    const value = (choice: unknown, next: unknown) => ({ kind: 'BRANCH', id: Buffer.from([1, 2, 3, 255]), blob: Buffer.from('hi'), choice, next, empty: {} });
    for (const wrapUnions of [false, true]) {
      const type = avro.Type.forSchema(schema as unknown as avro.Schema, { wrapUnions });
      const tj = compileJson(type);
      const wrap = (branch: string, v: unknown) => (wrapUnions && v !== null ? { [branch]: v } : v);
      const leaf = value(wrap('string', 'leaf'), null);
      const values = [leaf, value(wrap('long', 42), wrap('Node', leaf)), value(wrap('Inner', { x: 0.5 }), wrap('Node', value(null, wrap('Node', leaf))))];
      for (const v of values) {
        const bytes = type.toBuffer(v);
        expect(tj(bytes).json.toString('utf8')).toBe(reference(type, bytes));
      }
    }
  });

  it('falls back to decoding for maps, with the key order JavaScript gives them', () => {
    const type = avro.Type.forSchema({ type: 'record', name: 'M', fields: [{ name: 'm', type: { type: 'map', values: 'int' } }, { name: 's', type: 'string' }] });
    const tj = compileJson(type, { omit: ['s'], capture: ['s'] });
    const bytes = type.toBuffer({ m: { b: 1, 2: 2, a: 3, 1: 4 }, s: 'x' });
    const t = tj(bytes);
    expect(t.json.toString('utf8')).toBe('{"m":{"1":4,"2":2,"b":1,"a":3}}');
    expect(t.fields).toEqual({ s: '"x"' });
  });

  it('leaves out omitted fields and captures fields, omitted or not, first or last', () => {
    const type = avro.Type.forSchema({
      type: 'record',
      name: 'R',
      fields: [
        { name: 'first', type: 'string' },
        { name: 'mid', type: ['null', 'long'] },
        { name: 'last', type: { type: 'array', items: 'string' } },
      ],
    });
    const bytes = type.toBuffer({ first: 'a"b', mid: null, last: ['x'] });
    for (const omit of [[], ['first'], ['mid'], ['last'], ['first', 'last'], ['first', 'mid', 'last']]) {
      const t = compileJson(type, { omit, capture: ['first', 'mid', 'last', 'absent'] })(bytes);
      expect(t.json.toString('utf8')).toBe(reference(type, bytes, omit));
      expect(t.fields).toEqual({ first: '"a\\"b"', mid: 'null', last: '["x"]', absent: 'null' });
    }
  });

  it('reads a record at an offset and says where it ended', () => {
    const type = avro.Type.forSchema({ type: 'record', name: 'P', fields: [{ name: 's', type: 'string' }] });
    const bytes = Buffer.concat([Buffer.from([9, 9, 9]), type.toBuffer({ s: 'abc' }), Buffer.from([7])]);
    const t = compileJson(type)(bytes, 3);
    expect(t.json.toString('utf8')).toBe('{"s":"abc"}');
    expect(t.end).toBe(bytes.length - 1);
  });

  it('refuses truncated data', () => {
    const type = avro.Type.forSchema({ type: 'record', name: 'T', fields: [{ name: 's', type: 'string' }, { name: 'd', type: 'double' }] });
    const bytes = type.toBuffer({ s: 'hello', d: 1.5 });
    const tj = compileJson(type);
    for (const cut of [1, 3, bytes.length - 1]) expect(() => tj(bytes.subarray(0, cut))).toThrow(/truncated/);
  });
});

describe('build', () => {
  it.each(allFeeds().map((d) => [d.name, d] as const))('%s: feed id, hash and minimal payload equal those of the decoded item', (name, def) => {
    const type = itemType(def.schemaFile);
    const raws = [...goldenItems(name), ...Array.from({ length: 200 }, () => type.random() as unknown as FeedItem)];
    for (const raw of raws) {
      const b = build(def, type, '1', raw);
      const item = type.fromBuffer(b.bytes) as FeedItem;
      expect(b.bytes.equals(type.toBuffer(type.clone(raw)))).toBe(true);
      expect(b.feedId).toBe(feedId(item, def.identity));
      expect(b.hash).toBe(itemHash(item, def.hashExclude));
      expect(b.minimal).toBe(minimalPayload(item, def.minimalPayload));
    }
  });
});

describe('feedIdOfJson', () => {
  it('is feedId() of the decoded fields, for strings with and without escapes, numbers, booleans and nulls', () => {
    const values: unknown[] = ['SKU-1', '', 'a"b', 'back\\slash', 'line\nbreak', 'é中😀', '\u2028', 'tab\t', 0, 17, -3.5, 1e21, true, false, null, undefined];
    for (const a of values) {
      for (const b of values) {
        const item = { sku: a, storeViewCode: b };
        const fields: Record<string, string> = {};
        for (const [k, v] of Object.entries(item)) if (v !== undefined) fields[k] = JSON.stringify(v);
        expect(feedIdOfJson(fields, ['sku', 'storeViewCode']), JSON.stringify([a, b])).toBe(feedId(item as FeedItem, ['sku', 'storeViewCode']));
      }
    }
  });
});

describe('EnvelopeDecoder', () => {
  // the registry client's part the decoder uses: a schema id → its avsc type
  const feed = allFeeds().find((f) => f.name === 'products')!;
  const envelopeType = avro.Type.forSchema(itemEnvelopeSchema(feed) as avro.Schema);
  const registry = { getSchema: async (id: number) => (id === 7 ? envelopeType : Promise.reject(new Error(`no schema ${id}`))) } as unknown as SchemaRegistry;
  const wire = (v: unknown, id = 7) => {
    const body = envelopeType.toBuffer(v);
    const out = Buffer.alloc(5 + body.length);
    out.writeInt32BE(id, 1);
    body.copy(out, 5);
    return out;
  };
  const itemAvro = avro.Type.forSchema(JSON.parse(readFileSync(`${ROOT}${feed.schemaFile}`, 'utf8')) as avro.Schema);
  const envelopes = Array.from({ length: 20 }, (_, i) => ({ feedId: `f${i}`, sourceEntityId: String(i), hash: `h${i}`, deleted: i % 3 === 0, writtenAt: 1_700_000_000_000 + i, item: itemAvro.random() }));

  it('decodes the head and gives each concurrent decode its own item JSON and minimal payload fields', async () => {
    const decoder = new EnvelopeDecoder(registry, { capture: feed.minimalPayload });
    const decoded = await Promise.all(envelopes.map((e) => decoder.decode(wire(e))));
    decoded.forEach((d, i) => {
      const e = envelopes[i]!;
      const item = envelopeType.fromBuffer(wire(e).subarray(5)) as { item: Record<string, unknown> };
      expect({ feedId: d.feedId, sourceEntityId: d.sourceEntityId, hash: d.hash, deleted: d.deleted, writtenAt: d.writtenAt }).toEqual({ ...e, item: undefined, writtenAt: e.writtenAt });
      expect(d.item.json.toString('utf8')).toBe(JSON.stringify(item.item));
      expect(minimalPayload(item.item, feed.minimalPayload)).toBe(`[${feed.minimalPayload.map((f) => d.item.fields[f]).join(',')}]`);
    });
  });

  it('reads what encodeEnvelope writes: the whole envelope encoded by avsc, byte for byte', () => {
    const codec = { id: 0x01020304 } as WireCodec<ItemEnvelope>;
    const texts = ['', 'a', '12345', 'é中😀"\n', 'x'.repeat(130), 'f'.repeat(40)];
    const times = [0, 1, -1, 63, 64, -64, -65, 8191, 2 ** 31, 1_764_518_400_123, -(2 ** 45), 2 ** 50 + 7, -(2 ** 50) - 3];
    for (let i = 0; i < 300; i++) {
      const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
      const head = { feedId: pick(texts), sourceEntityId: pick(texts), hash: pick(texts), deleted: Math.random() < 0.5, writtenAt: pick(times) };
      const item = itemAvro.random() as unknown as Record<string, unknown>;
      const ours = encodeEnvelope(codec, head, itemAvro.toBuffer(item));
      const expected = Buffer.concat([Buffer.from([0, 1, 2, 3, 4]), envelopeType.toBuffer({ ...head, item })]);
      expect(ours.equals(expected), JSON.stringify(head)).toBe(true);
    }
  });

  it('refuses values that are not in the wire format, and unknown schema ids', async () => {
    const decoder = new EnvelopeDecoder(registry, {});
    await expect(decoder.decode(Buffer.from([1, 0, 0, 0, 7]))).rejects.toThrow(/wire format/);
    await expect(decoder.decode(wire(envelopes[0], 8))).rejects.toThrow(/no schema 8/);
  });
});
