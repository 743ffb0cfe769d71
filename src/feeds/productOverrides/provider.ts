import { listEntityIds } from '../common/catalogIds.js';
import { movedEntities } from '../common/link.js';
import { afterNumber, idStrings, numericIds, select } from '../common/sql.js';
import type { AssembledItem, FeedProvider, ProviderContext } from '../types.js';
import { buildOverrideItems } from './build.js';
import { loadOverrideRows } from './queries.js';

interface IdRow {
  id: number;
}

export const productOverridesProvider: FeedProvider = {
  async assemble(ids: string[], ctx: ProviderContext): Promise<AssembledItem[]> {
    const wanted = numericIds(ids);
    if (wanted.length === 0) return [];
    return buildOverrideItems(await loadOverrideRows(ctx, wanted), ctx.now());
  },

  async expand(entityType: string, ids: string[], ctx: ProviderContext): Promise<string[]> {
    // Adobe Commerce moved the current version: items carry the current version's sku.
    if (entityType === 'stagingVersion') return idStrings(await movedEntities(ctx, ctx.catalog.product, ids));
    const wanted = numericIds(ids);
    if (wanted.length === 0) return [];
    const t = (n: string) => `\`${ctx.t(n)}\``;
    const q = async (sql: string) =>
      idStrings((await select<IdRow>(ctx, `productOverrides.expand_${entityType}`, sql, [wanted], wanted.length)).map((r) => r.id));
    // The category index changed: the products of the category (the product index follows it).
    if (entityType === 'category') return q(`SELECT DISTINCT product_id AS id FROM ${t('catalog_category_product')} WHERE category_id IN (?)`);
    // A store view (moved, deleted) or a website (code renamed): the products indexed for it.
    if (entityType === 'store') return q(`SELECT DISTINCT product_id AS id FROM ${t('magento_catalogpermissions_index_product')} WHERE store_id IN (?)`);
    if (entityType === 'website') {
      return q(
        `SELECT DISTINCT ip.product_id AS id FROM ${t('magento_catalogpermissions_index_product')} ip
           JOIN ${t('store')} s ON s.store_id = ip.store_id WHERE s.website_id IN (?)`,
      );
    }
    return [];
  },

  async listIds(afterId: string | undefined, limit: number, ctx: ProviderContext): Promise<string[]> {
    return listEntityIds(ctx, ctx.catalog.product, 'productOverrides.list', afterNumber(afterId), limit);
  },
};
