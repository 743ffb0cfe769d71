import type { Op, Source, TableCodec } from '../avro/envelope.js';
import { singleRecordBatchBytes } from '../kafka/limits.js';
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
  /** `cdc.truncated` when values were cut short to fit the topic (CHANGE_VALUE_TRUNCATED). */
  headers?: Record<string, string>;
}

/** What was cut from a change record to fit its topic: `after.value=16000000` (image.field=original bytes). */
export interface Truncation {
  topic: string;
  table: string;
  key: string;
  /** Bytes of the record before and after the cut, and the topic's max.message.bytes. */
  bytes: number;
  fitted: number;
  limit: number;
  cut: string[];
}

export interface ChangeContext {
  partitions: number;
  changesTopic: (feed: string) => string;
  /** Each changes topic's max.message.bytes; a topic absent here is not checked. */
  maxMessageBytes?: ReadonlyMap<string, number>;
  /** Largest produce request (record bytes) whose per-partition batch fits every changes topic. */
  maxRequestBytes?: number;
  /** Told about every record whose values were cut short to fit (the reader logs it). */
  onTruncated?: (t: Truncation) => void;
}

export const TRUNCATED_HEADER = 'cdc.truncated';

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
      const m: OutMessage = { feed: route.feed, op, topic, partition: partitionFor(id, ctx.partitions), key: id, value: Buffer.concat([header, head, ent], header.length + head.length + ent.length) };
      const limit = ctx.maxMessageBytes?.get(topic);
      out.push(limit !== undefined && singleRecordBatchBytes(m) > limit ? fitted(ctx, entry, m, limit, { op, before, after, source, header, ent }) : m);
      n++;
    }
  }
  return n;
}

/** Room left in a record for the `cdc.truncated` header beside the cut images. */
const HEADER_ROOM = 512;

/**
 * The record again with its images' longest string and bytes values cut short until it fits `limit`:
 * the exporter assembles items from the database, so a change record needs the entity, not the whole
 * text (a 16 MB description would otherwise fail the reader's transaction on every restart).
 */
function fitted(
  ctx: ChangeContext,
  entry: TableEntry,
  m: OutMessage,
  limit: number,
  r: { op: Op; before: Row | null; after: Row | null; source: Source; header: Buffer; ent: Buffer },
): OutMessage {
  const rest = singleRecordBatchBytes({ key: m.key, value: Buffer.concat([r.header, r.ent]) }) + HEADER_ROOM;
  const { head, cut } = cutImages(entry.codec, r.op, r.before, r.after, r.source, limit - rest);
  const out: OutMessage = { ...m, value: Buffer.concat([r.header, head, r.ent]), headers: { [TRUNCATED_HEADER]: cut.join(',') } };
  ctx.onTruncated?.({ topic: m.topic, table: entry.codec.table, key: m.key, bytes: singleRecordBatchBytes(m), fitted: singleRecordBatchBytes(out), limit, cut });
  return out;
}

/** The envelope head with the longest string/bytes values of before/after cut until it is at most maxBytes; `cut` names them. */
export function cutImages(codec: Pick<TableCodec, 'toValue' | 'encodeHead'>, op: Op, before: Row | null, after: Row | null, source: Source, maxBytes: number): { head: Buffer; cut: string[] } {
  const images: Record<'before' | 'after', Row | null> = { before: before && codec.toValue(before), after: after && codec.toValue(after) };
  const original = new Map<string, number>();
  let head = codec.encodeHead(op, images.before, images.after, source);
  while (head.length > maxBytes) {
    let longest: { image: 'before' | 'after'; field: string; bytes: number } | undefined;
    for (const image of ['before', 'after'] as const) {
      for (const [field, v] of Object.entries(images[image] ?? {})) {
        const bytes = typeof v === 'string' ? Buffer.byteLength(v) : Buffer.isBuffer(v) ? v.length : 0;
        if (bytes > (longest?.bytes ?? 0)) longest = { image, field, bytes };
      }
    }
    // nothing left to cut: the broker refuses the record and says so
    if (!longest) break;
    const name = `${longest.image}.${longest.field}`;
    if (!original.has(name)) original.set(name, longest.bytes);
    const keep = Math.max(0, longest.bytes - (head.length - maxBytes));
    const img = images[longest.image]!;
    const v = img[longest.field];
    img[longest.field] = typeof v === 'string' ? utf8Prefix(v, keep) : (v as Buffer).subarray(0, keep);
    head = codec.encodeHead(op, images.before, images.after, source);
  }
  return { head, cut: [...original].map(([name, bytes]) => `${name}=${bytes}`) };
}

/** The longest prefix of s whose UTF-8 encoding is at most `bytes` long (never half a character). */
export function utf8Prefix(s: string, bytes: number): string {
  const b = Buffer.from(s, 'utf8');
  if (b.length <= bytes) return s;
  let end = bytes;
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.toString('utf8', 0, end);
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
