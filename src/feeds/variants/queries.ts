import type { RowDataPacket } from 'mysql2/promise';
import { select } from '../common/sql.js';
import type { ProviderContext } from '../types.js';

// Three queries per batch of child product ids, run at once: every one starts from
// the children's super links, so none waits for another's result.

type Row = RowDataPacket & Record<string, string | number | null>;

export interface VariantRows {
  /** child, parent and their skus (configurable parents only) */
  links: Row[];
  /** each parent's super attributes */
  superAttributes: Row[];
  /** each child's store 0 option of its parents' super attributes, with the option's admin label */
  childValues: Row[];
}

export async function loadVariantRows(ctx: ProviderContext, childIds: number[]): Promise<VariantRows> {
  const t = (n: string) => `\`${ctx.t(n)}\``;
  const n = childIds.length;
  const [links, superAttributes, childValues] = await Promise.all([
    select<Row>(
      ctx,
      'variants.links',
      `SELECT l.product_id, l.parent_id, p.sku AS parent_sku, c.sku AS child_sku
         FROM ${t('catalog_product_super_link')} l
         JOIN ${t('catalog_product_entity')} p ON p.entity_id = l.parent_id AND p.type_id = 'configurable'
         JOIN ${t('catalog_product_entity')} c ON c.entity_id = l.product_id
        WHERE l.product_id IN (?)`,
      [childIds],
      n,
    ),
    select<Row>(
      ctx,
      'variants.super_attributes',
      `SELECT DISTINCT sa.product_id, sa.attribute_id, a.attribute_code
         FROM ${t('catalog_product_super_link')} l
         JOIN ${t('catalog_product_super_attribute')} sa ON sa.product_id = l.parent_id
         JOIN ${t('eav_attribute')} a ON a.attribute_id = sa.attribute_id
        WHERE l.product_id IN (?)`,
      [childIds],
      n,
    ),
    // Super attributes are global in Magento: the option a child has is its store 0 value.
    select<Row>(
      ctx,
      'variants.child_values',
      `SELECT DISTINCT i.entity_id, i.attribute_id, i.value, ov.value AS label
         FROM ${t('catalog_product_super_link')} l
         JOIN ${t('catalog_product_super_attribute')} sa ON sa.product_id = l.parent_id
         JOIN ${t('catalog_product_entity_int')} i
           ON i.entity_id = l.product_id AND i.attribute_id = sa.attribute_id AND i.store_id = 0 AND i.value IS NOT NULL
         LEFT JOIN ${t('eav_attribute_option_value')} ov ON ov.option_id = i.value AND ov.store_id = 0
        WHERE l.product_id IN (?)`,
      [childIds],
      n,
    ),
  ]);
  return { links, superAttributes, childValues };
}
