// products: one item per product × active store view of the websites it is
// assigned to. Every table is read once per batch (WHERE ... IN), then items are
// assembled in memory in (productId, storeId) order with sorted arrays, so that
// the same data always hashes the same. On Adobe Commerce the batch's entity ids are
// resolved once to the row ids of their current versions (src/feeds/common/link.ts),
// which the value, gallery, option and link tables are read with.
import { loadAttributes, loadOptions as loadAttributeOptions } from '../common/eavAttributes.js';
import { loadEavValues } from '../common/eavValues.js';
import { loadConfig } from '../common/config.js';
import { listEntityIds } from '../common/catalogIds.js';
import { resolveLinks, type LinkIds } from '../common/link.js';
import { afterNumber, numericIds, select } from '../common/sql.js';
import { loadStoreViews } from '../common/stores.js';
import { columnTimestamp, sqlTimestamp } from '../common/time.js';
import type { AssembledItem, FeedItem, FeedProvider, ProviderContext } from '../types.js';
import { AttributeMemo, productAttributes, usedOptionIds } from './attributes.js';
import { currentRows, loadProducts, productScopes } from './base.js';
import { loadProductCategories } from './categories.js';
import { expandProducts } from './expand.js';
import { loadInventory } from './inventory.js';
import { loadLinks, loadParents } from './links.js';
import { loadImages } from './media.js';
import { loadOptions } from './options.js';
import { SYSTEM_ATTRIBUTES, scalarFields, scopedValues } from './scalars.js';
import { loadUrls } from './urls.js';

export async function assembleProducts(ids: string[], ctx: ProviderContext): Promise<AssembledItem[]> {
  const requested = numericIds(ids);
  if (requested.length === 0) return [];
  const [rows, views, resolved] = await Promise.all([
    loadProducts(ctx, requested),
    loadStoreViews(ctx, { activeOnly: true }),
    resolveLinks(ctx, ctx.catalog.product, requested),
  ]);
  const products = currentRows(rows, resolved);
  const scopes = await productScopes(ctx, products, views);
  if (scopes.length === 0) return [];
  const productIds = [...new Set(scopes.map((s) => s.product.productId))];
  const storeIds = [...new Set(scopes.map((s) => s.view.storeId))].sort((a, b) => a - b);
  const batch = batchLinks(resolved, scopes);

  const [attributes, categoryAttributes] = await Promise.all([
    loadAttributes(ctx, 'catalog_product', {
      where: `a.backend_type <> 'static' AND (a.is_user_defined = 1 OR a.attribute_code IN (?))`,
      params: [SYSTEM_ATTRIBUTES],
    }),
    loadAttributes(ctx, 'catalog_category', { where: `a.attribute_code = 'url_path'` }),
  ]);
  const byCode = new Map(attributes.map((a) => [a.code, a]));
  const userDefined = new Map(attributes.filter((a) => a.isUserDefined).map((a) => [a.attributeId, a]));

  const [values, categories, inventory, images, options, links, parents, urls, taxClasses, currency, weightUnit] = await Promise.all([
    loadEavValues(ctx, ctx.catalog.product, productIds, attributes, storeIds, batch),
    loadProductCategories(ctx, productIds, categoryAttributes[0], storeIds),
    loadInventory(ctx, productIds),
    loadImages(ctx, batch, storeIds),
    loadOptions(ctx, batch, storeIds),
    loadLinks(ctx, batch),
    loadParents(ctx, productIds),
    loadUrls(ctx, productIds, storeIds),
    loadTaxClasses(ctx),
    loadConfig(ctx, 'currency/options/base', 'USD'),
    loadConfig(ctx, 'general/locale/weight_unit', 'lbs'),
  ]);
  const memo = new AttributeMemo();
  const optionIds = usedOptionIds(productIds, userDefined, values, storeIds, memo);
  const attributeOptions = new Map((await loadAttributeOptions(ctx, { optionIds })).map((o) => [o.optionId, o]));

  const now = ctx.now();
  const modifiedAt = sqlTimestamp(now);
  return scopes.map((scope) => {
    const v = scopedValues(values, byCode, scope);
    const s = scalarFields(v, taxClasses);
    const { url, urlRewrites } = urls.forScope(scope);
    const { optionsV2, shopperInputOptions } = options.forScope(scope);
    const visible = s.visibility !== null && s.visibility !== 'Not Visible Individually';
    const item: FeedItem = {
      sku: scope.product.sku,
      storeViewCode: scope.view.storeViewCode,
      storeCode: scope.view.storeCode,
      websiteCode: scope.view.websiteCode,
      name: s.name,
      productId: scope.product.productId,
      type: scope.product.typeId,
      priceView: s.priceView,
      shortDescription: s.shortDescription,
      description: s.description,
      metaDescription: s.metaDescription,
      metaKeyword: s.metaKeyword,
      metaTitle: s.metaTitle,
      linksPurchasedSeparately: s.linksPurchasedSeparately,
      status: s.status,
      taxClassId: s.taxClassId,
      createdAt: columnTimestamp(scope.product.createdAt, now),
      updatedAt: columnTimestamp(scope.product.updatedAt, now),
      modifiedAt,
      urlKey: s.urlKey,
      visibility: s.visibility,
      weight: s.weight,
      weightUnit: weightUnit.forStore(scope.view.storeId, scope.view.websiteId),
      weightType: s.weightType,
      currency: currency.forWebsite(scope.view.websiteId),
      // Adobe's Displayable/Buyable providers: enabled and visible in catalog or search; enabled.
      displayable: s.status === 'Enabled' && visible,
      buyable: s.status === 'Enabled',
      attributes: productAttributes(scope, userDefined, values, attributeOptions, memo),
      categoryData: categories.forScope(scope),
      inventory: inventory.get(scope.product.productId) ?? null,
      optionsV2,
      shopperInputOptions,
      images: images.forScope(scope, v),
      links: links.get(scope.product.productId) ?? [],
      parents: parents.get(scope.product.productId) ?? [],
      url,
      urlRewrites,
      deleted: false,
    };
    return { sourceEntityId: String(scope.product.productId), item };
  });
}

/** The link values of the products that have items (ascending), with the lookups of `resolved`. */
function batchLinks(resolved: LinkIds, scopes: ReadonlyArray<{ product: { link: number } }>): LinkIds {
  const links = [...new Set(scopes.map((s) => s.product.link))].sort((a, b) => a - b);
  return { links, entityOf: resolved.entityOf, linkOf: resolved.linkOf };
}

async function loadTaxClasses(ctx: ProviderContext): Promise<Map<number, string>> {
  const rows = await select<{ class_id: number; class_name: string }>(
    ctx,
    'products.taxClasses',
    `SELECT class_id, class_name FROM ${ctx.t('tax_class')} WHERE class_type = 'PRODUCT'`,
    [],
    0,
  );
  return new Map(rows.map((r) => [Number(r.class_id), r.class_name]));
}

export const productsProvider: FeedProvider = {
  assemble: assembleProducts,
  expand: expandProducts,
  listIds: (afterId, limit, ctx) => listEntityIds(ctx, ctx.catalog.product, 'products.listIds', afterNumber(afterId), limit),
};
