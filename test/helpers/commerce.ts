// A Commerce database per test: the Magento DDL of either edition, optionally a seeded catalog.
import { createDatabase, adminConnection } from './stack.js';
import { applySchema } from '../../src/tools/seed/schema.js';
import { seedCatalog, type SeedSummary } from '../../src/tools/seed/index.js';
import type { SeedOptions } from '../../src/tools/seed/options.js';
import type { Edition } from '../../src/feeds/common/link.js';

export { applySchema };
export type { Edition, SeedOptions, SeedSummary };

/** Small enough for a test to seed in about a second, big enough to hit every table. */
export const TEST_SEED: Partial<SeedOptions> = {
  seed: 7,
  websites: 2,
  storeViews: 3,
  customerGroups: 5,
  attributes: 6,
  categories: 8,
  products: 40,
  configurables: 3,
  childrenPerConfigurable: 3,
  orders: 6,
};

/**
 * Creates a database with every Commerce table of `edition` and returns its name.
 * `seed` omitted: seeded with TEST_SEED; `false`: tables only (empty);
 * an object: seeded with TEST_SEED overridden by it. On 'commerce' (Adobe Commerce with
 * content staging) the catalog is the same as on 'opensource' for the same seed, plus the
 * seed's scheduled updates, none of them current.
 */
export async function createCommerceDatabase(label: string, seed?: Partial<SeedOptions> | false, edition: Edition = 'opensource'): Promise<string> {
  const database = await createDatabase(label);
  const conn = await adminConnection(database);
  try {
    await applySchema(conn, database, edition);
    if (seed !== false) await seedCatalog(conn, { ...TEST_SEED, ...(seed ?? {}), edition });
  } finally {
    await conn.end();
  }
  return database;
}
