// Golden items of the orders feed on a seeded database (items, payment, addresses,
// invoices, credit memos, shipments with tracks, transactions, taxes), then: an
// order without a stored uuid, a shipment and a track added, the status changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definition as orders } from '../../src/feeds/orders/index.js';
import { orderUuid } from '../../src/feeds/orders/uuid.js';
import type { ProviderContext } from '../../src/feeds/types.js';
import { createPool, type Pool } from '../../src/mysql/pool.js';
import { createCommerceDatabase } from '../helpers/commerce.js';
import { adminExec, expectGolden, providerContext } from '../helpers/feeds.js';
import { adminConnection, dropDatabase, testConfig } from '../helpers/stack.js';

const TODAY = '2026-06-15';

const golden = (name: string, value: unknown): void => expectGolden('orders', name, value);

let db: string;
let pool: Pool;
let ctx: ProviderContext;

const admin = (sql: string): Promise<void> => adminExec(db, sql);

const assemble = (ids: string[]) => orders.provider.assemble(ids, ctx);

beforeAll(async () => {
  db = await createCommerceDatabase('feedsorders', { today: TODAY });
  pool = createPool(testConfig(db, db).mysql);
  ctx = providerContext(pool, () => new Date(`${TODAY}T10:00:00Z`));
});

afterAll(async () => {
  await pool?.end();
  if (db) await dropDatabase(db);
});

describe('orders feed', () => {
  it('builds one item per order with its documents', async () => {
    const ids = await orders.provider.listIds(undefined, 100, ctx);
    expect(ids).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(await orders.provider.listIds('4', 1, ctx)).toEqual(['5']);
    golden('initial', await assemble(ids));
    // orders are never deleted in Adobe's feed
    expect(orders.deletedField).toBeUndefined();
  });

  it('derives a stable name-based uuid for an order without a stored one', async () => {
    const [stored] = await assemble(['2']);
    await admin("DELETE FROM data_exporter_uuid WHERE entity_id = 2 AND type = 'order'");
    const [derived] = await assemble(['2']);
    expect(derived!.item.orderId).toEqual({ id: '5f068164-844d-5bf4-bb46-c88a76f320dc' });
    expect(derived!.item.orderId).toEqual({ id: orderUuid(2) });
    expect(derived!.item.orderId).not.toEqual(stored!.item.orderId);
    expect({ ...derived!.item, orderId: null }).toEqual({ ...stored!.item, orderId: null });
  });

  it('follows a shipment, a track and a status change', async () => {
    await admin(`INSERT INTO sales_shipment (entity_id, store_id, total_qty, order_id, increment_id, created_at, updated_at)
        VALUES (10, 2, 1, 6, '000000010', '2026-06-15 08:00:00', '2026-06-15 08:00:00');
      INSERT INTO sales_shipment_item (parent_id, qty, order_item_id, sku, name, price, row_total)
        SELECT 10, qty_ordered, item_id, sku, name, base_price, base_row_total FROM sales_order_item WHERE order_id = 6 AND parent_item_id IS NULL ORDER BY item_id LIMIT 1;
      INSERT INTO sales_shipment_track (parent_id, order_id, track_number, title, carrier_code, created_at, updated_at)
        VALUES (10, 6, 'TRACK-6', 'United Parcel Service', 'ups', '2026-06-15 08:00:00', '2026-06-15 08:00:00');
      UPDATE sales_order SET state = 'complete', status = 'complete', updated_at = '2026-06-15 08:00:00' WHERE entity_id = 6`);
    golden('shipped', await assemble(['6']));
    // the shipment's items and uuid rows name the shipment: it expands to its order
    expect(await orders.provider.expand!('shipment', ['10', '999'], ctx)).toEqual(['6']);
    const [first] = await assemble(['1']);
    const itemIds = (first!.item.items as Array<{ entityId: string }>).map((i) => i.entityId);
    expect(await orders.provider.expand!('orderItem', itemIds, ctx)).toEqual(['1']);
    expect(await orders.provider.expand!('nothing', ['1'], ctx)).toEqual([]);
  });

  it('re-sends the orders of a renamed store view, store or website', async () => {
    const rows = async <T>(sql: string): Promise<T[]> => {
      const c = await adminConnection(db);
      try {
        return (await c.query(sql))[0] as T[];
      } finally {
        await c.end();
      }
    };
    const placed = await rows<{ entity_id: number; store_id: number; group_id: number; website_id: number }>(
      `SELECT o.entity_id, o.store_id, s.group_id, s.website_id FROM sales_order o JOIN store s ON s.store_id = o.store_id ORDER BY o.entity_id`,
    );
    const target = placed[placed.length - 1]!;
    const of = (pick: (r: (typeof placed)[number]) => boolean) => placed.filter(pick).map((r) => String(r.entity_id));
    const inView = of((r) => r.store_id === target.store_id);
    expect(inView.length).toBeGreaterThan(0);
    expect(orders.expandTypes).toEqual(expect.arrayContaining(['store', 'storeGroup', 'website']));
    await admin(`UPDATE store SET code = 'renamed_view' WHERE store_id = ${target.store_id}`);
    expect(await orders.provider.expand!('store', [String(target.store_id), '999'], ctx)).toEqual(inView);
    const renamed = await assemble(inView);
    expect(renamed.map(({ item }) => item.storeViewCode)).toEqual(inView.map(() => 'renamed_view'));
    expect(await orders.provider.expand!('storeGroup', [String(target.group_id)], ctx)).toEqual(
      of((r) => r.group_id === target.group_id),
    );
    expect(await orders.provider.expand!('website', [String(target.website_id)], ctx)).toEqual(
      of((r) => r.website_id === target.website_id),
    );
    expect(await orders.provider.expand!('store', ['999'], ctx)).toEqual([]);
  });
});
