// links[] (related, upsell, crosssell) and parents[] of a product item. Links are
// sorted by type, position, then sku: Adobe's unsorted links changed the hash of
// unchanged products (commerce-data-export 85a2981). The owner side of a link
// (catalog_product_link.product_id) and the parent side of a relation
// (catalog_product_relation.parent_id) hold the link field: on Adobe Commerce a row_id,
// of which only the current version's rows count; the other side is an entity id, whose
// sku and type are those of its current version.
import { currentOnly, joinCurrent, type LinkIds } from '../common/link.js';
import { byString, select } from '../common/sql.js';
import type { ProviderContext } from '../types.js';

const LINK_TYPES: Record<string, string> = { relation: 'related', up_sell: 'upsell', cross_sell: 'crosssell' };

export interface Link { sku: string; type: string; position: number }
export interface Parent { sku: string; productType: string }

interface LinkRow { product_id: number; sku: string | null; code: string; position: number | null }
interface ParentRow { child_id: number; sku: string | null; type_id: string }

/** links[] of the batch's products (`batch.links`: their current versions), by entity id. */
export async function loadLinks(ctx: ProviderContext, batch: LinkIds): Promise<Map<number, Link[]>> {
  const out = new Map<number, Link[]>();
  if (batch.links.length === 0) return out;
  const rows = await select<LinkRow>(
    ctx,
    'products.links',
    `SELECT l.product_id, p.sku, t.code, pos.value AS position
       FROM ${ctx.t('catalog_product_link')} l
       JOIN ${ctx.t('catalog_product_link_type')} t ON t.link_type_id = l.link_type_id
       JOIN ${ctx.t('catalog_product_entity')} p ON p.entity_id = l.linked_product_id${currentOnly(ctx, ctx.catalog.product, 'p')}
       LEFT JOIN ${ctx.t('catalog_product_link_attribute')} a
              ON a.link_type_id = l.link_type_id AND a.product_link_attribute_code = 'position'
       LEFT JOIN ${ctx.t('catalog_product_link_attribute_int')} pos
              ON pos.link_id = l.link_id AND pos.product_link_attribute_id = a.product_link_attribute_id
      WHERE l.product_id IN (?) AND t.code IN (?)`,
    [batch.links, Object.keys(LINK_TYPES)],
    batch.links.length,
  );
  for (const r of rows) {
    const productId = batch.entityOf(Number(r.product_id));
    if (!r.sku || productId === undefined) continue;
    const list = out.get(productId) ?? [];
    const type = LINK_TYPES[r.code] ?? r.code;
    // a linked product whose version ranges overlap (reported when its own item is built) joins twice
    if (list.some((l) => l.sku === r.sku && l.type === type)) continue;
    list.push({ sku: r.sku, type, position: Number(r.position ?? 0) });
    out.set(productId, list);
  }
  for (const list of out.values()) {
    list.sort((a, b) => byString(a.type, b.type) || a.position - b.position || byString(a.sku, b.sku));
  }
  return out;
}

export async function loadParents(ctx: ProviderContext, productIds: number[]): Promise<Map<number, Parent[]>> {
  const out = new Map<number, Parent[]>();
  if (productIds.length === 0) return out;
  const rows = await select<ParentRow>(
    ctx,
    'products.parents',
    `SELECT r.child_id, p.sku, p.type_id
       FROM ${ctx.t('catalog_product_relation')} r
       ${joinCurrent(ctx, ctx.catalog.product, 'p', 'r.parent_id')}
      WHERE r.child_id IN (?)`,
    [productIds],
    productIds.length,
  );
  for (const r of rows) {
    if (!r.sku) continue;
    const list = out.get(Number(r.child_id)) ?? [];
    // a parent whose version ranges overlap (reported when its own item is built) joins twice
    if (list.some((p) => p.sku === r.sku)) continue;
    list.push({ sku: r.sku, productType: r.type_id });
    out.set(Number(r.child_id), list);
  }
  for (const list of out.values()) list.sort((a, b) => byString(a.sku, b.sku) || byString(a.productType, b.productType));
  return out;
}
