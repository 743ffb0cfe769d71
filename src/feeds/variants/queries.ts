import type { RowDataPacket } from 'mysql2/promise';
import { currentOnly } from '../common/link.js';
import { select } from '../common/sql.js';
import type { ProviderContext } from '../types.js';

// Two queries per batch of child product ids. The first: every link of a child to a configurable
// parent with both skus, joined to each of the parent's super attributes and the child's store 0
// option of it. The second: the codes of the batch's super attributes and the admin labels of its
// options (super attributes are global in Magento), a few dozen rows. Joining those two small
// tables in the first query looked up the same few rows for every link: 30 % of its time.

export interface VariantRow {
  product_id: number;
  parent_id: number;
  parent_sku: string | null;
  child_sku: string | null;
  /** null: the parent has no super attribute */
  attribute_id: number | null;
  /** null: no such attribute (or the parent has no super attribute) */
  attribute_code: string | null;
  /** null: the child has no value for this super attribute */
  value: number | string | null;
  /** null: the option has no admin label */
  label: string | null;
}

interface LinkRow extends RowDataPacket {
  product_id: number;
  parent_id: number;
  parent_sku: string | null;
  child_sku: string | null;
  attribute_id: number | null;
  value: number | string | null;
}

interface NameRow extends RowDataPacket {
  /** 'a': attribute_id → attribute_code, 'o': option_id → admin label */
  kind: 'a' | 'o';
  id: number;
  text: string | null;
}

export async function loadVariantRows(ctx: ProviderContext, childIds: number[]): Promise<VariantRow[]> {
  const t = (n: string) => `\`${ctx.t(n)}\``;
  const product = ctx.catalog.product;
  const col = product.column;
  // The parent's and the child's current versions (link.ts): the parent's super attributes and the
  // child's option values of those versions only, so a version copy never doubles an option.
  const links = await select<LinkRow>(
    ctx,
    'variants.rows',
    `SELECT l.product_id, p.entity_id AS parent_id, p.sku AS parent_sku, c.sku AS child_sku, sa.attribute_id, i.value
       FROM ${t('catalog_product_super_link')} l
       JOIN ${t('catalog_product_entity')} p ON p.${col} = l.parent_id AND p.type_id = 'configurable'${currentOnly(ctx, product, 'p')}
       JOIN ${t('catalog_product_entity')} c ON c.entity_id = l.product_id${currentOnly(ctx, product, 'c')}
       LEFT JOIN ${t('catalog_product_super_attribute')} sa ON sa.product_id = l.parent_id
       LEFT JOIN ${t('catalog_product_entity_int')} i
         ON i.${col} = c.${col} AND i.attribute_id = sa.attribute_id AND i.store_id = 0 AND i.value IS NOT NULL
      WHERE l.product_id IN (?)`,
    [childIds],
    childIds.length,
  );
  const attributeIds = new Set<number>();
  const optionIds = new Set<number>();
  for (const r of links) {
    if (r.attribute_id !== null) attributeIds.add(Number(r.attribute_id));
    if (r.value !== null) optionIds.add(Number(r.value));
  }
  const codes = new Map<number, string | null>();
  const labels = new Map<number, string | null>();
  if (attributeIds.size > 0) {
    // labels in value_id order: of duplicate store 0 labels of an option the first is kept
    const names = await select<NameRow>(
      ctx,
      'variants.names',
      `SELECT 'a' AS kind, attribute_id AS id, attribute_code AS text, 0 AS value_id FROM ${t('eav_attribute')} WHERE attribute_id IN (?)
       UNION ALL
       SELECT 'o', option_id, value, value_id FROM ${t('eav_attribute_option_value')} WHERE store_id = 0 AND option_id IN (?)
       ORDER BY value_id`,
      [[...attributeIds], optionIds.size > 0 ? [...optionIds] : [null]],
      childIds.length,
    );
    for (const n of names) {
      const into = n.kind === 'a' ? codes : labels;
      const id = Number(n.id);
      if (!into.has(id)) into.set(id, n.text === null ? null : String(n.text));
    }
  }
  return links.map((r) => ({
    product_id: r.product_id,
    parent_id: r.parent_id,
    parent_sku: r.parent_sku,
    child_sku: r.child_sku,
    attribute_id: r.attribute_id,
    attribute_code: r.attribute_id === null ? null : (codes.get(Number(r.attribute_id)) ?? null),
    value: r.value,
    label: r.value === null ? null : (labels.get(Number(r.value)) ?? null),
  }));
}
