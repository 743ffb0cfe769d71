import { describe, expect, it } from 'vitest';
import { parseInvalid } from '../../src/publisher/http.js';
import avro from 'avsc';
import { compileJson } from '../../src/avro/json.js';
import { encodeBody } from '../../src/publisher/http.js';
import { downstreamJson, idempotencyKey } from '../../src/publisher/index.js';
import type { FeedDefinition } from '../../src/feeds/types.js';

describe('publisher response and payload rules', () => {
  it('reads invalidFeedItems in both shapes, ignoring indexes outside the batch', () => {
    const m = parseInvalid(
      {
        invalidFeedItems: [
          { itemIndex: 1, code: 'BAD', message: 'no sku' },
          { field: '/3/name', message: 'too long' },
          { field: '/9/name', message: 'out of range' },
          { itemIndex: 1, message: 'again' },
        ],
      },
      5,
    );
    expect([...m.keys()].sort()).toEqual([1, 3]);
    expect(m.get(1)).toBe('BAD: no sku; again');
    expect(m.get(3)).toBe('/3/name: too long');
    expect(parseInvalid({}, 3).size).toBe(0);
  });

  it('sends an item as its JSON, and a deleted item as its minimal payload plus deleted: true', () => {
    const feed = { minimalPayload: ['sku', 'storeViewCode', 'gone'], deletedField: 'deleted' } as unknown as FeedDefinition;
    const type = avro.Type.forSchema({
      type: 'record',
      name: 'I',
      fields: [
        { name: 'name', type: ['null', 'string'] },
        { name: 'sku', type: 'string' },
        { name: 'storeViewCode', type: 'string' },
        { name: 'deleted', type: 'boolean' },
      ],
    });
    const bytes = type.toBuffer({ name: 'N "1"', sku: 'A', storeViewCode: 'default', deleted: true });
    const t = compileJson(type, { capture: feed.minimalPayload })(bytes);
    const item = { ...t, json: Buffer.from(t.json) };
    expect(JSON.parse(downstreamJson(feed, { deleted: true, item }).toString())).toEqual({ sku: 'A', storeViewCode: 'default', gone: null, deleted: true });
    expect(downstreamJson(feed, { deleted: true, item }).toString()).toBe('{"sku":"A","storeViewCode":"default","gone":null,"deleted":true}');
    expect(downstreamJson(feed, { deleted: false, item }).toString()).toBe(JSON.stringify(type.fromBuffer(bytes)));
  });

  it('joins the items into one JSON array body, gzipped or not', async () => {
    const items = [Buffer.from('{"a":1}'), Buffer.from('{"b":"x"}'), Buffer.from('[]')];
    expect((await encodeBody(items, false)).toString()).toBe('[{"a":1},{"b":"x"},[]]');
    expect((await encodeBody([], false)).toString()).toBe('[]');
    const { gunzipSync } = await import('node:zlib');
    expect(gunzipSync(await encodeBody(items, true)).toString()).toBe('[{"a":1},{"b":"x"},[]]');
  });

  it('derives the Idempotency-Key from the offsets, so a resend of the same items reuses it', () => {
    expect(idempotencyKey('t', 0, 5, 9)).toBe(idempotencyKey('t', 0, 5, 9));
    expect(idempotencyKey('t', 0, 5, 9)).not.toBe(idempotencyKey('t', 1, 5, 9));
    expect(idempotencyKey('t', 0, 5, 9)).toMatch(/^[0-9a-f]{40}$/);
  });
});
