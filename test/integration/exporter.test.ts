// The exporter against the real stack with the scopesWebsite feed: items equal a
// direct provider assembly, dedupe, a changed item, an expansion, a delete, and a
// rebalance between two exporter processes that loses and duplicates nothing.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig, uniqueName, dropDatabase } from '../helpers/stack.js';
import { resolveFeed } from '../../src/feeds/index.js';
import { partitionFor, topicNames } from '../../src/kafka/topics.js';
import { createExporter } from '../../src/exporter/index.js';
import { providerContext } from '../../src/exporter/context.js';
import { build, builtItem } from '../../src/exporter/assemble.js';
import { loadSchema, type ItemEnvelope } from '../../src/avro/records.js';
import avro from 'avsc';
import { createFeedTopics, deps, produceChanges, readTopic, scopesDatabase, sql, waitForGroup, type Deps } from './exporter-helpers.js';

const feed = resolveFeed('scopesWebsite');
const itemType = avro.Type.forSchema(loadSchema(feed.schemaFile) as avro.Schema);

async function directAssembly(d: Deps, ids: string[]) {
  const ctx = providerContext(d.db, d.log, '');
  const items = await feed.provider.assemble(ids, ctx);
  return new Map(items.map((a) => {
    const b = build(feed, itemType, a.sourceEntityId, a.item);
    const item = builtItem(itemType, b);
    return [b.feedId, JSON.parse(JSON.stringify(item)) as unknown];
  }));
}

/** The latest item per feed id, as a compacted topic's reader sees it. */
function latest(records: Array<{ key: string; value: ItemEnvelope }>) {
  const m = new Map<string, ItemEnvelope>();
  for (const r of records) m.set(r.key, r.value);
  return m;
}

const storeCols: Array<[string, 'int' | 'string']> = [['store_id', 'int'], ['code', 'string'], ['website_id', 'int'], ['group_id', 'int']];
const websiteCols: Array<[string, 'int' | 'string']> = [['website_id', 'int'], ['code', 'string']];

describe('exporter (scopesWebsite)', () => {
  let database: string;
  let d: Deps;
  const stops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    database = await scopesDatabase('exporter', 12);
    d = deps(testConfig(database, uniqueName('exp')));
    await createFeedTopics(d, [feed.name]);
  });
  afterAll(async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    await d.db.end();
    await dropDatabase(database);
  });

  const t = () => topicNames(d.config.prefix);
  const group = () => `${d.config.prefix}.exporter.${feed.name}`;
  const items = () => readTopic<ItemEnvelope>(d, t().items(feed.name));

  it('writes one item per identity equal to a direct assembly, then dedupes, updates, expands and deletes', async () => {
    const exporter = createExporter({ ...d, feed });
    stops.push(() => exporter.stop());
    await exporter.start();
    const ids = Array.from({ length: 12 }, (_, i) => String(i + 1));
    await produceChanges(d, feed.name, ids.map((id) => ({ trigger: id })));
    await waitForGroup(d, group(), t().changes(feed.name));

    let records = await items();
    expect(records).toHaveLength(12);
    const expected = await directAssembly(d, ids);
    const got = latest(records);
    expect(new Set(got.keys())).toEqual(new Set(expected.keys()));
    for (const [fid, item] of expected) expect(JSON.parse(JSON.stringify(got.get(fid)!.item))).toEqual(item);
    for (const r of records) expect(r.partition).toBe(partitionFor(r.value.sourceEntityId, d.config.kafka.partitions));

    // the same content again, as envelopes: nothing written
    await produceChanges(d, feed.name, ids.slice(0, 6).map((id) => ({ table: 'store_website', columns: websiteCols, op: 'u' as const, before: { website_id: Number(id), code: `web${id}` }, after: { website_id: Number(id), code: `web${id}` }, entity: { type: 'website', id } })));
    await waitForGroup(d, group(), t().changes(feed.name));
    expect(await items()).toHaveLength(12);

    // a changed website: exactly one new item
    await sql(database, `UPDATE store_website SET code = 'web2-renamed' WHERE website_id = 2`);
    await produceChanges(d, feed.name, [{ table: 'store_website', columns: websiteCols, op: 'u', before: { website_id: 2, code: 'web2' }, after: { website_id: 2, code: 'web2-renamed' }, entity: { type: 'website', id: '2' } }]);
    await waitForGroup(d, group(), t().changes(feed.name));
    records = await items();
    expect(records).toHaveLength(13);
    expect(records.filter((r) => r.value.sourceEntityId === '2').map((r) => r.value.item.websiteCode)).toEqual(['web2', 'web2-renamed']);

    // a store view renamed: the event names a store, expanded to its website: one new item for website 5
    await sql(database, `UPDATE store SET code = 'sv5a-new' WHERE store_id = 109`);
    await produceChanges(d, feed.name, [{ table: 'store', columns: storeCols, op: 'u', before: { store_id: 109, code: 'sv5a', website_id: 5, group_id: 5 }, after: { store_id: 109, code: 'sv5a-new', website_id: 5, group_id: 5 }, entity: { type: 'store', id: '109' } }]);
    await waitForGroup(d, group(), t().changes(feed.name));
    records = await items();
    expect(records).toHaveLength(14);
    const w5 = records.filter((r) => r.value.sourceEntityId === '5').at(-1)!.value.item as { stores: Array<{ storeViews: Array<{ storeViewCode: string }> }> };
    expect(w5.stores[0]!.storeViews.map((v) => v.storeViewCode)).toEqual(['sv5a-new', 'sv5b']);

    // website 3 deleted: a deleted item with the minimal payload
    await sql(database, `DELETE FROM store WHERE website_id = 3`);
    await sql(database, `DELETE FROM store_group WHERE website_id = 3`);
    await sql(database, `DELETE FROM store_website WHERE website_id = 3`);
    await produceChanges(d, feed.name, [{ table: 'store_website', columns: websiteCols, op: 'd', before: { website_id: 3, code: 'web3' }, after: null, entity: { type: 'website', id: '3' } }]);
    await waitForGroup(d, group(), t().changes(feed.name));
    records = await items();
    expect(records).toHaveLength(15);
    const del = records.at(-1)!.value.sourceEntityId === '3' ? records.at(-1)! : records.filter((r) => r.value.deleted)[0]!;
    expect(del.value.deleted).toBe(true);
    expect(JSON.parse(JSON.stringify(del.value.item))).toEqual({ websiteId: '3', websiteCode: 'web3', stores: null, deleted: true });

    // a delete is not repeated; a forced trigger rewrites an unchanged item
    await produceChanges(d, feed.name, [{ trigger: '3' }, { trigger: '4', force: true }]);
    await waitForGroup(d, group(), t().changes(feed.name));
    records = await items();
    expect(records).toHaveLength(16);
    expect(records.filter((r) => r.value.sourceEntityId === '4')).toHaveLength(2);
    await exporter.stop();
  });

  it('restores its state on restart and across a rebalance between two processes: nothing lost, nothing duplicated', async () => {
    const a = createExporter({ ...d, feed });
    stops.push(() => a.stop());
    await a.start();
    const before = (await items()).length;
    // restarted with the state from the topics: the same content writes nothing
    await produceChanges(d, feed.name, ['1', '2', '4', '5', '6'].map((id) => ({ trigger: id })));
    await waitForGroup(d, group(), t().changes(feed.name));
    expect(await items()).toHaveLength(before);

    const t0 = Date.now();
    const b = createExporter({ ...d, feed });
    stops.push(() => b.stop());
    const ids = ['1', '2', '4', '5', '6', '7', '8', '9', '10', '11', '12'];
    let version = 0;
    void version;
    const bStarted = b.start();
    // changes keep coming while the group rebalances
    for (let round = 0; round < 4; round++) {
      version++;
      await sql(database, `UPDATE store_website SET code = ? WHERE website_id = ?`, [`web1-v${version}`, 1]);
      await produceChanges(d, feed.name, ids.map((id) => ({ trigger: id })));
      if (round === 1) await bStarted;
      await new Promise((r) => setTimeout(r, 300));
    }
    await bStarted;
    await waitForGroup(d, group(), t().changes(feed.name));
    const records = await items();
    const expected = await directAssembly(d, ids);
    const got = latest(records);
    for (const [fid, item] of expected) expect(JSON.parse(JSON.stringify(got.get(fid)!.item))).toEqual(item);
    // website 1 changed 4 times: at most 4 more versions (a batch may see two changes at once), the others none
    const w1 = records.filter((r) => r.value.sourceEntityId === '1').length;
    expect(w1).toBeGreaterThanOrEqual(2);
    expect(w1).toBeLessThanOrEqual(5);
    expect(records.length - w1).toBe(before - 1);
    // consecutive versions of an item always differ: nothing written twice
    // (the forced rewrite of the first test excepted)
    const lastHash = new Map<string, string>();
    for (const r of records) {
      if (r.value.writtenAt >= t0) expect(r.value.hash).not.toBe(lastHash.get(r.key));
      lastHash.set(r.key, r.value.hash);
    }
    await b.stop();
    await a.stop();
  });

  it('reads only the topics past its stores\' checkpoints after a restart; an emptied state directory is rebuilt from them', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => String(i + 1));
    const restart = async () => {
      const e = createExporter({ ...d, feed });
      await e.start();
      // a trigger per id reaches every partition: each is restored before its first batch
      await produceChanges(d, feed.name, ids.map((id) => ({ trigger: id })));
      await waitForGroup(d, group(), t().changes(feed.name));
      const read = [0, 1, 2].reduce((n, p) => n + e.restoredRecords(p), 0);
      await e.stop();
      return read;
    };
    // the first start after the rebalance test may rebuild a partition (its store was dropped when it moved)
    await restart();
    const records = await items();
    // everything is in the stores now: the next start reads nothing
    expect(await restart()).toBe(0);
    expect(await items()).toHaveLength(records.length);
    rmSync(join(d.config.exporter.stateDir, d.config.prefix), { recursive: true, force: true });
    const rebuilt = await restart();
    expect(rebuilt).toBeGreaterThanOrEqual(latest(records).size);
    expect(rebuilt).toBeLessThanOrEqual(records.length);
    // and the rebuilt state dedupes as the old one did
    expect(await items()).toHaveLength(records.length);
  });
});
