import { hash } from 'node:crypto';
import { byString } from '../common/sql.js';
import type { AssembledItem } from '../types.js';
import type { VariantRow } from './queries.js';

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

export function buildVariantItems(rows: VariantRow[], now: Date): AssembledItem[] {
  const modifiedAt = now.toISOString();
  // per link (child, parent): the skus, and per super attribute of the parent the child's option
  interface Link {
    child: number;
    parent: number;
    parentSku: string | null;
    childSku: string | null;
    options: Map<number, { code: string; option: number | undefined; label: string | null }>;
  }
  const links = new Map<string, Link>();
  for (const r of rows) {
    const child = Number(r.product_id);
    const parent = Number(r.parent_id);
    const key = `${child}/${parent}`;
    let link = links.get(key);
    if (!link) {
      link = { child, parent, parentSku: r.parent_sku === null ? null : String(r.parent_sku), childSku: r.child_sku === null ? null : String(r.child_sku), options: new Map() };
      links.set(key, link);
    }
    if (r.attribute_id === null || r.attribute_code === null) continue;
    const attributeId = Number(r.attribute_id);
    const known = link.options.get(attributeId);
    // a second label row for the same option (duplicate store 0 values) changes nothing: the first is kept
    if (known?.option !== undefined) continue;
    link.options.set(attributeId, { code: String(r.attribute_code), option: r.value === null ? undefined : Number(r.value), label: r.label === null ? null : String(r.label) });
  }

  const out: AssembledItem[] = [];
  for (const { child, parent, parentSku, childSku, options } of [...links.values()].sort((a, b) => a.child - b.child || a.parent - b.parent)) {
    if (!parentSku || !childSku) continue;
    const optionValues: OptionValue[] = [];
    for (const [attributeId, { code, option, label }] of options) {
      // A child without a value for a super attribute is not selectable by it: no option value.
      if (option === undefined) continue;
      optionValues.push({ attributeCode: code, uid: optionUid(attributeId, option), label, valueIndex: String(option) });
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
