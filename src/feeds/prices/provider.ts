import { linkedEntity, listEntityIds, movedProductsAndChildren, PRODUCT_RELATION, SUPER_LINK } from '../common/catalogIds.js';
import { afterNumber, idStrings, numericIds, select } from '../common/sql.js';
import type { AssembledItem, FeedProvider, ProviderContext } from '../types.js';
import { buildPriceItems } from './build.js';
import { loadPriceRows } from './queries.js';

/** Catalog rule prices are matched on today's date (the website's timezone is taken as UTC). */
export const ruleDate = (now: Date): string => now.toISOString().slice(0, 10);

interface IdRow {
  id: number;
}

export const pricesProvider: FeedProvider = {
  async assemble(ids: string[], ctx: ProviderContext): Promise<AssembledItem[]> {
    const wanted = numericIds(ids);
    if (wanted.length === 0) return [];
    const now = ctx.now();
    return buildPriceItems(await loadPriceRows(ctx, wanted, ruleDate(now)), now);
  },

  async expand(entityType: string, ids: string[], ctx: ProviderContext): Promise<string[]> {
    // a version move: the products whose current version changed (price, special price, tier
    // prices, sku, type) and the children of any version of a moved parent (their parents[])
    if (entityType === 'stagingVersion') return movedProductsAndChildren(ctx, 'prices.expand_stagingVersion', ids, [PRODUCT_RELATION, SUPER_LINK]);
    const wanted = numericIds(ids);
    if (wanted.length === 0) return [];
    const t = (n: string) => `\`${ctx.t(n)}\``;
    const q = async (sql: string, params: unknown[]) =>
      idStrings((await select<IdRow>(ctx, `prices.expand_${entityType}`, sql, params, wanted.length)).map((r) => r.id));
    const link = ctx.catalog.product;
    if (entityType === 'website') {
      return q(`SELECT DISTINCT product_id AS id FROM ${t('catalog_product_website')} WHERE website_id IN (?)`, [wanted]);
    }
    if (entityType === 'parentProduct') {
      // A parent's sku or type is in its children's parents[] (the children of its current version).
      // Its website assignment decides in which websites it is listed there.
      const r = linkedEntity(ctx, link, 'rp', 'r.parent_id');
      const l = linkedEntity(ctx, link, 'lp', 'l.parent_id');
      return q(
        `SELECT r.child_id AS id FROM ${t('catalog_product_relation')} r ${r.join} WHERE ${r.id} IN (?)
         UNION SELECT l.product_id AS id FROM ${t('catalog_product_super_link')} l ${l.join} WHERE ${l.id} IN (?)`,
        [wanted, wanted],
      );
    }
    if (entityType === 'customerGroup') {
      // Only products with a price of the group's own have an item for it (in their current version).
      const tp = linkedEntity(ctx, link, 'e', `tp.${link.column}`);
      return q(
        `SELECT ${tp.id} AS id FROM ${t('catalog_product_entity_tier_price')} tp ${tp.join} WHERE tp.all_groups = 0 AND tp.customer_group_id IN (?)
         UNION SELECT product_id AS id FROM ${t('catalogrule_product_price')} WHERE customer_group_id IN (?) AND rule_date = ?`,
        [wanted, wanted, ruleDate(ctx.now())],
      );
    }
    return [];
  },

  async listIds(afterId: string | undefined, limit: number, ctx: ProviderContext): Promise<string[]> {
    return listEntityIds(ctx, ctx.catalog.product, 'prices.list', afterNumber(afterId), limit);
  },
};
