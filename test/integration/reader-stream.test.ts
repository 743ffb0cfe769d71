// The reader against the real stack: snapshot, streaming, a rolled-back
// transaction, resume after a clean stop, and the start-up checks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminConnection, createDatabase, dropDatabase, stackEnv, testConfig, uniqueName } from '../helpers/stack.js';
import { partitionFor, topicNames } from '../../src/kafka/topics.js';
import { readStoredPosition } from '../../src/reader/index.js';
import { createLogger } from '../../src/log.js';
import { decimalFromBytes } from '../../src/avro/types.js';
import { mappingDir, readChanges, startReader, type ChangeRecord } from './reader-support.js';

const DDL = `
CREATE TABLE catalog_product_entity (entity_id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, sku VARCHAR(64) NULL, updated_at DATETIME NOT NULL DEFAULT '2026-01-01 00:00:00');
CREATE TABLE catalog_product_entity_decimal (value_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, attribute_id SMALLINT UNSIGNED NOT NULL, store_id SMALLINT UNSIGNED NOT NULL DEFAULT 0, entity_id INT UNSIGNED NOT NULL, value DECIMAL(12,4) NULL);
`;

const mapping = () =>
  mappingDir({
    products: { root: ['catalog_product_entity', 'entity_id'], tables: [['catalog_product_entity', 'product', 'entity_id'], ['catalog_product_entity_decimal', 'product', 'entity_id']] },
    prices: { root: ['catalog_product_entity', 'entity_id'], tables: [['catalog_product_entity_decimal', 'product', 'entity_id'], ['catalog_product_entity', 'product', 'entity_id']] },
  });

const summary = (rs: ChangeRecord[]) => rs.map((r) => `${r.value.entity.feed} ${r.value.op} ${r.value.source.table} ${r.key}`).sort();

describe('reader: snapshot, stream, resume', () => {
  let database: string;
  const prefix = uniqueName('rdr');
  let sql: (s: string) => Promise<unknown>;
  let close: () => Promise<void>;

  beforeAll(async () => {
    database = await createDatabase('reader');
    const c = await adminConnection(database);
    sql = (s) => c.query(s);
    close = () => c.end();
    await sql(DDL);
    await sql(`INSERT INTO catalog_product_entity (sku) VALUES ('a'), ('b'), ('c')`);
  });
  afterAll(async () => {
    await close();
    await dropDatabase(database);
  });

  it('snapshots, streams committed transactions only, and resumes without duplicates', async () => {
    const config = testConfig(database, prefix, { reader: { connector: mapping(), heartbeatMs: 500, snapshotChunkSize: 2 } });
    const t = topicNames(prefix);
    const topics = [t.changes('products'), t.changes('prices')];
    const first = startReader(config);
    await first.reader.start();
    await sql(`BEGIN; INSERT INTO catalog_product_entity (entity_id, sku) VALUES (4, 'd'); INSERT INTO catalog_product_entity_decimal (attribute_id, entity_id, value) VALUES (77, 4, '-12345678.1234'); COMMIT`);
    await sql(`BEGIN; INSERT INTO catalog_product_entity (entity_id, sku) VALUES (99, 'never'); ROLLBACK`);
    await sql(`UPDATE catalog_product_entity SET sku = 'a2' WHERE entity_id = 1`);
    await sql(`DELETE FROM catalog_product_entity_decimal WHERE entity_id = 4`);
    const got = await readChanges(first.kafka, stackEnv.registryUrl, topics, { count: 14 });
    expect(summary(got)).toEqual(
      [
        ...['products', 'prices'].flatMap((f) => [
          ...['1', '2', '3'].map((id) => `${f} r catalog_product_entity ${id}`),
          `${f} c catalog_product_entity 4`,
          `${f} c catalog_product_entity_decimal 4`,
          `${f} u catalog_product_entity 1`,
          `${f} d catalog_product_entity_decimal 4`,
        ]),
      ].sort(),
    );
    for (const r of got) expect(r.partition).toBe(partitionFor(r.key, config.kafka.partitions));
    const upd = got.find((r) => r.value.op === 'u')!;
    expect(upd.value.before).toMatchObject({ entity_id: 1, sku: 'a' });
    expect(upd.value.after).toMatchObject({ entity_id: 1, sku: 'a2' });
    expect(upd.value.source.snapshot).toBe(false);
    const ins = got.find((r) => r.value.op === 'c' && r.value.source.table === 'catalog_product_entity_decimal')!;
    expect(decimalFromBytes(ins.value.after!.value as Buffer, 4)).toBe('-12345678.1234');
    expect(got.filter((r) => r.value.op === 'r').every((r) => r.value.source.snapshot && r.value.before === null)).toBe(true);
    expect((await first.metrics.readerTransactions.get()).values[0]?.value).toBeGreaterThan(0);

    await first.reader.stop();
    expect(first.reader.state).toBe('stopped');
    await sql(`INSERT INTO catalog_product_entity (entity_id, sku) VALUES (5, 'e')`);
    const second = startReader(config);
    await second.reader.start();
    const all = await readChanges(second.kafka, stackEnv.registryUrl, topics, { quietMs: 4000, timeoutMs: 30_000 });
    await second.reader.stop();
    expect(all).toHaveLength(16);
    expect(summary(all.filter((r) => r.key === '5'))).toEqual(['prices c catalog_product_entity 5', 'products c catalog_product_entity 5']);
    const stored = await readStoredPosition(second.kafka, t.readerOffsets, createLogger({ level: 'warn' }));
    expect(stored).toMatchObject({ version: 1, serverId: 1, snapshot: null });
    expect(stored!.gtid).toMatch(/^\d+-\d+-\d+/);
  });

  it('fails at start with one-line errors for a wrong password and a mapping naming an unknown column', async () => {
    const bad = startReader(testConfig(database, uniqueName('rdrbad'), { mysql: { host: stackEnv.mysqlHost, port: stackEnv.mysqlPort, user: 'cdc', password: 'wrong', database }, reader: { connector: mapping() } }));
    await expect(bad.reader.start()).rejects.toMatchObject({ code: 'MYSQL_AUTH_FAILED' });
    const dir = mappingDir({ products: { root: ['catalog_product_entity', 'entity_id'], tables: [['catalog_product_entity', 'product', 'entity_id'], ['catalog_product_entity_decimal', 'product', 'product_id']] } });
    const wrong = startReader(testConfig(database, uniqueName('rdrbad'), { reader: { connector: dir } }));
    await expect(wrong.reader.start()).rejects.toMatchObject({ code: 'CONNECTOR_MAPPING_INVALID', message: expect.stringContaining('table catalog_product_entity_decimal has no column product_id') });
  });
});
