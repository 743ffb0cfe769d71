// A small seeded PRNG (mulberry32): the seed must give the same catalog on every
// machine and Node version, which Math.random cannot.
import { createHash } from 'node:crypto';

export class Rng {
  private state: number;

  /** `stream` gives each generator its own sequence, so one module's changes do not reshuffle the others. */
  constructor(seed: number, stream = '') {
    const h = createHash('sha1').update(`${seed}/${stream}`).digest();
    this.state = h.readUInt32LE(0);
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** `n` distinct items (fewer if the list is shorter), in random order. */
  sample<T>(items: readonly T[], n: number): T[] {
    return this.sampleOf(items.length, (i) => items[i]!, n);
  }

  /**
   * `n` distinct items of a list given by its length and an accessor: a partial Fisher-Yates whose swaps
   * are kept in a map, so neither the list nor a copy of it is built (the seed samples link targets from
   * 100,000 products once per product).
   */
  sampleOf<T>(length: number, at: (index: number) => T, n: number): T[] {
    const k = Math.min(n, length);
    const moved = new Map<number, number>();
    const out: T[] = [];
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(this.next() * (length - i));
      const vi = moved.get(i) ?? i;
      const vj = moved.get(j) ?? j;
      moved.set(j, vi);
      out.push(at(vj));
    }
    return out;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }

  /** A price with two decimals in [min, max]. */
  money(min: number, max: number): string {
    return (min + this.next() * (max - min)).toFixed(2);
  }

  /** A version-4 shaped UUID drawn from this stream. */
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.next() * 16).toString(16));
    hex[12] = '4';
    hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
    const s = hex.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }
}

/** `YYYY-MM-DD HH:MM:SS` for `day` (YYYY-MM-DD, UTC) plus `seconds`. */
export function sqlTime(day: string, seconds: number): string {
  const d = new Date(Date.parse(`${day}T00:00:00Z`) + seconds * 1000);
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

export function sqlDate(day: string, days: number): string {
  return sqlTime(day, days * 86400).slice(0, 10);
}

export const DAY = 86400;

/** A URL key from a name. */
export function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
