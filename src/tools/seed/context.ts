// What the generators share: the options, the writer and what earlier steps made.
import { MAX_VERSION, MIN_VERSION, catalogModel, type Edition, type LinkField } from '../../feeds/common/link.js';
import type { SeedOptions } from './options.js';
import type { BatchWriter } from './writer.js';

export const ENTITY_TYPE_CATEGORY = 3;
export const ENTITY_TYPE_PRODUCT = 4;
export const ATTRIBUTE_SET_CATEGORY = 3;
export const ATTRIBUTE_SET_PRODUCT = 4;
export const ROOT_CATEGORY = 1;
export const DEFAULT_CATEGORY = 2;

export interface Website { id: number; code: string; storeIds: number[]; groupId: number }
export interface StoreView { id: number; code: string; websiteId: number; groupId: number; name: string }

export interface Scopes {
  websites: Website[];
  /** store views without the admin store 0; the first is `default` */
  stores: StoreView[];
  /** customer_group_id values, 0 first. */
  customerGroups: number[];
}

export interface Attribute {
  id: number;
  code: string;
  label: string;
  backendType: 'static' | 'varchar' | 'int' | 'decimal' | 'text' | 'datetime';
  input: string;
  userDefined: boolean;
  /** option ids, for select and multiselect */
  options: number[];
  /** admin label of each option id */
  optionLabels: Map<number, string>;
}

export interface Eav {
  product: Map<string, Attribute>;
  category: Map<string, Attribute>;
  /** user-defined product attributes (not color/size), in id order */
  userProduct: Attribute[];
  /** global select attributes a configurable may use as super attributes */
  superCandidates: Attribute[];
}

export interface CategoryInfo { id: number; path: string; urlPath: string; level: number; parentId: number }

export type ProductType = 'simple' | 'virtual' | 'configurable' | 'downloadable' | 'bundle';

export interface ProductInfo {
  id: number;
  sku: string;
  type: ProductType;
  name: string;
  urlKey: string;
  /** decimal string, null for configurable parents and dynamic bundles */
  price: string | null;
  parentId: number | null;
  websiteIds: number[];
  categoryIds: number[];
  visible: boolean;
  enabled: boolean;
  qty: number;
}

export interface SeedContext {
  o: SeedOptions;
  w: BatchWriter;
  scopes: Scopes;
  eav: Eav;
  categories: CategoryInfo[];
  products: ProductInfo[];
}

/**
 * The column that names a product or category in its EAV value, tier price and gallery
 * tables: Magento's link field, row_id on Adobe Commerce, entity_id on Open Source. The seed
 * writes base versions only (row_id = entity_id), so the value is the entity id either way.
 */
export const linkColumn = (edition: Edition): LinkField['column'] => catalogModel(edition).product.column;

/** The column list of Magento's EAV value tables. */
export const eavColumns = (edition: Edition): string[] => ['attribute_id', 'store_id', linkColumn(edition), 'value'];

/**
 * A product or category row, `columns[0]` being entity_id. On Adobe Commerce it is the base
 * version, as Magento's staging Create operation writes a new entity (row_id = entity_id,
 * created_in MIN_VERSION, updated_in MAX_VERSION), plus the entity's sequence row.
 */
export async function writeEntity(w: BatchWriter, edition: Edition, link: 'product' | 'category', columns: string[], values: Array<string | number | null>): Promise<void> {
  const field = catalogModel(edition)[link];
  if (!field.staged) {
    await w.row(field.entityTable, columns, values);
    return;
  }
  const entityId = values[0]!;
  await w.row(field.sequenceTable, ['sequence_value'], [entityId]);
  await w.row(field.entityTable, [...columns, 'row_id', 'created_in', 'updated_in'], [...values, entityId, MIN_VERSION, MAX_VERSION]);
}

/** Store views that get translated values: all but the default one, which shows the admin values as in most installs. */
export const overrideStores = (scopes: Scopes): StoreView[] => scopes.stores.slice(1);
