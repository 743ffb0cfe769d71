// The exporter's copy of the feed table, one FeedState per owned partition: per
// feed item id the hash last written, its source entity, whether it was a delete,
// the minimal payload (to build a delete later) and the last delivery status. It
// lives in the partition's on-disk store (store.ts) with a bounded cache in front;
// the items and status topics stay the truth it is rebuilt from.
import type { Checkpoint, ItemWrite, PartitionStore } from './store.js';

export interface ItemState {
  /** Hash of the last item version written; undefined when only a status was seen so far. */
  hash: string | undefined;
  sourceEntityId: string;
  deleted: boolean;
  /** The minimal payload of the last written version (minimalOfJson()). */
  minimal: string | undefined;
  /** Last status record and the hash it was about. */
  status: number | undefined;
  statusHash: string | undefined;
}

/** Statuses after which an unchanged item is not sent again (Adobe: 200, 400, 1); 2 is still being retried. */
const SETTLED_OR_IN_FLIGHT = new Set([200, 400, 1, 2]);

export type Decision = 'write' | 'dedupe';

/**
 * Write when the item is new, changed, or came back after a delete; an unchanged
 * item is written again only when forced or when its last status is one the
 * publisher will not retry by itself (0, -1, ...). An unchanged item with no
 * status yet or status 2 is still in flight: the publisher delivers it.
 */
export function decide(prev: ItemState | undefined, hash: string, force: boolean): Decision {
  if (force) return 'write';
  if (!prev || prev.hash === undefined || prev.deleted || prev.hash !== hash) return 'write';
  if (prev.statusHash !== hash || prev.status === undefined) return 'dedupe';
  return SETTLED_OR_IN_FLIGHT.has(prev.status) ? 'dedupe' : 'write';
}

/**
 * An item's minimal payload as the state keeps it: a JSON array of the fields' values in the feed's
 * minimalPayload order (null when absent), from the fields' JSON as src/avro/json.ts captures them.
 * Without the field names: they were half of every product's minimal payload, and of the state.
 */
export function minimalOfJson(json: Readonly<Record<string, string>>, fields: readonly string[]): string {
  return `[${fields.map((f) => json[f] ?? 'null').join(',')}]`;
}

/** The minimal payload object back from minimalOfJson()'s array. */
export function minimalObject(minimal: string, fields: readonly string[]): Record<string, unknown> {
  const values = JSON.parse(minimal) as unknown[];
  return Object.fromEntries(fields.map((f, i) => [f, values[i] ?? null]));
}

/**
 * One partition's feed state: reads go to the changes not yet written, then a bounded cache of
 * recently used items, then the store. Changes wait in memory until flush() writes them with the
 * offsets they bring the state to, in one store transaction: the store never claims an offset whose
 * records it does not hold. Memory: the cache (at most `cacheItems` items) and the changes of one
 * batch between flushes, whatever the catalog's size.
 */
export class FeedState {
  readonly store: PartitionStore;
  private readonly cacheItems: number;
  /** Clean items, least recently used first. */
  private readonly cache = new Map<string, ItemState>();
  /** Changed since the last flush, with the source each one left (when it moved). */
  private readonly dirty = new Map<string, ItemWrite>();
  /** Feed ids added to a source entity since the last flush. */
  private readonly dirtyBySource = new Map<string, Set<string>>();
  /** What the state reflects now: the next items/status offsets not applied yet. */
  private readonly applied: Checkpoint;
  private closed = false;

  constructor(store: PartitionStore, cacheItems: number) {
    this.store = store;
    this.cacheItems = cacheItems;
    this.applied = { ...store.checkpoint };
  }

  /** Items in the store (not counting changes not flushed yet). */
  get size(): number {
    return this.store.size;
  }

  get checkpoint(): Checkpoint {
    return { ...this.applied };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get(feedId: string): ItemState | undefined {
    if (this.closed) throw new Error(`the feed state of ${this.store.dir} is closed (the partition was released)`);
    const d = this.dirty.get(feedId);
    if (d) return { ...d.state };
    const c = this.cache.get(feedId);
    if (c) {
      this.cache.delete(feedId);
      this.cache.set(feedId, c);
      return { ...c };
    }
    const s = this.store.get(feedId);
    if (s) this.remember(feedId, s);
    return s && { ...s };
  }

  /** Feed ids whose last written version belongs to this source entity. */
  feedIdsOf(sourceEntityId: string): string[] {
    const ids = new Set<string>();
    for (const fid of this.store.feedIdsOf(sourceEntityId)) {
      const d = this.dirty.get(fid);
      if (!d || d.state.sourceEntityId === sourceEntityId) ids.add(fid);
    }
    for (const fid of this.dirtyBySource.get(sourceEntityId) ?? []) if (this.dirty.get(fid)?.state.sourceEntityId === sourceEntityId) ids.add(fid);
    return [...ids];
  }

  /** Every source entity that owns an item (a truncate's ids); reads the whole store. */
  *sourceIds(): Generator<string> {
    const seen = new Set<string>();
    for (const d of this.dirty.values()) {
      if (!seen.has(d.state.sourceEntityId)) {
        seen.add(d.state.sourceEntityId);
        yield d.state.sourceEntityId;
      }
    }
    for (const s of this.store.sourceIds()) if (!seen.has(s)) yield s;
  }

  applyItem(feedId: string, sourceEntityId: string, hash: string, deleted: boolean, minimal: string | undefined): void {
    if (this.closed) return;
    const prev = this.get(feedId);
    const status = prev?.status;
    const statusHash = prev?.statusHash;
    this.change(feedId, prev, { hash, sourceEntityId, deleted, minimal: minimal ?? prev?.minimal, status, statusHash });
  }

  applyStatus(feedId: string, sourceEntityId: string, hash: string, status: number): void {
    // the status can be read before its item (two topics read independently)
    if (this.closed) return;
    const prev = this.get(feedId);
    const next = prev ? { ...prev, status, statusHash: hash } : { hash: undefined, sourceEntityId, deleted: false, minimal: undefined, status, statusHash: hash };
    this.change(feedId, prev, next);
  }

  /** The items topic was applied up to this offset (raises only). */
  itemsApplied(next: number): void {
    this.applied.items = Math.max(this.applied.items, next);
  }

  statusApplied(next: number): void {
    this.applied.status = Math.max(this.applied.status, next);
  }

  /** Writes the changes and the offsets they reflect in one store transaction. */
  flush(): void {
    if (this.closed) return;
    const c = this.store.checkpoint;
    if (this.dirty.size === 0 && c.items === this.applied.items && c.status === this.applied.status) return;
    this.store.write(this.dirty.values(), { ...this.applied });
    for (const [fid, w] of this.dirty) this.remember(fid, w.state);
    this.dirty.clear();
    this.dirtyBySource.clear();
  }

  /** Writes what is pending and closes the store; `drop`: removes it instead (the partition moved away). */
  async close(drop = false): Promise<void> {
    if (this.closed) return;
    if (!drop) this.flush();
    this.closed = true;
    this.dirty.clear();
    this.cache.clear();
    await (drop ? this.store.drop() : this.store.close());
  }

  private change(feedId: string, prev: ItemState | undefined, next: ItemState): void {
    // the source the store lists the item under, removed from the index when the item moves to another
    const earlier = this.dirty.get(feedId);
    const before = earlier ? earlier.state.sourceEntityId : prev?.sourceEntityId;
    const leftSource = earlier?.leftSource ?? (before !== undefined && before !== next.sourceEntityId ? before : undefined);
    this.cache.delete(feedId);
    this.dirty.set(feedId, { feedId, state: next, leftSource });
    let set = this.dirtyBySource.get(next.sourceEntityId);
    if (!set) this.dirtyBySource.set(next.sourceEntityId, (set = new Set()));
    set.add(feedId);
  }

  private remember(feedId: string, s: ItemState): void {
    if (this.cacheItems <= 0) return;
    this.cache.delete(feedId);
    this.cache.set(feedId, s);
    if (this.cache.size > this.cacheItems) this.cache.delete(this.cache.keys().next().value!);
  }
}
