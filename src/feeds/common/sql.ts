// SQL plumbing shared by the feed providers: every query goes through `select`
// so EXPORTER_PROFILER timings and the table prefix are handled in one place.
import type { RowDataPacket } from 'mysql2/promise';
import type { ProviderContext } from '../types.js';

export type Row = RowDataPacket;

/** Runs one query and reports its timing to the profiler under `what`. */
export async function select<T = Row>(
  ctx: ProviderContext,
  what: string,
  sql: string,
  params: unknown[],
  entities: number,
): Promise<T[]> {
  const started = performance.now();
  const [rows] = await ctx.db.query<RowDataPacket[]>(sql, params);
  ctx.profile(what, entities, performance.now() - started);
  return rows as T[];
}

/**
 * Source entity ids as unique ascending integers. Ids arrive as strings from Kafka
 * keys; anything that is not a non-negative integer cannot name a row and is dropped
 * rather than sent to SQL.
 */
export function numericIds(ids: readonly string[]): number[] {
  const out = new Set<number>();
  for (const id of ids) {
    if (/^\d+$/.test(id)) out.add(Number(id));
  }
  return [...out].sort((a, b) => a - b);
}

/** `afterId` of listIds as a number (undefined = from the start). */
export function afterNumber(afterId: string | undefined): number {
  return afterId !== undefined && /^\d+$/.test(afterId) ? Number(afterId) : -1;
}

/** Unique ids as ascending decimal strings (expand results, listIds). */
export function idStrings(values: Iterable<number | string>): string[] {
  const set = new Set<number>();
  for (const v of values) set.add(Number(v));
  return [...set].sort((a, b) => a - b).map(String);
}

/** Numeric comparator for sorting rows by an id column. */
export const byNumber = (a: number | string, b: number | string): number => Number(a) - Number(b);

/** Plain code-point comparison: locale-independent, so item order never depends on the host. */
export const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Non-null numeric value of a DECIMAL/FLOAT column (mysql2 returns them as strings), or null. */
export function toNumber(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}
