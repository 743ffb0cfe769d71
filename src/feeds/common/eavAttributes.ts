// EAV attribute metadata of an entity type (eav_attribute + catalog_eav_attribute),
// and attribute options with their per-store labels. Shared by the products,
// productAttributes and category-side feeds.
import { select } from './sql.js';
import type { ProviderContext } from '../types.js';

export type EntityTypeCode = 'catalog_product' | 'catalog_category';

export interface AttributeMeta {
  attributeId: number;
  code: string;
  backendType: string;
  frontendInput: string | null;
  frontendLabel: string | null;
  frontendClass: string | null;
  sourceModel: string | null;
  isRequired: boolean;
  isUserDefined: boolean;
  isUnique: boolean;
  /** catalog_eav_attribute flags; Magento's column defaults when the row is missing. */
  isGlobal: number;
  isVisible: boolean;
  isSearchable: boolean;
  isFilterable: boolean;
  isComparable: boolean;
  isVisibleOnFront: boolean;
  isVisibleInAdvancedSearch: boolean;
  isFilterableInSearch: boolean;
  usedInProductListing: boolean;
  usedForSortBy: boolean;
  isUsedForPriceRules: boolean;
  searchWeight: number;
}

interface AttributeRow {
  attribute_id: number;
  attribute_code: string;
  backend_type: string;
  frontend_input: string | null;
  frontend_label: string | null;
  frontend_class: string | null;
  source_model: string | null;
  is_required: number;
  is_user_defined: number;
  is_unique: number;
  is_global: number | null;
  is_visible: number | null;
  is_searchable: number | null;
  is_filterable: number | null;
  is_comparable: number | null;
  is_visible_on_front: number | null;
  is_visible_in_advanced_search: number | null;
  is_filterable_in_search: number | null;
  used_in_product_listing: number | null;
  used_for_sort_by: number | null;
  is_used_for_price_rules: number | null;
  search_weight: number | string | null;
}

const flag = (v: number | null, dflt: number): boolean => Number(v ?? dflt) === 1;

/** The FROM clause selecting an entity type's attributes, for reuse in id listings. */
export function attributesOfType(ctx: ProviderContext, alias = 'a'): string {
  return `${ctx.t('eav_attribute')} ${alias}
    JOIN ${ctx.t('eav_entity_type')} et ON et.entity_type_id = ${alias}.entity_type_id AND et.entity_type_code = ?`;
}

/**
 * Attributes of the entity type, optionally restricted (`ids`, or a SQL condition on
 * alias `a`), ordered by attribute id.
 */
export async function loadAttributes(
  ctx: ProviderContext,
  entityType: EntityTypeCode,
  filter: { ids?: number[]; where?: string; params?: unknown[] } = {},
): Promise<AttributeMeta[]> {
  if (filter.ids && filter.ids.length === 0) return [];
  const conditions: string[] = [];
  const params: unknown[] = [entityType];
  if (filter.ids) {
    conditions.push('a.attribute_id IN (?)');
    params.push(filter.ids);
  }
  if (filter.where) {
    conditions.push(filter.where);
    params.push(...(filter.params ?? []));
  }
  const rows = await select<AttributeRow>(
    ctx,
    `eav.attributes.${entityType}`,
    `SELECT a.attribute_id, a.attribute_code, a.backend_type, a.frontend_input, a.frontend_label, a.frontend_class,
            a.source_model, a.is_required, a.is_user_defined, a.is_unique,
            c.is_global, c.is_visible, c.is_searchable, c.is_filterable, c.is_comparable, c.is_visible_on_front,
            c.is_visible_in_advanced_search, c.is_filterable_in_search, c.used_in_product_listing, c.used_for_sort_by,
            c.is_used_for_price_rules, c.search_weight
       FROM ${attributesOfType(ctx)}
       LEFT JOIN ${ctx.t('catalog_eav_attribute')} c ON c.attribute_id = a.attribute_id
      ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
      ORDER BY a.attribute_id`,
    params,
    filter.ids?.length ?? 0,
  );
  return rows.map((r) => ({
    attributeId: Number(r.attribute_id),
    code: r.attribute_code,
    backendType: r.backend_type,
    frontendInput: r.frontend_input,
    frontendLabel: r.frontend_label,
    frontendClass: r.frontend_class,
    sourceModel: r.source_model,
    isRequired: Number(r.is_required) === 1,
    isUserDefined: Number(r.is_user_defined) === 1,
    isUnique: Number(r.is_unique) === 1,
    isGlobal: Number(r.is_global ?? 1),
    isVisible: flag(r.is_visible, 1),
    isSearchable: flag(r.is_searchable, 0),
    isFilterable: Number(r.is_filterable ?? 0) > 0,
    isComparable: flag(r.is_comparable, 0),
    isVisibleOnFront: flag(r.is_visible_on_front, 0),
    isVisibleInAdvancedSearch: flag(r.is_visible_in_advanced_search, 0),
    isFilterableInSearch: flag(r.is_filterable_in_search, 0),
    usedInProductListing: flag(r.used_in_product_listing, 0),
    usedForSortBy: flag(r.used_for_sort_by, 0),
    isUsedForPriceRules: flag(r.is_used_for_price_rules, 0),
    searchWeight: Number(r.search_weight ?? 1),
  }));
}

/** Attribute codes whose values are option ids (eav_attribute_option). */
export function hasOptions(a: Pick<AttributeMeta, 'frontendInput' | 'backendType' | 'sourceModel'>): boolean {
  if (a.frontendInput === 'multiselect') return true;
  // A select with its own source model (status, visibility, tax class) does not use eav_attribute_option.
  return a.frontendInput === 'select' && a.backendType === 'int' && (a.sourceModel === null || a.sourceModel === '' || /Table$/.test(a.sourceModel));
}

export interface AttributeOption {
  optionId: number;
  attributeId: number;
  sortOrder: number;
  /** store id → label; store 0 is the admin (default) label. */
  labels: Map<number, string>;
}

/** Options of the given attributes, or the given option ids, in (sort_order, option_id) order. */
export async function loadOptions(
  ctx: ProviderContext,
  by: { attributeIds: number[] } | { optionIds: number[] },
): Promise<AttributeOption[]> {
  const [column, ids] = 'attributeIds' in by ? ['o.attribute_id', by.attributeIds] : ['o.option_id', by.optionIds];
  if (ids.length === 0) return [];
  const rows = await select<{ option_id: number; attribute_id: number; sort_order: number; store_id: number | null; value: string | null }>(
    ctx,
    'eav.options',
    `SELECT o.option_id, o.attribute_id, o.sort_order, v.store_id, v.value
       FROM ${ctx.t('eav_attribute_option')} o
       LEFT JOIN ${ctx.t('eav_attribute_option_value')} v ON v.option_id = o.option_id
      WHERE ${column} IN (?)
      ORDER BY o.sort_order, o.option_id, v.store_id`,
    [ids],
    ids.length,
  );
  const out = new Map<number, AttributeOption>();
  for (const r of rows) {
    const id = Number(r.option_id);
    let opt = out.get(id);
    if (!opt) {
      opt = { optionId: id, attributeId: Number(r.attribute_id), sortOrder: Number(r.sort_order), labels: new Map() };
      out.set(id, opt);
    }
    if (r.store_id !== null && r.value !== null) opt.labels.set(Number(r.store_id), r.value);
  }
  return [...out.values()];
}

/** The option's label in a store view, falling back to the admin label. */
export function optionLabel(opt: AttributeOption, storeId: number): string {
  return opt.labels.get(storeId) ?? opt.labels.get(0) ?? '';
}
