// The reader's visibility barrier (src/reader/visibility.ts) against the real
// MariaDB: a row changed by a transaction that has not committed yet keeps the
// barrier waiting until the commit, and then the change is visible to a plain
// read on another connection; a row nobody holds passes at once; a row a later
// transaction holds passes once the committed row equals the change's image; a
// lock held past the timeout and a table that is gone let the commit go on,
// counted as such.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminConnection, createDatabase, dropDatabase, testConfig } from '../helpers/stack.js';
import { createPool, type Pool } from '../../src/mysql/pool.js';
import { createLogger } from '../../src/log.js';
import { Metrics } from '../../src/metrics.js';
import { rowLock, VisibilityBarrier } from '../../src/reader/visibility.js';
import type { ColumnInfo } from '../../src/avro/columns.js';

const column = (name: string, pkPosition: number): ColumnInfo => ({ name, dataType: 'int', columnType: 'int(10) unsigned', nullable: false, precision: null, scale: null, unsigned: true, pkPosition });
// catalog_product_entity_int's unique key as a composite primary key, to check the key's order and values
const COLUMNS = [column('value_id', 0), column('store_id', 2), column('attribute_id', 1), column('entity_id', 3), column('value', 0)];

describe('reader visibility barrier', () => {
  let database: string;
  let pool: Pool;
  let writer: Awaited<ReturnType<typeof adminConnection>>;
  const metrics = new Metrics();
  const log = createLogger({ level: 'fatal' });
  const barrier = (timeoutMs?: number) => new VisibilityBarrier({ pool, database, mariadb: true, log, metrics, ...(timeoutMs ? { timeoutMs } : {}) });
  const counts = async () => Object.fromEntries((await metrics.readerVisibilityChecks.get()).values.map((v) => [v.labels.result, v.value]));

  beforeAll(async () => {
    database = await createDatabase('visibility');
    writer = await adminConnection(database);
    await writer.query(`CREATE TABLE pte (value_id INT UNSIGNED NOT NULL, attribute_id INT UNSIGNED NOT NULL, store_id INT UNSIGNED NOT NULL, entity_id INT UNSIGNED NOT NULL, value INT NULL, PRIMARY KEY (attribute_id, store_id, entity_id))`);
    await writer.query(`INSERT INTO pte VALUES (1, 93, 0, 10, 5), (2, 93, 1, 10, 6)`);
    // the reader's own user and pool settings
    pool = createPool({ ...testConfig(database, 'visibility').mysql, connectionLimit: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    await writer?.end();
    await dropDatabase(database);
  });

  it('takes the primary key in key order from the row', () => {
    const row = { value_id: 7, attribute_id: 93, store_id: 1, entity_id: 10, value: 3 };
    expect(rowLock('m2_pte', COLUMNS, row)).toEqual({
      table: 'm2_pte',
      key: [
        ['attribute_id', 93],
        ['store_id', 1],
        ['entity_id', 10],
      ],
      image: row,
    });
    expect(rowLock('m2_pte', COLUMNS, row, true)?.image).toBeNull();
    expect(rowLock('t', [column('a', 0), column('b', 0)], { a: 1, b: 2 })).toBeUndefined();
  });

  it('waits while the transaction that changed the row is open, and the change is visible once it returns', async () => {
    const lock = rowLock('pte', COLUMNS, { value_id: 1, attribute_id: 93, store_id: 0, entity_id: 10, value: 50 })!;
    expect(await barrier().wait(lock)).toBe('visible');

    await writer.query('BEGIN');
    await writer.query('UPDATE pte SET value = 50 WHERE attribute_id = 93 AND store_id = 0 AND entity_id = 10');
    let result: string | undefined;
    const waiting = barrier().wait(lock).then((r) => (result = r));
    await new Promise((r) => setTimeout(r, 700));
    expect(result, 'the barrier returned while the transaction was still open').toBeUndefined();
    // the other row of the same table is not held
    expect(await barrier().wait(rowLock('pte', COLUMNS, { value_id: 2, attribute_id: 93, store_id: 1, entity_id: 10, value: 6 })!)).toBe('visible');
    await writer.query('COMMIT');
    // it found the row locked and returned after the commit: through the lock ('waited') or, when the
    // commit lands between its lock attempt and its plain read, through the committed row ('committed')
    expect(['waited', 'committed']).toContain(await waiting);
    const [[row]] = (await pool.query('SELECT value FROM pte WHERE attribute_id = 93 AND store_id = 0 AND entity_id = 10')) as unknown as [[{ value: number }]];
    expect(row.value).toBe(50);

    // an inserted row is held by its transaction too
    await writer.query('BEGIN');
    await writer.query('INSERT INTO pte VALUES (3, 93, 2, 10, 7)');
    const inserted = rowLock('pte', COLUMNS, { value_id: 3, attribute_id: 93, store_id: 2, entity_id: 10, value: 7 })!;
    result = undefined;
    const waitingInsert = barrier().wait(inserted).then((r) => (result = r));
    await new Promise((r) => setTimeout(r, 300));
    expect(result).toBeUndefined();
    await writer.query('COMMIT');
    expect(['waited', 'committed']).toContain(await waitingInsert);
  });

  it('does not wait for a later transaction holding a row whose committed state already shows the change', async () => {
    // the change committed: value 50 (previous test); a later, long transaction now holds the row
    await writer.query('BEGIN');
    await writer.query('UPDATE pte SET value = 51 WHERE attribute_id = 93 AND store_id = 0 AND entity_id = 10');
    try {
      const started = Date.now();
      expect(await barrier().wait(rowLock('pte', COLUMNS, { value_id: 1, attribute_id: 93, store_id: 0, entity_id: 10, value: 50 })!)).toBe('committed');
      expect(Date.now() - started).toBeLessThan(1000);
      // a delete whose row is gone from the committed state is visible too, even if a later insert holds the key
      await writer.query('INSERT INTO pte VALUES (9, 94, 0, 10, 1)');
      expect(await barrier().wait(rowLock('pte', COLUMNS, { value_id: 9, attribute_id: 94, store_id: 0, entity_id: 10, value: 1 }, true)!)).toBe('committed');
      // an image the committed row does not show yet (this open change) keeps it waiting until the timeout
      expect(await barrier(300).wait(rowLock('pte', COLUMNS, { value_id: 1, attribute_id: 93, store_id: 0, entity_id: 10, value: 51 })!)).toBe('timeout');
    } finally {
      await writer.query('ROLLBACK');
    }
  });

  it('gives up after the timeout, and lets a dropped table through unchecked', async () => {
    const before = await counts();
    await writer.query('BEGIN');
    await writer.query('DELETE FROM pte WHERE attribute_id = 93 AND store_id = 1 AND entity_id = 10');
    const started = Date.now();
    // the open delete: the committed row is still there, so a delete's image (null) is not shown yet
    expect(await barrier(400).wait(rowLock('pte', COLUMNS, { value_id: 2, attribute_id: 93, store_id: 1, entity_id: 10, value: 6 }, true)!)).toBe('timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    await writer.query('ROLLBACK');
    expect(await barrier().wait({ table: 'no_such_table', key: [['id', 1]], image: { id: 1 } })).toBe('unchecked');
    const after = await counts();
    expect((after.timeout ?? 0) - (before.timeout ?? 0)).toBe(1);
    expect(after.committed ?? 0).toBeGreaterThanOrEqual(2);
    expect((after.unchecked ?? 0) - (before.unchecked ?? 0)).toBe(1);
  });
});
