import { randomBytes } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Config } from '../../config/schema.js';
import { topicNames } from '../../kafka/topics.js';
import type { Logger } from '../../log.js';
import type { ReaderPosition } from './binlog.js';
import { describeLease, type LeaseFigures } from '../../reader/lease.js';
import type { RecordDecoder } from '../decoder.js';
import { FeedTally, type ItemRecord, type StatusRecord } from './tally.js';

// Tails the items and status topics of every feed (and the reader's position) with
// read_committed, keeping the latest record per key. `status` reads to the high
// watermarks once; the dashboard keeps it running. A topic created later (the
// connector starting after the dashboard) restarts the consumer with it included.

type Kind = 'items' | 'status' | 'offsets';

interface Target {
  topic: string;
  partition: number;
  high: number;
}

export interface StatusTrackerOptions {
  config: Config;
  log: Logger;
  kafka: Kafka;
  decoder: RecordDecoder;
  feeds: readonly string[];
  /** How often to look for new topics while running (ms). */
  topicRefreshMs?: number;
}

export class StatusTracker {
  readonly feeds: readonly string[];
  private readonly o: StatusTrackerOptions;
  private readonly names: ReturnType<typeof topicNames>;
  private readonly topicKind = new Map<string, { kind: Kind; feed: string }>();
  private states = new Map<string, FeedTally>();
  private position: ReaderPosition | null = null;
  /** Highest offset seen per topic:partition, control records included. */
  private progress = new Map<string, number>();
  private admin: Admin | undefined;
  private consumer: Consumer | undefined;
  private subscribed: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private failure: unknown;
  private restarting: Promise<void> | undefined;

  constructor(o: StatusTrackerOptions) {
    this.o = o;
    this.feeds = o.feeds;
    this.names = topicNames(o.config.prefix);
    for (const feed of o.feeds) {
      this.topicKind.set(this.names.items(feed), { kind: 'items', feed });
      this.topicKind.set(this.names.status(feed), { kind: 'status', feed });
    }
    this.topicKind.set(this.names.readerOffsets, { kind: 'offsets', feed: '' });
    this.reset();
  }

  private reset(): void {
    this.states = new Map(this.feeds.map((f) => [f, new FeedTally(f)]));
    this.position = null;
    this.progress = new Map();
  }

  state(feed: string): FeedTally | undefined {
    return this.states.get(feed);
  }

  readerPosition(): ReaderPosition | null {
    return this.position;
  }

  /** Topics of this prefix that exist now. */
  async existingTopics(): Promise<string[]> {
    const all = await this.admin!.listTopics();
    return all.filter((t) => this.topicKind.has(t)).sort();
  }

  async start(follow = false): Promise<void> {
    this.admin = this.o.kafka.admin();
    await this.admin.connect();
    await this.subscribe(await this.existingTopics());
    if (follow) {
      this.timer = setInterval(() => void this.refreshTopics(), this.o.topicRefreshMs ?? 5000);
      this.timer.unref();
    }
  }

  private async refreshTopics(): Promise<void> {
    if (this.restarting) return;
    try {
      const topics = await this.existingTopics();
      if (topics.join() === this.subscribed.join()) return;
      this.o.log.info({ operation: 'status', topics: topics.length }, 'new topics: re-reading the feed state');
      this.restarting = (async () => {
        await this.consumer?.disconnect();
        this.reset();
        await this.subscribe(topics);
      })();
      await this.restarting;
    } catch (e) {
      this.o.log.warn({ operation: 'status', err: e }, 'cannot refresh the status topics');
    } finally {
      this.restarting = undefined;
    }
  }

  private async subscribe(topics: string[]): Promise<void> {
    this.subscribed = topics;
    this.consumer = undefined;
    if (!topics.length) return;
    // a throwaway group: the tracker always reads from the beginning and never commits
    const consumer = this.o.kafka.consumer({
      groupId: `${this.o.config.prefix}.ops.status.${randomBytes(4).toString('hex')}`,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 250,
      sessionTimeout: 30_000,
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.lastOffset !== null) this.advance(payload.topic, payload.partition, Number(payload.lastOffset));
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({ autoCommit: false, partitionsConsumedConcurrently: 4, eachBatch: (p) => this.onBatch(p) });
    this.consumer = consumer;
  }

  private advance(topic: string, partition: number, offset: number): void {
    const k = `${topic}:${partition}`;
    if ((this.progress.get(k) ?? -1) < offset) this.progress.set(k, offset);
  }

  private async onBatch({ batch }: EachBatchPayload): Promise<void> {
    const t = this.topicKind.get(batch.topic);
    if (!t) return;
    for (const m of batch.messages) {
      const key = m.key?.toString('utf8') ?? '';
      try {
        if (t.kind === 'offsets') {
          if (m.value) this.position = JSON.parse(m.value.toString('utf8')) as ReaderPosition;
        } else {
          const rec = m.value ? await this.o.decoder.decode(m.value) : null;
          const st = this.states.get(t.feed)!;
          if (t.kind === 'items') st.applyItem(key, rec && toItem(rec));
          else st.applyStatus(key, rec && toStatus(rec));
        }
      } catch (e) {
        this.failure ??= e;
        this.o.log.error({ operation: 'status', topic: batch.topic, offset: m.offset, err: e }, 'cannot decode a record');
      }
      this.advance(batch.topic, batch.partition, Number(m.offset));
    }
  }

  /** Resolves true once every partition is read up to the end offsets taken now; false on timeout. */
  async caughtUp(timeoutMs = 30_000): Promise<boolean> {
    await this.restarting;
    const targets: Target[] = [];
    for (const topic of this.subscribed) {
      for (const p of await this.admin!.fetchTopicOffsets(topic)) {
        if (Number(p.high) > Number(p.low)) targets.push({ topic, partition: p.partition, high: Number(p.high) });
      }
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.failure) throw this.failure;
      if (targets.every((t) => (this.progress.get(`${t.topic}:${t.partition}`) ?? -1) >= t.high - 1)) return true;
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** reader.ha: the lease group's members (null: no reader of the prefix runs with reader.ha). */
  readerLease(): Promise<LeaseFigures | null> {
    return describeLease(this.admin!, this.o.config.prefix);
  }

  /** Committed-offset lag of the exporter group on each feed's changes topic (null when the group has none). */
  async changesLag(groupIdOf: (feed: string) => string): Promise<Map<string, number | null>> {
    const out = new Map<string, number | null>();
    const existing = new Set(await this.admin!.listTopics());
    for (const feed of this.feeds) {
      const topic = this.names.changes(feed);
      if (!existing.has(topic)) {
        out.set(feed, null);
        continue;
      }
      const [ends, [committed]] = await Promise.all([
        this.admin!.fetchTopicOffsets(topic),
        this.admin!.fetchOffsets({ groupId: groupIdOf(feed), topics: [topic] }),
      ]);
      const parts = committed?.partitions ?? [];
      if (!parts.some((p) => Number(p.offset) >= 0)) {
        out.set(feed, null);
        continue;
      }
      let lag = 0;
      for (const e of ends) {
        const c = Number(parts.find((p) => p.partition === e.partition)?.offset ?? -1);
        lag += Math.max(0, Number(e.high) - (c >= 0 ? c : Number(e.low)));
      }
      out.set(feed, lag);
    }
    return out;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.restarting;
    await this.consumer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }
}

const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : Number(v ?? 0));

function toItem(r: Record<string, unknown>): ItemRecord {
  return {
    feedId: String(r.feedId),
    sourceEntityId: String(r.sourceEntityId),
    hash: String(r.hash),
    deleted: r.deleted === true,
    writtenAt: num(r.writtenAt),
  };
}

function toStatus(r: Record<string, unknown>): StatusRecord {
  return {
    feedId: String(r.feedId),
    sourceEntityId: String(r.sourceEntityId),
    hash: String(r.hash),
    status: num(r.status),
    attempts: num(r.attempts),
    error: typeof r.error === 'string' ? r.error : null,
    ts_ms: num(r.ts_ms),
    requestId: typeof r.requestId === 'string' ? r.requestId : null,
  };
}
