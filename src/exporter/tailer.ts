// Keeps the owned partitions' FeedStates current by reading the feed's items and
// status topics (read_committed) from each state's checkpoint on, in a consumer
// group of its own. A partition is ready for this process once the tailer has read
// both topics of that partition up to their last stable offsets taken *after* our
// producer fenced the previous owner: nothing the old owner committed is missed.
//
// Only the owned partitions are followed: the others stay at the topics' end and
// their records are skipped. Every batch read is flushed to the partition's store
// with the offsets it reached, so the next start reads only what came after.
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
  log: Logger;
}

interface Followed {
  state: FeedState;
  /** Next offset to read per topic. */
  items: number;
  status: number;
  /** Items from this offset on are our own writes, applied by the exporter when committed. */
  ownedFrom: number;
  /** Records applied since the follow began (the restore log and the tests count them). */
  read: number;
}

export class StateTailer {
  private readonly o: TailerOptions;
  private consumer: Consumer | undefined;
  private readonly followed = new Map<number, Followed>();
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
    // a batch of transaction markers only reaches no eachBatch: its end moves the position all the same,
    // when the partition was followed the same way since the batch began (not a batch fetched before a seek)
    const began = new Map<string, Followed | undefined>();
    consumer.on(consumer.events.START_BATCH_PROCESS, ({ payload }) => {
      began.set(`${payload.topic}:${payload.partition}`, this.followed.get(payload.partition));
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const f = this.followed.get(payload.partition);
      if (!f || f.state.isClosed || began.get(`${payload.topic}:${payload.partition}`) !== f) return;
      this.advance(f, payload.topic === itemsTopic, Number(payload.lastOffset) + 1);
      f.state.flush();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.failure = payload.error;
    });
    // kafkajs restarts a crashed consumer (a broker killed or cut off) with the positions of a fresh
    // subscription, the topics' end here: every followed partition goes back to where it stood
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const [p, f] of this.followed) this.seekTo(p, f);
    });
    await consumer.connect();
    // partitions nobody follows wait at the end; follow() seeks a partition to its state's checkpoint
    await consumer.subscribe({ topics: [itemsTopic, statusTopic], fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch, isStale }) => {
        const f = this.followed.get(batch.partition);
        if (!f || f.state.isClosed) return;
        const isItems = batch.topic === itemsTopic;
        for (const m of batch.messages) {
          // a batch fetched before the seek, or a partition that moved away meanwhile
          if (isStale() || this.followed.get(batch.partition) !== f || f.state.isClosed) return;
          const offset = Number(m.offset);
          if (offset < (isItems ? f.items : f.status)) continue;
          if (m.value) {
            if (isItems) {
              if (offset < f.ownedFrom) {
                const e = await this.o.envelopes.decode(m.value);
                f.state.applyItem(e.feedId, e.sourceEntityId, e.hash, e.deleted, minimalOfJson(e.item.fields, this.o.feed.minimalPayload));
                f.read++;
              }
            } else {
              const s = await this.o.decoder.decode<StatusRecord>(m.value);
              f.state.applyStatus(s.feedId, s.sourceEntityId, s.hash, s.status);
              f.read++;
            }
          }
          this.advance(f, isItems, offset + 1);
        }
        if (isStale() || this.followed.get(batch.partition) !== f) return;
        // transaction markers after the last record
        this.advance(f, isItems, Number(batch.lastOffset()) + 1);
        f.state.flush();
      },
    });
  }

  private advance(f: Followed, isItems: boolean, next: number): void {
    if (isItems) {
      f.items = Math.max(f.items, next);
      // our own writes past ownedFrom reach the state when their commit returns (exporter.commit)
      f.state.itemsApplied(Math.min(f.items, f.ownedFrom));
    } else {
      f.status = Math.max(f.status, next);
      f.state.statusApplied(f.status);
    }
  }

  /** Reads the partition into `state` from its checkpoint; items from `ownedFrom` on are our own writes. */
  follow(partition: number, state: FeedState, ownedFrom: number): void {
    const from = state.checkpoint;
    const f: Followed = { state, items: from.items, status: from.status, ownedFrom, read: 0 };
    this.followed.set(partition, f);
    this.seekTo(partition, f);
  }

  /** Moves the consumer to the partition's next offsets of both topics. */
  private seekTo(partition: number, f: Followed): void {
    try {
      this.consumer!.seek({ topic: this.o.itemsTopic, partition, offset: String(f.items) });
      this.consumer!.seek({ topic: this.o.statusTopic, partition, offset: String(f.status) });
    } catch (e) {
      // kafkajs 2.2.4: from a crash until its restart has joined the group again, seek throws "Consumer group
      // was not initialized, consumer#run must be called first"; the GROUP_JOIN of the restart seeks instead
      if (!/consumer#run must be called first/.test(String((e as Error).message))) throw e;
      this.o.log.info({ partition }, 'state tailer restarting after a crash: it seeks the partition when it has rejoined');
    }
  }

  unfollow(partition: number): void {
    this.followed.delete(partition);
  }

  /** Records applied to the partition's state since follow(). */
  readCount(partition: number): number {
    return this.followed.get(partition)?.read ?? 0;
  }

  /**
   * Resolves once both topics of the partition were read up to the given offsets. Reading a large
   * feed from the beginning can outlast the group session: `heartbeat` is called every second.
   */
  async caughtUp(partition: number, targets: { items: number; status: number }, signal?: AbortSignal, heartbeat?: () => Promise<void>): Promise<void> {
    const started = Date.now();
    let beat = started;
    let warned = started;
    for (;;) {
      if (this.failure) throw this.failure;
      const f = this.followed.get(partition) ?? { items: 0, status: 0 };
      if (f.items >= targets.items && f.status >= targets.status) return;
      if (Date.now() - warned > 30_000) {
        warned = Date.now();
        this.o.log.warn({ partition, items: f.items, status: f.status, targets }, 'state restore is slow: still reading the items and status topics');
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
