import type { RowDataPacket } from 'mysql2/promise';
import { currentOnly } from '../common/link.js';
import { select } from '../common/sql.js';
import type { ProviderContext } from '../types.js';

type Row = RowDataPacket & Record<string, string | number | null>;

export interface OverrideRows {
  products: Row[];
  /** Index rows of the batch's products, with the website of their store view. */
  index: Row[];
  /** website id -> its default store view id */
  defaultStores: Map<number, number>;
}

export async function loadOverrideRows(ctx: ProviderContext, ids: number[]): Promise<OverrideRows> {
  const t = (n: string) => `\`${ctx.t(n)}\``;
  const n = ids.length;
  const [products, index, websites] = await Promise.all([
    // the current version's sku (Adobe Commerce keeps one row per version)
    select<Row>(
      ctx,
      'productOverrides.products',
      `SELECT e.entity_id, e.sku FROM ${t('catalog_product_entity')} e WHERE e.entity_id IN (?)${currentOnly(ctx, ctx.catalog.product, 'e')}`,
      [ids],
      n,
    ),
    select<Row>(
      ctx,
      'productOverrides.index',
      `SELECT ip.product_id, ip.store_id, ip.customer_group_id, ip.grant_catalog_category_view,
              ip.grant_catalog_product_price, ip.grant_checkout_items, s.website_id, w.code AS website_code
         FROM ${t('magento_catalogpermissions_index_product')} ip
         JOIN ${t('store')} s ON s.store_id = ip.store_id
         JOIN ${t('store_website')} w ON w.website_id = s.website_id
        WHERE ip.product_id IN (?) AND s.website_id <> 0`,
      [ids],
      n,
    ),
    select<Row>(
      ctx,
      'productOverrides.websites',
      `SELECT w.website_id, g.default_store_id FROM ${t('store_website')} w
         JOIN ${t('store_group')} g ON g.group_id = w.default_group_id WHERE w.website_id <> 0`,
      [],
      0,
    ),
  ]);
  const defaultStores = new Map(websites.map((w) => [Number(w.website_id), Number(w.default_store_id)]));
  return { products, index, defaultStores };
}
