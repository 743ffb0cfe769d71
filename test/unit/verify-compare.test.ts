import { describe, expect, it } from 'vitest';
import { canonical, fieldDifferences, findingLine, undelivered } from '../../src/ops/verify/compare.js';
import { sampleIds } from '../../src/ops/verify/index.js';

describe('verify: comparison', () => {
  it('names the differing top-level fields, key order and hash-excluded fields ignored', () => {
    const feed = { hashExclude: ['modifiedAt'] };
    const want = { sku: 'a', attrs: { x: 1, y: 2 }, price: 10, modifiedAt: 'now' };
    expect(fieldDifferences(feed, want, { attrs: { y: 2, x: 1 }, sku: 'a', price: 10, modifiedAt: 'then' })).toEqual([]);
    expect(fieldDifferences(feed, want, { sku: 'a', attrs: { x: 1, y: 3 }, modifiedAt: 'now' })).toEqual([
      { field: 'attrs', expected: '{"x":1,"y":2}', got: '{"x":1,"y":3}' },
      { field: 'price', expected: '10', got: null },
    ]);
    expect(canonical({ b: [{ d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[{"c":2,"d":1}]}');
  });

  it('an item is delivered only by a 200 for its own hash', () => {
    expect(undelivered('h1', undefined)).toBe('no delivery status');
    expect(undelivered('h1', { hash: 'h0', status: 200, attempts: 1, error: null })).toMatch(/older version/);
    expect(undelivered('h1', { hash: 'h1', status: 200, attempts: 1, error: null })).toBeUndefined();
    expect(undelivered('h1', { hash: 'h1', status: 1, attempts: 1, error: 'price missing' })).toBe('status 1 after 1 attempt(s): price missing');
  });

  it('a sample is that many distinct ids in their order; no sample is all of them', () => {
    const ids = Array.from({ length: 100 }, (_, i) => String(i));
    const s = sampleIds(ids, 10);
    expect(new Set(s).size).toBe(10);
    expect([...s].sort((a, b) => Number(a) - Number(b))).toEqual(s);
    expect(sampleIds(ids, undefined)).toBe(ids);
    expect(sampleIds(ids, 500)).toBe(ids);
  });

  it('prints one line per finding with the identity and the fields, long values cut', () => {
    const line = findingLine('products', { kind: 'differs', feedId: 'abcdef0123456789', sourceEntityId: '7', identity: 'sku=A storeViewCode=default', fields: [{ field: 'description', expected: JSON.stringify('x'.repeat(500)), got: '"y"' }] });
    expect(line).toMatch(/^differs {5}products \[sku=A storeViewCode=default\] source 7 abcdef012345: description: expected "x{119}… \(502 chars\) got "y"$/);
  });
});
