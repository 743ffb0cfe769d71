import { listEntityIds } from '../common/catalogIds.js';
import { currentOnly, movedEntities } from '../common/link.js';
import { afterNumber, idStrings, numericIds, select } from '../common/sql.js';
import type { AssembledItem, FeedProvider, ProviderContext } from '../types.js';
import { buildPermissionItems } from './build.js';
import { loadPermissionRows } from './queries.js';

interface IdRow {
  id: number;
}

export const categoryPermissionsProvider: FeedProvider = {
  async assemble(ids: string[], ctx: ProviderContext): Promise<AssembledItem[]> {
    const wanted = numericIds(ids);
    if (wanted.length === 0) return [];
    return buildPermissionItems(await loadPermissionRows(ctx, wanted), ctx.now());
  },

  async expand(entityType: string, ids: string[], ctx: ProviderContext): Promise<string[]> {
    // Adobe Commerce moved the current version: a category's item follows its current path.
    if (entityType === 'stagingVersion') return idStrings(await movedEntities(ctx, ctx.catalog.category, ids));
    const wanted = numericIds(ids);
    if (wanted.length === 0) return [];
    const q = async (sql: string, params: unknown[]) =>
      idStrings((await select<IdRow>(ctx, `categoryPermissions.expand_${entityType}`, sql, params, wanted.length)).map((r) => r.id));
    if (entityType === 'categoryTree') {
      // A category's permission changed: its descendants inherit it.
      const likes = wanted.map(() => 'e.path LIKE ?').join(' OR ');
      return q(
        `SELECT e.entity_id AS id FROM ${ctx.t('catalog_category_entity')} e WHERE (${likes})${currentOnly(ctx, ctx.catalog.category, 'e')}`,
        wanted.map((id) => `%/${id}/%`),
      );
    }
    // A website or customer group appeared, was renamed or removed: rows for "all" cover it,
    // anywhere in the tree, so every category is re-assembled (trees are small).
    if (entityType === 'website' || entityType === 'customerGroup') {
      return listEntityIds(ctx, ctx.catalog.category, `categoryPermissions.expand_${entityType}`, -1, null);
    }
    return [];
  },

  async listIds(afterId: string | undefined, limit: number, ctx: ProviderContext): Promise<string[]> {
    return listEntityIds(ctx, ctx.catalog.category, 'categoryPermissions.list', afterNumber(afterId), limit);
  },
};
