// Proves each part of the local stack is real: MariaDB's binlog reaches zongji with
// GTIDs, the registry's Confluent API serves schemas used on a real Kafka topic, and
// a compacted topic really compacts.
import { afterAll, describe, expect, it } from 'vitest';
import ZongJi from '@vlasky/zongji';
import kafkajs from '../../src/kafka/kafkajs.js';
import registryPkg from '@kafkajs/confluent-schema-registry';
import { adminConnection, createDatabase, dropDatabase, stackEnv, uniqueName } from '../helpers/stack.js';

const { Kafka, logLevel } = kafkajs;
const { SchemaRegistry, SchemaType } = registryPkg;

const kafka = new Kafka({ brokers: stackEnv.brokers, clientId: 'stack-test', logLevel: logLevel.NOTHING });

describe('local stack', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('MariaDB has the binlog settings the reader needs and the connector user only its grants', async () => {
    const c = await adminConnection();
    try {
      const [rows] = await c.query(
        "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('log_bin','binlog_format','binlog_row_image','binlog_row_metadata','server_id')",
      );
      const vars = Object.fromEntries((rows as Array<{ Variable_name: string; Value: string }>).map((r) => [r.Variable_name, r.Value]));
      expect(vars).toEqual({ log_bin: 'ON', binlog_format: 'ROW', binlog_row_image: 'FULL', binlog_row_metadata: 'FULL', server_id: '1' });
      const [grants] = await c.query(`SHOW GRANTS FOR '${stackEnv.cdcUser}'@'127.0.0.1'`);
      const text = (grants as Array<Record<string, string>>).map((g) => Object.values(g)[0]).join('\n');
      expect(text).toMatch(/GRANT SELECT, (REPLICATION SLAVE|SLAVE MONITOR|BINLOG MONITOR|REPLICATION CLIENT|REPLICA MONITOR|, )+ ON \*\.\*/);
      expect(text).not.toMatch(/INSERT|UPDATE|DELETE|ALL PRIVILEGES/);
    } finally {
      await c.end();
    }
  });

  it('a row written to the database arrives as a zongji row event with its GTID', async () => {
    const db = await createDatabase('zongji');
    cleanups.push(() => dropDatabase(db));
    const c = await adminConnection(db);
    await c.query('CREATE TABLE probe (id INT UNSIGNED PRIMARY KEY, label VARCHAR(32) NOT NULL)');
    const zongji = new ZongJi({ host: stackEnv.mysqlHost, port: stackEnv.mysqlPort, user: stackEnv.cdcUser, password: stackEnv.cdcPassword, dateStrings: true });
    const seen: Array<{ gtid: string | undefined; rows: unknown }> = [];
    let lastGtid: string | undefined;
    const arrived = new Promise<void>((resolve, reject) => {
      zongji.on('error', reject);
      zongji.on('binlog', (evt: { getEventName(): string; gtid?: string; rows?: unknown }) => {
        const name = evt.getEventName();
        if (name === 'mariadbgtid') lastGtid = evt.gtid;
        if (name === 'writerows') {
          seen.push({ gtid: lastGtid, rows: evt.rows });
          resolve();
        }
      });
    });
    const ready = new Promise<void>((resolve) => zongji.on('ready', () => resolve()));
    zongji.start({ startAtEnd: true, serverId: 4000 + Math.floor(Math.random() * 1000), includeSchema: { [db]: ['probe'] }, includeEvents: ['tablemap', 'writerows', 'mariadbgtid', 'rotate'] });
    try {
      await ready;
      await c.query("INSERT INTO probe VALUES (7, 'seven')");
      const [[status]] = (await c.query('SELECT @@gtid_binlog_pos AS pos')) as unknown as [[{ pos: string }]];
      await arrived;
      expect(seen).toHaveLength(1);
      expect(seen[0]!.rows).toEqual([{ id: 7, label: 'seven' }]);
      // the GTID of the transaction is the server's latest binlog GTID for this domain
      expect(seen[0]!.gtid).toMatch(/^\d+-1-\d+$/);
      expect(status.pos.split(',')).toContain(seen[0]!.gtid);
    } finally {
      zongji.stop();
      await c.end();
    }
  });

  it('an Avro schema registered through the Confluent API is used to produce with an idempotent acks=-1 producer and consumed back decoded', async () => {
    const topic = uniqueName('avro');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    cleanups.push(async () => {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    });
    const registry = new SchemaRegistry({ host: stackEnv.registryUrl });
    const schema = {
      type: 'record',
      name: 'Probe',
      namespace: 'commerce_cdc.test',
      fields: [
        { name: 'id', type: 'long' },
        { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 4 } },
        { name: 'label', type: ['null', 'string'], default: null },
      ],
    };
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
      { subject: `${topic}-commerce_cdc.test.Probe` },
    );
    expect(id).toBeGreaterThan(0);
    // the subject lists one version (the full subject list is paged by the registry)
    const versions = (await (await fetch(`${stackEnv.registryUrl}/subjects/${topic}-commerce_cdc.test.Probe/versions`)).json()) as number[];
    expect(versions).toEqual([1]);

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const value = await registry.encode(id, { id: 42, price: Buffer.from([0x01, 0xe2, 0x40]), label: 'héllo 😀' });
    // Confluent wire format: magic byte 0 and the 4-byte schema id
    expect(value[0]).toBe(0);
    expect(value.readUInt32BE(1)).toBe(id);
    await producer.send({ topic, acks: -1, messages: [{ key: '42', value }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('g') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const decoded = await new Promise<unknown>((resolve, reject) => {
      consumer
        .run({ eachMessage: async ({ message }) => resolve(await registry.decode(message.value!)) })
        .catch(reject);
    });
    await consumer.disconnect();
    expect(decoded).toEqual({ id: 42, price: Buffer.from([0x01, 0xe2, 0x40]), label: 'héllo 😀' });
  });

  it('a compacted topic is created and compacts: only the latest value per key survives', async () => {
    const topic = uniqueName('compact');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: 1,
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'segment.ms', value: '200' },
            { name: 'min.cleanable.dirty.ratio', value: '0.01' },
            { name: 'delete.retention.ms', value: '100' },
          ],
        },
      ],
      waitForLeaders: true,
    });
    cleanups.push(async () => {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    });
    const described = await admin.describeConfigs({ resources: [{ type: 2, name: topic, configNames: ['cleanup.policy'] }], includeSynonyms: false });
    expect(described.resources[0]!.configEntries[0]!.configValue).toBe('compact');

    const producer = kafka.producer();
    await producer.connect();
    for (let round = 0; round < 5; round++) {
      await producer.send({ topic, messages: ['a', 'b', 'c'].map((k) => ({ key: k, value: `${k}${round}` })) });
      await new Promise((r) => setTimeout(r, 300)); // lets segments roll
    }
    const readAll = async (): Promise<string[]> => {
      const consumer = kafka.consumer({ groupId: uniqueName('g') });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const high = (await admin.fetchTopicOffsets(topic))[0]!.high;
      const values: string[] = [];
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            eachMessage: async ({ message }) => {
              values.push(message.value!.toString());
              if (BigInt(message.offset) + 1n >= BigInt(high)) resolve();
            },
          })
          .catch(reject);
      });
      await consumer.disconnect();
      return values;
    };
    let values: string[] = [];
    const deadline = Date.now() + 90_000;
    for (;;) {
      // a write after the wait closes the active segment so the cleaner can take the rest
      await producer.send({ topic, messages: [{ key: 'z', value: `z${Date.now()}` }] });
      values = await readAll();
      const forA = values.filter((v) => v.startsWith('a'));
      if (forA.length === 1 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    await producer.disconnect();
    expect(values.filter((v) => v.startsWith('a'))).toEqual(['a4']);
    expect(values.filter((v) => v.startsWith('b'))).toEqual(['b4']);
    expect(values.length).toBeLessThan(16);
  });
});
