// The exporter's feed state at catalog sizes no seeded database reaches here (no catalog needed):
// the products feed's three partition stores filled with BENCH_STATE_ITEMS (1000000,5000000)
// synthetic products-shaped items (ItemState of a product x store view: a SHA-1, a status, the
// minimal payload), checkpointed at the topics' end as an exporter leaves them, then an exporter
// process started on them and timed from spawn until a live change in each partition is committed.
//   exporter.state.rss_mb_per_million_items  RSS growth of that process between the smallest and largest size, per million items
//   exporter.state.restart_to_streaming_s    spawn to every partition streaming, at the largest size
//   exporter.state.restart_vs_items          that time at the largest size ÷ at the smallest
// The stores are written straight (what the items topic would rebuild); the restart reads only past
// their checkpoints, which is the path a restart takes.
import { mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { resolveFeed } from '../../feeds/index.js';
import { ensureTopics, partitionFor, topicNames } from '../../kafka/topics.js';
import { createClients, topicSpecs } from '../../connector.js';
import { createLogger } from '../../log.js';
import { PartitionStore } from '../../exporter/store.js';
import { TriggerWriter } from '../../ops/resync/write.js';
import { benchConfig, ensureCatalog, spawnCli, stopChild, waitForGroup } from './lib-resync.js';
import type { ItemState } from '../../exporter/state.js';

const env = process.env;
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SIZES = (env.BENCH_STATE_ITEMS ?? '1000000,5000000').split(',').map(Number);
const STORE_VIEWS = ['default', 'fr', 'de'];
const feed = resolveFeed('products');
const database = 'bench_state';

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function duMb(dir: string): number {
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) bytes += e.isDirectory() ? duMb(join(dir, e.name)) * 1048576 : statSync(join(dir, e.name)).size;
  return bytes / 1048576;
}

/** N items (products x 3 store views) into the partition stores, in transactions of 10,000. */
async function fill(stateDir: string, prefix: string, n: number): Promise<number> {
  const started = performance.now();
  const stores = [0, 1, 2].map((partition) => PartitionStore.open(stateDir, { prefix, feed: feed.name, partition, partitions: 3 }));
  const pending: Array<Array<{ feedId: string; state: ItemState }>> = [[], [], []];
  const flush = (p: number) => {
    stores[p]!.write(pending[p]!, { items: 0, status: 0 });
    pending[p] = [];
  };
  for (let i = 0; i < n; i++) {
    const product = String(100000 + Math.floor(i / STORE_VIEWS.length));
    const view = STORE_VIEWS[i % STORE_VIEWS.length]!;
    const p = partitionFor(product, 3);
    const hash = createHash('sha1').update(`${product}/${view}`).digest('hex');
    pending[p]!.push({
      feedId: `${product}/${view}`,
      state: { hash, sourceEntityId: product, deleted: false, status: 200, statusHash: hash, minimal: `["${product}","SKU-${product}","${view}","main_website_store","base","2026-01-01 00:00:00"]` },
    });
    if (pending[p]!.length >= 10_000) flush(p);
  }
  for (const p of [0, 1, 2]) flush(p);
  await Promise.all(stores.map((s) => s.close()));
  return (performance.now() - started) / 1000;
}

async function restart(n: number): Promise<{ seconds: number; rss: number }> {
  const prefix = `bench_state_${n}_${Date.now().toString(36)}`;
  const stateDir = join(ROOT, '.bench', 'state');
  const config = { ...benchConfig(prefix, database, [feed.name]) };
  const cfg = { ...config, exporter: { ...config.exporter, stateDir } };
  const log = createLogger({ level: 'warn' });
  const clients = createClients(cfg, log);
  const admin = clients.kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, topicSpecs(cfg, [feed]), 1);
    const fillS = await fill(stateDir, prefix, n);
    console.log(`state: ${n} items into 3 partition stores in ${fillS.toFixed(1)} s (${Math.round(n / fillS)}/s), ${duMb(join(stateDir, prefix)).toFixed(0)} MB on disk`);
    const configFile = join(ROOT, '.bench', `state-${prefix}.json`);
    writeFileSync(configFile, JSON.stringify(cfg));
    // one live change per partition, written before the process starts: timed until all are committed
    const live: string[] = [];
    for (let id = 900_000_000; live.length < 3; id++) if (!live.some((x) => partitionFor(x, 3) === partitionFor(String(id), 3))) live.push(String(id));
    const t = topicNames(prefix);
    const writer = new TriggerWriter({ kafka: clients.kafka, registry: clients.registry, changesTopic: t.changes(feed.name), feed, partitions: 3 });
    await writer.open();
    await writer.write(live, 'by-ids', false);
    await writer.close();
    const end = await admin.fetchTopicOffsets(t.changes(feed.name));
    // the stores on disk, as after any earlier run: else the exporter's first commit (an fsync) waits
    // for the writeback of the whole fill, which a restart does not
    execFileSync('sync');
    const started = performance.now();
    const child = spawnCli(configFile, ['exporter', '--feed', feed.name]);
    let rss = 0;
    try {
      await waitForGroup(admin, `${prefix}.exporter.${feed.name}`, t.changes(feed.name), end, { child, onTick: () => (rss = Math.max(rss, rssMb(child.pid!))) });
      const seconds = (performance.now() - started) / 1000;
      rss = Math.max(rss, rssMb(child.pid!));
      console.log(`state: ${n} items: exporter streaming ${seconds.toFixed(2)} s after spawn, RSS ${rss.toFixed(0)} MB`);
      return { seconds, rss };
    } finally {
      await stopChild(child);
      rmSync(join(stateDir, prefix), { recursive: true, force: true });
      rmSync(configFile, { force: true });
    }
  } finally {
    await admin.disconnect();
  }
}

async function main(): Promise<void> {
  mkdirSync(join(ROOT, '.bench', 'state'), { recursive: true });
  await ensureCatalog(database, { seed: 1, websites: 1, storeViews: 1, customerGroups: 1, attributes: 1, categories: 1, products: 1, configurables: 0, childrenPerConfigurable: 0, orders: 0 });
  const runs: Array<{ n: number; seconds: number; rss: number }> = [];
  for (const n of SIZES) runs.push({ n, ...(await restart(n)) });
  const small = runs[0]!;
  const large = runs.at(-1)!;
  if (large.n > small.n) console.log(`BENCH exporter.state.rss_mb_per_million_items=${(((large.rss - small.rss) / (large.n - small.n)) * 1e6).toFixed(1)}`);
  console.log(`BENCH exporter.state.restart_to_streaming_s=${large.seconds.toFixed(2)}`);
  if (large.n > small.n) console.log(`BENCH exporter.state.restart_vs_items=${(large.seconds / small.seconds).toFixed(2)}`);
  console.log(`state sizes: ${runs.map((r) => `${r.n}: ${r.seconds.toFixed(2)} s, ${r.rss.toFixed(0)} MB`).join('; ')}`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
