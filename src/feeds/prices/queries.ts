import type { RowDataPacket } from 'mysql2/promise';
import { select } from '../common/sql.js';
import type { ProviderContext } from '../types.js';

// One query per table per batch of product ids: the rows the prices feed is built from.

type Row = RowDataPacket & Record<string, string | number | null>;

export interface WebsiteRow {
  websiteId: number;
  code: string;
  /** The default store view of the website's default store group: where website-scope prices are read. */
  defaultStoreId: number | null;
}

export interface PriceRows {
  products: Row[];
  websites: WebsiteRow[];
  productWebsites: Row[];
  decimals: Row[];
  ints: Row[];
  tiers: Row[];
  rules: Row[];
  parents: Row[];
  attributeIds: Map<string, number>;
}

export const PRICE_ATTRIBUTES = ['price', 'special_price', 'price_type'] as const;

export async function loadPriceRows(ctx: ProviderContext, ids: number[], today: string): Promise<PriceRows> {
  const t = (n: string) => `\`${ctx.t(n)}\``;
  const [products, websiteRows, productWebsites, attrs, tiers, rules, parents] = await Promise.all([
    select<Row>(ctx, 'prices.products', `SELECT entity_id, sku, type_id FROM ${t('catalog_product_entity')} WHERE entity_id IN (?)`, [ids], ids.length),
    select<Row>(ctx, 'prices.websites', `SELECT w.website_id, w.code, g.default_store_id
         FROM ${t('store_website')} w LEFT JOIN ${t('store_group')} g ON g.group_id = w.default_group_id
        WHERE w.website_id <> 0`,
      [],
      0,
    ),
    // Configurable and gift card products have no price of their own (Adobe leaves them out here).
    select<Row>(ctx, 'prices.product_websites', `SELECT pw.product_id, pw.website_id FROM ${t('catalog_product_website')} pw
         JOIN ${t('catalog_product_entity')} e ON e.entity_id = pw.product_id
        WHERE pw.product_id IN (?) AND e.type_id NOT IN ('configurable', 'giftcard')`,
      [ids],
      ids.length,
    ),
    select<Row>(ctx, 'prices.attributes', `SELECT a.attribute_id, a.attribute_code FROM ${t('eav_attribute')} a
         JOIN ${t('eav_entity_type')} et ON et.entity_type_id = a.entity_type_id
        WHERE et.entity_type_code = 'catalog_product' AND a.attribute_code IN (?)`,
      [PRICE_ATTRIBUTES],
      0,
    ),
    select<Row>(ctx, 'prices.tier_prices', `SELECT entity_id, all_groups, customer_group_id, qty, value, percentage_value, website_id
         FROM ${t('catalog_product_entity_tier_price')} WHERE entity_id IN (?)`,
      [ids],
      ids.length,
    ),
    select<Row>(ctx, 'prices.catalog_rules', `SELECT product_id, website_id, customer_group_id, rule_price
         FROM ${t('catalogrule_product_price')} WHERE product_id IN (?) AND rule_date = ?`,
      [ids, today],
      ids.length,
    ),
    select<Row>(ctx, 'prices.parents', `SELECT r.child_id, r.parent_id, p.sku, p.type_id FROM ${t('catalog_product_relation')} r
         JOIN ${t('catalog_product_entity')} p ON p.entity_id = r.parent_id
        WHERE r.child_id IN (?)`,
      [ids],
      ids.length,
    ),
  ]);
  const attributeIds = new Map(attrs.map((a) => [String(a.attribute_code), Number(a.attribute_id)]));
  const decimalAttrs = ['price', 'special_price'].flatMap((c) => (attributeIds.has(c) ? [attributeIds.get(c)] : []));
  const priceTypeAttr = attributeIds.get('price_type');
  // Bundle parents need their price_type too, for the BUNDLE_FIXED/BUNDLE_DYNAMIC parent type.
  const withParents = [...new Set([...ids, ...parents.map((p) => Number(p.parent_id))])];
  const [decimals, ints] = await Promise.all([
    decimalAttrs.length
      ? select<Row>(ctx, 'prices.decimals', `SELECT entity_id, attribute_id, store_id, value FROM ${t('catalog_product_entity_decimal')}
            WHERE entity_id IN (?) AND attribute_id IN (?)`,
          [ids, decimalAttrs],
          ids.length,
        )
      : Promise.resolve([]),
    priceTypeAttr !== undefined
      ? select<Row>(ctx, 'prices.price_type', `SELECT entity_id, value FROM ${t('catalog_product_entity_int')}
            WHERE entity_id IN (?) AND attribute_id = ? AND store_id = 0`,
          [withParents, priceTypeAttr],
          ids.length,
        )
      : Promise.resolve([]),
  ]);
  const websites = websiteRows.map((w) => ({
    websiteId: Number(w.website_id),
    code: String(w.code),
    defaultStoreId: w.default_store_id === null ? null : Number(w.default_store_id),
  }));
  return { products, websites, productWebsites, decimals, ints, tiers, rules, parents, attributeIds };
}
