// Applies fixtures/commerce/schema.sql. The path resolves from src/seed and from
// dist/seed alike, and the Docker image ships the fixtures folder next to dist.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Connection, PoolConnection } from 'mysql2/promise';

export const SCHEMA_FILE = fileURLToPath(new URL('../../fixtures/commerce/schema.sql', import.meta.url));

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

/** Creates every Commerce table (and the inventory_stock_1 view) in `database`. */
export async function applySchema(conn: SqlConnection, database: string): Promise<void> {
  await conn.query(`USE \`${database.replace(/`/g, '``')}\``);
  for (const statement of schemaStatements()) await conn.query(statement);
}

/** Base tables of the schema, in DDL order (the view excluded). */
export function schemaTables(): string[] {
  return schemaStatements()
    .map((s) => /^CREATE TABLE\s+`?(\w+)`?/i.exec(s)?.[1])
    .filter((t): t is string => t !== undefined);
}
