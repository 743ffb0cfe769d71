// optionsV2[] of a product item: the selectable custom options (drop_down, radio,
// checkbox, multiple) with their values, titles and prices in the store view
// (else the default row). Text/file/date options are shopper input, not options.
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

interface OptionRow { option_id: number; product_id: number; type: string; is_require: number; sort_order: number }
interface ValueRow { option_type_id: number; option_id: number; sku: string | null; sort_order: number }
interface ScopedText { id: number; store_id: number; title?: string; price?: string; price_type?: string }

export interface ProductOptions {
  forScope(scope: ProductScope): ProductOption[];
}

function scoped<T extends ScopedText>(rows: T[]): (id: number, storeId: number) => T | undefined {
  const m = new Map(rows.map((r) => [`${r.id}/${r.store_id}`, r]));
  return (id, storeId) => m.get(`${id}/${storeId}`) ?? m.get(`${id}/0`);
}

export async function loadOptions(ctx: ProviderContext, productIds: number[], storeIds: number[]): Promise<ProductOptions> {
  const options = productIds.length
    ? await select<OptionRow>(
        ctx,
        'products.options',
        `SELECT option_id, product_id, type, is_require, sort_order FROM ${ctx.t('catalog_product_option')}
          WHERE product_id IN (?) AND type IN (?)`,
        [productIds, SELECTABLE],
        productIds.length,
      )
    : [];
  const optionIds = options.map((o) => Number(o.option_id));
  const stores = [0, ...storeIds];
  const n = productIds.length;
  const [titles, values] = optionIds.length
    ? await Promise.all([
        select<ScopedText>(ctx, 'products.options.titles', `SELECT option_id AS id, store_id, title FROM ${ctx.t('catalog_product_option_title')} WHERE option_id IN (?) AND store_id IN (?)`, [optionIds, stores], n),
        select<ValueRow>(ctx, 'products.options.values', `SELECT option_type_id, option_id, sku, sort_order FROM ${ctx.t('catalog_product_option_type_value')} WHERE option_id IN (?)`, [optionIds], n),
      ])
    : [[], []];
  const valueIds = values.map((v) => Number(v.option_type_id));
  const [valueTitles, valuePrices] = valueIds.length
    ? await Promise.all([
        select<ScopedText>(ctx, 'products.options.valueTitles', `SELECT option_type_id AS id, store_id, title FROM ${ctx.t('catalog_product_option_type_title')} WHERE option_type_id IN (?) AND store_id IN (?)`, [valueIds, stores], n),
        select<ScopedText>(ctx, 'products.options.valuePrices', `SELECT option_type_id AS id, store_id, price, price_type FROM ${ctx.t('catalog_product_option_type_price')} WHERE option_type_id IN (?) AND store_id IN (?)`, [valueIds, stores], n),
      ])
    : [[], []];
  const title = scoped(titles);
  const valueTitle = scoped(valueTitles);
  const valuePrice = scoped(valuePrices);
  const sorted = <T extends { sort_order: number }>(rows: T[], id: (r: T) => number): T[] =>
    [...rows].sort((a, b) => byNumber(a.sort_order, b.sort_order) || id(a) - id(b));
  return {
    forScope({ product, view }) {
      return sorted(
        options.filter((o) => Number(o.product_id) === product.productId),
        (o) => Number(o.option_id),
      ).map((o) => ({
        id: String(o.option_id),
        label: title(Number(o.option_id), view.storeId)?.title ?? '',
        sortOrder: Number(o.sort_order),
        required: Number(o.is_require) === 1,
        renderType: o.type,
        type: 'custom_option',
        values: sorted(
          values.filter((v) => Number(v.option_id) === Number(o.option_id)),
          (v) => Number(v.option_type_id),
        ).map((v) => {
          const price = valuePrice(Number(v.option_type_id), view.storeId);
          return {
            id: String(v.option_type_id),
            label: valueTitle(Number(v.option_type_id), view.storeId)?.title ?? '',
            sortOrder: Number(v.sort_order),
            sku: v.sku,
            price: toNumber(price?.price),
            priceType: price?.price_type ?? null,
          };
        }),
      }));
    },
  };
}
