// Source entity ids → normalised items with their feed id and hash. The provider
// runs in batches of batchSize, `threads` batches at once; each item goes
// through the feed's Avro type so it is valid and its JSON key order is the
// schema's (the hash depends on that order).
import type avro from 'avsc';
import type { FeedDefinition, FeedItem, ProviderContext } from '../feeds/types.js';
import { feedIdOfJson, sha1 } from '../feeds/hash.js';
import { compileJson, type Transcoder } from '../avro/json.js';
import { CdcError } from '../errors.js';
import { minimalOfJson } from './state.js';

/**
 * An assembled item as the exporter keeps it until its transaction commits: its Avro encoding (reused
 * for the envelope) and the few strings the state needs, not the item object. Thousands of items wait
 * for each commit; as objects they survived the young generation and scavenges cost more than assembly.
 */
export interface BuiltItem {
  feedId: string;
  sourceEntityId: string;
  hash: string;
  /** The item's minimal payload (what a later delete is built from), as minimalOfJson() gives it. */
  minimal: string;
  bytes: Buffer;
}

/** The item as the schema's record (defaults filled, unknown fields dropped); throws with the invalid paths. */
export function normalise(type: avro.Type, item: FeedItem, feed: string): FeedItem {
  try {
    return type.clone(item) as FeedItem;
  } catch {
    const paths: string[] = [];
    type.isValid(item, { errorHook: (path) => paths.push(path.join('.')) });
    throw new CdcError('INTERNAL', `the ${feed} provider built an item that does not fit schemas/items/${feed}.avsc (fields: ${paths.join(', ') || '?'})`, {
      fix: 'report this with the item; the provider and the item schema disagree',
      context: { paths },
    });
  }
}

const hashTranscoders = new WeakMap<avro.Type, Map<string, Transcoder>>();

/** The item's JSON less the hash-excluded fields, with the identity and minimal payload fields captured. */
function hashTranscoder(feed: FeedDefinition, type: avro.Type): Transcoder {
  let byFeed = hashTranscoders.get(type);
  if (!byFeed) hashTranscoders.set(type, (byFeed = new Map()));
  let t = byFeed.get(feed.name);
  if (!t) byFeed.set(feed.name, (t = compileJson(type, { omit: feed.hashExclude, capture: [...new Set([...feed.identity, ...feed.minimalPayload])] })));
  return t;
}

/**
 * The item normalised by its Avro encoding (unknown fields dropped, key order the schema's), then feed id,
 * hash and minimal payload from the JSON the bytes transcode to: the same text JSON.stringify gives for
 * the decoded item (src/avro/json.ts), without decoding it.
 */
export function build(feed: FeedDefinition, type: avro.Type, sourceEntityId: string, raw: FeedItem): BuiltItem {
  let bytes: Buffer;
  try {
    bytes = type.toBuffer(raw);
  } catch {
    // e.g. a nullable field left out: clone() fills defaults (or names the invalid fields)
    bytes = type.toBuffer(normalise(type, raw, feed.name));
  }
  const t = hashTranscoder(feed, type)(bytes);
  return { feedId: feedIdOfJson(t.fields, feed.identity), sourceEntityId, hash: sha1(t.json), minimal: minimalOfJson(t.fields, feed.minimalPayload), bytes };
}

/** The normalised item back from its bytes (tests and the extended log). */
export function builtItem(type: avro.Type, b: Pick<BuiltItem, 'bytes'>): FeedItem {
  return type.fromBuffer(b.bytes) as FeedItem;
}

/** Runs fn over chunks with at most `threads` in flight; results in chunk order. */
export async function inChunks<T, R>(values: T[], size: number, threads: number, fn: (chunk: T[]) => Promise<R[]>, between?: () => Promise<void>): Promise<R[]> {
  const chunks: T[][] = [];
  for (let i = 0; i < values.length; i += size) chunks.push(values.slice(i, i + size));
  const results: R[][] = new Array<R[]>(chunks.length);
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const i = next++;
      results[i] = await fn(chunks[i]!);
      await between?.();
    }
  };
  await Promise.all(Array.from({ length: Math.min(threads, chunks.length) }, worker));
  return results.flat();
}

/** One provider batch: the provider's items built, and the ids whose item did not fit the schema. */
export interface ChunkResult {
  items: BuiltItem[];
  failed: string[];
}

/** Assembles one provider batch where the caller runs (the main thread or an assembly worker). */
export async function assembleChunk(feed: FeedDefinition, type: avro.Type, chunk: string[], ctx: ProviderContext): Promise<ChunkResult> {
  const started = performance.now();
  const assembled = await feed.provider.assemble(chunk, ctx);
  ctx.profile(`${feed.name}.assemble`, chunk.length, performance.now() - started);
  const items: BuiltItem[] = [];
  const failed: string[] = [];
  for (const a of assembled) {
    try {
      items.push(build(feed, type, a.sourceEntityId, a.item));
    } catch (e) {
      failed.push(a.sourceEntityId);
      ctx.log.error({ feed: feed.name, operation: 'assemble', sourceEntityId: a.sourceEntityId, err: e }, 'item skipped: it does not fit the feed schema');
    }
  }
  return { items, failed };
}

/** Where provider batches run: in this thread, or handed to the assembly workers (assembler.ts). */
export type ChunkRunner = (feed: FeedDefinition, chunk: string[]) => Promise<ChunkResult>;

/**
 * Items of these ids, in batches of batchSize with `threads` batches at once. An
 * item that does not fit the schema (a provider bug) is logged and left out, and
 * its source id is reported as failed so that the exporter does not mistake the
 * missing item for a delete.
 */
export async function assembleIds(
  feed: FeedDefinition,
  type: avro.Type,
  ids: string[],
  ctx: ProviderContext,
  tuning: { batchSize: number; threads: number },
  heartbeat?: () => Promise<void>,
  runner?: ChunkRunner,
): Promise<{ items: BuiltItem[]; failed: Set<string> }> {
  const failed = new Set<string>();
  const items = await inChunks(ids, tuning.batchSize, tuning.threads, async (chunk) => {
    const r = runner ? await runner(feed, chunk) : await assembleChunk(feed, type, chunk, ctx);
    for (const id of r.failed) failed.add(id);
    return r.items;
  }, heartbeat);
  return { items, failed };
}
