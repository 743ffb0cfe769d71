// The records the exporter and the publisher write (trigger, item envelope,
// status), registered under TopicRecordNameStrategy subjects and encoded in the
// Confluent wire format with our own avsc types: encoding through the registry
// client would re-validate every item, which the exporter has already done.
import { readFileSync } from 'node:fs';
import avro from 'avsc';
import registryPkg, { type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { FeedDefinition } from '../feeds/types.js';

const { SchemaType } = registryPkg;
const ROOT = new URL('../../', import.meta.url);

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
    const out = Buffer.allocUnsafe(body.length + 5);
    out[0] = 0;
    out.writeInt32BE(this.id, 1);
    body.copy(out, 5);
    return out;
  }
}

const ENVELOPE_HEAD = avro.Type.forSchema({
  type: 'record',
  name: 'EnvelopeHead',
  fields: [
    { name: 'feedId', type: 'string' },
    { name: 'sourceEntityId', type: 'string' },
    { name: 'hash', type: 'string' },
    { name: 'deleted', type: 'boolean' },
    { name: 'writtenAt', type: 'long' },
  ],
});

/**
 * An Avro record is its fields' encodings back to back, so an envelope is the
 * encoded head followed by the item's bytes, already produced when the item was normalised.
 */
export function encodeEnvelope(codec: WireCodec<ItemEnvelope>, e: Omit<ItemEnvelope, 'item'>, itemBytes: Buffer): Buffer {
  const head = ENVELOPE_HEAD.toBuffer(e);
  const out = Buffer.allocUnsafe(5 + head.length + itemBytes.length);
  out[0] = 0;
  out.writeInt32BE(codec.id, 1);
  head.copy(out, 5);
  itemBytes.copy(out, 5 + head.length);
  return out;
}

export async function registerCodec<T>(registry: SchemaRegistry, subject: string, schema: Record<string, unknown>): Promise<WireCodec<T>> {
  const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject });
  return new WireCodec<T>(id, avro.Type.forSchema(schema as avro.Schema));
}

/** Decodes a Confluent wire-format value whose schema id may be any registered version; avsc types cached per id. */
export class WireDecoder {
  private readonly registry: SchemaRegistry;
  private readonly types = new Map<number, Promise<avro.Type>>();

  constructor(registry: SchemaRegistry) {
    this.registry = registry;
  }

  async decode<T = Record<string, unknown>>(buf: Buffer): Promise<T> {
    if (buf.length < 5 || buf[0] !== 0) throw new Error('value is not in the Confluent wire format');
    const id = buf.readInt32BE(1);
    let type = this.types.get(id);
    if (!type) {
      // for Avro the registry client hands back an avsc Type (its own avsc copy)
      type = this.registry.getSchema(id).then((s) => s as unknown as avro.Type);
      this.types.set(id, type);
      type.catch(() => this.types.delete(id));
    }
    return (await type).fromBuffer(buf.subarray(5)) as T;
  }
}
