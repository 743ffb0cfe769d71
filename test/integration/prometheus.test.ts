// /metrics as Prometheus expects it: Debian's promtool lints the live output of a running
// connector (any warning fails), and the sample scrape config and alert rules in
// docs/prometheus pass its checks and its rule tests. `make test` installs promtool.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../../src/tools/receiver/index.js';
import { createCommerceDatabase } from '../helpers/commerce.js';
import { adminConnection, dropDatabase, ROOT, uniqueName } from '../helpers/stack.js';
import { spawnRunWithDashboard } from '../helpers/cli.js';

const TOKEN = 'prom-token-1234';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

function promtool(args: string[], input?: string) {
  const r = spawnSync('promtool', args, { cwd: `${ROOT}docs/prometheus`, input, encoding: 'utf8' });
  if (r.error) throw new Error(`promtool: ${r.error.message} (make promtool installs Debian's prometheus package)`);
  console.log(`$ promtool ${args.join(' ')}\n${r.stdout}${r.stderr}(exit ${r.status})`);
  return r;
}

describe('Prometheus', () => {
  const prefix = uniqueName('prom');
  let database = '';
  let receiver: Receiver;
  let child: ChildProcess | undefined;
  let port = 0;

  beforeAll(async () => {
    database = await createCommerceDatabase('prom', { products: 12, orders: 2 });
    receiver = await startReceiver({ port: 0 });
    port = await freePort();
    child = spawnRunWithDashboard({ prefix, database, feeds: 'products,prices', receiverUrl: receiver.url, port, token: TOKEN, logName: 'prometheus-run' });
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    await receiver?.close();
    await dropDatabase(database);
  });

  it('promtool check metrics finds nothing to say about the live /metrics of `run`', async () => {
    const scrape = async () => {
      const r = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      return r.ok ? r.text() : '';
    };
    // once the initial sync went through every part and one change streamed, each metric family has samples
    let text = '';
    const missing = (families: string[]) => async () => {
      text = await scrape();
      return families.filter((m) => !text.includes(m));
    };
    await expect.poll(missing(['cdc_exporter_batch_seconds_count{', 'cdc_publisher_items_total{', 'cdc_feed_items{', 'cdc_feed_changes_lag{', 'cdc_reader_binlog_behind_seconds ']), { timeout: 180_000, interval: 2000 }).toEqual([]);
    const c = await adminConnection(database);
    await c.query(`UPDATE catalog_product_entity SET updated_at = NOW() WHERE entity_id = 1`).finally(() => c.end());
    await expect.poll(missing(['cdc_reader_events_total{feed="products",op="u"}', 'cdc_reader_lag_seconds ']), { timeout: 60_000, interval: 1000 }).toEqual([]);
    expect(child!.exitCode).toBeNull();
    const r = promtool(['check', 'metrics'], text);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
    // what promtool would have flagged before (ms units, `_total` gauges) stays out
    expect(text).not.toMatch(/^# TYPE \S+_ms(_total)? /m);
    expect(text).not.toMatch(/^# TYPE \S+_total gauge$/m);
  }, 240_000);

  it('the sample scrape config and alert rules pass promtool, and each alert fires in its rule test', () => {
    const config = promtool(['check', 'config', 'prometheus.yml']);
    expect(config.status).toBe(0);
    expect(config.stdout).toContain('SUCCESS: prometheus.yml is valid prometheus config file syntax');
    const rules = promtool(['check', 'rules', 'alerts.yml']);
    expect(rules.status).toBe(0);
    expect(rules.stdout).toContain('SUCCESS: 4 rules found');
    const test = promtool(['test', 'rules', 'alerts.test.yml']);
    expect(test.stdout + test.stderr).toContain('SUCCESS');
    expect(test.status).toBe(0);
  });
});
