import { afterNumber, idStrings, numericIds, select } from '../common/sql.js';
import type { AssembledItem, FeedProvider, ProviderContext } from '../types.js';
import { buildVariantItems } from './build.js';
import { loadVariantRows } from './queries.js';

interface IdRow {
  id: number;
}

export const variantsProvider: FeedProvider = {
  async assemble(ids: string[], ctx: ProviderContext): Promise<AssembledItem[]> {
    const childIds = numericIds(ids);
    if (childIds.length === 0) return [];
    return buildVariantItems(await loadVariantRows(ctx, childIds), ctx.now());
  },

  async expand(entityType: string, ids: string[], ctx: ProviderContext): Promise<string[]> {
    const wanted = numericIds(ids);
    if (wanted.length === 0) return [];
    const t = (n: string) => `\`${ctx.t(n)}\``;
    if (entityType === 'parentProduct') {
      const rows = await select<IdRow>(
        ctx,
        'variants.expand_parent',
        `SELECT product_id AS id FROM ${t('catalog_product_super_link')} WHERE parent_id IN (?)`,
        [wanted],
        wanted.length,
      );
      return idStrings(rows.map((r) => r.id));
    }
    if (entityType === 'attributeOption') {
      // Children whose value of one of their parent's super attributes is that option.
      const rows = await select<IdRow>(
        ctx,
        'variants.expand_option',
        `SELECT DISTINCT i.entity_id AS id FROM ${t('catalog_product_entity_int')} i
           JOIN ${t('catalog_product_super_link')} l ON l.product_id = i.entity_id
           JOIN ${t('catalog_product_super_attribute')} sa ON sa.product_id = l.parent_id AND sa.attribute_id = i.attribute_id
          WHERE i.value IN (?) AND i.store_id = 0`,
        [wanted],
        wanted.length,
      );
      return idStrings(rows.map((r) => r.id));
    }
    if (entityType === 'attribute') {
      // An attribute's code changed: every child of a parent that uses it as a super attribute.
      const rows = await select<IdRow>(
        ctx,
        'variants.expand_attribute',
        `SELECT DISTINCT l.product_id AS id FROM ${t('catalog_product_super_attribute')} sa
           JOIN ${t('catalog_product_super_link')} l ON l.parent_id = sa.product_id
          WHERE sa.attribute_id IN (?)`,
        [wanted],
        wanted.length,
      );
      return idStrings(rows.map((r) => r.id));
    }
    return [];
  },

  async listIds(afterId: string | undefined, limit: number, ctx: ProviderContext): Promise<string[]> {
    const rows = await select<IdRow>(
      ctx,
      'variants.list',
      `SELECT DISTINCT product_id AS id FROM \`${ctx.t('catalog_product_super_link')}\` WHERE product_id > ? ORDER BY product_id LIMIT ?`,
      [afterNumber(afterId), limit],
      0,
    );
    return rows.map((r) => String(r.id));
  },
};
