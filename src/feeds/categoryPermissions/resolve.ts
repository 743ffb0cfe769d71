// Magento's catalog permission grants: -1 allow, -2 deny, 0 use the parent
// category's permission (and, at the top of the tree, the default: allowed).

export const GRANT = { allow: -1, deny: -2, parent: 0 } as const;

export interface PermissionRow {
  categoryId: number;
  /** null = every website */
  websiteId: number | null;
  /** null = every customer group */
  groupId: number | null;
  view: number;
  price: number;
  checkout: number;
}

export type Grant = 'view' | 'price' | 'checkout';

/**
 * The row of one category that applies to a website and group: a row naming both
 * beats one naming the website only, which beats one naming the group only, which
 * beats the row for all websites and groups.
 */
export function applicableRow(rows: PermissionRow[], websiteId: number, groupId: number): PermissionRow | undefined {
  let best: PermissionRow | undefined;
  let bestRank = -1;
  for (const r of rows) {
    if (r.websiteId !== null && r.websiteId !== websiteId) continue;
    if (r.groupId !== null && r.groupId !== groupId) continue;
    const rank = (r.websiteId !== null ? 2 : 0) + (r.groupId !== null ? 1 : 0);
    if (rank > bestRank) {
      best = r;
      bestRank = rank;
    }
  }
  return best;
}

/**
 * A grant for a category, walking up its path (nearest first) while the applicable
 * row says "use parent" or there is none; allowed when nothing decides.
 */
export function resolveGrant(
  lineage: number[],
  rowsByCategory: Map<number, PermissionRow[]>,
  websiteId: number,
  groupId: number,
  grant: Grant,
): boolean {
  for (const categoryId of lineage) {
    const row = applicableRow(rowsByCategory.get(categoryId) ?? [], websiteId, groupId);
    const v = row?.[grant] ?? GRANT.parent;
    if (v === GRANT.allow) return true;
    if (v === GRANT.deny) return false;
  }
  return true;
}

/** The three booleans of an item; Magento hides the price where the category is hidden, and the cart where the price is. */
export function resolvePermissions(
  lineage: number[],
  rowsByCategory: Map<number, PermissionRow[]>,
  websiteId: number,
  groupId: number,
): { displayed: boolean; displayProductPrice: boolean; addToCartAllowed: boolean } {
  const displayed = resolveGrant(lineage, rowsByCategory, websiteId, groupId, 'view');
  const displayProductPrice = displayed && resolveGrant(lineage, rowsByCategory, websiteId, groupId, 'price');
  const addToCartAllowed = displayProductPrice && resolveGrant(lineage, rowsByCategory, websiteId, groupId, 'checkout');
  return { displayed, displayProductPrice, addToCartAllowed };
}
