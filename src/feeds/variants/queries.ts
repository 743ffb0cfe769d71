import type { RowDataPacket } from 'mysql2/promise';
import { select } from '../common/sql.js';
import type { ProviderContext } from '../types.js';

// One query per batch of child product ids: every link of a child to a configurable parent with
// both skus, joined to each of the parent's super attributes and the child's store 0 option of it
// with the option's admin label (super attributes are global in Magento). Three queries (links,
// super attributes, option values) each parsed the batch's id list and walked the same links again.

export interface VariantRow extends RowDataPacket {
  product_id: number;
  parent_id: number;
  parent_sku: string | null;
  child_sku: string | null;
  /** null: the parent has no super attribute */
  attribute_id: number | null;
  attribute_code: string | null;
  /** null: the child has no value for this super attribute */
  value: number | string | null;
  label: string | null;
}

export async function loadVariantRows(ctx: ProviderContext, childIds: number[]): Promise<VariantRow[]> {
  const t = (n: string) => `\`${ctx.t(n)}\``;
  return select<VariantRow>(
    ctx,
    'variants.rows',
    `SELECT l.product_id, l.parent_id, p.sku AS parent_sku, c.sku AS child_sku, sa.attribute_id, a.attribute_code, i.value, ov.value AS label
       FROM ${t('catalog_product_super_link')} l
       JOIN ${t('catalog_product_entity')} p ON p.entity_id = l.parent_id AND p.type_id = 'configurable'
       JOIN ${t('catalog_product_entity')} c ON c.entity_id = l.product_id
       LEFT JOIN ${t('catalog_product_super_attribute')} sa ON sa.product_id = l.parent_id
       LEFT JOIN ${t('eav_attribute')} a ON a.attribute_id = sa.attribute_id
       LEFT JOIN ${t('catalog_product_entity_int')} i
         ON i.entity_id = l.product_id AND i.attribute_id = sa.attribute_id AND i.store_id = 0 AND i.value IS NOT NULL
       LEFT JOIN ${t('eav_attribute_option_value')} ov ON ov.option_id = i.value AND ov.store_id = 0
      WHERE l.product_id IN (?)`,
    [childIds],
    childIds.length,
  );
}
