import type { RowDataPacket } from 'mysql2/promise';
import type { AssembledItem, FeedProvider, ProviderContext } from '../types.js';
import { buildPriceItems } from './build.js';
import { loadPriceRows } from './queries.js';

/** Catalog rule prices are matched on today's date (the website's timezone is taken as UTC). */
export const ruleDate = (now: Date): string => now.toISOString().slice(0, 10);

async function column(ctx: ProviderContext, sql: string, params: unknown[]): Promise<string[]> {
  const [rows] = await ctx.db.query<RowDataPacket[]>(sql, params);
  return rows.map((r) => String(r.id));
}

export const pricesProvider: FeedProvider = {
  async assemble(ids: string[], ctx: ProviderContext): Promise<AssembledItem[]> {
    if (ids.length === 0) return [];
    const started = Date.now();
    const now = ctx.now();
    const rows = await loadPriceRows(ctx, ids.map(Number), ruleDate(now));
    const items = buildPriceItems(rows, now);
    ctx.profile('prices.assemble', ids.length, Date.now() - started);
    return items;
  },

  async expand(entityType: string, ids: string[], ctx: ProviderContext): Promise<string[]> {
    if (ids.length === 0) return [];
    const t = (n: string) => `\`${ctx.t(n)}\``;
    if (entityType === 'website') {
      return column(ctx, `SELECT DISTINCT product_id AS id FROM ${t('catalog_product_website')} WHERE website_id IN (?) ORDER BY product_id`, [ids]);
    }
    if (entityType === 'parentProduct') {
      // A parent's sku or type is in its children's parents[].
      return column(ctx, `SELECT DISTINCT child_id AS id FROM ${t('catalog_product_relation')} WHERE parent_id IN (?) ORDER BY child_id`, [ids]);
    }
    if (entityType === 'customerGroup') {
      // Only products with a price of the group's own have an item for it.
      return column(
        ctx,
        `SELECT entity_id AS id FROM ${t('catalog_product_entity_tier_price')} WHERE all_groups = 0 AND customer_group_id IN (?)
         UNION SELECT product_id AS id FROM ${t('catalogrule_product_price')} WHERE customer_group_id IN (?) AND rule_date = ?
         ORDER BY id`,
        [ids, ids, ruleDate(ctx.now())],
      );
    }
    return [];
  },

  async listIds(afterId: string | undefined, limit: number, ctx: ProviderContext): Promise<string[]> {
    return column(
      ctx,
      `SELECT entity_id AS id FROM \`${ctx.t('catalog_product_entity')}\` WHERE entity_id > ? ORDER BY entity_id LIMIT ?`,
      [Number(afterId ?? 0), limit],
    );
  },
};
