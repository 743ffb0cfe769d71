// Applies fixtures/commerce/schema.sql, and for Adobe Commerce the overlay
// schema-commerce.sql after it. The paths resolve from src/seed and from dist/seed
// alike, and the Docker image ships the fixtures folder next to dist.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Connection, PoolConnection } from 'mysql2/promise';
import type { Edition } from '../../feeds/common/link.js';

export type { Edition };

export const SCHEMA_FILE = fileURLToPath(new URL('../../../fixtures/commerce/schema.sql', import.meta.url));
/** The Adobe Commerce shape (content staging), applied after SCHEMA_FILE. */
export const COMMERCE_SCHEMA_FILE = fileURLToPath(new URL('../../../fixtures/commerce/schema-commerce.sql', import.meta.url));

// one connection, not a pool: `USE` must hold for the statements that follow
export type SqlConnection = Connection | PoolConnection;

/** The DDL as single statements, comments dropped (no multipleStatements needed). */
export function schemaStatements(sql: string = readFileSync(SCHEMA_FILE, 'utf8')): string[] {
  return sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function editionStatements(edition: Edition): string[] {
  const base = schemaStatements();
  return edition === 'commerce' ? [...base, ...schemaStatements(readFileSync(COMMERCE_SCHEMA_FILE, 'utf8'))] : base;
}

/** Creates every Commerce table (and the inventory_stock_1 view) of `edition` in `database`. */
export async function applySchema(conn: SqlConnection, database: string, edition: Edition = 'opensource'): Promise<void> {
  await conn.query(`USE \`${database.replace(/`/g, '``')}\``);
  for (const statement of editionStatements(edition)) await conn.query(statement);
}

/** Base tables of the edition's schema, in DDL order (the view excluded; a table the overlay recreates keeps its place). */
export function schemaTables(edition: Edition = 'opensource'): string[] {
  const names = editionStatements(edition)
    .map((s) => /^CREATE TABLE\s+`?(\w+)`?/i.exec(s)?.[1])
    .filter((t): t is string => t !== undefined);
  return [...new Set(names)];
}
