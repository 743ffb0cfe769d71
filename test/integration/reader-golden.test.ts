// Golden CDC fixtures (test/golden/reader/*.yaml): setup SQL, statements, and the
// change events each feed topic must hold afterwards, in order, read
// read_committed and decoded through the registry. One runner for them all.
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { createCommerceDatabase } from '../helpers/commerce.js';
import { adminConnection, createDatabase, dropDatabase, ROOT, stackEnv, testConfig, uniqueName } from '../helpers/stack.js';
import { topicNames } from '../../src/kafka/topics.js';
import { loadMapping } from '../../src/reader/index.js';
import { decimalFromBytes } from '../../src/avro/types.js';
import { readChanges, startReader, type ChangeRecord } from './reader-support.js';

interface Expected {
  event: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

interface Fixture {
  name: string;
  /** commerce (default): the Magento DDL, empty; none: an empty database. */
  schema?: 'commerce' | 'none';
  setup?: string;
  /** Extra mapping entries for test-only tables: feed → [{table, entity, id}]. */
  mapping?: Record<string, Array<{ table: string; entity: string; id: string }>>;
  sql: string[];
  expect: Record<string, Array<string | Expected>>;
  /** Registered versions per `<feed>:<table>` subject after the run, at least (a DDL read late may add one). */
  schemaVersions?: Record<string, number>;
}

const DIR = join(ROOT, 'test/golden/reader');
// GOLDEN=<name> runs one fixture while writing it (the coverage check then is skipped)
const only = process.env.GOLDEN;
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && (!only || f.startsWith(only))).sort();
const fixtures = files.map((f) => ({ file: f, fx: parse(readFileSync(join(DIR, f), 'utf8')) as Fixture }));
// The fixtures run against a frozen copy of the mapping, so a feed owner adjusting
// connectors/feeds does not change what these reader tests expect; coverage is
// still checked against the shipped mapping.
const MAPPING = join(DIR, 'mapping');
const SHIPPED = join(ROOT, 'connectors/feeds');

type FieldInfo = { logicalType?: string; scale?: number; type?: string };
const schemaCache = new Map<number, Map<string, FieldInfo>>();

/** Field → Avro type details of the Value record of a registered envelope. */
async function fieldsOf(id: number): Promise<Map<string, FieldInfo>> {
  const hit = schemaCache.get(id);
  if (hit) return hit;
  const res = (await (await fetch(`${stackEnv.registryUrl}/schemas/ids/${id}`)).json()) as { schema: string };
  const env = JSON.parse(res.schema) as { fields: Array<{ name: string; type: unknown }> };
  const value = (env.fields.find((f) => f.name === 'before')!.type as unknown[]).find((t) => typeof t === 'object') as { fields: Array<{ name: string; type: unknown }> };
  const m = new Map<string, FieldInfo>();
  for (const f of value.fields) {
    const t = Array.isArray(f.type) ? f.type.find((x) => x !== 'null') : f.type;
    m.set(f.name, typeof t === 'string' ? { type: t } : (t as FieldInfo));
  }
  schemaCache.set(id, m);
  return m;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Decoded Avro value → the literal a fixture writes: decimals as strings, bytes as 0x hex, times as text. */
function literal(v: unknown, f: FieldInfo | undefined): unknown {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return f?.logicalType === 'decimal' ? decimalFromBytes(v, f.scale ?? 0) : '0x' + v.toString('hex');
  if (f?.logicalType === 'timestamp-micros' && typeof v === 'number') {
    const d = new Date(Math.floor(v / 1000));
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(((v % 1_000_000) + 1_000_000) % 1_000_000, 6)}`;
  }
  if (f?.logicalType === 'date' && typeof v === 'number') return new Date(v * 86_400_000).toISOString().slice(0, 10);
  return v;
}

async function normalise(r: ChangeRecord): Promise<{ event: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null }> {
  const fields = await fieldsOf(r.schemaId);
  const img = (row: Record<string, unknown> | null) => (row ? Object.fromEntries(Object.entries(row).map(([k, v]) => [k, literal(v, fields.get(k))])) : null);
  const v = r.value;
  return { event: `${v.op} ${v.source.table} ${v.entity.type}:${v.entity.id}`, before: img(v.before), after: img(v.after) };
}

const touched = new Set<string>();

describe.concurrent('reader golden fixtures', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanup) await c().catch(() => undefined);
    if (only) return;
    // every table the shipped mapping captures, present in the Commerce DDL, is exercised by some fixture
    const ddl = readFileSync(join(ROOT, 'fixtures/commerce/schema.sql'), 'utf8');
    const inDdl = (m: string) => [...loadMapping(m).routes.keys()].filter((t) => new RegExp(`CREATE TABLE\\s+\`?${t}\`?\\s*\\(`, 'i').test(ddl));
    expect(inDdl(MAPPING).filter((t) => !touched.has(t))).toEqual([]);
    const shippedOnly = inDdl(SHIPPED).filter((t) => !touched.has(t));
    if (shippedOnly.length) console.warn(`tables the shipped mapping added since the frozen copy, not yet in a fixture: ${shippedOnly.join(', ')}`);
  });

  for (const { file, fx } of fixtures) {
    it(`${file}: ${fx.name}`, async () => {
      const database = fx.schema === 'none' ? await createDatabase('golden') : await createCommerceDatabase('golden', false);
      cleanup.push(() => dropDatabase(database));
      const conn = await adminConnection(database);
      cleanup.push(() => conn.end());
      if (fx.setup) await conn.query(fx.setup);
      let connector = MAPPING;
      if (fx.mapping) {
        connector = mkdtempSync(join(tmpdir(), 'cdc-golden-'));
        cpSync(MAPPING, connector, { recursive: true });
        for (const [feed, extra] of Object.entries(fx.mapping)) {
          const path = join(connector, `${feed}.yaml`);
          const doc = parse(readFileSync(path, 'utf8')) as { tables: unknown[] };
          doc.tables.push(...extra);
          writeFileSync(path, stringify(doc));
        }
      }
      const prefix = uniqueName('gold');
      // one partition per topic: the topic order is the binlog order
      const config = testConfig(database, prefix, { kafka: { brokers: stackEnv.brokers, partitions: 1 }, reader: { connector, snapshotMode: 'never', heartbeatMs: 1000 } });
      const { reader, kafka } = startReader(config, { checkEntityTypes: false });
      cleanup.push(() => reader.stop());
      await reader.start();
      for (const s of fx.sql) await conn.query(s);
      const t = topicNames(prefix);
      const feeds = loadMapping(connector).feeds.map((f) => f.feed);
      const want = Object.values(fx.expect).reduce((n, l) => n + l.length, 0);
      const got = await readChanges(kafka, stackEnv.registryUrl, feeds.map(t.changes), { count: want, extraMs: 2500, timeoutMs: 60_000 }).catch((e: unknown) => {
        throw new Error(`${String(e)}`);
      });
      await reader.stop();
      const byFeed = new Map<string, ChangeRecord[]>();
      for (const r of got) byFeed.set(r.value.entity.feed, [...(byFeed.get(r.value.entity.feed) ?? []), r]);
      for (const feed of feeds) {
        const records = (byFeed.get(feed) ?? []).sort((a, b) => Number(BigInt(a.offset) - BigInt(b.offset)));
        const actual = await Promise.all(records.map(normalise));
        for (const r of records) touched.add(r.value.source.table);
        const expected = (fx.expect[feed] ?? []).map((e) => (typeof e === 'string' ? { event: e } : e));
        expect(actual.map((a) => a.event), `${file}: events of ${feed}`).toEqual(expected.map((e) => e.event));
        expected.forEach((e, i) => {
          const a = actual[i]!;
          if (e.before === null) expect(a.before, `${file}: ${feed}[${i}].before`).toBeNull();
          else if (e.before) expect(a.before, `${file}: ${feed}[${i}].before`).toMatchObject(e.before);
          if (e.after === null) expect(a.after, `${file}: ${feed}[${i}].after`).toBeNull();
          else if (e.after) expect(a.after, `${file}: ${feed}[${i}].after`).toMatchObject(e.after);
        });
      }
      for (const [key, n] of Object.entries(fx.schemaVersions ?? {})) {
        const [feed, table] = key.split(':') as [string, string];
        const subject = `${t.changes(feed)}-commerce_cdc.${table}.Envelope`;
        const versions = (await (await fetch(`${stackEnv.registryUrl}/subjects/${subject}/versions`)).json()) as number[];
        expect(versions.length, `${file}: versions of ${subject}`).toBeGreaterThanOrEqual(n);
        const cfg = (await (await fetch(`${stackEnv.registryUrl}/config/${subject}`)).json()) as { compatibilityLevel?: string; compatibility?: string };
        expect(cfg.compatibilityLevel ?? cfg.compatibility).toBe('BACKWARD');
      }
    });
  }
});
