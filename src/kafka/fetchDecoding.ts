// A faster replacement for kafkajs 2.2.4's record batch decoder (protocol/recordBatch/v0/decoder.js),
// the module every fetched batch goes through, installed by src/kafka/kafkajs.ts before kafkajs
// loads. It returns the same batch and records (test/unit/kafkajs-fetch.test.ts compares them with
// kafkajs' own on random batches). kafkajs' decoder slices every record into a Buffer of its own
// with a Decoder object around it, reads each record's timestamp delta in BigInt-backed Long
// arithmetic, and parses the batch's first offset and timestamp from their decimal strings again for
// every record; the exporter read its triggers, the publisher the items topic and the exporter's
// state the items and status topics through it. This one reads the records in place, with numbers
// where they are exact (below 2^53) and BigInt otherwise. Compressed batches, and anything it does
// not expect (a partial batch, a record running past its batch), go to kafkajs' own decoder.
import { readVarInt, readVarLong, VarintCutOff, type ByteCursor } from '../avro/varint.js';

/** The slice of kafkajs' Decoder the batch decoder reads and moves. */
export interface DecoderLike {
  buffer: Buffer;
  offset: number;
}

export interface DecodedRecord {
  magicByte: number;
  attributes: number;
  timestamp: string;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | null | Array<Buffer | null>>;
  isControlRecord: boolean;
  batchContext: Record<string, unknown>;
}

export interface DecodedBatch {
  firstOffset: string;
  firstTimestamp: string;
  partitionLeaderEpoch: number;
  inTransaction: boolean;
  isControlBatch: boolean;
  lastOffsetDelta: number;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  maxTimestamp: string;
  timestampType: number;
  records: DecodedRecord[];
}

export type RecordBatchDecoder = (fetchDecoder: DecoderLike) => Promise<DecodedBatch>;

const COMPRESSION_CODEC_MASK = 0x07;
const TIMESTAMP_TYPE_FLAG_MASK = 0x08;
const TRANSACTIONAL_FLAG_MASK = 0x10;
const CONTROL_FLAG_MASK = 0x20;
const CREATE_TIME = 0;
const LOG_APPEND_TIME = 1;
/** firstOffset, length, partitionLeaderEpoch, magic, crc, attributes, lastOffsetDelta, firstTimestamp, maxTimestamp, producerId, producerEpoch, firstSequence, record count */
const HEADER_BYTES = 8 + 4 + 4 + 1 + 4 + 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;

/** Thrown inside the fast path for input it leaves to kafkajs' decoder (as is a varint cut off at the end). */
class Fallback extends VarintCutOff {}

/** Input position within one batch; reads past `end` fall back. */
type Cursor = ByteCursor;

const varInt = readVarInt;

/** kafkajs' readVarLong (a zigzag varlong): a number when exact, a bigint beyond 49 bits. */
function varLong(c: Cursor): number | bigint {
  const start = c.pos;
  for (let k = 0; k < 7; k++) {
    if (start + k >= c.end) throw new Fallback();
    if (c.buf[start + k]! < 0x80) return readVarLong(c);
  }
  // 8 bytes or more: as kafkajs does it, in BigInt (and its 10-byte limit)
  let r = 0n;
  let i = 0n;
  let b: number;
  do {
    if (i > 63n || c.pos >= c.end) throw new Fallback();
    b = c.buf[c.pos++]!;
    r += BigInt(b & 0x7f) << i;
    i += 7n;
  } while (b >= 0x80);
  return (r >> 1n) ^ -(r & 1n);
}

/** base + delta as kafkajs' Long (BigInt) writes it, in numbers when both are exact. */
function plus(base: string, baseNumber: number, delta: number | bigint): string {
  if (typeof delta === 'number') {
    const sum = baseNumber + delta;
    if (Number.isSafeInteger(baseNumber) && Number.isSafeInteger(sum)) return String(sum);
  }
  return (BigInt(base) + BigInt(delta)).toString();
}

function bytes(c: Cursor): Buffer | null {
  const n = varInt(c);
  if (n === -1) return null;
  if (n < 0 || c.pos + n > c.end) throw new Fallback();
  const b = c.buf.subarray(c.pos, c.pos + n);
  c.pos += n;
  return b;
}

type Headers = DecodedRecord['headers'];

function readHeaders(c: Cursor): Headers {
  const count = varInt(c);
  if (count < -1) throw new Fallback();
  const out: Headers = {};
  for (let i = 0; i < count; i++) {
    const k = bytes(c);
    // kafkajs keys a null header key as "null" (String(null)), as an object key does
    const key = k === null ? 'null' : k.toString('utf8');
    const value = bytes(c);
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? prev.concat([value]) : [prev, value];
  }
  return out;
}

/**
 * The record batch decoder for kafkajs' fetch responses. `original` is kafkajs' own: it decodes what
 * this one leaves to it, and throws kafkajs' own errors (a partial batch at the end of a response).
 */
export function makeRecordBatchDecoder(original: RecordBatchDecoder): RecordBatchDecoder {
  return (fetchDecoder) => {
    const buf = fetchDecoder.buffer;
    const start = fetchDecoder.offset;
    if (buf.length - start < HEADER_BYTES) return original(fetchDecoder);
    const attributes = buf.readInt16BE(start + 21);
    const length = buf.readInt32BE(start + 8);
    const end = start + 12 + length;
    if (attributes & COMPRESSION_CODEC_MASK || length < HEADER_BYTES - 12 || end > buf.length) return original(fetchDecoder);
    let batch: DecodedBatch;
    try {
      batch = decodeUncompressed(buf, start, end, attributes);
    } catch (e) {
      if (e instanceof VarintCutOff) return original(fetchDecoder);
      throw e;
    }
    fetchDecoder.offset = end;
    return Promise.resolve(batch);
  };
}

function decodeUncompressed(buf: Buffer, start: number, end: number, attributes: number): DecodedBatch {
  const firstOffset = buf.readBigInt64BE(start).toString();
  const partitionLeaderEpoch = buf.readInt32BE(start + 12);
  const magicByte = buf.readInt8(start + 16);
  const lastOffsetDelta = buf.readInt32BE(start + 23);
  const firstTimestamp = buf.readBigInt64BE(start + 27).toString();
  const maxTimestamp = buf.readBigInt64BE(start + 35).toString();
  const producerId = buf.readBigInt64BE(start + 43).toString();
  const producerEpoch = buf.readInt16BE(start + 51);
  const firstSequence = buf.readInt32BE(start + 53);
  const count = buf.readInt32BE(start + 57);
  const timestampType = attributes & TIMESTAMP_TYPE_FLAG_MASK ? LOG_APPEND_TIME : CREATE_TIME;
  const recordContext = {
    firstOffset,
    firstTimestamp,
    partitionLeaderEpoch,
    inTransaction: (attributes & TRANSACTIONAL_FLAG_MASK) > 0,
    isControlBatch: (attributes & CONTROL_FLAG_MASK) > 0,
    lastOffsetDelta,
    producerId,
    producerEpoch,
    firstSequence,
    maxTimestamp,
    timestampType,
  };
  const batchContext = { ...recordContext, magicByte };
  const isControlRecord = recordContext.isControlBatch;
  const appendTime = timestampType === LOG_APPEND_TIME;
  const offsetBase = Number(firstOffset);
  const timestampBase = Number(firstTimestamp);
  const records: DecodedRecord[] = count === -1 ? [] : new Array<DecodedRecord>(count);
  const c: Cursor = { buf, pos: start + HEADER_BYTES, end };
  for (let i = 0; i < count; i++) {
    const size = varInt(c);
    if (size < 0 || c.pos + size > end) throw new Fallback();
    const recordEnd = c.pos + size;
    // the record's own fields never read past it: kafkajs reads them from the record's slice
    const r: Cursor = { buf, pos: c.pos, end: recordEnd };
    if (r.pos >= recordEnd) throw new Fallback();
    const recordAttributes = buf.readInt8(r.pos++);
    const timestampDelta = varLong(r);
    const timestamp = appendTime ? maxTimestamp : plus(firstTimestamp, timestampBase, timestampDelta);
    const offset = plus(firstOffset, offsetBase, varInt(r));
    const key = bytes(r);
    const value = bytes(r);
    const headers = readHeaders(r);
    records[i] = { magicByte, attributes: recordAttributes, timestamp, offset, key, value, headers, isControlRecord, batchContext };
    c.pos = recordEnd;
  }
  return { ...recordContext, records };
}
