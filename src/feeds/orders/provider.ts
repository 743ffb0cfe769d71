import { afterNumber, numericIds, select } from '../common/sql.js';
import { loadStoreViews } from '../common/stores.js';
import type { AssembledItem, FeedProvider, ProviderContext } from '../types.js';
import { buildOrderItems } from './build.js';
import { loadOrderRows } from './queries.js';

export const ordersProvider: FeedProvider = {
  async assemble(ids: string[], ctx: ProviderContext): Promise<AssembledItem[]> {
    const wanted = numericIds(ids);
    if (wanted.length === 0) return [];
    const [rows, views] = await Promise.all([loadOrderRows(ctx, wanted), loadStoreViews(ctx)]);
    return buildOrderItems(rows, views);
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
