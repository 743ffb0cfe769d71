// A mixed write workload against `commerce-cdc run` (all eleven feeds, dist/, so
// `npm run build` first): for about a minute, ~20 writes/s of orders placed with
// items and MSI reservations, stock decremented (inventory_source_item and the
// legacy stock item/status), prices changed, special prices set, variants moved
// between configurable parents (super link and relation), product names changed
// per store view, and a few products taken off a website or deleted. Afterwards
// every feed's items topic (latest per key) and the receiver's latest items must
// equal a fresh full assembly, and every identity that disappeared must be marked
// deleted at the receiver.
import type mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { adminConnection } from '../helpers/stack.js';
import { faultSummary, versionsUnderTwoKeys } from '../helpers/processes.js';
import { assembleAll, canonical, compareLatest, describeMismatches, FEEDS, receivedLatest, runHarness, topicLatest, waitIdle } from '../helpers/e2e.js';

const SEED = { products: 60, configurables: 5, childrenPerConfigurable: 3, orders: 8, categories: 6, attributes: 4, storeViews: 3, websites: 2, customerGroups: 5 };
const LOAD_MS = 60_000;
const RATE = 20; // writes per second

type Row = Record<string, unknown>;
const q = async <T = Row>(c: mysql.Connection, sql: string, params: unknown[] = []): Promise<T[]> => ((await c.query(sql, params)) as unknown as [T[]])[0];

describe('mixed workload: items topics and receiver equal a fresh assembly of all eleven feeds', () => {
  const h = runHarness('mixed', SEED);
  /** Why the connector process is gone (its exit and last logs), or undefined while it runs. */
  const deathOf = () => h.alive();

  it('after ~60 s of mixed writes at ~20/s every feed equals a fresh assembly; gone identities are deleted downstream', async () => {
    const started = Date.now();
    let writes = 0;
    let mismatches = 0;
    // the load starts while the connector starts and takes its snapshot (MIXED_AFTER_SNAPSHOT=1: once it is idle)
    if (process.env.MIXED_AFTER_SNAPSHOT === '1') {
      const t0 = Date.now();
      const snap = await waitIdle(h.d, FEEDS, { timeoutMs: 150_000, alive: deathOf });
      console.log(`[mixed] snapshot idle after ${Date.now() - t0} ms (reader ${snap.readerMs} ms)`);
    }

    const c = await adminConnection(h.database);
    const counts: Record<string, number> = {};
    try {
      const attr = async (code: string) => (await q<{ id: number }>(c, `SELECT attribute_id AS id FROM eav_attribute WHERE entity_type_id = 4 AND attribute_code = ?`, [code]))[0]!.id;
      const [priceAttr, specialAttr, nameAttr] = [await attr('price'), await attr('special_price'), await attr('name')];
      const stores = await q<{ store_id: number; website_id: number; name: string }>(c, `SELECT store_id, website_id, name FROM store WHERE store_id <> 0`);
      const simples = await q<{ id: number; sku: string }>(c, `SELECT entity_id AS id, sku FROM catalog_product_entity WHERE type_id = 'simple' ORDER BY entity_id`);
      const priced = (await q<{ id: number }>(c, `SELECT entity_id AS id FROM catalog_product_entity_decimal WHERE attribute_id = ? AND store_id = 0`, [priceAttr])).map((r) => r.id);
      const parents = (await q<{ id: number }>(c, `SELECT entity_id AS id FROM catalog_product_entity WHERE type_id = 'configurable'`)).map((r) => r.id);
      const allProducts = (await q<{ id: number }>(c, `SELECT entity_id AS id FROM catalog_product_entity`)).map((r) => r.id);
      const relationParents = new Set((await q<{ id: number }>(c, `SELECT DISTINCT parent_id AS id FROM catalog_product_relation`)).map((r) => r.id));
      const onWebsite = new Map<number, number[]>();
      for (const r of await q<{ product_id: number; website_id: number }>(c, `SELECT product_id, website_id FROM catalog_product_website`)) {
        onWebsite.set(r.website_id, [...(onWebsite.get(r.website_id) ?? []), r.product_id]);
      }
      expect(simples.length).toBeGreaterThan(10);
      expect(parents.length).toBeGreaterThan(1);

      let n = 0;
      const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
      const tx = async (fn: () => Promise<void>) => {
        await c.query('START TRANSACTION');
        try {
          await fn();
          await c.query('COMMIT');
        } catch (e) {
          await c.query('ROLLBACK');
          throw e;
        }
      };
      const ops: Array<[string, number, () => Promise<void>]> = [
        ['order', 3, () => tx(async () => {
          const store = pick(stores);
          const sellable = new Set(onWebsite.get(store.website_id) ?? []);
          const lines = [...new Set([pick(simples), pick(simples)])].filter((p) => sellable.has(p.id));
          if (!lines.length) return;
          n++;
          const total = lines.length * 10;
          const [res] = (await c.query(
            `INSERT INTO sales_order (state, status, is_virtual, store_id, customer_is_guest, customer_group_id, base_grand_total, grand_total, base_subtotal, subtotal,
               total_qty_ordered, increment_id, base_currency_code, order_currency_code, global_currency_code, store_currency_code, customer_email, customer_firstname,
               customer_lastname, store_name, total_item_count, base_to_global_rate, base_to_order_rate, created_at, updated_at)
             VALUES ('new', 'pending', 0, ?, 1, 0, ?, ?, ?, ?, ?, ?, 'USD', 'USD', 'USD', 'USD', ?, 'Load', 'Test', ?, ?, 1, 1, NOW(), NOW())`,
            [store.store_id, total, total, total, total, lines.length, `W${Date.now()}${n}`, `load.${n}@example.com`, store.name, lines.length],
          )) as unknown as [{ insertId: number }];
          for (const p of lines) {
            await c.query(
              `INSERT INTO sales_order_item (order_id, store_id, product_id, product_type, sku, name, qty_ordered, price, base_price, row_total, base_row_total, is_virtual, created_at, updated_at)
               VALUES (?, ?, ?, 'simple', ?, ?, 1, 10, 10, 10, 10, 0, NOW(), NOW())`,
              [res.insertId, store.store_id, p.id, p.sku, `Load item ${p.sku}`],
            );
            await c.query(`INSERT INTO inventory_reservation (stock_id, sku, quantity, metadata) VALUES (?, ?, -1, ?)`, [
              store.website_id === 1 ? 1 : 2,
              p.sku,
              JSON.stringify({ event_type: 'order_placed', object_type: 'order', object_id: String(res.insertId) }),
            ]);
          }
        })],
        ['stock', 3, () => tx(async () => {
          const p = pick(simples);
          await c.query(`UPDATE inventory_source_item SET quantity = GREATEST(quantity - 1, 0) WHERE sku = ? AND source_code = ?`, [p.sku, pick(['default', 'warehouse_eu'])]);
          await c.query(`UPDATE cataloginventory_stock_item SET qty = GREATEST(qty - 1, 0) WHERE product_id = ? AND stock_id = 1`, [p.id]);
          await c.query(`UPDATE cataloginventory_stock_status SET qty = GREATEST(qty - 1, 0) WHERE product_id = ? AND stock_id = 1`, [p.id]);
        })],
        ['price', 3, async () => {
          await c.query(`UPDATE catalog_product_entity_decimal SET value = value + 0.5 WHERE attribute_id = ? AND store_id = 0 AND entity_id = ?`, [priceAttr, pick(priced)]);
        }],
        ['specialPrice', 2, async () => {
          await c.query(
            `INSERT INTO catalog_product_entity_decimal (attribute_id, store_id, entity_id, value) VALUES (?, 0, ?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value)`,
            [specialAttr, pick(priced), (5 + Math.random() * 50).toFixed(2)],
          );
        }],
        ['relink', 1, () => tx(async () => {
          const [link] = await q<{ link_id: number; product_id: number; parent_id: number }>(c, `SELECT link_id, product_id, parent_id FROM catalog_product_super_link ORDER BY RAND() LIMIT 1`);
          if (!link) return;
          const to = pick(parents.filter((p) => p !== link.parent_id));
          const [taken] = await q(c, `SELECT 1 FROM catalog_product_super_link WHERE product_id = ? AND parent_id = ?`, [link.product_id, to]);
          if (taken) return;
          await c.query(`UPDATE catalog_product_super_link SET parent_id = ? WHERE link_id = ?`, [to, link.link_id]);
          await c.query(`DELETE FROM catalog_product_relation WHERE parent_id = ? AND child_id = ?`, [link.parent_id, link.product_id]);
          await c.query(`INSERT IGNORE INTO catalog_product_relation (parent_id, child_id) VALUES (?, ?)`, [to, link.product_id]);
        })],
        ['name', 3, async () => {
          await c.query(
            `INSERT INTO catalog_product_entity_varchar (attribute_id, store_id, entity_id, value) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value)`,
            [nameAttr, pick(stores).store_id, pick(allProducts), `Load name ${Math.random().toString(36).slice(2, 8)}`],
          );
        }],
        ['offWebsite', 0.15, async () => {
          const w = pick([...onWebsite.keys()]);
          // half of the time a parent (configurable, bundle): its children's parents[] change too
          const on = onWebsite.get(w) ?? [];
          const p = pick(Math.random() < 0.5 ? on.filter((x) => relationParents.has(x)) : on);
          if (p === undefined) return;
          await c.query(`DELETE FROM catalog_product_website WHERE product_id = ? AND website_id = ?`, [p, w]);
          onWebsite.set(w, onWebsite.get(w)!.filter((x) => x !== p));
        }],
        ['deleteProduct', 0.08, async () => {
          const p = pick(simples);
          await c.query(`DELETE FROM catalog_product_entity WHERE entity_id = ?`, [p.id]);
          simples.splice(simples.indexOf(p), 1);
        }],
      ];
      const weight = ops.reduce((s, [, w]) => s + w, 0);
      const loadStarted = Date.now();
      while (Date.now() - loadStarted < LOAD_MS) {
        let r = Math.random() * weight;
        const op = ops.find(([, w]) => (r -= w) < 0) ?? ops[0]!;
        await op[2]();
        counts[op[0]] = (counts[op[0]] ?? 0) + 1;
        writes++;
        const ahead = loadStarted + (writes * 1000) / RATE - Date.now();
        if (ahead > 0) await new Promise((res) => setTimeout(res, ahead));
        const died = deathOf();
        if (died !== undefined) throw new Error(`connector died during the load: ${died}`);
      }
      console.log(`[mixed] ${writes} writes in ${Date.now() - loadStarted} ms: ${JSON.stringify(counts)}`);
      expect(writes).toBeGreaterThan((LOAD_MS / 1000) * RATE * 0.8);
    } finally {
      await c.end();
    }

    const t1 = Date.now();
    const idle = await waitIdle(h.d, FEEDS, { timeoutMs: 120_000, alive: deathOf });
    console.log(`[mixed] idle ${Date.now() - t1} ms after the load (reader ${idle.readerMs} ms)`);
    const fresh = await assembleAll(h.d);
    const problems: string[] = [];
    const summary: string[] = [];
    for (const feed of FEEDS) {
      const want = fresh.get(feed.name)!;
      const rec = receivedLatest(h.receiver, feed);
      const top = topicLatest(h.d, feed);
      const mr = compareLatest(feed, want, rec);
      const mt = compareLatest(feed, want, await top);
      const gone = [...rec.keys()].filter((fid) => !want.has(fid));
      summary.push(`${feed.name} items=${want.size} received=${[...rec.values()].reduce((s, r) => s + r.count, 0)} gone=${gone.length}`);
      mismatches += mr.length + mt.length;
      if (mr.length) problems.push(`receiver ${feed.name}: ${mr.length} mismatches\n${describeMismatches(mr)}`);
      if (mt.length) problems.push(`items topic ${feed.name}: ${mt.length} mismatches\n${describeMismatches(mt)}`);
    }
    console.log(`[mixed] ${summary.join('; ')}`);
    // lost: identities whose latest item (receiver or items topic) is not the fresh assembly's
    const doubled = versionsUnderTwoKeys(h.receiver.items, canonical);
    faultSummary('mixed-workload', { changes: writes, lost: mismatches, doubled: doubled.length, seconds: (Date.now() - started) / 1000 });
    // the workload took products off websites and deleted some: their identities must be gone and marked deleted (compareLatest checks that)
    const goneProducts = [...receivedLatest(h.receiver, FEEDS.find((f) => f.name === 'products')!).values()].filter((r) => r.deleted).length;
    const goneVariants = [...receivedLatest(h.receiver, FEEDS.find((f) => f.name === 'variants')!).values()].filter((r) => r.deleted).length;
    console.log(`[mixed] deleted at the receiver: products ${goneProducts}, variants ${goneVariants}`);
    expect(problems, problems.join('\n\n')).toEqual([]);
    // no version sent again under another idempotency key (a return to an earlier version is not one)
    expect(doubled, doubled.slice(0, 10).join('\n')).toEqual([]);
    expect(goneProducts + goneVariants, 'the workload removed identities').toBeGreaterThan(0);
    expect(h.run!.child.exitCode).toBeNull();
  }, 400_000);
});
