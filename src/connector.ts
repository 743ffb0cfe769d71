// The one composition root: builds the logger, the Kafka, registry and MySQL
// clients and the metrics, makes sure the topics exist, and hands each part what
// it needs. Nothing below this file reaches for a global; the ops commands build
// their clients with the same createClients.
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Kafka } from 'kafkajs';
import { createRegistry, RegistryClient } from './avro/registry.js';
import type { Config } from './config/schema.js';
import { createDashboard } from './dashboard/index.js';
import type { RunResync } from './dashboard/resync.js';
import { Assembler, applyHeapGrowth } from './exporter/assembler.js';
import { createExporter } from './exporter/index.js';
import { allFeeds, resolveFeed } from './feeds/index.js';
import type { FeedDefinition } from './feeds/types.js';
import { createKafka } from './kafka/client.js';
import { reportFastPath } from './kafka/kafkajs.js';
import { KafkaFailure, kafkaFailure } from './kafka/errors.js';
import { retry } from './retry.js';
import { ensureTopics, topicNames, type TopicSpec } from './kafka/topics.js';
import { Supervisor, type Part } from './lifecycle.js';
import { createLogger, type Logger } from './log.js';
import { Metrics } from './metrics.js';
import { EDITION_NAMES } from './mysql/edition.js';
import { createPool, type Pool } from './mysql/pool.js';
import { catalogModel } from './feeds/common/link.js';
import { preflight } from './preflight.js';
import { createPublisher } from './publisher/index.js';
import { createLeasedReader, createReader } from './reader/index.js';
import { buildMapping, loadMappingDocs } from './reader/mapping.js';
import { createDecoder, type RecordDecoder } from './ops/decoder.js';

export type PartKind = 'reader' | 'exporter' | 'publisher' | 'dashboard';

export interface ConnectorOptions {
  /** Which kinds of parts to run; all four by default. */
  parts?: PartKind[];
  /** Feed names (any accepted spelling); default config.exporter.feeds, else every registered feed. */
  feeds?: string[];
  log?: Logger;
  /** Clients built by the caller (tests); default createClients(config, log). */
  clients?: Clients;
  metrics?: Metrics;
  /** The status page's Resync action; `run` passes src/ops/resync (the dashboard cannot import it: it builds a connector). */
  resync?: RunResync;
}

export interface Connector {
  parts: Part[];
  supervisor: Supervisor;
  metrics: Metrics;
  feeds: FeedDefinition[];
  log: Logger;
  /** Stops every part and releases the clients. */
  close(): Promise<void>;
}

export function selectFeeds(config: Config, names: string[] | undefined): FeedDefinition[] {
  const wanted = names?.length ? names : config.exporter.feeds;
  return wanted.length ? [...new Map(wanted.map((n) => resolveFeed(n)).map((f) => [f.name, f])).values()] : allFeeds();
}

/** The topics of these feeds, the changes topics of `changesOf` (the feeds the reader maps) and the reader's offsets. */
export function topicSpecs(config: Config, feeds: FeedDefinition[], changesOf: string[] = []): TopicSpec[] {
  const t = topicNames(config.prefix);
  const partitions = config.kafka.partitions;
  const names = new Set(feeds.map((f) => f.name as string));
  return [
    ...feeds.flatMap((f) => [
      { topic: t.changes(f.name), kind: 'changes' as const, partitions },
      { topic: t.items(f.name), kind: 'items' as const, partitions },
      { topic: t.status(f.name), kind: 'status' as const, partitions },
    ]),
    ...[...new Set(changesOf)].filter((f) => !names.has(f)).map((f) => ({ topic: t.changes(f), kind: 'changes' as const, partitions })),
    { topic: t.readerOffsets, kind: 'offsets', partitions: 1 },
    ...(config.reader.ha.enabled ? [{ topic: t.readerLease, kind: 'lease' as const, partitions: 1 }] : []),
  ];
}

/** The clients a process talks to Kafka and the registry with, built once. */
export interface Clients {
  kafka: Kafka;
  /** The library client: lookups by id, decoding, the fixed records. */
  registry: SchemaRegistry;
  /** The reader's table envelope subjects (src/avro/registry.ts says why a second client). */
  subjects: RegistryClient;
  /** Decodes any registered record (status, resync). */
  decoder: RecordDecoder;
}

export function createClients(config: Config, log: Logger): Clients {
  const registry = createRegistry(config);
  return { kafka: createKafka(config, log), registry, subjects: new RegistryClient(config.registry), decoder: createDecoder(registry, config) };
}

/**
 * Creates the topics, once, before any part starts: changes, items and status of these feeds, and
 * with the reader the changes topic of every feed its mapping names (it writes them all).
 */
export async function ensureConnectorTopics(kafka: Kafka, config: Config, feeds: FeedDefinition[], withReader: boolean): Promise<void> {
  const mapped = withReader ? buildMapping(loadMappingDocs(config.reader.connector)).feeds.map((f) => f.feed as string) : [];
  const admin = kafka.admin();
  await admin.connect();
  try {
    // a broker may not know a topic it has just created yet (UNKNOWN_TOPIC_OR_PARTITION while kafkajs waits for
    // the leaders): the next attempt finds it created
    await retry(() => ensureTopics(admin, topicSpecs(config, feeds, mapped), config.kafka.replicationFactor), {
      scale: config.retryScale,
      shouldRetry: (e) => kafkaFailure(e) === KafkaFailure.retriable,
    });
  } finally {
    await admin.disconnect();
  }
}

export async function createConnector(config: Config, opts: ConnectorOptions = {}): Promise<Connector> {
  const kinds = new Set<PartKind>(opts.parts ?? ['reader', 'exporter', 'publisher', 'dashboard']);
  const log = opts.log ?? createLogger({ level: config.logLevel });
  const feeds = selectFeeds(config, opts.feeds);
  // every service the parts use is checked before a topic or schema is created
  const { edition } = await preflight(config, {
    log,
    needs: {
      mysql: kinds.has('reader') || kinds.has('exporter'),
      binlog: kinds.has('reader'),
      edition: kinds.has('exporter'),
      kafka: true,
      registry: kinds.has('reader') || kinds.has('exporter') || (kinds.has('publisher') && config.publisher.downstream === 'http'),
    },
  });
  if (edition) log.info({ edition: edition.edition, evidence: edition.evidence }, `catalog edition: ${EDITION_NAMES[edition.edition]}`);
  const catalog = catalogModel(edition?.edition ?? 'opensource');
  const { kafka, registry, subjects, decoder } = opts.clients ?? createClients(config, log);
  const metrics = opts.metrics ?? new Metrics();
  reportFastPath(log, metrics.kafkajsFastPath);
  const db: Pool | undefined = kinds.has('exporter') ? createPool(config.mysql) : undefined;
  // a reader-only process makes the reader's topics only
  const onlyReader = kinds.size === 1 && kinds.has('reader');
  await ensureConnectorTopics(kafka, config, onlyReader ? [] : feeds, kinds.has('reader'));

  const parts: Part[] = [];
  if (kinds.has('reader')) parts.push((config.reader.ha.enabled ? createLeasedReader : createReader)({ config, log, kafka, metrics, registry: subjects }));
  if (kinds.has('exporter')) applyHeapGrowth(config.exporter.heapGrowthPercent);
  const assembler = kinds.has('exporter') && config.exporter.workers > 0 ? new Assembler(config, log, config.exporter.workers, catalog.edition) : undefined;
  if (kinds.has('exporter')) for (const feed of feeds) parts.push(createExporter({ config, log, kafka, registry, db: db!, metrics, feed, assembler, catalog }));
  if (kinds.has('publisher') && config.publisher.downstream === 'http') {
    for (const feed of feeds) parts.push(createPublisher({ config, log, kafka, registry, metrics, feed }));
  }
  // the dashboard slot: last to start, first to stop; it reads the same topics the parts write
  if (kinds.has('dashboard') && config.dashboard.enabled) {
    parts.push(createDashboard({ config, log, metrics, kafka, decoder, feeds: feeds.map((f) => f.name), parts: () => parts, resync: opts.resync }));
  }

  // the worker threads start last: a part that failed to construct leaves no thread keeping the process alive
  assembler?.warm(feeds.map((f) => f.name));
  const supervisor = new Supervisor(parts, log);
  let closing: Promise<void> | undefined;
  return {
    parts,
    supervisor,
    metrics,
    feeds,
    log,
    close() {
      closing ??= (async () => {
        await supervisor.stop();
        await assembler?.close().catch(() => undefined);
        await db?.end().catch(() => undefined);
      })();
      return closing;
    },
  };
}
