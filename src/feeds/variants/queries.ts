import type { RowDataPacket } from 'mysql2/promise';
import { select } from '../common/sql.js';
import type { ProviderContext } from '../types.js';

// One query per table per batch of child product ids.

type Row = RowDataPacket & Record<string, string | number | null>;

export interface VariantRows {
  links: Row[];
  products: Row[];
  superAttributes: Row[];
  childValues: Row[];
  optionLabels: Row[];
}

export async function loadVariantRows(ctx: ProviderContext, childIds: number[]): Promise<VariantRows> {
  const t = (n: string) => `\`${ctx.t(n)}\``;
  const n = childIds.length;
  const links = await select<Row>(
    ctx,
    'variants.links',
    `SELECT l.product_id, l.parent_id FROM ${t('catalog_product_super_link')} l
       JOIN ${t('catalog_product_entity')} p ON p.entity_id = l.parent_id AND p.type_id = 'configurable'
      WHERE l.product_id IN (?)`,
    [childIds],
    n,
  );
  if (links.length === 0) return { links, products: [], superAttributes: [], childValues: [], optionLabels: [] };
  const parentIds = [...new Set(links.map((l) => Number(l.parent_id)))];
  const [products, superAttributes] = await Promise.all([
    select<Row>(
      ctx,
      'variants.products',
      `SELECT entity_id, sku FROM ${t('catalog_product_entity')} WHERE entity_id IN (?)`,
      [[...childIds, ...parentIds]],
      n,
    ),
    select<Row>(
      ctx,
      'variants.super_attributes',
      `SELECT sa.product_id, sa.attribute_id, a.attribute_code
         FROM ${t('catalog_product_super_attribute')} sa
         JOIN ${t('eav_attribute')} a ON a.attribute_id = sa.attribute_id
        WHERE sa.product_id IN (?)`,
      [parentIds],
      n,
    ),
  ]);
  const attributeIds = [...new Set(superAttributes.map((s) => Number(s.attribute_id)))];
  if (attributeIds.length === 0) return { links, products, superAttributes, childValues: [], optionLabels: [] };
  // Super attributes are global in Magento: the option a child has is its store 0 value.
  const childValues = await select<Row>(
    ctx,
    'variants.child_values',
    `SELECT entity_id, attribute_id, value FROM ${t('catalog_product_entity_int')}
      WHERE entity_id IN (?) AND attribute_id IN (?) AND store_id = 0 AND value IS NOT NULL`,
    [childIds, attributeIds],
    n,
  );
  const optionIds = [...new Set(childValues.map((v) => Number(v.value)))];
  const optionLabels = optionIds.length
    ? await select<Row>(
        ctx,
        'variants.option_labels',
        `SELECT option_id, value FROM ${t('eav_attribute_option_value')} WHERE option_id IN (?) AND store_id = 0`,
        [optionIds],
        n,
      )
    : [];
  return { links, products, superAttributes, childValues, optionLabels };
}
