import type { RowDataPacket } from 'mysql2/promise';
import { currentOnly } from '../common/link.js';
import { select } from '../common/sql.js';
import type { ProviderContext } from '../types.js';
import type { PermissionRow } from './resolve.js';

type Row = RowDataPacket & Record<string, string | number | null>;

export interface PermissionRows {
  categories: Array<{ id: number; path: string }>;
  /** Rows of the batch's categories and of all their ancestors. */
  permissions: PermissionRow[];
  websites: Array<{ id: number; code: string }>;
  groups: number[];
}

export async function loadPermissionRows(ctx: ProviderContext, ids: number[]): Promise<PermissionRows> {
  const t = (n: string) => `\`${ctx.t(n)}\``;
  const n = ids.length;
  const [categoryRows, websiteRows, groupRows] = await Promise.all([
    // the current version's path (Adobe Commerce keeps one row per version)
    select<Row>(
      ctx,
      'categoryPermissions.categories',
      `SELECT e.entity_id, e.path FROM ${t('catalog_category_entity')} e WHERE e.entity_id IN (?)${currentOnly(ctx, ctx.catalog.category, 'e')}`,
      [ids],
      n,
    ),
    select<Row>(ctx, 'categoryPermissions.websites', `SELECT website_id, code FROM ${t('store_website')} WHERE website_id <> 0`, [], 0),
    select<Row>(ctx, 'categoryPermissions.groups', `SELECT customer_group_id FROM ${t('customer_group')}`, [], 0),
  ]);
  // one per category even where a broken version range gives it two current rows
  const categories = [...new Map(categoryRows.map((c) => [Number(c.entity_id), { id: Number(c.entity_id), path: String(c.path) }])).values()];
  const lineageIds = [...new Set(categories.flatMap((c) => c.path.split('/').map(Number)))];
  const permissionRows = lineageIds.length
    ? await select<Row>(
        ctx,
        'categoryPermissions.permissions',
        `SELECT category_id, website_id, customer_group_id, grant_catalog_category_view,
                grant_catalog_product_price, grant_checkout_items
           FROM ${t('magento_catalogpermissions')} WHERE category_id IN (?)`,
        [lineageIds],
        n,
      )
    : [];
  return {
    categories,
    permissions: permissionRows.map((r) => ({
      categoryId: Number(r.category_id),
      websiteId: r.website_id === null ? null : Number(r.website_id),
      groupId: r.customer_group_id === null ? null : Number(r.customer_group_id),
      view: Number(r.grant_catalog_category_view),
      price: Number(r.grant_catalog_product_price),
      checkout: Number(r.grant_checkout_items),
    })),
    websites: websiteRows.map((w) => ({ id: Number(w.website_id), code: String(w.code) })),
    groups: groupRows.map((g) => Number(g.customer_group_id)).sort((a, b) => a - b),
  };
}
