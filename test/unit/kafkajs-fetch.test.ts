// The record batch decoder of src/kafka/fetchDecoding.ts must give exactly what kafkajs' own gives:
// every batch field, every record (offsets and timestamps as strings, keys, values, headers), where
// the decoder is left, and the same error for a batch cut off at the end of a fetch response.
// Batches are written by kafkajs' own RecordBatch encoder from random records, and read as kafkajs'
// fetch response reader reads them (decodeMessages).
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import kafkajs from '../../src/kafka/kafkajs.js';
import { kafkajsOriginals } from '../../src/kafka/kafkajs.js';
import { makeRecordBatchDecoder, type DecoderLike, type RecordBatchDecoder } from '../../src/kafka/fetchDecoding.js';
import type { EncoderLike, RecordBatchInput } from '../../src/kafka/produceEncoding.js';
import { randomRecord, rng } from '../helpers/kafkajsRandom.js';

const require = createRequire(import.meta.url);
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => DecoderLike & { canReadBytes(n: number): boolean };
const kafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (r: unknown) => EncoderLike;
const kafkajsRecordBatch = (require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch: (b: RecordBatchInput & { compression: number }) => Promise<EncoderLike> }).RecordBatch;
const original = kafkajsOriginals!.recordBatchDecoder;
/** Batches the replacement handed to kafkajs' decoder: only compressed and cut-off ones should be. */
let handedOn = 0;
const ours = makeRecordBatchDecoder((d) => {
  handedOn++;
  return original(d);
});
const { CompressionTypes } = kafkajs;

/** decodeMessages' loop (kafkajs fetch v4+): batches until fewer than 49 bytes or a partial batch. */
async function readAll(decode: RecordBatchDecoder, buf: Buffer): Promise<{ batches: unknown[]; offsets: number[]; error: string | undefined }> {
  const d = new Decoder(buf);
  const batches: unknown[] = [];
  const offsets: number[] = [];
  let error: string | undefined;
  while (d.canReadBytes(49)) {
    try {
      batches.push(await decode(d));
      offsets.push(d.offset);
    } catch (e) {
      error = `${(e as Error).name}: ${(e as Error).message}`;
      break;
    }
  }
  return { batches, offsets, error };
}

const FIRST_OFFSETS = ['0', '1', '41', '9007199254740990', '9007199254740993', '9223372036854775000'];
const TIMESTAMPS = ['1764518400000', '-1', '0', '9007199254740000', '9223372036854775000'];

/** A decoded value with its Buffers as tagged hex (deep equality walks a Buffer byte by byte: too slow for 70 kB values). */
function plain(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return { buffer: v.toString('hex') };
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** Sets attribute bits of a written batch (the CRC is not checked by decoders). */
function withAttributes(batch: Buffer, bits: number): Buffer {
  const b = Buffer.from(batch);
  b.writeInt16BE(b.readInt16BE(21) | bits, 21);
  return b;
}

it('is installed: kafkajs reads fetched record batches with the replacement', () => {
  const installed = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as unknown;
  expect(installed).not.toBe(original);
  expect(typeof installed).toBe('function');
});

it('decodes random record batches exactly as kafkajs does, and leaves the decoder where kafkajs does', async () => {
  const r = rng(11);
  let records = 0;
  let leftToKafkajs = 0;
  handedOn = 0;
  for (let i = 0; i < 60; i++) {
    const parts: Buffer[] = [];
    for (let b = 1 + Math.floor(r() * 4); b > 0; b--) {
      const count = Math.floor(r() * 40);
      const input = Array.from({ length: count }, (_, k) => randomRecord(r, k));
      if (count && r() < 0.3) input[0]!.timestampDelta = r() < 0.5 ? 2 ** 52 + 1 : -(2 ** 60);
      records += count;
      const compression = r() < 0.2 ? CompressionTypes.GZIP : CompressionTypes.None;
      if (compression !== CompressionTypes.None) leftToKafkajs++;
      const written = await kafkajsRecordBatch({
        compression,
        firstOffset: FIRST_OFFSETS[Math.floor(r() * FIRST_OFFSETS.length)],
        firstTimestamp: TIMESTAMPS[Math.floor(r() * TIMESTAMPS.length)] as unknown as number,
        maxTimestamp: TIMESTAMPS[Math.floor(r() * TIMESTAMPS.length)] as unknown as number,
        partitionLeaderEpoch: Math.floor(r() * 100),
        lastOffsetDelta: Math.max(0, count - 1),
        transactional: r() < 0.5,
        producerId: r() < 0.5 ? '-1' : String(Math.floor(r() * 2 ** 40)),
        producerEpoch: Math.floor(r() * 5),
        firstSequence: Math.floor(r() * 1000),
        records: input.map((x) => kafkajsRecord(x)),
      });
      // log append time (bit 3) and control batches (bit 5) as the broker marks them
      const bits = (r() < 0.2 ? 0x08 : 0) | (r() < 0.1 ? 0x20 : 0);
      parts.push(withAttributes(Buffer.from(written.buffer), bits));
    }
    // a fetch response's last batch is often cut off by maxBytes
    if (r() < 0.5) {
      const last = parts.pop()!;
      parts.push(last.subarray(0, 49 + Math.floor(r() * (last.length - 49))));
      leftToKafkajs++;
    }
    const buf = Buffer.concat(parts);
    const [theirs, mine] = [await readAll(original, buf), await readAll(ours, buf)];
    expect(mine.error, `response ${i}`).toBe(theirs.error);
    expect(mine.offsets, `response ${i}`).toEqual(theirs.offsets);
    expect(mine.batches.length, `response ${i}`).toBe(theirs.batches.length);
    mine.batches.forEach((b, k) => expect(plain(b), `response ${i} batch ${k}`).toStrictEqual(plain(theirs.batches[k])));
  }
  expect(records).toBeGreaterThan(1000);
  // the fast path did the rest (a compressed batch that was cut off counts once, hence at most)
  expect(handedOn).toBeGreaterThan(0);
  expect(handedOn).toBeLessThanOrEqual(leftToKafkajs);
});

it('gives a record running past its batch to kafkajs, and reads what kafkajs reads', async () => {
  const written = await kafkajsRecordBatch({ compression: CompressionTypes.None, firstOffset: '5', firstTimestamp: 1, maxTimestamp: 1, records: [kafkajsRecord({ key: 'k', value: Buffer.from('value') })] } as RecordBatchInput & { compression: number });
  const buf = Buffer.from(written.buffer);
  // the record's length varint (just after the 61-byte header) claims 60 bytes more than are there
  buf[61] = buf[61]! + 120;
  const [theirs, mine] = [await readAll(original, buf), await readAll(ours, buf)];
  expect(plain(mine)).toStrictEqual(plain(theirs));
});

it('keys a header without a key (length -1) as kafkajs does: "null"', async () => {
  const written = await kafkajsRecordBatch({ compression: CompressionTypes.None, firstOffset: '5', firstTimestamp: 1, maxTimestamp: 1, records: [kafkajsRecord({ key: 'k', value: 'v', headers: { x: 'y' } })] } as RecordBatchInput & { compression: number });
  const buf = Buffer.from(written.buffer);
  // one header (zigzag 2), key "x" (length 2 zigzag, 0x78), value "y": the key becomes null, its byte an empty value
  const at = buf.indexOf(Buffer.from([0x02, 0x02, 0x78, 0x02, 0x79]));
  expect(at).toBeGreaterThan(61);
  buf[at + 1] = 0x01;
  buf[at + 2] = 0x00;
  const [theirs, mine] = [await readAll(original, buf), await readAll(ours, buf)];
  expect(Object.keys((mine.batches[0] as { records: Array<{ headers: object }> }).records[0]!.headers)).toEqual(['null']);
  expect(plain(mine)).toStrictEqual(plain(theirs));
});
