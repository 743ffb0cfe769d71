import { sha1 } from '../hash.js';
import type { AssembledItem } from '../types.js';
import type { PriceRows } from './queries.js';

// Turns the rows of one batch into prices items: one per product × website × group,
// where the groups are the base group "0" plus every customer group that has a price
// of its own (a group-specific tier price or a catalog rule price) in that website.
// Adobe's provider keys items the same way (productId-websiteId-group).

/** customerGroupCode of the base ("fallback") item; customer group 0 (NOT LOGGED IN) is sha1("0"). */
export const BASE_GROUP_CODE = '0';

export interface Amount {
  price: number | null;
  percentage: number | null;
}
export type Discount = { code: string } & Amount;
export type TierPrice = { qty: number } & Amount;

interface TierRow {
  allGroups: boolean;
  groupId: string;
  qty: number;
  websiteId: number;
  amount: Amount;
}

const num = (v: unknown): number => Number(v);

const NO_OWN_PRICE = new Set(['configurable', 'giftcard']);

/** The types Adobe names; any other (virtual, custom types) is sent as SIMPLE. */
const KNOWN_TYPES = new Set(['simple', 'configurable', 'downloadable', 'grouped', 'bundle', 'giftcard']);

/** Upper-cased product type, as Adobe's ProductPrice::convertProductType. */
export function productType(typeId: string): string {
  return (KNOWN_TYPES.has(typeId) ? typeId : 'simple').toUpperCase();
}

/** A product's own type: bundles carry their price type (price_type 1 = fixed). */
export function priceType(typeId: string, bundlePriceType: number | undefined): string {
  if (typeId === 'bundle') return bundlePriceType === 1 ? 'BUNDLE_FIXED' : 'BUNDLE_DYNAMIC';
  return productType(typeId);
}

/** null = the base item. */
export function customerGroupCode(group: string | null): string {
  return group === null ? BASE_GROUP_CODE : sha1(group);
}

/**
 * The tier rows that apply to a group in a website, one per qty: a group's own row beats
 * an all-groups row, a website's own row beats the all-websites (0) row.
 */
export function applicableTiers(tiers: TierRow[], websiteId: number, group: string | null): Map<number, Amount> {
  const best = new Map<number, { rank: number; amount: Amount }>();
  for (const r of tiers) {
    if (r.websiteId !== 0 && r.websiteId !== websiteId) continue;
    const own = !r.allGroups && group !== null && r.groupId === group;
    if (!r.allGroups && !own) continue;
    const rank = (own ? 2 : 0) + (r.websiteId === websiteId ? 1 : 0);
    const cur = best.get(r.qty);
    if (!cur || rank > cur.rank) best.set(r.qty, { rank, amount: r.amount });
  }
  return new Map([...best].map(([q, v]) => [q, v.amount]));
}

export function buildPriceItems(rows: PriceRows, now: Date): AssembledItem[] {
  const updatedAt = now.toISOString();

  const bundleType = new Map(rows.ints.map((r) => [Number(r.entity_id), r.value === null ? undefined : num(r.value)]));
  // product -> attribute code -> store -> value
  const decimals = new Map<number, Map<string, Map<number, number | null>>>();
  for (const r of rows.decimals) {
    const p = Number(r.entity_id);
    const byAttr = decimals.get(p) ?? new Map<string, Map<number, number | null>>();
    decimals.set(p, byAttr);
    const byStore = byAttr.get(String(r.attribute_code)) ?? new Map<number, number | null>();
    byAttr.set(String(r.attribute_code), byStore);
    byStore.set(Number(r.store_id), r.value === null ? null : num(r.value));
  }
  const tiers = new Map<number, TierRow[]>();
  for (const r of rows.tiers) {
    const p = Number(r.entity_id);
    const list = tiers.get(p) ?? [];
    tiers.set(p, list);
    const pct = r.percentage_value === null ? null : num(r.percentage_value);
    list.push({
      allGroups: Number(r.all_groups) === 1,
      groupId: String(r.customer_group_id),
      qty: num(r.qty),
      websiteId: Number(r.website_id),
      amount: pct === null ? { price: num(r.value), percentage: null } : { price: null, percentage: pct },
    });
  }
  // product -> website -> group -> rule price
  const rules = new Map<string, Map<string, number>>();
  for (const r of rows.rules) {
    const k = `${r.product_id}-${r.website_id}`;
    const m = rules.get(k) ?? new Map<string, number>();
    rules.set(k, m);
    m.set(String(r.customer_group_id), num(r.rule_price));
  }
  // child/website -> the parents assigned to that website too
  const parents = new Map<string, Array<{ type: string; sku: string }>>();
  for (const r of rows.parents) {
    const k = `${r.child_id}-${r.website_id}`;
    const list = parents.get(k) ?? [];
    parents.set(k, list);
    list.push({ type: productType(String(r.type_id)), sku: String(r.sku) });
  }
  for (const list of parents.values()) list.sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : a.type < b.type ? -1 : 1));

  const websites = new Map(rows.websites.map((w) => [w.websiteId, w]));
  const products = new Map(rows.products.map((p) => [Number(p.entity_id), p]));
  const assoc = rows.productWebsites
    .map((r) => ({ productId: Number(r.product_id), websiteId: Number(r.website_id) }))
    .sort((a, b) => a.productId - b.productId || a.websiteId - b.websiteId);

  const out: AssembledItem[] = [];
  for (const { productId, websiteId } of assoc) {
    const product = products.get(productId);
    const website = websites.get(websiteId);
    // Configurable and gift card products have no price of their own (Adobe leaves them out here).
    if (!product || !website || product.sku === null || NO_OWN_PRICE.has(String(product.type_id))) continue;
    const attrValue = (code: string): number | null => {
      const byStore = decimals.get(productId)?.get(code);
      if (!byStore) return null;
      if (website.defaultStoreId !== null && byStore.has(website.defaultStoreId)) return byStore.get(website.defaultStoreId) ?? null;
      return byStore.get(0) ?? null;
    };
    // Adobe sends 0 for products without a price of their own (dynamic bundles, grouped)
    const regular = attrValue('price') ?? 0;
    const special = attrValue('special_price');
    // a bundle's special price is a percentage of its price (Magento's bundle pricing)
    const isBundle = String(product.type_id) === 'bundle';
    const productTiers = tiers.get(productId) ?? [];
    const productRules = rules.get(`${productId}-${websiteId}`) ?? new Map<string, number>();

    const groups = new Set<string>();
    for (const t of productTiers) if (!t.allGroups && (t.websiteId === 0 || t.websiteId === websiteId)) groups.add(t.groupId);
    for (const g of productRules.keys()) groups.add(g);
    const ordered: Array<string | null> = [null, ...[...groups].sort((a, b) => Number(a) - Number(b))];

    for (const group of ordered) {
      const applicable = applicableTiers(productTiers, websiteId, group);
      const discounts: Discount[] = [];
      if (special !== null) discounts.push({ code: 'special_price', price: isBundle ? null : special, percentage: isBundle ? special : null });
      // A "tier" for a quantity of 1 is Magento's group price.
      const groupPrice = [...applicable].filter(([q]) => q <= 1).sort((a, b) => a[0] - b[0])[0];
      if (groupPrice) discounts.push({ code: 'group', ...groupPrice[1] });
      const rulePrice = group === null ? undefined : productRules.get(group);
      if (rulePrice !== undefined) discounts.push({ code: 'catalog_rule', price: rulePrice, percentage: null });
      discounts.sort((a, b) => (a.code < b.code ? -1 : 1));
      const tierPrices: TierPrice[] = [...applicable]
        .filter(([q]) => q > 1)
        .sort((a, b) => a[0] - b[0])
        .map(([qty, amount]) => ({ qty, ...amount }));

      out.push({
        sourceEntityId: String(productId),
        item: {
          websiteId,
          productId,
          sku: String(product.sku),
          type: priceType(String(product.type_id), bundleType.get(productId)),
          customerGroupCode: customerGroupCode(group),
          websiteCode: website.code,
          parents: parents.get(`${productId}-${websiteId}`) ?? [],
          regular,
          discounts,
          tierPrices,
          deleted: false,
          updatedAt,
        },
      });
    }
  }
  return out;
}
