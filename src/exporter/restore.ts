// Opening a partition's feed state on acquisition: its store under exporter.stateDir,
// checked against the items and status topics. A checkpoint is usable while every
// record past it is still in the topics: not beyond a partition's end (the topic was
// recreated, or the store belongs to another cluster) and not below its log start
// (records deleted by retention). Compaction only removes a record that a later one
// with the same key replaces, and that one is past the checkpoint too.
import { resolve } from 'node:path';
import type { Admin } from 'kafkajs';
import type { Config } from '../config/schema.js';
import { CdcError } from '../errors.js';
import type { FeedDefinition } from '../feeds/types.js';
import type { Logger } from '../log.js';
import { FeedState } from './state.js';
import { PartitionStore, type Checkpoint, type Rejection } from './store.js';

const WHY: Record<Rejection, string> = {
  missing: 'no store yet',
  corrupt: 'the store cannot be read',
  identity: 'the store was made for another prefix, feed, partition or partition count',
  format: 'the store has an older layout',
  stale: 'its checkpoint is beyond the topics\' end or below their log start',
  locked: 'another live exporter holds the store: this one rebuilds a private copy',
};

export async function openPartitionState(o: {
  config: Config;
  feed: FeedDefinition;
  admin: Admin;
  topics: { items: string; status: string };
  partition: number;
  log: Logger;
}): Promise<{ state: FeedState; target: Checkpoint }> {
  const { config, partition } = o;
  const stateDir = resolve(config.exporter.stateDir);
  let store: PartitionStore;
  try {
    store = PartitionStore.open(stateDir, { prefix: config.prefix, feed: o.feed.name, partition, partitions: config.kafka.partitions });
  } catch (e) {
    throw new CdcError('STATE_DIR_UNWRITABLE', `cannot open the feed state store under ${stateDir}: ${(e as Error).message}`, {
      fix: 'set exporter.stateDir (CDC_EXPORTER_STATE_DIR) to a writable directory on a local disk',
      cause: e,
    });
  }
  const [items, status] = await Promise.all([o.admin.fetchTopicOffsets(o.topics.items), o.admin.fetchTopicOffsets(o.topics.status)]);
  const at = (list: typeof items) => {
    const x = list.find((p) => p.partition === partition);
    return { low: Number(x?.low ?? 0), high: Number(x?.high ?? 0), end: Number(x?.offset ?? 0) };
  };
  const it = at(items);
  const st = at(status);
  const cp = store.checkpoint;
  if (!store.rejected && (cp.items > it.high || cp.status > st.high || cp.items < it.low || cp.status < st.low)) store.reset('stale');
  if (store.rejected) {
    // an empty store holds everything below the log start: there is nothing there to read
    if (it.low > 0 || st.low > 0) store.write([], { items: it.low, status: st.low });
    const level = store.rejected === 'missing' ? 'info' : 'warn';
    o.log[level]({ code: 'STATE_REBUILT', partition, reason: store.rejected, dir: store.dir, checkpoint: cp }, `feed state of partition ${partition} rebuilt from the items and status topics: ${WHY[store.rejected]}`);
  } else {
    o.log.info({ partition, checkpoint: cp, dir: store.dir }, 'feed state store opened: reading the topics past its checkpoint');
  }
  return { state: new FeedState(store, config.exporter.stateCacheItems), target: { items: it.end, status: st.end } };
}
