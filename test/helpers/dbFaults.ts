// What the database fault tests share: a seeded Commerce catalog on a private stack (its
// MariaDB is killed, restarted and its binlog purged), `commerce-cdc run` for the products
// feed as a child process publishing to a receiver, and the final check that the items
// topic and the receiver equal a fresh assembly, with `commerce-cdc verify` saying so too.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import type { Config } from '../../src/config/schema.js';
import { OPEN_SOURCE } from '../../src/feeds/common/link.js';
import { resolveFeed } from '../../src/feeds/index.js';
import type { FeedDefinition } from '../../src/feeds/types.js';
import { startReceiver, type Receiver } from '../../src/tools/receiver/index.js';
import { applySchema, seedCatalog } from '../../src/tools/seed/index.js';
import type { SeedOptions } from '../../src/tools/seed/options.js';
import { deps, type Deps } from '../integration/exporter-helpers.js';
import { TEST_SEED } from './commerce.js';
import { assembleAll, compareLatest, describeMismatches, receivedLatest, topicLatest, waitIdle } from './e2e.js';
import type { PrivateStack } from './privateStack.js';
import { recordSelfExit } from './processes.js';
import { ROOT, stackEnv, testConfig } from './stack.js';

export const PRODUCTS: FeedDefinition = resolveFeed('products');

/** An admin connection to a database of the private stack. */
export async function privateAdmin(stack: PrivateStack, database?: string): Promise<mysql.Connection> {
  const c = await mysql.createConnection({ host: '127.0.0.1', port: stack.mysqlPort, user: stackEnv.adminUser, password: stackEnv.adminPassword, database, multipleStatements: true });
  // a killed server ends the connection with an error event: the caller sees its failed query instead
  c.on('error', () => undefined);
  return c;
}

/** A Magento Open Source catalog (TEST_SEED with `seed` over it) in a new database of the private stack. */
export async function privateCatalog(stack: PrivateStack, database: string, seed: Partial<SeedOptions> = {}): Promise<void> {
  const c = await privateAdmin(stack);
  try {
    await c.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
    await c.query(`USE \`${database}\``);
    await applySchema(c, database, 'opensource');
    await seedCatalog(c, { ...TEST_SEED, ...seed, edition: 'opensource' });
  } finally {
    await c.end();
  }
}

/** The connector's config for the private stack (written to a file for the child processes). */
export function privateConfig(stack: PrivateStack, database: string, prefix: string, overrides: Record<string, unknown> = {}): { config: Config; file: string } {
  const config = testConfig(database, prefix, {
    mysql: { host: '127.0.0.1', port: stack.mysqlPort, user: stackEnv.cdcUser, password: stackEnv.cdcPassword, database, serverId: 7400 + Math.floor(Math.random() * 500) },
    kafka: { brokers: stack.brokers, partitions: 3 },
    registry: { url: stack.registryUrl },
    dashboard: { enabled: false },
    ...overrides,
  });
  const file = join(mkdtempSync(join(tmpdir(), 'cdc-dbfault-')), 'config.json');
  writeFileSync(file, JSON.stringify(config));
  return { config, file };
}

/** The test's environment without the shared stack's CDC_* settings (they would override the config file). */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CDC_')));
  return { ...env, CDC_RETRY_SCALE: '0.2', ...extra };
}

export interface Rig {
  stack: PrivateStack;
  config: Config;
  configFile: string;
  d: Deps;
  receiver: Receiver;
  /** Connector processes that ended without being killed or asked to stop, with their last output. */
  selfExits: string[];
  /** A line in `<stack dir>/connector.log` (kept with the stack when a test fails). */
  mark(what: string): void;
  /** `commerce-cdc <args>` (default `run --feeds products`) as a child; its stderr goes to connector.log. */
  spawn(args?: string[], env?: Record<string, string>): ChildProcess;
  /** SIGTERM and wait: the exit code (0 for a clean stop). */
  stop(p: ChildProcess): Promise<number | null>;
  close(): Promise<void>;
}

export async function openRig(stack: PrivateStack, database: string, prefix: string, overrides: Record<string, unknown> = {}): Promise<Rig> {
  const receiver = await startReceiver();
  const { config, file } = privateConfig(stack, database, prefix, { publisher: { baseUrl: receiver.url, batchSize: 200 }, reader: { heartbeatMs: 500 }, ...overrides });
  const d: Deps = { ...deps(config), catalog: OPEN_SOURCE };
  const selfExits: string[] = [];
  const stopping = new WeakSet<ChildProcess>();
  const log = join(stack.dir, 'connector.log');
  const mark = (what: string) => appendFileSync(log, `--- ${new Date().toISOString()} ${what}\n`);
  return {
    stack,
    config,
    configFile: file,
    d,
    receiver,
    selfExits,
    mark,
    spawn(args = ['run', '--feeds', PRODUCTS.name], env = {}) {
      const p = spawn(process.execPath, [`${ROOT}dist/cli/index.js`, '-c', file, ...args], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'ignore', 'pipe'] });
      mark(`started ${args.join(' ')} (pid ${p.pid})`);
      p.stderr!.on('data', (b: Buffer) => appendFileSync(log, b));
      recordSelfExit(p, args[0]!, selfExits, () => stopping.has(p), mark);
      return p;
    },
    async stop(p) {
      stopping.add(p);
      if (p.exitCode !== null || p.signalCode !== null) return p.exitCode;
      const exited = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
      p.kill('SIGTERM');
      const t = setTimeout(() => p.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(t);
      mark(`pid ${p.pid} stopped: exit ${code}`);
      return code;
    },
    async close() {
      await receiver.close();
      await d.db.end().catch(() => undefined);
    },
  };
}

export interface FeedCheck {
  /** Identities whose latest item in the items topic or at the receiver is not the fresh assembly's (or not deleted when gone). */
  mismatches: number;
  /** Readable mismatches, empty when equal. */
  problems: string[];
  /** `commerce-cdc verify --feed products`: its exit code and output. */
  verify: { code: number; stdout: string; stderr: string };
}

/**
 * Waits until the connector is idle (reader past the server's position of now, every group caught up),
 * then compares the products items topic and the receiver with a fresh assembly, and runs verify.
 */
export async function checkProducts(rig: Rig, alive: () => string | undefined): Promise<FeedCheck> {
  await waitIdle(rig.d, [PRODUCTS], { timeoutMs: 150_000, alive });
  const want = (await assembleAll(rig.d, [PRODUCTS])).get(PRODUCTS.name)!;
  const mt = compareLatest(PRODUCTS, want, await topicLatest(rig.d, PRODUCTS));
  const mr = compareLatest(PRODUCTS, want, receivedLatest(rig.receiver, PRODUCTS));
  const problems = [...(mt.length ? [`items topic: ${mt.length} mismatches\n${describeMismatches(mt)}`] : []), ...(mr.length ? [`receiver: ${mr.length} mismatches\n${describeMismatches(mr)}`] : [])];
  const verify = await promisify(execFile)(process.execPath, [`${ROOT}dist/cli/index.js`, '-c', rig.configFile, 'verify', '--feed', PRODUCTS.name], { cwd: ROOT, env: childEnv() }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
  return { mismatches: mt.length + mr.length, problems, verify };
}
