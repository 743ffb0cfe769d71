import { describe, expect, it } from 'vitest';
import { parseInvalid } from '../../src/publisher/http.js';
import { downstreamItem, idempotencyKey } from '../../src/publisher/index.js';
import type { FeedDefinition } from '../../src/feeds/types.js';

describe('publisher response and payload rules', () => {
  it('reads invalidFeedItems in both shapes, ignoring indexes outside the batch', () => {
    const m = parseInvalid(
      {
        invalidFeedItems: [
          { itemIndex: 1, code: 'BAD', message: 'no sku' },
          { field: '/3/name', message: 'too long' },
          { field: '/9/name', message: 'out of range' },
          { itemIndex: 1, message: 'again' },
        ],
      },
      5,
    );
    expect([...m.keys()].sort()).toEqual([1, 3]);
    expect(m.get(1)).toBe('BAD: no sku; again');
    expect(m.get(3)).toBe('/3/name: too long');
    expect(parseInvalid({}, 3).size).toBe(0);
  });

  it('sends a deleted item as its minimal payload plus deleted: true', () => {
    const feed = { minimalPayload: ['sku', 'storeViewCode'], deletedField: 'deleted' } as unknown as FeedDefinition;
    const e = { feedId: 'f', sourceEntityId: '1', hash: 'h', writtenAt: 0, deleted: true, item: { sku: 'A', storeViewCode: 'default', name: null, deleted: true } };
    expect(downstreamItem(feed, e)).toEqual({ sku: 'A', storeViewCode: 'default', deleted: true });
    expect(downstreamItem(feed, { ...e, deleted: false })).toBe(e.item);
  });

  it('derives the Idempotency-Key from the offsets, so a resend of the same items reuses it', () => {
    expect(idempotencyKey('t', 0, 5, 9)).toBe(idempotencyKey('t', 0, 5, 9));
    expect(idempotencyKey('t', 0, 5, 9)).not.toBe(idempotencyKey('t', 1, 5, 9));
    expect(idempotencyKey('t', 0, 5, 9)).toMatch(/^[0-9a-f]{40}$/);
  });
});
