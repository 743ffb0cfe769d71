import { listEntityIds } from '../common/catalogIds.js';
import { movedEntities } from '../common/link.js';
import { afterNumber, idStrings, numericIds, select } from '../common/sql.js';
import { loadStoreViews } from '../common/stores.js';
import type { AssembledItem, FeedProvider, ProviderContext } from '../types.js';
import { buildCategoryItems } from './build.js';
import { loadCategoryRows } from './queries.js';

const categoryIds = (ctx: ProviderContext, afterId: number, limit: number | null): Promise<string[]> =>
  listEntityIds(ctx, ctx.catalog.category, 'categories.list', afterId, limit);

/**
 * Adobe Commerce moved the current version: the categories whose current version changed,
 * and the parents of any of their versions (a version may sit elsewhere in the tree, and
 * the parent's children[] follows it). Nothing on Open Source.
 */
async function movedCategories(ctx: ProviderContext, ids: string[]): Promise<string[]> {
  const moved = await movedEntities(ctx, ctx.catalog.category, ids);
  if (moved.length === 0) return [];
  const parents = await select<{ id: number }>(
    ctx,
    'categories.expand_stagingVersion',
    `SELECT DISTINCT parent_id AS id FROM ${ctx.t('catalog_category_entity')} WHERE entity_id IN (?) AND parent_id <> 0`,
    [moved],
    moved.length,
  );
  return idStrings([...moved, ...parents.map((r) => r.id)]);
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
    if (entityType === 'stagingVersion') return movedCategories(ctx, ids);
    return [];
  },

  async listIds(afterId: string | undefined, limit: number, ctx: ProviderContext): Promise<string[]> {
    return categoryIds(ctx, afterNumber(afterId), limit);
  },
};
