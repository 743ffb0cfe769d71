// Keeps FeedState current by reading the feed's items and status topics
// (read_committed, all partitions) from the beginning, in a consumer group of
// its own. A partition is ready for this process once the tailer has read both
// topics of that partition up to their last stable offsets taken *after* our
// producer fenced the previous owner: nothing the old owner committed is missed.
//
// Why all partitions, not just the assigned ones: statuses arrive continuously
// from the publisher, and a partition handed to us later is then ready at once.
// The cost is memory for the whole feed table per exporter process.
import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from '../log.js';
import type { FeedDefinition } from '../feeds/types.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { minimalOfJson, type FeedState } from './state.js';
import type { EnvelopeDecoder, StatusRecord, WireDecoder } from '../avro/records.js';

export interface TailerOptions {
  kafka: Kafka;
  decoder: WireDecoder;
  /** Item envelopes, with the feed's minimal payload fields captured. */
  envelopes: EnvelopeDecoder;
  feed: FeedDefinition;
  itemsTopic: string;
  statusTopic: string;
  groupPrefix: string;
  state: FeedState;
  log: Logger;
}

export class StateTailer {
  private readonly o: TailerOptions;
  private consumer: Consumer | undefined;
  /** Next offset to read per `topic:partition`. */
  private readonly position = new Map<string, number>();
  /** Partitions this process writes items to: their items from this offset on are our own writes, already in the state. */
  private readonly ownedFrom = new Map<number, number>();
  private failure: unknown;

  constructor(o: TailerOptions) {
    this.o = o;
  }

  async start(): Promise<void> {
    const { kafka, itemsTopic, statusTopic } = this.o;
    const consumer = kafka.consumer({
      groupId: `${this.o.groupPrefix}.state.${randomUUID()}`,
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxWaitTimeInMs: 200,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const next = Number(payload.lastOffset) + 1;
      const k = `${payload.topic}:${payload.partition}`;
      if (next > (this.position.get(k) ?? 0)) this.position.set(k, next);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.failure = payload.error;
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [itemsTopic, statusTopic], fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch }) => {
        const isItems = batch.topic === itemsTopic;
        const from = this.ownedFrom.get(batch.partition);
        for (const m of batch.messages) {
          if (!m.value) continue;
          if (isItems) {
            if (from !== undefined && Number(m.offset) >= from) continue;
            const e = await this.o.envelopes.decode(m.value);
            this.o.state.applyItem(e.feedId, e.sourceEntityId, e.hash, e.deleted, minimalOfJson(e.item.fields, this.o.feed.minimalPayload));
          } else {
            const s = await this.o.decoder.decode<StatusRecord>(m.value);
            this.o.state.applyStatus(s.feedId, s.sourceEntityId, s.hash, s.status);
          }
        }
      },
    });
  }

  own(partition: number, itemsFrom: number): void {
    this.ownedFrom.set(partition, itemsFrom);
  }

  disown(partition: number): void {
    this.ownedFrom.delete(partition);
  }

  /**
   * Resolves once both topics of the partition were read up to the given offsets. Reading a large
   * feed from the beginning can outlast the group session: `heartbeat` is called every second.
   */
  async caughtUp(partition: number, targets: { items: number; status: number }, signal?: AbortSignal, heartbeat?: () => Promise<void>): Promise<void> {
    const started = Date.now();
    let beat = started;
    for (;;) {
      if (this.failure) throw this.failure;
      const items = this.position.get(`${this.o.itemsTopic}:${partition}`) ?? 0;
      const status = this.position.get(`${this.o.statusTopic}:${partition}`) ?? 0;
      if (items >= targets.items && status >= targets.status) return;
      if (Date.now() - started > 30_000 && (Date.now() - started) % 10_000 < 60) {
        this.o.log.warn({ partition, items, status, targets }, 'state restore is slow: still reading the items and status topics');
      }
      if (heartbeat && Date.now() - beat >= 1000) {
        beat = Date.now();
        await heartbeat().catch(() => undefined);
      }
      signal?.throwIfAborted();
      await sleep(50, undefined, { signal }).catch(() => signal?.throwIfAborted());
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
