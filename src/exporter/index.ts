// The exporter of one feed: consumer group `<prefix>.exporter.<feed>` on
// `<feed>.changes`; per batch it writes items (and expansion triggers) to Kafka
// and commits the consumer offset in the same transaction. See owner.ts for how
// a partition changes hands without losing or duplicating anything.
import avro from 'avsc';
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Config } from '../config/schema.js';
import type { FeedDefinition, ProviderContext } from '../feeds/types.js';
import { topicNames, partitionFor } from '../kafka/topics.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { mysqlError, type Pool } from '../mysql/pool.js';
import { isRetriable } from '../errors.js';
import { kafkaFailure, KafkaFailure } from '../kafka/errors.js';
import { BasePart } from '../lifecycle.js';
import { providerContext } from './context.js';
import type { CatalogModel } from '../feeds/common/link.js';
import { builtItem } from './assemble.js';
import type { Assembler } from './assembler.js';
import { FeedState } from './state.js';
import { openPartitionState } from './restore.js';
import { StateTailer } from './tailer.js';
import { PartitionOwners } from '../stream/owner.js';
import { startGroupConsumer, withBatchRetries, type BatchRetryOptions } from '../stream/groupConsumer.js';
import { commitWithOffsets } from '../stream/txn.js';
import { finishChanges, prepareChanges, remember, type BatchInput, type PreparedChanges } from './batch.js';
import { EnvelopeDecoder, encodeEnvelope, envelopeRecord, itemEnvelopeSchema, loadSchema, registerCodec, STATUS_RECORD, TRIGGER_RECORD, WireDecoder, type ItemEnvelope, type StatusRecord, type TriggerRecord, type WireCodec } from '../avro/records.js';
import { maxMessageBytesOrDefault } from '../kafka/limits.js';
import { splitBySize, tooLargeStatus, type EncodedItem } from './oversize.js';

export interface ExporterDeps {
  config: Config;
  log: Logger;
  kafka: Kafka;
  registry: SchemaRegistry;
  db: Pool;
  metrics: Metrics;
  feed: FeedDefinition;
  /** Assembly worker threads; provider batches run in this thread without them. */
  assembler?: Assembler | undefined;
  /** The catalog's edition (detected at start): how providers read product and category values. */
  catalog: CatalogModel;
}

export function exporterTuning(config: Config, feed: FeedDefinition): { batchSize: number; threads: number } {
  const t = config.exporter.tuning[feed.name];
  return { batchSize: t?.batchSize ?? feed.batchSize ?? config.exporter.batchSize, threads: t?.threads ?? feed.threads ?? config.exporter.threads };
}

export function createExporter(deps: ExporterDeps): Exporter {
  return new Exporter(deps);
}

export class Exporter extends BasePart {
  readonly name: string;
  /** The feed state of each owned partition (restored when the partition is acquired). */
  private readonly states = new Map<number, FeedState>();
  private readonly d: ExporterDeps;
  private readonly log: Logger;
  private readonly topics: { changes: string; items: string; status: string };
  private readonly groupId: string;
  private readonly ctx: ProviderContext;
  private readonly decoder: WireDecoder;
  private readonly itemType: avro.Type;
  private readonly extendedLog: boolean;
  private readonly progressEveryMs: number;
  private admin: Admin | undefined;
  private consumer: Consumer | undefined;
  private tailer: StateTailer | undefined;
  private owners: PartitionOwners | undefined;
  private envelope: WireCodec<ItemEnvelope> | undefined;
  private triggerCodec: WireCodec<TriggerRecord> | undefined;
  private statusCodec: WireCodec<StatusRecord> | undefined;
  /** The items topic's max.message.bytes: a larger item gets a status 1 instead (oversize.ts). */
  private maxItemBytes = 0;
  private readonly progress = new Map<number, { at: number; processed: number; synced: number; deleted: number; started: number }>();
  private readonly abort = new AbortController();

  constructor(d: ExporterDeps) {
    super();
    this.d = d;
    this.name = `exporter.${d.feed.name}`;
    this.log = d.log.child({ part: 'exporter', feed: d.feed.name });
    const t = topicNames(d.config.prefix);
    this.topics = { changes: t.changes(d.feed.name), items: t.items(d.feed.name), status: t.status(d.feed.name) };
    this.groupId = `${d.config.prefix}.exporter.${d.feed.name}`;
    this.ctx = providerContext(d.db, this.log, d.config.mysql.tablePrefix, d.catalog, d.config.exporter.profiler);
    this.decoder = new WireDecoder(d.registry);
    this.itemType = avro.Type.forSchema(loadSchema(d.feed.schemaFile) as avro.Schema);
    this.extendedLog = d.config.exporter.extendedLog;
    this.progressEveryMs = (d.config.exporter.logProgressInterval ?? 5) * 1000;
  }

  protected async onStart(): Promise<void> {
    const { kafka, registry, feed } = this.d;
    this.envelope = await registerCodec<ItemEnvelope>(registry, `${this.topics.items}-${envelopeRecord(feed.name)}`, itemEnvelopeSchema(feed));
    this.triggerCodec = await registerCodec<TriggerRecord>(registry, `${this.topics.changes}-${TRIGGER_RECORD}`, loadSchema('schemas/trigger.avsc'));
    this.statusCodec = await registerCodec<StatusRecord>(registry, `${this.topics.status}-${STATUS_RECORD}`, loadSchema('schemas/status.avsc'));
    this.admin = kafka.admin();
    await this.admin.connect();
    await this.readItemLimit();
    this.tailer = new StateTailer({
      kafka,
      decoder: this.decoder,
      envelopes: new EnvelopeDecoder(this.d.registry, { capture: feed.minimalPayload }),
      feed,
      itemsTopic: this.topics.items,
      statusTopic: this.topics.status,
      groupPrefix: this.groupId,
      log: this.log,
    });
    await this.tailer.start();
    this.owners = new PartitionOwners({
      kafka,
      admin: this.admin,
      transactionalIdPrefix: this.groupId,
      groupId: this.groupId,
      topic: this.topics.changes,
      log: this.log,
      onAcquire: (p, heartbeat) => this.restore(p, heartbeat),
      onRelease: (p, revoked) => this.release(p, revoked),
    });
    this.consumer = await startGroupConsumer({
      kafka,
      config: this.d.config,
      groupId: this.groupId,
      topic: this.topics.changes,
      maxBytesPerPartition: 1024 * 1024,
      owners: () => this.owners,
      log: this.log,
      onFatal: (e) => this.fail(e),
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.log.info({ operation: 'start', status: 'Initialize', topic: this.topics.changes }, 'exporter started');
  }

  /**
   * After fencing: the partition's store (rebuilt when it is missing or does not match the topics), then the
   * items and status topics from its checkpoint up to their last stable offsets.
   */
  private async restore(partition: number, heartbeat?: () => Promise<void>): Promise<void> {
    const started = Date.now();
    await this.release(partition, false);
    const { state, target } = await openPartitionState({ config: this.d.config, feed: this.d.feed, admin: this.admin!, topics: this.topics, partition, log: this.log });
    this.states.set(partition, state);
    this.tailer!.follow(partition, state, target.items);
    await this.tailer!.caughtUp(partition, target, this.abort.signal, heartbeat);
    state.flush();
    const from = state.store.checkpoint;
    this.log.info({ operation: 'restore', partition, ...target, read: this.tailer!.readCount(partition), checkpoint: from, elapsed: Date.now() - started }, 'partition state restored');
  }

  /** The partition went to another member (its store is removed), or is closed for a retry or a stop (kept). */
  private async release(partition: number, revoked: boolean): Promise<void> {
    this.tailer?.unfollow(partition);
    const state = this.states.get(partition);
    if (!state) return;
    this.states.delete(partition);
    await state.close(revoked).catch((e: unknown) => this.log.warn({ partition, err: e }, 'closing the partition state store failed'));
  }

  /** Records the tailer applied to the partition's state since it was acquired (tests: a restart reads only the tail). */
  restoredRecords(partition: number): number {
    return this.tailer?.readCount(partition) ?? 0;
  }

  private stateOf(p: number): FeedState {
    const state = this.states.get(p);
    if (!state) throw new Error(`exporter.${this.d.feed.name}: no state for partition ${p} (released)`);
    return state;
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const p = batch.partition;
    // a missed heartbeat only means a rebalance may move the partition; the fencing makes finishing the slice safe
    const beat = () => heartbeat().catch((e: unknown) => this.log.debug({ partition: p, err: e }, 'heartbeat failed'));
    const size = this.sliceSize();
    await withBatchRetries(this.retryOptions(), { batch, isRunning, isStale, heartbeat: beat }, async (owned) => {
      const messages = batch.messages.filter((m) => Number(m.offset) >= owned.committed);
      // bounded work per transaction: a resync's batch of thousands of triggers is committed in slices
      const slices: Array<{ messages: typeof messages; end: number }> = [];
      for (let i = 0; i < messages.length; i += size) {
        const part = messages.slice(i, i + size);
        slices.push({ messages: part, end: i + size >= messages.length ? Number(batch.lastOffset()) : Number(part.at(-1)!.offset) });
      }
      // the next slice is assembled while this one is deduped and committed (assembly does not read the state)
      let ahead = slices[0] ? this.prepare(p, slices[0].messages, beat) : undefined;
      try {
        for (let i = 0; i < slices.length && !owned.lost; i++) {
          const prepared = await ahead!;
          ahead = slices[i + 1] ? this.prepare(p, slices[i + 1]!.messages, beat) : undefined;
          await this.commit(p, owned, prepared, slices[i]!.end, batch.highWatermark, beat);
          if (owned.lost) return;
          owned.committed = slices[i]!.end + 1;
          resolveOffset(String(slices[i]!.end));
        }
      } finally {
        // a slice assembled ahead of a failed or lost one is dropped: the retry starts from the committed offset
        ahead?.catch(() => undefined);
      }
      if (owned.lost) return;
      owned.committed = Math.max(owned.committed, Number(batch.lastOffset()) + 1);
      resolveOffset(batch.lastOffset());
    });
  }

  private retryOptions(): BatchRetryOptions {
    return { owners: this.owners!, log: this.log, what: 'exporter', signal: this.abort.signal, retryScale: this.d.config.retryScale, fatal: (e) => !this.retriable(e), fail: (e) => this.fail(e) };
  }

  /** Change records per transaction: `threads` provider batches (bounds memory and the time between commits). */
  private sliceSize(): number {
    const t = exporterTuning(this.d.config, this.d.feed);
    return Math.max(100, t.batchSize * t.threads);
  }

  private batchInput(p: number, heartbeat: () => Promise<void>): BatchInput {
    const { feed, config } = this.d;
    return {
      feed,
      itemType: this.itemType,
      state: this.stateOf(p),
      ctx: this.ctx,
      decoder: this.decoder,
      partition: p,
      partitions: config.kafka.partitions,
      tuning: exporterTuning(config, feed),
      heartbeat,
      runner: this.d.assembler ? (f, chunk) => this.d.assembler!.run(f, chunk) : undefined,
    };
  }

  private prepare(p: number, messages: KafkaMessage[], heartbeat: () => Promise<void>): Promise<{ prepared: PreparedChanges; started: number }> {
    const started = Date.now();
    return prepareChanges(this.batchInput(p, heartbeat), messages).then((prepared) => ({ prepared, started }));
  }

  private async commit(
    p: number,
    owned: { producer: import('kafkajs').Producer; lost: boolean },
    { prepared, started }: { prepared: PreparedChanges; started: number },
    lastOffset: number,
    highWatermark: string,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const { feed, metrics, config } = this.d;
    const out = await finishChanges(this.batchInput(p, heartbeat), prepared);
    if (owned.lost) return;
    const env = this.envelope!;
    const trig = this.triggerCodec!;
    const state = this.stateOf(p);
    const { fit, tooLarge } = await this.bySize(out.items.map((e) => ({ item: e, message: { key: e.feedId, value: encodeEnvelope(env, e, e.bytes), partition: e.partition } })));
    const ends = await commitWithOffsets(
      owned.producer,
      [
        { topic: this.topics.items, messages: fit.map((e) => e.message) },
        { topic: this.topics.changes, messages: out.triggers.map((t) => ({ key: t.entity.id, value: trig.encode(t), partition: partitionFor(t.entity.id, config.kafka.partitions) })) },
        { topic: this.topics.status, messages: tooLarge.map((e) => ({ key: e.item.feedId, value: this.statusCodec!.encode(tooLargeStatus(e, this.maxItemBytes, this.topics.items, Date.now())), partition: e.item.partition })) },
      ],
      { groupId: this.groupId, topic: this.topics.changes, partition: p, offset: lastOffset + 1 },
    );
    // the status 1 records reach the state through the tailer, as the publisher's do
    for (const { item } of fit) remember(state, item);
    const itemsEnd = ends.get(`${this.topics.items}:${p}`);
    if (itemsEnd !== undefined) state.itemsApplied(itemsEnd);
    state.flush();
    metrics.exporterItemsWritten.inc({ feed: feed.name }, fit.length);
    metrics.exporterItemsTooLarge.inc({ feed: feed.name }, tooLarge.length);
    metrics.exporterItemsDeduped.inc({ feed: feed.name }, out.deduped);
    metrics.exporterItemsDeleted.inc({ feed: feed.name }, out.deleted);
    metrics.exporterBatchSeconds.observe({ feed: feed.name }, (Date.now() - started) / 1000);
    if (this.extendedLog) for (const { item: e } of fit) this.log.info({ operation: out.operation, feedId: e.feedId, deleted: e.deleted, payload: builtItem(this.itemType, e) }, 'item written');
    this.logProgress(p, out, lastOffset + 1, Number(highWatermark), started);
  }

  private async readItemLimit(): Promise<void> {
    this.maxItemBytes = (await maxMessageBytesOrDefault(this.admin!, [this.topics.items], this.log)).get(this.topics.items)!;
  }

  /**
   * The items the items topic takes, and those too large for it. Before refusing one the limit is read
   * again: an operator who raised max.message.bytes after the first refusal needs no restart.
   */
  private async bySize(items: EncodedItem[]): Promise<ReturnType<typeof splitBySize>> {
    let split = splitBySize(items, this.maxItemBytes);
    if (!split.tooLarge.length) return split;
    await this.readItemLimit();
    split = splitBySize(items, this.maxItemBytes);
    for (const e of split.tooLarge) {
      this.log.error(
        { code: 'ITEM_TOO_LARGE', operation: 'write', feedId: e.item.feedId, sourceEntityId: e.item.sourceEntityId, hash: e.item.hash, bytes: e.bytes, limit: this.maxItemBytes, topic: this.topics.items },
        'item larger than the items topic takes: not written, status 1 instead',
      );
    }
    return split;
  }

  private logProgress(p: number, out: { processed: number; items: unknown[]; deleted: number; triggers: unknown[]; operation: string }, done: number, total: number, started: number): void {
    const now = Date.now();
    const acc = this.progress.get(p) ?? { at: now, processed: 0, synced: 0, deleted: 0, started };
    acc.processed += out.processed;
    acc.synced += out.items.length;
    acc.deleted += out.deleted;
    this.progress.set(p, acc);
    const caughtUp = done >= total;
    if (!caughtUp && now - acc.at < this.progressEveryMs) return;
    if (acc.processed === 0 && acc.synced === 0 && out.triggers.length === 0) return;
    this.log.info(
      {
        operation: out.operation,
        partition: p,
        status: `Progress ${done}/${total}, processed ${acc.processed}, synced ${acc.synced}`,
        elapsed: now - acc.started,
        deleted: acc.deleted,
        triggers: out.triggers.length,
      },
      caughtUp ? 'caught up' : 'progress',
    );
    this.progress.delete(p);
  }

  private retriable(e: unknown): boolean {
    if (isRetriable(e) || kafkaFailure(e) === KafkaFailure.retriable) return true;
    // raw mysql2 errors: connection problems and query errors the pool may recover from
    return typeof (e as { code?: unknown }).code === 'string' && isRetriable(mysqlError(e, this.d.config.mysql));
  }

  protected async onStop(): Promise<void> {
    this.abort.abort();
    await this.consumer?.disconnect().catch(() => undefined);
    await this.tailer?.stop().catch(() => undefined);
    await this.owners?.closeAll();
    await this.admin?.disconnect().catch(() => undefined);
    this.log.info({ operation: 'stop', status: 'Complete' }, 'exporter stopped');
  }
}
