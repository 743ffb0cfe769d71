// The Commerce catalog generator behind `commerce-cdc seed`: deterministic for a
// seed, multi-row INSERTs in large batches, autocommitted per batch so that the
// binlog carries ordinary-sized transactions.
import type { Connection, PoolConnection } from 'mysql2/promise';
import { CdcError, isCdcError } from '../../errors.js';
import type { Edition } from '../../feeds/common/link.js';
import { detectEdition } from '../../mysql/edition.js';
import type { SeedContext } from './context.js';
import { seedCategories } from './categories.js';
import { seedEav } from './eav.js';
import { writeInventory } from './inventory.js';
import { normalizeSeedOptions, type SeedOptions } from './options.js';
import { writeOrders } from './orders.js';
import { writePermissions } from './permissions.js';
import { writePrices } from './prices.js';
import { writeCustomOptions, writeLinks, writeMedia, writeUrlRewrites } from './productExtras.js';
import { planProducts, writeProducts } from './products.js';
import { writeScheduledUpdates, type ScheduledUpdate } from './scheduled.js';
import { schemaTables } from './schema.js';
import { seedScopes } from './scopes.js';
import { BatchWriter } from './writer.js';

export { applySchema, schemaTables, COMMERCE_SCHEMA_FILE, SCHEMA_FILE } from './schema.js';
export { DEFAULT_SEED_OPTIONS, normalizeSeedOptions, type SeedOptions } from './options.js';
export type { ScheduledUpdate } from './scheduled.js';

export interface SeedSummary {
  options: SeedOptions;
  products: number;
  configurables: number;
  variants: number;
  categories: number;
  attributes: number;
  websites: number;
  storeViews: number;
  customerGroups: number;
  orders: number;
  /** Adobe Commerce: the scheduled updates written after the catalog (none current), oldest first. */
  scheduledUpdates: ScheduledUpdate[];
  /** rows written per table (the scheduled updates' version copies not included) */
  rows: Record<string, number>;
  totalRows: number;
  elapsedMs: number;
}

export interface SeedRunOptions {
  /** Empty every Commerce table first instead of refusing a non-empty target. */
  force?: boolean;
  /** Rows per INSERT statement. */
  batchRows?: number;
}

/** Fills the Commerce tables of the connection's current database. */
export async function seedCatalog(
  conn: Connection | PoolConnection,
  partial: Partial<SeedOptions> = {},
  run: SeedRunOptions = {},
): Promise<SeedSummary> {
  const started = Date.now();
  const o = normalizeSeedOptions(partial);
  // explicit id 0 rows (admin website, store, NOT LOGGED IN group) need NO_AUTO_VALUE_ON_ZERO, as Magento's installer sets it
  await conn.query("SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_AUTO_VALUE_ON_ZERO'), time_zone = '+00:00'");
  await ensureEmpty(conn, o.edition, run.force ?? false);

  const w = new BatchWriter(conn, run.batchRows ?? 5000);
  const scopes = await seedScopes(w, o);
  const eav = await seedEav(w, o, scopes);
  const categories = await seedCategories(w, o, scopes, eav);
  const ctx: SeedContext = { o, w, scopes, eav, categories, products: [] };
  const plans = planProducts(ctx);
  ctx.products = plans;
  await writeProducts(ctx, plans);
  await writeMedia(ctx, plans);
  await writeCustomOptions(ctx, plans);
  await writeLinks(ctx, plans);
  await writeUrlRewrites(ctx, plans);
  await writePrices(ctx, plans);
  await writeInventory(ctx, plans);
  await writeOrders(ctx, plans);
  await writePermissions(ctx, plans);
  await w.flush();
  const scheduledUpdates = o.edition === 'commerce' && o.stagingUpdates
    ? await writeScheduledUpdates(conn, ctx, plans, o.stagingStart ?? Math.floor(Date.now() / 1000) + 5)
    : [];

  const rows = Object.fromEntries([...w.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  return {
    options: o,
    products: plans.length,
    configurables: plans.filter((p) => p.type === 'configurable').length,
    variants: plans.reduce((n, p) => n + (p.type === 'configurable' ? p.children.length : 0), 0),
    categories: categories.length,
    attributes: [...eav.product.values()].length,
    websites: scopes.websites.length,
    storeViews: scopes.stores.length,
    customerGroups: scopes.customerGroups.length,
    orders: rows['sales_order'] ?? 0,
    scheduledUpdates,
    rows,
    totalRows: Object.values(rows).reduce((s, n) => s + n, 0),
    elapsedMs: Date.now() - started,
  };
}

const EDITION_NAMES: Record<Edition, string> = { opensource: 'Magento Open Source', commerce: 'Adobe Commerce (content staging)' };

/** Refuses a target whose schema is of the other edition. */
async function ensureEdition(conn: Connection | PoolConnection, database: string, edition: Edition): Promise<void> {
  let found: Edition;
  try {
    found = (await detectEdition(conn, '', database)).edition;
  } catch (e) {
    // no catalog tables at all: the table check names what is missing
    if (isCdcError(e) && e.code === 'MYSQL_EDITION_UNKNOWN') return;
    throw e;
  }
  if (found === edition) return;
  throw new CdcError('SEED_EDITION_MISMATCH', `database '${database}' has the ${EDITION_NAMES[found]} schema, not the ${EDITION_NAMES[edition]} one asked for; nothing was written`, {
    fix: `seed it with --edition ${found}, or seed a new database with --create-schema --edition ${edition}`,
    context: { database, found, asked: edition },
  });
}

/** Refuses a target that already holds Commerce data, or empties it when forced. */
async function ensureEmpty(conn: Connection | PoolConnection, edition: Edition, force: boolean): Promise<void> {
  const [dbRows] = await conn.query('SELECT DATABASE() AS db');
  const database = (dbRows as Array<{ db: string | null }>)[0]?.db ?? '';
  await ensureEdition(conn, database, edition);
  const tables = schemaTables(edition);
  const [existing] = await conn.query(
    'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? AND table_type = ?',
    [database, 'BASE TABLE'],
  );
  const present = new Set((existing as Array<{ t: string }>).map((r) => r.t));
  const missing = tables.filter((t) => !present.has(t));
  if (missing.length > 0) {
    throw new CdcError('SEED_TARGET_NOT_EMPTY', `database '${database}' lacks the Commerce tables (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''})`, {
      fix: 'run commerce-cdc seed with --create-schema, or point --database at a Magento 2.4 database',
      context: { database, missing: missing.length },
    });
  }
  const nonEmpty: string[] = [];
  for (const t of tables) {
    const [r] = await conn.query(`SELECT 1 AS x FROM \`${t}\` LIMIT 1`);
    if ((r as unknown[]).length > 0) nonEmpty.push(t);
  }
  if (nonEmpty.length === 0) return;
  if (!force) {
    const [count] = await conn.query('SELECT COUNT(*) AS n FROM catalog_product_entity');
    const products = Number((count as Array<{ n: number | string }>)[0]?.n ?? 0);
    throw new CdcError('SEED_TARGET_NOT_EMPTY', `database '${database}' already has data (${products} products; ${nonEmpty.length} tables with rows, e.g. ${nonEmpty.slice(0, 3).join(', ')}); nothing was written`, {
      fix: 'seed an empty database, or add --force to empty every Commerce table first',
      context: { database, products, tables: nonEmpty.length },
    });
  }
  for (const t of nonEmpty) await conn.query(`TRUNCATE TABLE \`${t}\``);
}

