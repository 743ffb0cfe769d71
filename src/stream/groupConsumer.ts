// The consumer the exporter and the publisher share: a consumer group on one
// topic, manual offsets (they commit inside their Kafka transactions), every
// assigned partition consumed concurrently, and each assignment handed to the
// PartitionOwners (which fences the previous owner and releases the revoked).
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { KafkaFailure, kafkaFailure } from '../kafka/errors.js';
import { retry } from '../retry.js';
import type { Owned, PartitionOwners } from './owner.js';

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

export interface BatchRetryOptions {
  owners: PartitionOwners;
  log: Logger;
  /** 'exporter' or 'publisher', for the log lines. */
  what: string;
  /** The part's abort signal (it is stopping). */
  signal: AbortSignal;
  /** Errors that stop the part instead of being retried (none when absent). */
  fatal?: (e: unknown) => boolean;
  /** config.retryScale. */
  retryScale: number;
  fail: (e: unknown) => void;
}

/**
 * Runs `body` for a consumed batch with the partition's owned producer until it succeeds. After a
 * failure: nothing more when stopping or when the partition moved (fenced, rebalancing or lost: its
 * new owner redoes the batch), the part's failure for a fatal error, else the producer is dropped
 * and, after a backoff, the batch is tried again with a freshly acquired one.
 */
export async function withBatchRetries(
  o: BatchRetryOptions,
  payload: Pick<EachBatchPayload, 'batch' | 'isRunning' | 'isStale'> & { /** Keeps the group session alive while the partition is acquired. */ heartbeat?: () => Promise<void> },
  body: (owned: Owned) => Promise<void>,
): Promise<void> {
  const p = payload.batch.partition;
  let owned: Owned | undefined;
  const stopped = () => o.signal.aborted || !payload.isRunning();
  const movedOn = (e: unknown) => {
    const k = kafkaFailure(e);
    return k === KafkaFailure.fenced || k === KafkaFailure.rebalancing || owned?.lost === true;
  };
  try {
    await retry(
      async () => {
        if (!payload.isRunning() || payload.isStale()) return;
        owned = undefined;
        owned = await o.owners.get(p, payload.heartbeat);
        await body(owned);
      },
      {
        attempts: Infinity,
        initialMs: 500,
        maxMs: 30_000,
        scale: o.retryScale,
        signal: o.signal,
        shouldRetry: (e) => !stopped() && !movedOn(e) && !o.fatal?.(e),
        onRetry: async (e, attempt, delayMs) => {
          o.log.warn({ partition: p, attempt, delayMs, err: e }, `${o.what} batch failed; retrying`);
          await o.owners.drop(p);
        },
      },
    );
  } catch (e) {
    if (stopped()) return;
    if (movedOn(e)) {
      o.log.warn({ partition: p, err: e }, 'partition taken over or group membership lost; dropping it');
      await o.owners.drop(p);
      return;
    }
    o.log.error({ partition: p, err: e }, `${o.what} batch failed`);
    o.fail(e);
  }
}
