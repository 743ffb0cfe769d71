import { describe, expect, it } from 'vitest';
import { decide, FeedState } from '../../src/exporter/state.js';
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
