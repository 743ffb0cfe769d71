// The resync's limit: the feed provider's own SQL alone for the same id batches. A first pass runs
// the provider (its own code, unchanged) on a context whose pool records every statement it sends
// (all provider SQL goes through feeds/common/sql.ts `select` → ctx.db.query) and how many of the
// batch's earlier statements had answered when it was sent; the timed pass sends the recorded
// statements again, each once as many answers are in (so what the provider had in flight together
// is in flight together again), `threads` batches at once, rows read and dropped. No building,
// hashing, Avro, state or Kafka.
import type { Pool } from '../../mysql/pool.js';
import type { Config } from '../../config/schema.js';
import type { FeedDefinition, ProviderContext } from '../../feeds/types.js';
import { inChunks } from '../../exporter/assemble.js';
import { exporterTuning } from '../../exporter/index.js';
import { partitionFor } from '../../kafka/topics.js';
import { cpuWindow, printCpu, stackPids } from './lib-cpu.js';

/** A provider statement and the number of the batch's statements that had answered when it was sent. */
interface Statement {
  sql: string;
  params: unknown[];
  after: number;
  /** It failed when the provider sent it (the provider handles that, e.g. an optional table): failing again is expected. */
  failed?: boolean;
}

/** Every source id of the feed, ascending (what a resync triggers). */
export async function listAllIds(feed: FeedDefinition, ctx: ProviderContext): Promise<string[]> {
  const ids: string[] = [];
  for (let after: string | undefined; ; ) {
    const page = await feed.provider.listIds(after, 10_000, ctx);
    if (!page.length) return ids;
    ids.push(...page);
    after = page.at(-1);
  }
}

/** The exporter's provider batches of a resync of `ids`: per changes-topic partition, in order, batchSize each. */
function idBatches(config: Config, feed: FeedDefinition, ids: string[]): string[][] {
  const { batchSize } = exporterTuning(config, feed);
  const byPartition = new Map<number, string[]>();
  for (const id of ids) {
    const p = partitionFor(id, config.kafka.partitions);
    let list = byPartition.get(p);
    if (!list) byPartition.set(p, (list = []));
    list.push(id);
  }
  const out: string[][] = [];
  for (const list of byPartition.values()) for (let i = 0; i < list.length; i += batchSize) out.push(list.slice(i, i + batchSize));
  return out;
}

/** Runs the provider on one batch, recording the statements it sends. */
async function record(feed: FeedDefinition, ids: string[], ctx: ProviderContext): Promise<Statement[]> {
  const statements: Statement[] = [];
  let answered = 0;
  const pool = ctx.db;
  const recording = {
    query: (sql: string, params: unknown[]) => {
      const s: Statement = { sql, params, after: answered };
      statements.push(s);
      return pool
        .query(sql, params)
        .catch((e: unknown) => {
          s.failed = true;
          throw e;
        })
        .finally(() => answered++);
    },
  } as unknown as Pool;
  await feed.provider.assemble(ids, { ...ctx, db: recording });
  return statements;
}

/** Sends a batch's statements as the provider did: each once `after` of them have answered. */
function replay(db: Pool, statements: Statement[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let answered = 0;
    let next = 0;
    const pump = (): void => {
      if (answered === statements.length) return resolve();
      while (next < statements.length && statements[next]!.after <= answered) {
        const s = statements[next++]!;
        const answer = (): void => {
          answered++;
          pump();
        };
        db.query(s.sql, s.params).then(answer, (e: unknown) => (s.failed ? answer() : reject(e)));
      }
    };
    pump();
  });
}

export interface SqlResult {
  batches: number;
  statements: number;
  seconds: number;
}

/** The provider SQL of a resync of `ids` alone: recorded per batch (untimed), then sent again and timed. */
export async function providerSqlSeconds(config: Config, feed: FeedDefinition, ids: string[], ctx: ProviderContext): Promise<SqlResult> {
  const recorded: Statement[][] = [];
  for (const b of idBatches(config, feed, ids)) recorded.push(await record(feed, b, ctx));
  const started = performance.now();
  await inChunks(recorded, 1, exporterTuning(config, feed).threads, async ([statements]) => {
    await replay(ctx.db, statements!);
    return [];
  });
  return { batches: recorded.length, statements: recorded.reduce((n, s) => n + s.length, 0), seconds: (performance.now() - started) / 1000 };
}

/**
 * `BENCH exporter.resync.<feed>.sql_items_per_s` (the resync's items over the SQL-alone time) and
 * `.vs_sql` (SQL-alone time / resync time, goal >= 0.5), with the CPU lines of the SQL window.
 */
export async function printSqlLimit(config: Config, feed: FeedDefinition, ctx: ProviderContext, resync: { items: number; seconds: number }): Promise<void> {
  const ids = await listAllIds(feed, ctx);
  const endCpu = cpuWindow(stackPids());
  const sql = await providerSqlSeconds(config, feed, ids, ctx);
  const cpu = endCpu();
  console.log(`${feed.name} provider SQL alone: ${sql.statements} statements in ${sql.batches} batches of ${ids.length} ids in ${sql.seconds.toFixed(1)} s (the resync took ${resync.seconds.toFixed(1)} s)`);
  console.log(`BENCH exporter.resync.${feed.name}.sql_items_per_s=${Math.round(resync.items / sql.seconds)}`);
  console.log(`BENCH exporter.resync.${feed.name}.vs_sql=${(sql.seconds / resync.seconds).toFixed(2)}`);
  printCpu(`exporter.resync.${feed.name}.sql`, cpu, resync.items);
}
