// What the broker-kill and network-partition fault tests share: a private stack (on the
// host end of a veth pair when the connector runs in a network namespace), a database
// with the scope tables, a receiver, and `commerce-cdc run --feeds scopesWebsite` as one
// child process (dist/, so `npm run build` first). A writer commits numbered website
// renames (code `w<id>s<seq>`); at the end every committed rename must be in the changes
// topic exactly once, the items topic must equal a fresh assembly (`commerce-cdc verify`)
// and the receiver must hold every website's final version, with none accepted under two
// idempotency keys.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, expect } from 'vitest';
import { buildConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { resolveFeed } from '../../src/feeds/index.js';
import { createKafka } from '../../src/kafka/client.js';
import { topicNames } from '../../src/kafka/topics.js';
import { createLogger } from '../../src/log.js';
import { startReceiver, type Receiver } from '../../src/tools/receiver/index.js';
import { deps, fillScopes, type Deps } from '../integration/exporter-helpers.js';
import { readChanges } from '../integration/reader-support.js';
import { assembleAll, canonical, compareLatest, describeMismatches, receivedLatest } from './e2e.js';
import type { Netns } from './netns.js';
import { startPrivateStack, type PrivateStack } from './privateStack.js';
import { faultSummary, killAndWait, recordSelfExit, versionsUnderTwoKeys } from './processes.js';
import { ROOT, stackEnv } from './stack.js';

export const feed = resolveFeed('scopesWebsite');
const DB = 'fault_pipeline';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The environment of the connector and verify processes: without the shell's CDC_* settings (they would override the config file with the shared stack's). */
const childEnv = (): NodeJS.ProcessEnv => ({ ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CDC_'))), CDC_RETRY_SCALE: '0.2' });

export interface PipelineFaultOptions {
  /** The test's name in FAULT-SUMMARY and in the private stack's directory. */
  label: string;
  websites: number;
  /** Consumer group session timeout of the exporter and publisher. */
  sessionTimeoutMs: number;
  /** reader.binlogTimeoutMs (default the config's). */
  binlogTimeoutMs?: number;
  /** The namespace the connector runs in (the stack then listens on its host end); made in beforeAll. */
  netns?: () => Netns;
}

export interface PipelineFault {
  stack: PrivateStack;
  net: Netns | undefined;
  config: Config;
  receiver: Receiver;
  /** The connector process. */
  run: ChildProcess | undefined;
  /** A line in connector.log (kept with the stack's logs on failure), so it shows what the test did when. */
  mark(what: string): void;
  /** Starts the connector and waits until every website's first item is downstream. */
  start(): Promise<void>;
  /** Starts the writer: one numbered rename per transaction until stopWriter. */
  startWriter(): void;
  stopWriter(): Promise<number>;
  /** Committed renames so far. */
  committed(): number;
  /** The highest rename number downstream (0 before the first). */
  newestDownstream(): number;
  /** The connector's log so far (its last 200 kB). */
  logs(): string;
  /** Waits until the receiver's latest items equal a fresh assembly, then checks everything and prints FAULT-SUMMARY. */
  check(started: number, extra?: { timeoutMs?: number }): Promise<void>;
}

/** Registers beforeAll/afterAll of the current describe. */
export function pipelineFault(o: PipelineFaultOptions): PipelineFault {
  let admin: mysql.Connection | undefined;
  let writer: { stop(): Promise<void>; committed: Map<number, number> } | undefined;
  let d: Deps | undefined;
  let configFile = '';
  let passed = false;
  let stopping = false;
  let logTail = '';
  const selfExits: string[] = [];
  /** What the test did when (seconds since the stack was up), printed with the result. */
  const timeline: string[] = [];
  let born = Date.now();
  const prefix = `pf${o.label.replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 12)}`;

  const h: PipelineFault = {
    stack: undefined as unknown as PrivateStack,
    net: undefined,
    config: undefined as unknown as Config,
    receiver: undefined as unknown as Receiver,
    run: undefined,
    mark: (what) => {
      timeline.push(`${((Date.now() - born) / 1000).toFixed(1)}s ${what}`);
      appendFileSync(join(h.stack.dir, 'connector.log'), `--- ${new Date().toISOString()} ${what}\n`);
    },
    async start() {
      const argv = [process.execPath, join(ROOT, 'dist/cli/index.js'), '-c', configFile, 'run', '--feeds', feed.name];
      const [cmd, args] = h.net ? h.net.exec(argv) : [argv[0]!, argv.slice(1)];
      const p = spawn(cmd, args, { cwd: ROOT, env: childEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
      h.run = p;
      h.mark(`connector started (pid ${p.pid}${h.net ? ` in namespace ${h.net.name}` : ''})`);
      p.stderr!.on('data', (b: Buffer) => {
        logTail = (logTail + b.toString()).slice(-200_000);
        appendFileSync(join(h.stack.dir, 'connector.log'), b);
      });
      recordSelfExit(p, 'connector', selfExits, () => stopping, h.mark);
      for (const until = Date.now() + 180_000; receivedLatest(h.receiver, feed).size < o.websites; ) {
        if (selfExits.length) throw new Error(selfExits.join('\n'));
        if (Date.now() > until) throw new Error(`the websites' first items did not arrive downstream in 180 s\n${logTail.slice(-3000)}`);
        await sleep(250);
      }
      h.mark('every website downstream');
    },
    startWriter() {
      const committed = new Map<number, number>();
      let writing = true;
      const done = (async () => {
        const c = await mysql.createConnection({ host: h.stack.host, port: h.stack.mysqlPort, user: stackEnv.adminUser, password: stackEnv.adminPassword, database: DB });
        try {
          for (let seq = 1; writing; seq++) {
            const id = 1 + Math.floor(Math.random() * o.websites);
            await c.query('UPDATE store_website SET code = ? WHERE website_id = ?', [`w${id}s${seq}`, id]);
            committed.set(seq, id);
            await sleep(5 + Math.random() * 10);
          }
        } finally {
          await c.end();
        }
      })();
      writer = {
        committed,
        stop: async () => {
          writing = false;
          await done;
        },
      };
      h.mark('writer started');
    },
    async stopWriter() {
      await writer!.stop();
      h.mark(`writer stopped after ${writer!.committed.size} committed renames`);
      return writer!.committed.size;
    },
    committed: () => writer?.committed.size ?? 0,
    newestDownstream: () => {
      let newest = 0;
      for (const r of h.receiver.items) newest = Math.max(newest, Number(/^w\d+s(\d+)$/.exec(String(r.item.websiteCode ?? ''))?.[1] ?? 0));
      return newest;
    },
    logs: () => logTail,
    async check(started, extra = {}) {
      const committed = writer!.committed;
      // downstream catches up: the receiver's latest item of every website equals a fresh assembly
      const want = (await assembleAll(d!, [feed])).get(feed.name)!;
      let mismatches = compareLatest(feed, want, receivedLatest(h.receiver, feed));
      for (const until = Date.now() + (extra.timeoutMs ?? 180_000); mismatches.length && Date.now() < until; ) {
        if (selfExits.length) break;
        await sleep(500);
        mismatches = compareLatest(feed, want, receivedLatest(h.receiver, feed));
      }
      h.mark(`downstream ${mismatches.length ? `still differs in ${mismatches.length} website(s)` : 'equals a fresh assembly'}`);
      expect(selfExits, 'the connector process must not exit by itself').toEqual([]);

      // the reader: every committed rename in the changes topic exactly once (read_committed)
      const kafka = createKafka(buildConfig({ kafka: { brokers: h.stack.brokers } }, {}).config!, createLogger({ level: 'error' }));
      const records = await readChanges(kafka, h.stack.registryUrl, [topicNames(prefix).changes(feed.name)], { timeoutMs: 120_000, quietMs: 5000 });
      const seen = new Map<number, number>();
      for (const r of records) {
        const m = /^w(\d+)s(\d+)$/.exec(String((r.value.after as Record<string, unknown> | null)?.code ?? ''));
        if (m) seen.set(Number(m[2]), (seen.get(Number(m[2])) ?? 0) + 1);
      }
      const lost = [...committed.keys()].filter((k) => !seen.has(k));
      const doubled = [...seen].filter(([, n]) => n > 1).map(([k]) => k);
      const unknown = [...seen.keys()].filter((k) => !committed.has(k));
      const twoKeys = versionsUnderTwoKeys(h.receiver.items, canonical);
      faultSummary(o.label, { changes: committed.size, lost: lost.length + mismatches.length, doubled: doubled.length + twoKeys.length, seconds: (Date.now() - started) / 1000 });
      console.log(
        `${o.label}: ${committed.size} committed renames, ${seen.size} in the changes topic (lost ${lost.length}, doubled ${doubled.length}); ` +
          `${h.receiver.items.length} items downstream, ${mismatches.length} website(s) not at their final version, ${twoKeys.length} version(s) under two keys`,
      );
      console.log(`${o.label} timeline:\n  ${timeline.join('\n  ')}`);
      expect(describeMismatches(mismatches), 'downstream holds every final version').toBe('');
      expect({ lost: lost.slice(0, 20), doubled: doubled.slice(0, 20), unknown }).toEqual({ lost: [], doubled: [], unknown: [] });
      expect(twoKeys).toEqual([]);

      // the operator's check: the items topic equals a fresh assembly (exit 0)
      const verify = await promisify(execFile)(process.execPath, [join(ROOT, 'dist/cli/index.js'), '-c', configFile, 'verify', '--feed', feed.name], { cwd: ROOT, env: childEnv() }).catch(
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
      expect(verify.stdout, `verify: ${verify.stderr}`).toContain(`${feed.name}: ${o.websites} source id(s), ${want.size} item(s) assembled, ${want.size} in the items topic: equal`);

      // still the process started at the beginning, and it stops cleanly
      expect(h.run!.exitCode).toBeNull();
      const exited = new Promise<number | null>((res) => h.run!.once('exit', (code) => res(code)));
      stopping = true;
      h.run!.kill('SIGTERM');
      expect(await exited).toBe(0);
      passed = true;
    },
  };

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/cli/index.js'))) throw new Error('run npm run build first: the connector runs as dist/cli/index.js');
    h.net = o.netns?.();
    h.stack = startPrivateStack(o.label, undefined, h.net ? { CDC_STACK_HOST: h.net.hostAddress } : {});
    born = Date.now();
    admin = await mysql.createConnection({ host: h.stack.host, port: h.stack.mysqlPort, user: stackEnv.adminUser, password: stackEnv.adminPassword, multipleStatements: true });
    admin.on('error', () => undefined);
    await admin.query(`CREATE DATABASE ${DB}; USE ${DB}`);
    await fillScopes(admin, o.websites);
    h.receiver = await startReceiver({ host: h.stack.host });
    const r = buildConfig(
      {
        prefix,
        logLevel: 'info',
        mysql: { host: h.stack.host, port: h.stack.mysqlPort, user: stackEnv.cdcUser, password: stackEnv.cdcPassword, database: DB, serverId: 7400 + Math.floor(Math.random() * 100) },
        kafka: { brokers: h.stack.brokers, partitions: 3, sessionTimeoutMs: o.sessionTimeoutMs },
        registry: { url: h.stack.registryUrl },
        reader: { heartbeatMs: 1000, ...(o.binlogTimeoutMs ? { binlogTimeoutMs: o.binlogTimeoutMs } : {}) },
        exporter: { stateDir: mkdtempSync(join(tmpdir(), 'cdc-pipeline-fault-')) },
        publisher: { baseUrl: h.receiver.url, batchSize: 20, concurrency: 2, timeoutMs: 3000, retryInitialMs: 50, retryMaxMs: 1000 },
        dashboard: { enabled: false },
      },
      {},
    );
    if (!r.config) throw new Error(`config invalid: ${r.errors.join('; ')}`);
    h.config = r.config;
    configFile = join(mkdtempSync(join(tmpdir(), 'cdc-pipeline-fault-')), 'config.json');
    writeFileSync(configFile, JSON.stringify(h.config));
    d = deps(h.config);
  });
  afterAll(async () => {
    stopping = true;
    await writer?.stop().catch(() => undefined);
    await killAndWait(h.run);
    await h.receiver?.close();
    await d?.db.end().catch(() => undefined);
    await admin?.end().catch(() => undefined);
    // a failure keeps the private stack's dir: the broker's and MariaDB's logs and the connector's (connector.log)
    try {
      const kept = h.stack?.destroy(!passed);
      if (kept) console.log(`${o.label} failed: logs kept in ${kept}`);
    } finally {
      h.net?.destroy();
    }
  });
  return h;
}
