// productAttributes: one item per catalog_product attribute × active store view.
// Differences from Adobe's ProductMetadataQuery, on purpose:
// - systemAttribute is "not user-defined" (Adobe sends is_user_defined under that name);
// - global is true only for the global scope (is_global = 1), not for website scope;
// - visibleInSearch reads is_visible_in_advanced_search (Adobe repeats is_visible_on_front).
import { attributesOfType, hasOptions, loadAttributes, loadOptions, optionLabel, type AttributeMeta } from '../common/eavAttributes.js';
import { afterNumber, idStrings, numericIds, select } from '../common/sql.js';
import { loadStoreViews, type StoreView } from '../common/stores.js';
import { sqlTimestamp } from '../common/time.js';
import type { AssembledItem, FeedItem, FeedProvider, ProviderContext } from '../types.js';
import { isBoolean, isMulti, isNumeric } from './format.js';

const ENTITY_TYPE = 'catalog_product';

export async function assembleAttributes(ids: string[], ctx: ProviderContext): Promise<AssembledItem[]> {
  const attrIds = numericIds(ids);
  if (attrIds.length === 0) return [];
  const [attributes, views, labelRows, options] = await Promise.all([
    loadAttributes(ctx, ENTITY_TYPE, { ids: attrIds }),
    loadStoreViews(ctx, { activeOnly: true }),
    select<{ attribute_id: number; store_id: number; value: string | null }>(
      ctx,
      'productAttributes.labels',
      `SELECT attribute_id, store_id, value FROM ${ctx.t('eav_attribute_label')} WHERE attribute_id IN (?) AND store_id <> 0`,
      [attrIds],
      attrIds.length,
    ),
    loadOptions(ctx, { attributeIds: attrIds }),
  ]);
  const labels = new Map(labelRows.map((r) => [`${r.attribute_id}/${r.store_id}`, r.value]));
  const modifiedAt = sqlTimestamp(ctx.now());
  const out: AssembledItem[] = [];
  for (const a of attributes) {
    const attrOptions = hasOptions(a) ? options.filter((o) => o.attributeId === a.attributeId) : [];
    for (const v of views) {
      const label = labels.get(`${a.attributeId}/${v.storeId}`) ?? a.frontendLabel;
      out.push({
        sourceEntityId: String(a.attributeId),
        item: item(a, v, label, attrOptions.map((o) => optionLabel(o, v.storeId)), modifiedAt),
      });
    }
  }
  return out;
}

function item(a: AttributeMeta, v: StoreView, label: string | null, attributeOptions: string[], modifiedAt: string): FeedItem {
  return {
    id: String(a.attributeId),
    storeCode: v.storeCode,
    websiteCode: v.websiteCode,
    storeViewCode: v.storeViewCode,
    attributeCode: a.code,
    attributeType: ENTITY_TYPE,
    dataType: a.backendType,
    multi: isMulti(a),
    label,
    frontendInput: a.frontendInput,
    required: a.isRequired,
    unique: a.isUnique,
    global: a.isGlobal === 1,
    visible: a.isVisibleOnFront,
    searchable: a.isSearchable,
    filterable: a.isFilterable,
    visibleInCompareList: a.isComparable,
    visibleInListing: a.usedInProductListing,
    sortable: a.usedForSortBy,
    visibleInSearch: a.isVisibleInAdvancedSearch,
    filterableInSearch: a.isFilterableInSearch,
    searchWeight: a.searchWeight,
    usedForRules: a.isUsedForPriceRules,
    boolean: isBoolean(a),
    systemAttribute: !a.isUserDefined,
    numeric: isNumeric(a),
    attributeOptions,
    modifiedAt,
    deleted: false,
  };
}

async function listAttributeIds(afterId: string | undefined, limit: number, ctx: ProviderContext): Promise<string[]> {
  const rows = await select<{ attribute_id: number }>(
    ctx,
    'productAttributes.listIds',
    `SELECT a.attribute_id FROM ${attributesOfType(ctx)} WHERE a.attribute_id > ? ORDER BY a.attribute_id LIMIT ?`,
    [ENTITY_TYPE, afterNumber(afterId), limit],
    0,
  );
  return rows.map((r) => String(r.attribute_id));
}

export const productAttributesProvider: FeedProvider = {
  assemble: assembleAttributes,
  async expand(type, ids, ctx) {
    // A store view added, renamed, moved or switched off changes every attribute's items.
    if (type === 'store') return listAttributeIds(undefined, Number.MAX_SAFE_INTEGER, ctx);
    if (type !== 'attributeOption') return [];
    const optionIds = numericIds(ids);
    if (optionIds.length === 0) return [];
    const rows = await select<{ attribute_id: number }>(
      ctx,
      'productAttributes.expand.attributeOption',
      `SELECT DISTINCT attribute_id FROM ${ctx.t('eav_attribute_option')} WHERE option_id IN (?)`,
      [optionIds],
      optionIds.length,
    );
    return idStrings(rows.map((r) => r.attribute_id));
  },
  listIds: listAttributeIds,
};
