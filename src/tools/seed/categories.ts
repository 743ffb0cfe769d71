// The category tree: Root Catalog (1) > Default Category (2) > generated levels 2-4,
// with per-store names on some categories.
import { DAY, Rng, slug, sqlTime } from './random.js';
import {
  ATTRIBUTE_SET_CATEGORY, DEFAULT_CATEGORY, ROOT_CATEGORY, eavColumns, overrideStores, writeEntity,
  type CategoryInfo, type Eav, type Scopes,
} from './context.js';
import type { SeedOptions } from './options.js';
import type { BatchWriter } from './writer.js';

const WORDS = ['Women', 'Men', 'Gear', 'Training', 'Sale', 'Tops', 'Bottoms', 'Jackets', 'Hoodies', 'Tees', 'Pants', 'Shorts', 'Bags', 'Fitness', 'Watches', 'Shoes', 'Outdoor', 'Kids', 'Home', 'Kitchen', 'Garden', 'Audio', 'Video', 'Books'];

export async function seedCategories(w: BatchWriter, o: SeedOptions, scopes: Scopes, eav: Eav): Promise<CategoryInfo[]> {
  const rng = new Rng(o.seed, 'categories');
  const cats: Array<CategoryInfo & { name: string; position: number }> = [
    { id: ROOT_CATEGORY, path: '1', urlPath: '', level: 0, parentId: 0, name: 'Root Catalog', position: 0 },
    { id: DEFAULT_CATEGORY, path: '1/2', urlPath: '', level: 1, parentId: 1, name: 'Default Category', position: 1 },
  ];
  const topLevel = Math.max(1, Math.min(o.categories, Math.round(Math.sqrt(o.categories))));
  const childCount = new Map<number, number>();
  const usedPaths = new Set<string>();
  for (let i = 0; i < o.categories; i++) {
    const id = 3 + i;
    const parent = i < topLevel ? cats[1]! : rng.pick(cats.filter((c) => c.level >= 2 && c.level < 4));
    const position = (childCount.get(parent.id) ?? 0) + 1;
    childCount.set(parent.id, position);
    let name = rng.pick(WORDS);
    let urlKey = slug(name);
    let urlPath = parent.urlPath ? `${parent.urlPath}/${urlKey}` : urlKey;
    // url paths must be unique per store (url_rewrite) and name the category in the categories feed
    if (usedPaths.has(urlPath)) {
      name = `${name} ${id}`;
      urlKey = slug(name);
      urlPath = parent.urlPath ? `${parent.urlPath}/${urlKey}` : urlKey;
    }
    usedPaths.add(urlPath);
    cats.push({ id, path: `${parent.path}/${id}`, urlPath, level: parent.level + 1, parentId: parent.id, name, position });
  }

  const created = (id: number) => sqlTime(o.today, -60 * DAY + id * 60);
  const attr = (code: string) => eav.category.get(code)!.id;
  const EAV_COLUMNS = eavColumns(o.edition);
  for (const c of cats) {
    const descendants = cats.filter((d) => d.path.startsWith(`${c.path}/`)).length;
    await writeEntity(w, o.edition, 'category', ['entity_id', 'attribute_set_id', 'parent_id', 'created_at', 'updated_at', 'path', 'position', 'level', 'children_count'], [
      c.id, ATTRIBUTE_SET_CATEGORY, c.parentId, created(c.id), created(c.id), c.path, c.position, c.level, descendants,
    ]);
    await w.row('catalog_category_entity_varchar', EAV_COLUMNS, [attr('name'), 0, c.id, c.name]);
    await w.row('catalog_category_entity_int', EAV_COLUMNS, [attr('is_active'), 0, c.id, c.id <= 2 || rng.chance(0.92) ? 1 : 0]);
    if (c.level < 2) continue;
    const urlKey = c.urlPath.split('/').pop()!;
    await w.row('catalog_category_entity_varchar', EAV_COLUMNS, [attr('url_key'), 0, c.id, urlKey]);
    await w.row('catalog_category_entity_varchar', EAV_COLUMNS, [attr('url_path'), 0, c.id, c.urlPath]);
    await w.row('catalog_category_entity_varchar', EAV_COLUMNS, [attr('display_mode'), 0, c.id, rng.pick(['PRODUCTS', 'PRODUCTS', 'PAGE', 'PRODUCTS_AND_PAGE'])]);
    await w.row('catalog_category_entity_varchar', EAV_COLUMNS, [attr('meta_title'), 0, c.id, `${c.name} | Shop`]);
    await w.row('catalog_category_entity_varchar', EAV_COLUMNS, [attr('default_sort_by'), 0, c.id, rng.pick(['position', 'name', 'price'])]);
    await w.row('catalog_category_entity_int', EAV_COLUMNS, [attr('is_anchor'), 0, c.id, rng.chance(0.7) ? 1 : 0]);
    await w.row('catalog_category_entity_int', EAV_COLUMNS, [attr('include_in_menu'), 0, c.id, rng.chance(0.9) ? 1 : 0]);
    await w.row('catalog_category_entity_text', EAV_COLUMNS, [attr('description'), 0, c.id, `<p>Everything in ${c.name}.</p>`]);
    await w.row('catalog_category_entity_text', EAV_COLUMNS, [attr('available_sort_by'), 0, c.id, 'position,name,price']);
    if (rng.chance(0.3)) await w.row('catalog_category_entity_varchar', EAV_COLUMNS, [attr('image'), 0, c.id, `${urlKey}.jpg`]);
    if (rng.chance(0.2)) await w.row('catalog_category_entity_decimal', EAV_COLUMNS, [attr('filter_price_range'), 0, c.id, rng.pick(['10.0000', '25.0000', '50.0000'])]);
    if (rng.chance(0.1)) await w.row('catalog_category_entity_datetime', EAV_COLUMNS, [attr('custom_design_from'), 0, c.id, sqlTime(o.today, -DAY * rng.int(1, 30))]);
    for (const s of overrideStores(scopes)) {
      if (rng.chance(0.35)) {
        await w.row('catalog_category_entity_varchar', EAV_COLUMNS, [attr('name'), s.id, c.id, `${c.name} (${s.code})`]);
        await w.row('catalog_category_entity_text', EAV_COLUMNS, [attr('description'), s.id, c.id, `<p>${c.name} in ${s.name}.</p>`]);
      }
    }
  }
  return cats.map(({ id, path, urlPath, level, parentId }) => ({ id, path, urlPath, level, parentId }));
}
