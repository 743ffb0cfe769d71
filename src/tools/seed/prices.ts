// Tier prices (all groups and per group, fixed and percentage) and catalog rule
// prices indexed for `today`, per website and customer group.
import { Rng, sqlDate } from './random.js';
import { linkColumn, type SeedContext } from './context.js';
import type { ProductPlan } from './products.js';

export async function writePrices(ctx: SeedContext, plans: ProductPlan[]): Promise<void> {
  const { w, o, scopes } = ctx;
  const rng = new Rng(o.seed, 'prices');
  const tierCols = [linkColumn(o.edition), 'all_groups', 'customer_group_id', 'qty', 'value', 'website_id', 'percentage_value'];
  const groups = scopes.customerGroups;
  for (const p of plans) {
    if (!p.price) continue;
    const price = Number(p.price);
    if (rng.chance(0.12)) {
      // the same shape Magento's admin saves: an all-groups quantity break plus group-specific prices
      await w.row('catalog_product_entity_tier_price', tierCols, [p.id, 1, 0, '5.0000', (price * 0.9).toFixed(2), 0, null]);
      await w.row('catalog_product_entity_tier_price', tierCols, [p.id, 0, 2, '1.0000', '0.00', 0, rng.pick(['10.00', '15.00', '20.00'])]);
      if (rng.chance(0.5)) {
        const website = rng.pick(scopes.websites);
        await w.row('catalog_product_entity_tier_price', tierCols, [p.id, 0, rng.pick(groups.filter((g) => g !== 2)), '10.0000', (price * 0.85).toFixed(2), website.id, null]);
      }
    }
    if (rng.chance(0.1)) {
      for (const ws of scopes.websites) {
        if (!p.websiteIds.includes(ws.id)) continue;
        for (const group of groups) {
          const row = [sqlDate(o.today, 0), group, p.id, (price * (group === 0 ? 0.9 : 0.85)).toFixed(2), ws.id, sqlDate(o.today, -1), null];
          const cols = ['rule_date', 'customer_group_id', 'product_id', 'rule_price', 'website_id', 'latest_start_date', 'earliest_end_date'];
          await w.row('catalogrule_product_price', cols, row);
          await w.row('catalogrule_product_price_replica', cols, row);
        }
      }
    }
  }
}
