// Content staging versions on Adobe Commerce, written the way Magento's staging
// modules write them (Magento_Staging Operation\Update, Magento_CatalogStaging
// AttributeCopier, TierPriceCopier and TemporaryUpdateProcessor): a version is a full copy
// of the entity row and of every row keyed by its link field (row_id), under a new
// row_id. The rows a version owns are listed once, here, for the copy and for the delete
// (Commerce deletes them through foreign key cascades; the fixture has no foreign keys).
import type { Connection, PoolConnection, ResultSetHeader } from 'mysql2/promise';
import { MAX_VERSION, catalogModel, type LinkField } from '../../feeds/common/link.js';

export type SqlConnection = Connection | PoolConnection;

/** A table whose rows belong to a version: `key` holds the version's row_id, or for a child its parent's id. */
interface Owned {
  table: string;
  key: string;
  /** Rows keyed by this table's auto-increment id: copied under the new ids. */
  children?: Owned[];
}

const EAV_TYPES = ['datetime', 'decimal', 'int', 'text', 'varchar'] as const;

const PRODUCT_OWNED: Owned[] = [
  ...EAV_TYPES.map((t) => ({ table: `catalog_product_entity_${t}`, key: 'row_id' })),
  { table: 'catalog_product_entity_tier_price', key: 'row_id' },
  // the gallery entry itself (catalog_product_entity_media_gallery) is shared by the versions
  { table: 'catalog_product_entity_media_gallery_value_to_entity', key: 'row_id' },
  { table: 'catalog_product_entity_media_gallery_value', key: 'row_id' },
  { table: 'catalog_product_super_attribute', key: 'product_id', children: [{ table: 'catalog_product_super_attribute_label', key: 'product_super_attribute_id' }] },
  { table: 'catalog_product_super_link', key: 'parent_id' },
  { table: 'catalog_product_relation', key: 'parent_id' },
  { table: 'catalog_product_link', key: 'product_id', children: [{ table: 'catalog_product_link_attribute_int', key: 'link_id' }] },
  // a version's custom options get new option and value ids (CatalogStaging's ProductCustomOptionRepository plugin)
  {
    table: 'catalog_product_option', key: 'product_id', children: [
      { table: 'catalog_product_option_title', key: 'option_id' },
      { table: 'catalog_product_option_price', key: 'option_id' },
      {
        table: 'catalog_product_option_type_value', key: 'option_id', children: [
          { table: 'catalog_product_option_type_title', key: 'option_type_id' },
          { table: 'catalog_product_option_type_price', key: 'option_type_id' },
        ],
      },
    ],
  },
  // bundle option and selection ids come from sequences: the same ids under the new parent row
  { table: 'catalog_product_bundle_option', key: 'parent_id' },
  { table: 'catalog_product_bundle_option_value', key: 'parent_product_id' },
  { table: 'catalog_product_bundle_selection', key: 'parent_product_id' },
  {
    table: 'downloadable_link', key: 'product_id', children: [
      { table: 'downloadable_link_title', key: 'link_id' },
      { table: 'downloadable_link_price', key: 'link_id' },
    ],
  },
  { table: 'downloadable_sample', key: 'product_id', children: [{ table: 'downloadable_sample_title', key: 'sample_id' }] },
];

const CATEGORY_OWNED: Owned[] = EAV_TYPES.map((t) => ({ table: `catalog_category_entity_${t}`, key: 'row_id' }));

export const PRODUCT = catalogModel('commerce').product;
export const CATEGORY = catalogModel('commerce').category;

const ownedBy = (field: LinkField): Owned[] => (field.entityTable === 'catalog_product_entity' ? PRODUCT_OWNED : CATEGORY_OWNED);

/** The tables holding a version's rows: `key` is the version's row_id, or for `children` the parent row's id. */
export type OwnedTable = Readonly<Owned>;
export const ownedTables = (field: LinkField): readonly OwnedTable[] => ownedBy(field);

/** Every table that holds a product or category version's rows, keyed by row_id or a parent's id. */
export function versionTables(field: LinkField): Array<{ table: string; key: string }> {
  const out: Array<{ table: string; key: string }> = [];
  const walk = (list: Owned[]) => {
    for (const o of list) {
      out.push({ table: o.table, key: o.key });
      walk(o.children ?? []);
    }
  };
  walk(ownedBy(field));
  return out;
}

interface TableShape { columns: string[]; autoId: string | null }

async function shape(conn: SqlConnection, table: string): Promise<TableShape> {
  const [rows] = await conn.query(
    `SELECT column_name AS c, extra AS x FROM information_schema.columns
      WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position`,
    [table],
  );
  const list = rows as Array<{ c: string; x: string }>;
  return { columns: list.map((r) => r.c), autoId: list.find((r) => r.x.includes('auto_increment'))?.c ?? null };
}

const q = (name: string) => `\`${name}\``;

/** Copies the rows of `o` keyed by `from` under `to`; auto-increment ids are new, children follow their parent's new id. */
async function copyOwned(conn: SqlConnection, o: Owned, from: number, to: number): Promise<void> {
  const { columns, autoId } = await shape(conn, o.table);
  const kept = columns.filter((c) => c !== autoId && c !== o.key);
  const target = [...kept, o.key].map(q).join(', ');
  if (!o.children?.length || autoId === null) {
    // one INSERT ... SELECT, as AttributeCopier and TierPriceCopier do it
    await conn.query(
      `INSERT INTO ${q(o.table)} (${target}) SELECT ${kept.map(q).join(', ')}, ? FROM ${q(o.table)} WHERE ${q(o.key)} = ? ORDER BY ${q(autoId ?? columns[0]!)}`,
      [to, from],
    );
    return;
  }
  const [rows] = await conn.query(`SELECT ${q(autoId)} AS id FROM ${q(o.table)} WHERE ${q(o.key)} = ? ORDER BY ${q(autoId)}`, [from]);
  for (const { id } of rows as Array<{ id: number }>) {
    const [res] = await conn.query<ResultSetHeader>(
      `INSERT INTO ${q(o.table)} (${target}) SELECT ${kept.map(q).join(', ')}, ? FROM ${q(o.table)} WHERE ${q(autoId)} = ?`,
      [to, id],
    );
    for (const child of o.children) await copyOwned(conn, child, Number(id), res.insertId);
  }
}

async function deleteOwned(conn: SqlConnection, o: Owned, key: number): Promise<void> {
  if (o.children?.length) {
    const { autoId } = await shape(conn, o.table);
    if (autoId !== null) {
      const [rows] = await conn.query(`SELECT ${q(autoId)} AS id FROM ${q(o.table)} WHERE ${q(o.key)} = ?`, [key]);
      for (const { id } of rows as Array<{ id: number }>) for (const child of o.children) await deleteOwned(conn, child, Number(id));
    }
  }
  await conn.query(`DELETE FROM ${q(o.table)} WHERE ${q(o.key)} = ?`, [key]);
}

export interface VersionRow { rowId: number; entityId: number; createdIn: number; updatedIn: number }

const toRow = (r: { row_id: number | string; entity_id: number | string; created_in: number | string; updated_in: number | string }): VersionRow => ({
  rowId: Number(r.row_id), entityId: Number(r.entity_id), createdIn: Number(r.created_in), updatedIn: Number(r.updated_in),
});

/** Every version row of an entity, oldest first. */
export async function versionsOf(conn: SqlConnection, field: LinkField, entityId: number): Promise<VersionRow[]> {
  const [rows] = await conn.query(
    `SELECT row_id, entity_id, created_in, updated_in FROM ${q(field.entityTable)} WHERE entity_id = ? ORDER BY created_in, row_id`,
    [entityId],
  );
  return (rows as Parameters<typeof toRow>[0][]).map(toRow);
}

/** ReadEntityVersion::getPreviousVersionId / getNextVersionId: the neighbouring versions' created_in. */
export function previousVersion(rows: VersionRow[], version: number): VersionRow | undefined {
  return rows.filter((r) => r.createdIn < version).at(-1);
}
export function nextVersionId(rows: VersionRow[], version: number): number {
  return rows.find((r) => r.createdIn > version)?.createdIn ?? MAX_VERSION;
}

/**
 * A new version of an entity (CreateEntityVersion): the entity row of `from` copied under a new
 * row_id with the range [createdIn, updatedIn), and every row it owns copied with it. Returns the
 * new row_id. `updated_at` keeps the copied value, so that the same seed gives the same rows.
 */
export async function copyVersion(conn: SqlConnection, field: LinkField, from: number, createdIn: number, updatedIn: number): Promise<number> {
  const { columns } = await shape(conn, field.entityTable);
  const kept = columns.filter((c) => !['row_id', 'created_in', 'updated_in'].includes(c));
  const [res] = await conn.query<ResultSetHeader>(
    `INSERT INTO ${q(field.entityTable)} (${[...kept, 'created_in', 'updated_in'].map(q).join(', ')})
     SELECT ${kept.map(q).join(', ')}, ?, ? FROM ${q(field.entityTable)} WHERE row_id = ?`,
    [createdIn, updatedIn, from],
  );
  const to = res.insertId;
  for (const o of ownedBy(field)) await copyOwned(conn, o, from, to);
  return to;
}

/** Replaces what version `rowId` holds by a copy of version `from` (UpdateEntityVersion of a rollback). */
export async function rewriteVersion(conn: SqlConnection, field: LinkField, rowId: number, from: number): Promise<void> {
  const { columns } = await shape(conn, field.entityTable);
  const kept = columns.filter((c) => !['row_id', 'entity_id', 'created_in', 'updated_in'].includes(c));
  await conn.query(
    `UPDATE ${q(field.entityTable)} t JOIN ${q(field.entityTable)} f ON f.row_id = ?
        SET ${kept.map((c) => `t.${q(c)} = f.${q(c)}`).join(', ')} WHERE t.row_id = ?`,
    [from, rowId],
  );
  for (const o of ownedBy(field)) {
    await deleteOwned(conn, o, rowId);
    await copyOwned(conn, o, from, rowId);
  }
}

/** Deletes a version row and every row it owns (what Commerce's ON DELETE CASCADE keys do). */
export async function deleteVersion(conn: SqlConnection, field: LinkField, rowId: number): Promise<void> {
  for (const o of ownedBy(field)) await deleteOwned(conn, o, rowId);
  await conn.query(`DELETE FROM ${q(field.entityTable)} WHERE row_id = ?`, [rowId]);
}

/**
 * Moves the end of a version (UpdateEntityRow). `updated_at` is assigned its own value: the
 * column's ON UPDATE CURRENT_TIMESTAMP would otherwise stamp the time of seeding.
 */
export async function setUpdatedIn(conn: SqlConnection, field: LinkField, rowId: number, updatedIn: number): Promise<void> {
  await conn.query(`UPDATE ${q(field.entityTable)} SET updated_in = ?, updated_at = updated_at WHERE row_id = ?`, [updatedIn, rowId]);
}
