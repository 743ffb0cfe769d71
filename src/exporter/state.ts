// The exporter's copy of the feed table: per feed item id the hash last written,
// its source entity, whether it was a delete, the minimal payload (to build a
// delete later) and the last delivery status. Rebuilt from the items and status
// topics; nothing else holds it.

export interface ItemState {
  /** Hash of the last item version written; undefined when only a status was seen so far. */
  hash: string | undefined;
  sourceEntityId: string;
  deleted: boolean;
  /** JSON of the minimal payload fields of the last written version. */
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
 * JSON of an item's minimal payload (each field's value, null when absent), from the fields' JSON as
 * src/avro/json.ts captures them.
 */
export function minimalOfJson(json: Readonly<Record<string, string>>, fields: readonly string[]): string {
  return `{${fields.map((f) => `${JSON.stringify(f)}:${json[f] ?? 'null'}`).join(',')}}`;
}

export class FeedState {
  private readonly items = new Map<string, ItemState>();
  /** A single feed id as a string, several as an array: most source entities own one to a few items, and a Set per entity costs more than the entry itself. */
  private readonly bySource = new Map<string, string | string[]>();

  get size(): number {
    return this.items.size;
  }

  get(feedId: string): ItemState | undefined {
    return this.items.get(feedId);
  }

  /** Feed ids whose last written version belongs to this source entity. */
  feedIdsOf(sourceEntityId: string): string[] {
    const v = this.bySource.get(sourceEntityId);
    return v === undefined ? [] : typeof v === 'string' ? [v] : [...v];
  }

  sourceIds(): IterableIterator<string> {
    return this.bySource.keys();
  }

  applyItem(feedId: string, sourceEntityId: string, hash: string, deleted: boolean, minimal: string | undefined): void {
    const prev = this.items.get(feedId);
    if (prev && prev.sourceEntityId !== sourceEntityId) this.unlink(prev.sourceEntityId, feedId);
    const next: ItemState = prev ?? { hash, sourceEntityId, deleted, minimal, status: undefined, statusHash: undefined };
    next.hash = hash;
    next.sourceEntityId = sourceEntityId;
    next.deleted = deleted;
    next.minimal = minimal ?? prev?.minimal;
    // the status hash is usually this very hash: share the string instead of keeping two copies
    if (next.statusHash === hash) next.statusHash = hash;
    this.items.set(feedId, next);
    const v = this.bySource.get(sourceEntityId);
    if (v === undefined) this.bySource.set(sourceEntityId, feedId);
    else if (typeof v === 'string') {
      if (v !== feedId) this.bySource.set(sourceEntityId, [v, feedId]);
    } else if (!v.includes(feedId)) v.push(feedId);
  }

  applyStatus(feedId: string, sourceEntityId: string, hash: string, status: number): void {
    let prev = this.items.get(feedId);
    if (!prev) {
      // the status can be read before its item (two topics read independently)
      prev = { hash: undefined, sourceEntityId, deleted: false, minimal: undefined, status: undefined, statusHash: undefined };
      this.items.set(feedId, prev);
    }
    prev.status = status;
    prev.statusHash = prev.hash === hash ? prev.hash : hash;
  }

  /** Forgets the items of the given partitions (after they were revoked from this process). */
  forget(keep: (sourceEntityId: string) => boolean): void {
    for (const [feedId, s] of this.items) {
      if (keep(s.sourceEntityId)) continue;
      this.items.delete(feedId);
      this.unlink(s.sourceEntityId, feedId);
    }
  }

  private unlink(sourceEntityId: string, feedId: string): void {
    const v = this.bySource.get(sourceEntityId);
    if (v === undefined) return;
    if (typeof v === 'string') {
      if (v === feedId) this.bySource.delete(sourceEntityId);
      return;
    }
    const rest = v.filter((f) => f !== feedId);
    if (rest.length === 0) this.bySource.delete(sourceEntityId);
    else this.bySource.set(sourceEntityId, rest.length === 1 ? rest[0]! : rest);
  }
}
