// Legacy stock (item + status) for every product, and MSI: two sources, the
// default stock (index = the inventory_stock_1 view) and a second stock with
// its own index table, sold on the non-default websites.
import { Rng } from './random.js';
import type { SeedContext } from './context.js';
import type { ProductPlan } from './products.js';

export const SECOND_STOCK = 2;

export async function writeInventory(ctx: SeedContext, plans: ProductPlan[]): Promise<void> {
  const { w, o, scopes } = ctx;
  const rng = new Rng(o.seed, 'inventory');
  await w.row('cataloginventory_stock', ['stock_id', 'website_id', 'stock_name'], [1, 0, 'Default']);
  await w.rows('inventory_source', ['source_code', 'name', 'enabled', 'description', 'country_id', 'region', 'city', 'street', 'postcode', 'frontend_name'], [
    ['default', 'Default Source', 1, 'Default Source', 'US', 'Texas', 'Austin', '1 Main St', '78701', 'Default Source'],
    ['warehouse_eu', 'EU Warehouse', 1, 'Fulfils the second stock', 'DE', 'Berlin', 'Berlin', 'Hauptstr. 1', '10115', 'EU Warehouse'],
  ]);
  await w.rows('inventory_stock', ['stock_id', 'name'], [[1, 'Default Stock'], [SECOND_STOCK, 'EU Stock']]);
  await w.rows('inventory_source_stock_link', ['stock_id', 'source_code', 'priority'], [[1, 'default', 1], [SECOND_STOCK, 'warehouse_eu', 1], [SECOND_STOCK, 'default', 2]]);
  for (const ws of scopes.websites) {
    await w.row('inventory_stock_sales_channel', ['type', 'code', 'stock_id'], ['website', ws.code, ws.id === 1 ? 1 : SECOND_STOCK]);
  }

  const itemCols = ['product_id', 'stock_id', 'qty', 'min_qty', 'use_config_min_qty', 'is_qty_decimal', 'backorders', 'use_config_backorders', 'min_sale_qty', 'use_config_min_sale_qty', 'max_sale_qty', 'use_config_max_sale_qty', 'is_in_stock', 'notify_stock_qty', 'use_config_notify_stock_qty', 'manage_stock', 'use_config_manage_stock', 'website_id'];
  for (const p of plans) {
    const composite = p.type === 'configurable' || p.type === 'bundle';
    const physical = p.type === 'simple';
    const qty = composite ? 0 : rng.chance(0.1) ? 0 : rng.int(1, 250);
    p.qty = qty;
    const backorders = physical && rng.chance(0.03) ? 1 : 0;
    const manage = p.type === 'virtual' || p.type === 'downloadable' ? rng.chance(0.5) : true;
    const inStock = composite || qty > 0 || backorders > 0 || !manage ? 1 : 0;
    await w.row('cataloginventory_stock_item', itemCols, [
      p.id, 1, `${qty}.0000`, '0.0000', 1, 0, backorders, backorders ? 0 : 1, '1.0000', 1, '10000.0000', 1, inStock,
      rng.chance(0.1) ? '5.0000' : null, 1, manage ? 1 : 0, manage ? 1 : 0, 0,
    ]);
    await w.row('cataloginventory_stock_status', ['product_id', 'website_id', 'stock_id', 'qty', 'stock_status'], [p.id, 0, 1, `${qty}.0000`, inStock]);
    if (composite) continue;
    // MSI keeps quantities per source; stock 2 sums both of its sources
    const defaultStatus = qty > 0 ? 1 : 0;
    await w.row('inventory_source_item', ['source_code', 'sku', 'quantity', 'status'], ['default', p.sku, `${qty}.0000`, defaultStatus]);
    let euQty = 0;
    let euStatus = 0;
    if (rng.chance(0.6)) {
      euQty = rng.chance(0.15) ? 0 : rng.int(1, 120);
      euStatus = euQty > 0 ? 1 : 0;
      await w.row('inventory_source_item', ['source_code', 'sku', 'quantity', 'status'], ['warehouse_eu', p.sku, `${euQty}.0000`, euStatus]);
    }
    const stock2Qty = (defaultStatus ? qty : 0) + (euStatus ? euQty : 0);
    await w.row(`inventory_stock_${SECOND_STOCK}`, ['product_id', 'website_id', 'stock_id', 'quantity', 'is_salable', 'sku'], [
      p.id, 0, SECOND_STOCK, `${stock2Qty}.0000`, stock2Qty > 0 || !manage ? 1 : 0, p.sku,
    ]);
  }
}
