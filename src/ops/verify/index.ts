import avro from 'avsc';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { loadSchema } from '../../avro/records.js';
import type { Config } from '../../config/schema.js';
import { isCdcError } from '../../errors.js';
import { assembleChunk, builtItem } from '../../exporter/assemble.js';
import { providerContext } from '../../exporter/context.js';
import { catalogModel } from '../../feeds/common/link.js';
import type { FeedDefinition, FeedItem } from '../../feeds/types.js';
import { topicNames } from '../../kafka/topics.js';
import type { Logger } from '../../log.js';
import type { Metrics } from '../../metrics.js';
import { detectEdition } from '../../mysql/edition.js';
import { createPool, mysqlError } from '../../mysql/pool.js';
import type { RecordDecoder } from '../decoder.js';
import { listIds } from '../resync/ids.js';
import { readTopicsToEnd } from '../topicReader.js';
import { fieldDifferences, identityOf, undelivered, type Finding, type TopicItem, type TopicStatus } from './compare.js';

// `commerce-cdc verify`: the check the fault tests make ("items topic = fresh
// assembly", every final version delivered), as a command an operator runs after
// an incident. It only reads: the database through the feed's provider, the items
// and status topics to their end offsets. Nothing is written or sent.

export interface FeedVerification {
  feed: string;
  /** Source entity ids assembled (all of them, or the --sample). */
  ids: number;
  /** Items the database gives for those ids. */
  items: number;
  /** Latest records of those ids in the items topic (deleted ones included). */
  topicItems: number;
  /** False when the statuses were not checked (publisher.downstream kafka). */
  statusChecked: boolean;
  findings: Finding[];
}

export interface VerifyOptions {
  config: Config;
  log: Logger;
  kafka: Kafka;
  decoder: RecordDecoder;
  feed: FeedDefinition;
  /** Assemble only this many random source ids (and compare only their items). */
  sample?: number;
  timeoutMs?: number;
  metrics?: Metrics;
}

/** Picks n of the ids at random (all of them when n ≥ their number), in their order. */
export function sampleIds(ids: string[], n: number | undefined, random = Math.random): string[] {
  if (n === undefined || n >= ids.length) return ids;
  const picked = new Set<number>();
  while (picked.size < n) picked.add(Math.floor(random() * ids.length));
  return [...picked].sort((a, b) => a - b).map((i) => ids[i]!);
}

export async function verifyFeed(o: VerifyOptions): Promise<FeedVerification> {
  const { config, feed } = o;
  const t = topicNames(config.prefix);
  const statusChecked = config.publisher.downstream === 'http';

  // the topics first: an item written while the database is read is then seen as a difference, never missed
  const items = new Map<string, TopicItem>();
  const statuses = new Map<string, TopicStatus>();
  const decodeItem = async (m: KafkaMessage) => ((await o.decoder.decode(m.value!)).item ?? {}) as FeedItem;
  await readTopicsToEnd(
    o.kafka,
    statusChecked ? [t.items(feed.name), t.status(feed.name)] : [t.items(feed.name)],
    async (topic, _partition, m) => {
      const key = m.key?.toString('utf8') ?? '';
      if (topic === t.items(feed.name)) {
        if (!m.value) return void items.delete(key);
        const r = await o.decoder.decode(m.value);
        // the decoded item is dropped: only differing items are decoded again
        items.set(key, { sourceEntityId: String(r.sourceEntityId), hash: String(r.hash), deleted: r.deleted === true, item: () => decodeItem(m) });
      } else {
        if (!m.value) return void statuses.delete(key);
        const r = await o.decoder.decode(m.value);
        statuses.set(key, { hash: String(r.hash), status: Number(r.status), attempts: Number(r.attempts), error: typeof r.error === 'string' ? r.error : null });
      }
    },
    { groupPrefix: `${config.prefix}.ops.verify`, timeoutMs: o.timeoutMs },
  );

  const db = createPool(config.mysql);
  const findings: Finding[] = [];
  let assembled = 0;
  let ids: string[] = [];
  let inSample = new Set<string>();
  try {
    const edition = await detectEdition(db, config.mysql.tablePrefix, config.mysql.database);
    const ctx = providerContext(db, o.log, config.mysql.tablePrefix, catalogModel(edition.edition));
    const all: string[] = [];
    for await (const page of listIds(feed, ctx, undefined, 50_000)) all.push(...page);
    ids = sampleIds(all, o.sample);
    inSample = new Set(ids);
    const type = avro.Type.forSchema(loadSchema(feed.schemaFile) as avro.Schema);
    const tuning = config.exporter.tuning[feed.name];
    const batchSize = tuning?.batchSize ?? feed.batchSize;
    const seen = new Set<string>();
    for (let i = 0; i < ids.length; i += batchSize) {
      const chunk = ids.slice(i, i + batchSize);
      const r = await assembleChunk(feed, type, chunk, ctx);
      for (const id of r.failed) findings.push({ kind: 'unassembled', feedId: '', sourceEntityId: id, identity: '?', fields: [], detail: 'the provider built an item that does not fit the feed schema (see the log)' });
      for (const b of r.items) {
        assembled++;
        seen.add(b.feedId);
        const want = builtItem(type, b);
        const identity = identityOf(feed, want);
        const got = items.get(b.feedId);
        if (!got) {
          findings.push({ kind: 'missing', feedId: b.feedId, sourceEntityId: b.sourceEntityId, identity, fields: [] });
          continue;
        }
        const fields = got.deleted ? [{ field: feed.deletedField ?? 'deleted', expected: 'false', got: 'true' }] : fieldDifferences(feed, JSON.parse(JSON.stringify(want)) as FeedItem, await got.item());
        if (fields.length) {
          findings.push({ kind: 'differs', feedId: b.feedId, sourceEntityId: b.sourceEntityId, identity, fields });
          continue;
        }
        const why = statusChecked ? undelivered(got.hash, statuses.get(b.feedId)) : undefined;
        if (why) findings.push({ kind: 'undelivered', feedId: b.feedId, sourceEntityId: b.sourceEntityId, identity, fields: [], detail: why });
      }
    }
    // identities of these source ids the topic holds live but the database no longer gives
    const failed = new Set(findings.filter((f) => f.kind === 'unassembled').map((f) => f.sourceEntityId));
    for (const [key, got] of items) {
      if (seen.has(key) || failed.has(got.sourceEntityId) || (o.sample !== undefined && !inSample.has(got.sourceEntityId))) continue;
      if (!got.deleted) {
        findings.push({ kind: 'delete', feedId: key, sourceEntityId: got.sourceEntityId, identity: identityOf(feed, await got.item()), fields: [] });
        continue;
      }
      const why = statusChecked ? undelivered(got.hash, statuses.get(key)) : undefined;
      if (why) findings.push({ kind: 'undelivered', feedId: key, sourceEntityId: got.sourceEntityId, identity: identityOf(feed, await got.item()), fields: [], detail: `(deletion) ${why}` });
    }
  } catch (e) {
    throw isCdcError(e) ? e : mysqlError(e, config.mysql);
  } finally {
    await db.end().catch(() => undefined);
  }
  const topicItems = o.sample === undefined ? items.size : [...items.values()].filter((i) => inSample.has(i.sourceEntityId)).length;
  o.metrics?.verifyDifferences.set({ feed: feed.name }, findings.length);
  o.metrics?.verifyTimestamp.set({ feed: feed.name }, Date.now() / 1000);
  return { feed: feed.name, ids: ids.length, items: assembled, topicItems, statusChecked, findings };
}
