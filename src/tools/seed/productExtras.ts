// What hangs off a product besides its EAV values: media gallery with image roles,
// custom options, related/up-sell/cross-sell links and URL rewrites.
import { Rng } from './random.js';
import { eavColumns, linkColumn, type SeedContext } from './context.js';
import type { ProductPlan } from './products.js';

const LINK_RELATED = 1;
const LINK_UPSELL = 4;
const LINK_CROSSSELL = 5;

export async function writeMedia(ctx: SeedContext, plans: ProductPlan[]): Promise<void> {
  const { w, o, eav, scopes } = ctx;
  const rng = new Rng(o.seed, 'media');
  const galleryAttr = eav.product.get('media_gallery')!.id;
  const role = (code: string) => eav.product.get(code)!.id;
  const EAV_COLUMNS = eavColumns(o.edition);
  const link = linkColumn(o.edition);
  let valueId = 1;
  for (const p of plans) {
    const files: string[] = [];
    for (let n = 1; n <= p.images; n++, valueId++) {
      const file = `/${p.urlKey[0]}/${p.urlKey[1] ?? '_'}/${p.urlKey}-${n}.jpg`;
      files.push(file);
      await w.row('catalog_product_entity_media_gallery', ['value_id', 'attribute_id', 'value', 'media_type', 'disabled'], [valueId, galleryAttr, file, 'image', 0]);
      await w.row('catalog_product_entity_media_gallery_value_to_entity', ['value_id', link], [valueId, p.id]);
      await w.row('catalog_product_entity_media_gallery_value', ['value_id', 'store_id', link, 'label', 'position', 'disabled'], [
        valueId, 0, p.id, n === 1 ? p.name : `${p.name} view ${n}`, n, n > 1 && rng.chance(0.05) ? 1 : 0,
      ]);
      const store = scopes.stores[1];
      if (store && rng.chance(0.1)) {
        await w.row('catalog_product_entity_media_gallery_value', ['value_id', 'store_id', link, 'label', 'position', 'disabled'], [valueId, store.id, p.id, `${p.name} (${store.code})`, n, 0]);
      }
    }
    const [first, second] = files;
    if (!first) continue;
    await w.row('catalog_product_entity_varchar', EAV_COLUMNS, [role('image'), 0, p.id, first]);
    await w.row('catalog_product_entity_varchar', EAV_COLUMNS, [role('small_image'), 0, p.id, first]);
    await w.row('catalog_product_entity_varchar', EAV_COLUMNS, [role('thumbnail'), 0, p.id, second ?? first]);
    if (p.superValues.size > 0) await w.row('catalog_product_entity_varchar', EAV_COLUMNS, [role('swatch_image'), 0, p.id, first]);
  }
}

export async function writeCustomOptions(ctx: SeedContext, plans: ProductPlan[]): Promise<void> {
  const { w, o, scopes } = ctx;
  const rng = new Rng(o.seed, 'custom-options');
  let optionId = 1;
  let typeId = 1;
  const translated = scopes.stores[1];
  for (const p of plans) {
    if (!p.hasCustomOptions) continue;
    const count = rng.int(1, 2);
    for (let i = 0; i < count; i++, optionId++) {
      const dropDown = i === 0 || rng.chance(0.5);
      const required = rng.chance(0.5) ? 1 : 0;
      await w.row('catalog_product_option', ['option_id', 'product_id', 'type', 'is_require', 'sku', 'max_characters', 'sort_order'], [
        optionId, p.id, dropDown ? 'drop_down' : 'field', required, dropDown ? null : `${p.sku}-engraving`, dropDown ? null : 20, i + 1,
      ]);
      const title = dropDown ? 'Gift wrap' : 'Engraving';
      await w.row('catalog_product_option_title', ['option_id', 'store_id', 'title'], [optionId, 0, title]);
      if (translated && rng.chance(0.3)) await w.row('catalog_product_option_title', ['option_id', 'store_id', 'title'], [optionId, translated.id, `${title} (${translated.code})`]);
      if (!dropDown) {
        await w.row('catalog_product_option_price', ['option_id', 'store_id', 'price', 'price_type'], [optionId, 0, rng.money(2, 15), rng.pick(['fixed', 'percent'])]);
        continue;
      }
      for (const [pos, label] of ['None', 'Paper', 'Box'].entries()) {
        await w.row('catalog_product_option_type_value', ['option_type_id', 'option_id', 'sku', 'sort_order'], [typeId, optionId, `${p.sku}-${label.toLowerCase()}`, pos]);
        await w.row('catalog_product_option_type_title', ['option_type_id', 'store_id', 'title'], [typeId, 0, label]);
        if (translated && rng.chance(0.3)) await w.row('catalog_product_option_type_title', ['option_type_id', 'store_id', 'title'], [typeId, translated.id, `${label} (${translated.code})`]);
        await w.row('catalog_product_option_type_price', ['option_type_id', 'store_id', 'price', 'price_type'], [typeId, 0, pos === 0 ? '0.00' : rng.money(1, 9), 'fixed']);
        typeId++;
      }
    }
  }
}

export async function writeLinks(ctx: SeedContext, plans: ProductPlan[]): Promise<void> {
  const { w, o } = ctx;
  const rng = new Rng(o.seed, 'links');
  await w.rows('catalog_product_link_type', ['link_type_id', 'code'], [[LINK_RELATED, 'relation'], [3, 'super'], [LINK_UPSELL, 'up_sell'], [LINK_CROSSSELL, 'cross_sell']]);
  await w.rows('catalog_product_link_attribute', ['product_link_attribute_id', 'link_type_id', 'product_link_attribute_code', 'data_type'], [
    [1, LINK_RELATED, 'position', 'int'], [2, LINK_UPSELL, 'position', 'int'], [3, LINK_CROSSSELL, 'position', 'int'],
  ]);
  const positionAttr: Record<number, number> = { [LINK_RELATED]: 1, [LINK_UPSELL]: 2, [LINK_CROSSSELL]: 3 };
  const visible = plans.filter((p) => p.visible).map((p) => p.id);
  if (visible.length < 2) return;
  const position = new Map(visible.map((id, i) => [id, i]));
  let linkId = 1;
  for (const p of plans) {
    if (!p.visible || !rng.chance(0.2)) continue;
    for (const type of [LINK_RELATED, LINK_UPSELL, LINK_CROSSSELL]) {
      if (!rng.chance(0.6)) continue;
      // the visible products other than p, without building that list
      const own = position.get(p.id)!;
      const targets = rng.sampleOf(visible.length - 1, (i) => visible[i < own ? i : i + 1]!, rng.int(1, 3));
      for (const [pos, target] of targets.entries()) {
        await w.row('catalog_product_link', ['link_id', 'product_id', 'linked_product_id', 'link_type_id'], [linkId, p.id, target, type]);
        await w.row('catalog_product_link_attribute_int', ['product_link_attribute_id', 'link_id', 'value'], [positionAttr[type]!, linkId, pos + 1]);
        linkId++;
      }
    }
  }
}

/** Category and product URLs per store view, as Magento's URL rewrite generators write them. */
export async function writeUrlRewrites(ctx: SeedContext, plans: ProductPlan[]): Promise<void> {
  const { w, scopes, categories } = ctx;
  const cols = ['entity_type', 'entity_id', 'request_path', 'target_path', 'redirect_type', 'store_id', 'is_autogenerated', 'metadata'];
  const urlPath = new Map(categories.map((c) => [c.id, c.urlPath]));
  for (const s of scopes.stores) {
    if (s.id === 0) continue;
    for (const c of categories) {
      if (c.level < 2) continue;
      await w.row('url_rewrite', cols, ['category', c.id, `${c.urlPath}.html`, `catalog/category/view/id/${c.id}`, 0, s.id, 1, null]);
    }
    for (const p of plans) {
      if (!p.visible || !p.websiteIds.includes(s.websiteId)) continue;
      await w.row('url_rewrite', cols, ['product', p.id, `${p.urlKey}.html`, `catalog/product/view/id/${p.id}`, 0, s.id, 1, null]);
      const categoryId = p.categoryIds[0];
      if (categoryId !== undefined) {
        await w.row('url_rewrite', cols, [
          'product', p.id, `${urlPath.get(categoryId)}/${p.urlKey}.html`, `catalog/product/view/id/${p.id}/category/${categoryId}`, 0, s.id, 1,
          JSON.stringify({ category_id: String(categoryId) }),
        ]);
      }
    }
  }
}
