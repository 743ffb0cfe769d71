// The README's promise that analysts read the change topics "with any Confluent-compatible
// Avro tool", kept by a foreign reader: tools/avro-consumer (Java, Kafka's consumer and
// Apicurio's Avro deserializer in its Confluent-compatible mode) reads products.changes
// after a snapshot, a few changes and an ALTER TABLE, and decodes what our decoder does.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decimalFromBytes } from '../../src/avro/types.js';
import { topicNames } from '../../src/kafka/topics.js';
import { createCommerceDatabase } from '../helpers/commerce.js';
import { adminConnection, dropDatabase, ROOT, stackEnv, testConfig, uniqueName } from '../helpers/stack.js';
import { readChanges, startReader, type ChangeRecord } from './reader-support.js';

const JAR = `${ROOT}tools/avro-consumer/target/avro-consumer.jar`;

type Schema = string | Schema[] | { type: Schema; name?: string; namespace?: string; fields?: Array<{ name: string; type: Schema }>; items?: Schema; values?: Schema; logicalType?: string; scale?: number };
const PRIMITIVE = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

/** Named types by full name (a record's second use is by name, and its first may hold a null). */
function namedTypes(s: Schema, names = new Map<string, Schema>()): Map<string, Schema> {
  if (Array.isArray(s)) for (const b of s) namedTypes(b, names);
  else if (typeof s === 'object') {
    if (s.type === 'record') {
      names.set(s.name!.includes('.') || !s.namespace ? s.name! : `${s.namespace}.${s.name}`, s);
      for (const f of s.fields!) namedTypes(f.type, names);
    } else namedTypes(s.items ?? s.values ?? s.type, names);
  }
  return names;
}

/** Our decoder's value as the Java tool prints it (decimal bytes as text with the schema's scale, other bytes base64). */
function asPrinted(s: Schema, v: unknown, names = namedTypes(s), ns = ''): unknown {
  if (v === null || v === undefined) return null;
  if (Array.isArray(s)) return asPrinted(s.find((b) => b !== 'null')!, v, names, ns);
  if (typeof s === 'string') {
    if (s === 'bytes') return (v as Buffer).toString('base64');
    if (PRIMITIVE.has(s)) return v;
    return asPrinted(names.get(s) ?? names.get(`${ns}.${s}`)!, v, names, ns);
  }
  if (s.type === 'record') {
    const full = s.name!.includes('.') || !s.namespace ? s.name! : `${s.namespace}.${s.name}`;
    const inner = full.slice(0, full.lastIndexOf('.'));
    return Object.fromEntries(s.fields!.map((f) => [f.name, asPrinted(f.type, (v as Record<string, unknown>)[f.name], names, inner)]));
  }
  if (s.type === 'bytes' && s.logicalType === 'decimal') return decimalFromBytes(v as Buffer, s.scale ?? 0);
  if (s.type === 'array') return (v as unknown[]).map((x) => asPrinted(s.items!, x, names, ns));
  if (s.type === 'map') return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, asPrinted(s.values!, x, names, ns)]));
  return asPrinted(s.type, v, names, ns);
}

interface JavaLine { topic: string; partition: number; offset: number; key: string; schemaId: number; value: ChangeRecord['value'] }

describe('a Java consumer of the change topics (tools/avro-consumer)', () => {
  const prefix = uniqueName('javacons');
  let database = '';

  beforeAll(async () => {
    database = await createCommerceDatabase('javacons', { products: 8, configurables: 1, orders: 0 });
    if (!existsSync(JAR)) {
      // `make test` builds it first (make avro-consumer); a lone `vitest` run builds it here
      const b = spawnSync('mvn', ['-q', '-B', '-f', `${ROOT}tools/avro-consumer/pom.xml`, 'package', '-DskipTests'], { encoding: 'utf8' });
      expect(b.status, b.stdout + b.stderr).toBe(0);
    }
  });
  afterAll(async () => {
    await dropDatabase(database);
  });

  it('decodes every record our decoder reads, with the same values, including one written after ALTER TABLE ADD COLUMN', async () => {
    const config = testConfig(database, prefix, { exporter: { feeds: ['products'] }, reader: { heartbeatMs: 500 } });
    const topic = topicNames(prefix).changes('products');
    const { reader, kafka } = startReader(config);
    const c = await adminConnection(database);
    try {
      await reader.start();
      await c.query(`UPDATE catalog_product_entity SET sku = CONCAT(sku, '-x') WHERE entity_id = 1`);
      await c.query(`UPDATE catalog_product_entity_decimal SET value = value + 1.25 WHERE entity_id = 2 AND store_id = 0`);
      await c.query(`INSERT INTO catalog_product_entity_varchar (attribute_id, store_id, entity_id, value) SELECT attribute_id, 1, 3, 'store one' FROM catalog_product_entity_varchar WHERE entity_id = 3 AND store_id = 0 LIMIT 1 ON DUPLICATE KEY UPDATE value = 'store one'`);
      await c.query(`DELETE FROM catalog_product_entity_varchar WHERE entity_id = 3 AND store_id = 1 AND value = 'store one'`);
      await c.query(`ALTER TABLE catalog_product_entity ADD COLUMN analyst_note VARCHAR(32) NULL`);
      await c.query(`UPDATE catalog_product_entity SET analyst_note = 'after the alter' WHERE entity_id = 4`);
      const afterAlter = (rs: ChangeRecord[]) => rs.find((r) => r.value.source.table === 'catalog_product_entity' && r.value.after?.['analyst_note'] === 'after the alter');
      await expect.poll(async () => afterAlter(await readChanges(kafka, stackEnv.registryUrl, [topic], { quietMs: 2000 })), { timeout: 60_000, interval: 1000 }).toBeDefined();
    } finally {
      await c.end();
      await reader.stop();
    }
    const js = await readChanges(kafka, stackEnv.registryUrl, [topic], { quietMs: 3000 });

    const run = spawnSync('java', ['-jar', JAR, '--topic', topic, '--bootstrap', stackEnv.brokers.join(','), '--registry', stackEnv.registryUrl.replace(/\/apis\/ccompat\/v7\/?$/, '/apis/registry/v3')], { encoding: 'utf8', timeout: 120_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as JavaLine);
    const at = (r: { partition: number; offset: string | number }) => `${r.partition}:${r.offset}`;

    expect(js.length).toBeGreaterThan(8);
    expect(lines.length).toBe(js.length);
    expect(lines.map(at).sort()).toEqual(js.map(at).sort());
    const byPos = new Map(lines.map((l) => [at(l), l]));
    const schemas = new Map<number, Schema>();
    for (const r of js) {
      const line = byPos.get(at(r))!;
      expect(line.key).toBe(r.key);
      expect(line.schemaId).toBe(r.schemaId);
      if (!schemas.has(r.schemaId)) schemas.set(r.schemaId, JSON.parse(((await (await fetch(`${stackEnv.registryUrl}/schemas/ids/${r.schemaId}`)).json()) as { schema: string }).schema) as Schema);
      expect(line.value, at(r)).toEqual(asPrinted(schemas.get(r.schemaId)!, r.value));
    }
    const ops = new Set(lines.map((l) => l.value.op));
    expect([...ops]).toEqual(expect.arrayContaining(['r', 'u', 'd']));
    // schema evolution seen by a foreign reader: the row written after the ALTER has the new column
    const evolved = lines.find((l) => l.value.after?.['analyst_note'] === 'after the alter')!;
    expect(evolved).toBeDefined();
    expect(evolved.value.after).toMatchObject({ entity_id: 4, analyst_note: 'after the alter' });
    const before = lines.find((l) => l.value.source.table === 'catalog_product_entity' && l.value.op === 'r')!;
    expect(evolved.schemaId).not.toBe(before.schemaId);
    expect(before.value.after).not.toHaveProperty('analyst_note');
    console.log(`java consumer: ${lines.length} record(s); the change after the ALTER:\n${JSON.stringify(evolved)}`);
  }, 240_000);
});
