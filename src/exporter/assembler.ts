// Assembly worker threads shared by every exporter of the process
// (`exporter.workers`, default 1). Assembling an item costs far more CPU than
// writing it: the provider's SQL results are parsed, the item built, encoded,
// decoded and hashed. In worker threads that work runs on other cores while the
// main thread consumes changes, dedupes and writes Kafka transactions.
// Provider batches go to the worker with the fewest batches in flight. A worker
// that dies fails its batches with a retriable error (the exporter retries the
// slice) and is replaced by the next batch.
import type { Edition } from '../feeds/common/link.js';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config/schema.js';
import { CdcError, ERROR_CODES, type ErrorCode } from '../errors.js';
import type { FeedDefinition } from '../feeds/types.js';
import type { Logger } from '../log.js';
import type { BuiltItem, ChunkResult } from './assemble.js';

export interface WorkerRequest {
  id: number;
  feed: string;
  ids: string[];
}

/** Sent once to each worker at start: load the feeds' item types and open a MySQL connection. */
export interface WarmRequest {
  warm: string[];
}

export interface WorkerReply {
  id: number;
  items?: Array<Omit<BuiltItem, 'bytes'>>;
  /** Each item's byte length, in order, within `bytes`. */
  lengths?: number[];
  bytes?: ArrayBuffer;
  failed?: string[];
  error?: { name: string; message: string; code?: string | undefined; errno?: number | undefined; fatal?: boolean | undefined; retriable?: boolean | undefined; fix?: string | undefined };
}

interface Pending {
  resolve: (r: ChunkResult) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

/** The worker script: dist/exporter/worker.js. Tests run this module from src/, and then use the built worker. */
function workerUrl(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith('.ts') ? new URL('../../dist/exporter/worker.js', here) : new URL('./worker.js', here);
}

export class Assembler {
  private readonly slots: Array<Slot | undefined>;
  private readonly config: Config;
  private readonly edition: Edition;
  private readonly log: Logger;
  private nextId = 1;
  private closed = false;

  constructor(config: Config, log: Logger, size: number, edition: Edition) {
    this.config = config;
    this.edition = edition;
    this.log = log.child({ part: 'assembler' });
    this.slots = new Array<Slot | undefined>(size).fill(undefined);
  }

  /** The running worker threads (tests stop one mid-batch). */
  get threads(): Worker[] {
    return this.slots.flatMap((s) => (s ? [s.worker] : []));
  }

  /**
   * Starts every worker now rather than at the first batch, and has it load the feeds' item types and
   * open a MySQL connection: a resync's first batches would otherwise wait for the thread's start.
   */
  warm(feeds: readonly string[]): void {
    if (this.closed) return;
    for (let i = 0; i < this.slots.length; i++) (this.slots[i] ?? this.spawn(i)).worker.postMessage({ warm: [...feeds] } satisfies WarmRequest);
  }

  /** One provider batch on the least busy worker. */
  run(feed: FeedDefinition, ids: string[]): Promise<ChunkResult> {
    if (this.closed) return Promise.reject(new CdcError('INTERNAL', 'the assembly workers are closed', { retriable: true }));
    let best = 0;
    for (let i = 1; i < this.slots.length; i++) if ((this.slots[i]?.pending.size ?? 0) < (this.slots[best]?.pending.size ?? 0)) best = i;
    const slot = this.slots[best] ?? this.spawn(best);
    const id = this.nextId++;
    return new Promise<ChunkResult>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, feed: feed.name, ids } satisfies WorkerRequest);
    });
  }

  private spawn(index: number): Slot {
    const worker = new Worker(workerUrl(), { workerData: { config: this.config, edition: this.edition } });
    const slot: Slot = { worker, pending: new Map() };
    this.slots[index] = slot;
    worker.on('message', (m: WorkerReply) => {
      const p = slot.pending.get(m.id);
      if (!p) return;
      slot.pending.delete(m.id);
      if (m.error) p.reject(rebuildError(m.error));
      else p.resolve(unpack(m));
    });
    const lost = (why: unknown) => {
      if (this.slots[index] === slot) this.slots[index] = undefined;
      if (this.closed) return;
      const e = new CdcError('INTERNAL', `an assembly worker stopped: ${why instanceof Error ? why.message : String(why)}`, {
        fix: 'the exporter retries the batch on a new worker; if this repeats, report it with the log',
        retriable: true,
      });
      if (slot.pending.size) this.log.error({ err: why, batches: slot.pending.size }, 'assembly worker stopped; its batches are retried');
      for (const p of slot.pending.values()) p.reject(e);
      slot.pending.clear();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`exit code ${code}`)));
    return slot;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.slots.map(async (slot) => {
        if (!slot) return;
        const exited = new Promise<void>((r) => slot.worker.once('exit', () => r()));
        slot.worker.postMessage('close');
        // the worker ends its MySQL pool and exits; terminate it if that hangs
        const timer = setTimeout(() => void slot.worker.terminate(), 5000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}

function unpack(m: WorkerReply): ChunkResult {
  const all = Buffer.from(m.bytes!);
  const items: BuiltItem[] = [];
  let at = 0;
  // the items are this message's own (structured clones): given their bytes in place, not copied
  m.items!.forEach((b, i) => {
    const len = m.lengths![i]!;
    (b as BuiltItem).bytes = all.subarray(at, at + len);
    items.push(b as BuiltItem);
    at += len;
  });
  return { items, failed: m.failed ?? [] };
}

function rebuildError(x: NonNullable<WorkerReply['error']>): Error {
  if (x.name === 'CdcError' && x.code !== undefined && x.code in ERROR_CODES) {
    return new CdcError(x.code as ErrorCode, x.message, { fix: x.fix, ...(x.retriable === undefined ? {} : { retriable: x.retriable }) });
  }
  // a raw driver error: keep code, errno and fatal so that the exporter classifies it as it would in this thread
  return Object.assign(new Error(x.message), { name: x.name, code: x.code, errno: x.errno, fatal: x.fatal });
}

/**
 * exporter.heapGrowthPercent: how far V8 lets the heap grow past what a full GC left live, for every
 * isolate of the process (the flag is process-wide; set before the workers start). V8's own choice
 * grows a heap up to 4× when collecting looks cheap: the exporter's state (hundreds of MB on a large
 * catalog) then doubled in RSS. 0 keeps V8's choice.
 */
export function applyHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
