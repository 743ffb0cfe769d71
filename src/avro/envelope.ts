import avro from 'avsc';
import type { ColumnInfo } from './columns.js';
import { avroName, columnCodec, type AvroType, type ColumnCodec } from './types.js';

// The change envelope (docs/internals.md): commerce_cdc.<table>.Envelope with
// typed before/after images, the binlog source and the entity the row names.

export const SOURCE_SCHEMA = {
  type: 'record',
  name: 'commerce_cdc.Source',
  fields: [
    { name: 'server', type: 'string' },
    { name: 'file', type: 'string' },
    { name: 'pos', type: 'long' },
    { name: 'gtid', type: ['null', 'string'], default: null },
    { name: 'ts_ms', type: 'long' },
    { name: 'db', type: 'string' },
    { name: 'table', type: 'string' },
    { name: 'snapshot', type: 'boolean' },
  ],
} as const;

export const ENTITY_SCHEMA = {
  type: 'record',
  name: 'commerce_cdc.Entity',
  fields: [
    { name: 'type', type: 'string' },
    { name: 'id', type: 'string' },
    { name: 'feed', type: 'string' },
  ],
} as const;

export interface Source {
  server: string;
  file: string;
  pos: number;
  gtid: string | null;
  ts_ms: number;
  db: string;
  table: string;
  snapshot: boolean;
}

export interface Entity {
  type: string;
  id: string;
  feed: string;
}

export type Op = 'c' | 'u' | 'd' | 'r' | 't';

interface FieldSchema {
  name: string;
  type: AvroType;
  default?: null;
}

/** Field names (Avro) of a registered Value record that were nullable; used to keep evolution backward compatible. */
export interface PreviousValue {
  fields: Map<string, { nullable: boolean }>;
}

/** Reads the Value record of a registered envelope schema (JSON text). */
export function previousValueOf(envelopeSchema: string): PreviousValue | undefined {
  const doc = JSON.parse(envelopeSchema) as { fields?: Array<{ name: string; type: unknown }> };
  const before = doc.fields?.find((f) => f.name === 'before');
  const rec = Array.isArray(before?.type) ? (before.type as unknown[]).find((t) => typeof t === 'object' && t !== null) : undefined;
  const fields = (rec as { fields?: Array<{ name: string; type: unknown }> } | undefined)?.fields;
  if (!fields) return undefined;
  return { fields: new Map(fields.map((f) => [f.name, { nullable: Array.isArray(f.type) && f.type.includes('null') }])) };
}

export interface TableCodec {
  table: string;
  fullName: string;
  /** The envelope schema, as registered. */
  schema: Record<string, unknown>;
  codecs: Array<ColumnCodec & { field: string }>;
  /** Row (column name → value) → Value record. */
  toValue(row: Record<string, unknown>): Record<string, unknown>;
  /** Avro body (no wire header) of op/before/after/source; the entity bytes follow it. */
  encodeHead(op: Op, before: Record<string, unknown> | null, after: Record<string, unknown> | null, source: Source): Buffer;
  encodeEntity(e: Entity): Buffer;
  /** Decodes an Avro body (tests, tools). */
  decode(body: Buffer): Record<string, unknown>;
}

const entityType = avro.Type.forSchema(ENTITY_SCHEMA as unknown as avro.Schema);

/**
 * Builds the envelope of a table. Columns that the previously registered version
 * did not have, or had as nullable, stay nullable with default null, so every new
 * version can read the data written with the previous one (BACKWARD).
 */
export function buildTableCodec(table: string, columns: ColumnInfo[], previous?: PreviousValue): TableCodec {
  const ns = `commerce_cdc.${avroName(table)}`;
  const codecs = columns.map((c) => {
    const codec = columnCodec(c);
    const field = avroName(c.name);
    const prev = previous?.fields.get(field);
    const nullable = codec.nullable || (previous !== undefined && (!prev || prev.nullable));
    return { ...codec, nullable, field };
  });
  const valueFields: FieldSchema[] = codecs.map((c) => (c.nullable ? { name: c.field, type: ['null', c.type] as AvroType, default: null } : { name: c.field, type: c.type }));
  const value = { type: 'record', name: `${ns}.Value`, fields: valueFields };
  const headSchema = {
    type: 'record',
    name: `${ns}.Envelope`,
    fields: [
      { name: 'op', type: 'string' },
      { name: 'before', type: ['null', value], default: null },
      { name: 'after', type: ['null', `${ns}.Value`], default: null },
      { name: 'source', type: SOURCE_SCHEMA },
    ],
  };
  const schema = { ...headSchema, fields: [...headSchema.fields, { name: 'entity', type: ENTITY_SCHEMA }] };
  const headType = avro.Type.forSchema(headSchema as unknown as avro.Schema);
  const fullType = avro.Type.forSchema(schema as unknown as avro.Schema);
  // Missing columns (a row image from before an ADD COLUMN) get a neutral value for non-null fields.
  const neutral = (c: (typeof codecs)[number]): unknown => {
    if (c.nullable) return null;
    const t = typeof c.type === 'string' ? c.type : (c.type as { type?: string }).type;
    return t === 'string' ? '' : t === 'bytes' ? Buffer.alloc(0) : t === 'boolean' ? false : 0;
  };
  const toValue = (row: Record<string, unknown>) => {
    const out: Record<string, unknown> = {};
    for (const c of codecs) {
      const raw = row[c.name];
      const v = raw === undefined ? null : c.convert(raw);
      out[c.field] = v === null && !c.nullable ? neutral(c) : v;
    }
    return out;
  };
  return {
    table,
    fullName: `${ns}.Envelope`,
    schema,
    codecs,
    toValue,
    encodeHead: (op, before, after, source) => headType.toBuffer({ op, before, after, source }),
    encodeEntity: (e) => entityType.toBuffer(e),
    decode: (body) => fullType.fromBuffer(body) as Record<string, unknown>,
  };
}

