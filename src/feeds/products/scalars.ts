// The scalar fields of a product item from its EAV values in one store view
// (store view value, else the default one), with Adobe's enum labels
// (SystemEnumFormatter in CatalogDataExporter/etc/di.xml).
import type { AttributeMeta } from '../common/eavAttributes.js';
import type { EavValues } from '../common/eavValues.js';
import { toNumber } from '../common/sql.js';
import type { ProductScope } from './base.js';

/** System attributes the feed reads besides the user-defined ones (Adobe's includeAttributes). */
export const SYSTEM_ATTRIBUTES = [
  'name',
  'description',
  'short_description',
  'meta_description',
  'meta_keyword',
  'meta_title',
  'status',
  'visibility',
  'tax_class_id',
  'url_key',
  'weight',
  'weight_type',
  'price_view',
  'links_purchased_separately',
  'image',
  'small_image',
  'thumbnail',
  'swatch_image',
] as const;

const VISIBILITY: Record<string, string> = {
  '1': 'Not Visible Individually',
  '2': 'Catalog',
  '3': 'Search',
  '4': 'Catalog, Search',
};
const PRICE_VIEW: Record<string, string> = { '0': 'price_range', '1': 'as_low_as' };
const WEIGHT_TYPE: Record<string, string> = { '0': 'dynamic', '1': 'fixed' };

/** One store view's values of a product, by attribute code. */
export interface ScopedValues {
  get(code: string): string | null;
}

export function scopedValues(values: EavValues, byCode: ReadonlyMap<string, AttributeMeta>, scope: ProductScope): ScopedValues {
  return {
    get(code) {
      const a = byCode.get(code);
      if (!a) return null;
      return values.get(scope.product.productId, a.attributeId, scope.view.storeId) ?? null;
    },
  };
}

export interface ScalarFields {
  name: string | null;
  priceView: string | null;
  shortDescription: string | null;
  description: string | null;
  metaDescription: string | null;
  metaKeyword: string | null;
  metaTitle: string | null;
  linksPurchasedSeparately: boolean | null;
  status: string;
  taxClassId: string | null;
  urlKey: string | null;
  visibility: string | null;
  weight: number | null;
  weightType: string | null;
}

export function scalarFields(v: ScopedValues, taxClasses: ReadonlyMap<number, string>): ScalarFields {
  const taxClass = v.get('tax_class_id');
  const links = v.get('links_purchased_separately');
  return {
    name: v.get('name'),
    priceView: PRICE_VIEW[v.get('price_view') ?? ''] ?? null,
    shortDescription: v.get('short_description'),
    description: v.get('description'),
    metaDescription: v.get('meta_description'),
    metaKeyword: v.get('meta_keyword'),
    metaTitle: v.get('meta_title'),
    linksPurchasedSeparately: links === null ? null : links === '1',
    // Adobe's default for a missing or unknown status is Disabled.
    status: v.get('status') === '1' ? 'Enabled' : 'Disabled',
    // Adobe's TaxClassFormatter sends the class name; "None" is tax class 0.
    taxClassId: taxClass === null ? null : (taxClasses.get(Number(taxClass)) ?? (taxClass === '0' ? 'None' : taxClass)),
    urlKey: v.get('url_key'),
    visibility: VISIBILITY[v.get('visibility') ?? ''] ?? null,
    weight: toNumber(v.get('weight')),
    weightType: WEIGHT_TYPE[v.get('weight_type') ?? ''] ?? null,
  };
}
