import { sha1 } from '../hash.js';
import type { AssembledItem } from '../types.js';
import type { PermissionRows } from './queries.js';
import { resolvePermissions, type PermissionRow } from './resolve.js';

// One item per category × website × customer group that a permission row of the
// category or of one of its ancestors covers (a NULL website or group covers them
// all): the effective permissions, as Magento's permission index holds them.
// Categories that no row reaches keep the default (everything allowed) and have no item.

export function buildPermissionItems(rows: PermissionRows, now: Date): AssembledItem[] {
  const modifiedAt = now.toISOString();
  const byCategory = new Map<number, PermissionRow[]>();
  for (const r of rows.permissions) {
    const list = byCategory.get(r.categoryId) ?? [];
    byCategory.set(r.categoryId, list);
    list.push(r);
  }
  const websites = [...rows.websites].sort((a, b) => a.id - b.id);
  const out: AssembledItem[] = [];
  for (const c of [...rows.categories].sort((a, b) => a.id - b.id)) {
    const lineage = c.path.split('/').map(Number).reverse();
    const reaching = lineage.flatMap((id) => byCategory.get(id) ?? []);
    if (reaching.length === 0) continue;
    for (const w of websites) {
      for (const g of rows.groups) {
        if (!reaching.some((r) => (r.websiteId === null || r.websiteId === w.id) && (r.groupId === null || r.groupId === g))) continue;
        out.push({
          sourceEntityId: String(c.id),
          item: {
            categoryId: String(c.id),
            websiteCode: w.code,
            customerGroupCode: sha1(String(g)),
            ...resolvePermissions(lineage, byCategory, w.id, g),
            deleted: false,
            modifiedAt,
          },
        });
      }
    }
  }
  return out;
}
