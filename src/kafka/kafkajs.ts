// kafkajs as every part of commerce-cdc loads it: with the produce path's hot internals replaced by
// the ones in produceEncoding.ts (same bytes, far less CPU per record). kafkajs requires these
// modules by relative path, so they are swapped in Node's CommonJS module cache before kafkajs
// itself loads; import kafkajs from here, never from 'kafkajs' directly (type imports are fine).
// The replacement is tied to the kafkajs version it was written against: with another version
// kafkajs runs unchanged.
import { createRequire } from 'node:module';
import type * as KafkaJs from 'kafkajs';
import { groupMessagesPerPartition, makeProduceRequestV3, makeRecord, makeRecordBatch, type EncoderCtor, type EncoderLike, type LongStatic, type ProduceArgs, type ProduceRequest, type RecordBatchInput } from './produceEncoding.js';

const require = createRequire(import.meta.url);

/** The kafkajs version whose internals produceEncoding.ts mirrors. */
export const FAST_PRODUCE_FOR = '2.2.4';

const MODULES = {
  group: 'kafkajs/src/producer/groupMessagesPerPartition.js',
  record: 'kafkajs/src/protocol/recordBatch/record/v0/index.js',
  batch: 'kafkajs/src/protocol/recordBatch/v0/index.js',
  produce: 'kafkajs/src/protocol/requests/produce/v3/request.js',
  encoder: 'kafkajs/src/protocol/encoder.js',
  long: 'kafkajs/src/utils/long.js',
};

export interface KafkajsOriginals {
  groupMessagesPerPartition: typeof groupMessagesPerPartition;
  Record: (r: unknown) => EncoderLike;
  RecordBatch: (b: RecordBatchInput) => Promise<EncoderLike>;
  crc32C: (b: Buffer) => number;
  /** Produce request v3, built on kafkajs' own records and batches. */
  produceRequestV3: (a: ProduceArgs) => ProduceRequest;
}

/** kafkajs' own versions of what was replaced (for the byte-for-byte test); undefined when nothing was. */
export let kafkajsOriginals: KafkajsOriginals | undefined;

function install(): void {
  const version = (require('kafkajs/package.json') as { version: string }).version;
  if (version !== FAST_PRODUCE_FOR) return;
  const paths = Object.fromEntries(Object.entries(MODULES).map(([k, p]) => [k, require.resolve(p)])) as Record<keyof typeof MODULES, string>;
  // already loaded (imported directly from 'kafkajs' before this module): its modules hold the originals
  if (require.cache[paths.group] && require.cache[require.resolve('kafkajs')]) return;
  const Encoder = require(paths.encoder) as EncoderCtor;
  const Long = require(paths.long) as LongStatic;
  // load the originals (the produce request first, so that it holds kafkajs' own records and batches),
  // then put the replacements where kafkajs' own modules will find them
  const produceRequestV3 = require(paths.produce) as KafkajsOriginals['produceRequestV3'];
  const originals: KafkajsOriginals = {
    produceRequestV3,
    groupMessagesPerPartition: require(paths.group) as typeof groupMessagesPerPartition,
    Record: require(paths.record) as KafkajsOriginals['Record'],
    RecordBatch: (require(paths.batch) as { RecordBatch: KafkajsOriginals['RecordBatch'] }).RecordBatch,
    crc32C: require(require.resolve('kafkajs/src/protocol/recordBatch/crc32C/index.js')) as KafkajsOriginals['crc32C'],
  };
  require.cache[paths.group]!.exports = groupMessagesPerPartition;
  require.cache[paths.record]!.exports = makeRecord(Encoder);
  const batchModule = require.cache[paths.batch]!;
  const recordBatch = makeRecordBatch(Encoder, Long, originals.RecordBatch);
  batchModule.exports = { ...(batchModule.exports as object), RecordBatch: recordBatch };
  require.cache[paths.produce]!.exports = makeProduceRequestV3(Encoder, recordBatch, produceRequestV3);
  kafkajsOriginals = originals;
}

install();

const kafkajs = require('kafkajs') as typeof KafkaJs;
export default kafkajs;
