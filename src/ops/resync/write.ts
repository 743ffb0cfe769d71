import type { Kafka, Producer } from 'kafkajs';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { loadSchema, registerCodec, TRIGGER_RECORD, type TriggerRecord, type WireCodec } from '../../avro/records.js';
import type { FeedDefinition } from '../../feeds/types.js';
import { partitionFor } from '../../kafka/topics.js';
import { idempotentProducer } from '../../kafka/client.js';
import { readTopicsToEnd } from '../topicReader.js';

// What a resync writes: trigger records into `<feed>.changes` (the exporter group
// assembles them, so a resync never races a running connector), and for
// --no-reindex / --cleanup-feed, records rewritten into or tombstoned out of the
// items and status topics, each on its key's partition.

const CHUNK = 500;

export class TriggerWriter {
  private readonly kafka: Kafka;
  private readonly registry: SchemaRegistry;
  private readonly topic: string;
  private readonly feed: FeedDefinition;
  private readonly partitions: number;
  private codec: WireCodec<TriggerRecord> | undefined;
  private producer: Producer | undefined;

  constructor(o: { kafka: Kafka; registry: SchemaRegistry; changesTopic: string; feed: FeedDefinition; partitions: number }) {
    this.kafka = o.kafka;
    this.registry = o.registry;
    this.topic = o.changesTopic;
    this.feed = o.feed;
    this.partitions = o.partitions;
  }

  async openCodec(): Promise<void> {
    this.codec ??= await registerCodec<TriggerRecord>(this.registry, `${this.topic}-${TRIGGER_RECORD}`, loadSchema('schemas/trigger.avsc'));
  }

  async open(): Promise<void> {
    await this.openCodec();
    this.producer = idempotentProducer(this.kafka);
    await this.producer.connect();
  }

  async write(ids: string[], reason: 'resync' | 'by-ids', force: boolean): Promise<void> {
    for (let i = 0; i < ids.length; i += CHUNK) {
      const messages = ids.slice(i, i + CHUNK).map((id) => ({
        key: id,
        partition: partitionFor(id, this.partitions),
        value: this.codec!.encode({ entity: { type: this.feed.sourceEntity, id, feed: this.feed.name }, cause: { type: reason, id }, reason, force }),
      }));
      await this.producer!.send({ topic: this.topic, acks: -1, messages });
    }
  }

  async close(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
  }
}

/** Latest record per key of the topics, with its partition (null value = already a tombstone). */
export async function latestPerKey(kafka: Kafka, topics: string[], groupPrefix: string): Promise<Map<string, Map<string, { partition: number; value: Buffer | null }>>> {
  const out = new Map(topics.map((t) => [t, new Map<string, { partition: number; value: Buffer | null }>()]));
  await readTopicsToEnd(kafka, topics, (topic, partition, m) => {
    const key = m.key?.toString('utf8');
    if (key !== undefined) out.get(topic)!.set(key, { partition, value: m.value });
  }, { groupPrefix });
  return out;
}

/** Writes records (value null = tombstone) keeping each key on its partition; returns how many. */
export async function writeRecords(kafka: Kafka, topic: string, records: Array<{ key: string; partition: number; value: Buffer | null }>): Promise<number> {
  if (!records.length) return 0;
  const producer = idempotentProducer(kafka);
  await producer.connect();
  try {
    for (let i = 0; i < records.length; i += CHUNK) {
      await producer.send({ topic, acks: -1, messages: records.slice(i, i + CHUNK) });
    }
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
  return records.length;
}
