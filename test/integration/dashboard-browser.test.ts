// The status page in a real browser during a run: the figures it shows are the
// topics' contents, the chart is drawn (with the hour before the page opened), a feed's
// Resync action runs with its progress to 100 % and its items arrive downstream again,
// and screenshots are kept for a look.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../src/kafka/client.js';
import { createLogger } from '../../src/log.js';
import { createDecoder } from '../../src/ops/decoder.js';
import { createRegistry } from '../../src/avro/registry.js';
import { lockName } from '../../src/ops/resync/lock.js';
import { computeStatus } from '../../src/ops/status/index.js';
import { startReceiver, type Receiver } from '../../src/tools/receiver/index.js';
import { createCommerceDatabase } from '../helpers/commerce.js';
import { adminConnection, dropDatabase, ROOT, testConfig, uniqueName } from '../helpers/stack.js';
import { spawnRunWithDashboard } from '../helpers/cli.js';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

const TOKEN = 'page-token-5678';

describe('status page in a browser', () => {
  const prefix = uniqueName('page');
  let database = '';
  let receiver: Receiver;
  let child: ChildProcess | undefined;
  let browser: Browser | undefined;
  let port = 0;

  beforeAll(async () => {
    database = await createCommerceDatabase('page', { products: 30 });
    // one item of a batch is rejected so the page has a failed item to show
    receiver = await startReceiver({ port: 0, faults: [{ route: 'products', status: 200, times: 1, invalid: [{ itemIndex: 0, code: 'INVALID', message: 'price must be positive' }] }] });
    port = await freePort();
    child = spawnRunWithDashboard({ prefix, database, feeds: 'products,scopesWebsite', receiverUrl: receiver.url, port, token: TOKEN, logName: 'dashboard-browser-run' });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    await receiver?.close();
    await dropDatabase(database);
  });

  it('shows the figures the topics hold', async () => {
    const config = testConfig(database, prefix, { exporter: { feeds: ['products', 'scopesWebsite'] } });
    const log = createLogger({ level: 'silent' });
    const fromTopics = () => computeStatus({ config, log, kafka: createKafka(config, log), decoder: createDecoder(createRegistry(config), config), timeoutMs: 20_000 });
    // the initial sync: every products item has a final status
    await expect.poll(async () => {
      const p = (await fromTopics()).feeds.find((f) => f.feed === 'products')!;
      return p.items > 0 && p.pending === 0;
    }, { timeout: 240_000, interval: 2000 }).toBe(true);
    const truth = await fromTopics();
    const products = truth.feeds.find((f) => f.feed === 'products')!;
    expect(products.failed).toBe(1);
    expect(products.sent).toBe(receiver.items.filter((i) => i.route.includes('product')).length);

    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`http://127.0.0.1:${port}/?token=${TOKEN}`);
    const cell = (feed: string, field: string) => page.locator(`#feeds tr[data-feed="${feed}"] td[data-field="${field}"]`);
    for (const f of truth.feeds) {
      for (const field of ['items', 'deleted', 'sent', 'failed', 'pending'] as const) {
        await expect.poll(() => cell(f.feed, field).textContent(), { timeout: 10_000 }).toBe(String(f[field]));
      }
    }
    await expect.poll(() => page.locator('#failed li[data-feed="products"]').first().textContent()).toContain('price must be positive');
    expect(await page.locator('#r-position').textContent()).toMatch(/^mysql-bin\.\d+:\d+/);
    // the edition, read from the schema at start
    expect(await page.locator('#r-edition').textContent()).toBe('Magento Open Source');
    // a run without reader.ha: no lease group, one reader
    expect(await page.locator('#r-active').textContent()).toBe('one reader (reader.ha off)');
    // a few refreshes so the chart has samples
    await page.waitForTimeout(5000);
    expect(await page.locator('#chart polyline').count()).toBe(2);
    expect(await page.locator('#error').textContent()).toBe('');
    mkdirSync(`${ROOT}test-results`, { recursive: true });
    await page.screenshot({ path: `${ROOT}test-results/dashboard.png`, fullPage: true });
  }, 300_000);

  it('resyncs a feed from the page: confirmation, one at a time (409), the token (401), progress to 100 %, the items downstream again', async () => {
    const config = testConfig(database, prefix, { exporter: { feeds: ['products', 'scopesWebsite'] } });
    const log = createLogger({ level: 'silent' });
    const products = (await computeStatus({ config, log, kafka: createKafka(config, log), decoder: createDecoder(createRegistry(config), config), timeoutMs: 20_000 })).feeds.find((f) => f.feed === 'products')!;
    const live = products.items - products.deleted;
    expect(live).toBeGreaterThan(0);
    const base = `http://127.0.0.1:${port}`;
    const post = (body: unknown, token: string | null = TOKEN) =>
      fetch(`${base}/api/resync`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });

    // the token is required; a second resync of a feed is refused with the CLI's words while the lock is held
    expect((await post({ feed: 'products', mode: 'full' }, null)).status).toBe(401);
    expect((await post({ feed: 'nope', mode: 'full' })).status).toBe(400);
    const c = await adminConnection();
    try {
      await c.query('SELECT GET_LOCK(?, 0)', [lockName(prefix, 'products')]);
      const busy = await post({ feed: 'products', mode: 'full' });
      expect(busy.status).toBe(409);
      expect(((await busy.json()) as { error: string }).error).toMatch(/^operation skipped - process locked by connection \d+ \(lock commerce_cdc\./);
    } finally {
      await c.end();
    }

    // the chart shows what happened before the page opened (the connector keeps the last hour in 10-s buckets)
    const history = async () => ((await (await fetch(`${base}/api/history?token=${TOKEN}`)).json()) as { bucketMs: number; samples: Array<{ t: number }> });
    await expect.poll(async () => (await history()).samples.length, { timeout: 30_000, interval: 1000 }).toBeGreaterThanOrEqual(3);
    expect((await history()).bucketMs).toBe(10_000);
    const opened = Date.now();
    const page = await browser!.newPage({ viewport: { width: 1280, height: 1100 } });
    await page.goto(`${base}/?token=${TOKEN}`);
    await expect.poll(() => page.locator('#chart polyline').count(), { timeout: 5000 }).toBe(2);
    expect(await page.evaluate(`hist.filter((s) => s.t < ${opened}).length`)).toBeGreaterThanOrEqual(3);

    let posts = 0;
    let expectedPosts = 0;
    page.on('request', (r) => void (r.method() === 'POST' && r.url().includes('/api/resync') && posts++));
    const sentToProducts = () => receiver.items.filter((i) => i.route === 'products').length;
    const job = page.locator('#resync-jobs .job[data-feed="products"]');
    const resyncFromPage = async (mode: 'full' | 'no-reindex', shot?: string) => {
      const before = sentToProducts();
      const previous = (await job.count()) ? await job.getAttribute('data-started') : null;
      await page.locator('button.resync[data-feed="products"]').click();
      expect(await page.locator('#resync-dialog').isVisible()).toBe(true);
      expect(await page.locator('#resync-feed').textContent()).toBe('products');
      await page.locator(`#resync-dialog input[value="${mode}"]`).check();
      await page.locator('#resync-confirm').click();
      // this resync's row, not the last one's
      await expect.poll(async () => ((await job.count()) ? [await job.getAttribute('data-mode'), await job.getAttribute('data-started')] : []), { timeout: 5000, interval: 100 })
        .toEqual([mode, expect.not.stringMatching(`^${previous ?? '-'}$`)]);
      if (shot) {
        mkdirSync(`${ROOT}.ci`, { recursive: true });
        await page.screenshot({ path: shot, fullPage: true });
      }
      // state, bar and text of one rendering (the list is redrawn every second)
      const shown = () => job.evaluate((el) => `${el.getAttribute('data-state')} ${el.querySelector('progress')!.getAttribute('value')} ${el.querySelector('.percent')!.textContent}`);
      await expect.poll(shown, { timeout: 120_000, interval: 500 }).toMatch(/^done /);
      expect(await shown()).toMatch(/^done 100 100 % - done, \d+ (id\(s\) resynced|item\(s\) resent)$/);
      expect(posts).toBe(++expectedPosts);
      // every live item of the feed arrives downstream again
      await expect.poll(sentToProducts, { timeout: 60_000, interval: 500 }).toBeGreaterThanOrEqual(before + live);
      expect(await page.locator('#resync-msg').textContent()).toBe('');
    };
    await resyncFromPage('full', `${ROOT}.ci/resync-screenshot.png`);
    await resyncFromPage('no-reindex');
    // Cancel in the dialog starts nothing
    const finished = await page.locator('#resync-jobs .job[data-feed="products"] .percent').textContent();
    await page.locator('button.resync[data-feed="products"]').click();
    await page.locator('#resync-cancel').click();
    expect(await page.locator('#resync-dialog').isVisible()).toBe(false);
    await page.waitForTimeout(1500);
    expect(await page.locator('#resync-jobs .job[data-feed="products"] .percent').textContent()).toBe(finished);
    await page.screenshot({ path: `${ROOT}test-results/dashboard-resync.png`, fullPage: true });
  }, 300_000);
});
