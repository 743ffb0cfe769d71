// The reader against the real stack: snapshot, streaming, a rolled-back
// transaction, resume after a clean stop, and the start-up checks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminConnection, createDatabase, dropDatabase, stackEnv, testConfig, uniqueName } from '../helpers/stack.js';
import { ensureTopics, partitionFor, topicNames } from '../../src/kafka/topics.js';
import { readStoredPosition } from '../../src/reader/index.js';
import { createLogger } from '../../src/log.js';
import { decimalFromBytes } from '../../src/avro/types.js';
import { mappingDir, readChanges, startReader, type ChangeRecord } from './reader-support.js';

const DDL = `
CREATE TABLE catalog_product_entity (entity_id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, sku VARCHAR(64) NULL, updated_at DATETIME NOT NULL DEFAULT '2026-01-01 00:00:00');
CREATE TABLE catalog_product_entity_decimal (value_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, attribute_id SMALLINT UNSIGNED NOT NULL, store_id SMALLINT UNSIGNED NOT NULL DEFAULT 0, entity_id INT UNSIGNED NOT NULL, value DECIMAL(12,4) NULL);
`;

/** A database with DDL's tables and one product per sku; `c` stays open until close(). */
async function productsDatabase(label: string, skus: string[]) {
  const database = await createDatabase(label);
  const c = await adminConnection(database);
  const sql = (statement: string) => c.query(statement);
  await sql(DDL);
  await sql(`INSERT INTO catalog_product_entity (sku) VALUES ${skus.map((s) => `('${s}')`).join(', ')}`);
  return { database, c, sql, close: () => c.end() };
}

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
    ({ database, sql, close } = await productsDatabase('reader', ['a', 'b', 'c']));
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
    // each streamed Kafka commit first checked that its binlog transactions were visible (visibility.ts); none could not be checked
    const checks = Object.fromEntries((await first.metrics.readerVisibilityChecks.get()).values.map((v) => [v.labels.result, v.value]));
    expect((checks.visible ?? 0) + (checks.waited ?? 0), JSON.stringify(checks)).toBeGreaterThan(0);
    expect(checks.unchecked ?? 0).toBe(0);

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

describe('reader: snapshot resume and purged positions', () => {
  let database: string;
  let sql: (s: string) => Promise<unknown>;
  let close: () => Promise<void>;
  let master: { file: string; pos: number; gtid: string };

  beforeAll(async () => {
    const db = await productsDatabase('readersnap', ['a', 'b', 'c', 'd', 'e']);
    ({ database, sql, close } = db);
    const { c } = db;
    const [[st]] = (await c.query('SHOW MASTER STATUS')) as unknown as [[{ File: string; Position: number }]];
    const [[g]] = (await c.query('SELECT BINLOG_GTID_POS(?, ?) AS gtid', [st.File, st.Position])) as unknown as [[{ gtid: string }]];
    master = { file: st.File, pos: st.Position, gtid: g.gtid };
  });
  afterAll(async () => {
    await close();
    await dropDatabase(database);
  });

  /** Stores a position record as an earlier reader would have, before the reader under test starts. */
  async function storePosition(prefix: string, record: object): Promise<void> {
    const { kafka } = startReader(testConfig(database, prefix));
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic: topicNames(prefix).readerOffsets, kind: 'offsets', partitions: 1 }], 1);
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: topicNames(prefix).readerOffsets, acks: -1, messages: [{ key: 'reader', partition: 0, value: JSON.stringify({ version: 1, serverId: 1, ts_ms: Date.now(), ...record }) }] });
    await producer.disconnect();
  }

  it('continues an interrupted snapshot after its last finished chunk, then streams from the snapshot position', async () => {
    const prefix = uniqueName('rdrsnap');
    const position = { ...master, ts_ms: Date.now() };
    await storePosition(prefix, { ...position, snapshot: { position, feedsDone: ['prices'], current: { feed: 'products', lastId: '[2]' } } });
    // written after the snapshot position: streamed once the snapshot is done
    await sql(`UPDATE catalog_product_entity SET sku = 'b2' WHERE entity_id = 2`);
    const config = testConfig(database, prefix, { reader: { connector: mapping(), snapshotChunkSize: 2 } });
    const { reader, kafka } = startReader(config);
    await reader.start();
    const t = topicNames(prefix);
    const got = await readChanges(kafka, stackEnv.registryUrl, [t.changes('products'), t.changes('prices')], { count: 5, extraMs: 2500 });
    await reader.stop();
    expect(summary(got)).toEqual(
      ['products r catalog_product_entity 3', 'products r catalog_product_entity 4', 'products r catalog_product_entity 5', 'products u catalog_product_entity 2', 'prices u catalog_product_entity 2'].sort(),
    );
    const stored = await readStoredPosition(kafka, t.readerOffsets, createLogger({ level: 'warn' }));
    expect(stored?.snapshot).toBeNull();
  });

  it('stops with MYSQL_POSITION_PURGED for a purged position, and snapshots instead with snapshotMode when_needed', async () => {
    const prefix = uniqueName('rdrpurge');
    await storePosition(prefix, { file: 'mysql-bin.999999', pos: 4, gtid: null, snapshot: null });
    const strict = startReader(testConfig(database, prefix, { reader: { connector: mapping() } }));
    await expect(strict.reader.start()).rejects.toMatchObject({ code: 'MYSQL_POSITION_PURGED', fix: expect.stringContaining('when_needed') });
    const lenient = startReader(testConfig(database, prefix, { reader: { connector: mapping(), snapshotMode: 'when_needed' } }));
    await lenient.reader.start();
    const t = topicNames(prefix);
    const got = await readChanges(lenient.kafka, stackEnv.registryUrl, [t.changes('products')], { count: 8, extraMs: 2000 });
    await lenient.reader.stop();
    // first the re-check (the purged gap may hold deletes): a t record for every entity on each of the 3 partitions, then the snapshot
    expect(got.map((r) => (r.value.op === 't' ? `t ${r.key} on ${r.partition}` : `${r.value.op} ${r.key}`)).sort()).toEqual(['r 1', 'r 2', 'r 3', 'r 4', 'r 5', 't * on 0', 't * on 1', 't * on 2']);
    expect(got.filter((r) => r.value.op === 't').every((r) => r.value.source.snapshot)).toBe(true);
  });
});
