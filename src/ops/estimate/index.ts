import type { Config } from '../../config/schema.js';
import { providerContext } from '../../exporter/context.js';
import { exporterTuning } from '../../exporter/index.js';
import type { FeedDefinition, ProviderContext } from '../../feeds/types.js';
import type { Logger } from '../../log.js';
import { detectCatalog } from '../../mysql/edition.js';
import { createPool, mysqlError } from '../../mysql/pool.js';
import { listIds } from '../resync/ids.js';

// `commerce-cdc estimate`: how big a feed is and how long a full resync takes here,
// measured by assembling a sample of ids on this machine, next to Adobe's
// published rate (commerce-feeds.md §4: about 10,000 products per minute, 50,000
// prices per minute).

export interface Scopes {
  storeViews: number;
  websites: number;
  customerGroups: number;
  stocks: number;
}

export interface Estimate {
  feed: string;
  entities: number;
  sourceEntity: string;
  scopes: Scopes;
  /** What Adobe's worked examples multiply: entities × the feed's scopes. */
  scopeFormula: string;
  scopeItems: number;
  sample: { ids: number; items: number; seconds: number; itemsPerSecond: number };
  /** entities × items per id measured in the sample. */
  expectedItems: number;
  /** Full resync assembly time at the measured rate (seconds). */
  seconds: number;
  adobe: { itemsPerMinute: number; seconds: number };
  batchSize: number;
  threads: number;
}

async function count(ctx: ProviderContext, sql: string): Promise<number> {
  try {
    const [[row]] = (await ctx.db.query(sql)) as unknown as [[{ n: number | string }]];
    return Number(row?.n ?? 0);
  } catch (e) {
    // MSI tables are optional in a Commerce install: no table, the default stock only
    if ((e as { code?: string }).code === 'ER_NO_SUCH_TABLE') return 0;
    throw e;
  }
}

export async function countScopes(ctx: ProviderContext): Promise<Scopes> {
  const [storeViews, websites, customerGroups, stocks] = await Promise.all([
    count(ctx, `SELECT COUNT(*) AS n FROM ${ctx.t('store')} WHERE store_id <> 0`),
    count(ctx, `SELECT COUNT(*) AS n FROM ${ctx.t('store_website')} WHERE website_id <> 0`),
    count(ctx, `SELECT COUNT(*) AS n FROM ${ctx.t('customer_group')}`),
    count(ctx, `SELECT COUNT(*) AS n FROM ${ctx.t('inventory_stock')}`),
  ]);
  return { storeViews, websites, customerGroups, stocks: Math.max(stocks, 1) };
}

/** Adobe's sizing rule per feed (help/data-export/estimate-data-volume-sync-time.md). */
export function scopeItems(feed: string, entities: number, s: Scopes): { formula: string; items: number } {
  switch (feed) {
    case 'products':
    case 'productAttributes':
    case 'categories':
      return { formula: `${entities} × ${s.storeViews} store views`, items: entities * s.storeViews };
    case 'prices':
    case 'productOverrides':
      return { formula: `${entities} × ${s.websites} websites × ${s.customerGroups} customer groups`, items: entities * s.websites * s.customerGroups };
    case 'inventoryStockStatus':
      return { formula: `${entities} × ${s.stocks} stocks`, items: entities * s.stocks };
    default:
      return { formula: `${entities} entities`, items: entities };
  }
}

export const adobeItemsPerMinute = (feed: string) => (feed === 'prices' ? 50_000 : 10_000);

/** Evenly spread ids over the whole range, so the sample is not only the oldest entities. */
export function spread(ids: string[], n: number): string[] {
  if (ids.length <= n) return ids;
  const step = ids.length / n;
  return Array.from({ length: n }, (_, i) => ids[Math.floor(i * step)]!);
}

export async function estimate(config: Config, log: Logger, feed: FeedDefinition, o: { sample?: number; batchSize?: number; threads?: number } = {}): Promise<Estimate> {
  const db = createPool(config.mysql);
  try {
    const ctx = providerContext(db, log, config.mysql.tablePrefix, await detectCatalog(db, config.mysql), config.exporter.profiler);
    const ids: string[] = [];
    for await (const page of listIds(feed, ctx, undefined, 50_000)) ids.push(...page);
    const scopes = await countScopes(ctx);
    const tuning = exporterTuning(config, feed);
    const batchSize = o.batchSize ?? tuning.batchSize;
    const threads = o.threads ?? tuning.threads;
    const sampleIds = spread(ids, o.sample ?? 500);
    const batches: string[][] = [];
    for (let i = 0; i < sampleIds.length; i += batchSize) batches.push(sampleIds.slice(i, i + batchSize));
    const t0 = process.hrtime.bigint();
    let items = 0;
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(threads, batches.length) }, async () => {
        while (next < batches.length) items += (await feed.provider.assemble(batches[next++]!, ctx)).length;
      }),
    );
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const itemsPerSecond = seconds > 0 ? items / seconds : 0;
    const expectedItems = sampleIds.length ? Math.round((ids.length * items) / sampleIds.length) : 0;
    const sc = scopeItems(feed.name, ids.length, scopes);
    const perMin = adobeItemsPerMinute(feed.name);
    const result: Estimate = {
      feed: feed.name,
      entities: ids.length,
      sourceEntity: feed.sourceEntity,
      scopes,
      scopeFormula: sc.formula,
      scopeItems: sc.items,
      sample: { ids: sampleIds.length, items, seconds: Math.round(seconds * 1000) / 1000, itemsPerSecond: Math.round(itemsPerSecond) },
      expectedItems,
      seconds: itemsPerSecond > 0 ? Math.round((expectedItems / itemsPerSecond) * 10) / 10 : 0,
      adobe: { itemsPerMinute: perMin, seconds: Math.round((expectedItems / perMin) * 60 * 10) / 10 },
      batchSize,
      threads,
    };
    log.info({ feed: feed.name, operation: 'estimate', status: 'Complete', elapsed: Math.round(seconds * 1000), ...result.sample }, 'estimate');
    return result;
  } catch (e) {
    throw (e as { sqlMessage?: unknown }).sqlMessage !== undefined || (e as { errno?: unknown }).errno !== undefined ? mysqlError(e, config.mysql) : e;
  } finally {
    await db.end().catch(() => undefined);
  }
}
