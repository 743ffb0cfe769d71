// Benchmarks of the machinery on a seeded catalog (products feed):
//   exporter.resync.items_per_s   every product id as a trigger; an exporter process assembles, dedupes and
//                                 writes all items (products × store views) to the items topic
//   exporter.rss_mb               peak RSS (VmHWM) of that exporter process
//   exporter.resync.products.vs_sql
//                                 the products provider's SQL alone for the same id batches (lib-sql.ts), its
//                                 time over the resync's (goal >= 0.5); .sql_items_per_s is that limit's rate
//   publisher.replay.items_per_s  a publisher process sends the whole items topic to a local receiver
//   publisher.replay.vs_raw       its items/s over .raw_items_per_s: a plain sender posting the same gzip bodies
//                                 (captured at the receiver) to the same receiver, same concurrency (lib-raw.ts)
//   exporter.resync.commerce.items_per_s, exporter.resync.commerce.vs_opensource
//                                 the same resync on the same catalog in the Adobe Commerce (content staging)
//                                 shape, and its ratio to the Open Source resync of this run
//   e2e.steady.p99_commit_to_downstream_ms
//                                 `run` (reader, exporter, publisher) while product names change at a steady
//                                 rate (BENCH_RATE): time from the SQL commit to the item arriving downstream;
//                                 the bench fails, naming them, when any update is missing downstream
// BENCH_PRODUCTS (100000), BENCH_RATE (2000 updates/s), BENCH_STEADY_SECONDS (20), BENCH_PROF (a directory for CPU profiles), BENCH_PHASES (resync,replay,commerce,steady: the ones to run). The seeded databases are
// kept (bench_exporter_<products>, bench_exporter_commerce_<products>) and reused when complete.
import mysql from 'mysql2/promise';
import { topicNames } from '../../kafka/topics.js';
import { resolveFeed } from '../../feeds/index.js';
import { startReceiver, type Receiver } from '../receiver/index.js';
import { cpuWindow, printCpu, stackPids } from './lib-cpu.js';
import { printSqlLimit } from './lib-sql.js';
import { rawSendRate, type RawBody } from './lib-raw.js';
import { adminOptions, ensureCatalog, openBenchRun, resyncThroughExporter, spawnCli, stopChild, threadCpu, waitForGroup, waitForMembers } from './lib-resync.js';
import type { Admin, Kafka } from 'kafkajs';
import type { Config } from '../../config/schema.js';
import type { ProviderContext } from '../../feeds/types.js';

const env = process.env;
const PRODUCTS = Number(env.BENCH_PRODUCTS ?? 100_000);
const RATE = Number(env.BENCH_RATE ?? 2000);
const STEADY_SECONDS = Number(env.BENCH_STEADY_SECONDS ?? 20);
const database = `bench_exporter_${PRODUCTS}`;
const feed = resolveFeed('products');

const SEED = { seed: 5, websites: 3, storeViews: 3, customerGroups: 4, attributes: 10, categories: 100, products: PRODUCTS, configurables: 0.05, childrenPerConfigurable: 3, orders: 0 };

/** What the receiver calls for each item (the steady state sets it). */
interface OnItem {
  fn: ((item: Record<string, unknown>) => void) | undefined;
  /** Request bodies as they came on the wire, kept while the publisher replays. */
  bodies: RawBody[] | undefined;
}

/** exporter.resync.items_per_s, exporter.rss_mb, publisher.replay.items_per_s */
async function resyncAndReplay(o: { config: Config; configFile: string; ctx: ProviderContext; kafka: Kafka; admin: Admin; receiver: Receiver; onItem: OnItem }, replay: boolean): Promise<number> {
  const { config, configFile, kafka, admin, receiver } = o;
  const t = topicNames(config.prefix);
  // every product id as a trigger, a running exporter process writing the items topic
  const resync = await resyncThroughExporter({ config, configFile, feed, ctx: o.ctx, kafka, admin });
  console.log(`exporter: ${resync.ids} products → ${resync.items} items in ${resync.seconds.toFixed(1)} s through a running exporter`);
  const rate = resync.items / resync.seconds;
  console.log(`BENCH exporter.resync.items_per_s=${Math.round(rate)}`);
  console.log(`BENCH exporter.rss_mb=${Math.round(resync.rssMb)}`);
  printCpu('exporter.resync', resync.cpu, resync.items);
  await printSqlLimit(config, feed, o.ctx, resync);
  if (!replay) return rate;

  // the whole items topic to the local receiver, timed from the publisher's group join (what arrived before
  // is not counted) until its committed offsets reach the topic's end, less the last transaction marker
  const itemsEnd = await admin.fetchTopicOffsets(t.items(feed.name));
  const bodies: RawBody[] = [];
  o.onItem.bodies = bodies;
  const publisher = spawnCli(configFile, ['publisher', '--feed', feed.name]);
  const groupId = `${config.prefix}.publisher.${feed.name}`;
  await waitForMembers(admin, groupId, publisher);
  const replayStart = performance.now();
  // the receiver runs in this process
  const endCpu = cpuWindow({ publisher: publisher.pid!, ...stackPids() }, 'receiver');
  const before = receiver.accepted();
  await waitForGroup(admin, groupId, t.items(feed.name), itemsEnd, { slack: 1, child: publisher });
  const replaySeconds = (performance.now() - replayStart) / 1000;
  const cpu = endCpu();
  if (env.BENCH_DEBUG) console.log(`publisher threads (CPU s): ${threadCpu(publisher.pid!)}`);
  const items = receiver.accepted();
  if (items !== resync.items) console.log(`warning: the receiver accepted ${items} items, the items topic holds ${resync.items}`);
  console.log(`publisher: ${items} items, ${items - before} of them in ${replaySeconds.toFixed(1)} s after the group join`);
  printCpu('publisher.replay', cpu, items - before);
  await stopChild(publisher);
  o.onItem.bodies = undefined;

  // the limit: the same gzip bodies posted again by a plain sender, same receiver, same concurrency
  const concurrency = config.exporter.tuning[feed.name]?.publishConcurrency ?? config.publisher.concurrency;
  const endRawCpu = cpuWindow(stackPids(), 'receiver+sender');
  const raw = await rawSendRate(receiver.url, bodies, concurrency);
  const rawCpu = endRawCpu();
  const publisherRate = (items - before) / replaySeconds;
  const rawRate = raw.items / raw.seconds;
  console.log(`plain sender: ${bodies.length} bodies, ${raw.items} items in ${raw.seconds.toFixed(1)} s, ${concurrency} at once`);
  console.log(`BENCH publisher.replay.items_per_s=${Math.round(publisherRate)}`);
  console.log(`BENCH publisher.replay.raw_items_per_s=${Math.round(rawRate)}`);
  console.log(`BENCH publisher.replay.vs_raw=${(publisherRate / rawRate).toFixed(2)}`);
  printCpu('publisher.replay.raw', rawCpu, raw.items);
  return rate;
}

/**
 * exporter.resync.commerce.items_per_s and .vs_opensource: the products resync of the same catalog (same seed)
 * in the Adobe Commerce shape, where every value is read by the current version's row_id, against this run's
 * Open Source resync.
 */
async function commerceResync(openSourceRate: number, receiverUrl: string): Promise<void> {
  const commerceDb = `bench_exporter_commerce_${PRODUCTS}`;
  await ensureCatalog(commerceDb, { ...SEED, edition: 'commerce' });
  const { config, configFile, kafka, admin, ctx, close } = await openBenchRun({ prefix: `bench.${Date.now().toString(36)}c`, database: commerceDb, feeds: [feed], receiverUrl, edition: 'commerce' });
  try {
    const resync = await resyncThroughExporter({ config, configFile, feed, ctx, kafka, admin });
    const rate = resync.items / resync.seconds;
    console.log(`exporter (Adobe Commerce): ${resync.ids} products → ${resync.items} items in ${resync.seconds.toFixed(1)} s through a running exporter`);
    console.log(`BENCH exporter.resync.commerce.items_per_s=${Math.round(rate)}`);
    if (openSourceRate > 0) console.log(`BENCH exporter.resync.commerce.vs_opensource=${(rate / openSourceRate).toFixed(2)}`);
    printCpu('exporter.resync.commerce', resync.cpu, resync.items);
  } finally {
    await close();
  }
}

async function main(): Promise<void> {
  await ensureCatalog(database, SEED);
  const onItem: OnItem = { fn: undefined, bodies: undefined };
  const receiver = await startReceiver({
    keepItems: false,
    onItem: (_route, item) => onItem.fn?.(item),
    onBody: (route, body, contentEncoding, items) => onItem.bodies?.push({ route, body, contentEncoding, items }),
  });
  const { config, configFile, kafka, admin, ctx, close } = await openBenchRun({ prefix: `bench.${Date.now().toString(36)}`, database, feeds: [feed], receiverUrl: receiver.url });
  const phases = new Set((env.BENCH_PHASES ?? 'resync,replay,commerce,steady').split(','));
  const openSourceRate = phases.has('resync') ? await resyncAndReplay({ config, configFile, ctx, kafka, admin, receiver, onItem }, phases.has('replay')) : 0;
  if (phases.has('commerce')) await commerceResync(openSourceRate, receiver.url);
  if (phases.has('steady')) await steadyState(config, configFile, onItem, admin);
  await close();
  await receiver.close();
}

/**
 * e2e.steady.p99_commit_to_downstream_ms: `run` while product names change at RATE/s, each update a name unique
 * to it, written on a pool so that the rate holds however long one commit takes. Every update must arrive
 * downstream, or a later one of the same product and store view (the item holds the newer name): the bench
 * fails, naming the missing ones, when any does not.
 */
async function steadyState(config: Config, configFile: string, onItem: OnItem, admin: Admin): Promise<void> {
  const { prefix } = config;
  const t = topicNames(prefix);
  const run = spawnCli(configFile, ['run', '--feeds', feed.name]);
  const adminDb = await mysql.createConnection({ ...adminOptions, database });
  const writers = mysql.createPool({ ...adminOptions, database, connectionLimit: 16 });
  try {
    const [[nameAttr]] = (await adminDb.query(`SELECT attribute_id FROM eav_attribute WHERE attribute_code = 'name' AND entity_type_id = 4`)) as unknown as [[{ attribute_id: number }]];
    // one (product, store view) per update when the catalog has enough of them
    const [pairs] = (await adminDb.query(`SELECT pw.product_id, s.store_id FROM catalog_product_website pw JOIN store s ON s.website_id = pw.website_id AND s.store_id <> 0 ORDER BY pw.product_id, s.store_id LIMIT ?`, [
      Math.max(1000, RATE * STEADY_SECONDS),
    ])) as unknown as [Array<{ product_id: number; store_id: number }>];
    const setName = (pair: { product_id: number; store_id: number }, name: string) =>
      writers.query(`INSERT INTO catalog_product_entity_varchar (attribute_id, store_id, entity_id, value) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value)`, [nameAttr.attribute_id, pair.store_id, pair.product_id, name]);
    // names unique to this run: writing a value the row already holds (an earlier run's) changes nothing, so
    // MariaDB logs no row event and nothing can arrive
    const arrivedAt = new Map<string, number>();
    onItem.fn = (item) => {
      if (typeof item.name === 'string' && !arrivedAt.has(item.name)) arrivedAt.set(item.name, Date.now());
    };
    // wait until the pipeline answers: one change arrives
    for (let probe = 0; ; probe++) {
      const name = `warmup ${prefix} ${probe}`;
      await setName(pairs[probe % pairs.length]!, name);
      await new Promise((r) => setTimeout(r, 1000));
      if (arrivedAt.has(name)) break;
      if (run.exitCode !== null) throw new Error('run exited');
      if (probe > 300) throw new Error('the pipeline never delivered a change');
    }
    if (env.BENCH_DEBUG) console.log('changes offsets before steady', (await admin.fetchTopicOffsets(t.changes(feed.name))).map((x) => x.offset).join(','));

    // the updates: every 5 ms those due by then, all sent at once; each one's time is its commit's answer
    const updates: Array<{ name: string; pair: number; committedAt: number }> = [];
    const inflight = new Set<Promise<unknown>>();
    const steadyStart = Date.now();
    while (Date.now() - steadyStart < STEADY_SECONDS * 1000) {
      const due = Math.floor(((Date.now() - steadyStart) / 1000) * RATE);
      while (updates.length < due) {
        const u = { name: `steady ${prefix} ${updates.length}`, pair: updates.length % pairs.length, committedAt: NaN };
        updates.push(u);
        const q = setName(pairs[u.pair]!, u.name).then(() => (u.committedAt = Date.now()));
        inflight.add(q);
        void q.finally(() => inflight.delete(q));
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(inflight);
    const writeSeconds = (Date.now() - steadyStart) / 1000;
    if (env.BENCH_DEBUG) console.log('changes offsets after steady', (await admin.fetchTopicOffsets(t.changes(feed.name))).map((x) => x.offset).join(','));

    // an update is covered when its name arrived or a later update of the same pair did
    const latestOfPair = new Map<number, number>();
    updates.forEach((u, i) => latestOfPair.set(u.pair, i));
    const latest = [...latestOfPair.values()].map((i) => updates[i]!.name);
    // wait while the last names keep arriving; 15 s without a new one ends the wait
    let seen = arrivedAt.size;
    let lastProgress = Date.now();
    while (latest.some((n) => !arrivedAt.has(n)) && Date.now() - lastProgress < 15_000) {
      await new Promise((r) => setTimeout(r, 100));
      if (arrivedAt.size !== seen) [seen, lastProgress] = [arrivedAt.size, Date.now()];
    }
    const missing = latest.filter((n) => !arrivedAt.has(n));
    const latencies = updates.filter((u) => arrivedAt.has(u.name)).map((u) => arrivedAt.get(u.name)! - u.committedAt);
    const superseded = updates.length - latencies.length - missing.length;
    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
    const rate = updates.length / writeSeconds;
    console.log(
      `steady: ${updates.length} updates in ${writeSeconds.toFixed(1)} s (${rate.toFixed(0)}/s, asked ${RATE}/s) on ${pairs.length} product/store pairs, ${latencies.length} arrived, ${superseded} superseded by a later one that arrived, ${missing.length} missing; p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, max ${latencies.at(-1)} ms`,
    );
    if (missing.length) throw new Error(`e2e.steady: ${missing.length} of ${updates.length} updates never arrived downstream (nor a later one of their product and store view): ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`);
    console.log(`BENCH e2e.steady.updates_per_s=${Math.round(rate)}`);
    console.log(`BENCH e2e.steady.p99_commit_to_downstream_ms=${p(0.99)}`);
  } finally {
    onItem.fn = undefined;
    await writers.end();
    await adminDb.end();
    await stopChild(run);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
