// Resync throughput of the prices and variants providers: every source id of a
// seeded catalog assembled in batches (the feed's batchSize, `threads` batches at
// once) and every item Avro-encoded, as the exporter does before writing to Kafka.
// Kafka writes are measured by the exporter's own benchmark.
//
// BENCH_PRODUCTS (default 100000) sets the catalog size. The seeded database is
// kept (bench_feeds_<products>) and reused by the next run when complete.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import mysql from 'mysql2/promise';
import { createLogger } from '../log.js';
import { definition as prices } from '../feeds/prices/index.js';
import { definition as variants } from '../feeds/variants/index.js';
import type { FeedDefinition, ProviderContext } from '../feeds/types.js';
import { applySchema, seedCatalog } from '../seed/index.js';

const env = process.env;
const PRODUCTS = Number(env.BENCH_PRODUCTS ?? 100_000);
const CONFIGURABLES = Math.round(PRODUCTS * 0.3);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const connection = {
  host: env.CDC_MYSQL_HOST ?? '127.0.0.1',
  port: Number(env.CDC_MYSQL_PORT ?? 3407),
  dateStrings: true,
  supportBigNumbers: true,
  bigNumberStrings: true,
  charset: 'utf8mb4',
};
const database = `bench_feeds_${PRODUCTS}`;

/** Seeds the bench catalog unless a complete one from an earlier run is there. */
async function ensureCatalog(): Promise<void> {
  const admin = await mysql.createConnection({
    ...connection,
    user: env.CDC_MYSQL_ADMIN_USER ?? 'cdc_admin',
    password: env.CDC_MYSQL_ADMIN_PASSWORD ?? 'cdc_admin_pw',
  });
  try {
    const [done] = await admin.query<mysql.RowDataPacket[]>(
      'SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?',
      [database, 'bench_complete'],
    );
    if (done.length > 0) return;
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
    await applySchema(admin, database);
    const started = Date.now();
    const summary = await seedCatalog(admin, {
      seed: 11,
      websites: 3,
      storeViews: 3,
      customerGroups: 4,
      attributes: 10,
      categories: 100,
      products: PRODUCTS,
      configurables: CONFIGURABLES,
      childrenPerConfigurable: 3,
      orders: 0,
    });
    console.log(`seeded ${summary.products} products (${summary.totalRows} rows) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    // marks the catalog complete: an interrupted seed is redone, not reused
    await admin.query('CREATE TABLE bench_complete (id INT PRIMARY KEY)');
  } finally {
    await admin.end();
  }
}

async function resync(def: FeedDefinition, ctx: ProviderContext): Promise<{ ids: number; items: number; seconds: number }> {
  const type = avro.Type.forSchema(JSON.parse(readFileSync(`${ROOT}${def.schemaFile}`, 'utf8')) as avro.Schema);
  const started = performance.now();
  const ids: string[] = [];
  for (let after: string | undefined; ; ) {
    const page = await def.provider.listIds(after, 10_000, ctx);
    if (page.length === 0) break;
    ids.push(...page);
    after = page[page.length - 1];
  }
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += def.batchSize) batches.push(ids.slice(i, i + def.batchSize));
  let items = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      for (const a of await def.provider.assemble(batch, ctx)) {
        type.toBuffer(a.item);
        items++;
      }
    }
  };
  await Promise.all(Array.from({ length: def.threads }, worker));
  return { ids: ids.length, items, seconds: (performance.now() - started) / 1000 };
}

async function main(): Promise<void> {
  await ensureCatalog();
  const pool = mysql.createPool({
    ...connection,
    user: env.CDC_MYSQL_USER ?? 'cdc',
    password: env.CDC_MYSQL_PASSWORD ?? 'cdc_pw',
    database,
    connectionLimit: 8,
    decimalNumbers: false,
  });
  const ctx: ProviderContext = {
    db: pool,
    log: createLogger({ level: 'warn' }),
    t: (table) => table,
    now: () => new Date(),
    profile: () => undefined,
  };
  try {
    console.log(`BENCH exporter.resync.products=${PRODUCTS}`);
    for (const def of [prices, variants]) {
      const r = await resync(def, ctx);
      console.log(`${def.name}: ${r.ids} ids, ${r.items} items in ${r.seconds.toFixed(2)} s (batch ${def.batchSize} x ${def.threads})`);
      console.log(`BENCH exporter.resync.${def.name}.items_per_s=${Math.round(r.items / r.seconds)}`);
    }
  } finally {
    await pool.end();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
