import type { AssembledItem } from '../types.js';
import type { StockRows } from './queries.js';

// One item per stock × sku. As in Adobe's StockStatus/QtyForSale providers:
// qty and isSalable come from the stock's index, qtyForSale is qty plus the sum
// of the stock's reservations (negative for placed orders), and the default stock
// only holds skus with an item in the 'default' source (composites have none).
// Configuration values marked use_config_* take Magento's defaults (manage stock
// on, no backorders, notify below 1), since the connector does not read
// core_config_data.

const DEFAULTS = { manageStock: true, backorders: 0, notifyQty: 1 };

const DEFAULT_STOCK = 1;
const DEFAULT_SOURCE = 'default';

/** Their quantity lives in their children: never "low stock" themselves. */
const COMPOSITE_TYPES = new Set(['configurable', 'bundle', 'grouped']);

type Row = StockRows['products'][number];

interface Config {
  infinite: boolean;
  composite: boolean;
  notifyQty: number;
}

/** Decimal sums in doubles: four places, as the DECIMAL(12,4) columns hold. */
const round4 = (n: number): number => Math.round(n * 10_000) / 10_000;

function configOf(item: Row | undefined, typeId: unknown): Config {
  const composite = COMPOSITE_TYPES.has(String(typeId));
  if (!item) return { infinite: !DEFAULTS.manageStock, composite, notifyQty: DEFAULTS.notifyQty };
  const manage = Number(item.use_config_manage_stock) === 1 ? DEFAULTS.manageStock : Number(item.manage_stock) === 1;
  const backorders = Number(item.use_config_backorders) === 1 ? DEFAULTS.backorders : Number(item.backorders);
  const notifyQty =
    Number(item.use_config_notify_stock_qty) === 1 || item.notify_stock_qty === null ? DEFAULTS.notifyQty : Number(item.notify_stock_qty);
  return { infinite: !manage || backorders > 0, composite, notifyQty };
}

function item(stockId: number, sku: string, productId: number, qty: number, qtyForSale: number, cfg: Config, isSalable: boolean, updatedAt: string) {
  return {
    sourceEntityId: String(productId),
    item: {
      stockId: String(stockId),
      sku,
      productId,
      qty: round4(qty),
      qtyForSale: round4(qtyForSale),
      infiniteStock: cfg.infinite,
      lowStock: !cfg.infinite && !cfg.composite && qtyForSale < cfg.notifyQty,
      isSalable,
      deleted: false,
      updatedAt,
    },
  };
}

export function buildStockItems(rows: StockRows, now: Date): AssembledItem[] {
  const updatedAt = now.toISOString();
  const products = [...rows.products].filter((p) => p.sku !== null).sort((a, b) => Number(a.entity_id) - Number(b.entity_id));
  const out: AssembledItem[] = [];

  if (rows.msi === null) {
    const byProduct = new Map<number, Row[]>();
    for (const s of rows.stockItems) {
      const list = byProduct.get(Number(s.product_id)) ?? [];
      byProduct.set(Number(s.product_id), list);
      list.push(s);
    }
    for (const p of products) {
      const id = Number(p.entity_id);
      for (const s of (byProduct.get(id) ?? []).sort((a, b) => Number(a.stock_id) - Number(b.stock_id))) {
        const cfg = configOf(s, p.type_id);
        const qty = s.qty === null ? 0 : Number(s.qty);
        out.push(item(Number(s.stock_id), String(p.sku), id, qty, qty, cfg, Number(s.is_in_stock) === 1, updatedAt));
      }
    }
    return out;
  }

  // MSI: the legacy stock item of the default stock holds the product's configuration.
  const types = new Map(products.map((p) => [Number(p.entity_id), p.type_id]));
  const config = new Map<number, Config>();
  for (const s of rows.stockItems) {
    const id = Number(s.product_id);
    if (Number(s.stock_id) === 1 || !config.has(id)) config.set(id, configOf(s, types.get(id)));
  }
  const reserved = new Map(rows.msi.reservations.map((r) => [`${r.stock_id}/${r.sku}`, Number(r.quantity)]));
  const sources = new Map<string, { qty: number; enabled: boolean }>();
  const inDefaultSource = new Set<string>();
  for (const s of rows.msi.sourceItems) {
    if (s.source_code === DEFAULT_SOURCE) inDefaultSource.add(String(s.sku));
    const k = `${s.stock_id}/${s.sku}`;
    const cur = sources.get(k) ?? { qty: 0, enabled: false };
    const enabled = Number(s.status) === 1;
    sources.set(k, { qty: cur.qty + (enabled ? Number(s.quantity) : 0), enabled: cur.enabled || enabled });
  }
  const stockIds = [...rows.msi.index.keys()].sort((a, b) => a - b);
  for (const stockId of stockIds) {
    const indexRows = rows.msi.index.get(stockId) ?? null;
    const indexed = indexRows === null ? null : new Map(indexRows.map((r) => [String(r.sku), r]));
    for (const p of products) {
      const id = Number(p.entity_id);
      const sku = String(p.sku);
      const k = `${stockId}/${sku}`;
      const cfg = config.get(id) ?? configOf(undefined, p.type_id);
      const reservations = reserved.get(k) ?? 0;
      if (stockId === DEFAULT_STOCK && !inDefaultSource.has(sku)) continue;
      if (indexed !== null) {
        const r = indexed.get(sku);
        if (!r) continue;
        const qty = Number(r.quantity);
        out.push(item(stockId, sku, id, qty, qty + reservations, cfg, Number(r.is_salable) === 1, updatedAt));
      } else {
        // No index table for this stock (not indexed yet): derive from its sources.
        const s = sources.get(k);
        if (!s) continue;
        const forSale = s.qty + reservations;
        out.push(item(stockId, sku, id, s.qty, forSale, cfg, s.enabled && (cfg.infinite || forSale > 0), updatedAt));
      }
    }
  }
  return out;
}
