import { afterNumber, numericIds, select } from '../common/sql.js';
import { loadStoreViews } from '../common/stores.js';
import type { AssembledItem, FeedProvider, ProviderContext } from '../types.js';
import { buildCategoryItems } from './build.js';
import { loadCategoryRows } from './queries.js';

interface IdRow {
  id: number;
}

async function categoryIds(ctx: ProviderContext, afterId: number, limit: number | null): Promise<string[]> {
  const rows = await select<IdRow>(
    ctx,
    'categories.list',
    `SELECT entity_id AS id FROM \`${ctx.t('catalog_category_entity')}\` WHERE entity_id > ? ORDER BY entity_id${limit === null ? '' : ' LIMIT ?'}`,
    limit === null ? [afterId] : [afterId, limit],
    0,
  );
  return rows.map((r) => String(r.id));
}

export const categoriesProvider: FeedProvider = {
  async assemble(ids: string[], ctx: ProviderContext): Promise<AssembledItem[]> {
    const wanted = numericIds(ids);
    if (wanted.length === 0) return [];
    const views = await loadStoreViews(ctx);
    const rows = await loadCategoryRows(ctx, wanted, views.map((v) => v.storeId));
    return buildCategoryItems(rows, views, ctx.now());
  },

  // A store view or store group changed (code renamed, moved, root category changed, deleted):
  // the tree it left is gone from the current rows, so every category is re-assembled.
  // Category trees are small (thousands), so this stays one cheap query.
  async expand(entityType: string, ids: string[], ctx: ProviderContext): Promise<string[]> {
    if (ids.length === 0) return [];
    if (entityType === 'store' || entityType === 'storeGroup') return categoryIds(ctx, -1, null);
    return [];
  },

  async listIds(afterId: string | undefined, limit: number, ctx: ProviderContext): Promise<string[]> {
    return categoryIds(ctx, afterNumber(afterId), limit);
  },
};
