// What the exporter and publisher tests share: a Commerce database with the
// scope tables filled, the parts' dependencies on the real stack, change records
// encoded per docs/internals.md, and read_committed reads of whole topics.
import { readFileSync } from 'node:fs';
import kafkajs from '../../src/kafka/kafkajs.js';
import type { Kafka } from 'kafkajs';
import type { Connection } from 'mysql2/promise';
import registryPkg, { type SchemaRegistry as Registry } from '@kafkajs/confluent-schema-registry';
import { adminConnection, createDatabase, ROOT, stackEnv } from '../helpers/stack.js';
import type { Config } from '../../src/config/schema.js';
import { createLogger, type Logger } from '../../src/log.js';
import { Metrics } from '../../src/metrics.js';
import { createPool, type Pool } from '../../src/mysql/pool.js';
import { ensureTopics, partitionFor, topicNames } from '../../src/kafka/topics.js';
import { ENTITY_SCHEMA, SOURCE_SCHEMA } from '../../src/avro/envelope.js';
import { OPEN_SOURCE, type CatalogModel } from '../../src/feeds/common/link.js';
import { loadSchema, registerCodec, TRIGGER_RECORD, WireDecoder, type TriggerRecord } from '../../src/avro/records.js';

const { Kafka: KafkaCtor, logLevel } = kafkajs;
const { SchemaRegistry } = registryPkg;

export interface Deps {
  config: Config;
  log: Logger;
  kafka: Kafka;
  registry: Registry;
  db: Pool;
  metrics: Metrics;
  catalog: CatalogModel;
}

export function deps(config: Config): Deps {
  const log = createLogger({ level: config.logLevel });
  return {
    config,
    log,
    kafka: new KafkaCtor({ clientId: 'test', brokers: [...config.kafka.brokers], logLevel: logLevel.NOTHING }),
    registry: new SchemaRegistry({ host: config.registry.url }),
    db: createPool(config.mysql),
    metrics: new Metrics({ defaults: false }),
    catalog: OPEN_SOURCE,
  };
}

/** A database with the Commerce tables and `websites` websites, each with one store group and two store views. */
export async function scopesDatabase(label: string, websites: number): Promise<string> {
  const name = await createDatabase(label);
  const c = await adminConnection(name);
  try {
    await fillScopes(c, websites);
  } finally {
    await c.end();
  }
  return name;
}

/** Creates the Commerce tables in the connection's database and fills the scopes (see scopesDatabase). */
export async function fillScopes(c: Pick<Connection, 'query'>, websites: number): Promise<void> {
  await c.query(readFileSync(`${ROOT}fixtures/commerce/schema.sql`, 'utf8'));
  // Magento's admin scope rows have id 0
  await c.query(`SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_AUTO_VALUE_ON_ZERO')`);
  await c.query(`INSERT INTO store_website (website_id, code, name, default_group_id) VALUES (0, 'admin', 'Admin', 0)`);
  await c.query(`INSERT INTO store_group (group_id, website_id, name, code) VALUES (0, 0, 'Default', 'default')`);
  await c.query(`INSERT INTO store (store_id, code, website_id, group_id, name) VALUES (0, 'admin', 0, 0, 'Admin')`);
  for (let w = 1; w <= websites; w++) {
    await c.query(`INSERT INTO store_website (website_id, code, name, default_group_id) VALUES (?, ?, ?, ?)`, [w, `web${w}`, `Web ${w}`, w]);
    await c.query(`INSERT INTO store_group (group_id, website_id, name, code) VALUES (?, ?, ?, ?)`, [w, w, `Group ${w}`, `group${w}`]);
    await c.query(`INSERT INTO store (store_id, code, website_id, group_id, name, is_active) VALUES (?, ?, ?, ?, ?, 1), (?, ?, ?, ?, ?, 1)`, [
      2 * w - 1 + 100, `sv${w}a`, w, w, `SV ${w}a`,
      2 * w + 100, `sv${w}b`, w, w, `SV ${w}b`,
    ]);
  }
}

export async function sql(database: string, statement: string, params: unknown[] = []): Promise<void> {
  const c = await adminConnection(database);
  try {
    await c.query(statement, params);
  } finally {
    await c.end();
  }
}

export async function createFeedTopics(d: Deps, feeds: string[]): Promise<void> {
  const t = topicNames(d.config.prefix);
  const admin = d.kafka.admin();
  await admin.connect();
  try {
    const partitions = d.config.kafka.partitions;
    await ensureTopics(
      admin,
      feeds.flatMap((f) => [
        { topic: t.changes(f), kind: 'changes' as const, partitions },
        { topic: t.items(f), kind: 'items' as const, partitions },
        { topic: t.status(f), kind: 'status' as const, partitions },
      ]),
      1,
    );
  } finally {
    await admin.disconnect();
  }
}

/** A change envelope schema for one table with the given string/int columns, as the reader writes it. */
function envelopeSchema(table: string, columns: Array<[string, 'int' | 'string']>): Record<string, unknown> {
  return {
    type: 'record',
    name: `commerce_cdc.${table}.Envelope`,
    fields: [
      { name: 'op', type: 'string' },
      { name: 'before', type: ['null', { type: 'record', name: `commerce_cdc.${table}.Value`, fields: columns.map(([n, t]) => ({ name: n, type: ['null', t], default: null })) }], default: null },
      { name: 'after', type: ['null', `commerce_cdc.${table}.Value`], default: null },
      // the reader's own records, so these hand-written envelopes cannot drift from the contract
      { name: 'source', type: SOURCE_SCHEMA },
      { name: 'entity', type: ENTITY_SCHEMA },
    ],
  };
}

export interface Change {
  table: string;
  columns: Array<[string, 'int' | 'string']>;
  op: 'c' | 'u' | 'd' | 'r' | 't';
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  entity: { type: string; id: string };
}

/** Produces change envelopes and triggers to `<feed>.changes`, keyed and partitioned like the reader does. */
export async function produceChanges(d: Deps, feed: string, changes: Array<Change | { trigger: string; force?: boolean; type?: string }>): Promise<void> {
  const topic = topicNames(d.config.prefix).changes(feed);
  const trig = await registerCodec<TriggerRecord>(d.registry, `${topic}-${TRIGGER_RECORD}`, loadSchema('schemas/trigger.avsc'));
  const messages = [];
  for (const c of changes) {
    if ('trigger' in c) {
      const entity = { type: c.type ?? 'website', id: c.trigger, feed };
      messages.push({ key: c.trigger, value: trig.encode({ entity, cause: { type: 'test', id: c.trigger }, reason: 'by-ids', force: c.force ?? false }), partition: partitionFor(c.trigger, d.config.kafka.partitions) });
    } else {
      const schema = envelopeSchema(c.table, c.columns);
      const codec = await registerCodec(d.registry, `${topic}-commerce_cdc.${c.table}.Envelope`, schema);
      const value = codec.encode({
        op: c.op,
        before: c.before,
        after: c.after,
        source: { server: 'test', file: 'mysql-bin.000001', pos: 4, gtid: null, ts_ms: Date.now(), db: 'test', table: c.table, snapshot: false },
        entity: { ...c.entity, feed },
      });
      messages.push({ key: c.entity.id, value, partition: partitionFor(c.entity.id, d.config.kafka.partitions) });
    }
  }
  const producer = d.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.send({ topic, messages, acks: -1 });
  } finally {
    await producer.disconnect();
  }
}

export interface Record_<T> {
  partition: number;
  offset: number;
  key: string;
  value: T;
  /** The record's Kafka headers (as text) and its value's size in bytes. */
  headers: Record<string, string>;
  bytes: number;
}

/** Every record of a topic (read_committed, up to the last stable offsets), decoded. */
export async function readTopic<T>(d: Deps, topic: string): Promise<Array<Record_<T>>> {
  const admin = d.kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const target = new Map(ends.map((e) => [e.partition, Number(e.offset)]));
  const out: Array<Record_<T>> = [];
  if ([...target.values()].every((v) => v === 0)) return out;
  const decoder = new WireDecoder(d.registry);
  const consumer = d.kafka.consumer({ groupId: `read-${Math.random().toString(36).slice(2)}`, maxWaitTimeInMs: 100 });
  const pos = new Map<number, number>();
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    const check = () => {
      if ([...target].every(([p, t]) => (pos.get(p) ?? 0) >= t)) resolve();
    };
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      pos.set(payload.partition, Number(payload.lastOffset) + 1);
      check();
    });
    check();
  });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        if (!m.value) continue;
        const headers = Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, String(v)]));
        out.push({ partition: batch.partition, offset: Number(m.offset), key: m.key?.toString() ?? '', value: await decoder.decode<T>(m.value), headers, bytes: m.value.length });
      }
    },
  });
  await done;
  await consumer.disconnect();
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/**
 * Waits until a consumer group has committed past the last data record of every
 * partition (transaction markers at the end are never committed past by a
 * consumer that only commits with data); the topic may grow meanwhile.
 */
export async function waitForGroup(d: Deps, groupId: string, topic: string, timeoutMs = 60_000): Promise<void> {
  const admin = d.kafka.admin();
  await admin.connect();
  const until = Date.now() + timeoutMs;
  try {
    let stableRounds = 0;
    while (Date.now() < until) {
      const records = await readTopic<unknown>(d, topic);
      const last = new Map<number, number>();
      for (const r of records) last.set(r.partition, Math.max(last.get(r.partition) ?? -1, r.offset));
      const committed = (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions ?? [];
      const ok = [...last].every(([p, o]) => Number(committed.find((c) => c.partition === p)?.offset ?? -1) > o);
      stableRounds = ok ? stableRounds + 1 : 0;
      // two rounds: an expansion writes triggers to the same topic in the commit that moves the offset
      if (stableRounds >= 2) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`group ${groupId} did not catch up on ${topic}`);
  } finally {
    await admin.disconnect();
  }
}

export { stackEnv };
