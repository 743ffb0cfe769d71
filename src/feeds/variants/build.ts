import { hash } from 'node:crypto';
import { byString } from '../common/sql.js';
import type { AssembledItem } from '../types.js';
import type { VariantRows } from './queries.js';

// One item per configurable parent × child. Adobe's id and uid formats
// (ProductVariantDataExporter): md5 of "configurable/<parentSku>/<childSku>" and
// base64 of "configurable/<attributeId>/<optionId>".

export interface OptionValue {
  attributeCode: string;
  uid: string;
  label: string | null;
  valueIndex: string;
}

export const variantId = (parentSku: string, childSku: string): string =>
  hash('md5', `configurable/${parentSku}/${childSku}`, 'hex');

export const optionUid = (attributeId: number | string, optionId: number | string): string =>
  Buffer.from(`configurable/${attributeId}/${optionId}`).toString('base64');

export function buildVariantItems(rows: VariantRows, now: Date): AssembledItem[] {
  const modifiedAt = now.toISOString();
  const superAttrs = new Map<number, Array<{ id: number; code: string }>>();
  for (const s of rows.superAttributes) {
    const list = superAttrs.get(Number(s.product_id)) ?? [];
    superAttrs.set(Number(s.product_id), list);
    list.push({ id: Number(s.attribute_id), code: String(s.attribute_code) });
  }
  const values = new Map<string, number>();
  const labels = new Map<number, string | null>();
  for (const v of rows.childValues) {
    values.set(`${v.entity_id}/${v.attribute_id}`, Number(v.value));
    labels.set(Number(v.value), v.label === null ? null : String(v.label));
  }

  const links = rows.links
    .map((l) => ({
      child: Number(l.product_id),
      parent: Number(l.parent_id),
      parentSku: l.parent_sku === null ? null : String(l.parent_sku),
      childSku: l.child_sku === null ? null : String(l.child_sku),
    }))
    .sort((a, b) => a.child - b.child || a.parent - b.parent);
  const out: AssembledItem[] = [];
  for (const { child, parent, parentSku, childSku } of links) {
    if (!parentSku || !childSku) continue;
    const optionValues: OptionValue[] = [];
    for (const attr of superAttrs.get(parent) ?? []) {
      const option = values.get(`${child}/${attr.id}`);
      // A child without a value for a super attribute is not selectable by it: no option value.
      if (option === undefined) continue;
      optionValues.push({
        attributeCode: attr.code,
        uid: optionUid(attr.id, option),
        label: labels.get(option) ?? null,
        valueIndex: String(option),
      });
    }
    // as Adobe's provider: a child that has no option of its parent's attributes is no variant
    if (optionValues.length === 0) continue;
    optionValues.sort((a, b) => byString(a.attributeCode, b.attributeCode));
    out.push({
      sourceEntityId: String(child),
      item: {
        id: variantId(parentSku, childSku),
        optionValues,
        parentId: String(parent),
        productId: String(child),
        parentSku,
        productSku: childSku,
        deleted: false,
        modifiedAt,
      },
    });
  }
  return out;
}
