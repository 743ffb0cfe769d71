import type { Config } from '../../config/schema.js';
import { CdcError, RegistryError } from '../../errors.js';
import { providerContext } from '../../exporter/context.js';
import type { FeedDefinition } from '../../feeds/types.js';
import { withKafkaErrors } from '../../kafka/errors.js';
import { ensureTopics, topicNames } from '../../kafka/topics.js';
import { scrubSecrets, type Logger } from '../../log.js';
import { detectCatalog } from '../../mysql/edition.js';
import { createPool, mysqlError, type Pool } from '../../mysql/pool.js';
import { createClients, topicSpecs, type Clients } from '../../connector.js';
import { configSecrets } from '../cliContext.js';
import { createProgress, type Progress } from '../progress.js';
import { assembleTriggers } from './exporter.js';
import { listIds, maxSourceIdInItems, resolveByIds, type IdType } from './ids.js';
import { acquireFeedLock, type FeedLock } from './lock.js';
import { latestPerKey, TriggerWriter, writeRecords } from './write.js';

// `commerce-cdc resync`, option for option like `bin/magento saas:resync`.

export interface ResyncOptions {
  feed: FeedDefinition;
  noReindex?: boolean;
  cleanupFeed?: boolean;
  dryRun?: boolean;
  batchSize?: number;
  threadCount?: number;
  byIds?: string[];
  idType?: IdType;
  continueResync?: boolean;
  /** Progress bar (TTY) or log lines. */
  tty?: boolean;
  /** Send every item even when unchanged (the status page's full resync). */
  force?: boolean;
  /** The feed's lock, already taken by the caller (the status page answers 409 at once). */
  lock?: FeedLock;
  /** Ids done of the total so far, as the progress bar shows them. */
  onProgress?: (done: number, total: number) => void;
}

export interface ResyncResult {
  feed: string;
  mode: 'full' | 'by-ids' | 'no-reindex' | 'dry-run' | 'skipped';
  /** Ids triggered (full, by-ids), items rewritten (no-reindex) or items assembled (dry-run). */
  count: number;
  ids?: number;
  tombstones?: number;
  unknownIds?: string[];
  lockedBy?: string;
  exporterInProcess?: boolean;
  elapsedMs: number;
}

function registryError(e: unknown, config: Config): unknown {
  if (e instanceof CdcError) return e;
  return new RegistryError('REGISTRY_UNREACHABLE', scrubSecrets(`cannot register the trigger schema at ${config.registry.url}: ${String((e as Error).message ?? e).split('\n')[0]}`, configSecrets(config)), {
    fix: 'check registry.url (CDC_REGISTRY_URL) and registry.username/password, and that the registry runs',
    cause: e,
  });
}

async function withPool<T>(config: Config, fn: (db: Pool) => Promise<T>): Promise<T> {
  const db = createPool(config.mysql);
  try {
    return await fn(db);
  } catch (e) {
    throw e instanceof CdcError ? e : (e as { errno?: unknown }).errno !== undefined || (e as { code?: unknown }).code !== undefined ? mysqlError(e, config.mysql) : e;
  } finally {
    await db.end().catch(() => undefined);
  }
}

export async function resync(config: Config, log: Logger, o: ResyncOptions, clients: Clients = createClients(config, log)): Promise<ResyncResult> {
  const started = Date.now();
  const feed = o.feed;
  const names = topicNames(config.prefix);
  const rlog = log.child({ feed: feed.name, operation: 'resync' });
  const lock = o.lock ?? (await acquireFeedLock(config, feed.name));
  if ('heldBy' in lock) {
    rlog.warn({ status: 'skipped', lockedBy: lock.heldBy }, `operation skipped - process locked by ${lock.heldBy}`);
    return { feed: feed.name, mode: 'skipped', count: 0, lockedBy: lock.heldBy, elapsedMs: Date.now() - started };
  }
  try {
    rlog.info({ status: 'Initialize', options: { ...o, feed: feed.name } }, 'resync started');
    const r = await withKafkaErrors(config, () => run(config, rlog, o, clients, names));
    const result = { ...r, feed: feed.name, elapsedMs: Date.now() - started };
    rlog.info({ status: 'Complete', ...result, elapsed: result.elapsedMs }, 'resync finished');
    return result;
  } finally {
    await lock.release();
  }
}

async function run(config: Config, log: Logger, o: ResyncOptions, clients: Clients, names: ReturnType<typeof topicNames>): Promise<Omit<ResyncResult, 'feed' | 'elapsedMs'>> {
  const feed = o.feed;
  const { kafka, registry, decoder } = clients;
  const groupPrefix = `${config.prefix}.ops.resync.${feed.name}`;

  if (o.noReindex && !o.cleanupFeed) {
    // resend what the feed table holds: no database reads at all
    const latest = (await latestPerKey(kafka, [names.items(feed.name)], groupPrefix)).get(names.items(feed.name))!;
    const records = [...latest].filter(([, v]) => v.value !== null).map(([key, v]) => ({ key, partition: v.partition, value: v.value }));
    if (o.dryRun) return { mode: 'dry-run', count: records.length };
    await writeRecords(kafka, names.items(feed.name), records);
    log.info({ status: 'Progress', items: records.length }, 'items re-written for the publisher to resend');
    return { mode: 'no-reindex', count: records.length };
  }

  return withPool(config, async (db) => {
    const ctx = providerContext(db, log, config.mysql.tablePrefix, await detectCatalog(db, config.mysql), config.exporter.profiler);
    let ids: string[] | undefined;
    let unknownIds: string[] | undefined;
    if (o.byIds) {
      const r = await resolveByIds(feed, o.byIds, o.idType ?? 'sku', ctx);
      if (r.unknown.length) log.warn({ unknown: r.unknown }, `--by-ids: not found: ${r.unknown.join(', ')}`);
      if (!r.ids.length) throw new CdcError('CLI_USAGE', `--by-ids: none of ${o.byIds.join(', ')} exists`, { fix: 'check the ids and --id-type (sku or productId)' });
      ids = r.ids;
      unknownIds = r.unknown;
    }

    if (o.dryRun) return { mode: 'dry-run' as const, ...(await dryRun(o, log, ctx, ids)), unknownIds };

    // the registry first: an unreachable registry must not leave topics behind
    const writer = new TriggerWriter({ kafka, registry, changesTopic: names.changes(feed.name), feed, partitions: config.kafka.partitions });
    await writer.openCodec().catch((e: unknown) => {
      throw registryError(e, config);
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, topicSpecs(config, [feed]), config.kafka.replicationFactor);
    } finally {
      await admin.disconnect();
    }

    let tombstones = 0;
    if (o.cleanupFeed) {
      const latest = await latestPerKey(kafka, [names.items(feed.name), names.status(feed.name)], groupPrefix);
      for (const [topic, keys] of latest) {
        tombstones += await writeRecords(kafka, topic, [...keys].filter(([, v]) => v.value !== null).map(([key, v]) => ({ key, partition: v.partition, value: null })));
      }
      log.warn({ status: 'Progress', tombstones }, 'feed cleaned up: items and statuses tombstoned');
    }

    let afterId: string | undefined;
    if (o.continueResync && !ids) {
      afterId = await maxSourceIdInItems(kafka, decoder, names.items(feed.name), groupPrefix);
      log.info({ afterId: afterId ?? null }, afterId ? `continuing after source id ${afterId}` : 'nothing in the items topic: full resync');
    }

    const progress = withListener(createProgress({ log, feed: feed.name, operation: ids ? 'partial resync by ids' : 'full sync', tty: o.tty, intervalS: config.exporter.logProgressInterval }), o.onProgress);
    let count = 0;
    try {
      await writer.open();
      // after a cleanup the exporter may still hold the old hashes: force the items out
      const force = Boolean(ids) || Boolean(o.cleanupFeed) || Boolean(o.force);
      if (ids) {
        await writer.write(ids, 'by-ids', true);
        count = ids.length;
      } else {
        for await (const page of listIds(feed, ctx, afterId)) {
          await writer.write(page, 'resync', force);
          count += page.length;
          progress.setTotal(count);
        }
      }
      progress.setTotal(count);
      log.info({ status: 'Progress', ids: count }, 'triggers written');
      const { inProcess } = await assembleTriggers({
        config, log, clients, feed, changesTopic: names.changes(feed.name), batchSize: o.batchSize, threads: o.threadCount, progress, total: count,
      });
      return { mode: ids ? ('by-ids' as const) : ('full' as const), count, ids: count, tombstones, unknownIds, exporterInProcess: inProcess };
    } finally {
      progress.stop();
      await writer.close();
    }
  });
}

function withListener(p: Progress, listener: ResyncOptions['onProgress']): Progress {
  if (!listener) return p;
  let total = 0;
  return {
    setTotal(t) {
      total = t;
      p.setTotal(t);
      listener(0, t);
    },
    update(done, extra) {
      p.update(done, extra);
      listener(done, total);
    },
    stop: () => p.stop(),
  };
}

/** Assembles the items of every id (or the listed ones) and logs their payloads; writes and sends nothing. */
async function dryRun(o: ResyncOptions, log: Logger, ctx: ReturnType<typeof providerContext>, only: string[] | undefined): Promise<{ count: number; ids: number }> {
  const batchSize = o.batchSize ?? o.feed.batchSize;
  const threads = o.threadCount ?? o.feed.threads;
  let items = 0;
  let idCount = 0;
  const pages: AsyncIterable<string[]> = only ? (async function* () { yield only; })() : listIds(o.feed, ctx, undefined);
  for await (const page of pages) {
    const batches: string[][] = [];
    for (let i = 0; i < page.length; i += batchSize) batches.push(page.slice(i, i + batchSize));
    for (let i = 0; i < batches.length; i += threads) {
      const results = await Promise.all(batches.slice(i, i + threads).map((b) => o.feed.provider.assemble(b, ctx)));
      for (const r of results) {
        for (const a of r) log.info({ status: 'dry run', sourceEntityId: a.sourceEntityId, item: a.item }, 'payload');
        items += r.length;
      }
    }
    idCount += page.length;
  }
  return { count: items, ids: idCount };
}
