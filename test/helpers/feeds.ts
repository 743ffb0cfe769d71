// Shared pieces of the feed provider tests: golden files and admin writes to the
// test database.
import { readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { ROOT, adminConnection } from './stack.js';

/** Compares `value` with test/golden/feeds/<feed>/<name>.json; UPDATE_GOLDEN=1 rewrites the file first. */
export function expectGolden(feed: string, name: string, value: unknown): void {
  const file = `${ROOT}test/golden/feeds/${feed}/${name}.json`;
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, text);
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
