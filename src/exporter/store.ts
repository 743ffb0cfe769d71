// The on-disk copy of one feed partition's state (an LMDB environment under
// exporter.stateDir/<prefix>/<feed>/<partition>): per feed item its ItemState,
// per source entity its feed ids, and the items/status offsets the data reflects,
// written in one LMDB transaction with the data. The items and status topics stay
// the truth: a store that is missing, unreadable or made for another prefix, feed,
// partition or partition count is removed and rebuilt from them.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { ItemState } from './state.js';

/** Next offset to read in each topic's partition: everything below it is in the store. */
export interface Checkpoint {
  items: number;
  status: number;
}

/** What a store was made for; any difference makes it another feed's or another layout's. */
export interface StoreIdentity {
  prefix: string;
  feed: string;
  partition: number;
  partitions: number;
}

/** Bumped when the value layout changes: an older store is rebuilt. */
const FORMAT = 1;
const META_IDENTITY = Buffer.from('\x00identity');
const META_CHECKPOINT = Buffer.from('\x00checkpoint');
const ITEM = 0x69; // 'i' + feed id
const SOURCE = 0x73; // 's' + source id + \0 + feed id
const LOCK = 'owner.pid';

const HAS_HASH = 1;
const DELETED = 2;
const HAS_STATUS = 4;
const STATUS_OF_HASH = 8;
const HAS_STATUS_HASH = 16;
const HAS_MINIMAL = 32;
const SHA1_HEX = /^[0-9a-f]{40}$/;

export function itemKey(feedId: string): Buffer {
  const k = Buffer.allocUnsafe(1 + Buffer.byteLength(feedId));
  k[0] = ITEM;
  k.write(feedId, 1);
  return k;
}

function sourceKey(source: string, feedId: string): Buffer {
  return Buffer.from(`s${source}\0${feedId}`);
}

function hashSize(h: string): number {
  return SHA1_HEX.test(h) ? 21 : 1 + Buffer.byteLength(h);
}

function writeHash(b: Buffer, at: number, h: string): number {
  if (SHA1_HEX.test(h)) {
    b[at] = 0;
    b.write(h, at + 1, 20, 'hex');
    return at + 21;
  }
  b[at] = Buffer.byteLength(h);
  return at + 1 + b.write(h, at + 1);
}

function readHash(b: Buffer, at: number): [string, number] {
  const n = b[at]!;
  if (n === 0) return [b.toString('hex', at + 1, at + 21), at + 21];
  return [b.toString('utf8', at + 1, at + 1 + n), at + 1 + n];
}

/** An ItemState as bytes: flags, status, hashes (20 raw bytes when SHA-1 hex), source id, minimal payload. */
export function encodeItem(s: ItemState): Buffer {
  const ownStatusHash = s.status !== undefined && s.statusHash !== undefined && s.statusHash !== s.hash;
  let f = 0;
  if (s.hash !== undefined) f |= HAS_HASH;
  if (s.deleted) f |= DELETED;
  if (s.status !== undefined) f |= HAS_STATUS;
  if (s.status !== undefined && s.statusHash !== undefined && s.statusHash === s.hash) f |= STATUS_OF_HASH;
  if (ownStatusHash) f |= HAS_STATUS_HASH;
  if (s.minimal !== undefined) f |= HAS_MINIMAL;
  const source = Buffer.byteLength(s.sourceEntityId);
  const size = 1 + (s.status !== undefined ? 4 : 0) + (s.hash !== undefined ? hashSize(s.hash) : 0) + (ownStatusHash ? hashSize(s.statusHash!) : 0) + 2 + source + (s.minimal !== undefined ? Buffer.byteLength(s.minimal) : 0);
  const b = Buffer.allocUnsafe(size);
  b[0] = f;
  let at = 1;
  if (s.status !== undefined) at = b.writeInt32LE(s.status, at);
  if (s.hash !== undefined) at = writeHash(b, at, s.hash);
  if (ownStatusHash) at = writeHash(b, at, s.statusHash!);
  at = b.writeUInt16LE(source, at);
  at += b.write(s.sourceEntityId, at);
  if (s.minimal !== undefined) b.write(s.minimal, at);
  return b;
}

export function decodeItem(b: Buffer): ItemState {
  const f = b[0]!;
  let at = 1;
  let status: number | undefined;
  let hash: string | undefined;
  let statusHash: string | undefined;
  if (f & HAS_STATUS) {
    status = b.readInt32LE(at);
    at += 4;
  }
  if (f & HAS_HASH) [hash, at] = readHash(b, at);
  if (f & HAS_STATUS_HASH) [statusHash, at] = readHash(b, at);
  else if (f & STATUS_OF_HASH) statusHash = hash;
  const n = b.readUInt16LE(at);
  const sourceEntityId = b.toString('utf8', at + 2, at + 2 + n);
  at += 2 + n;
  return { hash, sourceEntityId, deleted: (f & DELETED) !== 0, minimal: f & HAS_MINIMAL ? b.toString('utf8', at) : undefined, status, statusHash };
}

/** Why an existing store is not used (the rebuild is logged with it); undefined when it is. */
export type Rejection = 'missing' | 'corrupt' | 'identity' | 'format' | 'stale' | 'locked';

/** A change of one item: its new state, and the source entity it leaves (when it moved). */
export interface ItemWrite {
  feedId: string;
  state: ItemState;
  leftSource?: string | undefined;
}

export class PartitionStore {
  readonly dir: string;
  /** Where the store stands; {0, 0} for a new one. */
  checkpoint: Checkpoint;
  /** Why the store on disk was not used (it was replaced by an empty one), if it was not. */
  rejected: Rejection | undefined;
  private readonly env: RootDatabase<Buffer, Buffer>;
  private readonly db: Database<Buffer, Buffer>;

  private constructor(dir: string, env: RootDatabase<Buffer, Buffer>, checkpoint: Checkpoint, rejected: Rejection | undefined) {
    this.dir = dir;
    this.env = env;
    this.db = env;
    this.checkpoint = checkpoint;
    this.rejected = rejected;
  }

  static path(stateDir: string, id: StoreIdentity): string {
    return join(stateDir, id.prefix, id.feed, String(id.partition));
  }

  /**
   * The partition's store, or an empty one in its place when the one on disk cannot be used (the reason is
   * in `rejected`). The owner file keeps two live owners (two exporters of one feed on one host, or in one
   * process while a partition changes hands) from sharing a directory: the second gets 'locked' and a
   * private store of its own, removed when it closes.
   */
  static open(stateDir: string, id: StoreIdentity): PartitionStore {
    let dir = PartitionStore.path(stateDir, id);
    let rejected: Rejection | undefined;
    if (!takeLock(dir)) {
      rejected = 'locked';
      dir = `${dir}-private-${process.pid}-${Date.now().toString(36)}`;
      rmSync(dir, { recursive: true, force: true });
      takeLock(dir);
    }
    const fresh = !existsSync(join(dir, 'data.mdb'));
    if (fresh && !rejected) rejected = 'missing';
    let env: RootDatabase<Buffer, Buffer> | undefined;
    if (!fresh) {
      try {
        if (!hasLmdbHeader(join(dir, 'data.mdb'))) throw new Error('not an LMDB file');
        env = openEnv(dir);
        const stored = env.getBinary(META_IDENTITY);
        const checkpoint = env.getBinary(META_CHECKPOINT);
        if (!stored || !checkpoint) rejected = 'corrupt';
        else {
          const s = JSON.parse(stored.toString()) as StoreIdentity & { format: number };
          if (s.format !== FORMAT) rejected = 'format';
          else if (s.prefix !== id.prefix || s.feed !== id.feed || s.partition !== id.partition || s.partitions !== id.partitions) rejected = 'identity';
          else return new PartitionStore(dir, env, JSON.parse(checkpoint.toString()) as Checkpoint, undefined);
        }
      } catch {
        rejected = 'corrupt';
      }
      env?.close().catch(() => undefined);
      for (const f of ['data.mdb', 'lock.mdb']) rmSync(join(dir, f), { force: true });
    }
    env = openEnv(dir);
    const s = new PartitionStore(dir, env, { items: 0, status: 0 }, rejected);
    env.transactionSync(() => {
      env.putSync(META_IDENTITY, Buffer.from(JSON.stringify({ ...id, format: FORMAT })));
      env.putSync(META_CHECKPOINT, Buffer.from(JSON.stringify(s.checkpoint)));
    });
    return s;
  }

  /** Empties the store (its checkpoint no longer matches the topics): it is rebuilt from offset 0. */
  reset(reason: Rejection): void {
    this.env.transactionSync(() => {
      const identity = this.env.getBinary(META_IDENTITY)!;
      this.env.clearSync();
      this.env.putSync(META_IDENTITY, Buffer.from(identity));
      this.env.putSync(META_CHECKPOINT, Buffer.from(JSON.stringify({ items: 0, status: 0 })));
    });
    this.checkpoint = { items: 0, status: 0 };
    this.rejected = reason;
  }

  get(feedId: string): ItemState | undefined {
    const b = this.db.getBinary(itemKey(feedId));
    return b ? decodeItem(b) : undefined;
  }

  feedIdsOf(sourceEntityId: string): string[] {
    const start = Buffer.from(`s${sourceEntityId}\0`);
    const end = Buffer.from(`s${sourceEntityId}\x01`);
    const ids: string[] = [];
    for (const key of this.db.getKeys({ start, end })) ids.push(key.toString('utf8', start.length));
    return ids;
  }

  *sourceIds(): Generator<string> {
    let last: string | undefined;
    for (const key of this.db.getKeys({ start: Buffer.from([SOURCE]), end: Buffer.from([SOURCE + 1]) })) {
      const s = key.toString('utf8', 1, key.indexOf(0, 1));
      if (s !== last) yield (last = s);
    }
  }

  /** Items with their new state and the checkpoint they bring the store to, in one transaction. */
  write(items: Iterable<ItemWrite>, checkpoint: Checkpoint): void {
    this.env.transactionSync(() => {
      for (const w of items) {
        if (w.leftSource !== undefined) this.db.removeSync(sourceKey(w.leftSource, w.feedId));
        this.db.putSync(itemKey(w.feedId), encodeItem(w.state));
        this.db.putSync(sourceKey(w.state.sourceEntityId, w.feedId), Buffer.alloc(0));
      }
      this.db.putSync(META_CHECKPOINT, Buffer.from(JSON.stringify(checkpoint)));
    });
    this.checkpoint = checkpoint;
  }

  /** Items in the store (LMDB's entry count less the index and the two meta entries, halved). */
  get size(): number {
    return Math.max(0, (this.env.getStats() as { entryCount: number }).entryCount - 2) / 2;
  }

  async close(): Promise<void> {
    await this.env.close();
    releaseLock(this.dir);
    if (this.rejected === 'locked') rmSync(this.dir, { recursive: true, force: true });
  }

  /** Closes the store and removes it (its partition moved to another process). */
  async drop(): Promise<void> {
    await this.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function openEnv(dir: string): RootDatabase<Buffer, Buffer> {
  // overlapping sync: a commit returns once written, its fsync runs with the next one, and a crash
  // leaves the last synced transaction (LMDB's copy-on-write pages are never half written)
  return open<Buffer, Buffer>({ path: dir, keyEncoding: 'binary', encoding: 'binary', compression: false, cache: false, overlappingSync: true });
}

/** LMDB's magic in the first meta page: lmdb-js crashes the process on a file without it instead of failing. */
const LMDB_MAGIC = 0xbeefc0de;
const META_MAGIC_AT = 24;

function hasLmdbHeader(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(META_MAGIC_AT + 4);
    return readSync(fd, b, 0, b.length, 0) === b.length && b.readUInt32LE(META_MAGIC_AT) === LMDB_MAGIC;
  } finally {
    closeSync(fd);
  }
}

/** Store directories this process holds (a second exporter of the feed in this process must not share one). */
const liveHolders = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the directory unless a live process (or this one, for another exporter) holds it. */
function takeLock(dir: string): boolean {
  if (liveHolders.has(dir)) return false;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, LOCK);
  try {
    const pid = Number(readFileSync(file, 'utf8'));
    // our own pid in the file is a previous life of this process id (a container restarted): stale
    if (pid !== process.pid && pid > 0 && alive(pid)) return false;
  } catch {
    // no owner file: free
  }
  writeFileSync(file, String(process.pid));
  liveHolders.add(dir);
  return true;
}

function releaseLock(dir: string): void {
  liveHolders.delete(dir);
  rmSync(join(dir, LOCK), { force: true });
}
