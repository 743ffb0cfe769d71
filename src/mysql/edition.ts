// Which Commerce edition a database is, read from its schema at start (never a setting):
// Adobe Commerce with content staging versions the product and category tables by
// `row_id` (docs/internals.md, The link field); Magento Open Source keys them by
// `entity_id`. A schema that is neither, or half of each, is refused with what is missing.
import type { Connection, Pool, PoolConnection } from 'mysql2/promise';
import { MysqlError } from '../errors.js';
import { catalogModel, type CatalogModel, type Edition } from '../feeds/common/link.js';

export type { Edition };

/** How status, the page and the logs name an edition. */
export const EDITION_NAMES: Record<Edition, string> = { opensource: 'Magento Open Source', commerce: 'Adobe Commerce (content staging)' };

export interface EditionReport {
  edition: Edition;
  /** What was checked, for `config --check` and the startup log. */
  evidence: string;
}

/** Tables whose columns tell the editions apart. */
const ENTITY_TABLES = ['catalog_product_entity', 'catalog_category_entity'] as const;
/** Value tables keyed by the link field (a sample of each entity's). */
const VALUE_TABLES = ['catalog_product_entity_int', 'catalog_product_entity_varchar', 'catalog_category_entity_int', 'catalog_category_entity_varchar'] as const;
const STAGING_TABLES = ['sequence_product', 'sequence_catalog_category', 'staging_update', 'flag'] as const;
const VERSION_COLUMNS = ['row_id', 'created_in', 'updated_in'] as const;

type Queryable = Pool | Connection | PoolConnection;

/** The edition of `database` (default: the connection's), from information_schema. */
export async function detectEdition(db: Queryable, tablePrefix = '', database?: string): Promise<EditionReport> {
  const names = [...ENTITY_TABLES, ...VALUE_TABLES, ...STAGING_TABLES].map((t) => tablePrefix + t);
  const [rows] = await db.query(
    `SELECT table_name AS t, column_name AS c FROM information_schema.columns
      WHERE table_schema = COALESCE(?, DATABASE()) AND table_name IN (?)`,
    [database ?? null, names],
  );
  const columns = new Map<string, Set<string>>();
  for (const r of rows as Array<{ t: string; c: string }>) {
    const t = r.t.slice(tablePrefix.length);
    let set = columns.get(t);
    if (!set) columns.set(t, (set = new Set()));
    set.add(r.c.toLowerCase());
  }
  return classify(columns, tablePrefix);
}

/** Decides from table → columns; exported for the unit test. */
export function classify(columns: ReadonlyMap<string, ReadonlySet<string>>, tablePrefix = ''): EditionReport {
  const missingTables = ENTITY_TABLES.filter((t) => !columns.has(t));
  if (missingTables.length) {
    throw new MysqlError('MYSQL_EDITION_UNKNOWN', `the database has no ${missingTables.map((t) => tablePrefix + t).join(' or ')}: it is neither a Magento Open Source nor an Adobe Commerce catalog`, {
      fix: 'point mysql.database (and mysql.tablePrefix) at the Commerce database',
      context: { missing: missingTables },
    });
  }
  // per feature: does the schema have it? Commerce has all of them, Open Source none.
  const features: Array<[string, boolean]> = [];
  for (const t of ENTITY_TABLES) for (const c of VERSION_COLUMNS) features.push([`${t}.${c}`, columns.get(t)?.has(c) ?? false]);
  for (const t of VALUE_TABLES) if (columns.has(t)) features.push([`${t}.row_id`, columns.get(t)!.has('row_id')]);
  for (const t of STAGING_TABLES) if (t !== 'flag') features.push([t, columns.has(t)]);
  const present = features.filter(([, has]) => has).map(([f]) => f);
  const absent = features.filter(([, has]) => !has).map(([f]) => f);
  if (present.length === 0) {
    return { edition: 'opensource', evidence: 'catalog tables keyed by entity_id (no row_id, no staging tables)' };
  }
  if (absent.length === 0 && columns.has('flag')) {
    return { edition: 'commerce', evidence: 'catalog tables versioned by row_id/created_in/updated_in, sequence and staging_update tables present' };
  }
  if (absent.length === 0) absent.push('flag');
  throw new MysqlError('MYSQL_EDITION_MIXED', `the catalog schema is half Adobe Commerce (content staging: ${present.slice(0, 4).join(', ')}${present.length > 4 ? ', ...' : ''}) and half Open Source (missing: ${absent.map((f) => tablePrefix + f).join(', ')})`, {
    fix: 'finish or undo the edition migration (every catalog table keyed by row_id with its staging tables, or none), or check mysql.tablePrefix',
    context: { present, missing: absent },
  });
}

/** The providers' catalog model of the configured database (ops commands that assemble outside an exporter). */
export async function detectCatalog(db: Queryable, mysql: { tablePrefix: string; database: string }): Promise<CatalogModel> {
  return catalogModel((await detectEdition(db, mysql.tablePrefix, mysql.database)).edition);
}
