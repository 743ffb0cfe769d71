// The consumer the exporter and the publisher share: a consumer group on one
// topic, manual offsets (they commit inside their Kafka transactions), every
// assigned partition consumed concurrently, and each assignment handed to the
// PartitionOwners (which fences the previous owner and releases the revoked).
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { PartitionOwners } from './owner.js';

export interface GroupConsumerOptions {
  kafka: Kafka;
  config: Config;
  groupId: string;
  topic: string;
  maxBytesPerPartition: number;
  owners: () => PartitionOwners | undefined;
  log: Logger;
  /** A crash kafkajs does not restart from (the part fails with it). */
  onFatal: (e: unknown) => void;
  eachBatch: (payload: EachBatchPayload) => Promise<void>;
}

export async function startGroupConsumer(o: GroupConsumerOptions): Promise<Consumer> {
  const session = o.config.kafka.sessionTimeoutMs;
  const consumer = o.kafka.consumer({ groupId: o.groupId, maxBytesPerPartition: o.maxBytesPerPartition, maxWaitTimeInMs: 50, sessionTimeout: session, heartbeatInterval: Math.max(500, Math.floor(session / 10)), rebalanceTimeout: 60_000 });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const assigned = payload.memberAssignment[o.topic] ?? [];
    o.log.info({ partitions: assigned }, 'partitions assigned');
    void o.owners()?.retain(assigned);
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) o.onFatal(payload.error);
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [o.topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: o.config.kafka.partitions,
    eachBatch: o.eachBatch,
  });
  return consumer;
}
