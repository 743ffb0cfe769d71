// Custom options of a product item, in the store view (else the default row):
// selectable ones (drop_down, radio, checkbox, multiple) with their values go to
// optionsV2[], the others (field, area, file, date, ...) to shopperInputOptions[].
// Ids follow Adobe's SelectableOptions and ProductShopperInputOptions providers.
// catalog_product_option.product_id holds the link field (row_id on Adobe Commerce).
import type { LinkIds } from '../common/link.js';
import { byNumber, select, toNumber } from '../common/sql.js';
import type { ProviderContext } from '../types.js';
import type { ProductScope } from './base.js';

const SELECTABLE = ['drop_down', 'radio', 'checkbox', 'multiple'];

export interface OptionValue {
  id: string;
  label: string;
  sortOrder: number;
  sku: string | null;
  price: number | null;
  priceType: string | null;
}

export interface ProductOption {
  id: string;
  label: string;
  sortOrder: number;
  required: boolean;
  renderType: string;
  type: string;
  values: OptionValue[];
}

export interface ShopperInputOption {
  id: string;
  label: string;
  sortOrder: number;
  required: boolean;
  renderType: string;
  price: number | null;
  priceType: string | null;
  fileExtension: string | null;
  sku: string | null;
  range: { from: number | null; to: number | null };
  imageSizeX: number | null;
  imageSizeY: number | null;
}

interface OptionRow {
  option_id: number;
  product_id: number;
  type: string;
  is_require: number;
  sku: string | null;
  max_characters: number | null;
  file_extension: string | null;
  image_size_x: number | null;
  image_size_y: number | null;
  sort_order: number;
}
interface ValueRow { option_type_id: number; option_id: number; sku: string | null; sort_order: number }
interface ScopedRow { id: number; store_id: number; title?: string; price?: string; price_type?: string }

/** Magento's GraphQL uid of a custom option (value): base64 of "custom-option/<option>[/<value>]". */
export const optionUid = (...ids: number[]): string => Buffer.from(['custom-option', ...ids].join('/')).toString('base64');

export interface ProductOptions {
  forScope(scope: ProductScope): { optionsV2: ProductOption[]; shopperInputOptions: ShopperInputOption[] };
}

function scoped(rows: ScopedRow[]): (id: number, storeId: number) => ScopedRow | undefined {
  const m = new Map(rows.map((r) => [`${r.id}/${r.store_id}`, r]));
  return (id, storeId) => m.get(`${id}/${storeId}`) ?? m.get(`${id}/0`);
}

const bySortOrder = <T extends { sort_order: number }>(rows: T[], id: (r: T) => number): T[] =>
  [...rows].sort((a, b) => byNumber(a.sort_order, b.sort_order) || id(a) - id(b));

const nullableNumber = (v: number | null): number | null => (v === null ? null : Number(v));

/** Custom options of the batch's products (`batch.links`: their current versions), by entity id. */
export async function loadOptions(ctx: ProviderContext, batch: LinkIds, storeIds: number[]): Promise<ProductOptions> {
  const n = batch.links.length;
  const rows = n
    ? await select<OptionRow>(
        ctx,
        'products.options',
        `SELECT option_id, product_id, type, is_require, sku, max_characters, file_extension, image_size_x, image_size_y, sort_order
           FROM ${ctx.t('catalog_product_option')} WHERE product_id IN (?)`,
        [batch.links],
        n,
      )
    : [];
  // product_id from here on is the entity id (the rows are this function's own)
  const options = rows.filter((o) => {
    const productId = batch.entityOf(Number(o.product_id));
    if (productId === undefined) return false;
    o.product_id = productId;
    return true;
  });
  const optionIds = options.map((o) => Number(o.option_id));
  const stores = [0, ...storeIds];
  const [titles, prices, values] = optionIds.length
    ? await Promise.all([
        select<ScopedRow>(ctx, 'products.options.titles', `SELECT option_id AS id, store_id, title FROM ${ctx.t('catalog_product_option_title')} WHERE option_id IN (?) AND store_id IN (?)`, [optionIds, stores], n),
        select<ScopedRow>(ctx, 'products.options.prices', `SELECT option_id AS id, store_id, price, price_type FROM ${ctx.t('catalog_product_option_price')} WHERE option_id IN (?) AND store_id IN (?)`, [optionIds, stores], n),
        select<ValueRow>(ctx, 'products.options.values', `SELECT option_type_id, option_id, sku, sort_order FROM ${ctx.t('catalog_product_option_type_value')} WHERE option_id IN (?)`, [optionIds], n),
      ])
    : [[], [], []];
  const valueIds = values.map((v) => Number(v.option_type_id));
  const [valueTitles, valuePrices] = valueIds.length
    ? await Promise.all([
        select<ScopedRow>(ctx, 'products.options.valueTitles', `SELECT option_type_id AS id, store_id, title FROM ${ctx.t('catalog_product_option_type_title')} WHERE option_type_id IN (?) AND store_id IN (?)`, [valueIds, stores], n),
        select<ScopedRow>(ctx, 'products.options.valuePrices', `SELECT option_type_id AS id, store_id, price, price_type FROM ${ctx.t('catalog_product_option_type_price')} WHERE option_type_id IN (?) AND store_id IN (?)`, [valueIds, stores], n),
      ])
    : [[], []];
  const title = scoped(titles);
  const price = scoped(prices);
  const valueTitle = scoped(valueTitles);
  const valuePrice = scoped(valuePrices);

  const selectable = (o: OptionRow, storeId: number): ProductOption => ({
    id: String(o.option_id),
    label: title(Number(o.option_id), storeId)?.title ?? '',
    sortOrder: Number(o.sort_order),
    required: Number(o.is_require) === 1,
    renderType: o.type,
    type: 'custom_option',
    values: bySortOrder(
      values.filter((v) => Number(v.option_id) === Number(o.option_id)),
      (v) => Number(v.option_type_id),
    ).map((v) => {
      const p = valuePrice(Number(v.option_type_id), storeId);
      return {
        id: optionUid(Number(o.option_id), Number(v.option_type_id)),
        label: valueTitle(Number(v.option_type_id), storeId)?.title ?? '',
        sortOrder: Number(v.sort_order),
        sku: v.sku,
        price: toNumber(p?.price),
        priceType: p?.price_type ?? null,
      };
    }),
  });

  const shopperInput = (o: OptionRow, storeId: number): ShopperInputOption => {
    const p = price(Number(o.option_id), storeId);
    return {
      id: optionUid(Number(o.option_id)),
      label: title(Number(o.option_id), storeId)?.title ?? '',
      sortOrder: Number(o.sort_order),
      required: Number(o.is_require) === 1,
      renderType: o.type,
      price: toNumber(p?.price),
      priceType: p?.price_type ?? null,
      fileExtension: o.file_extension,
      sku: o.sku,
      range: { from: null, to: nullableNumber(o.max_characters) },
      imageSizeX: nullableNumber(o.image_size_x),
      imageSizeY: nullableNumber(o.image_size_y),
    };
  };

  return {
    forScope({ product, view }) {
      const own = bySortOrder(
        options.filter((o) => Number(o.product_id) === product.productId),
        (o) => Number(o.option_id),
      );
      return {
        optionsV2: own.filter((o) => SELECTABLE.includes(o.type)).map((o) => selectable(o, view.storeId)),
        shopperInputOptions: own.filter((o) => !SELECTABLE.includes(o.type)).map((o) => shopperInput(o, view.storeId)),
      };
    },
  };
}
