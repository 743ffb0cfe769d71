// The status page in a real browser during a run: the figures it shows are the
// topics' contents, the chart is drawn, and a screenshot is kept for a look.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../src/kafka/client.js';
import { createLogger } from '../../src/log.js';
import { createDecoder } from '../../src/ops/decoder.js';
import { createRegistry } from '../../src/avro/registry.js';
import { computeStatus } from '../../src/ops/status/index.js';
import { startReceiver, type Receiver } from '../../src/receiver/index.js';
import { createCommerceDatabase } from '../helpers/commerce.js';
import { dropDatabase, ROOT, testConfig, uniqueName } from '../helpers/stack.js';
import { cliEnv } from './status.fixture.js';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

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
    mkdirSync(`${ROOT}test-results`, { recursive: true });
    const logFile = openSync(`${ROOT}test-results/dashboard-browser-run.log`, 'w');
    child = spawn('node', [`${ROOT}dist/cli/index.js`, 'run'], {
      env: cliEnv(prefix, database, {
        CDC_EXPORTER_FEEDS: 'products,scopesWebsite',
        CDC_PUBLISHER_BASE_URL: receiver.url,
        CDC_DASHBOARD_PORT: String(port),
        CDC_MYSQL_SERVER_ID: String(20_000 + Math.floor(Math.random() * 100_000)),
      }),
      stdio: ['ignore', logFile, logFile],
    });
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
    await page.goto(`http://127.0.0.1:${port}/`);
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
    // a few refreshes so the chart has samples
    await page.waitForTimeout(5000);
    expect(await page.locator('#chart polyline').count()).toBe(2);
    expect(await page.locator('#error').textContent()).toBe('');
    mkdirSync(`${ROOT}test-results`, { recursive: true });
    await page.screenshot({ path: `${ROOT}test-results/dashboard.png`, fullPage: true });
  }, 300_000);
});
