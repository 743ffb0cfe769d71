import { createHash } from 'node:crypto';
import type { FeedItem } from './types.js';

/** Adobe's feed_id: sha1 over the feedItemIdentifiers values joined with a NUL byte. */
export function feedId(item: FeedItem, identity: readonly string[]): string {
  const parts = identity.map((f) => {
    const v = item[f];
    return v === null || v === undefined ? '' : String(v);
  });
  return createHash('sha1').update(parts.join('\0')).digest('hex');
}

/** feedId() from the identity fields' JSON (as src/avro/json.ts captures them): the same text is hashed. */
export function feedIdOfJson(fields: Readonly<Record<string, string>>, identity: readonly string[]): string {
  const parts = identity.map((f) => {
    const v: unknown = JSON.parse(fields[f] ?? 'null');
    return v === null ? '' : String(v);
  });
  return createHash('sha1').update(parts.join('\0')).digest('hex');
}

/** sha1 of the item's JSON without the excluded fields (modifiedAt, updatedAt, ...). Key order is the schema's. */
export function itemHash(item: FeedItem, exclude: readonly string[]): string {
  const copy: FeedItem = {};
  for (const [k, v] of Object.entries(item)) if (!exclude.includes(k)) copy[k] = v;
  return createHash('sha1').update(JSON.stringify(copy)).digest('hex');
}

/** sha1 hex, as Adobe uses for customerGroupCode of non-fallback groups (and of an item's JSON bytes). */
export const sha1 = (s: string | Buffer): string => createHash('sha1').update(s).digest('hex');
