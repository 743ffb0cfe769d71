// Random input for the tests of the kafkajs replacements (src/kafka/produceEncoding.ts,
// fetchDecoding.ts): records as kafkajs' own encoders take them, from a seeded PRNG.
import { expect } from 'vitest';
import type { EncoderLike, RecordInput } from '../../src/kafka/produceEncoding.js';

/** A deterministic PRNG (mulberry32) so that a failure can be replayed. */
export function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export const bytesOf = (e: EncoderLike) => Buffer.from(e.buffer);
/** Byte equality (vitest's deep equality walks a Buffer element by element); the first difference on failure. */
export function expectSameBytes(ours: Buffer, theirs: Buffer, what: string): void {
  if (ours.equals(theirs)) return;
  let i = 0;
  while (i < ours.length && ours[i] === theirs[i]) i++;
  expect.fail(`${what}: ${ours.length} vs ${theirs.length} bytes, first difference at ${i}: ${ours.subarray(i, i + 8).toString('hex')} vs ${theirs.subarray(i, i + 8).toString('hex')}`);
}

export function randomBuffer(r: () => number, max: number): Buffer {
  const b = Buffer.alloc(Math.floor(r() * max));
  const whole = b.length - (b.length % 4);
  for (let i = 0; i < whole; i += 4) b.writeUInt32LE(Math.floor(r() * 2 ** 32), i);
  for (let i = whole; i < b.length; i++) b[i] = Math.floor(r() * 256);
  return b;
}

export function randomText(r: () => number, max: number): string {
  const alphabet = ['a', 'Z', '7', ' ', 'é', '中', '😀', '"', '\n', '\u0000'];
  let s = '';
  for (let i = Math.floor(r() * max); i > 0; i--) s += alphabet[Math.floor(r() * alphabet.length)];
  return s;
}

export function randomField(r: () => number): Buffer | string | null {
  const x = r();
  return x < 0.15 ? null : x < 0.6 ? randomBuffer(r, x < 0.57 ? 300 : 70_000) : randomText(r, 300);
}

export function randomRecord(r: () => number, i: number): RecordInput {
  const deltas = [0, 1, 63, 64, 127, 128, 8191, 8192, -1, -64, -65, 2 ** 31, -(2 ** 31), 2 ** 40 + 3, -(2 ** 45)];
  const rec: RecordInput = {
    offsetDelta: r() < 0.5 ? i : Math.floor(r() * 2 ** 31) * (r() < 0.1 ? -1 : 1),
    timestampDelta: deltas[Math.floor(r() * deltas.length)]!,
    key: randomField(r),
    value: randomField(r),
  };
  if (r() < 0.3) {
    rec.headers = {};
    for (let h = Math.floor(r() * 4); h > 0; h--) {
      const v = r() < 0.3 ? [randomBuffer(r, 20), randomText(r, 10)] : r() < 0.5 ? randomBuffer(r, 40) : randomText(r, 12);
      rec.headers[randomText(r, 8) || 'h'] = v;
    }
  }
  return rec;
}
