// The all-feeds proof: a seeded Commerce database, `commerce-cdc run` for all
// eleven feeds as a child process (dist/, so `npm run build` first) and a real
// HTTP receiver. After the snapshot the receiver holds exactly one item per
// identity of every feed, equal (canonical JSON, hash-excluded fields aside) to a
// direct assembly through the providers, and so does every items topic. Then
// fan-outs (a store view's name changed, its code renamed, a customer group
// added, an attribute option relabelled, a parent product taken off a
// website): exactly the identities whose assembled JSON changed are re-sent,
// once each, and no others.
import { describe, expect, it } from 'vitest';
import { EDITIONS } from '../helpers/editions.js';
import { adminConnection } from '../helpers/stack.js';
import {
  assembleAll,
  compareLatest,
  describeMismatches,
  FEEDS,
  receivedLatest,
  runHarness,
  topicLatest,
  waitIdle,
  type Snapshot,
} from '../helpers/e2e.js';

const SEED = { products: 30, configurables: 3, childrenPerConfigurable: 3, orders: 5, categories: 6, attributes: 4, storeViews: 3, websites: 2, customerGroups: 5 };

describe.each(EDITIONS)('e2e: all eleven feeds, commerce-cdc run → receiver (%s)', (edition) => {
  const h = runHarness(`e2eall${edition.slice(0, 2)}`, SEED, edition);
  const alive = () => h.alive();

  /** Waits for idle, then compares the receiver and the items topics with a fresh assembly. */
  async function settleAndCompare(label: string): Promise<Snapshot> {
    const idle = await waitIdle(h.d, FEEDS, { timeoutMs: 150_000, alive });
    const fresh = await assembleAll(h.d);
    const problems: string[] = [];
    const counts: string[] = [];
    for (const feed of FEEDS) {
      const want = fresh.get(feed.name)!;
      const rec = receivedLatest(h.receiver, feed);
      const top = await topicLatest(h.d, feed);
      counts.push(`${feed.name}=${want.size}`);
      const mr = compareLatest(feed, want, rec);
      const mt = compareLatest(feed, want, top);
      if (mr.length) problems.push(`receiver ${feed.name}: ${mr.length} mismatches\n${describeMismatches(mr)}`);
      if (mt.length) problems.push(`items topic ${feed.name}: ${mt.length} mismatches\n${describeMismatches(mt)}`);
    }
    console.log(`[e2e-all] ${label}: idle after reader ${idle.readerMs} ms + groups ${idle.groupsMs} ms; items ${counts.join(' ')}; receiver total ${h.receiver.items.length}`);
    expect.soft(problems, `${label}:\n${problems.join('\n\n')}`).toEqual([]);
    return fresh;
  }

  /**
   * Runs a change, then asserts that exactly the identities whose assembled JSON changed were re-sent, once each,
   * and that the change changed something (`expectChange`) or nothing at all.
   */
  async function fanOut(label: string, before: Snapshot, change: () => Promise<void>, expectChange = true): Promise<Snapshot> {
    const from = h.receiver.items.length;
    await change();
    const after = await settleAndCompare(label);
    const problems: string[] = [];
    const summary: string[] = [];
    for (const feed of FEEDS) {
      const b = before.get(feed.name)!;
      const a = after.get(feed.name)!;
      const changed = new Set<string>();
      for (const [fid, x] of a) if (b.get(fid)?.json !== x.json) changed.add(fid);
      for (const fid of b.keys()) if (!a.has(fid) && feed.deletedField) changed.add(fid);
      const resent = receivedLatest(h.receiver, feed, from);
      const extra = [...resent.keys()].filter((fid) => !changed.has(fid));
      const missing = [...changed].filter((fid) => !resent.has(fid));
      const twice = [...resent].filter(([, r]) => r.count > 1);
      summary.push(`${feed.name} ${changed.size}/${resent.size}`);
      const show = (fids: string[]) => fids.slice(0, 5).map((fid) => `${fid} ${JSON.stringify((a.get(fid) ?? b.get(fid))?.item ?? resent.get(fid)?.item).slice(0, 300)}`).join('\n    ');
      if (extra.length) problems.push(`${feed.name}: ${extra.length} re-sent whose assembled JSON did not change:\n    ${show(extra)}`);
      if (missing.length) problems.push(`${feed.name}: ${missing.length} changed but not re-sent:\n    ${show(missing)}`);
      if (twice.length) problems.push(`${feed.name}: ${twice.length} re-sent more than once (e.g. ${twice[0]![0]} ×${twice[0]![1].count})`);
      for (const fid of changed) {
        const r = resent.get(fid);
        if (r && !a.has(fid) && !r.deleted) problems.push(`${feed.name}: ${fid} is gone from the assembly but was re-sent not deleted`);
      }
    }
    console.log(`[e2e-all] ${label}: changed/re-sent per feed: ${summary.join(', ')}`);
    const total = FEEDS.reduce((n, feed) => n + receivedLatest(h.receiver, feed, from).size, 0);
    if (expectChange) expect(total, `${label}: the change re-sent items`).toBeGreaterThan(0);
    else expect(total, `${label}: nothing re-sent`).toBe(0);
    expect.soft(problems, `${label}:\n${problems.join('\n')}`).toEqual([]);
    return after;
  }

  it('snapshot: every feed downstream and in its items topic equals a direct assembly; fan-outs re-send exactly what changed', async () => {
    const t0 = Date.now();
    let state = await settleAndCompare('snapshot');
    // exactly one item per identity after the snapshot
    const dupes: string[] = [];
    for (const feed of FEEDS) {
      expect(state.get(feed.name)!.size, `${feed.name} has items`).toBeGreaterThan(0);
      for (const [fid, r] of receivedLatest(h.receiver, feed)) if (r.count !== 1) dupes.push(`${feed.name} ${fid} ×${r.count}`);
    }
    expect(dupes, `identities received more than once after the snapshot: ${dupes.slice(0, 10).join(', ')}`).toEqual([]);
    console.log(`[e2e-all] snapshot verified in ${Date.now() - t0} ms`);

    const c = await adminConnection(h.database);
    try {
      // 0. a store view's name changed: no item carries it, so nothing may be re-sent (dedupe across every expansion)
      state = await fanOut('store view name changed', state, async () => {
        await c.query(`UPDATE store SET name = CONCAT(name, ' (renamed)') WHERE store_id <> 0 ORDER BY store_id LIMIT 1`);
      }, false);
      // 1. a store view's code renamed: every item naming it moves to a new identity, the old ones are deleted
      state = await fanOut('store view code renamed', state, async () => {
        const [[store]] = (await c.query(`SELECT store_id, code FROM store WHERE store_id <> 0 ORDER BY store_id LIMIT 1`)) as unknown as [[{ store_id: number; code: string }]];
        await c.query(`UPDATE store SET code = ? WHERE store_id = ?`, [`${store.code}_renamed`, store.store_id]);
      });
      // 2. a customer group added
      state = await fanOut('customer group added', state, async () => {
        await c.query(`INSERT INTO customer_group (customer_group_code, tax_class_id) VALUES ('E2E Added Group', 3)`);
      });
      // 3. the default label of an option that configurable children use
      state = await fanOut('attribute option relabelled', state, async () => {
        const [[opt]] = (await c.query(
          `SELECT ov.value_id, ov.value FROM eav_attribute_option_value ov
             JOIN eav_attribute_option o ON o.option_id = ov.option_id
             JOIN catalog_product_super_attribute sa ON sa.attribute_id = o.attribute_id
             JOIN catalog_product_entity_int pi ON pi.attribute_id = o.attribute_id AND pi.value = o.option_id
            WHERE ov.store_id = 0 ORDER BY ov.value_id LIMIT 1`,
        )) as unknown as [[{ value_id: number; value: string }]];
        expect(opt, 'an option used by a configurable child').toBeDefined();
        await c.query(`UPDATE eav_attribute_option_value SET value = ? WHERE value_id = ?`, [`${opt.value} relabelled`, opt.value_id]);
      });
      // 4. a parent (configurable or bundle) taken off one of its websites: its children's parents[] follow
      state = await fanOut('parent taken off a website', state, async () => {
        const [[pw]] = (await c.query(
          `SELECT pw.product_id, pw.website_id FROM catalog_product_website pw
             JOIN catalog_product_relation r ON r.parent_id = pw.product_id
             JOIN catalog_product_website cw ON cw.product_id = r.child_id AND cw.website_id = pw.website_id
            ORDER BY pw.product_id, pw.website_id LIMIT 1`,
        )) as unknown as [[{ product_id: number; website_id: number }]];
        expect(pw, 'a parent sharing a website with a child').toBeDefined();
        await c.query(`DELETE FROM catalog_product_website WHERE product_id = ? AND website_id = ?`, [pw.product_id, pw.website_id]);
      });
    } finally {
      await c.end();
    }
    expect(h.run!.child.exitCode).toBeNull();
    const warnings = h.run!.logs().split('\n').filter((l) => l.includes('"level":40'));
    if (warnings.length) console.log(`[e2e-all] ${warnings.length} warnings, e.g.\n${warnings.slice(0, 5).join('\n')}`);
    expect(h.run!.logs()).not.toMatch(/"level":(50|60)/);
  }, 300_000);
});
