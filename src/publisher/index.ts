// The publisher of one feed: consumer group `<prefix>.publisher.<feed>` on
// `<feed>.items` (read_committed). Each batch goes downstream in requests of
// publisher.batchSize items; the statuses and the consumer offset are written in
// one Kafka transaction once every request of the batch has a final answer.
// Retryable failures are retried with backoff until they succeed; meanwhile a
// status 2 (DeliveryStatus.retrying) is written (so the dashboard shows what is pending). Partitions are
// owned through partition-bound transactional ids, as in the exporter.
import { createHash } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Config } from '../config/schema.js';
import type { FeedDefinition } from '../feeds/types.js';
import { partitionFor, topicNames } from '../kafka/topics.js';
import { scrubSecrets, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { DownstreamError } from '../errors.js';
import { retry } from '../retry.js';
import { BasePart } from '../lifecycle.js';
import { PartitionOwners } from '../stream/owner.js';
import { startGroupConsumer, withBatchRetries } from '../stream/groupConsumer.js';
import { commitWithOffsets } from '../stream/txn.js';
import { EnvelopeDecoder, loadSchema, registerCodec, STATUS_RECORD, DeliveryStatus, type EnvelopeJson, type StatusRecord, type WireCodec } from '../avro/records.js';
import { encodeBody, postBatch, type Outcome } from './http.js';
import { Semaphore } from '../stream/semaphore.js';

export interface PublisherDeps {
  config: Config;
  log: Logger;
  kafka: Kafka;
  registry: SchemaRegistry;
  metrics: Metrics;
  feed: FeedDefinition;
}

interface Pending {
  offset: number;
  feedId: string;
  sourceEntityId: string;
  hash: string;
  /** The item's JSON as it goes downstream. */
  json: Buffer;
}

/**
 * The JSON sent downstream: the item, or for a delete its minimal payload and the deleted flag.
 * The item arrives as JSON text with its minimal payload fields captured (EnvelopeDecoder).
 */
export function downstreamJson(feed: FeedDefinition, e: Pick<EnvelopeJson, 'deleted' | 'item'>): Buffer {
  if (!e.deleted) return e.item.json;
  const out: Record<string, unknown> = {};
  for (const f of feed.minimalPayload) out[f] = JSON.parse(e.item.fields[f] ?? 'null') as unknown;
  out[feed.deletedField ?? 'deleted'] = true;
  return Buffer.from(JSON.stringify(out), 'utf8');
}

/** The same items of the same offsets give the same key, so a resend after a crash is recognisable downstream. */
export function idempotencyKey(topic: string, partition: number, first: number, last: number): string {
  return createHash('sha1').update(`${topic}/${partition}/${first}-${last}`).digest('hex');
}

export function createPublisher(deps: PublisherDeps): Publisher {
  return new Publisher(deps);
}

/** How often a request that keeps being retried writes its items' status 2 again. */
const STATUS_2_EVERY_MS = 2_000;

export class Publisher extends BasePart {
  readonly name: string;
  private readonly d: PublisherDeps;
  private readonly log: Logger;
  private readonly topics: { items: string; status: string };
  private readonly groupId: string;
  private readonly url: string;
  private readonly decoder: EnvelopeDecoder;
  private readonly slots: Semaphore;
  private readonly abort = new AbortController();
  private statusCodec: WireCodec<StatusRecord> | undefined;
  private admin: Admin | undefined;
  private consumer: Consumer | undefined;
  private owners: PartitionOwners | undefined;

  constructor(d: PublisherDeps) {
    super();
    this.d = d;
    this.name = `publisher.${d.feed.name}`;
    this.log = d.log.child({ part: 'publisher', feed: d.feed.name });
    const t = topicNames(d.config.prefix);
    this.topics = { items: t.items(d.feed.name), status: t.status(d.feed.name) };
    this.groupId = `${d.config.prefix}.publisher.${d.feed.name}`;
    const route = d.config.exporter.tuning[d.feed.name]?.route ?? d.feed.route;
    this.url = `${d.config.publisher.baseUrl.replace(/\/+$/, '')}/${route.replace(/^\/+/, '')}`;
    this.decoder = new EnvelopeDecoder(d.registry, { capture: d.feed.minimalPayload });
    this.slots = new Semaphore(d.config.exporter.tuning[d.feed.name]?.publishConcurrency ?? d.config.publisher.concurrency);
  }

  private get batchSize(): number {
    return this.d.config.exporter.tuning[this.d.feed.name]?.publishBatchSize ?? this.d.config.publisher.batchSize;
  }

  protected async onStart(): Promise<void> {
    const { kafka, registry } = this.d;
    this.statusCodec = await registerCodec<StatusRecord>(registry, `${this.topics.status}-${STATUS_RECORD}`, loadSchema('schemas/status.avsc'));
    this.admin = kafka.admin();
    await this.admin.connect();
    this.owners = new PartitionOwners({
      kafka,
      admin: this.admin,
      transactionalIdPrefix: this.groupId,
      groupId: this.groupId,
      topic: this.topics.items,
      log: this.log,
    });
    this.consumer = await startGroupConsumer({
      kafka,
      config: this.d.config,
      groupId: this.groupId,
      topic: this.topics.items,
      maxBytesPerPartition: 8 * 1024 * 1024,
      owners: () => this.owners,
      log: this.log,
      onFatal: (e) => this.fail(e),
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.log.info({ operation: 'start', url: this.safeUrl() }, 'publisher started');
  }

  private safeUrl(): string {
    return scrubSecrets(this.url, [this.d.config.publisher.apiKey]);
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const p = batch.partition;
    // while a request is retried for minutes the group must still see this member alive
    const beat = () => heartbeat().catch(() => undefined);
    const retry = { owners: this.owners!, log: this.log, what: 'publisher', signal: this.abort.signal, retryScale: this.d.config.retryScale, fail: (e: unknown) => this.fail(e) };
    await withBatchRetries(retry, { batch, isRunning, isStale }, async (owned) => {
      const messages = batch.messages.filter((m) => Number(m.offset) >= owned.committed);
      const last = Number(batch.lastOffset());
      if (messages.length) await this.publish(p, owned, messages, last, beat);
      if (owned.lost) return;
      owned.committed = last + 1;
      resolveOffset(batch.lastOffset());
    });
  }

  private async publish(p: number, owned: { producer: Producer; lost: boolean }, messages: KafkaMessage[], lastOffset: number, beat: () => Promise<unknown>): Promise<void> {
    const { feed, metrics } = this.d;
    // a compacted topic may still hold several versions of an item: only the last one goes out
    const latest = new Map<string, Pending>();
    for (const m of messages) {
      if (!m.value) continue;
      const e = await this.decoder.decode(m.value);
      latest.delete(e.feedId);
      latest.set(e.feedId, { offset: Number(m.offset), feedId: e.feedId, sourceEntityId: e.sourceEntityId, hash: e.hash, json: downstreamJson(feed, e) });
    }
    const pending = [...latest.values()];
    const chunks: Pending[][] = [];
    for (let i = 0; i < pending.length; i += this.batchSize) chunks.push(pending.slice(i, i + this.batchSize));
    // status-2 writes of concurrent requests share the partition's producer: one transaction at a time
    let writes: Promise<void> = Promise.resolve();
    const writeStatuses = (records: StatusRecord[]) => {
      writes = writes.then(() => commitWithOffsets(owned.producer, [{ topic: this.topics.status, messages: this.statusMessages(records) }], undefined).then(() => undefined));
      return writes;
    };
    const results = await Promise.all(chunks.map((chunk) => this.deliver(p, chunk, writeStatuses, beat)));
    await writes;
    if (owned.lost) return;
    const statuses = results.flat();
    await commitWithOffsets(owned.producer, [{ topic: this.topics.status, messages: this.statusMessages(statuses) }], {
      groupId: this.groupId,
      topic: this.topics.items,
      partition: p,
      offset: lastOffset + 1,
    });
    for (const s of statuses) metrics.publisherStatus.inc({ feed: feed.name, status: String(s.status) });
    if (statuses.length) {
      const counts: Record<string, number> = {};
      for (const s of statuses) counts[s.status] = (counts[s.status] ?? 0) + 1;
      this.log.info({ operation: 'send', partition: p, items: statuses.length, requests: chunks.length, statuses: counts }, 'items sent');
    }
  }

  private statusMessages(records: StatusRecord[]) {
    const codec = this.statusCodec!;
    const n = this.d.config.kafka.partitions;
    return records.map((r) => ({ key: r.feedId, value: codec.encode(r), partition: partitionFor(r.sourceEntityId, n) }));
  }

  /** Sends one request until it has a final answer; returns the statuses of its items. */
  private async deliver(p: number, chunk: Pending[], writeStatuses: (r: StatusRecord[]) => Promise<void>, beat: () => Promise<unknown>): Promise<StatusRecord[]> {
    const { feed, metrics, config } = this.d;
    const key = idempotencyKey(this.topics.items, p, chunk[0]!.offset, chunk.at(-1)!.offset);
    const body = await encodeBody(chunk.map((c) => c.json), config.publisher.gzip);
    const status = (c: Pending, code: number, attempts: number, error: string | null, requestId: string | undefined): StatusRecord => ({
      feedId: c.feedId,
      sourceEntityId: c.sourceEntityId,
      hash: c.hash,
      status: code,
      attempts,
      error,
      ts_ms: Date.now(),
      requestId: requestId ?? key,
    });
    let lastStatus2 = 0;
    let lastOutcome: Outcome | undefined;
    return retry(
      async (attempt) => {
        if (attempt > 1) await beat();
        await this.slots.acquire();
        const end = metrics.publisherRequestSeconds.startTimer({ feed: feed.name });
        let outcome: Outcome;
        try {
          outcome = await postBatch(body, chunk.length, {
            url: this.url,
            idempotencyKey: key,
            apiKey: config.publisher.apiKey,
            timeoutMs: config.publisher.timeoutMs,
            gzip: config.publisher.gzip,
            signal: this.abort.signal,
          });
        } finally {
          end();
          this.slots.release();
        }
        lastOutcome = outcome;
        if (outcome.kind === 'accepted') {
          metrics.publisherLastSuccess.set({ feed: feed.name }, Date.now());
          if (outcome.invalid.size) this.log.warn({ operation: 'send', partition: p, invalid: outcome.invalid.size, idempotencyKey: key }, 'downstream flagged invalid items');
          return chunk.map((c, i) => (outcome.invalid.has(i) ? status(c, DeliveryStatus.invalid, attempt, outcome.invalid.get(i)!, outcome.requestId) : status(c, DeliveryStatus.sent, attempt, null, outcome.requestId)));
        }
        if (outcome.kind === 'rejected') {
          this.log.error({ code: 'DOWNSTREAM_REJECTED', operation: 'send', partition: p, items: chunk.length, error: outcome.error, idempotencyKey: key }, 'downstream rejected the batch (400); not retried until the items change');
          return chunk.map((c) => status(c, DeliveryStatus.rejected, attempt, outcome.error, outcome.requestId));
        }
        throw new DownstreamError('DOWNSTREAM_UNAVAILABLE', outcome.error);
      },
      {
        // until a final answer: the batch's offset is not committed before
        attempts: Infinity,
        initialMs: config.publisher.retryInitialMs,
        maxMs: config.publisher.retryMaxMs,
        scale: config.retryScale,
        signal: this.abort.signal,
        shouldRetry: (e) => e instanceof DownstreamError && e.code === 'DOWNSTREAM_UNAVAILABLE',
        onRetry: async (e, attempt, delayMs) => {
          const error = (e as Error).message;
          this.log.warn({ code: 'DOWNSTREAM_UNAVAILABLE', operation: 'send', partition: p, items: chunk.length, attempt, delayMs, error }, 'downstream unavailable; retrying');
          if (Date.now() - lastStatus2 >= STATUS_2_EVERY_MS) {
            lastStatus2 = Date.now();
            metrics.publisherStatus.inc({ feed: feed.name, status: String(DeliveryStatus.retrying) }, chunk.length);
            await writeStatuses(chunk.map((c) => status(c, DeliveryStatus.retrying, attempt, error, lastOutcome?.requestId)));
          }
        },
      },
    );
  }

  protected async onStop(): Promise<void> {
    this.abort.abort();
    await this.consumer?.disconnect().catch(() => undefined);
    await this.owners?.closeAll();
    await this.admin?.disconnect().catch(() => undefined);
    this.log.info({ operation: 'stop' }, 'publisher stopped');
  }
}
