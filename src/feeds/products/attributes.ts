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

/** Parsed values: a catalog repeats the same few option lists across products and store views. */
const parsed = new Map<string, readonly number[]>();
const PARSED_MAX = 10_000;

/** Option ids referenced by a raw value: one for select, a comma list for multiselect. */
export function optionIdsOf(raw: string): readonly number[] {
  let ids = parsed.get(raw);
  if (ids) return ids;
  // the usual value ("12" or "12,15,31") without the general path's intermediate arrays
  ids = PLAIN_IDS.test(raw)
    ? raw.split(',').map(Number)
    : raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => /^\d+$/.test(s))
        .map(Number);
  if (parsed.size >= PARSED_MAX) parsed.clear();
  parsed.set(raw, ids);
  return ids;
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
): ProductAttribute[] {
  const out: ProductAttribute[] = [];
  for (const attributeId of values.attributeIds(scope.product.productId)) {
    const a = userDefined.get(attributeId);
    if (!a) continue;
    const raw = values.get(scope.product.productId, a.attributeId, scope.view.storeId);
    if (raw === null || raw === undefined || raw === '') continue;
    if (!hasOptions(a)) {
      out.push({ attributeCode: a.code, value: [raw], valueId: [] });
      continue;
    }
    // Option order (sort_order, id) rather than the stored order, so that re-saving
    // the same multiselect choice in another order does not change the item.
    const chosen = optionIdsOf(raw)
      .map((id) => options.get(id))
      .filter((o): o is AttributeOption => o !== undefined && o.attributeId === a.attributeId)
      .sort((x, y) => x.sortOrder - y.sortOrder || x.optionId - y.optionId);
    if (chosen.length === 0) continue;
    out.push({
      attributeCode: a.code,
      value: chosen.map((o) => optionLabel(o, scope.view.storeId)),
      valueId: chosen.map((o) => String(o.optionId)),
    });
  }
  return out.sort((x, y) => byString(x.attributeCode, y.attributeCode));
}

/** Option ids used by a batch's option attributes, to load their labels in one query. */
export function usedOptionIds(productIds: readonly number[], userDefined: ReadonlyMap<number, AttributeMeta>, values: EavValues, storeIds: readonly number[]): number[] {
  const ids = new Set<number>();
  for (const pid of productIds) {
    for (const attributeId of values.attributeIds(pid)) {
      const a = userDefined.get(attributeId);
      if (!a || !hasOptions(a)) continue;
      for (const s of [0, ...storeIds]) {
        const raw = values.get(pid, a.attributeId, s);
        if (raw) for (const optionId of optionIdsOf(raw)) ids.add(optionId);
      }
    }
  }
  return [...ids].sort((a, b) => a - b);
}
