// Faster replacements for two kafkajs 2.2.4 modules on the produce path, installed by
// src/kafka/kafkajs.ts before kafkajs loads. They write the same bytes
// (test/unit/kafkajs-produce.test.ts compares them with kafkajs' own on random input):
//   - groupMessagesPerPartition copied the partition's array for every message ([...current, m]),
//     quadratic in the messages of one send;
//   - the produce request (v3, which v4 to v7 wrap) copied every message object, started every
//     record from a zero-filled 512-byte buffer with its timestamp varlong in 64-bit Long emulation,
//     grew each record batch by doubling (each step zero-filled and copied), computed the batch's
//     CRC-32C a byte at a time, and copied the batches again at the partition, topic and request
//     levels. Its replacement writes exact-size records, one buffer per batch (slicing-by-8 CRC-32C)
//     and the request in one buffer. Compressed requests go to kafkajs' own.
import { sizeOfVarInt, sizeOfVarLong, writeVarInt, writeVarLong } from '../avro/varint.js';

/** The slice of kafkajs' Encoder these modules hand back (RecordBatch and the produce request read `buf`, `buffer`, `size()`). */
export interface EncoderLike {
  buf: Buffer;
  offset: number;
  readonly buffer: Buffer;
  size(): number;
}
export type EncoderCtor = { prototype: EncoderLike };
export interface LongLike {
  getHighBits(): number;
  getLowBits(): number;
}
export interface LongStatic {
  fromValue(v: unknown): LongLike;
}

export interface RecordInput {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: Buffer | string | null;
  value?: Buffer | string | null;
  headers?: Record<string, Buffer | string | Array<Buffer | string>>;
}

/** An uncompressed record batch: what kafkajs' RecordBatch v0 takes, less the compression. */
export interface RecordBatchInput {
  firstOffset?: unknown;
  firstTimestamp?: number;
  maxTimestamp?: number;
  partitionLeaderEpoch?: number;
  lastOffsetDelta?: number;
  transactional?: boolean;
  producerId?: unknown;
  producerEpoch?: number;
  firstSequence?: number;
  records?: EncoderLike[];
}

// ---- CRC-32C (Castagnoli), slicing by 8
const CRC_TABLE = new Int32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  CRC_TABLE[n] = c;
}
for (let n = 0; n < 256; n++) {
  for (let k = 1; k < 8; k++) {
    const prev = CRC_TABLE[(k - 1) * 256 + n]!;
    CRC_TABLE[k * 256 + n] = (prev >>> 8) ^ CRC_TABLE[prev & 0xff]!;
  }
}

/** CRC-32C of `buf`, unsigned. */
export function crc32c(buf: Uint8Array): number {
  const t = CRC_TABLE;
  let crc = -1;
  let i = 0;
  const n = buf.length;
  for (const end = n - 7; i < end; i += 8) {
    const a = crc ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    crc =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + buf[i + 4]!]! ^
      t[512 + buf[i + 5]!]! ^
      t[256 + buf[i + 6]!]! ^
      t[buf[i + 7]!]!;
  }
  for (; i < n; i++) crc = t[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** A key, value or header value as bytes: Buffers as they are, anything else as the UTF-8 of String(v); null stays null. */
const asBytes = (v: Buffer | string | null | undefined): Buffer | null => (v == null ? null : Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'utf8'));
const sizeOfVarIntBytes = (b: Buffer | null): number => (b === null ? sizeOfVarInt(-1) : sizeOfVarInt(b.length) + b.length);

function writeVarIntBytes(buf: Buffer, at: number, b: Buffer | null): number {
  if (b === null) return writeVarInt(buf, at, -1);
  at = writeVarInt(buf, at, b.length);
  b.copy(buf, at);
  return at + b.length;
}

/** An Encoder holding exactly `buf` (no zero-filled initial buffer). */
function encoderOf(Encoder: EncoderCtor, buf: Buffer): EncoderLike {
  const e = Object.create(Encoder.prototype) as EncoderLike;
  e.buf = buf;
  e.offset = buf.length;
  return e;
}

/** kafkajs' Record v0 (protocol/recordBatch/record/v0): Length, Attributes, TimestampDelta, OffsetDelta, Key, Value, Headers. */
export function makeRecord(Encoder: EncoderCtor): (r: RecordInput) => EncoderLike {
  return ({ offsetDelta = 0, timestampDelta = 0, key, value, headers }: RecordInput) => {
    const k = asBytes(key);
    const v = asBytes(value);
    const hs: Array<[Buffer, Buffer | null]> = [];
    if (headers) {
      for (const name of Object.keys(headers)) {
        const hv = headers[name]!;
        for (const one of Array.isArray(hv) ? hv : [hv]) hs.push([Buffer.from(name, 'utf8'), asBytes(one)]);
      }
    }
    let headersSize = sizeOfVarInt(hs.length);
    for (const [hk, hv] of hs) headersSize += sizeOfVarIntBytes(hk) + sizeOfVarIntBytes(hv);
    const body = 1 + sizeOfVarLong(timestampDelta) + sizeOfVarInt(offsetDelta) + sizeOfVarIntBytes(k) + sizeOfVarIntBytes(v) + headersSize;
    const buf = Buffer.allocUnsafe(sizeOfVarInt(body) + body);
    let at = writeVarInt(buf, 0, body);
    buf[at++] = 0; // attributes: none used
    at = writeVarLong(buf, at, timestampDelta);
    at = writeVarInt(buf, at, offsetDelta);
    at = writeVarIntBytes(buf, at, k);
    at = writeVarIntBytes(buf, at, v);
    at = writeVarInt(buf, at, hs.length);
    for (const [hk, hv] of hs) {
      at = writeVarIntBytes(buf, at, hk);
      at = writeVarIntBytes(buf, at, hv);
    }
    return encoderOf(Encoder, buf);
  };
}

const MAGIC_BYTE = 2;
const TRANSACTIONAL_MASK = 16;
/** FirstOffset, Length, PartitionLeaderEpoch, Magic, CRC: what precedes the CRC-covered part. */
const PRE_CRC = 8 + 4 + 4 + 1 + 4;
/** Attributes, LastOffsetDelta, FirstTimestamp, MaxTimestamp, ProducerId, ProducerEpoch, FirstSequence, record count. */
const CRC_HEAD = 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;

function writeInt64(buf: Buffer, at: number, Long: LongStatic, v: unknown): number {
  const l = Long.fromValue(v);
  buf.writeInt32BE(l.getHighBits(), at);
  buf.writeInt32BE(l.getLowBits(), at + 4);
  return at + 8;
}

/**
 * kafkajs' RecordBatch v0 (protocol/recordBatch/v0) for an uncompressed batch, in one buffer:
 * FirstOffset, Length, PartitionLeaderEpoch, Magic, CRC over the rest, then the records.
 */
export function makeRecordBatch(Encoder: EncoderCtor, Long: LongStatic): (b: RecordBatchInput) => EncoderLike {
  return (b: RecordBatchInput) => {
    const records = b.records ?? [];
    const now = Date.now();
    let size = PRE_CRC + CRC_HEAD;
    for (const r of records) size += r.offset;
    const buf = Buffer.allocUnsafe(size);
    let at = writeInt64(buf, 0, Long, b.firstOffset ?? 0);
    buf.writeInt32BE(size - 12, at); // Length: what follows FirstOffset and Length
    buf.writeInt32BE(b.partitionLeaderEpoch ?? 0, at + 4);
    buf.writeInt8(MAGIC_BYTE, at + 8);
    const crcAt = at + 9;
    at = PRE_CRC;
    // attributes: no compression codec, the transactional flag
    const attributes = b.transactional ? TRANSACTIONAL_MASK : 0;
    buf.writeInt16BE(attributes, at);
    buf.writeInt32BE(b.lastOffsetDelta ?? 0, at + 2);
    at = writeInt64(buf, at + 6, Long, b.firstTimestamp ?? now);
    at = writeInt64(buf, at, Long, b.maxTimestamp ?? now);
    at = writeInt64(buf, at, Long, b.producerId ?? -1);
    buf.writeInt16BE(b.producerEpoch ?? 0, at);
    buf.writeInt32BE(b.firstSequence ?? 0, at + 2);
    buf.writeInt32BE(records.length, at + 6);
    at += 10;
    for (const r of records) {
      r.buf.copy(buf, at, 0, r.offset);
      at += r.offset;
    }
    buf.writeUInt32BE(crc32c(buf.subarray(PRE_CRC)), crcAt);
    return encoderOf(Encoder, buf);
  };
}

export interface GroupArgs<M> {
  topic: string;
  partitionMetadata: unknown[];
  messages: M[];
  partitioner: (a: { topic: string; partitionMetadata: unknown[]; message: M }) => number;
}

/** kafkajs' producer/groupMessagesPerPartition, linear: messages per partition, in their order. */
export function groupMessagesPerPartition<M>({ topic, partitionMetadata, messages, partitioner }: GroupArgs<M>): Record<number, M[]> {
  const result: Record<number, M[]> = {};
  if (partitionMetadata.length === 0) return result;
  for (const message of messages) {
    const p = partitioner({ topic, partitionMetadata, message });
    (result[p] ??= []).push(message);
  }
  return result;
}

export interface ProduceMessage {
  key?: Buffer | string | null;
  value?: Buffer | string | null;
  headers?: RecordInput['headers'];
  timestamp?: number | string;
}
export interface ProducePartition {
  partition: number;
  firstSequence?: number;
  messages: ProduceMessage[];
}
export interface ProduceArgs {
  acks: number;
  timeout: number;
  transactionalId?: string | null;
  producerId?: unknown;
  producerEpoch?: number;
  compression?: number;
  topicData: Array<{ topic: string; partitions: ProducePartition[] }>;
}
export interface ProduceRequest {
  apiKey: number;
  apiVersion: number;
  apiName: string;
  expectResponse: () => boolean;
  encode: () => Promise<EncoderLike>;
}

const PRODUCE_API_KEY = 0;

/**
 * kafkajs' Produce request v3 (protocol/requests/produce/v3/request.js; v4 to v7 wrap it) for
 * uncompressed batches: each partition's records straight from its messages (no copied message
 * objects), one record batch per partition, the request in one buffer. Compressed requests go to
 * `fallback` (kafkajs' own).
 */
export function makeProduceRequestV3(Encoder: EncoderCtor, Long: LongStatic, fallback: (a: ProduceArgs) => ProduceRequest): (a: ProduceArgs) => ProduceRequest {
  const record = makeRecord(Encoder);
  const recordBatch = makeRecordBatch(Encoder, Long);
  return (a: ProduceArgs) => {
    if ((a.compression ?? 0) !== 0) return fallback(a);
    const { acks, timeout, topicData } = a;
    const transactionalId = a.transactionalId ?? null;
    const producerId = a.producerId ?? -1;
    const producerEpoch = a.producerEpoch ?? 0;
    return {
      apiKey: PRODUCE_API_KEY,
      apiVersion: 3,
      apiName: 'Produce',
      expectResponse: () => acks !== 0,
      encode: async () => {
        const parts: Buffer[] = [];
        let size = 2 + (transactionalId === null ? 0 : Buffer.byteLength(transactionalId)) + 2 + 4 + 4;
        for (const { topic, partitions } of topicData) {
          const name = Buffer.from(topic, 'utf8');
          const head = Buffer.allocUnsafe(2 + name.length + 4);
          head.writeInt16BE(name.length, 0);
          name.copy(head, 2);
          head.writeInt32BE(partitions.length, 2 + name.length);
          parts.push(head);
          size += head.length;
          for (const { partition, firstSequence, messages } of partitions) {
            const dateNow = Date.now();
            // as kafkajs: the messages' own timestamps sorted as strings, else now
            const stamps = messages.map((m) => m.timestamp).filter((t) => t != null).sort();
            const firstTimestamp = stamps.length === 0 ? dateNow : stamps[0]!;
            const maxTimestamp = stamps.length === 0 ? dateNow : stamps[stamps.length - 1]!;
            const records = new Array<EncoderLike>(messages.length);
            for (let i = 0; i < messages.length; i++) {
              const m = messages[i]!;
              records[i] = record({ key: m.key, value: m.value, headers: m.headers, offsetDelta: i, timestampDelta: Number(m.timestamp || dateNow) - Number(firstTimestamp) });
            }
            const batch = recordBatch({
              records,
              firstTimestamp: firstTimestamp as number,
              maxTimestamp: maxTimestamp as number,
              producerId,
              producerEpoch,
              firstSequence,
              transactional: !!transactionalId,
              lastOffsetDelta: records.length - 1,
            });
            const ph = Buffer.allocUnsafe(8);
            ph.writeInt32BE(partition, 0);
            ph.writeInt32BE(batch.offset, 4);
            parts.push(ph, batch.buf.subarray(0, batch.offset));
            size += 8 + batch.offset;
          }
        }
        const buf = Buffer.allocUnsafe(size);
        let at = 0;
        if (transactionalId === null) at = buf.writeInt16BE(-1, 0);
        else {
          at = buf.writeInt16BE(Buffer.byteLength(transactionalId), 0);
          at += buf.write(transactionalId, at, 'utf8');
        }
        at = buf.writeInt16BE(acks, at);
        at = buf.writeInt32BE(timeout, at);
        at = buf.writeInt32BE(topicData.length, at);
        for (const p of parts) at += p.copy(buf, at);
        return encoderOf(Encoder, buf);
      },
    };
  };
}
