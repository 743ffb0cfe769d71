// `commerce-cdc seed` as a user runs it: the built CLI against the real MariaDB.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from 'mysql2/promise';
import { CLI, cli, type CliResult } from '../helpers/cli.js';
import { ROOT, adminConnection, createDatabase, dropDatabase, stackEnv } from '../helpers/stack.js';
import { schemaTables } from '../../src/tools/seed/schema.js';

const run = promisify(execFile);
const TODAY = '2026-03-15';

function seedCli(database: string, ...args: string[]): Promise<CliResult> {
  return cli(['seed', '--host', stackEnv.mysqlHost, '--port', String(stackEnv.mysqlPort), '--user', stackEnv.adminUser,
    '--password', stackEnv.adminPassword, '--database', database, '--today', TODAY, ...args]);
}

async function count(c: Connection, sql: string): Promise<number> {
  const [rows] = await c.query(sql);
  return Number((rows as Array<Record<string, unknown>>)[0]!['n']);
}

/** CHECKSUM TABLE of every Commerce table: equal content gives equal checksums. */
async function checksums(c: Connection, edition: 'opensource' | 'commerce' = 'opensource'): Promise<Record<string, string>> {
  const [rows] = await c.query(`CHECKSUM TABLE ${schemaTables(edition).map((t) => `\`${t}\``).join(', ')}`);
  return Object.fromEntries((rows as Array<{ Table: string; Checksum: string | number }>).map((r) => [r.Table.split('.').pop()!, String(r.Checksum)]));
}

// one table per source the eleven feeds read; each must have rows after a default seed
const FEED_TABLES = [
  'store_website', 'store_group', 'store', 'customer_group', 'customer_group_excluded_website', 'tax_class',
  'eav_entity_type', 'eav_attribute', 'catalog_eav_attribute', 'eav_attribute_label', 'eav_attribute_option', 'eav_attribute_option_value', 'eav_attribute_set',
  'catalog_product_entity', 'catalog_product_entity_varchar', 'catalog_product_entity_int', 'catalog_product_entity_decimal', 'catalog_product_entity_text', 'catalog_product_entity_datetime',
  'catalog_product_website', 'catalog_category_entity', 'catalog_category_entity_varchar', 'catalog_category_entity_int', 'catalog_category_entity_text',
  'catalog_category_product', 'catalog_product_super_link', 'catalog_product_super_attribute', 'catalog_product_relation', 'catalog_product_link', 'catalog_product_link_type',
  'catalog_product_entity_media_gallery', 'catalog_product_entity_media_gallery_value', 'catalog_product_entity_media_gallery_value_to_entity',
  'catalog_product_option', 'catalog_product_option_title', 'catalog_product_option_price', 'catalog_product_option_type_value', 'catalog_product_option_type_title', 'catalog_product_option_type_price',
  'downloadable_link', 'downloadable_sample', 'catalog_product_bundle_option', 'catalog_product_bundle_selection',
  'catalog_product_entity_tier_price', 'catalogrule_product_price', 'catalogrule_product_price_replica',
  'cataloginventory_stock', 'cataloginventory_stock_item', 'cataloginventory_stock_status',
  'inventory_source', 'inventory_source_item', 'inventory_stock', 'inventory_source_stock_link', 'inventory_stock_sales_channel', 'inventory_reservation', 'inventory_stock_1', 'inventory_stock_2',
  'url_rewrite', 'sales_order', 'sales_order_item', 'sales_order_payment', 'sales_order_address', 'sales_invoice', 'sales_invoice_item',
  'sales_creditmemo', 'sales_creditmemo_item', 'sales_creditmemo_comment', 'sales_shipment', 'sales_shipment_item', 'sales_shipment_track',
  'sales_payment_transaction', 'sales_order_tax', 'sales_order_tax_item', 'data_exporter_uuid',
  'magento_catalogpermissions', 'magento_catalogpermissions_index', 'magento_catalogpermissions_index_product',
];

describe('commerce-cdc seed', () => {
  const databases: string[] = [];
  let main: string;
  let c: Connection;
  let first: CliResult;

  beforeAll(async () => {
    if (!existsSync(CLI) || !existsSync(`${ROOT}dist/cli/commands/seed.js`)) await run('npm', ['run', 'build'], { cwd: ROOT });
    main = await createDatabase('seed');
    databases.push(main);
    first = await seedCli(main, '--create-schema', '--products', '1000');
    c = await adminConnection(main);
  });

  afterAll(async () => {
    await c?.end();
    for (const db of databases) await dropDatabase(db);
  });

  it('writes exactly --products products and prints a one-line summary', async () => {
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout.trim().split('\n')).toHaveLength(1);
    expect(first.stdout).toMatch(new RegExp(`^seeded ${main}: 1000 products \\(50 configurable, 150 variants\\)`));
    expect(await count(c, 'SELECT COUNT(*) AS n FROM catalog_product_entity')).toBe(1000);
    expect(await count(c, 'SELECT COUNT(DISTINCT sku) AS n FROM catalog_product_entity')).toBe(1000);
  });

  it('fills every table a feed reads', async () => {
    const empty: string[] = [];
    for (const t of FEED_TABLES) if ((await count(c, `SELECT COUNT(*) AS n FROM \`${t}\``)) === 0) empty.push(t);
    expect(empty).toEqual([]);
  });

  it('uses Magento ids for the fixed entities', async () => {
    const [types] = await c.query('SELECT entity_type_id AS id, entity_type_code AS code FROM eav_entity_type ORDER BY 1');
    expect(types).toEqual([{ id: 3, code: 'catalog_category' }, { id: 4, code: 'catalog_product' }]);
    const [groups] = await c.query('SELECT customer_group_id AS id, customer_group_code AS code FROM customer_group WHERE customer_group_id < 4 ORDER BY 1');
    expect(groups).toEqual([{ id: 0, code: 'NOT LOGGED IN' }, { id: 1, code: 'General' }, { id: 2, code: 'Wholesale' }, { id: 3, code: 'Retailer' }]);
    expect(await count(c, "SELECT COUNT(*) AS n FROM store WHERE store_id = 0 AND code = 'admin' AND website_id = 0")).toBe(1);
    expect(await count(c, "SELECT COUNT(*) AS n FROM catalog_category_entity WHERE (entity_id = 1 AND path = '1') OR (entity_id = 2 AND path = '1/2')")).toBe(2);
    for (const code of ['name', 'sku', 'price', 'special_price', 'status', 'visibility', 'url_key', 'description', 'image', 'small_image', 'thumbnail', 'color', 'size', 'tax_class_id']) {
      expect(await count(c, `SELECT COUNT(*) AS n FROM eav_attribute WHERE entity_type_id = 4 AND attribute_code = '${code}'`), code).toBe(1);
    }
  });

  it('gives every configurable super attributes and children that carry their option values', async () => {
    expect(await count(c, `SELECT COUNT(*) AS n FROM catalog_product_entity p WHERE p.type_id = 'configurable'
      AND (NOT EXISTS (SELECT 1 FROM catalog_product_super_attribute s WHERE s.product_id = p.entity_id)
        OR (SELECT COUNT(*) FROM catalog_product_super_link l WHERE l.parent_id = p.entity_id) <> 3)`)).toBe(0);
    // a child without an option value for one of its parent's super attributes would be an unusable variant
    expect(await count(c, `SELECT COUNT(*) AS n FROM catalog_product_super_link l
      JOIN catalog_product_super_attribute s ON s.product_id = l.parent_id
      LEFT JOIN catalog_product_entity_int v ON v.entity_id = l.product_id AND v.attribute_id = s.attribute_id AND v.store_id = 0
      LEFT JOIN eav_attribute_option o ON o.option_id = v.value AND o.attribute_id = s.attribute_id
      WHERE o.option_id IS NULL`)).toBe(0);
    expect(await count(c, `SELECT COUNT(*) AS n FROM catalog_product_super_link l
      LEFT JOIN catalog_product_relation r ON r.parent_id = l.parent_id AND r.child_id = l.product_id WHERE r.child_id IS NULL`)).toBe(0);
  });

  it('lets configurables share children when parents with their own do not fit in --products', async () => {
    const db = await createDatabase('seed_shared');
    databases.push(db);
    const r = await seedCli(db, '--create-schema', '--products', '400', '--configurables', '120', '--children', '3', '--orders', '5');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^seeded ${db}: 400 products \\(120 configurable, 360 variants\\)`));
    const s = await adminConnection(db);
    try {
      expect(await count(s, 'SELECT COUNT(*) AS n FROM catalog_product_entity')).toBe(400);
      expect(await count(s, 'SELECT COUNT(*) AS n FROM catalog_product_super_link')).toBe(360);
      // 40 parents share the 3 children of another: 120 children with two parents, none with more
      expect(await count(s, 'SELECT COUNT(*) AS n FROM (SELECT product_id FROM catalog_product_super_link GROUP BY product_id HAVING COUNT(*) = 2) x')).toBe(120);
      expect(await count(s, 'SELECT COUNT(*) AS n FROM (SELECT product_id FROM catalog_product_super_link GROUP BY product_id HAVING COUNT(*) > 2) x')).toBe(0);
      expect(await count(s, `SELECT COUNT(*) AS n FROM catalog_product_entity p WHERE p.type_id = 'configurable'
        AND (SELECT COUNT(*) FROM catalog_product_super_link l WHERE l.parent_id = p.entity_id) <> 3`)).toBe(0);
      // every link's child carries a value of each of that parent's super attributes
      expect(await count(s, `SELECT COUNT(*) AS n FROM catalog_product_super_link l
        JOIN catalog_product_super_attribute sa ON sa.product_id = l.parent_id
        LEFT JOIN catalog_product_entity_int v ON v.entity_id = l.product_id AND v.attribute_id = sa.attribute_id AND v.store_id = 0
        WHERE v.value IS NULL`)).toBe(0);
      // parents sharing children are in the same websites
      expect(await count(s, `SELECT COUNT(*) AS n FROM catalog_product_super_link a
        JOIN catalog_product_super_link b ON b.product_id = a.product_id AND b.parent_id > a.parent_id
        WHERE (SELECT GROUP_CONCAT(website_id ORDER BY website_id) FROM catalog_product_website WHERE product_id = a.parent_id)
          <> (SELECT GROUP_CONCAT(website_id ORDER BY website_id) FROM catalog_product_website WHERE product_id = b.parent_id)`)).toBe(0);
      expect(await count(s, `SELECT COUNT(*) AS n FROM catalog_product_super_link l
        LEFT JOIN catalog_product_relation r ON r.parent_id = l.parent_id AND r.child_id = l.product_id WHERE r.child_id IS NULL`)).toBe(0);
    } finally {
      await s.end();
    }
  });

  it('keeps the catalog consistent: websites, stock, tree, images, orders', async () => {
    expect(await count(c, 'SELECT COUNT(*) AS n FROM catalog_product_entity p WHERE NOT EXISTS (SELECT 1 FROM catalog_product_website w WHERE w.product_id = p.entity_id)')).toBe(0);
    // some products are left off a website, so website scoping is visible in the feeds
    expect(await count(c, 'SELECT COUNT(*) AS n FROM (SELECT product_id FROM catalog_product_website GROUP BY product_id HAVING COUNT(*) < 2) x')).toBeGreaterThan(0);
    expect(await count(c, 'SELECT COUNT(*) AS n FROM catalog_product_entity p LEFT JOIN cataloginventory_stock_item i ON i.product_id = p.entity_id WHERE i.item_id IS NULL')).toBe(0);
    expect(await count(c, `SELECT COUNT(*) AS n FROM catalog_category_entity c JOIN catalog_category_entity p ON p.entity_id = c.parent_id
      WHERE c.path <> CONCAT(p.path, '/', c.entity_id) OR c.level <> p.level + 1`)).toBe(0);
    // per-store overrides exist for names, attribute labels and option labels
    expect(await count(c, "SELECT COUNT(*) AS n FROM catalog_product_entity_varchar v JOIN eav_attribute a USING (attribute_id) WHERE a.attribute_code = 'name' AND v.store_id > 0")).toBeGreaterThan(0);
    expect(await count(c, 'SELECT COUNT(*) AS n FROM eav_attribute_option_value WHERE store_id > 0')).toBeGreaterThan(0);
    // the image role points at a gallery image of the same product
    expect(await count(c, `SELECT COUNT(*) AS n FROM catalog_product_entity_varchar v JOIN eav_attribute a ON a.attribute_id = v.attribute_id AND a.attribute_code = 'image'
      LEFT JOIN catalog_product_entity_media_gallery g ON g.value = v.value
      LEFT JOIN catalog_product_entity_media_gallery_value_to_entity e ON e.value_id = g.value_id AND e.entity_id = v.entity_id WHERE e.entity_id IS NULL`)).toBe(0);
    expect(await count(c, `SELECT COUNT(*) AS n FROM sales_order o WHERE NOT EXISTS (SELECT 1 FROM sales_order_item i WHERE i.order_id = o.entity_id)
      OR NOT EXISTS (SELECT 1 FROM sales_order_payment p WHERE p.parent_id = o.entity_id)
      OR NOT EXISTS (SELECT 1 FROM data_exporter_uuid u WHERE u.entity_id = o.entity_id AND u.type = 'order')`)).toBe(0);
    expect(await count(c, `SELECT COUNT(*) AS n FROM catalogrule_product_price WHERE rule_date <> '${TODAY}'`)).toBe(0);
    // the default stock's index is the view over the legacy status
    expect(await count(c, 'SELECT COUNT(*) AS n FROM inventory_stock_1')).toBe(1000);
  });

  it('gives identical content for the same seed and different content for another', async () => {
    const [a, b, other] = await Promise.all([createDatabase('seeda'), createDatabase('seedb'), createDatabase('seedc')]);
    databases.push(a, b, other);
    for (const [db, seed] of [[a, '42'], [b, '42'], [other, '43']] as const) {
      const r = await seedCli(db, '--create-schema', '--seed', seed, '--products', '300', '--orders', '30');
      expect(r.code, r.stderr).toBe(0);
    }
    const sums = async (db: string) => {
      const conn = await adminConnection(db);
      try {
        return await checksums(conn);
      } finally {
        await conn.end();
      }
    };
    const [sa, sb, so] = [await sums(a), await sums(b), await sums(other)];
    expect(Object.keys(sa).length).toBe(schemaTables().length);
    expect(sb).toEqual(sa);
    expect(so['catalog_product_entity_varchar']).not.toBe(sa['catalog_product_entity_varchar']);
    expect(so['sales_order']).not.toBe(sa['sales_order']);
  });

  it('refuses a database that already has a catalog, writes nothing, exits 5', async () => {
    const before = await checksums(c);
    const r = await seedCli(main, '--products', '10', '--seed', '9');
    expect(r.code).toBe(5);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^SEED_TARGET_NOT_EMPTY: database '\w+' already has data \(1000 products;.*Fix: .*--force/);
    expect(await checksums(c)).toEqual(before);
  });

  it('tells the connector\'s read-only user that seeding needs write grants, and changes nothing', async () => {
    const before = await checksums(c);
    const r = await seedCli(main, '--force', '--products', '10', '--user', stackEnv.cdcUser, '--password', stackEnv.cdcPassword);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`^MYSQL_GRANTS_MISSING: user '${stackEnv.cdcUser}' may not write to '${main}'.*Fix: seed with a user that can create and write tables`));
    expect(await checksums(c)).toEqual(before);
  });

  it('replaces the catalog with --force', async () => {
    const r = await seedCli(main, '--products', '10', '--configurables', '0', '--orders', '2', '--force');
    expect(r.code, r.stderr).toBe(0);
    expect(await count(c, 'SELECT COUNT(*) AS n FROM catalog_product_entity')).toBe(10);
    expect(await count(c, 'SELECT COUNT(*) AS n FROM sales_order')).toBe(2);
    expect(await count(c, "SELECT COUNT(*) AS n FROM catalog_product_entity WHERE type_id = 'configurable'")).toBe(0);
  });

  it('seeds Adobe Commerce with --edition commerce: the summary names the scheduled updates; the other edition is refused, the schema\'s is the default', async () => {
    const db = await createDatabase('seed_ee');
    databases.push(db);
    const start = 2_000_000_000;
    const r = await seedCli(db, '--create-schema', '--edition', 'commerce', '--products', '200', '--orders', '5', '--staging-start', String(start));
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^seeded ${db}: 200 products .*\\(seed 1, Adobe Commerce\\)$`));
    expect(lines.slice(1).map((l) => /^ {2}scheduled update (\d+) /.exec(l)?.[1])).toEqual([start, start + 5, start + 10, start + 15].map(String));
    expect(lines[2]).toMatch(/ends at rollback \d+, .* name .* -> ".* Limited Edition"/);
    const s = await adminConnection(db);
    try {
      expect(await count(s, 'SELECT COUNT(DISTINCT entity_id) AS n FROM catalog_product_entity')).toBe(200);
      expect(await count(s, 'SELECT COUNT(*) AS n FROM staging_update')).toBe(5);
      const before = await checksums(s, 'commerce');
      const refused = await seedCli(db, '--edition', 'opensource', '--force', '--products', '10');
      expect(refused.code).toBe(5);
      expect(refused.stderr).toMatch(new RegExp(`^SEED_EDITION_MISMATCH: database '${db}' has the Adobe Commerce \\(content staging\\) schema, not the Magento Open Source one.*Fix: seed it with --edition commerce`));
      expect(await checksums(s, 'commerce')).toEqual(before);
      const again = await seedCli(db, '--force', '--products', '10', '--orders', '0', '--no-staging-updates');
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/\(seed 1, Adobe Commerce\)\n$/);
      expect(await count(s, 'SELECT COUNT(*) AS n FROM catalog_product_entity')).toBe(10);
      expect(await count(s, 'SELECT COUNT(*) AS n FROM staging_update')).toBe(0);
      expect(await count(s, 'SELECT COUNT(*) AS n FROM sequence_product')).toBe(10);
    } finally {
      await s.end();
    }
    const bad = await seedCli(db, '--edition', 'enterprise');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^CLI_USAGE: --edition must be opensource or commerce, got "enterprise"/);
  });

  it('rejects a bad count as a usage error', async () => {
    const r = await seedCli(main, '--products', 'many');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^CLI_USAGE: --products must be a non-negative integer, got "many"/);
  });
});
