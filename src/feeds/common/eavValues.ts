// EAV values of a batch of entities: one query per backend table for the whole
// batch, store 0 plus the wanted store views; a store view's own value wins over
// the default (store 0) one, as in Magento's EAV loading.
import { select } from './sql.js';
import type { AttributeMeta } from './eavAttributes.js';
import type { ProviderContext } from '../types.js';

const BACKEND_TYPES = ['varchar', 'int', 'decimal', 'text', 'datetime'] as const;

export class EavValues {
  // entityId → attributeId → storeId → raw value (string: mysql2 returns DECIMAL/DATETIME as strings)
  private readonly values = new Map<number, Map<number, Map<number, string | null>>>();
  /** attributeIds() per entity, sorted once: items of every store view of the entity walk them. */
  private readonly sortedIds = new Map<number, readonly number[]>();

  set(entityId: number, attributeId: number, storeId: number, value: string | null): void {
    this.sortedIds.delete(entityId);
    let byAttr = this.values.get(entityId);
    if (!byAttr) this.values.set(entityId, (byAttr = new Map()));
    let byStore = byAttr.get(attributeId);
    if (!byStore) byAttr.set(attributeId, (byStore = new Map()));
    byStore.set(storeId, value);
  }

  /** The value in `storeId`, else the store 0 value; undefined when neither row exists. */
  get(entityId: number, attributeId: number, storeId: number): string | null | undefined {
    const byStore = this.values.get(entityId)?.get(attributeId);
    if (!byStore) return undefined;
    return byStore.has(storeId) ? byStore.get(storeId) : byStore.get(0);
  }

  /** Attribute ids that have any value row for the entity, ascending. */
  attributeIds(entityId: number): readonly number[] {
    let ids = this.sortedIds.get(entityId);
    if (!ids) this.sortedIds.set(entityId, (ids = [...(this.values.get(entityId)?.keys() ?? [])].sort((a, b) => a - b)));
    return ids;
  }
}

/**
 * Loads values of `attributes` for `entityIds` from `<entityTable>_<backend_type>`
 * (e.g. catalog_product_entity_varchar) for store 0 and `storeIds`.
 */
export async function loadEavValues(
  ctx: ProviderContext,
  entityTable: 'catalog_product_entity' | 'catalog_category_entity',
  entityIds: number[],
  attributes: readonly AttributeMeta[],
  storeIds: readonly number[],
): Promise<EavValues> {
  const out = new EavValues();
  if (entityIds.length === 0) return out;
  const stores = [0, ...storeIds.filter((s) => s !== 0)];
  await Promise.all(
    BACKEND_TYPES.map(async (type) => {
      const attrIds = attributes.filter((a) => a.backendType === type).map((a) => a.attributeId);
      if (attrIds.length === 0) return;
      const rows = await select<{ entity_id: number; attribute_id: number; store_id: number; value: string | number | null }>(
        ctx,
        `eav.values.${entityTable}_${type}`,
        `SELECT entity_id, attribute_id, store_id, value FROM ${ctx.t(`${entityTable}_${type}`)}
          WHERE entity_id IN (?) AND attribute_id IN (?) AND store_id IN (?)`,
        [entityIds, attrIds, stores],
        entityIds.length,
      );
      for (const r of rows) {
        out.set(Number(r.entity_id), Number(r.attribute_id), Number(r.store_id), r.value === null ? null : String(r.value));
      }
    }),
  );
  return out;
}
