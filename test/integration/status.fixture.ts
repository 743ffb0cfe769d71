// Writes items, statuses and a reader position the way the exporter, publisher and
// reader do (Confluent wire format through the registry, in Kafka transactions),
// so the operations commands can be checked against known topic contents.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import registryPkg from '@kafkajs/confluent-schema-registry';
import kafkajs from '../../src/kafka/kafkajs.js';
import type { Kafka } from 'kafkajs';
import { ensureTopics, partitionFor, topicNames } from '../../src/kafka/topics.js';
import { ROOT, stackEnv } from '../helpers/stack.js';

const { SchemaRegistry, SchemaType } = registryPkg;

export interface TestItem {
  feedId: string;
  sourceEntityId: string;
  hash: string;
  deleted?: boolean;
  writtenAt?: number;
  sku?: string;
}
export interface TestStatus {
  feedId: string;
  sourceEntityId: string;
  hash: string;
  status: number;
  error?: string | null;
  ts_ms?: number;
}

export function testKafka(): Kafka {
  return new kafkajs.Kafka({ clientId: 'ops-test', brokers: stackEnv.brokers, logLevel: kafkajs.logLevel.NOTHING });
}

const envelope = (feed: string) => ({
  type: 'record',
  name: 'ItemEnvelope',
  namespace: `commerce_cdc.feed.${feed}`,
  fields: [
    { name: 'feedId', type: 'string' },
    { name: 'sourceEntityId', type: 'string' },
    { name: 'hash', type: 'string' },
    { name: 'deleted', type: 'boolean' },
    { name: 'writtenAt', type: 'long' },
    { name: 'item', type: { type: 'record', name: 'Item', fields: [{ name: 'sku', type: ['null', 'string'], default: null }] } },
  ],
});

export class FeedWriter {
  private readonly registry = new SchemaRegistry({ host: stackEnv.registryUrl });
  private readonly kafka: Kafka;
  private readonly prefix: string;
  private readonly partitions: number;

  constructor(kafka: Kafka, prefix: string, partitions = 3) {
    this.kafka = kafka;
    this.prefix = prefix;
    this.partitions = partitions;
  }

  async topics(feeds: string[]): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    const n = topicNames(this.prefix);
    await ensureTopics(
      admin,
      [
        ...feeds.flatMap((f) => [
          { topic: n.changes(f), kind: 'changes' as const, partitions: this.partitions },
          { topic: n.items(f), kind: 'items' as const, partitions: this.partitions },
          { topic: n.status(f), kind: 'status' as const, partitions: this.partitions },
        ]),
        { topic: n.readerOffsets, kind: 'offsets' as const, partitions: 1 },
      ],
      1,
    );
    await admin.disconnect();
  }

  /** Writes in one transaction: items (null = tombstone), statuses, an optional position. */
  async write(feed: string, o: { items?: Array<TestItem | { tombstone: string; sourceEntityId: string }>; statuses?: TestStatus[]; position?: object }): Promise<void> {
    const n = topicNames(this.prefix);
    const { id: itemId } = await this.registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(envelope(feed)) }, { subject: `${n.items(feed)}-commerce_cdc.feed.${feed}.ItemEnvelope` });
    const statusSchema = readFileSync(`${ROOT}schemas/status.avsc`, 'utf8');
    const { id: statusId } = await this.registry.register({ type: SchemaType.AVRO, schema: statusSchema }, { subject: `${n.status(feed)}-commerce_cdc.Status` });
    const producer = this.kafka.producer({ transactionalId: `ops-test-${randomBytes(4).toString('hex')}`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const tx = await producer.transaction();
    const itemMsgs = [];
    for (const it of o.items ?? []) {
      const p = partitionFor(it.sourceEntityId, this.partitions);
      if ('tombstone' in it) itemMsgs.push({ key: it.tombstone, value: null, partition: p });
      else {
        const value = await this.registry.encode(itemId, {
          feedId: it.feedId, sourceEntityId: it.sourceEntityId, hash: it.hash, deleted: it.deleted ?? false,
          writtenAt: it.writtenAt ?? Date.now(), item: { sku: it.sku ?? null },
        });
        itemMsgs.push({ key: it.feedId, value, partition: p });
      }
    }
    if (itemMsgs.length) await tx.send({ topic: n.items(feed), messages: itemMsgs });
    const statusMsgs = [];
    for (const s of o.statuses ?? []) {
      const value = await this.registry.encode(statusId, {
        feedId: s.feedId, sourceEntityId: s.sourceEntityId, hash: s.hash, status: s.status, attempts: 1,
        error: s.error ?? null, ts_ms: s.ts_ms ?? Date.now(), requestId: null,
      });
      statusMsgs.push({ key: s.feedId, value, partition: partitionFor(s.sourceEntityId, this.partitions) });
    }
    if (statusMsgs.length) await tx.send({ topic: n.status(feed), messages: statusMsgs });
    if (o.position) await tx.send({ topic: n.readerOffsets, messages: [{ key: 'reader', value: JSON.stringify(o.position), partition: 0 }] });
    await tx.commit();
    await producer.disconnect();
  }
}

/** A config file's environment for the CLI against the stack. */
export function cliEnv(prefix: string, database: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CDC_PREFIX: prefix,
    CDC_LOG_LEVEL: 'warn',
    CDC_MYSQL_HOST: stackEnv.mysqlHost,
    CDC_MYSQL_PORT: String(stackEnv.mysqlPort),
    CDC_MYSQL_USER: stackEnv.cdcUser,
    CDC_MYSQL_PASSWORD: stackEnv.cdcPassword,
    CDC_MYSQL_DATABASE: database,
    CDC_KAFKA_BROKERS: stackEnv.brokers.join(','),
    CDC_REGISTRY_URL: stackEnv.registryUrl,
    ...extra,
  };
}
