// The publisher against a real HTTP receiver: what arrives (gzip JSON arrays on
// the feed's route with an Idempotency-Key), and the statuses in `<feed>.status`
// under 500s, 429s, timeouts, a refused connection, a 400 and invalid items.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase, testConfig, uniqueName } from '../helpers/stack.js';
import { resolveFeed } from '../../src/feeds/index.js';
import { topicNames } from '../../src/kafka/topics.js';
import { createExporter } from '../../src/exporter/index.js';
import { createPublisher } from '../../src/publisher/index.js';
import { startReceiver, type Receiver } from '../../src/tools/receiver/index.js';
import type { ItemEnvelope, StatusRecord } from '../../src/avro/records.js';
import type { Part } from '../../src/lifecycle.js';
import { createFeedTopics, deps, produceChanges, readTopic, scopesDatabase, sql, type Deps } from './exporter-helpers.js';

const feed = resolveFeed('scopesWebsite');

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function latestBy<T>(records: Array<{ key: string; value: T }>): Map<string, T> {
  const m = new Map<string, T>();
  for (const r of records) m.set(r.key, r.value);
  return m;
}

describe('publisher (scopesWebsite) against a real receiver', () => {
  let database: string;
  let d: Deps;
  let receiver: Receiver;
  const parts: Part[] = [];
  const ids = Array.from({ length: 12 }, (_, i) => String(i + 1));

  beforeAll(async () => {
    database = await scopesDatabase('publisher', 12);
    receiver = await startReceiver();
    d = deps(
      testConfig(database, uniqueName('pub'), {
        publisher: { baseUrl: receiver.url, apiKey: 'k-123', batchSize: 4, concurrency: 2, timeoutMs: 400, retryInitialMs: 50, retryMaxMs: 300 },
      }),
    );
    await createFeedTopics(d, [feed.name]);
    const exporter = createExporter({ ...d, feed });
    const publisher = createPublisher({ ...d, feed });
    parts.push(exporter, publisher);
    await exporter.start();
    await publisher.start();
  });
  afterAll(async () => {
    for (const p of parts.reverse()) await p.stop().catch(() => undefined);
    await receiver.close().catch(() => undefined);
    await d.db.end();
    await dropDatabase(database);
  });

  const t = () => topicNames(d.config.prefix);
  const statuses = async () => latestBy(await readTopic<StatusRecord>(d, t().status(feed.name)));
  const items = async () => latestBy(await readTopic<ItemEnvelope>(d, t().items(feed.name)));
  const received = (websiteId: string) => receiver.items.filter((r) => r.item.websiteId === websiteId);

  it('sends every item once, gzip JSON on the feed route with an Idempotency-Key and the api key; statuses 200', async () => {
    await produceChanges(d, feed.name, ids.map((id) => ({ trigger: id })));
    await until('12 items downstream', () => receiver.items.length >= 12);
    const st = await until('12 statuses', async () => {
      const s = await statuses();
      return s.size >= 12 && [...s.values()].every((x) => x.status === 200) ? s : undefined;
    });
    // timeoutMs is 400 for the timeout case below: on a loaded machine an ordinary request can
    // pass it, and the publisher then sends the same body again under the same key, which the
    // receiver accepts once per key as Commerce Services does. Once per key is the contract.
    const delivered = new Map(receiver.items.map((r) => [`${r.idempotencyKey}|${r.item.websiteId}`, r]));
    expect(delivered.size).toBe(12);
    expect(new Set([...delivered.values()].map((r) => r.item.websiteId))).toEqual(new Set(ids));
    const it = await items();
    for (const r of delivered.values()) {
      const e = [...it.values()].find((x) => x.item.websiteId === r.item.websiteId)!;
      expect(r.item).toEqual(JSON.parse(JSON.stringify(e.item)));
      expect(st.get(e.feedId)!.hash).toBe(e.hash);
    }
    expect(receiver.requests.length).toBeGreaterThanOrEqual(3);
    for (const q of receiver.requests) {
      expect(q.route).toBe('scopesWebsite');
      expect(q.contentType).toBe('application/json');
      expect(q.contentEncoding).toBe('gzip');
      expect(q.apiKey).toBe('k-123');
      expect(q.idempotencyKey).toMatch(/^[0-9a-f]{40}$/);
      expect(q.items).toBeLessThanOrEqual(4);
    }
    // a key is never reused for another body: the requests of one key carry the same items
    const byKey = new Map<string | undefined, number[]>();
    for (const q of receiver.requests) byKey.set(q.idempotencyKey, [...(byKey.get(q.idempotencyKey) ?? []), q.items]);
    expect(byKey.size).toBeGreaterThanOrEqual(3);
    for (const counts of byKey.values()) expect(new Set(counts).size).toBe(1);
  });

  it('retries 500s, 429s and timeouts with the same Idempotency-Key until delivered; statuses go 2 then 200', async () => {
    receiver.clearFaults();
    receiver.addFaults([{ status: 500, times: 2, match: 'web1-a' }, { status: 429, times: 1, match: 'web1-a' }, { delayMs: 1500, times: 1, match: 'web1-a' }]);
    await sql(database, `UPDATE store_website SET code = 'web1-a' WHERE website_id = 1`);
    const before = receiver.requests.length;
    await produceChanges(d, feed.name, [{ trigger: '1' }]);
    await until('website 1 delivered', () => received('1').some((r) => r.item.websiteCode === 'web1-a'));
    const tries = receiver.requests.slice(before);
    expect(tries.map((q) => q.status)).toEqual([500, 500, 429, 200, 200].slice(0, tries.length));
    expect(tries.length).toBeGreaterThanOrEqual(4);
    expect(new Set(tries.map((q) => q.idempotencyKey)).size).toBe(1);
    const history = (await readTopic<StatusRecord>(d, t().status(feed.name))).filter((r) => r.value.sourceEntityId === '1').map((r) => r.value.status);
    expect(history).toContain(2);
    expect(history.at(-1)).toBe(200);
    const final = [...(await readTopic<StatusRecord>(d, t().status(feed.name)))].filter((r) => r.value.sourceEntityId === '1').at(-1)!.value;
    expect(final.attempts).toBeGreaterThanOrEqual(4);
  });

  it('keeps retrying while the receiver refuses connections and delivers once it is back', async () => {
    const port = receiver.port;
    await receiver.close();
    await sql(database, `UPDATE store_website SET code = 'web2-b' WHERE website_id = 2`);
    await produceChanges(d, feed.name, [{ trigger: '2' }]);
    await until('status 2 for website 2', async () => [...(await statuses()).values()].find((s) => s.sourceEntityId === '2' && s.status === 2 && /request failed/.test(s.error ?? '')));
    const old = receiver;
    receiver = await startReceiver({ port });
    expect(receiver.url).toBe(old.url);
    await until('website 2 delivered', () => received('2').some((r) => r.item.websiteCode === 'web2-b'));
    await until('status 200 for website 2', async () => [...(await statuses()).values()].find((s) => s.sourceEntityId === '2' && s.status === 200));
  });

  it('a 400 and items named invalid get statuses 400 and 1, and are not sent again until their content changes', async () => {
    receiver.addFaults([
      { status: 400, match: 'web3-bad' },
      { status: 200, match: 'web4-inv', invalid: [{ itemIndex: 0, code: 'BAD_CODE', message: 'code is not allowed' }] },
      { status: 200, match: 'web5-inv', invalid: [{ field: '/0/websiteCode', message: 'too short' }] },
    ]);
    await sql(database, `UPDATE store_website SET code = 'web3-bad' WHERE website_id = 3`);
    await produceChanges(d, feed.name, [{ trigger: '3' }]);
    await until('status 400', async () => [...(await statuses()).values()].find((s) => s.sourceEntityId === '3' && s.status === 400));
    await sql(database, `UPDATE store_website SET code = 'web4-inv' WHERE website_id = 4`);
    await produceChanges(d, feed.name, [{ trigger: '4' }]);
    const s4 = await until('status 1', async () => [...(await statuses()).values()].find((s) => s.sourceEntityId === '4' && s.status === 1));
    expect(s4.error).toContain('code is not allowed');
    await sql(database, `UPDATE store_website SET code = 'web5-inv' WHERE website_id = 5`);
    await produceChanges(d, feed.name, [{ trigger: '5' }]);
    const s5 = await until('status 1 by field', async () => [...(await statuses()).values()].find((s) => s.sourceEntityId === '5' && s.status === 1));
    expect(s5.error).toContain('too short');

    // the same content again: not sent
    const requests = receiver.requests.length;
    await produceChanges(d, feed.name, [{ trigger: '3' }, { trigger: '4' }, { trigger: '5' }, { trigger: '6' }]);
    await new Promise((r) => setTimeout(r, 2500));
    expect(receiver.requests.length).toBe(requests);
    // changed content: sent and accepted
    receiver.clearFaults();
    await sql(database, `UPDATE store_website SET code = 'web3-good' WHERE website_id = 3`);
    await produceChanges(d, feed.name, [{ trigger: '3' }]);
    await until('website 3 accepted', () => received('3').some((r) => r.item.websiteCode === 'web3-good'));
    await until('status 200 for website 3', async () => [...(await statuses()).values()].find((s) => s.sourceEntityId === '3' && s.status === 200));
  });

  it('a deleted website goes out as its minimal payload with deleted: true', async () => {
    await sql(database, `DELETE FROM store WHERE website_id = 12`);
    await sql(database, `DELETE FROM store_group WHERE website_id = 12`);
    await sql(database, `DELETE FROM store_website WHERE website_id = 12`);
    await produceChanges(d, feed.name, [{ trigger: '12' }]);
    const del = await until('deleted website 12', () => received('12').find((r) => r.item.deleted === true));
    expect(del.item).toEqual({ websiteId: '12', websiteCode: 'web12', deleted: true });
  });
});
