// The edition is read from the schema at start, never set: `config --check`, the startup
// log and `status` name it; a database that is neither edition, or half of each, stops
// `run` with its coded line before any topic exists.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.js';
import { CLI, cli, prefixTopics } from '../helpers/cli.js';
import { createCommerceDatabase } from '../helpers/commerce.js';
import { adminConnection, createDatabase, dropDatabase, uniqueName } from '../helpers/stack.js';
import { cliEnv } from './status.fixture.js';

describe('edition detection', () => {
  const dbs: Record<'opensource' | 'commerce' | 'mixed' | 'none', string> = { opensource: '', commerce: '', mixed: '', none: '' };

  beforeAll(async () => {
    dbs.opensource = await createCommerceDatabase('edos', false, 'opensource');
    dbs.commerce = await createCommerceDatabase('edcom', false, 'commerce');
    // half way: the staging schema whose category table lost its version columns (and no category sequence)
    dbs.mixed = await createCommerceDatabase('edmix', false, 'commerce');
    const c = await adminConnection(dbs.mixed);
    try {
      await c.query('ALTER TABLE catalog_category_entity DROP COLUMN created_in, DROP COLUMN updated_in');
      await c.query('DROP TABLE sequence_catalog_category');
    } finally {
      await c.end();
    }
    dbs.none = await createDatabase('ednone');
  });
  afterAll(async () => {
    for (const db of Object.values(dbs)) if (db) await dropDatabase(db);
  });

  it('config --check names each edition', async () => {
    const os = await cli(['config', '--check'], cliEnv(uniqueName('ed'), dbs.opensource));
    expect(os.code, os.stderr).toBe(0);
    expect(os.stdout).toMatch(/^edition: Magento Open Source \(catalog tables keyed by entity_id/m);
    const com = await cli(['config', '--check'], cliEnv(uniqueName('ed'), dbs.commerce));
    expect(com.code, com.stderr).toBe(0);
    expect(com.stdout).toMatch(/^edition: Adobe Commerce \(content staging\) \(catalog tables versioned by row_id/m);
  });

  it('a half-migrated schema: MYSQL_EDITION_MIXED naming what is missing, from config --check and from run, nothing created', async () => {
    const check = await cli(['config', '--check'], cliEnv(uniqueName('ed'), dbs.mixed));
    expect(check.code).toBe(ERROR_CODES.MYSQL_EDITION_MIXED.exit);
    expect(check.stderr).toMatch(/^MYSQL_EDITION_MIXED: .*missing: catalog_category_entity\.created_in, catalog_category_entity\.updated_in, sequence_catalog_category\)\. Fix: .+$/m);
    const prefix = uniqueName('edmix');
    const run = await cli(['run'], cliEnv(prefix, dbs.mixed, { CDC_LOG_LEVEL: 'error', CDC_RETRY_SCALE: '0.05' }));
    expect(run.code).toBe(ERROR_CODES.MYSQL_EDITION_MIXED.exit);
    const lines = run.stderr.split('\n').filter((l) => l.trim() && !l.startsWith('{'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^MYSQL_EDITION_MIXED: .+\. Fix: finish or undo the edition migration/);
    expect(await prefixTopics(prefix)).toEqual([]);
  });

  it('a database without the catalog tables: MYSQL_EDITION_UNKNOWN', async () => {
    const prefix = uniqueName('ednone');
    const run = await cli(['run'], cliEnv(prefix, dbs.none, { CDC_LOG_LEVEL: 'error', CDC_RETRY_SCALE: '0.05' }));
    expect(run.code).toBe(ERROR_CODES.MYSQL_EDITION_UNKNOWN.exit);
    expect(run.stderr).toMatch(/^MYSQL_EDITION_UNKNOWN: the database has no catalog_product_entity or catalog_category_entity.+\. Fix: point mysql\.database/m);
    expect(await prefixTopics(prefix)).toEqual([]);
  });

  it('status and the startup log name the edition', async () => {
    const prefix = uniqueName('edst');
    const st = await cli(['status', '--timeout', '20'], cliEnv(prefix, dbs.commerce));
    expect(st.stdout).toMatch(/^ {2}edition +Adobe Commerce \(content staging\)$/m);
    const json = await cli(['status', '--json', '--timeout', '20'], cliEnv(prefix, dbs.opensource));
    expect((JSON.parse(json.stdout) as { reader: { edition: string } }).reader.edition).toBe('Magento Open Source');

    // a running exporter logs it at start
    const child = spawn('node', [CLI, 'exporter', '--feed', 'scopesWebsite'], { env: cliEnv(uniqueName('edlog'), dbs.commerce, { CDC_LOG_LEVEL: 'info' }), stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr!.on('data', (b: Buffer) => (log += b.toString()));
    try {
      for (const until = Date.now() + 60_000; !log.includes('catalog edition') && child.exitCode === null && Date.now() < until; ) await new Promise((r) => setTimeout(r, 200));
    } finally {
      child.kill('SIGKILL');
    }
    const line = log.split('\n').find((l) => l.includes('catalog edition'));
    expect(line, log.slice(-2000)).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ edition: 'commerce', msg: 'catalog edition: Adobe Commerce (content staging)' });
  });
});
