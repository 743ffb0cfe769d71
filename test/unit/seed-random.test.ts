import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/tools/seed/random.js';

/** The textbook partial Fisher-Yates over a copy of the list: what `sample` must reproduce draw for draw. */
function referenceSample<T>(rng: Rng, items: readonly T[], n: number): T[] {
  const copy = [...items];
  const k = Math.min(n, copy.length);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng.next() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, k);
}

describe('seed Rng', () => {
  it('samples exactly as a Fisher-Yates over a copied list, so seeded catalogs stay the same', () => {
    for (let seed = 1; seed < 100; seed++) {
      const a = new Rng(seed);
      const b = new Rng(seed);
      const items = Array.from({ length: 1 + (seed % 37) }, (_, i) => `p${i}`);
      for (let round = 0; round < 20; round++) {
        const n = 1 + (round % 9);
        expect(b.sample(items, n)).toEqual(referenceSample(a, items, n));
      }
    }
  });

  it('sampleOf draws distinct items of a virtual list without building it', () => {
    const rng = new Rng(7);
    const skip = 500;
    const got = rng.sampleOf(999, (i) => (i < skip ? i : i + 1), 50);
    expect(new Set(got).size).toBe(50);
    expect(got).not.toContain(skip);
    expect(got.every((v) => v >= 0 && v <= 999)).toBe(true);
  });
});
