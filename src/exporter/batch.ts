// One consumed batch of `<feed>.changes` (one partition): decode, expand other
// entity types into triggers, assemble this partition's source entities, dedupe
// against the state, build deletes, and describe what to write.
import type avro from 'avsc';
import type { KafkaMessage } from 'kafkajs';
import type { FeedDefinition, ProviderContext } from '../feeds/types.js';
import { entitiesOfRows, parseRowEntity } from '../feeds/common/link.js';
import { partitionFor } from '../kafka/topics.js';
import { assembleIds, build, inChunks, type BuiltItem, type ChunkRunner } from './assemble.js';
import { decide, minimalObject, type FeedState } from './state.js';
import type { ItemEnvelope, TriggerRecord, WireDecoder } from '../avro/records.js';

export interface ChangeValue {
  op?: string;
  entity?: { type: string; id: string; feed: string };
  force?: boolean;
  reason?: string;
}

export interface BatchInput {
  feed: FeedDefinition;
  itemType: avro.Type;
  state: FeedState;
  ctx: ProviderContext;
  decoder: WireDecoder;
  partition: number;
  partitions: number;
  tuning: { batchSize: number; threads: number };
  heartbeat: () => Promise<void>;
  /** Runs provider batches elsewhere (the assembly workers); in this thread when absent. */
  runner?: ChunkRunner | undefined;
}

/** An item to write: the envelope's head, the item's Avro bytes, its minimal payload and its partition. */
export type WriteItem = Omit<ItemEnvelope, 'item'> & { bytes: Buffer; minimal: string; partition: number };

export interface BatchOutput {
  items: WriteItem[];
  triggers: TriggerRecord[];
  processed: number;
  deduped: number;
  deleted: number;
  operation: string;
}

const LIST_PAGE = 10_000;

/**
 * The part of a batch that does not depend on the state: triggers decoded and expanded, this
 * partition's source entities assembled. It may run while the previous batch is still being
 * committed; finishChanges() then dedupes against the state that commit left.
 */
export interface PreparedChanges {
  ids: string[];
  forced: Set<string>;
  failed: Set<string>;
  built: BuiltItem[];
  triggers: TriggerRecord[];
  truncate: boolean;
  operation: string;
}

export async function prepareChanges(input: Omit<BatchInput, 'state'>, messages: KafkaMessage[]): Promise<PreparedChanges> {
  const { feed, ctx, partition, partitions } = input;
  const own = new Set<string>();
  const forced = new Set<string>();
  const others = new Map<string, Set<string>>();
  const triggers: TriggerRecord[] = [];
  let truncate = false;
  let operation = 'partial sync';

  const rows = new Map<string, Set<string>>();
  const add = (map: Map<string, Set<string>>, type: string, id: string) => {
    let set = map.get(type);
    if (!set) map.set(type, (set = new Set()));
    set.add(id);
  };
  const source = (type: string, id: string, force: boolean) => {
    if (partitionFor(id, partitions) === partition) {
      own.add(id);
      if (force) forced.add(id);
    } else {
      // keyed differently by its producer: hand it to the owner of its partition
      triggers.push(trigger(feed.name, feed.sourceEntity, id, { type, id }, force));
    }
  };
  for (const m of messages) {
    if (!m.value) continue;
    const v = await input.decoder.decode<ChangeValue>(m.value);
    const e = v.entity;
    if (!e) continue;
    if (v.op === 'r' || v.reason === 'resync') operation = 'full sync';
    else if (v.reason === 'by-ids' && operation === 'partial sync') operation = 'partial resync by ids';
    if (v.op === 't' || e.id === '*') truncate = true;
    else if (e.type === feed.sourceEntity) source(e.type, e.id, v.force === true);
    else if (parseRowEntity(e.type)) add(rows, e.type, e.id);
    else add(others, e.type, e.id);
  }

  // Adobe Commerce: rows named by their version (row_id) are the entities those versions belong to
  for (const [type, ids] of rows) {
    const { link, entity } = parseRowEntity(type)!;
    const entities = await entitiesOfRows(ctx, ctx.catalog[link], [...ids]);
    for (const id of entities) {
      if (entity === feed.sourceEntity) source(type, id, false);
      else add(others, entity, id);
    }
  }

  for (const [type, ids] of others) {
    if (!feed.provider.expand || !feed.expandTypes.includes(type)) {
      ctx.log.warn({ feed: feed.name, entityType: type, ids: ids.size }, 'change names an entity type this feed does not expand; ignored');
      continue;
    }
    const list = [...ids];
    const started = performance.now();
    const expanded = await inChunks(list, input.tuning.batchSize, input.tuning.threads, (chunk) => feed.provider.expand!(type, chunk, ctx), input.heartbeat);
    ctx.profile(`${feed.name}.expand.${type}`, list.length, performance.now() - started);
    const cause = { type, id: list.length === 1 ? list[0]! : `${list[0]}+${list.length - 1}` };
    for (const id of new Set(expanded)) triggers.push(trigger(feed.name, feed.sourceEntity, id, cause, false));
  }

  const ids = [...own];
  const { items: built, failed } = ids.length ? await assembleIds(feed, input.itemType, ids, ctx, input.tuning, input.heartbeat, input.runner) : { items: [], failed: new Set<string>() };
  await input.heartbeat();
  return { ids, forced, failed, built, triggers, truncate, operation };
}

/** The state-dependent rest of a batch: a truncate's triggers (the state's ids among them) and the dedupe. */
export async function finishChanges(input: BatchInput, prepared: PreparedChanges): Promise<BatchOutput> {
  const { feed, state, ctx } = input;
  const { ids, forced, failed, built } = prepared;
  const triggers = [...prepared.triggers];
  let operation = prepared.operation;
  if (prepared.truncate) {
    operation = 'full sync';
    // every id that exists now, plus every id the feed table holds (those gone become deletes at their owner)
    const all = new Set<string>(state.sourceIds());
    for (let after: string | undefined; ; ) {
      const page = await feed.provider.listIds(after, LIST_PAGE, ctx);
      for (const id of page) all.add(id);
      await input.heartbeat();
      if (page.length < LIST_PAGE) break;
      after = page[page.length - 1];
    }
    for (const id of all) triggers.push(trigger(feed.name, feed.sourceEntity, id, { type: 'truncate', id: '*' }, false));
  }
  return { ...dedupe(input, ids.filter((id) => !failed.has(id)), forced, built), triggers, operation };
}

function trigger(feed: string, type: string, id: string, cause: { type: string; id: string }, force: boolean): TriggerRecord {
  return { entity: { type, id, feed }, cause, reason: 'expand', force };
}

/** Items to write: changed or forced ones, and deletes for identities the provider no longer returns. */
export function dedupe(
  input: Pick<BatchInput, 'feed' | 'itemType' | 'state' | 'partition'>,
  ids: string[],
  forced: Set<string>,
  built: BuiltItem[],
): Omit<BatchOutput, 'triggers' | 'operation'> {
  const { feed, state, partition } = input;
  const now = Date.now();
  const produced = new Map<string, BuiltItem>();
  for (const b of built) produced.set(b.feedId, b);
  const items: BatchOutput['items'] = [];
  let deduped = 0;
  let deleted = 0;
  for (const b of produced.values()) {
    if (decide(state.get(b.feedId), b.hash, forced.has(b.sourceEntityId)) === 'dedupe') {
      deduped++;
      continue;
    }
    // every id assembled here belongs to this partition (prepareChanges hands the others on), and so do its items
    items.push({ feedId: b.feedId, sourceEntityId: b.sourceEntityId, hash: b.hash, deleted: false, writtenAt: now, bytes: b.bytes, minimal: b.minimal, partition });
  }
  if (feed.deletedField) {
    for (const id of ids) {
      for (const fid of state.feedIdsOf(id)) {
        if (produced.has(fid)) continue;
        const prev = state.get(fid);
        if (!prev || prev.deleted || prev.minimal === undefined || prev.hash === undefined) continue;
        const raw = { ...minimalObject(prev.minimal, feed.minimalPayload), [feed.deletedField]: true };
        const b = build(feed, input.itemType, id, raw);
        items.push({ feedId: fid, sourceEntityId: id, hash: b.hash, deleted: true, writtenAt: now, bytes: b.bytes, minimal: b.minimal, partition });
        deleted++;
      }
    }
  }
  return { items, processed: produced.size, deduped, deleted };
}

/** What the state remembers of a written item. */
export function remember(state: FeedState, e: WriteItem): void {
  state.applyItem(e.feedId, e.sourceEntityId, e.hash, e.deleted, e.minimal);
}
