import { describe, expect, it } from 'vitest';
import { decide, FeedState, minimalObject, minimalOfJson } from '../../src/exporter/state.js';
import { inChunks } from '../../src/exporter/assemble.js';

describe('exporter dedupe decision', () => {
  const s = (hash: string | undefined, status?: number, statusHash = hash, deleted = false) => ({ hash, sourceEntityId: '1', deleted, minimal: '{}', status, statusHash });

  it('writes new, changed and re-appearing items', () => {
    expect(decide(undefined, 'h1', false)).toBe('write');
    expect(decide(s('h0', 200), 'h1', false)).toBe('write');
    expect(decide(s('h1', 200, 'h1', true), 'h1', false)).toBe('write');
  });
  it('skips an unchanged item that is settled (200, 400, 1) or still in flight (no status, 2)', () => {
    for (const st of [200, 400, 1, 2]) expect(decide(s('h1', st), 'h1', false)).toBe('dedupe');
    expect(decide(s('h1'), 'h1', false)).toBe('dedupe');
    // a status about an older version: the current one is in flight
    expect(decide(s('h1', 400, 'h0'), 'h1', false)).toBe('dedupe');
  });
  it('rewrites an unchanged item whose status the publisher will not retry by itself, or when forced', () => {
    expect(decide(s('h1', 0), 'h1', false)).toBe('write');
    expect(decide(s('h1', 200), 'h1', true)).toBe('write');
  });
});

describe('FeedState', () => {
  it('indexes feed ids by source entity and follows an item that moves to another source', () => {
    const st = new FeedState();
    st.applyItem('a', '1', 'h', false, '{"x":1}');
    st.applyItem('b', '1', 'h', false, '{"x":2}');
    expect(st.feedIdsOf('1').sort()).toEqual(['a', 'b']);
    st.applyItem('b', '2', 'h2', false, undefined);
    expect(st.feedIdsOf('1')).toEqual(['a']);
    expect(st.feedIdsOf('2')).toEqual(['b']);
    expect(st.get('b')!.minimal).toBe('{"x":2}');
  });
  it('keeps a status that arrives before its item', () => {
    const st = new FeedState();
    st.applyStatus('a', '1', 'h', 200);
    st.applyItem('a', '1', 'h', false, '{}');
    expect(decide(st.get('a'), 'h', false)).toBe('dedupe');
    expect(st.get('a')!.status).toBe(200);
  });
});

describe('FeedState as a compact store', () => {
  const h = (n: number) => n.toString(16).padStart(40, '0');

  it('gives back what was applied: hashes, deletes, minimal payloads and which hash a status is about', () => {
    const st = new FeedState();
    st.applyItem('a', '1', h(1), false, '{"sku":"A"}');
    expect(st.get('a')).toEqual({ hash: h(1), sourceEntityId: '1', deleted: false, minimal: '{"sku":"A"}', status: undefined, statusHash: undefined });
    st.applyStatus('a', '1', h(1), 200);
    expect(st.get('a')).toMatchObject({ status: 200, statusHash: h(1) });
    // a new version: the status stays about the old one
    st.applyItem('a', '1', h(2), false, undefined);
    expect(st.get('a')).toMatchObject({ hash: h(2), minimal: '{"sku":"A"}', status: 200, statusHash: h(1) });
    expect(decide(st.get('a'), h(2), false)).toBe('dedupe');
    // then its status, then a delete
    st.applyStatus('a', '1', h(2), 400);
    expect(st.get('a')).toMatchObject({ status: 400, statusHash: h(2) });
    st.applyItem('a', '1', h(3), true, '{"sku":"A","deleted":true}');
    expect(st.get('a')).toMatchObject({ hash: h(3), deleted: true, status: 400, statusHash: h(2) });
    // back to the hash the status is about
    st.applyItem('a', '1', h(2), false, undefined);
    expect(st.get('a')).toMatchObject({ hash: h(2), deleted: false, statusHash: h(2) });
  });

  it('keeps hashes that are not 40 hex digits as they are, and negative and zero statuses', () => {
    const st = new FeedState();
    st.applyItem('a', '1', 'not-a-sha1', false, '{}');
    st.applyItem('b', '1', h(7).toUpperCase(), false, '{}');
    st.applyStatus('a', '1', 'not-a-sha1', -1);
    st.applyStatus('b', '1', h(9), 0);
    expect(st.get('a')).toMatchObject({ hash: 'not-a-sha1', status: -1, statusHash: 'not-a-sha1' });
    expect(st.get('b')).toMatchObject({ hash: h(7).toUpperCase(), status: 0, statusHash: h(9) });
  });

  it('forgets revoked partitions and reuses their slots without leaking old values', () => {
    const st = new FeedState();
    for (let i = 0; i < 5000; i++) {
      st.applyItem(`f${i}`, String(i % 100), h(i), i % 7 === 0, `{"i":${i}}`);
      if (i % 3 === 0) st.applyStatus(`f${i}`, String(i % 100), i % 2 ? h(i) : h(i + 1), 200);
    }
    expect(st.size).toBe(5000);
    st.forget((source) => Number(source) % 2 === 0);
    expect(st.size).toBe(2500);
    expect(st.get('f1')).toBeUndefined();
    expect(st.feedIdsOf('1')).toEqual([]);
    expect(st.feedIdsOf('2')).toHaveLength(50);
    // new items take the freed slots: nothing of the forgotten items shows through
    for (let i = 0; i < 2500; i++) st.applyStatus(`g${i}`, '1', h(i), 2);
    for (let i = 0; i < 2500; i++) expect(st.get(`g${i}`)).toEqual({ hash: undefined, sourceEntityId: '1', deleted: false, minimal: undefined, status: 2, statusHash: h(i) });
    for (let i = 0; i < 5000; i += 2) {
      expect(st.get(`f${i}`)).toEqual({
        hash: h(i),
        sourceEntityId: String(i % 100),
        deleted: i % 7 === 0,
        minimal: `{"i":${i}}`,
        status: i % 3 === 0 ? 200 : undefined,
        statusHash: i % 3 === 0 ? (i % 2 ? h(i) : h(i + 1)) : undefined,
      });
    }
  });
});

describe('inChunks', () => {
  it('runs chunks of the given size with bounded concurrency, results in order', async () => {
    let running = 0;
    let peak = 0;
    const out = await inChunks(Array.from({ length: 10 }, (_, i) => i), 3, 2, async (c) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5 * (4 - c.length)));
      running--;
      return c.map((x) => x * 2);
    });
    expect(out).toEqual(Array.from({ length: 10 }, (_, i) => i * 2));
    expect(peak).toBe(2);
  });
});

describe('minimal payload', () => {
  const fields = ['productId', 'sku', 'storeViewCode', 'modifiedAt'];

  it('keeps the values only, in the feed order, null for a field the item lacks, and gives the object back', () => {
    const m = minimalOfJson({ sku: '"A \\"1\\""', productId: '7', modifiedAt: '"2026-11-30 15:55:18.123456"' }, fields);
    expect(m).toBe('[7,"A \\"1\\"",null,"2026-11-30 15:55:18.123456"]');
    const o = minimalObject(m, fields);
    expect(o).toEqual({ productId: 7, sku: 'A "1"', storeViewCode: null, modifiedAt: '2026-11-30 15:55:18.123456' });
    expect(Object.keys(o)).toEqual(fields);
  });
});
