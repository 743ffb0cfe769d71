// Resync throughput of the prices and variants feeds through the exporter's
// Kafka path: every source id of a seeded catalog (100,000 products, 3 websites,
// 4 customer groups; 30,000 configurables with 3 children each: 20,000 parents
// have children of their own and 10,000 share the children of another, since
// parents and children share the 100,000) as a trigger on `<feed>.changes`, then
// one `commerce-cdc exporter --feed F` process assembles, dedupes and writes the
// items topic in Kafka transactions. Items are counted from the items topic
// (committed records).
//
// BENCH_PRODUCTS (default 100000) sets the catalog size; BENCH_FEEDS (prices,variants) the feeds run. The seeded database is
// kept (bench_feeds_<products>_<configurables>c) and reused by the next run when complete.
import { definition as prices } from '../../feeds/prices/index.js';
import { definition as variants } from '../../feeds/variants/index.js';
import { ensureCatalog, openBenchRun, resyncThroughExporter } from './lib-resync.js';
import { printCpu } from './lib-cpu.js';
import { printSqlLimit } from './lib-sql.js';

const env = process.env;
const PRODUCTS = Number(env.BENCH_PRODUCTS ?? 100_000);
const CONFIGURABLES = Math.round(PRODUCTS * 0.3);
const database = `bench_feeds_${PRODUCTS}_${CONFIGURABLES}c`;

/** The bench catalog: 3 websites, 4 customer groups, configurables 30 % of the products with 3 children each. */
const SEED = { seed: 11, websites: 3, storeViews: 3, customerGroups: 4, attributes: 10, categories: 100, products: PRODUCTS, configurables: CONFIGURABLES, childrenPerConfigurable: 3, orders: 0 };

async function main(): Promise<void> {
  await ensureCatalog(database, SEED);
  const feeds = [prices, variants].filter((f) => !env.BENCH_FEEDS || env.BENCH_FEEDS.split(',').includes(f.name));
  const { config, configFile, kafka, admin, ctx, close } = await openBenchRun({ prefix: `bench.${Date.now().toString(36)}`, database, feeds });
  try {
    console.log(`BENCH exporter.resync.products=${PRODUCTS}`);
    for (const feed of feeds) {
      const r = await resyncThroughExporter({ config, configFile, feed, ctx, kafka, admin });
      console.log(`${feed.name}: ${r.ids} ids → ${r.items} items in ${r.seconds.toFixed(1)} s through a running exporter (peak RSS ${Math.round(r.rssMb)} MB)`);
      console.log(`BENCH exporter.resync.${feed.name}.items_per_s=${Math.round(r.items / r.seconds)}`);
      printCpu(`exporter.resync.${feed.name}`, r.cpu, r.items);
      await printSqlLimit(config, feed, ctx, r);
    }
  } finally {
    await close();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
