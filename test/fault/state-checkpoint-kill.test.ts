// kill -9 the exporter (dist/, so `npm run build` first) over and over while it
// writes its feed state checkpoints: websites keep changing, the publisher's
// statuses keep arriving (each tailed batch is a store transaction with its
// offsets), so most kills land in or next to a checkpoint write. After every
// restart the exporter must open its stores (not rebuild them) and read only the
// tail; at the end the items topic equals a fresh assembly, downstream holds every
// final version, and a trigger for every id writes nothing: the stores hold
// exactly what their checkpoints claim.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase, ROOT, stackEnv, testConfig, uniqueName } from '../helpers/stack.js';
import { killAndWait, recordSelfExit } from '../helpers/processes.js';
import { resolveFeed } from '../../src/feeds/index.js';
import { topicNames } from '../../src/kafka/topics.js';
import { build, builtItem } from '../../src/exporter/assemble.js';
import { providerContext } from '../../src/exporter/context.js';
import { loadSchema, type ItemEnvelope } from '../../src/avro/records.js';
import { startReceiver, type Receiver } from '../../src/tools/receiver/index.js';
import { createFeedTopics, deps, produceChanges, readTopic, scopesDatabase, sql, waitForGroup, type Deps } from '../integration/exporter-helpers.js';

const feed = resolveFeed('scopesWebsite');
const WEBSITES = 80;
const KILLS = 8;

describe('feed state checkpoints survive kill -9', () => {
  let database: string;
  let d: Deps;
  let receiver: Receiver;
  let configFile: string;
  const procs: Record<'exporter' | 'publisher', ChildProcess | undefined> = { exporter: undefined, publisher: undefined };
  let logs = '';
  /** Every exporter log line that names the state store (kept whole: the short log buffer drops them). */
  const stateLines: string[] = [];
  const selfExits: string[] = [];
  let stopping = false;

  const startProc = (kind: 'exporter' | 'publisher') => {
    const p = spawn(process.execPath, [`${ROOT}dist/cli/index.js`, '-c', configFile, kind, '--feed', feed.name], {
      cwd: ROOT,
      env: { ...process.env, CDC_RETRY_SCALE: '0.2', CDC_LOG_LEVEL: kind === 'exporter' ? 'info' : 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let partial = '';
    p.stderr!.on('data', (b: Buffer) => {
      const text = partial + b.toString();
      const lines = text.split('\n');
      partial = lines.pop()!;
      for (const l of lines) {
        if (/STATE_REBUILT|feed state store opened|partition state restored/.test(l)) stateLines.push(l);
        else if (!/"level":30/.test(l)) logs = (logs + l + '\n').slice(-20_000);
      }
    });
    recordSelfExit(p, kind, selfExits, () => stopping);
    procs[kind] = p;
  };
  const kill9 = (kind: 'exporter' | 'publisher') => killAndWait(procs[kind]);

  beforeAll(async () => {
    database = await scopesDatabase('statekill', WEBSITES);
    receiver = await startReceiver();
    const config = testConfig(database, uniqueName('statekill'), {
      kafka: { brokers: stackEnv.brokers, partitions: 3, sessionTimeoutMs: 6000 },
      publisher: { baseUrl: receiver.url, batchSize: 5, concurrency: 2, timeoutMs: 2000, retryInitialMs: 50, retryMaxMs: 500 },
      dashboard: { enabled: false },
      exporter: { stateDir: mkdtempSync(join(tmpdir(), 'cdc-state-kill-')), stateCacheItems: 10 },
    });
    d = deps(config);
    await createFeedTopics(d, [feed.name]);
    const dir = mkdtempSync(join(tmpdir(), 'cdc-statekill-'));
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

  it(`kills the exporter ${KILLS} times while it checkpoints; nothing lost, nothing rewritten`, async () => {
    const ids = Array.from({ length: WEBSITES }, (_, i) => String(i + 1));
    startProc('exporter');
    startProc('publisher');
    await produceChanges(d, feed.name, ids.map((id) => ({ trigger: id })));

    let version = 0;
    let load = true;
    const writer = (async () => {
      while (load) {
        version++;
        const changed = Array.from({ length: 5 }, () => ids[Math.floor(Math.random() * ids.length)]!);
        for (const id of new Set(changed)) await sql(database, `UPDATE store_website SET code = ? WHERE website_id = ?`, [`web${id}-v${version}`, Number(id)]);
        await produceChanges(d, feed.name, [...new Set(changed)].map((id) => ({ trigger: id })));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    const restored = () => stateLines.filter((l) => l.includes('partition state restored')).length;
    for (let i = 0; i < KILLS; i++) {
      // the new process gets partitions once the group drops the killed member (session timeout): wait for
      // it to restore one, then let it work and checkpoint a little before the next kill
      const before = restored();
      for (const until = Date.now() + 30_000; restored() === before && Date.now() < until; ) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 1500));
      await kill9('exporter');
      startProc('exporter');
    }
    for (const until = Date.now() + 60_000; receiver.items.length <= WEBSITES * 2 && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 500));
    }
    load = false;
    await writer;
    const t = topicNames(d.config.prefix);
    const settle = async () => {
      try {
        await waitForGroup(d, `${d.config.prefix}.exporter.${feed.name}`, t.changes(feed.name), 120_000);
        await waitForGroup(d, `${d.config.prefix}.publisher.${feed.name}`, t.items(feed.name), 120_000);
      } catch (e) {
        const state = Object.entries(procs).map(([k, p]) => `${k} ${p?.exitCode === null ? 'running' : `exited ${p?.exitCode ?? '?'} ${p?.signalCode ?? ''}`}`);
        throw new Error(`${(e as Error).message} (${state.join(', ')}; died on their own: ${selfExits.length ? selfExits.join('\n') : 'none'})\n${logs.split('\n').slice(-40).join('\n')}`);
      }
    };
    await settle();

    expect(selfExits, 'processes that died on their own').toEqual([]);
    const ctx = providerContext(d.db, d.log, '');
    const type = avro.Type.forSchema(loadSchema(feed.schemaFile) as avro.Schema);
    const fresh = new Map((await feed.provider.assemble(ids, ctx)).map((a) => {
      const b = build(feed, type, a.sourceEntityId, a.item);
      return [b.feedId, JSON.parse(JSON.stringify(builtItem(type, b))) as Record<string, unknown>];
    }));
    const records = await readTopic<ItemEnvelope>(d, t.items(feed.name));
    const latest = new Map<string, ItemEnvelope>();
    for (const r of records) latest.set(r.key, r.value);
    expect(latest.size).toBe(fresh.size);
    for (const [fid, item] of fresh) expect(JSON.parse(JSON.stringify(latest.get(fid)?.item))).toEqual(item);

    const downstream = new Map<string, Record<string, unknown>>();
    for (const r of receiver.items) downstream.set(String(r.item.websiteId), r.item);
    expect(downstream.size).toBe(WEBSITES);
    for (const item of fresh.values()) expect(downstream.get(String(item.websiteId))).toEqual(item);
    expect(receiver.items.length).toBeGreaterThan(WEBSITES * 2);

    // the stores agree with the topics: every id again, unchanged, writes nothing
    await produceChanges(d, feed.name, ids.map((id) => ({ trigger: id })));
    await settle();
    expect(await readTopic<ItemEnvelope>(d, t.items(feed.name))).toHaveLength(records.length);

    // every restart after the first opened its stores from their checkpoints: none was found corrupt or stale
    const rebuilt = stateLines.filter((l) => l.includes('STATE_REBUILT'));
    expect(rebuilt.filter((l) => !/"reason":"missing"/.test(l)), rebuilt.join('\n')).toEqual([]);
    expect(stateLines.filter((l) => l.includes('feed state store opened')).length).toBeGreaterThanOrEqual(KILLS);
    expect(logs).not.toMatch(/INTERNAL/);
  });
});
