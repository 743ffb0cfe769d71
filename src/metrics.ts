import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The process's Prometheus metrics; every part gets this object from createConnector. */
export class Metrics {
  readonly registry = new Registry();

  readonly readerLagMs = new Gauge({ name: 'cdc_reader_lag_ms', help: 'Time between a binlog event and its commit to Kafka (last transaction), ms', registers: [this.registry] });
  readonly readerEvents = new Counter({ name: 'cdc_reader_events_total', help: 'Change events produced', labelNames: ['feed', 'op'] as const, registers: [this.registry] });
  readonly readerQueueBytes = new Gauge({ name: 'cdc_reader_queue_bytes', help: 'Bytes waiting to be produced', registers: [this.registry] });
  readonly readerTransactions = new Counter({ name: 'cdc_reader_transactions_total', help: 'Kafka transactions committed by the reader', registers: [this.registry] });
  readonly readerVisibilityChecks = new Counter({ name: 'cdc_reader_visibility_checks_total', help: 'Checks, before a Kafka commit, that the last binlog transaction in it is visible to other sessions: visible, committed (locked by a later transaction, the change already visible), waited, timeout or unchecked', labelNames: ['result'] as const, registers: [this.registry] });
  readonly readerVisibilityWaitMs = new Counter({ name: 'cdc_reader_visibility_wait_ms_total', help: 'Time spent waiting for binlog transactions to become visible before committing them to Kafka, ms', registers: [this.registry] });
  readonly readerPositionTs = new Gauge({ name: 'cdc_reader_position_timestamp_ms', help: 'Binlog timestamp of the last committed position', registers: [this.registry] });

  readonly exporterItemsWritten = new Counter({ name: 'cdc_exporter_items_written_total', help: 'Items written to the items topic', labelNames: ['feed'] as const, registers: [this.registry] });
  readonly exporterItemsDeduped = new Counter({ name: 'cdc_exporter_items_deduped_total', help: 'Items assembled but unchanged (not written)', labelNames: ['feed'] as const, registers: [this.registry] });
  readonly exporterItemsDeleted = new Counter({ name: 'cdc_exporter_items_deleted_total', help: 'Deleted items written', labelNames: ['feed'] as const, registers: [this.registry] });
  readonly exporterBatchSeconds = new Histogram({ name: 'cdc_exporter_batch_seconds', help: 'Time per slice of a consumed batch (one transaction), from the start of its assembly to its commit', labelNames: ['feed'] as const, buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10], registers: [this.registry] });

  readonly publisherStatus = new Counter({ name: 'cdc_publisher_items_total', help: 'Items by delivery status (200, 400, 1, 2)', labelNames: ['feed', 'status'] as const, registers: [this.registry] });
  readonly publisherRequestSeconds = new Histogram({ name: 'cdc_publisher_request_seconds', help: 'Downstream request time', labelNames: ['feed'] as const, buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10], registers: [this.registry] });
  readonly publisherLastSuccess = new Gauge({ name: 'cdc_publisher_last_success_timestamp_ms', help: 'Time of the last accepted batch', labelNames: ['feed'] as const, registers: [this.registry] });

  readonly verifyDifferences = new Gauge({ name: 'cdc_verify_differences', help: 'Identities the last `commerce-cdc verify` found differing, missing, to delete or undelivered (0: the feed equals a fresh assembly)', labelNames: ['feed'] as const, registers: [this.registry] });
  readonly verifyTimestamp = new Gauge({ name: 'cdc_verify_last_run_timestamp_seconds', help: 'When the last `commerce-cdc verify` of the feed finished', labelNames: ['feed'] as const, registers: [this.registry] });

  readonly kafkajsFastPath = new Gauge({ name: 'cdc_kafkajs_fast_path', help: "1 when kafkajs runs with the faster produce and fetch code (src/kafka/kafkajs.ts), 0 when it runs its own (another kafkajs version)", registers: [this.registry] });

  constructor(opts: { defaults?: boolean } = {}) {
    if (opts.defaults ?? true) collectDefaultMetrics({ register: this.registry });
  }
}
