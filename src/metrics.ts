import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

// Prometheus wants base units (seconds) and `promtool check metrics` rejects `_ms`
// names; the parts measure in milliseconds, so these adapters take ms and store s.
const msGauge = (g: Gauge) => ({ set: (ms: number) => g.set(ms / 1000) });
const msGaugeBy = <L extends string>(g: Gauge<L>) => ({ set: (labels: Partial<Record<L, string>>, ms: number) => g.set(labels, ms / 1000) });
const msCounter = (c: Counter) => ({ inc: (ms: number) => c.inc(ms / 1000) });

// prom-client's totals of the per-type nodejs_active_* gauges: gauges named `_total`,
// which Prometheus reserves for counters (`promtool check metrics`); the per-type ones stay.
const MISNAMED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** The process's Prometheus metrics; every part gets this object from createConnector. */
export class Metrics {
  readonly registry = new Registry();

  /** Set in ms. */
  readonly readerLagMs = msGauge(new Gauge({ name: 'cdc_reader_lag_seconds', help: 'Time between the last committed binlog transaction and its commit to Kafka, seconds', registers: [this.registry] }));
  readonly readerEvents = new Counter({ name: 'cdc_reader_events_total', help: 'Change events the reader wrote to <prefix>.<feed>.changes, by feed and op (c, u, d, r, t)', labelNames: ['feed', 'op'] as const, registers: [this.registry] });
  readonly readerQueueBytes = new Gauge({ name: 'cdc_reader_queue_bytes', help: 'Bytes of change events waiting to be produced to Kafka (the binlog stream pauses at reader.maxQueueBytes)', registers: [this.registry] });
  readonly readerSnapshots = new Counter({ name: 'cdc_reader_snapshots_total', help: 'Snapshots the reader started, by reason: initial (no stored position), resumed (an interrupted one continued), purged (the stored position was purged and snapshotMode is when_needed or always), always (snapshotMode always)', labelNames: ['reason'] as const, registers: [this.registry] });
  readonly readerTransactions = new Counter({ name: 'cdc_reader_transactions_total', help: 'Kafka transactions committed by the reader', registers: [this.registry] });
  readonly readerVisibilityChecks = new Counter({ name: 'cdc_reader_visibility_checks_total', help: 'Checks, before a Kafka commit, that the last binlog transaction in it is visible to other sessions: visible, committed (locked by a later transaction, the change already visible), waited, timeout or unchecked', labelNames: ['result'] as const, registers: [this.registry] });
  /** Incremented in ms. */
  readonly readerVisibilityWaitMs = msCounter(new Counter({ name: 'cdc_reader_visibility_wait_seconds_total', help: 'Time spent waiting for binlog transactions to become visible before committing them to Kafka, seconds', registers: [this.registry] }));
  /** Set in ms since the epoch. */
  readonly readerPositionTs = msGauge(new Gauge({ name: 'cdc_reader_position_timestamp_seconds', help: 'Binlog timestamp of the last position committed to Kafka, Unix seconds', registers: [this.registry] }));
  readonly readerActive = new Gauge({ name: 'cdc_reader_active', help: 'With reader.ha.enabled: 1 while this reader holds the lease and streams, 0 while it stands by', labelNames: ['instance'] as const, registers: [this.registry] });

  readonly exporterItemsWritten = new Counter({ name: 'cdc_exporter_items_written_total', help: 'Items the exporter wrote to <prefix>.<feed>.items because their hash changed', labelNames: ['feed'] as const, registers: [this.registry] });
  readonly exporterItemsDeduped = new Counter({ name: 'cdc_exporter_items_deduped_total', help: 'Items the exporter assembled but did not write: same hash as the last one sent', labelNames: ['feed'] as const, registers: [this.registry] });
  readonly exporterItemsDeleted = new Counter({ name: 'cdc_exporter_items_deleted_total', help: 'Items the exporter wrote as deleted (their identity disappeared from the database)', labelNames: ['feed'] as const, registers: [this.registry] });
  readonly exporterItemsTooLarge = new Counter({ name: 'cdc_exporter_items_too_large_total', help: 'Items larger than the items topic takes (max.message.bytes): not written, a status 1 written instead (ITEM_TOO_LARGE)', labelNames: ['feed'] as const, registers: [this.registry] });
  readonly exporterBatchSeconds = new Histogram({ name: 'cdc_exporter_batch_seconds', help: 'Time per slice of a consumed batch (one transaction), from the start of its assembly to its commit, seconds', labelNames: ['feed'] as const, buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10], registers: [this.registry] });

  readonly publisherStatus = new Counter({ name: 'cdc_publisher_items_total', help: 'Items the publisher sent, by the status downstream gave them: 200 accepted, 400 batch refused, 1 invalid item, 2 retrying', labelNames: ['feed', 'status'] as const, registers: [this.registry] });
  readonly publisherRequestSeconds = new Histogram({ name: 'cdc_publisher_request_seconds', help: 'Time of one downstream request, seconds', labelNames: ['feed'] as const, buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10], registers: [this.registry] });
  /** Set in ms since the epoch. */
  readonly publisherLastSuccess = msGaugeBy(new Gauge({ name: 'cdc_publisher_last_success_timestamp_seconds', help: 'Time the downstream last accepted a batch, Unix seconds', labelNames: ['feed'] as const, registers: [this.registry] }));

  readonly verifyDifferences = new Gauge({ name: 'cdc_verify_differences', help: 'Identities the last `commerce-cdc verify` found differing, missing, to delete or undelivered (0: the feed equals a fresh assembly)', labelNames: ['feed'] as const, registers: [this.registry] });
  readonly verifyTimestamp = new Gauge({ name: 'cdc_verify_last_run_timestamp_seconds', help: 'When the last `commerce-cdc verify` of the feed finished', labelNames: ['feed'] as const, registers: [this.registry] });

  readonly kafkajsFastPath = new Gauge({ name: 'cdc_kafkajs_fast_path', help: "1 when kafkajs runs with the faster produce and fetch code (src/kafka/kafkajs.ts), 0 when it runs its own (another kafkajs version)", registers: [this.registry] });

  constructor(opts: { defaults?: boolean } = {}) {
    if (opts.defaults ?? true) {
      collectDefaultMetrics({ register: this.registry });
      for (const name of MISNAMED_DEFAULTS) this.registry.removeSingleMetric(name);
    }
  }
}
