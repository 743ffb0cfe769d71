// The one composition root: builds the logger, the Kafka, registry and MySQL
// clients and the metrics, makes sure the topics exist, and hands each part what
// it needs. Nothing below this file reaches for a global.
import registryPkg, { type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Kafka } from 'kafkajs';
import type { Config } from './config/schema.js';
import { createDashboard } from './dashboard/index.js';
import type { RunResync } from './dashboard/resync.js';
import { Assembler, applyHeapGrowth } from './exporter/assembler.js';
import { createExporter } from './exporter/index.js';
import { allFeeds, resolveFeed } from './feeds/index.js';
import type { FeedDefinition } from './feeds/types.js';
import { createKafka } from './kafka/client.js';
import { ensureTopics, topicNames, type TopicSpec } from './kafka/topics.js';
import { Supervisor, type Part } from './lifecycle.js';
import { createLogger, type Logger } from './log.js';
import { Metrics } from './metrics.js';
import { EDITION_NAMES } from './mysql/edition.js';
import { createPool, type Pool } from './mysql/pool.js';
import { catalogModel } from './feeds/common/link.js';
import { preflight } from './preflight.js';
import { createPublisher } from './publisher/index.js';
import { createReader } from './reader/index.js';

const { SchemaRegistry: RegistryCtor } = registryPkg;

export type PartKind = 'reader' | 'exporter' | 'publisher' | 'dashboard';

export interface ConnectorOptions {
  /** Which kinds of parts to run; all four by default. */
  parts?: PartKind[];
  /** Feed names (any accepted spelling); default config.exporter.feeds, else every registered feed. */
  feeds?: string[];
  log?: Logger;
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

export function topicSpecs(config: Config, feeds: FeedDefinition[]): TopicSpec[] {
  const t = topicNames(config.prefix);
  const partitions = config.kafka.partitions;
  return [
    ...feeds.flatMap((f) => [
      { topic: t.changes(f.name), kind: 'changes' as const, partitions },
      { topic: t.items(f.name), kind: 'items' as const, partitions },
      { topic: t.status(f.name), kind: 'status' as const, partitions },
    ]),
    { topic: t.readerOffsets, kind: 'offsets', partitions: 1 },
  ];
}

export function createRegistry(config: Config): SchemaRegistry {
  const r = config.registry;
  return new RegistryCtor({ host: r.url, auth: r.username ? { username: r.username, password: r.password ?? '' } : undefined });
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
  const kafka: Kafka = createKafka(config, log);
  const registry = createRegistry(config);
  const metrics = new Metrics();
  const db: Pool | undefined = kinds.has('exporter') ? createPool(config.mysql) : undefined;

  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, topicSpecs(config, feeds), config.kafka.replicationFactor);
  } finally {
    await admin.disconnect();
  }

  const parts: Part[] = [];
  if (kinds.has('reader')) parts.push(createReader({ config, log, kafka, metrics }));
  if (kinds.has('exporter')) applyHeapGrowth(config.exporter.heapGrowthPercent);
  const assembler = kinds.has('exporter') && config.exporter.workers > 0 ? new Assembler(config, log, config.exporter.workers, catalog.edition) : undefined;
  if (kinds.has('exporter')) for (const feed of feeds) parts.push(createExporter({ config, log, kafka, registry, db: db!, metrics, feed, assembler, catalog }));
  if (kinds.has('publisher') && config.publisher.downstream === 'http') {
    for (const feed of feeds) parts.push(createPublisher({ config, log, kafka, registry, metrics, feed }));
  }
  // the dashboard slot: last to start, first to stop; it reads the same topics the parts write
  if (kinds.has('dashboard') && config.dashboard.enabled) {
    parts.push(createDashboard({ config, log, metrics, feeds: feeds.map((f) => f.name), parts: () => parts, resync: opts.resync }));
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
