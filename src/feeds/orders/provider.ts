import { afterNumber, idStrings, numericIds, select } from '../common/sql.js';
import { loadStoreViews } from '../common/stores.js';
import type { AssembledItem, FeedProvider, ProviderContext } from '../types.js';
import { buildOrderItems } from './build.js';
import { loadOrderRows } from './queries.js';

const PARENTS: Record<string, { table: string; idColumn: string; orderColumn: string }> = {
  invoice: { table: 'sales_invoice', idColumn: 'entity_id', orderColumn: 'order_id' },
  creditMemo: { table: 'sales_creditmemo', idColumn: 'entity_id', orderColumn: 'order_id' },
  shipment: { table: 'sales_shipment', idColumn: 'entity_id', orderColumn: 'order_id' },
  orderItem: { table: 'sales_order_item', idColumn: 'item_id', orderColumn: 'order_id' },
  tax: { table: 'sales_order_tax', idColumn: 'tax_id', orderColumn: 'order_id' },
};

/** Scope entity types → the `store` column that names them (store_id is sales_order's own). */
const SCOPES: Record<string, 'store_id' | 'group_id' | 'website_id'> = {
  store: 'store_id',
  storeGroup: 'group_id',
  website: 'website_id',
};

export const ordersProvider: FeedProvider = {
  async assemble(ids: string[], ctx: ProviderContext): Promise<AssembledItem[]> {
    const wanted = numericIds(ids);
    if (wanted.length === 0) return [];
    const [rows, views] = await Promise.all([loadOrderRows(ctx, wanted), loadStoreViews(ctx)]);
    return buildOrderItems(rows, views);
  },

  // Rows that hang off an invoice, credit memo, shipment, order item or tax carry no
  // order id of their own: their parent's row names the order.
  async expand(entityType: string, ids: string[], ctx: ProviderContext): Promise<string[]> {
    const wanted = numericIds(ids);
    if (wanted.length === 0) return [];
    const scope = SCOPES[entityType];
    if (scope) {
      // A renamed store view, store or website is in its orders' items (storeViewCode, storeCode, websiteCode).
      const o = `\`${ctx.t('sales_order')}\``;
      const s = `\`${ctx.t('store')}\``;
      const sql =
        scope === 'store_id'
          ? `SELECT o.entity_id AS id FROM ${o} o WHERE o.store_id IN (?) ORDER BY o.entity_id`
          : `SELECT o.entity_id AS id FROM ${o} o JOIN ${s} s ON s.store_id = o.store_id WHERE s.${scope} IN (?) ORDER BY o.entity_id`;
      const rows = await select<{ id: number }>(ctx, `orders.expand_${entityType}`, sql, [wanted], wanted.length);
      return idStrings(rows.map((r) => r.id));
    }
    const parent = PARENTS[entityType];
    if (!parent) return [];
    const rows = await select<{ id: number }>(
      ctx,
      `orders.expand_${entityType}`,
      `SELECT DISTINCT ${parent.orderColumn} AS id FROM \`${ctx.t(parent.table)}\` WHERE ${parent.idColumn} IN (?)`,
      [wanted],
      wanted.length,
    );
    return idStrings(rows.map((r) => r.id));
  },

  async listIds(afterId: string | undefined, limit: number, ctx: ProviderContext): Promise<string[]> {
    const rows = await select<{ id: number }>(
      ctx,
      'orders.list',
      `SELECT entity_id AS id FROM \`${ctx.t('sales_order')}\` WHERE entity_id > ? ORDER BY entity_id LIMIT ?`,
      [afterNumber(afterId), limit],
      0,
    );
    return rows.map((r) => String(r.id));
  },
};
