// categoryData[] of a product item: the categories it is in (catalog_category_product)
// that belong to the store view's root category, with their url_path in that store view.
// Category rows and values are those of the category's current version on Adobe Commerce.
import type { AttributeMeta } from '../common/eavAttributes.js';
import { currentOnly, resolveLinks } from '../common/link.js';
import { loadEavValues } from '../common/eavValues.js';
import { byNumber, select } from '../common/sql.js';
import type { ProviderContext } from '../types.js';
import type { ProductScope } from './base.js';

export interface CategoryData {
  categoryId: string;
  categoryPath: string | null;
  productPosition: number;
}

export interface ProductCategories {
  forScope(scope: ProductScope): CategoryData[];
}

export async function loadProductCategories(
  ctx: ProviderContext,
  productIds: number[],
  urlPathAttribute: AttributeMeta | undefined,
  storeIds: number[],
): Promise<ProductCategories> {
  const category = ctx.catalog.category;
  const rows = productIds.length
    ? await select<{ product_id: number; category_id: number; position: number; path: string; link: number }>(
        ctx,
        'products.categories',
        `SELECT cp.product_id, cp.category_id, cp.position, c.path, c.${category.column} AS link
           FROM ${ctx.t('catalog_category_product')} cp
           JOIN ${ctx.t('catalog_category_entity')} c ON c.entity_id = cp.category_id${currentOnly(ctx, category, 'c')}
          WHERE cp.product_id IN (?)`,
        [productIds],
        productIds.length,
      )
    : [];
  const categoryIds = [...new Set(rows.map((l) => Number(l.category_id)))];
  // On Adobe Commerce, the categories' current versions (a category with overlapping
  // version ranges joins twice above: the version resolveLinks keeps is the one shown).
  const resolved = categoryIds.length ? await resolveLinks(ctx, category, categoryIds) : undefined;
  const links = category.staged && resolved ? rows.filter((l) => resolved.linkOf(Number(l.category_id)) === Number(l.link)) : rows;
  const urlPaths =
    urlPathAttribute && categoryIds.length
      ? await loadEavValues(ctx, category, categoryIds, [urlPathAttribute], storeIds, resolved)
      : undefined;
  const byProduct = new Map<number, typeof links>();
  for (const l of [...links].sort((a, b) => byNumber(a.category_id, b.category_id))) {
    const list = byProduct.get(Number(l.product_id)) ?? [];
    list.push(l);
    byProduct.set(Number(l.product_id), list);
  }
  return {
    forScope({ product, view }) {
      const root = `1/${view.rootCategoryId}/`;
      return (byProduct.get(product.productId) ?? [])
        .filter((l) => `${l.path}/`.startsWith(root))
        .map((l) => ({
          categoryId: String(l.category_id),
          categoryPath: (urlPathAttribute && urlPaths?.get(Number(l.category_id), urlPathAttribute.attributeId, view.storeId)) ?? null,
          productPosition: Number(l.position),
        }));
    },
  };
}
