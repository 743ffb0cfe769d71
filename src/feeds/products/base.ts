// The product × store view pairs of a batch: catalog_product_entity rows and the
// active store views of the websites each product is assigned to
// (catalog_product_website), as Adobe's ProductMainQuery joins them.
import { numericIds, select } from '../common/sql.js';
import type { StoreView } from '../common/stores.js';
import type { ProviderContext } from '../types.js';

export interface ProductRow {
  productId: number;
  sku: string;
  typeId: string;
  attributeSetId: number;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface ProductScope {
  product: ProductRow;
  view: StoreView;
}

export async function loadProducts(ctx: ProviderContext, ids: string[]): Promise<ProductRow[]> {
  const productIds = numericIds(ids);
  if (productIds.length === 0) return [];
  const rows = await select<{ entity_id: number; sku: string | null; type_id: string; attribute_set_id: number; created_at: string | null; updated_at: string | null }>(
    ctx,
    'products.entity',
    // TIMESTAMPs come back in the session time zone; Magento means UTC (its connections
    // use +00:00). Zero dates stay zero so that columnTimestamp() can apply Adobe's rule.
    `SELECT entity_id, sku, type_id, attribute_set_id,
            IF(created_at = 0, '0000-00-00 00:00:00', CONVERT_TZ(created_at, @@session.time_zone, '+00:00')) AS created_at,
            IF(updated_at = 0, '0000-00-00 00:00:00', CONVERT_TZ(updated_at, @@session.time_zone, '+00:00')) AS updated_at
       FROM ${ctx.t('catalog_product_entity')}
      WHERE entity_id IN (?) ORDER BY entity_id`,
    [productIds],
    productIds.length,
  );
  // A product without a sku has no feed identity (sku + storeViewCode): nothing to send.
  return rows
    .filter((r) => r.sku !== null && r.sku !== '')
    .map((r) => ({
      productId: Number(r.entity_id),
      sku: r.sku ?? '',
      typeId: r.type_id,
      attributeSetId: Number(r.attribute_set_id),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
}

/** Pairs ordered by product id, then store id: the order items are emitted in. */
export async function productScopes(ctx: ProviderContext, products: ProductRow[], views: StoreView[]): Promise<ProductScope[]> {
  if (products.length === 0) return [];
  const rows = await select<{ product_id: number; website_id: number }>(
    ctx,
    'products.websites',
    `SELECT product_id, website_id FROM ${ctx.t('catalog_product_website')} WHERE product_id IN (?)`,
    [products.map((p) => p.productId)],
    products.length,
  );
  const assigned = new Set(rows.map((r) => `${r.product_id}/${r.website_id}`));
  const out: ProductScope[] = [];
  for (const product of products) {
    for (const view of views) {
      if (assigned.has(`${product.productId}/${view.websiteId}`)) out.push({ product, view });
    }
  }
  return out;
}
