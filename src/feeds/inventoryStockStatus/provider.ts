import { listEntityIds } from '../common/catalogIds.js';
import { currentOnly, movedEntities } from '../common/link.js';
import { afterNumber, idStrings, numericIds, select } from '../common/sql.js';
import type { AssembledItem, FeedProvider, ProviderContext } from '../types.js';
import { buildStockItems } from './build.js';
import { loadStockRows } from './queries.js';

interface IdRow {
  id: number;
}

const productIds = (ctx: ProviderContext, afterId: number, limit: number | null): Promise<string[]> =>
  listEntityIds(ctx, ctx.catalog.product, 'inventory.list', afterId, limit);

export const inventoryStockStatusProvider: FeedProvider = {
  async assemble(ids: string[], ctx: ProviderContext): Promise<AssembledItem[]> {
    const wanted = numericIds(ids);
    if (wanted.length === 0) return [];
    return buildStockItems(await loadStockRows(ctx, wanted), ctx.now());
  },

  async expand(entityType: string, ids: string[], ctx: ProviderContext): Promise<string[]> {
    if (ids.length === 0) return [];
    if (entityType === 'sku') {
      // the products whose current version has the sku
      const rows = await select<IdRow>(
        ctx,
        'inventory.expand_sku',
        `SELECT e.entity_id AS id FROM ${ctx.t('catalog_product_entity')} e WHERE e.sku IN (?)${currentOnly(ctx, ctx.catalog.product, 'e')}`,
        [ids],
        ids.length,
      );
      return idStrings(rows.map((r) => r.id));
    }
    // A stock or its source links changed (possibly deleted, so the old links are gone):
    // every product is re-assembled and dedupe drops the unchanged items.
    if (entityType === 'stock') return productIds(ctx, -1, null);
    // Adobe Commerce moved the current version: items carry the current version's sku and type.
    if (entityType === 'stagingVersion') return idStrings(await movedEntities(ctx, ctx.catalog.product, ids));
    return [];
  },

  async listIds(afterId: string | undefined, limit: number, ctx: ProviderContext): Promise<string[]> {
    return productIds(ctx, afterNumber(afterId), limit);
  },
};
