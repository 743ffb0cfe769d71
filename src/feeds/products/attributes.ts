// attributes[] of a product item: every user-defined attribute with a value in
// the store view. Option attributes (select, multiselect) send the option labels
// of the store view in value[] and the option ids in valueId[].
import { hasOptions, optionLabel, type AttributeMeta, type AttributeOption } from '../common/eavAttributes.js';
import type { EavValues } from '../common/eavValues.js';
import { byString } from '../common/sql.js';
import type { ProductScope } from './base.js';

export interface ProductAttribute {
  attributeCode: string;
  value: string[];
  valueId: string[];
}

const PLAIN_IDS = /^\d+(?:,\d+)*$/;

/** Option ids referenced by a raw value: one for select, a comma list for multiselect. */
export function optionIdsOf(raw: string): number[] {
  // the usual value ("12" or "12,15,31") without the general path's intermediate arrays
  if (PLAIN_IDS.test(raw)) return raw.split(',').map(Number);
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}

/**
 * What a provider batch works out once and every store view of its products reuses: each product's
 * user-defined attributes in code order, each stored option value's option ids, and per attribute and
 * stored value the chosen options.
 */
export class AttributeMemo {
  readonly byProduct = new Map<number, AttributeMeta[]>();
  readonly chosen = new Map<string, { options: AttributeOption[]; valueId: string[] } | null>();
  private readonly parsed = new Map<string, readonly number[]>();

  /** optionIdsOf(raw), parsed once per batch: a catalog repeats the same few option lists. */
  optionIds(raw: string): readonly number[] {
    let ids = this.parsed.get(raw);
    if (!ids) this.parsed.set(raw, (ids = optionIdsOf(raw)));
    return ids;
  }
}

/**
 * Walks the attributes the product has values for rather than every user-defined
 * attribute: catalogs with thousands of attributes (commerce-data-export issue 24)
 * stay linear in the values.
 */
export function productAttributes(
  scope: ProductScope,
  userDefined: ReadonlyMap<number, AttributeMeta>,
  values: EavValues,
  options: ReadonlyMap<number, AttributeOption>,
  memo: AttributeMemo = new AttributeMemo(),
): ProductAttribute[] {
  const productId = scope.product.productId;
  let attributes = memo.byProduct.get(productId);
  if (!attributes) {
    attributes = [];
    for (const attributeId of values.attributeIds(productId)) {
      const a = userDefined.get(attributeId);
      if (a) attributes.push(a);
    }
    attributes.sort((x, y) => byString(x.code, y.code));
    memo.byProduct.set(productId, attributes);
  }
  const out: ProductAttribute[] = [];
  for (const a of attributes) {
    const raw = values.get(productId, a.attributeId, scope.view.storeId);
    if (raw === null || raw === undefined || raw === '') continue;
    if (!hasOptions(a)) {
      out.push({ attributeCode: a.code, value: [raw], valueId: [] });
      continue;
    }
    const key = `${a.attributeId}:${raw}`;
    let chosen = memo.chosen.get(key);
    if (chosen === undefined) {
      // Option order (sort_order, id) rather than the stored order, so that re-saving
      // the same multiselect choice in another order does not change the item.
      const list = memo
        .optionIds(raw)
        .map((id) => options.get(id))
        .filter((o): o is AttributeOption => o !== undefined && o.attributeId === a.attributeId)
        .sort((x, y) => x.sortOrder - y.sortOrder || x.optionId - y.optionId);
      chosen = list.length ? { options: list, valueId: list.map((o) => String(o.optionId)) } : null;
      memo.chosen.set(key, chosen);
    }
    if (!chosen) continue;
    out.push({ attributeCode: a.code, value: chosen.options.map((o) => optionLabel(o, scope.view.storeId)), valueId: chosen.valueId });
  }
  return out;
}

/** Option ids used by a batch's option attributes, to load their labels in one query. */
export function usedOptionIds(productIds: readonly number[], userDefined: ReadonlyMap<number, AttributeMeta>, values: EavValues, storeIds: readonly number[], memo: AttributeMemo): number[] {
  const ids = new Set<number>();
  const stores = [0, ...storeIds];
  for (const pid of productIds) {
    for (const attributeId of values.attributeIds(pid)) {
      const a = userDefined.get(attributeId);
      if (!a || !hasOptions(a)) continue;
      for (const s of stores) {
        const raw = values.get(pid, a.attributeId, s);
        if (!raw) continue;
        const optionIds = memo.optionIds(raw);
        for (let i = 0; i < optionIds.length; i++) ids.add(optionIds[i]!);
      }
    }
  }
  return [...ids].sort((a, b) => a - b);
}
