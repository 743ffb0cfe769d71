import type { RowDataPacket } from 'mysql2/promise';
import { currentOnly } from '../common/link.js';
import { select } from '../common/sql.js';
import type { ProviderContext } from '../types.js';

// The rows the stock status items are built from, one query per table (per stock
// index table) per batch. MSI when its tables exist and hold sources linked to
// stocks; otherwise the legacy cataloginventory_stock_item.

type Row = RowDataPacket & Record<string, string | number | null>;

const NO_SUCH_TABLE = 1146;

function isMissingTable(e: unknown): boolean {
  return (e as { errno?: number }).errno === NO_SUCH_TABLE;
}

/** Rows of a query on a table that may not exist (Open Source without MSI, a stock not yet indexed). */
async function selectIfExists(ctx: ProviderContext, what: string, sql: string, params: unknown[], n: number): Promise<Row[] | null> {
  try {
    return await select<Row>(ctx, what, sql, params, n);
  } catch (e) {
    if (isMissingTable(e)) return null;
    throw e;
  }
}

export interface StockRows {
  products: Row[];
  /** Legacy stock items (configuration: manage stock, backorders, thresholds; legacy qty and status). */
  stockItems: Row[];
  /** null in legacy mode. */
  msi: null | {
    /** stock id -> index rows (sku, quantity, is_salable), or null when the stock has no index table. */
    index: Map<number, Row[] | null>;
    /** Source items of the batch's skus in sources linked to a stock, with the stock id. */
    sourceItems: Row[];
    reservations: Row[];
  };
}

const t = (ctx: ProviderContext, n: string) => `\`${ctx.t(n)}\``;

/** Stock ids with at least one linked source, or null when MSI is absent or unused. */
async function msiStocks(ctx: ProviderContext): Promise<number[] | null> {
  const stocks = await selectIfExists(
    ctx,
    'inventory.stocks',
    `SELECT DISTINCT l.stock_id FROM ${t(ctx, 'inventory_source_stock_link')} l
       JOIN ${t(ctx, 'inventory_stock')} s ON s.stock_id = l.stock_id
      WHERE EXISTS (SELECT 1 FROM ${t(ctx, 'inventory_source_item')} LIMIT 1)
      ORDER BY l.stock_id`,
    [],
    0,
  );
  if (!stocks || stocks.length === 0) return null;
  return stocks.map((s) => Number(s.stock_id));
}

export async function loadStockRows(ctx: ProviderContext, ids: number[]): Promise<StockRows> {
  const n = ids.length;
  const [productRows, stockItems, stocks] = await Promise.all([
    // sku and type of the current version (Adobe Commerce keeps one row per version)
    select<Row>(
      ctx,
      'inventory.products',
      `SELECT e.entity_id, e.sku, e.type_id FROM ${t(ctx, 'catalog_product_entity')} e
        WHERE e.entity_id IN (?)${currentOnly(ctx, ctx.catalog.product, 'e')}`,
      [ids],
      n,
    ),
    select<Row>(
      ctx,
      'inventory.stock_items',
      `SELECT product_id, stock_id, qty, min_qty, use_config_min_qty, backorders, use_config_backorders,
              manage_stock, use_config_manage_stock, notify_stock_qty, use_config_notify_stock_qty, is_in_stock
         FROM ${t(ctx, 'cataloginventory_stock_item')} WHERE product_id IN (?)`,
      [ids],
      n,
    ),
    msiStocks(ctx),
  ]);
  // one per product even where a broken version range gives it two current rows
  const products = [...new Map(productRows.map((p) => [Number(p.entity_id), p])).values()];
  if (stocks === null) return { products, stockItems, msi: null };
  const skus = [...new Set(products.flatMap((p) => (p.sku === null ? [] : [String(p.sku)])))];
  if (skus.length === 0) return { products, stockItems, msi: { index: new Map(), sourceItems: [], reservations: [] } };
  const [indexRows, sourceItems, reservations] = await Promise.all([
    Promise.all(
      stocks.map((id) =>
        // The default stock's "index" is a view with a row per website: one row per sku.
        selectIfExists(
          ctx,
          `inventory.stock_${id}`,
          `SELECT sku, MAX(quantity) AS quantity, MAX(is_salable) AS is_salable
             FROM ${t(ctx, `inventory_stock_${id}`)} WHERE sku IN (?) GROUP BY sku`,
          [skus],
          n,
        ),
      ),
    ),
    select<Row>(
      ctx,
      'inventory.source_items',
      `SELECT l.stock_id, si.source_code, si.sku, si.quantity, si.status FROM ${t(ctx, 'inventory_source_item')} si
         JOIN ${t(ctx, 'inventory_source_stock_link')} l ON l.source_code = si.source_code
        WHERE si.sku IN (?)`,
      [skus],
      n,
    ),
    select<Row>(
      ctx,
      'inventory.reservations',
      `SELECT stock_id, sku, SUM(quantity) AS quantity FROM ${t(ctx, 'inventory_reservation')}
        WHERE sku IN (?) GROUP BY stock_id, sku`,
      [skus],
      n,
    ),
  ]);
  const index = new Map(stocks.map((id, i) => [id, indexRows[i] ?? null]));
  return { products, stockItems, msi: { index, sourceItems, reservations } };
}
