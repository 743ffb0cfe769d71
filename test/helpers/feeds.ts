// Shared pieces of the feed provider tests: a seeded database per edition, golden files,
// admin writes to the test database, a provider context with a fixed clock, the table-prefix check.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';
import { catalogModel, type Edition } from '../../src/feeds/common/link.js';
import type { ProviderContext } from '../../src/feeds/types.js';
import { createLogger } from '../../src/log.js';
import { createPool, type Pool } from '../../src/mysql/pool.js';
import type { SeedOptions } from '../../src/tools/seed/options.js';
import { createCommerceDatabase } from './commerce.js';
import { ROOT, adminConnection, dropDatabase, testConfig } from './stack.js';

/** A feed test's seeded database, a pool on it and a provider context over the pool. */
export interface FeedDatabase {
  readonly db: string;
  readonly pool: Pool;
  readonly ctx: ProviderContext;
}

/**
 * Registers beforeAll/afterAll hooks in the calling describe block: a database of `edition`
 * seeded with `seed`, a pool and a provider context with the clock `now`; afterwards the pool
 * is closed and the database dropped. Read the returned fields inside hooks and tests only.
 */
export function feedDatabase(label: string, seed: Partial<SeedOptions>, edition: Edition, now: () => Date): FeedDatabase {
  let db: string | undefined;
  let pool: Pool | undefined;
  let ctx: ProviderContext | undefined;
  beforeAll(async () => {
    db = await createCommerceDatabase(label, seed, edition);
    pool = createPool(testConfig(db, db).mysql);
    ctx = providerContext(pool, now, edition);
  });
  afterAll(async () => {
    await pool?.end();
    if (db) await dropDatabase(db);
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error(`feed database ${label}: read before its beforeAll ran`);
    return value;
  };
  return {
    get db() {
      return ready(db);
    },
    get pool() {
      return ready(pool);
    },
    get ctx() {
      return ready(ctx);
    },
  };
}

/**
 * Compares `value` with test/golden/feeds/<feed>/<name>.json. UPDATE_GOLDEN=1 rewrites the file
 * instead, and says which: the comparison then holds by construction, so it is refused under CI
 * (CI=true), where nobody would read the diff.
 */
export function expectGolden(feed: string, name: string, value: unknown): void {
  const relative = `test/golden/feeds/${feed}/${name}.json`;
  const file = `${ROOT}${relative}`;
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1') {
    if (process.env.CI && process.env.CI !== 'false') {
      throw new Error(`UPDATE_GOLDEN=1 under CI would compare ${relative} with itself: update the goldens locally and commit them`);
    }
    const before = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (before === text) return;
    writeFileSync(file, text);
    console.warn(`[golden] UPDATE_GOLDEN=1 rewrote ${relative} (${before === undefined ? 'new' : `${before.length} → ${text.length} bytes`}): review the diff before committing`);
    return;
  }
  expect(text).toBe(readFileSync(file, 'utf8'));
}

/** Runs SQL as the admin user in `database` (the connector user is read-only). */
export async function adminExec(database: string, sql: string): Promise<void> {
  const c = await adminConnection(database);
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** A provider context on `pool` with no table prefix, a silent log and a fixed clock. */
export function providerContext(pool: Pool, now: () => Date, edition: Edition = 'opensource'): ProviderContext {
  return { db: pool, log: createLogger({ level: 'silent' }), t: (table) => table, catalog: catalogModel(edition), now, profile: () => undefined };
}

/**
 * Copies every table of the current database under `prefix` and empties the originals,
 * so a provider that forgets ctx.t() reads empty tables and comes back short.
 */
export async function moveTablesUnderPrefix(database: string, prefix: string): Promise<void> {
  const c = await adminConnection(database);
  try {
    const [rows] = await c.query(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'`,
    );
    const tables = (rows as Array<{ name: string }>).map((r) => r.name);
    // NO_AUTO_VALUE_ON_ZERO: the admin rows (id 0) keep their ids in the copies
    await c.query(
      `SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_AUTO_VALUE_ON_ZERO');\n` +
        tables.map((t) => `CREATE TABLE ${prefix}${t} LIKE ${t}; INSERT INTO ${prefix}${t} SELECT * FROM ${t};`).join('\n'),
    );
    await c.query(tables.map((t) => `DELETE FROM ${t};`).join('\n'));
  } finally {
    await c.end();
  }
}
