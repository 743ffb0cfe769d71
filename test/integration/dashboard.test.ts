import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClients } from '../../src/connector.js';
import { createDashboard, type Dashboard } from '../../src/dashboard/index.js';
import type { PartState } from '../../src/lifecycle.js';
import { createLogger } from '../../src/log.js';
import { Metrics } from '../../src/metrics.js';
import type { LiveStatusReport } from '../../src/ops/status/live.js';
import { createDatabase, dropDatabase, testConfig, uniqueName } from '../helpers/stack.js';
import { FeedWriter, testKafka } from './status.fixture.js';

const TOKEN = 'dash-token-123';

describe('dashboard', () => {
  const prefix = uniqueName('dash');
  let database = '';
  let dash: Dashboard;
  let readerState: PartState = 'running';
  const writer = new FeedWriter(testKafka(), prefix);

  beforeAll(async () => {
    database = await createDatabase('dash');
    const config = testConfig(database, prefix, { dashboard: { port: 0, token: TOKEN }, exporter: { feeds: ['products'] } });
    await writer.topics(['products']);
    await writer.write('products', {
      items: [
        { feedId: 'a', sourceEntityId: '1', hash: 'h' },
        { feedId: 'b', sourceEntityId: '2', hash: 'h' },
      ],
      statuses: [{ feedId: 'a', sourceEntityId: '1', hash: 'h', status: 200 }],
    });
    const log = createLogger({ level: 'warn' });
    dash = createDashboard({ config, log, metrics: new Metrics({ defaults: false }), ...createClients(config, log), parts: () => [{ name: 'reader', state: readerState }] });
    await dash.start();
  });

  afterAll(async () => {
    await dash?.stop();
    await dropDatabase(database);
  });

  const get = (path: string, token: string | null = TOKEN) => fetch(dash.url() + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('serves the figures of the topics at /api/status, and follows new writes', async () => {
    const r = (await (await get('/api/status')).json()) as LiveStatusReport;
    expect(r.feeds).toEqual([expect.objectContaining({ feed: 'products', items: 2, sent: 1, pending: 1, failed: 0 })]);
    await writer.write('products', { statuses: [{ feedId: 'b', sourceEntityId: '2', hash: 'h', status: 1, error: 'price: must be a number' }] });
    await expect
      .poll(async () => ((await (await get('/api/status')).json()) as LiveStatusReport).feeds[0], { timeout: 15_000, interval: 500 })
      .toMatchObject({ sent: 1, failed: 1, pending: 0, failedItems: [expect.objectContaining({ feedId: 'b', error: 'price: must be a number' })] });
    const later = (await (await get('/api/status')).json()) as LiveStatusReport;
    expect(later.history.length).toBeGreaterThan(1);
  });

  it('requires the bearer token for all but /healthz', async () => {
    expect((await get('/api/status', null)).status).toBe(401);
    expect((await get('/api/status', 'wrong-token-xx')).status).toBe(401);
    expect((await get('/', null)).status).toBe(401);
    expect((await get('/metrics', null)).status).toBe(401);
    expect((await fetch(`${dash.url()}/api/status?token=${TOKEN}`)).status).toBe(200);
    expect((await get('/healthz', null)).status).toBe(200);
  });

  it('serves the page and Prometheus metrics with the status figures', async () => {
    const page = await get('/');
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain(prefix);
    const m = await (await get('/metrics')).text();
    expect(m).toContain('cdc_feed_items{feed="products",state="failed"} 1');
    expect(m).toContain('cdc_exporter_items_written_total');
  });

  it('/healthz is 503 when a part is not running', async () => {
    readerState = 'failed';
    const r = await get('/healthz', null);
    expect(r.status).toBe(503);
    expect(await r.json()).toMatchObject({ status: 'unhealthy', parts: expect.arrayContaining([{ name: 'reader', state: 'failed' }]) });
    readerState = 'running';
    expect((await get('/healthz', null)).status).toBe(200);
  });
});
