/* global Buffer, performance */
// Compares embedded stores for the exporter's feed state (docs/internals.md, Feed state):
// N products-shaped entries written in transactions of 1,000 (an exporter commit), N random reads, RSS.
//   npm i --no-save classic-level@3.0.0   (lmdb is a dependency)
//   node scripts/state-store-compare.mjs lmdb|level [N]
import { mkdtempSync, rmSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const kind = process.argv[2] ?? 'lmdb';
const N = Number(process.argv[3] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), `state-${kind}-`));
const rss = () => Math.round(process.memoryUsage().rss / 1048576);
const du = (d) => readdirSync(d).reduce((s, f) => s + statSync(join(d, f)).size, 0);
const key = (i) => `${100000 + i}|default|main_website_store|base`;
const hash = randomBytes(20);
const value = (i) => {
  const min = Buffer.from(`[${100000 + i},"SKU-${100000 + i}","default","main_website_store","base","2026-01-01 00:00:00"]`);
  const src = Buffer.from(String(100000 + i));
  const b = Buffer.allocUnsafe(1 + 4 + 20 + 1 + src.length + min.length);
  b[0] = 1; b.writeInt32LE(200, 1); hash.copy(b, 5); b[25] = src.length; src.copy(b, 26); min.copy(b, 26 + src.length);
  return b;
};
const BATCH = 1000;
const rss0 = rss();
let t = performance.now();
let db, get;
if (kind === 'lmdb') {
  const { open } = await import('lmdb');
  db = open({ path: dir, keyEncoding: 'binary', encoding: 'binary', compression: false });
  for (let i = 0; i < N; i += BATCH) {
    db.transactionSync(() => {
      for (let j = i; j < Math.min(N, i + BATCH); j++) {
        db.put(Buffer.from(key(j)), value(j));
        db.put(Buffer.from(`s\0${100000 + j}\0${key(j)}`), Buffer.alloc(0));
      }
      db.put(Buffer.from('\0checkpoint'), Buffer.from(String(i)));
    });
  }
  get = (k) => db.getBinary(Buffer.from(k));
} else {
  const { ClassicLevel } = await import('classic-level');
  db = new ClassicLevel(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open();
  for (let i = 0; i < N; i += BATCH) {
    const ops = [];
    for (let j = i; j < Math.min(N, i + BATCH); j++) {
      ops.push({ type: 'put', key: Buffer.from(key(j)), value: value(j) });
      ops.push({ type: 'put', key: Buffer.from(`s\0${100000 + j}\0${key(j)}`), value: Buffer.alloc(0) });
    }
    ops.push({ type: 'put', key: Buffer.from('\0checkpoint'), value: Buffer.from(String(i)) });
    await db.batch(ops, { sync: false });
  }
  get = (k) => db.get(Buffer.from(k));
}
const writeS = (performance.now() - t) / 1000;
const rssWrite = rss();
t = performance.now();
const R = N;
let found = 0;
for (let r = 0; r < R; r++) {
  const v = await get(key(Math.floor(Math.random() * N)));
  if (v) found++;
}
const readS = (performance.now() - t) / 1000;
console.log(JSON.stringify({ kind, N, write_per_s: Math.round(N / writeS), random_get_per_s: Math.round(R / readS), found, rss_start_mb: rss0, rss_after_write_mb: rssWrite, rss_after_reads_mb: rss(), disk_mb: Math.round(du(dir) / 1048576) }));
await db.close();
rmSync(dir, { recursive: true, force: true });
