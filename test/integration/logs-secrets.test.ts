// Secrets set in the configuration never reach a log line or an error output,
// even with EXPORTER_EXTENDED_LOG=1 (payloads and request details logged) and
// downstream failures that log requests.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../../src/tools/receiver/index.js';
import { createCommerceDatabase } from '../helpers/commerce.js';
import { adminConnection, dropDatabase, ROOT, stackEnv, uniqueName } from '../helpers/stack.js';

const execP = promisify(execFile);

describe('logs and secrets', () => {
  const tag = randomBytes(4).toString('hex');
  const secrets = {
    mysqlPassword: `MyPw_${tag}_s3cr3t`,
    registryPassword: `RegPw_${tag}_s3cr3t`,
    apiKey: `ApiKey_${tag}_s3cr3t`,
    dashboardToken: `DashTok_${tag}_s3cr3t`,
  };
  const user = `lg_${tag}`;
  const prefix = uniqueName('logs');
  const dir = mkdtempSync(join(tmpdir(), 'cdc-logs-'));
  const configFile = join(dir, 'config.yaml');
  let database = '';
  let receiver: Receiver;
  const outputs: string[] = [];

  beforeAll(async () => {
    database = await createCommerceDatabase('logs', { products: 12, configurables: 1, orders: 2 });
    const c = await adminConnection();
    await c.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${secrets.mysqlPassword}'`);
    await c.query(`GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT ON *.* TO '${user}'@'%'`);
    await c.end();
    // the first requests fail (retried, logged with their details), one batch is rejected
    receiver = await startReceiver({ port: 0, faults: [{ status: 500, times: 2 }, { status: 400, times: 1 }] });
    writeFileSync(
      configFile,
      [
        `prefix: ${prefix}`,
        'logLevel: debug',
        'mysql:',
        `  host: ${stackEnv.mysqlHost}`,
        `  port: ${stackEnv.mysqlPort}`,
        `  user: ${user}`,
        `  password: ${secrets.mysqlPassword}`,
        `  database: ${database}`,
        `  serverId: ${10_000 + Math.floor(Math.random() * 100_000)}`,
        'kafka:',
        `  brokers: [${stackEnv.brokers.join(', ')}]`,
        'registry:',
        `  url: ${stackEnv.registryUrl}`,
        '  username: cdc',
        `  password: ${secrets.registryPassword}`,
        'exporter:',
        '  feeds: [products, scopesWebsite]',
        'publisher:',
        `  baseUrl: ${receiver.url}`,
        `  apiKey: ${secrets.apiKey}`,
        '  retryInitialMs: 100',
        'dashboard:',
        '  port: 0',
        `  token: ${secrets.dashboardToken}`,
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    await receiver?.close();
    const c = await adminConnection();
    await c.query(`DROP USER IF EXISTS '${user}'@'%'`);
    await c.end();
    await dropDatabase(database);
    rmSync(dir, { recursive: true, force: true });
  });

  const env = { ...process.env, EXPORTER_EXTENDED_LOG: '1', EXPORTER_PROFILER: '1', EXPORTER_LOG_PROGRESS_INTERVAL: '1', CDC_RETRY_SCALE: '0.1' };

  it('a run with extended logs and downstream failures', async () => {
    const child = spawn('node', [`${ROOT}dist/cli/index.js`, '-c', configFile, 'run'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 90_000;
    // items arrive downstream after the retried and rejected requests
    while (receiver.items.length < 1 && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 500));
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    outputs.push(out);
    expect(receiver.requests.some((q) => q.status === 500)).toBe(true);
    expect(receiver.items.length).toBeGreaterThanOrEqual(1);
    // the key was sent downstream, so it was in the process: the check below can fail
    expect(receiver.requests.some((q) => q.apiKey === secrets.apiKey)).toBe(true);
    const lines = out.split('\n').filter((l) => l.startsWith('{'));
    expect(lines.length).toBeGreaterThan(20);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.some((p) => p.feed && p.operation && p.status !== undefined && p.elapsed !== undefined)).toBe(true);
    expect(parsed.some((p) => p.msg === 'payload' || p.item !== undefined || p.payload !== undefined)).toBe(true);
  });

  it('error outputs and the config commands', async () => {
    for (const args of [['config'], ['config', '--check'], ['status', '--timeout', '20']]) {
      const r = await execP('node', [`${ROOT}dist/cli/index.js`, '-c', configFile, ...args], { env }).catch((e: { stdout: string; stderr: string }) => e);
      outputs.push(r.stdout + r.stderr);
    }
    // failures whose messages could carry the connection details
    const failing = [
      { CDC_REGISTRY_URL: `http://cdc:${secrets.registryPassword}@127.0.0.1:1/apis/ccompat/v7` },
      { CDC_MYSQL_PORT: '1' },
    ];
    for (const extra of failing) {
      const r = await execP('node', [`${ROOT}dist/cli/index.js`, '-c', configFile, 'resync', '--feed', 'scopesWebsite'], { env: { ...env, ...extra }, timeout: 120_000 }).catch(
        (e: { stdout: string; stderr: string }) => e,
      );
      expect(r.stderr).toMatch(/^[A-Z_]+: .+\. Fix: /m);
      outputs.push(r.stdout + r.stderr);
    }
    expect(outputs.join('\n')).toContain('[redacted]');
  });

  it('no configured secret appears anywhere', () => {
    const all = outputs.join('\n');
    expect(all.length).toBeGreaterThan(10_000);
    for (const [name, value] of Object.entries(secrets)) expect(all.includes(value), name).toBe(false);
  });
});
