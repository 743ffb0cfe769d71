import { sha1 } from '../hash.js';
import type { AssembledItem } from '../types.js';
import type { OverrideRows } from './queries.js';

// One item per product × website × customer group present in the product
// permission index. The index is per store view; a website takes the row of its
// default store view, else of its lowest store id. Grants: -2 denies, anything
// else (-1, or NULL = configuration default) allows; the price is hidden where the
// product is, the cart where the price is.

type Row = OverrideRows['index'][number];

const allowed = (v: unknown): boolean => v === null || Number(v) !== -2;

export function buildOverrideItems(rows: OverrideRows, now: Date): AssembledItem[] {
  const modifiedAt = now.toISOString();
  const skus = new Map(rows.products.map((p) => [Number(p.entity_id), p.sku === null ? null : String(p.sku)]));
  // product/website/group -> the row that stands for the website
  const chosen = new Map<string, Row>();
  for (const r of rows.index) {
    const website = Number(r.website_id);
    const k = `${r.product_id}/${website}/${r.customer_group_id}`;
    const cur = chosen.get(k);
    const isDefault = rows.defaultStores.get(website) === Number(r.store_id);
    if (!cur) chosen.set(k, r);
    else if (rows.defaultStores.get(website) !== Number(cur.store_id) && (isDefault || Number(r.store_id) < Number(cur.store_id))) chosen.set(k, r);
  }
  const ordered = [...chosen.values()].sort(
    (a, b) =>
      Number(a.product_id) - Number(b.product_id) ||
      Number(a.website_id) - Number(b.website_id) ||
      Number(a.customer_group_id) - Number(b.customer_group_id),
  );
  const out: AssembledItem[] = [];
  for (const r of ordered) {
    const productId = Number(r.product_id);
    const sku = skus.get(productId);
    if (!sku) continue;
    const displayable = allowed(r.grant_catalog_category_view);
    const priceDisplayable = displayable && allowed(r.grant_catalog_product_price);
    out.push({
      sourceEntityId: String(productId),
      item: {
        productId: String(productId),
        sku,
        websiteCode: String(r.website_code),
        customerGroupCode: sha1(String(r.customer_group_id)),
        displayable,
        priceDisplayable,
        addToCartAllowed: priceDisplayable && allowed(r.grant_checkout_items),
        deleted: false,
        modifiedAt,
      },
    });
  }
  return out;
}
