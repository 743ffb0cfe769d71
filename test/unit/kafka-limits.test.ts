// What counts against a topic's max.message.bytes, and what the writers do about it:
// the reader cuts a change record's longest values, the exporter refuses an item.
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { recordBytes, requestChunks, singleRecordBatchBytes } from '../../src/kafka/limits.js';
import { cutImages, utf8Prefix } from '../../src/reader/changes.js';
import { splitBySize, tooLargeStatus, type EncodedItem } from '../../src/exporter/oversize.js';
import type { Source } from '../../src/avro/envelope.js';

const image = { type: 'record', name: 'Value', fields: [{ name: 'id', type: 'int' }, { name: 'value', type: ['null', 'string'] }, { name: 'raw', type: 'bytes' }] };
const head = avro.Type.forSchema({ type: 'record', name: 'Head', fields: [{ name: 'op', type: 'string' }, { name: 'before', type: ['null', image] }, { name: 'after', type: ['null', 'Value'] }, { name: 'ts', type: 'long' }] } as avro.Schema);
const codec = { toValue: (row: Record<string, unknown>) => ({ ...row }), encodeHead: (op: string, before: unknown, after: unknown) => head.toBuffer({ op, before, after, ts: 1 }) };
const source = {} as Source;

describe('kafka limits', () => {
  it('recordBytes counts key, value and headers; a batch adds its 61-byte header', () => {
    const m = { key: 'k1', value: Buffer.alloc(1000), headers: { h: 'xyz' } };
    expect(recordBytes(m)).toBe(36 + 2 + 1000 + 10 + 1 + 3);
    expect(singleRecordBatchBytes(m)).toBe(61 + recordBytes(m));
  });

  it('requestChunks keeps each request within the bytes and count, a larger message alone', () => {
    const ms = [100, 100, 100, 5000, 100].map((n, i) => ({ key: String(i), value: Buffer.alloc(n) }));
    const sizes = [...requestChunks(ms, 300, 10)].map((c) => c.map((m) => m.key));
    expect(sizes).toEqual([['0', '1'], ['2'], ['3'], ['4']]);
    expect([...requestChunks(ms, 1e9, 2)].map((c) => c.length)).toEqual([2, 2, 1]);
  });
});

describe('the reader cuts a change record to fit', () => {
  it('cuts the longest value first, only as much as needed, and names it with its size', () => {
    const before = { id: 1, value: 'short', raw: Buffer.alloc(10) };
    const after = { id: 1, value: 'x'.repeat(5000), raw: Buffer.alloc(3000) };
    const whole = codec.encodeHead('u', before, after).length;
    const r = cutImages(codec, 'u', before, after, source, whole - 1000);
    expect(r.head.length).toBeLessThanOrEqual(whole - 1000);
    expect(r.head.length).toBeGreaterThan(whole - 1010);
    expect(r.cut).toEqual(['after.value=5000']);
    const back = head.fromBuffer(r.head) as { after: { value: string; raw: Buffer } };
    expect(back.after.value).toBe('x'.repeat(back.after.value.length));
    expect(back.after.raw.length).toBe(3000);
    // the caller's rows are not changed
    expect(after.value.length).toBe(5000);
  });

  it('goes on to the next longest value (bytes too) when one is not enough', () => {
    const after = { id: 1, value: 'y'.repeat(2000), raw: Buffer.alloc(1500) };
    const r = cutImages(codec, 'c', null, after, source, 1000);
    expect(r.head.length).toBeLessThanOrEqual(1000);
    expect(r.cut.sort()).toEqual(['after.raw=1500', 'after.value=2000']);
  });

  it('never cuts half a UTF-8 character', () => {
    expect(utf8Prefix('aé€', 4)).toBe('aé');
    expect(utf8Prefix('aé€', 3)).toBe('aé');
    expect(utf8Prefix('aé€', 2)).toBe('a');
    expect(utf8Prefix('abc', 10)).toBe('abc');
  });
});

describe('the exporter refuses an item larger than the items topic takes', () => {
  const item = (feedId: string, n: number): EncodedItem => ({
    item: { feedId, sourceEntityId: '7', hash: `h-${feedId}`, deleted: false, writtenAt: 0, bytes: Buffer.alloc(0), minimal: '[]', partition: 2 },
    message: { key: feedId, value: Buffer.alloc(n), partition: 2 },
  });

  it('splits by the batch the record would make, and the status 1 names sizes and the setting', () => {
    const limit = 10_000;
    const small = item('a', 5_000);
    const edge = item('b', limit - 61 - 36 - 1);
    const big = item('c', limit);
    const { fit, tooLarge } = splitBySize([small, edge, big], limit);
    expect(fit.map((e) => e.item.feedId)).toEqual(['a', 'b']);
    expect(tooLarge.map((e) => [e.item.feedId, e.bytes])).toEqual([['c', limit + 61 + 36 + 1]]);
    const s = tooLargeStatus(tooLarge[0]!, limit, 'p.products.items', 123);
    expect(s).toMatchObject({ feedId: 'c', sourceEntityId: '7', hash: 'h-c', status: 1, attempts: 0, ts_ms: 123, requestId: null });
    expect(s.error).toBe(
      `ITEM_TOO_LARGE: invalid item: encoded size ${limit + 98} bytes exceeds the items topic's max.message.bytes ${limit} (p.products.items); ` +
        `raise max.message.bytes of p.products.items (and the broker's message.max.bytes and replica.fetch.max.bytes) above it, or shorten the item's values, then change or resync the item`,
    );
  });
});
