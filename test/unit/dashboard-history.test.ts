import { describe, expect, it } from 'vitest';
import { ThroughputHistory } from '../../src/dashboard/history.js';

const s = (t: number, items: number) => ({ t, items, sent: items, failed: 0, pending: 0 });

describe('the throughput history the page opens with', () => {
  it('keeps the last sample of each 10-s bucket', () => {
    const h = new ThroughputHistory();
    for (const [t, n] of [[0, 1], [4_000, 2], [9_999, 3], [10_000, 4], [15_000, 5], [31_000, 6]] as const) h.record(s(t, n));
    expect(h.samples().map((x) => [x.t, x.items])).toEqual([[9_999, 3], [15_000, 5], [31_000, 6]]);
  });

  it('holds one hour, the oldest bucket dropped first', () => {
    const h = new ThroughputHistory();
    for (let t = 0; t <= 2 * 3_600_000; t += 5_000) h.record(s(t, t / 1000));
    const kept = h.samples();
    expect(kept.length).toBe(361);
    // each bucket's last 5-s sample, from the first one inside the hour before the newest
    expect(kept[0]!.t).toBe(3_605_000);
    expect(kept.at(-1)!.t).toBe(7_200_000);
  });

  it('ignores a sample older than the newest (a late status read)', () => {
    const h = new ThroughputHistory();
    h.record(s(30_000, 3));
    h.record(s(12_000, 1));
    expect(h.samples().map((x) => x.t)).toEqual([30_000]);
  });
});
