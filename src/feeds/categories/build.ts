import type { StoreView } from '../common/stores.js';
import type { AssembledItem } from '../types.js';
import type { CategoryField, CategoryRows } from './queries.js';

// One item per category × store view of every store group whose root category
// contains it (the root itself included). EAV values: the store view's own, else store 0.

const FLAG_FIELDS = new Set<CategoryField>(['isAnchor', 'includeInMenu', 'isActive']);

type Value = string | null;

export function buildCategoryItems(rows: CategoryRows, views: StoreView[], now: Date): AssembledItem[] {
  const modifiedAt = now.toISOString();
  const children = new Map<number, number[]>();
  for (const c of rows.children) {
    const list = children.get(Number(c.parent_id)) ?? [];
    children.set(Number(c.parent_id), list);
    // a category with a broken version range (two current rows) is still one child
    if (!list.includes(Number(c.entity_id))) list.push(Number(c.entity_id));
  }
  // category -> field -> store -> value
  const values = new Map<number, Map<CategoryField, Map<number, Value>>>();
  for (const v of rows.values) {
    const field = rows.attributes.get(Number(v.attribute_id));
    if (!field) continue;
    const id = Number(v.entity_id);
    const byField = values.get(id) ?? new Map<CategoryField, Map<number, Value>>();
    values.set(id, byField);
    const byStore = byField.get(field) ?? new Map<number, Value>();
    byField.set(field, byStore);
    byStore.set(Number(v.store_id), v.value === null ? null : String(v.value));
  }

  const out: AssembledItem[] = [];
  const categories = [...rows.categories].sort((a, b) => Number(a.entity_id) - Number(b.entity_id));
  for (const c of categories) {
    const id = Number(c.entity_id);
    const path = String(c.path);
    const segments = new Set(path.split('/'));
    const kids = (children.get(id) ?? []).sort((a, b) => a - b).map(String);
    for (const view of views) {
      const root = rows.roots.get(view.groupId);
      if (root === undefined || !segments.has(String(root))) continue;
      const value = (f: CategoryField): Value => {
        const byStore = values.get(id)?.get(f);
        if (!byStore) return null;
        return byStore.has(view.storeId) ? (byStore.get(view.storeId) ?? null) : (byStore.get(0) ?? null);
      };
      // Adobe's Category record carries these flags as Int (0/1)
      const flag = (f: CategoryField): number | null => {
        const v = value(f);
        return FLAG_FIELDS.has(f) && v !== null ? (Number(v) === 1 ? 1 : 0) : null;
      };
      const sortBy = value('availableSortBy');
      out.push({
        sourceEntityId: String(id),
        item: {
          categoryId: String(id),
          storeViewCode: view.storeViewCode,
          storeCode: view.storeCode,
          websiteCode: view.websiteCode,
          name: value('name'),
          description: value('description'),
          metaTitle: value('metaTitle'),
          metaKeywords: value('metaKeywords'),
          metaDescription: value('metaDescription'),
          displayMode: value('displayMode'),
          urlKey: value('urlKey'),
          urlPath: value('urlPath'),
          image: value('image'),
          level: Number(c.level),
          path,
          parentId: Number(c.parent_id),
          children: kids,
          position: Number(c.position),
          defaultSortBy: value('defaultSortBy'),
          availableSortBy: sortBy === null ? [] : sortBy.split(',').filter((s) => s !== ''),
          isAnchor: flag('isAnchor'),
          includeInMenu: flag('includeInMenu'),
          isActive: flag('isActive'),
          deleted: false,
          createdAt: String(c.created_at),
          updatedAt: String(c.updated_at),
          modifiedAt,
        },
      });
    }
  }
  return out;
}
