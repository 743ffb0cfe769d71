// What the all-feeds end-to-end and mixed-workload tests share: `commerce-cdc run`
// as a child process (dist/, so `npm run build` first), an idle detector over the
// reader position and every feed's consumer groups, a direct assembly of the
// database through each provider, and the receiver's / items topic's latest item
// per identity, compared as canonical JSON (keys sorted at every level).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { build, builtItem } from '../../src/exporter/assemble.js';
import { providerContext } from '../../src/exporter/context.js';
import { loadSchema, type ItemEnvelope } from '../../src/avro/records.js';
import { allFeeds } from '../../src/feeds/index.js';
import { feedId } from '../../src/feeds/hash.js';
import { catalogModel, type Edition } from '../../src/feeds/common/link.js';
import type { FeedDefinition } from '../../src/feeds/types.js';
import { topicNames } from '../../src/kafka/topics.js';
import { readStoredPosition } from '../../src/reader/position.js';
import { startReceiver, type Receiver } from '../../src/tools/receiver/index.js';
import type { SeedOptions } from '../../src/tools/seed/index.js';
import { adminConnection, dropDatabase, ROOT, testConfig, uniqueName } from './stack.js';
import { createCommerceDatabase } from './commerce.js';
import { deps, readTopic, type Deps } from '../integration/exporter-helpers.js';

export const FEEDS: FeedDefinition[] = allFeeds();

/** JSON with the keys of every object sorted: two values are equal iff their canonical texts are. */
export function canonical(v: unknown): string {
  return JSON.stringify(sortKeys(JSON.parse(JSON.stringify(v ?? null))));
}
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** The item without the fields the exporter leaves out of the hash (modifiedAt, updatedAt, ...), as canonical JSON. */
export function comparable(feed: FeedDefinition, item: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!feed.hashExclude.includes(k)) out[k] = v;
  return canonical(out);
}

/** feed name → feedId → canonical comparable JSON (and the item). */
export type Snapshot = Map<string, Map<string, { json: string; item: Record<string, unknown>; sourceEntityId: string }>>;

/** Every item of every feed as the providers build it from the database now (listIds + assemble). */
export async function assembleAll(d: Deps, feeds: FeedDefinition[] = FEEDS): Promise<Snapshot> {
  const ctx = providerContext(d.db, d.log, d.config.mysql.tablePrefix, d.catalog);
  const out: Snapshot = new Map();
  for (const feed of feeds) {
    const type = avro.Type.forSchema(loadSchema(feed.schemaFile) as avro.Schema);
    const ids = await feed.provider.listIds(undefined, 10_000_000, ctx);
    const m = new Map<string, { json: string; item: Record<string, unknown>; sourceEntityId: string }>();
    for (let i = 0; i < ids.length; i += 500) {
      for (const a of await feed.provider.assemble(ids.slice(i, i + 500), ctx)) {
        const b = build(feed, type, a.sourceEntityId, a.item);
        const item = builtItem(type, b);
        if (m.has(b.feedId)) throw new Error(`${feed.name}: the provider built two items for one identity ${b.feedId} (${canonical(feed.identity.map((k) => item[k]))})`);
        m.set(b.feedId, { json: comparable(feed, item), item, sourceEntityId: b.sourceEntityId });
      }
    }
    out.set(feed.name, m);
  }
  return out;
}

export interface Latest {
  /** feedId → the latest item (as received / as enveloped) */
  latest: Map<string, { item: Record<string, unknown>; deleted: boolean; count: number }>;
}

/** The receiver's items of a feed from index `from` on: latest per identity and how many arrived per identity. */
export function receivedLatest(receiver: Receiver, feed: FeedDefinition, from = 0): Map<string, { item: Record<string, unknown>; deleted: boolean; count: number }> {
  const out = new Map<string, { item: Record<string, unknown>; deleted: boolean; count: number }>();
  const deletedField = feed.deletedField ?? 'deleted';
  for (const r of receiver.items.slice(from)) {
    if (r.route !== feed.route) continue;
    const id = feedId(r.item, feed.identity);
    const prev = out.get(id);
    out.set(id, { item: r.item, deleted: r.item[deletedField] === true, count: (prev?.count ?? 0) + 1 });
  }
  return out;
}

/** The items topic of a feed: latest envelope per key (read_committed, to the end). */
export async function topicLatest(d: Deps, feed: FeedDefinition): Promise<Map<string, { item: Record<string, unknown>; deleted: boolean; count: number }>> {
  const out = new Map<string, { item: Record<string, unknown>; deleted: boolean; count: number }>();
  for (const r of await readTopic<ItemEnvelope>(d, topicNames(d.config.prefix).items(feed.name))) {
    const prev = out.get(r.key);
    if (r.key !== r.value.feedId) throw new Error(`${feed.name}: items record key ${r.key} ≠ its feedId ${r.value.feedId}`);
    out.set(r.key, { item: r.value.item, deleted: r.value.deleted, count: (prev?.count ?? 0) + 1 });
  }
  return out;
}

export interface Mismatch {
  feed: string;
  feedId: string;
  identity: string;
  expected: string | null;
  got: string | null;
}

const identityText = (feed: FeedDefinition, item: Record<string, unknown> | undefined) => (item ? feed.identity.map((k) => `${k}=${String(item[k])}`).join(' ') : '?');

/**
 * Compares latest items (receiver or topic) with a fresh assembly: every assembled
 * identity present, not deleted and equal; every other identity deleted (for feeds
 * whose entities are removable; orders are not).
 */
export function compareLatest(feed: FeedDefinition, want: Map<string, { json: string; item: Record<string, unknown> }>, got: Map<string, { item: Record<string, unknown>; deleted: boolean }>): Mismatch[] {
  const out: Mismatch[] = [];
  for (const [fid, w] of want) {
    const g = got.get(fid);
    const gotJson = g ? (g.deleted ? `(deleted) ${canonical(g.item)}` : comparable(feed, g.item)) : null;
    if (gotJson !== w.json) out.push({ feed: feed.name, feedId: fid, identity: identityText(feed, w.item), expected: w.json, got: gotJson });
  }
  for (const [fid, g] of got) {
    if (want.has(fid)) continue;
    if (!g.deleted) out.push({ feed: feed.name, feedId: fid, identity: identityText(feed, g.item), expected: '(deleted or absent)', got: comparable(feed, g.item) });
  }
  return out;
}

/** One line per mismatch, cut to a readable size. */
export function describeMismatches(ms: Mismatch[], max = 12): string {
  const lines = ms.slice(0, max).map((m) => `${m.feed} [${m.identity}] ${m.feedId}: ${firstDifference(m.expected, m.got)}`);
  if (ms.length > max) lines.push(`... and ${ms.length - max} more`);
  return lines.join('\n');
}

/** Where two canonical JSON texts first differ (for reports). */
export function firstDifference(a: string | null, b: string | null): string {
  if (a === null || b === null) return `${a === null ? 'expected absent' : 'got absent'}`;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at ${i}: expected …${a.slice(Math.max(0, i - 80), i + 80)}… got …${b.slice(Math.max(0, i - 80), i + 80)}…`;
}

export interface RunningConnector {
  child: ChildProcess;
  logs(): string;
  stop(): Promise<void>;
}

export interface RunHarness {
  database: string;
  receiver: Receiver;
  run: RunningConnector | undefined;
  d: Deps;
  /** Undefined while `run` lives; its exit status and last log lines once it died. */
  alive(): string | undefined;
}

/**
 * Registers beforeAll/afterAll of the current describe: a seeded Commerce database, a receiver, and
 * `commerce-cdc run` for all eleven feeds publishing to it; everything is stopped and dropped after.
 */
export function runHarness(label: string, seed: Partial<SeedOptions>, edition: Edition = 'opensource'): RunHarness {
  const h: RunHarness = {
    database: '',
    receiver: undefined as unknown as Receiver,
    run: undefined,
    d: undefined as unknown as Deps,
    alive: () => (h.run && h.run.child.exitCode !== null ? `exit ${h.run.child.exitCode}; stderr:\n${h.run.logs().slice(-3000)}` : undefined),
  };
  beforeAll(async () => {
    h.database = await createCommerceDatabase(label, seed, edition);
    h.receiver = await startReceiver();
    const config = testConfig(h.database, uniqueName(label), {
      publisher: { baseUrl: h.receiver.url, batchSize: 200 },
      // E2E_CONNECTOR: another mappings folder (to try a proposed mapping fix against these tests)
      reader: { heartbeatMs: 500, ...(process.env.E2E_CONNECTOR ? { connector: process.env.E2E_CONNECTOR } : {}) },
      dashboard: { enabled: false },
    });
    h.d = { ...deps(config), catalog: catalogModel(edition) };
    h.run = startRun(config);
  });
  afterAll(async () => {
    await h.run?.stop();
    await h.receiver?.close();
    await h.d?.db.end();
    if (h.database) await dropDatabase(h.database);
  });
  return h;
}

/**
 * `commerce-cdc run` (all eleven feeds unless `feeds`) as a child process with this config;
 * `baseEnv` instead of this process' environment (CDC_* variables there override the config file).
 */
export function startRun(config: Config, feeds?: string[], baseEnv: NodeJS.ProcessEnv = process.env): RunningConnector {
  const dir = mkdtempSync(join(tmpdir(), 'cdc-e2e-all-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  const args = [`${ROOT}dist/cli/index.js`, '-c', file, 'run'];
  if (feeds) args.push('--feeds', feeds.join(','));
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...baseEnv, CDC_RETRY_SCALE: '0.2' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let logs = '';
  child.stderr!.on('data', (b: Buffer) => (logs = (logs + b.toString()).slice(-200_000)));
  return {
    child,
    logs: () => logs,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
}

const seq = (file: string) => Number(/\.(\d+)$/.exec(file)?.[1] ?? NaN);
const atOrAfter = (a: { file: string; pos: number }, b: { file: string; pos: number }) => seq(a.file) > seq(b.file) || (seq(a.file) === seq(b.file) && a.pos >= b.pos);

/** The server's binlog write position now (of the shared stack, or of the server `db` connects to). */
export async function masterPosition(db?: Pick<mysql.Pool, 'query'>): Promise<{ file: string; pos: number }> {
  const c = db ?? (await adminConnection());
  try {
    const [rows] = (await c.query('SHOW MASTER STATUS')) as unknown as [Array<{ File: string; Position: string | number }>];
    return { file: rows[0]!.File, pos: Number(rows[0]!.Position) };
  } finally {
    if (!db) await (c as mysql.Connection).end();
  }
}

export interface IdleReport {
  readerMs: number;
  groupsMs: number;
}

/**
 * Waits until the reader's stored position has passed the binlog position of now
 * (every write made before the call is in the changes topics), then until every
 * feed's exporter group has consumed its changes topic and every publisher group
 * its items topic, with no topic growing for `stableMs`. Transactional topics end
 * in a commit marker that a consumer never commits past: caught up means the
 * committed offset is at least the high watermark minus one while nothing moves.
 */
export async function waitIdle(d: Deps, feeds: FeedDefinition[], o: { timeoutMs?: number; stableMs?: number; alive?: () => string | undefined } = {}): Promise<IdleReport> {
  const started = Date.now();
  const deadline = started + (o.timeoutMs ?? 120_000);
  const stableMs = o.stableMs ?? 3000;
  // the database the connector reads (a private stack's in the database fault tests)
  const target = await masterPosition(d.db);
  const t = topicNames(d.config.prefix);
  const check = () => {
    const dead = o.alive?.();
    if (dead) throw new Error(`connector died while waiting for idle: ${dead}`);
    if (Date.now() > deadline) return true;
    return false;
  };
  // the reader: its stored position (heartbeats included) at or after the server's position of now
  for (;;) {
    if (check()) throw new Error(`reader did not reach ${target.file}:${target.pos} in time`);
    const p = await readStoredPosition(d.kafka, t.readerOffsets, d.log, 20_000).catch(() => undefined);
    if (p && !p.snapshot && atOrAfter(p, target)) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  const readerMs = Date.now() - started;
  const admin = d.kafka.admin();
  await admin.connect();
  try {
    let lastSig = '';
    let stableSince = 0;
    for (;;) {
      if (check()) throw new Error(`exporters/publishers not idle in time (last state ${lastSig.slice(0, 2000)})`);
      const parts: string[] = [];
      let caughtUp = true;
      for (const feed of feeds) {
        for (const [topic, group] of [
          [t.changes(feed.name), `${d.config.prefix}.exporter.${feed.name}`],
          [t.items(feed.name), `${d.config.prefix}.publisher.${feed.name}`],
        ] as const) {
          const highs = await admin.fetchTopicOffsets(topic);
          const committed = (await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0]?.partitions ?? [];
          for (const h of highs) {
            const high = Number(h.offset);
            const c = Number(committed.find((x) => x.partition === h.partition)?.offset ?? -1);
            parts.push(`${topic}/${h.partition}:${high}:${c}`);
            if (high > 0 && c < high - 1) caughtUp = false;
          }
        }
        const st = await admin.fetchTopicOffsets(t.status(feed.name));
        for (const h of st) parts.push(`${t.status(feed.name)}/${h.partition}:${h.offset}`);
      }
      const sig = parts.join(',');
      if (sig !== lastSig || !caughtUp) {
        lastSig = sig;
        stableSince = Date.now();
      } else if (Date.now() - stableSince >= stableMs) {
        return { readerMs, groupsMs: Date.now() - started - readerMs };
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await admin.disconnect();
  }
}
