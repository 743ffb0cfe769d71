import type { RowDataPacket } from 'mysql2/promise';
import { select } from '../common/sql.js';
import type { ProviderContext } from '../types.js';

// One query per table per batch of product ids, all at once: the rows the prices
// feed is built from. EAV rows come with their attribute code joined in, so no
// query waits for an attribute id lookup.

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
  /** price and special_price values per store (attribute_code, store_id, value) */
  decimals: Row[];
  /** bundle price_type values */
  ints: Row[];
  tiers: Row[];
  rules: Row[];
  /** parents of the products, one row per website the parent is in */
  parents: Row[];
}

export async function loadPriceRows(ctx: ProviderContext, ids: number[], today: string): Promise<PriceRows> {
  const t = (n: string) => `\`${ctx.t(n)}\``;
  const q = (what: string, sql: string, params: unknown[]) => select<Row>(ctx, `prices.${what}`, sql, params, ids.length);
  const productAttribute = (codes: string[]) =>
    `JOIN ${t('eav_attribute')} a ON a.attribute_id = v.attribute_id AND a.attribute_code IN (${codes.map((c) => `'${c}'`).join(', ')})
     JOIN ${t('eav_entity_type')} et ON et.entity_type_id = a.entity_type_id AND et.entity_type_code = 'catalog_product'`;
  const [products, websiteRows, productWebsites, decimals, ints, tiers, rules, parents] = await Promise.all([
    q('products', `SELECT entity_id, sku, type_id FROM ${t('catalog_product_entity')} WHERE entity_id IN (?)`, [ids]),
    q(
      'websites',
      `SELECT w.website_id, w.code, g.default_store_id
         FROM ${t('store_website')} w LEFT JOIN ${t('store_group')} g ON g.group_id = w.default_group_id
        WHERE w.website_id <> 0`,
      [],
    ),
    // Configurable and gift card products have no price of their own (Adobe leaves them out here).
    q(
      'product_websites',
      `SELECT pw.product_id, pw.website_id FROM ${t('catalog_product_website')} pw
         JOIN ${t('catalog_product_entity')} e ON e.entity_id = pw.product_id
        WHERE pw.product_id IN (?) AND e.type_id NOT IN ('configurable', 'giftcard')`,
      [ids],
    ),
    q(
      'decimals',
      `SELECT v.entity_id, a.attribute_code, v.store_id, v.value FROM ${t('catalog_product_entity_decimal')} v
        ${productAttribute(['price', 'special_price'])}
        WHERE v.entity_id IN (?)`,
      [ids],
    ),
    q(
      'price_type',
      `SELECT v.entity_id, v.value FROM ${t('catalog_product_entity_int')} v ${productAttribute(['price_type'])}
        WHERE v.entity_id IN (?) AND v.store_id = 0`,
      [ids],
    ),
    q(
      'tier_prices',
      `SELECT entity_id, all_groups, customer_group_id, qty, value, percentage_value, website_id
         FROM ${t('catalog_product_entity_tier_price')} WHERE entity_id IN (?)`,
      [ids],
    ),
    q(
      'catalog_rules',
      `SELECT product_id, website_id, customer_group_id, rule_price
         FROM ${t('catalogrule_product_price')} WHERE product_id IN (?) AND rule_date = ?`,
      [ids, today],
    ),
    q(
      'parents',
      `SELECT r.child_id, p.sku, p.type_id, pw.website_id FROM ${t('catalog_product_relation')} r
         JOIN ${t('catalog_product_entity')} p ON p.entity_id = r.parent_id
         JOIN ${t('catalog_product_website')} pw ON pw.product_id = r.parent_id
        WHERE r.child_id IN (?)`,
      [ids],
    ),
  ]);
  const websites = websiteRows.map((w) => ({
    websiteId: Number(w.website_id),
    code: String(w.code),
    defaultStoreId: w.default_store_id === null ? null : Number(w.default_store_id),
  }));
  return { products, websites, productWebsites, decimals, ints, tiers, rules, parents };
}
