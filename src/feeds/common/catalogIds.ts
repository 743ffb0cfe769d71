// Entity ids out of the versioned catalog tables, one SQL for both editions (link.ts):
// the listing of a feed whose source entity is a product or a category, and the entity
// id behind a column that holds link values (a relation's parent side, a value row).
import type { ProviderContext } from '../types.js';
import { currentOnly, joinCurrent, type LinkField } from './link.js';
import { select } from './sql.js';

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
