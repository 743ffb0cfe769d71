// inventory of a product item from the legacy default stock (cataloginventory_stock_item,
// stock 1, website 0). use_config_* flags fall back to Magento's defaults: manage
// stock yes, out-of-stock threshold 0. Multi-source stock is the inventoryStockStatus feed's.
import { select, toNumber } from '../common/sql.js';
import type { ProviderContext } from '../types.js';

export interface Inventory {
  qty: number;
  configuration: { status: boolean; manageStock: boolean; threshold: number; productAvailable: boolean };
}

interface StockRow {
  product_id: number;
  qty: string | null;
  is_in_stock: number;
  manage_stock: number;
  use_config_manage_stock: number;
  min_qty: string;
  use_config_min_qty: number;
}

export async function loadInventory(ctx: ProviderContext, productIds: number[]): Promise<Map<number, Inventory>> {
  const out = new Map<number, Inventory>();
  if (productIds.length === 0) return out;
  const rows = await select<StockRow>(
    ctx,
    'products.inventory',
    `SELECT product_id, qty, is_in_stock, manage_stock, use_config_manage_stock, min_qty, use_config_min_qty
       FROM ${ctx.t('cataloginventory_stock_item')} WHERE product_id IN (?) AND stock_id = 1 AND website_id = 0`,
    [productIds],
    productIds.length,
  );
  for (const r of rows) {
    const manageStock = Number(r.use_config_manage_stock) === 1 ? true : Number(r.manage_stock) === 1;
    const status = Number(r.is_in_stock) === 1;
    out.set(Number(r.product_id), {
      qty: toNumber(r.qty) ?? 0,
      configuration: {
        status,
        manageStock,
        threshold: Number(r.use_config_min_qty) === 1 ? 0 : (toNumber(r.min_qty) ?? 0),
        productAvailable: !manageStock || status,
      },
    });
  }
  return out;
}
