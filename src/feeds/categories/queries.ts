import type { RowDataPacket } from 'mysql2/promise';
import { currentOnly, resolveLinks } from '../common/link.js';
import { select } from '../common/sql.js';
import type { ProviderContext } from '../types.js';

// One query per table per batch of category ids. The entity and value rows are those of
// each category's current version (link.ts); on Open Source the link is the entity id.

type Row = RowDataPacket & Record<string, string | number | null>;

/** Category attribute codes the feed reads, by the item field they fill. */
export const CATEGORY_ATTRIBUTES = {
  name: 'name',
  description: 'description',
  metaTitle: 'meta_title',
  metaKeywords: 'meta_keywords',
  metaDescription: 'meta_description',
  displayMode: 'display_mode',
  urlKey: 'url_key',
  urlPath: 'url_path',
  image: 'image',
  defaultSortBy: 'default_sort_by',
  availableSortBy: 'available_sort_by',
  isAnchor: 'is_anchor',
  includeInMenu: 'include_in_menu',
  isActive: 'is_active',
} as const;
export type CategoryField = keyof typeof CATEGORY_ATTRIBUTES;

const BACKENDS = ['varchar', 'int', 'text', 'decimal', 'datetime'] as const;

export interface CategoryRows {
  categories: Row[];
  children: Row[];
  /** attribute id -> item field */
  attributes: Map<number, CategoryField>;
  /** EAV value rows, `entity_id` being the category id on both editions. */
  values: Row[];
  /** store group id -> root category id */
  roots: Map<number, number>;
}

export async function loadCategoryRows(ctx: ProviderContext, ids: number[], storeIds: number[]): Promise<CategoryRows> {
  const t = (n: string) => `\`${ctx.t(n)}\``;
  const n = ids.length;
  const link = ctx.catalog.category;
  const col = link.column;
  const resolved = await resolveLinks(ctx, link, ids);
  const links = resolved.links;
  const [categories, children, attrRows, groups] = await Promise.all([
    links.length === 0
      ? []
      : select<Row>(
          ctx,
          'categories.entities',
          `SELECT entity_id, parent_id, path, position, level, created_at, updated_at
             FROM ${t('catalog_category_entity')} WHERE ${col} IN (?)`,
          [links],
          n,
        ),
    select<Row>(
      ctx,
      'categories.children',
      `SELECT c.parent_id, c.entity_id FROM ${t('catalog_category_entity')} c WHERE c.parent_id IN (?)${currentOnly(ctx, link, 'c')}`,
      [ids],
      n,
    ),
    select<Row>(
      ctx,
      'categories.attributes',
      `SELECT a.attribute_id, a.attribute_code, a.backend_type FROM ${t('eav_attribute')} a
         JOIN ${t('eav_entity_type')} et ON et.entity_type_id = a.entity_type_id
        WHERE et.entity_type_code = 'catalog_category' AND a.attribute_code IN (?)`,
      [Object.values(CATEGORY_ATTRIBUTES)],
      0,
    ),
    select<Row>(ctx, 'categories.groups', `SELECT group_id, root_category_id FROM ${t('store_group')}`, [], 0),
  ]);
  const fieldOf = new Map<string, CategoryField>(
    (Object.entries(CATEGORY_ATTRIBUTES) as Array<[CategoryField, string]>).map(([f, c]) => [c, f]),
  );
  const attributes = new Map<number, CategoryField>();
  const byBackend = new Map<string, number[]>();
  for (const a of attrRows) {
    const field = fieldOf.get(String(a.attribute_code));
    if (!field) continue;
    attributes.set(Number(a.attribute_id), field);
    const list = byBackend.get(String(a.backend_type)) ?? [];
    byBackend.set(String(a.backend_type), list);
    list.push(Number(a.attribute_id));
  }
  const stores = [0, ...storeIds];
  const valueSets = await Promise.all(
    BACKENDS.filter((b) => byBackend.has(b) && links.length > 0).map((b) =>
      select<Row>(
        ctx,
        `categories.${b}`,
        `SELECT ${col} AS link, attribute_id, store_id, value FROM ${t(`catalog_category_entity_${b}`)}
          WHERE ${col} IN (?) AND attribute_id IN (?) AND store_id IN (?)`,
        [links, byBackend.get(b), stores],
        n,
      ),
    ),
  );
  const values: Row[] = [];
  for (const v of valueSets.flat()) {
    const entityId = resolved.entityOf(Number(v.link));
    if (entityId === undefined) continue;
    v.entity_id = entityId;
    values.push(v);
  }
  const roots = new Map(groups.map((g) => [Number(g.group_id), Number(g.root_category_id)]));
  return { categories, children, attributes, values, roots };
}
