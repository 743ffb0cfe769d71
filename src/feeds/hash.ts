import { hash } from 'node:crypto';
import type { FeedItem } from './types.js';

/** Adobe's feed_id: sha1 over the feedItemIdentifiers values joined with a NUL byte. */
export function feedId(item: FeedItem, identity: readonly string[]): string {
  const parts = identity.map((f) => {
    const v = item[f];
    return v === null || v === undefined ? '' : String(v);
  });
  return hash('sha1', parts.join('\0'), 'hex');
}

/** feedId() from the identity fields' JSON (as src/avro/json.ts captures them). */
export function feedIdOfJson(fields: Readonly<Record<string, string>>, identity: readonly string[]): string {
  return feedId(Object.fromEntries(identity.map((f) => [f, JSON.parse(fields[f] ?? 'null') as unknown])), identity);
}

/** sha1 hex, as Adobe uses for customerGroupCode of non-fallback groups (and of an item's JSON bytes). */
export const sha1 = (s: string | Buffer): string => hash('sha1', s, 'hex');
