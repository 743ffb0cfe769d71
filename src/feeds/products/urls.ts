// url and urlRewrites[] of a product item from url_rewrite, per store view. Paths
// stay relative to the store view's base URL, which lives in web configuration
// rather than in the catalog tables. Parameters are the key/value pairs after
// "catalog/product/view" in the target path, as Adobe's UrlRewrites provider parses them.
import { byString, select } from '../common/sql.js';
import type { ProviderContext } from '../types.js';
import type { ProductScope } from './base.js';

export interface UrlRewrite {
  url: string;
  parameters: Array<{ name: string; value: string }>;
}

interface RewriteRow { entity_id: number; store_id: number; request_path: string | null; target_path: string | null; redirect_type: number }

export function urlParameters(targetPath: string): UrlRewrite['parameters'] {
  const parts = targetPath.replace(/^\/+|\/+$/g, '').split('/');
  const out: UrlRewrite['parameters'] = [];
  for (let i = 3; i < parts.length - 1; i += 2) out.push({ name: parts[i]!, value: parts[i + 1]! });
  return out;
}

export interface ProductUrls {
  forScope(scope: ProductScope): { url: string | null; urlRewrites: UrlRewrite[] };
}

export async function loadUrls(ctx: ProviderContext, productIds: number[], storeIds: number[]): Promise<ProductUrls> {
  const rows =
    productIds.length && storeIds.length
      ? await select<RewriteRow>(
          ctx,
          'products.urlRewrites',
          `SELECT entity_id, store_id, request_path, target_path, redirect_type FROM ${ctx.t('url_rewrite')}
            WHERE entity_type = 'product' AND entity_id IN (?) AND store_id IN (?)`,
          [productIds, storeIds],
          productIds.length,
        )
      : [];
  const byScope = new Map<string, RewriteRow[]>();
  for (const r of rows) {
    if (!r.request_path) continue;
    const k = `${r.entity_id}/${r.store_id}`;
    const list = byScope.get(k) ?? [];
    list.push(r);
    byScope.set(k, list);
  }
  for (const list of byScope.values()) list.sort((a, b) => byString(a.request_path ?? '', b.request_path ?? ''));
  return {
    forScope({ product, view }) {
      const list = byScope.get(`${product.productId}/${view.storeId}`) ?? [];
      // The canonical URL: the product page itself, not a category path or a redirect.
      const canonical = list.find((r) => Number(r.redirect_type) === 0 && r.target_path === `catalog/product/view/id/${product.productId}`);
      return {
        url: canonical?.request_path ?? null,
        urlRewrites: list.map((r) => ({ url: r.request_path ?? '', parameters: urlParameters(r.target_path ?? '') })),
      };
    },
  };
}
