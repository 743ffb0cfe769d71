// The assembly worker threads against a seeded catalog: a batch assembled in a
// worker is the batch assembled in this thread (feed id, hash, minimal payload,
// the Avro bytes byte for byte where no field carries the assembly time); a driver error keeps its code across the thread
// boundary; a worker stopped mid-batch fails that batch with a retriable error
// and the next batch runs on a new worker.
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase, testConfig, uniqueName } from '../helpers/stack.js';
import { createCommerceDatabase } from '../helpers/commerce.js';
import { resolveFeed } from '../../src/feeds/index.js';
import { assembleChunk } from '../../src/exporter/assemble.js';
import { minimalObject } from '../../src/exporter/state.js';
import { Assembler } from '../../src/exporter/assembler.js';
import { providerContext } from '../../src/exporter/context.js';
import { loadSchema } from '../../src/avro/records.js';
import { isRetriable } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { createPool, type Pool } from '../../src/mysql/pool.js';
import type { Config } from '../../src/config/schema.js';

const log = createLogger({ level: 'silent' });

describe('assembly workers', () => {
  let database: string;
  let config: Config;
  let pool: Pool;
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    database = await createCommerceDatabase('assembler');
    config = testConfig(database, uniqueName('asm'));
    pool = createPool(config.mysql);
  });
  afterAll(async () => {
    for (const c of closers) await c().catch(() => undefined);
    await pool.end();
    await dropDatabase(database);
  });

  function assembler(c: Config, size: number): Assembler {
    const a = new Assembler(c, log, size, 'opensource');
    closers.push(() => a.close());
    return a;
  }

  it('assembles exactly what this thread assembles, for every feed', async () => {
    const a = assembler(config, 2);
    const ctx = providerContext(pool, log, '');
    for (const name of ['products', 'prices', 'variants', 'categories', 'orders'] as const) {
      const feed = resolveFeed(name);
      const type = avro.Type.forSchema(loadSchema(feed.schemaFile) as avro.Schema);
      const ids = await feed.provider.listIds(undefined, 40, ctx);
      expect(ids.length, name).toBeGreaterThan(0);
      const [here, there] = await Promise.all([assembleChunk(feed, type, ids, ctx), a.run(feed, ids)]);
      expect(there.failed, name).toEqual(here.failed);
      expect(there.items.length, name).toBe(here.items.length);
      expect(there.items.length, name).toBeGreaterThan(0);
      // the fields the hash leaves out (modifiedAt, updatedAt: "now" when assembled) may differ by milliseconds
      const stable = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k]) => !feed.hashExclude.includes(k)));
      there.items.forEach((b, i) => {
        const h = here.items[i]!;
        expect({ feedId: b.feedId, sourceEntityId: b.sourceEntityId, hash: b.hash }, name).toEqual({ feedId: h.feedId, sourceEntityId: h.sourceEntityId, hash: h.hash });
        expect(stable(minimalObject(b.minimal, feed.minimalPayload)), name).toEqual(stable(minimalObject(h.minimal, feed.minimalPayload)));
        expect(stable(type.fromBuffer(b.bytes) as Record<string, unknown>), `${name} ${b.feedId}`).toEqual(stable(type.fromBuffer(h.bytes) as Record<string, unknown>));
        if (!feed.hashExclude.some((k) => k in (type.fromBuffer(h.bytes) as object))) expect(Buffer.compare(b.bytes, h.bytes), `${name} ${b.feedId}`).toBe(0);
      });
    }
  });

  it('starts its workers at warm(), and runs batches beyond exporter.workerBatches in turn', async () => {
    const a = assembler({ ...config, exporter: { ...config.exporter, workerBatches: 1 } }, 1);
    expect(a.threads).toHaveLength(0);
    a.warm(['products']);
    expect(a.threads).toHaveLength(1);
    const feed = resolveFeed('products');
    const type = avro.Type.forSchema(loadSchema(feed.schemaFile) as avro.Schema);
    const ctx = providerContext(pool, log, '');
    const ids = await feed.provider.listIds(undefined, 40, ctx);
    const chunks = [0, 1, 2, 3].map((k) => ids.filter((_, i) => i % 4 === k));
    // four batches queued at once on a worker that runs one at a time: each comes back whole and right
    const there = await Promise.all(chunks.map((c) => a.run(feed, c)));
    const here = await Promise.all(chunks.map((c) => assembleChunk(feed, type, c, ctx)));
    const key = (r: { items: Array<{ feedId: string; hash: string }> }) => r.items.map((b) => `${b.feedId}:${b.hash}`);
    expect(there.map(key)).toEqual(here.map(key));
    expect(there.flatMap((r) => r.items).length).toBeGreaterThan(4);
  });

  it('hands back a driver error with its code, classified as in this thread', async () => {
    // a table prefix that names no table: the provider's first query fails with ER_NO_SUCH_TABLE
    const a = assembler({ ...config, mysql: { ...config.mysql, tablePrefix: 'nope_' } }, 1);
    const err = await a.run(resolveFeed('products'), ['1']).then(
      () => undefined,
      (e: unknown) => e as { code?: string; errno?: number; message?: string },
    );
    expect(err?.code).toBe('ER_NO_SUCH_TABLE');
    expect(err?.errno).toBe(1146);
    expect(err?.message).toContain('nope_');
  });

  it('fails the batches of a worker that stops with a retriable error, then runs the next batch on a new worker', async () => {
    const a = assembler(config, 1);
    const feed = resolveFeed('products');
    const ids = await feed.provider.listIds(undefined, 200, providerContext(pool, log, ''));
    await a.run(feed, ids.slice(0, 5));
    const [first] = a.threads;
    expect(first).toBeDefined();
    const inFlight = a.run(feed, ids).then(
      () => undefined,
      (e: unknown) => e,
    );
    await first!.terminate();
    const err = await inFlight;
    expect(err).toBeInstanceOf(Error);
    expect(isRetriable(err)).toBe(true);
    expect((err as Error).message).toMatch(/assembly worker stopped/);
    const again = await a.run(feed, ids.slice(0, 5));
    expect(again.items.length).toBeGreaterThan(0);
    expect(a.threads[0]).not.toBe(first);
  });
});
