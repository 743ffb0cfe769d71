import { linkedEntity, movedProductsAndChildren, SUPER_LINK } from '../common/catalogIds.js';
import { afterNumber, idStrings, numericIds, select } from '../common/sql.js';
import type { AssembledItem, FeedProvider, ProviderContext } from '../types.js';
import { buildVariantItems } from './build.js';
import { loadVariantRows } from './queries.js';

// Parent sides (super attribute product_id, super link parent_id) hold link values: on Adobe
// Commerce only the rows of the parent's current version count (linkedEntity joins it there).

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
    // a version move: a moved child (its option values and sku), and every child of any version
    // of a moved parent (the parent's sku, super attributes and links of the version current now)
    if (entityType === 'stagingVersion') return movedProductsAndChildren(ctx, 'variants.expand_stagingVersion', ids, [SUPER_LINK], SUPER_LINK);
    const wanted = numericIds(ids);
    if (wanted.length === 0) return [];
    const t = (n: string) => `\`${ctx.t(n)}\``;
    const product = ctx.catalog.product;
    const q = async (sql: string) =>
      idStrings((await select<IdRow>(ctx, `variants.expand_${entityType}`, sql, [wanted], wanted.length)).map((r) => r.id));
    if (entityType === 'parentProduct') {
      const parent = linkedEntity(ctx, product, 'p', 'l.parent_id');
      return q(`SELECT l.product_id AS id FROM ${t('catalog_product_super_link')} l ${parent.join} WHERE ${parent.id} IN (?)`);
    }
    if (entityType === 'attributeOption') {
      // Children whose value of one of their parent's super attributes is that option.
      const child = linkedEntity(ctx, product, 'c', `i.${product.column}`);
      const parent = linkedEntity(ctx, product, 'p', 'l.parent_id');
      return q(
        `SELECT DISTINCT ${child.id} AS id FROM ${t('catalog_product_entity_int')} i ${child.join}
           JOIN ${t('catalog_product_super_link')} l ON l.product_id = ${child.id} ${parent.join}
           JOIN ${t('catalog_product_super_attribute')} sa ON sa.product_id = l.parent_id AND sa.attribute_id = i.attribute_id
          WHERE i.value IN (?) AND i.store_id = 0`,
      );
    }
    if (entityType === 'attribute') {
      // An attribute's code changed: every child of a parent that uses it as a super attribute.
      const parent = linkedEntity(ctx, product, 'p', 'sa.product_id');
      return q(
        `SELECT DISTINCT l.product_id AS id FROM ${t('catalog_product_super_attribute')} sa ${parent.join}
           JOIN ${t('catalog_product_super_link')} l ON l.parent_id = sa.product_id
          WHERE sa.attribute_id IN (?)`,
      );
    }
    return [];
  },

  // Each child once: on Adobe Commerce every version of a parent has its own links.
  async listIds(afterId: string | undefined, limit: number, ctx: ProviderContext): Promise<string[]> {
    const parent = linkedEntity(ctx, ctx.catalog.product, 'p', 'l.parent_id');
    const rows = await select<IdRow>(
      ctx,
      'variants.list',
      `SELECT DISTINCT l.product_id AS id FROM \`${ctx.t('catalog_product_super_link')}\` l ${parent.join}
        WHERE l.product_id > ? ORDER BY l.product_id LIMIT ?`,
      [afterNumber(afterId), limit],
      0,
    );
    return rows.map((r) => String(r.id));
  },
};
