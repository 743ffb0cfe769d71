// The exporter's copy of the feed table: per feed item id the hash last written,
// its source entity, whether it was a delete, the minimal payload (to build a
// delete later) and the last delivery status. Rebuilt from the items and status
// topics; nothing else holds it.

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

/** A status slot with no status seen yet. */
const NO_STATUS = -0x80000000;
const HAS_HASH = 1;
const DELETED = 2;
/** The status is about the item's current hash. */
const STATUS_OF_HASH = 4;
/** The status is about another hash, kept in `otherStatusHashes`. */
const STATUS_OF_OTHER = 8;
/** 20-byte hashes as 40 lowercase hex digits: every hash build() makes. */
const SHA1_HEX = /^[0-9a-f]{40}$/;

/**
 * The state of every item of the owned partitions, laid out for size: the feed table of a large catalog
 * lives here (100,000 products x 3 store views are 300,000 items). Per item a slot: the hash as 20 bytes,
 * flags and status in typed arrays, the source entity id and minimal payload in arrays; an object per
 * item and a 40-character hash string cost about twice as much. get() hands out a fresh ItemState.
 */
export class FeedState {
  private readonly slots = new Map<string, number>();
  /** A single feed id as a string, several as an exactly sized array: most source entities own one to a few items, and a Set per entity costs more than the entry itself. */
  private readonly bySource = new Map<string, string | string[]>();
  private readonly free: number[] = [];
  private capacity = 0;
  private used = 0;
  private hashes = Buffer.alloc(0);
  private flags = new Uint8Array(0);
  private statuses = new Int32Array(0);
  private readonly sources: string[] = [];
  private readonly minimals: Array<string | undefined> = [];
  /** Hashes that are not 40 hex digits (none that build() makes; kept as they are). */
  private readonly otherHashes = new Map<number, string>();
  private readonly otherStatusHashes = new Map<number, string>();

  get size(): number {
    return this.slots.size;
  }

  get(feedId: string): ItemState | undefined {
    const slot = this.slots.get(feedId);
    if (slot === undefined) return undefined;
    const f = this.flags[slot]!;
    const hash = f & HAS_HASH ? this.hashOf(slot) : undefined;
    const status = this.statuses[slot]!;
    return {
      hash,
      sourceEntityId: this.sources[slot]!,
      deleted: (f & DELETED) !== 0,
      minimal: this.minimals[slot],
      status: status === NO_STATUS ? undefined : status,
      statusHash: f & STATUS_OF_HASH ? hash : f & STATUS_OF_OTHER ? this.otherStatusHashes.get(slot) : undefined,
    };
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
    let slot = this.slots.get(feedId);
    if (slot === undefined) slot = this.add(feedId, sourceEntityId);
    else if (this.sources[slot] !== sourceEntityId) {
      this.unlink(this.sources[slot]!, feedId);
      this.sources[slot] = sourceEntityId;
    }
    const statusHash = this.statusHashOf(slot);
    this.setHash(slot, hash);
    let f = HAS_HASH | (deleted ? DELETED : 0);
    if (statusHash !== undefined) f |= this.statusFlag(slot, statusHash, hash);
    this.flags[slot] = f;
    if (minimal !== undefined) this.minimals[slot] = minimal;
    const v = this.bySource.get(sourceEntityId);
    if (v === undefined) this.bySource.set(sourceEntityId, feedId);
    else if (typeof v === 'string') {
      if (v !== feedId) this.bySource.set(sourceEntityId, [v, feedId]);
    } else if (!v.includes(feedId)) this.bySource.set(sourceEntityId, [...v, feedId]);
  }

  applyStatus(feedId: string, sourceEntityId: string, hash: string, status: number): void {
    // the status can be read before its item (two topics read independently)
    const slot = this.slots.get(feedId) ?? this.add(feedId, sourceEntityId);
    this.statuses[slot] = status;
    const f = this.flags[slot]! & (HAS_HASH | DELETED);
    this.otherStatusHashes.delete(slot);
    this.flags[slot] = f | this.statusFlag(slot, hash, f & HAS_HASH ? this.hashOf(slot) : undefined);
  }

  /** Forgets the items of the given partitions (after they were revoked from this process). */
  forget(keep: (sourceEntityId: string) => boolean): void {
    for (const [feedId, slot] of this.slots) {
      const source = this.sources[slot]!;
      if (keep(source)) continue;
      this.slots.delete(feedId);
      this.unlink(source, feedId);
      this.release(slot);
    }
  }

  private add(feedId: string, sourceEntityId: string): number {
    let slot = this.free.pop();
    if (slot === undefined) {
      if (this.used === this.capacity) this.grow();
      slot = this.used++;
    }
    this.slots.set(feedId, slot);
    this.flags[slot] = 0;
    this.statuses[slot] = NO_STATUS;
    this.sources[slot] = sourceEntityId;
    this.minimals[slot] = undefined;
    return slot;
  }

  private release(slot: number): void {
    this.flags[slot] = 0;
    this.sources[slot] = '';
    this.minimals[slot] = undefined;
    this.otherHashes.delete(slot);
    this.otherStatusHashes.delete(slot);
    this.free.push(slot);
  }

  private grow(): void {
    const capacity = Math.max(1024, this.capacity * 2);
    const hashes = Buffer.alloc(capacity * 20);
    this.hashes.copy(hashes);
    const flags = new Uint8Array(capacity);
    flags.set(this.flags);
    const statuses = new Int32Array(capacity);
    statuses.set(this.statuses);
    this.hashes = hashes;
    this.flags = flags;
    this.statuses = statuses;
    this.capacity = capacity;
  }

  private setHash(slot: number, hash: string): void {
    if (SHA1_HEX.test(hash)) {
      this.hashes.write(hash, slot * 20, 20, 'hex');
      this.otherHashes.delete(slot);
    } else this.otherHashes.set(slot, hash);
  }

  private hashOf(slot: number): string {
    return this.otherHashes.get(slot) ?? this.hashes.toString('hex', slot * 20, slot * 20 + 20);
  }

  private statusHashOf(slot: number): string | undefined {
    const f = this.flags[slot]!;
    if (f & STATUS_OF_HASH) return this.hashOf(slot);
    return f & STATUS_OF_OTHER ? this.otherStatusHashes.get(slot) : undefined;
  }

  /** The flag telling which hash the slot's status is about (and the side entry when it is not the item's). */
  private statusFlag(slot: number, statusHash: string, hash: string | undefined): number {
    if (statusHash === hash) {
      this.otherStatusHashes.delete(slot);
      return STATUS_OF_HASH;
    }
    this.otherStatusHashes.set(slot, statusHash);
    return STATUS_OF_OTHER;
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
