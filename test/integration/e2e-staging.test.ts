// Adobe Commerce scheduled updates, end to end: `commerce-cdc run` on a staging database
// seeded with scheduled updates (none current), a real receiver downstream. Each step
// moves the current version the way Commerce's staging cron does (the `flag` row; no
// catalog row changes at that moment) or deletes an update the way the admin does, then
// checks that exactly the identities whose assembly changed arrive downstream, within
// 2 s of the move, and that no future value ever arrived before its version was current.
import { describe, expect, it } from 'vitest';
import type { Connection } from 'mysql2/promise';
import { applyDueUpdates, deleteUpdate } from '../../src/tools/seed/staging.js';
import { adminConnection } from '../helpers/stack.js';
import { assembleAll, compareLatest, describeMismatches, FEEDS, receivedLatest, runHarness, waitIdle, type Snapshot } from '../helpers/e2e.js';

const SEED = { products: 30, configurables: 3, childrenPerConfigurable: 3, orders: 2, categories: 6, attributes: 4, storeViews: 3, websites: 2, customerGroups: 3 };
/** The budget from the version move to the last affected item downstream. */
const WITHIN_MS = 2000;

interface Update {
  id: number;
  name: string;
  rollbackId: number | null;
}

describe('e2e: Adobe Commerce scheduled updates (staging cron moves, deletes)', () => {
  const h = runHarness('e2estage', SEED, 'commerce');
  const alive = () => h.alive();

  async function updates(c: Connection): Promise<Update[]> {
    const [rows] = (await c.query('SELECT id, name, rollback_id FROM staging_update WHERE is_rollback IS NULL OR is_rollback = 0 ORDER BY id')) as unknown as [
      Array<{ id: number | string; name: string; rollback_id: number | string | null }>,
    ];
    return rows.map((r) => ({ id: Number(r.id), name: r.name, rollbackId: r.rollback_id === null ? null : Number(r.rollback_id) }));
  }

  /** Every identity whose assembled JSON differs between two snapshots (deleted ones included). */
  function changedBetween(a: Snapshot, b: Snapshot): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const feed of FEEDS) {
      const x = a.get(feed.name)!;
      const y = b.get(feed.name)!;
      const changed = new Set<string>();
      for (const [fid, v] of y) if (x.get(fid)?.json !== v.json) changed.add(fid);
      for (const fid of x.keys()) if (!y.has(fid)) changed.add(fid);
      out.set(feed.name, changed);
    }
    return out;
  }

  /**
   * Moves the current version (or deletes an update) at `act`, then checks: the identities whose assembly changed
   * arrived, equal to the new assembly, within WITHIN_MS of the move; nothing else was re-sent; every feed equals
   * a fresh assembly. Returns the new snapshot.
   */
  async function step(label: string, before: Snapshot, act: () => Promise<void>, expectChange: boolean): Promise<Snapshot> {
    const from = h.receiver.items.length;
    const t0 = Date.now();
    await act();
    const after = await assembleAll(h.d);
    const changed = changedBetween(before, after);
    const total = [...changed.values()].reduce((n, s) => n + s.size, 0);
    if (expectChange) expect(total, `${label}: the move changes some items`).toBeGreaterThan(0);
    else expect(total, `${label}: nothing changes`).toBe(0);
    // wait for every changed identity to arrive as assembled now
    const deadline = Date.now() + 30_000;
    let last = 0;
    for (;;) {
      const dead = alive();
      if (dead) throw new Error(`connector died: ${dead}`);
      let missing = 0;
      last = 0;
      for (const feed of FEEDS) {
        const got = receivedLatest(h.receiver, feed, from);
        const want = after.get(feed.name)!;
        for (const fid of changed.get(feed.name)!) {
          const g = got.get(fid);
          const ok = g && (want.has(fid) ? !g.deleted && compareLatest(feed, new Map([[fid, want.get(fid)!]]), new Map([[fid, g]])).length === 0 : g.deleted);
          if (!ok) missing++;
        }
      }
      if (missing === 0) break;
      if (Date.now() > deadline) throw new Error(`${label}: ${missing} changed items never arrived`);
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const r of h.receiver.items.slice(from)) last = Math.max(last, r.receivedAt);
    await waitIdle(h.d, FEEDS, { timeoutMs: 120_000, alive });
    // exactly the changed identities were re-sent, once each
    const problems: string[] = [];
    for (const feed of FEEDS) {
      const resent = receivedLatest(h.receiver, feed, from);
      const want = changed.get(feed.name)!;
      const extra = [...resent.keys()].filter((fid) => !want.has(fid));
      const twice = [...resent].filter(([, r]) => r.count > 1);
      if (extra.length) problems.push(`${feed.name}: ${extra.length} re-sent whose assembly did not change`);
      if (twice.length) problems.push(`${feed.name}: ${twice.length} re-sent more than once`);
      const mismatches = compareLatest(feed, after.get(feed.name)!, receivedLatest(h.receiver, feed));
      if (mismatches.length) problems.push(`${feed.name} downstream ≠ fresh assembly:\n${describeMismatches(mismatches)}`);
    }
    expect(problems, `${label}:\n${problems.join('\n')}`).toEqual([]);
    const elapsed = total > 0 ? last - t0 : 0;
    console.log(`[e2e-staging] ${label}: ${total} items changed (${[...changed].filter(([, s]) => s.size).map(([f, s]) => `${f} ${s.size}`).join(', ')}), last one downstream ${elapsed} ms after the move`);
    expect(elapsed, `${label}: the last changed item arrived ${elapsed} ms after the move`).toBeLessThanOrEqual(WITHIN_MS);
    return after;
  }

  /** No item received so far carries `text` (a future version's value). */
  function neverReceived(text: string): void {
    const hits = h.receiver.items.filter((r) => JSON.stringify(r.item).includes(text));
    expect(hits.map((r) => `${r.route} ${JSON.stringify(r.item).slice(0, 200)}`), `items carrying the future value "${text}"`).toEqual([]);
  }

  it('a version made current changes exactly its items within 2 s, its end reverts them, a deleted update changes nothing, no future value shows early', async () => {
    await waitIdle(h.d, FEEDS, { timeoutMs: 150_000, alive });
    let state = await assembleAll(h.d);
    for (const feed of FEEDS) expect(compareLatest(feed, state.get(feed.name)!, receivedLatest(h.receiver, feed)), `${feed.name} after the snapshot`).toEqual([]);
    const c = await adminConnection(h.database);
    try {
      const [u1, u2, u3, u4] = await updates(c);
      expect([u1, u2, u3, u4].every((u) => u !== undefined), 'the seed wrote four scheduled updates').toBe(true);
      expect(u2!.rollbackId, 'the second one is temporary').not.toBeNull();
      // the future values, as the seed wrote them into the update versions
      const [[future]] = (await c.query(
        `SELECT (SELECT v.value FROM catalog_product_entity_varchar v JOIN eav_attribute a ON a.attribute_id = v.attribute_id AND a.attribute_code = 'name' AND a.entity_type_id = 4
                  JOIN catalog_product_entity e ON e.row_id = v.row_id WHERE e.created_in = ? AND v.store_id = 0) AS u2name,
                (SELECT v.value FROM catalog_category_entity_varchar v JOIN eav_attribute a ON a.attribute_id = v.attribute_id AND a.attribute_code = 'name' AND a.entity_type_id = 3
                  JOIN catalog_category_entity e ON e.row_id = v.row_id WHERE e.created_in = ? AND v.store_id = 0) AS u3name`,
        [u2!.id, u3!.id],
      )) as unknown as [[{ u2name: string; u3name: string }]];
      expect(future.u2name).toMatch(/Limited Edition$/);
      expect(future.u3name).toMatch(/Specials$/);
      neverReceived(future.u2name);
      neverReceived(future.u3name);

      // the staging cron at U1's start: a permanent price change becomes current
      state = await step('U1 starts (price)', state, async () => void (await applyDueUpdates(c, new Date(u1!.id * 1000))), true);
      neverReceived(future.u2name);
      // U2 starts: the configurable's new name reaches its own items and its children's
      const beforeU2 = state;
      state = await step('U2 starts (name)', state, async () => void (await applyDueUpdates(c, new Date(u2!.id * 1000))), true);
      expect(h.receiver.items.some((r) => JSON.stringify(r.item).includes(future.u2name))).toBe(true);
      neverReceived(future.u3name);
      // U2 ends at its rollback: the items are as before it started
      state = await step('U2 ends (rollback)', state, async () => void (await applyDueUpdates(c, new Date(u2!.rollbackId! * 1000))), true);
      expect(changedBetween(beforeU2, state).get('products')!.size, 'products items after the rollback equal those before U2').toBe(0);
      expect([...changedBetween(beforeU2, state).values()].every((s) => s.size === 0), 'every feed after the rollback equals before U2').toBe(true);
      // U4 deleted before it starts: nothing changes downstream
      state = await step('U4 deleted before it starts', state, async () => void (await deleteUpdate(c, u4!.id)), false);
      neverReceived(future.u3name);
      // U3 starts: the category's name in categories and in products' categoryData
      state = await step('U3 starts (category name)', state, async () => void (await applyDueUpdates(c, new Date(u3!.id * 1000))), true);
    } finally {
      await c.end();
    }
    expect(h.run!.child.exitCode).toBeNull();
    expect(h.run!.logs()).not.toMatch(/"level":(50|60)/);
  }, 400_000);
});
