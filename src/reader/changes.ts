import type { Op, Source } from '../avro/envelope.js';
import { partitionFor } from '../kafka/topics.js';
import { matchesFilters, type Route } from './mapping.js';
import type { TableEntry } from './schemas.js';

// A row change → one Kafka record per (affected feed, entity id it names).

export interface OutMessage {
  /** Feed and op, for the reader's metrics. */
  feed: string;
  op: Op;
  topic: string;
  partition: number;
  key: string;
  value: Buffer;
}

export interface ChangeContext {
  partitions: number;
  changesTopic: (feed: string) => string;
}

type Row = Record<string, unknown>;

function idOf(route: Route, row: Row | null): string | undefined {
  if (!row || !matchesFilters(row, route.when, route.unless)) return undefined;
  const v = row[route.id];
  if (v === null || v === undefined) return undefined;
  const text = Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  if (!route.json) return text;
  try {
    const value = (JSON.parse(text) as Record<string, unknown> | null)?.[route.json];
    return value === null || value === undefined || typeof value === 'object' ? undefined : String(value);
  } catch {
    return undefined;
  }
}

function idsFor(route: Route, op: Op, before: Row | null, after: Row | null): string[] {
  // an update whose id column changed names both the old and the new entity
  const old = op !== 'c' && op !== 'r' ? idOf(route, before) : undefined;
  const now = op !== 'd' ? idOf(route, after) : undefined;
  if (route.span && op === 'u') {
    // one record for the move (the staging flag: from one version to another); none when it did not move
    if (old !== undefined && now !== undefined) return old === now ? [] : [`${old}..${now}`];
  }
  const ids: string[] = [];
  if (old !== undefined) ids.push(old);
  if (now !== undefined && now !== old) ids.push(now);
  return ids;
}

/** Records for one row change; `routes` are the mapping routes of the table. */
export function rowMessages(ctx: ChangeContext, entry: TableEntry, routes: Route[], op: Op, before: Row | null, after: Row | null, source: Source, out: OutMessage[]): number {
  let head: Buffer | undefined;
  let n = 0;
  for (const route of routes) {
    const ids = idsFor(route, op, before, after);
    if (!ids.length) continue;
    head ??= entry.codec.encodeHead(op, before && entry.codec.toValue(before), after && entry.codec.toValue(after), source);
    const topic = ctx.changesTopic(route.feed);
    const header = entry.headers.get(topic);
    if (!header) continue;
    for (const id of ids) {
      const ent = entry.codec.encodeEntity({ type: route.entity, id, feed: route.feed });
      out.push({ feed: route.feed, op, topic, partition: partitionFor(id, ctx.partitions), key: id, value: Buffer.concat([header, head, ent], header.length + head.length + ent.length) });
      n++;
    }
  }
  return n;
}

/** TRUNCATE: one `t` record per feed of the table, entity id `*` (every entity of the feed). */
export function truncateMessages(ctx: ChangeContext, entry: TableEntry, routes: Route[], source: Source, out: OutMessage[]): number {
  const head = entry.codec.encodeHead('t', null, null, source);
  const seen = new Set<string>();
  for (const route of routes) {
    if (seen.has(route.feed)) continue;
    seen.add(route.feed);
    const topic = ctx.changesTopic(route.feed);
    const header = entry.headers.get(topic);
    if (!header) continue;
    const ent = entry.codec.encodeEntity({ type: route.entity, id: '*', feed: route.feed });
    out.push({ feed: route.feed, op: 't', topic, partition: partitionFor('*', ctx.partitions), key: '*', value: Buffer.concat([header, head, ent]) });
  }
  return seen.size;
}

/**
 * A snapshot that does not continue from the stored position (it was purged, or snapshotMode
 * always): one `t` record with entity id `*` on every partition of the feed's changes topic,
 * marked `source.snapshot`. The changes between the two positions are not in the stream, deletes
 * among them, so every exporter partition re-checks every source id its feed table holds (those
 * gone become deleted items) and a consumer keeping a copy starts it afresh from the `r` records.
 */
export function recheckMessages(ctx: ChangeContext, entry: TableEntry, feed: string, entity: string, source: Source, out: OutMessage[]): void {
  const topic = ctx.changesTopic(feed);
  const header = entry.headers.get(topic);
  if (!header) return;
  const head = entry.codec.encodeHead('t', null, null, { ...source, snapshot: true });
  const ent = entry.codec.encodeEntity({ type: entity, id: '*', feed });
  for (let partition = 0; partition < ctx.partitions; partition++) {
    out.push({ feed, op: 't', topic, partition, key: '*', value: Buffer.concat([header, head, ent]) });
  }
}

/** Memory a batch holds while queued: payload plus the JS object and Buffer overhead of each record. */
export function messagesBytes(ms: OutMessage[]): number {
  let b = 0;
  for (const m of ms) b += m.value.length + m.key.length + 320;
  return b;
}
