// Entity ids out of the versioned catalog tables, one SQL for both editions (link.ts):
// the listing of a feed whose source entity is a product or a category, the entity
// id behind a column that holds link values (a relation's parent side, a value row),
// and the products a version move re-checks in a feed whose items show their parent.
import type { ProviderContext } from '../types.js';
import { currentOnly, joinCurrent, movedEntities, ofEveryVersion, type LinkField } from './link.js';
import { idStrings, select } from './sql.js';

/**
 * Ids of the entities that have a current version, ascending, after `afterId`; at most
 * `limit` (null: all). Each entity once: on Adobe Commerce a row per version is in the
 * table, and only a broken range gives an entity two current rows.
 */
export async function listEntityIds(ctx: ProviderContext, link: LinkField, what: string, afterId: number, limit: number | null): Promise<string[]> {
  const rows = await select<{ id: number }>(
    ctx,
    what,
    `SELECT ${link.staged ? 'DISTINCT ' : ''}e.entity_id AS id FROM ${ctx.t(link.entityTable)} e
      WHERE e.entity_id > ?${currentOnly(ctx, link, 'e')} ORDER BY e.entity_id${limit === null ? '' : ' LIMIT ?'}`,
    limit === null ? [afterId] : [afterId, limit],
    0,
  );
  return rows.map((r) => String(r.id));
}

/**
 * The entity id behind `linkExpr`, a column that holds link values, and the join that
 * gives it: on Adobe Commerce the entity table joined as `alias` on the current version
 * (rows of other versions drop out); on Open Source the column itself and no join, so
 * the SQL costs there what it cost before editions.
 */
export function linkedEntity(ctx: Pick<ProviderContext, 't'>, link: LinkField, alias: string, linkExpr: string): { join: string; id: string } {
  if (!link.staged) return { join: '', id: linkExpr };
  return { join: joinCurrent(ctx, link, alias, linkExpr), id: `${alias}.entity_id` };
}

/** A product relation table: its child column (an entity id) and its parent column (a link value). */
export interface ProductRelation {
  readonly table: string;
  readonly child: string;
  readonly parent: string;
}

export const PRODUCT_RELATION: ProductRelation = { table: 'catalog_product_relation', child: 'child_id', parent: 'parent_id' };
export const SUPER_LINK: ProductRelation = { table: 'catalog_product_super_link', child: 'product_id', parent: 'parent_id' };

/**
 * Adobe Commerce moved the current version (stagingVersion spans `ids`) under a feed whose items
 * show their parent: the moved products, and the children through `relations` of any version of
 * a moved product (the parent's sku, type and relations of the version that is current now).
 * `onlyChildrenOf`: the feed's items are children in that relation alone, so of the moved products
 * only those are kept. One statement, named `what`. Nothing on Open Source.
 */
export async function movedProductsAndChildren(
  ctx: ProviderContext,
  what: string,
  ids: string[],
  relations: readonly ProductRelation[],
  onlyChildrenOf?: ProductRelation,
): Promise<string[]> {
  const link = ctx.catalog.product;
  const moved = await movedEntities(ctx, link, ids);
  if (moved.length === 0) return [];
  const t = (n: string) => `\`${ctx.t(n)}\``;
  const parts = relations.map(
    (r) => `SELECT x.${r.child} AS id FROM ${t(r.table)} x WHERE ${ofEveryVersion(ctx, link, `x.${r.parent}`)}`,
  );
  if (onlyChildrenOf) parts.unshift(`SELECT x.${onlyChildrenOf.child} AS id FROM ${t(onlyChildrenOf.table)} x WHERE x.${onlyChildrenOf.child} IN (?)`);
  const rows = await select<{ id: number }>(ctx, what, parts.join('\n     UNION '), parts.map(() => moved), moved.length);
  return idStrings([...(onlyChildrenOf ? [] : moved), ...rows.map((r) => r.id)]);
}
