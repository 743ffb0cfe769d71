// Which products an event about another entity touches. Each type is one query
// bounded by the event's ids (never a scan of every product unless the change
// really affects every product of a website).
//
// Several tables name the product by its link field (row_id of a version on Adobe
// Commerce): their rows count when they belong to the product's current version (only
// those show in items; a future version's rows change items when the version moves, see
// 'stagingVersion') and are turned into its entity id, with no extra join on Open Source.
import { linkedEntity } from '../common/catalogIds.js';
import { movedEntities, ofEveryVersion } from '../common/link.js';
import { numericIds, idStrings, select } from '../common/sql.js';
import type { ProviderContext } from '../types.js';
import { SYSTEM_ATTRIBUTES } from './scalars.js';

const VALUE_TYPES = ['varchar', 'int', 'decimal', 'text', 'datetime'] as const;

/** The entity id of a product named by `alias.column`, a link-keyed column (catalogIds.ts). */
const owner = (ctx: ProviderContext, alias: string, column: string) => linkedEntity(ctx, ctx.catalog.product, 'cur', `${alias}.${column}`);

export async function expandProducts(type: string, ids: string[], ctx: ProviderContext): Promise<string[]> {
  if (type === 'stagingVersion') return expandVersionMove(ctx, ids);
  const keys = numericIds(ids);
  if (keys.length === 0) return [];
  const one = async (what: string, sql: string, params: unknown[]): Promise<string[]> =>
    idStrings((await select<{ id: number }>(ctx, `products.expand.${what}`, sql, params, keys.length)).map((r) => r.id));
  switch (type) {
    case 'website':
      return one('website', `SELECT DISTINCT product_id AS id FROM ${ctx.t('catalog_product_website')} WHERE website_id IN (?)`, [keys]);
    case 'store':
      // A store view's codes and activity change the items of its website's products.
      return one(
        'store',
        `SELECT DISTINCT pw.product_id AS id FROM ${ctx.t('catalog_product_website')} pw
           JOIN ${ctx.t('store')} s ON s.website_id = pw.website_id WHERE s.store_id IN (?)`,
        [keys],
      );
    case 'storeGroup':
      return one(
        'storeGroup',
        `SELECT DISTINCT pw.product_id AS id FROM ${ctx.t('catalog_product_website')} pw
           JOIN ${ctx.t('store_group')} g ON g.website_id = pw.website_id WHERE g.group_id IN (?)`,
        [keys],
      );
    case 'category':
      return one('category', `SELECT DISTINCT product_id AS id FROM ${ctx.t('catalog_category_product')} WHERE category_id IN (?)`, [keys]);
    case 'parentProduct':
      // the children's parents[] show the parent's sku and type
      return one('parentProduct', `SELECT DISTINCT child_id AS id FROM ${ctx.t('catalog_product_relation')} WHERE ${ofEveryVersion(ctx, ctx.catalog.product, 'parent_id')}`, [keys]);
    case 'linkedProduct': {
      // A product's sku is in the links[] of the products that link to it.
      const p = owner(ctx, 'l', 'product_id');
      return one('linkedProduct', `SELECT DISTINCT ${p.id} AS id FROM ${ctx.t('catalog_product_link')} l ${p.join} WHERE l.linked_product_id IN (?)`, [keys]);
    }
    case 'productLink': {
      const p = owner(ctx, 'l', 'product_id');
      return one('productLink', `SELECT DISTINCT ${p.id} AS id FROM ${ctx.t('catalog_product_link')} l ${p.join} WHERE l.link_id IN (?)`, [keys]);
    }
    case 'customOption': {
      const p = owner(ctx, 'o', 'product_id');
      return one('customOption', `SELECT DISTINCT ${p.id} AS id FROM ${ctx.t('catalog_product_option')} o ${p.join} WHERE o.option_id IN (?)`, [keys]);
    }
    case 'customOptionValue': {
      const p = owner(ctx, 'o', 'product_id');
      return one(
        'customOptionValue',
        `SELECT DISTINCT ${p.id} AS id FROM ${ctx.t('catalog_product_option_type_value')} v
           JOIN ${ctx.t('catalog_product_option')} o ON o.option_id = v.option_id ${p.join} WHERE v.option_type_id IN (?)`,
        [keys],
      );
    }
    case 'mediaGallery': {
      const p = owner(ctx, 'g', ctx.catalog.product.column);
      return one(
        'mediaGallery',
        `SELECT DISTINCT ${p.id} AS id FROM ${ctx.t('catalog_product_entity_media_gallery_value_to_entity')} g ${p.join} WHERE g.value_id IN (?)`,
        [keys],
      );
    }
    case 'attribute':
      return expandAttributes(ctx, keys);
    case 'attributeOption':
      return expandOptions(ctx, keys);
    case 'taxClass': {
      const p = owner(ctx, 'v', ctx.catalog.product.column);
      return one(
        'taxClass',
        `SELECT DISTINCT ${p.id} AS id FROM ${ctx.t('catalog_product_entity_int')} v
           JOIN ${ctx.t('eav_attribute')} a ON a.attribute_id = v.attribute_id AND a.attribute_code = 'tax_class_id'
           JOIN ${ctx.t('eav_entity_type')} et ON et.entity_type_id = a.entity_type_id AND et.entity_type_code = 'catalog_product'
           ${p.join}
          WHERE v.value IN (?)`,
        [keys],
      );
    }
    default:
      return [];
  }
}

/**
 * Products with a value row for the attributes, in the value tables of their backend
 * types only. System attributes the items do not carry (price, cost, ...) touch no item.
 */
async function expandAttributes(ctx: ProviderContext, attributeIds: number[]): Promise<string[]> {
  const meta = await select<{ attribute_id: number; backend_type: string; used: number }>(
    ctx,
    'products.expand.attribute.types',
    `SELECT attribute_id, backend_type, (is_user_defined = 1 OR attribute_code IN (?)) AS used
       FROM ${ctx.t('eav_attribute')} WHERE attribute_id IN (?)`,
    [SYSTEM_ATTRIBUTES, attributeIds],
    attributeIds.length,
  );
  const known = new Set(meta.map((m) => Number(m.attribute_id)));
  // A deleted attribute has no row left to tell its type: look in every value table.
  const gone = attributeIds.filter((id) => !known.has(id));
  const used = meta.filter((m) => Number(m.used) === 1);
  const lookups = VALUE_TYPES.map((t) => ({
    t,
    ids: [...gone, ...used.filter((m) => m.backend_type === t).map((m) => Number(m.attribute_id))],
  })).filter((l) => l.ids.length > 0);
  const p = owner(ctx, 'v', ctx.catalog.product.column);
  const found = await Promise.all(
    lookups.map(({ t, ids }) =>
      select<{ id: number }>(
        ctx,
        `products.expand.attribute.${t}`,
        `SELECT DISTINCT ${p.id} AS id FROM ${ctx.t(`catalog_product_entity_${t}`)} v ${p.join} WHERE v.attribute_id IN (?)`,
        [ids],
        ids.length,
      ),
    ),
  );
  return idStrings(found.flat().map((r) => r.id));
}

/** Products whose select (int) or multiselect (comma list) value holds one of the options. */
async function expandOptions(ctx: ProviderContext, optionIds: number[]): Promise<string[]> {
  const attrs = await select<{ attribute_id: number }>(
    ctx,
    'products.expand.attributeOption.attributes',
    `SELECT DISTINCT attribute_id FROM ${ctx.t('eav_attribute_option')} WHERE option_id IN (?)`,
    [optionIds],
    optionIds.length,
  );
  if (attrs.length === 0) return [];
  const attributeIds = attrs.map((a) => a.attribute_id);
  const inSet = optionIds.map(() => 'FIND_IN_SET(?, v.value)').join(' OR ');
  const p = owner(ctx, 'v', ctx.catalog.product.column);
  const [ints, varchars, texts] = await Promise.all([
    select<{ id: number }>(
      ctx,
      'products.expand.attributeOption.int',
      `SELECT DISTINCT ${p.id} AS id FROM ${ctx.t('catalog_product_entity_int')} v ${p.join} WHERE v.attribute_id IN (?) AND v.value IN (?)`,
      [attributeIds, optionIds],
      optionIds.length,
    ),
    ...(['varchar', 'text'] as const).map((t) =>
      select<{ id: number }>(
        ctx,
        `products.expand.attributeOption.${t}`,
        `SELECT DISTINCT ${p.id} AS id FROM ${ctx.t(`catalog_product_entity_${t}`)} v ${p.join} WHERE v.attribute_id IN (?) AND (${inSet})`,
        [attributeIds, ...optionIds.map(String)],
        optionIds.length,
      ),
    ),
  ]);
  return idStrings([...ints, ...(varchars ?? []), ...(texts ?? [])].map((r) => r.id));
}

/**
 * Products whose items change when the current version moves (ids: "<from>..<to>" spans):
 * products with a version starting or ending in the span, the children of moved parents
 * (parents[] shows the parent's sku and type), the products linking to moved products
 * (links[] shows their sku), and the products of moved categories (categoryData[]).
 * Nothing on Open Source, where no version moves.
 */
async function expandVersionMove(ctx: ProviderContext, ids: string[]): Promise<string[]> {
  const [products, categories] = await Promise.all([
    movedEntities(ctx, ctx.catalog.product, ids),
    movedEntities(ctx, ctx.catalog.category, ids),
  ]);
  const moved = idStrings(products);
  const dependants = await Promise.all([
    expandProducts('parentProduct', moved, ctx),
    expandProducts('linkedProduct', moved, ctx),
    expandProducts('category', idStrings(categories), ctx),
  ]);
  return idStrings([...moved, ...dependants.flat()]);
}
