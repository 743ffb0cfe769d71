import type { RowDataPacket } from 'mysql2/promise';
import { joinCurrent, resolveLinks, type LinkIds } from '../common/link.js';
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
  /** website assignments (configurable and gift card products are left out by the build) */
  productWebsites: Row[];
  /** price and special_price values per store (entity_id, attribute_code, store_id, value) */
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
  // The entity row, values and tier prices of each product's current version (no query on Open Source).
  const link = ctx.catalog.product;
  const col = link.column;
  const resolved = await resolveLinks(ctx, link, ids);
  const links = resolved.links;
  if (links.length === 0) return { products: [], websites: [], productWebsites: [], decimals: [], ints: [], tiers: [], rules: [], parents: [] };
  const [products, websiteRows, productWebsites, decimals, ints, tiers, rules, parents] = await Promise.all([
    q('products', `SELECT entity_id, sku, type_id FROM ${t('catalog_product_entity')} WHERE ${col} IN (?)`, [links]),
    q(
      'websites',
      `SELECT w.website_id, w.code, g.default_store_id
         FROM ${t('store_website')} w LEFT JOIN ${t('store_group')} g ON g.group_id = w.default_group_id
        WHERE w.website_id <> 0`,
      [],
    ),
    q('product_websites', `SELECT product_id, website_id FROM ${t('catalog_product_website')} WHERE product_id IN (?)`, [ids]),
    q(
      'decimals',
      `SELECT v.${col} AS link, a.attribute_code, v.store_id, v.value FROM ${t('catalog_product_entity_decimal')} v
        ${productAttribute(['price', 'special_price'])}
        WHERE v.${col} IN (?)`,
      [links],
    ),
    q(
      'price_type',
      `SELECT v.${col} AS link, v.value FROM ${t('catalog_product_entity_int')} v ${productAttribute(['price_type'])}
        WHERE v.${col} IN (?) AND v.store_id = 0`,
      [links],
    ),
    q(
      'tier_prices',
      `SELECT ${col} AS link, all_groups, customer_group_id, qty, value, percentage_value, website_id
         FROM ${t('catalog_product_entity_tier_price')} WHERE ${col} IN (?)`,
      [links],
    ),
    q(
      'catalog_rules',
      `SELECT product_id, website_id, customer_group_id, rule_price
         FROM ${t('catalogrule_product_price')} WHERE product_id IN (?) AND rule_date = ?`,
      [ids, today],
    ),
    // the parents' current versions: their sku and type, and their relations to the batch
    q(
      'parents',
      `SELECT r.child_id, p.sku, p.type_id, pw.website_id FROM ${t('catalog_product_relation')} r
         ${joinCurrent(ctx, link, 'p', 'r.parent_id')}
         JOIN ${t('catalog_product_website')} pw ON pw.product_id = p.entity_id
        WHERE r.child_id IN (?)`,
      [ids],
    ),
  ]);
  const websites = websiteRows.map((w) => ({
    websiteId: Number(w.website_id),
    code: String(w.code),
    defaultStoreId: w.default_store_id === null ? null : Number(w.default_store_id),
  }));
  return {
    products,
    websites,
    productWebsites,
    decimals: byEntity(decimals, resolved),
    ints: byEntity(ints, resolved),
    tiers: byEntity(tiers, resolved),
    rules,
    parents,
  };
}

/** Rows read by link value (`link`) with the product id they belong to as `entity_id`. */
function byEntity(rows: Row[], resolved: LinkIds): Row[] {
  const out: Row[] = [];
  for (const r of rows) {
    const entityId = resolved.entityOf(Number(r.link));
    if (entityId === undefined) continue;
    r.entity_id = entityId;
    out.push(r);
  }
  return out;
}
