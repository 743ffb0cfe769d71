// Bad data a real catalog holds, through the products and variants exporters and
// the publisher: invalid UTF-8 bytes in a varchar, zero dates, an EAV row for a
// deleted product, two products with the same sku, a configurable whose child is in
// no website; and a 16 MB description through the reader too. Each gives a correct
// item or a status-1 item with a readable error; the parts keep running and catch
// up (no stalled partition, no crash loop).
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommerceDatabase } from '../helpers/commerce.js';
import { adminConnection, dropDatabase, testConfig, uniqueName } from '../helpers/stack.js';
import { resolveFeed } from '../../src/feeds/index.js';
import { topicNames } from '../../src/kafka/topics.js';
import { createExporter } from '../../src/exporter/index.js';
import { createPublisher } from '../../src/publisher/index.js';
import { startReceiver, type Receiver } from '../../src/tools/receiver/index.js';
import type { ItemEnvelope, StatusRecord } from '../../src/avro/records.js';
import type { Part } from '../../src/lifecycle.js';
import { TRUNCATED_HEADER } from '../../src/reader/changes.js';
import { createFeedTopics, deps, produceChanges, readTopic, waitForGroup, type Deps } from './exporter-helpers.js';
import { startReader } from './reader-support.js';

const products = resolveFeed('products');
const variants = resolveFeed('variants');
type Row = Record<string, unknown>;
const q = async <T = Row>(c: mysql.Connection, sql: string, params: unknown[] = []): Promise<T[]> => ((await c.query(sql, params)) as unknown as [T[]])[0];

/**
 * A Commerce database, a receiver, and an exporter and a publisher per feed (a reader in front when
 * asked), started before the block's tests and stopped after them; `prepare` changes the database first.
 */
function rig(label: string, feeds: Array<typeof products>, o: { reader?: boolean; prepare?: (c: mysql.Connection) => Promise<unknown> } = {}) {
  const r = { parts: [] as Part[] } as { database: string; d: Deps; receiver: Receiver; c: mysql.Connection; parts: Part[] };
  beforeAll(async () => {
    r.database = await createCommerceDatabase(label);
    r.c = await adminConnection(r.database);
    await o.prepare?.(r.c);
    r.receiver = await startReceiver();
    const config = testConfig(r.database, uniqueName(label), {
      publisher: { baseUrl: r.receiver.url, batchSize: 20, retryInitialMs: 50, retryMaxMs: 500 },
      dashboard: { enabled: false },
      reader: { heartbeatMs: 500 },
    });
    r.d = deps(config);
    await createFeedTopics(r.d, feeds.map((f) => f.name));
    if (o.reader) r.parts.push(startReader(config).reader);
    for (const feed of feeds) r.parts.push(createExporter({ ...r.d, feed }), createPublisher({ ...r.d, feed }));
    for (const p of r.parts) await p.start();
  });
  afterAll(async () => {
    for (const p of r.parts.reverse()) await p.stop().catch(() => undefined);
    await r.c?.end();
    await r.receiver?.close().catch(() => undefined);
    await r.d?.db.end();
    if (r.database) await dropDatabase(r.database);
  });
  return r;
}

describe('bad data in a real catalog', () => {
  const env = rig('baddata', [products, variants]);

  /** Triggers the ids, waits for both groups of the feed; returns the latest item and status per key of those ids. */
  const through = async (feed: typeof products, ids: string[]) => {
    await produceChanges(env.d, feed.name, ids.map((id) => ({ trigger: id, type: feed.sourceEntity })));
    const t = topicNames(env.d.config.prefix);
    await waitForGroup(env.d, `${env.d.config.prefix}.exporter.${feed.name}`, t.changes(feed.name), 90_000);
    await waitForGroup(env.d, `${env.d.config.prefix}.publisher.${feed.name}`, t.items(feed.name), 90_000);
    expect(env.parts.map((p) => `${p.name} ${p.state}`).filter((s) => !s.endsWith('running'))).toEqual([]);
    const items = new Map<string, ItemEnvelope>();
    for (const r of await readTopic<ItemEnvelope>(env.d, t.items(feed.name))) if (ids.includes(r.value.sourceEntityId)) items.set(r.key, r.value);
    const statuses = new Map<string, StatusRecord>();
    for (const r of await readTopic<StatusRecord>(env.d, t.status(feed.name))) if (ids.includes(r.value.sourceEntityId)) statuses.set(r.key, r.value);
    return { items, statuses };
  };
  /** Every item of these ids delivered (200) or refused with a readable error (1). */
  const expectSettled = (r: Awaited<ReturnType<typeof through>>) => {
    for (const [key, item] of r.items) {
      const st = r.statuses.get(key);
      expect(st, `status of ${item.sourceEntityId} ${key}`).toBeDefined();
      expect(st!.hash).toBe(item.hash);
      if (st!.status === 1) expect(st!.error).toMatch(/\w{3,}/);
      else expect(st!.status).toBe(200);
    }
  };
  const attr = async (code: string) => (await q<{ id: number }>(env.c, `SELECT attribute_id AS id FROM eav_attribute WHERE entity_type_id = 4 AND attribute_code = ?`, [code]))[0]!.id;
  const simples = async () => (await q<{ id: number; sku: string }>(env.c, `SELECT entity_id AS id, sku FROM catalog_product_entity WHERE type_id = 'simple' ORDER BY entity_id`));

  it('invalid UTF-8 bytes in a varchar: a correct item', async () => {
    const [, , p] = await simples();
    await env.c.query(`SET SESSION sql_mode = ''`);
    await env.c.query(`ALTER TABLE catalog_product_entity_varchar MODIFY value VARBINARY(255)`);
    await env.c.query(`UPDATE catalog_product_entity_varchar SET value = X'4E616D6520C328FF' WHERE entity_id = ? AND attribute_id = ?`, [p!.id, await attr('name')]);
    const r = await through(products, [String(p!.id)]);
    expectSettled(r);
    // the bytes that are not UTF-8 arrive as U+FFFD, the rest of the name as it was
    expect([...r.items.values()].some((i) => JSON.stringify(i.item).includes('Name \uFFFD('))).toBe(true);
  });

  it('zero dates: a correct item', async () => {
    const [, , , p] = await simples();
    await env.c.query(`SET SESSION sql_mode = ''`);
    await env.c.query(`UPDATE catalog_product_entity SET created_at = '0000-00-00 00:00:00', updated_at = '0000-00-00 00:00:00' WHERE entity_id = ?`, [p!.id]);
    await env.c.query(`INSERT INTO catalog_product_entity_datetime (attribute_id, store_id, entity_id, value) VALUES (?, 0, ?, '0000-00-00 00:00:00') ON DUPLICATE KEY UPDATE value = VALUES(value)`, [await attr('special_from_date'), p!.id]);
    const r = await through(products, [String(p!.id)]);
    expectSettled(r);
    expect(r.items.size).toBeGreaterThan(0);
  });

  it('an EAV row for a deleted product: no item, nothing stalls', async () => {
    await env.c.query(`INSERT INTO catalog_product_entity_varchar (attribute_id, store_id, entity_id, value) VALUES (?, 0, 999999, 'orphan')`, [await attr('name')]);
    const r = await through(products, ['999999']);
    expect([...r.items.values()].filter((i) => !i.deleted)).toEqual([]);
  });

  it('two products with the same sku: one item per identity, delivered', async () => {
    const [, , , , a, b] = await simples();
    await env.c.query(`UPDATE catalog_product_entity SET sku = ? WHERE entity_id = ?`, [a!.sku, b!.id]);
    const r = await through(products, [String(a!.id), String(b!.id)]);
    expectSettled(r);
    expect(r.items.size).toBeGreaterThan(0);
  });

  it('a configurable whose child is in no website: correct variants', async () => {
    const [link] = await q<{ parent_id: number; product_id: number }>(env.c, `SELECT parent_id, product_id FROM catalog_product_super_link ORDER BY link_id LIMIT 1`);
    await env.c.query(`DELETE FROM catalog_product_website WHERE product_id = ?`, [link!.product_id]);
    const r = await through(variants, [String(link!.parent_id), String(link!.product_id)]);
    expectSettled(r);
  });
});

// The broker of scripts/stack.sh takes records up to message.max.bytes = 10485760; a 16 MB description
// makes a change record (its after image) and product items (one per store view) larger than that.
describe('a 16 MB description through the reader, the products exporter and the publisher', () => {
  const SIZE = 16_000_000;
  const env = rig('bigdesc', [products], {
    reader: true,
    // Magento's column is MEDIUMTEXT (the fixture's TEXT holds 64 KB)
    prepare: (c) => c.query(`ALTER TABLE catalog_product_entity_text MODIFY value MEDIUMTEXT`),
  });

  const t = () => topicNames(env.d.config.prefix);
  const statusesOf = async (id: number) => {
    const out = new Map<string, StatusRecord>();
    for (const r of await readTopic<StatusRecord>(env.d, t().status(products.name))) if (r.value.sourceEntityId === String(id)) out.set(r.key, r.value);
    return out;
  };
  const itemsOf = async (id: number) => {
    const out = new Map<string, ItemEnvelope>();
    for (const r of await readTopic<ItemEnvelope>(env.d, t().items(products.name))) if (r.value.sourceEntityId === String(id)) out.set(r.key, r.value);
    return out;
  };
  const receivedOf = (id: number) => env.receiver.items.filter((r) => r.route === products.route && String(r.item.productId ?? '') === String(id));
  /** Polls until `ok` holds (the parts must stay running meanwhile). */
  const until = async (what: string, ok: () => Promise<boolean> | boolean, timeoutMs = 120_000) => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      expect(env.parts.map((p) => `${p.name} ${p.state}`).filter((s) => !s.endsWith('running'))).toEqual([]);
      if (await ok()) return;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  it('the change record is cut to fit, the items get status 1 with the reason, nothing is sent; the next changes flow', async () => {
    const [p, next, edge] = await q<{ id: number; sku: string }>(env.c, `SELECT entity_id AS id, sku FROM catalog_product_entity WHERE type_id = 'simple' ORDER BY entity_id LIMIT 3`);
    const descriptionAttr = (await q<{ id: number }>(env.c, `SELECT attribute_id AS id FROM eav_attribute WHERE entity_type_id = 4 AND attribute_code = 'description'`))[0]!.id;
    const nameAttr = (await q<{ id: number }>(env.c, `SELECT attribute_id AS id FROM eav_attribute WHERE entity_type_id = 4 AND attribute_code = 'name'`))[0]!.id;
    // the snapshot delivered p as it was
    await until('the snapshot of p delivered', async () => [...(await statusesOf(p!.id)).values()].some((s) => s.status === 200));
    const before = await itemsOf(p!.id);
    expect(before.size).toBeGreaterThan(0);
    const receivedBefore = receivedOf(p!.id).length;

    // below the limit: a 9 MB description is a whole item, delivered (the records of 9 MB pass every consumer)
    await env.c.query(`INSERT INTO catalog_product_entity_text (attribute_id, store_id, entity_id, value) VALUES (?, 0, ?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value)`, [descriptionAttr, edge!.id, 'e'.repeat(9_000_000)]);
    await until('the 9 MB item of the third product delivered', () => receivedOf(edge!.id).some((r) => r.item.description === 'e'.repeat(9_000_000)));
    await until('its statuses 200', async () => {
      const items = [...(await itemsOf(edge!.id)).values()].filter((i) => (i.item.description as string | null)?.length === 9_000_000);
      const st = await statusesOf(edge!.id);
      return items.length > 0 && items.every((i) => st.get(i.feedId)?.status === 200 && st.get(i.feedId)?.hash === i.hash);
    });

    await env.c.query(`INSERT INTO catalog_product_entity_text (attribute_id, store_id, entity_id, value) VALUES (?, 0, ?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value)`, [descriptionAttr, p!.id, 'd'.repeat(SIZE)]);
    // a change after it in the binlog: must arrive downstream (nothing stalled behind the big row)
    await env.c.query(`INSERT INTO catalog_product_entity_varchar (attribute_id, store_id, entity_id, value) VALUES (?, 0, ?, 'After the big one') ON DUPLICATE KEY UPDATE value = VALUES(value)`, [nameAttr, next!.id]);
    await until('the next product renamed downstream', () => receivedOf(next!.id).some((r) => r.item.name === 'After the big one'));
    await until('the status 1 of every item of p', async () => {
      const st = [...(await statusesOf(p!.id)).values()];
      return st.length >= before.size && st.every((s) => s.status === 1);
    });

    // the reader: the change record fits the topic, its description cut short and named in the header
    const changes = (await readTopic<{ op: string; after: Record<string, unknown> | null; source: { table: string } }>(env.d, t().changes(products.name))).filter(
      (r) => r.key === String(p!.id) && r.value.source.table === 'catalog_product_entity_text',
    );
    expect(changes.length).toBe(1);
    const change = changes[0]!;
    expect(change.headers[TRUNCATED_HEADER]).toBe(`after.value=${SIZE}`);
    expect(change.bytes).toBeLessThanOrEqual(10_485_760);
    const cut = change.value.after!.value as string;
    expect(cut.length).toBeGreaterThan(10_000_000);
    expect(cut.length).toBeLessThan(SIZE);
    expect(cut).toBe('d'.repeat(cut.length));

    // the exporter: no item written for the new version, a status 1 per item naming sizes and setting
    expect(await itemsOf(p!.id)).toEqual(before);
    const statuses = await statusesOf(p!.id);
    expect([...statuses.keys()].sort()).toEqual([...before.keys()].sort());
    for (const s of statuses.values()) {
      expect(s.status).toBe(1);
      expect(s.hash).not.toBe(before.get(s.feedId)!.hash);
      expect(s.error).toMatch(/^ITEM_TOO_LARGE: invalid item: encoded size (\d+) bytes exceeds the items topic's max\.message\.bytes 10485760 .*raise max\.message\.bytes/);
      expect(Number(/encoded size (\d+)/.exec(s.error!)![1])).toBeGreaterThan(SIZE);
    }
    // the publisher: nothing of the refused version reached the receiver
    expect(receivedOf(p!.id).length).toBe(receivedBefore);
    const counted = (await env.d.metrics.exporterItemsTooLarge.get()).values.find((v) => v.labels.feed === products.name)?.value ?? 0;
    expect(counted).toBeGreaterThanOrEqual(before.size);

    // a description that fits again: delivered, the status back to 200 for the item now in the topic
    await env.c.query(`UPDATE catalog_product_entity_text SET value = 'A short description again' WHERE attribute_id = ? AND store_id = 0 AND entity_id = ?`, [descriptionAttr, p!.id]);
    await until('p delivered again', () => receivedOf(p!.id).some((r) => r.item.description === 'A short description again'));
    await until('the status 200 of every item of p', async () => {
      const items = await itemsOf(p!.id);
      const st = await statusesOf(p!.id);
      return [...items.values()].every((i) => st.get(i.feedId)?.status === 200 && st.get(i.feedId)?.hash === i.hash);
    });
  });
});
