// Commerce-edition category permissions: rules on some categories, the resolved
// per category × website × group index and the per product × store view × group index.
import { Rng } from './random.js';
import type { SeedContext } from './context.js';
import type { ProductPlan } from './products.js';

const ALLOW = -1;
const DENY = -2;
const PARENT = 0;

type Grants = [number, number, number];
interface Rule { categoryId: number; websiteId: number | null; groupId: number | null; grants: Grants }

export async function writePermissions(ctx: SeedContext, plans: ProductPlan[]): Promise<void> {
  const { w, o, scopes, categories } = ctx;
  const rng = new Rng(o.seed, 'permissions');
  const eligible = categories.filter((c) => c.level >= 2);
  if (eligible.length === 0) return;
  const ruled = rng.sample(eligible, Math.max(3, Math.round(eligible.length * 0.15))).sort((a, b) => a.id - b.id);
  const rules: Rule[] = [];
  for (const [i, c] of ruled.entries()) {
    // in turn: every website and group, one website, one group, one website and group
    const websiteId = i % 4 === 1 || i % 4 === 3 ? rng.pick(scopes.websites).id : null;
    const groupId = i % 4 === 2 || i % 4 === 3 ? rng.pick(scopes.customerGroups) : null;
    const view = rng.chance(0.75) ? ALLOW : DENY;
    const grants: Grants = [view, view === DENY ? DENY : rng.pick([ALLOW, DENY, PARENT]), view === DENY ? DENY : rng.pick([ALLOW, DENY, PARENT])];
    rules.push({ categoryId: c.id, websiteId, groupId, grants });
    await w.row('magento_catalogpermissions', ['category_id', 'website_id', 'customer_group_id', 'grant_catalog_category_view', 'grant_catalog_product_price', 'grant_checkout_items'], [c.id, websiteId, groupId, ...grants]);
  }

  // the nearest category on the path with a matching rule decides, the most specific rule first
  const rulesOf = new Map<number, Rule[]>();
  for (const r of rules) rulesOf.set(r.categoryId, [...(rulesOf.get(r.categoryId) ?? []), r]);
  const specificity = (r: Rule) => (r.websiteId !== null ? 2 : 0) + (r.groupId !== null ? 1 : 0);
  const resolved = new Map<string, Grants>();
  for (const c of categories) {
    const path = c.path.split('/').map(Number).reverse();
    for (const ws of scopes.websites) {
      for (const g of scopes.customerGroups) {
        for (const id of path) {
          const match = (rulesOf.get(id) ?? [])
            .filter((r) => (r.websiteId === null || r.websiteId === ws.id) && (r.groupId === null || r.groupId === g))
            .sort((a, b) => specificity(b) - specificity(a))[0];
          if (!match) continue;
          resolved.set(`${c.id}/${ws.id}/${g}`, match.grants);
          await w.row('magento_catalogpermissions_index', ['category_id', 'website_id', 'customer_group_id', 'grant_catalog_category_view', 'grant_catalog_product_price', 'grant_checkout_items'], [c.id, ws.id, g, ...match.grants]);
          break;
        }
      }
    }
  }
  for (const p of plans) {
    if (p.categoryIds.length === 0) continue;
    for (const s of scopes.stores) {
      if (!p.websiteIds.includes(s.websiteId)) continue;
      for (const g of scopes.customerGroups) {
        const categoryId = p.categoryIds.find((id) => resolved.has(`${id}/${s.websiteId}/${g}`));
        if (categoryId === undefined) continue;
        await w.row('magento_catalogpermissions_index_product', ['product_id', 'store_id', 'category_id', 'customer_group_id', 'grant_catalog_category_view', 'grant_catalog_product_price', 'grant_checkout_items', 'is_config'], [
          p.id, s.id, categoryId, g, ...resolved.get(`${categoryId}/${s.websiteId}/${g}`)!, 0,
        ]);
      }
    }
  }
}
