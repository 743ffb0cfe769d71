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
    const wanted = numericIds(ids);
    if (wanted.length === 0) return [];
    const t = (n: string) => `\`${ctx.t(n)}\``;
    const q = async (sql: string, params: unknown[]) =>
      idStrings((await select<IdRow>(ctx, `categoryPermissions.expand_${entityType}`, sql, params, wanted.length)).map((r) => r.id));
    if (entityType === 'categoryTree') {
      // A category's permission changed: its descendants inherit it.
      const likes = wanted.map(() => 'path LIKE ?').join(' OR ');
      return q(`SELECT entity_id AS id FROM ${t('catalog_category_entity')} WHERE ${likes}`, wanted.map((id) => `%/${id}/%`));
    }
    // A website or customer group appeared, was renamed or removed: rows for "all" cover it,
    // anywhere in the tree, so every category is re-assembled (trees are small).
    if (entityType === 'website' || entityType === 'customerGroup') {
      return q(`SELECT entity_id AS id FROM ${t('catalog_category_entity')} `, []);
    }
    return [];
  },

  async listIds(afterId: string | undefined, limit: number, ctx: ProviderContext): Promise<string[]> {
    const rows = await select<IdRow>(
      ctx,
      'categoryPermissions.list',
      `SELECT entity_id AS id FROM \`${ctx.t('catalog_category_entity')}\` WHERE entity_id > ? ORDER BY entity_id LIMIT ?`,
      [afterNumber(afterId), limit],
      0,
    );
    return rows.map((r) => String(r.id));
  },
};
