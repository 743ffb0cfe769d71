// The link field: how catalog values name their product or category, on both editions.
//
// Magento Open Source keys product and category values by `entity_id`. Adobe Commerce
// with content staging keeps one row per version in catalog_product_entity and
// catalog_category_entity (`row_id` primary key, `created_in`/`updated_in` version range)
// and keys the values, and the parent side of relations, by that `row_id` (the "link
// field", Magento's EntityMetadata::getLinkField). The storefront shows the version whose
// range holds the current version, kept in the `flag` row 'staging'
// (`{"current_version":"<id>"}`, 1 when absent), and so do the items.
//
// A provider writes its SQL once with these helpers:
//   - `link.column` names the link column of the entity, EAV value, gallery and tier tables;
//   - `resolveLinks()` turns a batch of entity ids into the link values of their current
//     versions (no query on Open Source: the link is the entity id);
//   - `joinCurrent()` joins the entity table on a column that holds link values (a
//     relation's parent side) and keeps only the current version, giving the entity id.
import type { ProviderContext } from '../types.js';
import { select } from './sql.js';

export type Edition = 'opensource' | 'commerce';

/** Entities whose link field a mapped column may hold (connectors/feeds/*.yaml `link:`). */
export const LINKS = ['product', 'category'] as const;
export type Link = (typeof LINKS)[number];

/** The entity type of a record that names `link` version rows (Adobe Commerce): the exporter resolves it. */
export const rowEntity = (link: Link, entity: string): string => `${link}Row:${entity}`;

/** `productRow:parentProduct` → { link: 'product', entity: 'parentProduct' }; undefined for any other type. */
export function parseRowEntity(type: string): { link: Link; entity: string } | undefined {
  const m = /^(product|category)Row:(.+)$/.exec(type);
  return m ? { link: m[1] as Link, entity: m[2]! } : undefined;
}

/** Magento\Staging\Model\VersionManager::MIN_VERSION / MAX_VERSION. */
export const MIN_VERSION = 1;
export const MAX_VERSION = 2147483647;

export interface LinkField {
  /** The versioned entity table: catalog_product_entity or catalog_category_entity. */
  readonly entityTable: 'catalog_product_entity' | 'catalog_category_entity';
  /** Its sequence table on Adobe Commerce (sequence_product, sequence_catalog_category). */
  readonly sequenceTable: 'sequence_product' | 'sequence_catalog_category';
  /** The column of the entity and value tables that holds link values: row_id or entity_id. */
  readonly column: 'row_id' | 'entity_id';
  /** True on Adobe Commerce: rows are versions, filtered by the current version. */
  readonly staged: boolean;
}

/** What a provider knows of the catalog's edition (ProviderContext.catalog). */
export interface CatalogModel {
  readonly edition: Edition;
  readonly product: LinkField;
  readonly category: LinkField;
}

export function catalogModel(edition: Edition): CatalogModel {
  const staged = edition === 'commerce';
  const column = staged ? 'row_id' : 'entity_id';
  return {
    edition,
    product: { entityTable: 'catalog_product_entity', sequenceTable: 'sequence_product', column, staged },
    category: { entityTable: 'catalog_category_entity', sequenceTable: 'sequence_catalog_category', column, staged },
  };
}

export const OPEN_SOURCE = catalogModel('opensource');

/**
 * The current version as an SQL expression: one uncorrelated subquery on the `flag` row
 * that Commerce's staging cron moves (evaluated once per statement), 1 when absent.
 */
export function currentVersionSql(ctx: Pick<ProviderContext, 't'>): string {
  return `(SELECT COALESCE(MAX(CAST(JSON_UNQUOTE(JSON_EXTRACT(f.flag_data, '$.current_version')) AS UNSIGNED)), ${MIN_VERSION})
     FROM ${ctx.t('flag')} f WHERE f.flag_code = 'staging' AND JSON_VALID(f.flag_data))`;
}

/** `AND <alias> is the current version` on Adobe Commerce; '' on Open Source. */
export function currentOnly(ctx: Pick<ProviderContext, 't'>, link: LinkField, alias: string): string {
  if (!link.staged) return '';
  const v = currentVersionSql(ctx);
  return ` AND ${alias}.created_in <= ${v} AND ${alias}.updated_in > ${v}`;
}

/**
 * `JOIN <entity table> <alias> ON <alias>.<link> = <linkExpr>` keeping the current version
 * only; `<alias>.entity_id` is then the entity id on both editions.
 */
export function joinCurrent(ctx: Pick<ProviderContext, 't'>, link: LinkField, alias: string, linkExpr: string): string {
  return `JOIN ${ctx.t(link.entityTable)} ${alias} ON ${alias}.${link.column} = ${linkExpr}${currentOnly(ctx, link, alias)}`;
}

/**
 * `<linkExpr> IN (...)`: the link value in `linkExpr` (a relation's parent side, a value row) is one of
 * the entities `?` (one placeholder), in any version: on Adobe Commerce the row_ids of all their
 * versions, so that a change to any version of an entity reaches the rows of each; on Open Source
 * the entity ids themselves, with no subquery.
 */
export function ofEveryVersion(ctx: Pick<ProviderContext, 't'>, link: LinkField, linkExpr: string): string {
  if (!link.staged) return `${linkExpr} IN (?)`;
  return `${linkExpr} IN (SELECT ev.${link.column} FROM ${ctx.t(link.entityTable)} ev WHERE ev.entity_id IN (?))`;
}

/** A batch's entity ids with the link values of their current versions. */
export interface LinkIds {
  /** Link values to query the value tables with (ascending). */
  readonly links: number[];
  /** The entity id of a link value of this batch. */
  entityOf(link: number): number | undefined;
  /** The link value of an entity id of this batch. */
  linkOf(entityId: number): number | undefined;
}

const identity = (ids: number[]): LinkIds => {
  const set = new Set(ids);
  return { links: ids, entityOf: (l) => (set.has(l) ? l : undefined), linkOf: (e) => (set.has(e) ? e : undefined) };
};

// Each problem is logged once per process and entity: a bad row is reported, not repeated at every batch.
const warned = new Set<string>();

/**
 * The link values of `entityIds`' current versions: one query on Adobe Commerce, none on
 * Open Source. An entity with two rows holding the current version (overlapping ranges) keeps
 * the newest (highest created_in) and is reported; so is one without its sequence row.
 */
export async function resolveLinks(ctx: ProviderContext, link: LinkField, entityIds: number[]): Promise<LinkIds> {
  if (!link.staged || entityIds.length === 0) return identity(entityIds);
  const rows = await select<{ row_id: number; entity_id: number; created_in: number | string; updated_in: number | string; seq: number | null }>(
    ctx,
    `link.${link.entityTable}`,
    `SELECT e.row_id, e.entity_id, e.created_in, e.updated_in, s.sequence_value AS seq
       FROM ${ctx.t(link.entityTable)} e LEFT JOIN ${ctx.t(link.sequenceTable)} s ON s.sequence_value = e.entity_id
      WHERE e.entity_id IN (?)${currentOnly(ctx, link, 'e')}
      ORDER BY e.entity_id, e.created_in`,
    [entityIds],
    entityIds.length,
  );
  const byEntity = new Map<number, number>();
  const byLink = new Map<number, number>();
  for (const r of rows) {
    const entityId = Number(r.entity_id);
    const rowId = Number(r.row_id);
    const prev = byEntity.get(entityId);
    if (prev !== undefined) {
      warnOnce(ctx, `overlap:${link.entityTable}:${entityId}`, {
        code: 'STAGING_VERSION_OVERLAP',
        table: link.entityTable,
        entityId,
        rowIds: [prev, rowId],
      }, `${link.entityTable} entity ${entityId} has more than one row holding the current version (row_id ${prev} and ${rowId}); the newest (row_id ${rowId}) is used. Fix: repair the version ranges (created_in/updated_in) of that entity`);
      byLink.delete(prev);
    }
    if (r.seq === null) {
      warnOnce(ctx, `sequence:${link.entityTable}:${entityId}`, {
        code: 'STAGING_SEQUENCE_MISSING',
        table: link.sequenceTable,
        entityId,
      }, `${link.entityTable} entity ${entityId} has no ${link.sequenceTable} row; its items are still built. Fix: INSERT INTO ${link.sequenceTable} (sequence_value) VALUES (${entityId})`);
    }
    byEntity.set(entityId, rowId);
    byLink.set(rowId, entityId);
  }
  return {
    links: [...byLink.keys()].sort((a, b) => a - b),
    entityOf: (l) => byLink.get(l),
    linkOf: (e) => byEntity.get(e),
  };
}

function warnOnce(ctx: ProviderContext, key: string, fields: Record<string, unknown>, message: string): void {
  if (warned.has(key)) return;
  if (warned.size > 100_000) warned.clear();
  warned.add(key);
  ctx.log.warn(fields, message);
}

/** A version move as the exporter hands it on: `"<from>..<to>"`, or `"<to>"` (from 1). */
export function versionSpans(ids: readonly string[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const id of ids) {
    const m = /^(?:(\d+)\.\.)?(\d+)$/.exec(id);
    if (!m) continue;
    const a = m[1] === undefined ? MIN_VERSION : Number(m[1]);
    const b = Number(m[2]);
    if (a !== b) out.push([Math.min(a, b), Math.max(a, b)]);
  }
  return out;
}

/**
 * Entities whose current version changes when the current version moves across `ids`
 * (stagingVersion spans): those with a row whose range starts or ends inside (from, to].
 * Empty on Open Source. Uses Commerce's created_in and updated_in indexes.
 */
export async function movedEntities(ctx: ProviderContext, link: LinkField, ids: readonly string[]): Promise<number[]> {
  const spans = versionSpans(ids);
  if (!link.staged || spans.length === 0) return [];
  const cond = spans.map(() => '(created_in > ? AND created_in <= ?) OR (updated_in > ? AND updated_in <= ?)').join(' OR ');
  const rows = await select<{ id: number }>(
    ctx,
    `link.moved.${link.entityTable}`,
    `SELECT DISTINCT entity_id AS id FROM ${ctx.t(link.entityTable)} WHERE ${cond} ORDER BY entity_id`,
    spans.flatMap(([a, b]) => [a, b, a, b]),
    spans.length,
  );
  return rows.map((r) => Number(r.id));
}

/**
 * The entity ids of version rows (records the reader emitted as `<link>Row:<type>` on Adobe
 * Commerce): any version, current or not, since a change to a future version is still a
 * change the exporter re-checks (and dedupes when the current items did not move).
 */
export async function entitiesOfRows(ctx: ProviderContext, link: LinkField, rowIds: readonly string[]): Promise<string[]> {
  const ids = [...new Set(rowIds.filter((id) => /^\d+$/.test(id)).map(Number))];
  if (ids.length === 0) return [];
  const rows = await select<{ id: number }>(
    ctx,
    `link.entities.${link.entityTable}`,
    `SELECT DISTINCT entity_id AS id FROM ${ctx.t(link.entityTable)} WHERE ${link.column} IN (?)`,
    [ids],
    ids.length,
  );
  return rows.map((r) => String(r.id));
}
