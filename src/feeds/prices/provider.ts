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
    const wanted = numericIds(ids);
    if (wanted.length === 0) return [];
    const t = (n: string) => `\`${ctx.t(n)}\``;
    const q = async (sql: string, params: unknown[]) =>
      idStrings((await select<IdRow>(ctx, `prices.expand_${entityType}`, sql, params, wanted.length)).map((r) => r.id));
    if (entityType === 'website') {
      return q(`SELECT DISTINCT product_id AS id FROM ${t('catalog_product_website')} WHERE website_id IN (?)`, [wanted]);
    }
    if (entityType === 'parentProduct') {
      // A parent's sku or type is in its children's parents[].
      // Its website assignment decides in which websites it is listed there.
      return q(
        `SELECT child_id AS id FROM ${t('catalog_product_relation')} WHERE parent_id IN (?)
         UNION SELECT product_id AS id FROM ${t('catalog_product_super_link')} WHERE parent_id IN (?)`,
        [wanted, wanted],
      );
    }
    if (entityType === 'customerGroup') {
      // Only products with a price of the group's own have an item for it.
      return q(
        `SELECT entity_id AS id FROM ${t('catalog_product_entity_tier_price')} WHERE all_groups = 0 AND customer_group_id IN (?)
         UNION SELECT product_id AS id FROM ${t('catalogrule_product_price')} WHERE customer_group_id IN (?) AND rule_date = ?`,
        [wanted, wanted, ruleDate(ctx.now())],
      );
    }
    return [];
  },

  async listIds(afterId: string | undefined, limit: number, ctx: ProviderContext): Promise<string[]> {
    const rows = await select<IdRow>(
      ctx,
      'prices.list',
      `SELECT entity_id AS id FROM \`${ctx.t('catalog_product_entity')}\` WHERE entity_id > ? ORDER BY entity_id LIMIT ?`,
      [afterNumber(afterId), limit],
      0,
    );
    return rows.map((r) => String(r.id));
  },
};
