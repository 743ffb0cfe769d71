import type { FeedDefinition, FeedItem } from '../../feeds/types.js';

// What verify compares, without I/O: the items the database gives now against the
// latest item per key in the items topic and the latest status per key.

/** The latest record of a key in the items topic (the item decoded on demand). */
export interface TopicItem {
  sourceEntityId: string;
  hash: string;
  deleted: boolean;
  item(): Promise<FeedItem>;
}

/** The latest record of a key in the status topic. */
export interface TopicStatus {
  hash: string;
  status: number;
  attempts: number;
  error: string | null;
}

/** One field of an item that differs: its JSON in the fresh assembly and in the topic (null: absent). */
export interface FieldDifference {
  field: string;
  expected: string | null;
  got: string | null;
}

export type FindingKind = 'differs' | 'missing' | 'delete' | 'undelivered' | 'unassembled';

export interface Finding {
  kind: FindingKind;
  feedId: string;
  sourceEntityId: string;
  /** The identity fields as `name=value` pairs (from whichever side has the item). */
  identity: string;
  /** differs: the fields; undelivered: none. */
  fields: FieldDifference[];
  /** undelivered: the status (or its absence) and error; unassembled: why. */
  detail?: string;
}

/** JSON with the keys of every object sorted, so that two equal values print the same text. */
export function canonical(v: unknown): string {
  return JSON.stringify(sortKeys(v === undefined ? null : v));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (Buffer.isBuffer(v)) return v.toString('base64');
  if (typeof v === 'bigint') return v.toString();
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** The top-level fields whose values differ, the feed's hash-excluded fields (modifiedAt, ...) left out. */
export function fieldDifferences(feed: Pick<FeedDefinition, 'hashExclude'>, expected: FeedItem, got: FeedItem): FieldDifference[] {
  const out: FieldDifference[] = [];
  const names = [...new Set([...Object.keys(expected), ...Object.keys(got)])].filter((k) => !feed.hashExclude.includes(k));
  for (const field of names) {
    const e = field in expected ? canonical(expected[field]) : null;
    const g = field in got ? canonical(got[field]) : null;
    if (e !== g) out.push({ field, expected: e, got: g });
  }
  return out;
}

export function identityOf(feed: Pick<FeedDefinition, 'identity'>, item: FeedItem | undefined): string {
  return item ? feed.identity.map((k) => `${k}=${String(item[k])}`).join(' ') : '?';
}

/** Delivery is complete for an item version when its latest status carries that version's hash and is 200. */
export function undelivered(itemHash: string, st: TopicStatus | undefined): string | undefined {
  if (!st) return 'no delivery status';
  if (st.hash !== itemHash) return `status ${st.status} is for an older version`;
  if (st.status === 200) return undefined;
  return `status ${st.status} after ${st.attempts} attempt(s)${st.error ? `: ${st.error}` : ''}`;
}

/** A value cut for one line. */
export function short(json: string | null, max = 120): string {
  if (json === null) return '(absent)';
  return json.length > max ? `${json.slice(0, max)}… (${json.length} chars)` : json;
}

/** One line per finding. */
export function findingLine(feed: string, f: Finding): string {
  const head = `${f.kind.padEnd(11)} ${feed} [${f.identity}] source ${f.sourceEntityId} ${f.feedId.slice(0, 12)}`;
  if (f.kind === 'differs') return `${head}: ${f.fields.map((d) => `${d.field}: expected ${short(d.expected)} got ${short(d.got)}`).join('; ')}`;
  if (f.kind === 'missing') return `${head}: not in the items topic`;
  if (f.kind === 'delete') return `${head}: the database no longer gives this item; the topic holds it undeleted`;
  return `${head}: ${f.detail ?? ''}`;
}
