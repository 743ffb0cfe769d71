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

/** String(value) of a JSON scalar as feedId() takes it ('' for null); a string without escapes is its text between the quotes. */
function identityText(json: string | undefined): string {
  if (json === undefined || json === 'null') return '';
  if (json.charCodeAt(0) === 0x22 && !json.includes('\\')) return json.slice(1, -1);
  const v = JSON.parse(json) as unknown;
  return v === null || v === undefined ? '' : String(v);
}

/** feedId() from the identity fields' JSON (as src/avro/json.ts captures them). */
export function feedIdOfJson(fields: Readonly<Record<string, string>>, identity: readonly string[]): string {
  return hash('sha1', identity.map((f) => identityText(fields[f])).join('\0'), 'hex');
}

/** sha1 hex, as Adobe uses for customerGroupCode of non-fallback groups (and of an item's JSON bytes). */
export const sha1 = (s: string | Buffer): string => hash('sha1', s, 'hex');
