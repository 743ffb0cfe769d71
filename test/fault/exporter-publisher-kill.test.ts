// kill -9 the exporter and the publisher processes (dist/, so `npm run build`
// first) over and over while entities keep changing. Afterwards the items topic
// must equal a fresh full assembly and the receiver must hold the final version
// of every item: no change lost across the crashes. On Open Source websites are
// renamed (scopesWebsite); on Adobe Commerce category names change in the current
// version's row_id-keyed values (categories), so the exporter reads staged rows.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase, ROOT, stackEnv, testConfig, uniqueName } from '../helpers/stack.js';
import { canonical } from '../helpers/e2e.js';
import { faultSummary, killAndWait, recordSelfExit, versionsUnderTwoKeys } from '../helpers/processes.js';
import { catalogModel, currentOnly, type Edition } from '../../src/feeds/common/link.js';
import { feedId } from '../../src/feeds/hash.js';
import { resolveFeed } from '../../src/feeds/index.js';
import type { FeedDefinition } from '../../src/feeds/types.js';
import { createCommerceDatabase } from '../helpers/commerce.js';
import { EDITIONS } from '../helpers/editions.js';
import { topicNames } from '../../src/kafka/topics.js';
import { build, builtItem } from '../../src/exporter/assemble.js';
import { providerContext } from '../../src/exporter/context.js';
import { loadSchema, type ItemEnvelope } from '../../src/avro/records.js';
import { startReceiver, type Receiver } from '../../src/tools/receiver/index.js';
import { createFeedTopics, deps, produceChanges, readTopic, scopesDatabase, sql, waitForGroup, type Deps } from '../integration/exporter-helpers.js';

const KILLS = 10;

interface Case {
  feed: FeedDefinition;
  /** The source entity type of the triggers. */
  type: string;
  database(): Promise<string>;
  /** Changes entity `id` to carry `version`. */
  change(database: string, id: string, version: number): Promise<void>;
}

const CASES: Record<Edition, Case> = {
  opensource: {
    feed: resolveFeed('scopesWebsite'),
    type: 'website',
    database: () => scopesDatabase('kill', 80),
    change: (database, id, version) => sql(database, `UPDATE store_website SET code = ? WHERE website_id = ?`, [`web${id}-v${version}`, Number(id)]),
  },
  commerce: {
    feed: resolveFeed('categories'),
    type: 'category',
    database: () => createCommerceDatabase('killc', { categories: 40, storeViews: 2, websites: 1, products: 20, configurables: 1, orders: 0, stagingUpdates: false }, 'commerce'),
    // the store-0 name of the category's current version (the row the storefront shows)
    change: (database, id, version) =>
      sql(
        database,
        `UPDATE catalog_category_entity_varchar v JOIN catalog_category_entity e ON e.row_id = v.row_id
            JOIN eav_attribute a ON a.attribute_id = v.attribute_id AND a.attribute_code = 'name' AND a.entity_type_id = 3
            SET v.value = ? WHERE e.entity_id = ? AND v.store_id = 0${currentOnly({ t: (x) => x }, catalogModel('commerce').category, 'e')}`,
        [`Category ${id} v${version}`, Number(id)],
      ),
  },
};

describe.each(EDITIONS)('exporter and publisher survive kill -9 mid-batch (%s)', (edition) => {
  const { feed, type } = CASES[edition];
  let database: string;
  let d: Deps;
  let receiver: Receiver;
  let configFile: string;
  const procs: Record<'exporter' | 'publisher', ChildProcess | undefined> = { exporter: undefined, publisher: undefined };
  let logs = '';
  /** Processes that ended without being killed: an exporter or publisher must never die on its own. */
  const selfExits: string[] = [];
  let stopping = false;

  const startProc = (kind: 'exporter' | 'publisher') => {
    const p = spawn(process.execPath, [`${ROOT}dist/cli/index.js`, '-c', configFile, kind, '--feed', feed.name], {
      cwd: ROOT,
      env: { ...process.env, CDC_RETRY_SCALE: '0.2' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    p.stderr!.on('data', (b: Buffer) => (logs = (logs + b.toString()).slice(-20_000)));
    recordSelfExit(p, kind, selfExits, () => stopping);
    procs[kind] = p;
  };
  const kill9 = (kind: 'exporter' | 'publisher') => killAndWait(procs[kind]);

  beforeAll(async () => {
    database = await CASES[edition].database();
    receiver = await startReceiver();
    const config = testConfig(database, uniqueName('kill'), {
      kafka: { brokers: stackEnv.brokers, partitions: 3, sessionTimeoutMs: 6000 },
      publisher: { baseUrl: receiver.url, batchSize: 10, concurrency: 2, timeoutMs: 2000, retryInitialMs: 50, retryMaxMs: 500 },
      dashboard: { enabled: false },
    });
    d = { ...deps(config), catalog: catalogModel(edition) };
    await createFeedTopics(d, [feed.name]);
    const dir = mkdtempSync(join(tmpdir(), 'cdc-kill-'));
    configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(config));
  });
  afterAll(async () => {
    stopping = true;
    await kill9('exporter');
    await kill9('publisher');
    await receiver?.close();
    await d?.db.end();
    if (database) await dropDatabase(database);
  });

  it(`kills each ${KILLS} times under a write load; items equal a fresh assembly and downstream has every final version`, async () => {
    const started = Date.now();
    const ctx = providerContext(d.db, d.log, '', d.catalog);
    const ids = await feed.provider.listIds(undefined, 10_000, ctx);
    expect(ids.length).toBeGreaterThan(30);
    startProc('exporter');
    startProc('publisher');
    await produceChanges(d, feed.name, ids.map((id) => ({ trigger: id, type })));

    let version = 0;
    let load = true;
    // the write load: a few websites renamed and announced every 100 ms
    const writer = (async () => {
      while (load) {
        version++;
        const changed = Array.from({ length: 5 }, () => ids[Math.floor(Math.random() * ids.length)]!);
        for (const id of new Set(changed)) await CASES[edition].change(database, id, version);
        await produceChanges(d, feed.name, [...new Set(changed)].map((id) => ({ trigger: id, type })));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    for (let i = 0; i < KILLS; i++) {
      for (const kind of ['exporter', 'publisher'] as const) {
        // let it join and work for a while, then kill it wherever it is
        await new Promise((r) => setTimeout(r, 1500 + Math.random() * 2500));
        await kill9(kind);
        startProc(kind);
      }
    }
    // renames of one website that meet in one batch arrive as one version, so how many
    // versions the kills let through depends on timing: keep the load on (60 s at most)
    // until more than two per website have arrived, then check that below
    const identities = (await feed.provider.assemble(ids, ctx)).length;
    for (const until = Date.now() + 60_000; receiver.items.length <= identities * 2 && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 500));
    }
    load = false;
    await writer;
    // the survivors finish the work
    const t = topicNames(d.config.prefix);
    try {
      await waitForGroup(d, `${d.config.prefix}.exporter.${feed.name}`, t.changes(feed.name), 120_000);
      await waitForGroup(d, `${d.config.prefix}.publisher.${feed.name}`, t.items(feed.name), 120_000);
    } catch (e) {
      // what the processes were doing: whether they still run, and their last log lines
      const state = Object.entries(procs).map(([k, p]) => `${k} ${p?.exitCode === null ? 'running' : `exited ${p?.exitCode ?? '?'} ${p?.signalCode ?? ''}`}`);
      throw new Error(`${(e as Error).message} (${state.join(', ')}; died on their own: ${selfExits.length ? selfExits.join('\n') : 'none'})\n${logs.split('\n').slice(-40).join('\n')}`);
    }

    expect(selfExits, 'processes that died on their own').toEqual([]);
    const itemType = avro.Type.forSchema(loadSchema(feed.schemaFile) as avro.Schema);
    const fresh = new Map((await feed.provider.assemble(ids, ctx)).map((a) => {
      const b = build(feed, itemType, a.sourceEntityId, a.item);
      const item = builtItem(itemType, b);
      return [b.feedId, JSON.parse(JSON.stringify(item)) as Record<string, unknown>];
    }));
    const latest = new Map<string, ItemEnvelope>();
    const records = await readTopic<ItemEnvelope>(d, t.items(feed.name));
    for (const r of records) latest.set(r.key, r.value);
    expect(latest.size).toBe(fresh.size);
    const comparable = (item: Record<string, unknown> | undefined) => item && Object.fromEntries(Object.entries(item).filter(([k]) => !feed.hashExclude.includes(k)));
    for (const [fid, item] of fresh) expect(comparable(JSON.parse(JSON.stringify(latest.get(fid)?.item)) as Record<string, unknown>)).toEqual(comparable(item));

    const downstream = new Map<string, Record<string, unknown>>();
    for (const r of receiver.items) downstream.set(feedId(r.item, feed.identity), r.item);
    // doubled: versions accepted under two idempotency keys (a killed publisher's batch may be cut differently when re-read)
    faultSummary('exporter-publisher-kill', {
      changes: version,
      lost: [...fresh].filter(([fid, item]) => canonical(comparable(downstream.get(fid))) !== canonical(comparable(item))).length,
      doubled: versionsUnderTwoKeys(receiver.items, canonical).length,
      seconds: (Date.now() - started) / 1000,
    });
    expect(downstream.size).toBe(fresh.size);
    for (const [fid, item] of fresh) expect(comparable(downstream.get(fid))).toEqual(comparable(item));
    expect(version).toBeGreaterThan(20);
    // the load went through while processes died: many versions arrived, not just the first ones
    expect(receiver.items.length).toBeGreaterThan(fresh.size * 2);
    expect(logs).not.toMatch(/INTERNAL/);
    // the operator's check after an incident says the same: equal, every final version delivered (exit 0)
    const verify = await promisify(execFile)(process.execPath, [`${ROOT}dist/cli/index.js`, '-c', configFile, 'verify', '--feed', feed.name], { cwd: ROOT }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(verify.stdout, `verify: ${verify.stderr}`).toContain(`${feed.name}: ${ids.length} source id(s), ${fresh.size} item(s) assembled, ${fresh.size} in the items topic: equal`);
  });
});
