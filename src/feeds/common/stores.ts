// Store views with their store group and website, the scope triple every
// per-store-view feed item carries (storeViewCode, storeCode, websiteCode).
import { select } from './sql.js';
import type { ProviderContext } from '../types.js';

export interface StoreView {
  storeId: number;
  storeViewCode: string;
  storeName: string;
  isActive: boolean;
  groupId: number;
  storeCode: string;
  /** store_group.root_category_id: the category tree this store view shows. */
  rootCategoryId: number;
  websiteId: number;
  websiteCode: string;
}

interface StoreRow {
  store_id: number;
  store_code: string | null;
  store_name: string;
  is_active: number;
  group_id: number;
  group_code: string | null;
  root_category_id: number;
  website_id: number;
  website_code: string | null;
}

/**
 * Every store view except admin (store 0), ordered by store id. Store views whose
 * group or website row is missing are left out: they cannot carry a scope triple.
 */
export async function loadStoreViews(ctx: ProviderContext, opts: { activeOnly?: boolean } = {}): Promise<StoreView[]> {
  const rows = await select<StoreRow>(
    ctx,
    'stores',
    `SELECT s.store_id, s.code AS store_code, s.name AS store_name, s.is_active,
            g.group_id, g.code AS group_code, g.root_category_id, w.website_id, w.code AS website_code
       FROM ${ctx.t('store')} s
       JOIN ${ctx.t('store_group')} g ON g.group_id = s.group_id
       JOIN ${ctx.t('store_website')} w ON w.website_id = s.website_id
      WHERE s.store_id <> 0 ${opts.activeOnly ? 'AND s.is_active = 1' : ''}
      ORDER BY s.store_id`,
    [],
    0,
  );
  return rows.map((r) => ({
    storeId: Number(r.store_id),
    storeViewCode: r.store_code ?? '',
    storeName: r.store_name,
    isActive: Number(r.is_active) === 1,
    groupId: Number(r.group_id),
    storeCode: r.group_code ?? '',
    rootCategoryId: Number(r.root_category_id),
    websiteId: Number(r.website_id),
    websiteCode: r.website_code ?? '',
  }));
}

/** Store views grouped by website id. */
export function storeViewsByWebsite(views: readonly StoreView[]): Map<number, StoreView[]> {
  const out = new Map<number, StoreView[]>();
  for (const v of views) {
    const list = out.get(v.websiteId) ?? [];
    list.push(v);
    out.set(v.websiteId, list);
  }
  return out;
}
