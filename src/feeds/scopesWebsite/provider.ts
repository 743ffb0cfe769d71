// scopesWebsite: one item per website (website 0, admin, is left out as in
// Adobe's ScopesDataExporter query.xml), with its store groups and all their store
// views, active or not, as that query reads them.
// IDs are strings: Adobe's et_schema types them `ID`.
import { afterNumber, byNumber, idStrings, numericIds, select } from '../common/sql.js';
import type { AssembledItem, FeedProvider, ProviderContext } from '../types.js';

interface WebsiteRow { website_id: number; code: string | null }
interface GroupRow { group_id: number; website_id: number; code: string | null }
interface StoreRow { store_id: number; group_id: number; code: string | null }

export async function assembleWebsites(ids: string[], ctx: ProviderContext): Promise<AssembledItem[]> {
  const websiteIds = numericIds(ids).filter((id) => id !== 0);
  if (websiteIds.length === 0) return [];
  const n = websiteIds.length;
  const [websites, groups, stores] = await Promise.all([
    select<WebsiteRow>(ctx, 'scopesWebsite.websites', `SELECT website_id, code FROM ${ctx.t('store_website')} WHERE website_id IN (?)`, [websiteIds], n),
    select<GroupRow>(ctx, 'scopesWebsite.groups', `SELECT group_id, website_id, code FROM ${ctx.t('store_group')} WHERE website_id IN (?)`, [websiteIds], n),
    select<StoreRow>(
      ctx,
      'scopesWebsite.stores',
      `SELECT store_id, group_id, code FROM ${ctx.t('store')} WHERE website_id IN (?) AND store_id <> 0`,
      [websiteIds],
      n,
    ),
  ]);
  const viewsByGroup = new Map<number, StoreRow[]>();
  for (const s of [...stores].sort((a, b) => byNumber(a.store_id, b.store_id))) {
    const list = viewsByGroup.get(Number(s.group_id)) ?? [];
    list.push(s);
    viewsByGroup.set(Number(s.group_id), list);
  }
  const groupsByWebsite = new Map<number, GroupRow[]>();
  for (const g of [...groups].sort((a, b) => byNumber(a.group_id, b.group_id))) {
    const list = groupsByWebsite.get(Number(g.website_id)) ?? [];
    list.push(g);
    groupsByWebsite.set(Number(g.website_id), list);
  }
  return [...websites]
    .sort((a, b) => byNumber(a.website_id, b.website_id))
    .map((w) => ({
      sourceEntityId: String(w.website_id),
      item: {
        websiteId: String(w.website_id),
        websiteCode: w.code ?? '',
        stores: (groupsByWebsite.get(Number(w.website_id)) ?? []).map((g) => ({
          storeId: String(g.group_id),
          storeCode: g.code ?? '',
          storeViews: (viewsByGroup.get(Number(g.group_id)) ?? []).map((s) => ({
            storeViewId: String(s.store_id),
            storeViewCode: s.code ?? '',
          })),
        })),
        deleted: false,
      },
    }));
}

/**
 * `store` (store view id) and `storeGroup` (group id) events name the website they
 * belong to now. A deleted store view no longer names one: the mapping should key
 * the store table by its website_id column instead, which the before image carries.
 */
export async function expandToWebsites(type: string, ids: string[], ctx: ProviderContext): Promise<string[]> {
  const keys = numericIds(ids);
  if (keys.length === 0) return [];
  if (type === 'website') return idStrings(keys.filter((k) => k !== 0));
  const table = type === 'store' ? 'store' : type === 'storeGroup' ? 'store_group' : undefined;
  if (!table) return [];
  const column = table === 'store' ? 'store_id' : 'group_id';
  const rows = await select<{ website_id: number }>(
    ctx,
    `scopesWebsite.expand.${type}`,
    `SELECT DISTINCT website_id FROM ${ctx.t(table)} WHERE ${column} IN (?) AND website_id <> 0`,
    [keys],
    keys.length,
  );
  return idStrings(rows.map((r) => r.website_id));
}

export const scopesWebsiteProvider: FeedProvider = {
  assemble: assembleWebsites,
  expand: expandToWebsites,
  async listIds(afterId, limit, ctx) {
    const rows = await select<{ website_id: number }>(
      ctx,
      'scopesWebsite.listIds',
      `SELECT website_id FROM ${ctx.t('store_website')} WHERE website_id > ? AND website_id <> 0 ORDER BY website_id LIMIT ?`,
      [afterNumber(afterId), limit],
      0,
    );
    return rows.map((r) => String(r.website_id));
  },
};
