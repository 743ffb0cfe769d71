import type { Admin, ITopicConfig } from 'kafkajs';
import { KafkaError } from '../errors.js';

const M = 0x5bd1e995;

/**
 * The Java client's murmur2 of a key's UTF-8 bytes (as kafkajs' default partitioner computes it), in
 * 32-bit integer arithmetic: kafkajs' own copy goes through its Long emulation, and the exporter
 * partitions every item and trigger it writes.
 */
export function murmur2(key: string): number {
  const data = Buffer.from(key, 'utf8');
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const tail = length & ~3;
  for (let i = 0; i < tail; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= data[tail + 2]! << 16;
  if (rest >= 2) h ^= data[tail + 1]! << 8;
  if (rest >= 1) h = Math.imul(h ^ data[tail]!, M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h;
}

/** Partition of a source entity id: the same in `<feed>.changes`, `.items` and `.status`, and as the Java client puts it. */
export function partitionFor(key: string, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}

export const topicNames = (prefix: string) => ({
  changes: (feed: string) => `${prefix}.${feed}.changes`,
  items: (feed: string) => `${prefix}.${feed}.items`,
  status: (feed: string) => `${prefix}.${feed}.status`,
  readerOffsets: `${prefix}.reader.offsets`,
  /** One partition, never written: its owner in the consumer group of the same name is the active reader (src/reader/lease.ts). */
  readerLease: `${prefix}.reader.lease`,
});

export type TopicKind = 'changes' | 'items' | 'status' | 'offsets' | 'lease';

export interface TopicSpec {
  topic: string;
  kind: TopicKind;
  partitions: number;
}

const CONFIGS: Record<TopicKind, Array<{ name: string; value: string }>> = {
  // change streams are a log: kept for a week so a replay or a late consumer can catch up
  changes: [
    { name: 'cleanup.policy', value: 'delete' },
    { name: 'retention.ms', value: String(7 * 24 * 3600 * 1000) },
  ],
  // items and statuses are the feed table: latest value per key, forever
  items: [
    { name: 'cleanup.policy', value: 'compact' },
    { name: 'min.cleanable.dirty.ratio', value: '0.1' },
    { name: 'segment.ms', value: String(3600 * 1000) },
  ],
  status: [
    { name: 'cleanup.policy', value: 'compact' },
    { name: 'min.cleanable.dirty.ratio', value: '0.1' },
    { name: 'segment.ms', value: String(3600 * 1000) },
  ],
  offsets: [{ name: 'cleanup.policy', value: 'compact' }],
  lease: [{ name: 'cleanup.policy', value: 'compact' }],
};

/**
 * Creates missing topics; checks that existing ones have the expected partition
 * count (changes/items/status must be co-partitioned).
 */
export async function ensureTopics(admin: Admin, specs: TopicSpec[], replicationFactor: number): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing: ITopicConfig[] = specs
    .filter((s) => !existing.has(s.topic))
    .map((s) => ({ topic: s.topic, numPartitions: s.partitions, replicationFactor, configEntries: CONFIGS[s.kind] }));
  if (missing.length) {
    try {
      await admin.createTopics({ topics: missing, waitForLeaders: true });
    } catch (e) {
      // another process may have created them at the same moment
      if (!/already exists/i.test(String((e as Error).message))) throw e;
    }
  }
  const present = specs.filter((s) => existing.has(s.topic));
  if (present.length) {
    const meta = await admin.fetchTopicMetadata({ topics: present.map((s) => s.topic) });
    for (const t of meta.topics) {
      const want = present.find((s) => s.topic === t.name)!;
      if (t.partitions.length !== want.partitions) {
        throw new KafkaError(
          'KAFKA_TOPIC_MISMATCH',
          `topic ${t.name} has ${t.partitions.length} partitions, the configuration says ${want.partitions}`,
          { fix: 'set kafka.partitions to the existing count, or delete the topics and resync' },
        );
      }
    }
  }
}
