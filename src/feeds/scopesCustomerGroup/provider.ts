// scopesCustomerGroup: one item per customer group with the codes of the websites
// it may shop in (all websites but admin, minus customer_group_excluded_website).
// customerGroupCode is sha1 of the id, as in Adobe's query.xml and the prices feed.
import { sha1 } from '../hash.js';
import { afterNumber, byNumber, numericIds, select } from '../common/sql.js';
import type { AssembledItem, FeedProvider, ProviderContext } from '../types.js';

interface GroupRow { customer_group_id: number }
interface WebsiteRow { website_id: number; code: string | null }
interface ExclusionRow { customer_group_id: number; website_id: number }

export async function assembleCustomerGroups(ids: string[], ctx: ProviderContext): Promise<AssembledItem[]> {
  const groupIds = numericIds(ids);
  if (groupIds.length === 0) return [];
  const n = groupIds.length;
  const [groups, websites, exclusions] = await Promise.all([
    select<GroupRow>(ctx, 'scopesCustomerGroup.groups', `SELECT customer_group_id FROM ${ctx.t('customer_group')} WHERE customer_group_id IN (?)`, [groupIds], n),
    select<WebsiteRow>(ctx, 'scopesCustomerGroup.websites', `SELECT website_id, code FROM ${ctx.t('store_website')} WHERE website_id <> 0`, [], n),
    select<ExclusionRow>(
      ctx,
      'scopesCustomerGroup.excluded',
      `SELECT customer_group_id, website_id FROM ${ctx.t('customer_group_excluded_website')} WHERE customer_group_id IN (?)`,
      [groupIds],
      n,
    ),
  ]);
  const orderedWebsites = [...websites].sort((a, b) => byNumber(a.website_id, b.website_id));
  const excluded = new Set(exclusions.map((e) => `${e.customer_group_id}/${e.website_id}`));
  return [...groups]
    .sort((a, b) => byNumber(a.customer_group_id, b.customer_group_id))
    .map((g) => {
      const id = String(g.customer_group_id);
      return {
        sourceEntityId: id,
        item: {
          customerGroupId: id,
          customerGroupCode: sha1(id),
          websites: orderedWebsites.filter((w) => !excluded.has(`${id}/${w.website_id}`)).map((w) => w.code ?? ''),
          deleted: false,
        },
      };
    });
}

export const scopesCustomerGroupProvider: FeedProvider = {
  assemble: assembleCustomerGroups,
  // A website added, removed or renamed changes the websites[] of every group.
  async expand(type, _ids, ctx) {
    if (type !== 'website') return [];
    return listGroupIds(undefined, Number.MAX_SAFE_INTEGER, ctx);
  },
  listIds: listGroupIds,
};

async function listGroupIds(afterId: string | undefined, limit: number, ctx: ProviderContext): Promise<string[]> {
  const rows = await select<GroupRow>(
    ctx,
    'scopesCustomerGroup.listIds',
    `SELECT customer_group_id FROM ${ctx.t('customer_group')} WHERE customer_group_id > ? ORDER BY customer_group_id LIMIT ?`,
    [afterNumber(afterId), limit],
    0,
  );
  return rows.map((r) => String(r.customer_group_id));
}
