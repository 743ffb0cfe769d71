// kill -9 the exporter and the publisher processes (dist/, so `npm run build`
// first) over and over while websites keep changing. Afterwards the items topic
// must equal a fresh full assembly and the receiver must hold the final version
// of every item: no change lost across the crashes.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase, ROOT, stackEnv, testConfig, uniqueName } from '../helpers/stack.js';
import { canonical } from '../helpers/e2e.js';
import { faultSummary, recordSelfExit, versionsUnderTwoKeys } from '../helpers/processes.js';
import { resolveFeed } from '../../src/feeds/index.js';
import { topicNames } from '../../src/kafka/topics.js';
import { build, builtItem } from '../../src/exporter/assemble.js';
import { providerContext } from '../../src/exporter/context.js';
import { loadSchema, type ItemEnvelope } from '../../src/avro/records.js';
import { startReceiver, type Receiver } from '../../src/receiver/index.js';
import { createFeedTopics, deps, produceChanges, readTopic, scopesDatabase, sql, waitForGroup, type Deps } from '../integration/exporter-helpers.js';

const feed = resolveFeed('scopesWebsite');
const WEBSITES = 80;
const KILLS = 10;

describe('exporter and publisher survive kill -9 mid-batch', () => {
  let database: string;
  let d: Deps;
  let receiver: Receiver;
  let configFile: string;
  const procs: Record<'exporter' | 'publisher', ChildProcess | undefined> = { exporter: undefined, publisher: undefined };
  let logs = '';
  /** Processes that ended without being killed: an exporter or publisher must never die on its own. */
  const selfExits: string[] = [];
  let stopping = false;

  const startProc = (kind: 'exporter' | 'publisher') => {
    const p = spawn(process.execPath, [`${ROOT}dist/cli/index.js`, '-c', configFile, kind, '--feed', feed.name], {
      cwd: ROOT,
      env: { ...process.env, CDC_RETRY_SCALE: '0.2' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    p.stderr!.on('data', (b: Buffer) => (logs = (logs + b.toString()).slice(-20_000)));
    recordSelfExit(p, kind, selfExits, () => stopping);
    procs[kind] = p;
  };
  const kill9 = async (kind: 'exporter' | 'publisher') => {
    const p = procs[kind];
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  };

  beforeAll(async () => {
    database = await scopesDatabase('kill', WEBSITES);
    receiver = await startReceiver();
    const config = testConfig(database, uniqueName('kill'), {
      kafka: { brokers: stackEnv.brokers, partitions: 3, sessionTimeoutMs: 6000 },
      publisher: { baseUrl: receiver.url, batchSize: 10, concurrency: 2, timeoutMs: 2000, retryInitialMs: 50, retryMaxMs: 500 },
      dashboard: { enabled: false },
    });
    d = deps(config);
    await createFeedTopics(d, [feed.name]);
    const dir = mkdtempSync(join(tmpdir(), 'cdc-kill-'));
    configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(config));
  });
  afterAll(async () => {
    stopping = true;
    await kill9('exporter');
    await kill9('publisher');
    await receiver?.close();
    await d?.db.end();
    if (database) await dropDatabase(database);
  });

  it(`kills each ${KILLS} times under a write load; items equal a fresh assembly and downstream has every final version`, async () => {
    const started = Date.now();
    const ids = Array.from({ length: WEBSITES }, (_, i) => String(i + 1));
    startProc('exporter');
    startProc('publisher');
    await produceChanges(d, feed.name, ids.map((id) => ({ trigger: id })));

    let version = 0;
    let load = true;
    // the write load: a few websites renamed and announced every 100 ms
    const writer = (async () => {
      while (load) {
        version++;
        const changed = Array.from({ length: 5 }, () => ids[Math.floor(Math.random() * ids.length)]!);
        for (const id of new Set(changed)) await sql(database, `UPDATE store_website SET code = ? WHERE website_id = ?`, [`web${id}-v${version}`, Number(id)]);
        await produceChanges(d, feed.name, [...new Set(changed)].map((id) => ({ trigger: id })));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    for (let i = 0; i < KILLS; i++) {
      for (const kind of ['exporter', 'publisher'] as const) {
        // let it join and work for a while, then kill it wherever it is
        await new Promise((r) => setTimeout(r, 1500 + Math.random() * 2500));
        await kill9(kind);
        startProc(kind);
      }
    }
    // renames of one website that meet in one batch arrive as one version, so how many
    // versions the kills let through depends on timing: keep the load on (60 s at most)
    // until more than two per website have arrived, then check that below
    for (const until = Date.now() + 60_000; receiver.items.length <= WEBSITES * 2 && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 500));
    }
    load = false;
    await writer;
    // the survivors finish the work
    const t = topicNames(d.config.prefix);
    try {
      await waitForGroup(d, `${d.config.prefix}.exporter.${feed.name}`, t.changes(feed.name), 120_000);
      await waitForGroup(d, `${d.config.prefix}.publisher.${feed.name}`, t.items(feed.name), 120_000);
    } catch (e) {
      // what the processes were doing: whether they still run, and their last log lines
      const state = Object.entries(procs).map(([k, p]) => `${k} ${p?.exitCode === null ? 'running' : `exited ${p?.exitCode ?? '?'} ${p?.signalCode ?? ''}`}`);
      throw new Error(`${(e as Error).message} (${state.join(', ')}; died on their own: ${selfExits.length ? selfExits.join('\n') : 'none'})\n${logs.split('\n').slice(-40).join('\n')}`);
    }

    expect(selfExits, 'processes that died on their own').toEqual([]);
    const ctx = providerContext(d.db, d.log, '');
    const type = avro.Type.forSchema(loadSchema(feed.schemaFile) as avro.Schema);
    const fresh = new Map((await feed.provider.assemble(ids, ctx)).map((a) => {
      const b = build(feed, type, a.sourceEntityId, a.item);
      const item = builtItem(type, b);
      return [b.feedId, JSON.parse(JSON.stringify(item)) as Record<string, unknown>];
    }));
    const latest = new Map<string, ItemEnvelope>();
    const records = await readTopic<ItemEnvelope>(d, t.items(feed.name));
    for (const r of records) latest.set(r.key, r.value);
    expect(latest.size).toBe(fresh.size);
    for (const [fid, item] of fresh) expect(JSON.parse(JSON.stringify(latest.get(fid)?.item))).toEqual(item);

    const downstream = new Map<string, Record<string, unknown>>();
    for (const r of receiver.items) downstream.set(String(r.item.websiteId), r.item);
    // doubled: versions accepted under two idempotency keys (a killed publisher's batch may be cut differently when re-read)
    faultSummary('exporter-publisher-kill', { changes: version, lost: [...fresh.values()].filter((i) => canonical(downstream.get(String(i.websiteId))) !== canonical(i)).length, doubled: versionsUnderTwoKeys(receiver.items, canonical).length, seconds: (Date.now() - started) / 1000 });
    expect(downstream.size).toBe(WEBSITES);
    for (const item of fresh.values()) expect(downstream.get(String(item.websiteId))).toEqual(item);
    expect(version).toBeGreaterThan(20);
    // the load went through while processes died: many versions arrived, not just the first ones
    expect(receiver.items.length).toBeGreaterThan(WEBSITES * 2);
    expect(logs).not.toMatch(/INTERNAL/);
    // the operator's check after an incident says the same: equal, every final version delivered (exit 0)
    const verify = await promisify(execFile)(process.execPath, [`${ROOT}dist/cli/index.js`, '-c', configFile, 'verify', '--feed', feed.name], { cwd: ROOT }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(verify.stdout, `verify: ${verify.stderr}`).toContain(`${feed.name}: ${WEBSITES} source id(s), ${WEBSITES} item(s) assembled, ${WEBSITES} in the items topic: equal`);
  });
});
