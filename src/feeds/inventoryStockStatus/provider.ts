import { afterNumber, idStrings, numericIds, select } from '../common/sql.js';
import type { AssembledItem, FeedProvider, ProviderContext } from '../types.js';
import { buildStockItems } from './build.js';
import { loadStockRows } from './queries.js';

interface IdRow {
  id: number;
}

async function productIds(ctx: ProviderContext, afterId: number, limit: number | null): Promise<string[]> {
  const rows = await select<IdRow>(
    ctx,
    'inventory.list',
    `SELECT entity_id AS id FROM \`${ctx.t('catalog_product_entity')}\` WHERE entity_id > ? ORDER BY entity_id${limit === null ? '' : ' LIMIT ?'}`,
    limit === null ? [afterId] : [afterId, limit],
    0,
  );
  return rows.map((r) => String(r.id));
}

export const inventoryStockStatusProvider: FeedProvider = {
  async assemble(ids: string[], ctx: ProviderContext): Promise<AssembledItem[]> {
    const wanted = numericIds(ids);
    if (wanted.length === 0) return [];
    return buildStockItems(await loadStockRows(ctx, wanted), ctx.now());
  },

  async expand(entityType: string, ids: string[], ctx: ProviderContext): Promise<string[]> {
    if (ids.length === 0) return [];
    if (entityType === 'sku') {
      const rows = await select<IdRow>(
        ctx,
        'inventory.expand_sku',
        `SELECT entity_id AS id FROM \`${ctx.t('catalog_product_entity')}\` WHERE sku IN (?)`,
        [ids],
        ids.length,
      );
      return idStrings(rows.map((r) => r.id));
    }
    // A stock or its source links changed (possibly deleted, so the old links are gone):
    // every product is re-assembled and dedupe drops the unchanged items.
    if (entityType === 'stock') return productIds(ctx, -1, null);
    return [];
  },

  async listIds(afterId: string | undefined, limit: number, ctx: ProviderContext): Promise<string[]> {
    return productIds(ctx, afterNumber(afterId), limit);
  },
};
