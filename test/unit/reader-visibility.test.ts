// sameRow: the committed row read back against a binlog row image (src/reader/visibility.ts).
// Anything it cannot compare exactly counts as different, so the reader waits rather than
// taking a stale row for the change.
import { describe, expect, it } from 'vitest';
import { sameRow } from '../../src/reader/visibility.js';

describe('sameRow', () => {
  it('compares the image columns by value across number and string forms', () => {
    expect(sameRow({ id: 1, price: '10.5000', sku: 'a', extra: 'not in the image' }, { id: 1, price: '10.5000', sku: 'a' })).toBe(true);
    expect(sameRow({ id: '1', qty: 2 }, { id: 1, qty: '2' })).toBe(true);
    expect(sameRow({ id: 1, sku: 'a' }, { id: 1, sku: 'b' })).toBe(false);
    expect(sameRow({ id: 1, price: '10.5000' }, { id: 1, price: '10.5001' })).toBe(false);
  });

  it('treats null and a missing column alike, and null apart from any value', () => {
    expect(sameRow({ id: 1, note: null }, { id: 1, note: null })).toBe(true);
    expect(sameRow({ id: 1 }, { id: 1, note: null })).toBe(true);
    expect(sameRow({ id: 1, note: '' }, { id: 1, note: null })).toBe(false);
    expect(sameRow({ id: 1, note: null }, { id: 1, note: 0 })).toBe(false);
  });

  it('compares buffers by bytes and counts any other object as different', () => {
    expect(sameRow({ b: Buffer.from('ab') }, { b: Buffer.from('ab') })).toBe(true);
    expect(sameRow({ b: Buffer.from('ab') }, { b: Buffer.from('ac') })).toBe(false);
    expect(sameRow({ b: 'ab' }, { b: Buffer.from('ab') })).toBe(false);
    expect(sameRow({ j: { a: 1 } }, { j: { a: 1 } })).toBe(false);
  });
});
