// The seed's scheduled updates on Adobe Commerce, none of them current until the staging
// cron (applyDueUpdates) moves the current version:
//   U1 permanent: a price change of a simple product (one with custom options, tier prices,
//      images and links when the catalog has one: its version copies all of them);
//   U2 temporary: a name change of a configurable parent, ended by its rollback update;
//   U3 permanent: a name change of a category;
//   U4 permanent: a price change of another product, for deleteUpdate to delete before it starts.
// Same seed and start: same rows.
import type { SeedContext } from './context.js';
import type { ProductPlan } from './products.js';
import { scheduleUpdate, utcDatetime, type StagedChange } from './staging.js';
import type { SqlConnection } from './versions.js';

/** Seconds between the starts of consecutive updates, and from U2's start to its end. */
const STEP = 5;
const TEMPORARY_LENGTH = 3;

export interface ScheduledUpdate {
  /** staging_update.id: the Unix time of the start. */
  id: number;
  start: string;
  kind: 'permanent' | 'temporary';
  /** The rollback update ending a temporary one, and its start. */
  rollbackId: number | null;
  end: string | null;
  entity: 'product' | 'category';
  entityId: number;
  /** sku of a product, name of a category. */
  label: string;
  attribute: 'price' | 'name';
  from: string;
  to: string;
  /** row_id of the update's version, and of the rollback version after it. */
  rowId: number;
  rollbackRowId: number | null;
  /** Why the seed made it: 'U1'..'U4' and what to do with it. */
  purpose: string;
}

interface Chosen<T> { item: T; id: number }

export async function writeScheduledUpdates(conn: SqlConnection, ctx: SeedContext, plans: ProductPlan[], startAt: number): Promise<ScheduledUpdate[]> {
  const { eav } = ctx;
  const priceAttr = eav.product.get('price')!.id;
  const nameAttr = eav.product.get('name')!.id;
  const categoryName = eav.category.get('name')!.id;
  const simples = await rankSimples(conn, plans);
  const parent = plans.find((p) => p.type === 'configurable' && p.children.length > 0);
  const category = await busiestCategory(conn, ctx);
  const out: ScheduledUpdate[] = [];

  const setValue = (table: string, attributeId: number, value: string) => async (c: SqlConnection, rowId: number) => {
    await c.query(`INSERT INTO ${table} (attribute_id, store_id, row_id, value) VALUES (?, 0, ?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value)`, [attributeId, rowId, value]);
  };
  const schedule = async (n: number, purpose: string, what: Omit<ScheduledUpdate, 'id' | 'start' | 'kind' | 'rollbackId' | 'end' | 'rowId' | 'rollbackRowId' | 'purpose'>, name: string, temporary: boolean) => {
    const start = startAt + (n - 1) * STEP;
    const end = temporary ? start + TEMPORARY_LENGTH : undefined;
    const table = what.entity === 'product' ? (what.attribute === 'price' ? 'catalog_product_entity_decimal' : 'catalog_product_entity_varchar') : 'catalog_category_entity_varchar';
    const attributeId = what.entity === 'category' ? categoryName : what.attribute === 'price' ? priceAttr : nameAttr;
    const change: StagedChange = { entity: what.entity, entityId: what.entityId, apply: setValue(table, attributeId, what.to) };
    const r = await scheduleUpdate(conn, { name, start, end }, [change]);
    const v = r.versions[0]!;
    out.push({
      id: r.id, start: utcDatetime(r.id), kind: temporary ? 'temporary' : 'permanent', rollbackId: r.rollbackId,
      end: r.rollbackId === null ? null : utcDatetime(r.rollbackId), ...what, rowId: v.rowId, rollbackRowId: v.rollbackRowId, purpose,
    });
  };

  const u1 = simples[0];
  if (u1) {
    const to = (Number(u1.item.price) * 0.8).toFixed(2);
    await schedule(1, 'U1: permanent price change', { entity: 'product', entityId: u1.id, label: u1.item.sku, attribute: 'price', from: u1.item.price!, to }, `Price drop ${u1.item.sku}`, false);
  }
  if (parent) {
    const to = `${parent.name} Limited Edition`;
    await schedule(2, 'U2: temporary name change, ends at its rollback', { entity: 'product', entityId: parent.id, label: parent.sku, attribute: 'name', from: parent.name, to }, `Limited edition ${parent.sku}`, true);
  }
  if (category) {
    const to = `${category.item.name} Specials`;
    await schedule(3, 'U3: category name change', { entity: 'category', entityId: category.id, label: category.item.name, attribute: 'name', from: category.item.name, to }, `Specials in ${category.item.name}`, false);
  }
  const u4 = simples[1];
  if (u4) {
    const to = (Number(u4.item.price) * 0.5).toFixed(2);
    await schedule(4, 'U4: price change to delete before it starts (deleteUpdate)', { entity: 'product', entityId: u4.id, label: u4.item.sku, attribute: 'price', from: u4.item.price!, to }, `Half price ${u4.item.sku} (cancelled)`, false);
  }
  return out;
}

/** Priced simple products, those owning the most kinds of rows a version copies first. */
async function rankSimples(conn: SqlConnection, plans: ProductPlan[]): Promise<Array<Chosen<ProductPlan>>> {
  const byId = new Map(plans.filter((p) => p.type === 'simple' && p.parentId === null && p.price !== null).map((p) => [p.id, p]));
  if (byId.size === 0) return [];
  const [rows] = await conn.query(
    `SELECT p.entity_id AS id,
       8 * EXISTS (SELECT 1 FROM catalog_product_option o WHERE o.product_id = p.row_id)
     + 4 * EXISTS (SELECT 1 FROM catalog_product_entity_tier_price t WHERE t.row_id = p.row_id)
     + 2 * EXISTS (SELECT 1 FROM catalog_product_entity_media_gallery_value_to_entity m WHERE m.row_id = p.row_id)
     + EXISTS (SELECT 1 FROM catalog_product_link l WHERE l.product_id = p.row_id) AS score
       FROM catalog_product_entity p WHERE p.entity_id IN (?) ORDER BY score DESC, p.entity_id`,
    [[...byId.keys()]],
  );
  return (rows as Array<{ id: number }>).map((r) => ({ id: Number(r.id), item: byId.get(Number(r.id))! }));
}

/** The category below Default Category with the most products, so that its new name reaches many items. */
async function busiestCategory(conn: SqlConnection, ctx: SeedContext): Promise<Chosen<{ name: string }> | undefined> {
  const [rows] = await conn.query(
    `SELECT c.entity_id AS id, v.value AS name FROM catalog_category_entity c
       JOIN catalog_category_entity_varchar v ON v.row_id = c.row_id AND v.store_id = 0 AND v.attribute_id = ?
      WHERE c.level >= 2 ORDER BY (SELECT COUNT(*) FROM catalog_category_product cp WHERE cp.category_id = c.entity_id) DESC, c.entity_id LIMIT 1`,
    [ctx.eav.category.get('name')!.id],
  );
  const r = (rows as Array<{ id: number; name: string }>)[0];
  return r ? { id: Number(r.id), item: { name: r.name } } : undefined;
}
