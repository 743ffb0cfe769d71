import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decide, FeedState, minimalObject, minimalOfJson } from '../../src/exporter/state.js';
import { PartitionStore } from '../../src/exporter/store.js';
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

// every FeedState test runs twice: changes still in memory, and written to the store after each step
const stores: PartitionStore[] = [];
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'feed-state-'));
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});
const id = { prefix: 'p', feed: 'products', partition: 0, partitions: 3 };
function fresh(flushEach: boolean, cacheItems = 100): FeedState {
  const store = PartitionStore.open(dir, id);
  stores.push(store);
  const st = new FeedState(store, cacheItems);
  if (!flushEach) return st;
  return new Proxy(st, {
    get(target, key) {
      const v = Reflect.get(target, key, target) as unknown;
      if (key !== 'applyItem' && key !== 'applyStatus') return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      return (...args: unknown[]) => {
        (v as (...a: unknown[]) => unknown).apply(target, args);
        target.flush();
      };
    },
  });
}

describe.each([false, true])('FeedState (flushed after each change: %s)', (flushEach) => {
  const h = (n: number) => n.toString(16).padStart(40, '0');

  it('indexes feed ids by source entity and follows an item that moves to another source', () => {
    const st = fresh(flushEach);
    st.applyItem('a', '1', 'h', false, '{"x":1}');
    st.applyItem('b', '1', 'h', false, '{"x":2}');
    expect(st.feedIdsOf('1').sort()).toEqual(['a', 'b']);
    st.applyItem('b', '2', 'h2', false, undefined);
    expect(st.feedIdsOf('1')).toEqual(['a']);
    expect(st.feedIdsOf('2')).toEqual(['b']);
    expect(st.get('b')!.minimal).toBe('{"x":2}');
    st.flush();
    expect(st.feedIdsOf('1')).toEqual(['a']);
    expect([...st.sourceIds()].sort()).toEqual(['1', '2']);
  });

  it('keeps a status that arrives before its item', () => {
    const st = fresh(flushEach);
    st.applyStatus('a', '1', 'h', 200);
    st.applyItem('a', '1', 'h', false, '{}');
    expect(decide(st.get('a'), 'h', false)).toBe('dedupe');
    expect(st.get('a')!.status).toBe(200);
  });

  it('gives back what was applied: hashes, deletes, minimal payloads and which hash a status is about', () => {
    const st = fresh(flushEach);
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
    const st = fresh(flushEach);
    st.applyItem('a', '1', 'not-a-sha1', false, '{}');
    st.applyItem('b', '1', h(7).toUpperCase(), false, '{}');
    st.applyStatus('a', '1', 'not-a-sha1', -1);
    st.applyStatus('b', '1', h(9), 0);
    expect(st.get('a')).toMatchObject({ hash: 'not-a-sha1', status: -1, statusHash: 'not-a-sha1' });
    expect(st.get('b')).toMatchObject({ hash: h(7).toUpperCase(), status: 0, statusHash: h(9) });
  });

  it('holds more items than its cache: evicted ones come back from the store', () => {
    const st = fresh(flushEach, 10);
    for (let i = 0; i < 2000; i++) {
      st.applyItem(`f${i}`, String(i % 100), h(i), i % 7 === 0, `{"i":${i}}`);
      if (i % 3 === 0) st.applyStatus(`f${i}`, String(i % 100), i % 2 ? h(i) : h(i + 1), 200);
    }
    st.flush();
    expect(st.size).toBe(2000);
    expect(st.feedIdsOf('2')).toHaveLength(20);
    for (let i = 0; i < 2000; i++) {
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

describe('PartitionStore', () => {
  const h = (n: number) => n.toString(16).padStart(40, '0');

  it('round trip: items, the source index and the checkpoint survive a close and reopen', async () => {
    const st = new FeedState(PartitionStore.open(dir, id), 10);
    expect(st.store.rejected).toBe('missing');
    for (let i = 0; i < 100; i++) st.applyItem(`f${i}`, String(i % 10), h(i), false, `[${i}]`);
    st.applyStatus('f1', '1', h(1), 200);
    st.itemsApplied(100);
    st.statusApplied(1);
    await st.close();
    const again = PartitionStore.open(dir, id);
    stores.push(again);
    expect(again.rejected).toBeUndefined();
    expect(again.checkpoint).toEqual({ items: 100, status: 1 });
    expect(again.get('f1')).toEqual({ hash: h(1), sourceEntityId: '1', deleted: false, minimal: '[1]', status: 200, statusHash: h(1) });
    expect(again.feedIdsOf('3').sort()).toEqual(['f13', 'f23', 'f3', 'f33', 'f43', 'f53', 'f63', 'f73', 'f83', 'f93']);
    expect(again.size).toBe(100);
  });

  it('writes data and checkpoint in one transaction: a write that fails leaves neither', () => {
    const store = PartitionStore.open(dir, id);
    stores.push(store);
    const item = (n: number) => ({ feedId: `f${n}`, state: { hash: h(n), sourceEntityId: '1', deleted: false, minimal: '[]', status: undefined, statusHash: undefined } });
    store.write([item(1)], { items: 1, status: 0 });
    function* failing() {
      yield item(2);
      throw new Error('disk gone');
    }
    expect(() => store.write(failing(), { items: 2, status: 0 })).toThrow('disk gone');
    expect(store.get('f2')).toBeUndefined();
    expect(store.get('f1')).toBeDefined();
    expect(store.checkpoint).toEqual({ items: 1, status: 0 });
  });

  it('rebuilds a store whose file is corrupt, or that was made for another partition count or prefix', async () => {
    const first = PartitionStore.open(dir, id);
    first.write([], { items: 5, status: 5 });
    await first.close();
    const other = PartitionStore.open(dir, { ...id, partitions: 6 });
    expect(other.rejected).toBe('identity');
    expect(other.checkpoint).toEqual({ items: 0, status: 0 });
    await other.close();
    const prefixed = PartitionStore.open(dir, { ...id, partitions: 6, prefix: 'q' });
    // another prefix is another directory: nothing there yet
    expect(prefixed.rejected).toBe('missing');
    await prefixed.close();
    const file = join(PartitionStore.path(dir, { ...id, partitions: 6 }), 'data.mdb');
    writeFileSync(file, Buffer.alloc(64 * 1024, 0x5a));
    const corrupt = PartitionStore.open(dir, { ...id, partitions: 6 });
    stores.push(corrupt);
    expect(corrupt.rejected).toBe('corrupt');
    expect(corrupt.checkpoint).toEqual({ items: 0, status: 0 });
    corrupt.write([], { items: 1, status: 1 });
    expect(corrupt.checkpoint).toEqual({ items: 1, status: 1 });
  });

  it('gives a second live holder a private store, removed when it closes; drop removes the store', async () => {
    const a = PartitionStore.open(dir, id);
    const b = PartitionStore.open(dir, id);
    expect(a.rejected).toBe('missing');
    expect(b.rejected).toBe('locked');
    expect(b.dir).not.toBe(a.dir);
    await b.close();
    expect(existsSync(b.dir)).toBe(false);
    await a.drop();
    expect(existsSync(a.dir)).toBe(false);
  });

  it('a store left by a killed process (its owner file names a dead pid) is used', async () => {
    const a = PartitionStore.open(dir, id);
    a.write([], { items: 3, status: 4 });
    await a.close();
    writeFileSync(join(a.dir, 'owner.pid'), '999999999');
    const b = PartitionStore.open(dir, id);
    stores.push(b);
    expect(b.rejected).toBeUndefined();
    expect(b.checkpoint).toEqual({ items: 3, status: 4 });
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
