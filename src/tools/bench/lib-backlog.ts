// The reader benchmarks' binlog backlog: a product entity table and three EAV value tables in a
// database of their own, then `rows` row changes written to the EAV tables in multi-row INSERTs of
// 5,000 rows. Shared by reader.catchup (src/tools/bench/reader.ts) and anything that must read the
// very same binlog span.
import type { Connection } from 'mysql2/promise';

export const EAV = ['varchar', 'int', 'decimal'] as const;
const VALUE_TYPE = { varchar: 'VARCHAR(255)', int: 'INT', decimal: 'DECIMAL(12,4)' } as const;

/** Creates `database` with catalog_product_entity and its varchar/int/decimal value tables, and makes it the connection's default. */
export async function createBacklogTables(admin: Connection, database: string): Promise<void> {
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.query(`USE ${database}`);
  await admin.query(`CREATE TABLE catalog_product_entity (entity_id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, sku VARCHAR(64) NULL)`);
  for (const t of EAV) {
    await admin.query(`CREATE TABLE catalog_product_entity_${t} (value_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, attribute_id SMALLINT UNSIGNED NOT NULL DEFAULT 0,
      store_id SMALLINT UNSIGNED NOT NULL DEFAULT 0, entity_id INT UNSIGNED NOT NULL DEFAULT 0, value ${VALUE_TYPE[t]} NULL, UNIQUE KEY (entity_id, attribute_id, store_id))`);
  }
}

/** Writes about `rows` row changes (a multiple of 3) into the current database's EAV tables; returns how many and the binlog end after them. */
export async function writeBacklog(admin: Connection, rows: number): Promise<{ rows: number; end: { File: string; Position: number } }> {
  const perTable = Math.ceil(rows / EAV.length);
  const chunk = 5000;
  for (const t of EAV) {
    for (let start = 0; start < perTable; start += chunk) {
      const n = Math.min(chunk, perTable - start);
      const values: string[] = [];
      for (let i = 0; i < n; i++) {
        const k = start + i;
        const v = t === 'varchar' ? `'name ${k}'` : t === 'int' ? String(k % 1000) : `${k % 10000}.${k % 10}5`;
        values.push(`(${(k % 50) + 70}, ${Math.floor(k / 50) % 4}, ${Math.floor(k / 200) + 1}, ${v})`);
      }
      await admin.query(`INSERT INTO catalog_product_entity_${t} (attribute_id, store_id, entity_id, value) VALUES ${values.join(',')}`);
    }
  }
  const [[end]] = (await admin.query('SHOW MASTER STATUS')) as unknown as [[{ File: string; Position: number }]];
  return { rows: perTable * EAV.length, end };
}
