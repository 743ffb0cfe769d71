// Websites, store groups, store views, tax classes and customer groups, with
// Magento's fixed ids: 0 is admin everywhere, customer groups 0-3 are the install's.
import { Rng } from './random.js';
import { DEFAULT_CATEGORY, type Scopes, type StoreView, type Website } from './context.js';
import type { SeedOptions } from './options.js';
import type { BatchWriter } from './writer.js';

const STANDARD_GROUPS: Array<[number, string, number]> = [
  [0, 'NOT LOGGED IN', 3],
  [1, 'General', 3],
  [2, 'Wholesale', 3],
  [3, 'Retailer', 3],
];

export async function seedScopes(w: BatchWriter, o: SeedOptions): Promise<Scopes> {
  const rng = new Rng(o.seed, 'scopes');
  const websites: Website[] = [];
  for (let i = 1; i <= o.websites; i++) websites.push({ id: i, code: i === 1 ? 'base' : `website_${i}`, storeIds: [], groupId: i });
  const stores: StoreView[] = [];
  for (let j = 1; j <= o.storeViews; j++) {
    const website = websites[(j - 1) % websites.length]!;
    const code = j === 1 ? 'default' : `store_view_${j}`;
    stores.push({ id: j, code, websiteId: website.id, groupId: website.groupId, name: j === 1 ? 'Default Store View' : `Store View ${j}` });
    website.storeIds.push(j);
  }

  await w.row('store_website', ['website_id', 'code', 'name', 'sort_order', 'default_group_id', 'is_default'], [0, 'admin', 'Admin', 0, 0, 0]);
  for (const ws of websites) {
    await w.row('store_website', ['website_id', 'code', 'name', 'sort_order', 'default_group_id', 'is_default'], [
      ws.id, ws.code, ws.id === 1 ? 'Main Website' : `Website ${ws.id}`, ws.id, ws.groupId, ws.id === 1 ? 1 : 0,
    ]);
  }
  const groupCols = ['group_id', 'website_id', 'name', 'root_category_id', 'default_store_id', 'code'];
  await w.row('store_group', groupCols, [0, 0, 'Default', 0, 0, 'default']);
  for (const ws of websites) {
    await w.row('store_group', groupCols, [
      ws.groupId, ws.id, ws.id === 1 ? 'Main Website Store' : `Store ${ws.id}`, DEFAULT_CATEGORY, ws.storeIds[0]!,
      ws.id === 1 ? 'main_website_store' : `store_${ws.id}`,
    ]);
  }
  const storeCols = ['store_id', 'code', 'website_id', 'group_id', 'name', 'sort_order', 'is_active'];
  await w.row('store', storeCols, [0, 'admin', 0, 0, 'Admin', 0, 1]);
  for (const s of stores) await w.row('store', storeCols, [s.id, s.code, s.websiteId, s.groupId, s.name, s.id, 1]);

  const taxCols = ['class_id', 'class_name', 'class_type'];
  await w.rows('tax_class', taxCols, [
    [2, 'Taxable Goods', 'PRODUCT'],
    [3, 'Retail Customer', 'CUSTOMER'],
    [4, 'Reduced Rate Goods', 'PRODUCT'],
    [5, 'Wholesale Customer', 'CUSTOMER'],
  ]);

  const groupRows = STANDARD_GROUPS.map(([id, code, tax]) => [id, code, tax] as [number, string, number]);
  for (let g = 4; g < o.customerGroups; g++) groupRows.push([g, `Segment ${g}`, rng.chance(0.5) ? 5 : 3]);
  await w.rows('customer_group', ['customer_group_id', 'customer_group_code', 'tax_class_id'], groupRows);
  // some generated groups are hidden from the last website, so scopesCustomerGroup has gaps to show
  if (websites.length > 1) {
    const last = websites[websites.length - 1]!;
    for (let g = 4; g < o.customerGroups; g += 2) {
      await w.row('customer_group_excluded_website', ['customer_group_id', 'website_id'], [g, last.id]);
    }
  }
  return { websites, stores, customerGroups: groupRows.map((r) => r[0]) };
}
