// The records the exporter and the publisher write (trigger, item envelope,
// status), registered under TopicRecordNameStrategy subjects and encoded in the
// Confluent wire format with our own avsc types: encoding through the registry
// client would re-validate every item, which the exporter has already done.
import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { sizeOfVarLong, writeVarLong } from './varint.js';
import { readSchemaId, WIRE_HEADER_BYTES, writeWireHeader } from './wire.js';
import { compileJson, type Transcoded, type TranscodeOptions, type Transcoder } from './json.js';
import registryPkg, { type SchemaRegistry, type COMPATIBILITY as CompatibilityLevel } from '@kafkajs/confluent-schema-registry';
import type { FeedDefinition } from '../feeds/types.js';

const { SchemaType, COMPATIBILITY } = registryPkg;
const ROOT = new URL('../..', import.meta.url);

export const TRIGGER_RECORD = 'commerce_cdc.Trigger';
export const STATUS_RECORD = 'commerce_cdc.Status';
export const envelopeRecord = (feed: string) => `commerce_cdc.feed.${feed}.ItemEnvelope`;

export function loadSchema(relative: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(relative, ROOT), 'utf8')) as Record<string, unknown>;
}

/** The feed's item record wrapped in the item envelope of docs/internals.md. */
export function itemEnvelopeSchema(feed: Pick<FeedDefinition, 'name' | 'schemaFile'>): Record<string, unknown> {
  return {
    type: 'record',
    name: 'ItemEnvelope',
    namespace: `commerce_cdc.feed.${feed.name}`,
    fields: [
      { name: 'feedId', type: 'string' },
      { name: 'sourceEntityId', type: 'string' },
      { name: 'hash', type: 'string' },
      { name: 'deleted', type: 'boolean' },
      { name: 'writtenAt', type: 'long' },
      { name: 'item', type: loadSchema(feed.schemaFile) },
    ],
  };
}

export interface ItemEnvelope {
  feedId: string;
  sourceEntityId: string;
  hash: string;
  deleted: boolean;
  writtenAt: number;
  item: Record<string, unknown>;
}

/** The delivery status codes of a status record, as Commerce Services reports them (docs/internals.md). */
export const DeliveryStatus = {
  /** Accepted downstream. */
  sent: 200,
  /** The batch was refused (HTTP 400): not retried until the items change. */
  rejected: 400,
  /** Accepted, but this item was flagged invalid. */
  invalid: 1,
  /** Downstream unavailable: being retried. */
  retrying: 2,
} as const;
export type DeliveryStatus = (typeof DeliveryStatus)[keyof typeof DeliveryStatus];

/** One status record of `<feed>.status` (schemas/status.avsc). */
export interface StatusRecord {
  feedId: string;
  sourceEntityId: string;
  hash: string;
  status: number;
  attempts: number;
  error: string | null;
  ts_ms: number;
  requestId: string | null;
}

export interface TriggerRecord {
  entity: { type: string; id: string; feed: string };
  cause: { type: string; id: string };
  reason: string;
  force: boolean;
}

/** A registered schema and its avsc type: encode() gives the Confluent wire format. */
export class WireCodec<T = unknown> {
  readonly id: number;
  readonly type: avro.Type;

  constructor(id: number, type: avro.Type) {
    this.id = id;
    this.type = type;
  }

  encode(value: T): Buffer {
    const body = this.type.toBuffer(value);
    const out = Buffer.allocUnsafe(body.length + WIRE_HEADER_BYTES);
    body.copy(out, writeWireHeader(out, this.id));
    return out;
  }
}

/** An Avro string: its UTF-8 length as a long, then the bytes. */
function writeAvroString(buf: Buffer, pos: number, s: string, bytes: number): number {
  pos = writeVarLong(buf, pos, bytes);
  return pos + buf.write(s, pos, bytes, 'utf8');
}

/**
 * An Avro record is its fields' encodings back to back, so an envelope is its head (feedId,
 * sourceEntityId, hash, deleted, writtenAt) followed by the item's bytes, already produced when the
 * item was normalised. The head is written straight into the message (one allocation per item).
 */
export function encodeEnvelope(codec: WireCodec<ItemEnvelope>, e: Omit<ItemEnvelope, 'item'>, itemBytes: Buffer): Buffer {
  const f = Buffer.byteLength(e.feedId);
  const s = Buffer.byteLength(e.sourceEntityId);
  const h = Buffer.byteLength(e.hash);
  const head = sizeOfVarLong(f) + f + sizeOfVarLong(s) + s + sizeOfVarLong(h) + h + 1 + sizeOfVarLong(e.writtenAt);
  const out = Buffer.allocUnsafe(WIRE_HEADER_BYTES + head + itemBytes.length);
  let pos = writeAvroString(out, writeWireHeader(out, codec.id), e.feedId, f);
  pos = writeAvroString(out, pos, e.sourceEntityId, s);
  pos = writeAvroString(out, pos, e.hash, h);
  out[pos++] = e.deleted ? 1 : 0;
  pos = writeVarLong(out, pos, e.writtenAt);
  itemBytes.copy(out, pos);
  return out;
}

/**
 * Registers a fixed record (item envelope, trigger, status) under `subject`. The library's register()
 * reads the subject's compatibility level first and refuses when it is not its own option (BACKWARD);
 * on a first registration it registers and only then sets BACKWARD, in two requests. Against Apicurio a
 * subject that exists without a level of its own answers NONE, so a second process registering the
 * same subject in between (the exporter and the publisher both register the status record at start),
 * or a process killed between the two requests, made every later register() fail with
 * ConfluentSchemaRegistryCompatibilityError "BACKWARD != NONE": the publisher exited 70 at each start
 * (seen in the exporter/publisher kill test); and two that both found the subject new both set its
 * level, the second refused with 409. The level the registry names is taken as it is (an operator's
 * NONE too) and the register asked again with it; a lost race is asked again as it was.
 */
export async function registerCodec<T>(registry: SchemaRegistry, subject: string, schema: Record<string, unknown>): Promise<WireCodec<T>> {
  const body = { type: SchemaType.AVRO, schema: JSON.stringify(schema) } as const;
  let compatibility: CompatibilityLevel | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      const { id } = await registry.register(body, compatibility ? { subject, compatibility } : { subject });
      return new WireCodec<T>(id, avro.Type.forSchema(schema as avro.Schema));
    } catch (e) {
      const level = registeredLevel(e);
      // both saw a new subject and set its level: the second setting is refused with 409 ("A rule named
      // 'COMPATIBILITY' already exists"); the schema is registered, the next round finds the level set
      const lostRace = (e as { status?: number }).status === 409;
      if ((!level && !lostRace) || attempt >= 4) throw e;
      if (level) compatibility = level;
    }
  }
}

/** The subject's level named by the library's ConfluentSchemaRegistryCompatibilityError ("(BACKWARD != NONE)"), else undefined. */
export function registeredLevel(e: unknown): CompatibilityLevel | undefined {
  if (!(e instanceof Error) || e.name !== 'ConfluentSchemaRegistryCompatibilityError') return undefined;
  const m = /!= ([A-Z_]+)\)/.exec(e.message);
  const level = m?.[1] as CompatibilityLevel | undefined;
  return level && (Object.values(COMPATIBILITY) as string[]).includes(level) ? level : undefined;
}

/**
 * What a decoder derives from a writer schema, once per schema id: the id comes from a Confluent
 * wire-format value, the schema from the registry (for Avro its client hands back an avsc Type of its
 * own avsc copy). A failed lookup is not cached.
 */
class PerSchemaId<T> {
  private readonly registry: SchemaRegistry;
  private readonly derive: (type: avro.Type) => T;
  private readonly cache = new Map<number, Promise<T>>();

  constructor(registry: SchemaRegistry, derive: (type: avro.Type) => T) {
    this.registry = registry;
    this.derive = derive;
  }

  /** For the schema of this value (its body starts after the wire header). */
  of(buf: Buffer): Promise<T> {
    const id = readSchemaId(buf);
    if (id === undefined) return Promise.reject(new Error('value is not in the Confluent wire format'));
    let derived = this.cache.get(id);
    if (!derived) {
      derived = this.registry.getSchema(id).then((s) => this.derive(s as unknown as avro.Type));
      this.cache.set(id, derived);
      derived.catch(() => this.cache.delete(id));
    }
    return derived;
  }
}

/** Decodes a Confluent wire-format value whose schema id may be any registered version; avsc types cached per id. */
export class WireDecoder {
  private readonly types: PerSchemaId<avro.Type>;

  constructor(registry: SchemaRegistry) {
    this.types = new PerSchemaId(registry, (type) => type);
  }

  async decode<T = Record<string, unknown>>(buf: Buffer): Promise<T> {
    return (await this.types.of(buf)).fromBuffer(buf.subarray(WIRE_HEADER_BYTES)) as T;
  }
}

/** An item envelope with the item as JSON text (src/avro/json.ts) instead of a decoded object. */
export interface EnvelopeJson extends Omit<ItemEnvelope, 'item'> {
  item: Transcoded;
}

interface EnvelopeReader {
  fields: Array<{ name: string; type: avro.Type; json: Transcoder | undefined }>;
}

/**
 * Reads item envelopes of any registered version without decoding the item: the head fields are
 * decoded, the item is transcoded to JSON with the given omitted and captured fields. The item's
 * JSON is the caller's own copy: decode() awaits, so other decodes may run before the caller does.
 */
export class EnvelopeDecoder {
  private readonly options: TranscodeOptions;
  private readonly readers: PerSchemaId<EnvelopeReader>;

  constructor(registry: SchemaRegistry, options: TranscodeOptions) {
    this.options = options;
    this.readers = new PerSchemaId(registry, (type) => this.compile(type));
  }

  async decode(buf: Buffer): Promise<EnvelopeJson> {
    const reader = await this.readers.of(buf);
    const out: Record<string, unknown> = {};
    let pos = WIRE_HEADER_BYTES;
    for (const f of reader.fields) {
      if (f.json) {
        const t = f.json(buf, pos);
        out[f.name] = { ...t, json: Buffer.from(t.json) };
        pos = t.end;
      } else {
        const { value, offset } = f.type.decode(buf, pos) as { value: unknown; offset: number };
        if (offset < 0) throw new Error('invalid Avro data: truncated item envelope');
        out[f.name] = value;
        pos = offset;
      }
    }
    return out as unknown as EnvelopeJson;
  }

  private compile(type: avro.Type): EnvelopeReader {
    const fields = (type as avro.types.RecordType).fields.map((f) => ({ name: f.name, type: f.type, json: f.name === 'item' ? compileJson(f.type, this.options) : undefined }));
    if (!fields.some((f) => f.json)) throw new Error('the schema of this record is not an item envelope (no item field)');
    return { fields };
  }
}