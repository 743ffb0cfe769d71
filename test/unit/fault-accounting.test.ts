// The fault tests' "doubled": a version accepted again under another idempotency key, with no
// other version of its identity in between (test/helpers/processes.ts).
import { describe, expect, it } from 'vitest';
import { versionsUnderTwoKeys } from '../helpers/processes.js';
import { canonical } from '../helpers/e2e.js';

const p = (sku: string, name: string, key: string, updatedAt = '2026-01-01') => ({ route: 'products', idempotencyKey: key, item: { sku, storeViewCode: 'default', name, updatedAt } });

describe('versionsUnderTwoKeys', () => {
  it('counts a version sent again under another key, also when only hash-excluded fields differ', () => {
    expect(versionsUnderTwoKeys([p('a', 'A', 'k1'), p('a', 'A', 'k2')], canonical)).toHaveLength(1);
    expect(versionsUnderTwoKeys([p('a', 'A', 'k1'), p('a', 'A', 'k2', '2026-02-02')], canonical)).toHaveLength(1);
    // other identities in between do not matter
    expect(versionsUnderTwoKeys([p('a', 'A', 'k1'), p('b', 'B', 'k2'), p('a', 'A', 'k3')], canonical)).toHaveLength(1);
  });

  it('does not count a return to an earlier version, nor a request repeated with its own key', () => {
    expect(versionsUnderTwoKeys([p('a', 'A', 'k1'), p('a', 'B', 'k2'), p('a', 'A', 'k3')], canonical)).toEqual([]);
    expect(versionsUnderTwoKeys([p('a', 'A', 'k1'), p('a', 'A', 'k1')], canonical)).toEqual([]);
    // the same item JSON on two routes is two identities
    expect(versionsUnderTwoKeys([p('a', 'A', 'k1'), { ...p('a', 'A', 'k2'), route: 'variants' }], canonical)).toEqual([]);
  });
});
