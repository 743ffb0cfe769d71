// The product × store view pairs of a batch: catalog_product_entity rows and the
// active store views of the websites each product is assigned to
// (catalog_product_website), as Adobe's ProductMainQuery joins them. On Adobe Commerce
// only the row of the current version counts (src/feeds/common/link.ts).
import { currentOnly, type LinkIds } from '../common/link.js';
import { select } from '../common/sql.js';
import type { StoreView } from '../common/stores.js';
import type { ProviderContext } from '../types.js';

export interface ProductRow {
  productId: number;
  /** The link value of the row read: entity_id on Open Source, the current version's row_id on Adobe Commerce. */
  link: number;
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

export async function loadProducts(ctx: ProviderContext, productIds: number[]): Promise<ProductRow[]> {
  if (productIds.length === 0) return [];
  const link = ctx.catalog.product;
  const rows = await select<{ entity_id: number; link: number; sku: string | null; type_id: string; attribute_set_id: number; created_at: string | null; updated_at: string | null }>(
    ctx,
    'products.entity',
    // TIMESTAMPs come back in the session time zone; Magento means UTC (its connections
    // use +00:00). Zero dates stay zero so that columnTimestamp() can apply Adobe's rule.
    `SELECT e.entity_id, e.${link.column} AS link, e.sku, e.type_id, e.attribute_set_id,
            IF(e.created_at = 0, '0000-00-00 00:00:00', CONVERT_TZ(e.created_at, @@session.time_zone, '+00:00')) AS created_at,
            IF(e.updated_at = 0, '0000-00-00 00:00:00', CONVERT_TZ(e.updated_at, @@session.time_zone, '+00:00')) AS updated_at
       FROM ${ctx.t('catalog_product_entity')} e
      WHERE e.entity_id IN (?)${currentOnly(ctx, link, 'e')} ORDER BY e.entity_id`,
    [productIds],
    productIds.length,
  );
  // A product without a sku has no feed identity (sku + storeViewCode): nothing to send.
  return rows
    .filter((r) => r.sku !== null && r.sku !== '')
    .map((r) => ({
      productId: Number(r.entity_id),
      link: Number(r.link),
      sku: r.sku ?? '',
      typeId: r.type_id,
      attributeSetId: Number(r.attribute_set_id),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
}

/**
 * The rows of `products` that are the version `links` resolved: with overlapping version
 * ranges (reported by resolveLinks) two rows hold the current version, and one item is built.
 */
export function currentRows(products: ProductRow[], links: LinkIds): ProductRow[] {
  return products.filter((p) => links.linkOf(p.productId) === p.link);
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
