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

/** sha1 of the item's JSON without the excluded fields (modifiedAt, updatedAt, ...). Key order is the schema's. */
export function itemHash(item: FeedItem, exclude: readonly string[]): string {
  const copy: FeedItem = {};
  for (const [k, v] of Object.entries(item)) if (!exclude.includes(k)) copy[k] = v;
  return createHash('sha1').update(JSON.stringify(copy)).digest('hex');
}

/** sha1 hex, as Adobe uses for customerGroupCode of non-fallback groups. */
export const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');
