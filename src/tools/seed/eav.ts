// Entity types, attribute sets and attributes with their catalog flags, labels
// and options. Category attributes start at 45 as in a fresh Magento install and
// product attributes follow them, in Magento's order; exact ids vary between installs.
import { Rng } from './random.js';
import {
  ATTRIBUTE_SET_CATEGORY, ATTRIBUTE_SET_PRODUCT, ENTITY_TYPE_CATEGORY, ENTITY_TYPE_PRODUCT, overrideStores,
  type Attribute, type Eav, type Scopes,
} from './context.js';
import type { SeedOptions } from './options.js';
import type { BatchWriter } from './writer.js';

type Backend = Attribute['backendType'];

interface Def {
  code: string;
  backend: Backend;
  input: string;
  label: string;
  /** 0 store view, 1 global, 2 website */
  global?: number;
  required?: boolean;
  searchable?: boolean;
  filterable?: number;
  comparable?: boolean;
  onFront?: boolean;
  listing?: boolean;
  sortBy?: boolean;
  priceRules?: boolean;
  searchWeight?: number;
  source?: string;
  options?: string[];
  userDefined?: boolean;
}

const CATEGORY_ATTRIBUTES: Def[] = [
  { code: 'name', backend: 'varchar', input: 'text', label: 'Name', global: 0, required: true },
  { code: 'is_active', backend: 'int', input: 'select', label: 'Is Active', global: 0, required: true, source: 'Magento\\Eav\\Model\\Entity\\Attribute\\Source\\Boolean' },
  { code: 'description', backend: 'text', input: 'textarea', label: 'Description', global: 0 },
  { code: 'image', backend: 'varchar', input: 'image', label: 'Image', global: 0 },
  { code: 'meta_title', backend: 'varchar', input: 'text', label: 'Page Title', global: 0 },
  { code: 'meta_keywords', backend: 'text', input: 'textarea', label: 'Meta Keywords', global: 0 },
  { code: 'meta_description', backend: 'text', input: 'textarea', label: 'Meta Description', global: 0 },
  { code: 'display_mode', backend: 'varchar', input: 'select', label: 'Display Mode', global: 0 },
  { code: 'landing_page', backend: 'int', input: 'select', label: 'CMS Block', global: 0 },
  { code: 'is_anchor', backend: 'int', input: 'select', label: 'Is Anchor', global: 0 },
  { code: 'path', backend: 'static', input: 'text', label: 'Path', global: 1 },
  { code: 'position', backend: 'static', input: 'text', label: 'Position', global: 1 },
  { code: 'all_children', backend: 'text', input: 'text', label: 'All Children', global: 1 },
  { code: 'path_in_store', backend: 'text', input: 'text', label: 'Path In Store', global: 1 },
  { code: 'children', backend: 'text', input: 'text', label: 'Children', global: 1 },
  { code: 'custom_design', backend: 'varchar', input: 'select', label: 'Custom Design', global: 0 },
  { code: 'custom_design_from', backend: 'datetime', input: 'date', label: 'Active From', global: 0 },
  { code: 'custom_design_to', backend: 'datetime', input: 'date', label: 'Active To', global: 0 },
  { code: 'page_layout', backend: 'varchar', input: 'select', label: 'Page Layout', global: 0 },
  { code: 'custom_layout_update', backend: 'text', input: 'textarea', label: 'Custom Layout Update', global: 0 },
  { code: 'level', backend: 'static', input: 'text', label: 'Level', global: 1 },
  { code: 'children_count', backend: 'static', input: 'text', label: 'Children Count', global: 1 },
  { code: 'available_sort_by', backend: 'text', input: 'multiselect', label: 'Available Product Listing Sort By', global: 0 },
  { code: 'default_sort_by', backend: 'varchar', input: 'select', label: 'Default Product Listing Sort By', global: 0 },
  { code: 'include_in_menu', backend: 'int', input: 'select', label: 'Include in Navigation Menu', global: 0, required: true },
  { code: 'custom_use_parent_settings', backend: 'int', input: 'select', label: 'Use Parent Category Settings', global: 0 },
  { code: 'custom_apply_to_products', backend: 'int', input: 'select', label: 'Apply To Products', global: 0 },
  { code: 'filter_price_range', backend: 'decimal', input: 'text', label: 'Layered Navigation Price Step', global: 0 },
  { code: 'url_key', backend: 'varchar', input: 'text', label: 'URL Key', global: 0 },
  { code: 'url_path', backend: 'varchar', input: 'text', label: 'URL Path', global: 0 },
];

const COLORS = ['Black', 'Blue', 'Brown', 'Gray', 'Green', 'Orange', 'Purple', 'Red', 'White', 'Yellow'];
const SIZES = ['XS', 'S', 'M', 'L', 'XL', 'XXL'];

const PRODUCT_ATTRIBUTES: Def[] = [
  { code: 'name', backend: 'varchar', input: 'text', label: 'Product Name', global: 0, required: true, searchable: true, comparable: false, listing: true, sortBy: true, searchWeight: 5 },
  { code: 'sku', backend: 'static', input: 'text', label: 'SKU', global: 1, required: true, searchable: true, listing: false, searchWeight: 6 },
  { code: 'description', backend: 'text', input: 'textarea', label: 'Description', global: 0, searchable: true, comparable: true },
  { code: 'short_description', backend: 'text', input: 'textarea', label: 'Short Description', global: 0, searchable: true, listing: true },
  { code: 'price', backend: 'decimal', input: 'price', label: 'Price', global: 2, required: true, searchable: true, filterable: 1, listing: true, sortBy: true, priceRules: true },
  { code: 'special_price', backend: 'decimal', input: 'price', label: 'Special Price', global: 2, listing: true, priceRules: true },
  { code: 'special_from_date', backend: 'datetime', input: 'date', label: 'Special Price From Date', global: 2, listing: true },
  { code: 'special_to_date', backend: 'datetime', input: 'date', label: 'Special Price To Date', global: 2, listing: true },
  { code: 'cost', backend: 'decimal', input: 'price', label: 'Cost', global: 2, priceRules: true },
  { code: 'weight', backend: 'decimal', input: 'weight', label: 'Weight', global: 1 },
  { code: 'manufacturer', backend: 'int', input: 'select', label: 'Manufacturer', global: 1, searchable: true, filterable: 1, comparable: true, onFront: true, userDefined: true, options: ['Acme', 'Globex', 'Initech', 'Umbrella', 'Vandelay'] },
  { code: 'meta_title', backend: 'varchar', input: 'text', label: 'Meta Title', global: 0 },
  { code: 'meta_keyword', backend: 'text', input: 'textarea', label: 'Meta Keywords', global: 0 },
  { code: 'meta_description', backend: 'varchar', input: 'textarea', label: 'Meta Description', global: 0 },
  { code: 'image', backend: 'varchar', input: 'media_image', label: 'Base', global: 0, listing: true },
  { code: 'small_image', backend: 'varchar', input: 'media_image', label: 'Small', global: 0, listing: true },
  { code: 'thumbnail', backend: 'varchar', input: 'media_image', label: 'Thumbnail', global: 0, listing: true },
  { code: 'media_gallery', backend: 'static', input: 'gallery', label: 'Media Gallery', global: 0 },
  { code: 'old_id', backend: 'int', input: 'text', label: 'Old ID', global: 1 },
  { code: 'tier_price', backend: 'static', input: 'text', label: 'Tier Price', global: 2 },
  { code: 'color', backend: 'int', input: 'select', label: 'Color', global: 1, searchable: true, filterable: 1, comparable: true, onFront: true, listing: true, userDefined: true, options: COLORS },
  { code: 'news_from_date', backend: 'datetime', input: 'date', label: 'Set Product as New from Date', global: 2, listing: true },
  { code: 'news_to_date', backend: 'datetime', input: 'date', label: 'Set Product as New to Date', global: 2, listing: true },
  { code: 'gallery', backend: 'varchar', input: 'gallery', label: 'Image Gallery', global: 0 },
  { code: 'status', backend: 'int', input: 'select', label: 'Enable Product', global: 2, listing: true, source: 'Magento\\Catalog\\Model\\Product\\Attribute\\Source\\Status' },
  { code: 'minimal_price', backend: 'decimal', input: 'price', label: 'Minimal Price', global: 1 },
  { code: 'visibility', backend: 'int', input: 'select', label: 'Visibility', global: 2, source: 'Magento\\Catalog\\Model\\Product\\Visibility' },
  { code: 'custom_design', backend: 'varchar', input: 'select', label: 'New Theme', global: 0 },
  { code: 'custom_design_from', backend: 'datetime', input: 'date', label: 'Active From', global: 0 },
  { code: 'custom_design_to', backend: 'datetime', input: 'date', label: 'Active To', global: 0 },
  { code: 'custom_layout_update', backend: 'text', input: 'textarea', label: 'Layout Update XML', global: 0 },
  { code: 'page_layout', backend: 'varchar', input: 'select', label: 'Layout', global: 0 },
  { code: 'category_ids', backend: 'static', input: 'text', label: 'Categories', global: 1 },
  { code: 'options_container', backend: 'varchar', input: 'select', label: 'Display Product Options In', global: 0 },
  { code: 'required_options', backend: 'static', input: 'text', label: 'Required Options', global: 1 },
  { code: 'has_options', backend: 'static', input: 'text', label: 'Has Options', global: 1 },
  { code: 'image_label', backend: 'varchar', input: 'text', label: 'Image Label', global: 0 },
  { code: 'small_image_label', backend: 'varchar', input: 'text', label: 'Small Image Label', global: 0 },
  { code: 'thumbnail_label', backend: 'varchar', input: 'text', label: 'Thumbnail Label', global: 0 },
  { code: 'created_at', backend: 'static', input: 'date', label: 'Created At', global: 1 },
  { code: 'updated_at', backend: 'static', input: 'date', label: 'Updated At', global: 1 },
  { code: 'country_of_manufacture', backend: 'varchar', input: 'select', label: 'Country of Manufacture', global: 2 },
  { code: 'quantity_and_stock_status', backend: 'int', input: 'select', label: 'Quantity', global: 1 },
  { code: 'custom_layout', backend: 'varchar', input: 'select', label: 'New Layout', global: 0 },
  { code: 'msrp', backend: 'decimal', input: 'price', label: 'Minimum Advertised Price', global: 2 },
  { code: 'price_type', backend: 'int', input: 'boolean', label: 'Dynamic Price', global: 1 },
  { code: 'sku_type', backend: 'int', input: 'boolean', label: 'Dynamic SKU', global: 1 },
  { code: 'weight_type', backend: 'int', input: 'boolean', label: 'Dynamic Weight', global: 1 },
  { code: 'price_view', backend: 'int', input: 'select', label: 'Price View', global: 1 },
  { code: 'shipment_type', backend: 'int', input: 'select', label: 'Ship Bundle Items', global: 1 },
  { code: 'links_purchased_separately', backend: 'int', input: 'boolean', label: 'Links can be purchased separately', global: 2 },
  { code: 'samples_title', backend: 'varchar', input: 'text', label: 'Samples title', global: 0 },
  { code: 'links_title', backend: 'varchar', input: 'text', label: 'Links title', global: 0 },
  { code: 'links_exist', backend: 'int', input: 'text', label: 'Links exist', global: 1 },
  { code: 'url_key', backend: 'varchar', input: 'text', label: 'URL Key', global: 0 },
  { code: 'url_path', backend: 'varchar', input: 'text', label: 'URL Path', global: 0 },
  { code: 'tax_class_id', backend: 'int', input: 'select', label: 'Tax Class', global: 2, searchable: true, filterable: 1, source: 'Magento\\Tax\\Model\\TaxClass\\Source\\Product' },
  { code: 'swatch_image', backend: 'varchar', input: 'media_image', label: 'Swatch', global: 0 },
  { code: 'size', backend: 'int', input: 'select', label: 'Size', global: 1, searchable: true, filterable: 1, comparable: true, onFront: true, listing: true, userDefined: true, options: SIZES },
];

// building blocks of the generated user-defined attributes
const USER_WORDS = ['material', 'pattern', 'style', 'activity', 'climate', 'gender', 'collar', 'sleeve', 'strap', 'features', 'eco_collection', 'performance_fabric', 'erin_recommends', 'new', 'sale', 'format', 'purpose', 'finish', 'season', 'fit'];
const USER_KINDS: Array<{ backend: Backend; input: string }> = [
  { backend: 'int', input: 'select' },
  { backend: 'varchar', input: 'multiselect' },
  { backend: 'varchar', input: 'text' },
  { backend: 'int', input: 'boolean' },
  { backend: 'text', input: 'textarea' },
  { backend: 'decimal', input: 'price' },
  { backend: 'datetime', input: 'date' },
];
const OPTION_WORDS = ['Cotton', 'Wool', 'Linen', 'Silk', 'Nylon', 'Leather', 'Denim', 'Fleece', 'Canvas', 'Mesh', 'Bamboo', 'Hemp'];

export async function seedEav(w: BatchWriter, o: SeedOptions, scopes: Scopes): Promise<Eav> {
  const rng = new Rng(o.seed, 'eav');
  await w.rows('eav_entity_type', ['entity_type_id', 'entity_type_code', 'entity_model', 'attribute_model', 'entity_table', 'default_attribute_set_id', 'additional_attribute_table', 'entity_attribute_collection'], [
    [ENTITY_TYPE_CATEGORY, 'catalog_category', 'Magento\\Catalog\\Model\\ResourceModel\\Category', 'Magento\\Catalog\\Model\\ResourceModel\\Eav\\Attribute', 'catalog_category_entity', ATTRIBUTE_SET_CATEGORY, 'catalog_eav_attribute', 'Magento\\Catalog\\Model\\ResourceModel\\Category\\Attribute\\Collection'],
    [ENTITY_TYPE_PRODUCT, 'catalog_product', 'Magento\\Catalog\\Model\\ResourceModel\\Product', 'Magento\\Catalog\\Model\\ResourceModel\\Eav\\Attribute', 'catalog_product_entity', ATTRIBUTE_SET_PRODUCT, 'catalog_eav_attribute', 'Magento\\Catalog\\Model\\ResourceModel\\Product\\Attribute\\Collection'],
  ]);
  await w.rows('eav_attribute_set', ['attribute_set_id', 'entity_type_id', 'attribute_set_name', 'sort_order'], [
    [ATTRIBUTE_SET_CATEGORY, ENTITY_TYPE_CATEGORY, 'Default', 1],
    [ATTRIBUTE_SET_PRODUCT, ENTITY_TYPE_PRODUCT, 'Default', 1],
  ]);
  await w.rows('eav_attribute_group', ['attribute_group_id', 'attribute_set_id', 'attribute_group_name', 'sort_order', 'default_id', 'attribute_group_code', 'tab_group_code'], [
    [3, ATTRIBUTE_SET_CATEGORY, 'General Information', 10, 1, 'general-information', null],
    [7, ATTRIBUTE_SET_PRODUCT, 'Product Details', 10, 1, 'product-details', 'basic'],
  ]);

  const userDefs: Def[] = [];
  for (let i = 0; i < o.attributes; i++) {
    const kind = USER_KINDS[i % USER_KINDS.length]!;
    const word = USER_WORDS[i % USER_WORDS.length]!;
    const code = i < USER_WORDS.length ? word : `${word}_${Math.floor(i / USER_WORDS.length) + 1}`;
    const isOption = kind.input === 'select' || kind.input === 'multiselect';
    userDefs.push({
      code, backend: kind.backend, input: kind.input, userDefined: true,
      label: code.split('_').map((p) => p[0]!.toUpperCase() + p.slice(1)).join(' '),
      global: isOption ? 1 : rng.pick([0, 1, 2]),
      searchable: rng.chance(0.6), filterable: isOption ? rng.pick([0, 1, 2]) : 0,
      comparable: rng.chance(0.4), onFront: rng.chance(0.5), listing: rng.chance(0.5),
      sortBy: kind.input === 'price' || kind.input === 'text' ? rng.chance(0.3) : false,
      priceRules: rng.chance(0.3), searchWeight: rng.int(1, 10),
      options: isOption ? rng.sample(OPTION_WORDS, rng.int(3, 8)) : undefined,
    });
  }

  const category = await writeAttributes(w, rng, scopes, ENTITY_TYPE_CATEGORY, 45, CATEGORY_ATTRIBUTES, 3);
  const product = await writeAttributes(w, rng, scopes, ENTITY_TYPE_PRODUCT, 45 + CATEGORY_ATTRIBUTES.length, [...PRODUCT_ATTRIBUTES, ...userDefs], 7);
  await writeOptions(w, rng, scopes, product, [...PRODUCT_ATTRIBUTES, ...userDefs]);
  const userProduct = userDefs.map((d) => product.get(d.code)!);
  const superCandidates = [product.get('color')!, product.get('size')!, ...userProduct.filter((a) => a.input === 'select')];
  return { product, category, userProduct, superCandidates };
}

async function writeAttributes(
  w: BatchWriter, rng: Rng, scopes: Scopes, entityTypeId: number, firstId: number, defs: Def[], groupId: number,
): Promise<Map<string, Attribute>> {
  const out = new Map<string, Attribute>();
  const setId = entityTypeId === ENTITY_TYPE_PRODUCT ? ATTRIBUTE_SET_PRODUCT : ATTRIBUTE_SET_CATEGORY;
  let id = firstId;
  for (const d of defs) {
    const isOption = d.options !== undefined;
    await w.row('eav_attribute', ['attribute_id', 'entity_type_id', 'attribute_code', 'backend_type', 'frontend_input', 'frontend_label', 'source_model', 'is_required', 'is_user_defined', 'is_unique'], [
      id, entityTypeId, d.code, d.backend, d.input, d.label,
      d.source ?? (isOption ? 'Magento\\Eav\\Model\\Entity\\Attribute\\Source\\Table' : d.input === 'boolean' ? 'Magento\\Eav\\Model\\Entity\\Attribute\\Source\\Boolean' : null),
      d.required ? 1 : 0, d.userDefined ? 1 : 0, d.code === 'sku' ? 1 : 0,
    ]);
    await w.row('catalog_eav_attribute', ['attribute_id', 'is_global', 'is_visible', 'is_searchable', 'is_filterable', 'is_comparable', 'is_visible_on_front', 'is_html_allowed_on_front', 'is_used_for_price_rules', 'is_filterable_in_search', 'used_in_product_listing', 'used_for_sort_by', 'is_visible_in_advanced_search', 'position', 'is_used_for_promo_rules', 'search_weight'], [
      id, d.global ?? 1, 1, d.searchable ? 1 : 0, d.filterable ?? 0, d.comparable ? 1 : 0, d.onFront ? 1 : 0,
      d.input === 'textarea' ? 1 : 0, d.priceRules ? 1 : 0, d.filterable ? 1 : 0, d.listing ? 1 : 0, d.sortBy ? 1 : 0,
      d.searchable ? 1 : 0, 0, d.priceRules ? 1 : 0, d.searchWeight ?? 1,
    ]);
    await w.row('eav_entity_attribute', ['entity_type_id', 'attribute_set_id', 'attribute_group_id', 'attribute_id', 'sort_order'], [entityTypeId, setId, groupId, id, id - firstId]);
    // per-store labels on user-defined attributes and on name: the productAttributes feed shows them per store view
    if (d.userDefined || d.code === 'name') {
      for (const s of overrideStores(scopes)) {
        if (rng.chance(0.5)) await w.row('eav_attribute_label', ['attribute_id', 'store_id', 'value'], [id, s.id, `${d.label} (${s.code})`]);
      }
    }
    const attr: Attribute = { id, code: d.code, label: d.label, backendType: d.backend, input: d.input, userDefined: !!d.userDefined, options: [], optionLabels: new Map() };
    out.set(d.code, attr);
    id++;
  }
  return out;
}

/** Options of select/multiselect attributes, with admin and per-store labels. */
async function writeOptions(w: BatchWriter, rng: Rng, scopes: Scopes, attrs: Map<string, Attribute>, defs: Def[]): Promise<void> {
  let optionId = 1;
  for (const d of defs) {
    const attr = attrs.get(d.code);
    if (!attr || !d.options) continue;
    for (const [i, label] of d.options.entries()) {
      await w.row('eav_attribute_option', ['option_id', 'attribute_id', 'sort_order'], [optionId, attr.id, i]);
      await w.row('eav_attribute_option_value', ['option_id', 'store_id', 'value'], [optionId, 0, label]);
      for (const s of overrideStores(scopes)) {
        if (rng.chance(0.4)) await w.row('eav_attribute_option_value', ['option_id', 'store_id', 'value'], [optionId, s.id, `${label} ${s.code.toUpperCase()}`]);
      }
      attr.options.push(optionId);
      attr.optionLabels.set(optionId, label);
      optionId++;
    }
  }
}
