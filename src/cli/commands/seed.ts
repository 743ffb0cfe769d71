import type { Command } from 'commander';
import mysql from 'mysql2/promise';
import { loadConfig } from '../../config/load.js';
import { tlsOptions } from '../../config/tls.js';
import { CdcError } from '../../errors.js';
import type { Edition } from '../../feeds/common/link.js';
import { detectEdition } from '../../mysql/edition.js';
import { mysqlError } from '../../mysql/pool.js';
import { applySchema, seedCatalog, type SeedOptions, type SeedSummary } from '../../tools/seed/index.js';

interface SeedFlags {
  seed: string;
  websites?: string;
  storeViews?: string;
  customerGroups?: string;
  attributes?: string;
  categories?: string;
  products?: string;
  configurables?: string;
  children?: string;
  orders?: string;
  today?: string;
  edition?: string;
  stagingStart?: string;
  stagingUpdates?: boolean;
  database?: string;
  host?: string;
  port?: string;
  user?: string;
  password?: string;
  createSchema?: boolean;
  force?: boolean;
  json?: boolean;
}

function num(flag: string, v: string | undefined, opts: { fraction?: boolean } = {}): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  const ok = Number.isFinite(n) && n >= 0 && (opts.fraction || Number.isInteger(n));
  if (!ok) throw new CdcError('CLI_USAGE', `${flag} must be a ${opts.fraction ? 'non-negative number' : 'non-negative integer'}, got "${v}"`, { fix: `e.g. ${flag} ${opts.fraction ? '0.1' : '100'}` });
  return n;
}

export function summaryLine(database: string, s: SeedSummary): string {
  const edition = s.options.edition === 'commerce' ? ', Adobe Commerce' : '';
  return `seeded ${database}: ${s.products} products (${s.configurables} configurable, ${s.variants} variants), ${s.categories} categories, `
    + `${s.attributes} product attributes, ${s.websites} websites, ${s.storeViews} store views, ${s.customerGroups} customer groups, `
    + `${s.orders} orders; ${s.totalRows} rows in ${(s.elapsedMs / 1000).toFixed(1)}s (seed ${s.options.seed}${edition})`
    + s.scheduledUpdates.map((u) => `\n  scheduled update ${u.id} (${u.start} UTC${u.end ? `, ends at rollback ${u.rollbackId}, ${u.end} UTC` : ''}): `
      + `${u.entity} ${u.entityId} ${u.label} ${u.attribute} ${JSON.stringify(u.from)} -> ${JSON.stringify(u.to)}, row_id ${u.rowId}; ${u.purpose}`).join('');
}

function edition(v: string | undefined): Edition | undefined {
  if (v === undefined || v === 'opensource' || v === 'commerce') return v;
  throw new CdcError('CLI_USAGE', `--edition must be opensource or commerce, got "${v}"`, { fix: 'e.g. --edition commerce' });
}

export function registerSeed(program: Command): void {
  program
    .command('seed')
    .description('fill a Commerce database with a deterministic sample catalog, inventory and orders (demos, tests, benchmarks)')
    .option('--seed <n>', 'random seed: the same seed gives the same rows', '1')
    .option('--websites <n>', 'websites besides admin (default 2)')
    .option('--store-views <n>', 'store views, spread over the websites (default 4)')
    .option('--customer-groups <n>', 'customer groups including 0-3 of the install (default 6)')
    .option('--attributes <n>', 'user-defined product attributes (default 20)')
    .option('--categories <n>', 'categories below Default Category (default 30)')
    .option('--products <n>', 'rows in catalog_product_entity (default 1000)')
    .option('--configurables <x>', 'configurable parents: a share of --products below 1, else a count (default 0.05); beyond what fits with children of their own, parents share another parent\'s children')
    .option('--children <n>', 'variants per configurable (default 3)')
    .option('--orders <n>', 'orders with invoices, shipments and credit memos (default 100)')
    .option('--today <date>', 'YYYY-MM-DD the catalog rule prices and order dates are based on (default: today, UTC)')
    .option('--edition <edition>', 'opensource (values keyed by entity_id) or commerce (Adobe Commerce content staging: row_id versions, plus scheduled updates); default: the existing schema\'s, else opensource')
    .option('--staging-start <unix>', 'commerce: Unix seconds the first scheduled update starts at, the others 5 s apart (default: 5 s after seeding)')
    .option('--no-staging-updates', 'commerce: the base catalog only, no scheduled updates')
    .option('--database <name>', 'target database (default: mysql.database of the config)')
    .option('--host <host>', 'database host (default: mysql.host)')
    .option('--port <n>', 'database port (default: mysql.port)')
    .option('--user <user>', 'a user allowed to write, e.g. an admin (default: mysql.user)')
    .option('--password <password>', 'its password (default: mysql.password)')
    .option('--create-schema', 'create the database if missing and the Magento tables (fixtures/commerce/schema.sql, with schema-commerce.sql for --edition commerce) first')
    .option('--force', 'empty every Commerce table of a non-empty target first instead of refusing')
    .option('--json', 'print the summary as JSON, with rows per table')
    .action(async (flags: SeedFlags, cmd: Command) => {
      const file = (cmd.optsWithGlobals() as { config?: string }).config;
      const { config } = loadConfig(file);
      if (flags.today !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(flags.today)) {
        throw new CdcError('CLI_USAGE', `--today must be YYYY-MM-DD, got "${flags.today}"`, { fix: 'e.g. --today 2026-01-31' });
      }
      const options: Partial<SeedOptions> = {
        seed: num('--seed', flags.seed),
        websites: num('--websites', flags.websites),
        storeViews: num('--store-views', flags.storeViews),
        customerGroups: num('--customer-groups', flags.customerGroups),
        attributes: num('--attributes', flags.attributes),
        categories: num('--categories', flags.categories),
        products: num('--products', flags.products),
        configurables: num('--configurables', flags.configurables, { fraction: true }),
        childrenPerConfigurable: num('--children', flags.children),
        orders: num('--orders', flags.orders),
        today: flags.today,
        edition: edition(flags.edition),
        stagingStart: num('--staging-start', flags.stagingStart),
        stagingUpdates: flags.stagingUpdates,
      };
      const target = {
        host: flags.host ?? config.mysql.host,
        port: num('--port', flags.port) ?? config.mysql.port,
        user: flags.user ?? config.mysql.user,
        password: flags.password ?? config.mysql.password,
      };
      const database = flags.database ?? config.mysql.database;
      let conn: mysql.Connection;
      try {
        conn = await mysql.createConnection({ ...target, ssl: tlsOptions(config.mysql.tls, 'mysql.tls'), dateStrings: true, supportBigNumbers: true, bigNumberStrings: true, charset: 'utf8mb4' });
      } catch (e) {
        throw mysqlError(e, { ...target, tls: config.mysql.tls });
      }
      try {
        const quoted = `\`${database.replace(/`/g, '``')}\``;
        if (flags.createSchema) await conn.query(`CREATE DATABASE IF NOT EXISTS ${quoted} CHARACTER SET utf8mb4`);
        const [rows] = await conn.query('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ?', [database]);
        const hasSchema = Number((rows as Array<{ n: number | string }>)[0]?.n ?? 0) > 0;
        // an existing Commerce schema is kept (the edition and emptiness checks of the seed decide) and tells the edition when none is asked for
        if (!hasSchema && flags.createSchema) await applySchema(conn, database, options.edition);
        else if (hasSchema && options.edition === undefined) options.edition = await detectEdition(conn, '', database).then((r) => r.edition, () => undefined);
        await conn.query(`USE ${quoted}`);
        const summary = await seedCatalog(conn, options, { force: flags.force ?? false });
        process.stdout.write(flags.json ? JSON.stringify({ database, ...summary }, null, 2) + '\n' : summaryLine(database, summary) + '\n');
      } catch (e) {
        if (e instanceof CdcError) throw e;
        // 1044 database, 1142 table, 1227 privilege denied: typically the connector's read-only user
        if ([1044, 1142, 1227].includes((e as { errno?: number }).errno ?? 0)) {
          throw new CdcError('MYSQL_GRANTS_MISSING', `user '${target.user}' may not write to '${database}': ${(e as Error).message}`, {
            fix: 'seed with a user that can create and write tables (--user/--password of an admin); the connector user only reads',
            cause: e,
          });
        }
        throw mysqlError(e, { ...target, tls: config.mysql.tls });
      } finally {
        await conn.end().catch(() => undefined);
      }
    });
}
