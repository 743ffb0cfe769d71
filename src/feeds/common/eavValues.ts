// EAV values of a batch of entities: one query per backend table for the whole
// batch, store 0 plus the wanted store views; a store view's own value wins over
// the default (store 0) one, as in Magento's EAV loading.
import { resolveLinks, type LinkField, type LinkIds } from './link.js';
import { select } from './sql.js';
import type { AttributeMeta } from './eavAttributes.js';
import type { ProviderContext } from '../types.js';

const BACKEND_TYPES = ['varchar', 'int', 'decimal', 'text', 'datetime'] as const;

export class EavValues {
  // entityId → (attributeId × 65536 + storeId) → raw value (string: mysql2 returns DECIMAL/DATETIME as
  // strings). attribute_id and store_id are SMALLINT UNSIGNED in Magento, so the key is exact; one Map
  // per entity rather than one per entity and attribute keeps a batch's allocations down.
  private readonly values = new Map<number, Map<number, string | null>>();
  /** Attribute ids with a value row, per entity, in arrival order. */
  private readonly ids = new Map<number, number[]>();
  /** attributeIds() per entity, sorted once: items of every store view of the entity walk them. */
  private readonly sortedIds = new Map<number, readonly number[]>();

  set(entityId: number, attributeId: number, storeId: number, value: string | null): void {
    let byKey = this.values.get(entityId);
    let ids = this.ids.get(entityId);
    if (!byKey || !ids) {
      this.values.set(entityId, (byKey = new Map()));
      this.ids.set(entityId, (ids = []));
    }
    if (!ids.includes(attributeId)) {
      ids.push(attributeId);
      this.sortedIds.delete(entityId);
    }
    byKey.set(attributeId * 65536 + storeId, value);
  }

  /** The value in `storeId`, else the store 0 value; undefined when neither row exists. */
  get(entityId: number, attributeId: number, storeId: number): string | null | undefined {
    const byKey = this.values.get(entityId);
    if (!byKey) return undefined;
    const key = attributeId * 65536;
    return byKey.has(key + storeId) ? byKey.get(key + storeId) : byKey.get(key);
  }

  /** Attribute ids that have any value row for the entity, ascending. */
  attributeIds(entityId: number): readonly number[] {
    let sorted = this.sortedIds.get(entityId);
    if (!sorted) this.sortedIds.set(entityId, (sorted = [...(this.ids.get(entityId) ?? [])].sort((a, b) => a - b)));
    return sorted;
  }
}

/**
 * Loads values of `attributes` for `entityIds` from `<entityTable>_<backend_type>`
 * (e.g. catalog_product_entity_varchar) for store 0 and `storeIds`, keyed by entity id on
 * both editions. The value tables are keyed by the link field: on Adobe Commerce the rows
 * of the entities' current versions are read (`resolved`, when the caller has already
 * resolved the batch's links, saves that query; none is made on Open Source).
 */
export async function loadEavValues(
  ctx: ProviderContext,
  link: LinkField,
  entityIds: number[],
  attributes: readonly AttributeMeta[],
  storeIds: readonly number[],
  resolved?: LinkIds,
): Promise<EavValues> {
  const out = new EavValues();
  if (entityIds.length === 0) return out;
  const ids = resolved ?? (await resolveLinks(ctx, link, entityIds));
  const links = link.staged ? linksOf(ids, entityIds) : entityIds;
  if (links.length === 0) return out;
  const entityOf = link.staged ? ids.entityOf : (l: number) => l;
  const stores = [0, ...storeIds.filter((s) => s !== 0)];
  const table = link.entityTable;
  await Promise.all(
    BACKEND_TYPES.map(async (type) => {
      const attrIds = attributes.filter((a) => a.backendType === type).map((a) => a.attributeId);
      if (attrIds.length === 0) return;
      const rows = await select<{ link: number; attribute_id: number; store_id: number; value: string | number | null }>(
        ctx,
        `eav.values.${table}_${type}`,
        `SELECT ${link.column} AS link, attribute_id, store_id, value FROM ${ctx.t(`${table}_${type}`)}
          WHERE ${link.column} IN (?) AND attribute_id IN (?) AND store_id IN (?)`,
        [links, attrIds, stores],
        entityIds.length,
      );
      for (const r of rows) {
        const entityId = entityOf(Number(r.link));
        if (entityId === undefined) continue;
        out.set(entityId, Number(r.attribute_id), Number(r.store_id), r.value === null ? null : String(r.value));
      }
    }),
  );
  return out;
}

/** The link values of those of `entityIds` that have a current version, ascending. */
export function linksOf(ids: LinkIds, entityIds: readonly number[]): number[] {
  const out: number[] = [];
  for (const e of entityIds) {
    const l = ids.linkOf(e);
    if (l !== undefined) out.push(l);
  }
  return out.sort((a, b) => a - b);
}
