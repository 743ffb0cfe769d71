// Golden items of the inventoryStockStatus feed on a seeded catalog (MSI: the
// default stock's view and stock 2's index table, reservations), then: a
// reservation added, a stock without its index table, and the legacy
// cataloginventory fallback when the MSI tables are empty or absent.
import { describe, expect, it } from 'vitest';
import { definition as inventory } from '../../src/feeds/inventoryStockStatus/index.js';
import type { AssembledItem } from '../../src/feeds/types.js';
import { EDITIONS, seededItemsPerEdition, itKeepsItemsThroughVersionMoves } from '../helpers/editions.js';
import { adminExec, expectGolden, feedDatabase } from '../helpers/feeds.js';

const TODAY = '2026-06-15';
// 1: a simple in both sources; 4: a configurable (no source item: in no MSI stock); 5: reserved and shipped in both stocks;
// 20: stock not managed; 25: reserved in both stocks; 36: downloadable
const SELECTED = ['1', '4', '5', '20', '25', '36'];

const golden = (name: string, value: unknown): void => expectGolden('inventoryStockStatus', name, value);

const pick = (items: AssembledItem[], fields: string[]) => items.map((a) => fields.map((f) => a.item[f]));

/** Every item of the seeded catalog per edition: the Commerce block checks it equals Open Source's. */
const seeded = seededItemsPerEdition();

describe.each(EDITIONS)('inventoryStockStatus feed (%s)', (edition) => {
  const feed = feedDatabase(`feedsinventory${edition}`, { today: TODAY }, edition, () => new Date(`${TODAY}T10:00:00Z`));
  const admin = (sql: string): Promise<void> => adminExec(feed.db, sql);
  const assemble = (ids: string[]) => inventory.provider.assemble(ids, feed.ctx);

  itKeepsItemsThroughVersionMoves(
    're-checks the products a version move covers (none on Open Source); a scheduled update leaves their sku and type alone',
    edition, 'product', inventory.provider, feed,
  );

  it('builds one item per stock × sku from the MSI index and reservations', async () => {
    const ids = await inventory.provider.listIds(undefined, 1000, feed.ctx);
    expect(ids).toHaveLength(40);
    const all = await assemble(ids);
    // stock 1 (view over the legacy status) holds the skus of the default source, stock 2
    // every sku of its two sources: the 36 non-composite products either way
    expect(all.filter((a) => a.item.stockId === '1')).toHaveLength(36);
    expect(all.filter((a) => a.item.stockId === '2')).toHaveLength(36);
    golden('initial', all.filter((a) => SELECTED.includes(a.sourceEntityId)));
    // scheduled updates that have not started show nowhere: every item equals Open Source's
    seeded(edition, all);
  });

  it('expands a reservation (keyed by sku) to its product and lowers qtyForSale', async () => {
    expect(await inventory.provider.expand!('sku', ['SKU-000001', 'SKU-000004-purple-xs', 'NO-SUCH-SKU'], feed.ctx)).toEqual(['1', '5']);
    const before = await assemble(['1']);
    await admin(`INSERT INTO inventory_reservation (stock_id, sku, quantity, metadata) VALUES (1, 'SKU-000001', -78.5, '{"event_type":"order_placed"}')`);
    const after = await assemble(['1']);
    // only stock 1's salable quantity moves; 0.5 left is below the notify threshold (1)
    expect(pick(after, ['stockId', 'qty', 'qtyForSale', 'lowStock'])).toEqual([
      ['1', 79, (before[0]!.item.qtyForSale as number) - 78.5, true],
      pick(before, ['stockId', 'qty', 'qtyForSale', 'lowStock'])[1],
    ]);
    expect(await inventory.provider.expand!('stock', ['2'], feed.ctx)).toHaveLength(40);
  });

  it('derives a stock without an index table from its linked sources', async () => {
    const indexed = await assemble(SELECTED);
    await admin('DROP TABLE inventory_stock_2');
    const derived = await assemble(SELECTED);
    // the index holds exactly what the sources add up to, so nothing changes
    expect(derived).toEqual(indexed);
    const stock2 = (items: AssembledItem[]) => items.find((a) => a.item.stockId === '2')!.item;
    const first = stock2(derived.filter((a) => a.sourceEntityId === '1'));
    const reserved = (first.qtyForSale as number) - (first.qty as number);
    // a disabled source no longer counts; with none left the sku is not salable in stock 2
    await admin("UPDATE inventory_source_item SET status = 0 WHERE sku = 'SKU-000001' AND source_code = 'warehouse_eu'");
    expect(pick([{ sourceEntityId: '1', item: stock2(await assemble(['1'])) }], ['qty', 'qtyForSale', 'isSalable'])).toEqual([[79, 79 + reserved, true]]);
    await admin("UPDATE inventory_source_item SET status = 0 WHERE sku = 'SKU-000001'");
    expect(pick([{ sourceEntityId: '1', item: stock2(await assemble(['1'])) }], ['qty', 'qtyForSale', 'isSalable'])).toEqual([[0, reserved, false]]);
  });

  it('falls back to the legacy stock items when MSI is empty or absent', async () => {
    await admin('DELETE FROM inventory_source_stock_link');
    const legacy = await assemble(SELECTED);
    golden('legacy', legacy);
    await admin('DROP TABLE inventory_source_item, inventory_source_stock_link, inventory_stock, inventory_reservation');
    expect(await assemble(SELECTED)).toEqual(legacy);
  });
});
