import type { Kafka } from 'kafkajs';
import type { Config } from '../../config/schema.js';
import { allFeeds } from '../../feeds/index.js';
import { FEED_NAMES } from '../../feeds/types.js';
import { CdcError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { readServerFigures, type ReaderFigures } from './binlog.js';
import type { LeaseFigures } from '../../reader/lease.js';
import type { RecordDecoder } from '../decoder.js';
import type { FeedFigures } from './tally.js';
import { StatusTracker } from './tracker.js';

// The figures of `commerce-cdc status` and the dashboard, computed from the topics
// (the state) and the server's binlog, never from a process's memory.

export interface StatusReport {
  prefix: string;
  generatedAt: string;
  /** False when the topics could not be read to their end in time (figures may be behind). */
  complete: boolean;
  feeds: FeedFigures[];
  reader: ReaderFigures & ReaderLeaseStatus;
}

/** reader.ha: which reader holds the lease and which stand by, as the group coordinator sees it. */
export interface ReaderLeaseStatus {
  /** The lease group's state (Stable, PreparingRebalance, CompletingRebalance, Empty); null: no reader of the prefix runs with reader.ha. */
  leaseState: string | null;
  /** The reader streaming now; null while none holds the lease (a takeover, or none running). */
  active: LeaseFigures['active'];
  standbys: LeaseFigures['standbys'];
}

/** What the dashboard asks for its figures. */
export interface StatusSource {
  current(): Promise<StatusReport>;
}

/** The exporter's consumer group of a feed (src/exporter uses the same name). */
export const exporterGroupId = (prefix: string, feed: string) => `${prefix}.exporter.${feed}`;

/** The configured feeds (exporter.feeds; empty = every registered feed), in Adobe's spelling. */
export function configuredFeeds(config: Config): string[] {
  if (!config.exporter.feeds.length) {
    const registered = allFeeds().map((f) => f.name);
    return registered.length ? registered : [...FEED_NAMES];
  }
  return config.exporter.feeds.map((f) => {
    const name = FEED_NAMES.find((n) => n.toLowerCase() === f.trim().toLowerCase());
    if (!name) throw new CdcError('FEED_UNKNOWN', `unknown feed "${f}" in exporter.feeds`, { fix: `use one of: ${FEED_NAMES.join(', ')}` });
    return name;
  });
}

/** Builds a report from a tracker that has read (some of) the topics. */
export async function reportFrom(tracker: StatusTracker, config: Config, complete: boolean): Promise<StatusReport> {
  const lags = await tracker.changesLag((f) => exporterGroupId(config.prefix, f));
  const feeds = tracker.feeds.map((f) => ({ ...tracker.state(f)!.figures(), changesLag: lags.get(f) ?? null }));
  let reader: ReaderFigures;
  try {
    reader = await readServerFigures(config, tracker.readerPosition());
  } catch (e) {
    reader = {
      position: tracker.readerPosition(),
      server: null,
      bytesBehind: null,
      lagSeconds: null,
      positionFileListed: null,
      binlogBytesKept: null,
      expireSeconds: null,
      purgeInSeconds: null,
      error: e instanceof CdcError ? e.toLine() : String(e),
    };
  }
  const lease = await tracker.readerLease().catch((e: unknown) => {
    reader.error ??= `reader lease: ${e instanceof Error ? e.message : String(e)}`;
    return null;
  });
  return { prefix: config.prefix, generatedAt: new Date().toISOString(), complete, feeds, reader: { ...reader, leaseState: lease?.state ?? null, active: lease?.active ?? null, standbys: lease?.standbys ?? [] } };
}

/** One-shot status: reads every items/status topic to its end offsets, then stops. */
export async function computeStatus(opts: { config: Config; log: Logger; kafka: Kafka; decoder: RecordDecoder; feeds?: string[]; timeoutMs?: number }): Promise<StatusReport> {
  const tracker = new StatusTracker({ ...opts, feeds: opts.feeds ?? configuredFeeds(opts.config) });
  try {
    await tracker.start(false);
    const complete = await tracker.caughtUp(opts.timeoutMs ?? 60_000);
    return await reportFrom(tracker, opts.config, complete);
  } finally {
    await tracker.stop();
  }
}
