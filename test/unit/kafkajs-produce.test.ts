// The produce-path replacements of src/kafka/produceEncoding.ts must write exactly the bytes kafkajs'
// own modules write (the broker checks the CRC; consumers decode the records): each one against
// kafkajs' original on random input, and the replacements must be the ones kafkajs actually uses.
import { createRequire } from 'node:module';
import { expect, it, vi } from 'vitest';
import kafkajs from '../../src/kafka/kafkajs.js';
import { FAST_PRODUCE_FOR, kafkajsOriginals } from '../../src/kafka/kafkajs.js';
import { crc32c, groupMessagesPerPartition, makeRecord, makeRecordBatch, type EncoderCtor, type EncoderLike, type LongStatic, type ProduceArgs, type ProduceRequest, type RecordBatchInput, type RecordInput } from '../../src/kafka/produceEncoding.js';
import { bytesOf, expectSameBytes, randomBuffer, randomRecord, randomText, rng } from '../helpers/kafkajsRandom.js';

const require = createRequire(import.meta.url);
const Long = require('kafkajs/src/utils/long.js') as LongStatic & { fromValue(v: unknown): unknown; fromInt(v: number): unknown };
const Encoder = require('kafkajs/src/protocol/encoder.js') as EncoderCtor;
const originals = kafkajsOriginals!;
// kafkajs' own record, batch and CRC modules (not replaced: only the produce request that used them is)
const kafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (r: RecordInput) => EncoderLike;
const kafkajsRecordBatch = (require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch: (b: RecordBatchInput & { compression: number }) => Promise<EncoderLike> }).RecordBatch;
const kafkajsCrc32C = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (b: Buffer) => number;

it('is installed: kafkajs uses the replacements', () => {
  expect((require('kafkajs/package.json') as { version: string }).version).toBe(FAST_PRODUCE_FOR);
  expect(kafkajsOriginals).toBeDefined();
  expect(require('kafkajs/src/producer/groupMessagesPerPartition.js')).toBe(groupMessagesPerPartition);
  expect(originals.groupMessagesPerPartition).not.toBe(groupMessagesPerPartition);
  expect(require('kafkajs/src/protocol/requests/produce/v3/request.js')).not.toBe(originals.produceRequestV3);
  expect(typeof kafkajs.Kafka).toBe('function');
});

it('computes CRC-32C as kafkajs does, for every length', () => {
  expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  expect(crc32c(Buffer.alloc(0))).toBe(0);
  const r = rng(1);
  for (let n = 0; n < 300; n++) {
    const b = randomBuffer(r, n < 200 ? n + 1 : 100_000);
    expect(crc32c(b)).toBe(kafkajsCrc32C(b));
    // a view into a larger buffer, at an odd offset
    const view = Buffer.concat([Buffer.from([1, 2, 3]), b]).subarray(3);
    expect(crc32c(view)).toBe(kafkajsCrc32C(b));
  }
});

it('encodes records byte for byte as kafkajs does', () => {
  const Record = makeRecord(Encoder);
  const r = rng(2);
  for (let i = 0; i < 3000; i++) {
    const rec = randomRecord(r, i);
    expectSameBytes(bytesOf(Record(rec)), bytesOf(kafkajsRecord(rec)), `record ${i}`);
  }
  // defaults: no deltas, no headers
  expectSameBytes(bytesOf(Record({ key: 'k', value: Buffer.from('v') })), bytesOf(kafkajsRecord({ key: 'k', value: Buffer.from('v') })), 'defaults');
});

it('encodes uncompressed record batches byte for byte as kafkajs does', async () => {
  const RecordBatch = makeRecordBatch(Encoder, Long);
  const r = rng(3);
  for (let i = 0; i < 200; i++) {
    const count = i % 10 === 0 ? 0 : Math.floor(r() * 300);
    const records = Array.from({ length: count }, (_, k) => kafkajsRecord(randomRecord(r, k)));
    const now = 1_700_000_000_000 + Math.floor(r() * 1e9);
    const batch = {
      records,
      firstTimestamp: now,
      maxTimestamp: now + Math.floor(r() * 1000),
      producerId: r() < 0.5 ? Long.fromValue(Math.floor(r() * 2 ** 40)) : Long.fromInt(-1),
      producerEpoch: Math.floor(r() * 100),
      firstSequence: Math.floor(r() * 2 ** 31),
      transactional: r() < 0.5,
      lastOffsetDelta: Math.max(0, count - 1),
    };
    const ours = RecordBatch(batch);
    expectSameBytes(bytesOf(ours), bytesOf(await kafkajsRecordBatch({ ...batch, compression: kafkajs.CompressionTypes.None })), `batch ${i}`);
    expect(ours.size()).toBe(ours.buffer.length);
  }
});

it('groups messages per partition in their order, as kafkajs does', () => {
  const r = rng(4);
  const partitionMetadata = [{ partitionId: 0 }, { partitionId: 1 }, { partitionId: 2 }, { partitionId: 3 }];
  const messages = Array.from({ length: 5000 }, (_, i) => ({ value: String(i), partition: Math.floor(r() * 4) }));
  const partitioner = ({ message }: { message: { partition: number } }) => message.partition;
  const args = { topic: 't', partitionMetadata, messages, partitioner };
  expect(groupMessagesPerPartition(args)).toEqual(originals.groupMessagesPerPartition(args));
  expect(groupMessagesPerPartition({ ...args, partitionMetadata: [] })).toEqual({});
});

it('encodes produce requests byte for byte as kafkajs does (v3, which v4 to v7 wrap)', async () => {
  const request = require('kafkajs/src/protocol/requests/produce/v3/request.js') as (a: ProduceArgs) => ProduceRequest;
  const v7 = require('kafkajs/src/protocol/requests/produce/v7/request.js') as (a: ProduceArgs) => ProduceRequest;
  const r = rng(5);
  const now = vi.spyOn(Date, 'now').mockReturnValue(1_760_000_000_123);
  try {
    for (let i = 0; i < 120; i++) {
      const stamped = i % 3 === 0;
      const topicData = Array.from({ length: 1 + Math.floor(r() * 3) }, (_, t) => ({
        topic: `${randomText(r, 6)}.topic.${t}`,
        partitions: Array.from({ length: 1 + Math.floor(r() * 3) }, (_, p) => ({
          partition: p * 2,
          firstSequence: r() < 0.5 ? Math.floor(r() * 1000) : undefined,
          messages: Array.from({ length: Math.floor(r() * 40) }, (_, k) => {
            const rec = randomRecord(r, k);
            return { key: rec.key, value: rec.value, headers: rec.headers, partition: p * 2, ...(stamped ? { timestamp: 1_760_000_000_000 + Math.floor(r() * 5000) } : {}) };
          }),
        })),
      }));
      const args: ProduceArgs = {
        acks: [-1, 0, 1][i % 3]!,
        timeout: 30_000,
        transactionalId: i % 2 ? `txn-${randomText(r, 5)}` : null,
        producerId: Long.fromValue(Math.floor(r() * 2 ** 40)),
        producerEpoch: Math.floor(r() * 10),
        compression: i % 20 === 9 ? kafkajs.CompressionTypes.GZIP : kafkajs.CompressionTypes.None,
        topicData,
      };
      const ours = request(args);
      const theirs = originals.produceRequestV3(args);
      expect({ ...ours, encode: undefined, expectResponse: ours.expectResponse() }).toEqual({ ...theirs, encode: undefined, expectResponse: theirs.expectResponse() });
      expectSameBytes(bytesOf(await ours.encode()), bytesOf(await theirs.encode()), `request ${i}`);
      expect(v7(args).apiVersion).toBe(7);
      expectSameBytes(bytesOf(await v7(args).encode()), bytesOf(await theirs.encode()), `request ${i} as v7`);
    }
  } finally {
    now.mockRestore();
  }
});
