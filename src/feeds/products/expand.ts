// Which products an event about another entity touches. Each type is one query
// bounded by the event's ids (never a scan of every product unless the change
// really affects every product of a website).
import { numericIds, idStrings, select } from '../common/sql.js';
import type { ProviderContext } from '../types.js';
import { SYSTEM_ATTRIBUTES } from './scalars.js';

const VALUE_TYPES = ['varchar', 'int', 'decimal', 'text', 'datetime'] as const;

export async function expandProducts(type: string, ids: string[], ctx: ProviderContext): Promise<string[]> {
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
      return one('parentProduct', `SELECT DISTINCT child_id AS id FROM ${ctx.t('catalog_product_relation')} WHERE parent_id IN (?)`, [keys]);
    case 'linkedProduct':
      // A product's sku is in the links[] of the products that link to it.
      return one('linkedProduct', `SELECT DISTINCT product_id AS id FROM ${ctx.t('catalog_product_link')} WHERE linked_product_id IN (?)`, [keys]);
    case 'productLink':
      return one('productLink', `SELECT DISTINCT product_id AS id FROM ${ctx.t('catalog_product_link')} WHERE link_id IN (?)`, [keys]);
    case 'customOption':
      return one('customOption', `SELECT DISTINCT product_id AS id FROM ${ctx.t('catalog_product_option')} WHERE option_id IN (?)`, [keys]);
    case 'customOptionValue':
      return one(
        'customOptionValue',
        `SELECT DISTINCT o.product_id AS id FROM ${ctx.t('catalog_product_option_type_value')} v
           JOIN ${ctx.t('catalog_product_option')} o ON o.option_id = v.option_id WHERE v.option_type_id IN (?)`,
        [keys],
      );
    case 'mediaGallery':
      return one(
        'mediaGallery',
        `SELECT DISTINCT entity_id AS id FROM ${ctx.t('catalog_product_entity_media_gallery_value_to_entity')} WHERE value_id IN (?)`,
        [keys],
      );
    case 'attribute':
      return expandAttributes(ctx, keys);
    case 'attributeOption':
      return expandOptions(ctx, keys);
    case 'taxClass':
      return one(
        'taxClass',
        `SELECT DISTINCT v.entity_id AS id FROM ${ctx.t('catalog_product_entity_int')} v
           JOIN ${ctx.t('eav_attribute')} a ON a.attribute_id = v.attribute_id AND a.attribute_code = 'tax_class_id'
           JOIN ${ctx.t('eav_entity_type')} et ON et.entity_type_id = a.entity_type_id AND et.entity_type_code = 'catalog_product'
          WHERE v.value IN (?)`,
        [keys],
      );
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
  const found = await Promise.all(
    lookups.map(({ t, ids }) =>
      select<{ id: number }>(
        ctx,
        `products.expand.attribute.${t}`,
        `SELECT DISTINCT entity_id AS id FROM ${ctx.t(`catalog_product_entity_${t}`)} WHERE attribute_id IN (?)`,
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
  const inSet = optionIds.map(() => 'FIND_IN_SET(?, value)').join(' OR ');
  const [ints, varchars, texts] = await Promise.all([
    select<{ id: number }>(
      ctx,
      'products.expand.attributeOption.int',
      `SELECT DISTINCT entity_id AS id FROM ${ctx.t('catalog_product_entity_int')} WHERE attribute_id IN (?) AND value IN (?)`,
      [attributeIds, optionIds],
      optionIds.length,
    ),
    ...(['varchar', 'text'] as const).map((t) =>
      select<{ id: number }>(
        ctx,
        `products.expand.attributeOption.${t}`,
        `SELECT DISTINCT entity_id AS id FROM ${ctx.t(`catalog_product_entity_${t}`)} WHERE attribute_id IN (?) AND (${inSet})`,
        [attributeIds, ...optionIds.map(String)],
        optionIds.length,
      ),
    ),
  ]);
  return idStrings([...ints, ...(varchars ?? []), ...(texts ?? [])].map((r) => r.id));
}
